"""Evidence review, eighth round (thirtieth session): 25 model cards written for this round in its own words.

None is copied from a real card; the publishers, ids and datasets are made up. Each card has beside it what a careful
reader grades, written before openscope was run on it (docs/reviews.md, *Evidence review, eighth round*): per probe,
the set of statuses a careful reader would accept. ``hw_hardware`` / ``hw_architecture`` are the hardware probe's two
halves, ``claim`` the open-source-claim probe's outcome.
"""

from __future__ import annotations

NF, DNR, NL, RL, OL = "not_found", "documented_not_released", "no_license", "restrictive_license", "open_license"
FOUND = {NL, RL, OL}
CARDS: dict[str, tuple[str, str]] = {}
EXPECTED: dict[str, dict[str, set[object]]] = {}

# 1 a base model that releases everything, in a field-list style
CARDS["full_release"] = ("kestrel-ai/Kestrel-3B", """---
license: apache-2.0
datasets:
- kestrel-ai/kestrel-mix
language: [en]
---
# Kestrel-3B

Kestrel-3B is a fully open source 3-billion-parameter language model: weights, data and code.

- **Developed by:** Kestrel AI
- **Training code:** [kestrel-ai/kestrel-train](https://github.com/kestrel-ai/kestrel-train) (Apache-2.0)
- **Training data:** [kestrel-mix](https://huggingface.co/datasets/kestrel-ai/kestrel-mix), 2.1T tokens, ODC-By
- **Paper:** [Kestrel: an open 3B model](https://arxiv.org/abs/2409.01234)

## Architecture

A decoder-only transformer with 26 layers, 24 attention heads, rotary embeddings and a 4,096-token context.

## Training

Kestrel-3B was trained for 11 days on 128 H100 GPUs.

## Evaluation

| Task | Kestrel-3B |
|---|---|
| ARC-Challenge | 48.1 |
| HellaSwag | 71.9 |
""")
EXPECTED["full_release"] = dict(training_code={OL}, datasets_released=FOUND, hw_hardware={True}, hw_architecture={True},
                                architecture_code={OL, NL}, evaluation_results=FOUND, research_paper=FOUND,
                                license_declared={OL}, claim={"positive"})

# 2 Japanese: training code on GitHub, layer count, A100s
CARDS["japanese"] = ("sakura-lab/Hibari-1.3B", """---
license: cc-by-sa-4.0
language: [ja]
---
# Hibari-1.3B

Hibari-1.3B は日本語のウェブテキストで事前学習した言語モデルです。

## モデル構造

24 層のデコーダのみのトランスフォーマーで、アテンションヘッドは 16 です。

## 学習

学習コードは GitHub で公開しています: [sakura-lab/hibari](https://github.com/sakura-lab/hibari)

学習には A100 GPU 16 基を使い、約 10 日かかりました。
""")
EXPECTED["japanese"] = dict(training_code={NL, OL}, hw_hardware={True}, hw_architecture={True},
                            architecture_code={DNR, NL, OL}, license_declared={OL}, datasets_released={NF})

# 3 Korean instruct fine-tune: own data kept back, non-commercial licence
CARDS["korean"] = ("hangang/Gaon-7B-Instruct", """---
license: cc-by-nc-4.0
base_model: hangang/Gaon-7B
language: [ko]
---
# Gaon-7B-Instruct

Gaon-7B를 한국어 지시문으로 미세 조정한 모델입니다.

## 학습 데이터

자체 구축한 한국어 지시문 데이터 12만 건으로 학습했습니다. 이 데이터는 공개하지 않습니다.

## 학습 환경

A100 80GB 8장으로 3일간 학습했습니다.
""")
EXPECTED["korean"] = dict(training_code={NF}, datasets_released={NF, DNR}, hw_hardware={True}, license_declared={RL},
                          architecture_code={NF})

# 4 Brazilian Portuguese: "código de treinamento", "12 camadas"
CARDS["portuguese"] = ("rio-nlp/Sabia-lite", """---
license: mit
language: [pt]
---
# Sabiá-lite

Um modelo de linguagem pequeno para o português do Brasil.

## Detalhes do modelo

Transformer somente decodificador com 12 camadas e 12 cabeças de atenção.

## Treinamento

O código de treinamento está disponível no GitHub: [rio-nlp/sabia-lite](https://github.com/rio-nlp/sabia-lite).
Treinado por 4 dias em 8 GPUs V100.
""")
EXPECTED["portuguese"] = dict(training_code={NL, OL}, hw_hardware={True}, hw_architecture={True},
                              architecture_code={DNR, NL, OL}, license_declared={OL})

# 5 Italian: "Il codice di addestramento è su GitHub"
CARDS["italian"] = ("bologna-ai/Passero-350M", """---
license: apache-2.0
language: [it]
---
# Passero-350M

Passero-350M è un piccolo modello linguistico italiano.

## Architettura

Un transformer di soli decoder con 24 strati.

## Addestramento

Il codice di addestramento è su GitHub: [bologna-ai/passero](https://github.com/bologna-ai/passero).
""")
EXPECTED["italian"] = dict(training_code={NL, OL}, hw_hardware={False}, hw_architecture={True},
                           architecture_code={DNR, NL, OL}, license_declared={OL})

# 6 Dutch: "De trainingscode staat op GitHub" (a language no rule names)
CARDS["dutch"] = ("delft-nlp/Merel-1B", """---
license: apache-2.0
language: [nl]
---
# Merel-1B

Merel-1B is een Nederlands taalmodel.

## Training

De trainingscode staat op GitHub: [delft-nlp/merel](https://github.com/delft-nlp/merel).
Getraind op 32 H100 GPU's.
""")
EXPECTED["dutch"] = dict(training_code={NL, OL}, hw_hardware={True}, license_declared={OL})

# 7 GGUF quantisation under the base's custom licence
CARDS["gguf_custom"] = ("quantfolk/Heron-8B-Instruct-GGUF", """---
license: other
license_name: heron-community
license_link: https://example.org/heron/LICENSE
base_model: birdlab/Heron-8B-Instruct
quantized_by: quantfolk
---
## Heron-8B-Instruct GGUF

Quantised with llama.cpp b3600 using an importance matrix.

| Quant | Size |
|---|---|
| Q5_K_M | 5.7 GB |
| IQ4_XS | 4.4 GB |

Use under the Heron Community License of the base model.
""")
EXPECTED["gguf_custom"] = dict(training_code={NF}, datasets_released={NF}, hw_hardware={False},
                               hw_architecture={False}, license_declared={RL}, evaluation_results={NF},
                               claim={"negative", "unknown"})

# 8 a mergekit TIES merge, `library_name: transformers`
CARDS["merge_ties"] = ("mixers/Starling-Heron-TIES-8B", """---
library_name: transformers
license: apache-2.0
tags: [mergekit, merge]
base_model:
- birdlab/Heron-8B
- starcorp/Starling-8B
---
# Starling-Heron-TIES-8B

This model was merged using [mergekit](https://github.com/arcee-ai/mergekit) with the TIES method.

### Configuration

```yaml
models:
  - model: starcorp/Starling-8B
    parameters: {density: 0.5, weight: 0.5}
merge_method: ties
base_model: birdlab/Heron-8B
dtype: bfloat16
```
""")
EXPECTED["merge_ties"] = dict(training_code={NF}, datasets_released={NF}, hw_hardware={False},
                              architecture_code={OL}, supporting_libraries=FOUND, license_declared={OL})

# 9 a QLoRA adapter card as PEFT writes it, data declared by id
CARDS["qlora"] = ("owlkit/heron-recipes-qlora", """---
library_name: peft
base_model: birdlab/Heron-8B
datasets: [owlkit/recipes-sft]
license: apache-2.0
---
# heron-recipes-qlora

A QLoRA adapter that turns Heron-8B into a cooking assistant.

## Training procedure

The following `bitsandbytes` quantization config was used during training:
- load_in_4bit: True
- bnb_4bit_quant_type: nf4

### Framework versions

- PEFT 0.7.1
""")
EXPECTED["qlora"] = dict(training_code={NF}, datasets_released={NL, OL}, hw_hardware={False},
                         architecture_code={OL}, inference_code={OL}, license_declared={OL})

# 10 a diffusion fine-tune made with a library's example script (a rule question: whose training code?)
CARDS["diffusion_script"] = ("pixelbarn/sd15-pixel-art", """---
license: creativeml-openrail-m
base_model: runwayml/stable-diffusion-v1-5
datasets: [pixelbarn/pixel-captions]
tags: [text-to-image, diffusers]
---
# sd15-pixel-art

Stable Diffusion 1.5 fine-tuned on 6,000 captioned pixel-art sprites.

Trained with the diffusers example script on 4 A100 GPUs:

```bash
accelerate launch train_text_to_image.py --pretrained_model_name_or_path=runwayml/stable-diffusion-v1-5 \\
  --dataset_name=pixelbarn/pixel-captions --resolution=512 --max_train_steps=15000
```
""")
EXPECTED["diffusion_script"] = dict(training_code={NF, DNR}, datasets_released={NL, OL, RL}, hw_hardware={True},
                                    license_declared={RL}, architecture_code={NF, OL})

# 11 a Swahili ASR fine-tune, results in a table, one V100
CARDS["asr_swahili"] = ("pwani-speech/wav2vec2-large-sw", """---
license: apache-2.0
language: [sw]
datasets: [mozilla-foundation/common_voice_11_0]
---
# wav2vec2-large-sw

A wav2vec 2.0 model fine-tuned for Swahili speech recognition on the Swahili part of Common Voice 11.

| Test set | WER |
|---|---|
| Common Voice 11 (sw) test | 18.4 |

Fine-tuning took 20 hours on a single V100.
""")
EXPECTED["asr_swahili"] = dict(training_code={NF}, datasets_released=FOUND, hw_hardware={True},
                               evaluation_results=FOUND, license_declared={OL})

# 12 an image classifier whose repository holds its training and evaluation scripts
CARDS["vit_code"] = ("crane-vision/crane-vit-b16", """---
license: apache-2.0
pipeline_tag: image-classification
---
# Crane ViT-B/16

**Code:** [crane-vision/crane-vit](https://github.com/crane-vision/crane-vit) — our training and evaluation scripts.

**Paper:** [Crane: data-efficient vision transformers](https://arxiv.org/abs/2403.04567)

### Model architecture

ViT-B/16: 12 transformer layers, 12 heads, patch size 16.

### Results

Top-1 accuracy on ImageNet-1k validation: 81.2%.
""")
EXPECTED["vit_code"] = dict(training_code={NL, OL}, evaluation_code={NL, OL}, research_paper=FOUND,
                            hw_architecture={True}, evaluation_results=FOUND, architecture_code={NL, OL},
                            license_declared={OL})

# 13 "open source" said of a non-commercial embedding model
CARDS["nc_claim"] = ("lumen/lumen-embed-v1", """---
license: cc-by-nc-4.0
library_name: sentence-transformers
---
# lumen-embed-v1

Our fully open-source embedding model for retrieval in 20 languages.

It maps sentences to 768-dimensional vectors. Commercial use requires a separate agreement with Lumen.
""")
EXPECTED["nc_claim"] = dict(license_declared={RL}, claim={"positive"}, training_code={NF}, datasets_released={NF},
                            architecture_code={OL}, inference_code={OL})

# 14 Chinese fine-tune: own data kept back, A800 cards, Apache 2.0
CARDS["chinese_ft"] = ("jiangnan/Yan-7B-Chat", """---
license: apache-2.0
---
# Yan-7B-Chat

本模型基于 Yan-7B 进行指令微调，用于中文对话。

## 训练数据

我们使用了约 5 万条自建中文多轮对话数据，暂不公开。

## 训练细节

在 8 张 A800 显卡上训练 2 天，学习率为 2e-5。
""")
EXPECTED["chinese_ft"] = dict(datasets_released={NF, DNR}, hw_hardware={True}, training_code={NF},
                              license_declared={OL})

# 15 a technical report, no paper
CARDS["tech_report"] = ("harbor/Harbor-Coder-1.5B", """---
license: bsd-3-clause
---
# Harbor-Coder-1.5B

A small code completion model for Python and TypeScript.

Read the [technical report (PDF)](https://example.org/harbor-coder-report.pdf) for the data pipeline and results.

## Evaluation

HumanEval pass@1: 31.7
""")
EXPECTED["tech_report"] = dict(technical_report=FOUND, research_paper={NF}, evaluation_results=FOUND,
                               license_declared={OL}, training_code={NF})

# 16 a sibling's sections in a release's card (FastChat-T5-like: the family's chat model described, not this one)
CARDS["sibling_sections"] = ("birdlab/Wren-T5-3B", """---
license: apache-2.0
---
# Wren-T5-3B

Wren-T5-3B is a chat assistant fine-tuned from Flan-T5-XL.

## Model details

- **Model type:** encoder-decoder transformer
- **License:** Apache 2.0

## Training data

Wren-T5-3B was fine-tuned on 70K conversations collected from a public sharing site.

## Evaluation

Wren-T5-3B was compared with other chat models by a panel of judges.

## Data: Heron-Chat

Heron-Chat is created by fine-tuning [Heron-13B](https://huggingface.co/birdlab/Heron-13B) on
[chat-logs-70k](https://huggingface.co/datasets/birdlab/chat-logs-70k), trained on 32 A100 GPUs.
""")
EXPECTED["sibling_sections"] = dict(datasets_released={NF, DNR}, hw_architecture={True}, license_declared={OL},
                                    training_code={NF}, hw_hardware={False})

# 17 data and code explicitly kept back
CARDS["withheld"] = ("northwind/Gale-13B", """---
license: apache-2.0
---
# Gale-13B

## Release notes

We release the final weights only.

- Training data: not released, for licensing reasons.
- Training code: not released.

## Intended use

Research on long-context summarisation.
""")
EXPECTED["withheld"] = dict(datasets_released={NF, DNR}, training_code={NF, DNR}, license_declared={OL},
                            hw_hardware={False})

# 18 a state-space model trained on TPUs
CARDS["ssm_tpu"] = ("tidal/Tidal-SSM-2.8B", """---
license: apache-2.0
---
# Tidal-SSM-2.8B

A selective state-space language model (no attention): 48 blocks, hidden size 2,560.

Tidal-SSM-2.8B was trained on a TPU v5e pod slice of 256 chips for 9 days, on 1.2 trillion tokens of
[tidal-web](https://huggingface.co/datasets/tidal/tidal-web).
""")
EXPECTED["ssm_tpu"] = dict(hw_hardware={True}, hw_architecture={True}, datasets_released=FOUND, license_declared={OL})

# 19 compute given as GPU-hours
CARDS["gpu_hours"] = ("fjord-ai/Fjord-13B", """---
license: apache-2.0
---
# Fjord-13B

## Compute

Pretraining used about 90,000 H100 GPU-hours on our own cluster (1.1e23 FLOPs).

## Limitations

Fjord-13B can produce confident but false statements.
""")
EXPECTED["gpu_hours"] = dict(hw_hardware={True}, hw_architecture={False}, license_declared={OL}, training_code={NF})

# 20 a cross-encoder reranker as sentence-transformers writes it
CARDS["reranker"] = ("gulf-ir/ms-reranker-mini", """---
license: apache-2.0
library_name: sentence-transformers
datasets: [gulf-ir/msmarco-hard-negatives]
pipeline_tag: text-ranking
---
# ms-reranker-mini

A cross-encoder that scores query-passage pairs, trained on hard negatives mined from MS MARCO.

## Usage

```python
from sentence_transformers import CrossEncoder
model = CrossEncoder("gulf-ir/ms-reranker-mini")
scores = model.predict([("what is a fjord", "A fjord is a long, narrow inlet.")])
```

## Results

| Dataset | MRR@10 |
|---|---|
| MS MARCO dev | 37.9 |
""")
EXPECTED["reranker"] = dict(inference_code={OL}, architecture_code={OL}, datasets_released={NL, OL},
                            evaluation_results=FOUND, training_code={NF}, license_declared={OL})

# 21 a fine-tune that links only its base's paper
CARDS["base_paper"] = ("marsh/heron-8b-legal", """---
license: apache-2.0
base_model: birdlab/Heron-8B
---
# heron-8b-legal

A fine-tune of Heron-8B ([paper](https://arxiv.org/abs/2405.09999)) on public court rulings.

Trained for two epochs with LLaMA-Factory on 2 x A6000.
""")
EXPECTED["base_paper"] = dict(research_paper={NF}, training_code={NF}, hw_hardware={True}, license_declared={OL})

# 22 a TTS model: code "coming soon", trained on consumer cards
CARDS["tts_soon"] = ("chorus/Chorus-TTS-v1", """---
license: mit
pipeline_tag: text-to-speech
---
# Chorus-TTS v1

An expressive English text-to-speech model.

* Training code: coming soon
* Trained on 8 x RTX 4090 for two weeks on 900 hours of licensed audiobooks (not redistributable).
""")
EXPECTED["tts_soon"] = dict(training_code={NF, DNR}, hw_hardware={True}, datasets_released={NF, DNR},
                            license_declared={OL})

# 23 a card that only points to its GitHub for details
CARDS["github_pointer"] = ("zephyrine/Zephyrine-2B", """---
license: apache-2.0
---
# Zephyrine-2B

For details, please see our GitHub repository: [zephyrine/zephyrine](https://github.com/zephyrine/zephyrine).
""")
EXPECTED["github_pointer"] = dict(architecture_code={NF}, training_code={NF}, inference_code={NF},
                                  license_declared={OL}, hw_hardware={False})

# 24 an MLX conversion with its usage code
CARDS["mlx_usage"] = ("mlx-folk/Heron-8B-4bit-mlx", """---
library_name: mlx
license: apache-2.0
base_model: birdlab/Heron-8B
tags: [mlx]
---
# Heron-8B-4bit-mlx

Converted to MLX format with mlx-lm 0.15.2.

```python
from mlx_lm import load, generate
model, tokenizer = load("mlx-folk/Heron-8B-4bit-mlx")
print(generate(model, tokenizer, prompt="hello"))
```
""")
EXPECTED["mlx_usage"] = dict(inference_code={OL}, architecture_code={OL}, training_code={NF}, datasets_released={NF},
                             hw_hardware={False}, license_declared={OL})

# 25 French clinical NER: in-house data, one V100, non-commercial licence, F1 in prose
CARDS["french_ner"] = ("lille-sante/camembert-ner-clinique", """---
license: cc-by-nc-sa-4.0
language: [fr]
---
# camembert-ner-clinique

Modèle de reconnaissance d'entités nommées pour les comptes rendus cliniques.

**Données d'entraînement :** corpus interne de 4 000 comptes rendus anonymisés (non publié).

**Matériel :** une carte NVIDIA V100, 6 heures d'entraînement.

**Évaluation :** F1 de 0,87 sur le jeu de test interne.
""")
EXPECTED["french_ner"] = dict(hw_hardware={True}, datasets_released={NF, DNR}, evaluation_results=FOUND,
                              license_declared={RL}, training_code={NF})
