"""The generated ecosystem: determinism, Hub-like shape and the distribution targets of issue 3."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from openscope.simhub.entries import entries_table
from openscope.simhub.generator import SYNTHETIC_TAG, generate, write_dump


@pytest.fixture(scope="module")
def mid():
    """A mid-size ecosystem (100k models) and a DuckDB connection over it."""
    eco = generate(100_000, datasets=500, seed=11, max_fanout=6_000)
    con = duckdb.connect()
    con.register("m", eco.models)
    return eco, con


def q(con, sql: str):
    return con.execute(sql).fetchone()


def test_same_seed_same_ecosystem_and_entries():
    a, b = generate(3000, datasets=50, seed=5), generate(3000, datasets=50, seed=5)
    assert a.models.equals(b.models) and a.datasets.equals(b.datasets)
    assert entries_table(a).column("js").equals(entries_table(b).column("js"))
    c = generate(3000, datasets=50, seed=6)
    assert not a.models.equals(c.models)


def test_share_with_base_merges_and_depth(mid):
    _, con = mid
    share, merges, shallow = q(con, """SELECT avg((parent IS NOT NULL)::INT), avg((kind = 'merge')::INT),
                                              avg((depth <= 2)::INT) FROM m""")
    assert 0.32 <= share <= 0.38
    assert 0.007 <= merges <= 0.013
    assert shallow >= 0.99
    # merges declare two or more bases
    assert q(con, "SELECT count(*) FROM m WHERE kind = 'merge' AND parent2 IS NULL")[0] == 0


def test_max_fanout_is_the_largest_base_exactly(mid):
    _, con = mid
    top = con.execute("SELECT parent, count(*) c FROM m WHERE parent IS NOT NULL GROUP BY 1 ORDER BY c DESC LIMIT 2").fetchall()
    assert top[0][1] == 6_000
    assert top[1][1] < 6_000


def test_quantizations_are_almost_always_leaves(mid):
    _, con = mid
    n_q = q(con, "SELECT count(*) FROM m WHERE kind = 'quantized'")[0]
    with_children = q(con, """SELECT count(DISTINCT p.id) FROM m p JOIN m c ON c.parent = p.id
                              WHERE p.kind = 'quantized'""")[0]
    assert n_q > 5000
    assert with_children / n_q < 0.01


def test_most_repos_have_zero_downloads_with_a_heavy_tail(mid):
    _, con = mid
    zero, p99, mx = q(con, "SELECT avg((downloads = 0)::INT), quantile_cont(downloads, 0.99), max(downloads) FROM m")
    assert zero > 0.5
    assert mx > 100 * max(p99, 1)


def test_qwen_dominates_new_derivatives_and_r1_burst(mid):
    _, con = mid
    qwen_share = q(con, """SELECT avg((p.id ILIKE '%qwen%')::INT) FROM m c JOIN m p ON c.parent = p.id
                           WHERE p.kind = 'flagship' AND c.created_ms >= epoch_ms(TIMESTAMP '2025-01-01')""")[0]
    llama_share = q(con, """SELECT avg((p.id ILIKE '%llama%')::INT) FROM m c JOIN m p ON c.parent = p.id
                            WHERE p.kind = 'flagship' AND c.created_ms >= epoch_ms(TIMESTAMP '2025-01-01')""")[0]
    assert qwen_share > 0.3 and qwen_share > llama_share
    burst = q(con, """SELECT count(*) FROM m c JOIN m p ON c.parent = p.id
                      WHERE p.id = 'deepseek-ai/DeepSeek-R1' AND c.created_ms - p.created_ms < 7 * 86400000""")[0]
    assert burst >= 200


def test_children_are_created_after_their_in_ecosystem_parent(mid):
    _, con = mid
    bad = q(con, """SELECT count(*) FROM m c JOIN m p ON c.parent = p.id
                    WHERE c.depth = 1 AND c.created_ms < p.created_ms
                      AND p.parent IS DISTINCT FROM c.id""")[0]  # a deliberate 2-cycle is the exception
    assert bad == 0


def test_declaration_variety(mid):
    eco, con = mid
    kinds = dict(con.execute("SELECT decl, count(*) FROM m WHERE parent IS NOT NULL GROUP BY 1").fetchall())
    assert set(kinds) == {0, 1, 2, 3}  # tags+card, card only, contradicting, tags only
    externals = q(con, "SELECT count(*) FROM m WHERE parent NOT IN (SELECT id FROM m)")[0]
    assert externals > 0
    assert not set(eco.externals) & set(eco.models.column("id").to_pylist())
    cycles = q(con, "SELECT count(*) FROM m a JOIN m b ON a.parent = b.id AND b.parent = a.id")[0]
    assert cycles >= 2  # a 2-cycle shows up from both ends


def test_entries_shape_tags_and_unknown_dates(mid):
    eco, _ = mid
    sample = pa.Table.from_batches(eco.models.slice(0, 20_000).to_batches())
    small = type(eco)(seed=eco.seed, models=sample, datasets=eco.datasets, externals=eco.externals)
    rows = [json.loads(j) for j in entries_table(small).column("js").to_pylist()]
    assert all(SYNTHETIC_TAG in r["tags"] for r in rows)
    types = {"_id": str, "id": str, "author": str, "sha": str, "createdAt": str, "lastModified": str,
             "private": bool, "downloads": int, "downloadsAllTime": int, "likes": int, "tags": list,
             "siblings": list, "disabled": bool}
    for r in rows:
        for k, t in types.items():
            assert isinstance(r[k], t), (k, r["id"])
        assert len(r["sha"]) == 40 and len(r["_id"]) == 24
        assert r["gated"] in (False, "auto", "manual")
        assert all(set(s) == {"rfilename"} for s in r["siblings"])
    created = {r["createdAt"] for r in rows}
    assert {"2022-03-02T23:29:04.000Z", "2022-03-02T23:29:05.000Z"} <= created
    ids = [r["id"] for r in rows]
    assert len(set(i.lower() for i in ids)) == len(ids)


def test_tag_pairs_match_the_structure(mid):
    eco, _ = mid
    sub = eco.models.slice(65_000, 20_000)  # the derivative layers
    small = type(eco)(seed=eco.seed, models=sub, datasets=eco.datasets, externals=eco.externals)
    truth = sub.select(["id", "kind", "parent", "parent2", "decl", "card_base"]).to_pylist()
    rows = {json.loads(j)["id"]: json.loads(j) for j in entries_table(small).column("js").to_pylist()}
    checked = 0
    for t in truth:
        if t["parent"] is None:
            continue
        r = rows[t["id"]]
        rel = "merge" if t["kind"] == "merge" else t["kind"]
        has_tags = f"base_model:{rel}:{t['parent']}" in r["tags"] and f"base_model:{t['parent']}" in r["tags"]
        card = (r.get("cardData") or {}).get("base_model")
        if t["decl"] == 1:  # card only
            assert not has_tags and (card == t["parent"] or t["parent"] in (card or []))
        elif t["decl"] == 2:  # contradicting: the card names another model
            assert has_tags and card == t["card_base"] and card != t["parent"]
        elif t["decl"] == 3:  # tags only
            assert has_tags and card is None
        else:
            assert has_tags and (card == t["parent"] or t["parent"] in (card or []))
        checked += 1
    assert checked > 5000


def test_write_dump_lines_and_size(tmp_path: Path):
    out = tmp_path / "dump.jsonl"
    n = write_dump(out, models=5000, seed=3, max_fanout=300)
    lines = out.read_text().splitlines()
    assert n == len(lines) == 5000
    assert 500 <= out.stat().st_size / n <= 1200  # about 800 bytes per entry, as on the Hub
    assert json.loads(lines[0])["id"]
    ds = tmp_path / "ds.jsonl"
    assert write_dump(ds, models=100, datasets=40, seed=3, repo_type="dataset") == 40
    assert all("task_categories:" in " ".join(json.loads(x)["tags"]) for x in ds.read_text().splitlines())


def test_bad_arguments():
    with pytest.raises(ValueError):
        generate(0)
    with pytest.raises(ValueError):
        generate(10, max_fanout=0)
    with pytest.raises(ValueError):
        write_dump("/tmp/x.jsonl", models=10, repo_type="space")


@pytest.mark.parametrize("n", [1, 7, 60, 450])
def test_tiny_ecosystems_are_well_formed(n):
    eco = generate(n, datasets=3, seed=2)
    assert eco.n_models == n
    ids = eco.models.column("id").to_pylist()
    assert len(set(ids)) == n
    for js in entries_table(eco).column("js").to_pylist():
        json.loads(js)


def test_declared_edges_agree_with_the_entries():
    from openscope.simhub.generator import declared_edges

    eco = generate(3000, seed=12)
    edges = declared_edges(eco).to_pylist()
    entries = {json.loads(j)["id"]: json.loads(j) for j in entries_table(eco).column("js").to_pylist()}
    assert edges and any(e["external"] for e in edges) and any(e["relation"] == "merge" for e in edges)
    for e in edges:
        entry = entries[e["child"]]
        tagged = f"base_model:{e['relation']}:{e['parent']}" in entry["tags"]
        card = (entry.get("cardData") or {}).get("base_model")
        carded = card == e["parent"] or (isinstance(card, list) and e["parent"] in card)
        assert tagged == e["in_tags"] and carded == e["in_card"], e
    tag_pairs = sum(1 for x in entries.values() for t in x["tags"] if t.startswith("base_model:") and t.count(":") >= 2)
    assert tag_pairs == sum(e["in_tags"] for e in edges)
