"""Text output written to a file or a pipe has no line that ends in spaces. Why: rich pads every table cell to its
column's width, the last column too, so ``openscope model X > model.txt`` wrote each line padded to 80 columns:
noise in a diff, an editor or ``grep 'x$'``. Only the padding goes: the words and the layout stay."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lineage_graphs import LLAMA

COMMANDS = [
    ("status",),
    ("model", "alice/llama-ft"),
    ("lineage", LLAMA, "--down"),
    ("lineage", "dave/qwen-llama-merge"),
    ("license", "dave/qwen-llama-merge"),
    ("sql", "SELECT id, license FROM models ORDER BY id LIMIT 5"),
    ("assess", "alice/llama-ft"),
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_no_line_ends_in_padding(cli, hand_db: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    r = cli("--db", hand_db, *args)
    assert r.code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) >= 2, r.stdout
    padded = [ln for ln in lines if ln != ln.rstrip(" ")]
    assert not padded, padded[:5]


def test_the_layout_stays(cli, hand_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the table's columns still line up: the value column starts at the same place on every row
    monkeypatch.setenv("COLUMNS", "80")
    r = cli("--db", hand_db, "model", "alice/llama-ft")
    rows = [m for m in (re.match(r" (\S.*?) {2,}(\S)", ln) for ln in r.stdout.splitlines()[1:]) if m]
    assert len(rows) >= 5, r.stdout
    assert len({m.start(2) for m in rows}) == 1, [m.string for m in rows]
