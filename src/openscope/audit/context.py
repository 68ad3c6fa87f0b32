"""State shared by the scanners during one audit: limits, findings, listed files, decompression budget."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from openscope.audit.blob import Blob
from openscope.audit.findings import RANK, FileEntry, Finding
from openscope.audit.limits import DEFAULT_LIMITS, Limits

MAX_SAME_RULE = 100  # findings of one rule listed per file and member
WINDOW_FACTOR = 8  # archive member bytes scanned per byte of file (and of decompressed data)
WINDOW_FLOOR = 1 << 20


@dataclass
class Context:
    limits: Limits = DEFAULT_LIMITS
    findings: list[Finding] = field(default_factory=list)
    files: list[FileEntry] = field(default_factory=list)
    decompressed: int = 0
    # safetensors tensor names per file (relative path), for sharded index checks
    st_tensors: dict[str, set[str]] = field(default_factory=dict)
    st_indexes: list[tuple[Blob, Any]] = field(default_factory=list)
    dispatch: Callable[[Blob], str] | None = None
    resources: list[Any] = field(default_factory=list)  # temp files and maps to close after each top-level file
    # findings listed per (file, member, rule); past MAX_SAME_RULE they are counted, not listed
    listed: dict[tuple[str, str | None, str], int] = field(default_factory=dict)
    # (file, member, rule) -> (findings not listed, highest severity among them)
    unlisted: dict[tuple[str, str | None, str], tuple[int, str]] = field(default_factory=dict)
    scanned: int = 0  # archive member bytes scanned in the current top-level file
    scan_budget: int = 1 << 62  # bound on `scanned`, set per top-level file by start_file (see charge_window)

    def release(self) -> None:
        for r in reversed(self.resources):
            try:
                r.close()
            except (OSError, BufferError):
                pass
        self.resources.clear()

    def add(self, blob: Blob, rule: str, severity: str, detail: str, offset: int | None = None,
            import_: str | None = None) -> None:
        if offset is not None and not 0 <= offset <= blob.size:
            offset = None  # a position the file only claims (a zip64 header offset of 2**64-1) is in no file
        key = (blob.file, blob.member, rule)
        n = self.listed.get(key, 0)
        if n >= MAX_SAME_RULE:
            # a hostile file can repeat one construct millions of times (an EXT opcode is 2 bytes): list the
            # first ones and count the rest, so findings stay bounded while verdict and exit code do not change
            was, worst = self.unlisted.get(key, (0, "info"))
            self.unlisted[key] = (was + 1, severity if RANK[severity] > RANK[worst] else worst)
            return
        self.listed[key] = n + 1
        self.findings.append(Finding(blob.file, blob.member, offset, rule, severity, import_, detail))

    def listing(self, blob: Blob, rule: str) -> bool:
        """Whether a finding of ``rule`` here would still be listed (so its detail is worth building)."""
        return self.listed.get((blob.file, blob.member, rule), 0) < MAX_SAME_RULE

    def summarize_unlisted(self) -> None:
        """One finding per (file, member, rule) whose repeats were not listed, at their highest severity."""
        for (file, member, rule), (n, worst) in self.unlisted.items():
            self.findings.append(Finding(file, member, None, rule, worst, None,
                                         f"{n:,} more {rule} finding(s) here not listed (the first "
                                         f"{MAX_SAME_RULE} are)"))
        self.unlisted.clear()

    def incomplete(self, blob: Blob, rule: str, detail: str, offset: int | None = None) -> None:
        """Record a scan that could not finish (never reads as clean)."""
        self.add(blob, f"incomplete.{rule}", "info", detail, offset)

    def scan(self, blob: Blob) -> str:
        """Scan nested content (an archive member, a decompressed stream) by what it contains."""
        if blob.depth > self.limits.max_depth:
            self.add(blob, "hostile.nesting", "medium",
                     f"nested deeper than {self.limits.max_depth} levels; not followed")
            self.incomplete(blob, "depth", "nesting limit reached; inner content not scanned")
            return "nested"
        assert self.dispatch is not None
        return self.dispatch(blob)

    def start_file(self, size: int) -> None:
        """Reset the per-file member-byte bound for a new top-level file of ``size`` bytes."""
        self.scanned = 0
        self.scan_budget = WINDOW_FACTOR * size + WINDOW_FLOOR

    def charge_window(self, blob: Blob, n: int, member: str, offset: int | None = None) -> bool:
        """Account an archive member's bytes about to be scanned; False (with findings) past the file's bound.

        Honest archives hold each byte in one member (nested archives add a level each), so their members
        sum to a few times the file. Entries whose data overlap (distinct local headers pointing into one
        shared region) multiplied the work: 2,000 of them over 60 kB took 25 s and read as clean.
        """
        self.scanned += max(n, 0)
        if self.scanned <= self.scan_budget:
            return True
        self.add(blob, "hostile.member_bytes", "medium",
                 f"archive members add up to more than {self.scan_budget:,} bytes ({WINDOW_FACTOR}x the file and "
                 "what was decompressed from it): overlapping entries; the rest not scanned", offset)
        self.incomplete(blob, "member_bytes", f"{member}: not scanned (the file's member-byte bound is spent)", offset)
        return False

    def charge(self, blob: Blob, n: int) -> bool:
        """Account decompressed bytes; False (with findings) once the scan-wide budget is spent."""
        self.decompressed += n
        self.scan_budget += WINDOW_FACTOR * n  # decompressed content may hold archives of its own
        if self.decompressed > self.limits.max_total_bytes:
            self.incomplete(blob, "size_budget",
                            f"more than {self.limits.max_total_bytes:,} decompressed bytes in one scan")
            return False
        return True
