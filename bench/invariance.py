"""Metamorphic (invariance) review of the card probes (issue 7): the same card in another equally valid Markdown form
must get the same grades.

Why: the probes were tuned on 73 development cards; a rule that reads the card's *form* (one sentence per line, ATX
headings, ``-`` bullets, inline links) rather than what it says fails on unseen cards written in another form. Each
transform below is a small pure function over a card's text that CommonMark (and the Hub's renderer) renders to the
same document, or to one a reader cannot tell apart (typographic quotes, a non-breaking space, a neutral front matter
with no licence in it). For each, on every development card, this counts the (card, OSAI dimension) grades and the
(card, MOF component) statuses that differ from the original text's, and the agreement with the experts after it.

What the transforms never touch, because rewriting it would change the document: fenced and indented code, HTML
blocks, tables (any paragraph with a ``|``), block quotes, setext headings already there, paragraphs with hard line
breaks (two trailing spaces or a backslash), the front matter (except ``crlf`` and ``front_matter``).

``python -m bench.invariance [--detail] [--width N] [--time [--rounds N]] [TRANSFORM …]`` (from the repository root,
``PYTHONPATH=.``; ``--width``: the column ``wrap_lines`` and ``hard_wrap`` wrap at, 72 unless told (READMEs wrap at
60 to 100); ``--time``: milliseconds per card, best of N rounds, 7 unless told).
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from openscope.derive.openness.assessment import sides
from openscope.derive.openness.cards import parse_front_matter
from openscope.derive.openness.evaluations import osai
from openscope.derive.openness.evaluations.mof import component_names
from openscope.derive.openness.evaluations.osai import DIMENSIONS
from openscope.derive.openness.records import from_text

WIDTH = 72

_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")   # (any indentation: a fence inside a list item)
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t#]*$")
_SETEXT_LINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_HR = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_ITEM = re.compile(r"^([ \t]*)([-*+]|\d{1,9}[.)])([ \t]+)(\S.*)$")
_HARD_BREAK = re.compile(r"(?: {2,}|\\)$")
# a word that would open a block if a wrap put it first on a line (a heading, a list item, a quote, a table row,
# HTML, a fence, a setext underline or a thematic break)
_OPENS_BLOCK = re.compile(r"^(?:#{1,6}|[-+*]|\d{1,9}[.)]|[>|<]|=+|-+|_+|\*+|`{3}|~{3})")


@dataclass
class Block:
    """Consecutive lines of the body with one kind: ``para`` and ``item`` may be rewritten, the rest are kept."""

    kind: str          # para | item | heading | blank | keep
    lines: list[str]


def _split(text: str) -> tuple[str, str]:
    """(front matter as written, body) of a card."""
    _, body, _ = parse_front_matter(text)
    return text[: len(text) - len(body)], body


def blocks(body: str) -> list[Block]:
    """The body's lines grouped into blocks, conservatively: anything this reader is not sure about is ``keep``."""
    out: list[Block] = []
    lines = body.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if fence:
            j = i + 1
            mark = fence.group(1)
            while j < len(lines) and not re.match(rf"^[ \t]*{mark[0]}{{{len(mark)},}}[ \t]*$", lines[j]):
                j += 1
            out.append(Block("keep", lines[i:j + 1]))
            i = j + 1
            continue
        if not line.strip():
            out.append(Block("blank", [line]))
            i += 1
            continue
        if _ATX.match(line):
            out.append(Block("heading", [line]))
            i += 1
            continue
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        after_blank = not out or out[-1].kind in ("blank", "heading", "keep")
        if (stripped.startswith(("<", ">", "|")) or _HR.match(line) or (indent >= 4 and after_blank)
                or "\t" in line[:indent]):
            j = i + 1
            while j < len(lines) and lines[j].strip():
                j += 1
            out.append(Block("keep", lines[i:j]))
            i = j
            continue
        kind = "item" if _ITEM.match(line) else "para"
        j = i + 1
        while (j < len(lines) and lines[j].strip() and not _ITEM.match(lines[j]) and not _ATX.match(lines[j])
               and not _FENCE.match(lines[j]) and not lines[j].lstrip().startswith((">", "<"))
               and not _HR.match(lines[j])):
            if _SETEXT_LINE.match(lines[j]):
                break
            j += 1
        group = lines[i:j]
        if j < len(lines) and _SETEXT_LINE.match(lines[j]) and lines[j].strip():   # a setext heading as written
            out.append(Block("keep", lines[i:j + 1]))
            i = j + 1
            continue
        if any("|" in g or _HARD_BREAK.search(g) or "<" in g for g in group):
            kind = "keep"
        out.append(Block(kind, group))
        i = j
    return out


def _join(bs: list[Block]) -> str:
    return "\n".join(line for b in bs for line in b.lines)


def _words(lines: list[str]) -> tuple[str, list[str]]:
    """(the list marker with its indentation, or "", the words of a paragraph or item)."""
    first = lines[0]
    m = _ITEM.match(first)
    lead = ""
    if m:
        lead = m.group(1) + m.group(2) + " "
        first = m.group(4)
    words = " ".join([first.strip()] + [x.strip() for x in lines[1:]]).split()
    return lead, words


def _rewrap(b: Block, width: int | None) -> list[str]:
    lead, words = _words(b.lines)
    if b.kind == "para":
        lead = re.match(r"^[ \t]*", b.lines[0]).group(0)  # type: ignore[union-attr]
    pad = " " * len(lead)
    out: list[str] = []
    cur = lead
    body_start = len(lead)
    for w in words:
        if len(cur) > body_start and (width is None or len(cur) + 1 + len(w) <= width or _OPENS_BLOCK.match(w)):
            cur += " " + w
        elif len(cur) > body_start:
            out.append(cur)
            cur = pad + w
        else:
            cur += w
    out.append(cur)
    return out


def _prose(text: str, fn: Callable[[Block], list[str]]) -> str:
    fm, body = _split(text)
    bs = blocks(body)
    for b in bs:
        if b.kind in ("para", "item"):
            b.lines = fn(b)
    return fm + _join(bs)


def hard_wrap(text: str) -> str:
    """Every paragraph and list item wrapped at 72 columns (soft line breaks inside sentences)."""
    return _prose(text, lambda b: _rewrap(b, WIDTH))


def wrap_lines(text: str) -> str:
    """Every long line of a paragraph or list item wrapped at 72 columns on its own (its neighbours left as they are):
    only soft line breaks inside lines are added, the card's own line breaks stay."""
    def each(b: Block) -> list[str]:
        out: list[str] = []
        for k, line in enumerate(b.lines):
            one = Block(b.kind if k == 0 else "para", [line])
            wrapped = _rewrap(one, WIDTH)
            if k and b.kind == "item":   # (a continuation line of an item keeps its indentation)
                wrapped = [wrapped[0]] + ["  " + w.lstrip() for w in wrapped[1:]]
            out.extend(wrapped if len(line) > WIDTH else [line])
        return out
    return _prose(text, each)


def unwrap(text: str) -> str:
    """Every paragraph and list item on one line."""
    return _prose(text, lambda b: _rewrap(b, None))


def crlf(text: str) -> str:
    """Windows line endings."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def _headings(text: str, fn: Callable[[int, str, str], list[str] | None]) -> str:
    fm, body = _split(text)
    bs = blocks(body)
    for k, b in enumerate(bs):
        if b.kind == "heading":
            m = _ATX.match(b.lines[0])
            assert m
            new = fn(len(m.group(1)), (m.group(2) or "").strip(), b.lines[0])
            if new is not None:
                before = bs[k - 1] if k else None
                b.lines = ([""] if before is not None and before.kind != "blank" and new[0] != b.lines[0][:1]
                           else []) + new
    return fm + _join(bs)


def setext(text: str) -> str:
    """Level-1 and level-2 ATX headings written as setext headings (``Title`` over ``=====`` or ``-----``)."""
    def to_setext(level: int, title: str, line: str) -> list[str] | None:
        if level > 2 or not title or _OPENS_BLOCK.match(title) or title.startswith(("    ", "\t")):
            return None
        return [title, ("=" if level == 1 else "-") * max(3, len(title))]
    return _headings(text, to_setext)


def deeper_headings(text: str) -> str:
    """Every ATX heading one level deeper (a card whose headings start at ``##``, as many do under a title)."""
    return _headings(text, lambda level, title, line: ["#" * min(6, level + 1) + " " + title] if title else None)


def star_bullets(text: str) -> str:
    """``*`` bullets instead of ``-`` (and ``+`` instead of ``*``), outside code and tables."""
    fm, body = _split(text)
    bs = blocks(body)
    swap = {"-": "*", "*": "+", "+": "-"}
    for b in bs:   # every item line, also in a kept block (an item with a "|" or "<"), so no list is split in two
        if b.kind == "item" or (b.kind == "keep" and not _FENCE.match(b.lines[0])):
            b.lines = [_swap(x, swap) for x in b.lines]
    return fm + _join(bs)


def _swap(line: str, swap: dict[str, str]) -> str:
    m = _ITEM.match(line)
    if not m or m.group(2) not in swap or _HR.match(line):
        return line
    return m.group(1) + swap[m.group(2)] + m.group(3) + m.group(4)


_INLINE = re.compile(r"(!?)\[([^\[\]\n]*)\]\((https?://[^()\s]+)\)")
_BARE = re.compile(r"(?<![(<\[\"'=/\w])(https?://[^\s<>()\[\]\"'`|*]+[^\s<>()\[\]\"'`|*.,;:!?])")


def _outside_code(line: str, fn: Callable[[str], str]) -> str:
    """``fn`` on the parts of a line outside inline code spans."""
    parts = re.split(r"(`+[^`]*`+)", line)
    return "".join(p if p.startswith("`") else fn(p) for p in parts)


def _lines_outside_code(text: str, fn: Callable[[str], str], kinds: tuple[str, ...] = ("para", "item", "heading")
                        ) -> tuple[str, list[Block]]:
    fm, body = _split(text)
    bs = blocks(body)
    for b in bs:
        if b.kind in kinds:
            b.lines = [_outside_code(x, fn) for x in b.lines]
    return fm, bs


def reference_links(text: str) -> str:
    """Inline links ``[text](url)`` written as reference links ``[text][rN]``, with ``[rN]: url`` lines above the body."""
    defs: dict[str, int] = {}

    def ref(m: re.Match[str]) -> str:
        n = defs.setdefault(m.group(3), len(defs) + 1)
        return f"{m.group(1)}[{m.group(2)}][r{n}]"

    def line(s: str) -> str:
        for _ in range(2):   # a badge: the image inside the link first, then the link
            s = re.sub(r"(!?)\[((?:[^\[\]\n]|!?\[[^\[\]\n]*\]\[r\d+\])*)\]\((https?://[^()\s]+)\)", ref, s)
        return s

    fm, bs = _lines_outside_code(text, line, ("para", "item", "heading", "keep_table"))
    for b in bs:   # tables: links in cells too
        if b.kind == "keep" and b.lines and b.lines[0].lstrip().startswith("|"):
            b.lines = [_outside_code(x, line) for x in b.lines]
    if not defs:
        return text
    # the definitions open the body: at its end they could fall inside an HTML block or a code block left open
    return fm + "\n".join(f"[r{n}]: {u}" for u, n in defs.items()) + "\n\n" + _join(bs)


def autolinks(text: str) -> str:
    """Bare URLs as ``<url>`` autolinks, and ``[url](url)`` links whose text is their address as ``<url>``."""
    def line(s: str) -> str:
        s = re.sub(r"(?<!!)\[(https?://[^\]\s]+)\]\(\1\)", r"<\1>", s)
        return _BARE.sub(r"<\1>", s)
    fm, bs = _lines_outside_code(text, line)
    return fm + _join(bs)


def typographic(text: str) -> str:
    """Typographic quotes and apostrophes (“…”, ’) and a non-breaking space between a number and its unit."""
    def line(s: str) -> str:
        if "://" in s:
            return s
        s = re.sub(r'(^|[\s(])"([^"\n]+)"', "\\1\u201c\\2\u201d", s)
        s = re.sub(r"(\w)'(\w)", "\\1\u2019\\2", s)
        return re.sub(r"(\d) (?=[A-Za-z%])", "\\1\u00a0", s)
    fm, bs = _lines_outside_code(text, line)
    return fm + _join(bs)


def front_matter(text: str) -> str:
    """A neutral front matter (tags only, no licence) on a card that has none."""
    fm, _ = _split(text)
    return text if fm else "---\ntags:\n- text-generation\n- en\n---\n\n" + text


def trailing_whitespace(text: str) -> str:
    """A trailing space and tab on every line outside code and the front matter (never a hard break: one space)."""
    fm, body = _split(text)
    bs = blocks(body)
    for b in bs:
        if not (b.kind == "keep" and b.lines and _FENCE.match(b.lines[0])):
            b.lines = [x + " \t" if x.strip() and not _HARD_BREAK.search(x) else x for x in b.lines]
    return fm + _join(bs)


TRANSFORMS: dict[str, Callable[[str], str]] = {
    "crlf": crlf, "wrap_lines": wrap_lines, "hard_wrap": hard_wrap, "unwrap": unwrap, "setext": setext, "deeper_headings": deeper_headings,
    "star_bullets": star_bullets, "reference_links": reference_links, "autolinks": autolinks,
    "typographic": typographic, "front_matter": front_matter, "trailing_whitespace": trailing_whitespace,
}


def dev_cards() -> list[tuple[str, str, str, dict[str, str | None]]]:
    """(family file, Hub id, card text, expert grades) for every development card joined to the experts."""
    from bench.bench_openness import DATA, _joined_rows, expert_grade

    out = []
    for row, it, path in _joined_rows(DATA / "osai_dev.csv", DATA / "cards"):
        fam = row["file"].strip()
        out.append((fam, (it.get("hf_id") or "").strip() or fam, path.read_text("utf-8", errors="replace"),
                    {d: expert_grade(row[d]) for d in DIMENSIONS}))
    return out


def grade(hub_id: str, text: str, name: str = "card.md") -> tuple[dict[str, str], dict[str, str]]:
    """(OSAI grades, MOF component statuses) of a card read alone, as the agreement benchmark reads it."""
    rec = from_text(hub_id, text, locator=name)
    end, base, _, _, _ = sides(rec, use_curated=False)
    grades = osai.evaluate(end, base)
    return {d: grades[d] for d in DIMENSIONS}, {n: end.facts[n].status for n in component_names()}


def measure(names: list[str] | None = None, detail: bool = False) -> dict[str, Any]:
    """For each transform: changed OSAI grades and MOF statuses, and agreement with the experts after it."""
    cards = dev_cards()
    base = [grade(h, t, f + ".md") for f, h, t, _ in cards]

    def agree(results: list[tuple[dict[str, str], dict[str, str]]]) -> float:
        pairs = [(e[d], r[0][d]) for (_, _, _, e), r in zip(cards, results, strict=True) for d in DIMENSIONS
                 if e[d] is not None]
        return sum(a == b for a, b in pairs) / len(pairs)

    report: dict[str, Any] = {"cards": len(cards), "original_agreement": round(agree(base), 4), "transforms": {}}
    for name in names or list(TRANSFORMS):
        fn = TRANSFORMS[name]
        after = []
        changed: list[str] = []
        touched = 0
        for (fam, hub, text, _), (g0, m0) in zip(cards, base, strict=True):
            new = fn(text)
            touched += new != text
            g1, m1 = grade(hub, new, fam + ".md")
            after.append((g1, m1))
            changed += [f"{fam} osai {d}: {g0[d]} -> {g1[d]}" for d in DIMENSIONS if g0[d] != g1[d]]
            changed += [f"{fam} mof {n}: {m0[n]} -> {m1[n]}" for n in m0 if m0[n] != m1[n]]
        row: dict[str, Any] = {
            "cards_rewritten": touched,
            "osai_changed": sum(" osai " in c for c in changed),
            "mof_changed": sum(" mof " in c for c in changed),
            "agreement": round(agree(after), 4),
        }
        if detail:
            row["changes"] = changed
        report["transforms"][name] = row
    return report


def timing(rounds: int = 7) -> dict[str, float]:
    """Milliseconds per card (read, probes, grades) over the development cards, best of ``rounds``."""
    cards = dev_cards()
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        for fam, hub, text, _ in cards:
            grade(hub, text + "\n", fam + ".md")   # (a distinct string each round: nothing kept from the last)
        best = min(best, time.perf_counter() - t0)
    return {"cards": len(cards), "per_card_ms": round(best / len(cards) * 1000, 2)}


def _print(report: dict[str, Any]) -> None:
    print(f"{report['cards']} development cards; agreement with the experts on the original text "
          f"{report['original_agreement']:.1%}")
    print(f"{'transform':<22}{'rewritten':>10}{'OSAI changed':>14}{'MOF changed':>13}{'agreement':>11}")
    for name, r in report["transforms"].items():
        print(f"{name:<22}{r['cards_rewritten']:>10}{r['osai_changed']:>14}{r['mof_changed']:>13}"
              f"{r['agreement']:>11.1%}")
        for c in r.get("changes", []):
            print("    " + c)


def iter_transforms() -> Iterator[tuple[str, Callable[[str], str]]]:
    yield from TRANSFORMS.items()


def _number(argv: list[str], option: str, default: int) -> tuple[int | None, list[str]]:
    """(the positive whole number after ``option``, or ``default`` without it; None when it is not one; the rest)."""
    if option not in argv:
        return default, argv
    i = argv.index(option)
    if i + 1 >= len(argv) or not argv[i + 1].isdigit() or int(argv[i + 1]) < 1:
        return None, argv
    return int(argv[i + 1]), argv[:i] + argv[i + 2:]


def main(argv: list[str]) -> int:
    global WIDTH
    detail = "--detail" in argv
    width, argv = _number(argv, "--width", WIDTH)
    if width is None:
        print("invariance: --width takes a positive whole number", file=sys.stderr)
        return 2
    WIDTH = width
    rounds = 7
    if "--rounds" in argv:   # (--time's best of N; the number follows the option)
        i = argv.index("--rounds")
        if i + 1 >= len(argv) or not argv[i + 1].isdigit() or int(argv[i + 1]) < 1:
            print("invariance: --rounds takes a positive whole number", file=sys.stderr)
            return 2
        rounds = int(argv[i + 1])
        argv = argv[:i] + argv[i + 2:]
    names = [a for a in argv if not a.startswith("--")]
    unknown = [n for n in names if n not in TRANSFORMS]
    if unknown:
        print(f"invariance: no transform {', '.join(unknown)} (known: {', '.join(TRANSFORMS)})", file=sys.stderr)
        return 2
    if "--time" in argv:
        print(timing(rounds))
        return 0
    _print(measure(names or None, detail))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
