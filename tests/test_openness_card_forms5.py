"""Card forms the openness probes misread after helper-cardforms4 (helper-cardforms5), each by a general rule.

1. A denied list reaches every component probe: an item of a list after a denial lead ("The following are not
   released:") or under a heading that denies ("## Not released", "未开源：") that names training, data-processing or
   evaluation code is not the release's own mention (:func:`._own_evidence.own_mentions` reads it as denied): the
   training-code and preprocessing probes take it as documented, not released, and the evaluation-code probe does
   not count it. A list under a heading that only names a release is not denied.
2. A heading that denies governs its paragraphs too, to the next heading of the same or a higher level: a dataset
   named in "## Training data (not released)" › "We trained on [X](…)." is not released by the card.
3. A base named in so many words: "[X](…) is the base model", "The base model is [X](…)", "Base model: [X](…)",
   "built on top of [X](…)", "基座模型为 [X](…)" mark X as the base (its link is not the release's weights; a
   curated family it names is the declared base), unless the link is the release itself (its repository or anchor
   named as the card's title, or the title with a size or variant).

The cards are written for this test (an invented "Acme Lynx" model, id ``acme/lynx-7b``). Each right form fails on
the code before; the wrong forms beside them are the cases a careless rule would get wrong.
"""

from __future__ import annotations

import pytest
from card_readings import card_findings, card_record

from openscope.derive.openness.declared_base import declared_base
from openscope.derive.openness.probes.datasets_released import denied_lines
from openscope.derive.openness.probes.weights_released import marked_base_ids

CODE = "[Code](https://github.com/acme/lynx)"
X = "[acme/web](https://huggingface.co/datasets/acme/web)"
COMPONENTS = ("training_code", "preprocessing_code", "evaluation_code")


def _card(text: str) -> str:
    return f"# Lynx\n\nLynx answers questions. {CODE}\n\n{text}\n"


def _components(text: str) -> dict[str, tuple[str, str]]:
    found = card_findings(_card(text))
    return {p: found[p][:2] for p in COMPONENTS}


# -- 1. a denied list reaches the component probes -----------------------------------------------------------------

DENIED = {"training_code": ("negative", "documented_not_released"),
          "preprocessing_code": ("negative", "documented_not_released"),
          "evaluation_code": ("negative", "not_found")}
LISTED = "- training code\n- data processing scripts\n- evaluation code"


@pytest.mark.parametrize("text", [
    f"The following are not released:\n{LISTED}",
    "The following are not released:\n\n- training code\n\n- data processing scripts\n\n- evaluation code",  # loose
    f"## Not released\n\n{LISTED}",
    f"## Components (not public)\n\nThe parts:\n\n{LISTED}",
    f"## Not released\n\n### Code\n\n{LISTED}",                      # a subsection is inside the heading's scope
    "未开源：\n- 训练代码\n- 数据处理代码\n- 评测代码",
    "## 未开源\n\n- 训练代码\n- 数据处理代码\n- 评测代码",
])
def test_a_denied_list_is_no_release_of_code(text: str) -> None:
    assert _components(text) == DENIED


@pytest.mark.parametrize("text", [
    "## Release\n\n- training code: https://github.com/acme/x\n- data processing scripts: https://github.com/acme/x\n"
    "- evaluation code: https://github.com/acme/x",
    "## Released components\n\n- training code\n- data processing scripts\n- evaluation code",
    f"## Training without RLHF\n\n{LISTED}",                     # the negation denies something else
    f"## Not released\n\n- the 70B weights\n\n## Code\n\n{LISTED}",   # the next heading ends the scope
    f"The following are not released:\n- the 70B weights\n\nWe provide:\n{LISTED}",
])
def test_a_list_that_is_not_denied_still_releases(text: str) -> None:
    assert {p: o for p, (o, _) in _components(text).items()} == dict.fromkeys(COMPONENTS, "positive")


def test_a_paragraph_under_a_denying_heading_is_denied_for_code_too() -> None:
    assert _components("## Training (not released)\n\nThe training code uses DeepSpeed ZeRO-3.")[
        "training_code"] == ("negative", "documented_not_released")


# -- 2. a denying heading over paragraph text ----------------------------------------------------------------------


def _datasets(text: str) -> str:
    return card_findings(f"# Lynx\n\nLynx answers questions.\n\n{text}\n")["datasets_released"][0]


@pytest.mark.parametrize("text", [
    f"## Training data (not released)\nWe trained on 2T tokens of {X} and code.",
    "## Training data (not released)\n\nWe trained on `acme/web` and code.",
    f"## Training data (not released)\n\n### Web\n\nWe trained on {X}.",          # a subsection's paragraph
    f"## Datasets — not public\n\nThe corpus is {X}, filtered.",
    f"## 训练数据（未公开）\n\n训练语料包括 {X}。",
])
def test_a_denying_heading_denies_its_paragraphs(text: str) -> None:
    assert _datasets(text) == "negative"


@pytest.mark.parametrize("text", [
    f"## Training data (not released)\n\nSome words.\n\n## Data\n\nWe trained on {X}.",    # the same level ends it
    f"### Training data (not released)\n\nSome words.\n\n## Data\n\nWe trained on {X}.",   # a higher level too
    f"## Training without RLHF\n\nWe trained on {X}.",
    f"## Training data\n\nWe trained on {X}.",
])
def test_a_paragraph_outside_a_denying_heading_is_read(text: str) -> None:
    assert _datasets(text) == "positive"


def test_the_denied_lines_of_a_heading_run_to_its_scope_end() -> None:
    card = ("# Lynx\n\n## Data (not released)\n\nSome words.\n- `acme/a`\n\n### Web\n\nMore words.\n\n"
            "## Other\n\nWe trained on `acme/b`.\n")
    # lines 5 (paragraph), 6 (item), 8 (subheading), 10 (its paragraph); not the blank lines, not "## Other" on
    assert denied_lines(card_record(card)) == {5, 6, 8, 10}


# -- 3. a base named in so many words -------------------------------------------------------------------------------

L2 = "[Llama-2-7b](https://huggingface.co/meta-llama/Llama-2-7b-hf)"
OWN = "[Lynx-7B](https://huggingface.co/acme/Lynx-7B)"          # the card's title ("# Lynx") with a size
SELF = "[Llama-2-7b](https://huggingface.co/acme/Lynx-7B)"      # the release's repository, whatever the anchor says


def _plain(text: str) -> str:
    return f"# Lynx\n\nLynx answers questions.\n\n{text}\n"


@pytest.mark.parametrize("sentence", [
    f"{L2} is the base model.",
    f"**{L2}** is the base model of Lynx.",
    f"{L2} serves as the base model.",
    f"The base model is {L2}.",
    f"Base model: {L2}",
    f"- **Base model:** {L2}",
    f"Lynx is built on top of {L2}.",
    f"基座模型为 {L2}。",
    f"基座模型：{L2}",
    f"本模型的基础模型是 {L2}。",
])
def test_a_base_named_in_so_many_words_is_marked(sentence: str) -> None:
    assert marked_base_ids(card_record(_plain(sentence))) == {"meta-llama/llama-2-7b-hf"}
    assert card_findings(_plain(sentence))["weights_released"][0] == "negative"


@pytest.mark.parametrize("sentence", [
    f"{L2} is the base model.",
    f"**{L2}** serves as the base model.",
])
def test_a_linked_subject_named_the_base_is_the_declared_base(sentence: str) -> None:
    d = declared_base(card_record(_plain(sentence)))
    assert d is not None and d.family["family"] == "Llama 2"


@pytest.mark.parametrize("sentence", [
    f"{OWN} is the base model for our chat series.",
    f"The base model is {OWN}.",
    f"Base model: {OWN}",
    f"Lynx is built on top of {OWN}.",
    f"基座模型为 {OWN}。",
    f"Base model: {SELF}",
    f"{SELF} is the base model.",
    f"{L2} is the fastest model. The base model is good.",     # another sentence
    f"{L2} is the best model.",
])
def test_a_link_that_is_not_named_the_base(sentence: str) -> None:
    assert marked_base_ids(card_record(_plain(sentence))) == set()


@pytest.mark.parametrize("sentence", [
    f"Base model: {SELF}",
    f"The base model is {SELF}.",
    f"{SELF} is the base model.",
    f"{L2} is the fastest model. The base model is good.",
])
def test_the_release_itself_is_no_declared_base(sentence: str) -> None:
    assert declared_base(card_record(_plain(sentence))) is None
