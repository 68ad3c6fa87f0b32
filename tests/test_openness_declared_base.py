"""The base a card declares, resolved to cited curated facts, grades the base-model dimensions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from openscope.derive.openness import curated
from openscope.derive.openness.assessment import assess_record
from openscope.derive.openness.declared_base import declared_base
from openscope.derive.openness.records import ModelRecord, from_text

BASE_DIMS = ("datasources_basemodel", "weights_basemodel")


def _card(body: str, front: str = "") -> ModelRecord:
    text = (f"---\n{front}---\n" if front else "") + "# Some model\n\n" + body + "\n"
    return from_text("someone/some-model", text, locator="README.md")


@pytest.mark.parametrize(("sentence", "family"), [
    ("It is a chat model fine-tuned from Llama-2-13B on 50k dialogues.", "Llama 2"),
    ("UltraFoo-13B is based upon LLaMA-13B and trained with our own toolkit.", "LLaMA"),
    ("We fine-tune [StarCoder2 15B](https://huggingface.co/bigcode/starcoder2-15b) on code review data.",
     "StarCoder2"),
    ("The model was initialized from the weights of Qwen2.5-7B and trained further.", "Qwen2.5"),
    ("    --model_name_or_path meta-llama/Llama-3.1-8B \\", "Llama 3.1"),
    ("This is a fine-tuned variant of GPT-NeoX-20B from Eleuther AI.", "GPT-NeoX-20B"),
    ("Our captioner is built on top of Mistral-7B.", "Mistral 7B"),
    ("A 7B code model continued pre-training from CodeLlama-7B.", "Code Llama"),
])
def test_a_declared_base_resolves_to_its_curated_family(sentence: str, family: str) -> None:
    rec = _card("Intro paragraph.\n\n" + sentence)
    found = declared_base(rec)
    assert found is not None and found.family["family"] == family
    # the evidence is the card line that declares it, with the family's name in the snippet
    assert found.evidence.kind == "card" and found.evidence.locator == "README.md#L5"
    assert re.search(r"(?i)llama|starcoder|qwen|neox|mistral", found.evidence.snippet)


@pytest.mark.parametrize("sentence", [
    "The model is trained on the Pile and on code from GitHub.",           # data, not a base
    "- [Evaluating Large Language Models Trained on Code](https://arxiv.org/abs/2107.03374) - [LLaMA](x)",
    "This card is based on the [StableDiffusion model card](https://huggingface.co/CompVis/x).",
    "Deployment is based on Hugging Face Transformers, out-of-the-box with **OUMI**, **Llama-Factory**, etc.",
    "Inference is based on llama.cpp and vLLM.",
    "It is fine-tuned from FooBar-7B, our own base model.",                # not a curated family: unknown
    "Compared with LLaMA, our model scores higher on MMLU.",               # a comparison declares nothing
])
def test_no_base_is_declared_where_the_card_names_none(sentence: str) -> None:
    assert declared_base(_card(sentence)) is None


def test_front_matter_base_model_wins_and_resolves_by_hub_id() -> None:
    rec = _card("It is fine-tuned from Mistral-7B.", front="base_model: meta-llama/Llama-2-7b-hf\n")
    found = declared_base(rec)
    assert found is not None and found.family["family"] == "Llama 2"
    assert found.evidence.snippet == "front matter: base_model: meta-llama/Llama-2-7b-hf"


def test_the_family_declared_most_often_wins() -> None:
    rec = _card("LongFoo-6B (based on ChatGLM3-6B), LongFoo-7B (based on Llama-2-7B) and LongFoo-13B "
                "(based on Llama-2-13B).")
    found = declared_base(rec)
    assert found is not None and found.family["family"] == "Llama 2" and found.mentions == 2


def test_base_dimensions_come_from_the_declared_base_and_end_dimensions_from_the_card() -> None:
    card = ("Chat model fine-tuned from Llama-2-13B.\n\n## Training data\nWe release our dialogues at "
            "https://huggingface.co/datasets/someone/dialogues under CC-BY-4.0.\n\n## Weights\n"
            "Download the weights: `model.safetensors`. License: Apache 2.0\n")
    without = assess_record(from_text("someone/m", "# m\n\n" + card.replace("fine-tuned from Llama-2-13B", "")))
    a = assess_record(from_text("someone/m", "# m\n\n" + card))
    assert a.base == "Llama 2" and a.base_declared is not None
    assert a.base_declared["evidence"]["kind"] == "card"
    # Llama 2: weights behind an accepted licence (gated, custom terms) and training data not released
    assert a.osai["weights_basemodel"] == "partial" and a.osai["datasources_basemodel"] == "closed"
    assert "Model parameters (Final)" in a.osai_basis["weights_basemodel"]
    # the end model is still graded from its own card, exactly as without the declaration, except where the
    # base's terms bind its weights: the card's "License: Apache 2.0" cannot relicense Llama 2's parameters
    bound = ("weights_endmodel", "licenses")
    for dim, grade in without.osai.items():
        if dim not in BASE_DIMS and dim not in bound and dim != "score":
            assert a.osai[dim] == grade, dim
    assert (without.osai["weights_endmodel"], without.osai["licenses"]) == ("open", "open")
    assert (a.osai["weights_endmodel"], a.osai["licenses"]) == ("partial", "partial")
    assert a.components["Model parameters (Final)"].inherited is not None
    # and an open licence over a restrictive base is flagged, with both pieces of evidence
    flag = next(f for f in a.flags if f["flag"] == "license-contradicts-base")
    assert flag["base"] == "Llama 2"
    assert [e["kind"] for e in flag["evidence"]] == ["card", "curated"]
    assert flag["evidence"][1]["locator"].startswith("https://")


def test_weights_given_only_to_approved_applicants_are_closed() -> None:
    a = assess_record(_card("Koala-like model fine-tuned on top of LLaMA."))
    assert a.base == "LLaMA" and a.osai["weights_basemodel"] == "closed"


def test_an_open_base_with_released_data_grades_open() -> None:
    a = assess_record(_card("Chat model, a fine-tuned variant of Pythia-6.9B-deduped."))
    assert a.base == "Pythia"
    assert a.osai["weights_basemodel"] == "open" and a.osai["datasources_basemodel"] == "open"


def test_a_model_of_the_same_family_is_not_its_own_declared_base() -> None:
    rec = from_text("meta-llama/Llama-2-7b-chat-hf", "# Llama 2\n\nDevelopers may fine-tune Llama 2 models.\n")
    a = assess_record(rec)
    assert a.base is None and a.base_declared is None


def test_every_alias_compiles_and_names_its_own_family() -> None:
    for e in curated.entries():
        for alias in e.get("base_aliases") or ():
            re.compile(alias)
    samples = {"Llama 2": "Llama-2-70B", "LLaMA": "LLaMA-65B", "Llama 3": "Meta-Llama-3-70B", "Llama 3.1": "Llama-3.1-405B",
               "Llama 3.2": "Llama3.2-1B", "Llama 3.3": "Llama-3.3-70B", "Qwen2.5": "Qwen2.5-32B",
               "Qwen3": "Qwen3-8B", "Qwen2": "Qwen2-7B", "Stable Diffusion 1-2": "stable-diffusion-2-base",
               "GPT-2": "GPT2-Medium", "Flan-T5": "Flan-T5-XL", "DeepSeek-R1": "DeepSeek-R1-Distill-Qwen-32B"}
    from openscope.derive.openness.declared_base import family_named

    for family, name in samples.items():
        hit = family_named(f"fine-tuned from {name}.")
        assert hit is not None and hit[0]["family"] == family, (family, name)
        # the cheap needle test never hides a match: every alias match contains one of its family's needles
        assert any(n in hit[1].group(0).lower() for n in hit[0]["base_needles"]), (family, name)
    for e in curated.entries():
        assert bool(e.get("base_aliases")) == bool(e.get("base_needles")), e["family"]


def test_assess_folder_shows_the_declared_base(cli, tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# m\n\nA chat model fine-tuned from Llama-2-13B.\n", encoding="utf-8")
    r = cli("assess", str(tmp_path), "--json")
    assert r.code == 0, r.stderr
    doc = r.json()
    assert doc["base_model"] == "Llama 2" and doc["base_declared"]["family"] == "Llama 2"
    assert doc["osai"]["weights_basemodel"] == "partial"
    text = cli("assess", str(tmp_path))
    assert text.code == 0 and "declared in the card" in text.stdout and "Llama 2" in text.stdout


def test_a_lineage_root_resolves_by_hub_id_and_outside_the_store_by_its_name() -> None:
    from openscope.derive.openness.declared_base import family_of_root

    assert family_of_root("meta-llama/Llama-2-7b-hf", external=False)["family"] == "Llama 2"  # hub_ids pattern
    assert family_of_root("huggyllama/llama-7b", external=True)["family"] == "LLaMA"         # the name it gives
    # a root in the store is judged by its own records: its name alone does not make it a curated family
    assert family_of_root("huggyllama/llama-7b", external=False) is None
    assert family_of_root("nobody/unknown-base", external=True) is None


def test_the_basis_says_why_by_request_weights_are_closed() -> None:
    a = assess_record(_card("Fine-tuned on top of LLaMA."))
    assert "approved case by case" in a.osai_basis["weights_basemodel"]
    assert "approved case by case" not in a.osai_basis["weights_endmodel"]


def test_a_cited_model_card_fact_outranks_a_thin_copy_of_the_card() -> None:
    """The index grades the published model card: a curated, cited fact that it is published wins over a
    short text we happened to read (a mirror or a synthetic copy), and without the fact the text decides."""
    thin = "# Pythia-6.9B\n\nA language model.\n"
    assert assess_record(from_text("EleutherAI/pythia-6.9b", thin)).osai["modelcard"] == "open"
    assert assess_record(from_text("EleutherAI/pythia-6.9b", thin), use_curated=False).osai["modelcard"] == "closed"
