"""Are the final model parameters released? Weight files in the repository, or a card that points to them."""

from __future__ import annotations

import re
from collections.abc import Iterator

from openscope.derive.openness.probes import (
    Evidence,
    Finding,
    card_search,
    either,
    file_evidence,
    jako_needles,
    repo_license,
    zsearch,
)
from openscope.derive.openness.probes._contents import contents_entry
from openscope.derive.openness.probes._other_release import links_own_repo, own_repo_id
from openscope.derive.openness.probes._own_evidence import (
    MAX_MATCHES,
    NEAR,
    _matches,
    card_index,
    cited_link,
    code_spans,
    mention_evidence,
    own_place,
)
from openscope.derive.openness.probes._own_paper import occurrences
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.probes.datasets_released import denied_lines
from openscope.derive.openness.probes.intermediate_checkpoints import CKPT_FILES, CKPT_TEXT
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Model parameters (Final)"
# The set-based form (sql.py) runs these very patterns on each stored path (RE2 only narrows the candidates).
WEIGHT_FILE = re.compile(r"\.(safetensors|bin|gguf|ggml|pt|pth|ckpt|h5|msgpack|onnx|npz|tflite|nemo|keras|mlmodel)$",
                         re.IGNORECASE)
NOT_WEIGHT_FILE = re.compile(r"(^|/)(training_args|optimizer|scheduler|rng_state)[^/]*$", re.IGNORECASE)
HUB_MODEL_LINK = re.compile(
    r"^https?://(huggingface\.co|hf\.co|modelscope\.cn/models|www\.modelscope\.cn/models|model\.baai\.ac\.cn"
    r"|(www\.)?wisemodel\.cn/models|openxlab\.org\.cn/models)/"
    r"(?!datasets/|spaces/|docs/|blog/|papers/|join|login|settings|collections/)[\w.-]+/[\w.-]+", re.IGNORECASE)
# A link into one file of a model repository that is a document, an image or a media file (a report's PDF, a README,
# a figure: ``huggingface.co/acme/Acme-7B/blob/main/report.pdf``): the link opens that document, not the weights, and
# its anchor says so ("[Paper](…/technical_details.pdf)").
# (Two checks, not one pattern: a path matched up to its extension backtracks over every "/blob/" of a long URL.)
DOCUMENT_FILE = re.compile(r"\.(?:pdf|md|txt|html?|png|jpe?g|gif|svg|webp|mp4|mov|webm|mp3|wav)$", re.IGNORECASE)
_FILE_IN_REPO = ("/blob/", "/resolve/", "/raw/")


def document_in_repo(url: str) -> bool:
    """Whether ``url`` opens one document, image or media file of a repository (:data:`DOCUMENT_FILE` after
    ``/blob/``, ``/resolve/`` or ``/raw/``; a query or a fragment is not part of the file's name)."""
    path = url.split("#", 1)[0].split("?", 1)[0]
    return any(m in path for m in _FILE_IN_REPO) and DOCUMENT_FILE.search(path) is not None


RELEASED_TEXT = either(
    r"(download (the )?(pre-?trained |model )?(weights|checkpoints?|models?)"
    r"|(weights|checkpoints?|models?) (are|is|have been|has been) (now |publicly |officially )?"
    r"(released|available|open[- ]?sourced|uploaded)"
    r"|(release|open[- ]?source)d? (the |our )?(model )?(weights|checkpoints?)"
    r"|pre-?trained (weights|checkpoints?)|model zoo|from_pretrained\()"
    # Chinese: download the weights (下载模型权重, 模型下载, 权重下载), the weights are released (权重已开源/发布/上传),
    # we open-source the weights (开源了模型权重), pre-trained weights (预训练权重)
    , r"(?:下载|获取)(?:模型)?(?:权重|检查点)|模型下载|权重下载|(?:模型)?权重(?:已|现已|已经)(?:全部)?(?:开源|发布|公开|上传)"
    r"|开源了?(?:模型)?权重|预训练权重", re.IGNORECASE,
    # Japanese: download the model / weights (モデルのダウンロード, 重みのダウンロード), the weights are released (重みを公開
    # しました); Korean: 모델 다운로드, 가중치 다운로드, 가중치를 공개했습니다
    jako=r"(?:モデル|重み|ウェイト|チェックポイント)の?ダウンロード"
    r"|(?:重み|ウェイト|チェックポイント)(?:を|は)[^。\n]{0,120}?(?:公開しました|公開しています|公開されています|で公開)"
    r"|事前学習済みの?(?:重み|チェックポイント)"
    r"|(?:모델|가중치|체크포인트)\s?다운로드"
    r"|(?:가중치|체크포인트)(?:를|을|는|가)\s?(?:[^.\n]|\.(?=\S)){0,120}?(?:공개했|공개하였|공개되었|공개합니다|공개되어)"
    r"|사전\s?학습된\s?(?:가중치|체크포인트)")
# Model-card statements that the models described are released (a separate pattern with rare needles:
# searched only when the common phrases are absent, so it costs little).
CARD_RELEASE = re.compile(r"models? released here|(developed|trained) and released (the )?[^\s.]+( [^\s.]+){0,2} "
                          r"(family|series|models?)\b|\bmodel release date"
                          # "the ASR models (X models) trained and released by Acme"
                          r"|\bmodels?\b[^.\n]{0,40}?\b(?:developed|trained) and released by\b", re.IGNORECASE)
# A release named as a condition or a time, not as a fact ("once models are released, it is impossible to restrict
# access", "if weights are released …"): a remark about releases in general.
CONDITIONAL = re.compile(r"\b(?:once|if|when|whenever|after|before|until|unless)[ \t]+(?:the[ \t]+|such[ \t]+|these[ \t]+|"
                         r"open[ \t]+|AI[ \t]+|[\w-]+[ \t]+)?$", re.IGNORECASE)
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
    , r"(?:权重|模型)(?:暂不|不会|将不|不)(?:开源|公开|发布)|仅(?:通过|提供)\s*API", re.IGNORECASE,
    # (Japanese: 重みは公開していません, API経由でのみ; Korean: 가중치는 공개하지 않습니다, API로만)
    jako=r"(?:重み|モデル)(?:は|を)[^。\n]{0,10}?(?:公開しません|公開していません|公開されていません|非公開)"
    r"|API(?:経由)?(?:で)?のみ|(?:가중치|모델)(?:는|은|를|을)\s?[^.\n]{0,10}?(?:공개하지\s?않|공개되지\s?않|비공개)"
    r"|API(?:로|를\s?통해서?)만")
RELEASED_TEXT_NEEDLES = ('download', 'releas', 'availab', 'open', 'upload', 'trained', 'zoo', 'from_pretrained', '下载',
                         '权重') + jako_needles('ダウンロード', '重み', 'ウェイト', 'チェックポイント', '事前学習済み', '다운로드', '가중치',
                                                '체크포인트', '사전')
NOT_RELEASED_NEEDLES = ('not', 'api', '权重', '模型') + jako_needles('重み', 'モデル', '가중치', '모델')
REMEDIATION = "Upload the final weights (e.g. safetensors) to the repository under an OSI-approved licence."


def run(rec: ModelRecord) -> Finding:
    f = Finding("weights_released", "unknown", COMPONENT, remediation=REMEDIATION)
    # a weight file inside an intermediate checkpoint's folder (checkpoint-500/, step-100/) is the evidence of the
    # intermediate-parameters component, never of the final weights
    files = final_weight_files(rec)
    ev = [file_evidence(rec, files)] if files else []
    if not ev:
        link = own_model_link(rec)
        text = final_release_text(rec, RELEASED_TEXT, RELEASED_TEXT_NEEDLES) \
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


def final_weight_files(rec: ModelRecord, limit: int = 3) -> list[str]:
    """Weight files of the final model: not optimizer or trainer state, and not inside an intermediate
    checkpoint's folder (``checkpoint-1000/``, ``step-100/``, ``global_step500/``). Why: a Trainer run uploaded
    with its checkpoint folders only, or a repository of training checkpoints, shows the intermediate parameters;
    the final weights need evidence of their own."""
    out: list[str] = []
    for p, _ in rec.files:
        if WEIGHT_FILE.search(p) and not NOT_WEIGHT_FILE.search(p) and not CKPT_FILES.search(p):
            out.append(p)
            if len(out) >= limit:
                break
    return out


# A line about intermediate checkpoints (a revision branch ``step1000``, "checkpoints every 1000 steps",
# "intermediate checkpoints are available") that does not also speak of the final model.
_FINAL = re.compile(r"\bfinal\b|最终", re.IGNORECASE)
# A Hub link into a revision branch of a training step ("…/tree/step1000", "?revision=step1000").
INTERMEDIATE_URL = re.compile(r"/(?:tree|resolve|blob)/(?:step|checkpoint|global_step|iter)[-_]?\d+\b"
                              r"|[?&]revision=(?:step|checkpoint|global_step|iter)[-_]?\d+", re.IGNORECASE)


def about_intermediate(line: str) -> bool:
    """Whether a card line speaks of intermediate checkpoints only (:data:`.intermediate_checkpoints.CKPT_TEXT`,
    with no word of the final model)."""
    return bool(CKPT_TEXT.search(line)) and not _FINAL.search(line)


def _line_at(text: str, pos: int) -> str:
    a = text.rfind("\n", 0, pos) + 1
    b = text.find("\n", pos)
    return text[a:b if b >= 0 else len(text)]


def final_release_text(rec: ModelRecord, pattern: re.Pattern[str], needles: tuple[str, ...]) -> Evidence | None:
    """The first release phrase on a line that is not only about intermediate checkpoints ("intermediate
    checkpoints are available every 1000 steps", ``from_pretrained(…, revision="step1000")``). Why: those lines
    are the evidence of the intermediate-parameters component; the final weights need their own."""
    card = rec.card
    if card is None:
        return None
    entry: re.Match[str] | None = None
    for seen, m in enumerate(_matches(card.body, card.lowered_body, pattern, needles)):
        if seen >= MAX_MATCHES:
            break
        if CONDITIONAL.search(card.body, max(0, m.start() - 30), m.start()):
            continue   # "once models are released, …": a remark, not the release
        if not about_intermediate(_line_at(card.body, m.start())):
            if contents_entry(card.body, m.start()):
                entry = entry or m   # a table of contents' entry: the section itself, if it says so, is quoted
                continue
            return mention_evidence(rec, m)
    return mention_evidence(rec, entry) if entry is not None else None


def own_model_link(rec: ModelRecord) -> Evidence | None:
    """The first Hub model link that the card does not attribute to others (:func:`._own_evidence.cited_link`) and
    that is not a base model, declared (:func:`declared_base_ids`) or named so by a sentence of the card
    (:func:`marked_base_ids`). Why: cards link their base model ("based on [Stable
    Diffusion](…)"), models they compare with and lists of references; those are other people's weights. A link
    into an intermediate checkpoint (a ``step1000`` revision, or on a line only about intermediate checkpoints)
    is the intermediate parameters, not the final weights; a link into a document kept in a model repository
    (:func:`document_in_repo`: "[Paper](…/blob/main/technical_details.pdf)") is that document. When the first such
    link is another repository of the Hub and the card also links the release's own (:func:`.._other_release.
    own_repo_id`: a family's model table that lists a sibling, "-Zero" or a smaller size, in the row above the release),
    the release's own link is the evidence: the status is the same, the reader is shown the release's weights."""
    if rec.card is None:
        return None
    places = _own_model_places(rec)
    first = next(places, None)
    if first is None or _repo_id(first.locator) == own_repo_id(rec) or not links_own_repo(rec):
        return first
    # (a family's model table lists a sibling first, "| Heron-R2-Zero | [🤗](…/Heron-R2-Zero) |", then the release)
    return next((p for p in places if _repo_id(p.locator) == own_repo_id(rec)), first)


def _own_model_places(rec: ModelRecord) -> Iterator[Evidence]:
    """:func:`own_model_link`'s candidates in the card's order, as evidence."""
    assert rec.card is not None
    bases = declared_base_ids(rec) | marked_base_ids(rec)
    denied = denied_lines(rec, COMPONENT)   # a link in an item of "## Not released" releases no weights
    for ln in rec.card.links:
        hub = HUB_MODEL_LINK.search(ln.url)
        if hub and (_repo_id(ln.url) in bases or INTERMEDIATE_URL.search(ln.url)):
            continue  # the base model's (or a merged model's) weights, which the card declares as such
        if hub and document_in_repo(ln.url):
            continue  # a document kept in a model repository (a report's PDF, a figure), not its weights
        p = own_place(rec, ln, denied) if hub else None
        if p is not None and about_intermediate(_line_at(rec.card.text, card_index(rec).line_start(p.line))):
            p = next((q for q in occurrences(rec.card, ln) if q.line > p.line and q.line not in denied
                      and not cited_link(rec, q)
                      and not about_intermediate(_line_at(rec.card.text, card_index(rec).line_start(q.line)))), None)
        if p is not None:
            yield Evidence("card", p.url, f"line {p.line}: [{p.text}]({p.url})" if p.text else
                           f"line {p.line}: {p.url}", rec.read_at)


# Words right before a model link that make it the model this release was made from (English): "we fine-tuned [X]",
# "we further fine-tune [X]", "fine-tuned on (top of) [X]", "trained on top of [X]", "continued pre-training of [X]",
# "continual pretraining on [X]", "initialised with [X]", "starting from [X]", "warm-started from [X]". ("based on",
# "built on", "fine-tuned from", "initialised from" and "fine-tuning [X]" already cite: :func:`._own_evidence.cited_link`.)
# Chinese: "以[X]为基座"; "在[X]的基础上" is read after the link.
BASE_BEFORE = either(
    r"(?:\b(?:we|i|they)[ \t]+(?:\w+[ \t]+){0,2}?(?:fine-?tuned?|finetuned?|post-?trained?|"
    r"further[ \t]+(?:pre-?)?trained?|distilled?|adapted?)"
    r"|\b(?:fine-?tuned|finetuned|(?:pre-?)?trained|post-?trained)[ \t]+on[ \t]+top[ \t]+of"
    r"|\b(?:fine-?tuned|finetuned)[ \t]+on"
    r"|\bcontinu(?:ed|e|es|ing|al)[ \t]+(?:pre-?)?train(?:ing|ed)?(?:[ \t]+(?:of|on|from))?"
    r"|\binitiali[sz](?:ed|es|ing)[ \t]+(?:with|by)|\b(?:start(?:s|ed|ing)?|warm-?start(?:s|ed|ing)?)[ \t]+from)"
    r"[ \t]*(?:the[ \t]+)?$",
    r"以[ \t]*$", re.IGNORECASE)
# Words right after a model link that make it the base (the Chinese, Japanese and Korean forms put the marker after the
# name): "[X]-based"; 在[X]的基础上, [X]上微调 / 继续预训练, 以[X]为基座 / 为基础; [X]をベースに, [X]ベースの, [X]を
# ファインチューニング, [X]から継続事前学習; [X]를 기반으로, [X] 기반, [X]를 파인튜닝, [X]에서 추가 학습.
BASE_AFTER = either(
    r"^-based\b",
    r"^[ \t]*(?:的[ \t]*)?基础上|^[ \t]*(?:为|作为)[ \t]*(?:基础|基座|底座|基模|初始)"
    r"|^[ \t]*(?:模型[ \t]*)?上[ \t]*(?:(?:进行了?|做了?)[ \t]*)?(?:全量|指令|全参数?)?(?:微调|继续预训练|增量预训练|持续预训练|二次预训练)",
    0,
    jako=r"^[ \t]*(?:(?:を|の)[ \t]*)?(?:ベース|もと|元|基盤)(?:モデル)?(?:に|と|として|で|の)"
    r"|^[ \t]*を[ \t]*(?:ファインチューニング|微調整|継続事前学習|追加学習)"
    r"|^[ \t]*から[ \t]*(?:ファインチューニング|微調整|継続事前学習|追加学習)"
    r"|^[ \t]*(?:(?:을|를|의)[ \t]*)?(?:기반|바탕)"
    r"|^[ \t]*(?:을|를)[ \t]*(?:파인[ \t]?튜닝|미세[ \t]?조정|추가[ \t]?학습)"
    r"|^[ \t]*에서[ \t]*(?:파인[ \t]?튜닝|미세[ \t]?조정|추가[ \t]?학습)")
BASE_AFTER_NEEDLES = ("based", "基础", "基座", "底座", "基模", "初始", "微调", "预训练", "ベース", "もと", "元", "基盤", "ファイン",
                      "微調整", "学習", "기반", "바탕", "파인", "미세", "추가")
# English words right after a model link that make it the model that was trained further: "[X](…) was fine-tuned on
# our data", "[X](…) is further pre-trained with …", "[X](…) has been instruction-tuned for chat". Not "[X](…) was
# fine-tuned from Y" or "… on top of Y" (X is then the derivative, Y its base), nor a bare "was pretrained on" (a
# model's own pre-training, said of any model the card compares with).
BASE_AFTER_EN = re.compile(
    r"^[*_`]*[ \t]+(?:was|is|were|are|has[ \t]+been|have[ \t]+been)[ \t]+(?:(?:then|first|additionally|subsequently)[ \t]+)?"
    r"(?:fine-?tuned|finetuned|post-?trained|instruction[- ]tuned|further[ \t]+(?:pre-?)?trained"
    r"|continual(?:ly)?[ \t]+pre-?trained|continued[ \t]+to[ \t]+be[ \t]+trained)"
    r"(?![ \t]+(?:from|of|off|on[ \t]+top)\b)(?:[ \t]+(?:on|with|using|for|in|by|to|via)\b|[ \t]*[.,;:]|[ \t]*$)"
    # "[X](…) is the base model" / "[X](…) serves as the base": X is named as the base in so many words
    r"|^[*_`]*[ \t]+(?:is|was|serves[ \t]+as|served[ \t]+as)[ \t]+(?:the|our)[ \t]+base(?:[ \t]+model)?\b",
    re.IGNORECASE)
BASE_AFTER_EN_NEEDLES = ("tuned", "trained", "base")
# Words right before a model link that name it as the base in so many words: "The base model is [X](…)", "Base model:
# [X](…)", "- **Base model:** [X](…)", "built on top of [X](…)"; Chinese "基座模型为 [X](…)", "基础模型：[X](…)".
# Unlike :data:`BASE_BEFORE` these are said of the release's own checkpoint too (a base card's "Base model: [Lynx-7B]"
# under "# Lynx-7B"), so a link to the release itself is not marked (:func:`_own_release`).
BASE_NAMED_BEFORE = either(
    r"\bbase[ \t]+model[ \t]*(?:is|was|[:：])(?:[ \t]+the)?[ \t]*$"
    r"|\bbuilt[ \t]+(?:on[ \t]+top[ \t]+of|upon)(?:[ \t]+the)?[ \t]*$",
    r"(?:基座|基础|底座)模型[ \t]*(?:为|是|采用|选用|[:：])[ \t]*$", re.IGNORECASE)
BASE_NAMED_BEFORE_NEEDLES = ("base", "built", "基座", "基础", "底座")
MAX_MARKED_LINKS = 200
_LINK_THEN_JOINER = re.compile(r"\[[^\[\]\n]{0,300}\]\([^()\s]{1,500}\)[*_`]*[ \t]*(?:,[ \t]*(?:and|or)?|and|or|&|/|、|，|和|及|以及|与"
                               r"|と|や|및|와|과)[ \t]*[*_`]*$", re.IGNORECASE)


def _around(text: str, a: int, b: int) -> tuple[str, str]:
    """The words of the sentence of the link whose URL is ``text[a:b]`` right before the link (after any earlier link
    on the line) and right after it (past the link's closing bracket and emphasis)."""
    start = text.rfind("\n", max(0, a - 2000), a) + 1
    end = text.find("\n", b, b + 200)
    before, after = text[max(start, a - 2000):a], text[b:end if end >= 0 else b + 200]
    if before.endswith("("):
        before = before[:max(0, before.rfind("["))]
    for _ in range(20):   # a list of links after the marker: "trained on top of [A](…) and [B](…)" marks both
        m = _LINK_THEN_JOINER.search(before)
        if m is None:
            break
        before = before[:m.start()]
    if "](" in before:
        before = before[before.rfind("](") + 2:]
        before = before[before.find(")") + 1:] if ")" in before else before
    cut = max(before.rfind(". "), before.rfind("! "), before.rfind("? "), before.rfind("。"))
    before = before[cut + 1:].rstrip("*_ \t")
    after = after.lstrip(")>*_`")
    return before[-NEAR:], after[:40]


# A URL in the card's text, to find every place a model link stands in one pass over the card.
_URL = re.compile(r"https?://[^\s()<>\[\]\"']{1,500}")


def marked_base_ids(rec: ModelRecord) -> set[str]:
    """The ids of Hub (or mirror) model links that a sentence of the card marks as the model this release was made
    from (:data:`BASE_BEFORE`, :data:`BASE_AFTER`; "based on", "built on", "fine-tuned from" are in
    :data:`._own_evidence.CITED` and :data:`._own_evidence.ANOTHER` too), lower-cased.
    Why: a card that declares no ``base_model`` names its base in prose ("We fine-tuned [Qwen2-7B](…) on our data",
    "在[X](…)的基础上继续预训练", "[X](…)をベースに"): that link is the base's weights wherever the card links it, as a
    declared base's is. Every place of the first 200 model links is read, in one pass over the card's URLs (the
    first 2,000)."""
    card = rec.card
    if card is None:
        return set()
    if "marked_base_ids" in rec.cache:
        return rec.cache["marked_base_ids"]
    out: set[str] = set()
    ids = set(list(dict.fromkeys(r for ln in card.links if HUB_MODEL_LINK.search(ln.url) and (r := _repo_id(ln.url))))
              [:MAX_MARKED_LINKS])
    if ids:
        text = card.text
        for seen, m in enumerate(_URL.finditer(text, len(text) - len(card.body))):
            if seen >= 2000:
                break
            rid = _repo_id(m.group())
            if rid not in ids or rid in out:
                continue
            before, after = _around(text, m.start(), m.end())
            named = any(n in before.lower() for n in BASE_NAMED_BEFORE_NEEDLES) and zsearch(BASE_NAMED_BEFORE, before)
            if zsearch(BASE_BEFORE, before) or (after and any(n in after for n in BASE_AFTER_NEEDLES)
                                                and zsearch(BASE_AFTER, after)) \
                    or ((named or (after and any(n in after.lower() for n in BASE_AFTER_EN_NEEDLES)
                                   and BASE_AFTER_EN.match(after)))
                        and not _own_release(rec, rid, text, m.start())):
                out.add(rid)
    rec.cache["marked_base_ids"] = out
    return out


def _own_release(rec: ModelRecord, rid: str, text: str, at: int) -> bool:
    """Whether the model link (lower-cased id ``rid``, its URL at ``text[at]``) is the release itself: its repository
    name or its anchor is the card's title, or the title followed by a size or variant ("# Lynx" over
    "[Lynx-7B](…/acme/Lynx-7B) was fine-tuned on our data"), or the title is the link's id. Why: "[X](…) was
    fine-tuned on our data" names X as the base only when X is another model; said of the release, it tells how the
    release was made. (Read from the card's own words: a probe never looks at the model's name.)"""
    assert rec.card is not None
    title = next((s.title for s in rec.card.sections if s.level == 1), "").strip(" *_`#").lower()
    if not title:
        return False
    open_ = text.rfind("[", max(0, at - 300), at)
    anchor = text[open_ + 1:at].partition("](")[0].strip(" *_`").lower() if open_ >= 0 else ""
    return title == rid or any(n == title or n.startswith((title + "-", title + "_", title + "."))
                               for n in (rid.rpartition("/")[2], anchor) if n)


# A model repository's id in a link to the Hub or to a mirror that names models as the Hub does (ModelScope, WiseModel,
# OpenXLab): a mirror's copy of the base model is the base model, as its Hub page is.
_HUB_REPO = re.compile(r"^https?://(?:huggingface\.co|hf\.co|(?:www\.)?modelscope\.cn/models|(?:www\.)?wisemodel\.cn/models"
                       r"|(?:www\.)?openxlab\.org\.cn/models/detail)/([\w.-]+/[\w.-]+)", re.IGNORECASE)


def _repo_id(url: str) -> str:
    m = _HUB_REPO.match(url)
    return m.group(1).lower() if m else ""


def declared_base_ids(rec: ModelRecord) -> set[str]:
    """The Hub ids the front matter's ``base_model`` names (a string or a list: an adapter's, a quantization's
    or a merge's ingredients), and the models a merge card lists as merged (:func:`merged_model_ids`),
    lower-cased. A value pasted as an address (``hf.co/Org/Name``, ``https://huggingface.co/Org/Name/tree/main``) is
    the id it names, read by :func:`openscope.derive.lineage.edges.declared_id` as lineage reads it (a dataset's or
    a Space's address names no base). Why: a link to one of them is the model this release was made from, never
    this release's own weights, however the card words the line; the links are compared by id, so the declared
    value must be an id too."""
    from openscope.derive.lineage.edges import declared_id

    if rec.card is not None and "declared_base_ids" in rec.cache:
        return rec.cache["declared_base_ids"]
    out: set[str] = set()
    for src in (rec.card_data, rec.card.meta if rec.card is not None else {}):
        raw = src.get("base_model")
        ids = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
        for x in ids:
            rid = declared_id(x.strip()) if isinstance(x, str) and x.strip() else None
            if rid:
                out.add(rid.lower())
    out |= merged_model_ids(rec)
    if rec.card is not None:
        rec.cache["declared_base_ids"] = out
    return out


# The line that opens a merge card's list of the models merged: LazyMergekit's "X is a merge of the following
# models using [LazyMergekit](…):", mergekit's "The following models were included in the merge:".
MERGE_LIST_LEAD = re.compile(r"\bmerge\s+of\s+the\s+following\s+(?:\w+\s+){0,2}?models\b"
                             r"|\bfollowing\s+models\s+were\s+(?:included\s+in|used\s+(?:in|for))\s+the\s+merge\b"
                             r"|\bmerged?\s+(?:from|with)\s+the\s+following\s+models\b"
                             # mergekit's heading "### Models Merged" straight over its list
                             r"|^[ \t]{0,3}#{1,6}[ \t]+[*_]{0,2}models[ \t]+merged[*_:]{0,3}[ \t]*$", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^\s{0,6}(?:[-*+]|\d+[.)])\s+(.*)$")
_ID = r"[A-Za-z0-9][\w.-]{0,95}/[\w.-]{0,95}[A-Za-z0-9_]"
_ITEM_ID = re.compile(rf"^\W{{0,3}}({_ID})(?![\w/-])")
# A mergekit configuration's model keys: "- model: org/name", "base_model: org/name" (a YAML block holding
# ``merge_method:``), one per line.
_CONFIG_MODEL = re.compile(rf"^[ \t-]*(?:base_)?model[ \t]*:[ \t]*[\"']?({_ID})[\"']?[ \t]*(?:#.*)?$", re.MULTILINE)


def _occurrences(text: str, needle: str, limit: int = 100_000) -> list[int]:
    """Where ``needle`` occurs in ``text`` (at most ``limit`` times)."""
    out: list[int] = []
    i = text.find(needle)
    while i >= 0 and len(out) < limit:
        out.append(i)
        i = text.find(needle, i + 1)
    return out


def merged_model_ids(rec: ModelRecord) -> set[str]:
    """The Hub ids a merge card names as the models it merged, lower-cased: the list after "a merge of the
    following models (using LazyMergekit):" (each item's link or id), and the ``model:``/``base_model:`` keys of
    a mergekit configuration (a fenced block holding ``merge_method:``). Why: those models are the merge's
    bases, each published by someone else; when the front matter has no ``base_model`` (LazyMergekit's cards
    often have none), their links are still not this release's own weights."""
    card = rec.card
    if card is None:
        return set()
    low = card.lowered_body
    out: set[str] = set()
    leads = sorted(i for n in ("following", "models merged") for i in _occurrences(low, n)) if "merge" in low else []
    done = -1
    for at in leads:
        if at <= done:
            continue   # a line already looked at
        a, b = card.body.rfind("\n", 0, at) + 1, card.body.find("\n", at)
        b = len(card.body) if b < 0 else b
        done = b
        if not MERGE_LIST_LEAD.search(card.body[a:b]):
            continue
        listed = 0
        for item in card.body[b + 1:b + 20_000].split("\n")[:200]:
            if not item.strip():
                if listed:
                    break   # the list ended
                continue    # blank lines between the lead and its list
            m = _LIST_ITEM.match(item)
            if m is None:
                break
            listed += 1
            out.update(_repo_id(u) for u in re.findall(r"https?://\S+?(?=[)\s\]]|$)", m.group(1)) if _repo_id(u))
            bare = _ITEM_ID.match(m.group(1))
            if bare:
                out.add(bare.group(1).lower())
    if "merge_method" in low:
        for a, b in code_spans(rec):
            block = card.text[a:b]
            if "merge_method" in block:
                out.update(x.lower() for x in _CONFIG_MODEL.findall(block))
    return out
