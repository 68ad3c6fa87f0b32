"""Evidence review, tenth round (thirty-second session): cards openscope has not seen.

Every card here is written in the test's own words (never a copied card). Each rule has beside it the same words where
they must still be read as before. The round's 25 cards, with the expectation written before openscope was run on them,
are in ``evidence32_cards.py`` and run at the end (both paths: the card text and a folder holding it), so the next round
can run them again.
"""

from __future__ import annotations

from pathlib import Path

import evidence32_cards
import pytest
from card_probes import card_folder_record, check_round_card, cited, probe
from evidence32_cards import CARDS

from openscope.derive.openness.assessment import assess_record
from openscope.derive.openness.records import from_folder, from_text

HEAD = "---\nlicense: mit\n---\n# Wren-1B\n\nA small model.\n\n"


def osai(text: str, model_id: str = "wren/Wren-1B") -> dict[str, str]:
    return assess_record(from_text(model_id, text), use_curated=False).osai


# -- the ninth round's leftover (a): a section's subsections, a datasheet written inside the card ---------------------------

SHEET = ("---\nlicense: mit\n---\n# wren-news\n\nA topic classifier.\n\n## Training data: wren-news\n\n"
         "### Dataset Structure\n\nEach example has a text and one of twelve labels; 90,000 train and 10,000 test.\n\n"
         "### Curation Rationale\n\nWe wanted labels that match how newsrooms file their stories.\n\n"
         "### Source Data\n\nArticles from six regional newspapers, shared with their permission.\n")


def test_a_section_is_read_with_its_subsections_for_its_length() -> None:
    """"## Training data: X" holding only subsections held nothing when read alone: the card documents its data, so
    the data is at least documented (the datasets probe's own section rule)."""
    one = SHEET.replace("### Curation Rationale", "Curation notes:").replace("### Source Data", "Sources:")
    card = one.replace("## Training data: wren-news\n\n", "## Training data: wren-news\n\n### Notes\n\n")
    assert probe(card, "datasets_released", "wren/wren-news").status == "documented_not_released"
    empty = "---\nlicense: mit\n---\n# wren-news\n\nA classifier.\n\n## Training data\n\n### Notes\n\n## Usage\n\nRun it.\n"
    assert probe(empty, "datasets_released", "wren/wren-news").status == "not_found"


def test_a_datasheet_written_inside_the_card_is_the_mofs_data_card_and_partial_for_the_index() -> None:
    f = probe(SHEET, "data_card", "wren/wren-news")
    assert (f.status, f.license) == ("open_license", "mit") and "Dataset Structure" in cited(f), f.evidence
    assert f.detail == {"explicit": False, "inside_card": True}
    assert osai(SHEET, "wren/wren-news")["datasheet"] == "partial"


def test_one_datasheet_heading_or_a_title_that_only_holds_a_topic_word_is_no_datasheet() -> None:
    one = SHEET.replace("### Curation Rationale", "Curation notes:").replace("### Source Data", "Sources:")
    assert probe(one, "data_card", "wren/wren-news").status in ("documented_not_released", "not_found")
    words = SHEET.replace("### Curation Rationale", "### Our curation rationale today").replace(
        "### Source Data", "### WebVid source data annotations")
    assert probe(words, "data_card", "wren/wren-news").status in ("documented_not_released", "not_found")


# -- the ninth round's leftover (b): a library tag is the library when library_name is absent ----------------------------

ESPNET = ("---\ntags:\n- {tag}\n- automatic-speech-recognition\nlicense: cc-by-4.0\n---\n# wren-asr\n\n"
          "## Demo: How to use in ESPnet2\n\n```bash\n./run.sh --skip_data_prep false --download_model wren/wren-asr\n```\n")


def test_a_tag_naming_a_model_library_of_the_hubs_list_is_the_library(tmp_path: Path) -> None:
    """The Hub takes the library from `library_name`, else from "a tag with the name of a library that is supported"
    (hub-docs, model-cards.md); an ESPnet card's `tags: [espnet]` showed no inference code on either path."""
    card = ESPNET.format(tag="espnet")
    for name in ("inference_code", "architecture_code"):
        f = probe(card, name, "wren/wren-asr")
        assert (f.status, f.license) == ("open_license", "apache-2.0"), (name, f.evidence)
        assert "tags: espnet" in cited(f), f.evidence
    folder = tmp_path / "wren-asr"
    folder.mkdir()
    (folder / "README.md").write_text(card, encoding="utf-8")
    assert from_folder(folder).library_name == from_text("wren/wren-asr", card).library_name == "espnet"


def test_a_framework_or_format_tag_names_no_library_and_library_name_wins() -> None:
    for tag in ("pytorch", "onnx", "gguf", "speech"):
        assert from_text("wren/wren-asr", ESPNET.format(tag=tag)).library_name is None, tag
    both = ESPNET.format(tag="espnet").replace("license: cc-by-4.0", "license: cc-by-4.0\nlibrary_name: transformers")
    assert from_text("wren/wren-asr", both).library_name == "transformers"


# -- an open-source claim ------------------------------------------------------------------------------------------------------

def test_an_open_source_claim_said_with_pride_or_after_the_noun_is_a_claim() -> None:
    for words in ("We are proud to open-source Wren-1B, a small model.", "We're happy to open source Wren-1B.",
                  "Wren-1B è un modello linguistico open source per l'italiano.", "Wren-1B é um modelo open source.",
                  "Wren-1B est un modèle open source.", "Wren-1B es un modelo open source."):
        assert probe(HEAD + words + "\n", "open_source_claim", "wren/Wren-1B").outcome == "positive", words


def test_a_dated_promise_or_an_ecosystem_is_still_no_claim() -> None:
    for words in ("We are excited to open-source the training code next month.",
                  "We are happy to open-source it soon.", "Il existe un écosystème open source riche.",
                  "We were happy to use open source tools.", "We plan to open-source Wren-1B."):
        assert probe(HEAD + words + "\n", "open_source_claim", "wren/Wren-1B").outcome == "negative", words


# -- licences without a version, by address, over a list or a table ----------------------------------------------------------

NONE = "# Wren-1B\n\nA small model.\n\n"


def test_the_gpl_and_cc_by_without_a_version_are_open() -> None:
    for words, lic in (("The network and its code are released under the GPL.", "gpl"),
                       ("## License\n\nCC BY", "cc-by"), ("## License\n\nCC BY-SA", "cc-by-sa")):
        f = probe(NONE + words + "\n", "license_declared", "wren/Wren-1B")
        assert (f.status, f.license) == ("open_license", lic), (words, f.evidence)
        assert osai(NONE + words + "\n")["licenses"] == "open", words


def test_a_non_commercial_cc_by_without_a_version_or_the_lgpl_stay_as_they_were() -> None:
    for words, want in (("## License\n\nCC BY-NC", "restrictive_license"),
                        ("[![Data License](https://img.shields.io/badge/Data%20License-CC%20By%20NC%204.0-red.svg)]"
                         "(DATA_LICENSE)", "restrictive_license"),
                        ("Released under the LGPL.", "open_license")):
        f = probe(NONE + words + "\n", "license_declared", "wren/Wren-1B")
        assert f.status == want and f.license not in ("cc-by-4.0", "cc-by") and f.license != "gpl", (words, f.license)
        assert not {"CC-BY-4.0", "cc-by"} & set(f.detail["card_open"]) and "GPL" not in f.detail["card_open"], (words, f.detail)


def test_a_licence_named_only_by_its_deeds_address_is_that_licence() -> None:
    for url, want in (("https://creativecommons.org/licenses/by-nc/4.0/", "restrictive_license"),
                      ("https://creativecommons.org/licenses/by/4.0/", "open_license"),
                      ("https://www.apache.org/licenses/LICENSE-2.0", "open_license")):
        f = probe(NONE + f"License: {url}\n", "license_declared", "wren/Wren-1B")
        assert f.status == want, (url, f.evidence)


def test_a_licence_address_behind_an_anchor_is_not_a_second_licence() -> None:
    """"The source code is released under the [Apache 2 License](https://www.apache.org/licenses/LICENSE-2.0)": the
    anchor names the code's licence; its address read as a name added Apache-2.0 for the whole release."""
    card = NONE + ("The source code is released under the [Apache 2 License](https://www.apache.org/licenses/LICENSE-2.0)."
                   "\n\nThe models are released under the Wren Community License.\n")
    f = probe(card, "license_declared", "wren/Wren-1B")
    assert ["Apache-2.0", []] not in f.detail["card_scopes"], f.detail["card_scopes"]


def test_a_licence_label_over_a_list_and_a_licence_column_are_read_part_by_part() -> None:
    listed = NONE + "Licenses:\n- Code: Apache-2.0\n- Model weights: CreativeML OpenRAIL-M\n- Dataset: ODC-By 1.0\n"
    f = probe(listed, "license_declared", "wren/Wren-1B")
    assert f.status == "restrictive_license" and ["Apache-2.0", ["code"]] in f.detail["card_scopes"], f.detail
    assert osai(listed)["licenses"] == "partial"
    table = ("---\nlicense: cc-by-nc-4.0\n---\n" + NONE + "| Component | License |\n|---|---|\n| Code | MIT |\n"
             "| Model weights | CC BY-NC 4.0 |\n| Caption data | CC BY 4.0 |\n")
    f = probe(table, "license_declared", "wren/Wren-1B")
    assert ["MIT", ["code"]] in f.detail["card_scopes"] and f.detail.get("parts_open") is True, f.detail
    assert osai(table)["licenses"] == "partial"
    alone = "---\nlicense: cc-by-nc-4.0\n---\n" + NONE + "A captioning model.\n"
    assert osai(alone)["licenses"] == "closed" and "parts_open" not in probe(alone, "license_declared").detail
    # an open licence the card names for the whole release (or the weights) is no part's: it contradicts the tag
    whole = "---\nlicense: cc-by-nc-4.0\n---\n" + NONE + "License: MIT\n"
    assert "parts_open" not in probe(whole, "license_declared").detail


# -- a linked training script --------------------------------------------------------------------------------------------------

SCRIPT = ("---\nlicense: llama3.1\nbase_model: meta-llama/Llama-3.1-8B-Instruct\n{lib}---\n# wren-sql-lora\n\n"
          "A LoRA adapter for text-to-SQL.\n\nIt was trained for three epochs {how} "
          "[train_lora.py](https://github.com/{owner}/wren-lora/blob/main/train_lora.py), on one A100.\n")


def test_a_linked_training_script_the_sentence_says_trained_the_model_is_training_code() -> None:
    for owner in ("wren", "someone-else"):
        card = SCRIPT.format(lib="library_name: peft\n", how="with our script", owner=owner)
        f = probe(card, "training_code", "wren/wren-sql-lora")
        assert f.status == "no_license" and "train_lora.py" in cited(f), (owner, f.evidence)
        arch = probe(card, "architecture_code", "wren/wren-sql-lora")   # the library defines the model
        assert (arch.status, arch.license) == ("open_license", "apache-2.0"), arch.evidence


def test_a_cited_script_a_script_not_said_to_train_or_one_beside_no_library_is_read_as_before() -> None:
    cited_card = SCRIPT.format(lib="", how="with a recipe based on", owner="someone-else")
    assert probe(cited_card, "training_code", "wren/wren-sql-lora").status == "not_found"
    options = SCRIPT.format(lib="", how="", owner="wren").replace("It was trained for three epochs ", "See ")
    assert probe(options, "training_code", "wren/wren-sql-lora").status == "not_found"
    # without a declared library the script's repository is still the code the card labels ("[code](…/train.py)")
    card = HEAD + "Training: see the [code](https://github.com/wren/wren/blob/main/scripts/train.py).\n"
    assert probe(card, "architecture_code", "wren/Wren-1B").status == "no_license"


# -- fields and table rows labelled as the code, the data pipeline or the paper ----------------------------------------------

ROWS = "| Artefact | Where |\n|---|---|\n"


def test_a_row_or_field_labelled_as_training_code_needs_no_namespace() -> None:
    """A plain folder has no namespace (the publisher's-repository rule cannot fire); a field or a table row whose
    label names the training code presents the linked repository as that code, in every language TRAIN_TEXT reads."""
    for line in (ROWS + "| Training code | [tern/tern-train](https://github.com/tern/tern-train) |\n",
                 "- Código de treinamento: [tern/tern-train](https://github.com/tern/tern-train), licença Apache 2.0.\n",
                 "- Код обучения: [tern/tern-train](https://github.com/tern/tern-train)\n"):
        f = probe(HEAD + line, "training_code", "Tern-1B")
        assert f.status in ("no_license", "open_license"), (line, f.evidence)
    other = ROWS + "| Training code | coming soon |\n"
    assert probe(HEAD + other, "training_code", "Tern-1B").status in ("documented_not_released", "not_found")


def test_a_row_labelled_as_the_data_pipeline_or_the_paper_links_it() -> None:
    prep = HEAD + ROWS + "| Data cleaning pipeline | [tern/tern-data](https://github.com/tern/tern-data) |\n"
    f = probe(prep, "preprocessing_code", "tern/Tern-1B")
    assert f.status == "no_license" and "tern-data" in cited(f), f.evidence
    for url in ("https://arxiv.org/abs/2503.01234", "https://tern.example.org/tern-paper.pdf"):
        paper = HEAD + ROWS + f"| Paper | [Tern: a reproducible model]({url}) |\n"
        assert probe(paper, "research_paper", "tern/Tern-1B").status == "no_license", url
    results = HEAD + "| Benchmark | Score |\n|---|---|\n| [MMLU](https://arxiv.org/abs/2009.03300) | 52.4 |\n"
    assert probe(results, "research_paper", "tern/Tern-1B").status == "not_found"


def test_russian_training_code_beside_the_publishers_repository() -> None:
    card = ("---\nlicense: mit\n---\n# sokol-3b\n\nМодель обучена на 8 видеокартах A100. Код обучения: "
            "[sokol-ai/sokol-train](https://github.com/sokol-ai/sokol-train).\n")
    assert probe(card, "training_code", "sokol-ai/sokol-3b").status in ("no_license", "open_license")
    assert probe(card, "training_code", "other/sokol-3b").status == "documented_not_released"


# -- architecture, checkpoints, data hosts ----------------------------------------------------------------------------------------

def test_blocks_and_width_describe_an_architecture() -> None:
    for words in ("A CTC model of 12 conformer blocks.", "A small ViT (12 blocks, width 384)."):
        assert probe(HEAD + words + "\n", "hardware_documented", "wren/Wren-1B").detail["architecture"] is True, words
    assert probe(HEAD + "Built in blocks of work.\n", "hardware_documented",
                 "wren/Wren-1B").detail["architecture"] is False


def test_checkpoints_in_a_field_and_a_speech_data_host() -> None:
    assert probe(HEAD + "- **Checkpoints:** every epoch, in [checkpoints/](checkpoints/)\n",
                 "intermediate_checkpoints", "wren/Wren-1B").status == "open_license"
    assert probe(HEAD + "- **Checkpoints:** the final one only\n", "intermediate_checkpoints",
                 "wren/Wren-1B").status == "not_found"
    data = HEAD + "Trained on [LibriSpeech](https://www.openslr.org/12).\n"
    assert probe(data, "datasets_released", "wren/Wren-1B").status == "no_license"


# -- a result measured on a held-out split, outside a results section -------------------------------------------------------

def test_a_result_sentence_that_names_its_held_out_split_is_read_anywhere() -> None:
    for words in ("Top-1 accuracy on the CIFAR-100 test set: 82.4%.", "F1 on our validation split: 0.91."):
        f = probe(HEAD + "- **Code:** see below\n\n" + words + "\n", "evaluation_results", "wren/Wren-1B")
        assert f.status == "open_license", (words, f.evidence)


def test_a_score_outside_a_results_section_that_names_no_split_is_still_not_read() -> None:
    for words in ("Top-1 accuracy on CIFAR-100: 82.4%.", "The score of Heron-7B on the test set was reported as 61.",
                  "We held out a test set of 2,000 reviews; accuracy went up by 3 points."):
        card = HEAD + "Our evaluation scripts are in the repository.\n\n" + words + "\n"   # (past the cheap look)
        assert probe(card, "evaluation_results", "wren/Wren-1B").status == "not_found", words


# -- the round's 25 cards -------------------------------------------------------------------------------------------------------
# The three left out on both paths (checkpoints_logs' data on the authors' own site, very_long's table whose metric
# stands in the line above it, split_prose's inference script linked only as a file name) are read since the eleventh
# round (docs/reviews.md, *Evidence review, eleventh round*). On the folder path only: russian's training code (the
# label stands mid-line and a plain folder has no namespace: leftover d of the eighth round) and checkpoints_logs'
# checkpoints (the mention rule does not check that the linked folder is there).
LEFT: set[tuple[str, str]] = set()
LEFT_FOLDER = {("russian", "training_code"), ("russian", "trainingcode"),
               ("checkpoints_logs", "intermediate_checkpoints")}


def _check(key: str, rec: object, left: set[tuple[str, str]], folder: bool) -> None:
    check_round_card(key, rec, evidence32_cards, left, folder)  # type: ignore[arg-type]


@pytest.mark.parametrize("key", sorted(CARDS))
def test_the_rounds_cards_are_graded_as_a_careful_reader_grades_them(key: str) -> None:
    model_id, text = CARDS[key]
    _check(key, from_text(model_id, text), LEFT, folder=False)


@pytest.mark.parametrize("key", sorted(CARDS))
def test_the_rounds_cards_read_the_same_from_a_folder(key: str, tmp_path: Path) -> None:
    model_id, text = CARDS[key]
    _check(key, card_folder_record(tmp_path, model_id, text), LEFT | LEFT_FOLDER, folder=True)
