"""A derivative cannot relicense its base: its parameters are graded by the terms that flow down to them."""

from __future__ import annotations

import json
from pathlib import Path

from openscope import derive
from openscope.derive.openness import openness_rows
from openscope.derive.openness.assessment import assess_record
from openscope.derive.openness.inheritance import inherited
from openscope.derive.openness.records import ModelRecord, from_store, from_text
from openscope.jobs.ingest import ingest_file
from openscope.store import open_store

DECLARED = ["apache-2.0", "mit", "gpl-3.0", "cc-by-nc-4.0", "llama3", "other", None]
BASES = ["llama2", "llama3", "gemma", "cc-by-nc-4.0", "openrail", "apache-2.0", "mit", "gpl-3.0", "other", None,
         "cc-by-nc-nd-4.0", "bigscience-bloom-rail-1.0"]
FINAL, INTERMEDIATE = "Model parameters (Final)", "Model parameters (Intermediate)"


def _rec(mid: str, lic: str | None, root: ModelRecord | None = None) -> ModelRecord:
    return ModelRecord(id=mid, locator=f"https://huggingface.co/{mid}", read_at="2026-11-29", license=lic,
                       files=[("model.safetensors", 1), ("checkpoint-100/model.safetensors", 1)], root=root)


def _hub(tmp: Path) -> Path:
    """Every (declared, base) pair: a base model under each licence, and a finetune of it under each."""
    models = []
    for i, b in enumerate(BASES):
        models.append({"id": f"base/b{i}", "tags": [f"license:{b}"] if b else [],
                       "siblings": [{"rfilename": "model.safetensors"}]})
        for j, d in enumerate(DECLARED):
            models.append({"id": f"ft/d{j}-b{i}", "tags": ([f"license:{d}"] if d else [])
                           + [f"base_model:finetune:base/b{i}"],
                           "siblings": [{"rfilename": "model.safetensors"}, {"rfilename": "checkpoint-9/x.bin"}]})
    models.append({"id": "ft/ext-llama2", "tags": ["license:apache-2.0", "base_model:finetune:meta-llama/Llama-2-7b-hf"],
                   "siblings": [{"rfilename": "model.safetensors"}]})
    p = tmp / "m.jsonl"
    p.write_text("\n".join(json.dumps(m) for m in models) + "\n")
    return p


def test_apache_finetune_of_a_llama_base_is_graded_by_the_llama_terms() -> None:
    root = _rec("meta-llama/Meta-Llama-3-8B", "llama3")
    a = assess_record(_rec("someone/relicensed", "apache-2.0", root), use_curated=False)
    for name in (FINAL, INTERMEDIATE):
        fact = a.components[name]
        assert (fact.status, fact.license) == ("restrictive_license", "llama3"), name
    ev = a.components[FINAL].evidence
    # both licences, each where it was read: the base's Hub page, the model's own declaration
    declared, base = ev[0], ev[1]
    assert declared.locator == "https://huggingface.co/someone/relicensed" and "cannot relax" in declared.snippet
    assert declared.snippet.startswith("license: apache-2.0") and "monthly-active-user cap of llama3" in declared.snippet
    assert base.locator == "https://huggingface.co/meta-llama/Meta-Llama-3-8B" and "license: llama3" in base.snippet
    assert any(e.kind == "curated" and "derivative works" in e.snippet for e in ev)  # the clause that says so
    # the verdicts follow: OSAD parameters-licence unmet, MOF counts the weights as not openly licensed
    assert "parameters-license" in a.osaid.missing and a.osaid.verdict == "fail"
    assert FINAL in a.mof.invalid or FINAL not in a.mof.included
    assert a.osai["weights_endmodel"] == "partial" and a.osai["licenses"] == "partial"
    assert "llama3" in a.osai_basis["weights_endmodel"] and "declared apache-2.0" in a.osai_basis["licenses"]
    assert "license-contradicts-base" in [f["flag"] for f in a.flags]
    # the code the publisher wrote keeps the licence declared for it
    same_without_base = assess_record(_rec("someone/relicensed", "apache-2.0"), use_curated=False)
    for name, fact in a.components.items():
        if name not in (FINAL, INTERMEDIATE):
            assert fact.status == same_without_base.components[name].status, name


def test_non_commercial_base_stays_non_commercial() -> None:
    a = assess_record(_rec("x/ft", "mit", _rec("x/base", "cc-by-nc-4.0")), use_curated=False)
    assert (a.components[FINAL].status, a.components[FINAL].license) == ("restrictive_license", "cc-by-nc-4.0")
    assert any("non-commercial" in e.snippet for e in a.components[FINAL].evidence)


def test_permissive_or_unknown_base_changes_nothing() -> None:
    for base_license in ("apache-2.0", "mit", "gpl-3.0", "other", None, "some licence nobody knows"):
        a = assess_record(_rec("x/ft", "apache-2.0", _rec("x/base", base_license)), use_curated=False)
        assert (a.components[FINAL].status, a.components[FINAL].license) == ("open_license", "apache-2.0"), base_license
        assert a.components[FINAL].inherited is None
        flags = [f["flag"] for f in a.flags]
        assert "license-contradicts-base" not in flags, base_license   # unknown is never a contradiction
    # a model that declares nothing open keeps its own (restrictive or missing) grade
    nc = assess_record(_rec("x/ft", "cc-by-nc-4.0", _rec("x/base", "llama3")), use_curated=False)
    assert (nc.components[FINAL].status, nc.components[FINAL].license) == ("restrictive_license", "cc-by-nc-4.0")



def test_weights_stating_no_licence_are_under_the_terms_that_follow_them() -> None:
    """Released weights with no licence of their own, built on a base whose terms follow derivatives (Llama 3's
    acceptable-use policy and user cap, CC BY-NC, Gemma's terms): those terms apply, so the weights are
    `restrictive_license` under the base's licence, not "no licence found"; nothing was declared, so nothing is
    contradicted. A base whose licence binds nothing (permissive, copyleft, unknown) leaves them `no_license`."""
    for base_license in ("llama3", "cc-by-nc-4.0", "gemma"):
        a = assess_record(_rec("x/ft", None, _rec("x/base", base_license)), use_curated=False)
        for name in (FINAL, INTERMEDIATE):
            assert (a.components[name].status, a.components[name].license) == ("restrictive_license", base_license)
        inh = a.components[FINAL].inherited
        assert inh is not None and inh["declared"] is None and inh["base"] == "x/base", inh
        assert any(e.locator == "https://huggingface.co/x/base" and base_license in e.snippet
                   for e in a.components[FINAL].evidence)
        assert "parameters-license" in a.osaid.missing and a.osaid.verdict == "fail"
        assert "license-contradicts-base" not in [f["flag"] for f in a.flags]
        assert "declared no licence" in a.osai_basis["weights_endmodel"], a.osai_basis["weights_endmodel"]
    for base_license in ("apache-2.0", "mit", "gpl-3.0", "other", None):
        a = assess_record(_rec("x/ft", None, _rec("x/base", base_license)), use_curated=False)
        assert a.components[FINAL].status == "no_license" and a.components[FINAL].inherited is None, base_license


def test_a_card_read_alone_inherits_from_the_base_it_declares() -> None:
    card = "---\nlicense: apache-2.0\nbase_model: meta-llama/Llama-2-7b-hf\n---\n# M\nDownload the weights from this repository.\n"
    a = assess_record(from_text("someone/m", card, locator="m/README.md"), use_curated=False)
    fact = a.components[FINAL]
    assert (fact.status, fact.license) == ("restrictive_license", "llama2")
    kinds = [(e.kind, e.locator) for e in fact.evidence]
    assert ("card", "m/README.md#L3") in kinds                 # where the base is declared
    assert any(k == "curated" and loc.startswith("https://") for k, loc in kinds)  # the base's cited licence
    assert any(e.snippet.startswith("license: apache-2.0") and e.locator.startswith("m/README.md#L2")
               for e in fact.evidence)                          # where the model's own licence is declared


def test_rule_agrees_with_the_licence_catalogue_flow_down_and_both_paths_agree(tmp_path: Path) -> None:
    """The Python rule is the catalogue's SQL flow-down rule: for every pair, the parameters inherit exactly where
    ``license_flow.conflict`` is true and the declared licence is open; the store's set-based and card rows
    agree with ``assess``."""
    store = open_store(tmp_path / "s.duckdb")
    try:
        ingest_file(store, _hub(tmp_path))
        derive.refresh(store)
        # the share-alike conflict is the licence view's alone: a share-alike base leaves the weights openly licensed
        # (docs/licenses.md, "Flow-down along lineage"), so it alone does not make them inherit
        flows = {(d, b): c and any(not part.endswith("(share-alike)") for part in (r or "").split("; "))
                 for d, b, c, r in store.con.execute(
                     "SELECT id, base, conflict, reason FROM license_flow WHERE id LIKE 'ft/d%'").fetchall()}
        assert len(flows) == len(DECLARED) * len(BASES)
        for i, b in enumerate(BASES):
            for j, d in enumerate(DECLARED):
                mid = f"ft/d{j}-b{i}"
                rule = inherited(d, b)
                assert (rule is not None) == bool(flows[(mid, f"base/b{i}")]), (d, b, flows[(mid, f"base/b{i}")])
                grade = dict(store.con.execute(
                    "SELECT dimension, grade FROM openness WHERE id = ? AND framework = 'component'", [mid]).fetchall())
                a = assess_record(from_store(store, mid))
                expected = {dim: g for fw, dim, g, _, _ in openness_rows(a) if fw == "component"}
                assert grade == expected, mid
                if d in ("apache-2.0", "mit", "gpl-3.0") and rule is not None:
                    assert grade[FINAL] == "restrictive_license" and a.components[FINAL].license == rule[1].id
                elif d in ("apache-2.0", "mit", "gpl-3.0"):
                    assert grade[FINAL] == "open_license", (d, b)
        # every headline grade of the set-based pass is what assess gives (OSAID, MOF, OSAI)
        for mid in ("ft/d0-b1", "ft/d1-b3", "ft/d0-b5", "ft/ext-llama2"):
            a = assess_record(from_store(store, mid))
            rows = {(fw, dim): g for fw, dim, g, _ in store.con.execute(
                "SELECT framework, dimension, grade, score FROM openness WHERE id = ?", [mid]).fetchall()}
            assert rows[("osaid", "verdict")] == a.osaid.verdict and rows[("mof", "class")] == a.mof.label, mid
            assert rows[("osai", "weights_endmodel")] == a.osai["weights_endmodel"], mid
        # a root outside the store: its curated family's cited licence (Llama 2), named in the stored evidence
        ext = json.loads(store.scalar("SELECT evidence::VARCHAR FROM openness WHERE id = 'ft/ext-llama2' "
                                      "AND dimension = ?", [FINAL]))
        assert ext["license"] == "llama2"
        snippets = " ".join(e["snippet"] for e in ext["evidence"])
        assert "license: apache-2.0" in snippets and "llama2" in snippets
        # a root in the store: its Hub page and the model's own page are where each licence was read
        ev = json.loads(store.scalar("SELECT evidence::VARCHAR FROM openness WHERE id = 'ft/d0-b1' "
                                     "AND dimension = ?", [FINAL]))
        locators = [e["locator"] for e in ev["evidence"]]
        assert "https://huggingface.co/base/b1" in locators and "https://huggingface.co/ft/d0-b1" in locators
        assert store.scalar("SELECT method FROM openness WHERE id = 'ft/d0-b1' LIMIT 1") == "metadata"
    finally:
        store.close()
