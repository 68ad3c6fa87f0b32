"""Are evaluation results published (model-index metadata, or a results table in the card)?"""

from __future__ import annotations

import re

from openscope.derive.openness.probes import Finding, card_search, hub_evidence, repo_license
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Evaluation results"
# A table line: its first "|", a benchmark word, then its last "|". Anchored at the line start and committed to
# the first benchmark word (atomic group), so a line of pipes is read once, not once per pipe; the match
# proper is the group ``at`` (what ``card_search`` quotes).
RESULTS_TABLE = re.compile(r"^[^\n|]*+(?P<at>\|(?>[^\n]*?\b(?:MMLU|GSM8K|HumanEval|MBPP|HellaSwag|ARC|TruthfulQA|WinoGrande|BBH|C-?Eval|"
                           r"CMMLU|MT-?Bench|AlpacaEval|accuracy|acc|F1|BLEU|ROUGE|WER|FID|CLIP|score|pass@1|"
                           r"VBench|GenEval|benchmark)\b)[^\n]*\|)", re.IGNORECASE | re.MULTILINE)
RESULTS_SECTION = re.compile(r"(evaluation|results|benchmarks?|performance)", re.IGNORECASE)
REMEDIATION = "Publish evaluation results (a results table, or `model-index` metadata) with the benchmarks named."


def run(rec: ModelRecord) -> Finding:
    f = Finding("evaluation_results", "unknown", COMPONENT, remediation=REMEDIATION)
    mi = rec.card_data.get("model-index") or (rec.card.meta.get("model-index") if rec.card else None)
    ev = [hub_evidence(rec, "model-index metadata with results", "model-index")] if mi else []
    if not ev:
        sec = card_search(rec, RESULTS_TABLE, sections=RESULTS_SECTION) or card_search(rec, RESULTS_TABLE)
        ev = [sec] if sec else []
    if ev:
        f.status, f.license = released_status(repo_license(rec))
        f.outcome, f.evidence = "positive", ev
    elif rec.card is not None:
        f.outcome = "negative"
    return f
