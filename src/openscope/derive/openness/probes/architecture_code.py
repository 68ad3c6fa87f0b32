"""Is the model architecture released as code (or at least described)?"""

from __future__ import annotations

import re

from openscope.derive.openness.probes import (
    Finding,
    file_evidence,
    files_matching,
    linked_code_license,
    repo_license,
    section_with,
)
from openscope.derive.openness.probes._own_evidence import own_code_repository
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Model architecture"
ARCH_FILES = re.compile(r"(^|/)(modeling_[\w]+\.py|configuration_[\w]+\.py|config\.json|model_index\.json|"
                        r"params\.json|[\w-]{0,255}model[\w-]{0,255}\.py)$", re.IGNORECASE)
ARCH_SECTION = re.compile(r"architecture|model (details|description|overview|structure)|technical specifications",
                          re.IGNORECASE)
REMEDIATION = "Publish the model's architecture code (e.g. modeling_*.py or a code repository) under an open licence."


def run(rec: ModelRecord) -> Finding:
    f = Finding("architecture_code", "unknown", COMPONENT, remediation=REMEDIATION)
    files = files_matching(rec, ARCH_FILES)
    link = own_code_repository(rec)   # the release's own code, not a repository the card cites
    if files or link or rec.library_name:
        linked_only = bool(link) and not files and not rec.library_name
        f.status, f.license = released_status(linked_code_license(rec) if linked_only else repo_license(rec, "code"))
        f.outcome = "positive"
        f.evidence = [file_evidence(rec, files)] if files else ([link] if link else [])
        return f
    sec = section_with(rec, ARCH_SECTION)
    if sec:
        f.status, f.outcome, f.evidence = "documented_not_released", "negative", [sec]
    elif rec.card is not None or rec.files:
        f.outcome = "negative"
    return f
