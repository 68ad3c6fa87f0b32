"""The card pass's speed changes (twenty-seventh session) give exactly what the code they replace gave.

Why: each change keeps an answer that grades depend on and that no test of a grade would notice losing, so each is
compared with the plain computation it replaces (the search, ``findall``, ``finditer`` or ``str.lower`` it stands
for, or the probe run eagerly) on random inputs and on the development cards:
- :func:`.._own_paper.paper_link` (a URL's paper host, looked for by its host names first, kept by URL);
- :func:`..probes.may_search` (a link's address or anchor holding none of a pattern's words is not searched);
- :func:`..probes.matches_from` (the matches after the first found in the needle windows);
- :func:`..probes._line_matches` tried at the start places of a pattern in each line;
- :func:`..probes.reads_at_least` and :func:`..probes.reading_length`'s ``within``;
- :func:`..probes._start_folds` (kept for the last text);
- :func:`..datasets_released.denying_title` (a title holding none of the pattern's words is not searched);
- :func:`..datasets_released._names_summary` (the card's lowered body and front matter, not the card lowered again);
- the code repository read only when a finding uses it (``architecture_code``, ``training_code``).
"""

from __future__ import annotations

import random
import re
from dataclasses import replace
from pathlib import Path

import pytest
from probe_patterns import module_patterns

from openscope.derive.openness import libraries
from openscope.derive.openness import probes as P
from openscope.derive.openness.cards import parse_card
from openscope.derive.openness.probes import _own_evidence as OE
from openscope.derive.openness.probes import _own_paper as OP
from openscope.derive.openness.probes import architecture_code, datasets_released, training_code
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.records import ModelRecord, finish, from_text

ODD = ["\u0131", "\u0130", "\u017f", "\u212a", "é", "代码", "论文", "コード", "😀"]


def _cards(shared_data: Path) -> list[tuple[str, str]]:
    found = [(p.stem, p.read_text("utf-8", errors="replace"))
             for p in sorted((shared_data / "openness" / "cards").glob("*.md"))]
    assert len(found) >= 70
    return found


def _text_of(rnd: random.Random, words: list[str], n: int, fillers: list[str]) -> str:
    parts = []
    for _ in range(rnd.randint(0, n)):
        r = rnd.random()
        if r < 0.5 and words:
            w = rnd.choice(words)
            parts.append(w.upper() if r < 0.1 else w.capitalize() if r < 0.2 else w)
        else:
            parts.append(rnd.choice(fillers))
    return "".join(parts)


# -- paper hosts ---------------------------------------------------------------------------------------------------

def _urls(rnd: random.Random) -> list[str]:
    """Addresses made of the paper hosts' names (whole, cut, in mixed case, with characters that fold oddly) and of
    other hosts."""
    hosts = list(P.required_needles(OP.PAPER_LINK) or ()) + ["arxiv.org/abs/", "openreview.net/pdf", "github.com/",
                                                              "huggingface.co/", "example.org/paper.pdf"]
    fillers = ["https://", "www.", "2401.00001", "/", "?x=1", "#a", "a", "\u0131", "\u017f", "\u212a", "İ", "-", "."]
    out = []
    for _ in range(3000):
        parts = [rnd.choice(["https://", "http://", ""])]
        for _ in range(rnd.randint(1, 6)):
            r = rnd.random()
            h = rnd.choice(hosts)
            parts.append(h.upper() if r < 0.15 else h[:rnd.randint(1, len(h))] if r < 0.3 else h if r < 0.6
                         else rnd.choice(fillers))
        out.append("".join(parts))
    return out


def test_paper_link_is_the_search() -> None:
    rnd = random.Random(27)
    urls = _urls(rnd)
    hits = 0
    for url in urls + urls[:500]:   # (asked again: the kept answer)
        want = OP.PAPER_LINK.search(url) is not None
        assert OP.paper_link(url) is want, url
        hits += want
    assert hits > 300


@pytest.mark.reference
def test_paper_link_on_the_development_cards(shared_data: Path) -> None:
    urls = [ln.url for _, text in _cards(shared_data) for ln in parse_card(text).links]
    assert len(urls) > 1000
    assert sum(OP.paper_link(u) for u in urls) > 20
    for u in urls:
        assert OP.paper_link(u) is (OP.PAPER_LINK.search(u) is not None), u


# -- may_search ----------------------------------------------------------------------------------------------------

def test_may_search_never_turns_a_match_down() -> None:
    """For every probe pattern with required words: a text it turns down holds no match, on random texts made of the
    pattern's own words in mixed case with odd-folding characters; and it turns most word-less texts down."""
    rnd = random.Random(2727)
    fillers = [" ", "/", "-", "_", ".", "a", "the ", "code", "data", *ODD]
    patterns = [p for p in module_patterns() if P.required_needles(p)]
    assert len(patterns) > 50
    turned = 0
    for p in patterns:
        words = list(P.required_needles(p) or ())
        for _ in range(60):
            text = _text_of(rnd, words, 12, fillers)
            if not P.may_search(p, text):
                turned += 1
                assert p.search(text) is None, (p.pattern[:80], text)
    assert turned > 500


def _link_matching_plain(rec: ModelRecord, url: re.Pattern[str]) -> P.Evidence | None:
    assert rec.card is not None
    for ln in rec.card.links:
        if url.search(ln.url):
            return P.Evidence("card", ln.url, f"line {ln.line}: [{ln.text}]({ln.url})" if ln.text else
                              f"line {ln.line}: {ln.url}", rec.read_at)
    return None


@pytest.mark.reference
def test_link_matching_on_the_development_cards(shared_data: Path) -> None:
    from openscope.derive.openness.probes.data_card import SHEET_LINK
    from openscope.derive.openness.probes.datasets_released import _TITLE_DENIAL, denying_title

    patterns = [SHEET_LINK, OP.PAPER_LINK, OE.IMAGE_URL, re.compile(r"model|train", re.IGNORECASE)]
    found = 0
    for name, text in _cards(shared_data):
        rec = finish(from_text(f"org/{name}", text))
        for p in patterns:
            got, want = P.link_matching(rec, p), _link_matching_plain(rec, p)
            assert (got and got.as_json()) == (want and want.as_json()), (name, p.pattern[:60])
            found += got is not None
        assert rec.card is not None
        for s in rec.card.sections:
            assert denying_title(s.title) is (_TITLE_DENIAL.search(s.title) is not None), s.title
    assert found > 50


# -- matches_from, line matches ------------------------------------------------------------------------------------

def _spans(ms: object) -> list[tuple[tuple[int, int], tuple[str | None, ...]]]:
    return [(m.span(), m.groups()) for m in ms]  # type: ignore[attr-defined]


@pytest.mark.reference
def test_matches_from_is_finditer_on_the_development_cards(shared_data: Path) -> None:
    """From :func:`..probes.fast_search`'s first match, the iteration gives what ``finditer`` gives (the training
    command, whose later matches a probe may quote, and other probe patterns searched with needles)."""
    from openscope.derive.openness.probes.training_code import TRAIN_COMMAND, TRAIN_COMMAND_NEEDLES
    from openscope.derive.openness.probes.weights_gated import GATED_TEXT, GATED_TEXT_NEEDLES

    cases = [(TRAIN_COMMAND, TRAIN_COMMAND_NEEDLES), (GATED_TEXT, GATED_TEXT_NEEDLES),
             (OE.OWN_REPORT_TEXT, OE.OWN_REPORT_TEXT_NEEDLES)]
    firsts = 0
    for _, text in _cards(shared_data):
        card = parse_card(text)
        for pattern, needles in cases:
            first = P.fast_search(card.body, card.lowered_body, pattern, needles)
            rx = P.for_text(pattern, card.body)
            if first is None:
                assert rx.search(card.body) is None
                continue
            firsts += 1
            assert _spans(P.matches_from(card.body, rx, first)) == _spans(rx.finditer(card.body))
    assert firsts > 20


def test_matches_from_is_finditer_on_random_texts() -> None:
    rnd = random.Random(72)
    patterns = [re.compile(r"\b(?:ab|abc)\b", re.IGNORECASE), re.compile(r"(?<=x)y+|^z", re.MULTILINE),
                re.compile(r"a(?=b)|b$"), re.compile(r"x*")]
    for p in patterns:
        for _ in range(300):
            text = "".join(rnd.choice(["a", "b", "c", "x", "y", "z", " ", "\n", "ab"]) for _ in range(rnd.randint(0, 30)))
            first = p.search(text)
            if first is not None:
                assert _spans(P.matches_from(text, p, first)) == _spans(p.finditer(text)), (p.pattern, text)


def _line_patterns() -> list[re.Pattern[str]]:
    return [p for p in module_patterns() if P._needles_of(p) and P.one_line(p) and P.start_needles(p) is not None]


def _check_line_matches(texts: list[str], patterns: list[re.Pattern[str]]) -> int:
    seen = 0
    for text in texts:
        low = text.lower()
        for p in patterns:
            got = P.line_matches(text, low, p)
            if got is None:
                continue
            want = _spans(p.finditer(text))
            assert _spans(got) == want, (p.pattern[:80], text[:120])
            seen += bool(want)
    return seen


def test_line_matches_at_start_places_on_random_texts() -> None:
    """Tried at the start places in each line, a line pattern gives the whole text's matches (``finditer``), on
    random lines of its own words, line starts, digits and odd-folding characters."""
    patterns = _line_patterns()
    assert len(patterns) >= 4
    rnd = random.Random(2772)
    fillers = [" ", "\n", "\n- ", "| ", " | ", "1", "42 ", ": ", "**", *ODD]
    seen = 0
    for p in patterns:
        words = list(P.required_needles(p) or ()) + [w for w in P.start_needles(p) or () if len(w) > 1]
        texts = [_text_of(rnd, words, 40, fillers) for _ in range(80)]
        seen += _check_line_matches(texts, [p])
    assert seen > 50


@pytest.mark.reference
def test_line_matches_on_the_development_cards(shared_data: Path) -> None:
    bodies = [parse_card(text).body for _, text in _cards(shared_data)]
    assert _check_line_matches(bodies, _line_patterns()) > 30


# -- reading length ------------------------------------------------------------------------------------------------

def test_reads_at_least_is_the_count() -> None:
    rnd = random.Random(7)
    fillers = ["a", " ", "代", "码", "コ", "한", "é", "😀", "\n"]
    for _ in range(3000):
        text = "".join(rnd.choice(fillers) for _ in range(rnd.randint(0, 50)))
        for n in (rnd.randint(0, 80), len(text) - 1, len(text), len(text) + 1, P.reading_length(text),
                  P.reading_length(text) + 1):
            assert P.reads_at_least(text, n) is (P.reading_length(text) >= n), (text, n)
        whole = rnd.choice(["", "x", "é", "代"]) + text + rnd.choice(["", "😀", "码"])
        assert P.reading_length(text, within=whole) == P.reading_length(text), (text, whole)


# -- kept for the last text ----------------------------------------------------------------------------------------

def test_start_folds_is_the_scan() -> None:
    rnd = random.Random(17)
    texts = ["".join(rnd.choice(["a", " ", "é", *P._START_FOLDS]) for _ in range(rnd.randint(0, 12))) for _ in range(500)]
    for text in texts + texts[::-1]:
        for _ in range(2):   # (asked twice in a row: the kept answer)
            assert P._start_folds(text) is any(c in text for c in P._START_FOLDS), text


# -- the folded blocks' test ----------------------------------------------------------------------------------------

def test_names_summary_is_the_lowered_card() -> None:
    """Random cards whose "<summary" stands in the body, in the front matter, across their boundary or nowhere, in
    mixed case, beside characters whose lower case is longer (İ) or that fold oddly."""
    rnd = random.Random(2777)
    pieces = ["<summary", "<SUMMARY>", "<Sum", "mary>", "<", "summary", "İ", "\u017f", "Σ", "a", " ", "\n", "---"]
    seen = 0
    for _ in range(1500):
        front = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 6)))
        body = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 8)))
        card = parse_card("x")
        card = replace(card, text=front + body, body=body, _lowered=None)
        want = "<summary" in card.text.lower()
        assert datasets_released._names_summary(card) is want, (front, body)
        seen += want
    assert seen > 300


@pytest.mark.reference
def test_names_summary_on_the_development_cards(shared_data: Path) -> None:
    for _, text in _cards(shared_data):
        card = parse_card(text)
        assert datasets_released._names_summary(card) is ("<summary" in card.text.lower())


# -- the code repository, read only when used ----------------------------------------------------------------------

def _architecture_before(rec: ModelRecord) -> P.Finding:
    """``architecture_code.run`` as it was (twenty-sixth session): the code repository read first, always."""
    m = architecture_code
    f = P.Finding("architecture_code", "unknown", m.COMPONENT, remediation=m.REMEDIATION)
    files = P.files_matching(rec, m.ARCH_FILES)
    link = OE.own_code_repository(rec, component=m.COMPONENT)
    if files or link:
        f.status, f.license = released_status(P.repo_license(rec, "code") if files else P.linked_code_license(rec))
        f.outcome = "positive"
        f.evidence = [P.file_evidence(rec, files)] if files else [link]
        return f
    if rec.library_name:   # (the eighth evidence round's rule: the library's code, under the library's licence)
        lib = libraries.by_library_name(rec.library_name)
        f.status, f.license = released_status(lib.license) if lib is not None else ("no_license", None)
        f.outcome = "positive"
        f.evidence = [P.hub_evidence(rec, f"library_name: {rec.library_name}", "library_name")]
        f.evidence += [P.library_evidence(rec, lib)] if lib is not None else []
        return f
    sec = P.section_with(rec, m.ARCH_TITLE) or m.described_model(rec)
    if sec:
        f.status, f.outcome, f.evidence = "documented_not_released", "negative", [sec]
    elif rec.card is not None or rec.files:
        f.outcome = "negative"
    return f


def _training_before(rec: ModelRecord) -> P.Finding:
    """``training_code.run`` as it was before this session's change (with the continued commands of the same
    session): the code repository read first, always, and a later training command found by ``finditer`` from the
    card's start."""
    from openscope.derive.openness.probes._siblings import better_command, command_evidence

    m = training_code
    f = P.Finding("training_code", "unknown", m.COMPONENT, remediation=m.REMEDIATION)
    files = P.files_matching(rec, m.TRAIN_FILES)
    cmd = P.card_search(rec, m.TRAIN_COMMAND, needles=m.TRAIN_COMMAND_NEEDLES)
    if cmd is not None and rec.card is not None:
        later = better_command(rec, P.for_text(m.TRAIN_COMMAND, rec.card.body).finditer(rec.card.body))
        cmd = command_evidence(rec, later) if later is not None else cmd
    if cmd is None:
        cmd = m.continued_command(rec)
    text, promised = OE.first_own_mention(rec, m.TRAIN_TEXT, needles=m.TRAIN_TEXT_NEEDLES, component=m.COMPONENT)
    not_yet = P.card_search(rec, m.NOT_YET, needles=m.NOT_YET_NEEDLES) or promised
    released = (OE.first_own_mention(rec, m.TRAIN_RELEASED, needles=m.TRAIN_TEXT_NEEDLES, component=m.COMPONENT)[0]
                or OE.first_own_mention(rec, m.LISTED_RELEASE, needles=("open",), component=m.COMPONENT)[0]) \
        if text else None
    repo = OE.own_code_repository(rec, component=m.COMPONENT)
    rel = P.repo_link(rec, m.TRAIN_REL)
    field, denied_field = OE.first_undenied(rec, m.TRAIN_FIELD, m.TRAIN_FIELD_NEEDLES, m.COMPONENT)
    if files or cmd or field or released or (text and repo and not not_yet) or (rel and not not_yet):
        linked_only = not (files or cmd or rel) and bool(field or repo)
        f.status, f.license = released_status(P.linked_code_license(rec) if linked_only else P.repo_license(rec, "code"))
        f.outcome = "positive"
        f.evidence = [P.file_evidence(rec, files)] if files else \
            [e for e in (cmd or field or rel or released or text, repo) if e]
        return f
    if said := not_yet or text or denied_field:
        f.status, f.outcome, f.evidence = "documented_not_released", "negative", OE.with_denial(rec, said, m.COMPONENT)
    elif rec.card is not None or rec.files:
        f.outcome = "negative"
    return f


FILE_LISTS = [[], [("model.safetensors", 1), ("config.json", 1)], [("model.safetensors", 1)],
              [("train.py", 1), ("model.safetensors", 1)], [("modeling_x.py", 1)]]


@pytest.mark.reference
def test_code_repository_read_only_when_used(shared_data: Path) -> None:
    """The architecture and training code findings of every development card, with several file lists, equal the
    findings of the probes as they were (the card's own code repository read first, always)."""
    repos = commands = 0
    for name, text in _cards(shared_data):
        for files in FILE_LISTS:
            for run, before in ((architecture_code.run, _architecture_before), (training_code.run, _training_before)):
                lazy = finish(from_text(f"org/{name}", text))
                eager = finish(from_text(f"org/{name}", text))
                lazy.files, eager.files = list(files), list(files)
                got, want = run(lazy).as_json(), before(eager).as_json()
                assert got == want, (name, files, run.__module__)
                repos += any(" (labelled as such)" in e["snippet"] or "(announced" in e["snippet"]
                             for e in got["evidence"])
                commands += any(e["snippet"].lstrip().startswith(("python", "torchrun", "deepspeed", "bash", "accelerate"))
                                for e in got["evidence"])
    assert repos > 10 and commands > 5
