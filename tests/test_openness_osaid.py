"""OSI's 12 validated systems get OSI's OSAID verdicts from the cited curated facts."""

from __future__ import annotations

import pytest

from openscope.derive.openness import curated
from openscope.derive.openness.assessment import assess_record
from openscope.derive.openness.evaluations.osaid import LICENSE_REQUIREMENTS, REQUIREMENTS
from openscope.derive.openness.records import ModelRecord

SYSTEMS = {
    "EleutherAI/pythia-6.9b": "pass",
    "allenai/OLMo-7B": "pass",
    "LLM360/Amber": "pass",
    "LLM360/CrystalCoder": "pass",
    "google-t5/t5-11b": "pass",
    "bigscience/bloom": "fail-licence",
    "bigcode/starcoder2-15b": "fail-licence",
    "tiiuae/falcon-180B": "fail-licence",
    "meta-llama/Llama-2-7b": "fail",
    "xai-org/grok-1": "fail",
    "microsoft/phi-2": "fail",
    "mistralai/Mixtral-8x7B-v0.1": "fail",
}


@pytest.mark.parametrize("model_id, expected", sorted(SYSTEMS.items()))
def test_osi_validated_systems(model_id: str, expected: str) -> None:
    rec = ModelRecord(id=model_id, locator=f"https://huggingface.co/{model_id}", read_at="2026-11-29")
    a = assess_record(rec)
    assert a.curated is not None
    if expected == "pass":
        assert a.osaid.verdict == "pass" and a.osaid.missing == []
    elif expected == "fail-licence":
        assert a.osaid.verdict == "fail"
        assert a.osaid.missing and set(a.osaid.missing) <= set(LICENSE_REQUIREMENTS)
    else:
        assert a.osaid.verdict == "fail"
        assert set(a.osaid.missing) - set(LICENSE_REQUIREMENTS), "fails on more than licences"
    assert set(a.osaid.missing) <= set(REQUIREMENTS)
    # the verdict rests on cited facts: every curated component carries a URL as evidence
    for comp in a.components.values():
        if comp.source == "curated":
            assert comp.evidence[0].kind == "curated" and comp.evidence[0].locator.startswith("https://")


def test_every_curated_fact_has_a_url_and_a_known_component_and_status() -> None:
    from openscope.derive.openness.components import STATUSES
    from openscope.derive.openness.evaluations.mof import component_names

    validated = [e for e in curated.entries() if "osi_validation" in e]
    assert len(validated) >= 12
    for e in validated:
        assert e["hub_ids"] and e["osi_validation"]["url"].startswith("https://")
    for e in curated.entries():
        assert e["hub_ids"] or e.get("base_aliases"), e["family"]  # reachable by id or by the name a card uses
        for name, fact in e["components"].items():
            assert name in component_names(), name
            assert fact["status"] in STATUSES
            assert str(fact["url"]).startswith("https://"), (e["family"], name)


def test_osi_verdict_is_never_read_by_the_evaluation() -> None:
    # Changing the recorded OSI verdict must not change ours: grades come from component facts.
    entry = curated.by_family("Grok")
    assert entry is not None
    saved = dict(entry["osi_validation"])
    try:
        entry["osi_validation"]["verdict"] = "pass"
        rec = ModelRecord(id="xai-org/grok-1", locator="x", read_at="")
        assert assess_record(rec).osaid.verdict == "fail"
    finally:
        entry["osi_validation"].clear()
        entry["osi_validation"].update(saved)


def test_no_evidence_is_insufficient_not_fail() -> None:
    rec = ModelRecord(id="someone/unknown-model", locator="x", read_at="")
    a = assess_record(rec)
    assert a.osaid.verdict == "insufficient"
    assert a.osai["score"] is None and all(v == "unknown" for k, v in a.osai.items() if k != "score")


def test_mof_record_facts_are_cited_and_unverified() -> None:
    from openscope.derive.openness.evaluations.mof import component_names

    records = curated.mof_records()
    assert len(records) > 100
    for key, e in records.items():
        assert key == e["hub_ids"][0] and key == key.lower()
        for name, fact in e["components"].items():
            assert name in component_names()
            assert fact["verified"] is False and fact["url"].startswith("https://github.com/lfai/model_openness_tool/")
    # a model with a MOT record and no hand-curated family: its facts come from the record, marked unverified
    mid = next(k for k in records if curated.lookup(k) is None)
    a = assess_record(ModelRecord(id=mid, locator="x", read_at=""))
    cited = [c for c in a.components.values() if c.source == "curated"]
    assert cited and all("[unverified]" in c.evidence[0].snippet for c in cited)
    assert curated.lookup_any(mid.upper()) is records[mid]  # Hub ids match case-insensitively


@pytest.mark.reference
def test_shipped_mof_records_match_the_reference_table(shared_data) -> None:
    rebuilt = curated.entries_from_mof_csv(shared_data / "mof" / "mof_models.csv")
    assert {e["hub_ids"][0]: e for e in rebuilt} == curated.mof_records()
