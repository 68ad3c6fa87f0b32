"""One external base, several spellings: one node (issue 5, origin red team of the nineteenth session).

The Hub matches ids case-insensitively, so ``Ext/Thing`` declared by one child and ``ext/thing`` by another
are one repository. ``edges`` kept each child's spelling of a base the store does not hold: two nodes, two
roots (root counts, the *bases* recipe and ``lineage --down`` saw two), and a card naming both spellings got
two parents and relation ``merge``. A card naming one *stored* base twice in two cases got ``merge`` with a
single parent. Now an external base is one node per case-insensitive id, spelled as most of its children
declare it (ties: the smallest spelling); each child's own spelling stays its ``declared_as`` evidence; a card's list declares a merge only
when it names two ids that differ beyond case. An incremental refresh must agree with a full one when a new
spelling arrives, when the spelling that gave the node its name goes, and when the base arrives in the store;
and the networkx baseline (``bench/nx_full.py``) must produce the same tables row for row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lineage_graphs import entry, write_jsonl
from store_rows import rows as q
from test_fuzz_lineage import _decl, _run_sequence, check_step, hub  # noqa: F401  (hub: the loopback Hub fixture)

from bench.nx_full import networkx_full

QWEN = "Qwen/Qwen2.5-7B"


def _graph() -> list[dict[str, Any]]:
    return [
        entry(QWEN),
        entry("ext/a1", ("base_model:finetune:Ext/Thing",)),
        entry("ext/a2", ("base_model:finetune:ext/thing",)),
        # a card naming both spellings of the one external base, no relation: one parent, no merge
        entry("ext/card-both", card={"base_model": ["ext/thing", "Ext/Thing"]}),
        # a card naming one stored base twice, in two cases: one parent, no merge
        entry("q/twice", card={"base_model": [QWEN, "qwen/qwen2.5-7b"]}),
        # two different bases in a card list is still a merge
        entry("q/merge", card={"base_model": [QWEN, "EXT/THING-2"]}),
        entry("q/ft2", ("base_model:finetune:ext/thing-2",)),
        # the spelling most children declare names the node, though a smaller one is declared once
        entry("m/one", ("base_model:finetune:deep/Seek",)), entry("m/two", ("base_model:adapter:deep/Seek",)),
        entry("m/stray", card={"base_model": "DEEP/SEEK"}),
    ]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from lineage_graphs import run_quiet

    d = tmp_path_factory.mktemp("spell19")
    path = d / "s.duckdb"
    assert run_quiet("--db", path, "--quiet", "ingest", write_jsonl(d / "s.jsonl", _graph())) == 0
    return path


def test_one_external_node_per_case_insensitive_id_spelled_as_most_children_declare_it(db: Path) -> None:
    parents = q(db, "SELECT DISTINCT parent FROM edges WHERE lower(parent) LIKE 'ext/thing%' ORDER BY 1")
    assert parents == [("EXT/THING-2",), ("Ext/Thing",)]
    roots = q(db, "SELECT root, count(*) FROM lineage WHERE lower(root) LIKE 'ext/thing%' GROUP BY 1 ORDER BY 1")
    # one child per spelling each: the tie goes to the smallest spelling
    assert roots == [("EXT/THING-2", 2), ("Ext/Thing", 3)]
    assert q(db, "SELECT child, parent FROM edges WHERE lower(parent) = 'deep/seek' ORDER BY 1") == [
        ("m/one", "deep/Seek"), ("m/stray", "deep/Seek"), ("m/two", "deep/Seek")]


def test_a_card_naming_one_base_in_two_cases_is_no_merge(db: Path) -> None:
    rows = q(db, """SELECT child, parent, relation, evidence, chosen FROM edges
                    WHERE child IN ('ext/card-both', 'q/twice', 'q/merge') ORDER BY ALL""")
    assert rows == [
        ("ext/card-both", "Ext/Thing", "unknown", "card", True),
        ("q/merge", "EXT/THING-2", "merge", "card", True),
        ("q/merge", QWEN, "merge", "card", True),
        ("q/twice", QWEN, "unknown", "card", True),
    ]


def test_each_child_keeps_its_own_spelling_as_declared_as(cli, db: Path) -> None:
    def declared(child: str) -> list[tuple[str, str | None]]:
        doc = cli("--db", db, "--json", "lineage", child).json()
        return sorted((e["parent"], e["declared_as"]) for e in doc["edges"] if e["child"] == child)

    assert declared("ext/a1") == [("Ext/Thing", None)]
    assert declared("ext/a2") == [("Ext/Thing", "ext/thing")]
    # both spellings declared: the other one is shown, as for a bare and a full id of one stored model
    assert declared("ext/card-both") == [("Ext/Thing", "ext/thing")]
    assert declared("q/twice") == [(QWEN, "qwen/qwen2.5-7b")]
    assert declared("q/ft2") == [("EXT/THING-2", "ext/thing-2")]
    assert declared("m/stray") == [("deep/Seek", "DEEP/SEEK")]
    assert q(db, "SELECT parent FROM lineage_respelled ORDER BY 1") == [
        ("EXT/THING-2",), ("Ext/Thing",), (QWEN,), ("deep/Seek",)]


def test_down_of_any_spelling_shows_the_one_node_and_all_its_children(cli, db: Path) -> None:
    for asked in ("ext/thing", "Ext/Thing", "EXT/THING"):
        doc = cli("--db", db, "--json", "lineage", asked, "--down").json()
        assert doc["summary"]["total"] == 3, asked
        assert {e["parent"] for e in doc["edges"]} == {"Ext/Thing"}, asked


def test_the_networkx_baseline_folds_the_same_way(db: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "nx.duckdb"
    shutil.copyfile(db, copy)
    res = networkx_full(copy, cap_s=120)
    assert all(res["tables_equal"].values()), res["differing_rows"]


def _ext_parents(db: Path) -> set[tuple[str, str]]:
    return set(q(db, "SELECT child, parent FROM edges WHERE chosen AND lower(parent) = 'ext/thing'"))


def test_incremental_refresh_agrees_with_a_full_one_as_spellings_come_and_go(cli, hub, tmp_path: Path) -> None:  # noqa: F811
    """Each step's incremental result is compared with a full recompute of a copy (``check_step``)."""
    lower, upper, mixed = (_decl((f"base_model:finetune:{s}",)) for s in ("ext/thing", "EXT/THING", "Ext/Thing"))
    r = _run_sequence(cli, hub, tmp_path, [
        ("crawl", {"c/low": lower, "c/mixed": mixed}),
        # a third spelling arrives (one child each: the smallest wins): the node is renamed for every child
        ("crawl", {"c/low": None, "c/mixed": None, "c/up": upper}),
        # the child that named the node changes its declaration; the tie goes to the next smallest
        ("crawl", {"c/low": None, "c/mixed": None, "c/up": _decl()}),
        # the child with the node's spelling is gone (deleted by the full crawl)
        ("crawl", {"c/low": None, "c/up": None}),
        # the base itself arrives in the store: its spelling wins
        ("crawl", {"c/low": None, "c/up": None, "eXt/tHiNg": _decl()}),
    ])
    # the deleted child keeps its edge as last read (thirty-fourth session), resolved as a live child's is
    assert _ext_parents(r.db) == {("c/low", "eXt/tHiNg"), ("c/mixed", "eXt/tHiNg")}


def test_incremental_steps_rename_the_node(cli, hub, tmp_path: Path) -> None:  # noqa: F811
    lower, upper = (_decl((f"base_model:finetune:{s}",)) for s in ("ext/thing", "EXT/THING"))
    r = _run_sequence(cli, hub, tmp_path, [("ingest", {"c/low": lower})])
    assert _ext_parents(r.db) == {("c/low", "ext/thing")}
    r.apply("ingest", {"c/up": upper})
    check_step(r, [])  # equal to a full recompute
    assert q(r.db, "SELECT child, parent FROM edges WHERE chosen ORDER BY 1") == [
        ("c/low", "EXT/THING"), ("c/up", "EXT/THING")]
    # two children declare the larger spelling: it names the node now, for the child of the smaller one too
    r.apply("ingest", {"c/low2": lower})
    check_step(r, [])  # equal to a full recompute
    assert q(r.db, "SELECT child, parent FROM edges WHERE chosen ORDER BY 1") == [
        ("c/low", "ext/thing"), ("c/low2", "ext/thing"), ("c/up", "ext/thing")]
    r.apply("ingest", {"c/up": _decl(), "c/low2": _decl()})
    check_step(r, [])  # equal to a full recompute
    assert q(r.db, "SELECT child, parent FROM edges WHERE chosen ORDER BY 1") == [("c/low", "ext/thing")]


def test_an_id_in_another_namespace_of_the_same_organisation_is_suggested(cli, tmp_path: Path) -> None:
    """``lineage zai-org/X`` when the store holds ``THUDM/X``: the aliases know the two namespaces are one
    organisation, so the answer names the stored id (a suggestion: not assumed to be one repository)."""
    db = tmp_path / "a.duckdb"
    graph = [entry("THUDM/glm-4-9b"), entry("facebook/opt-125m"),
             entry("u/ft", ("base_model:finetune:meta-llama/Llama-X-Ext",))]
    assert cli("--db", db, "--quiet", "ingest", write_jsonl(tmp_path / "a.jsonl", graph)).code == 0
    for cmd in ("lineage", "model"):
        res = cli("--db", db, cmd, "zai-org/GLM-4-9B")
        assert res.code == 66 and res.stdout == ""
        assert res.stderr.strip().splitlines() == [
            "openscope: error: unknown model 'zai-org/GLM-4-9B'; did you mean THUDM/glm-4-9b? (THUDM and zai-org "
            "are namespaces of one organisation, zai-org, by the shipped publisher aliases; the store holds it "
            "under the other one)"], res.stderr
    # meta-llama, facebook and FacebookAI are one organisation
    assert "did you mean facebook/opt-125m?" in cli("--db", db, "lineage", "meta-llama/OPT-125m").stderr
    # an external base the lineage knows, under another namespace of the organisation
    assert "did you mean meta-llama/Llama-X-Ext?" in cli("--db", db, "lineage", "facebook/llama-x-ext").stderr
    # a namespace without aliases, or no such name: the usual answer
    assert "organisation" not in cli("--db", db, "lineage", "someone/glm-4-9b").stderr
    assert "organisation" not in cli("--db", db, "lineage", "zai-org/other").stderr
