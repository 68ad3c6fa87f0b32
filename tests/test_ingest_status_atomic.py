"""An ingest's ``complete`` mark commits with its data: a stored snapshot is never recorded as failed.

Before, the data transaction committed and the ``complete`` mark followed in a second one; a Ctrl-C in
between left rows stored under a snapshot marked ``failed``. Here a Ctrl-C is injected at the two points
around the shared commit (fault injection around the real code, which runs in full), and the store must
satisfy: the snapshot is ``complete`` exactly when its rows are stored.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

from openscope.jobs import ingest as ingest_job
from openscope.store import open_store
from openscope.store import snapshots as snaps


def _entries(path: Path, prefix: str, n: int) -> Path:
    path.write_text("".join(json.dumps({"id": f"{prefix}/m{i}", "tags": ["license:mit"]}) + "\n" for i in range(n)))
    return path


def _state(db: Path) -> tuple[str, int]:
    store = open_store(db, read_only=True)
    try:
        sid, status = store.con.execute(
            "SELECT snapshot_id, status FROM snapshots ORDER BY snapshot_id DESC LIMIT 1").fetchone()
        n = store.scalar("SELECT count(*) FROM models WHERE first_snapshot_id = ?", [sid])
        return status, int(n)
    finally:
        store.close()


def test_ctrl_c_on_the_complete_mark_rolls_back_data_and_mark_together(tmp_path: Path, monkeypatch) -> None:
    db = tmp_path / "s.duckdb"
    real_close = snaps.close

    def close_then_interrupt(con, sid, status, *a, **kw):  # the mark is written, then Ctrl-C lands
        real_close(con, sid, status, *a, **kw)
        if status == "complete":
            raise KeyboardInterrupt

    monkeypatch.setattr(snaps, "close", close_then_interrupt)
    store = open_store(db, create=True)
    try:
        with pytest.raises(KeyboardInterrupt):
            ingest_job.ingest_file(store, _entries(tmp_path / "a.jsonl", "a", 50))
    finally:
        store.close()
    assert _state(db) == ("failed", 0)


def test_ctrl_c_right_after_the_commit_leaves_a_complete_snapshot(tmp_path: Path, monkeypatch) -> None:
    db = tmp_path / "s.duckdb"
    calls = {"n": 0}
    real = time.monotonic

    def monotonic() -> float:  # ingest_file's first call: its start time; its next one follows the commit
        if sys._getframe(1).f_code is ingest_job.ingest_file.__code__:
            calls["n"] += 1
            if calls["n"] == 2:
                raise KeyboardInterrupt
        return real()

    store = open_store(db, create=True)
    try:
        monkeypatch.setattr(ingest_job.time, "monotonic", monotonic)
        with pytest.raises(KeyboardInterrupt):
            ingest_job.ingest_file(store, _entries(tmp_path / "a.jsonl", "a", 50))
        monkeypatch.setattr(ingest_job.time, "monotonic", real)
    finally:
        store.close()
    assert _state(db) == ("complete", 50)


def test_a_later_failure_handler_never_reopens_a_closed_snapshot(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.duckdb", create=True)
    try:
        sid = snaps.begin(store, "ingest", source="file:x")
        snaps.finish(store, sid, "complete")
        snaps.finish(store, sid, "failed", message="interrupted", only_if_running=True)
        assert store.con.execute("SELECT status, message FROM snapshots WHERE snapshot_id = ?",
                                 [sid]).fetchone() == ("complete", None)
    finally:
        store.close()
