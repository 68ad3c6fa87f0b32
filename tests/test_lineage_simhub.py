"""Lineage against the simulated Hub's ground truth: what each generated model declares."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from openscope.derive import lineage as lineage_step
from openscope.jobs.ingest import ingest_file
from openscope.simhub.generator import declared_edges, generate, write_dump
from openscope.store import open_store

ARGS = {"models": 4000, "seed": 11, "max_fanout": 400}


def test_edges_match_what_the_generated_models_declare(tmp_path: Path) -> None:
    truth = declared_edges(generate(**ARGS)).to_pylist()
    dump = tmp_path / "hub.jsonl"
    write_dump(dump, **ARGS)
    with open_store(tmp_path / "sim.duckdb") as store:
        ingest_file(store, dump)
        lineage_step.refresh(store)
        rows = store.con.execute("SELECT child, parent, relation, evidence, chosen FROM edges").fetchall()
        n_lineage = store.scalar("SELECT count(*) FROM lineage")
        cycles = {r[0] for r in store.con.execute("SELECT id FROM lineage_cycles").fetchall()}
    by_child: dict[str, list[dict]] = defaultdict(list)
    for t in truth:
        by_child[t["child"]].append(t)
    expected = {}
    for child, ts in by_child.items():
        tagged = [t for t in ts if t["in_tags"]]
        for t in tagged or [t for t in ts if t["in_card"]]:
            expected[(child, t["parent"])] = (t["relation"], "tag" if tagged else "card")
    chosen = {(c, p): (r, e) for c, p, r, e, ch in rows if ch}
    assert set(chosen) == set(expected)
    for pair, (rel, ev) in expected.items():
        got_rel, got_ev = chosen[pair]
        if ev == "tag":  # declared in the tag pair: relation and evidence exactly
            assert (got_rel, got_ev) == (rel, "tag"), pair
        else:  # card only: declared, inferred from files/tags, or honestly unknown; never another relation
            assert got_rel in (rel, "unknown"), (pair, got_rel, rel)
            assert got_ev in ("card", "inferred"), pair
    # a card naming another base than the tags is kept as unchosen evidence
    contradicting = [t for t in truth if t["in_card"] and not t["in_tags"] and any(x["in_tags"] for x in by_child[t["child"]])]
    kept = {(c, p) for c, p, _, e, ch in rows if e == "card" and not ch}
    assert contradicting and all((t["child"], t["parent"]) in kept for t in contradicting)
    # card-only adapters and quantizations are recovered from their files and tags
    card_only = [(k, v[0]) for k, v in expected.items() if v[1] == "card" and v[0] in ("adapter", "quantized")]
    recovered = sum(chosen[k][0] == rel for k, rel in card_only)
    assert card_only and recovered == len(card_only)
    # rootless cycles (the generator plants a few 2-cycles): members found by brute force
    parents: dict[str, set[str]] = defaultdict(set)
    for c, p in expected:
        parents[c].add(p)

    def ancestors(v: str) -> set[str]:
        seen, todo = set(), list(parents.get(v, ()))
        while todo:
            x = todo.pop()
            if x not in seen:
                seen.add(x)
                todo.extend(parents.get(x, ()))
        return seen

    rootless_cycle = {v for v in list(parents)
                      if v in ancestors(v) and all(parents.get(a) for a in ancestors(v))}
    assert cycles == rootless_cycle
    assert n_lineage >= ARGS["models"] - len(rootless_cycle) * 2
