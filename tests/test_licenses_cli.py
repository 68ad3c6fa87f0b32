"""`openscope license ID|LICENSE` (issue 6 §5): contract JSON shapes, exit codes, never creating a store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from openscope.derive import refresh as derive_refresh
from openscope.store import open_store


@pytest.fixture()
def small_store(tmp_path: Path, cli) -> Path:
    entries = [
        {"id": "meta-llama/Llama-3.1-8B", "author": "meta-llama", "tags": ["license:llama3.1"]},
        {"id": "acme/Llama-Apache", "author": "acme", "tags": [
            "license:apache-2.0", "base_model:meta-llama/Llama-3.1-8B",
            "base_model:finetune:meta-llama/Llama-3.1-8B"]},
        {"id": "gpt2", "author": None, "tags": ["license:mit"]},
    ]
    src = tmp_path / "m.jsonl"
    src.write_text("\n".join(json.dumps(e) for e in entries) + "\n")
    db = tmp_path / "s.duckdb"
    assert cli("--db", db, "--quiet", "ingest", src, "--no-derive").code == 0
    with open_store(db) as store:
        derive_refresh(store, only=["lineage", "licenses"])
    return db


def test_licence_lookup_needs_no_store(cli, tmp_path: Path) -> None:
    db = tmp_path / "absent.duckdb"
    r = cli("--db", db, "license", "llama3.1", "--json")
    assert r.code == 0, r.stderr
    doc = r.json()
    for key in ("license", "name", "class", "osi_approved", "commercial_use", "use_restrictions", "user_cap",
                "duties", "clauses"):
        assert key in doc
    assert (doc["license"], doc["class"], doc["user_cap"]) == ("llama3.1", "custom_flow_down", 700_000_000)
    assert "naming:Built with Llama" in doc["duties"]
    assert all(set(c) == {"attribute", "text", "url", "verified"} for c in doc["clauses"])
    assert any(c["attribute"] == "user_cap" and c["verified"] for c in doc["clauses"])
    assert not db.exists()


def test_licence_lookup_by_alias_and_spdx_name(cli) -> None:
    assert cli("license", "Apache License 2.0", "--json").json()["license"] == "apache-2.0"
    doc = cli("license", "CC-BY-NC-4.0", "--json").json()
    assert (doc["class"], doc["commercial_use"], doc["osi_approved"]) == ("non_commercial", False, False)


def test_licence_human_output_shows_clauses(cli) -> None:
    r = cli("license", "gemma")
    assert r.code == 0
    assert "Gemma Terms of Use" in r.stdout and "unchecked" in r.stdout


def test_model_lookup(cli, small_store: Path) -> None:
    r = cli("--db", small_store, "license", "ACME/llama-apache", "--json")  # ids match case-insensitively
    assert r.code == 0, r.stderr
    doc = r.json()
    assert doc["id"] == "acme/Llama-Apache"
    for key in ("id", "declared", "license", "class", "duties", "flow_down", "conflicts"):
        assert key in doc
    assert doc["flow_down"][0]["base"] == "meta-llama/Llama-3.1-8B"
    assert doc["conflicts"][0]["base"] == "meta-llama/Llama-3.1-8B"
    human = cli("--db", small_store, "license", "acme/Llama-Apache")
    assert human.code == 0 and "conflict" in human.stdout.lower()


def test_licence_wins_over_a_legacy_model_id_without_slash(cli, small_store: Path) -> None:
    assert cli("--db", small_store, "license", "mit", "--json").json()["license"] == "mit"
    assert cli("--db", small_store, "license", "gpt2", "--json").json()["id"] == "gpt2"


def test_unknown_id_exits_66_with_suggestions(cli, small_store: Path) -> None:
    r = cli("--db", small_store, "license", "llamma3.1")
    assert r.code == 66
    assert r.stdout == ""
    line = r.stderr.strip()
    assert "\n" not in line and "did you mean" in line and "llama3.1" in line
    r = cli("--db", small_store, "license", "acme/llama-apach")
    assert r.code == 66 and "acme/Llama-Apache" in r.stderr


def test_model_id_without_store_exits_66_and_creates_nothing(cli, tmp_path: Path) -> None:
    db = tmp_path / "none.duckdb"
    r = cli("--db", db, "license", "someone/model", "--json")
    assert r.code == 66 and r.stdout == ""
    assert "Traceback" not in r.stderr
    assert not db.exists()


def test_empty_argument_is_a_usage_error(cli) -> None:
    assert cli("license", "  ").code == 64
    assert cli("license").code == 64
