"""Licence catalogue leftovers a governance team would trip on (helper-catalogue, session 17).

- OpenMDW-1.0 and the Apple sample code licence filed "retain the licence and copyright notices" as `notice` (a fixed
  notice text to pass on, Llama's "Llama 3.1 is licensed under …"); their texts ask for a copy of the licence and the
  copyright notices, which the duty vocabulary calls `include_license` and `attribution`. Both were read in copies of
  the licence texts (the YAML's `checked` and comments name them) and are `verified`.
- OpenMDW-1.1 (NVIDIA's recent models) was not catalogued: its tag resolved to unknown, and its canonical link
  (https://openmdw.ai/license/1-1/) to OpenMDW-1.0.
- Every use-restricted base was said to have an "acceptable-use policy", CC BY-ND's no-derivatives and the RAIL
  licences' Attachment A included; the conflict reason (SQL rule and its Python twin in the openness grades) and the
  text views now say what holds for every one of them.
- A licence that is not known gave `"duties": []` in `--json`, which reads as "no duties" (and `license other` said
  `none`): `duties_known: false` now says which an empty list means, and the text says unknown.

The stores are built by our ingest and derive steps from records written here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from openscope.derive.openness.inheritance import conflicts, terms

FT = "base_model:finetune:"
ENTRIES = [
    {"id": "nvidia/mdw-base", "author": "nvidia", "tags": ["license:openmdw-1.1"]},
    # the licence named only by its link, under the Hub's `other`
    {"id": "acme-mdw-linked/mdw-linked", "author": "acme", "tags": ["license:other"],
     "cardData": {"license": "other", "license_name": "nv-model-terms", "license_link": "https://openmdw.ai/license/1-1/"}},
    {"id": "acme-nd-base/nd-base", "author": "acme", "tags": ["license:cc-by-nd-4.0"]},
    {"id": "acme-nd-ft/nd-ft", "author": "acme", "tags": ["license:apache-2.0", FT + "acme-nd-base/nd-base"]},
    {"id": "CompVis/sd-base", "author": "CompVis", "tags": ["license:creativeml-openrail-m"]},
    {"id": "acme-sd-ft/sd-ft", "author": "acme", "tags": ["license:apache-2.0", FT + "CompVis/sd-base"]},
    {"id": "meta-llama/Llama-3.1-8B", "author": "meta-llama", "tags": ["license:llama3.1"]},
    {"id": "acme-llama-ft/llama-ft", "author": "acme", "tags": ["license:apache-2.0", FT + "meta-llama/Llama-3.1-8B"]},
    # a model that declares nothing, and one whose base is outside the store (its licence not known)
    {"id": "acme-no-licence/no-licence", "author": "acme", "tags": []},
    {"id": "acme-ghost-ft/ghost-ft", "author": "acme", "tags": ["license:mit", FT + "ghost-lab/base"]},
]
DATASETS = [{"id": "acme-no-licence-data/no-licence-data", "author": "acme", "tags": []},
            {"id": "acme-mit-data/mit-data", "author": "acme", "tags": ["license:mit"]}]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from openscope.cli import main

    tmp = tmp_path_factory.mktemp("catalogue17")
    models, datasets = tmp / "m.jsonl", tmp / "d.jsonl"
    models.write_text("\n".join(json.dumps(e) for e in ENTRIES) + "\n")
    datasets.write_text("\n".join(json.dumps(e) for e in DATASETS) + "\n")
    db = tmp / "s.duckdb"
    assert main(["--db", str(db), "--quiet", "ingest", str(models)]) == 0
    assert main(["--db", str(db), "--quiet", "ingest", "--datasets", str(datasets)]) == 0
    return db


@pytest.fixture(autouse=True)
def _wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")


def _flat(text: str) -> str:
    return " ".join(text.split())


# (licence, words of the clause that asks for a copy of the licence and the notices)
NOTICE_AS_DUTIES = [
    ("openmdw-1.0", "you shall retain in your distribution (1) a copy of this agreement, and (2) all copyright notices"),
    ("openmdw-1.1", "you shall retain in your distribution (1) a copy of this agreement, and (2) all copyright notices"),
    ("apple-ascl", "you must retain this notice and the following text and disclaimers"),
]


@pytest.mark.parametrize(("licence", "clause"), NOTICE_AS_DUTIES)
def test_retaining_the_licence_and_notices_is_include_license_and_attribution(cli, licence: str, clause: str) -> None:
    doc = cli("license", licence, "--json").json()
    assert doc["license"] == licence and doc["class"] == "permissive"
    assert sorted(doc["duties"]) == ["attribution", "include_license"]  # not `notice`: no fixed notice text
    for duty in ("attribution", "include_license"):
        cited = [c for c in doc["clauses"] if c["attribute"] == f"duty:{duty}"]
        assert len(cited) == 1 and clause in cited[0]["text"] and cited[0]["url"].startswith("https://")
        assert cited[0]["verified"] is True  # read in a copy of the text
    shown = _flat(cli("license", licence).stdout)
    assert "attribution: credit the authors" in shown and "include_license: ship a copy of the licence" in shown
    assert "notice: pass on" not in shown


def test_apple_s_duty_says_it_binds_only_an_unmodified_copy(cli) -> None:
    """The duty words cannot carry the condition; the clause must."""
    doc = cli("license", "apple-ascl", "--json").json()
    duties = {c["attribute"]: c["text"] for c in doc["clauses"] if c["attribute"].startswith("duty:")}
    assert sorted(duties) == ["duty:attribution", "duty:include_license"]
    assert all("in its entirety and without modifications" in text for text in duties.values())


@pytest.mark.parametrize("spelled", ["openmdw-1.1", "OpenMDW-1.1", "OpenMDW License Agreement, version 1.1",
                                     "https://openmdw.ai/license/1-1/"])
def test_openmdw_1_1_is_catalogued_under_each_name_a_card_uses(cli, spelled: str) -> None:
    doc = cli("license", spelled, "--json").json()
    assert doc["license"] == "openmdw-1.1"
    assert (doc["commercial_use"], doc["use_restrictions"], doc["same_terms"]) == (True, False, False)
    assert "1-1" in doc["url"]


def test_each_version_s_link_names_its_version(cli) -> None:
    """The 1.0 link pattern (`openmdw.ai/license`) matched 1.1's link too."""
    for link, licence in (("https://openmdw.ai/license/", "openmdw-1.0"), ("https://openmdw.ai/license/1-1/", "openmdw-1.1"),
                          ("https://github.com/OpenMDW/OpenMDW/blob/main/1.0/LICENSE.openmdw", "openmdw-1.0"),
                          ("https://github.com/OpenMDW/OpenMDW/blob/main/1.1/LICENSE.OpenMDW-1.1", "openmdw-1.1")):
        assert cli("license", link, "--json").json()["license"] == licence, link


def test_a_model_under_openmdw_1_1_has_its_terms(cli, store: Path) -> None:
    tagged = cli("--db", store, "license", "nvidia/mdw-base", "--json").json()
    assert (tagged["license"], tagged["class"]) == ("openmdw-1.1", "permissive")
    assert sorted(tagged["duties"]) == ["attribution", "include_license"] and tagged["duties_known"] is True
    linked = cli("--db", store, "license", "acme-mdw-linked/mdw-linked", "--json").json()
    assert linked["license"] == "openmdw-1.1" and linked["source"] == "license_link"


# (derivative, its base's licence): an Apache-2.0 finetune of each kind of use-restricted base
RESTRICTED = [("acme-nd-ft/nd-ft", "cc-by-nd-4.0"), ("acme-sd-ft/sd-ft", "creativeml-openrail-m"), ("acme-llama-ft/llama-ft", "llama3.1")]


@pytest.mark.parametrize(("model", "base_licence"), RESTRICTED)
def test_the_use_restriction_words_hold_for_every_kind_of_restriction(cli, store: Path, model: str,
                                                                      base_licence: str) -> None:
    doc = cli("--db", store, "license", model, "--json").json()
    reasons = " ".join(c["reason"] for c in doc["conflicts"])
    assert f"drops the use restrictions of {base_licence} (the uses that licence forbids)" in reasons
    assert "acceptable-use policy" not in reasons
    # the openness grades' Python twin of the rule says exactly the same
    twin = conflicts(terms("apache-2.0"), terms(base_licence))  # type: ignore[arg-type]
    assert f"drops the use restrictions of {base_licence} (the uses that licence forbids)" in twin
    assert all(r in reasons for r in twin)
    for command in ("license", "model"):
        shown = _flat(cli("--db", store, command, model).stdout)
        assert "use restrictions yes with its bases (a licence forbids some uses of it)" in shown
        assert "acceptable-use policy" not in shown


def test_a_licence_that_is_not_known_has_unknown_duties_not_none(cli) -> None:
    for licence in ("other", "unknown"):
        doc = cli("license", licence, "--json").json()
        assert doc["duties"] == [] and doc["duties_known"] is False
        shown = _flat(cli("license", licence).stdout)
        assert "duties unknown (the licence is not known)" in shown and "duties none" not in shown
    known = cli("license", "mit", "--json").json()
    assert known["duties"] and known["duties_known"] is True


def test_a_model_declaring_nothing_has_duties_known_false(cli, store: Path) -> None:
    doc = cli("--db", store, "license", "acme-no-licence/no-licence", "--json").json()
    assert doc["duties"] == [] and doc["duties_known"] is False and doc["effective_duties_known"] is False


def test_a_base_of_unknown_licence_makes_its_entry_and_the_effective_duties_unknown(cli, store: Path) -> None:
    doc = cli("--db", store, "license", "acme-ghost-ft/ghost-ft", "--json").json()
    assert doc["duties_known"] is True  # its own MIT is known
    ghost = [fd for fd in doc["flow_down"] if fd["base"] == "ghost-lab/base"]
    assert len(ghost) == 1 and ghost[0]["duties"] == [] and ghost[0]["duties_known"] is False
    assert doc["effective_duties_known"] is False  # the base's duties are missing from effective_duties
    known = cli("--db", store, "license", "acme-llama-ft/llama-ft", "--json").json()
    assert known["effective_duties_known"] is True
    assert all(fd["duties_known"] for fd in known["flow_down"])


def test_a_dataset_declaring_nothing_has_duties_known_false(cli, store: Path) -> None:
    none = cli("--db", store, "license", "--dataset", "acme-no-licence-data/no-licence-data", "--json").json()
    assert none["duties"] == [] and none["duties_known"] is False
    mit = cli("--db", store, "license", "--dataset", "acme-mit-data/mit-data", "--json").json()
    assert mit["duties_known"] is True
