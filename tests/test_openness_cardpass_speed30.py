"""The card pass's speed changes (thirtieth session) give exactly what the code they replace gave.

Why: each change keeps an answer that grades depend on and that no test of a grade would notice losing:
- :func:`..probes._all_occurrences` walks ahocorasick-rs's DFA (overlapping search) instead of pyahocorasick's trie:
  an occurrence it missed (an overlapping one, one after an emoji, where byte and character offsets part) would
  lose a needle window, and so a match;
- :func:`..probes.first_match_at` tries, for a pattern whose digit opens a word (:func:`..probes.word_digits`: a
  ``\\b`` or a lookbehind refusing a word character before its ``\\d``), only the digits no word character stands
  before: a pattern read so wrongly would lose a match that opens inside a number;
- :func:`..probes.start_hits` takes the union of its needles' occurrences with ``set.union``.
Each is compared with the plain computation (a ``str.find`` loop, ``pattern.search``) on random texts and on the
development cards with the rewrites of :mod:`bench.invariance`.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from probe_patterns import find_all, module_patterns

from openscope.derive.openness import probes as P
from openscope.derive.openness.cards import parse_card
from openscope.derive.openness.probes import first_match_at, start_hits, start_needles, word_digits

# Characters where a byte offset and a character offset part (two, three and four UTF-8 bytes), digits of other
# scripts (``\d`` matches them, and they are word characters), letters a ``\b`` reads as word characters though
# ``re.ASCII`` does not, and the ASCII that the patterns below are made of.
ODD = ["é", "代码", "😀", "𝐀", "\u0663", "\u0966", "ß", "İ", "\n", ".", "-", "_"]


def _cards(shared_data: Path) -> list[tuple[str, str]]:
    found = [(p.stem, p.read_text("utf-8", errors="replace"))
             for p in sorted((shared_data / "openness" / "cards").glob("*.md"))]
    assert len(found) >= 70
    return found


def _forms(text: str) -> list[str]:
    """A card and its rewrites (:mod:`bench.invariance`: wrapped, unwrapped, setext, CRLF, reference links, …)."""
    from bench.invariance import TRANSFORMS

    return [text, *(fn(text) for fn in TRANSFORMS.values())]


# -- the one needle pass ----------------------------------------------------------------------------------------

def _oracle(lowered: str, needles: frozenset[str]) -> dict[str, list[int]]:
    return {n: hits for n in needles if n and (hits := find_all(lowered, n))}


def _asked(needles: list[str]) -> None:
    """Ask the index for ``needles`` on a throwaway text, so that the next new text is walked with them."""
    throwaway = "".join(needles) + "\x00"
    for n in needles:
        P.needle_hits(throwaway, n, 0)


def test_one_pass_is_the_find_loop_on_random_texts() -> None:
    rnd = random.Random(30)
    words = ["aa", "aaa", "a", "ab", "ba", "train", "training", "trained", "代码", "码", "😀a", "é", "éé", "\u0663",
             "layer", "layers", "s l"]
    _asked(words)
    for _ in range(400):
        text = "".join(rnd.choice(words + ODD + [" ", "x", "A", "TRAIN"]) for _ in range(rnd.randint(0, 80))).lower()
        found, held = P._all_occurrences(text)
        assert set(words) <= held
        assert found == _oracle(text, held), text


def test_an_empty_needle_is_never_reported() -> None:
    """An empty needle (none of the probes has one) is held but never reported, as pyahocorasick never reported it."""
    P._SEEN.add("")
    try:
        found, held = P._all_occurrences("abc" + str(random.random()))
        assert "" in held and "" not in found
    finally:
        P._SEEN.discard("")


@pytest.mark.reference
def test_one_pass_is_the_find_loop_on_the_development_cards(shared_data: Path) -> None:
    """Every needle the probes ask for (the whole grading of the cards first, so the index holds them all), on every
    development card and three of its rewrites (unwrapped lines, reference links, trailing whitespace: a ``find``
    loop per needle over every rewrite took a minute): the positions a ``str.find`` loop gives, overlapping ones included."""
    from openscope.derive.openness.assessment import assess_record
    from openscope.derive.openness.records import finish, from_text

    cards = _cards(shared_data)
    for name, text in cards[:10]:
        assess_record(finish(from_text(f"org/{name}", text, locator=name + ".md")))
    checked = 0
    for _, text in cards:
        for form in _forms(text)[::4]:
            low = parse_card(form).lowered_body
            found, held = P._all_occurrences(low)
            assert len(held) > 300
            assert found == _oracle(low, held)
            checked += 1
    assert checked > 250


# -- digits that open a word ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("pattern", "flags", "bounded"), [
    (r"\d+ layers", 0, False),                               # any digit
    (r"\b\d+ layers", 0, True),                              # a word boundary before it
    (r"\b(\d+ (layers|heads)|hidden size)", re.I, True),     # ... before the group that opens with it
    (r"(?<![\w.])\d+ checkpoints|step\d+", re.I, True),      # a lookbehind refusing a word character
    (r"(?<![.])\d+ x", 0, False),                            # a lookbehind that lets a letter stand before
    (r"(?<![^\w])\d", 0, False),                             # a negated class: a word character must stand before
    (r"\B\d", 0, False),                                     # not a boundary
    (r"\b\d|\d x", 0, False),                                # one alternative bounded, the other not
    (r"(?a)\b\d+ layers", 0, False),                         # re.ASCII's boundary reads "é" as no word character
    (r"\b(?:ab)?\d+ x", 0, True),                            # a digit right after the boundary, or "ab" opens it
    (r"(?<=\d)\d", 0, False),                                # a lookbehind that wants a word character
])
def test_word_digits_reads_the_parse(pattern: str, flags: int, bounded: bool) -> None:
    rx = re.compile(pattern, flags)
    assert P.DIGIT in (start_needles(rx) or ())
    assert word_digits(rx) is bounded


def _random_text(rnd: random.Random) -> str:
    pieces = ["1", "2", "32", "2024", "1.5", " ", "x", "layers", " layers", "checkpoints", " x", "v", "ab", "step",
              "hidden size", "heads", "\u0663", "é", "_", "-", "- x", "* x", " y", "\n", *ODD]
    return "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 40)))


PATTERNS = [
    re.compile(r"\b\d+ layers"), re.compile(r"\b(\d+ (layers|heads)|hidden size)", re.I),
    re.compile(r"(?<![\w.])\d+ checkpoints|step\d+", re.I), re.compile(r"\d+ layers"),
    re.compile(r"(?a)\b\d+ layers"), re.compile(r"\b(?:ab)?\d+ x"), re.compile(r"\b\d|\d x"),
    # a line start and a digit (its place is then not the last start needle: "0" sorts before "^")
    re.compile(r"^[-*] x|\b\d+ y", re.M), re.compile(r"^[-*] x|\d+ y", re.M),
]


def test_first_match_at_is_the_search_on_random_texts() -> None:
    """``first_match_at`` over the starts ``start_hits`` gives is ``pattern.search`` for every span: a digit inside a
    number, after "é", "_", "." or another script's digit, at the span's start (the character before it still read);
    a pattern that may also open at a line start."""
    rnd = random.Random(7)
    for _ in range(1500):
        text = _random_text(rnd)
        low = text.lower()
        for rx in PATTERNS:
            starts = start_hits(text, low, rx)
            if starts is None:   # (a text whose lower case changes its length: searched whole, not read here)
                continue
            a = rnd.randint(0, len(text))
            b = rnd.randint(a, len(text))
            got, want = first_match_at(text, rx, starts, a, b), rx.search(text, a, b)
            assert (got and (got.span(), got.groups())) == (want and (want.span(), want.groups())), (rx, text, a, b)


@pytest.mark.reference
def test_first_match_at_is_the_search_on_the_development_cards(shared_data: Path) -> None:
    """Every probe pattern whose match may open with a digit, every window of 1,200 characters (from every 600th
    character) of every development card and its CRLF rewrite: the first match is the search's."""
    digit_patterns = [p for p in module_patterns() if P.DIGIT in (start_needles(p) or ())]
    assert sum(map(word_digits, digit_patterns)) >= 2   # (the architecture counts, the checkpoint counts)
    compared = 0
    for _, text in _cards(shared_data):
        for form in _forms(text)[:2]:
            body = parse_card(form).body
            low = body.lower()
            for rx in digit_patterns:
                starts = start_hits(body, low, rx)
                if starts is None:
                    continue
                for a in range(0, len(body), 600):
                    b = min(len(body), a + 1200)
                    got, want = first_match_at(body, rx, starts, a, b), rx.search(body, a, b)
                    assert (got and got.span()) == (want and want.span()), (rx.pattern[:60], a)
                    compared += want is not None
    assert compared > 100


# -- the union of start needles' occurrences ------------------------------------------------------------------------

@pytest.mark.reference
def test_start_hits_are_every_needles_occurrences(shared_data: Path) -> None:
    """For each pattern with several start words, the starts are every occurrence of each, in order, once (and the
    digits' kind as :func:`word_digits` says)."""
    patterns = [p for p in module_patterns() if len(start_needles(p) or ()) > 1]
    assert len(patterns) > 20
    for _, text in _cards(shared_data)[::3]:
        body = parse_card(text).body
        low = body.lower()
        for rx in patterns:
            starts = start_hits(body, low, rx)
            if starts is None:
                continue
            words = [n for n in start_needles(rx) or () if n != P.DIGIT]
            want = sorted({i for n in words for i in (P._line_starts(low) if n == P.LINE_START else find_all(low, n))})
            assert list(starts) == want, rx.pattern[:60]
            if P.DIGIT in (start_needles(rx) or ()):
                assert isinstance(starts, P._WithWordDigits) is word_digits(rx)
            else:
                assert not isinstance(starts, P._WithDigits)
