"""Are the libraries and tools used to build and run the model named and open?"""

from __future__ import annotations

import re

from openscope.derive.openness import libraries
from openscope.derive.openness.probes import Finding, card_search, hub_evidence, library_evidence
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Supporting libraries and tools"
LIBS = re.compile(r"\b(transformers|diffusers|vllm|llama\.cpp|deepspeed|megatron(-lm)?|gpt-neox|pytorch|jax|flax|"
                  r"tensorflow|accelerate|peft|trl|fairseq|nemo|mlx|sglang|xformers|flash[- ]attention)\b", re.IGNORECASE)
LIBS_NEEDLES = ('transformers', 'diffusers', 'vllm', 'llama.cpp', 'deepspeed', 'megatron', 'gpt-neox', 'pytorch', 'jax', 'flax', 'tensorflow', 'accelerate', 'peft', 'trl', 'fairseq', 'nemo', 'mlx', 'sglang', 'xformers', 'flash')
REMEDIATION = "Name the libraries and tools (with versions) used to train and run the model."


def run(rec: ModelRecord) -> Finding:
    """Named libraries are released software; their licence is the library's own when it is listed (cited,
    :mod:`openscope.derive.openness.libraries`), else unknown (``no_license``)."""
    f = Finding("supporting_libraries", "unknown", COMPONENT, remediation=REMEDIATION)
    ev = [hub_evidence(rec, f"library_name: {rec.library_name}", "library_name")] if rec.library_name else []
    lib = libraries.by_library_name(rec.library_name)
    if not ev:
        t = card_search(rec, LIBS, needles=LIBS_NEEDLES)
        ev = [t] if t else []
        m = LIBS.search(t.snippet) if t else None
        lib = libraries.by_library_name(m.group(1)) if m else None
    if ev:
        f.status, f.license, f.outcome, f.evidence = "no_license", None, "positive", ev
        if lib is not None:
            f.status, f.license = released_status(lib.license)
            f.evidence.append(library_evidence(rec, lib))
    elif rec.card is not None:
        f.outcome = "negative"
    return f
