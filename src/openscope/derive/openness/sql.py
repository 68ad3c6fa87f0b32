"""The set-based form of the metadata probes: every model in the store, graded in SQL.

Why this shape: probes are pure functions of a record, and for metadata alone (licence, gated flag,
library, file list, ``arxiv:`` and ``dataset:`` tags, dataset records, lineage root) a record reduces
to a handful of features. DuckDB computes those features for all models in one pass (the probes'
file patterns are RE2-compatible and used verbatim), groups the models by their feature *pattern*
(a few thousand distinct patterns for millions of models), grades each pattern once with the very
same per-model code (:func:`assessment.assess_record` on a synthetic record that has exactly those
features), and joins the grades back. The per-model path and the set-based path therefore cannot
drift apart; ``tests/test_openness_sql.py`` checks that they agree on a sample.

A derivative's base-model dimensions come from its lineage root's pattern together with the root's
curated family (by Hub id; for a root outside the store also by the family its id names), exactly as
the per-model path reads them. Models that have card text, or a curated entry, are then re-assessed
individually (card-text probes), replacing their metadata-only rows.

Licence files a model's file list names (``LICENSE``, ``LICENSE-MODEL``, ``LICENSE-CODE``; where the crawl read
their text, ``license_texts``, the model is graded per model instead, as a card is) are one more feature,
``lic_file``: none, one that covers the weights (a whole-release or a weights file), or only others (code, data). Which paths are licence files, and what each covers, is decided by
the per-model code itself (:func:`.license_files.is_license_file`, :func:`.license_files.scope_of_name`) over
the store's *distinct* candidate paths (a handful), then joined back in SQL: the two paths cannot disagree.

Training data a file list ships (``data/train.jsonl``, ``train-00000-of-00001.parquet``: a data file named
``train*``, :data:`.datasets_released.TRAIN_DATA_FILES`) is one more feature, ``f_traindata``, decided the same
way: the probe's pattern has lookaheads that DuckDB's RE2 cannot run, so an RE2 prefilter
(:data:`TRAIN_DATA_PREFILTER`, which every path the pattern matches also matches) reads out the store's distinct
candidate paths, the probe's own pattern decides each, and the paths it keeps are joined back
(:func:`train_data_table`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from openscope.derive.openness import ancestry, libraries
from openscope.derive.openness.assessment import assess_record
from openscope.derive.openness.declared_base import family_of_root
from openscope.derive.openness.inheritance import Reading
from openscope.derive.openness.license_files import is_license_file, scope_of_name
from openscope.derive.openness.probes import (
    architecture_code,
    data_card,
    datasets_released,
    evaluation_code,
    evaluation_data,
    inference_code,
    intermediate_checkpoints,
    model_metadata,
    preprocessing_code,
    research_paper,
    technical_report,
    training_code,
    weights_released,
)
from openscope.derive.openness.records import (
    DATASET_LICENSE_JOIN,
    DATASET_LICENSE_SQL,
    NON_INFORMATIVE,
    DatasetRef,
    ModelRecord,
)
from openscope.store import Store

# feature -> (pattern, a representative file that matches this pattern and no other)
FILE_FEATURES: dict[str, tuple[str, str]] = {
    "f_weights": (weights_released.WEIGHT_FILE.pattern, "model.safetensors"),
    "f_arch": (architecture_code.ARCH_FILES.pattern, "config.json"),
    "f_train": (training_code.TRAIN_FILES.pattern, "train.sh"),
    "f_infer": (inference_code.INFER_FILES.pattern, "infer.py"),
    "f_eval": (evaluation_code.EVAL_FILES.pattern, "eval.sh"),
    "f_prep": (preprocessing_code.PREP_FILES.pattern, "preprocess.sh"),
    "f_ckpt": (intermediate_checkpoints.CKPT_FILES.pattern, "checkpoint-1/x"),
    "f_meta": (model_metadata.META_FILES.pattern, "trainer_state.json"),
    "f_report": (technical_report.REPORT_FILES.pattern, "technical_report.pdf"),
    "f_sheet": (data_card.SHEET_FILES.pattern, "DATASHEET.md"),
    "f_evaldata": (evaluation_data.EVAL_DATA_FILES.pattern, "evaluation/set.jsonl"),
    "f_paper": (research_paper.PAPER_FILES.pattern, "paper.pdf"),
}
NEUTRAL_FILE = "notes.txt"
# ``f_traindata``: a path every match of TRAIN_DATA_FILES also matches (RE2): a path component starting with
# "train" (Python's IGNORECASE also takes the dotted and dotless i, İ and ı, for "i"; RE2's folding does not, so
# they are spelt out), then at most three more components, ending in a data extension (Python's ``$`` also
# matches before a final newline, RE2's does not)
TRAIN_DATA_PREFILTER = r"(?i)(^|/)tra[iıİ]n[^/]*(/[^/]*){0,3}\.(jsonl?|csv|tsv|parquet|arrow|txt)\n?$"
TRAIN_DATA_REP = "train.jsonl"   # matches TRAIN_DATA_FILES and no pattern of FILE_FEATURES
PATTERN_COLS = (
    "license", "lic_modified", "gated_state", "lib", *FILE_FEATURES, "f_traindata", "has_files", "arxiv", "ds_state",
    "ds_license", "lic_file",
)
# ``lic_file`` -> a representative licence file (its text unread): one for the whole release covers the weights
LICENSE_FILE_REPS = {"weights": "LICENSE", "other": "LICENSE-CODE"}


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


def features_sql() -> str:
    """One row per live model: its metadata features. Reads the temp tables :func:`license_file_table` and
    :func:`train_data_table` make (the file rules decided in Python over the store's distinct paths)."""
    file_aggs = []
    for name, (pat, _) in FILE_FEATURES.items():
        cond = f"regexp_matches(path, {_sql_str(pat)}, 'i')"
        if name == "f_weights":
            cond += f" AND NOT regexp_matches(path, {_sql_str(weights_released.NOT_WEIGHT_FILE.pattern)}, 'i')"
            # a weight file in an intermediate checkpoint's folder is not the final weights (as the probe reads it)
            cond += f" AND NOT regexp_matches(path, {_sql_str(intermediate_checkpoints.CKPT_FILES.pattern)}, 'i')"
        elif name == "f_evaldata":
            # what a trainer or an evaluation run writes (eval_results.json, ...) is no evaluation data
            cond += f" AND NOT regexp_matches(path, {_sql_str(evaluation_data.NOT_EVAL_DATA_FILE.pattern)}, 'i')"
        file_aggs.append(f"bool_or({cond}) AS {name}")
    return f"""
    WITH live AS (
        SELECT id, license, gated, library_name, card_data FROM models WHERE deleted_at IS NULL
    ),
    f AS (
        SELECT id, {', '.join(file_aggs)},
               bool_or(NOT regexp_matches(path, {_sql_str(NON_INFORMATIVE)})) AS has_files
        FROM files WHERE repo_type = 'model' GROUP BY id
    ),
    -- shipped training data: the paths train_data_table kept (a small table), joined back
    td AS (SELECT DISTINCT x.id FROM files x JOIN _otd t ON t.tpath = x.path WHERE x.repo_type = 'model'),
    ax AS (SELECT DISTINCT id FROM tags WHERE repo_type = 'model' AND tag LIKE 'arxiv:%'),
    lf AS (
        SELECT f.id, bool_or(k.weights) AS weights
        FROM files f JOIN _olf k ON k.path = f.path WHERE f.repo_type = 'model' GROUP BY f.id
    ),
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
               coalesce(NOT x.private, TRUE) AND (x.gated IS NULL OR lower(x.gated) = 'false') AS open_,
               {DATASET_LICENSE_SQL} AS dlicense
        FROM declared d LEFT JOIN datasets x ON lower(x.id) = lower(trim(d.ds)) {DATASET_LICENSE_JOIN}
        WHERE d.ds IS NOT NULL AND trim(d.ds) <> ''
    ),
    ds AS (
        SELECT id,
               CASE WHEN bool_or(known AND open_) THEN 'open'
                    WHEN bool_or(known) THEN 'closed'
                    ELSE 'declared' END AS ds_state,
               CASE WHEN bool_or(known AND open_) THEN arg_min(dlicense, lower(ds)) FILTER (WHERE known AND open_)
                    WHEN bool_or(known) THEN arg_min(dlicense, lower(ds)) FILTER (WHERE known)
                    END AS ds_license
        FROM dj GROUP BY id
    )
    SELECT l.id, l.license,
           -- `license: other` with `license_name: modified-…`: a permissive licence its publisher modified
           coalesce(l.license = 'other'
                    AND lower(json_extract_string(l.card_data, '$.license_name')) LIKE 'modified%', FALSE)
               AS lic_modified,
           CASE WHEN l.gated IS NULL THEN 'null'
                WHEN lower(l.gated) IN ('false', '0', 'none') THEN 'open' ELSE 'gated' END AS gated_state,
           {_library_sql()} AS lib,
           {', '.join(f"coalesce(f.{n}, FALSE) AS {n}" for n in FILE_FEATURES)},
           td.id IS NOT NULL AS f_traindata,
           coalesce(f.has_files, FALSE) AS has_files,
           ax.id IS NOT NULL AS arxiv,
           coalesce(ds.ds_state, 'none') AS ds_state, ds.ds_license,
           CASE WHEN lf.weights THEN 'weights' WHEN NOT lf.weights THEN 'other' END AS lic_file
    FROM live l LEFT JOIN f USING (id) LEFT JOIN ax USING (id) LEFT JOIN ds USING (id) LEFT JOIN lf USING (id)
         LEFT JOIN td USING (id)
    """


def license_file_table(store: Store) -> int:
    """Temp table ``_olf(path, weights)``: every distinct file path in the store that is a release licence file
    (by :func:`.license_files.is_license_file`), and whether it covers the weights (a whole-release file, or one
    whose name says so). Every such name holds ``licen`` or ``copying``, so only those distinct paths are read
    out (a few, however many models). Returns how many paths are licence files."""
    con = store.con
    paths = [r[0] for r in con.execute(
        "SELECT DISTINCT path FROM files WHERE repo_type = 'model' "
        "AND (path ILIKE '%licen%' OR path ILIKE '%copying%')").fetchall()]
    rows = [(p, not (sc := scope_of_name(p)) or "weights" in sc) for p in paths if is_license_file(p)]
    con.register("_olf_batch", pa.table({"path": pa.array([r[0] for r in rows], pa.string()),
                                         "weights": pa.array([r[1] for r in rows], pa.bool_())}))
    con.execute("CREATE OR REPLACE TEMP TABLE _olf AS SELECT * FROM _olf_batch")
    con.unregister("_olf_batch")
    return len(rows)


def train_data_table(store: Store) -> int:
    """Temp table ``_otd(tpath)``: every distinct model file path in the store that is shipped training data by
    the probe's own pattern (:data:`.datasets_released.TRAIN_DATA_FILES`, which RE2 cannot run: it has
    lookaheads). Only the distinct paths :data:`TRAIN_DATA_PREFILTER` keeps are read out and decided in Python
    (3,000 in a 200,000-model test store where 18,000 models ship such files: distinct paths, not models), so the set-based grading reads a model's file list exactly as
    :func:`.datasets_released.shipped_training_data` does for a model without card text. Returns how many paths
    are training data."""
    con = store.con
    paths = [r[0] for r in con.execute(
        "SELECT DISTINCT path FROM files WHERE repo_type = 'model' AND regexp_matches(path, ?)",
        [TRAIN_DATA_PREFILTER]).fetchall()]
    keep = [p for p in paths if datasets_released.TRAIN_DATA_FILES.search(p)]
    con.register("_otd_batch", pa.table({"tpath": pa.array(keep, pa.string())}))
    con.execute("CREATE OR REPLACE TEMP TABLE _otd AS SELECT * FROM _otd_batch")
    con.unregister("_otd_batch")
    return len(keep)

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


def grade_pattern(p: dict[str, Any], root: dict[str, Any] | None,
                  root_family: dict[str, Any] | None = None, ancestors: list[Reading] | None = None) -> dict[str, Any]:
    """Grades for one (pattern, root pattern, root's curated family, ancestors' licences that could bind):
    the per-model code on a synthetic record."""
    rec = synthetic_record("m", p)
    if root is not None:
        rec.root = synthetic_record("r", root)
        rec.root.cache["curated_entry"] = root_family
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
    for e in fact.evidence[:3]:
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
    license_file_table(store)
    train_data_table(store)
    con.execute("CREATE OR REPLACE TEMP TABLE _om AS " + features_sql())
    has_lineage = bool(store.scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'lineage'"))
    cols = ", ".join(PATTERN_COLS)
    key_expr = "md5(concat_ws('|', " + ", ".join(f"coalesce(CAST({c} AS VARCHAR), '~')" for c in PATTERN_COLS) + "))"
    con.execute(f"CREATE OR REPLACE TEMP TABLE _omk AS SELECT *, {key_expr} AS pkey FROM _om")
    if has_lineage:
        # the deepest root, then the smallest id, as the per-model path picks it (records.py): a merge with
        # two roots at one depth is graded the same whatever order the rows come in
        con.execute("""
            CREATE OR REPLACE TEMP TABLE _oroot AS
            SELECT id, first(root ORDER BY depth DESC, root) AS root FROM lineage WHERE root <> id GROUP BY id""")
        families = _root_families(store)
        con.execute("""
            CREATE OR REPLACE TEMP TABLE _omr AS
            SELECT m.id, m.pkey,
                   CASE WHEN o.root IS NOT NULL AND r.pkey IS NULL THEN 'missing' ELSE r.pkey END
                   || coalesce('#' || f.family, '') AS rkey
            FROM _omk m
            LEFT JOIN _oroot o ON o.id = m.id LEFT JOIN _omk r ON r.id = o.root
            LEFT JOIN _ofam f ON f.root = o.root""")
    else:
        families = {}
        con.execute("CREATE OR REPLACE TEMP TABLE _oroot (id VARCHAR, root VARCHAR)")
        con.execute("CREATE OR REPLACE TEMP TABLE _omr AS SELECT id, pkey, NULL::VARCHAR AS rkey FROM _omk")
    # every ancestor whose licence could bind the weights (:mod:`.ancestry`, :mod:`.inheritance`): one more key
    ancestors, _ = ancestry.binding_table(store, "_omk", lambda base: family_of_root(base, True))
    con.execute("""CREATE OR REPLACE TEMP TABLE _omr AS
                   SELECT m.*, a.ah AS akey FROM _omr m LEFT JOIN _oanc a USING (id)""")
    patterns = _patterns(store, cols)
    patterns["missing"] = MISSING_ROOT  # a lineage root that is not in the store: nothing to read
    combos = con.execute("SELECT DISTINCT pkey, rkey, akey FROM _omr").fetchall()
    out: list[tuple[str, str | None, str | None, str, str, str | None, float | None, str | None]] = []
    for pkey, rkey, akey in combos:
        rpat, _, fam = (rkey or "").partition("#")
        grades = grade_pattern(patterns[pkey], patterns.get(rpat) if rpat else None, families.get(fam),
                               ancestors.get(akey) if akey else None)
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
    for t in ("_oroot", "_ofam", "_oanc", "_olf", "_otd"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    return n


# the model's and its root's Hub pages in place of the synthetic records' locators (evidence of a component
# graded by an inherited licence)
_PAGES = ("replace(replace(g.evidence, '\"@model\"', to_json('https://huggingface.co/' || m.id)::VARCHAR), "
          "'\"@root\"', to_json('https://huggingface.co/' || coalesce(o.root, ''))::VARCHAR)")


def _ancestors_back(evidence: str) -> str:
    """SQL that puts each binding ancestor's id (and Hub page, as a locator) back in place of the synthetic
    placeholders ``@anc<i>@`` (:data:`ancestry.PLACEHOLDER`) of the evidence text ``evidence``, from the
    model's ``a.bases`` (nearest first, as the placeholders are numbered). Each id is put in JSON-escaped, so
    the text stays valid JSON whatever an id holds; a placeholder never occurs in a Hub id (repository names
    are letters, digits, ``-``, ``_`` and ``.``: no ``@``)."""
    page = "to_json('https://huggingface.co/' || p[1])::VARCHAR"
    bare = "substr(to_json(p[1])::VARCHAR, 2, length(to_json(p[1])::VARCHAR) - 2)"
    step = f"replace(replace(acc, '\"@anc' || p[2] || '@\"', {page}), '@anc' || p[2] || '@', {bare})"
    return (f"CASE WHEN a.bases IS NULL THEN {evidence} "
            f"ELSE list_reduce(list_zip(a.bases, range(len(a.bases))), lambda acc, p: {step}, {evidence}) END")


def _root_families(store: Store) -> dict[str, dict[str, Any]]:
    """Temp table ``_ofam(root, family)``: the curated family of every lineage root that has one (by Hub id;
    for a root outside the store also by the name its id gives), as the per-model path finds it
    (:func:`declared_base.family_of_root`). Returns family name → curated entry."""
    con = store.con
    roots = con.execute("""SELECT DISTINCT o.root, r.id IS NULL FROM _oroot o
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
