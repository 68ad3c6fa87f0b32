"""`make demo` runs whole, and README.md's examples print what the README shows on the store it leaves.

Why: `make demo` is the README's first command on a fresh machine, and the README's tour says its output is "real,
from `make demo`". ``test_docs_examples`` runs the README's examples on a store ingested from the simulated Hub's
dump (no crawl, no cards, no counters sweep) and checks only exit codes and ``--json`` keys; nothing ran the demo
itself. Here the demo runs as `make demo` runs it (``python -m openscope.demo``, its own process, its simulated Hub
on loopback, its crawls), into a temporary ``OPENSCOPE_DEMO_OUT``; then every README example that reads its store is
run as the tour says (``OPENSCOPE_DB=demo-out/openscope.duckdb``, 115 columns) and what it prints is compared with
the README line by line (``…`` stands for lines left out), after replacing what differs from run to run: clock
times, durations, "minutes ago", the store's size, the bytes of the downloaded files.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from doc_output import chunks_in_order, shown_output, stable
from test_docs_examples import DOCS, NOT_RUN, ON_DEMO, Example, _not_compared, _run, examples

ROOT = Path(__file__).resolve().parents[1]
STEPS = 14  # the demo's numbered steps ("1. A simulated Hub …" to "14. Before adopting it …")

def _run_demo(where: Path) -> subprocess.CompletedProcess[str]:
    """`make demo`'s job (``python -m openscope.demo``) in its own process, its output folder ``where/demo-out``."""
    env = {k: v for k, v in os.environ.items() if k not in ("OPENSCOPE_DB", "HF_ENDPOINT", "HF_TOKEN")}
    env.update(OPENSCOPE_DEMO_OUT=str(where / "demo-out"), COLUMNS="115")
    return subprocess.run([sys.executable, "-m", "openscope.demo"], cwd=where, env=env, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """A folder holding a copy of the demo's output (``demo-out``) and the demo's process.

    The demo takes about 40 s: under pytest-xdist its workers share one run (the first to come runs it under a
    lock, the others wait and copy its folder), each worker reading its own copy of the store."""
    cwd = tmp_path_factory.mktemp("demo-run")
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run_id is None:  # one process: its own run
        return cwd, _run_demo(cwd)
    shared = tmp_path_factory.getbasetemp().parent / f"demo-{run_id}"
    shared.mkdir(exist_ok=True)
    with open(shared / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)   # released when the file closes
        if not (shared / "done.json").exists():
            done = _run_demo(shared)
            (shared / "done.json").write_text(json.dumps([done.returncode, done.stdout, done.stderr]))
    code, stdout, stderr = json.loads((shared / "done.json").read_text())
    if (shared / "demo-out").is_dir():
        shutil.copytree(shared / "demo-out", cwd / "demo-out", symlinks=True)
    return cwd, subprocess.CompletedProcess(["openscope.demo"], code, stdout, stderr)


def test_the_demo_runs_every_step_and_leaves_its_outputs(demo: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    cwd, done = demo
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
    numbered = [int(n) for n in re.findall(r"^== (\d+)\. ", done.stdout, re.M)]
    assert numbered == list(range(1, STEPS + 1)), numbered
    out = cwd / "demo-out"
    assert (out / "openscope.duckdb").is_file() and (out / ".openscope-demo").is_file()
    sarif = json.loads((out / "audit.sarif").read_text(encoding="utf-8"))
    rules = {r["ruleId"] for run in sarif["runs"] for r in run["results"]}
    assert "pickle.import.denied" in rules  # the crafted pickle it writes is caught, never loaded


def test_the_demo_names_a_command_that_runs_from_where_it_ran(demo: tuple[Path, subprocess.CompletedProcess[str]]
                                                              ) -> None:
    """Its last lines say how to explore the store: the command must run from the folder the demo ran in (it said
    `.venv/bin/openscope` wherever that was, and the README runs it from any folder). helper-tryout32."""
    cwd, done = demo
    hint = re.search(r"explore it: (.+)$", done.stdout, re.M)
    assert hint is not None, done.stdout[-2000:]
    argv = shlex.split(hint.group(1))
    assert argv[1] == "--db" and Path(argv[2]).name == "openscope.duckdb"
    argv[2] = str(cwd / "demo-out" / "openscope.duckdb")   # this worker's copy of the store
    exe = argv[0] if "/" not in argv[0] else str(cwd / argv[0])
    ran = subprocess.run([shutil.which(exe) or exe, *argv[1:]], cwd=cwd, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0 and "id" in ran.stdout, ran.stderr


def _readme_examples() -> list[Example]:
    """README's tour, and the other pages' examples shown on `make demo`'s store (``ON_DEMO`` in test_docs_examples)."""
    tour = [ex for ex in examples("README.md") if ex.argv[:1] == ["openscope"]
            and not any(" ".join(ex.argv).startswith(p) or ex.text.startswith(p) for p in NOT_RUN)]
    return tour + [ex for doc in DOCS for ex in examples(doc) if _not_compared(ex) == ON_DEMO]


@pytest.mark.parametrize("ex", [pytest.param(ex, id=f"{Path(ex.doc).stem}:{ex.line}-{' '.join(ex.argv[1:3])[:40]}")
                                for ex in _readme_examples()])
def test_each_readme_example_prints_what_the_readme_shows(ex: Example, demo: tuple[Path, subprocess.CompletedProcess[str]],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    cwd, done = demo
    assert done.returncode == 0, "the demo failed: see test_the_demo_runs_every_step_and_leaves_its_outputs"
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("OPENSCOPE_DB", "demo-out/openscope.duckdb")   # as the tour says, after `make demo`
    monkeypatch.setenv("COLUMNS", "115")
    monkeypatch.delenv("HF_ENDPOINT", raising=False)
    if width := re.search(r"#.*\bCOLUMNS=(\d+)", ex.text):  # `… # COLUMNS=110`: the width the page shows it at
        monkeypatch.setenv("COLUMNS", width.group(1))
    for k, v in ex.env.items():
        monkeypatch.setenv(k, v)
    r = _run(ex.argv[1:])
    shown, shown_code = shown_output(ex.output, ex.code)
    assert r.code == shown_code, (r.code, r.stderr[-500:])
    problem = chunks_in_order([stable(line) for line in shown],
                              [stable(line) for line in (r.stderr + r.stdout).splitlines()], False)
    assert problem is None, f"{ex.doc}:{ex.line}: `{ex.text.splitlines()[0]}`: {problem}"


def test_the_readme_examples_that_read_the_demo_are_many() -> None:
    """The list above is the README's tour (a change of the example reader that found none would pass silently)."""
    words = {" ".join(ex.argv[1:2]) for ex in _readme_examples() if ex.doc == "README.md"}
    assert {"status", "lineage", "model", "license", "assess", "audit", "sql"} <= words, words
    assert any(ex.doc != "README.md" for ex in _readme_examples())  # docs/lineage.md's tree of DeepSeek-R1
