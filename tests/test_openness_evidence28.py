"""Evidence review, sixth round (twenty-eighth session): the leftovers of the fourth and fifth rounds, and cards of
kinds the development cards under-represent.

Every card here is written by the test (never a copied card); each form that the rules now set aside or count has
beside it the same words where they must still be read as before.
"""

from __future__ import annotations

from card_probes import cited as _cited
from card_probes import probe

from openscope.derive.openness.probes import Finding


def _probe(text: str, name: str, model_id: str = "birdlab/Heron-R2") -> Finding:
    return probe(text, name, model_id)


# -- a library shown running another model of the family -------------------------------------------------------------

FAMILY = ("# Heron-R2\n\nHeron-R2 is our reasoning model. We also release smaller models taught by it.\n\n"
          "## Downloads\n\n| Model | Link |\n|---|---|\n| Heron-R2 | [hub](https://huggingface.co/birdlab/Heron-R2) |\n"
          "| Heron-R2-Mini-7B | [hub](https://huggingface.co/birdlab/Heron-R2-Mini-7B) |\n\n"
          "## Running it yourself\n\n### Heron-R2\n\nSee [heron-serve](https://github.com/birdlab/heron-serve) for "
          "running Heron-R2 on your own machines.\n\n### Heron-R2-Mini\n\nThe small ones load like any other chat "
          "model. For example, you can serve one with [vLLM](https://github.com/vllm-project/vllm):\n\n"
          "```shell\nvllm serve birdlab/Heron-R2-Mini-7B --max-model-len 16384\n```\n")


def test_a_library_shown_serving_a_linked_sibling_is_not_the_releases() -> None:
    """The only library named runs a smaller sibling the card links by its id: the release's own section names
    none, so no supporting library is found (it was vLLM, its Apache licence lent to the release)."""
    f = _probe(FAMILY, "supporting_libraries")
    assert f.status == "not_found" and f.outcome == "negative", f.evidence


def test_the_sibling_command_itself_is_not_the_releases_library() -> None:
    """The library's name on the command line that runs the sibling is set aside as well."""
    text = FAMILY.replace("you can serve one with [vLLM](https://github.com/vllm-project/vllm):",
                          "you can serve one like this:")
    f = _probe(text, "supporting_libraries")
    assert f.status == "not_found", f.evidence


def test_a_library_serving_the_release_itself_still_counts() -> None:
    text = FAMILY.replace("vllm serve birdlab/Heron-R2-Mini-7B", "vllm serve birdlab/Heron-R2")
    f = _probe(text, "supporting_libraries")
    assert f.status == "open_license" and "vLLM" in _cited(f), f.evidence


def test_a_library_serving_a_model_the_card_does_not_link_still_counts() -> None:
    """Without the sibling's Hub link nothing says the command's model is another release of the family."""
    text = FAMILY.replace("| Heron-R2-Mini-7B | [hub](https://huggingface.co/birdlab/Heron-R2-Mini-7B) |\n", "")
    f = _probe(text, "supporting_libraries")
    assert f.status == "open_license" and "vLLM" in _cited(f), f.evidence


def test_a_library_serving_the_declared_base_with_the_adapter_still_counts() -> None:
    """An adapter's card serves its declared base with the adapter on top: the base is not another release."""
    card = ("---\nbase_model: birdlab/Heron-7B\n---\n# Heron-7B-law adapter\n\nA LoRA adapter for "
            "[Heron-7B](https://huggingface.co/birdlab/Heron-7B) and [Heron-13B](https://huggingface.co/birdlab/"
            "Heron-13B) users who answer legal questions. Serve it with [vLLM](https://github.com/vllm-project/vllm):"
            "\n\n```shell\nvllm serve birdlab/Heron-7B --enable-lora --lora-modules law=birdlab/heron-law-lora\n```\n")
    f = _probe(card, "supporting_libraries", "birdlab/heron-law-lora")
    assert f.status == "open_license" and "vLLM" in _cited(f), f.evidence


def test_a_launcher_under_a_siblings_heading_still_counts() -> None:
    """A reproduction guide runs one launcher for every stage and size; the launcher's line names no model, and the
    heading it stands under is no signal (a library is shared tooling, unlike a model's recipe)."""
    guide = ("# Heron-R2 reproduction\n\nModels: [Heron-R2](https://huggingface.co/birdlab/Heron-R2), "
             "[Heron-R2-Mini-7B](https://huggingface.co/birdlab/Heron-R2-Mini-7B).\n\n### Heron-R2-Mini-7B stage\n\n"
             "```bash\naccelerate launch \\\n    --num_processes 8 \\\n    recipes/tune.py \\\n"
             "    --run_name Heron-R2-Mini-7B\n```\n")
    f = _probe(guide, "supporting_libraries")
    assert f.status != "not_found" and "accelerate launch" in _cited(f), f.evidence


def test_a_sentence_that_goes_on_after_the_library_does_not_introduce_the_block() -> None:
    """The block belongs to the paragraph's last sentence; a library named in an earlier one is not tied to it."""
    text = FAMILY.replace("you can serve one with [vLLM](https://github.com/vllm-project/vllm):",
                          "we serve everything with [vLLM](https://github.com/vllm-project/vllm). A small one, "
                          "for instance:")
    f = _probe(text, "supporting_libraries")
    assert f.status == "open_license" and "vLLM" in _cited(f), f.evidence
    parted = FAMILY.replace("[vLLM](https://github.com/vllm-project/vllm):",
                            "[vLLM](https://github.com/vllm-project/vllm).\n\nA small one, for instance:")
    assert _probe(parted, "supporting_libraries").status == "open_license"


def test_a_sentence_wrapped_over_lines_still_introduces_its_block() -> None:
    text = FAMILY.replace("you can serve one with [vLLM](https://github.com/vllm-project/vllm):",
                          "you can serve one with\n[vLLM](https://github.com/vllm-project/vllm) on a\nsingle GPU:")
    assert _probe(text, "supporting_libraries").status == "not_found"


# -- a program's mode, a memory budget, an identifier, the reader's machine: no training hardware ---------------------

ARCH_LINE = "Heron-Tune is a decoder-only transformer with 24 layers.\n\n"


def _hardware(text: str) -> Finding:
    return _probe("# Heron-Tune\n\n" + ARCH_LINE + text, "hardware_documented", "birdlab/heron-tune")


def test_a_multi_gpu_mode_is_no_training_hardware() -> None:
    """A tool's setup says how the training script can run, not what the model was trained on: no chip, no count."""
    f = _hardware("## Training\n\nWe use the `accelerate` package for multi-GPU training. Run `accelerate config` "
                  "and answer its questions to set up your run.\n")
    assert f.detail == {"hardware": False, "architecture": True}, f.evidence
    g = _hardware("## Training\n\nThe script supports both single-GPU and multi-GPU training out of the box.\n")
    assert g.detail["hardware"] is False, g.evidence


def test_a_count_or_a_chip_beside_the_mode_still_counts() -> None:
    f = _hardware("## Training\n\nWe ran multi-GPU training on 16 A100 GPUs for two days.\n")
    assert f.detail["hardware"] is True and "16 A100" in _cited(f), f.evidence
    g = _hardware("## Training\n\nThe whole run took 40 hours on a single GPU.\n")
    assert g.detail["hardware"] is True and "single GPU" in _cited(g), g.evidence


def test_a_memory_budget_is_no_training_hardware() -> None:
    f = _hardware("## News\n\nWe updated the fine-tuning code, which now uses less GPU memory.\n\n"
                  "- low-GPU-memory offload for LoRA training\n")
    assert f.detail["hardware"] is False, f.evidence
    g = _hardware("## Training\n\nWe fine-tuned it on 8 GPUs with 80 GB of memory each.\n")
    assert g.detail["hardware"] is True and "8 GPUs" in _cited(g), g.evidence


def test_a_device_word_inside_an_identifier_is_no_hardware() -> None:
    f = _hardware("## Training\n\nThe effective batch is `train_num_gpus_per_node * micro_batch = 640`.\n")
    assert f.detail["hardware"] is False, f.evidence


def test_the_readers_condition_or_option_is_not_the_releases_hardware() -> None:
    """A reproduction guide tells the reader what to change on a smaller machine; a card what the reader's own
    fine-tuning can run on. Both name the reader's machine, even with a word of training."""
    f = _hardware("## Training\n\nThe batch is 640 sequences. If you have fewer GPUs, raise the accumulation steps to "
                  "keep the same batch during training.\n")
    assert f.detail["hardware"] is False, f.evidence
    g = _hardware("## Fine-tuning\n\nWith LoRA you can fine-tune Heron-Tune on new words with a single GPU.\n")
    assert g.detail["hardware"] is False, g.evidence


def test_the_releases_own_hardware_before_the_readers_clause_still_counts() -> None:
    f = _hardware("## Training\n\nWe trained it on 64 H100 GPUs, so if you have fewer GPUs, raise the accumulation "
                  "steps.\n")
    assert f.detail["hardware"] is True and "64 H100" in _cited(f), f.evidence


def test_a_requirement_to_train_is_still_read() -> None:
    """A requirement says what the recipe takes; unlike a condition or an option it is not the reader's choice."""
    f = _hardware("## Training\n\nYou will need 8 GPUs with 80 GB each to train the full model.\n")
    assert f.detail["hardware"] is True and "8 GPUs" in _cited(f), f.evidence


# -- a card whose only licence statement is a link to its licence file -----------------------------------------------

LICENCE_LINKED = ("# Finch-2B\n\nFinch-2B is a small chat model for customer support in Dutch.\n\n## Training\n\n"
                  "Finch-2B is a decoder-only transformer with 22 layers, fine-tuned on 40,000 support tickets.\n\n"
                  "## License\n\n{line}\n")


def _licence(line: str) -> Finding:
    return _probe(LICENCE_LINKED.format(line=line), "license_declared", "tulp/Finch-2B")


def test_the_terms_in_the_licence_file_are_an_unknown_licence_not_custom_terms() -> None:
    """"The terms of use are in the LICENSE file" says where the licence is, not which: the file may hold Apache-2.0
    or a custom agreement, and the card shows neither (it was graded restrictive, `other`)."""
    for line in ("The terms of use are in the [LICENSE](LICENSE) file.",
                 "The license agreement is in [LICENSE](LICENSE).",
                 "Use of the model is governed by the [license agreement](./LICENSE.md)."):
        f = _licence(line)
        assert f.status == "no_license" and f.license is None, (line, f.status, f.license)


def test_named_or_unlinked_custom_terms_are_still_restrictive() -> None:
    for line in ("Use is subject to the Finch Community License Agreement ([LICENSE](LICENSE)).",
                 "This model is released under our [model license](./LICENSE).",
                 "By downloading it you accept the license agreement.",
                 "The terms of use are at [our site](https://finch.example/terms)."):
        f = _licence(line)
        assert f.status == "restrictive_license" and f.license == "other", (line, f.status, f.license)


def test_a_licence_named_beside_the_file_link_is_still_read() -> None:
    f = _licence("The license agreement is in [LICENSE](LICENSE): the Apache License 2.0.")
    assert f.status == "open_license" and f.license == "apache-2.0", (f.status, f.license)


# -- where the code is kept: "The training and inference code is on Codeberg: [repo](…)" ------------------------------

RESEARCH = ("# Wren-speech\n\nWren-speech is a speech recogniser for Welsh, released with our paper "
            "[Speech recognition for Welsh](https://arxiv.org/abs/2501.01234).\n\n{line}\n\n"
            "The model weights are released under the MIT licence.\n")


def _code(line: str) -> Finding:
    return _probe(RESEARCH.format(line=line), "training_code", "cymru-ai/wren-speech")


def test_the_code_said_to_be_on_a_code_host_is_the_releases_training_code() -> None:
    """A research release says where its code is kept; the link is the release's own repository (it was not found,
    or only documented as not released)."""
    for line in ("The training and inference code is on Codeberg: [wren-asr](https://codeberg.org/cymru-ai/wren-asr).",
                 "The training code is on GitLab: [wren-asr](https://gitlab.com/cymru-ai/wren-asr).",
                 "The training code is at [wren-asr](https://github.com/cymru-ai/wren-asr)."):
        f = _code(line)
        assert f.outcome == "positive" and f.status == "no_license", (line, f.status)
        assert "wren-asr" in _cited(f), f.evidence


def test_someone_elses_code_on_a_code_host_is_still_not_the_releases() -> None:
    for line in ("Their training and inference code is on GitHub: [otter-asr](https://github.com/otterlab/otter-asr).",
                 "Otterlab's training code is on GitHub: [otter-asr](https://github.com/otterlab/otter-asr).",
                 "Our training code is based on [fairseq](https://github.com/facebookresearch/fairseq)."):
        f = _code(line)
        assert f.status in ("not_found", "documented_not_released"), (line, f.status, f.evidence)


# -- a benchmark's data named as what the model was trained on ---------------------------------------------------------

SPEECH = ("# Wren-speech\n\nWren-speech is a speech recogniser for Welsh.\n\n## Training data\n\n{line}\n")


def test_a_benchmark_named_as_the_training_data_is_no_evaluation_data() -> None:
    """"We trained on [Common Voice Welsh](…)" says what the model learnt from; the card names no evaluation (it was
    graded as evaluation data released)."""
    for line in ("We trained on [Common Voice Welsh](https://huggingface.co/datasets/cv/welsh) and our own recordings.",
                 "We fine-tuned it on LibriSpeech and Common Voice."):
        f = _probe(SPEECH.format(line=line), "evaluation_data", "cymru-ai/wren-speech")
        assert f.status == "not_found", (line, f.status, f.evidence)


def test_a_benchmark_the_model_is_evaluated_on_still_counts() -> None:
    for line in ("We trained on our own recordings and report word error rates on Common Voice Welsh.",
                 "Trained on our recordings; evaluated on LibriSpeech."):
        f = _probe(SPEECH.format(line=line), "evaluation_data", "cymru-ai/wren-speech")
        assert f.status == "no_license", (line, f.status, f.evidence)


def test_distillation_scripts_of_our_own_are_training_code() -> None:
    """Distillation is how a distilled model is trained: "our distillation scripts" linked to a repository is its
    training code (it was read as the architecture's code only)."""
    card = ("# Sparrow-1.5B\n\nSparrow-1.5B is distilled from a larger reasoning model on 800,000 traces. We trained for "
            "2 epochs with our [distillation scripts](https://github.com/sparrowlab/sparrow-distill).\n")
    f = _probe(card, "training_code", "sparrowlab/Sparrow-1.5B")
    assert f.outcome == "positive" and "sparrow-distill" in _cited(f), f.evidence
    cited = card.replace("our [distillation scripts]", "the [distillation scripts] of Otterlab,").replace(
        "We trained", "Following others, we trained")
    g = _probe(cited.replace("with the", "based on the"), "training_code", "sparrowlab/Sparrow-1.5B")
    assert g.outcome == "negative", g.evidence
