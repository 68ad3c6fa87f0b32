"""The same card in another equally valid Markdown form gets the same reading and the same grades.

Why: the probes were tuned on cards written one way (ATX headings, inline links, a sentence to a line); a rule that
reads the form fails on unseen cards written another way. These cards are written here, in our own words, each in
two forms CommonMark renders alike (or a reader cannot tell apart): hard-wrapped at 72 columns (soft line breaks inside
sentences and link anchors), Windows line endings, setext headings, reference-style links read as the inline links
they render as, typographic quotes and Unicode spaces, every heading one level deeper. The development cards' grades under the same rewrites
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
    """A reference-style link is in the card's links, with its anchor text and the line of its use."""
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


# --- typographic quotes and Unicode spaces (twenty-third session) -------------------------------------------------

ASCII_QUOTES = """# Wren-7B

Wren-7B is the Finch lab's "small but complete" chat model: 7 billion parameters, trained from scratch.

## The lab's training data

The full training corpus isn't secret: it is released under CC-BY-4.0 at [the corpus's page](https://huggingface.co/datasets/finch/wren-corpus) with its data card.

## Training code

All of the training code is at [finch/wren-train](https://github.com/finch/wren-train) under the Apache 2.0 license.

## License

The model's weights are released under the "Apache 2.0" license.
"""
CURLY = (ASCII_QUOTES.replace("'", "\u2019").replace('"small but complete"', "\u201csmall but complete\u201d")
         .replace('"Apache 2.0"', "\u201cApache\u00a02.0\u201d").replace("7 billion", "7\u202fbillion"))


def test_typographic_quotes_and_spaces_read_as_ascii() -> None:
    """Curly quotes and apostrophes and Unicode spaces are read as the ASCII characters the rules are written with
    (one character for one: offsets and lines kept), while the card as written is what snippets quote."""
    assert CURLY != ASCII_QUOTES and len(CURLY) == len(ASCII_QUOTES)
    card, plain = parse_card(CURLY), parse_card(ASCII_QUOTES)
    assert card.text == plain.text and card.written == CURLY and card.typographic
    assert [s.title for s in card.sections] == [s.title for s in plain.sections]
    assert plain.written is None and not plain.typographic   # an ASCII card is read as written
    assert _grades(CURLY) == _grades(ASCII_QUOTES)
    flat = " ".join(CURLY.split())
    evidence = _evidence(CURLY)
    assert evidence
    for _, snippet in evidence:   # the card's own characters, a section's title included ("## The lab’s …: …")
        assert snippet.removeprefix("## ").replace(": ", " ", 1) in flat or snippet in flat, snippet
        assert "'" not in snippet and '"' not in snippet, snippet


def test_the_ideographic_space_is_read_as_written() -> None:
    """(Chinese and Japanese rules read U+3000 themselves; it is no typographic form of an ASCII space.)"""
    text = "# 模型\n\n训练数据\u3000公开。\n"
    assert parse_card(text).text == text and parse_card(text).written is None


# --- reference-style links read as inline links (twenty-third session) ---------------------------------------------


def test_a_card_written_with_references_reads_as_the_inline_card() -> None:
    """Every rule reads a reference as the inline link it renders as: the same reading lines (the definitions blanked,
    line breaks kept), the same grades."""
    card = parse_card(REFERENCE)
    n = len(ONE_LINE.split("\n")) - 1
    assert card.text.split("\n")[:n] == ONE_LINE.split("\n")[:n]
    assert all(not line.strip() for line in card.text.split("\n")[n:])   # the definitions render as nothing
    # the card as written, which snippets quote: its definitions blanked too (never quoted), every other line as is
    assert card.written is not None and card.edits and len(card.written) == len(REFERENCE)
    assert card.written.split("\n")[:n] == REFERENCE.split("\n")[:n]
    assert all(not line.strip() for line in card.written.split("\n")[n:])
    assert _grades(REFERENCE) == _grades(ONE_LINE)


def test_reference_evidence_quotes_the_card_as_written() -> None:
    """Snippets and line numbers are the card as written: a quote over a reference shows "[text][label]", and no
    definition line is quoted or linked as a link of its own."""
    lines = REFERENCE.split("\n")
    flat = " ".join(REFERENCE.split())
    evidence = _evidence(REFERENCE)
    assert evidence
    for locator, snippet in evidence:
        assert snippet in flat or snippet.removeprefix("## ").replace(": ", " ", 1) in flat, snippet
        first = int(locator.split("#L")[1].split("-")[0])
        assert not lines[first - 1].startswith("[") or "]:" not in lines[first - 1], locator
    assert any("[our public training repository][2]" in s for _, s in evidence)
    card = parse_card(REFERENCE)
    code = next(ln for ln in card.links if ln.url == "https://github.com/acme/lynx-train")
    assert (code.text, code.line) == ("our public training repository",
                                      next(i for i, x in enumerate(lines, 1) if x.startswith("All of the training")))
    assert all(ln.line < len(ONE_LINE.split("\n")) for ln in card.links)   # none at a definition's line


def test_reference_forms_badges_and_what_is_no_reference() -> None:
    text = ("Read [the report][R] and [Code][] and [data], then [![licence][shield]][lic].\n"
            "[Note]: this line is a sentence, no definition.\n\n"
            "```\n[z]: https://example.com/in-code\n[code]\n```\n\n"
            "[r]: https://arxiv.org/abs/2401.00001 \"The report\"\n[code]: <https://github.com/acme/x>\n"
            "[DATA]: ./data/README.md\n[shield]: https://img.shields.io/badge/licence-MIT-green\n[lic]: LICENSE\n"
            "[r]: https://example.com/second-definition-loses\n")
    card = parse_card(text)
    assert card.text.split("\n")[0] == (
        "Read [the report](https://arxiv.org/abs/2401.00001) and [Code](https://github.com/acme/x) and "
        "[data](./data/README.md), then [![licence](https://img.shields.io/badge/licence-MIT-green)](LICENSE).")
    assert card.text.split("\n")[1] == "[Note]: this line is a sentence, no definition."
    assert "[code]\n```" in card.text and "[z]: https://example.com/in-code" in card.text   # code is as written
    assert "second-definition" not in card.text and len(card.text.split("\n")) == len(text.split("\n"))
    links = {ln.url: (ln.text, ln.line) for ln in card.links}
    assert links["https://arxiv.org/abs/2401.00001"] == ("the report", 1)
    assert links["https://github.com/acme/x"] == ("Code", 1)
    assert ("./data/README.md", "data", 1) in {(ln.url, ln.text, ln.line) for ln in card.rel_links}
    inline = parse_card(card.text.split("\n")[0] + "\n" + "\n".join(text.split("\n")[1:8]))   # as written inline
    assert links["https://img.shields.io/badge/licence-MIT-green"] == next(
        (ln.text, ln.line) for ln in inline.links if "shields" in ln.url)
    assert [(ln.url, ln.text, ln.line) for ln in card.rel_links] == [(ln.url, ln.text, ln.line) for ln in inline.rel_links]
    assert not any("second-definition" in u for u in links)
    # offsets map both ways: each written character of a use's text is at its reading place
    at = text.index("then")
    assert card.written_at(card.reading_at(at)) == at and card.text[card.reading_at(at):].startswith("then")
    inside = card.text.index("arxiv")   # a reading offset inside a rewritten span: the written reference around it
    assert text[card.written_at(inside):card.written_at(inside + 5, end=True)] == "[R]"
    assert card.span(card.text.index("the report"), card.text.index("the report") + 10)[1].startswith(
        "Read [the report][R] and [Code][]")


def test_a_pasted_card_after_references_keeps_its_lines() -> None:
    """A re-upload that writes its own links by reference and pastes its base's card: the copy's offsets are the
    reading text's and its lines the card's as written."""
    from openscope.derive.openness.records import read_card

    own = "# Wren-GGUF\n\nQuantized from [Wren][w].\n\n[w]: https://huggingface.co/finch/wren-7b\n\n"
    base = "# Original model card: Wren-7B\n\nWren-7B was trained on " + "public web text. " * 20 + "\n"
    card = read_card(own + base)
    assert card.pasted is not None
    assert card.text[card.pasted.start:].startswith(" " * 10)   # (blanked in the reading text)
    assert card.line_of(card.pasted.start) == own.count("\n") + 1
    assert any(f"lines {own.count(chr(10)) + 1}-" in w for w in card.warnings)


# --- heading levels (twenty-third session) ---------------------------------------------------------------------------


def test_a_card_written_one_level_deeper_has_the_same_outline() -> None:
    """A title as "##" over "###" sections is read as "#" over "##" (levels are relative); a card whose shallowest
    level holds several headings (sections all "##", no title) keeps its levels."""
    deeper = ONE_LINE.replace("\n## ", "\n### ").replace("# Lynx-3B", "## Lynx-3B")
    assert [(s.title, s.level) for s in parse_card(deeper).sections] == \
        [(s.title, s.level) for s in parse_card(ONE_LINE).sections]
    assert _grades(deeper) == _grades(ONE_LINE)
    no_title = ONE_LINE.replace("# Lynx-3B\n", "")
    assert {s.level for s in parse_card(no_title).sections} == {2}
    assert [s.level for s in parse_card("## A\n\ntext\n\n## B\n\ntext\n\n### C\n\ntext\n").sections] == [2, 2, 3]
    assert [s.level for s in parse_card("## Samples\n\n![](./images/cat.png)\n").sections] == [2]   # no title


def test_references_in_a_traditional_chinese_card_with_curly_quotes() -> None:
    """Every reading at once (simplified characters, ASCII quotes, references inline): snippets quote the card as
    written, never a definition (it renders as nothing), and a quote whose context would start inside a reference's
    address starts after the reference."""
    from openscope.derive.openness.probes import run_all

    text = ("# 模型\n\n本模型的訓練資料公開於[資料集][d]，訓練程式碼見[我們的倉庫][c]。\n\n## 授權\n\n"
            "模型權重採用 “Apache 2.0” 授權。\n\n[d]: https://huggingface.co/datasets/acme/data\n"
            "[c]: https://github.com/acme/train\n")
    rec = from_text("acme/m", text, "README.md")
    assert rec.card is not None and rec.card.hant and rec.card.typographic and rec.card.edits
    assert "[数据集](https://huggingface.co/datasets/acme/data)" in rec.card.text
    quotes = [e.snippet for f in run_all(rec) for e in f.evidence if e.kind == "card" and "#L" in e.locator]
    assert quotes and all(q in " ".join(text.split()) for q in quotes), quotes
    assert not any("]: http" in q or q.startswith("[d]") for q in quotes), quotes
    assert "模型權重採用 “Apache 2.0” 授權。" in quotes


# --- the header counts the lines that hold text (twenty-third session) ----------------------------------------------

HEADER_CARD = """# Lynx-3B

[Lynx][p]

Lynx-3B is a small language model trained by the Acme lab.
"""


def test_definitions_above_the_body_keep_the_header_link_in_the_header() -> None:
    """A paper link alone on a line under the title, its anchor no label ("Lynx", not "Paper"), is the release's own
    paper because it is in the card's header (its first 40 body lines with text). Definitions
    written above the body render as nothing: 45 of them there must not push the link out of the header, as 45
    written lines would (they are blanked in the reading)."""
    defs = "".join(f"[r{i}]: https://example.org/{i}\n" for i in range(45))
    defs += "[p]: https://arxiv.org/abs/2401.01234\n"
    above, below = defs + "\n" + HEADER_CARD, HEADER_CARD + "\n" + defs
    osai, _ = _grades(below)
    assert osai["preprint"] == "open", osai   # (so the test compares something)
    assert _grades(above) == _grades(below)
    # what counts is lines with text: 45 lines of words above the link still end the header
    words = "".join(f"Line {i} of a long preface.\n\n" for i in range(45))
    assert _grades(words + HEADER_CARD.replace("[Lynx][p]", "[Lynx](https://arxiv.org/abs/2401.01234)"))[0][
        "preprint"] == "closed"


def test_the_header_counts_lines_with_text() -> None:
    from openscope.derive.openness.probes._own_paper import HEADER_LINES, in_header

    card = parse_card("# T\n" + "\n" * 100 + "a\n" * (HEADER_LINES - 1) + "b\nc\n")
    first = 1 + 100 + HEADER_LINES   # the line of "a" number HEADER_LINES - 1, then "b" (the 41st with text), "c"
    assert in_header(card, 1) and in_header(card, 50) and in_header(card, first - 1)
    assert in_header(card, first) is False and in_header(card, first + 1) is False
