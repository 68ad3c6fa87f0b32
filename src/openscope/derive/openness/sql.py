"""The set-based form of the metadata probes: every model in the store, graded in SQL.

Why this shape: probes are pure functions of a record, and for metadata alone (licence, gated flag,
library, file list, ``arxiv:`` and ``dataset:`` tags, dataset records, lineage root) a record reduces
to a handful of features. DuckDB computes those features for all models in one pass, groups the models by their
feature *pattern* (a few thousand distinct patterns for millions of models), grades each pattern once with the very
same per-model code (:func:`assessment.assess_record` on a synthetic record that has exactly those
features), and joins the grades back. The per-model path and the set-based path therefore cannot
drift apart; ``tests/test_openness_sql.py`` checks that they agree on a sample, and
``tests/test_openness_sql_parity_files.py`` on random file lists of tricky paths.

A derivative's base-model dimensions come from its lineage root's pattern together with the root's
curated family (by Hub id; for a root outside the store also by the family its id names), exactly as
the per-model path reads them. Models that have card text, or a curated entry, are then re-assessed
individually (card-text probes), replacing their metadata-only rows.

Every file feature is decided by the per-model code itself, never by a second engine (:data:`PATH_RULES`,
:func:`path_table`): the final weights (:func:`.weights_released.final_weight_files`), each probe's file pattern
(:func:`.probes.files_matching`), evaluation data (:func:`.evaluation_data.shipped_eval_data`), training data named
``train*`` (:func:`.datasets_released.shipped_training_data`), licence files and whether one covers the weights
(:func:`.license_declared.unread_license_files`, :func:`.license_files.scope_of_name`; where the crawl read their
text, ``license_texts``, the model is graded per model instead, as a card is: feature ``lic_file``), and README and
git files that say nothing (:meth:`.ModelRecord.readable`: ``has_files``). Each selection keeps or drops each file on
its own, so it runs on a record listing one path, for each of the store's *distinct* candidate paths, and SQL only
aggregates the answers per model. Why not the patterns in RE2, as before: Python's ``re`` and RE2 differ on ``\\w``
(any script's letters or ASCII ones: ``eval/数据.jsonl``), on case folding (``İ``, ``ı`` for "i") and on ``$``
(before a final newline), and RE2 cannot run lookaheads. RE2 only narrows: :func:`re2_superset` turns each probe's
pattern into one that matches every path the pattern matches, and Python decides the candidates.
"""

from __future__ import annotations

import functools
import importlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from openscope.derive.openness import ancestry, libraries
from openscope.derive.openness.assessment import assess_record, base_grades
from openscope.derive.openness.declared_base import family_of_root
from openscope.derive.openness.inheritance import Reading
from openscope.derive.openness.license_files import scope_of_name
from openscope.derive.openness.probes import (
    architecture_code,
    data_card,
    datasets_released,
    evaluation_code,
    evaluation_data,
    files_matching,
    inference_code,
    intermediate_checkpoints,
    model_metadata,
    preprocessing_code,
    research_paper,
    technical_report,
    training_code,
    weights_released,
)
from openscope.derive.openness.probes.license_declared import unread_license_files
from openscope.derive.openness.records import (
    DATASET_LICENSE_JOIN,
    DATASET_LICENSE_SQL,
    NON_INFORMATIVE,
    DatasetRef,
    ModelRecord,
    root_records,
)
from openscope.store import Store
from openscope.store.moves import has_moves, moved_sql

# feature -> (the probe's pattern every path with the feature matches, a representative file that has this feature
# and no other)
_FEATURE_PATTERNS: dict[str, tuple[re.Pattern[str], str]] = {
    "f_weights": (weights_released.WEIGHT_FILE, "model.safetensors"),
    "f_arch": (architecture_code.ARCH_FILES, "config.json"),
    "f_train": (training_code.TRAIN_FILES, "train.sh"),
    "f_infer": (inference_code.INFER_FILES, "infer.py"),
    "f_eval": (evaluation_code.EVAL_FILES, "eval.sh"),
    "f_prep": (preprocessing_code.PREP_FILES, "preprocess.sh"),
    "f_ckpt": (intermediate_checkpoints.CKPT_FILES, "checkpoint-1/x"),
    "f_meta": (model_metadata.META_FILES, "trainer_state.json"),
    "f_report": (technical_report.REPORT_FILES, "technical_report.pdf"),
    "f_sheet": (data_card.SHEET_FILES, "DATASHEET.md"),
    "f_evaldata": (evaluation_data.EVAL_DATA_FILES, "evaluation/set.jsonl"),
    "f_paper": (research_paper.PAPER_FILES, "paper.pdf"),
}
FILE_FEATURES: dict[str, tuple[str, str]] = {k: (p.pattern, rep) for k, (p, rep) in _FEATURE_PATTERNS.items()}
NEUTRAL_FILE = "notes.txt"
TRAIN_DATA_REP = "train.jsonl"   # matches TRAIN_DATA_FILES and no pattern of FILE_FEATURES
# every release licence file's name holds one of these (:func:`.license_files.is_license_file`: LICEN[CS]E, COPYING)
LICENSE_NAME = re.compile(r"licen|copying", re.IGNORECASE)


def _files_matching(pattern: re.Pattern[str]) -> Callable[[ModelRecord], bool]:
    return lambda rec: bool(files_matching(rec, pattern))


def _covers_weights(rec: ModelRecord) -> bool:
    """A licence file for the whole release, or one whose name says it covers the weights (as
    :func:`.components.unread_files` reads it for the weights)."""
    return any(not (sc := scope_of_name(p)) or "weights" in sc for p in unread_license_files(rec))


@dataclass(frozen=True)
class PathRule:
    """How the per-model code reads one stored path for one feature: ``keeps`` is its own selection run on a
    record listing that path alone (each selection keeps or drops each file on its own, so a model has the feature
    when one of its paths is kept), ``needs`` the probe's pattern that every kept path matches (so its RE2
    superset, :func:`re2_superset`, narrows the store's distinct paths to the candidates Python decides)."""

    column: str
    needs: re.Pattern[str]
    keeps: Callable[[ModelRecord], bool]

    def keeps_path(self, path: str) -> bool:
        return self.keeps(_listing(path))


def _listing(path: str) -> ModelRecord:
    """A stored model's record (no card) whose file list is ``path`` alone."""
    rec = ModelRecord(id="", locator="", read_at="")
    rec.files = [(path, None)]
    return rec


PATH_RULES: tuple[PathRule, ...] = (
    PathRule("f_weights", weights_released.WEIGHT_FILE, lambda r: bool(weights_released.final_weight_files(r))),
    *(PathRule(k, p, _files_matching(p)) for k, (p, _) in _FEATURE_PATTERNS.items()
      if k not in ("f_weights", "f_evaldata")),
    PathRule("f_evaldata", evaluation_data.EVAL_DATA_FILES, lambda r: bool(evaluation_data.shipped_eval_data(r))),
    # training data named train* (a stored model has no card: only the names decide)
    PathRule("f_traindata", datasets_released.TRAIN_DATA_FILES,
             lambda r: bool(datasets_released.shipped_training_data(r))),
    PathRule("lic_any", LICENSE_NAME, lambda r: bool(unread_license_files(r))),
    PathRule("lic_weights", LICENSE_NAME, _covers_weights),
    # README and git files: what :meth:`.ModelRecord.readable` does not count as something to read
    PathRule("uninformative", re.compile(NON_INFORMATIVE), lambda r: not r.readable),
)
PATTERN_COLS = (
    "license", "lic_modified", "gated_state", "lib", *FILE_FEATURES, "f_traindata", "has_files", "arxiv", "ds_state",
    "ds_license", "lic_file",
)
# ``lic_file`` -> a representative licence file (its text unread): one for the whole release covers the weights
LICENSE_FILE_REPS = {"weights": "LICENSE", "other": "LICENSE-CODE"}

# the probes' own engine's parser and compiler (no public API): they tell what each character position admits
_sre_parser: Any = importlib.import_module("re._parser")
_sre_compiler: Any = importlib.import_module("re._compiler")
_sre_constants: Any = importlib.import_module("re._constants")
# Python's ``re`` (the probes') and RE2 (DuckDB's) differ on ``\w`` (Unicode or ASCII letters), on case folding
# (Python's IGNORECASE takes İ and ı for "i", ſ for "s", the Kelvin sign for "k") and on ``$`` (Python's also
# matches before a final newline). A prefilter made by :func:`re2_superset` sidesteps all three: each character
# position admits exactly the ASCII characters Python's own compiled pattern admits there, and every non-ASCII one.
_ANY_NON_ASCII = r"\x{80}-\x{10FFFF}"
_RE2_MAX_COUNT = 16   # a counted repeat above this is written unbounded (RE2 unrolls counts; a superset all the same)


def _char_class(state: Any, node: tuple[Any, Any], flags: int) -> str:
    """The RE2 class admitting every character the one-character node admits in Python: its ASCII characters, as
    Python's own compiled node decides them under ``flags``, and all non-ASCII characters."""
    sub = _sre_parser.SubPattern(state, [node])
    compiled = _sre_compiler.compile(sub, flags)
    ascii_ = "".join(f"\\x{{{c:02x}}}" for c in range(128) if compiled.fullmatch(chr(c)))
    return f"[{ascii_}{_ANY_NON_ASCII}]"


def _re2(state: Any, seq: Any, flags: int, top: bool) -> str:
    out: list[str] = []
    items = list(seq)
    for i, (op, av) in enumerate(items):
        name = str(op)
        if name in ("LITERAL", "NOT_LITERAL", "ANY", "IN", "CATEGORY"):
            out.append(_char_class(state, (op, av), flags))
        elif name == "SUBPATTERN":
            _, add, drop, sub = av
            out.append("(?:" + _re2(state, sub, (flags | add) & ~drop, top and i == len(items) - 1) + ")")
        elif name == "ATOMIC_GROUP":
            out.append("(?:" + _re2(state, av, flags, False) + ")")
        elif name == "BRANCH":
            last = top and i == len(items) - 1
            out.append("(?:" + "|".join(_re2(state, alt, flags, last) for alt in av[1]) + ")")
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            lo, hi, sub = av
            lo = lo if lo <= _RE2_MAX_COUNT else 0
            bound = "" if hi == _sre_constants.MAXREPEAT or hi > _RE2_MAX_COUNT else str(hi)
            out.append("(?:" + _re2(state, sub, flags, False) + f"){{{lo},{bound}}}")
        elif name == "AT":
            at = str(av)
            multiline = bool(flags & re.MULTILINE)
            if at in ("AT_BEGINNING_STRING",) or (at == "AT_BEGINNING" and not multiline):
                out.append("^")
            elif at == "AT_END_STRING":
                out.append("$")
            elif at == "AT_END" and not multiline and top and i == len(items) - 1:
                out.append(r"\n?$")   # Python's $ also matches before a final newline
            # else (\b, \B, $ inside, multiline anchors): no condition, a superset
        elif name in ("ASSERT", "ASSERT_NOT"):
            pass   # a lookaround only narrows what matches: leaving it out keeps a superset
        elif name == "GROUPREF":
            out.append(f"[\\x{{00}}-\\x{{7f}}{_ANY_NON_ASCII}]*")
        elif name == "GROUPREF_EXISTS":
            _, yes, no = av
            out.append("(?:" + _re2(state, yes, flags, False) + "|" + (_re2(state, no, flags, False) if no else "")
                       + ")")
        else:
            raise ValueError(f"no RE2 superset for {name}")
    return "".join(out)


@functools.lru_cache(maxsize=64)
def re2_superset(pattern: re.Pattern[str]) -> str | None:
    """An RE2 pattern that matches (searched anywhere, as ``regexp_matches`` does) every string ``pattern``'s
    ``search`` matches, and few others; None where the pattern uses a construct this does not translate (then
    every path is a candidate). Why: the set-based grading must read each path exactly as the probe does, which
    only the probe's own Python pattern can; RE2 merely narrows millions of distinct paths to the few candidates
    Python then decides. Each character is widened to Python's own ASCII answer plus all non-ASCII characters,
    lookarounds and word boundaries are dropped, large counts are unbounded: every step only widens."""
    try:
        parsed = _sre_parser.parse(pattern.pattern, pattern.flags)
        return _re2(parsed.state, parsed, parsed.state.flags, True)
    except (ValueError, TypeError, AttributeError, re.error):
        return None


# the RE2 prefilter of training data named train* (``""``, matching every path, were the pattern untranslatable)
TRAIN_DATA_PREFILTER: str = re2_superset(datasets_released.TRAIN_DATA_FILES) or ""


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


UNLISTED_LIBRARY = "library"   # stands for every library_name whose licence is not listed


def _library_sql() -> str:
    """The ``lib`` feature: NULL (no library named), the licence of a listed library (it grades inference code
    and supporting libraries; libraries under one licence grade alike, so they share a pattern), or ``'?'``
    for any other library (licence unknown)."""
    cases = " ".join(f"WHEN {_sql_str(n)} THEN {_sql_str(libraries.by_library_name(n).license)}"  # type: ignore[union-attr]
                     for n in libraries.known_names())
    return f"CASE WHEN l.library_name IS NULL THEN NULL ELSE CASE lower(l.library_name) {cases} ELSE '?' END END"


def _library_for(license_id: str) -> str:
    """A listed library under ``license_id`` (the synthetic record names it: same grades as any other)."""
    return next(n for n in libraries.known_names() if libraries.by_library_name(n).license == license_id)  # type: ignore[union-attr]


def features_sql(moved_datasets: bool = False) -> str:
    """One row per live model: its metadata features. Its file features only aggregate, per model, the answers
    :func:`path_table` took from the per-model code for each distinct path (temp table ``_opf``); a path not in it
    has no feature and is informative. ``moved_datasets``: some dataset moved (table ``moves``): a declared old id
    is read under the live id it moved to, as the per-model path reads it (``records.dataset_ref``)."""
    # lower-cased declared old id → lower-cased live id it moved to (store/moves.py, the per-model path's rule)
    mv = (f"""LEFT JOIN (SELECT lower(parent) AS lds, lower(id) AS lto
                   FROM ({moved_sql("SELECT DISTINCT trim(ds) AS parent FROM declared", "dataset")})
                   WHERE lower(id) IN (SELECT lower(id) FROM datasets WHERE deleted_at IS NULL)) mv
              ON mv.lds = lower(trim(d.ds))""" if moved_datasets else "")
    file_aggs = [f"bool_or(coalesce(k.{name}, FALSE)) AS {name}" for name in (*FILE_FEATURES, "f_traindata")]
    return f"""
    WITH live AS (
        SELECT id, license, gated, library_name, card_data FROM models WHERE deleted_at IS NULL
    ),
    f AS (
        SELECT x.id, {', '.join(file_aggs)},
               bool_or(NOT coalesce(k.uninformative, FALSE)) AS has_files,
               bool_or(k.lic_weights) FILTER (WHERE k.lic_any) AS lic_weights
        FROM files x LEFT JOIN _opf k ON k.path = x.path WHERE x.repo_type = 'model' GROUP BY x.id
    ),
    ax AS (SELECT DISTINCT id FROM tags WHERE repo_type = 'model' AND tag LIKE 'arxiv:%'),
    declared AS (
        SELECT id, substr(tag, 9) AS ds FROM tags WHERE repo_type = 'model' AND tag LIKE 'dataset:%'
        UNION
        SELECT id, unnest(CASE json_type(json_extract(card_data, '$.datasets'))
                              WHEN 'VARCHAR' THEN [json_extract_string(card_data, '$.datasets')]
                              WHEN 'ARRAY' THEN json_extract_string(card_data, '$.datasets[*]')
                              ELSE [] END) AS ds
        FROM live WHERE card_data IS NOT NULL
    ),
    dj AS (
        SELECT d.id, trim(d.ds) AS ds, x.id IS NOT NULL AND x.deleted_at IS NULL AS known,
               -- as datasets_released reads it: no value, an empty one or `false` is no gate
               coalesce(NOT x.private, TRUE) AND (x.gated IS NULL OR lower(x.gated) IN ('', 'false')) AS open_,
               {DATASET_LICENSE_SQL} AS dlicense
        FROM declared d {mv}
        LEFT JOIN datasets x ON lower(x.id) = {"coalesce(mv.lto, lower(trim(d.ds)))" if moved_datasets
                                              else "lower(trim(d.ds))"} {DATASET_LICENSE_JOIN}
        WHERE d.ds IS NOT NULL AND trim(d.ds) <> ''
    ),
    ds AS (
        SELECT id,
               CASE WHEN bool_or(known AND open_) THEN 'open'
                    WHEN bool_or(known) THEN 'closed'
                    ELSE 'declared' END AS ds_state,
               -- the licence of the first known dataset by id, as the probe takes it, even when that one has none
               -- (arg_min skips a NULL licence and took the next dataset's)
               CASE WHEN bool_or(known AND open_) THEN arg_min_null(dlicense, lower(ds)) FILTER (WHERE known AND open_)
                    WHEN bool_or(known) THEN arg_min_null(dlicense, lower(ds)) FILTER (WHERE known)
                    END AS ds_license
        FROM dj GROUP BY id
    )
    SELECT l.id, l.license,
           -- `license: other` with `license_name: modified-…`: a permissive licence its publisher modified
           coalesce(l.license = 'other'
                    AND lower(json_extract_string(l.card_data, '$.license_name')) LIKE 'modified%', FALSE)
               AS lic_modified,
           -- as weights_gated reads it: an empty value is no gate (it is not NULL either: the probe calls it open)
           CASE WHEN l.gated IS NULL THEN 'null'
                WHEN lower(l.gated) IN ('', 'false', '0', 'none') THEN 'open' ELSE 'gated' END AS gated_state,
           {_library_sql()} AS lib,
           {', '.join(f"coalesce(f.{n}, FALSE) AS {n}" for n in FILE_FEATURES)},
           coalesce(f.f_traindata, FALSE) AS f_traindata,
           coalesce(f.has_files, FALSE) AS has_files,
           ax.id IS NOT NULL AS arxiv,
           coalesce(ds.ds_state, 'none') AS ds_state, ds.ds_license,
           CASE WHEN f.lic_weights THEN 'weights' WHEN NOT f.lic_weights THEN 'other' END AS lic_file
    FROM live l LEFT JOIN f USING (id) LEFT JOIN ax USING (id) LEFT JOIN ds USING (id)
    """


def path_table(store: Store) -> int:
    """Temp table ``_opf(path, <a column per rule>)``: every distinct model file path in the store that some
    :data:`PATH_RULES` rule keeps, with each rule's answer, decided by the per-model code itself on that path.
    RE2 only narrows: each rule's prefilter (:func:`re2_superset`, which every path the rule keeps matches) says
    which distinct paths are candidates for which rules, and Python decides each candidate for the rules it is one
    for (a path no prefilter keeps is kept by no rule; a rule without a prefilter takes every path as a candidate).
    The set-based features then only aggregate this table per model, so the two paths cannot read a file
    differently. Returns how many (path, rule) candidates Python decided."""
    con = store.con
    filters = [re2_superset(r.needs) for r in PATH_RULES]
    flags = [f"regexp_matches(path, {_sql_str(f)})" if f is not None else "TRUE" for f in dict.fromkeys(filters)]
    slot = {f: i for i, f in enumerate(dict.fromkeys(filters))}
    cands = [f"c{j}" for j in range(len(flags))]
    rows = con.execute(f"""WITH d AS MATERIALIZED (
                               SELECT path, {', '.join(f'{e} AS {c}' for e, c in zip(flags, cands, strict=True))}
                               FROM (SELECT DISTINCT path FROM files WHERE repo_type = 'model'))
                           SELECT path, {', '.join(cands)} FROM d WHERE {' OR '.join(cands)}""").fetchall()
    by_slot: list[list[tuple[int, Callable[[ModelRecord], bool]]]] = [[] for _ in slot]
    for i, (r, f) in enumerate(zip(PATH_RULES, filters, strict=True)):
        by_slot[slot[f]].append((i, r.keeps))
    rec = ModelRecord(id="", locator="", read_at="")   # one record, its file list set to each path in turn
    kept: list[tuple[Any, ...]] = []
    decided = 0
    for path, *candidate in rows:
        rec.files = [(path, None)]
        answers = [False] * len(PATH_RULES)
        for j, flag in enumerate(candidate):
            if flag:
                for i, keeps in by_slot[j]:
                    answers[i] = keeps(rec)
                    decided += 1
        if any(answers):
            kept.append((path, *answers))
    names = ["path", *(r.column for r in PATH_RULES)]
    cols = {n: [k[i] for k in kept] for i, n in enumerate(names)}
    con.register("_opf_batch", pa.table({k: pa.array(v, pa.string() if k == "path" else pa.bool_())
                                          for k, v in cols.items()}))
    con.execute("CREATE OR REPLACE TEMP TABLE _opf AS SELECT * FROM _opf_batch")
    con.unregister("_opf_batch")
    return decided


MISSING_ROOT: dict[str, Any] = {
    **{c: False for c in PATTERN_COLS}, "license": None, "gated_state": "null", "lib": None, "ds_state": "none",
    "ds_license": None, "lic_file": None,
}


def synthetic_record(mid: str, p: dict[str, Any]) -> ModelRecord:
    """A record with exactly the features of pattern ``p`` (and nothing else)."""
    rec = ModelRecord(id=mid, locator=mid, read_at="")
    rec.license = p["license"]
    rec.license_name = "modified" if p["lic_modified"] else None
    rec.gated = {"null": None, "open": "false", "gated": "manual"}[p["gated_state"]]
    rec.library_name = None if p["lib"] is None else (UNLISTED_LIBRARY if p["lib"] == "?" else _library_for(p["lib"]))
    files = [rep for name, (_, rep) in FILE_FEATURES.items() if p[name]]
    if p.get("f_traindata"):
        files.append(TRAIN_DATA_REP)
    if p.get("lic_file"):
        files.append(LICENSE_FILE_REPS[p["lic_file"]])
    if p["has_files"] and not files:
        files = [NEUTRAL_FILE]
    rec.files = [(f, None) for f in files]
    rec.tags = ["arxiv:0000.00000"] if p["arxiv"] else []
    state = p["ds_state"]
    if state == "open":
        rec.datasets = [DatasetRef("d", True, None, False, p["ds_license"])]
    elif state == "closed":
        rec.datasets = [DatasetRef("d", True, "manual", False, p["ds_license"])]
    elif state == "declared":
        rec.datasets = [DatasetRef("d")]
    return rec


# one lineage root as the set-based grades know it: (its pattern, its curated family, its own stored record): the
# record for a root whose card or licence files were read (:func:`_read_roots`), else the pattern
RootSpec = tuple[dict[str, Any] | None, dict[str, Any] | None, ModelRecord | None]


def _root_of(spec: RootSpec, name: str) -> ModelRecord | None:
    pattern, family, record = spec
    if record is None and pattern is None:
        return None
    rec = record if record is not None else synthetic_record(name, pattern)  # type: ignore[arg-type]
    rec.cache["curated_entry"] = family
    return rec


def grade_pattern(p: dict[str, Any], root: dict[str, Any] | None,
                  root_family: dict[str, Any] | None = None, ancestors: list[Reading] | None = None,
                  root_record: ModelRecord | None = None, more_roots: Sequence[RootSpec] = ()) -> dict[str, Any]:
    """Grades for one (pattern, root pattern, root's curated family, ancestors' licences that could bind):
    the per-model code on a synthetic record. ``root_record``: the root's own stored record, for a root whose
    card or licence files were read (:func:`_read_roots`), in place of a root pattern. ``more_roots``: a merge's
    further roots, each as :data:`RootSpec` (every base-model dimension is the least open over all roots)."""
    rec = synthetic_record("m", p)
    rec.root = _root_of((root, root_family, root_record), "r")
    rec.other_roots = [r for i, spec in enumerate(more_roots) if (r := _root_of(spec, f"r{i + 1}")) is not None]
    rec.cache["ancestors"] = list(ancestors or [])   # the walk's readings (:mod:`.ancestry`), as a stored record
    a = assess_record(rec, use_curated=False)
    return {
        "osai": {k: v for k, v in a.osai.items()},
        "mof": {"class": a.mof.cls, "label": a.mof.label, "progress": a.mof.progress},
        "osaid": {"verdict": a.osaid.verdict, "missing": a.osaid.missing, "notes": a.osaid.notes},
        "components": {n: (c.status, c.license, _inherited_evidence(c)) for n, c in a.components.items()},
    }


def osaid_evidence(missing: list[str], notes: dict[str, str] | None) -> dict[str, Any]:
    """The evidence JSON of an OSAID verdict row (both paths): the requirements not met, and why a requirement
    is unknown when the licence file that decides it was not read."""
    doc: dict[str, Any] = {"missing": missing}
    if notes:
        doc["notes"] = notes
    return doc


SYNTHETIC_LOCATORS = {"r": "@root", "m": "@model"}   # placeholders the SQL replaces with the Hub pages


def _inherited_evidence(fact: Any) -> list[dict[str, str]] | None:
    """The evidence of a component graded by its base's licence (:mod:`.inheritance`), with the synthetic
    records' locators as placeholders for the model's and the root's Hub pages (filled in per model)."""
    if not fact.inherited:
        return None
    out = []
    for e in fact.stored_evidence():
        ev = e.as_json()
        ev["locator"] = SYNTHETIC_LOCATORS.get(ev["locator"], ev["locator"])
        if ev["kind"] != "curated":
            ev["read_at"] = ""
        out.append(ev)
    return out


def grade_rows(grades: dict[str, Any]) -> list[tuple[str, str, str | None, float | None, str | None]]:
    """(framework, dimension, grade, score, evidence JSON) rows for the openness table."""
    rows: list[tuple[str, str, str | None, float | None, str | None]] = []
    for dim, g in grades["osai"].items():
        if dim == "score":
            rows.append(("osai", "score", None, g, None))
        else:
            rows.append(("osai", dim, g, {"open": 1.0, "partial": 0.5, "closed": 0.0}.get(g), None))
    m = grades["mof"]
    rows.append(("mof", "class", m["label"], float(m["class"]), None))
    for k, v in m["progress"].items():
        rows.append(("mof", f"progress_{k}", None, float(v), None))
    o = grades["osaid"]
    rows.append(("osaid", "verdict", o["verdict"], None, json.dumps(osaid_evidence(o["missing"], o.get("notes")))))
    for name, (status, lic, inherited) in grades["components"].items():
        doc: dict[str, Any] = {"license": lic}
        if inherited:
            doc["evidence"] = inherited
        rows.append(("component", name, status, None, json.dumps(doc)))
    return rows


def refresh_metadata(store: Store, snapshot_id: int | None) -> int:
    """Grade every live model from metadata (set-based). Returns the number of models graded."""
    con = store.con
    path_table(store)
    con.execute("CREATE OR REPLACE TEMP TABLE _om AS " + features_sql(has_moves(store, "dataset")))
    has_lineage = bool(store.scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'lineage'"))
    cols = ", ".join(PATTERN_COLS)
    key_expr = "md5(concat_ws('|', " + ", ".join(f"coalesce(CAST({c} AS VARCHAR), '~')" for c in PATTERN_COLS) + "))"
    con.execute(f"CREATE OR REPLACE TEMP TABLE _omk AS SELECT *, {key_expr} AS pkey FROM _om")
    if has_lineage:
        # every lineage root of every graded model (a merge has several: its base-model dimensions are the least
        # open over them); `_oroot` keeps the deepest, then the smallest id, as the per-model path names it first
        # (records.py), for the evidence's root page
        con.execute("""
            CREATE OR REPLACE TEMP TABLE _oroots AS
            SELECT l.id, l.root FROM lineage l JOIN _omk m ON m.id = l.id WHERE l.root <> l.id""")
        con.execute("""
            CREATE OR REPLACE TEMP TABLE _oroot AS
            SELECT id, first(root ORDER BY depth DESC, root) AS root FROM lineage WHERE root <> id GROUP BY id""")
        families = _root_families(store)
        # each (model, root): the root's key (its pattern, or `missing`, and its family); :func:`_read_roots` keys
        # the roots graded from their own record by their id
        con.execute("""
            CREATE OR REPLACE TEMP TABLE _ork AS
            SELECT o.id, o.root, coalesce(r.pkey, 'missing') || coalesce('#' || f.family, '') AS rk
            FROM _oroots o LEFT JOIN _omk r ON r.id = o.root LEFT JOIN _ofam f ON f.root = o.root""")
        read_roots = _read_roots(store, families)
        # a model's root key: its roots' keys, each once, in one order (the least open grade over them does not
        # depend on the roots' order, nor on a key's repetition): a model with one root keeps that root's key
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE _omr AS
            SELECT m.id, m.pkey, k.rkey
            FROM _omk m
            LEFT JOIN (SELECT id, string_agg(DISTINCT rk, '{ROOTS_SEP}' ORDER BY rk) AS rkey FROM _ork GROUP BY id) k
                ON k.id = m.id""")
    else:
        families = {}
        con.execute("CREATE OR REPLACE TEMP TABLE _oroot (id VARCHAR, root VARCHAR)")
        con.execute("CREATE OR REPLACE TEMP TABLE _omr AS SELECT id, pkey, NULL::VARCHAR AS rkey FROM _omk")
        read_roots = {}
    # every ancestor whose licence could bind the weights (:mod:`.ancestry`, :mod:`.inheritance`): one more key
    ancestors = ancestry.binding_table(store, "_omk", lambda base: family_of_root(base, True))
    con.execute("""CREATE OR REPLACE TEMP TABLE _omr AS
                   SELECT m.*, a.ah AS akey FROM _omr m LEFT JOIN _oanc a USING (id)""")
    patterns = _patterns(store, cols)
    patterns["missing"] = MISSING_ROOT  # a lineage root that is not in the store: nothing to read
    combos = con.execute("SELECT DISTINCT pkey, rkey, akey FROM _omr").fetchall()
    out: list[tuple[str, str | None, str | None, str, str, str | None, float | None, str | None]] = []
    for pkey, rkey, akey in combos:
        specs = [_root_spec(k, patterns, families, read_roots) for k in (rkey or "").split(ROOTS_SEP)]
        grades = grade_pattern(patterns[pkey], *specs[0][:2], ancestors.get(akey) if akey else None,
                               root_record=specs[0][2], more_roots=specs[1:])
        for fw, dim, grade, score, ev in grade_rows(grades):
            out.append((pkey, rkey, akey, fw, dim, grade, score, ev))
    cols_: list[Sequence[Any]] = list(zip(*out, strict=True)) if out else [[] for _ in range(8)]
    names = ("pkey", "rkey", "akey", "framework", "dimension", "grade", "score", "evidence")
    batch = pa.table({n: pa.array(c, pa.float64() if n == "score" else pa.string())
                      for n, c in zip(names, cols_, strict=True)})
    con.register("_ogr_batch", batch)
    con.execute("CREATE OR REPLACE TEMP TABLE _ogr AS SELECT * FROM _ogr_batch")
    con.unregister("_ogr_batch")
    with store.transaction() as tx:
        # every row of this snapshot is replaced (the card pass that follows re-grades its models)
        tx.execute("DELETE FROM openness WHERE snapshot_id IS NOT DISTINCT FROM ?", [snapshot_id])
        tx.execute(f"""
            INSERT INTO openness (snapshot_id, id, framework, dimension, grade, score, evidence, method)
            SELECT ?, m.id, g.framework, g.dimension, g.grade, g.score,
                   CASE WHEN g.framework = 'component' AND json_exists(g.evidence, '$.evidence') THEN
                        -- graded by its ancestors' licences: the model's and each binding ancestor's pages, where
                        -- each licence is read, and the ancestors' ids in the snippets
                        {_ancestors_back(_PAGES)}::JSON
                        WHEN g.framework = 'component' AND g.grade <> 'not_found' THEN
                        json_merge_patch(g.evidence::JSON, json_object('evidence', json_array(json_object(
                            'kind', 'hub_metadata', 'locator', 'https://huggingface.co/' || m.id,
                            'snippet', 'set-based metadata probes', 'read_at', CAST(current_date AS VARCHAR)))))
                        ELSE g.evidence::JSON END,
                   'metadata'
            FROM _omr m JOIN _ogr g ON g.pkey = m.pkey AND g.rkey IS NOT DISTINCT FROM m.rkey
                                      AND g.akey IS NOT DISTINCT FROM m.akey
            LEFT JOIN _oroot o ON o.id = m.id LEFT JOIN _oanc a ON a.id = m.id""", [snapshot_id])
    n = int(store.scalar("SELECT count(*) FROM _omr") or 0)
    for t in ("_om", "_omk", "_omr", "_ogr"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    for t in ("_oroot", "_oroots", "_ork", "_ofam", "_oanc", "_opf"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    return n


# the model's and its root's Hub pages in place of the synthetic records' locators (evidence of a component
# graded by an inherited licence)
_PAGES = ("replace(replace(g.evidence, '\"@model\"', to_json('https://huggingface.co/' || m.id)::VARCHAR), "
          "'\"@root\"', to_json('https://huggingface.co/' || coalesce(o.root, ''))::VARCHAR)")


def _ancestors_back(evidence: str) -> str:
    """SQL that puts each binding ancestor's id back in place of the synthetic placeholders ``@anc<i>@``
    (:data:`ancestry.PLACEHOLDER`) of the evidence text ``evidence``, from the model's ``a.bases`` (nearest
    first, as the placeholders are numbered). Each id is put in JSON-escaped, so the text stays valid JSON
    whatever an id holds; a placeholder never occurs in a Hub id (repository names are letters, digits, ``-``,
    ``_`` and ``.``: no ``@``).

    Why one plain replacement: a placeholder only ever stands inside a string, never as a whole JSON value. The
    synthetic readings (:func:`ancestry.read`) put it in a locator after the Hub's address
    (``https://huggingface.co/@anc0@/blob/main/LICENSE#L1``) and the inheritance rule in snippets
    (``(base @anc0@ …)``); the stored evidence keeps only ``kind``, ``locator``, ``snippet`` and ``read_at``
    (:func:`_inherited_evidence`), and a curated clause's locator is its citation. So the id alone, escaped,
    turns each into the ancestor's page or name (tests/test_mutation31_ancestry.py checks that no stored
    evidence holds a whole-value placeholder)."""
    bare = "substr(to_json(p[1])::VARCHAR, 2, length(to_json(p[1])::VARCHAR) - 2)"
    step = f"replace(acc, '@anc' || p[2] || '@', {bare})"
    return (f"CASE WHEN a.bases IS NULL THEN {evidence} "
            f"ELSE list_reduce(list_zip(a.bases, range(len(a.bases))), lambda acc, p: {step}, {evidence}) END")


# the key of a lineage root graded from its own record (:func:`_read_roots`): the prefix, then the root's id
ROOT_READ = "read:"
# between the keys of a model's roots in its root key (no pattern key, Hub id or curated family name holds it)
ROOTS_SEP = "|&|"


def _root_spec(key: str, patterns: dict[str, dict[str, Any]], families: dict[str, dict[str, Any]],
               read_roots: dict[str, ModelRecord]) -> RootSpec:
    """One root's key (``<pattern key>#<family>``, ``missing#…``, ``read:<id>#…``, or empty: no root) as the
    pattern, curated family and stored record :func:`grade_pattern` grades it from."""
    rpat, _, fam = key.partition("#")
    read = read_roots.get(rpat[len(ROOT_READ):]) if rpat.startswith(ROOT_READ) else None
    return (patterns.get(rpat) if rpat and read is None else None), families.get(fam), read


def _read_roots(store: Store, families: dict[str, dict[str, Any]]) -> dict[str, ModelRecord]:
    """The lineage roots whose own text changes what their derivatives' base-model dimensions read, by id, with their
    stored records; the rows of ``_omr`` built on them get the key ``read:<root>#<family>``.

    Why: a root whose card or licence files the crawl read is graded per model from that text (the card pass), and
    the per-model path reads its derivatives' base side from the same text, where its metadata pattern alone misses
    what the text says: a `license: other` root whose LICENSE is the Mistral Research License is a custom agreement
    to its pattern (weights_basemodel `partial` for each of its derivatives here) and a non-commercial licence to its
    text (`open` per model, the root's own grade). A derivative's stored grades read the base side only through the
    base-model dimensions' rules (:func:`.assessment.base_grades`), so a root whose text leaves those as its pattern gives them
    keeps its pattern's key: only the few roots whose text changes them are keyed (and graded) one by one. A root
    deleted from the Hub has no live pattern (its key is ``missing``: nothing to read); its derivatives read its
    record as last stored (:func:`.records._deleted`), so each is compared with ``missing`` and keyed by its id
    where its stored card, files or licence texts change the grades."""
    con = store.con
    # live roots whose text the crawl read, and every root deleted from the Hub (few: its last-stored record against
    # `missing`, the key of a root with nothing to read)
    candidates = [r[0] for r in con.execute(
        """SELECT DISTINCT o.root FROM _oroots o JOIN _omk r ON r.id = o.root
           WHERE o.root IN (SELECT id FROM cards WHERE repo_type = 'model' AND text IS NOT NULL
                            UNION SELECT id FROM license_texts WHERE repo_type = 'model')
           UNION SELECT DISTINCT o.root FROM _oroots o JOIN models m ON m.id = o.root WHERE m.deleted_at IS NOT NULL
           ORDER BY 1""").fetchall()]
    if not candidates:
        return {}
    fam = dict(con.execute("SELECT root, family FROM _ofam WHERE root IN (SELECT unnest(?::VARCHAR[]))",
                           [candidates]).fetchall())
    pats = {r[0]: dict(zip(PATTERN_COLS, r[1:], strict=True)) for r in con.execute(
        f"SELECT id, {', '.join(PATTERN_COLS)} FROM _omk WHERE id IN (SELECT unnest(?::VARCHAR[]))",
        [candidates]).fetchall()}
    records = root_records(store, candidates)
    read: dict[str, ModelRecord] = {}
    for root, rec in records.items():
        entry = families.get(fam.get(root) or "")
        syn = synthetic_record("r", pats.get(root, MISSING_ROOT))   # a deleted root has no live pattern
        syn.cache["curated_entry"] = rec.cache["curated_entry"] = entry
        if base_grades(rec) != base_grades(syn):
            read[root] = rec
    if read:
        con.execute(f"""UPDATE _ork SET rk = '{ROOT_READ}' || _ork.root || coalesce('#' || f.family, '')
                        FROM (SELECT unnest(?::VARCHAR[]) AS root) r LEFT JOIN _ofam f ON f.root = r.root
                        WHERE _ork.root = r.root""", [sorted(read)])
    return read


def _root_families(store: Store) -> dict[str, dict[str, Any]]:
    """Temp table ``_ofam(root, family)``: the curated family of every lineage root that has one (by Hub id;
    for a root outside the store also by the name its id gives), as the per-model path finds it
    (:func:`declared_base.family_of_root`). Returns family name → curated entry."""
    con = store.con
    roots = con.execute("""SELECT DISTINCT o.root, r.id IS NULL FROM _oroots o
                           LEFT JOIN _omk r ON r.id = o.root""").fetchall()
    found: dict[str, dict[str, Any]] = {}
    rows: list[tuple[str, str]] = []
    for root, external in roots:
        entry = family_of_root(root, bool(external))
        if entry is not None:
            name = str(entry["family"])
            found.setdefault(name, entry)
            rows.append((root, name))
    con.register("_ofam_batch", pa.table({"root": pa.array([r for r, _ in rows], pa.string()),
                                          "family": pa.array([f for _, f in rows], pa.string())}))
    con.execute("CREATE OR REPLACE TEMP TABLE _ofam AS SELECT * FROM _ofam_batch")
    con.unregister("_ofam_batch")
    return found


def _patterns(store: Store, cols: str) -> dict[str, dict[str, Any]]:
    rows = store.con.execute(f"SELECT DISTINCT pkey, {cols} FROM _omk").fetchall()
    return {r[0]: dict(zip(PATTERN_COLS, r[1:], strict=True)) for r in rows}
