"""`lineage --down`'s cheaper statements give what the statements they replaced gave.

Why: the downloads of the walk are now grouped by the walk's row number, the summary is added up from one
grouped statement, and the descendants of a root at depth 1 are read without their paths (twenty-second
session, docs/reviews.md). Each is compared here with the statement it replaced, kept below as the reference,
on a graph where they could part: two snapshots (the latest reading missing for one model, older readings for
others), publishers of known and unknown country, a chain deeper than nine levels (``10`` sorts before ``2`` as
text), equal counts (ties broken by the key's text), a merge and a model of no namespace.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lineage_graphs import entry, write_jsonl

from openscope.derive import lineage as lineage_step
from openscope.derive.lineage.publishers import publisher_expr
from openscope.derive.lineage.queries import MAX_DEPTH, _summary, _walk, _with_downloads, tree
from openscope.jobs.ingest import ingest_file
from openscope.store import Store, open_store

BASE = "Qwen/base"


def _graph() -> dict[str, list[str]]:
    """model -> declared parents."""
    g: dict[str, list[str]] = {BASE: []}
    chain = BASE
    for i in range(12):  # a chain of 12 levels: depths 1..12 as text sort 1, 10, 11, 12, 2, ...
        node = f"deep-{i}/c{i}"
        g[node] = [chain]
        chain = node
    for i in range(3):  # three more at depth 1, under three namespaces of known country
        g[f"meta-llama/ft{i}"] = [BASE]
        g[f"google/ft{i}"] = [BASE]
    g["Qwen/q1"] = [BASE]
    g["nonamespace"] = [BASE]  # a legacy id: no namespace, no publisher
    g["mixer/merge"] = ["meta-llama/ft0", "google/ft0"]  # a merge at depth 2
    return g


def _tags(node: str, parents: list[str]) -> tuple[str, ...]:
    rel = "merge" if len(parents) > 1 else ("quantized" if node.endswith(("1", "3")) else "finetune")
    return tuple(t for p in parents for t in (f"base_model:{p}", f"base_model:{rel}:{p}"))


def _store(tmp: Path) -> Store:
    g = _graph()
    first = [entry(n, _tags(n, ps), downloads=10 * (i % 5)) for i, (n, ps) in enumerate(g.items())]
    store = open_store(tmp / "s.duckdb")
    ingest_file(store, write_jsonl(tmp / "a.jsonl", first))
    # a second snapshot reads new counters for some models; one of them is read without its downloads
    second = []
    for i, (n, ps) in enumerate(g.items()):
        if i % 3 == 0 or n == "google/ft1":
            e = entry(n, _tags(n, ps), downloads=1000 + i)
            if n == "google/ft1":
                e["downloads"] = None
            second.append(e)
    ingest_file(store, write_jsonl(tmp / "b.jsonl", second))
    lineage_step.refresh(store, full=True)
    return store


def _reference_downloads(store: Store) -> None:
    """The statement ``_with_downloads`` replaced (grouped by id)."""
    store.con.execute("DROP TABLE IF EXISTS _walk_d")
    store.con.execute(
        """CREATE TEMP TABLE _walk_d AS
           SELECT w.*, s.d30 FROM _walk w LEFT JOIN (
               SELECT id, arg_max_null(downloads_30d, snapshot_id) AS d30 FROM model_stats
               WHERE id IN (SELECT id FROM _walk) GROUP BY id) s USING (id)""")


def _reference_summary(store: Store, total: int) -> dict[str, Any]:
    """The five statements ``_summary`` replaced, over a joined copy of the walk."""
    con = store.con
    con.execute("DROP TABLE IF EXISTS _walk_x")
    con.execute(
        f"""CREATE TEMP TABLE _walk_x AS
        WITH pub AS (SELECT lower(org) AS lorg, min(country) AS country, min(region) AS region
                     FROM publishers GROUP BY 1)
        SELECT w.*, p.country, p.region FROM _walk_d w LEFT JOIN pub p ON p.lorg = {publisher_expr('w.id')}
        WHERE w.depth > 0""")

    def counts(col: str) -> dict[str, int]:
        rows = con.execute(
            f"SELECT coalesce({col}::VARCHAR, 'unknown') AS k, count(*) FROM _walk_x GROUP BY 1 ORDER BY 2 DESC, 1"
        ).fetchall()
        return {k: int(v) for k, v in rows}

    out = {"total": total, "by_relation": counts("relation"), "by_depth": counts("depth"),
           "by_country": counts("country"), "by_region": counts("region"),
           "downloads_30d": int(con.execute("SELECT coalesce(sum(d30), 0) FROM _walk_x").fetchone()[0])}  # type: ignore[index]
    con.execute("DROP TABLE _walk_x")
    return out


def _ordered(d: dict[str, Any]) -> list[tuple[str, Any]]:
    """The dict with its order (the JSON document keeps it): equal dicts in another order differ here."""
    return [(k, _ordered(v) if isinstance(v, dict) else v) for k, v in d.items()]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return _store(tmp_path_factory.mktemp("down"))


def test_the_graph_has_what_could_part_the_two_ways(store: Store) -> None:
    """Not a vacuous comparison: a depth above 9, a latest reading of NULL with an older one, known countries."""
    doc = tree(store, BASE, direction="down", limit=3)
    assert "10" in doc["summary"]["by_depth"] and "2" in doc["summary"]["by_depth"]
    assert {"CN", "US", "unknown"} <= set(doc["summary"]["by_country"])
    assert store.scalar("SELECT count(DISTINCT snapshot_id) FROM model_stats") == 2
    assert store.scalar("""SELECT count(*) FROM model_stats WHERE id = 'google/ft1' AND downloads_30d IS NULL""") == 1
    assert doc["truncated"]


@pytest.mark.parametrize("stored", [True, False])
def test_downloads_and_summary_equal_the_statements_they_replaced(store: Store, stored: bool) -> None:
    con = store.con
    nodes = [r[0] for r in con.execute("SELECT id FROM models ORDER BY id").fetchall()]
    for node in nodes:
        for cap in (0, 1, 2, 11, MAX_DEPTH):
            _walk(con, node, "down", None, cap, stored=stored)
            total = int(con.execute("SELECT count(*) - 1 FROM _walk").fetchone()[0])  # type: ignore[index]
            _with_downloads(con)
            got_d = sorted(con.execute("SELECT * FROM _walk_d").fetchall(), key=repr)
            got = _summary(store, "down", total)
            _reference_downloads(store)
            want_d = sorted(con.execute("SELECT * FROM _walk_d").fetchall(), key=repr)
            want = _reference_summary(store, total)
            assert got_d == want_d, (node, cap)
            assert _ordered(got) == _ordered(want), (node, cap)


def test_the_stored_descendants_at_depth_one_name_their_root(store: Store) -> None:
    """What reading depth 1 without ``path`` rests on: a path at depth 1 is ``[id, root]``."""
    assert store.scalar("SELECT count(*) FROM lineage_paths WHERE depth = 1 AND path <> [id, root]") == 0
    assert store.scalar("SELECT count(*) FROM lineage_paths WHERE depth = 1") > 5


def test_the_stored_walk_equals_the_walk_of_the_edges(store: Store) -> None:
    """The descendants of a root read from ``lineage_paths`` (depth 1 without its paths) are the walk's."""
    con = store.con
    runs: list[list[tuple]] = []
    for cap in (0, 1, 2, 11, MAX_DEPTH):
        runs = []
        for stored in (True, False):
            _walk(con, BASE, "down", None, cap, stored=stored)
            runs.append(sorted(con.execute("SELECT id, depth, relation, via FROM _walk").fetchall(), key=repr))
        assert runs[0] == runs[1], cap
    assert len(runs[0]) == len(_graph())
