"""Licence inheritance through every ancestor: a chain's middle, a merge's every parent, a cycle that ends."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from openness_paths import both_paths, live_ids

from openscope import derive
from openscope.derive.openness import curated
from openscope.derive.openness.assessment import Assessment, assess_record
from openscope.derive.openness.declared_base import family_of_root
from openscope.derive.openness.inheritance import terms
from openscope.derive.openness.records import from_store, from_text
from openscope.jobs.ingest import ingest_file
from openscope.store import Store, open_store

FINAL, INTERMEDIATE = "Model parameters (Final)", "Model parameters (Intermediate)"
HUB = "https://huggingface.co/"


def _model(mid: str, lic: str | None, parents: list[str] = (), relation: str = "finetune") -> dict[str, Any]:
    tags = ([f"license:{lic}"] if lic else []) + [f"base_model:{relation}:{p}" for p in parents]
    return {"id": mid, "tags": tags, "siblings": [{"rfilename": "model.safetensors"},
                                                  {"rfilename": "checkpoint-10/model.safetensors"}]}


MODELS = [
    # 1. the middle of a chain binds; its root (Apache-2.0) says nothing about it
    _model("c1-root/root", "apache-2.0"), _model("c1-mid/mid", "cc-by-nc-4.0", ["c1-root/root"]),
    _model("c1-leaf/leaf", "mit", ["c1-mid/mid"]), _model("c1-leaf2/leaf2", "apache-2.0", ["c1-leaf/leaf"]),
    # 2. two ancestors bind, under two licences: the nearest's applies, both are listed
    _model("c2-root/root", "llama3"), _model("c2-mid/mid", "cc-by-nc-4.0", ["c2-root/root"]), _model("c2-leaf/leaf", "mit", ["c2-mid/mid"]),
    # 3. an ancestor of unknown licence, and 4. an all-permissive chain: nothing changes
    _model("c3-root/root", "apache-2.0"), _model("c3-mid/mid", "other", ["c3-root/root"]), _model("c3-leaf/leaf", "mit", ["c3-mid/mid"]),
    _model("c4-a/a", "apache-2.0"), _model("c4-b/b", "mit", ["c4-a/a"]), _model("c4-c/c", "apache-2.0", ["c4-b/b"]),
    _model("c4-d/d", "mit", ["c4-c/c"]),
    # 5. one licence up a long chain is one binding (the nearest model under it), not one per model
    _model("c5-root/root", "llama3"), _model("c5-a/a", "llama3", ["c5-root/root"]), _model("c5-b/b", "llama3", ["c5-a/a"]),
    _model("c5-leaf/leaf", "apache-2.0", ["c5-b/b"]),
    # 6. merges: every parent and every root, including a parent off the shortest path to the shared root
    _model("m1-p1/p1", "apache-2.0"), _model("m1-p2/p2", "gemma"), _model("m1-merge/merge", "mit", ["m1-p1/p1", "m1-p2/p2"], "merge"),
    _model("m2-root/root", "apache-2.0"), _model("m2-b1/b1", "apache-2.0", ["m2-root/root"]),
    _model("m2-b2/b2", "cc-by-nc-4.0", ["m2-root/root"]), _model("m2-merge/merge", "mit", ["m2-b1/b1", "m2-b2/b2"], "merge"),
    # 7. a rootless cycle, and a model built on it
    _model("cy-a/a", "mit", ["cy-b/b"]), _model("cy-b/b", "cc-by-nc-4.0", ["cy-a/a"]), _model("cy-tail/tail", "apache-2.0", ["cy-a/a"]),
    # 8. curated bases: LLaMA outside the store (by the family its id names), Falcon-180B in the store under an
    #    unknown tag (by its Hub id) and outside it, Falcon-40B (Apache-2.0 since 2023-05-31)
    _model("ext-llama-ft/llama-ft", "apache-2.0", ["huggyllama/llama-7b"]),
    _model("tiiuae/falcon-180B-chat", "unknown"), _model("st-f180-ft/f180-ft", "mit", ["tiiuae/falcon-180B-chat"]),
    _model("ext-mid/mid", "apache-2.0", ["tiiuae/falcon-180B"]), _model("ext-f180-ft2/f180-ft2", "mit", ["ext-mid/mid"]),
    _model("ext-f40-ft/f40-ft", "mit", ["tiiuae/falcon-40b"]),
]


def _store(tmp: Path, models: list[dict[str, Any]]) -> Store:
    p = tmp / "models.jsonl"
    p.write_text("\n".join(json.dumps(m) for m in models) + "\n")
    store = open_store(tmp / "s.duckdb")
    ingest_file(store, p)
    derive.refresh(store)
    return store


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Any:
    store = _store(tmp_path_factory.mktemp("path"), MODELS)
    yield store
    store.close()


def _assess(store: Store, mid: str) -> Assessment:
    return assess_record(from_store(store, mid))


def _weights(a: Assessment) -> tuple[str, str | None]:
    return a.components[FINAL].status, a.components[FINAL].license


def test_a_licence_in_the_middle_of_the_chain_binds_its_descendants(built: Store) -> None:
    a = _assess(built, "c1-leaf/leaf")
    assert _weights(a) == ("restrictive_license", "cc-by-nc-4.0")
    assert a.components[INTERMEDIATE].status == "restrictive_license"
    inh = a.components[FINAL].inherited
    assert inh is not None and inh["base"] == "c1-mid/mid" and inh["declared"] == "mit"
    assert [(b["base"], b["license"], b["distance"]) for b in inh["bases"]] == [("c1-mid/mid", "cc-by-nc-4.0", 1)]
    ev = a.components[FINAL].evidence
    assert ev[0].locator == HUB + "c1-leaf/leaf" and ev[0].snippet.startswith("license: mit")
    assert "non-commercial" in ev[0].snippet
    assert ev[1].locator == HUB + "c1-mid/mid" and ev[1].snippet.startswith("license: cc-by-nc-4.0")
    assert "base c1-mid/mid, 1 lineage step up" in ev[1].snippet
    assert a.osaid.verdict == "fail" and "parameters-license" in a.osaid.missing
    # two steps down, the same ancestor binds (at distance 2); its root never did
    deeper = _assess(built, "c1-leaf2/leaf2").components[FINAL]
    assert (deeper.status, deeper.license, deeper.inherited["bases"][0]["distance"]) == (
        "restrictive_license", "cc-by-nc-4.0", 2)


def test_several_binding_ancestors_nearest_licence_applies_and_every_one_is_named(built: Store) -> None:
    a = _assess(built, "c2-leaf/leaf")
    assert _weights(a) == ("restrictive_license", "cc-by-nc-4.0")   # the nearest binding ancestor's
    inh = a.components[FINAL].inherited
    assert [(b["base"], b["license"], b["distance"]) for b in inh["bases"]] == [
        ("c2-mid/mid", "cc-by-nc-4.0", 1), ("c2-root/root", "llama3", 2)]
    text = " ".join(e.snippet for e in a.components[FINAL].evidence)
    assert "non-commercial" in text and "monthly-active-user cap of llama3" in text
    assert "(terms of c2-mid/mid)" in text and "(terms of c2-root/root)" in text
    locators = [e.locator for e in a.components[FINAL].evidence]
    assert HUB + "c2-mid/mid" in locators and HUB + "c2-root/root" in locators
    assert any(e.kind == "curated" and "derivative" in e.snippet for e in a.components[FINAL].evidence)
    # the middle model declares no open licence for its weights: its own (restrictive) declaration stands
    assert _weights(_assess(built, "c2-mid/mid")) == ("restrictive_license", "cc-by-nc-4.0")
    # a licence repeated up a chain is one binding, named by its nearest model
    inh5 = _assess(built, "c5-leaf/leaf").components[FINAL].inherited
    assert [(b["base"], b["license"], b["distance"]) for b in inh5["bases"]] == [("c5-b/b", "llama3", 1)]


def test_unknown_or_permissive_ancestors_change_nothing(built: Store) -> None:
    for mid, declared in (("c3-leaf/leaf", "mit"), ("c4-d/d", "mit"), ("c4-c/c", "apache-2.0"), ("ext-f40-ft/f40-ft", "mit")):
        a = _assess(built, mid)
        assert _weights(a) == ("open_license", declared), mid
        assert a.components[FINAL].inherited is None, mid


def test_a_merge_is_bound_by_every_parent_and_every_root(built: Store) -> None:
    a = _assess(built, "m1-merge/merge")
    assert _weights(a) == ("restrictive_license", "gemma")
    assert a.components[FINAL].inherited["base"] == "m1-p2/p2"
    # a parent off the shortest path to the shared root still passes its terms down
    b = _assess(built, "m2-merge/merge")
    assert _weights(b) == ("restrictive_license", "cc-by-nc-4.0")
    assert b.components[FINAL].inherited["base"] == "m2-b2/b2"


def test_a_cycle_ends_and_its_members_bind_each_other(built: Store) -> None:
    assert built.scalar("SELECT count(*) FROM lineage_cycles") > 0
    a = _assess(built, "cy-a/a")
    assert _weights(a) == ("restrictive_license", "cc-by-nc-4.0")
    assert a.components[FINAL].inherited["bases"] == [
        {"base": "cy-b/b", "distance": 1, "license": "cc-by-nc-4.0", "reasons": [
            "permits commercial use; base licence cc-by-nc-4.0 is non-commercial"]}]
    tail = _assess(built, "cy-tail/tail").components[FINAL]
    assert (tail.license, tail.inherited["bases"][0]["base"], tail.inherited["bases"][0]["distance"]) == (
        "cc-by-nc-4.0", "cy-b/b", 2)


def test_curated_llama_and_falcon_licences_bind_where_their_terms_do(built: Store) -> None:
    llama = _assess(built, "ext-llama-ft/llama-ft")
    assert _weights(llama) == ("restrictive_license", "llama-1-license")
    ev = llama.components[FINAL].evidence
    assert any(e.kind == "curated" and e.locator == "https://ai.meta.com/blog/large-language-model-llama-meta-ai/"
               for e in ev)
    # in the store under an unknown tag: its curated facts by Hub id; outside it, two steps up
    for mid, base, distance in (("st-f180-ft/f180-ft", "tiiuae/falcon-180B-chat", 1), ("ext-f180-ft2/f180-ft2", "tiiuae/falcon-180B", 2)):
        a = _assess(built, mid)
        assert _weights(a) == ("restrictive_license", "falcon-180b-license"), mid
        assert a.components[FINAL].inherited["bases"][0]["base"] == base
        assert a.components[FINAL].inherited["bases"][0]["distance"] == distance
        assert any("acceptable-use" in r or "use restrictions" in r for r in a.components[FINAL].inherited["reasons"])


def test_llama_and_falcon_entries_carry_the_licences_their_publishers_published() -> None:
    llama, f180, f40 = (curated.by_family(n) for n in ("LLaMA", "Falcon", "Falcon-7B / Falcon-40B"))
    w = {n: e["components"][FINAL] for n, e in (("llama", llama), ("f180", f180), ("f40", f40))}
    assert (w["llama"]["license"], w["f180"]["license"], w["f40"]["license"]) == (
        "llama-1-license", "falcon-180b-license", "Apache-2.0")
    assert all(str(x["url"]).startswith("https://") for x in w.values())
    assert "2023-05-31" in w["f40"]["note"] and "falcon-40b-now-royalty-free" in w["f40"]["url"]
    lic = terms("llama-1-license")
    assert lic is not None and lic.commercial_use is False and lic.clause is not None
    assert lic.clause[0].startswith("https://")
    assert family_of_root("tiiuae/falcon-7b-instruct", False)["family"] == "Falcon-7B / Falcon-40B"
    assert family_of_root("tiiuae/falcon-180B", True)["family"] == "Falcon"
    # a card read alone: declared Falcon-180B binds an open declaration, declared Falcon-40B does not
    for base, bound in (("Falcon-180B", True), ("Falcon-40B", False)):
        card = f"---\nlicense: apache-2.0\n---\n# M\nFine-tuned from {base}.\n\nDownload the weights from this repository.\n"
        fact = assess_record(from_text("someone/m", card), use_curated=False).components[FINAL]
        assert (fact.status == "restrictive_license") is bound, base


def test_the_walk_is_the_licence_steps_set_of_ancestors(built: Store) -> None:
    from openscope.derive.openness.ancestry import walk_sql

    walked = set(built.con.execute(walk_sql(False)).fetchall())
    flow = set(built.con.execute("SELECT id, base, distance FROM license_flow").fetchall())
    assert walked == flow and walked


def _normal(ev: list[dict[str, str]], dated: list[dict[str, str]]) -> list[dict[str, str]]:
    """Evidence without the dates the set-based pass cannot know (it dates only cited curated facts)."""
    return [{**e, "read_at": e["read_at"] if d["read_at"] else ""} for e, d in zip(ev, dated, strict=False)]


def _agree(store: Store) -> int:
    """Every model's stored rows (set-based pass) equal ``assess``'s; evidence too where weights are inherited.
    Returns how many models have inherited weights."""
    inherited = 0
    for mid in live_ids(store):
        a, stored, expected = both_paths(store, mid)
        for name in (FINAL, INTERMEDIATE):
            if a.components[name].inherited:
                inherited += name == FINAL
                got, want = stored[("component", name)][2], expected[("component", name)][2]
                assert got["license"] == want["license"], (mid, name)
                assert len(got["evidence"]) == len(want["evidence"]), (mid, name)
                assert _normal(got["evidence"], got["evidence"]) == _normal(want["evidence"], got["evidence"]), (
                    mid, name)
    return inherited


def test_set_based_rows_agree_with_assess_on_chains_merges_and_cycles(built: Store) -> None:
    assert _agree(built) >= 12
    assert built.scalar("SELECT max(depth) FROM lineage_paths") >= 3


def test_set_based_rows_agree_with_assess_on_a_random_graph(tmp_path: Path) -> None:
    """A random graph (finetunes, merges, cycles, external parents) under every kind of licence."""
    rnd = random.Random(5)
    lics = ["apache-2.0", "mit", "cc-by-nc-4.0", "llama3", "llama2", "gemma", "other", None, "openrail",
            "cc-by-nc-nd-4.0", "Apache-2.0", "gpl-3.0"]
    ids = [f"r-m{i}/m{i}" for i in range(90)]
    models = []
    for i, mid in enumerate(ids):
        parents: list[str] = []
        if i > 3 and rnd.random() < 0.8:
            parents = rnd.sample(ids[:i], k=1 if rnd.random() < 0.75 else 2)
        if rnd.random() < 0.08:
            parents.append(rnd.choice(["meta-llama/Llama-2-7b-hf", "huggyllama/llama-13b", "nobody/x"]))
        models.append(_model(mid, rnd.choice(lics), list(dict.fromkeys(parents)),
                             "merge" if len(parents) > 1 else "finetune"))
    # cycles: a few models also name one of their children as a parent (cycles a root reaches), and two
    # models name each other only (a rootless cycle)
    for m in rnd.sample(models[4:60], 6):
        child = next((c for c in models if f"base_model:finetune:{m['id']}" in c["tags"]), None)
        if child is not None:
            m["tags"].append(f"base_model:merge:{child['id']}")
    models += [_model("r-x/x", "mit", ["r-y/y"]), _model("r-y/y", "llama3", ["r-x/x"])]
    store = _store(tmp_path, models)
    try:
        assert store.scalar("SELECT count(*) FROM lineage_cycles") > 0
        mutual = store.scalar("SELECT count(*) FROM license_flow a JOIN license_flow b ON a.id = b.base "
                              "AND a.base = b.id")
        assert mutual > 2
        assert _agree(store) >= 10
    finally:
        store.close()


def test_a_binding_ancestor_in_the_middle_is_flagged_with_its_evidence(built: Store) -> None:
    """The root (Apache-2.0) contradicts nothing; the CC BY-NC finetune in the middle does, and says so."""
    flags = [f for f in _assess(built, "c1-leaf/leaf").flags if f["flag"] == "license-contradicts-base"]
    assert [f["base"] for f in flags] == ["c1-mid/mid"], flags
    assert "'mit'" in flags[0]["detail"] and "'cc-by-nc-4.0'" in flags[0]["detail"] and "1 lineage step up" in flags[0]["detail"]
    assert flags[0]["evidence"] and all("c1-mid/mid" in e["locator"] + e["snippet"] for e in flags[0]["evidence"])
    # two ancestors binding under two licences: one flag each, the root's not repeated
    both = [f["base"] for f in _assess(built, "c2-leaf/leaf").flags if f["flag"] == "license-contradicts-base"]
    assert sorted(both) == ["c2-mid/mid", "c2-root/root"], both
    # an all-permissive chain flags nothing
    assert not [f for f in _assess(built, "c4-d/d").flags if f["flag"] == "license-contradicts-base"]
