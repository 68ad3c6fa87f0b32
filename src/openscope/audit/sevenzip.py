"""7z archives, unpacked member by member into bounded memory (py7zr, the ``audit`` extra).

py7zr can only hand a member's bytes to a writer object it gets from a factory (its documented
``extract(factory=...)`` API). Its own in-memory writer kept every member whole in memory, up to 2 GiB each:
here each member goes to a :class:`~openscope.audit.blob.Sink`, which keeps ``Limits.in_memory_bytes`` in
memory and spills the rest to a temporary file that is mapped for the scan, exactly like a decompressed zip
member. py7zr itself decompresses in blocks of up to 128 MB (``get_memory_limit``) and copies each block
once; that block is lowered to :data:`BLOCK` while we extract, so a member of any size costs a few MiB.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import py7zr
import py7zr.py7zr as _py7zr_impl
from py7zr.io import Py7zIO, WriterFactory

from openscope.audit.blob import Blob, Sink
from openscope.audit.context import Context

BLOCK = 1 << 20  # most bytes py7zr decompresses in one step while the audit extracts


class SpillWriter(Py7zIO):
    """One member's bytes as py7zr writes them: memory up to a threshold, then a temporary file."""

    def __init__(self, name: str, in_memory: int, cap: int, done: Callable[[SpillWriter], None]) -> None:
        self.name = name
        self.sink = Sink(in_memory)
        self.cap = cap
        self.dropped = 0  # bytes written past ``cap`` (counted, not kept)
        self.finished = False  # py7zr calls close() only after a member decompressed without error
        self.done = done

    def write(self, s: bytes | bytearray) -> int:
        room = max(0, self.cap - self.sink.size)
        self.sink.write(bytes(s[:room]))
        self.dropped += max(0, len(s) - room)
        return len(s)

    def read(self, size: int | None = None) -> bytes:
        return b""  # py7zr never reads back; the scan reads the sink's result instead

    def seek(self, offset: int, whence: int = 0) -> int:
        return offset  # py7zr rewinds a member before close(); nothing to do for a write-once sink

    def flush(self) -> None:
        return None

    def size(self) -> int:
        return self.sink.size

    def close(self) -> None:
        """py7zr's hook for "this member is complete": it is scanned now, before the next one is unpacked."""
        if not self.finished:
            self.finished = True
            self.done(self)


class SpillFactory(WriterFactory):
    """Hands py7zr one :class:`SpillWriter` per member and scans each as soon as it is complete, then frees
    it: one member at a time is held (at most ``in_memory`` bytes of it in memory, the rest in a temporary
    file), however many members the archive has."""

    def __init__(self, ctx: Context, blob: Blob) -> None:
        self.ctx = ctx
        self.blob = blob
        self.products: list[SpillWriter] = []
        self.error: Exception | None = None  # a scanner failure, raised again once py7zr is done

    def create(self, filename: str) -> Py7zIO:
        lim = self.ctx.limits
        w = SpillWriter(filename, lim.in_memory_bytes, lim.max_member_bytes, self.scan)
        self.products.append(w)
        return w

    def scan(self, w: SpillWriter) -> None:
        """Scan one member (complete, or as far as it got) and free its bytes. Runs inside py7zr's
        extraction, so a failure of our own is kept for later: py7zr would report it as a broken archive."""
        if self.error is not None:
            w.sink.discard()
            return
        ctx, blob = self.ctx, self.blob
        try:
            if w.dropped:
                ctx.incomplete(blob, "decompression_limit", f"{w.name}: only the first {w.cap:,} bytes scanned "
                               f"({w.dropped:,} more not kept)")
            data, keep = w.sink.result()
            try:
                ctx.scan(blob.derived(data, w.name, keep))
            finally:
                w.sink.parts = []  # the writer stays listed (for the member count); its bytes do not
                _close(ctx, keep)
        except Exception as exc:  # noqa: BLE001 - re-raised by scan_7z after py7zr returns
            self.error = exc


def _close(ctx: Context, keep: list[Any]) -> None:
    """Free a scanned member's map and temporary file now; one still referenced is freed with the file."""
    for r in reversed(keep):
        try:
            r.close()
        except (OSError, BufferError):
            ctx.resources.append(r)


@contextlib.contextmanager
def small_blocks() -> Iterator[None]:
    """Lower py7zr's decompression block (a module-level function it calls per member) while we extract.

    Without this a member of zeros is produced 128 MB at a time and copied once more (256 MB peak for any
    member above 128 MB). Nothing else in the process uses py7zr, and a smaller block only means more steps.
    """
    original = getattr(_py7zr_impl, "get_memory_limit", None)
    if original is None:  # a py7zr without the hook: its own block size applies
        yield
        return
    _py7zr_impl.get_memory_limit = lambda: BLOCK
    try:
        yield
    finally:
        _py7zr_impl.get_memory_limit = original


def scan_7z(ctx: Context, blob: Blob, region: Any) -> str:
    """Scan every member of a 7z archive read through ``region`` (a seekable file over ``blob``)."""
    lim = ctx.limits
    factory: SpillFactory | None = None
    members = 0
    try:
        with py7zr.SevenZipFile(region, mode="r") as z:
            if z.needs_password():
                ctx.incomplete(blob, "encrypted_7z", "7z archive is encrypted; contents not scanned")
                return "7z"
            infos = [i for i in z.list() if not i.is_directory]
            members = len(infos)
            total = sum(int(i.uncompressed or 0) for i in infos)
            # the ratio bound applies before anything is unpacked (a 30 kB archive of 200 MiB of zeros)
            bomb = total > lim.ratio_floor and total > lim.max_ratio * max(blob.size, 1)
            if len(infos) > lim.max_members or total > min(lim.max_member_bytes, lim.max_total_bytes) or bomb:
                ctx.add(blob, "hostile.decompression_bomb", "medium",
                        f"7z archive declares {len(infos):,} members / {total:,} bytes in {blob.size:,} "
                        "(beyond the size or expansion bounds); not unpacked")
                ctx.incomplete(blob, "decompression_limit", "7z archive too large to unpack within the limits")
                return "7z"
            if not ctx.charge(blob, total):
                return "7z"
            factory = SpillFactory(ctx, blob)
            z.max_extract_size = total  # py7zr stops (DecompressionBombError) past what the header declared
            with small_blocks():
                z.extractall(factory=factory)
    except Exception as exc:  # noqa: BLE001 - py7zr raises many types on hostile input; all mean "corrupt"
        ctx.add(blob, "malformed.7z", "medium", f"unreadable 7z archive: {type(exc).__name__}: {exc}"[:300])
    if factory is None:
        return "7z"
    if factory.error is not None:
        raise factory.error  # a scanner failure (the engine records it as incomplete.scanner_error)
    unfinished = [w for w in factory.products if not w.finished]
    for w in unfinished:
        if not w.sink.size:
            ctx.incomplete(blob, "archive_member", f"{w.name}: not extracted")
            continue
        # a member cut short by an error is still scanned, so a broken member after a payload cannot hide it
        ctx.incomplete(blob, "archive_member", f"{w.name}: extraction failed after {w.sink.size:,} bytes; "
                       "the part extracted is scanned")
        factory.scan(w)
    if len(factory.products) < members:
        ctx.incomplete(blob, "archive_member", f"{members - len(factory.products):,} of {members:,} members "
                       "not extracted (the archive is broken before them)")
    if factory.error is not None:
        raise factory.error
    return "7z"
