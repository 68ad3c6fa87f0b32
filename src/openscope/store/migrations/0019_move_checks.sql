-- The ids a full crawl asked the Hub about after they left its lists (docs/crawl.md, *Moved repositories*), one
-- row per question answered, whatever the answer (a move is also in `moves`). Why: the questions are bounded per
-- crawl (`--move-checks N`, 0 asks none), and the ids beyond the bound are stamped deleted unasked; without a
-- record of which ids were asked, no later crawl could tell them from the ones the Hub answered 'gone', and a
-- namespace renamed with more repositories than the bound lost its moves for good. A later full crawl asks, within
-- its bound, the deleted ids with no question since their deletion. Written in the same transaction as the
-- deletion stamps and the moves.
CREATE TABLE IF NOT EXISTS move_checks (
    repo_type   VARCHAR NOT NULL,    -- model | dataset
    id          VARCHAR NOT NULL,    -- the id asked about (as the store spells it)
    snapshot_id BIGINT NOT NULL,     -- the full crawl that asked
    checked_at  TIMESTAMP NOT NULL   -- when (UTC): the transaction that stamped the crawl's deletions
);
