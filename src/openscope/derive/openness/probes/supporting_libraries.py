"""Are the libraries and tools used to build and run the model named and open?"""

from __future__ import annotations

import re

from openscope.derive.openness import libraries
from openscope.derive.openness.probes import Evidence, Finding, hub_evidence, library_evidence
from openscope.derive.openness.probes._own_evidence import in_code, mention_evidence, own_mentions
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Supporting libraries and tools"
LIBS = re.compile(r"\b(transformers|diffusers|vllm|llama\.cpp|deepspeed|megatron(-lm)?|gpt-neox|pytorch|jax|flax|"
                  r"tensorflow|accelerate|peft|trl|fairseq|nemo|mlx|sglang|xformers|flash[- ]attention)\b", re.IGNORECASE)
LIBS_NEEDLES = ('transformers', 'diffusers', 'vllm', 'llama.cpp', 'deepspeed', 'megatron', 'gpt-neox', 'pytorch', 'jax', 'flax', 'tensorflow', 'accelerate', 'peft', 'trl', 'fairseq', 'nemo', 'mlx', 'sglang', 'xformers', 'flash')
# Names that are also ordinary words: "Transformers" is an architecture ("Diffusion Transformers", "1-bit
# Transformers"), "accelerate" a verb ("to accelerate inference"). They name the library only in code, in
# backticks or a link, or right beside a cue that it is software (a library, a package, a version, pip, an
# import, Hugging Face or 🤗, a launcher).
AMBIGUOUS = {"transformers", "accelerate"}
LIBRARY_CUE = re.compile(r"\bimport\b|\bpip\b|\binstall|librar|package|\bversions?\b|>=|==|hugging\s?face|🤗|"
                         r"\blaunch\b|\bconfig\b", re.IGNORECASE)
# The name goes on into another one ("pytorch-model.bin", "NeMo-Assets"); a web domain ("pytorch.org") is the
# project's own.
CONTINUED = re.compile(r"[-_][A-Za-z0-9]|\.(?!(?:org|com|io|ai|dev|cpp)\b)[A-Za-z]")
CUE_NEAR = 25   # characters either side of an ambiguous name read for a cue
REMEDIATION = "Name the libraries and tools (with versions) used to train and run the model."


def run(rec: ModelRecord) -> Finding:
    """Named libraries are released software; their licence is the library's own when it is listed (cited,
    :mod:`openscope.derive.openness.libraries`), else unknown (``no_license``)."""
    f = Finding("supporting_libraries", "unknown", COMPONENT, remediation=REMEDIATION)
    ev = [hub_evidence(rec, f"library_name: {rec.library_name}", "library_name")] if rec.library_name else []
    lib = libraries.by_library_name(rec.library_name)
    if not ev:
        t, name = named_library(rec)
        ev = [t] if t else []
        lib = libraries.by_library_name(name) if name else None
    if ev:
        f.status, f.license, f.outcome, f.evidence = "no_license", None, "positive", ev
        if lib is not None:
            f.status, f.license = released_status(lib.license)
            f.evidence.append(library_evidence(rec, lib))
    elif rec.card is not None:
        f.outcome = "negative"
    return f


# "PEFT" is also the name of the method the library implements: "parameter-efficient fine-tuning (PEFT) methods like
# LoRA", "PEFT techniques". Spelled out right before it in parentheses, or followed by "methods", "techniques" or
# "approaches", it names the method; "[PEFT](https://github.com/huggingface/peft)", `peft`, "pip install peft" name
# the library.
_PEFT_SPELLED = re.compile(r"parameter[- ]efficient[ \t]{1,3}fine[- ]?tuning[ \t]{0,3}\([ \t]{0,3}$", re.IGNORECASE)
_PEFT_METHOD_AFTER = re.compile(r"\)?[ \t]{1,3}(?:methods?|techniques?|approach(?:es)?|strateg(?:y|ies))\b", re.IGNORECASE)


def _peft_the_method(body: str, a: int, b: int) -> bool:
    """Whether the "PEFT" at ``body[a:b]`` names the fine-tuning method, not the library (:data:`_PEFT_SPELLED`,
    :data:`_PEFT_METHOD_AFTER`): not after a link's bracket, a backtick or a slash."""
    if body[a - 1:a] in ("[", "`", "/"):
        return False
    return bool(_PEFT_SPELLED.search(body, max(0, a - 40), a) or _PEFT_METHOD_AFTER.match(body, b, b + 30))


def named_library(rec: ModelRecord) -> tuple[Evidence | None, str | None]:
    """The first place the card names a library it uses, and the name: not inside another name
    ("Cosmos-NeMo-Assets"), not a promise or a denial ("- [ ] Diffusers integration", "Transformers is not yet
    supported"), not hidden or in a section of others' work, and an ordinary word only as software."""
    card = rec.card
    if card is None:
        return None, None
    off = len(card.text) - len(card.body)
    for m, verdict in own_mentions(rec, LIBS, needles=LIBS_NEEDLES, cited=False, component=COMPONENT):
        before, after = card.body[max(0, m.start() - 1):m.start()], card.body[m.end():m.end() + 6]
        if verdict != "own" or before in ("-", "_") or CONTINUED.match(after):
            continue                      # part of another name: Cosmos-NeMo-Assets, pytorch-model.bin
        name = m.group(1).lower()
        if name == "peft" and _peft_the_method(card.body, m.start(), m.end()):
            continue                      # "parameter-efficient fine-tuning (PEFT) methods like LoRA": the method
        if name in AMBIGUOUS and not in_code(rec, off + m.start()) and before not in ("`", "/", "[") \
                and not after.startswith(("`", "]")):
            near = card.body[max(0, m.start() - CUE_NEAR):m.end() + CUE_NEAR]
            if not LIBRARY_CUE.search(near):
                continue
        return mention_evidence(rec, m), name
    return None, None
