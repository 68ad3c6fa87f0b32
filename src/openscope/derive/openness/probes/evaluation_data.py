"""Is the evaluation data available? Named public benchmarks are released data."""

from __future__ import annotations

import re

from openscope.derive.openness.probes import Finding, card_search
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Evaluation data"
BENCHMARKS = re.compile(
    r"\b(MMLU|GSM8K|HumanEval|MBPP|HellaSwag|ARC-(e|c|easy|challenge)|TruthfulQA|WinoGrande|BIG-?Bench|BBH|C-?Eval|"
    r"CMMLU|MT-?Bench|AlpacaEval|PIQA|BoolQ|LAMBADA|MATH|SQuAD|GLUE|SuperGLUE|LibriSpeech|Common ?Voice|COCO|"
    r"ImageNet|VBench|GenEval|DrawBench|LiveCodeBench|AIME|GPQA|IFEval|MS-?COCO|T2I-CompBench)\b")
REMEDIATION = "Name the evaluation datasets and publish any custom evaluation data under an open data licence."


def run(rec: ModelRecord) -> Finding:
    f = Finding("evaluation_data", "unknown", COMPONENT, remediation=REMEDIATION)
    ev = card_search(rec, BENCHMARKS)
    if ev:
        f.status, f.outcome, f.evidence = "no_license", "positive", [ev]
    elif rec.card is not None:
        f.outcome = "negative"
    return f
