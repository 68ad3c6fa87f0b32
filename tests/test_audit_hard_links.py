"""A hard link to a system or credentials file is never read (docs/audit.md, *Links that leave the folder*).

Before: a symbolic link in an audited folder to ``~/.ssh/id_rsa`` got ``link.system_file`` and was not read, while a
hard link to it was read as an ordinary file, the key included. Now a file whose link count is above 1 and whose
(device, inode) is that of a file of ``links.sensitive.files`` gets the same finding and is listed as
``system-file``, 0 bytes, not read. Hard links that match nothing (a huggingface_hub cache, git objects) are read
as before.

The "credentials" are files this test writes under a fake home in ``tmp_path`` holding a pickle that calls
``posix.system`` with a marker (``tests.test_audit_walk_system_links``): a read would make the folder ``unsafe`` and
put the marker in the output. They are registered either through ``scan_path``'s ``sensitive_files`` (the list of
paths, whose default is rules.yml's) or through ``HOME`` with the real defaults (``~/.ssh``, ``~/.aws``…).
Nothing is loaded.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pytest
from cpu_time import thread_cpu_seconds

from openscope.audit import links, scan_path
from openscope.audit.blob import map_file
from tests.test_audit_links import st_file
from tests.test_audit_walk_system_links import CREDENTIALS, MARKER, fake_home, model_folder, payload


def test_a_hard_link_to_a_registered_credentials_file_is_named_and_never_read(tmp_path: Path) -> None:
    home = fake_home(tmp_path)
    model = model_folder(tmp_path)
    key = home / ".ssh" / "id_rsa"
    os.link(key, model / "tokenizer.json")
    r = scan_path(model, sensitive_files=[str(key)])
    (f,) = r.findings
    assert (f.file, f.rule, f.severity, f.import_) == ("tokenizer.json", "link.system_file", "medium", str(key))
    st = os.stat(key)
    assert f.detail.startswith(f"a hard link to {str(key)!r} (the same file: device {st.st_dev}, inode {st.st_ino}), "
                               "a system or credentials file (not read)")
    assert MARKER not in f.detail
    assert {e.file: (e.format, e.bytes) for e in r.files} == {
        "model.safetensors": ("safetensors", len(st_file())), "tokenizer.json": ("system-file", 0)}
    assert r.verdict == "review"
    # the control: without the registration the same folder reads the key (the payload is found)
    r = scan_path(model, sensitive_files=[])
    assert r.verdict == "unsafe" and any(MARKER in f.detail for f in r.findings)


def test_a_registered_folder_stands_for_its_files(tmp_path: Path) -> None:
    home = fake_home(tmp_path)
    (home / ".aws" / "sso" / "cache").mkdir(parents=True)
    (home / ".aws" / "sso" / "cache" / "token.json").write_bytes(payload())
    model = model_folder(tmp_path)
    os.link(home / ".aws" / "credentials", model / "vocab.txt")
    os.link(home / ".aws" / "sso" / "cache" / "token.json", model / "merges.txt")
    r = scan_path(model, sensitive_files=[str(home / ".aws")])
    assert {f.file: (f.rule, f.import_) for f in r.findings} == {
        "vocab.txt": ("link.system_file", str(home / ".aws" / "credentials")),
        "merges.txt": ("link.system_file", str(home / ".aws" / "sso" / "cache" / "token.json"))}
    assert r.verdict == "review"


def test_the_real_defaults_under_home(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """rules.yml's list as shipped: ``~`` is the user's home (``HOME``), ``$HF_HOME`` the environment's."""
    home = fake_home(tmp_path)
    hf_home = tmp_path / "hf"
    hf_home.mkdir()
    (hf_home / "token").write_bytes(payload())
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("HF_HOME", str(hf_home))
    model = model_folder(tmp_path)
    names = {}
    for i, rel in enumerate(CREDENTIALS):
        os.link(home / rel, model / f"file{i}.bin")
        names[f"file{i}.bin"] = str(home / rel)
    os.link(hf_home / "token", model / "hf.bin")
    names["hf.bin"] = str(hf_home / "token")
    res = cli("--json", "audit", model)
    assert res.code == 0, res.stderr
    assert MARKER not in res.stdout
    doc = res.json()
    assert doc["verdict"] == "review"
    assert {f["file"]: (f["rule"], f["severity"], f["import"]) for f in doc["findings"]} == {
        name: ("link.system_file", "medium", target) for name, target in names.items()}
    assert {e["file"]: e["format"] for e in doc["files"]} == {
        "model.safetensors": "safetensors", **{name: "system-file" for name in names}}
    assert cli("audit", model, "--fail-on", "medium").code == 1


def test_sarif_and_the_store_get_no_credentials(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = fake_home(tmp_path)
    monkeypatch.setenv("HOME", str(home))
    model = model_folder(tmp_path)
    os.link(home / ".netrc", model / "config.json")
    out, db = tmp_path / "out.sarif", tmp_path / "s.duckdb"
    res = cli("--db", db, "--quiet", "audit", model, "--sarif", out, "--model-id", "org/name")
    assert res.code == 0, res.stderr
    sarif = json.loads(out.read_text())
    assert MARKER not in out.read_text()
    (result,) = sarif["runs"][0]["results"]
    assert result["ruleId"] == "link.system_file" and "hard link" in result["message"]["text"]
    assert sarif["runs"][0]["tool"]["driver"]["rules"][0]["shortDescription"]["text"] == \
        "Model file is a link (symbolic or hard) to a system or credentials file"
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT file, rule, detail FROM audit_findings").fetchall()
    con.close()
    assert [(file, rule) for file, rule, _ in rows] == [("config.json", "link.system_file")]
    assert not any(MARKER in detail for *_, detail in rows)


def test_hard_links_that_match_nothing_are_read_as_before(tmp_path: Path) -> None:
    """A cache or a git object store is full of hard links: the payload behind one is still found."""
    home = fake_home(tmp_path)
    model = model_folder(tmp_path)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "w.pkl").write_bytes(payload())
    os.link(tmp_path / "elsewhere" / "w.pkl", model / "pytorch_model.bin")  # to a file outside the folder
    os.link(model / "model.safetensors", model / "copy.safetensors")  # two names inside it
    r = scan_path(model, sensitive_files=[str(home / ".ssh"), str(home / ".netrc")])
    assert r.verdict == "unsafe"
    assert [f.file for f in r.findings if MARKER in f.detail] == ["pytorch_model.bin"]
    assert {e.file: e.format for e in r.files} == {"copy.safetensors": "safetensors",
                                                  "model.safetensors": "safetensors", "pytorch_model.bin": "pickle"}


def test_the_known_file_audited_by_its_own_name_is_read(tmp_path: Path) -> None:
    """``openscope audit ~/.ssh`` asks for those files: a key with a second name elsewhere is still read."""
    home = fake_home(tmp_path)
    os.link(home / ".ssh" / "id_rsa", tmp_path / "backup_id_rsa")
    r = scan_path(home / ".ssh", sensitive_files=[str(home / ".ssh")])
    assert r.verdict == "unsafe" and [f.file for f in r.findings if MARKER in f.detail] == ["id_rsa"]
    r = scan_path(home / ".ssh" / "id_rsa", sensitive_files=[str(home / ".ssh")])
    assert r.verdict == "unsafe"


def test_a_hard_link_given_as_the_target_and_through_a_symbolic_link(cli, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    home = fake_home(tmp_path)
    monkeypatch.setenv("HOME", str(home))
    model = model_folder(tmp_path)
    os.link(home / ".aws" / "credentials", model / "vocab.txt")
    (model / "tokenizer.model").symlink_to("vocab.txt")  # a link inside the folder to the hard link
    alone = cli("--json", "audit", model / "vocab.txt").json()
    assert alone["files"] == [{"file": "vocab.txt", "format": "system-file", "bytes": 0}]
    (f,) = alone["findings"]
    assert (f["rule"], f["import"]) == ("link.system_file", str(home / ".aws" / "credentials"))
    via = cli("--json", "audit", model / "tokenizer.model")
    assert MARKER not in via.stdout and via.json()["verdict"] == "review"
    folder = cli("--json", "audit", model)
    assert MARKER not in folder.stdout
    assert {f["file"] for f in folder.json()["findings"]} == {"vocab.txt", "tokenizer.model"}


def test_a_loop_in_a_registered_folder_and_unset_variables(tmp_path: Path) -> None:
    home = fake_home(tmp_path)
    (home / ".ssh" / "loop").symlink_to(home / ".ssh", target_is_directory=True)
    model = model_folder(tmp_path)
    os.link(home / ".ssh" / "id_rsa", model / "a.bin")
    t0 = thread_cpu_seconds()
    r = scan_path(model, sensitive_files=["$OPENSCOPE_TEST_UNSET_VARIABLE/token", str(home / ".ssh")])
    assert thread_cpu_seconds() - t0 < 2.0
    assert [(f.file, f.rule) for f in r.findings] == [("a.bin", "link.system_file")]
    assert links.expand("$OPENSCOPE_TEST_UNSET_VARIABLE/token") is None


def test_many_hard_links_cost_one_look_at_the_known_files(tmp_path: Path) -> None:
    """500 files of two names each (a cache's usual shape): each is read; the known files are stat'ed once."""
    home = fake_home(tmp_path)
    for i in range(MANY := 500):
        (home / ".gnupg").mkdir(exist_ok=True)
        (home / ".gnupg" / f"k{i}").write_bytes(b"x")
    model = model_folder(tmp_path)
    for i in range(MANY):
        (model / f"f{i}.txt").write_bytes(b"plain text")
        os.link(model / f"f{i}.txt", tmp_path / f"other{i}")
    t0 = thread_cpu_seconds()
    r = scan_path(model, sensitive_files=[str(home / ".gnupg")] * 20)
    assert thread_cpu_seconds() - t0 < 5.0
    assert r.findings == [] and len(r.files) == MANY + 1


def test_every_default_path_is_matched_by_the_symbolic_link_patterns(monkeypatch: pytest.MonkeyPatch) -> None:
    """So a symbolic link to any of them gets the same finding (``links.sensitive``)."""
    monkeypatch.setenv("HOME", "/home/someone")
    for var in ("HF_HOME", "HF_TOKEN_PATH", "XDG_CACHE_HOME", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(var, raising=False)
    paths = [links.expand(e) for e in links.policy().files]
    assert sum(p is None for p in paths) == sum("$" in e for e in links.policy().files) > 0
    for path in filter(None, paths):
        assert links.sensitive(path), path
    assert "/home/someone/.ssh" in paths and "/etc/shadow" in paths


def test_the_descriptor_is_checked_too_and_closed_on_refusal(tmp_path: Path) -> None:
    """``map_file`` shows the screen the path's stat and then the open descriptor's (the path can change between
    them); a refusal at the second closes the descriptor."""
    p = tmp_path / "f"
    p.write_bytes(b"data")
    seen: list[int] = []

    def screen(st: os.stat_result) -> None:
        seen.append(st.st_ino)
        if len(seen) == 2:
            raise links.HardLinked(str(p), st)

    fds = len(os.listdir("/proc/self/fd"))
    with pytest.raises(links.HardLinked):
        map_file(p, screen)
    assert seen == [p.stat().st_ino] * 2
    assert len(os.listdir("/proc/self/fd")) == fds
