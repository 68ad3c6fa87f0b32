"""Jobs orchestrate one unit of work across layers: a source feeds the store, then derive refreshes."""

from __future__ import annotations

import errno
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from openscope.errors import StoreWriteError

# What an OSError says when the medium refused a write (a full disk, a quota, a file-size limit, a
# read-only mount): the contract's 73, not an internal error.
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO}


@dataclass
class RunSummary:
    """What every crawl or ingest reports: the contract's `crawl`/`ingest` JSON keys, in order.

    Subclasses add keys (the contract allows more keys, never fewer)."""

    snapshot_id: int
    status: str
    pages: int
    records: int
    changed: int
    rejects: int
    api_calls: int
    rate_limit_wait_s: float
    elapsed_s: float

    def contract(self) -> dict[str, Any]:
        return asdict(self)


def file_write_error(path: Path, exc: OSError) -> StoreWriteError | None:
    """A StoreWriteError (73) for an output file the medium refused, else None."""
    if exc.errno in _WRITE_ERRNOS:
        return StoreWriteError(f"cannot write {path}: {exc.strerror or exc}")
    return None
