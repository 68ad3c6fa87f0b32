"""Four misreadings of card text the openness probes had left (helper-cardscope2).

1. A released dataset beside a sentence that denies other training data: the set released is released, the denied
   corpus is not forgotten (the Datasets evidence shows both), and a denial in another clause of the sentence
   ("The pretraining corpus is not publicly available; we release only the SFT set at …") does not take the set's
   link for a promise.
2. Training data the card calls proprietary, internal, in-house, private, confidential or not disclosed is
   documented and not released, not unknown; a proprietary *licence* and a negated "proprietary" are no such data.
3. A heading "## Model (not released)" denies the model's weights, not every component its section names.
4. The snippet of a table row is that row: a table's next rows are not part of what it says.

The cards are written for this test (an invented "Acme Lynx" model); each case fails on the code before.
"""

from __future__ import annotations

import pytest
from card_readings import card_grades, card_record

from openscope.derive.openness.components import from_findings
from openscope.derive.openness.evaluations import osaid
from openscope.derive.openness.probes import Finding, run_all
from openscope.derive.openness.probes.datasets_released import denied_lines, heading_components
from openscope.derive.openness.records import DatasetRef, ModelRecord

HEAD = "# Lynx\n\nLynx answers questions.\n\n"
SFT = "https://huggingface.co/datasets/acme/sft"
WEB = "[acme/web](https://huggingface.co/datasets/acme/web)"
CODE = "[Code](https://github.com/acme/lynx-train)"
WEIGHTS = "[HF](https://huggingface.co/acme/lynx-7b)"
WEIGHTS_IDS = frozenset({"Model parameters (Final)", "Model parameters (Intermediate)"})


def _findings(rec: ModelRecord) -> dict[str, Finding]:
    return {f.probe: f for f in run_all(rec)}


def _read(body: str) -> dict[str, Finding]:
    return _findings(card_record(f"{HEAD}{body}\n"))


# -- 1. a released set beside a denied corpus -----------------------------------------------------------------------

@pytest.mark.parametrize("sentence", [
    f"The pretraining corpus is not publicly available; we release only the SFT set at {SFT}.",
    f"The pretraining corpus is not publicly available; we release only the SFT set at [acme/sft]({SFT}).",
    f"We do not release the pretraining corpus, but the SFT set is available at [acme/sft]({SFT}).",
    f"The pretraining corpus is not publicly available. We release the SFT set at [acme/sft]({SFT}).",
])
def test_a_released_set_beside_a_denied_corpus_is_released_and_both_are_shown(sentence: str) -> None:
    rec = card_record(f"{HEAD}## Training data\n\n{sentence}\n")
    found = _findings(rec)
    data = found["datasets_released"]
    assert (data.outcome, data.status) == ("positive", "no_license")
    assert data.evidence[0].locator == SFT
    withheld = [e for e in data.evidence[1:] if "not publicly available" in e.snippet
                or "not release the pretraining corpus" in e.snippet]
    assert withheld and withheld[0].locator.startswith("README.md#L7")
    assert data.detail["withheld"] == [withheld[0].snippet]
    fact = from_findings(list(found.values()))["Datasets"]
    assert fact.released and len(fact.evidence) >= 2
    # the denial of a corpus denies no code: the preprocessing code is neither released nor denied by it
    assert found["preprocessing_code"].status == "not_found"
    # some of the training data is released, the rest kept back: the index's data sources are partial
    assert card_grades(rec.card.text if rec.card else "")["datasources_endmodel"] == "partial"
    assert card_grades(f"{HEAD}## Training data\n\nWe release the SFT set at {SFT}.\n")["datasources_endmodel"] == "open"


def test_a_public_declared_dataset_beside_a_denied_corpus_shows_both() -> None:
    rec = card_record(f"{HEAD}## Training data\n\nThe pretraining corpus is proprietary and is not released.\n")
    rec.datasets = [DatasetRef("acme/sft", True, None, False, "cc-by-4.0")]
    data = _findings(rec)["datasets_released"]
    assert (data.outcome, data.status, data.license) == ("positive", "open_license", "cc-by-4.0")
    assert data.evidence[0].kind == "hub_metadata"
    assert any(e.kind == "card" and "proprietary" in e.snippet for e in data.evidence[1:])


@pytest.mark.parametrize("sentence", [
    f"The SFT set at [acme/sft]({SFT}) is not publicly available yet; we release the weights.",
    f"Coming soon; see [acme/sft]({SFT}).",
    f"The data is not released; it will be available at [acme/sft]({SFT}).",
])
def test_a_denial_in_the_links_own_clause_still_denies_it(sentence: str) -> None:
    data = _read(f"## Training data\n\n{sentence}")["datasets_released"]
    assert data.status == "documented_not_released"


@pytest.mark.parametrize(("sentence", "probe"), [
    (f"The weights are available at {WEIGHTS}, but the training data is not released.", "weights_released"),
    (f"The training code is available at {CODE}; the training data is not released.", "training_code"),
])
def test_a_denial_of_the_data_leaves_what_another_clause_releases(sentence: str, probe: str) -> None:
    found = _read(f"## Release\n\n{sentence}")
    assert (found[probe].outcome, found[probe].status) == ("positive", "no_license")
    assert found["datasets_released"].status == "documented_not_released"


def test_a_released_set_alone_shows_no_withheld_evidence() -> None:
    data = _read(f"## Training data\n\nWe release the SFT set at [acme/sft]({SFT}).")["datasets_released"]
    assert data.status == "no_license" and len(data.evidence) == 1 and "withheld" not in data.detail


# -- 2. proprietary training data is documented, not released -------------------------------------------------------

@pytest.mark.parametrize("line", [
    "- Training data: proprietary",
    "- **Training Data:** Internal",
    "- Training data: in-house (web pages and licensed books)",
    "- Pretraining corpus: confidential",
    "- Training data: not disclosed",
    "Lynx was pre-trained on an in-house corpus of 2T tokens.",
    "Lynx was fine-tuned on our own private dataset of support tickets.",
    "We trained Lynx on proprietary data collected by Acme.",
    "The training data is confidential.",
])
def test_proprietary_training_data_is_documented_not_released(line: str) -> None:
    text = f"{HEAD}## Details\n\n{line}\n"
    found = _findings(card_record(text))
    data = found["datasets_released"]
    assert (data.outcome, data.status) == ("negative", "documented_not_released")
    assert data.evidence[0].locator == "README.md#L7"
    assert osaid.evaluate(from_findings(list(found.values()))).requirements["data-information"] == "unmet"
    assert card_grades(text)["datasources_endmodel"] == "closed"


@pytest.mark.parametrize("line", [
    "Lynx is released under a proprietary license.",
    "- License: proprietary",
    "- Training data license: proprietary",
    "No proprietary data was used in training.",
    "The model was not trained on any proprietary data.",
    "Its training data is not proprietary.",
    "Do not paste confidential data into the prompt.",
    "Lynx was evaluated on an internal test set.",
    "Lynx keeps an internal representation of the dialogue.",
])
def test_a_proprietary_licence_or_a_negation_is_no_proprietary_data(line: str) -> None:
    data = _read(f"## Details\n\n{line}")["datasets_released"]
    assert data.status == "not_found", data.evidence


@pytest.mark.parametrize(("line", "status"), [
    ("- 训练数据：私有", "documented_not_released"),
    ("模型在内部数据上进行了预训练。", "documented_not_released"),
    ("训练数据暂不公开。", "documented_not_released"),
    ("- 学習データ：非公開", "documented_not_released"),
    ("Lynxは社内データで学習しました。", "documented_not_released"),
    ("- 학습 데이터: 비공개", "documented_not_released"),
    ("Lynx는 내부 데이터로 학습되었습니다.", "documented_not_released"),
    ("我们未使用任何私有数据进行训练。", "not_found"),
    ("请勿输入保密数据。", "not_found"),
    ("社内データは学習に使用していません。", "not_found"),
])
def test_proprietary_training_data_in_chinese_japanese_and_korean(line: str, status: str) -> None:
    data = _read(f"## 详情\n\n{line}")["datasets_released"]
    assert data.status == status, data.evidence
    assert status == "not_found" or data.evidence[0].snippet.endswith(line.lstrip("- ")[-4:])


def test_a_chinese_released_set_beside_a_denied_corpus_is_released() -> None:
    found = _read(f"## 训练数据\n\n预训练语料未公开；我们发布了 SFT 数据集 [acme/sft]({SFT})。")["datasets_released"]
    assert found.status == "no_license" and found.evidence[0].locator == SFT
    assert "未公开" in found.evidence[1].snippet


def test_proprietary_pretraining_data_beside_a_released_set_shows_both() -> None:
    data = _read(f"## Details\n\nLynx was pre-trained on proprietary data and fine-tuned on {WEB}.")["datasets_released"]
    assert data.status == "no_license" and "datasets/acme/web" in data.evidence[0].locator
    assert "proprietary data" in data.evidence[1].snippet


def test_internal_datasets_under_a_training_data_label_are_withheld_beside_a_released_set() -> None:
    found = _read(f"## Training\n\n**Training Data:**\n\n1.2B image-text pairs from {WEB} and a few internal datasets")
    data = found["datasets_released"]
    assert data.status == "no_license" and data.evidence[1].locator == "README.md#L9"
    assert "internal datasets" in data.evidence[1].snippet


# -- 3. a heading denies what it names ------------------------------------------------------------------------------

@pytest.mark.parametrize("title", ["Model (not released)", "The model (coming soon)", "Models: not public yet",
                                   "Model files (not released)"])
def test_a_heading_naming_the_model_denies_its_weights(title: str) -> None:
    assert heading_components(title) == WEIGHTS_IDS
    rec = card_record(f"{HEAD}## {title}\n\nThe training code is at {CODE}.\n\nWe trained on {WEB}.\n\n"
                      f"Weights: {WEIGHTS}\n\n| Benchmark | Score |\n|---|---|\n| MMLU | 61.2 |\n")
    found = _findings(rec)
    assert (found["training_code"].outcome, found["training_code"].status) == ("positive", "no_license")
    assert found["datasets_released"].status == "no_license"
    assert found["evaluation_results"].outcome == "positive"
    assert found["weights_released"].status != "no_license"
    assert 11 in denied_lines(rec, "Model parameters (Final)") and 11 not in denied_lines(rec, "Training code")


@pytest.mark.parametrize("title", ["模型（未开源）", "モデル（非公開）", "모델 (비공개)"])
def test_a_cjk_heading_naming_the_model_denies_its_weights(title: str) -> None:
    assert heading_components(title) == WEIGHTS_IDS


@pytest.mark.parametrize("title", ["Reward model (not released)", "Draft models: not public", "Not released",
                                   "奖励模型（未开源）"])
def test_a_heading_naming_another_model_or_nothing_reads_as_before(title: str) -> None:
    assert heading_components(title) in (frozenset(), None)


def test_a_heading_promising_the_training_code_denies_only_it() -> None:
    found = _read(f"## Training code (coming soon)\n\n- Paper: [arXiv](https://arxiv.org/abs/2401.00001)\n"
                  f"- Weights: {WEIGHTS}\n- Data: {WEB}\n\nThe training code is at {CODE}.")
    assert found["training_code"].status == "documented_not_released"
    assert found["research_paper"].status == "no_license"
    assert found["weights_released"].status == "no_license"
    assert found["datasets_released"].status == "no_license"


# -- 4. a table row's snippet is its own row ------------------------------------------------------------------------

RESULTS = "## Evaluation\n\n| Benchmark | Score |\n|---|---|\n| MMLU | 61.2 |\n| GSM8K | 40.1 |\n| HumanEval | 30.5 |"


def test_a_benchmark_rows_snippet_is_its_row() -> None:
    ev = _read(RESULTS)["evaluation_data"].evidence[0]
    assert (ev.snippet, ev.locator) == ("| MMLU | 61.2 |", "README.md#L9")


def test_a_results_tables_snippet_is_its_header_and_first_result_row() -> None:
    ev = _read(RESULTS)["evaluation_results"].evidence[0]
    assert ev.snippet == "[Evaluation] | Benchmark | Score | |---|---| | MMLU | 61.2 |"
    assert ev.locator == "README.md#L7-L9"


def test_a_crossed_rows_snippet_is_its_row() -> None:
    found = _read(f"## Release\n\n| Component | Status |\n|---|---|\n| Training code | ✗ |\n| Training data | {WEB} |")
    code = found["training_code"]
    assert code.status == "documented_not_released"
    assert code.evidence[0].snippet == "| Training code | ✗ |" and code.evidence[0].locator == "README.md#L9"
    assert found["datasets_released"].status == "no_license"


def test_a_row_mention_in_a_table_without_outer_pipes_is_its_row() -> None:
    ev = _read("## Evaluation\n\nBenchmark | Score\n--- | ---\nMMLU | 61.2\nGSM8K | 40.1")["evaluation_data"].evidence
    assert ev and ev[0].snippet == "MMLU | 61.2"


# -- 4b. a list item's snippet is its own item ----------------------------------------------------------------------

def test_a_list_items_snippet_is_its_item() -> None:
    found = _read("## Training\n\n- **Hardware:** 8 A100 GPUs\n- **Optimizer:** AdamW\n- **Learning rate:** 2e-5")
    hw = found["hardware_documented"].evidence[0]
    assert hw.snippet.endswith("**Hardware:** 8 A100 GPUs") and hw.locator == "README.md#L7"
    assert found["model_metadata"].evidence[0].snippet.endswith("**Optimizer:** AdamW")


def test_a_list_items_snippet_keeps_its_continuation_and_sub_items() -> None:
    found = _read("## Training\n\n- Hardware: we trained on\n  64 H100 GPUs for two weeks\n  - in one cluster\n"
                  "- Optimizer: AdamW")
    hw = [e for e in found["hardware_documented"].evidence if "H100" in e.snippet]
    assert hw and "in one cluster" in hw[0].snippet and "Optimizer" not in hw[0].snippet


def test_a_paragraph_under_a_heading_after_a_list_is_no_item() -> None:
    from openscope.derive.openness.cards import list_item_end

    text = "- weights\n## Training\nWe trained on 8 A100 GPUs.\n- Optimizer: AdamW\n"
    assert list_item_end(text, text.index("A100")) == len(text)
    assert list_item_end(text, text.index("weights")) == text.index("\n")
