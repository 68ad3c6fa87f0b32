"""Is the evaluation data available? Named public benchmarks are released data."""

from __future__ import annotations

import re

from openscope.derive.openness.probes import Evidence, Finding, file_evidence, repo_license
from openscope.derive.openness.probes._contents import contents_entry
from openscope.derive.openness.probes._own_evidence import mention_evidence, own_mentions
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Evaluation data"
BENCHMARKS = re.compile(
    r"\b(MMLU|GSM8K|HumanEval|MBPP|HellaSwag|ARC-(e|c|easy|challenge)|TruthfulQA|WinoGrande|BIG-?Bench|BBH|C-?Eval|"
    r"CMMLU|MT-?Bench|AlpacaEval|PIQA|BoolQ|LAMBADA|MATH|SQuAD|GLUE|SuperGLUE|LibriSpeech|Common ?Voice|COCO|"
    r"ImageNet|VBench|GenEval|DrawBench|LiveCodeBench|AIME|GPQA|IFEval|MS-?COCO|T2I-CompBench)\b")
# Lower-case words of which every match of BENCHMARKS holds one (the card is searched only around them):
# "mmlu" (also CMMLU), "bench" (BIG-Bench, MT-Bench, VBench, DrawBench, LiveCodeBench, T2I-CompBench), "eval"
# (HumanEval, C-Eval, AlpacaEval, GenEval, IFEval), "voice" (Common Voice), "coco" (COCO, MS-COCO), "glue" (GLUE,
# SuperGLUE), "arc-" and each other name.
BENCHMARK_NEEDLES = ("mmlu", "gsm8k", "eval", "mbpp", "hellaswag", "arc-", "truthfulqa", "winogrande", "bench", "bbh",
                     "piqa", "boolq", "lambada", "math", "squad", "glue", "librispeech", "voice", "coco", "imagenet",
                     "aime", "gpqa")
# Evaluation data shipped in the repository (the set-based form runs it too, shipped_eval_data): a data
# file whose name, or whose folder's name, starts with eval/evaluation/benchmark.
EVAL_DATA_FILES = re.compile(r"(^|/)(eval|evaluation|benchmark)[\w-]{0,255}(/[\w.-]{1,100}){0,3}\.(jsonl?|csv|tsv|parquet|arrow)$",
                             re.IGNORECASE)
# What a trainer or an evaluation run writes beside the weights, not evaluation data: the Hugging Face Trainer's
# eval_results.json, eval_metrics.json, eval_predictions.jsonl, eval_nbest_predictions.json, an evaluation
# harness's evaluation_results.json, results_<date>.json, eval/metrics.json: a file or folder whose name has a
# word naming results, metrics, predictions, scores, logs, outputs or generations (anything may follow it:
# eval_results_mnli.json), or that ends in state, args, arguments, config, params, loss or summary (eval_state.json;
# evaluation/state_of_the_union.jsonl is data), as TRAIN_DATA_FILES leaves out train_results.json. The set-based form runs
# this very rule on each stored path (shipped_eval_data).
NOT_EVAL_DATA_FILE = re.compile(
    r"(^|[/_-])((results?|metrics?|predictions?|preds|null_odds|scores?|logs?|outputs?|generations?)([_-][^/]{0,100})?"
    r"|state|args|arguments|config|params|loss|summary)(/|\.(jsonl?|csv|tsv|parquet|arrow)$)",
    re.IGNORECASE)
# A benchmark named as a source of training data, not as what the model was evaluated on: "augmented using the
# training sets from GSM8K and MATH", "the training split of MBPP", "the GSM8K training set" (a benchmark's training
# split is training data; the words before reach back over a list of up to four names).
TRAINING_SPLIT_BEFORE = re.compile(r"\btrain(?:ing)?[ \t-](?:sets?|splits?|data|portions?)[ \t]+(?:of|from)[ \t]+(?:the[ \t]+)?"
                                   r"(?:[\w.+-]{1,40}(?:[ \t]*,[ \t]*|[ \t]+and[ \t]+|[ \t]*,[ \t]*and[ \t]+)){0,4}$",
                                   re.IGNORECASE)
# A benchmark's data named as what the model was trained on: "We trained on [Common Voice Welsh](…) and our own
# recordings", "fine-tuned it on SQuAD and BoolQ" (a speech or reading benchmark is also a training corpus). The
# words before reach back over "it", "them", "the model", "our model", "the" and a list of up to four names.
TRAINED_ON_BEFORE = re.compile(r"\b(?:(?:pre-?)?train(?:ed)?|fine-?tun(?:ed|e))[ \t]+(?:(?:it|them|the[ \t]+model|our[ \t]+"
                               r"model)[ \t]+)?on[ \t]+(?:the[ \t]+)?(?:[\w.+-]{1,40}(?:[ \t]*,[ \t]*|[ \t]+and[ \t]+|"
                               r"[ \t]*,[ \t]*and[ \t]+)){0,4}\[?$", re.IGNORECASE)
TRAINING_SPLIT_AFTER = re.compile(r"^(?:'s)?[ \t]+train(?:ing)?[ \t-](?:sets?|splits?|data)\b", re.IGNORECASE)
REMEDIATION = "Name the evaluation datasets and publish any custom evaluation data under an open data licence."
# A card line about the evaluation data itself (a benchmark it names, or the words "evaluation data", "test set",
# "benchmark"), where a licence it states is the evaluation data's.
EVAL_DATA_WORDS = re.compile(r"\b(?:evaluation|eval|test|benchmark)[ \t_-]*(?:data(?:sets?)?|sets?|splits?)\b"
                             r"|\bbenchmarks?\b|评测数据|评估数据|評価データ|평가\s?데이터", re.IGNORECASE)
LICENCE_WORDS = ("licen", "许可", "協議", "协议", "ライセンス", "라이선스", "cc-by", "cc by")
_LICENCE_WORD = re.compile("|".join(re.escape(w) for w in LICENCE_WORDS))


def _lines_naming_a_licence(text: str) -> list[int]:
    """The 1-based lines of ``text`` whose lower case holds one of :data:`LICENCE_WORDS`, in order. Why: found in one
    pass over the lower-cased card, not by lower-casing and testing each of its lines (the other lines are never
    read). ``text.lower()`` has the same line breaks as ``text``, and its lines are the lower case of ``text``'s
    lines (no character lowers to or from a line break, and a word never spans one)."""
    low = text.lower()
    out: list[int] = []
    line, at = 1, 0
    for m in _LICENCE_WORD.finditer(low):
        line += low.count("\n", at, m.start())
        at = m.start()
        if not out or out[-1] != line:
            out.append(line)
    return out


def stated_licence(rec: ModelRecord) -> tuple[str, Evidence] | None:
    """The licence the card states for its evaluation data, with the line that states it: a line that names a
    benchmark or the evaluation data and a licence for the data or for what the line names ("The evaluation data
    (MMLU) is released under the MIT license.", "MMLU is released under the MIT license"; not one it names only for
    the code or the weights), not in a line the card denies for it. Why: a named benchmark's licence is its own, so
    a name alone is ``no_license``; a card that states it has told the reader what it is, as a card that states
    its evaluation code's licence has."""
    card = rec.card
    if card is None or not any(w in card.lowered_body for w in LICENCE_WORDS):
        return None
    from openscope.derive.openness.probes.datasets_released import denied_lines
    from openscope.derive.openness.probes.license_declared import licences_in

    denied = denied_lines(rec, COMPONENT)
    lines = card.lines()
    for i in _lines_naming_a_licence(card.text):
        line, start = lines[i - 1], card.line_start(i)
        if i in denied or not (EVAL_DATA_WORDS.search(line) or BENCHMARKS.search(line)):
            continue
        named = [lic for lic, scope in licences_in(line) if not scope or "data" in scope]
        if named:
            lead = start + len(line) - len(line.lstrip())
            anchor, snip = card.span(lead, lead, 200, stop=start + len(line))
            return named[0], Evidence("card", f"{rec.card_locator}{anchor}", snip, rec.read_at)
    return None


def training_split(rec: ModelRecord, m: re.Match[str]) -> bool:
    """Whether the benchmark mention ``m`` (a match in the card's body) is named as training data, its training split
    (:data:`TRAINING_SPLIT_BEFORE`, :data:`TRAINING_SPLIT_AFTER`, on its line) or the data the model was trained on
    (:data:`TRAINED_ON_BEFORE`: "We trained on [Common Voice Welsh](…)"). Why: on a development card "augmented
    using the training sets from GSM8K and MATH, ensuring that no data from the testing sets is included" was quoted as
    the evaluation data; it says what the model was trained on."""
    card = rec.card
    assert card is not None
    text, off = card.text, len(card.text) - len(card.body)
    a, b = off + m.start(), off + m.end()
    line_start = text.rfind("\n", 0, a) + 1
    line_end = text.find("\n", b)
    before = text[max(line_start, a - 300):a]
    return bool(TRAINING_SPLIT_BEFORE.search(before) or (" on" in before and TRAINED_ON_BEFORE.search(before))
                or TRAINING_SPLIT_AFTER.match(text[b:len(text) if line_end < 0 else min(line_end, b + 100)]))


def shipped_eval_data(rec: ModelRecord, limit: int = 3) -> list[str]:
    """Evaluation data files the repository ships (not what an evaluation run wrote). A function of its own so the
    set-based grading decides each stored path with this very code (:mod:`..sql`)."""
    return [p for p, _ in rec.files if EVAL_DATA_FILES.search(p) and not NOT_EVAL_DATA_FILE.search(p)][:limit]


def _first_benchmark(rec: ModelRecord) -> Evidence | None:
    """The first benchmark the card names as one the model was evaluated on, not as a training source
    (:func:`training_split`); a table of contents' entry ("1. [HumanEval](#humaneval)",
    :func:`.._contents.contents_entry`) gives way to the next mention, and is quoted only when there is none."""
    entry = None
    for m, verdict in own_mentions(rec, BENCHMARKS, BENCHMARK_NEEDLES, cited=False, component=COMPONENT):
        if verdict != "own" or training_split(rec, m):
            continue
        if rec.card is not None and contents_entry(rec.card.body, m.start()):
            entry = entry or m
            continue
        return mention_evidence(rec, m)
    return mention_evidence(rec, entry) if entry is not None else None


def run(rec: ModelRecord) -> Finding:
    """Evaluation data in the repository (not what an evaluation run wrote, :data:`NOT_EVAL_DATA_FILE`) is under
    the repository's licence; a public benchmark the card
    names is released, but under its own licence, which the name alone does not tell (``no_license``) unless
    the card states it (:func:`stated_licence`)."""
    f = Finding("evaluation_data", "unknown", COMPONENT, remediation=REMEDIATION)
    files = shipped_eval_data(rec)
    if files:
        f.status, f.license = released_status(repo_license(rec, "data"))
        f.outcome, f.evidence = "positive", [file_evidence(rec, files)]
        return f
    # a benchmark the model was evaluated on, not one named only in a section of others' work (references,
    # acknowledgements, citations) or in text a reader never sees (an HTML comment)
    ev = _first_benchmark(rec)
    if ev:
        f.status, f.outcome, f.evidence = "no_license", "positive", [ev]
        stated = stated_licence(rec)
        if stated:   # the card states the benchmark's licence: released under it
            f.status, f.license = released_status(stated[0])
            f.evidence.append(stated[1])
    elif rec.card is not None:
        f.outcome = "negative"
    return f
