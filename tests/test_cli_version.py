"""`--version` follows the contract: one line, or under `--json` exactly one JSON document (docs/store.md)."""

from __future__ import annotations

import json
import subprocess
import sys

from openscope import __version__


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "openscope", *args], capture_output=True, text=True, timeout=60)


def test_version_as_text_and_as_one_json_document_wherever_json_stands() -> None:
    plain = _run("--version")
    assert (plain.returncode, plain.stdout, plain.stderr) == (0, f"openscope {__version__}\n", "")
    for args in (("--json", "--version"), ("--version", "--json"), ("--quiet", "--version", "--json")):
        res = _run(*args)
        assert res.returncode == 0 and res.stderr == "", args
        assert json.loads(res.stdout) == {"name": "openscope", "version": __version__}, args
        assert res.stdout.count("\n") == 1


def test_json_alone_still_needs_a_command() -> None:
    """--json became an eager option (read before --version): on its own it still asks for a command."""
    res = _run("--json", "--db", "x.duckdb")
    assert res.returncode != 0 and "Traceback" not in res.stderr
