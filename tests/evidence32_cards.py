"""Evidence review, tenth round (thirty-second session): 25 model cards written for this round in its own words.

None is copied from a real card; the publishers, ids, datasets and scores are made up (the libraries and licences they
name are real). The round asked for kinds the earlier rounds lacked: fully open research releases (data, code,
checkpoints, logs and evaluation code all linked) and open-washed ones (an "open source" claim under a restrictive
licence); weights, code and data under different licences, said in prose, a table or a list; licences named by full
name, by SPDX id or expression, by URL only, without a version ("GPL", "CC BY"), or by another repository's licence
file; a reward model, an embedding model, a reranker, a classifier, a tokenizer alone and a LoRA adapter; results only
in the ``model-index`` front matter; a card of front matter only, a card of one line and a very long card; Korean,
French, Italian, Portuguese and Russian cards.

Each card has beside it what a careful reader grades, written before openscope was run on it (docs/reviews.md,
*Evidence review, tenth round*), in the form of the earlier rounds: per probe, the set of statuses a careful reader
would accept (``hw_hardware`` / ``hw_architecture`` are the hardware probe's two halves, ``claim`` the open-source
claim's outcome), and in ``EXPECTED_OSAI`` per OSAI dimension the grades a careful reader would accept from the card
alone (the weights dimensions are left out: a card alone ships no weights). ``EXPECTED_FLAGS`` names open-washing flags
that must (True) or must not (False) be raised. ``FOLDER_ONLY`` holds what differs on a folder that holds only the
README by design (a relative link to a file the folder does not hold is a promise, not a release).
"""

from __future__ import annotations

NF, DNR, NL, RL, OL = "not_found", "documented_not_released", "no_license", "restrictive_license", "open_license"
FOUND = {NL, RL, OL}
CARDS: dict[str, tuple[str, str]] = {}
EXPECTED: dict[str, dict[str, set[object]]] = {}
EXPECTED_OSAI: dict[str, dict[str, set[str]]] = {}
EXPECTED_FLAGS: dict[str, dict[str, bool]] = {}
FOLDER_ONLY: dict[str, dict[str, set[object]]] = {}
WASHED = "open-source-claim-with-closed-parts"

# 1 a fully open research release: every artefact linked in one table (data, cleaning code, training and evaluation
# code, intermediate checkpoints, training logs, paper), code Apache-2.0 said once under the table
CARDS["full_open"] = ("tern-lab/Tern-1B", """---
license: apache-2.0
datasets:
- tern-lab/tern-corpus-v1
language:
- en
library_name: transformers
---
# Tern-1B

Tern-1B is a 1.1B-parameter decoder-only language model trained from scratch by Tern Lab. Everything needed to
reproduce it is public:

| Artefact | Where |
|---|---|
| Pretraining data | [tern-lab/tern-corpus-v1](https://huggingface.co/datasets/tern-lab/tern-corpus-v1) (ODC-By) |
| Data cleaning pipeline | [tern-lab/tern-data](https://github.com/tern-lab/tern-data) |
| Training code | [tern-lab/tern-train](https://github.com/tern-lab/tern-train) |
| Evaluation code | [tern-lab/tern-eval](https://github.com/tern-lab/tern-eval) |
| Intermediate checkpoints | every 5,000 steps, as the branches `step5000` to `step300000` of this repository |
| Training logs | [Weights & Biases report](https://wandb.ai/tern-lab/tern-1b/reports/pretraining) |
| Paper | [Tern: a fully reproducible 1B language model](https://arxiv.org/abs/2503.01234) |

All of our code is released under the Apache 2.0 license.

## Model details

- 24 layers, hidden size 2048, 16 attention heads, rotary position embeddings, SwiGLU activations
- Context length: 4096 tokens
- Trained on 1.2T tokens with 64 H100 GPUs for nine days

## Evaluation

| Benchmark | Tern-1B |
|---|---|
| HellaSwag | 61.3 |
| ARC-Easy | 63.0 |
| PIQA | 73.8 |

## Intended uses and limitations

Tern-1B is a base model for research. It is not instruction-tuned and it repeats the biases of the web text it was
trained on.
""")
EXPECTED["full_open"] = dict(training_code={NL, OL}, preprocessing_code=FOUND, evaluation_code=FOUND,
                             datasets_released=FOUND, data_card=FOUND, intermediate_checkpoints=FOUND,
                             evaluation_results=FOUND, research_paper=FOUND, hw_hardware={True}, hw_architecture={True},
                             license_declared={OL}, model_card=FOUND, architecture_code=FOUND)
EXPECTED_OSAI["full_open"] = dict(trainingcode={"open"}, code={"open"}, hardware_architecture={"open"},
                                  preprint={"open"}, licenses={"open"}, datasources_endmodel={"open", "partial"},
                                  datasheet={"open", "partial"}, modelcard={"open", "partial"})

# 2 open-washed: "open-source" under a custom licence with a commercial threshold, data and code kept back
CARDS["openwash_custom"] = ("kite-ai/Kite-7B-Chat", """---
license: other
license_name: kite-community-license
license_link: LICENSE
pipeline_tag: text-generation
---
# Kite-7B-Chat

Kite-7B-Chat is our open-source chat model, built to be the most capable open model of its size.

## Training

Kite-7B-Chat was pretrained on 3T tokens of public and licensed data and then tuned on our in-house instruction set.
Neither dataset is released.

## License

Kite-7B-Chat is released under the Kite Community License. Companies with more than 1 million monthly active users
must request a commercial license from Kite AI. The model may not be used to improve other large language models.
""")
EXPECTED["openwash_custom"] = dict(claim={"positive"}, license_declared={RL}, datasets_released={DNR, NF},
                                   training_code={NF})
EXPECTED_OSAI["openwash_custom"] = dict(licenses={"closed"}, trainingcode={"closed"}, datasources_endmodel={"closed"})
EXPECTED_FLAGS["openwash_custom"] = {WASHED: True}

# 3 three licences said in prose: code Apache-2.0, weights a community licence, data ODC-By
CARDS["split_prose"] = ("heron-labs/Heron-3B", """---
license: other
license_name: heron-community-license
---
# Heron-3B

A 3B language model for English and German.

## Licensing

The training and inference code in this repository ([train.py](train.py), [generate.py](generate.py)) is released
under the Apache 2.0 license. The model weights are released under the Heron Community License, which forbids use in
weapons development and requires attribution. The training data,
[heron-mix](https://huggingface.co/datasets/heron-labs/heron-mix), is available under the ODC-By 1.0 license.
""")
EXPECTED["split_prose"] = dict(license_declared={RL}, training_code={OL}, inference_code={OL},
                               datasets_released={OL, NL})
EXPECTED_OSAI["split_prose"] = dict(licenses={"partial"}, trainingcode={"open"},
                                    datasources_endmodel={"open", "partial"})
FOLDER_ONLY["split_prose"] = dict(training_code={DNR, NF}, inference_code={DNR, NF, OL, NL}, trainingcode={"partial",
                                                                                                          "closed"})

# 4 three licences in a table
CARDS["split_table"] = ("magpie-research/Magpie-Vision-2B", """---
license: cc-by-nc-4.0
pipeline_tag: image-to-text
---
# Magpie-Vision-2B

An image captioning model.

| Component | License |
|---|---|
| Code ([magpie-research/magpie-vision](https://github.com/magpie-research/magpie-vision)) | MIT |
| Model weights | CC BY-NC 4.0 |
| Caption data ([magpie-caps](https://huggingface.co/datasets/magpie-research/magpie-caps)) | CC BY 4.0 |
""")
EXPECTED["split_table"] = dict(license_declared={RL}, datasets_released={OL, NL})
EXPECTED_OSAI["split_table"] = dict(licenses={"partial"}, datasources_endmodel={"open", "partial"})

# 5 three licences in a list, nothing in the front matter
CARDS["split_list"] = ("quail-ai/quail-sd-anime", """---
pipeline_tag: text-to-image
---
# quail-sd-anime

A text-to-image model for anime-style illustrations.

Licenses:
- Code: Apache-2.0
- Model weights: CreativeML OpenRAIL-M
- Dataset: ODC-By 1.0
""")
EXPECTED["split_list"] = dict(license_declared={RL})
EXPECTED_OSAI["split_list"] = dict(licenses={"partial"})

# 6 a licence by its full name only (no front matter), a speech recogniser
CARDS["full_name"] = ("plover-speech/plover-asr-small", """# plover-asr-small

A small speech recogniser for English meetings, a CTC model of 12 conformer blocks.

It was trained on 960 hours of [LibriSpeech](https://www.openslr.org/12) on four A100 GPUs.

| Test set | WER |
|---|---|
| LibriSpeech test-clean | 4.1 |
| LibriSpeech test-other | 9.8 |

This model is licensed under the Apache License, Version 2.0.
""")
EXPECTED["full_name"] = dict(license_declared={OL}, evaluation_results=FOUND, hw_hardware={True},
                             hw_architecture={True}, datasets_released=FOUND)
EXPECTED_OSAI["full_name"] = dict(licenses={"open"}, hardware_architecture={"open"},
                                  datasources_endmodel={"open", "partial"})

# 7 a licence by URL only: CC BY-NC 4.0's deed
CARDS["url_only"] = ("wren-nlp/wren-summarizer", """---
pipeline_tag: summarization
---
# wren-summarizer

Summarises German news articles in three sentences.

License: https://creativecommons.org/licenses/by-nc/4.0/
""")
EXPECTED["url_only"] = dict(license_declared={RL})
EXPECTED_OSAI["url_only"] = dict(licenses={"closed"})

# 8 "GPL" without a version
CARDS["gpl_noversion"] = ("finch-lab/finch-chess-engine", """# finch-chess-engine

A small policy network that plays chess at about 1800 Elo. It was trained by self-play.

The network and the code that trains it are released under the GPL.
""")
EXPECTED["gpl_noversion"] = dict(license_declared={OL})
EXPECTED_OSAI["gpl_noversion"] = dict(licenses={"open"})

# 9 a classifier, "CC BY" without a version, a model-card layout
CARDS["classifier_ccby"] = ("egret-nlp/egret-toxicity-it", """---
language: it
pipeline_tag: text-classification
---
# egret-toxicity-it

Classifies Italian social-media comments as toxic or not.

## Training data

12,000 comments we collected and labelled ourselves. We do not share them, to protect the people who wrote them.

## Evaluation

F1 on our held-out test split: 0.86.

## Limitations

It misses irony and it over-flags dialect words.

## License

CC BY
""")
EXPECTED["classifier_ccby"] = dict(license_declared={OL}, datasets_released={DNR}, evaluation_results=FOUND,
                                   model_card=FOUND)
EXPECTED_OSAI["classifier_ccby"] = dict(licenses={"open"}, datasources_endmodel={"closed"}, modelcard={"open"})

# 10 the licence is another repository's licence file
CARDS["other_repo_license"] = ("owl-ai/owl-ocr", """---
pipeline_tag: image-to-text
---
# owl-ocr

An OCR model for printed Latin-script text.

## License

The weights follow the [LICENSE](https://github.com/owl-ai/owl/blob/main/LICENSE) of our GitHub repository.
""")
EXPECTED["other_repo_license"] = dict(license_declared={NF, NL})
EXPECTED_OSAI["other_repo_license"] = dict(licenses={"closed", "unknown"})

# 11 a reward model, its preference data declared, a RewardBench table
CARDS["reward_model"] = ("stint-ai/stint-rm-8b", """---
license: apache-2.0
base_model: stint-ai/stint-8b
datasets:
- stint-ai/stint-preferences
pipeline_tag: text-classification
---
# stint-rm-8b

A reward model: it scores a chat response, higher for the response people preferred. It was fine-tuned from
stint-8b on 180,000 preference pairs ([stint-ai/stint-preferences](https://huggingface.co/datasets/stint-ai/stint-preferences))
with a Bradley-Terry loss.

## Results

| Benchmark | Score |
|---|---|
| RewardBench (chat) | 95.1 |
| RewardBench (safety) | 88.4 |
""")
EXPECTED["reward_model"] = dict(license_declared={OL}, datasets_released=FOUND, evaluation_results=FOUND,
                                training_code={NF})
EXPECTED_OSAI["reward_model"] = dict(licenses={"open"}, datasources_endmodel={"open", "partial"},
                                     trainingcode={"closed"})

# 12 Korean: an embedding model with sentence-transformers, a public dataset, a Korean MTEB table
CARDS["korean_embedding"] = ("gaemi-ai/gaemi-embed-ko", """---
language: ko
library_name: sentence-transformers
pipeline_tag: sentence-similarity
---
# gaemi-embed-ko

한국어 문장 임베딩 모델입니다. 문장을 768차원 벡터로 변환합니다.

## 학습 데이터

[gaemi-ai/ko-pairs](https://huggingface.co/datasets/gaemi-ai/ko-pairs)의 문장 쌍 120만 개로 학습했습니다.

## 평가 결과

| 과제 | 점수 |
|---|---|
| KorSTS | 84.2 |
| Ko-StrategyQA (nDCG@10) | 79.5 |

## 라이선스

MIT 라이선스로 공개합니다.
""")
EXPECTED["korean_embedding"] = dict(license_declared={OL}, datasets_released=FOUND, evaluation_results=FOUND,
                                    architecture_code={OL}, inference_code={OL})
EXPECTED_OSAI["korean_embedding"] = dict(licenses={"open"}, datasources_endmodel={"open", "partial"})

# 13 French: a reranker, public training data, an MRR table, "Licence : Apache 2.0"
CARDS["french_reranker"] = ("heron-fr/reclasseur-fr-base", """---
language: fr
library_name: sentence-transformers
pipeline_tag: text-ranking
---
# reclasseur-fr-base

Un modèle de reclassement (cross-encoder) pour la recherche de passages en français.

## Données d'entraînement

Entraîné sur la partie française de [mMARCO](https://huggingface.co/datasets/unicamp-dl/mmarco).

## Résultats

| Jeu d'évaluation | MRR@10 |
|---|---|
| mMARCO-fr dev | 0,362 |

## Licence

Licence : Apache 2.0
""")
EXPECTED["french_reranker"] = dict(license_declared={OL}, datasets_released=FOUND, evaluation_results=FOUND,
                                   architecture_code={OL})
EXPECTED_OSAI["french_reranker"] = dict(licenses={"open"}, datasources_endmodel={"open", "partial"})

# 14 a tokenizer alone: no weights, trained on a public corpus
CARDS["tokenizer_only"] = ("kiwi-nlp/swahili-spm-64k", """---
license: apache-2.0
language: sw
---
# swahili-spm-64k

This repository holds only a tokenizer: a SentencePiece unigram vocabulary of 64,000 pieces. There are no model
weights here.

It was trained on the Swahili part of [wura](https://huggingface.co/datasets/castorini/wura).

```python
from transformers import AutoTokenizer
tok = AutoTokenizer.from_pretrained("kiwi-nlp/swahili-spm-64k")
```
""")
EXPECTED["tokenizer_only"] = dict(license_declared={OL}, datasets_released=FOUND, hw_hardware={False},
                                  training_code={NF}, evaluation_results={NF})
EXPECTED_OSAI["tokenizer_only"] = dict(licenses={"open"}, trainingcode={"closed"}, hardware_architecture={"closed"})

# 15 a LoRA adapter, the base's community licence, a training script in the publisher's own repository
CARDS["lora_adapter"] = ("finch-ml/finch-8b-sql-lora", """---
license: llama3.1
base_model: meta-llama/Llama-3.1-8B-Instruct
library_name: peft
datasets:
- finch-ml/sql-instruct-50k
---
# finch-8b-sql-lora

A LoRA adapter (rank 16) that turns Llama 3.1 8B Instruct into a text-to-SQL assistant.

It was trained for three epochs on [finch-ml/sql-instruct-50k](https://huggingface.co/datasets/finch-ml/sql-instruct-50k)
with our script [train_lora.py](https://github.com/finch-ml/finch-lora/blob/main/train_lora.py), on one A100 80GB.

## Results

Execution accuracy on Spider dev: 78.9%.
""")
EXPECTED["lora_adapter"] = dict(license_declared={RL}, training_code={NL, RL}, architecture_code={OL},
                                inference_code={OL}, datasets_released=FOUND, evaluation_results=FOUND,
                                hw_hardware={True})
EXPECTED_OSAI["lora_adapter"] = dict(licenses={"closed", "partial"}, trainingcode={"open"},
                                     datasources_endmodel={"open", "partial"})

# 16 results only in the model-index front matter
CARDS["model_index"] = ("lark-nlp/lark-sentiment-pt", """---
license: mit
language: pt
pipeline_tag: text-classification
model-index:
- name: lark-sentiment-pt
  results:
  - task:
      type: text-classification
    dataset:
      name: lark-reviews-pt
      type: lark-nlp/lark-reviews-pt
      split: test
    metrics:
    - type: accuracy
      value: 0.912
    - type: f1
      value: 0.905
---
# lark-sentiment-pt

Classifies Portuguese product reviews as positive, neutral or negative.
""")
EXPECTED["model_index"] = dict(license_declared={OL}, evaluation_results=FOUND)
EXPECTED_OSAI["model_index"] = dict(licenses={"open"})

# 17 front matter and nothing else
CARDS["frontmatter_only"] = ("jay-lab/jay-bert-small", """---
license: mit
library_name: transformers
pipeline_tag: fill-mask
---
""")
EXPECTED["frontmatter_only"] = dict(license_declared={OL}, architecture_code={OL}, model_card={NF},
                                    training_code={NF}, datasets_released={NF}, evaluation_results={NF})
EXPECTED_OSAI["frontmatter_only"] = dict(licenses={"open"}, modelcard={"closed"}, trainingcode={"closed"},
                                         datasources_endmodel={"closed"})

# 18 one line, no front matter
CARDS["one_line"] = ("rook-ai/rook-intent", """XLM-R fine-tuned on our internal support tickets to route them to the right team; MIT licensed.
""")
EXPECTED["one_line"] = dict(license_declared={OL}, datasets_released={DNR, NF}, training_code={NF})
EXPECTED_OSAI["one_line"] = dict(licenses={"open"}, datasources_endmodel={"closed"}, modelcard={"closed", "partial"})

# 19 a very long card: every model-card topic, a results table of 40 languages, an environmental section
_LANGS = ["af", "am", "ar", "az", "be", "bg", "bn", "ca", "cs", "cy", "da", "de", "el", "es", "et", "eu", "fa", "fi", "fr", "ga", "gl", "gu", "he", "hi", "hr", "hu", "hy", "id", "is", "it", "ja", "ka", "kk", "km", "kn", "ko", "lt", "lv", "mk", "ml"]
_ROWS = "\n".join(f"| {code} | {20.0 + i * 0.7:.1f} | {18.5 + i * 0.6:.1f} |" for i, code in enumerate(_LANGS))
_PARAS = "\n\n".join(
    f"Section {i} of our notes: we tried variant {i} of the data mixture and kept it only when it did not cost quality "
    f"in the other languages; the ablation used a 300M model trained for 20B tokens." for i in range(1, 13))
CARDS["very_long"] = ("gannet-ai/Gannet-MT-1.3B", f"""---
license: apache-2.0
pipeline_tag: translation
---
# Gannet-MT-1.3B

Gannet-MT-1.3B translates between English and 40 other languages.

## Model details

- **Developed by:** Gannet AI
- **Model type:** encoder-decoder transformer, 24 encoder and 24 decoder layers, hidden size 1024
- **Languages:** English and 40 others (table below)

## Uses

Translating web pages and documents. Out of scope: medical or legal translation without a human check.

## Bias, risks and limitations

Quality drops for languages with little data, and the model tends to translate gendered words into the masculine.

## Training data

Parallel data we mined from the web and filtered with a language identifier and a quality classifier, about 2.1B
sentence pairs. We do not release it.

## Training procedure

Trained for 400,000 steps with a batch of 1M tokens and a learning rate of 1e-3 with inverse-square-root decay.
Training code: not released.

### Hardware

128 A100 80GB GPUs for 11 days.

## Evaluation

chrF++ on FLORES-200 devtest:

| Language | en→xx | xx→en |
|---|---|---|
{_ROWS}

## Notes on the data mixture

{_PARAS}

## Environmental impact

About 34,000 GPU-hours, roughly 4.1 t CO2eq at our provider's carbon intensity.

## Citation

Please cite this model card if you use the model.
""")
EXPECTED["very_long"] = dict(license_declared={OL}, training_code={DNR, NF}, datasets_released={DNR},
                             evaluation_results=FOUND, hw_hardware={True}, hw_architecture={True}, model_card=FOUND)
EXPECTED_OSAI["very_long"] = dict(licenses={"open"}, trainingcode={"closed", "partial"},
                                  datasources_endmodel={"closed"}, hardware_architecture={"open"}, modelcard={"open"},
                                  datasheet={"closed"})

# 20 Italian, open-washed: "open source" under CC BY-NC-SA, data not shared
CARDS["italian_openwash"] = ("airone-ai/Airone-7B", """---
license: cc-by-nc-sa-4.0
language: it
pipeline_tag: text-generation
---
# Airone-7B

Airone-7B è un modello linguistico open source per l'italiano.

## Dati di addestramento

Testi italiani raccolti dal web e da archivi di giornali. I dati non sono pubblicati.

## Licenza

Il modello è distribuito con licenza CC BY-NC-SA 4.0: l'uso commerciale non è consentito.
""")
EXPECTED["italian_openwash"] = dict(claim={"positive"}, license_declared={RL}, datasets_released={DNR, NF},
                                    training_code={NF})
EXPECTED_OSAI["italian_openwash"] = dict(licenses={"closed"}, datasources_endmodel={"closed"}, trainingcode={"closed"})
EXPECTED_FLAGS["italian_openwash"] = {WASHED: True}

# 21 Portuguese: an open release, a licence for each part, all open
CARDS["portuguese_open"] = ("sabia-lab/Sabia-Code-1B", """---
license: cc-by-4.0
language: pt
datasets:
- sabia-lab/codigo-pt
---
# Sabia-Code-1B

Um modelo de código de 1B de parâmetros treinado com comentários em português.

## Licenças

- Código de treinamento: [sabia-lab/sabia-code](https://github.com/sabia-lab/sabia-code), licença Apache 2.0.
- Pesos do modelo: licença CC BY 4.0.
- Dados de treinamento: [sabia-lab/codigo-pt](https://huggingface.co/datasets/sabia-lab/codigo-pt), licença ODC-By.

## Treinamento

Treinado em 16 GPUs H100 por cinco dias.
""")
EXPECTED["portuguese_open"] = dict(license_declared={OL}, training_code={OL, NL}, datasets_released=FOUND,
                                   hw_hardware={True})
EXPECTED_OSAI["portuguese_open"] = dict(licenses={"open"}, trainingcode={"open"},
                                        datasources_endmodel={"open", "partial"})

# 22 Russian: the training code in the publisher's own repository, hardware, data withheld
CARDS["russian"] = ("sokol-ai/sokol-3b", """---
license: mit
language: ru
---
# sokol-3b

Языковая модель на 3 млрд параметров для русского языка.

## Обучение

Модель обучена на 8 видеокартах A100 в течение двух недель. Код обучения: [sokol-ai/sokol-train](https://github.com/sokol-ai/sokol-train).

Данные для обучения не публикуются.

## Лицензия

MIT
""")
EXPECTED["russian"] = dict(license_declared={OL}, training_code={OL, NL}, hw_hardware={True},
                           datasets_released={DNR, NF})
EXPECTED_OSAI["russian"] = dict(licenses={"open"}, trainingcode={"open"}, datasources_endmodel={"closed"})

# 23 an SPDX expression in the text ("MIT OR Apache-2.0"), a small vision model
CARDS["spdx_expression"] = ("moth-vision/moth-segment-tiny", """---
pipeline_tag: image-segmentation
---
# moth-segment-tiny

A tiny segmentation model for insects in camera-trap images.

License: `MIT OR Apache-2.0`, at your option.
""")
EXPECTED["spdx_expression"] = dict(license_declared={OL})
EXPECTED_OSAI["spdx_expression"] = dict(licenses={"open"})

# 24 a research vision release: code with a bracketed licence, checkpoints of every epoch in this repository, logs,
# evaluation script, public data on its own site
CARDS["checkpoints_logs"] = ("kestrel-vision/kestrel-vit-s", """---
license: mit
pipeline_tag: image-classification
---
# kestrel-vit-s

A small vision transformer (12 blocks, width 384) trained from scratch on CIFAR-100.

- **Code:** [kestrel-vision/kestrel-vit](https://github.com/kestrel-vision/kestrel-vit) (MIT), with the training and
  evaluation scripts
- **Checkpoints:** every epoch, in the [checkpoints/](checkpoints/) folder of this repository
- **Training logs:** [TensorBoard logs](https://huggingface.co/kestrel-vision/kestrel-vit-s/tensorboard)
- **Data:** [CIFAR-100](https://www.cs.toronto.edu/~kriz/cifar.html)

Top-1 accuracy on the CIFAR-100 test set: 82.4%.

Trained on a single RTX 3090 for 14 hours.
""")
EXPECTED["checkpoints_logs"] = dict(license_declared={OL}, training_code={OL}, evaluation_code={OL, NL},
                                    intermediate_checkpoints=FOUND, evaluation_results=FOUND, hw_hardware={True},
                                    hw_architecture={True}, datasets_released={NL, OL})
EXPECTED_OSAI["checkpoints_logs"] = dict(licenses={"open"}, trainingcode={"open"}, hardware_architecture={"open"},
                                         datasources_endmodel={"open", "partial"})
FOLDER_ONLY["checkpoints_logs"] = dict(intermediate_checkpoints={NF, DNR})

# 25 "open source" under an open licence, but the training data and code are kept back (a claim with closed parts)
CARDS["openwash_open_license"] = ("ibis-ai/Ibis-2B", """---
license: apache-2.0
---
# Ibis-2B

We are proud to open-source Ibis-2B, a small and fast language model.

Ibis-2B was trained on our proprietary data mixture with our internal training stack; neither is public.

## Evaluation

| Benchmark | Ibis-2B |
|---|---|
| MMLU | 52.4 |
| GSM8K | 48.0 |
""")
EXPECTED["openwash_open_license"] = dict(claim={"positive"}, license_declared={OL}, datasets_released={DNR, NF},
                                         training_code={DNR, NF}, evaluation_results=FOUND)
EXPECTED_OSAI["openwash_open_license"] = dict(licenses={"open"}, datasources_endmodel={"closed"},
                                              trainingcode={"closed", "partial"})
EXPECTED_FLAGS["openwash_open_license"] = {WASHED: True}
