"""Card review, nineteenth session: evident misreadings of real cards, each fixed by a general rule.

The excerpts are ours, written in the form of the cards where the misreading was found (never copied).
"""

from __future__ import annotations

import pytest

from openscope.derive.openness.declared_base import declared_base
from openscope.derive.openness.records import from_text

# A video model's README whose only "based on" lines are about the tools around it: a prompt enhancer and a
# captioner used for data annotation, both built on a curated family. The video model's own base is not told.
VIDEO_TOOLS = """# Lumen-Video

Lumen-Video is a text-to-video model trained with diffusion forcing.

## Quickstart

- **Prompt Enhancer**

The prompt enhancer is implemented based on [Qwen2.5-32B-Instruct](https://huggingface.co/Qwen/Qwen2.5-32B-Instruct) and is used via `--prompt_enhancer`.

## Methodology

#### Video Captioner

[LumenCaptioner](https://huggingface.co/acme/LumenCaptioner) serves as our captioning model for data annotation. This model is trained on the captions of the base model [Qwen2.5-VL-72B](https://huggingface.co/Qwen/Qwen2.5-VL-72B-Instruct). Built upon the [Qwen2.5-VL-7B](https://huggingface.co/Qwen/Qwen2.5-VL-7B-Instruct) foundation model, LumenCaptioner is fine-tuned on 2M videos.

#### Diffusion Forcing

We fine-tune the transformer from a full-sequence diffusion model.
"""


def _base(text: str, rid: str = "acme/lumen-video") -> str | None:
    found = declared_base(from_text(rid, text, locator="README.md"))
    return None if found is None else str(found.family["family"])


def test_a_base_declared_for_a_tool_around_the_model_is_not_its_base() -> None:
    # the enhancer (the sentence's subject) and the captioner (the section's heading) are built on Qwen2.5;
    # the card does not say what Lumen-Video itself is built on: unknown stays unknown
    assert _base(VIDEO_TOOLS) is None


def test_the_models_own_declaration_still_counts_beside_its_tools() -> None:
    text = VIDEO_TOOLS.replace("Lumen-Video is a text-to-video model trained with diffusion forcing.",
                               "Lumen-Video is fine-tuned from Mistral-7B.")
    assert _base(text) == "Mistral 7B"


@pytest.mark.parametrize("sentence", [
    "The model is fine-tuned from Qwen2.5-7B on our data.",
    "Built upon the Qwen2.5-7B foundation model, it is fine-tuned on 2M captions.",
])
def test_a_captioners_own_card_declares_its_base(sentence: str) -> None:
    # the card *is* the captioner's: its title names the part, so the part's base is its own
    text = f"# LumenCaptioner: a video captioner\n\n#### Video Captioner\n\n{sentence}\n"
    assert _base(text, "acme/lumencaptioner") == "Qwen2.5"


def test_a_part_named_elsewhere_in_the_sentence_is_not_its_subject() -> None:
    # "prompt" or "captions" in the sentence does not make a part its subject
    text = "# Lumen-Chat\n\nLumen-Chat, trained to follow any prompt, is fine-tuned from Qwen2.5-7B.\n"
    assert _base(text, "acme/lumen-chat") == "Qwen2.5"


# An LLM's README whose opening sentence lists what its open-source release includes: the data processing pipeline
# is released there as the training code is (it was read as only documented while the same list's pretraining
# scripts were released).
LISTED = """# Lumen-7B: a fully open-sourced language model

<b>Lumen-7B</b> is a <b>fully open-sourced</b> language model that includes the pretraining data, a data processing pipeline (<b>Sieve</b>), pretraining scripts, and alignment code. It is trained from scratch on 4T tokens.
"""


def _status(text: str, component: str) -> str:
    from openscope.derive.openness.probes import preprocessing_code, training_code
    probe = {"Data preprocessing code": preprocessing_code, "Training code": training_code}[component]
    return probe.run(from_text("acme/lumen-7b", text, locator="README.md")).status


def test_a_data_pipeline_listed_in_an_open_sourced_release_is_released() -> None:
    assert _status(LISTED, "Training code") != "documented_not_released"
    assert _status(LISTED, "Data preprocessing code") == _status(LISTED, "Training code")


@pytest.mark.parametrize("sentence", [
    # a list of what was open-sourced that does not name the pipeline: the pipeline is only described
    "Lumen-7B is fully open-sourced, including the weights. We describe our data processing pipeline in the paper.",
    # a promise
    "Lumen-7B is open-sourced; the release will include a data processing pipeline soon.",
])
def test_a_pipeline_outside_the_open_sourced_list_is_not_released(sentence: str) -> None:
    assert _status(f"# Lumen-7B\n\n{sentence}\n", "Data preprocessing code") == "documented_not_released"


# A flagship's GitHub README titled by an HTML heading, with a markdown "# Table of Contents" as its first markdown
# level-1 heading: its own family, named in "Based on this quantization method, X supports …", an example
# fine-tuning command and a disclaimer, was read as its base.
FLAGSHIP_HTML_TITLE = """<!-- markdownlint-disable first-line-h1 -->
<div align="center">
<h1>
  Qwen2.5
</h1>
</div>

# Table of Contents

- [Quantization](#quantization)

# Quantization

Based on this quantization method, Qwen2.5 supports both online and offline quantization.

# Disclaimer

We hereby declare that our team has not developed any applications based on Qwen2.5 models.
"""


def test_the_cards_own_family_named_as_its_html_title_is_not_its_base() -> None:
    assert _base(FLAGSHIP_HTML_TITLE, "someone/flagship") is None


def test_the_cards_own_family_named_as_its_markdown_title_is_not_its_base() -> None:
    text = FLAGSHIP_HTML_TITLE.replace("<h1>\n  Qwen2.5\n</h1>", "").replace("# Table of Contents", "# Qwen2.5")
    assert _base(text, "someone/flagship") is None


def test_under_another_html_title_the_family_is_still_declared() -> None:
    text = FLAGSHIP_HTML_TITLE.replace("  Qwen2.5\n</h1>", "  Lumen\n</h1>").replace(
        "Based on this quantization method, Qwen2.5 supports", "Lumen is fine-tuned from Qwen2.5 and supports")
    assert _base(text, "someone/lumen") == "Qwen2.5"


# A model card (the "Model Cards for Model Reporting" form) whose only "models are released" words are a general
# remark about releases ("once models are released, it is impossible to restrict access"), while its opening line
# says the models were trained and released by their developer.
REMARK = """# Model Card: Lumen-ASR

This is the official codebase for running the speech recognition models (Lumen models) trained and released by Acme.

## Model Use

We recognize that once models are released, it is impossible to restrict access to only intended uses.
"""


def _weights(text: str) -> tuple[str, list[str]]:
    from openscope.derive.openness.probes import weights_released
    found = weights_released.run(from_text("acme/lumen-asr", text, locator="README.md"))
    return found.status, [e.snippet for e in found.evidence]


def test_a_remark_about_releases_in_general_is_not_the_release() -> None:
    status, snippets = _weights(REMARK)
    assert status == "no_license"
    assert snippets and all("once models are released" not in s for s in snippets)
    assert any("trained and released by Acme" in s for s in snippets)


@pytest.mark.parametrize("remark", [
    "If models are released without safeguards, misuse follows.",
    "When weights are released, they cannot be recalled.",
])
def test_a_conditional_release_alone_is_no_evidence(remark: str) -> None:
    status, _ = _weights(f"# Lumen-ASR\n\nA speech model.\n\n{remark}\n")
    assert status == "not_found"


def test_a_plain_release_sentence_still_counts() -> None:
    status, snippets = _weights("# Lumen-ASR\n\nThe model weights are now released under MIT.\n")
    assert status != "not_found" and "weights are now released" in snippets[0]

