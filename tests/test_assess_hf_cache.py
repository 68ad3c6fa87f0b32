"""`assess` of a model as huggingface_hub downloads it: a cache snapshot whose files are links to their blobs.

``snapshot_download`` leaves ``models--org--name/snapshots/<rev>/README.md -> ../../blobs/<hash>``: every file
of the snapshot leads out of the snapshot folder. Those files are the snapshot's own and are read (card and
licence files alike), while any other link out of the folder is not (it was not published with the model, and
its text would land in the evidence), for the README as for the licence files.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

CARD = """# Wren-tiny

A small test model for the cache layout. Its training code is in `train.py` of this repository.
"""

APACHE = """                                 Apache License
                           Version 2.0, January 2004
                        http://www.apache.org/licenses/

   TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION
"""

SHA1 = "3" * 40
SHA256 = "c" * 64


def _cache(tmp: Path) -> Path:
    """A huggingface_hub cache entry: blobs named by their hashes, a snapshot folder of links to them."""
    repo = tmp / "hub" / "models--acme--wren-tiny"
    (repo / "blobs").mkdir(parents=True)
    snap = repo / "snapshots" / "0123abcd"
    snap.mkdir(parents=True)
    (repo / "blobs" / SHA1).write_text(CARD)
    (repo / "blobs" / SHA256).write_text(APACHE)
    (snap / "README.md").symlink_to(Path("..") / ".." / "blobs" / SHA1)
    (snap / "LICENSE").symlink_to(Path("..") / ".." / "blobs" / SHA256)
    (snap / "model.safetensors").symlink_to(Path("..") / ".." / "blobs" / SHA256)
    return snap


def _assess(cli, folder: Path) -> tuple[dict, str]:
    res = cli("--json", "assess", folder, "--no-experts")
    assert res.code == 0, res.stderr
    return json.loads(res.stdout), res.stderr


def _evidence(doc: dict) -> list[dict]:
    return [e for c in doc["components"].values() for e in c["evidence"]]


@pytest.mark.timeout(60)
def test_a_cache_snapshot_is_read_through_its_blob_links(tmp_path: Path, cli) -> None:
    doc, err = _assess(cli, _cache(tmp_path))
    assert "leads out of the folder" not in err and "no README" not in err
    # the licence file behind its link is read and identified (the card names no licence), and the card behind
    # the other is read (its words are quoted)
    weights = doc["components"]["Model parameters (Final)"]
    assert (weights["status"], weights["license"], doc["osai"]["licenses"]) == ("open_license", "apache-2.0", "open")
    assert any("train.py" in e["snippet"] for e in _evidence(doc)), _evidence(doc)


@pytest.mark.timeout(60)
def test_links_out_of_a_folder_that_are_not_a_cache_blob_are_not_read(tmp_path: Path, cli) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "notes.md").write_text("# My private notes\n\nThe weights are released under the MIT license.\n")
    (outside / "LICENSE").write_text(APACHE)
    rel = tmp_path / "release"
    rel.mkdir()
    (rel / "README.md").symlink_to(outside / "notes.md")
    (rel / "LICENSE").symlink_to(outside / "LICENSE")
    doc, err = _assess(cli, rel)
    assert "README.md is a symbolic link that leads out of the folder; it was not read" in err
    assert "LICENSE is a symbolic link that leads out of the folder; it was not read" in err
    assert not any("private notes" in e["snippet"] or "MIT" in e["snippet"] for e in _evidence(doc))
    assert doc["osai"]["licenses"] == "unknown"  # a licence file is there, unread: its terms are unknown
    # named directly, the file is the user's choice and is read
    direct, _ = _assess(cli, rel / "README.md")
    assert any("MIT" in e["snippet"] for e in _evidence(direct))


@pytest.mark.timeout(60)
def test_a_hash_named_file_outside_a_snapshot_layout_is_not_a_cache_blob(tmp_path: Path, cli) -> None:
    """Only a link from under a ``snapshots`` folder to the ``blobs`` folder beside it is the cache's: the same
    hash-named target reached from a folder that is no snapshot, or a snapshot's link to a blobs folder elsewhere,
    stays a link out of the folder."""
    snap = _cache(tmp_path)
    blob = os.path.realpath(snap / "LICENSE")
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "LICENSE").symlink_to(blob)
    (plain / "README.md").write_text("# Plain\n")
    _, err = _assess(cli, plain)
    assert "LICENSE is a symbolic link that leads out of the folder" in err
    other = tmp_path / "elsewhere" / "blobs"
    other.mkdir(parents=True)
    (other / SHA256).write_text(APACHE)
    (snap / "LICENSE").unlink()
    (snap / "LICENSE").symlink_to(other / SHA256)
    _, err = _assess(cli, snap)
    assert "LICENSE is a symbolic link that leads out of the folder" in err


@pytest.mark.timeout(60)
def test_the_cache_folder_of_a_repository_reads_the_snapshot_refs_main_names(tmp_path: Path, cli) -> None:
    snap = _cache(tmp_path)
    repo = snap.parent.parent
    # an older revision beside it, whose card names other terms: refs/main decides which one is read
    old = repo / "snapshots" / "9999ffff"
    old.mkdir()
    (repo / "blobs" / ("d" * 40)).write_text("# Wren-tiny (old)\n\nReleased under the MIT license.\n")
    (old / "README.md").symlink_to(Path("..") / ".." / "blobs" / ("d" * 40))
    (repo / "refs").mkdir()
    rev = "0123abcd" + "0" * 32
    snap.rename(repo / "snapshots" / rev)
    (repo / "refs" / "main").write_text(rev)
    doc, err = _assess(cli, repo)
    assert f"is a huggingface_hub cache folder: read its snapshot {rev} (refs/main)" in err
    assert doc["id"] == "acme/wren-tiny"   # the model the cache folder names, not the revision
    assert doc["components"]["Model parameters (Final)"]["license"] == "apache-2.0"
    assert not any("MIT" in e["snippet"] for e in _evidence(doc))
    # the snapshot given itself: the same model id
    direct, _ = _assess(cli, repo / "snapshots" / rev)
    assert direct["id"] == "acme/wren-tiny" and direct["osai"] == doc["osai"]
    # several snapshots and no refs/main: no guess, the user is told to name one
    (repo / "refs" / "main").unlink()
    doc, err = _assess(cli, repo)
    assert "several snapshots and no refs/main: give the snapshot to read" in err
    assert doc["osai"]["licenses"] == "closed" and "no README.md" in err


@pytest.mark.timeout(120)
def test_a_folder_huggingface_hub_downloaded_from_the_simulated_hub(tmp_path: Path, cli) -> None:
    """The layout as huggingface_hub itself writes it (``snapshot_download`` from the simulated Hub on loopback): the
    licence file behind its blob link is read and cited, and the model is named as on the Hub."""
    from huggingface_hub import HfApi, snapshot_download

    from openscope.simhub.testing import running_simhub

    with running_simhub(models=300, datasets=5, seed=2) as hub:
        api = HfApi(endpoint=hub.url, token=False)
        model = next(m.id for m in api.list_models(limit=300, full=True)
                     if "LICENSE" in {s.rfilename for s in (m.siblings or [])})
        snap = Path(snapshot_download(model, cache_dir=tmp_path, endpoint=hub.url, token=False,
                                      allow_patterns=["README.md", "LICENSE", "*.json"]))
    assert (snap / "LICENSE").is_symlink() and "blobs" in os.readlink(snap / "LICENSE")
    doc, err = _assess(cli, snap.parent.parent)
    assert "leads out of the folder" not in err and "(refs/main)" in err
    assert doc["id"] == model and doc["locator"] == str(snap)
    declared = next(p for p in doc["probes"] if p["probe"] == "license_declared")
    assert any(e["kind"] == "file" and e["locator"] == f"{snap}/LICENSE#L1" for e in declared["evidence"]), declared
