"""Red team of the moved-repositories feature (eighteenth session; docs/reviews.md, *Moves red team*).

Each test drives the real simulated Hub and the real ``openscope crawl`` as an operator would, and checks what
the Hub's behaviour and our docs say should follow (docs/crawl.md, *Moved repositories*; docs/lineage.md,
*Repositories the Hub moved*).
"""

from __future__ import annotations

from pathlib import Path

from store_rows import rows as q
from test_repo_moves import BASE, _crawl  # the same seed-21 ecosystem and crawl options

from bench.nx_full import networkx_full
from openscope.derive.lineage import refresh
from openscope.simhub.testing import running_simhub
from openscope.store import open_store


def _roots(cli, db: Path, mid: str) -> list[str]:
    r = cli("--db", db, "model", mid, "--json")
    assert r.code == 0, r.stderr
    return [x["id"] for x in r.json()["lineage"]["roots"]]


def test_a_repository_created_at_a_moved_old_id_takes_its_derivatives_back_in_an_incremental_refresh(
        tmp_path, cli) -> None:
    """BASE moved to v2, then another repository moved to BASE (as a new one created there would): the Hub's
    old id answers for the new repository, and docs/lineage.md says a live id answers for itself. The crawl's
    incremental lineage refresh kept the derivatives on v2 (their edges name v2, which did not change) while
    a full refresh and the networkx baseline put them on BASE."""
    db = tmp_path / "s.duckdb"
    with running_simhub(models=400, datasets=0, seed=21) as h:
        kids = [r[0] for r in h.state.con.execute(
            "SELECT id FROM m WHERE parent = ? AND parent2 IS NULL AND NOT deleted ORDER BY id", [BASE]).fetchall()]
        assert len(kids) >= 3
        _crawl(cli, db, h)
        v2 = BASE + "-v2"
        h.mutate(move={BASE: v2})
        _crawl(cli, db, h, "--full")
        assert _roots(cli, db, kids[0]) == [v2]
        newcomer = kids[-1]  # another repository takes the old id
        h.mutate(move={newcomer: BASE})
        doc = _crawl(cli, db, h, "--full")
        assert doc["snapshots"][0]["moved"] == 1
        for k in kids[:-1]:
            assert _roots(cli, db, k) == [BASE]  # the incremental refresh (run by the crawl) re-read them
        assert all(networkx_full(db, cap_s=120)["tables_equal"].values())
        with open_store(db) as store:
            edges = store.con.execute("SELECT child, parent FROM edges ORDER BY ALL").fetchall()
            refresh(store, full=True)
            assert store.con.execute("SELECT child, parent FROM edges ORDER BY ALL").fetchall() == edges


def test_moves_beyond_the_bound_are_found_by_the_next_full_crawls(tmp_path, cli) -> None:
    """A namespace renamed with more repositories than the bound (or a crawl with ``--move-checks 0``): the ids
    not asked were stamped deleted and no later crawl asked about them again, so their moves were lost for good
    and the derivatives kept a deleted root. Now each later full crawl asks, within its bound, the deleted ids no
    crawl asked since their deletion (table ``move_checks``), the declared parents first; the incremental lineage
    refresh then re-reads their children."""
    db = tmp_path / "s.duckdb"
    with running_simhub(models=400, datasets=0, seed=21) as h:
        _crawl(cli, db, h)
        org = [i for i in h.ids() if i.startswith("meta-llama/")]
        assert len(org) >= 3 and BASE in org
        renamed = {i: "meta/" + i.split("/", 1)[1] for i in org}
        parents = {r[0] for r in h.state.con.execute("SELECT DISTINCT parent FROM m WHERE parent IS NOT NULL").fetchall()}
        h.mutate(move=renamed)
        kid = h.state.con.execute("SELECT id FROM m WHERE parent = ? AND parent2 IS NULL AND NOT deleted ORDER BY id",
                                  [BASE]).fetchone()[0]
        doc = _crawl(cli, db, h, "--full", "--move-checks", "0")
        assert doc["deleted"] == len(org) and doc["moved"] == 0
        r = cli("--db", db, "model", kid, "--json").json()["lineage"]["roots"]
        assert [(x["id"], x["deleted"]) for x in r] == [(BASE, True)]
        # the next full crawl, bound 1: nothing new is gone, the unasked deleted ids are asked, the parent first
        before = h.stats()["requests"]
        doc = _crawl(cli, db, h, "--full", "--move-checks", "1")
        assert doc["deleted"] == 0 and doc["moved"] == 1
        assert doc["api_calls"] == h.stats()["requests"] - before
        (old, new), = q(db, "SELECT old_id, new_id FROM moves")
        assert new == renamed[old] and old in parents  # each of the org's ids is a declared parent
        child = h.state.con.execute("SELECT min(id) FROM m WHERE parent = ? AND parent2 IS NULL AND NOT deleted",
                                    [old]).fetchone()[0]
        assert _roots(cli, db, child) == [new]  # the crawl's incremental refresh re-read the child
        # the rest over the next crawl (default bound); then nothing is asked again
        doc = _crawl(cli, db, h, "--full")
        assert doc["moved"] == len(org) - 1 and _roots(cli, db, kid) == [renamed[BASE]]
        assert sorted(q(db, "SELECT old_id, new_id FROM moves")) == sorted(renamed.items())
        assert q(db, "SELECT count(DISTINCT id) FROM move_checks") == [(len(org),)]
        before = h.stats()["requests"]
        doc = _crawl(cli, db, h, "--full")
        assert doc["moved"] == 0 and doc["api_calls"] == doc["pages"] + 1 == h.stats()["requests"] - before
        assert all(networkx_full(db, cap_s=120)["tables_equal"].values())
        # status tells a rename from a removal
        st = cli("--db", db, "status", "--json").json()
        assert st["deleted_models"] == st["moved_models"] == len(org) and st["moved_datasets"] == 0
        flat = " ".join(cli("--db", db, "status").stdout.split())
        assert f"deleted models {len(org)} (gone from the Hub; history kept); {len(org)} of them moved" in flat


def test_a_dataset_moved_is_recorded_and_named_by_license_dataset(tmp_path, cli) -> None:
    """The simulated Hub moves datasets as models (``move_datasets``; the old id answers 307); a full crawl with
    ``--datasets`` records the move under ``repo_type = 'dataset'``, ``license --dataset OLD`` names it, and
    ``status`` counts it among the deleted datasets."""
    db = tmp_path / "s.duckdb"
    with running_simhub(models=200, datasets=40, seed=21) as h:
        _crawl(cli, db, h, "--datasets")
        old = h.ids("datasets")[0]
        new = "moved-org/" + old.split("/", 1)[-1]
        assert h.mutate(move_datasets={old: new})["moved_datasets"] == [[old, new]]
        assert old not in h.ids("datasets") and new in h.ids("datasets")
        doc = _crawl(cli, db, h, "--full", "--datasets")
        assert doc["moved"] == 1
        assert q(db, "SELECT repo_type, old_id, new_id FROM moves") == [("dataset", old, new)]
        r = cli("--db", db, "license", "--dataset", old)
        assert r.code == 66 and f"moved to {new} on the Hub" in r.stderr and "Traceback" not in r.stderr
        assert cli("--db", db, "status", "--json").json()["moved_datasets"] == 1
