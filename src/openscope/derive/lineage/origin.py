"""Per-model origin: the publisher's organisation, country and region, and the countries of its roots.

Why a derived table: "derivatives by root country" over millions of models must be one GROUP BY, not a
walk. A model's *root countries* are the known countries of its roots' publishers; ``root_country`` is
that one country, ``multiple`` when the roots differ (a merge of a US and a Chinese base; a root of
unknown origin counts as a different origin), or NULL when no root's country is known. Every model thus
falls in exactly one bucket, so shares sum to 100%.

Most models are their own root and most derivatives have one root, so those take plain joins; only the
few models with several roots (merges) pay for list aggregation.
"""

from __future__ import annotations

from openscope.derive.lineage.publishers import namespace_expr
from openscope.store import Store


def compute(store: Store, scope: str | None = None) -> int:
    """Rewrite ``model_origin`` for every model, or for the models in temp table ``scope(id)``."""
    con = store.con
    in_scope = f"AND id IN (SELECT id FROM {scope})" if scope else ""
    con.execute("DROP TABLE IF EXISTS _pub")
    con.execute(
        """CREATE TEMP TABLE _pub AS
           SELECT lower(org) AS lorg, min(org) AS org, min(organisation) AS organisation,
                  min(country) AS country, min(region) AS region
           FROM publishers GROUP BY 1"""
    )
    # Derivative rows (depth > 0) and, per derivative, how many roots it has.
    con.execute("DROP TABLE IF EXISTS _dl")
    con.execute(
        f"""CREATE TEMP TABLE _dl AS
        SELECT l.id, l.root, l.depth, p.country, p.region
        FROM (SELECT id, root, depth FROM lineage WHERE depth > 0 {in_scope}) l
        LEFT JOIN _pub p ON p.lorg = {namespace_expr('l.root')}"""
    )
    con.execute("DROP TABLE IF EXISTS _dagg")
    con.execute(
        """CREATE TEMP TABLE _dagg AS
        SELECT id, count(*) AS n, max(depth) AS depth, min(root) AS root, min(country) AS country,
               min(region) AS region FROM _dl GROUP BY id"""
    )
    con.execute("DROP TABLE IF EXISTS _multi")
    con.execute(
        """CREATE TEMP TABLE _multi AS
        SELECT id, list(DISTINCT root ORDER BY root) AS roots,
               coalesce(list(DISTINCT country ORDER BY country) FILTER (WHERE country IS NOT NULL), []) AS rc,
               coalesce(list(DISTINCT region ORDER BY region) FILTER (WHERE region IS NOT NULL), []) AS rr,
               count(DISTINCT coalesce(country, '?')) AS nc, count(DISTINCT coalesce(region, '?')) AS nr
        FROM _dl WHERE id IN (SELECT id FROM _dagg WHERE n > 1) GROUP BY id"""
    )
    if scope:
        con.execute(f"DELETE FROM model_origin WHERE id IN (SELECT id FROM {scope})")
    else:
        con.execute("DELETE FROM model_origin")
    n = con.execute(
        f"""INSERT INTO model_origin (id, publisher, organisation, country, region, depth, n_parents, roots,
                                      root_countries, root_regions, root_country, root_region)
        WITH todo AS (SELECT id FROM models WHERE deleted_at IS NULL {in_scope}),
        selfroot AS (SELECT id FROM lineage WHERE depth = 0 {in_scope}),
        np AS (SELECT child AS id, count(DISTINCT parent) AS n FROM edges
               WHERE chosen {in_scope.replace('id IN', 'child IN')} GROUP BY child)
        SELECT t.id, p.org, p.organisation, p.country, p.region,
               CASE WHEN s.id IS NOT NULL THEN 0 ELSE d.depth END,
               coalesce(np.n, 0),
               CASE WHEN s.id IS NOT NULL THEN [t.id] WHEN mu.id IS NOT NULL THEN mu.roots
                    WHEN d.id IS NOT NULL THEN [d.root] ELSE [] END,
               CASE WHEN s.id IS NOT NULL THEN list_filter([p.country], lambda x: x IS NOT NULL)
                    WHEN mu.id IS NOT NULL THEN mu.rc
                    ELSE list_filter([d.country], lambda x: x IS NOT NULL) END,
               CASE WHEN s.id IS NOT NULL THEN list_filter([p.region], lambda x: x IS NOT NULL)
                    WHEN mu.id IS NOT NULL THEN mu.rr
                    ELSE list_filter([d.region], lambda x: x IS NOT NULL) END,
               CASE WHEN s.id IS NOT NULL THEN p.country WHEN mu.nc > 1 THEN 'multiple'
                    ELSE d.country END,
               CASE WHEN s.id IS NOT NULL THEN p.region WHEN mu.nr > 1 THEN 'multiple'
                    ELSE d.region END
        FROM todo t
        LEFT JOIN selfroot s ON s.id = t.id
        LEFT JOIN _dagg d ON d.id = t.id
        LEFT JOIN _multi mu ON mu.id = t.id
        LEFT JOIN np ON np.id = t.id
        LEFT JOIN _pub p ON p.lorg = {namespace_expr('t.id')}"""
    ).fetchone()[0]
    for t in ("_pub", "_dl", "_dagg", "_multi"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    return int(n)
