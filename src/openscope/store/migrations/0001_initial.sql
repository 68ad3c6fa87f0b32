-- 0001: the contract's tables (DESIGN.md). Columns grow only by later numbered migrations.
-- No PRIMARY KEY constraints: uniqueness is kept by the set-based writers (and tested), because
-- DuckDB's ART indexes make multi-million-row bulk upserts several times slower.

CREATE TABLE snapshots (
    snapshot_id   BIGINT NOT NULL,
    kind          VARCHAR NOT NULL,          -- full | incremental | counters | ingest
    source        VARCHAR,                   -- crawl | file path
    endpoint      VARCHAR,                   -- Hub endpoint or file path
    started_at    TIMESTAMP NOT NULL,
    finished_at   TIMESTAMP,
    status        VARCHAR NOT NULL,          -- running | complete | failed | aborted
    n_records     BIGINT DEFAULT 0,
    simulated     BOOLEAN DEFAULT FALSE,
    repo_type     VARCHAR DEFAULT 'model',   -- model | dataset | mixed
    params        JSON,                      -- the crawl or ingest options, to resume the same work
    cursor        VARCHAR,                   -- next page URL of a running crawl
    watermark     TIMESTAMP,                 -- largest lastModified seen (incremental crawls)
    pages         BIGINT DEFAULT 0,
    changed       BIGINT DEFAULT 0,
    rejects       BIGINT DEFAULT 0,
    api_calls     BIGINT DEFAULT 0,
    rate_limit_wait_s DOUBLE DEFAULT 0,
    message       VARCHAR                    -- why a snapshot failed or was aborted
);

CREATE TABLE models (
    id                VARCHAR NOT NULL,
    author            VARCHAR,
    created_at        TIMESTAMP,             -- NULL when unknown (the Hub's 2022-03-02T23:29 minute)
    created_at_raw    VARCHAR,
    last_modified     TIMESTAMP,
    pipeline_tag      VARCHAR,
    library_name      VARCHAR,
    gated             VARCHAR,               -- false | auto | manual
    license           VARCHAR,               -- as declared (license: tag, else card data)
    card_data         JSON,
    params            BIGINT,
    synthetic         BOOLEAN DEFAULT FALSE,
    deleted_at        TIMESTAMP,
    first_snapshot_id BIGINT,
    last_snapshot_id  BIGINT,
    sha               VARCHAR,
    private           BOOLEAN,
    base_models       JSON,                  -- the API's baseModels {relation, models:[{id}]} when present
    gguf              JSON,
    raw_hash          UBIGINT,               -- hash of the raw entry, so a re-ingest skips what is unchanged
    updated_snapshot_id BIGINT               -- snapshot that last changed this row
);

CREATE TABLE datasets (
    id                VARCHAR NOT NULL,
    author            VARCHAR,
    created_at        TIMESTAMP,
    created_at_raw    VARCHAR,
    last_modified     TIMESTAMP,
    gated             VARCHAR,
    license           VARCHAR,
    card_data         JSON,
    synthetic         BOOLEAN DEFAULT FALSE,
    deleted_at        TIMESTAMP,
    first_snapshot_id BIGINT,
    last_snapshot_id  BIGINT,
    sha               VARCHAR,
    private           BOOLEAN,
    raw_hash          UBIGINT,
    updated_snapshot_id BIGINT
);

CREATE TABLE model_stats (
    snapshot_id        BIGINT NOT NULL,
    id                 VARCHAR NOT NULL,
    downloads_30d      BIGINT,
    downloads_all_time BIGINT,
    likes              BIGINT
);

CREATE TABLE dataset_stats (
    snapshot_id        BIGINT NOT NULL,
    id                 VARCHAR NOT NULL,
    downloads_30d      BIGINT,
    downloads_all_time BIGINT,
    likes              BIGINT
);

CREATE TABLE tags (
    repo_type VARCHAR NOT NULL,              -- model | dataset
    id        VARCHAR NOT NULL,
    tag       VARCHAR NOT NULL
);

CREATE TABLE files (
    repo_type   VARCHAR NOT NULL,
    id          VARCHAR NOT NULL,
    path        VARCHAR NOT NULL,
    size        BIGINT,
    blob_id     VARCHAR,
    lfs_sha256  VARCHAR,
    snapshot_id BIGINT
);

CREATE TABLE cards (
    id          VARCHAR NOT NULL,
    repo_type   VARCHAR NOT NULL DEFAULT 'model',
    sha         VARCHAR,                      -- commit the text was read at (X-Repo-Commit)
    text        VARCHAR,
    fetched_at  TIMESTAMP,
    snapshot_id BIGINT,
    url         VARCHAR
);

CREATE TABLE rejects (
    snapshot_id BIGINT,
    source      VARCHAR,
    locator     VARCHAR,                      -- file:line, page URL#index, …
    raw         VARCHAR,
    reason      VARCHAR NOT NULL,
    rejected_at TIMESTAMP NOT NULL
);

CREATE TABLE edges (
    child    VARCHAR NOT NULL,
    parent   VARCHAR NOT NULL,
    relation VARCHAR NOT NULL,                -- finetune | adapter | quantized | merge | unknown
    evidence VARCHAR NOT NULL,                -- tag | card | base_models | inferred
    chosen   BOOLEAN NOT NULL
);

CREATE TABLE lineage (
    id    VARCHAR NOT NULL,
    root  VARCHAR NOT NULL,
    depth INTEGER NOT NULL,
    path  VARCHAR[]
);

CREATE TABLE lineage_cycles (
    cycle_id BIGINT NOT NULL,
    id       VARCHAR NOT NULL
);

CREATE TABLE publishers (
    org     VARCHAR NOT NULL,
    name    VARCHAR,
    country VARCHAR,
    region  VARCHAR,
    kind    VARCHAR,
    source  VARCHAR
);

CREATE TABLE licenses (
    id         VARCHAR NOT NULL,              -- model id
    declared   VARCHAR,                       -- the raw value as declared
    license    VARCHAR,                       -- catalogue id or SPDX expression; NULL when unknown
    class      VARCHAR,
    confidence DOUBLE,
    evidence   VARCHAR
);

CREATE TABLE openness (
    snapshot_id BIGINT,
    id          VARCHAR NOT NULL,
    framework   VARCHAR NOT NULL,             -- osai | mof | osaid | component
    dimension   VARCHAR NOT NULL,
    grade       VARCHAR,
    score       DOUBLE,
    evidence    JSON
);

CREATE TABLE audit_findings (
    model_id  VARCHAR,
    target    VARCHAR NOT NULL,
    file      VARCHAR,
    member    VARCHAR,
    "offset"  BIGINT,
    rule      VARCHAR NOT NULL,
    severity  VARCHAR NOT NULL,
    import    VARCHAR,
    detail    VARCHAR,
    scanned_at TIMESTAMP
);

-- Carries each counter forward: one row per repository and complete snapshot, with the latest value read
-- at or before that snapshot (counters change without lastModified changing, so sweeps are sparse).
CREATE VIEW counters AS
WITH done AS (SELECT snapshot_id FROM snapshots WHERE status = 'complete'),
grid AS (
    SELECT 'model' AS repo_type, m.id, d.snapshot_id FROM models m JOIN done d ON d.snapshot_id >= m.first_snapshot_id
    UNION ALL
    SELECT 'dataset', x.id, d.snapshot_id FROM datasets x JOIN done d ON d.snapshot_id >= x.first_snapshot_id
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
