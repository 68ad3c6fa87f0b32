"""Is there a model card that documents the model (uses, limitations, training, evaluation)?"""

from __future__ import annotations

import re

from openscope.derive.openness.probes import Evidence, Finding, repo_license
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Model card"
CARD_TOPICS = {
    "uses": re.compile(r"(intended|out-of-scope|direct|downstream) use|uses\b|usage", re.IGNORECASE),
    "limitations": re.compile(r"limitation|bias|risk|safety|ethic|responsib", re.IGNORECASE),
    "training": re.compile(r"training|data|dataset", re.IGNORECASE),
    "evaluation": re.compile(r"evaluat|result|benchmark|performance", re.IGNORECASE),
}
REMEDIATION = "Write a model card covering intended uses, limitations and risks, training data and evaluation."


def topics(rec: ModelRecord) -> list[str]:
    """Which model-card topics have a section of their own."""
    if rec.card is None:
        return []
    titles = [s.title for s in rec.card.sections if len(s.text.strip()) >= 30]
    return [k for k, rx in CARD_TOPICS.items() if any(rx.search(t) for t in titles)]


def run(rec: ModelRecord) -> Finding:
    f = Finding("model_card", "unknown", COMPONENT, remediation=REMEDIATION)
    if rec.card is None:
        return f
    found = topics(rec)
    f.detail = {"topics": found, "chars": len(rec.card.body)}
    if len(rec.card.body.strip()) < 200:
        f.outcome = "negative"
        return f
    f.status, f.license = released_status(repo_license(rec))
    f.outcome = "positive" if len(found) >= 2 else "negative"
    f.evidence = [Evidence("card", rec.card_locator or rec.locator,
                           f"{len(rec.card.sections)} sections; topics: {', '.join(found) or 'none'}", rec.read_at)]
    return f
