"""Lineage and origin: edges, roots/depths/paths/cycles, publishers and root countries.

:func:`refresh` is the derive step the pipeline runs after every ingest or crawl. It is incremental:
only models written since the last refresh (``models.updated_snapshot_id``) get their edges re-read, and
only they and their descendants get lineage and origin recomputed. A first run, a change of the shipped
publisher data, a store whose edges another version of the edge rules wrote (:data:`edges.RULES_VERSION`), or a
change touching a large part of the store recomputes everything (faster then).

A failure or a kill leaves the previous lineage intact: an incremental refresh runs in one transaction; a
full one computes into staging tables first and then swaps them in, in one short transaction.
"""

from __future__ import annotations

import time
from contextlib import suppress
from importlib import resources

import duckdb

from openscope.derive.lineage import canonical, edges, graph, origin, publishers
from openscope.errors import InvalidInput
from openscope.store import Store

# Above this share of changed models (in a store big enough for it to matter) a full recompute is cheaper
# than finding descendants.
FULL_THRESHOLD = 0.3
FULL_MIN_MODELS = 50_000


def _ensure_layout(store: Store) -> None:
    """Bring a store made with the development draft of migration 0003 (``lineage`` and ``model_origin``
    as tables) to the shipped layout (views over ``lineage_paths`` / ``lineage_origin``)."""
    con = store.con
    has = con.execute(  # type: ignore[index]  # an aggregate always yields one row
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'lineage_paths'"
    ).fetchone()[0]
    if has:
        return
    sql = (resources.files("openscope.store.migrations") / "0003_lineage.sql").read_text(encoding="utf-8")
    part = sql[sql.index("CREATE TABLE lineage_paths"):sql.index("CREATE TABLE lineage_state")]
    con.execute("DROP TABLE IF EXISTS model_origin")
    con.execute(part)


def _state(store: Store) -> dict[str, str]:
    return dict(store.con.execute("SELECT key, value FROM lineage_state").fetchall())


def refresh(store: Store, *, full: bool = False) -> dict:
    """Recompute lineage for what changed since the last refresh (everything with ``full=True``).

    Returns what was done: ``{mode, reason, changed, affected, edges, lineage_rows, cycle_members, elapsed_s}``;
    ``reason`` says why a refresh recomputed everything (``asked for``, ``first refresh``, ``publisher data
    changed``, ``edge rules changed (version A → B)``, ``N of M models changed``), None for an incremental one.
    """
    t0 = time.monotonic()
    con = store.con
    con.execute("SET enable_progress_bar = false")
    # DuckDB's default write path tries every compression per column segment; for these string-heavy
    # derived tables dictionary compression alone writes about 3x faster (measured, docs/benchmarks.md).
    con.execute("SET force_compression = 'dictionary'")
    # No output depends on row order (every reader sorts), and unordered parallel inserts write faster.
    order = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0]  # type: ignore[index]  # a scalar SELECT always yields one row
    con.execute("SET preserve_insertion_order = false")
    try:
        return _refresh(store, full=full, t0=t0)
    finally:
        with suppress(duckdb.Error):  # never hide the error that got us here
            con.execute("RESET force_compression")
            con.execute(f"SET preserve_insertion_order = {'true' if order else 'false'}")


# The stored tables a full refresh rebuilds, each with the staging table it is computed in.
_PUBLISHED = (("edges", "edges__staged"), ("lineage_paths", "lineage_paths__staged"),
              ("lineage_cycles", "lineage_cycles__staged"), ("lineage_origin", "lineage_origin__staged"),
              ("lineage_respelled", "lineage_respelled__staged"))


def _refresh(store: Store, *, full: bool, t0: float) -> dict:
    con = store.con
    with store.transaction():
        _ensure_layout(store)
        origin.ensure_view(store)
        state = _state(store)
        pub_hash = publishers.data_hash()
        pubs_changed = state.get("publishers_hash") != pub_hash
        if pubs_changed:
            # Reference data, consistent on its own: should the lineage below fail, the state still names
            # the old hash and the next refresh recomputes everything.
            publishers.load(store)
    high, gone_high = con.execute("SELECT max(updated_snapshot_id), max(deleted_at)::VARCHAR FROM models").fetchone()  # type: ignore[misc]  # an aggregate always yields one row
    last = state.get("models_snapshot")
    n_models = con.execute("SELECT count(*) FROM models").fetchone()[0]  # type: ignore[index]  # an aggregate always yields one row
    n_chg = 0
    rules = str(edges.RULES_VERSION)
    reason: str | None = None
    if full:
        reason = "asked for"
    elif last is None:
        reason = "first refresh"
    elif pubs_changed:
        reason = "publisher data changed"
    elif state.get("edge_rules") != rules:
        # edges written by other rules: an incremental refresh would bring only the edges it re-reads to these
        reason = f"edge rules changed (version {state.get('edge_rules', 'unrecorded')} → {rules})"
    else:
        n_chg = _changed(store, int(last), state.get("deleted_until"))
        if n_models >= FULL_MIN_MODELS and n_chg > FULL_THRESHOLD * n_models:
            reason = f"{n_chg:,} of {n_models:,} models changed"
    mode = "incremental" if reason is None else "full"
    try:
        if mode == "full":
            res = _full(store)
            changed = affected = n_models
            with store.transaction():
                _publish(store)
                _write_state(store, high, pub_hash, gone_high, respelled=True)
        else:
            with store.transaction():
                res = _incremental(store) if n_chg else {"edges": 0, "lineage_rows": 0, "cycle_members": 0}
                # The re-spelled parents are complete only if a full refresh filled them (see edges.py).
                _write_state(store, high, pub_hash, gone_high, respelled=state.get("respelled") == "complete")
            changed = n_chg
            affected = res.pop("affected", 0)
    finally:
        # Staging tables left by a failure (or, from the next refresh on, by a kill) go; a failure to drop
        # them must not hide the error that got us here.
        for t in ("_chg", "_cnew", "_aff", "_ce", "_unr", "_todo", *(staged for _, staged in _PUBLISHED)):
            with suppress(duckdb.Error):
                con.execute(f"DROP TABLE IF EXISTS {t}")
    return {
        "mode": mode, "reason": reason, "changed": int(changed), "affected": int(affected), "edges": int(res["edges"]),
        "lineage_rows": int(res["lineage_rows"]), "cycle_members": int(res["cycle_members"]),
        "elapsed_s": round(time.monotonic() - t0, 3),
    }


def _changed(store: Store, last: int, deleted_until: str | None = None) -> int:
    """Temp table ``_chg(id)``: the models written or gone since snapshot ``last``, and the models whose
    declared parents may now resolve differently; returns their number.

    ``deleted_until`` is the latest ``deleted_at`` the last refresh saw (None: every deletion counts as new).
    """
    con = store.con
    since = "" if deleted_until is None else "AND deleted_at > ?::TIMESTAMP"
    con.execute("DROP TABLE IF EXISTS _chg")
    # A model deleted since keeps its edges (its last-read declarations, see edges.py), so a deletion changes
    # none of its own rows; it is read again all the same (a few rows: only the deleted ones are probed), with
    # its descendants, so that the refresh never depends on that. A row gone from ``models`` altogether (no
    # command removes one today) still counts.
    con.execute(
        f"""CREATE TEMP TABLE _chg AS
        SELECT id FROM models WHERE updated_snapshot_id > ? OR updated_snapshot_id IS NULL
        UNION
        SELECT id FROM models WHERE deleted_at IS NOT NULL {since}
        UNION
        SELECT id FROM lineage_origin WHERE id NOT IN (SELECT id FROM models)""",
        [last] + ([] if deleted_until is None else [deleted_until]),
    )
    # Children whose external parent now exists in the store under another spelling.
    con.execute(
        """INSERT INTO _chg SELECT DISTINCT e.child FROM edges e
           JOIN (SELECT lower(id) AS lid, id FROM models
                 WHERE updated_snapshot_id > ? AND deleted_at IS NULL) n ON n.lid = lower(e.parent)
           WHERE e.parent <> n.id""",
        [last],
    )
    # A parent spelled as a store id (the exact spelling, or the one a case-insensitive match took) that
    # was deleted since: it may now resolve to another spelling, or to the child itself (then no edge).
    con.execute(
        f"""INSERT INTO _chg SELECT DISTINCT child FROM edges
            WHERE parent IN (SELECT id FROM models WHERE deleted_at IS NOT NULL {since})""",
        [] if deleted_until is None else [deleted_until],
    )
    # A model declaring itself under another spelling has no edge (a self-reference) until a model of
    # that spelling arrives; models equal up to case to one written since are read again.
    con.execute(
        """INSERT INTO _chg SELECT DISTINCT m.id FROM models m
           JOIN (SELECT lower(id) AS lid, id FROM models
                 WHERE updated_snapshot_id > ? AND deleted_at IS NULL) n ON n.lid = lower(m.id)
           WHERE m.id <> n.id AND m.deleted_at IS NULL""",
        [last],
    )
    _changed_canonical(store, last, deleted_until)
    _changed_moved(store, last)
    con.execute("CREATE OR REPLACE TEMP TABLE _chg AS SELECT DISTINCT id FROM _chg")
    return int(con.execute("SELECT count(*) FROM _chg").fetchone()[0])  # type: ignore[index]  # an aggregate always yields one row


def _changed_moved(store: Store, last: int) -> None:
    """Add to ``_chg`` the children built on the target of a recorded move (``moves``) when an old id of a move
    is a live model written since snapshot ``last``: a repository moved back there, or a new one created at
    it, answers for the old id again (``edges.moved_sql`` stops at a live id), so a model declaring the old id
    is built on it, no longer on the id it had moved to. Their edges name the target, not the old id, and the
    target did not change: without this an incremental refresh kept them on the target while a full one
    moved them (red team of the eighteenth session). A superset (every move target's children) is harmless
    and small. Also the children of an old id whose move a crawl found since ``last`` although the old id was
    stamped deleted earlier (asked by a later crawl: beyond an earlier crawl's bound, or ``--move-checks 0``):
    its deletion is not new, its move is. Free where nothing moved: one count of ``moves``."""
    con = store.con
    if not con.execute("SELECT count(*) FROM moves WHERE repo_type = 'model'").fetchone()[0]:  # type: ignore[index]  # an aggregate always yields one row
        return
    con.execute(
        """INSERT INTO _chg SELECT DISTINCT e.child FROM edges e
        WHERE lower(e.parent) IN (SELECT lower(new_id) FROM moves WHERE repo_type = 'model')
          AND EXISTS (SELECT 1 FROM models m JOIN moves v ON v.repo_type = 'model' AND lower(v.old_id) = lower(m.id)
                      WHERE m.updated_snapshot_id > ? AND m.deleted_at IS NULL)""",
        [last],
    )
    con.execute(
        """INSERT INTO _chg SELECT DISTINCT child FROM edges
        WHERE lower(parent) IN (SELECT lower(old_id) FROM moves WHERE repo_type = 'model' AND snapshot_id > ?)""",
        [last],
    )


def _changed_canonical(store: Store, last: int, deleted_until: str | None) -> None:
    """Add to ``_chg`` the models whose bare declared parent (``bert-base-uncased``) may now resolve
    differently because a model of that name arrived since snapshot ``last`` or was deleted since
    ``deleted_until``: one in a canonical-move namespace (the bare id now resolves to it, to another one, or
    is held by two such namespaces: ambiguous), or a namespace-less one (the bare id names it exactly)."""
    con = store.con
    con.execute("DROP TABLE IF EXISTS _cnew")
    since = "" if deleted_until is None else "AND deleted_at > ?::TIMESTAMP"
    con.execute(
        f"""CREATE TEMP TABLE _cnew AS
        SELECT DISTINCT CASE WHEN contains(id, '/') THEN {canonical.name_expr('id')} ELSE lower(id) END AS lname
        FROM models
        WHERE ((updated_snapshot_id > ? AND deleted_at IS NULL) OR (deleted_at IS NOT NULL {since}))
          AND (NOT contains(id, '/') OR {canonical.in_canonical_ns('id')})""",
        [last] + ([] if deleted_until is None else [deleted_until]),
    )
    if con.execute("SELECT count(*) FROM _cnew").fetchone()[0]:  # type: ignore[index]  # an aggregate always yields one row
        # children of the bare id (external) or of its canonical resolution; and the canonical models
        # themselves, whose own bare declaration was a self-reference until a namespace-less model came
        con.execute(
            f"""INSERT INTO _chg SELECT DISTINCT e.child FROM edges e
            WHERE (NOT contains(e.parent, '/') AND lower(e.parent) IN (SELECT lname FROM _cnew))
               OR (contains(e.parent, '/') AND {canonical.in_canonical_ns('e.parent')}
                   AND {canonical.name_expr('e.parent')} IN (SELECT lname FROM _cnew))"""
        )
        con.execute(
            f"""INSERT INTO _chg SELECT id FROM models
            WHERE deleted_at IS NULL AND contains(id, '/') AND {canonical.in_canonical_ns('id')}
              AND {canonical.name_expr('id')} IN (SELECT lname FROM _cnew)"""
        )
    con.execute("DROP TABLE _cnew")


def _full(store: Store) -> dict:
    """Compute every lineage table into its staging table (``_PUBLISHED``), outside any transaction.

    Why outside: DuckDB keeps a transaction's writes in transaction-local storage, and statements reading
    what the same transaction wrote run markedly slower (measured, docs/benchmarks.md). The staging tables
    are tables of their own, so a failure or a kill here leaves the stored tables as they were; only
    :func:`_publish` touches those, in one short transaction.
    """
    con = store.con
    for stored, staged in _PUBLISHED:
        con.execute(f"DROP TABLE IF EXISTS {staged}")
        con.execute(_staged_ddl(store, stored, staged))
    e, p, c, o, r = (staged for _, staged in _PUBLISHED)
    n_edges = edges.extract(store, table=e, respelled=r)
    graph.chosen_edges(store, e, mark_deep=True)
    res = graph.full(store, paths=p, cycles=c)
    origin.full(store, paths=p, out=o)
    return {"edges": n_edges, **res}


def _staged_ddl(store: Store, stored: str, staged: str) -> str:
    """``CREATE TABLE`` for an empty staging table with exactly the stored table's columns and constraints."""
    ddl = store.con.execute(  # type: ignore[index]  # the migrations create every published table
        """SELECT sql FROM duckdb_tables()
           WHERE database_name = current_database() AND schema_name = 'main' AND table_name = ?""",
        [stored],
    ).fetchone()[0]
    head = f"CREATE TABLE {stored}("
    if not ddl.startswith(head):
        raise InvalidInput(f"store {store.path}: unexpected definition of table {stored}: {ddl[:80]}")
    return f"CREATE TABLE {staged}(" + ddl[len(head):]


def _publish(store: Store) -> None:
    """Replace the stored lineage tables by the staged ones (call inside a transaction).

    Swapping (drop, rename) costs nothing, where copying rewrote every row. Views name their tables and
    are bound when queried, so ``lineage`` and ``model_origin`` see the new tables. A table that has
    gained an index since (none has one today) is refilled instead, so it keeps its index.
    """
    con = store.con
    indexed = {r[0] for r in con.execute(
        "SELECT DISTINCT table_name FROM duckdb_indexes() WHERE database_name = current_database()"
    ).fetchall()}
    for stored, staged in _PUBLISHED:
        if stored in indexed:
            con.execute(f"DELETE FROM {stored}")
            con.execute(f"INSERT INTO {stored} BY NAME SELECT * FROM {staged}")
            con.execute(f"DROP TABLE {staged}")
        else:
            con.execute(f"DROP TABLE {stored}")
            con.execute(f"ALTER TABLE {staged} RENAME TO {stored}")


def _incremental(store: Store) -> dict:
    """Recompute, in place, the models in ``_chg`` and their descendants (call inside a transaction)."""
    n_edges = edges.extract(store, scope="_chg")
    graph.chosen_edges(store)
    graph.affected(store, "_chg")
    res = graph.compute(store, scope="_aff")
    origin.compute(store, scope="_aff")
    affected = store.con.execute("SELECT count(*) FROM _aff").fetchone()[0]  # type: ignore[index]  # an aggregate always yields one row
    return {"edges": n_edges, **res, "affected": affected}


def _write_state(store: Store, high: int | None, pub_hash: str, gone_high: str | None, *, respelled: bool) -> None:
    """Record what the refresh saw; ``edge_rules`` is the version of the rules that wrote ``edges`` (an incremental
    refresh runs only on a store whose edges the current rules wrote, so it is always the current one)."""
    store.con.execute("DELETE FROM lineage_state")
    store.con.execute(
        """INSERT INTO lineage_state VALUES ('models_snapshot', ?), ('publishers_hash', ?), ('deleted_until', ?),
           ('respelled', ?), ('edge_rules', ?)""",
        [None if high is None else str(high), pub_hash, gone_high or "-infinity",
         "complete" if respelled else "pending", str(edges.RULES_VERSION)],
    )
