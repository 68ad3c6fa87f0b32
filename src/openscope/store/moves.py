"""Repositories the Hub moved (table ``moves``), read for any repository type.

Why here: a full crawl records the moves of models and of datasets alike (docs/crawl.md, *Moved repositories*),
and three readers need the same rule for both: lineage resolves a declared base model (``edges.moved_sql``, whose
rule this is, for models), the openness probes look a model's declared datasets up under the id they moved to,
and ``ingest`` must tell a dump's record of an old id from the Hub saying that id is live again. The rule lives
once, in SQL, over the store's own tables.
"""

from __future__ import annotations

from openscope.store.db import Store

TABLES = {"model": "models", "dataset": "datasets"}


def latest_moves_sql(repo_type: str) -> str:
    """SQL ``SELECT lold, old_id, new_id, snapshot_id, found_at``: the latest recorded answer about each old id of
    ``repo_type`` (matched case-insensitively, as the Hub matches ids: ``lold`` is the old id lower-cased). An old
    id's latest row is the Hub's latest answer about it."""
    if repo_type not in TABLES:
        raise ValueError(repo_type)
    return f"""SELECT lower(old_id) AS lold, old_id, new_id, snapshot_id, found_at FROM moves
               WHERE repo_type = '{repo_type}'
               QUALIFY row_number() OVER (PARTITION BY lower(old_id)
                                          ORDER BY snapshot_id DESC, found_at DESC, new_id) = 1"""


def moved_sql(parents: str, repo_type: str = "model") -> str:
    """SQL ``SELECT parent, id``: each value of ``parents`` (a query of one column ``parent``) that is the old id of
    a repository of ``repo_type`` a full crawl found moved on the Hub and is no live store id, with the id it moved
    to: the last of a chain of moves (A → B → C gives C), stopping at a live store id (a repository moved back to an
    old id, or one created there, answers for itself) and before any id the chain already passed (a cycle of moves
    ends, it does not loop). The id takes the store's spelling when a live store id matches it up to case, else the
    Hub's. The rule of lineage's ``edges.moved_sql`` (docs/lineage.md, *Repositories the Hub moved*), for models
    or datasets."""
    table = TABLES[repo_type]
    return f"""WITH RECURSIVE
        lm AS (SELECT lold, new_id FROM ({latest_moves_sql(repo_type)})),
        live AS (SELECT id, lower(id) AS lid FROM {table}
                 WHERE deleted_at IS NULL AND lower(id) IN (SELECT lold FROM lm UNION ALL SELECT lower(new_id) FROM lm)),
        start AS (SELECT DISTINCT parent FROM ({parents}) p
                  WHERE lower(parent) IN (SELECT lold FROM lm) AND lower(parent) NOT IN (SELECT lid FROM live)),
        walk(parent, cur, seen, n) AS (
            SELECT parent, parent, [lower(parent)], 0 FROM start
            UNION ALL
            SELECT w.parent, lm.new_id, list_append(w.seen, lower(lm.new_id)), w.n + 1
            FROM walk w JOIN lm ON lm.lold = lower(w.cur)
            WHERE NOT list_contains(w.seen, lower(lm.new_id))
              AND (w.n = 0 OR lower(w.cur) NOT IN (SELECT lid FROM live))),
        fin AS (SELECT parent, arg_max(cur, n) AS cur FROM walk WHERE n > 0 GROUP BY parent)
        SELECT f.parent, coalesce((SELECT min(l.id) FROM live l WHERE l.lid = lower(f.cur)), f.cur) AS id
        FROM fin f"""


def has_moves(store: Store, repo_type: str) -> bool:
    """Whether any move of ``repo_type`` is recorded (a store from before migration 0018 has no table): one count,
    so the readers cost nothing where nothing moved (most stores, the benchmark's included)."""
    if not store.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = 'moves'"):
        return False
    return bool(store.scalar("SELECT count(*) FROM moves WHERE repo_type = ?", [repo_type]))


def moved_ids(store: Store, names: list[str], repo_type: str) -> dict[str, str]:
    """Each of ``names`` that is an old id of a repository of ``repo_type`` the Hub moved (:func:`moved_sql`) and
    whose move ends at a live store row: its lower-cased name → that row's id. Why only live targets: the reader
    then grades the repository by its record; a move to an id the store does not hold tells nothing more than the
    old id's own (deleted) row. Empty where nothing of ``repo_type`` moved (one count)."""
    if not names or not has_moves(store, repo_type):
        return {}
    rows = store.con.execute(
        f"""SELECT lower(parent), id FROM ({moved_sql('SELECT unnest(?::VARCHAR[]) AS parent', repo_type)})
            WHERE lower(id) IN (SELECT lower(id) FROM {TABLES[repo_type]} WHERE deleted_at IS NULL)""",
        [sorted(set(names))]).fetchall()
    return {str(k): str(v) for k, v in rows}
