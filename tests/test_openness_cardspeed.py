"""The shortcuts that make a card's assessment cheaper give exactly what the plain searches give.

Each shortcut (headings, fences and bare URLs found from ``str.find`` positions; patterns tried only at the starts
near their needles, with the bound read from the pattern itself; licence names and sentence patterns skipped when
none of their words is in the text; answers kept for repeated questions) is compared here with the plain
``re`` call it replaces, on texts built to hit its edges.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from openscope.derive.openness import cards
from openscope.derive.openness.probes import (
    _lead_for,
    _needle_offset,
    _parsed,
    either,
    fast_search,
    may_match,
    required_needles,
    zsearch,
)
from openscope.derive.openness.probes import license_declared as ld
from openscope.derive.openness.probes._own_evidence import PROMISE, _matches

MARKDOWN = st.lists(st.sampled_from(["#", "## T", " ", "\n", "`", "```", "~~~", "    ```", "\t```", "http", "https://x.y/z",
                                     "a", "é", "数", "\t", ")", "]", "####### x", "\r\n", "<", "|"]),
                    max_size=60).map("".join)


def _spans(ms: object) -> list[tuple[tuple[int, int], tuple[str | None, ...]]]:
    return [(m.span(), m.groups()) for m in ms]  # type: ignore[attr-defined]


@settings(max_examples=400, deadline=None)
@given(text=MARKDOWN)
def test_headings_fences_and_urls_are_the_finditer_matches(text: str) -> None:
    assert _spans(cards._headings(text)) == _spans(cards._HEADING.finditer(text))
    assert _spans(cards._fence_lines(text)) == _spans(cards._FENCE.finditer(text))
    assert _spans(cards._bare_urls(text)) == _spans(cards._BARE_URL.finditer(text))


def test_the_bound_before_a_needle_is_read_from_the_pattern() -> None:
    def offset(pattern: str, needles: tuple[str, ...]) -> int | None:
        return _needle_offset(_parsed(re.compile(pattern, re.IGNORECASE)), needles)

    assert offset(r"\b(training|pre-?training|fine-?tuning) code", ("train", "fine-tun", "finetun")) == 4
    assert offset(r"request (the )?access", ("request",)) == 0
    assert offset(r"x*(abc|de)f", ("abc",)) is None            # a run of any length before the needle
    assert offset(r"(abc|de)f", ("abc",)) is None              # an alternative without a needle
    assert offset(r"[a-z]{0,5}hello", ("hello",)) == 5
    assert offset(r"x[- ]yz", ("x yz",)) is None               # "x-yz" holds no needle
    # a text with a letter that a case-insensitive "s" matches but that does not lower to "s": the full bound
    rx = re.compile(r"sft code", re.IGNORECASE)
    assert _lead_for(rx, ("sft",), "plain text") == 0
    assert _lead_for(rx, ("sft",), "\u017fft code") == 300


WORDS = st.lists(st.sampled_from(["train", "training", "pre-training", "fine-tuning", "finetuning", " code", " ", "\n",
                                  "x", "ſ", "TRAIN", "scripts", ".", "request access", "acc", "-"]), max_size=80)


@settings(max_examples=300, deadline=None)
@given(parts=WORDS, pad=st.integers(0, 3000))
def test_searches_near_needles_find_the_full_searches_matches(parts: list[str], pad: int) -> None:
    """The first match (windows, or every needle of a text with many) and every later one (:func:`_matches`) are
    those of a plain search, for a pattern whose needles open its matches and one whose needles do not."""
    text = "y" * pad + "".join(parts) * 3
    low = text.lower()
    for rx, needles in ((re.compile(r"\b(training|train|pre-?training|fine-?tuning|finetune|sft) (code|scripts?)\b",
                                    re.IGNORECASE), ("train", "fine-tun", "finetun", "sft")),
                        (re.compile(r"(request (the )?access|access request)", re.IGNORECASE), ("request", "access")),
                        (re.compile(r"x{0,400}acc", re.IGNORECASE), ("acc",))):
        want = rx.search(text)
        got = fast_search(text, low, rx, needles)
        assert (got and (got.span(), got.groups())) == (want and (want.span(), want.groups()))
        assert _spans(_matches(text, low, rx, needles)) == _spans(rx.finditer(text))


@settings(max_examples=300, deadline=None)
@given(text=st.lists(st.sampled_from(["MIT", "mit", "apache", " 2.0", "license", "商用", "许可协议", "CC", "-BY-NC",
                                      "ſ", "Apache", " ", "modified", "GPL", "v3", "research only", "x"]),
                     max_size=20).map("".join))
def test_a_licence_name_skipped_for_its_absent_words_has_no_match(text: str) -> None:
    low = text.lower()
    for (_, rx), needles in zip(ld.OPEN_NAMES + ld.RESTRICTIVE_NAMES, ld._NAME_NEEDLES[0] + ld._NAME_NEEDLES[1],
                                strict=True):
        assert needles is not None
        if not may_match(needles, text, low):
            assert rx.search(text) is None, (rx.pattern, text)


def test_required_needles_are_what_every_match_holds() -> None:
    assert required_needles(re.compile(r"\bMIT\b", re.IGNORECASE)) == ("mit",)
    assert required_needles(re.compile(r"CC[- ]BY|Creative Commons", re.IGNORECASE)) == ("by", "reative commons")
    assert required_needles(re.compile(r"a?b*")) is None


@settings(max_examples=200, deadline=None)
@given(sentence=st.lists(st.sampled_from(["will be released", "coming soon", "coming ", "we ", "release", "d", " ", "ſoon",
                                          "即将", "not yet", "TBD", "x"]), max_size=12).map("".join))
def test_zsearch_answers_as_the_pattern_does(sentence: str) -> None:
    rx = either(r"coming\s+soon|\bwill\s+be\s+released\b|\bTBD\b|\bnot\s+yet\b", r"即将", re.IGNORECASE)
    for pattern in (rx, PROMISE):
        first, again = zsearch(pattern, sentence), zsearch(pattern, sentence)   # the second from the kept answers
        plain = pattern.search(sentence)
        assert bool(first) == bool(again) == bool(plain)
        assert first is again


@settings(max_examples=300, deadline=None)
@given(text=MARKDOWN)
def test_code_fences_are_the_finditer_matches(text: str) -> None:
    from openscope.derive.openness.probes._own_evidence import _FENCE, _fence_starts

    assert _fence_starts(text) == [m.start() for m in _FENCE.finditer(text)]


def test_a_cards_lines_are_its_texts_lines() -> None:
    text = "a\r\nb\n\nc\u2028d\n"
    assert cards.lines_of(text) == tuple(text.splitlines())
    assert cards.newline_split(text) == tuple(text.split("\n"))
    other = "x\ny"
    assert cards.lines_of(other) == ("x", "y") and cards.lines_of(text) == tuple(text.splitlines())
