"""Are the architecture and the training hardware documented?"""

from __future__ import annotations

import re

from openscope.derive.openness.probes import Finding, card_search
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
REMEDIATION = "Document the architecture (layers, sizes, attention) and the training hardware and compute."


def run(rec: ModelRecord) -> Finding:
    f = Finding("hardware_documented", "unknown", COMPONENT, remediation=REMEDIATION)
    if rec.card is None:
        return f
    hw, arch = card_search(rec, HARDWARE, needles=HARDWARE_NEEDLES), card_search(rec, ARCH, needles=ARCH_NEEDLES)
    f.detail = {"hardware": hw is not None, "architecture": arch is not None}
    f.evidence = [e for e in (arch, hw) if e]
    f.outcome = "positive" if hw and arch else "negative"
    return f
