"""Every ancestor's licence (derive/openness/ancestry.py) read alike by the per-model path and the set-based one, on
the store shapes the fifth mutation round found no test built: a deleted ancestor, an ancestor whose unrecognised
tag keeps its `license_name`/`license_link` from counting, an ancestor in the store whose id names a curated family,
a stored licence text that could not be read, a dataset's licence text under an ancestor's id, and merges whose
parents bind at one distance (the tie broken by id). Each case names the hand mutants it kills (docs/reviews.md,
"Mutation testing, fifth round")."""

from __future__ import annotations

import json
from typing import Any

import pytest
from test_openness_ancestor_license import DEEPSEEK
from test_openness_inherited_path import FINAL, _agree, _model

from openscope import derive
from openscope.derive.openness.assessment import assess_record
from openscope.derive.openness.records import from_store
from openscope.jobs.ingest import ingest_file
from openscope.store import Store, open_store

HUB = "https://huggingface.co/"
GEMMA_TERMS = "https://ai.google.dev/gemma/terms"


def _with_card(m: dict[str, Any], card: dict[str, Any]) -> dict[str, Any]:
    return {**m, "cardData": card}


MODELS = [
    # a deleted ancestor binds by the declaration it was last read with (A06, A13 of the fifth round kept it out;
    # the thirty-second session made it bind: tests/test_licenses_deleted_base.py)
    _model("a-del/base", "cc-by-nc-4.0"), _model("a-del-ft/ft", "mit", ["a-del/base"]),
    # an unrecognised tag (not absent, `other` or `unknown`): the card's name and link do not count (A15, A16)
    _with_card(_model("a-name/base", "acme-terms"), {"license": "acme-terms", "license_name": "qwen"}),
    _model("a-name-ft/ft", "mit", ["a-name/base"]),
    _with_card(_model("a-link/base", "acme-terms"), {"license": "acme-terms", "license_link": GEMMA_TERMS}),
    _model("a-link-ft/ft", "mit", ["a-link/base"]),
    # the same name under `other` counts (the case above is not simply unreadable)
    _with_card(_model("a-name2/base", "other"), {"license": "other", "license_name": "qwen"}),
    _model("a-name2-ft/ft", "mit", ["a-name2/base"]), _model("a-name2-ft2/ft", "mit", ["a-name2-ft/ft"]),
    # a model of the store whose id names a curated family (LLaMA) is looked up by its Hub id only (A20)
    _model("someone/llama-7b", None), _model("a-fam-ft/ft", "mit", ["someone/llama-7b"]),
    # a licence text the crawl could not read (NULL text) and a dataset's text under the ancestor's id (A10, A12)
    _with_card(_model("a-null/base", "other"), {"license": "other", "license_link": "LICENSE"}),
    _model("a-null-ft/ft", "mit", ["a-null/base"]),
    # two parents binding at one distance under two licences: the smaller id first (A25, A26)
    _model("t-p1/a", "llama3"), _model("t-p2/b", "cc-by-nc-4.0"),
    _model("t-merge/m", "mit", ["t-p2/b", "t-p1/a"], "merge"),
    # two parents under one licence at one distance: the smaller id is the one named (A25)
    _model("t-q2/b", "cc-by-nc-4.0"), _model("t-q1/a", "cc-by-nc-4.0"),
    _model("t-merge2/m", "mit", ["t-q2/b", "t-q1/a"], "merge"),
    # a parent only a lower-priority source names (the card's `base_model` beside the tags): an unchosen edge,
    # not walked, at the first step (A01) or further up (A02); each model of its own organisation (a base of the
    # same one is its licensor, left out whatever the edge)
    _model("ach-nc/nc", "cc-by-nc-4.0"), _model("ach-ok/ok", "apache-2.0"),
    _with_card(_model("ach-ft/ft", "mit", ["ach-ok/ok"]), {"license": "mit", "base_model": "ach-nc/nc"}),
    _with_card(_model("ach-mid/mid", "apache-2.0", ["ach-ok/ok"]), {"license": "apache-2.0", "base_model": "ach-nc/nc"}),
    _model("ach-leaf/leaf", "mit", ["ach-mid/mid"]),
]
DATASETS = [{"id": "a-null/base", "tags": [], "private": False, "gated": False}]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("m30anc")
    s = open_store(tmp / "s.duckdb")
    for name, rows, kind in (("m", MODELS, "model"), ("d", DATASETS, "dataset")):
        (tmp / f"{name}.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
        ingest_file(s, tmp / f"{name}.jsonl", repo_type=kind)
    s.con.execute("UPDATE models SET deleted_at = now()::TIMESTAMP WHERE id = 'a-del/base'")
    # the rows `crawl --cards` writes: a LICENSE it could not read, and a dataset's LICENSE under the same id
    for kind, text, note in (("model", None, "too large"), ("dataset", DEEPSEEK, None)):
        s.con.execute("""INSERT INTO license_texts (repo_type, id, path, sha, text, bytes, url, note, read_at,
                                                    snapshot_id)
                         VALUES (?, 'a-null/base', 'LICENSE', 'abc123', ?, 10, ?, ?, now()::TIMESTAMP, NULL)""",
                      [kind, text, f"{HUB}a-null/base/resolve/main/LICENSE", note])
    derive.refresh(s, only=["lineage", "openness"])   # grading never needs the licence step
    yield s
    s.close()


def _weights(store: Store, mid: str) -> tuple[str, str | None, list[str]]:
    w = assess_record(from_store(store, mid)).components[FINAL]
    return w.status, w.license, [b["base"] for b in (w.inherited or {}).get("bases", [])]


def test_both_paths_agree_evidence_included(store: Store) -> None:
    """Every model's stored rows equal ``assess``'s, and the inherited weights' evidence names the same ancestors
    at the same places (tests/test_openness_inherited_path.py, ``_agree``)."""
    assert _agree(store) == 5   # a-del-ft, a-name2-ft, a-name2-ft2, t-merge, t-merge2


def test_what_binds_and_what_does_not(store: Store) -> None:
    assert _weights(store, "a-del-ft/ft") == ("restrictive_license", "cc-by-nc-4.0", ["a-del/base"])
    assert _weights(store, "a-name-ft/ft") == ("open_license", "mit", [])
    assert _weights(store, "a-link-ft/ft") == ("open_license", "mit", [])
    assert _weights(store, "a-name2-ft/ft") == ("restrictive_license", "qwen", ["a-name2/base"])
    inh = assess_record(from_store(store, "a-name2-ft/ft")).components[FINAL].inherited
    assert inh is not None and inh["bases"][0]["distance"] == 1    # a parent is one lineage step up (A05)
    assert _weights(store, "a-fam-ft/ft") == ("open_license", "mit", [])
    assert _weights(store, "a-null-ft/ft") == ("open_license", "mit", [])
    assert store.scalar("SELECT count(*) FROM edges WHERE parent = 'ach-nc/nc' AND NOT chosen") == 2
    assert _weights(store, "ach-ft/ft") == ("open_license", "mit", [])
    assert _weights(store, "ach-leaf/leaf") == ("open_license", "mit", [])
    # the merge: both licences bind, the smaller id first at one distance; one licence: its smaller id
    assert _weights(store, "t-merge/m") == ("restrictive_license", "llama3", ["t-p1/a", "t-p2/b"])
    assert _weights(store, "t-merge2/m") == ("restrictive_license", "cc-by-nc-4.0", ["t-q1/a"])


def test_a_root_deleted_from_the_hub_is_read_as_last_stored(store: Store) -> None:
    """A defect this round found: the per-model path read a deleted root's last stored record (its licence, its
    files), the set-based pass read nothing (a root outside the live models), so the two graded its derivative
    differently. The fifth round made both read nothing of it; since the thirty-fourth session both read its record
    as last stored (docs/openness.md, *A root deleted from the Hub*: its files show weights released under its
    last-read CC BY-NC, available, so `weights_basemodel` is open), the per-model and the bulk records alike, and
    each says it was deleted. Its licence, as last read, binds (the thirty-second session: docs/openness.md,
    *Inherited licences*), so it is flagged as a binding ancestor whose evidence says it was deleted."""
    from openscope.derive.openness.records import bulk_from_store

    rec = from_store(store, "a-del-ft/ft")
    assert rec.root is not None and rec.root.id == "a-del/base" and not rec.root.cache.get("external")
    assert rec.root.cache.get("deleted_on") and rec.root.license == "cc-by-nc-4.0"
    [bulk] = list(bulk_from_store(store, ["a-del-ft/ft"]))
    assert bulk.root is not None and bulk.root.cache.get("deleted_on") == rec.root.cache["deleted_on"]
    assert bulk.root.files == rec.root.files
    a = assess_record(rec)
    assert a.osai["weights_basemodel"] == "open"
    assert a.osai_basis["weights_basemodel"].startswith("a-del/base (deleted from the Hub on ")
    [flag] = [f for f in a.flags if f["flag"] == "license-contradicts-base"]
    assert flag["base"] == "a-del/base"
    assert "deleted from the Hub on" in flag["evidence"][0]["snippet"], flag
    stored = store.con.execute("SELECT grade FROM openness WHERE id = 'a-del-ft/ft' AND framework = 'osai' "
                               "AND dimension = 'weights_basemodel'").fetchone()
    assert stored == ("open",)


def test_how_an_ancestor_s_own_declaration_is_read() -> None:
    """Each source of an ancestor's licence and the evidence it gives (a Hub tag the catalogue knows; else the
    card's `license_name`, its `license_link`, the licence file; a card list the tag kept one entry of). Kills
    ancestry.tag_source, by_declaration and declared mutants (kinds, locators' tails, snippets; the link or the
    file dropped)."""
    from openscope.derive.licenses.flowdown import identify_texts
    from openscope.derive.openness.ancestry import Source, by_declaration, declared, tag_source

    assert tag_source("llama3") == Source("llama3", "hub_metadata", "", "license: llama3")
    assert tag_source("other") is None and tag_source(None) is None
    assert by_declaration("other", "qwen", None, None) == Source("qwen", "hub_metadata", "", "license_name: qwen")
    assert by_declaration(None, None, GEMMA_TERMS, None) == Source("gemma", "hub_metadata", "",
                                                                   f"license_link: {GEMMA_TERMS}")
    file = identify_texts([("LICENSE", DEEPSEEK)])[0]
    assert by_declaration("other", None, "LICENSE", file) == Source("deepseek", "file", "/blob/main/LICENSE#L1",
                                                                    "DEEPSEEK LICENSE AGREEMENT")
    assert by_declaration("other", None, None, None) is None
    # the card's name comes before a licence file (ancestry.by_declaration 47)
    assert by_declaration("other", "qwen", None, file) == by_declaration("other", "qwen", None, None)
    assert declared("other", None, None, GEMMA_TERMS, None) == by_declaration("other", None, GEMMA_TERMS, None)
    assert declared("llama3", None, "qwen", None, None) == tag_source("llama3")
    assert declared("other", None, "qwen", None, None) == by_declaration("other", "qwen", None, None)
    assert declared("other", '["llama3", "mit"]', None, None, None) == Source(
        "llama3 AND MIT", "hub_metadata", "", 'license: ["llama3", "mit"]')


def test_an_ancestor_s_reading_and_its_curated_family() -> None:
    """Its own declaration first (the family is then never looked up), else its curated family's cited weights
    licence, else nothing. Kills ancestry.read and curated_weights mutants."""
    from openscope.derive.openness import curated
    from openscope.derive.openness.ancestry import Source, curated_weights, read
    from openscope.derive.openness.inheritance import Reading
    from openscope.derive.openness.probes import Evidence

    def never() -> None:
        raise AssertionError("the family is looked up only when the declaration says nothing known")

    src = Source("deepseek", "file", "/blob/main/LICENSE#L1", "DEEPSEEK LICENSE AGREEMENT")
    assert read("a/b", 2, src, never, "2026-01-02") == Reading("a/b", 2, "deepseek", (Evidence(
        "file", f"{HUB}a/b/blob/main/LICENSE#L1", "DEEPSEEK LICENSE AGREEMENT", "2026-01-02"),))
    falcon = curated.lookup_any("tiiuae/falcon-180B")
    lic, ev = curated_weights(falcon)   # type: ignore[misc]
    assert lic == "falcon-180b-license" and ev.kind == "curated"
    assert ev.locator == "https://huggingface.co/spaces/tiiuae/falcon-180b-license/blob/main/LICENSE.txt"
    assert read("x/y", 1, None, lambda: falcon, "d") == Reading("x/y", 1, "falcon-180b-license", (ev,))
    assert read("x/y", 1, None, lambda: None, "d") is None
    assert curated_weights(None) is None and curated_weights({}) is None


def _base_flags(store: Store, mid: str) -> list[dict[str, Any]]:
    a = assess_record(from_store(store, mid))
    return [f for f in a.flags if f["flag"] == "license-contradicts-base"]


def test_every_binding_ancestor_is_flagged_once(store: Store) -> None:
    """The root's flag, then one per other binding ancestor (not the root again), each naming how far up it is
    and what the declared licence relaxes, with the evidence that names it. Kills flags._binding_ancestors'
    mutants (the seen set, the distance's words, the detail, the evidence filter)."""
    merge = _base_flags(store, "t-merge/m")
    assert [f["base"] for f in merge] == ["t-p1/a", "t-p2/b"]
    assert merge[1]["detail"] == ("declares 'mit' (open) but its ancestor t-p2/b, 1 lineage step up is under "
                                  "'cc-by-nc-4.0', whose terms bind derivatives: permits commercial use; base licence "
                                  "cc-by-nc-4.0 is non-commercial")
    assert [e["locator"] for e in merge[1]["evidence"]] == [HUB + "t-merge/m", HUB + "t-p2/b"]
    # a root whose own tag says `other` (its name says qwen) gets no root flag, only this one
    [near] = _base_flags(store, "a-name2-ft/ft")
    assert near["detail"] == ("declares 'mit' (open) but its ancestor a-name2/base, 1 lineage step up is under "
                              "'qwen', whose terms bind derivatives: lifts the 100,000,000 monthly-active-user cap "
                              "of qwen; drops the naming duty (display \"Built with Qwen\") of qwen")
    assert [e["locator"] for e in near["evidence"]] == [HUB + "a-name2/base"]
    [far] = _base_flags(store, "a-name2-ft2/ft")
    assert "its ancestor a-name2/base, 2 lineage steps up is under 'qwen'" in far["detail"]
    assert _base_flags(store, "ach-leaf/leaf") == []
