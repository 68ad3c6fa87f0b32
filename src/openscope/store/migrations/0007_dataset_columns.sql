-- The contract lists pipeline_tag, library_name and params for `models` and `datasets` alike, so a query
-- written for one table runs on the other (a UNION of both, say). The Hub records none of the three for a
-- dataset: they stay NULL (unknown), never derived from tags.
ALTER TABLE datasets ADD COLUMN IF NOT EXISTS pipeline_tag VARCHAR;
ALTER TABLE datasets ADD COLUMN IF NOT EXISTS library_name VARCHAR;
ALTER TABLE datasets ADD COLUMN IF NOT EXISTS params BIGINT;
