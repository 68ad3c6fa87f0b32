"""Are the libraries and tools used to build and run the model named and open?"""

from __future__ import annotations

import re
from bisect import bisect_left

from openscope.derive.openness import libraries
from openscope.derive.openness.probes import Evidence, Finding, library_evidence, library_name_evidence
from openscope.derive.openness.probes._other_release import about_other_release, linked_models
from openscope.derive.openness.probes._own_evidence import (
    SENTENCE_REACH,
    code_spans,
    in_code,
    mention_evidence,
    own_mentions,
    sentence_and_start,
)
from openscope.derive.openness.probes._siblings import line_at
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Supporting libraries and tools"
LIBS = re.compile(r"\b(transformers|diffusers|vllm|llama\.cpp|deepspeed|megatron(-lm)?|gpt-neox|pytorch|jax|flax|"
                  r"tensorflow|accelerate|peft|trl|fairseq|nemo|mlx|sglang|xformers|flash[- ]attention|mergekit)\b",
                  re.IGNORECASE)
# (mergekit, the tool a merge is made with, is named but not in libraries.yml: its licence has changed between
# releases, and a card does not say which release it used, so its licence stays unknown: `no_license`)
LIBS_NEEDLES = ('transformers', 'diffusers', 'vllm', 'llama.cpp', 'deepspeed', 'megatron', 'gpt-neox', 'pytorch', 'jax', 'flax', 'tensorflow', 'accelerate', 'peft', 'trl', 'fairseq', 'nemo', 'mlx', 'sglang', 'xformers', 'flash', 'mergekit')
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
    ev = [library_name_evidence(rec)] if rec.library_name else []
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


INTRODUCED_BLOCK = 1500   # characters of the code block a sentence introduces read for the model it runs
# After the name, before the code block: a sentence that goes on ("… using vLLM. Then …") or a blank line.
_BREAK = re.compile(r"[.!?]\s+\S|。\s*\S|\n[ \t]*\n")


def runs_another_model(rec: ModelRecord, a: int, b: int) -> bool:
    """Whether the library named at ``card.text[a:b]`` is shown running another model of the release's publisher that
    the card links on the Hub, and no model of the release (:func:`.._other_release.about_other_release`): the command
    line it stands on ("vllm serve acme/Heron-R2-Mini-7B"), or, in prose, its sentence together with the code block
    that sentence introduces (the last sentence of the paragraph the block follows: "you can start a service using
    [vLLM]:" over ``vllm serve acme/Heron-R2-Mini-7B``; a sentence wrapped over lines is the same sentence).

    Why: a family's README says how to run each of its models; a library shown serving a distilled sibling, when the
    release's own section names none, is the sibling's tool, and its licence is not the release's. The signal is the
    model the command runs, named by the id the card links, never the heading it stands under: a reproduction guide
    runs one launcher for every stage and size (a sibling's heading over `accelerate launch`, whose line names no
    model), and a base the release declares, or a model the card does not link, is not another release. Cheap:
    nothing is read unless the card links a Hub model of its own publisher other than the release."""
    card = rec.card
    assert card is not None
    if "huggingface.co/" not in card.text or not linked_models(rec):
        return False
    text = card.text
    if in_code(rec, a):
        return about_other_release(rec, line_at(text, a))
    spans = code_spans(rec)
    k = bisect_left(spans, (b, -1))
    if k >= len(spans) or spans[k][0] - b > SENTENCE_REACH:
        return False
    rest = text[b:spans[k][0]].rstrip()
    if _BREAK.search(rest):
        return False                     # the sentence goes on after the name, or its paragraph ends before the block
    block = text[spans[k][0]:min(spans[k][1], spans[k][0] + INTRODUCED_BLOCK)]
    sentence, _ = sentence_and_start(text, a, b)
    return about_other_release(rec, f"{sentence} {rest}\n{block}")


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
        if runs_another_model(rec, off + m.start(), off + m.end()):
            continue                      # "serve it with [vLLM]:" + `vllm serve acme/Heron-R2-Mini-7B`: a sibling's
        if name in AMBIGUOUS and not in_code(rec, off + m.start()) and before not in ("`", "/", "[") \
                and not after.startswith(("`", "]")):
            near = card.body[max(0, m.start() - CUE_NEAR):m.end() + CUE_NEAR]
            if not LIBRARY_CUE.search(near):
                continue
        return mention_evidence(rec, m), name
    return None, None
