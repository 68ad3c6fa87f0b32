"""`openscope ingest PATH`: a bulk file → one ``ingest`` snapshot, in one transaction.

Why one transaction: a kill at any moment leaves the previous state intact (the snapshot row, committed
first, stays ``running`` and is marked ``aborted`` by the next command that opens the store for writing:
``store.snapshots.close_dead_runs``). The ``complete``
mark commits in the same transaction as the data, so a stored snapshot is never recorded as failed (a
Ctrl-C between two commits did that) and a failed one never holds rows.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from openscope.errors import InvalidInput, is_interrupt
from openscope.jobs import RunSummary
from openscope.sources.files import drop_relation, stage_file
from openscope.store import Store
from openscope.store import snapshots as snaps
from openscope.store.normalize import normalize

INTERRUPTED = snaps.INGEST_INTERRUPTED  # recorded on an ingest ended by Ctrl-C (see store.snapshots)


@dataclass
class IngestResult(RunSummary):
    """The contract's `ingest` summary plus the file's format and the counter rows written."""

    format: str = ""
    counters: int = 0
    older_than_moves: int = 0  # entries of ids the Hub moved, older than the crawl that found it (not made live)


def ingest_file(store: Store, path: Path, *, repo_type: str = "model") -> IngestResult:
    t0 = time.monotonic()
    path = Path(path)
    source = f"file:{path.resolve()}"
    snaps.abort_stale(store)
    sid = snaps.begin(store, "ingest", source=source, endpoint=str(path), repo_type=repo_type,
                      params={"path": str(path), "repo_type": repo_type})
    try:
        with store.transaction() as con:
            staged = stage_file(con, path)
            try:
                res = normalize(store, sid, repo_type=repo_type, source=source, counters="changed",
                                locator_prefix=staged.locator_prefix, dump=True)
            except duckdb.Error as exc:  # the file went bad mid-read (e.g. a corrupt gzip stream)
                if is_interrupt(exc):  # a statement after one Ctrl-C stopped: not the file's fault
                    raise
                raise InvalidInput(f"{path}: corrupt or unreadable ({str(exc).splitlines()[0]})")
            if res.records and res.invalid_json == res.records:
                raise InvalidInput(f"{path}: no line is a JSON entry; the file is corrupt or not JSON Lines")
            drop_relation(con, "_stage")
            snaps.add_progress(store, sid, pages=1, n_records=res.records, changed=res.changed,
                               rejects=res.rejects)
            snaps.close(con, sid, "complete")
    except BaseException as exc:
        why = INTERRUPTED if is_interrupt(exc) else (str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        snaps.finish(store, sid, "failed", message=why, only_if_running=True)
        raise
    return IngestResult(
        snapshot_id=sid, status="complete", pages=1, records=res.records, changed=res.changed,
        rejects=res.rejects, api_calls=0, rate_limit_wait_s=0.0, elapsed_s=round(time.monotonic() - t0, 3),
        format=staged.format, counters=res.counters, older_than_moves=res.older_than_moves,
    )
