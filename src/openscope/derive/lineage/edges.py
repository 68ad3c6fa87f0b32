"""Lineage edges from what the Hub records: tags, card data, ``baseModels``; inferred relations.

Why every source is kept: they disagree in the wild (a card says one thing, the Hub's tags another), and
an answer must be able to show its evidence. ``chosen`` marks the edges the lineage graph uses:

- per child, the declared parents come from the highest-priority source that names any parent:
  tags (the Hub's own reading of the card) first, then ``baseModels``, then the card; edges from
  lower-priority sources stay, with ``chosen = false``;
- per (child, parent) one relation is chosen: a declared relation beats ``unknown``, and of two declared
  ones the first in the order finetune, adapter, quantized, merge;
- where the chosen relation is ``unknown`` (a bare ``base_model:<id>`` tag or a card without
  ``base_model_relation``) and the records show what it is, an extra edge with evidence ``inferred``
  carries the inferred relation and becomes the chosen one (the declared edge stays, unchosen).
  Inference order: two or more parents → merge; ``adapter_config.json`` or PEFT → adapter; GGUF/GPTQ/AWQ/
  bitsandbytes/EXL2/MLX/4-bit/8-bit tags or ``*.gguf`` files → quantized; ``mergekit``/``merge`` tags → merge.

Parents match store ids case-insensitively (as the Hub does) and take the store's spelling; a bare parent
(``bert-base-uncased``) that matches no store id takes the id the store holds it under in the namespace the
Hub moved it to (``google-bert/bert-base-uncased``, see :mod:`.canonical`); a parent not in the store stays as
an external node with the spelling it was declared with. A card or ``baseModels`` value written as a Hub address
(``https://huggingface.co/Org/Name``, ``hf.co/Org/Name/tree/main``, ``HTTPS://www.HuggingFace.co/Org/Name?x``:
scheme optional, any case) is the id it names, read as ``openscope lineage ID`` reads a pasted address; a
dataset's or a Space's address names no model (no edge). The declared spelling stays in the records (tags,
card data, ``baseModels``) and :func:`declared_spellings` finds it for an answer that shows its evidence. Self-references are dropped, and
so are card values that cannot be Hub ids (local paths, sentences, placeholders such as ``None``).

A model a full crawl found gone from the Hub (``deleted_at``) is read as it was last read: its records stay in the
store, and its declarations give its edges exactly as a live model's do (same evidence, same choice). Why: in a
chain A → B → C with B deleted, C is still built on A; without B's own edges, B became C's root (or, with B's
publisher unknown, C's root country unknown) and a licence above B stopped flowing through it. The node carries
``deleted_at``, so every answer that shows B says it is gone. Free: the statements read every child's records
anyway; only the filter that left deleted ones out is gone.
All of it is set-based SQL over whole tables (or over the children listed in ``scope``).
"""

from __future__ import annotations

import re

from openscope.derive.lineage import canonical
from openscope.derive.lineage.publishers import namespace_expr
from openscope.store import Store, moves
from openscope.store.lookup import SUB_PAGES

RELATIONS = ("finetune", "adapter", "quantized", "merge", "unknown")
QUANT_TAGS = ("gguf", "gptq", "awq", "bitsandbytes", "exl2", "mlx", "4-bit", "8-bit")
MERGE_TAGS = ("mergekit", "merge")
ADAPTER_TAGS = ("peft",)

_DECLARED = "('finetune', 'adapter', 'quantized', 'merge')"
# What a card's `base_model` can name: a Hub repo id (`namespace/name`, or a legacy one-segment id such as
# `gpt2`): 1-96 characters of letters, digits, `_`, `.`, `-` per part, starting and ending with a letter,
# digit or `_`, without `--` or `..`, not ending in `.git` (huggingface_hub's `validate_repo_id`, checked
# against it in the tests). Anything else (a local path, a sentence, a placeholder) names no model on the
# Hub, and the Hub makes no `base_model:` tag of it: no edge, rather than an invented root.
HUB_ID = r"\w([\w.-]{0,94}\w)?(/\w([\w.-]{0,94}\w)?)?"
PLACEHOLDERS = ("none", "null", "nil", "n/a", "na", "nan", "unknown", "tbd", "todo", "true", "false",
                "base_model", "model", "local", "custom", "other")

# The version of the rules above and below that decide what ``edges`` holds. A refresh records it with the edges
# it writes (``lineage_state`` key ``edge_rules``), and an incremental refresh of a store whose edges another
# version wrote recomputes everything instead: a rule change would otherwise reach only the edges a refresh
# happens to re-read. Bump it with every change of what a refresh writes for the same records (docs/lineage.md,
# *Incremental*; docs/development.md). 1: the nineteenth session's rules, the first recorded; 2: a card's list
# without a relation is a merge only when its bases resolve to two or more parents; 3: a parent equal to a deleted
# store id up to case takes its stored spelling (:func:`_deleted_fix`); 4: a model deleted from the Hub keeps the
# edges of its last-read declarations (:func:`_declare`), so a chain through it stays whole.
RULES_VERSION = 4

# The relation code (1-5 are finetune … unknown) of a card's list naming ids that differ beyond case without a
# relation: a merge if they resolve to two or more parents, else unknown (:func:`_card_merges` decides).
CARD_MERGE = 6


# A declared base written as a Hub address (cards paste the browser's address bar): the scheme optional (http or
# https, any case), the host `huggingface.co` or `hf.co` with an optional `www.`, ending at `/` or the end
# (`huggingface.co.evil.com/…` is no Hub address). The same forms `openscope lineage ID` accepts
# (:mod:`openscope.store.lookup`). RE2 and Python's `re` read these patterns alike.
_HOST = r"(?i)^(?:https?://)?(?:www\.)?(?:huggingface|hf)\.co"
HUB_ADDRESS = _HOST + "(?:/|$)"
_PAGES = "|".join(sorted(SUB_PAGES))
# A dataset's or a Space's address names no model: no edge.
_NOT_MODEL = _HOST + r"/+(?:datasets|spaces)(?:[/?#]|$)"
# `Org/Name` followed by one of the repository's pages (`/tree/main`, `/blob/main/README.md`, `/commit/<sha>`)
_TWO = _HOST + rf"/+([^/?#]+/[^/?#]+)/(?:{_PAGES})(?:[/?#]|$)"
# a legacy one-segment id followed by one of its pages and more (`gpt2/tree/main`); where the segment after the
# page is a page itself, `_TWO` reads it first (`acme/tree/tree/main` is `acme/tree`), as `hub_page` does
_ONE = _HOST + rf"/+([^/?#]+)/(?:{_PAGES})/[^/?#]"
# The first five characters (lower case) of every value that may be a Hub address: with a scheme, without one,
# or with `www.`. One cheap test (with the spaces and the trailing slash) keeps the rest off the common, clean
# values of millions of cards; `huggi`, not `hugg`, so that `huggyllama/…` ids skip it too.
ADDRESS_STARTS = ("http:", "https", "hf.co", "huggi", "www.h")


def _clean(expr: str) -> str:
    """SQL: a declared base id, trimmed, without trailing slashes, and a Hub address as the id it names: the
    repository whose page it is (``Org/Name`` of ``…/Org/Name/blob/main/README.md``, ``gpt2`` of
    ``…/gpt2/tree/main``), else its path without ``?query``, ``#fragment`` and trailing slashes; NULL for a
    dataset's or a Space's address (no model). :func:`declared_id` is its Python twin.

    Why this shape: it runs over every card of a store of millions, inside the lambda over a list's values too,
    where each function in the expression costs its state per list (an expression reading the path nine times
    made the card statement about 3x slower on the 200,000-model store, measured). So a cheap guard keeps it off
    the clean values, the path is read once, and the repository page is found by regular expressions on the
    whole value (:data:`_TWO`, :data:`_ONE`). Past the address test, the host ends at the first ``.co`` (none
    comes before it in ``https://www.``, ``huggingface`` or ``hf``)."""
    t = f"trim({expr})"
    path = (f"rtrim(split_part(split_part(ltrim(substr({t}, strpos(lower({t}), '.co') + 3), '/'), '?', 1), "
            f"'#', 1), '/')")
    full = (f"CASE WHEN regexp_matches({t}, '{_NOT_MODEL}') THEN NULL "
            f"WHEN regexp_matches({t}, '{HUB_ADDRESS}') THEN coalesce(nullif(regexp_extract({t}, '{_TWO}', 1), ''), "
            f"nullif(regexp_extract({t}, '{_ONE}', 1), ''), {path}) "
            f"ELSE rtrim({t}, '/') END")
    return f"CASE WHEN {_needs_cleaning(expr)} THEN {full} ELSE {expr} END"


def _needs_cleaning(expr: str) -> str:
    """SQL: whether :func:`_clean` may change ``expr`` (it starts like a Hub address, or has a space around it
    or a trailing slash); most declared values are clean ids."""
    starts = ", ".join(f"'{s}'" for s in ADDRESS_STARTS)
    # list_contains, not IN: DuckDB rewrites an IN list in a projection into a join (measured slower)
    return (f"(list_contains([{starts}], lower(left({expr}, 5))) OR starts_with({expr}, ' ') "
            f"OR ends_with({expr}, ' ') OR ends_with({expr}, '/'))")


_ADDRESS_RE, _NOT_MODEL_RE, _TWO_RE, _ONE_RE = (re.compile(x) for x in (HUB_ADDRESS, _NOT_MODEL, _TWO, _ONE))


def declared_id(value: str) -> str | None:
    """The id a declared base names, as :func:`_clean` reads it in SQL (the same rule, for a card read in
    Python: :mod:`openscope.derive.openness.declared_base`). None for a dataset's or a Space's address."""
    if not (value[:5].lower() in ADDRESS_STARTS or value.startswith(" ") or value.endswith((" ", "/"))):
        return value
    t = value.strip(" ")  # DuckDB's trim removes spaces only
    if _NOT_MODEL_RE.match(t):
        return None
    if not _ADDRESS_RE.match(t):
        return t.rstrip("/")
    for rx in (_TWO_RE, _ONE_RE):
        m = rx.match(t)
        if m:
            return m.group(1)
    host_end = t.lower().find(".co") + 3
    return t[host_end:].lstrip("/").split("?", 1)[0].split("#", 1)[0].rstrip("/")


def _hub_id(expr: str) -> str:
    """SQL: true when ``expr`` (already cleaned) can be a Hub model id."""
    ph = ", ".join(f"'{p}'" for p in PLACEHOLDERS)
    # Most ids are longer than any placeholder and skip lowering (an id is ASCII: the regular expression's
    # `\w` is, so its length in bytes is its length in characters, lower case or not).
    longest = max(len(p) for p in PLACEHOLDERS)
    return (f"(regexp_full_match({expr}, '{HUB_ID}') AND NOT contains({expr}, '--') "
            f"AND NOT contains({expr}, '..') AND NOT ends_with({expr}, '.git') "
            f"AND (strlen({expr}) > {longest} OR lower({expr}) NOT IN ({ph})))")


def extract(store: Store, scope: str | None = None, table: str = "edges",
            respelled: str = "lineage_respelled") -> int:
    """Write the edges of every model (``scope=None``) or of the children in temp table ``scope(id)``.

    Replaces those children's rows in ``table`` (``edges``, or an empty table of its shape that a full
    refresh publishes later); returns the number of edge rows written. Adds to ``respelled`` (the stored
    ``lineage_respelled``, or the empty table of its shape a full refresh publishes) every stored id that a
    declaration of these children spelled otherwise, so that the set holds the parent of every edge whose
    declared spelling differs from ``edges.parent`` (:func:`declared_spellings` reads only those back).
    """
    con = store.con
    where = f"AND id IN (SELECT id FROM {scope})" if scope else ""
    # 1-2. What each child declares, and what each declared parent resolves to (_edge_raw, _edge_fix); an
    #      external base is one node per id up to case (_fold_external).
    _declare(store, where)
    if scope and _siblings(store, scope, table, respelled):
        _declare(store, where)  # the scope now holds the siblings too: their declarations are read as well
    _fold_external(store, scope, table)
    _card_merges(store)
    # The re-spelled parents, kept so an answer reads declared spellings back only for edges to them (a
    # superset is harmless: an incremental refresh adds and never removes; a full one starts empty).
    con.execute(
        f"""INSERT INTO {respelled} SELECT DISTINCT id FROM _edge_fix
            WHERE id NOT IN (SELECT parent FROM {respelled})"""
    )
    # 3. One row per (child, parent, source) in `_edge_g`, then one edge per (child, parent, source, relation).
    #    A bare `base_model:<id>` tag adds nothing when a `base_model:<relation>:<id>` tag names the same pair,
    #    so `unknown` survives only alone. Chosen: the best source of the child and, per pair, its first
    #    declared relation, unless inference (step 4) tells an `unknown` one.
    _resolve(store)
    if scope:
        con.execute(f"DELETE FROM {table} WHERE child IN (SELECT id FROM {scope})")
    else:
        con.execute(f"DELETE FROM {table}")
    # The few children whose best source is not the tags (baseModels, or only the card), by anti-joins on
    # the lower-priority rows (a window over every child sorted 3x slower); every other child's is the tags.
    con.execute("DROP TABLE IF EXISTS _edge_lo")
    # (The baseModels part only when there are such rows: its anti-join hashes every tag child.)
    with_bm = con.execute("SELECT count(*) FROM _edge_g WHERE prio = 2").fetchone()[0] > 0  # type: ignore[index]  # an aggregate always yields one row
    bm = """SELECT DISTINCT child, prio FROM _edge_g
            WHERE prio = 2 AND child NOT IN (SELECT child FROM _edge_g WHERE prio = 1)
            UNION ALL """ if with_bm else ""
    con.execute(
        f"""CREATE TEMP TABLE _edge_lo AS {bm}
        SELECT DISTINCT child, prio FROM _edge_g
        WHERE prio = 3 AND child NOT IN (SELECT child FROM _edge_g WHERE prio < 3)"""
    )
    best = "g.prio = coalesce(l.prio, 1)"
    _infer(store, best)
    n = con.execute(  # type: ignore[index]  # DuckDB's DML yields one row, its count
        f"""INSERT INTO {table} (child, parent, relation, evidence, chosen)
        WITH g AS (
            SELECT g.child, g.parent, g.prio, g.mn, g.mx, {best} AS best, i.child IS NOT NULL AS inferred
            FROM _edge_g g LEFT JOIN _edge_lo l USING (child) LEFT JOIN _edge_inf i USING (child)
        )
        SELECT child, parent, ['finetune', 'adapter', 'quantized', 'merge', 'unknown'][rc],
               CASE prio WHEN 1 THEN 'tag' WHEN 2 THEN 'base_models' ELSE 'card' END,
               best AND rc = mn AND NOT (rc = 5 AND inferred)
        FROM (SELECT child, parent, prio, best, mn, inferred,
                     unnest(CASE WHEN mn = 5 OR mn = mx THEN [mn] ELSE [mn, mx] END) AS rc FROM g)"""
    ).fetchone()[0]
    # 4. The inferred edges replace the chosen `unknown` ones of the children inference could tell.
    n += con.execute(  # type: ignore[index]  # DuckDB's DML yields one row, its count
        f"""INSERT INTO {table} (child, parent, relation, evidence, chosen)
        SELECT g.child, g.parent, i.relation, 'inferred', true
        FROM _edge_g g JOIN _edge_inf i USING (child) LEFT JOIN _edge_lo l USING (child)
        WHERE {best} AND g.mn = 5"""
    ).fetchone()[0]
    for t in ("_edge_inf", "_edge_lo", "_edge_g", "_edge_fix", "_edge_d"):
        con.execute(f"DROP TABLE {t}")
    return int(n)


def _resolve(store: Store) -> None:
    """Step 3 of :func:`extract`: turn ``_edge_raw`` into ``_edge_g``, one row per (child, resolved parent, source)
    with ``mn``, its first relation (1-5), and ``mx``, its last declared one (1-4; NULL when only ``unknown``).

    Why in place: :func:`_declare` writes one row per (child, declared parent, source) already (the tags grouped
    as they are read, a card's list and a ``baseModels`` list without repeats), so where no declared parent is
    re-spelled (``_edge_fix`` empty, as in a store without case variants) only the empty, missing and self
    parents go: a delete, not a copy of every declaration (the copy and its grouping were about 0.3 s of the
    2.5-million-model refresh, measured). Where some are re-spelled, two spellings of one child may meet in
    one parent: only the children with a re-spelled parent are grouped again (``min`` of the first relations,
    ``max`` of the last ones), and a parent re-spelled as the child itself goes.
    """
    con = store.con
    con.execute("DELETE FROM _edge_raw WHERE parent IS NULL OR parent = '' OR parent = child")
    if con.execute("SELECT count(*) FROM _edge_fix").fetchone()[0]:  # type: ignore[index]  # an aggregate always yields one row
        con.execute("DROP TABLE IF EXISTS _edge_fc")
        con.execute(
            """CREATE TEMP TABLE _edge_fc AS
            SELECT DISTINCT child FROM _edge_raw WHERE parent IN (SELECT parent FROM _edge_fix)"""
        )
        con.execute("DROP TABLE IF EXISTS _edge_rg")
        con.execute(
            """CREATE TEMP TABLE _edge_rg AS
            SELECT r.child, coalesce(f.id, r.parent) AS parent, r.prio, min(r.mn) AS mn, max(r.mx) AS mx
            FROM _edge_raw r LEFT JOIN _edge_fix f ON f.parent = r.parent
            WHERE r.child IN (SELECT child FROM _edge_fc) AND coalesce(f.id, r.parent) <> r.child
            GROUP BY r.child, coalesce(f.id, r.parent), r.prio"""
        )
        con.execute("DELETE FROM _edge_raw WHERE child IN (SELECT child FROM _edge_fc)")
        con.execute("INSERT INTO _edge_raw SELECT child, parent, prio, mn, mx FROM _edge_rg")
        con.execute("DROP TABLE _edge_rg")
        con.execute("DROP TABLE _edge_fc")
    con.execute("DROP TABLE IF EXISTS _edge_g")
    con.execute("ALTER TABLE _edge_raw RENAME TO _edge_g")


def _declare(store: Store, where: str) -> None:
    """Temp tables ``_edge_raw`` (one row per declared (child, parent, source) of the children ``where`` selects,
    with its first relation ``mn`` and last declared one ``mx``, coded as below), ``_edge_d`` (its distinct parents, with their lower case) and ``_edge_fix`` (declared parent → the store id, canonical model or move target it resolves
    to). Steps 1 and 2 of :func:`extract`, a function of their own so that an incremental refresh can read
    them again for a scope grown by :func:`_siblings`."""
    con = store.con
    # 1. Every declared (child, parent, source) with its relations, coded 1-5 in the order
    #    finetune, adapter, quantized, merge, unknown (small integers aggregate fast). One statement per
    #    source: DuckDB runs these separately materialised steps faster than one union.
    code = """(CASE relation WHEN 'finetune' THEN 1 WHEN 'adapter' THEN 2 WHEN 'quantized' THEN 3
                              WHEN 'merge' THEN 4 ELSE 5 END)::UTINYINT"""
    con.execute("DROP TABLE IF EXISTS _edge_raw")
    # `base_model:<relation>:<id>` for a declared relation, else `base_model:<id>` (relation unknown). One
    # prefix test per relation and a fixed offset: cheaper than splitting every tag (measured).
    rel_code = "CASE " + " ".join(
        f"WHEN starts_with(tag, 'base_model:{r}:') THEN {i}" for i, r in enumerate(RELATIONS[:4], 1)
    ) + " ELSE 5 END"
    offset = "CASE rc " + " ".join(
        f"WHEN {i} THEN {len('base_model:') + len(r) + 2}" for i, r in enumerate(RELATIONS[:4], 1)
    ) + f" ELSE {len('base_model:') + 1} END"
    # Grouped as read: a bare `base_model:<id>` next to `base_model:<relation>:<id>` (the Hub writes both) is one
    # row of the pair, with its first relation and its last declared one (see :func:`_resolve`).
    con.execute(
        f"""CREATE TEMP TABLE _edge_raw AS
        SELECT child, parent, 1::UTINYINT AS prio, min(rc) AS mn, max(CASE WHEN rc < 5 THEN rc END) AS mx FROM (
            SELECT child, rc, substr(tag, {offset}) AS parent
            FROM (SELECT id AS child, tag, ({rel_code})::UTINYINT AS rc
                  FROM tags
                  WHERE repo_type = 'model' AND starts_with(tag, 'base_model:') {where}))
        GROUP BY child, parent"""
    )
    # base_model is a string or a list of strings (an object or a number names no model). One statement
    # from the card text to the edge rows: each intermediate table cost a materialisation (measured).
    card_code = f"""(CASE rel WHEN 'finetune' THEN 1 WHEN 'adapter' THEN 2 WHEN 'quantized' THEN 3
                              WHEN 'merge' THEN 4 ELSE CASE WHEN len(bases) >= 2 THEN
                                  -- two spellings of one id (`[Qwen/Qwen2.5-7B, qwen/qwen2.5-7b]`) are one base;
                                  -- ids that differ beyond case are a merge if they resolve to two parents
                                  -- (code {CARD_MERGE}, decided by :func:`_card_merges`)
                                  CASE WHEN len(list_distinct(list_transform(bases, lambda x: lower(x)))) >= 2
                                       THEN {CARD_MERGE} ELSE 5 END
                              ELSE 5 END END)::UTINYINT"""
    # Each declared value is cleaned, and kept only if it can be a Hub id; a merge is two or more of those.
    # (A single string, the usual case, without the list lambdas: measured cheaper.) A list is cleaned only
    # when one of its values needs it: in a lambda each function of the cleaning costs its state per list
    # (measured: the card statement 1.4x slower on the 200,000-model store when every list was cleaned).
    # A list's repeated values are one row (only a list can repeat one; its relation is the card's).
    clean_many = (f"CASE WHEN list_bool_or(list_transform(many, lambda b: {_needs_cleaning('b')})) "
                  f"THEN list_transform(many, lambda b: {_clean('b')}) ELSE many END")
    con.execute(
        f"""INSERT INTO _edge_raw
        SELECT child, parent, 3, rc, CASE WHEN rc < 5 THEN rc END FROM (
            SELECT child, rc, b AS parent FROM (
                SELECT child, {card_code} AS rc, unnest(bases) AS b FROM (
                    SELECT child, rel,
                           CASE WHEN many IS NOT NULL
                                    THEN list_distinct(list_filter({clean_many}, lambda p: {_hub_id('p')}))
                                WHEN {_hub_id('one')} THEN [one] END AS bases FROM (
                    SELECT child, rel, many, {_clean('v')} AS one FROM (
                    SELECT child, lower(j[2]) AS rel,
                           -- a list; a string that only starts with '[' is no list (and no Hub id)
                           CASE WHEN starts_with(j[1], '[') AND json_type(card_data, '$.base_model') = 'ARRAY'
                                THEN json_extract_string(j[1], '$[*]') END AS many,
                           -- a number names no model (no number has a `/`: most ids skip the cast)
                           CASE WHEN j[1] IS NULL OR starts_with(j[1], '[') OR starts_with(j[1], '{{')
                                     OR (NOT contains(j[1], '/') AND try_cast(j[1] AS DOUBLE) IS NOT NULL) THEN NULL
                                ELSE j[1] END AS v
                    FROM (SELECT id AS child, card_data,
                                 json_extract_string(card_data, ['$.base_model', '$.base_model_relation']) AS j
                          FROM models
                          WHERE card_data IS NOT NULL {where}
                            AND contains(card_data::VARCHAR, '"base_model"')))))))"""
    )
    con.execute(
        f"""INSERT INTO _edge_raw
        SELECT DISTINCT child, parent, 2, {code}, CASE WHEN {code} < 5 THEN {code} END FROM (
            SELECT child, relation, {_clean('b')} AS parent FROM (
                SELECT child, CASE WHEN rel IN {_DECLARED} THEN rel ELSE 'unknown' END AS relation,
                       unnest(bases) AS b
                FROM (SELECT id AS child, lower(base_models->>'$.relation') AS rel,
                             json_extract_string(base_models, '$.models[*].id') AS bases
                      FROM models
                      WHERE base_models IS NOT NULL AND json_type(base_models) = 'OBJECT' {where})))"""
    )
    # The distinct declared parents (and their lower case), once: the fixes below and the folding of external
    # spellings (:func:`_fold_external`) each read them, and each DISTINCT over every declaration cost a pass.
    con.execute("DROP TABLE IF EXISTS _edge_d")
    con.execute(
        """CREATE TEMP TABLE _edge_d AS SELECT parent, lower(parent) AS lp FROM (
               SELECT DISTINCT parent FROM _edge_raw WHERE parent IS NOT NULL AND parent <> '')"""
    )
    # 2. Parents that match a store id only case-insensitively take the store's spelling (as the Hub matches).
    con.execute("DROP TABLE IF EXISTS _edge_fix")
    con.execute(
        """CREATE TEMP TABLE _edge_fix AS
        -- one pass over the store's ids: every id equal to some parent up to case (the exact matches too),
        -- probed against the (fewer) distinct parents
        WITH m AS (SELECT id, lower(id) AS lid FROM models
                   WHERE deleted_at IS NULL AND lower(id) IN (SELECT lp FROM _edge_d))
        SELECT d.parent, min(m.id) AS id FROM _edge_d d JOIN m ON m.lid = d.lp
        WHERE d.parent NOT IN (SELECT id FROM m)
        GROUP BY d.parent"""
    )
    _canonical_fix(store)
    _moved_fix(store)
    _deleted_fix(store)


def _deleted_fix(store: Store) -> None:
    """Add to ``_edge_fix`` the declared parents that match a *deleted* store id only up to case, and that no
    live id, canonical model or move took: they take the deleted model's stored spelling.

    Why: the Hub matched the base case-insensitively while it lived, and so did lineage (step 2 of
    :func:`_declare`). Once a full crawl found it gone, the children's own spellings (``DEL/BASE``,
    ``del/base``) were folded as an external base's, so the node lost its stored record: ``lineage`` showed it
    "created unknown", without its deletion, and the children of each spelling were told apart from those that
    declared the stored one. Last of the fixes, so a move's target (``_moved_fix``) still wins over the old id's
    deleted row. Cheap: only the deleted rows (few) are lowered and probed against the distinct parents."""
    store.con.execute(
        """INSERT INTO _edge_fix
        WITH g AS (SELECT id, lower(id) AS lid FROM models
                   WHERE deleted_at IS NOT NULL AND lower(id) IN (SELECT lp FROM _edge_d))
        SELECT d.parent, min(g.id) FROM _edge_d d JOIN g ON g.lid = d.lp
        WHERE d.parent NOT IN (SELECT id FROM g)
          AND d.parent NOT IN (SELECT parent FROM _edge_fix)
          AND d.parent NOT IN (SELECT id FROM models WHERE deleted_at IS NULL AND lower(id) IN (SELECT lid FROM g))
        GROUP BY d.parent"""
    )


def _card_merges(store: Store) -> None:
    """Decide, in ``_edge_raw``, the relation of the card rows coded :data:`CARD_MERGE`: ``merge`` (4) when the
    card's bases resolve (``_edge_fix``) to two or more parents distinct up to case, other than the child itself,
    else ``unknown`` (5).

    Why after resolution: ``[bert-base-uncased, google-bert/bert-base-uncased]`` names one base twice (the bare id
    resolves to the stored canonical model), as does a moved repository's old id beside its new one, or an id
    beside a Hub address of it (``_clean`` reads those before); decided on the declared spellings, such a card
    declared ``merge`` with a single parent. Up to case, as the spellings' rule (resolution maps spellings equal
    up to case to ids equal up to case, so only lists that differ beyond case are coded here). Cheap: the
    children coded so are the card merges (a few in a store), found by one scan of a one-byte column."""
    con = store.con
    con.execute("DROP TABLE IF EXISTS _edge_cm")
    con.execute(
        f"""CREATE TEMP TABLE _edge_cm AS
        SELECT r.child, count(DISTINCT lower(coalesce(f.id, r.parent))) >= 2 AS merge
        FROM (SELECT child, parent FROM _edge_raw WHERE mn = {CARD_MERGE}) r
        LEFT JOIN _edge_fix f ON f.parent = r.parent
        WHERE coalesce(f.id, r.parent) <> r.child AND r.parent <> r.child
        GROUP BY r.child"""
    )
    con.execute(
        f"""UPDATE _edge_raw SET mn = CASE WHEN child IN (SELECT child FROM _edge_cm WHERE merge) THEN 4 ELSE 5 END,
                                 mx = CASE WHEN child IN (SELECT child FROM _edge_cm WHERE merge) THEN 4 END
            WHERE mn = {CARD_MERGE}"""
    )
    con.execute("DROP TABLE _edge_cm")


def _canonical_fix(store: Store) -> None:
    """Add to ``_edge_fix`` the bare parents (no namespace) that match no store id and name a model the store
    holds in exactly one canonical-move namespace (``bert-base-uncased`` → ``google-bert/bert-base-uncased``,
    see :mod:`.canonical`).

    A statement of its own, run only when some parent is bare: a store without bare declarations pays one
    scan of the declared parents (about 7 ms on the 200,000-model benchmark store), not another pass over
    every store id. When there are bare parents, one pass over the store's ids finds both the canonical
    candidates and the bare ids that are store ids themselves (cheaper than two passes, measured).
    """
    con = store.con
    con.execute("DROP TABLE IF EXISTS _edge_bare")
    con.execute(
        """CREATE TEMP TABLE _edge_bare AS SELECT parent FROM _edge_d WHERE NOT contains(parent, '/')"""
    )
    if con.execute("SELECT count(*) FROM _edge_bare").fetchone()[0]:  # type: ignore[index]  # an aggregate always yields one row
        con.execute(
            f"""INSERT INTO _edge_fix
            WITH c AS (
                SELECT b.parent, lower(n.ns || '/' || b.parent) AS lc
                FROM _edge_bare b CROSS JOIN (SELECT unnest([{canonical.sql_list()}]) AS ns) n),
            -- one pass over the store's ids: the canonical candidates, and the bare parents themselves
            m AS (SELECT id, lower(id) AS lid FROM models
                  WHERE deleted_at IS NULL
                    AND lower(id) IN (SELECT lc FROM c UNION ALL SELECT lower(parent) FROM _edge_bare))
            SELECT c.parent, min(m.id) FROM c JOIN m ON m.lid = c.lc
            -- a bare id that is a store id itself (in any case) is that model
            WHERE lower(c.parent) NOT IN (SELECT lid FROM m)
            GROUP BY c.parent HAVING count(DISTINCT {namespace_expr('m.id')}) = 1"""
        )
    con.execute("DROP TABLE _edge_bare")


def moved_sql(parents: str) -> str:
    """SQL ``SELECT parent, id``: each value of ``parents`` (a query of one column ``parent``) that is the old id
    of a repository a full crawl found moved on the Hub (table ``moves``, matched case-insensitively as the Hub
    matches) and is no live store id, with the id it moved to: the last of a chain of moves (A → B → C gives C),
    stopping at a live store id (a repository moved back to an old id, or one created there, answers for itself)
    and before any id the chain already passed (a cycle of moves ends, it does not loop). The id takes the
    store's spelling when a live store id matches it up to case, else the Hub's. An old id's latest row is the
    Hub's latest answer. See docs/lineage.md, *Repositories the Hub moved*."""
    return moves.moved_sql(parents, "model")


def _moved_fix(store: Store) -> None:
    """Add to ``_edge_fix`` the declared parents that are old ids of repositories the Hub moved (:func:`moved_sql`),
    unless a store id already took them (``_edge_fix``). Derivatives keep declaring ``base_model: <old id>`` after a
    move; read literally, the old id is a deleted (or external) root and they lose their real one.

    Set-based, and free where nothing moved: one count of ``moves`` (empty in most stores, the benchmark's
    included), then one statement joining the declared parents to the few recorded moves."""
    con = store.con
    if not con.execute("SELECT count(*) FROM moves WHERE repo_type = 'model'").fetchone()[0]:  # type: ignore[index]  # an aggregate always yields one row
        return
    con.execute(
        f"""INSERT INTO _edge_fix
        SELECT parent, id FROM ({moved_sql("SELECT parent FROM _edge_d")})
        WHERE parent NOT IN (SELECT parent FROM _edge_fix)"""
    )


def _resolved() -> str:
    """SQL over ``_edge_d`` and ``_edge_fix``: each distinct declared ``parent`` with ``p``, what it resolves
    to (a store id, a canonical model, a move's target, else itself), and ``lp``, that in lower case."""
    return """SELECT r.parent, coalesce(f.id, r.parent) AS p, CASE WHEN f.id IS NULL THEN r.lp ELSE lower(f.id) END AS lp
              FROM _edge_d r LEFT JOIN _edge_fix f ON f.parent = r.parent"""


def _fold_external(store: Store, scope: str | None, table: str) -> None:
    """Make an external base one node per id up to case: in ``_edge_fix``, every declared parent that resolves
    to an external id takes the spelling of that id most children declare (ties: the smallest), counting the
    declarations read and, for an incremental refresh, the edges kept outside ``scope``.

    Why: the Hub matches ids case-insensitively, so two spellings are one repository; kept as declared, they
    were two nodes and two roots, and a card naming both had two parents (relation ``merge``). The spelling
    most children use is the one derivatives copied from the Hub (``deepseek-ai/DeepSeek-V3`` for ten children,
    not one stray ``DeepSeek-AI/deepseek-v3``); each child's own spelling stays its ``declared_as`` (the node
    is recorded in ``lineage_respelled``). Cheap: the children are counted only for the ids declared in two or
    more spellings (none on the benchmark store). A resolved id is a store id or an external one for every
    spelling of it alike (a parent equal to a store id up to case takes the store's spelling), so a group is
    external when its chosen spelling is no live id: one probe of those few, no pass over every store id.
    """
    con = store.con
    outside, outside_n = "", ""
    if scope:
        # the spelling the edges kept outside the scope carry (:func:`_siblings` put in the scope every child
        # of a node whose spelling may change), with its children
        outside = f"""UNION SELECT parent, lower(parent) FROM {table}
                      WHERE lower(parent) IN (SELECT lp FROM d) AND child NOT IN (SELECT id FROM {scope})"""
        outside_n = f"""UNION ALL SELECT lower(parent), parent, count(DISTINCT child) FROM {table}
                        WHERE lower(parent) IN (SELECT lp FROM multi) AND child NOT IN (SELECT id FROM {scope})
                        GROUP BY parent"""
    con.execute("DROP TABLE IF EXISTS _edge_fold")
    con.execute(
        f"""CREATE TEMP TABLE _edge_fold AS
        WITH d AS ({_resolved()}),
        multi AS (SELECT lp FROM (SELECT p, lp FROM d {outside}) GROUP BY lp HAVING min(p) <> max(p)),
        n AS (SELECT d.lp, d.p, count(DISTINCT r.child) AS n
              FROM _edge_raw r JOIN d ON d.parent = r.parent
              WHERE d.lp IN (SELECT lp FROM multi) GROUP BY d.lp, d.p
              {outside_n}),
        s AS (SELECT lp, p AS s FROM (SELECT lp, p, sum(n) AS n FROM n GROUP BY lp, p)
              QUALIFY row_number() OVER (PARTITION BY lp ORDER BY n DESC, p) = 1)
        SELECT d.parent, s.s AS id FROM d JOIN s ON s.lp = d.lp
        WHERE d.p <> s.s
          AND s.s NOT IN (SELECT id FROM models WHERE deleted_at IS NULL AND id IN (SELECT s FROM s))"""
    )
    if con.execute("SELECT count(*) FROM _edge_fold").fetchone()[0]:  # type: ignore[index]  # an aggregate always yields one row
        con.execute("DELETE FROM _edge_fix WHERE parent IN (SELECT parent FROM _edge_fold)")
        con.execute("INSERT INTO _edge_fix SELECT parent, id FROM _edge_fold")
    con.execute("DROP TABLE _edge_fold")


def _siblings(store: Store, scope: str, table: str, respelled: str) -> int:
    """Add to ``scope`` the children outside it whose external node :func:`_fold_external` may rename; return
    how many.

    An external node is spelled as most of its children declare it, so a child's change can rename it for
    children that did not change: a changed child declares another spelling of it (``EXT/THING`` beside the
    node ``Ext/Thing``), or a child of the scope had an edge to a node that some child declares otherwise
    (the node is in ``respelled``, or the set is not complete yet), and its spelling may have counted.
    Those children are read again (their edges are rewritten, and their lineage and origin recomputed with
    the scope's descendants). Children of a node every child declares exactly as it is are left alone: on
    a store of millions, a changed finetune of a popular external base does not re-read its siblings.
    """
    con = store.con
    complete = con.execute(
        """SELECT count(*) FROM information_schema.tables t, lineage_state s
           WHERE t.table_name = 'lineage_respelled' AND s.key = 'respelled' AND s.value = 'complete'"""
    ).fetchone()
    renamed = f"e.parent IN (SELECT parent FROM {respelled})" if complete and complete[0] else "true"
    con.execute("DROP TABLE IF EXISTS _edge_sib")
    con.execute(
        f"""CREATE TEMP TABLE _edge_sib AS
        WITH d AS ({_resolved()}),
        b AS (SELECT DISTINCT lp, p FROM d),
        old AS (SELECT DISTINCT lower(parent) AS lp FROM {table} WHERE child IN (SELECT id FROM {scope})),
        e AS (SELECT child, parent FROM {table}
              WHERE lower(parent) IN (SELECT lp FROM b UNION ALL SELECT lp FROM old)
                AND child NOT IN (SELECT id FROM {scope}))
        SELECT DISTINCT e.child, e.parent FROM e
        WHERE (lower(e.parent) IN (SELECT lp FROM old) AND {renamed})
           OR EXISTS (SELECT 1 FROM b WHERE b.lp = lower(e.parent) AND b.p <> e.parent)"""
    )
    n = con.execute(  # type: ignore[index]  # DuckDB's DML yields one row, its count
        f"""INSERT INTO {scope} SELECT DISTINCT child FROM _edge_sib
        WHERE parent NOT IN (SELECT id FROM models WHERE deleted_at IS NULL
                             AND id IN (SELECT parent FROM _edge_sib))"""
    ).fetchone()[0]
    con.execute("DROP TABLE _edge_sib")
    return int(n)


def _infer(store: Store, best: str) -> None:
    """Temp table ``_edge_inf(child, relation)``: the relation the records show for the children whose
    chosen relation is ``unknown``, where they show one.

    Reads ``_edge_g`` and ``_edge_lo`` (see :func:`extract`); ``best`` is the SQL telling a chosen row there.
    """
    con = store.con
    # Hub tags are lower case; upper-case spellings from cards are listed too (no lower() over every tag).
    qt = ", ".join(f"'{v}'" for t in QUANT_TAGS for v in sorted({t, t.upper()}))
    mt = ", ".join(f"'{v}'" for t in MERGE_TAGS for v in sorted({t, t.upper()}))
    at = ", ".join(f"'{v}'" for t in ADAPTER_TAGS for v in sorted({t, t.upper()}))
    con.execute("DROP TABLE IF EXISTS _edge_need")
    # Each chosen (child, parent) is one row of the child's best source.
    con.execute(
        f"""CREATE TEMP TABLE _edge_need AS
        WITH need AS (SELECT DISTINCT g.child FROM _edge_g g LEFT JOIN _edge_lo l USING (child)
                      WHERE g.mn = 5 AND {best})
        SELECT g.child, count(*) AS n FROM _edge_g g LEFT JOIN _edge_lo l USING (child)
        WHERE g.child IN (SELECT child FROM need) AND {best} GROUP BY g.child"""
    )
    con.execute("DROP TABLE IF EXISTS _edge_inf")
    con.execute(
        f"""CREATE TEMP TABLE _edge_inf AS
        WITH t AS (
            SELECT id AS child,
                   bool_or(tag IN ({qt})) AS quant,
                   bool_or(tag IN ({mt})) AS merge,
                   bool_or(tag IN ({at})) AS adapter
            FROM tags WHERE repo_type = 'model' AND tag IN ({qt}, {mt}, {at})
              AND id IN (SELECT child FROM _edge_need) GROUP BY id
        ),
        f AS (
            SELECT id AS child,
                   bool_or(lower(path) LIKE '%.gguf') AS quant,
                   bool_or(path = 'adapter_config.json' OR path LIKE '%/adapter_config.json') AS adapter
            FROM files WHERE repo_type = 'model' AND (path LIKE '%.gguf' OR path LIKE '%.GGUF'
                                                      OR path LIKE '%adapter_config.json')
              AND id IN (SELECT child FROM _edge_need) GROUP BY id
        ),
        -- the library filter first: only the few PEFT models' ids are read
        m AS (SELECT id AS child, true AS adapter FROM models
              WHERE lower(library_name) = 'peft' AND id IN (SELECT child FROM _edge_need))
        SELECT np.child,
               CASE WHEN np.n >= 2 THEN 'merge'
                    WHEN coalesce(f.adapter, false) OR coalesce(t.adapter, false) OR coalesce(m.adapter, false)
                        THEN 'adapter'
                    WHEN coalesce(t.quant, false) OR coalesce(f.quant, false) THEN 'quantized'
                    WHEN coalesce(t.merge, false) THEN 'merge' END AS relation
        FROM _edge_need np LEFT JOIN t USING (child) LEFT JOIN f USING (child) LEFT JOIN m USING (child)"""
    )
    con.execute("DELETE FROM _edge_inf WHERE relation IS NULL")
    con.execute("DROP TABLE _edge_need")


def declared_spellings(store: Store, children: list[str]) -> dict[tuple[str, str, str], str]:
    """``{(child, parent, evidence): spelling}`` for the edges of ``children`` whose parent was declared
    under another spelling than the one stored in ``edges.parent`` (another case, a bare canonical id
    such as ``bert-base-uncased`` for ``google-bert/bert-base-uncased``, or the old id of a repository the Hub
    moved: :func:`moved_sql`); an ``inferred`` edge shows the
    spelling of any source (of a source naming the parent in two spellings, the one that differs: as for
    ``[bert-base-uncased, google-bert/bert-base-uncased]``). Edges declared as stored are absent, and so is a
    spelling that is a parent of the child in its own right (two stored ids equal up to case, each named).
    An external base is one node per id up to case (:func:`_fold_external`): a child that declared it in
    another spelling than the node's shows its own.

    Why: the edges table keeps the contract's columns, so the declared spelling is not stored there; it stays
    in the records (tags, card data, ``baseModels``), and an answer showing its evidence reads it back for
    the few children it shows (one statement over those children's records). Once a full refresh has
    recorded the re-spelled parents (``lineage_respelled``, ``lineage_state`` key ``respelled``), only the
    children with an edge to one of them are read back: on a store of millions of models the records'
    statement scans every tag (about 0.25 s from a cold start), and most answers have no such edge.
    """
    return read_back_spellings(store, _respelled_children(store, children))


def read_back_spellings(store: Store, children: list[str]) -> dict[tuple[str, str, str], str]:
    """:func:`declared_spellings` read from the records of every one of ``children``, without the
    re-spelled parents' shortcut (the statement that scans every tag: what the shortcut must equal)."""
    if not children:
        return {}
    rel = "|".join(RELATIONS[:4])
    rows = store.con.execute(
        f"""WITH ids AS (SELECT unnest($ids::VARCHAR[]) AS id),
        t AS (
            SELECT id AS child, 'tag' AS evidence, regexp_replace(substr(tag, 12), '^({rel}):', '') AS declared
            FROM tags WHERE repo_type = 'model' AND starts_with(tag, 'base_model:') AND id IN (SELECT id FROM ids)
            UNION ALL
            SELECT child, 'card', {_clean('b')} FROM (
                SELECT id AS child, unnest(CASE json_type(card_data, '$.base_model')
                    WHEN 'ARRAY' THEN json_extract_string(card_data, '$.base_model[*]')
                    WHEN 'VARCHAR' THEN [json_extract_string(card_data, '$.base_model')] END) AS b
                FROM models WHERE card_data IS NOT NULL AND id IN (SELECT id FROM ids))
            UNION ALL
            SELECT child, 'base_models', {_clean('b')} FROM (
                SELECT id AS child, unnest(json_extract_string(base_models, '$.models[*].id')) AS b
                FROM models WHERE base_models IS NOT NULL AND json_type(base_models) = 'OBJECT'
                  AND id IN (SELECT id FROM ids))
        ),
        -- the declared old ids of repositories the Hub moved, each with the id it resolves to
        mv AS ({moved_sql("SELECT DISTINCT declared AS parent FROM t")}),
        -- a declared spelling that differs from the edge's parent only in case, or a bare id of its canonical
        -- namespace, or an old id of a moved repository, and is not itself a parent of this child (two stored
        -- ids equal up to case are two nodes)
        c AS (
            SELECT e.child, e.parent, e.evidence, t.declared
            FROM edges e JOIN t ON t.child = e.child AND (t.evidence = e.evidence OR e.evidence = 'inferred')
            WHERE e.child IN (SELECT id FROM ids) AND t.declared <> e.parent
              AND (lower(t.declared) = lower(e.parent)
                   OR (NOT contains(t.declared, '/') AND contains(e.parent, '/')
                       AND lower(t.declared) = lower(substr(e.parent, strpos(e.parent, '/') + 1)))
                   OR (t.declared, e.parent) IN (SELECT parent, id FROM mv))
              AND NOT EXISTS (SELECT 1 FROM edges x WHERE x.child = e.child AND x.parent = t.declared)
        ),
        live AS (SELECT id, lower(id) AS lid FROM models
                 WHERE deleted_at IS NULL AND lower(id) IN (SELECT lower(declared) FROM c))
        -- ... that resolves to that parent as the refresh resolves it: not a store id itself, and then the
        -- smallest store id equal to it up to case (matching none: the external node of that id, one per id up
        -- to case), or (matching none) its canonical namespace's model
        SELECT c.child, c.parent, c.evidence, min(c.declared) FROM c
        WHERE c.declared NOT IN (SELECT id FROM live)
          AND CASE WHEN lower(c.declared) = lower(c.parent)
                   THEN c.parent = coalesce((SELECT min(id) FROM live WHERE lid = lower(c.declared)), c.parent)
                   ELSE (NOT EXISTS (SELECT 1 FROM live WHERE lid = lower(c.declared))
                         AND {canonical.in_canonical_ns('c.parent')})
                        OR (c.declared, c.parent) IN (SELECT parent, id FROM mv) END
        GROUP BY c.child, c.parent, c.evidence""",
        {"ids": list(children)},
    ).fetchall()
    return {(c, p, ev): d for c, p, ev, d in rows}


def _respelled_children(store: Store, children: list[str]) -> list[str]:
    """The ``children`` that may have an edge declared under another spelling: all of them until a full
    refresh has recorded the re-spelled parents (a store upgraded to migration 0012 and not refreshed since,
    or a read of a store whose table or state row is missing), else those with an edge to a re-spelled
    parent."""
    if not children:
        return []
    con = store.con
    complete = con.execute(
        """SELECT count(*) FROM information_schema.tables t, lineage_state s
           WHERE t.table_name = 'lineage_respelled' AND s.key = 'respelled' AND s.value = 'complete'"""
    ).fetchone()
    if not (complete and complete[0]):
        return list(children)
    rows = con.execute(
        """SELECT DISTINCT child FROM edges
           WHERE child IN (SELECT unnest($ids::VARCHAR[])) AND parent IN (SELECT parent FROM lineage_respelled)
           ORDER BY child""",
        {"ids": list(children)},
    ).fetchall()
    return [r[0] for r in rows]
