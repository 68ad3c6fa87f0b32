"""Fault injection and request statistics for the simulated Hub, deterministic from the seed.

Why: a crawler is only as good as its behaviour under 429s, 5xx, cut connections, slowness and an
outage, and those are hard to meet on purpose against the real Hub. Random decisions (which request
gets a 5xx or a truncated body) come from ``random.Random(seed)`` drawn once per API request, so the
same seed and the same request sequence give the same faults.

Rate limiting follows the Hub: fixed windows of ``rate_window_s`` seconds with ``rate_limit``
requests each; beyond that HTTP 429 with ``RateLimit: "api";r=<remaining>;t=<seconds to reset>``,
``RateLimit-Policy: "fixed window";"api";q=<limit>;w=<window>`` and ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import math
import random
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

FAULT_KEYS = ("rate_limit", "rate_window_s", "error_rate", "truncate_rate", "slow_ms", "down", "hold_after_pages",
              "hold_repo_info")


@dataclass
class FaultSettings:
    rate_limit: int | None = None  # requests per window; None = unlimited
    rate_window_s: float = 300.0
    error_rate: float = 0.0  # share of API requests answered with a 5xx
    truncate_rate: float = 0.0  # share of API responses cut short (Content-Length larger than sent)
    slow_ms: int = 0  # added latency per API request
    down: bool = False  # every API route answers 503
    hold_after_pages: int | None = None  # after k list pages, list requests wait for /_admin/release
    hold_repo_info: bool = False  # repository info requests (/api/models/{id}) wait for /_admin/release

    def validate(self) -> None:
        if self.rate_limit is not None and self.rate_limit < 1:
            raise ValueError("rate_limit must be >= 1")
        if not self.rate_window_s > 0:
            raise ValueError("rate_window_s must be > 0")
        for name in ("error_rate", "truncate_rate"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        if self.slow_ms < 0:
            raise ValueError("slow_ms must be >= 0")
        if self.hold_after_pages is not None and self.hold_after_pages < 0:
            raise ValueError("hold_after_pages must be >= 0")


@dataclass
class Decision:
    status: int | None = None  # an injected status (429, 5xx, 503) or None to answer normally
    headers: dict[str, str] = field(default_factory=dict)
    truncate: bool = False
    delay_s: float = 0.0


class Faults:
    """Current fault settings, the rate-limit window and the request counters (thread-safe)."""

    def __init__(self, seed: int = 0, settings: FaultSettings | None = None) -> None:
        self.settings = settings or FaultSettings()
        self.settings.validate()
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._t0 = time.monotonic()
        self._window = -1
        self._used = 0
        self._announced_reset: float | None = None
        self.requests = 0
        self.pages_served = 0
        self.early_requests = 0
        self.info_held = 0  # repository info requests that waited under hold_repo_info
        self.pages_held = 0  # list-page requests that waited under hold_after_pages
        self.status_counts: Counter[int] = Counter()
        self._release: asyncio.Event | None = None
        self._released = False

    # --- settings ---------------------------------------------------------------------------------
    def update(self, changes: dict[str, Any]) -> FaultSettings:
        unknown = set(changes) - set(FAULT_KEYS)
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        with self._lock:
            new = FaultSettings(**{**asdict(self.settings), **changes})
            new.validate()
            if new.rate_limit != self.settings.rate_limit or new.rate_window_s != self.settings.rate_window_s:
                self._t0, self._window, self._used, self._announced_reset = time.monotonic(), -1, 0, None
            if (new.hold_after_pages, new.hold_repo_info) != (self.settings.hold_after_pages,
                                                              self.settings.hold_repo_info):
                self._released = False
            self.settings = new
        return new

    # --- per request ------------------------------------------------------------------------------
    def decide(self) -> Decision:
        """Count an API request and decide its fate (rate limit first, then outage, errors, cuts)."""
        s = self.settings
        d = Decision(delay_s=s.slow_ms / 1000.0)
        with self._lock:
            self.requests += 1
            now = time.monotonic()
            err_draw, cut_draw, code_draw = self._rng.random(), self._rng.random(), self._rng.random()
            if s.rate_limit is not None:
                if self._announced_reset is not None and now < self._announced_reset:
                    self.early_requests += 1
                w = int((now - self._t0) // s.rate_window_s)
                if w != self._window:
                    self._window, self._used = w, 0
                reset_at = self._t0 + (w + 1) * s.rate_window_s
                t = max(1, math.ceil(reset_at - now))
                policy = f'"fixed window";"api";q={s.rate_limit};w={int(s.rate_window_s) if float(s.rate_window_s).is_integer() else s.rate_window_s}'
                if self._used >= s.rate_limit:
                    self._announced_reset = reset_at
                    d.status = 429
                    d.headers = {"RateLimit": f'"api";r=0;t={t}', "RateLimit-Policy": policy, "Retry-After": str(t)}
                    return d
                self._used += 1
                d.headers = {"RateLimit": f'"api";r={s.rate_limit - self._used};t={t}', "RateLimit-Policy": policy}
            if s.down:
                d.status = 503
                return d
            if err_draw < s.error_rate:
                d.status = (500, 502, 503)[int(code_draw * 3)]
                return d
            d.truncate = cut_draw < s.truncate_rate
            return d

    def record_status(self, status: int) -> None:
        with self._lock:
            self.status_counts[status] += 1

    # --- list-page holding (kill a crawler exactly after page k) ----------------------------------
    def page_served(self) -> None:
        with self._lock:
            self.pages_served += 1

    def must_hold(self) -> bool:
        k = self.settings.hold_after_pages
        return k is not None and not self._released and self.pages_served >= k

    def must_hold_info(self) -> bool:
        """Whether a repository info request waits (kill a crawler while it asks about gone ids)."""
        return self.settings.hold_repo_info and not self._released

    async def wait_page_release(self) -> None:
        """Hold a list-page request until release, counted: a test kills the crawler once it is waiting here (it has
        then written every page it was served) rather than after a guessed delay."""
        with self._lock:
            self.pages_held += 1
        await self.wait_release(self.must_hold)

    async def wait_info_release(self) -> None:
        with self._lock:
            self.info_held += 1
        await self.wait_release(self.must_hold_info)

    async def wait_release(self, held: Any = None) -> None:
        held = held or self.must_hold
        if self._release is None:
            self._release = asyncio.Event()
        while held():
            self._release.clear()
            try:
                await asyncio.wait_for(self._release.wait(), timeout=0.2)
            except TimeoutError:
                pass

    def release(self) -> None:
        with self._lock:
            self._released = True
        if self._release is not None:
            self._release.set()

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {"pages_served": self.pages_served, "requests": self.requests,
                    "status_counts": {str(k): v for k, v in sorted(self.status_counts.items())},
                    "early_requests": self.early_requests, "info_held": self.info_held,
                    "pages_held": self.pages_held}
