"""Does the card show sample outputs of the model?"""

from __future__ import annotations

import re

from openscope.derive.openness.probes import Finding, card_search, repo_license
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Sample model outputs"
SAMPLES = re.compile(r"(!\[[^\]]*\]\(|<img\s|<video\s|\.gif\b|\.mp4\b|\b(example|sample) (outputs?|generations?|"
                     r"results?|responses?)\b|\bgallery\b|\bshowcase\b|\bdemo\b)", re.IGNORECASE)
SAMPLES_NEEDLES = ('![', '<img', '<video', '.gif', '.mp4', 'example', 'sample', 'gallery', 'showcase', 'demo')
REMEDIATION = "Show sample outputs (prompts with generations) in the card."


def run(rec: ModelRecord) -> Finding:
    f = Finding("sample_outputs", "unknown", COMPONENT, remediation=REMEDIATION)
    ev = card_search(rec, SAMPLES, needles=SAMPLES_NEEDLES)
    if ev:
        f.status, f.license = released_status(repo_license(rec))
        f.outcome, f.evidence = "positive", [ev]
    elif rec.card is not None:
        f.outcome = "negative"
    return f
