"""Is there a research paper or preprint (arXiv tag, arXiv/OpenReview/ACL link)?"""

from __future__ import annotations

import re

from openscope.derive.openness.probes import Finding, hub_evidence, link_matching
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Research paper"
PAPER_LINK = re.compile(r"arxiv\.org/(abs|pdf)/|openreview\.net/(forum|pdf)|aclanthology\.org/|doi\.org/10\.|"
                        r"proceedings\.(neurips|mlr)|papers\.nips\.cc|huggingface\.co/papers/|jmlr\.org/papers|"
                        r"openaccess\.thecvf\.com|ojs\.aaai\.org|dl\.acm\.org/doi", re.IGNORECASE)
PAPER_ANCHOR = re.compile(r"^\W*(the |our |read the )?(paper|preprint|arxiv)\b", re.IGNORECASE)
# a model-card field whose label says the link is the paper: "- **Paper:** [title](url)", "**Research Paper** …"
PAPER_LABEL = re.compile(r"^\W*(research )?(paper|preprint)s?\W*(:|\*\*)", re.IGNORECASE)
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
    f = Finding("research_paper", "unknown", COMPONENT, remediation=REMEDIATION)
    tags = [t for t in rec.tags if t.startswith("arxiv:")]
    ev = [hub_evidence(rec, ", ".join(tags[:3]))] if tags else []
    link = link_matching(rec, PAPER_LINK) or _anchored(rec)
    if link:
        ev.append(link)
    if ev:
        f.status, f.outcome, f.evidence = "no_license", "positive", ev[:2]
        f.detail = {"arxiv": [t[6:] for t in tags]}
    elif rec.card is not None:
        f.outcome = "negative"
    return f
