"""Is code to run the model released (a library integration, scripts, or usage code in the card)?"""

from __future__ import annotations

import re

from openscope.derive.openness.probes import (
    Finding,
    card_search,
    file_evidence,
    files_matching,
    hub_evidence,
    repo_license,
)
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Inference code"
INFER_FILES = re.compile(r"(^|/)[\w-]{0,255}(infer|inference|generate|predict|demo|sample|run|app|cli|pipeline)[\w-]{0,255}\.py$",
                         re.IGNORECASE)
USAGE = re.compile(
    r"(from (transformers|diffusers|vllm|mlx_lm|sentence_transformers|peft|open_clip|timm|nemo|llama_cpp) import"
    r"|\bpipeline\(|\.generate\(|\bfrom_pretrained\(|python3? [\w/.-]*(infer|inference|generate|sample|demo|"
    r"predict|run|cli|app)[\w-]*\.py|pip install [\w-]+|git clone https?://\S+|ollama run|llama-cli|vllm serve)",
    re.IGNORECASE)
USAGE_NEEDLES = ('import', 'pipeline(', 'generate(', 'from_pretrained(', '.py', 'pip install', 'git clone', 'ollama', 'llama-cli', 'vllm')
REMEDIATION = "Ship runnable inference code (or integrate with an open library) under an OSI-approved licence."


def run(rec: ModelRecord) -> Finding:
    f = Finding("inference_code", "unknown", COMPONENT, remediation=REMEDIATION)
    files = files_matching(rec, INFER_FILES)
    usage = card_search(rec, USAGE, needles=USAGE_NEEDLES)
    ev = [file_evidence(rec, files)] if files else ([usage] if usage else [])
    if not ev and rec.library_name:
        ev = [hub_evidence(rec, f"library_name: {rec.library_name}")]
    if ev:
        f.status, f.license = released_status(repo_license(rec))
        f.outcome, f.evidence = "positive", ev
    elif rec.card is not None or rec.files:
        f.outcome = "negative"
    return f
