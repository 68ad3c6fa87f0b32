"""A governance team's "may we adopt model X, for commercial use, and what must we do?", second walk
(helper-govern2, docs/reviews.md "Governance tryout (eighteenth session)"): `license ID` and `model ID` on the
demo's store and on lineages built to test every base along every path.

Regressions, each seen there:

* an MIT finetune of a CC BY-SA 4.0 base, and a CC BY-NC quantization of a GPL-3.0 model (the demo's
  gentle-badger/instruct-panda-GPTQ), read `conflict  ok`: share-alike bases oblige a derivative to stay under their
  terms, and no rule checked it;
* a finetune of a LLaMA (version 1) base (`llama-1-license`, whose text was not read) showed the base's duties as
  `-` and no word of them under `duties from its bases`, so the duties listed read as complete;
* a merge declaring `other` (a licence of its own) over a Llama 3.1 base and a base of unknown licence said only
  "find them … before relying on the declared other", never that Llama 3.1's terms bind it, as it says for a model
  declaring nothing;
* an Apple sample code finetune showed its base's duties as `-`: they bind only unmodified copies, and the reader
  was not told why they were gone;
* a card naming CC BY-NC 4.0 for the weights beside an `apache-2.0` tag said "until then follow both" two rows below
  `commercial use  yes`;
* a merge of a Llama 2 and a Llama 3.1 model listed one `include_license` and one `notice` (Llama 3.1's), and an
  Apache-2.0 LoRA of Llama 3.1 none from its base: the duties were merged by name, although a copy of one licence (or
  its notice) cannot stand for another's.

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

SA_BASE, SA_FT = "sa-lab/base-sa", "acme/sa-finetune-mit"
GPL_BASE, GPL_NC, GPL_GPL = "gpl-lab/base-gpl", "acme/base-gpl-GPTQ", "acme/gpl-finetune-gpl"
GPL_L1 = "acme/gpl-finetune-llama1"
LLAMA1, ON_LLAMA1 = "huggyllama/llama-7b", "acme/llama1-finetune-apache"
ASCL, ON_ASCL = "apple/base-ascl", "acme/ascl-finetune"
LLAMA31, GHOST, MERGE = "meta-llama/Llama-3.1-8B", "ghost-lab/private-base", "acme/own-licence-merge"
CARD_NC, CARD_MIT = "acme/card-says-nc", "acme/card-says-mit"
LLAMA2, MERGE2 = "meta-llama/Llama-2-7b-hf", "acme/llama-2-3-merge"
CARDS = {CARD_NC: "The model weights are released under the CC BY-NC 4.0 license.",
         CARD_MIT: "The model weights are released under the MIT License."}


def _ft(child: str, parents: list[str], lic: str | None, relation: str = "finetune", **card: str) -> dict:
    tags = [f"base_model:{p}" for p in parents] + [f"base_model:{relation}:{p}" for p in parents]
    rec: dict = {"id": child, "author": child.split("/")[0], "tags": tags + ([f"license:{lic}"] if lic else [])}
    if card:
        rec["cardData"] = card
    return rec


def _base(model: str, lic: str, **card: str) -> dict:
    rec: dict = {"id": model, "author": model.split("/")[0], "tags": [f"license:{lic}"]}
    if card:
        rec["cardData"] = card
    return rec


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("gov2")
    entries = [
        _base(SA_BASE, "cc-by-sa-4.0"), _ft(SA_FT, [SA_BASE], "mit"),
        _base(GPL_BASE, "gpl-3.0"), _ft(GPL_NC, [GPL_BASE], "cc-by-nc-4.0", "quantized"),
        _ft(GPL_GPL, [GPL_BASE], "gpl-3.0"),
        _ft(GPL_L1, [GPL_BASE], "other", license="other", license_name="llama-1-license"),
        _base(LLAMA1, "other", license="other", license_name="llama-1-license"),
        _ft(ON_LLAMA1, [LLAMA1], "apache-2.0"),
        _base(ASCL, "apple-ascl"), _ft(ON_ASCL, [ASCL], "apple-ascl"),
        _base(LLAMA31, "llama3.1"),
        _ft(MERGE, [LLAMA31, GHOST], "other", "merge", license="other", license_name="acme-model-license"),
        _base(CARD_NC, "apache-2.0"), _base(CARD_MIT, "apache-2.0"),
        _base(LLAMA2, "llama2"), _ft(MERGE2, [LLAMA2, LLAMA31], "llama3.1", "merge"),
    ]
    src = d / "gov2.jsonl"
    src.write_text("".join(json.dumps(e) + "\n" for e in entries))
    db = d / "gov2.duckdb"
    assert main(["--db", str(db), "--quiet", "ingest", str(src)]) == 0
    with open_store(db) as s:  # card texts as `crawl --cards` stores them (read when a model is answered)
        sid = s.scalar("SELECT max(snapshot_id) FROM snapshots")
        for mid, text in CARDS.items():
            s.con.execute("INSERT INTO cards (id, repo_type, text, fetched_at, snapshot_id) VALUES (?, 'model', ?, "
                          "now(), ?)", [mid, f"---\nlicense: apache-2.0\n---\n# Model\n\n## License\n\n{text}\n", sid])
    return db




def _said(db: Path, *args: str) -> str:
    code, out = _run(db, *args)
    assert code == 0
    return " ".join(out.split())


@pytest.fixture(autouse=True)
def _wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")


@pytest.mark.parametrize("model, base_licence", [(SA_FT, "cc-by-sa-4.0"), (GPL_NC, "gpl-3.0")])
def test_a_derivative_without_share_alike_conflicts_with_a_share_alike_base(store: Path, model: str,
                                                                            base_licence: str) -> None:
    doc = _lic(store, model)
    assert [fd["conflict"] for fd in doc["flow_down"]] == [True]
    assert "(share-alike)" in doc["conflicts"][0]["reason"] and base_licence in doc["conflicts"][0]["reason"]
    for command in ("license", "model"):
        said = _said(store, command, model)
        assert f"must still follow the terms of {base_licence}" in said, command


def test_a_share_alike_derivative_and_one_whose_duties_are_unknown_are_not_flagged(store: Path) -> None:
    assert [fd["conflict"] for fd in _lic(store, GPL_GPL)["flow_down"]] == [False]
    # llama-1-license's duties are unknown: whether it keeps the terms cannot be told, so the rule does not fire
    doc = _lic(store, GPL_L1)
    assert doc["license"] == "llama-1-license"
    assert doc["conflicts"] == [] and [fd["conflict"] for fd in doc["flow_down"]] == [False]


def test_a_base_whose_licence_text_was_not_read_has_unknown_duties_not_none(store: Path) -> None:
    doc = _lic(store, ON_LLAMA1)
    [fd] = doc["flow_down"]
    assert (fd["license"], fd["duties"], fd["duties_known"]) == ("llama-1-license", [], False)
    assert doc["effective_duties_known"] is False
    rows = screen_rows(_run(store, "license", ON_LLAMA1)[1])
    assert rows["duties from its bases"] == (f"unknown: the duties of llama-1-license (from {LLAMA1}; its text was "
                                             "not read)")
    assert "│ unknown (its text was not read)" in _run(store, "license", ON_LLAMA1)[1]
    model_out = _run(store, "model", ON_LLAMA1)[1]
    assert screen_rows(model_out)["duties from its bases"] == rows["duties from its bases"]
    assert "its duties unknown (its text was not read)" in " ".join(model_out.split())


def test_duties_dropped_for_a_modified_copy_say_why(store: Path) -> None:
    [fd] = _lic(store, ON_ASCL)["flow_down"]
    assert fd["duties"] == [] and fd["dropped_duties"] == ["attribution", "include_license"]
    want = "none: attribution, include_license bind only an unmodified copy, and this model changes the base"
    assert want in _said(store, "license", ON_ASCL)
    assert f"its duties {want}" in _said(store, "model", ON_ASCL)


def test_a_merge_under_its_own_licence_is_bound_by_its_known_bases_and_names_the_unknown_one(store: Path) -> None:
    doc = _lic(store, MERGE)
    assert (doc["license"], doc["class"], doc["unknown_bases"]) == ("other", "unknown", [GHOST])
    want = (f"its own licence is not known; whoever uses this model must at least follow the terms of llama3.1 (its "
            f"bases' licence); the licence of {GHOST} is not known either")
    assert f"what this means: {want}" in _said(store, "license", MERGE)
    rows = screen_rows(_run(store, "model", MERGE)[1])
    assert rows["what this means"].startswith(want)
    assert rows["use restrictions"] == ("yes with its bases (a licence forbids some uses of it); its own licence is "
                                        "not known")


@pytest.mark.parametrize("model", [SA_FT, GPL_NC, ON_LLAMA1, ON_ASCL, MERGE])
def test_model_and_license_say_the_same(store: Path, model: str) -> None:
    lic = screen_rows(_run(store, "license", model)[1])
    mod = screen_rows(_run(store, "model", model)[1])
    for key in ("with its bases", "commercial use", "use restrictions", "duties", "duties from its bases"):
        assert lic.get(key) == mod.get(key), key


def test_a_card_naming_a_non_commercial_licence_qualifies_the_commercial_use_row(store: Path) -> None:
    doc = _lic(store, CARD_NC)
    assert doc["card_license"]["contradicts"] is True and doc["effective_commercial_use"] is True
    for command in ("license", "model"):
        rows = screen_rows(_run(store, command, CARD_NC)[1])
        assert rows["commercial use"] == ("yes; no under the card's CC-BY-NC-4.0 (it contradicts the tag: ask the "
                                          "publisher)"), command
        assert rows["card licence"].startswith("CONTRADICTS the tag")
    # an open licence on the card (MIT) forbids nothing the tag allows: the row stays as it was
    rows = screen_rows(_run(store, "license", CARD_MIT)[1])
    assert rows["card licence"].startswith("CONTRADICTS the tag") and rows["commercial use"] == "yes"
    assert rows["use restrictions"] == "no"


@pytest.mark.parametrize("licence", ["cc-by-4.0", "cc-by-nc-4.0", "cc-by-sa-4.0", "cc-by-nc-nd-4.0"])
def test_a_creative_commons_4_licence_asks_for_the_licence_and_a_change_notice(store: Path, licence: str) -> None:
    """CC BY 4.0 §3(a)(1)(B) and (C): whoever shares it says whether they modified it and passes on the licence (its
    text or a link); the catalogue listed attribution alone (an MIT finetune of a CC BY-NC base inherited nothing
    else)."""
    doc = json.loads(_run(store, "--json", "license", licence)[1])
    assert {"attribution", "include_license", "state_changes"} <= set(doc["duties"])
    [change] = [c for c in doc["clauses"] if c["attribute"] == "duty:state_changes"]
    assert "indicate if You modified the Licensed Material" in change["text"]
    assert change["url"].startswith("https://creativecommons.org/licenses/") and "/4.0/legalcode" in change["url"]
    assert change["verified"] is (licence == "cc-by-4.0")  # read in CC BY 4.0's legal code; the others are leads


def test_a_copy_of_each_licence_and_its_notice_are_owed_once_per_licence(store: Path) -> None:
    doc = _lic(store, MERGE2)
    inherited = [(d["duty"], d["from"]) for d in doc["effective_duties"] if d["from"]]
    # Llama 2's agreement and notice beside Llama 3.1's own; Llama 3.1's base adds nothing its own licence does not
    assert ("include_license", LLAMA2) in inherited and ("notice", LLAMA2) in inherited
    assert not [b for _d, b in inherited if b == LLAMA31]
    said = screen_rows(_run(store, "license", MERGE2)[1])["duties from its bases"]
    assert f"include_license: ship a copy of the licence with the model or anything built on it (from {LLAMA2})" in said
    # a duty that is the same whatever the licence (attribution) is still said once, as its own licence's
    doc = _lic(store, ON_LLAMA1)
    assert [d["duty"] for d in doc["effective_duties"]].count("attribution") == 1
