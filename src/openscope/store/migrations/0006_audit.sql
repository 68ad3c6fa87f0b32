-- audit_runs: one row per stored audit (model id + target), so a clean audit is distinguishable from none.
CREATE TABLE IF NOT EXISTS audit_runs (
    model_id   VARCHAR NOT NULL,
    target     VARCHAR NOT NULL,
    verdict    VARCHAR NOT NULL,
    files      BIGINT,
    bytes      BIGINT,
    findings   BIGINT,
    scanned_at TIMESTAMP
);
