"""Card readings that were wrong even where they agreed with the experts (helper-cardread2), each by a general rule.

1. "mamba" the package manager ("Install mamba in the base environment", ``mamba env create``, ``conda install
   mamba``, micromamba, ``pip install mamba-ssm``) is not the Mamba architecture: a setup step says how to prepare
   the reader's machine, not what the model is made of.
2. A Hub (or mirror) model link that a sentence marks as the model the release was made from ("We fine-tuned
   [X](…) on our data", "continued pre-training of [X](…)", "在[X](…)的基础上", "[X](…)をベースに", "[X](…)를
   기반으로") is the base's weights, wherever the card links it, as a declared base's link is.
3. A denial before a list ("We did not use the following datasets:" then "- [X](…)" items) and a "no" that denies
   a name ("No [X](…) data was used", "no data from [X](…)") deny the datasets named.

The cards are written for this test (an invented "Acme Lynx" model). Each right form fails on the code before;
the wrong forms beside them are the cases a careless rule would get wrong.
"""

from __future__ import annotations

import pytest
from card_readings import card_findings, card_record

from openscope.derive.openness.probes.hardware_documented import architecture
from openscope.derive.openness.probes.weights_released import marked_base_ids

# -- 1. mamba the package manager ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "Install mamba in the `base` environment so it's available in all environments.",
    "```shell\nconda install mamba -n base -c conda-forge\n```",
    "```\nmamba env create -f environment.yml\n```",
    "> Use `mamba` to create the environment. It's much faster than conda.",
    "Run mamba install -c conda-forge pytorch first.",
    "Then mamba env create -f env.yml builds everything.",
    "pip install mamba-ssm causal-conv1d",
    "Mamba is a faster drop-in for conda.",
    "Set up with mamba: mamba create -n lynx python=3.11",
    "We recommend micromamba or Mamba for the environment.",
])
def test_mamba_the_package_manager_is_no_architecture(text: str) -> None:
    card = f"# Lynx\n\nLynx answers questions.\n\n## Setup\n\n{text}\n"
    assert architecture(card_record(card)) is None
    assert card_findings(card)["hardware_documented"][0] == "negative"


@pytest.mark.parametrize("text", [
    "Lynx is a Mamba language model.",
    "The backbone interleaves Mamba blocks with MLPs.",
    "Lynx uses the Mamba architecture.",
])
def test_mamba_the_architecture_is_read(text: str) -> None:
    ev = architecture(card_record(f"# Lynx\n\n{text}\n"))
    assert ev is not None and "Mamba" in ev.snippet


def test_the_architecture_after_a_mamba_setup_step_is_still_found() -> None:
    # the tool's mention is passed over, and the description further down is the evidence
    card = ("# Lynx\n\nInstall mamba in the base environment.\n\n## Model\n\n"
            "Lynx has 32 layers and was trained on 64 A100 GPUs.\n")
    ev = architecture(card_record(card))
    assert ev is not None and "32 layers" in ev.snippet and "mamba" not in ev.snippet and ev.locator.endswith("#L7")
    assert card_findings(card)["hardware_documented"][0] == "positive"


# -- 2. a base model linked in a sentence -------------------------------------------------------------------------

Q = "[Qwen2-7B](https://huggingface.co/Qwen/Qwen2-7B)"
QM = "[Qwen2-7B](https://modelscope.cn/models/Qwen/Qwen2-7B)"
OWN = "[Lynx-7B](https://huggingface.co/acme/Lynx-7B)"


def _weights(text: str) -> str:
    return card_findings(f"# Lynx\n\nLynx answers questions.\n\n{text}\n")["weights_released"][0]


@pytest.mark.parametrize("sentence", [
    f"We fine-tuned {Q} on our data.",
    f"We further fine-tune {Q} with DPO.",
    f"We fine-tuned {QM} on our data.",                    # a mirror's link is the same model
    f"We continued pre-training of {Q} on 100B tokens.",
    f"Continual pretraining on {Q} gives Lynx.",
    f"Lynx was fine-tuned on top of {Q}.",
    f"Lynx was fine-tuned on {Q} with LoRA.",
    f"The weights were initialised with {Q}.",
    f"Starting from {Q}, we trained on chat data.",
    f"Lynx is a {Q}-based chat model.",
    f"Both models are trained on top of {Q} and [Qwen2-1.5B](https://huggingface.co/Qwen/Qwen2-1.5B).",
    f"我们在{Q}的基础上进行了继续预训练。",
    f"以{Q}为基座，使用指令数据微调。",
    f"在{Q}上进行了全量微调。",
    f"我們在{Q}的基礎上進行了繼續預訓練。",                  # traditional: 基礎 reads 基础
    f"{Q}をベースに学習しました。",
    f"{Q}ベースのモデルです。",
    f"{Q}を追加学習しました。",
    f"{Q}를 기반으로 학습했습니다.",
    f"{Q} 기반 모델입니다.",
    f"{Q}를 파인튜닝했습니다.",
])
def test_a_link_the_sentence_marks_as_the_base_is_not_the_release(sentence: str) -> None:
    assert _weights(sentence) == "negative"


def test_a_marked_base_is_the_base_wherever_it_is_linked() -> None:
    # the base named in prose and linked again in a table: the table's link is the base's weights too
    text = f"We fine-tuned {Q} on our data.\n\n| Model | Link |\n|---|---|\n| Qwen2-7B | [HF](https://huggingface.co/Qwen/Qwen2-7B) |"
    assert _weights(text) == "negative"
    assert marked_base_ids(card_record(f"# Lynx\n\n{text}\n")) == {"qwen/qwen2-7b"}


@pytest.mark.parametrize("sentence", [
    f"We release {OWN}, fine-tuned from Qwen2-7B.",
    f"We fine-tuned Qwen2-7B on our data; download {OWN}.",
    f"{OWN} is based on Qwen2-7B.",
    f"{OWN} was fine-tuned on our chat data.",
    f"The fine-tuned {OWN} is available.",
    f"We fine-tuned Qwen2-7B. {OWN} is the result.",
    f"{OWN}는 Qwen 기반 모델입니다.",                          # the marker names another model
    f"{OWN}は Qwen をベースに学習しました。",
    f"{OWN}基于Qwen训练。",
    f"本模型在Qwen的基础上训练，下载：{OWN}。",
    f"Our fine-tuned model {OWN} is on the Hub.",
    f"We fine-tuned {Q} on our data. Download Lynx: {OWN}.",
])
def test_the_releases_own_link_stays_its_weights(sentence: str) -> None:
    assert _weights(sentence) == "positive"


def test_a_base_marked_in_prose_is_read_beside_a_declared_one() -> None:
    card = f"---\nbase_model: acme/other\n---\n# Lynx\n\nWe fine-tuned {Q} on our data.\n"
    assert card_findings(card)["weights_released"][0] == "negative"


# -- 3. a denial before a list, and "no" before a name ------------------------------------------------------------

X = "[acme/web](https://huggingface.co/datasets/acme/web)"
A = "[acme/books](https://huggingface.co/datasets/acme/books)"


def _datasets(text: str) -> str:
    return card_findings(f"# Lynx\n\nLynx answers questions.\n\n{text}\n")["datasets_released"][0]


@pytest.mark.parametrize("text", [
    f"We did not use the following datasets:\n- {X}\n- {A}",
    f"We did not use the following datasets:\n\n- {X}",              # blank lines between the lead and its list
    f"The following data was not used:\n* {X}",
    f"**Excluded datasets:**\n1. {X}",
    "## Training data\n\nWe never trained on these corpora:\n- `acme/web-2`\n- `acme/web-3`",
    f"我们没有使用以下数据集：\n- {X}",
    f"訓練資料並未納入以下資料集：\n- {X}",                            # traditional: read as 并未纳入
    f"No {X} data was used.",
    f"We use no data from {X}.",
    f"No data from {X} was used in training.",
    f"The model saw no samples of {X} or {A}.",
    "## Training data\n\nWe did not use the following datasets:\n- `acme/web-2`",
])
def test_a_denied_list_or_a_no_denies_its_datasets(text: str) -> None:
    assert _datasets(text) == "negative"


@pytest.mark.parametrize("text", [
    f"We did not use the following datasets:\n- {A}\n\nWe trained on:\n- {X}",        # a blank line ends the list
    f"We did not use the following datasets:\n- {A}\n\n{X} is our training data.",
    f"We did not use the following datasets:\n- {A}\n## Training data\n- {X}",       # so does a heading
    f"We did not use the following datasets:\n- {A}\nWe trained on {X}.",            # and a paragraph line
    f"We did not use RLHF. We trained on:\n- {X}",          # the denial is another sentence's
    f"We did not use RLHF, but trained on:\n- {X}",         # "but" turns it round
    f"Training data:\n- {X}",
    f"Not only these:\n- {X}",                              # "not only" denies nothing
    f"We applied no filtering to {X}, our training data.",  # "no" denies the filtering, not the data
    f"There are no duplicates in {X}, which we trained on.",
    "## Training data\n\n- `acme/web-2`",
])
def test_a_list_or_a_no_that_denies_something_else_keeps_the_data(text: str) -> None:
    assert _datasets(text) == "positive"
