"""Does the card show sample outputs of the model (not badges, logos, diagrams or others' results)?"""

from __future__ import annotations

import re

from openscope.derive.openness.probes import Finding, repo_license
from openscope.derive.openness.probes._own_evidence import mention_evidence, own_mentions
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Sample model outputs"
SAMPLES = re.compile(r"(!\[[^\]\n]{0,300}\]\([^)\n]{1,500}\)|<img\s[^>]{0,1000}>|<video\s|\.gif\b|\.mp4\b"
                     r"|\b(example|sample|demo) (outputs?|generations?|results?|responses?|images?|videos?|"
                     r"samples?|audios?|clips?)\b|\bgallery\b|\bshowcases?\b)", re.IGNORECASE)
SAMPLES_NEEDLES = ('![', '<img', '<video', '.gif', '.mp4', 'example', 'sample', 'demo', 'gallery',
                   'showcase')
# An image that is not an output of the model: a badge, a logo, an icon, a banner, a diagram of the
# architecture or pipeline, a chart of benchmark results, a QR code, a photo of the team.
NOT_OUTPUT = re.compile(r"shields\.io|badge|logo|icon|banner|favicon|avatar|qr[-_ ]?code|wechat|discord|twitter|"
                        r"architecture|arch[-_.]|pipeline|framework|overview|diagram|method|flow|structure|"
                        r"benchmark|leaderboard|chart|plot|radar|table|results?[-_.]|performance|score|eval|"
                        r"comparison|compare|star[-_ ]?history|contributors|license", re.IGNORECASE)
REMEDIATION = "Show sample outputs (prompts with generations) in the card."


def run(rec: ModelRecord) -> Finding:
    """Positive for the first embedded image or video, or mention of example outputs, that is the model's
    own: images that are badges, logos, diagrams or charts are not outputs, and neither is what the card
    hides in an HTML comment or shows in a section of other people's work."""
    f = Finding("sample_outputs", "unknown", COMPONENT, remediation=REMEDIATION)
    for m, verdict in own_mentions(rec, SAMPLES, needles=SAMPLES_NEEDLES, cited=False):
        if verdict != "own" or (m.group(0)[:1] in "!<" and NOT_OUTPUT.search(m.group(0))):
            continue
        f.status, f.license = released_status(repo_license(rec))
        f.outcome, f.evidence = "positive", [mention_evidence(rec, m)]
        return f
    if rec.card is not None:
        f.outcome = "negative"
    return f
