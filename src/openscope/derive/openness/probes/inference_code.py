"""Is code to run the model released (a library integration, scripts, or usage code in the card)?"""

from __future__ import annotations

import re
from itertools import chain

from openscope.derive.openness import libraries
from openscope.derive.openness.probes import (
    Finding,
    file_evidence,
    files_matching,
    hub_evidence,
    library_evidence,
    repo_license,
)
from openscope.derive.openness.probes._other_release import others_only, run_pointer
from openscope.derive.openness.probes._own_evidence import enclosing_titles, mention_evidence, own_mentions
from openscope.derive.openness.probes._siblings import better_command
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Inference code"
INFER_FILES = re.compile(r"(^|/)[\w-]{0,255}(infer|inference|generate|predict|demo|sample|run|app|cli|pipeline)[\w-]{0,255}\.py$",
                         re.IGNORECASE)
USAGE = re.compile(
    r"(from (transformers|diffusers|vllm|mlx_lm|sentence_transformers|peft|open_clip|timm|nemo|llama_cpp) import"
    r"|\bpipeline\(|\.generate\(|\bfrom_pretrained\(|python3? [\w/.-]*(infer|inference|generate|sample|demo|"
    r"predict|run|cli|app|chat|bot)[\w/-]*\.py|pip install [\w-]+|git clone https?://\S+|ollama run|llama-cli|vllm serve)",
    re.IGNORECASE)
USAGE_NEEDLES = ('import', 'pipeline(', 'generate(', 'from_pretrained(', '.py', 'pip install', 'git clone', 'ollama', 'llama-cli', 'vllm')
REMEDIATION = "Ship runnable inference code (or integrate with an open library) under an OSI-approved licence."


# What in a usage snippet names the code that runs the model: a Python import, a package installed, a CLI.
USAGE_LIBRARY = re.compile(r"\bfrom ([\w.]+) import|^[ \t]*import ([\w.]+)|pip install (?:-U |--upgrade )?([\w.-]+)"
                           r"|\b(llama-cli)\b|\b(vllm) serve", re.IGNORECASE | re.MULTILINE)
OWN_SCRIPT = re.compile(r"python3? [\w/.-]*\.py", re.IGNORECASE)
TOOL_NAMES = {"llama-cli": "llama.cpp"}
# `pip install` shows code that runs the model when it installs the repository's code (`-r requirements.txt`,
# `-e .`, `git+https://…`) or a library that runs models (transformers, diffusers, vllm…), outside a training
# section. A framework or a tool (torch, huggingface_hub for a login, bitsandbytes for an optimiser, uv) is
# the environment, not inference code.
FRAMEWORKS = {"pytorch", "tensorflow", "jax", "flax", "onnx", "keras", "tf-keras"}
TRAINING_SECTION = re.compile(r"train|fine-?tun|finetun|pre-?process|data\s+prep", re.IGNORECASE)
PIP_OPTION = re.compile(r"^-(?!r$|e$)|^--(?!requirement$|editable$)")


def _library(snippet: str) -> libraries.Library | None:
    """The listed library a usage snippet loads (its first import, install or command that names one)."""
    for m in USAGE_LIBRARY.finditer(snippet):
        module, imported, installed, cli, served = m.groups()
        lib = (libraries.by_import(module or imported) or libraries.by_library_name(installed)
               or libraries.by_library_name(TOOL_NAMES.get((cli or "").lower()) or served))
        if lib is not None:
            return lib
    return None


def run(rec: ModelRecord) -> Finding:
    """Files in the repository are the publisher's code, under the repository's licence; a library the
    card or the Hub names (``library_name``, ``from transformers import``) is that library's code, under
    the library's own licence (cited, :mod:`openscope.derive.openness.libraries`), never the model's; a
    snippet that names no listed library (``git clone …``, ``ollama run``) shows code exists, licence unknown."""
    f = Finding("inference_code", "unknown", COMPONENT, remediation=REMEDIATION)
    files = files_matching(rec, INFER_FILES)
    if files:
        f.status, f.license = released_status(repo_license(rec, "code"))
        f.outcome, f.evidence = "positive", [file_evidence(rec, files)]
        return f
    # usage code the card shows for this model: not in an HTML comment or a section of others' projects
    shown = (m for m, verdict in own_mentions(rec, USAGE, USAGE_NEEDLES, cited=False, component=COMPONENT)
             if verdict == "own" and (not m.group(0).lower().startswith("pip install") or _installs_code(rec, m)))
    # (a README's command for another model, "vllm serve org/<other>-32B", gives way to the release's own)
    first = next(shown, None)
    later = better_command(rec, chain([first], shown)) if first is not None else None
    if first is not None and later is None and others_only(rec, first):
        pointer = run_pointer(rec)
        if pointer is not None:   # "visit [Heron-Serve](https://github.com/…) for running Heron-R2 locally"
            f.outcome, f.status, f.license = "positive", "no_license", None
            f.evidence = [mention_evidence(rec, pointer)]
            return f
    usage = mention_evidence(rec, later or first) if first is not None else None
    ev = [usage] if usage else []
    if not ev and rec.library_name:
        ev = [hub_evidence(rec, f"library_name: {rec.library_name}", "library_name")]
    if not ev:
        if rec.card is not None or rec.files:
            f.outcome = "negative"
        return f
    f.outcome, f.evidence = "positive", ev
    lib = (_library(usage.snippet) if usage else None) or libraries.by_library_name(rec.library_name)
    if usage is not None and lib is None and OWN_SCRIPT.search(usage.snippet):
        f.status, f.license = released_status(repo_license(rec, "code"))   # the publisher's own script, run from the card
    elif lib is not None:
        f.status, f.license = released_status(lib.license)
        f.evidence.append(library_evidence(rec, lib))
    else:
        f.status, f.license = "no_license", None
    return f


def _installs_code(rec: ModelRecord, m: re.Match[str]) -> bool:
    """Whether a ``pip install`` line installs code that runs the model (see ``FRAMEWORKS``)."""
    assert rec.card is not None
    body = rec.card.body
    off = len(rec.card.text) - len(body)
    if any(TRAINING_SECTION.search(t) for t in enclosing_titles(rec.card, off + m.start())):
        return False
    end = body.find("\n", m.start())
    words = body[m.start():end if end >= 0 else len(body)].split()[2:12]
    for w in words:
        if w in ("-r", "-e", "--requirement", "--editable", ".") or w.startswith(("git+", "./", ".[", "-e.", "-r")):
            return True
        if PIP_OPTION.match(w) or w.startswith("#"):
            if w.startswith("#"):
                break
            continue
        name = re.split(r"[=<>\[~!;]", w.strip("'\""), maxsplit=1)[0].lower()
        lib = libraries.by_library_name(name) or libraries.by_import(name.replace("-", "_"))
        if lib is not None and lib.name not in FRAMEWORKS:
            return True
    return False
