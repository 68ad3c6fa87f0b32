"""Two ways a slip of the user's hand could cost them: the demo's output folder and an empty ``--db``.

`make demo` deletes and rewrites its output folder (``OPENSCOPE_DEMO_OUT``, default ``./demo-out``). Pointed at a
folder the demo did not make (a home, a project, a store), it must refuse, exit 73 in one line, and leave every file
there as it was. ``--db ""`` (an unset shell variable) must be a usage error, not the folder ``.``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _fresh_out(out: Path) -> subprocess.CompletedProcess:
    """Only the demo's first step (clearing its folder), in a process of its own as `make demo` runs it."""
    return subprocess.run([sys.executable, "-c", "import openscope.demo as d; d._fresh_out()"],
                          env={**os.environ, "OPENSCOPE_DEMO_OUT": str(out)}, capture_output=True, text=True)


def test_demo_refuses_a_folder_it_did_not_make_and_touches_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_ed25519").write_text("key")
    (home / "thesis.tex").write_text("years of work")
    p = _fresh_out(home)
    assert p.returncode == 73, p.stderr
    assert p.stderr.count("\n") == 1 and "not made by the demo" in p.stderr and "Traceback" not in p.stderr
    assert (home / "thesis.tex").read_text() == "years of work" and (home / ".ssh" / "id_ed25519").is_file()


def test_demo_refuses_a_file_as_its_folder(tmp_path: Path) -> None:
    f = tmp_path / "store.duckdb"
    f.write_bytes(b"DUCK")
    p = _fresh_out(f)
    assert p.returncode == 73 and "is a file" in p.stderr and f.read_bytes() == b"DUCK"


def test_demo_rewrites_its_own_folder_and_an_empty_one(tmp_path: Path) -> None:
    from openscope.demo import MARKER

    out = tmp_path / "demo-out"
    assert _fresh_out(out).returncode == 0  # a new folder, marked
    assert sorted(p.name for p in out.iterdir()) == [MARKER]
    (out / "openscope.duckdb").write_bytes(b"old store")
    (out / "files").mkdir()
    assert _fresh_out(out).returncode == 0  # the demo's own folder: cleared, marked again
    assert sorted(p.name for p in out.iterdir()) == [MARKER]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _fresh_out(empty).returncode == 0 and (empty / MARKER).is_file()


def test_demo_rewrites_a_folder_an_older_demo_made(tmp_path: Path) -> None:
    """Before the marker, a demo left its store, files/, audit.sarif and .hf-home: that folder is still its own;
    the same folder with one more file in it is not."""
    out = tmp_path / "demo-out"
    (out / "files").mkdir(parents=True)
    (out / ".hf-home").mkdir()
    (out / "openscope.duckdb").write_bytes(b"old")
    (out / "audit.sarif").write_text("{}")
    (out / "notes.md").write_text("mine")
    assert _fresh_out(out).returncode == 73 and (out / "notes.md").read_text() == "mine"
    (out / "notes.md").unlink()
    assert _fresh_out(out).returncode == 0 and not (out / "openscope.duckdb").exists()


def test_an_empty_db_is_a_usage_error(cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for args in (("--db", "", "status"), ("--db=", "--json", "status"), ("status", "--db", "  ")):
        r = cli(*args)
        assert r.code == 64, (args, r)
        assert r.stdout == "" and r.stderr.strip().endswith("--db needs a store path; it was given an empty value")
        assert r.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []  # nothing created
