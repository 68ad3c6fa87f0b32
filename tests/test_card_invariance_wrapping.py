"""A card reads the same however its paragraphs are wrapped: one long line each (as most Hub cards write them),
hard-wrapped at 72 columns with indented continuation lines (as many GitHub READMEs are), or a sentence to a line.

Why: CommonMark renders all these forms alike, and issue 7 is measured on unseen cards written in all of them. The
rules that read a written line as one statement read each form differently; each case below is a small card of our
own, written in two or three of these forms, that one such rule graded differently (the development cards' grades
under the same rewrites: ``tests/test_openness_invariance_reference.py``, ``python -m bench.invariance``).
"""

from __future__ import annotations

import re

import pytest

from bench.invariance import grade, hard_wrap, unwrap, wrap_lines
from openscope.derive.openness.cards import parse_card
from openscope.derive.openness.probes import run_all
from openscope.derive.openness.probes._own_paper import judge, occurrences
from openscope.derive.openness.probes.license_declared import named_in_card, scoped_in_card
from openscope.derive.openness.records import from_text


def _grades(text: str) -> tuple[dict[str, str], dict[str, str]]:
    return grade("acme/wren-2b", text)


def _finding(text: str, probe: str):  # noqa: ANN202 - a Finding
    return next(f for f in run_all(from_text("acme/wren-2b", text, "README.md")) if f.probe == probe)


def _flat(text: str) -> str:
    return " ".join(text.split())


# -- a URL linked twice in one paragraph: each place is judged by its own words ---------------------------------

TWICE = """# Wren-2B-Megatron

This is a Megatron version of [Wren-2B](https://huggingface.co/acme/wren-2b).
We refer readers to the [Wren-2B model page](https://huggingface.co/acme/wren-2b) for the full documentation of this model
"""


def test_a_url_linked_twice_on_one_line_is_judged_at_each_place() -> None:
    """The first place names another model ("a Megatron version of [X]"), the second points at this model's own page;
    on one line, both places were judged by the words before the first (and the weights went unfound)."""
    one_line = unwrap(TWICE)
    assert one_line.count("\n") < TWICE.count("\n")
    weights = [_finding(t, "weights_released") for t in (TWICE, one_line)]
    assert [w.status for w in weights] == [weights[0].status] * 2 and weights[0].outcome == "positive"
    assert "Wren-2B model page" in weights[1].evidence[0].snippet
    card = parse_card(one_line)
    places = occurrences(card, card.links[0])
    assert len(places) == 2 and places[0].line == places[1].line
    assert [card.text[p.at:p.at + len(p.url)] for p in places] == [p.url for p in places]
    assert places[0].at < places[1].at


# -- a row of badges, one to a line or on one line --------------------------------------------------------------

BADGES_ONE_PER_LINE = """# Wren-2B

[![Code License](https://img.shields.io/badge/Code%20License-Apache_2.0-green.svg)](CODE_LICENSE)
[![Data License](https://img.shields.io/badge/Data%20License-CC%20By%20NC%204.0-red.svg)](DATA_LICENSE)
[![Weights License](https://img.shields.io/badge/Weights%20License-Apache_2.0-blue.svg)](LICENSE)

Wren-2B is a small chat model trained by the Acme lab.
"""


def test_a_row_of_badges_on_one_line_scopes_each_badge_alone() -> None:
    """Each badge is its own statement however the row is written: the data badge's licence is the data's, not the
    code's named by the badge before it on the line."""
    one_line = unwrap(BADGES_ONE_PER_LINE)
    assert "CODE_LICENSE) [![Data" in one_line
    scopes = [scoped_in_card(from_text("acme/wren-2b", t, "README.md")) for t in (BADGES_ONE_PER_LINE, one_line)]
    assert scopes[0] == scopes[1]
    assert ("CC-BY-NC-4.0", frozenset({"data"})) in scopes[0] and ("Apache-2.0", frozenset({"code"})) in scopes[0]
    assert _grades(one_line) == _grades(BADGES_ONE_PER_LINE)


# -- a licence sentence deep in a long paragraph -------------------------------------------------------------------

SENTENCES = """# Wren-2B

## Model

We trained a family of Wren models, from 300M to 2B parameters, on a mixture of public code and permissively licensed prose.
The 300M and 800M models share one architecture and are trained from scratch on the full mixture for two epochs each.
The 2B model starts from the 800M checkpoint, widened, and continues on the same mixture with a longer context window.
Wren-2B-Chat is our instruction-tuned model from Wren-2B, tuned on conversations we collected with paid annotators.
Because those conversations were collected under a research agreement, the Wren-2B-Chat checkpoint is licensed for research and **non-commercial** use only.
"""


def test_a_licence_sentence_past_the_first_400_characters_of_its_line_is_read() -> None:
    """A line is read as one licence statement, its first 400 characters: a paragraph on one line put the licence
    sentence past them. A long line is now read from the licence word's sentence."""
    one_line = unwrap(SENTENCES)
    assert max(len(x) for x in one_line.split("\n")) > 600
    for text in (SENTENCES, one_line, hard_wrap(SENTENCES)):
        opens, restr, ev = named_in_card(from_text("acme/wren-2b", text, "README.md"))
        # (the sentence says "non-commercial" and names no licence: non-commercial terms, not CC BY-NC 4.0, since the
        # thirty-fourth session, issue #7)
        assert restr == ["noncommercial-unnamed"], text
        assert "non-commercial" in ev[0].snippet and ev[0].snippet in _flat(text)
    assert _grades(one_line) == _grades(SENTENCES)


def test_a_long_line_reads_each_licence_statement() -> None:
    """Two licence statements far apart on one line are both read (one entry per line read only the first)."""
    filler = "The model was evaluated on many public benchmarks and compared with open models of its size. " * 6
    text = f"# Wren-2B\n\nThe code is released under the MIT license. {filler}The weights are released under CC BY-NC 4.0.\n"
    scoped = scoped_in_card(from_text("acme/wren-2b", text, "README.md"))
    assert ("MIT", frozenset({"code"})) in scoped and ("CC-BY-NC-4.0", frozenset({"weights"})) in scoped


# -- images in a row ------------------------------------------------------------------------------------------------

IMAGES = """![Sample](assets/sample_cat.png)
![Sample](assets/sample_city.png)

Wren-Image is a rectified flow transformer that draws images from text prompts.
"""


def test_images_in_a_row_are_samples_one_to_a_line_or_on_one_line() -> None:
    """The paragraph under a row of images is no caption of its first image (its "flow" read as a diagram's)."""
    one_line = unwrap(IMAGES)
    assert one_line.startswith("![Sample](assets/sample_cat.png) ![Sample]")
    found = [_finding(t, "sample_outputs") for t in (IMAGES, one_line)]
    assert [f.outcome for f in found] == ["positive", "positive"]
    assert _grades(one_line) == _grades(IMAGES)


# -- indented continuation lines: the whitespace around a soft break reads as one space ------------------------------

ITEMS = """# Wren-2B

## Use

- To rebuild Wren-2B, download the base model and our delta weights from the Hub, then run the merge script.
- The method is described in [our ICLR'23 paper](https://arxiv.org/abs/2301.01234), with the ablations.
"""

# (the same items as an editor wraps them: continuation lines indented under the item's text)
ITEMS_WRAPPED = """# Wren-2B

## Use

- To rebuild Wren-2B, download the base model and our delta
  weights from the Hub, then run the merge script.
- The method is described in [our ICLR'23
  paper](https://arxiv.org/abs/2301.01234), with the ablations.
"""


def test_an_indented_continuation_line_reads_as_one_space() -> None:
    """"our delta\\n  weights" (a list item wrapped by an editor) reads "our delta weights": the rules are written
    with one space between words."""
    wrapped = ITEMS_WRAPPED
    assert _finding(wrapped, "weights_released").detail == {"delta": True}
    assert _finding(wrapped, "peer_reviewed_paper").outcome == _finding(ITEMS, "peer_reviewed_paper").outcome == "positive"
    assert _grades(wrapped) == _grades(ITEMS) == _grades(hard_wrap(ITEMS)) == _grades(unwrap(ITEMS_WRAPPED))
    card = parse_card(wrapped)
    assert "delta weights" in card.text and "  weights" not in card.text and "ICLR'23 paper" in card.text
    assert card.lined == wrapped and card.line_of(card.text.index("weights from")) == 6


def test_gathered_whitespace_keeps_lines_offsets_and_the_card_as_written() -> None:
    """The reading has the card's length; every visible character stays on its written line; ``lined`` and
    ``written`` are the card as written; snippets quote the card at the lines they name."""
    text = "# T\n\n- first item that goes \n    on and on\n    and ends here\n- second\n\nA line \nafter it.\n"
    card = parse_card(text)
    assert len(card.text) == len(text) and card.lined == text and card.written == text
    assert "goes on and on and ends here" in card.text and "line after it." in card.text
    for i, c in enumerate(card.text):
        if not c.isspace():
            assert card.line_of(i) == text.count("\n", 0, card.written_at(i)) + 1
            assert text[card.written_at(i)] == c
    assert card.lines()[3] == card.lines()[4] == card.lines()[2]   # one reading line for the item's three lines


def test_gathered_whitespace_with_references_and_typographic_quotes() -> None:
    """The moves compose with the other readings: references written inline and curly quotes read as ASCII, on
    indented continuation lines; every snippet is still the card's own words."""
    text = ("# Wren-2B\n\n- The model\u2019s training code is\n  available in [our repository][code] under the\n"
            "  Apache 2.0 license.\n\n[code]: https://github.com/acme/wren\n")
    card = parse_card(text)
    assert "is available in [our repository](https://github.com/acme/wren) under the Apache" in card.text
    for i, c in enumerate(card.text):
        w = card.written_at(i)
        if not c.isspace() and not any(r0 <= i < r1 and w1 - w0 != r1 - r0 for r0, r1, w0, w1 in card.edits):
            assert card.written[w] == c or (c == "'" and card.written[w] == "\u2019"), (i, c)
    flat = _flat(text)
    rec = from_text("acme/wren-2b", text, "README.md")
    for f in run_all(rec):
        for e in f.evidence:
            if e.kind == "card" and "#L" in e.locator:
                assert e.snippet in flat, e
    assert _finding(text, "training_code").outcome == "positive"


# -- a wrapped paragraph before a link: the sentence before it is read once ------------------------------------------

HEADER = """# Wren-2B

:octocat: [**GitHub**](https://github.com/acme/wren) &nbsp; 🤗 [**Weights**](https://huggingface.co/acme/wren-2b) &nbsp; 📝 [**Wren: a small open model**](https://arxiv.org/abs/2401.05678) &nbsp; 🎮 [**Demo**](https://huggingface.co/spaces/acme/wren)

Wren-2B is a small chat model trained by the Acme lab on public data.
"""

BRANCH = """# Wren-2B

## Earlier work

The official code for the
paper: [Wren: a small open model, and how we trained it on public data](https://arxiv.org/abs/2401.05678)
is on the [wren-v1 branch](https://github.com/acme/wren/tree/wren-v1)
"""


@pytest.mark.parametrize("transform", [wrap_lines, hard_wrap, unwrap])
def test_a_wrapped_header_row_is_still_the_header(transform) -> None:  # noqa: ANN001 - a transform
    """A row of links in the card's header, wrapped over three lines: the paper link is still read as the header's
    (the lines before it were its own paragraph read again for each written line, past 400 characters of links)."""
    for text in (HEADER, transform(HEADER)):
        card = parse_card(text)
        paper = next(ln for ln in card.links if "arxiv" in ln.url)
        assert [judge(card, p) for p in occurrences(card, paper)] == ["header"], text
    assert _grades(transform(HEADER)) == _grades(HEADER)


@pytest.mark.parametrize("transform", [wrap_lines, hard_wrap, unwrap])
def test_the_sentence_before_a_wrapped_link_is_reached(transform) -> None:  # noqa: ANN001 - a transform
    """"The official code for the paper … is on the [branch](…)": the announcing words stay in reach however the
    paragraph is wrapped."""
    assert _grades(transform(BRANCH)) == _grades(BRANCH)
    code = [_finding(t, "architecture_code") for t in (BRANCH, transform(BRANCH))]
    assert code[0].outcome == "positive" and code[1].outcome == code[0].outcome


def test_a_wrapped_relative_link_names_both_its_lines() -> None:
    """A relative link whose anchor is wrapped onto the next line: its evidence names both lines."""
    text = "# Wren\n\n## Training\n\nSee the [LoRA\nfine-tuning guide](docs/finetune.md) for training.\n"
    ev = _finding(text, "training_code").evidence[0]
    assert ev.locator.endswith("#L5-L6") and ev.snippet == "[LoRA fine-tuning guide](docs/finetune.md)"
    assert re.search(r"#L5-L6$", ev.locator)


# -- a leaderboard in a later sentence of the paragraph --------------------------------------------------------------

RAN = """# Wren-Video

## Comparisons

To evaluate Wren-Video we leverage [VBench](https://arxiv.org/abs/2311.17982) to compare it with open video models. The results are in the table below. We also submitted our results to the public leaderboard, where Wren-Video ranked first.
"""


@pytest.mark.parametrize("transform", [wrap_lines, hard_wrap])
def test_a_harness_run_is_not_undone_by_a_leaderboard_in_a_later_sentence(transform) -> None:  # noqa: ANN001
    """"We leverage VBench to compare …" is a run of the harness; the leaderboard two sentences on is another claim
    (read per line, the paragraph on one line was no run, and the same paragraph wrapped was)."""
    found = [_finding(t, "evaluation_code") for t in (RAN, transform(RAN))]
    assert [f.outcome for f in found] == ["positive", "positive"]
    assert found[0].detail == {"harness": "VBench"}
    ranked = "# Wren-Video\n\nWren-Video ranks first on the VBench leaderboard.\n"
    assert _finding(ranked, "evaluation_code").outcome == "negative"


def test_a_colon_in_a_quoted_title_opens_no_field() -> None:
    """A line that starts 'paper "Lynx: a small model"' continues its sentence (a label holds no quote): the
    paper's label two lines up still labels its address."""
    one = ('# Lynx\n\n**Research Paper** More information is in the paper "Lynx: A Small Open Model", available at '
           "https://example.org/publications/lynx-a-small-open-model/.\n")
    wrapped = ('# Lynx\n\n**Research Paper** More information is in the\npaper "Lynx: A Small Open Model",\navailable at\n'
               "https://example.org/publications/lynx-a-small-open-model/.\n")
    card = parse_card(wrapped)
    assert "the paper \"Lynx: A Small Open Model\", available at https://" in card.text
    found = [_finding(t, "research_paper") for t in (one, wrapped)]
    assert [f.outcome for f in found] == ["positive", "positive"]


# -- a pronoun that opens a licence sentence, its noun on the line before -------------------------------------------

PRONOUN = """# Wren-Chat

## Data

The dialogue dataset is intended solely for research and education. And it is distributed under the MIT license.
"""


@pytest.mark.parametrize("width", [50, 72])
def test_a_pronoun_refers_to_the_sentence_before_on_the_line_before(width: int, monkeypatch) -> None:  # noqa: ANN001
    """"… the dialogue dataset … .\\nAnd it is distributed under the MIT license." (a paragraph wrapped at a sentence's
    end) puts MIT on the data, as the paragraph on one line does; a list item or a blank line between does not."""
    import bench.invariance as inv

    monkeypatch.setattr(inv, "WIDTH", width)
    wrapped = PRONOUN.replace("education. And", "education.\nAnd")
    for text in (PRONOUN, wrapped, hard_wrap(wrapped)):
        assert scoped_in_card(from_text("acme/wren-chat", text, "README.md")) == [("MIT", frozenset({"data"}))], text
    apart = PRONOUN.replace("education. And", "education.\n\nAnd")
    assert scoped_in_card(from_text("acme/wren-chat", apart, "README.md")) == [("MIT", frozenset())]


# -- a label over a wrapped paragraph; a pointing link after a wrapped announcement --------------------------------

LABELLED = """# Wren-Image

## Training

**Training Data:**

About 900M text-image pairs (drawn from a public web crawl and a few internal datasets)
"""


def test_a_label_over_a_wrapped_paragraph_labels_all_of_it() -> None:
    """"**Training Data:**" over a paragraph wrapped so that "internal datasets" falls on its second line: the
    paragraph still stands under the label (the line above its second line is its own first line)."""
    wrapped = LABELLED.replace("a few internal", "a few\ninternal")
    for text in (LABELLED, wrapped):
        f = _finding(text, "datasets_released")
        assert f.status == "documented_not_released" and "internal datasets" in f.evidence[0].snippet, text


POINTING = """# Wren-MoE

## News

[2024/02] We release the Wren-MoE paper! We ran a detailed analysis of expert routing and found several surprises. Read it [here](https://example.org/wren-moe/paper.pdf)!
"""


@pytest.mark.parametrize("transform", [wrap_lines, hard_wrap, unwrap])
def test_a_pointing_link_reads_the_announcement_however_the_paragraph_is_wrapped(transform) -> None:  # noqa: ANN001
    """"We release the … paper! … Read it [here](…)": the announcement two sentences before the pointing link is in
    its paragraph, on its line or on the lines before."""
    sentence_lines = POINTING.replace("paper! We", "paper!\nWe").replace("surprises. Read", "surprises.\nRead")
    for text in (POINTING, sentence_lines, transform(POINTING)):
        assert _finding(text, "technical_report").outcome == "positive", text


# -- a dataset link whose paragraph says it is a test set -------------------------------------------------------------

TESTED = """# Wren-Coder

## Coding

For the code domain we used the [PyTasks](https://huggingface.co/datasets/acme/pytasks) and [PyProblems](https://huggingface.co/datasets/acme/pyproblems) datasets. With an open harness we ran a 0-shot test on PyTasks and a 3-shot test on PyProblems.
"""


def test_a_dataset_link_in_a_paragraph_about_a_test_is_no_training_data() -> None:
    """The sentence after the link says it is a test set, on the link's line or on the next; a list item is still
    read alone."""
    split = TESTED.replace("datasets. With", "datasets.\nWith")
    for text in (TESTED, split, hard_wrap(split)):
        assert _finding(text, "datasets_released").status == "not_found", text
    listed = ("# Wren-Coder\n\n## Data\n\n- [PyCorpus](https://huggingface.co/datasets/acme/pycorpus): training\n"
              "- We ran a 3-shot test on another set.\n")
    assert _finding(listed, "datasets_released").status != "not_found"
