"""Repositories the Hub moved: the two leftovers of the eighteenth session (docs/ingest.md, *Repositories the Hub
moved*; docs/openness.md, probe ``datasets_released``).

1. A dump taken before a move no longer makes the old id live again: ``ingest`` sets its entry aside (the crawl that
   found the move asked the Hub; the dump is older news), keeps its counters as the old id's history, and still
   revives the old id from a dump the dates prove newer than that crawl.
2. A model declaring a dataset's old id is graded by the dataset under the id it moved to, by the per-model path
   and the set-based one alike (*parity*), with evidence naming both ids.

One world for the module: the simulated Hub on loopback, crawled, a dump written, a model and a dataset moved, crawled
again, the model moved back and another model edited, a second dump written. Each test works on a copy of the store.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from screens import run_cli
from store_rows import rows as q
from test_repo_moves import BASE, FAST  # the seed-21 ecosystem's flagship with derivatives, the crawl options

from openscope.derive.openness import openness_rows
from openscope.derive.openness.assessment import assess_record
from openscope.derive.openness.probes import datasets_released
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.records import bulk_from_store, from_store
from openscope.simhub.testing import running_simhub
from openscope.store import open_store

V2 = BASE + "-v2"


@dataclass
class World:
    moved: Path           # the store after the full crawl that found both moves (derived)
    before: Path          # models dump taken after the first crawl, before the moves (BASE's counters changed)
    before_ds: Path       # its datasets
    after: Path           # models dump taken after BASE moved back and another model was edited
    kids: list[str]       # models built on BASE alone
    ds_old: str           # a dataset models declare, moved to ds_new
    ds_new: str
    declarers: list[str]  # live models declaring ds_old


def _ok(db: Path | None, *args: str) -> str:
    code, out = run_cli(db, *args)
    assert code == 0, (args, out)
    return out


def _crawl(db: Path, url: str, *args: str) -> None:
    _ok(db, "crawl", "--endpoint", url, "--quiet", *FAST, *args)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    tmp = tmp_path_factory.mktemp("moves_left")
    db = tmp / "s.duckdb"
    with running_simhub(models=400, datasets=40, seed=21) as h:
        kids = [r[0] for r in h.state.con.execute(
            "SELECT id FROM m WHERE parent = ? AND parent2 IS NULL AND NOT deleted ORDER BY id", [BASE]).fetchall()]
        _crawl(db, h.url, "--datasets", "--no-derive")
        # the dataset declared by the most models that the store knows public, ungated and licensed
        ds_old = q(db, """SELECT d.id FROM datasets d JOIN tags t ON t.repo_type = 'model' AND t.tag = 'dataset:' || d.id
                          WHERE d.license IS NOT NULL AND coalesce(lower(d.gated), 'false') = 'false'
                            AND NOT coalesce(d.private, false)
                          GROUP BY d.id ORDER BY count(*) DESC, d.id LIMIT 1""")[0][0]
        ds_new = "moved-org/" + ds_old.split("/", 1)[-1]
        # counters change (lastModified kept), then a dump is taken: older than the moves, counters newer than crawl 1
        h.mutate(counters=[BASE])
        before = tmp / "before.jsonl"
        _crawl(tmp / "scratch1.duckdb", h.url, "--datasets", "--no-derive", "--dump", str(before))
        assert h.mutate(move={BASE: V2}, move_datasets={ds_old: ds_new})["moved"] == [[BASE, V2]]
        _crawl(db, h.url, "--full", "--datasets")  # finds both moves; derives lineage, licences, openness
        moved = tmp / "moved.duckdb"
        shutil.copy(db, moved)
        # the Hub moves BASE back (its lastModified kept) and another model is edited: a dump taken now is newer
        h.mutate(move={V2: BASE})
        h.mutate(edit=[kids[-1]])
        after = tmp / "after.jsonl"
        _crawl(tmp / "scratch2.duckdb", h.url, "--no-derive", "--dump", str(after))
    declarers = [r[0] for r in q(moved, "SELECT DISTINCT t.id FROM tags t JOIN models m ON m.id = t.id "
                                        "WHERE t.repo_type = 'model' AND t.tag = ? AND m.deleted_at IS NULL ORDER BY 1",
                                 ["dataset:" + ds_old])]
    return World(moved, before, tmp / "before.datasets.jsonl", after, kids, ds_old, ds_new, declarers)


def _copy(world: World, tmp_path: Path) -> Path:
    db = tmp_path / "s.duckdb"
    shutil.copy(world.moved, db)
    return db


def _roots(db: Path, mid: str) -> list[str]:
    doc = json.loads(_ok(db, "--json", "model", mid))
    return [r["id"] for r in doc["lineage"]["roots"]]


def _line(dump: Path, rid: str) -> dict:
    return next(e for e in map(json.loads, dump.read_text().splitlines()) if e["id"] == rid)


def _write(path: Path, entries: list[dict]) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in entries))
    return path


def _ingest(db: Path, dump: Path, *args: str) -> dict:
    return json.loads(_ok(db, "--json", "ingest", str(dump), *args))


def test_world_moved_both(world: World) -> None:
    assert len(world.kids) >= 3 and len(world.declarers) >= 2
    assert sorted(q(world.moved, "SELECT repo_type, old_id, new_id FROM moves")) == [
        ("dataset", world.ds_old, world.ds_new), ("model", BASE, V2)]
    assert _roots(world.moved, world.kids[0]) == [V2]


def test_a_dump_older_than_the_move_does_not_revive_the_old_id_and_keeps_its_counters(
        world: World, tmp_path: Path, cli) -> None:
    """The dump lists BASE (taken before the move); ingesting it made BASE live again, lineage stopped at it and
    the derivatives lost V2 as their root until the next full crawl. Now BASE stays moved; the dump's counters of
    BASE (newer than the first crawl's reading) are kept under BASE as its history, outside the counters view."""
    db = _copy(world, tmp_path)
    base_line = _line(world.before, BASE)
    doc = _ingest(db, world.before)
    assert doc["older_than_moves"] == 1
    sid = doc["snapshot_id"]
    assert q(db, "SELECT deleted_at IS NOT NULL FROM models WHERE id = ?", [BASE]) == [(True,)]
    assert q(db, "SELECT count(*) FROM models WHERE lower(id) = lower(?)", [BASE]) == [(1,)]
    assert sorted(q(db, "SELECT repo_type, old_id, new_id FROM moves")) == [
        ("dataset", world.ds_old, world.ds_new), ("model", BASE, V2)]
    for k in world.kids:
        assert _roots(db, k) == [V2]
    r = cli("--db", db, "model", BASE)
    assert r.code == 66 and f"moved to {V2} on the Hub" in r.stderr
    # the counters: history of the old id, read in this ingest; not carried into the counters view past the move
    assert q(db, "SELECT downloads_30d, downloads_all_time, likes FROM model_stats WHERE id = ? AND snapshot_id = ?",
             [BASE, sid]) == [(base_line["downloads"], base_line.get("downloadsAllTime"), base_line["likes"])]
    assert q(db, "SELECT count(*) FROM counters WHERE id = ? AND snapshot_id = ?", [BASE, sid]) == [(0,)]
    assert q(db, "SELECT count(*) FROM counters WHERE id = ? AND snapshot_id = ?", [V2, sid]) == [(1,)]
    # the same dump again: still older news, no second counter row
    again = _ingest(db, world.before)
    assert again["older_than_moves"] == 1 and again["counters"] == 0
    assert q(db, "SELECT deleted_at IS NOT NULL FROM models WHERE id = ?", [BASE]) == [(True,)]
    # the text summary says so, and where the counters went
    r = cli("--db", db, "ingest", world.before, "--no-derive")
    assert r.code == 0 and "older_than_moves" in r.stdout
    assert "1 entries name ids a full crawl found the Hub redirecting" in " ".join(r.stderr.split())
    # datasets alike
    ds = _ingest(db, world.before_ds, "--datasets")
    assert ds["older_than_moves"] == 1
    assert q(db, "SELECT deleted_at IS NOT NULL FROM datasets WHERE id = ?", [world.ds_old]) == [(True,)]
    r = cli("--db", db, "license", "--dataset", world.ds_old)
    assert r.code == 66 and f"moved to {world.ds_new} on the Hub" in r.stderr


def test_a_dump_newer_than_the_move_revives_the_old_id(world: World, tmp_path: Path) -> None:
    """The Hub moved BASE back; a dump taken after that lists BASE (its lastModified kept by the move) beside a model
    edited after the crawl that found the move: the dump is newer than the move, so BASE is live again and the
    derivatives are built on it, as lineage treats any live old id."""
    db = _copy(world, tmp_path)
    assert _line(world.after, BASE)["lastModified"] == _line(world.before, BASE)["lastModified"]
    doc = _ingest(db, world.after)
    assert doc["older_than_moves"] == 0
    assert q(db, "SELECT deleted_at IS NULL FROM models WHERE id = ?", [BASE]) == [(True,)]
    for k in world.kids[:-1]:
        assert _roots(db, k) == [BASE]


def test_the_dump_date_decides_not_the_entry_alone(world: World, tmp_path: Path) -> None:
    """A dump holding only BASE's entry, its date from before the move, cannot be told from one taken before the
    move: BASE stays moved (the next full crawl revives it if live). The same entry edited after the crawl that
    found the move proves the dump newer: BASE is live again. A date later than now proves nothing."""
    db = _copy(world, tmp_path)
    entry = _line(world.after, BASE)
    alone = _write(tmp_path / "alone.jsonl", [entry])
    assert _ingest(db, alone, "--no-derive")["older_than_moves"] == 1
    # the Hub matches ids up to case: another spelling of the old id is the old id, set aside under the store's spelling
    low = _ingest(db, _write(tmp_path / "low.jsonl", [dict(entry, id=BASE.lower(), downloads=entry["downloads"] + 7)]),
                  "--no-derive")
    assert low["older_than_moves"] == 1 and low["counters"] == 1
    assert q(db, "SELECT id FROM models WHERE lower(id) = lower(?)", [BASE]) == [(BASE,)]
    assert q(db, "SELECT id, downloads_30d FROM model_stats WHERE snapshot_id = ?", [low["snapshot_id"]]) == [
        (BASE, entry["downloads"] + 7)]
    future = {"id": "someone/else", "createdAt": "2999-01-01T00:00:00.000Z", "lastModified": "2999-01-01T00:00:00.000Z"}
    assert _ingest(db, _write(tmp_path / "future.jsonl", [entry, future]), "--no-derive")["older_than_moves"] == 1
    assert q(db, "SELECT deleted_at IS NOT NULL FROM models WHERE id = ?", [BASE]) == [(True,)]
    found_at = q(db, "SELECT max(found_at) FROM moves WHERE old_id = ?", [BASE])[0][0]
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    assert found_at < now
    later = found_at + (now - found_at) / 2
    edited = dict(entry, lastModified=later.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z", sha="f" * 40)
    assert _ingest(db, _write(tmp_path / "edited.jsonl", [edited]), "--no-derive")["older_than_moves"] == 0
    assert q(db, "SELECT deleted_at IS NULL FROM models WHERE id = ?", [BASE]) == [(True,)]


def test_a_declared_dataset_the_hub_moved_is_read_under_its_new_id_parity(world: World) -> None:
    """Models declare the dataset's old id (``dataset:`` tags, card ``datasets:``); the full crawl stamped the old
    row deleted and recorded the move. Both paths grade them by the dataset's record under its new id (public,
    ungated: its licence decides), the per-model path's evidence names the declared id and the id it moved to, and
    the set-based ``openness`` rows equal the per-model ones for every model of the store (parity)."""
    with open_store(world.moved) as store:
        lic = store.scalar("SELECT license FROM datasets WHERE id = ?", [world.ds_new])
        assert lic and store.scalar("SELECT deleted_at IS NOT NULL FROM datasets WHERE id = ?", [world.ds_old])
        status, _ = released_status(lic)
        card_declarers = [r[0] for r in store.con.execute(
            "SELECT id FROM models WHERE list_contains(json_extract_string(card_data, '$.datasets[*]'), ?) "
            "AND deleted_at IS NULL", [world.ds_old]).fetchall()]
        assert card_declarers
        named = 0
        for mid in world.declarers:
            rec = from_store(store, mid)
            ref = next(d for d in rec.datasets if d.id == world.ds_old)
            assert ref.moved_to == world.ds_new and ref.in_store and not ref.deleted
            f = datasets_released.run(rec)
            if f.detail.get("licence_of") == [world.ds_new]:
                assert f.status == status
                ev = f.evidence[0]
                assert ev.locator == f"https://huggingface.co/datasets/{world.ds_new}"
                assert f"dataset:{world.ds_old} (moved to {world.ds_new} on the Hub)" in ev.snippet
                assert f.detail["moved"] == {world.ds_old: world.ds_new}
                named += 1
        assert named >= 1
        # the batch loader of the card pass reads them alike
        def by_id(refs: list) -> list:
            return sorted(refs, key=lambda d: d.id)

        bulk = {r.id: by_id(r.datasets) for r in bulk_from_store(store, world.declarers)}
        assert all(bulk[m] == by_id(from_store(store, m).datasets) for m in world.declarers)
        assert all(any(d.moved_to == world.ds_new for d in bulk[m]) for m in world.declarers)
        # parity: the set-based rows are the per-model path's, for every declarer and every tenth other model
        ids = [r[0] for r in store.con.execute("SELECT id FROM models WHERE deleted_at IS NULL ORDER BY id").fetchall()]
        assert store.scalar("SELECT count(DISTINCT id) FROM openness") == len(ids)
        graded = 0
        for mid in sorted(set(world.declarers) | set(ids[::10])):
            rows = openness_rows(assess_record(from_store(store, mid)))
            expected = {(fw, d): g for fw, d, g, _, _ in rows}
            got = {(fw, d): g for fw, d, g in store.con.execute(
                "SELECT framework, dimension, grade FROM openness WHERE id = ?", [mid]).fetchall()}
            assert got == expected, mid
            if mid in card_declarers:
                graded += got[("component", "Datasets")] == status
        assert graded >= 1
