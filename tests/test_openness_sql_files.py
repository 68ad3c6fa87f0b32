"""Shipped data files are read alike by the per-model probes and the set-based (SQL) grading.

Why: the set-based path grades millions of models by feature pattern; a file rule it lacks (training data named
``train*``) or reads differently (what a trainer writes, ``eval_results.json``) makes the two paths disagree at scale.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb

from openscope.derive.openness import openness_rows, refresh
from openscope.derive.openness.assessment import assess_record
from openscope.derive.openness.probes.datasets_released import TRAIN_DATA_FILES
from openscope.derive.openness.probes.evaluation_data import EVAL_DATA_FILES, NOT_EVAL_DATA_FILE
from openscope.derive.openness.records import from_store
from openscope.derive.openness.sql import FILE_FEATURES, NEUTRAL_FILE, TRAIN_DATA_PREFILTER, TRAIN_DATA_REP
from openscope.jobs.ingest import ingest_file
from openscope.store import open_store

# model -> (its files besides the weights, expected Datasets status, expected Evaluation data status)
SHIPS: dict[str, tuple[list[str], str, str]] = {
    "o/root-train": (["train.jsonl"], "open_license", "not_found"),
    "o/data-folder": (["data/train.jsonl", "data/validation.jsonl"], "open_license", "not_found"),
    "o/shards": (["data/train-00000-of-00002.parquet", "data/train-00001-of-00002.parquet"], "open_license",
                 "not_found"),
    "o/training-folder": (["training/part-1.csv"], "open_license", "not_found"),
    "o/non-ascii-folder": (["données/train.jsonl"], "open_license", "not_found"),
    # training data under an evaluation folder is evaluation data, not the Datasets
    "o/eval-folder": (["eval/train.jsonl"], "not_found", "open_license"),
    "o/test-folder": (["test/train.csv"], "not_found", "not_found"),
    # what a trainer writes is neither
    "o/trainer-out": (["train_results.json", "trainer_state.json", "training_args.bin", "all_results.json"],
                      "not_found", "not_found"),
    "o/eval-out": (["eval_results.json", "eval_metrics.json", "eval_predictions.jsonl",
                    "eval_nbest_predictions.json", "evaluation_results.json", "eval_results_mnli.json",
                    "eval_state.json", "eval_results/mmlu.json", "benchmark_results.csv"], "not_found", "not_found"),
    "o/eval-run-folder": (["eval/results.json", "evaluation/metrics.json", "eval/results_2024-01-01T00-00-00.json",
                           "evaluation/outputs.jsonl"], "not_found", "not_found"),
    # real evaluation data
    "o/evaluation": (["evaluation/set.jsonl", "eval_results.json"], "not_found", "open_license"),
    "o/eval-named": (["eval/gsm8k_test.jsonl", "evaluation/state_of_the_union.jsonl"], "not_found", "open_license"),
    "o/both": (["train.jsonl", "evaluation/mmlu/dev.csv", "eval_results.json", "train_results.json"],
               "open_license", "open_license"),
    "o/neither": (["notes.txt", "config.json"], "not_found", "not_found"),
}
# paths every rule here is checked on, in both engines
PATHS = [p for files, _, _ in SHIPS.values() for p in files] + [
    "TRAIN.JSONL", "Train-Data.CSV", "traın.jsonl", "TRAİN.jsonl", "a/b/c/train.txt", "training/a/b/c.arrow",
    "training/a/b/c/d.arrow", "trainer.jsonl", "training_log.txt", "train_loss.csv", "train_results_v2.json",
    "evaluation/train.jsonl", "benchmark-x/train.csv", "tests/train.jsonl", "pretrain.jsonl", "x/pretrain/a.csv",
    "train.py", "train.sh", "train/x.bin", "data/train.json", "eval_data.jsonl", "benchmark/questions.jsonl",
    "evaluation_dataset/data.parquet", "eval-set.csv", "eval/loss_curve.csv", "eval_loss.json", "eval_config.json",
    "results/eval_mmlu.json", "eval/preds.jsonl", "eval_generations.jsonl", "EVAL_RESULTS.JSON", "eval/Summary.csv",
    "train data/train.jsonl", "données/évaluation/x.jsonl", "train.jsonl\n", "data/train.csv\nx",
]


def _store(tmp: Path):  # type: ignore[no-untyped-def]
    models = [{"id": mid, "author": "o", "tags": ["license:apache-2.0"],
               "siblings": [{"rfilename": f} for f in ["model.safetensors", *files]]}
              for mid, (files, _, _) in SHIPS.items()]
    # one more that also declares a dataset the store does not know: the shipped files are read first
    models.append({"id": "o/declared", "author": "o", "tags": ["license:apache-2.0", "dataset:nobody/corpus"],
                   "siblings": [{"rfilename": "model.safetensors"}, {"rfilename": "data/train.jsonl"}]})
    path = tmp / "models.jsonl"
    path.write_text("\n".join(json.dumps(m) for m in models) + "\n")
    store = open_store(tmp / "s.duckdb")
    ingest_file(store, path)
    return store


def test_shipped_files_graded_alike_per_model_and_set_based(tmp_path: Path) -> None:
    store = _store(tmp_path)
    try:
        stats = refresh(store)
        assert stats["models"] == len(SHIPS) + 1 and stats["cards"] == 0
        for mid in [*SHIPS, "o/declared"]:
            expected = {(fw, d): (g, s) for fw, d, g, s, _ in openness_rows(assess_record(from_store(store, mid)))}
            got = {(r[0], r[1]): (r[2], r[3]) for r in store.con.execute(
                "SELECT framework, dimension, grade, score FROM openness WHERE id = ?", [mid]).fetchall()}
            assert got == expected, mid
            assert store.scalar("SELECT any_value(method) FROM openness WHERE id = ?", [mid]) == "metadata"
        status = {(r[0], r[1]): r[2] for r in store.con.execute(
            "SELECT id, dimension, grade FROM openness WHERE framework = 'component' "
            "AND dimension IN ('Datasets', 'Evaluation data')").fetchall()}
        for mid, (_, datasets, evaluation) in SHIPS.items():
            assert (status[(mid, "Datasets")], status[(mid, "Evaluation data")]) == (datasets, evaluation), mid
        assert status[("o/declared", "Datasets")] == "open_license"
        # the OSAI's data dimensions read the released Datasets: shipped training data opens them
        sources = dict(store.con.execute(
            "SELECT id, grade FROM openness WHERE framework = 'osai' AND dimension = 'datasources_endmodel'").fetchall())
        assert (sources["o/root-train"], sources["o/trainer-out"], sources["o/neither"]) == ("open", "closed", "closed")
    finally:
        store.close()


def test_train_data_prefilter_keeps_every_path_the_probe_matches() -> None:
    """RE2 cannot run TRAIN_DATA_FILES; the prefilter must never drop a path it matches. Case-insensitive
    matching differs between engines on a few letters (Python's İ and ı for "i"), so every letter of the
    prefilter's literals is tried in each form Python's IGNORECASE takes for it."""
    variants: dict[str, list[str]] = {}
    for cp in range(0x110000):
        c = chr(cp)
        if re.fullmatch("[a-z]", c, re.IGNORECASE):
            for letter in "abcdefghijklmnopqrstuvwxyz":
                if re.fullmatch(letter, c, re.IGNORECASE):
                    variants.setdefault(letter, []).append(c)
    assert "ı" in variants["i"] and "ſ" in variants["s"]   # the engines' differences are exercised
    paths = set(PATHS)
    for base in ("train.jsonl", "data/training-1.csv", "train/x/y/z.tsv", "train.parquet", "train.arrow", "train.txt"):
        for i, ch in enumerate(base):
            for v in variants.get(ch, []):
                paths.add(base[:i] + v + base[i + 1:])
    paths_l = sorted(paths)
    con = duckdb.connect()
    kept = [r[0] for r in con.execute("SELECT regexp_matches(p, ?) FROM unnest(?::VARCHAR[]) t(p)",
                                      [TRAIN_DATA_PREFILTER, paths_l]).fetchall()]
    matched = [bool(TRAIN_DATA_FILES.search(p)) for p in paths_l]
    missed = [p for p, k, m in zip(paths_l, kept, matched, strict=True) if m and not k]
    assert not missed
    assert sum(matched) > 40 and not all(kept)   # the table exercises both sides


def test_eval_data_rule_is_the_same_in_both_engines() -> None:
    """The SQL feature runs EVAL_DATA_FILES and its exclusion verbatim in RE2; the probe runs them in Python."""
    con = duckdb.connect()
    sql = con.execute(
        "SELECT regexp_matches(p, ?, 'i') AND NOT regexp_matches(p, ?, 'i') FROM unnest(?::VARCHAR[]) t(p)",
        [EVAL_DATA_FILES.pattern, NOT_EVAL_DATA_FILE.pattern, [p for p in PATHS if p.isascii()]]).fetchall()
    py = [bool(EVAL_DATA_FILES.search(p)) and not NOT_EVAL_DATA_FILE.search(p) for p in PATHS if p.isascii()]
    assert [r[0] for r in sql] == py
    assert 5 <= sum(py) < len(py)


def test_train_data_representative_matches_only_its_own_rule() -> None:
    assert TRAIN_DATA_FILES.search(TRAIN_DATA_REP)
    assert not any(re.search(pat, TRAIN_DATA_REP, re.IGNORECASE) for pat, _ in FILE_FEATURES.values())
    assert not TRAIN_DATA_FILES.search(NEUTRAL_FILE)
    assert not any(TRAIN_DATA_FILES.search(rep) for _, rep in FILE_FEATURES.values())
