"""`openscope audit PATH` where PATH itself is a symbolic link (to a file or a folder), inside or outside the folder it
is in. Docs: docs/audit.md (*A link given as the target*).

Before: a link to a file was scanned with nothing saying the bytes were another file's; a link to `~/.ssh/id_ed25519`,
`/etc/passwd` or `/proc/self/environ` was read as a model (and a link to a folder such as `/proc` walked); a broken link
gave an `incomplete` report (exit 2) for a path that names nothing. Now the resolved target is in `link_to` and on the
human summary line, the link gets the finding the walk gives it in its own folder, a system or credentials target is
never read, and a broken link (or a loop) is one line, exit 66.

Every link and file is made by the test in ``tmp_path``; the real CLI runs in-process; nothing is loaded.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_audit_links import make_cache, st_file, system_call


def _audit(cli, target: Path | str, *extra: str):
    res = cli("--json", "audit", target, *extra)
    assert res.code in (0, 1, 2), (res.code, res.stderr)
    return res, res.json()


def _rules(doc: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for f in doc["findings"]:
        out.setdefault(f["rule"], []).append(f)
    return out


def test_a_link_beside_its_target_is_audited_as_the_target_and_says_where_it_points(cli, tmp_path: Path) -> None:
    (tmp_path / "w-v2.safetensors").write_bytes(st_file())
    link = tmp_path / "model.safetensors"
    link.symlink_to("w-v2.safetensors")
    res, doc = _audit(cli, link)
    assert (res.code, doc["verdict"], doc["findings"]) == (0, "clean", [])
    assert doc["files"] == [{"file": "model.safetensors", "format": "safetensors", "bytes": len(st_file())}]
    assert doc["link_to"] == str(tmp_path / "w-v2.safetensors")
    human = cli("audit", link)
    assert human.code == 0
    said = f"clean {link} (a symbolic link to {tmp_path / 'w-v2.safetensors'}): 1 file(s)"
    assert "".join(said.split()) in "".join(human.stdout.split())  # wrapped at the terminal's width
    # a file that is no link says so too: null
    assert _audit(cli, tmp_path / "w-v2.safetensors")[1]["link_to"] is None


def test_a_link_leaving_its_folder_gets_the_finding_its_folder_would_give(cli, tmp_path: Path) -> None:
    """The target is judged (a payload there is found) and the link is `link.outside_folder`, as in a folder audit."""
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "payload.pkl").write_bytes(system_call())
    model = tmp_path / "model"
    model.mkdir()
    link = model / "pytorch_model.bin"
    link.symlink_to("../elsewhere/payload.pkl")
    res, doc = _audit(cli, link)
    assert res.code == 1 and doc["verdict"] == "unsafe"
    assert any(f["import"] == "posix.system" for f in doc["findings"])
    (single,) = _rules(doc)["link.outside_folder"]
    assert (single["file"], single["severity"], single["import"]) == (
        "pytorch_model.bin", "low", str(tmp_path / "elsewhere" / "payload.pkl"))
    assert f"outside the folder it is in ('{model}')" in single["detail"]
    assert doc["link_to"] == str(tmp_path / "elsewhere" / "payload.pkl")
    # auditing the folder says the same of this file
    (in_folder,) = _rules(_audit(cli, model)[1])["link.outside_folder"]
    assert (in_folder["file"], in_folder["severity"], in_folder["import"]) == (
        single["file"], single["severity"], single["import"])


def test_a_link_given_from_elsewhere_is_judged_by_its_own_folder(cli, tmp_path: Path, monkeypatch) -> None:
    """Relative paths from another working folder, and a chain of links: the link's own folder decides, not where
    the command runs."""
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "w.safetensors").write_bytes(st_file())
    (tmp_path / "model" / "hop.safetensors").symlink_to("w.safetensors")
    (tmp_path / "model" / "model.safetensors").symlink_to("hop.safetensors")   # a chain that stays beside it
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    _, doc = _audit(cli, "../model/model.safetensors")
    assert (doc["verdict"], doc["findings"], doc["link_to"]) == ("clean", [], str(tmp_path / "model" / "w.safetensors"))
    # a link in the working folder to the model's file: it leaves its own folder (cwd)
    Path("here.safetensors").symlink_to("../model/w.safetensors")
    _, doc = _audit(cli, "here.safetensors")
    assert [f["rule"] for f in doc["findings"]] == ["link.outside_folder"] and doc["verdict"] == "review"


def test_a_file_of_a_huggingface_cache_snapshot_is_clean(cli, tmp_path: Path) -> None:
    """The usual case: a snapshot's file is a link to its blob, and no finding is made of it."""
    snap = make_cache(tmp_path / "hub", {"model.safetensors": st_file(), "pytorch_model.bin": system_call()})
    res, doc = _audit(cli, snap / "model.safetensors")
    assert (res.code, doc["verdict"], doc["findings"]) == (0, "clean", [])
    assert Path(doc["link_to"]).parent.name == "blobs"
    res, doc = _audit(cli, snap / "pytorch_model.bin")  # a payload in a blob is found through the link
    assert res.code == 1 and doc["verdict"] == "unsafe" and "link.outside_folder" not in _rules(doc)


def test_a_link_to_a_folder_walks_the_folder(cli, tmp_path: Path) -> None:
    real = tmp_path / "real"
    (real / "sub").mkdir(parents=True)
    (real / "model.safetensors").write_bytes(st_file())
    (real / "sub" / "extra.pkl").write_bytes(system_call())
    for link in (tmp_path / "alias", tmp_path / "other" / "alias"):   # beside it, and from another folder
        link.parent.mkdir(exist_ok=True)
        link.symlink_to(real, target_is_directory=True)
        res, doc = _audit(cli, link)
        assert res.code == 1 and doc["verdict"] == "unsafe" and doc["link_to"] == str(real)
        assert {f["file"] for f in doc["files"]} == {"model.safetensors", "sub/extra.pkl"}
        assert not [f for f in doc["findings"] if f["rule"].startswith("link.")]


@pytest.mark.parametrize("kind", ["ssh-key", "hub-token", "ssh-folder", "etc-passwd", "proc-file", "proc-folder",
                                  "device"])
def test_a_link_to_a_system_or_credentials_location_is_never_read(cli, tmp_path: Path, kind: str) -> None:
    """The link's finding is the walk's (`link.system_file`, medium); the target is not opened nor walked: the
    credentials here hold a payload, which a read would report (unsafe)."""
    home = tmp_path / "home" / "user"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_ed25519").write_bytes(system_call())
    (home / ".cache" / "huggingface").mkdir(parents=True)
    (home / ".cache" / "huggingface" / "token").write_bytes(system_call())
    target = {"ssh-key": home / ".ssh" / "id_ed25519", "hub-token": home / ".cache" / "huggingface" / "token",
              "ssh-folder": home / ".ssh", "etc-passwd": Path("/etc/passwd"), "proc-file": Path("/proc/self/environ"),
              "proc-folder": Path("/proc/self"), "device": Path("/dev/zero")}[kind]
    link = tmp_path / "model.bin"
    link.symlink_to(target, target_is_directory=target.is_dir())
    res, doc = _audit(cli, link)
    assert res.code == 0 and doc["verdict"] == "review"
    (f,) = doc["findings"]
    assert (f["rule"], f["severity"], f["file"]) == ("link.system_file", "medium", "model.bin")
    assert f["import"] == doc["link_to"] and Path(doc["link_to"]) == target.resolve()
    assert "(not read)" in f["detail"]
    assert doc["files"] == [{"file": "model.bin", "format": "system-file", "bytes": 0}]
    assert cli("audit", link, "--fail-on", "medium").code == 1


@pytest.mark.parametrize("kind", ["dangling", "loop"])
def test_a_broken_link_is_one_line_and_exit_66(cli, tmp_path: Path, kind: str) -> None:
    link = tmp_path / "model.safetensors"
    if kind == "dangling":
        link.symlink_to(tmp_path / "gone.safetensors")
        why = f"to '{tmp_path / 'gone.safetensors'}': no such file or folder"
    else:
        (tmp_path / "other").symlink_to(link)
        link.symlink_to(tmp_path / "other")
        why = f"to '{tmp_path / 'other'}': a link loop"
    for extra in ((), ("--json",)):
        res = cli(*extra, "audit", link)
        lines = res.stderr.strip().splitlines()
        assert res.code == 66 and res.stdout == "" and len(lines) == 1, (res.stdout, res.stderr)
        assert lines[0] == f"openscope: error: {link} is a broken symbolic link ({why}); nothing to audit"


def test_a_broken_link_name_with_a_newline_stays_one_line(cli, tmp_path: Path) -> None:
    link = tmp_path / "a\nb.bin"
    link.symlink_to("no\nwhere")
    res = cli("audit", link)
    assert res.code == 66 and len(res.stderr.strip().splitlines()) == 1, res.stderr
