"""Lineage answers: behaviour the fourth mutation round (twenty-ninth session) showed no test asserted.

`lineage ID` (`tree`): each node once at its shortest depth, its relation from the edge of the smallest parent id
reaching it there, `--depth 0` showing the node alone; `lineage --down`'s count of what is built on a node
(`direct_children`: chosen edges only); `lineage --by-root-country`: each derivative's latest 30-day downloads
(docs/lineage.md, "lineage ID", "lineage --by-root-country"; DESIGN.md's `lineage` document).
docs/reviews.md, "Mutation testing, fourth round: lineage (twenty-ninth session)", lists the mutants these kill.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lineage_graphs import LLAMA, QWEN, entry, write_jsonl

from openscope.derive import lineage as lineage_step
from openscope.derive.lineage.queries import derivatives_by_root_country, direct_children, tree
from openscope.store import Store, open_store

LATER = "2024-06-01T00:00:00.000Z"

# LLAMA <- x/mid <- {x/a, x/b} <- x/d (adapter of x/a, quantized of x/b); x/mid <- x/d2 <- ... also x/mid is a
# direct parent of x/e, which x/a also declares: x/e is reached at depth 1 from x/mid and not again at depth 2.
GRAPH = [
    entry(LLAMA, downloads=5), entry(QWEN, downloads=5),
    entry("x/mid", (f"base_model:finetune:{LLAMA}",), downloads=1),
    entry("x/a", ("base_model:finetune:x/mid",), downloads=1),
    entry("x/b", ("base_model:finetune:x/mid",), downloads=1),
    entry("x/d", ("base_model:quantized:x/b", "base_model:adapter:x/a"), downloads=1),
    entry("x/e", ("base_model:merge:x/mid", "base_model:merge:x/a"), downloads=1),
    # tags name Qwen; the unchosen baseModels name Llama: nothing is built on Llama through this child
    entry("x/tag-qwen", (f"base_model:finetune:{QWEN}",),
          base_models={"relation": "finetune", "models": [{"_id": "1", "id": LLAMA}]}),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    from openscope.jobs.ingest import ingest_file

    d = tmp_path_factory.mktemp("m29q")
    db = d / "q.duckdb"
    with open_store(db) as s:
        ingest_file(s, write_jsonl(d / "1.jsonl", GRAPH))
        # a later snapshot: x/a's 30-day downloads fall from 1 to 0 (the latest reading counts)
        ingest_file(s, write_jsonl(d / "2.jsonl", [entry("x/a", ("base_model:finetune:x/mid",), downloads=0,
                                                         created="2024-05-01T00:00:00.000Z")]))
        lineage_step.refresh(s, full=True)
    with open_store(db, read_only=True, create=False) as s:
        yield s


def _nodes(doc: dict) -> dict[str, tuple[int, str | None]]:
    return {n["id"]: (n["depth"], n["relation"]) for n in doc["nodes"]}


def test_a_node_reached_from_two_parents_takes_the_relation_of_the_smallest(store: Store) -> None:
    doc = tree(store, "x/mid", direction="down")
    assert _nodes(doc) == {"x/mid": (0, None), "x/a": (1, "finetune"), "x/b": (1, "finetune"),
                           "x/e": (1, "merge"), "x/d": (2, "adapter")}  # via x/a, smaller than x/b
    # each node once, at its shortest depth: x/e (a child of x/mid and of x/a) is not counted again at depth 2
    assert doc["summary"]["total"] == 4
    assert doc["summary"]["by_depth"] == {"1": 3, "2": 1}
    assert doc["summary"]["by_relation"] == {"finetune": 2, "adapter": 1, "merge": 1}


def test_depth_zero_shows_the_node_alone(store: Store) -> None:
    """`--depth 0`: the node itself, for a root (read from the stored lineage) as for any other node."""
    for node in (LLAMA, "x/mid"):
        doc = tree(store, node, direction="down", max_depth=0)
        assert [n["id"] for n in doc["nodes"]] == [node]
        assert doc["summary"]["total"] == 0


def test_only_chosen_edges_count_as_built_on(store: Store) -> None:
    """The unchosen baseModels edge of x/tag-qwen to Llama is evidence, not lineage."""
    assert direct_children(store, LLAMA) == 1       # x/mid
    assert direct_children(store, QWEN) == 1        # x/tag-qwen
    assert {n["id"] for n in tree(store, LLAMA, direction="down")["nodes"]} == {
        LLAMA, "x/mid", "x/a", "x/b", "x/d", "x/e"}


def test_root_country_downloads_are_each_derivatives_latest(store: Store) -> None:
    rows = {r["country"]: (r["derivatives"], r["downloads_30d"]) for r in derivatives_by_root_country(store)}
    # US: x/mid 1, x/a 0 (latest; 1 before), x/b 1, x/d 1, x/e 1; CN: x/tag-qwen 0
    assert rows == {"US": (5, 4), "CN": (1, 0)}


def test_depth_zero_root_from_cli(cli, tmp_path: Path) -> None:
    """The command line gives the same: `lineage ID --down --depth 0 --json` lists the node alone."""
    from openscope.jobs.ingest import ingest_file

    db = tmp_path / "c.duckdb"
    with open_store(db) as s:
        ingest_file(s, write_jsonl(tmp_path / "c.jsonl", GRAPH[:3]))
        lineage_step.refresh(s, full=True)
    r = cli("--db", str(db), "lineage", LLAMA, "--down", "--depth", "0", "--json")
    assert r.code == 0, r.stderr
    assert [n["id"] for n in r.json()["nodes"]] == [LLAMA]


def test_the_node_itself_comes_first_whatever_its_downloads(store: Store) -> None:
    """`lineage ID`: the node itself, then the most-downloaded others up to `--limit`; x/a (0 downloads in the
    latest snapshot) is shown above its children of 1 download each."""
    doc = tree(store, "x/a", direction="down", limit=1)
    assert [n["id"] for n in doc["nodes"]] == ["x/a", "x/d"]  # ties by depth, then id: x/d before x/e
    assert doc["truncated"] is True and doc["summary"]["total"] == 2
