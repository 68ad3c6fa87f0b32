"""Property tests: random forests with merges, external bases and cycles against a brute-force walk."""

from __future__ import annotations

import shutil
from collections import deque
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lineage_graphs import entry, write_jsonl

from openscope import derive
from openscope.derive import lineage as lineage_step
from openscope.derive.lineage.edges import _hub_id
from openscope.derive.lineage.queries import tree
from openscope.jobs.ingest import ingest_file
from openscope.store import open_store


@st.composite
def graphs(draw: st.DrawFn) -> dict[str, list[str]]:
    """node -> declared parents. Mostly forests (parents among earlier nodes), some merges, some external
    bases, and a few back edges that make cycles (with or without an outside root)."""
    n = draw(st.integers(2, 24))
    nodes = [f"n{i}/m" for i in range(n)]
    parents: dict[str, list[str]] = {}
    for i, v in enumerate(nodes):
        kind = draw(st.sampled_from(["root", "one", "one", "merge", "ext", "back"]))
        if kind == "root" or i == 0 and kind != "back":
            parents[v] = []
        elif kind == "one":
            parents[v] = [nodes[draw(st.integers(0, i - 1))]]
        elif kind == "merge":
            parents[v] = sorted(set(draw(st.lists(st.sampled_from(nodes[:i]), min_size=2, max_size=3))))
        elif kind == "ext":
            parents[v] = [f"ext/{draw(st.integers(0, 2))}"]
        else:  # any node, later ones included: cycles become possible
            parents[v] = sorted(set(draw(st.lists(st.sampled_from(nodes), min_size=1, max_size=2))) - {v})
    return parents


def _brute(parents: dict[str, list[str]]) -> tuple[dict, set[str], dict[str, set[str]]]:
    """Per model: {root: shortest distance}; the nodes on a cycle no root reaches; descendants."""
    all_nodes = set(parents) | {p for ps in parents.values() for p in ps}

    def ps(v: str) -> list[str]:
        return parents.get(v, [])

    def dist_up(v: str) -> dict[str, int]:
        seen, q = {v: 0}, deque([v])
        while q:
            x = q.popleft()
            for p in ps(x):
                if p not in seen:
                    seen[p] = seen[x] + 1
                    q.append(p)
        return seen

    up = {v: dist_up(v) for v in all_nodes}
    roots = {v: {r: d for r, d in up[v].items() if not ps(r)} for v in parents}
    on_cycle = {v for v in parents if not roots[v] and any(v in up[p] for p in ps(v))}
    desc = {v: {w for w in parents if w != v and v in up[w]} for v in all_nodes}
    return roots, on_cycle, desc


def _tags(v: str, ps: list[str]) -> tuple[str, ...]:
    rel = "merge" if len(ps) > 1 else "finetune"
    return tuple(t for p in ps for t in (f"base_model:{p}", f"base_model:{rel}:{p}"))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(g=graphs(), split=st.floats(0.2, 1.0), gone=st.sets(st.integers(0, 23), max_size=4))
def test_lineage_matches_brute_force(tmp_path_factory, g: dict[str, list[str]], split: float, gone: set[int]) -> None:
    """``gone``: models a later full crawl finds deleted from the Hub (a third, incremental step). A deleted model
    keeps its place as last read (its edges, rows and descendants); only the ``lineage`` view's own row of a root
    (depth 0) is for live models alone."""
    d = tmp_path_factory.mktemp("prop")
    roots, on_cycle, desc = _brute(g)
    items = list(g.items())
    cut = max(1, int(len(items) * split))
    deleted = {v for i, v in enumerate(g) if i in gone}
    with open_store(":memory:") as store:
        # two snapshots: the second is applied incrementally
        ingest_file(store, write_jsonl(d / "a.jsonl", [entry(v, _tags(v, ps)) for v, ps in items[:cut]]))
        lineage_step.refresh(store)
        if cut < len(items):
            ingest_file(store, write_jsonl(d / "b.jsonl", [entry(v, _tags(v, ps)) for v, ps in items[cut:]]))
            assert lineage_step.refresh(store)["mode"] == "incremental"
        if deleted:
            store.con.execute("UPDATE models SET deleted_at = now()::TIMESTAMP WHERE id IN (SELECT unnest(?))",
                              [sorted(deleted)])
            assert lineage_step.refresh(store)["mode"] == "incremental"
        con = store.con
        rows = con.execute("SELECT id, root, depth, path FROM lineage").fetchall()
        chosen = set(con.execute("SELECT child, parent FROM edges WHERE chosen").fetchall())
        cycles = {r[0] for r in con.execute("SELECT id FROM lineage_cycles").fetchall()}
        got: dict[str, dict[str, int]] = {}
        for mid, root, depth, path in rows:
            got.setdefault(mid, {})[root] = depth
            # the path is a real chain of chosen edges from the model to the root, as long as the depth
            assert path[0] == mid and path[-1] == root and len(path) == depth + 1
            assert all((a, b) in chosen for a, b in zip(path, path[1:], strict=False))
        # every root is an ancestor, with its shortest distance; rootless models have no rows
        assert got == {v: r for v, r in roots.items() if r and not (v in deleted and not g[v])}
        # depth is consistent along edges: a child is at most one step further from each root than its parent
        for c, p in chosen:
            for r, dp in got.get(p, {}).items():
                assert r in got[c] and got[c][r] <= dp + 1
        assert cycles == on_cycle
        # descendant counts equal a brute-force count (for a few nodes, through the --down query)
        for v in list(g)[:4]:
            doc = tree(store, v, direction="down", limit=1)
            assert doc["summary"]["total"] == len(desc[v])
        # every node of a walk, up or down, at its shortest distance, reached from the smallest `via`
        rel_of = dict(((c, p), r) for c, p, r in con.execute(
            "SELECT child, parent, relation FROM edges WHERE chosen").fetchall())
        for v in list(g)[:3]:
            for direction in ("down", "up"):
                step = ({(p, c) for c, p in chosen} if direction == "down" else set(chosen))
                dist, front = {v: 0}, [v]
                while front:
                    nxt = sorted({b for a, b in step if a in front and b not in dist})
                    dist.update({b: dist[front[0]] + 1 for b in nxt})
                    front = nxt
                doc = tree(store, v, direction=direction, limit=10_000)
                assert {n["id"]: n["depth"] for n in doc["nodes"]} == dist
                for n in doc["nodes"]:
                    if n["depth"]:
                        vias = sorted(a for a, b in step if b == n["id"] and dist.get(a) == n["depth"] - 1)
                        assert n["via"] == vias[0]
                        pair = (n["id"], n["via"]) if direction == "down" else (n["via"], n["id"])
                        assert n["relation"] == rel_of[pair]
        # a full recompute gives the same answer as the incremental one
        before = sorted(map(repr, rows))
        lineage_step.refresh(store, full=True)
        after = sorted(map(repr, con.execute("SELECT id, root, depth, path FROM lineage").fetchall()))
        assert before == after
    assert isinstance(d, Path)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["a/b", "A/B", " https://huggingface.co/a/b/ ", "None", "./x", "a/b/c", "x'y", 'q"/r', "",
                       "c/d", "ünï/cödé"]) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["id", "relation", "models", "x"]),
                                                                  inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(_JSON, _JSON, _JSON, st.lists(st.sampled_from(
    ["base_model:a/b", "base_model:finetune:c/d", "base_model:", "base_model:merge:", "base_model:x:y:z", "gguf",
     "base_model:finetune:A/B", "license:mit", "license:", "license:other", "dataset:a/b", "dataset:"]), max_size=3),
    _JSON, _JSON), min_size=1, max_size=6))
def test_any_declared_values_give_consistent_edges(tmp_path_factory, empty_store, models: list) -> None:
    """Whatever cards, baseModels and tags declare, every derive step runs, and the edges keep the rules:
    one chosen source per child, no self-edges, card parents that can be Hub ids, lineage rows for every
    child."""
    d = tmp_path_factory.mktemp("fuzz")
    entries = [entry("a/b"), entry("c/d")]
    for i, (base, rel, bm, tags, lic, ds) in enumerate(models):
        card = {"base_model": base} if base is not None or i % 2 else {}
        for key, value in (("base_model_relation", rel), ("license", lic), ("datasets", ds)):
            if value is not None:
                card[key] = value
        entries.append(entry(f"z/m{i}", tuple(tags), card=card or None,
                             base_models=bm if isinstance(bm, dict) else None))
    # a new store, made once a session (conftest.empty_store): creating one per example was 0.2 s of each
    with open_store(shutil.copyfile(empty_store, d / "f.duckdb")) as store:
        ingest_file(store, write_jsonl(d / "f.jsonl", entries))
        assert derive.refresh(store) == ["lineage", "licenses", "openness"]
        con = store.con
        assert con.execute("SELECT count(*) FROM edges WHERE child = parent").fetchone()[0] == 0
        assert con.execute("""SELECT count(*) FROM (SELECT child FROM edges WHERE chosen AND evidence <> 'inferred'
                              GROUP BY child HAVING count(DISTINCT evidence) > 1)""").fetchone()[0] == 0
        card_parents = [r[0] for r in con.execute("SELECT DISTINCT parent FROM edges WHERE evidence = 'card'").fetchall()]
        for p in card_parents:
            assert con.execute(f"SELECT {_hub_id('x')} FROM (SELECT ?::VARCHAR AS x)", [p]).fetchone()[0], p
        children = {r[0] for r in con.execute("SELECT DISTINCT child FROM edges WHERE chosen").fetchall()}
        in_lineage = {r[0] for r in con.execute("SELECT id FROM lineage_origin").fetchall()}
        assert children == in_lineage
