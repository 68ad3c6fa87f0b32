"""Are intermediate training checkpoints released?"""

from __future__ import annotations

import re

from openscope.derive.openness.probes import Evidence, Finding, file_evidence, files_matching, repo_license
from openscope.derive.openness.probes._own_evidence import mention_evidence, own_mentions
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Model parameters (Intermediate)"
CKPT_FILES = re.compile(r"(^|/)(checkpoint|step|global_step)[-_]?\d+/", re.IGNORECASE)
CKPT_TEXT = re.compile(
    # (a field's label too: "- **Checkpoints:** every epoch, in …")
    r"(intermediate (training )?checkpoints?|checkpoints?(?:\*\*)?:?(?:\*\*)? (saved |released |available )?(every|at each|"
    r"for each|at) (\d|step|epoch)|revision=[\"']?step\d+|\bstep\d{3,}\b|training checkpoints? (are|is) (released|available)"
    r"|(?<![\w.])\d+ checkpoints"   # a count: "154 checkpoints", not "bf16 checkpoints"
    # the checkpoints a run left ("the checkpoints taken during training"), a revision named by its step in a link's
    # address ("[step-100k](https://huggingface.co/org/model/tree/step-100k)")
    r"|checkpoints? (?:taken|saved|made|written) during (?:the )?(?:training|run)|/tree/(?:step|ckpt|checkpoint)[-_]?\d)",
    re.IGNORECASE)
CKPT_TEXT_NEEDLES = ('checkpoint', 'revision', 'step')
REMEDIATION = "Publish intermediate checkpoints (e.g. as revisions `stepN`) under the same open licence."


def run(rec: ModelRecord) -> Finding:
    f = Finding("intermediate_checkpoints", "unknown", COMPONENT, remediation=REMEDIATION)
    files = files_matching(rec, CKPT_FILES)
    text = None if files else released_mention(rec)
    if files or text:
        f.status, f.license = released_status(repo_license(rec, "weights"))
        f.outcome = "positive"
        f.evidence = [file_evidence(rec, files)] if files else [text] if text else []
    elif rec.card is not None or rec.files:
        f.outcome = "negative"
    return f


# A line that only lists in-page anchors (a table of contents) names a section; the section is the evidence.
TOC_LINE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[[^\]]*\]\(#[^)]*\)")


def released_mention(rec: ModelRecord) -> Evidence | None:
    """The first mention of intermediate checkpoints that is the release's own: not promised ("will be
    released", an unchecked to-do), hidden or in a section of others' work, and not a table-of-contents entry."""
    card = rec.card
    if card is None:
        return None
    for m, verdict in own_mentions(rec, CKPT_TEXT, needles=CKPT_TEXT_NEEDLES, cited=False, component=COMPONENT):
        ls = card.body.rfind("\n", 0, m.start()) + 1
        if verdict == "own" and not TOC_LINE.match(card.body[ls:m.end() + 300]):
            return mention_evidence(rec, m)
    return None
