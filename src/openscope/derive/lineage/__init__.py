"""Lineage and origin: edges, roots/depths/paths/cycles, publishers and root countries.

:func:`refresh` is the derive step the pipeline runs after every ingest or crawl. It is incremental:
only models written since the last refresh (``models.updated_snapshot_id``) get their edges re-read, and
only they and their descendants get lineage and origin recomputed. A first run, a change of the shipped
publisher data, or a change touching a large part of the store recomputes everything (faster then).
Everything runs in one transaction: a failure or a kill leaves the previous lineage intact.
"""

from __future__ import annotations

import time
from importlib import resources

from openscope.derive.lineage import edges, graph, origin, publishers
from openscope.store import Store

# Above this share of changed models (in a store big enough for it to matter) a full recompute is cheaper
# than finding descendants.
FULL_THRESHOLD = 0.3
FULL_MIN_MODELS = 50_000


def _ensure_layout(store: Store) -> None:
    """Bring a store made with the development draft of migration 0003 (``lineage`` and ``model_origin``
    as tables) to the shipped layout (views over ``lineage_paths`` / ``lineage_origin``)."""
    con = store.con
    has = con.execute(
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

    Returns what was done: ``{mode, changed, affected, edges, lineage_rows, cycle_members, elapsed_s}``.
    """
    t0 = time.monotonic()
    con = store.con
    con.execute("SET enable_progress_bar = false")
    # DuckDB's default write path tries every compression per column segment; for these string-heavy
    # derived tables dictionary compression alone writes about 3x faster (measured, docs/benchmarks.md).
    con.execute("SET force_compression = 'dictionary'")
    try:
        return _refresh(store, full=full, t0=t0)
    finally:
        con.execute("RESET force_compression")


def _refresh(store: Store, *, full: bool, t0: float) -> dict:
    con = store.con
    with store.transaction():
        _ensure_layout(store)
        state = _state(store)
        pub_hash = publishers.data_hash()
        pubs_changed = state.get("publishers_hash") != pub_hash
        if pubs_changed:
            publishers.load(store)
        high = con.execute("SELECT max(updated_snapshot_id) FROM models").fetchone()[0]
        last = state.get("models_snapshot")
        n_models = con.execute("SELECT count(*) FROM models").fetchone()[0]
        if full or pubs_changed or last is None:
            mode = "full"
        else:
            con.execute("DROP TABLE IF EXISTS _chg")
            con.execute(
                """CREATE TEMP TABLE _chg AS
                SELECT id FROM models WHERE updated_snapshot_id > ? OR updated_snapshot_id IS NULL
                UNION
                -- gone since the last refresh
                SELECT id FROM lineage_origin WHERE id NOT IN (SELECT id FROM models WHERE deleted_at IS NULL)""",
                [int(last)],
            )
            # Children whose external parent now exists in the store under another spelling.
            con.execute(
                """INSERT INTO _chg SELECT DISTINCT e.child FROM edges e
                   JOIN (SELECT lower(id) AS lid, id FROM models
                         WHERE updated_snapshot_id > ? AND deleted_at IS NULL) n ON n.lid = lower(e.parent)
                   WHERE e.parent <> n.id""",
                [int(last)],
            )
            n_chg = con.execute("SELECT count(DISTINCT id) FROM _chg").fetchone()[0]
            big = n_models >= FULL_MIN_MODELS and n_chg > FULL_THRESHOLD * n_models
            mode = "full" if big else "incremental"
        if mode == "full":
            n_edges = edges.extract(store)
            graph.chosen_edges(store)
            res = graph.compute(store)
            origin.compute(store)
            changed = affected = n_models
        elif n_chg == 0:
            n_edges, res, changed, affected = 0, {"lineage_rows": 0, "cycle_members": 0}, 0, 0
        else:
            con.execute("CREATE OR REPLACE TEMP TABLE _chg AS SELECT DISTINCT id FROM _chg")
            n_edges = edges.extract(store, scope="_chg")
            graph.chosen_edges(store)
            graph.affected(store, "_chg")
            res = graph.compute(store, scope="_aff")
            origin.compute(store, scope="_aff")
            changed = n_chg
            affected = con.execute("SELECT count(*) FROM _aff").fetchone()[0]
        for t in ("_chg", "_aff", "_ce", "_todo"):
            con.execute(f"DROP TABLE IF EXISTS {t}")
        con.execute("DELETE FROM lineage_state")
        con.execute(
            "INSERT INTO lineage_state VALUES ('models_snapshot', ?), ('publishers_hash', ?)",
            [None if high is None else str(high), pub_hash],
        )
    return {
        "mode": mode, "changed": int(changed), "affected": int(affected), "edges": int(n_edges),
        "lineage_rows": int(res["lineage_rows"]), "cycle_members": int(res["cycle_members"]),
        "elapsed_s": round(time.monotonic() - t0, 3),
    }
