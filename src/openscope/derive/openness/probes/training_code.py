"""Is the code used to train the model released?"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from openscope.derive.openness.probes import (
    Evidence,
    Finding,
    card_search,
    either,
    fast_search,
    file_evidence,
    files_matching,
    for_text,
    jako_needles,
    library_evidence,
    linked_code_license,
    matches_from,
    repo_license,
    repo_link,
)
from openscope.derive.openness.probes._own_evidence import (
    cited_link,
    first_own_mention,
    first_undenied,
    in_code,
    link_evidence,
    own_code_repository,
    publishers_repository,
    released_phrase,
    with_denial,
)
from openscope.derive.openness.probes._own_paper import occurrences
from openscope.derive.openness.probes._siblings import (
    better_command,
    command_evidence,
    command_rank,
    own_rank,
)
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Training code"
# a script's name may write "fine-tune" with a hyphen (``fine-tune.py``, ``fine-tune.sh``): the same script, and a card
# that runs ``deepspeed … fine-tune.py`` shows its training code, not a mention of it
TRAIN_FILES = re.compile(r"(^|/)(train|finetune|fine_tune|fine-tune|pretrain|sft|dpo|run_clm|run_train)[\w-]*\.(py|sh)$",
                         re.IGNORECASE)
TRAIN_COMMAND = re.compile(
    r"(python3?|torchrun|deepspeed|accelerate launch|bash|sh|srun)\s[^\n]{0,80}"
    r"(train|finetune|fine_tune|fine-tune|pretrain|sft|dpo)[\w-]*\.(py|sh)", re.IGNORECASE)
TRAIN_TEXT = either(
    r"\b(training|train|pre-?training|fine-?tuning|finetune|distillation|sft|rlhf|dpo) (code|scripts?|recipes?|pipeline)\b"
    # the code of two stages named together: "the training and inference code", "training & evaluation scripts"
    r"|\b(?:training|pre-?training|fine-?tuning) (?:and|&) (?:inference|evaluation|serving) (?:code|scripts?)\b"
    # German, French, Spanish, Italian, Portuguese: "Trainingscode", "Trainingsskripte", "code d'entraînement",
    # "scripts d'apprentissage", "código de entrenamiento", "codice di addestramento", "código de treino"
    r"|\b(?:Trainings-?code|Trainings-?skript\w{0,4}|Feinabstimmungs-?code)\b"
    r"|\b(?:code|scripts?) d['’](?:entraînement|entrainement|apprentissage|affinage)\b"
    r"|\b(?:código|scripts?) de (?:entrenamiento|ajuste fino|treino|treinamento)\b"
    r"|\b(?:codice|script) di (?:addestramento|allenamento)\b"
    # Chinese: 训练代码, 微调代码, 预训练代码, 训练脚本, 精调脚本, SFT 代码
    , r"(?:训练|微调|精调|(?<![A-Za-z])(?:SFT|RLHF|DPO) ?)(?:源?代码|源码|脚本)",
    re.IGNORECASE,
    # Japanese: 学習コード, 事前学習用スクリプト, ファインチューニングのコード; Korean: 학습 코드, 파인튜닝 스크립트
    jako=r"(?:事前学習|学習|訓練|ファインチューニング|微調整|(?<![A-Za-z])(?:SFT|RLHF|DPO) ?)(?:用)?の?(?:コード|スクリプト)"
    r"|(?:사전\s?학습|학습|훈련|파인\s?튜닝|미세\s?조정|(?<![A-Za-z])(?:SFT|RLHF|DPO))\s?(?:코드|스크립트)")
# Russian ("код обучения", "скрипты дообучения", "код для обучения"): a pattern of its own, searched only in a card
# that holds one of its words (in TRAIN_TEXT it kept that pattern's fast paths from every other card: 0.41 → 0.90 ms)
TRAIN_TEXT_RU = re.compile(r"\b(?:код|скрипты?)\s+(?:для\s+)?(?:обучения|дообучения|тренировки)\b", re.IGNORECASE)
TRAIN_TEXT_RU_NEEDLES = ("обучения", "тренировки")
NOT_YET = either(
    r"\b(training|fine-?tuning) (code|scripts?)\b[^.\n]{0,60}\b(will be|to be|coming soon|not (be )?(released|"
    r"available|open))"
    , r"(?:训练|微调)(?:源?代码|源码|脚本)[^。\n]{0,30}?(?:即将|将会|将于|后续|敬请期待|尚未|暂未|暂不|不开源)", re.IGNORECASE,
    jako=r"(?:学習|訓練|ファインチューニング)(?:用)?の?(?:コード|スクリプト)[^。\n]{0,120}?(?:公開予定|近日公開|今後|準備中"
    r"|未公開|非公開|公開していません|公開されていません)"
    r"|(?:학습|훈련|파인\s?튜닝)\s?(?:코드|스크립트)(?:[^.\n]|\.(?=\S)){0,120}?(?:공개\s?예정|공개될\s?예정|추후|향후|준비\s?중|비공개|미공개"
    r"|공개하지\s?않|공개되지\s?않)")
TRAIN_COMMAND_NEEDLES = ('train', 'finetune', 'fine_tune', 'fine-tun', 'finetun', 'sft', 'dpo')
TRAIN_TEXT_NEEDLES = ('train', 'fine-tun', 'finetun', 'distillation', 'sft', 'rlhf', 'dpo', 'feinabstimmung', 'entraînement',
                      'entrainement', 'apprentissage', 'affinage', 'entrenamiento', 'ajuste fino', 'treino', 'treinamento',
                      'addestramento', 'allenamento', '训练', '微调', '精调') + jako_needles(
    '学習', '訓練', 'ファインチューニング', '微調整', '학습', '훈련', '파인', '미세')
NOT_YET_NEEDLES = ('training', 'tuning', '训练', '微调') + jako_needles('学習', '訓練', 'ファインチューニング', '학습', '훈련', '파인')
# the card announces its own training code as released ("Training / Fine-tuning code is available NOW")
# (Chinese: "we open-source the fine-tuning code" 开源了微调代码, "the training code is released" 训练代码已开源)
TRAIN_RELEASED = either(
    released_phrase(r"training|train|fine-?tuning|finetuning|pre-?training|sft|rlhf|dpo|alignment").pattern,
    r"(?:开源|发布|公开|提供)了?[^。\n，]{0,24}?(?:训练|微调|精调)(?:源?代码|源码|脚本)"
      r"|(?:训练|微调|精调)(?:源?代码|源码|脚本)(?:已|现已|已经)(?:全部)?(?:开源|发布|公开|上线)", re.IGNORECASE,
    # (Japanese: "学習コードは…で公開しています", "学習コードを公開しました"; Korean: "학습 코드는 …에서 공개되어 있습니다",
    # "학습 코드를 공개했습니다")
    jako=r"(?:事前学習|学習|訓練|ファインチューニング|微調整)(?:用)?の?(?:コード|スクリプト)(?:は|を|も)[^。\n]{0,120}?"
    r"(?:公開しました|公開しています|公開されています|で公開|リリースしました)"
    r"|(?:사전\s?학습|학습|훈련|파인\s?튜닝|미세\s?조정)\s?(?:코드|스크립트)(?:는|를|을|도|가)\s?(?:[^.\n]|\.(?=\S)){0,120}?"
    r"(?:공개했|공개하였|공개되었|공개되어|공개합니다|에서\s?공개)")
# a release said to be open-sourced with a list that names its training code ("a fully open-sourced model that
# includes the pretraining data, …, pretraining scripts, and alignment code"); within one sentence
LISTED_RELEASE = re.compile(
    r"\bopen[- ]?sourced?\b[^.\n]{0,200}?\b(?:includ(?:e|es|ing)|along\s+with|together\s+with)\b[^.\n]{0,300}?"
    r"\b(?:pre-?training|training|fine-?tuning|alignment|sft|rlhf)\s+(?:code|scripts?|recipes?)\b", re.IGNORECASE)
# a linked file or folder beside the card (the card's own repository)
TRAIN_REL = re.compile(r"(^|[/_\s-])(train|training|trainer|finetun\w*|fine-tun\w*|pretrain\w*|sft)\b", re.IGNORECASE)
# a model-card field naming what trained the model, linked to a code host ("- **Orchestration:**
# [Megatron-LM](https://github.com/…)", "Training code: https://gitlab.com/…"); a bare "Repository:" is
# not enough (quantised copies point it at their runtime)
# A table row labelled so ("| Training code | [org/repo](https://github.com/…) |") and the field in the languages
# TRAIN_TEXT reads ("- Código de treinamento: [org/repo](…)", "Код обучения: …") are the same field.
TRAIN_FIELD = re.compile(
    r"^[ \t]*+(?:\|[ \t]*+)?[-*]?[ \t]*+\**+(orchestration|training (code|framework|library|repository|repo|scripts?)"
    r"|código de (?:treinamento|treino|entrenamiento)|codice di addestramento|code d['’]entra[îi]nement|trainings-?code"
    r"|код (?:для )?обучения|mã (?:nguồn )?huấn luyện|训练代码)\**[ \t]*(?::|：|\|)"
    r"[^\n]*?https?://(www\.)?(github\.com|gitlab\.com|bitbucket\.org|codeberg\.org|gitee\.com)/",
    re.IGNORECASE | re.MULTILINE)
TRAIN_FIELD_NEEDLES = ('github', 'gitlab', 'bitbucket', 'codeberg', 'gitee')
# A shell command continued over several lines, each ending with a backslash ("accelerate launch \\" over
# "    --num_processes 64 \\" over "    open_instruct/finetune.py \\"): the shell runs one command, and the script it
# runs may stand lines below the launcher, past what :data:`TRAIN_COMMAND` reads on one line. Read in a code block
# only (a backslash at a prose line's end is Markdown's hard break, not a continuation).
_CONTINUED = re.compile(r"\\\r?\n")
_LAUNCHER = re.compile(r"(?<![\w-])(?:python3?|torchrun|deepspeed|accelerate[ \t]{1,3}launch|bash|sh|srun)[ \t]",
                       re.IGNORECASE)
_TRAIN_SCRIPT = re.compile(r"(?:train|finetune|fine_tune|fine-tune|pretrain|sft|dpo)[\w-]{0,100}\.(?:py|sh)(?![\w])",
                           re.IGNORECASE)
MAX_CONTINUED = 200   # commands continued over lines read at most, in a card
_SCRIPT_WORDS = ("train", "finetune", "fine_tune", "fine-tune", "sft", "dpo")
# A library's own training script named as what trained the release: "the diffusers example script", "the toolkit's
# [example script](https://github.com/NVIDIA/NeMo/blob/main/examples/…)", "the jsut recipe in [espnet](…)"; read in a
# sentence that says the model was trained with it (:func:`library_script`).
_EXAMPLE_CUE = re.compile(r"\bexamples?[ \t]+(?:training[ \t]+|fine-?tuning[ \t]+)?(?:scripts?|recipes?|code)\b"
                          r"|\brecipes?[ \t]+(?:in|from|of)\b|['’]s[ \t]+(?:example[ \t]+)?recipes?\b"
                          r"|\]\(https?://[^()\s]{1,200}?/(?:examples|egs2?|recipes)/", re.IGNORECASE)
# the sentence says this release was trained so ("was trained by …", "we trained it with", "Trained with …"), not that a
# reader can train with it ("you can refer to the [training code](…/examples/…) and train your own models")
_TRAINED = re.compile(r"\b(?:was|were|been|is|are)[ \t]+(?:\w+[ \t]+)?(?:trained|fine-?tuned|pre-?trained)\b"
                      r"|\b(?:we|i)[ \t]+(?:\w+[ \t]+)?(?:trained|fine-?tuned|pre-?trained)\b|^\W*(?:trained|fine-?tuned)\b",
                      re.IGNORECASE)
_SENTENCE_STOP = re.compile(r"[.!?](?=\s)|\n\s*\n|\n(?=\s*(?:[-*+|#]|```))")
_OWN_SCRIPT = re.compile(r"\b(?:our|my)[ \t]+(?:own[ \t]+)?(?:[\w-]+[ \t]+)?(?:examples?|recipes?|scripts?)\b")
MAX_EXAMPLE_CUES = 20   # cue places read per card
_CUE_WORDS = ("example", "recipe", "/egs")


def library_script(rec: ModelRecord) -> tuple[Evidence, Any] | None:
    """(the sentence, the library) where the card says a listed library's own example script or recipe trained the
    release: the sentence names a library of ``libraries.yml`` (its name as a word, or a link into its repository)
    beside an example-script or recipe cue and a training word. Why: "trained with the diffusers example script" over
    ``accelerate launch train_dreambooth_lora_sdxl.py`` shows public training code that is the library's, under the
    library's licence (cited), not the model repository's (the card's OpenRAIL was put on Apache-2.0 code), and a
    NeMo card linking the toolkit's example script showed no training code at all. A command alone says nothing of
    whose script it runs, so it keeps the repository's licence. Cheap: read only on a card holding "example",
    "recipe" or "/egs" (``str`` searches), the cue searched only around those words, and a sentence read only around
    a cue."""
    from openscope.derive.openness import libraries

    card = rec.card
    if card is None:
        return None
    low = card.lowered_body
    if "example" not in low and "recipe" not in low and "/egs" not in low:
        return None
    body, off = card.body, len(card.text) - len(card.body)
    libs = libraries.all_libraries()
    # the cue is looked for only around the places its words stand (``str.find``): searched over the whole card, the
    # pattern was tried at every character, about 0.7 ms a development card (most hold "for example")
    places: list[int] = []
    for word in _CUE_WORDS:
        at = low.find(word)
        while at >= 0 and len(places) < 4 * MAX_EXAMPLE_CUES:
            places.append(at)
            at = low.find(word, at + 1)
    seen = -1
    for at in sorted(places)[:MAX_EXAMPLE_CUES]:
        m = _EXAMPLE_CUE.search(body, max(seen + 1, at - 220), min(len(body), at + 40))
        if m is None:
            continue
        seen = m.end()
        stops = list(_SENTENCE_STOP.finditer(body, max(0, m.start() - 300), m.start()))
        a = stops[-1].end() if stops else max(0, m.start() - 300)
        end = _SENTENCE_STOP.search(body, m.end())
        b = min(end.start() + 1 if end else len(body), m.end() + 300)
        sentence = body[a:b].lower()
        if not _TRAINED.search(sentence) or _OWN_SCRIPT.search(sentence) or in_code(rec, off + m.start()):
            continue
        for lib in libs:
            repo = lib.url.lower().split("/blob/", 1)[0].split("/tree/", 1)[0]
            if re.search(rf"(?<![\w.-]){re.escape(lib.name.lower())}(?![\w-])", sentence) or f"({repo}/" in sentence \
                    or f"({repo})" in sentence:
                a += len(body[a:b]) - len(body[a:b].lstrip())
                anchor, snip = card.span(off + a, off + b, 200, before=0, stop=off + b)
                return Evidence("card", f"{rec.card_locator}{anchor}", snip.strip(), rec.read_at), lib
    return None


REMEDIATION = "Publish the training scripts and configuration (a public repository) under an OSI-approved licence."
# a training script's file on a code host (".../blob/main/train_lora.py", ".../tree/main/scripts/finetune.sh")
SCRIPT_URL = re.compile(r"^https?://(?:www\.)?(?:github\.com|gitlab\.com|bitbucket\.org|codeberg\.org|gitee\.com)/[\w.-]+/"
                        r"[\w.-]+/(?:-/)?(?:blob|tree|raw|src)/[^?#\s]*/(?:train|finetune|fine_tune|fine-tune|pretrain|sft|dpo)"
                        r"[\w-]*\.(?:py|sh)(?:[?#].*)?$", re.IGNORECASE)
# the sentence says the model was trained with it ("trained … with our script [train_lora.py](…)")
_TRAINED_WITH = re.compile(r"\b(?:trained|fine-?tuned|pre-?trained|we\s+train(?:ed)?)\b", re.IGNORECASE)


def _linked_lines(card: Any, url: re.Pattern[str]) -> Iterator[tuple[Any, str]]:
    """Each place a link whose address matches ``url`` is written in the card, with the whole line it stands on (empty
    when the place's line is out of range). Why: the script, fork and code readings each judge a link by the words of
    its own line, and must meet every occurrence of it, in the card's order."""
    lines = card.lines()
    for ln in card.links:
        if not url.match(ln.url):
            continue
        for place in occurrences(card, ln):
            yield place, lines[place.line - 1] if 0 < place.line <= len(lines) else ""


def script_link(rec: ModelRecord) -> Evidence | None:
    """A link to a training script's file on a code host (:data:`SCRIPT_URL`) in a sentence that says the model was
    trained, where the card does not cite it, hide it, promise it or deny it (:func:`._own_evidence.cited_link`).
    Why: "trained for three epochs … with our script [train_lora.py](https://github.com/…/train_lora.py)" links the
    very code that trained the model, public at that address, and was graded as no training code (the card names no
    "training code" in words). Its licence is the linked repository's, which the link does not show (``no_license``);
    a listed library's script is read by :func:`library_script` first. Cheap: only links whose address names a
    script are read."""
    card = rec.card
    if card is None:
        return None
    for place, line in _linked_lines(card, SCRIPT_URL):
        if _TRAINED_WITH.search(line) and not cited_link(rec, place):
            return link_evidence(rec, place, "script")
    return None


# a repository on a code host, or a branch of one ("https://github.com/org/mmdetection/tree/kestrel")
REPO_URL = re.compile(r"^https?://(?:www\.)?(?:github\.com|gitlab\.com|bitbucket\.org|codeberg\.org|gitee\.com)/[\w.-]+/"
                      r"[\w.-]+/?(?:(?:-/)?tree/[^?#\s]+)?(?:[?#].*)?$", re.IGNORECASE)
# the sentence calls the linked repository a fork or a branch ("our fork of MMDetection, branch `kestrel`")
_FORK = re.compile(r"\bfork(?:ed)?\b|\bbranch\b", re.IGNORECASE)


def fork_link(rec: ModelRecord) -> Evidence | None:
    """A link to a code repository, or a branch of one, in a sentence that says the model was trained with it and
    calls it a fork or a branch ("We trained kestrel-det-l with our fork of MMDetection, branch `kestrel`:
    [kestrel-vision/mmdetection](…/tree/kestrel)"), not cited, hidden, promised or denied. Why: a framework's fork
    holding the run's changes is the training code, public at that address, under the fork's licence (which the
    link does not show: ``no_license``); the card names no "training code" in words, so nothing was found. A
    framework linked as used ("trained with [MMDetection](…)") stays a citation. Cheap: read only on a card holding
    "fork" or "branch"."""
    card = rec.card
    if card is None or ("fork" not in card.lowered_body and "branch" not in card.lowered_body):
        return None
    for place, line in _linked_lines(card, REPO_URL):
        if _TRAINED_WITH.search(line) and _FORK.search(line) and not cited_link(rec, place):
            return link_evidence(rec, place, "fork")
    return None


# the words right before a link that call it the code ("; the code is [repo](…)", "our code: [repo](…)")
_THE_CODE = re.compile(r"\b(?:the|our|its)[ \t]+(?:full[ \t]+|source[ \t]+)?code(?:[ \t]+(?:is|lives|sits)"
                       r"(?:[ \t]+(?:at|in|on|here))?)?[ \t]*:?[ \t]*\[?$", re.IGNORECASE)


def code_link(rec: ModelRecord) -> Evidence | None:
    """A link to a code repository that the words right before it call the code (:data:`_THE_CODE`), in a sentence
    that says, before the link, that the model was trained ("We trained sparrow-350m from scratch; the code is
    [sparrow-lab/sparrow-train](…)"), not cited, hidden, promised or denied. Why: the only code such a sentence speaks
    of is the code that trained the model; the card names no "training code" in words, so nothing was found. Its
    licence is the linked repository's, which the link does not show (``no_license``). Cheap: read only on a card
    holding " code", and only when nothing else shows the code."""
    card = rec.card
    if card is None or " code" not in card.lowered_body:
        return None
    for place, line in _linked_lines(card, REPO_URL):
        at = line.find(place.url)
        before = line[:max(0, line.rfind("[", 0, at) if at > 0 and line[at - 2:at] == "](" else at)]
        sentence = before[max(before.rfind(". "), before.rfind("! "), before.rfind("? ")) + 1:]
        if _THE_CODE.search(sentence) and _TRAINED_WITH.search(sentence) and not cited_link(rec, place):
            return link_evidence(rec, place, "code")
    return None


def run(rec: ModelRecord) -> Finding:
    f = Finding("training_code", "unknown", COMPONENT, remediation=REMEDIATION)
    files = files_matching(rec, TRAIN_FILES)
    card = rec.card
    first = fast_search(card.body, card.lowered_body, TRAIN_COMMAND, TRAIN_COMMAND_NEEDLES) if card is not None else None
    cmd = command_evidence(rec, first) if first is not None else None   # (quoted as card_search quotes it)
    if first is not None and card is not None:
        # a README's command for another model ("bash finetune_<other>-7b.sh") gives way to the release's own
        later = better_command(rec, matches_from(card.body, for_text(TRAIN_COMMAND, card.body), first))
        cmd = command_evidence(rec, later) if later is not None else cmd
    if cmd is None:
        cmd = continued_command(rec)
    # a mention counts only where the card shows it as its own (not hidden, cited or only promised) and a
    # repository only where the card presents it as its own code (:mod:`._own_evidence`)
    text, promised = first_own_mention(rec, TRAIN_TEXT, needles=TRAIN_TEXT_NEEDLES, component=COMPONENT)
    if text is None and promised is None and card is not None and not card.body.isascii() \
            and any(n in card.lowered_body for n in TRAIN_TEXT_RU_NEEDLES):
        text, promised = first_own_mention(rec, TRAIN_TEXT_RU, needles=TRAIN_TEXT_RU_NEEDLES, component=COMPONENT)
    not_yet = card_search(rec, NOT_YET, needles=NOT_YET_NEEDLES) or promised
    released = (first_own_mention(rec, TRAIN_RELEASED, needles=TRAIN_TEXT_NEEDLES, component=COMPONENT)[0]
                or first_own_mention(rec, LISTED_RELEASE, needles=("open",), component=COMPONENT)[0]) if text else None
    rel = repo_link(rec, TRAIN_REL)
    field, denied_field = first_undenied(rec, TRAIN_FIELD, TRAIN_FIELD_NEEDLES, COMPONENT)
    shown = bool(files or cmd or field or released or (rel and not not_yet))
    # the card's own code repository is read only when the finding uses it: as the evidence beside what releases the
    # code, or to tell whether a mention of training code releases it (judging every code link of a card is one of
    # its dearest readings, and most cards need neither)
    repo = own_code_repository(rec, component=COMPONENT) if shown or (text and not not_yet) else None
    if repo is None and text and not not_yet and not shown:
        repo = publishers_repository(rec, text)   # the mention's sentence links the publisher's own repository
    if not (files or field or rel or released) and (lib_script := library_script(rec)) is not None:
        # the library's own script trained it: public code under the library's licence, cited (not the release's)
        said, lib = lib_script
        f.status, f.license = released_status(lib.license)
        f.outcome = "positive"
        f.evidence = [e for e in (said, cmd) if e] + [library_evidence(rec, lib)]
        return f
    if not (shown or (text and repo and not not_yet)) and (script := script_link(rec) or fork_link(rec) or code_link(rec)) is not None:
        f.status, f.license = released_status(linked_code_license(rec, (script,)))
        f.outcome, f.evidence = "positive", [script]
        return f
    if shown or (text and repo and not not_yet):
        linked_only = not (files or cmd or rel) and bool(field or repo)   # the code is another repository's
        f.status, f.license = released_status(linked_code_license(rec, (field, repo)) if linked_only
                                               else repo_license(rec, "code"))
        f.outcome = "positive"
        f.evidence = [file_evidence(rec, files)] if files else [e for e in (cmd or field or rel or released or text, repo) if e]
        return f
    if said := not_yet or text or denied_field:
        # a mention the card denies ("## Not released" › "- training code: …") names the denial beside it
        f.status, f.outcome, f.evidence = "documented_not_released", "negative", with_denial(rec, said, COMPONENT)
    elif rec.card is not None or rec.files:
        f.outcome = "negative"
    return f


def continued_command(rec: ModelRecord) -> Evidence | None:
    """A training command written over several lines joined by a trailing backslash, in a code block: a launcher
    (:data:`_LAUNCHER`) and, on a later line of the same command, a training script (:data:`_TRAIN_SCRIPT`). Why: a
    reproduction guide's ``accelerate launch \\`` runs ``open_instruct/finetune.py`` eight lines below, and the
    card was graded as showing no training code. As for one-line commands, a command naming only another model
    (:func:`._siblings.command_rank`) gives way to one naming the release, else to one naming no model.
    Cheap: only the commands continued over lines are read (a card with no backslash at a line's end, or no word of
    a training script, not at all)."""
    card = rec.card
    if card is None:
        return None
    body, lowered = card.body, card.lowered_body
    if "\\\n" not in body and "\\\r\n" not in body or not any(n in lowered for n in _SCRIPT_WORDS):
        return None
    off = len(card.text) - len(body)
    own = own_rank(rec)   # the runs of the card's own id (the release's name)
    found: list[tuple[int, int, int]] = []
    pos = 0
    for _ in range(MAX_CONTINUED):
        c = _CONTINUED.search(body, pos)
        if c is None:
            break
        start = body.rfind("\n", 0, c.start()) + 1
        end = c.end()
        while (nl := body.find("\n", end)) >= 0 and body[max(end, nl - 2):nl].rstrip("\r").endswith("\\"):
            end = nl + 1   # the next line is continued too
        end = len(body) if nl < 0 else nl
        pos = end
        command = _CONTINUED.sub(lambda m: " " * len(m.group()), body[start:end])   # one line, offsets kept
        launcher = _LAUNCHER.search(command)
        if launcher is None or "\n" not in body[start + launcher.end():end] or not in_code(rec, off + start):
            continue   # a one-line command is TRAIN_COMMAND's; prose is not a command
        script = _TRAIN_SCRIPT.search(command, launcher.end())
        if script is None:
            continue
        rank = command_rank(command, own)
        found.append((rank, start + launcher.start(), start + script.end()))
        if rank == 0:
            break
    if not found:
        return None
    _, a, b = min(found)   # the release's own command, else the first naming no model, else the first
    anchor, snip = card.span(off + a, off + b)
    return Evidence("card", f"{rec.card_locator}{anchor}", snip, rec.read_at)
