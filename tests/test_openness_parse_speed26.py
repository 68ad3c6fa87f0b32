"""The card parse's speed changes (twenty-sixth session) find exactly what the code they replace found.

Why: :func:`cards.soft_breaks` now passes over a fenced block's lines by a sweep and reads the next line's tests
before it cuts the line before, :func:`cards._bracket_links` passes over a ``](`` whose next characters its pattern
refuses, and :func:`cards._blank_todos` tries ``_TODO`` only where a "TODO" lets it start. A shortcut that answered
differently on some line (a fence that closes on the line, a link to ``#top``, an upper-case scheme, a TODO after
another on its line) would change a soft break, a link or what is blanked, and a grade, with no test of a grade
noticing.
Each is compared with what it replaces, kept here as it was, on random cards over the characters that decide and on
the development cards.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest
from cpu_time import thread_cpu_seconds

from openscope.derive.openness.cards import (
    _IMAGE_FIRST,
    _IMAGE_NEXT,
    _IMAGE_OPENS,
    _MD_LINK,
    _OPENS_LINE,
    _REL_LINK,
    _TODO,
    _blank_todos,
    _blanked,
    _bracket_links,
    _ends_sentence,
    _fenced,
    _hard_end,
    _Head,
    _headings,
    _inside,
    _join_candidates,
    _setext_headings,
    parse_front_matter,
    soft_breaks,
)


def _old_soft_breaks(body: str, heads: list[_Head], fenced: list[tuple[int, int]]) -> list[int]:
    """:func:`soft_breaks` as it was before this session: every test on every candidate, in the written order."""
    out: list[int] = []
    heads_at = {h.start for h in heads} | {h.end for h in heads}
    for at in _join_candidates(body):
        a = body.rfind("\n", 0, at) + 1
        b = body.find("\n", at + 1)
        before = body[a:at].rstrip("\r")
        after = body[at + 1:len(body) if b < 0 else b].rstrip("\r")
        lead, next_lead = before.lstrip(" \t"), after.lstrip(" \t")
        if (a in heads_at or at in heads_at or at - 1 in heads_at or at + 1 in heads_at or "|" in before
                or "|" in after or _ends_sentence(before) or _hard_end(before)
                or (lead[:1] in _IMAGE_OPENS and _IMAGE_FIRST.match(lead))
                or (next_lead[:1] in _IMAGE_OPENS and _IMAGE_NEXT.match(next_lead)) or _OPENS_LINE.match(next_lead)
                or before.lstrip().startswith("<") or (fenced and _inside(fenced, a))):
            continue
        if before.startswith(("    ", "\t")) and not (out and out[-1] == a - 1):
            continue
        out.append(at)
    return out


def _inputs(body: str) -> tuple[list[_Head], list[tuple[int, int]]]:
    """The headings and fenced blocks :func:`cards.parse_card` hands :func:`soft_breaks` (pseudo-headings aside)."""
    fenced = _fenced(body)
    heads = [_Head(h.start(), h.end(), len(h.group(1)), h.group(2)) for h in _headings(body)
             if not _inside(fenced, h.start())]
    return sorted(heads + _setext_headings(body, fenced), key=lambda h: h.start), fenced


LINES = ["Some words that go on", "and end here.", "", "    indented code", "\tcode", "```", "```py", "~~~", "````",
         "# Title", "## Sub", "Title", "=====", "-----", "- item", "* item", "1. one", "> quote", "| a | b |",
         "<div>", "<br>", "text  ", "text\\", "License: MIT", "**Data:** x", "![img](a.png)", "[![b](c)](d)",
         "in the training", "script:", "  continued", "x\r", "。", "日本語の文", "  ```", "    ```"]


def test_soft_breaks_are_the_old_loops_on_random_cards() -> None:
    rnd = random.Random(26)
    for _ in range(6_000):
        body = "\n".join(rnd.choice(LINES) for _ in range(rnd.randint(0, 30)))
        heads, fenced = _inputs(body)
        assert soft_breaks(body, heads, fenced) == _old_soft_breaks(body, heads, fenced), repr(body)
        assert soft_breaks(body, [], []) == _old_soft_breaks(body, [], [])
        # any sorted spans that do not overlap, not only fenced blocks: the sweep answers as ``_inside`` does
        cuts = sorted(rnd.sample(range(len(body) + 2), min(len(body) + 2, 2 * rnd.randint(0, 4))))
        spans = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2)]
        assert soft_breaks(body, heads, spans) == _old_soft_breaks(body, heads, spans), (repr(body), spans)


def test_soft_breaks_pass_over_fenced_lines_only() -> None:
    """A fenced block's wrapped lines are never joined; the paragraph after the block still is."""
    body = "```\nfoo bar\nbaz qux\n```\nA paragraph that\ngoes on here.\n"
    heads, fenced = _inputs(body)
    assert fenced == [(0, 23)]
    assert soft_breaks(body, heads, fenced) == [body.index("that") + 4]


TAILS = ["http://e.org/a)", "https://e.org/b)", "HTTP://e.org/c)", "http:/x)", "#top)", "mailto:a@b.c)",
         "docs/x.md)", "./s/)", ")", "https://)", "http://a b)", "\n"]
HEADS = ["[a", "[t ", "[", "]", "x", " ", "[![i](p.png)", "\n", "a" * 120]


def test_bracket_links_are_finditer_after_every_kind_of_opening() -> None:
    rnd = random.Random(7)
    for _ in range(20_000):
        body = "".join(rnd.choice(HEADS) + ("](" + rnd.choice(TAILS) if rnd.random() < 0.6 else "")
                       for _ in range(rnd.randint(0, 8)))
        for rx in (_MD_LINK, _REL_LINK):
            assert [m.span() for m in _bracket_links(rx, body)] == [m.span() for m in rx.finditer(body)], repr(body)


@pytest.mark.reference
def test_on_the_development_cards(shared_data: Path) -> None:
    bodies = [parse_front_matter(p.read_text("utf-8", errors="replace"))[1]
              for p in sorted((shared_data / "openness" / "cards").glob("*.md"))]
    assert len(bodies) >= 70
    joined = 0
    for body in bodies:
        heads, fenced = _inputs(body)
        got = soft_breaks(body, heads, fenced)
        assert got == _old_soft_breaks(body, heads, fenced)
        joined += len(got)
        for rx in (_MD_LINK, _REL_LINK):
            assert [m.span() for m in _bracket_links(rx, body)] == [m.span() for m in rx.finditer(body)]
        assert _blank_todos(body) == _TODO.sub(_blanked, body)
    assert joined > 0


TODO_PIECES = ["[TODO", "TODO", "TODO:", "# TODO: fill", "#", " ", "\t", "\n", "]", "[", "x", "TODOTODO", "[TODO]",
               "[TODO: add]", "  # TODO:", "TODOs", "a" * 150, "<!-- -->"]


def test_blank_todos_is_the_patterns_sub() -> None:
    rnd = random.Random(11)
    for _ in range(20_000):
        body = "".join(rnd.choice(TODO_PIECES) for _ in range(rnd.randint(0, 20)))
        assert _blank_todos(body) == _TODO.sub(_blanked, body), repr(body)


def test_blank_todos_reads_a_line_of_todos_once() -> None:
    """800,000 characters of "TODO" on one line cost a small multiple of the pattern's own pass over plain text of
    that length (about 7 times: a Python step per occurrence); looking back to the line's start at each occurrence
    took 100 times, and more as the line grows."""
    def took(fn: Callable[[str], str], body: str) -> float:
        best = float("inf")
        for _ in range(3):
            t0 = thread_cpu_seconds()
            fn(body)
            best = min(best, thread_cpu_seconds() - t0)
        return best

    body = "TODO" * 200_000 + "\n# TODO: x"
    assert _blank_todos(body) == "TODO" * 200_000 + "\n" + " " * 9
    assert took(_blank_todos, body) < 30 * took(lambda b: _TODO.sub(_blanked, b), "xy" * 400_000) + 0.1
