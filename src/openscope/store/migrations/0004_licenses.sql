-- 0004: licences (issue 6). Per-model licence facts, the licence catalogue as a table (so flow-down is a
-- join), and the flow-down of every base's licence to each derivative along its lineage paths.

ALTER TABLE licenses ADD COLUMN expression VARCHAR;        -- normalised SPDX expression when it is one
ALTER TABLE licenses ADD COLUMN source VARCHAR;            -- tag | card | card_name | link | none
ALTER TABLE licenses ADD COLUMN reason VARCHAR;            -- why license is NULL / unknown
ALTER TABLE licenses ADD COLUMN license_name VARCHAR;      -- card_data.license_name as declared
ALTER TABLE licenses ADD COLUMN license_link VARCHAR;      -- card_data.license_link as declared
ALTER TABLE licenses ADD COLUMN commercial_use BOOLEAN;    -- NULL = unknown
ALTER TABLE licenses ADD COLUMN use_restrictions BOOLEAN;
ALTER TABLE licenses ADD COLUMN user_cap BIGINT;           -- monthly active users; NULL = none (or unknown when class unknown)
ALTER TABLE licenses ADD COLUMN duties VARCHAR[];
ALTER TABLE licenses ADD COLUMN same_terms BOOLEAN;
ALTER TABLE licenses ADD COLUMN derivatives_allowed BOOLEAN;  -- FALSE for no-derivatives licences (CC BY-ND)
ALTER TABLE licenses ADD COLUMN effective_class VARCHAR;   -- the most restrictive class among the model's own and its bases' licences

-- The catalogue as loaded at the last refresh (package data; see `openscope license LICENSE`).
CREATE TABLE license_catalogue (
    license             VARCHAR NOT NULL,   -- catalogue id
    name                VARCHAR,
    spdx                VARCHAR,
    class               VARCHAR NOT NULL,
    osi_approved        BOOLEAN,
    fsf_libre           BOOLEAN,
    commercial_use      BOOLEAN,
    use_restrictions    BOOLEAN,
    user_cap            BIGINT,
    same_terms          BOOLEAN,
    derivatives_allowed BOOLEAN,
    duties              VARCHAR[],
    url                 VARCHAR
);

-- One row per (model, base) for every ancestor on any lineage path of the model.
CREATE TABLE license_flow (
    id           VARCHAR NOT NULL,          -- the derivative
    base         VARCHAR NOT NULL,          -- an ancestor on one of its paths
    root         VARCHAR,                   -- a root reached through this base
    distance     INTEGER NOT NULL,          -- edges from id to base (shortest)
    license      VARCHAR,                   -- the derivative's licence (catalogue id or expression)
    class        VARCHAR,
    base_license VARCHAR,
    base_class   VARCHAR,
    base_duties  VARCHAR[],
    conflict     BOOLEAN,                   -- TRUE flagged, FALSE compatible, NULL unknown (either side unknown)
    reason       VARCHAR                    -- what the derivative permits that the base forbids
);
