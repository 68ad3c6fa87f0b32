"""Comparing what a documented command prints with what the document shows, written once.

Why a module of its own: README.md's tour (``test_demo_readme``), docs/openness.md (``test_docs_openness_examples``)
and the other documents (``test_docs_examples``) all show a command's output with the same conventions: a line
``…`` (or ``… (what)``) for lines left out, ``rc=N`` or ``echo $?`` for the exit code, a ``--json`` document whose key
``"…"`` stands for keys left out. Test modules cannot import one another's helpers without importing their tests, so
they import this one, as they import ``lineage_graphs``. The comparison is plain list and dict equality, never the
code under test.
"""

from __future__ import annotations

import json
import re
from typing import Any

ELIDED = "…"

# what differs between two runs, whatever the code: the clock, the machine's speed, sizes on disk
UNSTABLE = [
    (re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)?( UTC)?"), "TIME"),
    (re.compile(r"took \d[\d.,]* (ms|s|min)"), "took X"),
    (re.compile(r"\(\d+ minutes? ago"), "(X ago"),
    (re.compile(r"\b\d[\d.,]* [KMG]?B\b"), "X B"),
    (re.compile(r"\b\d[\d,]* bytes\b"), "X bytes"),
    (re.compile(r"(?<=elapsed_s)(\s+)\d[\d.]*"), r"\1X"),
]


def stable(line: str) -> str:
    """``line`` with what differs from run to run replaced by a placeholder (both sides of a comparison get it)."""
    for pattern, value in UNSTABLE:
        line = pattern.sub(value, line)
    return line.rstrip()


def shown_output(output: list[str], code: int | None) -> tuple[list[str], int]:
    """A document's lines for an example (right-stripped, blank lines at the end dropped) and its exit code: a last
    line ``rc=N``, else ``code`` (from an ``echo $?``), else 0."""
    lines = [line.rstrip() for line in output]
    while lines and not lines[-1]:
        lines.pop()
    code = code if code is not None else 0
    if lines and (m := re.fullmatch(r"rc=(\d+)", lines[-1])):
        code = int(m.group(1))
        lines.pop()
    return lines, code


def agree(chunk: list[str], printed: list[str], at: int) -> int:
    """How many of ``chunk``'s lines ``printed`` holds in a row from ``at``."""
    return next((j for j, line in enumerate(chunk) if printed[at + j:at + j + 1] != [line]), len(chunk))


def chunks_in_order(shown: list[str], printed: list[str], last_lines: bool) -> str | None:
    """None when every run of shown lines between `…` lines appears in ``printed``, in order; else what differs.

    The first run must start the output unless a `…` (or the command's "last lines") comes before it; the last run
    must end it unless a `…` follows it."""
    chunks: list[list[str]] = [[]]
    for line in shown:
        if line.strip() == ELIDED or line.strip().startswith(ELIDED + " "):  # "… (a table of …)" says what it leaves out
            chunks.append([])
        else:
            chunks[-1].append(line)
    at = 0
    for n, chunk in enumerate(chunks):
        if not chunk:
            continue
        anchored = n == 0 and not last_lines
        starts = [at] if anchored else range(at, len(printed) - len(chunk) + 1)
        found = next((i for i in starts if printed[i:i + len(chunk)] == chunk), None)
        if found is None:  # say where the closest start (the most shown lines in a row) parts from the document
            best = max(starts, key=lambda i: agree(chunk, printed, i), default=at)
            j = agree(chunk, printed, best) if best < len(printed) else 0
            return (f"the lines from {chunk[0]!r} are not printed {'there' if anchored else 'after the ones before'}"
                    f"; shown line {j + 1} of them: {chunk[j]!r}, printed: {printed[best + j:best + j + 1]}")
        at = found + len(chunk)
    if chunks[-1] and at != len(printed):
        return "printed more after the last shown line:\n" + "\n".join(printed[at:at + 5])
    return None


DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def json_differs(shown: Any, printed: Any, where: str = "") -> str | None:
    """None when ``printed`` is what the document shows: the same keys in the same order (a key "…" stands for
    keys left out), equal values, a `read_at` any day; else the first place that differs."""
    if isinstance(shown, dict):
        if not isinstance(printed, dict):
            return f"{where or '/'}: shown an object, printed {printed!r:.80}"
        keys = [k for k in shown if k != ELIDED]
        if ELIDED not in shown and list(printed) != keys:
            return f"{where or '/'}: keys {list(printed)}, shown {keys}"
        order = [k for k in printed if k in shown]
        if order != keys:
            return f"{where or '/'}: keys shown {keys} are printed as {order}"
        for k in keys:
            if k.endswith("_s") and isinstance(shown[k], (int, float)) and isinstance(printed[k], (int, float)):
                continue  # seconds (`elapsed_s`): the machine's speed
            if k == "read_at" and isinstance(shown[k], str) and DAY.fullmatch(shown[k]):
                if not (isinstance(printed[k], str) and DAY.fullmatch(printed[k])):
                    return f"{where}/read_at: {printed[k]!r} is no day"
                continue
            if (d := json_differs(shown[k], printed[k], f"{where}/{k}")) is not None:
                return d
        return None
    if isinstance(shown, list):
        if shown and shown[-1] == ELIDED and isinstance(printed, list):  # `[a, b, …]`: the first items shown
            shown, printed = shown[:-1], printed[:len(shown) - 1]
        if not isinstance(printed, list) or len(printed) != len(shown):
            return f"{where}: shown {len(shown)} items, printed {printed!r:.200}"
        return next((d for i, (s, p) in enumerate(zip(shown, printed, strict=True))
                     if (d := json_differs(s, p, f"{where}[{i}]")) is not None), None)
    if isinstance(shown, str) and ELIDED in shown and isinstance(printed, str) and shown != printed:
        # "… (SPDX License List 2024-05-21 …)": the parts shown, in order, the first at the start
        parts, at = shown.split(ELIDED), 0
        for n, part in enumerate(parts):
            found = printed.find(part, at) if n else (0 if printed.startswith(part) else -1)
            if found < 0 or (n == len(parts) - 1 and part and not printed.endswith(part)):
                return f"{where}: printed {printed!r:.200}, shown {shown!r:.200}"
            at = found + len(part)
        return None
    return None if shown == printed else f"{where}: printed {printed!r:.200}, shown {shown!r:.200}"


def parse_shown_json(lines: list[str]) -> Any:
    """The JSON document a page shows, its elisions made JSON: a line ``…`` is a key ``"…"`` (keys left out), ``, …]``
    an item ``"…"`` ending a list (items left out); what :func:`json_differs` reads them as."""
    text = "\n".join(lines)
    text = re.sub(r"(?m)^(\s*)…,?\s*$", r'\1"…": "…",', text)
    text = re.sub(r",\s*…\s*\]", ', "…"]', text)
    text = re.sub(r",(\s*[}\]])", r"\1", text)   # the comma an elision left before a closing bracket
    return json.loads(text)
