-- Why a card's tree or licence files were not read, and when `crawl --cards` asks again.
--
-- Before this, a card whose README was read but whose file tree (or a licence file) was not kept
-- `license_files_at` NULL and was a candidate again at every `--cards` run: a repository whose tree the Hub
-- refuses (401/403, 404 for the tree route) cost its README, its tree and any licence files on every run, for
-- an answer that would not change. The crawl now records the failure and asks again only when it may have
-- changed (docs/crawl.md, *Cards that could not be read whole*): at once when the repository's commit changes;
-- after a refusal (4xx, an answer past the size bound or not the Hub's) not before `retry_at` (30 days); after a
-- transient failure (5xx, a cut or timed-out answer, still failing after the client's retries) at the next run,
-- three times in a row at most, then as after a refusal.
ALTER TABLE cards ADD COLUMN read_failures INTEGER;   -- consecutive runs at this commit whose tree or licence files could not all be read (NULL/0: none)
ALTER TABLE cards ADD COLUMN read_failure VARCHAR;    -- why, for the last such run (`file tree: HTTP 403 (GatedRepo)`)
ALTER TABLE cards ADD COLUMN retry_at TIMESTAMP;      -- not a candidate again before this (NULL: at the next run), unless the commit changes
