"""Cards generated from a template and never filled in document nothing.

Most model cards on the Hub start from huggingface_hub's own template (``ModelCard.from_template``) or from
the card the transformers Trainer writes. Left unfilled, they have dozens of sections ("### Training Data",
"### Model Architecture and Objective", "#### Hardware") that hold only an HTML comment of guidance and
"[More Information Needed]". What a reader of the rendered card sees there is nothing, so no probe may count
it: here the real template, rendered by huggingface_hub itself, and a Trainer-style card.
"""

from __future__ import annotations

import pytest
from huggingface_hub import ModelCard, ModelCardData

from openscope.derive.openness.assessment import sides
from openscope.derive.openness.cards import mask_unseen, parse_card
from openscope.derive.openness.evaluations import osai
from openscope.derive.openness.probes import run_all
from openscope.derive.openness.records import from_text


def _template(**fields: str) -> str:
    return str(ModelCard.from_template(ModelCardData(language="en"), **fields))


def _grades(text: str) -> dict[str, str]:
    end, base, *_ = sides(from_text("acme/model", text), use_curated=False)
    return osai.evaluate(end, base)


def _statuses(text: str) -> dict[str, str]:
    return {f.component: f.status for f in run_all(from_text("acme/model", text)) if f.component}


def test_the_unfilled_hub_template_documents_nothing() -> None:
    card = _template()
    assert "[More Information Needed]" in card and "### Model Architecture and Objective" in card
    grades = _grades(card)
    assert set(grades.values()) - {0.0} == {"closed"}, grades
    documented = {c: s for c, s in _statuses(card).items() if s not in ("not_found",) and c != "Model card"}
    assert documented == {}, documented


def test_a_filled_template_is_read_field_by_field() -> None:
    card = _template(
        training_data="Trained on [allenai/c4](https://huggingface.co/datasets/allenai/c4), English split.",
        hardware_type="8x NVIDIA A100 80GB",
        model_specs="A decoder-only transformer with 24 layers and 16 attention heads.",
        training_regime="bf16 mixed precision; learning rate 3e-4, batch size 512, 2 epochs",
        direct_use="Text completion for research.",
        bias_risks_limitations="The model reproduces biases of web text and can produce false statements.",
        testing_metrics="Accuracy and perplexity on held-out web text.",
    )
    statuses = _statuses(card)
    assert statuses["Datasets"] in ("open_license", "no_license", "restrictive_license"), statuses
    assert statuses["Model metadata"] == "documented_not_released"
    grades = _grades(card)
    assert grades["hardware_architecture"] == "open"
    assert grades["modelcard"] in ("open", "partial")
    # the fields left unfilled still say nothing
    assert statuses["Research paper"] == "not_found" and statuses["Training code"] == "not_found"


def test_a_trainer_card_documents_its_hyperparameters_and_nothing_it_left_blank() -> None:
    card = (
        "<!-- This model card has been generated automatically according to the information the Trainer had "
        "access to. You\nshould probably proofread and complete it, then remove this comment. -->\n\n"
        "# acme-sentiment\n\nThis model was trained from scratch on the None dataset.\n\n"
        "## Model description\n\nMore information needed\n\n"
        "## Intended uses & limitations\n\nMore information needed\n\n"
        "## Training and evaluation data\n\nMore information needed\n\n"
        "## Training procedure\n\n### Training hyperparameters\n\n"
        "The following hyperparameters were used during training:\n- learning_rate: 2e-05\n"
        "- train_batch_size: 8\n- num_epochs: 3\n\n### Training results\n\n\n\n"
        "### Framework versions\n\n- Transformers 4.44.0\n- Pytorch 2.4.0\n"
    )
    statuses = _statuses(card)
    assert statuses["Model metadata"] == "documented_not_released"
    assert statuses["Datasets"] == "not_found" and statuses["Data card"] == "not_found"
    parsed = parse_card(card)
    titles = [s.title for s in parsed.sections]
    assert "Training hyperparameters" in titles and "Training results" not in titles  # the empty one is gone
    assert "Model description" not in titles and "Training and evaluation data" not in titles
    topics = next(f for f in run_all(from_text("acme/model", card)) if f.probe == "model_card").detail["topics"]
    assert topics == ["training"], topics  # not the uses, limitations or data it left blank


def test_hidden_text_is_not_evidence_and_lines_still_point_into_the_card() -> None:
    card = ("# Acme\n\n## Training data\n\n<!-- We will list the datasets here: allenai/c4, the Pile,\n"
            "trained on 512 A100 GPUs -->\n\n## Evaluation\n\nAccuracy 71.2 on [MMLU](https://example.org/mmlu).\n")
    parsed = parse_card(card)
    assert [s.title for s in parsed.sections] == ["Acme", "Evaluation"]
    assert "A100" not in parsed.body and "allenai/c4" not in parsed.text
    assert len(parsed.text) == len(card) and parsed.text.count("\n") == card.count("\n")
    assert parsed.links[0].line == card.splitlines().index(
        "Accuracy 71.2 on [MMLU](https://example.org/mmlu).") + 1
    assert _grades(card)["hardware_architecture"] == "closed"
    assert _statuses(card)["Datasets"] == "not_found"


def test_mask_keeps_filled_fields_and_the_words_around_a_placeholder() -> None:
    body = ("- **Developed by:** Acme Labs\n- **Model type:** [More Information Needed]\n"
            "Hardware Type: [More Information Needed]\n"
            "We list the data later; more information needed on the filters, see the appendix.\n")
    out = mask_unseen(body)
    lines = out.split("\n")
    assert lines[0] == "- **Developed by:** Acme Labs"
    assert lines[1].strip() == "" and lines[2].strip() == ""  # the empty fields' labels go with them
    assert lines[3].startswith("We list the data later;") and "see the appendix." in lines[3]
    assert "information needed" not in lines[3].lower()
    assert len(out) == len(body)
    plain = "No template here.\n"
    assert mask_unseen(plain) is plain


def test_an_unclosed_comment_hides_the_rest_as_github_renders_it() -> None:
    card = "# Acme\n\nReal text about the model.\n\n<!-- draft\n## Hardware\n\nTrained on 64 H100 GPUs.\n"
    parsed = parse_card(card)
    assert "H100" not in parsed.body and [s.title for s in parsed.sections] == ["Acme"]


@pytest.mark.timeout(60)
def test_hostile_placeholder_lines_are_read_in_linear_time() -> None:
    # runs of spaces around a label and a colon before a placeholder: a regular expression with adjacent
    # optional whitespace backtracked exponentially here (100 spaces took 19 s); whole card under a second
    n = 50_000
    for body in ("**" + " " * n + ":" + " " * n + "x more information needed",
                 "- **a:** [More Information Needed]\n" * 10_000,
                 "x " * n + " more information needed\n"):
        card = parse_card(body)
        assert len(card.body) == len(body)
    assert parse_card("- **a:** [More Information Needed]\n" * 3).body.strip() == ""
