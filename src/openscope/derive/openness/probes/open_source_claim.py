"""Does the card claim the model is "open source"? (Input to the open-washing flag.)"""

from __future__ import annotations

import re

from openscope.derive.openness.probes import Finding, card_search
from openscope.derive.openness.records import ModelRecord

COMPONENT = None
CLAIM = re.compile(r"\b(fully |truly |completely |100% )?open[- ]?sourc(e|ed|ing)\b(?! (code|software|librar|tool|"
                   r"framework|project|repositor|community))", re.IGNORECASE)
CLAIM_NEEDLES = ('open',)
REMEDIATION = "Claim \"open source\" only when weights, code and data information meet the OSAID; otherwise say \"open weights\"."


def run(rec: ModelRecord) -> Finding:
    f = Finding("open_source_claim", "unknown", COMPONENT, remediation=REMEDIATION)
    ev = card_search(rec, CLAIM, needles=CLAIM_NEEDLES)
    if ev:
        f.outcome, f.evidence = "positive", [ev]
    elif rec.card is not None:
        f.outcome = "negative"
    return f
