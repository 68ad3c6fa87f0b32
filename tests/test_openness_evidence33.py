"""Evidence review, eleventh round (thirty-third session): cards openscope has not seen.

Every card here is written in the test's own words (never a copied card). Each rule has beside it the same words where
they must still be read as before. The round's 25 cards, with the expectation written before openscope was run on them,
are in ``evidence33_cards.py`` and run at the end (both paths: the card text and a folder holding it), so the next round
can run them again.
"""

from __future__ import annotations

from pathlib import Path

import evidence33_cards
import pytest
from card_probes import card_folder_record, check_round_card, cited, expected_value, probe
from evidence33_cards import CARDS

from openscope.derive.openness.assessment import assess_record
from openscope.derive.openness.probes import Finding
from openscope.derive.openness.records import from_folder, from_text

HEAD = "---\nlicense: mit\n---\n# Wren-1B\n\nA small model.\n\n"
NONE = "# Wren-1B\n\nA small model.\n\n"


def osai(text: str, model_id: str = "wren/Wren-1B") -> dict[str, str]:
    return assess_record(from_text(model_id, text), use_curated=False).osai


def status(text: str, name: str, model_id: str = "wren/Wren-1B") -> str:
    return probe(text, name, model_id).status


# -- the tenth round's leftover (d): a licence named without a version ---------------------------------------------------------

def test_cc_by_without_a_version_is_its_family_open_and_says_the_version_was_not_given() -> None:
    """"CC BY" was labelled CC-BY-4.0, a version the card never named (and "CC BY-SA" lost its ShareAlike): the id
    is now the family's (the catalogue's `cc-by`, `cc-by-sa`, "version not stated"), the status still open."""
    for words, lic in (("## License\n\nCC BY", "cc-by"), ("## License\n\nCC BY-SA", "cc-by-sa"),
                       ("Released under the Creative Commons Attribution license.", "cc-by"),
                       ("The weights are released under CC BY-SA.", "cc-by-sa")):
        f = probe(NONE + words + "\n", "license_declared")
        assert (f.status, f.license, f.detail.get("version")) == ("open_license", lic, "not given"), (words, f.detail)
        assert osai(NONE + words + "\n")["licenses"] == "open", words


def test_cc_by_with_its_version_keeps_the_version_and_sharealike() -> None:
    for words, lic in (("Released under CC BY 4.0.", "cc-by-4.0"), ("License: CC BY 3.0", "cc-by-3.0"),
                       ("Released under CC-BY-SA-4.0.", "cc-by-sa-4.0"),
                       ("Licensed under the Creative Commons Attribution-ShareAlike 4.0 license.", "cc-by-sa-4.0"),
                       ("Licensed under Creative Commons Attribution 4.0 International.", "cc-by-4.0")):
        f = probe(NONE + words + "\n", "license_declared")
        assert (f.status, f.license) == ("open_license", lic) and "version" not in f.detail, (words, f.license)
    both = probe(NONE + "Licensed under Creative Commons Attribution (CC BY 4.0).\n", "license_declared")
    assert both.detail["card_open"] == ["CC-BY-4.0"], both.detail   # the family is not named a second time
    assert status(NONE + "License: CC BY-NC\n", "license_declared") == "restrictive_license"


# -- licence words in six more languages -----------------------------------------------------------------------------------------

def test_a_licence_line_in_german_italian_portuguese_russian_vietnamese_and_arabic() -> None:
    for words in ("- **Lizenz:** MIT", "Licenza: MIT", "Licença: MIT", "Лицензия: MIT", "- Giấy phép: MIT",
                  "## الترخيص\n\nالترخيص: MIT"):
        f = probe(NONE + words + "\n", "license_declared")
        assert (f.status, f.license) == ("open_license", "mit"), (words, f.evidence)
    # the word alone names no licence
    assert status(NONE + "Die Lizenz steht noch nicht fest.\n", "license_declared") == "no_license"


# -- the tenth round's leftover (a): a results table captioned by its metric ------------------------------------------------

TABLE = "| Language | en→xx | xx→en |\n|---|---|---|\n| de | 61.0 | 64.2 |\n"


def test_a_table_under_a_caption_that_names_its_metric_is_results() -> None:
    for caption in ("chrF++ on FLORES-200 devtest:", "BLEU on our held-out news set:", "Word error rate (WER), %:"):
        f = probe(HEAD + "## Evaluation\n\n" + caption + "\n\n" + TABLE, "evaluation_results")
        assert f.status == "open_license" and caption[:4] in cited(f) and "61.0" in cited(f), (caption, f.evidence)


def test_a_caption_without_a_metric_or_outside_a_results_section_is_not_read() -> None:
    assert status(HEAD + "## Evaluation\n\nLanguages we cover:\n\n" + TABLE, "evaluation_results") == "not_found"
    assert status(HEAD + "## Languages\n\nchrF++ on FLORES-200 devtest:\n\n" + TABLE, "evaluation_results") == "not_found"
    elsewhere = HEAD + "## Evaluation\n\nSee the paper.\n\n## Languages\n\nchrF++ on FLORES-200 devtest:\n\n" + TABLE
    assert status(elsewhere, "evaluation_results") == "not_found"   # (a results section elsewhere in the card)
    words = TABLE.replace("61.0", "yes").replace("64.2", "no")
    assert status(HEAD + "## Evaluation\n\nchrF++ on FLORES-200 devtest:\n\n" + words, "evaluation_results") == "not_found"


def test_mos_chrf_and_comet_in_a_results_sentence() -> None:
    for words in ("MOS de 4,1 sobre 5 en una prueba con 30 oyentes.", "chrF++ of 54.2 on FLORES-200.",
                  "COMET: 0.861"):
        assert status(HEAD + "## Evaluación\n\n" + words + "\n", "evaluation_results") == "open_license", words
    assert status(HEAD + "A MOS test of 4,1 is planned.\n", "evaluation_results") == "not_found"


# -- the tenth round's leftover (b): data on its authors' own site ---------------------------------------------------------

def test_data_on_its_authors_site_in_a_data_field_or_a_trained_on_sentence_is_released() -> None:
    for words in ("- **Data:** [LJ Speech](https://keithito.com/LJ-Speech-Dataset/), 24 hours",
                  "- **Data:** [CIFAR-100](https://www.cs.toronto.edu/~kriz/cifar.html)",
                  "Trained on [Cityscapes](https://www.cityscapes-dataset.com/) fine annotations."):
        f = probe(HEAD + words + "\n", "datasets_released")
        assert (f.status, f.license) == ("no_license", None) and "](" in cited(f), (words, f.evidence)


def test_a_dataset_page_that_is_not_said_to_be_the_data_or_a_code_host_is_not_read() -> None:
    for words in ("For a related benchmark see [Cityscapes](https://www.cityscapes-dataset.com/).",
                  "- **Data:** [loader](https://github.com/wren/dataset-tools)",
                  "Read our [blog](https://wren.example.org/posts/launch).",
                  "Our lab also maintains [Cityscapes](https://www.cityscapes-dataset.com/).",
                  "We describe our data in a [blog post](https://wren.example.org/posts/data-notes)."):
        # (the labelled field still documents data: the data field rule below)
        assert status(HEAD + words + "\n", "datasets_released") in ("not_found", "documented_not_released"), words


def test_a_field_naming_the_data_documents_it_a_tutorials_sample_does_not() -> None:
    f = probe(HEAD + "We trained it with our fork. Training data: COCO train2017, 36 epochs.\n", "datasets_released")
    assert f.status == "documented_not_released" and "COCO" in cited(f), f.evidence
    demo = HEAD + "Training Data: `data/sample.json`. This sample data was drawn from a public set.\n"
    assert status(demo, "datasets_released") == "not_found"


def test_data_a_model_generated_is_documented() -> None:
    card = HEAD + "Wren-1B was distilled from Wren-70B on 2M traces that Wren-70B generated.\n"
    assert status(card, "datasets_released") == "documented_not_released"
    for other in ("Wren-1B models are fine-tuned based on open-source models, using samples generated by Wren-70B.",
                  "Wren-1B is fine-tuned on open models using samples generated by Wren-70B."):
        assert status(HEAD + other + "\n", "datasets_released") == "not_found", other
    section = HEAD + "## Dati di addestramento\n\nTesti di giornali italiani raccolti da noi, che non pubblichiamo.\n"
    assert status(section, "datasets_released") == "documented_not_released"


def test_trained_on_records_from_a_database_is_data_its_home_page_too() -> None:
    for words in ("Trained on chains from the [Protein Data Bank](https://www.rcsb.org/).",
                  "Trained on sequences from [UniProt](https://www.uniprot.org/)."):
        assert status(HEAD + words + "\n", "datasets_released") == "no_license", words
    assert status(HEAD + "Trained on images from [LAION](https://laion.ai/).\n", "datasets_released") == "not_found"
    base = HEAD + "It was fine-tuned from [wren/Wren-base](https://huggingface.co/datasets/wren/base-mix).\n"
    assert status(base, "datasets_released") == "not_found"   # "fine-tuned from [X]" still names a base


# -- the tenth round's leftover (c): an inference script by its file name ------------------------------------------------------

def test_an_inference_script_linked_by_its_file_name_or_in_the_file_list(tmp_path: Path) -> None:
    card = HEAD + "The inference code is in this repository ([generate.py](generate.py)).\n"
    f = probe(card, "inference_code")
    assert (f.status, f.license) == ("open_license", "mit") and "generate.py" in cited(f), f.evidence
    assert status(HEAD + "See [train.py](train.py).\n", "inference_code") == "not_found"
    for name in ("transcribe.py", "synthesize.py", "detect.py", "forecast.py"):
        folder = tmp_path / name.removesuffix(".py")
        folder.mkdir()
        (folder / "README.md").write_text(HEAD, encoding="utf-8")
        (folder / name).write_text("print('run')\n", encoding="utf-8")
        found = {g.probe: g for g in assess_record(from_folder(folder), use_curated=False).findings}
        assert found["inference_code"].status == "open_license", name


# -- papers, checkpoints, a fork, words ---------------------------------------------------------------------------------------------

def test_a_paper_label_that_names_its_venue_in_brackets() -> None:
    card = HEAD + "Paper (ICLR 2025): [Wren: a title](https://openreview.net/forum?id=Xk29pQe7Lm)\n"
    assert status(card, "research_paper") == "no_license"
    assert probe(card, "peer_reviewed_paper").outcome == "positive"
    for other in ("Compare with (ICLR 2025): [Other: a title](https://openreview.net/forum?id=Xk29pQe7Lm)",
                  "Papers that shaped our design: [Other: a title](https://openreview.net/forum?id=Xk29pQe7Lm)"):
        assert status(HEAD + "## Notes\n\n" + other + "\n", "research_paper") == "not_found", other


def test_checkpoints_by_revision_links_or_taken_during_training() -> None:
    for words in ("- [step-100k](https://huggingface.co/wren/Wren-1B/tree/step-100k)",
                  "We publish the checkpoints taken during training."):
        assert status(HEAD + words + "\n", "intermediate_checkpoints") == "open_license", words
    for words in ("- [main](https://huggingface.co/wren/Wren-1B/tree/main) holds the weights of the last step.",
                  "We publish the final checkpoint."):
        assert status(HEAD + words + "\n", "intermediate_checkpoints") == "not_found", words


def test_a_fork_or_branch_of_a_framework_that_trained_the_model_is_its_training_code() -> None:
    card = (HEAD + "We trained Wren-1B with our fork of MMDetection, branch `wren`: "
            "[wren/mmdetection](https://github.com/wren/mmdetection/tree/wren).\n")
    f = probe(card, "training_code", "wren/Wren-1B")
    assert f.status == "no_license" and "fork" in cited(f), f.evidence
    for words in ("We trained Wren-1B with [MMDetection](https://github.com/open-mmlab/mmdetection).",
                  "Fork [wren/mmdetection](https://github.com/wren/mmdetection/tree/wren) to add your own heads.",
                  "We trained Wren-1B on our cluster; the logs are in [wren/train](https://github.com/wren/train).\n\n"
                  "Forks welcome."):
        assert status(HEAD + words + "\n", "training_code") == "not_found", words


def test_german_blocks_and_a_vietnamese_training_code_field() -> None:
    assert probe(HEAD + "Ein Modell mit 12 Conformer-Blöcken.\n", "hardware_documented").detail["architecture"] is True
    field = HEAD + "- Mã huấn luyện: [wren/wren-train](https://github.com/wren/wren-train)\n"
    assert status(field, "training_code") == "no_license"


# -- the round's 25 cards -------------------------------------------------------------------------------------------------------
# Left (docs/reviews.md, *Evidence review, eleventh round*, "Left"): chat_aup's acceptable use policy beside a declared
# Apache-2.0 (a rule question: the declared tag grades the licence; the card's restrictive terms are read into the
# probe's detail, `card_restrictive`, and raise no flag).
LEFT = {("chat_aup", "license_declared"), ("chat_aup", "licenses")}


def _value(found: dict[str, Finding], name: str) -> object:
    if name == "peer":
        return found["peer_reviewed_paper"].outcome
    if name == "license_id":
        return found["license_declared"].license
    return expected_value(found, name)  # type: ignore[arg-type]


def _check(key: str, rec: object, folder: bool) -> None:
    check_round_card(key, rec, evidence33_cards, LEFT, folder, _value)  # type: ignore[arg-type]


@pytest.mark.parametrize("key", sorted(CARDS))
def test_the_rounds_cards_are_graded_as_a_careful_reader_grades_them(key: str) -> None:
    model_id, text = CARDS[key]
    _check(key, from_text(model_id, text), folder=False)


@pytest.mark.parametrize("key", sorted(CARDS))
def test_the_rounds_cards_read_the_same_from_a_folder(key: str, tmp_path: Path) -> None:
    model_id, text = CARDS[key]
    _check(key, card_folder_record(tmp_path, model_id, text), folder=True)
