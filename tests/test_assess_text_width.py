"""`openscope assess`'s text view at 80 columns: the next steps, the MOF and OSAID lines and the flags wrap under
their own first word, never back at column 1 where a continued step reads as a new one; no line runs past the
width or ends in padding; a folder given by its own name is named once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CARD = """---
license: mit
---
# A small release

This model is fully open source and free for everyone: the weights are on the Hub for anyone to download.

## Training
We trained it for three epochs on eight GPUs with our own script.
"""


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "release"
    d.mkdir()
    (d / "README.md").write_text(CARD, encoding="utf-8")
    (d / "model.safetensors").write_bytes(b"x")
    monkeypatch.chdir(tmp_path)
    return d


def _run(cli, columns: str, monkeypatch: pytest.MonkeyPatch, *args: str) -> list[str]:
    monkeypatch.setenv("COLUMNS", columns)
    r = cli("--db", "none.duckdb", "assess", *args)
    assert r.code == 0, r.stderr
    return r.stdout.splitlines()


def _after_tables(lines: list[str]) -> list[str]:
    """The lines from the MOF verdict on (the tables above them are rich's own layout)."""
    return lines[next(i for i, line in enumerate(lines) if line.startswith("MOF: ")):]


def test_steps_verdicts_and_flags_wrap_under_their_first_word(cli, folder: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    tail = _after_tables(_run(cli, "80", monkeypatch, "release"))
    assert all(len(line) <= 80 and line == line.rstrip() for line in tail)
    steps = [i for i, line in enumerate(tail) if line.startswith("  - ")]
    assert steps, "\n".join(tail)
    # every line of the section is a heading, a step, or a step's continuation indented under its text
    for line in tail:
        assert re.match(r"(MOF: |OSAID 1\.0: |Next steps |flag |  - | {4}\S| {5}\S| {11}\S)", line), line
    continued = [line for line in tail if line.startswith("    ") and not line.startswith("     ")]
    assert continued, "at 80 columns at least one step runs onto a second line"
    flag = next(i for i, line in enumerate(tail) if line.startswith("flag "))
    assert "open source" in " ".join(line.strip() for line in tail[flag:flag + 4])
    assert tail[flag + 1].startswith("     ") and not tail[flag + 1][5].isspace()


def test_a_wide_terminal_keeps_each_step_on_one_line(cli, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    narrow = _after_tables(_run(cli, "80", monkeypatch, "release"))
    wide = _after_tables(_run(cli, "300", monkeypatch, "release"))
    assert len(wide) < len(narrow)
    assert not any(line.startswith("    ") and not line.startswith("     ") for line in wide)
    # the same words either way: wrapping only moved them
    assert " ".join(" ".join(narrow).split()) == " ".join(" ".join(wide).split())


def test_the_folder_is_named_once_when_given_by_its_own_name(cli, folder: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    lines = _run(cli, "80", monkeypatch, "release")
    assert lines[0] == "release" and lines[1] != "release"
    lines = _run(cli, "80", monkeypatch, str(folder))
    assert lines[0] == "release" and lines[1] == str(folder)


def test_a_folder_path_longer_than_the_terminal_is_printed_whole(cli, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A path is a thing to copy: at 80 columns a 120-character folder path is one line, not cut at the width (the
    test above failed on a machine whose pytest temporary folders had grown past 80 characters)."""
    deep = tmp_path / ("a-rather-long-folder-name-" * 3) / "release"
    deep.mkdir(parents=True)
    (deep / "README.md").write_text(CARD, encoding="utf-8")
    assert len(str(deep)) > 90
    lines = _run(cli, "80", monkeypatch, str(deep))
    assert lines[0] == "release" and lines[1] == str(deep)
