"""Are the training datasets released? Declared datasets (tags, card) checked against dataset records."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from itertools import islice
from typing import Any, Protocol

from openscope.derive.openness.cards import Card, Link
from openscope.derive.openness.evaluations.mof import Hosted
from openscope.derive.openness.probes import (
    Evidence,
    Finding,
    bounded_needles,
    card_may_match,
    file_evidence,
    hub_evidence,
    kana_or_hangul,
    may_search,
    repo_license,
    required_needles,
    section_with,
)
from openscope.derive.openness.probes._own_evidence import (
    MAX_MATCHES,
    card_index,
    cited_link,
    citing_section,
    code_spans,
    first_own_mention,
    in_code,
    mention_evidence,
    own_mentions,
)
from openscope.derive.openness.probes._own_paper import _first_line, after_link, occurrences
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Datasets"
# Dataset hosts: the Hub, Kaggle, Zenodo, ModelScope, OpenDataLab, and the Chinese mirrors that host datasets as they
# host weights (OpenXLab, WiseModel), the research data repositories (Figshare, Dataverse), and biology's public
# sequence and structure databases (UniProt, EMBL-EBI, the PDB), whose releases a protein model's card names as its data.
DATA_LINK = re.compile(
    r"^https?://(huggingface\.co/datasets/|hf\.co/datasets/|(www\.)?kaggle\.com/datasets/|zenodo\.org/record"
    r"|(www\.)?modelscope\.cn/datasets/|opendatalab\.|commoncrawl\.org|data\.together\.xyz|laion\.ai"
    r"|(www\.)?openxlab\.org\.cn/datasets/|(www\.)?wisemodel\.cn/datasets/|(www\.)?figshare\.com/articles/dataset/"
    r"|[\w.-]*dataverse[\w.-]*/dataset|(www\.|ftp\.|rest\.)?uniprot\.org/|(www\.|ftp\.)ebi\.ac\.uk/|(www\.)?rcsb\.org/|(www\.|us\.|openslr\.)?openslr\.org/)",
    re.IGNORECASE)
DATA_SECTION = re.compile(r"(training|pre-?training|fine-?tuning|instruction)[- ]?(data|dataset|corpus|set)|^data(sets?)?$"
                          r"|data(set)? (sources?|composition|details)"
                          # Chinese: 训练数据, 预训练数据, 微调数据, 指令数据, 数据集, 语料, 数据来源, 数据构成
                          r"|(?:预训练|训练|微调|指令)(?:数据|语料)|^数据集?$|数据集|语料|数据(?:来源|构成|组成|配比)"
                          # Japanese: 学習データ, 訓練データ, 事前学習データ, 指示データ, データセット, コーパス; Korean:
                          # 학습 데이터, 훈련 데이터, 사전 학습 데이터, 데이터셋, 말뭉치
                          # (a title that is only "dataset"; "評価データセット" / "평가 데이터셋" is an evaluation set)
                          r"|(?:事前学習|学習|訓練|ファインチューニング|指示)(?:用)?の?(?:データ|コーパス)"
                          # Spanish, Portuguese, Italian, French, German, Vietnamese, Arabic: the training data
                          r"|datos de (?:entrenamiento|preentrenamiento)|dados de (?:treinamento|treino)"
                          r"|dati di (?:addestramento|training)|donn[ée]es d['’](?:entra[îi]nement|apprentissage)"
                          r"|trainingsdaten|dữ liệu (?:huấn luyện|tiền huấn luyện)|بيانات (?:ال)?تدريب"
                          # Russian, Hindi: данные для обучения, обучающие данные; प्रशिक्षण डेटा
                          r"|данные (?:для )?(?:обучения|предобучения)|обучающие данные|प्रशिक्षण डेटा"
                          r"|^(?:データ|データセット|コーパス)$|データの?(?:出典|構成)"
                          r"|(?:사전\s?학습|학습|훈련|파인\s?튜닝|지시)\s?(?:데이터|코퍼스|말뭉치)"
                          r"|^(?:데이터|데이터\s?셋|데이터\s?세트|말뭉치)$|데이터\s?(?:출처|구성)", re.IGNORECASE)
# A file that is an image, a video or a badge: an asset some repository hosts, not a dataset.
ASSET = re.compile(r"\.(png|jpe?g|gif|svg|webp|mp4|webm|mov)(\?|#|$)|img\.shields\.io|/badges?/", re.IGNORECASE)
# A dataset linked as a benchmark or evaluation set is not training data.
# (Japanese and Korean: 評価, ベンチマーク, テストセット, リーダーボード; 평가, 벤치마크, 테스트 세트, 리더보드)
EVAL_CONTEXT = re.compile(r"benchmark|\bbench\b|[-_]bench\b|bench[-_]|evaluat|\beval|\btest(ed|ing|[- ]?sets?)?\b"
                          r"|leaderboard|評価|ベンチマーク|テストセット|リーダーボード|평가|벤치마크|테스트\s?세트|리더보드",
                          re.IGNORECASE)
# Data a card offers to demonstrate its fine-tuning script ("this sample data was drawn from [X]") is the
# reader's example, not what the model was trained on.
DEMO_CONTEXT = re.compile(r"\b(?:sample|example|demo|toy|dummy)\s+(?:data|dataset)\b|\bto\s+demonstrate\b|"
                          r"\bfor\s+demonstration\b", re.IGNORECASE)
# Data a quantizer calibrates with (GPTQ's "GPTQ Dataset" column, llama.cpp's imatrix, AWQ's calibration set)
# is not what the model was trained on: a dataset linked on a line, or in a section, about quantization.
CALIBRATION_CONTEXT = re.compile(r"calibrat|\bimatrix\b|importance\s+matri|quanti[sz]", re.IGNORECASE)
QUANT_SECTION = re.compile(r"quanti[sz]|\bGPTQ\b|\bAWQ\b|\bGGUF\b|\bEXL2\b|imatrix|provided\s+files", re.IGNORECASE)
# A site's home page (https://laion.ai, https://commoncrawl.org/) names an organisation, not a dataset; a public
# database's home page (UniProt, the PDB, EMBL-EBI's) is the database itself.
HOME_PAGE = re.compile(r"^https?://(?!(?:www\.)?(?:uniprot\.org|rcsb\.org|ebi\.ac\.uk)/?$)[^/]+/?$", re.IGNORECASE)
# A dataset on its authors' own site: an address outside the known hosts whose host or path names a dataset or a
# corpus ("https://keithito.com/LJ-Speech-Dataset/", "https://www.cityscapes-dataset.com/"), not a code host, a paper
# host or a model's page. Read only where no known host's link was found, and only on a line that says the model was
# trained on it or labels it as the data (:data:`DATA_FIELD`), or in a training-data section.
OWN_SITE_DATA = re.compile(
    r"^https?://(?!(?:www\.)?(?:github\.com|gitlab\.com|bitbucket\.org|huggingface\.co|hf\.co|arxiv\.org|doi\.org"
    r"|openreview\.net|aclanthology\.org|wandb\.ai|colab\.research\.google\.com|paperswithcode\.com)[/:])"
    r"[^\s()]{0,120}?(?:dataset|corpus|corpora)", re.IGNORECASE)
# Any page outside the code, paper and model hosts: a dataset's page when a field labelled as the data links it
# ("- **Data:** [CIFAR-100](https://www.cs.toronto.edu/~kriz/cifar.html)")
OTHER_SITE = re.compile(OWN_SITE_DATA.pattern.split("[^\\s()]{0,120}?")[0], re.IGNORECASE)
# A field labelled as the training data: "- **Data:** …", "Training data: …", "Dataset: …", "Trainingsdaten: …"
DATA_FIELD = re.compile(r"^[ \t]*(?:[-*+][ \t]+)?[*_]{0,2}(?:(?:training|pre-?training|fine-?tuning)[ \t]+)?"
                        r"(?:data(?:sets?)?|corpus|trainingsdaten|datos|dados|dati)[*_]{0,2}[ \t]*:", re.IGNORECASE)
EVAL_SECTION = re.compile(r"bench|evaluat|\beval|result|performance|leaderboard|評価|ベンチマーク|結果|평가|벤치마크|결과",
                          re.IGNORECASE)
# A Hub dataset id handed to a training run: `--dataset_name org/x`, `--dataset_mixer_list org/x`,
# `load_dataset("org/x")`. Local files (`data/x.json`, `/path/to/x`, `$VAR`) are not a released dataset, and
# an evaluation argument (`--dataset_eval_mixer`, `--eval_dataset`) is not training data; a `--…_dir`
# argument or a path under a usual local folder (`data/`, `output/`, …) is a local folder.
LOCAL_DIR = r"(?i:data|datasets?|outputs?|out|path|checkpoints?|models?|results?|tmp|cache|logs?|configs?|scripts?)"
# Hub ids are ASCII ("аcme/x" with a Cyrillic "а" is no Hub id); a letter of any script right after one ends no id.
HUB_ID = r"[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9_.-]*[A-Za-z0-9](?![\w./-])"
TRAINING_DATASET = re.compile(
    rf"--(?!\w*eval)(?:dataset|data|train)(?!\w*dir\b)\w*(?:[ \t]+|=)[\"']?(?!{LOCAL_DIR}/)"
    rf"(?![\w.-]*/[\w.-]*\.(?:jsonl?|csv|parquet|txt|arrow)\b)({HUB_ID})"
    rf"|load_dataset\(\s*[\"']({HUB_ID})[\"']")
TRAINING_DATASET_NEEDLES = ("--data", "--train", "load_dataset(")
REMEDIATION = "Publish the training datasets (e.g. as Hub datasets, public and ungated) under open data licences."
# Training data shipped in the repository: a data file whose name, or a folder's name on its path, starts with
# train/training ("train.jsonl", "data/train-00000-of-00001.parquet", "training/part-1.csv"). Not what a trainer
# writes beside the weights ("train_results.json", "training_args.json", "trainer_state.json": "trainer" is no
# "train" name), and not under an evaluation or test folder.
TRAIN_DATA_FILES = re.compile(
    r"^(?!(?:[\w.-]+/)*(?:eval|evaluation|benchmark|test)[\w-]*/)(?:[\w.-]+/)*"
    r"(?:train(?:ing)?(?:[_-](?!(?:results?|state|args|arguments|config|log|logs|metrics|params|loss)\b)[\w-]*)?"
    r"(?:/[\w.-]{1,100}){0,3})\.(?:jsonl?|csv|tsv|parquet|arrow|txt)$", re.IGNORECASE)
# Any data file (a file under a folder the card calls training data is that data, whatever its name).
DATA_FILES = re.compile(r"\.(?:jsonl?|csv|tsv|parquet|arrow|txt)$", re.IGNORECASE)
# Words of a card line that call what it names training data.
TRAINING_WORDS = re.compile(r"\btrain(?:ing|ed)?\b|\bpre-?train|\bfine-?tun|训练|学習|훈련|학습", re.IGNORECASE)


def training_data_link(rec: ModelRecord, url: re.Pattern[str] = DATA_LINK,
                       line_ok: Callable[[int], bool] | None = None) -> Evidence | None:
    """The first dataset link that its anchor, line and section do not present as an evaluation set (on a line
    ``line_ok`` accepts, when given)."""
    if rec.card is None:
        return None
    about_evaluation = _evaluation_context(rec)
    about_calibration = _evaluation_context(rec, CALIBRATION_CONTEXT, QUANT_SECTION)
    denied = denied_lines(rec, COMPONENT)
    for ln in rec.card.links:
        # an image or badge stored in a dataset repository (a banner, a "Open in Spaces" badge) is not a dataset
        # (a site's home page is an organisation's on a known host; on its own site a dataset's home page is the
        # dataset's: "https://www.cityscapes-dataset.com/")
        if not url.search(ln.url) or ASSET.search(ln.url) or (HOME_PAGE.match(ln.url) and url is DATA_LINK):
            continue
        for place in occurrences(rec.card, ln):
            if place.line not in denied and (line_ok is None or line_ok(place.line)) \
                    and not about_evaluation(place.line, f"{place.text} {place.url} {_prose_around(rec, place.line)}") \
                    and not (cited_link(rec, place) and not _trained_using(rec, place)) \
                    and not about_calibration(place.line) \
                    and not DEMO_CONTEXT.search(_line(rec, place.line)) \
                    and not _DENIED_AFTER.search(after_link(_line(rec, place.line), place.url)) \
                    and not _link_denied(_line(rec, place.line), place.url):
                shown = f"[{place.text}]({place.url})" if place.text else place.url
                return Evidence("card", place.url, f"line {place.line}: {shown}", rec.read_at)
    return None


# A training verb, as a sentence around a dataset's link says the model was trained or fine-tuned on it (English,
# Chinese in both scripts, Japanese, Korean)
_TRAIN_VERB = re.compile(r"\btrain(?:ing|ed)?\b|\bpre-?train|\bfine-?tun|训练|訓練|微调|微調|学習|훈련|학습", re.IGNORECASE)


def _trained_using(rec: ModelRecord, place: Link) -> bool:
    """Whether a dataset link that a word of use cites ("Fine-tuned using the [X](…) dataset", "使用 [X](…) 資料集進行
    微調") stands in a sentence that says the model was trained on it, with nothing else citing it. Why: "using"
    before a link names a tool the release used (a library, a base); before a dataset, in a training sentence, it
    names the data the model was trained on, and such a card was graded as releasing no data."""
    line = _line(rec, place.line)
    at = line.find(place.url)
    return at >= 0 and bool(_TRAIN_VERB.search(_sentence(line, at, at + len(place.url)))) \
        and not cited_link(rec, place, used=False)


# DATA_FIELD with the text it labels, on any line or after a sentence's end in a paragraph ("… is there. Training
# data: COCO train2017, …"); a field with nothing after the colon labels nothing
_DATA_FIELD_M = re.compile(r"(?:" + DATA_FIELD.pattern + r"|(?<=[.!?] )(?:(?:training|pre-?training|fine-?tuning)[ \t]+)?"
                           r"data(?:sets?)?[ \t]*:)[ \t*_]*[^\s*_][^\n]{2,}", re.IGNORECASE | re.MULTILINE)


# The label words DATA_FIELD reads, as a lower-cased card writes them before a colon: a cheap look before the
# pattern (which is tried at every character of the card for its mid-paragraph form)
_DATA_LABELS = ("data", "datasets", "dataset", "corpus", "daten", "datos", "dados", "dati")


def _has_data_label(rec: ModelRecord) -> bool:
    """Whether a colon of the lower-cased card follows a label word (bold or italic marks between them allowed):
    one ``str.find`` walk over the colons, a third of the cost of searching for each label; once a card."""
    if "data_label" not in rec.cache:
        rec.cache["data_label"] = _label_before_colon(rec.card.lowered_body) if rec.card is not None else False
    return bool(rec.cache["data_label"])


def _label_before_colon(low: str) -> bool:
    at = low.find(":")
    while at >= 0:
        if low[max(0, at - 18):at].rstrip("*_ ").endswith(_DATA_LABELS):
            return True
        at = low.find(":", at + 1)
    return False


def data_field(rec: ModelRecord) -> Evidence | None:
    """A field labelled as the training data with what it names ("Training data: COCO train2017, 36 epochs …"), the
    card's own (not hidden, promised or in others' sections): the data is documented, as a training-data section
    documents it. Why: a card that names its data only in such a field, within a "## Training" section, showed no
    data at all. Asked only when nothing released the data and no section documents it."""
    card = rec.card
    if card is None or not _has_data_label(rec):
        return None
    for m, verdict in own_mentions(rec, _DATA_FIELD_M, cited=False, component=COMPONENT):
        # (a fine-tuning tutorial's "Training Data: `data/x.json`. This sample data was drawn from …" is the reader's
        # example, not the model's data)
        if verdict == "own" and not DEMO_CONTEXT.search(card.body, m.start(), m.end() + 200):
            return mention_evidence(rec, m)
    return None


# A model trained or distilled on what a model generated ("distilled from Puffin-70B on 2M reasoning traces that
# Puffin-70B generated", "fine-tuned on 50k answers generated by our 70B model"): the sentence says what the data is
# (what the model was trained *on* is the data: not "based on open-source models, using samples generated by X", whose
# object is a model)
GENERATED_DATA = re.compile(r"\b(?P<at>(?:distilled|trained|fine-?tuned)\b[^.\n]{0,120}?\bon\b"
                            r"(?:(?!\bmodels?\b)[^.\n]){0,80}?\b(?:generated|synthesi[sz]ed|sampled|produced)\b)",
                            re.IGNORECASE)


def generated_data(rec: ModelRecord) -> Evidence | None:
    """A sentence saying the model was distilled or trained on data a model generated (:data:`GENERATED_DATA`),
    the card's own: the data is documented. Why: a distilled model's card names its data as "traces the teacher
    generated" (the word "data" nowhere), kept back, and showed no data at all. Asked only when nothing released
    the data and no section or field documents it; a card holding none of the words is not searched."""
    card = rec.card
    if card is None or not any(w in card.lowered_body for w in ("generated", "synthesi", "sampled", "produced")):
        return None
    return first_own_mention(rec, GENERATED_DATA, cited=False, component=COMPONENT)[0]


# A sentence that says the model was trained on a counted set of items that are not called data ("stage 2 tunes the
# whole model on 3M instruction samples … and 400k samples we wrote", "trained on 120k pairs of answers ranked by
# our annotators"), and a denial of release in the rest of that sentence or the next one that names them ("which we
# do not release", "Neither the reward model nor the ranked pairs are released")
ITEMS_TRAINED_ON = re.compile(r"\b(?P<at>(?:train(?:s|ed)?|tun(?:es|ed)|fine-?tun(?:es|ed)|pre-?train(?:s|ed)?|"
                              r"distill(?:s|ed)?)\b[^.\n]{0,80}?\bon[ \t]+(?:about[ \t]+|over[ \t]+|some[ \t]+)?"
                              r"\d[\d.,]*[ \t]?[kmb]?\b[^.\n]{0,60}?\b(?P<noun>samples|pairs|examples|demonstrations|"
                              r"conversations|dialogues|prompts|recordings|annotations))\b", re.IGNORECASE)
_ITEM_NOUNS = ("samples", "pairs", "examples", "demonstrations", "conversations", "dialogues", "prompts", "recordings",
               "annotations")
_KEPT_BACK = re.compile(r"\b(?:not|never|neither|nor|cannot|can't|don't|won't)\b[^.\n]{0,60}?\b(?:releas\w*|"
                        r"publish\w*|shar(?:e|ed|ing)\b|public(?:ly)?[ \t]+available|open-?sourc\w*)", re.IGNORECASE)
_SENTENCE_OR_PARAGRAPH_END = re.compile(r"[.!?](?=\s)|\n[ \t]*\n")


def withheld_items(rec: ModelRecord) -> Evidence | None:
    """A sentence that says the model was trained on a counted set of samples, pairs, examples, demonstrations,
    conversations, prompts, recordings or annotations (:data:`ITEMS_TRAINED_ON`), the card's own, followed in the same
    sentence or the next one by a denial of release that names them ("which", "them", the noun). Why: "tunes the whole
    model on … 400k samples we wrote, which we do not release" and an RL card's "trained on 120k pairs of answers
    ranked by our annotators. Neither the reward model nor the ranked pairs are released." document training data
    and keep it back, and showed none (the word "data" stands in neither). Asked only when nothing else documents the
    data, and only of a card holding a negation and one of the nouns."""
    card = rec.card
    if card is None:
        return None
    low = card.lowered_body
    if not any(w in low for w in ("not", "nor", "cannot", "n't")) or not any(w in low for w in _ITEM_NOUNS):
        return None
    for m, _ in islice(own_mentions(rec, ITEMS_TRAINED_ON, None, cited=False, component=COMPONENT), _WITHHELD_TRIES):
        tail, names = card.body[m.end():m.end() + 400], re.compile(rf"\b(?:{m.group('noun')}|which|them|these|they)\b",
                                                                 re.IGNORECASE)
        for _ in range(2):   # the rest of the match's sentence, then the next one (within the paragraph)
            end = _SENTENCE_OR_PARAGRAPH_END.search(tail)
            part = tail[:end.start() if end else len(tail)]
            if _KEPT_BACK.search(part) and names.search(part):
                return mention_evidence(rec, m)
            if end is None or "\n" in end.group():
                break
            tail = tail[end.end():]
    return None


def own_site_data(rec: ModelRecord) -> Evidence | None:
    """A dataset linked on its authors' own site (:data:`OWN_SITE_DATA`) on a line that labels it as the data
    (:data:`DATA_FIELD`) or says the model was trained on it, or in a training-data section: released there, under
    a licence the card does not give. Why: "**Data:** [LJ Speech](https://keithito.com/LJ-Speech-Dataset/)" and
    "trained on [Cityscapes](https://www.cityscapes-dataset.com/)" name public data a reader can download; only the
    known hosts were read. Asked last, and only of a card that links such an address (a cheap look first)."""
    card = rec.card
    if card is None:
        return None

    def trained_on(line: int) -> bool:
        text = _line(rec, line)
        return bool(DATA_FIELD.match(text) or TRAINING_WORDS.search(text) or TRAINING_WORDS.search(_prose_around(rec, line))
                    or DATA_SECTION.search(card_index(rec).section(card.line_start(line))))

    if any(("dataset" in u or "corpus" in u or "corpora" in u) and OWN_SITE_DATA.match(u)
           for u in (ln.url.lower() for ln in card.links)):
        link = training_data_link(rec, OWN_SITE_DATA, trained_on)
        if link is not None:
            return link
    # a field labelled as the data that links a page of any other site (asked only where such a field links one)
    if _has_data_label(rec):
        lines = card.lines()
        if any(OTHER_SITE.match(ln.url) and 0 < ln.line <= len(lines) and DATA_FIELD.match(lines[ln.line - 1])
               for ln in card.links):
            return training_data_link(rec, OTHER_SITE, lambda line: bool(DATA_FIELD.match(_line(rec, line))))
    return None


_NOT_PROSE = ("#", "|", "-", "*", "+", ">", "<", "`", "![", "[![")
_PROSE_REACH = 600


def _prose_around(rec: ModelRecord, line: int) -> str:
    """The other sentences of the prose paragraph that holds card line ``line`` (the reading lines before and after
    its own, up to a blank line or a line that is no prose: a heading, a list item, a table row, a quote, HTML, code,
    a badge; at most 600 characters each way), "" when the line is no prose. Why: "For the code domain, we used the
    [MBPP](…) datasets. Using OpenCompass, we performed a 3-shot test on MBPP." says MBPP is a test set whether the
    paragraph is one line or a sentence to a line; read by its line, a wrap at a sentence's end made it training
    data. (A list item is read alone: "- [Pile](…): training" and "- [MMLU](…): evaluation" share a list, not a
    statement.)"""
    card = rec.card
    assert card is not None
    lines = card.lines()
    if not 0 < line <= len(lines) or not lines[line - 1].strip() or lines[line - 1].lstrip().startswith(_NOT_PROSE):
        return ""
    out: list[str] = []
    j, total = _first_line(card, line) - 1, 0
    while j > 0 and total < _PROSE_REACH:
        prev = lines[j - 1]
        if not prev.strip() or prev.lstrip().startswith(_NOT_PROSE) or prev[:1].isdigit():
            break
        out.insert(0, prev)
        total += len(prev)
        j = _first_line(card, j) - 1
    end = card.text.find("\n", card.line_start(line))
    total = 0
    while end >= 0 and total < _PROSE_REACH:
        k = card.line_of(end + 1)
        nxt = lines[k - 1] if 0 < k <= len(lines) else ""
        if not nxt.strip() or nxt.lstrip().startswith(_NOT_PROSE) or nxt[:1].isdigit():
            break
        out.append(nxt)
        total += len(nxt)
        end = card.text.find("\n", end + 1)
    return " ".join(out)


# A link's opening markup before its URL ("[anchor](", "[![alt](badge)](", "<a href=\"") and its closing markup after
# it (")", "\">anchor</a>").
_OPENING = re.compile(r"(?:!?\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\]\(|<a\s[^<>]*?href=[\"']?)$", re.IGNORECASE)
_CLOSING = re.compile(r"^(?:\)|[\"']?[^<>\n]{0,300}?>.{0,300}?</a>)", re.IGNORECASE)


def _link_denied(line: str, url: str) -> bool:
    """Whether the link to ``url`` on ``line`` stands in an English or Chinese clause that denies it ("we did not
    use [X](…)", "[X](…) was not used", "未使用[X](…)数据集"), read as for a name in plain text (:func:`_negated`,
    :func:`_denied_after_en_zh`). Why: a dataset the card says the model was not trained on is no training data."""
    at = line.find(url)
    if at < 0:
        return False
    head = line[:at]
    opening = _OPENING.search(head[-400:])
    start = len(head) - len(head[-400:]) + opening.start() if opening else at
    tail = line[at + len(url):]
    closing = _CLOSING.match(tail)
    return _negated(line, start) or _denied_after_en_zh(tail, closing.end() if closing else 0)


# A line that introduces a list: it ends with a colon (after any emphasis), and the list's first item follows on the
# next line or after blank lines. (Searched in the whole card at once: most cards have few such lines.)
# (In a quote block, "> We do not release:" › "> - training code", the lead and its items are quoted alike.)
_LIST_LEAD = re.compile(r"[:：][ \t*_]*\n(?:[ \t>]*\n)*(?=(?:[ \t]{0,3}>[ \t]?)*[ \t]{0,6}(?:[-*+]|\d+[.)])[ \t])")
_QUOTE = re.compile(r"^(?:[ \t]{0,3}>[ \t]?)+")
_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]")


def _lead_lists(rec: ModelRecord) -> list[tuple[int, str, frozenset[int]]]:
    """(lead's card line, lead's text, item lines) of every list whose lead denies it (cached on the record)."""
    card = rec.card
    assert card is not None
    held = rec.cache.get("denied_lead_lists")
    if held is not None:
        return held
    out: list[tuple[int, str, frozenset[int]]] = []
    text = card.text
    if ":" in text or "：" in text:
        for m in _LIST_LEAD.finditer(text):
            head = text[text.rfind("\n", 0, m.start()) + 1:m.start()]
            if _HEADING.match(head) or not (_negated(head + " ", len(head) + 1) or _jako_denial(head)):
                continue
            items: set[int] = set()
            _list_lines(text, m.end(), card.line_of(m.end()), items)
            out.append((card.line_of(m.start()), (head + text[m.start():text.find("\n", m.start())]).strip(),
                        frozenset(items)))
    rec.cache["denied_lead_lists"] = out
    return out


# A Japanese or Korean denial of a release, its verb after the object ("以下は公開していません：", "未公開", "다음은
# 공개하지 않습니다:", "비공개").
_JAKO_RELEASE_DENIAL = (r"(?:公開|リリース|提供|配布)(?:されて|して)?(?:い|お)?(?:ません|ない|しません|されません)|未公開|非公[開开]"
                        r"|(?:공개|출시|배포|제공)(?:되지|하지)\s?않|미공개|비공개")
_JAKO_RELEASE = re.compile(_JAKO_RELEASE_DENIAL)


def _jako_denial(lead: str) -> bool:
    """Whether a Japanese or Korean list lead denies what it lists ("以下のデータセットは学習に使用していません：",
    "다음 데이터셋은 학습에 사용하지 않았습니다:", "以下は公開していません："): the verb of using, including or releasing
    and its negation come after the object, where :func:`_negated` does not look."""
    return kana_or_hangul(lead) and (_DENIED_AFTER.search(lead) is not None or _JAKO_RELEASE.search(lead) is not None)


# A lead's denial of releasing what it lists ("We do not release:", "The following are not yet public:", "未开源：");
# a lead that denies only using or including ("The following were not used in training:", "Excluded datasets:") speaks
# of what the model was trained on, and denies the listed items as training data, not their release.
_RELEASE_DENIAL = re.compile(
    r"(?:\b(?:not|never|no[ \t]+longer)\b|n't)[ \t]+(?:(?:yet|publicly|openly|being|been|be|currently|going[ \t]+to"
    r"|to)[ \t]+)*(?:releas\w*|public|available|open(?:-?sourc\w*)?|shar\w*|publish\w*|provid\w*|disclos\w*"
    r"|distribut\w*)\b|\b(?:withheld|unreleased|undisclosed|unpublished|unavailable)\b"
    # "Excluded from this release:", "Not included in the repository:": what the release leaves out
    r"|\b(?:from|in|of)[ \t]+(?:this|the|our)[ \t]+(?:release|repository|repo|open[- ]?source[ \t]+release)\b"
    r"|(?:不|未|没有?|并未|并没有|从未|尚未|暂不|暂未)(?:被|曾|会)?(?:发布|公开|开源|开放|提供)"
    # Japanese and Korean: 公開していません, 未公開, 非公開; 공개하지 않, 미공개, 비공개
    r"|" + _JAKO_RELEASE_DENIAL, re.IGNORECASE)
# A lead's denial of using, including or training on what it lists ("not used", "did not use", "excluded", "not
# included", "未用于训练", "学習に使用していません"): with no denial of a release besides, the list is what the model was not
# trained on. A lead that denies in other words ("We are not able to share:") is read as denying the release.
_USE_DENIAL = re.compile(r"\b(?:us(?:e|ed|ing)|utili[sz](?:e|ed|ing)|includ(?:e|ed|ing)|train(?:ed|ing)?|seen|exclud\w*"
                         r"|part[ \t]+of)\b|使用|用于|采用|包含|纳入|训练|学習|訓練|含ま|除|사용|학습|포함|제외",
                         re.IGNORECASE)
_URL_IN_ITEM = re.compile(r"https?://[^\s)\]>\"']+")


def _item_components(item: str) -> frozenset[str] | None:
    """The MOF components a list item names (:func:`heading_components` of its words and anchors, and Datasets for a
    link to a dataset host), or None when it names none. A link's address is read only for its host: the words of a
    repository's path ("…/train-scripts") are a name, not what the item says it is."""
    names = set(heading_components(_URL_IN_ITEM.sub(" ", item)) or ())
    if any(DATA_LINK.match(u) for u in _URL_IN_ITEM.findall(item)):
        names.add(COMPONENT)
    return frozenset(names) or None


def _item_denials(lead: str, items: Mapping[int, str]) -> dict[int, frozenset[str] | None]:
    """For each item line of a denied list, the components its lead denies there (None: every one). Why: a reader
    takes a denial to reach what it names. A lead that denies a release ("We do not release:", "The following
    datasets were not released:") denies, for each item, what the lead names and what the item names ("- the
    training code"); an item that names nothing under a lead that names nothing ("We do not release:" › "- the
    reward model"), and an item with a link ("- training code: https://github.com/…": the link is the withheld
    thing itself, whatever a probe would read it as), are denied whole. A lead that names only what is no MOF
    component ("We do not release the following tokenizer files:") denies no component in an item without a link. A lead that denies using or including ("The following were not used in
    training:", "The following datasets were not used:") says what the model was not trained on, not what was
    withheld: it denies its items as training data (Datasets, or what the lead itself names), never the release of
    what an item names ("- the evaluation set X", "- training code: …")."""
    lead_names = heading_components(lead)
    release = _RELEASE_DENIAL.search(lead) is not None or _USE_DENIAL.search(lead) is None
    out: dict[int, frozenset[str] | None] = {}
    for line, item in items.items():
        if release:
            item_names = _item_components(item) or frozenset()
            linked = _URL_IN_ITEM.search(item) is not None
            out[line] = None if linked or (lead_names is None and not item_names) \
                else (lead_names or frozenset()) | item_names
        else:
            out[line] = (frozenset((COMPONENT,)) if lead_names is None else lead_names) - {"Evaluation data"}
    return out


def _denies(names: frozenset[str] | None, component: str | None) -> bool:
    """Whether a denial of ``names`` (None: of every component) reaches ``component`` (None: any)."""
    return names is None or (bool(names) if component is None else component in names)


def _lead_denials(rec: ModelRecord) -> list[tuple[int, str, dict[int, frozenset[str] | None]]]:
    """(lead's card line, lead's text, {item line: the components denied there}) of each denied list
    (:func:`_item_denials`; cached on the record)."""
    held = rec.cache.get("lead_denials")
    if held is None:
        held = [(at, head, _item_denials(head, {ln: _line(rec, ln) for ln in sorted(items)}))
                for at, head, items in _lead_lists(rec)]
        rec.cache["lead_denials"] = held
    return held


def denied_list_lines(rec: ModelRecord) -> frozenset[int]:
    """The card lines (1-based, as :attr:`Link.line`) that are items of a list whose lead denies it: a line ending
    with a colon whose words deny what follows (:func:`_negated`: "We did not use the following datasets:", "The
    following data was not used:", "Excluded datasets:", "我们没有使用以下数据集："), then its list items ("- [X](…)",
    "* `org/x`", "1. X"). The list ends where its items do: at the first line that is not an item (a heading, a
    paragraph); blank lines between the lead and its first item, and between items (a loose list), are passed
    over. The list items of a section whose heading denies (:func:`denying_title`: "Training data (not
    released)", "Datasets — not public", "训练数据（未公开）", "Not released: training code") are denied the same
    way. Why: helper-cardread scoped a denial to the name's own clause, and a list after a colon carries it on; a
    list on the next lines is the same clause set out line by line, and a heading that denies is that clause
    written as the title of what it lists."""
    card = rec.card
    if card is None:
        return frozenset()
    held = rec.cache.get("denied_list_lines")
    if held is not None:
        return held
    out: set[int] = set()
    for _, _, items in _lead_lists(rec):
        out |= items
    for body, line, _ in _denied_scopes(rec):
        _section_items(body, line, out)
    frozen = frozenset(out)
    rec.cache["denied_list_lines"] = frozen
    return frozen


def denied_lines(rec: ModelRecord, component: str | None = None) -> frozenset[int]:
    """The card lines (1-based) that the card denies for ``component`` (a MOF component name; None: for any):
    those of a list whose lead denies it (:func:`denied_list_lines`), and every line with text in the scope of a
    heading that denies (:func:`denying_title`), list items, paragraphs and subheadings alike: "## Training data
    (not released)" over "We trained on [X](…) and web text." denies X. The scope runs to the next heading of the
    same or a higher level (a "###" under the denying "##" is inside it). A heading that names components
    (:func:`heading_components`) denies only theirs: "## Training data (not released)" over "The training code is
    available at [Code](…)" leaves the training code released; one that names none ("## Not released",
    "## Unavailable") denies every component under it. Why: a heading that denies is the denial clause written as
    a title, and it governs its section's sentences as it governs its list items, but only of what it names; the
    component probes read it through :func:`._own_evidence.own_mentions` (a denied mention is not the release's
    own: documented, not released)."""
    card = rec.card
    if card is None:
        return frozenset()
    key = f"denied_lines:{component}"
    held = rec.cache.get(key)
    if held is not None:
        return held
    out: set[int] = set()
    for _, _, denials in _lead_denials(rec):
        out.update(ln for ln, names in denials.items() if _denies(names, component))
    for body, line, names in _denied_scopes(rec):
        if not _denies(names, component):
            continue
        _section_items(body, line, out)
        for row in body.split("\n"):
            if row.strip():
                out.add(line)
            line += 1
    out.update(ln for ln, names in _marked_lines(rec).items() if _denies(names, component))
    out.update(ln for ln, (names, _, _) in _footnote_denials(rec).items() if _denies(names, component))
    frozen = frozenset(out)
    rec.cache[key] = frozen
    return frozen


# A mark that says "no" beside what a line names: a cross (❌ ✗ ✘ ✖ ⛔ 🚫, GitHub's :x:), or a table cell that is only
# "No", "Not released", "Closed", "Private", "否", "未开源"…; and a mark that says "yes" (✓ ✔ ✅ ☑, :white_check_mark:).
_CROSS_MARK = re.compile(r"[❌✗✘✖⛔🚫❎]|:x:|:no_entry(?:_sign)?:|:heavy_multiplication_x:")
_NO_CELL = re.compile(r"\|[ \t]*[*_]*(?:no|none|closed|private|withheld|unreleased|unavailable|not[ \t]+(?:yet[ \t]+)?"
                      r"(?:released|available|public|open(?:[ \t-]?sourced)?|provided)|否|无|未公开|未开源|不公开|非公開"
                      r"|未公開|비공개|미공개)[*_]*[ \t]*(?=\|)", re.IGNORECASE)
# Where a cross can start: every match of _CROSS_MARK starts with one of these (found with ``str.find``).
_CROSS_STARTS = ("❌", "✗", "✘", "✖", "⛔", "🚫", "❎", ":x:", ":no_entry", ":heavy_multiplication_x:")
# _NO_CELL as a search of the whole card finds the rows whose ``row + "|"`` it matches: the cell may end its row (the
# appended "|" is the end of the line). A cell is never more than one line.
_NO_CELL_ROW = re.compile(_NO_CELL.pattern.removesuffix(r"(?=\|)") + r"(?=\||$)", re.IGNORECASE | re.MULTILINE)
_TICK_MARK = re.compile(r"[✓✔✅☑]|:white_check_mark:|:heavy_check_mark:")


_PARTS = re.compile(r"[|,;，；、]")


def _crossed(part: str) -> str:
    """``part`` with its crosses and its "no" cells taken out (``part`` itself when it has none)."""
    out = _CROSS_MARK.sub(" ", part)
    return _NO_CELL.sub("|", out if "|" in part else f"|{out}|") if _NO_CELL.search(f"|{part}|") else out


def _marked_lines(rec: ModelRecord) -> dict[int, frozenset[str]]:
    """{card line: the components it marks as not released} (cached on the record): a line that names components
    (:func:`_item_components`) beside a cross or, in a table row, a cell that says "no" ("| Training code | ✗ |",
    "- ❌ Training code", "| Training data | Not released |"); a line with a tick too is read part by part (cells,
    or what commas and semicolons part: "weights ✅, training code ❌" denies the training code). Why: a table of released artefacts or a
    checklist is how many cards say what they withhold; a reader takes the cross as the denial of what its line
    names, and nothing else (a cross in a row naming no component, "| GPT-4 | ✗ |", denies nothing)."""
    card = rec.card
    assert card is not None
    held = rec.cache.get("marked_lines")
    if held is not None:
        return held
    out: dict[int, frozenset[str]] = {}
    text = card.text
    # The rows to read are found in the whole card, not by a search of each row (which cost every line of every
    # card two regex calls): those holding a cross (where one of its first characters stands and the mark matches;
    # a mark is never more than one line) and those a "no" cell ends in (:data:`_NO_CELL_ROW`). The same rows, in
    # the same order, as ``_CROSS_MARK.search(row) or ("|" in row and _NO_CELL.search(row + "|"))`` picks.
    crossed: set[int] = set()
    for start in _CROSS_STARTS:
        j = text.find(start)
        while j >= 0:
            if _CROSS_MARK.match(text, j):
                crossed.add(card.line_of(j))
            j = text.find(start, j + 1)
    if crossed or ("|" in text and _NO_CELL.search(text)):
        rows = card.lines()
        marked = crossed | ({card.line_of(m.start()) for m in _NO_CELL_ROW.finditer(text)} if "|" in text else set())
        for i in sorted(marked):
            row = rows[i - 1]
            # a line with a tick too is read part by part ("weights ✅, training code ❌", "| Weights ✓ | Code ✗ |")
            parts = _PARTS.split(row) if _TICK_MARK.search(row) else [row]
            names = frozenset().union(*(_item_components(_crossed(part)) or () for part in parts
                                        if not _TICK_MARK.search(part) and _crossed(part) != part))
            if names:
                out[i] = names
    rec.cache["marked_lines"] = out
    return out


def denial_of(rec: ModelRecord, line: int, component: str | None = None) -> tuple[int, str] | None:
    """(card line, text) of what denies card line ``line`` for ``component``: the denying heading whose scope holds
    it, or the lead of the denied list it is an item of; None when nothing does. Why: a finding that sets a
    mention or a link aside as denied names the denial as evidence, so a reader sees which words decided it."""
    card = rec.card
    if card is None or line not in denied_lines(rec, component):
        return None
    for at, head, denials in _lead_denials(rec):
        if line in denials and _denies(denials[line], component):
            return at, head
    for body, first, names in _denied_scopes(rec):
        if _denies(names, component) and first <= line <= first + body.count("\n"):
            return first, _line(rec, first).strip()
    note = _footnote_denials(rec).get(line)
    if note is not None and _denies(note[0], component):
        return note[1], note[2]
    return None


# A footnote's definition ("[^1]: Not yet released.") and a reference to one ("[Code](…)[^1]").
_FOOTNOTE_DEF = re.compile(r"^[ \t]{0,3}\[\^([^\]\s]{1,40})\]:[ \t]*(.+)$", re.MULTILINE)
_FOOTNOTE_REF = re.compile(r"\[\^([^\]\s]{1,40})\](?!:)")


def _footnote_denials(rec: ModelRecord) -> dict[int, tuple[frozenset[str] | None, int, str]]:
    """{card line: (the components it names or None, the footnote's line, the footnote's text)} of each line that
    refers to a footnote that promises or denies ("Training code: [Code](…)[^1]" › "[^1]: Not yet released.";
    :func:`._own_evidence.promised`), cached on the record. Why: a footnote is its line's own words set below
    it, and a reader follows the mark; the denial reaches what the line names (all of it when it names none)."""
    card = rec.card
    assert card is not None
    held = rec.cache.get("footnote_denials")
    if held is not None:
        return held
    out: dict[int, tuple[frozenset[str] | None, int, str]] = {}
    if "[^" in card.text:
        from openscope.derive.openness.probes._own_evidence import promised

        notes = {m.group(1): (card.line_of(m.start()), m.group(0).strip()) for m in _FOOTNOTE_DEF.finditer(card.text)
                 if promised(m.group(2), m.group(2))}
        if notes:
            for i, row in enumerate(card.lines(), 1):
                refs = [r for r in _FOOTNOTE_REF.findall(row) if r in notes] if "[^" in row else []
                if refs and not _FOOTNOTE_DEF.match(row):
                    out[i] = (_item_components(row), *notes[refs[0]])
    rec.cache["footnote_denials"] = out
    return out


def _denied_scopes(rec: ModelRecord) -> list[tuple[str, int, frozenset[str] | None]]:
    """(text, first card line, the components its heading names or None) of each denying heading's scope: its
    section and the subsections under it, to the next heading of the same or a higher level (cached on the
    record; the sections are read once)."""
    card = rec.card
    assert card is not None
    held = rec.cache.get("denied_scopes")
    if held is not None:
        return held
    out: list[tuple[str, int, frozenset[str] | None]] = []
    secs = card.sections
    i = 0
    while i < len(secs):
        sec = secs[i]
        names = heading_components(sec.title) if denying_title(sec.title) else frozenset()
        if names is not None and not names:   # no denial, or the denial of what is no MOF component
            i += 1
            continue
        j = i + 1
        while j < len(secs) and secs[j].level > sec.level:
            j += 1
        # (a section starts right after its heading: the next heading's line starts at the line break before it)
        end = card.text.rfind("\n", 0, secs[j].start) + 1 if j < len(secs) else len(card.text)
        out.append((card.text[sec.start:end], card.line_of(sec.start), names))
        i = j
    if _names_summary(card):
        out.extend(_denied_details(card.text, card.line_of))
    rec.cache["denied_scopes"] = out
    return out


def _names_summary(card: Card) -> bool:
    """``"<summary" in card.text.lower()``, read from the card's lowered body (kept on the card) and its front matter
    lowered alone. Why: lowering the whole card again for this one test cost as much as the rest of the scopes' reading
    (a card that is not ASCII is lowered a character at a time). The same answer: ``str.lower`` lowers each character
    on its own but a final sigma, and "<summary" holds no sigma; the eight characters each side of the front matter's
    end are lowered together, for a tag that would straddle it."""
    text, body = card.text, card.body
    cut = len(text) - len(body)
    if cut < 0 or not text.endswith(body):   # (a card whose body is not the end of its text: read whole)
        return "<summary" in text.lower()
    return "<summary" in card.lowered_body or (cut > 0 and ("<summary" in text[:cut].lower()
                                                            or "<summary" in text[max(0, cut - 8):cut + 8].lower()))


# A folded block's title: <details><summary>Not released</summary> … </details> (the summary is a heading a reader
# unfolds; what it governs runs to the block's end).
_SUMMARY = re.compile(r"<summary\b[^<>]{0,200}>((?:(?!</?summary)[^\n]){0,300}?)</summary>", re.IGNORECASE)
_DETAILS_END = re.compile(r"</details\s*>", re.IGNORECASE)
_TAG = re.compile(r"<[^<>]{0,200}>")


def _denied_details(text: str, line_of: Any) -> list[tuple[str, int, frozenset[str] | None]]:
    """(text, first card line, the components its summary names or None) of each ``<details>`` block whose
    ``<summary>`` denies (read as a heading: :func:`denying_title`, :func:`heading_components`), to its
    ``</details>``. Why: a card that folds its list of withheld artefacts under "<summary>Not released</summary>"
    says what a heading "## Not released" says."""
    out: list[tuple[str, int, frozenset[str] | None]] = []
    for m in _SUMMARY.finditer(text):
        title = _TAG.sub(" ", m.group(1))
        if not denying_title(title):
            continue
        names = heading_components(title)
        if names is not None and not names:
            continue
        end = _DETAILS_END.search(text, m.end())
        out.append((text[m.start():end.start() if end else len(text)], line_of(m.start()), names))
    return out


def _list_lines(text: str, at: int, line: int, out: set[int]) -> None:
    """Add to ``out`` the lines of the list that starts at ``text[at]`` (card line ``line``): its items, tight or
    loose. Blank lines are passed over when a list item follows them (Markdown reads a list whose items are
    separated by blank lines as one list); any other line ends the list."""
    while at < len(text):
        end = text.find("\n", at)
        end = len(text) if end < 0 else end
        row = _QUOTE.sub("", text[at:end]) if text.startswith(">", at) or text[at:at + 4].lstrip().startswith(">") \
            else text[at:end]
        if _LIST_ITEM.match(row):
            out.add(line)
        elif row.strip():
            break       # a paragraph or a heading (a blank line is passed over: the next line decides)
        line, at = line + 1, end + 1


def _section_items(body: str, line: int, out: set[int]) -> None:
    """Add to ``out`` the lines of every list item in a denying heading's scope ``body`` (whose first line is card
    line ``line``), subsections included."""
    for ln in body.split("\n"):
        if _LIST_ITEM.match(ln):
            out.add(line)
        line += 1


# A heading's denial of what its section lists: a negation bound to releasing, publishing or using ("(not released)",
# "not public", "not yet available", "not used", "excluded", "unreleased", "未公开", "未使用"). A bare negation in a
# heading usually denies something else ("Not enough memory", "Without prompt extension").
_TITLE_DENIAL = re.compile(
    r"(?:\b(?:not|never|no[ \t]+longer)\b|n't)[ \t]+(?:(?:yet|publicly|openly|being|been|be|currently)[ \t]+)?"
    r"(?:released|public|available|open(?:-?sourced)?|used?|included|shared|published|provided|disclosed|distributed)\b"
    r"|\b(?:exclud(?:ed|ing)|withheld|unreleased|undisclosed|unpublished|unavailable)\b"
    # a promise is no release yet: "(coming soon)", "(will be released)", "(to be released)", "TBD", 即将开源, 公開予定
    r"|\bcoming[ \t]+soon\b|\b(?:will|to)[ \t]+be[ \t]+(?:released|published|open[- ]?sourced|made[ \t]+public)\b"
    r"|\bTB[DA]\b|即将(?:发布|开源|公开)|敬请期待|(?:公開|リリース)予定|(?:공개|출시)\s?예정"
    r"|(?:不|未|没有?|并未|并没有|从未|尚未)(?:被|曾|会)?(?:使用|采用|用到|包含|包括|纳入|利用|发布|公开|开源|开放|提供)"
    r"|" + _JAKO_RELEASE_DENIAL, re.IGNORECASE)


def denying_title(title: str) -> bool:
    """Whether a section's heading denies what the section lists (:data:`_TITLE_DENIAL`): "Training data (not
    released)", "Datasets — not public", "训练数据（未公开）", "Not released: training code", "Excluded datasets". A
    heading that only names a release ("Release notes", "Data release plan"), or whose negation is of something
    else ("Not enough memory", "Without prompt extension", "Not only web data"), denies nothing. Why: a heading is
    read as a whole (a parenthesis or a colon in it does not end the denial's scope as it would in a sentence), so
    its negation must be bound to releasing or using to deny the section's items. (A title holding none of the
    pattern's words is not searched: :func:`..may_search`.)"""
    return may_search(_TITLE_DENIAL, title) and _TITLE_DENIAL.search(title) is not None


_CODE = ("Training code", "Data preprocessing code", "Inference code", "Evaluation code", "Model architecture",
         "Supporting libraries and tools")
_WEIGHTS = ("Model parameters (Final)", "Model parameters (Intermediate)")
# What a heading names, most specific first: each match is taken out of the title before the next pattern is tried,
# so "Data processing code" names the preprocessing code (not Datasets and every code component besides).
_HEADING_NAMES: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = tuple((re.compile(rx, re.IGNORECASE), names) for rx, names in (
    (r"\b(?:(?:pre-?|post-?)?training|train|fine-?tuning|finetuning|sft|rlhf|dpo|alignment)[ \t]+"
     r"(?:code|scripts?|recipes?|pipeline)\b|(?:预?训练|微调|精调)(?:源?代码|源码|脚本)", ("Training code",)),
    (r"\b(?:(?:data[ \t]+)?(?:pre-?)?processing|cleaning|filtering|dedup(?:lication)?)[ \t]+(?:code|scripts?|pipeline)\b"
     r"|(?:数据)?(?:预)?处理(?:源?代码|源码|脚本)", ("Data preprocessing code",)),
    (r"\b(?:evaluation|eval|benchmark(?:ing)?)[ \t]+(?:code|scripts?|harness)\b|(?:评测|评估)(?:代码|脚本)",
     ("Evaluation code",)),
    (r"\binference[ \t]+(?:code|scripts?)\b|推理代码", ("Inference code",)),
    (r"\b(?:evaluation|eval|benchmark)[ \t]+results?\b|(?:评测|评估)结果", ("Evaluation results",)),
    (r"\b(?:evaluation|eval|test|benchmark)[ \t]+(?:data(?:sets?)?|sets?)\b|(?:评测|评估)(?:数据|集)", ("Evaluation data",)),
    (r"\bmetadata\b|元数据", ("Model metadata",)),
    (r"\b(?:sample|example)[ \t]+(?:model[ \t]+)?outputs?\b|输出示例|示例输出", ("Sample model outputs",)),
    (r"\b(?:supporting[ \t]+)?librar(?:y|ies)\b", ("Supporting libraries and tools",)),
    (r"\bdata[ \t]*(?:cards?|sheets?)\b", ("Data card",)),
    (r"\bmodel[ \t]+cards?\b", ("Model card",)),
    (r"\bintermediate[ \t]+(?:checkpoints?|weights)\b|\bcheckpoints\b", ("Model parameters (Intermediate)",)),
    (r"\bdata(?:sets?)?\b|\bcorp(?:us|ora)\b|数据|语料|データ|데이터", ("Datasets",)),
    (r"\b(?:source[ \t]+)?code(?:base)?\b|\bscripts?\b|代码|源码|コード|코드", _CODE),
    (r"\b(?:model[ \t]+)?weights\b|\bparameters\b|权重|重み|가중치", _WEIGHTS),
    (r"\b(?:technical[ \t]+)?reports?\b|技术报告", ("Technical report",)),
    (r"\bpapers?\b|论文", ("Research paper",)),
))


# Words of a denying heading or list lead that name nothing in particular ("## Not released", "## Components (not
# public)", "What we do not release yet:", "以下内容暂未开源"): a denial whose other words are only these denies
# whatever stands under it. Any other word names something ("## Tokenizer (not released)", "## Reward model: not
# released"): a thing that is no MOF component when the heading names none.
_ANY_WORDS = re.compile(
    r"\b(?:the|a|an|our|we|us|this|these|those|that|following|below|above|list|of|and|or|for|in|on|at|to|from|as|by"
    r"|is|are|was|were|be|been|being|do|does|did|will|would|can|could|have|has|had|it|its|yet|currently|publicly"
    r"|openly|still|time|moment|now|any|all|other|others|everything|else|what|which|items?|components?|artifacts?"
    r"|artefacts?|assets?|resources?|materials?|parts?|pieces?|things?|files?|models?|release[ds]?|releasing|status"
    r"|open|public|private|closed|available|availability|source[ds]?|not|never|no|longer|withheld|unreleased"
    r"|undisclosed|unpublished|unavailable|exclud\w*|us(?:e|ed|ing)|included|shar\w*|publish\w*|provid\w*"
    r"|disclos\w*|distribut\w*|train(?:ing|ed)?|pre-?train(?:ing|ed)?|fine-?tun(?:ing|ed)|soon|coming|plan(?:ned)?"
    r"|later|future|n't|t|note|notes|please|limitations?|yet|here|there|they|them|it)\b"
    r"|以下|如下|下列|内容|部分|组件|项目|资源|文件|模型|我们|目前|暂时?|尚|均|将|仍|的|和|与|及|等|均|会|被|曾|还"
    r"|不|未|没有?|并|从|发布|公开|开源|开放|提供|使用|采用|训练|状态"
    r"|以下|一覧|項目|内容|現在|まだ|モデル|[はのをもがにでと]|다음|항목|내용|목록|현재|아직|모델|[은는을를이가의]", re.IGNORECASE)
_NAMING = re.compile(r"[^\W\d_]", re.UNICODE)
# The release's model named alone in a denial ("Model", "the models", 模型, モデル, 모델): its weights, when no other
# word of the title names something else.
_THE_MODEL = re.compile(r"\bmodels?\b|模型|モデル|모델", re.IGNORECASE)


def heading_components(title: str) -> frozenset[str] | None:
    """The MOF components a denying heading names ("Training data (not released)": Datasets; "Not released: training
    code": Training code; "Code and data — not public": Datasets and every code component); None when it names
    nothing in particular ("Not released", "Unavailable", "Components (not public)"); an empty set when it names
    only what is no MOF component ("Tokenizer (not released)", "Reward model: not released"). Why: a heading that
    names what it denies denies that, not the other components a paragraph under it may release; one that names
    nothing denies all; one that names something else denies none of the components."""
    names: set[str] = set()
    for rx, comps in _HEADING_NAMES:
        title, n = rx.subn(" ", title)
        if n:
            names.update(comps)
    rest = _ANY_WORDS.sub(" ", _TITLE_DENIAL.sub(" ", _URL_IN_ITEM.sub(" ", title)))
    # the model itself, named by no other word ("## Model (not released)", "## The model (coming soon)", "## Model
    # files: not public", "## Code and models: not public"): its weights; "## Reward model (not released)" names
    # another model (its word is left in ``rest``)
    model = not _NAMING.search(rest) and _THE_MODEL.search(title) is not None
    if names:
        return frozenset(names | set(_WEIGHTS)) if model else frozenset(names)
    if _NAMING.search(rest):
        return frozenset()
    return frozenset(_WEIGHTS) if model else None


def _line(rec: ModelRecord, line: int) -> str:
    assert rec.card is not None
    idx = card_index(rec)
    at = idx.line_start(line)
    end = rec.card.text.find("\n", at)
    return rec.card.text[at:end if end >= 0 else len(rec.card.text)]


class _LineTest(Protocol):
    """Whether card line ``line`` (with ``extra`` text such as a link's anchor) is in a given context."""

    def __call__(self, line: int, extra: str = "") -> bool: ...


def _evaluation_context(rec: ModelRecord, words: re.Pattern[str] = EVAL_CONTEXT,
                        sections: re.Pattern[str] = EVAL_SECTION) -> _LineTest:
    """A test of whether a card line (with any extra text, such as a link's anchor) is about evaluation:
    by that text or by the title of the section the line is in (or about another context, given its ``words``
    and ``sections``: calibration for quantization). Built once per card."""
    assert rec.card is not None
    lines = rec.card.lines(splitlines=True)
    starts = sorted(((s.line, s.title) for s in rec.card.sections), reverse=True)

    def about_evaluation(line: int, extra: str = "") -> bool:
        text = " ".join((extra, lines[line - 1] if 0 < line <= len(lines) else ""))
        section = next((t for start, t in starts if start <= line), "")
        return bool(words.search(text) or sections.search(section))

    return about_evaluation


def training_command_dataset(rec: ModelRecord) -> Evidence | None:
    """A Hub dataset a training command or ``load_dataset`` call in the card uses, outside evaluation."""
    card = rec.card
    if card is None or not any(n in card.lowered_body for n in TRAINING_DATASET_NEEDLES):
        return None
    off = len(card.text) - len(card.body)
    about_evaluation = _evaluation_context(rec)
    for m in TRAINING_DATASET.finditer(card.body):
        line = card.line_of(off + m.start())
        if not about_evaluation(line):
            anchor, snip = card.span(off + m.start(), off + m.end())
            return Evidence("card", f"{rec.card_locator}{anchor}", snip, rec.read_at)
    return None


# A training configuration's datasets (axolotl's YAML, which its cards paste: "datasets:" then "- path: org/name"
# items, each with its own keys); ``test_datasets:`` and other keys are not training data.
_CONFIG_DATASETS = re.compile(r"^datasets[ \t]*:[ \t]*\n((?:[ \t-][^\n]*\n)+)", re.MULTILINE)
_CONFIG_PATH = re.compile(rf"^[ \t-]*path[ \t]*:[ \t]*[\"']?({HUB_ID})[\"']?[ \t]*$", re.MULTILINE)


def training_config_dataset(rec: ModelRecord) -> Evidence | None:
    """A Hub dataset a training configuration pasted in the card trains on: the ``path:`` of an item of its
    top-level ``datasets:`` list, in a fenced block that also names the ``base_model`` it trains (axolotl's
    config, which its cards show under "See axolotl config"). Why: it is the training run's own input, as
    plainly as ``--dataset_name org/name`` on a command line. A local file or folder is not a released dataset."""
    card = rec.card
    if card is None or "datasets:" not in card.body or "path:" not in card.body:
        return None
    for a, b in code_spans(rec):
        block = card.text[a:b] + "\n"
        if "base_model:" not in block:
            continue
        for m in _CONFIG_DATASETS.finditer(block):
            for hit in _CONFIG_PATH.finditer(m.group(1)):
                hid = hit.group(1)
                owner = hid.partition("/")[0]
                if _FILE_EXT.search(hid) or _LOCAL.match(owner):
                    continue
                at = a + m.start(1) + hit.start(1)
                anchor, snip = card.span(at, at + len(hid), 24)
                return Evidence("card", f"{rec.card_locator}{anchor}", snip, rec.read_at)
    return None


# A sentence that says what the model was trained on: a training verb, then "on", "using" or "with" within a
# few words or links (the Trainer's and TRL's "a fine-tuned version of [org/base](…) on the org/data dataset");
# a name right after "based on", "built on" or "from" is a model (:data:`_MODEL_LEAD`).
TRAINED_ON = re.compile(r"\b(?:(?:pre-?|post-?)?train(?:ed|ing)|fine-?tun(?:ed|ing)|finetun(?:ed|ing)|tuned|SFT|DPO)\b"
                        r"(?:[ \t]+(?:[\w'-]+|\[[^\]\n]{1,100}\]\([^)\s]{1,300}\))){0,4}?[ \t]+(?:on|using|with)[ \t]+",
                        re.IGNORECASE)
TRAINED_ON_NEEDLES = ("train", "tun", "sft", "dpo")
# The same, searched in the lowered card (a pattern led by its verbs' letters, without IGNORECASE, is searched about
# three times faster); a verb inside a longer word ("constrained", "Microsoft") is set aside by :func:`_verb_starts`.
TRAINED_ON_LOWER = re.compile(r"(?:train(?:ed|ing)|tun(?:ed|ing)|sft|dpo)\b"
                              r"(?:[ \t]+(?:[\w'-]+|\[[^\]\n]{1,100}\]\([^)\s]{1,300}\))){0,4}?[ \t]+(?:on|using|with)[ \t]+")
_VERB_PREFIX = re.compile(r"(?:^|[^\w])(?:pre-?|post-?|fine-?)$")


def _verb_starts(lowered: str, at: int) -> bool:
    """Whether the verb :data:`TRAINED_ON_LOWER` matched at ``at`` starts a word (or follows "pre", "post",
    "fine": "pretrained", "fine-tuned", "finetuned"; "tuning" only after "fine"), as :data:`TRAINED_ON` reads it."""
    fine = bool(_VERB_PREFIX.search(lowered, max(0, at - 6), at))
    if lowered.startswith("tuning", at):   # "tuning" only as "fine-tuning" / "finetuning"
        return fine and lowered[max(0, at - 5):at].rstrip("-").endswith("fine")
    if at == 0 or not (lowered[at - 1].isalnum() or lowered[at - 1] == "_"):
        return True
    return lowered[at:at + 3] in ("tra", "tun") and fine


# A Hub-id-shaped name in text: owner/name, in backticks or quotes or bare, not part of a URL or a path.
# ASCII only (Hub ids are), never right after a letter of any script or a "%" (a URL-encoded "%2F" is no owner).
# After a closing quote only a Latin letter, a digit or a slash goes on: a Japanese or Korean particle may follow it
# ("`org/x`を使用", "`org/x`는").
PLAIN_ID = re.compile(r"(?<![\w/.:@#%-])([`\"']?)([A-Za-z0-9][A-Za-z0-9_.-]{0,95}/[A-Za-z0-9_.-]{0,95}[A-Za-z0-9_])\1"
                      r"(?:(?<=[`\"'])(?![0-9A-Za-z_/])|(?<![`\"'])(?![\w/]|\.[A-Za-z]))")
_DATASET_WORD = re.compile(r"^[`\"']?[ \t]+(?:dataset|data\s*set|corpus)s?\b", re.IGNORECASE)
# Words right before a name that make it a model: "based on X", "from X", "the X model", "model: X".
# "The same data as X", "better than X", "like X": X is compared with, not trained on (a model, as often as not);
# "on top of X", "a version of X": X is the base.
_MODEL_LEAD = re.compile(r"(?:\bbased\s+on|\bbuilt\s+(?:on|upon)|\bfrom|\bmodels?\s*:?|\bcheckpoint|\btop\s+of"
                         r"|\bversion\s+of|\bsame\s+(?:[\w-]+\s+){0,3}?as|\bthan|\blike)\s*(?:the\s+)?[`\"']?$",
                         re.IGNORECASE)
# A clause that denies what follows ("not trained on X", "we do NOT use X", "without X"): X is not training data.
# English: a negation word; Chinese: a negation bound to a verb of using, including, training on or releasing
# ("未使用 X", "不包含 X", "没有在 X 上训练", "并未公开 X"), never a bare 不 (不同, 不断, 不少 are no denial).
_NEGATED = re.compile(r"\b(?:not|never|without|exclud(?:e|es|ed|ing)|except|nor|neither|no\s+longer)\b|n't\b"
                      # "no" as the determiner of the name or of the data taken from it, right before the name ("No
                      # [X](…) data was used", "we use no data from X"); elsewhere in the clause "no" denies something
                      # else ("no overlap between our training set X and the test set")
                      r"|\bno(?:\s+(?:other\s+)?(?:data|datasets?|corpus|corpora|texts?|samples?|examples?|content"
                      r"|documents?|instances?)\s+(?:from|of|in|out\s+of))?\s*(?:the\s+)?$"
                      r"|(?:不|未|没有?|并未|并没有|从未|从不|尚未)(?:被|曾|会)?(?:使用|采用|用到|用|包含|包括|含|纳入|利用"
                      r"|涉及|引入|加入|基于|在|训练|微调|发布|公开|开源|开放|提供)", re.IGNORECASE)
# Negations that deny nothing of what follows: "not only X", "not just X", "including but not limited to X".
_NOT_A_DENIAL = re.compile(r"(?:\bnot|n't)\s+(?:only|just|merely|simply|solely|exclusively|limited\s+to|necessarily"
                           r"|to\s+mention)\b|\bexcept\s+that\b|不仅|不只|不止|不限于", re.IGNORECASE)
# Where a denial's scope ends before the name: a sentence or clause end, a comma, a colon, or a word that opens
# another clause or turns the negation round ("not A but X", "nothing other than X", "besides X", "only X").
_SCOPE_BREAK = re.compile(r"[.;:!?,()\n。；：！？，（）]|\b(?:but|and|while|whereas|yet|which|who|that|instead|rather"
                          r"|only|other\s+than|besides|apart\s+from|beyond|so|then|because|since|though|although"
                          r"|however)\b|但|而|只|仅|除了|除", re.IGNORECASE)
# A list of names right before the name read ("not [A](…), [B](…) or X", "未使用 A、B 和 X"): the denial before the
# list covers each of its items, so the list is passed over back to its first item.
_ITEM = r"(?:!?\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\]\([^()\s]*\)|`[^`\n]{1,100}`|[A-Za-z0-9][\w.-]*/[\w.-]+)"
_LIST_BEFORE = re.compile(rf"(?:{_ITEM}\s*(?:[,、，](?:\s*(?:(?:or|nor|and)\b|和|或|及|以及|与))?|\b(?:or|nor|and)\b|和|或|及|以及|与)\s*)+$",
                          re.IGNORECASE)
_CLAUSE_END = re.compile(r"[.;!?\n。；！？]")
# A colon that introduces the names the clause speaks of ("not trained on the following datasets: X, Y") carries the
# denial on; any other colon ends its scope ("We did not use RLHF: the model was trained on X").
_LIST_INTRO = re.compile(r"\b(?:following|these|those|below)\b[\w\s-]{0,30}$|以下[^，。；：]{0,10}$", re.IGNORECASE)
# The same denial in Japanese and Korean, whose verbs follow the object: "Xは使用していません", "Xを使用せず",
# "Xを含みません", "Xを除く"; "X는 사용하지 않았습니다", "X를 사용하지 않았다", "X는 포함되지 않", "X를 제외". Only the
# verbs of using, training on and including are read with their negation ("Xのみではありません", not only X, is
# no denial). Searched only in a clause with kana or hangul.
_DENIED_AFTER = re.compile(
    r"(?:使用|利用|学習|訓練|活用)(?:に|は|を|も)?(?:し(?:て(?:い|お)?)?(?:ません|ない|りません)|せず|しない"
    r"|され(?:て(?:い|お))?(?:ません|ない|りません|ず))"
    r"|(?:使わ|用い(?:て(?:い|お))?|含ま(?:れ(?:て(?:い|お))?)?)(?:ません|ない|りません|ず)|含みません|除(?:く|き|外)"
    r"|(?:사용|이용|포함|활용|학습)(?:하|되|시키)지\s?않|쓰지\s?않|(?:사용|이용)\s?안\s?(?:함|했|한)|제외")
_MODEL_AFTER = re.compile(r"^[`\"']?[ \t]+(?:model|checkpoint|weights|base)\b", re.IGNORECASE)
# Words right after a name that make it a tool the model was trained with ("using the `org/trainer` library").
_TOOL_AFTER = re.compile(r"^[`\"']?[ \t]+(?:library|framework|toolkit|trainer|repo(?:sitory)?|codebase|code|scripts?"
                         r"|package|recipes?|pipeline)\b", re.IGNORECASE)
_FILE_EXT = re.compile(r"\.(?:jsonl?|csv|parquet|txt|arrow|tsv|py|sh|md|ya?ml|zip|gz|tar|bin|safetensors|pt|pth)$",
                       re.IGNORECASE)
_LOCAL = re.compile(rf"^(?:{LOCAL_DIR}|src|docs?|examples?|tests?|train|eval|dev|valid|home|usr|mnt|tmp)$")
_FROM_PRETRAINED = re.compile(r"from_pretrained\(\s*[\"']([^\"'\s]{3,200})[\"']")


def _hub_shaped(owner: str, name: str) -> bool:
    """Whether an unquoted ``owner/name`` looks like a Hub id rather than words joined by a slash
    ("instruction/response", "English/Chinese", "4/8-bit"): both parts hold a letter, and one holds a digit, a
    hyphen, an underscore, a dot or a capital letter after its first character."""
    if not (any(c.isalpha() for c in owner) and any(c.isalpha() for c in name)):
        return False
    return any(c.isdigit() or c in "-_." for c in owner + name) or any(c.isupper() for c in owner[1:] + name[1:])


def _model_ids(rec: ModelRecord) -> set[str]:
    """Ids the card names as models (lower-cased): its declared bases and merged models, every Hub model it
    links and every ``from_pretrained("…")`` it calls."""
    from openscope.derive.openness.probes.weights_released import HUB_MODEL_LINK, _repo_id, declared_base_ids

    assert rec.card is not None
    out = set(declared_base_ids(rec))
    out.update(_repo_id(ln.url) for ln in rec.card.links if HUB_MODEL_LINK.search(ln.url))
    if "from_pretrained" in rec.card.lowered_body:
        out.update(x.lower() for x in _FROM_PRETRAINED.findall(rec.card.body))
    return out


def _plain_ids(text: str, start: int, end: int, *, listed_at: int | None = None, sentence: bool = False,
               named_only: bool = False) -> Iterator[tuple[int, int, str]]:
    """(start, end, id) of the Hub-id-shaped names in ``text[start:end]`` that read as datasets: quoted
    (`` `org/name` ``), followed by the word "dataset", a list item's whole content (an item starting at
    ``listed_at``: the id alone, or before a separator and a description), or (in a sentence that says what the
    model was trained on, ``sentence``) shaped like a Hub id; with ``named_only``, only a name followed by the
    word "dataset" (after "trained using" or "with", a name is as often a tool: "using `org/trainer`"). Never a
    file, a local path or a name the words around it make a model or a tool."""
    for m in PLAIN_ID.finditer(text, start, end):
        quote, hid = m.group(1), m.group(2)
        owner, _, name = hid.partition("/")
        if _FILE_EXT.search(hid) or _LOCAL.match(owner) or "/" in name:
            continue
        before, after = text[max(0, m.start() - 30):m.start()], text[m.end():min(end, m.end() + 30)]
        if _MODEL_LEAD.search(before) or _MODEL_AFTER.match(after) or _TOOL_AFTER.match(after) \
                or _negated(text, m.start()) or _denied_after(text, m.end()) \
                or _denied_after_en_zh(text, m.end()):
            continue
        if named_only:
            if _DATASET_WORD.match(after):
                yield m.start(2), m.end(2), hid
            continue
        listed = m.start() == listed_at and bool(_ITEM_END.match(after))
        if quote or _DATASET_WORD.match(after) or listed or (sentence and _hub_shaped(owner, name)):
            yield m.start(2), m.end(2), hid


_NEVER = re.compile(r"(?!)")


def _clause(text: str, a: int, b: int, reach: int = 200) -> str:
    """The clause around ``text[a:b]``: back to and on to a sentence or clause end (at most ``reach`` characters
    each way)."""
    lead = text[max(0, a - reach):a]
    ends = list(_CLAUSE_END.finditer(lead))
    tail = text[b:b + reach]
    stop = _CLAUSE_END.search(tail)
    return lead[ends[-1].end() if ends else 0:] + text[a:b] + tail[:stop.start() if stop else len(tail)]


def _negated(text: str, at: int) -> bool:
    """Whether the words before ``at`` deny what stands at ``at``: a negation in the same clause, with nothing
    between it and the name that ends its scope (:data:`_SCOPE_BREAK`) but a list of names the name ends ("The
    model was not trained on X", "We do NOT use [A](…), [B](…) or X", "未使用 X 数据集"). Why scoped: a careful
    reader takes X for data the model was *not* trained on, and reads "This is not a chat model, trained on X" or
    "not only X" as saying it was; the lead is read back at most 160 characters."""
    lead = text[max(0, at - 160):at]
    listed = _LIST_BEFORE.search(lead) if ("," in lead or "、" in lead or "，" in lead or " or " in lead
                                           or " and " in lead or " nor " in lead or "和" in lead or "或" in lead
                                           or "及" in lead or "与" in lead) else None
    if listed:
        lead = lead[:listed.start()]
    breaks = list(_SCOPE_BREAK.finditer(lead))
    while breaks and breaks[-1].group() in ":：" and _LIST_INTRO.search(lead, 0, breaks[-1].start()):
        breaks.pop()
    clause = lead[breaks[-1].end() if breaks else 0:]
    return any(not _NOT_A_DENIAL.match(clause, m.start()) for m in _NEGATED.finditer(clause))


# A denial after a name in English or Chinese: "[X](…) was not used", "X is not included", "X was excluded",
# "[X](…)未被使用", "X 没有用于训练" (only the verbs of using, including and training on, in the name's own clause).
_DENIED_AFTER_EN_ZH = re.compile(
    r"^[`\"']?\s+(?:(?:dataset|data\s*set|data|corpus)s?\s+)?(?:was|were|is|are|has\s+been|have\s+been)\s+"
    r"(?:(?:not|never)\s+(?:used|included|part\s+of|seen|trained\s+on|utili[sz]ed)|excluded|held\s+out|withheld)\b"
    r"|^[`\"']?\s*(?:(?:数据集?|语料)\s*)?(?:未|没有|并未|并没有|从未)(?:被|曾)?(?:使用|采用|用于|参与|纳入|包含在)"
    r"|^[`\"']?\s*(?:(?:数据集?|语料)\s*)?不(?:被)?(?:用于|参与)(?:模型)?(?:的)?(?:训练|微调)", re.IGNORECASE)


def _denied_after_en_zh(text: str, end: int) -> bool:
    """Whether the words right after a name (ending at ``end``) deny it in English or Chinese ("[X](…) was not
    used in training", "X 未被使用"): the passive forms that put the denial after the name."""
    return _DENIED_AFTER_EN_ZH.match(text[end:end + 80]) is not None


def _denied_after(text: str, end: int) -> bool:
    """Whether the clause after ``end`` (on to a sentence or clause end, at most 120 characters) denies, in a
    Japanese or Korean clause: "Xは学習に使用していません", "X는 사용하지 않았습니다". Why: these languages put the
    verb, and its negation, after the object, where :func:`_negated` does not look."""
    tail = text[end:end + 120]
    stop = _CLAUSE_END.search(tail)
    tail = tail[:stop.start()] if stop else tail
    return kana_or_hangul(tail) and _DENIED_AFTER.search(tail) is not None


# After a list item's id: the end of the item, or a separator before a description ("- org/chat-mix: 200k
# dialogues", "- org/chat-mix (200k dialogues)").
_ITEM_END = re.compile(r"^[ \t]*(?:$|\n|[:(,;–—]|-[ \t])")


def plain_dataset_id(rec: ModelRecord) -> Evidence | None:
    """A Hub dataset the card names by its id in plain text where it says what the model was trained on:
    "fine-tuned on the `org/chat-200k` dataset", "trained on org/Chat-Mix", or an item of a list under a
    training-data heading ("## Training data" › "- org/chat-mix"). Why: the id names a Hub dataset as plainly as
    a link does. Not on evaluation, calibration or demonstration lines or sections, not in code, hidden or
    cited text, and never an id the card names as a model (its base, a merged model, a linked model, a
    ``from_pretrained`` argument)."""
    card = rec.card
    if card is None or "/" not in card.body:
        return None
    off = len(card.text) - len(card.body)
    # evaluation is judged by the id's own clause and its section ("Trained on org/x; evaluated on org/y": org/x
    # is training data), calibration and demonstration by its line
    eval_section = _evaluation_context(rec, _NEVER, EVAL_SECTION)
    about_calibration = _evaluation_context(rec, CALIBRATION_CONTEXT, QUANT_SECTION)
    idx = card_index(rec)
    models: set[str] | None = None
    found: list[tuple[int, int, int]] = []   # (offset in the body, end, line)

    def usable(a: int, b: int, hid: str) -> bool:
        nonlocal models
        at = off + a
        line = card.line_of(at)
        if idx.is_hidden(at) or in_code(rec, at) or citing_section(idx.section(at)) or eval_section(line) \
                or line in denied_lines(rec, COMPONENT) \
                or EVAL_CONTEXT.search(_clause(card.body, a, b)) or about_calibration(line) \
                or DEMO_CONTEXT.search(_line(rec, line)):
            return False
        models = _model_ids(rec) if models is None else models
        return hid.lower() not in models

    low = card.lowered_body
    verbs = (m for m in TRAINED_ON_LOWER.finditer(low) if _verb_starts(low, m.start())) if len(low) == len(card.body) \
        else TRAINED_ON.finditer(card.body)
    for seen, m in enumerate(verbs):
        if seen >= MAX_MATCHES:
            break
        stop = min(len(card.body), m.end() + 300)
        for cut in ("\n", ". "):
            i = card.body.find(cut, m.end(), stop)
            stop = i if i >= 0 else stop
        on = card.body[m.start():m.end()].split()[-1].lower() == "on"   # (the word before the names)
        for a, b, hid in _plain_ids(card.body, m.end(), stop, sentence=True, named_only=not on):
            if usable(a, b, hid):
                found.append((a, b, card.line_of(off + a)))
                break
        if found:
            break
    for sec in card.sections:
        if found and sec.start >= off + found[0][0]:
            break
        if not DATA_SECTION.search(sec.title) or EVAL_SECTION.search(sec.title) or QUANT_SECTION.search(sec.title):
            continue
        at = sec.start - off
        for ln in sec.text.split("\n"):
            item = _LIST_ITEM.match(ln)
            ids = _plain_ids(card.body, at, at + len(ln), listed_at=at + item.start(1) if item else None)
            hit = next(((a, b) for a, b, hid in ids if usable(a, b, hid)), None)
            if hit:
                found.append((hit[0], hit[1], card.line_of(off + hit[0])))
                break
            at += len(ln) + 1
        if found:
            break
    if not found:
        return None
    a, b, _ = min(found)
    anchor, snip = card.span(off + a, off + b)
    return Evidence("card", f"{rec.card_locator}{anchor}", snip, rec.read_at)


# A list item's content (after its bullet or number).
_LIST_ITEM = re.compile(r"^[ \t]{0,6}(?:[-*+]|\d+[.)])[ \t]+(\S)")


def shipped_training_data(rec: ModelRecord, limit: int = 3) -> list[str]:
    """Training data the folder or repository ships as files: data files named train* (:data:`TRAIN_DATA_FILES`),
    then data files the card names as training data, by their own path or a folder on it (`` `data/` ``,
    ``[corpus](corpus/)``, ``./data/corpus.jsonl``) on a line that calls it training data or in a training-data
    section (not an evaluation one, and not in a line the card denies for the Datasets). Why: a file shipped beside
    the weights is released as they are, under the repository's licence unless the card states another; only the
    folder and the card's words decide it is training data, never the model's name. A data folder the card does not
    call training data ("data/corpus.jsonl" alone) is not credited: it may hold anything."""
    if not rec.files:
        return []
    named = [p for p, _ in rec.files if TRAIN_DATA_FILES.search(p)]
    if named or rec.card is None:
        return named[:limit]
    data = [p for p, _ in rec.files if "/" in p and DATA_FILES.search(p)]
    if not data:
        return []
    card = rec.card
    lines = card.lines(splitlines=True)
    about_evaluation = _evaluation_context(rec)
    starts = sorted(((s.line, s.title) for s in card.sections), reverse=True)
    denied = denied_lines(rec, COMPONENT)
    out: list[str] = []
    for path in data:
        parts = path.split("/")
        places = ["/".join(parts[:i]) for i in range(1, len(parts))] + [path]
        said = re.compile(r"(?<![\w./-])(?:\./)?(?:" + "|".join(re.escape(x) for x in places)
                          + r")(?:/|(?=[`)\]]))", re.IGNORECASE)
        for i, text in enumerate(lines, 1):
            if i in denied or not said.search(text) or about_evaluation(i):
                continue
            section = next((t for start, t in starts if start <= i), "")
            if TRAINING_WORDS.search(text) or DATA_SECTION.search(section):
                out.append(path)
                break
        if len(out) >= limit:
            break
    return out


# Training data the card says it keeps to itself: proprietary, internal, in-house, private, confidential, not disclosed.
_WITHHELD_WORD = (r"proprietary|in-house|inhouse|internal|private|confidential|undisclosed|non-public"
                  r"|not[ \t]+(?:publicly[ \t]+)?disclosed")
_DATA_NAME = (r"(?:(?:pre-?|post-?)?training|fine-?tuning|finetuning|instruction|sft)[ \t-]+(?:data(?:[ \t]*sets?)?|corp(?:us|ora)"
              r"|sets?|mix(?:ture)?)|data(?:[ \t]*sets?)?|corp(?:us|ora)")
# "Training data: proprietary", "- **Training Data:** Internal", "Pretraining corpus: not disclosed" (a field whose value
# says so; "Training data: proprietary licence" is the data's licence, and "License: proprietary" no data at all).
PROPRIETARY_FIELD = re.compile(
    rf"^[ \t>]*(?:(?:[-*+]|\d+[.)])[ \t]+)?[*_]*(?P<at>(?:{_DATA_NAME})(?:[ \t]+sources?)?[*_]*[ \t]*[:：][*_ \t]*"
    rf"(?:{_WITHHELD_WORD}))\b(?![ \t-]*(?:licen[cs]e|terms|agreement|use\b))",
    re.IGNORECASE | re.MULTILINE)
# "proprietary data", "an in-house corpus", "our own private dataset", "internal instruction data", and "the training
# data is confidential" (read with the words around it: :func:`withheld_data`).
PROPRIETARY_PHRASE = re.compile(
    rf"\b(?P<at>(?:{_WITHHELD_WORD})[ \t]+(?:(?:training|pre-?training|fine-?tuning|instruction|sft|web|text|code|chat"
    rf"|conversation(?:al)?|dialogue|image|customer|user|domain)[ \t]+)?(?:data(?:[ \t]*sets?)?|corp(?:us|ora))"
    rf"|(?:(?:pre-?|post-?)?training|fine-?tuning|instruction|sft)[ \t-]+(?:data(?:[ \t]*sets?)?|corp(?:us|ora))[ \t]+"
    rf"(?:is|are|was|were|remains?)[ \t]+(?:kept[ \t]+)?(?:strictly[ \t]+)?(?:{_WITHHELD_WORD}))\b",
    re.IGNORECASE)
PROPRIETARY_NEEDLES = ("proprietary", "in-house", "inhouse", "internal", "private", "confidential", "undisclosed",
                       "non-public", "disclosed")
# A mention of the training data, for a sentence that denies or promises it ("The pretraining corpus is not publicly
# available", "We do not release the training data", "The data will be released soon").
TRAINING_DATA_TEXT = re.compile(
    r"\b(?P<at>(?:(?:pre-?|post-?)?training|fine-?tuning|finetuning|instruction|sft)[ \t-]+(?:data(?:[ \t]*sets?)?"
    r"|corp(?:us|ora))|(?:the|our|its)[ \t]+(?:data(?:[ \t]*sets?)?|corp(?:us|ora)))\b", re.IGNORECASE)
TRAINING_DATA_NEEDLES = ("data", "corpus", "corpora")
# The same in Chinese, Japanese and Korean, searched only in a card that is not ASCII (a CJK character is a word
# character to ``re``: no ``\b``). Withheld: 私有, 专有, 内部, 自有, 自建, 保密, 未公开, 不公开, 非公开, 未披露; 社内, 自社, 独自,
# 非公開; 내부, 자체, 사내, 비공개. Data: 数据(集), 语料, データ(セット), コーパス, 데이터(셋), 말뭉치.
_CJK_WITHHELD = r"私有|专有|专属|内部|自有|自建|保密|未公开|不公开|非公开|未披露|不披露|社内|自社|独自|非公開|내부|자체|사내|비공개|미공개"
_CJK_DATA = r"数据集?|语料(?:库)?|データ(?:セット)?|コーパス|데이터\s?셋|데이터|말뭉치"
_CJK_TRAINING_DATA = (r"(?:预训练|训练|微调|指令)(?:数据集?|语料)|(?:事前学習|学習|訓練|ファインチューニング)(?:用)?の?(?:データ|コーパス)"
                      r"|(?:사전\s?학습|학습|훈련|파인\s?튜닝)\s?(?:데이터|코퍼스|말뭉치)")
PROPRIETARY_FIELD_CJK = re.compile(
    rf"^[ \t>]*(?:(?:[-*+]|\d+[.)])[ \t]+)?[*_]*(?P<at>(?:{_CJK_TRAINING_DATA}|{_CJK_DATA})[*_]*[ \t]*[:：][*_ \t]*"
    rf"(?:{_CJK_WITHHELD}))", re.MULTILINE)
PROPRIETARY_PHRASE_CJK = re.compile(
    rf"(?P<at>(?:{_CJK_WITHHELD})(?:的|の)?\s?(?:(?:训练|預?训练|学習|학습|훈련)(?:用)?\s?)?(?:{_CJK_DATA})"
    rf"|(?:{_CJK_TRAINING_DATA})(?:是|为|は|는|은)?\s?(?:{_CJK_WITHHELD}))")
TRAINING_DATA_TEXT_CJK = re.compile(rf"(?P<at>{_CJK_TRAINING_DATA})")
# A promise to describe the data later is no withholding of it.
_DESCRIBED_LATER = re.compile(r"\b(?:detailed|described|documented|explained|discussed|announced|updated|added)\b",
                              re.IGNORECASE)
_OUR = re.compile(r"\b(?:our|its)[ \t]+(?:own[ \t]+)?$", re.IGNORECASE)


_WITHHELD_TRIES = 8
# Words one of which each field's every match holds: a card holding none of them has no such field, and is not
# searched for one (a full search of a long card, the fields being anchored at a line's start and so no
# fast_search pattern). The CJK phrases' needles, read from the patterns (:func:`..probes.bounded_needles`), let
# ``own_mentions`` search only around them, as it does the English phrases.
_FIELD_NEEDLES = {PROPRIETARY_FIELD: required_needles(PROPRIETARY_FIELD),
                  PROPRIETARY_FIELD_CJK: required_needles(PROPRIETARY_FIELD_CJK)}
_PHRASE_CJK_NEEDLES = bounded_needles(PROPRIETARY_PHRASE_CJK)
_TRAINING_DATA_CJK_NEEDLES = bounded_needles(TRAINING_DATA_TEXT_CJK)


def withheld_data(rec: ModelRecord, limit: int = 2) -> list[Evidence]:
    """The card's words that keep training data to itself, as evidence (at most ``limit``, in card order): a field or
    a phrase that calls it proprietary, internal, in-house, private, confidential or not disclosed ("Training data:
    proprietary", "pre-trained on an in-house corpus", "fine-tuned on our own private dataset", "The training data
    is confidential"), and a mention of the training data in a sentence that denies or promises it ("The pretraining
    corpus is not publicly available", or under "## Training data (not released)"). Not a licence ("Training data:
    proprietary licence"), not a negation ("No proprietary data was used", "not trained on any proprietary data",
    "not proprietary"), not an evaluation set ("an internal test set"), and a phrase only where the card speaks of
    training (a training word in its sentence, a training-data section, or "our" before it: "Do not paste
    confidential data into the prompt" is about the user's data). Why: such a card documents its training data and
    says it is not released (``documented_not_released``); beside a dataset it does release, a reader is told both."""
    card = rec.card
    if card is None:
        return []
    off = len(card.text) - len(card.body)
    idx = card_index(rec)
    eval_section = _evaluation_context(rec, _NEVER, EVAL_SECTION)
    found: list[tuple[int, Evidence]] = []

    def about_other_data(m: re.Match[str]) -> bool:
        """An evaluation, calibration or demonstration set, or code: not the training data."""
        line = card.line_of(off + m.start())
        return in_code(rec, off + m.start()) or eval_section(line) \
            or EVAL_CONTEXT.search(_clause(card.body, m.start(), m.end())) is not None \
            or CALIBRATION_CONTEXT.search(_line(rec, line)) is not None or DEMO_CONTEXT.search(_line(rec, line)) is not None

    def about_training(m: re.Match[str]) -> bool:
        """The card speaks of training there: a training word in the sentence or the match, a training-data section,
        "our" right before, or a line the card denies for the Datasets."""
        line = card.line_of(off + m.start())
        return bool(TRAINING_WORDS.search(_sentence(card.body, m.start(), m.end())) or TRAINING_WORDS.search(m.group("at"))
                    or DATA_SECTION.search(idx.section(off + m.start())) or _OUR.search(card.body, max(0, m.start() - 20), m.start())
                    or line in denied_lines(rec, COMPONENT) or DATA_SECTION.search(_lead_label(rec, line)))

    def add(m: re.Match[str]) -> None:
        ev = mention_evidence(rec, m)
        if len(found) < limit and all(e.locator != ev.locator for _, e in found):   # (one line quoted once)
            found.append((m.start(), ev))

    cjk = not card.body.isascii()
    fields = (PROPRIETARY_FIELD, PROPRIETARY_FIELD_CJK) if cjk else (PROPRIETARY_FIELD,)
    phrases = ((PROPRIETARY_PHRASE, PROPRIETARY_NEEDLES), (PROPRIETARY_PHRASE_CJK, _PHRASE_CJK_NEEDLES)) if cjk \
        else ((PROPRIETARY_PHRASE, PROPRIETARY_NEEDLES),)
    # (the English mention is searched line by line, for the words it requires: "data" stands too often in a card for
    # a search around its occurrences, and may stand any distance after "training")
    mentions = ((TRAINING_DATA_TEXT, None), (TRAINING_DATA_TEXT_CJK, _TRAINING_DATA_CJK_NEEDLES)) \
        if cjk else ((TRAINING_DATA_TEXT, None),)
    # (at most _WITHHELD_TRIES matches of each pattern are judged: each judgement reads the match's sentence, and a
    # hostile card repeats a name along one line of hundreds of thousands of characters)
    for rx in fields:
        if not card_may_match(_FIELD_NEEDLES[rx], card.body, card.lowered_body):
            continue
        for m, _ in islice(own_mentions(rec, rx, cited=False, component=COMPONENT), _WITHHELD_TRIES):
            if not about_other_data(m):
                add(m)
                break
    for rx, needles in phrases:
        for m, _ in islice(own_mentions(rec, rx, needles, cited=False, component=COMPONENT), _WITHHELD_TRIES):
            if not _negated(card.body, m.start()) and not _denied_after(card.body, m.end()) \
                    and not about_other_data(m) and about_training(m):
                add(m)
                break
    for rx, needles in mentions:
        for m, verdict in islice(own_mentions(rec, rx, needles, cited=False, component=COMPONENT), _WITHHELD_TRIES):
            if verdict != "promised":
                continue
            sentence = _sentence(card.body, m.start(), m.end())
            # a heading that names the data is said by the sentences under it (read for themselves), unless it denies
            heading = _HEADING.match(_line(rec, card.line_of(off + m.start()))) is not None
            if about_other_data(m) or not about_training(m) or (heading and not denying_title(sentence)) \
                    or (_DESCRIBED_LATER.search(sentence) and not _NOT_RELEASED.search(sentence)):
                continue
            add(m)
            break
    return [ev for _, ev in sorted(found, key=lambda x: x[0])][:limit]


def _lead_label(rec: ModelRecord, line: int) -> str:
    """The label a paragraph stands under when the line before it (blank lines passed over) is one ending with a
    colon ("**Training Data:**" over "1.2B pairs … and a few internal datasets"), "" otherwise: a field's label
    written on a line of its own, read as the section title it stands for. (The line before the paragraph's first
    written line: a wrapped paragraph's second line has its own first line above it.)"""
    assert rec.card is not None
    at = _first_line(rec.card, line) - 1
    while at > 0 and not _line(rec, at).strip():
        at -= 1
    label = _line(rec, at).strip().strip("*_ \t") if at > 0 else ""
    return label[:-1].strip("*_ \t") if label.endswith((":", "：")) and len(label) <= 60 else ""


_NOT_RELEASED = re.compile(r"\bnot\b|n't\b|\bno\b|\bcannot\b|proprietary|confidential|private|internal|withheld",
                           re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?:[.!?](?=\s)|[。！？\n])")


def _sentence(text: str, a: int, b: int) -> str:
    """The sentence around ``text[a:b]`` within its line (at most 300 characters each way)."""
    lead = text[max(0, a - 300):a]
    ends = list(_SENTENCE_END.finditer(lead))
    tail = text[b:b + 300]
    stop = _SENTENCE_END.search(tail)
    return lead[ends[-1].end() if ends else 0:] + text[a:b] + tail[:stop.start() if stop else len(tail)]


def run(rec: ModelRecord) -> Finding:
    """The Datasets component from what is released (declared datasets, files shipped, links and ids in the card),
    else from what the card documents (:func:`withheld_data`, a training-data section). A card that releases a set
    while it keeps other training data to itself ("we release only the SFT set") is released, and its evidence shows
    the withholding words after what released it (``detail["withheld"]``): a reader sees both."""
    f = _run(rec)
    if f.status in ("open_license", "restrictive_license", "no_license"):
        withheld = withheld_data(rec)
        if withheld:
            f.evidence = f.evidence + withheld
            f.detail = {**f.detail, "withheld": [e.snippet for e in withheld]}
    return f


def _run(rec: ModelRecord) -> Finding:
    f = Finding("datasets_released", "unknown", COMPONENT, remediation=REMEDIATION)
    known = sorted((d for d in rec.datasets if d.in_store and not d.deleted), key=lambda d: d.id.lower())
    if known:
        open_ = [d for d in known if not d.private and (not d.gated or str(d.gated).lower() == "false")]
        d = open_[0] if open_ else known[0]
        # a declared id the Hub moved is read under the id it moved to (records.dataset_ref): both are named
        moved = f" (moved to {d.moved_to} on the Hub)" if d.moved_to else ""
        f.evidence = [Evidence("hub_metadata", f"https://huggingface.co/datasets/{d.moved_to or d.id}",
                               f"dataset:{d.id}{moved} gated={d.gated} private={d.private} license={d.license}",
                               rec.read_at)]
        if open_:
            f.status, f.license = released_status(d.license)
        else:
            f.status, f.license = "restrictive_license", d.license
        f.outcome = "positive" if open_ else "negative"
        f.detail = {"declared": [x.id for x in rec.datasets], "public": [x.id for x in open_],
                    "licence_of": [d.moved_to or d.id]}
        if any(x.moved_to for x in rec.datasets):
            f.detail["moved"] = {x.id: x.moved_to for x in rec.datasets if x.moved_to}
        return f
    shipped = shipped_training_data(rec)
    if shipped:
        # shipped beside the weights: under the repository's licence unless the card states one for the data
        f.status, f.license = released_status(repo_license(rec, "data"))
        f.outcome, f.evidence = "positive", [file_evidence(rec, shipped)]
        f.detail = {"shipped": shipped}
        return f
    if rec.datasets:
        f.status, f.outcome = "no_license", "positive"
        f.evidence = [hub_evidence(rec, "declared datasets: " + ", ".join(d.id for d in rec.datasets[:5]), "datasets")]
        f.detail = {"declared": [x.id for x in rec.datasets], "public": [], "licence_of": [],
                    "not_looked_up": [x.id for x in rec.datasets]}
        return f
    link = training_data_link(rec) or training_command_dataset(rec) or training_config_dataset(rec) \
        or plain_dataset_id(rec) or own_site_data(rec)
    if link:
        f.status, f.outcome, f.evidence = "no_license", "positive", [link]
        return f
    withheld = withheld_data(rec)
    sec = section_with(rec, DATA_SECTION) or data_field(rec) or generated_data(rec) or withheld_items(rec)
    if withheld or sec:
        f.status, f.outcome = "documented_not_released", "negative"
        f.evidence = withheld + ([sec] if sec else [])
        if withheld:
            f.detail = {"withheld": [e.snippet for e in withheld]}
    elif rec.card is not None:
        f.outcome = "negative"
    return f


def hosted_datasets(facts: Mapping[str, Any], findings: Mapping[str, Finding]) -> dict[str, Hosted]:
    """The Datasets component as released in repositories of their own, for the MOF's next step
    (:class:`~..evaluations.mof.Hosted`), when this probe's reading of declared Hub datasets decides it: the
    dataset whose licence it took (looked up), or every declared one when none was looked up (licence unknown).
    Empty when a cited curated fact or another reading decides the component. Why: a declared dataset's licence is
    stated in its own card, so "state an open data licence … shipping it in the repository" asks for an edit that
    changes nothing; the step must name the dataset repository instead."""
    fact, found = facts.get(COMPONENT), findings.get("datasets_released")
    if fact is None or found is None or getattr(fact, "source", "probe") != "probe" \
            or getattr(fact, "status", None) != found.status:
        return {}
    if found.detail.get("licence_of"):
        return {COMPONENT: Hosted(tuple(found.detail["licence_of"]), True)}
    if found.detail.get("not_looked_up"):
        return {COMPONENT: Hosted(tuple(found.detail["not_looked_up"]), False)}
    return {}
