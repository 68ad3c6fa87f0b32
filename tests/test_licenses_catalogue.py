"""The catalogue's own promises (issue 6 §1–2): every model licence the issue lists is there with its
Hub id, every stated attribute has a clause with a URL, classes come from the fixed vocabulary."""

from __future__ import annotations

import csv
import io
from importlib import resources

import pytest

from openscope.derive.licenses import CLASSES, all_licenses, get_license

REQUIRED = {
    # id: class (issue 6 §1 list)
    "llama2": "custom_flow_down", "llama3": "custom_flow_down", "llama3.1": "custom_flow_down",
    "llama3.2": "custom_flow_down", "llama3.3": "custom_flow_down", "llama4": "custom_flow_down",
    "gemma": "custom_flow_down", "qwen": "custom_flow_down", "tongyi-qianwen": "custom_flow_down",
    "tongyi-qianwen-research": "non_commercial", "qwen-research": "non_commercial",
    "deepseek": "use_restricted", "bigscience-openrail-m": "use_restricted",
    "bigscience-bloom-rail-1.0": "use_restricted", "creativeml-openrail-m": "use_restricted",
    "openrail++": "use_restricted", "openrail": "use_restricted", "mrl": "non_commercial",
    "mnpl": "non_commercial", "flux-1-dev-non-commercial-license": "non_commercial",
    "falcon-180b-license": "custom_flow_down", "apple-ascl": "permissive", "apple-amlr": "non_commercial",
    "openmdw-1.0": "permissive", "cc-by-nc-4.0": "non_commercial", "cc-by-nc-3.0": "non_commercial",
    "cc-by-nc-sa-4.0": "non_commercial", "cc-by-nc-nd-4.0": "non_commercial", "other": "unknown",
    "unknown": "unknown", "apache-2.0": "permissive", "mit": "permissive", "gpl-3.0": "copyleft",
    "lgpl-2.1": "weak_copyleft", "mpl-2.0": "weak_copyleft",
}

_STATED = ("osi_approved", "commercial_use", "use_restrictions", "user_cap", "same_terms")


@pytest.mark.parametrize(("cid", "cls"), sorted(REQUIRED.items()))
def test_required_licences_present_with_class(cid: str, cls: str) -> None:
    info = get_license(cid)
    assert info is not None, cid
    assert info.cls == cls
    assert info.clauses, cid


def test_every_curated_attribute_has_a_clause() -> None:
    curated = [e for e in all_licenses() if e.curated]
    assert len(curated) >= 30
    for e in curated:
        attrs = {c.attribute for c in e.clauses}
        assert "class" in attrs, e.id
        for a in _STATED:
            if getattr(e, a) is not None:
                assert a in attrs, (e.id, a)
        for d in e.duties:
            assert f"duty:{d}" in attrs, (e.id, d)
        for c in e.clauses:
            assert c.url.startswith(("https://", "http://")), (e.id, c)
            assert c.text.strip(), (e.id, c)
            assert isinstance(c.verified, bool)


def test_classes_are_from_the_vocabulary() -> None:
    entries = all_licenses()
    assert len(entries) > 700  # every SPDX licence plus the model licences
    assert {e.cls for e in entries} <= set(CLASSES)
    assert len({e.id for e in entries}) == len(entries)


def test_unknown_means_none_not_no() -> None:
    for e in all_licenses():
        if not e.known and e.id not in {"proprietary"}:
            assert e.commercial_use is None and e.use_restrictions is None, e.id


def test_llama_facts_checked_against_the_text() -> None:
    for cid in ("llama3", "llama3.1"):
        info = get_license(cid)
        verified = {c.attribute for c in info.clauses if c.verified}
        assert {"user_cap", "use_restrictions", "commercial_use"} <= verified, cid
        assert any(d.startswith("naming:") for d in info.duties)
        assert any(d.startswith("name_prefix:") for d in info.duties)
    assert get_license("llama3").naming_duties == ["naming:Built with Meta Llama 3", "name_prefix:Llama 3"]


def test_every_hub_id_in_the_hub_list_resolves() -> None:
    text = resources.files("openscope.data").joinpath("licenses", "hub_ids.csv").read_text()
    for row in csv.DictReader(io.StringIO(text)):
        info = get_license(row["hub_id"])
        assert info is not None and info.id == row["hub_id"] and info.spdx == row["spdx"], row


def test_get_license_is_case_insensitive_and_rejects_garbage() -> None:
    assert get_license("APACHE-2.0").id == "apache-2.0"
    assert get_license("Llama3.1").id == "llama3.1"
    assert get_license("") is None
    assert get_license("definitely not a licence") is None


def test_get_license_synthesises_expressions() -> None:
    dual = get_license("Apache-2.0 OR MIT")
    assert (dual.id, dual.cls, dual.osi_approved, dual.commercial_use) == ("Apache-2.0 OR MIT", "permissive", True, True)
    both = get_license("mit and cc-by-nc-4.0")
    assert (both.cls, both.commercial_use, both.osi_approved) == ("non_commercial", False, None)
    assert get_license("MIT OR some-house-licence") is None
