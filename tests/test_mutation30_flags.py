"""Open-washing flags (derive/openness/flags.py): behaviour the fifth mutation round found untested.

Each test names the mutants it kills (docs/reviews.md, "Mutation testing, fifth round"). Cards are written here
(own words); the licence texts are the ones tests/test_openness_license_files.py writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_openness_license_files import KIMI_CLAUSE, LLAMA31, MIT, README, _assess, _folder

from openscope.derive.openness.assessment import Assessment, assess_record
from openscope.derive.openness.flags import card_versus_tag
from openscope.derive.openness.probes import Finding
from openscope.derive.openness.records import from_text


def _card(text: str, mid: str = "acme/m") -> Assessment:
    return assess_record(from_text(mid, text), use_curated=False)


def _finding(a: Assessment, probe: str) -> Finding:
    return next(f for f in a.findings if f.probe == probe)


def _flags(a: Assessment, name: str) -> list[dict[str, Any]]:
    return [f for f in a.flags if f["flag"] == name]


def _licence_card(tag: str, sentence: str) -> str:
    return f"---\nlicense: {tag}\n---\n# M\n\n## License\n\n{sentence}\n"


def test_a_licence_family_the_card_names_is_the_precise_tag_not_a_contradiction() -> None:
    """The card can only name "OpenRAIL" as a family; a Hub tag of that family (openrail++) is the same licence
    named more precisely (stable-diffusion-2's card was flagged). Another tag (apache-2.0) still contradicts it.
    Kills flags._same_family 1, 2, 3, 6, 7 (no family, the card's name upper-cased, `not in`, the tag upper-cased)."""
    same = _card(_licence_card("openrail++", "The weights are released under the OpenRAIL license."))
    lic = _finding(same, "license_declared")
    assert (lic.detail["declared"], lic.detail["card_weights"]) == ("openrail++", "openrail")
    assert card_versus_tag(lic) is False
    assert _flags(same, "card-license-contradicts-hub-tag") == []
    other = _card(_licence_card("apache-2.0", "The model weights are released under the OpenRAIL license."))
    assert card_versus_tag(_finding(other, "license_declared")) is True
    [flag] = _flags(other, "card-license-contradicts-hub-tag")
    assert flag["detail"] == "Hub licence tag 'apache-2.0' but the card names 'openrail'"


def test_the_open_source_claim_flag_cites_the_claim() -> None:
    """The flag's evidence is the sentence that claims "open source" (where a reader checks it), nothing else.
    Kills flags._ev 1-4 (no evidence, or the evidence of an absent finding)."""
    a = _card("---\nlicense: apache-2.0\n---\n# M\n\nM is a fully open source language model.\n")
    claim = _finding(a, "open_source_claim")
    [flag] = _flags(a, "open-source-claim-with-closed-parts")
    assert flag["evidence"] == [e.as_json() for e in claim.evidence]
    assert flag["evidence"][0]["snippet"] == "M is a fully open source language model."
    assert flag["evidence"][0]["locator"] == "acme/m#L6"
    assert flag["detail"] == ('the card claims "open source" but these are not released openly: training data, '
                              "training code, weights under an open licence")


def test_openly_licensed_weights_are_not_listed_as_closed(tmp_path: Path) -> None:
    """Weights released under an open licence are not a closed part. Kills flags.flags 35, 36 (and 17, 22, 23 with
    the test above: the training data's words and test)."""
    readme = "---\nlicense: apache-2.0\n---\n# M\n\nM is a fully open source model.\n"
    a = _assess(_folder(tmp_path / "w", {"model.safetensors": b"\0" * 64}, readme))
    assert a.components["Model parameters (Final)"].status == "open_license"
    [flag] = _flags(a, "open-source-claim-with-closed-parts")
    assert flag["detail"] == 'the card claims "open source" but these are not released openly: training data, training code'


def test_a_readme_declaring_other_contradicts_no_restrictive_licence_file(tmp_path: Path) -> None:
    """`license: other` is the Hub's catch-all for a licence outside its list, which a custom agreement (Llama 3.1's)
    is: the LICENSE naming that agreement agrees with it. An open licence file (MIT) is not "other": that is
    flagged. Kills flags._differs 1, 7, 8 (the `other` exception dropped or misspelled)."""
    readme = "---\nlicense: other\n---\n" + README
    agree = _assess(_folder(tmp_path / "llama", {"LICENSE": LLAMA31}, readme))
    assert _flags(agree, "license-file-contradicts-card") == []
    differ = _assess(_folder(tmp_path / "mit", {"LICENSE": MIT}, readme))
    [flag] = _flags(differ, "license-file-contradicts-card")
    assert flag["detail"] == "LICENSE is 'mit' but the README names 'other' for the release"


def _weights_sentence(words: str) -> str:
    return README + f"\n## License\n\nThe model weights are released under {words}.\n"


MODIFIED_MIT = MIT + "\n" + KIMI_CLAUSE + "\n"   # identified as `modified-mit`


def test_what_a_licence_file_agrees_with(tmp_path: Path) -> None:
    """No contradiction: the README's text and the file both name a modified licence (the publisher's own terms,
    said twice, even when they name different originals); the README names only the family (OpenRAIL) of the
    file's licence (CreativeML Open RAIL-M); the README's tag is `unknown` (nothing to compare). Kills
    flags._differs 14-19 (the both-modified exception), 23 (the family exception joined with `and`), 26 (an
    unknown licence compared: a crash)."""
    cases = {
        "modified-same": (_weights_sentence("a modified MIT license"), {"LICENSE": MODIFIED_MIT}),
        "modified-other": (_weights_sentence("a modified Apache 2.0 license"), {"LICENSE": MODIFIED_MIT}),
        "family": (_weights_sentence("the OpenRAIL license"),
                   {"LICENSE": "CreativeML Open RAIL-M\n\nSection I: PREAMBLE\n"}),
        "unknown": ("---\nlicense: unknown\n---\n" + README, {"LICENSE": MIT}),
    }
    readme_names = {"modified-same": "modified-mit", "modified-other": "modified-apache-2.0", "family": "openrail"}
    for name, (readme, files) in cases.items():
        a = _assess(_folder(tmp_path / name, files, readme))
        assert _flags(a, "license-file-contradicts-card") == [], name
        if name in readme_names:
            assert _finding(a, "license_declared").detail["card_weights"] == readme_names[name], name
    # the same modified file under a README naming the unmodified licence is a contradiction
    plain = _assess(_folder(tmp_path / "plain", {"LICENSE": MODIFIED_MIT}, "---\nlicense: mit\n---\n" + README))
    [flag] = _flags(plain, "license-file-contradicts-card")
    assert flag["detail"] == "LICENSE is 'modified-mit' but the README names 'mit' for the release"


def test_the_closed_parts_an_open_source_claim_lists() -> None:
    """Training data counts as released when the datasets or a data card are; no claim, no flag. Kills
    flags.flags 6 (any claim finding, positive or not), 12 and 13 (the training-data test's `and`)."""
    claim = "---\nlicense: apache-2.0\ndatasets:\n- acme/chat-data\n---\n# M\n\nM is a fully open source model.\n"
    a = _card(claim)
    assert _finding(a, "datasets_released").outcome == "positive"
    [flag] = _flags(a, "open-source-claim-with-closed-parts")
    assert flag["detail"] == ('the card claims "open source" but these are not released openly: training code, '
                              "weights under an open licence")
    quiet = _card(claim.replace("M is a fully open source model.", "M is a model."))
    assert _finding(quiet, "open_source_claim").outcome != "positive"
    assert _flags(quiet, "open-source-claim-with-closed-parts") == []


def _on_base(own: str, root: tuple[str, str] | None, mid: str = "acme-x/ft", extra: str = "") -> list[dict[str, Any]]:
    """The `license-contradicts-base` flags of a card declaring ``own`` on a lineage root (id, licence), or, without
    one, on the base its front matter declares (``extra``)."""
    from openscope.derive.openness.records import ModelRecord

    rec = from_text(mid, f"---\nlicense: {own}\n{extra}---\n# M\n\nText.\n")
    rec.license = own    # what a stored model's Hub tag gives
    if root is not None:
        rec.root = ModelRecord(id=root[0], locator=f"https://huggingface.co/{root[0]}", read_at="2026-01-01",
                               license=root[1])
    return _flags(assess_record(rec, use_curated=False), "license-contradicts-base")


def test_an_open_licence_on_a_restrictive_root_or_declared_base() -> None:
    """The flag, its detail and its evidence (the root's Hub page, the card's line and the curated fact); none for a
    root whose licence is unknown or open, for a licence that is not open, or for the base's own organisation.
    Kills flags.flags' `license-contradicts-base` mutants (its conditions, keys and texts: 75-134 and on)."""
    read_at = from_text("x/y", "# x\n").read_at
    assert _on_base("mit", ("meta-llama/base", "llama3")) == [{
        "flag": "license-contradicts-base", "base": "meta-llama/base",
        "detail": "declares 'mit' (open) but its base meta-llama/base is under 'llama3'",
        "evidence": [{"kind": "hub_metadata", "locator": "https://huggingface.co/meta-llama/base",
                      "snippet": "license: llama3", "read_at": read_at}]}]
    assert _on_base("mit", ("meta-llama/base", "other")) == []           # unknown terms contradict nothing
    assert _on_base("mit", ("meta-llama/base", "apache-2.0")) == []
    assert _on_base("cc-by-nc-4.0", ("meta-llama/base", "llama3")) == []
    assert _on_base("mit", ("acme-x/base", "llama3")) == []               # its own organisation: the licensor
    declared = "base_model: meta-llama/Meta-Llama-3-8B\n"
    [flag] = _on_base("mit", None, extra=declared)
    assert (flag["base"], flag["detail"]) == (
        "Llama 3", "declares 'mit' (open) but the base it declares, Llama 3, is under 'llama3'")
    assert [(e["kind"], e["locator"]) for e in flag["evidence"]] == [
        ("card", "acme-x/ft#L3"), ("curated", "https://huggingface.co/meta-llama/Meta-Llama-3-8B")]
    assert flag["evidence"][0]["snippet"] == "front matter: base_model: meta-llama/Meta-Llama-3-8B"
    assert _on_base("cc-by-nc-4.0", None, extra=declared) == []
    # no licence tag: the licence the card's text names for the weights is the declared one (flags.flags 124-133)
    text = _card("---\nbase_model: meta-llama/Meta-Llama-3-8B\n---\n# M\n\n## License\n\n"
                 "The model weights are released under the MIT license.\n", "acme-x/ft")
    assert [f["detail"] for f in _flags(text, "license-contradicts-base")] == [
        "declares 'MIT' (open) but the base it declares, Llama 3, is under 'llama3'"]
    assert _on_base("mit", None, mid="meta-llama/ft", extra=declared) == []


@pytest.mark.parametrize(("tag", "words", "versus", "flag"), [
    # a custom licence the card names only as such: nothing to compare
    ("llama3", "the Llama 3.1 Community License", None, None),
    ("unknown", "the Apache 2.0 license", None, None),             # an unknown tag: nothing to compare
    ("apache-2.0", "the Apache 2.0 license", False, None),          # the same licence, spelled otherwise
    ("other", "a modified MIT license", False, None),               # the publisher's own terms, said twice
    ("mit", "the Apache 2.0 license", True, None),                  # two open licences: duties differ, not openness
    ("mit", "a modified MIT license", True, "Hub licence tag 'mit' but the card names 'modified-mit'"),
    ("llama3", "the CC BY-NC 4.0 license", True, "Hub licence tag 'llama3' but the card names 'CC-BY-NC-4.0'"),
])
def test_a_card_licence_against_the_hub_tag(tag: str, words: str, versus: bool | None, flag: str | None) -> None:
    """`card_versus_tag` (which ``openscope license ID`` shows too) and the flag, which needs a difference in
    openness or two restrictive licences. Kills flags.card_versus_tag 13-22, 27, 31 and card_tag_contradiction
    9, 10, 13, 14, 21, 22."""
    a = _card(_licence_card(tag, f"The model weights are released under {words}."))
    lic = _finding(a, "license_declared")
    assert card_versus_tag(lic) is versus
    got = _flags(a, "card-license-contradicts-hub-tag")
    assert [f["detail"] for f in got] == ([flag] if flag else [])
    if flag:
        assert got[0]["evidence"] == [e.as_json() for e in lic.evidence] and got[0]["evidence"]


def test_two_open_licences_in_readme_and_file_contradict_nothing(tmp_path: Path) -> None:
    """A README under Apache-2.0 beside an MIT LICENSE: both open, no open-washing. Kills flags._differs 41, 42."""
    a = _assess(_folder(tmp_path / "open", {"LICENSE": MIT}, "---\nlicense: apache-2.0\n---\n" + README))
    assert _flags(a, "license-file-contradicts-card") == []


def test_a_licence_file_against_what_the_readme_names_for_what_it_covers(tmp_path: Path) -> None:
    """The file, the detail (the weights, the code or the release) and the evidence: the file's identifying line,
    then the README's line (its front matter for the declared licence, its text otherwise). Kills
    flags._file_contradictions' key, scope, text and evidence mutants (13, 36, 46, 52, 67, 72 and their kin)."""
    from model_folders import APACHE

    cases = {
        "w": ({"LICENSE-MODEL": APACHE}, README + "\n## License\n\nThe model weights are released under CC BY-NC 4.0.\n",
              "LICENSE-MODEL is 'apache-2.0' but the README names 'CC-BY-NC-4.0' for the weights",
              [("file", "LICENSE-MODEL#L2", "Apache License"),
               ("card", "README.md#L7", "The model weights are released under CC BY-NC 4.0.")]),
        "c": ({"LICENSE-CODE": LLAMA31}, README + "\n## License\n\nThe code is released under the MIT license.\n",
              "LICENSE-CODE is 'llama3.1' but the README names 'MIT' for the code",
              [("file", "LICENSE-CODE#L1", "LLAMA 3.1 COMMUNITY LICENSE AGREEMENT"),
               ("card", "README.md#L7", "The code is released under the MIT license.")]),
        "o": ({"LICENSE": MIT}, "---\nlicense: other\n---\n" + README,
              "LICENSE is 'mit' but the README names 'other' for the release",
              [("file", "LICENSE#L5", "Permission is hereby granted, free of charge, to any person obtaining a copy"),
               ("hub_metadata", "README.md#L2", "license: other")]),
    }
    for name, (files, readme, detail, evidence) in cases.items():
        root = _folder(tmp_path / name, files, readme)
        [flag] = _flags(_assess(root), "license-file-contradicts-card")
        assert (flag["file"], flag["detail"]) == (next(iter(files)), detail), name
        assert [(e["kind"], e["locator"], e["snippet"]) for e in flag["evidence"]] == [
            (k, f"{root}/{where}", snippet) for k, where, snippet in evidence], name
