"""Evidence review, seventh round (twenty-ninth session): cards of kinds the development cards under-represent.

Every card here is written by the test in its own words (never a copied card). Each form a rule now sets aside or
counts has beside it the same words where they must still be read as before, so the next round can run them again.
"""

from __future__ import annotations

from card_probes import probe

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

