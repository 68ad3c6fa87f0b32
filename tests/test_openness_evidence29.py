"""Evidence review, seventh round (twenty-ninth session): cards of kinds the development cards under-represent.

Every card here is written by the test in its own words (never a copied card). Each form a rule now sets aside or
counts has beside it the same words where they must still be read as before, so the next round can run them again.
"""

from __future__ import annotations

import pytest
from card_probes import cited, probe
from cpu_time import thread_cpu_seconds

from openscope.derive.openness.declared_base import pasted_base
from openscope.derive.openness.probes import run_all
from openscope.derive.openness.records import from_text

# -- a quantisation card that says in prose that the rest is copied from the base's card --------------------------------

AWQ_HEAD = ("---\nlicense: apache-2.0\nbase_model: lynxlabs/Lynx-9B\n---\n# Lynx-9B AWQ\n\n4-bit AWQ weights of "
            "[Lynx-9B](https://huggingface.co/lynxlabs/Lynx-9B), group size 128.\n\n")
BASE_PART = ("## Model details\n\nLynx-9B is a decoder-only transformer with 42 layers and grouped-query attention.\n\n"
             "## Training data\n\nLynx-9B was pretrained on "
             "[lynx-web-6T](https://huggingface.co/datasets/lynxlabs/lynx-web-6T).\n\n"
             "## Hardware\n\nWe trained on 512 H100 GPUs for 21 days.\n\n"
             "## Evaluation\n\n| Benchmark | Score |\n|---|---|\n| MMLU | 71.2 |\n")
AWQ_ID = "acme-quants/Lynx-9B-AWQ"


def _awq(sentence: str) -> str:
    return AWQ_HEAD + sentence + "\n\n" + BASE_PART


def test_a_sentence_saying_the_rest_is_copied_sets_the_base_sections_aside() -> None:
    """The base's architecture, data, hardware and scores below "copied from the original model card" are the base's
    work, as under an "Original model card" heading; they were read as the quantiser's own."""
    card = _awq("Everything below this line is copied from the original model card.")
    assert probe(card, "architecture_code", AWQ_ID).status == "not_found"
    assert probe(card, "datasets_released", AWQ_ID).status == "not_found"
    assert probe(card, "evaluation_results", AWQ_ID).status == "not_found"
    hw = probe(card, "hardware_documented", AWQ_ID)
    assert hw.detail == {"hardware": False, "architecture": False}, hw.evidence
    assert any("copy another model's card" in w for w in from_text(AWQ_ID, card).card.warnings)


def test_other_wordings_of_the_copy_sentence() -> None:
    for sentence in ("The following is taken from the Lynx-9B model card:",
                     "Below is the original model card.",
                     "**Note:** the sections below are reproduced verbatim from the base model's README.",
                     "What follows is quoted from Lynx-9B's card."):
        hw = probe(_awq(sentence), "hardware_documented", AWQ_ID)
        assert hw.detail["hardware"] is False, (sentence, hw.evidence)


def test_the_copy_is_still_read_as_the_bases_card() -> None:
    """Lineage reads the copy as the base's words (the base's data sources), named by the declared base."""
    rec = from_text(AWQ_ID, _awq("Everything below this line is copied from the original model card."))
    found = pasted_base(rec)
    assert found is not None and found.name == "lynxlabs/Lynx-9B"
    assert "lynx-web-6T" in found.record.card.text


def test_a_sentence_that_only_mentions_a_card_sets_nothing_aside() -> None:
    """The card's own sections after a pointer to the base's card, or after "the following" about something else,
    are still the release's."""
    for sentence in ("See the original model card for the base's details; the following sections are ours.",
                     "The following is our own evaluation of the quantised weights.",
                     "The model card below describes the base; we only quantised it."):
        hw = probe(_awq(sentence), "hardware_documented", AWQ_ID)
        assert hw.detail["hardware"] is True, (sentence, hw.evidence)


def test_a_copy_sentence_inside_a_code_block_sets_nothing_aside() -> None:
    card = _awq("```text\nEverything below this line is copied from the original model card.\n```")
    assert probe(card, "datasets_released", AWQ_ID).status != "not_found"


# -- chips a fine-tune's card names -------------------------------------------------------------------------------------

LORA = ("---\nlicense: apache-2.0\nbase_model: lynxlabs/Lynx-9B\nlibrary_name: peft\n---\n# Lynx-9B law adapter\n\n"
        "A LoRA adapter that makes Lynx-9B better at answering questions about tenancy law.\n\n## Training details\n\n"
        "- LoRA rank: 16, alpha: 32, dropout 0.05\n- Target modules: q_proj, k_proj, v_proj, o_proj\n"
        "- Trained for 3 epochs on one NVIDIA A10 (24 GB), about 5 hours.\n")


def test_a_smaller_chip_is_training_hardware() -> None:
    """"one NVIDIA A10", "my RTX 3090", "four A6000s", "a T4" in a training sentence are chips: the probe counts a
    chip whatever its size (the list held the large data-centre chips only)."""
    f = probe(LORA, "hardware_documented", "owlab/lynx-law-lora")
    assert f.detail["hardware"] is True and "A10" in cited(f), f.evidence
    for words in ("2,000 steps on my RTX 3090.", "We fine-tuned on four A6000s.", "Fine-tuned in 3 hours on a T4.",
                  "Trained on 2 x L4 for a day."):
        card = LORA.replace("- Trained for 3 epochs on one NVIDIA A10 (24 GB), about 5 hours.", "- " + words)
        assert probe(card, "hardware_documented", "owlab/lynx-law-lora").detail["hardware"] is True, words


def test_the_lora_settings_are_no_architecture() -> None:
    """Rank, alpha and target modules are the adapter's settings, not the architecture of the model."""
    f = probe(LORA, "hardware_documented", "owlab/lynx-law-lora")
    assert f.detail["architecture"] is False, f.evidence
    # (the architecture code is the declared library's, read from the `library_name` line, never from the settings)
    arch = probe(LORA, "architecture_code", "owlab/lynx-law-lora")
    assert arch.evidence[0].snippet == "library_name: peft" and "rank" not in cited(arch).lower()
    no_lib = probe(LORA.replace("library_name: peft\n", ""), "architecture_code", "owlab/lynx-law-lora")
    assert no_lib.status == "not_found", no_lib.evidence


def test_a_chip_for_running_or_inside_a_name_is_still_not_training_hardware() -> None:
    for words in ("It runs on a free T4 in Colab.", "We compare its answers with GPT4 and A10B-Chat.",
                  "See [the RTX guide](https://example.org/rtx-3090-setup) for your own machine."):
        card = LORA.replace("- Trained for 3 epochs on one NVIDIA A10 (24 GB), about 5 hours.", words)
        assert probe(card, "hardware_documented", "owlab/lynx-law-lora").detail["hardware"] is False, words


# -- German, French, Spanish cards: training code and architecture -------------------------------------------------------

GERMAN = ("---\nlicense: apache-2.0\nlanguage: [de]\n---\n# Möwe-1B\n\nMöwe-1B ist ein deutschsprachiges Sprachmodell "
          "mit 1,1 Milliarden Parametern.\n\n## Architektur\n\nEin reiner Decoder-Transformer mit 22 Schichten, "
          "16 Attention-Köpfen und einer Kontextlänge von 4096 Token.\n\n## Training\n\nDer Trainingscode liegt auf "
          "GitHub: [kiel-nlp/moewe](https://github.com/kiel-nlp/moewe).\nTrainiert wurde drei Wochen lang auf 32 "
          "A100-GPUs des Rechenzentrums.\n")
FRENCH = ("---\nlicense: apache-2.0\nlanguage: [fr]\n---\n# Pivert-2B\n\nPivert-2B est un modèle de langue français de "
          "2 milliards de paramètres.\n\n## Détails du modèle\n\nLe modèle compte 28 couches et 16 têtes d'attention.\n\n"
          "## Entraînement\n\nLe code d'entraînement est disponible sur GitHub : "
          "[lyon-ia/pivert](https://github.com/lyon-ia/pivert).\nL'entraînement a duré 9 jours sur 16 GPU A10.\n")
SPANISH = ("---\nlicense: apache-2.0\nlanguage: [es]\n---\n# Vencejo-1B\n\nVencejo-1B es un modelo de lenguaje en "
           "español.\n\n## Detalles del modelo\n\nTransformer de solo decodificador con 16 capas y 12 cabezas de "
           "atención.\n\n## Entrenamiento\n\nEl código de entrenamiento está en GitLab: "
           "[sevilla-ml/vencejo](https://gitlab.com/sevilla-ml/vencejo).\n")
EUROPEAN = {"kiel-nlp/Moewe-1B": GERMAN, "lyon-ia/Pivert-2B": FRENCH, "sevilla-ml/Vencejo-1B": SPANISH}


def test_training_code_named_in_german_french_spanish_with_its_repository() -> None:
    """"Trainingscode", "code d'entraînement", "código de entrenamiento" beside the repository the sentence
    presents as the release's own ("liegt auf", "est disponible sur", "está en") is training code, as "the
    training code is on GitHub" is."""
    for model_id, card in EUROPEAN.items():
        f = probe(card, "training_code", model_id)
        assert f.status == "no_license" and ("github.com" in cited(f) or "gitlab.com" in cited(f)), (model_id, f.evidence)


def test_the_architecture_in_german_french_spanish() -> None:
    """Layer counts ("22 Schichten", "28 couches", "16 capas"), attention heads and an "Architektur" or "Detalles
    del modelo" section describe the architecture."""
    for model_id, card in EUROPEAN.items():
        hw = probe(card, "hardware_documented", model_id)
        assert hw.detail["architecture"] is True, (model_id, hw.evidence)
        assert probe(card, "architecture_code", model_id).status in ("documented_not_released", "no_license"), model_id
    # the French card's chip is an A10
    assert "A10" in cited(probe(FRENCH, "hardware_documented", "lyon-ia/Pivert-2B"))


def test_someone_elses_code_or_a_mention_alone_is_still_no_release() -> None:
    """"Ihr Trainingscode" (their training code) presents another's repository; a mention with no repository is a
    mention (documented, not released); a "Detalles del modelo" section that names no architecture feature describes
    none."""
    # (eighth round, evidence30: with the publisher's own repository, kiel-nlp/moewe on kiel-nlp's card, the owner says
    # whose code it is whatever the pronoun; another owner's repository stays theirs)
    theirs = GERMAN.replace("Der Trainingscode liegt", "Ihr Trainingscode liegt").replace(
        "[kiel-nlp/moewe](https://github.com/kiel-nlp/moewe)", "[otterlab/moewe](https://github.com/otterlab/moewe)")
    assert probe(theirs, "training_code", "kiel-nlp/Moewe-1B").status == "documented_not_released"
    alone = SPANISH.replace(": [sevilla-ml/vencejo](https://gitlab.com/sevilla-ml/vencejo)", "")
    assert probe(alone, "training_code", "sevilla-ml/Vencejo-1B").status == "documented_not_released"
    general = alone.replace("## Detalles del modelo\n\nTransformer de solo decodificador con 16 capas y 12 cabezas de "
                              "atención.", "## Detalles del modelo\n\nUn modelo pequeño para resumir noticias.")
    assert probe(general, "architecture_code", "sevilla-ml/Vencejo-1B").status == "not_found"


# -- inference code kept on a code host, said so -----------------------------------------------------------------------

TTS = ("---\nlicense: mit\n---\n# wren-tts\n\nA small text-to-speech model for Welsh.\n\n"
       "The inference code is on Codeberg: [wren-tts](https://codeberg.org/wrenlab/wren-tts).\n")


def test_inference_code_kept_on_a_code_host_is_inference_code() -> None:
    f = probe(TTS, "inference_code", "wrenlab/wren-tts")
    assert f.status == "no_license" and "codeberg.org" in cited(f), f.evidence
    both = TTS.replace("The inference code", "The training and inference code")
    assert probe(both, "inference_code", "wrenlab/wren-tts").status == "no_license"
    assert probe(both, "training_code", "wrenlab/wren-tts").status == "no_license"


def test_someone_elses_or_a_promised_inference_code_is_not_found() -> None:
    # (another owner's repository: since the ninth round, inference code named beside the publisher's own repository is
    # released whatever the pronoun says, as the eighth round decided for training code; the owner is the rule's signal)
    for words in ("Their inference code is on Codeberg: [wren-tts](https://codeberg.org/otherlab/wren-tts).",
                  "The inference code will be released later. Project page: "
                  "[wren-tts](https://codeberg.org/wrenlab/wren-tts).",
                  "Our inference code is on Codeberg."):
        card = TTS.replace("The inference code is on Codeberg: [wren-tts](https://codeberg.org/wrenlab/wren-tts).", words)
        assert probe(card, "inference_code", "wrenlab/wren-tts").status == "not_found", words


# -- a capability is no training record ----------------------------------------------------------------------------------

def test_what_a_tool_or_the_method_makes_possible_is_no_training_hardware() -> None:
    """"enables fine-tuning on a single GPU" (a tool's feature), "can be executed on consumer hardware, such as a
    single GPU" (an example of what the method runs on) say what is possible, not what the release was trained on."""
    for words in ("Community tools: [trainkit](https://github.com/someone/trainkit), a low-memory tool that enables "
                  "fine-tuning on a single GPU.",
                  "To keep the method within an academic budget it can be executed on consumer hardware, such as a "
                  "single GPU, and we fine-tune with LoRA.",
                  "To keep the method within an academic budget it can be executed on consumer hardware, such as a\n"
                  "single GPU, and we fine-tune with LoRA.",
                  "The adapter lets anyone fine-tune Lynx on one RTX 4090."):
        card = LORA.replace("- Trained for 3 epochs on one NVIDIA A10 (24 GB), about 5 hours.", words)
        assert probe(card, "hardware_documented", "owlab/lynx-law-lora").detail["hardware"] is False, words


def test_the_cards_own_clause_or_what_the_recipe_takes_is_still_read() -> None:
    for words in ("Thanks to DeepSpeed, which enables large batches, we trained on 64 A100s.",
                  "The model can be trained on 8 GPUs in three days.",
                  "We fine-tuned it on a single GPU, for example to keep the cost low."):
        card = LORA.replace("- Trained for 3 epochs on one NVIDIA A10 (24 GB), about 5 hours.", words)
        assert probe(card, "hardware_documented", "owlab/lynx-law-lora").detail["hardware"] is True, words


def test_a_card_full_of_copy_words_is_read_quickly() -> None:
    """The copy sentence is looked for on the lines that hold a copy word, at most MAX_COPY_WORDS of them: a card
    that repeats such words on every line costs no more than that (and its sentence further down is not looked for)."""
    from openscope.derive.openness.records import MAX_COPY_WORDS

    card = AWQ_HEAD + "We copied the weights and quoted the scores.\n" * 20_000 + \
        "Everything below this line is copied from the original model card.\n\n" + BASE_PART
    t0 = thread_cpu_seconds()
    rec = from_text(AWQ_ID, card)
    assert thread_cpu_seconds() - t0 < 5
    assert MAX_COPY_WORDS == 40 and rec.card is not None and rec.card.pasted is None


# -- the round's 25 cards, each with what a careful reader grades (written before openscope was run) --------------------
# The expectation per component is the set of statuses a careful reader would accept; `hw_hardware` and
# `hw_architecture` are the hardware probe's two halves, `weights_gated` its outcome. Left out: github_only's
# architecture code (a repository announced as the card's own counts as architecture code by the probe's documented
# rule; docs/reviews.md, seventh round, "Left"), and mlx's architecture code (`library_name: mlx`: the record path
# does not read `library_name`, the folder path does; same section).

NF, DNR, NL, RL, OL = "not_found", "documented_not_released", "no_license", "restrictive_license", "open_license"
ROUND_CARDS: dict[str, tuple[str, str]] = {}
EXPECTED: dict[str, dict[str, set[object]]] = {}

# 1 GGUF quant with a table of quant files, base declared
ROUND_CARDS["gguf_table"] = ("acme-quants/Lynx-9B-GGUF", """---
license: apache-2.0
base_model: lynxlabs/Lynx-9B
tags: [gguf, quantized]
---
# Lynx-9B GGUF

GGUF files of [Lynx-9B](https://huggingface.co/lynxlabs/Lynx-9B), made with llama.cpp release b3210.
The importance matrix was computed on [wiki-snippets](https://huggingface.co/datasets/acme-quants/wiki-snippets).

## Files

| File | Quant | Size | Notes |
|---|---|---|---|
| [Lynx-9B-Q4_K_M.gguf](https://huggingface.co/acme-quants/Lynx-9B-GGUF/blob/main/Lynx-9B-Q4_K_M.gguf) | Q4_K_M | 5.6 GB | good balance |
| [Lynx-9B-Q8_0.gguf](https://huggingface.co/acme-quants/Lynx-9B-GGUF/blob/main/Lynx-9B-Q8_0.gguf) | Q8_0 | 9.8 GB | near lossless |

## Running

Offload all layers to the GPU with `-ngl 99` if you have 12 GB of VRAM.
""")
EXPECTED["gguf_table"] = dict(training_code={NF}, datasets_released={NF}, hw_hardware={False},
                         architecture_code={NF}, evaluation_results={NF}, license_declared={OL}, weights_released={OL, RL, NL})

# 2 AWQ quant saying in prose that the rest is copied from the original card
ROUND_CARDS["awq_prose"] = ("acme-quants/Lynx-9B-AWQ", """---
license: apache-2.0
base_model: lynxlabs/Lynx-9B
---
# Lynx-9B AWQ

4-bit AWQ weights of [Lynx-9B](https://huggingface.co/lynxlabs/Lynx-9B), group size 128.

Everything below this line is copied from the original model card.

## Model details

Lynx-9B is a decoder-only transformer with 42 layers and grouped-query attention.

## Training data

Lynx-9B was pretrained on [lynx-web-6T](https://huggingface.co/datasets/lynxlabs/lynx-web-6T).

## Hardware

We trained on 512 H100 GPUs for 21 days.

## Evaluation

| Benchmark | Score |
|---|---|
| MMLU | 71.2 |
""")
EXPECTED["awq_prose"] = dict(hw_hardware={False}, datasets_released={NF}, architecture_code={NF}, evaluation_results={NF},
                        training_code={NF}, license_declared={OL})

# 3 EXL2 card with branches
ROUND_CARDS["exl2"] = ("qbits/Lynx-9B-exl2", """---
license: apache-2.0
base_model: lynxlabs/Lynx-9B
---
# Lynx-9B exl2

Quantized with ExLlamaV2 0.1.8. Each branch holds one bitrate:

| Branch | Bits per weight | lm_head bits |
|---|---|---|
| [4_0](https://huggingface.co/qbits/Lynx-9B-exl2/tree/4_0) | 4.0 | 6 |
| [6_5](https://huggingface.co/qbits/Lynx-9B-exl2/tree/6_5) | 6.5 | 8 |

measurement.json is in main so you can make other sizes yourself.
""")
EXPECTED["exl2"] = dict(training_code={NF}, architecture_code={NF}, hw_hardware={False}, datasets_released={NF}, license_declared={OL})

# 4 mergekit merge with YAML
ROUND_CARDS["merge_yaml"] = ("mixer/Lynx-Heron-slerp", """---
base_model:
- lynxlabs/Lynx-9B
- birdlab/Heron-9B
tags: [merge, mergekit]
license: apache-2.0
---
# Lynx-Heron-slerp

A SLERP merge of two 9B chat models made with [mergekit](https://github.com/arcee-ai/mergekit).

## Configuration

```yaml
slices:
  - sources:
      - model: lynxlabs/Lynx-9B
        layer_range: [0, 42]
      - model: birdlab/Heron-9B
        layer_range: [0, 42]
merge_method: slerp
base_model: lynxlabs/Lynx-9B
parameters:
  t: 0.5
dtype: bfloat16
```
""")
EXPECTED["merge_yaml"] = dict(training_code={NF}, architecture_code={NF}, datasets_released={NF}, hw_hardware={False},
                         license_declared={OL})

# 5 DPO fine-tune naming preference data and TRL
ROUND_CARDS["dpo_trl"] = ("prefs/Lynx-9B-DPO", """---
license: apache-2.0
base_model: lynxlabs/Lynx-9B
datasets:
- prefs/helpful-pairs-20k
library_name: transformers
---
# Lynx-9B-DPO

Lynx-9B tuned with Direct Preference Optimization on
[helpful-pairs-20k](https://huggingface.co/datasets/prefs/helpful-pairs-20k), our own set of 20,000 chosen/rejected
answer pairs. Training used TRL's `DPOTrainer` with beta 0.1 for one epoch on a single A100 80GB.

## Results

| Benchmark | Lynx-9B | Lynx-9B-DPO |
|---|---|---|
| MT-Bench | 7.1 | 7.6 |
""")
EXPECTED["dpo_trl"] = dict(datasets_released={OL, NL, RL}, hw_hardware={True}, training_code={NF},
                      evaluation_results={OL, NL, RL, DNR}, license_declared={OL})

# 6 ORPO with a script in a GitHub repo of their own
ROUND_CARDS["orpo_repo"] = ("prefs/Heron-ORPO", """---
license: mit
base_model: birdlab/Heron-9B
---
# Heron-ORPO

Heron-9B fine-tuned with ORPO (odds-ratio preference optimization) in one stage, no reference model.
Our training script and its config are in [prefs/orpo-recipes](https://github.com/prefs/orpo-recipes).
Preference data: [pairs-mix](https://huggingface.co/datasets/prefs/pairs-mix).
""")
EXPECTED["orpo_repo"] = dict(training_code={OL, NL, RL}, datasets_released={OL, NL, RL}, license_declared={OL})

# 7 PEFT template LoRA adapter
ROUND_CARDS["peft_template"] = ("someone/lynx-lora-test", """---
base_model: lynxlabs/Lynx-9B
library_name: peft
---

# Model Card for Model ID

<!-- Provide a quick summary of what the model is/does. -->

## Model Details

### Model Description

<!-- Provide a longer summary of what this model is. -->

- **Developed by:** [More Information Needed]
- **Funded by [optional]:** [More Information Needed]
- **Model type:** [More Information Needed]
- **Language(s) (NLP):** [More Information Needed]
- **License:** [More Information Needed]
- **Finetuned from model [optional]:** [More Information Needed]

### Model Sources [optional]

- **Repository:** [More Information Needed]
- **Paper [optional]:** [More Information Needed]

## Uses

### Direct Use

[More Information Needed]

## Bias, Risks, and Limitations

[More Information Needed]

## Training Details

### Training Data

[More Information Needed]

### Training Procedure

#### Training Hyperparameters

- **Training regime:** [More Information Needed]

## Evaluation

### Testing Data, Factors & Metrics

#### Testing Data

[More Information Needed]

#### Metrics

[More Information Needed]

### Results

[More Information Needed]

## Environmental Impact

- **Hardware Type:** [More Information Needed]
- **Hours used:** [More Information Needed]

## Technical Specifications [optional]

### Model Architecture and Objective

[More Information Needed]

### Framework versions

- PEFT 0.11.1
""")
EXPECTED["peft_template"] = dict(training_code={NF}, datasets_released={NF}, data_card={NF}, hw_hardware={False},
                            architecture_code={NF}, evaluation_results={NF}, evaluation_data={NF}, research_paper={NF},
                            license_declared={NF, NL})

# 8 Trainer auto card, hyperparameters and results, no data
ROUND_CARDS["trainer_auto"] = ("someone/distil-sentiment", """---
license: apache-2.0
base_model: distilbert/distilbert-base-uncased
tags:
- generated_from_trainer
metrics:
- accuracy
model-index:
- name: distil-sentiment
  results: []
---

# distil-sentiment

This model is a fine-tuned version of [distilbert/distilbert-base-uncased](https://huggingface.co/distilbert/distilbert-base-uncased) on an unknown dataset.
It achieves the following results on the evaluation set:
- Loss: 0.3012
- Accuracy: 0.8874

## Model description

More information needed

## Intended uses & limitations

More information needed

## Training and evaluation data

More information needed

## Training procedure

### Training hyperparameters

The following hyperparameters were used during training:
- learning_rate: 2e-05
- train_batch_size: 16
- eval_batch_size: 16
- seed: 42
- optimizer: Adam with betas=(0.9,0.999) and epsilon=1e-08
- lr_scheduler_type: linear
- num_epochs: 3

### Training results

| Training Loss | Epoch | Step | Validation Loss | Accuracy |
|:-------------:|:-----:|:----:|:---------------:|:--------:|
| 0.3921        | 1.0   | 500  | 0.3310          | 0.8702   |
| 0.2215        | 2.0   | 1000 | 0.3012          | 0.8874   |

### Framework versions

- Transformers 4.41.2
- Pytorch 2.3.0
- Datasets 2.19.1
- Tokenizers 0.19.1
""")
EXPECTED["trainer_auto"] = dict(training_code={NF}, datasets_released={NF}, data_card={NF}, architecture_code={NF},
                           hw_hardware={False}, evaluation_data={NF}, license_declared={OL})

# 9 German card
ROUND_CARDS["german"] = ("kiel-nlp/Moewe-1B", """---
license: apache-2.0
language: [de]
---
# Möwe-1B

Möwe-1B ist ein deutschsprachiges Sprachmodell mit 1,1 Milliarden Parametern.

## Architektur

Ein reiner Decoder-Transformer mit 22 Schichten, 16 Attention-Köpfen und einer Kontextlänge von 4096 Token.

## Training

Der Trainingscode liegt auf GitHub: [kiel-nlp/moewe](https://github.com/kiel-nlp/moewe).
Trainiert wurde drei Wochen lang auf 32 A100-GPUs des Rechenzentrums.

## Trainingsdaten

Wir haben das Modell auf [de-web-200B](https://huggingface.co/datasets/kiel-nlp/de-web-200B) trainiert.
""")
EXPECTED["german"] = dict(architecture_code={DNR, OL, NL}, training_code={OL, NL, RL}, hw_hardware={True},
                     datasets_released={OL, NL, RL}, license_declared={OL})

# 10 Chinese card
ROUND_CARDS["chinese"] = ("jinghu/Jinghu-3B", """---
license: mit
---
# 镜湖-3B

镜湖-3B 是一个中文对话模型。

## 模型结构

基于 Transformer 解码器，共 28 层，隐藏维度 3072。

## 训练

训练代码已开源：[jinghu/train](https://github.com/jinghu/train)。
我们在 64 张 H800 上训练了 10 天。

## 训练数据

训练数据见 [jinghu-corpus](https://huggingface.co/datasets/jinghu/jinghu-corpus)。
""")
EXPECTED["chinese"] = dict(architecture_code={DNR, OL, NL}, training_code={OL, NL, RL}, hw_hardware={True},
                      datasets_released={OL, NL, RL}, license_declared={OL})

# 11 French card
ROUND_CARDS["french"] = ("lyon-ia/Pivert-2B", """---
license: apache-2.0
language: [fr]
---
# Pivert-2B

Pivert-2B est un modèle de langue français de 2 milliards de paramètres.

## Architecture

Le modèle compte 28 couches et 16 têtes d'attention.

## Entraînement

Le code d'entraînement est disponible sur GitHub : [lyon-ia/pivert](https://github.com/lyon-ia/pivert).
L'entraînement a duré 9 jours sur 16 GPU A10.
""")
EXPECTED["french"] = dict(architecture_code={DNR, OL, NL}, training_code={OL, NL, RL}, hw_hardware={True},
                     license_declared={OL})

# 12 Spanish card
ROUND_CARDS["spanish"] = ("sevilla-ml/Vencejo-1B", """---
license: apache-2.0
language: [es]
---
# Vencejo-1B

Vencejo-1B es un modelo de lenguaje en español.

## Detalles del modelo

Transformer de solo decodificador con 16 capas y 12 cabezas de atención.

## Entrenamiento

El código de entrenamiento está en GitLab: [sevilla-ml/vencejo](https://gitlab.com/sevilla-ml/vencejo).
""")
EXPECTED["spanish"] = dict(architecture_code={DNR, OL, NL}, training_code={OL, NL, RL}, license_declared={OL})

# 13 sentence-transformers embedding card (generated-style)
ROUND_CARDS["embedding"] = ("vecs/mini-embed-v1", """---
license: apache-2.0
library_name: sentence-transformers
base_model: sentence-transformers/all-MiniLM-L6-v2
tags: [sentence-transformers, loss:MultipleNegativesRankingLoss]
datasets: [vecs/qa-pairs-100k]
---
# mini-embed-v1

This is a [sentence-transformers](https://www.SBERT.net) model finetuned from all-MiniLM-L6-v2 on
[qa-pairs-100k](https://huggingface.co/datasets/vecs/qa-pairs-100k). It maps sentences to a 384-dimensional vector space.

## Model Details

### Model Sources

- **Documentation:** [Sentence Transformers Documentation](https://sbert.net)
- **Repository:** [Sentence Transformers on GitHub](https://github.com/UKPLab/sentence-transformers)

### Full Model Architecture

```
SentenceTransformer(
  (0): Transformer({'max_seq_length': 256, 'do_lower_case': False}) with Transformer model: BertModel
  (1): Pooling({'word_embedding_dimension': 384, 'pooling_mode_mean_tokens': True})
  (2): Normalize()
)
```

## Training Details

### Training Dataset

#### qa-pairs-100k

* Size: 100,000 training samples
* Columns: <code>question</code> and <code>answer</code>

### Framework Versions
- Python: 3.11.9
- Sentence Transformers: 3.0.1
- Transformers: 4.41.2

## Citation

### BibTeX

#### Sentence Transformers
```bibtex
@inproceedings{reimers-2019-sentence-bert,
    title = "Sentence-BERT: Sentence Embeddings using Siamese BERT-Networks",
    author = "Reimers, Nils and Gurevych, Iryna",
    booktitle = "Proceedings of EMNLP-IJCNLP 2019",
    url = "https://arxiv.org/abs/1908.10084",
}
```
""")
EXPECTED["embedding"] = dict(training_code={NF}, research_paper={NF}, peer_reviewed_paper={NF}, datasets_released={OL, NL, RL},
                        architecture_code={DNR, OL, NL, NF}, license_declared={OL})

# 14 Diffusion LoRA with trigger words
ROUND_CARDS["sd_lora"] = ("inkpot/ink-wash-xl-lora", """---
license: openrail++
base_model: stabilityai/stable-diffusion-xl-base-1.0
tags: [lora, text-to-image]
instance_prompt: inkwash style
---
# Ink wash XL LoRA

Trigger words: `inkwash style`

A LoRA trained on 40 of my own ink paintings with kohya_ss, network dim 32, alpha 16, 2,000 steps on my RTX 3090.

![sample](images/sample1.png)
""")
EXPECTED["sd_lora"] = dict(training_code={NF}, datasets_released={NF}, architecture_code={NF}, sample_outputs={OL, NL, RL, DNR},
                      hw_hardware={True})

# 15 Whisper fine-tune
ROUND_CARDS["whisper_ft"] = ("speechy/whisper-small-gl", """---
license: apache-2.0
base_model: openai/whisper-small
datasets: [mozilla-foundation/common_voice_16_0]
language: [gl]
tags: [generated_from_trainer]
model-index:
- name: whisper-small-gl
  results:
  - task: {type: automatic-speech-recognition}
    dataset: {name: Common Voice 16.0, type: mozilla-foundation/common_voice_16_0, split: test}
    metrics:
    - {type: wer, value: 14.2, name: Wer}
---
# whisper-small-gl

This model is a fine-tuned version of [openai/whisper-small](https://huggingface.co/openai/whisper-small) on the
Galician part of Common Voice 16.0. It achieves the following results on the evaluation set:
- Loss: 0.2871
- Wer: 14.2

## Training procedure

### Training hyperparameters

- learning_rate: 1e-05
- train_batch_size: 32
- training_steps: 4000
- mixed_precision_training: Native AMP

### Framework versions

- Transformers 4.38.0
- Pytorch 2.2.0
""")
EXPECTED["whisper_ft"] = dict(training_code={NF}, datasets_released={OL, NL, RL}, evaluation_results={OL, NL, RL, DNR},
                         architecture_code={NF}, hw_hardware={False}, license_declared={OL})

# 16 a card that only points to GitHub
ROUND_CARDS["github_only"] = ("owlab/Owl-VL", """---
license: apache-2.0
---
# Owl-VL

Please see our GitHub repository https://github.com/owlab/Owl-VL for details.
""")
EXPECTED["github_only"] = dict(training_code={NF}, inference_code={NF}, datasets_released={NF},
                          hw_hardware={False}, license_declared={OL})

# 17 gated card with access form
ROUND_CARDS["gated"] = ("stormco/Storm-8B", """---
license: other
license_name: storm-community
license_link: LICENSE
extra_gated_prompt: You agree to the Storm Community License and to share your contact details.
extra_gated_fields:
  Name: text
  Affiliation: text
  Country: country
  I accept the terms: checkbox
---
# Storm-8B

Access is granted after you fill in the form above.

## Use

```python
from transformers import AutoModelForCausalLM
model = AutoModelForCausalLM.from_pretrained("stormco/Storm-8B")
```
""")
EXPECTED["gated"] = dict(weights_gated={"negative"}, license_declared={RL, NL}, training_code={NF}, datasets_released={NF})

# 18 licence only as other + license_link in front matter
ROUND_CARDS["license_link"] = ("reefai/Reef-2B", """---
license: other
license_name: reef-open-1.0
license_link: https://reefai.example/licence
---
# Reef-2B

A small chat model.
""")
EXPECTED["license_link"] = dict(license_declared={RL, NL})

# 19 LoRA settings under training details, A10 chip
ROUND_CARDS["lora_settings"] = ("owlab/lynx-law-lora", """---
license: apache-2.0
base_model: lynxlabs/Lynx-9B
library_name: peft
---
# Lynx-9B law adapter

A LoRA adapter that makes Lynx-9B better at answering questions about tenancy law.

## Training details

- LoRA rank: 16, alpha: 32, dropout 0.05
- Target modules: q_proj, k_proj, v_proj, o_proj
- Trained for 3 epochs on one NVIDIA A10 (24 GB), about 5 hours.
""")
EXPECTED["lora_settings"] = dict(architecture_code={NF}, hw_hardware={True}, training_code={NF},
                            license_declared={OL})

# 20 inference code on Codeberg
ROUND_CARDS["codeberg_infer"] = ("wrenlab/wren-tts", """---
license: mit
---
# wren-tts

A small text-to-speech model for Welsh.

The inference code is on Codeberg: [wren-tts](https://codeberg.org/wrenlab/wren-tts).
""")
EXPECTED["codeberg_infer"] = dict(inference_code={OL, NL, RL}, training_code={NF}, license_declared={OL})

# 21 a card quoting base sections after a 'from the base model card' sentence with a blockquote? -> base card with heading variant
ROUND_CARDS["quant_below_base"] = ("acme-quants/Heron-9B-GPTQ", """---
license: mit
base_model: birdlab/Heron-9B
---
# Heron-9B GPTQ

4-bit GPTQ of Heron-9B, calibrated on 128 samples of c4.

The following is taken from the Heron-9B model card:

## Training

Heron-9B was trained with our open code at [birdlab/heron-train](https://github.com/birdlab/heron-train)
on 256 A100 GPUs.
""")
EXPECTED["quant_below_base"] = dict(training_code={NF}, hw_hardware={False}, license_declared={OL})

EXPECTED["awq_prose"]["hw_architecture"] = {False}
EXPECTED["german"]["hw_architecture"] = {True}
EXPECTED["chinese"]["hw_architecture"] = {True}
EXPECTED["french"]["hw_architecture"] = {True}
EXPECTED["spanish"]["hw_architecture"] = {True}
EXPECTED["lora_settings"]["hw_architecture"] = {False}
EXPECTED["sd_lora"]["hw_architecture"] = {False}
EXPECTED["peft_template"]["hw_architecture"] = {False}
# Eighth round (evidence30): a declared library integration (`library_name: peft`) is the library's architecture code,
# under the library's licence, in both paths (the record path now reads `library_name` as the folder path did); the
# text still describes no architecture (the hardware probe's half above, and no settings as evidence: the test above).
EXPECTED["peft_template"]["architecture_code"] = {OL}
EXPECTED["lora_settings"]["architecture_code"] = {OL}
EXPECTED["trainer_auto"]["hw_architecture"] = {False}
EXPECTED["merge_yaml"]["hw_architecture"] = {False}
EXPECTED["gguf_table"]["hw_architecture"] = {False}

# 22 MLX conversion pointing to the original card (no copy)
ROUND_CARDS["mlx"] = ("mlx-community/Lynx-9B-4bit", """---
license: apache-2.0
base_model: lynxlabs/Lynx-9B
library_name: mlx
---
# mlx-community/Lynx-9B-4bit

This model was converted to MLX format from [lynxlabs/Lynx-9B](https://huggingface.co/lynxlabs/Lynx-9B) using
mlx-lm version 0.16.0. Refer to the original model card for more details on the model.

## Use with mlx

```bash
pip install mlx-lm
```

```python
from mlx_lm import load, generate
model, tokenizer = load("mlx-community/Lynx-9B-4bit")
```
""")
EXPECTED["mlx"] = dict(training_code={NF}, datasets_released={NF}, hw_hardware={False},
                  inference_code={OL, NL, RL})

# 23 filled Environmental Impact template
ROUND_CARDS["env_template"] = ("tallow/tallow-ner", """---
license: cc-by-4.0
---
# tallow-ner

A named-entity tagger for Icelandic news text.

## Environmental Impact

- **Hardware Type:** 4x NVIDIA A40
- **Hours used:** 36
- **Cloud Provider:** university cluster

## Technical Specifications

### Model Architecture and Objective

A 12-layer encoder with a token classification head.

## Training Details

### Training Data

Trained on [icener-2](https://huggingface.co/datasets/tallow/icener-2), 1.2M tokens of hand-tagged news.
""")
EXPECTED["env_template"] = dict(hw_hardware={True}, hw_architecture={True}, architecture_code={DNR}, datasets_released={OL, NL, RL},
                           training_code={NF})

# 24 a diffusers dreambooth card with TODO placeholders
ROUND_CARDS["dreambooth_todo"] = ("someone/dog-dreambooth", """---
license: creativeml-openrail-m
base_model: runwayml/stable-diffusion-v1-5
instance_prompt: a photo of sks dog
tags: [text-to-image, dreambooth, diffusers-training]
---

# DreamBooth - someone/dog-dreambooth

This is a dreambooth model derived from runwayml/stable-diffusion-v1-5. The weights were trained on a photo of sks dog using [DreamBooth](https://dreambooth.github.io/).
You can find some example images in the following.

DreamBooth for the text encoder was enabled: False.

## Intended uses & limitations

#### How to use

```python
# TODO: add an example code snippet for running this diffusion pipeline
```

#### Limitations and bias

[TODO: provide examples of latent issues and potential remediations]

## Training details

[TODO: describe the data used to train the model]
""")
EXPECTED["dreambooth_todo"] = dict(training_code={NF}, datasets_released={NF}, data_card={NF}, hw_hardware={False},
                              evaluation_results={NF}, research_paper={NF})

# 25 a card whose training code is 'coming soon' beside its org's GitHub
ROUND_CARDS["code_soon"] = ("finch/Finch-3B", """---
license: apache-2.0
---
# Finch-3B

Finch-3B is a small code model.

- **Training code:** coming soon
- **GitHub:** [finch-ai](https://github.com/finch-ai)
""")
EXPECTED["code_soon"] = dict(training_code={DNR, NF})


@pytest.mark.parametrize("key", sorted(ROUND_CARDS))
def test_the_rounds_cards_are_graded_as_a_careful_reader_grades_them(key: str) -> None:
    model_id, text = ROUND_CARDS[key]
    found = {f.probe: f for f in run_all(from_text(model_id, text))}
    for name, accepted in EXPECTED[key].items():
        if name.startswith("hw_"):
            got: object = found["hardware_documented"].detail.get(name[3:])
        else:
            got = found[name].outcome if name == "weights_gated" else found[name].status
        assert got in accepted, (key, name, got, found.get(name, found["hardware_documented"]).evidence)
