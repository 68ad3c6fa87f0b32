"""Jobs orchestrate one unit of work across layers: a source feeds the store, then derive refreshes."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


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
