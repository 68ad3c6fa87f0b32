"""State shared by the scanners during one audit: limits, findings, listed files, decompression budget."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from openscope.audit.blob import Blob
from openscope.audit.findings import FileEntry, Finding
from openscope.audit.limits import DEFAULT_LIMITS, Limits


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

    def release(self) -> None:
        for r in reversed(self.resources):
            try:
                r.close()
            except (OSError, BufferError):
                pass
        self.resources.clear()

    def add(self, blob: Blob, rule: str, severity: str, detail: str, offset: int | None = None,
            import_: str | None = None) -> None:
        self.findings.append(Finding(blob.file, blob.member, offset, rule, severity, import_, detail))

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

    def charge(self, blob: Blob, n: int) -> bool:
        """Account decompressed bytes; False (with findings) once the scan-wide budget is spent."""
        self.decompressed += n
        if self.decompressed > self.limits.max_total_bytes:
            self.incomplete(blob, "size_budget",
                            f"more than {self.limits.max_total_bytes:,} decompressed bytes in one scan")
            return False
        return True
