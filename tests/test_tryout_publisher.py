"""The model publisher's walk to a truly open release, one ``assess`` round at a time (seventeenth session).

Why: a publisher reads the next steps and changes the folder as they say. This proves the steps lead from a
weights-only release under custom terms to MOF Class I and an OSAID ``pass``: each round applies what the
previous round's steps asked for and the next round credits it. Everything is written here (README, a tiny
safetensors file, code files); the one dataset the card declares is put in a store with ``ingest``, since a
Hub dataset's licence is read from the store, never from the folder.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from model_folders import APACHE, CARD_SECTIONS
from safetensors.numpy import save_file

ASSESS_KEYS = {"id", "osai", "mof", "osaid", "components", "flags"}
DIMENSIONS = {"datasources_basemodel", "datasources_endmodel", "weights_basemodel", "weights_endmodel",
              "trainingcode", "code", "hardware_architecture", "preprint", "paper", "modelcard", "datasheet",
              "licenses"}
def _card(folder: Path, license_id: str, body: str = "", datasets: str = "", paper: str = "") -> None:
    front = f"---\nlicense: {license_id}\n{datasets}---\n"
    (folder / "README.md").write_text(f"{front}# pub-1b\n{paper}\npub-1b is a decoder-only transformer language "
                                      f"model.\n{body}", encoding="utf-8")


def _assess(cli: Any, db: Path, folder: Path) -> dict[str, Any]:
    r = cli("--db", db, "--json", "assess", folder)
    assert r.code == 0, r.stderr
    doc = r.json()
    # the contract's assess document, every round
    assert set(doc) >= ASSESS_KEYS
    assert set(doc["osai"]) == DIMENSIONS | {"score"}
    assert set(doc["mof"]) >= {"class", "label", "progress"} and set(doc["mof"]["progress"]) == {"1", "2", "3"}
    assert doc["osaid"]["verdict"] in ("pass", "fail", "insufficient")
    assert all({"status", "license", "evidence"} <= set(c) for c in doc["components"].values())
    return doc


def _steps(doc: dict[str, Any]) -> str:
    return "\n".join(doc["next_steps"]["mof"] + doc["next_steps"]["osaid"])


@pytest.fixture
def store(cli: Any, tmp_path: Path) -> Path:
    """A store that knows the publisher's training dataset (CC-BY-4.0), as the Hub would report it."""
    src = tmp_path / "datasets.jsonl"
    src.write_text(json.dumps({"id": "pubco/web-corpus", "author": "pubco", "tags": ["license:cc-by-4.0"],
                               "cardData": {"license": "cc-by-4.0"}}) + "\n", encoding="utf-8")
    db = tmp_path / "s.duckdb"
    assert cli("--db", db, "--quiet", "ingest", src, "--datasets").code == 0
    return db


def _weights_only(root: Path) -> Path:
    rel = root / "rel"
    rel.mkdir()
    (rel / "config.json").write_text(json.dumps({"architectures": ["LlamaForCausalLM"], "hidden_size": 64,
                                                 "num_hidden_layers": 2, "model_type": "llama"}), encoding="utf-8")
    save_file({"w": np.zeros((4, 4), dtype=np.float32)}, str(rel / "model.safetensors"))
    return rel


def _full_release(rel: Path, license_id: str) -> None:
    """Rounds 2 to 6 in one go: what the walk below adds, for the variants."""
    _card(rel, license_id, CARD_SECTIONS + "\nSee the [datasheet](DATASHEET.md) and the [technical report]"
          "(technical_report.md).\n", "datasets:\n- pubco/web-corpus\n",
          "\n**Paper:** [pub-1b: a small open model](https://arxiv.org/abs/2501.01234)\n")
    _add_documents(rel)
    _add_code(rel)
    (rel / "checkpoint-1000").mkdir(exist_ok=True)
    (rel / "checkpoint-1000" / "model.safetensors").write_bytes((rel / "model.safetensors").read_bytes())
    (rel / "paper.pdf").write_bytes(b"%PDF-1.4\n% pub-1b paper\n")


def _add_documents(rel: Path) -> None:
    (rel / "DATASHEET.md").write_text("# Datasheet: pub-1b training data\n\n## Sources\nPublic web pages.\n\n"
                                      "## Composition\n12B tokens of English text.\n\n## Known issues\nBias.\n",
                                      encoding="utf-8")
    (rel / "technical_report.md").write_text("# pub-1b technical report\n\nCapabilities and usage.\n",
                                             encoding="utf-8")


def _add_code(rel: Path) -> None:
    (rel / "train.py").write_text("import torch\n", encoding="utf-8")
    (rel / "inference.py").write_text("from transformers import AutoModelForCausalLM\n", encoding="utf-8")
    (rel / "eval.py").write_text("# evaluate on MMLU\n", encoding="utf-8")
    (rel / "preprocess.py").write_text("# clean, filter, deduplicate, tokenise\n", encoding="utf-8")
    (rel / "eval_data").mkdir(exist_ok=True)
    (rel / "eval_data" / "mmlu_subset.jsonl").write_text('{"q": "2+2", "a": "4"}\n', encoding="utf-8")


def test_the_steps_lead_a_weights_only_release_to_class_one_and_osaid_pass(cli: Any, tmp_path: Path,
                                                                          store: Path) -> None:
    rel = _weights_only(tmp_path)
    none = tmp_path / "none.duckdb"

    # round 0: weights and config under custom terms
    _card(rel, "llama3.1")
    doc = _assess(cli, none, rel)
    assert doc["mof"]["class"] == 0 and doc["mof"]["progress"]["3"] == 0.0
    assert doc["osaid"]["verdict"] == "fail" and "parameters-license" in doc["osaid"]["missing"]
    assert "release Model parameters (Final) under an open licence (now llama3.1)" in _steps(doc)

    # round 1: "release … under an open licence" -> switch the licence
    _card(rel, "apache-2.0")
    doc = _assess(cli, none, rel)
    assert doc["components"]["Model parameters (Final)"]["status"] == "open_license"
    assert doc["mof"]["progress"]["3"] == pytest.approx(100 / 3)
    assert "parameters-license" not in doc["osaid"]["missing"]
    # (the README is read but short: the step says what it lacks, helper-mofstep2)
    assert "expand the README into a model card" in _steps(doc) and "release Evaluation results" in _steps(doc)

    # round 2: a card with uses, limitations, training, evaluation (a results table)
    _card(rel, "apache-2.0", CARD_SECTIONS)
    doc = _assess(cli, none, rel)
    assert doc["components"]["Model card"]["status"] == "open_license"
    assert doc["components"]["Evaluation results"]["status"] == "open_license"
    assert doc["mof"]["progress"]["3"] == pytest.approx(200 / 3)
    assert "release Data card" in _steps(doc) and "release Technical report" in _steps(doc)

    # round 3: a datasheet and a technical report, shipped and linked
    _add_documents(rel)
    _card(rel, "apache-2.0", CARD_SECTIONS + "\nSee the [datasheet](DATASHEET.md) and the [technical report]"
          "(technical_report.md).\n")
    doc = _assess(cli, none, rel)
    assert doc["mof"]["class"] == 3
    assert "data-information" not in doc["osaid"]["missing"]
    for step in ("release Training code", "release Inference code", "release Evaluation code",
                 "training-code:", "data-processing-code:", "inference-code:", "code-license:"):
        assert step in _steps(doc)

    # round 4: training, inference, evaluation and pre-processing code, and evaluation data, in the repository
    _add_code(rel)
    doc = _assess(cli, none, rel)
    assert doc["mof"]["class"] == 2
    assert doc["osaid"] == {"verdict": "pass", "missing": []}
    assert "release Datasets" in _steps(doc) and "release Research paper" in _steps(doc)

    # round 5: datasets declared by Hub id, the paper linked, intermediate checkpoints; no store: both are
    # released with their licence unknown, and the steps ask for their licence
    _full_release(rel, "apache-2.0")
    (rel / "paper.pdf").unlink()
    doc = _assess(cli, none, rel)
    assert doc["mof"]["class"] == 2
    assert doc["components"]["Model parameters (Intermediate)"]["status"] == "open_license"
    assert {doc["components"][c]["status"] for c in ("Datasets", "Research paper")} == {"no_license"}
    assert "state an open document licence for Research paper" in _steps(doc)
    # the dataset's licence is stated in its own card, not in this folder: the step names the dataset and does not
    # send the publisher to ship it in the repository (which changes nothing for a dataset declared by Hub id)
    data_steps = [s for s in doc["next_steps"]["mof"] if "pubco/web-corpus" in s]
    assert data_steps and all("open data licence" in s and "shipping" not in s for s in data_steps)

    # round 6: the paper shipped in the repository (under its licence); the dataset's licence read from a store
    (rel / "paper.pdf").write_bytes(b"%PDF-1.4\n% pub-1b paper\n")
    doc = _assess(cli, store, rel)
    assert doc["mof"]["class"] == 1 and doc["mof"]["progress"] == {"1": 100.0, "2": 100.0, "3": 100.0}
    assert doc["osaid"] == {"verdict": "pass", "missing": []}
    assert doc["next_steps"] == {"mof": [], "osaid": []}


def test_license_other_with_an_apache_license_file_covers_the_code_and_documents_too(cli: Any, tmp_path: Path,
                                                                                    store: Path) -> None:
    """``license: other`` (the Hub's "see the LICENSE file") beside a LICENSE whose text is Apache-2.0: the file
    names the licence of the whole release. The weights took it and the code and documents kept ``other``, so the
    same folder was Unclassified, failed OSAID on ``code-license`` and asked to "release Training code under an
    open licence (now other)": the catch-all never overrides a licence a file's text identifies."""
    rel = _weights_only(tmp_path)
    _full_release(rel, "other")
    (rel / "LICENSE").write_text(APACHE, encoding="utf-8")
    doc = _assess(cli, store, rel)
    for c in ("Training code", "Inference code", "Model architecture", "Model card", "Evaluation data"):
        assert doc["components"][c]["status"] == "open_license", c
        assert doc["components"][c]["license"] == "apache-2.0", c
    assert doc["mof"]["class"] == 1
    assert doc["osaid"]["verdict"] == "pass"
    assert "(now other)" not in _steps(doc)
    # `other` names no licence of its own beside the file's: not "open and restrictive side by side"
    assert (doc["osai"]["licenses"], doc["osai_basis"]["licenses"]) == ("open", "licence: open")
    # the tag still disagrees with the file's text: the publisher is told to tag it apache-2.0
    assert "license-file-contradicts-card" in json.dumps(doc["flags"])


def test_license_other_with_a_nc_card_licence_and_an_apache_file_stays_mixed(cli: Any, tmp_path: Path) -> None:
    """The catch-all is dropped only as a name: a restrictive licence the card names still makes the release
    mixed beside the file's open one."""
    rel = _weights_only(tmp_path)
    _card(rel, "other", "\n## License\nThe model weights are released under CC BY-NC 4.0.\n")
    (rel / "LICENSE").write_text(APACHE, encoding="utf-8")
    doc = _assess(cli, tmp_path / "none.duckdb", rel)
    assert doc["osai"]["licenses"] == "partial"


def test_license_other_with_a_weights_only_license_file_leaves_the_code_under_other(cli: Any,
                                                                                   tmp_path: Path) -> None:
    """A file that covers the weights alone (``LICENSE-MODEL``) says nothing of the code: it stays ``other``."""
    rel = _weights_only(tmp_path)
    _full_release(rel, "other")
    (rel / "LICENSE-MODEL").write_text(APACHE, encoding="utf-8")
    doc = _assess(cli, tmp_path / "none.duckdb", rel)
    assert doc["components"]["Model parameters (Final)"]["license"] == "apache-2.0"
    assert doc["components"]["Training code"]["status"] == "restrictive_license"
    assert "code-license" in doc["osaid"]["missing"]


def test_a_mof_record_of_the_same_release_agrees_with_the_folder(cli: Any, tmp_path: Path) -> None:
    """The round-4 folder (Class II, no datasets, no paper) and a MOF record listing the same components under
    Apache-2.0 / CC-BY-4.0 give the same class and progress."""
    rel = _weights_only(tmp_path)
    _card(rel, "apache-2.0", CARD_SECTIONS + "\nSee the [datasheet](DATASHEET.md) and the [technical report]"
          "(technical_report.md).\n")
    _add_documents(rel)
    _add_code(rel)
    folder = _assess(cli, tmp_path / "none.duckdb", rel)
    included = [c for c, v in folder["components"].items() if v["status"] == "open_license"]
    record = tmp_path / "rec.yml"
    record.write_text("release:\n  name: pub-1b\n  license:\n    distribution: {name: Apache-2.0}\n"
                      "    code: {name: Apache-2.0}\n    data: {name: CC-BY-4.0}\n    document: {name: CC-BY-4.0}\n"
                      "  components:\n" + "".join(f"    - {{name: {c}}}\n" for c in included), encoding="utf-8")
    r = cli("--json", "assess", "--mof-record", record)
    assert r.code == 0, r.stderr
    doc = r.json()
    assert doc["mof"] == folder["mof"]
    # the record's document, as README.md gives it
    assert set(doc) == {"id", "mof", "included", "invalid", "unlicensed", "missing", "next_steps"}
    assert sorted(doc["included"]) == sorted(included) and doc["missing"] == ["Datasets",
                                                                            "Model parameters (Intermediate)",
                                                                            "Research paper"]
    assert [s.split(": ", 1)[1].split(" (")[0] for s in doc["next_steps"]] == \
        [s.split(": ", 1)[1].split(" (")[0] for s in folder["next_steps"]["mof"]]


@pytest.mark.parametrize("readme", [b"---\nlicense: [apache-2.0\n---\n# x\n", b"\x00\x01\x02PK\x03\x04", None])
def test_a_broken_binary_or_missing_readme_warns_and_exits_0(cli: Any, tmp_path: Path, readme: bytes | None) -> None:
    rel = _weights_only(tmp_path)
    if readme is not None:
        (rel / "README.md").write_bytes(readme)
    r = cli("--db", tmp_path / "none.duckdb", "--json", "assess", rel)
    assert r.code == 0
    doc = r.json()
    assert doc["warnings"] and "openscope: warning:" in r.stderr
    assert doc["components"]["Model parameters (Final)"]["status"] == "no_license"
    assert doc["components"]["Model card"]["status"] == "not_found"


def test_a_readme_path_grades_the_card_alone_as_readme_md_says(cli: Any, tmp_path: Path) -> None:
    """README.md: "give the folder, not its README". The README's path lists no weights beside it: the parameters
    are unknown (not unmet) and the steps ask for them, while the folder itself passes."""
    rel = _weights_only(tmp_path)
    _card(rel, "apache-2.0", CARD_SECTIONS + "\nSee the [datasheet](DATASHEET.md) and the [technical report]"
          "(technical_report.md).\n")
    _add_documents(rel)
    _add_code(rel)
    none = tmp_path / "none.duckdb"
    assert _assess(cli, none, rel)["osaid"]["verdict"] == "pass"
    alone = _assess(cli, none, rel / "README.md")
    assert alone["components"]["Model parameters (Final)"]["status"] == "not_found"
    assert alone["osaid"]["verdict"] == "insufficient" and "parameters" in alone["osaid"]["missing"]
