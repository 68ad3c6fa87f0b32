-- Which snapshot each derive step (lineage, licences, openness) last finished for. A crawl or ingest killed
-- while deriving, or run with --no-derive, leaves some derived tables behind the raw ones; `status` names
-- the steps that are behind (the next crawl or ingest that derives brings them up to date).
CREATE TABLE derive_state (
    step        VARCHAR PRIMARY KEY,
    snapshot_id BIGINT,                    -- the latest complete snapshot when the step finished
    finished_at TIMESTAMP
);
