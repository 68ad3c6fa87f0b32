"""Counters-only writes: a counters sweep's entries → ``model_stats`` / ``dataset_stats``, set-based.

Why not the normaliser: a sweep asks the Hub only for ``downloads``, ``downloadsAllTime`` and ``likes``,
so its entries carry nothing else. :func:`~openscope.store.normalize.normalize` would see a different raw
text for every repository and rewrite each row with every other field empty. Here only the statistics
tables are written, one row per id per snapshot (a page fetched again after a resume adds none), and the
repository rows are left exactly as they were.
"""

from __future__ import annotations

from dataclasses import dataclass

from openscope.store.db import Store


@dataclass
class CountersResult:
    records: int  # entries read
    written: int  # counter rows written
    changed: int  # rows whose values differ from the latest earlier reading (or first readings)
    rejects: int


def _int(field: str) -> str:
    return f"""CASE WHEN json_type(raw, '$.{field}') IN ('UBIGINT', 'BIGINT')
                    THEN (raw->>'$.{field}')::BIGINT END"""


def _bad_int(field: str) -> str:
    return f"""(json_type(raw, '$.{field}') IS NOT NULL
                AND json_type(raw, '$.{field}') NOT IN ('UBIGINT', 'BIGINT', 'NULL'))"""


def write_counters(
    store: Store,
    snapshot_id: int,
    *,
    repo_type: str = "model",
    source: str = "crawl",
    stage: str = "_stage",
) -> CountersResult:
    """Write the staged entries' counters for ``snapshot_id``. Call inside a transaction."""
    if repo_type not in ("model", "dataset"):
        raise ValueError(repo_type)
    stats = "model_stats" if repo_type == "model" else "dataset_stats"
    con = store.con
    idj = "coalesce(raw->>'$.id', raw->>'$.modelId')"
    con.execute("DROP TABLE IF EXISTS _ctr_checked")
    con.execute(
        f"""CREATE TEMP TABLE _ctr_checked AS
        SELECT line_no, locator, raw, CASE
            WHEN NOT json_valid(raw) THEN 'not valid JSON'
            WHEN json_type(raw) <> 'OBJECT' THEN 'entry is not a JSON object'
            -- the id rule of store/normalize.py, so a sweep keeps counters of exactly the ids it stores
            WHEN coalesce(json_type(raw, '$.id'), json_type(raw, '$.modelId'), 'NULL') = 'NULL' THEN 'missing id'
            WHEN coalesce(json_type(raw, '$.id'), json_type(raw, '$.modelId')) <> 'VARCHAR' OR trim({idj}) = ''
                THEN 'id is not a non-empty string'
            WHEN regexp_matches({idj}, '^[\\s\\p{{Z}}]*$|\\p{{Cc}}') THEN 'id is blank or holds control characters'
            WHEN {_bad_int('downloads')} THEN 'downloads is not an integer'
            WHEN {_bad_int('downloadsAllTime')} THEN 'downloadsAllTime is not an integer'
            WHEN {_bad_int('likes')} THEN 'likes is not an integer'
        END AS reason
        FROM {stage}"""
    )
    n_records = con.execute("SELECT count(*) FROM _ctr_checked").fetchone()[0]  # type: ignore[index]  # an aggregate always yields one row
    n_rejects = store.insert_in_order(
        """INSERT INTO rejects SELECT ?, ?, locator, left(raw, 4000), reason, now()::TIMESTAMP
           FROM _ctr_checked WHERE reason IS NOT NULL ORDER BY line_no""",
        [snapshot_id, source],
    )
    con.execute("DROP TABLE IF EXISTS _ctr")
    con.execute(
        f"""CREATE TEMP TABLE _ctr AS
        SELECT * FROM (
            SELECT line_no, {idj} AS id, {_int('downloads')} AS d, {_int('downloadsAllTime')} AS a,
                   {_int('likes')} AS l
            FROM _ctr_checked WHERE reason IS NULL
        ) WHERE d IS NOT NULL OR a IS NOT NULL OR l IS NOT NULL
        QUALIFY row_number() OVER (PARTITION BY id ORDER BY line_no DESC) = 1"""
    )
    con.execute("DROP TABLE _ctr_checked")
    # The latest earlier reading of each id (to count changes); an id already read in this snapshot
    # (a page fetched again after a resume) gets no second row.
    con.execute("DROP TABLE IF EXISTS _ctr_new")
    con.execute(
        f"""CREATE TEMP TABLE _ctr_new AS
        SELECT c.*, p.pd, p.pa, p.pl, p.sid AS prev_sid
        FROM _ctr c
        ANTI JOIN (SELECT id FROM {stats} WHERE snapshot_id = $1) here ON here.id = c.id
        LEFT JOIN (
            SELECT id, arg_max(downloads_30d, snapshot_id) AS pd, arg_max(downloads_all_time, snapshot_id) AS pa,
                   arg_max(likes, snapshot_id) AS pl, max(snapshot_id) AS sid
            FROM {stats} WHERE snapshot_id < $1 AND id IN (SELECT id FROM _ctr) GROUP BY id) p ON p.id = c.id""",
        [snapshot_id],
    )
    n_changed = con.execute(  # type: ignore[index]  # an aggregate always yields one row
        """SELECT count(*) FROM _ctr_new WHERE prev_sid IS NULL OR pd IS DISTINCT FROM d
               OR pa IS DISTINCT FROM a OR pl IS DISTINCT FROM l"""
    ).fetchone()[0]
    n_written = con.execute(  # type: ignore[index]  # DuckDB's DML yields one row, its count
        f"INSERT INTO {stats} (snapshot_id, id, downloads_30d, downloads_all_time, likes) "
        "SELECT ?, id, d, a, l FROM _ctr_new",
        [snapshot_id],
    ).fetchone()[0]
    con.execute("DROP TABLE _ctr")
    con.execute("DROP TABLE _ctr_new")
    return CountersResult(int(n_records), int(n_written), int(n_changed), int(n_rejects))
