"""Roots, depths, paths and cycles of the lineage graph: level-synchronous BFS in DuckDB.

Why this shape: one SQL statement per *level* of the graph (not per model) walks from every root down the
chosen edges at once. Each level keeps, per (model, root), only the first arrival, which in a breadth-first
walk is the shortest path (of equally short ones, the one through the smallest parent id); a pair already
reached is never expanded again, so the walk ends on any graph,
cycles included. Real lineage is shallow (almost all of it within two levels), so a full store is a handful
of statements over whole tables.

Definitions (documented in docs/lineage.md):
- a node is a store model or an external base (a declared parent not in the store);
- a root is a node without a chosen parent; a model without parents is its own root: the ``lineage`` view
  gives it the row (id, id, 0, [id]) without storing it;
- ``lineage_paths`` stores one row per model *with a parent* and each root it descends from; ``depth`` is
  the shortest distance to that root and ``path`` lists the ids from the model (first) to the root (last);
- models that no root reaches sit on (or below) a cycle with no outside root: they get no lineage row, and
  the members of such cycles are listed in ``lineage_cycles`` (one ``cycle_id`` per strongly connected set).

Incremental: given an affected set (changed models and all their descendants), only their rows are
recomputed, seeded by the unchanged rows of their parents.
"""

from __future__ import annotations

from openscope.store import Store


def chosen_edges(store: Store, table: str = "edges", mark_deep: bool = False) -> None:
    """Temp table ``_ce(child, parent)``: the distinct chosen edges of ``table`` (the graph lineage walks).

    ``mark_deep`` adds ``deep``: whether the parent has a parent itself. An edge that is not deep starts
    at a root, so it *is* a depth-1 lineage row; only deep edges are walked further (see :func:`full`).
    """
    con = store.con
    con.execute("DROP TABLE IF EXISTS _ce")
    # One chosen edge per (child, parent) by construction (see edges.py): no DISTINCT needed.
    if mark_deep:
        # (the table read twice, not a CTE: materialising the CTE cost more than the second scan)
        con.execute(
            f"""CREATE TEMP TABLE _ce AS
            SELECT child, parent, parent IN (SELECT child FROM {table} WHERE chosen) AS deep
            FROM {table} WHERE chosen"""
        )
    else:
        con.execute(f"CREATE TEMP TABLE _ce AS SELECT child, parent FROM {table} WHERE chosen")


def affected(store: Store, changed: str) -> None:
    """Temp table ``_aff(id)``: the models in ``changed(id)`` and all their descendants (chosen edges)."""
    con = store.con
    con.execute("DROP TABLE IF EXISTS _aff")
    con.execute(
        f"""CREATE TEMP TABLE _aff AS
        WITH RECURSIVE d(id) AS (
            SELECT id FROM {changed}
            UNION
            SELECT e.child FROM d JOIN _ce e ON e.parent = d.id
        ) SELECT DISTINCT id FROM d"""
    )


def full(store: Store, paths: str, cycles: str) -> dict:
    """Write every (model, root) row into the empty table ``paths`` and the rootless cycles into ``cycles``.

    Needs ``_ce`` with ``deep`` (:func:`chosen_edges`); leaves ``_unr(id)``, the models with parents that
    no root reaches, for the origins. Same walk and same rows as :func:`compute` over
    the whole graph, cheaper: an edge from a root is a depth-1 row as it stands (a (child, root) pair arises
    once: one chosen edge per pair, and no root is a child), and deeper levels only follow deep edges,
    from the rows of models that have children through them.
    """
    con = store.con
    n_rows = con.execute(  # type: ignore[index]  # DuckDB's DML yields one row, its count
        f"INSERT INTO {paths} SELECT child, parent, 1, [child, parent] FROM _ce WHERE NOT deep"
    ).fetchone()[0]
    con.execute("DROP TABLE IF EXISTS _ci")
    con.execute("CREATE TEMP TABLE _ci AS SELECT child, parent FROM _ce WHERE deep")
    con.execute("DROP TABLE IF EXISTS _front")
    con.execute(
        """CREATE TEMP TABLE _front AS
        SELECT child AS id, parent AS root, 1 AS depth, [child, parent] AS path FROM _ce
        WHERE NOT deep AND child IN (SELECT parent FROM _ci)"""
    )
    level = 1
    while con.execute("SELECT count(*) FROM _front").fetchone()[0]:  # type: ignore[index]  # an aggregate always yields one row
        con.execute("DROP TABLE IF EXISTS _next")
        # As in compute: a pair reached at an earlier level is already in `paths`; only this level's
        # candidate models' rows are looked up. Of several parents reaching a (model, root) pair the
        # smallest id is chosen first and its path extended after: no lists in the aggregate (measured
        # 0.12 s -> 0.08 s on level 2 of the benchmark store).
        con.execute(
            f"""CREATE TEMP TABLE _next AS
            WITH c AS (SELECT e.child AS id, f.root, f.id AS via FROM _front f JOIN _ci e ON e.parent = f.id),
            seen AS (SELECT id, root FROM {paths} WHERE id IN (SELECT id FROM c)),
            g AS (SELECT c.id, c.root, min(c.via) AS via FROM c
                  WHERE NOT EXISTS (SELECT 1 FROM seen l WHERE l.id = c.id AND l.root = c.root)
                  GROUP BY c.id, c.root)
            SELECT g.id, g.root, f.depth + 1 AS depth, list_prepend(g.id, f.path) AS path
            FROM g JOIN _front f ON f.id = g.via AND f.root = g.root"""
        )
        n_rows += con.execute(f"INSERT INTO {paths} SELECT id, root, depth, path FROM _next").fetchone()[0]  # type: ignore[index]  # DuckDB's DML yields one row, its count
        con.execute("DROP TABLE _front")
        con.execute("CREATE TEMP TABLE _front AS SELECT * FROM _next WHERE id IN (SELECT parent FROM _ci)")
        level += 1
    # Every child of an edge that is not deep was reached at depth 1: unreached models only have deep edges.
    # Their list stays in ``_unr`` for the origins (:func:`openscope.derive.lineage.origin.full`).
    n_cyc = _cycles(store, "_ci", paths, cycles, keep_unreached=True)
    for t in ("_front", "_next", "_ci"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    return {"lineage_rows": int(n_rows), "levels": level, "cycle_members": n_cyc}


def compute(store: Store, scope: str, paths: str = "lineage_paths", cycles: str = "lineage_cycles") -> dict:
    """Rewrite ``lineage_paths`` and ``lineage_cycles`` for the models in ``scope(id)`` (the incremental refresh;
    a full refresh is :func:`full`, which builds new tables rather than deleting every row of the old ones).

    ``paths`` and ``cycles`` name the tables written.
    Needs ``_ce`` (:func:`chosen_edges`). ``scope`` must be closed under descendants (see :func:`affected`).
    Returns counts for reporting.
    """
    con = store.con
    con.execute("DROP TABLE IF EXISTS _te")
    te = "_te"
    con.execute(f"CREATE TEMP TABLE _te AS SELECT child, parent FROM _ce WHERE child IN (SELECT id FROM {scope})")
    # Each level is written straight to ``lineage_paths`` (no accumulating temp table to copy at the end):
    # the old rows of the models recomputed go first.
    con.execute(f"DELETE FROM {paths} WHERE id IN (SELECT id FROM {scope})")
    con.execute(
        f"""DELETE FROM {cycles} WHERE cycle_id IN (
               SELECT cycle_id FROM {cycles} WHERE id IN (SELECT id FROM {scope}))"""
    )
    # Roots that have children here (store models without parents, and external bases) start the walk.
    con.execute("DROP TABLE IF EXISTS _front")
    con.execute(
        f"""CREATE TEMP TABLE _front AS
        SELECT parent AS id, parent AS root, 0 AS depth, [parent] AS path
        FROM (SELECT DISTINCT parent FROM {te}) WHERE parent NOT IN (SELECT child FROM _ce)"""
    )
    # Parents outside the scope keep their rows; they seed the walk at their own depth.
    con.execute("DROP TABLE IF EXISTS _seed")
    con.execute(
        f"""CREATE TEMP TABLE _seed AS
        SELECT l.id, l.root, l.depth, l.path FROM {paths} l
        WHERE l.id IN (SELECT parent FROM {te}) AND l.id NOT IN (SELECT id FROM {scope})"""
    )
    max_seed = con.execute("SELECT coalesce(max(depth), -1) FROM _seed").fetchone()[0]  # type: ignore[index]  # an aggregate always yields one row
    level = 0
    n_rows = 0
    while True:
        if level <= max_seed:
            con.execute("INSERT INTO _front SELECT * FROM _seed WHERE depth = ?", [level])
        if level >= max_seed and con.execute("SELECT count(*) FROM _front").fetchone()[0] == 0:  # type: ignore[index]  # an aggregate always yields one row
            break
        con.execute("DROP TABLE IF EXISTS _next")
        if level == 0 and max_seed < 0:
            # From the roots, one step: a (child, root) pair arises once (one chosen edge per pair) and no
            # root is a child, so the first level needs neither de-duplication nor the anti-join.
            con.execute(
                f"""CREATE TEMP TABLE _next AS
                SELECT e.child AS id, f.root, 1 AS depth, [e.child, f.id] AS path
                FROM _front f JOIN {te} e ON e.parent = f.id"""
            )
        else:
            # A pair reached at an earlier level is already in lineage_paths (the recomputed models' rows
            # were deleted above, and a root is never a child). Only the rows of this level's candidate
            # models are looked up: probing the table is cheaper than hashing all of it.
            con.execute(
                f"""CREATE TEMP TABLE _next AS
                WITH c AS (
                    SELECT e.child AS id, f.root, f.depth + 1 AS depth, list_prepend(e.child, f.path) AS path
                    FROM _front f JOIN {te} e ON e.parent = f.id
                ),
                seen AS (SELECT id, root FROM {paths} WHERE id IN (SELECT id FROM c))
                SELECT c.id, c.root, any_value(c.depth) AS depth, arg_min(c.path, c.path[2]) AS path FROM c
                WHERE NOT EXISTS (SELECT 1 FROM seen l WHERE l.id = c.id AND l.root = c.root)
                GROUP BY c.id, c.root"""
            )
        n_rows += con.execute(f"INSERT INTO {paths} SELECT id, root, depth, path FROM _next").fetchone()[0]  # type: ignore[index]  # DuckDB's DML yields one row, its count
        con.execute("DROP TABLE _front")
        con.execute("ALTER TABLE _next RENAME TO _front")
        level += 1
    n_cyc = _cycles(store, te, paths, cycles)
    for t in ("_front", "_seed", "_te"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    return {"lineage_rows": int(n_rows), "levels": level, "cycle_members": n_cyc}


def _cycles(store: Store, te: str, paths: str, cycles: str, keep_unreached: bool = False) -> int:
    """List the members of rootless cycles among the models no root reached.

    ``keep_unreached`` leaves temp table ``_unr(id)``, those models, for the caller (who drops it).
    """
    con = store.con
    con.execute("DROP TABLE IF EXISTS _unr")
    con.execute(
        f"""CREATE TEMP TABLE _unr AS SELECT DISTINCT child AS id FROM {te}
           WHERE child NOT IN (SELECT id FROM {paths})"""
    )
    if con.execute("SELECT count(*) FROM _unr").fetchone()[0] == 0:  # type: ignore[index]  # an aggregate always yields one row
        if not keep_unreached:
            con.execute("DROP TABLE _unr")
        return 0
    con.execute("DROP TABLE IF EXISTS _reach")
    con.execute(
        f"""CREATE TEMP TABLE _reach AS
        WITH RECURSIVE ue AS (
            SELECT child, parent FROM {te}
            WHERE child IN (SELECT id FROM _unr) AND parent IN (SELECT id FROM _unr)
        ),
        r(a, b) AS (
            SELECT child, parent FROM ue
            UNION
            SELECT r.a, ue.parent FROM r JOIN ue ON ue.child = r.b
        ) SELECT a, b FROM r"""
    )
    next_id = con.execute(f"SELECT coalesce(max(cycle_id), 0) FROM {cycles}").fetchone()[0]  # type: ignore[index]  # an aggregate always yields one row
    n = con.execute(  # type: ignore[index]  # DuckDB's DML yields one row, its count
        f"""INSERT INTO {cycles} (cycle_id, id)
        WITH members AS (SELECT a AS id FROM _reach WHERE a = b),
        comp AS (
            -- the component of a member is named by its smallest mutually reachable member
            SELECT m.id, least(m.id, min(r1.b)) AS key
            FROM members m JOIN _reach r1 ON r1.a = m.id
            JOIN _reach r2 ON r2.a = r1.b AND r2.b = m.id
            GROUP BY m.id
        )
        SELECT ? + dense_rank() OVER (ORDER BY key), id FROM comp""",
        [next_id],
    ).fetchone()[0]
    con.execute("DROP TABLE _reach")
    if not keep_unreached:
        con.execute("DROP TABLE _unr")
    return int(n)
