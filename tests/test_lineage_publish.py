"""A full refresh computes into staging tables and swaps them in: failures keep the previous lineage."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from lineage_graphs import QWEN, entry, hand_graph, write_jsonl

from openscope.derive import lineage as lineage_step
from openscope.jobs.ingest import ingest_file
from openscope.store import Store, open_store

TABLES = {
    "edges": "SELECT child, parent, relation, evidence, chosen FROM edges",
    "paths": "SELECT id, root, depth, path FROM lineage_paths",
    "cycles": "SELECT cycle_id, id FROM lineage_cycles",
    "origin": "SELECT * FROM lineage_origin",
    "lineage": "SELECT * FROM lineage",
    "model_origin": "SELECT * FROM model_origin",
}


def contents(store: Store) -> dict[str, list[str]]:
    return {k: sorted(map(repr, store.con.execute(v).fetchall())) for k, v in TABLES.items()}


def staged_tables(store: Store) -> list[str]:
    return [r[0] for r in store.con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '%\\_\\_staged' ESCAPE '\\'"
    ).fetchall()]


@pytest.fixture()
def two_snapshots(tmp_path: Path) -> tuple[Path, Path]:
    """A store refreshed after a first snapshot, and a second snapshot that changes its lineage."""
    db = tmp_path / "pub.duckdb"
    graph = hand_graph()
    with open_store(db) as store:
        ingest_file(store, write_jsonl(tmp_path / "a.jsonl", graph))
        lineage_step.refresh(store, full=True)
    second = [entry("alice/llama-ft", (f"base_model:finetune:{QWEN}",), created="2024-06-01T00:00:00.000Z"),
              entry("zoe/new-ft", ("base_model:finetune:alice/llama-ft",))]
    return db, write_jsonl(tmp_path / "b.jsonl", second)


def _refresh_fails_and_keeps_lineage(store: Store, conflict: str) -> dict:
    """Run a full refresh while another connection's open transaction makes ``conflict``; it must fail and
    leave the stored lineage (returned) exactly as it was, with no staging table behind."""
    before = contents(store)
    other = store.con.cursor()
    other.execute("BEGIN TRANSACTION")
    other.execute(conflict)
    with pytest.raises(duckdb.Error):
        lineage_step.refresh(store, full=True)
    other.execute("ROLLBACK")
    assert contents(store) == before
    assert staged_tables(store) == []
    return before


def test_failure_while_computing_keeps_previous_lineage(two_snapshots: tuple[Path, Path]) -> None:
    db, second = two_snapshots
    with open_store(db) as store:
        ingest_file(store, second)
        # Another connection holds an uncommitted table under a staging name: creating that staging table
        # conflicts, after the first staging table was made, so the refresh fails mid-way.
        before = _refresh_fails_and_keeps_lineage(store, "CREATE TABLE lineage_paths__staged (x INTEGER)")
        # the next refresh recomputes and takes the new snapshot in
        lineage_step.refresh(store, full=True)
        after = contents(store)
    assert after != before
    assert any("zoe/new-ft" in row for row in after["paths"])


def test_failure_while_publishing_keeps_previous_lineage(two_snapshots: tuple[Path, Path]) -> None:
    db, second = two_snapshots
    with open_store(db) as store:
        ingest_file(store, second)
        # An uncommitted change to the last table swapped: dropping it conflicts, after the other three
        # were swapped in the same transaction.
        _refresh_fails_and_keeps_lineage(store, "COMMENT ON TABLE lineage_origin IS 'busy'")
        state = dict(store.con.execute("SELECT key, value FROM lineage_state").fetchall())
        assert lineage_step.refresh(store)["mode"] == "incremental"
    assert state["models_snapshot"] is not None


def test_leftover_staging_tables_of_a_killed_run_are_replaced(two_snapshots: tuple[Path, Path]) -> None:
    db, _ = two_snapshots
    with open_store(db) as store:
        before = contents(store)
        # what a run killed while computing leaves behind: committed, half-filled staging tables
        store.con.execute("CREATE TABLE edges__staged AS SELECT * FROM edges LIMIT 3")
        store.con.execute("CREATE TABLE lineage_origin__staged (junk VARCHAR)")
        lineage_step.refresh(store, full=True)
        assert staged_tables(store) == []
        assert contents(store) == before


def test_an_indexed_table_keeps_its_index(two_snapshots: tuple[Path, Path]) -> None:
    db, second = two_snapshots
    with open_store(db) as store:
        store.con.execute("CREATE INDEX edges_child_idx ON edges (child)")
        ingest_file(store, second)
        lineage_step.refresh(store, full=True)
        indexes = [r[0] for r in store.con.execute(
            "SELECT index_name FROM duckdb_indexes() WHERE table_name = 'edges'").fetchall()]
        rows = store.con.execute("SELECT parent FROM edges WHERE child = 'zoe/new-ft' AND chosen").fetchall()
        constraints = store.con.execute(
            "SELECT count(*) FROM duckdb_constraints() WHERE table_name = 'edges' AND constraint_type = 'NOT NULL'"
        ).fetchone()[0]
    assert indexes == ["edges_child_idx"]
    assert rows == [("alice/llama-ft",)]
    assert constraints == 5
