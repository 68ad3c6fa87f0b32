"""Lineage on a hand-checked graph: edges, choice, inference, roots, depths, paths, cycles, origins."""

from __future__ import annotations

from pathlib import Path

import pytest
from lineage_graphs import LLAMA, MISTRAL_EXT, QWEN, entry, hand_graph, write_jsonl
from store_rows import rows as q

from openscope.derive import lineage as lineage_step
from openscope.derive.lineage.queries import derivatives_by_root_country
from openscope.store import open_store


def test_edges_evidence_choice_and_inference(hand_db: Path) -> None:
    rows = set(q(hand_db, "SELECT child, parent, relation, evidence, chosen FROM edges"))
    expected = {
        ("alice/llama-ft", LLAMA, "finetune", "tag", True),
        ("bob/llama-ft-lora", "alice/llama-ft", "unknown", "card", False),
        ("bob/llama-ft-lora", "alice/llama-ft", "adapter", "inferred", True),
        # the bare tag's parent takes the store's spelling
        ("carol/llama-ft-GGUF", "alice/llama-ft", "unknown", "tag", False),
        ("carol/llama-ft-GGUF", "alice/llama-ft", "quantized", "inferred", True),
        ("dave/qwen-llama-merge", LLAMA, "merge", "tag", True),
        ("dave/qwen-llama-merge", QWEN, "merge", "tag", True),
        ("dave/qwen-llama-merge", LLAMA, "merge", "card", False),
        ("dave/qwen-llama-merge", QWEN, "merge", "card", False),
        ("erin/qwen-ft", QWEN, "finetune", "tag", True),
        ("erin/qwen-ft", QWEN, "quantized", "card", False),
        ("frank/card-only", QWEN, "finetune", "card", True),
        ("gina/ext-ft", MISTRAL_EXT, "finetune", "tag", True),
        ("x/a", "x/b", "finetune", "tag", True),
        ("x/b", "x/a", "finetune", "tag", True),
        ("x/c", "x/a", "finetune", "tag", True),
        ("h/unknown-root", "nobody/thing", "finetune", "tag", True),
        ("i/bm-only", QWEN, "quantized", "base_models", True),
        ("i/bm-only", LLAMA, "unknown", "card", False),
        ("j/deep", "alice/llama-ft", "merge", "tag", True),
        ("j/deep", LLAMA, "merge", "tag", True),
        ("k/opt-ft", "facebook/opt-125m", "finetune", "tag", True),
    }
    assert rows == expected


def test_roots_depths_paths(hand_db: Path) -> None:
    rows = {(i, r): (d, list(p)) for i, r, d, p in q(hand_db, "SELECT id, root, depth, path FROM lineage")}
    assert rows[("bob/llama-ft-lora", LLAMA)] == (2, ["bob/llama-ft-lora", "alice/llama-ft", LLAMA])
    assert rows[("carol/llama-ft-GGUF", LLAMA)] == (2, ["carol/llama-ft-GGUF", "alice/llama-ft", LLAMA])
    assert rows[("dave/qwen-llama-merge", LLAMA)] == (1, ["dave/qwen-llama-merge", LLAMA])
    assert rows[("dave/qwen-llama-merge", QWEN)] == (1, ["dave/qwen-llama-merge", QWEN])
    assert rows[("j/deep", LLAMA)] == (1, ["j/deep", LLAMA])  # shortest of the two paths
    assert rows[("gina/ext-ft", MISTRAL_EXT)] == (1, ["gina/ext-ft", MISTRAL_EXT])  # external base is a root
    assert rows[("i/bm-only", QWEN)] == (1, ["i/bm-only", QWEN])
    assert rows[(LLAMA, LLAMA)] == (0, [LLAMA])  # a model without parents is its own root
    # external bases are roots, not models: they get no row of their own
    assert not q(hand_db, "SELECT * FROM lineage WHERE id IN (?, 'nobody/thing')", [MISTRAL_EXT])
    # nodes on or below the rootless cycle have no lineage; only the cycle's members are listed
    assert not q(hand_db, "SELECT * FROM lineage WHERE id LIKE 'x/%'")
    cyc = q(hand_db, "SELECT cycle_id, id FROM lineage_cycles ORDER BY id")
    assert [i for _, i in cyc] == ["x/a", "x/b"] and len({c for c, _ in cyc}) == 1
    # exactly one row per (model, root)
    assert q(hand_db, "SELECT count(*), count(DISTINCT (id, root)) FROM lineage")[0] == (15, 15)


def test_origin_and_country_shares(hand_db: Path) -> None:
    origin = {r[0]: r[1:] for r in q(
        hand_db, "SELECT id, publisher, organisation, country, region, root_countries, root_country FROM model_origin")}
    assert origin["dave/qwen-llama-merge"][4:] == (["CN", "US"], "multiple")
    assert origin["gina/ext-ft"][4:] == (["FR"], "FR")
    assert origin["h/unknown-root"][4:] == ([], None)
    # the legacy namespace folds into Meta and keeps its country
    assert origin["facebook/opt-125m"][:4] == ("facebook", "meta-llama", "US", "us")
    assert origin["k/opt-ft"][4:] == (["US"], "US")
    assert origin["alice/llama-ft"][0] is None  # an individual: unknown, never guessed
    with open_store(hand_db, read_only=True, create=False) as store:
        shares = {r["country"]: r for r in derivatives_by_root_country(store)}
        regions = {r["region"]: r["derivatives"] for r in derivatives_by_root_country(store, level="region")}
    assert {k: v["derivatives"] for k, v in shares.items()} == {
        "US": 5, "CN": 3, "FR": 1, "multiple": 1, "unknown": 4}
    assert sum(v["share"] for v in shares.values()) == pytest.approx(1.0)
    assert regions == {"us": 5, "china": 3, "eu": 1, "multiple": 1, "unknown": 4}


def test_incremental_equals_full(tmp_path: Path) -> None:
    """A second snapshot that adds models and changes an edge: incremental refresh == full recompute."""
    from openscope.jobs.ingest import ingest_file

    graph = hand_graph()
    first, second = graph[:9], graph[9:]
    # the second snapshot also re-parents alice (now a finetune of Qwen): its subtree must follow
    second.append(entry("alice/llama-ft", (f"base_model:finetune:{QWEN}",), created="2024-06-01T00:00:00.000Z"))
    second.append(entry("new/child-of-ext", (f"base_model:finetune:{MISTRAL_EXT}",)))
    db = tmp_path / "inc.duckdb"
    with open_store(db) as store:
        ingest_file(store, write_jsonl(tmp_path / "a.jsonl", first))
        assert lineage_step.refresh(store)["mode"] == "full"
        ingest_file(store, write_jsonl(tmp_path / "b.jsonl", second))
        res = lineage_step.refresh(store)
        assert res["mode"] == "incremental"
        assert res["changed"] == len(second)
        assert res["affected"] < store.scalar("SELECT count(*) FROM models")
        tables = {
            "edges": "SELECT child, parent, relation, evidence, chosen FROM edges",
            "lineage": "SELECT id, root, depth, path FROM lineage",
            "cycles": "SELECT id FROM lineage_cycles",
            "origin": "SELECT * FROM model_origin",
        }
        inc = {k: sorted(map(repr, store.con.execute(v).fetchall())) for k, v in tables.items()}
        assert lineage_step.refresh(store, full=True)["mode"] == "full"
        full = {k: sorted(map(repr, store.con.execute(v).fetchall())) for k, v in tables.items()}
        # nothing changed: a third refresh does nothing
        assert lineage_step.refresh(store)["changed"] == 0
        roots = store.con.execute("SELECT root FROM lineage WHERE id = 'bob/llama-ft-lora'").fetchall()
    assert inc == full
    assert roots == [(QWEN,)]


def test_publisher_data_sources_and_disagreement(hand_db: Path) -> None:
    ai21 = q(hand_db, "SELECT country, region FROM publishers WHERE org = 'ai21labs'")
    assert ai21 == [("IL", "us")]
    srcs = q(hand_db, "SELECT attribute, value, used, note FROM publisher_sources WHERE org = 'ai21labs' "
                      "ORDER BY attribute, used DESC")
    assert srcs[0][:3] == ("country", "IL", True)
    assert {(a, v, u) for a, v, u, _ in srcs if a == "region"} == {("region", "us", True), ("region", "other", False)}
    assert all(n and "disagree" in n for a, _, _, n in srcs if a == "region")
    # every row states a source for what it claims
    assert q(hand_db, "SELECT count(*) FROM publishers WHERE (country IS NOT NULL AND country_source IS NULL) "
                      "OR (region IS NOT NULL AND region_source IS NULL) OR source IS NULL")[0][0] == 0
    # legacy namespaces share their organisation
    aliases = dict(q(hand_db, "SELECT org, organisation FROM publishers WHERE org IN "
                              "('facebook', 'meta-llama', 'THUDM', 'CohereForAI', 'mistral-community')"))
    assert aliases == {"facebook": "meta-llama", "meta-llama": "meta-llama", "THUDM": "zai-org",
                       "CohereForAI": "CohereLabs", "mistral-community": "mistralai"}


def test_store_with_draft_layout_is_brought_up_to_date(tmp_path: Path) -> None:
    """Stores made with the development draft of migration 0003 had `lineage`/`model_origin` as tables."""
    from openscope.jobs.ingest import ingest_file

    with open_store(tmp_path / "draft.duckdb") as store:
        con = store.con
        for stmt in ("DROP VIEW model_origin", "DROP VIEW lineage", "DROP TABLE lineage_paths",
                     "DROP TABLE lineage_origin",
                     "CREATE TABLE lineage (id VARCHAR, root VARCHAR, depth INTEGER, path VARCHAR[])",
                     "CREATE TABLE model_origin (id VARCHAR)"):
            con.execute(stmt)
        ingest_file(store, write_jsonl(tmp_path / "a.jsonl", hand_graph()))
        lineage_step.refresh(store)
        kinds = dict(con.execute("SELECT table_name, table_type FROM information_schema.tables "
                                 "WHERE table_name IN ('lineage', 'model_origin')").fetchall())
        assert kinds == {"lineage": "VIEW", "model_origin": "VIEW"}
        assert store.scalar("SELECT root_country FROM model_origin WHERE id = 'dave/qwen-llama-merge'") == "multiple"
        assert store.scalar("SELECT count(*) FROM lineage") == 15


def test_card_values_are_cleaned_and_non_ids_ignored(tmp_path: Path) -> None:
    from openscope.jobs.ingest import ingest_file

    entries = [
        entry(QWEN),
        entry("u/url-card", card={"base_model": " https://huggingface.co/qwen/qwen2.5-7b/ "}),
        entry("u/num-card", card={"base_model": 7}),
        entry("u/obj-card", card={"base_model": {"id": "x"}}),
        entry("u/self", ("base_model:finetune:U/SELF",)),
        # what cards write when they have no Hub base: placeholders, local paths, sentences, booleans
        entry("u/none-card", card={"base_model": "None"}),
        entry("u/path-card", card={"base_model": "./output/checkpoint-1000"}),
        entry("u/abs-path-card", card={"base_model": "/data/llama-7b"}),
        entry("u/sentence-card", card={"base_model": "Llama 2 7B, fine-tuned"}),
        entry("u/bool-card", card={"base_model": True}),
        # strings that only look like a JSON list (once crashed the whole refresh)
        entry("u/bracket-card", card={"base_model": "["}),
        entry("u/list-text-card", card={"base_model": f'["{QWEN}"]'}),
        # a list with one real id and a placeholder names one base: not a merge
        entry("u/list-card", card={"base_model": [QWEN, "N/A"]}),
    ]
    with open_store(tmp_path / "c.duckdb") as store:
        ingest_file(store, write_jsonl(tmp_path / "c.jsonl", entries))
        lineage_step.refresh(store)
        rows = store.con.execute("SELECT child, parent, relation, evidence, chosen FROM edges ORDER BY child").fetchall()
        roots = {r[0] for r in store.con.execute("SELECT DISTINCT root FROM lineage").fetchall()}
    assert rows == [("u/list-card", QWEN, "unknown", "card", True), ("u/url-card", QWEN, "unknown", "card", True)]
    assert not roots & {"None", "./output/checkpoint-1000", "/data/llama-7b", "true", "N/A"}  # no invented roots


def test_two_spellings_of_one_parent_make_one_pair(tmp_path: Path) -> None:
    """Tags naming the same parent in different cases are one (child, parent) pair once the parent takes
    the store's spelling: a bare tag adds nothing next to a declared relation, two relations both stay."""
    from openscope.jobs.ingest import ingest_file

    entries = [
        entry(QWEN),
        entry("v/bare-and-declared", (f"base_model:{QWEN.upper()}", f"base_model:finetune:{QWEN}")),
        entry("v/two-relations", (f"base_model:adapter:{QWEN.lower()}", f"base_model:quantized:{QWEN}")),
    ]
    with open_store(tmp_path / "s.duckdb") as store:
        ingest_file(store, write_jsonl(tmp_path / "s.jsonl", entries))
        lineage_step.refresh(store, full=True)
        rows = set(store.con.execute("SELECT child, parent, relation, evidence, chosen FROM edges").fetchall())
        paths = store.con.execute("SELECT id, root, depth FROM lineage_paths ORDER BY id").fetchall()
    assert rows == {
        ("v/bare-and-declared", QWEN, "finetune", "tag", True),
        ("v/two-relations", QWEN, "adapter", "tag", True),
        ("v/two-relations", QWEN, "quantized", "tag", False),
    }
    assert paths == [("v/bare-and-declared", QWEN, 1), ("v/two-relations", QWEN, 1)]
