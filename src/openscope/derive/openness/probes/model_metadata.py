"""Is the training configuration (hyperparameters, optimizer state, trainer state) published?"""

from __future__ import annotations

import re

from openscope.derive.openness.probes import Finding, card_search, file_evidence, files_matching, repo_license
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Model metadata"
META_FILES = re.compile(r"(^|/)(trainer_state\.json|training_args\.bin|training_config\.(json|ya?ml)|"
                        r"optimizer\.(pt|bin)|hparams\.ya?ml|args\.json)$", re.IGNORECASE)
HYPER_TEXT = re.compile(r"\b(hyper-?parameters?|learning[ _]rate|batch[ _]size|warm-?up steps|optimi[sz]er|"
                        r"weight decay|training steps|epochs?)\b", re.IGNORECASE)
HYPER_TEXT_NEEDLES = ('hyper', 'learning', 'batch', 'warm', 'optimi', 'decay', 'steps', 'epoch')
REMEDIATION = "Publish the training configuration and hyperparameters (config files, trainer state)."


def run(rec: ModelRecord) -> Finding:
    f = Finding("model_metadata", "unknown", COMPONENT, remediation=REMEDIATION)
    files = files_matching(rec, META_FILES)
    if files:
        f.status, f.license = released_status(repo_license(rec, "weights"))
        f.outcome, f.evidence = "positive", [file_evidence(rec, files)]
        return f
    text = card_search(rec, HYPER_TEXT, needles=HYPER_TEXT_NEEDLES)
    if text:
        f.status, f.outcome, f.evidence = "documented_not_released", "negative", [text]
    elif rec.card is not None or rec.files:
        f.outcome = "negative"
    return f
