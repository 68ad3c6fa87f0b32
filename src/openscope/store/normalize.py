"""The one normaliser: raw Hub entries in a staging table → the store, set-based.

Every source (file ingest, crawl pages, the simulated Hub) puts raw entries, exactly as received, into
a staging table ``(line_no, locator, raw)`` and calls :func:`normalize` inside its own transaction.
Everything here is SQL over whole batches; there is no per-record Python loop, which is how millions of
entries fit in seconds and bounded memory.

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

# The Hub stamps every repository created before it kept dates within this minute (both "T" and the
# space separator that parquet dumps use).
UNKNOWN_DATE_RE = "^2022-03-02[T ]23:29"

# Fields read from each entry, in one JSON parse per entry.
_FIELDS = [
    "id", "modelId", "author", "createdAt", "lastModified", "pipeline_tag", "library_name", "gated",
    "tags", "downloads", "downloadsAllTime", "likes", "cardData", "safetensors", "siblings", "sha",
    "private", "baseModels", "gguf",
]
_IDX = {name: i + 1 for i, name in enumerate(_FIELDS)}  # DuckDB lists are 1-based


def _f(name: str) -> str:
    return f"f[{_IDX[name]}]"


@dataclass
class NormalizeResult:
    records: int  # entries read (valid or not)
    accepted: int  # valid entries
    changed: int  # new or changed repositories written
    rejects: int
    counters: int  # counter rows written


def _is_int(expr: str) -> str:
    return f"json_type({expr}) IN ('UBIGINT', 'BIGINT')"


def _date_ok(expr: str) -> str:
    return (
        f"({expr} IS NULL OR json_type({expr}) = 'NULL' OR "
        f"(json_type({expr}) = 'VARCHAR' AND try_cast({expr}->>'$' AS TIMESTAMP) IS NOT NULL))"
    )


def _ts(expr: str) -> str:
    return f"try_cast({expr}->>'$' AS TIMESTAMP)"


def normalize(
    store: Store,
    snapshot_id: int,
    *,
    repo_type: str = "model",
    source: str = "ingest",
    counters: str = "changed",
    stage: str = "_stage",
) -> NormalizeResult:
    """Normalise the staged entries of ``stage`` into the store. Call inside a transaction."""
    if repo_type not in ("model", "dataset"):
        raise ValueError(repo_type)
    con = store.con
    table = "models" if repo_type == "model" else "datasets"
    stats = "model_stats" if repo_type == "model" else "dataset_stats"
    paths = ", ".join(f"'$.\"{f}\"'" for f in _FIELDS)

    # 1. Parse once; classify.
    con.execute("DROP TABLE IF EXISTS _parsed")
    con.execute(
        f"""CREATE TEMP TABLE _parsed AS
        SELECT line_no, locator, raw, hash(raw) AS h,
               CASE WHEN json_valid(raw) THEN json_extract(raw, [{paths}]) END AS f,
               CASE WHEN json_valid(raw) THEN json_type(raw::JSON) END AS top_type
        FROM {stage}"""
    )
    idj = f"coalesce({_f('id')}, {_f('modelId')})"
    reason = f"""CASE
        WHEN f IS NULL THEN 'not valid JSON'
        WHEN top_type <> 'OBJECT' THEN 'entry is not a JSON object'
        WHEN {idj} IS NULL OR json_type({idj}) = 'NULL' THEN 'missing id'
        WHEN json_type({idj}) <> 'VARCHAR' OR trim({idj}->>'$') = '' THEN 'id is not a non-empty string'
        WHEN NOT {_date_ok(_f('createdAt'))} THEN 'createdAt is not a timestamp: ' || left({_f('createdAt')}::VARCHAR, 80)
        WHEN NOT {_date_ok(_f('lastModified'))} THEN 'lastModified is not a timestamp: ' || left({_f('lastModified')}::VARCHAR, 80)
        WHEN {_f('downloads')} IS NOT NULL AND json_type({_f('downloads')}) <> 'NULL' AND NOT {_is_int(_f('downloads'))}
            THEN 'downloads is not an integer: ' || left({_f('downloads')}::VARCHAR, 80)
        WHEN {_f('downloadsAllTime')} IS NOT NULL AND json_type({_f('downloadsAllTime')}) <> 'NULL' AND NOT {_is_int(_f('downloadsAllTime'))}
            THEN 'downloadsAllTime is not an integer: ' || left({_f('downloadsAllTime')}::VARCHAR, 80)
        WHEN {_f('likes')} IS NOT NULL AND json_type({_f('likes')}) <> 'NULL' AND NOT {_is_int(_f('likes'))}
            THEN 'likes is not an integer: ' || left({_f('likes')}::VARCHAR, 80)
        WHEN {_f('tags')} IS NOT NULL AND json_type({_f('tags')}) NOT IN ('ARRAY', 'NULL')
            THEN 'tags is not a list'
        WHEN {_f('tags')} IS NOT NULL AND json_type({_f('tags')}) = 'ARRAY'
             AND len(list_filter(json_extract({_f('tags')}, '$[*]'), lambda t: json_type(t) <> 'VARCHAR')) > 0
            THEN 'tags is not a list of strings'
        WHEN {_f('cardData')} IS NOT NULL AND json_type({_f('cardData')}) NOT IN ('OBJECT', 'NULL', 'VARCHAR')
            THEN 'cardData is not an object'
        WHEN json_type({_f('cardData')}) = 'VARCHAR' AND coalesce(trim({_f('cardData')}->>'$'), '') NOT IN ('', 'null')
             AND (NOT json_valid({_f('cardData')}->>'$') OR json_type(({_f('cardData')}->>'$')::JSON) <> 'OBJECT')
            THEN 'cardData is not a JSON object'
        WHEN {_f('siblings')} IS NOT NULL AND json_type({_f('siblings')}) NOT IN ('ARRAY', 'NULL')
            THEN 'siblings is not a list'
        END"""
    con.execute("DROP TABLE IF EXISTS _checked")
    con.execute(f"CREATE TEMP TABLE _checked AS SELECT *, {reason} AS reason FROM _parsed")
    con.execute("DROP TABLE _parsed")

    n_records = con.execute("SELECT count(*) FROM _checked").fetchone()[0]
    n_rejects = con.execute(
        """INSERT INTO rejects SELECT ?, ?, locator, left(raw, 4000), reason, now()::TIMESTAMP
           FROM _checked WHERE reason IS NOT NULL""",
        [snapshot_id, source],
    ).fetchone()[0]

    # 2. Type the valid entries; the last occurrence of an id in a batch wins.
    card = f"""CASE WHEN json_type({_f('cardData')}) = 'OBJECT' THEN {_f('cardData')}
                    WHEN json_type({_f('cardData')}) = 'VARCHAR' AND json_valid({_f('cardData')}->>'$')
                         THEN ({_f('cardData')}->>'$')::JSON END"""
    tags = f"""CASE WHEN json_type({_f('tags')}) = 'ARRAY' THEN json_extract_string({_f('tags')}, '$[*]') END"""
    params = f"""coalesce(try_cast(json_extract({_f('safetensors')}, '$.total')->>'$' AS BIGINT),
                          try_cast(json_extract({_f('gguf')}, '$.total')->>'$' AS BIGINT))"""
    con.execute("DROP TABLE IF EXISTS _typed")
    con.execute(
        f"""CREATE TEMP TABLE _typed AS
        SELECT * FROM (
          SELECT line_no, h AS raw_hash,
            {idj}->>'$' AS id,
            {_f('author')}->>'$' AS author,
            CASE WHEN regexp_matches({_f('createdAt')}->>'$', '{UNKNOWN_DATE_RE}') THEN NULL
                 ELSE {_ts(_f('createdAt'))} END AS created_at,
            {_f('createdAt')}->>'$' AS created_at_raw,
            {_ts(_f('lastModified'))} AS last_modified,
            {_f('pipeline_tag')}->>'$' AS pipeline_tag,
            {_f('library_name')}->>'$' AS library_name,
            CASE WHEN {_f('gated')} IS NULL OR json_type({_f('gated')}) = 'NULL' THEN NULL
                 ELSE lower({_f('gated')}->>'$') END AS gated,
            {tags} AS tag_list,
            {card} AS card_data,
            {params} AS params,
            CASE WHEN {_is_int(_f('downloads'))} THEN ({_f('downloads')}->>'$')::BIGINT END AS downloads_30d,
            CASE WHEN {_is_int(_f('downloadsAllTime'))} THEN ({_f('downloadsAllTime')}->>'$')::BIGINT END AS downloads_all_time,
            CASE WHEN {_is_int(_f('likes'))} THEN ({_f('likes')}->>'$')::BIGINT END AS likes,
            CASE WHEN json_type({_f('siblings')}) = 'ARRAY' THEN {_f('siblings')} END AS siblings,
            {_f('sha')}->>'$' AS sha,
            try_cast({_f('private')}->>'$' AS BOOLEAN) AS private,
            CASE WHEN json_type({_f('baseModels')}) IN ('OBJECT', 'ARRAY') THEN {_f('baseModels')} END AS base_models,
            CASE WHEN json_type({_f('gguf')}) = 'OBJECT' THEN {_f('gguf')} END AS gguf
          FROM _checked WHERE reason IS NULL
        ) QUALIFY row_number() OVER (PARTITION BY id ORDER BY line_no DESC) = 1"""
    )
    con.execute("DROP TABLE _checked")
    n_accepted = con.execute("SELECT count(*) FROM _typed").fetchone()[0]

    # 3. What changed: new ids or a different raw hash (or a deleted repository that came back).
    con.execute("DROP TABLE IF EXISTS _changed")
    con.execute(
        f"""CREATE TEMP TABLE _changed AS
        SELECT t.*, o.first_snapshot_id AS old_first
        FROM _typed t LEFT JOIN {table} o ON o.id = t.id
        WHERE o.id IS NULL OR o.raw_hash IS DISTINCT FROM t.raw_hash OR o.deleted_at IS NOT NULL"""
    )
    n_changed = con.execute("SELECT count(*) FROM _changed").fetchone()[0]

    # Seen but unchanged: only the last snapshot moves.
    con.execute(
        f"""UPDATE {table} SET last_snapshot_id = ?
            FROM _typed t WHERE {table}.id = t.id AND {table}.raw_hash = t.raw_hash
              AND {table}.deleted_at IS NULL""",
        [snapshot_id],
    )

    if n_changed:
        license_expr = """coalesce(
            list_extract(list_transform(list_filter(tag_list, lambda x: starts_with(x, 'license:')), lambda x: x[9:]), 1),
            card_data->>'$.license')"""
        con.execute(f"DELETE FROM {table} WHERE id IN (SELECT id FROM _changed)")
        if repo_type == "model":
            con.execute(
                f"""INSERT INTO models (id, author, created_at, created_at_raw, last_modified, pipeline_tag,
                        library_name, gated, license, card_data, params, synthetic, deleted_at,
                        first_snapshot_id, last_snapshot_id, sha, private, base_models, gguf, raw_hash,
                        updated_snapshot_id)
                    SELECT id, coalesce(author, CASE WHEN contains(id, '/') THEN split_part(id, '/', 1) END),
                        created_at, created_at_raw, last_modified, pipeline_tag, library_name, gated,
                        {license_expr}, card_data, params,
                        coalesce(list_contains(tag_list, 'openscope:synthetic'), false), NULL,
                        coalesce(old_first, $1), $1, sha, private, base_models, gguf, raw_hash, $1
                    FROM _changed""",
                [snapshot_id],
            )
        else:
            con.execute(
                f"""INSERT INTO datasets (id, author, created_at, created_at_raw, last_modified, gated, license,
                        card_data, synthetic, deleted_at, first_snapshot_id, last_snapshot_id, sha, private,
                        raw_hash, updated_snapshot_id)
                    SELECT id, coalesce(author, CASE WHEN contains(id, '/') THEN split_part(id, '/', 1) END),
                        created_at, created_at_raw, last_modified, gated, {license_expr}, card_data,
                        coalesce(list_contains(tag_list, 'openscope:synthetic'), false), NULL,
                        coalesce(old_first, $1), $1, sha, private, raw_hash, $1
                    FROM _changed""",
                [snapshot_id],
            )
        # Tags: replaced for changed repositories (they carry lineage: base_model:<relation>:<id>).
        con.execute(
            "DELETE FROM tags WHERE repo_type = ? AND id IN (SELECT id FROM _changed)", [repo_type]
        )
        con.execute(
            """INSERT INTO tags SELECT ?, id, tag FROM (
                   SELECT id, unnest(tag_list) AS tag FROM _changed WHERE tag_list IS NOT NULL)""",
            [repo_type],
        )
        # Files: replaced only when the entry lists them (an entry read without siblings keeps the old list).
        con.execute(
            """DELETE FROM files WHERE repo_type = ? AND id IN (SELECT id FROM _changed WHERE siblings IS NOT NULL)""",
            [repo_type],
        )
        con.execute(
            """INSERT INTO files (repo_type, id, path, size, blob_id, lfs_sha256, snapshot_id)
               SELECT ?, id, s->>'$.rfilename',
                      coalesce(try_cast(s->>'$.size' AS BIGINT), try_cast(s->>'$.lfs.size' AS BIGINT)),
                      s->>'$.blobId', s->>'$.lfs.sha256', ?
               FROM (SELECT id, unnest(json_extract(siblings, '$[*]')) AS s FROM _changed WHERE siblings IS NOT NULL)
               WHERE s->>'$.rfilename' IS NOT NULL""",
            [repo_type, snapshot_id],
        )

    # 4. Counters: per snapshot, never twice for one id in one snapshot.
    src = "_typed" if counters == "all" else "_changed"
    n_counters = con.execute(
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

    con.execute("DROP TABLE IF EXISTS _typed")
    con.execute("DROP TABLE IF EXISTS _changed")
    return NormalizeResult(int(n_records), int(n_accepted), int(n_changed), int(n_rejects), int(n_counters))
