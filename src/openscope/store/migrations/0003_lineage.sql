-- 0003: lineage and origin (issue 5). Adds provenance to publishers, the per-source publisher facts
-- (so disagreements are kept, with which one is used), the derived per-model origin, and the state
-- that lets a refresh recompute only what a new snapshot changed.

ALTER TABLE publishers ADD COLUMN organisation VARCHAR;    -- canonical namespace; legacy namespaces share it
ALTER TABLE publishers ADD COLUMN alias_of VARCHAR;        -- set when this namespace is a legacy/alias namespace
ALTER TABLE publishers ADD COLUMN country_source VARCHAR;  -- where the country comes from (NULL when unknown)
ALTER TABLE publishers ADD COLUMN region_source VARCHAR;   -- where the region comes from (NULL when unknown)

-- Every statement a source makes about an organisation, including the ones not used.
CREATE TABLE publisher_sources (
    org       VARCHAR NOT NULL,
    attribute VARCHAR NOT NULL,          -- country | region
    value     VARCHAR,
    source    VARCHAR NOT NULL,
    used      BOOLEAN NOT NULL,          -- TRUE for the value that publishers carries
    note      VARCHAR                    -- why, when sources disagree
);

-- Derived: one row per model (in lineage or on/below a rootless cycle).
CREATE TABLE model_origin (
    id             VARCHAR NOT NULL,
    publisher      VARCHAR,              -- the publishers.org matched from the model's namespace (NULL: not curated)
    organisation   VARCHAR,              -- canonical organisation (legacy namespaces folded)
    country        VARCHAR,              -- publisher's ISO-2 country, NULL when unknown
    region         VARCHAR,              -- us | china | eu | other, NULL when unknown
    depth          INTEGER,              -- largest shortest-path depth over the model's roots; NULL on a rootless cycle
    n_parents      INTEGER NOT NULL,     -- chosen parents
    roots          VARCHAR[],
    root_countries VARCHAR[],            -- distinct known countries of the roots' publishers
    root_regions   VARCHAR[],
    root_country   VARCHAR,              -- one country, 'multiple', or NULL (unknown)
    root_region    VARCHAR               -- one region, 'multiple', or NULL (unknown)
);

CREATE TABLE lineage_state (
    key   VARCHAR NOT NULL,
    value VARCHAR
);
