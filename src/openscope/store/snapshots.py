"""Snapshots: every crawl or ingest is one, with a kind and a status, so history is a query.

The snapshot row is committed *before* the work it describes starts, in its own transaction: if the
process is killed, the row stays ``running`` and the next run of the same kind either resumes it
(crawls, from the stored cursor) or marks it ``aborted`` (ingests), never leaving it ambiguous.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import duckdb

from openscope.store.db import Store

KINDS = ("full", "incremental", "counters", "ingest")
STATUSES = ("running", "complete", "failed", "aborted")


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
        sid = con.execute("SELECT coalesce(max(snapshot_id), 0) + 1 FROM snapshots").fetchone()[0]
        con.execute(
            """INSERT INTO snapshots (snapshot_id, kind, source, endpoint, started_at, status, n_records,
                   simulated, repo_type, params)
               VALUES (?, ?, ?, ?, now()::TIMESTAMP, 'running', 0, ?, ?, ?)""",
            [sid, kind, source, endpoint, simulated, repo_type, json.dumps(params or {}, sort_keys=True)],
        )
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
    con.execute(
        f"""UPDATE snapshots SET status = ?, finished_at = now()::TIMESTAMP, message = ?,
               simulated = simulated OR EXISTS (
                   SELECT 1 FROM models WHERE updated_snapshot_id = ? AND synthetic
                   UNION ALL SELECT 1 FROM datasets WHERE updated_snapshot_id = ? AND synthetic)
           WHERE snapshot_id = ?{" AND status = 'running'" if only_if_running else ""}""",
        [status, message, snapshot_id, snapshot_id, snapshot_id],
    )


def add_progress(store: Store, snapshot_id: int, **fields: float | int | str | None) -> None:
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


def abort_stale(store: Store, *, kinds: tuple[str, ...] = ("ingest",)) -> int:
    """Mark runs of these kinds that died mid-way (status still ``running``) as aborted.

    Safe because a writer holds the store's exclusive lock: while we have it open for writing, no other
    process can be running, so a ``running`` row of a non-resumable kind is a dead run. Returns how many.
    """
    marks = ",".join("?" for _ in kinds)
    where = f"status = 'running' AND kind IN ({marks})"
    with store.transaction() as con:
        n = con.execute(f"SELECT count(*) FROM snapshots WHERE {where}", list(kinds)).fetchone()[0]
        con.execute(
            f"""UPDATE snapshots SET status = 'aborted', finished_at = now()::TIMESTAMP,
                    message = 'interrupted (killed or crashed); superseded by a later run' WHERE {where}""",
            list(kinds),
        )
    return int(n)
