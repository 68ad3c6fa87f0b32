"""A licence binds its licensees, not its licensor (helper-licensor).

The publisher of a base is its licensor: when the same organisation publishes a derivative of its own base under
other terms (DeepSeek-R1 under MIT on DeepSeek-V3-Base under the DeepSeek License), that is a relicensing by the
rights holder, not a licensee dropping duties. No conflict, no inherited terms and no flag from *that* ancestor;
ancestors by other organisations still bind, also through the same-organisation base. "Same organisation" comes
from the publishers table (legacy namespaces mapped to one organisation), else the same Hub namespace.

One store per module, ingested from records written here; no network.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openness_paths import both_paths, live_ids
from screens import license_json, run_cli

from openscope import derive
from openscope.derive.licenses.licensor import organisation, publishes
from openscope.derive.openness.assessment import assess_record
from openscope.derive.openness.records import from_store, from_text
from openscope.jobs.ingest import ingest_file
from openscope.store import Store, open_store

FINAL = "Model parameters (Final)"
BASE, OWN, OWN_CASE, OTHER = "acme/base", "acme/relicensed", "ACME/shouting", "someone/finetune"
LLAMA, FB = "meta-llama/base-llama", "facebook/relicensed-llama"
NC, MID, LEAF = "nc-lab/base", "acme/mid", "acme/leaf"
TOP = [BASE, OWN, OWN_CASE, OTHER, LLAMA, FB, NC, MID, LEAF]


def _model(mid: str, lic: str, parents: list[str] = ()) -> dict[str, Any]:
    tags = [f"license:{lic}"] + [f"base_model:finetune:{p}" for p in parents]
    return {"id": mid, "author": mid.split("/")[0], "tags": tags,
            "siblings": [{"rfilename": "model.safetensors"}]}


MODELS = [
    _model(BASE, "deepseek"), _model(OWN, "mit", [BASE]), _model(OWN_CASE, "mit", [BASE]),
    _model(OTHER, "mit", [BASE]),
    _model(LLAMA, "llama3"), _model(FB, "mit", [LLAMA]),
    # a same-organisation base that is itself a finetune of a third party's non-commercial model
    _model(NC, "cc-by-nc-4.0"), _model(MID, "deepseek", [NC]), _model(LEAF, "mit", [MID]),
]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Any:
    d = tmp_path_factory.mktemp("licensor")
    src = d / "models.jsonl"
    src.write_text("".join(json.dumps(m) + "\n" for m in MODELS))
    path = d / "s.duckdb"
    with open_store(path) as store:
        ingest_file(store, src)
        derive.refresh(store)
    return path


@pytest.fixture
def store(db: Path) -> Any:
    """The store, opened after the ``license`` command ran (that command takes its own lock)."""
    def opened() -> Store:
        s = open_store(db, read_only=True)
        stores.append(s)
        return s
    stores: list[Store] = []
    yield opened
    for s in stores:
        s.close()


def _flow(doc: dict[str, Any], base: str) -> dict[str, Any]:
    return next(f for f in doc["flow_down"] if f["base"] == base)


def _weights(store: Store, mid: str) -> tuple[str, str | None]:
    fact = assess_record(from_store(store, mid)).components[FINAL]
    return fact.status, fact.license


def test_organisation_reads_the_publishers_table_and_never_guesses() -> None:
    assert organisation("facebook/opt-125m") == organisation("meta-llama/Llama-3.1-8B") == "meta-llama"
    assert organisation("THUDM/glm-4-9b") == organisation("zai-org/GLM-4.5") == "zai-org"
    assert organisation("Acme/x") == organisation("acme/y") == "acme"   # not in the table: the same Hub account
    assert organisation("gpt2") is None and organisation("") is None
    assert publishes("deepseek-ai/DeepSeek-R1", "DeepSeek") and publishes("meta-llama/x", "Meta")
    assert not publishes("someone/x", "DeepSeek")          # a namespace the table does not name
    assert not publishes("deepseek-ai/x", None) and not publishes("DeepSeek-R1", "DeepSeek")


def test_same_namespace_relicensing_is_no_conflict_and_passes_no_terms(db: Path) -> None:
    for mid in (OWN, OWN_CASE):
        doc = license_json(db, mid)
        assert doc["conflicts"] == [], mid
        row = _flow(doc, BASE)
        assert row["license"] == "deepseek" and row["conflict"] is False   # the base's licence is still shown
        assert row["duties"] == []
        assert row["licensor"]["organisation"] == "acme"
        assert "binds its licensees, not its licensor" in row["licensor"]["reason"]
        assert doc["effective_use_restrictions"] is False and doc["effective_class"] == "permissive"
        assert not [d for d in doc["effective_duties"] if d["from"] == BASE]


def test_the_text_view_says_why_a_relicensed_base_is_no_conflict(db: Path) -> None:
    code, out = run_cli(db, "license", OWN)
    flat = " ".join(out.split())
    assert code == 0 and "relicensed by its licensor, acme" in flat and "CONFLICT" not in out
    code, out = run_cli(db, "license", OTHER)
    assert code == 0 and "CONFLICT" in out and "relicensed" not in out


def test_a_legacy_namespace_is_the_same_organisation(db: Path) -> None:
    doc = license_json(db, FB)
    assert doc["conflicts"] == [] and _flow(doc, LLAMA)["licensor"]["organisation"] == "meta-llama"
    assert doc["effective_user_cap"] is None


def test_another_organisations_derivative_still_conflicts(db: Path, store: Any) -> None:
    doc = license_json(db, OTHER)
    assert [c["base"] for c in doc["conflicts"]] == [BASE] and _flow(doc, BASE)["licensor"] is None
    assert doc["effective_use_restrictions"] is True
    store = store()
    assert _weights(store, OTHER) == ("restrictive_license", "deepseek")
    flags = assess_record(from_store(store, OTHER)).flags
    assert any(f["flag"] == "license-contradicts-base" and f["base"] == BASE for f in flags)


def test_openness_weights_of_a_relicensed_derivative_are_its_own(store: Any) -> None:
    store = store()
    for mid in (OWN, OWN_CASE, FB):
        a = assess_record(from_store(store, mid))
        assert (a.components[FINAL].status, a.components[FINAL].license) == ("open_license", "mit"), mid
        assert not a.components[FINAL].inherited
        assert not [f for f in a.flags if f["flag"] == "license-contradicts-base"], mid


def test_a_third_party_above_the_same_organisation_base_still_binds(db: Path, store: Any) -> None:
    doc = license_json(db, LEAF)
    assert _flow(doc, MID)["licensor"] is not None and _flow(doc, MID)["conflict"] is False
    assert [c["base"] for c in doc["conflicts"]] == [NC]
    assert doc["effective_commercial_use"] is False
    assert [c["base"] for c in license_json(db, MID)["conflicts"]] == [NC]
    store = store()
    fact = assess_record(from_store(store, LEAF)).components[FINAL]
    assert (fact.status, fact.license) == ("restrictive_license", "cc-by-nc-4.0")
    assert [b["base"] for b in fact.inherited["bases"]] == [NC]


def test_set_based_rows_agree_with_assess_parity(store: Any) -> None:
    store = store()
    ids = live_ids(store)
    assert set(TOP) <= set(ids)
    for mid in ids:
        both_paths(store, mid)
    rows = dict(store.con.execute("""SELECT id, grade FROM openness WHERE framework = 'component'
        AND dimension = ?""", [FINAL]).fetchall())
    assert rows[OWN] == rows[FB] == "open_license" and rows[OTHER] == rows[LEAF] == "restrictive_license"


R1_CARD = """---
license: mit
---
# DeepSeek-R1

## Model Summary

DeepSeek-R1 is trained based on DeepSeek-V3-Base. We release the model weights on the Hub.
"""


def test_a_card_read_alone_relicensed_by_its_publisher() -> None:
    own = assess_record(from_text("deepseek-ai/DeepSeek-R1", R1_CARD), use_curated=False)
    assert own.base == "DeepSeek-V3"
    assert own.components[FINAL].status == "open_license" and not own.components[FINAL].inherited
    assert not [f for f in own.flags if f["flag"] == "license-contradicts-base"]
    other = assess_record(from_text("someone/x", R1_CARD), use_curated=False)
    assert other.base == "DeepSeek-V3"
    assert (other.components[FINAL].status, other.components[FINAL].license) == ("restrictive_license", "deepseek")
    assert [f for f in other.flags if f["flag"] == "license-contradicts-base"]
    # a name without a namespace (a folder's) has no known organisation: no exception
    bare = assess_record(from_text("DeepSeek-R1", R1_CARD), use_curated=False)
    assert bare.components[FINAL].status == "restrictive_license"


GLM_CARD = """---
license: apache-2.0
---
# GLM-Edge-X

## Model Summary

GLM-Edge-X is fine-tuned from ChatGLM3-6B. We release the model weights on the Hub.
"""


def test_a_family_whose_publisher_the_table_spells_otherwise_is_matched_by_its_namespaces() -> None:
    """ChatGLM's curated publisher ("Zhipu AI / Tsinghua KEG") is no name the publishers table gives zai-org, but
    the family's own repositories (`thudm/chatglm*`, `zai-org/chatglm*`) are in zai-org's namespaces: a zai-org or
    THUDM model built on it is relicensed by its licensor; another organisation's is bound by ChatGLM's licence."""
    from openscope.derive.licenses.licensor import family_organisations

    assert family_organisations(["thudm/chatglm*", "zai-org/chatglm*", "gpt2"]) == {"zai-org"}
    assert publishes("THUDM/glm-x", "no such name", ["zai-org/chatglm*"])
    assert not publishes("someone/glm-x", "Zhipu AI / Tsinghua KEG", ["thudm/chatglm*"])
    assert not publishes("glm-x", None, ["thudm/chatglm*"])               # no namespace: no organisation
    for mid in ("zai-org/glm-edge-x", "THUDM/glm-edge-x"):
        own = assess_record(from_text(mid, GLM_CARD), use_curated=False)
        assert own.base == "ChatGLM"
        assert not [f for f in own.flags if f["flag"] == "license-contradicts-base"]
    # ChatGLM's licence is a custom one (`other`: terms not in the catalogue, so none are inherited); the
    # contradiction is still flagged for another organisation's Apache-2.0 derivative
    other = assess_record(from_text("someone/glm-edge-x", GLM_CARD), use_curated=False)
    assert other.base == "ChatGLM"
    assert [f for f in other.flags if f["flag"] == "license-contradicts-base"]
