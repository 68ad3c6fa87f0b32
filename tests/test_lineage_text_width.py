"""`openscope lineage`'s tree at 80 columns: the root's line, when it is longer than the width, wraps under itself
(indented), never back at column 1, where its continuation ("2025-02-18 · 1,823,527 dl/30d") read as another
node; no line runs past the width. At a width that holds the line, it is one line as before."""

from __future__ import annotations

from pathlib import Path

import pytest
from lineage_graphs import entry, write_jsonl

from openscope.cli import main

ROOT = "some-organisation/a-base-model-with-a-long-name-7B-Instruct"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("wide")
    db = d / "wide.duckdb"
    graph = [entry(ROOT, downloads=1234), entry("bob/ft", (f"base_model:finetune:{ROOT}",), downloads=5),
             entry("carol/ft-of-ft", ("base_model:finetune:bob/ft",), downloads=7)]
    assert main(["--db", str(db), "--quiet", "ingest", str(write_jsonl(d / "wide.jsonl", graph))]) == 0
    return db


def _lines(cli, store: Path, columns: str, monkeypatch: pytest.MonkeyPatch, *args: str) -> list[str]:
    monkeypatch.setenv("COLUMNS", columns)
    r = cli("--db", store, "lineage", *args)
    assert r.code == 0, r.stderr
    return r.stdout.splitlines()


def test_a_long_root_wraps_under_itself(cli, store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = _lines(cli, store, "80", monkeypatch, ROOT, "--down")
    assert lines[0] == "derivatives of:"
    assert lines[1].startswith(ROOT)
    tree_start = next(i for i, ln in enumerate(lines) if ln.startswith(("├", "└")))
    continued = lines[2:tree_start]
    assert continued, "the root's line fits in 80 columns: the test needs a longer one"
    assert all(ln.startswith("  ") and ln.strip() for ln in continued), continued
    assert "dl/30d" in " ".join(continued)   # the whole label is there, only wrapped
    assert all(len(ln) <= 80 for ln in lines), [ln for ln in lines if len(ln) > 80]


def test_up_wraps_the_same(cli, store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    long_child = "carol/ft-of-ft"
    lines = _lines(cli, store, "40", monkeypatch, long_child)
    assert lines[1].startswith(long_child)
    tree_start = next(i for i, ln in enumerate(lines) if ln.startswith(("├", "└")))
    assert tree_start > 2 and all(ln.startswith("  ") for ln in lines[2:tree_start]), lines[:tree_start]


def test_a_wide_terminal_keeps_one_line(cli, store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = _lines(cli, store, "200", monkeypatch, ROOT, "--down")
    assert lines[1].startswith(ROOT) and lines[1].endswith("dl/30d")
    assert lines[2].startswith(("├", "└"))
