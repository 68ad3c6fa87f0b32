"""Are intermediate training checkpoints released?"""

from __future__ import annotations

import re

from openscope.derive.openness.probes import Finding, card_search, file_evidence, files_matching, repo_license
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Model parameters (Intermediate)"
CKPT_FILES = re.compile(r"(^|/)(checkpoint|step|global_step)[-_]?\d+/", re.IGNORECASE)
CKPT_TEXT = re.compile(
    r"(intermediate (training )?checkpoints?|checkpoints? (saved |released |available )?(every|at each|for each|"
    r"at) (\d|step|epoch)|revision=[\"']?step\d+|\bstep\d{3,}\b|training checkpoints? (are|is) (released|available)"
    r"|(?<!\d)\d+ checkpoints)", re.IGNORECASE)
CKPT_TEXT_NEEDLES = ('checkpoint', 'revision', 'step')
REMEDIATION = "Publish intermediate checkpoints (e.g. as revisions `stepN`) under the same open licence."


def run(rec: ModelRecord) -> Finding:
    f = Finding("intermediate_checkpoints", "unknown", COMPONENT, remediation=REMEDIATION)
    files = files_matching(rec, CKPT_FILES)
    text = card_search(rec, CKPT_TEXT, needles=CKPT_TEXT_NEEDLES)
    if files or text:
        f.status, f.license = released_status(repo_license(rec, "weights"))
        f.outcome = "positive"
        f.evidence = [file_evidence(rec, files)] if files else [text] if text else []
    elif rec.card is not None or rec.files:
        f.outcome = "negative"
    return f
