"""The operator's tryout (sixteenth session): what `status` and `crawl` told an operator that was not so.

Found by running the nightly tasks against `openscope simhub` (docs/reviews.md, *Operator tryout (sixteenth
session)*): a filtered counters sweep and an empty ingest were reported as the counters read; an ingest's
duration was always 0.0 s; a Ctrl-C'd crawl was reported as "killed or crashed", a Ctrl-C'd ingest as a file
to fix, and a dead run as having taken the time until someone noticed it; a sweep's table said
`watermark None`. One simulated Hub for the module; each test its own small store.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path

import duckdb
import psutil
import pytest
from store_rows import rows as q

from openscope.jobs.crawl import INTERRUPTED_MESSAGE
from openscope.simhub.testing import SimHubHandle, running_simhub

N_MODELS = 600
FAST = ["--backoff", "0.01", "--retries", "4"]


@pytest.fixture(scope="module")
def hub() -> Iterator[SimHubHandle]:
    with running_simhub(models=N_MODELS, datasets=0, seed=16) as h:
        yield h


def _popen(db: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "openscope.cli", "--db", str(db), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _has_open(p: subprocess.Popen, path: Path) -> bool:
    """Whether the process ``p`` has ``path`` open now (False once it has ended)."""
    try:
        return any(f.path == str(path.resolve()) for f in psutil.Process(p.pid).open_files())
    except psutil.Error:
        return False


def _wait_for(cond: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _padded_dump(path: Path, n: int) -> Path:
    """A dump whose ingest takes about a second: long enough to interrupt, and to time."""
    pad = "x" * 600
    # each line is json.dumps({"id": f"big/m{i}", "downloads": i, ...}) byte for byte, from one dumped template
    # (a json.dumps per line was most of the time spent writing the file)
    template = json.dumps({"id": "big/m%d", "downloads": 0, "tags": ["license:mit"], "description": pad})
    template = template.replace('"downloads": 0,', '"downloads": %d,') + "\n"
    with path.open("w") as fh:
        fh.writelines(template % (i, i) for i in range(n))
    return path


def test_a_filtered_counters_sweep_is_not_the_counters_read(hub, cli, tmp_path) -> None:
    """`crawl --counters --limit 10` read 10 models' counters; status said the models' counters were read by
    it (10 records, minutes ago), hiding that the other 590 were as old as the last full crawl."""
    db = tmp_path / "s.duckdb"
    full = cli("--db", db, "--json", "crawl", "--endpoint", hub.url, "--no-derive", *FAST).json()
    assert full["records"] == N_MODELS
    sweep = cli("--db", db, "--json", "crawl", "--endpoint", hub.url, "--counters", "--limit", "10", *FAST).json()
    assert sweep["status"] == "complete" and sweep["records"] == 10
    counters = cli("--db", db, "--json", "status").json()["counters"]["model"]
    assert counters["snapshot_id"] == full["snapshot_id"] and counters["records"] == N_MODELS
    text = cli("--db", db, "status").stdout
    assert f"read by #{full['snapshot_id']} full" in text
    # an unfiltered sweep is what the line names
    whole = cli("--db", db, "--json", "crawl", "--endpoint", hub.url, "--counters", *FAST).json()
    assert cli("--db", db, "--json", "status").json()["counters"]["model"]["snapshot_id"] == whole["snapshot_id"]


def test_an_empty_ingest_is_not_the_counters_read(cli, tmp_path) -> None:
    db = tmp_path / "s.duckdb"
    one = tmp_path / "one.jsonl"
    one.write_text(json.dumps({"id": "org/m", "downloads": 3}) + "\n")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    first = cli("--db", db, "--json", "ingest", one, "--no-derive").json()
    assert cli("--db", db, "--json", "ingest", empty, "--no-derive").json()["records"] == 0
    counters = cli("--db", db, "--json", "status").json()["counters"]["model"]
    assert counters["snapshot_id"] == first["snapshot_id"] and counters["records"] == 1


def test_a_counters_sweep_table_shows_no_watermark_none(hub, cli, tmp_path) -> None:
    """A sweep keeps no watermark; its table printed `watermark  None` (Python's word for unknown)."""
    db = tmp_path / "s.duckdb"
    assert cli("--db", db, "-q", "crawl", "--endpoint", hub.url, "--no-derive", *FAST).code == 0
    r = cli("--db", db, "crawl", "--endpoint", hub.url, "--counters", *FAST)
    assert r.code == 0 and "counters crawl of models" in r.stdout
    assert "None" not in r.stdout and "watermark" not in r.stdout
    assert "records" in r.stdout and "600" in r.stdout


def test_an_ingest_records_how_long_it_took(cli, tmp_path) -> None:
    """finished_at was DuckDB's now(), the start of the transaction that loaded the file: every ingest
    'took 0.0 s' in status, whatever its size."""
    db = tmp_path / "s.duckdb"
    dump = _padded_dump(tmp_path / "big.jsonl", 40_000)
    doc = cli("--db", db, "--json", "ingest", dump, "--no-derive").json()
    assert doc["records"] == 40_000 and doc["elapsed_s"] > 0.05, doc
    (took,) = q(db, "SELECT epoch(finished_at - started_at) FROM snapshots WHERE snapshot_id = ?",
                [doc["snapshot_id"]])[0]
    assert took >= 0.5 * doc["elapsed_s"], (took, doc["elapsed_s"])
    assert took <= doc["elapsed_s"] + 1.0


def test_ctrl_c_on_an_ingest_says_ingest_it_again_not_fix_it(cli, tmp_path) -> None:
    db = tmp_path / "s.duckdb"
    dump = _padded_dump(tmp_path / "big.jsonl", 120_000)
    p = _popen(db, "-q", "ingest", str(dump), "--no-derive")
    try:
        # The signal must land in the data transaction, after the snapshot row is committed: that is when
        # DuckDB holds the dump open. (A fixed wait after the new store's WAL appeared landed, on a loaded
        # machine, in the migrations, before any snapshot row existed.)
        _wait_for(lambda: _has_open(p, dump) or p.poll() is not None)
        assert p.poll() is None, "the ingest ended before it could be interrupted"
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 130, err
    assert q(db, "SELECT status, message FROM snapshots") == [("failed", "interrupted")]
    doc = cli("--db", db, "--json", "status").json()
    (u,) = doc["unfinished"]
    assert "ingest the file again" in u["action"] and "fix the input" not in u["action"], u
    assert "fix the input" not in cli("--db", db, "status").stdout
    # a file that is at fault still says to fix it
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n")
    assert cli("--db", db, "ingest", bad).code == 65
    (u,) = cli("--db", db, "--json", "status").json()["unfinished"]
    assert "fix the input" in u["action"], u


def test_ctrl_c_on_a_crawl_is_reported_as_an_interruption_until_it_resumes(hub, cli, tmp_path) -> None:
    """A crawl stopped by Ctrl-C stays `running` (resumable), and status said it 'was killed or crashed'.
    It now records why, and the resume clears it."""
    db = tmp_path / "s.duckdb"
    held = hub.pages_served() + 3  # the Hub counts pages across the module's tests
    hub.set_faults(hold_after_pages=held)
    try:
        p = _popen(db, "crawl", "--endpoint", hub.url, "--page-size", "100", "--no-derive", *FAST)
        try:
            _wait_for(lambda: hub.pages_served() >= held)
            time.sleep(1.0)  # the pages read are committed; the next request is held
            p.send_signal(signal.SIGINT)
            _, err = p.communicate(timeout=30)
        finally:
            if p.poll() is None:
                p.kill()
    finally:
        hub.set_faults(hold_after_pages=None)
        hub.release()
    assert p.returncode == 130, err
    assert q(db, "SELECT status, message FROM snapshots") == [("running", INTERRUPTED_MESSAGE)]
    doc = cli("--db", db, "--json", "status").json()
    assert doc["last_snapshot"]["state"] == "interrupted" and doc["last_snapshot"]["status"] == "running"
    (u,) = doc["unfinished"]
    assert u["message"] == INTERRUPTED_MESSAGE and u["resume"]
    text = " ".join(cli("--db", db, "status").stdout.split())
    assert "was interrupted (Ctrl-C)" in text and "killed or crashed" not in text, text
    done = cli("--db", db, "--json", "crawl", "--endpoint", hub.url, "--page-size", "100", "--no-derive",
               *FAST).json()
    assert done["snapshots"][0]["resumed"] is True and done["records"] == N_MODELS
    assert q(db, "SELECT status, message FROM snapshots") == [("complete", None)]
    assert q(db, "SELECT count(*), count(DISTINCT id) FROM model_stats") == [(N_MODELS, N_MODELS)]


def _older_store_with_a_dead_ingest(db: Path) -> None:
    """A store at migration 0001 whose last ingest died a day ago (as tests/test_store.py builds one)."""
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP)")
    con.execute(resources.files("openscope.store.migrations").joinpath("0001_initial.sql").read_text())
    con.execute("INSERT INTO schema_version VALUES (1, now()::TIMESTAMP - INTERVAL 3 DAY)")
    con.execute("""INSERT INTO snapshots (snapshot_id, kind, source, endpoint, started_at, finished_at, status,
                       n_records)
                   VALUES (1, 'ingest', 'file:a.jsonl', 'a.jsonl', now()::TIMESTAMP - INTERVAL 2 DAY,
                           now()::TIMESTAMP - INTERVAL 2 DAY, 'complete', 1),
                          (2, 'ingest', 'file:b.jsonl', 'b.jsonl', now()::TIMESTAMP - INTERVAL 1 DAY, NULL,
                           'running', 0)""")
    con.execute("INSERT INTO models (id) VALUES ('org/m')")
    con.close()


def test_a_dead_run_closed_later_shows_no_duration(cli, tmp_path) -> None:
    """The upgrade of an older store closes its dead ingest (finished_at = then); status said it 'took
    86,400.0 s': the time until something noticed, not how long it ran."""
    db = tmp_path / "old.duckdb"
    _older_store_with_a_dead_ingest(db)
    r = cli("--db", db, "status")
    assert r.code == 0, r.stderr
    last = " ".join(r.stdout.split("last snapshot", 1)[1].split("counters", 1)[0].split())
    assert "#2 ingest · interrupted" in last and "took" not in last, last
    doc = cli("--db", db, "--json", "status").json()
    assert doc["last_snapshot"]["state"] == "interrupted" and doc["last_snapshot"]["finished_at"] is not None
    # a run that ended is still shown with its duration
    one = tmp_path / "one.jsonl"
    one.write_text(json.dumps({"id": "org/m", "downloads": 3}) + "\n")
    assert cli("--db", db, "-q", "ingest", one, "--no-derive").code == 0
    assert ", took" in cli("--db", db, "status").stdout


@pytest.mark.parametrize("option", [["--author", ""], ["--search", " "], ["--filter", "gguf", "--filter", ""]])
def test_an_empty_filter_is_a_usage_error_not_a_crawl_of_the_whole_hub(hub, cli, tmp_path, option) -> None:
    """`crawl --author "$ORG"` with ORG unset ran an unfiltered full crawl of every repository (and recorded it
    as unfiltered: a later full crawl of it marks deletions). Now 64, before a request or a store."""
    db = tmp_path / "s.duckdb"
    asked = hub.stats()["requests"]
    r = cli("--db", db, "crawl", "--endpoint", hub.url, "--no-derive", *FAST, *option)
    assert r.code == 64 and r.stdout == "", r
    assert r.stderr.strip().splitlines() == [f"openscope: error: {option[-2]} is empty; give a value, or leave "
                                             "the option out to crawl every repository"]
    assert hub.stats()["requests"] == asked and not db.exists()


def test_an_abandoned_crawl_shows_no_duration(hub, cli, tmp_path) -> None:
    """`crawl --abandon` closes a failed crawl now; status said it 'took' the time from its start until then."""
    db = tmp_path / "s.duckdb"
    hub.set_faults(down=True)
    try:
        r = cli("--db", db, "crawl", "--endpoint", hub.url, "--no-derive", "--retries", "0")
    finally:
        hub.set_faults(down=False)
    assert r.code == 69, r
    time.sleep(1.1)  # the abandon comes later than the failure, as it does for an operator
    assert cli("--db", db, "-q", "crawl", "--endpoint", hub.url, "--full", "--abandon").code == 0
    assert q(db, "SELECT status FROM snapshots") == [("aborted",)]
    last = " ".join(cli("--db", db, "status").stdout.split("last snapshot", 1)[1].split())
    assert "· aborted ·" in last and "took" not in last, last


def test_a_datasets_dump_ingested_as_models_is_named(hub, cli, tmp_path) -> None:
    """`crawl --datasets --dump d.jsonl` writes the datasets to `d.datasets.jsonl`; `ingest` of it without
    `--datasets` stored every dataset as a model without a word. Now a warning says so; a models dump says
    nothing, and `--quiet` silences it."""
    db = tmp_path / "crawl.duckdb"
    dump = tmp_path / "d.jsonl"
    with running_simhub(models=40, datasets=30, seed=3) as small:
        assert cli("--db", db, "-q", "crawl", "--endpoint", small.url, "--datasets", "--dump", dump,
                   "--no-derive", *FAST).code == 0
    ds = tmp_path / "d.datasets.jsonl"
    r = cli("--db", tmp_path / "a.duckdb", "ingest", ds, "--no-derive")
    assert r.code == 0
    assert ("openscope: warning: the 30 entries stored as models look like datasets" in r.stderr
            and "--datasets" in r.stderr), r.stderr
    assert cli("--db", tmp_path / "b.duckdb", "-q", "ingest", ds, "--no-derive").stderr == ""
    for args in ((dump,), ("--datasets", ds)):
        r = cli("--db", tmp_path / "c.duckdb", "ingest", *args, "--no-derive")
        assert r.code == 0 and "warning" not in r.stderr, r.stderr


def test_a_locked_store_names_the_command_that_holds_it(hub, cli, tmp_path) -> None:
    """DuckDB names the holder's executable: `locked by …/bin/python3.11 (PID n)` did not say it was a crawl.
    Where the system shows it, the message gives the holder's command line."""
    db = tmp_path / "s.duckdb"
    held = hub.pages_served() + 2
    hub.set_faults(hold_after_pages=held)
    p = _popen(db, "crawl", "--endpoint", hub.url, "--page-size", "100", "--no-derive", *FAST)
    try:
        _wait_for(lambda: hub.pages_served() >= held)
        time.sleep(0.5)
        r = cli("--db", db, "status")
        assert r.code == 75, r
        line = r.stderr.strip()
        assert line.startswith(f"openscope: error: store {db} is locked by ") and f"(PID {p.pid})" in line, line
        assert f"--db {db} crawl --endpoint {hub.url}" in line, line
    finally:
        hub.set_faults(hold_after_pages=None)
        hub.release()
        p.wait(60)
    assert p.returncode == 0
