"""Two lineage leftovers of the nineteenth session (issue 5; docs/lineage.md, *How edges are read* and
*Incremental*).

1. A card's list without ``base_model_relation`` declares a ``merge`` only when its bases resolve to two or more
   distinct parents. ``[bert-base-uncased, google-bert/bert-base-uncased]`` names one base twice (the bare id
   resolves to the stored canonical model), as do a moved repository's old id beside its new one, and an id beside
   a Hub address of it; the rule ran before ids were resolved and declared ``merge`` with a single parent. The
   networkx baseline (``bench/nx_full.py``) must agree row for row.
2. The derived lineage records which version of the edge rules wrote ``edges`` (``lineage_state`` key
   ``edge_rules``); an incremental refresh of a store written by other rules recomputes everything, so a rule
   change reaches every edge at the next ``crawl`` or ``ingest``, not only the edges a refresh happens to touch.

Stores are built by our own ``ingest`` and ``crawl`` (the simulated Hub for a recorded move); the derive step is
the real one.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from lineage_graphs import entry, write_jsonl
from store_rows import rows as q
from test_fuzz_lineage import _decl, _run_sequence, check_step, hub  # noqa: F401  (hub: the loopback Hub fixture)

from bench.nx_full import networkx_full
from openscope.derive import lineage as lineage_step
from openscope.derive.lineage import edges as edges_mod
from openscope.store import open_store

BERT = "google-bert/bert-base-uncased"
GPT2 = "openai-community/gpt2"
EDGE = "SELECT child, parent, relation, evidence, chosen FROM edges"


def _graph() -> list[dict[str, Any]]:
    return [
        entry(BERT), entry(GPT2),
        # a bare canonical id and its full id, no relation: one base, no merge
        entry("a/bare-full", card={"base_model": ["bert-base-uncased", BERT]}),
        # an id and a Hub address of it
        entry("b/id-address", card={"base_model": [BERT, f"https://huggingface.co/{BERT}"]}),
        # a bare id and an address of its full id (a repository page)
        entry("c/bare-address", card={"base_model": ["bert-base-uncased", f"hf.co/{BERT}/tree/main"]}),
        # one base named twice, and the records tell what it is: the inferred relation is chosen
        entry("d/bare-full-gguf", ("gguf",), card={"base_model": ["BERT-base-uncased", BERT]}),
        # two bases, one of them bare: a merge, as before
        entry("e/merge", card={"base_model": ["bert-base-uncased", GPT2]}),
        # a bare id whose canonical model the store does not hold stays external: two nodes, a merge
        entry("f/t5", card={"base_model": ["t5-base", "google-t5/t5-base"]}),
        # a declared relation is kept as declared
        entry("g/declared", card={"base_model": ["bert-base-uncased", BERT], "base_model_relation": "merge"}),
        # the model itself beside one base: the self-reference is no parent, so one base, no merge
        entry("h/self", card={"base_model": ["h/self", BERT]}),
        # a finetune of the one-parent card: its lineage goes through it
        entry("i/deeper", ("base_model:finetune:a/bare-full",)),
    ]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from lineage_graphs import run_quiet

    d = tmp_path_factory.mktemp("left20")
    path = d / "s.duckdb"
    assert run_quiet("--db", path, "--quiet", "ingest", write_jsonl(d / "s.jsonl", _graph())) == 0
    return path


def _edges(db: Path, *children: str) -> list[tuple]:
    marks = ", ".join("?" for _ in children)
    return q(db, f"{EDGE} WHERE child IN ({marks}) ORDER BY ALL", list(children))


def test_one_base_named_twice_is_no_merge(db: Path) -> None:
    for child in ("a/bare-full", "b/id-address", "c/bare-address", "h/self"):
        assert _edges(db, child) == [(child, BERT, "unknown", "card", True)], child
    # the records tell the relation of the one base: inferred, as for any card without a relation
    assert _edges(db, "d/bare-full-gguf") == [("d/bare-full-gguf", BERT, "quantized", "inferred", True),
                                              ("d/bare-full-gguf", BERT, "unknown", "card", False)]


def test_two_resolved_bases_are_still_a_merge_and_a_declared_relation_stays(db: Path) -> None:
    assert _edges(db, "e/merge") == [("e/merge", BERT, "merge", "card", True), ("e/merge", GPT2, "merge", "card", True)]
    # without the canonical model in the store the bare id names an external node of its own
    assert _edges(db, "f/t5") == [("f/t5", "google-t5/t5-base", "merge", "card", True),
                                  ("f/t5", "t5-base", "merge", "card", True)]
    assert _edges(db, "g/declared") == [("g/declared", BERT, "merge", "card", True)]


def test_roots_and_origin_of_the_one_base(db: Path) -> None:
    assert q(db, "SELECT id, root, depth FROM lineage WHERE id IN ('a/bare-full', 'i/deeper') ORDER BY 1") == [
        ("a/bare-full", BERT, 1), ("i/deeper", BERT, 2)]
    assert q(db, "SELECT id, n_parents, roots FROM lineage_origin WHERE id IN ('a/bare-full', 'e/merge') ORDER BY 1") \
        == [("a/bare-full", 1, [BERT]), ("e/merge", 2, sorted([BERT, GPT2]))]


def test_the_networkx_baseline_agrees_row_for_row(db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "nx.duckdb"
    shutil.copyfile(db, copy)
    res = networkx_full(copy, cap_s=120)
    assert all(res["tables_equal"].values()), res["differing_rows"]


def test_a_moved_old_id_beside_its_new_id_is_one_base(tmp_path: Path, cli) -> None:
    """The Hub moved BASE to V2 (a full crawl of the simulated Hub recorded it); a card naming both ids, or the old
    id and an address of the new one, names one base: the id it moved to."""
    from test_repo_moves import BASE, _crawl

    from openscope.simhub.testing import running_simhub

    db = tmp_path / "s.duckdb"
    v2 = BASE + "-v2"
    with running_simhub(models=400, datasets=0, seed=21) as h:
        _crawl(cli, db, h, "--no-derive")
        h.mutate(move={BASE: v2})
        _crawl(cli, db, h, "--full")
    assert q(db, "SELECT old_id, new_id FROM moves") == [(BASE, v2)]
    src = write_jsonl(tmp_path / "m.jsonl", [
        entry("m/old-new", card={"base_model": [BASE, v2]}),
        entry("m/old-address", card={"base_model": [BASE.upper(), f"https://huggingface.co/{v2}"]}),
        entry("m/two", card={"base_model": [BASE, GPT2]}),
    ])
    assert cli("--db", db, "--quiet", "ingest", src).code == 0  # its derive is an incremental refresh
    assert _edges(db, "m/old-new", "m/old-address", "m/two") == [
        ("m/old-address", v2, "unknown", "card", True), ("m/old-new", v2, "unknown", "card", True),
        ("m/two", v2, "merge", "card", True), ("m/two", GPT2, "merge", "card", True)]
    assert q(db, "SELECT root FROM lineage WHERE id = 'm/old-new'") == [(v2,)]
    incremental = q(db, f"{EDGE} ORDER BY ALL")
    copy = tmp_path / "nx.duckdb"
    shutil.copyfile(db, copy)
    with open_store(copy) as store:
        assert lineage_step.refresh(store, full=True)["mode"] == "full"
    assert q(copy, f"{EDGE} ORDER BY ALL") == incremental
    res = networkx_full(copy, cap_s=120)
    assert all(res["tables_equal"].values()), res["differing_rows"]


def test_incremental_refresh_agrees_as_the_canonical_model_comes_and_goes(cli, hub, tmp_path: Path) -> None:  # noqa: F811
    """Each step's incremental result is compared with a full recompute of a copy (``check_step``)."""
    card = _decl(card={"base_model": ["bert-base-uncased", BERT]})
    r = _run_sequence(cli, hub, tmp_path, [
        # neither id is in the store: two external nodes, a merge
        ("ingest", {"x/card": card}),
        # the canonical model arrives: both ids resolve to it, one base
        ("ingest", {BERT: _decl()}),
    ])
    assert q(r.db, f"{EDGE} ORDER BY ALL") == [("x/card", BERT, "unknown", "card", True)]
    # a full crawl that no longer lists it: deleted, the two external nodes again
    r.apply("crawl", {"x/card": None})
    check_step(r, [])
    assert q(r.db, f"{EDGE} ORDER BY ALL") == [("x/card", "bert-base-uncased", "merge", "card", True),
                                             ("x/card", BERT, "merge", "card", True)]


# --- 2. the edge rules' version --------------------------------------------------------------------------

def _rules(db: Path) -> list[tuple]:
    return q(db, "SELECT value FROM lineage_state WHERE key = 'edge_rules'")


def _as_older_rules_wrote_it(db: Path, version: str | None) -> None:
    """What a store derived by older rules holds: ``a/bare-full``'s card read as a merge (the nineteenth session's
    rule), and an older version recorded (None: a store from before versions were recorded)."""
    with open_store(db) as store:
        store.con.execute("UPDATE edges SET relation = 'merge' WHERE child = 'a/bare-full'")
        store.con.execute("DELETE FROM lineage_state WHERE key = 'edge_rules'")
        if version is not None:
            store.con.execute("INSERT INTO lineage_state VALUES ('edge_rules', ?)", [version])


def _fresh_full(db: Path, tmp_path: Path) -> list[tuple]:
    copy = tmp_path / "full.duckdb"
    shutil.copyfile(db, copy)
    with open_store(copy) as store:
        lineage_step.refresh(store, full=True)
    out = q(copy, f"{EDGE} ORDER BY ALL")
    copy.unlink()
    return out


def test_a_full_refresh_records_the_rules_version(db: Path) -> None:
    assert _rules(db) == [(str(edges_mod.RULES_VERSION),)]


@pytest.mark.parametrize("older", [None, str(edges_mod.RULES_VERSION - 1)])
def test_ingest_on_a_store_written_by_older_rules_recomputes_everything(db: Path, tmp_path: Path, cli,
                                                                         older: str | None) -> None:
    work = tmp_path / "w.duckdb"
    shutil.copyfile(db, work)
    _as_older_rules_wrote_it(work, older)
    # an ingest touching an unrelated model: an incremental refresh would leave a/bare-full as it is
    assert cli("--db", work, "--quiet", "ingest", write_jsonl(tmp_path / "n.jsonl", [entry("n/new")])).code == 0
    assert _edges(work, "a/bare-full") == [("a/bare-full", BERT, "unknown", "card", True)]
    assert q(work, f"{EDGE} ORDER BY ALL") == _fresh_full(work, tmp_path)
    assert _rules(work) == [(str(edges_mod.RULES_VERSION),)]


def test_the_refresh_says_why_it_recomputed_everything(db: Path, tmp_path: Path) -> None:
    work = tmp_path / "w.duckdb"
    shutil.copyfile(db, work)
    _as_older_rules_wrote_it(work, "0")
    with open_store(work) as store:
        res = lineage_step.refresh(store)
        assert (res["mode"], res["reason"]) == ("full", "edge rules changed (version 0 → "
                                                        f"{edges_mod.RULES_VERSION})")
        # the next one is incremental again, and says so
        res = lineage_step.refresh(store)
        assert (res["mode"], res["reason"]) == ("incremental", None)
        assert lineage_step.refresh(store, full=True)["reason"] == "asked for"


def test_with_the_current_version_an_incremental_refresh_leaves_untouched_edges_alone(db: Path, tmp_path: Path,
                                                                                         cli) -> None:
    """The control: the same stale edge, the current version recorded; an ingest of an unrelated model refreshes
    incrementally and does not read ``a/bare-full`` again (what the version is there to catch)."""
    work = tmp_path / "w.duckdb"
    shutil.copyfile(db, work)
    _as_older_rules_wrote_it(work, str(edges_mod.RULES_VERSION))
    assert cli("--db", work, "--quiet", "ingest", write_jsonl(tmp_path / "n.jsonl", [entry("n/new")])).code == 0
    assert _edges(work, "a/bare-full") == [("a/bare-full", BERT, "merge", "card", True)]


def test_crawl_on_a_store_written_by_older_rules_recomputes_everything(cli, hub, tmp_path: Path) -> None:  # noqa: F811
    card = _decl(card={"base_model": ["bert-base-uncased", BERT]})
    r = _run_sequence(cli, hub, tmp_path, [("crawl", {BERT: _decl(), "a/bare-full": card})])
    _as_older_rules_wrote_it(r.db, "0")
    r.apply("crawl", {BERT: None, "a/bare-full": None, "n/new": _decl()})
    assert _edges(r.db, "a/bare-full") == [("a/bare-full", BERT, "unknown", "card", True)]
    check_step(r, [])  # equal to a full recompute
    assert _rules(r.db) == [(str(edges_mod.RULES_VERSION),)]


def test_an_ingest_says_when_an_upgrade_recomputes_the_lineage_and_quiet_silences_it(db: Path, tmp_path: Path,
                                                                                        cli) -> None:
    """An operator's nightly ingest that turns into a full recompute (edge rules of an older openscope) says so in
    one stderr line; the summary on stdout is unchanged, and --quiet stays silent."""
    new = write_jsonl(tmp_path / "n.jsonl", [entry("n/new")])
    said = []
    for flags in ((), ("--quiet",), ()):
        work = tmp_path / "w.duckdb"
        shutil.copyfile(db, work)
        _as_older_rules_wrote_it(work, "0")
        res = cli("--db", work, *flags, "ingest", new)
        assert res.code == 0
        said.append(res.stderr)
    expected = f"openscope: lineage recomputed in full: edge rules changed (version 0 → {edges_mod.RULES_VERSION})"
    assert [ln for ln in said[0].splitlines() if "recomputed" in ln] == [expected]
    assert said[1] == ""
    # the current rules recorded: the next ingest refreshes incrementally and says nothing about it
    res = cli("--db", work, "ingest", write_jsonl(tmp_path / "m.jsonl", [entry("m/new")]))
    assert res.code == 0 and "recomputed" not in res.stderr
