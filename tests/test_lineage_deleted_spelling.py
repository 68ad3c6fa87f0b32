"""A base deleted from the Hub keeps its stored spelling, whatever case its derivatives declare it in
(derive/lineage/edges.py ``_deleted_fix``; docs/lineage.md, *Models deleted from the Hub, and renamed ones*).

While the base lived, a child declaring ``DEL/BASE`` was matched to the stored ``Del/Base`` as the Hub matches ids;
once a full crawl found it gone, its children's spellings were folded like an external base's, so the node became
``DEL/BASE`` (the most declared spelling): ``lineage`` showed it "created unknown", without its deletion date, and
``model`` of a child did not say its base was deleted (found by the sixth mutation round, thirty-first session).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from lineage_graphs import entry, write_jsonl

from bench.nx_full import networkx_full
from openscope import derive
from openscope.derive.lineage import edges as edges_mod
from openscope.jobs.ingest import ingest_file
from openscope.store import open_store

GONE = "2024-07-01"
GRAPH = [
    entry("Del/Base", downloads=5),
    entry("c/tag", ("base_model:finetune:DEL/BASE",), downloads=3),
    entry("c/tag2", ("base_model:quantized:DEL/BASE",), downloads=2),
    entry("c/card", card={"base_model": "del/base"}),
    entry("c/exact", ("base_model:finetune:Del/Base",)),
    # an external base declared in two spellings is still folded by its children's count
    entry("e/1", ("base_model:finetune:Ext/Thing",)), entry("e/2", ("base_model:finetune:Ext/Thing",)),
    entry("e/3", ("base_model:finetune:EXT/THING",)),
]
OUT = ["edges", "lineage_paths", "lineage_cycles", "lineage_origin"]


def _build(path: Path, deleted: bool) -> None:
    with open_store(path) as s:
        ingest_file(s, write_jsonl(path.with_suffix(".jsonl"), GRAPH))
        if deleted:
            s.con.execute(f"UPDATE models SET deleted_at = TIMESTAMP '{GONE}' WHERE id = 'Del/Base'")
        derive.refresh(s, only=["lineage"])


def _tables(path: Path) -> dict[str, list[tuple]]:
    with open_store(path, read_only=True, create=False) as s:
        return {t: sorted(s.con.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in OUT}


def test_every_spelling_of_a_deleted_base_is_its_stored_id(tmp_path: Path, cli) -> None:
    db = tmp_path / "s.duckdb"
    _build(db, deleted=True)
    with open_store(db, read_only=True, create=False) as s:
        parents = dict(s.con.execute("SELECT child, parent FROM edges WHERE chosen").fetchall())
        roots = dict(s.con.execute("SELECT id, root FROM lineage_paths").fetchall())
    assert {c: parents[c] for c in ("c/tag", "c/tag2", "c/card", "c/exact")} == dict.fromkeys(
        ("c/tag", "c/tag2", "c/card", "c/exact"), "Del/Base")
    assert roots["c/tag"] == roots["c/card"] == "Del/Base"
    # the external base is unchanged: spelled as most of its children declare it
    assert parents["e/3"] == parents["e/1"] == "Ext/Thing"
    r = cli("--db", db, "lineage", "DEL/BASE", "--down", "--json")
    assert r.code == 0, r.stderr
    node = r.json()["nodes"][0]
    assert node["id"] == "Del/Base" and str(node["deleted_at"]).startswith(GONE) and node["in_store"] is False
    assert "deleted from the Hub" in cli("--db", db, "lineage", "del/base", "--down").stdout
    doc = cli("--db", db, "model", "c/tag", "--json").json()
    assert [(p["id"], p["deleted"]) for p in doc["lineage"]["parents"]] == [("Del/Base", True)]
    # the networkx baseline of the benchmark computes the same tables under the same rule
    res = networkx_full(db, cap_s=120)
    assert all(res["tables_equal"].values()), res["differing_rows"]


def test_an_incremental_refresh_after_the_deletion_equals_a_full_one(tmp_path: Path) -> None:
    inc, full = tmp_path / "inc.duckdb", tmp_path / "full.duckdb"
    _build(inc, deleted=False)
    with open_store(inc, read_only=True, create=False) as s:  # alive: matched up to case, as the Hub matches
        assert set(s.con.execute("SELECT DISTINCT parent FROM edges WHERE child LIKE 'c/%'").fetchall()) == {
            ("Del/Base",)}
    shutil.copy(inc, full)
    for path, whole in ((inc, False), (full, True)):
        with open_store(path) as s:
            s.con.execute(f"UPDATE models SET deleted_at = TIMESTAMP '{GONE}' WHERE id = 'Del/Base'")
            res = derive.lineage.refresh(s, full=whole)
            assert res["mode"] == ("full" if whole else "incremental")
    assert _tables(inc) == _tables(full)


def test_a_move_still_wins_over_the_old_id_s_deleted_row(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    with open_store(db) as s:
        ingest_file(s, write_jsonl(tmp_path / "m.jsonl", [
            entry("Old/X"), entry("New/X"), entry("k/1", ("base_model:finetune:OLD/X",))]))
        s.con.execute(f"UPDATE models SET deleted_at = TIMESTAMP '{GONE}' WHERE id = 'Old/X'")
        s.con.execute("INSERT INTO moves VALUES ('model', 'Old/X', 'New/X', 1, now())")
        derive.lineage.refresh(s, full=True)
        assert s.con.execute("SELECT parent FROM edges WHERE child = 'k/1'").fetchall() == [("New/X",)]


def test_the_rule_change_recomputes_a_store_written_before_it(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    _build(db, deleted=True)
    with open_store(db) as s:  # as the previous rules left it: the children's spelling
        s.con.execute("UPDATE edges SET parent = 'DEL/BASE' WHERE parent = 'Del/Base'")
        s.con.execute("UPDATE lineage_state SET value = '2' WHERE key = 'edge_rules'")
        res = derive.lineage.refresh(s)
        assert res["reason"] == f"edge rules changed (version 2 → {edges_mod.RULES_VERSION})"
        assert s.con.execute("SELECT DISTINCT parent FROM edges WHERE child LIKE 'c/%'").fetchall() == [("Del/Base",)]
