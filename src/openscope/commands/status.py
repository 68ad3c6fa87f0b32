"""`openscope status`: what the store holds (the contract's `status` shape), and what an operator must know.

Beyond the contract's counts it answers an operator's questions after a night of cron jobs: what did the
last snapshot do (and why did it fail), is a crawl left unfinished and which command resumes it, how old
are the counters, how big is the store. ``status`` opens the store read-only, so while a crawl is writing
it exits 75 naming the crawl: a snapshot it sees ``running`` therefore belongs to a process that died, and
it is shown as it will be recorded (``state`` says ``interrupted``; see ``store.snapshots.as_seen``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from openscope.commands._common import (
    Settings,
    escaped,
    open_for_read,
    out_console,
    print_json,
    settings,
    warn,
)
from openscope.store.card_waits import deferred_cards, deferred_readmes

if TYPE_CHECKING:
    from openscope.store import Store

# store.snapshots (and duckdb with it) is imported by the functions that read snapshots, rich by the text view:
# lineage, license and model import this module for warn_if_behind, and `status` of a missing store answers
# before either is needed (docs/development.md, "Start-up").

_LAST_KEYS = ["snapshot_id", "kind", "source", "started_at", "finished_at", "status", "n_records",
              "repo_type", "endpoint", "pages", "changed", "message"]

# Snapshots that are running or failed (or an ingest a writer closed because it had died) and that no later
# run has superseded: for a crawl, a later crawl with the same options (jobs/crawl.py resumes exactly these:
# same endpoint, repository type and params, minus the refused expand fields the crawl learnt on the way);
# for an ingest, any later ingest.
_UNFINISHED_SQL = """
WITH s AS (
    SELECT *, json_merge_patch(coalesce(params, '{}'), '{"dropped_expand": null}')::VARCHAR AS p
    FROM snapshots
)
SELECT snapshot_id, kind, source, endpoint, repo_type, status, started_at, finished_at, pages, n_records,
       message, params
FROM s
WHERE (status IN ('running', 'failed')
       OR (status = 'aborted' AND NOT list_contains($resumable, kind) AND message = $dead))
  AND NOT EXISTS (SELECT 1 FROM s later
                  WHERE later.snapshot_id > s.snapshot_id AND later.repo_type IS NOT DISTINCT FROM s.repo_type
                    AND ((s.source = 'crawl' AND later.source = 'crawl' AND later.p = s.p
                          AND later.endpoint IS NOT DISTINCT FROM s.endpoint)
                         OR (s.source IS DISTINCT FROM 'crawl' AND later.source IS DISTINCT FROM 'crawl')))
ORDER BY snapshot_id
"""

# The newest complete snapshot that read the counters of every repository it listed: an unfiltered full
# crawl, an unfiltered counters sweep, or an ingest (a dump) that read at least one record. Incremental crawls
# read only what changed. A sweep with --limit/--author/--filter/--search/--since read only some (a `--counters
# --limit 10` was reported as the models' counters read, 10 records, hiding that the rest were days old), and an
# ingest of an empty file read none (it was reported as the counters read now, 0 records).
_COUNTERS_SQL = """
SELECT snapshot_id, kind, finished_at, n_records,
       epoch(now()::TIMESTAMP - finished_at) / 3600.0 AS age_hours
FROM snapshots
WHERE status = 'complete' AND repo_type = ?
  AND ((kind = 'ingest' AND n_records > 0)
       OR (kind IN ('full', 'counters')
           AND NOT coalesce(try_cast(json_extract(params, '$.filtered') AS BOOLEAN), false)))
ORDER BY snapshot_id DESC LIMIT 1
"""


# Who reads a moved repository's old id as its new one. Why per kind: a dataset is no node of the lineage; the
# openness probes grade a model's declared dataset under its new id, and `license --dataset OLD` names the move
# (the status line said "followed by lineage" of datasets too).
_FOLLOWED_BY = {"models": "lineage", "datasets": "the openness probes (a model's declared datasets)"}

def store_bytes(path: Path) -> int | None:
    """The store's size on disk: the database file plus its write-ahead log (None for :memory:)."""
    if str(path) == ":memory:":
        return None
    total = 0
    for p in (path, path.with_name(path.name + ".wal")):
        try:
            total += p.stat().st_size
        except OSError:
            pass
    return total


def resume_command(row: dict[str, Any], db: str) -> str | None:
    """The `openscope crawl` command line that resumes an unfinished crawl (the same kind, type,
    endpoint and filters), or None for an ingest."""
    if row["source"] != "crawl":
        return None
    try:
        params = json.loads(row["params"] or "{}")
    except ValueError:
        params = {}
    args = ["openscope", "--db", db, "crawl", "--endpoint", row["endpoint"] or ""]
    if row["kind"] == "full":
        args.append("--full")
    elif row["kind"] == "counters":
        args.append("--counters")
    if row["repo_type"] == "dataset":
        args.append("--datasets")
    if params.get("author"):
        args += ["--author", str(params["author"])]
    for f in params.get("filters") or []:
        args += ["--filter", str(f)]
    if params.get("search"):
        args += ["--search", str(params["search"])]
    if params.get("since"):
        args += ["--since", str(params["since"])]
    if params.get("limit"):
        args += ["--limit", str(params["limit"])]
    import shlex

    return shlex.join(args)


def _action(row: dict[str, Any], db: str) -> str:
    """What the operator should do about an unfinished snapshot, in one sentence."""
    from openscope.store import snapshots as snaps

    cmd = resume_command(row, db)
    if cmd is not None:
        return f"Resume it with: {cmd} (add --restart to start over, or --abandon to drop it)"
    if row["state"] == "interrupted" or row["message"] == snaps.INGEST_INTERRUPTED:
        # Ctrl-C (recorded as failed with the message `interrupted`): the file was not at fault.
        return "Nothing of it was stored (an ingest is one transaction); ingest the file again"
    return "Nothing of it was stored (an ingest is one transaction); fix the input and ingest it again"


def _unfinished_line(u: dict[str, Any]) -> str:
    from openscope.store import snapshots as snaps

    what = f"{u['kind']} crawl of {u['repo_type']}s" if u["source"] == "crawl" else u["kind"]
    how = ("was interrupted (Ctrl-C)" if u["message"] == snaps.CRAWL_INTERRUPTED
           else "was killed or crashed" if u["state"] == "interrupted" else "failed")
    kept = f", {_plural(u['pages'] or 0, 'page')} kept" if u["source"] == "crawl" else ""
    return (f"#{u['snapshot_id']} {what} {how} (started {u['started_at']:%Y-%m-%d %H:%M} UTC{kept})"
            + (f": {u['message']}" if u["message"] and u["status"] == "failed" else "") + f". {u['action']}")


def _seen(store: Store, row: dict[str, Any]) -> dict[str, Any]:
    """The row with ``status``/``message`` as the store holds them or, for a dead run no writer has closed
    yet, as the next writer records them, and ``state`` (``interrupted`` for a dead run): nothing is written."""
    from openscope.store import snapshots as snaps

    row["status"], row["state"], row["message"] = snaps.as_seen(
        store.con, row["snapshot_id"], row["kind"], row["status"], row["message"])
    return row


def status_doc(store: Store) -> dict:
    from openscope.store import snapshots as snaps

    q = store.scalar
    con = store.con
    last = con.execute(
        f"SELECT {', '.join(_LAST_KEYS)} FROM snapshots ORDER BY snapshot_id DESC LIMIT 1").fetchone()
    ukeys = ["snapshot_id", "kind", "source", "endpoint", "repo_type", "status", "started_at", "finished_at",
             "pages", "n_records", "message", "params"]
    unfinished = []
    for r in con.execute(_UNFINISHED_SQL, {"dead": snaps.DEAD_RUN_MESSAGE,
                                             "resumable": list(snaps.RESUMABLE_KINDS)}).fetchall():
        row = _seen(store, dict(zip(ukeys, r, strict=True)))
        row["action"] = _action(row, str(store.path))
        row["resume"] = resume_command(row, str(store.path))
        del row["params"]
        unfinished.append(row)
    counters: dict[str, Any] = {}
    for rt in ("model", "dataset"):
        c = con.execute(_COUNTERS_SQL, [rt]).fetchone()
        counters[rt] = None if c is None else {
            "snapshot_id": c[0], "kind": c[1], "finished_at": c[2], "records": c[3],
            "age_hours": round(float(c[4]), 2)}
    return {
        "db": str(store.path),
        "schema_version": store.schema_version(),
        "snapshots": q("SELECT count(*) FROM snapshots"),
        "models": q("SELECT count(*) FROM models WHERE deleted_at IS NULL"),
        "datasets": q("SELECT count(*) FROM datasets WHERE deleted_at IS NULL"),
        "rejects": q("SELECT count(*) FROM rejects"),
        "last_snapshot": _seen(store, dict(zip(_LAST_KEYS, last, strict=True))) if last else None,
        "deleted_models": q("SELECT count(*) FROM models WHERE deleted_at IS NOT NULL"),
        "deleted_datasets": q("SELECT count(*) FROM datasets WHERE deleted_at IS NOT NULL"),
        # of the deleted ones, the old ids a full crawl found the Hub redirecting (table `moves`): without it a
        # user saw only deletions and could not tell a rename from a removal (red team, eighteenth session)
        "moved_models": q("SELECT count(*) FROM models WHERE deleted_at IS NOT NULL AND lower(id) IN "
                        "(SELECT lower(old_id) FROM moves WHERE repo_type = 'model')"),
        "moved_datasets": q("SELECT count(*) FROM datasets WHERE deleted_at IS NOT NULL AND lower(id) IN "
                        "(SELECT lower(old_id) FROM moves WHERE repo_type = 'dataset')"),
        # of the live models counted above (a deleted one is in `deleted_models`): with deletions it said
        # "synthetic models 3,006" beside "models 3,004"
        "synthetic_models": q("SELECT count(*) FROM models WHERE synthetic AND deleted_at IS NULL"),
        "edges": q("SELECT count(*) FROM edges"),
        "cards": q("SELECT count(*) FROM cards"),
        # repositories whose card `crawl --cards` could not read and does not ask again yet (docs/crawl.md)
        "cards_waiting": {"readmes": sum(deferred_readmes(store, rt) for rt in ("model", "dataset")),
                          "trees": sum(deferred_cards(store, rt) for rt in ("model", "dataset"))},
        "store_bytes": store_bytes(store.path),
        "counters": counters,
        "unfinished": unfinished,
        "derive_behind": derive_behind(store),
    }


# The newest complete snapshot that wrote repositories (a counters sweep changes no derived fact).
_LATEST_WRITE_SQL = """SELECT max(snapshot_id) FROM snapshots WHERE status = 'complete' AND kind <> 'counters'"""


# Whether the store has recorded its derive runs (migration 0010) since before its first snapshot: then a step
# without a row never ran. In a store upgraded to 0010 later, a missing row only means "not run since".
_STATE_FROM_START_SQL = """SELECT (SELECT min(applied_at) FROM schema_version WHERE version = 10)
                                  <= (SELECT min(started_at) FROM snapshots)"""


def derive_behind(store: Store) -> dict[str, Any] | None:
    """The derive steps that have not run since the newest snapshot that wrote repositories, or None.

    Why: a crawl or ingest killed while deriving (or run with ``--no-derive``) leaves lineage, licences or
    openness describing an older store, and nothing else says so. A step that never recorded a run is
    behind (snapshot ``None``) in a store that kept ``derive_state`` from its first snapshot on: a first
    ingest with ``--no-derive`` left every step unrun, and status said nothing. In a store older than
    migration 0010 a missing row is not reported: unknown is not "behind"."""
    latest = store.scalar(_LATEST_WRITE_SQL)
    if latest is None:
        return None
    rows: dict[str, int | None] = dict(store.con.execute("SELECT step, snapshot_id FROM derive_state").fetchall())
    if store.scalar(_STATE_FROM_START_SQL):
        from openscope.derive import STEPS

        for step, _ in STEPS:
            rows.setdefault(step, None)
    behind = {step: sid for step, sid in sorted(rows.items()) if sid is None or sid < latest}
    return {"snapshot_id": int(latest), "steps": behind} if behind else None


def warn_if_behind(s: Settings, store: Store, *steps: str) -> None:
    """A warning on stderr when a step an answer reads from has not run for the newest snapshot: after an
    ingest with ``--no-derive`` `lineage` said "no declared base: it is a root itself" of a model that
    declares one, with nothing to say the lineage was never derived."""
    behind = derive_behind(store)
    late = [f"{st} was last derived for #{behind['steps'][st]}" if behind["steps"][st] is not None
            else f"{st} was never derived" for st in steps if behind and st in behind["steps"]]
    if behind and late:
        warn(s, f"the newest snapshot is #{behind['snapshot_id']}, but {', '.join(late)} (a derive killed, or "
                "--no-derive): this answer may be out of date; the next crawl or ingest that derives brings it "
                "up to date")


def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:,} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1000
    raise AssertionError


def _ago(hours: float) -> str:
    if hours < 1:
        m = max(0, round(hours * 60))
        return f"{m} minute{'' if m == 1 else 's'} ago"
    if hours < 48:
        return f"{hours:.1f} hours ago"
    return f"{hours / 24:.1f} days ago"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _last_line(last: dict[str, Any]) -> str:
    what = f"{last['kind']} crawl of {last['repo_type']}s" if last["source"] == "crawl" else last["kind"]
    line = (f"#{last['snapshot_id']} {what} · {last['state']} · {_plural(last['n_records'] or 0, 'record')}"
            f" · {last['changed'] or 0:,} changed · {last['source']} · started {last['started_at']:%Y-%m-%d %H:%M:%S} UTC")
    # A dead run's finished_at is when a later writer noticed it (a day later, after an upgrade), an aborted
    # one's when --abandon or --restart gave it up (a Ctrl-C'd crawl of 4 s 'took 476.9 s'): no duration.
    if last["finished_at"] is not None and last["state"] != "interrupted" and last["status"] != "aborted":
        took = (last["finished_at"] - last["started_at"]).total_seconds()
        line += f", took {took:,.1f} s"
    if last["message"]:
        line += f"\n{last['message']}"
    return line


def register(app: typer.Typer) -> None:
    @app.command("status")
    def status(ctx: typer.Context) -> None:
        """Summarise the store: counts, size, the last snapshot, counters' age and unfinished crawls."""
        s = settings(ctx)
        with open_for_read(s) as store:
            doc = status_doc(store)
        if s.json:
            print_json(doc)
            return
        from rich.table import Table  # the text view's only (``--json`` starts without it)

        t = Table(title=f"openscope store {escaped(doc['db'])}", show_header=False, box=None)
        t.add_column(no_wrap=True)
        t.add_column(overflow="fold")  # a long source path wraps whole instead of ending in "…"
        for k in ("schema_version", "snapshots", "models", "datasets", "rejects", "edges", "cards"):
            t.add_row(k, f"{doc[k]:,}" if isinstance(doc[k], int) else str(doc[k]))
        waiting = doc["cards_waiting"]
        if waiting["readmes"] or waiting["trees"]:
            t.add_row("cards waiting", f"{waiting['readmes']:,} READMEs and {waiting['trees']:,} file trees or licence "
                      "files not readable: asked again when their commit changes or their retry_at comes "
                      "(now: crawl --cards --retry-now)")
        for kind in ("models", "datasets"):
            if doc[f"deleted_{kind}"]:
                moved = doc[f"moved_{kind}"]
                t.add_row(f"deleted {kind}", f"{doc[f'deleted_{kind}']:,} (gone from the Hub; history kept)" + (
                    f"; {moved:,} of them moved, their old ids followed by {_FOLLOWED_BY[kind]} (openscope sql "
                    f"\"SELECT * FROM moves\"); only a full crawl finds deletions and moves" if moved else ""))
        if doc["synthetic_models"]:
            t.add_row("synthetic models", f"{doc['synthetic_models']:,} (from a simulated Hub)")
        if doc["store_bytes"] is not None:
            t.add_row("store size", _size(doc["store_bytes"]))
        last = doc["last_snapshot"]
        if last:
            t.add_row("last snapshot", escaped(_last_line(last)))
        for rt, c in doc["counters"].items():
            if c is None:
                continue
            t.add_row(f"counters ({rt}s)", f"read by #{c['snapshot_id']} {c['kind']} on "
                      f"{c['finished_at']:%Y-%m-%d %H:%M} UTC ({_ago(c['age_hours'])}; "
                      f"{_plural(c['records'] or 0, 'record')})")
        for u in doc["unfinished"]:
            t.add_row("needs attention", escaped(_unfinished_line(u)))
        behind = doc["derive_behind"]
        if behind:
            # each step says its own state ("openness (never run) last finished for an older snapshot, or never"
            # read as a contradiction after a first derive killed part-way)
            steps = ", ".join(f"{k} (last run for #{v})" if v is not None else f"{k} (never run)"
                              for k, v in behind["steps"].items())
            t.add_row("needs attention", f"derived tables behind snapshot #{behind['snapshot_id']}: {steps} (a "
                      "derive killed or skipped with --no-derive); the next crawl or ingest that derives brings them "
                      "up to date; until then `lineage`, `model`, `license` and `sql` over them warn")
        out_console().print(t)
