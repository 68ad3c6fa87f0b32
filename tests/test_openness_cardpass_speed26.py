"""The card pass's speed changes (twenty-sixth session) give exactly what the code they replace gave.

Why: each change keeps an answer that grades depend on and that no test of a grade would notice losing:
- :func:`..curated.lookup` matches an id only against the patterns whose literal prefix it starts with: a prefix read
  wrongly (a wildcard taken for a letter) would lose a model's curated facts;
- :func:`..probes._every_occurrence` finds start needles of four characters or more in the card's one pass
  (:func:`..probes.needle_hits`, Aho-Corasick) instead of ``str.find``: a pass that missed an overlapping or a
  non-ASCII occurrence would lose a match start, and so a match.
Each is compared with the plain computation (the ``fnmatchcase`` walk, a ``str.find`` loop) on random inputs and on
the development cards.
"""

from __future__ import annotations

import random
import re
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest
from probe_patterns import find_all, module_patterns

from openscope.derive.openness import curated
from openscope.derive.openness import probes as P
from openscope.derive.openness.cards import parse_card
from openscope.derive.openness.probes import start_hits, start_needles


def _walk(model_id: str) -> dict[str, Any] | None:
    """:func:`curated.lookup` as it was: every entry's every pattern, in order, with ``fnmatchcase``."""
    mid = model_id.lower()
    for e in curated.entries():
        for pat in e.get("hub_ids") or ():
            if fnmatchcase(mid, str(pat).lower()):
                return e
    return None


def _ids(rnd: random.Random) -> list[str]:
    """Ids that match the curated patterns (wildcards filled in, cases mixed), nearly match them, or match none."""
    pats = [str(p) for e in curated.entries() for p in e.get("hub_ids") or ()]
    assert len(pats) >= 20
    out: list[str] = []
    fill = "abcXYZ-_./0123456789İ"
    for p in pats:
        out.append(p)
        for _ in range(8):
            s = "".join("".join(rnd.choice(fill) for _ in range(rnd.randint(0, 6))) if c == "*"
                        else rnd.choice(fill) if c == "?" else c for c in p)
            s = "".join(c.upper() if rnd.random() < 0.3 else c for c in s)
            out += [s, s[:rnd.randint(0, len(s))], s + rnd.choice(["", "x", "/y", "-7b"]), rnd.choice(fill) + s]
    out += list(curated.mof_records())[:50]
    out += ["".join(rnd.choice(fill) for _ in range(rnd.randint(0, 20))) for _ in range(300)]
    return out


def test_lookup_is_the_fnmatch_walk() -> None:
    rnd = random.Random(26)
    ids = _ids(rnd)
    hits = 0
    for i in ids:
        got, want = curated.lookup(i), _walk(i)
        assert got is want, i
        hits += want is not None
    assert hits > len(ids) // 10   # (the ids do reach the entries: a test of misses alone proves little)


@pytest.mark.parametrize(("pattern", "prefix"), [
    ("meta-llama/llama-2-*", "meta-llama/llama-2-"), ("gpt2-*", "gpt2-"), ("t5-small", "t5-small"),
    ("a?b*", "a"), ("x[yz]*", "x"), ("*", ""), ("Org/Name*", "org/name"), ("a[b", "a"),
])
def test_glob_prefix_stops_at_the_first_wildcard(pattern: str, prefix: str) -> None:
    assert curated._glob_of(pattern) == (pattern.lower(), prefix)


def _start_words() -> list[str]:
    """Every start needle (words, not places) of the probes' patterns."""
    return sorted({n for p in _patterns() for n in start_needles(p) or () if len(n) >= 2})


def _check_texts(texts: list[str]) -> None:
    words = _start_words()
    assert any(len(w) >= P.POOLED_START for w in words) and any(len(w) < P.POOLED_START for w in words)
    for text in texts:
        low = text.lower()
        order = list(words)
        random.Random(len(text)).shuffle(order)   # (asked in any order: before and after the pass holds them)
        for w in order:
            assert P._every_occurrence(low, w) == find_all(low, w), (w, text[:200])
        for w in order:
            if len(w) >= P.POOLED_START:
                assert w in P._SEEN   # found by the one pass from the next text on
        low2 = low + " "   # a new text: now the pass holds every long word
        for w in order:
            assert P._every_occurrence(low2, w) == find_all(low2, w), (w, text[:200])


def test_start_words_are_found_as_find_finds_them() -> None:
    """Random texts made of the start words themselves, overlapping ("ssss"), in mixed case and with
    non-ASCII characters (the pass and ``find`` read code points alike)."""
    words = _start_words()
    rnd = random.Random(2626)
    texts = []
    for _ in range(40):
        parts = []
        for _ in range(rnd.randint(0, 60)):
            r = rnd.random()
            w = rnd.choice(words)
            parts.append(w + w[len(w) // 2:] if r < 0.2 else w.upper() if r < 0.3 else w if r < 0.7
                         else rnd.choice([" ", "\n", "é", "代码", "ı", "İ", "- ", "the ", "in"]))
        texts.append("".join(parts))
    _check_texts(texts)


def _patterns() -> list[re.Pattern[str]]:
    """Every probe pattern with start needles (as ``test_openness_cardpass_speed22`` lists them)."""
    return [p for p in module_patterns() if start_needles(p) is not None]


@pytest.mark.reference
def test_start_hits_on_the_development_cards(shared_data: Path) -> None:
    """On the development cards: every start word is found where ``find`` finds it, and each probe pattern's starts
    are the sorted union of its start words' ``find`` positions (places aside)."""
    cards = [parse_card(p.read_text("utf-8", errors="replace")).lowered_body
             for p in sorted((shared_data / "openness" / "cards").glob("*.md"))]
    assert len(cards) >= 70
    _check_texts(cards[:25])
    patterns = _patterns()
    for low in cards:
        for p in patterns:
            words = [n for n in start_needles(p) or () if n not in (P.LINE_START, P.DIGIT)]
            if len(words) != len(start_needles(p) or ()):
                continue   # (line starts and digits are read by their own tests)
            got = start_hits(low, low, p)
            if got is None:
                continue
            assert list(got) == sorted({i for w in words for i in find_all(low, w)}), p.pattern[:80]


def _every_probe_pattern() -> list[re.Pattern[str]]:
    """Every probe pattern a sentence can be searched for at its start words."""
    return [p for p in module_patterns() if P.sentence_start_needles(p) is not None]


def test_sentence_search_is_search() -> None:
    """For every probe pattern a sentence can be searched for at its start words (the judges' cues among them): the
    same match as ``search``, span and groups, on random sentences made of its own words, in mixed case, with
    Chinese, Japanese and odd-folding characters."""
    from openscope.derive.openness.probes._own_evidence import CODE_CUE, REPORT_CUE
    from openscope.derive.openness.probes._own_paper import NAMED_BEFORE, OWN_CUE

    patterns = _every_probe_pattern()
    assert all(P.sentence_start_needles(p) is not None for p in (OWN_CUE, REPORT_CUE, CODE_CUE, NAMED_BEFORE))
    assert len(patterns) >= 30
    rnd = random.Random(262)
    fillers = [" ", " ", "\n", ". ", ", ", "-", ":", "(", ")", "[", "](", "the ", "our ", "is ", "not ", "released ",
               "available ", "paper ", "we ", "a ", "代码", "论文", "コード", "\u017f", "\u212a", "é", "'"]
    for p in patterns:
        words = list(P.sentence_start_needles(p) or ()) + list(P.required_needles(p) or ())
        for _ in range(120):
            parts = []
            for _ in range(rnd.randint(0, 50)):
                r = rnd.random()
                if r < 0.5:
                    w = rnd.choice(words)
                    parts.append(w.upper() if r < 0.1 else w.capitalize() if r < 0.2 else w)
                else:
                    parts.append(rnd.choice(fillers))
            text = "".join(parts)
            got, want = P.sentence_search(p, text), p.search(text)
            assert (got and (got.span(), got.groups())) == (want and (want.span(), want.groups())), \
                (p.pattern[:80], text)
