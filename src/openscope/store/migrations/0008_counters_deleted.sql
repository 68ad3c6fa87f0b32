-- A repository a full crawl found gone leaves the `counters` view from that snapshot on: before, its last
-- reading was carried into every later snapshot, so sums over a snapshot counted repositories that no
-- longer existed. `deleted_at` is stamped when the crawl that missed it ends, before that snapshot is
-- finished, so "finished before the deletion" keeps exactly the snapshots in which it still existed. A
-- repository that comes back has `deleted_at` cleared and is carried forward again.
CREATE OR REPLACE VIEW counters AS
WITH done AS (SELECT snapshot_id, finished_at FROM snapshots WHERE status = 'complete'),
grid AS (
    SELECT 'model' AS repo_type, m.id, d.snapshot_id FROM models m JOIN done d
      ON d.snapshot_id >= m.first_snapshot_id AND (m.deleted_at IS NULL OR d.finished_at < m.deleted_at)
    UNION ALL
    SELECT 'dataset', x.id, d.snapshot_id FROM datasets x JOIN done d
      ON d.snapshot_id >= x.first_snapshot_id AND (x.deleted_at IS NULL OR d.finished_at < x.deleted_at)
),
stats AS (
    SELECT 'model' AS repo_type, * FROM model_stats
    UNION ALL
    SELECT 'dataset', * FROM dataset_stats
)
SELECT g.snapshot_id, g.repo_type, g.id, s.downloads_30d, s.downloads_all_time, s.likes,
       s.snapshot_id AS read_in_snapshot
FROM grid g ASOF LEFT JOIN stats s
  ON g.repo_type = s.repo_type AND g.id = s.id AND g.snapshot_id >= s.snapshot_id;
