"""Is there a technical report (or system card / white paper) of the model's own release?"""

from __future__ import annotations

import re

from openscope.derive.openness.probes import Finding, file_evidence, files_matching, repo_license
from openscope.derive.openness.probes._own_evidence import (
    OWN_REPORT_TEXT,
    OWN_REPORT_TEXT_NEEDLES,
    first_own_mention,
    first_undenied,
    own_report_citation,
    own_report_link,
    with_denial,
)
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Technical report"
# A report shipped in the repository itself (RE2-compatible: the set-based form uses it verbatim).
REPORT_FILES = re.compile(r"(^|/)[\w.-]{0,255}(technical[_-]?report|tech[_-]?report|white[_-]?paper|system[_-]?card|"
                          r"model[_-]?report)[\w.-]{0,255}\.(md|pdf|tex|html?)$", re.IGNORECASE)
# A technical report named in so many words (for a denied list item: "## Not released" › "- technical report: […]").
REPORT_NAMED = re.compile(r"\b(?:technical|tech\.?)\s+reports?\b|\bsystem\s+cards?\b|\bwhite\s*papers?\b"
                          r"|\bmodel\s+reports?\b|技术报告", re.IGNORECASE)
REPORT_NAMED_NEEDLES = ("report", "system card", "white", "技术报告")
REMEDIATION = ("Publish a technical report (capabilities, training, evaluation, usage) under an open licence "
               "(e.g. CC-BY-4.0) and link it from the card as the model's report.")


def run(rec: ModelRecord) -> Finding:
    """A report in the repository (a file named as one, or a relative link from the card to a report file) is
    published under the repository's licence; one linked elsewhere or announced in the text has no licence we
    can see. Only the release's own report counts (:mod:`._own_evidence`): a report the card cites (a
    method's, a base model's), hides in an HTML comment or only promises does not. A report named only on a line
    the card denies for it (an item of "## Not released") is documented, not released, with the denial as
    evidence, as the training code's is."""
    f = Finding("technical_report", "unknown", COMPONENT, remediation=REMEDIATION)
    files = files_matching(rec, REPORT_FILES)
    link, beside = own_report_link(rec, COMPONENT)
    text, promised = first_own_mention(rec, OWN_REPORT_TEXT, needles=OWN_REPORT_TEXT_NEEDLES, component=COMPONENT)
    cite = None if (link or text) else own_report_citation(rec)
    if files or beside:
        f.status, f.license = released_status(repo_license(rec))
        f.outcome, f.evidence = "positive", [file_evidence(rec, files)] if files else [e for e in (link, text) if e]
    elif link or text or cite:
        f.status, f.outcome, f.evidence = "no_license", "positive", [e for e in (link, text, cite) if e][:2]
    elif rec.card is not None:
        f.outcome = "negative"
        denied = first_undenied(rec, REPORT_NAMED, REPORT_NAMED_NEEDLES, COMPONENT)[1]
        if denied:   # named only where the card denies it ("## Not released" › "- technical report: […]")
            f.status, f.evidence = "documented_not_released", with_denial(rec, denied, COMPONENT)
        elif promised:
            f.evidence, f.detail = [promised], {"promised": True}
    return f
