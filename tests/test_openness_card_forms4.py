"""Card forms the openness probes misread (helper-cardforms4), each by a general rule.

1. A heading used as the denial: the list items of a section titled "Training data (not released)", "Datasets —
   not public", "训练数据（未公开）" or "Not released: training code" are denied as the items of a list after a
   denial sentence are; a heading that only names a release ("Release notes", "Data release plan") denies nothing.
2. A loose list: a denial sentence followed by list items separated by blank lines denies them all, as a tight
   list's; a blank line followed by anything but an item still ends the list.
3. An English marker after a link: "[X](…) was fine-tuned on our data" names X as the base (its link is the base's
   weights, and a curated family it names is the declared base), as "fine-tuned from [X](…)" does; a link to the
   release itself (its repository name or anchor is the card's title, or the title with a size or variant) and "[X](…) was fine-tuned from Y" do not.

The cards are written for this test (an invented "Acme Lynx" model). Each right form fails on the code before;
the wrong forms beside them are the cases a careless rule would get wrong.
"""

from __future__ import annotations

import pytest
from card_readings import card_findings, card_record
from cpu_time import thread_cpu_seconds

from openscope.derive.openness.declared_base import declared_base
from openscope.derive.openness.probes.datasets_released import denied_list_lines, denying_title
from openscope.derive.openness.probes.weights_released import marked_base_ids

X = "[acme/web](https://huggingface.co/datasets/acme/web)"
A = "[acme/books](https://huggingface.co/datasets/acme/books)"


def _datasets(text: str) -> str:
    return card_findings(f"# Lynx\n\nLynx answers questions.\n\n{text}\n")["datasets_released"][0]


# -- 1. a heading that denies ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    f"## Training data (not released)\n\n- {X}\n- {A}",
    f"## Datasets — not public\n\n* {X}",
    f"## 训练数据（未公开）\n\n- {X}",
    f"## 訓練資料（未公開）\n\n- {X}",                       # traditional: read as 未公开
    f"## Not released: training data\n\n1. {X}",
    f"## Excluded datasets\n\n- {X}\n\n- {A}",
    "## Training data (not released)\n\n- `acme/web-2`\n- `acme/web-3`",
    f"## Training data (not released)\n\nThe corpora:\n\n- {X}",   # items further down the section
])
def test_a_heading_that_denies_denies_its_items(text: str) -> None:
    assert _datasets(text) == "negative"


@pytest.mark.parametrize("text", [
    f"## Release notes\n\n- {X}",
    f"## Data release plan\n\n- {X}",
    f"## Training data\n\n- {X}",
    f"## Not only web data\n\n- {X}",                          # "not only" denies nothing
    f"## Training without RLHF\n\n- {X}",                      # the negation denies something else
    f"## Training data (not released)\n\n- `acme/web-2`\n\n## Training data\n\n- {X}",  # the next section is not
])
def test_a_heading_that_names_a_release_denies_nothing(text: str) -> None:
    assert _datasets(text) == "positive"


@pytest.mark.parametrize("title, denies", [
    ("Training data (not released)", True),
    ("Datasets — not public", True),
    ("训练数据（未公开）", True),
    ("Not released: training code", True),
    ("Release notes", False),
    ("Data release plan", False),
    ("Not only text", False),
    ("不仅文本", False),
    ("Not Enough Memory", False),                          # a negation of something else
    ("(1) Without Prompt Extension", False),
    ("Data we did not use", True),
    ("Unreleased corpora", True),
])
def test_denying_title(title: str, denies: bool) -> None:
    assert denying_title(title) is denies


def test_only_the_items_of_a_denying_section_are_denied() -> None:
    card = f"# Lynx\n\n## Data (not released)\n\nSome words.\n- {X}\n\n- {A}\n\n## Other\n\n- {X}\n"
    assert denied_list_lines(card_record(card)) == {6, 8}


# -- 2. a loose list after a denial ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    f"We did not use the following datasets:\n\n- {X}\n\n- {A}",
    f"We did not use the following datasets:\n- {A}\n\n- {X}",
    f"We did not use the following datasets:\n- {A}\n\n\n   \n- {X}",     # several blank lines
    f"我们没有使用以下数据集：\n\n1. {A}\n\n2. {X}",
])
def test_a_loose_list_after_a_denial_is_denied_whole(text: str) -> None:
    assert _datasets(text) == "negative"


@pytest.mark.parametrize("text", [
    f"We did not use the following datasets:\n- {A}\n\nWe trained on:\n\n- {X}",   # a paragraph ends the list
    f"We did not use the following datasets:\n\n- {A}\n\n## Training data\n\n- {X}",
    f"We did not use the following datasets:\n- {A}\n\n{X} is our training data.",
])
def test_a_loose_list_still_ends_at_a_paragraph(text: str) -> None:
    assert _datasets(text) == "positive"


def test_a_loose_lists_lines() -> None:
    card = f"# Lynx\n\nWe did not use the following datasets:\n\n- {A}\n\n- {X}\n\nWe trained on:\n- `acme/x`\n"
    assert denied_list_lines(card_record(card)) == {5, 7}


def test_a_long_run_of_blank_lines_is_read_in_linear_time() -> None:
    card = "# Lynx\n\nWe did not use the following datasets:\n- `acme/a`\n" + "\n" * 200_000 + "x\n"
    t = thread_cpu_seconds()
    assert denied_list_lines(card_record(card)) == {4}
    assert thread_cpu_seconds() - t < 2.0


# -- 3. an English marker after a link ------------------------------------------------------------------------------

Q = "[Qwen2-7B](https://huggingface.co/Qwen/Qwen2-7B)"
OWN = "[Lynx-7B](https://huggingface.co/acme/Lynx-7B)"          # the card's title ("# Lynx") with a size
TITLED = "[Lynx](https://huggingface.co/other/Lynx)"             # named as the card's title
L2 = "[Llama-2-7b](https://huggingface.co/meta-llama/Llama-2-7b-hf)"


def _card(text: str) -> str:
    return f"# Lynx\n\nLynx answers questions.\n\n{text}\n"


@pytest.mark.parametrize("sentence", [
    f"{Q} was fine-tuned on our data.",
    f"**{Q}** was fine-tuned with LoRA.",
    f"{Q} was further pre-trained with 1T tokens.",
    f"{Q} has been instruction-tuned for chat.",
    f"{Q} was then finetuned using DPO.",
    f"{Q} was fine-tuned.",
    f"{Q} was continually pretrained on Chinese text.",
    "[Lynxes-7B](https://huggingface.co/other/Lynxes-7B) was fine-tuned on our data.",   # not the title's name
])
def test_a_link_before_fine_tuned_on_is_the_base(sentence: str) -> None:
    assert len(marked_base_ids(card_record(_card(sentence)))) == 1
    assert card_findings(_card(sentence))["weights_released"][0] == "negative"


@pytest.mark.parametrize("sentence", [
    f"{OWN} was fine-tuned on our chat data.",          # the card's title with a size
    "[the model](https://huggingface.co/acme/Lynx) was fine-tuned on our data.",   # the title as the repository name
    f"{TITLED} was fine-tuned on our data.",            # the card's own title
    f"{Q} was fine-tuned from Llama on our data.",      # the link is the derivative
    f"{Q} was fine-tuned on top of Llama.",
    f"{Q} was pretrained on 7T tokens.",                # a model's own pre-training, not a further step
    f"{Q} is great. We fine-tuned on chat data.",       # another sentence's verb
])
def test_a_link_before_fine_tuned_that_is_no_base(sentence: str) -> None:
    assert marked_base_ids(card_record(_card(sentence))) == set()
    assert card_findings(_card(sentence))["weights_released"][0] == "positive"


def test_a_linked_base_before_the_verb_is_the_declared_base() -> None:
    d = declared_base(card_record(_card(f"{L2} was fine-tuned on our data.")))
    assert d is not None and d.family["family"] == "Llama 2"
    assert d.evidence.snippet.startswith("[Llama-2-7b](") and d.evidence.snippet.endswith("fine-tuned on our data.")
    assert d.evidence.locator == "README.md#L5"
    # the same sentence wrapped after its link reads the same (a soft line break: docs/reviews.md, invariance review)
    d = declared_base(card_record(_card(f"{L2}\nwas fine-tuned on our data.")))
    assert d is not None and d.family["family"] == "Llama 2" and d.evidence.locator == "README.md#L5-L6"


@pytest.mark.parametrize("sentence", [
    f"{L2} was fine-tuned from Mistral data.",
    "[Llama-2-7b](https://huggingface.co/acme/Lynx-7B) was fine-tuned on our data.",   # the release's own repository
    f"{L2} is great. We fine-tuned on chat data.",
    f"{L2}.\nIt was fine-tuned on our data.",   # a sentence that ends on its line
])
def test_a_link_before_the_verb_that_is_no_declared_base(sentence: str) -> None:
    assert declared_base(card_record(_card(sentence))) is None
