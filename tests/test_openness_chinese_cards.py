"""Chinese and bilingual cards are read as their English equivalents are.

Many open-weight releases publish a Chinese README (or sections in both languages: "# 模型信息/Model
Information"). The cards here are written for this test, in the forms such READMEs take (badges, 目录, 模型介绍,
模型下载 tables with Hugging Face / ModelScope links, 快速开始 code, 评测结果 tables, 声明/协议/引用 at the end).
Each class of statement is checked in its wrong form and its right form (a licence granted only on application
is not open; hardware to run the model is not training hardware; code promised is not code released; a
citation section is others' work), and a whole Chinese card grades exactly as the same card in English.
"""

from __future__ import annotations

import pytest
from card_readings import card_findings, card_grades, card_record, licence_scopes

from openscope.derive.openness.probes.hardware_documented import training_hardware
from openscope.derive.openness.probes.license_declared import scoped_in_card
from openscope.derive.openness.probes.model_card import topics
from openscope.derive.openness.probes.model_metadata import documented_value

_rec, _grades, _findings, _scopes = card_record, card_grades, card_findings, licence_scopes


# -- whole cards: Chinese, and the same card in English -----------------------------------------------------------

ZH_CARD = """\
<p align="center"><img src="./figures/logo.png" width="200"/></p>

<p align="center">🤗 <a href="https://huggingface.co/acme">Hugging Face</a> | 🤖 <a href="https://modelscope.cn/organization/acme">ModelScope</a></p>

# 目录

- [模型介绍](#模型介绍)
- [模型下载](#模型下载)
- [声明、协议、引用](#声明协议引用)

# 模型介绍

Lynx-7B 是山猫实验室研发的语言模型，使用 2 万亿 token 的中英文语料从零开始训练。

### 模型结构

我们采用标准的 Decoder-only 结构，模型共 32 层，注意力头 32 个，隐藏层维度 4096，上下文长度 8192。

### 训练细节

模型在 512 张昇腾 910B 组成的训练集群上训练，共计 12 万卡时。学习率为 3e-4，批大小为 1024，优化器为 AdamW。

# 模型下载

| 模型 | Hugging Face | ModelScope |
| --- | --- | --- |
| Lynx-7B | [下载](https://huggingface.co/acme/Lynx-7B) | [下载](https://modelscope.cn/models/acme/Lynx-7B) |

# 快速开始

```python
from transformers import AutoModelForCausalLM, AutoTokenizer
model = AutoModelForCausalLM.from_pretrained("acme/Lynx-7B")
```

推理需要一张 24G 显存的显卡。

# 评测结果

| 模型 | C-Eval | MMLU |
| --- | --- | --- |
| Lynx-7B | 61.2 | 58.3 |

# 局限性

模型可能生成有偏见或不准确的内容，使用者须自行判断。

# 声明、协议、引用

### 协议

本仓库的代码遵循 Apache 2.0 协议开源，模型权重的使用则需要遵循《Lynx 模型社区许可协议》。

### 引用

```
@misc{lynx2026, title={Lynx: a bilingual model}, author={Acme}, year={2026}}
```
"""

EN_CARD = """\
<p align="center"><img src="./figures/logo.png" width="200"/></p>

<p align="center">🤗 <a href="https://huggingface.co/acme">Hugging Face</a> | 🤖 <a href="https://modelscope.cn/organization/acme">ModelScope</a></p>

# Contents

- [Introduction](#introduction)
- [Download](#download)
- [Disclaimer, License, Citation](#disclaimer-license-citation)

# Introduction

Lynx-7B is a language model made by Lynx Lab, trained from scratch on a corpus of 2 trillion Chinese and English tokens.

### Model architecture

We use a standard decoder-only transformer with 32 layers, 32 attention heads, hidden size 4096 and context length 8192.

### Training details

The model was trained on a cluster of 512 Ascend 910B accelerators, 120,000 accelerator hours in all. The learning rate was 3e-4, the batch size 1024, and the optimizer AdamW.

# Download

| Model | Hugging Face | ModelScope |
| --- | --- | --- |
| Lynx-7B | [Download](https://huggingface.co/acme/Lynx-7B) | [Download](https://modelscope.cn/models/acme/Lynx-7B) |

# Quick start

```python
from transformers import AutoModelForCausalLM, AutoTokenizer
model = AutoModelForCausalLM.from_pretrained("acme/Lynx-7B")
```

Inference needs one GPU with 24 GB of memory.

# Evaluation results

| Model | C-Eval | MMLU |
| --- | --- | --- |
| Lynx-7B | 61.2 | 58.3 |

# Limitations

The model may produce biased or inaccurate content; users must judge it themselves.

# Disclaimer, License, Citation

### License

The code in this repository is released under Apache 2.0; use of the model weights must follow the Lynx Model Community License.

### Citation

```
@misc{lynx2026, title={Lynx: a bilingual model}, author={Acme}, year={2026}}
```
"""

# A bilingual card: each section in both languages under one title, as such READMEs write them.
BILINGUAL_CARD = """\
# 模型信息/Model Information

Lynx-7B 是一个双语语言模型。Lynx-7B is a bilingual language model.

## 许可证/License

代码采用MIT许可证。The code is released under the MIT License.
模型权重商用需邮件申请授权。
"""


def test_a_chinese_card_grades_as_the_same_card_in_english() -> None:
    zh, en = _grades(ZH_CARD), _grades(EN_CARD)
    assert zh == en, {k: (zh[k], en[k]) for k in zh if zh[k] != en[k]}
    # and what each grade rests on is read, not absent: the card documents all of these
    assert zh["hardware_architecture"] == "open" and zh["licenses"] == "partial", zh


def test_a_chinese_card_has_the_same_findings_as_in_english() -> None:
    zh, en = _findings(ZH_CARD), _findings(EN_CARD)
    assert zh == en, {k: (zh[k], en[k]) for k in zh if zh[k] != en[k]}
    assert zh["hardware_documented"][0] == "positive"
    assert zh["model_metadata"][1] == "documented_not_released"
    assert zh["license_declared"][1:] == ("restrictive_license", "other")


def test_the_chinese_card_names_the_code_and_the_weights_licences_apart() -> None:
    assert scoped_in_card(_rec(ZH_CARD)) == scoped_in_card(_rec(EN_CARD)) == [
        ("Apache-2.0", frozenset({"code"})), ("other", frozenset({"weights"}))]


def test_a_bilingual_card_reads_both_languages() -> None:
    named = scoped_in_card(_rec(BILINGUAL_CARD))
    assert ("MIT", frozenset({"code"})) in named
    # the weights' commercial use needs an application by e-mail: a licence agreement, not an open licence
    assert ("other", frozenset({"weights"})) in named
    assert _findings(BILINGUAL_CARD)["license_declared"][1:] == ("restrictive_license", "other")


# -- licences ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    # a licence name against Chinese characters has no word boundary ("采用MIT许可证")
    ("本项目采用MIT许可证。", [("MIT", [])]),
    ("本项目遵循 Apache-2.0 许可协议。", [("Apache-2.0", [])]),   # a licence's name before 许可协议 is that licence
    ("代码遵循 Apache 2.0 协议；模型权重需遵循《Lynx 模型社区许可协议》。",
     [("Apache-2.0", ["code"]), ("other", ["weights"])]),
    ("数据集采用 CC BY 4.0 协议发布。", [("CC-BY-4.0", ["data"])]),
    ("本模型仅供学术研究使用。", [("other", ["weights"])]),
    # (non-commercial words name no licence: `noncommercial-unnamed`, not CC BY-NC 4.0, since the thirty-fourth session)
    ("模型权重仅限非商业用途。", [("noncommercial-unnamed", ["weights"])]),
])
def test_chinese_licence_sentences_name_the_licence_and_what_it_covers(text: str, expected: list) -> None:
    assert _scopes(text) == expected


@pytest.mark.parametrize(("wrong", "right"), [
    # commercial use with no application, against commercial use only by application
    ("## 协议\n\n模型遵循 Apache 2.0 协议，商用无需申请，可直接免费使用。\n",
     "## 协议\n\n模型遵循 Apache 2.0 协议，商用需向我们发送邮件申请授权。\n"),
    ("## 协议\n\n模型遵循 Apache 2.0 协议，不需要申请即可商用。\n",
     "## 协议\n\n模型遵循 Apache 2.0 协议。如需商用，请联系我们。\n"),
])
def test_commercial_use_by_application_is_a_licence_agreement(wrong: str, right: str) -> None:
    assert _findings(wrong)["license_declared"][1:] == ("open_license", "apache-2.0")
    assert _findings(right)["license_declared"][1:] == ("restrictive_license", "other")


def test_a_heading_that_announces_a_licence_section_names_no_licence() -> None:
    assert scoped_in_card(_rec("## 模型许可协议\n\n本模型遵循 MIT 许可证。\n")) == [("MIT", frozenset({"weights"}))]
    assert scoped_in_card(_rec("## 许可证\n\n详见 LICENSE 文件。\n")) == []


# -- hardware and architecture ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("running", "training"), [
    ("推理需要一张 24G 显存的显卡。", "模型在 64 张显卡上训练了两周。"),
    ("部署时可使用昇腾 910B 加速推理。", "预训练在昇腾 910B 训练集群上完成。"),
    ("量化后的模型可以在消费级 GPU卡 上运行。", "我们共使用约 5 万 GPU小时 完成训练。"),
    ("该模型可在8卡A100服务器上部署。", "模型在8卡A100服务器上训练。"),
])
def test_hardware_to_run_the_model_is_not_training_hardware(running: str, training: str) -> None:
    assert training_hardware(_rec(f"# 介绍\n\n{running}\n")) is None
    ev = training_hardware(_rec(f"# 介绍\n\n{training}\n"))
    assert ev is not None and ev.locator.endswith("#L3")


def test_a_chinese_architecture_section_documents_the_architecture() -> None:
    plain = _findings("# 介绍\n\n一个好用的模型，欢迎使用，请多提宝贵意见，谢谢大家的支持与厚爱。\n" * 3)
    described = _findings("# 模型结构\n\n模型共 24 层，注意力头 16 个，上下文长度 4096，采用 RoPE 位置编码。\n")
    assert plain["architecture_code"][1] == "not_found"
    assert described["architecture_code"][1] == "documented_not_released"


# -- code: released, promised, cited -------------------------------------------------------------------------------

TRAIN_REPO = "[GitHub](https://github.com/acme/lynx)"


@pytest.mark.parametrize(("wrong", "right"), [
    (f"# 代码\n\n训练代码即将开源，敬请期待。代码仓库：{TRAIN_REPO}\n", f"# 代码\n\n我们开源了全部训练代码。代码仓库：{TRAIN_REPO}\n"),
    (f"# 代码\n\n微调代码后续发布。代码仓库：{TRAIN_REPO}\n", f"# 代码\n\n微调代码已开源。代码仓库：{TRAIN_REPO}\n"),
])
def test_training_code_promised_is_not_training_code_released(wrong: str, right: str) -> None:
    assert _findings(wrong)["training_code"][:2] == ("negative", "documented_not_released")
    assert _findings(right)["training_code"][0] == "positive"


def test_training_code_in_a_thanks_section_is_others_work() -> None:
    cited = "# 致谢\n\n感谢 Foo 团队开源的训练代码，本项目的微调脚本改编自他们的工作。\n"
    own = "# 训练\n\n本仓库提供训练代码与微调脚本，运行 `bash finetune.sh` 即可复现。\n"
    assert _findings(cited)["training_code"][1] == "not_found"
    assert _findings(own)["training_code"][1] != "not_found"


@pytest.mark.parametrize(("probe", "zh", "en"), [
    ("evaluation_code", "本仓库提供评测代码，可复现下表结果。", "This repository provides evaluation code to reproduce the table."),
    ("evaluation_code", "评测代码即将开源。", "The evaluation code is coming soon."),
    ("preprocessing_code", "数据处理代码即将开源。", "The data processing code will be released soon."),
    ("preprocessing_code", "感谢 Foo 团队的数据清洗脚本。", "Thanks to the Foo team for the data cleaning scripts."),
    ("training_code", "SFT 代码将于下月发布。", "The SFT code will be released next month."),
    # "X-based" (基于X的) describes the release's own code; "based on X" (基于X, no 的) cites X
    ("training_code", "我们开源了基于 DeepSpeed 的训练代码。", "We open-sourced our DeepSpeed-powered training code."),
    ("training_code", "训练代码基于 Foo 项目修改而来。", "The training code is based on the Foo project."),
])
def test_other_code_reads_as_in_english(probe: str, zh: str, en: str) -> None:
    assert _findings(f"# 代码\n\n{zh}\n")[probe] == _findings(f"# Code\n\n{en}\n")[probe]


def test_code_announced_and_promised_or_cited_differ() -> None:
    assert _findings("# 代码\n\n本仓库提供评测代码。\n")["evaluation_code"][0] == "positive"
    assert _findings("# 代码\n\n评测代码即将开源。\n")["evaluation_code"][0] == "negative"
    assert _findings("# 代码\n\n我们开源了基于 DeepSpeed 的训练代码。\n")["training_code"][0] == "positive"
    assert _findings("# 代码\n\n训练代码基于 Foo 项目修改而来。\n")["training_code"][0] == "negative"


# -- weights ---------------------------------------------------------------------------------------------------------

def test_weights_promised_or_withheld_are_not_released() -> None:
    assert _findings("# 模型\n\n模型权重暂不开源，仅通过 API 提供服务。\n")["weights_released"][:2] == (
        "negative", "documented_not_released")
    assert _findings("# 模型\n\n模型权重已开源，欢迎下载模型权重。\n")["weights_released"][0] == "positive"


def test_a_download_link_in_a_thanks_section_is_not_this_releases_weights() -> None:
    base = "# 致谢\n\n感谢 [Foo-7B](https://huggingface.co/foo/Foo-7B) 的开源。\n"
    own = "# 模型下载\n\n| 模型 | 下载 |\n| --- | --- |\n| Lynx-7B | [🤗](https://huggingface.co/acme/Lynx-7B) |\n"
    assert _findings(base)["weights_released"][0] == "negative"
    assert _findings(own)["weights_released"][0] == "positive"


# -- documents -----------------------------------------------------------------------------------------------------

def test_a_technical_report_linked_as_ours_counts_and_a_cited_one_does_not() -> None:
    own = "# 介绍\n\n更多细节请参阅我们的技术报告：[技术报告](https://acme.example/lynx_report.pdf)。\n"
    cited = "# 致谢\n\n本工作参考了 [Foo 技术报告](https://foo.example/foo_report.pdf)。\n"
    promised = "# 介绍\n\n技术报告即将发布：[技术报告](https://acme.example/lynx_report.pdf)。\n"
    assert _findings(own)["technical_report"][0] == "positive"
    assert _findings(cited)["technical_report"][0] == "negative"
    assert _findings(promised)["technical_report"][0] == "negative"


def test_chinese_section_titles_are_model_card_topics() -> None:
    card = ("# 用途\n\n本模型用于中文对话与写作辅助，不适用于医疗、法律等高风险场景的决策。\n\n"
            "# 局限性\n\n模型可能产生事实错误或带有偏见的内容，使用者须自行核实其输出。\n\n"
            "# 训练数据\n\n预训练语料包括公开网页、书籍与百科，共 2 万亿 token。\n\n"
            "# 评测结果\n\n在 C-Eval 与 CMMLU 上的结果见下表，均为五样本设置下的准确率。\n")
    assert topics(_rec(card)) == ["uses", "limitations", "training", "evaluation"]
    assert topics(_rec("# 新闻\n\n2026年1月：我们发布了 Lynx-7B 的第一个版本，欢迎试用。\n")) == []


@pytest.mark.parametrize(("wrong", "right"), [
    ("您可以根据显存调整批大小 8。", "训练时批大小为 1024。"),
    ("推理时学习率 0 即可。", "学习率为 2e-5，训练步数为 10000。"),
    ("优化器的选择会影响结果。", "优化器采用 AdamW。"),
])
def test_chinese_hyperparameters_are_documented_with_their_values(wrong: str, right: str) -> None:
    assert documented_value(_rec(f"# 训练\n\n{wrong}\n")) is None
    assert documented_value(_rec(f"# 训练\n\n{right}\n")) is not None


def test_chinese_results_and_data_sections() -> None:
    results = "# 评测结果\n\n| 模型 | 得分 |\n| --- | --- |\n| Lynx-7B | 61.2 |\n"
    assert _findings(results)["evaluation_results"][0] == "positive"
    assert _findings("# 评测结果\n\n结果请见官网。\n")["evaluation_results"][0] == "negative"
    sheet = "# 训练数据\n\n数据说明：我们的数据卡片介绍了语料的来源、构成、清洗与过滤流程以及各部分的许可，见 DATASHEET。\n" * 2
    assert _findings(sheet)["data_card"][1] != "not_found"


def test_a_paper_linked_as_ours_in_chinese_counts_as_in_english() -> None:
    zh = "# Lynx-7B\n\n[论文](https://arxiv.org/abs/2601.00001) | [代码](https://github.com/acme/lynx)\n\n模型介绍。\n"
    en = "# Lynx-7B\n\n[Paper](https://arxiv.org/abs/2601.00001) | [Code](https://github.com/acme/lynx)\n\nIntroduction.\n"
    assert _findings(zh)["research_paper"] == _findings(en)["research_paper"]
    assert _findings(zh)["research_paper"][0] == "positive"
    # a paper named by its title, in a sentence that cites it, is someone else's
    cited = "# 介绍\n\n本方法参考了 [Foo: A Method](https://arxiv.org/abs/2601.00002)。\n"
    assert _findings(cited)["research_paper"][0] == "negative"


def test_a_card_without_chinese_is_searched_with_the_english_side_alone_and_finds_the_same() -> None:
    """Bilingual patterns search a text with no Chinese character with their English side only (speed); the
    Chinese side needs a Chinese character, so the matches are the same."""
    from openscope.derive.openness.probes import _ENGLISH, for_text, zsearch
    from openscope.derive.openness.probes import hardware_documented as hw

    assert len(_ENGLISH) >= 15
    patterns = [rx for mod in list(__import__("sys").modules.values())
                if getattr(mod, "__name__", "").startswith("openscope.derive.openness.probes")
                for rx in vars(mod).values() if hasattr(rx, "pattern") and id(rx) in _ENGLISH]
    texts = [EN_CARD, "We release the training code; the weights will be released soon. Learning rate 2e-5.",
             "Thanks to the Foo team — “based on” Ascend 910B … 🤗 inference on a GPU"]
    for rx in patterns:
        for text in texts:
            full = [m.span() for m in rx.finditer(text)]
            assert [m.span() for m in for_text(rx, text).finditer(text)] == full, rx.pattern[:60]
            assert (zsearch(rx, text) or None) is None or zsearch(rx, text).span() == full[0]
    # and a text with Chinese is searched with both sides
    assert for_text(hw.HARDWARE, "在昇腾上训练").search("在昇腾上训练") and zsearch(hw.HARDWARE, "在昇腾上训练") is not None
