"""Flow-down of licences along lineage on a hand-built tree (issue 6 §4).

The tree is written as real Hub API entries (JSON Lines), ingested with the real CLI, then the lineage
and licence derive steps run on the store: no part of our own code is replaced.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from openscope.derive import refresh as derive_refresh
from openscope.derive.licenses.flowdown import declared_value, model_licenses, refresh, resolve_declaration
from openscope.store import open_store


def _entry(mid: str, license: str | None = None, bases: list[str] | None = None, relation: str = "finetune",
           card: dict | None = None) -> dict:
    tags = [f"license:{license}"] if license else []
    for b in bases or []:
        tags += [f"base_model:{b}", f"base_model:{relation}:{b}"]
    e = {"id": mid, "author": mid.split("/")[0], "tags": tags, "createdAt": "2024-05-01T00:00:00.000Z"}
    if card is not None:
        e["cardData"] = card
    return e


TREE = [
    _entry("meta-llama/Llama-3.1-8B", "llama3.1"),
    _entry("acme-llama-apache/llama-apache", "apache-2.0", ["meta-llama/Llama-3.1-8B"]),
    _entry("acme-llama-llama/llama-llama", "llama3.1", ["meta-llama/Llama-3.1-8B"]),
    _entry("acme-llama-33/llama-33", "llama3.3", ["meta-llama/Llama-3.1-8B"]),
    _entry("acme-llama-llama-apache/llama-llama-apache", "apache-2.0", ["acme-llama-llama/llama-llama"]),
    _entry("mit-org-base/base", "mit"),
    _entry("mit-org-ft/ft", "mit", ["mit-org-base/base"]),
    _entry("mit-org-ft-nc/ft-nc", "cc-by-nc-4.0", ["mit-org-base/base"]),
    _entry("nc-org-base/base", "cc-by-nc-4.0"),
    _entry("merger/merge", "apache-2.0", ["nc-org-base/base", "mit-org-base/base"], relation="merge"),
    _entry("nolicense/base"),
    _entry("acme-ft-of-unknown/ft-of-unknown", "mit", ["nolicense/base"]),
    _entry("acme-ft-of-external/ft-of-external", "mit", ["elsewhere/not-in-store"]),
    _entry("acme-unknown-ft/unknown-ft", None, ["mit-org-base/base"]),
    _entry("google/gemma-2-2b", "gemma"),
    _entry("acme-gemma-apache/gemma-apache", "apache-2.0", ["google/gemma-2-2b"]),
    _entry("nd-org-base/base", "cc-by-nd-4.0"),
    _entry("acme-nd-ft/nd-ft", "cc-by-nd-4.0", ["nd-org-base/base"]),
    _entry("acme-qwen-ft/qwen-ft", "other", ["mit-org-base/base"],
           card={"license": "other", "license_name": "qwen",
                 "license_link": "https://huggingface.co/Qwen/Qwen2.5-72B-Instruct/blob/main/LICENSE"}),
    _entry("acme-dual/dual", "apache-2.0 OR mit", ["mit-org-base/base"]),
    # an unrecognised declared licence is not replaced by the card's name (only absent/other/unknown are)
    _entry("acme-odd/odd", "my-own-licence", card={"license": "my-own-licence", "license_name": "mit"}),
    _entry("acme-unknown-named/unknown-named", "unknown", card={"license": "unknown", "license_name": "Apache License 2.0"}),
    # a card licence list: the Hub tags every entry, models.license keeps the first; all of them apply
    {"id": "acme-two-licences/two-licences", "author": "acme", "tags": ["license:mit", "license:cc-by-nc-4.0"],
     "cardData": {"license": ["mit", "cc-by-nc-4.0"]}},
    {"id": "acme-bracket-name/bracket-name", "author": "acme", "tags": [], "cardData": {"license": "[dev] weird"}},
]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from openscope.cli import main

    d = tmp_path_factory.mktemp("flow")
    src = d / "tree.jsonl"
    src.write_text("\n".join(json.dumps(e) for e in TREE) + "\n")
    db = d / "s.duckdb"
    assert main(["--db", str(db), "--quiet", "ingest", str(src), "--no-derive"]) == 0
    with open_store(db) as store:
        ran = derive_refresh(store, only=["lineage", "licenses"])
        assert ran == ["lineage", "licenses"]
    return db


@pytest.fixture()
def store(store_path: Path):
    with open_store(store_path, read_only=True, create=False) as s:
        yield s


def _flow(store, mid: str) -> dict[str, tuple]:
    rows = store.con.execute(
        "SELECT base, conflict, reason, distance FROM license_flow WHERE id = ?", [mid]).fetchall()
    return {b: (c, r, d) for b, c, r, d in rows}


def test_apache_finetune_of_llama31_is_flagged(store) -> None:
    conflict, reason, distance = _flow(store, "acme-llama-apache/llama-apache")["meta-llama/Llama-3.1-8B"]
    assert conflict is True and distance == 1
    assert "use restrictions" in reason
    assert "Built with Llama" in reason  # the naming duty dropped
    assert "700,000,000" in reason  # the user cap lifted
    doc = model_licenses(store, "acme-llama-apache/llama-apache")
    assert [c["base"] for c in doc["conflicts"]] == ["meta-llama/Llama-3.1-8B"]
    assert doc["class"] == "permissive" and doc["effective_class"] == "custom_flow_down"


def test_same_or_equivalent_licence_is_not_flagged(store) -> None:
    assert _flow(store, "acme-llama-llama/llama-llama")["meta-llama/Llama-3.1-8B"][0] is False
    assert _flow(store, "acme-llama-33/llama-33")["meta-llama/Llama-3.1-8B"][0] is False  # same duties, same cap


def test_mit_finetune_of_mit_base_is_not_flagged(store) -> None:
    conflict, reason, _ = _flow(store, "mit-org-ft/ft")["mit-org-base/base"]
    assert conflict is False and reason is None


def test_more_restrictive_derivative_is_not_flagged(store) -> None:
    assert _flow(store, "mit-org-ft-nc/ft-nc")["mit-org-base/base"][0] is False


def test_merge_of_non_commercial_and_permissive_is_flagged_non_commercial(store) -> None:
    flow = _flow(store, "merger/merge")
    assert flow["nc-org-base/base"][0] is True
    assert "non-commercial" in flow["nc-org-base/base"][1]
    assert flow["mit-org-base/base"][0] is False
    doc = model_licenses(store, "merger/merge")
    assert doc["effective_class"] == "non_commercial"
    assert [c["base"] for c in doc["conflicts"]] == ["nc-org-base/base"]


def test_unknown_on_either_side_is_unknown_never_a_flag(store) -> None:
    assert _flow(store, "acme-ft-of-unknown/ft-of-unknown")["nolicense/base"] == (None, None, 1)
    assert _flow(store, "acme-ft-of-external/ft-of-external")["elsewhere/not-in-store"] == (None, None, 1)
    assert _flow(store, "acme-unknown-ft/unknown-ft")["mit-org-base/base"] == (None, None, 1)
    doc = model_licenses(store, "acme-ft-of-external/ft-of-external")
    assert doc["conflicts"] == [] and doc["flow_down"][0]["conflict"] is None
    assert doc["unknown_bases"] == ["elsewhere/not-in-store"]


def test_duties_flow_through_intermediate_models(store) -> None:
    flow = _flow(store, "acme-llama-llama-apache/llama-llama-apache")
    assert flow["acme-llama-llama/llama-llama"][0] is True and flow["acme-llama-llama/llama-llama"][2] == 1
    assert flow["meta-llama/Llama-3.1-8B"][0] is True and flow["meta-llama/Llama-3.1-8B"][2] == 2


def test_gemma_use_restrictions_and_no_derivatives(store) -> None:
    assert "use restrictions" in _flow(store, "acme-gemma-apache/gemma-apache")["google/gemma-2-2b"][1]
    conflict, reason, _ = _flow(store, "acme-nd-ft/nd-ft")["nd-org-base/base"]
    assert conflict is True and "forbids distributing derivatives" in reason


def test_card_license_name_resolves_other(store) -> None:
    row = store.con.execute("SELECT license, class, source FROM licenses WHERE id = 'acme-qwen-ft/qwen-ft'").fetchone()
    assert row == ("qwen", "custom_flow_down", "card_name")
    assert _flow(store, "acme-qwen-ft/qwen-ft")["mit-org-base/base"][0] is False


def test_card_name_only_replaces_absent_other_or_unknown(store) -> None:
    odd = store.con.execute("SELECT license, class, reason FROM licenses WHERE id = 'acme-odd/odd'").fetchone()
    assert odd[0] is None and odd[1] == "unknown" and "my-own-licence" in odd[2]
    named = store.con.execute("SELECT license, source FROM licenses WHERE id = 'acme-unknown-named/unknown-named'").fetchone()
    assert named == ("apache-2.0", "card_name")


def test_card_licence_list_means_all_apply(store) -> None:
    row = store.con.execute("SELECT license, class FROM licenses WHERE id = 'acme-two-licences/two-licences'").fetchone()
    assert row == ("MIT AND CC-BY-NC-4.0", "non_commercial")
    row = store.con.execute("SELECT license, class, reason FROM licenses WHERE id = 'acme-bracket-name/bracket-name'").fetchone()
    assert row[0] is None and row[1] == "unknown" and row[2]


def test_expression_licence_flows(store) -> None:
    row = store.con.execute("SELECT license, class, expression FROM licenses WHERE id = 'acme-dual/dual'").fetchone()
    assert row == ("Apache-2.0 OR MIT", "permissive", "Apache-2.0 OR MIT")
    assert _flow(store, "acme-dual/dual")["mit-org-base/base"][0] is False


def test_one_licence_row_per_model_and_set_based_agrees_with_per_model(store) -> None:
    n_models = store.scalar("SELECT count(*) FROM models")
    assert store.scalar("SELECT count(*) FROM licenses") == n_models
    assert store.scalar("SELECT count(DISTINCT id) FROM licenses") == n_models
    rows = store.con.execute("""SELECT l.id, m.license, m.card_data->>'$.license_name', m.card_data->>'$.license_link',
                                       m.card_data->>'$.license', l.license, l.class, l.source
                                FROM licenses l JOIN models m USING (id)""").fetchall()
    for mid, declared, lname, llink, card_license, lic, cls, source in rows:
        m, src = resolve_declaration(declared_value(declared, card_license), lname, llink)
        assert (m.license, src) == (lic, source), mid
        assert (m.cls if m.id != "other" else "unknown") == cls or cls == "unknown", mid


def test_contract_shape(store) -> None:
    doc = model_licenses(store, "acme-llama-apache/llama-apache")
    for key in ("id", "declared", "license", "class", "duties", "flow_down", "conflicts"):
        assert key in doc
    fd = doc["flow_down"][0]
    assert set(fd) >= {"base", "license", "class", "duties"}
    assert fd["duties"] and "name_prefix:Llama" in fd["duties"]
    assert set(doc["conflicts"][0]) >= {"base", "reason"}


def test_refresh_is_repeatable(store_path: Path) -> None:
    with open_store(store_path) as s:
        before = s.con.execute("SELECT * FROM license_flow ORDER BY id, base").fetchall()
        stats = refresh(s)
        after = s.con.execute("SELECT * FROM license_flow ORDER BY id, base").fetchall()
        assert before == after
        assert stats["models"] == len(TREE)
        assert stats["declarations"] <= len(TREE)


def test_model_licenses_without_derived_tables(tmp_path: Path) -> None:
    """A store ingested with --no-derive still answers for the model's own licence."""
    from openscope.cli import main

    src = tmp_path / "one.jsonl"
    src.write_text(json.dumps(_entry("solo/model", "llama3.2")) + "\n")
    db = tmp_path / "s.duckdb"
    assert main(["--db", str(db), "--quiet", "ingest", str(src), "--no-derive"]) == 0
    with open_store(db, read_only=True, create=False) as s:
        doc = model_licenses(s, "solo/model")
    assert (doc["license"], doc["class"], doc["flow_down"]) == ("llama3.2", "custom_flow_down", [])


def test_refresh_on_an_empty_store_loads_the_catalogue(tmp_path: Path) -> None:
    with open_store(tmp_path / "empty.duckdb") as s:
        stats = refresh(s)
        assert (stats["models"], stats["flow_rows"]) == (0, 0)
        assert s.scalar("SELECT count(*) FROM license_catalogue") > 700
        assert s.scalar("SELECT class FROM license_catalogue WHERE license = 'llama3.1'") == "custom_flow_down"


def test_model_licenses_of_an_unknown_model_is_missing_input(store) -> None:
    from openscope.errors import MissingInput

    with pytest.raises(MissingInput):
        model_licenses(store, "nobody/nothing")
