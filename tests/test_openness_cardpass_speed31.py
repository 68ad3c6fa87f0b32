"""The card pass's speed changes (thirty-first session) give exactly what the code they replace gave.

Why: each change keeps an answer that grades depend on and that no test of a grade would notice losing:
- :func:`..probes.pooled`: :func:`..probes.fast_search`, :func:`..probes.start_hits` and line matching look a held
  needle's occurrences up in the card's one pass themselves instead of calling :func:`..probes.needle_hits` per
  needle: a lookup that differed (a needle not held taken as absent, a cap lost) would lose a window, and a match;
- the result words' first characters as a lookahead (``_RESULT_FIRST``) in the evaluation-results patterns: a
  class that missed a character the words open with (a case fold: "ſ" for "s") would lose a results row;
- :func:`..probes._line_window`: a one-line pattern's needle window cut to the needle's line: cut wrong (one
  character off, or for a pattern that spans lines) it would lose a match.
Each is compared with the plain computation (``pattern.search``, ``finditer``, a ``str.find`` loop) on random texts
and on the development cards with the rewrites of :mod:`bench.invariance`.
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

import pytest
from probe_patterns import find_all, module_patterns

from openscope.derive.openness import probes as P
from openscope.derive.openness.probes import evaluation_results as ER
from openscope.derive.openness.probes import fast_search, one_line, required_needles, sentence_start_needles

ODD = ["é", "代码", "😀", "𝐀", "ſ", "K", "\n", "\r\n", ".", "-", "_", "|", " ", "  ", "#", "* "]


def _cards(shared_data: Path) -> list[str]:
    found = [p.read_text("utf-8", errors="replace") for p in sorted((shared_data / "openness" / "cards").glob("*.md"))]
    assert len(found) >= 70
    return found


def _forms(text: str) -> list[str]:
    """A card and its rewrites (:mod:`bench.invariance`: wrapped, unwrapped, setext, CRLF, reference links, …)."""
    from bench.invariance import TRANSFORMS

    return [text, *(fn(text) for fn in TRANSFORMS.values())]


# -- pooled: the one pass looked up directly ----------------------------------------------------------------------

def test_pooled_is_the_find_loop_for_every_needle_held() -> None:
    """For each needle the one pass holds, what :func:`pooled` lists is every occurrence (a ``find`` loop), which
    :func:`needle_hits` gives too, whole or cut to its cap; a needle it does not hold is not listed."""
    rnd = random.Random(31)
    words = ["train", "training", "aa", "a", "代码", "😀a", "github", "mmlu", "layers"]
    for n in words:
        P.needle_hits("".join(words) + "\x01", n, 0)
    for _ in range(300):
        low = "".join(rnd.choice(words + ODD + ["x", "b"]) for _ in range(rnd.randint(0, 90))).lower()
        found, held = P.pooled(low)
        assert set(words) <= held
        for n in words:
            every = find_all(low, n)
            assert found.get(n, []) == every, (low, n)
            for cap in (0, 1, 3, len(low)):
                assert P.needle_hits(low, n, cap) == every[:cap + 1]
        assert "never-asked-needle" not in held and "never-asked-needle" not in found


# -- the result words' first characters ---------------------------------------------------------------------------

def _first_characters(words: str) -> set[str]:
    needles = sentence_start_needles(re.compile(f"(?:{words})", re.IGNORECASE))
    assert needles is not None
    return {n[0] for n in needles}


@pytest.mark.parametrize(("lookahead", "words"), [
    (ER._RESULT_FIRST, ER._RESULT_WORDS),
    (ER._RESULT_FIRST_JAKO, ER._RESULT_WORDS + "|スコア|正解率|精度|評価|平均|점수|정확도|평가|평균"),
])
def test_the_lookahead_is_the_words_first_characters(lookahead: str, words: str) -> None:
    """The lookahead's class holds exactly the characters the words open with (read from ``re``'s parse), and, case
    aside, it accepts exactly the characters one of them does, for every code point (the folds "ſ" → "s", "K" → "k"
    included): written before the words, it turns down only places where none of them can open."""
    firsts = _first_characters(words)
    cls = re.fullmatch(r"\(\?=\[(.+)\]\)", lookahead)
    assert cls is not None and set(cls.group(1)) == firsts
    one = re.compile(lookahead + ".", re.IGNORECASE | re.DOTALL)
    each = [re.compile(re.escape(c), re.IGNORECASE) for c in sorted(firsts)]
    for code in range(sys.maxunicode + 1):
        c = chr(code)
        if (one.match(c) is not None) != any(p.match(c) for p in each):
            pytest.fail(f"U+{code:04X}")


def _without(pattern: re.Pattern[str]) -> re.Pattern[str]:
    source = pattern.pattern.replace(ER._RESULT_FIRST, "").replace(ER._RESULT_FIRST_JAKO, "")
    assert source != pattern.pattern
    return re.compile(source, pattern.flags)


RESULT_PATTERNS = [ER.RESULT_SENTENCE, ER.RESULTS_TABLE, ER.RESULTS_TABLE_JAKO]


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[tuple[int, int], ...]]:
    return [tuple(m.span(g) for g in range(len(m.groups()) + 1)) for m in pattern.finditer(text)]


def test_the_lookahead_changes_no_match_on_random_texts() -> None:
    """Every match (and each group's span) of the evaluation-results patterns is the same without the lookahead, on
    random lines of result words, their neighbours, case folds and scores."""
    rnd = random.Random(131)
    pieces = ["MMLU", "mmlu", "ſcore", "Score", "acc", "ACCURACY", "top-1", "recall@10", "pass@1", "F1", "BLEU", "准确率",
              "得分", "スコア", "평가", "CMMLU", "bench", "xacc", "61.2", "45.3%", "of", "is", ": ", "= ", "| ", " |",
              "(61.0)", "**63.7**", "2024", "MT-Bench", "C-Eval", "nDCG", "ppl", "word", *ODD]
    for _ in range(1500):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 40)))
        for p in RESULT_PATTERNS:
            assert _spans(p, text) == _spans(_without(p), text), (p.pattern[:40], text)


@pytest.mark.reference
def test_the_lookahead_changes_no_match_on_the_development_cards(shared_data: Path) -> None:
    for card in _cards(shared_data):
        for text in _forms(card):
            for p in RESULT_PATTERNS:
                assert _spans(p, text) == _spans(_without(p), text)


# -- a one-line pattern's window cut to its needle's line ---------------------------------------------------------

LINE_CASES = [
    # (pattern, its needles): one-line patterns opening at a line start, with a word, with a lookbehind, and two that
    # span lines (no cut may apply to them)
    (re.compile(r"^[ \t]*+[-*]?[ \t]*+\**+(training (code|repo))\**[ \t]*:[^\n]*?https?://github\.com/",
                re.IGNORECASE | re.MULTILINE), ("github",)),
    (re.compile(r"\b(?:training|train) code\b[^\n]{0,40}github", re.IGNORECASE), ("github",)),
    (re.compile(r"(?<![\w.])\d+ (?:layers|heads)$", re.MULTILINE), ("layers", "heads")),
    (re.compile(r"training code[\s\S]{0,60}github", re.IGNORECASE), ("github",)),
    (re.compile(r"code\s+github", re.IGNORECASE), ("github",)),
]


def test_the_line_cut_applies_to_one_line_patterns_only() -> None:
    assert [one_line(p) for p, _ in LINE_CASES] == [True, True, True, False, False]


def test_fast_search_is_the_search_on_random_lines() -> None:
    """:func:`fast_search` (windows cut to the needle's line for a one-line pattern) gives ``pattern.search``'s match
    on random texts of short lines, needles near line breaks and at a text's start and end."""
    rnd = random.Random(231)
    pieces = ["training code", "Training Code", "train code", "- ", "* ", "**", ":", " ", "\t", "https://github.com/",
              "github", "x", "12 layers", "3 heads", "a.4 heads", "repo", "\n", "\n", "\r\n", "\n\n", *ODD]
    for _ in range(1500):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 50)))
        low = text.lower()
        for p, needles in LINE_CASES:
            got, want = fast_search(text, low, p, needles), p.search(text)
            assert (got and got.span()) == (want and want.span()), (p.pattern, text)


def test_line_window_is_the_needles_line_within_the_window() -> None:
    text = "ab\ncd github ef\ngh"
    i = text.index("github")
    assert P._line_window(text, i, 0, 100) == (3, 15)
    assert P._line_window(text, i, 5, 9) == (5, 9)
    assert P._line_window("github", 0, 0, 900) == (0, 900)


@pytest.mark.reference
def test_fast_search_cut_to_lines_is_the_uncut_on_the_development_cards(shared_data: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """For every one-line probe pattern with needles (those :func:`line_matches` reads), :func:`fast_search` with those
    needles gives the match it gave before the cut (each pattern's windows as they were: :func:`one_line` read as
    False for it) on every development card and four of its forms. (Not ``pattern.search``: a results-table row of
    thousands of characters holds its needle farther from its start than a window reaches, with or without the cut;
    the probes read such patterns by line.)"""
    patterns = [(p, n) for p in module_patterns() if one_line(p) and (n := required_needles(p))]
    assert len(patterns) > 50
    for card in _cards(shared_data):
        for text in _forms(card)[:4]:
            low = text.lower()
            cut = [fast_search(text, low, p, needles) for p, needles in patterns]
            with monkeypatch.context() as m:
                m.setattr(P, "one_line", lambda _: False)
                uncut = [fast_search(text, low, p, needles) for p, needles in patterns]
            assert [x and x.span() for x in cut] == [x and x.span() for x in uncut]


def test_every_match_is_finditer_on_random_lines() -> None:
    """:func:`.._own_evidence._matches` (every match; its windows after the first cut to the needle's line for a
    one-line pattern) gives ``finditer``'s matches on random texts of short lines."""
    from openscope.derive.openness.probes._own_evidence import _matches

    rnd = random.Random(331)
    # (whole matches among the pieces, so that a text holds several: the matches after the first are the windows')
    pieces = ["training code", "Train Code", "- ", "**", ":", " ", "https://github.com/", "github", "x", "12 layers",
              "3 heads", "\n", "\n", "\r\n", "training code github", "\n- **Training code:** https://github.com/a",
              "\ntraining code\ngithub", "code github", "7 layers\n", *ODD]
    for _ in range(1500):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 90)))
        low = text.lower()
        for p, needles in LINE_CASES:
            assert [m.span() for m in _matches(text, low, p, needles)] == [m.span() for m in p.finditer(text)], text


@pytest.mark.reference
def test_every_match_cut_to_lines_is_the_uncut_on_the_development_cards(shared_data: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Every match :func:`.._own_evidence._matches` gives for a one-line probe pattern with needles is the one it gave
    with its windows as they were (:func:`one_line` read as False there and in :func:`fast_search`), on every
    development card and four of its forms."""
    from openscope.derive.openness.probes import _own_evidence as OE

    patterns = [(p, n) for p in module_patterns() if one_line(p) and (n := required_needles(p))]
    for card in _cards(shared_data):
        for text in _forms(card)[:4]:
            low = text.lower()
            cut = [[m.span() for m in OE._matches(text, low, p, needles)] for p, needles in patterns]
            with monkeypatch.context() as m:
                m.setattr(P, "one_line", lambda _: False)
                m.setattr(OE, "one_line", lambda _: False)
                uncut = [[m.span() for m in OE._matches(text, low, p, needles)] for p, needles in patterns]
            assert cut == uncut


def test_a_match_across_lines_is_still_found_after_the_first() -> None:
    """A pattern that spans lines keeps its windows whole in :func:`.._own_evidence._matches`: the matches after the
    first, whose needle stands on the line after their start, are found (a long text, few needles: the windows are
    read, not the whole text)."""
    from openscope.derive.openness.probes._own_evidence import _matches

    filler = ("x" * 60 + "\n") * 25
    text = filler + "training code\ngithub\n" + filler + "Training code:\n  github\n" + filler + "training  code github"
    for p, needles in LINE_CASES[3:]:
        want = [m.span() for m in p.finditer(text)]
        assert len(want) >= 2 or p.pattern.startswith("code")
        assert [m.span() for m in _matches(text, text.lower(), p, needles)] == want
