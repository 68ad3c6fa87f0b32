"""Lineage's graph walk and publishers table: behaviour that the eighth mutation round (thirty-third session) showed
no test asserted.

mutmut 3 over ``derive/lineage/{graph,publishers,canonical}.py``, ``edges._infer`` and ``origin.ensure_view``;
docs/reviews.md, "Mutation testing, eighth round", lists the mutants each test kills. Every expectation is a rule of
docs/lineage.md; the stores are built by the real ingest and the real refresh and read back through the contract's
tables.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from lineage_graphs import entry, ingest_refresh

from openscope.derive import lineage as lineage_step
from openscope.store import open_store

LATER = "2024-06-01T00:00:00.000Z"


_ingest = ingest_refresh


def _rows(db: Path, sql: str) -> list[tuple]:
    with open_store(db, read_only=True, create=False) as s:
        return s.con.execute(sql).fetchall()


def _paths(db: Path) -> list[tuple]:
    return _rows(db, "SELECT id, root, depth, path FROM lineage_paths ORDER BY id, root")


def _both(tmp_path: Path, first: list[dict], later: list[dict]) -> tuple[Path, Path]:
    """A store refreshed in full after ``first``, then given ``later`` and refreshed incrementally (``inc``), and
    its copy refreshed in full after the same ``later`` (``full``)."""
    inc, full = tmp_path / "inc.duckdb", tmp_path / "full.duckdb"
    _ingest(inc, first, "first", full=True)
    shutil.copy(inc, full)
    assert _ingest(inc, later, "later", full=False)["mode"] == "incremental"  # type: ignore[index]
    _ingest(full, later, "later", full=True)
    return inc, full


# -- the incremental walk: a seed beside a root ----------------------------------------------------------------------

def test_an_incremental_walk_keeps_the_shortest_path_beside_a_seed(tmp_path: Path) -> None:
    """docs/lineage.md: ``depth`` is the shortest distance to the root and ``path`` its models. A changed model built
    on a root and on a model of that root outside the change (a *seed*: its rows are kept and extend the walk at
    their own depth) is one step from the root, not two through the seed, though the seed's id sorts before the
    root's (of equally short paths the one through the smallest parent wins; a longer one never does). The
    incremental walk adds each seed at its own level; started a level late, the roots and the depth-1 seeds met in
    one level and the path through the seed was taken (mutmut ``graph.compute`` 33)."""
    root, mid = "r/z-root", "m/a-mid"
    first = [entry(root), entry(mid, (f"base_model:finetune:{root}",)),
             entry("c/x", (f"base_model:merge:{root}", f"base_model:merge:{mid}"))]
    later = [entry("c/x", (f"base_model:merge:{root}", f"base_model:merge:{mid}"), created=LATER)]
    inc, full = _both(tmp_path, first, later)
    want = [("c/x", root, 1, ["c/x", root]), (mid, root, 1, [mid, root])]
    assert _paths(full) == want
    assert _paths(inc) == want


# -- two deleted ids equal up to case (edges._deleted_fix) ----------------------------------------------------------

def _deleted_pair(tmp_path: Path, declared: list[str]) -> Path:
    """A store holding ``Del/Base`` and ``del/base`` (a repository deleted, and one created later under another
    case, deleted in turn), each child declaring one spelling, refreshed in full after both deletions."""
    tmp_path.mkdir()
    db = tmp_path / "s.duckdb"
    graph = [entry("Del/Base"), entry("del/base")]
    graph += [entry(f"c/{i}", (f"base_model:finetune:{p}",)) for i, p in enumerate(declared)]
    _ingest(db, graph, "s")
    with open_store(db) as store:
        store.con.execute("UPDATE models SET deleted_at = TIMESTAMP '2024-07-01' WHERE id IN ('Del/Base', 'del/base')")
        lineage_step.refresh(store, full=True)
    return db


def test_two_deleted_ids_equal_up_to_case_are_one_node_spelled_as_stored(tmp_path: Path) -> None:
    """docs/lineage.md, *Models deleted from the Hub*: a deleted model is a node as an external base is, one per id up
    to case (the Hub matches ids so: one spelling names one repository at a time, and a child's spelling cannot say
    which of the two it meant), named by the *stored* spelling most children declare, a spelling matching neither
    counted for the smallest, ties to the smallest. So the node shows a stored model's creation and deletion. The
    networkx baseline computes the same. The seventh round's open question (its hand mutants D1: an exact deleted id
    also re-spelled, and D4: ``max`` for ``min``), settled as the code answers it."""
    from bench.nx_full import networkx_full

    # two children for each stored spelling once DEL/BASE counts for the smallest: the tie goes to Del/Base (D4)
    db = _deleted_pair(tmp_path / "a", ["Del/Base", "del/base", "del/base", "DEL/BASE"])
    assert {p for _, p in _rows(db, "SELECT child, parent FROM edges WHERE chosen")} == {"Del/Base"}
    res = networkx_full(db, cap_s=120)
    assert all(res["tables_equal"].values()), res["differing_rows"]
    # most children declare del/base exactly: the node is del/base, every child on it (D1)
    db = _deleted_pair(tmp_path / "b", ["Del/Base", "del/base", "del/base", "del/base", "DEL/BASE"])
    assert {p for _, p in _rows(db, "SELECT child, parent FROM edges WHERE chosen")} == {"del/base"}
    assert _rows(db, "SELECT root, count(*) FROM lineage_paths GROUP BY root") == [("del/base", 5)]


# -- the model_origin view, redefined when stale ---------------------------------------------------------------------

def test_the_view_check_says_whether_it_redefined_the_view(tmp_path: Path) -> None:
    """``origin.ensure_view(if_stale=True)`` (every open for writing) returns whether it redefined ``model_origin``:
    True for a view of the older definition (migration 0003's, namespace only), which it makes current, then False
    (mutmut ``ensure_view`` 8: True returned as False)."""
    from importlib import resources

    from openscope.derive.lineage.origin import ensure_view

    sql = (resources.files("openscope.store.migrations") / "0003_lineage.sql").read_text(encoding="utf-8")
    body = sql[sql.index("CREATE VIEW model_origin AS"):]
    older = body[:body.index(";")].replace("CREATE VIEW", "CREATE OR REPLACE VIEW", 1)
    with open_store(tmp_path / "s.duckdb") as store:
        store.con.execute(older)
        assert ensure_view(store, if_stale=True) is True
        assert ensure_view(store, if_stale=True) is False
