"""The probes' needle index: every occurrence of a needle in a card, as a ``str.find`` loop finds them.

The probes search windows around needles (``fast_search``), so a needle occurrence the index missed would
silently drop a match. The index finds all needles asked for so far in one Aho-Corasick pass per text and
falls back to ``str.find`` for a needle it has not seen yet; both paths, and a text change between calls,
must give exactly the positions ``str.find`` gives (overlapping occurrences included), capped as asked.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from probe_patterns import find_all

from openscope.derive.openness.probes import fast_search, needle_hits

ALPHABET = "ab 数据层a/-"
needle = st.text(alphabet=ALPHABET, min_size=1, max_size=4)


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(st.text(alphabet=ALPHABET, max_size=300), min_size=1, max_size=4),
       needles=st.lists(needle, min_size=1, max_size=8), cap=st.integers(0, 400))
def test_needle_hits_equal_a_find_loop(texts: list[str], needles: list[str], cap: int) -> None:
    for t in texts:
        low = t.lower()
        for _round in range(2):   # first as new needles (find), then from the one-pass index
            for w in needles:
                want = find_all(low, w)
                assert needle_hits(low, w, cap) == (want if len(want) <= cap + 1 else want[:cap + 1]), (t, w, cap)
            low = "".join(low)  # an equal string that is another object: a new text for the index
            low = low + ""


def test_a_new_text_never_answers_with_the_last_ones_positions() -> None:
    a, b = "data layer data", "no such word"
    assert needle_hits(a, "data", 10) == [0, 11]
    assert needle_hits(b, "data", 10) == []
    assert needle_hits(a.upper().lower(), "data", 10) == [0, 11]


def test_fast_search_finds_the_match_a_full_search_finds() -> None:
    import re

    pat = re.compile(r"train(?:ed|ing)? on (\d+) GPUs", re.IGNORECASE)
    text = "x" * 5000 + " We trained on 512 GPUs. " + "y" * 3000 + " training on 8 GPUs"
    for _ in range(3):
        m = fast_search(text, text.lower(), pat, ("train",))
        assert m is not None and m.group(1) == "512" and m.start() == pat.search(text).start()
