"""Are evaluation results published (model-index metadata, or a results table in the card)?"""

from __future__ import annotations

import re

from openscope.derive.openness.probes import (
    Evidence,
    Finding,
    card_in_kana_or_hangul,
    hub_evidence,
    repo_license,
)
from openscope.derive.openness.probes._own_evidence import card_index, in_code, mention_evidence, own_mentions
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Evaluation results"
# A table line: its first "|", a benchmark word, then its last "|". Anchored at the line start and committed to
# the first benchmark word (atomic group), so a line of pipes is read once, not once per pipe; the match
# proper is the group ``at`` (what ``card_search`` quotes).
_RESULT_WORDS = (r"\b(?:MMLU|GSM8K|HumanEval|MBPP|HellaSwag|ARC|TruthfulQA|WinoGrande|BBH|C-?Eval|"
                 r"CMMLU|MT-?Bench|AlpacaEval|accuracy|acc|F1|BLEU|ROUGE|WER|FID|CLIP|score|pass@1|"
                 r"VBench|GenEval|benchmark|perplexity|ppl|"
                 # retrieval and ranking metrics ("| MS MARCO dev | MRR@10 |"), a classifier's top-k accuracy
                 r"MRR|nDCG|recall@\d{1,4}|top-?[1-5])\b|准确率|得分|评测|评分")
# The characters one of which every match of _RESULT_WORDS opens with (case aside), as a lookahead written before it
# where a pattern tries it at each character of a line: ``re`` tests the one class and moves on where none stands,
# not each of the thirty words (case-insensitive words give ``re`` no first character to skip ahead for). Matches
# exactly what the words match there (tests/test_openness_cardpass_speed31.py checks the class against the words'
# own first characters, for every character).
_RESULT_FIRST = r"(?=[abcfghmnprstvw准得评])"
_RESULT_FIRST_JAKO = r"(?=[abcfghmnprstvw准得评ス正精評平점정평])"
RESULTS_TABLE = re.compile(rf"^[^\n|]*+(?P<at>\|(?>[^\n]*?{_RESULT_FIRST}(?:{_RESULT_WORDS}))[^\n]*\|)", re.IGNORECASE | re.MULTILINE)
# More result words of a table, read in a second pass only when the first found no results row: detection and
# segmentation (COCO's "AP50", "mAP", "box AP", "val AP", "mIoU"; a bare "AP" may be anything), speech (CER, and the error
# column of a scoring tool's "| Corr | Sub | Del | Ins | Err |" table), forecasting (MASE, CRPS). (In the first pattern
# they made every development card's table reading 40% dearer: the alternation is tried at every character of a row.)
# A robot policy's or an agent's success rate ("| Setting | Success rate (%) |"); Hindi accuracy and score (सटीकता,
# स्कोर: Devanagari's vowel signs are no word characters to ``re``, so no ``\b`` around them).
_MORE_RESULT_WORDS = r"\b(?:mAP(?:50|75)?|AP(?:50|75)|(?:box|mask|val)[ \t]AP|mIoU|CER|Err|MASE|CRPS|success[ \t]rate)\b" \
    r"|सटीकता|स्कोर"
RESULTS_TABLE_MORE = re.compile(rf"^[^\n|]*+(?P<at>\|(?>[^\n]*?(?:{_MORE_RESULT_WORDS}))[^\n]*\|)",
                                re.IGNORECASE | re.MULTILINE)
_MORE_NEEDLES = ("map", "ap50", "ap75", " ap", "miou", "cer", "err", "mase", "crps", "success", "सटीकता", "स्कोर")
# The same with the Japanese and Korean words of a results table (スコア, 正解率, 精度, 評価, 平均; 점수, 정확도, 평가, 평균),
# searched only in a card with kana or hangul: the others do not pay for the longer alternation.
RESULTS_TABLE_JAKO = re.compile(rf"^[^\n|]*+(?P<at>\|(?>[^\n]*?{_RESULT_FIRST_JAKO}(?:{_RESULT_WORDS}|スコア|正解率|精度|評価|平均|점수|정확도|평가"
                                r"|평균))[^\n]*\|)", re.IGNORECASE | re.MULTILINE)
RESULTS_SECTION = re.compile(r"(evaluation|results|benchmarks?|performance|评测|评估|测评|结果|基准|性能"
                             r"|評価|結果|ベンチマーク|性能|평가|결과|벤치마크|성능|परिणाम|मूल्यांकन)", re.IGNORECASE)
# A row that reports a result has a number in a cell of its own ("| MMLU | 61.2 |", "| **63.7** |", "| 45.3% |",
# "| 65.2 (61.0) |");
# a row of a command's options ("| `--motion_score` | 5.0 | Score to …") is documentation, not a result.
NUMBER_CELL = re.compile(r"\|\s*[*_]*[-+]?\d+(?:[.,]\d+)?\s*%?[*_]*(?:\s*(?:\([^|)\n]{0,40}\)|±\s*[\d.]+))?"
                         r"\s*[↑↓]?\s*(?=\|)")
# A table in a training or data section (a data mixture: "| Benchmark training set | … | 6.90% |") reports what
# the model was trained on, and a table of images or videos is a gallery, not results.
# (a short heading that names a training stage or the data: "Mid-training", "Data mixture"; a long title such
# as a paper's is not read as one)
TRAINING_SECTION = re.compile(r"^\W*(?:(?:pre|mid|post|continued)[- ]?)?training\W*$|^\W*(?:training\s+)?data(?:sets?)?"
                              r"(?:\s+(?:mix(?:ture)?|composition|sources?))?\W*$|^\W*data\s+mix", re.IGNORECASE)
MEDIA = re.compile(r"<img\s|<video\s|!\[", re.IGNORECASE)
OPTION_ROW = re.compile(r"\|\s*`?--?[a-z]", re.IGNORECASE)
# Perplexity is a measured result of a language model (a quantizer's "| Q4_K_M | 9.81 |" under "perplexity
# (wikitext-2)"), but the word also names a setting ("| perplexity target | none |" above a table of
# hyperparameters). A row whose only result word is perplexity is results only as the table's header (the line
# after it is the |---| rule) or with a number of its own.
PERPLEXITY_ONLY = re.compile(rf"(?:{_RESULT_WORDS})", re.IGNORECASE)
# The generated cards' metric lines: AutoTrain's "## Validation Metrics" ("f1: 0.93"), the Trainer's "It achieves
# the following results on the evaluation set: - Loss: 0.35 - Accuracy: 0.91". A metric, a colon, a number,
# alone on its line (anchored at the line start: read once per line).
METRIC_LINE = re.compile(r"^[ \t]*(?:[-*+][ \t]+)?(?P<at>(?:eval[_ ]|validation[_ ]|test[_ ])?(?:loss|accuracy|acc|f1|"
                         r"precision|recall|auc|roc[_ ]auc|bleu|rouge\w{0,8}|wer|cer|mae|mse|rmse|r2|perplexity|"
                         r"exact[_ ]match|spearman|pearson|map|ndcg(?:@\d+)?|mrr(?:@\d+)?|(?:micro|macro|weighted)[_ ]"
                         r"\w{1,12})[ \t]*:[ \t]*[-+]?\d+(?:\.\d+)?%?)[ \t]*$", re.IGNORECASE | re.MULTILINE)
METRICS_SECTION = re.compile(r"[eé]valua(?:tion|ción|zione)|results|résultats|resultados|risultati|ergebnisse|avaliação"
                             r"|metrics|benchmarks?|performance|评测|评估|测评|结果|指标|基准|性能"
                             r"|評価|結果|指標|ベンチマーク|평가|결과|지표|벤치마크|성능|परिणाम|मूल्यांकन",
                             re.IGNORECASE)
# A result said in a sentence: a benchmark or metric word, then (within the clause) a score, a number with decimals
# or a percentage ("Top-1 accuracy on ImageNet-1k validation: 81.2%.", "HumanEval pass@1: 31.7", "F1 de 0,87 sur le
# jeu de test"). Read only in a results section (METRICS_SECTION) or on a line labelled as one ("**Évaluation :**
# …", "Results: …"), the way a reader takes it. Why: a card that reports its one score in prose showed no result.
# The score follows the word, a colon or "=", or "of", "is", "de" ("an accuracy of 91.3%"): a number after other words
# is a name or a count ("The score of Claude Opus 4.5 on CyberGym …", "5-shot", "1.5k prompts", "2024").
_SENTENCE_TAIL = (r"(?:[^\n.;]{0,60}?(?:[:=]|\b(?:of|is|was|de|di|von|reaches|achieves)\b))?[ \t]{0,3}[-+]?\d{1,3}"
                  r"(?:[.,]\d{1,3}%?|%)(?![\w.,]?\d|[\w%]))")
RESULT_SENTENCE = re.compile(rf"^[^\n]{{0,200}}?{_RESULT_FIRST}(?P<at>(?:{_RESULT_WORDS})" + _SENTENCE_TAIL,
                             re.IGNORECASE | re.MULTILINE)
# The metrics of speech synthesis and translation ("MOS de 4,1 sobre 5", "chrF++ of 54.2", "COMET: 0.86"), read in a
# second pass only when the first found no result sentence and the card holds one of them (the first pattern is tried
# at every line of most cards)
_SENTENCE_MORE = r"|\b(?:MOS|chrF\+{0,2}|COMET)(?![\w])"
RESULT_SENTENCE_MORE = re.compile(r"^[^\n]{0,200}?(?P<at>(?:\b(?:MOS|chrF\+{0,2}|COMET)(?![\w]))" + _SENTENCE_TAIL,
                                  re.IGNORECASE | re.MULTILINE)
_SENTENCE_MORE_NEEDLES = ("mos", "chrf", "comet")
RESULTS_LABEL = re.compile(r"[ \t]{0,3}(?:[-*+][ \t]{1,3})?[*_]{0,2}(?:[eé]valua(?:tion|ción|zione)|results?|résultats"
                           r"|resultados|risultati|ergebnisse)[*_]{0,2}[ \t]{0,2}[:：]", re.IGNORECASE)
# A result sentence that names the held-out split it was measured on ("Top-1 accuracy on the CIFAR-100 test set:
# 82.4%."), read outside a results section too: the split says it is an evaluation, as a results title does
ON_HELD_OUT = re.compile(r"\bon\b[^\n.;:]{0,50}?\b(?:test|validation|dev|held-out)[ -](?:set|split)\b", re.IGNORECASE)
_HELD_OUT_WORDS = ("test set", "test split", "validation set", "validation split", "dev set", "dev split",
                   "held-out set", "held-out split")
# the Trainer's sentence before its list of metrics
ON_EVALUATION_SET = re.compile(r"results on the (?:evaluation|validation|test) set", re.IGNORECASE)
REMEDIATION = "Publish evaluation results (a results table, or `model-index` metadata) with the benchmarks named."


def _table_from(body: str, at: int, max_rows: int = 60) -> str:
    """The matched row and the table rows that follow it (a header names the benchmarks, its rows the numbers)."""
    rows = []
    for line in body[at:at + 20_000].split("\n")[:max_rows]:
        if "|" not in line:
            break
        rows.append(line)
    return "\n".join(rows)


def _results_row(rec: ModelRecord) -> Evidence | None:
    """The first results-table row, preferring a results section: a row naming a benchmark or metric in a table
    that reports a number in a cell of its own, shown to readers (not in an HTML comment) and not in a section
    of others' work. A table of a command's options, of links or of videos (a gallery), or a data mixture in a
    training or data section, names a metric word without reporting a result."""
    if rec.card is None:
        return None
    table_rx = RESULTS_TABLE_JAKO if card_in_kana_or_hangul(rec.card.body) else RESULTS_TABLE
    found = _results_row_by(rec, table_rx)
    if found is None and "|" in rec.card.body and any(n in rec.card.lowered_body for n in _MORE_NEEDLES):
        found = _results_row_by(rec, RESULTS_TABLE_MORE)
    if found is None and "|" in rec.card.body and any(RESULTS_SECTION.search(s.title) for s in rec.card.sections):
        found = _captioned_table(rec)
    return found


# A caption line in a results section that names a metric and ends with a colon, over the table it describes
# ("chrF++ on FLORES-200 devtest:" over "| Language | en→xx | xx→en |"): the metric is named above the table, not
# in its header.
CAPTION = re.compile(rf"^[^\n|]{{0,160}}?(?:{_RESULT_WORDS}|{_MORE_RESULT_WORDS}{_SENTENCE_MORE})[^\n|]{{0,160}}?[:：][ \t*_]*$",
                     re.IGNORECASE)


def _captioned_table(rec: ModelRecord) -> Evidence | None:
    """The first table in a results section whose caption line (the last line of text before it, one blank line
    allowed) names a metric and ends with a colon, and whose rows report a number in a cell of their own. Why: a
    translation card's "chrF++ on FLORES-200 devtest:" over a table of languages and scores showed no results, since
    table words were read only from the header. Asked only when no table header named a result."""
    card = rec.card
    assert card is not None
    off = len(card.text) - len(card.body)
    idx = card_index(rec)
    for sec in card.sections:
        if not RESULTS_SECTION.search(sec.title) or TRAINING_SECTION.search(sec.title):
            continue
        at = sec.start - off
        lines = card.body[max(0, at):max(0, at) + len(sec.text)].split("\n")
        pos = max(0, at)
        prev: list[tuple[int, str]] = []
        for line in lines:
            if line.lstrip().startswith("|"):
                cap = next((p for p in reversed(prev[-2:]) if p[1].strip()), None)
                if cap is not None and CAPTION.match(cap[1]) and not idx.is_hidden(off + cap[0]):
                    table = _table_from(card.body, pos)
                    if NUMBER_CELL.search(table) and not MEDIA.search(table) and not OPTION_ROW.search(table):
                        rows = table.split("\n")
                        first = next((i for i, r in enumerate(rows) if NUMBER_CELL.search(r + "|")), 0)
                        end = pos + sum(len(r) + 1 for r in rows[:first]) + len(rows[first])
                        anchor, snip = card.span(off + cap[0], off + cap[0] + len(cap[1]), stop=off + end, row=False)
                        return Evidence("card", f"{rec.card_locator}{anchor}", f"[{sec.title}] {snip}", rec.read_at)
                prev = []
            else:
                prev.append((pos, line))
            pos += len(line) + 1
    return None


def _results_row_by(rec: ModelRecord, table_rx: re.Pattern[str]) -> Evidence | None:
    """:func:`_results_row` with the result words of ``table_rx``."""
    assert rec.card is not None
    best: Evidence | None = None
    for m, verdict in own_mentions(rec, table_rx, cited=False, component=COMPONENT):
        row = m.group("at")
        if verdict != "own" or OPTION_ROW.search(row):
            continue
        table = _table_from(rec.card.body, m.start())
        if not NUMBER_CELL.search(table) or MEDIA.search(table) or not _results_row_of_its_table(row, table):
            continue
        off = len(rec.card.text) - len(rec.card.body)
        title = card_index(rec).section(off + m.start())
        if TRAINING_SECTION.search(title) and not RESULTS_SECTION.search(title):
            continue
        if RESULTS_SECTION.search(title):
            anchor, snip = rec.card.span(off + m.start("at"), off + m.end("at"), stop=off + _first_result_end(table, m),
                                         row=False)
            return Evidence("card", f"{rec.card_locator}{anchor}", f"[{title}] {snip}", rec.read_at)
        if best is None:
            ev = mention_evidence(rec, m)
            if not NUMBER_CELL.search(row):   # a header row: quoted with the first row that reports a number
                anchor, snip = rec.card.span(off + m.start("at"), off + m.end("at"),
                                             stop=off + _first_result_end(table, m), row=False)
                ev = Evidence("card", f"{rec.card_locator}{anchor}", snip, rec.read_at)
            best = ev
    return best


def _results_row_of_its_table(row: str, table: str) -> bool:
    """Whether a row naming perplexity alone (no other result word) heads a results table or reports a number
    itself. Why: "perplexity" joined the result words for a quantizer's table; a setting named so ("perplexity
    target") in a hyperparameter table must not make that table results. Rows naming another word keep the
    rule they had (checked with a cheap substring test first: most rows never name perplexity)."""
    low = row.lower()
    if "perplex" not in low and "ppl" not in low:
        return True
    if any(w.group(0).lower() not in ("perplexity", "ppl") for w in PERPLEXITY_ONLY.finditer(row)):
        return True
    lines = table.split("\n")
    rule = lines[1].strip().removeprefix("|").strip().removeprefix(":") if len(lines) > 1 else ""
    return bool(NUMBER_CELL.search(row + "|")) or rule.startswith("---")


def _first_result_end(table: str, m: re.Match[str]) -> int:
    """The body offset where the quoted part of a results table ends: the matched row's end when it reports a number
    itself, else the end of the first row after it that does (the header names the benchmarks, that row the
    numbers). Why: a snippet quotes one result, not every row of the table (each row says something of its own)."""
    at = m.start()
    for line in table.split("\n"):
        if NUMBER_CELL.search(line + "|"):
            return at + len(line)
        at += len(line) + 1
    return m.end()


def _metric_line(rec: ModelRecord) -> Evidence | None:
    """A metric line ("f1: 0.93") in a section about results or metrics, or right after the Trainer's "results
    on the evaluation set": the model's own measured result (not in a hidden or others' section)."""
    card = rec.card
    if card is None or not (any(METRICS_SECTION.search(s.title) for s in card.sections)
                            or "results on the" in card.lowered_body):
        return None   # (a cheap look first: most cards have neither, and the pattern reads every line)
    off = len(card.text) - len(card.body)
    for m, verdict in own_mentions(rec, METRIC_LINE, cited=False, component=COMPONENT):
        if verdict != "own":
            continue
        title = card_index(rec).section(off + m.start())
        if METRICS_SECTION.search(title) or ON_EVALUATION_SET.search(card.body, max(0, m.start() - 300), m.start()):
            # (a list of metric lines is one block of results, the Trainer's "- Loss: 0.35 - Accuracy: 0.91": quoted
            # on from the first, not cut at its list item)
            anchor, snip = card.span(off + m.start("at"), off + m.end("at"), row=False)
            return Evidence("card", f"{rec.card_locator}{anchor}", f"[{title}] {snip}" if title else snip, rec.read_at)
    return None


def _result_sentence(rec: ModelRecord) -> Evidence | None:
    """A result said in a sentence (:data:`RESULT_SENTENCE`) in a results section or on a line labelled as results
    (:data:`RESULTS_LABEL`): the model's own (not in a hidden or others' section, nor promised)."""
    card = rec.card
    if card is None:
        return None
    low = card.lowered_body
    labelled = "valua" in low or "result" in low or "sultat" in low or any(w in low for w in _HELD_OUT_WORDS)
    if not (labelled or any(METRICS_SECTION.search(s.title) for s in card.sections)):
        return None   # (a cheap look first: the pattern reads every line)
    off = len(card.text) - len(card.body)
    more = any(n in low for n in _SENTENCE_MORE_NEEDLES)
    for pattern in (RESULT_SENTENCE, RESULT_SENTENCE_MORE) if more else (RESULT_SENTENCE,):
        for m, verdict in own_mentions(rec, pattern, cited=False, component=COMPONENT):
            if verdict != "own" or in_code(rec, off + m.start("at")):
                continue
            title = card_index(rec).section(off + m.start())
            if METRICS_SECTION.search(title) or RESULTS_LABEL.match(card.body, m.start()) \
                    or ON_HELD_OUT.search(m.group("at")):
                anchor, snip = card.span(off + m.start("at"), off + m.end("at"), row=False)
                return Evidence("card", f"{rec.card_locator}{anchor}", f"[{title}] {snip}" if title else snip, rec.read_at)
    return None


def run(rec: ModelRecord) -> Finding:
    f = Finding("evaluation_results", "unknown", COMPONENT, remediation=REMEDIATION)
    mi = rec.card_data.get("model-index") or (rec.card.meta.get("model-index") if rec.card else None)
    ev = [hub_evidence(rec, "model-index metadata with results", "model-index")] if mi else []
    if not ev:
        sec = _results_row(rec) or _metric_line(rec) or _result_sentence(rec)
        ev = [sec] if sec else []
    if ev:
        f.status, f.license = released_status(repo_license(rec))
        f.outcome, f.evidence = "positive", ev
    elif rec.card is not None:
        f.outcome = "negative"
    return f
