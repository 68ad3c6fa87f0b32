"""Evidence review, third round, follow-up (helper-evidence25b): the sibling pass made cheap, with the same findings.

The pass that reads a multi-project README without its parts about other releases (:mod:`..probes._siblings`) cost
about 4.5% of a card's time. The cheaper forms below must find exactly what the forms they replace found: each is
compared with the plain form on strings built to hit its edges (random mixes of the characters each pattern reads),
so a shortcut that skips a real match fails here. Every card is written by the test.
"""

from __future__ import annotations

import random

from openscope.derive.openness.cards import _spaced, parse_card
from openscope.derive.openness.probes import run_all
from openscope.derive.openness.probes._siblings import (
    _LABEL_LINE,
    _PAPER_LABEL,
    _label_lines,
    _may_label_paper,
    _plain,
    own_view,
    sibling_spans,
)
from openscope.derive.openness.records import from_text


def _spans(m_list: list) -> list[tuple[int, int, str]]:  # type: ignore[type-arg]
    return [(m.start(), m.end(), m.group(1)) for m in m_list]


def test_label_lines_are_the_patterns_matches_on_random_lines() -> None:
    rng = random.Random(25)
    pieces = ["\n", "\r\n", "**", "__", ":", "：", " ", "\t", "Kestrel", "-MoE", "x", ".", "+", "a b", "```", "7"]
    found = 0
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        want = _spans(list(_LABEL_LINE.finditer(text)))
        assert _spans(list(_label_lines(text))) == want, repr(text)
        found += len(want)
    assert found > 50   # (the strings do hold label lines)


def test_label_lines_of_a_readme() -> None:
    text = ("# Heron\n\n**Kestrel-MoE:**\n```bibtex\n@misc{k}\n```\n\nHeron-Chat: \nA sentence: with a colon inside\n"
            "Plover Arena：\r\n")
    assert [m.group(1) for m in _label_lines(text)] == ["Kestrel-MoE", "Heron-Chat", "Plover Arena"]


def test_the_paper_label_test_lets_every_anchor_that_reads_as_a_label_through() -> None:
    rng = random.Random(7)
    pieces = ["Kestrel", " ", "Paper", "paper", "pap", "er", "Report", "re", "port", "pre", "print", "ı", "İ",
              "![](i.png)", "<b>", "</b>", "[", "](u)", "📝", "-", "Tech ", "PREPRINT"]
    seen = 0
    for _ in range(5000):
        anchor = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))
        if _PAPER_LABEL.match(_plain(anchor)):
            seen += 1
            assert _may_label_paper(anchor), anchor
    assert seen > 100   # (the strings do reach the pattern)
    assert not _may_label_paper("Hugging Face") and not _may_label_paper("Demo")


def test_spaced_reads_each_soft_break_as_a_space() -> None:
    rng = random.Random(3)
    for _ in range(500):
        body = "".join(rng.choice("ab \n") for _ in range(rng.randint(0, 40)))
        breaks = sorted(rng.sample(range(len(body)), rng.randint(0, len(body)))) if body else []
        chars = list(body)
        for at in breaks:
            chars[at] = " "
        assert _spaced(body, breaks) == "".join(chars)


MULTI = ("# Heron: small chat models\n\n"
         "## News\n\n"
         "- [2024/05] We released **Kestrel-MoE**, a sparse model, and its\n  technical report.\n"
         "- [2024/03] We released the weights of **Heron-Chat-7B**.\n\n"
         "## Kestrel-MoE: sparse experts\n\nKestrel-MoE was trained on 2T tokens on 512 H100 GPUs.\n\n"
         "## Training\n\nHeron-Chat-7B was trained on 64 A100 GPUs.\n\n"
         "**Kestrel-MoE:**\n```bibtex\n@misc{kestrel}\n```\n\n"
         "[Kestrel-MoE Paper](https://arxiv.org/abs/2401.00001) | [Code](https://github.com/birdlab/heron)\n")


def test_a_multi_project_readme_is_still_read_without_its_siblings_parts() -> None:
    rec = from_text("birdlab/Heron-Chat-7B", MULTI)
    assert rec.card is not None
    names = sorted({s.name for s in sibling_spans(rec.card, rec.id)})
    assert names == ["Kestrel-MoE"]
    view = own_view(rec)
    assert view.card is not None and view is not rec
    assert "512 H100" not in view.card.text and "Kestrel-MoE Paper" not in view.card.text
    assert "64 A100" in view.card.text and "Heron-Chat-7B**." in view.card.text
    hw = next(f for f in run_all(from_text("birdlab/Heron-Chat-7B", MULTI)) if f.probe == "hardware_documented")
    assert all("H100" not in e.snippet for e in hw.evidence)


def test_a_card_whose_title_names_another_project_keeps_every_line() -> None:
    text = MULTI.replace("# Heron: small chat models", "# Bird Lab models")
    rec = from_text("birdlab/Heron-Chat-7B", text)
    assert rec.card is not None and sibling_spans(rec.card, rec.id) == []
    assert own_view(rec) is rec


def test_the_view_is_the_card_parsed_again_with_the_parts_blanked() -> None:
    rec = from_text("birdlab/Heron-Chat-7B", MULTI)
    view = own_view(rec)
    assert view.card is not None and rec.card is not None
    again = parse_card(view.card.source)
    assert (again.text, again.sections, again.links, again.rel_links) == (
        view.card.text, view.card.sections, view.card.links, view.card.rel_links)


# -- class 4: a label alone is quoted with the value it labels -----------------------------------------------------

WREN = ("# Wren-7B\n\nWren-7B is a small chat model of the Bird Lab.\n\n**Model Release Date:**\n\n"
        "* **7B chat: March 3, 2025**\n\n## Training\n\nTrained on 8 GPUs.\n")


def test_a_label_alone_is_quoted_with_its_value() -> None:
    f = next(f for f in run_all(from_text("birdlab/Wren-7B", WREN)) if f.probe == "weights_released")
    assert f.evidence and "March 3, 2025" in f.evidence[0].snippet
    assert f.evidence[0].locator.endswith("#L5-L7")


def test_a_label_over_a_heading_is_quoted_alone() -> None:
    text = WREN.replace("* **7B chat: March 3, 2025**\n\n", "")
    f = next(f for f in run_all(from_text("birdlab/Wren-7B", text)) if f.probe == "weights_released")
    assert f.evidence and f.evidence[0].snippet == "**Model Release Date:**"


def test_a_label_with_its_value_on_its_line_is_quoted_as_before() -> None:
    text = WREN.replace("**Model Release Date:**\n\n* **7B chat: March 3, 2025**", "**Model Release Date:** March 3, 2025")
    f = next(f for f in run_all(from_text("birdlab/Wren-7B", text)) if f.probe == "weights_released")
    assert f.evidence and f.evidence[0].snippet == "**Model Release Date:** March 3, 2025"


def test_a_sentence_that_ends_with_a_colon_is_no_label() -> None:
    from openscope.derive.openness.cards import parse_card

    card = parse_card("# Wren\n\nWe fine-tune Wren-7B from Lynx-7B with the following hyperparameters:\n\n"
                      "| Hyperparameter | Wren-7B |\n|---|---|\n| lr | 2e-5 |\n\n**Model Release Date:**\n\n"
                      "| 7B | March 3, 2025 |\n")
    at = card.text.index("We fine-tune")
    assert card.span(at, at + 12)[1] == "We fine-tune Wren-7B from Lynx-7B with the following hyperparameters:"
    at = card.text.index("**Model Release")
    assert card.span(at, at + 10)[1] == "**Model Release Date:**"   # (a table is no field's value)
