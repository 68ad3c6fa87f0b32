"""Is a sentence about another model the card links on the Hub, not about the release?

Why: a project README that hosts several models (a serving and training platform, a family's repository) says how
it trained or ran each of them: "train Vicuna-7B with 4 x A100" in the FastChat README is Vicuna's training hardware,
not FastChat-T5's. A reader knows it is another model's because the sentence names a model that the card links as a
model of its own on the Hub (its row in a model table), and not the release. The release's declared bases are not
"another model": a fine-tune's card saying "we fine-tune Llama-2-7B on 8 A100s" tells how the release was made.
No rule is keyed on a model's name: the names are the card's own links and the card's own id.
"""

from __future__ import annotations

import re

from openscope.derive.openness.probes._own_evidence import sentence_and_start
from openscope.derive.openness.probes._siblings import (
    _NAME_START,
    _SIZE,
    command_rank,
    line_at,
    names_release,
    runs,
)
from openscope.derive.openness.records import ModelRecord

# A Hub model link ("https://huggingface.co/acme/heron-7b-v2"; not a dataset's or a Space's page).
_HUB_MODEL = re.compile(r"huggingface\.co/(?!datasets/|spaces/|docs/|blog/|papers/)([A-Za-z0-9][\w.-]{0,95})/([\w.-]{1,95})")
_SPLIT = re.compile(r"[\s/=\"'`()\[\],;:*|<>!?]+")
_EXTENSION = re.compile(r"\.(?:sh|py|ya?ml|json|ckpt|bin|safetensors|gguf|pt|md)$", re.IGNORECASE)
MAX_LINKED = 60


def model_names(text: str) -> list[str]:
    """The models a piece of text names: words with a size after a hyphen ("Vicuna-7B", "heron-13b-v1.5"), as a
    README names one of its models (:func:`.._siblings.command_rank` reads a command's words the same way)."""
    out = []
    for word in _SPLIT.split(text):
        part = _EXTENSION.sub("", word.strip(".,"))
        pieces = part.split("-")
        if len(pieces) >= 2 and _NAME_START.match(part) and any(_SIZE.fullmatch(p) for p in pieces[1:]):
            out.append(part)
    return out


def _declared_bases(rec: ModelRecord) -> list[str]:
    """The ``base_model`` ids of the card's front matter or the Hub's card data, lower-cased."""
    meta = rec.card.meta if rec.card is not None else {}
    out: list[str] = []
    for raw in (rec.card_data.get("base_model"), meta.get("base_model")):
        for bid in [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []:
            if isinstance(bid, str):
                out.append(bid.strip().lower())
    return out


def linked_models(rec: ModelRecord) -> list[frozenset[str]]:
    """The runs of the names of the Hub models of the release's own publisher that the card links
    (:data:`_HUB_MODEL`: a platform's or a family's model table), other than the release and its declared bases
    (metadata ``base_model``, lineage parents); at most :data:`MAX_LINKED`, read once a record. Why the publisher's
    own: a sibling release is published beside the release, while a base a fine-tune names in its prose is usually
    another publisher's, and a card without a base in its metadata must not lose how it was made."""
    held = rec.cache.get("other_linked_models")
    if isinstance(held, list):
        return held
    out: list[frozenset[str]] = []
    card = rec.card
    owner = rec.id.partition("/")[0].lower() if "/" in rec.id else ""
    if card is not None and owner and "huggingface.co/" in card.text:
        mine = {rec.id.lower(), *(p.lower() for p in rec.parents), *_declared_bases(rec)}
        seen: set[str] = set()
        for m in _HUB_MODEL.finditer(card.text):
            hub = f"{m.group(1)}/{m.group(2)}".lower().rstrip(".")
            if m.group(1).lower() != owner or hub in mine or hub in seen:
                continue
            seen.add(hub)
            out.append(runs(m.group(2)))
            if len(out) >= MAX_LINKED:
                break
    rec.cache["other_linked_models"] = out
    return out


def about_other_release(rec: ModelRecord, text: str) -> bool:
    """Whether ``text`` (a sentence, a heading) names a model, and every model it names is another one the card links
    on the Hub (:func:`linked_models`) and none is the release (:func:`.._siblings.names_release` on the card's id).
    A sentence naming no model, or naming one the card does not link, is not set aside: the card may be telling how
    the release itself was made."""
    names = model_names(text)
    if not names:
        return False
    own = runs(rec.id.rpartition("/")[2])
    others = linked_models(rec)
    if not others:
        return False
    return all(not names_release(n, own) and any(names_release(n, o) for o in others) for n in names)


# A link to a code host's repository ("[Heron-Serve](https://github.com/birdlab/heron-serve)").
_CODE_LINK = re.compile(r"\[[^\[\]\n]{0,200}\]\(https?://(?:www\.)?(?:github\.com|gitlab\.com|codeberg\.org)/[^)\s]{1,300}\)",
                        re.IGNORECASE)
_RUN_WORDS = re.compile(r"\b(?:run|runs|running|inference|deploy\w*|serv(?:e|es|ing)|locally)\b", re.IGNORECASE)
_NAME_WORD = re.compile(r"[A-Za-z][\w.+-]{0,80}")
MAX_POINTERS = 40


def run_pointer(rec: ModelRecord) -> re.Match[str] | None:
    """The sentence (as a match in the card's body) of the first link to a code repository (:data:`_CODE_LINK`) whose sentence is about running the release: a word of
    running (run, running, inference, deploy, serve, locally) and a name that names the release by the card's own id
    ("Please visit [Heron-Serve](https://github.com/…) for running Heron-R2 locally"). Why: a README whose only
    commands run other models (a family's distilled siblings) sends the reader elsewhere for the release's own; that
    sentence, not another model's command, is the evidence that code to run it exists. The first
    :data:`MAX_POINTERS` links are read; a card with no code host's address reads nothing."""
    card = rec.card
    if card is None:
        return None
    body = card.body
    if "github.com/" not in body and "gitlab.com/" not in body and "codeberg.org/" not in body:
        return None
    own = runs(rec.id.rpartition("/")[2])
    for k, m in enumerate(_CODE_LINK.finditer(body)):
        if k >= MAX_POINTERS:
            break
        sentence, at = sentence_and_start(body, m.start(), m.end())
        if not _RUN_WORDS.search(_CODE_LINK.sub(" ", sentence)):
            continue
        if any(names_release(w.strip(".-+"), own) for w in _NAME_WORD.findall(_CODE_LINK.sub(" ", sentence))):
            # (the whole sentence is what the reader is told)
            return re.compile(f"[^\\n]{{{len(sentence)}}}").match(body, m.start() - at) or m
    return None


def others_only(rec: ModelRecord, m: re.Match[str]) -> bool:
    """Whether the usage match ``m`` (in the card's body) runs only other models (:func:`.._siblings.command_rank` 2
    on its line). Read by ``inference_code`` when no later command is the release's or names no model: then the card's
    sentence that sends the reader to a code repository for running the release (:func:`run_pointer`) is the
    evidence. Why: another model's command (a distilled sibling's ``vllm serve …-Distill-…-32B``) shows that a library
    runs that model, not the release, so its licence is not lent; the code linked is not read, its licence unknown."""
    assert rec.card is not None
    return command_rank(line_at(rec.card.body, m.start()), runs(rec.id.rpartition("/")[2])) == 2


def own_repo_id(rec: ModelRecord) -> str:
    """The release's own repository id, lower-cased ("birdlab/heron-r2"): the card's own id, which every card has."""
    return rec.id.lower()


def links_own_repo(rec: ModelRecord) -> bool:
    """Whether the card's text holds the release's own repository id in a Hub address (a cheap test before
    ``weights_released`` reads the card's links again for it)."""
    card = rec.card
    return card is not None and "/" in rec.id and f"huggingface.co/{rec.id.lower()}" in card.text.lower()
