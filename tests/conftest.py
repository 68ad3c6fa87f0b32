"""Shared test fixtures.

- ``shared_data``: ``../shared/data`` (the reference data). Tests that read it are marked
  ``reference`` and skip, with that reason, on a machine without it; nothing else may skip.
- ``cli``: runs the real console entry point in-process and captures stdout/stderr/exit code.
- ``run_openscope``: runs ``openscope`` as a real subprocess (for kills, locks and exit codes).
- ``empty_store``: a migrated empty store file, made once a session, for tests to copy.
- ``demo_store``: the demo's ecosystem ingested from the simulated Hub's dump, made once a session (docs tests).
"""

from __future__ import annotations

import io
import json
import os
import signal
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
# No per-example deadline in either: a wall-clock limit of 200 ms per example fails a correct property on a loaded
# machine (the suite runs one worker per core); the tests that bound time say so with their own measured limits.
settings.register_profile("repeatable", derandomize=True, database=None, print_blob=True, deadline=None)
settings.register_profile("hunt", derandomize=False, deadline=None)
settings.load_profile("hunt" if os.environ.get("OPENSCOPE_FUZZ_HUNT") else "repeatable")
SHARED_DATA = REPO.parent / "shared" / "data"

# Rich renders at the width COLUMNS says, else 80 when the output is no terminal (as in every test): a developer's
# exported COLUMNS=43 broke three tests that read a URL from the text. A test about width sets COLUMNS itself.
for _name in ("COLUMNS", "LINES"):
    os.environ.pop(_name, None)

# The Ctrl-C tests press Ctrl-C (SIGINT) on openscope processes, as a user at a terminal would. A suite started as
# a background job of a non-interactive shell (`make test &` in a script, `nohup … &`) has SIGINT *ignored*, and an
# ignored signal stays ignored across exec: every child would then ignore Ctrl-C, as openscope rightly does when
# started so (Python keeps an inherited SIG_IGN), and those tests would measure the launcher, not openscope. A
# handled signal is reset to its default in each child, so the children start as from a terminal.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


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


@pytest.fixture(scope="session")
def empty_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding only the current schema (every migration applied, no snapshot), made once a session.

    Why: creating a store runs every migration, about 0.2 s on a two-core machine, where opening a copy of a
    made one takes 0.03 s; property tests that need a fresh store per example copy this file
    (``shutil.copyfile(empty_store, db)``) instead. The copy is the store ``open_store`` would have made.
    """
    from openscope.store import open_store

    p = tmp_path_factory.mktemp("empty") / "empty.duckdb"
    open_store(p).close()
    assert not Path(f"{p}.wal").exists()  # closed with a checkpoint: the one file is the whole store
    return p


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's ecosystem (`make demo`: the simulated Hub, seed 7, 20,000 models, 2,000 datasets), from
    the generator's dump instead of a crawl (the same entries; docs/simhub.md), so the demo's ids exist.
    Made once a session: the documentation tests of README.md and docs/*.md read it (about 6 s to build)."""
    from openscope.cli import main
    from openscope.simhub.generator import write_dump

    d = tmp_path_factory.mktemp("demo")
    db = d / "demo.duckdb"
    write_dump(d / "m.jsonl", models=20_000, datasets=2_000, seed=7)
    write_dump(d / "d.jsonl", models=20_000, datasets=2_000, seed=7, repo_type="dataset")
    assert main(["--db", str(db), "--quiet", "ingest", "--no-derive", str(d / "m.jsonl")]) == 0
    assert main(["--db", str(db), "--quiet", "ingest", "--datasets", str(d / "d.jsonl")]) == 0
    return db


@pytest.fixture(scope="module")
def hand_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store ingested from the hand-checked lineage graph (``lineage_graphs.hand_graph``), per module."""
    from lineage_graphs import hand_graph, write_jsonl

    from openscope.cli import main

    d = tmp_path_factory.mktemp("hand")
    db = d / "hand.duckdb"
    assert main(["--db", str(db), "--quiet", "ingest", str(write_jsonl(d / "hand.jsonl", hand_graph()))]) == 0
    return db
