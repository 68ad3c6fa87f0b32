"""Evidence review, third round (twenty-fifth session): a README that hosts several releases.

A team's README read as one release's card lent that release its siblings' evidence: a news item's dataset ("We
released **X Dialogs**, a dataset …"), a news item's report, a section per project ("## Kestrel-MoE: …") with its
results table and its "training recipes are fully open-sourced", a header link "Kestrel-MoE Paper", a heading
announcing another model. Every card here is written by the test (never a copied card); each wrong form has beside
it the form that must still count: a news item announcing the release itself, a README whose only project is the
release, a report the news gives for the release.
"""

from __future__ import annotations

from card_probes import cited as _cited
from card_probes import probe as _probe

from openscope.derive.openness.assessment import assess_record
from openscope.derive.openness.probes import run_all
from openscope.derive.openness.records import finish, from_text

HEADER = ("# Heron: small chat models for field notes\n\n"
          "Heron is a research programme of the Bird Lab on small assistants and the benchmarks to test them.\n\n")


# -- the name of a release --------------------------------------------------------------------------------------

def test_a_name_names_the_release_when_each_of_its_words_is_in_the_id() -> None:
    from openscope.derive.openness.probes._siblings import names_release, runs

    own = runs("Heron-Chat-7B-v2")
    assert names_release("Heron", own) and names_release("Heron-Chat", own) and names_release("heron chat v2.0", own)
    assert not names_release("Heron-MoE", own) and not names_release("Kestrel", own)
    assert not names_release("v2", own)          # a version alone names nothing
    assert not names_release("Heron-Chat-13B", own)
    assert names_release("Wren 2.0", runs("Wren-v2"))   # a version's ".0"


# -- a news item about another release ------------------------------------------------------------------------

NEWS = HEADER + (
    "## News\n\n"
    "- [2024/07] We released **Plover Dialogs**, a dataset of 40k rated conversations. Get it "
    "[here](https://huggingface.co/datasets/birdlab/plover_dialogs).\n"
    "- [2024/06] We released Plover Arena technical [report](https://arxiv.org/abs/2406.10001).\n"
    "- [2024/05] We released **Heron-Chat-7B**, fine-tuned on "
    "[Heron Notes](https://huggingface.co/datasets/birdlab/heron_notes).\n"
    "- [2024/04] Updated the training code for low-rank adapters.\n\n"
    "## Usage\n\nLoad it with `transformers`.\n")


def test_a_news_item_announcing_another_release_does_not_lend_its_dataset() -> None:
    f = _probe(NEWS, "datasets_released", "birdlab/Heron-Chat-7B")
    assert "plover_dialogs" not in _cited(f), f.evidence
    assert "heron_notes" in _cited(f), f.evidence


def test_a_news_item_announcing_another_release_does_not_lend_its_report() -> None:
    for probe in ("technical_report", "research_paper"):
        f = _probe(NEWS, probe, "birdlab/Heron-Chat-7B")
        assert "2406.10001" not in _cited(f), (probe, f.evidence)


def test_a_report_the_news_gives_for_the_release_itself_still_counts() -> None:
    card = HEADER + ("## News\n\n"
                     "- [2024/06] We released the technical [report](https://arxiv.org/abs/2406.10002) of "
                     "**Heron-Chat-7B**.\n"
                     "- [2024/05] We released **Plover Dialogs**, a dataset of rated conversations.\n")
    f = _probe(card, "technical_report", "birdlab/Heron-Chat-7B")
    assert "2406.10002" in _cited(f), f.evidence


def test_the_news_of_a_card_titled_otherwise_is_read_as_before() -> None:
    """Without a title that names the release (a folder's README read under the folder's name), whether the news is
    about it cannot be told: nothing is passed over."""
    card = NEWS.replace("# Heron: small chat models for field notes", "# Field notes assistants")
    f = _probe(card, "datasets_released", "birdlab/Heron-Chat-7B")
    assert "plover_dialogs" in _cited(f), f.evidence
    from openscope.derive.openness.probes._siblings import sibling_spans

    assert sibling_spans(from_text("birdlab/Heron-Chat-7B", card).card, "birdlab/Heron-Chat-7B") == []


# -- a section per project, and a header link to a sibling's paper --------------------------------------------

PROJECTS = (
    "# Heron: small chat models for field notes\n\n"
    "[Kestrel-MoE Paper](https://arxiv.org/abs/2405.30001) | [Heron Paper](https://arxiv.org/abs/2405.20001)\n\n"
    "## News\n\n"
    "- [2024/08] We released **Kestrel-MoE**, a family of sparse models. Models, data and training recipes are "
    "fully open-sourced.\n"
    "- [2024/05] We released **Heron-7B**.\n\n"
    "## Kestrel-MoE: sparse experts for field notes\n\n"
    "Kestrel-MoE upcycles a dense model into 64 experts, trained on 512 H100 GPUs.\n\n"
    "| Benchmark | Kestrel-MoE | Baseline |\n|---|---|---|\n| MMLU | 61.2 | 58.0 |\n| GSM8K | 55.1 | 50.3 |\n\n"
    "Download the training data from [Kestrel Corpus](https://huggingface.co/datasets/birdlab/kestrel_corpus).\n\n"
    "## Heron-7B\n\nHeron-7B is a decoder-only model.\n\n"
    "## Citation\n\n**Kestrel-MoE:**\n\n```bibtex\n@article{kestrel2024,\n  title={Kestrel-MoE: sparse mixture-of-experts "
    "models},\n  year={2024}\n}\n```\n")


def test_a_section_of_another_project_does_not_lend_its_results_data_or_training_claim() -> None:
    rec = finish(from_text("birdlab/Heron-7B", PROJECTS))
    found = {f.probe: f for f in run_all(rec)}
    assert "61.2" not in _cited(found["evaluation_results"]), found["evaluation_results"].evidence
    assert "kestrel_corpus" not in _cited(found["datasets_released"]), found["datasets_released"].evidence
    assert "open-sourced" not in _cited(found["training_code"]), found["training_code"].evidence
    assert not found["hardware_documented"].detail.get("hardware"), found["hardware_documented"].evidence


def test_a_header_link_to_another_projects_paper_is_not_the_release_paper() -> None:
    f = _probe(PROJECTS, "research_paper", "birdlab/Heron-7B")
    assert "2405.30001" not in _cited(f), f.evidence
    assert "2405.20001" in _cited(f), f.evidence   # the release's own paper, labelled with its name


def test_a_readme_whose_only_project_is_the_release_keeps_its_section() -> None:
    card = ("# Heron: small chat models for field notes\n\n"
            "## News\n\n- [2024/05] We released **Heron-7B**, trained on 512 H100 GPUs.\n\n"
            "## Heron-7B: a chat model for field notes\n\n"
            "| Benchmark | Heron-7B | Baseline |\n|---|---|---|\n| MMLU | 61.2 | 58.0 |\n| GSM8K | 55.1 | 50.3 |\n")
    f = _probe(card, "evaluation_results", "birdlab/Heron-7B")
    assert f.outcome == "positive" and "61.2" in _cited(f), f.evidence
    assert not [w for w in from_text("birdlab/Heron-7B", card).warnings if "other releases" in w]


def test_the_assessment_says_which_lines_were_read_as_another_release() -> None:
    a = assess_record(finish(from_text("birdlab/Heron-7B", PROJECTS)), use_curated=False)
    said = [w for w in a.warnings if "other releases" in w]
    assert said and "Kestrel-MoE" in said[0], a.warnings


# -- a heading announcing another model, and a news item about a sibling's architecture --------------------------

def test_a_heading_announcing_another_model_does_not_lend_its_report() -> None:
    card = ("## Wren2: better video from little data\n\nWren2 turns a prompt into a short clip.\n\n"
            "### 🔥 We released [Swift](https://github.com/birdlab/swift), with its technical "
            "[report](https://arxiv.org/abs/2407.00001)!\n\nSwift animates a still image.\n\n"
            "### Wren2\n\nRead the technical [report](https://arxiv.org/abs/2401.00002) of Wren2.\n")
    f = _probe(card, "technical_report", "birdlab/Wren2")
    assert "2407.00001" not in _cited(f), f.evidence
    assert "2401.00002" in _cited(f), f.evidence   # the release's own report, under its own heading


def test_a_news_item_about_a_sibling_report_does_not_document_the_architecture() -> None:
    card = ("## Wren: open chat models\n\nWren is a family of chat models.\n\n## What's new\n\n"
            "* [2023/10/27] Updated a technical report [Duma](https://arxiv.org/pdf/2310.00001.pdf), exploring an "
            "agent built on a fast-slow brain architecture.\n"
            "* [2023/07/27] Released [Wren-13B](https://huggingface.co/birdlab/Wren-13B), trained on 8 A100 GPUs.\n")
    f = _probe(card, "hardware_documented", "birdlab/Wren-13B")
    assert not f.detail.get("architecture"), f.evidence
    assert f.detail.get("hardware"), f.evidence   # the release's own item still counts


def test_a_citation_labelled_with_a_siblings_name_is_the_siblings() -> None:
    card = ("# Heron: small chat models for field notes\n\nHeron is a family of chat models.\n\n## News\n\n"
            "- [2024/08] We released **Kestrel-MoE**, a family of sparse models.\n\n"
            "## Citation\n\n**Kestrel-MoE:**\n\n```bibtex\n@article{kestrel2024,\n  title={Kestrel-MoE: a sparse "
            "mixture-of-experts model},\n  year={2024}\n}\n```\n\n"
            "**Heron:**\n\n```bibtex\n@article{heron2024,\n  title={Heron: a decoder-only chat model},\n"
            "  year={2024}\n}\n```\n")
    f = _probe(card, "hardware_documented", "birdlab/Heron-7B")
    assert "mixture" not in _cited(f).lower(), f.evidence
    assert f.detail.get("architecture") and "decoder-only" in _cited(f), f.evidence   # its own entry still counts


# -- another model's command in the same README -------------------------------------------------------------------

TWO_MODELS = ("# Wren chat models\n\nWren-Chat-7B and a long-context sibling live in this repository.\n\n"
              "## Long context\n\nRun the long-context recipe:\n\n```shell\nbash training/finetune_lynx-2-7b-32k.sh\n```\n\n"
              "## Wren-Chat-7B\n\nAfter downloading the data, run:\n\n```shell\nbash training/finetune_Wren-Chat-7B.sh\n```\n")


def test_a_training_command_for_another_model_gives_way_to_the_releases_own() -> None:
    f = _probe(TWO_MODELS, "training_code", "birdlab/Wren-Chat-7B")
    assert f.outcome == "positive" and "finetune_Wren-Chat-7B.sh" in _cited(f), f.evidence


def test_the_only_training_command_still_counts_when_it_names_another_model() -> None:
    """The command shows that training code exists (the status is unchanged); only the evidence prefers the
    release's own when the card has one. A fine-tune's starting point (``--model_name_or_path``) is its base."""
    card = TWO_MODELS.split("## Wren-Chat-7B")[0]
    f = _probe(card, "training_code", "birdlab/Wren-Chat-7B")
    assert f.outcome == "positive" and "finetune_lynx-2-7b-32k.sh" in _cited(f), f.evidence
    based = ("# Wren\n\n```shell\ntorchrun train.py --model_name_or_path acme/lynx-6.9b --data notes.json\n```\n\n"
             "```shell\nbash training/finetune_Wren-Chat-7B.sh\n```\n")
    f = _probe(based, "training_code", "birdlab/Wren-Chat-7B")
    assert "lynx-6.9b" in _cited(f), f.evidence


def test_a_serving_command_for_another_model_gives_way_to_the_releases_own() -> None:
    card = ("# Wren\n\n## Serving a smaller sibling\n\n```shell\nvllm serve birdlab/Wren-Mini-1.5B --port 8000\n```\n\n"
            "## Serving Wren-Chat-7B\n\n```shell\nvllm serve birdlab/Wren-Chat-7B --port 8000\n```\n")
    f = _probe(card, "inference_code", "birdlab/Wren-Chat-7B")
    assert "birdlab/Wren-Chat-7B" in _cited(f) and "Mini" not in _cited(f), f.evidence


# -- "architecture" of software or of a chip; hardware of the reader's machine -----------------------------------

def test_a_programs_or_a_chips_architecture_is_not_the_models() -> None:
    card = ("# Wren\n\nWren runs small models fast on laptops.\n\n"
            "- 2025/01: a system-level paper on wren.cpp's architecture and design.\n\n"
            "The serving stack has web servers, model workers and a controller. Learn more about the architecture "
            "[here](docs/server_arch.md).\n\nThe kernels suit all **NVIDIA Ampere architecture** and newer devices.\n\n"
            "```python\npipe.vae.enable_tiling()\n```\n")
    f = _probe(card, "hardware_documented", "birdlab/Wren-2B")
    assert not f.detail.get("architecture"), f.evidence


def test_the_models_architecture_still_counts_beside_a_programs() -> None:
    card = ("# Wren\n\nLearn more about the serving architecture [here](docs/server_arch.md).\n\n"
            "The model architecture is a decoder-only transformer with 24 layers.\n\n"
            "```yaml\nnum_layers: 24\n```\n")
    f = _probe(card, "hardware_documented", "birdlab/Wren-2B")
    assert f.detail.get("architecture") and "decoder-only transformer" in _cited(f), f.evidence


def test_the_readers_gpu_count_and_a_serving_setup_are_not_training_hardware() -> None:
    card = ("# Wren-2B\n\nWren-2B is a decoder-only model with 24 layers.\n\n## Converting the weights\n\n"
            "Set `MP` to match your available GPU count:\n\n"
            "## Serving\n\nPlease allocate different GPUs and ports for different model workers.\n")
    f = _probe(card, "hardware_documented", "birdlab/Wren-2B")
    assert not f.detail.get("hardware"), f.evidence
    trained = card + "\n## Training\n\nWren-2B was trained on 64 H100 GPUs for nine days.\n"
    f = _probe(trained, "hardware_documented", "birdlab/Wren-2B")
    assert f.detail.get("hardware") and "64 H100" in _cited(f), f.evidence


def test_a_news_item_naming_only_a_kind_of_thing_or_a_version_stays_the_releases() -> None:
    """"We released the **Code and Checkpoints**", "We released **v2.0**": no project is named, so nothing tells that
    the item is about another release; the report it links is the release's."""
    from openscope.derive.openness.probes._siblings import sibling_spans

    card = HEADER + ("## News\n\n"
                     "- [2024/07] We released the **Code and Checkpoints**, with the technical "
                     "[report](https://arxiv.org/abs/2407.00003).\n"
                     "- [2024/06] We released **v2.0**, with a longer context.\n"
                     "- [2024/05] We released **Plover Dialogs**, a dataset of rated conversations.\n")
    spans = sibling_spans(from_text("birdlab/Heron-Chat-7B", card).card, "birdlab/Heron-Chat-7B")
    assert [s.name for s in spans] == ["Plover Dialogs"], spans
    f = _probe(card, "technical_report", "birdlab/Heron-Chat-7B")
    assert "2407.00003" in _cited(f), f.evidence
