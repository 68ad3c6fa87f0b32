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
    if scope:
        con.execute(f"DELETE FROM lineage_origin WHERE id IN (SELECT id FROM {scope})")
    else:
        con.execute("DELETE FROM lineage_origin")
    child_scope = f"WHERE child IN (SELECT id FROM {scope})" if scope else ""
    # One pass: (id, root) is unique in lineage_paths, so plain list() gives the roots; the countries of
    # several roots are deduplicated per row afterwards. A root of unknown origin next to a known one makes
    # the roots differ ('multiple'); only unknown roots leave the origin unknown (NULL).
    n = con.execute(
        f"""INSERT INTO lineage_origin (id, depth, n_parents, roots, root_countries, root_regions,
                                        root_country, root_region)
        WITH a AS (
            SELECT l.id, max(l.depth) AS depth, count(*) AS n,
                   list(l.root ORDER BY l.root) AS roots,
                   list(p.country) FILTER (WHERE p.country IS NOT NULL) AS cs,
                   list(p.region) FILTER (WHERE p.region IS NOT NULL) AS rs,
                   min(p.country) AS cmin, max(p.country) AS cmax, count(p.country) AS cn,
                   min(p.region) AS rmin, max(p.region) AS rmax, count(p.region) AS rn
            FROM (SELECT id, root, depth FROM lineage_paths {in_scope}) l
            LEFT JOIN _pub p ON p.lorg = {namespace_expr('l.root')}
            GROUP BY l.id
        ),
        np AS (SELECT child AS id, count(*) AS n FROM _ce {child_scope} GROUP BY child)
        SELECT np.id, a.depth, np.n, coalesce(a.roots, []),
               coalesce(list_sort(list_distinct(a.cs)), []), coalesce(list_sort(list_distinct(a.rs)), []),
               CASE WHEN a.cn = 0 OR a.cn IS NULL THEN NULL
                    WHEN a.cmin <> a.cmax OR a.cn < a.n THEN 'multiple' ELSE a.cmin END,
               CASE WHEN a.rn = 0 OR a.rn IS NULL THEN NULL
                    WHEN a.rmin <> a.rmax OR a.rn < a.n THEN 'multiple' ELSE a.rmin END
        FROM np LEFT JOIN a ON a.id = np.id"""
    ).fetchone()[0]
    for t in ("_pub", "_dl", "_dagg", "_multi"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    return int(n)
