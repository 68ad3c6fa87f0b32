"""Origins of derivatives: the countries and regions of their roots' publishers.

Why a derived table: "derivatives by root country" over millions of models must be one GROUP BY, not a
walk. A model's *root countries* are the known countries of its roots' publishers; ``root_country`` is
that one country, ``multiple`` when the roots differ (a merge of a US and a Chinese base; a root of
unknown origin counts as a different origin), or NULL when no root's country is known. Every model thus
falls in exactly one bucket, so shares sum to 100%.

Only models with a parent are stored (``lineage_origin``); the ``model_origin`` view adds every model's
own publisher and treats a model without parents as its own root. Most derivatives have one root, so they
take plain aggregates; only the few with several roots (merges) pay for list aggregation.
"""

from __future__ import annotations

from openscope.derive.lineage.publishers import namespace_expr
from openscope.store import Store


def compute(store: Store, scope: str | None = None) -> int:
    """Rewrite ``lineage_origin`` for every model, or for the models in temp table ``scope(id)``.

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
    con.execute("DROP TABLE IF EXISTS _dl")
    con.execute(
        f"""CREATE TEMP TABLE _dl AS
        SELECT l.id, l.root, l.depth, p.country, p.region
        FROM (SELECT id, root, depth FROM lineage_paths {in_scope}) l
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
        con.execute(f"DELETE FROM lineage_origin WHERE id IN (SELECT id FROM {scope})")
    else:
        con.execute("DELETE FROM lineage_origin")
    child_scope = f"WHERE child IN (SELECT id FROM {scope})" if scope else ""
    n = con.execute(
        f"""INSERT INTO lineage_origin (id, depth, n_parents, roots, root_countries, root_regions,
                                        root_country, root_region)
        SELECT np.id, d.depth, np.n,
               CASE WHEN mu.id IS NOT NULL THEN mu.roots WHEN d.id IS NOT NULL THEN [d.root] ELSE [] END,
               CASE WHEN mu.id IS NOT NULL THEN mu.rc ELSE list_filter([d.country], lambda x: x IS NOT NULL) END,
               CASE WHEN mu.id IS NOT NULL THEN mu.rr ELSE list_filter([d.region], lambda x: x IS NOT NULL) END,
               CASE WHEN mu.nc > 1 THEN 'multiple' ELSE d.country END,
               CASE WHEN mu.nr > 1 THEN 'multiple' ELSE d.region END
        FROM (SELECT child AS id, count(*) AS n FROM _ce {child_scope} GROUP BY child) np
        LEFT JOIN _dagg d ON d.id = np.id
        LEFT JOIN _multi mu ON mu.id = np.id"""
    ).fetchone()[0]
    for t in ("_pub", "_dl", "_dagg", "_multi"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    return int(n)
