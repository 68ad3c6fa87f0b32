"""Is there a research paper or preprint (arXiv tag, arXiv/OpenReview/ACL link)?"""

from __future__ import annotations

import re

from openscope.derive.openness.probes import (
    Finding,
    file_evidence,
    files_matching,
    hub_evidence,
    link_matching,
    repo_license,
)
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Research paper"
PAPER_LINK = re.compile(r"arxiv\.org/(abs|pdf)/|openreview\.net/(forum|pdf)|aclanthology\.org/|doi\.org/10\.|"
                        r"proceedings\.(neurips|mlr)|papers\.nips\.cc|huggingface\.co/papers/|jmlr\.org/papers|"
                        r"openaccess\.thecvf\.com|ojs\.aaai\.org|dl\.acm\.org/doi", re.IGNORECASE)
PAPER_ANCHOR = re.compile(r"^\W*(the |our |read the )?(paper|preprint|arxiv)\b", re.IGNORECASE)
# a model-card field whose label says the link is the paper: "- **Paper:** [title](url)", "**Research Paper** …"
PAPER_LABEL = re.compile(r"^\W*(research )?(paper|preprint)s?\W*(:|\*\*)", re.IGNORECASE)
# The paper shipped in the repository (RE2-compatible: the set-based form uses it verbatim).
PAPER_FILES = re.compile(r"(^|/)[\w.-]{0,255}(paper|preprint)[\w.-]{0,255}\.(pdf|tex)$", re.IGNORECASE)
REMEDIATION = "Publish a paper or preprint on the model (e.g. arXiv) and link it from the card (`arxiv:` tag)."


def _anchored(rec: ModelRecord):
    """A link whose anchor text says it is the paper (``<a href=…>Paper</a>``), on any host."""
    if rec.card is None:
        return None
    lines = rec.card.text.splitlines()
    for ln in rec.card.links:
        label = lines[ln.line - 1] if 0 < ln.line <= len(lines) else ""
        if (ln.text and PAPER_ANCHOR.search(ln.text)) or PAPER_LABEL.search(label):
            return link_matching(rec, re.compile("^" + re.escape(ln.url) + "$"))
    return None


def run(rec: ModelRecord) -> Finding:
    """A paper shipped in the repository (``paper.pdf``) is under the repository's licence; one on arXiv or
    a venue is released under terms the link does not show (``no_license``: unknown, not absent)."""
    f = Finding("research_paper", "unknown", COMPONENT, remediation=REMEDIATION)
    tags = [t for t in rec.tags if t.startswith("arxiv:")]
    files = files_matching(rec, PAPER_FILES)
    ev = [file_evidence(rec, files)] if files else []
    if tags:
        ev.append(hub_evidence(rec, ", ".join(tags[:3]), "tags"))
    link = link_matching(rec, PAPER_LINK) or _anchored(rec)
    if link:
        ev.append(link)
    if ev:
        f.status, f.license = released_status(repo_license(rec)) if files else ("no_license", None)
        f.outcome, f.evidence = "positive", ev[:2]
        f.detail = {"arxiv": [t[6:] for t in tags]}
    elif rec.card is not None:
        f.outcome = "negative"
    return f
