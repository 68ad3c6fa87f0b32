"""A folder audit never reads a link to a system or credentials file (docs/audit.md, *Links that leave the folder*).

Before: a link *inside* an audited folder to ``~/.ssh/id_rsa``, ``~/.aws/credentials`` or ``/etc/shadow`` got
``link.system_file`` and was still opened and scanned, so the user's secret reached the audit (and, through a
finding's detail, ``--json``, SARIF and the store), while the same link given as the target was never read. Now the
walk does what the given-target path does: the finding, the file listed as ``system-file`` (0 bytes), no read, no
walk; the verdict is ``review`` from that medium finding, never ``clean`` through it.

The "credentials" are files this test writes under a fake home in ``tmp_path`` (the sensitive list is by path
pattern, rules.yml ``links.sensitive``); each holds a pickle calling ``posix.system`` with a marker, so a read would
make the folder ``unsafe`` and put the marker in the output. Nothing is loaded.
"""

from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path

import duckdb
import pytest
from test_audit_links import st_file

from openscope.audit import scan_path
from openscope.audit.sarif import to_sarif

MARKER = "CREDENTIAL-MARKER-7f3a"


def payload() -> bytes:
    """A protocol-2 pickle: ``posix.system((MARKER,))`` (written, never loaded). Its finding's detail quotes the
    argument, so a read of the file shows the marker."""
    arg = MARKER.encode()
    return b"\x80\x02cposix\nsystem\nX" + struct.pack("<I", len(arg)) + arg + b"\x85R."


CREDENTIALS = (".ssh/id_rsa", ".aws/credentials", ".netrc", ".huggingface/token", ".cache/huggingface/token",
               ".config/gcloud/application_default_credentials.json", ".docker/config.json")


def fake_home(tmp_path: Path) -> Path:
    home = tmp_path / "home" / "user"
    for rel in CREDENTIALS:
        (home / rel).parent.mkdir(parents=True, exist_ok=True)
        (home / rel).write_bytes(payload())
    return home


def model_folder(tmp_path: Path) -> Path:
    model = tmp_path / "download" / "model"
    model.mkdir(parents=True)
    (model / "model.safetensors").write_bytes(st_file())
    return model


def test_the_payload_is_found_when_the_credentials_are_audited_themselves(tmp_path: Path) -> None:
    """The control: the fake credentials would make a folder unsafe, with the marker in a finding, if read."""
    r = scan_path(fake_home(tmp_path))
    assert r.verdict == "unsafe"
    assert sum(MARKER in f.detail for f in r.findings) == len(CREDENTIALS)


def test_links_to_credentials_in_a_folder_are_named_and_never_read(cli, tmp_path: Path) -> None:
    home = fake_home(tmp_path)
    model = model_folder(tmp_path)
    names = {}
    for i, rel in enumerate(CREDENTIALS):
        name = f"file{i}.bin"
        (model / name).symlink_to(home / rel)
        names[name] = str(home / rel)
    res = cli("--json", "audit", model)
    assert res.code == 0, res.stderr
    doc = res.json()
    assert MARKER not in res.stdout  # not in a finding, and no file's bytes judged
    assert doc["verdict"] == "review"  # the medium findings: not clean, and no payload read
    found = {f["file"]: f for f in doc["findings"]}
    assert set(found) == set(names)
    for name, target in names.items():
        f = found[name]
        assert (f["rule"], f["severity"], f["import"]) == ("link.system_file", "medium", target)
        assert "a system or credentials file (not read)" in f["detail"]
    files = {e["file"]: (e["format"], e["bytes"]) for e in doc["files"]}
    assert files == {"model.safetensors": ("safetensors", len(st_file())), **{n: ("system-file", 0) for n in names}}
    assert doc["summary"]["bytes"] == len(st_file())
    assert cli("audit", model, "--fail-on", "medium").code == 1
    human = cli("audit", model)
    assert human.code == 0 and MARKER not in human.stdout
    assert "(not read)" in human.stdout and "system-file" in human.stdout


def test_sarif_and_the_store_get_no_credentials(cli, tmp_path: Path) -> None:
    home = fake_home(tmp_path)
    model = model_folder(tmp_path)
    (model / "tokenizer.json").symlink_to(home / ".ssh" / "id_rsa")
    out, db = tmp_path / "out.sarif", tmp_path / "s.duckdb"
    res = cli("--db", db, "--quiet", "audit", model, "--sarif", out, "--model-id", "org/name")
    assert res.code == 0, res.stderr
    sarif = out.read_text()
    assert MARKER not in sarif
    assert [x["ruleId"] for x in json.loads(sarif)["runs"][0]["results"]] == ["link.system_file"]
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT file, rule, detail FROM audit_findings").fetchall()
    verdicts = con.execute("SELECT verdict FROM audit_runs").fetchall()
    con.close()
    assert [(file, rule) for file, rule, _ in rows] == [("tokenizer.json", "link.system_file")]
    assert not any(MARKER in detail for *_, detail in rows) and verdicts == [("review",)]
    assert to_sarif(scan_path(model))["runs"][0]["properties"]["verdict"] == "review"


def test_a_chain_of_links_inside_the_folder_ending_at_a_key_is_not_read(tmp_path: Path) -> None:
    home = fake_home(tmp_path)
    model = model_folder(tmp_path)
    (model / "hop").symlink_to(home / ".ssh" / "id_rsa")
    (model / "pytorch_model.bin").symlink_to("hop")  # a link inside the folder to a link that leaves it
    r = scan_path(model)
    assert {f.file: (f.rule, f.import_) for f in r.findings} == {
        "hop": ("link.system_file", str(home / ".ssh" / "id_rsa")),
        "pytorch_model.bin": ("link.system_file", str(home / ".ssh" / "id_rsa"))}
    assert {e.file: e.format for e in r.files} == {"model.safetensors": "safetensors", "hop": "system-file",
                                                  "pytorch_model.bin": "system-file"}
    assert r.verdict == "review"


@pytest.mark.parametrize("kind", ["ssh-folder", "aws-folder", "etc", "proc-self"])
def test_a_link_to_a_system_or_credentials_folder_is_named_not_walked(tmp_path: Path, kind: str) -> None:
    """As given as the target: the finding, ``system-file``, no ``incomplete.unreadable`` asking to audit ~/.ssh
    (it used to: a folder link elsewhere leaves the audit incomplete), and nothing under it read."""
    home = fake_home(tmp_path)
    target = {"ssh-folder": home / ".ssh", "aws-folder": home / ".aws", "etc": Path("/etc"),
              "proc-self": Path("/proc/self")}[kind]
    model = model_folder(tmp_path)
    (model / "shards").symlink_to(target, target_is_directory=True)
    r = scan_path(model)
    (f,) = r.findings
    assert (f.file, f.rule, f.severity, f.import_) == ("shards", "link.system_file", "medium", str(target.resolve()))
    assert "a system or credentials folder (not read, not walked)" in f.detail
    assert {e.file: e.format for e in r.files} == {"model.safetensors": "safetensors", "shards": "system-file"}
    assert r.verdict == "review"


def test_an_ordinary_folder_elsewhere_still_leaves_the_audit_incomplete(tmp_path: Path) -> None:
    """The control for the folder case: a folder that is no system or credentials location is unchanged."""
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "w.pkl").write_bytes(payload())
    model = model_folder(tmp_path)
    (model / "shards").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    r = scan_path(model)
    assert [f.rule for f in r.findings] == ["incomplete.unreadable"]
    assert {e.file: e.format for e in r.files}["shards"] == "symlink-to-folder"


def test_an_ordinary_file_elsewhere_is_still_read(tmp_path: Path) -> None:
    """``link.outside_folder`` keeps its behaviour: what a loader reads through the link is judged."""
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "w.pkl").write_bytes(payload())
    model = model_folder(tmp_path)
    (model / "pytorch_model.bin").symlink_to(tmp_path / "elsewhere" / "w.pkl")
    r = scan_path(model)
    assert r.verdict == "unsafe" and any(MARKER in f.detail for f in r.findings)
    assert "link.outside_folder" in {f.rule for f in r.findings}


def test_a_cache_whose_blobs_folder_links_into_credentials_is_not_trusted(tmp_path: Path) -> None:
    """A snapshot's link to a hash-named file in ``blobs`` is the cache's and is read; a planted ``blobs`` link to
    a credentials folder does not make its hash-named file a blob."""
    home = fake_home(tmp_path)
    digest = hashlib.sha256(payload()).hexdigest()
    (home / ".ssh" / digest).write_bytes(payload())
    repo = tmp_path / "hub" / "models--org--name"
    snap = repo / "snapshots" / ("0" * 40)
    snap.mkdir(parents=True)
    (repo / "blobs").symlink_to(home / ".ssh", target_is_directory=True)
    (snap / "pytorch_model.bin").symlink_to(f"../../blobs/{digest}")
    r = scan_path(snap)
    assert [(f.file, f.rule) for f in r.findings] == [("pytorch_model.bin", "link.system_file")]
    assert r.verdict == "review" and not any(MARKER in f.detail for f in r.findings)


def test_the_folder_and_the_given_link_say_the_same(cli, tmp_path: Path) -> None:
    home = fake_home(tmp_path)
    model = model_folder(tmp_path)
    link = model / "vocab.txt"
    link.symlink_to(home / ".netrc")
    alone = cli("--json", "audit", link).json()
    folder = cli("--json", "audit", model).json()
    (a,) = alone["findings"]
    (b,) = folder["findings"]
    assert (a["file"], a["rule"], a["severity"], a["import"]) == (b["file"], b["rule"], b["severity"], b["import"])
    assert "(not read)" in a["detail"] and "(not read)" in b["detail"]
    assert alone["files"] == [{"file": "vocab.txt", "format": "system-file", "bytes": 0}]
    assert {"file": "vocab.txt", "format": "system-file", "bytes": 0} in folder["files"]
    assert alone["verdict"] == folder["verdict"] == "review"
