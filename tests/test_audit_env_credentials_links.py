"""A symbolic link to a credentials file the environment locates is never read (docs/audit.md, *Links that leave
the folder*).

Before: ``link.system_file`` for a symbolic link was decided by name patterns alone (``…/huggingface/token``,
``.aws``…), so with ``HF_HOME=/data/hf`` a ``vocab.txt -> /data/hf/token`` in an audited folder matched nothing and
the token was opened and scanned as a model file (its text could reach a finding, ``--json``, SARIF, the store),
while a hard link to the same file was refused (``links.HardLinks``). Now the entries of rules.yml
``links.sensitive.files`` (``$HF_HOME/token``, ``$HF_TOKEN_PATH``, ``$AWS_SHARED_CREDENTIALS_FILE``…) are expanded
and resolved once per audit and a link whose target is one of them gets the same finding and is not read.

The "tokens" are files this test writes under ``tmp_path`` holding a pickle that calls ``posix.system`` with a
marker (``tests.test_audit_walk_system_links``): a read makes the folder ``unsafe`` and puts the marker in the
output. The environment is pointed at them with ``monkeypatch``. Nothing is loaded.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from openscope.audit import links, scan_path
from tests.test_audit_walk_system_links import MARKER, model_folder, payload

ENV = ("HF_HOME", "HF_TOKEN_PATH", "XDG_CACHE_HOME", "AWS_SHARED_CREDENTIALS_FILE")


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean environment: a home of its own, none of the variables set; returns a folder for the tokens."""
    home = tmp_path / "home" / "user"
    home.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    for var in ENV:
        monkeypatch.delenv(var, raising=False)
    place = tmp_path / "data"
    place.mkdir()
    return place


def token(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(payload())
    return path


def test_a_link_to_the_token_under_hf_home(env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    hf = env / "hf"
    tok = token(hf / "token")
    stored = token(hf / "stored_tokens")
    model = model_folder(tmp_path)
    (model / "vocab.txt").symlink_to(tok)
    (model / "merges.txt").symlink_to(stored)
    # the control first: HF_HOME unset, the name 'token' matches no pattern, the file is read (the marker shows)
    r = scan_path(model)
    assert r.verdict == "unsafe" and sum(MARKER in f.detail for f in r.findings) == 2
    monkeypatch.setenv("HF_HOME", str(hf))
    r = scan_path(model)
    assert {f.file: (f.rule, f.severity, f.import_) for f in r.findings} == {
        "vocab.txt": ("link.system_file", "medium", str(tok)),
        "merges.txt": ("link.system_file", "medium", str(stored))}
    assert not any(MARKER in f.detail for f in r.findings)
    assert {e.file: (e.format, e.bytes) for e in r.files if e.file != "model.safetensors"} == {
        "vocab.txt": ("system-file", 0), "merges.txt": ("system-file", 0)}
    assert r.verdict == "review"


def test_hf_token_path_and_aws_credentials_anywhere(env: Path, monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    tok = token(env / "secrets" / "my-hub-token")
    aws = token(env / "secrets" / "creds.ini")
    monkeypatch.setenv("HF_TOKEN_PATH", str(tok))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(aws))
    model = model_folder(tmp_path)
    (model / "a.json").symlink_to(tok)
    (model / "b.json").symlink_to(aws)
    r = scan_path(model)
    assert sorted((f.file, f.rule) for f in r.findings) == [("a.json", "link.system_file"),
                                                           ("b.json", "link.system_file")]
    assert not any(MARKER in f.detail for f in r.findings)


def test_the_location_is_resolved_and_chains_of_links_reach_it(env: Path, monkeypatch: pytest.MonkeyPatch,
                                                               tmp_path: Path) -> None:
    """``HF_HOME`` itself a link to the real folder, and a link in the model to another link to the token."""
    real = env / "real-hf"
    tok = token(real / "token")
    (env / "hf-link").symlink_to(real, target_is_directory=True)
    monkeypatch.setenv("HF_HOME", str(env / "hf-link"))
    (env / "middle").symlink_to(env / "hf-link" / "token")
    model = model_folder(tmp_path)
    (model / "tokenizer.model").symlink_to(env / "middle")
    r = scan_path(model)
    assert [(f.file, f.rule, f.import_) for f in r.findings] == [("tokenizer.model", "link.system_file", str(tok))]


def test_given_as_the_target(cli, env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    tok = token(env / "hf" / "token")
    monkeypatch.setenv("HF_HOME", str(env / "hf"))
    link = tmp_path / "model.bin"
    link.symlink_to(tok)
    res = cli("--json", "audit", link)
    assert res.code == 0, res.stderr
    assert MARKER not in res.stdout
    doc = res.json()
    assert doc["verdict"] == "review" and doc["link_to"] == str(tok)
    assert doc["files"] == [{"file": "model.bin", "format": "system-file", "bytes": 0}]
    assert [f["rule"] for f in doc["findings"]] == ["link.system_file"]


def test_a_link_to_a_folder_holding_the_token(env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """``$HF_HOME/stored_tokens`` may be a folder: a link to it is neither walked nor read."""
    token(env / "hf" / "stored_tokens" / "default")
    monkeypatch.setenv("HF_HOME", str(env / "hf"))
    model = model_folder(tmp_path)
    (model / "extra").symlink_to(env / "hf" / "stored_tokens", target_is_directory=True)
    r = scan_path(model)
    assert [(f.file, f.rule) for f in r.findings] == [("extra", "link.system_file")]
    assert "(not read, not walked)" in r.findings[0].detail


def test_ordinary_files_beside_the_token_are_read(env: Path, monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    """Only the listed locations are refused: a payload elsewhere under ``HF_HOME`` (a hub cache file) is found."""
    hf = env / "hf"
    token(hf / "token")
    other = token(hf / "hub" / "weights.pkl")
    monkeypatch.setenv("HF_HOME", str(hf))
    model = model_folder(tmp_path)
    (model / "pytorch_model.bin").symlink_to(other)
    r = scan_path(model)
    assert r.verdict == "unsafe" and any(MARKER in f.detail for f in r.findings)
    assert {f.rule for f in r.findings} >= {"link.outside_folder"}


@pytest.mark.parametrize("value", ["/", "~", "~/..", ""])
def test_a_location_that_would_cover_everything_is_ignored(env: Path, monkeypatch: pytest.MonkeyPatch,
                                                           tmp_path: Path, value: str) -> None:
    """``HF_TOKEN_PATH=/`` (or the home folder) by mistake must not make every link a credential, unread."""
    monkeypatch.setenv("HF_TOKEN_PATH", os.path.expanduser(value))
    elsewhere = token(tmp_path / "home" / "user" / "models" / "w.pkl")
    model = model_folder(tmp_path)
    (model / "pytorch_model.bin").symlink_to(elsewhere)
    r = scan_path(model)
    assert r.verdict == "unsafe" and any(MARKER in f.detail for f in r.findings)
    assert all(loc not in ("/", str(tmp_path / "home" / "user"), str(tmp_path / "home"))
               for loc in links.located(links.policy().files))


def test_locations_are_resolved_once_per_audit(env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The list is resolved the first time a link asks and kept for the audit (the environment read then)."""
    monkeypatch.setenv("HF_HOME", str(env / "hf"))
    known = links.HardLinks()
    first = known.locations()
    assert str(env / "hf" / "token") in first and str(env / "hf" / "stored_tokens") in first
    monkeypatch.setenv("HF_HOME", str(env / "other"))
    assert known.locations() is first
    assert str(env / "other" / "token") in links.HardLinks().locations()
    tok = token(env / "other" / "token")
    model = model_folder(tmp_path)
    for i in range(50):
        (model / f"l{i}.txt").symlink_to(tok)
    r = scan_path(model)
    assert len(r.findings) == 50 and {f.rule for f in r.findings} == {"link.system_file"}
