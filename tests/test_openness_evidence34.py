"""Evidence review, twelfth round (thirty-fourth session): cards openscope has not seen.

Every card here is written in the test's own words (never a copied card). Each rule has beside it the same words where
they must still be read as before. The round's 25 cards, with the expectation written before openscope was run on them,
are in ``evidence34_cards.py`` and run at the end (both paths: the card text and a folder holding it), so the next round
can run them again.
"""

from __future__ import annotations

from pathlib import Path

import evidence34_cards
import pytest
from card_probes import card_folder_record, check_round_card, cited, expected_value, probe
from evidence34_cards import CARDS

from openscope.derive.openness.assessment import assess_record
from openscope.derive.openness.licensing import classify
from openscope.derive.openness.probes import Finding
from openscope.derive.openness.records import from_folder, from_text

HEAD = "---\nlicense: mit\n---\n# Wren-1B\n\nA small model.\n\n"
NONE = "# Wren-1B\n\nA small model.\n\n"
REPO = "[wren/wren-train](https://github.com/wren/wren-train)"
DATA = "[wren-corpus](https://huggingface.co/datasets/wren/wren-corpus)"


def osai(text: str, model_id: str = "wren/Wren-1B") -> dict[str, str]:
    return assess_record(from_text(model_id, text), use_curated=False).osai


def status(text: str, name: str, model_id: str = "wren/Wren-1B") -> str:
    return probe(text, name, model_id).status


# -- the eleventh round's leftover (a): "CC BY-NC" without a version -----------------------------------------------------------

def test_cc_by_nc_without_a_version_is_its_family_and_says_the_version_was_not_given() -> None:
    """"CC BY-NC" was labelled cc-by-nc-4.0, a version the card never named, and "CC BY-NC-SA" / "-ND" lost their
    ShareAlike and NoDerivatives: the id is now the family's (the catalogue's `cc-by-nc`, `cc-by-nc-sa`,
    `cc-by-nc-nd`, "version not stated"), the status still restrictive."""
    for words, lic in (("License: CC BY-NC", "cc-by-nc"), ("## License\n\nCC BY-NC-ND", "cc-by-nc-nd"),
                       ("Licença: CC BY-NC", "cc-by-nc"),
                       ("Released under the Creative Commons Attribution-NonCommercial-ShareAlike licence.",
                        "cc-by-nc-sa"),
                       ("Creative Commons Attribution-NonCommercial-NoDerivatives license", "cc-by-nc-nd"),
                       ("Released under the Creative Commons Attribution-NonCommercial license.", "cc-by-nc"),
                       ("Released under CC BY-NC-SA, for non-commercial use only.", "cc-by-nc-sa")):
        f = probe(NONE + words + "\n", "license_declared")
        assert (f.status, f.license, f.detail.get("version")) == ("restrictive_license", lic, "not given"), (words, f.detail)
        assert f.detail["card_restrictive"] == [lic], f.detail   # (the non-commercial catch-all is not named again)
        assert osai(NONE + words + "\n")["licenses"] == "closed", words
    # the families' catalogue entries carry their elements' facts
    assert classify("cc-by-nc-sa").cls == "non_commercial" and classify("cc-by-nc-nd").cls == "non_commercial"


def test_cc_by_nc_with_its_version_keeps_the_version_and_its_elements() -> None:
    for words, lic in (("Released under CC BY-NC-SA 4.0.", "cc-by-nc-sa-4.0"), ("License: CC BY-NC-ND 4.0", "cc-by-nc-nd-4.0"),
                       ("License: CC BY-NC 3.0", "cc-by-nc-3.0"), ("License: CC-BY-NC-4.0", "cc-by-nc-4.0"),
                       ("Licensed under Creative Commons Attribution-NonCommercial 4.0 International.", "cc-by-nc-4.0"),
                       ("[![License: CC BY-NC 4.0](https://img.shields.io/badge/License-CC%20BY--NC%204.0-lightgrey.svg)]"
                        "(https://creativecommons.org/licenses/by-nc/4.0/)", "cc-by-nc-4.0")):
        f = probe(NONE + words + "\n", "license_declared")
        assert (f.status, f.license) == ("restrictive_license", lic) and "version" not in f.detail, (words, f.detail)
    both = probe(NONE + "License: Creative Commons Attribution-NonCommercial (CC BY-NC 4.0)\n", "license_declared")
    assert both.detail["card_restrictive"] == ["CC-BY-NC-4.0"], both.detail   # the family is not named a second time
    # a non-commercial phrase that names no Creative Commons licence is non-commercial terms with no licence named
    # (`noncommercial-unnamed`, since the thirty-fourth session: it was cc-by-nc-4.0, a licence the card never
    # named), and a publisher's own non-commercial licence is its custom terms alone
    f = probe(NONE + "For non-commercial use only (license).\n", "license_declared")
    assert (f.status, f.license) == ("restrictive_license", "noncommercial-unnamed"), f.detail
    own = probe(NONE + "This model falls under the Heron Non-Commercial License.\n", "license_declared")
    assert own.detail["card_restrictive"] == ["other"], own.detail
    # custom terms beside a NonCommercial licence, outside its name, are still read
    beside = probe(NONE + "Released under CC BY-NC-SA; commercial use needs our commercial license.\n", "license_declared")
    assert beside.detail["card_restrictive"] == ["cc-by-nc-sa", "other"], beside.detail


# -- the eleventh round's leftover (b): "trained from scratch" names no base -------------------------------------------------

def test_trained_from_scratch_names_no_base_and_the_link_after_it_is_the_releases() -> None:
    """`ANOTHER`'s "trained … from" read "We trained X from scratch on [data](…)" as a base named, so every probe's
    `cited_link` set the link aside."""
    assert status(HEAD + f"We trained Wren from scratch on {DATA}.\n", "datasets_released") == "no_license"
    # "fine-tuned from [X]" still names a base, and "from" a model is still one
    assert status(HEAD + f"It was fine-tuned from {DATA}.\n", "datasets_released") == "not_found"
    assert status(HEAD + f"We trained Wren from {DATA}.\n", "datasets_released") == "not_found"


def test_the_code_of_a_sentence_that_says_the_model_was_trained_is_its_training_code() -> None:
    for words in (f"We trained Wren-1B from scratch; the code is {REPO}.",
                  f"We trained Wren-1B on our cluster; the code is {REPO}.",
                  f"Wren-1B was pretrained on 300B tokens, our code: {REPO}"):
        f = probe(HEAD + words + "\n", "training_code", "wren/Wren-1B")
        assert (f.status, f.license) == ("no_license", None) and "wren-train" in cited(f), (words, f.evidence)
    for words in (f"We trained Wren-1B from scratch; the logs are in {REPO}.",
                  f"Wren-1B was trained by Acme. The code is {REPO}.",
                  f"The code is {REPO}; we trained Wren-1B on it.",
                  f"We trained Wren-1B with the inference code at {REPO}.",
                  f"We trained Wren-1B; the code is based on {REPO}.",
                  f"We trained Wren-1B; the code is coming soon at {REPO}.",
                  f"<!-- We trained Wren-1B; the code is {REPO}. -->",
                  f"## Acknowledgements\n\nWe trained Wren-1B; the code is {REPO}."):
        assert status(HEAD + words + "\n", "training_code") in ("not_found", "documented_not_released"), words


# -- a dataset linked after a word of use, in a training sentence -----------------------------------------------------------------

def test_a_dataset_used_in_a_training_sentence_is_the_training_data() -> None:
    """"using [X]" cites a tool the release used; before a dataset, in a sentence that says the model was trained
    on it, it names the data (a Chinese card in traditional characters: "使用 [X] 資料集進行微調")."""
    for words in (f"Fine-tuned using the {DATA} dataset.", f"使用 {DATA} 資料集進行微調。",
                  f"使用 {DATA} 数据集进行训练。", f"We trained Wren from scratch using {DATA}."):
        f = probe(HEAD + words + "\n", "datasets_released")
        assert f.status == "no_license" and "wren-corpus" in cited(f), (words, f.evidence)
    for words in (f"We evaluate using {DATA}.", f"Models fine-tuned on it are compared with {DATA}.",
                  f"Fine-tuned based on {DATA}.", f"Use {DATA} to try the model."):
        assert status(HEAD + words + "\n", "datasets_released") == "not_found", words


# -- training items kept back -------------------------------------------------------------------------------------------------------

def test_items_the_model_was_trained_on_and_kept_back_are_documented() -> None:
    for words in ("A reward model trained on 120k pairs of answers. Neither the reward model nor the ranked pairs are "
                  "released.",
                  "Stage 2 tunes the model on 400k samples we wrote, which we do not release."):
        f = probe(HEAD + words + "\n", "datasets_released")
        assert f.status == "documented_not_released" and ("pairs" in cited(f) or "samples" in cited(f)), (words, f.evidence)
    for words in ("We trained it on 120k pairs of answers. The code is not released.",
                  "We trained it on 120k pairs of answers, all public.",
                  "We trained it on 120k pairs of answers.\n\nThe weights are not released.",
                  "Generate 4 samples. We did not share them."):
        assert status(HEAD + words + "\n", "datasets_released") == "not_found", words


# -- words: a Russian data section, Hindi results, a success rate, a multimodal model's parts ------------------------------

def test_a_russian_or_hindi_data_section_and_a_hindi_results_table() -> None:
    section = HEAD + "## Данные для обучения\n\n- Википедия (дамп 2024 года)\n- наши новости (не публикуются)\n"
    assert status(section, "datasets_released") == "documented_not_released"
    hindi = HEAD + "## प्रशिक्षण डेटा\n\nहमारे अपने समीक्षा डेटा पर प्रशिक्षित, जो प्रकाशित नहीं है।\n"
    assert status(hindi, "datasets_released") == "documented_not_released"
    table = "| परीक्षण सेट | सटीकता (%) |\n|---|---|\n| test | 91.2 |\n"
    f = probe(HEAD + "## परिणाम\n\n" + table, "evaluation_results")
    assert f.status == "open_license" and "91.2" in cited(f), f.evidence
    assert status(HEAD + "## परिणाम\n\n" + table.replace("91.2", "अच्छा"), "evaluation_results") == "not_found"


def test_a_success_rate_table_is_results() -> None:
    table = "| Setting | Success rate (%) |\n|---|---|\n| seen objects | 86 |\n"
    f = probe(HEAD + "## Results\n\n" + table, "evaluation_results")
    assert f.status == "open_license" and "86" in cited(f), f.evidence
    assert status(HEAD + "## Results\n\n" + table.replace("86", "high"), "evaluation_results") == "not_found"
    assert status(HEAD + "## Notes\n\n| Setting | Note |\n|---|---|\n| seen | 86 |\n", "evaluation_results") == "not_found"


def test_a_multimodal_models_parts_are_its_architecture() -> None:
    card = HEAD + "A SigLIP vision encoder, a two-layer MLP projector and a 7B language decoder.\n"
    assert probe(card, "hardware_documented").detail["architecture"] is True
    assert probe(HEAD + "Show the demo on a video projector.\n", "hardware_documented").detail["architecture"] is False


# -- the eleventh round's leftover (c): training logs ------------------------------------------------------------------------------

def test_training_logs_are_no_model_metadata_the_stated_hyperparameters_are(tmp_path: Path) -> None:
    """Decided: a W&B report or a TensorBoard log folder is no MOF component (Model metadata is "training
    configuration and optimizer states"; a log records curves, and a hosted report is no artefact released under a
    licence). The hyperparameters a card states are documented, as before."""
    logs = ("- Training curves: [W&B report](https://wandb.ai/wren/wren/reports/wren--Vmlldzo5)\n"
            "- TensorBoard logs: [runs/](https://huggingface.co/wren/Wren-1B/tree/main/runs)\n")
    for name in ("model_metadata", "training_code", "intermediate_checkpoints", "evaluation_results"):
        assert status(HEAD + logs, name) == "not_found", name
    f = probe(HEAD + "Trained with AdamW, learning rate 1e-3, batch size 4096.\n\n" + logs, "model_metadata")
    assert f.status == "documented_not_released" and "learning rate" in cited(f) and "wandb" not in cited(f), f.evidence
    folder = tmp_path / "wren"
    (folder / "runs" / "exp1").mkdir(parents=True)
    (folder / "README.md").write_text(HEAD + logs, encoding="utf-8")
    (folder / "runs" / "exp1" / "events.out.tfevents.1700000000.host.1.0").write_bytes(b"\x00")
    found = {g.probe: g for g in assess_record(from_folder(folder), use_curated=False).findings}
    assert found["model_metadata"].status == "not_found" and found["intermediate_checkpoints"].status == "not_found"


# -- the round's 25 cards -------------------------------------------------------------------------------------------------------
LEFT: set[tuple[str, str]] = set()


def _value(found: dict[str, Finding], name: str) -> object:
    if name == "peer":
        return found["peer_reviewed_paper"].outcome
    if name == "license_id":
        return found["license_declared"].license
    return expected_value(found, name)  # type: ignore[arg-type]


def _check(key: str, rec: object, folder: bool) -> None:
    check_round_card(key, rec, evidence34_cards, LEFT, folder, _value)  # type: ignore[arg-type]


@pytest.mark.parametrize("key", sorted(CARDS))
def test_the_rounds_cards_are_graded_as_a_careful_reader_grades_them(key: str) -> None:
    model_id, text = CARDS[key]
    _check(key, from_text(model_id, text), folder=False)


@pytest.mark.parametrize("key", sorted(CARDS))
def test_the_rounds_cards_read_the_same_from_a_folder(key: str, tmp_path: Path) -> None:
    model_id, text = CARDS[key]
    _check(key, card_folder_record(tmp_path, model_id, text), folder=True)
