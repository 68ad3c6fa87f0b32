"""Per-model licences and their flow-down along lineage, set-based in DuckDB.

Why this shape: a store holds millions of models but only a few thousand distinct licence declarations.
So the Python normaliser runs once per *distinct* (license, license_name, license_link) triple, its
answers and the catalogue are loaded into DuckDB as tables, and everything per model is a join:

1. ``licenses``: one row per model from ``models.license`` (the Hub ``license:`` tag, else the card's
   ``license``), falling back to the card's ``license_name`` then ``license_link`` when the declared
   value is ``other``/unknown/absent;
2. ``license_flow``: one row per (model, ancestor), every ancestor along chosen lineage edges (see
   :func:`_ancestors`), with the ancestor's licence and a conflict flag. The flag is TRUE
   only where the derivative's licence permits something the base's forbids: commercial use under a
   non-commercial base, no use restrictions under a use-restricted base, no (or a higher) user cap, a
   naming duty dropped, or any distribution of a derivative under a no-derivatives base. Unknown on either
   side gives NULL (unknown), never a flag. A base the model's own organisation published
   (:mod:`.licensor`) is its licensor's: a licence binds its licensees, not its licensor, so that row is
   FALSE with a reason saying so, and passes no terms down (other organisations' ancestors still do).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import duckdb

from openscope.derive.licenses import sharealike
from openscope.derive.licenses.card import card_license as read_card_license
from openscope.derive.licenses.catalogue import (
    CLASS_RANK,
    Clause,
    LicenseInfo,
    all_licenses,
    duties_known,
    get_license,
)
from openscope.derive.licenses.licensor import WHY as LICENSOR_WHY
from openscope.derive.licenses.licensor import org_sql, organisation
from openscope.derive.licenses.normalize import _LICENSING, LicenseMatch, _lookup, _symbols, normalize_license
from openscope.errors import MissingInput
from openscope.sources.license_files import is_license_file, link_repo_id, link_target, reading_priority
from openscope.store import Store

if TYPE_CHECKING:
    import pyarrow as pa

# pyarrow (0.15 s to import) is imported by the functions that build tables: `model` and `license` import this
# package for the catalogue and start without it (docs/development.md, "Start-up").

_ATTRS = ("cls", "commercial_use", "use_restrictions", "user_cap", "duties", "same_terms", "derivatives_allowed")


def _all_true(vals: list[bool | None]) -> bool | None:
    if any(v is False for v in vals):
        return False
    return True if all(v is True for v in vals) else None


def _any_true(vals: list[bool | None]) -> bool | None:
    if any(v is True for v in vals):
        return True
    return False if all(v is False for v in vals) else None


def _combine(node) -> dict[str, Any]:
    """Attributes of a parsed expression: OR = the licensee's least restrictive option; AND = all apply."""
    name = type(node).__name__
    if name == "LicenseWithExceptionSymbol":
        return _combine(node.license_symbol)
    if name in {"AND", "OR"}:
        parts = [_combine(a) for a in node.args]
        if name == "OR":
            known = [p for p in parts if p["cls"] != "unknown"]
            if not known:
                return parts[0]
            return min(known, key=lambda p: CLASS_RANK[p["cls"]])
        classes = [p["cls"] for p in parts]
        caps = [p["user_cap"] for p in parts if p["user_cap"] is not None]
        duties: list[str] = []
        for p in parts:
            duties += [d for d in p["duties"] if d not in duties]
        # a duty binds only unmodified copies when every part that imposes it says so (one part binding every copy
        # is enough for the whole to)
        scopes = {d: sc for d in duties
                  if len(sc_set := {p["duty_scopes"].get(d, "all") for p in parts if d in p["duties"]}) == 1
                  and (sc := next(iter(sc_set))) != "all"}
        return {
            "duty_scopes": scopes,
            "duties_complete": all(p["duties_complete"] for p in parts),
            "cls": "unknown" if "unknown" in classes else max(classes, key=CLASS_RANK.__getitem__),
            "commercial_use": _all_true([p["commercial_use"] for p in parts]),
            "use_restrictions": _any_true([p["use_restrictions"] for p in parts]),
            "user_cap": min(caps) if caps else None,
            "duties": duties,
            "same_terms": _any_true([p["same_terms"] for p in parts]),
            "derivatives_allowed": _all_true([p["derivatives_allowed"] for p in parts]),
        }
    hit = _lookup(node.key)
    return _info_attrs(hit[0]) if hit else _unknown_attrs()


def _info_attrs(info: LicenseInfo) -> dict[str, Any]:
    return {**{a: (list(getattr(info, a)) if a == "duties" else getattr(info, a)) for a in _ATTRS},
            "duty_scopes": dict(info.duty_scopes), "duties_complete": info.duties_complete}


def _unknown_attrs() -> dict[str, Any]:
    return {"cls": "unknown", "commercial_use": None, "use_restrictions": None, "user_cap": None, "duties": [],
            "same_terms": None, "derivatives_allowed": None, "duty_scopes": {}, "duties_complete": False}


def match_attributes(m: LicenseMatch) -> dict[str, Any]:
    """The attributes a normalised licence carries (for an expression, combined by its operators)."""
    if m.id is not None:
        info = get_license(m.id)
        return _info_attrs(info) if info is not None and info.known else _unknown_attrs()
    if m.expression:
        return _combine(_LICENSING.parse(m.expression))
    return _unknown_attrs()


def expression_info(raw: str) -> LicenseInfo | None:
    """A :class:`LicenseInfo` for an SPDX expression whose parts are all catalogued, else None."""
    m = normalize_license(raw, kind="tag")
    if m.id is not None or not m.expression:
        return None
    a = match_attributes(m)
    parts = [_lookup(s.key) for s in _symbols(_LICENSING.parse(m.expression))]
    infos = [p[0] for p in parts if p]
    return LicenseInfo(
        id=m.expression, name=m.expression, spdx=m.expression if all(i.spdx for i in infos) else None,
        cls=a["cls"], osi_approved=_all_true([i.osi_approved for i in infos]) if all(
            i.osi_approved is not None for i in infos) and len({i.osi_approved for i in infos}) == 1 else None,
        fsf_libre=None, commercial_use=a["commercial_use"], use_restrictions=a["use_restrictions"],
        user_cap=a["user_cap"], duties=a["duties"], same_terms=a["same_terms"],
        clauses=[Clause("expression", f"combines {', '.join(i.id for i in infos)}: OR lets the licensee pick "
                        "the least restrictive option, AND applies every part", "https://spdx.github.io/"
                        "spdx-spec/v2.3/SPDX-license-expressions/", True)],
        derivatives_allowed=a["derivatives_allowed"], notes="synthesised from an SPDX expression",
        duty_scopes=a["duty_scopes"], duties_complete=a["duties_complete"],
    )


def declared_value(license: str | None, card_license: str | None) -> str | None:
    """What a model declares: ``models.license``, or the card's whole ``license:`` list when it names several
    licences (``models.license`` keeps only the first). The per-model twin of the SQL in :func:`refresh`."""
    if card_license and card_license.startswith("["):
        try:
            items = json.loads(card_license)
        except ValueError:
            return license
        if isinstance(items, list) and len(items) > 1:
            return card_license
    return license


# A licence file the crawl read for a model, as the declaration uses it: (path, the licence its text identifies or
# None, the identifying line or why not).
FileReading = tuple[str, str | None, str]


def identify_texts(texts: list[tuple[str, str]]) -> list[FileReading]:
    """Each (path, text) read from a model's repository, identified by the folder reader's own rules
    (:func:`.license_files.identify_file`: never a guess; an unrecognised text identifies nothing)."""
    from openscope.derive.openness.license_files import identify_file, scope_of_name

    out: list[FileReading] = []
    for path, text in texts:
        lf, _ = identify_file(path, text, scope_of_name(path))
        where = f"{path}#L{lf.line}" if lf.line else path
        out.append((path, lf.license, f"{where}: {lf.snippet}" if lf.snippet else where))
    return out


def reading_line(f: FileReading) -> tuple[int | None, str]:
    """The line of a file reading that identified its licence and that line's text (``(None, "")`` when none was
    quoted), as :func:`identify_texts` put them in its third part (``path#L<line>: text``): for evidence that links
    to the line."""
    path, _, why = f
    rest = why[len(path):] if why.startswith(path) else ""
    m = re.match(r"#L(\d+)", rest)
    if m is not None:
        rest = rest[m.end():]
    return (int(m.group(1)) if m else None), (rest[2:] if rest.startswith(": ") else "")


def declaration_file(model_id: str, license_link: str | None, files: list[FileReading]) -> FileReading | None:
    """The licence file that tells which licence a model declaring ``other`` (or nothing) is under: the file its
    card's ``license_link`` names, else its licence files for the weights (``LICENSE-MODEL``), else those for the
    whole release (``LICENSE``), in the folder reader's order; the first whose text identifies a licence, else the
    first of them (unidentified: the reason). None when none was read. A file for the code or data alone
    (``LICENSE-CODE``) never says what the model is under."""
    from openscope.derive.openness.license_files import scope_of_name

    by_path = {f[0]: f for f in files}
    linked = link_target(license_link, model_id, set(by_path)) if license_link else None
    own = sorted((f for f in files if f[0] != linked and is_license_file(f[0])), key=lambda f: reading_priority(f[0]))
    order = ([by_path[linked]] if linked else []) + [f for f in own if "weights" in scope_of_name(f[0])] \
        + [f for f in own if not scope_of_name(f[0])]
    return next((f for f in order if f[1]), order[0] if order else None)


def resolve_declaration(declared: str | None, license_name: str | None,
                        license_link: str | None, file: FileReading | None = None) -> tuple[LicenseMatch, str]:
    """The licence a model declares: its ``license`` value; when that is absent, ``other`` or ``unknown``,
    the card's ``license_name``, then ``license_link`` (the Hub's convention for licences outside its list),
    then the text of the licence file the crawl read (``file``, :func:`declaration_file`): identified by its text,
    never guessed; an unrecognised text leaves the licence unknown (or ``other``) with that reason.

    Returns the match and its source: license | card_name | license_link | license_file | none.
    """
    first, source = _resolve_declared(declared, license_name, license_link)
    # as the set-based refresh keys it: the file counts where license_name/link do (nothing, `other`, `unknown`)
    uses_file = declared is None or declared.strip().lower() in {"", "other", "unknown"}
    if file is None or not uses_file or (first.id not in {"other", "unknown"} and first.license is not None):
        return first, source
    path, lic, why = file
    if lic and lic not in {"other", "unknown"}:
        m = normalize_license(lic, kind="tag")
        if m.license is not None and m.id not in {"other", "unknown"}:
            return LicenseMatch(m.id, m.expression, round(m.confidence * 0.8, 3), f"file: {why}", m.reason,
                                m.cls), "license_file"
        note = f"the licence file {path} identifies {lic}, which is not a catalogued licence"
    elif lic == "other":
        note = f"the licence file {path} is a licence of the publisher's own ({why})"
    else:
        note = f"the licence file {path} was read; its text is not recognised ({why})"
    reason = f"{first.reason}; {note}" if first.reason else note
    return LicenseMatch(first.id, first.expression, first.confidence, first.evidence, reason, first.cls), source


def _resolve_declared(declared: str | None, license_name: str | None,
                      license_link: str | None) -> tuple[LicenseMatch, str]:
    """:func:`resolve_declaration` from the declaration alone (no licence file)."""
    # the Hub derives the `license:` tag from the card's `license:` field: one declaration, read as a tag value
    first = normalize_license(declared, kind="tag") if declared and declared.strip() else None
    if first is not None and declared.strip().lower() not in {"other", "unknown"}:  # type: ignore[union-attr]  # first is None unless declared is set
        return first, "license"
    for raw, kind, source in ((license_name, "card_name", "card_name"), (license_link, "link", "license_link")):
        if raw:
            m = normalize_license(raw, kind=kind)
            if m.id not in {"other", "unknown"}:
                return m, source
    if first is not None:
        if first.id == "other" and (license_name or license_link):
            named = license_name or license_link
            return LicenseMatch("other", None, first.confidence, first.evidence,
                                f"declared `other` with license_name/link '{named}', not a catalogued licence",
                                "unknown"), "license"
        return first, "license"
    if license_name or license_link:
        m = normalize_license(license_name or license_link, kind="card_name" if license_name else "link")
        return m, "card_name" if license_name else "license_link"
    return normalize_license(None), "none"


def _catalogue_table() -> pa.Table:
    import pyarrow as pa

    rows = all_licenses()
    return pa.table({
        "license": [e.id for e in rows],
        "name": [e.name for e in rows],
        "spdx": [e.spdx for e in rows],
        "class": [e.cls for e in rows],
        "osi_approved": pa.array([e.osi_approved for e in rows], pa.bool_()),
        "fsf_libre": pa.array([e.fsf_libre for e in rows], pa.bool_()),
        "commercial_use": pa.array([e.commercial_use for e in rows], pa.bool_()),
        "use_restrictions": pa.array([e.use_restrictions for e in rows], pa.bool_()),
        "user_cap": pa.array([e.user_cap for e in rows], pa.int64()),
        "same_terms": pa.array([e.same_terms for e in rows], pa.bool_()),
        "derivatives_allowed": pa.array([e.derivatives_allowed for e in rows], pa.bool_()),
        "duties": pa.array([list(e.duties) for e in rows], pa.list_(pa.string())),
        "url": [e.url for e in rows],
    })


def declarations(con: duckdb.DuckDBPyConnection, table: str, ids_sql: str | None = None,
                 repo_type: str = "model", with_deleted: bool = False) -> None:
    """Temp table ``table(id, deleted_at, k_license, k_name, k_link, h, used, f_path, f_lic, f_why)``: each live
    model's (or, with ``repo_type`` ``dataset``, dataset's) licence declaration (of those ``ids_sql`` selects, else
    every one) as :func:`resolve_declaration` reads it, keyed by ``h``, with the licence file
    :func:`_license_file_keys` picked. One definition for the licence step (every model and dataset) and the openness
    inheritance rule (the ancestors it reads), so all read a declaration alike.

    ``with_deleted``: models a full crawl found gone from the Hub too (``deleted_at`` set), with the declaration
    they were last read with. Why: a licence binds a derivative as it was granted, and a deleted base's card can no
    longer be read on the Hub, so its last-read declaration is the best evidence there is (docs/licenses.md, *A base
    deleted from the Hub*); the licence step reads bases so, and still writes no row for a deleted model itself."""
    if repo_type not in ("model", "dataset"):
        raise ValueError(f"repository type {repo_type!r}: model or dataset")
    where = f" AND id IN ({ids_sql})" if ids_sql else ""
    live = "TRUE" if with_deleted else "deleted_at IS NULL"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {table} AS
        SELECT id, deleted_at, license AS k_license, ln[1] AS k_name, ln[2] AS k_link,
               hash(coalesce(license, ''), CASE WHEN used THEN coalesce(ln[1], '') ELSE '' END,
                    CASE WHEN used THEN coalesce(ln[2], '') ELSE '' END) AS h, used
        FROM (SELECT id, deleted_at, license, ln,
                     license IS NULL OR lower(trim(license)) IN ('', 'other', 'unknown') AS used
              FROM (SELECT id, deleted_at, ln,
                           CASE WHEN starts_with(ln[3], '[') AND json_array_length(try_cast(ln[3] AS JSON)) > 1
                                THEN ln[3]
                                ELSE m.license END AS license
                    FROM (SELECT id, deleted_at, license,
                                 json_extract_string(card_data, ['$.license_name', '$.license_link',
                                                                 '$.license']) AS ln
                          FROM {repo_type}s WHERE {live}{where}) m))""")
    _license_file_keys(con, table, repo_type)


def _license_file_keys(con: duckdb.DuckDBPyConnection, table: str, repo_type: str = "model") -> None:
    """Add to ``table`` (``id``, ``k_link``, ``used``, ``h``; ``_lic_raw`` here, the ancestors whose tag says nothing
    known for :mod:`openscope.derive.openness.ancestry`) the licence file each model whose declaration uses one
    (``used``: absent, ``other``, ``unknown``) was read with (``f_path``, ``f_lic``, ``f_why``:
    :func:`declaration_file`), and fold it into the declaration key ``h``. Each distinct text is identified once;
    only models with stored licence texts (those the crawl read cards for) are looked at, so the per-model work stays
    a join."""
    import pyarrow as pa

    rows = con.execute(f"""SELECT r.id, any_value(r.k_link), list(struct_pack(p := t.path, h := sha256(t.text)))
        FROM {table} r JOIN license_texts t ON t.id = r.id AND t.repo_type = ?
        WHERE r.used AND t.text IS NOT NULL GROUP BY r.id""", [repo_type]).fetchall()
    hashes = sorted({f["h"] for _, _, fs in rows for f in fs})
    # texts are keyed by SHA-256, not DuckDB's 64-bit hash(): anyone can publish a licence file, and a text crafted
    # to collide with another repository's would otherwise lend that repository's models its licence
    known: dict[str, str] = {}
    if hashes:
        for h, text in con.execute("""SELECT sha256(text) AS h, any_value(text) FROM license_texts
                WHERE text IS NOT NULL AND sha256(text) IN (SELECT unnest(?::VARCHAR[])) GROUP BY h""",
                                   [hashes]).fetchall():
            known[h] = text
    ident: dict[tuple[str, str], FileReading] = {}
    picked: dict[str, list[Any]] = {"id": [], "f_path": [], "f_lic": [], "f_why": []}
    for mid, link, fs in rows:
        readings = []
        for f in fs:
            key = (f["p"], f["h"])
            if key not in ident and f["h"] in known:
                ident[key] = identify_texts([(f["p"], known[f["h"]])])[0]
            if key in ident:
                readings.append(ident[key])
        chosen = declaration_file(link_repo_id(repo_type, mid), link, readings)
        if chosen is not None:
            for k, v in zip(("id", "f_path", "f_lic", "f_why"), (mid, *chosen), strict=True):
                picked[k].append(v)
    con.register("_lic_files_arrow", pa.table({k: pa.array(v, pa.string()) for k, v in picked.items()}))
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {table} AS
        SELECT r.* REPLACE (CASE WHEN f.id IS NULL THEN r.h
                                 ELSE hash(r.h, f.f_path, coalesce(f.f_lic, ''), f.f_why) END AS h),
               f.f_path, f.f_lic, f.f_why
        FROM {table} r LEFT JOIN _lic_files_arrow f ON f.id = r.id""")
    con.unregister("_lic_files_arrow")


def _distinct_declarations(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    """One row per distinct declaration key ``h`` of ``table`` (as :func:`declarations` writes it): the tag, the
    name and link where they are used, the licence file's path, licence and reason, each key's first 7 values
    and the number of distinct declarations sharing it (more than one would be a 64-bit hash collision: never
    seen, but never silently wrong, so it raises)."""
    triples = con.execute(f"""SELECT h, any_value(k_license),
               any_value(CASE WHEN used THEN k_name END), any_value(CASE WHEN used THEN k_link END),
               any_value(f_path), any_value(f_lic), any_value(f_why),
               count(DISTINCT (coalesce(k_license, ''), CASE WHEN used THEN coalesce(k_name, '') END,
                               CASE WHEN used THEN coalesce(k_link, '') END, coalesce(f_path, ''),
                               coalesce(f_lic, ''), coalesce(f_why, '')))
        FROM {table} GROUP BY h""").fetchall()
    if any(t[7] > 1 for t in triples):
        raise RuntimeError("licence declaration hash collision; rerun with a different seed")
    return triples


def _declaration_table(triples: list[tuple[int, str, str, str, str, str, str]]) -> pa.Table:
    import pyarrow as pa

    cols: dict[str, list[Any]] = {k: [] for k in (
        "h", "rank", "k_license", "k_name", "k_link", "license", "expression", "class", "confidence", "evidence", "reason",
        "source", "commercial_use", "use_restrictions", "user_cap", "duties", "same_terms", "derivatives_allowed")}
    for h, declared, lname, llink, f_path, f_lic, f_why in triples:
        m, source = resolve_declaration(declared or None, lname or None, llink or None,
                                        (f_path, f_lic or None, f_why or "") if f_path else None)
        a = match_attributes(m)
        cols["h"].append(h)
        cols["rank"].append(CLASS_RANK.get(a["cls"]))
        cols["k_license"].append(declared)
        cols["k_name"].append(lname)
        cols["k_link"].append(llink)
        cols["license"].append(m.license)
        cols["expression"].append(m.expression)
        cols["class"].append(a["cls"])
        cols["confidence"].append(m.confidence)
        cols["evidence"].append(m.evidence)
        cols["reason"].append(m.reason)
        cols["source"].append(source)
        cols["commercial_use"].append(a["commercial_use"])
        cols["use_restrictions"].append(a["use_restrictions"])
        cols["user_cap"].append(a["user_cap"])
        cols["duties"].append(a["duties"])
        cols["same_terms"].append(a["same_terms"])
        cols["derivatives_allowed"].append(a["derivatives_allowed"])
    types = {"h": pa.uint64(), "rank": pa.int32(),
             "commercial_use": pa.bool_(), "use_restrictions": pa.bool_(), "same_terms": pa.bool_(),
             "derivatives_allowed": pa.bool_(),
             "user_cap": pa.int64(), "confidence": pa.float64(), "duties": pa.list_(pa.string())}
    return pa.table({k: pa.array(v, types.get(k, pa.string())) for k, v in cols.items()})


# The conflict rules, as SQL over derivative d.* and base b.*: each gives TRUE (flag), FALSE or NULL.
_RULES = [
    ("d.commercial_use AND NOT b.commercial_use",
     "'permits commercial use; base licence ' || b.license || ' is non-commercial'"),
    ("(NOT d.use_restrictions) AND b.use_restrictions",
     "'drops the use restrictions of ' || b.license || ' (the uses that licence forbids)'"),
    ("b.user_cap IS NOT NULL AND (d.user_cap IS NULL OR d.user_cap > b.user_cap)",
     "'lifts the ' || format('{:,}', b.user_cap) || ' monthly-active-user cap of ' || b.license"),
    ("len(list_filter(b.duties, lambda x: x LIKE 'naming:%' OR x LIKE 'name_prefix:%')) > 0 AND "
     "len(list_filter(b.duties, lambda x: (x LIKE 'naming:%' OR x LIKE 'name_prefix:%') AND NOT list_contains(d.duties, x))) > 0",
     "'drops the naming duty (' || array_to_string(list_transform(list_filter(b.duties, lambda x: (x LIKE 'naming:%' OR "
     "x LIKE 'name_prefix:%') AND NOT list_contains(d.duties, x)), lambda x: CASE WHEN x LIKE 'naming:%' "
     "THEN 'display \"' || x[8:] || '\"' ELSE 'model name starting with \"' || x[13:] || '\"' END), ', ') "
     "|| ') of ' || b.license"),
    ("NOT b.derivatives_allowed",
     "'base licence ' || b.license || ' forbids distributing derivatives'"),
    # share-alike (GPL §5(c) and §10, CC BY-SA §3(b), CC BY-NC-SA): the base's licence obliges a derivative to stay
    # under the same terms, and a derivative whose licence carries no such duty (MIT, Apache-2.0, CC BY-NC) lets
    # its own derivatives go out under any terms. A derivative under a share-alike licence of its own is not
    # flagged (whether two share-alike licences are compatible is not decided here); nor is one whose licence's
    # text was not read (its duties are unknown: `_UNREAD` is filled in by `_flow`)
    ("list_contains(b.duties, 'same_terms') AND NOT list_contains(d.duties, 'same_terms') "
     "AND NOT list_contains(_UNREAD, d.license)",
     "'lets derivatives go out under other terms, where base licence ' || b.license || ' obliges them to stay "
     "under its own (share-alike)'"),
    # two share-alike licences: the base's text says which licences its derivatives may carry (share_alike.yaml,
    # :mod:`.sharealike`): CC BY-SA 4.0 material may go out under GPLv3, GPLv3 material never under CC BY-SA. `s` is
    # the pair's verdict (`_lic_sa`, filled in by `_flow`): NULL where the base's text leaves it undecided
    ("list_contains(b.duties, 'same_terms') AND list_contains(d.duties, 'same_terms') AND d.license <> b.license "
     "AND NOT s.accepted",
     "'goes out under ' || d.license || ', which base licence ' || b.license || ' does not accept for "
     "derivatives (share-alike: ' || s.why || ')'"),
]


def refresh(store: Store) -> dict[str, Any]:
    """Recompute ``license_catalogue``, ``licenses`` and ``license_flow`` for the whole store.

    Each model is keyed by a hash of its (license, license_name, license_link) declaration; the
    normaliser's answer per declaration and the conflict rules per (derivative, base) declaration pair
    are computed once and joined back, so the per-model work is hash joins on integers.
    """
    t0 = time.perf_counter()
    con = store.con
    phases: dict[str, float] = {}
    last = [t0]

    def lap(name: str) -> None:
        now = time.perf_counter()
        phases[name] = round(now - last[0], 3)
        last[0] = now

    has_lineage = bool(store.scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'lineage'"))
    with store.transaction():
        # license_name / license_link only matter when the declared licence is absent, `other` or `unknown`
        # (resolve_declaration): elsewhere they stay out of the key, so per-repo links do not multiply it.
        # A card `license:` list (several licences) is kept whole: models.license holds only its first entry.
        # deleted models too: a base a full crawl found gone binds its derivatives as it was last read
        declarations(con, "_lic_raw", with_deleted=True)
        lap("read_declarations")
        triples = _distinct_declarations(con, "_lic_raw")
        lap("distinct")
        t_norm = time.perf_counter()
        decl = _declaration_table([t[:7] for t in triples])
        t_norm = time.perf_counter() - t_norm
        cat = _catalogue_table()
        con.register("_lic_decl_arrow", decl)
        con.register("_lic_cat_arrow", cat)
        con.execute("DELETE FROM license_catalogue")
        con.execute("INSERT INTO license_catalogue SELECT * FROM _lic_cat_arrow")
        con.execute("CREATE OR REPLACE TEMP TABLE _lic_decl AS SELECT * FROM _lic_decl_arrow")
        con.unregister("_lic_decl_arrow")
        con.unregister("_lic_cat_arrow")
        lap("normalise_and_catalogue")
        _recreate_empty(con, "license_flow")
        n_flow = 0
        if has_lineage:
            _flow(con, lap)
            n_flow = int(store.scalar("SELECT count(*) FROM license_flow") or 0)
            lap("flow_write")
        else:
            con.execute("CREATE OR REPLACE TEMP TABLE _anc (id VARCHAR, bh UBIGINT, licensor BOOLEAN)")
        ranks = f"[{_class_rank_sql()}]"
        _recreate_empty(con, "licenses")
        con.execute(f"""INSERT INTO licenses (id, declared, license, class, confidence, evidence, expression, source,
                reason, license_name, license_link, commercial_use, use_restrictions, user_cap, duties, same_terms,
                derivatives_allowed, effective_class)
            SELECT r.id, r.k_license, d.license, d.class, d.confidence, d.evidence, d.expression, d.source,
                   d.reason, r.k_name, r.k_link, d.commercial_use, d.use_restrictions, d.user_cap, d.duties,
                   d.same_terms, d.derivatives_allowed,
                   CASE WHEN d.rank IS NULL THEN 'unknown'
                        WHEN w.worst IS NULL OR w.worst <= d.rank THEN d.class
                        ELSE list_extract({ranks}, w.worst + 1) END
            FROM _lic_raw r JOIN _lic_decl d ON d.h = r.h
            LEFT JOIN (SELECT a.id, max(b.rank) AS worst FROM _anc a JOIN _lic_decl b ON b.h = a.bh
                       WHERE NOT a.licensor GROUP BY a.id) w ON w.id = r.id
            WHERE r.deleted_at IS NULL""")
        n = int(store.scalar("SELECT count(*) FROM licenses") or 0)
        lap("write_licenses")
        n_datasets = _dataset_licenses(con)
        lap("dataset_licenses")
        for t in ("_lic_raw", "_lic_decl", "_anc", "_lic_pairs"):
            con.execute(f"DROP TABLE IF EXISTS {t}")
    lap("commit")
    return {"models": n, "datasets": n_datasets, "declarations": len(triples), "flow_rows": n_flow,
            "normalise_s": round(t_norm, 3),
            "elapsed_s": round(time.perf_counter() - t0, 3), "phases": phases}


def _dataset_licenses(con: duckdb.DuckDBPyConnection) -> int:
    """Write ``dataset_licenses`` (migration 0015): each live dataset's licence, resolved from its declaration as a
    model's is (:func:`resolve_declaration`: ``license``, then ``license_name``/``license_link``, then the text of the
    licence file ``crawl --datasets --cards`` read). Why: a dataset declaring ``license: other`` with a LICENSE is
    unknown by its tag alone; its text identifies it, and the openness grades read the identified licence for a
    model's declared training data (the MOF *Datasets* component, the index's data dimensions). Datasets have no
    lineage, so there is no flow-down. Returns the rows written."""
    declarations(con, "_dlic_raw", repo_type="dataset")
    triples = _distinct_declarations(con, "_dlic_raw")
    con.register("_dlic_decl_arrow", _declaration_table([t[:7] for t in triples]))
    try:
        _recreate_empty(con, "dataset_licenses")
        con.execute("""INSERT INTO dataset_licenses (id, declared, license, class, confidence, evidence, expression,
                source, reason, license_name, license_link)
            SELECT r.id, r.k_license, d.license, d.class, d.confidence, d.evidence, d.expression, d.source, d.reason,
                   r.k_name, r.k_link
            FROM _dlic_raw r JOIN _dlic_decl_arrow d ON d.h = r.h""")
    finally:
        con.unregister("_dlic_decl_arrow")
        con.execute("DROP TABLE IF EXISTS _dlic_raw")
    return int(con.execute("SELECT count(*) FROM dataset_licenses").fetchone()[0])  # type: ignore[index]  # an aggregate always yields one row


def _recreate_empty(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Empty a derived table by dropping and recreating it from its own DDL (as the migrations left it).

    Why not DELETE: deleting millions of rows and inserting their replacements in one transaction costs
    twice the write; a fresh table costs one. The DDL is read back from the catalog, so columns added by
    later migrations are kept.
    """
    ddl = con.execute(  # type: ignore[index]  # the migrations create every derived table
                      "SELECT sql FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = ?",
                      [table]).fetchone()[0]
    con.execute(f"DROP TABLE main.{table}")
    con.execute(ddl)


def _flow(con: duckdb.DuckDBPyConnection, lap: Callable[[str], None]) -> None:
    """``license_flow`` from the lineage paths; the rules run once per distinct declaration pair."""
    unread = "[" + ", ".join("'" + e.id.replace("'", "''") + "'" for e in all_licenses() if not e.duties_complete) + "]::VARCHAR[]"
    rules = [(cond.replace("_UNREAD", unread), text) for cond, text in _RULES]
    flagged = " OR ".join(f"coalesce({cond}, FALSE)" for cond, _ in rules)
    all_false = " AND ".join(f"(({cond}) IS NOT DISTINCT FROM FALSE)" for cond, _ in rules)
    reasons = ", ".join(f"CASE WHEN coalesce({cond}, FALSE) THEN {text} END" for cond, text in rules)
    _ancestors(con)
    # `lorg`: the organisation that publishes both the model and this ancestor, its licensor (:mod:`.licensor`):
    # the ancestor's terms do not bind it (NULL otherwise; `licensor` says which rows)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _anc AS
        SELECT * EXCLUDE (o_id, o_base), CASE WHEN o_id = o_base THEN o_id END AS lorg,
               coalesce(o_id = o_base, FALSE) AS licensor
        FROM (SELECT a.id, a.base, a.root, a.distance, d.h AS dh, b.h AS bh,
                     {org_sql('a.id')} AS o_id, {org_sql('a.base')} AS o_base
              FROM _anc_pairs a
              JOIN _lic_raw d ON d.id = a.id AND d.deleted_at IS NULL
              LEFT JOIN _lic_raw b ON b.id = a.base)""")
    con.execute("DROP TABLE _anc_pairs")
    lap("flow_ancestors")
    _share_alike_pairs(con)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _lic_pairs AS
        SELECT p.dh, coalesce(p.bh, 0) AS bk,
               CASE WHEN d.license IS NULL OR b.license IS NULL OR d.class = 'unknown' OR b.class = 'unknown'
                         THEN NULL
                    WHEN {flagged} THEN TRUE
                    WHEN {all_false} THEN FALSE
                    ELSE NULL END AS conflict,
               CASE WHEN d.class <> 'unknown' AND b.class <> 'unknown'
                    THEN nullif(concat_ws('; ', {reasons}), '') END AS reason
        FROM (SELECT DISTINCT dh, bh FROM _anc) p
        JOIN _lic_decl d ON d.h = p.dh
        LEFT JOIN _lic_decl b ON b.h = p.bh
        LEFT JOIN _lic_sa s ON s.dl = d.license AND s.bl = b.license""")
    con.execute("DROP TABLE _lic_sa")
    lap("flow_rules")
    con.execute(f"""INSERT INTO license_flow
        SELECT a.id, a.base, a.root, a.distance, d.license, d.class, b.license, coalesce(b.class, 'unknown'),
               coalesce(b.duties, []), CASE WHEN a.licensor THEN FALSE ELSE p.conflict END,
               CASE WHEN a.licensor THEN {_licensor_reason_sql('a.lorg')} ELSE p.reason END
        FROM _anc a
        JOIN _lic_decl d ON d.h = a.dh
        LEFT JOIN _lic_decl b ON b.h = a.bh
        JOIN _lic_pairs p ON p.dh = a.dh AND p.bk = coalesce(a.bh, 0)""")
    _contradicting_bases(con)
    lap("flow_contradictions")


LICENSOR_REASON = "relicensed by its licensor"


def _licensor_reason_sql(col: str) -> str:
    """SQL for the reason of a ``license_flow`` row whose base the model's own organisation (``col``) published
    (:mod:`.licensor`): no conflict, and :func:`model_licenses` reads no terms from it."""
    return (f"'{LICENSOR_REASON}: ' || {col} || ' publishes both this model and this base; "
            f"{LICENSOR_WHY.replace(chr(39), chr(39) * 2)}'")


def _share_alike_pairs(con: duckdb.DuckDBPyConnection) -> None:
    """Temp table ``_lic_sa(dl, bl, accepted, why)``: for each distinct (derivative licence, base licence) pair along
    the lineage where both licences are share-alike and differ, whether the base's text lets its derivatives go out
    under the derivative's licence (:func:`.sharealike.accepts`: NULL when undecided) and the clause that says so.
    A few pairs per store, decided in Python once each."""
    import pyarrow as pa

    pairs = con.execute("""SELECT DISTINCT d.license, b.license FROM (SELECT DISTINCT dh, bh FROM _anc) p
        JOIN _lic_decl d ON d.h = p.dh JOIN _lic_decl b ON b.h = p.bh
        WHERE list_contains(b.duties, 'same_terms') AND list_contains(d.duties, 'same_terms')
          AND d.license <> b.license""").fetchall()
    table = pa.table({"dl": pa.array([d for d, _ in pairs], pa.string()),
                      "bl": pa.array([b for _, b in pairs], pa.string()),
                      "accepted": pa.array([sharealike.accepts(b, d) for d, b in pairs], pa.bool_()),
                      "why": pa.array([sharealike.why_refused(b) for _, b in pairs], pa.string())})
    con.register("_lic_sa_arrow", table)
    con.execute("CREATE OR REPLACE TEMP TABLE _lic_sa AS SELECT * FROM _lic_sa_arrow")
    con.unregister("_lic_sa_arrow")


def _contradicting_bases(con: duckdb.DuckDBPyConnection) -> None:
    """Flag a model whose bases' terms cannot all be met, whatever licence it declares: a base under a share-alike
    licence that forbids adding restrictions (CC BY-SA 4.0 §3(b)(3), GPLv3 §10: :func:`.sharealike.
    forbids_added_restrictions`) beside a base whose licence forbids some uses and binds what is built on it to that
    (Gemma, Llama, the OpenRAIL family). Why: the pair rules compare the model's own licence with one base at a time,
    so a merge of a CC BY-SA and a Gemma model declaring either licence conflicted with one base only, and one
    declaring nothing with none, though no licence could satisfy both. The share-alike base's row is flagged, its
    reason naming the other base."""
    nar = [i for i in sharealike.rules() if sharealike.forbids_added_restrictions(i) is not None]
    if not nar:
        return
    con.execute("""UPDATE license_flow f SET conflict = TRUE, reason = concat_ws('; ', f.reason, x.why)
        FROM (WITH sa AS (SELECT a.id, a.base, b.license FROM _anc a JOIN _lic_decl b ON b.h = a.bh
                          WHERE list_contains(?::VARCHAR[], b.license) AND NOT a.licensor),
                   rs AS (SELECT a.id, a.base, b.license FROM _anc a JOIN _lic_decl b ON b.h = a.bh
                          WHERE NOT a.licensor AND b.use_restrictions AND b.derivatives_allowed IS NOT FALSE
                            AND a.id IN (SELECT id FROM sa))
              SELECT sa.id, sa.base,
                     'its bases'' terms cannot all be met, whatever licence it declares: base licence '
                     || any_value(sa.license) || ' forbids adding restrictions to derivatives, and '
                     || array_to_string(list_sort(list_distinct(list(rs.license || ' (of ' || rs.base || ')'))), ', ')
                     || ' binds whatever is built on it to its use restrictions' AS why
              FROM sa JOIN rs ON rs.id = sa.id AND rs.base <> sa.base
              GROUP BY sa.id, sa.base) x
        WHERE f.id = x.id AND f.base = x.base""", [nar])


def _ancestors(con: duckdb.DuckDBPyConnection) -> None:
    """Temp table ``_anc_pairs(id, base, distance, root)``: every ancestor of every model along chosen edges.

    Why every ancestor and not the stored lineage paths: a path is kept per (model, root), the shortest,
    so a base off those paths (the second parent of a merge of two finetunes of one root) would never
    pass its licence down. One statement per level of the graph: of a pair reached again only the first
    (shortest) arrival is kept, so cycles end. ``root`` is the smallest root of the base (the base itself
    when it has no parent; NULL on a rootless cycle).
    """
    # the first level is the chosen edges; `deep`: the base has a parent itself, so the walk goes on from it
    con.execute("""CREATE OR REPLACE TEMP TABLE _anc_up AS
        SELECT child AS id, parent AS base, 1 AS distance, parent IN (SELECT child FROM edges WHERE chosen) AS deep
        FROM edges WHERE chosen""")
    # the edges walked: those of models that are deep bases (most models are no one's base)
    con.execute("""CREATE OR REPLACE TEMP TABLE _anc_walk AS
        SELECT id AS child, base AS parent, deep FROM _anc_up WHERE id IN (SELECT base FROM _anc_up WHERE deep)""")
    con.execute("CREATE OR REPLACE TEMP TABLE _anc_front AS SELECT id, base FROM _anc_up WHERE deep")
    level = 1
    while con.execute("SELECT count(*) FROM _anc_front").fetchone()[0]:  # type: ignore[index]  # an aggregate always yields one row
        level += 1
        # (as in the lineage walk: only this level's candidate models' pairs are looked up)
        con.execute("""CREATE OR REPLACE TEMP TABLE _anc_next AS
            WITH c AS (SELECT DISTINCT f.id, w.parent AS base, w.deep FROM _anc_front f
                       JOIN _anc_walk w ON w.child = f.base WHERE w.parent <> f.id),
            seen AS (SELECT id, base FROM _anc_up WHERE id IN (SELECT id FROM c))
            SELECT c.id, c.base, c.deep FROM c
            WHERE NOT EXISTS (SELECT 1 FROM seen s WHERE s.id = c.id AND s.base = c.base)""")
        con.execute(f"INSERT INTO _anc_up SELECT id, base, {level}, deep FROM _anc_next")
        con.execute("CREATE OR REPLACE TEMP TABLE _anc_front AS SELECT id, base FROM _anc_next WHERE deep")
    # a base without a parent is the root; one with a parent has its sorted roots in lineage_origin (none
    # when it sits on a rootless cycle)
    con.execute("""CREATE OR REPLACE TEMP TABLE _anc_pairs AS
        SELECT id, base, distance, base AS root FROM _anc_up WHERE NOT deep
        UNION ALL
        SELECT a.id, a.base, a.distance, o.roots[1] FROM _anc_up a LEFT JOIN lineage_origin o ON o.id = a.base
        WHERE a.deep""")
    for t in ("_anc_up", "_anc_walk", "_anc_front", "_anc_next"):
        con.execute(f"DROP TABLE IF EXISTS {t}")


def _class_rank_sql() -> str:
    return ", ".join(f"'{c}'" for c in CLASS_RANK)


def model_licenses(store: Store, model_id: str) -> dict[str, Any]:
    """The contract's `license` JSON for a model (``model_id`` as stored; resolve user input first).

    Reads the derived tables; when the store was never refreshed (``ingest --no-derive``) the model's own
    declaration is normalised on the fly and the flow-down is empty.
    """
    con = store.con
    row = con.execute("""SELECT declared, license, class, duties, expression, confidence, evidence, reason,
               source, effective_class, commercial_use, use_restrictions, user_cap
        FROM licenses WHERE id = ?""", [model_id]).fetchone()
    if row is None:
        m_row = con.execute("""SELECT license, card_data->>'$.license_name', card_data->>'$.license_link',
                                      card_data->>'$.license' FROM models WHERE id = ?""", [model_id]).fetchone()
        if m_row is None:
            raise MissingInput(f"unknown model '{model_id}'")
        declared, lname, llink, card_license = m_row
        declared = declared_value(declared, card_license)
        texts = con.execute("""SELECT path, text FROM license_texts WHERE repo_type = 'model' AND id = ?
                               AND text IS NOT NULL""", [model_id]).fetchall()
        m, source = resolve_declaration(declared, lname, llink,
                                        declaration_file(model_id, llink, identify_texts([(p, t) for p, t in texts])))
        a = match_attributes(m)
        row = (declared, m.license, a["cls"], a["duties"], m.expression, m.confidence, m.evidence, m.reason,
               source, a["cls"], a["commercial_use"], a["use_restrictions"], a["user_cap"])
        flows: list[tuple] = []
    else:
        flows = con.execute("""SELECT base, base_license, base_class, base_duties, distance, conflict, reason, root
            FROM license_flow WHERE id = ? ORDER BY distance, base""", [model_id]).fetchall()
    (declared, lic, cls, duties, expression, confidence, evidence, reason, source, effective, commercial,
     restrictions, cap) = row
    conflicts = [{"base": b, "reason": r} for b, _bl, _bc, _bd, _dist, c, r, _root in flows if c]
    # a base the model's own organisation published is its licensor's: its terms do not bind the model
    # (:mod:`.licensor`); the row stays, to say so, but adds no terms, duties or unknowns
    licensor = {f[0] for f in flows if f[5] is False and str(f[6] or "").startswith(LICENSOR_REASON)}
    binding = [f for f in flows if f[0] not in licensor]
    # a base is unknown when its own licence is: a known base under a model of unknown licence has an
    # undecidable conflict (null) but terms that were read and bind the model all the same
    unknown = [b for b, bl, bc, _bd, _dist, _c, _r, _root in binding if bl is None or bc in (None, "unknown")]
    modified = modified_bases(store, model_id, [f[0] for f in flows])
    deleted = deleted_bases(store, [f[0] for f in flows])
    inherited = [([], [], []) if b in licensor else _inherited_duties(bl, bd, modified.get(b))
                 for b, bl, _bc, bd, *_rest in flows]
    with_bases = _with_bases(commercial, restrictions, cap, [bl for _b, bl, *_rest in binding])
    with_bases["effective_duties"] = _duties_with_bases(
        duties, [(f[0], kept) for f, (kept, _dropped, _cond) in zip(flows, inherited, strict=True)],
        {(f[0], d) for f, (_kept, _dropped, cond) in zip(flows, inherited, strict=True) for d in cond},
        lic, {f[0]: f[1] for f in flows})
    # complete only when the model's own duties and every base's are known: a base of unknown licence adds none
    # to the list, which must not read as "adds nothing"; nor does one whose licence text could not be read
    with_bases["effective_duties_known"] = duties_known(cls, duties, lic) and not unknown and all(
        duties_known(bc, bd, bl) for _b, bl, bc, bd, *_rest in binding)
    own_org = organisation(model_id)
    card = read_card_license(store, model_id)
    return {
        "id": model_id,
        "declared": declared,
        "license": lic,
        "class": cls,
        "duties": list(duties or []),
        "duties_known": duties_known(cls, duties, lic),
        "flow_down": [
            {"base": b, "license": bl, "class": bc, "duties": kept, "duties_known": duties_known(bc, bd, bl),
             "distance": dist, "root": root, "deleted_at": deleted.get(b),
             "conflict": c, "modified": modified.get(b), "dropped_duties": dropped, "unmodified_only": cond,
             "licensor": {"organisation": own_org, "reason": r} if b in licensor else None}
            for (b, bl, bc, bd, dist, c, r, root), (kept, dropped, cond) in zip(flows, inherited, strict=True)
        ],
        "conflicts": conflicts,
        "expression": expression,
        "confidence": confidence,
        "evidence": evidence,
        "reason": reason,
        "source": source,
        "effective_class": effective,
        "commercial_use": commercial,
        "use_restrictions": restrictions,
        "user_cap": cap,
        "unknown_bases": unknown,
        **with_bases,
        # what the card's text names for the weights against the tag (:mod:`.card`): a card naming MIT beside an
        # apache-2.0 tag leaves open which terms were meant; null when the store holds no card text
        "card_license": card,
        **_with_card(card, with_bases),
    }


def deleted_bases(store: Store, bases: list[str]) -> dict[str, str]:
    """The bases among ``bases`` that a full crawl found gone from the Hub, each with the date it did (ISO).

    Why: their licence in ``license_flow`` is the declaration they were last read with (:func:`declarations`), and
    their Hub page is gone; a reader is told both (``flow_down[].deleted_at``), and is not sent to a card that can no
    longer be read when that licence is unknown."""
    if not bases:
        return {}
    return {b: d.isoformat() for b, d in store.con.execute(
        """SELECT id, deleted_at::DATE FROM models WHERE deleted_at IS NOT NULL
           AND id IN (SELECT unnest(?::VARCHAR[]))""", [bases]).fetchall()}


def _with_card(card: dict[str, Any] | None, with_bases: dict[str, Any]) -> dict[str, Any]:
    """What the card's licence adds for a JSON reader (docs/licenses.md, *The card's licence against the tag*):
    ``card_license_terms`` (the licence the card names for the weights, where it contradicts the tag: its class,
    commercial use, use restrictions and user cap; null otherwise, or ``{license, class: "unknown", ...}`` with nulls
    when the catalogue does not know it) and ``effective_commercial_use_with_card``,
    ``effective_use_restrictions_with_card``, ``effective_user_cap_with_card`` (the ``effective_*`` answers with the
    card's licence applying too, as "until then follow both" asks).

    Why new keys: ``effective_*`` are the contract's answer from the declaration and the lineage; a script reading
    them said "commercial use: yes" for a card naming CC BY-NC 4.0 beside an ``apache-2.0`` tag, where the text view
    qualifies it."""
    out: dict[str, Any] = {"card_license_terms": None,
                           "effective_commercial_use_with_card": with_bases["effective_commercial_use"],
                           "effective_use_restrictions_with_card": with_bases["effective_use_restrictions"],
                           "effective_user_cap_with_card": with_bases["effective_user_cap"]}
    if not card or not card.get("contradicts") or not card.get("card"):
        return out
    info = get_license(str(card["card"]))
    known = info is not None and info.known
    terms: dict[str, Any] = {"license": info.id if info is not None else str(card["card"]),
             "class": info.cls if known and info else "unknown",
             "commercial_use": info.commercial_use if known and info else None,
             "use_restrictions": info.use_restrictions if known and info else None,
             "user_cap": info.user_cap if known and info else None}
    caps = [c for c in (with_bases["effective_user_cap"], terms["user_cap"]) if c is not None]
    out.update({"card_license_terms": terms,
                "effective_commercial_use_with_card": _all_true([with_bases["effective_commercial_use"],
                                                                 terms["commercial_use"]]),
                "effective_use_restrictions_with_card": _any_true([with_bases["effective_use_restrictions"],
                                                                   terms["use_restrictions"]]),
                "effective_user_cap_with_card": min(caps) if caps else None})
    return out


# The lineage relations whose derivative changes the base's weights (docs/licenses.md, "Duties that bind only
# unmodified copies"): a finetune, an adapter (new weights trained for the base, distributed without it), a merge
# and a quantised copy (its numbers are not the base's) are all modified versions, so a duty that binds only a copy
# passed on "in its entirety and without modifications" does not flow down through them. `unknown` says nothing.
MODIFYING = frozenset({"finetune", "adapter", "merge", "quantized"})


def modified_bases(store: Store, model_id: str, bases: list[str]) -> dict[str, bool | None]:
    """For each base of ``model_id``: ``True`` when every chosen lineage path from the model to it passes through a
    relation that changes the weights (:data:`MODIFYING`), ``None`` (unknown) when some path is made only of edges
    whose relation is ``unknown``. Never ``False``: no relation says the model is a verbatim copy of its base.

    Why every path: a base reached both through a finetune and through an edge of unknown relation may still be
    copied unchanged along the second, so a duty on unmodified copies is not dropped for it."""
    if not bases:
        return {}
    nodes = [model_id, *bases]
    rows = store.con.execute("""SELECT child, parent, relation FROM edges
        WHERE chosen AND child IN (SELECT unnest(?::VARCHAR[]))""", [nodes]).fetchall()
    parents: dict[str, list[tuple[str, bool]]] = {}
    for child, parent, relation in rows:
        parents.setdefault(child, []).append((parent, relation in MODIFYING))
    unchanged, todo = {model_id}, [model_id]  # reached along edges none of which is known to change the weights
    while todo:
        for parent, modifies in parents.get(todo.pop(), []):
            if not modifies and parent not in unchanged:
                unchanged.add(parent)
                todo.append(parent)
    return {b: None if b in unchanged else True for b in bases}


def _inherited_duties(base_license: str | None, base_duties: list[str] | None,
                      modified: bool | None) -> tuple[list[str], list[str], list[str]]:
    """A base's duties as its derivative inherits them: (kept, dropped, kept only if the derivative is an unmodified
    copy). A duty of scope ``unmodified_only`` (the Apple sample code licence's notice) is dropped when the derivative
    modifies the base (``modified`` true) and kept but qualified when that is unknown."""
    info = get_license(base_license) if base_license else None
    scopes = info.duty_scopes if info is not None else {}
    kept, dropped, conditional = [], [], []
    for d in base_duties or []:
        if scopes.get(d) == "unmodified_only":
            if modified:
                dropped.append(d)
                continue
            conditional.append(d)
        kept.append(d)
    return kept, dropped, conditional


# Duties whose object is the licence itself (a copy of *that* licence, *its* fixed notice text): one licence's cannot
# stand for another's, so a base under another licence adds them again (an MIT finetune of an Apache-2.0 base ships the
# Apache License too; a merge of Llama 2 and Llama 3.1 models ships both agreements and both notices).
LICENCE_SPECIFIC = frozenset({"include_license", "notice"})


def _duties_with_bases(own: list[str] | None, bases: list[tuple[str, list[str] | None]],
                       conditional: set[tuple[str, str]] | None = None, own_license: str | None = None,
                       base_licenses: dict[str, str | None] | None = None) -> list[dict[str, str]]:
    """``effective_duties``: every duty whoever distributes the model (or builds on it) must carry out, its own
    licence's first, then each base's that its own does not already carry, nearest base first, each with the
    licence it comes from (``{duty, from}``, ``from`` the base's id, or ``null`` for the model's own licence).

    Why: "what must we do?" is answered by every licence along the lineage, as "may we?" is
    (:func:`_with_bases`): an MIT finetune of an Apache-2.0 base still has to pass on the base's NOTICE file and
    mark its changed files, and a finetune of Gemma has to put Gemma's use restrictions into its own terms. A base
    whose licence is not known adds no duty here (``unknown_bases`` names it: its duties are unknown, not none).
    A duty in ``conditional`` (``(base, duty)``: it binds only an unmodified copy, and whether this model modifies that
    base is unknown) carries ``scope: unmodified_only``. A duty of :data:`LICENCE_SPECIFIC` is listed once per licence (``own_license``,
    ``base_licenses``: each base's licence), any other once."""
    licences = base_licenses or {}

    def key(d: str, lic: str | None) -> tuple[str, str | None]:
        return d, (lic if d in LICENCE_SPECIFIC else None)

    out: list[dict[str, Any]] = [{"duty": d, "from": None} for d in own or []]
    seen = {key(d, own_license) for d in own or []}
    for base, duties in bases:
        for d in duties or []:
            if key(d, licences.get(base)) not in seen:
                seen.add(key(d, licences.get(base)))
                entry: dict[str, Any] = {"duty": d, "from": base}
                if conditional and (base, d) in conditional:
                    entry["scope"] = "unmodified_only"
                out.append(entry)
    return out


def _with_bases(commercial: bool | None, restrictions: bool | None, cap: int | None,
                base_licenses: list[str | None]) -> dict[str, Any]:
    """What whoever uses the model may do under its own licence and every ancestor's together
    (``effective_commercial_use``, ``effective_use_restrictions``, ``effective_user_cap``).

    Why: a governance reader asks "may we use it commercially?"; the model's own row said "yes" for an
    Apache-2.0 finetune of a CC BY-NC base, whose terms still bind it. Every licence applies (an AND):
    commercial use only when all allow it, restrictions when any has them, the lowest user cap. A base
    whose licence is not known leaves what it could forbid unknown, never allowed.
    """
    commercial_uses, restricted, caps = [commercial], [restrictions], [cap]
    for bl in base_licenses:
        info = get_license(bl) if bl else None
        known = info is not None and info.known
        commercial_uses.append(info.commercial_use if known and info else None)
        restricted.append(info.use_restrictions if known and info else None)
        caps.append(info.user_cap if known and info else None)
    known_caps = [c for c in caps if c is not None]
    return {"effective_commercial_use": _all_true(commercial_uses),
            "effective_use_restrictions": _any_true(restricted),
            "effective_user_cap": min(known_caps) if known_caps else None}
