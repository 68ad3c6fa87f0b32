"""Is the training data documented in a data card or datasheet?"""

from __future__ import annotations

import re

from openscope.derive.openness.cards import Section
from openscope.derive.openness.probes import (
    Evidence,
    Finding,
    either,
    file_evidence,
    files_matching,
    jako_needles,
    link_matching,
    repo_license,
    repo_link,
    section_with,
)
from openscope.derive.openness.probes._own_evidence import mention_evidence, own_mentions
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.probes.datasets_released import training_data_link
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Data card"
SHEET_LINK = re.compile(r"datasheet|data[-_ ]?card|dataset[-_ ]?card|数据卡|数据说明|データ(?:セット)?カード|データシート"
                        r"|데이터(?:셋)?\s?카드|데이터\s?시트", re.IGNORECASE)
# A Hub dataset page (which carries a dataset card) linked as training data; evaluation sets do not count.
HUB_DATASET = re.compile(r"huggingface\.co/datasets/|hf\.co/datasets/", re.IGNORECASE)
# (Chinese: 数据卡, 数据集卡片, 数据说明)
SHEET_TEXT = either(r"\b(datasheet|data card|dataset card|data statement)s?\b", r"数据卡片?|数据集卡片|数据说明", re.IGNORECASE,
                    jako=r"データ(?:セット)?カード|データシート|데이터(?:셋)?\s?카드|데이터\s?시트")
DATA_SECTION = re.compile(r"(training|pre-?training|fine-?tuning)[- ]?(data|dataset|corpus)|^data(sets?)?$"
                          r"|data(set)? (sources?|composition|details|preparation|collection)"
                          r"|(?:预训练|训练|微调)(?:数据|语料)|^数据集?$|数据(?:来源|构成|组成|准备|收集|说明)"
                          # Japanese: 学習データ, 訓練データ, 事前学習データ, データセット, データの出典/構成; Korean: 학습 데이터,
                          # 훈련 데이터, 사전 학습 데이터, 데이터셋, 데이터 출처/구성
                          r"|(?:事前学習|学習|訓練|ファインチューニング)(?:用)?の?(?:データ|コーパス)|^データ(?:セット)?$"
                          r"|データ(?:セット)?の?(?:出典|構成|詳細|収集|準備)"
                          r"|(?:사전\s?학습|학습|훈련|파인\s?튜닝)\s?(?:데이터|코퍼스|말뭉치)|^데이터\s?(?:셋|세트)?$"
                          r"|데이터\s?(?:출처|구성|수집|준비)", re.IGNORECASE)
SHEET_TEXT_NEEDLES = ('datasheet', 'data card', 'dataset card', 'data statement', 'data cards', 'dataset cards', '数据卡',
                      '数据集卡片', '数据说明') + jako_needles('データカード', 'データセットカード', 'データシート', '데이터카드',
                                                              '데이터 카드', '데이터셋카드', '데이터셋 카드', '데이터시트',
                                                              '데이터 시트')
# A datasheet shipped in the repository itself (RE2-compatible: the set-based form uses it verbatim).
SHEET_FILES = re.compile(r"(^|/)[\w.-]{0,255}(datasheet|data[_-]?card|dataset[_-]?card)[\w.-]{0,255}\.(md|pdf|html?)$",
                         re.IGNORECASE)
# The topics of a datasheet (Gebru et al., "Datasheets for Datasets": composition, collection process, preprocessing)
# as the Hub's dataset-card template titles them; a model card whose sections carry two of them holds a datasheet.
DATASHEET_TOPIC = re.compile(r"(?:\d+(?:\.\d+)*\.?\s*)?(dataset structure|data fields|data splits|data instances"
                             r"|curation rationale|source data|initial data collection(?: and normali[sz]ation)?"
                             r"|(?:data )?collection process|annotation process|personal and sensitive information"
                             r"|considerations for using the data|discussion of biases|preprocessing(?:/| and )cleaning"
                             r"(?:/| and )labell?ing)", re.IGNORECASE)
REMEDIATION = "Publish a datasheet for the training data: sources, composition, collection, filtering, licences."


def _hub_dataset_license(rec: ModelRecord, locator: str) -> str | None:
    """The licence of a linked Hub dataset when the store has its record (its card is under it)."""
    for d in rec.datasets:
        if d.in_store and locator.rstrip("/").lower().endswith("/datasets/" + d.id.lower()):
            return d.license
    return None


HUB_DATASET_NEAR = re.compile(r"huggingface\.co/datasets/|hf\.co/datasets/|hugging ?face hub|\bon the hub\b|🤗",
                              re.IGNORECASE)


def _on_the_hub(rec: ModelRecord, mention: Evidence) -> bool:
    """Whether the lines a datasheet mention quotes (or the line before) name a Hub dataset page."""
    assert rec.card is not None
    m = re.search(r"#L(\d+)(?:-L(\d+))?$", mention.locator)
    if not m:
        return False
    first, last = int(m.group(1)), int(m.group(2) or m.group(1))
    lines = rec.card.lines(splitlines=True)
    return bool(HUB_DATASET_NEAR.search(" ".join(lines[max(0, first - 4):last])))


def _anchor_of_a_link_elsewhere(body: str, start: int, end: int) -> bool:
    """Whether body[start:end] lies in the anchor of a Markdown link to an absolute address that is no Hub
    dataset page ("[data card](https://host/other-repo/blob/main/DATA_CARD.md)"). Why: such a mention is that
    link, a document elsewhere whose terms it does not show, as a technical report linked so is; read as the
    card's own text it took the repository's licence. Read without a regular expression: linear on any line."""
    ls = body.rfind("\n", 0, start) + 1
    open_at = body.rfind("[", ls, start)
    if open_at < 0 or "]" in body[open_at:start]:
        return False
    nl = body.find("\n", end)
    close = body.find("](", end, len(body) if nl < 0 else nl)
    if close < 0 or "[" in body[end:close]:
        return False
    url = body[close + 2:close + 260].lstrip("<").lower()
    return url.startswith(("http://", "https://", "//", "www.")) and not HUB_DATASET.search(url[:120])


def _own_sheet_text(rec: ModelRecord) -> Evidence | None:
    """The first datasheet mention the card makes as its own (not cited, hidden, promised or denied: the rules of
    :mod:`._own_evidence`) that is not only the anchor of a link elsewhere (:func:`_anchor_of_a_link_elsewhere`)."""
    assert rec.card is not None
    body = rec.card.body
    for m, verdict in own_mentions(rec, SHEET_TEXT, SHEET_TEXT_NEEDLES, component=COMPONENT):
        if verdict == "own" and not _anchor_of_a_link_elsewhere(body, m.start(), m.end()):
            return mention_evidence(rec, m)
    return None


def datasheet_sections(rec: ModelRecord) -> Evidence | None:
    """The first of the card's own sections titled as a datasheet's topics, when at least two distinct topics
    hold text ("### Source Data", "### Curation Rationale", "### Dataset Structure"): a datasheet written inside
    the model card. Why: the MOF's Data card is "documentation for datasets including source, characteristics, and
    preprocessing details", wherever it is; under "## Training data: X" those sections are that documentation,
    while a training-data paragraph is not (it stays ``documented_not_released``). Titles only, read whole: a
    word of one ("Annotations" in "WebVid motion annotations") is no topic."""
    assert rec.card is not None
    seen: dict[str, Section] = {}
    for s in rec.card.sections:
        m = DATASHEET_TOPIC.fullmatch(s.title.strip().rstrip(":"))
        if m and s.text.strip():
            seen.setdefault(m.group(1).lower(), s)
    if len(seen) < 2:
        return None
    first = min(seen.values(), key=lambda s: s.start)
    lead = first.start + len(first.text) - len(first.text.lstrip())
    anchor, snip = rec.card.span(lead, lead, 160, stop=first.start + len(first.text), from_line=first.line)
    return Evidence("card", f"{rec.card_locator}{anchor}", f"## {first.title}: {snip}", rec.read_at)


def run(rec: ModelRecord) -> Finding:
    """Whose licence a data card is under depends on where it is: in the repository (a file, a relative
    link, the card's own text) under the repository's; on a Hub dataset page under that dataset's (when
    the store knows it); anywhere else unknown (``no_license``)."""
    f = Finding("data_card", "unknown", COMPONENT, remediation=REMEDIATION)
    files = files_matching(rec, SHEET_FILES)
    rel = repo_link(rec, SHEET_LINK)
    # a datasheet the card names as its own (not one it cites, hides or promises); a "dataset card" named
    # beside a Hub dataset ("See the [org/x](…) dataset card on the Hub") is that dataset's card, not the
    # repository's: it is under that dataset's licence
    text = _own_sheet_text(rec) if rec.card is not None else None
    link = link_matching(rec, SHEET_LINK)
    hub = None if link else training_data_link(rec, HUB_DATASET)
    elsewhere = text is not None and not (files or rel) and _on_the_hub(rec, text)
    if elsewhere:
        assert text is not None
        f.status, f.license = released_status(_hub_dataset_license(rec, hub.locator) if hub else None)
        f.outcome, f.evidence, f.detail = "positive", [text], {"explicit": True}
        return f
    if files or rel or text:
        f.status, f.license = released_status(repo_license(rec))
        ev = [file_evidence(rec, files)] if files else [e for e in (rel, text, link) if e]
    elif link:
        f.status, f.license, ev = "no_license", None, [link]
    elif hub:
        f.status, f.license = released_status(_hub_dataset_license(rec, hub.locator))
        ev = [hub]
    else:
        ev = []
    if ev:
        f.outcome, f.evidence = "positive", ev[:1]
        f.detail = {"explicit": hub is None or bool(files or rel or text)}
        return f
    # a datasheet written inside the model card: the MOF's Data card (the card's own text, under the repository's
    # licence); for the OSAI index not a datasheet of its own (``explicit`` False: partial, as dataset pages are)
    inside = datasheet_sections(rec) if rec.card is not None and len(rec.card.sections) > 2 else None
    if inside is not None:
        f.status, f.license = released_status(repo_license(rec))
        f.outcome, f.evidence, f.detail = "positive", [inside], {"explicit": False, "inside_card": True}
        return f
    sec = section_with(rec, DATA_SECTION, min_chars=150)
    if sec:
        f.status, f.outcome, f.evidence = "documented_not_released", "negative", [sec]
    elif rec.card is not None:
        f.outcome = "negative"
    return f
