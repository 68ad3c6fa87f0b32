"""`assess FOLDER` with the expert overlay on, while the store cannot be read (a crawl holds it, or it is damaged).

A folder's grades are read from the folder; the store only adds the expert overlay and the licences of the
datasets and bases the card declares. The thirty-third session's contract walk found `assess ./my-release` exiting
75 ("store … is locked by …") for the whole of a crawl, unless the publisher knew to add ``--no-experts``. Now the
folder is graded, and one warning says what was left out and why.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

CARD = """---
license: apache-2.0
datasets:
- acme/corpus
---
# Wren-1B

Wren-1B is a decoder-only model trained on [acme/corpus](https://huggingface.co/datasets/acme/corpus).
"""


def _folder(tmp_path: Path) -> Path:
    d = tmp_path / "wren"
    d.mkdir()
    (d / "README.md").write_text(CARD)
    return d


def test_a_folder_is_graded_while_another_process_holds_the_store(tmp_path: Path, empty_store: Path,
                                                                  run_openscope) -> None:
    db = tmp_path / "s.duckdb"
    shutil.copyfile(empty_store, db)
    folder = _folder(tmp_path)
    free = run_openscope("--db", db, "--json", "assess", folder)
    assert free.code == 0, free.stderr
    holder = subprocess.Popen([sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(db)!r}); "
                               "print('held', flush=True); time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        res = run_openscope("--db", db, "--json", "assess", folder)
        quiet = run_openscope("--db", db, "--json", "--quiet", "assess", folder)
    finally:
        holder.kill()
        holder.wait()
    assert res.code == 0, res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.startswith("openscope: warning: store ")]
    assert len(lines) == 1, res.stderr
    assert "is locked by" in lines[0] and "graded without the store (no expert grades" in lines[0], lines[0]
    doc, before = json.loads(res.stdout), json.loads(free.stdout)
    assert doc["osai"] == before["osai"] and doc["mof"] == before["mof"] and doc["osaid"] == before["osaid"]
    assert quiet.code == 0 and quiet.stderr == "" and json.loads(quiet.stdout)["osai"] == before["osai"]


def test_a_damaged_store_leaves_the_folder_graded_with_a_warning(tmp_path: Path, cli) -> None:
    db = tmp_path / "s.duckdb"
    db.write_bytes(b"this is no DuckDB file\n" * 100)
    res = cli("--db", db, "assess", _folder(tmp_path))
    assert res.code == 0, res.stderr
    assert "graded without the store" in res.stderr and "Traceback" not in res.stderr
    assert "MOF" in res.stdout
    assert db.read_bytes() == b"this is no DuckDB file\n" * 100  # nothing written over it


def test_an_id_still_needs_the_store(tmp_path: Path, cli) -> None:
    """Only a folder is graded without the store: an id is looked up in it, so a damaged store is the error."""
    db = tmp_path / "s.duckdb"
    db.write_bytes(b"this is no DuckDB file\n" * 100)
    res = cli("--db", db, "assess", "acme/Wren-1B")
    assert res.code == 65 and "graded without the store" not in res.stderr, res
