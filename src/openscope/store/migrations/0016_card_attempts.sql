-- README reads that failed, and when `crawl --cards` asks again (docs/crawl.md, *READMEs that could not be read*).
--
-- Before this, a README that could not be read at all (401/403 of a gated or private repository, a 404 for the
-- repository, a 5xx still failing after the client's retries, an answer past the size bound) left no row, so the
-- repository was a candidate again at every `--cards` run: every gated flagship cost a request per crawl, forever,
-- and pushed other repositories out of `--top N`. Why a table of its own and not a `cards` row: a `cards` row means
-- the README was answered (`text` NULL: known absent, HTTP 404 EntryNotFound); a row for a README never read would
-- change what every reader of `cards` takes that NULL to mean. One row per repository whose last README read failed;
-- deleted when its README is read (or known absent). The policy is the one 0014 gave trees: a refusal waits for a
-- new commit or `retry_at` (30 days); a transient failure is asked again at the next run, three in a row at most.
CREATE TABLE IF NOT EXISTS card_attempts (
    repo_type   VARCHAR NOT NULL,    -- model | dataset
    id          VARCHAR NOT NULL,    -- the repository
    sha         VARCHAR,             -- the commit the listing named when the README was asked for (a new one: asked at once)
    failure     VARCHAR,             -- why: `README.md: HTTP 403 (GatedRepo)`, `README.md: http://… unreachable after 7 attempts (HTTP 500)`
    failures    INTEGER NOT NULL,    -- runs in a row, at this commit, whose README read failed
    retry_at    TIMESTAMP,           -- not a candidate again before this (NULL: at the next run), unless the commit changes
    tried_at    TIMESTAMP NOT NULL,  -- the last failed read
    snapshot_id BIGINT               -- the crawl whose --cards pass tried it
);
