"""The 2024-2025 flagships in the curated file: found by Hub id and by the name a card declares as its base,
graded from their cited facts (OLMo 2 open throughout, FLUX.1 [dev] and Llama 4 held back by their licences)."""

from __future__ import annotations

import pytest

from openscope.derive.openness import curated
from openscope.derive.openness.assessment import assess_record
from openscope.derive.openness.declared_base import declared_base
from openscope.derive.openness.evaluations.osaid import LICENSE_REQUIREMENTS
from openscope.derive.openness.records import ModelRecord, from_text


def _assess(model_id: str):
    return assess_record(ModelRecord(id=model_id, locator=f"https://huggingface.co/{model_id}", read_at="2026-11-29"))


@pytest.mark.parametrize(("model_id", "family"), [
    ("allenai/OLMo-2-1124-13B-Instruct", "OLMo 2"),
    ("allenai/OLMo-7B", "OLMo"),  # the first OLMo stays the family OSI validated
    ("HuggingFaceTB/SmolLM2-360M-Instruct", "SmolLM2"),
    ("black-forest-labs/FLUX.1-dev", "FLUX.1 [dev]"),
    ("black-forest-labs/FLUX.1-Kontext-dev", "FLUX.1 [dev]"),
    ("black-forest-labs/FLUX.1-schnell", "FLUX.1 [schnell]"),
    ("meta-llama/Llama-4-Maverick-17B-128E-Instruct", "Llama 4"),
    ("moonshotai/Kimi-K2-Base", "Kimi K2"),
    ("zai-org/GLM-4.5-Air", "GLM-4.5"),
])
def test_hub_ids_find_their_family(model_id: str, family: str) -> None:
    found = curated.lookup(model_id)
    assert found is not None and found["family"] == family


@pytest.mark.parametrize(("sentence", "family"), [
    ("A LoRA trained on top of FLUX.1-dev for watercolour styles.", "FLUX.1 [dev]"),
    ("This adapter is fine-tuned from FLUX.1 [schnell] on 300 images.", "FLUX.1 [schnell]"),
    ("We fine-tune OLMo-2-1124-7B on grade-school mathematics.", "OLMo 2"),
    ("We fine-tune OLMo-7B on grade-school mathematics.", "OLMo"),
    ("The model is based on Llama-4-Scout-17B-16E-Instruct.", "Llama 4"),
    ("Continued pre-training from Kimi-K2-Base on legal text.", "Kimi K2"),
    ("Fine-tuned from GLM-4.5-Air with our agent traces.", "GLM-4.5"),
    ("Fine-tuned from SmolLM2-360M on children's stories.", "SmolLM2"),
])
def test_a_card_declaring_a_flagship_base_resolves_to_it(sentence: str, family: str) -> None:
    rec = from_text("someone/derivative", "# Derivative\n\nIntro.\n\n" + sentence + "\n", locator="README.md")
    found = declared_base(rec)
    assert found is not None and found.family["family"] == family
    assert found.evidence.locator == "README.md#L5"


def test_olmo2_passes_osaid_from_cited_facts_alone() -> None:
    a = _assess("allenai/OLMo-2-1124-7B")
    assert a.osaid.verdict == "pass" and a.osaid.missing == []
    for name in ("Datasets", "Training code", "Model parameters (Final)"):
        comp = a.components[name]
        assert comp.source == "curated" and comp.status == "open_license"
        assert comp.evidence[0].locator.startswith("https://")


@pytest.mark.parametrize("model_id", ["black-forest-labs/FLUX.1-dev", "meta-llama/Llama-4-Scout-17B-16E",
                                      "moonshotai/Kimi-K2-Instruct"])
def test_restrictive_weights_fail_osaid_on_the_parameters_licence(model_id: str) -> None:
    a = _assess(model_id)
    assert a.osaid.verdict == "fail"
    assert "parameters-license" in a.osaid.missing and "parameters-license" in LICENSE_REQUIREMENTS
    assert a.components["Model parameters (Final)"].status == "restrictive_license"


def test_schnell_weights_are_open_but_data_unknown_is_not_a_pass() -> None:
    a = _assess("black-forest-labs/FLUX.1-schnell")
    assert a.components["Model parameters (Final)"].status == "open_license"
    assert "parameters-license" not in a.osaid.missing
    assert a.osaid.verdict != "pass" and "data-information" in a.osaid.missing


def test_facts_not_reread_at_writing_time_are_marked_unverified() -> None:
    """A fact resting on a page nobody re-read says so (``verified: false``); the others are cited plainly."""
    fam = curated.by_family("SmolLM2")   # Kimi K2's licence was re-read on 2026-11-30; SmolLM2's code licence not
    assert fam is not None
    assert fam["components"]["Training code"].get("verified") is False
    assert "verified" not in fam["components"]["Model parameters (Final)"]
