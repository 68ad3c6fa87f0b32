"""Shared test fixtures.

- ``shared_data``: ``../shared/data`` (the reference data). Tests that read it are marked
  ``reference`` and skip, with that reason, on a machine without it; nothing else may skip.
- ``cli``: runs the real console entry point in-process and captures stdout/stderr/exit code.
- ``run_openscope``: runs ``openscope`` as a real subprocess (for kills, locks and exit codes).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

REPO = Path(__file__).resolve().parents[1]

# Property tests draw the same examples on every run of `make test` (and CI): a suite that passed here
# passes on a clean clone, and a failure is a change in the code, never a new random draw. Bugs are hunted
# with many fresh random examples on purpose: OPENSCOPE_FUZZ_HUNT=N (docs/fuzzing.md) turns this off.
settings.register_profile("repeatable", derandomize=True, database=None, print_blob=True)
settings.register_profile("hunt", derandomize=False)
settings.load_profile("hunt" if os.environ.get("OPENSCOPE_FUZZ_HUNT") else "repeatable")
SHARED_DATA = REPO.parent / "shared" / "data"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if SHARED_DATA.is_dir():
        return
    skip = pytest.mark.skip(reason=f"reference data not found at {SHARED_DATA}")
    for item in items:
        if "reference" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return SHARED_DATA


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self):
        return json.loads(self.stdout)


@pytest.fixture
def cli():
    """Call the CLI in-process: ``cli("--db", p, "status", "--json")`` → Result."""
    from openscope.cli import main

    def run(*args: str | os.PathLike) -> Result:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = main([str(a) for a in args])
        return Result(code, out.getvalue(), err.getvalue())

    return run


@pytest.fixture
def run_openscope():
    """Run ``openscope`` as a subprocess with the same interpreter."""

    def run(*args: str | os.PathLike, env: dict | None = None, timeout: float = 120, **kw) -> Result:
        e = dict(os.environ)
        e.update(env or {})
        p = subprocess.run(
            [sys.executable, "-m", "openscope.cli", *[str(a) for a in args]],
            capture_output=True, text=True, env=e, timeout=timeout, **kw,
        )
        return Result(p.returncode, p.stdout, p.stderr)

    return run


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "store.duckdb"


@pytest.fixture(scope="module")
def hand_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store ingested from the hand-checked lineage graph (``lineage_graphs.hand_graph``), per module."""
    from lineage_graphs import hand_graph, write_jsonl

    from openscope.cli import main

    d = tmp_path_factory.mktemp("hand")
    db = d / "hand.duckdb"
    assert main(["--db", str(db), "--quiet", "ingest", str(write_jsonl(d / "hand.jsonl", hand_graph()))]) == 0
    return db
