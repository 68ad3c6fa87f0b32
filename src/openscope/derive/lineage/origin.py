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
    # Plain aggregates for every derivative; lists only for the few with several roots (merges).
    # A root of unknown origin next to a known one makes the roots differ ('multiple'); only unknown
    # roots leave the origin unknown (NULL).
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
        SELECT id, count(*) AS n, max(depth) AS depth, min(root) AS root,
               min(country) AS cmin, max(country) AS cmax, count(country) AS cn,
               min(region) AS rmin, max(region) AS rmax, count(region) AS rn
        FROM _dl GROUP BY id"""
    )
    con.execute("DROP TABLE IF EXISTS _multi")
    con.execute(
        """CREATE TEMP TABLE _multi AS
        SELECT id, list_sort(list(root)) AS roots,
               list_sort(list_distinct(list(country))) AS rc, list_sort(list_distinct(list(region))) AS rr
        FROM _dl WHERE id IN (SELECT id FROM _dagg WHERE n > 1) GROUP BY id"""
    )
    n = con.execute(
        f"""INSERT INTO lineage_origin (id, depth, n_parents, roots, root_countries, root_regions,
                                        root_country, root_region)
        WITH np AS (SELECT child AS id, count(*) AS n FROM _ce {child_scope} GROUP BY child)
        SELECT np.id, d.depth, np.n,
               CASE WHEN mu.id IS NOT NULL THEN mu.roots WHEN d.id IS NOT NULL THEN [d.root] ELSE [] END,
               CASE WHEN mu.id IS NOT NULL THEN mu.rc WHEN d.cn > 0 THEN [d.cmin] ELSE [] END,
               CASE WHEN mu.id IS NOT NULL THEN mu.rr WHEN d.rn > 0 THEN [d.rmin] ELSE [] END,
               CASE WHEN coalesce(d.cn, 0) = 0 THEN NULL
                    WHEN d.cmin <> d.cmax OR d.cn < d.n THEN 'multiple' ELSE d.cmin END,
               CASE WHEN coalesce(d.rn, 0) = 0 THEN NULL
                    WHEN d.rmin <> d.rmax OR d.rn < d.n THEN 'multiple' ELSE d.rmin END
        FROM np LEFT JOIN _dagg d ON d.id = np.id LEFT JOIN _multi mu ON mu.id = np.id"""
    ).fetchone()[0]
    for t in ("_pub", "_dl", "_dagg", "_multi"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    return int(n)
