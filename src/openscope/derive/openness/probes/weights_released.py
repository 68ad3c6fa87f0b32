"""Are the final model parameters released? Weight files in the repository, or a card that points to them."""

from __future__ import annotations

import re

from openscope.derive.openness.probes import (
    Evidence,
    Finding,
    card_search,
    either,
    file_evidence,
    files_matching,
    repo_license,
)
from openscope.derive.openness.probes._own_evidence import own_place
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.probes.intermediate_checkpoints import CKPT_FILES
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Model parameters (Final)"
# File patterns are RE2-compatible: the set-based form (sql.py) uses the same strings in DuckDB.
WEIGHT_FILE = re.compile(r"\.(safetensors|bin|gguf|ggml|pt|pth|ckpt|h5|msgpack|onnx|npz|tflite|nemo|keras|mlmodel)$",
                         re.IGNORECASE)
NOT_WEIGHT_FILE = re.compile(r"(^|/)(training_args|optimizer|scheduler|rng_state)[^/]*$", re.IGNORECASE)
HUB_MODEL_LINK = re.compile(
    r"^https?://(huggingface\.co|hf\.co|modelscope\.cn/models|www\.modelscope\.cn/models|model\.baai\.ac\.cn"
    r"|(www\.)?wisemodel\.cn/models|openxlab\.org\.cn/models)/"
    r"(?!datasets/|spaces/|docs/|blog/|papers/|join|login|settings|collections/)[\w.-]+/[\w.-]+", re.IGNORECASE)
RELEASED_TEXT = either(
    r"(download (the )?(pre-?trained |model )?(weights|checkpoints?|models?)"
    r"|(weights|checkpoints?|models?) (are|is|have been|has been) (now |publicly |officially )?"
    r"(released|available|open[- ]?sourced|uploaded)"
    r"|(release|open[- ]?source)d? (the |our )?(model )?(weights|checkpoints?)"
    r"|pre-?trained (weights|checkpoints?)|model zoo|from_pretrained\()"
    # Chinese: download the weights (下载模型权重, 模型下载, 权重下载), the weights are released (权重已开源/发布/上传),
    # we open-source the weights (开源了模型权重), pre-trained weights (预训练权重)
    , r"(?:下载|获取)(?:模型)?(?:权重|检查点)|模型下载|权重下载|(?:模型)?权重(?:已|现已|已经)(?:全部)?(?:开源|发布|公开|上传)"
    r"|开源了?(?:模型)?权重|预训练权重", re.IGNORECASE)
# Model-card statements that the models described are released (a separate pattern with rare needles:
# searched only when the common phrases are absent, so it costs little).
CARD_RELEASE = re.compile(r"models? released here|(developed|trained) and released (the )?[^\s.]+( [^\s.]+){0,2} "
                          r"(family|series|models?)\b|\bmodel release date", re.IGNORECASE)
CARD_RELEASE_NEEDLES = ('released here', 'and released', 'release date')
# Weights published only as a difference to another model's weights (to recover with the base).
DELTA_TEXT = re.compile(r"(delta|diff) (of )?(the )?weights|weights? (delta|diff)s?\b|weight differences?"
                        r"|publish(ing|ed)? (only )?the (weights? )?difference|\bXOR\b (between|of) (the )?(files|weights)",
                        re.IGNORECASE)
DELTA_NEEDLES = ('delta', 'diff', 'xor')
NOT_RELEASED = either(
    r"((weights|checkpoints?|the model) (are|is|will) not (be )?(publicly )?(released|available|open[- ]?sourced)"
    r"|(only )?(available|accessible) (only )?(via|through) (our |an |the )?api\b)"
    # Chinese: the weights are not released (权重暂不开源, 模型不公开), only through an API (仅通过 API 提供)
    , r"(?:权重|模型)(?:暂不|不会|将不|不)(?:开源|公开|发布)|仅(?:通过|提供)\s*API", re.IGNORECASE)
RELEASED_TEXT_NEEDLES = ('download', 'releas', 'availab', 'open', 'upload', 'trained', 'zoo', 'from_pretrained', '下载',
                         '权重')
NOT_RELEASED_NEEDLES = ('not', 'api', '权重', '模型')
REMEDIATION = "Upload the final weights (e.g. safetensors) to the repository under an OSI-approved licence."


def run(rec: ModelRecord) -> Finding:
    f = Finding("weights_released", "unknown", COMPONENT, remediation=REMEDIATION)
    files = [p for p in files_matching(rec, WEIGHT_FILE, limit=50) if not NOT_WEIGHT_FILE.search(p)]
    # final weights first: an intermediate checkpoint (checkpoints/step-100/…) is cited only when it is all
    # there is (it is the evidence of the intermediate-parameters component)
    files = sorted(files, key=lambda p: bool(CKPT_FILES.search(p)))[:3]
    ev = [file_evidence(rec, files)] if files else []
    if not ev:
        link = own_model_link(rec)
        text = card_search(rec, RELEASED_TEXT, needles=RELEASED_TEXT_NEEDLES) \
            or card_search(rec, CARD_RELEASE, needles=CARD_RELEASE_NEEDLES)
        ev = [e for e in (text, link) if e]
    delta = None if files else card_search(rec, DELTA_TEXT, needles=DELTA_NEEDLES)
    if delta:
        ev.append(delta)  # a published weight difference is a release, of a partial kind
    if ev:
        f.detail = {"delta": delta is not None}
        f.status, f.license = released_status(repo_license(rec, "weights"))
        f.outcome, f.evidence = "positive", ev
        return f
    neg = card_search(rec, NOT_RELEASED, needles=NOT_RELEASED_NEEDLES)
    if neg:
        f.status, f.outcome, f.evidence = "documented_not_released", "negative", [neg]
    elif rec.card is not None or rec.files:
        f.outcome = "negative"
    return f


def own_model_link(rec: ModelRecord) -> Evidence | None:
    """The first Hub model link that the card does not attribute to others (:func:`._own_evidence.cited_link`). Why: cards link their base model ("based on [Stable
    Diffusion](…)"), models they compare with and lists of references; those are other people's weights."""
    if rec.card is None:
        return None
    bases = declared_base_ids(rec)
    for ln in rec.card.links:
        hub = HUB_MODEL_LINK.search(ln.url)
        if hub and _repo_id(ln.url) in bases:
            continue  # the base model's (or a merged model's) weights, which the card declares as such
        p = own_place(rec, ln) if hub else None
        if p is not None:
            return Evidence("card", p.url, f"line {p.line}: [{p.text}]({p.url})" if p.text else
                            f"line {p.line}: {p.url}", rec.read_at)
    return None


_HUB_REPO = re.compile(r"^https?://(?:huggingface\.co|hf\.co)/([\w.-]+/[\w.-]+)", re.IGNORECASE)


def _repo_id(url: str) -> str:
    m = _HUB_REPO.match(url)
    return m.group(1).lower() if m else ""


def declared_base_ids(rec: ModelRecord) -> set[str]:
    """The Hub ids the front matter's ``base_model`` names (a string or a list: an adapter's, a quantization's
    or a merge's ingredients), lower-cased. Why: a link to one of them is the model this release was made
    from, never this release's own weights, however the card words the line."""
    out: set[str] = set()
    for src in (rec.card_data, rec.card.meta if rec.card is not None else {}):
        raw = src.get("base_model")
        ids = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
        out.update(x.strip().lower() for x in ids if isinstance(x, str) and x.strip())
    return out
