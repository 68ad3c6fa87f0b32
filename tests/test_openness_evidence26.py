"""Evidence review, fourth round (twenty-sixth session): evidence about another model, or that states nothing.

A platform's README that hosts several models lent the release another model's training hardware ("train Kestrel-7B
with 4 x A100" under "### Fine-tuning Kestrel-7B with Local GPUs"), a context length named without its value stood
for the architecture, and a README whose only command runs a distilled sibling lent that command as the release's
inference code. Every card here is written by the test (never a copied card); each wrong form has beside it the form
that must still count.
"""

from __future__ import annotations

from card_probes import cited as _cited
from card_probes import probe as _probe

# -- another model's training hardware, and a context length without its value ----------------------------------

PLATFORM = ("# Aviary\n\nAviary is an open platform for training and serving chat models.\n\n"
            "## Models\n\n| Model | Weights |\n| --- | --- |\n"
            "| Kestrel-7B | [birdlab/kestrel-7b-v2](https://huggingface.co/birdlab/kestrel-7b-v2) |\n"
            "| Kestrel-13B | [birdlab/kestrel-13b-v2](https://huggingface.co/birdlab/kestrel-13b-v2) |\n"
            "| Aviary-T5-3B | [birdlab/aviary-t5-3b-v1](https://huggingface.co/birdlab/aviary-t5-3b-v1) |\n\n"
            "## Fine-tuning\n\n### Data\n\nKestrel is tuned on shared conversations, cut into pieces that fit the "
            "model's maximum context length.\n\n"
            "### Fine-tuning Kestrel-7B with Local GPUs\n\n"
            "You can use the command below to train Kestrel-7B with 4 x A100 (40GB).\n\n"
            "```bash\ntorchrun --nproc_per_node=4 train.py --data data.json\n```\n")


def test_another_linked_models_training_hardware_is_not_the_releases() -> None:
    f = _probe(PLATFORM, "hardware_documented", "birdlab/aviary-t5-3b-v1")
    assert not f.detail.get("hardware"), f.evidence
    assert not f.detail.get("architecture"), f.evidence   # a context length with no length stated


def test_the_releases_own_training_hardware_still_counts_on_the_same_platform() -> None:
    own = PLATFORM + ("\n### Fine-tuning Aviary-T5-3B\n\nWe trained Aviary-T5-3B on 8 A100 GPUs for two days; its "
                      "context length is 2,048 tokens.\n")
    f = _probe(own, "hardware_documented", "birdlab/aviary-t5-3b-v1")
    assert f.detail.get("hardware") and "Aviary-T5-3B on 8 A100" in _cited(f), f.evidence
    assert f.detail.get("architecture") and "2,048 tokens" in _cited(f), f.evidence


def test_a_fine_tune_trained_from_a_linked_base_keeps_its_hardware() -> None:
    """The base a release is tuned from is linked on its card too: "we fine-tune Kestrel-7B on 8 A100s" tells how the
    release was made, so a declared base is never "another model", nor is another publisher's model."""
    card = ("---\nbase_model: birdlab/kestrel-7b-v2\n---\n# Finch-7B\n\nFinch-7B is tuned from "
            "[Kestrel-7B](https://huggingface.co/birdlab/kestrel-7b-v2).\n\n## Training\n\n"
            "We fine-tune Kestrel-7B on 8 A100 GPUs for three epochs. It is a decoder-only model.\n")
    f = _probe(card, "hardware_documented", "birdlab/Finch-7B")
    assert f.detail.get("hardware") and "8 A100" in _cited(f), f.evidence
    undeclared = card.split("---\n")[-1]
    f = _probe(undeclared, "hardware_documented", "finchworks/Finch-7B")
    assert f.detail.get("hardware") and "8 A100" in _cited(f), f.evidence


def test_a_model_the_card_does_not_link_is_not_set_aside() -> None:
    """A sentence naming a model the card never links as one of its own may be how the release was made."""
    card = ("# Finch-7B\n\nFinch-7B is a chat model.\n\n## Training\n\n"
            "We fine-tune Kestrel-7B on 8 A100 GPUs for three epochs. It is a decoder-only model.\n\n"
            "See also [birdlab/wren-2b](https://huggingface.co/birdlab/wren-2b).\n")
    f = _probe(card, "hardware_documented", "birdlab/Finch-7B")
    assert f.detail.get("hardware") and "8 A100" in _cited(f), f.evidence


def test_a_context_length_with_its_value_or_in_a_table_still_counts() -> None:
    for text in ("Finch-7B has a context length of 8K tokens.\n",
                 "| Model | Context Length |\n| --- | --- |\n| Finch-7B | 8K |\n"):
        f = _probe("# Finch-7B\n\n" + text, "hardware_documented", "birdlab/Finch-7B")
        assert f.detail.get("architecture") and "ontext" in _cited(f), (text, f.evidence)
    f = _probe("# Finch-7B\n\nFinch-7B supports a long context window.\n", "hardware_documented", "birdlab/Finch-7B")
    assert not f.detail.get("architecture"), f.evidence


# -- a README whose only commands run other models ----------------------------------------------------------------

DISTILLED = ("# Heron-R2\n\nHeron-R2 is a reasoning model.\n\n## How to Run Locally\n\n### Heron-R2 Models\n\n"
             "Please visit [Heron-Serve](https://github.com/birdlab/heron-serve) repo for more information about "
             "running Heron-R2 locally.\n\n### Heron-R2-Distill Models\n\n"
             "The distilled models run like any small model, for instance with vLLM:\n\n"
             "```shell\nvllm serve birdlab/Heron-R2-Distill-Mini-32B --tensor-parallel-size 2\n```\n")


def test_another_models_command_gives_way_to_the_cards_pointer_for_the_release() -> None:
    f = _probe(DISTILLED, "inference_code", "birdlab/Heron-R2")
    assert "Distill" not in _cited(f) and "running Heron-R2 locally" in _cited(f), f.evidence
    assert (f.outcome, f.status, f.license) == ("positive", "no_license", None)   # the linked code is not read


def test_the_releases_own_command_still_counts_beside_a_pointer() -> None:
    own = DISTILLED.replace("birdlab/Heron-R2-Distill-Mini-32B", "birdlab/Heron-R2")
    f = _probe(own, "inference_code", "birdlab/Heron-R2")
    assert "vllm serve birdlab/Heron-R2 " in _cited(f) and f.status == "open_license", f.evidence
    # a pointer that is about another model is not the release's
    other = DISTILLED.replace("running Heron-R2 locally", "running Kestrel-9B locally")
    f = _probe(other, "inference_code", "birdlab/Heron-R2")
    assert "heron-serve" not in _cited(f), f.evidence


# -- a family's model table that lists a sibling first ------------------------------------------------------------

FAMILY = ("# Heron-R2\n\n## Model Downloads\n\n| **Model** | **Download** |\n| :---: | :---: |\n"
          "| Heron-R2-Zero | [🤗 Hub](https://huggingface.co/birdlab/Heron-R2-Zero) |\n"
          "| Heron-R2 | [🤗 Hub](https://huggingface.co/birdlab/Heron-R2) |\n")


def test_the_releases_own_link_is_the_weights_evidence_when_a_sibling_is_listed_first() -> None:
    f = _probe(FAMILY, "weights_released", "birdlab/Heron-R2")
    first = f.evidence[0]
    assert first.locator == "https://huggingface.co/birdlab/Heron-R2" and "line 8" in first.snippet, f.evidence


def test_a_siblings_link_still_counts_when_the_card_does_not_link_the_release() -> None:
    only = FAMILY.replace("| Heron-R2 | [🤗 Hub](https://huggingface.co/birdlab/Heron-R2) |\n", "")
    f = _probe(only, "weights_released", "birdlab/Heron-R2")
    assert f.outcome == "positive" and f.evidence[0].locator.endswith("/Heron-R2-Zero"), f.evidence


# -- a table of contents' entry --------------------------------------------------------------------------------

CONTENTS = ("# Wren-2B\n\n- [Model Weights](#model-weights)\n- [Evaluation](#evaluation)\n"
            "   1. [HumanEval](#humaneval)\n\n## Model Weights\n\n"
            "Download the pre-trained weights of Wren-2B from the Hub.\n\n## Evaluation\n\n### HumanEval\n\n"
            "Wren-2B scores 41.0 pass@1 on HumanEval.\n")


def test_a_contents_entry_gives_way_to_the_section_it_points_to() -> None:
    f = _probe(CONTENTS, "weights_released", "birdlab/Wren-2B")
    assert f.outcome == "positive" and "Download the pre-trained weights" in f.evidence[0].snippet, f.evidence
    f = _probe(CONTENTS, "evaluation_data", "birdlab/Wren-2B")
    assert f.outcome == "positive" and "41.0 pass@1" in f.evidence[0].snippet, f.evidence


def test_a_contents_entry_alone_still_counts_and_a_sentence_with_a_link_is_no_entry() -> None:
    alone = "# Wren-2B\n\n- [Pre-trained Weights](#pre-trained-weights)\n\nWren-2B is small.\n"
    f = _probe(alone, "weights_released", "birdlab/Wren-2B")
    assert f.outcome == "positive" and "#pre-trained-weights" in f.evidence[0].snippet, f.evidence
    sentence = "# Wren-2B\n\n- We evaluate on HumanEval (see [results](#results)).\n"
    f = _probe(sentence, "evaluation_data", "birdlab/Wren-2B")
    assert "We evaluate on HumanEval" in f.evidence[0].snippet, f.evidence


def test_contents_entry_reads_one_line() -> None:
    from openscope.derive.openness.probes._contents import contents_entry

    text = "- [Weights](#weights)\r\n* **[🧱 Download](#-download)**\nSee [the weights](#weights).\n"
    assert contents_entry(text, 3) and contents_entry(text, 30)
    assert not contents_entry(text, len(text) - 5)


# -- a logo linked to a video; demo images said of data; PEFT the method ---------------------------------------

def test_a_logo_linked_to_a_video_is_not_a_sample_output() -> None:
    card = ("# Heron-Video\n\n<a href='https://videos.example.org/intro.mp4'><img src='source/logo.png'></a>\n\n"
            "## Data\n\nThe demo images used here are for testing and were not included in the training data.\n\n"
            "## Results\n\n<img height=\"260\" src=\"https://img.example.org/heron-cat-01.gif\">\n")
    f = _probe(card, "sample_outputs", "birdlab/Heron-Video")
    assert f.outcome == "positive" and "heron-cat-01.gif" in _cited(f), f.evidence


def test_a_video_link_and_example_outputs_still_count() -> None:
    linked = "# Heron-Video\n\nClick <a href='https://videos.example.org/cat.mp4'>HERE</a> to view the generated video.\n"
    f = _probe(linked, "sample_outputs", "birdlab/Heron-Video")
    assert f.outcome == "positive" and "cat.mp4" in _cited(f), f.evidence
    phrase = "# Heron-Video\n\nSee the example videos Heron-Video generated from short prompts below.\n"
    f = _probe(phrase, "sample_outputs", "birdlab/Heron-Video")
    assert f.outcome == "positive" and "example videos" in _cited(f), f.evidence


def test_peft_the_method_is_not_the_library() -> None:
    card = ("# Finch-Code-7B\n\nWe use parameter-efficient fine-tuning (PEFT) methods like LoRA to tune the model "
            "on one GPU.\n\n## Setup\n\n```bash\npip install transformers\n```\n")
    f = _probe(card, "supporting_libraries", "birdlab/Finch-Code-7B")
    assert "PEFT) methods" not in _cited(f) and "pip install transformers" in _cited(f), f.evidence
    library = card.replace("## Setup", "Adapters are trained with [PEFT](https://github.com/huggingface/peft).\n\n## Setup")
    f = _probe(library, "supporting_libraries", "birdlab/Finch-Code-7B")
    assert "[PEFT](https://github.com/huggingface/peft)" in _cited(f), f.evidence
