"""A governance team's question, "may we adopt model X, for commercial use, and what must we do?", answered by
`openscope license ID` and `openscope model ID` (helper-tryout3's walk, docs/reviews.md "Governance tryout").

Regressions, each seen on the demo's store:

* an Apache-2.0 finetune of a CC BY-NC base said `commercial use  yes` (its own licence only) two rows under
  `with its bases  non_commercial: no commercial use`; a LoRA of Llama 3.1 declaring Apache-2.0 said `use
  restrictions  no` and showed no user cap. The rows now answer with every licence along the lineage first;
* a GGUF of Gemma that declares no licence said `with its bases  the same (no base adds terms)` and listed Gemma
  under `bases not known` ("their terms could not be read") although Gemma's terms were read and bind it;
* a finetune of an external base (no licence known) said `with its bases  the same (no base adds terms)`.

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

NC_BASE, NC_FT = "nc-lab/base-nc", "acme/nc-finetune-apache"
GEMMA, GGUF = "google/gemma-2-9b-it", "quant/gemma-2-9b-it-GGUF"
LLAMA, LORA = "meta-llama/Llama-3.1-8B-Instruct", "acme/Llama-3.1-8B-Instruct-lora"
GHOST, ON_GHOST = "ghost-lab/private-base", "acme/private-base-ft"
MIT_BASE, MIT_FT = "mit-lab/base-mit", "acme/mit-finetune-mit"


def _ft(child: str, parent: str, lic: str | None, relation: str = "finetune") -> dict:
    tags = [f"base_model:{parent}", f"base_model:{relation}:{parent}"] + ([f"license:{lic}"] if lic else [])
    return {"id": child, "author": child.split("/")[0], "tags": tags}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("gov")
    entries = [
        {"id": NC_BASE, "author": "nc-lab", "tags": ["license:cc-by-nc-4.0"]},
        _ft(NC_FT, NC_BASE, "apache-2.0"),
        {"id": GEMMA, "author": "google", "tags": ["license:gemma"]},
        _ft(GGUF, GEMMA, None, "quantized"),
        {"id": LLAMA, "author": "meta-llama", "tags": ["license:llama3.1"]},
        _ft(LORA, LLAMA, "apache-2.0", "adapter"),
        _ft(ON_GHOST, GHOST, "apache-2.0"),
        {"id": MIT_BASE, "author": "mit-lab", "tags": ["license:mit"]},
        _ft(MIT_FT, MIT_BASE, "mit"),
    ]
    src = d / "gov.jsonl"
    src.write_text("".join(json.dumps(e) + "\n" for e in entries))
    db = d / "gov.duckdb"
    assert main(["--db", str(db), "--quiet", "ingest", str(src)]) == 0
    return db




@pytest.fixture(autouse=True)
def _wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "160")


def test_a_finetune_of_a_non_commercial_base_may_not_be_used_commercially(store: Path) -> None:
    doc = _lic(store, NC_FT)
    assert (doc["commercial_use"], doc["effective_commercial_use"]) == (True, False)
    assert doc["effective_class"] == "non_commercial"
    for command in ("license", "model"):
        code, out = _run(store, command, NC_FT)
        assert code == 0
        assert screen_rows(out)["commercial use"] == "no with its bases; yes under apache-2.0 alone", command


def test_a_llama_adapter_under_apache_keeps_the_aup_and_the_user_cap(store: Path) -> None:
    doc = _lic(store, LORA)
    assert doc["effective_use_restrictions"] is True and doc["use_restrictions"] is False
    assert doc["effective_user_cap"] == 700_000_000 and doc["user_cap"] is None
    rows = screen_rows(_run(store, "license", LORA)[1])
    assert rows["use restrictions"].startswith("yes with its bases")
    assert rows["user cap"].startswith("700,000,000 monthly active users with its bases")
    assert rows["user cap"].endswith("none under apache-2.0 alone")


def test_a_quantization_declaring_nothing_is_bound_by_its_bases_known_terms(store: Path) -> None:
    doc = _lic(store, GGUF)
    assert doc["license"] is None and doc["unknown_bases"] == []  # Gemma's terms were read
    code, out = _run(store, "license", GGUF)
    assert code == 0
    rows = screen_rows(out)
    assert "bases not known" not in rows
    assert rows["with its bases"].startswith("unknown (its own licence is not known); its bases' terms apply "
                                             "at least: custom_flow_down")
    assert "must at least follow the terms of gemma" in " ".join(out.split())
    model_rows = screen_rows(_run(store, "model", GGUF)[1])
    assert model_rows["with its bases"] == rows["with its bases"]
    assert "at least follow the terms of gemma" in model_rows["what this means"]


def test_an_external_base_leaves_the_terms_with_its_bases_unknown(store: Path) -> None:
    doc = _lic(store, ON_GHOST)
    assert doc["unknown_bases"] == [GHOST]
    assert doc["commercial_use"] is True and doc["effective_commercial_use"] is None
    rows = screen_rows(_run(store, "license", ON_GHOST)[1])
    assert rows["with its bases"].startswith(f"unknown: the licence of {GHOST} is not known")
    assert rows["commercial use"] == "unknown with its bases; yes under apache-2.0 alone"
    assert "no base adds terms" not in rows["with its bases"]
    said = " ".join(_run(store, "license", ON_GHOST)[1].split())
    assert f"what this means: the licence of {GHOST} is not known, and its terms may bind this model" in said


def test_a_base_that_adds_nothing_still_reads_the_same(store: Path) -> None:
    doc = _lic(store, MIT_FT)
    assert doc["effective_commercial_use"] is True and doc["unknown_bases"] == []
    rows = screen_rows(_run(store, "license", MIT_FT)[1])
    assert rows["with its bases"] == "the same (no base adds terms)"
    assert rows["commercial use"] == "yes"


@pytest.mark.parametrize("model", [NC_FT, GGUF, LORA, ON_GHOST, MIT_FT])
def test_model_and_license_say_the_same(store: Path, model: str) -> None:
    """The governance reader must get one answer whichever command they ran."""
    lic = screen_rows(_run(store, "license", model)[1])
    mod = screen_rows(_run(store, "model", model)[1])
    for key in ("with its bases", "commercial use", "use restrictions", "user cap", "duties"):
        assert lic.get(key) == mod.get(key), key
    assert json.loads(_run(store, "--json", "model", model)[1])["licenses"] == _lic(store, model)


@pytest.mark.parametrize("licence", ["apache-2.0", "mit"])
def test_apache_and_mit_travel_with_their_text(licence: str) -> None:
    """Apache-2.0 §4(a) and MIT's permission notice oblige whoever passes the model on to include the licence;
    the catalogue listed `attribution` alone, so `license ID` left out half of what a user must do."""
    from openscope.derive.licenses import get_license

    info = get_license(licence)
    assert info is not None and info.duties[:2] == ["attribution", "include_license"]  # Apache-2.0 adds §4(b), §4(d)
    cited = [c for c in info.clauses if c.attribute == "duty:include_license"]
    assert cited and cited[0].url.startswith("https://")
    assert ("copy of this License" in cited[0].text) if licence == "apache-2.0" else ("permission notice" in cited[0].text)
    assert get_license("mit-0").duties == []  # the no-attribution variant keeps none
