"""Is the model described in a peer-reviewed publication (a venue, not only a preprint)?"""

from __future__ import annotations

import re

from openscope.derive.openness.probes import Evidence, Finding, card_search
from openscope.derive.openness.records import ModelRecord

COMPONENT = None
VENUE_LINK = re.compile(r"openreview\.net/(forum|pdf)|aclanthology\.org/|proceedings\.(neurips|mlr)|papers\.nips\.cc|"
                        r"jmlr\.org/papers|openaccess\.thecvf\.com|ojs\.aaai\.org|dl\.acm\.org/doi|ijcai\.org/proceedings|"
                        r"nature\.com/articles|science\.org/doi|isca-archive|ieeexplore", re.IGNORECASE)
# A venue counts only as the model's own publication: "accepted at / published in / to appear in" a
# venue, or a BibTeX entry with a booktitle or journal; a bare venue name is usually a citation of others.
VENUE_TEXT = re.compile(
    r"((accepted|published|to appear|presented)\s(at|to|by|in)\s[^\n]{0,40}\b(NeurIPS|ICLR|ICML|ACL|EMNLP|NAACL|"
    r"CVPR|ICCV|ECCV|AAAI|IJCAI|TACL|JMLR|TMLR|SIGGRAPH|COLING|Interspeech|ICASSP|KDD|WWW|MICCAI|conference|"
    r"journal|proceedings|workshop)|booktitle\s*=|"
    r"journal\s*=\s*[{\"](?![^}\"\n]*(arxiv|corr|github|preprint|technical report|tech\.? report|blog))|"
    # the work's own venue named with its year: "our ICLR'23 paper", "at European Conference on ... 2024"
    r"\b(NeurIPS|ICLR|ICML|ACL|EMNLP|NAACL|CVPR|ICCV|ECCV|AAAI|IJCAI|SIGGRAPH|Interspeech|ICASSP)\s?['’]?\s?"
    r"(19|20)?\d\d\)? paper\b|"
    r"\bat (the )?[^\n]{0,40}\b(Conference|Symposium) on [^\n]{0,60}(19|20)\d\d)",
    re.IGNORECASE)
PAPER_ANCHOR = re.compile(r"paper|publication|proceedings|\b(ACL|EMNLP|NAACL|NeurIPS|ICLR|ICML|CVPR|ICCV|ECCV|AAAI)\b",
                          re.IGNORECASE)
VENUE_TEXT_NEEDLES = ('accepted', 'published', 'to appear', 'presented', 'booktitle', 'journal', ' paper',
                      'conference', 'symposium')
REMEDIATION = "Publish the work in a peer-reviewed venue and cite it in the card."


def _paper_link(rec: ModelRecord) -> Evidence | None:
    if rec.card is None:
        return None
    for ln in rec.card.links:
        if VENUE_LINK.search(ln.url) and ln.text and PAPER_ANCHOR.search(ln.text):
            return Evidence("card", ln.url, f"line {ln.line}: [{ln.text}]({ln.url})", rec.read_at)
    return None


def run(rec: ModelRecord) -> Finding:
    f = Finding("peer_reviewed_paper", "unknown", COMPONENT, remediation=REMEDIATION)
    # a proceedings link counts when its anchor says it is the paper (not a citation of a benchmark)
    ev = _paper_link(rec) or card_search(rec, VENUE_TEXT, needles=VENUE_TEXT_NEEDLES)
    if ev:
        f.outcome, f.evidence = "positive", [ev]
    elif rec.card is not None:
        f.outcome = "negative"
    return f
