"""Origins of derivatives: the countries and regions of their roots' publishers.

Why a derived table: "derivatives by root country" over millions of models must be one GROUP BY, not a
walk. A model's *root countries* are the known countries of its roots' publishers; ``root_country`` is
that one country, ``multiple`` when the roots differ (a merge of a US and a Chinese base; a root of
unknown origin counts as a different origin), or NULL when no root's country is known. Every model thus
falls in exactly one bucket, so shares sum to 100%.

Only models with a parent are stored (``lineage_origin``); the ``model_origin`` view adds every model's
own publisher and treats a model without parents as its own root.
"""

from __future__ import annotations

import duckdb

from openscope.derive.lineage.publishers import publisher_expr
from openscope.store import Store, on_write_open

# Every model's publisher and its roots' origins: the organisation ``model_publishers`` names for the model,
# else its namespace's (migration 0003 defined it without the per-model publishers; :func:`ensure_view`).
MODEL_ORIGIN_VIEW = """
CREATE OR REPLACE VIEW model_origin AS
WITH pub AS (
    SELECT lower(org) AS lorg, min(org) AS org, min(organisation) AS organisation, min(country) AS country,
           min(region) AS region
    FROM publishers GROUP BY 1
),
mp AS (SELECT lower(id) AS lid, min(lower(org)) AS lorg FROM model_publishers GROUP BY 1)
SELECT m.id, p.org AS publisher, p.organisation, p.country, p.region,
       CASE WHEN o.id IS NULL THEN 0 ELSE o.depth END AS depth,
       coalesce(o.n_parents, 0) AS n_parents,
       CASE WHEN o.id IS NULL THEN [m.id] ELSE o.roots END AS roots,
       CASE WHEN o.id IS NULL THEN list_filter([p.country], lambda x: x IS NOT NULL) ELSE o.root_countries END
           AS root_countries,
       CASE WHEN o.id IS NULL THEN list_filter([p.region], lambda x: x IS NOT NULL) ELSE o.root_regions END
           AS root_regions,
       CASE WHEN o.id IS NULL THEN p.country ELSE o.root_country END AS root_country,
       CASE WHEN o.id IS NULL THEN p.region ELSE o.root_region END AS root_region
FROM models m
LEFT JOIN lineage_origin o ON o.id = m.id
LEFT JOIN mp ON mp.lid = lower(m.id)
LEFT JOIN pub p ON p.lorg = coalesce(mp.lorg, CASE WHEN contains(m.id, '/') THEN lower(split_part(m.id, '/', 1)) END)
WHERE m.deleted_at IS NULL
"""


# The view's inputs: a store whose layout lacks one (the development draft of migration 0003 kept
# ``model_origin`` as a table and had no ``lineage_origin``) keeps its view until lineage's refresh moves it on.
_VIEW_INPUTS = ("models", "publishers", "model_publishers", "lineage_origin")


def _stale(store: Store) -> bool:
    """True when ``model_origin`` can be defined as :data:`MODEL_ORIGIN_VIEW` and is not yet.

    Compared as DuckDB prints both definitions (a temporary twin is bound and dropped; nothing is written),
    so an open of a current store writes nothing. Any input missing or of an older shape: False."""
    con = store.con
    kinds = dict(con.execute(
        """SELECT table_name, table_type FROM information_schema.tables
           WHERE table_catalog = current_database() AND table_schema = 'main'
             AND table_name IN ('model_origin', 'models', 'publishers', 'model_publishers', 'lineage_origin')"""
    ).fetchall())
    if kinds.get("model_origin", "VIEW") != "VIEW" or any(kinds.get(t) != "BASE TABLE" for t in _VIEW_INPUTS):
        return False
    twin = "_model_origin_wanted"
    try:
        con.execute(MODEL_ORIGIN_VIEW.replace("CREATE OR REPLACE VIEW model_origin", f"CREATE OR REPLACE TEMP VIEW {twin}", 1))
    except duckdb.Error:  # a column an older layout lacks: leave the view to the next lineage refresh
        return False
    try:
        rows = dict(con.execute(
            f"""SELECT view_name, sql FROM duckdb_views()
                WHERE (view_name = '{twin}' AND temporary) OR (view_name = 'model_origin' AND NOT temporary
                       AND database_name = current_database() AND schema_name = 'main')""").fetchall())
    finally:
        con.execute(f"DROP VIEW IF EXISTS temp.{twin}")

    def body(sql: str | None) -> str | None:  # the definition after "CREATE [TEMP] VIEW <name> AS"
        return sql.split(" AS ", 1)[1] if sql and " AS " in sql else None

    return body(rows.get("model_origin")) != body(rows.get(twin))


def ensure_view(store: Store, *, if_stale: bool = False) -> bool:
    """(Re)define ``model_origin`` as above; returns whether it did.

    Run by every lineage refresh, after the layout is in place, and (``if_stale``) by every open of a store
    for writing, so a store upgraded past migration 0011 reads the per-model publishers without waiting for
    its next refresh: there only when the inputs exist in the shipped layout and the view differs.
    """
    if if_stale and (store.read_only or not _stale(store)):
        return False
    store.con.execute(MODEL_ORIGIN_VIEW)
    return True


@on_write_open
def ensure_view_if_stale(store: Store) -> bool:
    """The step every open of a store for writing runs (registered with the store when lineage is imported:
    the store layer never imports derive): the view, redefined only when stale."""
    return ensure_view(store, if_stale=True)


def compute(store: Store, scope: str | None = None, paths: str = "lineage_paths",
            out: str = "lineage_origin") -> int:
    """Rewrite ``lineage_origin`` for every model, or for the models in temp table ``scope(id)``.

    Reads the (model, root) rows from ``paths`` and writes ``out`` (a full refresh reads and writes
    tables of their shape that it publishes later).
    Needs ``_ce`` (the chosen edges, see :func:`openscope.derive.lineage.graph.chosen_edges`).
    """
    con = store.con
    in_scope = f"WHERE id IN (SELECT id FROM {scope})" if scope else ""
    con.execute("DROP TABLE IF EXISTS _pub")
    con.execute(
        """CREATE TEMP TABLE _pub AS
           SELECT lower(org) AS lorg, min(country) AS country, min(region) AS region
           FROM publishers GROUP BY 1"""
    )
    if scope:
        con.execute(f"DELETE FROM {out} WHERE id IN (SELECT id FROM {scope})")
    else:
        con.execute(f"DELETE FROM {out}")
    child_scope = f"WHERE child IN (SELECT id FROM {scope})" if scope else ""
    # Plain aggregates for every derivative; lists only for the few with several roots (merges).
    # A root of unknown origin next to a known one makes the roots differ ('multiple'); only unknown
    # roots leave the origin unknown (NULL).
    # Why integer codes: the per-model aggregates over strings (min/max of roots, countries, regions)
    # cost three times as much as the same aggregates over integers (measured). Each distinct root gets
    # its rank in id order and the rank of its country and region, so min/max/equality on the codes
    # answer the same as on the strings; the strings are looked up once per model at the end.
    con.execute("DROP TABLE IF EXISTS _rinfo")
    con.execute(
        f"""CREATE TEMP TABLE _rinfo AS
        SELECT r.root, row_number() OVER (ORDER BY r.root) AS rk, p.country, p.region,
               CASE WHEN p.country IS NOT NULL THEN dense_rank() OVER (ORDER BY p.country) END AS cc,
               CASE WHEN p.region IS NOT NULL THEN dense_rank() OVER (ORDER BY p.region) END AS rr
        FROM (SELECT DISTINCT root FROM {paths} {in_scope}) r
        LEFT JOIN _pub p ON p.lorg = {publisher_expr('r.root')}"""
    )
    con.execute("DROP TABLE IF EXISTS _dl")
    con.execute(
        f"""CREATE TEMP TABLE _dl AS
        SELECT l.id, l.depth, r.rk, r.cc, r.rr
        FROM (SELECT id, root, depth FROM {paths} {in_scope}) l JOIN _rinfo r USING (root)"""
    )
    # One aggregate per model over its chosen edges (parent count) and its (root) rows.
    con.execute("DROP TABLE IF EXISTS _dagg")
    con.execute(
        f"""CREATE TEMP TABLE _dagg AS
        SELECT id, sum(k) AS np, count(rk) AS n, max(depth) AS depth, min(rk) AS rk,
               min(cc) AS cmin, max(cc) AS cmax, count(cc) AS cn,
               min(rr) AS rmin, max(rr) AS rmax, count(rr) AS rn
        FROM (SELECT child AS id, 1 AS k, NULL::INTEGER AS depth, NULL::BIGINT AS rk, NULL::BIGINT AS cc,
                     NULL::BIGINT AS rr
              FROM _ce {child_scope}
              UNION ALL
              SELECT id, 0, depth, rk, cc, rr FROM _dl)
        GROUP BY id HAVING sum(k) > 0"""
    )
    con.execute("DROP TABLE IF EXISTS _multi")
    con.execute(
        """CREATE TEMP TABLE _multi AS
        SELECT l.id, list_sort(list(r.root)) AS roots,
               list_sort(list_distinct(list(r.country))) AS rc, list_sort(list_distinct(list(r.region))) AS rr
        FROM _dl l JOIN _rinfo r USING (rk) WHERE l.id IN (SELECT id FROM _dagg WHERE n > 1) GROUP BY l.id"""
    )
    n = con.execute(  # type: ignore[index]  # DuckDB's DML yields one row, its count
        f"""INSERT INTO {out} (id, depth, n_parents, roots, root_countries, root_regions,
                                        root_country, root_region)
        WITH cty AS (SELECT DISTINCT cc, country FROM _rinfo WHERE cc IS NOT NULL),
        rgn AS (SELECT DISTINCT rr, region FROM _rinfo WHERE rr IS NOT NULL)
        SELECT d.id, d.depth, d.np,
               CASE WHEN mu.id IS NOT NULL THEN mu.roots WHEN d.n > 0 THEN [r.root] ELSE [] END,
               CASE WHEN mu.id IS NOT NULL THEN mu.rc WHEN d.cn > 0 THEN [c.country] ELSE [] END,
               CASE WHEN mu.id IS NOT NULL THEN mu.rr WHEN d.rn > 0 THEN [g.region] ELSE [] END,
               CASE WHEN d.cn = 0 THEN NULL
                    WHEN d.cmin <> d.cmax OR d.cn < d.n THEN 'multiple' ELSE c.country END,
               CASE WHEN d.rn = 0 THEN NULL
                    WHEN d.rmin <> d.rmax OR d.rn < d.n THEN 'multiple' ELSE g.region END
        FROM _dagg d LEFT JOIN _rinfo r ON r.rk = d.rk LEFT JOIN cty c ON c.cc = d.cmin
        LEFT JOIN rgn g ON g.rr = d.rmin LEFT JOIN _multi mu ON mu.id = d.id"""
    ).fetchone()[0]
    for t in ("_pub", "_rinfo", "_dl", "_dagg", "_multi"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    return int(n)


def full(store: Store, paths: str, out: str) -> int:
    """Write ``lineage_origin`` rows for every model into the empty table ``out``; same rows as
    :func:`compute` over the whole store.

    Why two parts: almost every derivative has one chosen parent and one (model, root) row, so its origin
    follows from that row alone (its depth, its root, the root's publisher). Only the others (several
    parents, several roots, or no root: a rootless cycle) need the per-model aggregate. Needs ``_ce`` and
    ``_unr`` (see :func:`openscope.derive.lineage.graph.full`, which leaves it; dropped here).
    Models with several parents or rows are found by grouping on a 64-bit hash of the id: a collision can
    only merge two ids into one group, never split one, so an id counted once there occurs once, and a
    collision merely sends two simple models down the general path. A model's several rows are counted among
    the rows of depth 2 or more only: a model of one parent that is a root has a single row, of depth 1.
    """
    con = store.con
    con.execute("DROP TABLE IF EXISTS _mh")
    con.execute(
        f"""CREATE TEMP TABLE _mh AS
        SELECT hash(child) AS h FROM _ce GROUP BY h HAVING count(*) > 1
        UNION ALL
        -- a model of one parent has one row if that parent is a root (depth 1), else its parent's rows shifted
        -- (each of depth 2 or more): only the deeper rows can hold two of such a model (about a fifth of them)
        SELECT hash(id) FROM {paths} WHERE depth > 1 GROUP BY 1 HAVING count(*) > 1"""
    )
    n = con.execute(  # type: ignore[index]  # DuckDB's DML yields one row, its count
        f"""INSERT INTO {out} (id, depth, n_parents, roots, root_countries, root_regions, root_country,
                                root_region)
        WITH pub AS (SELECT lower(org) AS lorg, min(country) AS country, min(region) AS region
                     FROM publishers GROUP BY 1),
        -- each distinct root's publisher looked up once (tens of thousands), not once per row (about a million)
        r AS (SELECT r.root, p.country, p.region
              FROM (SELECT DISTINCT root FROM {paths}) r LEFT JOIN pub p ON p.lorg = {publisher_expr('r.root')})
        SELECT l.id, l.depth, 1, [l.root],
               CASE WHEN r.country IS NULL THEN []::VARCHAR[] ELSE [r.country] END,
               CASE WHEN r.region IS NULL THEN []::VARCHAR[] ELSE [r.region] END,
               r.country, r.region
        FROM {paths} l JOIN r USING (root)
        WHERE hash(l.id) NOT IN (SELECT h FROM _mh)"""
    ).fetchone()[0]
    con.execute("DROP TABLE IF EXISTS _cx")
    con.execute(
        """CREATE TEMP TABLE _cx AS
        SELECT DISTINCT child AS id FROM _ce WHERE hash(child) IN (SELECT h FROM _mh)
        UNION
        SELECT id FROM _unr"""
    )
    n += compute(store, scope="_cx", paths=paths, out=out)
    for t in ("_mh", "_cx", "_unr"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    return n
