"""A permissive licence its publisher modified ("Modified MIT License") is not the OSI-approved original.

It is read as its own licence (`modified-mit`, the id the Hub's `license_name` gives Kimi's), graded `partial`
for the index's `licenses` (open in most terms, not OSI-approved), never as a click-through agreement for the
weights, and never read from a sentence that merely modifies MIT-licensed code.
"""

from __future__ import annotations

from pathlib import Path

from openscope.derive.openness.assessment import assess_record, sides
from openscope.derive.openness.evaluations import osai
from openscope.derive.openness.probes import Finding, run_all
from openscope.derive.openness.records import from_folder, from_text


def _licence(text: str) -> Finding:
    return next(f for f in run_all(from_text("acme/model", text)) if f.probe == "license_declared")


def _osai(text: str) -> dict[str, str]:
    end, base, *_ = sides(from_text("acme/model", text), use_curated=False)
    return osai.evaluate(end, base)


MODIFIED = ("# Acme-K2\n\n<a href=\"LICENSE\"><img alt=\"License\" "
            "src=\"https://img.shields.io/badge/License-Modified_MIT-f5de53\"/></a>\n\n## License\n\n"
            "Both the code repository and the model weights are released under the [Modified MIT License](LICENSE).\n")


def test_a_modified_mit_licence_is_not_mit() -> None:
    f = _licence(MODIFIED)
    assert f.status == "restrictive_license"
    assert f.detail["card_open"] == [] and f.detail["card_restrictive"] == ["modified-mit"]
    assert _osai(MODIFIED)["licenses"] == "partial"
    plain = MODIFIED.replace("Modified_MIT", "MIT").replace("Modified MIT", "MIT")
    assert _licence(plain).status == "open_license" and _osai(plain)["licenses"] == "open"


def test_modifying_mit_licensed_code_names_no_modified_licence() -> None:
    card = "# Acme\n\n## License\n\nThis model is under Apache 2.0. We modified MIT-licensed code from nanoGPT.\n"
    f = _licence(card)
    assert "modified-mit" not in f.detail["card_restrictive"] and f.detail["card_open"][0] == "Apache-2.0"


def test_weights_under_a_modified_licence_are_not_presumed_gated(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text(MODIFIED)
    (tmp_path / "model.safetensors").write_bytes(b"\0" * 16)
    custom = tmp_path / "custom"
    custom.mkdir()
    (custom / "README.md").write_text(MODIFIED.replace("Modified MIT License", "Acme Model License Agreement")
                                      .replace("Modified_MIT", "Custom"))
    (custom / "model.safetensors").write_bytes(b"\0" * 16)
    assert assess_record(from_folder(tmp_path)).osai["weights_endmodel"] == "open"
    assert assess_record(from_folder(custom)).osai["weights_endmodel"] == "partial"  # an agreement to accept


def test_hub_other_with_a_modified_licence_name_is_partial_and_not_a_contradiction(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("---\nlicense: other\nlicense_name: modified-mit\nlicense_link: LICENSE\n---\n"
                                        + MODIFIED)
    a = assess_record(from_folder(tmp_path))
    assert a.osai["licenses"] == "partial"
    assert not [f for f in a.flags if f["flag"] == "card-license-contradicts-hub-tag"]
    (tmp_path / "README.md").write_text("---\nlicense: mit\n---\n" + MODIFIED)
    a = assess_record(from_folder(tmp_path))
    assert [f for f in a.flags if f["flag"] == "card-license-contradicts-hub-tag"]  # MIT declared, modified named
