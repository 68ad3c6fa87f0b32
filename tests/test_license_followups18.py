"""The licence answers' remaining gaps after the eighteenth session (helper-licfollow), each from the licences' texts:

* two share-alike licences were never compared: a GPL-3.0 finetune of a CC BY-SA 4.0 model (which CC BY-SA 4.0
  allows: Creative Commons declared it one-way compatible with GPLv3) and a CC BY-SA 4.0 finetune of a GPL-3.0 model
  (which GPLv3 §5(c) forbids) both read `ok`;
* a merge of a CC BY-SA 4.0 model and a Gemma model cannot satisfy both (CC BY-SA 4.0 §3(b)(3) forbids adding
  restrictions, Gemma's must travel), yet it conflicted with one base at most, and with none when it declared nothing;
* the Creative Commons 4.0 licences accept a link to the licence instead of a copy (§3(a)(1)(C)), but the duty read
  "ship a copy of the licence";
* `license --json` kept the tag's answer in `effective_commercial_use` where the card names CC BY-NC 4.0, and had no
  key saying what the card's licence would change.

One store per module, ingested from records written here; no network.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from screens import license_json as _lic
from screens import run_cli as _run
from screens import screen_rows

from openscope.cli import main
from openscope.store.db import open_store

SA, GPL, GEMMA, APACHE = "sa-lab/base-sa4", "gpl-lab/base-gpl3", "google/gemma-base", "apache-lab/base"
SA_GPL, GPL_SA, SA_NCSA, SA_SA = "acme/sa-to-gpl", "acme/gpl-to-sa", "acme/sa-to-ncsa", "acme/sa-to-sa"
LGPL, LGPL_GPL = "lgpl-lab/base-lgpl3", "acme/lgpl-to-gpl"
M_SA, M_GEMMA, M_NONE, M_APACHE = "acme/merge-sa", "acme/merge-gemma", "acme/merge-none", "acme/merge-sa-apache"
CARD_NC = "acme/card-says-nc"


def _ft(child: str, parents: list[str], lic: str | None, relation: str = "finetune") -> dict:
    tags = [f"base_model:{p}" for p in parents] + [f"base_model:{relation}:{p}" for p in parents]
    return {"id": child, "author": child.split("/")[0], "tags": tags + ([f"license:{lic}"] if lic else [])}


def _base(model: str, lic: str) -> dict:
    return {"id": model, "author": model.split("/")[0], "tags": [f"license:{lic}"]}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("licfollow")
    entries = [
        _base(SA, "cc-by-sa-4.0"), _base(GPL, "gpl-3.0"), _base(GEMMA, "gemma"), _base(APACHE, "apache-2.0"),
        _base(LGPL, "lgpl-3.0"),
        _ft(SA_GPL, [SA], "gpl-3.0"), _ft(GPL_SA, [GPL], "cc-by-sa-4.0"), _ft(SA_NCSA, [SA], "cc-by-nc-sa-4.0"),
        _ft(SA_SA, [SA], "cc-by-sa-4.0"), _ft(LGPL_GPL, [LGPL], "gpl-3.0"),
        _ft(M_SA, [SA, GEMMA], "cc-by-sa-4.0", "merge"), _ft(M_GEMMA, [SA, GEMMA], "gemma", "merge"),
        _ft(M_NONE, [SA, GEMMA], None, "merge"), _ft(M_APACHE, [SA, APACHE], "cc-by-sa-4.0", "merge"),
        _base(CARD_NC, "apache-2.0"),
    ]
    src = d / "licfollow.jsonl"
    src.write_text("".join(json.dumps(e) + "\n" for e in entries))
    db = d / "licfollow.duckdb"
    assert main(["--db", str(db), "--quiet", "ingest", str(src)]) == 0
    with open_store(db) as s:  # a card text as `crawl --cards` stores it
        sid = s.scalar("SELECT max(snapshot_id) FROM snapshots")
        s.con.execute("INSERT INTO cards (id, repo_type, text, fetched_at, snapshot_id) VALUES (?, 'model', ?, now(), ?)",
                      [CARD_NC, "---\nlicense: apache-2.0\n---\n# Model\n\n## License\n\nThe model weights are released "
                                "under the CC BY-NC 4.0 license.\n", sid])
    return db




@pytest.fixture(autouse=True)
def _wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")


def test_share_alike_compatibility_runs_one_way_as_the_texts_say() -> None:
    from openscope.derive.licenses import sharealike

    assert sharealike.accepts("cc-by-sa-4.0", "gpl-3.0") is True  # CC's one-way declaration
    assert sharealike.accepts("gpl-3.0", "cc-by-sa-4.0") is False  # GPLv3 §5(c): the whole work under GPLv3
    assert sharealike.accepts("cc-by-sa-4.0", "cc-by-nc-sa-4.0") is False  # "the same License Elements"
    assert sharealike.accepts("cc-by-sa-4.0", "cc-by-sa-3.0") is False  # "this version or later"
    assert sharealike.accepts("gpl-3.0", "agpl-3.0") is True  # GPLv3 §13
    # the text defers to CC's list of BY-SA Compatible Licenses, not read in full: undecided, never "compatible"
    assert sharealike.accepts("cc-by-sa-4.0", "eupl-1.2") is None
    assert sharealike.accepts("lgpl-3.0", "gpl-3.0") is None  # no entry read for the base
    doc = json.loads(_run(None, "--json", "license", "cc-by-sa-4.0")[1])
    assert "gpl-3.0" in doc["share_alike"]["accepts"]
    assert all(c["verified"] for c in doc["share_alike"]["clauses"])
    assert json.loads(_run(None, "--json", "license", "mit")[1])["share_alike"] is None
    rows = screen_rows(_run(None, "license", "gpl-3.0")[1])
    assert rows["derivatives may also carry"] == "agpl-3.0, agpl-3.0-only, agpl-3.0-or-later; every other licence: no"
    assert "derivatives may also carry" not in screen_rows(_run(None, "license", "mit")[1])


def test_a_share_alike_derivative_is_judged_by_its_base_licence_text(store: Path) -> None:
    assert [fd["conflict"] for fd in _lic(store, SA_GPL)["flow_down"]] == [False]
    assert [fd["conflict"] for fd in _lic(store, SA_SA)["flow_down"]] == [False]
    for model, base in ((GPL_SA, "gpl-3.0"), (SA_NCSA, "cc-by-sa-4.0")):
        doc = _lic(store, model)
        assert [fd["conflict"] for fd in doc["flow_down"]] == [True], model
        [reason] = [c["reason"] for c in doc["conflicts"]]
        assert f"which base licence {base} does not accept for derivatives (share-alike:" in reason
    # undecided pairs are unknown, not "ok"
    assert [fd["conflict"] for fd in _lic(store, LGPL_GPL)["flow_down"]] == [None]


@pytest.mark.parametrize("model", [M_SA, M_GEMMA, M_NONE])
def test_a_merge_of_share_alike_and_use_restricted_bases_contradicts_itself(store: Path, model: str) -> None:
    doc = _lic(store, model)
    sa = next(fd for fd in doc["flow_down"] if fd["base"] == SA)
    assert sa["conflict"] is True
    reason = next(c["reason"] for c in doc["conflicts"] if c["base"] == SA)
    assert "its bases' terms cannot all be met, whatever licence it declares" in reason
    assert f"gemma (of {GEMMA}) binds whatever is built on it to its use restrictions" in reason
    assert "cc-by-sa-4.0 forbids adding restrictions to derivatives" in reason


def test_a_merge_of_a_share_alike_and_a_permissive_base_does_not(store: Path) -> None:
    doc = _lic(store, M_APACHE)
    assert doc["conflicts"] == [] and {fd["conflict"] for fd in doc["flow_down"]} == {False}


@pytest.mark.parametrize("licence, link", [("cc-by-4.0", True), ("cc-by-nc-sa-4.0", True), ("mit", False),
                                           ("apache-2.0", False)])
def test_include_license_says_a_link_suffices_where_the_clause_says_so(licence: str, link: bool) -> None:
    rows = " ".join(_run(None, "license", licence)[1].split())
    assert ("include_license: ship the licence's text, or its URI or a link to it" in rows) is link
    assert ("include_license: ship a copy of the licence" in rows) is not link


def test_the_card_licence_has_json_keys(store: Path) -> None:
    doc = _lic(store, CARD_NC)
    assert doc["effective_commercial_use"] is True  # the contract's answer, from the tag and lineage
    assert doc["card_license_terms"] == {"license": "cc-by-nc-4.0", "class": "non_commercial", "commercial_use": False,
                                         "use_restrictions": False, "user_cap": None}
    assert doc["effective_commercial_use_with_card"] is False
    assert doc["effective_use_restrictions_with_card"] is False
    # no card: the keys mirror effective_*
    plain = _lic(store, SA_SA)
    assert plain["card_license_terms"] is None
    assert plain["effective_commercial_use_with_card"] == plain["effective_commercial_use"]
    rows = screen_rows(_run(store, "license", CARD_NC)[1])
    assert rows["commercial use"].startswith("yes; no under the card's CC-BY-NC-4.0")


@pytest.mark.parametrize("licence, verified", [("openrail++", True), ("deepseek", True),
                                               ("creativeml-openrail-m", False)])
def test_the_rail_texts_let_derivatives_change_terms_but_not_drop_the_restrictions(licence: str,
                                                                                  verified: bool) -> None:
    """4.e lets a derivative carry "additional or different license terms", 4.a makes the use restrictions travel:
    `same_terms: true` said the first was forbidden."""
    from openscope.derive.openness.inheritance import terms

    doc = json.loads(_run(None, "--json", "license", licence)[1])
    assert doc["same_terms"] is False and doc["restrictions_travel"] is True
    clauses = {c["attribute"]: c for c in doc["clauses"]}
    assert "additional or different license terms" in clauses["same_terms"]["text"]
    assert clauses["same_terms"]["verified"] is verified and clauses["restrictions_travel"]["verified"] is verified
    assert json.loads(_run(None, "--json", "license", "mit")[1])["restrictions_travel"] is None
    # the openness inheritance rule still cites the clause that binds a derivative, not the one that frees it
    t = terms(licence)
    assert t is not None and t.clause is not None and t.clause[1] == clauses["restrictions_travel"]["text"]
    rows = screen_rows(_run(None, "license", licence)[1])
    assert rows["derivatives same terms"] == "no" and rows["use restrictions travel"] == "yes"
