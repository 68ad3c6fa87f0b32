"""Are the training datasets released? Declared datasets (tags, card) checked against dataset records."""

from __future__ import annotations

import re
from collections.abc import Callable

from openscope.derive.openness.probes import Evidence, Finding, hub_evidence, section_with
from openscope.derive.openness.probes._own_evidence import card_index, cited_link
from openscope.derive.openness.probes._own_paper import occurrences
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Datasets"
DATA_LINK = re.compile(
    r"^https?://(huggingface\.co/datasets/|hf\.co/datasets/|(www\.)?kaggle\.com/datasets/|zenodo\.org/record"
    r"|(www\.)?modelscope\.cn/datasets/|opendatalab\.|commoncrawl\.org|data\.together\.xyz|laion\.ai)",
    re.IGNORECASE)
DATA_SECTION = re.compile(r"(training|pre-?training|fine-?tuning|instruction)[- ]?(data|dataset|corpus|set)|^data(sets?)?$"
                          r"|data(set)? (sources?|composition|details)"
                          # Chinese: 训练数据, 预训练数据, 微调数据, 指令数据, 数据集, 语料, 数据来源, 数据构成
                          r"|(?:预训练|训练|微调|指令)(?:数据|语料)|^数据集?$|数据集|语料|数据(?:来源|构成|组成|配比)", re.IGNORECASE)
# A file that is an image, a video or a badge: an asset some repository hosts, not a dataset.
ASSET = re.compile(r"\.(png|jpe?g|gif|svg|webp|mp4|webm|mov)(\?|#|$)|img\.shields\.io|/badges?/", re.IGNORECASE)
# A dataset linked as a benchmark or evaluation set is not training data.
EVAL_CONTEXT = re.compile(r"benchmark|\bbench\b|[-_]bench\b|bench[-_]|evaluat|\beval|\btest(ed|ing|[- ]?sets?)?\b"
                          r"|leaderboard", re.IGNORECASE)
# Data a card offers to demonstrate its fine-tuning script ("this sample data was drawn from [X]") is the
# reader's example, not what the model was trained on.
DEMO_CONTEXT = re.compile(r"\b(?:sample|example|demo|toy|dummy)\s+(?:data|dataset)\b|\bto\s+demonstrate\b|"
                          r"\bfor\s+demonstration\b", re.IGNORECASE)
# Data a quantizer calibrates with (GPTQ's "GPTQ Dataset" column, llama.cpp's imatrix, AWQ's calibration set)
# is not what the model was trained on: a dataset linked on a line, or in a section, about quantization.
CALIBRATION_CONTEXT = re.compile(r"calibrat|\bimatrix\b|importance\s+matri|quanti[sz]", re.IGNORECASE)
QUANT_SECTION = re.compile(r"quanti[sz]|\bGPTQ\b|\bAWQ\b|\bGGUF\b|\bEXL2\b|imatrix|provided\s+files", re.IGNORECASE)
# A site's home page (https://laion.ai, https://commoncrawl.org/) names an organisation, not a dataset.
HOME_PAGE = re.compile(r"^https?://[^/]+/?$")
EVAL_SECTION = re.compile(r"bench|evaluat|\beval|result|performance|leaderboard", re.IGNORECASE)
# A Hub dataset id handed to a training run: `--dataset_name org/x`, `--dataset_mixer_list org/x`,
# `load_dataset("org/x")`. Local files (`data/x.json`, `/path/to/x`, `$VAR`) are not a released dataset, and
# an evaluation argument (`--dataset_eval_mixer`, `--eval_dataset`) is not training data; a `--…_dir`
# argument or a path under a usual local folder (`data/`, `output/`, …) is a local folder.
LOCAL_DIR = r"(?i:data|datasets?|outputs?|out|path|checkpoints?|models?|results?|tmp|cache|logs?|configs?|scripts?)"
HUB_ID = r"[A-Za-z0-9][\w.-]*/[\w.-]*[A-Za-z0-9](?![\w./-])"
TRAINING_DATASET = re.compile(
    rf"--(?!\w*eval)(?:dataset|data|train)(?!\w*dir\b)\w*(?:[ \t]+|=)[\"']?(?!{LOCAL_DIR}/)"
    rf"(?![\w.-]*/[\w.-]*\.(?:jsonl?|csv|parquet|txt|arrow)\b)({HUB_ID})"
    rf"|load_dataset\(\s*[\"']({HUB_ID})[\"']")
TRAINING_DATASET_NEEDLES = ("--data", "--train", "load_dataset(")
REMEDIATION = "Publish the training datasets (e.g. as Hub datasets, public and ungated) under open data licences."


def training_data_link(rec: ModelRecord, url: re.Pattern[str] = DATA_LINK) -> Evidence | None:
    """The first dataset link that its anchor, line and section do not present as an evaluation set."""
    if rec.card is None:
        return None
    about_evaluation = _evaluation_context(rec)
    about_calibration = _evaluation_context(rec, CALIBRATION_CONTEXT, QUANT_SECTION)
    for ln in rec.card.links:
        # an image or badge stored in a dataset repository (a banner, a "Open in Spaces" badge) is not a dataset
        if not url.search(ln.url) or ASSET.search(ln.url) or HOME_PAGE.match(ln.url):
            continue
        for place in occurrences(rec.card, ln):
            if not about_evaluation(place.line, f"{place.text} {place.url}") and not cited_link(rec, place) \
                    and not about_calibration(place.line) \
                    and not DEMO_CONTEXT.search(_line(rec, place.line)):
                shown = f"[{place.text}]({place.url})" if place.text else place.url
                return Evidence("card", place.url, f"line {place.line}: {shown}", rec.read_at)
    return None


def _line(rec: ModelRecord, line: int) -> str:
    assert rec.card is not None
    idx = card_index(rec)
    at = idx.line_start(line)
    end = rec.card.text.find("\n", at)
    return rec.card.text[at:end if end >= 0 else len(rec.card.text)]


def _evaluation_context(rec: ModelRecord, words: re.Pattern[str] = EVAL_CONTEXT,
                        sections: re.Pattern[str] = EVAL_SECTION) -> Callable[[int, str], bool]:
    """A test of whether a card line (with any extra text, such as a link's anchor) is about evaluation:
    by that text or by the title of the section the line is in (or about another context, given its ``words``
    and ``sections``: calibration for quantization). Built once per card."""
    assert rec.card is not None
    lines = rec.card.text.splitlines()
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


def run(rec: ModelRecord) -> Finding:
    f = Finding("datasets_released", "unknown", COMPONENT, remediation=REMEDIATION)
    known = sorted((d for d in rec.datasets if d.in_store and not d.deleted), key=lambda d: d.id.lower())
    if known:
        open_ = [d for d in known if not d.private and (not d.gated or str(d.gated).lower() == "false")]
        d = open_[0] if open_ else known[0]
        f.evidence = [Evidence("hub_metadata", f"https://huggingface.co/datasets/{d.id}",
                               f"dataset:{d.id} gated={d.gated} private={d.private} license={d.license}",
                               rec.read_at)]
        if open_:
            f.status, f.license = released_status(d.license)
        else:
            f.status, f.license = "restrictive_license", d.license
        f.outcome = "positive" if open_ else "negative"
        f.detail = {"declared": [x.id for x in rec.datasets], "public": [x.id for x in open_]}
        return f
    if rec.datasets:
        f.status, f.outcome = "no_license", "positive"
        f.evidence = [hub_evidence(rec, "declared datasets: " + ", ".join(d.id for d in rec.datasets[:5]), "datasets")]
        f.detail = {"declared": [x.id for x in rec.datasets], "public": []}
        return f
    link = training_data_link(rec) or training_command_dataset(rec)
    if link:
        f.status, f.outcome, f.evidence = "no_license", "positive", [link]
        return f
    sec = section_with(rec, DATA_SECTION)
    if sec:
        f.status, f.outcome, f.evidence = "documented_not_released", "negative", [sec]
    elif rec.card is not None:
        f.outcome = "negative"
    return f
