"""Evidence review: each class of wrong evidence found by reading the probes' snippets on real cards.

Every test writes its own short card in the forms real READMEs use (never a copied card) and checks that the
evidence a governance reader would follow supports the status: the release's own thing, under the licence
that covers it. One test (or a pair: the wrong form and the right one) per class.
"""

from __future__ import annotations

from card_probes import probe as _probe

# -- sample outputs: an image is an output only when the card says so ------------------------------------------

def test_sample_outputs_header_logos_charts_and_figures_are_not_outputs() -> None:
    card = ("# Acme-7B\n\n<p align=\"center\"><img src=\"assets/acme.png\" width=\"300\"/></p>\n\n"
            "Acme-7B is a code model.\n\n## Evaluation\n\n![](assets/humaneval_bar.png)\n\n"
            "## Training\n\n<img src=\"figures/training_loss.png\" width=\"80%\">\n\n"
            "![figure1](source/fig1.jpg \"figure1\")\n")
    f = _probe(card, "sample_outputs")
    assert f.status == "not_found" and f.outcome == "negative", f.evidence


def test_sample_outputs_counts_an_image_the_card_marks_as_a_generation() -> None:
    card = ("# Acme-Diffusion\n\n<img src=\"assets/banner.png\"/>\n\n## Generated results\n\n"
            "![image](https://example.org/cat.png)\n\nprompt: a cat in a hat\n")
    f = _probe(card, "sample_outputs")
    assert f.outcome == "positive"
    assert "cat.png" in f.evidence[0].snippet


def test_sample_outputs_an_input_url_in_code_and_a_toc_entry_are_not_outputs() -> None:
    card = ("# Acme-VL\n\n- [Gallery](#gallery)\n- [Usage](#usage)\n\n## Usage\n\n```python\n"
            "url = 'https://example.org/demo_video.mp4'\nmessages = [{'video': url}]\n```\n")
    assert _probe(card, "sample_outputs").outcome == "negative"


def test_sample_outputs_the_verb_showcases_is_not_a_showcase() -> None:
    card = "# Acme\n\nAcme-30B showcases comparable performance to larger models on MMLU.\n"
    assert _probe(card, "sample_outputs").outcome == "negative"


# -- supporting libraries: a name as software, not as a word -----------------------------------------------------

def test_supporting_libraries_ordinary_words_other_names_and_promises_are_not_libraries() -> None:
    card = ("# Acme\n\nAcme is built from Diffusion Transformers (DiT) and beats open-source Transformers.\n"
            "We believe open research will accelerate progress.\n\n"
            "* [Video2World Acme-NeMo-Assets](docs/assets.md)\n\n## Roadmap\n\n- [ ] Diffusers integration\n\n"
            "**Hugging Face's Transformers is not yet supported.**\n")
    f = _probe(card, "supporting_libraries")
    assert f.outcome == "negative", f.evidence


def test_supporting_libraries_named_as_software_count() -> None:
    card = "# Acme\n\n## Training\n\nWe use the `accelerate` package for multi-GPU training.\n"
    f = _probe(card, "supporting_libraries")
    assert f.outcome == "positive" and "accelerate" in f.evidence[0].snippet


# -- weights: a Hub link the card attributes to others is not the release's weights -------------------------------

def test_weights_a_base_model_or_reference_link_is_not_the_release() -> None:
    card = ("# Acme-Diffusion\n\nWe trained a bilingual model based on "
            "[Stable Diffusion](https://huggingface.co/other-org/stable-diffusion).\n\n"
            "- Base Model: [Big-7B-Base](https://huggingface.co/other-org/big-7b-base)\n\n"
            "## Useful Resources\n\n### Hugging Face\n\n- [https://huggingface.co/x/llama-7b-hf]"
            "(https://huggingface.co/x/llama-7b-hf)\n")
    f = _probe(card, "weights_released")
    assert f.status == "not_found", f.evidence


def test_weights_a_pointed_own_link_counts() -> None:
    card = ("# Acme\n\nWe publish the weights as a delta.\n\n2. Please download our delta model at the following "
            "[link](https://huggingface.co/acme/acme-delta).\n")
    f = _probe(card, "weights_released")
    assert f.outcome == "positive"
    assert any("acme/acme-delta" in e.locator for e in f.evidence)


# -- datasets: a linked dataset that is not the training data ---------------------------------------------------

def test_datasets_another_project_demo_data_a_home_page_and_thanks_are_not_training_data() -> None:
    card = ("# Acme\n\nIn collaboration with [LAION](https://laion.ai) and friends.\n\n## News\n\n"
            "- Check out another awesome project [Bench](https://huggingface.co/datasets/x/bench) of ours.\n\n"
            "## Fine-tuning\n\nThis sample data was drawn from [chat-1M](https://huggingface.co/datasets/y/chat-1M) "
            "to demonstrate multi-turn training.\n\n## Acknowledgement\n\nThanks to "
            "[WebData](https://huggingface.co/datasets/z/webdata).\n")
    f = _probe(card, "datasets_released")
    assert f.outcome == "negative", f.evidence


def test_datasets_referred_to_under_training_data_counts() -> None:
    card = ("# Acme\n\n**Training Data**\n\nPlease refer to "
            "[acme/acme-data-1T](https://huggingface.co/datasets/acme/acme-data-1T)\n")
    f = _probe(card, "datasets_released")
    assert f.outcome == "positive" and "acme-data-1T" in f.evidence[0].locator


# -- model metadata: a hyperparameter with its value, not advice or inference options -----------------------------

def test_model_metadata_advice_and_inference_options_are_not_documented_hyperparameters() -> None:
    card = ("# Acme\n\n## Limitations\n\nSome hyper-parameter search could be necessary to obtain good results.\n"
            "You can change batch size via `-b` if you run out of memory.\n\n## CLI\n\n"
            "--temp: Temperature, a hyperparameter that controls the randomness of the generated text\n")
    assert _probe(card, "model_metadata").status == "not_found"


def test_model_metadata_a_value_documents_a_hyperparameter() -> None:
    card = "# Acme\n\n### Training\n\n- **Optimizer:** AdamW\n- **Learning rate:** 1e-5\n- **Epochs:** 4\n"
    f = _probe(card, "model_metadata")
    assert f.status == "documented_not_released" and "AdamW" in f.evidence[0].snippet


# -- intermediate checkpoints: a count of training checkpoints, not a precision ---------------------------------

def test_intermediate_checkpoints_precision_variants_and_toc_entries_are_not_intermediate() -> None:
    card = ("# Acme\n\n- [Intermediate Checkpoints](#intermediate-checkpoints)\n\n## Inference\n\n"
            "FP8 kernels can be used with bf16 checkpoints, downcast on the fly.\n")
    assert _probe(card, "intermediate_checkpoints").status == "not_found"


def test_intermediate_checkpoints_released_counts() -> None:
    card = "# Acme\n\nWe release 154 checkpoints saved every 1000 steps during training.\n"
    assert _probe(card, "intermediate_checkpoints").outcome == "positive"


# -- inference code: a framework or tool install is the environment ---------------------------------------------

def test_inference_code_a_framework_or_tool_install_is_not_inference_code() -> None:
    card = ("# Acme\n\n## Setup\n\n```bash\npip install huggingface_hub --upgrade\npip install uv\n```\n\n"
            "## Train Acme\n\n```bash\npip install bitsandbytes # optional, for 8-bit Adam\n```\n")
    assert _probe(card, "inference_code").outcome == "negative"


def test_inference_code_a_script_in_a_folder_counts() -> None:
    card = "# Acme\n\n## Inference\n\n```shell\npython inference/bot.py --model acme/model\n```\n"
    f = _probe(card, "inference_code")
    assert f.outcome == "positive" and "inference/bot.py" in f.evidence[0].snippet


# -- licences: a misuse bullet names no licence; a linked project keeps its own -----------------------------------

def test_a_misuse_bullet_names_no_licence() -> None:
    card = ("# Acme\n\n## Misuse\n\n- Sharing of copyrighted or licensed material in violation of its terms of "
            "use.\n")
    f = _probe(card, "license_declared")
    assert f.status == "no_license" and not f.evidence


def test_code_in_a_linked_repository_does_not_take_the_model_repository_licence() -> None:
    card = ("---\nlicense: openrail\n---\n# Acme\n\n- **Resources for more information:** "
            "[GitHub](https://github.com/acme/acme-code)\n")
    f = _probe(card, "architecture_code")
    assert f.outcome == "positive"
    assert f.status == "no_license" and f.license is None   # the project's own LICENSE, not openrail


def test_code_in_a_linked_repository_takes_a_licence_the_card_names_for_code() -> None:
    card = ("---\nlicense: openrail\n---\n# Acme\n\n- **Resources for more information:** "
            "[GitHub](https://github.com/acme/acme-code)\n\nThe code is released under the MIT license.\n")
    f = _probe(card, "architecture_code")
    assert f.status == "open_license" and f.license == "mit"


# -- evaluation results: a data mixture or a gallery table is not results -------------------------------------

def test_evaluation_results_a_data_mixture_or_a_gallery_table_is_not_results() -> None:
    card = ("# Acme\n\n## Mid-training\n\n| Source | Dataset | Tokens (B) | Share |\n|---|---|---|---|\n"
            "| Benchmark training set | [QA (train)](https://huggingface.co/datasets/x/qa) | 2 | 1.5% |\n\n"
            "## Motion\n\n| Score | 1 | 4 | 7 |\n| --- | --- | --- | --- |\n"
            "| | <img src=\"demo/m1.gif\"> | <img src=\"demo/m4.gif\"> | <img src=\"demo/m7.gif\"> |\n")
    assert _probe(card, "evaluation_results").outcome == "negative"


def test_evaluation_results_a_results_table_counts() -> None:
    card = ("# Acme\n\n## Mid-training\n\n| Source | Tokens (B) |\n|---|---|\n| Web | 2 |\n\n"
            "## Evaluation\n\n| Model | MMLU | GSM8K |\n| --- | --- | --- |\n| Acme-1B | 45.3 | 30.1 |\n")
    f = _probe(card, "evaluation_results")
    assert f.outcome == "positive" and "MMLU" in f.evidence[0].snippet


# -- papers: a badge's picture is not the paper; the badge's link target is ------------------------------------

def test_a_paper_badge_points_at_its_target_not_at_its_picture() -> None:
    card = ("# Acme\n\n[![Paper](https://img.shields.io/badge/Paper-PDF-red?logo=adobeacrobatreader)]"
            "(https://arxiv.org/abs/2601.00001)\n")
    f = _probe(card, "research_paper")
    assert f.outcome == "positive"
    assert [e.locator for e in f.evidence] == ["https://arxiv.org/abs/2601.00001"]


def test_inline_triple_backticks_do_not_open_a_code_block() -> None:
    card = ("# Acme\n\n```!pip install acme```\n\n## Single calls\n\nHere is an example of this:\n\n"
            "<img src=\"imgs/single.png\" alt=\"single_call_example\">\n")
    f = _probe(card, "sample_outputs")
    assert f.outcome == "positive" and "single.png" in f.evidence[0].snippet


# -- preprocessing code: a script that prepares a base model's weights is not data preprocessing ------------------

def test_preprocessing_a_prepare_script_in_a_weights_folder_is_not_data_preprocessing() -> None:
    card = ("# Acme\n\nTo download the base model and prepare it for fine-tuning, run:\n\n```shell\n"
            "python pretrained/Base-7B/prepare.py\n```\n")
    assert _probe(card, "preprocessing_code").status == "not_found"
    card += "\n## Data\n\n```shell\npython data/corpus/prepare.py\n```\n"
    f = _probe(card, "preprocessing_code")
    assert f.status == "documented_not_released" and "data/corpus/prepare.py" in f.evidence[0].snippet


# -- training code: an open-sourced release that lists its training scripts --------------------------------------

def test_training_code_listed_in_an_open_sourced_release_counts() -> None:
    card = ("# Acme\n\nAcme is a fully open-sourced language model that includes the pretraining data, a data "
            "pipeline, pretraining scripts, and alignment code.\n")
    f = _probe(card, "training_code")
    assert f.outcome == "positive" and "pretraining scripts" in f.evidence[0].snippet
    promised = "# Acme\n\nAcme will be open-sourced soon, including the training scripts.\n"
    assert _probe(promised, "training_code").outcome == "negative"
