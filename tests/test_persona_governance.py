"""The governance team's and the model publisher's journey, judged by what openscope prints.

A publisher's folder written here (our own README, a tiny safetensors file, code files) must reach MOF
Class I and pass OSAID 1.0 when everything is there; each variant with one piece missing must name that
piece in its next steps, and adding the piece back must remove the step and restore the grade: the loop a
publisher follows. Evidence must point where each fact was read (the file, the README line), a licence
must come with its source (a library's own licence, not the model's), and the text output must stay
readable on an 80-column terminal. Tests that read ``../shared`` (real cards, real Hub API responses) are
marked ``reference``.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from safetensors.numpy import save_file

sys.path.insert(0, str(Path(__file__).resolve().parent))
from audit_samples import PAYLOAD, call, proto, state_dict_pickle, torch_zip  # noqa: E402

# -- the publisher's release ----------------------------------------------------------------------------

# piece -> (files it adds, README lines it adds). Each piece is what a publisher writes for one component.
PIECES: dict[str, tuple[dict[str, str], list[str]]] = {
    "weights": ({"model.safetensors": "<tensor>"}, ["Weights: `model.safetensors`."]),
    "checkpoints": ({"checkpoints/step-100/model.safetensors": "<tensor>"},
                    ["Intermediate checkpoints are in `checkpoints/`."]),
    "training-code": ({"train.py": "import torch  # trains the model\n"}, ["Training code: `train.py`."]),
    "preprocessing-code": ({"preprocess.py": "# cleans and tokenises the corpus\n"},
                           ["The corpus was cleaned and tokenised with `preprocess.py`."]),
    "evaluation-code": ({"evaluate.py": "# scores the model\n"}, ["Evaluation code: `evaluate.py`."]),
    "evaluation-data": ({"evaluation/lambada_sample.jsonl": '{"text": "a b c", "target": "d"}\n'},
                        ["Evaluation data: `evaluation/lambada_sample.jsonl`."]),
    "model-metadata": ({"training_config.json": json.dumps({"learning_rate": 0.001})},
                       ["Training configuration: `training_config.json`."]),
    "datasheet": ({"DATASHEET.md": "# Datasheet for acme/tiny-corpus\n"},
                  ["The training data is documented in its [datasheet](DATASHEET.md)."]),
    "technical-report": ({"technical_report.md": "# Tiny-LM technical report\n"},
                         ["The [technical report](technical_report.md) describes the model."]),
    "paper": ({"paper.pdf": "%PDF-1.4\n"}, ["Our paper is in `paper.pdf`."]),
    "inference-code": ({"inference.py": "from transformers import AutoModelForCausalLM\n"},
                       ["Inference code: `inference.py`."]),
    "license": ({"LICENSE": "Apache License\nVersion 2.0, January 2004\n"},
                ["Code, weights and documents are released under Apache-2.0 (see LICENSE)."]),
}

README_HEAD = """---
{license}library_name: transformers
pipeline_tag: text-generation
datasets:
- acme/tiny-corpus
---
# acme/tiny-lm

Tiny-LM is a fully open-source 2-layer decoder-only transformer language model trained from scratch.

## Model details

A decoder-only transformer with 2 layers, 4 attention heads, a hidden size of 64 and rotary position
embeddings, trained for one hour on one A100 GPU.

## Intended uses

Teaching and testing tools that read model repositories. Out-of-scope use: anything in production.

## Limitations and risks

The model is tiny and writes mostly nonsense; it carries the biases of its training corpus.

## Training data

Trained on [acme/tiny-corpus](https://huggingface.co/datasets/acme/tiny-corpus).

## Evaluation

| benchmark | accuracy |
|---|---|
| LAMBADA | 0.01 |

## Example outputs

Sample outputs: "the cat sat on the" → "mat".

## Release

The paper is [on arXiv](https://arxiv.org/abs/2401.00001).
"""


def build_release(root: Path, without: frozenset[str] = frozenset()) -> Path:
    """The publisher's folder with every piece except ``without``."""
    root.mkdir(parents=True, exist_ok=True)
    lines = []
    for piece, (files, text) in PIECES.items():
        if piece in without or (piece == "checkpoints" and "weights" in without):
            continue
        lines.extend(text)
        for name, content in files.items():
            add_file(root, name, content)
    head = README_HEAD.format(license="" if "license" in without else "license: apache-2.0\n")
    (root / "README.md").write_text(head + "\n" + "\n\n".join(lines) + "\n", encoding="utf-8")
    (root / "config.json").write_text(json.dumps({"model_type": "llama", "num_hidden_layers": 2}), encoding="utf-8")
    return root


def add_file(root: Path, name: str, content: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if content == "<tensor>":
        save_file({"w": np.zeros((2, 2), dtype=np.float32)}, str(path))
    else:
        path.write_text(content, encoding="utf-8")


@pytest.fixture(scope="module")
def dataset_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store that knows the publisher's training dataset (CC-BY-4.0), as the Hub would report it."""
    from openscope.cli import main

    d = tmp_path_factory.mktemp("dsstore")
    src = d / "datasets.jsonl"
    src.write_text(json.dumps({"id": "acme/tiny-corpus", "author": "acme", "tags": ["license:cc-by-4.0"],
                               "cardData": {"license": "cc-by-4.0"}}) + "\n", encoding="utf-8")
    db = d / "s.duckdb"
    assert main(["--db", str(db), "--quiet", "ingest", str(src), "--datasets"]) == 0
    return db


def assess(cli, db: Path, target: Path | str, *extra: str) -> dict[str, Any]:
    r = cli("--db", db, "assess", target, "--json", *extra)
    assert r.code == 0, r.stderr
    return r.json()


def steps_text(doc: dict[str, Any]) -> str:
    return "\n".join(doc["next_steps"]["mof"] + doc["next_steps"]["osaid"])


def test_complete_release_reaches_class_one_and_passes_osaid(cli, tmp_path: Path, dataset_store: Path) -> None:
    doc = assess(cli, dataset_store, build_release(tmp_path / "rel"))
    assert doc["mof"]["class"] == 1 and doc["osaid"] == {"verdict": "pass", "missing": []}
    assert doc["next_steps"] == {"mof": [], "osaid": []}
    assert {c["status"] for c in doc["components"].values()} == {"open_license"}
    assert doc["components"]["Datasets"]["license"] == "cc-by-4.0"  # the store's dataset record, not a guess
    assert doc["flags"] == []  # "fully open-source" is true here: no open-washing alarm


def _line_range(locator: str) -> tuple[Path, int, int]:
    path, _, anchor = locator.partition("#")
    m = re.fullmatch(r"L(\d+)(?:-L(\d+))?", anchor)
    assert m, locator
    return Path(path), int(m.group(1)), int(m.group(2) or m.group(1))


def test_every_fact_points_where_it_was_read(cli, tmp_path: Path, dataset_store: Path) -> None:
    """A file found in the folder is its path; a card fact is the README and the lines it spans; metadata is
    the front-matter line of its key; a library's licence is that library's licence file."""
    root = build_release(tmp_path / "rel")
    doc = assess(cli, dataset_store, root)
    seen = set()
    for name, c in doc["components"].items():
        for ev in c["evidence"]:
            seen.add(ev["kind"])
            loc, snippet = ev["locator"], ev["snippet"]
            if ev["kind"] == "file_list":
                assert Path(loc).is_file() and Path(loc).relative_to(root).as_posix() in snippet, (name, ev)
            elif ev["kind"] == "card" and "#" not in loc and not loc.startswith("http"):
                assert (Path(loc), name) == (root / "README.md", "Model card")  # the whole card is the evidence
            elif ev["kind"] in ("card", "hub_metadata") and not loc.startswith("http"):
                path, a, b = _line_range(loc)
                assert path == root / "README.md", (name, ev)
                lines = " ".join(path.read_text("utf-8").splitlines()[a - 1:b])
                if ev["kind"] == "hub_metadata":
                    key = snippet.split(":")[0].removeprefix("declared ")
                    assert lines.startswith(key), (name, ev, lines)
                else:
                    words = re.sub(r"^\[[^\]]*\] |^## ", "", snippet).split()[:3]
                    assert all(w in lines for w in words), (name, ev, lines)
    assert {"file_list", "card", "hub_metadata"} <= seen


# piece removed -> (component the MOF steps must name or None, OSAID requirement that must be missing or None)
EXPECTED_GAP: dict[str, tuple[str | None, str | None]] = {
    "weights": ("Model parameters (Final)", "parameters"),
    "checkpoints": ("Model parameters (Intermediate)", None),
    "training-code": ("Training code", "training-code"),
    "preprocessing-code": ("Data preprocessing code", "data-processing-code"),
    "evaluation-code": ("Evaluation code", None),
    "evaluation-data": ("Evaluation data", None),      # LAMBADA is named: released, its licence unknown
    "paper": ("Research paper", None),                 # the arXiv link remains: released, licence unknown
    "license": ("Model parameters (Final)", "parameters-license"),
}


@pytest.mark.parametrize("piece", sorted(EXPECTED_GAP))
def test_each_missing_piece_is_a_step_that_disappears_once_added(cli, tmp_path: Path, dataset_store: Path,
                                                                  piece: str) -> None:
    """The publisher's loop: without the piece the grade drops and a step names it; with it, the step is gone
    and the folder is back to Class I / OSAID pass."""
    root = build_release(tmp_path / "rel", frozenset({piece}))
    before = assess(cli, dataset_store, root)
    component, requirement = EXPECTED_GAP[piece]
    assert before["mof"]["class"] != 1 or before["osaid"]["verdict"] != "pass"
    if component is not None:
        assert before["mof"]["class"] != 1
        assert any(component in s for s in before["next_steps"]["mof"]), (piece, before["next_steps"])
    if requirement is not None:
        assert requirement in before["osaid"]["missing"], (piece, before["osaid"])
        assert any(s.startswith(f"OSAID {requirement}:") for s in before["next_steps"]["osaid"])
    else:
        assert before["osaid"]["verdict"] == "pass", (piece, before["osaid"])
    build_release(root)  # the publisher adds the piece
    after = assess(cli, dataset_store, root)
    assert after["mof"]["class"] == 1 and after["osaid"]["verdict"] == "pass", (piece, after["next_steps"])
    assert component is None or component not in steps_text(after)


@pytest.mark.parametrize("piece", ["model-metadata", "technical-report", "inference-code", "datasheet"])
def test_pieces_the_frameworks_do_not_require_here_raise_no_step(cli, tmp_path: Path, dataset_store: Path,
                                                                 piece: str) -> None:
    """Model metadata is optional in the MOF; the paper stands in for a missing technical report; a model
    that runs with transformers has open inference code (transformers' own) without a script of its own; and
    the training dataset's own Hub card is a data card, under that dataset's licence (CC-BY-4.0), not ours."""
    doc = assess(cli, dataset_store, build_release(tmp_path / "rel", frozenset({piece})))
    assert doc["mof"]["class"] == 1 and doc["osaid"]["verdict"] == "pass", doc["next_steps"]
    assert doc["next_steps"] == {"mof": [], "osaid": []}
    if piece == "inference-code":
        inf = doc["components"]["Inference code"]
        assert (inf["status"], inf["license"]) == ("open_license", "apache-2.0")
        sources = [e["locator"] for e in inf["evidence"] if e["kind"] == "curated"]
        assert sources and "huggingface/transformers" in sources[0]
    if piece == "datasheet":
        card = doc["components"]["Data card"]
        assert card["license"] == "cc-by-4.0"
        assert card["evidence"][0]["locator"] == "https://huggingface.co/datasets/acme/tiny-corpus"


def test_a_dataset_the_store_does_not_know_is_released_with_its_licence_unknown(cli, tmp_path: Path) -> None:
    """Without a store that holds the dataset's record, its licence is unknown (not guessed): the step says to
    state one, and the class is not Class I."""
    doc = assess(cli, tmp_path / "none.duckdb", build_release(tmp_path / "rel"))
    assert doc["components"]["Datasets"]["status"] == "no_license"
    assert doc["mof"]["class"] == 2
    # the step names the declared dataset repository, says its licence was not looked up, and never says to
    # ship the dataset in this repository
    steps = [s for s in doc["next_steps"]["mof"] if "declared dataset" in s]
    assert steps and all("not looked up here (unknown)" in s and "in the repository" not in s for s in steps)


def test_a_link_to_a_file_that_is_not_there_is_no_release(cli, tmp_path: Path, dataset_store: Path) -> None:
    """The README links the technical report, but the file is missing: the link is a promise, not a release."""
    root = build_release(tmp_path / "rel", frozenset({"technical-report", "paper"}))
    readme = root / "README.md"
    readme.write_text(readme.read_text("utf-8") + "\nSee the [technical report](technical_report.md).\n", "utf-8")
    doc = assess(cli, dataset_store, root)
    report = doc["components"]["Technical report"]
    assert report["status"] != "open_license"
    assert not any(e["locator"].endswith("technical_report.md") for e in report["evidence"])


def test_open_source_claim_with_restrictive_weights_is_flagged(cli, tmp_path: Path, dataset_store: Path) -> None:
    root = build_release(tmp_path / "rel")
    readme = root / "README.md"
    readme.write_text(readme.read_text("utf-8").replace("license: apache-2.0", "license: llama2"), "utf-8")
    doc = assess(cli, dataset_store, root)
    flags = {f["flag"]: f for f in doc["flags"]}
    assert "open-source-claim-with-closed-parts" in flags
    assert "weights" in flags["open-source-claim-with-closed-parts"]["detail"]
    assert "training data" not in flags["open-source-claim-with-closed-parts"]["detail"]  # that part is open


def test_osaid_licence_step_says_which_code_is_not_open(cli, tmp_path: Path, dataset_store: Path) -> None:
    doc = assess(cli, dataset_store, build_release(tmp_path / "rel", frozenset({"training-code"})))
    step = next(s for s in doc["next_steps"]["osaid"] if s.startswith("OSAID code-license"))
    # unreleased code has its own step; here it is named once, as what the licence must cover when released
    assert step.endswith("(Training code: when released)") and "Inference code" not in step, step


# -- readable at 80 columns ------------------------------------------------------------------------------

def _table_rows(text: str) -> list[list[str]]:
    return [[c.strip() for c in ln.split("│")[1:-1]] for ln in text.splitlines() if ln.startswith("│")]


def test_assess_text_fits_80_columns_and_keeps_full_text_in_json(cli, tmp_path: Path, dataset_store: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    root = build_release(tmp_path / "rel", frozenset({"paper"}))
    readme = root / "README.md"
    long = "Sample outputs are described at length here: " + "the model continues the prompt " * 12
    readme.write_text(readme.read_text("utf-8").replace('Sample outputs: "the cat', long + '"the cat'), "utf-8")
    text = cli("--db", dataset_store, "assess", root)
    assert text.code == 0
    # (the folder's path is printed whole, as a thing to copy, however long this machine's temporary folders are)
    assert max(len(ln) for ln in text.stdout.splitlines() if ln != str(root)) <= 80
    rows = [r for r in _table_rows(text.stdout) if len(r) == 3]
    doc = assess(cli, dataset_store, root)
    # nothing is cut: every component name and status token is there whole once its wrapped lines are joined
    names = " ".join(r[0] for r in rows)
    statuses = "".join(r[1] for r in rows)
    for name, c in doc["components"].items():
        assert all(w in names.split() for w in name.split()), name
        assert c["status"] in statuses, (name, c["status"])
    assert "↳ train.py" not in text.stdout  # a file's locator is not repeated under its own name
    assert "↳ README.md#L" in text.stdout  # card facts show the README line, relative to the folder
    full = doc["components"]["Sample model outputs"]["evidence"][0]["snippet"]
    flat = " ".join(text.stdout.split())
    assert len(full) > 70 and full not in flat and "…" in flat  # shortened on screen, whole in --json
    assert "the model continues the prompt" in full
    assert "Next steps to reach Class I - Open Science Model:" in text.stdout
    assert "no_license: released; no licence could be read" in text.stdout


# -- real inputs (../shared) ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def hub_store(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    """A store made with ``openscope ingest`` from the four real ``GET /api/models/{id}`` responses."""
    from openscope.cli import main

    db = tmp_path_factory.mktemp("hub") / "hub.duckdb"
    for f in sorted((shared_data / "hub-api").glob("*.model_info.json")):
        assert main(["--db", str(db), "--quiet", "ingest", str(f)]) == 0
    return db


@pytest.mark.reference
def test_library_code_is_under_the_library_licence_not_the_model_licence(cli, hub_store: Path) -> None:
    """deepset/roberta-base-squad2 is under CC-BY-4.0 and runs with transformers: its inference code is
    transformers' (Apache-2.0, cited), not CC-BY-4.0 (a document licence); its weights stay CC-BY-4.0.
    (stable-diffusion-2-1's inference code comes from a cited curated fact: its own MIT repository.)"""
    doc = assess(cli, hub_store, "deepset/roberta-base-squad2")
    inf, lib = doc["components"]["Inference code"], doc["components"]["Supporting libraries and tools"]
    assert (inf["status"], inf["license"]) == ("open_license", "apache-2.0")
    assert (lib["status"], lib["license"]) == ("open_license", "apache-2.0")  # not "no_license"
    for c in (inf, lib):
        assert any(e["kind"] == "curated" and "huggingface/transformers" in e["locator"] for e in c["evidence"])
    w = doc["components"]["Model parameters (Final)"]
    assert (w["status"], w["license"]) == ("open_license", "cc-by-4.0")
    sd = assess(cli, hub_store, "stabilityai/stable-diffusion-2-1")["components"]
    assert sd["Supporting libraries and tools"]["license"] == "apache-2.0"  # diffusers
    assert sd["Inference code"]["license"] != "openrail++"


@pytest.mark.reference
def test_store_evidence_opens_the_file_on_the_hub(cli, hub_store: Path) -> None:
    r = cli("--db", hub_store, "assess", "google-bert/bert-base-uncased", "--json")
    doc = r.json()
    arch = doc["components"]["Model architecture"]["evidence"][0]
    assert arch["locator"] == "https://huggingface.co/google-bert/bert-base-uncased/blob/main/config.json"
    w = doc["components"]["Model parameters (Final)"]["evidence"][0]
    assert w["locator"].endswith("/blob/main/" + w["snippet"].split(", ")[0])
    # the card is in the file list but its text was never fetched: "not found" is said to mean "not read"
    assert "not in the store" in r.stderr and "--cards" in r.stderr


@pytest.mark.reference
def test_a_real_card_with_a_usage_snippet(cli, tmp_path: Path, shared_data: Path) -> None:
    """Gemma's card says `pip install -U transformers`: the inference code is transformers' (Apache-2.0), while
    the weights stay under the Gemma terms; the text names the README line and stays within 80 columns."""
    root = tmp_path / "gemma"
    root.mkdir()
    shutil.copy(shared_data / "openness" / "cards" / "Gemma.md", root / "README.md")
    add_file(root, "model.safetensors", "<tensor>")
    doc = assess(cli, tmp_path / "none.duckdb", root)
    inf = doc["components"]["Inference code"]
    assert (inf["status"], inf["license"]) == ("open_license", "apache-2.0")
    assert inf["evidence"][0]["locator"].startswith(str(root / "README.md") + "#L")
    assert doc["components"]["Model parameters (Final)"]["status"] == "restrictive_license"
    assert "parameters-license" in doc["osaid"]["missing"]


@pytest.mark.reference
def test_no_false_licence_contradiction_for_a_rail_family_card(cli, tmp_path: Path, shared_data: Path) -> None:
    """stable-diffusion's card is tagged openrail++ and its text names the "CreativeML Open RAIL++-M License":
    the same licence, not a contradiction (it was flagged)."""
    root = tmp_path / "sd"
    root.mkdir()
    shutil.copy(shared_data / "openness" / "cards" / "stable-diffusion.md", root / "README.md")
    doc = assess(cli, tmp_path / "none.duckdb", root)
    assert "card-license-contradicts-hub-tag" not in {f["flag"] for f in doc["flags"]}


def test_a_real_contradiction_is_still_flagged(cli, tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("---\nlicense: llama2\n---\n# M\n\n## License\n\nReleased under the "
                                        "CC BY-NC 4.0 licence.\n", "utf-8")
    doc = assess(cli, tmp_path / "none.duckdb", tmp_path)
    assert "card-license-contradicts-hub-tag" in {f["flag"] for f in doc["flags"]}


# -- licence of a derivative, audit of a folder -----------------------------------------------------------

@pytest.fixture(scope="module")
def lineage_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Llama 3.1 base, a finetune that keeps its licence and one that declares Apache-2.0."""
    from openscope.cli import main

    d = tmp_path_factory.mktemp("lin")
    rows = [
        {"id": "meta-llama/Llama-3.1-8B", "author": "meta-llama", "tags": ["license:llama3.1"]},
        {"id": "acme/Llama-3.1-8B-legal", "author": "acme",
         "tags": ["license:llama3.1", "base_model:finetune:meta-llama/Llama-3.1-8B"]},
        {"id": "acme/legal-apache", "author": "acme",
         "tags": ["license:apache-2.0", "base_model:finetune:meta-llama/Llama-3.1-8B"]},
    ]
    src = d / "m.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in rows) + "\n", "utf-8")
    db = d / "s.duckdb"
    assert main(["--db", str(db), "--quiet", "ingest", str(src)]) == 0
    return db


def test_license_of_a_derivative_says_what_it_inherits_in_words(cli, lineage_store: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    doc = cli("--db", lineage_store, "license", "acme/Llama-3.1-8B-legal", "--json").json()
    text = cli("--db", lineage_store, "license", "acme/Llama-3.1-8B-legal").stdout
    assert doc["user_cap"] and f"{doc['user_cap']:,} monthly active users" in text
    for duty in doc["duties"]:
        assert duty in text
    assert 'display "Built with Llama"' in text and "ship a copy of the licence" in text
    assert ":llama:" not in text and "\N{LLAMA}" not in text  # "name_prefix:Llama:" is no emoji code
    bases = "".join(ln.split("│")[1].strip() for ln in text.splitlines() if ln.startswith("│"))
    assert "meta-llama/Llama-3.1-8B(1)" in bases.replace(" ", "")  # the whole id (folded, not cut), its distance
    assert "same as this model's" in text
    assert max(len(ln) for ln in text.splitlines()) <= 80


def test_license_conflict_says_what_applies(cli, lineage_store: Path) -> None:
    r = cli("--db", lineage_store, "license", "acme/legal-apache")
    assert r.code == 0
    assert "CONFLICT" in r.stdout and "must still follow the terms of llama3.1" in r.stdout


def test_licence_clauses_keep_their_full_source_at_80_columns(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    info = cli("license", "llama3.1", "--json").json()
    text = cli("license", "llama3.1").stdout
    assert info["clauses"]
    for cl in info["clauses"]:
        assert cl["url"] in text.replace("\n", "") or cl["url"][:70] in text
    assert "https://github.c…" not in text


def test_audit_of_a_folder_tells_a_reader_which_files_not_to_load(cli, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A tiny safetensors file, a benign PyTorch state dict and a pickle that calls os.system: the text names
    the pickle as the file not to load, shows the other two as without finding, and says why in words."""
    monkeypatch.setenv("COLUMNS", "80")
    add_file(tmp_path, "model.safetensors", "<tensor>")
    (tmp_path / "pytorch_model.bin").write_bytes(torch_zip(state_dict_pickle()))
    (tmp_path / "extra.pkl").write_bytes(proto(2) + call("os", "system", PAYLOAD) + b".")
    (tmp_path / "config.json").write_text("{}", "utf-8")
    r = cli("audit", tmp_path)
    assert r.code == 1
    rows = {ln.split()[0]: ln for ln in r.stdout.splitlines() if ln.split() and ln.split()[0] in
            ("model.safetensors", "pytorch_model.bin", "extra.pkl", "config.json")}
    assert "no finding" in rows["model.safetensors"] and "no finding" in rows["pytorch_model.bin"]
    assert "critical" in rows["extra.pkl"] and "config.json" not in rows  # no model format: counted, not listed
    assert "1 file(s) of no model format (not scanned for code)" in " ".join(r.stdout.split())
    assert "do not load extra.pkl: loading it" in r.stdout.replace("\n", " ")
    assert "run code" in r.stdout
    clean = cli("audit", tmp_path / "model.safetensors")
    assert clean.code == 0 and "cannot prove safety" in clean.stdout.replace("\n", " ")


def test_a_snippet_never_starts_inside_a_long_word(cli, tmp_path: Path) -> None:
    """A match right after a long URL: the snippet leaves the URL out instead of starting inside it."""
    url = "https://huggingface.co/datasets/acme/" + "a-very-long-corpus-name" * 2
    (tmp_path / "README.md").write_text(f"# M\n\n## Training data\n\nTrained on [corpus]({url}); see its datasheet.\n",
                                        "utf-8")
    doc = assess(cli, tmp_path / "none.duckdb", tmp_path)
    snippet = doc["components"]["Data card"]["evidence"][0]["snippet"]
    assert snippet.startswith(("see its datasheet", "Trained on [corpus]")), snippet
