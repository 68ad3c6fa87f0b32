"""The ``counters`` view leaves a repository out from the snapshot whose full crawl found it gone."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from store_rows import rows as _rows

from openscope.cli import main
from openscope.simhub.testing import running_simhub

FAST = ["--quiet", "--backoff", "0.01"]


def test_a_deleted_model_is_counted_before_its_deletion_and_never_after(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    with running_simhub(models=200, datasets=10, seed=11) as hub:
        assert main(["--db", str(db), "crawl", "--endpoint", hub.url, *FAST]) == 0
        gone = hub.mutate(delete=3)["deleted"]
        assert len(gone) == 3
        assert main(["--db", str(db), "crawl", "--endpoint", hub.url, "--full", *FAST]) == 0
        assert main(["--db", str(db), "crawl", "--endpoint", hub.url, "--counters", *FAST]) == 0
    snaps = [r[0] for r in _rows(db, "SELECT snapshot_id FROM snapshots WHERE status = 'complete' ORDER BY 1")]
    assert len(snaps) == 3
    deleted = {r[0] for r in _rows(db, "SELECT id FROM models WHERE deleted_at IS NOT NULL")}
    assert deleted == set(gone)
    per = dict(_rows(db, """SELECT snapshot_id, count(*) FILTER (WHERE id IN (SELECT unnest(?::VARCHAR[])))
                             FROM counters WHERE repo_type = 'model' GROUP BY 1""", [gone]))
    assert per[snaps[0]] == 3            # they existed when the first crawl read them
    assert per[snaps[1]] == 0 and per[snaps[2]] == 0  # the full crawl found them gone: not carried forward
    # every live model is still in every snapshot since it first appeared (nothing else dropped)
    live = _rows(db, "SELECT count(*) FROM models WHERE deleted_at IS NULL")[0][0]
    for s in snaps:
        n = _rows(db, "SELECT count(*) FROM counters WHERE repo_type = 'model' AND snapshot_id = ? "
                      "AND id NOT IN (SELECT unnest(?::VARCHAR[]))", [s, gone])[0][0]
        assert n == _rows(db, "SELECT count(*) FROM models WHERE deleted_at IS NULL AND first_snapshot_id <= ?",
                          [s])[0][0] <= live


def test_a_deleted_dataset_leaves_the_view_the_same_way(tmp_path: Path) -> None:
    db = tmp_path / "d.duckdb"
    dump = tmp_path / "datasets.jsonl"
    dump.write_text("\n".join(json.dumps({"id": f"org/ds-{i}", "downloads": 10 * i, "likes": i}) for i in range(4)))
    assert main(["--db", str(db), "--quiet", "ingest", str(dump), "--datasets"]) == 0
    assert main(["--db", str(db), "--quiet", "ingest", str(dump), "--datasets"]) == 0
    # as a full crawl does when it ends without seeing org/ds-1: stamped during the second snapshot
    con = duckdb.connect(str(db))
    try:
        con.execute("""UPDATE datasets SET deleted_at = (SELECT finished_at FROM snapshots WHERE snapshot_id = 2)
                                                  - INTERVAL 1 MILLISECOND WHERE id = 'org/ds-1'""")
    finally:
        con.close()
    got = _rows(db, "SELECT snapshot_id, id FROM counters WHERE repo_type = 'dataset' ORDER BY 1, 2")
    assert (1, "org/ds-1") in got and (2, "org/ds-1") not in got
    assert {i for s, i in got if s == 2} == {"org/ds-0", "org/ds-2", "org/ds-3"}
