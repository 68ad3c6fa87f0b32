"""The operator's journey: one store kept fresh from cron for "months", judged by what it prints and holds.

A simulated Hub on loopback is crawled fifteen times in a row, the way an institute's cron would: a
first full crawl, nightly incrementals, weekly counters sweeps, a monthly ``--full``, with 5xx answers,
cut bodies and 429s on one night, a counters sweep SIGKILLed mid-way and resumed with the command
``status`` prints, an outage (69), an analyst's open connection (75), a disk that fills up (73), and the
Hub's parquet dump ingested in between. Between runs the Hub edits, adds and deletes models and changes
counters. The module fixture runs the journey once and records, per run, what the Hub served (the brute
force), what the command printed, ``status --json`` and the size of every table; the tests judge it.

The shell script and the commands in docs/crawl.md's "Running it for months" are run as written.
"""

from __future__ import annotations

import io
import json
import os
import re
import resource
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import nullcontext, redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pytest
from held_open import reads_only
from store_rows import rows as q

from openscope.cli import main
from openscope.commands._common import Settings
from openscope.commands.crawl import LogProgress
from openscope.simhub.testing import SimHubHandle, running_simhub

REPO = Path(__file__).resolve().parents[1]
PAGE = ["--page-size", "200"]
FAST = ["--backoff", "0.01", "--retries", "8"]
CHANGES = {"edit": 25, "add": 8, "delete": 3, "counters": 150}
TABLES = ["snapshots", "models", "datasets", "model_stats", "dataset_stats", "tags", "files", "edges",
          "lineage", "licenses", "openness", "rejects"]
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ openscope: ")


@dataclass
class Run:
    """One cron run: what it was, what it printed, what the Hub held when it ran, and the store after."""

    name: str
    code: int
    stdout: str
    stderr: str
    quiet: bool
    truth: dict[str, dict[str, tuple]]  # repo_type -> id -> (downloads, downloadsAllTime, likes) served
    snapshots: list[int]  # snapshot ids this run created or resumed
    top: int  # the newest snapshot id after the run
    top_row: tuple | None  # its (kind, status, n_records, changed) right after the run
    swept: int | None  # the newest complete full crawl, sweep or ingest of models right after the run
    counts: dict[str, int]
    status: dict[str, Any]
    status_text: str
    changes: dict[str, list[str]] = field(default_factory=dict)


def run_cli(*args: str | os.PathLike) -> tuple[int, str, str]:
    """The console entry point in-process; stderr is a StringIO, so not a terminal (as under cron)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


def squeeze(text: str) -> str:
    """Text without its white space: a rich table wraps a long value (a path, a URL) at any column."""
    return re.sub(r"\s+", "", text)


def hub_truth(hub: SimHubHandle) -> dict[str, dict[str, tuple]]:
    """The counters the simulated Hub serves right now, read straight from its state (the brute force)."""
    out = {}
    for rt, table in (("model", "m"), ("dataset", "d")):
        rows = hub.state.con.execute(
            f"SELECT id, downloads, downloads_all_time, likes FROM {table} WHERE NOT deleted").fetchall()
        out[rt] = {r[0]: (r[1], r[2], r[3]) for r in rows}
    return out


def counts(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        con.close()


def max_sid(db: Path) -> int:
    if not db.exists():
        return 0
    return int(q(db, "SELECT coalesce(max(snapshot_id), 0) FROM snapshots")[0][0])


def popen(args: list[str], **kw: Any) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "openscope.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kw)


def wait_for_reader(fifo: Path, timeout: float = 60.0) -> int:
    """Open ``fifo`` for writing once a process has it open for reading; return the descriptor. A
    non-blocking open for writing fails (ENXIO) while no process has the FIFO open for reading."""
    end = time.monotonic() + timeout
    while True:
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:
            if time.monotonic() > end:
                raise AssertionError(f"no process opened {fifo} for reading in {timeout} s") from None
            time.sleep(0.02)


def wait_for(cond: Callable[[], bool], timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError("condition not reached in time")
        time.sleep(0.02)


def lines_until(p: subprocess.Popen, text: str, timeout: float = 120.0) -> str:
    """Read ``p``'s stderr line by line until a line holds ``text``; return what was read. Why not a fixed
    sleep: on a loaded machine the job may take longer than any sleep to reach the point the test waits for."""
    assert p.stderr is not None
    end, seen = time.monotonic() + timeout, []
    while time.monotonic() < end:
        line = p.stderr.readline()
        if not line:
            raise AssertionError(f"stderr ended before {text!r}: {''.join(seen)}")
        seen.append(line)
        if text in line:
            return "".join(seen)
    raise AssertionError(f"{text!r} not on stderr in {timeout} s: {''.join(seen)}")


def hold_store(db: Path) -> subprocess.Popen:
    """An analyst's long query: another process with the store open read-only until killed."""
    p = subprocess.Popen([sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(db)!r}, "
                          "read_only=True); print('open', flush=True); time.sleep(120)"],
                         stdout=subprocess.PIPE, text=True)
    assert p.stdout is not None and p.stdout.readline().strip() == "open"
    return p


def write_parquet_dump(hub: SimHubHandle, path: Path) -> None:
    """The Hub's daily dump shape (cfahlgren1/hub-stats models.parquet): the API's keys as columns,
    ``cardData`` as a JSON string, built from exactly what the simulated Hub serves now."""
    entries = []
    for (js,) in hub.state.con.execute("SELECT js FROM m WHERE NOT deleted ORDER BY id").fetchall():
        e = json.loads(js)
        e["cardData"] = json.dumps(e["cardData"]) if e.get("cardData") is not None else None
        entries.append(e)
    jl = path.with_suffix(".jsonl")
    jl.write_text("".join(json.dumps(e) + "\n" for e in entries))
    con = duckdb.connect()
    con.execute(f"COPY (SELECT * FROM read_json_auto('{jl}', sample_size=-1)) TO '{path}' (FORMAT parquet)")
    con.close()
    jl.unlink()


class Journey:
    """Runs the cron jobs one after another against one store and records each run."""

    def __init__(self, hub: SimHubHandle, db: Path, tmp: Path) -> None:
        self.hub, self.db, self.tmp = hub, db, tmp
        self.runs: list[Run] = []
        self._t0 = _now()
        self.fresh = tmp / "fresh.duckdb"

    def record(self, name: str, code: int, out: str, err: str, quiet: bool, truth: dict, first: int,
               changes: dict | None = None) -> Run:
        # every read below shares one started database (held_open): nothing writes the store meanwhile
        with reads_only(self.db) if self.db.exists() else nullcontext():
            return self._record(name, code, out, err, quiet, truth, first, changes)

    def _record(self, name: str, code: int, out: str, err: str, quiet: bool, truth: dict, first: int,
                changes: dict | None) -> Run:
        after = max_sid(self.db)
        touched = [r[0] for r in q(self.db, "SELECT snapshot_id FROM snapshots WHERE snapshot_id > ? OR "
                                   "(finished_at IS NOT NULL AND finished_at >= ?::TIMESTAMP) ORDER BY 1",
                                   [first, self._t0])] if after else []
        _, st, _ = run_cli("--db", self.db, "--json", "status")
        _, text, _ = run_cli("--db", self.db, "status")
        top_row = q(self.db, "SELECT kind, status, n_records, changed FROM snapshots WHERE snapshot_id = ?",
                    [after])[0] if after else None
        swept = q(self.db, """SELECT max(snapshot_id) FROM snapshots WHERE status = 'complete'
                               AND repo_type = 'model' AND kind IN ('full', 'counters', 'ingest')""")[0][0]
        r = Run(name, code, out, err, quiet, truth, touched, after, top_row, swept, counts(self.db),
                json.loads(st), text, changes or {})
        self.runs.append(r)
        return r

    def crawl(self, name: str, *args: str, mutate: bool = True, quiet: bool = False,
              faults: dict | None = None) -> Run:
        changes = self.hub.mutate(**CHANGES) if mutate and self.runs else {}
        truth = hub_truth(self.hub)
        first, self._t0 = max_sid(self.db), _now()
        if faults:
            self.hub.set_faults(**faults)
        try:
            code, out, err = run_cli("--db", self.db, *(["--quiet"] if quiet else []), "crawl", "--endpoint",
                                     self.hub.url, *PAGE, *FAST, *args)
        finally:
            if faults:
                self.hub.set_faults(error_rate=0.0, truncate_rate=0.0, rate_limit=None, down=False)
        return self.record(name, code, out, err, quiet, truth, first, changes)

    def ingest(self, name: str, path: Path) -> Run:
        changes = self.hub.mutate(**CHANGES)
        truth = hub_truth(self.hub)
        write_parquet_dump(self.hub, path)
        first, self._t0 = max_sid(self.db), _now()
        code, out, err = run_cli("--db", self.db, "ingest", path)
        return self.record(name, code, out, err, False, truth, first, changes)

    def subprocess_run(self, name: str, args: list[str], *, truth: dict, preexec: Callable | None = None,
                       kill_after_pages: int | None = None) -> Run:
        """A run in its own process: one we SIGKILL mid-way, or one under a file-size limit."""
        first, self._t0 = max_sid(self.db), _now()
        if kill_after_pages is not None:
            self.hub.set_faults(hold_after_pages=self.hub.pages_served() + kill_after_pages)
        p = popen(["--db", str(self.db), *args], preexec_fn=preexec)
        try:
            if kill_after_pages is not None:
                held = self.hub.pages_held()
                # the crawler asks for the page after the last one served only once it has written those: kill
                # it while that request is held (a fixed delay was too short on a loaded machine)
                # (the reader runs one page ahead of the writer: a held request means at least one page written)
                wait_for(lambda: self.hub.pages_held() > held)
                time.sleep(0.5)  # and, on an idle machine, the rest of those pages
                p.send_signal(signal.SIGKILL)
            out, err = p.communicate(timeout=60)
        finally:
            if p.poll() is None:
                p.kill()
            if kill_after_pages is not None:
                self.hub.set_faults(hold_after_pages=None)
                self.hub.release()
        return self.record(name, p.returncode, out, err, "--quiet" in args, truth, first)


def _now() -> str:
    con = duckdb.connect()  # the clock the store's timestamps come from (now()::TIMESTAMP)
    try:
        return con.execute("SELECT now()::TIMESTAMP::VARCHAR").fetchone()[0]
    finally:
        con.close()


def _fsize_limit(nbytes: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (nbytes, nbytes))
    return apply


@pytest.fixture(scope="module")
def journey(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Journey]:
    tmp = tmp_path_factory.mktemp("operator")
    db = tmp / "ops.duckdb"
    with running_simhub(models=1500, datasets=120, seed=23) as hub:
        j = Journey(hub, db, tmp)
        j.crawl("first", "--datasets")
        j.crawl("nightly-1", "--datasets")
        j.crawl("nightly-faults", "--datasets",
                faults={"error_rate": 0.25, "truncate_rate": 0.15, "rate_limit": 4, "rate_window_s": 0.3})
        j.crawl("weekly", "--counters", "--datasets")
        hub.mutate(**CHANGES)
        j.subprocess_run("killed-sweep", ["--quiet", "crawl", "--endpoint", hub.url, "--counters", *PAGE],
                         truth=hub_truth(hub), kill_after_pages=3)
        j.crawl("nightly-2", "--datasets", mutate=False)
        # the operator reads `status` and runs the command it gives (without our test's page size)
        resume = j.runs[-1].status["unfinished"][0]["resume"]
        argv = shlex.split(resume)[1:]
        truth = j.runs[-2].truth  # nothing changed on the Hub since the sweep was killed
        first = max_sid(db)
        j._t0 = _now()
        code, out, err = run_cli(*argv)
        j.record("resumed-sweep", code, out, err, False, truth, first)
        j.crawl("down", "--datasets", "--retries", "1", quiet=True, faults={"down": True})
        holder = hold_store(db)
        try:
            j.crawl("locked", "--datasets", quiet=True, mutate=False)
        finally:
            holder.kill()
            holder.wait()
        j.crawl("after-down", "--datasets", mutate=False)
        j.ingest("parquet-dump", tmp / "models.parquet")
        j.crawl("monthly", "--full", "--datasets")
        j.crawl("nightly-3", "--datasets")
        hub.mutate(**CHANGES)
        truth = hub_truth(hub)
        j.subprocess_run("disk-full", ["--quiet", "crawl", "--endpoint", hub.url, "--counters", *PAGE, "--no-derive"],
                         truth=truth, preexec=_fsize_limit(48_000))
        first = max_sid(db)
        j._t0 = _now()
        code, out, err = run_cli("--db", db, "crawl", "--endpoint", hub.url, "--counters", *PAGE)
        j.record("disk-freed", code, out, err, False, truth, first)
        j.crawl("final-full", "--full", "--datasets")
        code, _, err = run_cli("--db", j.fresh, "--quiet", "crawl", "--endpoint", hub.url, "--datasets", *PAGE)
        assert code == 0, err
        yield j


def by_name(j: Journey, name: str) -> Run:
    return next(r for r in j.runs if r.name == name)


# -- every run ended as cron needs it ----------------------------------------------------------------

EXPECTED_CODES = {"down": 69, "locked": 75, "disk-full": 73}


def test_every_run_exits_with_the_code_cron_needs(journey) -> None:
    for r in journey.runs:
        want = -signal.SIGKILL if r.name == "killed-sweep" else EXPECTED_CODES.get(r.name, 0)
        assert r.code == want, (r.name, r.code, r.stderr)
        assert "Traceback" not in r.stderr


def test_a_failure_is_one_clear_line_on_stderr(journey) -> None:
    """Under --quiet (what a cron job greps) a failure is exactly one line naming the cause."""
    down, locked, full = (by_name(journey, n) for n in ("down", "locked", "disk-full"))
    for r in (down, locked, full):
        assert r.stdout == "" and len(r.stderr.splitlines()) == 1, (r.name, r.stderr)
        assert r.stderr.startswith("openscope: error: ")
    assert "unreachable after 2 attempts (HTTP 503)" in down.stderr
    assert re.search(r"is locked by .+ \(PID \d+\)", locked.stderr)
    assert "cannot write store" in full.stderr and "File too large" in full.stderr


def test_progress_in_a_log_file_is_whole_time_stamped_lines(journey) -> None:
    """stderr is not a terminal under cron: no carriage returns, no escape codes, no cut lines; a
    'started' and an 'ended' line per crawl; --quiet runs print nothing on success."""
    for r in journey.runs:
        assert "\r" not in r.stderr and "\x1b" not in r.stderr, r.name
        if r.quiet:
            assert r.code != 0 or r.stderr == "", r.name
            continue
        if r.name in ("parquet-dump", "killed-sweep"):
            continue
        lines = r.stderr.splitlines()
        assert lines and all(LOG_LINE.match(x) for x in lines), (r.name, r.stderr)
        assert not any(x.rstrip().endswith("…") for x in lines)
        n_crawls = 2 if r.name not in ("resumed-sweep", "disk-freed") else 1
        ended = [x for x in lines if ": ended: " in x]
        assert len([x for x in lines if ": started" in x]) == n_crawls == len(ended), (r.name, lines)
        # the final tally is what the snapshot recorded
        sid = r.snapshots[-1] if n_crawls == 1 else r.snapshots[0]
        n = q(journey.db, "SELECT n_records FROM snapshots WHERE snapshot_id = ?", [sid])[0][0]
        assert f"· {n:,} records ·" in ended[0], (r.name, ended[0], n)
    faulty = by_name(journey, "nightly-faults").stderr
    assert "waiting" not in faulty or all(LOG_LINE.match(x) for x in faulty.splitlines())


def test_log_progress_prints_one_summary_per_interval() -> None:
    """A long crawl logs one summary line a minute, not one per page and not nothing until the end."""
    now = [0.0]
    err = io.StringIO()
    p = LogProgress(Settings(db=Path("x")), interval_s=60.0, clock=lambda: now[0])
    with redirect_stderr(err):
        p.begin("full crawl of models", 10_000, 0)
        for _ in range(100):  # 100 pages over 250 s: summaries at 60, 120, 180, 240 s
            now[0] += 2.5
            p.page(100, 10, 0)
        p.end()
    lines = err.getvalue().splitlines()
    assert all(LOG_LINE.match(x) for x in lines)
    summaries = [x for x in lines if "pages ·" in x and ": ended: " not in x]
    assert len(summaries) == 4, lines
    assert "started, about 10,000 to read" in lines[0]
    assert "100 pages · 10,000 records · 1,000 changed · 0 rejects" in lines[-1] and "100% of about 10,000" in lines[-1]
    assert "0:04:10 elapsed" in lines[-1]


# -- status tells the operator what they need ---------------------------------------------------------

def test_status_after_every_run_names_the_last_snapshot_and_its_outcome(journey) -> None:
    for r in journey.runs:
        doc = r.status
        assert {"db", "schema_version", "snapshots", "models", "datasets", "rejects", "last_snapshot"} <= doc.keys()
        last = doc["last_snapshot"]
        assert last["snapshot_id"] == r.top == doc["snapshots"], r.name
        assert (last["kind"], last["status"], last["n_records"], last["changed"]) == r.top_row, r.name
        assert f"#{r.top} " in r.status_text and f"· {last['state']} ·" in r.status_text
        if last["status"] == "failed":
            assert last["message"] and squeeze(last["message"]) in squeeze(r.status_text)
    down = by_name(journey, "down").status["last_snapshot"]
    assert down["status"] == "failed" and "unreachable" in down["message"]
    assert journey.runs[-1].status["last_snapshot"]["status"] == "complete"


def test_status_lists_unfinished_crawls_with_the_command_that_resumes_them(journey) -> None:
    killed = by_name(journey, "killed-sweep")
    [u] = killed.status["unfinished"]
    assert u["status"] == "running" and u["kind"] == "counters" and u["pages"] >= 1
    assert u["resume"] == shlex.join(["openscope", "--db", str(journey.db), "crawl", "--endpoint",
                                      journey.hub.url, "--counters"])
    assert "needs attention" in killed.status_text and "killed or crashed" in killed.status_text
    # a nightly incremental that runs meanwhile does not hide the unfinished sweep
    assert [x["snapshot_id"] for x in by_name(journey, "nightly-2").status["unfinished"]] == [u["snapshot_id"]]
    resumed = by_name(journey, "resumed-sweep")
    assert resumed.snapshots[-1] == u["snapshot_id"] and resumed.status["unfinished"] == []
    assert q(journey.db, "SELECT status FROM snapshots WHERE snapshot_id = ?", [u["snapshot_id"]])[0][0] == "complete"
    down = by_name(journey, "down").status["unfinished"]
    assert [x["status"] for x in down] == ["failed"] and "--datasets" not in down[0]["resume"]
    assert by_name(journey, "locked").status["unfinished"] == down  # a refused open changes nothing
    assert by_name(journey, "after-down").status["unfinished"] == []
    full = by_name(journey, "disk-full").status["unfinished"]
    assert len(full) == 1 and full[0]["kind"] == "counters"
    assert by_name(journey, "disk-freed").status["unfinished"] == []
    for r in journey.runs:
        assert ("needs attention" in r.status_text) == bool(r.status["unfinished"]), r.name


def test_status_says_how_old_the_counters_are_and_how_big_the_store_is(journey) -> None:
    for r in journey.runs:
        c = r.status["counters"]["model"]
        want = r.swept
        assert c["snapshot_id"] == want, r.name
        assert 0 <= c["age_hours"] < 1 and f"read by #{want} " in r.status_text
        assert r.status["store_bytes"] > 0
    final = journey.runs[-1].status
    assert final["counters"]["model"]["kind"] == "full"
    size = journey.db.stat().st_size + (journey.db.with_name(journey.db.name + ".wal").stat().st_size
                                         if journey.db.with_name(journey.db.name + ".wal").exists() else 0)
    _, now, _ = run_cli("--db", journey.db, "--json", "status")
    assert json.loads(now)["store_bytes"] == size and "store size" in journey.runs[-1].status_text


# -- the store stays correct and bounded ---------------------------------------------------------------

UNIQUE_KEYS = {
    "models": "id", "datasets": "id", "tags": "repo_type, id, tag", "files": "repo_type, id, path",
    "model_stats": "snapshot_id, id", "dataset_stats": "snapshot_id, id", "edges": "child, parent, evidence",
    "lineage": "id, root", "licenses": "id", "openness": "snapshot_id, id, framework, dimension",
    "snapshots": "snapshot_id",
}


def test_no_duplicate_rows_after_many_snapshots(journey) -> None:
    with reads_only(journey.db):
        for table, key in UNIQUE_KEYS.items():
            dup = q(journey.db, f"SELECT {key}, count(*) FROM {table} GROUP BY ALL HAVING count(*) > 1 LIMIT 3")
            assert dup == [], (table, dup)
        assert q(journey.db, "SELECT count(*) FROM snapshots WHERE status = 'running'")[0][0] == 0


def test_counters_history_equals_what_the_hub_served(journey) -> None:
    """At every full crawl, sweep and ingest, the `counters` view holds exactly the Hub's values then;
    at every incremental, each row read is what the Hub served."""
    with reads_only(journey.db):  # the many queries below share one started database (held_open)
        _counters_history(journey)


def _counters_history(journey: Journey) -> None:
    checked = 0
    for r in journey.runs:
        if r.code != 0:
            continue
        for sid in r.snapshots:
            kind, rt, status = q(journey.db, "SELECT kind, repo_type, status FROM snapshots WHERE snapshot_id = ?",
                                 [sid])[0]
            if status != "complete":
                continue
            truth = r.truth[rt]
            stats = "model_stats" if rt == "model" else "dataset_stats"
            if kind in ("full", "counters", "ingest"):
                got = {i: (d, a, lk) for i, d, a, lk in q(
                    journey.db, "SELECT id, downloads_30d, downloads_all_time, likes FROM counters "
                    "WHERE snapshot_id = ? AND repo_type = ?", [sid, rt])}
                if kind == "full":  # a full crawl stores every repository and marks the deletions it finds
                    assert got == truth, (r.name, sid)
                else:  # a sweep stores no repository and leaves deletions to the next full crawl
                    stored = {i for (i,) in q(journey.db, f"SELECT id FROM {rt}s WHERE first_snapshot_id <= ?",
                                              [sid])}
                    assert {i: v for i, v in got.items() if i in truth} == {
                        i: v for i, v in truth.items() if i in stored}, (r.name, sid)
                    assert len(got) >= len(truth) - 2 * CHANGES["add"]
                checked += 1
            else:
                read = q(journey.db, f"SELECT id, downloads_30d, downloads_all_time, likes FROM {stats} "
                         "WHERE snapshot_id = ?", [sid])
                assert read and all(truth[i] == (d, a, lk) for i, d, a, lk in read), (r.name, sid)
    assert checked >= 8


def test_growth_per_run_is_what_the_run_read(journey) -> None:
    """One counter row per repository read in a snapshot (a sweep or a full crawl: every repository; an
    incremental: what changed, plus the overlap), resumed snapshots included; `models` grows only by the
    repositories the Hub added; a sweep touches no repository row."""
    rows = q(journey.db, """SELECT s.snapshot_id, s.kind, s.repo_type, s.n_records, s.status,
                                   coalesce(m.n, 0) + coalesce(d.n, 0)
                            FROM snapshots s
                            LEFT JOIN (SELECT snapshot_id, count(*) AS n FROM model_stats GROUP BY 1) m USING (snapshot_id)
                            LEFT JOIN (SELECT snapshot_id, count(*) AS n FROM dataset_stats GROUP BY 1) d USING (snapshot_id)
                            ORDER BY 1""")
    for sid, kind, rt, n, status, written in rows:
        if kind == "ingest":  # an ingest writes a counter row only where a counter changed
            assert 0 < written <= n, sid
        elif status == "complete":
            assert written == n, (sid, kind, written, n)
        if kind == "incremental" and status == "complete" and rt == "model":
            assert n <= 4 * (CHANGES["edit"] + CHANGES["add"]) + 150, (sid, n)
    ever: set[str] = set()
    prev = None
    for r in journey.runs:
        ever |= set(r.truth["model"])
        if r.code != 0:
            continue
        kinds = {k for sid, k, *_ in rows if sid in r.snapshots}
        if kinds - {"counters"}:  # read every addition: the store holds every model the Hub ever had
            assert r.counts["models"] == len(ever), (r.name, r.counts["models"], len(ever))
        elif prev is not None:
            for t in ("models", "tags", "files", "edges", "licenses"):
                assert r.counts[t] == prev.counts[t], (r.name, t)
        prev = r
    live = q(journey.db, "SELECT count(*) FROM models WHERE deleted_at IS NULL")[0][0]
    assert live == len(journey.runs[-1].truth["model"])


def test_derived_tables_equal_a_fresh_store_built_from_the_final_state(journey) -> None:
    """Lineage, licences and openness refreshed after each of many runs equal one crawl of the final Hub.

    Openness too for merges whose deepest roots tie (two bases at one depth): the set-based grading once
    took either root, so two stores holding the same facts could differ; it now takes the deepest root,
    then the smallest id, as the per-model path does. The long-running store keeps one snapshot's grades."""
    con = duckdb.connect(str(journey.db), read_only=True)
    con.execute(f"ATTACH '{journey.fresh}' AS fresh (READ_ONLY)")
    # A model deleted from the Hub keeps its place in the long-running store as last read (its edges and rows;
    # thirty-fourth session), which a crawl of the final Hub cannot know: the deleted models, and the live ones
    # built on one (every ancestor of a live model is in `license_flow`), are compared apart below.
    con.execute("""CREATE TEMP TABLE gone AS SELECT id FROM ops.models WHERE deleted_at IS NOT NULL""")
    con.execute("""CREATE TEMP TABLE above AS
                   SELECT DISTINCT id FROM ops.license_flow WHERE base IN (SELECT id FROM gone)""")
    apart = "id NOT IN (SELECT id FROM gone) AND id NOT IN (SELECT id FROM above)"
    queries = {
        "edges": "SELECT child, parent, relation, evidence, chosen FROM {s}.edges "
                 "WHERE child NOT IN (SELECT id FROM gone)",
        "lineage": f"SELECT id, root, depth, path FROM {{s}}.lineage WHERE {apart}",
        "lineage_cycles": "SELECT id FROM {s}.lineage_cycles",
        "licenses": f"SELECT * FROM {{s}}.licenses WHERE {apart}",
        "publishers": "SELECT * FROM {s}.publishers",
        "models": "SELECT id, author, created_at, last_modified, license, gated, pipeline_tag, card_data::VARCHAR "
                  "FROM {s}.models WHERE deleted_at IS NULL",
        "openness": f"""SELECT id, framework, dimension, grade, score, evidence::VARCHAR, method FROM {{s}}.openness
                       WHERE snapshot_id = (SELECT max(snapshot_id) FROM {{s}}.openness) AND {apart}""",
    }
    try:
        # the journey deletes models that have live derivatives, so the comparisons apart below are not empty
        assert con.execute("SELECT count(*) FROM gone").fetchone()[0] > 0
        assert con.execute("SELECT count(*) FROM above WHERE id NOT IN (SELECT id FROM gone)").fetchone()[0] > 0
        # what the fresh store roots on a deleted model (external there), the long-running one follows through it:
        # every other root of such a model is a root in both
        odd = con.execute("""SELECT f.id, f.root FROM fresh.lineage f
                             WHERE f.id IN (SELECT id FROM above) AND f.root NOT IN (SELECT id FROM gone)
                               AND (f.id, f.root) NOT IN (SELECT id, root FROM ops.lineage)""").fetchall()
        assert odd == [], odd
        assert con.execute("SELECT count(DISTINCT snapshot_id) FROM ops.openness").fetchone()[0] == 1
        ties = con.execute("""SELECT count(DISTINCT id) FROM (
                                  SELECT id, depth, count(*) OVER (PARTITION BY id, depth) AS n,
                                         max(depth) OVER (PARTITION BY id) AS deepest
                                  FROM ops.lineage WHERE root <> id) WHERE depth = deepest AND n > 1""").fetchone()[0]
        assert ties > 0  # the journey holds merges whose roots tie: the comparison below covers them
        for name, sql in queries.items():
            a, b = sql.format(s="ops"), sql.format(s="fresh")
            n = con.execute(f"SELECT count(*) FROM ({a})").fetchone()[0]
            assert n > 0 or name == "lineage_cycles", name
            diff = con.execute(f"(({a}) EXCEPT ALL ({b})) UNION ALL (({b}) EXCEPT ALL ({a})) LIMIT 5").fetchall()
            assert diff == [], (name, diff)
    finally:
        con.close()


def test_the_parquet_dump_between_crawls_reads_every_model_and_keeps_their_files(journey) -> None:
    dump = by_name(journey, "parquet-dump")
    before = journey.runs[journey.runs.index(dump) - 1]
    assert dump.code == 0 and dump.counts["files"] >= before.counts["files"]
    [sid] = dump.snapshots
    kind, n, rejects = q(journey.db, "SELECT kind, n_records, rejects FROM snapshots WHERE snapshot_id = ?", [sid])[0]
    assert kind == "ingest" and n == len(dump.truth["model"]) and rejects == 0


# -- the docs' "Running it for months" runs as written --------------------------------------------------

def _doc_section() -> str:
    text = (REPO / "docs" / "crawl.md").read_text()
    return text[text.index("## Running it for months"): text.index("## Where the code is")]


def _cron_script(tmp: Path) -> Path:
    m = re.search(r"```sh\n(#!/bin/sh\n.*?)```", _doc_section(), re.S)
    assert m
    p = tmp / "openscope-cron.sh"
    p.write_text(m.group(1))
    p.chmod(0o755)
    return p


def _script_env(db: Path, hub: SimHubHandle, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}", "OPENSCOPE_DB": str(db),
                "HF_ENDPOINT": hub.url, "OPENSCOPE_LOCK_WAIT": "0.5", **extra})
    env.pop("HF_TOKEN", None)
    return env


def test_the_documented_cron_script_and_crontab(tmp_path) -> None:
    script = _cron_script(tmp_path)
    section = _doc_section()
    jobs = re.findall(r"^\S+ \S+ \S+ \S+ \S+ +(\S+) (\w+) +>>(\S+) 2>&1$", section, re.M)
    assert {k for _, k, _ in jobs} == {"nightly", "weekly", "monthly"}
    assert all(s.endswith("openscope-cron.sh") for s, _, _ in jobs)
    db = tmp_path / "cron.duckdb"
    token = tmp_path / "hf_token"
    token.write_text("hf_test_token_not_real")

    def sh(kind: str, env: dict[str, str], *options: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(script), kind, *options], capture_output=True, text=True, env=env, timeout=120)

    with running_simhub(models=400, datasets=30, seed=7) as hub:
        env = _script_env(db, hub, HF_TOKEN_FILE=str(token))
        r = sh("nightly", env)  # the first run is a full crawl
        assert r.returncode == 0, r.stderr
        kinds = q(db, "SELECT kind, repo_type, status FROM snapshots ORDER BY 1")
        assert kinds == [("full", "model", "complete"), ("full", "dataset", "complete")]
        assert "openscope store" in r.stdout and all(LOG_LINE.match(x) for x in r.stderr.splitlines())
        hub.mutate(edit=5, counters=20)
        assert sh("weekly", env).returncode == 0
        assert q(db, "SELECT kind FROM snapshots WHERE snapshot_id > 2 ORDER BY 1") == [("counters",), ("counters",)]
        # an analyst holds the store: the job waits and tries again, then crawls
        holder = hold_store(db)
        p = subprocess.Popen([str(script), "nightly"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=env)
        seen = lines_until(p, "is locked by")  # the job found the store held (however slow the machine is)
        holder.kill()
        holder.wait()
        out, rest = p.communicate(timeout=120)
        err = seen + rest
        assert p.returncode == 0, err
        assert "is locked by" in err and q(db, "SELECT kind FROM snapshots ORDER BY 1 DESC LIMIT 1") == [("incremental",)]
        # the Hub down: 69, the snapshot failed; status (in the same log) says how to resume
        hub.set_faults(down=True)
        r = sh("monthly", {**env, "OPENSCOPE_LOCK_TRIES": "0"}, "--retries", "1", "--backoff", "0.01")
        assert r.returncode == 69 and r.stderr.splitlines()[-1].startswith("openscope: error: ")
        assert "needs attention" in r.stdout and "--full" in r.stdout
        hub.set_faults(down=False)
        r = sh("monthly", env)  # the next run resumes it
        assert r.returncode == 0 and "needs attention" not in r.stdout
        assert q(db, "SELECT count(*) FROM snapshots WHERE status <> 'complete'")[0][0] == 0
        assert sh("yearly", env).returncode == 64
        assert sh("nightly", {**env, "HF_TOKEN_FILE": str(tmp_path / "missing")}).returncode == 66


def _normalised(text: str, url: str) -> str:
    """Output without what differs between two runs: times, durations, the endpoint's port, sizes."""
    text = text.replace(url, "URL")
    text = re.sub(r"http://127\.0\.0\.1:\d+", "URL", text)
    text = re.sub(r"\d{4}-\d\d-\d\d(T|\s+)\d\d:\d\d(:\d\d(\.\d+)?)?", "TIME", text)
    text = re.sub(r"took\s+[\d.,]+\s+s", "took X s", text)
    text = re.sub(r"\(\d+\s+minutes?\s+ago", "(X ago", text)
    text = re.sub(r"store size\s+[\d.,]+\s+[KMG]?B", "store size X", text)
    return squeeze(text)


def test_the_documented_status_and_restart_commands(tmp_path, monkeypatch) -> None:
    """The section's commands as written, in a folder holding `ops.duckdb` built as the text says (models
    and datasets crawled, a counters sweep): a crawl that fails on a Hub that is down, `status` (its
    output is the documented one, times and sizes aside), the `--restart` it suggests, and `--abandon`
    for a sweep that failed the same way."""
    section = _doc_section()
    monkeypatch.chdir(tmp_path)
    down = re.search(r"\$ (openscope --db ops\.duckdb --quiet crawl --endpoint (\S+) --retries 1 --backoff 0\.1)\n"
                     r"(openscope: error: .*)\n", section)
    status = re.search(r"\$ (openscope --db ops\.duckdb status)\n(.*?)```", section, re.S)
    restart = re.search(r"\$ (openscope --db ops\.duckdb crawl --endpoint (\S+) --restart)\n(.*?)\n", section)
    abandon = re.search(r"\$ (openscope --db ops\.duckdb crawl --endpoint (\S+) --counters --abandon)\n(.*)\n",
                        section)
    assert down and status and restart and abandon
    db = tmp_path / "ops.duckdb"
    with running_simhub(models=800, datasets=50, seed=3) as hub:

        def doc_command(m: re.Match) -> list[str]:
            return shlex.split(re.sub(r"http://127\.0\.0\.1:\d+", hub.url, m.group(1)))[1:]

        assert run_cli("--db", "ops.duckdb", "--quiet", "crawl", "--datasets", "--endpoint", hub.url)[0] == 0
        hub.mutate(edit=10, add=5, delete=2, counters=30)
        assert run_cli("--db", "ops.duckdb", "--quiet", "crawl", "--counters", "--endpoint", hub.url)[0] == 0
        hub.set_faults(down=True)
        code, out, err = run_cli(*doc_command(down))
        assert code == 69 and out == "" and _normalised(err, hub.url) == _normalised(down.group(3), hub.url)
        hub.set_faults(down=False)
        code, out, _ = run_cli(*doc_command(status))
        assert code == 0
        assert _normalised(out, hub.url) == _normalised(status.group(2), hub.url)
        code, out, err = run_cli(*doc_command(restart))
        assert code == 0, err
        assert out.startswith(restart.group(3))
        rows = q(db, "SELECT snapshot_id, status FROM snapshots ORDER BY 1")
        assert [r[1] for r in rows] == ["complete", "complete", "complete", "aborted", "complete"]
        assert json.loads(run_cli("--db", db, "--json", "status")[1])["unfinished"] == []
        # a sweep that failed the same way, dropped without a request
        hub.set_faults(down=True)
        assert run_cli("--db", db, "--quiet", "crawl", "--endpoint", hub.url, "--counters", "--retries", "0")[0] == 69
        assert len(json.loads(run_cli("--db", db, "--json", "status")[1])["unfinished"]) == 1
        served = hub.stats()["requests"]
        code, out, err = run_cli(*doc_command(abandon))
        assert (code, out, err) == (0, abandon.group(3) + "\n", "")
        assert hub.stats()["requests"] == served
        assert q(db, "SELECT status, message FROM snapshots WHERE snapshot_id = 6") == [
            ("aborted", "abandoned with --abandon")]
        assert json.loads(run_cli("--db", db, "--json", "status")[1])["unfinished"] == []
        assert run_cli(*doc_command(abandon))[1] == "models: nothing unfinished to abandon\n"
        doc = json.loads(run_cli(*doc_command(abandon), "--json")[1])  # the crawl summary's keys
        assert {"snapshot_id", "status", "pages", "records", "changed", "rejects", "api_calls",
                "rate_limit_wait_s", "elapsed_s"} <= doc.keys() and doc["snapshot_id"] is None
        assert run_cli(*doc_command(abandon), "--restart")[0] == 64


def test_a_killed_ingest_is_named_by_status_and_aborted_by_the_next(tmp_path) -> None:
    """An ingest killed while it reads (here: a FIFO nobody writes to) stored nothing; status says so and
    the next ingest marks it aborted."""
    db, fifo = tmp_path / "ops.duckdb", tmp_path / "dump.jsonl"
    os.mkfifo(fifo)
    p = popen(["--db", str(db), "--quiet", "ingest", str(fifo)])
    try:
        # the snapshot row is committed before the file is opened: wait until the ingest has the FIFO open for
        # reading (then a writer can open it without blocking; nothing is ever written, so the ingest waits
        # in its read), however slow the machine is
        writer = wait_for_reader(fifo)
        p.send_signal(signal.SIGKILL)
        os.close(writer)
        p.wait(10)
    finally:
        if p.poll() is None:
            p.kill()
    doc = json.loads(run_cli("--db", db, "--json", "status")[1])
    [u] = doc["unfinished"]
    assert (u["kind"], u["status"], u["state"], u["resume"]) == ("ingest", "aborted", "interrupted", None)
    assert "Nothing of it was stored" in u["action"]
    assert squeeze("#1 ingest was killed or crashed") in squeeze(run_cli("--db", db, "status")[1])
    good = tmp_path / "good.jsonl"
    good.write_text('{"id": "a/one", "downloads": 3}\n')
    assert run_cli("--db", db, "--quiet", "ingest", good)[0] == 0
    assert q(db, "SELECT snapshot_id, status FROM snapshots ORDER BY 1") == [(1, "aborted"), (2, "complete")]
    assert json.loads(run_cli("--db", db, "--json", "status")[1])["unfinished"] == []


def test_a_monthly_full_killed_then_a_nightly_then_the_resume_marks_exactly_the_deletions(tmp_path) -> None:
    """The monthly --full is killed; the nightly incremental runs (and stores models the Hub added since);
    the next monthly resumes the full crawl. It must mark deleted exactly what the Hub deleted: not the
    models only the nightly saw."""
    db = tmp_path / "ops.duckdb"
    with running_simhub(models=1000, datasets=0, seed=31) as hub:
        assert run_cli("--db", db, "--quiet", "crawl", "--endpoint", hub.url, *PAGE)[0] == 0
        gone = set(hub.mutate(delete=6)["deleted"])
        hub.set_faults(hold_after_pages=hub.pages_served() + 3)
        target = hub.pages_served() + 3
        p = popen(["--db", str(db), "--quiet", "crawl", "--endpoint", hub.url, "--full", *PAGE])
        try:
            wait_for(lambda: hub.pages_served() >= target)
            time.sleep(0.5)
            p.send_signal(signal.SIGKILL)
            p.wait(10)
        finally:
            if p.poll() is None:
                p.kill()
            hub.set_faults(hold_after_pages=None)
            hub.release()
        added = set(hub.mutate(add=7, edit=12)["added"])
        assert run_cli("--db", db, "--quiet", "crawl", "--endpoint", hub.url, *PAGE)[0] == 0  # the nightly
        code, out, err = run_cli("--db", db, "--json", "crawl", "--endpoint", hub.url, "--full", *PAGE)
        assert code == 0, err
        doc = json.loads(out)
        assert doc["snapshots"][0]["resumed"] is True and doc["deleted"] == len(gone)
        assert {r[0] for r in q(db, "SELECT id FROM models WHERE deleted_at IS NOT NULL")} == gone
        live = {r[0] for r in q(db, "SELECT id FROM models WHERE deleted_at IS NULL")}
        assert live == set(hub.ids()) and added <= live


def test_an_ingest_on_a_full_disk_is_73_stores_nothing_and_the_retry_loads_it(tmp_path) -> None:
    db, dump = tmp_path / "ops.duckdb", tmp_path / "models.jsonl"
    with running_simhub(models=3000, datasets=0, seed=4) as hub:
        dump.write_text("".join(js + "\n" for (js,) in hub.state.con.execute("SELECT js FROM m").fetchall()))
    assert run_cli("--db", db, "--quiet", "ingest", tmp_path / "none.jsonl")[0] == 66
    p = popen(["--db", str(db), "--quiet", "ingest", str(dump)], preexec_fn=_fsize_limit(400_000))
    out, err = p.communicate(timeout=60)
    assert p.returncode == 73 and out == "" and len(err.splitlines()) == 1
    assert err.startswith(f"openscope: error: cannot write store {db}: ") and "File too large" in err
    doc = json.loads(run_cli("--db", db, "--json", "status")[1])
    assert doc["models"] == 0 and [u["kind"] for u in doc["unfinished"]] == ["ingest"]
    code, out, err = run_cli("--db", db, "--json", "ingest", dump)
    assert code == 0 and json.loads(out)["records"] == 3000, err
    doc = json.loads(run_cli("--db", db, "--json", "status")[1])
    assert doc["models"] == 3000 and doc["unfinished"] == []


def test_the_simhub_rehearsal_bodies_in_the_docs_are_accepted(tmp_path) -> None:
    """docs/simhub.md's rehearsal posts these admin bodies: each is accepted and does what it says."""
    import httpx

    text = (REPO / "docs" / "simhub.md").read_text()
    section = text[text.index("### Rehearsing an operator's nights"): text.index("## In tests:")]
    posts = re.findall(r"curl -s -X POST http://127\.0\.0\.1:8765(/_admin/\w+) -d '(\{.*\})'", section)
    assert len(posts) == 4
    with running_simhub(models=300, datasets=0, seed=1) as hub, httpx.Client(base_url=hub.url) as c:
        for route, body in posts:
            r = c.post(route, content=body)
            assert r.status_code == 200, (route, body, r.text)
            if route.endswith("mutate"):
                assert {k: len(v) for k, v in r.json().items()} == {"edited": 30, "added": 10, "deleted": 3,
                                                                      "counters_changed": 200}
            if '"down": true' in body:
                assert c.get("/api/models").status_code == 503
        assert c.get("/api/models").status_code == 200 and hub.faults.settings.error_rate == 0


def test_times_are_utc_whatever_the_servers_zone(tmp_path) -> None:
    """A cron server in Tokyo: snapshot times, the log's stamps and status all say the same UTC time (the
    store held the machine's local time, 9 hours off the log, repeating an hour at each DST change)."""
    import datetime as dt

    db = tmp_path / "ops.duckdb"
    env = {**os.environ, "TZ": "Asia/Tokyo"}
    with running_simhub(models=200, datasets=0, seed=5) as hub:
        before = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        p = subprocess.run([sys.executable, "-m", "openscope.cli", "--db", str(db), "crawl", "--endpoint", hub.url],
                           capture_output=True, text=True, env=env, timeout=120)
        after = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    assert p.returncode == 0, p.stderr
    started, finished = q(db, "SELECT started_at, finished_at FROM snapshots")[0]
    slack = dt.timedelta(seconds=2)
    assert before - slack <= started <= finished <= after + slack
    stamp = dt.datetime.strptime(p.stderr.splitlines()[0][:20], "%Y-%m-%dT%H:%M:%SZ")
    assert abs(stamp - started) < dt.timedelta(seconds=3)
    st = subprocess.run([sys.executable, "-m", "openscope.cli", "--db", str(db), "status"], capture_output=True,
                        text=True, env=env, timeout=60).stdout
    assert f"started {started:%Y-%m-%d %H:%M:%S} UTC" in st
    doc = json.loads(subprocess.run([sys.executable, "-m", "openscope.cli", "--db", str(db), "--json", "status"],
                                    capture_output=True, text=True, env=env, timeout=60).stdout)
    assert 0 <= doc["counters"]["model"]["age_hours"] < 0.1
