"""The card pass's sixth speed round (twenty-ninth session) writes exactly what it wrote before.

Why: the workers now turn their rows into the ``openness`` columns themselves (:func:`_grade_batch_table`), and the
parent joins their tables where it built one table from every row after the last batch; a column made in another
type, order or length, or a batch's table dropped or repeated, would change the stored grades with no test of a
grade noticing.
(:func:`_worker_start`), which must leave what it grades unchanged and the worker still ignoring Ctrl-C.
"""

from __future__ import annotations

import random
from pathlib import Path

import pyarrow as pa
import pytest

from bench.invariance import dev_cards
from openscope.derive.openness import (
    FIRST_READ,
    _batches,
    _grade_batch,
    _grade_batch_table,
    _graded_parts,
    _rows_table,
    refresh_cards,
)
from openscope.derive.openness.records import ModelRecord, bulk_from_store, from_text
from openscope.store import open_store


def _table_as_built_before(out: list[tuple]) -> pa.Table:
    """Verbatim the table ``refresh_cards`` built from every row before this round."""
    cols = list(zip(*out, strict=True))
    return pa.table({
        "snapshot_id": pa.array(cols[0], pa.int64()), "id": pa.array(cols[1], pa.string()),
        "framework": pa.array(cols[2], pa.string()), "dimension": pa.array(cols[3], pa.string()),
        "grade": pa.array(cols[4], pa.string()), "score": pa.array(cols[5], pa.float64()),
        "evidence": pa.array(cols[6], pa.string()), "method": pa.array(cols[7], pa.string()),
    })


def _dev_records() -> list[ModelRecord]:
    recs = []
    for fam, hub, text, _ in dev_cards():
        rec = from_text(hub, text, locator=fam + ".md")
        rec.files = [("model.safetensors", 1), ("config.json", 1)]
        recs.append(rec)
    return recs


def _store(tmp_path: Path, n: int):  # noqa: ANN202 - a Store
    """``n`` models with distinct small cards (hardware, a code link, benchmarks), as the card pass reads them."""
    store = open_store(tmp_path / "s.duckdb")
    store.con.execute("INSERT INTO snapshots (snapshot_id, kind, started_at, status) "
                      "VALUES (1, 'ingest', now(), 'complete')")
    store.con.execute("INSERT INTO models (id, license, first_snapshot_id, last_snapshot_id) "
                      "SELECT 'o/m' || i, ['mit', 'llama2', NULL][1 + i % 3], 1, 1 FROM range(?) t(i)", [n])
    store.con.execute(
        "INSERT INTO cards (id, repo_type, text, fetched_at, snapshot_id) SELECT 'o/m' || i, 'model', "
        "'# M\n\nTrained on ' || i || ' A100 GPUs. Code: [code](https://github.com/o/m' || i || ').\n' || "
        "repeat('Evaluated on MMLU. ', i % 4), now(), 1 FROM range(?) t(i)", [n])
    return store


@pytest.mark.reference
def test_the_joined_batch_tables_are_the_table_of_every_row() -> None:
    """The development cards cut into batches at random places: the batches' tables joined equal the table the
    parent built from all their rows (values, types, order), with an empty batch among them."""
    recs = _dev_records()
    rows, failed = _grade_batch(recs, 7)
    assert not failed and rows
    expected = _table_as_built_before(rows)
    rnd = random.Random(29)
    for _ in range(5):
        cuts = sorted(rnd.sample(range(1, len(recs)), 6))
        parts = [recs[a:b] for a, b in zip([0, *cuts], [*cuts, len(recs)], strict=True)]
        tables = [_grade_batch_table(p, 7)[0] for p in parts] + [_grade_batch_table([], 7)[0]]
        joined = pa.concat_tables(tables)
        assert joined.schema == expected.schema
        assert joined.equals(expected)
        assert joined.to_pylist() == expected.to_pylist()


def test_rows_table_on_random_rows_is_the_table_built_before() -> None:
    """Random rows with the values a row can hold (None, unicode, NaN-free floats, a null snapshot)."""
    rnd = random.Random(7)
    words = [None, "", "open", "partial", "é", "模型", '{"a": [1, 2]}', "x" * 300]
    for _ in range(200):
        sid = rnd.choice([None, 1, 2**40])
        rows = [(sid, f"o/m{rnd.randint(0, 9)}", rnd.choice(words), rnd.choice(words), rnd.choice(words),
                 rnd.choice([None, 0.0, 0.5, 1.0, 3.25]), rnd.choice(words), "card") for _ in range(rnd.randint(1, 40))]
        got = _rows_table(rows)
        assert got.equals(_table_as_built_before(rows)) and got.num_rows == len(rows)
    empty = _rows_table([])
    assert empty.num_rows == 0 and empty.schema == _table_as_built_before([(1, "a", "b", "c", "d", 1.0, "e", "f")]).schema


@pytest.mark.timeout(180)
def test_graded_tables_from_workers_are_the_rows_of_one_process() -> None:
    """Batches graded as tables in two workers, one with a card that raises and one with a card that cannot be sent
    (its batch halved until it is alone): the same rows, in the same order, and the same cards left out, as
    :func:`_grade_batch` in this process gives."""
    good = [from_text(f"org/good{i}", f"---\nlicense: mit\n---\n# Model {i}\n\nTrained on {i} GPUs.\n")
            for i in range(6)]
    raising = ModelRecord(id="org/raises", locator="x", read_at="2024-01-01")
    raising.files = None  # type: ignore[assignment]  # not a list: every file probe raises on it
    unsendable = from_text("org/unsendable", "# M\n")
    unsendable.cache["unpicklable"] = lambda: None
    batches = [[good[0], raising, good[1]], [good[2], unsendable, good[3]], [raising], [good[4], good[5]]]
    parts, failed = _graded_parts(batches, 3, 2, _grade_batch_table)
    assert sorted(i for i, _ in failed) == ["org/raises", "org/raises", "org/unsendable"]
    got = pa.concat_tables(parts).to_pylist()
    # the halves of the broken batch come after the stream, in order: [good2], [unsendable, good3] -> [unsendable], [good3]
    order = [[good[0], good[1]], [], [good[4], good[5]], [good[2]], [good[3]]]
    want = [row for recs in order for row in _grade_batch(recs, 3)[0]]
    assert got == _table_as_built_before(want).to_pylist()


def test_batches_read_first_apart_are_the_records_read_at_once(tmp_path: Path) -> None:
    """The first batches' records read on their own, then the rest: the same records, in the same batches, as
    one reading of them all gives (sizes around ``FIRST_READ`` batches, and fewer cards than it)."""
    store = _store(tmp_path, 23)
    try:
        ids = [f"o/m{i}" for i in range(23)]
        for size in (1, 2, 3, 5, 6, 7, 40):
            at_once = list(bulk_from_store(store, ids, parse=False))
            want = [at_once[i:i + size] for i in range(0, len(at_once), size)]
            assert list(_batches(store, ids, size=size)) == want, size
            assert list(_batches(store, ids[:size], size=size)) == want[:1], size
        assert FIRST_READ * 3 < 23   # the rest is read too, not only the first batches
    finally:
        store.close()


def test_parallel_and_serial_card_passes_store_the_same_rows(tmp_path: Path) -> None:
    """The whole pass on a small store, in workers (tables joined) and in this process (one table): the same
    ``openness`` rows."""
    n = 23
    store = _store(tmp_path, n)
    try:
        ids = [f"o/m{i}" for i in range(n)]

        def rows() -> list:
            return store.con.execute("SELECT snapshot_id, id, framework, dimension, grade, score, evidence::VARCHAR, "
                                     "method FROM openness ORDER BY ALL").fetchall()

        assert refresh_cards(store, 1, ids, parallel_from=10**9) == n
        serial = rows()
        store.con.execute("DELETE FROM openness")
        assert refresh_cards(store, 1, ids, parallel_from=1) == n
        assert rows() == serial and len(serial) == n * 35
    finally:
        store.close()
