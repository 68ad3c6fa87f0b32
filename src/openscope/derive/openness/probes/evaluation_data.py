"""Is the evaluation data available? Named public benchmarks are released data."""

from __future__ import annotations

import re

from openscope.derive.openness.probes import Finding, file_evidence, files_matching, repo_license
from openscope.derive.openness.probes._own_evidence import mention_evidence, own_mentions
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Evaluation data"
BENCHMARKS = re.compile(
    r"\b(MMLU|GSM8K|HumanEval|MBPP|HellaSwag|ARC-(e|c|easy|challenge)|TruthfulQA|WinoGrande|BIG-?Bench|BBH|C-?Eval|"
    r"CMMLU|MT-?Bench|AlpacaEval|PIQA|BoolQ|LAMBADA|MATH|SQuAD|GLUE|SuperGLUE|LibriSpeech|Common ?Voice|COCO|"
    r"ImageNet|VBench|GenEval|DrawBench|LiveCodeBench|AIME|GPQA|IFEval|MS-?COCO|T2I-CompBench)\b")
# Lower-case words of which every match of BENCHMARKS holds one (the card is searched only around them):
# "mmlu" (also CMMLU), "bench" (BIG-Bench, MT-Bench, VBench, DrawBench, LiveCodeBench, T2I-CompBench), "eval"
# (HumanEval, C-Eval, AlpacaEval, GenEval, IFEval), "voice" (Common Voice), "coco" (COCO, MS-COCO), "glue" (GLUE,
# SuperGLUE), "arc-" and each other name.
BENCHMARK_NEEDLES = ("mmlu", "gsm8k", "eval", "mbpp", "hellaswag", "arc-", "truthfulqa", "winogrande", "bench", "bbh",
                     "piqa", "boolq", "lambada", "math", "squad", "glue", "librispeech", "voice", "coco", "imagenet",
                     "aime", "gpqa")
# Evaluation data shipped in the repository (RE2-compatible: the set-based form uses it verbatim): a data
# file whose name, or whose folder's name, starts with eval/evaluation/benchmark.
EVAL_DATA_FILES = re.compile(r"(^|/)(eval|evaluation|benchmark)[\w-]{0,255}(/[\w.-]{1,100}){0,3}\.(jsonl?|csv|tsv|parquet|arrow)$",
                             re.IGNORECASE)
REMEDIATION = "Name the evaluation datasets and publish any custom evaluation data under an open data licence."


def run(rec: ModelRecord) -> Finding:
    """Evaluation data in the repository is under the repository's licence; a public benchmark the card
    names is released, but under its own licence, which the name alone does not tell (``no_license``)."""
    f = Finding("evaluation_data", "unknown", COMPONENT, remediation=REMEDIATION)
    files = files_matching(rec, EVAL_DATA_FILES)
    if files:
        f.status, f.license = released_status(repo_license(rec, "data"))
        f.outcome, f.evidence = "positive", [file_evidence(rec, files)]
        return f
    # a benchmark the model was evaluated on, not one named only in a section of others' work (references,
    # acknowledgements, citations) or in text a reader never sees (an HTML comment)
    ev = next((mention_evidence(rec, m) for m, verdict in own_mentions(rec, BENCHMARKS, BENCHMARK_NEEDLES,
                                                                          cited=False, component=COMPONENT)
               if verdict == "own"), None)
    if ev:
        f.status, f.outcome, f.evidence = "no_license", "positive", [ev]
    elif rec.card is not None:
        f.outcome = "negative"
    return f
