"""Every ancestor of a model and the licence each one is under: what the inheritance rule reads.

Why a walk of its own and not the lineage root: the terms that bind a derivative can come from any model
it was built from (a CC BY-NC finetune between an Apache-2.0 root and the model), and a merge has several
parents and roots. The walk follows chosen lineage edges (``edges.chosen``) upwards; each ancestor is kept
once, at its shortest distance (a DuckDB recursive CTE keyed on (model, ancestor): a pair already reached
is never extended again, so a cycle ends after one turn). It is the set the licence step's
``license_flow`` lists (tested), computed here again because grading must not depend on that step having
run. An ancestor the model's own organisation published is left out of both paths (:mod:`..licenses.licensor`): a
licence binds its licensees, not its licensor, so relicensing its own base binds nothing from it; ancestors of
other organisations further up are still walked through it.

An ancestor's licence (:func:`declared`, :func:`read`) is read the way the licence step reads a model's
(``openscope license``): its Hub ``license:`` tag when the licence catalogue knows its terms; else what its
declaration says by the licence step's own :func:`.flowdown.resolve_declaration` (the card's ``license_name``,
then ``license_link``, then the text of the licence file the crawl stored, ``license_texts``, chosen by
:func:`.flowdown.declaration_file` and identified by :func:`.flowdown.identify_texts`: never a guess, an
unrecognised text identifies nothing); else its curated family's cited licence for the weights (``curated.yml``
by Hub id; an ancestor that is not a live model of the store also by the family its id names, as a lineage root
always was); else unknown: then it is left out (unknown never binds). Without the middle step an ancestor
declaring ``license: other`` + ``license_name: deepseek`` (or a LICENSE whose text is the DeepSeek licence) bound
nothing, while ``openscope license`` of the same ancestor named its terms: a derivative of a restrictively
licensed base was graded as if nothing bound it. The evidence names where the licence was read: the ancestor's
Hub page (``license: …``, ``license_name: …``, ``license_link: …``) or the licence file's Hub page at the line
that identified it (``…/blob/main/LICENSE#L1``).

Why the licence functions and not the derived ``licenses`` table: that table exists only after the licence step
ran on the same store state (grading must not depend on it, as above); calling the same functions on the same
stored inputs gives the same answer without the dependency. The per-model path (:func:`attach`) and the
set-based path (:func:`binding_table`) read it through the same functions; the set-based path resolves each
distinct declaration once (as the licence step does) and only for the ancestors whose tag says nothing known.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

import duckdb
import pyarrow as pa

from openscope.derive.licenses.flowdown import (
    FileReading,
    declaration_file,
    declarations,
    declared_value,
    identify_texts,
    reading_line,
    resolve_declaration,
)
from openscope.derive.licenses.licensor import same_org_sql
from openscope.derive.openness import curated
from openscope.derive.openness.components import apply_curated, from_findings
from openscope.derive.openness.inheritance import Reading, can_bind, terms
from openscope.derive.openness.probes import Evidence
from openscope.store import Store

HUB = "https://huggingface.co"
WEIGHTS = "Model parameters (Final)"


def walk_sql(seeded: bool) -> str:
    """(id, base, distance) for every ancestor of every model (``seeded``: of the models in ``?``)."""
    seed = "AND child IN (SELECT unnest(?::VARCHAR[]))" if seeded else ""
    return f"""
    WITH RECURSIVE walk(id, base, distance) USING KEY (id, base) AS (
        SELECT child, parent, 1 FROM edges WHERE chosen AND child <> parent {seed}
        UNION
        SELECT w.id, e.parent, w.distance + 1
        FROM walk w JOIN edges e ON e.child = w.base AND e.chosen
        WHERE e.parent <> w.id
          AND NOT EXISTS (SELECT 1 FROM recurring.walk r WHERE r.id = w.id AND r.base = e.parent)
    )
    SELECT id, base, distance FROM walk"""


def curated_weights(entry: dict[str, Any] | None) -> tuple[str, Evidence] | None:
    """The licence a curated family's cited facts give its released weights, and the fact's evidence."""
    if not entry:
        return None
    facts = from_findings([])
    apply_curated(facts, entry)
    w = facts[WEIGHTS]
    if w.source != "curated" or not w.license or not w.released or not w.evidence:
        return None
    return str(w.license), w.evidence[0]


def _same(entry: dict[str, Any] | None) -> dict[str, Any] | None:
    """The curated family already looked up (``read`` takes a function: it looks a family up only when
    the ancestor's own declaration is not enough)."""
    return entry


class Source(NamedTuple):
    """Where an ancestor's own declaration says which licence it is under, without the ancestor's id (so the
    set-based path can carry it in a key and put the id back): the licence as read (a value :func:`terms`
    knows), the evidence kind, what follows the ancestor's Hub page in the locator, and the snippet."""

    license: str
    kind: str       # hub_metadata | file
    where: str      # "" (the Hub page) or "/blob/main/LICENSE#L1"
    snippet: str


def tag_source(tag: str | None) -> Source | None:
    """The Hub ``license:`` tag, when the catalogue knows its terms."""
    if tag is None or terms(tag) is None:
        return None
    return Source(tag, "hub_metadata", "", f"license: {tag}")


def by_declaration(declared_: str | None, license_name: str | None, license_link: str | None,
                   file: FileReading | None) -> Source | None:
    """What the licence step makes of a declaration whose tag says nothing known (:func:`.flowdown.resolve_declaration`
    on the same inputs: ``license_name``, ``license_link``, the licence file :func:`.flowdown.declaration_file`
    chose), when the catalogue knows the licence's terms; None otherwise (unknown stays unknown)."""
    m, source = resolve_declaration(declared_, license_name, license_link, file)
    lic = m.license
    if lic is None or source == "none" or terms(lic) is None:
        return None
    if source == "card_name":
        return Source(lic, "hub_metadata", "", f"license_name: {license_name}")
    if source == "license_link":
        return Source(lic, "hub_metadata", "", f"license_link: {license_link}")
    if source == "license_file" and file is not None:
        line, text = reading_line(file)
        return Source(lic, "file", f"/blob/main/{file[0]}" + (f"#L{line}" if line else ""), text or file[0])
    return Source(lic, "hub_metadata", "", f"license: {declared_}")   # a card list the tag kept one entry of


def declared(tag: str | None, card_license: str | None, license_name: str | None, license_link: str | None,
             file: FileReading | None) -> Source | None:
    """An ancestor's own declaration, read as the licence step reads it: its Hub tag when the catalogue knows its
    terms, else :func:`by_declaration` (``card_license``: the card's ``license:`` field, which may list several)."""
    return tag_source(tag) or by_declaration(declared_value(tag, card_license), license_name, license_link, file)


def as_last_read(source: Source | None, deleted_on: str | None) -> Source | None:
    """An ancestor's own declaration (:func:`declared`) as evidence, saying so when a full crawl found the ancestor
    gone from the Hub (``deleted_on``, its ISO date): its declaration is the one it was last read with, and the
    locator (its Hub page) no longer answers, so the snippet must tell the reader what was read and when it went.
    Why read it at all: a licence binds a derivative as it was granted (docs/openness.md, *Inherited licences*)."""
    if source is None or deleted_on is None:
        return source
    return source._replace(snippet=f"{source.snippet} (deleted from the Hub on {deleted_on}; its licence as last read)")


# what :func:`stored_sources` reads of a stored model: its Hub tag, its card's `license`, `license_name` and
# `license_link` (a list, or None), and the date a full crawl found it deleted (ISO, or None)
DECLARATION_SQL = ("m.license, json_extract_string(m.card_data, ['$.license', '$.license_name', '$.license_link']), "
                   "m.deleted_at::DATE::VARCHAR")


def stored_sources(store: Store, rows: Iterable[tuple[str, str | None, list[str | None] | None, str | None]]
                   ) -> dict[str, Source | None]:
    """The declaration of each stored model of ``rows`` (id and :data:`DECLARATION_SQL`'s columns), live or deleted
    from the Hub (:func:`declared`, then :func:`as_last_read`): what the per-model path reads of every stored ancestor
    and the set-based path of the deleted ones, through this one function so that the two cannot differ."""
    decl = {base: (lic, card or [None, None, None], gone) for base, lic, card, gone in rows}
    files = _files(store, sorted(b for b, (lic, _c, _g) in decl.items() if tag_source(lic) is None))
    return {base: as_last_read(declared(lic, card[0], card[1], card[2],
                                        declaration_file(base, card[2], files[base]) if base in files else None), gone)
            for base, (lic, card, gone) in decl.items()}


def read(base: str, distance: int | None, source: Source | None,
         family: Callable[[], dict[str, Any] | None], read_at: str) -> Reading | None:
    """An ancestor's licence: its own declaration (``source``, :func:`declared`), else its curated family's cited
    weights licence (``family`` is called only then), else None (unknown). Locators are the ancestor's Hub page
    (``{HUB}/{base}``), or a file's page under it."""
    if source is not None:
        return Reading(base, distance, source.license,
                       (Evidence(source.kind, f"{HUB}/{base}{source.where}", source.snippet, read_at),))
    fact = curated_weights(family())
    if fact is not None and terms(fact[0]) is not None:
        return Reading(base, distance, fact[0], (fact[1],))
    return None


@functools.lru_cache(maxsize=128)
def _identified(path: str, text: str) -> FileReading:
    """One stored licence text identified (a popular base is the ancestor of many models graded in turn)."""
    return identify_texts([(path, text)])[0]


def _files(store: Store, bases: list[str]) -> dict[str, list[FileReading]]:
    """The stored licence texts of ``bases``, identified."""
    if not bases:
        return {}
    rows = store.con.execute("""SELECT id, list(struct_pack(p := path, t := text) ORDER BY path) FROM license_texts
        WHERE repo_type = 'model' AND text IS NOT NULL AND id IN (SELECT unnest(?::VARCHAR[])) GROUP BY id""",
                             [bases]).fetchall()
    return {mid: [_identified(f["p"], f["t"]) for f in fs] for mid, fs in rows}


def load(store: Store, ids: list[str], read_at: str) -> dict[str, list[Reading]]:
    """The licences of every model's ancestors (known ones only), nearest first (then by id)."""
    from openscope.derive.openness.declared_base import family_of_root

    if not ids:
        return {}
    # `external`: not a live model (outside the store, or deleted from the Hub): its curated family is also looked
    # up by the family its id names; `stored`: its last-read declaration is in the store, deleted or not
    rows = store.con.execute(
        f"""SELECT w.id, w.base, w.distance, m.id IS NULL OR m.deleted_at IS NOT NULL AS external,
                   m.id IS NOT NULL AS stored, {DECLARATION_SQL}
            FROM ({walk_sql(True)}) w
            LEFT JOIN models m ON m.id = w.base
            WHERE NOT {same_org_sql('w.id', 'w.base')}
            ORDER BY w.id, w.distance, w.base""", [ids]).fetchall()
    # each ancestor's own declaration once (a deleted one's as last read); licence texts only where the tag says
    # nothing known
    sources = stored_sources(store, {r[1]: (r[1], *r[5:]) for r in rows if r[4]}.values())
    out: dict[str, list[Reading]] = {i: [] for i in ids}
    for mid, base, distance, external, *_declaration in rows:
        r = read(base, int(distance), sources.get(base),
                 functools.partial(family_of_root, base, bool(external)), read_at)
        if r is not None:
            out[mid].append(r)
    return out


def attach(store: Store, recs: Iterable[Any]) -> None:
    """Put each record's ancestors' licences in ``rec.cache["ancestors"]`` (the per-model path)."""
    by_id = {r.id: r for r in recs}
    if not by_id:
        return
    first = next(iter(by_id.values()))
    for mid, readings in load(store, list(by_id), first.read_at).items():
        by_id[mid].cache["ancestors"] = readings


# -- the set-based twin --------------------------------------------------------------------------------

PLACEHOLDER = "@anc{}@"   # a synthetic ancestor's id and locator; the SQL puts the real ones back


def _families_sql_rows() -> tuple[list[tuple[int, str]], list[tuple[str, int]], list[dict[str, Any]]]:
    """(hand-curated pattern rows (entry index, lower-case pattern), MOF record rows (lower-case id, index),
    the entries by index): :func:`curated.lookup_any` as tables (first hand-curated match in file order,
    else the MOF record of that exact id)."""
    entries = list(curated.entries())
    pats = [(i, str(p).lower()) for i, e in enumerate(entries) for p in e.get("hub_ids") or ()]
    mof = list(curated.mof_records().items())
    rows = [(k, len(entries) + j) for j, (k, _) in enumerate(mof)]
    return pats, rows, entries + [e for _, e in mof]


def _declarations(con: duckdb.DuckDBPyConnection) -> None:
    """Temp table ``_oanc_dec(base, lid, binds, item)``: for every ancestor of ``_oanc_need`` in the store (its tag
    says nothing known), the licence its own declaration gives (:func:`by_declaration`) when the catalogue knows
    its terms: catalogue id, whether it could bind anything, and the :class:`Source` as JSON. As the licence step
    does it (:func:`.flowdown.declarations`, the licence step's own table): the card's ``license_name``/``license_link``
    count only where the declared value is absent, ``other`` or ``unknown``; the licence file is picked per ancestor
    as that step picks it (each distinct text identified once, only ancestors with stored texts
    looked at); then each distinct declaration is resolved once and joined back."""
    declarations(con, "_oanc_decl", "SELECT base FROM _oanc_need WHERE NOT external")
    # the name and the link count only where the declared value is absent, `other` or `unknown` (the licence step's key)
    con.execute("""CREATE OR REPLACE TEMP TABLE _oanc_decl AS SELECT * REPLACE (
        CASE WHEN used THEN k_name END AS k_name, CASE WHEN used THEN k_link END AS k_link) FROM _oanc_decl""")
    keys = ("k_license", "k_name", "k_link", "f_path", "f_lic", "f_why")
    cols: dict[str, list[Any]] = {k: [] for k in (*keys, "lid", "binds", "item")}
    for row in con.execute(f"SELECT DISTINCT {', '.join(keys)} FROM _oanc_decl").fetchall():
        decl, name, link, f_path, f_lic, f_why = row
        src = by_declaration(decl, name, link, (f_path, f_lic, f_why or "") if f_path else None)
        t = terms(src.license) if src is not None else None
        if src is None or t is None:
            continue
        for k, v in zip(keys, row, strict=True):
            cols[k].append(v)
        cols["lid"].append(t.id)
        cols["binds"].append(can_bind(t))
        cols["item"].append(json.dumps(list(src)))
    con.register("_oanc_dec_b", pa.table({k: pa.array(v, pa.bool_() if k == "binds" else pa.string())
                                          for k, v in cols.items()}))
    on = " AND ".join(f"b.{k} IS NOT DISTINCT FROM d.{k}" for k in keys)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _oanc_dec AS
        SELECT d.id AS base, b.lid, b.binds, b.item FROM _oanc_decl d JOIN _oanc_dec_b b ON {on}""")
    con.unregister("_oanc_dec_b")
    con.execute("DROP TABLE IF EXISTS _oanc_decl")


def _deleted_declarations(store: Store) -> None:
    """Add to ``_oanc_dec`` the ancestors of ``_oanc_all`` deleted from the Hub whose last-read declaration names a
    licence the catalogue knows, read by the per-model path's own :func:`stored_sources` (a store holds few deleted
    models, and one function for both paths keeps them equal, evidence included)."""
    con = store.con
    gone = con.execute(f"""SELECT m.id, {DECLARATION_SQL} FROM models m
        WHERE m.deleted_at IS NOT NULL AND m.id IN (SELECT base FROM _oanc_all WHERE gone) ORDER BY m.id""").fetchall()
    rows = [(b, t.id, can_bind(t), json.dumps(list(src))) for b, src in stored_sources(store, gone).items()
            if src is not None and (t := terms(src.license)) is not None]
    if rows:
        con.executemany("INSERT INTO _oanc_dec VALUES (?, ?, ?, ?)", rows)


def binding_table(store: Store, graded: str, external_family: Callable[[str], dict[str, Any] | None]
                  ) -> dict[str, list[Reading]]:
    """Temp table ``_oanc(id, ah, akey, bases)``: for every model of ``graded`` (a table with ``id``) that has an
    ancestor whose known licence could bind something (:func:`inheritance.can_bind`), the nearest such
    ancestor per distinct licence, nearest first: ``akey`` names that list of (distance, where the licence was read:
    ``hub`` and the tag, ``decl`` and the :class:`Source` its own declaration gave as JSON, or ``c<i>``, a curated
    family, and its licence; ``ah`` is its md5), ``bases`` the ancestors' ids in the same order. Returns ah → the
    list as synthetic readings (ids and locators are :data:`PLACEHOLDER` i).

    The per-model path keeps, among *binding* readings, the first per licence; this keeps, among readings
    that *could* bind, the first per licence. The two agree: whether a reading binds depends only on its
    licence (and the declared one), so the filter and the "first per licence" commute."""
    con = store.con
    # a deleted ancestor is `external` (not a live model) and `gone`: its declaration as last read is taken below
    # (:func:`stored_sources`), not its tag here, so that its evidence says it was deleted
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _oanc_all AS
        SELECT w.id, w.base, w.distance, CASE WHEN m.deleted_at IS NULL THEN m.license END AS raw,
               m.id IS NULL OR m.deleted_at IS NOT NULL AS external, m.deleted_at IS NOT NULL AS gone
        FROM ({walk_sql(False)}) w
        JOIN {graded} g ON g.id = w.id
        LEFT JOIN models m ON m.id = w.base
        WHERE NOT {same_org_sql('w.id', 'w.base')}""")
    # each distinct Hub tag value once: does the catalogue know its terms, and could they bind?
    raws = [r[0] for r in con.execute("SELECT DISTINCT raw FROM _oanc_all WHERE raw IS NOT NULL").fetchall()]
    known = [(raw, t.id, can_bind(t)) for raw in raws if (t := terms(raw)) is not None]
    con.register("_oanc_raw_b", pa.table({"raw": pa.array([k[0] for k in known], pa.string()),
                                         "lid": pa.array([k[1] for k in known], pa.string()),
                                         "binds": pa.array([k[2] for k in known], pa.bool_())}))
    con.execute("CREATE OR REPLACE TEMP TABLE _oanc_raw AS SELECT * FROM _oanc_raw_b")
    con.unregister("_oanc_raw_b")
    # curated families, only for ancestors whose tag says nothing known: in the store by Hub id (patterns as
    # GLOB, as fnmatch reads them, then MOF record ids), outside it also by the family its id names
    pats, mof, entries = _families_sql_rows()
    con.register("_oanc_pat_b", pa.table({"idx": pa.array([p[0] for p in pats], pa.int64()),
                                         "pat": pa.array([p[1] for p in pats], pa.string())}))
    con.register("_oanc_mof_b", pa.table({"lid": pa.array([m[0] for m in mof], pa.string()),
                                         "idx": pa.array([m[1] for m in mof], pa.int64())}))
    con.execute("""CREATE OR REPLACE TEMP TABLE _oanc_need AS
        SELECT DISTINCT a.base, a.external FROM _oanc_all a LEFT JOIN _oanc_raw r ON r.raw = a.raw
        WHERE r.raw IS NULL""")
    _declarations(con)
    _deleted_declarations(store)
    con.execute("""CREATE OR REPLACE TEMP TABLE _oanc_fam AS
        SELECT n.base, coalesce(min(p.idx), any_value(o.idx)) AS idx
        FROM _oanc_need n
        LEFT JOIN _oanc_pat_b p ON lower(n.base) GLOB p.pat
        LEFT JOIN _oanc_mof_b o ON o.lid = lower(n.base)
        WHERE n.base NOT IN (SELECT base FROM _oanc_dec)
        GROUP BY n.base HAVING coalesce(min(p.idx), any_value(o.idx)) IS NOT NULL""")
    con.unregister("_oanc_pat_b")
    con.unregister("_oanc_mof_b")
    # an ancestor outside the store that no Hub id names: the family its id names (few: these are roots)
    names = {str(e["family"]): i for i, e in enumerate(entries)}
    ext = []
    for (base,) in con.execute("""SELECT base FROM _oanc_need WHERE external
                                  AND base NOT IN (SELECT base FROM _oanc_fam)""").fetchall():
        e = external_family(base)
        if e is not None:
            idx = names.get(str(e["family"]))
            if idx is None:   # a MOF record entry: find it by identity
                idx = next(i for i, x in enumerate(entries) if x is e)
            ext.append((base, idx))
    con.register("_oanc_ext_b", pa.table({"base": pa.array([b for b, _ in ext], pa.string()),
                                         "idx": pa.array([i for _, i in ext], pa.int64())}))
    con.execute("INSERT INTO _oanc_fam SELECT base, idx FROM _oanc_ext_b")
    con.unregister("_oanc_ext_b")
    # each family used: the licence its cited facts give the weights, when known and able to bind
    fam_rows = []
    for (idx,) in con.execute("SELECT DISTINCT idx FROM _oanc_fam").fetchall():
        fact = curated_weights(entries[idx])
        t = terms(fact[0]) if fact is not None else None
        if fact is not None and t is not None and can_bind(t):
            fam_rows.append((idx, fact[0], t.id))
    con.register("_oanc_fl_b", pa.table({"idx": pa.array([f[0] for f in fam_rows], pa.int64()),
                                        "raw": pa.array([f[1] for f in fam_rows], pa.string()),
                                        "lid": pa.array([f[2] for f in fam_rows], pa.string())}))
    con.execute("""CREATE OR REPLACE TEMP TABLE _oanc AS
        WITH readings AS (
            SELECT a.id, a.base, a.distance,
                   CASE WHEN r.raw IS NOT NULL THEN 'hub' WHEN d.base IS NOT NULL THEN 'decl'
                        ELSE 'c' || f.idx END AS src,
                   coalesce(r.raw, d.item, fl.raw) AS raw, coalesce(r.lid, d.lid, fl.lid) AS lid,
                   CASE WHEN r.raw IS NOT NULL THEN r.binds WHEN d.base IS NOT NULL THEN d.binds
                        ELSE fl.idx IS NOT NULL END AS binds
            FROM _oanc_all a
            LEFT JOIN _oanc_raw r ON r.raw = a.raw
            LEFT JOIN _oanc_dec d ON r.raw IS NULL AND d.base = a.base
            LEFT JOIN _oanc_fam f ON r.raw IS NULL AND d.base IS NULL AND f.base = a.base
            LEFT JOIN _oanc_fl_b fl ON fl.idx = f.idx),
        nearest AS (
            SELECT * FROM readings WHERE binds
            QUALIFY row_number() OVER (PARTITION BY id, lid ORDER BY distance, base) = 1)
        SELECT id, md5(akey) AS ah, akey, bases FROM (
            SELECT id, to_json(list([distance::VARCHAR, src, raw] ORDER BY distance, base))::VARCHAR AS akey,
                   list(base ORDER BY distance, base) AS bases
            FROM nearest GROUP BY id)""")
    con.unregister("_oanc_fl_b")
    for t in ("_oanc_all", "_oanc_raw", "_oanc_need", "_oanc_fam", "_oanc_dec"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    lists: dict[str, list[Reading]] = {}
    for ah, akey in con.execute("SELECT DISTINCT ah, akey FROM _oanc").fetchall():
        items = json.loads(akey)
        out = []
        for i, (distance, src, raw) in enumerate(items):
            ph = PLACEHOLDER.format(i)
            entry = entries[int(src[1:])] if src.startswith("c") else None
            source = tag_source(raw) if src == "hub" else Source(*json.loads(raw)) if src == "decl" else None
            r = read(ph, int(distance), source, functools.partial(_same, entry), "")
            assert r is not None, akey   # every listed licence is known
            out.append(r)
        lists[ah] = out
    return lists
