"""The card pass's speed changes (twenty-second session) find exactly what the searches they replace found.

Why: a pattern whose every match opens with one of its start needles (:func:`start_needles`, read from ``re``'s own
parse) is now tried only where one of them occurs (:func:`first_match_at`), in place of ``re`` trying every
character; a needle set read wrongly (an optional word at the start, a lookbehind, a case fold) would lose a match
and change a grade with no test of a grade noticing. Each probe pattern that has start needles is compared with
``pattern.search`` on random texts made of its own words, in mixed case, with the characters that fold oddly; and
the worker loop's halving of the batches a dead worker took is checked on its own.
"""

from __future__ import annotations

import random
import re

import pytest
from probe_patterns import module_patterns

from openscope.derive.openness import _halves
from openscope.derive.openness.probes import (
    first_match_at,
    required_needles,
    start_hits,
    start_needles,
)
from openscope.derive.openness.records import ModelRecord


@pytest.mark.parametrize(("pattern", "expected"), [
    (r"\b(?:foo|bar)baz", ("bar", "foo")),
    (r"(the )?code", ("code", "the ")),
    (r"(?:the\s+)?(?:our\s+)?code", ("code", "our", "the")),
    (r"(?<=x)python3?\s", ("python",)),
    (r"[ab]x", None),            # a class: not read
    (r"(?:xy)?", None),          # may match nothing
    (r"a+b", None),              # a one-character start
    (r"(?:ab|c?d)e", None),      # an alternative that may open otherwise
    (r".{0,3}abc", None),
])
def test_start_needles_are_read_from_the_pattern(pattern: str, expected: tuple[str, ...] | None) -> None:
    assert start_needles(re.compile(pattern, re.IGNORECASE)) == expected


def _probe_patterns() -> list[re.Pattern[str]]:
    """Every probe pattern that has start needles."""
    return [p for p in module_patterns() if start_needles(p) is not None]


def _text(rnd: random.Random, words: list[str]) -> str:
    parts = []
    for _ in range(rnd.randint(0, 40)):
        r = rnd.random()
        if r < 0.45:
            w = rnd.choice(words)
            parts.append(w.upper() if rnd.random() < 0.2 else w.capitalize() if rnd.random() < 0.3 else w)
        elif r < 0.9:
            parts.append(rnd.choice([" ", " ", "\n", ". ", ", ", "-", "_", "/", ":", "(", ")", "[", "]", "the ", "our ",
                                     "is ", "not ", "released ", "available ", "at ", "\u017f", "\u212a", "é", "代码"]))
        else:
            parts.append("".join(rnd.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(rnd.randint(1, 6))))
    return "".join(parts)


def test_searching_at_the_start_needles_finds_what_search_finds() -> None:
    """For every probe pattern with start needles: the first match from any start, before any end, is
    ``pattern.search``'s (the same span and groups), and all matches are ``finditer``'s."""
    patterns = _probe_patterns()
    assert len(patterns) >= 30   # the probes' phrase patterns are read so
    rnd = random.Random(22)
    for p in patterns:
        words = list(start_needles(p) or ()) + list(required_needles(p) or ())
        for _ in range(150):
            text = _text(rnd, words)
            low = text.lower()
            starts = start_hits(text, low, p)
            if starts is None:   # (a text that folds oddly, or whose lower case is longer): not read so
                assert not text.isascii() or len(low) != len(text)
                continue
            a = rnd.randint(0, len(text))
            b = rnd.randint(a, len(text))
            for lo, hi in ((0, len(text)), (a, b)):
                got, want = first_match_at(text, p, starts, lo, hi), p.search(text, lo, hi)
                assert (got and (got.span(), got.groups())) == (want and (want.span(), want.groups())), \
                    (p.pattern[:80], text, lo, hi)
            every, at = [], 0
            while (m := first_match_at(text, p, starts, at, len(text))) is not None:
                every.append(m.span())
                at = m.end()
            assert every == [m.span() for m in p.finditer(text)], (p.pattern[:80], text)


def test_a_dead_workers_batches_are_halved_until_the_killer_is_alone() -> None:
    recs = [ModelRecord(id=f"m{i}", locator="x", read_at="2026-01-01") for i in range(5)]
    failed: list[tuple[str, str]] = []
    again = _halves([recs[:4], recs[4:]], failed)
    assert [[r.id for r in b] for b in again] == [["m0", "m1"], ["m2", "m3"]]
    assert [i for i, _ in failed] == ["m4"]
    assert _halves([], failed) == []
