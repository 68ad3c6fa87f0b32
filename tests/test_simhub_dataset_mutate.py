"""The simulated Hub's datasets move on as its models do (`POST /_admin/mutate`'s `dataset_*` keys).

Why: adoption is measured for datasets as well as models, and the dataset tryout (docs/reviews.md, twentieth
session) found the simulated Hub could change only its models: a dataset's growth between snapshots was always zero.
Here the route edits, deletes and raises the counters of datasets, and our crawler sees each change the way the real
Hub would show it (a counters sweep for counters, an incremental crawl for an edit, a full crawl for a deletion).
"""

from __future__ import annotations

from pathlib import Path

import httpx
from store_rows import rows as _q

from openscope.cli import main
from openscope.simhub.state import HubState
from openscope.simhub.testing import running_simhub

FAST = ["--quiet", "--backoff", "0.01"]


def _latest(db: Path) -> dict[str, tuple[int, int, int]]:
    """Each dataset's counters as the store's latest reading of it: (downloads_30d, downloads_all_time, likes)."""
    return {i: (d, a, k) for i, d, a, k in _q(db, """
        SELECT id, downloads_30d, downloads_all_time, likes FROM dataset_stats
        QUALIFY row_number() OVER (PARTITION BY id ORDER BY snapshot_id DESC) = 1""")}


def test_dataset_changes_reach_the_store_through_each_kind_of_crawl(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    with running_simhub(models=300, datasets=40, seed=3) as hub:
        assert main(["--db", str(db), "crawl", "--endpoint", hub.url, "--datasets", *FAST]) == 0
        before = _latest(db)
        ids = hub.ids("datasets")
        grown, edited, gone = ids[:5], ids[10], ids[-1]
        res = hub.mutate(dataset_counters=grown, dataset_edit=[edited], dataset_delete=[gone])
        assert (res["datasets_counters_changed"], res["datasets_edited"], res["datasets_deleted"]) == (
            grown, [edited], [gone])
        assert res["counters_changed"] == res["edited"] == res["deleted"] == []   # no model changed
        # a counters sweep reads the new counters (lastModified did not move: an incremental crawl would not)
        assert main(["--db", str(db), "crawl", "--endpoint", hub.url, "--datasets", "--counters", *FAST]) == 0
        after = _latest(db)
        for i in grown:
            assert after[i][0] > before[i][0] and after[i][1] > before[i][1] and after[i][2] >= before[i][2]
        assert all(after[i] == before[i] for i in ids if i not in (*grown, edited, gone))
        # the edit moved lastModified: an incremental crawl re-reads it, not the whole list
        n_before = _q(db, "SELECT count(*) FROM snapshots WHERE repo_type = 'dataset'")[0][0]
        assert main(["--db", str(db), "crawl", "--endpoint", hub.url, "--datasets", *FAST]) == 0
        sid = _q(db, "SELECT max(snapshot_id) FROM snapshots WHERE repo_type = 'dataset'")[0][0]
        assert _q(db, "SELECT count(*) FROM snapshots WHERE repo_type = 'dataset'")[0][0] == n_before + 1
        read = {i for (i,) in _q(db, "SELECT id FROM dataset_stats WHERE snapshot_id = ?", [sid])}
        assert edited in read and len(read) < len(ids) // 2   # (the page that crosses the watermark is read whole)
        assert _latest(db)[edited][2] == before[edited][2] + 1   # one more like, as the route says
        # the deletion: a full crawl marks it gone, and the Hub answers 404 for it
        assert main(["--db", str(db), "crawl", "--endpoint", hub.url, "--datasets", "--full", *FAST]) == 0
        assert _q(db, "SELECT id FROM datasets WHERE deleted_at IS NOT NULL") == [(gone,)]
        assert httpx.get(f"{hub.url}/api/datasets/{gone}").status_code == 404


def test_the_route_refuses_unknown_datasets_and_bad_values() -> None:
    with running_simhub(models=50, datasets=5, seed=1) as hub:
        bad = httpx.post(f"{hub.url}/_admin/mutate", json={"dataset_counters": ["nobody/none"]})
        assert bad.status_code == 404 and "unknown dataset ids: nobody/none" in bad.text
        # a model's id is no dataset's
        model = hub.ids("models")[0]
        assert httpx.post(f"{hub.url}/_admin/mutate", json={"dataset_delete": [model]}).status_code == 404
        assert httpx.post(f"{hub.url}/_admin/mutate", json={"dataset_edit": -1}).status_code == 400
        assert httpx.post(f"{hub.url}/_admin/mutate", json={"datasets": 1}).status_code == 400


def test_a_mutation_of_models_alone_picks_what_it_picked_before_datasets_could_change() -> None:
    """Dataset changes are drawn after the models', so seeded runs of models-only mutations (the benchmarks', the
    docs' examples) pick the same models as before the dataset keys existed."""
    a, b = HubState.generate(models=200, datasets=30, seed=9), HubState.generate(models=200, datasets=30, seed=9)
    ra = a.mutate(edit=4, delete=2, counters=6)
    rb = b.mutate(edit=4, delete=2, counters=6, dataset_counters=3, dataset_delete=1)
    assert {k: ra[k] for k in ra} == {k: rb[k] for k in ra}
    assert len(rb["datasets_counters_changed"]) == 3 and len(rb["datasets_deleted"]) == 1
    assert "datasets_counters_changed" not in ra
