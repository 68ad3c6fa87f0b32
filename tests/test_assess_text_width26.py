"""`openscope assess` at 80 columns, second round: a status word is never broken across lines
("documented_not_re" / "leased"), and the lines above the table (a licence file, the curated family, the base)
wrap under themselves, never back at column 1 where "(line" / "1)" read as two items."""

from __future__ import annotations

from pathlib import Path

import pytest

CARD = """---
license: apache-2.0
---
# A small release

The weights are on the Hub for anyone to download.

## Training data
The training data is not released; it is described in our paper.
"""
LICENSE = "SPDX-License-Identifier: Apache-2.0\n\nCopyright 2026 The authors.\n"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "rel"
    d.mkdir()
    (d / "README.md").write_text(CARD, encoding="utf-8")
    (d / "LICENSE").write_text(LICENSE, encoding="utf-8")
    (d / "model.safetensors").write_bytes(b"x")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPENSCOPE_DB", raising=False)
    return d


def _lines(cli, monkeypatch: pytest.MonkeyPatch, columns: str) -> list[str]:
    monkeypatch.setenv("COLUMNS", columns)
    r = cli("--db", "none.duckdb", "assess", "rel")
    assert r.code == 0, r.stderr
    return r.stdout.splitlines()


def test_a_status_word_is_whole(cli, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = _lines(cli, monkeypatch, "80")
    datasets = next(ln for ln in lines if ln.startswith("│ Datasets"))
    assert "documented_not_released" in datasets, datasets
    assert all(len(ln) <= 80 for ln in lines)


def test_the_licence_file_line_wraps_under_itself(cli, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = _lines(cli, monkeypatch, "80")
    i = next(i for i, ln in enumerate(lines) if ln.startswith("licence file LICENSE"))
    assert lines[i + 1].startswith("  ") and "(line 1)" in lines[i] + lines[i + 1], lines[i:i + 2]
    wide = _lines(cli, monkeypatch, "200")
    assert any(ln.startswith("licence file LICENSE") and ln.endswith("(line 1)") for ln in wide)
