"""The card pass's speed changes (twenty-third session) find exactly what the searches they replace found.

Why: the start needles (:func:`start_needles`) now also read a pattern that opens at a line's start (``^``: tried
at each line start) or with a decimal digit (``\\d``: each digit of a window tried), a group of zero-width items (the
Latin word boundaries of Japanese and Korean forms), a literal run with Latin-1 letters ("époques") and a one-letter
run before a group ("d" of "(delta|diff)", as ``re`` parses it); a reading that lost one start would lose a match and
change a grade with no test of a grade noticing. Each is compared with ``pattern.search`` on random texts, and the
Latin-1 letters' case folding with every code point.
"""

from __future__ import annotations

import random
import re
import sys

import pytest

from openscope.derive.openness.probes import (
    _PLAIN_FOLD,
    DIGIT,
    LINE_START,
    _line_starts,
    first_match_at,
    start_hits,
    start_needles,
)


@pytest.mark.parametrize(("pattern", "flags", "expected"), [
    (r"^[ \t]*+[-*]?[ \t]*+\**+(?:code|data)", re.M, (LINE_START,)),
    (r"^foo", re.M, ("foo",)),                         # what follows the anchor is tighter than every line start
    (r"\Abar|^[-*] x", re.M, ("bar", LINE_START)),  # (words first, then places)
    (r"^", re.M, None),                                # may match nothing
    (r"^x?", re.M, None),
    (r"\^\d", 0, None),                                # a literal caret is no line start
    (r"(?:\^|^)foo", re.M, None),
    (r"(?:(?<=a)|(?=b))foo", 0, ("foo",)),             # a group of zero-width items takes no room
    (r"(delta|diff) x", 0, ("delta", "diff")),         # "d" + "(elta|iff)" in re's parse
    (r"u-?net", 0, ("u-", "unet")),
    (r"a?(bc|de)", 0, None),
    (r"époques?|décroissance", 0, ("décroissance", "époque")),
    (r"ßx", 0, None),                                  # folds to "ss": not read
    (r"\d+ layers", 0, (DIGIT,)),                      # any decimal digit (tried in each window searched)
    (r"(?<![\w.])\d+ checkpoints|step\d+", 0, ("step", DIGIT)),
])
def test_start_needles_read_line_starts_and_more(pattern: str, flags: int, expected: tuple[str, ...] | None) -> None:
    assert start_needles(re.compile(pattern, re.IGNORECASE | flags)) == expected


def test_line_starts_are_every_line_start() -> None:
    for text in ("", "a", "\n", "ab\n\ncd\n", "x\ny\r\nz"):
        assert _line_starts(text) == [0] + [m.end() for m in re.finditer("\n", text)]


def test_latin1_letters_fold_only_to_their_own_cases() -> None:
    """Every character IGNORECASE matches to a letter of :data:`_PLAIN_FOLD` lowers to the same letter (so a start
    needle holding it is found in the lowered text wherever ``re`` matches)."""
    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    for letter in sorted(_PLAIN_FOLD):
        for m in re.finditer(re.escape(letter), every, re.IGNORECASE):
            assert m.group().lower() == letter.lower(), (letter, m.group())


def _text(rnd: random.Random, words: list[str]) -> str:
    parts = []
    for _ in range(rnd.randint(0, 40)):
        r = rnd.random()
        if r < 0.4:
            w = rnd.choice(words)
            parts.append(w.upper() if rnd.random() < 0.2 else w.capitalize() if rnd.random() < 0.3 else w)
        else:
            parts.append(rnd.choice([" ", "\t", "\n", "\n", "- ", "* ", "**", "> ", "1. ", ". ", "#", "é", "É", "x"]))
    return "".join(parts)


@pytest.mark.parametrize(("pattern", "words"), [
    (r"^[ \t]*+[-*]?[ \t]*+\**+(orchestration|training (code|framework))\b[^\n]{0,20}", ["orchestration", "training",
                                                                                      "code", "framework"]),
    (r"^[ \t>]*(?:(?:[-*+]|\d+[.)])[ \t]+)?[*_]*(?P<at>data|corpus)\b", ["data", "corpus", "12", "3)"]),
    (r"\bépoques?\b|taux d['’]apprentissage", ["époque", "époques", "taux d'apprentissage", "ÉPOQUE"]),
    (r"(intermediate checkpoints?|\bstep\d{3,}\b|(?<![\w.])\d+ checkpoints)", ["intermediate", "checkpoints", "step",
                                                                               "154", "3", "1000", "a1", ".2"]),
    (r"\b(\d+ (layers|heads)|hidden (size|dim))\b", ["layers", "heads", "hidden", "size", "32", "7", "x1", "٣"]),
    (r"(delta|diff) (of )?(the )?weights|weights? (delta|diff)s?\b", ["delta", "diff", "weights", "of ", "the "]),
    (r"(?:(?<=[0-9A-Za-z_])(?![0-9A-Za-z_])|(?<![0-9A-Za-z_])(?=[0-9A-Za-z_]))(?:code|repo)", ["code", "repo", "ab"]),
])
def test_searching_at_the_new_start_needles_finds_what_search_finds(pattern: str, words: list[str]) -> None:
    p = re.compile(pattern, re.IGNORECASE | re.MULTILINE)
    assert start_needles(p) is not None
    rnd = random.Random(23)
    for _ in range(400):
        text = _text(rnd, words)
        starts = start_hits(text, text.lower(), p)
        assert starts is not None
        a = rnd.randint(0, len(text))
        b = rnd.randint(a, len(text))
        for lo, hi in ((0, len(text)), (a, b)):
            got, want = first_match_at(text, p, starts, lo, hi), p.search(text, lo, hi)
            assert (got and (got.span(), got.groups())) == (want and (want.span(), want.groups())), (text, lo, hi)
        every, at = [], 0
        while (m := first_match_at(text, p, starts, at, len(text))) is not None:
            every.append(m.span())
            at = m.end() if m.end() > m.start() else m.end() + 1
        assert every == [m.span() for m in p.finditer(text)], text


def test_a_sentence_searched_at_its_start_needles_finds_what_search_finds() -> None:
    """For the English side of every probe pattern with sentence start needles (:func:`sentence_start_needles`,
    which also reads small classes and keeps single characters): the match found at those starts is
    ``pattern.search``'s, and :func:`zsearch` answers as ``search`` does."""
    import importlib
    import pkgutil

    from openscope.derive.openness import probes
    from openscope.derive.openness.probes import _ENGLISH, _sentence_starts, required_needles, zsearch
    from openscope.derive.openness.probes import sentence_start_needles as sentence_needles

    defined: dict[int, re.Pattern[str]] = {}   # every module-level pattern of the probes, by id
    for info in pkgutil.iter_modules(probes.__path__):
        mod = importlib.import_module(f"{probes.__name__}.{info.name}")
        defined.update((id(v), v) for v in vars(mod).values() if isinstance(v, re.Pattern))
    pairs = [(defined.get(i), english) for i, english in _ENGLISH.items() if sentence_needles(english) is not None]
    assert len(pairs) >= 20
    rnd = random.Random(2323)
    for whole, p in pairs:
        words = list(sentence_needles(p) or ()) + list(required_needles(p) or ()) + ["the ", "model ", ". "]
        for _ in range(120):
            text = _text(rnd, words)
            low = text.lower()
            starts = _sentence_starts(p, text, low)
            if starts is not None:
                got, want = first_match_at(text, p, starts, 0, len(text)), p.search(text)
                assert (got and (got.span(), got.groups())) == (want and (want.span(), want.groups())), \
                    (p.pattern[:80], text)
            if whole is not None and not re.search(r"[\u4e00-\u9fff\u3040-\u30ff\uac00-\ud7af]", text):
                z, w = zsearch(whole, text), p.search(text)
                assert (z and z.span()) == (w and w.span()), (p.pattern[:80], text)
