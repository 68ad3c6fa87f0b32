"""Is the code that prepared the training data (cleaning, filtering, deduplication) released?"""

from __future__ import annotations

import re

from openscope.derive.openness.probes import (
    Evidence,
    Finding,
    either,
    file_evidence,
    files_matching,
    jako_needles,
    linked_code_license,
    repo_license,
    repo_link,
)
from openscope.derive.openness.probes._own_evidence import (
    first_own_mention,
    first_undenied,
    mention_evidence,
    own_code_repository,
    own_mentions,
    with_denial,
)
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Data preprocessing code"
PREP_FILES = re.compile(r"(^|/)[\w-]{0,255}(preprocess|prepare_data|data_prep|tokeni[sz]e_data|dedup|filter_data)[\w-]{0,255}\.(py|sh)$",
                        re.IGNORECASE)
PREP_TEXT = either(
    r"\b(data(set)?[- ](processing|preprocessing|pre-processing|cleaning|filtering|curation|preparation|prep)"
    r"[- ](code|scripts?|pipeline|tool(kit|s)?|repo(sitory)?)"
    r"|(preprocess|prepare)[\w-]{0,255}\.py|data[-_]prep\b|dedup(lication)? (code|scripts?))"
    # Chinese: 数据处理代码, 数据预处理脚本, 数据清洗流程, 预处理代码, 去重代码
    , r"数据(?:集)?(?:处理|预处理|清洗|过滤|构建|准备)(?:源?代码|源码|脚本|流程|工具)|(?:预处理|去重)(?:源?代码|源码|脚本)", re.IGNORECASE,
    # Japanese: データ前処理コード, データ処理用スクリプト, 前処理コード; Korean: 데이터 전처리 코드, 데이터 정제 스크립트
    jako=r"データ(?:セット)?の?(?:処理|前処理|クリーニング|フィルタリング|構築|準備)(?:用)?の?(?:コード|スクリプト|パイプライン|ツール)"
    r"|(?:前処理|重複除去)(?:用)?の?(?:コード|スクリプト)"
    r"|데이터\s?(?:처리|전처리|정제|필터링|구축|준비)\s?(?:코드|스크립트|파이프라인|도구)|(?:전처리|중복\s?제거)\s?(?:코드|스크립트)")
PREP_TEXT_NEEDLES = ('process', 'clean', 'filter', 'curat', 'prep', 'dedup', '数据', '预处理', '去重') + jako_needles(
    'データ', '前処理', '重複除去', '데이터', '전처리', '중복')
# a linked file or folder beside the card (the card's own repository)
PREP_REL = re.compile(r"(^|[/_\s-])(preprocess\w*|data[_ -]?(prep|processing|pipeline|curation)\w*|dedup\w*)\b", re.IGNORECASE)
# A `prepare.py` under a folder of weights ("pretrained/Llama-2-7B/prepare.py" downloads and converts a base
# model) prepares a model, not the training data.
WEIGHTS_PATH = re.compile(r"(?:^|/)(?:pretrained|weights?|checkpoints?|models?|ckpts?)(?:/|$)", re.IGNORECASE)
# a release said to be open-sourced with a list that names its data pipeline ("a fully open-sourced model that
# includes the pretraining data, a data processing pipeline, pretraining scripts, …"), within one sentence: the
# training code probe's LISTED_RELEASE, for the pipeline the same list names; never a promise ("will include")
LISTED_RELEASE = re.compile(
    r"\bopen[- ]?sourced?\b[^.;\n]{0,200}?(?<!will )(?<!to )(?<!shall )\b(?:includ(?:e|es|ing)|along\s+with|"
    r"together\s+with)\b[^.;\n]{0,300}?\bdata(?:set)?[- ](?:processing|preprocessing|pre-processing|cleaning|filtering|curation|preparation)[- ]"
    r"(?:code|scripts?|pipeline|tool(?:kit|s)?)\b", re.IGNORECASE)
# A field or a table row labelled as the data pipeline that links a code-host repository ("| Data cleaning pipeline |
# [org/data](https://github.com/…) |", "- **Data processing code:** [org/data](…)"): the label presents the repository
# as that code, as training code's field does (`training_code.TRAIN_FIELD`)
PREP_FIELD = re.compile(
    r"^[ \t]*+(?:\|[ \t]*+)?[-*]?[ \t]*+\**+(?:data(?:set)?[- ](?:processing|preprocessing|pre-processing|cleaning|"
    r"filtering|curation|preparation)(?:[- ](?:code|scripts?|pipeline|tool(?:kit|s)?|repo(?:sitory)?))?)\**[ \t]*(?::|\|)"
    r"[^\n]*?https?://(?:www\.)?(?:github\.com|gitlab\.com|bitbucket\.org|codeberg\.org|gitee\.com)/",
    re.IGNORECASE | re.MULTILINE)
REMEDIATION = "Publish the data cleaning, filtering and tokenisation code under an OSI-approved licence."


def run(rec: ModelRecord) -> Finding:
    f = Finding("preprocessing_code", "unknown", COMPONENT, remediation=REMEDIATION)
    files = files_matching(rec, PREP_FILES)
    text, promised = _prep_mention(rec)
    text = text or promised   # a pipeline the card only promises is documented, not released
    repo = own_code_repository(rec, component=COMPONENT) if text and not promised else None
    rel = repo_link(rec, PREP_REL)
    # the pipeline named in the list of what the release open-sources (as its training code is)
    listed = first_own_mention(rec, LISTED_RELEASE, needles=("open",), component=COMPONENT)[0] \
        if text and not promised else None
    field = first_undenied(rec, PREP_FIELD, ("github", "gitlab", "bitbucket", "codeberg", "gitee"), COMPONENT)[0] \
        if text and not promised and not (files or repo or rel or listed) else None
    if field is not None:
        # the field links the pipeline's repository: public code, under that repository's licence (not shown)
        f.status, f.license = released_status(linked_code_license(rec, (field,)))
        f.outcome, f.evidence = "positive", [field]
    elif files or (text and repo) or rel or listed:
        f.status, f.license = released_status(repo_license(rec, "code"))
        f.outcome = "positive"
        f.evidence = [file_evidence(rec, files)] if files else [e for e in (rel or listed or text, repo) if e]
    elif text:
        f.status, f.outcome, f.evidence = "documented_not_released", "negative", with_denial(rec, text, COMPONENT)
    elif rec.card is not None or rec.files:
        f.outcome = "negative"
    return f


def _prep_mention(rec: ModelRecord) -> tuple[Evidence | None, Evidence | None]:
    """(the first own mention of preprocessing code, the first promised one), leaving out a ``prepare.py`` in
    a folder of weights."""
    card = rec.card
    promised: Evidence | None = None
    if card is None:
        return None, None
    for m, verdict in own_mentions(rec, PREP_TEXT, needles=PREP_TEXT_NEEDLES, component=COMPONENT):
        if m.group(0).lower().endswith(".py"):
            start = max(card.body.rfind(" ", 0, m.start()), card.body.rfind("\n", 0, m.start()),
                        card.body.rfind("`", 0, m.start())) + 1
            if WEIGHTS_PATH.search(card.body[start:m.start()]):
                continue
        if verdict == "own":
            return mention_evidence(rec, m), promised
        promised = promised or mention_evidence(rec, m)
    return None, promised
