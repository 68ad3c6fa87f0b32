"""Is the model described in a peer-reviewed publication of its own (a venue, not only a preprint)?"""

from __future__ import annotations

import re
from collections.abc import Sequence

from openscope.derive.openness.probes import Evidence, Finding, card_search, may_match, required_needles
from openscope.derive.openness.probes._own_paper import MAX_PLACES, citation_entry, judge, occurrences
from openscope.derive.openness.records import ModelRecord

COMPONENT = None
VENUE_LINK = re.compile(r"openreview\.net/(forum|pdf)|aclanthology\.org/|aclweb\.org/anthology/|proceedings\.(neurips|mlr)"
                        r"|papers\.nips\.cc|link\.springer\.com/(chapter|article)/|ecva\.net/papers/|"
                        r"jmlr\.org/papers|openaccess\.thecvf\.com|ojs\.aaai\.org|dl\.acm\.org/doi|ijcai\.org/proceedings|"
                        r"nature\.com/articles|science\.org/doi|isca-archive|ieeexplore", re.IGNORECASE)
# The hosts' words one of which every venue link holds (a link without any is not searched: cards link dozens)
_VENUE_NEEDLES = required_needles(VENUE_LINK)
# A venue counts only as the model's own publication: "accepted at / published in / to appear in" a venue,
# the work's venue named with its year, or the card's own citation (its first BibTeX entry) in a proceedings
# or a journal; a bare venue name, or a BibTeX entry of a work the card cites besides, is someone else's.
VENUE_TEXT = re.compile(
    r"((accepted|published|to appear|presented)\s(at|to|by|in)\s[^\n]{0,40}\b(NeurIPS|ICLR|ICML|ACL|EMNLP|NAACL|"
    r"CVPR|ICCV|ECCV|AAAI|IJCAI|TACL|JMLR|TMLR|SIGGRAPH|COLING|Interspeech|ICASSP|KDD|WWW|MICCAI|conference|"
    r"journal|proceedings|workshop)|"
    # the work's own venue named with its year: "our ICLR'23 paper", "at European Conference on ... 2024"
    # (after "our", "the" or "this": "LAION's NeurIPS 2022 paper" is LAION's)
    r"\b(our|the|this)\s+\[?(NeurIPS|ICLR|ICML|ACL|EMNLP|NAACL|CVPR|ICCV|ECCV|AAAI|IJCAI|SIGGRAPH|Interspeech|ICASSP)"
    r"\s?['’]?\s?"
    r"(19|20)?\d\d\)? paper\b|"
    r"\bat (the )?[^\n]{0,40}\b(Conference|Symposium) on [^\n]{0,60}(19|20)\d\d)",
    re.IGNORECASE)
PAPER_ANCHOR = re.compile(r"paper|publication|proceedings|\b(ACL|EMNLP|NAACL|NeurIPS|ICLR|ICML|CVPR|ICCV|ECCV|AAAI)\b",
                          re.IGNORECASE)
VENUE_TEXT_NEEDLES = ('accepted', 'published', 'to appear', 'presented', ' paper', 'conference', 'symposium')
REMEDIATION = "Publish the work in a peer-reviewed venue and cite it in the card."


def _paper_link(rec: ModelRecord) -> Evidence | None:
    """A proceedings link that the card announces as its own paper (:mod:`._own_paper`), not a citation of a
    benchmark or a dataset ("LAION-5B's [NeurIPS 2022](…) paper"). Its anchor says it is the paper or names the
    venue, or its line or sentence does: a link labelled as the paper ("**Paper:** [Lynx: a title](…)") or
    announced as the card's own ("our paper [Lynx: a title](…)") is the paper whatever its anchor is (a title, as
    often as not); a link in the card's header only with an anchor that says so."""
    if rec.card is None:
        return None
    lines: Sequence[str] | None = None
    venues = [ln for ln in rec.card.links if may_match(_VENUE_NEEDLES, ln.url, ln.url.lower()) and VENUE_LINK.search(ln.url)]
    for link in venues[:MAX_PLACES]:  # a hostile card with endless venue links stays cheap
        lines = rec.card.lines(splitlines=True) if lines is None else lines
        for ln in occurrences(rec.card, link):
            why = judge(rec.card, ln, lines)
            if why in ("label", "sentence") or (why and ln.text and PAPER_ANCHOR.search(ln.text)):
                return Evidence("card", ln.url, f"line {ln.line}: [{ln.text}]({ln.url})", rec.read_at)
    return None


def _own_citation(rec: ModelRecord) -> Evidence | None:
    """The card's own citation, when it is to a proceedings or a journal."""
    cite = citation_entry(rec.card)
    if cite is None or not cite.peer_reviewed:
        return None
    venue = re.search(r"\b(booktitle|journal)\s*=\s*[{\"][^}\"\n]{1,160}", cite.text, re.IGNORECASE)
    assert rec.card is not None and venue is not None  # peer_reviewed means one of these fields is there
    at = cite.start + venue.start()
    anchor, snip = rec.card.span(at, cite.start + venue.end(), 80, stop=cite.start + len(cite.text))
    return Evidence("card", f"{rec.card_locator}{anchor}", f"[citation] {snip}", rec.read_at)


def run(rec: ModelRecord) -> Finding:
    f = Finding("peer_reviewed_paper", "unknown", COMPONENT, remediation=REMEDIATION)
    ev = _paper_link(rec) or card_search(rec, VENUE_TEXT, needles=VENUE_TEXT_NEEDLES) or _own_citation(rec)
    if ev:
        f.outcome, f.evidence = "positive", [ev]
    elif rec.card is not None:
        f.outcome = "negative"
    return f
