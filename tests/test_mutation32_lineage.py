"""Lineage's Python: behaviour that the seventh mutation round (thirty-second session) showed no test asserted.

mutmut 3 over ``derive/lineage/{edges,graph,origin,publishers,canonical}.py``; docs/reviews.md, "Mutation testing,
seventh round", lists the mutants each test kills. Every expectation is a rule of docs/lineage.md; the stores are
built by the real ingest and the real refresh and read back through the contract's tables.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from lineage_graphs import entry, ingest_refresh, write_jsonl

from openscope.derive import lineage as lineage_step
from openscope.derive.lineage.edges import _clean, declared_id
from openscope.jobs.ingest import ingest_file
from openscope.store import open_store

OUT = ("edges", "lineage_paths", "lineage_cycles", "lineage_origin")


_ingest = ingest_refresh


def _tables(db: Path) -> dict[str, list[tuple]]:
    with open_store(db, read_only=True, create=False) as s:
        return {t: sorted(s.con.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in OUT}


def _chosen(db: Path) -> list[tuple[str, str]]:
    with open_store(db, read_only=True, create=False) as s:
        return s.con.execute("SELECT child, parent FROM edges WHERE chosen ORDER BY 1, 2").fetchall()


# -- declared ids: the Python twin of the SQL cleaning -------------------------------------------------------------

@pytest.mark.parametrize(("value", "want"), [
    # spaces around, trailing slashes: only those go (an id may start or end with any letter)
    (" Xenova/tiny-X/", "Xenova/tiny-X"),
    ("Xenova/tiny-X/", "Xenova/tiny-X"),
    # an address without a page: the path after the host, whatever letters start or end it
    ("hf.co/Xenova/tiny-X", "Xenova/tiny-X"),
    # the host ends at its own ".co", not at one in the name
    ("https://huggingface.co/org/name.cool", "org/name.cool"),
    # the query and the fragment end the id at their first mark
    ("hf.co/org/name?a=1?b=2", "org/name"),
    ("hf.co/org/name#a#b", "org/name"),
])
def test_a_declared_value_names_the_same_id_in_python_and_in_sql(value: str, want: str) -> None:
    """docs/lineage.md, "Ids": the card reading of the openness side (``declared_id``) and the edges' SQL read a
    declared value alike (mutmut ``declared_id`` 14, 20, 28, 39, 44, 47, 54)."""
    con = duckdb.connect()
    try:
        sql = con.execute(f"SELECT {_clean('x')} FROM (SELECT ?::VARCHAR AS x)", [value]).fetchone()
    finally:
        con.close()
    assert sql == (want,)
    assert declared_id(value) == want


# -- the incremental refresh of a store whose re-spelled set is not complete ---------------------------------------

def test_an_external_node_renamed_by_a_child_leaving_it_in_an_upgraded_store(tmp_path: Path) -> None:
    """A store upgraded to migration 0012 has no complete ``lineage_respelled`` set. When a child stops declaring an
    external base and the node's spelling changes with it (two of three children spelled it ``ext/thing``, now one
    of two: the tie goes to the smallest, ``EXT/THING``), the incremental refresh must re-read the node's other
    children though the set cannot say the node was re-spelled: it equals a full refresh (mutmut ``_siblings`` 6,
    7, 9)."""
    inc, full = tmp_path / "inc.duckdb", tmp_path / "full.duckdb"
    first = [entry("c/low1", ("base_model:finetune:ext/thing",)), entry("c/low2", ("base_model:finetune:ext/thing",)),
             entry("c/up", ("base_model:finetune:EXT/THING",))]
    _ingest(inc, first, "first", full=True)
    assert {p for _, p in _chosen(inc)} == {"ext/thing"}
    with open_store(inc) as store:  # as migration 0012 leaves a store: the set empty, not complete
        store.con.execute("DELETE FROM lineage_respelled")
        store.con.execute("DELETE FROM lineage_state WHERE key = 'respelled'")
    shutil.copy(inc, full)
    later = [entry("c/low1", created="2024-06-01T00:00:00.000Z")]
    assert _ingest(inc, later, "later", full=False)["mode"] == "incremental"  # type: ignore[index]
    _ingest(full, later, "later", full=True)
    assert _chosen(inc) == [("c/low2", "EXT/THING"), ("c/up", "EXT/THING")]
    assert _tables(inc) == _tables(full)


# -- inference: a card's tags in capitals ----------------------------------------------------------------------------

QWEN = "Qwen/Qwen2.5-7B"


@pytest.mark.parametrize(("tag", "relation"), [("GGUF", "quantized"), ("MERGEKIT", "merge"), ("PEFT", "adapter")])
def test_a_relation_tag_in_capitals_tells_the_relation(tmp_path: Path, tag: str, relation: str) -> None:
    """docs/lineage.md, "Inference": the `gguf`, `mergekit` and `peft` tags tell an undeclared relation; a card's own
    `tags:` reach the Hub's tag list as the card writes them, so their capitals count too (edges.py lists both
    spellings; mutmut ``_infer`` 6, 11, 16)."""
    db = tmp_path / "s.duckdb"
    _ingest(db, [entry(QWEN), entry("c/x", (f"base_model:{QWEN}", tag))], "s", full=True)
    with open_store(db, read_only=True, create=False) as s:
        got = s.con.execute("SELECT parent, relation, evidence FROM edges WHERE child = 'c/x' AND chosen").fetchall()
    assert got == [(QWEN, relation, "inferred")]


# -- what a refresh says it wrote ------------------------------------------------------------------------------------

def test_a_refresh_reports_the_rows_it_wrote(tmp_path: Path) -> None:
    """``lineage.refresh`` returns ``edges``, ``lineage_rows`` and ``cycle_members``: the rows the full refresh wrote
    (every row of the tables), and those the incremental one rewrote for the changed models and their descendants
    (mutmut: ``extract`` 65, 66; ``graph.full`` 30, 31, 33; ``graph.compute`` 35, 66, 67, 69; ``_cycles`` 20, 34)."""
    db = tmp_path / "s.duckdb"
    first = [entry(QWEN), entry("a/ft", (f"base_model:{QWEN}", "gguf")),  # a bare tag: its edge and an inferred one
             entry("a/ft2", ("base_model:finetune:a/ft",)), entry("a/ft3", ("base_model:finetune:a/ft2",)),
             entry("x/a", ("base_model:finetune:x/b",)), entry("x/b", ("base_model:finetune:x/a",))]
    res = _ingest(db, first, "first", full=True)

    def count(sql: str) -> int:
        with open_store(db, read_only=True, create=False) as s:
            return s.con.execute(sql).fetchone()[0]  # type: ignore[index]  # an aggregate always yields one row

    assert (count("SELECT count(*) FROM edges"), count("SELECT count(*) FROM lineage_paths"),
            count("SELECT count(*) FROM lineage_cycles")) == (6, 3, 2)
    assert res is not None and (res["edges"], res["lineage_rows"], res["cycle_members"]) == (6, 3, 2)
    # a/ft2 now also names Qwen (a merge, inferred): its edges are rewritten, and the rows of it and of a/ft3; a new
    # rootless cycle adds its two members
    later = [entry("a/ft2", ("base_model:finetune:a/ft", f"base_model:{QWEN}"), created="2024-06-01T00:00:00.000Z"),
             entry("y/a", ("base_model:finetune:y/b",), created="2024-06-01T00:00:00.000Z"),
             entry("y/b", ("base_model:finetune:y/a",), created="2024-06-01T00:00:00.000Z")]
    res = _ingest(db, later, "later", full=False)
    assert res is not None and res["mode"] == "incremental"
    assert count("SELECT count(*) FROM edges WHERE child IN ('a/ft2', 'y/a', 'y/b')") == 5
    assert count("SELECT count(*) FROM lineage_paths WHERE id IN ('a/ft2', 'a/ft3')") == 2
    assert (res["edges"], res["lineage_rows"], res["cycle_members"]) == (5, 2, 2)
    # a change that reaches no cycle: no member
    res = _ingest(db, [entry("a/ft4", ("base_model:finetune:a/ft3",), created="2024-07-01T00:00:00.000Z")], "third",
                  full=False)
    assert res is not None and (res["edges"], res["lineage_rows"], res["cycle_members"]) == (1, 1, 0)


# -- a deleted base's spelling (edges._deleted_fix, edge rules version 3) --------------------------------------------

def test_a_live_id_wins_over_a_deleted_one_equal_to_it_up_to_case(tmp_path: Path) -> None:
    """docs/lineage.md, "Ids" and *Models deleted from the Hub*: a parent equal to a live store id up to case is that
    model, as the Hub resolves it, even where a deleted store id is spelled exactly so (a repository deleted, and one
    created later under another case); only a parent that no live id matches takes a deleted id's spelling. The
    networkx baseline computes the same (hand mutants D2, D3 of the round's notes: ``_deleted_fix`` without its test
    of ``_edge_fix``, without its test of the live ids)."""
    from bench.nx_full import networkx_full

    db = tmp_path / "s.duckdb"
    graph = [entry("Old/Name"), entry("OLD/NAME"), entry("Del/Base"),
             entry("c/1", ("base_model:finetune:DEL/BASE",)),
             entry("c/3", ("base_model:finetune:OLD/NAME",)), entry("c/4", ("base_model:finetune:old/name",)),
             entry("c/5", ("base_model:finetune:Old/Name",))]
    _ingest(db, graph, "s")
    with open_store(db) as store:
        store.con.execute("UPDATE models SET deleted_at = TIMESTAMP '2024-07-01' WHERE id IN ('Old/Name', 'Del/Base')")
        lineage_step.refresh(store, full=True)
    assert _chosen(db) == [("c/1", "Del/Base"), ("c/3", "OLD/NAME"), ("c/4", "OLD/NAME"), ("c/5", "OLD/NAME")]
    res = networkx_full(db, cap_s=120)
    assert all(res["tables_equal"].values()), res["differing_rows"]


# -- the refresh's scratch tables ----------------------------------------------------------------------------------

def test_a_refresh_leaves_no_scratch_table_in_the_connection(tmp_path: Path) -> None:
    """Every step drops the temporary tables it made (the per-path rows of the origins, ``_dl``, are as large as
    ``lineage_paths``: on a store of millions a leftover holds that memory as long as the connection lives), after a
    full refresh and after an incremental one, on a graph with merges, a rootless cycle and an external base
    (mutmut: the ``DROP TABLE IF EXISTS`` names of ``origin.compute`` 47, 49, 51, 53, 55, ``origin.full`` 30, 32,
    ``graph.full`` 59, 61, 63, ``graph.compute`` 90, 92, 94)."""
    from lineage_graphs import hand_graph

    db = tmp_path / "s.duckdb"
    temp = "SELECT table_name FROM duckdb_tables() WHERE temporary ORDER BY 1"
    with open_store(db) as store:
        ingest_file(store, write_jsonl(tmp_path / "a.jsonl", hand_graph()))
        assert lineage_step.refresh(store, full=True)["mode"] == "full"
        assert store.con.execute(temp).fetchall() == []
        ingest_file(store, write_jsonl(tmp_path / "b.jsonl", [
            entry("z/new", ("base_model:merge:x/a", "base_model:merge:alice/llama-ft"),
                  created="2024-06-01T00:00:00.000Z")]))
        assert lineage_step.refresh(store)["mode"] == "incremental"
        assert store.con.execute(temp).fetchall() == []
