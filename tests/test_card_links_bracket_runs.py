"""Markdown links are found at the ``[`` each ``](`` allows (cards._bracket_links): the same matches as the
patterns' own ``finditer``, in linear time on runs of brackets (a run of ``[`` took seconds per card); fence lines
are looked for once per line (cards._fence_lines: a line of backticks was read once per backtick)."""

from __future__ import annotations

from cpu_time import thread_cpu_seconds
from hypothesis import given, settings
from hypothesis import strategies as st

from openscope.derive.openness.cards import (
    _FENCE,
    _MD_LINK,
    _REL_LINK,
    _bracket_links,
    _fence_lines,
    parse_card,
)

PIECES = ["[", "]", "(", ")", "](", "](https://a.b/c)", "](docs/x.md)", "](#top)", "\n", "x", " ", "http://",
          "mailto:", "a" * 150, "[t](http://e.org/p)"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_the_same_matches_as_finditer(parts: list[str]) -> None:
    body = "".join(parts)
    for rx in (_MD_LINK, _REL_LINK):
        assert [m.span() for m in _bracket_links(rx, body)] == [m.span() for m in rx.finditer(body)]


def test_runs_of_brackets_cost_what_plain_text_of_their_length_costs() -> None:
    """A 200,000-character run of "[" (and of "[a", and of backticks) beside two links parses in a small multiple of the time plain
    text of the same length takes, measured in the same run (the pattern's own search took 10-30 times that);
    the links around the run are still found."""
    def parse(run: str) -> tuple[float, object]:
        t0 = thread_cpu_seconds()
        card = parse_card("# T\n\n[doc](https://e.org/d) " + run * (200_000 // len(run)) + " [code](src/train.py)\n")
        return thread_cpu_seconds() - t0, card

    plain = min(parse("xy")[0] for _ in range(3))
    for run in ("[", "[a", "`"):
        took, card = min((parse(run) for _ in range(3)), key=lambda r: r[0])
        assert [lk.url for lk in card.links] == ["https://e.org/d"]  # type: ignore[attr-defined]
        assert [lk.url for lk in card.rel_links] == ["src/train.py"]  # type: ignore[attr-defined]
        assert took < 4 * plain + 0.2, (run, took, plain)


FENCE_PIECES = ["`", "```", "~", "~~~", " ", "  ", "\t", "\n", "x", "````", " ```py", "\n   ```", "\n    ```"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(FENCE_PIECES), max_size=40))
def test_fence_lines_are_the_patterns_own_matches(parts: list[str]) -> None:
    """cards._fence_lines looks for a fence once per line (the first run of backticks or tildes): the same
    matches as the pattern tried everywhere, and a 200,000-backtick line is no longer read once per backtick."""
    body = "".join(parts)
    assert [m.span() for m in _fence_lines(body)] == [m.span() for m in _FENCE.finditer(body)]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from([*FENCE_PIECES, "\t\t```", "```x`"]), max_size=40))
def test_own_evidence_fence_starts_are_the_patterns_own_matches(parts: list[str]) -> None:
    """The probes' own fence finder (code spans of a card) reads each line once, with the same answer."""
    from openscope.derive.openness.probes._own_evidence import _FENCE as OWN_FENCE
    from openscope.derive.openness.probes._own_evidence import _fence_starts

    text = "".join(parts)
    assert _fence_starts(text) == [m.start() for m in OWN_FENCE.finditer(text)]
