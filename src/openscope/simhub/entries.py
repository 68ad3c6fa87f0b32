"""Hub API entries (``/api/models`` and ``/api/datasets`` shapes) built set-based in DuckDB.

Why DuckDB: an entry is a JSON object with optional keys, tag lists and nested card data; building
2.5 million of them with ``json.dumps`` in a Python loop would take minutes, while one SQL statement
over the generator's Arrow table takes seconds and uses every core. The same SQL feeds the JSONL dump
and the simulated server (which keeps each entry's JSON text and serves it as is).

Keys and types follow the real responses in ``../shared/data/hub-api`` and the list route:
``_id, id, author, sha, createdAt, lastModified, private, gated, disabled, downloads,
downloadsAllTime, likes, trendingScore, tags, pipeline_tag, library_name, cardData, siblings,
safetensors | gguf``. A key whose value is unknown is left out, as the Hub does.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from openscope.simhub.generator import SYNTHETIC_TAG, Ecosystem

# The compact default list shapes (what the Hub returns without full/expand).
COMPACT_MODEL_KEYS = ["_id", "id", "likes", "trendingScore", "private", "downloads", "tags", "pipeline_tag",
                      "library_name", "createdAt"]
COMPACT_DATASET_KEYS = ["_id", "id", "author", "cardData", "disabled", "gated", "lastModified", "likes",
                        "trendingScore", "private", "sha", "description", "downloads", "tags", "createdAt"]


def _iso(ms: str) -> str:
    return f"strftime(epoch_ms({ms}), '%Y-%m-%dT%H:%M:%S.%g') || 'Z'"


def _created(prefix: str = "") -> str:
    """``createdAt``: the Hub's "unknown" stamp (…:04 or …:05) for repos older than its dates."""
    return (f"CASE WHEN {prefix}old THEN CASE WHEN {prefix}idx % 2 = 0 THEN '2022-03-02T23:29:04.000Z' "
            f"ELSE '2022-03-02T23:29:05.000Z' END ELSE {_iso(prefix + 'created_ms')} END")


def _j(expr: str) -> str:
    """A JSON literal of ``expr`` as text (NULL stays NULL so ``concat_ws`` drops the key)."""
    return f"to_json({expr})::VARCHAR"


def _kv(key: str, expr: str) -> str:
    return f"'\"{key}\":' || {_j(expr)}"


_GATED = "CASE gated WHEN 0 THEN 'false' WHEN 1 THEN '\"auto\"' ELSE '\"manual\"' END"
_BASE = "regexp_replace(id, '^.*/', '')"
_OLD_SECONDS = 1646263744  # 2022-03-02T23:29:04Z


def model_entry_sql(table: str) -> str:
    """SELECT idx, id, js (the entry's JSON text) for every row of a generator ``models`` table."""
    declares_tags = "decl IN (0, 2, 3)"
    declares_card = "decl IN (0, 1, 2)"
    rel = ("CASE kind WHEN 'finetune' THEN 'finetune' WHEN 'adapter' THEN 'adapter' "
           "WHEN 'quantized' THEN 'quantized' WHEN 'merge' THEN 'merge' END")
    parents = "list_filter([parent, parent2, parent3], lambda x: x IS NOT NULL)"
    tags = f"""list_filter([
        library_name,
        CASE WHEN quant = '' OR quant <> 'GGUF' THEN CASE WHEN NOT old THEN 'safetensors' ELSE 'pytorch' END END,
        CASE quant WHEN 'GGUF' THEN CASE WHEN library_name IS DISTINCT FROM 'gguf' THEN 'gguf' END WHEN 'GPTQ' THEN 'gptq' WHEN 'AWQ' THEN 'awq' END,
        CASE WHEN quant IN ('GPTQ', 'AWQ') THEN '4-bit' END,
        CASE WHEN kind = 'adapter' THEN 'lora' END,
        CASE WHEN kind = 'merge' THEN 'mergekit' END,
        CASE WHEN kind = 'merge' THEN 'merge' END,
        pipeline_tag,
        CASE WHEN pipeline_tag = 'text-generation' AND idx % 3 = 0 THEN 'conversational' END,
        'en',
        'dataset:' || ds1, 'dataset:' || ds2,
        CASE WHEN arxiv >= 0 THEN printf('arxiv:%02d%02d.%05d', 20 + arxiv % 7, 1 + (arxiv // 7) % 12,
                                         (arxiv // 100) % 100000) END
      ], lambda x: x IS NOT NULL)
      || CASE WHEN {declares_tags} AND parent IS NOT NULL
              THEN list_transform({parents}, lambda p: 'base_model:' || p)
                   || list_transform({parents}, lambda p: 'base_model:' || {rel} || ':' || p)
              ELSE []::VARCHAR[] END
      || list_filter(['license:' || license, '{SYNTHETIC_TAG}', 'region:us'], lambda x: x IS NOT NULL)"""
    card_base = f"""CASE WHEN decl = 2 THEN {_j('card_base')}
        WHEN {declares_card} AND parent2 IS NOT NULL THEN {_j(parents)}
        WHEN {declares_card} AND parent IS NOT NULL THEN {_j('parent')} END"""
    card = f"""concat_ws(',',
        {_kv('license', 'license')},
        CASE WHEN license = 'other' THEN '"license_name":"' ||
             CASE WHEN lower(id) LIKE '%qwen%' THEN 'qwen' ELSE 'custom-model-license' END || '"' END,
        CASE WHEN license = 'other' THEN '"license_link":"LICENSE"' END,
        CASE WHEN openness >= 1 THEN '"language":["en"]' END,
        CASE WHEN openness >= 2 AND ds1 IS NOT NULL THEN {_kv('datasets', 'list_filter([ds1, ds2], lambda x: x IS NOT NULL)')} END,
        CASE WHEN openness >= 1 THEN {_kv('pipeline_tag', 'pipeline_tag')} END,
        CASE WHEN openness >= 1 AND library_name IS NOT NULL THEN {_kv('library_name', 'library_name')} END,
        CASE WHEN kind = 'merge' THEN '"tags":["mergekit","merge"]' END,
        '"base_model":' || ({card_base}),
        CASE WHEN {declares_card} AND parent IS NOT NULL AND kind <> 'finetune' AND idx % 2 = 0
             THEN '"base_model_relation":' || {_j(rel)} END
    )"""
    base = _BASE
    siblings = f"""CASE
        WHEN quant = 'GGUF' THEN ['.gitattributes', 'README.md', {base} || '.Q4_K_M.gguf', {base} || '.Q8_0.gguf']
        WHEN quant = 'GPTQ' THEN ['.gitattributes', 'README.md', 'config.json', 'model.safetensors', 'quantize_config.json', 'tokenizer.json']
        WHEN quant = 'AWQ' THEN ['.gitattributes', 'README.md', 'config.json', 'model.safetensors', 'tokenizer.json']
        WHEN kind = 'adapter' THEN ['.gitattributes', 'README.md', 'adapter_config.json', 'adapter_model.safetensors']
        WHEN kind = 'merge' THEN ['.gitattributes', 'README.md', 'config.json', 'mergekit_config.yml', 'model.safetensors', 'tokenizer.json']
        WHEN old THEN ['.gitattributes', 'README.md', 'config.json', 'pytorch_model.bin', 'vocab.txt']
        WHEN kind = 'flagship' THEN ['.gitattributes', 'LICENSE', 'README.md', 'config.json', 'generation_config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']
        ELSE ['.gitattributes', 'README.md', 'config.json', 'model.safetensors', 'tokenizer.json']
      END"""
    weights = """CASE
        WHEN params IS NOT NULL AND quant = 'GGUF' THEN
          '"gguf":{"total":' || params || ',"architecture":"' ||
          CASE WHEN lower(id) LIKE '%qwen%' THEN 'qwen2' ELSE 'llama' END || '","context_length":' ||
          CASE WHEN params > 3000000000 THEN 32768 ELSE 4096 END || '}'
        WHEN params IS NOT NULL AND NOT old THEN
          '"safetensors":{"parameters":{"' || CASE WHEN quant IN ('GPTQ', 'AWQ') THEN 'I32' ELSE 'BF16' END ||
          '":' || params || '},"total":' || params || '}'
      END"""
    created_s = f"CASE WHEN old THEN {_OLD_SECONDS} ELSE created_ms // 1000 END"
    pieces = {
        **_common_pieces(created_s),
        "pipeline_tag": _kv("pipeline_tag", "pipeline_tag"),
        "library_name": _kv("library_name", "library_name"),
        "cardData": f"""CASE WHEN openness > 0 OR license IS NOT NULL OR decl IN (1, 2) OR (decl = 0 AND parent IS NOT NULL)
             THEN '"cardData":{{' || {card} || '}}' END""",
        "siblings": f"""'"siblings":' || to_json(list_transform({siblings}, lambda f: {{'rfilename': f}}))::VARCHAR""",
        "weights": weights,
    }
    return _assemble(table, pieces, tags, COMPACT_MODEL_KEYS)


def _common_pieces(created_s: str) -> dict[str, str]:
    """The keys models and datasets share, in the Hub's order (``created_s``: creation time in seconds,
    which also makes the ``_id``, as the Hub's ObjectIds do)."""
    return {
        "_id": f"""'"_id":"' || lpad(lower(printf('%x', {created_s})), 8, '0') || right(md5(id), 16) || '"'""",
        "id": _kv("id", "id"),
        "author": _kv("author", "author"),
        "sha": """'"sha":"' || md5(id || ':' || modified_ms) || left(md5(id), 8) || '"'""",
        "createdAt": f"""'"createdAt":"' || {_created()} || '"'""",
        "lastModified": f"""'"lastModified":"' || {_iso('modified_ms')} || '"'""",
        "private": """'"private":false'""",
        "gated": f"""'"gated":' || {_GATED}""",
        "disabled": """'"disabled":false'""",
        "downloads": """'"downloads":' || downloads""",
        "downloadsAllTime": """'"downloadsAllTime":' || downloads_all_time""",
        "likes": """'"likes":' || likes""",
        "trendingScore": """'"trendingScore":' || trending""",
        "tags": """'"tags":' || to_json(_tags)::VARCHAR""",
    }


def _assemble(table: str, pieces: dict[str, str], tags: str, compact: list[str]) -> str:
    """``SELECT idx, id, js, jc, tags, oid``: each key's ``"key":value`` text computed once, then joined
    into the full entry (``js``) and the compact list shape (``jc``)."""
    cols = ",\n        ".join(f"{expr} AS \"p_{k}\"" for k, expr in pieces.items())
    full = ", ".join(f'"p_{k}"' for k in pieces)
    comp = ", ".join(f'"p_{k}"' for k in compact)
    return f"""SELECT idx, id, '{{' || concat_ws(',', {full}) || '}}' AS js,
           '{{' || concat_ws(',', {comp}) || '}}' AS jc, _tags AS tags, substr("p__id", 8, 24) AS oid
    FROM (SELECT *, {cols} FROM (SELECT *, {tags} AS _tags FROM {table}))"""


def dataset_entry_sql(table: str) -> str:
    """SELECT idx, id, js for every row of a generator ``datasets`` table (``/api/datasets`` shape)."""
    tags = f"""list_filter(['task_categories:' || task, 'language:en', 'license:' || license,
        'size_categories:' || size_cat, 'format:parquet', 'modality:text', '{SYNTHETIC_TAG}', 'region:us'],
        lambda x: x IS NOT NULL)"""
    # a dataset declaring `other` ships its licence as a LICENSE file the card links to, as models do
    card = f"""concat_ws(',', {_kv('license', 'license')},
        CASE WHEN license = 'other' THEN '"license_link":"LICENSE"' END,
        '"task_categories":' || to_json([task])::VARCHAR,
        '"language":["en"]', '"size_categories":' || to_json([size_cat])::VARCHAR)"""
    pieces = {
        **_common_pieces("created_ms // 1000"),
        "description": """'"description":' || to_json('Synthetic dataset (openscope simulated Hub) for ' || task || '.')::VARCHAR""",
        "cardData": f"""'"cardData":{{' || {card} || '}}'""",
        "siblings": """'"siblings":[{"rfilename":".gitattributes"},' || CASE WHEN license = 'other' THEN '{"rfilename":"LICENSE"},' ELSE '' END || '{"rfilename":"README.md"},{"rfilename":"data/train-00000-of-00001.parquet"}]'""",
    }
    return _assemble(table, pieces, tags, COMPACT_DATASET_KEYS)


def entry_sql(table: str, repo_type: str) -> str:
    return model_entry_sql(table) if repo_type == "model" else dataset_entry_sql(table)


def connect(threads: int | None = None, memory_limit: str = "4GB") -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute("SET preserve_insertion_order = true")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


def entries_table(eco: Ecosystem, repo_type: str = "model",
                  con: duckdb.DuckDBPyConnection | None = None) -> pa.Table:
    """``(idx, id, js)`` for every entry, as an Arrow table in generation order."""
    con = con or connect()
    src: pa.Table = eco.models if repo_type == "model" else eco.datasets
    con.register("_eco_src", src)
    try:
        return con.sql(entry_sql("_eco_src", repo_type) + " ORDER BY idx").to_arrow_table()
    finally:
        con.unregister("_eco_src")


def write_jsonl(eco: Ecosystem, path: Path, *, repo_type: str = "model") -> int:
    """Write every entry as one JSON line; returns the number of entries written.

    Written in batches through a temporary file renamed at the end, so a kill never leaves a dump that
    looks complete but is not.
    """
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    con = connect()
    src: pa.Table = eco.models if repo_type == "model" else eco.datasets
    con.register("_eco_src", src)
    n = 0
    try:
        reader = con.sql(entry_sql("_eco_src", repo_type) + " ORDER BY idx").to_arrow_reader(200_000)
        with open(tmp, "w", encoding="utf-8") as f:
            for batch in reader:
                lines = batch.column(2).to_pylist()
                if lines:
                    f.write("\n".join(lines))
                    f.write("\n")
                n += len(lines)
        tmp.replace(path)
    finally:
        con.close()
        if tmp.exists():
            tmp.unlink()
    return n
