"""A card's denial says exactly what it denies, and a snippet quotes exactly its paragraph (helper-cardscope).

1. A list after a denying lead denies only what the lead or each item names: a lead that denies using ("The
   following were not used in training:") says what the model was not trained on, not that an evaluation set it
   lists is withheld; a lead that names what it denies ("The following datasets were not used:") denies that
   component, not the training code an item names; a lead that denies a release ("We do not release:") denies
   what each item names (and a whole item with a link, or one naming nothing).
2. A denying heading that names what is no MOF component ("## Tokenizer (not released)", "## Reward model: not
   released", "## 分词器（未开源）") denies none of the components under it.
3. A snippet of the evaluation-results and training-configuration readers stops at its paragraph.

The cards are written for this test (an invented "Acme Lynx" model); each case fails on the code before.
"""

from __future__ import annotations

import pytest
from card_readings import card_record

from openscope.derive.openness.probes import Finding, run_all
from openscope.derive.openness.probes.datasets_released import denied_lines, heading_components

CODE = "[Code](https://github.com/acme/lynx)"
DATA = "[acme/web](https://huggingface.co/datasets/acme/web)"


def _findings(body: str) -> dict[str, Finding]:
    return {f.probe: f for f in run_all(card_record(f"# Lynx\n\nLynx answers questions.\n\n{body}\n"))}


def _graded(f: Finding) -> tuple[str, str]:
    return f.outcome, f.status


# -- 1. a denying list lead denies what it and its items name -------------------------------------------------------

@pytest.mark.parametrize("body", [
    "The following were not used in training:\n- the evaluation set MMLU, released under the MIT license",
    "The following were not used in training:\n- the evaluation set MMLU ([data](https://huggingface.co/datasets/cais/mmlu))",
    "以下数据未用于训练：\n- 评测集 MMLU",
])
def test_a_lead_that_denies_use_leaves_the_evaluation_set_it_lists(body: str) -> None:
    ev = _findings(body)["evaluation_data"]
    assert ev.outcome == "positive" and "MMLU" in ev.evidence[0].snippet


def test_a_use_lead_still_denies_the_items_as_training_data() -> None:
    found = _findings(f"The following were not used in training:\n- {DATA}")
    assert found["datasets_released"].outcome == "negative"


def test_a_lead_naming_datasets_leaves_the_training_code_an_item_names() -> None:
    found = _findings(f"The following datasets were not used:\n- {DATA}\n- training code: {CODE}")
    assert _graded(found["training_code"]) == ("positive", "no_license")
    assert found["datasets_released"].outcome == "negative"


def test_a_release_lead_denies_what_each_item_names() -> None:
    text = (f"# Lynx\n\nLynx answers.\n\nWe do not release:\n- the training code\n- the evaluation harness\n"
            f"- [X]({'https://github.com/acme/x'})\n")
    rec = card_record(text)
    assert 6 in denied_lines(rec, "Training code") and 6 not in denied_lines(rec, "Datasets")
    assert 7 in denied_lines(rec, "Evaluation code") and 7 not in denied_lines(rec, "Training code")
    assert 8 in denied_lines(rec, "Training code") and 8 in denied_lines(rec, "Datasets")   # a linked item: whole


def test_a_release_lead_naming_no_component_denies_none() -> None:
    rec = card_record("# Lynx\n\nLynx answers.\n\nWe do not release the following tokenizer files:\n"
                      "- the merges file\n")
    assert denied_lines(rec, "Training code") == frozenset() and denied_lines(rec, "Datasets") == frozenset()


def test_a_release_lead_naming_datasets_denies_them() -> None:
    found = _findings(f"The following datasets were not released:\n- our web crawl {DATA}\n\nTraining code: {CODE}")
    assert found["datasets_released"].outcome == "negative"
    assert _graded(found["training_code"]) == ("positive", "no_license")


# -- 2. a denying heading that names what is no component -----------------------------------------------------------

@pytest.mark.parametrize("title", ["Tokenizer (not released)", "Reward model: not released", "分词器（未开源）",
                                   "The reward model is not public"])
def test_a_heading_naming_no_component_denies_none(title: str) -> None:
    assert heading_components(title) == frozenset()
    found = _findings(f"## {title}\n\nThe training code is available at {CODE}.\n\nWe trained on {DATA}.")
    assert _graded(found["training_code"]) == ("positive", "no_license")
    assert found["datasets_released"].outcome == "positive"


@pytest.mark.parametrize(("title", "names"), [
    ("Not released", None),
    ("Not released yet", None),
    ("Components (not public)", None),
    ("What we do not release", None),
    ("暂未开源", None),
    ("Evaluation results (not released)", {"Evaluation results"}),
    ("Supporting libraries (not released)", {"Supporting libraries and tools"}),
])
def test_what_a_heading_names(title: str, names: set[str] | None) -> None:
    assert heading_components(title) == (None if names is None else frozenset(names))


def test_a_heading_naming_nothing_still_denies_all() -> None:
    found = _findings(f"## Not released\n\nThe training code is available at {CODE}.")
    assert _graded(found["training_code"]) == ("negative", "documented_not_released")


# -- 3. snippets stop at their paragraph ----------------------------------------------------------------------------

def test_a_results_row_snippet_stops_at_its_paragraph() -> None:
    ev = _findings("## Evaluation\n\n| MMLU | 61.2 |\n\nOur data licence is CC-BY-NC-4.0.")["evaluation_results"]
    assert ev.evidence[0].snippet == "[Evaluation] | MMLU | 61.2 |"
    assert ev.evidence[0].locator.endswith("#L7")


def test_a_metric_line_snippet_stops_at_its_paragraph() -> None:
    ev = _findings("## Evaluation results\n\n- accuracy: 0.91\n\nSee [our paper](https://arxiv.org/abs/2401.00001).")
    assert ev["evaluation_results"].evidence[0].snippet == "[Evaluation results] - accuracy: 0.91"


def test_a_training_config_snippet_stops_at_its_paragraph() -> None:
    found = _findings("```yaml\nbase_model: acme/base\ndatasets:\n  - path: acme/chat\n\nlearning_rate: 0.0002\n```")
    ev = found["datasets_released"].evidence[0]
    assert ev.snippet == "- path: acme/chat" and ev.locator.endswith("#L8")


def test_a_training_command_snippet_stops_at_its_paragraph() -> None:
    found = _findings("```bash\npython train.py --dataset_name acme/chat\n\npython eval.py\n```")
    assert found["datasets_released"].evidence[0].snippet == "python train.py --dataset_name acme/chat"
    assert "eval.py" not in found["training_code"].evidence[0].snippet
