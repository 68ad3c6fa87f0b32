"""Probes: one small pure function per judgment, Scorecard style.

Each module ``probes/<name>.py`` defines ``COMPONENT`` (the MOF component it judges, or ``None``) and
``run(rec: ModelRecord) -> Finding``; its documentation (what, why, how, how a publisher fixes it) is
``probes/<name>.md`` beside it and is rendered into ``docs/openness.md``. A probe reads only the
record (Hub metadata, file list, card, declared datasets); it never keys on a model's name, never reads
an expert grade, and never raises on content.

A finding's ``status`` uses the component vocabulary (``open_license``, ``restrictive_license``,
``no_license``, ``documented_not_released``, ``not_found``); ``outcome`` is Scorecard's
(positive, negative, not_applicable, unknown).
"""

from __future__ import annotations

import bisect
import importlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from itertools import accumulate, chain
from typing import Any

import ahocorasick_rs

from openscope.derive.openness.cards import Section
from openscope.derive.openness.hant import CJK as _CJK
from openscope.derive.openness.hant import KANA_HANGUL as _KANA_HANGUL
from openscope.derive.openness.hant import script_level as _level
from openscope.derive.openness.records import ModelRecord

PROBES: tuple[str, ...] = (
    "weights_released",
    "weights_gated",
    "architecture_code",
    "training_code",
    "inference_code",
    "evaluation_code",
    "preprocessing_code",
    "datasets_released",
    "data_card",
    "evaluation_results",
    "evaluation_data",
    "intermediate_checkpoints",
    "model_metadata",
    "model_card",
    "technical_report",
    "research_paper",
    "peer_reviewed_paper",
    "supporting_libraries",
    "sample_outputs",
    "hardware_documented",
    "license_declared",
    "open_source_claim",
)

STATUS_RANK = {
    "open_license": 4,
    "restrictive_license": 3,
    "no_license": 2,
    "documented_not_released": 1,
    "not_found": 0,
}


@dataclass
class Evidence:
    kind: str          # hub_metadata | card | file_list | curated | expert
    locator: str
    snippet: str
    read_at: str

    def as_json(self) -> dict[str, str]:
        return {"kind": self.kind, "locator": self.locator, "snippet": self.snippet, "read_at": self.read_at}


@dataclass
class Finding:
    probe: str
    outcome: str                       # positive | negative | not_applicable | unknown
    component: str | None = None
    status: str = "not_found"
    license: str | None = None
    evidence: list[Evidence] = field(default_factory=list)
    remediation: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "probe": self.probe, "outcome": self.outcome, "component": self.component, "status": self.status,
            "license": self.license, "evidence": [e.as_json() for e in self.evidence],
            "remediation": self.remediation, **({"detail": self.detail} if self.detail else {}),
        }


@cache
def _module(name: str) -> Any:
    return importlib.import_module(f"openscope.derive.openness.probes.{name}")


def probe_component(name: str) -> str | None:
    """The MOF component probe ``name`` judges (its module's ``COMPONENT``), or None."""
    return getattr(_module(name), "COMPONENT", None)


def probe_functions() -> list[tuple[str, Callable[[ModelRecord], Finding]]]:
    return [(name, _module(name).run) for name in PROBES]


def documentation(name: str) -> str:
    return resources.files("openscope.derive.openness.probes").joinpath(f"{name}.md").read_text("utf-8")


def documentation_section() -> str:
    """Every probe's documentation as the "Probes" section that ends ``docs/openness.md``.

    The section is generated, not edited by hand, so the user docs never drift from the files beside
    the probes (a test compares them). Regenerate it with
    ``python -c "from openscope.derive.openness.probes import write_documentation; write_documentation()"``.
    """
    parts = ["## Probes"]
    for name in PROBES:  # each file's headings start at "#": two levels down under "## Probes"
        text = documentation(name).strip("\n")
        parts.append("\n".join("##" + ln if ln.startswith("#") else ln for ln in text.splitlines()))
    return "\n\n".join(parts) + "\n"


def write_documentation(path: str | None = None) -> None:
    """Replace the "Probes" section at the end of ``docs/openness.md`` with :func:`documentation_section`."""
    from pathlib import Path

    doc = Path(path) if path else Path(__file__).resolve().parents[5] / "docs" / "openness.md"
    text = doc.read_text("utf-8")
    head = text[: text.index("\n## Probes\n") + 1]
    doc.write_text(head + documentation_section(), "utf-8")


def run_all(rec: ModelRecord, only: frozenset[str] | None = None) -> list[Finding]:
    """Every probe's finding (``only``: the findings of these probes alone, in the same order). A Traditional Chinese card is read in simplified characters (:mod:`..hant`); what
    its evidence quotes of it (section titles, link anchors: the reading text's words) is given back in the
    card's own characters here, once for all probes. A card that hosts other releases (a team README's news
    items, sections and paper links about a sibling model, benchmark or paper) is read without their parts
    (:func:`._siblings.own_view`): what it says of them is not this release's evidence."""
    from openscope.derive.openness.probes._siblings import own_view

    rec = own_view(rec)
    findings = [fn(rec) for name, fn in probe_functions() if only is None or name in only]
    card = rec.card
    if card is not None and card.written is not None:
        for f in findings:
            for e in f.evidence:
                if e.kind == "card":
                    e.snippet = card.as_written(e.snippet)
    return findings


# -- helpers shared by probes ------------------------------------------------------------------------


_ENGLISH: dict[int, re.Pattern[str]] = {}   # by id: hashing a pattern hashes its compiled code
_HAN: dict[int, re.Pattern[str]] = {}       # the English and Chinese sides of a pattern that has a Japanese/Korean one
# Chinese, Japanese and Korean characters, and kana and hangul syllables (a text with none of them is neither
# Japanese nor Korean): defined with the script levels in :mod:`..hant`, whose reading of a card asks for its level
# first, so the probes find a card body's level kept.


def either(english: str, chinese: str, flags: int = 0, *, jako: str | None = None) -> re.Pattern[str]:
    """A pattern matching the English alternatives, the Chinese ones (every Chinese alternative holds a Chinese
    character) or the Japanese and Korean ones (``jako``), each side grouped.

    Why: Python's ``re`` searches a flat alternation of ``\\b``-words quickly, and the same alternation with
    Chinese literals appended about four times more slowly (measured on the development cards: 46 → 220 ms for
    the running-the-model words); grouped, it costs less, and :func:`for_text` searches a text with no Chinese
    character (most Hub cards) with the English side alone, which finds exactly the same matches. The Japanese and
    Korean side is searched in a card only when it holds kana or hangul (a Chinese card does not pay for it), so
    a kanji-only word there (謝辞, 学習) is read in Japanese cards, and Chinese cards read as they did.
    """
    rx = re.compile(f"(?:{english})|(?:{chinese})" + (f"|(?:{jako})" if jako else ""), flags)
    _ENGLISH[id(rx)] = re.compile(english, flags)
    if jako:
        _HAN[id(rx)] = re.compile(f"(?:{english})|(?:{chinese})", flags)
    _KANA[id(rx)] = re.compile(latin_boundaries(rx.pattern), flags)
    return rx


_KANA: dict[int, re.Pattern[str]] = {}   # an either() pattern with Latin word boundaries, for Japanese and Korean
_LATIN_B = r"(?:(?<=[0-9A-Za-z_])(?![0-9A-Za-z_])|(?<![0-9A-Za-z_])(?=[0-9A-Za-z_]))"


def latin_boundaries(pattern: str) -> str:
    """``pattern`` with each ``\\b`` (outside a character class) made a boundary of Latin letters and digits.

    Why: kana and hangul are word characters to ``re``, and Japanese and Korean write their particles right after
    a Latin word ("RoPEを採用", "SwiGLU를 사용"), so ``\\bRoPE\\b`` finds nothing there. On an ASCII text the two
    boundaries are the same; this form is searched only in a text with kana or hangul (:func:`for_text`)."""
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            pair = pattern[i:i + 2]
            out.append(_LATIN_B if pair == "\\b" and not in_class else pair)
            i += 2
            continue
        if in_class and c == "]":
            in_class = False
        elif not in_class and c == "[":
            in_class = True
            out.append(c)
            i += 1
            if pattern[i:i + 1] == "^":
                out.append("^")
                i += 1
            if pattern[i:i + 1] == "]":   # a "]" right after "[" or "[^" is a literal
                out.append("]")
                i += 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def kana_or_hangul(text: str) -> bool:
    """Whether ``text`` holds a kana or a hangul syllable (a Japanese or Korean text): a pattern of Japanese and
    Korean words that is not an :func:`either` pattern is searched only then."""
    return not text.isascii() and _KANA_HANGUL.search(text) is not None


def card_in_kana_or_hangul(body: str) -> bool:
    """:func:`kana_or_hangul` for a card's text, kept for the last text (the check scans a card with no kana)."""
    return _level(body) == 2


_JAKO_ONLY: set[str] = set()
_PLAIN: dict[int, tuple[tuple[str, ...], tuple[str, ...]]] = {}


def jako_needles(*needles: str) -> tuple[str, ...]:
    """Needles (:func:`fast_search`) of Japanese and Korean words: looked for only in a text with kana or hangul."""
    _JAKO_ONLY.update(needles)
    return needles


def needles_for(needles: tuple[str, ...], text: str) -> tuple[str, ...]:
    """``needles`` less the :func:`jako_needles` when ``text`` has no kana or hangul (their words cannot be there).
    Why: each needle is a ``str.find`` over the card, and a card holding an emoji or a Chinese character is scanned
    for each one (the Japanese and Korean needles cost the development cards 8% more CPU before this)."""
    if not needles or _level(text) == 2:
        return needles
    held = _PLAIN.get(id(needles))
    if held is None or held[0] is not needles:   # (the tuple is held, so its id is not reused)
        if len(_PLAIN) >= 512:
            _PLAIN.clear()
        held = _PLAIN[id(needles)] = (needles, tuple(n for n in needles if n not in _JAKO_ONLY) or needles)
    return held[1]


def for_text(pattern: re.Pattern[str], text: str) -> re.Pattern[str]:
    """``pattern``, or the sides of it that can match ``text``: its English side when ``text`` holds no Chinese,
    Japanese or Korean character, its English and Chinese sides when it holds no kana and no hangul, and all
    with Latin word boundaries (:func:`latin_boundaries`) when it holds some. The last texts' answers are kept:
    probes search one card many times."""
    english = _ENGLISH.get(id(pattern))
    if english is None:
        return pattern
    level = _level(text)
    if level == 0:
        return english
    return _HAN.get(id(pattern), pattern) if level == 1 else _KANA.get(id(pattern), pattern)


def zsearch(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """``pattern.search(text)`` for a sentence or a title: one with no Chinese, Japanese or Korean character is
    searched with an :func:`either` pattern's English side alone (an ASCII text without looking further), any
    other with the whole pattern (with Latin word boundaries when it holds kana or hangul). Why whole: a Japanese
    title is often kanji alone ("謝辞", "評価"), and it is read as its card is; a title is short, so this costs
    little."""
    short = len(text) <= _ZMEMO_TEXT
    if short:
        held = _ZMEMO.get((id(pattern), text))
        if held is not None and held[0] is pattern:   # (the pattern is held, so its id is not reused)
            return held[1]
    english = _ENGLISH.get(id(pattern))
    if english is None:
        m = pattern.search(text)
    elif text.isascii() or _CJK.search(text) is None:
        low = text.lower()
        if not may_match(_needles_of(english), text, low):
            m = None
        else:
            starts = _sentence_starts(english, text, low) if len(text) > _SENTENCE_STARTS_FROM else None
            m = english.search(text) if starts is None else first_match_at(text, english, starts, 0, len(text))
    else:
        m = (_KANA[id(pattern)] if _KANA_HANGUL.search(text) else pattern).search(text)
    if short:
        if len(_ZMEMO) >= 4096:
            _ZMEMO.clear()
        _ZMEMO[(id(pattern), text)] = (pattern, m)
    return m


# The answers of :func:`zsearch` for short texts (a sentence, a title), by pattern and text. Why: the probes ask
# the same question of the same sentence again and again (does the sentence around a match promise or cite? is
# this section others' work?), once per pattern that matched in it: a third of the calls repeated an earlier one.
_ZMEMO_TEXT = 1000
_SENTENCE_STARTS_FROM = 64   # a shorter text (a title) is searched as fast as its start needles are looked for
_SENTENCE_STARTS: dict[int, tuple[re.Pattern[str], tuple[str, ...] | None]] = {}


def sentence_start_needles(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """The lower-case strings one of which every match of ``pattern`` opens with, for a sentence: as
    :func:`start_needles`, with a small class of characters read as its characters ("[:：]") and with single
    characters kept (a sentence is short: each is one ``str.find``); None when a match may open otherwise, or at
    a place (a line start, a digit). Kept by pattern."""
    held = _SENTENCE_STARTS.get(id(pattern))
    if held is None or held[0] is not pattern:   # (the pattern is held, so its id is not reused)
        tree = _parsed(pattern)
        try:
            found = None if tree is None else _start_literals(tree, classes=True)
        except Exception:  # noqa: BLE001 - an opcode this reader does not know: no start needles
            found = None
        ok = found is not None and 0 < len(found) <= _MAX_START_NEEDLES and tree is not None \
            and tree.getwidth()[0] > 0 and not any(isinstance(w, _Place) for w in found)
        if len(_SENTENCE_STARTS) >= 1024:
            _SENTENCE_STARTS.clear()
        held = _SENTENCE_STARTS[id(pattern)] = (pattern, tuple(sorted(found)) if ok and found is not None else None)
    return held[1]


def _sentence_starts(pattern: re.Pattern[str], text: str, lowered: str) -> list[int] | None:
    """Every place in a sentence ``text`` (``lowered`` its lower case) where a match of ``pattern`` can start (the
    occurrences of its :func:`sentence_start_needles`), in order; None when that reading does not apply (as for
    :func:`start_hits`). Why: a sentence is searched for the long alternations of denials and citations
    (:data:`._own_evidence.PROMISE`: dozens of words, most behind ``\\b``), which ``re`` tries at every character;
    each mention's and link's sentence is asked, and the search of a sentence of 170 characters cost more than a
    ``str.find`` of each start word and a ``match`` where one occurs."""
    needles = sentence_start_needles(pattern)
    if needles is None or len(lowered) != len(text) or (not text.isascii() and any(c in text for c in _START_FOLDS)):
        return None
    found: set[int] = set()
    for n in needles:
        i = lowered.find(n)
        while i >= 0:
            found.add(i)
            i = lowered.find(n, i + 1)
    return sorted(found)


def sentence_search(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """``pattern.search(text)`` for a sentence or a link's context (the same match: span and groups), tried only where
    one of the pattern's :func:`sentence_start_needles` occurs when the text is longer than a title.

    Why: the link judges (``_own_paper.judge``, ``_own_evidence.judge_place``) search each link's sentence for the
    long case-insensitive alternations of an announcement (``OWN_CUE``: "our paper", "we release", "technical
    report", behind ``\\b``), which ``re`` tries at every character; a search of a 250-character context took about
    six times as long as a ``str.find`` of each start word and a ``match`` where one occurs. Unlike :func:`zsearch`
    the pattern is searched as it is given (no side of it left out), so any text gets exactly its ``search``."""
    if len(text) <= _SENTENCE_STARTS_FROM:
        return pattern.search(text)
    starts = _sentence_starts(pattern, text, text.lower())
    return pattern.search(text) if starts is None else first_match_at(text, pattern, starts, 0, len(text))


_ZMEMO: dict[tuple[int, str], tuple[re.Pattern[str], re.Match[str] | None]] = {}
_NEEDLES_OF: dict[int, tuple[re.Pattern[str], tuple[str, ...] | None]] = {}


def _needles_of(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """:func:`required_needles` of ``pattern``, kept by pattern. Why: an :func:`either` pattern's English side is
    a long case-insensitive alternation that ``re`` tries at every character of a sentence; most sentences hold
    none of its words, and a substring test says so (:func:`may_match`)."""
    held = _NEEDLES_OF.get(id(pattern))
    if held is None or held[0] is not pattern:   # (the pattern is held, so its id is not reused)
        if len(_NEEDLES_OF) >= 1024:
            _NEEDLES_OF.clear()
        held = _NEEDLES_OF[id(pattern)] = (pattern, required_needles(pattern))
    return held[1]


NEEDLE_BEFORE = 300   # a match starts at most this many characters before one of its needles
NEEDLE_AFTER = 900    # … and ends at most this many characters after it


# The last lowered text searched, where each needle occurs in it, and every occurrence of the needles the
# automaton held when that text came (one pass: see needle_hits).
_NEEDLES: list[Any] = [None, {}, {}, frozenset()]
_SEEN: set[str] = set()                   # every needle asked for so far (in this process)
_AUTOMATON: list[Any] = [None, frozenset(), ()]  # an Aho-Corasick automaton, its needles (a set, in order)


def _all_occurrences(lowered: str) -> tuple[dict[str, list[int]], frozenset[str]]:
    """Every occurrence of every needle asked for so far, in one pass over ``lowered``, and those needles.

    Why: a card is tens of kilobytes and its probes ask for about 250 distinct needles; one ``str.find`` pass per
    needle and occurrence read the card some 700 times (a fifth of a card's assessment). An Aho-Corasick
    automaton over the needles finds them all in one pass, overlapping occurrences included, as the ``find`` loop
    does. The automaton is rebuilt when new needles have been asked for since (the set is the probes' fixed needle
    lists, so after the first cards of a run it no longer changes).

    Why ahocorasick-rs (Rust's ``aho-corasick`` crate) with its DFA: pyahocorasick's walk followed a trie whose
    nodes list their children, about 80 ns a character of a card, 7% of a card's instructions; the DFA's walk is
    a table lookup a character, a third of the time on the development cards (its build, about 9 ms for the
    probes' 580 needles, happens a few times per process while the set grows). Its overlapping search reports
    every occurrence of every needle, at ``str`` indexes (code points, not UTF-8 bytes), as the ``find`` loop
    finds them."""
    built: list[Any] = _AUTOMATON
    if built[0] is None or len(built[1]) != len(_SEEN):
        seen = frozenset(_SEEN)
        words = tuple(sorted(w for w in seen if w))   # (an empty needle is never reported, as pyahocorasick did)
        automaton = ahocorasick_rs.AhoCorasick(words, matchkind=ahocorasick_rs.MatchKind.Standard,
                                               implementation=ahocorasick_rs.Implementation.DFA)
        built = [automaton, seen, words]
        _AUTOMATON[:] = built   # (replaced whole: another thread sees the old pair or the new)
    found: dict[str, list[int]] = {}
    needles: tuple[str, ...] = built[2]
    for i, start, _ in built[0].find_matches_as_indexes(lowered, overlapping=True):
        found.setdefault(needles[i], []).append(start)
    return found, built[1]


def pooled(lowered: str) -> tuple[dict[str, list[int]], frozenset[str]]:
    """The card's one pass (:func:`_all_occurrences`) for ``lowered``, made when the text is new: every occurrence of
    each needle it holds (a needle it holds and that does not occur has none listed), and those needles. For a
    needle held, ``found.get(needle, [])`` is what :func:`needle_hits` gives with no cap (cut to ``cap`` + 1 with one).

    Why: the callers that read a list of needles (a pattern's needles in :func:`fast_search`, its start needles in
    :func:`start_hits`) made a call of :func:`needle_hits` per needle, about 700 a card, each a Python call that does
    the same lookups; they now look the held needles up themselves and call it only for the others."""
    held: list[Any] = _NEEDLES
    if held[0] is not lowered:
        held = [lowered, {}, *(_all_occurrences(lowered) if _SEEN else ({}, frozenset()))]
        _NEEDLES[:] = held   # (one list: another thread sees the old text's answers or the new, never a mix)
    return held[2], held[3]


def needle_hits(lowered: str, needle: str, cap: int) -> list[int]:
    """Where ``needle`` occurs in ``lowered``, in order: every occurrence, or the first ``cap`` + 1 when there are
    more than ``cap`` (the caller then searches the whole text anyway).

    Why: a card is searched for about thirty patterns whose needle lists share many words ("train", "code",
    "weights"); the positions are kept for the last text (the probes read one card at a time), so each needle
    is looked for once per card, not once per pattern and pass, and the needles asked for before are all found
    in one pass when a new text comes (:func:`_all_occurrences`)."""
    held: list[Any] = _NEEDLES
    if held[0] is not lowered:
        held = [lowered, {}, *(_all_occurrences(lowered) if _SEEN else ({}, frozenset()))]
        _NEEDLES[:] = held   # (one list: another thread sees the old text's answers or the new, never a mix)
    if needle in held[3]:
        every: list[int] = held[2].get(needle, [])
        return every if len(every) <= cap + 1 else every[:cap + 1]
    _SEEN.add(needle)
    table: dict[str, tuple[int, list[int]]] = held[1]
    known = table.get(needle)
    if known is not None and (known[0] >= cap or len(known[1]) <= known[0]):
        return known[1] if len(known[1]) <= cap + 1 else known[1][:cap + 1]
    out: list[int] = []
    i = lowered.find(needle)
    while i >= 0:
        out.append(i)
        if len(out) > cap:
            break
        i = lowered.find(needle, i + 1)
    table[needle] = (cap, out)
    return out


def fast_search(text: str, lowered: str, pattern: re.Pattern[str], needles: tuple[str, ...] | None
                ) -> re.Match[str] | None:
    """``pattern.search(text)``, but only around occurrences of ``needles``.

    Why: Python's ``re`` scans alternations of words slowly; a card is tens of kilobytes and there are
    dozens of patterns. ``needles`` are lower-case substrings of which every match contains one (each
    probe's list is written next to its pattern), so searching windows around them finds exactly the
    leftmost match a full search would find. ``lowered`` is ``text.lower()`` (same length).
    """
    pattern = for_text(pattern, text)
    if not needles or len(lowered) != len(text):
        starts = start_hits(text, lowered, pattern)
        return pattern.search(text) if starts is None else first_match_at(text, pattern, starts, 0, len(text))
    needles = needles_for(needles, text)
    limit = len(text) // 400 + 1   # beyond this many hits the windows would cover most of the text
    hits: list[int] = []
    occurrences, pool = pooled(lowered)
    for n in needles:
        if n in pool:   # (needle_hits, without a call: :func:`pooled`)
            every = occurrences.get(n)
            if every:
                hits.extend(every if len(every) <= limit + 1 else every[:limit + 1])
        else:
            hits.extend(needle_hits(lowered, n, limit))
        if len(hits) > limit:
            return _search_near_all(text, lowered, pattern, needles)
    if not hits:
        return None
    hits.sort()
    windows: list[list[int]] = []
    lined = one_line(pattern)
    for i in hits:
        a, b = max(0, i - NEEDLE_BEFORE), i + NEEDLE_AFTER
        if lined:   # a match holding this needle lies within its line: the window ends there (:func:`_line_window`)
            a, b = _line_window(text, i, a, b)
        if windows and a <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], b)
        else:
            windows.append([a, b])
    starts = start_hits(text, lowered, pattern)
    if starts is not None:   # each window searched at the places a match can start (the same leftmost match)
        for a, b in windows:
            m = first_match_at(text, pattern, starts, a, min(b, len(text)))
            if m is not None:
                return m
        return None
    head, lead = _starts_near(pattern, _lead_for(pattern, needles, text))
    at = 0   # hits before this index were tried as starts already
    for a, b in windows:
        b = min(b, len(text))
        start = a
        if head is not None:   # is there a match starting within ``lead`` before one of this window's hits?
            tried, found = a - 1, False
            while at < len(hits) and hits[at] < b and not found:
                p = max(a, hits[at] - lead, tried + 1)
                if p <= hits[at]:
                    found = head.match(text, p, b) is not None
                    tried = p + lead
                    if found and lead < NEEDLE_BEFORE:
                        # a bound read from the pattern (:func:`_lead_for`): no match starts before p in this
                        # window (each start was tried, or holds no needle that close), so the search from p
                        # finds the one a search from the window's start finds
                        start = p
                at += 1
            while at < len(hits) and hits[at] < b:
                at += 1
            if not found:
                continue
        m = pattern.search(text, start, b)
        if m:
            return m
    return None


_HEADS: dict[tuple[int, int], tuple[re.Pattern[str], re.Pattern[str] | None]] = {}
_LEADS: dict[tuple[int, tuple[str, ...]], tuple[re.Pattern[str], int]] = {}


def _line_window(text: str, i: int, a: int, b: int) -> tuple[int, int]:
    """The window ``[a, b)`` around a needle at ``i`` cut to the needle's line, for a :func:`one_line` pattern.

    Why exact: every match holds a needle; one of a one-line pattern lies within one line, so a match holding this
    needle lies within its line and within ``[a, b)``; searched from the line's start to its end, the line gives
    the matches the whole text gives there (:func:`line_matches`: nothing past the line bears on them), and a
    window never spans two lines, so no match found in it spans them. Why: a pattern that opens at a line start
    ("- **Training code:** [repo](https://github.com/…)") was tried at each line start in the 1,200 characters
    around each link, about ninety ``match`` calls a card, where only the link's own line can hold one."""
    start = text.rfind("\n", a, i) + 1
    end = text.find("\n", i, b)
    return max(a, start), b if end < 0 else end


def _search_near_all(text: str, lowered: str, pattern: re.Pattern[str], needles: tuple[str, ...]
                     ) -> re.Match[str] | None:
    """``pattern.search(text)`` for a text with more needle occurrences than windows pay for: the whole text is
    searched, but when every match holds a needle near its start (:func:`_lead_for`) and the starts before all
    the needles are fewer than a tenth of the text, only those starts are tried (with the whole text's end: the
    same match as the full search, the leftmost, since every start before it was tried or is not near a
    needle). Why: a card that says "train" a hundred times was searched whole for every pattern with that
    needle. A pattern whose every match opens with one of its :func:`start_needles` is tried only where one
    occurs (:func:`first_match_at`): the same leftmost match as the search of the whole text."""
    starts = start_hits(text, lowered, pattern)
    if starts is not None:
        return first_match_at(text, pattern, starts, 0, len(text))
    lead = _lead_for(pattern, needles, text)
    if lead >= NEEDLE_BEFORE:
        return pattern.search(text)
    hits: list[int] = []
    for n in needles:
        hits.extend(needle_hits(lowered, n, len(lowered)))
        if len(hits) * (lead + 1) * 10 > len(text):
            return pattern.search(text)
    head = _starts_near(pattern, lead)[0]
    if head is None:
        return pattern.search(text)
    hits.sort()
    tried = -1   # no match starts in [0, tried]
    for h in hits:
        p = max(0, h - lead, tried + 1)
        if p > h:
            continue
        if head.match(text, p) is not None:
            return pattern.search(text, p)
        tried = p + lead
    return None


_STARTS: dict[int, tuple[re.Pattern[str], tuple[str, ...] | None, bool]] = {}
# Characters that IGNORECASE matches to an ASCII letter while ``str.lower`` does not give that letter (or gives two
# characters): in a text holding one, a match need not open with the lower case of its start needle.
_START_FOLDS = ("\u0131", "\u0130", "\u017f", "\u212a")
_MAX_START_NEEDLES = 64


# Start "needles" that stand for places rather than words (one character long, so never a needle read from a
# literal run, which :func:`start_needles` keeps only from two characters on): the start of a line (a match that
# opens at ``^`` or ``\A``, after zero-width items only) and a decimal digit (a match that opens with ``\d``:
# "154 checkpoints", "32 layers"; the digits are found within each window searched, not listed for the whole card,
# which cost more than the starts saved).
LINE_START = "^"
DIGIT = "0"
# Latin-1 letters that IGNORECASE matches only to their own two cases, both lowering to the same letter with
# ``str.lower`` (checked against every code point in the tests): a literal run holding them still gives a start
# needle (the French hyperparameter words: "époques", "décroissance des poids").
_PLAIN_FOLD = frozenset(chr(c) for c in range(0xC0, 0xFF) if c not in (0xD7, 0xDF, 0xF7))


def start_needles(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """Lower-case strings (two characters or more) one of which every match of ``pattern`` opens with, read from
    ``re``'s own parse (kept by pattern); None when none is certain (a match may open with a class, any character,
    or nothing), or when there are more than :data:`_MAX_START_NEEDLES`. :data:`LINE_START` among them stands for
    the start of a line (a match may open at ``^``), :data:`DIGIT` for any decimal digit (it may open with ``\\d``).

    Why: a pattern that ``re`` cannot skip ahead for (case-insensitive, or opening with ``\\b``) is tried at every
    character of a window or of a whole card; a match can only start where one of these strings occurs, and the
    card's occurrences of them are found in one pass with the other needles (:func:`needle_hits`). The places serve
    the patterns that open with a list marker ("- **Training code:**") or a count ("154 checkpoints"): without
    them, such a pattern was tried at the 301 starts before each of its needles (a tenth of a card's time)."""
    held = _STARTS.get(id(pattern))
    if held is None or held[0] is not pattern:   # (the pattern is held, so its id is not reused)
        tree = _parsed(pattern)
        try:
            found = None if tree is None else _start_literals(tree)
        except Exception:  # noqa: BLE001 - an opcode this reader does not know: no start needles
            found = None
        words = None if found is None else [str(w) for w in found if not isinstance(w, _Place)]
        # (a pattern that may match nothing is never read so: an empty match may stand anywhere, at a window's end)
        ok = found is not None and words is not None and 0 < len(found) <= _MAX_START_NEEDLES \
            and min(map(len, words), default=2) >= 2 and tree is not None and tree.getwidth()[0] > 0
        if len(_STARTS) >= 1024:
            _STARTS.clear()
        places = sorted({w.name for w in found if isinstance(w, _Place)}) if ok and found is not None else []
        # a match that opens with a digit opens a word (re.ASCII's word boundary is another: not read so)
        word_digits = ok and found is not None and _AT_WORD_DIGIT in found and _AT_DIGIT not in found \
            and not pattern.flags & re.ASCII
        held = _STARTS[id(pattern)] = (pattern, tuple(sorted(words or ())) + tuple(places) if ok else None,
                                       word_digits)
    return held[1]


def word_digits(pattern: re.Pattern[str]) -> bool:
    """Whether every match of ``pattern`` that opens with a digit (:data:`DIGIT` among its :func:`start_needles`)
    opens a word there: a ``\\b`` or a lookbehind refusing a word character stands before that ``\\d``
    ("\\b(\\d+ layers|…)", "(?<![\\w.])\\d+ checkpoints"). Such a match never starts inside a number, so only
    the digits that open one are tried (:class:`_WithWordDigits`)."""
    start_needles(pattern)
    return bool(_STARTS[id(pattern)][2])


class _Place:
    """A start that is a place (:data:`LINE_START`, :data:`DIGIT`), not a word: kept apart from the literal runs
    while the parse is read (equal only to itself), so that a one-character literal is never taken for one."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


_AT_LINE = _Place(LINE_START)
_AT_DIGIT = _Place(DIGIT)
# A digit that opens a word: a ``\d`` right after ``\b`` or after a lookbehind that refuses a word character
# ("(?<![\w.])\d+ checkpoints"). Named :data:`DIGIT` too (:func:`start_needles` says the same), told apart by
# :func:`word_digits`.
_AT_WORD_DIGIT = _Place(DIGIT)


def _start_literals(seq: Any, classes: bool = False, bounded: bool = False) -> frozenset[Any] | None:
    """:func:`start_needles` of a parsed (sub)pattern: zero-width items (anchors, ``\\b``, lookarounds, a group of
    them) are passed over, except that ``^`` or ``\\A`` makes the line's start a place a match may open at
    (when what follows gives no words); a run of literal letters (ASCII, Latin-1 letters of plain case, or
    characters without case) gives itself (a single letter, with the words that open what follows it); ``\\d``
    gives :data:`DIGIT` (``_AT_WORD_DIGIT`` when ``bounded``: a word boundary, or a lookbehind refusing a word
    character, stands right before it, with only zero-width items between); a group, an alternation (each
    alternative must give some) or a repeat of at least once gives what its content gives; an item that may match
    nothing (``(the )?``) gives its own and those of what follows. With ``classes``, a class of at most four
    characters ("[:：]", of the same letters) gives each of them. None when a match may open otherwise."""
    from re import _constants as k  # type: ignore[attr-defined]

    items = list(seq)
    out: set[Any] = set()
    i = 0
    while i < len(items):
        op, av = items[i]
        if op is k.AT and av in (k.AT_BEGINNING, k.AT_BEGINNING_STRING):
            rest = _start_literals(type(seq)(seq.state, items[i + 1:]), classes, bounded)
            return frozenset(out | (rest if rest is not None else {_AT_LINE}))
        if op is k.AT or op in (k.ASSERT, k.ASSERT_NOT):
            bounded = bounded or _opens_word(op, av)
            i += 1
            continue
        if op in (k.SUBPATTERN, k.BRANCH) and type(seq)(seq.state, [items[i]]).getwidth() == (0, 0):
            i += 1   # a group of zero-width items (the Latin word boundaries of latin_boundaries): no room taken
            continue
        inner: frozenset[Any] | None
        if op is k.LITERAL:
            j = i
            while j < len(items) and items[j][0] is k.LITERAL:
                j += 1
            run = "".join(chr(c) for _, c in items[i:j])
            if not (run.isascii() or all(c.isascii() or c in _PLAIN_FOLD or c.lower() == c == c.upper() for c in run)):
                return None
            if len(run) == 1 and j < len(items):
                # one letter before a group ("d" of "(delta|diff)", which ``re`` parses as "d" and "(elta|iff)"):
                # the words that open what follows it, each after the letter
                after = _start_literals(type(seq)(seq.state, items[j:]), classes)
                if after is not None and not any(isinstance(w, _Place) for w in after):
                    return frozenset(out | {run.lower() + w for w in after})
            out.add(run.lower())
            return frozenset(out)
        if op is k.IN and av == [(k.CATEGORY, k.CATEGORY_DIGIT)]:
            out.add(_AT_WORD_DIGIT if bounded else _AT_DIGIT)
            return frozenset(out)
        if op is k.IN and classes and 0 < len(av) <= 4 and all(o is k.LITERAL for o, _ in av):
            chars = [chr(c) for _, c in av]
            if not all(c.isascii() or c in _PLAIN_FOLD or c.lower() == c == c.upper() for c in chars):
                return None
            out |= {c.lower() for c in chars}
            return frozenset(out)
        if op is k.SUBPATTERN:
            inner = _start_literals(av[-1], classes, bounded)
        elif op is k.ATOMIC_GROUP:
            inner = _start_literals(av, classes, bounded)
        elif op is k.BRANCH:
            each = [_start_literals(alt, classes, bounded) for alt in av[1]]
            inner = None if any(e is None for e in each) else frozenset().union(*(e for e in each if e is not None))
        elif op in (k.MAX_REPEAT, k.MIN_REPEAT, k.POSSESSIVE_REPEAT):
            if av[1] == 0:   # repeated never: matches nothing
                i += 1
                continue
            inner = _start_literals(av[2], classes, bounded)
        else:
            return None
        if inner is None:
            return None
        out |= inner
        if type(seq)(seq.state, [items[i]]).getwidth()[0] > 0:
            return frozenset(out)
        i += 1   # the item may match nothing: a match may open with what follows it (``bounded`` still holds: a
                 # match that opens with what follows matched nothing before it, so the boundary stands right there)
    return None   # the whole (sub)pattern may match nothing


def _opens_word(op: Any, av: Any) -> bool:
    """Whether a zero-width item of a parse (``op``, ``av``) holds only where no word character stands right before:
    ``\\b`` (at a digit, a word character, it is the boundary before it), or a negative lookbehind of one character
    from a class that holds ``\\w`` ("(?<![\\w.])"). Read for a digit that follows it (:data:`_AT_WORD_DIGIT`)."""
    from re import _constants as k  # type: ignore[attr-defined]

    if op is k.AT:
        return av is k.AT_BOUNDARY
    if op is not k.ASSERT_NOT or av[0] != -1 or len(av[1]) != 1:
        return False
    kind, items = av[1][0]
    return kind is k.IN and (k.CATEGORY, k.CATEGORY_WORD) in items and (k.NEGATE, None) not in items


def start_hits(text: str, lowered: str, pattern: re.Pattern[str]) -> list[int] | None:
    """Every place in ``text`` where a match of ``pattern`` can start (the occurrences of its
    :func:`start_needles` in ``lowered``, ``text.lower()``), in order; None when that reading does not apply (no
    start needles, or the lower case of ``text`` is not one character per character, or ``text`` holds a character
    IGNORECASE folds to an ASCII letter)."""
    needles = start_needles(pattern)
    if needles is None or len(lowered) != len(text) or _start_folds(text):
        return None
    held: list[Any] = _START_HITS
    if held[0] is not lowered:
        held = [lowered, {}]
        _START_HITS[:] = held
    known = held[1].get(id(pattern))
    if known is not None and known[0] is pattern:   # (the pattern is held, so its id is not reused)
        return known[1]
    # (a needle the one pass holds is looked up there, as _every_occurrence would: :func:`pooled`; a line start never is)
    found, pool = pooled(lowered)
    if DIGIT in needles:   # the digits are read in each window searched: first_match_at
        # (``in``, not the last place: with a line start too, the digit is not last; "0" is no word, which are longer)
        starts = sorted({i for n in needles if n != DIGIT for i in (
            found.get(n, ()) if n in pool and n != LINE_START else _every_occurrence(lowered, n))})
        every: list[int] = (_WithWordDigits if word_digits(pattern) else _WithDigits)(starts)
    elif len(needles) == 1:   # (all of them, Japanese and Korean words too: the pattern is searched as it is given)
        every = _every_occurrence(lowered, needles[0])
    else:
        every = sorted({i for n in needles for i in (
            found.get(n, ()) if n in pool and n != LINE_START else _every_occurrence(lowered, n))})
    held[1][id(pattern)] = (pattern, every)
    return every


_START_FOLDS_SEEN: list[Any] = [None, False]


def _start_folds(text: str) -> bool:
    """Whether ``text`` holds one of :data:`_START_FOLDS`, kept for the last text. Why: :func:`start_hits` is asked for
    each of a card's patterns, and a card that is not ASCII (an emoji is enough) was read four times at each ask."""
    if text.isascii():
        return False
    if _START_FOLDS_SEEN[0] is not text:
        _START_FOLDS_SEEN[:] = [text, any(c in text for c in _START_FOLDS)]
    return bool(_START_FOLDS_SEEN[1])


class _WithDigits(list[int]):
    """The starts :func:`start_hits` lists for a pattern whose match may also open with a decimal digit
    (:data:`DIGIT`): :func:`first_match_at` tries every digit of the span it searches too."""


class _WithWordDigits(_WithDigits):
    """:class:`_WithDigits` for a pattern whose digit opens a word (:func:`word_digits`): :func:`first_match_at`
    tries only the digits of the span that no word character stands right before (``\\b\\d``). Why: "2024",
    "1.5e-4", a table of scores: most digits of a card stand inside a number, and each was a ``match`` of a long
    alternation that its ``\\b`` then refused (the architecture and checkpoint counts: 240 tries a card, 100 of
    them at a word's start)."""


_A_DIGIT = re.compile(r"\d")
# A digit no word character stands before (``re`` reads the character before the search's start position, as the
# pattern's own ``\b`` and lookbehinds do): every place a :class:`_WithWordDigits` pattern may open with a digit.
# (Written digit first, with the lookbehind after it: ``re`` then skips to each digit at C speed, as for ``\d``;
# ``\b\d`` was tried at every character.)
_A_WORD_DIGIT = re.compile(r"\d(?<!\w\d)")


# The last lowered text :func:`start_hits` read, and its answers by pattern (a card's patterns are searched several
# times each: the first match, then every match, in several probes).
_START_HITS: list[Any] = [None, {}]


# A start needle this long or longer is found in the card's one pass (:func:`needle_hits`) like the probes' needles;
# a shorter one with ``str.find``, kept for the text (see :func:`_every_occurrence`).
POOLED_START = 4


def _every_occurrence(lowered: str, needle: str) -> list[int]:
    """Every occurrence of ``needle`` in ``lowered``: from the card's one pass (:func:`needle_hits`) when the needle is
    one the probes look for anyway or is at least :data:`POOLED_START` characters long, else found with ``str.find``
    (kept for the text) and never added to that pass.

    Why: some start needles are short common words ("in", "the", "our"); the one pass then reported hundreds more
    occurrences per card, for every pattern, to serve the few patterns that open with them. The longer ones ("access
    request", "python", "torchrun", "decoder-only") occur a few times a card at most, and each ``str.find`` pass over
    the whole card cost about as much as the one pass's walk gives for a dozen needles: about a hundred such passes a
    card (a twentieth of its time) are saved by adding them to the one pass, at the cost of their few occurrences.
    The positions are the same (every occurrence, overlapping ones included, in order). The place
    :data:`LINE_START` (one character: no needle is) gives every line's start (:func:`_line_starts`)."""
    if needle == LINE_START:
        return _line_starts(lowered)
    if needle in _SEEN or len(needle) >= POOLED_START:
        return needle_hits(lowered, needle, len(lowered))
    held: list[Any] = _NEEDLES
    if held[0] is not lowered:
        held = [lowered, {}, *(_all_occurrences(lowered) if _SEEN else ({}, frozenset()))]
        _NEEDLES[:] = held
    table: dict[str, tuple[int, list[int]]] = held[1]
    known = table.get(needle)
    if known is not None and (known[0] >= len(lowered) or len(known[1]) <= known[0]):
        return known[1]
    out: list[int] = []
    i = lowered.find(needle)
    while i >= 0:
        out.append(i)
        i = lowered.find(needle, i + 1)
    table[needle] = (len(lowered), out)
    return out


_LINE_STARTS: list[Any] = [None, []]   # the last lowered text and the offsets where its lines start


def _line_starts(lowered: str) -> list[int]:
    """Every offset of ``lowered`` where a line starts (0, and after each line break), kept for the last text: where a
    match that opens at ``^`` can start (``^`` with MULTILINE; without it, at 0 alone, which is among them)."""
    if _LINE_STARTS[0] is not lowered:
        _LINE_STARTS[:] = [lowered, [0, *accumulate(len(x) + 1 for x in lowered.split("\n")[:-1])]]
    return _LINE_STARTS[1]


def first_match_at(text: str, pattern: re.Pattern[str], starts: list[int], a: int, b: int) -> re.Match[str] | None:
    """``pattern.search(text, a, b)`` when every match starts at one of ``starts`` (sorted: :func:`start_hits`):
    ``pattern.match`` at each of them from ``a`` on, before ``b``; the first that matches is the leftmost match.
    For starts that include the digits (:class:`_WithDigits`), each decimal digit of ``text[a:b]`` is tried too, in
    order with the others (found as the search reaches them: a window reads only its own digits); only those that
    open a word for :class:`_WithWordDigits`."""
    j = bisect.bisect_left(starts, a)
    n = len(starts)
    kind = type(starts)
    if kind is _WithDigits or kind is _WithWordDigits:
        digit = _A_WORD_DIGIT if kind is _WithWordDigits else _A_DIGIT
        d = digit.search(text, a, b)
        while True:
            at = starts[j] if j < n else b
            if d is not None and d.start() <= at:
                at = d.start()
                d = digit.search(text, at + 1, b)
            if at >= b:
                return None
            m = pattern.match(text, at, b)
            if m is not None:
                return m
            while j < n and starts[j] <= at:
                j += 1
    while j < n:
        at = starts[j]
        if at >= b:
            return None
        m = pattern.match(text, at, b)
        if m is not None:
            return m
        j += 1
    return None


def _parsed(pattern: re.Pattern[str]) -> Any:
    """``re``'s own parse of ``pattern`` (its private parser and opcodes: None where a Python has none, and then
    the callers keep ``NEEDLE_BEFORE`` and search as before)."""
    try:
        from re import _constants  # type: ignore[attr-defined]  # noqa: F401 - the opcodes the readers compare

        return re._parser.parse(pattern.pattern, pattern.flags)  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - another Python's parser: the callers fall back to NEEDLE_BEFORE
        return None


def _longest(items: Any) -> int:
    """The longest text a parsed (sub)pattern can match (lookarounds and anchors take no room; ``re`` measures)."""
    return int(items.getwidth()[1])


def _needle_offset(seq: Any, needles: tuple[str, ...], spelt: int = 0) -> int | None:
    """How far after a match's start, at most, one of ``needles`` starts in every match of the parsed sequence
    ``seq``: the first fixed run of letters of the sequence that holds a needle (case aside), after the longest
    text the items before it can take; in a group, an alternation (each alternative must have one) or a
    repeat of at least once, the same within. An optional letter or a set of two or three letters ("fine-?tun",
    "[- ]") is spelt out each way (at most three per sequence). None when no such run is certain (a needle may
    stand anywhere)."""
    from re import _constants as k  # type: ignore[attr-defined]

    items = list(seq)
    if spelt < 3:
        for e, (op, av) in enumerate(items):
            ways: list[list[Any]] | None = None
            if op in (k.MAX_REPEAT, k.MIN_REPEAT) and av[0] == 0 and av[1] == 1 and len(av[2]) == 1 \
                    and av[2][0][0] is k.LITERAL:
                ways = [[], [av[2][0]]]
            elif op is k.IN and 2 <= len(av) <= 3 and all(o is k.LITERAL for o, _ in av):
                ways = [[item] for item in av]
            if ways is not None:
                each = [_needle_offset(type(seq)(seq.state, items[:e] + w + items[e + 1:]), needles, spelt + 1)
                        for w in ways]
                return None if any(x is None for x in each) else max(x for x in each if x is not None)
    before = 0
    i = 0
    while i < len(items) and before <= NEEDLE_BEFORE:
        op, av = items[i]
        if op is k.LITERAL:
            j = i
            while j < len(items) and items[j][0] is k.LITERAL:
                j += 1
            run = "".join(chr(c) for _, c in items[i:j])
            low = run.lower()
            if run.isascii():
                found = [low.find(n) for n in needles if n in low]
                if found:
                    return before + min(found)
            before += j - i
            i = j
            continue
        inner: int | None = None
        if op is k.SUBPATTERN:
            inner = _needle_offset(av[-1], needles)
        elif op is k.ATOMIC_GROUP:
            inner = _needle_offset(av, needles)
        elif op is k.BRANCH:
            each = [_needle_offset(alt, needles) for alt in av[1]]
            inner = None if any(e is None for e in each) else max(e for e in each if e is not None)
        elif op in (k.MAX_REPEAT, k.MIN_REPEAT, k.POSSESSIVE_REPEAT) and av[0] >= 1:
            inner = _needle_offset(av[2], needles)
        if inner is not None:
            return before + inner
        before += _longest(type(seq)(seq.state, [items[i]]))
        i += 1
    return None


def _required(seq: Any) -> frozenset[str] | None:
    """Lower-case strings one of which every match of the parsed sequence ``seq`` contains (the most selective
    set found: its shortest string longest), or None when none is certain. Only runs of ASCII letters, or of
    characters without case (Chinese, Japanese, Korean), are taken: their lower case is what ``str.lower`` gives."""
    from re import _constants as k  # type: ignore[attr-defined]

    best: frozenset[str] | None = None
    items = list(seq)
    i = 0
    while i < len(items):
        op, av = items[i]
        found: frozenset[str] | None = None
        if op is k.LITERAL:
            j = i
            while j < len(items) and items[j][0] is k.LITERAL:
                j += 1
            run = "".join(chr(c) for _, c in items[i:j])
            if run.isascii() or run.lower() == run == run.upper():
                found = frozenset({run.lower()})
            i = j - 1
        elif op is k.SUBPATTERN:
            found = _required(av[-1])
        elif op is k.ATOMIC_GROUP:
            found = _required(av)
        elif op is k.BRANCH:
            each = [_required(alt) for alt in av[1]]
            found = None if any(e is None for e in each) else frozenset().union(*(e for e in each if e is not None))
        elif op in (k.MAX_REPEAT, k.MIN_REPEAT, k.POSSESSIVE_REPEAT) and av[0] >= 1:
            found = _required(av[2])
        if found and (best is None or min(map(len, found)) > min(map(len, best))):
            best = found
        i += 1
    return best


def required_needles(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """Lower-case strings one of which every match of ``pattern`` contains, read from ``re``'s own parse of it
    (:func:`_required`); None when none is certain. Use with :func:`may_match`."""
    tree = _parsed(pattern)
    found = None if tree is None else _required(tree)
    return tuple(sorted(found)) if found else None


def bounded_needles(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """:func:`required_needles` of ``pattern`` fit for :func:`fast_search` (and so ``own_mentions``), or None.

    Why: ``fast_search`` finds exactly the matches a full search finds only when every match starts at most
    :data:`NEEDLE_BEFORE` characters before a needle it holds and ends at most :data:`NEEDLE_AFTER` after it;
    a hand-written needle list answers for that by its author's reading of the pattern. Here it is read from
    ``re``'s own parse: a pattern whose longest match is at most ``NEEDLE_BEFORE`` characters and that has no
    lookaround (which reads past the match, perhaps past a window's end) meets both bounds for any needle it
    must hold. Anything else gets None (searched whole, as before)."""
    tree = _parsed(pattern)
    if tree is None or _longest(tree) > NEEDLE_BEFORE or _has_lookaround(tree):
        return None
    return required_needles(pattern)


def _has_lookaround(seq: Any) -> bool:
    """Whether the parsed (sub)pattern ``seq`` holds a lookahead or lookbehind anywhere."""
    from re import _constants as k  # type: ignore[attr-defined]

    for op, av in seq:
        if op in (k.ASSERT, k.ASSERT_NOT):
            return True
        if op is k.SUBPATTERN:
            inner = [av[-1]]
        elif op is k.BRANCH:
            inner = list(av[1])
        elif op in (k.MAX_REPEAT, k.MIN_REPEAT, k.POSSESSIVE_REPEAT):
            inner = [av[2]]
        elif op is k.ATOMIC_GROUP:
            inner = [av]
        elif op is k.GROUPREF_EXISTS:
            inner = [x for x in av[1:] if x is not None]
        else:
            continue
        if any(_has_lookaround(x) for x in inner):
            return True
    return False


def one_line(pattern: re.Pattern[str]) -> bool:
    """Whether no match of ``pattern`` can hold a line break, nor depend on what stands past the line it ends in,
    read from ``re``'s own parse (kept by pattern; False when unsure). Such a pattern's matches in a card are its
    matches in each line (:func:`line_matches`)."""
    held = _ONE_LINE.get(id(pattern))
    if held is None or held[0] is not pattern:   # (the pattern is held, so its id is not reused)
        tree = _parsed(pattern)
        try:
            ok = tree is not None and _one_line(tree, bool(pattern.flags & re.DOTALL), bool(pattern.flags & re.MULTILINE))
        except Exception:  # noqa: BLE001 - an opcode this reader does not know: not one line
            ok = False
        if len(_ONE_LINE) >= 1024:
            _ONE_LINE.clear()
        held = _ONE_LINE[id(pattern)] = (pattern, ok)
    return held[1]


_ONE_LINE: dict[int, tuple[re.Pattern[str], bool]] = {}


def _one_line(seq: Any, dotall: bool, multiline: bool) -> bool:
    """:func:`one_line` of a parsed (sub)pattern: no item matches "\\n" (a literal, a set, ``.`` under DOTALL), and
    no anchor reads the end of the text (``$`` without MULTILINE, ``\\Z``: at a line's end they answer otherwise
    than at the text's). Line starts (``^``), word boundaries and lookarounds of one line read the same either way."""
    from re import _constants as k  # type: ignore[attr-defined]

    for op, av in seq:
        if op is k.LITERAL:
            if av == 10:
                return False
        elif op is k.NOT_LITERAL:
            if av != 10:
                return False
        elif op is k.ANY:
            if dotall:
                return False
        elif op is k.IN:
            negated = bool(av) and av[0][0] is k.NEGATE
            if _set_has_newline(av) != negated:
                return False
        elif op is k.AT:
            if av is k.AT_END_STRING or (av is k.AT_END and not multiline):
                return False
        elif op is k.SUBPATTERN:
            add, drop = av[1], av[2]
            if not _one_line(av[3], (dotall or bool(add & re.DOTALL)) and not drop & re.DOTALL,
                             (multiline or bool(add & re.MULTILINE)) and not drop & re.MULTILINE):
                return False
        elif op is k.BRANCH:
            if not all(_one_line(alt, dotall, multiline) for alt in av[1]):
                return False
        elif op in (k.MAX_REPEAT, k.MIN_REPEAT, k.POSSESSIVE_REPEAT):
            if not _one_line(av[2], dotall, multiline):
                return False
        elif op is k.ATOMIC_GROUP:
            if not _one_line(av, dotall, multiline):
                return False
        elif op in (k.ASSERT, k.ASSERT_NOT):
            if not _one_line(av[1], dotall, multiline):
                return False
        else:   # back references, conditionals, anything else: not read here
            return False
    return True


def _set_has_newline(items: Any) -> bool:
    """Whether a parsed character set's items (its NEGATE aside) name "\\n"."""
    from re import _constants as k  # type: ignore[attr-defined]

    for op, av in items:
        if op is k.NEGATE:
            continue
        if op is k.LITERAL and av == 10 or op is k.RANGE and av[0] <= 10 <= av[1]:
            return True
        if op is k.CATEGORY and av in (k.CATEGORY_SPACE, k.CATEGORY_NOT_WORD, k.CATEGORY_NOT_DIGIT,
                                       k.CATEGORY_UNI_SPACE, k.CATEGORY_UNI_NOT_WORD, k.CATEGORY_UNI_NOT_DIGIT,
                                       k.CATEGORY_LINEBREAK, k.CATEGORY_UNI_LINEBREAK):
            return True
        if op not in (k.LITERAL, k.RANGE, k.CATEGORY):
            raise ValueError(f"set item {op}")
    return False


def line_matches(text: str, lowered: str, pattern: re.Pattern[str]) -> Iterator[re.Match[str]] | None:
    """Every match of ``pattern`` in ``text``, in order (as repeated searches from each match's end find them),
    searched only in the lines that hold one of its :func:`required_needles`; None when that reading does not
    apply (the pattern may span lines or names no needle, or the lower case of ``text`` is not one character per
    character, or holds one of :data:`_ODD_FOLDS`): the caller then searches the whole text.

    Why exact: a :func:`one_line` pattern's every match lies within one line and holds a needle, so a line
    without one holds no match; searched from the line's start to its end, a line gives the matches the whole
    text gives there (nothing past the line bears on them). Why: a pattern that opens with ``^`` or whose needle
    may stand any distance from its start ("training" … "data") cannot be searched around its needles
    (:func:`fast_search`), and a search of a whole card tries it at every character."""
    needles = _needles_of(pattern)
    if not needles or not one_line(pattern) or len(lowered) != len(text) \
            or (not text.isascii() and _odd_folds(text)):
        return None
    return _line_matches(text, lowered, pattern, needles)


def _line_matches(text: str, lowered: str, pattern: re.Pattern[str], needles: tuple[str, ...]
                  ) -> Iterator[re.Match[str]]:
    """:func:`line_matches` once it applies. A pattern whose every match opens with one of its :func:`start_needles`
    (a line start, for one anchored at ``^``) is tried in each line only where one occurs (:func:`first_match_at`: the
    same match as the search of the line). Why: ``re`` tries such a pattern at every character of the line (a
    case-insensitive one, or one that opens with ``^`` or ``\\b``, gives it nothing to skip ahead for)."""
    starts = start_hits(text, lowered, pattern)
    found, pool = pooled(lowered)
    hits = sorted(h for n in needles
                  for h in (found.get(n, ()) if n in pool else needle_hits(lowered, n, len(lowered))))
    done = -1   # the lines up to this offset were searched
    for h in hits:
        if h <= done:
            continue
        start = text.rfind("\n", 0, h) + 1
        end = text.find("\n", h)
        end = len(text) if end < 0 else end
        done = end
        at = start
        while at <= end:
            m = pattern.search(text, at, end) if starts is None else first_match_at(text, pattern, starts, at, end)
            if m is None:
                break
            yield m
            at = m.end() if m.end() > m.start() else m.end() + 1


def may_match(needles: tuple[str, ...] | None, text: str, lowered: str) -> bool:
    """False only when no match of the pattern whose :func:`required_needles` are ``needles`` can be in ``text``
    (``lowered`` is ``text.lower()``): none of them occurs in it. Why: a short text (a licence line) searched for
    twenty names runs twenty patterns that ``re`` must try at every character; a substring test skips those
    whose words are absent. Always True when the lower case of the text is not one character per character, or
    it holds one of :data:`_ODD_FOLDS` (a match's letters may then not lower to the needle)."""
    if needles is None or len(lowered) != len(text) or (not text.isascii() and any(c in text for c in _ODD_FOLDS)):
        return True
    for n in needles:  # noqa: SIM110 - runs for every sentence; ``any`` over a generator costs 1.7x as much
        if n in lowered:
            return True
    return False


def card_may_match(needles: tuple[str, ...] | None, text: str, lowered: str) -> bool:
    """:func:`may_match` for a card's whole text (``lowered`` its lower case, searched by the probes): each needle
    is looked up among the occurrences found for that text (:func:`needle_hits`), not searched for again. Why: a
    card is tens of kilobytes, and a substring test per needle read all of it each time."""
    if needles is None or len(lowered) != len(text) or (not text.isascii() and _odd_folds(text)):
        return True
    return any(needle_hits(lowered, n, 0) for n in needles)


# Characters a case-insensitive ASCII letter matches whose lower case is not that letter (``re`` reads "ſ" as
# "s" and "ı" as "i"): in a text holding one, a match's letters may not lower to its needle.
_ODD_FOLDS = ("\u017f", "\u0131")
_FOLDS_SEEN: list[Any] = [None, False]


def _odd_folds(text: str) -> bool:
    """Whether ``text`` holds one of :data:`_ODD_FOLDS` (kept for the last text: a card is searched many times)."""
    if text.isascii():
        return False
    if _FOLDS_SEEN[0] is not text:
        _FOLDS_SEEN[:] = [text, any(c in text for c in _ODD_FOLDS)]
    return bool(_FOLDS_SEEN[1])


def _lead_for(pattern: re.Pattern[str], needles: tuple[str, ...], text: str) -> int:
    """How far before one of ``needles`` a match of ``pattern`` in ``text`` can start: ``NEEDLE_BEFORE``, or less
    when every match holds an ASCII needle in a fixed run of letters near its start (:func:`_needle_offset`, read
    from ``re``'s own parse of the pattern; not in a text holding one of :data:`_ODD_FOLDS`).

    Why: a pattern that opens with its needle ("request access", "python train.py …", "MMLU") is then tried at a
    few starts before each needle, not 301 (the starts tried before needles were a sixth of a card's
    assessment). The bound is the pattern's own: a window is found to hold a match exactly when it was before."""
    key = (id(pattern), needles)
    held = _LEADS.get(key)
    if held is None or held[0] is not pattern:   # (the pattern is held, so its id is not reused)
        tree = _parsed(pattern)
        near = None if tree is None else _needle_offset(tree, needles)
        if len(_LEADS) >= 1024:   # the probes' patterns and needle lists are module constants
            _LEADS.clear()
        held = _LEADS[key] = (pattern, NEEDLE_BEFORE if near is None else min(NEEDLE_BEFORE, near))
    return NEEDLE_BEFORE if held[1] < NEEDLE_BEFORE and _odd_folds(text) else held[1]


def _starts_near(pattern: re.Pattern[str], lead: int = NEEDLE_BEFORE) -> tuple[re.Pattern[str] | None, int]:
    """(``pattern`` tried at the first ``lead`` + 1 starts of a text only (``match`` with a lazy lead), ``lead``).

    Why: a window is searched from ``NEEDLE_BEFORE`` characters before its first needle to ``NEEDLE_AFTER``
    after its last, so that a match has room to end; but a match starts at most ``lead`` (:func:`_lead_for`)
    characters before a needle it contains, and ``re`` tries every start up to the window's end (most of a
    window's cost). A window is searched (with ``pattern.search``, the same call as before) only when this
    pattern matches from a start near one of its needles, with the same end. None when the pattern cannot be
    wrapped (global flags).
    """
    held = _HEADS.get((id(pattern), lead))
    if held is None or held[0] is not pattern:   # (the pattern is held, so its id is not reused)
        try:
            head: re.Pattern[str] | None = re.compile(f"(?s:.{{0,{lead}}}?)(?:{pattern.pattern})", pattern.flags)
        except re.error:
            head = None
        if len(_HEADS) >= 1024:   # the probes' patterns are module constants; a caller's own stay bounded
            _HEADS.clear()
        held = _HEADS[(id(pattern), lead)] = (pattern, head)
    return held[1], lead


def _quoted(m: re.Match[str]) -> tuple[int, int]:
    """The span evidence quotes: the group ``at`` when the pattern has one (a pattern anchored at its line's
    start to stay linear names the match proper so), else the whole match."""
    return m.span("at") if "at" in m.re.groupindex else m.span()


def card_search(rec: ModelRecord, pattern: re.Pattern[str], *, sections: re.Pattern[str] | None = None,
                needles: tuple[str, ...] | None = None) -> Evidence | None:
    """First match of ``pattern`` in the card body (optionally only in sections whose title matches)."""
    card = rec.card
    if card is None:
        return None
    if sections is None:
        m = fast_search(card.body, card.lowered_body, pattern, needles)
        if not m:
            return None
        off = len(card.text) - len(card.body)
        a, b = _quoted(m)
        anchor, snip = card.span(off + a, off + b)
        return Evidence("card", f"{rec.card_locator}{anchor}", snip, rec.read_at)
    pattern = for_text(pattern, card.text)
    for s in card.sections:
        if sections.search(s.title):
            m = pattern.search(s.text)
            if m:
                a, b = _quoted(m)
                anchor, snip = card.span(s.start + a, s.start + b)
                return Evidence("card", f"{rec.card_locator}{anchor}", f"[{s.title}] {snip}", rec.read_at)
    return None


def matches_from(text: str, pattern: re.Pattern[str], first: re.Match[str]) -> Iterator[re.Match[str]]:
    """Every match of ``pattern`` in ``text`` in order, as ``pattern.finditer(text)`` gives them, when ``first`` is its
    first (the leftmost match :func:`fast_search` found: the same span and groups): ``first``, then the matches from
    its end on. Why: a probe that quotes the first match but may prefer a later one (a training command for another
    model gives way to the release's own) read the card again from its start with ``finditer``, ``re`` trying every
    character up to the match the needle windows had already found. A search from the match's end finds what the
    iteration goes on to find (``re`` reads the text before a start position for ``\\b``, ``^`` and lookbehinds)."""
    if first.end() == first.start():   # (after an empty match the iteration goes on at the same place: not taken)
        return pattern.finditer(text)
    return chain((first,), pattern.finditer(text, first.end()))


def reading_length(text: str, within: str | None = None) -> int:
    """How much a text says, in characters of English: a Chinese, Japanese or Korean character counts twice.
    Why: a length threshold ("a section with some content") written for English would set aside the same
    sentence in Chinese, which takes about half as many characters (an English word averages five letters and
    a space; a Chinese word, about two characters). Kana and hangul count twice too, measured rather than
    assumed: the prose sections of the Japanese and Korean twin cards in
    ``tests/test_openness_japanese_korean_cards.py`` take 0.45-0.63 (Japanese, kanji mixed with kana) and
    0.52-0.70 (Korean: a word of two or three syllables and a space, where English has five letters and a space)
    of their English twins' characters, and 0.81-1.11 and 0.85-1.01 counted so. Counted once, a Korean or
    Japanese section saying what an English one of 150 characters says would fall short of it.

    ``within``: a text that holds ``text`` (the card's body) whose script level is kept (:func:`..hant.script_level`):
    when it holds no Chinese, Japanese or Korean character, neither does ``text``, which is then not read again."""
    if text.isascii() or (within is not None and _level(within) == 0):
        return len(text)
    return len(text) + len(_CJK.findall(text))


def reads_at_least(text: str, chars: int) -> bool:
    """``reading_length(text) >= chars``, without counting when ``text`` is that long already (a character counts
    once or twice, never less). Why: a card's sections are held to a small threshold ("at least 30 characters")
    several times a card, and counting the Chinese, Japanese and Korean characters of a section that is not ASCII
    (an emoji is enough) read all of it each time."""
    return len(text) >= chars or reading_length(text) >= chars


def section_with(rec: ModelRecord, title: re.Pattern[str], min_chars: int = 40) -> Evidence | None:
    """A card section whose title matches and that has some content (:func:`reading_length`), its subsections'
    text counted as its own. Why: "## Training data: X" over "### Source Data", "### Curation Rationale" holds all
    it says in its subsections; read without them it held nothing, and a card that documents its data in a
    datasheet's sections was not even ``documented_not_released``. A reader reads a section to the next heading of
    the same or a higher level; the subsections' headings are not counted, only what they hold."""
    if rec.card is None:
        return None
    sections = rec.card.sections
    for i, s in enumerate(sections):
        if not title.search(s.title):
            continue
        own = s.text.strip()
        sub = [t for t in _subsections(sections, i) if t.text.strip()] if not reads_at_least(own, min_chars) else []
        if not (reads_at_least(own, min_chars)
                or (sub and reads_at_least(own + "".join(t.text.strip() for t in sub), min_chars))):
            continue
        first = s if own else sub[0]
        lead = first.start + len(first.text) - len(first.text.lstrip())
        end = (sub[-1] if sub else s)
        # from the heading to the last line of the snippet
        anchor, snip = rec.card.span(lead, lead, 160, stop=end.start + len(end.text), from_line=s.line)
        return Evidence("card", f"{rec.card_locator}{anchor}", f"## {s.title}: {snip}", rec.read_at)
    return None


def _subsections(sections: list[Section], i: int) -> list[Section]:
    """The sections under section ``i``: those after it, to the next heading of the same or a higher level."""
    out: list[Section] = []
    for t in sections[i + 1:]:
        if t.level <= sections[i].level:
            break
        out.append(t)
    return out


def may_search(pattern: re.Pattern[str], text: str) -> bool:
    """False only when ``pattern.search(text)`` finds nothing for certain: ``text`` holds none of the pattern's
    :func:`required_needles` (:func:`may_match`). Why: a link's address and anchor are searched for the words of a
    datasheet or a training script, case-insensitive alternations that ``re`` tries at every character of each
    link of the card (about ten microseconds a link); most hold none of their words."""
    needles = _needles_of(pattern)
    return needles is None or may_match(needles, text, text.lower())


def link_matching(rec: ModelRecord, url: re.Pattern[str], text: re.Pattern[str] | None = None) -> Evidence | None:
    """First card link whose URL matches (and whose anchor or surrounding text matches ``text``)."""
    if rec.card is None:
        return None
    for ln in rec.card.links:
        if may_search(url, ln.url) and url.search(ln.url) and (text is None or text.search(ln.text) or text.search(ln.url)):
            return Evidence("card", ln.url, f"line {ln.line}: [{ln.text}]({ln.url})" if ln.text else
                            f"line {ln.line}: {ln.url}", rec.read_at)
    return None


def _link_target(url: str) -> str:
    """A relative link's path in the repository (``./docs/x.md#part`` → ``docs/x.md``; ``blob/main/x`` → ``x``)."""
    path = url.split("#", 1)[0].split("?", 1)[0]
    while path.startswith("./"):
        path = path[2:]
    path = re.sub(r"^/?(blob|tree|resolve)/[^/]+/", "", path.lstrip("/"))
    return path.rstrip("/")


def links_to_listed_file(rec: ModelRecord, url: str) -> bool:
    """Whether a relative link points at a file or folder the record lists. A link to a file that is not
    there is a promise, not a release; with no file list (a card read alone) it cannot be checked and counts."""
    if not rec.files:
        return True
    target = _link_target(url)
    if not target:
        return False
    return any(p == target or p.startswith(target + "/") for p, _ in rec.files)


def repo_link(rec: ModelRecord, pattern: re.Pattern[str]) -> Evidence | None:
    """A relative link (a file or folder in the card's own repository) whose path or text matches, and whose
    target the file list holds (when there is one)."""
    if rec.card is None:
        return None
    for ln in rec.card.rel_links:
        if ((may_search(pattern, ln.url) and pattern.search(ln.url)) or (may_search(pattern, ln.text) and pattern.search(ln.text))) \
                and links_to_listed_file(rec, ln.url):
            # (from the line of its "[" to the line of its address: an anchor wrapped onto the next line spans both)
            last = rec.card.line_of(ln.at + len(ln.url)) if ln.at >= 0 else ln.line
            where = f"#L{ln.line}" if last <= ln.line else f"#L{ln.line}-L{last}"
            return Evidence("card", f"{rec.card_locator}{where}", f"[{ln.text}]({ln.url})", rec.read_at)
    return None


def files_matching(rec: ModelRecord, pattern: re.Pattern[str], limit: int = 3) -> list[str]:
    return [p for p, _ in rec.files if pattern.search(p)][:limit]


def file_locator(rec: ModelRecord, path: str) -> str:
    """Where a reader opens one file of the record: its Hub page (``…/blob/main/PATH``) for a stored
    model, its path inside the folder for a local one (the folder alone made a reader search for it)."""
    if rec.locator.startswith("http"):
        return f"{rec.locator}/blob/main/{path}"
    return f"{rec.locator.rstrip('/')}/{path}"


def file_evidence(rec: ModelRecord, paths: list[str]) -> Evidence:
    """The files a probe found; the locator opens the first of them."""
    return Evidence("file_list", file_locator(rec, paths[0]) if paths else rec.locator, ", ".join(paths), rec.read_at)


def _front_matter_line(rec: ModelRecord, key: str) -> int | None:
    """The card line where front matter ``key:`` is set (1-based), if the card sets it at the top level."""
    if rec.card is None or not rec.card.text.startswith("---"):
        return None
    end = rec.card.text.find("\n---", 3)
    head = rec.card.text[: end if end > 0 else 0]
    m = re.search(rf"^{re.escape(key)}[ \t]*:", head, re.MULTILINE)
    return head.count("\n", 0, m.start()) + 1 if m else None


def library_evidence(rec: ModelRecord, lib: Any) -> Evidence:
    """The cited licence of a library the model runs with (``libraries.yml``): a curated fact with its URL."""
    return Evidence("curated", lib.url, f"{lib.name} is released under {lib.license} (its licence file)", rec.read_at)


def hub_evidence(rec: ModelRecord, what: str, key: str | None = None) -> Evidence:
    """Metadata evidence. For a stored model the Hub page shows it; for a folder it was read from the README's
    front matter, so the locator is that file and the line of ``key`` (a folder path alone pointed nowhere)."""
    locator = rec.locator
    if not rec.locator.startswith("http") and rec.card_locator:
        line = _front_matter_line(rec, key) if key else None
        locator = f"{rec.card_locator}#L{line}" if line else rec.card_locator
    return Evidence("hub_metadata", locator, what, rec.read_at)


def library_name_evidence(rec: ModelRecord) -> Evidence:
    """The metadata that names the model's library: ``library_name``, or the tag the Hub reads as the library when
    the front matter has none (:func:`..libraries.from_tags`), quoted as written so a reader finds it."""
    meta = rec.card.meta if rec.card is not None else {}
    if rec.card is not None and not isinstance(meta.get("library_name"), str) and rec.library_name \
            and any(t.strip().lower() == rec.library_name for t in rec.tags):
        return hub_evidence(rec, f"tags: {rec.library_name} (a library tag: the Hub's library_name when none is "
                                 "declared)", "tags")
    return hub_evidence(rec, f"library_name: {rec.library_name}", "library_name")


CODE_HOST = re.compile(r"^https?://(www\.)?(github\.com|gitlab\.com|bitbucket\.org|codeberg\.org|gitee\.com)/"
                       r"[\w.-]+/[\w.-]+", re.IGNORECASE)


def repo_license(rec: ModelRecord, what: str = "docs") -> str | None:
    """The licence of what the publisher ships with the model, by what it is (``weights``, ``code``,
    ``data``, ``docs``), from the declared one (Hub tag or front matter) and the licences the card names with
    what each covers (:mod:`._license_scope`).

    - weights: the declared licence (the Hub repository holds the weights), else the card's licence for them;
    - code, data: a card licence that names them ("Code License: Apache-2.0") first, being more specific
      than the repository's tag, then the declared one, then a card licence for the whole release;
    - docs: the declared one, then the code's (a README lives in the code repository), then a card licence
      for the whole release.
    A licence the card names only for the weights never covers the code, and one named for the code never
    covers the weights.
    """
    from openscope.derive.openness.probes.license_declared import (
        card_license_for,
        file_license_for,
        weights_license,
    )

    if what == "weights":
        return weights_license(rec)
    whole = card_license_for(rec, "docs")  # no scope names "docs": only names that cover everything
    declared = rec.license   # the catch-all `other` never overrides a licence a file's text identifies (as for weights)
    if declared and declared.lower() == "other":
        declared = file_license_for(rec, what) or declared
    if what in ("code", "data"):
        return card_license_for(rec, what, explicit_only=True) or declared or whole
    return declared or card_license_for(rec, "code", explicit_only=True) or whole


# A link followed by a short bracket: "[kestrel-ai/kestrel-train](https://github.com/…) (Apache-2.0)".
_LINK_THEN_BRACKET = re.compile(r"\]\([^()\s]{1,500}\)[ \t]{0,3}\(([^()\n]{2,40})\)")
_LINE_REF = re.compile(r"#L(\d+)")
_SNIPPET_LINE = re.compile(r"line (\d+): ")   # a repository's evidence: "line 12: [owner/repo](…) (labelled as such)"


def bracketed_code_license(rec: ModelRecord, evidence: tuple[Evidence | None, ...]) -> str | None:
    """The licence named in brackets right after a link on the card line an evidence item quotes, when the bracket
    names exactly one licence ("**Training code:** [repo](…) (Apache-2.0)", "(MIT License)"). Why: that bracket is
    the linked code's own licence, more specific than any the card names elsewhere; it was not read (the card's
    licence reader reads lines holding a licence word), so the code of a fully open release stayed "licence
    unknown". Cheap: only the lines of evidence already found, and only where a link is followed by a bracket."""
    card = rec.card
    if card is None:
        return None
    from openscope.derive.openness.probes.license_declared import licences_in

    lines = card.lines()
    for ev in evidence:
        if ev is None or ev.kind != "card" or (m := _LINE_REF.search(ev.locator) or _SNIPPET_LINE.match(ev.snippet)) is None:
            continue
        n = int(m.group(1))
        line = lines[n - 1] if 0 < n <= len(lines) else ""
        if ") (" not in line and ")(" not in line:
            continue
        for b in _LINK_THEN_BRACKET.finditer(line):
            names = {lic for lic, _ in licences_in(b.group(1))}
            if len(names) == 1:
                return names.pop()
    return None


def linked_code_license(rec: ModelRecord, evidence: tuple[Evidence | None, ...] = ()) -> str | None:
    """The licence of code the card links in another repository (a GitHub project, not files of this one): a
    licence in brackets right after the link on the line ``evidence`` quotes (:func:`bracketed_code_license`), else
    the licence the card names for the code, else, for a card with no declared licence of its own (a code
    repository's README, whose whole-release licence is the repository's), the card's licence for the
    whole release. Why: a model repository's declared licence (``license: openrail``) covers what that
    repository holds; the linked project carries its own LICENSE file, which the card does not show."""
    from openscope.derive.openness.probes.license_declared import card_license_for

    if evidence and (bracketed := bracketed_code_license(rec, evidence)):
        return bracketed
    named = card_license_for(rec, "code", explicit_only=True)
    if named or rec.license:
        return named
    return card_license_for(rec, "docs")
