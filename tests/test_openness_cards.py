"""Card parsing: safe YAML only, broken or hostile front matter ignored with a warning, links, sections."""

from __future__ import annotations

from openscope.derive.openness.cards import decode_card, parse_card


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
    card = parse_card("---\nlicense: [unclosed\n---\n# Body\n")
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
    assert decode_card("caf\u00e9".encode("latin-1"))[0] is None
    assert decode_card(b"# ok")[0] == "# ok"


def test_huge_card_is_capped() -> None:
    card = parse_card("# T\n" + "x" * 500_000)
    assert len(card.text) == 400_000 and card.warnings
