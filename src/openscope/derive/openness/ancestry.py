"""Every ancestor of a model and the licence each one is under: what the inheritance rule reads.

Why a walk of its own and not the lineage root: the terms that bind a derivative can come from any model
it was built from (a CC BY-NC finetune between an Apache-2.0 root and the model), and a merge has several
parents and roots. The walk follows chosen lineage edges (``edges.chosen``) upwards; each ancestor is kept
once, at its shortest distance (a DuckDB recursive CTE keyed on (model, ancestor): a pair already reached
is never extended again, so a cycle ends after one turn). It is the set the licence step's
``license_flow`` lists (tested), computed here again because grading must not depend on that step having
run.

An ancestor's licence (:func:`read`) is its Hub ``license:`` tag when the licence catalogue knows its
terms, else its curated family's cited licence for the weights (``curated.yml`` by Hub id; an ancestor
that is not a live model of the store also by the family its id names, as a lineage root always was), else
unknown: then it is left out (unknown never binds). The per-model path (:func:`attach`) and the set-based
path (:func:`binding_table`) read it through the same function.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from typing import Any

import pyarrow as pa

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
    the Hub tag is not enough)."""
    return entry


def read(base: str, locator: str, distance: int | None, hub_license: str | None,
         family: Callable[[], dict[str, Any] | None], read_at: str) -> Reading | None:
    """An ancestor's licence: its Hub tag when the catalogue knows its terms, else its curated family's
    cited weights licence (``family`` is called only then), else None (unknown)."""
    if hub_license is not None and terms(hub_license) is not None:
        return Reading(base, distance, hub_license, (Evidence("hub_metadata", locator, f"license: {hub_license}",
                                                              read_at),))
    fact = curated_weights(family())
    if fact is not None and terms(fact[0]) is not None:
        return Reading(base, distance, fact[0], (fact[1],))
    return None


def load(store: Store, ids: list[str], read_at: str) -> dict[str, list[Reading]]:
    """The licences of every model's ancestors (known ones only), nearest first (then by id)."""
    from openscope.derive.openness.declared_base import family_of_root

    if not ids:
        return {}
    rows = store.con.execute(
        f"""SELECT w.id, w.base, w.distance, m.license, m.id IS NULL AS external
            FROM ({walk_sql(True)}) w
            LEFT JOIN models m ON m.id = w.base AND m.deleted_at IS NULL
            ORDER BY w.id, w.distance, w.base""", [ids]).fetchall()
    out: dict[str, list[Reading]] = {i: [] for i in ids}
    for mid, base, distance, lic, external in rows:
        r = read(base, f"{HUB}/{base}", int(distance), lic,
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


def binding_table(store: Store, graded: str, external_family: Callable[[str], dict[str, Any] | None]
                  ) -> tuple[dict[str, list[Reading]], int]:
    """Temp table ``_oanc(id, ah, akey, bases)``: for every model of ``graded`` (a table with ``id``) that has an
    ancestor whose known licence could bind something (:func:`inheritance.can_bind`), the nearest such
    ancestor per distinct licence, nearest first: ``akey`` names that list of (distance, licence as read,
    where it was read; ``ah`` is its md5), ``bases`` the ancestors' ids in the same order. Returns ah → the
    list as synthetic readings (ids and locators are :data:`PLACEHOLDER` i), and the length of the longest list.

    The per-model path keeps, among *binding* readings, the first per licence; this keeps, among readings
    that *could* bind, the first per licence. The two agree: whether a reading binds depends only on its
    licence (and the declared one), so the filter and the "first per licence" commute."""
    con = store.con
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _oanc_all AS
        SELECT w.id, w.base, w.distance, m.license AS raw, m.id IS NULL AS external
        FROM ({walk_sql(False)}) w
        JOIN {graded} g ON g.id = w.id
        LEFT JOIN models m ON m.id = w.base AND m.deleted_at IS NULL""")
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
    con.execute("""CREATE OR REPLACE TEMP TABLE _oanc_fam AS
        SELECT n.base, coalesce(min(p.idx), any_value(o.idx)) AS idx
        FROM _oanc_need n
        LEFT JOIN _oanc_pat_b p ON lower(n.base) GLOB p.pat
        LEFT JOIN _oanc_mof_b o ON o.lid = lower(n.base)
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
                   CASE WHEN r.raw IS NOT NULL THEN 'hub' ELSE 'c' || f.idx END AS src,
                   coalesce(r.raw, fl.raw) AS raw, coalesce(r.lid, fl.lid) AS lid,
                   CASE WHEN r.raw IS NOT NULL THEN r.binds ELSE fl.idx IS NOT NULL END AS binds
            FROM _oanc_all a
            LEFT JOIN _oanc_raw r ON r.raw = a.raw
            LEFT JOIN _oanc_fam f ON r.raw IS NULL AND f.base = a.base
            LEFT JOIN _oanc_fl_b fl ON fl.idx = f.idx),
        nearest AS (
            SELECT * FROM readings WHERE binds
            QUALIFY row_number() OVER (PARTITION BY id, lid ORDER BY distance, base) = 1)
        SELECT id, md5(akey) AS ah, akey, bases FROM (
            SELECT id, to_json(list([distance::VARCHAR, src, raw] ORDER BY distance, base))::VARCHAR AS akey,
                   list(base ORDER BY distance, base) AS bases
            FROM nearest GROUP BY id)""")
    con.unregister("_oanc_fl_b")
    for t in ("_oanc_all", "_oanc_raw", "_oanc_need", "_oanc_fam"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    lists: dict[str, list[Reading]] = {}
    longest = 0
    for ah, akey in con.execute("SELECT DISTINCT ah, akey FROM _oanc").fetchall():
        items = json.loads(akey)
        longest = max(longest, len(items))
        out = []
        for i, (distance, src, raw) in enumerate(items):
            ph = PLACEHOLDER.format(i)
            entry = None if src == "hub" else entries[int(src[1:])]
            r = read(ph, ph, int(distance), raw if src == "hub" else None, functools.partial(_same, entry), "")
            assert r is not None, akey   # every listed licence is known
            out.append(r)
        lists[ah] = out
    return lists, longest
