-- 0003: lineage and origin (issue 5). Adds provenance to publishers, the per-source publisher facts
-- (so disagreements are kept, with which one is used), the derived per-model origin, and the state
-- that lets a refresh recompute only what a new snapshot changed.
--
-- `lineage` and `model_origin` are views: most models (about two in three on the Hub) have no parent and
-- are their own root at depth 0, a fact the views derive from `models` and `edges` instead of storing
-- millions of trivial rows. Only models with a parent have stored rows (`lineage_paths`,
-- `lineage_origin`). Both views keep the contract's columns.

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

-- (model, root) rows of models that have at least one chosen parent; path = [model, ..., root].
CREATE TABLE lineage_paths (
    id    VARCHAR NOT NULL,
    root  VARCHAR NOT NULL,
    depth INTEGER NOT NULL,
    path  VARCHAR[]
);

DROP TABLE lineage;
CREATE VIEW lineage AS
SELECT id, root, depth, path FROM lineage_paths
UNION ALL
SELECT m.id, m.id, 0, [m.id] FROM models m
WHERE m.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM edges e WHERE e.child = m.id AND e.chosen);

-- Origins of the models that have at least one chosen parent (rootless-cycle members included).
CREATE TABLE lineage_origin (
    id             VARCHAR NOT NULL,
    depth          INTEGER,              -- largest shortest-path depth over the model's roots; NULL when rootless
    n_parents      INTEGER NOT NULL,     -- chosen parents
    roots          VARCHAR[],
    root_countries VARCHAR[],            -- distinct known countries of the roots' publishers
    root_regions   VARCHAR[],
    root_country   VARCHAR,              -- one country, 'multiple', or NULL (unknown)
    root_region    VARCHAR               -- one region, 'multiple', or NULL (unknown)
);

-- One row per model: its publisher (namespace matched case-insensitively) and its roots' origins.
CREATE VIEW model_origin AS
WITH pub AS (
    SELECT lower(org) AS lorg, min(org) AS org, min(organisation) AS organisation, min(country) AS country,
           min(region) AS region
    FROM publishers GROUP BY 1
)
SELECT m.id, p.org AS publisher, p.organisation, p.country, p.region,
       CASE WHEN o.id IS NULL THEN 0 ELSE o.depth END AS depth,
       coalesce(o.n_parents, 0) AS n_parents,
       CASE WHEN o.id IS NULL THEN [m.id] ELSE o.roots END AS roots,
       CASE WHEN o.id IS NULL THEN list_filter([p.country], lambda x: x IS NOT NULL) ELSE o.root_countries END
           AS root_countries,
       CASE WHEN o.id IS NULL THEN list_filter([p.region], lambda x: x IS NOT NULL) ELSE o.root_regions END
           AS root_regions,
       CASE WHEN o.id IS NULL THEN p.country ELSE o.root_country END AS root_country,
       CASE WHEN o.id IS NULL THEN p.region ELSE o.root_region END AS root_region
FROM models m
LEFT JOIN lineage_origin o ON o.id = m.id
LEFT JOIN pub p ON p.lorg = CASE WHEN contains(m.id, '/') THEN lower(split_part(m.id, '/', 1)) END
WHERE m.deleted_at IS NULL;

CREATE TABLE lineage_state (
    key   VARCHAR NOT NULL,
    value VARCHAR
);
