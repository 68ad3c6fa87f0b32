"""Lineage edges from what the Hub records: tags, card data, ``baseModels``; inferred relations.

Why every source is kept: they disagree in the wild (a card says one thing, the Hub's tags another), and
an answer must be able to show its evidence. ``chosen`` marks the edges the lineage graph uses:

- per child, the declared parents come from the highest-priority source that names any parent:
  tags (the Hub's own reading of the card) first, then ``baseModels``, then the card; edges from
  lower-priority sources stay, with ``chosen = false``;
- per (child, parent) one relation is chosen; a declared relation beats ``unknown``;
- where the chosen relation is ``unknown`` (a bare ``base_model:<id>`` tag or a card without
  ``base_model_relation``) and the records show what it is, an extra edge with evidence ``inferred``
  carries the inferred relation and becomes the chosen one (the declared edge stays, unchosen).
  Inference order: two or more parents → merge; ``adapter_config.json`` or PEFT → adapter; GGUF/GPTQ/AWQ/
  bitsandbytes/EXL2/MLX/4-bit/8-bit tags or ``*.gguf`` files → quantized; ``mergekit``/``merge`` tags → merge.

Parents match store ids case-insensitively (as the Hub does) and take the store's spelling; a parent not in
the store stays as an external node with the spelling it was declared with. Self-references are dropped.
All of it is set-based SQL over whole tables (or over the children listed in ``scope``).
"""

from __future__ import annotations

from openscope.store import Store

RELATIONS = ("finetune", "adapter", "quantized", "merge", "unknown")
EVIDENCE_PRIORITY = {"tag": 1, "base_models": 2, "card": 3, "inferred": 0}
QUANT_TAGS = ("gguf", "gptq", "awq", "bitsandbytes", "exl2", "mlx", "4-bit", "8-bit")
MERGE_TAGS = ("mergekit", "merge")
ADAPTER_TAGS = ("peft",)

_DECLARED = "('finetune', 'adapter', 'quantized', 'merge')"


def _clean(expr: str) -> str:
    """A declared base id, trimmed, without a Hub URL prefix or trailing slash."""
    t = f"trim({expr})"
    return (
        f"rtrim(CASE WHEN starts_with({t}, 'http') "
        f"THEN regexp_replace({t}, '^https?://(www\\.)?huggingface\\.co/', '') ELSE {t} END, '/')"
    )


def extract(store: Store, scope: str | None = None) -> int:
    """Write the edges of every model (``scope=None``) or of the children in temp table ``scope(id)``.

    Replaces those children's rows in ``edges``; returns the number of edge rows written.
    """
    con = store.con
    where_tags = f"AND id IN (SELECT id FROM {scope})" if scope else ""
    where_models = f"AND id IN (SELECT id FROM {scope})" if scope else ""
    con.execute("DROP TABLE IF EXISTS _edge_raw")
    con.execute(
        f"""CREATE TEMP TABLE _edge_raw AS
        WITH tag_rows AS (
            SELECT id AS child, substr(tag, 12) AS rest FROM tags
            WHERE repo_type = 'model' AND starts_with(tag, 'base_model:') {where_tags}
        ),
        tag_edges AS (
            SELECT child, CASE WHEN declared THEN split_part(rest, ':', 1) ELSE 'unknown' END AS relation,
                   CASE WHEN declared THEN substr(rest, strpos(rest, ':') + 1) ELSE rest END AS parent,
                   'tag' AS evidence
            FROM (SELECT child, rest, split_part(rest, ':', 1) IN {_DECLARED} AND contains(rest, ':') AS declared
                  FROM tag_rows)
        ),
        cards AS (
            SELECT id AS child, card_data->'$.base_model' AS bm,
                   lower(card_data->>'$.base_model_relation') AS rel
            FROM models
            WHERE card_data IS NOT NULL AND deleted_at IS NULL {where_models}
              AND contains(card_data::VARCHAR, '"base_model"')
        ),
        card_lists AS (
            SELECT child, rel,
                   CASE json_type(bm) WHEN 'VARCHAR' THEN [bm->>'$']
                                      WHEN 'ARRAY' THEN json_extract_string(bm, '$[*]') END AS bases
            FROM cards
        ),
        card_edges AS (
            SELECT child,
                   CASE WHEN rel IN {_DECLARED} THEN rel
                        WHEN len(list_filter(bases, lambda b: coalesce(trim(b), '') <> '')) >= 2 THEN 'merge'
                        ELSE 'unknown' END AS relation,
                   {_clean('unnest(bases)')} AS parent, 'card' AS evidence
            FROM card_lists WHERE bases IS NOT NULL
        ),
        bm AS (
            SELECT id AS child, lower(base_models->>'$.relation') AS rel,
                   json_extract_string(base_models, '$.models[*].id') AS bases
            FROM models
            WHERE base_models IS NOT NULL AND deleted_at IS NULL AND json_type(base_models) = 'OBJECT'
              {where_models}
        ),
        bm_edges AS (
            SELECT child, CASE WHEN rel IN {_DECLARED} THEN rel ELSE 'unknown' END AS relation,
                   {_clean('unnest(bases)')} AS parent, 'base_models' AS evidence
            FROM bm WHERE bases IS NOT NULL
        ),
        all_edges AS (
            SELECT * FROM tag_edges UNION ALL SELECT * FROM card_edges UNION ALL SELECT * FROM bm_edges
        )
        SELECT child, relation, parent, evidence FROM all_edges WHERE parent IS NOT NULL AND parent <> ''"""
    )
    # Resolve parents to the store's spelling (case-insensitive), drop self-references that appear then.
    con.execute("DROP TABLE IF EXISTS _edge_par")
    con.execute(
        """CREATE TEMP TABLE _edge_par AS
        SELECT r.parent, m.id FROM (SELECT DISTINCT parent FROM _edge_raw) r
        LEFT JOIN (SELECT id FROM models WHERE deleted_at IS NULL) m ON m.id = r.parent"""
    )
    # Only parents not matched exactly need the case-insensitive look-up.
    con.execute(
        """UPDATE _edge_par SET id = i.id FROM (
               SELECT lower(id) AS lid, min(id) AS id FROM models
               WHERE deleted_at IS NULL AND lower(id) IN (SELECT lower(parent) FROM _edge_par WHERE id IS NULL)
               GROUP BY 1) i
           WHERE _edge_par.id IS NULL AND i.lid = lower(_edge_par.parent)"""
    )
    con.execute("DROP TABLE IF EXISTS _edge_res")
    con.execute(
        """CREATE TEMP TABLE _edge_res AS
        SELECT DISTINCT r.child, coalesce(p.id, r.parent) AS parent, r.relation, r.evidence
        FROM _edge_raw r JOIN _edge_par p ON p.parent = r.parent
        WHERE lower(coalesce(p.id, r.parent)) <> lower(r.child)"""
    )
    con.execute("DROP TABLE _edge_par")
    con.execute("DROP TABLE _edge_raw")
    # A bare `base_model:<id>` tag says nothing a `base_model:<relation>:<id>` tag for the same pair doesn't.
    con.execute(
        """DELETE FROM _edge_res r WHERE r.relation = 'unknown' AND EXISTS (
               SELECT 1 FROM _edge_res x WHERE x.child = r.child AND x.parent = r.parent
                 AND x.evidence = r.evidence AND x.relation <> 'unknown')"""
    )
    # Choose: the best source per child, one relation per (child, parent).
    con.execute("DROP TABLE IF EXISTS _edge_ch")
    con.execute(
        """CREATE TEMP TABLE _edge_ch AS
        WITH p AS (
            SELECT *, CASE evidence WHEN 'tag' THEN 1 WHEN 'base_models' THEN 2 ELSE 3 END AS prio FROM _edge_res
        ),
        best AS (SELECT child, min(prio) AS best FROM p GROUP BY child)
        SELECT p.child, p.parent, p.relation, p.evidence,
               p.prio = b.best AND row_number() OVER (
                   PARTITION BY p.child, p.parent, p.prio = b.best
                   ORDER BY p.prio, p.relation = 'unknown', p.relation) = 1 AS chosen
        FROM p JOIN best b USING (child)"""
    )
    con.execute("DROP TABLE _edge_res")
    _infer(store)
    if scope:
        con.execute(f"DELETE FROM edges WHERE child IN (SELECT id FROM {scope})")
    else:
        con.execute("DELETE FROM edges")
    n = con.execute(
        "INSERT INTO edges (child, parent, relation, evidence, chosen) "
        "SELECT child, parent, relation, evidence, chosen FROM _edge_ch"
    ).fetchone()[0]
    con.execute("DROP TABLE _edge_ch")
    return int(n)


def _infer(store: Store) -> None:
    """Add ``inferred`` edges where the chosen relation is ``unknown`` and the records show it."""
    con = store.con
    qt = ", ".join(f"'{t}'" for t in QUANT_TAGS)
    mt = ", ".join(f"'{t}'" for t in MERGE_TAGS)
    at = ", ".join(f"'{t}'" for t in ADAPTER_TAGS)
    con.execute("DROP TABLE IF EXISTS _edge_inf")
    con.execute(
        f"""CREATE TEMP TABLE _edge_inf AS
        WITH need AS (SELECT DISTINCT child FROM _edge_ch WHERE chosen AND relation = 'unknown'),
        nparents AS (SELECT child, count(DISTINCT parent) AS n FROM _edge_ch WHERE chosen GROUP BY child),
        t AS (
            SELECT id AS child,
                   bool_or(lower(tag) IN ({qt})) AS quant,
                   bool_or(lower(tag) IN ({mt})) AS merge,
                   bool_or(lower(tag) IN ({at})) AS adapter
            FROM tags WHERE repo_type = 'model' AND id IN (SELECT child FROM need) GROUP BY id
        ),
        f AS (
            SELECT id AS child,
                   bool_or(lower(path) LIKE '%.gguf') AS quant,
                   bool_or(path = 'adapter_config.json' OR path LIKE '%/adapter_config.json') AS adapter
            FROM files WHERE repo_type = 'model' AND id IN (SELECT child FROM need) GROUP BY id
        ),
        m AS (SELECT id AS child, lower(library_name) = 'peft' AS adapter FROM models
              WHERE id IN (SELECT child FROM need))
        SELECT need.child,
               CASE WHEN np.n >= 2 THEN 'merge'
                    WHEN coalesce(f.adapter, false) OR coalesce(t.adapter, false) OR coalesce(m.adapter, false)
                        THEN 'adapter'
                    WHEN coalesce(t.quant, false) OR coalesce(f.quant, false) THEN 'quantized'
                    WHEN coalesce(t.merge, false) THEN 'merge' END AS relation
        FROM need JOIN nparents np USING (child)
        LEFT JOIN t USING (child) LEFT JOIN f USING (child) LEFT JOIN m USING (child)"""
    )
    con.execute("DELETE FROM _edge_inf WHERE relation IS NULL")
    con.execute(
        """INSERT INTO _edge_ch (child, parent, relation, evidence, chosen)
           SELECT e.child, e.parent, i.relation, 'inferred', true
           FROM _edge_ch e JOIN _edge_inf i USING (child)
           WHERE e.chosen AND e.relation = 'unknown'"""
    )
    con.execute(
        """UPDATE _edge_ch SET chosen = false
           WHERE chosen AND relation = 'unknown' AND child IN (SELECT child FROM _edge_inf)"""
    )
    con.execute("DROP TABLE _edge_inf")
