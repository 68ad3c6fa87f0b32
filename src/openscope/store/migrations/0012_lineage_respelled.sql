-- The stored ids that some declaration of a base spelled otherwise (another case, or a bare pre-2024 id
-- such as `bert-base-uncased` for `google-bert/bert-base-uncased`): the parents a lineage refresh re-spelled
-- to the store's id. An answer that shows each edge's declared spelling (`lineage --json`, `model --json`)
-- reads the declarations back from the records only for edges to these parents, instead of scanning every
-- tag of the store for the children shown. Written by lineage's refresh; `lineage_state` key `respelled`
-- = 'complete' once a full refresh has filled it (until then every answer reads the records, as before).
CREATE TABLE IF NOT EXISTS lineage_respelled (
    parent VARCHAR NOT NULL   -- an `edges.parent` value, as stored
);
