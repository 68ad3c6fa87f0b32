"""Is access to the weights gated (request, registration, agreement) rather than open to anyone?"""

from __future__ import annotations

import re

from openscope.derive.openness.probes import Evidence, Finding, card_search, hub_evidence
from openscope.derive.openness.records import ModelRecord

COMPONENT = None
GATED_TEXT = re.compile(
    r"(request (the )?access|access request|apply for (the )?(access|weights|download)"
    r"|agree to share your contact|fill (out|in) (the|this|a|our) (form|application|questionnaire)"
    r"|upon (request|approval)|application form|request form|after approval|approved requests?"
    r"|(email|e-mail|contact) us (to|for) (obtain|get|request)|commercial licen[cs]e (is )?required"
    r"|apply for (a )?(commercial )?licen[cs]e|registration (is )?required)", re.IGNORECASE)
GATED_TEXT_NEEDLES = ('request', 'apply', 'agree', 'fill', 'upon', 'application', 'approv', 'mail', 'contact',
                      'required', 'registration')
# Hub gates in other words: a gated repository (not "gated convolutions"), accepting the terms on the
# Hub, access that must be granted. A separate pattern with its own needles keeps the search cheap.
HUB_GATE_TEXT = re.compile(
    r"\bgated (repo|repositor|model|weights|access|checkpoint)|access (to (the )?(weights|model) )?is gated"
    r"|accept (the |its )?(licen[cs]e|usage conditions|model terms|terms of use)( agreement)? (on|at|in) "
    r"|need (to (be granted|request) )?access to (the )?(gated )?(models?|weights|checkpoints?|repos?)\b"
    r"|access to the following (Hugging ?Face |HF )?(models|repos|repositories)\b", re.IGNORECASE)
HUB_GATE_NEEDLES = ('gated', 'accept', 'need', 'following')
REMEDIATION = "Let anyone download the weights without a request, form or manual approval."


def run(rec: ModelRecord) -> Finding:
    f = Finding("weights_gated", "unknown", COMPONENT, remediation=REMEDIATION)
    if rec.gated and str(rec.gated).lower() not in ("false", "0", "none"):
        f.outcome, f.evidence = "negative", [hub_evidence(rec, f"gated: {rec.gated}", "gated")]
        return f
    gate_keys = sorted(k for k in (rec.card.meta if rec.card is not None else {}) if str(k).startswith("extra_gated"))
    if gate_keys:  # the Hub's access-request form is configured in the card's front matter
        f.outcome = "negative"
        line = rec.card.meta_line(gate_keys[0]) if rec.card is not None else 1
        f.evidence = [Evidence("card", f"{rec.card_locator}#L{line}",
                               f"front matter: {', '.join(map(str, gate_keys[:3]))}", rec.read_at)]
        return f
    ev = card_search(rec, GATED_TEXT, needles=GATED_TEXT_NEEDLES) \
        or card_search(rec, HUB_GATE_TEXT, needles=HUB_GATE_NEEDLES)
    if ev:
        f.outcome, f.evidence = "negative", [ev]
    elif rec.card is not None or rec.gated is not None:
        f.outcome = "positive"
    return f
