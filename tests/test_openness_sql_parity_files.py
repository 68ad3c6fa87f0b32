"""The set-based (SQL) grading and the per-model path agree on any file list, not just on a sample.

Why: the set-based path reads a model's file list through features (weights, training code, shipped data, licence
files, ...) and grades each feature pattern once with the per-model code. Where a feature is decided by another
engine (DuckDB's RE2) than the per-model probe (Python's ``re``), the two disagree on paths where the engines do:
Unicode letters for ``\\w`` (``eval/数据.jsonl``), case forms Python folds to ASCII letters (``İ``, ``ı``, ``ſ``, the
Kelvin sign), ``$`` before a final newline. Random file lists drawn from such paths, several models a store, must
grade alike on both paths.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path

import duckdb
from hypothesis import example, given, settings
from hypothesis import strategies as st

from openscope.derive.openness import openness_rows, refresh
from openscope.derive.openness.assessment import assess_record
from openscope.derive.openness.records import from_store
from openscope.derive.openness.sql import FILE_FEATURES, PATH_RULES, re2_superset
from openscope.jobs.ingest import ingest_file
from openscope.store import open_store

LONG = "a" * 240
# each feature's representative and near-misses: nested folders, case forms, non-ASCII names, trainer outputs,
# checkpoint folders, weight-file variants, licence files, spaces, long names
VOCAB: list[str] = sorted({rep for _, rep in FILE_FEATURES.values()} | {
    # weights and what is not the final weights
    "model.safetensors", "MODEL.SAFETENSORS", "model.ſafetensors", "sub dir/model.safetensors",
    "model-00001-of-00002.safetensors", "pytorch_model.bin", "pytorch_model.BİN", "pytorch_model.bın", "x.gguf",
    "x.GGUF", "ggml-model-q4_0.gguf", "weights/模型.safetensors", "training_args.bin", "optimizer.pt",
    "scheduler.pt", "rng_state_0.pth", "checkpoint-500/model.safetensors", "CHECKPOINT-500/pytorch_model.bin",
    "step_100/model.bin", "global_step500/mp_rank_00_model_states.pt", "checkpoint-500/x", "checkpoİnt-500/x.bin",
    "model.safetensors\n", f"{LONG}.safetensors",
    # architecture, training, inference, evaluation and preprocessing code
    "config.json", "CONFİG.json", "modeling_llama.py", "modeling_模型.py", "configuration_x.py", "src/modeling_x.py",
    "train.py", "TRAIN.SH", "traın.py", "scripts/finetune_lora.sh", "run_train.py", "训练/train.py", "train_模型.py",
    "inference.py", "infer_模型.py", "demo app.py", "eval.sh", "evaluate.py", "eval_模型.py", "benchmark.sh",
    "preprocess.sh", "preprocess_数据.py", "data_prep.py",
    # trainer outputs and metadata
    "trainer_state.json", "TRAİNER_STATE.json", "train_results.json", "all_results.json", "eval_results.json",
    "eval_metrics.json", "eval_predictions.jsonl", "evaluation_results.json", "eval/results_2024-01-01.json",
    "training_config.yaml",
    # shipped data: training data, evaluation data, near-misses
    "train.jsonl", "data/train.jsonl", "data/train-00000-of-00001.parquet", "训练/train.jsonl", "données/train.jsonl",
    "traın.jsonl", "TRAİN.jsonl", "ſtrain.jsonl", "train.jsonl\n", "eval/train.jsonl", "test/train.csv",
    "training/part-1.csv", "evaluation/set.jsonl", "eval/数据.jsonl", "eval/gsm8k_test.jsonl", "evaluatıon/set.csv",
    "EVAL/SET.JSONL", "benchmark/questions.jsonl", "benchmark/数据/题目.jsonl", "eval_data.jsonl", "evaluation/set.jsonl\n",
    f"eval/{LONG}.jsonl", "eval data/set.jsonl",
    # reports, papers, data cards
    "technical_report.pdf", "paper.pdf", "論文paper.pdf", "DATASHEET.md", "datasheet_数据.md", "data_card.md",
    # licence files and near-misses
    "LICENSE", "LICENSE.md", "LİCENSE", "LıCENSE", "LICENſE", "LICENSE-MODEL", "MODEL_LICENSE", "LICENSE-CODE",
    "LICENSE-DATA", "LICENSES/Apache-2.0.txt", "COPYING", "COPYİNG", "vendor/LICENSE", "LICENSE-THIRD-PARTY",
    "NOTICE", "LICENSE\n",
    # uninformative files (and look-alikes), neutral files
    "README.md", "README.md\n", "readme.md", "docs/README.md", ".gitattributes", ".gitignore", "notes.txt",
    "tokenizer.json", "vocab.txt", "x\u212a.gguf", "\u212a", "merges.txt",
})
LICENSES = ["apache-2.0", "mit", "llama2", "other", None]

# One in-memory DuckDB for the RE2 checks below, shared by every example: it holds no table, each query matches
# only the paths passed to it. A connect starts a whole database (25-45 ms, held_open.py says why), which was most
# of the 350 examples' time; the matching itself is a millisecond.
RE2 = duckdb.connect()


def _graded(models: list[tuple[str | None, list[str]]], empty: Path) -> list[tuple[str, dict, dict]]:
    """Ingest ``models`` (licence, file list) into a fresh store (a copy of ``empty``, conftest's
    ``empty_store``: creating one runs every migration), grade it set-based, and return per model the set-based
    grades and the per-model ones."""
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        rows = [{"id": f"o/m{i}", "author": "o", "tags": [f"license:{lic}"] if lic else [],
                 "siblings": [{"rfilename": f} for f in files]} for i, (lic, files) in enumerate(models)]
        (tmp / "models.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
        store = open_store(shutil.copyfile(empty, tmp / "s.duckdb"))
        try:
            ingest_file(store, tmp / "models.jsonl")
            refresh(store)
            out = []
            for i in range(len(models)):
                mid = f"o/m{i}"
                got = {(r[0], r[1]): (r[2], r[3]) for r in store.con.execute(
                    "SELECT framework, dimension, grade, score FROM openness WHERE id = ?", [mid]).fetchall()}
                want = {(fw, dim): (g, s) for fw, dim, g, s, _ in openness_rows(assess_record(from_store(store, mid)))}
                out.append((mid, got, want))
            return out
        finally:
            store.close()


MODELS = st.lists(st.tuples(st.sampled_from(LICENSES),
                            st.lists(st.sampled_from(VOCAB), max_size=5, unique=True)), min_size=2, max_size=4)


@settings(max_examples=12, deadline=None, database=None)
@example([("apache-2.0", ["model.safetensors", "eval/数据.jsonl"]), ("mit", ["pytorch_model.BİN", "traın.py"]),
          (None, ["LıCENSE", "README.md\n"])])
@given(MODELS)
def test_any_file_list_grades_alike_per_model_and_set_based(empty_store: Path,
                                                            models: list[tuple[str | None, list[str]]]) -> None:
    for mid, got, want in _graded(models, empty_store):
        assert got == want, (mid, models, {k: (got.get(k), v) for k, v in want.items() if got.get(k) != v})


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(st.one_of(st.sampled_from(VOCAB), st.text(min_size=1, max_size=30)), min_size=1, max_size=20))
def test_prefilters_keep_every_path_a_rule_keeps(paths: list[str]) -> None:
    """Each rule's RE2 prefilter (made from the probe's own pattern) keeps every path the rule keeps, whatever the
    path holds: the set-based path reads out only the paths the prefilters keep."""
    con = RE2
    for rule in PATH_RULES:
        pf = re2_superset(rule.needs)
        assert pf is not None, rule.column
        kept = [r[0] for r in con.execute("SELECT regexp_matches(p, ?) FROM unnest(?::VARCHAR[]) t(p)",
                                          [pf, paths]).fetchall()]
        for p, k in zip(paths, kept, strict=True):
            assert k or not rule.keeps_path(p), (rule.column, p)


def test_prefilters_narrow_and_keep_the_vocabulary() -> None:
    """On the tricky paths, every path a rule keeps passes its prefilter, and each prefilter also drops paths
    (a prefilter that keeps everything would be correct but read out the whole store)."""
    con = duckdb.connect()
    for rule in PATH_RULES:
        pf = re2_superset(rule.needs)
        assert pf is not None
        kept = {p for p, k in con.execute("SELECT p, regexp_matches(p, ?) FROM unnest(?::VARCHAR[]) t(p)",
                                          [pf, VOCAB]).fetchall() if k}
        hits = {p for p in VOCAB if rule.keeps_path(p)}
        assert hits and hits <= kept, (rule.column, hits - kept)
        assert len(kept) < len(VOCAB) / 2, rule.column


# constructs the translation must widen soundly: lookarounds, word boundaries, back-references, conditionals,
# atomic and possessive groups, inline flags switched on and off, multiline anchors, \Z, large counts, `$` inside
CONSTRUCTS = [r"(?i)(?<=/)tra(?!x)in\b", r"(a)b\1$", r"(?i)(a)?(?(1)b|c)\Z", r"(?>ab|a)c", r"a++b", r"(?i:k)(?-i:s)",
              r"(?m)^s$\n", r"x{3,2000}", r"(?s).i.", r"\W\d\S$", r"[^/]{2}\.bin$", r"(?i)[a-z]{0,300}ſ$",
              r"(?i)(^|/)(train|eval)[\w-]*\.(py|sh)$"]
ALPHABET = "aAbBcCiIİıkKKsSſx/._-\n1数 trnelvpyh"


@settings(max_examples=150, deadline=None, database=None)
@given(st.sampled_from(CONSTRUCTS), st.lists(st.text(alphabet=ALPHABET, max_size=12), min_size=1, max_size=20))
def test_re2_superset_keeps_every_python_match(pattern: str, texts: list[str]) -> None:
    compiled = re.compile(pattern)
    pf = re2_superset(compiled)
    assert pf is not None, pattern
    kept = [r[0] for r in RE2.execute("SELECT regexp_matches(p, ?) FROM unnest(?::VARCHAR[]) t(p)",
                                      [pf, texts]).fetchall()]
    for t, k in zip(texts, kept, strict=True):
        assert k or not compiled.search(t), (pattern, t, pf)
