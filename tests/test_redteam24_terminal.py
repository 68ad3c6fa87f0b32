"""Twenty-fourth red team: text from the Hub or the command line reaches the terminal as text.

Hub entries are written by anyone: a ``pipeline_tag``, a ``library_name``, a licence or a base declared in a tag can
hold ESC sequences (clear the screen, move the cursor, retitle the terminal) and ``:x:``-style words that rich turned
into emoji. ``model``, ``lineage`` and ``sql`` printed both as they were; an error line echoed an id's ESC as is.
The ``--json`` twins keep the text (JSON escapes control characters itself).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ESC = "\x1b"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from openscope.cli import main

    d = tmp_path_factory.mktemp("hostile")
    recs = [
        {"id": "org/base", "author": "org", "createdAt": "2024-01-01T00:00:00Z",
         "pipeline_tag": f"text{ESC}]0;PWNED\x07-gen", "library_name": f"trans{ESC}[2Jformers :x:",
         "tags": [f"license:mit{ESC}[31m"], "downloads": 5},
        {"id": "org/child", "author": "org", "createdAt": "2024-02-01T00:00:00Z",
         "tags": [f"base_model:ext/ba{ESC}[31mse:x:"], "downloads": 3},
    ]
    src = d / "h.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    db = d / "h.duckdb"
    assert main(["--db", str(db), "--quiet", "ingest", str(src)]) == 0
    return db


@pytest.mark.parametrize("args", [
    ["model", "org/base"],
    ["model", "org/child"],
    ["lineage", "org/child"],
    ["sql", "SELECT pipeline_tag, library_name, license FROM models WHERE id = 'org/base'"],
    ["sql", "SELECT list(tag) AS tags FROM tags WHERE id = 'org/child'"],
    ["sql", "SELECT 'root:x:0:0' AS passwd_line, 'a' || chr(27) || '[1A' AS up"],
])
def test_hub_text_prints_no_control_sequence_and_no_emoji(hostile: Path, cli, args: list[str]) -> None:
    res = cli("--db", hostile, *args)
    assert res.code == 0, res.stderr
    assert ESC not in res.stdout and "\x07" not in res.stdout
    assert "❌" not in res.stdout
    assert "\\x1b" in res.stdout  # shown, escaped, not dropped
    assert ":x:" in res.stdout or "root:x:0" in res.stdout


def test_json_keeps_the_text_as_stored(hostile: Path, cli) -> None:
    res = cli("--db", hostile, "--json", "model", "org/base")
    assert res.json()["metadata"]["pipeline_tag"] == f"text{ESC}]0;PWNED\x07-gen"


def test_sql_keeps_the_lines_of_a_multi_line_value(hostile: Path, cli) -> None:
    res = cli("--db", hostile, "sql", "SELECT 'first line' || chr(10) || 'second line' AS text")
    assert res.code == 0
    assert "first line" in res.stdout and "second line" in res.stdout and "\\n" not in res.stdout


@pytest.mark.parametrize("command", ["model", "lineage", "license", "assess"])
def test_an_id_with_an_escape_sequence_is_echoed_escaped(hostile: Path, cli, command: str) -> None:
    res = cli("--db", hostile, command, f"{ESC}]0;PWNED\x07x/y")
    assert res.code == 66
    assert ESC not in res.stderr and "\x07" not in res.stderr
    assert "\\x1b]0;PWNED\\x07x/y" in res.stderr


def test_an_error_line_prints_emoji_codes_as_typed(hostile: Path, cli) -> None:
    res = cli("--db", hostile, "model", "org/a:x:b")
    assert res.code == 66
    assert "org/a:x:b" in res.stderr and "❌" not in res.stderr
