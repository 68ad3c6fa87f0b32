"""Every curated fact says whether someone checked it against its source, and when; nothing unchecked is
shown as checked.

Why: a governance team reads a fact shipped in the package as ours. ``curated.yml`` and ``libraries.yml``
carry a check record per fact (a family's ``checked`` date, a fact's own ``checked``/``checked_url``, or
``verified: false``); these tests hold the record well formed, hold the loader to rejecting a malformed or
contradictory one, and follow the record through to what ``assess --json`` shows.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from openscope.derive.openness import curated, libraries
from openscope.derive.openness.assessment import assess_record
from openscope.derive.openness.records import ModelRecord

ROOT = Path(__file__).resolve().parents[1]


def _facts() -> list[tuple[dict[str, Any], str, dict[str, Any]]]:
    return [(fam, name, fact) for fam in curated.entries() for name, fact in fam["components"].items()]


def _is_date(value: object) -> bool:
    try:
        dt.date.fromisoformat(str(value))
    except ValueError:
        return False
    return len(str(value)) == 10


def _is_url(value: object) -> bool:
    parts = urlparse(str(value))
    return parts.scheme == "https" and bool(parts.netloc) and " " not in str(value)


def test_every_fact_not_marked_unverified_has_a_check_date() -> None:
    for fam, name, fact in _facts():
        when = curated.fact_checked(fam, fact)
        if fact.get("verified", True) is False:
            assert when is None and "checked" not in fact and "checked_url" not in fact, (fam["family"], name)
        else:
            assert when is not None and _is_date(when), (fam["family"], name)


def test_checked_urls_are_urls_and_come_with_a_date() -> None:
    urls = [(fam["family"], name, fact) for fam, name, fact in _facts() if "checked_url" in fact]
    assert urls, "the 2026-11-30 check cites confirming pages"
    for family, name, fact in urls:
        assert _is_url(fact["checked_url"]), (family, name)
        assert _is_date(fact["checked"]), (family, name)


def test_a_fact_rechecked_later_than_its_family_keeps_its_own_date() -> None:
    rechecked = [(fam, fact) for fam, _, fact in _facts() if "checked" in fact]
    assert rechecked
    for fam, fact in rechecked:
        assert curated.fact_checked(fam, fact) == str(fact["checked"])
        assert str(fact["checked"]) >= str(fam["checked"])   # a second check comes after the first


def test_the_counts_the_file_and_the_docs_state_are_the_data() -> None:
    """The header of curated.yml and docs/openness.md say how many facts the 2026-11-30 check confirmed or
    corrected and how many stay unverified; those numbers are counted here from the facts themselves."""
    rechecked = sum(1 for _, _, f in _facts() if str(f.get("checked", "")) == "2026-11-30")
    unverified = sum(1 for _, _, f in _facts() if f.get("verified", True) is False)
    header = (ROOT / "src/openscope/data/openness/curated.yml").read_text("utf-8")
    m = re.search(r"(\d+) of the (\d+) unverified facts were confirmed or corrected, (\d+) stay\s+#?\s*unverified",
                  header)
    assert m, "curated.yml header states the counts"
    assert (int(m[1]), int(m[2]), int(m[3])) == (rechecked, rechecked + unverified, unverified)
    docs = (ROOT / "docs/openness.md").read_text("utf-8")
    m = re.search(r"(\d+) curated facts confirmed or corrected on 2026-11-30, (\d+) still `verified: false`", docs)
    assert m, "docs/openness.md states the counts"
    assert (int(m[1]), int(m[2])) == (rechecked, unverified)


@pytest.mark.parametrize(("fact", "message"), [
    ({"verified": "no"}, "verified must be true or false"),
    ({"checked": "30/11/2026"}, "checked must be a date"),
    ({"checked": "2026-02-30"}, "checked must be a date"),
    ({"checked": "2026-11-30", "checked_url": "github.com/x/y"}, "checked_url must be an https:// URL"),
    ({"checked": "2026-11-30", "checked_url": "https://x.org/a b"}, "checked_url must be an https:// URL"),
    ({"verified": False, "checked": "2026-11-30"}, "cannot carry checked"),
    ({"checked_url": "https://example.org/LICENSE"}, "checked_url without a checked date"),
])
def test_a_malformed_check_record_is_refused(fact: dict[str, Any], message: str) -> None:
    family = {"family": "Made-up", "checked": "2026-11-29",
              "components": {"Datasets": {"status": "open_license", "url": "https://example.org", **fact}}}
    with pytest.raises(curated.CuratedDataError, match=message):
        curated.validate([family])


def test_a_well_formed_check_record_passes_and_a_bad_family_date_does_not() -> None:
    good = {"family": "Made-up", "checked": "2026-11-29", "components": {
        "Datasets": {"status": "open_license", "url": "https://example.org", "checked": "2026-11-30",
                     "checked_url": "https://example.org/card"},
        "Training code": {"status": "not_found", "url": "https://example.org", "verified": False}}}
    curated.validate([good])
    with pytest.raises(curated.CuratedDataError, match="Made-up: checked must be a date"):
        curated.validate([{**good, "checked": "yesterday"}])


def _reachable() -> list[tuple[str, dict[str, Any]]]:
    """One concrete Hub id per family that resolves to that family (patterns' ``*`` filled in)."""
    out = []
    for fam in curated.entries():
        for pat in fam.get("hub_ids") or ():
            mid = str(pat).replace("*", "x")
            if curated.lookup(mid) is fam:
                out.append((mid, fam))
                break
    return out


def test_assess_json_marks_exactly_the_unverified_facts_and_dates_the_rechecked_ones() -> None:
    reachable = _reachable()
    assert len(reachable) >= 30
    shown_unverified = expected_unverified = 0
    for mid, fam in reachable:
        doc = assess_record(ModelRecord(id=mid, locator=f"https://huggingface.co/{mid}", read_at="2026-12-01")).as_json()
        for name, fact in fam["components"].items():
            ev = doc["components"][name]["evidence"][0]
            assert ev["kind"] == "curated" and ev["locator"] == fact["url"], (mid, name)
            unverified = fact.get("verified", True) is False
            assert ev["snippet"].endswith(" [unverified]") == unverified, (mid, name)
            expected_unverified += unverified
            shown_unverified += sum(e["snippet"].endswith(" [unverified]")
                                    for e in doc["components"][name]["evidence"] if e["kind"] == "curated")
            assert ev["read_at"] == str(fact.get("checked") or fam["checked"]), (mid, name)
    assert expected_unverified > 0 and shown_unverified == expected_unverified


def test_every_library_licence_is_checked() -> None:
    libs = libraries.all_libraries()
    assert len(libs) == len(libraries.known_names()) >= 30
    for lib in libs:
        # the library evidence (probes.library_evidence) has no "[unverified]" mark: a library added unchecked
        # must get one there first, so none may be unverified here
        assert lib.verified, f"{lib.name}: unchecked library licences are not marked in the evidence"
        assert lib.checked is not None and _is_date(lib.checked), lib.name
        assert _is_url(lib.url), lib.name
        if lib.checked_url is not None:
            assert _is_url(lib.checked_url) and lib.checked_url != lib.url, lib.name


def test_the_library_loader_uses_the_same_check_rules() -> None:
    with pytest.raises(curated.CuratedDataError, match="libraries.yml / x: checked must be a date"):
        curated.check_record("libraries.yml / x", {"license": "mit", "url": "https://x.org", "checked": "soon"})
