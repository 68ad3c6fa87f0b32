"""Evidence review, twelfth round (thirty-fourth session): 25 model cards written for this round in its own words.

None is copied from a real card; the publishers, ids, datasets, papers, URLs and scores are made up (the libraries,
hosts and licences they name are real). The round asked for kinds the earlier rounds lacked: a reasoning model
distilled from another model's traces, a mixture-of-experts release with a routing description, an embedding model
with a retrieval benchmark table, a sparse retriever, code models with pass@k in a table and in prose, a
vision-language model, a document OCR model, a music generation model, a robot policy, an RL-tuned model with a
reward-model section; cards in Korean, French, Russian, Hindi, Portuguese and Chinese in traditional characters;
front matter with ``model-index`` results only; ``license: other`` with ``license_name`` / ``license_link``; a data
section that lists dataset names as a bulleted list without links; code on GitLab and on Codeberg; a card that is
mostly a changelog; a model "trained from scratch" beside its code link (the eleventh round's leftover b);
"CC BY-NC" and the spelt-out NonCommercial licences without a version (leftover a); a W&B report and a TensorBoard
log folder beside stated hyperparameters (leftover c).

Each card has beside it what a careful reader grades, written before openscope was run on it (docs/reviews.md,
*Evidence review, twelfth round*), in the form of the earlier rounds: per probe, the set of statuses a careful reader
would accept (``hw_hardware`` / ``hw_architecture`` are the hardware probe's two halves, ``claim`` the open-source
claim's outcome, ``peer`` the peer-reviewed paper probe's outcome, ``license_id`` the licence probe's licence), and in
``EXPECTED_OSAI`` per OSAI dimension the grades a careful reader would accept from the card alone (the weights
dimensions are left out: a card alone ships no weights). ``FOLDER_ONLY`` holds what differs on a folder that holds
only the README by design (a plain folder has no namespace; a relative link to a file the folder does not hold is a
promise, not a release).
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

# 1 a reasoning model distilled from another model's traces, the traces released on the Hub, a pass@1 table
CARDS["reasoning_distill"] = ("petrel-ai/petrel-reason-7b", """---
license: apache-2.0
base_model: petrel-ai/petrel-7b
datasets:
- petrel-ai/petrel-math-traces
library_name: transformers
---
# petrel-reason-7b

petrel-reason-7b is petrel-7b fine-tuned on 800k step-by-step solutions written by a larger reasoning model,
petrel-reason-70b. The traces are public: [petrel-math-traces](https://huggingface.co/datasets/petrel-ai/petrel-math-traces).
Only traces whose final answer matched the reference answer were kept.

## Evaluation

| Benchmark | pass@1 |
|---|---|
| AIME 2024 | 41.3 |
| MATH-500 | 88.9 |
| GPQA Diamond | 49.0 |

Sampling: temperature 0.6, 16 samples per problem, mean pass@1 reported.
""")
EXPECTED["reasoning_distill"] = dict(license_declared={OL}, datasets_released=FOUND, evaluation_results=FOUND,
                                     training_code={NF}, research_paper={NF})
EXPECTED_OSAI["reasoning_distill"] = dict(licenses={"open"}, datasources_endmodel={"open", "partial"},
                                          trainingcode={"closed"}, preprint={"closed"})

# 2 a mixture-of-experts release: routing described, hardware named, a technical report as a PDF in its repository
CARDS["moe_routing"] = ("gannet-lab/Gannet-MoE-16x1B", """---
license: mit
---
# Gannet-MoE-16x1B

## Architecture

A decoder-only transformer with 24 layers. Each feed-forward block is replaced by 16 experts; a learned router sends
every token to its top 2 experts, with an auxiliary load-balancing loss (coefficient 0.01). 3.1B parameters are
active per token out of 14.2B.

## Training

Pretrained on 2T tokens on 128 H100 GPUs for 19 days.

## Technical report

[Gannet-MoE technical report (PDF)](https://github.com/gannet-lab/gannet-moe/blob/main/report/gannet_moe_report.pdf)
""")
EXPECTED["moe_routing"] = dict(license_declared={OL}, hw_hardware={True}, hw_architecture={True},
                               technical_report=FOUND, training_code={NF}, datasets_released={NF, DNR})
EXPECTED_OSAI["moe_routing"] = dict(licenses={"open"}, hardware_architecture={"open"}, preprint={"partial", "open"},
                                    trainingcode={"closed"}, datasources_endmodel={"closed"})

# 3 an embedding model with a retrieval benchmark table (nDCG@10 per BEIR task), training pairs on the Hub
CARDS["embedding_beir"] = ("tern-embed/tern-embed-base", """---
license: apache-2.0
library_name: sentence-transformers
pipeline_tag: sentence-similarity
---
# tern-embed-base

A 110M-parameter text embedding model (768 dimensions) for retrieval.

## Training data

Contrastive training on 90M query-passage pairs, published as
[tern-pairs](https://huggingface.co/datasets/tern-embed/tern-pairs).

## Retrieval results (BEIR, nDCG@10)

| Task | nDCG@10 |
|---|---|
| SciFact | 71.2 |
| NFCorpus | 36.4 |
| FiQA | 40.8 |
| Average (13 tasks) | 52.6 |
""")
EXPECTED["embedding_beir"] = dict(license_declared={OL}, datasets_released=FOUND, evaluation_results=FOUND,
                                  training_code={NF})
EXPECTED_OSAI["embedding_beir"] = dict(licenses={"open"}, datasources_endmodel={"open", "partial"},
                                       trainingcode={"closed"})

# 4 a code model with pass@k in a table, its data on the Hub, training code on GitHub under Apache-2.0
CARDS["code_passk"] = ("auklet-code/auklet-coder-3b", """---
license: apache-2.0
datasets:
- auklet-code/auklet-source-v1
---
# auklet-coder-3b

A 3B code model for Python, Rust and Go.

- **Training data:** [auklet-source-v1](https://huggingface.co/datasets/auklet-code/auklet-source-v1), permissively
  licensed repositories only
- **Training code:** [auklet-code/auklet-train](https://github.com/auklet-code/auklet-train) (Apache-2.0)

## Results

| Benchmark | pass@1 | pass@10 |
|---|---|---|
| HumanEval | 48.2 | 71.0 |
| MBPP | 52.9 | 74.4 |
""")
EXPECTED["code_passk"] = dict(license_declared={OL}, datasets_released=FOUND, training_code={NL, OL},
                              evaluation_results=FOUND)
EXPECTED_OSAI["code_passk"] = dict(licenses={"open"}, datasources_endmodel={"open", "partial"},
                                   trainingcode={"open"})

# 5 a vision-language model: encoder, projector and decoder named, benchmark table, data as names in prose
CARDS["vlm"] = ("skua-vision/skua-vl-8b", """---
license: apache-2.0
pipeline_tag: image-text-to-text
---
# skua-vl-8b

## Model

A SigLIP vision encoder (400M), a two-layer MLP projector and a 7B language decoder. Images are cut into 448x448
tiles, at most 12 per image.

## Training

Stage 1 aligns the projector on 5M captioned images; stage 2 tunes the whole model on 3M instruction samples mixed
from public visual question answering sets and 400k samples we wrote, which we do not release. 64 A100 GPUs.

## Benchmarks

| Benchmark | skua-vl-8b |
|---|---|
| MMMU (val) | 47.1 |
| DocVQA (test) | 90.3 |
| ChartQA (test) | 81.5 |
""")
EXPECTED["vlm"] = dict(license_declared={OL}, hw_hardware={True}, hw_architecture={True}, evaluation_results=FOUND,
                       datasets_released={DNR}, training_code={NF})
EXPECTED_OSAI["vlm"] = dict(licenses={"open"}, hardware_architecture={"open"}, datasources_endmodel={"closed"},
                            trainingcode={"closed"})

# 6 a document OCR model: training and inference code on Codeberg, a CER table, synthetic pages kept back
CARDS["ocr_codeberg"] = ("linnet-docs/linnet-ocr", """---
license: mit
pipeline_tag: image-to-text
---
# linnet-ocr

Reads scanned pages of printed and typewritten documents into plain text.

Training code: [linnet-docs/linnet-ocr on Codeberg](https://codeberg.org/linnet-docs/linnet-ocr) (MIT).

## Training data

2M synthetic pages rendered from public-domain books, and 40k scanned pages from our partners' archives, which we
cannot share.

## Results

| Test set | CER (%) |
|---|---|
| typewritten (ours) | 1.8 |
| printed books | 0.9 |
""")
EXPECTED["ocr_codeberg"] = dict(license_declared={OL}, training_code={NL, OL}, evaluation_results=FOUND,
                                datasets_released={DNR})
EXPECTED_OSAI["ocr_codeberg"] = dict(licenses={"open"}, trainingcode={"open"}, datasources_endmodel={"closed"})

# 7 music generation: licensed stock music not released, FAD in a results section, CC BY-NC 4.0 declared
CARDS["music_gen"] = ("starling-audio/starling-music-small", """---
license: cc-by-nc-4.0
pipeline_tag: text-to-audio
---
# starling-music-small

Generates 30-second instrumental clips from a text description.

## Training data

18,000 hours of instrumental music licensed from a stock music library. The licence does not allow us to
redistribute the audio.

## Evaluation

Fréchet Audio Distance of 2.14 on the MusicCaps evaluation set (lower is better), and a CLAP score of 0.31.
""")
EXPECTED["music_gen"] = dict(license_declared={RL}, datasets_released={DNR}, evaluation_results=FOUND,
                             training_code={NF})
EXPECTED_OSAI["music_gen"] = dict(licenses={"closed"}, datasources_endmodel={"closed"}, trainingcode={"closed"})

# 8 a robot policy: teleoperation demonstrations on the Hub, training code on GitLab, success rates, one RTX 4090
CARDS["robot_policy"] = ("wagtail-robotics/wagtail-pick-policy", """---
license: apache-2.0
tags:
- robotics
---
# wagtail-pick-policy

A diffusion policy for a six-axis arm that picks household objects from a bin.

- Data: [wagtail-pick-demos](https://huggingface.co/datasets/wagtail-robotics/wagtail-pick-demos), 1,200
  teleoperated demonstrations
- Training code: https://gitlab.com/wagtail-robotics/wagtail-policy
- Hardware: one RTX 4090, 30 hours

## Results

| Setting | Success rate (%) |
|---|---|
| seen objects | 86 |
| unseen objects | 61 |
""")
EXPECTED["robot_policy"] = dict(license_declared={OL}, datasets_released=FOUND, training_code={NL, OL},
                                hw_hardware={True}, evaluation_results=FOUND)
EXPECTED_OSAI["robot_policy"] = dict(licenses={"open"}, datasources_endmodel={"open", "partial"},
                                     trainingcode={"open"})

# 9 an RL-tuned model with a reward-model section: preference pairs kept back, PPO with a named library, no own code
CARDS["rl_reward"] = ("plover-lm/plover-chat-rl", """---
license: apache-2.0
base_model: plover-lm/plover-chat-sft
---
# plover-chat-rl

plover-chat-sft tuned further with reinforcement learning from human feedback.

## Reward model

A reward model initialised from plover-chat-sft and trained on 120k pairs of answers ranked by our annotators. Neither
the reward model nor the ranked pairs are released.

## RL training

PPO with the [OpenRLHF](https://github.com/OpenRLHF/OpenRLHF) library, KL coefficient 0.05, 2 epochs over 60k prompts.
""")
EXPECTED["rl_reward"] = dict(license_declared={OL}, datasets_released={DNR}, training_code={NF, DNR},
                             evaluation_results={NF})
EXPECTED_OSAI["rl_reward"] = dict(licenses={"open"}, datasources_endmodel={"closed"}, trainingcode={"closed", "partial"})

# 10 Korean: a code model, licence said in Korean only, data on the Hub, a pass@1 table with Korean headers
CARDS["korean_code"] = ("jebi-ai/jebi-coder-1.5b", """# jebi-coder-1.5b

한국어 주석과 문서를 잘 이해하는 1.5B 코드 모델입니다.

## 학습 데이터

[jebi-code-ko](https://huggingface.co/datasets/jebi-ai/jebi-code-ko) 데이터셋으로 학습했습니다.

## 평가

| 벤치마크 | pass@1 |
|---|---|
| HumanEval | 39.6 |
| MBPP | 44.1 |

## 라이선스

라이선스: Apache 2.0
""")
EXPECTED["korean_code"] = dict(license_declared={OL}, datasets_released=FOUND, evaluation_results=FOUND,
                               training_code={NF})
EXPECTED_OSAI["korean_code"] = dict(licenses={"open"}, datasources_endmodel={"open", "partial"},
                                    trainingcode={"closed"})

# 11 French: a speech recogniser, "Code d'entraînement :" over its own GitHub, data on the Hub, "Licence : MIT"
CARDS["french_asr"] = ("mesange-voix/mesange-asr-fr", """# mesange-asr-fr

Un modèle de reconnaissance de la parole pour le français.

## Données d'entraînement

[mesange-parole](https://huggingface.co/datasets/mesange-voix/mesange-parole) : 900 heures de parole lue.

## Code

Code d'entraînement : [mesange-voix/mesange-train](https://github.com/mesange-voix/mesange-train)

## Résultats

| Jeu de test | WER (%) |
|---|---|
| mesange-parole test | 8.4 |

## Licence

Licence : MIT
""")
EXPECTED["french_asr"] = dict(license_declared={OL}, datasets_released=FOUND, training_code={NL, OL},
                              evaluation_results=FOUND)
EXPECTED_OSAI["french_asr"] = dict(licenses={"open"}, datasources_endmodel={"open", "partial"},
                                   trainingcode={"open"})
FOLDER_ONLY["french_asr"] = dict(training_code={NL, OL, DNR}, trainingcode={"open", "partial", "closed"})

# 12 Russian: an embedding model, the data section lists names without links, "Лицензия: Apache 2.0"
CARDS["russian_embedding"] = ("sinica-nlp/sinica-embed-ru", """# sinica-embed-ru

Модель векторных представлений текста для русского языка.

## Данные для обучения

- Википедия на русском языке (дамп 2024 года)
- новостные статьи, собранные нами (не публикуются)

## Результаты

| Задача | nDCG@10 |
|---|---|
| поиск по новостям | 61.7 |

Лицензия: Apache 2.0
""")
EXPECTED["russian_embedding"] = dict(license_declared={OL}, datasets_released={DNR}, evaluation_results=FOUND)
EXPECTED_OSAI["russian_embedding"] = dict(licenses={"open"}, datasources_endmodel={"closed", "partial"})

# 13 Hindi: a classifier, front matter licence, the data section and a results table in Hindi
CARDS["hindi_classifier"] = ("koel-ai/koel-sentiment-hi", """---
license: mit
pipeline_tag: text-classification
---
# koel-sentiment-hi

हिंदी समीक्षाओं के लिए भावना वर्गीकरण मॉडल।

## प्रशिक्षण डेटा

[koel-reviews-hi](https://huggingface.co/datasets/koel-ai/koel-reviews-hi) डेटासेट पर प्रशिक्षित।

## परिणाम

| परीक्षण सेट | सटीकता (%) |
|---|---|
| koel-reviews-hi test | 91.2 |
""")
EXPECTED["hindi_classifier"] = dict(license_declared={OL}, datasets_released=FOUND, evaluation_results=FOUND)
EXPECTED_OSAI["hindi_classifier"] = dict(licenses={"open"}, datasources_endmodel={"open", "partial"})

# 14 Portuguese: "Licença: CC BY-NC" without a version (leftover a), data names in a bulleted list without links
CARDS["portuguese_ccbync"] = ("sabia-lab/sabia-ner-pt", """# sabia-ner-pt

Modelo de reconhecimento de entidades nomeadas para português europeu.

## Dados de treino

- HAREM (coleção dourada)
- notícias anotadas pela nossa equipa, não publicadas

## Resultados

F1 de 87,3 no conjunto de teste do HAREM.

## Licença

Licença: CC BY-NC
""")
EXPECTED["portuguese_ccbync"] = dict(license_declared={RL}, license_id={"cc-by-nc"}, datasets_released={DNR},
                                     evaluation_results=FOUND)
EXPECTED_OSAI["portuguese_ccbync"] = dict(licenses={"closed"}, datasources_endmodel={"closed", "partial"})

# 15 Chinese in traditional characters: licence in a sentence, data on the Hub, a results table
CARDS["hant_chat"] = ("taiwan-formosa/formosa-chat-3b", """# formosa-chat-3b

以繁體中文對話資料微調的 3B 對話模型。

## 訓練資料

使用 [formosa-dialog](https://huggingface.co/datasets/taiwan-formosa/formosa-dialog) 資料集進行微調。

## 評測結果

| 評測 | 分數 |
|---|---|
| TMMLU+ | 48.5 |

## 授權

本模型以 MIT 授權釋出。
""")
EXPECTED["hant_chat"] = dict(license_declared={OL}, datasets_released=FOUND, evaluation_results=FOUND)
EXPECTED_OSAI["hant_chat"] = dict(licenses={"open"}, datasources_endmodel={"open", "partial"})

# 16 front matter with model-index results only, for two tasks; the body is a title
CARDS["model_index_two"] = ("finch-ml/finch-asr-en", """---
license: apache-2.0
model-index:
- name: finch-asr-en
  results:
  - task:
      type: automatic-speech-recognition
    dataset:
      name: finch read speech (test)
      type: finch-ml/finch-read-speech
    metrics:
    - type: wer
      value: 6.2
  - task:
      type: automatic-speech-recognition
    dataset:
      name: finch phone calls (test)
      type: finch-ml/finch-calls
    metrics:
    - type: wer
      value: 13.8
---
# finch-asr-en
""")
EXPECTED["model_index_two"] = dict(license_declared={OL}, evaluation_results=FOUND, training_code={NF})
EXPECTED_OSAI["model_index_two"] = dict(licenses={"open"}, trainingcode={"closed"})

# 17 license: other with license_name and license_link, a custom community licence
CARDS["license_other_named"] = ("heron-ai/heron-13b", """---
license: other
license_name: heron-community-license
license_link: https://huggingface.co/heron-ai/heron-13b/blob/main/LICENSE
---
# heron-13b

A 13B general language model.

## License

Use of the weights is governed by the Heron Community License (see `license_link`). Services with more than 50
million monthly users need a separate licence from us.
""")
EXPECTED["license_other_named"] = dict(license_declared={RL}, training_code={NF}, datasets_released={NF})
EXPECTED_OSAI["license_other_named"] = dict(licenses={"closed"}, trainingcode={"closed"})

# 18 a data section that lists public dataset names as a bulleted list without links
CARDS["bulleted_names"] = ("ouzel-lm/ouzel-1b", """---
license: apache-2.0
---
# ouzel-1b

## Training data

ouzel-1b was pretrained on a mix of:

- English Wikipedia (2024-06 dump)
- OpenWebMath
- The Stack v2 (Python subset)
- Project Gutenberg books published before 1927

## Hardware

32 A100 GPUs for 11 days.
""")
EXPECTED["bulleted_names"] = dict(license_declared={OL}, datasets_released={DNR, NL}, hw_hardware={True},
                                  training_code={NF})
EXPECTED_OSAI["bulleted_names"] = dict(licenses={"open"}, trainingcode={"closed"})

# 19 a card that is mostly a changelog: versions, a retraining on a linked set, a relative improvement (no score)
CARDS["changelog"] = ("pipit-ai/pipit-tagger", """---
license: mit
pipeline_tag: token-classification
---
# pipit-tagger

A part-of-speech tagger.

## Changelog

- **v1.3** (2025-04-02): retrained on [pipit-treebank v2](https://huggingface.co/datasets/pipit-ai/pipit-treebank);
  about two points better on questions than v1.2.
- **v1.2** (2025-01-15): smaller vocabulary; loads twice as fast.
- **v1.1** (2024-11-30): fixed the tokenizer's handling of apostrophes.
- **v1.0** (2024-10-01): first release.
""")
EXPECTED["changelog"] = dict(license_declared={OL}, datasets_released=FOUND, evaluation_results={NF},
                             training_code={NF})
EXPECTED_OSAI["changelog"] = dict(licenses={"open"}, datasources_endmodel={"open", "partial"},
                                  trainingcode={"closed"})

# 20 "trained from scratch" beside its own training code link (the eleventh round's leftover b)
CARDS["from_scratch"] = ("sparrow-lab/sparrow-350m", """---
license: apache-2.0
datasets:
- sparrow-lab/sparrow-corpus
---
# sparrow-350m

We trained sparrow-350m from scratch; the code is [sparrow-lab/sparrow-train](https://github.com/sparrow-lab/sparrow-train).
It saw 600B tokens of [sparrow-corpus](https://huggingface.co/datasets/sparrow-lab/sparrow-corpus).
""")
EXPECTED["from_scratch"] = dict(license_declared={OL}, training_code={NL, OL}, datasets_released=FOUND)
EXPECTED_OSAI["from_scratch"] = dict(licenses={"open"}, trainingcode={"open"},
                                     datasources_endmodel={"open", "partial"})

# 21 "Creative Commons Attribution-NonCommercial-ShareAlike" spelt out, without a version (leftover a)
CARDS["ccbyncsa_spelt"] = ("gull-med/gull-seg-ct", """---
pipeline_tag: image-segmentation
---
# gull-seg-ct

Segments organs in abdominal CT scans.

## Licence

The weights are released under the Creative Commons Attribution-NonCommercial-ShareAlike licence, for research only.
""")
EXPECTED["ccbyncsa_spelt"] = dict(license_declared={RL}, license_id={"cc-by-nc-sa"}, training_code={NF})
EXPECTED_OSAI["ccbyncsa_spelt"] = dict(licenses={"closed"}, trainingcode={"closed"})

# 22 a sparse retriever: MS MARCO on the Hub, MRR@10 and Recall@1000 table, "CC BY-NC-ND" without a version
CARDS["sparse_retriever"] = ("tit-ir/tit-splade-base", """---
datasets:
- tit-ir/msmarco-passage-triples
---
# tit-splade-base

A sparse lexical retriever: every passage becomes a weighted bag of vocabulary terms.

Trained on [msmarco-passage-triples](https://huggingface.co/datasets/tit-ir/msmarco-passage-triples).

## Results

| Collection | MRR@10 | Recall@1000 |
|---|---|---|
| MS MARCO dev | 38.1 | 97.9 |

## License

CC BY-NC-ND
""")
EXPECTED["sparse_retriever"] = dict(license_declared={RL}, license_id={"cc-by-nc-nd"}, datasets_released=FOUND,
                                    evaluation_results=FOUND)
EXPECTED_OSAI["sparse_retriever"] = dict(licenses={"closed"}, datasources_endmodel={"open", "partial"})

# 23 a code model with pass@k in prose in an evaluation section, no table
CARDS["code_prose"] = ("wren-code/wren-coder-tiny", """---
license: mit
---
# wren-coder-tiny

## Evaluation

On HumanEval, wren-coder-tiny reaches a pass@1 of 31.7% and a pass@10 of 52.4% (greedy decoding for pass@1,
temperature 0.8 for pass@10).
""")
EXPECTED["code_prose"] = dict(license_declared={OL}, evaluation_results=FOUND, training_code={NF})
EXPECTED_OSAI["code_prose"] = dict(licenses={"open"}, trainingcode={"closed"})

# 24 a W&B report and a TensorBoard log folder beside stated hyperparameters (leftover c)
CARDS["logs_hparams"] = ("kite-ml/kite-vit-b", """---
license: apache-2.0
pipeline_tag: image-classification
---
# kite-vit-b

## Training

Trained for 300 epochs with AdamW, learning rate 1e-3, batch size 4096.

- Training curves: [W&B report](https://wandb.ai/kite-ml/kite-vit/reports/kite-vit-b--Vmlldzo5)
- TensorBoard logs: [runs/](https://huggingface.co/kite-ml/kite-vit-b/tree/main/runs)
""")
EXPECTED["logs_hparams"] = dict(license_declared={OL}, model_metadata={DNR}, training_code={NF},
                                evaluation_results={NF}, intermediate_checkpoints={NF})
EXPECTED_OSAI["logs_hparams"] = dict(licenses={"open"}, trainingcode={"closed"})

# 25 open-washed MoE: "open-source" said, the weights under a non-commercial licence written out, nothing else shared
CARDS["openwash_moe"] = ("egret-ai/egret-moe-30b", """---
license: cc-by-nc-4.0
---
# egret-moe-30b

egret-moe-30b is our fully open-source mixture-of-experts model: 64 experts, 8 active per token.

The training data and training code are proprietary and will not be released.
""")
EXPECTED["openwash_moe"] = dict(claim={"positive"}, license_declared={RL}, datasets_released={DNR, NF},
                                training_code={DNR, NF})
EXPECTED_OSAI["openwash_moe"] = dict(licenses={"closed"}, trainingcode={"closed", "partial"},
                                     datasources_endmodel={"closed"})
EXPECTED_FLAGS["openwash_moe"] = {WASHED: True}
