"""Is code to run the model released (a library integration, scripts, or usage code in the card)?"""

from __future__ import annotations

import re
from itertools import chain

from openscope.derive.openness import libraries
from openscope.derive.openness.probes import (
    Evidence,
    Finding,
    either,
    file_evidence,
    files_matching,
    library_evidence,
    library_name_evidence,
    linked_code_license,
    links_to_listed_file,
    repo_license,
)
from openscope.derive.openness.probes._other_release import others_only, run_pointer
from openscope.derive.openness.probes._own_evidence import (
    enclosing_titles,
    first_own_mention,
    mention_evidence,
    own_code_repository,
    own_mentions,
    publishers_repository,
)
from openscope.derive.openness.probes._siblings import better_command
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Inference code"
# (and the verbs of a task's own inference script: "transcribe.py" of a speech recognizer, "synthesize.py" of a voice,
# "detect.py", "segment.py", "forecast.py", "translate.py", "chat.py")
INFER_FILES = re.compile(r"(^|/)[\w-]{0,255}(infer|inference|generate|predict|demo|sample|run|app|cli|pipeline|transcribe"
                         r"|synthesi[sz]e|detect|segment|forecast|translate|chat)[\w-]{0,255}\.py$", re.IGNORECASE)
USAGE = re.compile(
    r"(from (transformers|diffusers|vllm|mlx_lm|sentence_transformers|peft|open_clip|timm|nemo|llama_cpp) import"
    r"|\bpipeline\(|\.generate\(|\bfrom_pretrained\(|python3? [\w/.-]*(infer|inference|generate|sample|demo|"
    r"predict|run|cli|app|chat|bot)[\w/-]*\.py|pip install [\w-]+|git clone https?://\S+|ollama run|llama-cli|vllm serve"
    # a distributed launcher running the publisher's generation script past its options ("torchrun --nproc-per-node 8
    # generate.py --ckpt-path …", "deepspeed --num_gpus 2 inference/chat.py"): the same script as "python generate.py"
    r"|\b(?:torchrun|deepspeed|accelerate[ \t]{1,3}launch)(?:[ \t]{1,3}[^\s]{1,200}){0,12}?[ \t]{1,3}[\w/.-]{0,200}?"
    r"(?:infer|inference|generate|sample|demo|predict|cli|app|chat|bot)[\w/-]{0,200}\.py)",
    re.IGNORECASE)
USAGE_NEEDLES = ('import', 'pipeline(', 'generate(', 'from_pretrained(', '.py', 'pip install', 'git clone', 'ollama', 'llama-cli', 'vllm',
                 'torchrun', 'deepspeed', 'accelerate')
REMEDIATION = "Ship runnable inference code (or integrate with an open library) under an OSI-approved licence."


# What in a usage snippet names the code that runs the model: a Python import, a package installed, a CLI.
USAGE_LIBRARY = re.compile(r"\bfrom ([\w.]+) import|^[ \t]*import ([\w.]+)|pip install (?:-U |--upgrade )?([\w.-]+)"
                           r"|\b(llama-cli)\b|\b(vllm) serve", re.IGNORECASE | re.MULTILINE)
OWN_SCRIPT = re.compile(r"python3? [\w/.-]*\.py|\b(?:torchrun|deepspeed|accelerate[ \t]{1,3}launch)[ \t][^\n]{0,400}?\.py",
                        re.IGNORECASE)
# A relative link from the card to a guide, a script or a folder for running the model in the card's own repository
# ("[Cosmos-Predict2.5](docs/inference.md)", "[chat](inference/)"): the code is beside the card. An image, a video or
# a PDF ("assets/inference_speed.png") is a figure or a paper, not code.
INFER_LINK = re.compile(r"(?:^|[/_\s-])(?:inferenc\w*|infer)\b", re.IGNORECASE)
_MEDIA = re.compile(r"\.(?:png|jpe?g|gif|svg|webp|bmp|mp4|webm|mov|mp3|wav|pdf)$", re.IGNORECASE)
# The card's words for its inference code, beside the repository it presents as its own ("The inference code is on
# Codeberg: [wren-tts](…)", "the training and inference code is at …"): the training probe's reading of "training
# code" with the card's own code repository. (Chinese 推理代码, 推理脚本; German Inferenzcode; French code d'inférence;
# Spanish código de inferencia.)
INFER_TEXT = either(r"\b(?:inference|serving) (?:code|scripts?)\b"
                    r"|\b(?:training|pre-?training|fine-?tuning) (?:and|&) inference (?:code|scripts?)\b"
                    r"|\bInferenz-?code\b|\b(?:code|scripts?) d['’]inférence\b|\b(?:código|scripts?) de inferencia\b",
                    r"推理(?:源?代码|源码|脚本)", re.IGNORECASE)
INFER_TEXT_NEEDLES = ("inferen", "serving", "推理")
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
    if not ev and (guide := inference_link(rec)) is not None:
        # the publisher's own guide or script beside the card: the repository's code, under its licence
        f.status, f.license = released_status(repo_license(rec, "code"))
        f.outcome, f.evidence = "positive", [guide]
        return f
    if not ev and (said := first_own_mention(rec, INFER_TEXT, INFER_TEXT_NEEDLES, component=COMPONENT)[0]) is not None \
            and (repo := own_code_repository(rec, component=COMPONENT) or publishers_repository(rec, said)) is not None:
        # (or the mention's own lines link the publisher's own repository, whatever words say it is theirs:
        # "推理代码见 GitHub：[huamei-audio/huamei-tts](…)" on huamei-audio's card, as for the training code)
        # the card names its inference code and presents a code repository as its own: that repository's code,
        # under the licence the card names for code (its LICENSE file is not shown), as the training probe reads it
        f.status, f.license = released_status(linked_code_license(rec, (said, repo)))
        f.outcome, f.evidence = "positive", [said, repo]
        return f
    if not ev and rec.library_name:
        ev = [library_name_evidence(rec)]
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


def inference_link(rec: ModelRecord) -> Evidence | None:
    """A relative link to a file or folder for running the model (:data:`INFER_LINK` in its path or its anchor, or a
    script named as :data:`INFER_FILES` names one), in the card's own repository (the file list holds it, when there is one), that is no image, video or PDF. Why: a code
    repository's README that sends the reader to ``docs/inference.md`` for each model of its table, with no command on
    the card itself, was graded as shipping no inference code; the training probe reads ``docs/train.md`` so."""
    if rec.card is None:
        return None
    for ln in rec.card.rel_links:
        target = ln.url.split("#", 1)[0].split("?", 1)[0]
        # (or a script the repository's file names show runs the model: "[generate.py](generate.py)", as the file
        # list's ``generate.py`` itself is read)
        if _MEDIA.search(target) or not (INFER_LINK.search(target) or INFER_LINK.search(ln.text)
                                         or INFER_FILES.search(target)):
            continue
        if not links_to_listed_file(rec, ln.url):
            continue
        last = rec.card.line_of(ln.at + len(ln.url)) if ln.at >= 0 else ln.line
        where = f"#L{ln.line}" if last <= ln.line else f"#L{ln.line}-L{last}"
        return Evidence("card", f"{rec.card_locator}{where}", f"[{ln.text}]({ln.url})", rec.read_at)
    return None


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
