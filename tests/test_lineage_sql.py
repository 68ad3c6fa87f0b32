"""SQL building blocks of the lineage step, checked on DuckDB itself."""

from __future__ import annotations

import duckdb
import pytest
from huggingface_hub.utils import HFValidationError, validate_repo_id
from hypothesis import given, settings
from hypothesis import strategies as st

from openscope.derive.lineage.edges import PLACEHOLDERS, _hub_id
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


def _hub_valid(s: str) -> bool:
    try:
        validate_repo_id(s)
    except HFValidationError:
        return False
    return s.lower() not in PLACEHOLDERS


_CON = duckdb.connect()


def _sql_valid(s: str) -> bool:
    return bool(_CON.execute(f"SELECT {_hub_id('x')} FROM (SELECT ?::VARCHAR AS x)", [s]).fetchone()[0])


@pytest.mark.parametrize("declared", [
    "meta-llama/Llama-2-7b-hf", "gpt2", "123", "Foo-BAR_foo.bar123", "a/b", "_x/_y",
    "./models/llama", "/data/llama-7b", "models/llama/7b", "foo--bar", "foo..bar", "foo.git", ".repo", "repo-",
    "None", "null", "N/A", "true", "Llama 2 7B", "meta-llama/Llama-2-7b-hf@main", "x" * 96, "x" * 97,
    "org/" + "y" * 96, "org/" + "y" * 97, "", "a/", "/a",
])
def test_a_declared_base_is_kept_only_if_the_hub_could_name_a_model_so(declared: str) -> None:
    """Our SQL check of a card's `base_model` agrees with huggingface_hub's own repo-id validation (and
    drops the placeholders cards write when they have no base)."""
    assert _sql_valid(declared) == _hub_valid(declared)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aZ09-_./ @:", max_size=12))
def test_the_hub_id_check_agrees_with_huggingface_hub_on_any_string(declared: str) -> None:
    assert _sql_valid(declared) == _hub_valid(declared)
