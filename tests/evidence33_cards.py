"""Evidence review, eleventh round (thirty-third session): 25 model cards written for this round in its own words.

None is copied from a real card; the publishers, ids, datasets, papers, DOIs and scores are made up (the libraries,
hosts and licences they name are real). The round asked for kinds the earlier rounds lacked: speech (ASR and TTS),
vision (detection, segmentation, diffusion), time-series and biology models; distilled models, continued-pretraining
releases and instruction-tuned chat models with a safety policy; papers cited only by DOI, an OpenReview or an ACL
Anthology link; training code that is a fork or a branch of a well-known framework; a W&B or TensorBoard log, a list
of intermediate checkpoints, a data-mixture table; a card of a "Limitations" section only; Spanish, German, Japanese,
Arabic and Vietnamese cards.

Each card has beside it what a careful reader grades, written before openscope was run on it (docs/reviews.md,
*Evidence review, eleventh round*), in the form of the earlier rounds: per probe, the set of statuses a careful reader
would accept (``hw_hardware`` / ``hw_architecture`` are the hardware probe's two halves, ``claim`` the open-source
claim's outcome, ``peer`` the peer-reviewed paper probe's outcome, ``license_id`` the licence probe's licence), and in ``EXPECTED_OSAI`` per OSAI dimension the grades a
careful reader would accept from the card alone (the weights dimensions are left out: a card alone ships no weights).
``FOLDER_ONLY`` holds what differs on a folder that holds only the README by design (a plain folder has no namespace;
a relative link to a file the folder does not hold is a promise, not a release).
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

# 1 speech recognition: a fine-tune on a public speech corpus, a WER table, no training code
CARDS["asr_finetune"] = ("plover-speech/plover-asr-small-ca", """---
license: apache-2.0
language:
- ca
base_model: plover-speech/plover-asr-small
datasets:
- plover-speech/catalan-read-speech
pipeline_tag: automatic-speech-recognition
library_name: transformers
---
# plover-asr-small-ca

A Catalan speech recognizer made by fine-tuning plover-asr-small for 8,000 steps on
[catalan-read-speech](https://huggingface.co/datasets/plover-speech/catalan-read-speech), 310 hours of read sentences.

## Results

| Test set | WER (%) |
|---|---|
| catalan-read-speech test | 7.9 |
| broadcast news (ours, not public) | 14.2 |

## Limitations

Spontaneous speech and strong regional accents give much higher error rates.
""")
EXPECTED["asr_finetune"] = dict(license_declared={OL}, datasets_released=FOUND, evaluation_results=FOUND,
                                training_code={NF, DNR}, research_paper={NF}, hw_hardware={False})
EXPECTED_OSAI["asr_finetune"] = dict(licenses={"open"}, datasources_endmodel={"open", "partial"},
                                     trainingcode={"closed"}, preprint={"closed"})

# 2 text to speech, in Spanish: a recording of one speaker kept back, "Licencia: CC BY 4.0", a MOS sentence
CARDS["tts_spanish"] = ("garza-voz/garza-tts-es", """---
license: cc-by-4.0
language:
- es
pipeline_tag: text-to-speech
---
# garza-tts-es

Modelo de síntesis de voz en español con una sola voz femenina.

## Datos de entrenamiento

Veinte horas de grabaciones de una locutora profesional, hechas en nuestro estudio. Las grabaciones no se publican.

## Arquitectura

Un codificador de texto de 6 capas, un predictor de duración y un vocoder HiFi-GAN.

## Evaluación

MOS de 4,1 sobre 5 en una prueba con 30 oyentes.

## Licencia

Licencia: CC BY 4.0
""")
EXPECTED["tts_spanish"] = dict(license_declared={OL}, datasets_released={DNR}, training_code={NF},
                               evaluation_results=FOUND, hw_architecture={True})
EXPECTED_OSAI["tts_spanish"] = dict(licenses={"open"}, datasources_endmodel={"closed", "partial"},
                                    trainingcode={"closed"})

# 3 object detection trained with the publisher's fork of a framework (a branch named in the link), COCO results
CARDS["detector_fork"] = ("kestrel-vision/kestrel-det-l", """---
license: apache-2.0
pipeline_tag: object-detection
---
# kestrel-det-l

A one-stage object detector with a ConvNeXt-L backbone.

## Training

We trained kestrel-det-l with our fork of MMDetection, branch `kestrel`:
[kestrel-vision/mmdetection](https://github.com/kestrel-vision/mmdetection/tree/kestrel). The config is
`configs/kestrel/kestrel_det_l_coco.py` there. Training data: COCO train2017, 36 epochs on 16 V100 GPUs.

## Results on COCO val2017

| Model | box AP | AP50 | AP75 |
|---|---|---|---|
| kestrel-det-l | 54.1 | 72.3 | 58.9 |
""")
EXPECTED["detector_fork"] = dict(license_declared={OL}, training_code={NL, OL}, evaluation_results=FOUND,
                                 hw_hardware={True}, datasets_released=FOUND | {DNR})
EXPECTED_OSAI["detector_fork"] = dict(licenses={"open"}, trainingcode={"open", "partial"},
                                      hardware_architecture={"partial", "open"})

# 4 segmentation: a card of one "Limitations" section and its title
CARDS["limitations_only"] = ("harrier-geo/harrier-seg-base", """---
license: mit
pipeline_tag: image-segmentation
---
# harrier-seg-base

## Limitations

The model was only ever shown aerial images from temperate regions. Roads under snow, desert settlements and images
taken at a low sun angle are segmented poorly, and small buildings under trees are often missed.
""")
EXPECTED["limitations_only"] = dict(license_declared={OL}, training_code={NF}, datasets_released={NF},
                                    evaluation_results={NF}, research_paper={NF}, hw_hardware={False},
                                    hw_architecture={False}, data_card={NF})
EXPECTED_OSAI["limitations_only"] = dict(licenses={"open"}, trainingcode={"closed"}, datasources_endmodel={"closed"},
                                         modelcard={"closed", "partial"}, datasheet={"closed"}, preprint={"closed"})

# 5 diffusion: an intermediate checkpoint list, a TensorBoard log, an FID table, an OpenRAIL-M licence
CARDS["diffusion_ckpts"] = ("ibis-art/ibis-diffusion-1", """---
license: creativeml-openrail-m
library_name: diffusers
pipeline_tag: text-to-image
---
# ibis-diffusion-1

A 900M-parameter latent diffusion model trained on 400M captioned images.

## Checkpoints

Besides the final weights we publish the checkpoints taken during training:

- [step-100k](https://huggingface.co/ibis-art/ibis-diffusion-1/tree/step-100k)
- [step-200k](https://huggingface.co/ibis-art/ibis-diffusion-1/tree/step-200k)
- [step-300k](https://huggingface.co/ibis-art/ibis-diffusion-1/tree/step-300k)

The TensorBoard logs of the whole run are in the `logs/` folder of this repository.

## Evaluation

| Model | FID (COCO-30k) |
|---|---|
| ibis-diffusion-1 | 9.8 |

## Training data

Image and caption pairs we filtered from a web crawl; the filtered set is not released.
""")
EXPECTED["diffusion_ckpts"] = dict(license_declared={RL}, intermediate_checkpoints=FOUND, evaluation_results=FOUND,
                                   datasets_released={DNR}, training_code={NF})
EXPECTED_OSAI["diffusion_ckpts"] = dict(licenses={"closed", "partial"}, datasources_endmodel={"closed", "partial"},
                                        trainingcode={"closed"})

# 6 time series: a data-mixture table of public corpora (shares in %) beside a MASE results table
CARDS["timeseries_mix"] = ("swift-forecast/swift-ts-200m", """---
license: apache-2.0
pipeline_tag: time-series-forecasting
---
# swift-ts-200m

A 200M-parameter decoder for zero-shot forecasting.

## Data mixture

| Source | Share |
|---|---|
| [swift-forecast/energy-load](https://huggingface.co/datasets/swift-forecast/energy-load) | 40% |
| [swift-forecast/traffic-sensors](https://huggingface.co/datasets/swift-forecast/traffic-sensors) | 35% |
| synthetic series (Gaussian processes) | 25% |

## Evaluation

| Benchmark | MASE |
|---|---|
| Monash (29 sets, geometric mean) | 0.71 |
""")
EXPECTED["timeseries_mix"] = dict(license_declared={OL}, datasets_released=FOUND, evaluation_results=FOUND,
                                  training_code={NF})
EXPECTED_OSAI["timeseries_mix"] = dict(licenses={"open"}, datasources_endmodel={"open", "partial"},
                                       trainingcode={"closed"})

# 7 protein language model: its paper cited by DOI only (a bioRxiv DOI), data from UniProt
CARDS["protein_doi"] = ("petrel-bio/petrel-plm-650m", """---
license: mit
tags:
- biology
- protein
---
# petrel-plm-650m

A protein language model of 650M parameters, 33 layers, trained with masked-language modelling on
[UniRef90](https://www.uniprot.org/help/uniref) (release 2024_03).

Described in our preprint: https://doi.org/10.1101/2025.02.14.638211

## Use

Embeddings from the last layer work well as features for variant-effect and stability predictors.
""")
EXPECTED["protein_doi"] = dict(license_declared={OL}, research_paper=FOUND, datasets_released=FOUND,
                               hw_architecture={True}, training_code={NF})
EXPECTED_OSAI["protein_doi"] = dict(licenses={"open"}, preprint={"open"}, datasources_endmodel={"open", "partial"})

# 8 single-cell model: its paper an OpenReview forum link, accepted at ICLR
CARDS["cell_openreview"] = ("tern-bio/tern-cell", """---
license: cc-by-nc-4.0
tags:
- biology
- single-cell
---
# tern-cell

A transformer over gene-expression profiles, pretrained on 30 million single-cell transcriptomes.

Paper (ICLR 2025): [Tern-Cell: scaling single-cell foundation models](https://openreview.net/forum?id=Xk29pQe7Lm)

The pretraining corpus is assembled from public atlases; the list of studies and the code that builds it are
in our GitHub repository [tern-bio/tern-cell](https://github.com/tern-bio/tern-cell).
""")
EXPECTED["cell_openreview"] = dict(license_declared={RL}, research_paper=FOUND, peer={"positive"},
                                   preprocessing_code=FOUND | {NF}, training_code={NF, DNR, NL})
EXPECTED_OSAI["cell_openreview"] = dict(licenses={"closed", "partial"}, preprint={"open"}, paper={"open"})

# 9 named-entity recognition: the paper is an ACL Anthology link, a results sentence in a results section
CARDS["ner_acl"] = ("egret-nlp/egret-ner-legal", """---
license: mit
language:
- en
pipeline_tag: token-classification
---
# egret-ner-legal

Tags parties, courts, statutes and dates in court decisions.

Our paper: [Legal entity recognition with weak labels](https://aclanthology.org/2024.findings-acl.412/)

## Results

Micro-F1 on our held-out test split of 1,200 decisions: 91.6.

## Training data

4,800 decisions from a public case-law portal, labelled by rules and checked by two lawyers. The labelled set is
[egret-nlp/legal-ner](https://huggingface.co/datasets/egret-nlp/legal-ner).
""")
EXPECTED["ner_acl"] = dict(license_declared={OL}, research_paper=FOUND, peer={"positive"},
                           evaluation_results=FOUND, datasets_released=FOUND)
EXPECTED_OSAI["ner_acl"] = dict(licenses={"open"}, preprint={"open"}, paper={"open"},
                                datasources_endmodel={"open", "partial"})

# 10 a distilled model: distilled from a teacher on data the teacher generated, nothing of it released
CARDS["distilled"] = ("puffin-ai/Puffin-1.5B-Distill", """---
license: mit
base_model: puffin-ai/Puffin-1.5B
pipeline_tag: text-generation
---
# Puffin-1.5B-Distill

Puffin-1.5B-Distill was distilled from our 70B model, Puffin-70B, on 2M reasoning traces that Puffin-70B generated
for math and code prompts. The prompts and the traces are not released, and neither is the distillation code.

- Parameters: 1.5B, 28 layers
- Context: 32k tokens

## Evaluation

| Benchmark | Puffin-1.5B-Distill | Puffin-1.5B |
|---|---|---|
| GSM8K | 71.2 | 48.9 |
| HumanEval | 45.1 | 30.5 |
""")
EXPECTED["distilled"] = dict(license_declared={OL}, datasets_released={DNR}, training_code={DNR, NF},
                             evaluation_results=FOUND, hw_architecture={True})
# (written "closed" before the run: my misreading, since training code documented and not released grades
# `trainingcode` partial by the index's rule, docs/openness.md *OSAI dimension rules*)
EXPECTED_OSAI["distilled"] = dict(licenses={"open"}, datasources_endmodel={"closed", "partial"},
                                  trainingcode={"partial"})

# 11 continued pretraining: German web data on the Hub, a W&B report, the framework named without a link
CARDS["continued_pretrain"] = ("stint-lm/Stint-7B-de", """---
license: apache-2.0
base_model: stint-lm/Stint-7B
datasets:
- stint-lm/german-web-50b
language:
- de
---
# Stint-7B-de

Stint-7B-de continues the pretraining of Stint-7B on 50B tokens of German web text
([stint-lm/german-web-50b](https://huggingface.co/datasets/stint-lm/german-web-50b)) to improve its German.

- Learning rate 1e-5, cosine schedule, 12,000 steps on 32 H100 GPUs
- Loss curves: [W&B report](https://wandb.ai/stint-lm/stint-7b-de/reports/cpt)

The model was not instruction-tuned.
""")
EXPECTED["continued_pretrain"] = dict(license_declared={OL}, datasets_released=FOUND, hw_hardware={True},
                                      training_code={NF}, evaluation_results={NF}, intermediate_checkpoints={NF})
EXPECTED_OSAI["continued_pretrain"] = dict(licenses={"open"}, datasources_endmodel={"open", "partial"},
                                           trainingcode={"closed"})

# 12 an instruction-tuned chat model with a safety policy that is guidance, not a licence term
CARDS["chat_safety"] = ("wagtail-ai/Wagtail-8B-Chat", """---
license: apache-2.0
base_model: wagtail-ai/Wagtail-8B
pipeline_tag: text-generation
---
# Wagtail-8B-Chat

An assistant tuned from Wagtail-8B with supervised fine-tuning and DPO on our own preference data (not released).

## Safety

We tuned the model to refuse help with weapons, malware and self-harm, and we red-teamed it for two weeks before
release. No tuning is perfect: put a moderation model in front of it in products, and report harmful outputs to
safety@wagtail.example.

## License

Apache 2.0.
""")
EXPECTED["chat_safety"] = dict(license_declared={OL}, datasets_released={DNR, NF}, training_code={NF},
                               evaluation_results={NF})
EXPECTED_OSAI["chat_safety"] = dict(licenses={"open"}, trainingcode={"closed"},
                                    datasources_endmodel={"closed", "partial"})

# 13 an instruction-tuned chat model whose use policy binds: apache-2.0 declared, an acceptable use policy added
CARDS["chat_aup"] = ("finch-lab/Finch-3B-Instruct", """---
license: apache-2.0
pipeline_tag: text-generation
---
# Finch-3B-Instruct

A small instruction-following model for English.

## Terms

Your use of Finch-3B-Instruct is subject to the Apache 2.0 license and to our
[Acceptable Use Policy](https://finch.example.com/aup), which forbids, among other uses, military applications and
generating political campaign material.
""")
EXPECTED["chat_aup"] = dict(license_declared={RL}, training_code={NF})
EXPECTED_OSAI["chat_aup"] = dict(licenses={"closed", "partial"})

# 14 German speech recognition: "Trainingsdaten:" over a Hub dataset, a WER sentence on the test split, "Lizenz: MIT"
CARDS["german_asr"] = ("amsel-audio/amsel-asr-de", """---
language:
- de
pipeline_tag: automatic-speech-recognition
---
# amsel-asr-de

Ein Spracherkennungsmodell für Deutsch mit 12 Conformer-Blöcken.

- **Trainingsdaten:** [amsel-audio/deutsch-vorlesen](https://huggingface.co/datasets/amsel-audio/deutsch-vorlesen),
  900 Stunden vorgelesene Sprache
- **Trainingscode:** [amsel-audio/amsel-train](https://github.com/amsel-audio/amsel-train)
- **Lizenz:** MIT

## Ergebnisse

| Testdaten | WER |
|---|---|
| deutsch-vorlesen (Test) | 6,8 |
""")
EXPECTED["german_asr"] = dict(license_declared={OL}, datasets_released=FOUND, training_code={NL, OL},
                              evaluation_results=FOUND, hw_architecture={True})
EXPECTED_OSAI["german_asr"] = dict(licenses={"open"}, datasources_endmodel={"open", "partial"},
                                   trainingcode={"open", "partial"})
FOLDER_ONLY["german_asr"] = dict(training_code={NL, OL, DNR}, trainingcode={"open", "partial", "closed"})

# 15 a Japanese chat model: licence, data on the Hub and a results table in Japanese
CARDS["japanese_chat"] = ("tsubame-lab/tsubame-7b-chat", """---
license: apache-2.0
language:
- ja
pipeline_tag: text-generation
---
# tsubame-7b-chat

tsubame-7b を日本語の指示データで追加学習した対話モデルです。

## 学習データ

[tsubame-lab/ja-instruct-60k](https://huggingface.co/datasets/tsubame-lab/ja-instruct-60k)（6万件の指示と応答）

## 評価

| ベンチマーク | スコア |
|---|---|
| JMT-Bench | 6.4 |

## ライセンス

Apache 2.0 ライセンスで公開します。
""")
EXPECTED["japanese_chat"] = dict(license_declared={OL}, datasets_released=FOUND, evaluation_results=FOUND,
                                 training_code={NF})
EXPECTED_OSAI["japanese_chat"] = dict(licenses={"open"}, datasources_endmodel={"open", "partial"},
                                      trainingcode={"closed"})

# 16 an Arabic sentiment classifier: licence and data said in Arabic, an accuracy table
CARDS["arabic_classifier"] = ("hudhud-nlp/hudhud-sentiment", """---
language:
- ar
pipeline_tag: text-classification
---
# hudhud-sentiment

نموذج لتصنيف المشاعر في التغريدات العربية إلى إيجابية وسلبية ومحايدة.

## بيانات التدريب

[hudhud-nlp/arabic-tweets-sentiment](https://huggingface.co/datasets/hudhud-nlp/arabic-tweets-sentiment)

## النتائج

| مجموعة الاختبار | accuracy | F1 |
|---|---|---|
| arabic-tweets-sentiment | 0.87 | 0.85 |

## الترخيص

الترخيص: Apache 2.0
""")
EXPECTED["arabic_classifier"] = dict(license_declared={OL}, datasets_released=FOUND, evaluation_results=FOUND,
                                     training_code={NF})
EXPECTED_OSAI["arabic_classifier"] = dict(licenses={"open"}, datasources_endmodel={"open", "partial"})

# 17 a Vietnamese continued-pretraining release: licence, data, own training code, in Vietnamese
CARDS["vietnamese_cpt"] = ("chimse-ai/chimse-3b-vi", """---
language:
- vi
base_model: chimse-ai/chimse-3b
---
# chimse-3b-vi

Mô hình chimse-3b được tiếp tục tiền huấn luyện trên 20 tỷ token tiếng Việt.

- Giấy phép: MIT
- Dữ liệu huấn luyện: [chimse-ai/vi-corpus-20b](https://huggingface.co/datasets/chimse-ai/vi-corpus-20b)
- Mã huấn luyện: [chimse-ai/chimse-train](https://github.com/chimse-ai/chimse-train)
- Phần cứng: 16 GPU H100 trong 5 ngày
""")
EXPECTED["vietnamese_cpt"] = dict(license_declared={OL}, datasets_released=FOUND, training_code={NL, OL},
                                  hw_hardware={True})
EXPECTED_OSAI["vietnamese_cpt"] = dict(licenses={"open"}, datasources_endmodel={"open", "partial"},
                                       trainingcode={"open", "partial"})
FOLDER_ONLY["vietnamese_cpt"] = dict(training_code={NL, OL, DNR}, trainingcode={"open", "partial", "closed"})

# 18 text to speech trained with a branch of a fork of a framework, its data on the corpus' own site (leftover b)
CARDS["tts_branch"] = ("loon-audio/loon-tts-en", """---
license: mpl-2.0
pipeline_tag: text-to-speech
---
# loon-tts-en

A single-speaker English voice.

- **Data:** [LJ Speech](https://keithito.com/LJ-Speech-Dataset/), 24 hours of one reader
- **Training code:** the `vits-loon` branch of our fork of Coqui TTS,
  [loon-audio/TTS](https://github.com/loon-audio/TTS/tree/vits-loon)
- **Hardware:** one A6000 GPU for six days
""")
EXPECTED["tts_branch"] = dict(license_declared={OL}, datasets_released=FOUND, training_code={NL, OL},
                              hw_hardware={True})
EXPECTED_OSAI["tts_branch"] = dict(licenses={"open"}, datasources_endmodel={"open", "partial"},
                                   trainingcode={"open", "partial"})

# 19 segmentation: the metric in the line above its results table (leftover a), data on its authors' site (leftover b)
CARDS["segmentation_caption"] = ("avocet-vision/avocet-seg-b", """---
license: apache-2.0
pipeline_tag: image-segmentation
---
# avocet-seg-b

A semantic segmentation model for street scenes, trained on
[Cityscapes](https://www.cityscapes-dataset.com/) fine annotations.

## Evaluation

mIoU on the Cityscapes validation set, single scale:

| Crop | Backbone | Score |
|---|---|---|
| 1024x1024 | Swin-B | 82.7 |
""")
EXPECTED["segmentation_caption"] = dict(license_declared={OL}, evaluation_results=FOUND,
                                        datasets_released=FOUND | {DNR}, training_code={NF})
EXPECTED_OSAI["segmentation_caption"] = dict(licenses={"open"}, trainingcode={"closed"})

# 20 a W&B link alone: training curves are neither training code nor evaluation results
CARDS["wandb_only"] = ("robin-ml/robin-clf-tiny", """---
license: mit
pipeline_tag: image-classification
---
# robin-clf-tiny

A tiny image classifier for bird species.

Training curves: [Weights & Biases run](https://wandb.ai/robin-ml/robin-clf/runs/3x9k2)
""")
EXPECTED["wandb_only"] = dict(license_declared={OL}, training_code={NF}, evaluation_results={NF},
                              evaluation_code={NF}, intermediate_checkpoints={NF})
EXPECTED_OSAI["wandb_only"] = dict(licenses={"open"}, trainingcode={"closed"})

# 21 a table of intermediate checkpoints by revision: numbers that are steps and tokens, not results
CARDS["ckpt_table"] = ("dunlin-lm/Dunlin-400M", """---
license: apache-2.0
datasets:
- dunlin-lm/dunlin-pile
---
# Dunlin-400M

A 400M-parameter language model trained on 300B tokens of
[dunlin-pile](https://huggingface.co/datasets/dunlin-lm/dunlin-pile), for studying training dynamics.

## Intermediate checkpoints

Every checkpoint is a revision of this repository:

| Step | Tokens (B) | Revision |
|---|---|---|
| 10000 | 20 | `step10000` |
| 75000 | 150 | `step75000` |
| 150000 | 300 | `step150000` |

Load one with `revision="step75000"`.
""")
EXPECTED["ckpt_table"] = dict(license_declared={OL}, intermediate_checkpoints=FOUND, evaluation_results={NF},
                              datasets_released=FOUND)
EXPECTED_OSAI["ckpt_table"] = dict(licenses={"open"}, datasources_endmodel={"open", "partial"})

# 22 a distilled image classifier: teacher named, ImageNet results in a results section, a DOI to a journal paper
CARDS["distilled_vision"] = ("shrike-cv/shrike-vit-s-distilled", """---
license: apache-2.0
pipeline_tag: image-classification
---
# shrike-vit-s-distilled

A ViT-S/16 distilled from a ViT-L/16 teacher on ImageNet-1k, with the teacher's soft labels.

Paper: Shrike et al., *Cheap students from expensive teachers*, Pattern Recognition 161 (2025),
https://doi.org/10.1016/j.patcog.2025.111204

## Results

Top-1 accuracy on ImageNet-1k: 81.9%.
""")
EXPECTED["distilled_vision"] = dict(license_declared={OL}, research_paper=FOUND, evaluation_results=FOUND,
                                    training_code={NF})
EXPECTED_OSAI["distilled_vision"] = dict(licenses={"open"}, preprint={"open"}, trainingcode={"closed"})

# 23 protein structure: data from the PDB, the paper only as the DOI of the card's own BibTeX entry
CARDS["protein_bibtex_doi"] = ("skua-fold/skua-fold-1", """---
license: apache-2.0
tags:
- biology
---
# skua-fold-1

Predicts protein backbone coordinates from a single sequence. Trained on chains from the
[Protein Data Bank](https://www.rcsb.org/) released before 2023.

## Citation

```bibtex
@article{skua2025fold,
  title   = {Single-sequence folding with skua-fold},
  author  = {Skua, A. and Tern, B.},
  year    = {2025},
  doi     = {10.1101/2025.04.02.646123}
}
```
""")
EXPECTED["protein_bibtex_doi"] = dict(license_declared={OL}, datasets_released=FOUND, research_paper=FOUND,
                                      training_code={NF})
EXPECTED_OSAI["protein_bibtex_doi"] = dict(licenses={"open"}, preprint={"open"},
                                           datasources_endmodel={"open", "partial"})

# 24 licences without a version (leftover d): "CC BY-SA" for the weights, "the Apache license" for the code
CARDS["unversioned_licences"] = ("pipit-ts/pipit-anomaly", """---
pipeline_tag: time-series-forecasting
---
# pipit-anomaly

Flags anomalies in server metrics.

## License

The weights are released under CC BY-SA. The training code,
[pipit-ts/pipit-train](https://github.com/pipit-ts/pipit-train), is under the Apache license.
""")
EXPECTED["unversioned_licences"] = dict(license_declared={OL}, license_id={"cc-by-sa"}, training_code={NL, OL})
EXPECTED_OSAI["unversioned_licences"] = dict(licenses={"open"}, trainingcode={"open", "partial"})
FOLDER_ONLY["unversioned_licences"] = dict(training_code={NL, OL, DNR}, trainingcode={"open", "partial", "closed"})

# 25 open-washed chat model: "open-source" claimed, weights under a research-only licence, safety policy binding
CARDS["openwash_chat"] = ("shag-ai/Shag-13B-Chat", """---
license: other
license_name: shag-research-license
pipeline_tag: text-generation
---
# Shag-13B-Chat

Shag-13B-Chat is a fully open-source chat model tuned for helpfulness and safety.

## Safety policy

Shag-13B-Chat may only be used for research. Deployments must filter outputs with our safety classifier and must not
serve users under 18.

## Training

Supervised fine-tuning on 300k conversations written by our annotators (not released).
""")
EXPECTED["openwash_chat"] = dict(claim={"positive"}, license_declared={RL}, datasets_released={DNR, NF},
                                 training_code={NF})
EXPECTED_OSAI["openwash_chat"] = dict(licenses={"closed"}, trainingcode={"closed"}, datasources_endmodel={"closed"})
EXPECTED_FLAGS["openwash_chat"] = {WASHED: True}
