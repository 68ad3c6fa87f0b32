"""Card forms the probes read since the fourteenth session (helper-cardread), each by a general rule.

1. A dataset link in an English or Chinese clause that denies it ("the model was not trained on [X](…)",
   "[X](…) was not used", "未使用[X](…)数据集", "不包含[X](…)") is not training data, as a Japanese or Korean one
   already was; the negation is scoped to the clause holding the name, so "This is not a chat model, trained on
   [X](…)" and "not only [X](…)" still count X.
2. Chinese hardware words, Traditional and Simplified (顯示卡 / 显示卡, 加速卡, 計算資源 / 運算資源, GPU 時數), with
   the same split as the English words between training hardware and hardware to run the model (推論, 記憶體,
   消費級 are running words).
3. Forms of papers, licences and hardware a card writes in another common way: a venue link labelled as the paper
   with a title for its anchor, the ACL Anthology's former address, Springer chapters, arXiv's HTML view, the
   preprint servers of biology, medicine and chemistry, an arXiv identifier written without a link, MPL / LGPL /
   the Unlicense, H200 / B200 / GB200, "8xA100" and "H100s", datasets on the OpenXLab and WiseModel mirrors, Figshare
   and Dataverse; and regression tests for forms that were already read
   (licence names written as "Apache 2", "Apache License 2.0", "Apache2.0" or in a shields.io badge URL, weights on
   ModelScope, WiseModel and OpenXLab).

The cards are written for this test (an invented "Acme Lynx" model). Each right form fails on the code before;
the wrong forms beside them are the cases a careless rule would get wrong.
"""

from __future__ import annotations

import pytest
from card_readings import card_findings, card_grades, card_record

from openscope.derive.openness import hant
from openscope.derive.openness.probes import run_all
from openscope.derive.openness.probes.hardware_documented import training_hardware

X = "[acme/web](https://huggingface.co/datasets/acme/web)"
A = "[acme/books](https://huggingface.co/datasets/acme/books)"
C = "[acme/code](https://huggingface.co/datasets/acme/code)"


def _datasets(text: str) -> tuple[str, str]:
    outcome, status, _ = card_findings(text)["datasets_released"]
    return outcome, status


# -- 1. a dataset link in a clause that denies it ----------------------------------------------------------------

@pytest.mark.parametrize("sentence", [
    f"The model was not trained on {X}.",
    f"It was never fine-tuned on {X}.",
    f"It was not trained on {A}, {X} or {C}.",            # a list after the denial: each item is denied
    f"{X} was not used in training.",
    f"The {X} dataset is not included.",
    f"Pretraining data excludes {X}.",
    f"Pretrained without {X}.",
    f"We do not release the dataset {X}.",
    f"模型没有在{X}上训练。",
    f"我们未使用{X}数据集进行训练。",
    f"训练数据不包含{X}。",
    f"{X}未被使用。",
    f"{X} 数据集没有用于训练。",
    f"模型從未在{X}上訓練。",                                   # Traditional: 從未 reads 从未
    f"訓練資料並未納入{X}。",                                   # 並未納入 reads 并未纳入
    f"The model was not trained on the following datasets: {A}, {X}.",   # a colon that introduces the list
    f"模型没有使用以下数据集：{X}。",
])
def test_a_dataset_link_the_card_denies_is_not_training_data(sentence: str) -> None:
    title = "## 训练数据" if not sentence.isascii() else "## Training data"
    assert _datasets(f"{title}\n\n{sentence}\n") == ("negative", "documented_not_released")


@pytest.mark.parametrize("sentence", [
    f"The model was trained on {X}.",
    f"This is not a chat model, trained on {X}.",            # the "not" is in another clause
    f"This is not a chat model; it was trained on {X}.",
    f"We did not filter the data and trained on {X}.",
    f"Trained not only on {X} but also on books.",            # "not only" denies nothing
    f"Trained on nothing other than {X}.",
    f"Trained on {X}, not on books.",                         # the denial follows, about something else
    f"We do not release our code. The model was trained on {X}.",
    f"模型在{X}上训练。",
    f"我们在不同的{X}数据上训练。",                            # 不同 ("different") is no negation
    f"模型不仅在{X}上训练。",
    f"{X}中不包含个人信息。",                                  # X does not contain personal data: X is used
    f"We did not use RLHF: the model was trained on {X}.",     # a colon that ends the denial's clause
    f"模型没有使用强化学习：它在{X}上训练。",
])
def test_a_dataset_link_in_a_clause_that_denies_nothing_of_it_still_counts(sentence: str) -> None:
    title = "## 训练数据" if not sentence.isascii() else "## Training data"
    assert _datasets(f"{title}\n\n{sentence}\n") == ("positive", "no_license")


def test_a_denied_dataset_link_beside_a_used_one_leaves_the_used_one() -> None:
    card = f"## Training data\n\nThe model was not trained on {A}.\nIt was trained on {X}.\n"
    f = next(f for f in run_all(card_record(card)) if f.probe == "datasets_released")
    assert f.outcome == "positive" and f.evidence[0].locator == "https://huggingface.co/datasets/acme/web"


def test_a_plain_dataset_id_is_denied_only_in_its_own_clause() -> None:
    # before: any "not" earlier in the sentence denied the id ("not a chat model, …" took acme/web for denied)
    assert _datasets("# Lynx\n\nThis is not a chat model, fine-tuned on `acme/web`.\n")[0] == "positive"
    assert _datasets("# Lynx\n\nIt was not fine-tuned on `acme/books` or `acme/web`.\n")[0] == "negative"
    assert _datasets("# Lynx\n\n`acme/web` was not used in training.\n") == ("negative", "not_found")


# -- 2. Chinese hardware words, Traditional and Simplified ------------------------------------------------------

def _hardware(sentence: str) -> bool:
    return training_hardware(card_record(f"# Lynx\n\n{sentence}\n")) is not None


@pytest.mark.parametrize("sentence", [
    "模型在 256 張顯示卡上訓練。",
    "模型在 256 张显示卡上训练。",
    "模型在 32 张 910B 加速卡上训练。",
    "本模型的訓練使用了國家高速網路中心的運算資源。",
    "本模型的训练使用了大量计算资源。",
])
def test_chinese_training_hardware_words_are_read(sentence: str) -> None:
    assert _hardware(sentence)


@pytest.mark.parametrize("sentence", [
    "推論需要一張 24GB 顯存的顯示卡。",
    "推論需要一張顯示卡。",                      # 推論: Taiwan's "inference"
    "執行模型需要一張顯示卡。",
    "載入模型需要 16GB 記憶體的顯示卡。",         # 記憶體: Taiwan's "memory"
    "推理只需一张消费级显示卡即可。",              # 消费级: consumer-grade
    "推理需要较少的计算资源。",                   # compute to run the model is not training compute
])
def test_hardware_to_run_the_model_in_chinese_is_not_training_hardware(sentence: str) -> None:
    assert not _hardware(sentence)


def test_the_traditional_card_is_graded_as_its_simplified_twin_for_hardware() -> None:
    hant_card = "# Lynx\n\n## 訓練\n\n模型在 256 張顯示卡上訓練，共 32 層。\n"
    hans_card = "# Lynx\n\n## 训练\n\n模型在 256 张显示卡上训练，共 32 层。\n"
    assert card_grades(hant_card)["hardware_architecture"] == card_grades(hans_card)["hardware_architecture"] == "open"


def test_the_reading_table_keeps_the_taiwan_words_it_read_before() -> None:
    # 資 is now mapped on its own (資源 → 资源); the phrases holding it still read as their mainland words
    assert hant.reading("訓練資料與個人資訊") == "训练数据与個人信息"
    assert hant.reading("運算資源、消費級、記憶體") == "运算资源、消费级、记忆體"
    assert hant.reading("從未納入") == "从未纳入"


@pytest.mark.parametrize("chip", ["H200", "GH200", "GB200", "B200"])
def test_newer_accelerators_are_training_hardware(chip: str) -> None:
    assert _hardware(f"The model was trained on 512 NVIDIA {chip} for 30 days.")
    assert not _hardware(f"Inference runs on a single {chip}.")


# -- 3. papers written in other common forms ---------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "https://openreview.net/forum?id=AbC123xyz",
    "https://aclanthology.org/2024.acl-long.123/",
    "https://www.aclweb.org/anthology/2020.acl-main.1/",
    "https://proceedings.neurips.cc/paper_files/paper/2023/hash/abc-Abstract-Conference.html",
    "https://dl.acm.org/doi/10.1145/3580305.3599572",
    "https://link.springer.com/chapter/10.1007/978-3-031-72643-9_1",
])
def test_a_venue_link_labelled_as_the_paper_is_peer_reviewed_whatever_its_anchor(url: str) -> None:
    labelled = card_findings(f"# Lynx\n\n- **Paper:** [Lynx: Fast Cats for Language]({url})\n")
    assert labelled["peer_reviewed_paper"][0] == "positive"
    announced = card_findings(f"# Lynx\n\nThe method is described in our paper [Lynx: Fast Cats]({url}).\n")
    assert announced["peer_reviewed_paper"][0] == "positive"
    # a venue the card cites besides its own work is someone else's
    cited = card_findings(f"# Lynx\n\nWe evaluate on the benchmark of [Bench: a Test Suite]({url}).\n")
    assert cited["peer_reviewed_paper"][0] == "negative"


@pytest.mark.parametrize("line", [
    "- **Paper:** arXiv:2401.12345",
    "**arXiv:** 2401.12345v2",
    "Paper: arXiv:cs/0112017",
    "For details, see our paper (arXiv:2401.12345).",
    "论文：arXiv:2401.12345",
])
def test_an_arxiv_id_written_without_a_link_is_the_paper(line: str) -> None:
    f = next(f for f in run_all(card_record(f"# Lynx\n\nA model.\n\n{line}\n")) if f.probe == "research_paper")
    assert f.outcome == "positive"
    assert "2401.12345" in f.evidence[0].snippet or "0112017" in f.evidence[0].snippet
    assert f.evidence[0].locator == "README.md#L5"


@pytest.mark.parametrize("line", [
    "We compare with Cheetah (arXiv:2401.12345).",             # a work the card cites
    "<!-- Paper: arXiv:2401.12345 -->",                       # hidden
    "```\nPaper: arXiv:2401.12345\n```",                      # code
    "Paper: arXiv:2401.12345.pdf is on our site",              # a file name, no identifier
    "Paper: mirror/arXiv:2401.12345",                          # part of a path
])
def test_an_arxiv_id_the_card_does_not_give_as_its_paper_does_not_count(line: str) -> None:
    assert card_findings(f"# Lynx\n\nA model.\n\n{line}\n")["research_paper"][0] == "negative"


def test_an_arxiv_html_link_in_the_header_is_the_paper() -> None:
    card = "# Lynx\n\n[arXiv](https://arxiv.org/html/2401.12345v1) | [GitHub](https://github.com/acme/lynx)\n\nA model.\n"
    assert card_findings(card)["research_paper"][0] == "positive"


# -- regression: forms that were read already, kept so ------------------------------------------------------------

@pytest.mark.parametrize(("text", "licence"), [
    ("This model is released under Apache 2.", "apache-2.0"),
    ("This model is licensed under the Apache License 2.0.", "apache-2.0"),
    ("Licensed under the Apache License, Version 2.0.", "apache-2.0"),
    ("[![License](https://img.shields.io/badge/license-Apache%202.0-blue.svg)](LICENSE)", "apache-2.0"),
    ("![license](https://img.shields.io/badge/License-Apache_2.0-green)", "apache-2.0"),
    ("License: apache-2.0", "apache-2.0"),
    ("本模型采用 Apache2.0 协议。", "apache-2.0"),
])
def test_licence_names_in_other_forms_are_read(text: str, licence: str) -> None:
    assert card_findings(f"# Lynx\n\n## License\n\n{text}\n")["license_declared"] == ("positive", "open_license", licence)


@pytest.mark.parametrize("url", [
    "https://modelscope.cn/models/acme/lynx-7b",
    "https://www.modelscope.cn/models/acme/lynx-7b",
    "https://wisemodel.cn/models/acme/lynx-7b",
    "https://openxlab.org.cn/models/detail/acme/lynx-7b",
])
def test_weights_on_a_mirror_are_released_weights(url: str) -> None:
    assert card_findings(f"# Lynx\n\nDownload the weights from [the mirror]({url}).\n")["weights_released"][0] == "positive"


# -- licence names, hardware and preprint servers written in other forms -------------------------------------------

@pytest.mark.parametrize(("text", "licence"), [
    ("Released under the Apache licence 2.0.", "apache-2.0"),                 # British spelling
    ("Released under the Apache Licence, Version 2.0.", "apache-2.0"),
    ("Released under the Apache licence.", "apache-2.0"),
    ("License :: OSI Approved :: Apache Software License", "apache-2.0"),
    ("License: Apache Software License 2.0", "apache-2.0"),
    ("许可证：Apache 许可证 2.0", "apache-2.0"),
    ("授權：Apache 許可證 2.0", "apache-2.0"),
    ("This model is released under MPL 2.0.", "mpl-2.0"),
    ("Licensed under the Mozilla Public License.", "mpl-2.0"),
    ("The code is released under the LGPLv3.", "lgpl-3.0"),
    ("Distributed under the GNU Lesser General Public License.", "lgpl-3.0"),
    ("Released under the Unlicense.", "unlicense"),
    ("The data is released under the ODC-By licence.", "odc-by"),
    ("The data is released under ODbL.", "odbl"),
    ("The data is released under the Open Database License.", "odbl"),
    ("The data is in the public domain (ODC PDDL).", "pddl"),
    ("The data is released under CDLA-Permissive-2.0.", "cdla-permissive-2.0"),
])
def test_licence_names_that_were_read_as_none_are_read(text: str, licence: str) -> None:
    assert card_findings(f"# Lynx\n\n## License\n\n{text}\n")["license_declared"] == ("positive", "open_license", licence)


@pytest.mark.parametrize(("text", "licence"), [
    ("Released under CC BY-ND 4.0.", "cc-by-nd-4.0"),
    ("Released under Creative Commons Attribution-NoDerivatives 4.0.", "cc-by-nd-4.0"),
    # (its NoDerivatives element kept since the twelfth evidence round: it was read as plain cc-by-nc-4.0)
    ("Released under CC BY-NC-ND 4.0.", "cc-by-nc-nd-4.0"),
])
def test_a_no_derivatives_licence_is_restrictive(text: str, licence: str) -> None:
    assert card_findings(f"# Lynx\n\n## License\n\n{text}\n")["license_declared"] == \
        ("negative", "restrictive_license", licence)


@pytest.mark.parametrize("text", [
    "This model is unlicensed: no licence is granted.",                         # no licence at all
    "[![License](https://img.shields.io/github/license/acme/lynx)](LICENSE)",  # shown only when rendered
])
def test_a_licence_line_naming_no_licence_names_none(text: str) -> None:
    assert card_findings(f"# Lynx\n\n## License\n\n{text}\n")["license_declared"][:2] == ("negative", "no_license")


@pytest.mark.parametrize("sentence", ["Training: 8xA100 80GB, 3 days.", "Trained on 256 H100s for two weeks."])
def test_a_chip_glued_to_its_count_or_plural_is_training_hardware(sentence: str) -> None:
    assert _hardware(sentence)
    assert not _hardware("Inference runs on 2xA100s.")
    assert not _hardware("Trained on boxA100 nodes with a maxFLOPs budget.")   # a word ending in "x" is no count


@pytest.mark.parametrize("url", [
    "https://www.biorxiv.org/content/10.1101/2024.02.27.582234v1",
    "https://www.medrxiv.org/content/10.1101/2024.01.01.123456v1",
    "https://chemrxiv.org/engage/chemrxiv/article-details/65a1b2c3",
    "https://papers.ssrn.com/sol3/papers.cfm?abstract_id=1234567",
])
def test_a_preprint_server_link_in_the_header_is_the_paper(url: str) -> None:
    card = f"# Lynx\n\n[![Paper](https://img.shields.io/badge/Paper-red)]({url})\n\nA model.\n"
    assert card_findings(card)["research_paper"][0] == "positive"
    # in a sentence that cites it, it is someone else's
    cited = f"# Lynx\n\nA model.\n\nWe compare with the method of [Cheetah: a method]({url}) on our benchmark.\n"
    assert card_findings(cited)["research_paper"][0] == "negative"


@pytest.mark.parametrize("url", [
    "https://openxlab.org.cn/datasets/acme/web",
    "https://wisemodel.cn/datasets/acme/web",
    "https://figshare.com/articles/dataset/web/1234567",
    "https://dataverse.harvard.edu/dataset.xhtml?persistentId=doi:10.7910/DVN/ABC",
])
def test_a_dataset_on_a_mirror_or_a_research_data_repository_is_released(url: str) -> None:
    assert _datasets(f"## Training data\n\nThe model was trained on [web]({url}).\n") == ("positive", "no_license")
    # a figure on Figshare, or the same link denied, is no released training data
    assert _datasets(f"## Training data\n\nThe model was not trained on [web]({url}).\n")[0] == "negative"


def test_a_figure_on_figshare_is_no_dataset() -> None:
    card = "## Training data\n\nSee [the figure](https://figshare.com/articles/figure/lynx/1234567).\n"
    assert _datasets(card) == ("negative", "documented_not_released")


@pytest.mark.parametrize("url", [
    "https://modelscope.cn/models/acme/base-7b",
    "https://www.modelscope.cn/models/Acme/base-7b/summary",
    "https://wisemodel.cn/models/acme/base-7b",
    "https://openxlab.org.cn/models/detail/acme/base-7b",
])
def test_a_mirror_link_to_the_declared_base_is_the_base_not_this_release(url: str) -> None:
    table = "| Model | Download |\n|---|---|\n"
    base = f"---\nbase_model: acme/base-7b\n---\n# Lynx\n\n{table}| base-7b | [Download]({url}) |\n"
    assert card_findings(base)["weights_released"][0] == "negative"
    # the release's own repository on the same mirror is its weights
    own = f"---\nbase_model: acme/base-7b\n---\n# Lynx\n\n{table}| lynx-7b | [Download]({url.replace('base-7b', 'lynx-7b')}) |\n"
    assert card_findings(own)["weights_released"][0] == "positive"
