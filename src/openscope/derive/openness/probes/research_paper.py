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
    zsearch,
)
from openscope.derive.openness.probes._own_evidence import _line_span, _sentence_at, in_code, own_mentions
from openscope.derive.openness.probes._own_paper import (
    HOST_LABEL,
    OWN_CUE,
    PAPER_LINK,
    citation_entry,
    own_paper_links,
)
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.probes.datasets_released import denied_lines
from openscope.derive.openness.records import ModelRecord

__all__ = ["COMPONENT", "PAPER_FILES", "PAPER_LINK", "REMEDIATION", "run"]

COMPONENT = "Research paper"
# The paper shipped in the repository (RE2-compatible: the set-based form uses it verbatim).
PAPER_FILES = re.compile(r"(^|/)[\w.-]{0,255}(paper|preprint)[\w.-]{0,255}\.(pdf|tex)$", re.IGNORECASE)
REMEDIATION = ("Publish a paper or preprint on the model (e.g. arXiv) and link it from the card as its paper "
               "(`**Paper:** [title](url)`, the `arxiv:` tag, or the card's citation).")
WHY = {"label": "labelled as the paper", "sentence": "announced as the model's own",
       "header": "in the card's header", "citation": "the citation the card asks for",
       "section": "under the card's Paper heading"}


# An arXiv identifier written without a link: "arXiv:2401.12345", "arXiv: 2401.12345v2", the old form
# "arXiv:cs/0112017", "**arXiv:** 2401.12345". Not part of a URL or a path.
ARXIV_ID = re.compile(r"(?<![\w/.])arXiv\**[ \t]?[:：][ \t]?\**[ \t]?(?:\d{4}\.\d{4,5}|[a-z-]{2,20}(?:\.[A-Z]{2})?/\d{7})"
                      r"(?:v\d{1,3})?(?![\w.]*\w)", re.IGNORECASE)
ARXIV_ID_NEEDLES = ("arxiv",)
# What every identifier written so holds, in the lowered card: a card without it (nearly every card) is not searched.
_ARXIV_COLON = re.compile(r"arxiv\**[ \t]?[:：]")


def _arxiv_id(rec: ModelRecord) -> Evidence | None:
    """An arXiv identifier the card writes without a link, on a line labelled as its paper ("**Paper:**
    arXiv:2401.12345", "arXiv: 2401.12345") or in a sentence that announces the card's own paper ("see our paper
    (arXiv:2401.12345)"). Why: it names the same preprint as ``https://arxiv.org/abs/2401.12345`` and is judged
    by the same rules as that link (:func:`._own_paper.judge`'s label and sentence); hidden text, code, sections
    of others' work and sentences that cite are left out (:func:`._own_evidence.own_mentions`), and a BibTeX
    entry is the card's citation's business (:func:`._own_paper.citation_entry`)."""
    card = rec.card
    if card is None or "arxiv" not in card.lowered_body or not _ARXIV_COLON.search(card.lowered_body):
        return None
    off = len(card.text) - len(card.body)
    for m, verdict in own_mentions(rec, ARXIV_ID, ARXIV_ID_NEEDLES, component=COMPONENT):
        a, b = off + m.start(), off + m.end()
        if verdict != "own" or in_code(rec, a):
            continue
        ls, le = _line_span(card.text, a)
        why = "label" if HOST_LABEL.search(card.text[ls:le]) else \
            "sentence" if zsearch(OWN_CUE, _sentence_at(card.text, a, b)) else None
        if why:
            anchor, snip = card.span(a, b)
            return Evidence("card", f"{rec.card_locator}{anchor}", f"{snip} ({WHY[why]})", rec.read_at)
    return None


def _card_paper(rec: ModelRecord) -> Evidence | None:
    """The first card link that announces the model's own paper, else an arXiv identifier written so, else the
    card's own citation, as evidence."""
    if rec.card is None:
        return None
    own = own_paper_links(rec.card, limit=1, skip=denied_lines(rec, COMPONENT))   # (a denied item links no paper)
    if own:
        ln, why = own[0].link, own[0].why
        shown = f"[{ln.text}]({ln.url})" if ln.text else ln.url
        return Evidence("card", ln.url, f"line {ln.line}: {shown} ({WHY[why]})", rec.read_at)
    bare = _arxiv_id(rec)
    if bare is not None:
        return bare
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
