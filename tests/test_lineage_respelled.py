"""Declared spellings read back only where a refresh re-spelled a parent (migration 0012).

An answer that shows each edge's ``declared_as`` (``lineage --json``, ``model --json``) used to read the
declarations of every child it shows back from the records: a scan of every tag, the largest part of a cold
``lineage --down --json`` on a store of millions. The refresh now records the stored ids some declaration
spelled otherwise (``lineage_respelled``), and the records are read only for edges to those. These tests
hold the answers equal to a read of every child's records (the fuzz of snapshot sequences holds it after
every incremental refresh too: ``test_fuzz_lineage.respelled_parents_cover``), and the fallback for a store
whose set is not complete yet.
"""

from __future__ import annotations

from pathlib import Path

from lineage_graphs import entry, write_jsonl
from store_rows import rows as q

from openscope.derive import lineage as lineage_step
from openscope.derive.lineage.edges import _respelled_children, declared_spellings, read_back_spellings
from openscope.store import open_store

BERT = "google-bert/bert-base-uncased"


def _graph() -> list[dict]:
    return [
        entry(BERT), entry("Org/Base-7B"), entry("org/base-7b"),
        # a bare canonical id, and another case of a stored id
        entry("a/bert-ft", ("base_model:finetune:bert-base-uncased",)),
        entry("b/case-ft", ("base_model:finetune:ORG/BASE-7B",)),
        # declared exactly as stored: nothing to read back
        entry("c/plain", ("base_model:finetune:Org/Base-7B",)),
        # two external spellings of one id: one node (one child each: the smallest), the other declared otherwise
        entry("d/ghosts", ("base_model:merge:NOBODY/ghost", "base_model:merge:nobody/Ghost")),
        # both stored spellings, each named exactly: neither is another's spelling
        entry("e/both-stored", ("base_model:merge:Org/Base-7B", "base_model:merge:org/base-7b")),
        # a stored spelling named exactly and another case of it that resolves to the smaller stored id
        entry("f/exact-and-other", ("base_model:merge:org/base-7b", "base_model:merge:ORG/base-7B")),
        entry("g/lower", ("base_model:finetune:org/base-7b",)),
    ]


def _children(store) -> list[str]:
    return [r[0] for r in store.con.execute("SELECT DISTINCT child FROM edges ORDER BY 1").fetchall()]


def test_the_refresh_records_the_respelled_parents_and_answers_equal_a_full_read(cli, tmp_path: Path) -> None:
    db = tmp_path / "r.duckdb"
    assert cli("--db", db, "--quiet", "ingest", write_jsonl(tmp_path / "r.jsonl", _graph())).code == 0
    assert q(db, "SELECT value FROM lineage_state WHERE key = 'respelled'") == [("complete",)]
    # the stored ids some declaration spelled otherwise ("ORG/BASE-7B" and "ORG/base-7B" take the smallest
    # of the two stored spellings, "Org/Base-7B"), and the external node "NOBODY/ghost" of "nobody/Ghost"
    assert sorted(r[0] for r in q(db, "SELECT parent FROM lineage_respelled")) == sorted(
        [BERT, "Org/Base-7B", "NOBODY/ghost"])
    with open_store(db, read_only=True) as store:
        children = _children(store)
        got = declared_spellings(store, children)
        assert got == read_back_spellings(store, children)
    assert got == {
        ("a/bert-ft", BERT, "tag"): "bert-base-uncased",
        ("b/case-ft", "Org/Base-7B", "tag"): "ORG/BASE-7B",
        ("d/ghosts", "NOBODY/ghost", "tag"): "nobody/Ghost",
        ("f/exact-and-other", "Org/Base-7B", "tag"): "ORG/base-7B",
    }
    ghosts = cli("--db", db, "--json", "lineage", "d/ghosts").json()
    assert sorted((e["parent"], e["declared_as"]) for e in ghosts["edges"]) == [
        ("NOBODY/ghost", "nobody/Ghost")]
    both = cli("--db", db, "--json", "model", "f/exact-and-other").json()
    assert sorted((d["id"], d["declared_as"]) for d in both["lineage"]["declared"]) == [
        ("Org/Base-7B", "ORG/base-7B"), ("org/base-7b", None)]


def test_a_store_without_a_complete_set_reads_every_child_until_a_full_refresh(cli, tmp_path: Path) -> None:
    """A store upgraded to migration 0012 has an empty set: its answers read the records, as before."""
    db = tmp_path / "u.duckdb"
    assert cli("--db", db, "--quiet", "ingest", write_jsonl(tmp_path / "u.jsonl", _graph())).code == 0
    with open_store(db) as store:
        store.con.execute("DELETE FROM lineage_respelled")
        store.con.execute("DELETE FROM lineage_state WHERE key = 'respelled'")
        want = read_back_spellings(store, _children(store))
        assert want and declared_spellings(store, _children(store)) == want
        # an incremental refresh does not make an empty set complete
        lineage_step.refresh(store)
        assert store.scalar("SELECT value FROM lineage_state WHERE key = 'respelled'") == "pending"
        assert declared_spellings(store, _children(store)) == want
        lineage_step.refresh(store, full=True)
        assert store.scalar("SELECT value FROM lineage_state WHERE key = 'respelled'") == "complete"
        assert store.scalar("SELECT count(*) FROM lineage_respelled") == 3
        assert declared_spellings(store, _children(store)) == want
    # the answers of the commands are the same on the complete set
    doc = cli("--db", db, "--json", "lineage", "Org/Base-7B", "--down").json()
    assert {(e["child"], e["declared_as"]) for e in doc["edges"]} >= {("b/case-ft", "ORG/BASE-7B"),
                                                                      ("c/plain", None)}


def test_an_answer_without_respelled_edges_reads_no_records(cli, tmp_path: Path) -> None:
    """With the set complete, children whose edges all go to parents declared as stored are not read back."""
    db = tmp_path / "n.duckdb"
    assert cli("--db", db, "--quiet", "ingest", write_jsonl(tmp_path / "n.jsonl", _graph())).code == 0
    with open_store(db, read_only=True) as store:
        # a superset: every child with an edge to a re-spelled parent, declared as stored or not
        assert _respelled_children(store, ["c/plain", "d/ghosts", "e/both-stored", "g/lower"]) == [
            "c/plain", "d/ghosts", "e/both-stored"]
        assert _respelled_children(store, ["g/lower"]) == []
