"""Evidence review, fifth round (twenty-seventh session): false negatives, what a card shows and was not read.

The earlier rounds asked whether the evidence shown supports a positive grade; this one asks the converse: where a
component was graded not found, does the card plainly show it? A reproduction guide's training command written over
several lines (``accelerate launch \\`` … ``open_instruct/finetune.py``) was missed because the script stood lines below
its launcher; a generative model's architecture stated by its kind and parts ("a latent diffusion model", "AltCLIP as
the text encoder", "a rectified flow transformer") was not read as one. Every card here is written by the test (never
a copied card); each form that now counts has beside it the same words where they must still not count.
"""

from __future__ import annotations

from card_probes import cited as _cited
from card_probes import probe

from openscope.derive.openness.probes import Finding


def _probe(text: str, name: str, model_id: str = "birdlab/heron-7b") -> Finding:
    return probe(text, name, model_id)


# -- a training command continued over several lines ---------------------------------------------------------------

GUIDE = ("# Heron reproduction\n\nThe commands below rebuild the Heron-7B release.\n\n## Supervised stage\n\n"
         "We ran this on our cluster; change the counts to fit yours.\n\n"
         "```bash\nNODES=4\ntorchrun \\\n    --nnodes $NODES \\\n    --nproc_per_node 8 \\\n"
         "    recipes/heron/tune_sft.py \\\n    --lr 2e-5 \\\n    --epochs 3\n```\n")


def test_a_training_command_continued_over_lines_is_training_code() -> None:
    f = _probe(GUIDE, "training_code")
    assert f.outcome == "positive" and f.status != "not_found", f.evidence
    assert "torchrun" in _cited(f) and "tune_sft.py" in _cited(f), f.evidence
    assert "#L11-L1" in _cited(f), f.evidence   # from the launcher's line (11) past the script's (14)


def test_a_continued_command_with_crlf_line_ends_is_read_the_same() -> None:
    f = _probe(GUIDE.replace("\n", "\r\n"), "training_code")
    assert f.outcome == "positive" and "tune_sft.py" in _cited(f), f.evidence


def test_a_continued_command_that_runs_no_training_script_is_not_training_code() -> None:
    serve = GUIDE.replace("recipes/heron/tune_sft.py", "tools/serve_chat.py").replace("## Supervised stage",
                                                                                      "## Serving")
    assert _probe(serve, "training_code").status == "not_found"


def test_backslash_line_breaks_in_prose_are_no_command() -> None:
    """A backslash at a prose line's end is a Markdown hard break: "run with bash" and a script named lines below in
    a paragraph are words about a command, not one."""
    prose = ("# Heron\n\nHeron-7B is a chat model. Our team runs its jobs with bash \\\nscripts; the one that tuned "
             "it, \\\nhelpers/finetune_all.sh, is kept private.\n")
    assert _probe(prose, "training_code").status != "open_license"
    assert "finetune_all.sh" not in _cited(_probe(prose, "training_code"))


def test_the_releases_own_continued_command_is_quoted_before_another_models() -> None:
    """As for one-line commands: a README that rebuilds several models quotes the release's own command first."""
    two = ("# Heron recipes\n\n## Heron-1B\n\n```bash\naccelerate launch \\\n    scripts/finetune.py \\\n"
           "    --run_name heron-1b-sft\n```\n\n## Heron-7B\n\n```bash\naccelerate launch \\\n"
           "    scripts/finetune.py \\\n    --run_name heron-7b\n```\n")
    f = _probe(two, "training_code")
    assert "heron-7b" in _cited(f) or "#L14" in _cited(f), f.evidence
    assert "#L6" not in _cited(f), f.evidence


# -- a generative model's architecture stated by its kind and parts ------------------------------------------------

def test_a_latent_diffusion_model_with_its_text_encoder_is_an_architecture() -> None:
    card = ("# Heron-Sketch\n\nHeron-Sketch draws pictures from captions. It is built as a latent diffusion model "
            "conditioned on captions, with a multilingual CLIP model serving as its text encoder.\n")
    f = _probe(card, "hardware_documented", "birdlab/heron-sketch")
    assert f.detail.get("architecture") and "latent diffusion" in _cited(f), f.evidence


def test_a_text_encoder_named_alone_is_an_architecture() -> None:
    card = ("# Heron-Sketch\n\nWe took a public image generator and trained it again on captions in nine languages, "
            "swapping its text encoder for our multilingual one.\n")
    f = _probe(card, "hardware_documented", "birdlab/heron-sketch")
    assert f.detail.get("architecture") and "text encoder" in _cited(f), f.evidence


def test_a_rectified_flow_or_flow_based_model_is_an_architecture() -> None:
    for line in ("Heron-Sketch is an eight billion parameter rectified flow transformer for drawing.",
                 "Heron-Motion is a flow-based model that turns a still picture and a caption into a clip.",
                 "Heron-Motion is a diffusion transformer that turns a caption into a clip."):
        f = _probe(f"# Heron\n\n{line}\n", "hardware_documented", "birdlab/heron-sketch")
        assert f.detail.get("architecture"), line


def test_a_text_encoder_in_a_sentence_about_running_the_model_is_not_its_architecture() -> None:
    card = ("# Heron-Sketch\n\nHeron-Sketch draws pictures from captions.\n\n## Usage\n\n"
            "To run it on a small card, load the model with the text encoder offloaded to the CPU.\n\n"
            "```python\npipe = HeronPipeline.from_pretrained('birdlab/heron-sketch', text_encoder=None)\n"
            "pipe.text_encoder.to('cpu')\n```\n")
    f = _probe(card, "hardware_documented", "birdlab/heron-sketch")
    assert not f.detail.get("architecture"), f.evidence


def test_diffusion_and_flow_words_that_name_no_model_part_are_not_an_architecture() -> None:
    for line in ("A friendly desktop tool with a node graph for any diffusion model you have downloaded.",
                 "Our data-flow based pipeline keeps the captions in order; the workflow based setup is in tools/.",
                 "Heron-Sketch runs in TensorFlow and in a plain Python loop."):
        f = _probe(f"# Heron\n\n{line}\n", "hardware_documented", "birdlab/heron-sketch")
        assert not f.detail.get("architecture"), (line, f.evidence)


# -- inference code run by a distributed launcher, or a guide beside the card ----------------------------------------

def test_a_launcher_running_the_generation_script_is_inference_code() -> None:
    card = ("# Heron-7B\n\nHeron-7B is a chat model.\n\n## License\n\nThe code in this repository and the weights are "
            "licensed under the MIT License.\n\n## Chat locally\n\n```bash\ncd serving\ntorchrun --nproc-per-node 4 chat_cli.py --ckpt ./heron "
            "--interactive\n```\n")
    f = _probe(card, "inference_code")
    assert f.outcome == "positive" and "chat_cli.py" in _cited(f), f.evidence
    assert f.status == "open_license" and f.license == "mit"   # the publisher's own script, under its licence


def test_a_launcher_running_a_training_script_is_not_inference_code() -> None:
    card = ("# Heron-7B\n\nHeron-7B is a chat model.\n\n## Tuning\n\n```bash\n"
            "deepspeed --num_gpus 8 tune_heron.py --epochs 3\n```\n")
    assert _probe(card, "inference_code").status == "not_found"


def test_a_relative_link_to_a_guide_for_running_the_model_is_inference_code() -> None:
    card = ("# Heron family\n\nHeron-7B and Heron-1B answer questions about birds.\n\n## Models\n\n"
            "| Model | How to run it |\n| --- | --- |\n| Heron-7B | [step by step](guides/inference_heron.md) |\n")
    f = _probe(card, "inference_code")
    assert f.outcome == "positive" and "guides/inference_heron.md" in _cited(f), f.evidence


def test_a_figure_or_another_projects_guide_is_not_inference_code() -> None:
    for line in ("Speed on one card: ![chart](assets/inference_speed.png)",
                 "Speed on one card is plotted in [this chart](assets/inference_speed.png).",
                 "Read how others serve such models in [their guide](https://github.com/someone/serving/blob/main/"
                 "inference.md).",
                 "The paper behind the method is [here](papers/inference_tricks.pdf)."):
        card = f"# Heron-7B\n\nHeron-7B answers questions about birds.\n\n{line}\n"
        f = _probe(card, "inference_code")
        assert f.status == "not_found", (line, f.evidence)


# -- a model card's section on risks under its other usual titles ---------------------------------------------------

_RISKS = ("Anyone can now make a stranger's voice say things that person never said, so the release could help "
          "deceive people; we ship a detector for its output beside it.")


def _topics(title: str, body: str = _RISKS) -> list[str]:
    card = (f"# Heron-Voice\n\nHeron-Voice turns a line of text into speech in twelve languages, with a voice chosen "
            f"from a short sample.\n\n## {title}\n\n{body}\n")
    return list(_probe(card, "model_card", "birdlab/heron-voice").detail.get("topics", []))


def test_a_section_on_broader_implications_or_misuse_is_the_limitations_topic() -> None:
    for title in ("Broader Implications", "Broader impact", "Societal Impact", "Misuse and abuse",
                  "Potential harms", "Caveats and recommendations", "Dual-use concerns", "社会影响", "防止滥用"):
        assert "limitations" in _topics(title), title


def test_impact_words_that_name_no_risk_are_not_the_limitations_topic() -> None:
    compute = "About 3,000 hours of A100 time went into this model, emitting an estimated 400 kg of CO2."
    for title, body in (("Environmental Impact", compute), ("Impact of the data mix", compute),
                        ("Harmonizing speakers", compute), ("Model harmonics", compute)):
        assert "limitations" not in _topics(title, body), title
