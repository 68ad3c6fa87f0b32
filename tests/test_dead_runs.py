"""A run that died (SIGKILL, a crash, a second Ctrl-C) is never shown as running.

DuckDB lets one process hold a store for writing, and then no other process can open it: a ``running``
snapshot seen by any command is therefore dead, unless that command's own process began it. Every command
that opens the store for writing closes the dead runs nothing can resume (``aborted``, with the message
ingests always recorded); read-only commands write nothing and report the run as it will be recorded
(``status`` ``aborted``, ``state`` ``interrupted``, the reason in ``message``). A crawl keeps its own dead
row ``running``: that is how the same command finds and resumes it.

The runs here are real ``openscope`` processes killed with SIGKILL: an ingest blocked reading a FIFO (its
snapshot row is committed before it reads) and a crawl held by the simulated Hub after two pages.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from store_rows import rows as q

from openscope.simhub.testing import SimHubHandle, running_simhub
from openscope.store import open_store
from openscope.store import snapshots as snaps

FAST = ["--backoff", "0.01", "--retries", "8", "--page-size", "100"]


def _jsonl(path: Path, prefix: str, n: int) -> Path:
    path.write_text("".join(json.dumps({"id": f"{prefix}/m{i}", "downloads": i, "tags": ["license:mit"]}) + "\n"
                            for i in range(n)))
    return path


def _start(db: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "openscope.cli", "--db", str(db), "--quiet", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _wait_for(cond: Callable[[], bool], proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if proc.poll() is not None:
            raise AssertionError(f"the command ended ({proc.returncode}) too early: {proc.stderr.read()}")
        assert time.monotonic() < deadline, "the event did not happen"
        time.sleep(0.01)


def _sigkill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def _wal(db: Path) -> Path:
    return db.with_name(db.name + ".wal")


def _fingerprint(db: Path) -> tuple[str, str | None]:
    """The store's bytes (file and WAL): a read-only command must leave both as they were."""
    wal = _wal(db)
    return (hashlib.sha256(db.read_bytes()).hexdigest(),
            hashlib.sha256(wal.read_bytes()).hexdigest() if wal.exists() else None)


def _copy(src: Path, dst: Path) -> Path:
    shutil.copyfile(src, dst)
    if _wal(src).exists():
        shutil.copyfile(_wal(src), _wal(dst))
    return dst


def _stored(db: Path, sid: int) -> tuple:
    return q(db, "SELECT status, message, finished_at IS NOT NULL FROM snapshots WHERE snapshot_id = ?", [sid])[0]


def _kill_an_ingest(db: Path, fifo: Path) -> int:
    """SIGKILL ``openscope ingest FIFO`` once its snapshot row is committed (nobody writes the FIFO, so it
    waits there, holding the store); returns the dead snapshot's id."""
    assert not _wal(db).exists()  # the store was closed cleanly: the WAL's first bytes are the snapshot row
    os.mkfifo(fifo)
    proc = _start(db, "ingest", str(fifo))
    try:
        _wait_for(lambda: _wal(db).exists() and _wal(db).stat().st_size > 0, proc)
        time.sleep(0.3)
        assert proc.poll() is None
        _sigkill(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
    return int(q(db, "SELECT max(snapshot_id) FROM snapshots")[0][0])


@pytest.fixture(scope="module")
def killed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """A store with a complete ingest (derived) and then an ingest SIGKILLed mid-way, never opened since."""
    from openscope.cli import main

    d = tmp_path_factory.mktemp("killed")
    db = d / "s.duckdb"
    assert main(["--db", str(db), "--quiet", "ingest", str(_jsonl(d / "a.jsonl", "a", 20))]) == 0
    sid = _kill_an_ingest(db, d / "dump.jsonl")
    assert q(db, "SELECT snapshot_id, status FROM snapshots ORDER BY 1") == [(1, "complete"), (sid, "running")]
    return db, sid


@pytest.fixture
def store(killed: tuple[Path, int], tmp_path: Path) -> tuple[Path, int]:
    db, sid = killed
    return _copy(db, tmp_path / "s.duckdb"), sid


def test_read_only_commands_report_a_killed_ingest_as_interrupted_and_write_nothing(store, cli) -> None:
    db, sid = store
    before = _fingerprint(db)
    doc = cli("--db", db, "--json", "status").json()
    last = doc["last_snapshot"]
    assert last["snapshot_id"] == sid
    assert (last["status"], last["state"], last["message"]) == ("aborted", "interrupted", snaps.SEEN_DEAD_MESSAGE)
    assert last["status"] in snaps.STATUSES  # the contract's enum; "interrupted" is only the display state
    [u] = doc["unfinished"]
    assert (u["snapshot_id"], u["status"], u["state"], u["resume"]) == (sid, "aborted", "interrupted", None)
    assert "ingest the file again" in u["action"]

    text = cli("--db", db, "status")
    flat = " ".join(text.stdout.split())
    assert text.code == 0 and "· running ·" not in flat
    assert f"#{sid} ingest · interrupted ·" in flat and f"#{sid} ingest was killed or crashed" in flat

    assert cli("--db", db, "--json", "lineage", "a/m3").code == 0
    assert cli("--db", db, "--json", "model", "a/m3").json()["id"] == "a/m3"
    assert cli("--db", db, "sql", "SELECT count(*) FROM snapshots").code == 0
    # nothing was written: the row is still as the dead process left it, the files byte for byte
    assert _stored(db, sid) == ("running", None, False)
    assert _fingerprint(db) == before


def _status_view(cli, db: Path) -> dict:
    """What status says of each snapshot, without the times a writer sets when it closes a dead run."""
    doc = cli("--db", db, "--json", "status").json()
    keep = ("snapshot_id", "kind", "status", "state", "n_records")
    return {"last": {k: doc["last_snapshot"][k] for k in keep},
            "unfinished": [{k: u[k] for k in keep} for u in doc["unfinished"]]}


WRITERS: dict[str, Callable[[Path], list[str]]] = {
    # no request is sent: a crawl of a retired endpoint dropped, the store only opened for writing
    "crawl --abandon": lambda tmp: ["crawl", "--endpoint", "http://127.0.0.1:9", "--abandon"],
    # findings stored against a model (a file with no pickle in it: nothing to find)
    "audit --model-id": lambda tmp: ["audit", str(_write(tmp / "weights.bin", b"\x00" * 64)), "--model-id", "a/m3"],
    # the next ingest (it derives: lineage, licences, openness)
    "ingest": lambda tmp: ["ingest", str(_jsonl(tmp / "b.jsonl", "b", 5))],
}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("writer", list(WRITERS))
def test_every_command_that_writes_closes_a_killed_ingest(store, cli, tmp_path, writer) -> None:
    db, sid = store
    seen_before = _status_view(cli, db)
    r = cli("--db", db, *WRITERS[writer](tmp_path))
    assert r.code == 0, r.stderr
    assert _stored(db, sid) == ("aborted", snaps.DEAD_RUN_MESSAGE, True)
    assert q(db, "SELECT count(*) FROM snapshots WHERE status = 'running'") == [(0,)]
    after = _status_view(cli, db)
    if writer == "ingest":  # a later ingest supersedes it: nothing needs doing any more
        assert after["unfinished"] == [] and after["last"]["status"] == "complete"
        assert cli("--db", db, "--json", "status").json()["derive_behind"] is None
        assert q(db, "SELECT count(*) FROM models WHERE id LIKE 'b/%'") == [(5,)]
    else:  # closed, and still named until the file is ingested again: the same as before the writer
        assert after == seen_before


def test_ingest_closes_the_dead_run_it_finds_as_before(store, run_openscope, tmp_path) -> None:
    """The ingest's own path (a subprocess, as a cron job runs it): the dead run aborted, its own complete."""
    db, sid = store
    r = run_openscope("--db", db, "--json", "ingest", _jsonl(tmp_path / "c.jsonl", "a", 20))
    assert r.code == 0, r.stderr
    assert r.json()["changed"] == 0  # the killed ingest stored nothing; the first one's rows are unchanged
    assert q(db, "SELECT snapshot_id, status FROM snapshots ORDER BY 1") == [
        (1, "complete"), (sid, "aborted"), (sid + 1, "complete")]


# -- crawls: their dead rows stay running, for the resume ------------------------------------------------

@pytest.fixture(scope="module")
def hub() -> Iterator[SimHubHandle]:
    with running_simhub(models=400, datasets=0, seed=17) as h:
        yield h


def test_a_killed_crawl_is_shown_interrupted_kept_running_by_writers_and_resumed(store, cli, hub, tmp_path) -> None:
    db, ingest_sid = store
    hub.set_faults(hold_after_pages=hub.pages_served() + 3)  # the head call and two pages, then the next waits
    target = hub.pages_served() + 3
    proc = _start(db, "crawl", "--endpoint", hub.url, *FAST)
    try:
        _wait_for(lambda: hub.pages_served() >= target, proc)
        time.sleep(0.5)  # the pages read are committed; the next request is held
        _sigkill(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
        hub.set_faults(hold_after_pages=None)
        hub.release()
    # the crawl held the store for writing: it closed the dead ingest when it opened it
    assert _stored(db, ingest_sid) == ("aborted", snaps.DEAD_RUN_MESSAGE, True)
    crawl_sid = q(db, "SELECT max(snapshot_id) FROM snapshots")[0][0]
    assert _stored(db, crawl_sid) == ("running", None, False)

    doc = cli("--db", db, "--json", "status").json()
    last = doc["last_snapshot"]
    assert (last["snapshot_id"], last["status"], last["state"]) == (crawl_sid, "running", "interrupted")
    assert last["message"] == snaps.SEEN_DEAD_CRAWL_MESSAGE
    states = {u["snapshot_id"]: (u["status"], u["state"]) for u in doc["unfinished"]}
    assert states == {ingest_sid: ("aborted", "interrupted"), crawl_sid: ("running", "interrupted")}
    resume = next(u["resume"] for u in doc["unfinished"] if u["snapshot_id"] == crawl_sid)
    assert resume and "crawl --endpoint" in resume
    flat = " ".join(cli("--db", db, "status").stdout.split())
    assert f"#{crawl_sid} incremental crawl of models · interrupted ·" in flat or \
        f"#{crawl_sid} full crawl of models · interrupted ·" in flat

    # another writer (an ingest) leaves the crawl to its resume
    assert cli("--db", db, "--quiet", "ingest", _jsonl(tmp_path / "d.jsonl", "d", 3)).code == 0
    assert _stored(db, crawl_sid) == ("running", None, False)
    assert [u["snapshot_id"] for u in cli("--db", db, "--json", "status").json()["unfinished"]] == [crawl_sid]

    # the same command resumes it from its cursor and completes it
    r = cli("--db", db, "--json", "crawl", "--endpoint", hub.url, *FAST)
    assert r.code == 0, r.stderr
    out = r.json()
    assert out["snapshot_id"] == crawl_sid and out["status"] == "complete" and out["snapshots"][0]["resumed"]
    doc = cli("--db", db, "--json", "status").json()
    assert doc["unfinished"] == [] and doc["last_snapshot"]["state"] == "complete"
    assert q(db, "SELECT count(*) FROM models WHERE synthetic") == [(400,)]


# -- in one process ----------------------------------------------------------------------------------------

def test_a_second_connection_in_the_running_process_does_not_close_its_run(tmp_path) -> None:
    """A run this process began is alive: opening the same store again here (a second connection, as a
    benchmark does) must not close it; a ``running`` row it did not begin is a dead one and is closed."""
    db = tmp_path / "s.duckdb"
    first = open_store(db)
    try:
        with first.transaction() as con:  # what a killed process left behind
            con.execute("""INSERT INTO snapshots (snapshot_id, kind, source, started_at, status)
                           VALUES (1, 'ingest', 'file:/x', now()::TIMESTAMP, 'running')""")
        live = snaps.begin(first, "ingest", source="file:/y")
        second = open_store(db)
        try:
            got = dict(second.con.execute("SELECT snapshot_id, status FROM snapshots").fetchall())
            assert got == {1: "aborted", live: "running"}
            assert snaps.as_seen(second.con, live, "ingest", "running", None) == ("running", "running", None)
            assert snaps.live_runs(second.con) == [live]
        finally:
            second.close()
        snaps.finish(first, live, "complete")
        assert snaps.live_runs(first.con) == []
        assert snaps.as_seen(first.con, 1, "ingest", "aborted", snaps.DEAD_RUN_MESSAGE) == \
            ("aborted", "interrupted", snaps.DEAD_RUN_MESSAGE)
        assert snaps.as_seen(first.con, 9, "ingest", "aborted", "abandoned with --abandon") == \
            ("aborted", "aborted", "abandoned with --abandon")
    finally:
        first.close()


def test_an_open_for_writing_of_a_current_store_writes_nothing(killed, tmp_path) -> None:
    db = _copy(killed[0], tmp_path / "s.duckdb")
    open_store(db).close()  # closes the dead ingest (a write), then checkpoints
    before = _fingerprint(db)
    open_store(db).close()
    assert _fingerprint(db) == before
