-- The texts of a model's licence files (`LICENSE`, `LICENSE-MODEL`, the target of the card's `license_link`),
-- read by `crawl --cards` with the README, so that a model declaring `license: other` + `license_link: LICENSE`
-- is identified by its licence's text (licence derivation, openness) instead of staying unknown.
--
-- Why a table of its own and not a `text` column on `files`: `files` rows of a model are deleted and
-- re-inserted from the list entry's `siblings` whenever its entry changes (store/normalize.py), and the entry
-- changes with every download or like count, so a monthly `--full` crawl rewrites the `files` rows of nearly
-- every model; the card, though, is read again only when the model's commit changes (`cards.sha`). A text kept
-- on `files` would be lost at the next full crawl and never read back. A text belongs with the card: read at
-- the same commit (`sha`), and replaced when the crawl reads the card again (keyed by repo_type, id, path).
-- `text` NULL: present in the tree but not read (`note` says why: larger than the bound).
CREATE TABLE IF NOT EXISTS license_texts (
    repo_type   VARCHAR NOT NULL DEFAULT 'model',
    id          VARCHAR NOT NULL,
    path        VARCHAR NOT NULL,              -- as in the file tree
    sha         VARCHAR,                       -- commit the text was read at (X-Repo-Commit)
    text        VARCHAR,
    bytes       BIGINT,                        -- size of what was read
    url         VARCHAR,                       -- the URL it was read from
    note        VARCHAR,                       -- why not read (text NULL)
    read_at     TIMESTAMP,
    snapshot_id BIGINT
);

-- When the crawl last looked for this card's licence files; NULL on cards read before this migration, so the
-- next `crawl --cards` reads those models again once (README, tree and licence files), and on cards whose licence
-- files could not be read (an error), so they are tried again.
ALTER TABLE cards ADD COLUMN license_files_at TIMESTAMP;
