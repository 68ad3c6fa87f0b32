"""Japanese and Korean cards are read as their English equivalents are.

Japanese and Korean publishers (the llm-jp, Swallow, rinna, ELYZA kind of release; the SOLAR, EXAONE,
HyperCLOVA X kind) write their READMEs in their own language: モデル詳細 / 学習データ / ライセンス / 引用, 모델 세부 정보 /
학습 데이터 / 라이선스 / 인용. The cards here are written for this test, in the forms such READMEs take. Each class of
statement is checked in its wrong form and its right form (commercial use by permission is not open; hardware
to run the model is not training hardware; code promised is not code released; a citation is others' work; a
licence named for the code is not the weights'), and each whole card grades exactly as the same card in
English. Each rule's positive form fails on the code before Japanese and Korean were read (88 of the 113
cases); what passed before too is a negative form (not a claim, not a sample), the licence-name boundary
checks, 参考文献 (the Chinese 参考 reads it), a Latin word before a comma, and the length count (kana and
hangul already counted twice).
"""

from __future__ import annotations

import pytest
from card_readings import card_findings, card_grades, card_record, licence_scopes

from openscope.derive.openness.probes import (
    _ENGLISH,
    _HAN,
    _KANA,
    for_text,
    kana_or_hangul,
    latin_boundaries,
    reading_length,
    run_all,
    zsearch,
)
from openscope.derive.openness.probes._own_evidence import CITING_SECTION, own_code_repository
from openscope.derive.openness.probes.hardware_documented import ARCH, ARCH_NEEDLES, training_hardware
from openscope.derive.openness.probes.license_declared import (
    card_license_for,
    scoped_in_card,
)
from openscope.derive.openness.probes.model_card import topics
from openscope.derive.openness.probes.model_metadata import documented_value

_LATIN = r"(?:(?<=[0-9A-Za-z_])(?![0-9A-Za-z_])|(?<![0-9A-Za-z_])(?=[0-9A-Za-z_]))"


_rec, _grades, _findings, _scopes = card_record, card_grades, card_findings, licence_scopes


# -- whole cards: Japanese and Korean, each with its English twin -------------------------------------------------

JA_CARD = """\
---
language:
- ja
- en
pipeline_tag: text-generation
---

# Kitsune-8B

Kitsune-8B は狐研究所が開発した日本語と英語のバイリンガル大規模言語モデルです。日本語と英語のコーパス 2 兆トークンでゼロから事前学習しました。

## モデル詳細

- **モデルタイプ:** Transformer ベースのデコーダのみの言語モデル
- **論文:** [Kitsune: 日英バイリンガル言語モデルの構築](https://arxiv.org/abs/2601.01234)
- **コード:** [acme/kitsune](https://github.com/acme/kitsune)

### アーキテクチャ

標準的なデコーダのみの Transformer を採用しています。モデルは 32 層、アテンションヘッド 32、隠れ次元 4096、コンテキスト長 8192 です。

## 学習データ

事前学習には日本語ウェブコーパス、日本語 Wikipedia、英語ウェブコーパス、ソースコードを用い、合計は約 2 兆トークンです。データの内訳は技術レポートをご覧ください。

## 学習

モデルは H100 GPU 512 基からなる計算クラスタで学習しました。学習率は 3e-4、バッチサイズは 1024、オプティマイザは AdamW を使用しました。

## 使い方

```python
from transformers import AutoModelForCausalLM, AutoTokenizer
model = AutoModelForCausalLM.from_pretrained("acme/Kitsune-8B")
```

推論には 24GB のメモリを持つ GPU が 1 枚必要です。

## 評価

| モデル | JMMLU | MMLU |
| --- | --- | --- |
| Kitsune-8B | 61.2 | 58.3 |

## 制限事項

本モデルは偏った内容や不正確な内容を生成する可能性があります。利用者ご自身で判断してください。

## ライセンス

本リポジトリのコードは Apache 2.0 ライセンスで公開しており、モデルの重みの利用には Kitsune コミュニティライセンスが適用されます。

## 引用

```
@misc{kitsune2026, title={Kitsune: a Japanese-English bilingual model}, author={Acme}, year={2026}}
```
"""

JA_EN_CARD = """\
---
language:
- ja
- en
pipeline_tag: text-generation
---

# Kitsune-8B

Kitsune-8B is a Japanese-English bilingual large language model developed by Fox Lab. It was pre-trained from scratch on a corpus of 2 trillion Japanese and English tokens.

## Model details

- **Model type:** a Transformer-based decoder-only language model
- **Paper:** [Kitsune: building a Japanese-English bilingual language model](https://arxiv.org/abs/2601.01234)
- **Code:** [acme/kitsune](https://github.com/acme/kitsune)

### Architecture

We use a standard decoder-only Transformer. The model has 32 layers, 32 attention heads, hidden size 4096 and context length 8192.

## Training data

Pre-training used a Japanese web corpus, Japanese Wikipedia, an English web corpus and source code, about 2 trillion tokens in all. See the technical report for the breakdown of the data.

## Training

The model was trained on a compute cluster of 512 H100 GPUs. The learning rate was 3e-4, the batch size 1024, and the optimizer AdamW.

## Usage

```python
from transformers import AutoModelForCausalLM, AutoTokenizer
model = AutoModelForCausalLM.from_pretrained("acme/Kitsune-8B")
```

Inference needs one GPU with 24 GB of memory.

## Evaluation

| Model | JMMLU | MMLU |
| --- | --- | --- |
| Kitsune-8B | 61.2 | 58.3 |

## Limitations

The model may produce biased or inaccurate content; users must judge it themselves.

## License

The code in this repository is released under the Apache 2.0 license, and use of the model weights is governed by the Kitsune Community License.

## Citation

```
@misc{kitsune2026, title={Kitsune: a Japanese-English bilingual model}, author={Acme}, year={2026}}
```
"""

KO_CARD = """\
---
language:
- ko
- en
---

# Bada-7B

<p align="center">🤗 <a href="https://huggingface.co/acme">Hugging Face</a> | 📑 <a href="https://acme.ai/bada-technical-report.pdf">기술 보고서</a></p>

## 소개

Bada-7B는 바다 연구소가 개발한 한국어·영어 이중 언어 모델입니다. 한국어와 영어 말뭉치 2조 토큰으로 처음부터 사전 학습했습니다.

## 모델 세부 정보

- 파라미터 수: 7B
- 레이어 수: 32, 어텐션 헤드: 32, 히든 사이즈: 4096, 컨텍스트 길이: 8192

## 학습 세부 정보

모델은 H100 GPU 256개로 구성된 학습 클러스터에서 학습되었으며, 총 8만 GPU 시간이 사용되었습니다. 학습률은 3e-4, 배치 크기는 1024이며 옵티마이저는 AdamW를 사용했습니다.

학습 코드는 [acme/bada](https://github.com/acme/bada)에서 공개되어 있습니다.

## 사용 방법

```python
from transformers import AutoModelForCausalLM
model = AutoModelForCausalLM.from_pretrained("acme/Bada-7B")
```

추론에는 24GB 메모리를 가진 GPU 한 장이 필요합니다.

## 평가 결과

| 모델 | KMMLU | MMLU |
| --- | --- | --- |
| Bada-7B | 48.1 | 60.2 |

## 한계

이 모델은 편향되거나 부정확한 내용을 생성할 수 있으므로, 사용자가 직접 판단해야 합니다.

## 라이선스

이 저장소의 코드는 Apache 2.0 라이선스를 따르며, 모델 가중치는 Bada AI 모델 라이선스 계약을 따릅니다.

## 인용

```
@misc{bada2026, title={Bada: a Korean-English bilingual model}, author={Acme}, year={2026}}
```
"""

KO_EN_CARD = """\
---
language:
- ko
- en
---

# Bada-7B

<p align="center">🤗 <a href="https://huggingface.co/acme">Hugging Face</a> | 📑 <a href="https://acme.ai/bada-technical-report.pdf">Technical Report</a></p>

## Introduction

Bada-7B is a Korean-English bilingual model developed by Bada Lab. It was pre-trained from scratch on 2 trillion tokens of Korean and English text.

## Model details

- Parameters: 7B
- Layers: 32, attention heads: 32, hidden size: 4096, context length: 8192

## Training details

The model was trained on a training cluster of 256 H100 GPUs, using 80,000 GPU hours in all. The learning rate was 3e-4, the batch size 1024, and the optimizer AdamW.

The training code is available at [acme/bada](https://github.com/acme/bada).

## Usage

```python
from transformers import AutoModelForCausalLM
model = AutoModelForCausalLM.from_pretrained("acme/Bada-7B")
```

Inference needs one GPU with 24 GB of memory.

## Evaluation results

| Model | KMMLU | MMLU |
| --- | --- | --- |
| Bada-7B | 48.1 | 60.2 |

## Limitations

The model may produce biased or inaccurate content, so users must judge it themselves.

## License

The code in this repository follows the Apache 2.0 license, and the model weights follow the Bada AI Model License Agreement.

## Citation

```
@misc{bada2026, title={Bada: a Korean-English bilingual model}, author={Acme}, year={2026}}
```
"""


@pytest.mark.parametrize(("card", "twin"), [(JA_CARD, JA_EN_CARD), (KO_CARD, KO_EN_CARD)], ids=["ja", "ko"])
def test_a_card_grades_as_the_same_card_in_english(card: str, twin: str) -> None:
    got, want = _grades(card), _grades(twin)
    assert got == want, {k: (got[k], want[k]) for k in got if got[k] != want[k]}
    # what the grades rest on is read, not absent: both cards document these
    assert got["hardware_architecture"] == "open" and got["licenses"] == "partial" and got["modelcard"] == "open", got


@pytest.mark.parametrize(("card", "twin"), [(JA_CARD, JA_EN_CARD), (KO_CARD, KO_EN_CARD)], ids=["ja", "ko"])
def test_a_card_has_the_same_findings_as_in_english(card: str, twin: str) -> None:
    got, want = _findings(card), _findings(twin)
    assert got == want, {k: (got[k], want[k]) for k in got if got[k] != want[k]}
    assert got["hardware_documented"][0] == "positive"
    assert got["model_metadata"][1] == "documented_not_released"
    assert got["license_declared"][1:] == ("restrictive_license", "other")
    assert got["technical_report"][0] == got["evaluation_results"][0] == "positive"


def test_the_japanese_card_documents_its_data_and_links_its_paper() -> None:
    got = _findings(JA_CARD)
    assert got["data_card"][1] == got["datasets_released"][1] == "documented_not_released"
    assert got["research_paper"][0] == "positive"


def test_the_korean_card_releases_its_training_code() -> None:
    assert _findings(KO_CARD)["training_code"][:2] == ("positive", "open_license")


@pytest.mark.parametrize(("card", "twin"), [(JA_CARD, JA_EN_CARD), (KO_CARD, KO_EN_CARD)], ids=["ja", "ko"])
def test_the_code_and_the_weights_licences_are_named_apart(card: str, twin: str) -> None:
    assert scoped_in_card(_rec(card)) == scoped_in_card(_rec(twin)) == [
        ("Apache-2.0", frozenset({"code"})), ("other", frozenset({"weights"}))]


# -- licences ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("本モデルはMITライセンスで公開しています。", [("MIT", ["weights"])]),
    ("本リポジトリのコードは MIT ライセンス、モデルの重みは CC BY-NC 4.0 で提供します。",
     [("MIT", ["code"]), ("CC-BY-NC-4.0", ["weights"])]),
    ("データセットは CC BY 4.0 で公開しています。", [("CC-BY-4.0", ["data"])]),
    ("本モデルは研究目的のみで利用できます。", [("other", ["weights"])]),
    ("本モデルの利用には利用規約への同意が必要です。", [("other", ["weights"])]),
    # (non-commercial words name no licence: `noncommercial-unnamed`, not CC BY-NC 4.0, since the thirty-fourth session)
    ("モデルの重みは商用利用不可です。", [("noncommercial-unnamed", ["weights"])]),
    ("코드는 MIT 라이선스, 모델 가중치는 CC BY-NC 4.0 라이선스를 따릅니다.", [("MIT", ["code"]), ("CC-BY-NC-4.0", ["weights"])]),
    ("데이터셋은 CC BY 4.0 라이선스로 공개합니다.", [("CC-BY-4.0", ["data"])]),
    ("이 모델은 연구 목적으로만 사용할 수 있습니다.", [("other", ["weights"])]),
    ("모델 가중치는 비상업적 용도로만 사용할 수 있습니다.", [("noncommercial-unnamed", ["weights"])]),  # (as above)
    ("모델 가중치는 Bada 커뮤니티 라이선스를 따릅니다.", [("other", ["weights"])]),
])
def test_licence_sentences_name_the_licence_and_what_it_covers(text: str, expected: list) -> None:
    assert _scopes(text) == expected


@pytest.mark.parametrize("text", ["本モデルはApache 2.0ライセンスで公開しています。", "이 모델은 Apache 2.0라이선스를 따릅니다.",
                                  "本モデルはMITライセンスです。", "이 모델은 MIT라이선스입니다."])
def test_a_licence_name_against_kana_or_hangul_is_read(text: str) -> None:
    """Kana and hangul are word characters to ``re`` (as Chinese characters are), so "2.0라" and "MITラ" have no
    ``\\b`` between them. The Latin names end at "not a Latin letter or digit", and Apache's version number ends
    at the "." or "0" before the kana or hangul: both read the name (a boundary check; it held before too)."""
    assert _scopes(text)[0][0] in ("Apache-2.0", "MIT")
    assert _findings(f"## License\n\n{text}\n")["license_declared"][1] == "open_license"


@pytest.mark.parametrize(("wrong", "right"), [
    ("## ライセンス\n\n本モデルは Apache 2.0 ライセンスで公開しています。商用利用に申請は不要です。\n",
     "## ライセンス\n\n本モデルは Apache 2.0 ライセンスで公開しています。商用利用には当社の許諾が必要です。\n"),
    ("## ライセンス\n\n本モデルは Apache 2.0 ライセンスで公開しています。商用利用も許可されています。\n",
     "## ライセンス\n\n本モデルは Apache 2.0 ライセンスで公開しています。商用利用をご希望の場合はお問い合わせください。\n"),
    ("## 라이선스\n\n이 모델은 Apache 2.0 라이선스를 따릅니다. 상업적 이용에 별도의 승인이 필요하지 않습니다.\n",
     "## 라이선스\n\n이 모델은 Apache 2.0 라이선스를 따릅니다. 상업적 이용 시 별도의 승인을 받아야 합니다.\n"),
    ("## 라이선스\n\n이 모델은 Apache 2.0 라이선스를 따릅니다. 상업적 이용은 승인 없이 가능합니다.\n",
     "## 라이선스\n\n이 모델은 Apache 2.0 라이선스를 따릅니다. 상업적 이용은 별도 문의 바랍니다.\n"),
])
def test_commercial_use_by_permission_is_a_licence_agreement(wrong: str, right: str) -> None:
    assert _findings(wrong)["license_declared"][1:] == ("open_license", "apache-2.0")
    assert _findings(right)["license_declared"][1:] == ("restrictive_license", "other")


@pytest.mark.parametrize(("card", "licence"), [
    ("## ライセンス\n\n本モデルは MIT ライセンスで公開しています。\n", "MIT"),
    ("## モデルのライセンス\n\n本モデルは MIT ライセンスで公開しています。\n", "MIT"),
    ("## 라이선스\n\n이 모델은 MIT 라이선스를 따릅니다.\n", "MIT"),
    ("## 라이선스\n\n자세한 내용은 LICENSE 파일을 참고하세요.\n", None),
    ("## ライセンス\n\n詳細は LICENSE ファイルをご覧ください。\n", None),
])
def test_a_heading_that_announces_a_licence_section_names_no_licence(card: str, licence: str | None) -> None:
    assert scoped_in_card(_rec(card)) == ([(licence, frozenset({"weights"}))] if licence else [])


@pytest.mark.parametrize("text", ["本リポジトリのコードは MIT ライセンスです。\n", "이 저장소의 코드는 MIT 라이선스를 따릅니다.\n"])
def test_a_licence_named_only_for_the_code_is_not_the_weights_licence(text: str) -> None:
    rec = _rec(text)
    assert card_license_for(rec, "code", explicit_only=True) == "MIT"
    assert card_license_for(rec, "weights", explicit_only=True) is None
    assert _findings(text)["weights_released"][2] is None


# -- hardware and architecture ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("running", "training"), [
    ("推論には 24GB のメモリを持つ GPU が 1 枚必要です。", "モデルは H100 GPU 512 基で学習しました。"),
    ("量子化したモデルは一般向けの GPU で実行できます。", "事前学習には約 5 万 GPU 時間の計算資源を用いました。"),
    ("vLLM を使えば A100 にデプロイできます。", "ファインチューニングは A100 8 枚で行いました。"),
    ("추론에는 24GB 메모리를 가진 GPU 한 장이 필요합니다.", "모델은 H100 GPU 256개로 학습되었습니다."),
    ("vLLM으로 A100 GPU에 배포할 수 있습니다.", "사전 학습에는 A100 GPU 1,024개가 사용되었습니다."),
    # time a reply takes is not GPU hours
    ("H100 GPU での推論時間は 20ms です。", "学習には H100 GPU を約 3 万時間使いました。"),
    ("A100 GPU 한 장에서 추론 지연 시간은 20ms입니다.", "학습에는 A100 GPU 약 3만 시간이 들었습니다."),
])
def test_hardware_to_run_the_model_is_not_training_hardware(running: str, training: str) -> None:
    assert training_hardware(_rec(f"# M\n\n{running}\n")) is None
    assert training_hardware(_rec(f"# M\n\n{training}\n")) is not None


@pytest.mark.parametrize("text", ["モデルは 32 層の Transformer です。", "アテンションヘッドは 32、隠れ次元は 4096 です。",
                                  "레이어 수는 32, 어텐션 헤드는 32개입니다.", "컨텍스트 길이는 8192입니다."])
def test_architecture_words_are_read(text: str) -> None:
    from openscope.derive.openness.probes import card_search
    assert card_search(_rec(f"# M\n\n{text}\n"), ARCH, needles=ARCH_NEEDLES) is not None


# -- code: released, promised, cited ------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["位置埋め込みには RoPEを採用しています。", "Mixture of Expertsを採用しました。",
                                  "SwiGLU를 사용합니다.", "FFN에는 SwiGLU, 위치 인코딩에는 RoPE를 씁니다."])
def test_a_latin_word_right_before_a_particle_is_read(text: str) -> None:
    """Kana and hangul are word characters to ``re``: ``\\bRoPE\\b`` finds nothing in "RoPEを" or "RoPE를". In a text
    with kana or hangul the patterns are searched with Latin word boundaries."""
    from openscope.derive.openness.probes import card_search
    assert card_search(_rec(f"# M\n\n{text}\n"), ARCH, needles=ARCH_NEEDLES) is not None


def test_latin_boundaries_change_nothing_in_an_ascii_text() -> None:
    import sys

    assert latin_boundaries(r"\bx\b[\b]\\b") == f"{_LATIN}x{_LATIN}[\\b]\\\\b"
    patterns = [rx for mod in list(sys.modules.values())
                if getattr(mod, "__name__", "").startswith("openscope.derive.openness.probes")
                for rx in vars(mod).values() if hasattr(rx, "pattern") and id(rx) in _KANA]
    assert len(patterns) >= 20
    for rx in patterns:
        for text in (JA_EN_CARD, KO_EN_CARD):
            assert [m.span() for m in _KANA[id(rx)].finditer(text)] == [m.span() for m in rx.finditer(text)]


@pytest.mark.parametrize(("wrong", "right"), [
    ("# M\n\n学習コードは近日公開予定です。\n", "# M\n\n学習コードは [GitHub](https://github.com/acme/kitsune) で公開しています。\n"),
    ("# M\n\n学習コードは現在準備中です。\n", "# M\n\n学習コードを公開しました。\n"),
    ("# M\n\n학습 코드는 추후 공개 예정입니다.\n", "# M\n\n학습 코드는 [GitHub](https://github.com/acme/bada)에서 공개되어 있습니다.\n"),
    ("# M\n\n학습 코드는 아직 공개되지 않았습니다.\n", "# M\n\n학습 코드를 공개했습니다.\n"),
])
def test_training_code_promised_is_not_training_code_released(wrong: str, right: str) -> None:
    assert _findings(wrong)["training_code"][0] != "positive"
    assert _findings(right)["training_code"][0] == "positive"


@pytest.mark.parametrize(("cited", "own"), [
    ("# M\n\n実装は [コード](https://github.com/other/base) を参考にしました。\n",
     "# M\n\n実装は [コード](https://github.com/acme/kitsune) にあります。\n"),
    ("# M\n\n## 謝辞\n\n学習コードは [GitHub](https://github.com/other/trainer) で公開されています。\n",
     "# M\n\n## 学習\n\n学習コードは [GitHub](https://github.com/acme/trainer) で公開されています。\n"),
    ("# M\n\n구현은 [코드](https://github.com/other/base)를 참고했습니다.\n",
     "# M\n\n구현은 [코드](https://github.com/acme/bada)에 있습니다.\n"),
    ("# M\n\n## 감사의 글\n\n학습 코드는 [GitHub](https://github.com/other/trainer)에서 공개되어 있습니다.\n",
     "# M\n\n## 학습\n\n학습 코드는 [GitHub](https://github.com/acme/trainer)에서 공개되어 있습니다.\n"),
])
def test_code_the_card_cites_is_not_its_own(cited: str, own: str) -> None:
    assert own_code_repository(_rec(cited)) is None
    assert own_code_repository(_rec(own)) is not None


@pytest.mark.parametrize("title", ["謝辞", "参考文献", "関連プロジェクト", "감사의 글", "참고 문헌", "관련 프로젝트"])
def test_thanks_and_reference_sections_are_others_work(title: str) -> None:
    assert zsearch(CITING_SECTION, title) is not None


# -- documents -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("own", "cited"), [
    ("# M\n\nテスト用のモデルです。\n\n[技術レポート](https://acme.ai/kitsune-report.pdf)\n",
     "# M\n\nテスト用のモデルです。\n\n手法は [技術レポート](https://other.ai/base-report.pdf) を参考にしました。\n"),
    ("# M\n\n테스트용 모델입니다.\n\n[기술 보고서](https://acme.ai/bada-report.pdf)\n",
     "# M\n\n테스트용 모델입니다.\n\n방법은 [기술 보고서](https://other.ai/base-report.pdf)를 참고했습니다.\n"),
])
def test_a_technical_report_linked_as_ours_counts_and_a_cited_one_does_not(own: str, cited: str) -> None:
    assert _findings(own)["technical_report"][0] == "positive"
    assert _findings(cited)["technical_report"][0] == "negative"


@pytest.mark.parametrize("text", ["私たちの論文は [こちら](https://arxiv.org/abs/2601.01234) をご覧ください。",
                                  "저희 논문은 [여기](https://arxiv.org/abs/2601.01234)에서 보실 수 있습니다."])
def test_a_paper_the_card_calls_its_own_counts(text: str) -> None:
    filler = "\n".join(f"第{i}段落。" for i in range(45))   # past the header lines, where a lone link would count
    assert _findings(f"# M\n\n{filler}\n\n{text}\n")["research_paper"][0] == "positive"


# -- model card topics, hyperparameters, results --------------------------------------------------------------

@pytest.mark.parametrize("card", [
    "## 用途\n\n{t}\n\n## 制限事項\n\n{t}\n\n## 学習データ\n\n{t}\n\n## 評価\n\n{t}\n",
    "## 사용 방법\n\n{t}\n\n## 한계\n\n{t}\n\n## 학습 데이터\n\n{t}\n\n## 평가\n\n{t}\n",
])
def test_section_titles_are_model_card_topics(card: str) -> None:
    text = card.format(t="この節には二十文字ほどの説明があります。" if "用途" in card else "이 절에는 스무 자 남짓한 설명이 있습니다.")
    assert sorted(topics(_rec(text))) == ["evaluation", "limitations", "training", "uses"]


@pytest.mark.parametrize(("wrong", "right"), [
    ("推論時のバッチサイズは 8 です。", "学習率は 2e-5、バッチサイズは 256 です。"),
    ("バッチサイズはお好みで調整できます。", "オプティマイザは AdamW を使用しました。"),
    ("배치 크기는 필요에 따라 조정할 수 있습니다.", "학습률은 2e-5, 배치 크기는 256입니다."),
    ("추론 시 배치 크기는 8입니다.", "옵티마이저는 AdamW를 사용했습니다."),
])
def test_hyperparameters_are_documented_with_their_values(wrong: str, right: str) -> None:
    assert documented_value(_rec(f"# M\n\n{wrong}\n")) is None
    assert documented_value(_rec(f"# M\n\n{right}\n")) is not None


@pytest.mark.parametrize("card", ["## 評価結果\n\n| 項目 | スコア |\n| --- | --- |\n| 日本語理解 | 61.2 |\n",
                                  "## 평가 결과\n\n| 항목 | 점수 |\n| --- | --- |\n| 한국어 이해 | 61.2 |\n"])
def test_a_results_table_with_japanese_or_korean_headers_is_read(card: str) -> None:
    assert _findings(card)["evaluation_results"][0] == "positive"


# -- weights, data, other code, samples, "open source" ---------------------------------------------------------------

@pytest.mark.parametrize(("wrong", "right"), [
    ("# M\n\n重みは公開していません。API経由でのみ利用できます。\n", "# M\n\n重みを Hugging Face で公開しました。\n"),
    ("# M\n\n가중치는 공개하지 않습니다. API로만 제공됩니다.\n", "# M\n\n가중치를 Hugging Face에 공개했습니다.\n"),
])
def test_weights_withheld_or_released(wrong: str, right: str) -> None:
    from openscope.derive.openness.probes.weights_released import NOT_RELEASED, RELEASED_TEXT

    assert zsearch(NOT_RELEASED, wrong) is not None and zsearch(RELEASED_TEXT, wrong) is None
    assert zsearch(RELEASED_TEXT, right) is not None and zsearch(NOT_RELEASED, right) is None


@pytest.mark.parametrize(("evaluation", "training"), [
    ("## 評価データセット\n\n- [acme/jcqa](https://huggingface.co/datasets/acme/jcqa)\n",
     "## 学習データセット\n\n- [acme/ja-web](https://huggingface.co/datasets/acme/ja-web)\n"),
    ("# M\n\nベンチマーク [acme/jcqa](https://huggingface.co/datasets/acme/jcqa) で評価しました。\n",
     "# M\n\n[acme/ja-web](https://huggingface.co/datasets/acme/ja-web) で学習しました。\n"),
    ("## 평가 데이터셋\n\n- [acme/kobench](https://huggingface.co/datasets/acme/kobench)\n",
     "## 데이터셋\n\n- [acme/ko-web](https://huggingface.co/datasets/acme/ko-web)\n"),
])
def test_an_evaluation_set_is_not_training_data(evaluation: str, training: str) -> None:
    assert _findings(evaluation)["datasets_released"][0] == "negative"
    assert _findings(training)["datasets_released"][0] == "positive"


@pytest.mark.parametrize(("probe", "text"), [
    ("evaluation_code", "評価用スクリプトを同梱しています。"),
    ("evaluation_code", "평가 코드를 함께 제공합니다."),
    ("preprocessing_code", "データ前処理コードも同梱しています。"),
    ("preprocessing_code", "데이터 전처리 코드도 함께 제공합니다."),
    ("data_card", "データセットカードを同梱しています。"),
    ("data_card", "데이터셋 카드를 함께 제공합니다."),
])
def test_other_code_and_data_cards_are_read(probe: str, text: str) -> None:
    """Named in the card: released (the data card) or documented (preprocessing code with no repository)."""
    assert _findings(f"# M\n\n{text}\n")[probe][1] != "not_found"


@pytest.mark.parametrize(("card", "outcome"), [
    ("## 出力例\n\n![](./images/cat.png)\n", "positive"),
    ("## 생성 예시\n\n![](./images/cat.png)\n", "positive"),
    ("## 概要\n\n![](./images/cat.png)\n", "negative"),
])
def test_an_image_in_a_samples_section_is_a_sample_output(card: str, outcome: str) -> None:
    assert _findings(card)["sample_outputs"][0] == outcome


@pytest.mark.parametrize(("text", "claim"), [
    ("本モデルはオープンソースとして公開しました。", True),
    ("学習コードをオープンソース化しました。", True),
    ("本モデルはオープンソースです。", True),
    ("他のオープンソースモデルと比較しました。", False),
    ("本モデルは今後オープンソースとして公開する予定です。", False),
    ("이 모델은 오픈소스로 공개했습니다.", True),
    ("이 모델은 오픈소스입니다.", True),
    ("다른 오픈소스 모델과 비교했습니다.", False),
    ("추후 오픈소스로 공개할 예정입니다.", False),
])
def test_an_open_source_claim_is_the_release_speaking_of_itself(text: str, claim: bool) -> None:
    assert (_findings(f"# M\n\n{text}\n")["open_source_claim"][0] == "positive") is claim


# -- lengths and speed ----------------------------------------------------------------------------------------

def test_kana_and_hangul_count_twice_as_chinese_characters_do() -> None:
    assert reading_length("あいう") == reading_length("가나다") == reading_length("中文字") == 6
    assert reading_length("abc") == 3


def test_a_text_without_kana_or_hangul_does_not_pay_for_the_japanese_and_korean_sides() -> None:
    """A pattern with Japanese and Korean alternatives is searched whole only in a text with kana or hangul; a
    Chinese card is searched with its English and Chinese sides, an English card with its English side."""
    from openscope.derive.openness.probes._own_evidence import PROMISE

    assert len(_HAN) >= 15
    assert for_text(PROMISE, "ascii text") is _ENGLISH[id(PROMISE)]
    assert for_text(PROMISE, "训练代码即将发布") is _HAN[id(PROMISE)]
    assert for_text(PROMISE, "学習コードは公開予定です") is _KANA[id(PROMISE)]
    assert not kana_or_hangul("训练代码即将发布・") and kana_or_hangul("모델") and kana_or_hangul("モデル")


ZH_TEXT = """\
# 模型介绍

本模型基于 Transformer 结构，共 32 层，在 512 张昇腾 910B 组成的训练集群上训练，学习率为 3e-4。训练代码即将开源，敬请期待。
推理需要一张 24G 显存的显卡。技术报告已发布，详见[技术报告](https://acme.ai/report.pdf)。

## 致谢

感谢 [Megatron-LM](https://github.com/NVIDIA/Megatron-LM) 的训练框架，参考了 [Foo](https://arxiv.org/abs/2601.00002)。

## 协议

本仓库的代码遵循 Apache 2.0 协议，模型权重仅供学术研究使用，商用需邮件申请授权。数据集采用 CC BY 4.0 协议。
"""
ZH_EN_TEXT = "## 模型信息/Model Information\n\n我们的代码已开源。Our code is released; the weights will be released soon.\n"


def test_a_chinese_text_finds_the_same_matches_without_the_japanese_and_korean_side() -> None:
    """The Japanese and Korean sides hold kana or hangul in most alternatives; the few kanji-only ones (謝辞, 学習)
    are not Chinese words, so a Chinese card's reading does not change."""
    import sys

    patterns = [rx for mod in list(sys.modules.values())
                if getattr(mod, "__name__", "").startswith("openscope.derive.openness.probes")
                for rx in vars(mod).values() if hasattr(rx, "pattern") and id(rx) in _HAN]
    assert patterns
    for rx in patterns:
        for text in (ZH_TEXT, ZH_EN_TEXT):
            assert [m.span() for m in for_text(rx, text).finditer(text)] == [m.span() for m in rx.finditer(text)]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("run", ["学習コードは", "코드는 ", "商用", "상업적 이용", "技術レポートを", "기술 보고서를 ", "今後",
                                 "추후 ", "1層", "3 개 층", "[コード](https://github.com/a/b)"])
def test_japanese_and_korean_rules_take_bounded_time_on_long_runs(run: str) -> None:
    body = run * (200_000 // len(run))
    for text in (f"# M\n\n## ライセンス\n\n{body}\n", f"# M\n\n## 라이선스\n\n{body.replace('。', '')}\n"):
        run_all(_rec(text))
