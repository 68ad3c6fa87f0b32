"""Files of an audited folder that are symbolic links leaving it, huggingface_hub's cache layout, and shard names
of a sharded-checkpoint index that leave the folder. Links and files are made in ``tmp_path``; nothing is loaded.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import struct
from pathlib import Path

from openscope.audit import links as audit_links
from openscope.audit import scan_path
from openscope.audit.sarif import to_sarif


def st_file(names: tuple[str, ...] = ("w",)) -> bytes:
    """A valid safetensors file with one F32 scalar tensor per name."""
    header: dict = {n: {"dtype": "F32", "shape": [], "data_offsets": [4 * i, 4 * i + 4]} for i, n in enumerate(names)}
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + bytes(4 * len(names))


def system_call() -> bytes:
    """A pickle that imports posix.system and calls it (written, never loaded)."""
    return b"\x80\x02cposix\nsystem\nX\x02\x00\x00\x00idR."


def rules(report) -> dict[str, list]:
    out: dict[str, list] = {}
    for f in report.findings:
        out.setdefault(f.rule, []).append(f)
    return out


def formats(report) -> dict[str, str]:
    return {e.file: e.format for e in report.files}


def test_a_file_link_leaving_the_folder_names_its_target(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "w.safetensors").write_bytes(st_file())
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text('{"model_type": "x"}')
    (model / "model.safetensors").symlink_to(outside / "w.safetensors")
    r = scan_path(model)
    (f,) = rules(r)["link.outside_folder"]
    assert (f.file, f.severity, f.import_) == ("model.safetensors", "low", str(outside / "w.safetensors"))
    assert "outside the audited folder" in f.detail and "can change after this audit" in f.detail
    assert formats(r)["model.safetensors"] == "safetensors"  # the target's bytes are still scanned
    assert r.verdict == "review"


def test_the_target_is_still_judged(tmp_path: Path) -> None:
    (tmp_path / "payload.pkl").write_bytes(system_call())
    model = tmp_path / "model"
    model.mkdir()
    (model / "pytorch_model.bin").symlink_to("../payload.pkl")  # relative, as a tar or git would store it
    r = scan_path(model)
    assert rules(r)["link.outside_folder"][0].import_ == str(tmp_path / "payload.pkl")
    assert any(f.import_ == "posix.system" for f in r.findings)
    assert r.verdict == "unsafe"


def test_links_that_stay_inside_are_not_reported(tmp_path: Path) -> None:
    model = tmp_path / "model"
    (model / "weights").mkdir(parents=True)
    (model / "weights" / "w.safetensors").write_bytes(st_file())
    (model / "model.safetensors").symlink_to("weights/w.safetensors")
    (model / "alias.safetensors").symlink_to(model / "model.safetensors")  # a chain, ending inside
    alias = tmp_path / "alias"
    alias.symlink_to(model, target_is_directory=True)
    for target in (model, alias):  # the audited folder named through a link is resolved too
        r = scan_path(target)
        assert r.verdict == "clean", r.findings
        assert formats(r)["alias.safetensors"] == "safetensors"
    # a chain of links inside the folder that ends outside is reported with its final target
    (tmp_path / "out.safetensors").write_bytes(st_file())
    (model / "hop").symlink_to(tmp_path / "out.safetensors")
    (model / "chain.safetensors").symlink_to("hop")
    found = {f.file: f.import_ for f in rules(scan_path(model))["link.outside_folder"]}
    assert found == {"hop": str(tmp_path / "out.safetensors"), "chain.safetensors": str(tmp_path / "out.safetensors")}


def make_cache(hub: Path, files: dict[str, bytes]) -> Path:
    """huggingface_hub's cache layout: blobs named by SHA-256, a snapshot of relative links to them, refs/main."""
    repo = hub / "models--org--name"
    rev = "0123456789abcdef0123456789abcdef01234567"
    snap = repo / "snapshots" / rev
    (repo / "blobs").mkdir(parents=True)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(rev)
    for name, data in files.items():
        digest = hashlib.sha256(data).hexdigest()
        (repo / "blobs" / digest).write_bytes(data)
        link = snap / name
        link.parent.mkdir(parents=True, exist_ok=True)
        up = "../" * (name.count("/") + 2)
        link.symlink_to(f"{up}blobs/{digest}")
    return snap


def test_a_huggingface_cache_snapshot_reads_its_blobs(tmp_path: Path) -> None:
    index = {"metadata": {}, "weight_map": {"a": "model-00001-of-00001.safetensors"}}
    snap = make_cache(tmp_path / "hub", {
        "config.json": b'{"model_type": "x"}',
        "model.safetensors.index.json": json.dumps(index).encode(),
        "model-00001-of-00001.safetensors": st_file(("a",)),
        "sub/extra.pkl": pickle.dumps({"k": [1, 2]}, protocol=2),
    })
    r = scan_path(snap)
    assert formats(r) == {"config.json": "json", "model.safetensors.index.json": "checkpoint-index",
                          "model-00001-of-00001.safetensors": "safetensors", "sub/extra.pkl": "pickle"}
    assert r.verdict == "clean", r.findings
    assert scan_path(snap.parent).verdict == "clean"  # every revision at once
    # a payload in a blob is found through the snapshot's link
    bad = make_cache(tmp_path / "hub2", {"pytorch_model.bin": system_call()})
    assert scan_path(bad).verdict == "unsafe"
    # only a hash-named file in the blobs folder beside `snapshots` is the cache's: other targets are reported
    repo = snap.parent.parent
    (repo / "blobs" / "notahash").write_bytes(st_file())
    (snap / "odd.safetensors").symlink_to("../../blobs/notahash")
    (tmp_path / "hub" / "w.safetensors").write_bytes(st_file())
    (snap / "up.safetensors").symlink_to(tmp_path / "hub" / "w.safetensors")
    found = {f.file for f in rules(scan_path(snap))["link.outside_folder"]}
    assert found == {"odd.safetensors", "up.safetensors"}


def test_links_to_system_and_credentials_files(tmp_path: Path) -> None:
    home = tmp_path / "home" / "user"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_ed25519").write_bytes(b"-----BEGIN OPENSSH PRIVATE KEY-----\n")
    (home / ".cache" / "huggingface").mkdir(parents=True)
    (home / ".cache" / "huggingface" / "token").write_text("hf_x")
    model = tmp_path / "model"
    model.mkdir()
    (model / "tokenizer.json").symlink_to(home / ".ssh" / "id_ed25519")
    (model / "vocab.txt").symlink_to(home / ".cache" / "huggingface" / "token")
    (model / "merges.txt").symlink_to("/etc/passwd")
    (model / "environ.bin").symlink_to("/proc/self/environ")
    (model / "zeros.bin").symlink_to("/dev/zero")
    r = scan_path(model)
    found = {f.file: f for f in rules(r)["link.system_file"]}
    assert set(found) == {"tokenizer.json", "vocab.txt", "merges.txt", "environ.bin", "zeros.bin"}
    assert all(f.severity == "medium" for f in found.values())
    assert found["tokenizer.json"].import_ == str(home / ".ssh" / "id_ed25519")
    assert "link.outside_folder" not in rules(r)
    fmt = formats(r)
    # none is read: not a pseudo-file (a read there can block or act), a device (never opened), nor a regular
    # system or credentials file (the audit must not open a user's secret: tests/test_audit_walk_system_links.py)
    assert {fmt[n] for n in found} == {"system-file"}
    assert all("not read" in f.detail for f in found.values())
    assert r.verdict == "review"


def test_a_link_to_a_fifo_elsewhere_is_never_opened(tmp_path: Path) -> None:
    (tmp_path / "outside").mkdir()
    os.mkfifo(tmp_path / "outside" / "pipe")  # opening it for reading would block the audit forever
    model = tmp_path / "model"
    model.mkdir()
    (model / "weights.bin").symlink_to(tmp_path / "outside" / "pipe")
    r = scan_path(model)
    assert formats(r)["weights.bin"] == "special-file"  # not "broken-symlink": the target exists
    assert set(rules(r)) == {"link.outside_folder", "incomplete.special_file"}
    assert r.verdict == "incomplete"


def test_sensitive_paths() -> None:
    assert audit_links.sensitive("/etc/shadow") and audit_links.sensitive("/proc/1/environ")
    assert audit_links.sensitive("/home/u/.aws/credentials") and audit_links.sensitive("/root/.netrc")
    assert audit_links.sensitive("/home/u/.config/gcloud/application_default_credentials.json")
    assert not audit_links.sensitive("/etcetera/w.bin") and not audit_links.sensitive("/data/ssh/w.bin")
    assert not audit_links.sensitive("/home/u/.cache/huggingface/hub/models--a--b/blobs/" + "0" * 64)


def test_index_shards_that_leave_the_folder(tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.mkdir()
    (model / "model-1.safetensors").write_bytes(st_file(("a",)))
    index = {"weight_map": {"a": "model-1.safetensors", "b": "/etc/x.safetensors", "c": "../x.safetensors",
                            "d": "sub\\..\\..\\x.safetensors", "e": "C:\\x.safetensors", "f": "sub/../../y.safetensors"}}
    (model / "model.safetensors.index.json").write_text(json.dumps(index))
    found = {f.detail.split("'")[1] for f in rules(scan_path(model))["index.path_traversal"]}
    assert found == {"/etc/x.safetensors", "../x.safetensors", "sub\\\\..\\\\..\\\\x.safetensors",
                     "C:\\\\x.safetensors", "sub/../../y.safetensors"}


def test_sarif_names_the_link_rules(tmp_path: Path) -> None:
    (tmp_path / "w.bin").write_bytes(b"x")
    model = tmp_path / "model"
    model.mkdir()
    (model / "w.bin").symlink_to(tmp_path / "w.bin")
    (model / "k").symlink_to("/etc/passwd")
    run = to_sarif(scan_path(model))["runs"][0]
    texts = {x["id"]: x["shortDescription"]["text"] for x in run["tool"]["driver"]["rules"]}
    assert "outside the audited folder" in texts["link.outside_folder"]
    assert "credentials" in texts["link.system_file"]
    assert {x["ruleId"]: x["level"] for x in run["results"]} == {"link.outside_folder": "note",
                                                                 "link.system_file": "warning"}
