"""A byte range to scan, wherever it lives: a memory-mapped file, a slice of one, or decompressed bytes.

Scanners never read a whole file into memory: a file is memory-mapped and a stored archive member is a
window into the same map, so a 1 GB checkpoint costs only the pages actually looked at. Decompressed data
above a threshold spills to an anonymous temporary file that is mapped in turn.
"""

from __future__ import annotations

import io
import mmap
import os
import stat
import struct
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Buffer = Any  # bytes | mmap.mmap: supports [i], [a:b], find/rfind and struct.unpack_from


class Truncated(Exception):
    """The data ends before a structure it declares."""


@dataclass
class Blob:
    data: Buffer
    start: int
    end: int
    file: str  # path of the top-level file, relative to the scan target
    member: str | None = None  # path inside containers, nested levels joined by "!"
    depth: int = 0
    folder: Path | None = None  # the directory the top-level file sits in (for relative references)
    keep: list[Any] = field(default_factory=list)  # objects that must outlive the buffer (temp files)

    @property
    def size(self) -> int:
        return self.end - self.start

    def read(self, offset: int, n: int) -> bytes:
        """Exactly ``n`` bytes at ``offset`` (relative), or :class:`Truncated`."""
        if offset < 0 or n < 0 or offset + n > self.size:
            raise Truncated(f"needs {n} bytes at offset {offset}, only {max(self.size - offset, 0)} left")
        a = self.start + offset
        return bytes(self.data[a:a + n])

    def head(self, n: int) -> bytes:
        return bytes(self.data[self.start:self.start + min(n, self.size)])

    def unpack(self, fmt: str, offset: int) -> tuple:
        size = struct.calcsize(fmt)
        if offset < 0 or offset + size > self.size:
            raise Truncated(f"needs {size} bytes at offset {offset}")
        return struct.unpack_from(fmt, self.data, self.start + offset)

    def find(self, sub: bytes, offset: int = 0, end: int | None = None) -> int:
        stop = self.end if end is None else min(self.end, self.start + end)
        i = self.data.find(sub, self.start + offset, stop)
        return -1 if i < 0 else i - self.start

    def rfind(self, sub: bytes, offset: int = 0) -> int:
        i = self.data.rfind(sub, self.start + offset, self.end)
        return -1 if i < 0 else i - self.start

    def child(self, start: int, end: int, member: str) -> Blob:
        """A window onto part of this blob (no copy)."""
        return Blob(self.data, self.start + start, self.start + end, self.file, self._join(member),
                    self.depth + 1, self.folder, self.keep)

    def derived(self, data: Buffer, member: str, keep: list[Any] | None = None) -> Blob:
        """New bytes (decompressed, decoded) that came out of this blob."""
        return Blob(data, 0, len(data), self.file, self._join(member), self.depth + 1, self.folder,
                    [*self.keep, *(keep or [])])

    def _join(self, member: str) -> str:
        return f"{self.member}!{member}" if self.member else member


SMALL_FILE = 1 << 20  # below this, reading is cheaper than mapping


class ReadBudget(Exception):
    """A :class:`BlobFile` was asked for more bytes than its budget."""


class BlobFile(io.RawIOBase):
    """A read-only, seekable file over a blob, without copying it (for tarfile, py7zr and pyelftools).

    Reads return at most the bytes left: ``RawIOBase.read`` allocates the size asked for first, and a tar header can
    ask for 2**80 bytes (OverflowError) or gigabytes. With a ``budget``, reading past that many bytes in all raises
    :class:`ReadBudget`: a parser led by hostile offsets (an ELF string table without a NUL, a symbol table declaring
    gigabytes) is stopped in bounded time and memory.
    """

    def __init__(self, blob: Blob, budget: int | None = None) -> None:
        super().__init__()
        self.blob, self.pos, self.left = blob, 0, budget

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def seek(self, off: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.pos, io.SEEK_END: self.blob.size}[whence]
        self.pos = max(0, base + off)
        return self.pos

    def _take(self, size: int | None) -> tuple[int, int]:
        """(start in the buffer, length) of the next read of ``size`` bytes (all that is left: None or < 0)."""
        left = max(0, self.blob.size - self.pos)
        n = left if size is None or size < 0 else min(size, left)
        if self.left is not None:
            if n > self.left:
                raise ReadBudget
            self.left -= n
        a = self.blob.start + self.pos
        self.pos += n
        return a, n

    def read(self, size: int | None = -1) -> bytes:
        a, n = self._take(size)
        return bytes(self.blob.data[a:a + n])

    def readall(self) -> bytes:
        return self.read(-1)

    def readinto(self, b: Any) -> int:
        a, n = self._take(len(b))
        b[:n] = self.blob.data[a:a + n]
        return n


class NotRegular(OSError):
    """A FIFO, device or socket: opening it could block forever or act on a device; it holds no file content."""


def map_file(path: Path, screen: Callable[[os.stat_result], None] | None = None) -> tuple[Buffer, list[Any]]:
    """Memory-map a file read-only (small files are simply read; empty ones become ``b""``).

    Only regular files are opened: a FIFO in a model folder blocked the audit forever in ``open``. The mode is
    checked before opening, and again on the open descriptor (opened non-blocking) in case the path changed.
    ``screen`` is given both stats too and raises to refuse the file before a byte is read (a hard link to a
    credentials file: ``links.HardLinks``).
    """
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise NotRegular(f"not a regular file: {path}")
    if screen is not None:
        screen(st)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    f = os.fdopen(fd, "rb")  # kept open as long as the map lives
    try:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise NotRegular(f"not a regular file: {path}")
        if screen is not None:
            screen(st)
        size = st.st_size
        if size < SMALL_FILE:
            data = f.read(size)  # exactly what fstat says (a file growing meanwhile is read as it was)
            f.close()
            return data, []
        m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except Exception:  # OSError, ValueError (an empty map), or what ``screen`` raised: nothing stays open
        f.close()
        raise
    return m, [f, m]


class Sink:
    """Collects decompressed output in memory, spilling to a mapped temporary file past a threshold."""

    def __init__(self, in_memory: int) -> None:
        self.in_memory = in_memory
        self.parts: list[bytes] = []
        self.size = 0
        self.file: Any = None

    def write(self, b: bytes) -> None:
        if not b:
            return
        self.size += len(b)
        if self.file is None and self.size > self.in_memory:
            self.file = tempfile.TemporaryFile(prefix="openscope-audit-")  # noqa: SIM115
            for p in self.parts:
                self.file.write(p)
            self.parts = []
        if self.file is not None:
            self.file.write(b)
        else:
            self.parts.append(b)

    def discard(self) -> None:
        """Drop what was collected (on a bomb or a corrupt stream)."""
        self.parts = []
        if self.file is not None:
            self.file.close()
            self.file = None

    def result(self) -> tuple[Buffer, list[Any]]:
        if self.file is None:
            return b"".join(self.parts), []
        self.file.flush()
        m = mmap.mmap(self.file.fileno(), 0, access=mmap.ACCESS_READ)
        return m, [self.file, m]
