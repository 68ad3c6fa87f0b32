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
