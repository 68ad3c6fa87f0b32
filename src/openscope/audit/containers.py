"""Archives and compression wrappers: zip (read the way PyTorch reads it), tar, 7z, gzip/bz2/xz.

PyTorch's reader (miniz) trusts the central directory for names and sizes, finds the data through the
local header's own length fields, and ignores CRCs and flag bits; so does this one, so a tampered CRC, an
"encrypted" flag or a local name that differs from the central one cannot hide ``data.pkl``. Every member
is scanned by content; decompression is streamed with a size budget and a ratio check (zip bombs).
"""

from __future__ import annotations

import bz2
import lzma
import re
import struct
import tarfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from openscope.audit.blob import Blob, BlobFile, Sink, Truncated
from openscope.audit.context import Context

CHUNK = 1 << 20
_TORCH_PKL = re.compile(r"^(?:[^/]+/)?[^/]*\.pkl$")
_TORCH_STORAGE = re.compile(r"^(?:[^/]+/)?data/\d+$")


# -- decompression ------------------------------------------------------------------------------------
def _chunks(blob: Blob, offset: int, length: int) -> Iterator[bytes]:
    a = blob.start + offset
    stop = a + length
    while a < stop:
        b = min(stop, a + CHUNK)
        yield bytes(blob.data[a:b])
        a = b


def inflate(ctx: Context, blob: Blob, offset: int, length: int, kind: str, member: str,
            declared: int | None = None, filters: list[dict[str, int]] | None = None) -> Blob | None:
    """Decompress ``length`` bytes at ``offset`` (zlib raw deflate, gzip, bz2, xz or legacy .lzma, a zip
    member's raw LZMA1 stream with its ``filters``) with bounded output.

    Returns the decompressed data as a new blob, or None after recording why (bomb, budget, corrupt).
    """
    lim = ctx.limits
    sink = Sink(lim.in_memory_bytes)
    consumed = 0

    def new() -> Any:
        if kind == "deflate":
            return zlib.decompressobj(-15)
        if kind == "gzip":
            return zlib.decompressobj(31)
        if kind == "zlib":
            return zlib.decompressobj()
        if kind == "bz2":
            return bz2.BZ2Decompressor()
        if kind == "lzma1":
            return lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=filters)
        return lzma.LZMADecompressor()  # FORMAT_AUTO: .xz and the legacy .lzma ("alone") format

    def check() -> str | None:
        if sink.size > lim.max_member_bytes:
            return f"decompresses to more than {lim.max_member_bytes:,} bytes"
        if sink.size > lim.ratio_floor and sink.size > lim.max_ratio * max(consumed, 1):
            return f"expands more than {lim.max_ratio}x ({consumed:,} bytes in → {sink.size:,} out so far)"
        return None

    try:
        d = new()
    except (lzma.LZMAError, ValueError) as exc:  # LZMA properties the decoder refuses
        ctx.add(blob, "malformed.compressed_stream", "medium", f"{member}: {kind} parameters refused ({exc})", offset)
        return None
    zl = kind in ("deflate", "gzip", "zlib")
    try:
        for chunk in _chunks(blob, offset, length):
            consumed += len(chunk)
            buf = chunk
            while buf:
                if zl:
                    out = d.decompress(buf, CHUNK)
                    buf = d.unconsumed_tail
                    sink.write(out)
                    if d.eof:
                        rest = d.unused_data + buf
                        buf = b""
                        if kind == "gzip" and rest.lstrip(b"\x00"):
                            d = new()
                            buf = rest
                        elif kind in ("deflate", "zlib") or not rest.lstrip(b"\x00"):
                            break
                else:
                    out = d.decompress(buf, CHUNK)
                    buf = b""
                    sink.write(out)
                    while not d.eof and not d.needs_input:
                        sink.write(d.decompress(b"", CHUNK))
                        if check():
                            break
                    if d.eof and d.unused_data.lstrip(b"\x00"):
                        buf = d.unused_data
                        d = new()
                why = check()
                if why:
                    ctx.add(blob, "hostile.decompression_bomb", "medium", f"{member}: {why}; not followed", offset)
                    ctx.incomplete(blob, "decompression_limit", f"{member} not fully decompressed: {why}", offset)
                    sink.discard()
                    return None
        if zl and not d.eof and kind == "deflate":
            sink.write(d.flush())
        if not d.eof and not (kind == "lzma1" and declared == sink.size):  # zip LZMA may omit its end marker
            ctx.add(blob, "malformed.compressed_stream", "medium",
                    f"{member}: {kind} stream is truncated (decompressed {sink.size:,} bytes)", offset)
    except (zlib.error, OSError, lzma.LZMAError, EOFError, ValueError) as exc:
        if kind in ("zlib", "lzma") and sink.size == 0:
            sink.discard()
            return None  # a few bytes that only looked like a zlib or .lzma header: not compressed data
        ctx.add(blob, "malformed.compressed_stream", "medium", f"{member}: corrupt {kind} data ({exc})", offset)
        if sink.size == 0:
            sink.discard()
            return None
    if declared is not None and declared != sink.size:
        ctx.add(blob, "malformed.zip.size_mismatch", "medium",
                f"{member}: central directory says {declared:,} bytes, data decompresses to {sink.size:,}", offset)
    if not ctx.charge(blob, sink.size):
        sink.discard()
        return None
    data, keep = sink.result()
    ctx.resources.extend(keep)
    return blob.derived(data, member, keep)


def scan_compressed(ctx: Context, blob: Blob, kind: str) -> str:
    """gzip / bz2 / xz / .lzma / zlib (joblib ``compress=``) wrapper: decompress (bounded), scan the content."""
    inner = inflate(ctx, blob, 0, blob.size, kind, f"<{kind}>")
    if inner is None:
        return "other" if kind in ("zlib", "lzma") and not any(f.file == blob.file and f.member == blob.member
                                                         for f in ctx.findings) else kind
    ctx.scan(inner)
    return kind


# -- zip ------------------------------------------------------------------------------------------------
@dataclass
class ZipEntry:
    name: str
    method: int
    flags: int
    csize: int
    usize: int
    header: int  # local header offset (relative to the blob)
    data: int = -1  # data offset (relative), found through the local header


def _zip64_extra(extra: bytes, usize: int, csize: int, lho: int) -> tuple[int, int, int]:
    i = 0
    while i + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, i)
        body = extra[i + 4:i + 4 + size]
        if tag == 1:
            vals = [struct.unpack_from("<Q", body, k)[0] for k in range(0, len(body) - 7, 8)]
            it = iter(vals)
            if usize == 0xFFFFFFFF:
                usize = next(it, usize)
            if csize == 0xFFFFFFFF:
                csize = next(it, csize)
            if lho == 0xFFFFFFFF:
                lho = next(it, lho)
            break
        i += 4 + size
    return usize, csize, lho


def central_directory(ctx: Context, blob: Blob) -> list[ZipEntry] | None:
    """Entries of the central directory, or None when there is none to read."""
    eocd = blob.rfind(b"PK\x05\x06", max(0, blob.size - 65557))
    if eocd < 0:
        return None
    _, _, _, n_total, cd_size, cd_off, _ = blob.unpack("<HHHHIIH", eocd + 4)
    n = n_total
    if eocd >= 20 and blob.read(eocd - 20, 4) == b"PK\x06\x07":
        (z64,) = blob.unpack("<Q", eocd - 20 + 8)
        if 0 <= z64 < blob.size and blob.read(z64, 4) == b"PK\x06\x06":
            n, cd_size, cd_off = blob.unpack("<QQQ", z64 + 32)
            concat = z64 - cd_size - cd_off
        else:
            concat = eocd - cd_size - cd_off
    else:
        concat = eocd - cd_size - cd_off
    concat = max(concat, 0)
    pos = cd_off + concat
    if n > ctx.limits.max_members and n <= cd_size // 46 + 1:
        ctx.incomplete(blob, "archive_members", f"{n:,} entries: the first {ctx.limits.max_members:,} are scanned",
                       eocd)
    if n > ctx.limits.max_members or n > cd_size // 46 + 1:
        ctx.add(blob, "malformed.zip.entry_count", "medium", f"central directory claims {n:,} entries in "
                f"{cd_size:,} bytes", eocd)
        n = min(n, cd_size // 46 + 1, ctx.limits.max_members)
    out = []
    for _ in range(n):
        if blob.read(pos, 4) != b"PK\x01\x02":
            ctx.add(blob, "malformed.zip.central_directory", "medium", "central directory entry signature missing", pos)
            break
        (_, _, flags, method, _, _, _, csize, usize, nlen, xlen, clen, _, _, _, lho) = blob.unpack(
            "<HHHHHHIIIHHHHHII", pos + 4)
        name = blob.read(pos + 46, nlen).decode("utf-8", "replace")
        extra = blob.read(pos + 46 + nlen, xlen)
        usize, csize, lho = _zip64_extra(extra, usize, csize, lho)
        out.append(ZipEntry(name, method, flags, csize, usize, lho + concat))
        pos += 46 + nlen + xlen + clen
    return out


def appended_zip(blob: Blob) -> int | None:
    """Where a zip archive that ends the blob starts, when it does not start at byte 0 (None otherwise).

    Python's zipfile (and Keras, which loads a ``.keras`` file through it) finds an archive from its end
    record wherever it starts, so a zip appended to a file of another format is opened by them. Only a
    consistent archive counts: an end record whose central directory and first local header are where it
    says they are. Its offsets may count from the archive's start or from the file's (zipfile appending to a
    file of another format writes the latter, which read as no appended archive and hid its members).
    """
    eocd = blob.rfind(b"PK\x05\x06", max(0, blob.size - 65557))
    if eocd < 0 or eocd + 22 > blob.size:
        return None
    try:
        _, _, _, n, cd_size, cd_off, _ = blob.unpack("<HHHHIIH", eocd + 4)
        cd = eocd - cd_size
        start = cd - cd_off
        if n == 0 or start < 0 or blob.read(cd, 4) != b"PK\x01\x02":
            return None
        (lho,) = blob.unpack("<I", cd + 42)
        if blob.read(start + lho, 4) != b"PK\x03\x04":
            return None
    except Truncated:
        return None
    # offsets counted from the start of the file, as Python's zipfile writes them when it appends an archive
    # to a file of another format (mode "a"): the archive starts at its first local header
    return start if start > 0 else (lho if lho > 0 else None)


def local_headers(ctx: Context, blob: Blob) -> list[ZipEntry]:
    """Fallback when the central directory is missing: walk local headers from the start."""
    out: list[ZipEntry] = []
    pos = 0
    while pos + 30 <= blob.size and len(out) < ctx.limits.max_members:
        if blob.read(pos, 4) != b"PK\x03\x04":
            break
        (_, flags, method, _, _, _, csize, usize, nlen, xlen) = blob.unpack("<HHHHHIIIHH", pos + 4)
        name = blob.read(pos + 30, nlen).decode("utf-8", "replace")
        e = ZipEntry(name, method, flags, csize, usize, pos, pos + 30 + nlen + xlen)
        out.append(e)
        if flags & 0x8 and csize == 0:
            ctx.incomplete(blob, "zip_data_descriptor", f"{name}: size only in a data descriptor and no central "
                           "directory; members after it not found", pos)
            break
        pos = e.data + csize
    if len(out) >= ctx.limits.max_members and pos + 4 <= blob.size and blob.read(pos, 4) == b"PK\x03\x04":
        ctx.incomplete(blob, "archive_members", f"more than {ctx.limits.max_members:,} members; the rest not read", pos)
    return out


def locate(ctx: Context, blob: Blob, e: ZipEntry) -> bool:
    """Find a member's data through its local header (as PyTorch does); False (with a finding) if out of bounds."""
    if e.data < 0:
        if e.header < 0 or blob.read(e.header, 4) != b"PK\x03\x04":
            ctx.add(blob, "malformed.zip.local_header", "medium", f"{e.name}: no local header at {e.header}", e.header)
            return False
        nlen, xlen = blob.unpack("<HH", e.header + 26)
        e.data = e.header + 30 + nlen + xlen
    if e.data + e.csize > blob.size:
        ctx.add(blob, "malformed.zip.member_bounds", "medium",
                f"{e.name}: {e.csize:,} bytes at {e.data:,} run past the end of the archive", e.header)
        return False
    return True


def member_blob(ctx: Context, blob: Blob, e: ZipEntry) -> Blob | None:
    """The bytes of one member, found as PyTorch finds them (local header lengths, CRC and flags ignored)."""
    if not locate(ctx, blob, e):
        return None
    if not ctx.charge_window(blob, e.csize, e.name, e.header):
        return None
    if e.method == 0:
        return blob.child(e.data, e.data + e.csize, e.name)
    kinds = {8: "deflate", 12: "bz2"}
    if e.method in kinds:
        return inflate(ctx, blob, e.data, e.csize, kinds[e.method], e.name, e.usize)
    if e.method == 14:  # LZMA: Python's zipfile (numpy.load of an .npz, zipfile users) reads these members
        return _zip_lzma(ctx, blob, e)
    ctx.incomplete(blob, "zip_method", f"{e.name}: compression method {e.method} not supported; not scanned",
                   e.header)
    return None


def _zip_lzma(ctx: Context, blob: Blob, e: ZipEntry) -> Blob | None:
    """A zip LZMA member (APPNOTE 5.8.8): version (2 bytes), properties size (2), LZMA1 properties (lc/lp/pb
    byte and dictionary size), then the raw stream, decoded as Python's zipfile decodes it."""
    try:
        (psize,) = blob.unpack("<H", e.data + 2)
        props = blob.read(e.data + 4, psize) if psize >= 5 and e.csize >= 4 + psize else b""
    except Truncated:
        props = b""
    if not props:
        ctx.add(blob, "malformed.zip.lzma_header", "medium", f"{e.name}: LZMA member without its properties", e.header)
        return None
    d, (dict_size,) = props[0], struct.unpack_from("<I", props, 1)
    if d >= 9 * 5 * 5:
        ctx.add(blob, "malformed.zip.lzma_header", "medium", f"{e.name}: invalid LZMA properties byte {d}", e.header)
        return None
    filters = [{"id": lzma.FILTER_LZMA1, "lc": d % 9, "lp": d // 9 % 5, "pb": d // 45, "dict_size": dict_size}]
    return inflate(ctx, blob, e.data + 4 + psize, e.csize - 4 - psize, "lzma1", e.name, e.usize, filters)  # type: ignore[possibly-undefined]  # no psize: no props, returned above


def scan_zip(ctx: Context, blob: Blob, keras_config: Callable[[Context, Blob], None],
             pickle_scan: Callable[..., None]) -> str:
    try:
        entries = central_directory(ctx, blob)
    except Truncated as exc:
        ctx.add(blob, "malformed.zip.central_directory", "medium", f"unreadable central directory: {exc}")
        entries = None
    if entries is None:
        ctx.add(blob, "malformed.zip.no_central_directory", "medium",
                "no end-of-central-directory record; members found by walking local headers")
        try:
            entries = local_headers(ctx, blob)
        except Truncated as exc:
            ctx.add(blob, "malformed.zip.local_header", "medium", f"truncated local header: {exc}")
            return "zip"
    names = {e.name for e in entries}
    torch = any(_TORCH_PKL.match(n) and n.rsplit("/", 1)[-1] == "data.pkl" for n in names)
    code = sorted(n for n in names if n.endswith(".py") and "/code/" in f"/{n}") if torch else []
    torchscript = bool(code) or (torch and any(n.rsplit("/", 1)[-1] == "constants.pkl" for n in names))
    keras = "config.json" in names and "metadata.json" in names
    fmt = "pytorch-zip" if torch else "keras-v3" if keras else (
        "numpy-npz" if names and all(n.endswith(".npy") for n in names) else "zip")
    seen: set[int] = set()
    overlaps: list[ZipEntry] = []
    for e in entries:
        if e.name.endswith("/") and e.csize == 0:
            continue
        if e.header in seen:
            overlaps.append(e)
            continue
        seen.add(e.header)
        try:
            if torch and _TORCH_STORAGE.match(e.name):
                locate(ctx, blob, e)  # bounds only: storages are raw tensor bytes, never unpickled
                continue
            m = member_blob(ctx, blob, e)
            if m is None:
                continue
            if torch and _TORCH_PKL.match(e.name):
                pickle_scan(ctx, m, torchscript=torchscript)
            elif torch and e.name.endswith(".py") and "/code/" in f"/{e.name}":
                continue  # TorchScript source: one finding for the archive, below
            elif keras and e.name == "config.json":
                keras_config(ctx, m)
            else:
                ctx.scan(m)
        except Truncated as exc:
            ctx.add(blob, "malformed.zip.local_header", "medium", f"{e.name}: {exc}", e.header)
    if torchscript:
        ctx.add(blob, "torchscript.code", "medium",
                f"TorchScript archive with {len(code)} code file(s) (e.g. {code[0] if code else 'constants.pkl'!r}): "
                "torch.jit.load compiles and runs this code; review it")
    if overlaps:
        ctx.add(blob, "hostile.zip_overlap", "medium", f"{len(overlaps):,} entries (e.g. {overlaps[0].name!r}) share "
                "their data with another entry (overlapping entries multiply decompression); each range scanned once",
                overlaps[0].header)
    partial = _partial_overlaps(entries, seen)
    if partial:
        ctx.add(blob, "hostile.zip_overlap", "medium", f"{len(partial):,} entries (e.g. {partial[0].name!r}) start "
                "inside another entry's data (overlapping entries multiply the work of a scan); scanned within the "
                "scan's byte bound", partial[0].header)
    return fmt


def _partial_overlaps(entries: list[ZipEntry], headers: set[int]) -> list[ZipEntry]:
    """Entries (with distinct local headers) whose data starts inside an earlier entry's data."""
    located = sorted((e for e in entries if e.data >= 0 and e.csize > 0 and e.header in headers),
                     key=lambda e: e.data)
    out: list[ZipEntry] = []
    end = -1
    for e in located:
        if e.data < end:
            out.append(e)
        end = max(end, e.data + e.csize)
    return out


# -- tar ------------------------------------------------------------------------------------------------
LEGACY_RECORDS = ("storages", "tensors")  # members torch.load of a legacy tar unpickles record by record


def scan_tar(ctx: Context, blob: Blob) -> str:
    n = 0
    names: set[str] = set()
    regular: dict[str, tarfile.TarInfo] = {}
    try:
        with tarfile.open(fileobj=BlobFile(blob), mode="r:") as tf:
            while True:
                ti = tf.next()
                if ti is None:
                    break
                n += 1
                names.add(ti.name)
                if n > ctx.limits.max_members:
                    ctx.incomplete(blob, "archive_members", f"more than {ctx.limits.max_members:,} members")
                    break
                if ti.islnk() and ti.name in (*LEGACY_RECORDS, "pickle") and ti.linkname in regular:
                    # torch.load extracts a hard link with the data of the member it names
                    ti = _linked(ti, regular[ti.linkname])
                elif (ti.islnk() or ti.issym()) and ti.name in (*LEGACY_RECORDS, "pickle"):
                    ctx.add(blob, "hostile.tar_link", "medium", f"{ti.name!r} is a link to {ti.linkname[:200]!r}: "
                            "torch.load extracts it and unpickles whatever file it points to", ti.offset)
                    ctx.incomplete(blob, "tar_link", f"{ti.name}: the linked file was not scanned", ti.offset)
                    continue
                if not ti.isreg():
                    continue
                regular[ti.name] = ti
                if ti.offset_data + ti.size > blob.size:
                    ctx.add(blob, "malformed.tar.member_bounds", "medium", f"{ti.name}: runs past the end",
                            ti.offset)
                    continue
                if not ctx.charge_window(blob, ti.size, ti.name, ti.offset):
                    break
                member = blob.child(ti.offset_data, ti.offset_data + ti.size, ti.name)
                if ti.name in LEGACY_RECORDS and member.depth <= ctx.limits.max_depth:
                    # torch.load of a legacy tar unpickles these by name, record by record (pickles between
                    # raw data); a content scan would stop at the first raw bytes
                    from openscope.audit.scan_pickle import scan_legacy_records

                    scan_legacy_records(ctx, member, ti.name)
                else:
                    ctx.scan(member)
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        ctx.add(blob, "malformed.tar", "medium", f"unreadable tar archive after {n} members: {exc}")
    return "pytorch-legacy-tar" if {"pickle", "sys_info"} <= names else "tar"


def _linked(link: tarfile.TarInfo, target: tarfile.TarInfo) -> tarfile.TarInfo:
    """A hard link as extraction materialises it: the link's name over the target's data."""
    ti = tarfile.TarInfo(link.name)
    ti.size, ti.offset, ti.offset_data, ti.type = target.size, link.offset, target.offset_data, tarfile.REGTYPE
    return ti


# -- 7z -------------------------------------------------------------------------------------------------
def scan_7z(ctx: Context, blob: Blob) -> str:
    """7z archives need py7zr (the ``audit`` extra); without it the archive is listed as not scanned."""
    try:
        from openscope.audit import sevenzip
    except ImportError:
        ctx.incomplete(blob, "unsupported_7z", "7z archive: install openscope[audit] (py7zr) to look inside it")
        return "7z"
    return sevenzip.scan_7z(ctx, blob, BlobFile(blob))
