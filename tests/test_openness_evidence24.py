"""Evidence review, second round (twenty-fourth session): wrong evidence found by reading the snippets again.

Each class of snippet that did not support its status, read on the development cards, has a test here whose card
is written by the test in the forms real READMEs use (never a copied card): the wrong form, and beside it the
right form that must still count, so a fix that only silences the probe fails.
"""

from __future__ import annotations

from card_probes import probe as _probe

# -- training code: a "fine-tune.py" script run on the card is the training code, not a mention of it ----------

def test_training_code_a_hyphenated_fine_tune_script_run_on_the_card_is_released() -> None:
    card = ("# Acme-13B\n\n## Fine-tuning\n\nSet the hostfile used by the training script:\n\n"
            "```shell\nhostfile=\"\"\ndeepspeed --hostfile=$hostfile fine-tune.py \\\n"
            "    --data_path data/sample.json --output_dir out\n```\n")
    f = _probe(card, "training_code")
    assert f.outcome == "positive" and f.status != "documented_not_released", (f.status, f.evidence)
    assert "fine-tune.py" in f.evidence[0].snippet


def test_training_code_a_bare_mention_of_a_training_script_stays_a_mention() -> None:
    card = "# Acme-13B\n\nThe training script reads the hostfile from the environment.\n"
    f = _probe(card, "training_code")
    assert f.status == "documented_not_released", (f.status, f.evidence)


# -- hardware and architecture: an address or a badge is not a statement ---------------------------------------

def test_hardware_a_word_inside_a_url_or_a_badge_is_not_training_hardware() -> None:
    card = ("# Acme-7B\n\n[![GPU Kernel](https://img.shields.io/badge/GPU-Kernel-blue)](https://example.org/kernels)\n\n"
            "Acme-7B is a decoder-only model with 32 layers.\n\n"
            "To build the server from source, see [the guide](https://docs.example.org/installation/gpu.html#wheel).\n")
    f = _probe(card, "hardware_documented")
    assert f.detail.get("architecture") and not f.detail.get("hardware"), f.evidence


def test_hardware_stated_in_prose_still_counts_after_an_address() -> None:
    card = ("# Acme-7B\n\nSee [the guide](https://docs.example.org/installation/gpu.html).\n\n"
            "Acme-7B is a decoder-only model with 32 layers, trained on 64 H100 GPUs for two weeks.\n")
    f = _probe(card, "hardware_documented")
    assert f.detail.get("hardware") and f.outcome == "positive", f.evidence
    assert any("H100" in e.snippet for e in f.evidence)


def test_architecture_a_folder_link_named_moe_is_not_the_architecture() -> None:
    card = ("# Acme-7B\n\nWe also publish a larger sibling, see [Acme-40B](./MoE/README.md).\n\n"
            "Trained on 128 A100 GPUs.\n")
    f = _probe(card, "hardware_documented")
    assert not f.detail.get("architecture"), f.evidence


def test_architecture_a_figure_captioned_architecture_still_counts() -> None:
    card = ("# Acme-Video\n\n<img src=\"assets/overview.png\" alt=\"model architecture\" width=\"600\"/>\n\n"
            "Trained on 256 H100 GPUs.\n")
    f = _probe(card, "hardware_documented")
    assert f.detail.get("architecture") and f.outcome == "positive", f.evidence


# -- weights: a document kept in a model repository is not the weights -----------------------------------------

def test_weights_a_link_to_a_pdf_in_a_model_repository_is_not_the_weights() -> None:
    card = ("# Acme\n\n[Report](https://huggingface.co/acme-lab/Acme-Nano/blob/main/technical_details.pdf) | "
            "[License](https://huggingface.co/acme-lab/Acme-Nano/blob/main/LICENSE.md)\n\n"
            "Acme is a family of small multilingual models.\n")
    f = _probe(card, "weights_released", "acme-lab/Acme-Nano")
    assert not any(".pdf" in e.snippet or "LICENSE.md" in e.snippet for e in f.evidence), f.evidence


def test_weights_a_link_to_the_model_repository_itself_still_counts() -> None:
    card = ("# Acme\n\n[Report](https://huggingface.co/acme-lab/Acme-Nano/blob/main/technical_details.pdf)\n\n"
            "| Model | Download |\n|---|---|\n| Acme-Nano | [Hub](https://huggingface.co/acme-lab/Acme-Nano) |\n")
    f = _probe(card, "weights_released", "acme-lab/Acme-Nano")
    assert f.outcome == "positive", (f.status, f.evidence)
    assert any(e.snippet.endswith("(https://huggingface.co/acme-lab/Acme-Nano)") for e in f.evidence), f.evidence


# -- hardware: what the reader needs to run the model is not what it was trained on ----------------------------

def test_hardware_a_requirements_section_or_a_generation_command_is_not_training_hardware() -> None:
    card = ("# Acme-Video\n\nAcme-Video is a DiT video model.\n\n## System Requirements\n\n### Hardware\n\n"
            "- **GPU**: NVIDIA GPU with CUDA support\n\n## Multi-GPU\n\n"
            "For example, to generate a video with 2 GPUs, use the command below.\n\n"
            "To use it on a machine with GPUs, make sure the libraries are installed.\n")
    f = _probe(card, "hardware_documented")
    assert f.detail.get("architecture") and not f.detail.get("hardware"), f.evidence


def test_hardware_training_hardware_under_a_usage_heading_still_counts() -> None:
    card = ("# Acme-Video\n\nAcme-Video is a DiT video model.\n\n## Usage\n\n"
            "The model was trained on 512 H100 GPUs; to run it you need one GPU with 24 GB.\n")
    f = _probe(card, "hardware_documented")
    assert f.detail.get("hardware") and f.outcome == "positive", f.evidence


# -- evaluation data: a benchmark's training split is training data -----------------------------------------------

def test_evaluation_data_a_benchmark_named_as_a_training_source_is_not_the_evaluation() -> None:
    card = ("# Acme-Coder\n\n## Data\n\n* The math mix is built from the training sets of GSM8K and MATH, with no test "
            "item in it.\n\n## Evaluation\n\nWe report pass@1 on HumanEval.\n")
    f = _probe(card, "evaluation_data")
    assert f.outcome == "positive" and "HumanEval" in f.evidence[0].snippet, f.evidence


def test_evaluation_data_a_card_naming_only_training_splits_has_no_evaluation_data() -> None:
    card = "# Acme-Math\n\nAcme-Math was fine-tuned on the GSM8K training set.\n"
    f = _probe(card, "evaluation_data")
    assert f.outcome == "negative", f.evidence
