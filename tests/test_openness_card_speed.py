"""The shortcuts that make a card's assessment cheaper give exactly what the plain reading gives.

Each helper is compared with the reading it replaces (a search of the whole text, a search of each line, a test of
each line) on texts generated here: line breaks, table cells, crosses, licence words and case forms that ``re`` and
``str.lower`` treat apart (``İ``, ``ſ``) mixed at random, with a fixed seed.
"""

from __future__ import annotations

import random
import re

import pytest

from openscope.derive.openness.cards import newline_offsets
from openscope.derive.openness.probes import (
    NEEDLE_BEFORE,
    bounded_needles,
    card_may_match,
    line_matches,
    one_line,
    required_needles,
)
from openscope.derive.openness.probes import datasets_released as dr
from openscope.derive.openness.probes import evaluation_data as ed
from openscope.derive.openness.probes._own_evidence import _matches
from openscope.derive.openness.records import from_text

_PIECES = ("training data", "Training Data:", " proprietary", "internal", "not disclosed", "our", " the ", "corpus",
           "data", "\n", "\n\n", " ", "  \t", "-", ":", "|", " no ", "| No |", "❌", ":x:", ":no_entry:", "✓",
           "training code", "licence", "License", "cc-by", "MMLU", "许可", "İ", "ſ", "K", "é", "训练数据", "内部",
           "# ", "## Training data", "- ", "* ", "| Weights | ✓ |", "| Training code | Not released |",
           "\n- **Training Data:** Internal", "\nPretraining corpus: not disclosed", "an in-house corpus",
           "proprietary data", "The training data is confidential", "Training data: proprietary licence")


def _texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 60))) for _ in range(n)]


def _every(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    """Repeated searches from each match's end (as the probes read a card)."""
    out, at = [], 0
    while at <= len(text):
        m = pattern.search(text, at)
        if m is None:
            break
        out.append(m.span())
        at = m.end() if m.end() > m.start() else m.end() + 1
    return out


@pytest.mark.parametrize("pattern", [dr.PROPRIETARY_FIELD, dr.TRAINING_DATA_TEXT, dr.PROPRIETARY_PHRASE, dr._NO_CELL,
                                     re.compile(r"^[ \t]*training[ \t]+data\b(?![ \t]*:)", re.IGNORECASE | re.MULTILINE)])
def test_line_matches_are_the_whole_texts_matches(pattern: re.Pattern[str]) -> None:
    assert one_line(pattern)
    for text in _texts(400, 7):
        found = line_matches(text, text.lower(), pattern)
        if found is None:   # a text whose lower case is not one character per character, or with an odd fold
            assert len(text.lower()) != len(text) or "ſ" in text or "ı" in text
            continue
        assert [m.span() for m in found] == _every(pattern, text), text


def test_matches_without_needles_is_the_whole_search() -> None:
    """``_matches`` with no needles (a line-by-line search where the pattern allows it) yields every match in order."""
    for text in _texts(300, 11):
        for rx in (dr.PROPRIETARY_FIELD, dr.TRAINING_DATA_TEXT, dr.PROPRIETARY_FIELD_CJK):
            assert [m.span() for m in _matches(text, text.lower(), rx, None)] == _every(rx, text)


@pytest.mark.parametrize(("rx", "expected"), [
    (r"a[^\n]b", True), (r"a.b", True), (r"(?m)a$", True), (r"^a\b", True), (r"[\d ]+x", True),
    (r"a\sb", False), (r"a[^x]b", False), (r"(?s:a.b)", False), (r"a$", False), (r"a\Z", False),
    (r"a(?=\n)", False), (r"(\w+)\1", False), (r"[\W]a", False),
])
def test_one_line_reads_the_pattern(rx: str, expected: bool) -> None:
    assert one_line(re.compile(rx)) is expected


def test_a_pattern_not_one_line_is_not_searched_by_line() -> None:
    rx = re.compile(r"data\s+set", re.IGNORECASE)
    assert line_matches("data\nset", "data\nset", rx) is None
    assert [m.span() for m in _matches("data\nset", "data\nset", rx, None)] == [(0, 8)]


def test_bounded_needles_only_for_short_patterns_without_lookaround() -> None:
    assert bounded_needles(dr.PROPRIETARY_PHRASE_CJK) == required_needles(dr.PROPRIETARY_PHRASE_CJK)
    assert bounded_needles(re.compile(r"training[ \t]+data")) is None            # unbounded: may outrun the window
    assert bounded_needles(re.compile(r"(?<!x)data")) is None                    # a lookaround
    assert bounded_needles(re.compile("data" + "x?" * (NEEDLE_BEFORE + 1))) is None
    assert bounded_needles(re.compile(r"\bdata\b")) == ("data",)


def test_card_may_match_is_may_match_over_the_whole_text() -> None:
    needles = required_needles(dr.PROPRIETARY_FIELD)
    for text in _texts(300, 3):
        expected = needles is None or any(n in text.lower() for n in needles) or len(text.lower()) != len(text) \
            or "ſ" in text or "ı" in text
        assert card_may_match(needles, text, text.lower()) is expected


def test_newline_offsets() -> None:
    for text in ["", "\n", "a", "a\n", "\na\n\nb", "x\r\n\u2028y\n", *_texts(200, 5)]:
        assert newline_offsets(text) == [m.start() for m in re.finditer("\n", text)]


def test_line_start_is_the_inverse_of_line_of() -> None:
    for text in _texts(100, 13):
        card = from_text("org/m", text).card
        assert card is not None
        # (a soft-wrapped paragraph is read as one line: each of its lines starts where that reading line does)
        for i, line in enumerate(card.lines(), 1):
            start = card.line_start(i)
            assert card.text[start:start + len(line)] == line
            assert card.line_of(start) == i if card.lined is None else card.line_of(start) <= i


def _marked_rows_reference(text: str) -> list[int]:
    """The rows ``_marked_lines`` read before: a search of each row."""
    return [i for i, row in enumerate(text.split("\n"), 1)
            if dr._CROSS_MARK.search(row) or ("|" in row and dr._NO_CELL.search(row + "|"))]


def test_marked_lines_reads_the_rows_a_row_by_row_search_reads() -> None:
    """Every row with a cross or a "no" cell is read (a row naming a component there is marked), and no other."""
    for text in _texts(300, 17):
        rec = from_text("org/m", text)
        card = rec.card
        assert card is not None
        written = card.lined or card.text   # (lines as written; a soft-wrapped paragraph's lines read as one)
        rows = _marked_rows_reference(written)
        gate = any(dr._CROSS_MARK.search(r) for r in written.split("\n")) \
            or ("|" in card.text and dr._NO_CELL.search(card.text))
        marked = dr._marked_lines(rec)
        assert set(marked) <= (set(rows) if gate else set())
        for i in rows if gate else ():
            row = card.lines()[i - 1]
            parts = dr._PARTS.split(row) if dr._TICK_MARK.search(row) else [row]
            names = frozenset().union(*(dr._item_components(dr._crossed(p)) or () for p in parts
                                        if not dr._TICK_MARK.search(p) and dr._crossed(p) != p))
            assert (i in marked) is bool(names)


def test_lines_naming_a_licence() -> None:
    for text in _texts(300, 19):
        expected = [i for i, line in enumerate(text.split("\n"), 1)
                    if any(w in line.lower() for w in ed.LICENCE_WORDS)]
        assert ed._lines_naming_a_licence(text) == expected


def test_sentences_without_the_words_hold_no_clause_break_ellipsis_or_exception() -> None:
    """The judgement of a mention skips a sentence's clause, ellipsis and exception searches when the sentence holds
    none of the words they require: it then holds no match of theirs."""
    from openscope.derive.openness.probes import _own_evidence as oe
    from openscope.derive.openness.probes import may_match

    words = ("but", "BUT", "While", "whereas", "however", ";", "；", "is not", "isn't", "are n't", "won't", "not",
             "except", "EXCEPT for", "excluding", "other than", "apart from", "save for", "ſave for", "whereaſ", "İ",
             "ı", " ", ", ", ".", "released", "the training code", "data")
    rng = random.Random(23)
    seen = {"clause": 0, "ellipsis": 0, "exception": 0}
    for _ in range(3000):
        s = " ".join(rng.choice(words) for _ in range(rng.randint(0, 8)))
        for name, rx, needles in (("clause", oe._CLAUSES, oe._CLAUSE_WORDS),
                                  ("ellipsis", oe._ELLIPTIC, oe._ELLIPTIC_NEEDLES),
                                  ("exception", oe._EXCEPT, oe._EXCEPT_NEEDLES)):
            if rx.search(s):
                seen[name] += 1
                assert may_match(needles, s, s.lower()), (name, s)
    assert all(n > 100 for n in seen.values())
