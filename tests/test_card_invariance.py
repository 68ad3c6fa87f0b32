"""The same card in another equally valid Markdown form gets the same reading and the same grades.

Why: the probes were tuned on cards written one way (ATX headings, inline links, a sentence to a line); a rule that
reads the form fails on unseen cards written another way. These cards are written here, in our own words, each in
two forms CommonMark renders alike: hard-wrapped at 72 columns (soft line breaks inside sentences and link anchors),
Windows line endings, setext headings, reference-style links. The development cards' grades under the same rewrites
are checked in ``tests/test_openness_invariance_reference.py`` (``bench/invariance.py`` measures them).
"""

from __future__ import annotations

from typing import Any

import pytest

from bench.invariance import TRANSFORMS, grade
from openscope.derive.openness.cards import parse_card
from openscope.derive.openness.records import from_text

ONE_LINE = """# Lynx-3B

Lynx-3B is a small language model trained from scratch by the Acme lab on 1.2 trillion tokens of public web text.

## Training data

The full training corpus is released under CC-BY-4.0 at [the Acme corpus page on the Hub](https://huggingface.co/datasets/acme/lynx-corpus) together with its data card.

## Training code

All of the training and data preprocessing code is available in [our public training repository](https://github.com/acme/lynx-train) under the Apache 2.0 license.

## Paper

We describe the architecture, the data mixture and the evaluation in our paper, [Lynx: a small open model](https://arxiv.org/abs/2401.01234).

## License

The model weights are released under the Apache 2.0 license.
"""

WRAPPED = """# Lynx-3B

Lynx-3B is a small language model trained from scratch by the Acme lab
on 1.2 trillion tokens of public web text.

## Training data

The full training corpus is released under CC-BY-4.0 at [the Acme
corpus page on the Hub](https://huggingface.co/datasets/acme/lynx-corpus)
together with its data card.

## Training code

All of the training and data preprocessing code is available in [our
public training repository](https://github.com/acme/lynx-train) under
the Apache 2.0 license.

## Paper

We describe the architecture, the data mixture and the evaluation in our
paper, [Lynx: a small open model](https://arxiv.org/abs/2401.01234).

## License

The model weights are released under the Apache 2.0 license.
"""

SETEXT = ONE_LINE.replace("# Lynx-3B\n", "Lynx-3B\n=======\n").replace("## Training data\n", "Training data\n-------------\n") \
    .replace("## Training code\n", "Training code\n-------------\n").replace("## Paper\n", "Paper\n-----\n") \
    .replace("## License\n", "License\n-------\n")

REFERENCE = (ONE_LINE.replace("(https://huggingface.co/datasets/acme/lynx-corpus)", "[corpus]")
             .replace("(https://github.com/acme/lynx-train)", "[2]")
             .replace("[Lynx: a small open model](https://arxiv.org/abs/2401.01234)", "[Lynx: a small open model]")
             + "\n[corpus]: https://huggingface.co/datasets/acme/lynx-corpus\n[2]: <https://github.com/acme/lynx-train>\n"
             "[LYNX:  a small open model]: https://arxiv.org/abs/2401.01234\n")


def _grades(text: str) -> tuple[dict[str, str], dict[str, str]]:
    return grade("acme/lynx-3b", text)


def _evidence(text: str) -> list[tuple[str, str]]:
    from openscope.derive.openness.probes import run_all

    rec = from_text("acme/lynx-3b", text, "README.md")
    # (the quotes of the card's text: a link's evidence names its place, "line 15: [text](url)", and is no quote)
    return [(e.locator, e.snippet) for f in run_all(rec) for e in f.evidence if e.kind == "card" and "#L" in e.locator]


def test_the_card_grades_something() -> None:
    """(So the comparisons below compare grades that say something.)"""
    osai, mof = _grades(ONE_LINE)
    assert osai["trainingcode"] == "open" and osai["datasources_endmodel"] == "open"
    assert mof["Research paper"] != "not_found" or mof["Technical report"] != "not_found"


@pytest.mark.parametrize("form", [WRAPPED, ONE_LINE.replace("\n", "\r\n"), WRAPPED.replace("\n", "\r\n"), SETEXT],
                         ids=["wrapped", "crlf", "wrapped-crlf", "setext"])
def test_another_form_gets_the_same_grades(form: str) -> None:
    assert _grades(form) == _grades(ONE_LINE)


def test_a_wrapped_card_keeps_its_line_numbers_and_quotes_its_own_words() -> None:
    """Lines are numbered as written (a link on line 14 is on line 14), and every snippet is the card's own text
    (with its runs of whitespace shown as one space)."""
    card = parse_card(WRAPPED)
    link = next(ln for ln in card.links if ln.url == "https://github.com/acme/lynx-train")
    assert link.text == "our public training repository"
    lines = WRAPPED.split("\n")
    assert link.line == lines.index("All of the training and data preprocessing code is available in [our") + 1
    assert card.lines()[link.line - 1].startswith("All of the training")   # the reading line of its paragraph
    assert len(card.lines()) == len(WRAPPED.split("\n"))
    flat = " ".join(WRAPPED.split())
    assert _evidence(WRAPPED)
    for locator, snippet in _evidence(WRAPPED):
        assert snippet in flat, snippet
        first = int(locator.split("#L")[1].split("-")[0])
        assert 1 <= first <= len(WRAPPED.split("\n"))


def test_soft_breaks_are_only_inside_paragraphs() -> None:
    """A field to a line, a sentence that ends its line, a list item, a table row, a fenced block and a row of
    badges keep their line breaks: only a break inside a sentence is read as the space it renders as."""
    text = ("Model type: causal LM\nLanguages: English\n\nIt was trained in 2024.\nIt has 3B parameters.\n\n"
            "- one item that goes on\n  over two lines\n- another\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
            "```\npython train.py\n--config x\n```\n\n[![A](https://img.example/a.svg)](LICENSE)\n"
            "[![B](https://img.example/b.svg)](DATA_LICENSE)\n")
    card = parse_card(text)
    joined = [i for i, c in enumerate(text) if c == "\n" and card.text[i] == " "]
    assert [text[:i].count("\n") + 1 for i in joined] == [text.split("\n").index("- one item that goes on") + 1]
    assert card.lined == text and len(card.text) == len(text)


def test_setext_headings_are_sections() -> None:
    card = parse_card("Intro text.\n\nTraining data\n=============\n\nWeb text.\n\nDetails\n-------\n\nMore.\n")
    assert [(s.title, s.level, s.line) for s in card.sections] == [("Training data", 1, 3), ("Details", 2, 8)]
    assert "Web text." in card.sections[0].text
    # a list item over "---" is a list and a thematic break, and a longer paragraph's last line is no title
    card = parse_card("- item\n---\n\nfirst line\nsecond line\n---\n\ntext\n")
    assert card.sections == []


def test_a_setext_licence_heading_names_no_licence() -> None:
    """"License Agreement" over a line of "-" announces a section, as "## License Agreement" does: no licence named."""
    atx = "# Lynx\n\nA small model.\n\n## License Agreement\n\nThe weights are released under the Apache 2.0 license.\n"
    setext = atx.replace("## License Agreement\n", "License Agreement\n-----------------\n")
    assert _grades(setext) == _grades(atx)
    assert _grades(atx)[1]["Model parameters (Final)"] == "open_license"


def test_reference_links_are_links() -> None:
    """A reference-style link is in the card's links, with its anchor text and the line of its use. (The rules that
    read a link's markup in the text itself still read only the inline form: ``docs/reviews.md``, invariance review.)"""
    card = parse_card("See [the report][r] and [Code][] and [data].\n\n[r]: https://arxiv.org/abs/2401.00001\n"
                      "[code]: <https://github.com/acme/x>\n[DATA]: ./data/README.md\n"
                      "```\n[z]: https://example.com/in-code\n```\n[z]\n")
    links = {ln.url: (ln.text, ln.line) for ln in card.links}
    assert links["https://arxiv.org/abs/2401.00001"] == ("the report", 1)
    assert links["https://github.com/acme/x"] == ("Code", 1)
    assert ("./data/README.md", "data") in {(ln.url, ln.text) for ln in card.rel_links}
    assert all("in-code" not in ln.url or not ln.text for ln in card.links)   # a definition in code defines nothing


@pytest.mark.parametrize("name", ["crlf", "wrap_lines", "hard_wrap", "star_bullets", "autolinks", "front_matter",
                                  "trailing_whitespace"])
def test_the_transforms_keep_this_card_s_grades(name: str) -> None:
    """The bench's own rewrites of this card (the ones the development cards keep their grades under)."""
    rewritten: Any = TRANSFORMS[name](ONE_LINE)
    assert _grades(rewritten) == _grades(ONE_LINE)
