"""Are the architecture and the training hardware documented?"""

from __future__ import annotations

import re

from openscope.derive.openness.probes import Evidence, Finding, card_search
from openscope.derive.openness.probes._own_evidence import _matches, _sentence_at, in_code, mention_evidence
from openscope.derive.openness.records import ModelRecord

COMPONENT = None
HARDWARE = re.compile(r"\b(A100|H100|H800|H20|V100|A800|L40S?|TPU ?v?\d*|GPUs?|GPU[- ]hours|accelerators?|Ascend|"
                      r"MI2\d0X?|MI300X?|Gaudi|compute (budget|used)|FLOPs?)\b", re.IGNORECASE)
ARCH = re.compile(r"\b(\d+ (layers|attention heads|heads|experts)|hidden (size|dim(ension)?)|num_layers|d_model|"
                  r"context (length|window)|decoder-only|encoder-decoder|mixture[- ]of[- ]experts|\bMoE\b|"
                  r"\bDiT\b|U-?Net|\bVAE\b|transformer (architecture|decoder|encoder)|grouped[- ]query attention|"
                  r"rotary|RoPE|SwiGLU|state[- ]space|Mamba|architecture)\b", re.IGNORECASE)
HARDWARE_NEEDLES = ('a100', 'h100', 'h800', 'h20', 'v100', 'a800', 'l40', 'tpu', 'gpu', 'accelerator', 'ascend', 'mi2', 'mi3', 'gaudi', 'compute', 'flop')
ARCH_NEEDLES = ('layer', 'head', 'expert', 'hidden', 'd_model', 'context', 'decoder', 'encoder', 'mixture', 'moe', 'dit', 'unet', 'u-net', 'vae', 'transformer', 'query', 'rotary', 'rope', 'swiglu', 'state', 'mamba', 'architecture')
# A sentence about running the model, not about training it: "GPTQ models for GPU inference", "a Python library
# with GPU acceleration", "the number of layers to offload to GPU", "fits on a consumer GPU". A re-upload's card
# (GGUF, GPTQ, AWQ, MLX) is full of them; they say what the reader needs, not what the model was trained on.
RUNNING = re.compile(r"\binferenc\w*|\brun(?:s|ning)?\b|\boffload\w*|\bv?ram\b|\bmemory\b|\baccelerat(?:ion|ed)\b|"
                     r"\bdeploy\w*|\bserv(?:e|es|ing)\b|\bload(?:s|ing)?\b|\bfits?\b|\bconsumer\b|\bquanti[sz]\w*|"
                     r"\bclients?\b|\blatency\b|\bthroughput\b", re.IGNORECASE)
TRAINING = re.compile(r"\btrain\w*|\bpre-?train\w*|\bfine-?tun\w*|\bcompute\b|\bhours\b|\bFLOPs?\b|\bcluster",
                      re.IGNORECASE)
MAX_HARDWARE_MATCHES = 40
REMEDIATION = "Document the architecture (layers, sizes, attention) and the training hardware and compute."


def run(rec: ModelRecord) -> Finding:
    f = Finding("hardware_documented", "unknown", COMPONENT, remediation=REMEDIATION)
    if rec.card is None:
        return f
    hw, arch = training_hardware(rec), card_search(rec, ARCH, needles=ARCH_NEEDLES)
    f.detail = {"hardware": hw is not None, "architecture": arch is not None}
    f.evidence = [e for e in (arch, hw) if e]
    f.outcome = "positive" if hw and arch else "negative"
    return f


def training_hardware(rec: ModelRecord) -> Evidence | None:
    """The first hardware mention that is not about running the model (:data:`RUNNING` without a word of
    training in its sentence) and not inside a code block (a command's ``--device cuda``)."""
    card = rec.card
    if card is None:
        return None
    off = len(card.text) - len(card.body)
    for seen, m in enumerate(_matches(card.body, card.lowered_body, HARDWARE, HARDWARE_NEEDLES)):
        if seen >= MAX_HARDWARE_MATCHES:
            return None
        a, b = off + m.start(), off + m.end()
        sentence = _sentence_at(card.text, a, b)
        if in_code(rec, a) or (RUNNING.search(sentence) and not TRAINING.search(sentence)):
            continue
        return mention_evidence(rec, m)
    return None
