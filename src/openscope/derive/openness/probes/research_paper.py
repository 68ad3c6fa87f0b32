"""Is there a research paper or preprint on the model itself (not one the card merely cites)?"""

from __future__ import annotations

import re

from openscope.derive.openness.probes import (
    Evidence,
    Finding,
    file_evidence,
    files_matching,
    hub_evidence,
    repo_license,
)
from openscope.derive.openness.probes._own_paper import PAPER_LINK, citation_entry, own_paper_links
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.records import ModelRecord

__all__ = ["COMPONENT", "PAPER_FILES", "PAPER_LINK", "REMEDIATION", "run"]

COMPONENT = "Research paper"
# The paper shipped in the repository (RE2-compatible: the set-based form uses it verbatim).
PAPER_FILES = re.compile(r"(^|/)[\w.-]{0,255}(paper|preprint)[\w.-]{0,255}\.(pdf|tex)$", re.IGNORECASE)
REMEDIATION = ("Publish a paper or preprint on the model (e.g. arXiv) and link it from the card as its paper "
               "(`**Paper:** [title](url)`, the `arxiv:` tag, or the card's citation).")
WHY = {"label": "labelled as the paper", "sentence": "announced as the model's own",
       "header": "in the card's header", "citation": "the citation the card asks for"}


def _card_paper(rec: ModelRecord) -> Evidence | None:
    """The first card link that announces the model's own paper, else the card's own citation, as evidence."""
    if rec.card is None:
        return None
    own = own_paper_links(rec.card, limit=1)
    if own:
        ln, why = own[0].link, own[0].why
        shown = f"[{ln.text}]({ln.url})" if ln.text else ln.url
        return Evidence("card", ln.url, f"line {ln.line}: {shown} ({WHY[why]})", rec.read_at)
    cite = citation_entry(rec.card)
    if cite is not None:
        first = " ".join(cite.text[:160].split())
        if cite.url:
            return Evidence("card", cite.url, f"line {cite.line}: {first} ({WHY['citation']})", rec.read_at)
        anchor, snip = rec.card.span(cite.start, cite.start, 160, stop=cite.start + len(cite.text))
        return Evidence("card", f"{rec.card_locator}{anchor}", f"[citation] {snip}", rec.read_at)
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
    link = _card_paper(rec)
    if link:
        ev.append(link)
    if ev:
        f.status, f.license = released_status(repo_license(rec)) if files else ("no_license", None)
        f.outcome, f.evidence = "positive", ev[:2]
        f.detail = {"arxiv": [t[6:] for t in tags]}
    elif rec.card is not None:
        f.outcome = "negative"
    return f
