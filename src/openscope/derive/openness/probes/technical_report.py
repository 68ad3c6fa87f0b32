"""Is there a technical report (or system card / white paper) describing the model?"""

from __future__ import annotations

import re

from openscope.derive.openness.probes import (
    Finding,
    card_search,
    file_evidence,
    files_matching,
    link_matching,
    repo_license,
    repo_link,
)
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Technical report"
REPORT_TEXT = re.compile(r"\b(technical report|tech(\.|nical)? report|system card|white ?paper|model report)\b",
                         re.IGNORECASE)
REPORT_LINK = re.compile(r"report|whitepaper|system[-_]card|\.pdf$", re.IGNORECASE)
# A report shipped in the repository itself (RE2-compatible: the set-based form uses it verbatim).
REPORT_FILES = re.compile(r"(^|/)[\w.-]{0,255}(technical[_-]?report|tech[_-]?report|white[_-]?paper|system[_-]?card|"
                          r"model[_-]?report)[\w.-]{0,255}\.(md|pdf|tex|html?)$", re.IGNORECASE)
REPORT_TEXT_NEEDLES = ('report', 'system card', 'white')
REMEDIATION = "Publish a technical report (capabilities, training, evaluation, usage) under an open licence (e.g. CC-BY-4.0)."


def run(rec: ModelRecord) -> Finding:
    """A report in the repository (a file named as one, or a relative link from a card that names a
    technical report) is published under the repository's licence; one only linked elsewhere or named in
    the text has no licence we can see. (A relative link alone, e.g. ``[report](./report.pdf)``, is not
    taken as a technical report: on the development cards that was a course report, not a model's.)"""
    f = Finding("technical_report", "unknown", COMPONENT, remediation=REMEDIATION)
    files = files_matching(rec, REPORT_FILES)
    link = link_matching(rec, REPORT_LINK)
    text = card_search(rec, REPORT_TEXT, needles=REPORT_TEXT_NEEDLES)
    rel = repo_link(rec, REPORT_LINK) if (link or text) else None
    if files or rel:
        f.status, f.license = released_status(repo_license(rec))
        f.outcome, f.evidence = "positive", [file_evidence(rec, files)] if files else [e for e in (rel, text) if e]
    elif link or text:
        f.status, f.outcome, f.evidence = "no_license", "positive", [e for e in (link, text) if e][:2]
    elif rec.card is not None:
        f.outcome = "negative"
    return f
