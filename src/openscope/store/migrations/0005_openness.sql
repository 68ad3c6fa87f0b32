-- 0005 (openness, issue 7): how each openness row was graded, and the expert overlay.
-- `openness` rows: framework osai (12 dimensions + score), mof (class, progress_1..3), osaid (verdict),
-- component (17 MOF components: grade = status, evidence = {license, evidence[]}).
ALTER TABLE openness ADD COLUMN method VARCHAR;          -- metadata (set-based) | card (per model)

-- Expert grades imported for display beside openscope's (never read by the automatic grades).
CREATE TABLE openness_experts (
    source      VARCHAR NOT NULL,                        -- osai | mof | fmti
    key         VARCHAR NOT NULL,                        -- Hub id (lower case) or developer name
    name        VARCHAR,                                 -- family / record / developer as the source names it
    framework   VARCHAR NOT NULL,                        -- osai | mof | fmti
    dimension   VARCHAR NOT NULL,
    grade       VARCHAR,
    score       DOUBLE,
    url         VARCHAR,
    imported_at TIMESTAMP
);
