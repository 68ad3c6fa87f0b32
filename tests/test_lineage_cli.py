"""`openscope lineage` and `openscope model`: JSON shapes, trees, summaries, unknown ids, read-only."""

from __future__ import annotations

from pathlib import Path

import pytest
from lineage_graphs import LLAMA, QWEN, entry, hand_graph, write_jsonl


@pytest.fixture(scope="module")
def store_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from openscope.cli import main

    d = tmp_path_factory.mktemp("cli")
    # the hand graph plus a wide fan-out under Qwen with a spread of downloads
    fan = [entry(f"fan{i:03d}/q-ft", (f"base_model:finetune:{QWEN}",), downloads=i * 10) for i in range(120)]
    fan += [entry(f"fan{i:03d}/q-ft-GGUF", ("gguf", f"base_model:quantized:fan{i:03d}/q-ft"), downloads=1)
            for i in range(0, 120, 4)]
    src = write_jsonl(d / "g.jsonl", hand_graph() + fan)
    db = d / "g.duckdb"
    assert main(["--db", str(db), "--quiet", "ingest", str(src)]) == 0
    return db


def test_lineage_up_json_contract(cli, store_db: Path) -> None:
    r = cli("--db", store_db, "lineage", "BOB/LLAMA-FT-LORA", "--json")
    assert r.code == 0, r.stderr
    doc = r.json()
    assert set(doc) >= {"id", "direction", "nodes", "edges", "truncated", "summary"}
    assert doc["id"] == "bob/llama-ft-lora" and doc["direction"] == "up" and doc["truncated"] is False
    keys = {"id", "relation", "depth", "publisher", "country", "region", "created_at", "downloads_30d"}
    assert all(keys <= set(n) for n in doc["nodes"])
    by_id = {n["id"]: n for n in doc["nodes"]}
    assert by_id[LLAMA]["depth"] == 2 and by_id[LLAMA]["country"] == "US" and by_id[LLAMA]["region"] == "us"
    assert by_id["alice/llama-ft"]["relation"] == "adapter"
    assert by_id[LLAMA]["downloads_30d"] == 1000
    assert {(e["child"], e["parent"], e["relation"], e["evidence"], e["chosen"]) for e in doc["edges"]} == {
        ("bob/llama-ft-lora", "alice/llama-ft", "adapter", "inferred", True),
        ("bob/llama-ft-lora", "alice/llama-ft", "unknown", "card", False),
        ("alice/llama-ft", LLAMA, "finetune", "tag", True),
    }
    assert doc["summary"]["roots"] == [LLAMA]


def test_lineage_down_summarises_beyond_limit(cli, store_db: Path) -> None:
    r = cli("--db", store_db, "lineage", QWEN, "--down", "--limit", "5", "--json")
    doc = r.json()
    sm = doc["summary"]
    # hand graph: dave, erin, frank, i/bm-only under Qwen; plus 120 finetunes and 30 quantizations
    assert sm["total"] == 4 + 120 + 30
    assert doc["truncated"] is True and len(doc["nodes"]) == 6
    assert sm["by_relation"] == {"finetune": 122, "quantized": 31, "merge": 1}
    assert sm["by_depth"] == {"1": 124, "2": 30}
    # the most-downloaded children are the ones named
    assert [n["id"] for n in doc["nodes"][1:]] == [f"fan{i:03d}/q-ft" for i in (119, 118, 117, 116, 115)]
    text = cli("--db", store_db, "lineage", QWEN, "--down", "--limit", "5")
    assert text.code == 0 and "fan119/q-ft" in text.stdout and "154 descendants" in text.stdout
    assert "most-downloaded of 154" in text.stdout


def test_lineage_filters(cli, store_db: Path) -> None:
    doc = cli("--db", store_db, "lineage", QWEN, "--down", "--relation", "quantized", "--json").json()
    assert doc["summary"]["total"] == 1 and doc["nodes"][1]["id"] == "i/bm-only"
    doc = cli("--db", store_db, "lineage", QWEN, "--down", "--depth", "1", "--json").json()
    assert doc["summary"]["by_depth"] == {"1": 124}
    # an external base answers too
    doc = cli("--db", store_db, "lineage", "mistralai/mistral-7b-v0.1", "--down", "--json").json()
    assert doc["summary"]["in_store"] is False and doc["summary"]["total"] == 1


def test_model_overview_json(cli, store_db: Path) -> None:
    doc = cli("--db", store_db, "model", "dave/qwen-llama-merge", "--json").json()
    assert set(doc) >= {"id", "metadata", "counters", "lineage", "publisher", "root_countries", "licenses"}
    assert set(doc["lineage"]) >= {"roots", "depth", "parents", "children_by_relation"}
    assert doc["root_countries"] == ["CN", "US"] and doc["root_country"] == "multiple"
    assert {p["id"] for p in doc["lineage"]["parents"]} == {LLAMA, QWEN}
    assert doc["lineage"]["depth"] == 1
    q = cli("--db", store_db, "model", "qwen/qwen2.5-7b", "--json").json()
    assert q["id"] == QWEN and q["publisher"]["country"] == "CN"
    assert q["lineage"]["children_by_relation"] == {"finetune": 122, "merge": 1, "quantized": 1}
    assert q["counters"]["downloads_30d"] == 2000 and len(q["counters"]["history"]) == 1
    screen = cli("--db", store_db, "model", "x/a")
    assert screen.code == 0 and "cycle" in screen.stdout


def test_unknown_id_exits_66_with_suggestions(cli, store_db: Path) -> None:
    for cmd in ("lineage", "model"):
        r = cli("--db", store_db, cmd, "alice/llama-fr")
        assert r.code == 66
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and "unknown model 'alice/llama-fr'; did you mean alice/llama-ft" in lines[0]


def test_bad_options_and_missing_store(cli, store_db: Path, tmp_path: Path) -> None:
    assert cli("--db", store_db, "lineage", QWEN, "--up", "--down").code == 64
    assert cli("--db", store_db, "lineage", QWEN, "--relation", "bogus").code == 64
    missing = tmp_path / "none.duckdb"
    r = cli("--db", missing, "lineage", QWEN)
    assert r.code == 66 and not missing.exists()
    assert cli("--db", missing, "model", QWEN).code == 66 and not missing.exists()


def test_by_root_country(cli, store_db: Path) -> None:
    doc = cli("--db", store_db, "lineage", "--by-root-country", "--json").json()
    rows = {r["country"]: r["derivatives"] for r in doc["rows"]}
    assert rows["CN"] == 3 + 150 and rows["multiple"] == 1 and rows["US"] == 5
    assert sum(r["share"] for r in doc["rows"]) == pytest.approx(1.0)
    assert doc["total"] == sum(rows.values())


def test_tree_without_edges_is_the_same_answer(store_db: Path) -> None:
    """The text view asks for no edges (it draws the tree from the nodes' relation and `via`): everything
    else in the document is the same as with them."""
    from openscope.derive.lineage.queries import tree
    from openscope.store import open_store

    with open_store(store_db, read_only=True) as store:
        for direction, start in (("up", "bob/llama-ft-lora"), ("down", QWEN)):
            full = tree(store, start, direction=direction, limit=5)
            lean = tree(store, start, direction=direction, limit=5, edges=False)
            assert full["edges"] and lean["edges"] == []
            assert {k: v for k, v in full.items() if k != "edges"} == {k: v for k, v in lean.items() if k != "edges"}
