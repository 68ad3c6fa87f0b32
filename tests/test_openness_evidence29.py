"""Evidence review, seventh round (twenty-ninth session): cards of kinds the development cards under-represent.

Every card here is written by the test in its own words (never a copied card). Each form a rule now sets aside or
counts has beside it the same words where they must still be read as before, so the next round can run them again.
"""

from __future__ import annotations

from card_probes import cited, probe

from openscope.derive.openness.declared_base import pasted_base
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
    assert probe(LORA, "architecture_code", "owlab/lynx-law-lora").status == "not_found"


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
    theirs = GERMAN.replace("Der Trainingscode liegt", "Ihr Trainingscode liegt")
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
    for words in ("Their inference code is on Codeberg: [wren-tts](https://codeberg.org/wrenlab/wren-tts).",
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
    import time

    from openscope.derive.openness.records import MAX_COPY_WORDS

    card = AWQ_HEAD + "We copied the weights and quoted the scores.\n" * 20_000 + \
        "Everything below this line is copied from the original model card.\n\n" + BASE_PART
    t0 = time.process_time()
    rec = from_text(AWQ_ID, card)
    assert time.process_time() - t0 < 5
    assert MAX_COPY_WORDS == 40 and rec.card is not None and rec.card.pasted is None
