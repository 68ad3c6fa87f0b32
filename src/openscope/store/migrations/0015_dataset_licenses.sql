-- Each dataset's licence, resolved by the licence step as a model's is (derive/licenses/flowdown.py): its `license`
-- tag, then the card's `license_name`/`license_link`, then the text of the licence file `crawl --datasets --cards`
-- read (`license_texts` rows with repo_type 'dataset'). Why a table of its own and not rows of `licenses`: `licenses`
-- is the contract's table of models (one row per model, with flow-down along lineage, which datasets do not have).
-- The openness grades read `license` here for a model's declared training dataset when `source` is
-- `license_file` (a dataset declaring `other` identified by its LICENSE), else the dataset's declared `license`.
CREATE TABLE IF NOT EXISTS dataset_licenses (
    id           VARCHAR NOT NULL,            -- dataset id
    declared     VARCHAR,                     -- the raw value as declared
    license      VARCHAR,                     -- catalogue id or SPDX expression; NULL when unknown
    class        VARCHAR,
    confidence   DOUBLE,
    evidence     VARCHAR,
    expression   VARCHAR,
    source       VARCHAR,                     -- license | card_name | license_link | license_file | none
    reason       VARCHAR,
    license_name VARCHAR,
    license_link VARCHAR
);
