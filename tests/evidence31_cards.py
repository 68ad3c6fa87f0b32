"""Evidence review, ninth round (thirty-first session): 25 model cards written for this round in its own words.

None is copied from a real card; the publishers, ids and datasets are made up (the tools the cards name, Trainer, TRL,
Axolotl, Unsloth, LLaMA-Factory, AutoTrain, sentence-transformers, diffusers, timm, NeMo, ESPnet and llama.cpp, are
real, and each card imitates the shape of what that tool generates, in new words). Each card has beside it what a
careful reader grades, written before openscope was run on it (docs/reviews.md, *Evidence review, ninth round*): per
probe, the set of statuses a careful reader would accept (``hw_hardware`` / ``hw_architecture`` are the hardware
probe's two halves), and in ``EXPECTED_OSAI`` per OSAI dimension the grades a careful reader would accept from the
card alone (the weights dimensions are left out: a card alone ships no weights).
"""

from __future__ import annotations

NF, DNR, NL, RL, OL = "not_found", "documented_not_released", "no_license", "restrictive_license", "open_license"
FOUND = {NL, RL, OL}
CARDS: dict[str, tuple[str, str]] = {}
EXPECTED: dict[str, dict[str, set[object]]] = {}
EXPECTED_OSAI: dict[str, dict[str, set[str]]] = {}

# 1 the transformers Trainer's card, edited by its author (uses and limitations filled in)
CARDS["trainer_edited"] = ("plover/reviewbert-sentiment", """---
license: apache-2.0
base_model: distilbert/distilbert-base-uncased
datasets:
- stanfordnlp/imdb
library_name: transformers
tags:
- generated_from_trainer
metrics:
- accuracy
model-index:
- name: reviewbert-sentiment
  results: []
---

# reviewbert-sentiment

This model is a fine-tuned version of [distilbert/distilbert-base-uncased](https://huggingface.co/distilbert/distilbert-base-uncased) on the imdb dataset.
It achieves the following results on the evaluation set:
- Loss: 0.2213
- Accuracy: 0.9284

## Model description

A small classifier that tells whether a film review is positive or negative.

## Intended uses & limitations

Meant for English film reviews. It was not tested on other domains and sarcasm fools it often.

## Training and evaluation data

The 25,000 training reviews of imdb, with 10% held out for evaluation.

## Training procedure

### Training hyperparameters

The following hyperparameters were used during training:
- learning_rate: 2e-05
- train_batch_size: 16
- seed: 42
- optimizer: Adam with betas=(0.9,0.999) and epsilon=1e-08
- num_epochs: 2

### Framework versions

- Transformers 4.44.2
- Pytorch 2.4.0
- Datasets 2.21.0
""")
EXPECTED["trainer_edited"] = dict(training_code={NF}, datasets_released=FOUND, evaluation_results=FOUND,
                                  architecture_code={OL}, license_declared={OL}, hw_hardware={False},
                                  research_paper={NF}, model_card=FOUND)
EXPECTED_OSAI["trainer_edited"] = dict(trainingcode={"closed"}, code={"closed"}, preprint={"closed"},
                                       licenses={"open"}, datasources_endmodel={"open", "partial"})

# 2 TRL's generated card: quick start, the TRL citation, the author's own (unpublished) data
CARDS["trl_sft"] = ("mika-t/heron-recipes-sft", """---
base_model: birdlab/Heron-1B
library_name: transformers
model_name: heron-recipes-sft
tags:
- generated_from_trainer
- trl
- sft
license: apache-2.0
---

# Model Card for heron-recipes-sft

This model is a fine-tuned version of [birdlab/Heron-1B](https://huggingface.co/birdlab/Heron-1B).
It has been trained using [TRL](https://github.com/huggingface/trl).

## Quick start

```python
from transformers import pipeline

generator = pipeline("text-generation", model="mika-t/heron-recipes-sft")
print(generator("A quick soup with leeks:", max_new_tokens=64)[0]["generated_text"])
```

## Training procedure

This model was trained with SFT on about 5,000 recipes I collected myself; that collection is not published.

### Framework versions

- TRL: 0.12.1
- Transformers: 4.46.2
- Pytorch: 2.5.1

## Citations

Cite TRL as:

```bibtex
@misc{vonwerra2022trl,
    title        = {{TRL: Transformer Reinforcement Learning}},
    author       = {Leandro von Werra and others},
    year         = 2020,
    publisher    = {GitHub},
    howpublished = {\\url{https://github.com/huggingface/trl}}
}
```
""")
EXPECTED["trl_sft"] = dict(training_code={NF}, datasets_released={DNR, NF}, research_paper={NF},
                           inference_code={OL, NL}, supporting_libraries={OL}, license_declared={OL},
                           hw_hardware={False})
EXPECTED_OSAI["trl_sft"] = dict(trainingcode={"closed"}, preprint={"closed"}, licenses={"open"},
                                datasources_endmodel={"closed"})

# 3 Axolotl's card: the badge, the config in a details block
CARDS["axolotl"] = ("tern-ai/Tern-7B-chat", """---
license: apache-2.0
base_model: birdlab/Heron-7B
tags:
- axolotl
- generated_from_trainer
---

[<img src="https://raw.githubusercontent.com/axolotl-ai-cloud/axolotl/main/image/axolotl-badge-web.png" alt="Built with Axolotl" width="200" height="32"/>](https://github.com/axolotl-ai-cloud/axolotl)
<details><summary>See axolotl config</summary>

axolotl version: `0.5.0`
```yaml
base_model: birdlab/Heron-7B
load_in_8bit: false
datasets:
  - path: tern-ai/tern-chat-40k
    type: sharegpt
sequence_len: 4096
micro_batch_size: 2
learning_rate: 0.00002
```

</details><br>

# Tern-7B-chat

A chat fine-tune of Heron-7B on our public conversation set [tern-chat-40k](https://huggingface.co/datasets/tern-ai/tern-chat-40k).

## Training procedure

Trained for 3 epochs on 4 x A100 80GB.

### Framework versions

- Transformers 4.45.0
- Pytorch 2.3.1
""")
EXPECTED["axolotl"] = dict(training_code={NF}, datasets_released=FOUND, hw_hardware={True},
                           license_declared={OL}, supporting_libraries=FOUND | {NF})
EXPECTED_OSAI["axolotl"] = dict(trainingcode={"closed"}, licenses={"open"}, datasources_endmodel={"open", "partial"},
                                hardware_architecture={"partial"})

# 4 Unsloth's generated card, as most uploads leave it
CARDS["unsloth"] = ("janedoe/heron-8b-poems", """---
base_model: unsloth/heron-8b-bnb-4bit
tags:
- text-generation-inference
- transformers
- unsloth
- heron
license: apache-2.0
language:
- en
---

# Uploaded model

- **Developed by:** janedoe
- **License:** apache-2.0
- **Finetuned from model :** unsloth/heron-8b-bnb-4bit

This heron model was trained 2x faster with [Unsloth](https://github.com/unslothai/unsloth) and Huggingface's TRL library.

[<img src="https://raw.githubusercontent.com/unslothai/unsloth/main/images/unsloth%20made%20with%20love.png" width="200"/>](https://github.com/unslothai/unsloth)
""")
EXPECTED["unsloth"] = dict(training_code={NF}, datasets_released={NF}, hw_hardware={False}, hw_architecture={False},
                           license_declared={OL}, research_paper={NF}, architecture_code={NF, OL})
EXPECTED_OSAI["unsloth"] = dict(trainingcode={"closed"}, code={"closed"}, hardware_architecture={"closed"},
                                licenses={"open"}, datasources_endmodel={"closed"}, preprint={"closed"})

# 5 LLaMA-Factory's card with the author's hardware line added; `license: other` with nothing else
CARDS["llamafactory"] = ("shanhu/qwenlet-7b-lora-law", """---
library_name: peft
license: other
base_model: acme/Qwenlet-7B-Instruct
tags:
- llama-factory
- lora
- generated_from_trainer
model-index:
- name: qwenlet-7b-lora-law
  results: []
---

# qwenlet-7b-lora-law

This model is a fine-tuned version of [acme/Qwenlet-7B-Instruct](https://huggingface.co/acme/Qwenlet-7B-Instruct) on the law_qa_zh dataset.

## Training procedure

Trained on 2 x RTX 4090 for nine hours.

### Training hyperparameters

- learning_rate: 0.0001
- train_batch_size: 4
- lr_scheduler_type: cosine
- num_epochs: 3.0

### Framework versions

- PEFT 0.12.0
- Transformers 4.46.1
- Pytorch 2.4.0
""")
EXPECTED["llamafactory"] = dict(training_code={NF}, datasets_released={NF, DNR}, hw_hardware={True},
                                license_declared={RL, NL}, architecture_code={OL})
EXPECTED_OSAI["llamafactory"] = dict(trainingcode={"closed"}, licenses={"closed", "unknown"},
                                     datasources_endmodel={"closed"})

# 6 AutoTrain's card: no licence, validation metrics as key: value lines
CARDS["autotrain"] = ("finch-co/autotrain-ticket-router", """---
tags:
- autotrain
- text-classification
widget:
- text: "My invoice shows the wrong address"
datasets:
- finch-co/autotrain-data-ticket-router
---

# Model Trained Using AutoTrain

- Problem type: Text Classification

## Validation Metrics
loss: 0.1402
f1_macro: 0.9310
accuracy: 0.9455
""")
EXPECTED["autotrain"] = dict(training_code={NF}, license_declared={NF}, evaluation_results=FOUND,
                             datasets_released={NL, NF, DNR}, hw_hardware={False})
EXPECTED_OSAI["autotrain"] = dict(trainingcode={"closed"}, licenses={"closed"}, preprint={"closed"})

# 7 sentence-transformers family card: a table of sizes, the licence in a badge only
CARDS["st_sizes"] = ("wagtail/wagtail-embed-base", """---
library_name: sentence-transformers
pipeline_tag: sentence-similarity
tags:
- sentence-transformers
- feature-extraction
---

# Wagtail embeddings

[![License: MIT](https://img.shields.io/badge/License-MIT-yellow.svg)](https://opensource.org/licenses/MIT)

English sentence embeddings in three sizes.

| Model | Layers | Dimensions | Parameters |
|---|---|---|---|
| wagtail-embed-small | 6 | 384 | 23M |
| wagtail-embed-base | 12 | 768 | 110M |
| wagtail-embed-large | 24 | 1024 | 335M |

## Usage

```python
from sentence_transformers import SentenceTransformer

model = SentenceTransformer("wagtail/wagtail-embed-base")
vectors = model.encode(["The cat sleeps.", "A kitten is napping."])
```

## Results

| Model | STS-B (Spearman) | Retrieval nDCG@10 |
|---|---|---|
| wagtail-embed-small | 81.2 | 41.0 |
| wagtail-embed-base | 84.5 | 45.3 |
| wagtail-embed-large | 85.9 | 48.1 |
""")
EXPECTED["st_sizes"] = dict(license_declared={OL}, architecture_code={OL}, inference_code={OL},
                            evaluation_results=FOUND, hw_architecture={True, False}, training_code={NF})
EXPECTED_OSAI["st_sizes"] = dict(licenses={"open"}, trainingcode={"closed"})

# 8 diffusers' DreamBooth LoRA card, edited: the example script named, one A100, OpenRAIL++
CARDS["diffusers_dreambooth"] = ("oriol/sdxl-lora-ceramics", """---
license: openrail++
base_model: stabilityai/stable-diffusion-xl-base-1.0
library_name: diffusers
instance_prompt: a photo of TOK ceramic vase
tags:
- text-to-image
- diffusers
- lora
- template:sd-lora
---

# SDXL LoRA DreamBooth - oriol/sdxl-lora-ceramics

## Model description

LoRA weights for stabilityai/stable-diffusion-xl-base-1.0 that draw hand-thrown vases in one potter's style.
The weights were trained with DreamBooth using the diffusers example script `train_dreambooth_lora_sdxl.py`:

```bash
accelerate launch train_dreambooth_lora_sdxl.py --instance_prompt="a photo of TOK ceramic vase" --rank=8
```

Training took 40 minutes on one A100, with 14 photos of my own pots (not shared).

## Trigger words

Use `a photo of TOK ceramic vase` in the prompt.

## How to use

```python
from diffusers import AutoPipelineForText2Image
pipe = AutoPipelineForText2Image.from_pretrained("stabilityai/stable-diffusion-xl-base-1.0")
pipe.load_lora_weights("oriol/sdxl-lora-ceramics")
```
""")
EXPECTED["diffusers_dreambooth"] = dict(training_code={OL, NF}, hw_hardware={True}, datasets_released={DNR, NF},
                                        license_declared={RL}, inference_code={OL})
EXPECTED_OSAI["diffusers_dreambooth"] = dict(licenses={"closed"}, datasources_endmodel={"closed"})

# 9 timm's card: model stats, the architecture's paper, the library's citation
CARDS["timm"] = ("grebe/vitlet_small_patch16_224.gb_in1k", """---
tags:
- image-classification
- timm
library_name: timm
license: apache-2.0
datasets:
- imagenet-1k
---

# Model card for vitlet_small_patch16_224.gb_in1k

A small Vision Transformer image classifier, trained on ImageNet-1k by the grebe team with timm.

## Model Details
- **Model Type:** Image classification / feature backbone
- **Model Stats:**
  - Params (M): 22.1
  - GMACs: 4.6
  - Image size: 224 x 224
- **Papers:**
  - An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale: https://arxiv.org/abs/2010.11929v2
- **Dataset:** ImageNet-1k

## Model Usage

```python
import timm
model = timm.create_model("hf_hub:grebe/vitlet_small_patch16_224.gb_in1k", pretrained=True)
```

## Citation

```bibtex
@misc{rw2019timm,
  author = {Ross Wightman},
  title = {PyTorch Image Models},
  year = {2019},
  howpublished = {\\url{https://github.com/rwightman/pytorch-image-models}}
}
```
""")
EXPECTED["timm"] = dict(architecture_code={OL}, inference_code={OL}, training_code={NF}, evaluation_results={NF},
                        license_declared={OL}, research_paper={NF, NL}, datasets_released=FOUND)
EXPECTED_OSAI["timm"] = dict(licenses={"open"}, trainingcode={"closed"})

# 10 NeMo ASR card: the toolkit's example script and config, a WER table, a licence section
CARDS["nemo_asr"] = ("kranich-lab/stt_de_fastconformer_ctc_large", """---
language:
- de
library_name: nemo
license: cc-by-4.0
datasets:
- mozilla-foundation/common_voice_11_0
tags:
- automatic-speech-recognition
- FastConformer
- CTC
---

# Kranich FastConformer-CTC Large (de)

A German speech recogniser of about 115M parameters.

## Model Architecture

FastConformer: a Conformer encoder with 8x depthwise-separable convolutional downsampling, 18 layers, trained with
a CTC loss.

## Training

We trained it with the NeMo toolkit, using the toolkit's [example script](https://github.com/NVIDIA/NeMo/blob/main/examples/asr/asr_ctc/speech_to_text_ctc_bpe.py)
and its [base config](https://github.com/NVIDIA/NeMo/blob/main/examples/asr/conf/fastconformer/fast-conformer_ctc_bpe.yaml), for 300 epochs.

## Datasets

About 1,100 hours of German from Common Voice 11.

## Performance

| Version | Tokenizer | CV11 test WER |
|---|---|---|
| 1.0.0 | SentencePiece BPE, 1024 | 6.4 |

## Limitations

Accented and noisy speech gives more errors.

## License

The model is released under CC-BY-4.0.
""")
EXPECTED["nemo_asr"] = dict(training_code={OL, NL}, hw_architecture={True}, hw_hardware={False},
                            evaluation_results=FOUND, datasets_released=FOUND, license_declared={OL},
                            architecture_code={OL})
EXPECTED_OSAI["nemo_asr"] = dict(trainingcode={"open"}, licenses={"open"}, hardware_architecture={"partial"},
                                 datasources_endmodel={"open", "partial"})

# 11 ESPnet's card: a recipe, a results table, the config in a details block
CARDS["espnet"] = ("kobe-lab/espnet_jsut_asr_conformer", """---
tags:
- espnet
- audio
- automatic-speech-recognition
language: ja
datasets:
- jsut
license: cc-by-4.0
---

## ESPnet2 ASR model

### `kobe-lab/espnet_jsut_asr_conformer`

This model was trained by kobe-lab using the jsut recipe in [espnet](https://github.com/espnet/espnet/).

### Demo: How to use in ESPnet2

```bash
cd espnet
cd egs2/jsut/asr1
./run.sh --skip_data_prep false --skip_train true --download_model kobe-lab/espnet_jsut_asr_conformer
```

## RESULTS

### CER

|dataset|Snt|Wrd|Corr|Sub|Del|Ins|Err|S.Err|
|---|---|---|---|---|---|---|---|---|
|decode_asr/test|250|13000|93.8|4.6|1.6|0.7|6.9|52.0|

## ASR config

<details><summary>expand</summary>

```
encoder: conformer
encoder_conf:
    output_size: 256
    attention_heads: 4
    num_blocks: 12
decoder: transformer
```

</details>
""")
EXPECTED["espnet"] = dict(training_code={OL, NL, NF}, evaluation_results=FOUND, license_declared={OL},
                          datasets_released=FOUND, hw_hardware={False}, inference_code=FOUND)
EXPECTED_OSAI["espnet"] = dict(licenses={"open"})

# 12 the GGUF converter space's card: converted from a base, llama.cpp usage, GPUs only to build it
CARDS["gguf_my_repo"] = ("janedoe/Heron-8B-Q4_K_M-GGUF", """---
base_model: birdlab/Heron-8B
license: apache-2.0
tags:
- llama-cpp
- gguf-my-repo
---

# janedoe/Heron-8B-Q4_K_M-GGUF
This model was converted to GGUF format from [`birdlab/Heron-8B`](https://huggingface.co/birdlab/Heron-8B) using llama.cpp.
Refer to the [original model card](https://huggingface.co/birdlab/Heron-8B) for more details on the model.

## Use with llama.cpp
Install llama.cpp (Mac and Linux):

```bash
brew install llama.cpp
```

Run the CLI:

```bash
llama-cli --hf-repo janedoe/Heron-8B-Q4_K_M-GGUF --hf-file heron-8b-q4_k_m.gguf -p "Once upon a time"
```

Or build it yourself with the flags of your hardware (for example `GGML_CUDA=1` for NVIDIA GPUs on Linux):

```bash
git clone https://github.com/ggml-org/llama.cpp && cd llama.cpp && make GGML_CUDA=1
```
""")
EXPECTED["gguf_my_repo"] = dict(training_code={NF}, hw_hardware={False}, datasets_released={NF},
                                research_paper={NF}, license_declared={OL}, inference_code={OL, NL})
EXPECTED_OSAI["gguf_my_repo"] = dict(trainingcode={"closed"}, licenses={"open"}, hardware_architecture={"closed"},
                                     preprint={"closed"})

# 13 a family of sizes; the licence only in a footer line
CARDS["license_footer"] = ("avocet/Avocet-Base", """---
language: [en]
---
# Avocet

Avocet is a family of small encoder-decoder models for summarisation.

| Model | Layers (enc/dec) | d_model | Heads | Parameters |
|---|---|---|---|---|
| Avocet-Tiny | 4/4 | 256 | 4 | 16M |
| Avocet-Base | 12/12 | 768 | 12 | 220M |
| Avocet-Large | 24/24 | 1024 | 16 | 770M |

## Training

Pre-trained on the English part of a public news crawl, then tuned on summaries.

## Evaluation

| Model | CNN/DM ROUGE-L |
|---|---|
| Avocet-Base | 38.2 |

---

*Avocet models are released under the Apache License 2.0.*
""")
EXPECTED["license_footer"] = dict(license_declared={OL}, hw_architecture={True}, evaluation_results=FOUND,
                                  training_code={NF}, datasets_released={NF, DNR})
EXPECTED_OSAI["license_footer"] = dict(licenses={"open"}, hardware_architecture={"partial"},
                                       trainingcode={"closed"})

# 14 a License section in prose: MIT code, custom community licence for the weights, "see LICENSE"
CARDS["license_prose"] = ("kite-ai/Kite-12B", """---
license: other
license_name: kite-community-license
---
# Kite-12B

A 12B chat model.

## Usage

```python
from transformers import AutoModelForCausalLM
model = AutoModelForCausalLM.from_pretrained("kite-ai/Kite-12B")
```

## License

The code in this repository is released under the MIT License. The model weights are released under the Kite
Community License, which allows commercial use only for companies below 700 million monthly users; see
[LICENSE](LICENSE) for the full terms.
""")
EXPECTED["license_prose"] = dict(license_declared={RL}, training_code={NF}, inference_code={OL, NL})
EXPECTED_OSAI["license_prose"] = dict(licenses={"partial", "closed"}, trainingcode={"closed"})

# 15 the licence as a row of a details table
CARDS["license_row"] = ("ibis-research/ibis-ner-de", """---
language: [de]
---
# ibis-ner-de

A named-entity tagger for German news.

| | |
|---|---|
| Developed by | Ibis Research |
| Model type | Token classification (BERT-base encoder, 12 layers) |
| Language | German |
| License | CC BY-NC 4.0 |
| Finetuned from | ibis-research/ibis-bert-de |

## Evaluation

F1 on the GermEval 2014 test set: 86.1.
""")
EXPECTED["license_row"] = dict(license_declared={RL}, evaluation_results=FOUND, training_code={NF})
EXPECTED_OSAI["license_row"] = dict(licenses={"closed"}, trainingcode={"closed"})

# 16 "see LICENSE" and nothing else about the licence
CARDS["see_license"] = ("dunlin/dunlin-tts", """---
language: [en]
pipeline_tag: text-to-speech
---
# dunlin-tts

An English text-to-speech model with four voices.

## Training data

About 60 hours of read speech recorded by four volunteers for this project.

## License

See LICENSE.
""")
EXPECTED["see_license"] = dict(license_declared={NF, NL}, datasets_released={NF, DNR}, training_code={NF})
EXPECTED_OSAI["see_license"] = dict(licenses={"closed", "unknown"}, datasources_endmodel={"closed"})

# 17 dataset-card sections inside a model card (the training data described as a datasheet would)
CARDS["datasheet_inside"] = ("stork-nlp/stork-news-classifier", """---
license: mit
datasets:
- stork-nlp/stork-news
---
# stork-news-classifier

Classifies Dutch news articles into twelve topics.

## Training data: stork-news

### Dataset Structure

Each example has a `text` (the article) and a `label` (one of twelve topics).

| split | examples |
|---|---|
| train | 90,000 |
| test | 10,000 |

### Curation Rationale

We wanted a topic set that matches how Dutch newsrooms file their stories.

### Source Data

Articles from six regional newspapers, 2015-2023, shared with their permission.

### Personal and Sensitive Information

Names of private persons were replaced with placeholders.

## Evaluation

Accuracy on the test split: 91.7%.
""")
EXPECTED["datasheet_inside"] = dict(datasets_released=FOUND, data_card=FOUND, evaluation_results=FOUND,
                                    license_declared={OL})
EXPECTED_OSAI["datasheet_inside"] = dict(datasheet={"open", "partial"}, licenses={"open"},
                                         datasources_endmodel={"open", "partial"})

# 18 vision: an object detector, own code, COCO AP table, V100s
CARDS["vision_det"] = ("osprey-vision/Osprey-DET-R50", """---
license: apache-2.0
pipeline_tag: object-detection
datasets:
- detection-datasets/coco
---
# Osprey-DET-R50

An end-to-end object detector: a ResNet-50 backbone, a 6-layer transformer encoder and decoder, 300 queries.

- **Code:** [osprey-vision/osprey-det](https://github.com/osprey-vision/osprey-det), with the training and evaluation scripts
- **Paper:** [Osprey-DET: detection without anchors](https://arxiv.org/abs/2410.04321)

## Training

Trained on COCO 2017 train for 72 epochs on 16 V100 GPUs.

## Results

| Model | COCO val AP | AP50 |
|---|---|---|
| Osprey-DET-R50 | 47.3 | 65.0 |
""")
EXPECTED["vision_det"] = dict(training_code={NL, OL}, evaluation_code={NL, OL}, hw_hardware={True},
                              hw_architecture={True}, evaluation_results=FOUND, research_paper=FOUND,
                              datasets_released=FOUND, license_declared={OL})
EXPECTED_OSAI["vision_det"] = dict(trainingcode={"open"}, hardware_architecture={"open"}, preprint={"open"},
                                   licenses={"open"})

# 19 biology: a protein language model, UniRef50, bioRxiv preprint, weights and code MIT
CARDS["protein"] = ("cormorant-bio/ProtCormorant-650M", """---
license: mit
tags: [biology, protein]
---
# ProtCormorant-650M

A protein language model trained with masked-residue prediction.

## Model

33 transformer layers, 20 attention heads, 1,280-dimensional embeddings, rotary positions.

## Data

UniRef50 (release 2024_01), about 60 million sequences, from [UniProt](https://www.uniprot.org/help/downloads).

## Training

Six days on 128 A100 GPUs. The training code is in our repository
[cormorant-bio/protcormorant](https://github.com/cormorant-bio/protcormorant).

## Paper

[ProtCormorant: scaling protein language models](https://www.biorxiv.org/content/10.1101/2024.11.05.622222v1) (bioRxiv preprint).

Weights and code are released under the MIT License.
""")
EXPECTED["protein"] = dict(training_code={OL, NL}, hw_hardware={True}, hw_architecture={True},
                           research_paper=FOUND, datasets_released=FOUND | {NF}, license_declared={OL})
EXPECTED_OSAI["protein"] = dict(trainingcode={"open"}, hardware_architecture={"open"}, preprint={"open"},
                                licenses={"open"})

# 20 time series: patch decoder, public data listed, MASE table, non-commercial
CARDS["timeseries"] = ("petrel-ts/Petrel-TS-200M", """---
license: cc-by-nc-4.0
pipeline_tag: time-series-forecasting
datasets:
- petrel-ts/petrel-pretrain-corpus
---
# Petrel-TS-200M

A forecasting foundation model that reads series in patches of 32 steps with a 20-layer decoder-only transformer.

## Pre-training data

27 billion time points from public sources (energy, traffic, weather, retail), listed with their licences in
[petrel-pretrain-corpus](https://huggingface.co/datasets/petrel-ts/petrel-pretrain-corpus).

## Training

Two weeks on 32 TPU v4 chips.

## Evaluation

| Benchmark | MASE (lower is better) |
|---|---|
| Monash (geometric mean) | 0.71 |
""")
EXPECTED["timeseries"] = dict(datasets_released=FOUND, hw_hardware={True}, hw_architecture={True},
                              evaluation_results=FOUND, license_declared={RL}, training_code={NF})
EXPECTED_OSAI["timeseries"] = dict(licenses={"closed"}, hardware_architecture={"open"}, trainingcode={"closed"},
                                   datasources_endmodel={"open", "partial"})

# 21 robotics: a VLA policy, public data plus withheld teleoperation, "(MIT)" after the code link
CARDS["robot_vla"] = ("gannet-robotics/Gannet-VLA-3B", """---
license: apache-2.0
tags: [robotics, vision-language-action]
datasets:
- gannet-robotics/oxe-mixture
---
# Gannet-VLA-3B

A vision-language-action policy that maps a camera image and an instruction to arm actions.

- **Training code:** [gannet-robotics/gannet-vla](https://github.com/gannet-robotics/gannet-vla) (MIT)
- **Training data:** a public mixture of robot episodes ([oxe-mixture](https://huggingface.co/datasets/gannet-robotics/oxe-mixture)) plus 20,000 of our own teleoperated episodes, which we do not release.

## Training

Five days on 64 H100 GPUs.
""")
EXPECTED["robot_vla"] = dict(training_code={OL}, datasets_released=FOUND, hw_hardware={True}, license_declared={OL})
EXPECTED_OSAI["robot_vla"] = dict(trainingcode={"open"}, datasources_endmodel={"partial"}, licenses={"open"})

# 22 Chinese TTS: licence in a table row, own recordings kept back, 8 A100, inference code on the org's GitHub
CARDS["chinese_tts"] = ("huamei-audio/Huamei-TTS", """---
language: [zh]
pipeline_tag: text-to-speech
---
# Huamei-TTS

中文语音合成模型，支持四种音色。

| 项目 | 说明 |
|---|---|
| 参数量 | 3 亿 |
| 许可证 | Apache-2.0 |
| 语言 | 中文 |

## 训练数据

使用自有录音约 200 小时训练，录音数据暂不公开。

## 训练

在 8 张 A100 上训练了 5 天。

## 推理

推理代码见 GitHub：[huamei-audio/huamei-tts](https://github.com/huamei-audio/huamei-tts)
""")
EXPECTED["chinese_tts"] = dict(license_declared={OL}, datasets_released={DNR}, hw_hardware={True},
                               inference_code={NL, OL}, training_code={NF})
EXPECTED_OSAI["chinese_tts"] = dict(licenses={"open"}, datasources_endmodel={"closed"}, trainingcode={"closed"})

# 23 Japanese mergekit merge: the licence "follows the original models"
CARDS["japanese_merge"] = ("kamome/Kamome-Merge-7B", """---
license: apache-2.0
base_model:
- birdlab/Heron-7B
- umi-lab/Umi-7B-ja
tags: [merge, mergekit]
---
# Kamome-Merge-7B

このモデルは [mergekit](https://github.com/arcee-ai/mergekit) を使って次のモデルを SLERP でマージしたものです。

- [birdlab/Heron-7B](https://huggingface.co/birdlab/Heron-7B)
- [umi-lab/Umi-7B-ja](https://huggingface.co/umi-lab/Umi-7B-ja)

## 設定

```yaml
merge_method: slerp
base_model: birdlab/Heron-7B
parameters:
  t: 0.5
dtype: bfloat16
```

ライセンスは元のモデルに従います。
""")
EXPECTED["japanese_merge"] = dict(training_code={NF}, datasets_released={NF}, hw_hardware={False},
                                  hw_architecture={False}, supporting_libraries={NL}, license_declared={OL, RL})
EXPECTED_OSAI["japanese_merge"] = dict(trainingcode={"closed"}, datasources_endmodel={"closed"},
                                       hardware_architecture={"closed"})

# 24 German LoRA adapter: its training script in this repository, a public dataset, "Lizenz: Apache 2.0 (siehe LICENSE)"
CARDS["german_adapter"] = ("lachs-ki/heron-8b-lora-quad-de", """---
library_name: peft
base_model: birdlab/Heron-8B
language: [de]
---
# heron-8b-lora-quad-de

Dieser LoRA-Adapter beantwortet Fragen zu deutschen Texten und basiert auf
[birdlab/Heron-8B](https://huggingface.co/birdlab/Heron-8B).

Trainiert auf dem öffentlichen Datensatz [GermanQuAD](https://huggingface.co/datasets/deepset/germanquad).
Trainingsskript: [train.py](train.py) in diesem Repository.

Lizenz: Apache 2.0 (siehe LICENSE).
""")
EXPECTED["german_adapter"] = dict(training_code={OL, NL}, datasets_released=FOUND, license_declared={OL},
                                  architecture_code={OL})
EXPECTED_OSAI["german_adapter"] = dict(trainingcode={"open"}, licenses={"open"},
                                       datasources_endmodel={"open", "partial"})

# 25 Spanish AWQ quantisation: a calibration set, "the original model's licence (Apache 2.0)"
CARDS["spanish_awq"] = ("garza/Heron-8B-AWQ", """---
base_model: birdlab/Heron-8B
tags: [awq, quantized]
---
# Heron-8B-AWQ

Cuantización AWQ de 4 bits de [birdlab/Heron-8B](https://huggingface.co/birdlab/Heron-8B).

- Conjunto de calibración: 128 muestras de [wikitext-2](https://huggingface.co/datasets/Salesforce/wikitext).
- Cuantizado en una sola RTX 4090 con AutoAWQ.

Licencia: la del modelo original (Apache 2.0).
""")
EXPECTED["spanish_awq"] = dict(training_code={NF}, datasets_released={NF}, hw_hardware={False},
                               license_declared={OL}, research_paper={NF})
EXPECTED_OSAI["spanish_awq"] = dict(trainingcode={"closed"}, datasources_endmodel={"closed"},
                                    hardware_architecture={"closed"}, licenses={"open"})
