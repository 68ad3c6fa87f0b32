"""Lineage: behaviour that mutation testing showed no test asserted (twenty-fifth session).

docs/lineage.md ("How lineage is computed", *Incremental*): an incremental refresh recomputes only the changed models
and their descendants, seeded by the unchanged rows of their parents, and gives the rows a full recompute gives.
docs/reviews.md, "Mutation testing (twenty-fifth session)", lists the mutants these tests kill.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lineage_graphs import entry, write_jsonl

from openscope.derive import lineage as lineage_step
from openscope.derive.lineage.queries import derivatives_by_root_country
from openscope.errors import UsageError
from openscope.store import open_store

ROOT = "meta-llama/Llama-3.1-8B"


def _rows(store) -> list[tuple]:
    return sorted(store.con.execute("SELECT id, root, depth, path FROM lineage").fetchall())


def test_a_new_model_below_an_unchanged_deep_parent_is_seeded_from_its_parents_rows(tmp_path: Path) -> None:
    """Snapshot 2 adds models under parents one and two steps below their root: only the new models are recomputed,
    and each row continues its parent's path, as the full recompute has it."""
    from openscope.jobs.ingest import ingest_file

    first = [entry(ROOT), entry("a/b", (f"base_model:finetune:{ROOT}",)), entry("a/c", ("base_model:finetune:a/b",))]
    second = [entry("a/d", ("base_model:finetune:a/c",), created="2024-06-01T00:00:00.000Z"),
              entry("a/e", ("base_model:quantized:a/d",), created="2024-06-01T00:00:00.000Z"),
              entry("a/f", ("base_model:adapter:a/b",), created="2024-06-01T00:00:00.000Z")]
    with open_store(tmp_path / "s.duckdb") as store:
        ingest_file(store, write_jsonl(tmp_path / "1.jsonl", first))
        assert lineage_step.refresh(store)["mode"] == "full"
        ingest_file(store, write_jsonl(tmp_path / "2.jsonl", second))
        res = lineage_step.refresh(store)
        assert res["mode"] == "incremental" and res["affected"] == 3
        inc = _rows(store)
        assert lineage_step.refresh(store, full=True)["mode"] == "full"
        full = _rows(store)
    assert inc == full
    assert ("a/d", ROOT, 3, ["a/d", "a/c", "a/b", ROOT]) in inc
    assert ("a/e", ROOT, 4, ["a/e", "a/d", "a/c", "a/b", ROOT]) in inc
    assert ("a/f", ROOT, 2, ["a/f", "a/b", ROOT]) in inc                  # seeded one level higher


def _store_with_derivatives(tmp_path: Path, downloads: int) -> Path:
    from openscope.jobs.ingest import ingest_file

    db = tmp_path / "s.duckdb"
    models = [entry(ROOT, downloads=downloads),
              entry("a/old", (f"base_model:finetune:{ROOT}",), created="2023-01-10T00:00:00.000Z", downloads=downloads),
              entry("a/new", (f"base_model:finetune:{ROOT}",), created="2024-07-01T00:00:00.000Z", downloads=downloads),
              entry("b/new", ("base_model:finetune:nobody/thing",), created="2024-08-01T00:00:00.000Z")]
    with open_store(db) as store:
        ingest_file(store, write_jsonl(tmp_path / "m.jsonl", models))
        lineage_step.refresh(store)
    return db


def test_shares_since_a_date_and_without_downloads(tmp_path: Path) -> None:
    """``since`` keeps the derivatives created then or later; with no downloads counted the download share is 0,
    not a division by zero (docs/lineage.md, "Python API")."""
    db = _store_with_derivatives(tmp_path, downloads=0)
    with open_store(db, read_only=True, create=False) as store:
        every = derivatives_by_root_country(store)
        since = derivatives_by_root_country(store, since="2024-06-01")
        later = derivatives_by_root_country(store, since="2030-01-01")
    assert {r["country"]: r["derivatives"] for r in every} == {"US": 2, "unknown": 1}
    assert {r["country"]: r["derivatives"] for r in since} == {"US": 1, "unknown": 1}
    assert [r["share"] for r in since] == [0.5, 0.5]
    assert all(r["downloads_30d"] == 0 and r["download_share"] == 0.0 for r in every)
    assert later == []


@pytest.mark.parametrize("kwargs, message", [
    ({"level": "continent"}, "level must be country or region, not 'continent'"),
    ({"since": "last year"}, "--since 'last year' is not a date; give YYYY-MM-DD"),
])
def test_shares_refuse_a_bad_level_or_date_with_a_message(tmp_path: Path, kwargs: dict, message: str) -> None:
    db = _store_with_derivatives(tmp_path, downloads=5)
    with open_store(db, read_only=True, create=False) as store, pytest.raises(UsageError) as exc:
        derivatives_by_root_country(store, **kwargs)
    assert str(exc.value) == message
