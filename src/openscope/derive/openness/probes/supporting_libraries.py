"""Are the libraries and tools used to build and run the model named and open?"""

from __future__ import annotations

import re

from openscope.derive.openness.probes import Finding, card_search, hub_evidence
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Supporting libraries and tools"
LIBS = re.compile(r"\b(transformers|diffusers|vllm|llama\.cpp|deepspeed|megatron(-lm)?|gpt-neox|pytorch|jax|flax|"
                  r"tensorflow|accelerate|peft|trl|fairseq|nemo|mlx|sglang|xformers|flash[- ]attention)\b", re.IGNORECASE)
LIBS_NEEDLES = ('transformers', 'diffusers', 'vllm', 'llama.cpp', 'deepspeed', 'megatron', 'gpt-neox', 'pytorch', 'jax', 'flax', 'tensorflow', 'accelerate', 'peft', 'trl', 'fairseq', 'nemo', 'mlx', 'sglang', 'xformers', 'flash')
REMEDIATION = "Name the libraries and tools (with versions) used to train and run the model."


def run(rec: ModelRecord) -> Finding:
    f = Finding("supporting_libraries", "unknown", COMPONENT, remediation=REMEDIATION)
    ev = [hub_evidence(rec, f"library_name: {rec.library_name}")] if rec.library_name else []
    if not ev:
        t = card_search(rec, LIBS, needles=LIBS_NEEDLES)
        ev = [t] if t else []
    if ev:
        f.status, f.outcome, f.evidence = "no_license", "positive", ev
    elif rec.card is not None:
        f.outcome = "negative"
    return f
