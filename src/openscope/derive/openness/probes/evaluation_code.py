"""Is the code used to evaluate the model released?"""

from __future__ import annotations

import re

from openscope.derive.openness.probes import (
    Finding,
    card_search,
    file_evidence,
    files_matching,
    repo_license,
    repo_link,
)
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Evaluation code"
EVAL_FILES = re.compile(r"(^|/)(eval|evaluate|evaluation|benchmark)[\w-]*\.(py|sh)$", re.IGNORECASE)
EVAL_TEXT = re.compile(
    r"(lm[-_ ]?eval(uation)?[-_ ]harness|opencompass|evalplus|bigcode-evaluation-harness|lighteval|vbench"
    r"|evaluation (code|scripts?|toolkit|pipeline)|(python3?|bash) [\w/.-]*eval[\w-]*\.(py|sh))", re.IGNORECASE)
EVAL_TEXT_NEEDLES = ('eval', 'opencompass', 'vbench')
# a linked file or folder beside the card (the card's own repository)
EVAL_REL = re.compile(r"(^|[/_\s-])(eval|evaluat\w*|benchmark\w*)\b", re.IGNORECASE)
REMEDIATION = "Publish the evaluation scripts (or name the open harness and its configuration) under an open licence."


def run(rec: ModelRecord) -> Finding:
    f = Finding("evaluation_code", "unknown", COMPONENT, remediation=REMEDIATION)
    files = files_matching(rec, EVAL_FILES)
    text = card_search(rec, EVAL_TEXT, needles=EVAL_TEXT_NEEDLES) or repo_link(rec, EVAL_REL)
    if files or text:
        f.status, f.license = released_status(repo_license(rec))
        f.outcome = "positive"
        f.evidence = [file_evidence(rec, files)] if files else [text] if text else []
    elif rec.card is not None or rec.files:
        f.outcome = "negative"
    return f
