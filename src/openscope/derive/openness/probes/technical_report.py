"""Is there a technical report (or system card / white paper) describing the model?"""

from __future__ import annotations

import re

from openscope.derive.openness.probes import Finding, card_search, link_matching
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Technical report"
REPORT_TEXT = re.compile(r"\b(technical report|tech(\.|nical)? report|system card|white ?paper|model report)\b",
                         re.IGNORECASE)
REPORT_LINK = re.compile(r"report|whitepaper|system[-_]card|\.pdf$", re.IGNORECASE)
REPORT_TEXT_NEEDLES = ('report', 'system card', 'white')
REMEDIATION = "Publish a technical report (capabilities, training, evaluation, usage) under an open licence (e.g. CC-BY-4.0)."


def run(rec: ModelRecord) -> Finding:
    f = Finding("technical_report", "unknown", COMPONENT, remediation=REMEDIATION)
    link = link_matching(rec, REPORT_LINK)
    text = card_search(rec, REPORT_TEXT, needles=REPORT_TEXT_NEEDLES)
    if link or text:
        f.status, f.outcome, f.evidence = "no_license", "positive", [e for e in (link, text) if e][:2]
    elif rec.card is not None:
        f.outcome = "negative"
    return f
