"""A bare canonical id (`gpt2`) whose moved id (`openai-community/gpt2`) is only an external base of the store.

Before: `openscope model gpt2` on the demo's store answered "unknown model 'gpt2'; did you mean
eager-badger/gpt2-AWQ, …" (look-alike derivatives), although seventeen stored models declare
`openai-community/gpt2`, the repository the Hub moved `gpt2` to. Now `model`, `assess` and `license` name
that base and the command that shows its derivatives, and `lineage gpt2` shows that base, as it shows any
external one. Only under exactly one canonical-move namespace (openscope/data/canonical): a name two of them
hold is ambiguous and gets the usual suggestions. Docs: docs/lineage.md (unknown ids).

One store for the module, made by the real commands (`ingest --no-derive` of hand-written Hub list entries, then the
lineage and licence steps).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lineage_graphs import entry, run_quiet, write_jsonl

from openscope.derive import refresh as derive_refresh
from openscope.store import open_store

MOVED = "openai-community/gpt2"
STORED_BERT = "google-bert/bert-base-uncased"  # a canonical base that is stored: the bare id resolves to it
# `shared-name` declared under two canonical namespaces: no single place the Hub sends it to
AMBIGUOUS = ("albert/shared-name", "xlnet/shared-name")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("moved") / "s.duckdb"
    rows = [entry(f"acme/gpt2-ft-{i}", ("license:mit", f"base_model:finetune:{MOVED}")) for i in range(3)]
    rows += [entry("acme/gpt2-lookalike", ("license:mit",)), entry(STORED_BERT, ("license:apache-2.0",)),
             entry("acme/bert-ft", ("license:apache-2.0", f"base_model:finetune:{STORED_BERT}"))]
    rows += [entry(f"acme/amb-{i}", ("license:mit", f"base_model:finetune:{b}")) for i, b in enumerate(AMBIGUOUS)]
    models = write_jsonl(path.with_suffix(".jsonl"), rows)
    assert run_quiet("--db", path, "--quiet", "ingest", models, "--no-derive") == 0
    with open_store(path) as s:
        derive_refresh(s, only=["lineage", "licenses"])
    return path


@pytest.mark.parametrize("args", [("model", "gpt2"), ("license", "gpt2"),
                                  ("assess", "gpt2", "--no-experts")])
def test_the_bare_id_names_the_moved_external_base(cli, db, args: tuple[str, ...]) -> None:
    res = cli("--db", db, *args)
    typed = args[1]
    assert res.code == 66
    assert res.stderr.strip() == (
        f"openscope: error: model '{typed}' is not in the store: the Hub moved it to {MOVED}, the external base of "
        f"3 stored models (openscope lineage {MOVED} --down)")
    # the command it names answers
    down = cli("--db", db, "--json", "lineage", MOVED, "--down")
    assert down.code == 0, down.stderr
    assert {n["id"] for n in down.json()["nodes"]} >= {f"acme/gpt2-ft-{i}" for i in range(3)}


def test_lineage_of_the_bare_id_shows_the_moved_base(cli, db) -> None:
    """`lineage` answers an external base itself, so it answers the bare id of a moved one too (it exited 66
    naming `lineage openai-community/gpt2 --down`; tests/test_tryout_analyst.py)."""
    res = cli("--db", db, "--json", "lineage", "GPT2", "--down")
    assert res.code == 0, res.stderr
    assert res.json()["id"] == MOVED and res.json()["summary"]["in_store"] is False
    assert {n["id"] for n in res.json()["nodes"][1:]} == {f"acme/gpt2-ft-{i}" for i in range(3)}
    assert cli("--db", db, "lineage", "shared-name").code == 66  # under two canonical namespaces: no one base


def test_a_stored_canonical_base_is_still_the_model_itself(cli, db) -> None:
    res = cli("--db", db, "--json", "model", "bert-base-uncased")
    assert res.code == 0, res.stderr
    assert res.json()["id"] == STORED_BERT


def test_a_name_under_two_canonical_namespaces_gets_no_moved_base(cli, db) -> None:
    res = cli("--db", db, "model", "shared-name")
    assert res.code == 66
    assert "the Hub moved it" not in res.stderr
    assert res.stderr.startswith("openscope: error: unknown model 'shared-name'")


def test_an_id_with_a_namespace_or_unrelated_name_is_not_rewritten(cli, db) -> None:
    for typed in ("acme/gpt2", "gpt3"):
        res = cli("--db", db, "model", typed)
        assert res.code == 66
        assert "the Hub moved it" not in res.stderr, typed
