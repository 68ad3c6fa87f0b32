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


RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: the terminal shows what follows reversed ("Trojan Source")


def test_bidirectional_controls_are_shown_as_escapes(tmp_path: Path, cli) -> None:
    """An id or a Hub value holding U+202E displayed the rest of the line reversed (`unknown model 'evil/txt.exe'`
    read as `exe.txt`); C0 and C1 controls were escaped, bidirectional overrides and isolates were not."""
    from openscope.cli import main

    src = tmp_path / "b.jsonl"
    src.write_text(json.dumps({"id": "org/m", "pipeline_tag": f"text{RLO}gen\u2066x\u2069"}) + "\n", encoding="utf-8")
    db = tmp_path / "b.duckdb"
    assert main(["--db", str(db), "--quiet", "ingest", str(src)]) == 0
    for args in (["model", "org/m"], ["sql", "SELECT pipeline_tag FROM models"]):
        res = cli("--db", db, *args)
        assert res.code == 0
        assert RLO not in res.stdout and "\u2066" not in res.stdout and "\\u202e" in res.stdout
    res = cli("--db", db, "model", f"org/{RLO}exe.txt")
    assert res.code == 66 and RLO not in res.stderr and "\\u202e" in res.stderr
    assert cli("--db", db, "--json", "model", "org/m").json()["metadata"]["pipeline_tag"] == f"text{RLO}gen\u2066x\u2069"
    folder = tmp_path / "rel"
    folder.mkdir()
    (folder / "README.md").write_text(f"---\nlicense: apache-2.0\nlibrary_name: tr{RLO}ansformers\n---\n# m\n")
    res = cli("--db", db, "assess", folder)
    assert res.code == 0 and RLO not in res.stdout + res.stderr


def test_audit_names_a_file_disguised_by_a_bidirectional_override_as_it_is(tmp_path: Path, cli) -> None:
    """`model<RLO>nib.exe` displays as `modelexe.bin`: the audit's report must show the name a loader opens."""
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / f"weights{RLO}nib.pt").write_bytes(b"cposix\nsystem\n(S'echo x'\ntR.")  # written, never loaded
    res = cli("audit", folder)
    assert res.code == 1
    assert RLO not in res.stdout and "weights\\u202enib.pt" in res.stdout
