"""huggingface_hub's cache layout, known to every reader of a local model folder.

A model downloaded with huggingface_hub (``snapshot_download``, ``hf download`` without ``--local-dir``) lives in
``models--org--name/``: each file once under its hash in ``blobs/``, and each revision as a folder
``snapshots/<rev>/`` whose files are symbolic links to those blobs (``README.md -> ../../blobs/<hash>``). Such a
link leaves the snapshot folder, yet the file it leads to *is* the snapshot's file. Readers that refuse links
leading out of a folder (the audit reports them, the licence and card readers do not read them) make this one
exception, in one place, so that a governance team can assess and audit the folder a download left behind.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

BLOB_NAME = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")  # a git SHA-1 or an LFS SHA-256: huggingface_hub's etags


def cache_blob(link: Path, target: str) -> bool:
    """Whether ``link`` is a huggingface_hub cache snapshot's link to its blob: some ancestor of the link (as
    walked, not resolved) is a ``snapshots`` folder, and ``target`` (the link's resolved real path) is a
    hash-named file in the ``blobs`` folder beside it."""
    parent = Path(os.path.abspath(link)).parent
    for anc in (parent, *parent.parents):
        if anc.name == "snapshots":
            return os.path.dirname(target) == os.path.realpath(anc.parent / "blobs") \
                and BLOB_NAME.fullmatch(os.path.basename(target)) is not None
    return False


def repo_folder(path: Path) -> Path | None:
    """The cache's repository folder (``models--org--name``) that ``path`` is or lies in (as given, not resolved), or
    None outside a cache."""
    p = Path(os.path.abspath(path))
    for anc in (p, *p.parents):
        if anc.name.startswith("models--") and (anc / "snapshots").is_dir():
            return anc
    return None


def repo_id(path: Path) -> str | None:
    """The Hub id of the cached model ``path`` is or lies in: ``models--org--name`` → ``org/name`` (huggingface_hub
    writes ``/`` as ``--``, which a Hub id never holds itself), or None outside a cache."""
    folder = repo_folder(path)
    if folder is None:
        return None
    name = folder.name[len("models--"):]
    return name.replace("--", "/", 1) if name else None


def snapshot_of(folder: Path) -> tuple[Path, str] | None:
    """For a cache's repository folder (``models--org--name``), the snapshot a loader would read and why: the one
    ``refs/main`` names, else the only one there is; None for any other folder, or when the choice is not clear
    (several snapshots and no ``refs/main``: the caller says to name one)."""
    if not (folder.name.startswith("models--") and (folder / "snapshots").is_dir()):
        return None
    ref = folder / "refs" / "main"
    try:
        rev = ref.read_text(encoding="ascii", errors="replace").strip() if ref.is_file() else ""
    except OSError:
        rev = ""
    if rev and BLOB_NAME.fullmatch(rev) and (folder / "snapshots" / rev).is_dir():
        return folder / "snapshots" / rev, "refs/main"
    snaps = [p for p in (folder / "snapshots").iterdir() if p.is_dir()]
    return (snaps[0], "its only snapshot") if len(snaps) == 1 else None
