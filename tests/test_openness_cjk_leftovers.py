"""The leftovers of the Chinese, Japanese and Korean card reading (thirteenth session).

Four things the earlier work left unread, each read now by a general rule (none keyed on a model's name), each
checked in its right and its wrong form, and each whole card graded against the same card in English:

1. a Japanese or Korean clause that denies a dataset ("Xは使用していません", "X는 사용하지 않았습니다"): the
   negation follows the name, where the English and Chinese rule does not look;
2. a licence clause that starts with a pronoun ("其采用 MIT 许可证", "これは…", "이는…"): it is read with the clause
   before it, as "It is distributed under …" is in English;
3. pseudo-headings (■ 学習データ, 【ライセンス】, ◆, ●) that Japanese and Chinese READMEs use for sections;
4. Traditional Chinese cards (訓練資料, 授權, 許可證, 開源, 程式碼, 權重, 論文, 技術報告): read in simplified
   characters (:mod:`openscope.derive.openness.hant`), quoted as written.

The cards are written for this test. Every rule's right form fails on the code before (see the review in
``docs/reviews.md``); the wrong forms are the negative cases.
"""

from __future__ import annotations

import re

import pytest
from card_readings import card_findings, card_grades, card_record, licence_scopes
from test_openness_japanese_korean_cards import JA_CARD, JA_EN_CARD

from openscope.derive.openness import hant
from openscope.derive.openness.cards import parse_card
from openscope.derive.openness.probes import run_all
from openscope.derive.openness.probes.license_declared import card_license_for, scoped_in_card

_rec, _grades, _findings, _scopes = card_record, card_grades, card_findings, licence_scopes


def _same(card: str, twin: str) -> None:
    got, want = _findings(card), _findings(twin)
    assert got == want, {k: (got[k], want[k]) for k in got if got[k] != want[k]}
    gg, gw = _grades(card), _grades(twin)
    assert gg == gw, {k: (gg[k], gw[k]) for k in gg if gg[k] != gw[k]}


# -- 4. Traditional Chinese ------------------------------------------------------------------------------------

TW_CARD = """\
---
language:
- zh
- en
pipeline_tag: text-generation
---

# Formosa-7B

Formosa-7B 是由雲豹實驗室開發的繁體中文大型語言模型，以 1.2 兆個詞元的繁體中文與英文語料從頭預訓練。

## 模型詳情

- **模型類型：** 基於 Transformer 的僅解碼器語言模型
- **論文：** [Formosa：繁體中文語言模型的建構](https://arxiv.org/abs/2602.04567)
- **程式碼：** [acme/formosa](https://github.com/acme/formosa)

### 模型架構

採用標準的僅解碼器 Transformer 架構，共 32 層，注意力頭 32 個，隱藏層維度 4096，上下文長度 8192。

## 訓練資料

預訓練使用了繁體中文網頁語料、維基百科、新聞與英文網頁語料，共約 1.2 兆個詞元。訓練資料的組成詳見技術報告。資料經過去重、低品質網頁過濾與個人資訊移除等處理。

## 訓練

模型在 256 張 H100 顯示卡組成的訓練叢集上訓練。學習率為 3e-4，批大小為 1024，優化器採用 AdamW。

## 使用方式

```python
from transformers import AutoModelForCausalLM, AutoTokenizer
model = AutoModelForCausalLM.from_pretrained("acme/Formosa-7B")
```

推理需要一張 24GB 顯存的顯示卡。

## 評測

| 模型 | TMMLU+ | MMLU |
| --- | --- | --- |
| Formosa-7B | 52.1 | 57.4 |

## 侷限性

本模型可能產生帶有偏見或不正確的內容，使用者請自行判斷。

## 授權

本倉庫的程式碼採用 Apache 2.0 授權，模型權重的使用須遵守 Formosa 社群許可協議。

## 引用

```
@misc{formosa2026, title={Formosa: a Traditional Chinese language model}, author={Acme}, year={2026}}
```
"""

TW_EN_CARD = """\
---
language:
- zh
- en
pipeline_tag: text-generation
---

# Formosa-7B

Formosa-7B is a Traditional Chinese large language model developed by Clouded Leopard Lab, pre-trained from scratch on 1.2 trillion tokens of Traditional Chinese and English text.

## Model details

- **Model type:** a Transformer-based decoder-only language model
- **Paper:** [Formosa: building a Traditional Chinese language model](https://arxiv.org/abs/2602.04567)
- **Code:** [acme/formosa](https://github.com/acme/formosa)

### Architecture

We use a standard decoder-only Transformer with 32 layers, 32 attention heads, hidden size 4096 and context length 8192.

## Training data

Pre-training used Traditional Chinese web text, Wikipedia, news and English web text, about 1.2 trillion tokens in all. See the technical report for the composition of the training data. The data was deduplicated, filtered of low-quality pages and cleared of personal information.

## Training

The model was trained on a training cluster of 256 H100 GPUs. The learning rate was 3e-4, the batch size 1024, and the optimizer AdamW.

## Usage

```python
from transformers import AutoModelForCausalLM, AutoTokenizer
model = AutoModelForCausalLM.from_pretrained("acme/Formosa-7B")
```

Inference needs one GPU with 24GB of memory.

## Evaluation

| Model | TMMLU+ | MMLU |
| --- | --- | --- |
| Formosa-7B | 52.1 | 57.4 |

## Limitations

The model may produce biased or incorrect content; users should judge for themselves.

## License

The code in this repository is released under the Apache 2.0 license, and use of the model weights is subject to the Formosa Community License.

## Citation

```
@misc{formosa2026, title={Formosa: a Traditional Chinese language model}, author={Acme}, year={2026}}
```
"""


def test_a_traditional_chinese_card_reads_as_the_same_card_in_english() -> None:
    _same(TW_CARD, TW_EN_CARD)
    got = _findings(TW_CARD)
    # what the grades rest on is read, not absent: the card documents all of these
    assert got["datasets_released"][1] == got["data_card"][1] == "documented_not_released"
    assert got["license_declared"][1:] == ("restrictive_license", "other")
    assert got["technical_report"][0] == got["research_paper"][0] == got["hardware_documented"][0] == "positive"
    assert got["architecture_code"][1:] == ("open_license", "apache-2.0")   # the code's licence, not the weights'
    assert _grades(TW_CARD)["hardware_architecture"] == "open" and _grades(TW_CARD)["modelcard"] == "open"


def test_a_traditional_chinese_card_reads_as_the_same_card_in_simplified_characters() -> None:
    simplified = hant.reading(TW_CARD)
    assert simplified is not None and "训练数据" in simplified and "訓" not in simplified
    _same(TW_CARD, simplified)


def test_evidence_quotes_the_traditional_card_as_written() -> None:
    """Snippets, section titles and link anchors included, are the card's own characters, never the reading."""
    rec = _rec(TW_CARD)
    assert rec.card is not None and rec.card.written is not None
    snippets = [e.snippet for f in run_all(rec) for e in f.evidence if e.kind == "card"]
    assert snippets
    han = re.compile(r"[\u4e00-\u9fff]+")
    for s in snippets:
        for run in han.findall(s):
            assert run in TW_CARD, (run, s)
    joined = " ".join(snippets)
    assert "## 訓練資料:" in joined and "[評測]" in joined and "繁體中文語言模型的建構" in joined
    assert "训练数据" not in joined and "评测" not in joined


@pytest.mark.parametrize(("probe", "traditional", "want"), [
    ("datasets_released", "## 訓練資料\n\n預訓練使用了繁體中文網頁語料、維基百科、新聞與英文網頁語料，共約一兆個詞元，"
                          "資料經過去重與過濾。\n", ("negative", "documented_not_released")),
    ("datasets_released", "## 資料集\n\n預訓練使用了繁體中文網頁語料、維基百科、新聞與英文網頁語料，共約一兆個詞元，"
                          "資料經過去重與過濾。\n", ("negative", "documented_not_released")),
    ("license_declared", "## 授權\n\n本模型採用 Apache 2.0 授權。\n", ("positive", "open_license")),
    ("license_declared", "本模型的權重採用 MIT 許可證發布。\n", ("positive", "open_license")),
    ("license_declared", "模型權重依 Formosa 社群許可協議釋出。\n", ("negative", "restrictive_license")),
    ("training_code", "訓練程式碼已開源：[acme/formosa-train](https://github.com/acme/formosa-train)\n", ("positive", "no_license")),
    ("technical_report", "詳見[技術報告](https://acme.ai/formosa-report.pdf)。\n", ("positive", "no_license")),
    ("research_paper", "- **論文：** [Formosa](https://arxiv.org/abs/2602.04567)\n", ("positive", "no_license")),
    ("hardware_documented", "模型共 32 層，在 256 張顯示卡組成的訓練叢集上訓練。\n", ("positive", "not_found")),
])
def test_traditional_words_are_read(probe: str, traditional: str, want: tuple[str, str]) -> None:
    """Each word in its traditional form is read as its simplified form is (the same sentence mapped)."""
    got = _findings(traditional)[probe]
    assert got[:2] == want, got
    assert got == _findings(hant.reading(traditional) or "")[probe]


@pytest.mark.parametrize("text", ["The model is trained on 1T tokens.", "模型使用了约一万亿个词元的训练数据进行训练。",
                                  "本モデルの論文を公開しました。訓練データは非公開です。", "이 모델의 論文은 공개되었습니다.",
                                  "Emoji only 🚀 and accents é."])
def test_texts_without_traditional_characters_or_with_kana_are_not_mapped(text: str) -> None:
    """An English or simplified text, and a Japanese or Korean one (論文, 公開, 訓練 are Japanese too, read by the
    Japanese rules as written), are read as written: no reading text, nothing for the probes to pay."""
    assert hant.reading(text) is None
    assert parse_card(f"# M\n\n{text}\n").written is None


def test_the_reading_keeps_every_offset_and_line() -> None:
    text = "程式碼與原始碼已釋出，訓練資料見下。\n軟體授權：MIT。"
    read = hant.reading(text)
    assert read == "源代码与源代码已发布，训练数据见下。\n软件授权：MIT。"
    assert len(read) == len(text) and [i for i, c in enumerate(read) if c == "\n"] == [18]


@pytest.mark.parametrize(("traditional", "simplified"), [
    ("訓練資料", "训练数据"), ("資料集", "数据集"), ("授權", "授权"), ("許可證", "许可证"), ("開源", "开源"), ("程式碼", "源代码"),
    ("權重", "权重"), ("論文", "论文"), ("技術報告", "技术报告"), ("硬體", "硬件"), ("社群許可協議", "社区许可协议"),
])
def test_the_table_reads_the_traditional_words_of_the_probes(traditional: str, simplified: str) -> None:
    assert hant.reading(traditional) == simplified


def test_a_link_keeps_its_url_as_written() -> None:
    card = parse_card("# M\n\n論文：[Formosa](https://example.org/論文.pdf)，程式碼見 https://example.org/程式碼\n")
    assert card.written is not None
    assert {ln.url for ln in card.links} == {"https://example.org/論文.pdf", "https://example.org/程式碼"}
    assert [ln.text for ln in card.links if ln.text] == ["Formosa"]


def test_a_snippet_from_the_reading_is_given_back_in_the_cards_characters() -> None:
    written = "## 訓練資料\n\n資料來自網頁與書籍。"
    read = hant.reading(written)
    assert read is not None
    title, line = read[3:7], read[9:]
    assert title == "训练数据" and line != written[9:]
    assert hant.as_written(f"[{title}] {line}", read, written) == "[訓練資料] 資料來自網頁與書籍。"
    assert hant.as_written("line 3: MIT", read, written) == "line 3: MIT"


# -- 3. pseudo-headings ----------------------------------------------------------------------------------------

def _pseudo(card: str) -> str:
    """``card`` with its "##" headings written as ■ and 【】 pseudo-headings, and its "###" ones as ◆."""
    n = [0]

    def sub(m: re.Match[str]) -> str:
        n[0] += 1
        if m.group(1) == "###":
            return "◆ " + m.group(2)
        return f"■ {m.group(2)}" if n[0] % 2 else f"【{m.group(2)}】"

    return re.sub(r"^(#{2,3}) (.+)$", sub, card, flags=re.MULTILINE)


def test_a_card_with_pseudo_headings_reads_as_the_same_card_with_markdown_headings_and_in_english() -> None:
    card = _pseudo(JA_CARD)
    assert "■ 学習データ" in card and "【ライセンス】" in card and "◆ アーキテクチャ" in card
    _same(card, JA_CARD)
    _same(card, JA_EN_CARD)


@pytest.mark.parametrize(("line", "title"), [
    ("■ 学習データ", "学習データ"), ("【ライセンス】", "ライセンス"), ("◆ 評価", "評価"), ("● 학습 데이터", "학습 데이터"),
    ("【训练数据】", "训练数据"), ("□　使い方", "使い方"), ("  ■ 개요", "개요"),
])
def test_a_marker_and_a_short_title_alone_on_a_line_is_a_heading(line: str, title: str) -> None:
    card = parse_card(f"# M\n\n{line}\n本文です。本文です。\n")
    assert [s.title for s in card.sections] == ["M", title]
    assert card.sections[1].level == 2 and "本文です" in card.sections[1].text


@pytest.mark.parametrize("line", [
    "■ 学習には 8 台の GPU を使いました。", "● 商用利用は許可されています", "■ GPU: A100", "● 학습률：2e-5",
    "【注意】この行はフィールドです", "● 모델은 한국어를 지원합니다", "■ ■", "★ 12345",
    "■ この行はタイトルにしては長すぎる説明的な文章なので見出しではありません",
])
def test_a_marker_line_that_is_a_sentence_or_a_field_stays_text(line: str) -> None:
    card = parse_card(f"# M\n\n{line}\n本文です。\n")
    assert [s.title for s in card.sections] == ["M"]


def test_a_pseudo_heading_in_a_code_block_or_an_ascii_card_is_no_heading() -> None:
    assert [s.title for s in parse_card("# M\n\n```\n■ 学習データ\n```\n本文\n").sections] == ["M"]
    assert [s.title for s in parse_card("# M\n\n* Training data\nSome text.\n").sections] == ["M"]


def test_a_pseudo_heading_over_nothing_is_blanked_like_an_empty_heading() -> None:
    card = parse_card("# M\n\n■ 学習データ\n■ ライセンス\nApache 2.0 です。\n")
    assert [s.title for s in card.sections] == ["M", "ライセンス"]


# -- 1. a dataset the card says it did not use ------------------------------------------------------------------

@pytest.mark.parametrize(("denied", "used"), [
    ("[acme/web-ja](https://huggingface.co/datasets/acme/web-ja) は学習に使用していません。",
     "[acme/web-ja](https://huggingface.co/datasets/acme/web-ja) を使用して学習しました。"),
    ("`acme/web-ja` を使用せず、独自のコーパスで学習しました。", "`acme/web-ja` を使用して学習しました。"),
    ("- `acme/web-ja` は使用していません。", "- `acme/web-ja` を使用しました。"),
    ("- `acme/web-ja`を含みません。", "- `acme/web-ja`を含みます。"),
    ("`acme/web-ja` を除く公開コーパスで学習しました。", "`acme/web-ja` などの公開コーパスで学習しました。"),
    ("[acme/web-ko](https://huggingface.co/datasets/acme/web-ko)는 학습에 사용하지 않았습니다.",
     "[acme/web-ko](https://huggingface.co/datasets/acme/web-ko)로 학습했습니다."),
    ("- `acme/web-ko`는 사용하지 않았다.", "- `acme/web-ko`를 사용했다."),
    ("`acme/web-ko` 데이터셋은 포함되지 않았습니다.", "`acme/web-ko` 데이터셋을 포함했습니다."),
])
def test_a_dataset_the_card_says_it_did_not_use_is_not_training_data(denied: str, used: str) -> None:
    title = "## 학습 데이터" if "ko" in denied else "## 学習データ"
    assert _findings(f"{title}\n\n{denied}\n")["datasets_released"][0] == "negative"
    assert _findings(f"{title}\n\n{used}\n")["datasets_released"][:2] == ("positive", "no_license")


def test_a_denied_dataset_beside_a_used_one_leaves_the_used_one() -> None:
    got = run_all(_rec("## 学習データ\n\n- `acme/web-ja` は使用していません。\n- `acme/news-ja` を使用しました。\n"))
    f = next(f for f in got if f.probe == "datasets_released")
    assert f.outcome == "positive" and f.evidence[0].snippet.startswith("- `acme/news-ja`")
    assert f.evidence[0].locator.startswith("README.md#L4")


DENY_JA = """\
# Lynx-7B

## 学習データ

- `acme/books-ja` は使用していません。
- `acme/web-ja` を使用しました。
"""
DENY_KO = """\
# Lynx-7B

## 학습 데이터

- `acme/books-ja` 는 사용하지 않았습니다.
- `acme/web-ja` 를 사용했습니다.
"""
DENY_EN = """\
# Lynx-7B

## Training data

- We did not use `acme/books-ja`.
- We used `acme/web-ja`.
"""


@pytest.mark.parametrize("card", [DENY_JA, DENY_KO], ids=["ja", "ko"])
def test_a_card_that_denies_a_dataset_reads_as_the_same_card_in_english(card: str) -> None:
    _same(card, DENY_EN)
    for text in (card, DENY_EN):
        f = next(f for f in run_all(_rec(text)) if f.probe == "datasets_released")
        assert "acme/web-ja" in f.evidence[0].snippet and f.evidence[0].locator.startswith("README.md#L6")


# -- 2. a licence clause that starts with a pronoun -------------------------------------------------------------

@pytest.mark.parametrize(("text", "scope"), [
    ("数据集来自公开网页。其采用 MIT 许可证发布。", ["data"]),
    ("代码见 GitHub 仓库。它采用 MIT 许可证。", ["code"]),
    ("代码见 GitHub 仓库。该项目采用 MIT 许可证。", ["code"]),
    ("データセットは公開ウェブページから収集しました。これは MIT ライセンスで公開されています。", ["data"]),
    ("コードは GitHub にあります。それは MIT ライセンスです。", ["code"]),
    ("데이터셋은 공개 웹 페이지에서 수집했습니다. 이는 MIT 라이선스로 배포됩니다.", ["data"]),
    ("코드는 GitHub에 있습니다. 그것은 MIT 라이선스입니다.", ["code"]),
    ("The dataset comes from public web pages. It is distributed under the MIT license.", ["data"]),
])
def test_a_pronoun_clause_takes_the_scope_of_the_clause_before(text: str, scope: list[str]) -> None:
    assert _scopes(text) == [("MIT", scope)]


@pytest.mark.parametrize(("text", "scope"), [
    ("该模型采用 Apache 2.0 许可证。", ["weights"]),
    ("本モデルは Apache 2.0 ライセンスです。", ["weights"]),
    ("이 모델은 Apache 2.0 라이선스입니다.", ["weights"]),
    ("代码见 GitHub 仓库。该模型采用 MIT 许可证。", ["weights"]),      # the word after the pronoun says what it is
    ("代码见 GitHub 仓库。其他部分采用 MIT 许可证。", []),              # 其他: "the other parts", no pronoun
    ("代码见 GitHub 仓库。此外，我们采用 MIT 许可证。", []),            # 此外: "moreover"
    # a line break ends what a pronoun refers to, in English as here ("The code is on GitHub.\nIt is …": the whole)
    ("代码见 GitHub 仓库。\n其采用 MIT 许可证。", []),
    ("The code is on GitHub.\nIt is released under the MIT license.", []),
])
def test_a_pronoun_with_its_noun_or_a_word_that_is_no_pronoun(text: str, scope: list[str]) -> None:
    assert _scopes(text) == [("MIT" if "MIT" in text else "Apache-2.0", scope)]


def test_a_traditional_pronoun_clause_is_read_in_its_card() -> None:
    """"其" refers to the dataset of the clause before, written in traditional characters (資料集)."""
    card = "## 授權\n\n資料集來自公開網頁。其採用 MIT 授權釋出。\n"
    assert scoped_in_card(_rec(card)) == [("MIT", frozenset({"data"}))]
    assert card_license_for(_rec(card), "weights") is None


@pytest.mark.parametrize("card", [
    "## 许可证\n\n训练代码见 GitHub 仓库。其采用 MIT 许可证。\n",
    "## ライセンス\n\n学習コードは GitHub にあります。これは MIT ライセンスです。\n",
    "## 라이선스\n\n학습 코드는 GitHub에 있습니다. 이는 MIT 라이선스입니다.\n",
])
def test_a_licence_the_pronoun_gives_the_code_is_not_the_weights_licence(card: str) -> None:
    twin = "## License\n\nThe training code is on GitHub. It is released under the MIT license.\n"
    rec, en = _rec(card), _rec(twin)
    assert card_license_for(rec, "weights") == card_license_for(en, "weights") is None
    assert card_license_for(rec, "code") == card_license_for(en, "code") == "MIT"


# -- costs and bounds ------------------------------------------------------------------------------------------

@pytest.mark.timeout(60)
@pytest.mark.parametrize("run", ["■", "■ 学", "【", "【学習】", "● ", "`a/b`は", "[x](https://huggingface.co/datasets/a/b)は",
                                 "使用して", "사용하지 ", "其", "これは", "訓練資料", "程式碼"])
def test_the_new_rules_take_bounded_time_on_long_runs(run: str) -> None:
    body = run * (200_000 // len(run))
    for text in (f"# M\n\n## 学習データ\n\n{body}\n", f"# M\n\n{body.replace(run, run + chr(10))}\n"):
        run_all(_rec(text))
