"""What each licence a card names covers: the code's licence never lands on the weights, nor the reverse.

The cards here are written for the test (release notes in the forms real READMEs use: a "License:" line
naming two licences, "Code License"/"Model License" badges, a licence section per part, a licence joined to
another, a sentence that refers back to the one before). Each is assessed as a folder with the real
``openscope assess`` command, and the components' licences and the flags are checked.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from openscope.derive.openness.probes.license_declared import licences_in

WEIGHTS, TRAINING = "Model parameters (Final)", "Training code"
TRAIN_LINE = "\n## Training\n\nTrain it yourself with our [training script](train.py): `python train.py --epochs 3`.\n"


def _assess(cli, tmp: Path, card: str, *, files: tuple[str, ...] = ("model.safetensors", "train.py")) -> dict:
    folder = tmp / "release"
    folder.mkdir()
    (folder / "README.md").write_text(card, encoding="utf-8")
    for name in files:
        (folder / name).write_bytes(b"")
    r = cli("--db", tmp / "none.duckdb", "assess", folder, "--json", "--no-experts")
    assert r.code == 0, r.stderr
    return r.json()


def _lic(doc: dict, component: str) -> tuple[str, str | None]:
    c = doc["components"][component]
    return c["status"], c["license"]


def _scopes(text: str) -> list[tuple[str, list[str]]]:
    # the product's own reading of one licence line: the names (less a family beside its version, and the
    # non-commercial catch-all beside a named NonCommercial licence), each with its scope
    return [(lic, sorted(sc)) for lic, sc in licences_in(text)]


@pytest.mark.parametrize(("text", "expected"), [
    ("Code is released under MIT, model weights are released under CC-BY-NC 4.0.",
     [("MIT", ["code"]), ("CC-BY-NC-4.0", ["weights"])]),
    ("The code and weights of the series are distributed under the Apache 2.0 license.",
     [("Apache-2.0", ["code", "weights"])]),
    ("This repository and the model weights are licensed under the MIT License.", [("MIT", ["weights"])]),
    ("Use of the model requires adherence to [Apache 2.0](LICENSE) and the [Community License](x.pdf).",
     [("Apache-2.0", ["weights"]), ("other", ["weights"])]),
    ("The dataset is for research use. And it is distributed under the MIT license.", [("MIT", ["data"])]),
    ("Code and data are licensed under the Apache 2.0 license.", [("Apache-2.0", ["code", "data"])]),
    ("[![License: MIT](https://img.shields.io/badge/license-MIT-blue.svg)](https://opensource.org/licenses/MIT)",
     [("MIT", [])] * 3),
    ("Released under [Apache 2.0](https://github.com/o/r/blob/main/CODE_LICENSE).", [("Apache-2.0", [])]),
    # a new clause names its own scope, or none: the previous clause's does not carry over
    ("Weights: CC-BY-NC-4.0. Everything else is under Apache 2.0.", [("CC-BY-NC-4.0", ["weights"]), ("Apache-2.0", [])]),
])
def test_each_name_is_read_with_the_words_before_it(text: str, expected: list) -> None:
    assert _scopes(text) == expected


def test_a_line_naming_two_licences_gives_each_part_its_own(cli, tmp_path: Path) -> None:
    card = ("# Release\n\nOur model, released with its training code.\n\n"
            "**License:** Code is released under MIT, model weights are released under CC-BY-NC 4.0.\n" + TRAIN_LINE)
    doc = _assess(cli, tmp_path, card)
    assert _lic(doc, WEIGHTS) == ("restrictive_license", "cc-by-nc-4.0")
    assert _lic(doc, TRAINING) == ("open_license", "mit")
    assert "parameters-license" in doc["osaid"]["missing"]


def test_badges_for_the_code_and_for_the_model(cli, tmp_path: Path) -> None:
    card = ("# Release\n\n"
            "[![Code License](https://img.shields.io/badge/Code%20License-Apache_2.0-green.svg)](CODE_LICENSE)\n"
            "[![Model License](https://img.shields.io/badge/Model%20License-CC_BY_NC_4.0-red.svg)](MODEL_LICENSE)\n"
            + TRAIN_LINE)
    doc = _assess(cli, tmp_path, card)
    assert _lic(doc, WEIGHTS) == ("restrictive_license", "cc-by-nc-4.0")
    assert _lic(doc, TRAINING) == ("open_license", "apache-2.0")


def test_a_code_only_licence_leaves_the_weights_unlicensed(cli, tmp_path: Path) -> None:
    card = "# Release\n\n## License\n\nThe code in this repository is licensed under the Apache 2.0 license.\n" + TRAIN_LINE
    doc = _assess(cli, tmp_path, card)
    assert _lic(doc, WEIGHTS) == ("no_license", None)
    assert _lic(doc, TRAINING) == ("open_license", "apache-2.0")


def test_a_licence_for_everything_covers_the_weights(cli, tmp_path: Path) -> None:
    card = "# Release\n\n## License\n\nThis repository and the model weights are licensed under the MIT License.\n"
    doc = _assess(cli, tmp_path, card)
    assert _lic(doc, WEIGHTS) == ("open_license", "mit")


def test_a_code_licence_beside_the_hub_tag_is_no_contradiction(cli, tmp_path: Path) -> None:
    card = ("---\nlicense: cc-by-nc-4.0\n---\n# Release\n\n## License\n\n"
            "The weights are under CC-BY-NC-4.0 (see the tag). The code in this repository is released under "
            "the Apache 2.0 license.\n" + TRAIN_LINE)
    doc = _assess(cli, tmp_path, card)
    assert not [f for f in doc["flags"] if f["flag"] == "card-license-contradicts-hub-tag"], doc["flags"]
    assert _lic(doc, WEIGHTS) == ("restrictive_license", "cc-by-nc-4.0")
    assert _lic(doc, TRAINING) == ("open_license", "apache-2.0")  # the card names the code's licence


def test_a_weights_licence_against_the_hub_tag_is_still_flagged(cli, tmp_path: Path) -> None:
    card = ("---\nlicense: apache-2.0\n---\n# Release\n\n## License\n\n"
            "The model weights are released under CC-BY-NC-4.0.\n")
    doc = _assess(cli, tmp_path, card)
    flags = [f for f in doc["flags"] if f["flag"] == "card-license-contradicts-hub-tag"]
    assert flags and "CC-BY-NC-4.0" in flags[0]["detail"], doc["flags"]


def test_open_licences_named_only_for_parts_leave_the_release_partly_covered(cli, tmp_path: Path) -> None:
    """The index's `licenses` asks whether the whole release is under open licences: a card that names an
    open licence for its code (and data) and nothing for the weights is `partial`; for everything, `open`."""
    parts = _assess(cli, tmp_path, "# R\n\n## License\n\nCode and data are licensed under the Apache 2.0 license.\n")
    assert parts["osai"]["licenses"] == "partial"
    (tmp_path / "w").mkdir()
    whole = _assess(cli, tmp_path / "w",
                    "# R\n\n## License\n\nThe code and the model weights are licensed under the Apache 2.0 license.\n")
    assert whole["osai"]["licenses"] == "open"
    # a declared licence (front matter) covers the repository, weights included: the card's code line adds nothing
    tagged = tmp_path / "t"
    tagged.mkdir()
    declared = _assess(cli, tagged, "---\nlicense: mit\n---\n# R\n\nThe code is under the MIT license.\n")
    assert declared["osai"]["licenses"] == "open"
