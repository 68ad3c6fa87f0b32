"""Snapshots: every crawl or ingest is one, with a kind and a status, so history is a query.

The snapshot row is committed *before* the work it describes starts, in its own transaction: if the
process is killed, the row stays ``running``. DuckDB lets one process hold a store for writing and then no
other process can open it, so a ``running`` row seen by any command that opened the store is a dead run
unless this very process began it. A crawl resumes its own (from the stored cursor); every other kind
cannot be resumed, so every command that opens the store for writing marks it ``aborted``
(:func:`close_dead_runs`), and read-only commands, which cannot write, show it as it will be recorded
(:func:`as_seen`).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import duckdb

from openscope.store.db import Store

# The messages a run stopped by Ctrl-C records on its snapshot, read back by `status` (kept here, in the store
# layer both sides import, so that the read-only `status` never imports the crawl and with it an HTTP client).
# A crawl stays `running`, resumable (a resume clears it): without this message `status` could only say what it
# says of a dead process, "killed or crashed". An ingest is recorded as failed, and `status` then says to ingest
# the file again, not to fix it.
CRAWL_INTERRUPTED = ("interrupted (Ctrl-C): the pages it committed are kept and the same crawl command "
                     "resumes it")
INGEST_INTERRUPTED = "interrupted"

KINDS = ("full", "incremental", "counters", "ingest")
STATUSES = ("running", "complete", "failed", "aborted")
# Kinds the same command continues after a kill (jobs/crawl.py resumes a ``running`` or ``failed`` crawl from
# its cursor): their dead rows stay ``running``, which is how the crawl finds them. Every other kind is closed.
RESUMABLE_KINDS = ("full", "incremental", "counters")
# What a writer records on a dead run it closes (the message ingests have always recorded).
DEAD_RUN_MESSAGE = "interrupted (killed or crashed); superseded by a later run"
# What a read-only command says of a dead run no writer has closed yet (it cannot write the mark itself).
SEEN_DEAD_MESSAGE = "interrupted (killed or crashed): no process is running it; nothing of it was stored"
SEEN_DEAD_CRAWL_MESSAGE = ("interrupted (killed or crashed): no process is running it; the pages it committed are "
                           "kept and the same crawl command resumes it")

# Snapshots this process began and has not closed, per store file: the only ``running`` rows that are alive
# (a second connection to the same file in this process must not close the run the first one is doing).
_live: set[tuple[str, int]] = set()


def _store_key(con: duckdb.DuckDBPyConnection) -> str:
    """The store's file as DuckDB resolved it (``:memory:`` for an in-memory store)."""
    row = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    return str(row[0]) if row and row[0] else ":memory:"


def live_runs(con: duckdb.DuckDBPyConnection) -> list[int]:
    """The snapshot ids this process is running in the store of ``con`` (begun, not yet closed)."""
    key = _store_key(con)
    return sorted(sid for k, sid in _live if k == key)


@dataclass
class Snapshot:
    snapshot_id: int
    kind: str
    source: str | None
    endpoint: str | None
    status: str
    params: dict[str, Any]
    cursor: str | None


def begin(
    store: Store,
    kind: str,
    *,
    source: str,
    endpoint: str | None = None,
    repo_type: str = "model",
    params: dict[str, Any] | None = None,
    simulated: bool = False,
) -> int:
    if kind not in KINDS:
        raise ValueError(f"unknown snapshot kind {kind!r}")
    with store.transaction() as con:
        sid = con.execute("SELECT coalesce(max(snapshot_id), 0) + 1 FROM snapshots").fetchone()[0]  # type: ignore[index]  # an aggregate always yields one row
        con.execute(
            """INSERT INTO snapshots (snapshot_id, kind, source, endpoint, started_at, status, n_records,
                   simulated, repo_type, params)
               VALUES (?, ?, ?, ?, now()::TIMESTAMP, 'running', 0, ?, ?, ?)""",
            [sid, kind, source, endpoint, simulated, repo_type, json.dumps(params or {}, sort_keys=True)],
        )
    _live.add((_store_key(store.con), int(sid)))
    return int(sid)


def finish(store: Store, snapshot_id: int, status: str, message: str | None = None, *,
           only_if_running: bool = False) -> None:
    """Close a snapshot in its own transaction; ``simulated`` becomes true if any record it wrote is synthetic.

    ``only_if_running`` leaves a snapshot that is already closed as it is: a failure handler must not turn a
    run whose data and ``complete`` mark committed together into ``failed`` (a Ctrl-C right after the commit).
    """
    with store.transaction() as con:
        close(con, snapshot_id, status, message, only_if_running=only_if_running)


def close(con: duckdb.DuckDBPyConnection, snapshot_id: int, status: str, message: str | None = None, *,
          only_if_running: bool = False) -> None:
    """The closing statement alone, for a caller that commits it with the run's data in one transaction."""
    if status not in STATUSES:
        raise ValueError(f"unknown snapshot status {status!r}")
    # The clock now, not DuckDB's now(), which is the *transaction's* start: an ingest closes its snapshot in
    # the transaction that loaded the file, and a 200,000-entry ingest of 6 s was recorded as taking 0.0 s.
    ended = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con.execute(
        f"""UPDATE snapshots SET status = ?, finished_at = ?, message = ?,
               simulated = simulated OR EXISTS (
                   SELECT 1 FROM models WHERE updated_snapshot_id = ? AND synthetic
                   UNION ALL SELECT 1 FROM datasets WHERE updated_snapshot_id = ? AND synthetic)
           WHERE snapshot_id = ?{" AND status = 'running'" if only_if_running else ""}""",
        [status, ended, message, snapshot_id, snapshot_id, snapshot_id],
    )
    _live.discard((_store_key(con), int(snapshot_id)))


def add_progress(store: Store, snapshot_id: int, **fields: float | int | str | dt.datetime | None) -> None:
    """Increment counters (pages, n_records, changed, rejects, api_calls, rate_limit_wait_s) and set
    cursor/watermark. Call inside the page's transaction so progress and data commit together."""
    sets, args = [], []
    for key, value in fields.items():
        if key in ("cursor", "watermark", "message"):
            sets.append(f"{key} = ?")
        elif key == "watermark_max":
            sets.append("watermark = greatest(coalesce(watermark, ?::TIMESTAMP), ?::TIMESTAMP)")
            args.append(value)
        else:
            sets.append(f"{key} = coalesce({key}, 0) + ?")
        args.append(value)
    if sets:
        store.con.execute(f"UPDATE snapshots SET {', '.join(sets)} WHERE snapshot_id = ?", [*args, snapshot_id])


def latest(store: Store, *, kind: str | None = None, status: str | None = None, source: str | None = None,
           repo_type: str | None = None) -> Snapshot | None:
    where, args = [], []
    for col, val in (("kind", kind), ("status", status), ("source", source), ("repo_type", repo_type)):
        if val is not None:
            where.append(f"{col} = ?")
            args.append(val)
    sql = "SELECT snapshot_id, kind, source, endpoint, status, params, cursor FROM snapshots"
    if where:
        sql += " WHERE " + " AND ".join(where)
    row = store.con.execute(sql + " ORDER BY snapshot_id DESC LIMIT 1", args).fetchone()
    if not row:
        return None
    return Snapshot(row[0], row[1], row[2], row[3], row[4], json.loads(row[5] or "{}"), row[6])


def _dead_where(kinds: tuple[str, ...] | None, live: list[int]) -> tuple[str, list]:
    """The WHERE clause selecting dead runs: ``running``, not resumable (or of ``kinds``), not ours."""
    args: list[str | int]
    if kinds is None:
        where, args = f"status = 'running' AND kind NOT IN ({','.join('?' for _ in RESUMABLE_KINDS)})", \
            list(RESUMABLE_KINDS)
    else:
        where, args = f"status = 'running' AND kind IN ({','.join('?' for _ in kinds)})", list(kinds)
    if live:
        where += f" AND snapshot_id NOT IN ({','.join('?' for _ in live)})"
        args += live
    return where, args


def close_dead_runs(store: Store, *, kinds: tuple[str, ...] | None = None) -> int:
    """Mark the dead runs that nothing can resume ``aborted`` (every kind but a crawl's, unless ``kinds``
    names them); returns how many. Run by every open for writing (:func:`openscope.store.db.open_store`).

    Safe because a writer holds the store's exclusive lock: no other process can be running, so a
    ``running`` row that this process did not begin is a dead run. Writes nothing when there is none
    (a store's file is not touched by a command that only looks).
    """
    if store.read_only or store.scalar(
            """SELECT count(*) FROM information_schema.columns WHERE table_catalog = current_database()
                 AND table_schema = 'main' AND table_name = 'snapshots'
                 AND column_name IN ('snapshot_id', 'kind', 'status', 'finished_at', 'message')""") < 5:
        return 0  # a layout without the columns (no snapshot can be running in it)
    where, args = _dead_where(kinds, live_runs(store.con))
    if not store.scalar(f"SELECT count(*) FROM snapshots WHERE {where}", args):
        return 0
    with store.transaction() as con:
        n = con.execute(  # type: ignore[index]  # DuckDB's DML yields one row, its count
            f"""UPDATE snapshots SET status = 'aborted', finished_at = now()::TIMESTAMP, message = ?
                WHERE {where}""", [DEAD_RUN_MESSAGE, *args]).fetchone()[0]
    return int(n)


def abort_stale(store: Store, *, kinds: tuple[str, ...] = ("ingest",)) -> int:
    """Mark runs of these kinds that died mid-way (status still ``running``) as aborted (see
    :func:`close_dead_runs`, which every open for writing already ran). Returns how many."""
    return close_dead_runs(store, kinds=kinds)


def is_dead_mark(kind: str, status: str, message: str | None) -> bool:
    """True for a run a writer closed because it had died (killed or crashed), not one that ended."""
    return status == "aborted" and kind not in RESUMABLE_KINDS and message == DEAD_RUN_MESSAGE


def as_seen(con: duckdb.DuckDBPyConnection, snapshot_id: int, kind: str, status: str,
            message: str | None) -> tuple[str, str, str | None]:
    """``(status, state, message)`` of a snapshot as a reader must report it: the ``status`` the store holds
    or, for a dead run no writer has closed yet, the one the next writer records (a value of the contract's
    enum); ``state`` is ``interrupted`` for a dead run (killed or crashed), else the status.

    Why: a reader sees a ``running`` row only when no process holds the store for writing (DuckDB lets no
    reader in beside a writer), so the run is dead unless this process began it; showing it ``running``
    told operators and scripts a run was in progress that was not. Nothing is written here.
    """
    if status == "running" and snapshot_id not in live_runs(con):
        if kind in RESUMABLE_KINDS:
            return "running", "interrupted", message or SEEN_DEAD_CRAWL_MESSAGE
        return "aborted", "interrupted", SEEN_DEAD_MESSAGE
    if is_dead_mark(kind, status, message):
        return status, "interrupted", message
    return status, status, message
