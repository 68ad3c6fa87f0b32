-- A model whose maker is not its namespace's organisation, attributed per model (a canonical-move namespace
-- holding another maker's checkpoint: deepset's German BERT in google-bert). Loaded from the shipped
-- model_publishers.csv, a source per row, like publishers.
CREATE TABLE IF NOT EXISTS model_publishers (
    id     VARCHAR NOT NULL,   -- the Hub id, matched case-insensitively
    org    VARCHAR NOT NULL,   -- an org of publishers
    source VARCHAR
);

-- The model_origin view reads it: lineage's refresh redefines the view (derive/lineage/origin.py,
-- MODEL_ORIGIN_VIEW), since a store made before migration 0003's final layout has no lineage_origin yet.
