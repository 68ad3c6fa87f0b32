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


# -- 4. more forms a card denies in (helper-cardscope's own cards) --------------------------------------------------

@pytest.mark.parametrize("body", [
    f"| Artefact | Released |\n|---|---|\n| Weights | ✓ |\n| Training code | ✗ |\n\nCode: {CODE}",
    f"- ❌ Training code\n- ✅ Weights\n\nCode: {CODE}",
    f"| Component | Status |\n|---|---|\n| Training code | Not released |\n\nCode: {CODE}",
    f"| Training code | :x: |\n\nCode: {CODE}",
])
def test_a_cross_beside_a_component_denies_it(body: str) -> None:
    found = _findings(body)
    assert _graded(found["training_code"]) == ("negative", "documented_not_released")
    assert found["architecture_code"].outcome == "positive"     # the cross denies what its line names, no more


def test_a_cross_in_a_row_naming_no_component_denies_nothing() -> None:
    found = _findings(f"| Model | Open |\n|---|---|\n| Other | ✗ |\n\nThe training code is available at {CODE}.")
    assert _graded(found["training_code"]) == ("positive", "no_license")


@pytest.mark.parametrize("row", ["| Weights ✓ | Training code ✗ |", "Open-sourced: weights ✅, training code ❌"])
def test_a_line_with_tick_and_cross_is_read_part_by_part(row: str) -> None:
    rec = card_record(f"# Lynx\n\nLynx answers.\n\n{row}\n")
    assert 5 in denied_lines(rec, "Training code") and 5 not in denied_lines(rec, "Model parameters (Final)")


def test_excluded_from_this_release_denies_the_release() -> None:
    found = _findings(f"Excluded from this release:\n- training code\n\nInference code: {CODE}")
    assert _graded(found["training_code"]) == ("negative", "documented_not_released")


@pytest.mark.parametrize("body", [
    f"No training code is released.\n\nInference: {CODE}",
    f"- Training code: N/A\n- Inference code: {CODE}",
    f"We trained on {DATA}. The training data is released, but the training code is not.\n\nCode: {CODE}",
])
def test_other_ways_of_saying_no(body: str) -> None:
    assert _graded(_findings(body)["training_code"]) == ("negative", "documented_not_released")


def test_an_affirmed_clause_before_a_denied_one_stays_released() -> None:
    found = _findings(f"We release the training code ({CODE}), but not the training data.")
    assert _graded(found["training_code"]) == ("positive", "no_license")


def test_a_footnote_that_denies_reaches_its_line() -> None:
    found = _findings(f"Training code: {CODE}[^1]\n\n[^1]: Not yet released.")
    train = found["training_code"]
    assert _graded(train) == ("negative", "documented_not_released")
    assert train.evidence[-1].snippet == "[^1]: Not yet released." and train.evidence[-1].locator.endswith("#L7")


def test_a_footnote_that_says_something_else_leaves_its_line() -> None:
    found = _findings(f"Training code: {CODE}[^1]\n\n[^1]: Tested with Python 3.11.")
    assert _graded(found["training_code"]) == ("positive", "no_license")


@pytest.mark.parametrize("body", [
    "The training code is available upon request.",
    "The training code is shared on reasonable request.",
    "训练代码可申请获取。",
])
def test_on_request_is_no_release(body: str) -> None:
    found = _findings(f"{body}\n\nCode: {CODE}")
    assert _graded(found["training_code"]) == ("negative", "documented_not_released")


@pytest.mark.parametrize("body", [
    f"- ~~Training code: {CODE}~~ (withdrawn)",
    f"- <del>Training code: {CODE}</del>",
])
def test_struck_through_text_says_nothing(body: str) -> None:
    found = _findings(body)
    assert found["training_code"].status == "not_found"
    assert found["architecture_code"].status == "not_found"


def test_a_details_block_whose_summary_denies() -> None:
    found = _findings(f"<details><summary>Not released</summary>\n\n- training code: {CODE}\n\n</details>\n\n"
                      f"We trained on {DATA}.")
    train = found["training_code"]
    assert _graded(train) == ("negative", "documented_not_released")
    assert train.evidence[-1].snippet == "<details><summary>Not released</summary>"
    assert found["datasets_released"].outcome == "positive"       # after </details>: no longer denied


def test_a_details_block_whose_summary_names_no_component() -> None:
    found = _findings(f"<details><summary>Tokenizer (not released)</summary>\n\nTraining code: {CODE}\n\n</details>")
    assert _graded(found["training_code"]) == ("positive", "no_license")


@pytest.mark.parametrize("lead", [
    "以下のデータセットは学習に使用していません：",
    "다음 데이터셋은 학습에 사용하지 않았습니다:",
    "以下は公開していません：",
    "다음은 공개하지 않습니다:",
])
def test_a_japanese_or_korean_lead_denies_its_list(lead: str) -> None:
    found = _findings(f"Lynx는 / Lynxは.\n\n{lead}\n- {DATA}")
    assert found["datasets_released"].outcome == "negative"


@pytest.mark.parametrize(("title", "names"), [
    ("学習データ（非公開）", {"Datasets"}),
    ("비공개", None),
    ("トークナイザー（非公開）", set()),
    ("토크나이저 (비공개)", set()),
])
def test_japanese_and_korean_headings(title: str, names: set[str] | None) -> None:
    assert heading_components(title) == (None if names is None else frozenset(names))


@pytest.mark.parametrize("body", [
    f"The training code is not closed: it is at {CODE}.",
    f"> **Note**: the training code is open-source: {CODE}",
])
def test_a_negated_denial_and_a_quote_still_release(body: str) -> None:
    assert _graded(_findings(body)["training_code"]) == ("positive", "no_license")


@pytest.mark.parametrize("title", ["学習データ（非公開）", "학습 데이터 (비공개)", "非公開"])
def test_a_japanese_or_korean_heading_denies_what_it_names(title: str) -> None:
    found = _findings(f"## {title}\n\n- {DATA}")
    assert found["datasets_released"].outcome == "negative"


@pytest.mark.parametrize("lead", ["We are not able to release the following:", "We can't share the following:"])
def test_a_lead_that_denies_in_other_words_denies_the_release(lead: str) -> None:
    found = _findings(f"{lead}\n- training code\n- data processing scripts")
    assert _graded(found["training_code"]) == ("negative", "documented_not_released")
    assert _graded(found["preprocessing_code"]) == ("negative", "documented_not_released")


@pytest.mark.parametrize("under", ["Not released.", "Coming soon.", "Available upon request."])
def test_a_heading_mention_is_said_by_its_first_sentence(under: str) -> None:
    found = _findings(f"## Training code\n\n{under}\n\nCode: {CODE}")
    train = found["training_code"]
    assert _graded(train) == ("negative", "documented_not_released")
    assert train.evidence[0].snippet == f"## Training code {under}"


def test_a_heading_mention_whose_paragraph_releases_is_released() -> None:
    found = _findings(f"## Training code\n\nOur training code is at {CODE}. Inference code is not yet released.")
    assert _graded(found["training_code"]) == ("positive", "no_license")


def test_a_quoted_list_after_a_quoted_lead_is_denied() -> None:
    found = _findings(f"> The following are not released:\n>\n> - training code\n> - data processing scripts\n\n"
                      f"Code: {CODE}")
    prep = found["preprocessing_code"]
    assert _graded(prep) == ("negative", "documented_not_released")
    assert prep.evidence[-1].snippet == "> The following are not released:"
    assert _graded(found["training_code"]) == ("negative", "documented_not_released")


@pytest.mark.parametrize(("body", "probe", "snippet"), [
    ("## Evaluation\n| MMLU | 61.2 |\n## Limitations\nIt may err on long inputs.", "evaluation_results",
     "[Evaluation] | MMLU | 61.2 |"),
    ("## Evaluation\n- accuracy: 0.91\n## Training data\nWe trained on web text.", "evaluation_results",
     "[Evaluation] - accuracy: 0.91"),
    ("## Training\n```\ntorchrun train.py --dataset_name acme/chat\n```\n## Evaluation\n| MMLU | 61.2 |",
     "datasets_released", "torchrun train.py --dataset_name acme/chat"),
])
def test_a_heading_or_a_fence_ends_a_snippet_too(body: str, probe: str, snippet: str) -> None:
    assert _findings(body)[probe].evidence[0].snippet == snippet


@pytest.mark.parametrize("title", ["Training data (will be released)", "Training data (coming soon)",
                                   "训练数据（即将开源）", "学習データ（公開予定）", "Coming soon", "TBD"])
def test_a_heading_that_promises_denies_for_now(title: str) -> None:
    found = _findings(f"## {title}\n\n- {DATA}")
    assert found["datasets_released"].outcome == "negative"
    if title not in ("Coming soon", "TBD"):     # a heading that names the data is its (unreleased) data section
        assert found["datasets_released"].status == "documented_not_released"


def test_an_evaluation_sets_licence_covers_data() -> None:
    from card_readings import licence_scopes
    assert licence_scopes("- the evaluation set MMLU, released under the MIT license") == [("MIT", ["data"])]
    assert licence_scopes("The model is released under the MIT license.") == [("MIT", ["weights"])]


@pytest.mark.parametrize("body", [
    f"We release everything except: training code.\n\nCode: {CODE}",
    f"We release the weights and the data, but not the training code.\n\nCode: {CODE}",
    f"All components are open-sourced other than the training code.\n\nCode: {CODE}",
])
def test_what_a_release_excepts_is_not_released(body: str) -> None:
    assert _graded(_findings(body)["training_code"]) == ("negative", "documented_not_released")


@pytest.mark.parametrize("body", [
    f"We release the training code ({CODE}) and everything else except the data.",
    f"Everything is open except the data, and the training code is at {CODE}.",
])
def test_what_a_release_does_not_except_stays_released(body: str) -> None:
    assert _graded(_findings(body)["training_code"]) == ("positive", "no_license")


def test_a_struck_through_denial_on_the_line_says_nothing() -> None:
    found = _findings(f"~~The training code is not released.~~ The training code is available at {CODE}.")
    train = found["training_code"]
    assert _graded(train) == ("positive", "no_license")
    assert train.evidence[-1].locator == "https://github.com/acme/lynx"      # the link is the release's code too
    assert found["architecture_code"].outcome == "positive"


@pytest.mark.parametrize("sentence", [
    "The training code is no longer available.",
    "We cannot release the training code.",
    "The training code is kept private.",
    "The training code remains closed-source.",
])
def test_more_ways_of_withholding(sentence: str) -> None:
    found = _findings(f"{sentence}\n\nCode: {CODE}")
    assert _graded(found["training_code"]) == ("negative", "documented_not_released")
    snippet = found["training_code"].evidence[0].snippet
    assert snippet in sentence and snippet.startswith(("The training code", "cannot"))   # the denying words quoted
