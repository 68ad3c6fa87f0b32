"""The catalogue against the reference data in ../shared/data (issue 6 "Must hold")."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from openscope.derive.licenses import get_license, normalize_license

pytestmark = pytest.mark.reference


def _assert_normalised(raw: str, kind: str) -> None:
    m = normalize_license(raw, kind=kind)
    if m.id is None:  # an expression of catalogued licences
        assert m.expression, raw
        return
    assert get_license(m.id) is not None, f"{raw!r} gave {m.id!r}, not a catalogue id"
    if m.id == "unknown":
        assert m.reason, f"{raw!r} is unknown without a reason"


def test_real_hub_responses_licence_tags(shared_data: Path) -> None:
    seen = []
    for p in sorted((shared_data / "hub-api").glob("*.model_info.json")):
        doc = json.loads(p.read_text())
        tags = [t[len("license:"):] for t in doc.get("tags", []) if t.startswith("license:")]
        card = (doc.get("cardData") or {}).get("license")
        seen += [(t, "tag") for t in tags] + ([(card, "card")] if isinstance(card, str) else [])
    assert seen, "the real responses carry licence tags"
    for raw, kind in seen:
        m = normalize_license(raw, kind=kind)
        # every licence tag in these responses is a Hub id: it must resolve exactly, not to unknown
        assert m.id not in {None, "unknown"} and m.confidence >= 0.9, (raw, m)
        assert m.cls != "unknown"


def _mof_licence_values(shared_data: Path) -> set[str]:
    values = set()
    with open(shared_data / "mof" / "mof_models.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            for key, value in row.items():
                if (key.startswith("comp:") or key.startswith("global_license")) and value:
                    values.add(value)
    return values


def test_mof_records_licence_fields(shared_data: Path) -> None:
    values = _mof_licence_values(shared_data)
    assert len(values) > 50
    for raw in values:
        _assert_normalised(raw, "card_name")
    # the common, unambiguous names resolve to the licence they name
    expected = {"Apache-2.0": "apache-2.0", "Apache 2.0": "apache-2.0", "MIT": "mit", "BSD-3": "bsd-3-clause",
                "Gemma Terms of Use": "gemma", "Llama 3.1 Community License Agreement": "llama3.1",
                "BigScience-BLOOM-RAIL-1.0": "bigscience-bloom-rail-1.0", "tongyi-qianwen-research":
                "tongyi-qianwen-research", "apple-sample-code-license": "apple-ascl",
                "DeepSeek License Agreement": "deepseek", " Falcon-180B TII License": "falcon-180b-license",
                "Component not include": "unknown", "Undisclosed": "unknown", "unlicensed": "unknown"}
    for raw, cid in expected.items():
        assert raw in values, raw
        assert normalize_license(raw, kind="card_name").id == cid, raw


def test_osai_index_licence_column(shared_data: Path) -> None:
    with open(shared_data / "openness" / "osai_dev.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    values = {r["endmodellicense"] for r in rows}
    assert len(values) > 20
    for raw in values:
        _assert_normalised(raw, "card_name")
    resolved = sum(1 for r in rows if normalize_license(r["endmodellicense"], kind="card_name").id != "unknown")
    assert resolved / len(rows) >= 0.7  # most families name a catalogued licence (77 of 105 when written)


@pytest.mark.parametrize("name", ["licenses.json", "mof-licenses.json"])
def test_mof_licence_lists_agree_with_osi_flags(shared_data: Path, name: str) -> None:
    data = json.loads((shared_data / "mof" / name).read_text())
    checked = 0
    for lic in data["licenses"]:
        info = get_license(lic["licenseId"])
        assert info is not None, lic["licenseId"]
        assert info.spdx == lic["licenseId"] or info.spdx.lower() == lic["licenseId"].lower()
        assert info.osi_approved is bool(lic.get("isOsiApproved")), lic["licenseId"]
        if "isFsfLibre" in lic:
            assert info.fsf_libre is bool(lic["isFsfLibre"]), lic["licenseId"]
        checked += 1
    assert checked == len(data["licenses"]) > 20


def test_osi_approved_licences_are_never_restrictive(shared_data: Path) -> None:
    """OSD criterion 6: an OSI-approved licence with a known class allows commercial use."""
    data = json.loads((shared_data / "mof" / "licenses.json").read_text())
    for lic in data["licenses"]:
        if lic.get("isOsiApproved"):
            info = get_license(lic["licenseId"])
            assert info.cls not in {"non_commercial", "use_restricted", "custom_flow_down", "closed"}, lic
            if info.known:
                assert info.commercial_use is True, lic
