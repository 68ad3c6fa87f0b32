"""Card parsing: safe YAML only, broken or hostile front matter ignored with a warning, links, sections."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from openscope.derive.openness.assessment import assess_record
from openscope.derive.openness.cards import decode_card, parse_card
from openscope.derive.openness.evaluations.osai import DIMENSIONS
from openscope.derive.openness.records import from_text


def test_front_matter_sections_and_links() -> None:
    text = ("---\nlicense: mit\ndatasets:\n- a/b\n---\n# Title\nIntro [paper](https://arxiv.org/abs/2401.00001).\n"
            "## Training data\nSee https://huggingface.co/datasets/a/b for details.\n")
    card = parse_card(text)
    assert card.meta == {"license": "mit", "datasets": ["a/b"]}
    assert [s.title for s in card.sections] == ["Title", "Training data"]
    assert card.sections[1].line == 8
    urls = [ln.url for ln in card.links]
    assert urls == ["https://arxiv.org/abs/2401.00001", "https://huggingface.co/datasets/a/b"]
    assert card.links[0].text == "paper" and card.warnings == []


def test_no_front_matter_is_fine() -> None:
    card = parse_card("# Just a README\nHello\n")
    assert card.meta == {} and card.warnings == [] and card.body.startswith("# Just")


def test_broken_yaml_is_ignored_with_a_warning() -> None:
    card = parse_card("---\nlicense: [unclosed\n---\n# Body\nText.\n")
    assert card.meta == {}
    assert card.warnings and "not valid YAML" in card.warnings[0]
    assert card.body.startswith("# Body")


def test_hostile_yaml_tags_are_never_constructed() -> None:
    hostile = "---\nx: !!python/object/apply:os.system ['echo pwned']\n---\n# Body\n"
    card = parse_card(hostile)
    assert card.meta == {} and card.warnings
    templ = parse_card("---\nlicense: \"{{ ''.__class__.__mro__ }}\"\n---\n")
    assert templ.meta == {"license": "{{ ''.__class__.__mro__ }}"}  # kept as inert text, never rendered


def test_non_mapping_front_matter() -> None:
    card = parse_card("---\n- a\n- b\n---\nbody\n")
    assert card.meta == {} and "not a mapping" in card.warnings[0]


def test_binary_and_non_utf8_readmes() -> None:
    assert decode_card(b"\x00\x01binary")[0] is None
    assert decode_card("caf\u00e9".encode("latin-1")) == ("caf\u00e9", "README is not UTF-8; it was read as Latin-1 text")
    assert decode_card(b"# ok")[0] == "# ok"


def test_huge_card_is_capped() -> None:
    card = parse_card("# T\n" + "x" * 500_000)
    assert len(card.text) == 400_000 and card.warnings


_PIECES = st.sampled_from([
    "---\n", "license: apache-2.0\n", "license: [mit, 3]\n", "base_model: Qwen/Qwen2.5-7B\n", "base_model: {a: 1}\n",
    "datasets:\n- acme/data\n", "extra_gated_prompt: x\n", ": : :\n", "!!python/object:os.system ls\n", "- [\n",
    "# Title\n", "## Training Data\n", "## License\n", "### Evaluation\n", "```\n", "```python\n",
    "python train.py --dataset_name acme/d --model_name_or_path meta-llama/Llama-2-7b-hf\n",
    "load_dataset('acme/x')\n", "[paper](https://arxiv.org/abs/2401.00001)\n", "[code](./train/)\n",
    "<a href=\"https://github.com/a/b\">repo</a>\n", "Licensed under the MIT License.\n",
    "non-commercial use only\n", "fine-tuned from Llama-2-13B\n", "trained on 512 A100 GPUs\n",
    "| a | b |\n|---|---|\n", "\ufeff", "\r\n", "\t", "\u202e", "日本語のモデル\n", "[", "](", "#", "http://",
])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=30)), max_size=40))
def test_any_card_text_is_assessed_without_error(pieces: list[str]) -> None:
    """Whatever a README holds, assessing it never raises; every grade is in the vocabulary; every card
    locator names lines that exist."""
    text = "".join(pieces)
    rec = from_text("acme/fuzz", text, locator="README.md")
    a = assess_record(rec, use_curated=False)
    doc = a.as_json() if hasattr(a, "as_json") else a
    assert set(doc["osai"]) - {"score"} <= set(DIMENSIONS)
    assert all(doc["osai"][d] in ("open", "partial", "closed", "unknown") for d in DIMENSIONS)
    assert doc["osaid"]["verdict"] in ("pass", "fail", "insufficient")
    assert doc["mof"]["class"] in (0, 1, 2, 3)
    n_lines = text.count("\n") + 1
    for comp in doc["components"].values():
        for e in comp["evidence"]:
            m = re.search(r"#L(\d+)(?:-L(\d+))?$", e["locator"])
            if e["kind"] == "card" and m:
                assert 1 <= int(m.group(1)) <= int(m.group(2) or m.group(1)) <= n_lines, e


def test_a_comment_in_a_code_block_is_not_a_heading() -> None:
    """``# install`` in a shell block neither names a section nor ends the one it sits in (CommonMark
    fences: backticks or tildes, closed by a fence at least as long; never closed runs to the end)."""
    card = parse_card("# Model\n\nIntro.\n\n## Training\n\n```bash\n# install the deps\npip install -r req.txt\n"
                      "```\n\nThen run train.py.\n\n~~~~\n# also code\n~~~\n# still code\n~~~~\n## Usage\n"
                      "```python```\n# Real heading\n```\n# never closed\n")
    assert [(s.title, s.level) for s in card.sections] == [("Model", 1), ("Training", 2), ("Usage", 2),
                                                           ("Real heading", 1)]
    training = card.sections[1].text
    assert "# install the deps" in training and "Then run train.py." in training and "# still code" in training
