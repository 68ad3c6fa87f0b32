"""Is the training data documented in a data card or datasheet?"""

from __future__ import annotations

import re

from openscope.derive.openness.probes import Finding, card_search, link_matching, repo_license, section_with
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.probes.datasets_released import training_data_link
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Data card"
SHEET_LINK = re.compile(r"datasheet|data[-_ ]?card|dataset[-_ ]?card", re.IGNORECASE)
# A Hub dataset page (which carries a dataset card) linked as training data; evaluation sets do not count.
HUB_DATASET = re.compile(r"huggingface\.co/datasets/|hf\.co/datasets/", re.IGNORECASE)
SHEET_TEXT = re.compile(r"\b(datasheet|data card|dataset card|data statement)s?\b", re.IGNORECASE)
DATA_SECTION = re.compile(r"(training|pre-?training|fine-?tuning)[- ]?(data|dataset|corpus)|^data(sets?)?$"
                          r"|data(set)? (sources?|composition|details|preparation|collection)", re.IGNORECASE)
SHEET_TEXT_NEEDLES = ('datasheet', 'data card', 'dataset card', 'data statement', 'data cards', 'dataset cards')
REMEDIATION = "Publish a datasheet for the training data: sources, composition, collection, filtering, licences."


def run(rec: ModelRecord) -> Finding:
    f = Finding("data_card", "unknown", COMPONENT, remediation=REMEDIATION)
    link = link_matching(rec, SHEET_LINK) or training_data_link(rec, HUB_DATASET)
    text = card_search(rec, SHEET_TEXT, needles=SHEET_TEXT_NEEDLES)
    if link or text:
        f.status, f.license = released_status(repo_license(rec))
        f.outcome, f.evidence = "positive", [e for e in (link, text) if e][:1]
        f.detail = {"explicit": text is not None or (link is not None and "datasets/" not in link.locator)}
        return f
    sec = section_with(rec, DATA_SECTION, min_chars=150)
    if sec:
        f.status, f.outcome, f.evidence = "documented_not_released", "negative", [sec]
    elif rec.card is not None:
        f.outcome = "negative"
    return f
