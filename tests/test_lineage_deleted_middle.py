"""A model deleted from the Hub in the middle of a chain keeps its place in it (issue #5; docs/lineage.md, *Models
deleted from the Hub, and renamed ones*; thirty-fourth session).

Before: lineage read only live models' declarations, so with A → B → C and B found gone by a full crawl, B's own
``base_model`` was no longer read: C's root became B (its root country B's publisher's, usually unknown) and a
licence above B stopped flowing through it. Now a deleted model's last-read declarations give its edges as a live
model's do (``edges._declare``), the node carries ``deleted_at``, and every answer says it is gone.

Each store here is built from hand-written Hub entries (``lineage_graphs.entry``) by ``ingest``; B is deleted as a
full crawl stamps it (``models.deleted_at``). A twin chain of live models checks that a deleted middle model weighs
exactly as a live one.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from lineage_graphs import LLAMA, QWEN, entry, ingest_refresh, run_quiet, write_jsonl

from bench.nx_full import networkx_full
from openscope import derive
from openscope.derive.lineage import edges as edges_mod
from openscope.derive.lineage.queries import origin_of, root_origins
from openscope.jobs.ingest import ingest_file
from openscope.store import open_store

GONE = "2024-07-01"
DELETED = ["mid/b", "mid/bb", "mid/m"]


def _ft(mid: str, lic: str, *bases: str, rel: str = "finetune") -> dict[str, Any]:
    return entry(mid, (f"license:{lic}", *(f"base_model:{rel}:{b}" for b in bases)), files=("model.safetensors",))


GRAPH = [
    entry(LLAMA, ("license:llama3.1",), downloads=1000), entry(QWEN, ("license:apache-2.0",), downloads=900),
    # the chain: Llama → mid/b (deleted) → leaf/c, and a second deleted level read from its card only
    _ft("mid/b", "cc-by-nc-4.0", LLAMA),
    _ft("leaf/c", "apache-2.0", "mid/b", rel="quantized"),
    entry("mid/bb", ("license:cc-by-nc-4.0",), card={"base_model": "MID/B", "base_model_relation": "finetune"}),
    _ft("leaf/cc", "mit", "mid/bb"),
    # a deleted merge of the US and the Chinese base: what builds on it has roots in two countries
    _ft("mid/m", "apache-2.0", LLAMA, QWEN, rel="merge"),
    _ft("leaf/mm", "apache-2.0", "mid/m"),
    # the live twin of the chain
    # (two publishers, as mid/b and leaf/c are: a licence does not bind its own licensor)
    _ft("twa/b", "cc-by-nc-4.0", LLAMA), _ft("twb/c", "apache-2.0", "twa/b", rel="quantized"),
]
OUT = ["edges", "lineage_paths", "lineage_cycles", "lineage_origin"]


def _delete(s: Any, ids: list[str]) -> None:
    s.con.execute(f"UPDATE models SET deleted_at = TIMESTAMP '{GONE}' WHERE id IN (SELECT unnest(?::VARCHAR[]))", [ids])


def _build(path: Path, *, deleted: bool = True) -> Path:
    with open_store(path) as s:
        ingest_file(s, write_jsonl(path.with_suffix(".jsonl"), GRAPH))
        if deleted:
            _delete(s, DELETED)
        derive.refresh(s)
    return path


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("delmid") / "s.duckdb")


def _tables(path: Path) -> dict[str, list[tuple]]:
    with open_store(path, read_only=True, create=False) as s:
        return {t: sorted(s.con.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in OUT}


def test_the_chain_through_a_deleted_model_stays_whole(db: Path) -> None:
    """Edges, roots, depths, paths and root countries through one and two deleted levels and a deleted merge.
    On the thirty-third session's code: no edge of mid/b, leaf/c's root mid/b (country unknown)."""
    with open_store(db, read_only=True, create=False) as s:
        chosen = set(s.con.execute("SELECT child, parent, relation, evidence FROM edges WHERE chosen").fetchall())
        paths = {(i, r): (d, p) for i, r, d, p in s.con.execute("SELECT * FROM lineage_paths").fetchall()}
        origin = {r[0]: r[1:] for r in s.con.execute(
            "SELECT id, roots, root_countries, root_country, root_region FROM lineage_origin").fetchall()}
        live_origin = {r[0] for r in s.con.execute("SELECT id FROM model_origin").fetchall()}
    assert ("mid/b", LLAMA, "finetune", "tag") in chosen
    assert ("mid/bb", "mid/b", "finetune", "card") in chosen  # declared `MID/B`: the deleted id's stored spelling
    assert {("mid/m", LLAMA, "merge", "tag"), ("mid/m", QWEN, "merge", "tag")} <= chosen
    assert paths[("leaf/c", LLAMA)] == (2, ["leaf/c", "mid/b", LLAMA])
    assert paths[("leaf/cc", LLAMA)] == (3, ["leaf/cc", "mid/bb", "mid/b", LLAMA])
    assert not any(r in DELETED for _, r in paths)  # no deleted model is a root here
    assert origin["leaf/c"] == ([LLAMA], ["US"], "US", "us")
    assert origin["leaf/cc"] == ([LLAMA], ["US"], "US", "us")
    assert origin["leaf/mm"] == ([QWEN, LLAMA], ["CN", "US"], "multiple", "multiple")
    # the deleted models keep their rows as last read; the live-only view leaves them out
    assert origin["mid/b"][0] == [LLAMA] and not live_origin & set(DELETED)


def test_the_shares_by_root_country_count_live_derivatives_only(db: Path, cli) -> None:
    r = cli("--db", db, "lineage", "--by-root-country", "--json")
    assert r.code == 0, r.stderr
    rows = {x["country"]: x["derivatives"] for x in r.json()["rows"]}
    # leaf/c, leaf/cc, twa/b, twb/c in US; leaf/mm multiple; the three deleted models not counted
    assert rows == {"US": 4, "multiple": 1}


def test_a_licence_flows_through_the_deleted_model_as_through_a_live_one(db: Path, cli,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """leaf/c's flow-down equals its live twin's, name for name, plus the deletion date of the middle model.
    On the thirty-third session's code the Llama terms stopped at mid/b."""
    monkeypatch.setenv("COLUMNS", "250")

    def doc(mid: str) -> dict[str, Any]:
        r = cli("--db", db, "license", mid, "--json")
        assert r.code == 0, r.stderr
        return r.json()

    leaf, twin = doc("leaf/c"), doc("twb/c")
    keys = ("distance", "license", "class", "conflict", "duties")
    assert [(f["base"].replace("mid/", "twa/"), *(f[k] for k in keys)) for f in leaf["flow_down"]] == [
        (f["base"], *(f[k] for k in keys)) for f in twin["flow_down"]]
    assert [(f["base"], f["license"], f.get("deleted_at")) for f in leaf["flow_down"]] == [
        ("mid/b", "cc-by-nc-4.0", GONE), (LLAMA, "llama3.1", None)]
    assert leaf["effective_class"] == twin["effective_class"]
    assert leaf["effective_user_cap"] == twin["effective_user_cap"] == 700_000_000
    assert {c["base"] for c in leaf["conflicts"]} == {LLAMA, "mid/b"}
    assert "deleted from the Hub on 2024-07-01" in " ".join(cli("--db", db, "license", "leaf/c").stdout.split())


def test_the_tree_marks_the_deleted_model(db: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    r = cli("--db", db, "lineage", "leaf/c", "--json")
    assert r.code == 0, r.stderr
    doc = r.json()
    nodes = {n["id"]: n for n in doc["nodes"]}
    assert nodes["mid/b"]["depth"] == 1 and str(nodes["mid/b"]["deleted_at"]).startswith(GONE)
    assert nodes["mid/b"]["in_store"] is False and nodes[LLAMA]["depth"] == 2 and nodes[LLAMA]["deleted_at"] is None
    assert nodes[LLAMA]["via"] == "mid/b" and nodes[LLAMA]["relation"] == "finetune"
    assert {(e["child"], e["parent"], e["evidence"]) for e in doc["edges"]} == {
        ("leaf/c", "mid/b", "tag"), ("mid/b", LLAMA, "tag")}
    assert doc["summary"]["roots"] == [LLAMA]
    text = " ".join(cli("--db", db, "lineage", "leaf/c").stdout.split())
    assert "mid/b · quantized of" in text and "deleted from the Hub 2024-07-01" in text
    assert "roots: meta-llama/Llama-3.1-8B (US); root country: US" in text
    # from the deleted model itself: its base as last read
    up = cli("--db", db, "lineage", "mid/b", "--json").json()
    assert up["summary"]["roots"] == [LLAMA] and [n["id"] for n in up["nodes"]] == ["mid/b", LLAMA]
    own = " ".join(cli("--db", db, "lineage", "mid/b").stdout.split())
    assert "it declared no base" not in own and "roots: meta-llama/Llama-3.1-8B (US)" in own
    # down from the root: the deleted model and what hangs on it
    down = cli("--db", db, "lineage", LLAMA, "--down", "--json").json()
    by_id = {n["id"]: n for n in down["nodes"]}
    assert by_id["leaf/c"]["via"] == "mid/b" and by_id["leaf/cc"]["depth"] == 3 and by_id["mid/b"]["deleted_at"]
    # `model` of the leaf: its root is the Llama base, its parent the deleted model
    m = cli("--db", db, "model", "leaf/c", "--json").json()
    assert [(x["id"], x["deleted"], x["country"]) for x in m["lineage"]["roots"]] == [(LLAMA, False, "US")]
    assert [(p["id"], p["deleted"]) for p in m["lineage"]["parents"]] == [("mid/b", True)]
    assert m["root_country"] == "US"


def test_a_deleted_model_that_declared_no_base_is_still_a_root(tmp_path: Path, cli) -> None:
    db = tmp_path / "r.duckdb"
    with open_store(db) as s:
        ingest_file(s, write_jsonl(tmp_path / "r.jsonl", [entry("gone/root"), _ft("kid/x", "mit", "gone/root")]))
        _delete(s, ["gone/root"])
        derive.refresh(s, only=["lineage"])
    text = " ".join(cli("--db", db, "lineage", "gone/root").stdout.split())
    assert "it declared no base when it was last read, so it is a root itself" in text
    doc = cli("--db", db, "lineage", "kid/x", "--json").json()
    assert doc["summary"]["root_origins"] == [{"id": "gone/root", "publisher": None, "publisher_name": None,
                                                "country": None, "region": None, "deleted": True}]
    assert "roots: gone/root (origin unknown; deleted from the Hub)" in " ".join(
        cli("--db", db, "lineage", "kid/x").stdout.split())


def test_the_networkx_baseline_computes_the_same_tables(db: Path, tmp_path: Path) -> None:
    work = tmp_path / "nx.duckdb"
    shutil.copy(db, work)
    res = networkx_full(work, cap_s=120)
    assert all(res["tables_equal"].values()), res["differing_rows"]


@pytest.mark.parametrize("later", [False, True])
def test_an_incremental_refresh_equals_a_full_one(tmp_path: Path, later: bool) -> None:
    """The deletion, then (``later``) a snapshot adding a model built on the deleted one and one re-declaring the
    deleted middle model's child: the incremental refresh equals a full one after each step. On the thirty-third
    session's code the deletion's incremental refresh dropped mid/b's edges, as the full one did."""
    inc, full = tmp_path / "inc.duckdb", tmp_path / "full.duckdb"
    _build(inc, deleted=False)
    shutil.copy(inc, full)
    for path, whole in ((inc, False), (full, True)):
        with open_store(path) as s:
            _delete(s, DELETED)
            res = derive.lineage.refresh(s, full=whole)
            assert res["mode"] == ("full" if whole else "incremental"), res
    assert _tables(inc) == _tables(full)
    with open_store(inc, read_only=True, create=False) as s:
        assert s.scalar("SELECT root FROM lineage_paths WHERE id = 'leaf/c'") == LLAMA
    if later:
        more = [_ft("late/x", "mit", "MID/B"), _ft("leaf/c", "apache-2.0", "mid/bb", rel="quantized")]
        for path, whole in ((inc, False), (full, True)):
            res = ingest_refresh(path, more, "more", full=whole)
            assert res is not None and res["mode"] == ("full" if whole else "incremental"), res
        assert _tables(inc) == _tables(full)
        with open_store(inc, read_only=True, create=False) as s:
            assert s.scalar("SELECT path FROM lineage_paths WHERE id = 'late/x'") == ["late/x", "mid/b", LLAMA]
            assert s.scalar("SELECT depth FROM lineage_paths WHERE id = 'leaf/c'") == 3


def test_a_store_of_the_previous_rules_is_recomputed(db: Path, tmp_path: Path) -> None:
    work = tmp_path / "old.duckdb"
    shutil.copy(db, work)
    with open_store(work) as s:  # as the previous rules left it: no edge of a deleted child
        s.con.execute("DELETE FROM edges WHERE child IN (SELECT unnest(?::VARCHAR[]))", [DELETED])
        s.con.execute("UPDATE lineage_state SET value = '3' WHERE key = 'edge_rules'")
        res = derive.lineage.refresh(s)
        assert res["reason"] == f"edge rules changed (version 3 → {edges_mod.RULES_VERSION})"
    assert _tables(work) == _tables(db)


def test_a_crawl_that_finds_a_middle_model_gone_keeps_its_derivatives_roots(tmp_path: Path) -> None:
    """Through the real pipeline: a crawl of the simulated Hub, a model with a parent and children deleted there,
    `crawl --full` stamps it, and every model keeps the roots and root country it had (the deletion changes no
    declaration). On the thirty-third session's code its derivatives were rooted on it."""
    from openscope.simhub.testing import running_simhub

    db = tmp_path / "c.duckdb"
    fast = ("--backoff", "0.01", "--retries", "8")

    def origins() -> dict[str, tuple]:
        with open_store(db, read_only=True, create=False) as s:
            return {r[0]: (r[1], r[2]) for r in s.con.execute(
                "SELECT id, roots, root_country FROM lineage_origin WHERE id <> ?", [mid]).fetchall()}

    with running_simhub(models=400, datasets=0, seed=3) as h:
        assert run_quiet("--db", db, "crawl", "--endpoint", h.url, *fast) == 0
        with open_store(db, read_only=True, create=False) as s:
            row = s.con.execute("""SELECT e.parent, count(*) FROM edges e
                WHERE e.chosen AND e.parent IN (SELECT child FROM edges WHERE chosen)
                  AND e.parent IN (SELECT id FROM models) GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1""").fetchone()
        assert row is not None
        mid = row[0]
        before = origins()
        h.mutate(delete=[mid])
        assert run_quiet("--db", db, "crawl", "--endpoint", h.url, "--full", *fast) == 0
    with open_store(db, read_only=True, create=False) as s:
        assert s.scalar("SELECT deleted_at IS NOT NULL FROM models WHERE id = ?", [mid]) is True
        assert s.scalar("SELECT count(*) FROM lineage_paths WHERE root = ?", [mid]) == 0
    assert origins() == before


def test_root_origins_follow_the_origin_table(db: Path, cli) -> None:
    """``summary.root_origins``, ``root_country`` and ``root_region`` of ``lineage --up --json`` (part 2 of the
    thirty-fourth session's brief): per root its publisher and place, and the model's root country and region as
    ``model_origin`` has them, for every live model of the store."""
    with open_store(db, read_only=True, create=False) as s:
        want = {r[0]: (r[1], r[2]) for r in s.con.execute(
            "SELECT id, root_country, root_region FROM model_origin").fetchall()}
    for mid, (country, region) in sorted(want.items()):
        r = cli("--db", db, "lineage", mid, "--json")
        assert r.code == 0, r.stderr
        sm = r.json()["summary"]
        assert (sm["root_country"], sm["root_region"]) == (country, region), mid
        assert [o["id"] for o in sm["root_origins"]] == sm["roots"]
    sm = cli("--db", db, "lineage", "leaf/mm", "--json").json()["summary"]
    assert [{k: o[k] for k in ("id", "publisher", "country", "region", "deleted")} for o in sm["root_origins"]] == [
        {"id": QWEN, "publisher": "Qwen", "country": "CN", "region": "china", "deleted": False},
        {"id": LLAMA, "publisher": "meta-llama", "country": "US", "region": "us", "deleted": False}]
    assert all(o["publisher_name"] for o in sm["root_origins"])
    assert (sm["root_country"], sm["root_region"]) == ("multiple", "multiple")
    # --depth cuts the walk, not the roots nor their origins
    cut = cli("--db", db, "lineage", "leaf/cc", "--depth", "1", "--json").json()["summary"]
    assert cut["roots"] == [LLAMA] and cut["root_country"] == "US"


def test_origin_of_is_the_origin_table_s_rule() -> None:
    assert origin_of([]) is None and origin_of([None]) is None and origin_of([None, None]) is None
    assert origin_of(["US"]) == "US" and origin_of(["US", "US"]) == "US"
    assert origin_of(["US", "CN"]) == "multiple" and origin_of(["US", None]) == "multiple"


def test_root_origins_of_no_roots(db: Path) -> None:
    with open_store(db, read_only=True, create=False) as s:
        assert root_origins(s, []) == {"root_origins": [], "root_country": None, "root_region": None}
