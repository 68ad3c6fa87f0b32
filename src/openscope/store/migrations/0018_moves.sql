-- Repositories the Hub moved (renamed, or transferred to another namespace), as a full crawl found them
-- (docs/crawl.md, *Moved repositories*). A full crawl that no longer sees an id asks the Hub about it; the Hub
-- answers an old id with a redirect to the new one, and the id that answer names is recorded here. Why: derivatives
-- keep declaring `base_model: <old id>`; lineage resolves a declared parent that is a recorded old id to the id it
-- moved to (docs/lineage.md), so they keep their root and its country. One row per (repo_type, old id, crawl that
-- found the move); the latest row of an old id is the Hub's latest answer. Written in the same transaction as the
-- crawl's deletion stamps: a killed crawl leaves no half-recorded move.
CREATE TABLE IF NOT EXISTS moves (
    repo_type   VARCHAR NOT NULL,    -- model | dataset
    old_id      VARCHAR NOT NULL,    -- the id the crawl no longer listed (as the store spelled it)
    new_id      VARCHAR NOT NULL,    -- the id the Hub's answer for old_id names (after its redirect)
    snapshot_id BIGINT NOT NULL,     -- the full crawl that found it
    found_at    TIMESTAMP NOT NULL   -- when (UTC)
);
