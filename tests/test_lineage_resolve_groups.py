"""One row per (child, parent, source) after resolution: the declarations grouped as they are read, and grouped
again only where a re-spelled parent makes two of them meet (``edges._resolve``, twenty-third session).

Why: the tags are grouped per (child, declared parent) in the statement that reads them, and a card's list or a
``baseModels`` list loses its repeats there too. When no declared parent is re-spelled, those rows are the groups
as they stand. When one is (another case of a store id, an external base's minority spelling, a bare canonical
name, a moved repository's old id), two spellings of one child can resolve to one parent: their relations must
still combine (the first relation chosen, the last declared one kept), and a spelling that resolves to the child
itself must go. The networkx baseline (``bench/nx_full.py``) applies the rules by its own code; it must agree row
for row on hand-made and random stores with and without re-spelled parents.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lineage_graphs import entry, write_jsonl
from store_rows import rows as q

from bench.nx_full import networkx_full
from openscope.derive import lineage
from openscope.jobs.ingest import ingest_file
from openscope.store import open_store

QWEN = "Qwen/Qwen2.5-7B"


def _graph() -> list[dict[str, Any]]:
    return [
        entry(QWEN),
        entry("Org/Self"),
        # the bare tag in another case beside a declared relation: one pair, finetune only
        entry("t/bare-low", ("base_model:qwen/qwen2.5-7b", f"base_model:finetune:{QWEN}")),
        # two relations in two cases: one pair with the first (finetune, chosen) and the last (adapter)
        entry("t/two-rel", ("base_model:adapter:QWEN/QWEN2.5-7B", f"base_model:finetune:{QWEN}")),
        # a tag naming the model itself in another case goes: beside another tag, the tags stay the best source;
        # alone, the card is
        entry("org/self-child", ("base_model:finetune:org/self-child-x", "base_model:org/SELF-CHILD"),
              card={"base_model": QWEN}),
        entry("org/self-card", ("base_model:finetune:ORG/SELF-CARD",), card={"base_model": QWEN}),
        # a store model naming itself in another case and nothing else: no edge at all
        entry("Org/Self2", ("base_model:finetune:org/self2",)),
        # a card list with a repeat and a case variant: one parent, unknown (no merge)
        entry("c/repeat", card={"base_model": [QWEN, "qwen/qwen2.5-7b", QWEN]}),
        # an exact repeat of an external base: one row
        entry("c/ext-twice", card={"base_model": ["ext/Thing", "ext/Thing"]}),
        # an external base in two spellings with two relations: folded to one node, one pair
        entry("x/a", ("base_model:finetune:ext/Thing",)),
        entry("x/b", ("base_model:finetune:ext/Thing", "base_model:quantized:EXT/THING")),
        # baseModels naming one base twice in two cases
        entry("b/twice", base_models={"relation": "finetune", "models": [{"id": QWEN}, {"id": "qwen/Qwen2.5-7b"}]}),
        # a bare tag alone: unknown, inferred from the GGUF file
        entry("t/gguf", ("base_model:qwen/qwen2.5-7B",), files=("m.Q4_K_M.gguf",)),
    ]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("resolve")
    path = d / "s.duckdb"
    with open_store(path) as store:
        ingest_file(store, write_jsonl(d / "s.jsonl", _graph()))
        lineage.refresh(store, full=True)
    return path


def test_spellings_that_meet_in_one_parent_combine_their_relations(db: Path) -> None:
    rows = q(db, """SELECT child, parent, relation, evidence, chosen FROM edges
                    WHERE child IN ('t/bare-low', 't/two-rel', 'x/b', 'c/repeat', 'c/ext-twice', 'b/twice', 't/gguf')
                    ORDER BY ALL""")
    assert rows == [
        ("b/twice", QWEN, "finetune", "base_models", True),
        ("c/ext-twice", "ext/Thing", "unknown", "card", True),
        ("c/repeat", QWEN, "unknown", "card", True),
        ("t/bare-low", QWEN, "finetune", "tag", True),
        ("t/gguf", QWEN, "quantized", "inferred", True),
        ("t/gguf", QWEN, "unknown", "tag", False),
        ("t/two-rel", QWEN, "adapter", "tag", False),
        ("t/two-rel", QWEN, "finetune", "tag", True),
        ("x/b", "ext/Thing", "finetune", "tag", True),
        ("x/b", "ext/Thing", "quantized", "tag", False),
    ]


def test_a_parent_resolving_to_the_child_goes(db: Path) -> None:
    def edges_of(child: str) -> list[tuple]:
        return q(db, f"SELECT parent, relation, evidence, chosen FROM edges WHERE child = '{child}' ORDER BY ALL")

    assert edges_of("org/self-child") == [(QWEN, "unknown", "card", False), ("org/self-child-x", "finetune", "tag", True)]
    assert edges_of("org/self-card") == [(QWEN, "unknown", "card", True)]
    assert q(db, "SELECT count(*) FROM edges WHERE child = 'Org/Self2'") == [(0,)]


def _agrees_with_networkx(db: Path, tmp: Path) -> None:
    copy = tmp / "nx.duckdb"
    shutil.copyfile(db, copy)
    res = networkx_full(copy, cap_s=120)
    assert all(res["tables_equal"].values()), res["differing_rows"]


def test_the_networkx_baseline_agrees_row_for_row(db: Path, tmp_path: Path) -> None:
    _agrees_with_networkx(db, tmp_path)


_STORED = ["Acme/Base", "acme/other", "Zed/Tiny"]
_EXTERNAL = ["ext/Thing", "Far/Away"]
_RELS = ["", "finetune:", "adapter:", "quantized:", "merge:"]


def _spelling(draw: st.DrawFn, ident: str) -> str:
    return draw(st.sampled_from([ident, ident.lower(), ident.upper()]))


@st.composite
def stores(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A few stored bases and children declaring them (and external bases, and themselves) in random spellings and
    relations, by tags, cards (lists with repeats) and ``baseModels``; some stores have no re-spelled parent."""
    plain = draw(st.booleans())  # every declaration spelled as stored: nothing re-spelled
    out = [entry(b) for b in _STORED]
    for i in range(draw(st.integers(1, 8))):
        child = f"kid/c{i}"
        pool = [*_STORED, *_EXTERNAL, child]
        tags: list[str] = []
        for _ in range(draw(st.integers(0, 3))):
            target = draw(st.sampled_from(pool))
            tags.append(f"base_model:{draw(st.sampled_from(_RELS))}{target if plain else _spelling(draw, target)}")
        card = None
        if draw(st.booleans()):
            bases = [b if plain else _spelling(draw, b) for b in draw(st.lists(st.sampled_from(pool), max_size=3))]
            card = {"base_model": bases if len(bases) != 1 or draw(st.booleans()) else bases[0]}
            if draw(st.booleans()):
                card["base_model_relation"] = draw(st.sampled_from(["finetune", "merge", "adapter"]))
        base_models = None
        if draw(st.booleans()):
            ids = [b if plain else _spelling(draw, b) for b in draw(st.lists(st.sampled_from(pool), max_size=2))]
            base_models = {"relation": draw(st.sampled_from(["finetune", "quantized", ""])),
                           "models": [{"id": x} for x in ids]}
        out.append(entry(child, tuple(dict.fromkeys(tags)), card=card, base_models=base_models))
    return out


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(graph=stores())
def test_random_spellings_agree_with_networkx(tmp_path_factory: pytest.TempPathFactory,
                                              graph: list[dict[str, Any]]) -> None:
    d = tmp_path_factory.mktemp("resolve_random")
    path = d / "s.duckdb"
    with open_store(path) as store:
        ingest_file(store, write_jsonl(d / "s.jsonl", graph))
        lineage.refresh(store, full=True)
    _agrees_with_networkx(path, d)
