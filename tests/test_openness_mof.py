"""MOF class and progress exactly as the Model Openness Tool computes them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from openscope.derive.openness.evaluations import mof


def _expected(shared_data: Path) -> dict[str, dict]:
    text = (shared_data / "mof" / "fixtures" / "expected_results.json").read_text("utf-8")
    text = re.sub(r",(\s*[}\]])", r"\1", text)  # upstream has trailing commas
    return {m["release"]["name"]: m["classification"] for m in json.loads(text)["models"]}


@pytest.mark.reference
def test_all_27_fixtures_match_expected_results(shared_data: Path) -> None:
    expected = _expected(shared_data)
    fixtures = sorted((shared_data / "mof" / "fixtures").glob("*.yml"))
    assert len(fixtures) == 27
    for path in fixtures:
        record = yaml.safe_load(path.read_text("utf-8"))
        want = expected[record["release"]["name"]]  # matched by the fixture's own release.name
        got = mof.evaluate_record(record)
        assert got.cls == want["class"], path.name
        for k in ("1", "2", "3"):
            assert got.progress[k] == pytest.approx(float(want["progress"][k]), abs=1e-9), (path.name, k)


@pytest.mark.reference
def test_component_names_match_the_mof_settings(shared_data: Path) -> None:
    settings = yaml.safe_load((shared_data / "mof" / "mof.settings.yml").read_text("utf-8"))
    assert set(mof.component_names()) == {c["name"] for c in settings["components"]}
    assert len(mof.component_names()) == 17


def _all_open() -> dict[str, str | None]:
    lic = {"code": "Apache-2.0", "data": "CDLA-Permissive-2.0", "document": "CC-BY-4.0"}
    return {c.name: lic[c.content_type] for c in mof.components()}


def test_everything_open_is_class_one_and_progress_is_unrounded() -> None:
    res = mof.evaluate_components(_all_open())
    assert res.cls == 1 and res.label.startswith("Class I ")
    assert res.progress == {"1": 100.0, "2": 100.0, "3": 100.0}
    listed = _all_open()
    listed.pop("Datasets")
    res = mof.evaluate_components(listed)
    assert res.cls == 2
    assert res.progress["1"] == pytest.approx(13 / 14 * 100)
    assert any("Datasets" in s for s in res.next_steps)


def test_unlicensed_component_does_not_inherit_the_global_licence() -> None:
    gl = {"distribution": {"name": "Apache-2.0"}}
    inherit = mof.evaluate_components({"Model architecture": None}, gl)
    assert "Model architecture" in inherit.included
    explicit = mof.evaluate_components({"Model architecture": "unlicensed"}, gl)
    assert "Model architecture" in explicit.unlicensed


def test_restrictive_licence_is_invalid_and_blocks_class_three() -> None:
    listed = {c.name: "Apache-2.0" for c in mof.components() if c.cls == 3}
    listed["Model parameters (Final)"] = "llama2"
    res = mof.evaluate_components(listed)
    assert res.cls == 0
    assert res.invalid == {"Model parameters (Final)": "llama2"}
    assert res.progress["3"] == pytest.approx(5 / 6 * 100)


def test_research_paper_stands_in_for_the_technical_report() -> None:
    listed = {c.name: "Apache-2.0" for c in mof.components() if c.cls == 3 and c.name != "Technical report"}
    assert mof.evaluate_components(listed).cls == 0
    listed["Research paper"] = "CC-BY-4.0"
    assert mof.evaluate_components(listed).cls == 3


def test_open_licence_rule() -> None:
    assert mof.is_open_license("apache-2.0")           # case-insensitive SPDX
    assert mof.is_open_license("CC-BY-SA-2.0-UK")       # an open data licence port
    assert not mof.is_open_license("CC-BY-NC-4.0")
    assert not mof.is_open_license("llama2")
    assert not mof.is_open_license(None)


def test_evaluate_record_rejects_a_non_record() -> None:
    with pytest.raises(ValueError):
        mof.evaluate_record({"name": "x"})
