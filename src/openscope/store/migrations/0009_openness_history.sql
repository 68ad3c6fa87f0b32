-- `openness` held a full copy of every model's 35 grades for every snapshot derive ran after (counters
-- sweeps and nightly incrementals included), so it grew by 35 rows per model per snapshot without any
-- grade changing (87.5 million rows a night at 2.5 million models). Now `openness` keeps the grades of the
-- latest graded snapshot (its `snapshot_id` says which), and `openness_history` keeps, per model, the
-- headline grades (OSAID verdict, MOF class, Open Source AI Index score) at the snapshot they were first
-- graded and at every snapshot where they changed: their value at snapshot S is the latest row at or
-- before S.
CREATE TABLE openness_history (
    snapshot_id BIGINT,
    id          VARCHAR NOT NULL,
    framework   VARCHAR NOT NULL,             -- osaid | mof | osai
    dimension   VARCHAR NOT NULL,             -- verdict | class | score
    grade       VARCHAR,
    score       DOUBLE,
    method      VARCHAR                       -- metadata | card, as in `openness`
);

-- A store graded before this migration: its copies become history (changes only), then all but the latest
-- snapshot's grades go.
INSERT INTO openness_history
SELECT snapshot_id, id, framework, dimension, grade, score, method FROM (
    SELECT *, lag(snapshot_id) OVER w IS NULL AS first,
           lag(grade) OVER w IS DISTINCT FROM grade OR lag(score) OVER w IS DISTINCT FROM score AS changed
    FROM openness
    WHERE framework || '/' || dimension IN ('osaid/verdict', 'mof/class', 'osai/score')
    WINDOW w AS (PARTITION BY id, framework, dimension ORDER BY snapshot_id NULLS FIRST)
) WHERE first OR changed;

DELETE FROM openness WHERE snapshot_id IS DISTINCT FROM (SELECT max(snapshot_id) FROM openness);
