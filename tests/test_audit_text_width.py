"""`openscope audit`'s text view at the terminal's width: a finding's detail is wrapped at word boundaries under
its rule, and its place moves to a line of its own when the heading would not fit; a wide terminal keeps each on
one line. Why: the terminal folded a 140-character detail in the middle of a word, back at column 1."""

from __future__ import annotations

from pathlib import Path

import pytest
from audit_samples import call, no_loading  # noqa: F401 - the autouse trap of every audit test


@pytest.fixture
def deep(tmp_path: Path) -> Path:
    """A pickle calling ``posix.system`` in a folder deep enough that its place does not fit beside its heading."""
    d = tmp_path / "a-model-folder-with-a-long-name" / "checkpoints" / "step-000100"
    d.mkdir(parents=True)
    (d / "training_args.bin").write_bytes(call("posix", "system"))
    return tmp_path / "a-model-folder-with-a-long-name"


def _finding_lines(stdout: str) -> list[str]:
    lines = [line.rstrip() for line in stdout.splitlines()]
    return lines[:lines.index("files checked")]


def test_at_80_columns_every_line_fits_and_no_word_is_cut(cli, deep: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    r = cli("audit", deep)
    assert r.code == 1
    head, *rest = _finding_lines(r.stdout)
    assert head.split() == ["critical", "pickle.import.denied", "posix.system"]
    assert rest[0].strip() == "checkpoints/step-000100/training_args.bin @2"
    assert len(rest) >= 3  # the place, then the detail on at least two lines
    assert all(len(line.rstrip()) <= 80 for line in [head, *rest])
    assert all(line.startswith(" " * 9) and not line[9].isspace() for line in rest)
    # the detail reads as one text again when its lines are joined: wrapped only between words
    wrapped = " ".join(line.strip() for line in rest[1:])
    assert "GLOBAL posix system (called with" in wrapped
    assert "os.system pickles as posix.system" in wrapped


def test_a_wide_terminal_keeps_heading_and_detail_on_one_line_each(cli, deep: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    r = cli("audit", deep)
    head, *rest = _finding_lines(r.stdout)
    assert head.rstrip().endswith("checkpoints/step-000100/training_args.bin @2")
    assert len(rest) == 1 and rest[0].startswith(" " * 9 + "GLOBAL posix system")


def test_a_word_longer_than_the_line_is_kept_whole(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A place or name longer than the line is printed whole (a reader copies it), never cut into pieces."""
    name = "x" * 120 + ".bin"
    (tmp_path / name).write_bytes(call("posix", "system"))
    monkeypatch.setenv("COLUMNS", "80")
    r = cli("audit", tmp_path / name)
    assert r.code == 1
    assert any(line.strip() == f"{name} @2" for line in _finding_lines(r.stdout))
