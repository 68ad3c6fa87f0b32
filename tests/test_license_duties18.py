"""The licence catalogue's duties, each from the licence's own text (eighteenth session, helper-licduty2).

- Known licences had `duties: []` with `duties_known: true` although their texts impose duties: the DeepFloyd IF
  licence (§3: a copy of the licence and a fixed attribution notice with every copy and derivative; §2(b): keep the
  notices) and the FAIR Noncommercial Research License (§1.b.ii: a copy of the Agreement, derivatives only under its
  terms). Both were read in copies of their texts in public repositories (the YAML's `checked` and comments name
  them), as were the Llama 2, Tongyi Qianwen (and research), DeepSeek, OpenRAIL++, FLUX.1 [dev] and Apple ML research
  licences, whose clauses were paraphrases and whose duty lists missed duties their texts impose (Tongyi Qianwen's
  change notices and fixed notice, DeepSeek's §4(d) notices, FLUX.1's change statement, Apple ML research's notice). LLaMA (version 1)'s licence text could not be
  found: its duties are now unknown (`duties_known: false`), never "none"; so are those of `proprietary`.
- The Apple sample code licence's two duties bind only a copy passed on "in its entirety and without modifications",
  but a finetune of an `apple-ascl` model inherited them as if they bound modified versions. A duty now has a scope
  (`duty_scopes` in the licence document), and the flow-down drops an `unmodified_only` duty for a derivative that
  changes the weights (finetune, adapter, merge, quantized) and keeps it, qualified, where the relation is unknown.
- `derive/licenses/card.py` read a model's record through `openness.records._load_one`, a private helper; the
  records module now names it `load_record`.

The stores are built by our ingest and derive steps from records written here.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest

from openscope.derive.licenses.catalogue import _facts_to, get_license

APPLE = "apple/ascl-base"
ENTRIES = [
    {"id": APPLE, "author": "apple", "tags": ["license:apple-ascl"]},
    # derivatives that change the weights, each under CC0 (no duties of its own)
    {"id": "acme/ascl-ft", "author": "acme", "tags": ["license:cc0-1.0", f"base_model:finetune:{APPLE}"]},
    {"id": "acme/ascl-adapter", "author": "acme", "tags": ["license:cc0-1.0", f"base_model:adapter:{APPLE}"]},
    {"id": "acme/ascl-quant", "author": "acme", "tags": ["license:cc0-1.0", f"base_model:quantized:{APPLE}"]},
    {"id": "acme/ascl-merge", "author": "acme", "tags": ["license:cc0-1.0", f"base_model:merge:{APPLE}"]},
    # a bare base_model tag: the relation is unknown, so the copy may be unmodified
    {"id": "acme/ascl-copy", "author": "acme", "tags": ["license:cc0-1.0", f"base_model:{APPLE}"]},
    {"id": "acme/ascl-copy-of-copy", "author": "acme", "tags": ["license:cc0-1.0", "base_model:acme/ascl-copy"]},
    # a finetune of that copy changes the weights on its way to the Apple base
    {"id": "acme/ascl-ft-of-copy", "author": "acme", "tags": ["license:cc0-1.0", "base_model:finetune:acme/ascl-copy"]},
    # a scope of `all` is untouched by the relation
    {"id": "meta-llama/Llama-3.1-8B", "author": "meta-llama", "tags": ["license:llama3.1"]},
    {"id": "acme/llama-ft", "author": "acme", "tags": ["license:apache-2.0", "base_model:finetune:meta-llama/Llama-3.1-8B"]},
    # DeepFloyd IF: duties read in its text
    {"id": "DeepFloyd/IF-I-XL-v1.0", "author": "DeepFloyd", "tags": ["license:deepfloyd-if-license"]},
    {"id": "acme/if-ft", "author": "acme",
     "tags": ["license:cc-by-nc-4.0", "base_model:finetune:DeepFloyd/IF-I-XL-v1.0"]},
    # LLaMA (version 1), named by the card's licence name: its text could not be read
    {"id": "huggyllama/llama-7b", "author": "huggyllama", "tags": ["license:other"],
     "cardData": {"license": "other", "license_name": "llama 1 license"}},
    {"id": "acme/alpaca", "author": "acme", "tags": ["license:cc-by-nc-4.0", "base_model:finetune:huggyllama/llama-7b"]},
]
MODIFYING = ["acme/ascl-ft", "acme/ascl-adapter", "acme/ascl-quant", "acme/ascl-merge", "acme/ascl-ft-of-copy"]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from openscope.cli import main

    tmp = tmp_path_factory.mktemp("duties18")
    models = tmp / "m.jsonl"
    models.write_text("\n".join(json.dumps(e) for e in ENTRIES) + "\n")
    db = tmp / "s.duckdb"
    assert main(["--db", str(db), "--quiet", "ingest", str(models)]) == 0
    return db


@pytest.fixture(autouse=True)
def _wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")


def _flat(text: str) -> str:
    return " ".join(text.split())


def _flow(doc: dict, base: str) -> dict:
    [entry] = [fd for fd in doc["flow_down"] if fd["base"] == base]
    return entry


# --- 1. duties read in each licence's own text -------------------------------------------------------------------

# (licence, duties its text imposes, words of the copy it was read in, in the clause's URL)
READ = [
    ("deepfloyd-if-license", {"include_license", "notice", "attribution"}, "deep-floyd/IF/blob/7333292"),
    ("fair-noncommercial-research-license", {"include_license", "same_terms"}, "facebookresearch/MobileLLM/blob/fefd6d1"),
    ("llama2", {"include_license", "notice"}, "meta-llama/llama/blob/6d4c0c2"),
    ("tongyi-qianwen", {"include_license", "state_changes", "notice"}, "QwenLM/Qwen/blob/9139fbd"),
    ("tongyi-qianwen-research", {"include_license", "state_changes", "notice"}, "QwenLM/Qwen/blob/e8e1596"),
    ("deepseek", {"include_license", "include_restrictions", "state_changes", "attribution"},
     "deepseek-ai/DeepSeek-Coder/blob/4486955"),
    ("openrail++", {"include_license", "include_restrictions", "state_changes", "attribution"},
     "Stability-AI/stablediffusion/blob/ca86da3"),
    ("flux-1-dev-non-commercial-license", {"include_license", "notice", "state_changes", "attribution"},
     "black-forest-labs/flux/blob/1f71c43"),
    ("apple-amlr", {"include_license", "notice", "state_changes"}, "apple/ml-mobileclip/blob/e15d36e"),
]


@pytest.mark.parametrize(("licence", "duties", "copy"), READ)
def test_the_duties_are_those_the_licence_text_imposes_each_verified(cli, licence: str, duties: set[str],
                                                                      copy: str) -> None:
    doc = cli("license", licence, "--json").json()
    assert set(doc["duties"]) == duties and doc["duties_known"] is True
    for duty in duties:
        [clause] = [c for c in doc["clauses"] if c["attribute"] == f"duty:{duty}"]
        assert clause["verified"] is True and copy in clause["url"] and "..." not in clause["text"][:20]


def test_deepfloyd_s_notice_is_its_fixed_attribution_text() -> None:
    info = get_license("deepfloyd-if-license")
    assert info is not None
    [notice] = [c for c in info.clauses if c.attribute == "duty:notice"]
    assert "DeepFloyd is licensed under the DeepFloyd License, Copyright (c) Stability AI Ltd." in notice.text
    # its restrictions (§2(a)) and non-commercial grant (§1(a)) were read too
    assert info.use_restrictions is True and info.commercial_use is False
    assert all(c.verified for c in info.clauses if c.attribute != "osi_approved")


def test_no_hand_reviewed_licence_says_none_for_duties_it_was_not_read_for() -> None:
    """An empty duty list with `duties_known: true` reads "this licence imposes nothing": DeepFloyd IF, FAIR
    Noncommercial, LLaMA (version 1), the `lgpl` and `gfdl` families and `proprietary` said so. Only arXiv's licence,
    which grants the public nothing to inherit, still does."""
    from openscope.derive.licenses.catalogue import all_licenses

    says_none = [i.id for i in all_licenses() if i.curated and not i.duties and i.to_json()["duties_known"]]
    assert says_none == ["arxiv-nonexclusive-distrib-1.0"]


@pytest.mark.parametrize("licence", ["llama-1-license", "proprietary", "lgpl", "gfdl"])
def test_a_licence_whose_text_was_not_read_has_unknown_duties_not_none(cli, licence: str) -> None:
    doc = cli("license", licence, "--json").json()
    assert doc["duties"] == [] and doc["duties_known"] is False and doc["class"] != "unknown"
    shown = _flat(cli("license", licence).stdout)
    assert "duties unknown (its text was not read)" in shown and "duties none" not in shown


def test_a_model_under_a_licence_whose_text_was_not_read_says_its_duties_are_unknown(cli, store: Path) -> None:
    own = cli("--db", store, "license", "huggyllama/llama-7b", "--json").json()
    assert own["license"] == "llama-1-license" and own["duties_known"] is False
    assert "duties unknown (its text was not read)" in _flat(cli("--db", store, "license", "huggyllama/llama-7b").stdout)
    ft = cli("--db", store, "license", "acme/alpaca", "--json").json()
    assert ft["duties_known"] is True  # its own CC BY-NC is known
    assert _flow(ft, "huggyllama/llama-7b")["duties_known"] is False
    assert ft["effective_duties_known"] is False  # the base's duties are missing from effective_duties


def test_a_finetune_of_deepfloyd_inherits_its_duties_and_restrictions(cli, store: Path) -> None:
    doc = cli("--db", store, "license", "acme/if-ft", "--json").json()
    inherited = {d["duty"] for d in doc["effective_duties"] if d["from"] == "DeepFloyd/IF-I-XL-v1.0"}
    # attribution is CC BY-NC's own too; a copy of the licence is owed for each licence (the DeepFloyd licence's too)
    assert inherited == {"include_license", "notice"}
    assert any("drops the use restrictions of deepfloyd-if-license" in c["reason"] for c in doc["conflicts"])


# --- 2. a duty's scope: unmodified copies only -------------------------------------------------------------------

def test_the_apple_sample_code_duties_bind_unmodified_copies_only(cli) -> None:
    doc = cli("license", "apple-ascl", "--json").json()
    assert doc["duty_scopes"] == {"attribution": "unmodified_only", "include_license": "unmodified_only"}
    shown = _flat(cli("license", "apple-ascl").stdout)
    assert "include_license: ship a copy of the licence with the model or anything built on it (only on a copy " \
           "passed on whole and unmodified)" in shown
    # a licence whose duties bind every copy says nothing of the kind
    assert cli("license", "apache-2.0", "--json").json()["duty_scopes"] == {}


@pytest.mark.parametrize("model", MODIFYING)
def test_a_derivative_that_changes_the_weights_does_not_inherit_an_unmodified_only_duty(cli, store: Path,
                                                                                        model: str) -> None:
    doc = cli("--db", store, "license", model, "--json").json()
    apple = _flow(doc, APPLE)
    assert apple["modified"] is True
    assert apple["duties"] == [] and sorted(apple["dropped_duties"]) == ["attribution", "include_license"]
    assert not any(d["from"] == APPLE for d in doc["effective_duties"])
    assert "(from apple/ascl-base" not in _flat(cli("--db", store, "license", model).stdout)


@pytest.mark.parametrize("model", ["acme/ascl-copy", "acme/ascl-copy-of-copy"])
def test_a_derivative_of_unknown_relation_keeps_the_duty_qualified(cli, store: Path, model: str) -> None:
    doc = cli("--db", store, "license", model, "--json").json()
    apple = _flow(doc, APPLE)
    assert apple["modified"] is None and apple["dropped_duties"] == []
    assert sorted(apple["duties"]) == sorted(apple["unmodified_only"]) == ["attribution", "include_license"]
    from_apple = [d for d in doc["effective_duties"] if d["from"] == APPLE]
    assert sorted(d["duty"] for d in from_apple) == ["attribution", "include_license"]
    assert all(d["scope"] == "unmodified_only" for d in from_apple)
    shown = _flat(cli("--db", store, "license", model).stdout)
    assert "(from apple/ascl-base; only if this model is an unmodified copy of it)" in shown
    assert "(from apple/ascl-base; only if this model is an unmodified copy of it)" in _flat(
        cli("--db", store, "model", model).stdout)


def test_a_duty_that_binds_every_copy_flows_down_whatever_the_relation(cli, store: Path) -> None:
    doc = cli("--db", store, "license", "acme/llama-ft", "--json").json()
    llama = _flow(doc, "meta-llama/Llama-3.1-8B")
    assert llama["modified"] is True and llama["dropped_duties"] == [] and llama["unmodified_only"] == []
    assert "naming:Built with Llama" in llama["duties"]
    assert all("scope" not in d for d in doc["effective_duties"])


def test_an_expression_keeps_a_duty_unmodified_only_only_when_every_part_that_imposes_it_does() -> None:
    both = get_license("apple-ascl AND CC0-1.0")
    assert both is not None and both.duty_scopes == {"attribution": "unmodified_only",
                                                     "include_license": "unmodified_only"}
    with_mit = get_license("apple-ascl AND MIT")  # MIT's notice binds every copy
    assert with_mit is not None and with_mit.duty_scopes == {}
    unread = get_license("llama-1-license AND MIT")
    assert unread is not None and unread.to_json()["duties_known"] is False


def test_a_duty_scope_outside_the_vocabulary_is_refused() -> None:
    info = {"duties": [], "duty_scopes": {}}
    with pytest.raises(ValueError, match="scope 'sometimes'"):
        _facts_to(info, [{"attribute": "duty", "value": "attribution", "scope": "sometimes", "text": "t",
                          "url": "https://example.org", "verified": False}], None)


# --- 3. the card reader's public name ----------------------------------------------------------------------------

def test_a_stored_model_s_record_is_loaded_by_a_public_name(store: Path) -> None:
    from openscope.derive.licenses import card
    from openscope.derive.openness.records import load_record
    from openscope.store import open_store

    with open_store(store, read_only=True, create=False) as s:
        rec = load_record(s, "acme/if-ft")
        assert rec is not None and rec.id == "acme/if-ft" and rec.license == "cc-by-nc-4.0"
        assert load_record(s, "acme/no-such-model") is None
    source = inspect.getsource(card)
    assert "load_record" in source and "_load_one" not in source
