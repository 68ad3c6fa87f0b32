"""The one normaliser: raw Hub entries in a staging relation → the store, set-based.

Every source (file ingest, crawl pages, the simulated Hub) exposes raw entries, exactly as received, as a
staging table or view ``(line_no, locator, raw)`` and calls :func:`normalize` inside its own transaction.
Everything here is SQL over whole batches; there is no per-record Python loop, which is how millions of
entries fit in seconds and bounded memory. Each entry is parsed twice by DuckDB's JSON reader: once for
the type of every field (to reject what is malformed, with a reason) and once into typed columns.

Rules (DESIGN.md, the contract):
- an entry with no id, bad JSON, a bad date or a wrong type goes to ``rejects`` with its reason;
- ``createdAt`` inside the minute 2022-03-02T23:29 (the Hub's stamp for "before we kept dates") is
  stored as NULL with the raw value kept;
- a missing field is unknown (NULL), never 0;
- an entry whose raw text hashes as before is not rewritten (re-ingest processes only what changed);
- counters are recorded per snapshot, either only where they changed (``counters="changed"``, bulk
  dumps) or for every entry read (``counters="all"``, crawls: a snapshot then holds every counter).
"""

from __future__ import annotations

from dataclasses import dataclass

from openscope.store.db import Store
from openscope.store.moves import has_moves, latest_moves_sql

# The Hub stamps every repository created before it kept dates within this minute (both "T" and the
# space separator that parquet dumps use).
UNKNOWN_DATE_LIKE = "2022-03-02_23:29%"

# Field → the type json_transform gives it. Structures we only keep as JSON stay JSON.
_SCHEMA: dict[str, str] = {
    "id": "VARCHAR",
    "modelId": "VARCHAR",
    "author": "VARCHAR",
    "createdAt": "VARCHAR",
    "lastModified": "VARCHAR",
    "pipeline_tag": "VARCHAR",
    "library_name": "VARCHAR",
    "gated": "VARCHAR",
    "tags": "VARCHAR[]",
    "downloads": "BIGINT",
    "downloadsAllTime": "BIGINT",
    "likes": "BIGINT",
    "cardData": "JSON",
    "safetensors": '{"total": "BIGINT"}',
    "siblings": '[{"rfilename": "VARCHAR", "size": "BIGINT", "blobId": "VARCHAR", "lfs": {"sha256": "VARCHAR", "size": "BIGINT"}}]',
    "sha": "VARCHAR",
    "private": "BOOLEAN",
    "baseModels": "JSON",
    "gguf": "JSON",
}
_TYPED_FIELDS = list(_SCHEMA)
# json_type of: the whole entry, then each field (1-based list positions in SQL).
_TY = {"$": 1, **{f: i + 2 for i, f in enumerate(_TYPED_FIELDS)}}


def _schema_sql() -> str:
    parts = []
    for k, v in _SCHEMA.items():
        parts.append(f'"{k}": ' + (v if v.startswith(("{", "[")) else f'"{v}"'))
    return "{" + ", ".join(parts) + "}"


def _ty(field: str) -> str:
    return f"ty[{_TY[field]}]"


@dataclass
class NormalizeResult:
    records: int  # entries read (valid or not)
    accepted: int  # valid entries
    changed: int  # new or changed repositories written
    rejects: int
    counters: int  # counter rows written
    invalid_json: int = 0  # entries that were not JSON at all
    older_than_moves: int = 0  # a dump's entries of ids the Hub moved, older than the crawl that found it


# A time followed by a zone: Z, an offset (+05:30, -0800, +05) or a zone name (PST, Europe/Paris).
_ZONED = r"\d:\d\d(:\d\d)?(\.\d*)?\s*([Zz]|[+-]\d{1,2}(:?\d\d)?|[A-Za-z][A-Za-z0-9_/+-]*)\s*$"


def utc_timestamp_sql(expr: str) -> str:
    """SQL for the UTC instant a Hub date string names (naive TIMESTAMP, the store's convention), NULL
    when it names none. Why not ``try_cast(x AS TIMESTAMP)``: DuckDB drops a UTC offset there
    (``05:00+05:30`` became 05:00, not 23:30 the day before). A zoned string goes through TIMESTAMPTZ
    and ``timezone('UTC', …)``; one without a zone is read as UTC whatever the session's time zone."""
    return (f"CASE WHEN ends_with({expr}, 'Z') THEN try_cast({expr} AS TIMESTAMP) "  # the Hub's form: cheap
            f"WHEN regexp_matches({expr}, '{_ZONED}') "
            f"THEN timezone('UTC', try_cast({expr} AS TIMESTAMPTZ)) ELSE try_cast({expr} AS TIMESTAMP) END")


def _reason_sql() -> str:
    """Why an entry is rejected (NULL when it is fine), from the field types ``ty`` and the typed
    values ``v``; the raw text is re-read only to quote a rejected value."""

    def present(f: str) -> str:
        return f"coalesce({_ty(f)}, 'NULL') <> 'NULL'"

    def not_int(f: str) -> str:
        return f"{present(f)} AND {_ty(f)} NOT IN ('UBIGINT', 'BIGINT')"

    def quote(f: str) -> str:
        return f"left(json_extract(raw, '$.{f}')::VARCHAR, 80)"

    idt = f"coalesce({_ty('id')}, {_ty('modelId')}, 'NULL')"

    def date_bad(f: str) -> str:
        # 'infinity' and years outside 1..9999 cast, but are no date, and no client can represent them
        return (f"{present(f)} AND ({_ty(f)} <> 'VARCHAR' "
                f"OR NOT coalesce(year({utc_timestamp_sql(f'v.{f}')}) BETWEEN 1 AND 9999, false))")

    return f"""CASE
        WHEN ty IS NULL THEN 'not valid JSON'
        WHEN ty[1] <> 'OBJECT' THEN 'entry is not a JSON object'
        WHEN {idt} = 'NULL' THEN 'missing id'
        WHEN {idt} <> 'VARCHAR' OR trim(coalesce(v.id, v.modelId)) = '' THEN 'id is not a non-empty string'
        WHEN regexp_matches(coalesce(v.id, v.modelId), '^[\\s\\p{{Z}}]*$|\\p{{Cc}}')
            THEN 'id is blank or holds control characters: ' || left(to_json(coalesce(v.id, v.modelId))::VARCHAR, 80)
        WHEN {date_bad('createdAt')} THEN 'createdAt is not a timestamp: ' || {quote('createdAt')}
        WHEN {date_bad('lastModified')} THEN 'lastModified is not a timestamp: ' || {quote('lastModified')}
        WHEN {not_int('downloads')} THEN 'downloads is not an integer: ' || {quote('downloads')}
        WHEN {not_int('downloadsAllTime')} THEN 'downloadsAllTime is not an integer: ' || {quote('downloadsAllTime')}
        WHEN {not_int('likes')} THEN 'likes is not an integer: ' || {quote('likes')}
        WHEN {present('tags')} AND {_ty('tags')} <> 'ARRAY' THEN 'tags is not a list of strings'
        WHEN {present('cardData')} AND {_ty('cardData')} NOT IN ('OBJECT', 'VARCHAR') THEN 'cardData is not an object'
        WHEN {present('siblings')} AND {_ty('siblings')} <> 'ARRAY' THEN 'siblings is not a list'
        WHEN {present('safetensors')} AND {_ty('safetensors')} <> 'OBJECT' THEN 'safetensors is not an object'
        END"""


def normalize(
    store: Store,
    snapshot_id: int,
    *,
    repo_type: str = "model",
    source: str = "ingest",
    counters: str = "changed",
    stage: str = "_stage",
    locator_prefix: str | None = None,
    dump: bool = False,
) -> NormalizeResult:
    """Normalise the staged entries of ``stage`` into the store. Call inside a transaction.

    ``stage`` has columns ``(line_no, locator, raw)``, or just ``raw`` for a stream read in order (a
    file), whose entries are then numbered here and located as ``locator_prefix`` + number.

    ``dump``: the entries are a bulk dump of unknown date (``ingest``), not the Hub's answer now (a crawl): an
    entry of an id a full crawl found moved is set aside when nothing in the dump is newer than that crawl
    (:func:`_set_aside_older_than_moves`).
    """
    if repo_type not in ("model", "dataset"):
        raise ValueError(repo_type)
    if counters not in ("changed", "all"):
        raise ValueError(counters)
    con = store.con
    table = "models" if repo_type == "model" else "datasets"
    stats = "model_stats" if repo_type == "model" else "dataset_stats"
    paths = ", ".join(["'$'"] + [f"'$.\"{f}\"'" for f in _TYPED_FIELDS])

    # 1. One pass over the staged entries: type every field, give a reason to what is malformed, turn
    #    the rest into typed columns and look up the stored row, all in one materialisation. Raw text is
    #    kept only for rejects.
    cols = {r[0] for r in con.execute(f"DESCRIBE {stage}").fetchall()}
    numbered = "line_no" in cols
    prefix = (locator_prefix or stage).replace("'", "''")
    n_known = 0
    # A re-ingest skips entries whose raw text is already stored (same hash): they are not even parsed.
    # Crawls (counters="all") parse everything, since every entry's counters are recorded.
    prefilter = counters == "changed" and con.execute(f"SELECT count(*) > 0 FROM {table}").fetchone()[0]  # type: ignore[index]  # an aggregate always yields one row
    lines_of = stage  # the stream whose lines number the entries, should any entry need its line
    if prefilter:
        known = f"(SELECT raw_hash FROM {table} WHERE deleted_at IS NULL AND raw_hash IS NOT NULL)"
        # A stream stays unnumbered here too (numbering is a single-threaded window over every line):
        # the few fresh entries get their line later, from the stream itself, only if one needs it.
        number = "line_no, locator, " if numbered else ""
        con.execute("DROP TABLE IF EXISTS _hashed")
        con.execute(
            f"""CREATE TEMP TABLE _hashed AS
            SELECT {number}h, known, raw FROM (
              SELECT * EXCLUDE (raw), CASE WHEN NOT known THEN raw END AS raw
              FROM (SELECT *, h IN {known} AS known FROM (SELECT *, hash(raw) AS h FROM {stage})))"""
        )
        n_known = con.execute(  # type: ignore[index]  # DuckDB's DML yields one row, its count
            f"""UPDATE {table} SET last_snapshot_id = ?
                WHERE raw_hash IN (SELECT h FROM _hashed WHERE known) AND deleted_at IS NULL""",
            [snapshot_id],
        ).fetchone()[0]
        con.execute("DROP VIEW IF EXISTS _fresh")
        con.execute(f"CREATE TEMP VIEW _fresh AS SELECT {number}raw FROM _hashed WHERE NOT known")
        stage = "_fresh"
    card = """CASE WHEN card_type = 'OBJECT' THEN v.cardData
                   WHEN card_type = 'VARCHAR' AND json_valid(v.cardData->>'$')
                        AND json_type((v.cardData->>'$')::JSON) = 'OBJECT' THEN (v.cardData->>'$')::JSON END"""
    parsed = f"""SELECT {'line_no, locator, ' if numbered else ''}h, reason,
               CASE WHEN reason IS NOT NULL THEN raw END AS bad_raw,
               CASE WHEN reason IS NULL THEN v END AS v,
               CASE WHEN reason IS NULL THEN {_ty('cardData')} END AS card_type
        FROM (
          SELECT *, {_reason_sql()} AS reason
          FROM (SELECT *, CASE WHEN ty[1] = 'OBJECT' THEN json_transform(raw, '{_schema_sql()}') END AS v
                FROM (SELECT *, hash(raw) AS h, try(json_type(raw, [{paths}])) AS ty FROM {stage}))
        )"""
    if not numbered:
        # A raw stream (a file) is parsed fully in parallel, unnumbered: numbering a stream is a
        # single-threaded window, so it is done later, on a narrow (line, hash) relation, and only when
        # some entry needs its line (a reject, or an id repeated within the file).
        parsed = f"SELECT NULL::BIGINT AS line_no, NULL::VARCHAR AS locator, * FROM ({parsed})"
    con.execute("DROP TABLE IF EXISTS _typed")
    con.execute(
        f"""CREATE TEMP TABLE _typed AS
        SELECT p.*, o.raw_hash AS old_hash, o.first_snapshot_id AS old_first, o.deleted_at AS old_deleted,
               p.reason IS NULL AND (o.id IS NULL OR o.raw_hash IS DISTINCT FROM p.raw_hash
                                     OR o.deleted_at IS NOT NULL) AS changed
        FROM (
          SELECT line_no, locator, reason, bad_raw, h AS raw_hash,
            coalesce(v.id, v.modelId) AS id,
            v.author AS author,
            CASE WHEN v.createdAt LIKE '{UNKNOWN_DATE_LIKE}' THEN NULL
                 ELSE {utc_timestamp_sql('v.createdAt')} END AS created_at,
            v.createdAt AS created_at_raw,
            {utc_timestamp_sql('v.lastModified')} AS last_modified,
            v.pipeline_tag AS pipeline_tag, v.library_name AS library_name,
            lower(v.gated) AS gated,
            v.tags AS tag_list,
            {card} AS card_data,
            coalesce(v.safetensors.total, try_cast(json_extract_string(v.gguf, '$.total') AS BIGINT)) AS params,
            v.downloads AS downloads_30d, v.downloadsAllTime AS downloads_all_time, v.likes AS likes,
            v.siblings AS siblings, v.sha AS sha, v.private AS private,
            CASE WHEN json_type(v.baseModels) IN ('OBJECT', 'ARRAY') THEN v.baseModels END AS base_models,
            CASE WHEN json_type(v.gguf) = 'OBJECT' THEN v.gguf END AS gguf
          FROM ({parsed})
        ) p LEFT JOIN {table} o ON o.id = p.id AND p.reason IS NULL"""
    )
    n_records, n_invalid, n_bad, n_ids, n_distinct = con.execute(  # type: ignore[misc]  # an aggregate always yields one row
        """SELECT count(*), count(*) FILTER (reason = 'not valid JSON'), count(reason),
                  count(id) FILTER (reason IS NULL), count(DISTINCT id) FILTER (reason IS NULL) FROM _typed"""
    ).fetchone()
    if not numbered and (n_bad or n_distinct < n_ids):
        con.execute("DROP TABLE IF EXISTS _lines")
        con.execute(
            f"""CREATE TEMP TABLE _lines AS
            SELECT row_number() OVER () AS ln, h FROM (SELECT hash(raw) AS h FROM {lines_of})"""
        )
        # Identical lines share a hash: each (hash, line) pair is kept once, so a repeated line gives one
        # reject per line, and among repeated ids the last line wins below.
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE _typed AS
            SELECT l.ln AS line_no, '{prefix}' || l.ln AS locator, t.* EXCLUDE (line_no, locator)
            FROM (SELECT DISTINCT ON (raw_hash) * FROM _typed) t JOIN _lines l ON l.h = t.raw_hash"""
        )
        con.execute("DROP TABLE _lines")
    n_rejects = store.insert_in_order(
        """INSERT INTO rejects SELECT ?, ?, locator, left(bad_raw, 4000), reason, now()::TIMESTAMP
           FROM _typed WHERE reason IS NOT NULL ORDER BY line_no""",
        [snapshot_id, source],
    )
    if n_rejects:
        con.execute("DELETE FROM _typed WHERE reason IS NOT NULL")

    # 2. The last occurrence of an id in a batch wins (checked first: a dump rarely repeats an id).
    n_accepted = con.execute("SELECT count(*) FROM _typed").fetchone()[0]  # type: ignore[index]  # an aggregate always yields one row
    if n_distinct < n_accepted:
        con.execute(
            """DELETE FROM _typed WHERE line_no IN (
                 SELECT line_no FROM (SELECT line_no, row_number() OVER (PARTITION BY id ORDER BY line_no DESC) AS rn
                                      FROM _typed WHERE id IN (SELECT id FROM _typed GROUP BY id HAVING count(*) > 1))
                 WHERE rn > 1)"""
        )
        n_accepted = n_distinct

    # 2b. A dump's entries of ids the Hub moved, older news than the crawl that found the move: kept out of the
    #     repository rows (they would make the old id live again), their counters kept as the old id's history.
    n_stale = 0
    if dump and has_moves(store, repo_type):
        n_stale = _set_aside_older_than_moves(store, repo_type, table, known_hashes=prefilter)
        n_accepted -= n_stale

    # 3. What changed: new ids or a different raw hash (or a deleted repository that came back).
    con.execute("DROP VIEW IF EXISTS _changed")
    con.execute("CREATE TEMP VIEW _changed AS SELECT * FROM _typed WHERE changed")
    n_changed = con.execute("SELECT count(*) FROM _typed WHERE changed").fetchone()[0]  # type: ignore[index]  # an aggregate always yields one row

    # Seen but unchanged: only the last snapshot moves.
    if n_changed < n_accepted:
        con.execute(
            f"""UPDATE {table} SET last_snapshot_id = ?
                FROM _typed t WHERE {table}.id = t.id AND NOT t.changed""",
            [snapshot_id],
        )

    if n_changed:
        license_expr = """coalesce(
            list_extract(list_transform(list_filter(tag_list, lambda x: starts_with(x, 'license:')),
                                        lambda x: x[9:]), 1),
            card_data->>'$.license')"""
        author = "coalesce(author, CASE WHEN contains(id, '/') THEN split_part(id, '/', 1) END)"
        synthetic = "coalesce(list_contains(tag_list, 'openscope:synthetic'), false)"
        has_old = con.execute("SELECT count(*) FROM _changed WHERE old_first IS NOT NULL").fetchone()[0]  # type: ignore[index]  # an aggregate always yields one row
        if has_old:
            con.execute(f"DELETE FROM {table} WHERE id IN (SELECT id FROM _changed WHERE old_first IS NOT NULL)")
        if repo_type == "model":
            con.execute(
                f"""INSERT INTO models (id, author, created_at, created_at_raw, last_modified, pipeline_tag,
                        library_name, gated, license, card_data, params, synthetic, deleted_at,
                        first_snapshot_id, last_snapshot_id, sha, private, base_models, gguf, raw_hash,
                        updated_snapshot_id)
                    SELECT id, {author}, created_at, created_at_raw, last_modified, pipeline_tag, library_name,
                        gated, {license_expr}, card_data, params, {synthetic}, NULL,
                        coalesce(old_first, $1), $1, sha, private, base_models, gguf, raw_hash, $1
                    FROM _changed""",
                [snapshot_id],
            )
        else:
            con.execute(
                f"""INSERT INTO datasets (id, author, created_at, created_at_raw, last_modified, gated, license,
                        card_data, synthetic, deleted_at, first_snapshot_id, last_snapshot_id, sha, private,
                        raw_hash, updated_snapshot_id)
                    SELECT id, {author}, created_at, created_at_raw, last_modified, gated, {license_expr},
                        card_data, {synthetic}, NULL, coalesce(old_first, $1), $1, sha, private, raw_hash, $1
                    FROM _changed""",
                [snapshot_id],
            )
        # Tags: replaced for changed repositories (they carry lineage: base_model:<relation>:<id>).
        if has_old:
            con.execute("DELETE FROM tags WHERE repo_type = ? AND id IN (SELECT id FROM _changed)", [repo_type])
        # A null inside the list (a parquet dump can hold one) is no tag, not a reason to fail the batch.
        con.execute(
            """INSERT INTO tags SELECT ?, id, tag FROM (SELECT id, unnest(tag_list) AS tag FROM _changed
                                                       WHERE tag_list IS NOT NULL) WHERE tag IS NOT NULL""",
            [repo_type],
        )
        # Files: replaced only when the entry lists them (an entry read without siblings keeps the old list).
        if has_old:
            con.execute(
                """DELETE FROM files WHERE repo_type = ?
                   AND id IN (SELECT id FROM _changed WHERE siblings IS NOT NULL)""",
                [repo_type],
            )
        con.execute(
            """INSERT INTO files (repo_type, id, path, size, blob_id, lfs_sha256, snapshot_id)
               SELECT ?, id, s.rfilename, coalesce(s.size, s.lfs.size), s.blobId, s.lfs.sha256, ?
               FROM (SELECT id, unnest(siblings) AS s FROM _changed WHERE siblings IS NOT NULL)
               WHERE s.rfilename IS NOT NULL""",
            [repo_type, snapshot_id],
        )

    # 4. Counters: per snapshot, never twice for one id in one snapshot.
    src = "_typed" if counters == "all" else "_changed"
    if n_stale:  # an old id's readings from before its move are its history (the counters view ends at its deletion)
        cols = "id, downloads_30d, downloads_all_time, likes"
        src = f"(SELECT {cols} FROM {src} UNION ALL SELECT {cols} FROM _stale)"
    n_counters = con.execute(  # type: ignore[index]  # DuckDB's DML yields one row, its count
        f"""INSERT INTO {stats} (snapshot_id, id, downloads_30d, downloads_all_time, likes)
            SELECT ?, t.id, t.downloads_30d, t.downloads_all_time, t.likes
            FROM {src} t
            LEFT JOIN (SELECT id, arg_max(downloads_30d, snapshot_id) AS d, arg_max(downloads_all_time, snapshot_id) AS a,
                              arg_max(likes, snapshot_id) AS l, max(snapshot_id) AS last_sid
                       FROM {stats} WHERE id IN (SELECT id FROM {src}) GROUP BY id) p ON p.id = t.id
            WHERE (t.downloads_30d IS NOT NULL OR t.downloads_all_time IS NOT NULL OR t.likes IS NOT NULL)
              AND p.last_sid IS DISTINCT FROM ?
              AND ({'TRUE' if counters == 'all' else 'FALSE'}
                   OR p.id IS NULL OR p.d IS DISTINCT FROM t.downloads_30d
                   OR p.a IS DISTINCT FROM t.downloads_all_time OR p.l IS DISTINCT FROM t.likes)""",
        [snapshot_id, snapshot_id],
    ).fetchone()[0]

    con.execute("DROP VIEW IF EXISTS _changed")
    con.execute("DROP TABLE IF EXISTS _typed")
    con.execute("DROP TABLE IF EXISTS _stale")
    if prefilter:
        con.execute("DROP VIEW IF EXISTS _fresh")
        con.execute("DROP TABLE IF EXISTS _hashed")
    n_records += n_known
    n_accepted += n_known + n_stale
    return NormalizeResult(int(n_records), int(n_accepted), int(n_changed), int(n_rejects), int(n_counters),
                           int(n_invalid), int(n_stale))


def _set_aside_older_than_moves(store: Store, repo_type: str, table: str, *, known_hashes: bool) -> int:
    """Move from ``_typed`` to temp table ``_stale`` (its columns, ``id`` spelled as the move's old id) the
    entries of a dump that name an id a full crawl found moved and that the dump cannot be newer than. Returns
    how many.

    Why: a full crawl that found ``A`` redirecting to ``B`` stamped ``A`` deleted and recorded the move; a dump
    taken before the move still lists ``A``, and ingest takes a listed repository as present, so the old id came
    back as a live model, lineage stopped at it (a live id answers for itself) and the derivatives declaring ``A``
    lost ``B`` until the next full crawl. The dump is older news than the crawl. But a dump taken after the move
    that lists ``A`` is the Hub saying ``A`` is live again (moved back, or a new repository created there), and
    must still revive it.

    The rule (docs/ingest.md, *Repositories the Hub moved*): an entry is set aside when its id is, up to case, the
    old id of a recorded move (the Hub's latest answer about it, not a case-only rename) that no live store row
    holds, and the dump's newest date is not later than the ``found_at`` of that move. The dump's newest date is
    the latest ``lastModified`` or ``createdAt`` of its entries (those unchanged since an earlier ingest too), not
    later than now: a dump is taken after every date it holds, so a date later than the crawl proves the dump
    newer than the move (the Hub listed the old id after the redirect was seen). A move keeps ``lastModified``, so
    the entry's own date alone cannot tell a repository moved back; without such a date the dump cannot be told
    from one taken before the move, and the crawl, which asked the Hub, wins (the next full crawl revives a live
    old id)."""
    con = store.con
    con.execute("DROP TABLE IF EXISTS _stale")
    con.execute(
        f"""CREATE TEMP TABLE _stale AS
        WITH lm AS ({latest_moves_sql(repo_type)})
        SELECT t.* REPLACE (lm.old_id AS id), lm.found_at AS move_found_at
        FROM _typed t JOIN lm ON lm.lold = lower(t.id)
        WHERE lower(lm.new_id) <> lm.lold
          AND lm.lold NOT IN (SELECT lower(id) FROM {table}
                              WHERE deleted_at IS NULL AND lower(id) IN (SELECT lold FROM lm))"""
    )
    if not con.execute("SELECT count(*) FROM _stale").fetchone()[0]:  # type: ignore[index]  # an aggregate always yields one row
        return 0
    now = "timezone('UTC', now())::TIMESTAMP"
    newest = f"""SELECT max(d) FROM (SELECT greatest(last_modified, created_at) AS d FROM _typed) WHERE d <= {now}"""
    if known_hashes:  # entries unchanged since an earlier ingest were not parsed: their dates are the stored ones
        newest = f"""SELECT max(d) FROM (
            SELECT greatest(last_modified, created_at) AS d FROM _typed
            UNION ALL
            SELECT greatest(last_modified, created_at) FROM {table}
            WHERE deleted_at IS NULL AND raw_hash IN (SELECT h FROM _hashed WHERE known)) WHERE d <= {now}"""
    con.execute(f"""DELETE FROM _stale WHERE move_found_at < ({newest})""")
    n = int(con.execute(  # type: ignore[index]  # DuckDB's DML yields one row, its count
        "DELETE FROM _typed WHERE lower(id) IN (SELECT lower(id) FROM _stale)").fetchone()[0])
    # two spellings of one old id in a dump: one counter row for it, the last line's (as for a repeated id)
    con.execute("CREATE OR REPLACE TEMP TABLE _stale AS SELECT * FROM _stale "
                "QUALIFY row_number() OVER (PARTITION BY id ORDER BY line_no DESC NULLS LAST) = 1")
    return n
