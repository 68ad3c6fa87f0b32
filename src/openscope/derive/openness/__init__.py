"""Openness grading: MOF components as facts, probes, and three evaluations (MOF, OSAID 1.0, OSAI).

:func:`refresh` is the derive step the pipeline calls after lineage and licences. It grades every
model set-based from metadata (:mod:`.sql`), then re-grades individually the models that have card
text or a curated entry (:mod:`.assessment`), writing the ``openness`` table for the latest snapshot.
"""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import pyarrow as pa

    from openscope.derive.openness.assessment import Assessment, assess_record
    from openscope.derive.openness.records import ModelRecord, bulk_from_store, finish
    from openscope.derive.openness.sql import osaid_evidence, refresh_metadata
    from openscope.store import Store

__all__ = ["Assessment", "assess_record", "record_history", "refresh", "refresh_cards", "openness_rows"]

# The names this package gives that the grading modules define, imported on first use (:func:`_load`).
_LAZY = ("pa", "Assessment", "assess_record", "ModelRecord", "bulk_from_store", "finish",
         "osaid_evidence", "refresh_metadata")


def _load() -> None:
    """Import the grading modules (every probe, the evaluations, DuckDB's and Arrow's bindings) into this package's
    namespace, once, keeping any name already set there (a test's stand-in for ``assess_record``). Why: importing
    a submodule imports this package first, and ``openscope license ID`` needs only the licence probe and the
    flags (``licenses.card.card_license``); loading every probe for it cost about half a second."""
    g = globals()
    if all(n in g for n in _LAZY):
        return
    import pyarrow

    from openscope.derive.openness import assessment, records, sql

    found = {"pa": pyarrow, "Assessment": assessment.Assessment,
             "assess_record": assessment.assess_record, "ModelRecord": records.ModelRecord,
             "bulk_from_store": records.bulk_from_store, "finish": records.finish,
             "osaid_evidence": sql.osaid_evidence, "refresh_metadata": sql.refresh_metadata}
    for name, value in found.items():
        g.setdefault(name, value)


def __getattr__(name: str) -> Any:
    """The lazily imported names (:data:`_LAZY`), loaded on first access from outside the package. (Submodules are
    not among them: ``from openscope.derive.openness import curated`` asks for the attribute first, and an
    AttributeError lets the import system load the submodule.)"""
    if name in _LAZY:
        _load()
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _snapshot(store: Store) -> int | None:
    v = store.scalar("SELECT max(snapshot_id) FROM snapshots WHERE status = 'complete'")
    if v is None:
        v = store.scalar("SELECT max(snapshot_id) FROM snapshots")
    return int(v) if v is not None else None


def openness_rows(a: Assessment) -> list[tuple[str, str, str | None, float | None, str | None]]:
    """(framework, dimension, grade, score, evidence JSON) rows of one assessment, as :mod:`.sql` writes."""
    _load()
    rows: list[tuple[str, str, str | None, float | None, str | None]] = []
    for dim, g in a.osai.items():
        if dim == "score":
            rows.append(("osai", "score", None, g, None))
        else:
            rows.append(("osai", dim, g, {"open": 1.0, "partial": 0.5, "closed": 0.0}.get(g), None))
    rows.append(("mof", "class", a.mof.label, float(a.mof.cls), None))
    for k, v in a.mof.progress.items():
        rows.append(("mof", f"progress_{k}", None, float(v), None))
    rows.append(("osaid", "verdict", a.osaid.verdict, None, json.dumps(osaid_evidence(a.osaid.missing, a.osaid.notes))))
    for name, c in a.components.items():
        rows.append(("component", name, c.status, None,
                     json.dumps({"license": c.license, "evidence": [e.as_json() for e in c.stored_evidence()]})))
    return rows


def _card_ids(store: Store) -> list[str]:
    """Models with card text or licence texts the crawl read (``license_texts``), and models a curated entry
    names."""
    from openscope.derive.openness import curated

    ids = {r[0] for r in store.con.execute(
        "SELECT DISTINCT c.id FROM cards c JOIN models m ON m.id = c.id "
        "WHERE c.repo_type = 'model' AND c.text IS NOT NULL AND m.deleted_at IS NULL "
        "UNION SELECT DISTINCT t.id FROM license_texts t JOIN models m ON m.id = t.id "
        "WHERE t.repo_type = 'model' AND m.deleted_at IS NULL").fetchall()}
    likes = [str(p).lower().replace("*", "%") for e in curated.entries() for p in e.get("hub_ids") or ()]
    if likes:
        cond = " OR ".join("lower(id) LIKE ?" for _ in likes)
        ids |= {r[0] for r in store.con.execute(
            f"SELECT id FROM models WHERE deleted_at IS NULL AND ({cond})", likes).fetchall()}
    mof_ids = list(curated.mof_records())
    if mof_ids:
        ids |= {r[0] for r in store.con.execute(
            "SELECT id FROM models WHERE deleted_at IS NULL AND lower(id) IN (SELECT unnest(?::VARCHAR[]))",
            [mof_ids]).fetchall()}
    return sorted(ids)


PARALLEL_FROM = 2000   # below this many cards, worker start-up costs more than it saves


def _grade_batch(recs: list[ModelRecord], snapshot_id: int | None) -> tuple[list[tuple], list[tuple[str, str]]]:
    """(rows, (id, why) of the cards not graded): a card whose assessment raises is left out, never the
    batch with it."""
    _load()
    out: list[tuple] = []
    failed: list[tuple[str, str]] = []
    for rec in recs:
        try:
            a = assess_record(finish(rec))
        except Exception as exc:  # noqa: BLE001 - one hostile card must not cost the other cards their grades
            failed.append((rec.id, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:500]))
            continue
        out.extend((snapshot_id, rec.id, *row, "card") for row in openness_rows(a))
    return out, failed


def _rows_table(rows: list[tuple]) -> pa.Table:
    """The ``openness`` columns of card-pass rows (as :func:`_grade_batch` gives them), as one Arrow table: the
    form :func:`refresh_cards` inserts."""
    _load()
    cols = list(zip(*rows, strict=True)) if rows else [()] * 8
    return pa.table({
        "snapshot_id": pa.array(cols[0], pa.int64()), "id": pa.array(cols[1], pa.string()),
        "framework": pa.array(cols[2], pa.string()), "dimension": pa.array(cols[3], pa.string()),
        "grade": pa.array(cols[4], pa.string()), "score": pa.array(cols[5], pa.float64()),
        "evidence": pa.array(cols[6], pa.string()), "method": pa.array(cols[7], pa.string()),
    })


def _grade_batch_table(recs: list[ModelRecord], snapshot_id: int | None) -> tuple[pa.Table, list[tuple[str, str]]]:
    """:func:`_grade_batch`, its rows as :func:`_rows_table` makes them. Why: a worker turning its own rows into
    columns does it while the other grades; the parent doing it for all 350,000 rows of 10,000 cards (about 1 s),
    and unpickling them as tuples first, did it after the last batch, with the other processor idle."""
    rows, failed = _grade_batch(recs, snapshot_id)
    return _rows_table(rows), failed


def _worker_ignores_ctrl_c() -> None:
    """A worker leaves Ctrl-C to the parent: a terminal sends SIGINT to the whole process group, and each
    worker would print its own KeyboardInterrupt traceback; the parent ends its workers itself."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


_Part = TypeVar("_Part")


def _graded_parts(batches: Iterable[list[ModelRecord]], snapshot_id: int | None, workers: int,
                  grade: Callable[[list[ModelRecord], int | None], tuple[_Part, list[tuple[str, str]]]]
                  ) -> tuple[list[_Part], list[tuple[str, str]]]:
    """Grade batches in worker processes with ``grade`` (a module-level function, which a worker can import): what
    it gives for each batch (its rows, or their table), in the batches' order, then for the halves of broken ones.
    A worker that dies (a crash in a parser, the OOM killer) breaks the pool and every batch in flight; those
    batches are halved and graded again in a fresh pool until the card that kills a worker is alone in its batch,
    and only that one is left out.

    ``batches`` may be a generator that reads them from the store: each is sent to the pool as soon as it is read.
    Why: the workers start (an interpreter and the probes' imports each) and grade the first batches while the
    parent still reads the rest; reading every record first left both processors idle for the reading's 1.6 s of
    10,000 cards, and then for the workers' start."""
    ctx = multiprocessing.get_context("spawn")
    out: list[_Part] = []
    failed: list[tuple[str, str]] = []
    todo: Iterable[list[ModelRecord]] | None = batches   # this round's batches: the stream, then the halves
    while todo is not None:
        broken: list[list[ModelRecord]] = []
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_ignores_ctrl_c) as pool:
            try:
                futures = [(pool.submit(grade, b, snapshot_id), b) for b in todo]
                for fut, b in futures:
                    try:
                        part, lost = fut.result()
                    except Exception:  # noqa: BLE001 - BrokenProcessPool, or a batch that could not be sent
                        broken.append(b)
                        continue
                    out.append(part)
                    failed.extend(lost)
            except BaseException:
                # Ctrl-C (or any error) in the parent: the batches still queued are dropped, not graded,
                # before the pool's exit waits for the ones running.
                pool.shutdown(wait=False, cancel_futures=True)
                raise
        todo = _halves(broken, failed) or None   # a round with nothing broken is the last
    return out, failed


def _halves(broken: list[list[ModelRecord]], failed: list[tuple[str, str]]) -> list[list[ModelRecord]]:
    """The batches a dead worker took with it, each cut in two to be graded again; a card alone in its batch is
    the one that kills a worker, and is added to ``failed`` instead."""
    again: list[list[ModelRecord]] = []
    for b in broken:
        if len(b) == 1:
            failed.append((b[0].id, "its assessment could not run in a worker process (the worker died)"))
        else:
            again += [b[: len(b) // 2], b[len(b) // 2:]]
    return again


BATCH = 100   # cards per worker batch: small enough that the last batches end close together (one worker idle
              # at most ~1 s at the end), large enough that sending them costs nothing that shows


FIRST_READ = 4   # batches read before the rest: one for each worker (up to 4) to start on


def _batches(store: Store, todo: list[str], size: int = BATCH) -> Iterator[list[ModelRecord]]:
    """The records of ``todo`` (cards not parsed: the workers parse them), ``size`` at a time, as they are read.
    (It loads the grading modules itself, as :func:`_grade_batch` does: a caller need not have.)

    The first ``FIRST_READ`` batches' records are read on their own, before the rest in the store's usual chunks
    of 2,000 (the same records: each chunk is read on its own anyway). Why: a worker process starts when the first
    batch is sent to it, and reading 2,000 records first (about 0.3 s) kept both processors waiting for it."""
    _load()
    first = FIRST_READ * size
    batch: list[ModelRecord] = []
    for rec in itertools.chain(bulk_from_store(store, todo[:first], parse=False),
                               bulk_from_store(store, todo[first:], parse=False)):
        batch.append(rec)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def refresh_cards(store: Store, snapshot_id: int | None, ids: Iterable[str] | None = None,
                  parallel_from: int = PARALLEL_FROM) -> int:
    """Per-model assessment (card text, curated facts) for ``ids``; replaces their rows. Returns how many
    models were graded: a model whose card could not be assessed keeps its metadata rows, and gets a
    ``rejects`` row (source ``openness``) saying why, so the loss is visible and can be reported."""
    _load()
    todo = list(ids) if ids is not None else _card_ids(store)
    if not todo:
        return 0
    workers = min(os.cpu_count() or 1, 4)
    if len(todo) >= parallel_from and workers > 1:
        # Probes are pure functions of a record: grade chunks in worker processes (cards parsed there), each sent
        # as soon as it is read from the store.
        parts, failed = _graded_parts(_batches(store, todo), snapshot_id, workers, _grade_batch_table)
        batch = pa.concat_tables(parts) if parts else _rows_table([])
    else:
        out, failed = _grade_batch(list(bulk_from_store(store, todo)), snapshot_id)
        batch = _rows_table(out)
    graded = sorted(set(todo) - {i for i, _ in failed})
    if failed:
        with store.transaction() as con:
            con.executemany(
                "INSERT INTO rejects (snapshot_id, source, locator, raw, reason, rejected_at) "
                "VALUES (?, 'openness', ?, NULL, ?, now()::TIMESTAMP)",
                [[snapshot_id, i, f"card not assessed: {why}"] for i, why in failed])
    if not graded:
        return 0
    with store.transaction() as con:
        con.register("_ocids", pa.table({"id": pa.array(graded, pa.string())}))
        con.execute("CREATE OR REPLACE TEMP TABLE _oc AS SELECT id FROM _ocids")
        con.unregister("_ocids")
        con.execute("DELETE FROM openness WHERE snapshot_id IS NOT DISTINCT FROM ? AND id IN (SELECT id FROM _oc)",
                    [snapshot_id])
        con.register("_ocrows", batch)
        con.execute("INSERT INTO openness (snapshot_id, id, framework, dimension, grade, score, evidence, method) "
                    "SELECT snapshot_id, id, framework, dimension, grade, score, evidence::JSON, method FROM _ocrows")
        con.unregister("_ocrows")
        con.execute("DROP TABLE _oc")
    return len(graded)


def refresh(store: Store) -> dict[str, float]:
    """The derive step: metadata grades for all models, then card/curated grades where available, then the
    history of headline grades (:func:`record_history`)."""
    _load()
    sid = _snapshot(store)
    t0 = time.perf_counter()
    n_meta = refresh_metadata(store, sid)
    t1 = time.perf_counter()
    n_card = refresh_cards(store, sid)
    t2 = time.perf_counter()
    n_hist = record_history(store, sid)
    return {"models": n_meta, "cards": n_card, "history_rows": n_hist, "metadata_s": t1 - t0,
            "cards_s": t2 - t1, "history_s": time.perf_counter() - t2}


# The grades whose changes are kept per model and snapshot (migration 0009): one row each per model.
HEADLINE = ("osaid/verdict", "mof/class", "osai/score")


def record_history(store: Store, snapshot_id: int | None) -> int:
    """Keep the grades of ``snapshot_id`` only, after adding to ``openness_history`` the headline grades that
    are new or changed since the model's previous history row. Returns the number of history rows added.

    Why: re-grading after every snapshot wrote a full copy of every model's 35 grades each time, so the
    store grew by 35 rows per model per snapshot although almost no grade changes between snapshots. The
    history compares with the history itself (its latest row per model before this snapshot), not with
    older ``openness`` rows, so a re-run of the same snapshot, or a refresh killed before this step, still
    records each change once. One transaction: a failure leaves both tables as they were.
    """
    heads = ", ".join(f"'{h}'" for h in HEADLINE)
    with store.transaction() as tx:
        tx.execute("DELETE FROM openness_history WHERE snapshot_id IS NOT DISTINCT FROM ?", [snapshot_id])
        n = tx.execute(
            f"""INSERT INTO openness_history (snapshot_id, id, framework, dimension, grade, score, method)
            WITH prev AS (
                SELECT id, framework, dimension, grade, score FROM openness_history
                WHERE snapshot_id < ? OR (snapshot_id IS NULL AND ? IS NOT NULL)
                QUALIFY row_number() OVER (PARTITION BY id, framework, dimension
                                           ORDER BY snapshot_id DESC NULLS LAST) = 1
            )
            SELECT n.snapshot_id, n.id, n.framework, n.dimension, n.grade, n.score, n.method
            FROM openness n LEFT JOIN prev p USING (id, framework, dimension)
            WHERE n.snapshot_id IS NOT DISTINCT FROM ? AND n.framework || '/' || n.dimension IN ({heads})
              AND (p.id IS NULL OR p.grade IS DISTINCT FROM n.grade OR p.score IS DISTINCT FROM n.score)""",
            [snapshot_id, snapshot_id, snapshot_id],
        ).fetchone()[0]  # type: ignore[index]  # DML yields one row, its count
        tx.execute("DELETE FROM openness WHERE snapshot_id IS DISTINCT FROM ?", [snapshot_id])
    return int(n)
