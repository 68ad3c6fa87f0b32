"""Ctrl-C (SIGINT) while DuckDB runs a statement: exit 130 with one line, and nothing stored is lost.

Why this file: DuckDB stops a statement when SIGINT arrives and reports it as ``duckdb.InterruptException``
or (duckdb 2.0) as a plain ``RuntimeError('Query interrupted')``, having consumed Python's
``KeyboardInterrupt``. Before :func:`openscope.errors.is_interrupt`, such a Ctrl-C ended as "internal
error" (exit 70), and an interrupted crawl was marked failed; the crawl's own Ctrl-C test met it about one
run in ten on a loaded machine. Here the statement is long enough that the signal lands inside DuckDB.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
from store_rows import rows as q

from openscope.errors import is_interrupt

LONG_QUERY = "SELECT count(*) FROM range(100000000000) t(x) WHERE x % 7 = 3"


def _start(db: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "openscope.cli", "--db", str(db), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _interrupt_when(proc: subprocess.Popen, ready, timeout: float = 60, settle: float = 0.0) -> tuple[str, str]:
    deadline = time.monotonic() + timeout
    while not ready() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    time.sleep(settle)
    assert proc.poll() is None, "the command ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    return proc.communicate(timeout=60)


def test_duckdb_reports_an_interrupted_statement_as_an_interrupt() -> None:
    """What DuckDB raises when a statement is stopped is recognised, whichever type this version uses;
    an ordinary failure is not."""
    con = duckdb.connect()
    stopper = threading.Timer(0.3, con.interrupt)
    stopper.start()
    with pytest.raises(BaseException) as caught:  # noqa: PT011 - the type is DuckDB's to choose
        con.execute(LONG_QUERY).fetchall()
    stopper.join()
    assert is_interrupt(caught.value), repr(caught.value)
    with pytest.raises(duckdb.Error) as other:
        con.execute("SELECT * FROM no_such_table")
    assert not is_interrupt(other.value)
    assert not is_interrupt(RuntimeError("something else"))
    assert is_interrupt(KeyboardInterrupt())


def test_ctrl_c_during_a_long_sql_statement_exits_130_in_one_line(tmp_path: Path, cli) -> None:
    db = tmp_path / "s.duckdb"
    entry = tmp_path / "one.jsonl"
    entry.write_text(json.dumps({"id": "org/m", "tags": ["license:mit"]}) + "\n")
    assert cli("--db", db, "-q", "ingest", entry, "--no-derive").code == 0
    started = time.monotonic()
    proc = _start(db, "sql", LONG_QUERY)
    _, err = _interrupt_when(proc, lambda: time.monotonic() - started > 2.0)
    assert proc.returncode == 130, err
    assert err.strip() == "openscope: interrupted", err
    assert q(db, "SELECT id FROM models") == [("org/m",)]


def test_ctrl_c_during_an_ingest_keeps_the_store_and_the_next_run_completes(tmp_path: Path, cli) -> None:
    db = tmp_path / "s.duckdb"
    small = tmp_path / "small.jsonl"
    small.write_text("".join(json.dumps({"id": f"org/m{i}", "tags": ["license:mit"]}) + "\n" for i in range(20)))
    assert cli("--db", db, "-q", "ingest", small, "--no-derive").code == 0
    before = q(db, "SELECT id, license FROM models ORDER BY id")
    big = tmp_path / "big.jsonl"
    pad = "x" * 600
    # 400,000 lines, each json.dumps({"id": f"big/m{i}", ...}) byte for byte, from one dumped template (a
    # json.dumps per line was ~2 s of this test; the file only has to be long enough to still be read)
    template = json.dumps({"id": "big/m%d", "tags": ["license:apache-2.0"], "description": pad}) + "\n"
    with big.open("w") as fh:
        fh.writelines(template % i for i in range(400_000))
    wal = Path(str(db) + ".wal")
    proc = _start(db, "-q", "ingest", str(big), "--no-derive")
    # the snapshot row is committed (WAL) before the data transaction starts: from then on DuckDB works
    _, err = _interrupt_when(proc, lambda: wal.exists() and wal.stat().st_size > 0, settle=0.3)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "internal error" not in err
    assert len(err.strip().splitlines()) == 1 and "interrupted" in err, err
    assert q(db, "SELECT id, license FROM models ORDER BY id") == before
    runs = q(db, "SELECT status, message FROM snapshots ORDER BY snapshot_id")
    assert runs[0][0] == "complete" and runs[-1] == ("failed", "interrupted"), runs
    assert cli("--db", db, "-q", "ingest", small, "--no-derive").code == 0
    assert q(db, "SELECT status FROM snapshots ORDER BY snapshot_id DESC LIMIT 1") == [("complete",)]


def test_an_error_raised_while_an_interrupt_is_handled_is_the_interrupt() -> None:
    """A statement stopped inside a transaction aborts it; a cleanup statement in a ``finally`` then fails
    with "Current transaction is aborted". That error replaced the interrupt: exit 70 and a crawl marked
    failed (1 stress run in 40). It carries the interrupt as its context, and is recognised by it."""
    con = duckdb.connect()
    con.execute("BEGIN TRANSACTION")
    stopper = threading.Timer(0.3, con.interrupt)
    stopper.start()
    with pytest.raises(duckdb.Error) as caught:  # what the cleanup raises, not the interrupt itself
        try:
            con.execute(LONG_QUERY).fetchall()
        finally:
            con.execute("SELECT 1")
    stopper.join()
    assert "aborted" in str(caught.value) and is_interrupt(caught.value), repr(caught.value)
    con.execute("ROLLBACK")
    try:
        try:
            raise ValueError("a bad page")
        finally:
            pass
    except ValueError as exc:
        assert not is_interrupt(exc)
