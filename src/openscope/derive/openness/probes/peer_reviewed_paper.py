"""Is the model described in a peer-reviewed publication (a venue, not only a preprint)?"""

from __future__ import annotations

import re

from openscope.derive.openness.probes import Finding, card_search, link_matching
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
    r"journal|proceedings|workshop)|booktitle\s*=|journal\s*=)", re.IGNORECASE)
VENUE_TEXT_NEEDLES = ('accepted', 'published', 'to appear', 'presented', 'booktitle', 'journal')
REMEDIATION = "Publish the work in a peer-reviewed venue and cite it in the card."


def run(rec: ModelRecord) -> Finding:
    f = Finding("peer_reviewed_paper", "unknown", COMPONENT, remediation=REMEDIATION)
    ev = link_matching(rec, VENUE_LINK) or card_search(rec, VENUE_TEXT, needles=VENUE_TEXT_NEEDLES)
    if ev:
        f.outcome, f.evidence = "positive", [ev]
    elif rec.card is not None:
        f.outcome = "negative"
    return f
