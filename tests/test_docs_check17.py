"""docs/licenses.md checked by running it (seventeenth session, helper-docscheck2): what the catalogue says of duties.

Why these: docs/licenses.md says "Every attribute carries the clause it was read from, the URL of the licence text
and `verified`", and lists each duty word with the licences that carry it. Running `openscope license ID --json` over
the whole catalogue found duties with no clause: the CC BY-NC-SA family's `attribution` and `same_terms` and CC BY-ND's
`attribution` (a later rule of `spdx_rules.yaml` set the duty list without citing it, which also dropped the clause an
earlier rule had given). The catalogue is our own shipped data; no store is needed (a licence lookup opens none).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from openscope.derive.licenses.catalogue import all_licenses, get_license

# The duty words docs/licenses.md lists (its "Duties" table), each with licences the table names for it.
DOCUMENTED = {
    "attribution": ["mit", "gpl-3.0", "cc-by-4.0", "bigscience-openrail-m"],
    "notice": ["llama2", "llama3.1", "llama4", "gemma", "mrl", "flux-1-dev-non-commercial-license"],
    "notice_file": ["apache-2.0"],
    "include_license": ["apache-2.0", "mit", "gpl-3.0", "llama3.1", "gemma", "qwen", "creativeml-openrail-m"],
    "state_changes": ["apache-2.0", "gemma", "creativeml-openrail-m", "deepseek"],
    "include_restrictions": ["gemma", "bigscience-openrail-m", "bigscience-bloom-rail-1.0", "creativeml-openrail-m",
                             "openrail++", "bigcode-openrail-m", "deepseek", "openrail"],
    "same_terms": ["gpl-3.0", "cc-by-sa-4.0", "cc-by-nc-sa-4.0", "cc-by-nc-sa"],
    "naming": ["llama3.1", "llama4", "qwen"],
    "name_prefix": ["llama3.1", "llama4"],
}


def test_every_duty_of_every_catalogued_licence_cites_its_clause_and_url() -> None:
    """A duty without a clause is a claim without a source: a governance reader cannot check it."""
    missing = []
    for info in all_licenses():
        cited = {c.attribute for c in info.clauses if c.text.strip() and c.url.startswith("https://")}
        missing += [f"{info.id}: {d}" for d in info.duties if f"duty:{d}" not in cited]
    assert missing == []


@pytest.mark.parametrize("licence", ["cc-by-nc-sa-4.0", "cc-by-nc-sa-3.0", "cc-by-nd-4.0", "cc-by-nd-2.0"])
def test_the_creative_commons_share_alike_and_no_derivatives_duties_cite_their_own_licence(licence: str) -> None:
    """The clause of a BY-NC-SA or BY-ND duty is read in that licence's own deed, not in BY-NC's."""
    info = get_license(licence)
    assert info is not None
    kind = "by-nc-sa" if "-sa-" in licence else "by-nd"
    for duty in info.duties:
        [clause] = [c for c in info.clauses if c.attribute == f"duty:{duty}"]
        assert f"/licenses/{kind}/" in clause.url and clause.verified is False


@pytest.mark.parametrize(("duty", "licences"), sorted(DOCUMENTED.items()))
def test_each_documented_duty_word_is_in_the_catalogue_for_the_licences_the_docs_name(duty: str,
                                                                                     licences: list[str]) -> None:
    for licence in licences:
        info = get_license(licence)
        assert info is not None, licence
        assert duty in [d.partition(":")[0] for d in info.duties], (licence, info.duties)


def test_verified_clauses_are_only_those_the_docs_say_were_checked() -> None:
    """docs/licenses.md: `verified: true` for the Llama 3, 3.1, 3.2, 3.3 and 4 licences, the Gemma terms, the Hub's
    licence list, the SPDX list's flags, the ScanCode categories and Apache-2.0 §4(a), (b) and (d); leads else."""
    checked_curated = {"llama3", "llama3.1", "llama3.2", "llama3.3", "llama4", "gemma", "openmdw-1.1"}
    checked_curated |= {"openmdw-1.0", "apple-ascl"}  # clauses read in their texts (helper-catalogue)
    checked_curated |= {"llama2", "deepfloyd-if-license", "fair-noncommercial-research-license", "tongyi-qianwen",
                        "tongyi-qianwen-research", "deepseek", "openrail++", "flux-1-dev-non-commercial-license",
                        "apple-amlr"}  # clauses read in their texts (helper-licduty2)
    hub_list = {"cc", "other", "unknown"}  # their class, read in the Hub's licence list
    for info in all_licenses():
        for c in info.clauses:
            if not c.verified:
                continue
            if info.curated:
                ok = (info.id in checked_curated
                      or (info.id in hub_list and c.attribute == "class" and "huggingface/hub-docs" in c.url)
                      or (c.attribute in ("osi_approved", "fsf_libre") and "Model Openness Tool" in c.text))
            else:
                ok = (c.attribute in ("osi_approved", "fsf_libre") and "SPDX License List" in c.text
                      or c.attribute == "class" and c.text.startswith("ScanCode LicenseDB category")
                      or info.id == "apache-2.0" and c.attribute in ("duty:include_license", "duty:state_changes",
                                                                      "duty:notice_file")
                      # CC BY 4.0 §3(a)(1)(B), (C), read in its legal code (helper-govern2)
                      or info.id == "cc-by-4.0" and c.attribute in ("duty:include_license", "duty:state_changes"))
            assert ok, (info.id, c.attribute, c.url)


def test_an_unversioned_cc_by_nc_sa_is_share_alike_as_every_version_is() -> None:
    """A card's "CC BY-NC-SA" without a version is the curated family entry; it shared BY-NC's facts and so lost the
    ShareAlike duty the docs list for CC BY-NC-SA (release derivatives under the same terms)."""
    info = get_license("CC BY-NC-SA")
    assert info is not None and info.id == "cc-by-nc-sa"
    assert info.same_terms is True and info.duties == ["attribution", "same_terms"]
    assert info.commercial_use is False  # still non-commercial, as BY-NC


def test_the_docs_count_of_hand_reviewed_clauses_is_the_catalogue_s() -> None:
    """docs/licenses.md says how many clauses the hand-reviewed entries carry and how many were checked."""
    text = " ".join((Path(__file__).parents[1] / "docs" / "licenses.md").read_text().split())
    m = re.search(r"Of the ([\d,]+) clauses on hand-reviewed entries, (\d+) are verified", text)
    assert m is not None
    curated = [i for i in all_licenses() if i.curated]
    assert int(m.group(1).replace(",", "")) == sum(len(i.clauses) for i in curated)
    assert int(m.group(2)) == sum(c.verified for i in curated for c in i.clauses)
    m = re.search(r"\((\d+) entries; with the (\d+) hand-reviewed ones below, (\d+) in all\)", text)
    assert m is not None
    assert (int(m.group(1)), int(m.group(2)), int(m.group(3))) == (len(all_licenses()) - len(curated), len(curated),
                                                                   len(all_licenses()))


def test_every_stated_attribute_of_every_catalogued_licence_cites_its_clause() -> None:
    """"Every attribute carries the clause it was read from": the CC BY-NC rule stated `use_restrictions: false` and
    `same_terms: false` with no clause (a fact with no source, shown in `license ID --json` without one)."""
    missing = []
    for info in all_licenses():
        cited = {c.attribute for c in info.clauses if c.text.strip() and c.url.startswith("https://")}
        stated = {"osi_approved": info.osi_approved, "fsf_libre": info.fsf_libre,
                  "commercial_use": info.commercial_use, "use_restrictions": info.use_restrictions,
                  "user_cap": info.user_cap, "same_terms": info.same_terms,
                  "class": None if info.cls == "unknown" else info.cls,
                  "derivatives_allowed": None if info.derivatives_allowed else info.derivatives_allowed}
        missing += [f"{info.id}: {a}" for a, v in stated.items() if v is not None and a not in cited]
    assert missing == []


@pytest.mark.parametrize(("pasted", "expression"), [("MIT/Apache-2.0", "MIT OR Apache-2.0"),
                                                    ("Apache License 2.0 or MIT", "Apache-2.0 OR MIT"),
                                                    ("Apache-2.0 OR MIT", "Apache-2.0 OR MIT")])
def test_license_answers_an_expression_as_a_card_writes_it(cli, tmp_path: Path, pasted: str, expression: str) -> None:
    """`license` takes "the licence string from a card"; the normaliser reads `MIT/Apache-2.0` as an OR (docs, rule 3),
    but `license MIT/Apache-2.0` answered exit 66 "unknown licence or model" while `Apache-2.0 OR MIT` was answered."""
    doc = cli("--db", tmp_path / "none.duckdb", "--json", "license", pasted)
    assert doc.code == 0, doc.stderr
    got = doc.json()
    assert got["license"] == expression and got["class"] == "permissive" and got["commercial_use"] is True
    assert not (tmp_path / "none.duckdb").exists()  # a licence lookup needs no store and creates none
    unknown = cli("--db", tmp_path / "none.duckdb", "license", "GPL-3.0/no-such-licence")
    assert unknown.code == 66 and unknown.stderr.startswith("openscope: error: unknown licence or model")
