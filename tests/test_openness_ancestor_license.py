"""An ancestor's licence as the licence step reads it: `license: other` + `license_name`, or + a licence file whose
stored text (``license_texts``) identifies the licence, binds a derivative's weights; a text no rule identifies
binds nothing. The per-model path (``assess``) and the set-based pass (the ``openness`` rows) agree."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from openness_paths import both_paths, live_ids

from openscope import derive
from openscope.derive.licenses.flowdown import model_licenses
from openscope.derive.openness.assessment import Assessment, assess_record
from openscope.derive.openness.records import from_store
from openscope.jobs.ingest import ingest_file
from openscope.store import Store, open_store

FINAL, INTERMEDIATE = "Model parameters (Final)", "Model parameters (Intermediate)"
HUB = "https://huggingface.co/"
DEEPSEEK = "DEEPSEEK LICENSE AGREEMENT\n\nVersion 1.0, 23 October 2023\n\nSection I: PREAMBLE\n"
OWN_TERMS = "Terms of our own.\n\nYou may use this model as we see fit.\n"


def _model(mid: str, lic: str | None, parents: tuple[str, ...] = (), card: dict[str, Any] | None = None,
           license_file: bool = False) -> dict[str, Any]:
    tags = ([f"license:{lic}"] if lic else []) + [f"base_model:finetune:{p}" for p in parents]
    files = [{"rfilename": "model.safetensors"}] + ([{"rfilename": "LICENSE"}] if license_file else [])
    out: dict[str, Any] = {"id": mid, "tags": tags, "siblings": files}
    if card is not None:
        out["cardData"] = card
    return out


OTHER_LINK = {"license": "other", "license_link": "LICENSE"}
MODELS = [
    # `other` + a licence_name the catalogue knows (Qwen's: a user cap and a naming duty)
    _model("acme-named-base/named-base", "other", card={"license": "other", "license_name": "qwen"}),
    _model("acme-named-ft/named-ft", "apache-2.0", ("acme-named-base/named-base",)),
    # `other` + license_link: LICENSE, whose stored text is the DeepSeek licence (use restrictions); two steps down
    _model("acme-file-base/file-base", "other", card=OTHER_LINK, license_file=True),
    _model("acme-file-ft/file-ft", "apache-2.0", ("acme-file-base/file-base",)),
    _model("acme-file-ft2/file-ft2", "mit", ("acme-file-ft/file-ft",)),
    # a licence_name no catalogue entry has: the licence file decides, as in the licence step
    _model("acme-odd-base/odd-base", "other", card={"license": "other", "license_name": "acme-terms"}, license_file=True),
    _model("acme-odd-ft/odd-ft", "apache-2.0", ("acme-odd-base/odd-base",)),
    # a LICENSE whose text no rule identifies: unknown, nothing binds
    _model("acme-own-base/own-base", "other", card=OTHER_LINK, license_file=True),
    _model("acme-own-ft/own-ft", "apache-2.0", ("acme-own-base/own-base",)),
    # a curated family's Hub id (Falcon-180B: use restrictions) whose own declaration names a permissive licence:
    # the declaration is read first, so the family's licence is not consulted and nothing binds
    _model("tiiuae/falcon-180B-chat", "other",
           card={"license": "other", "license_link": "https://www.apache.org/licenses/LICENSE-2.0"}),
    _model("acme-f180-ft/f180-ft", "mit", ("tiiuae/falcon-180B-chat",)),
    # the same family's Hub id declaring nothing readable: its curated licence binds, as before
    _model("tiiuae/falcon-180B", "other"),
    _model("acme-f180-ft2/f180-ft2", "mit", ("tiiuae/falcon-180B",)),
]
TEXTS = {"acme-file-base/file-base": DEEPSEEK, "acme-odd-base/odd-base": DEEPSEEK, "acme-own-base/own-base": OWN_TERMS}


def _store(tmp: Path) -> Store:
    p = tmp / "models.jsonl"
    p.write_text("\n".join(json.dumps(m) for m in MODELS) + "\n")
    store = open_store(tmp / "s.duckdb")
    ingest_file(store, p)
    # the rows `crawl --cards` writes for a model's licence file (jobs/crawl.py: _write_cards)
    for mid, text in TEXTS.items():
        store.con.execute("""INSERT INTO license_texts (repo_type, id, path, sha, text, bytes, url, note, read_at,
                                                        snapshot_id)
                             VALUES ('model', ?, 'LICENSE', 'abc123', ?, ?, ?, NULL, now()::TIMESTAMP, NULL)""",
                          [mid, text, len(text.encode()), f"{HUB}{mid}/resolve/main/LICENSE"])
    derive.refresh(store)
    return store


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Any:
    store = _store(tmp_path_factory.mktemp("anc"))
    yield store
    store.close()


def _assess(store: Store, mid: str) -> Assessment:
    return assess_record(from_store(store, mid))


def _stored(store: Store, mid: str, name: str = FINAL) -> tuple[str, dict[str, Any]]:
    """The set-based pass's row for one component (the derivatives have no card: graded from metadata)."""
    grade, method, ev = store.con.execute(
        "SELECT grade, method, evidence::VARCHAR FROM openness WHERE id = ? AND framework = 'component' "
        "AND dimension = ?", [mid, name]).fetchone()
    assert method == "metadata", mid
    return grade, json.loads(ev)


def test_a_base_declaring_other_with_a_licence_name_binds_its_derivative(built: Store) -> None:
    assert model_licenses(built, "acme-named-base/named-base")["license"] == "qwen"   # what `openscope license` says
    a = _assess(built, "acme-named-ft/named-ft")
    w = a.components[FINAL]
    assert (w.status, w.license) == ("restrictive_license", "qwen")
    assert [(b["base"], b["license"], b["distance"]) for b in w.inherited["bases"]] == [("acme-named-base/named-base", "qwen", 1)]
    assert any("monthly-active-user cap of qwen" in r for r in w.inherited["reasons"])
    ev = w.evidence[1]
    assert (ev.kind, ev.locator) == ("hub_metadata", HUB + "acme-named-base/named-base")
    assert ev.snippet.startswith("license_name: qwen (base acme-named-base/named-base, 1 lineage step up")
    # the set-based pass: the same grade, licence and evidence, with the ancestor's id put back
    grade, doc = _stored(built, "acme-named-ft/named-ft")
    assert (grade, doc["license"]) == ("restrictive_license", "qwen")
    assert doc["evidence"][1]["locator"] == HUB + "acme-named-base/named-base"
    assert doc["evidence"][1]["snippet"] == ev.snippet
    assert any(f["flag"] == "license-contradicts-base" and f["base"] == "acme-named-base/named-base" for f in a.flags)


def test_a_base_known_only_by_its_stored_licence_text_binds_with_the_identifying_line(built: Store) -> None:
    base = model_licenses(built, "acme-file-base/file-base")
    assert (base["license"], base["source"]) == ("deepseek", "license_file")
    for mid, declared, distance in (("acme-file-ft/file-ft", "apache-2.0", 1), ("acme-file-ft2/file-ft2", "mit", 2)):
        w = _assess(built, mid).components[FINAL]
        assert (w.status, w.license, w.inherited["declared"]) == ("restrictive_license", "deepseek", declared), mid
        assert w.inherited["bases"][0]["base"] == "acme-file-base/file-base"
        assert w.inherited["bases"][0]["distance"] == distance
        assert any("use restrictions" in r for r in w.inherited["reasons"])
        ev = w.evidence[1]
        assert (ev.kind, ev.locator) == ("file", HUB + "acme-file-base/file-base/blob/main/LICENSE#L1"), mid
        assert ev.snippet.startswith("DEEPSEEK LICENSE AGREEMENT (base acme-file-base/file-base, "), ev.snippet
        grade, doc = _stored(built, mid)
        assert (grade, doc["license"]) == ("restrictive_license", "deepseek"), mid
        assert (doc["evidence"][1]["locator"], doc["evidence"][1]["snippet"]) == (ev.locator, ev.snippet)
    # a licence_name no catalogue entry has: the file decides, as `openscope license` does
    assert model_licenses(built, "acme-odd-base/odd-base")["license"] == "deepseek"
    odd = _assess(built, "acme-odd-ft/odd-ft").components[FINAL]
    assert (odd.status, odd.license, odd.evidence[1].kind) == ("restrictive_license", "deepseek", "file")


def test_a_licence_text_no_rule_identifies_binds_nothing(built: Store) -> None:
    base = model_licenses(built, "acme-own-base/own-base")
    assert base["license"] == "other" and "not recognised" in base["reason"]
    a = _assess(built, "acme-own-ft/own-ft")
    assert (a.components[FINAL].status, a.components[FINAL].license) == ("open_license", "apache-2.0")
    assert a.components[FINAL].inherited is None
    assert _stored(built, "acme-own-ft/own-ft")[0] == "open_license"
    # its twin, whose same-shaped LICENSE the rules identify, is bound: the text decides, nothing else
    assert _stored(built, "acme-file-ft/file-ft")[0] == "restrictive_license"


def test_the_declaration_comes_before_the_curated_family(built: Store) -> None:
    a = _assess(built, "acme-f180-ft/f180-ft")
    assert (a.components[FINAL].status, a.components[FINAL].license) == ("open_license", "mit")
    assert _stored(built, "acme-f180-ft/f180-ft")[0] == "open_license"
    b = _assess(built, "acme-f180-ft2/f180-ft2").components[FINAL]
    assert (b.status, b.license) == ("restrictive_license", "falcon-180b-license")
    assert _stored(built, "acme-f180-ft2/f180-ft2")[0] == "restrictive_license"


def _agree(store: Store) -> tuple[int, int]:
    """Every model's stored rows (set-based pass) equal ``assess``'s, and so does the evidence of inherited weights
    (where each licence was read, the ancestors' ids put back). Returns how many models have inherited weights, and
    how many of those by a licence file."""
    inherited = by_file = 0
    for mid in live_ids(store):
        a, stored, expected = both_paths(store, mid)
        if a.components[FINAL].inherited:
            inherited += 1
            got, want = stored[("component", FINAL)][2], expected[("component", FINAL)][2]
            assert got["license"] == want["license"], mid
            assert [(e["kind"], e["locator"], e["snippet"]) for e in got["evidence"]] == [
                (e["kind"], e["locator"], e["snippet"]) for e in want["evidence"]], mid
            by_file += any(e["kind"] == "file" for e in got["evidence"])
    return inherited, by_file


def test_every_row_of_the_set_based_pass_equals_assess(built: Store) -> None:
    assert _agree(built) == (5, 3)


def test_both_paths_agree_on_a_random_graph_of_declarations_and_licence_files(tmp_path: Path) -> None:
    """Tags, licence names and links, licence files identified or not, and none, on a random lineage graph."""
    rnd = random.Random(11)
    kinds: list[tuple[str | None, dict[str, Any] | None, str | None]] = [
        ("apache-2.0", None, None), ("mit", None, None), ("cc-by-nc-4.0", None, None), ("llama3", None, None),
        ("other", {"license": "other", "license_name": "qwen"}, None),
        ("other", {"license": "other", "license_name": "deepseek"}, None),
        ("other", {"license": "other", "license_name": "mit"}, None),
        (None, {"license_name": "cc-by-nc-4.0"}, None),
        ("other", {"license": "other", "license_name": "acme-terms"}, DEEPSEEK),
        ("other", OTHER_LINK, DEEPSEEK), ("other", OTHER_LINK, OWN_TERMS), ("other", None, DEEPSEEK),
        ("unknown", {"license": "unknown", "license_link": "https://ai.google.dev/gemma/terms"}, None),
        ("other", None, None), (None, None, None),
    ]
    ids = [f"r-m{i}/m{i}" for i in range(70)]
    models, texts = [], {}
    for i, mid in enumerate(ids):
        lic, card, text = rnd.choice(kinds)
        parents = tuple(rnd.sample(ids[:i], k=1 if rnd.random() < 0.8 else 2)) if i > 3 and rnd.random() < 0.85 else ()
        models.append(_model(mid, lic, parents, card, license_file=text is not None))
        if text is not None:
            texts[mid] = text
    p = tmp_path / "models.jsonl"
    p.write_text("\n".join(json.dumps(m) for m in models) + "\n")
    store = open_store(tmp_path / "s.duckdb")
    try:
        ingest_file(store, p)
        for mid, text in texts.items():
            store.con.execute("""INSERT INTO license_texts (repo_type, id, path, text, bytes, read_at)
                                 VALUES ('model', ?, 'LICENSE', ?, ?, now()::TIMESTAMP)""", [mid, text, len(text)])
        derive.refresh(store)
        inherited, by_file = _agree(store)
        assert inherited >= 6 and by_file >= 2, (inherited, by_file)
    finally:
        store.close()
