"""`openscope model ID` says a licence in the words `openscope license ID` uses (one shared module).

Regression: `model` printed licence classes as ids only (``custom_flow_down``), so a governance reader
got the meaning from one command and not from the other. `--json` stays the contract shape.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from openscope.commands._license_words import CLASS_WORDS, class_meaning, conflict_meaning, duty_words
from openscope.derive import refresh as derive_refresh
from openscope.store import open_store

CHILD = "acme/Llama-Apache-lora"
BASE = "meta-llama/Llama-3.1-8B"


@pytest.fixture()
def store(tmp_path: Path, cli) -> Path:
    entries = [
        {"id": BASE, "author": "meta-llama", "tags": ["license:llama3.1"]},
        {"id": CHILD, "author": "acme", "tags": [
            "license:apache-2.0", f"base_model:{BASE}", f"base_model:adapter:{BASE}"]},
        {"id": "acme/plain-mit", "author": "acme", "tags": ["license:mit"]},
        {"id": "acme/undeclared", "author": "acme", "tags": []},
    ]
    src = tmp_path / "m.jsonl"
    src.write_text("\n".join(json.dumps(e) for e in entries) + "\n")
    db = tmp_path / "s.duckdb"
    assert cli("--db", db, "--quiet", "ingest", src, "--no-derive").code == 0
    with open_store(db) as s:
        derive_refresh(s, only=["lineage", "licenses"])
    return db


def _flat(text: str) -> str:
    """The printed text with its wrapping undone (a sentence may wrap inside a table cell)."""
    return " ".join(" ".join(line.split()) for line in text.splitlines())


@pytest.mark.parametrize("columns", ["80", "200"])
def test_model_says_classes_duties_and_conflict_in_words(cli, store: Path, monkeypatch, columns: str) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    lic = cli("--db", store, "license", CHILD, "--json").json()
    r = cli("--db", store, "model", CHILD)
    assert r.code == 0, r.stderr
    assert all(len(line) <= int(columns) for line in r.stdout.splitlines())
    flat = _flat(r.stdout)
    # its own class and the class it has with its bases, each as id and words
    assert (lic["class"], lic["effective_class"]) == ("permissive", "custom_flow_down")
    for cls in (lic["class"], lic["effective_class"]):
        assert _flat(class_meaning(cls)) in flat
    # every duty, its own and its base's, in words
    duties = lic["duties"] + lic["flow_down"][0]["duties"]
    assert any(d.startswith("naming:") for d in duties)
    for d in duties:
        assert duty_words(d) != d and _flat(duty_words(d)) in flat
    # what the conflict means for whoever uses the model, as `license` says it
    meaning = conflict_meaning(lic)
    assert meaning and "llama3.1" in meaning and _flat(meaning) in flat
    assert _flat(meaning) in _flat(cli("--db", store, "license", CHILD).stdout)
    # ids print as themselves: ``name_prefix:Llama:`` is not turned into an emoji
    assert "🦙" not in r.stdout


def test_a_model_without_bases_has_no_conflict_sentence(cli, store: Path, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    r = cli("--db", store, "model", "acme/plain-mit")
    assert r.code == 0, r.stderr
    flat = _flat(r.stdout)
    assert _flat(class_meaning("permissive")) in flat and CLASS_WORDS["permissive"] in flat
    assert "what this means" not in flat and "from base" not in flat
    assert "with its bases the same (no base in the lineage)" in flat  # words, not a bare class id


def test_model_json_is_unchanged_by_the_words(cli, store: Path) -> None:
    doc = cli("--db", store, "model", CHILD, "--json").json()
    assert set(doc) >= {"id", "metadata", "counters", "lineage", "publisher", "root_countries", "licenses"}
    lic = cli("--db", store, "license", CHILD, "--json").json()
    assert doc["licenses"] == lic  # the same document, ids only: words are for people
    assert not any(w in json.dumps(doc) for w in CLASS_WORDS.values())


def test_an_unknown_licence_has_unknown_duties_not_none(cli, store: Path, monkeypatch) -> None:
    """Unknown stays unknown: a model that declares no licence does not get 'duties: none'."""
    monkeypatch.setenv("COLUMNS", "80")
    assert cli("--db", store, "license", "acme/undeclared", "--json").json()["class"] == "unknown"
    for command in ("model", "license"):
        r = cli("--db", store, command, "acme/undeclared")
        assert r.code == 0, r.stderr
        duties = [line for line in r.stdout.splitlines() if line.split()[:1] == ["duties"]]
        assert duties and "unknown" in duties[0] and "none" not in duties[0], r.stdout
