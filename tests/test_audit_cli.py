"""`openscope audit`: the contract's JSON shape and exit codes, SARIF 2.1.0, storing findings, and a large
checkpoint scanned in bounded memory."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest
from audit_samples import (
    benign_dict,
    call,
    no_loading,  # noqa: F401 - the autouse trap of every audit test
    state_dict_pickle,
    torch_zip,
    zip_of,
)

from openscope.audit.findings import SEVERITIES, VERDICTS

KEYS = ["file", "member", "offset", "rule", "severity", "import", "detail"]


@pytest.fixture
def model(tmp_path: Path) -> Path:
    d = tmp_path / "model"
    d.mkdir()
    (d / "pytorch_model.bin").write_bytes(torch_zip(state_dict_pickle(2)))
    (d / "training_args.bin").write_bytes(call("posix", "system"))
    (d / "README.md").write_text("# a model\n")
    return d


def test_json_shape_and_exit_code(cli, model: Path) -> None:
    res = cli("audit", model, "--json")
    assert res.code == 1
    doc = json.loads(res.stdout)  # exactly one JSON document
    assert doc["target"] == str(model) and doc["verdict"] == "unsafe"
    assert all(list(f) == KEYS for f in doc["findings"])
    assert {f["file"] for f in doc["findings"]} == {"training_args.bin"}
    assert all(f["severity"] in SEVERITIES for f in doc["findings"])
    assert {e["file"]: e["format"] for e in doc["files"]} == {
        "README.md": "other", "pytorch_model.bin": "pytorch-zip", "training_args.bin": "pickle"}


def test_clean_file_exits_zero_and_globals_anywhere(cli, tmp_path: Path) -> None:
    p = tmp_path / "ok.pt"
    p.write_bytes(torch_zip(state_dict_pickle(1)))
    res = cli("audit", "--json", p)
    assert res.code == 0 and res.json()["verdict"] == "clean" and res.json()["findings"] == []
    text = cli("audit", p)
    assert text.code == 0 and "clean" in text.stdout


@pytest.mark.parametrize(("fail_on", "code"), [("low", 1), ("medium", 1), ("high", 0), ("critical", 0)])
def test_fail_on_threshold(cli, tmp_path: Path, fail_on: str, code: int) -> None:
    p = tmp_path / "unknown.pkl"
    p.write_bytes(b"\x80\x04\x8c\x05mypkg\x8c\x03Net\x93).")  # a medium (review) finding
    res = cli("audit", p, "--fail-on", fail_on, "--json")
    assert res.code == code and res.json()["verdict"] == "review"


def test_incomplete_exits_two(cli, tmp_path: Path) -> None:
    data = benign_dict()
    for i in range(10):
        data = zip_of({f"{i}.zip": data})
    p = tmp_path / "deep.zip"
    p.write_bytes(data)
    res = cli("audit", p, "--json")
    assert res.code == 2 and res.json()["verdict"] == "incomplete"
    assert res.json()["verdict"] in VERDICTS


def test_missing_path_and_bad_option(cli, tmp_path: Path) -> None:
    missing = cli("audit", tmp_path / "nope", "--json")
    assert missing.code == 66 and missing.stdout == "" and "no such file" in missing.stderr
    bad = cli("audit", tmp_path, "--fail-on", "severe")
    assert bad.code == 64 and "Traceback" not in bad.stderr


def test_sarif_output(cli, model: Path, tmp_path: Path) -> None:
    out = tmp_path / "audit.sarif"
    res = cli("audit", model, "--sarif", out, "--json")
    sarif = json.loads(out.read_text())
    assert sarif["version"] == "2.1.0" and "sarif-schema-2.1.0" in sarif["$schema"]
    run = sarif["runs"][0]
    assert len(run["results"]) == len(res.json()["findings"]) > 0
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    for r in run["results"]:
        assert ids[r["ruleIndex"]] == r["ruleId"]
        assert r["level"] in ("error", "warning", "note")
        # a folder outside the working folder: the file's absolute URI, no base id; the --json name kept aside
        assert r["locations"][0]["physicalLocation"]["artifactLocation"] == {
            "uri": (model / "training_args.bin").as_uri()}
        assert r["properties"]["file"] == "training_args.bin"
    assert run["results"][0]["level"] == "error"


def test_sarif_names_files_from_the_working_folder_as_code_scanning_reads_them(
        cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """GitHub code scanning reads ``artifactLocation.uri`` relative to the repository root: a folder audited below
    the checkout (``models/acme v2/``) named its files relative to itself (``training_args.bin``), an alert on a
    path that does not exist. Under the working folder each file is named from it, with ``%SRCROOT%``."""
    repo = tmp_path / "repo"
    d = repo / "models" / "acme v2" / "ckpt#1"
    d.mkdir(parents=True)
    (d / "training_args.bin").write_bytes(call("posix", "system"))
    monkeypatch.chdir(repo)
    for given, out in ((Path("models/acme v2/ckpt#1"), "a.sarif"), (d / "training_args.bin", "b.sarif")):
        res = cli("audit", given, "--sarif", out)
        assert res.code == 1, res.stderr
        run = json.loads((repo / out).read_text())["runs"][0]
        assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": repo.resolve().as_uri() + "/"}}
        (r,) = run["results"]
        assert r["locations"][0]["physicalLocation"]["artifactLocation"] == {
            "uri": "models/acme%20v2/ckpt%231/training_args.bin", "uriBaseId": "%SRCROOT%"}
        assert r["properties"]["file"] == "training_args.bin"


def test_store_findings_against_a_model_id(cli, model: Path, db: Path, tmp_path: Path) -> None:
    assert cli("--db", db, "audit", model, "--json").code == 1
    assert not db.exists(), "audit must not create a store unless storing"
    assert cli("--db", db, "audit", model, "--model-id", "acme/tiny", "--json").code == 1
    assert cli("--db", db, "audit", model, "--model-id", "acme/tiny", "--json").code == 1  # re-run replaces
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT model_id, file, rule, severity, import FROM audit_findings").fetchall()
    runs = con.execute("SELECT model_id, verdict, files FROM audit_runs").fetchall()
    con.close()
    assert rows == [("acme/tiny", "training_args.bin", "pickle.import.denied", "critical", "posix.system")]
    assert runs == [("acme/tiny", "unsafe", 3)]


def test_subprocess_exit_code_and_no_traceback(run_openscope, model: Path) -> None:
    res = run_openscope("audit", model / "training_args.bin")
    assert res.code == 1 and "critical" in res.stdout and "Traceback" not in res.stderr


def test_large_checkpoint_in_bounded_memory(tmp_path: Path) -> None:
    """A 320 MB PyTorch checkpoint: scanning it adds far less to the process's peak RSS than its size.

    The peak is read once after every import (a fresh venv compiles bytecode on first import, which has
    its own transient peak) and once after the scan; the scan's share is the difference. It is the child's
    own high-water mark (``VmHWM``): ``getrusage``'s ``ru_maxrss`` survives ``exec`` and so starts at the
    RSS of the process that spawned the child (pytest, large late in a full run)."""
    p = tmp_path / "big.pt"
    chunk = bytes(1 << 20)
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("archive/data.pkl", state_dict_pickle(2))
        for k in ("0", "1"):
            with z.open(f"archive/data/{k}", "w", force_zip64=True) as w:
                for _ in range(160):
                    w.write(chunk)
    code = (
        "import sys\n"
        "from openscope.cli import main\n"
        "import openscope.commands.audit, openscope.audit.engine\n"
        "def hwm():\n"
        "    return next(int(x.split()[1]) for x in open('/proc/self/status') if x.startswith('VmHWM:'))\n"
        "before = hwm()\n"
        f"rc = main(['audit', {str(p)!r}, '--json'])\n"
        "print(before, hwm(), file=sys.stderr)\n"
        "sys.exit(rc)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["verdict"] == "clean"
    before_kb, peak_kb = (int(x) for x in res.stderr.strip().splitlines()[-1].split())
    scan_mb, peak_mb = (peak_kb - before_kb) / 1024, peak_kb / 1024
    assert scan_mb < 100, f"the scan added {scan_mb:.0f} MB of peak RSS for a 320 MB checkpoint"
    assert peak_mb < 300, f"peak RSS {peak_mb:.0f} MB for a 320 MB checkpoint"
