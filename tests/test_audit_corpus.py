"""The generated security corpus (../shared/data/security/gen_corpus.py): every malicious sample unsafe,
every benign one clean (or review for the inert third-party classes only), every malformed one reported
with a malformed.* finding, in single-file and folder mode alike, with nothing loaded or imported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from audit_samples import trap

from openscope.audit import scan_path
from openscope.audit.findings import verdict
from openscope.audit.rules import judge_import

pytestmark = pytest.mark.reference
INERT = {"b_training_args.bin", "b_sklearn_model.joblib"}


@pytest.fixture(scope="module")
def corpus(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    out = tmp_path_factory.mktemp("corpus")
    subprocess.run([sys.executable, str(shared_data / "security" / "gen_corpus.py"), str(out)], check=True,
                   capture_output=True, timeout=120)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["skipped"] == [], "the audit extra must provide every optional package gen_corpus uses"
    return out, manifest["samples"]


@pytest.fixture(scope="module")
def folder_report(corpus):
    with trap() as calls:
        rep = scan_path(corpus[0])
    assert not calls
    return rep


def _check(sample: dict, findings: list) -> None:
    v = verdict(findings)
    label, name = sample["label"], sample["file"]
    if label == "malicious":
        assert v == "unsafe", (name, findings)
    elif label == "benign":
        if name in INERT:
            assert v == "review" and {f.severity for f in findings} == {"low"}, (name, findings)
        else:
            assert v == "clean", (name, findings)
    elif label == "malformed":
        assert any(f.rule.startswith("malformed.") for f in findings), (name, findings)
        assert v != "clean"


def test_single_file_mode(corpus) -> None:
    folder, samples = corpus
    assert len(samples) == 85
    with trap() as calls:
        for s in samples:
            _check(s, scan_path(folder / s["file"]).findings)
    assert not calls, calls


def test_folder_mode_agrees_with_single_file_mode(corpus, folder_report) -> None:
    folder, samples = corpus
    listed = {e.file for e in folder_report.files}
    assert listed == {s["file"] for s in samples} | {"manifest.json"}, "no file may be dropped in folder mode"
    for s in samples:
        in_folder = [f for f in folder_report.findings if f.file == s["file"]]
        _check(s, in_folder)
        alone = scan_path(folder / s["file"]).findings
        assert sorted(map(repr, in_folder)) == sorted(map(repr, alone)), s["file"]


def test_cli_folder_json(corpus, cli) -> None:
    folder, samples = corpus
    with trap() as calls:
        res = cli("audit", folder, "--json")
    assert not calls
    assert res.code == 1
    doc = res.json()
    assert doc["verdict"] == "unsafe" and doc["target"] == str(folder)
    flagged = {f["file"] for f in doc["findings"] if f["severity"] in ("high", "critical")}
    assert {s["file"] for s in samples if s["label"] == "malicious"} <= flagged
    assert not flagged & {s["file"] for s in samples if s["label"] == "benign"}


def test_every_global_the_real_unpickler_resolves_is_reported_or_allowlisted(corpus, shared_data: Path) -> None:
    folder, _ = corpus
    trace = subprocess.run([sys.executable, str(shared_data / "security" / "trace_corpus.py"), str(folder)],
                           check=True, capture_output=True, text=True, timeout=120)
    truth = json.loads(trace.stdout)
    assert truth
    for name, t in truth.items():
        reported = {f.import_ for f in scan_path(folder / name).findings if f.import_}
        for g in t["resolved"]:
            module, _, attr = g.partition(".") if g.count(".") == 1 else _split(g, reported)
            assert g in reported or judge_import(module, attr).severity is None, (name, g, reported)


def _split(g: str, reported: set[str]) -> tuple[str, str, str]:
    """Dotted module names: find the module/name split the scanner used (or the longest plausible module)."""
    parts = g.split(".")
    for i in range(len(parts) - 1, 0, -1):
        if g in reported:
            break
        module, attr = ".".join(parts[:i]), ".".join(parts[i:])
        if judge_import(module, attr).severity is None:
            return module, ".", attr
    return ".".join(parts[:-1]), ".", parts[-1]


def test_verdicts_do_not_depend_on_installed_frameworks(corpus, folder_report) -> None:
    folder, _ = corpus
    blocked = ["numpy", "h5py", "onnx", "gguf", "safetensors", "torch", "tensorflow", "keras", "sklearn", "joblib"]
    code = (
        "import sys, json\n"
        f"for m in {blocked!r}: sys.modules[m] = None\n"
        "from openscope.audit import scan_path\n"
        "from pathlib import Path\n"
        f"r = scan_path(Path({str(folder)!r}))\n"
        "print(json.dumps(r.to_json()))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, timeout=120)
    doc = json.loads(out.stdout)
    assert doc["findings"] == folder_report.to_json()["findings"]
    assert doc["verdict"] == folder_report.verdict
