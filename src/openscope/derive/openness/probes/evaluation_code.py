"""Is the code used to evaluate the model released (the publisher's own scripts, or an open harness it ran)?"""

from __future__ import annotations

import re

from openscope.derive.openness.probes import (
    Finding,
    either,
    file_evidence,
    files_matching,
    jako_needles,
    repo_license,
    repo_link,
)
from openscope.derive.openness.probes._own_evidence import (
    _sentence_at,
    first_own_mention,
    mention_evidence,
    own_mentions,
)
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Evaluation code"
EVAL_FILES = re.compile(r"(^|/)(eval|evaluate|evaluation|benchmark)[\w-]*\.(py|sh)$", re.IGNORECASE)
# The publisher's own evaluation code: named as such, or a command that runs an evaluation script.
# (Chinese: 评测代码, 评估代码, 评测脚本, 评估脚本)
EVAL_TEXT = either(r"\bevaluation (code(base)?|scripts?|toolkit|pipeline)\b|\b(python3?|bash) [\w/.-]*eval[\w-]*\.(py|sh)\b",
                       r"(?:评测|评估|测评)(?:源?代码|源码|脚本)",
                       re.IGNORECASE,
                       # (Japanese and Korean: 評価コード, 評価用スクリプト; 평가 코드, 평가 스크립트)
                       jako=r"評価(?:用)?の?(?:コード|スクリプト)|평가\s?(?:코드|스크립트)")
EVAL_TEXT_NEEDLES = ('evaluation', 'eval', '评测', '评估', '测评') + jako_needles('評価', '평가')
# An open evaluation harness the model was evaluated with (someone else's code, under its own licence).
HARNESS = re.compile(r"\b((?:l?lm|language model)[-_ ]?eval(?:uation)?[-_ ]harness|opencompass|evalplus|bigcode-evaluation-harness|lighteval"
                     r"|vbench)\b", re.IGNORECASE)
HARNESS_NEEDLES = ('eval', 'opencompass', 'vbench')
# Where a harness's name names a benchmark, a score or a ranking, not the code that was run: a results-table
# row, a link target or HTML attribute ("#evaluation-on-evalplus"), a leaderboard or a rank.
NOT_RUN = re.compile(r"leaderboard|\brank(s|ed|ing)?\b|\btop[- ]?\d|benchmark list|\bscores? (of|on)\b", re.IGNORECASE)
# a linked file or folder beside the card (the card's own repository): code, not an evaluation data file
EVAL_REL = re.compile(r"(^|[/_\s-])(eval|evaluat\w*|benchmark\w*)\b(?![\w./-]*\.(jsonl?|csv|tsv|parquet|txt|arrow)\b)",
                      re.IGNORECASE)
REMEDIATION = "Publish the evaluation scripts (or name the open harness and its configuration) under an open licence."


def _harness(rec: ModelRecord) -> Finding | None:
    """The first harness the card says it ran (not a benchmark name in a table, a link target, a ranking)."""
    assert rec.card is not None
    text = rec.card.text
    off = len(text) - len(rec.card.body)
    for m, verdict in own_mentions(rec, HARNESS, HARNESS_NEEDLES, cited=False, component=COMPONENT):
        a = off + m.start()
        ls = text.rfind("\n", 0, a) + 1
        le = text.find("\n", a)
        line = text[ls:le if le >= 0 else len(text)]
        if verdict != "own" or line.lstrip().startswith(("|", "<td", "<th")) or text[a - 1:a] in "-/#=_":
            continue
        # (a leaderboard or a rank in the harness's own sentence: a paragraph written on one line is not read whole,
        # "We leverage [VBench](…) to compare … Additionally, we submitted our results to the leaderboard" ran it)
        if re.search(r"(href|src)=[\"'][^\"']*$", text[ls:a]) or NOT_RUN.search(_sentence_at(text, a, off + m.end())):
            continue
        f = Finding("evaluation_code", "positive", COMPONENT, "no_license", remediation=REMEDIATION)
        f.evidence, f.detail = [mention_evidence(rec, m)], {"harness": m.group(1)}
        return f
    return None


def run(rec: ModelRecord) -> Finding:
    """The publisher's own evaluation code (files, a relative link, a script the card runs, code the card says
    it provides) is under the repository's licence. An open harness the card says it ran (lm-evaluation-harness,
    OpenCompass, EvalPlus, lighteval, VBench) is released code under that harness's own licence, which is not
    the model's: licence unknown (``no_license``). Evaluation code the card cites from someone else's
    repository ("the evaluation script from the X repository") is treated the same way."""
    f = Finding("evaluation_code", "unknown", COMPONENT, remediation=REMEDIATION)
    files = files_matching(rec, EVAL_FILES)
    own = None
    if not files:
        own = first_own_mention(rec, EVAL_TEXT, needles=EVAL_TEXT_NEEDLES, component=COMPONENT)[0] or repo_link(rec, EVAL_REL)
    if files or own:
        f.status, f.license = released_status(repo_license(rec, "code"))
        f.outcome = "positive"
        f.evidence = [file_evidence(rec, files)] if files else [own] if own else []
        return f
    if rec.card is not None:
        harness = _harness(rec)
        cited = None if harness else first_own_mention(rec, EVAL_TEXT, needles=EVAL_TEXT_NEEDLES, cited=False, component=COMPONENT)[0]
        if harness or cited:
            if harness:
                return harness
            f.status, f.outcome, f.evidence = "no_license", "positive", [cited] if cited else []
            return f
    if rec.card is not None or rec.files:
        f.outcome = "negative"
    return f
