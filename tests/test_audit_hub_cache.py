"""A huggingface_hub cache audited once per file, under the names users know (docs/audit.md, "One file, several
names"). huggingface_hub keeps each file once, as ``models--Org--Name/blobs/<hash>``, and names it in every revision
that has it with a relative symbolic link ``snapshots/<rev>/<file> -> ../../blobs/<hash>``: an audit of the cache
root (or of one ``models--…`` folder) read every file under each of its names, so a malicious pickle was two
findings (three with two revisions) and the summary counted its bytes as often.

The cache is laid out here by our own code exactly as huggingface_hub lays it out (``blobs``, ``refs/main``,
``snapshots/<rev>``, links ``../../blobs/<sha256>``); the pickle is written opcode by opcode; nothing is loaded
(the trap of audit_samples fails a test that unpickles or imports anything).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from audit_samples import call, no_loading, st_file  # noqa: F401 - no_loading: autouse trap

from openscope.audit import scan_path

REPO = "models--acme--tiny-model"
REV1 = "1" * 40  # sorts before REV2: its names are the ones kept
REV2 = "2" * 40
MARKER = "OPENSCOPE-TEST-MARKER"  # in the pickle's argument (audit_samples.PAYLOAD)

PAYLOAD = call("posix", "system")
WEIGHTS = st_file({"w": {"dtype": "F32", "shape": [], "data_offsets": [0, 4]}, "__metadata__": {"format": "pt"}},
                  bytes(4))
CONFIG = b'{"model_type": "tiny"}'


def _blob(repo: Path, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    (repo / "blobs").mkdir(parents=True, exist_ok=True)
    (repo / "blobs" / digest).write_bytes(data)
    return digest


def hub_cache(hub: Path, revisions: dict[str, dict[str, bytes]] | None = None) -> Path:
    """A cache as huggingface_hub writes it; returns the ``models--…`` folder. By default two revisions share the
    malicious pickle and the config; only the first has the safetensors file."""
    revisions = revisions or {REV1: {"pytorch_model.bin": PAYLOAD, "model.safetensors": WEIGHTS,
                                     "config.json": CONFIG},
                              REV2: {"pytorch_model.bin": PAYLOAD, "config.json": CONFIG}}
    repo = hub / REPO
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(max(revisions))
    for rev, files in revisions.items():
        for name, data in files.items():
            digest = _blob(repo, data)
            link = repo / "snapshots" / rev / name
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to("../" * (name.count("/") + 2) + f"blobs/{digest}")
    return repo


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _payload_findings(findings: list) -> list:
    return [f for f in findings if getattr(f, "import_", None) == "posix.system"
            or (isinstance(f, dict) and f.get("import") == "posix.system")]


@pytest.mark.parametrize("at", ["root", "repo"])
def test_each_file_is_judged_once_under_its_snapshot_name(tmp_path: Path, at: str) -> None:
    repo = hub_cache(tmp_path / "hub")
    target, pre = (tmp_path / "hub", f"{REPO}/") if at == "root" else (repo, "")
    r = scan_path(target)
    assert r.verdict == "unsafe"
    (bad,) = _payload_findings(r.findings)  # was one per name: the blob, and each revision's link
    assert bad.file == f"{pre}snapshots/{REV1}/pytorch_model.bin" and bad.severity == "critical"
    assert all(not f.file.startswith(f"{pre}blobs/") and REV2 not in f.file for f in r.findings)
    # every name is still listed: the blob and the other revision's link point to the name kept
    entries = {e.file: e for e in r.files}
    kept = f"{pre}snapshots/{REV1}/pytorch_model.bin"
    assert entries[f"{pre}blobs/{_sha(PAYLOAD)}"].same_as == kept
    assert entries[f"{pre}snapshots/{REV2}/pytorch_model.bin"].same_as == kept
    assert entries[kept].same_as is None
    assert entries[kept].link_to == str(repo / "blobs" / _sha(PAYLOAD))  # the blob it names
    assert entries[f"{pre}snapshots/{REV2}/config.json"].same_as == f"{pre}snapshots/{REV1}/config.json"
    assert entries[f"{pre}blobs/{_sha(WEIGHTS)}"].same_as == f"{pre}snapshots/{REV1}/model.safetensors"
    # another name has the format and size its content was read as, and no findings of its own
    for e in r.files:
        if e.same_as is not None:
            assert (e.format, e.bytes) == (entries[e.same_as].format, entries[e.same_as].bytes)
    assert set(entries) == {f"{pre}refs/main", *(f"{pre}blobs/{_sha(d)}" for d in (PAYLOAD, WEIGHTS, CONFIG)),
                            *(f"{pre}snapshots/{REV1}/{n}" for n in ("pytorch_model.bin", "model.safetensors",
                                                                   "config.json")),
                            *(f"{pre}snapshots/{REV2}/{n}" for n in ("pytorch_model.bin", "config.json"))}
    # the summary counts each file once: three blobs and refs/main
    doc = r.to_json()
    assert doc["summary"]["files"] == 4
    assert doc["summary"]["bytes"] == len(PAYLOAD) + len(WEIGHTS) + len(CONFIG) + len(REV2)
    assert {e.format for e in r.files if "model.safetensors" in e.file or _sha(WEIGHTS) in e.file} == {"safetensors"}


def test_one_snapshot_folder_is_audited_as_before(tmp_path: Path) -> None:
    repo = hub_cache(tmp_path / "hub")
    r = scan_path(repo / "snapshots" / REV1)
    (bad,) = _payload_findings(r.findings)
    assert bad.file == "pytorch_model.bin"
    assert [f.rule for f in r.findings if f.rule.startswith("link.")] == []  # the cache's own links: no finding
    assert {e.file: (e.format, e.same_as) for e in r.files} == {
        "config.json": ("json", None), "model.safetensors": ("safetensors", None), "pytorch_model.bin": ("pickle", None)}
    assert r.to_json()["summary"]["files"] == 3


def test_json_sarif_and_text_say_it_once(cli, tmp_path: Path) -> None:
    hub_cache(tmp_path / "hub")
    sarif = tmp_path / "out.sarif"
    res = cli("--json", "audit", tmp_path / "hub", "--sarif", sarif)
    assert res.code == 1, res.stderr
    doc = res.json()
    kept = f"{REPO}/snapshots/{REV1}/pytorch_model.bin"
    assert [f["file"] for f in _payload_findings(doc["findings"])] == [kept]
    by_name = {e["file"]: e for e in doc["files"]}
    assert by_name[f"{REPO}/blobs/{_sha(PAYLOAD)}"] == {"file": f"{REPO}/blobs/{_sha(PAYLOAD)}", "format": "pickle",
                                                        "bytes": len(PAYLOAD), "same_as": kept}
    other = by_name[f"{REPO}/snapshots/{REV2}/pytorch_model.bin"]
    assert other["same_as"] == kept and other["link_to"] == str(tmp_path / "hub" / REPO / "blobs" / _sha(PAYLOAD))
    assert by_name[f"{REPO}/refs/main"] == {"file": f"{REPO}/refs/main", "format": "other", "bytes": 40}
    assert doc["summary"]["files"] == sum("same_as" not in e for e in doc["files"]) == 4
    # SARIF: one result per finding, located at the name users know
    results = json.loads(sarif.read_text())["runs"][0]["results"]
    assert len(results) == len(doc["findings"])
    assert [x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for x in results
            if x["properties"]["import"] == "posix.system"] == [(tmp_path / "hub" / kept).as_uri()]
    assert [x["properties"]["file"] for x in results if x["properties"]["import"] == "posix.system"] == [kept]
    # text: the finding once; the other names of the file with findings shown as the same file
    text = cli("audit", tmp_path / "hub").stdout
    assert text.count("pickle.import.denied") == 1
    assert text.count("same file as") == 2  # the blob and the other revision's link; clean files' names are not
    line = " ".join(text.split())
    assert "4 file(s)" in line and "5 other name(s) of these files (links), each file read once" in line, line


def test_a_file_is_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No second read of a blob, and the walk adds at most one ``os.stat`` per entry."""
    repo = hub_cache(tmp_path / "hub")
    entries = sum(len(files) for _, _, files in os.walk(repo))
    opened: list[str] = []
    stats: list[str] = []
    real_open, real_stat = os.open, os.stat

    def counting_open(path, *a, **kw):  # type: ignore[no-untyped-def]
        opened.append(os.path.realpath(path))
        return real_open(path, *a, **kw)

    def counting_stat(path, *a, **kw):  # type: ignore[no-untyped-def]
        stats.append(str(path))
        return real_stat(path, *a, **kw)

    r = scan_path(repo)  # once before counting: rules.yml and lazy imports are read the first time
    monkeypatch.setattr(os, "open", counting_open)
    monkeypatch.setattr(os, "stat", counting_stat)
    r = scan_path(repo)
    monkeypatch.undo()
    assert len(_payload_findings(r.findings)) == 1
    blobs = {str(repo / "blobs" / _sha(d)) for d in (PAYLOAD, WEIGHTS, CONFIG)}
    assert sorted(p for p in opened if p in blobs) == sorted(blobs)  # each blob opened once
    # before: one stat per file read (map_file) and two more for a link (isdir, exists), each name read: 4 blobs
    # and refs/main, 5 links (4 + 5 * 3 = 19); now one per entry (10) and one per file read (4): 14
    assert entries == 9 and len(stats) <= entries + 4 + 1, stats


def test_hard_links_inside_the_folder_are_one_file(tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.mkdir()
    (model / "b_pytorch_model.bin").write_bytes(PAYLOAD)
    os.link(model / "b_pytorch_model.bin", model / "a_copy.bin")
    (model / "weights.bin").symlink_to("a_copy.bin")
    r = scan_path(model)
    (bad,) = _payload_findings(r.findings)
    assert bad.file == "weights.bin"  # a symbolic link's name is the one kept, then sorted order
    assert {e.file: e.same_as for e in r.files} == {"a_copy.bin": "weights.bin", "b_pytorch_model.bin": "weights.bin",
                                                   "weights.bin": None}
    assert r.to_json()["summary"] == {"files": 1, "bytes": len(PAYLOAD), "by_severity": {"critical": 1}}
    # hard links only: the first name in sorted order
    (model / "weights.bin").unlink()
    r = scan_path(model)
    assert [f.file for f in _payload_findings(r.findings)] == ["a_copy.bin"]
    assert {e.file: e.same_as for e in r.files} == {"a_copy.bin": None, "b_pytorch_model.bin": "a_copy.bin"}


def test_links_leaving_the_folder_keep_their_findings(tmp_path: Path) -> None:
    """Two links to one file outside: each link is reported (it is the link's finding); the file is read once."""
    (tmp_path / "payload.pkl").write_bytes(PAYLOAD)
    model = tmp_path / "model"
    model.mkdir()
    (model / "a.bin").symlink_to("../payload.pkl")
    (model / "b.bin").symlink_to(tmp_path / "payload.pkl")
    r = scan_path(model)
    assert sorted(f.file for f in r.findings if f.rule == "link.outside_folder") == ["a.bin", "b.bin"]
    assert [f.file for f in _payload_findings(r.findings)] == ["a.bin"]
    assert {e.file: (e.same_as, e.link_to) for e in r.files} == {
        "a.bin": (None, str(tmp_path / "payload.pkl")), "b.bin": ("a.bin", str(tmp_path / "payload.pkl"))}


def test_a_shard_shared_by_two_revisions_is_beside_each_index(tmp_path: Path) -> None:
    """The second revision's own index names a shard it shares with the first: the shard is read once, under the
    first revision's name, and is still beside the second index (no malformed.index.missing_shard)."""
    shard = st_file({"a": {"dtype": "F32", "shape": [], "data_offsets": [0, 4]}}, bytes(4))
    index1 = json.dumps({"metadata": {"total_size": 4}, "weight_map": {"a": "model-1.safetensors"}}).encode()
    index2 = json.dumps({"metadata": {"total_size": 4, "v": 2}, "weight_map": {"a": "model-1.safetensors"}}).encode()
    repo = hub_cache(tmp_path / "hub", {REV1: {"model.safetensors.index.json": index1, "model-1.safetensors": shard},
                                        REV2: {"model.safetensors.index.json": index2, "model-1.safetensors": shard}})
    r = scan_path(repo)
    assert r.verdict == "clean", r.findings
    assert {e.file: e.format for e in r.files if e.same_as is None} == {
        "refs/main": "other", f"snapshots/{REV1}/model-1.safetensors": "safetensors",
        f"snapshots/{REV1}/model.safetensors.index.json": "checkpoint-index",
        f"snapshots/{REV2}/model.safetensors.index.json": "checkpoint-index"}
    # a tensor the second index maps that the shared shard lacks is still found, under the second index
    index2 = json.dumps({"weight_map": {"a": "model-1.safetensors", "b": "model-1.safetensors"}}).encode()
    repo = hub_cache(tmp_path / "hub2", {REV1: {"model.safetensors.index.json": index1, "model-1.safetensors": shard},
                                         REV2: {"model.safetensors.index.json": index2, "model-1.safetensors": shard}})
    found = [(f.file, f.rule) for f in scan_path(repo).findings]
    assert found == [(f"snapshots/{REV2}/model.safetensors.index.json", "malformed.index.tensor_missing")]


def test_the_store_counts_each_file_once(cli, tmp_path: Path) -> None:
    import duckdb

    hub_cache(tmp_path / "hub")
    db = tmp_path / "s.duckdb"
    assert cli("--db", db, "--quiet", "audit", tmp_path / "hub", "--model-id", "acme/tiny-model").code == 1
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT files, findings FROM audit_runs").fetchall() == [(4, 1)]
        assert con.execute("SELECT file FROM audit_findings").fetchall() == [
            (f"{REPO}/snapshots/{REV1}/pytorch_model.bin",)]
    finally:
        con.close()


def test_a_template_name_is_the_one_kept(tmp_path: Path) -> None:
    """How a file is judged depends on one thing in its name, a chat template's suffix: a template hard-linked
    under a plain name (a tar can carry hard links) is still searched as the template, whatever sorts first."""
    model = tmp_path / "model"
    model.mkdir()
    (model / "chat_template.jinja").write_text("{{ ''.__class__.__mro__[1].__subclasses__() }}")
    os.link(model / "chat_template.jinja", model / "a.txt")
    (model / "b.txt").symlink_to("chat_template.jinja")
    r = scan_path(model)
    assert [(f.file, f.rule) for f in r.findings] == [("chat_template.jinja", "chat_template.injection")]
    assert {e.file: (e.format, e.same_as) for e in r.files} == {
        "a.txt": ("chat-template", "chat_template.jinja"), "b.txt": ("chat-template", "chat_template.jinja"),
        "chat_template.jinja": ("chat-template", None)}
