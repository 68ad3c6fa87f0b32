"""SQL building blocks of the lineage step, checked on DuckDB itself."""

from __future__ import annotations

import duckdb
import pytest

from openscope.derive.lineage.publishers import namespace_expr


@pytest.mark.parametrize(
    ("hub_id", "namespace"),
    [
        ("Qwen/Qwen2.5-7B", "qwen"),
        ("gpt2", None),
        ("a//b", "a"),
        ("/x", ""),
        ("ÄÖ/ü", "äö"),
        ("İstanbul-AI/m", "istanbul-ai"),
        ("日本/モデル", "日本"),
        ("😀x/y/z", "😀x"),
    ],
)
def test_namespace_is_the_lower_cased_text_before_the_first_slash(hub_id: str, namespace: str | None) -> None:
    con = duckdb.connect()
    got = con.execute(f"SELECT {namespace_expr('x')} FROM (SELECT ?::VARCHAR AS x)", [hub_id]).fetchone()[0]
    same_as_split = con.execute(
        "SELECT CASE WHEN contains(x, '/') THEN lower(split_part(x, '/', 1)) END FROM (SELECT ?::VARCHAR AS x)",
        [hub_id],
    ).fetchone()[0]
    assert got == namespace
    assert got == same_as_split
