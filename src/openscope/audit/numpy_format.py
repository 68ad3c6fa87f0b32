"""NumPy ``.npy``: the header is a Python literal (parsed with ``ast.literal_eval``, never ``eval``); an
object dtype means the data is a pickle, which ``np.load(allow_pickle=True)`` would run."""

from __future__ import annotations

import ast
import math
import re

from openscope.audit.blob import Blob, Truncated
from openscope.audit.context import Context
from openscope.audit.scan_pickle import scan_pickle

MAX_HEADER = 100_000
_SIMPLE = re.compile(r"^[<>|=]?([a-zA-Z])(\d*)$")


def _itemsize(descr: object) -> int | None:
    """Bytes per element, or None when it cannot be known statically (object fields are handled apart)."""
    if isinstance(descr, str):
        m = _SIMPLE.match(descr)
        if not m:
            return None
        kind, n = m.group(1), m.group(2)
        if kind in "?b" and not n:
            return 1
        if kind == "U":
            return 4 * int(n or 0)
        return int(n) if n else None
    if isinstance(descr, list):
        total = 0
        for f in descr:
            if not isinstance(f, tuple) or len(f) < 2:
                return None
            size = _itemsize(f[1])
            if size is None:
                return None
            shape = f[2] if len(f) > 2 else ()
            dims = shape if isinstance(shape, tuple) else (shape,)
            if not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in dims):
                return None  # a str "shape" would make size * "xx" a string of `size` copies (88 bytes → 200 MB)
            total += size * math.prod(dims)
        return total
    return None


def _has_object(descr: object) -> bool:
    if isinstance(descr, str):
        return descr.lstrip("<>|=").startswith("O")
    if isinstance(descr, list):
        return any(isinstance(f, tuple) and len(f) >= 2 and _has_object(f[1]) for f in descr)
    return False


def scan_npy(ctx: Context, blob: Blob) -> None:
    try:
        major = blob.read(6, 1)[0]
        if major == 1:
            (hlen,) = blob.unpack("<H", 8)
            start = 10
        elif major in (2, 3):
            (hlen,) = blob.unpack("<I", 8)
            start = 12
        else:
            ctx.add(blob, "malformed.numpy.version", "medium", f"unknown .npy format version {major}")
            return
        if hlen > MAX_HEADER:
            ctx.add(blob, "malformed.numpy.header", "medium", f"header of {hlen:,} bytes (limit {MAX_HEADER:,})", 8)
            return
        text = blob.read(start, hlen).decode("latin-1" if major < 3 else "utf-8")
    except (Truncated, UnicodeDecodeError) as exc:
        ctx.add(blob, "malformed.numpy.header", "medium", f"unreadable .npy header: {exc}")
        return
    try:
        header = ast.literal_eval(text.strip())
        descr, fortran, shape = header["descr"], header["fortran_order"], header["shape"]
        if not isinstance(shape, tuple) or not all(isinstance(d, int) and d >= 0 for d in shape):
            raise ValueError("shape is not a tuple of sizes")
        _ = fortran
    except (ValueError, SyntaxError, KeyError, TypeError, MemoryError, RecursionError) as exc:
        ctx.add(blob, "malformed.numpy.header", "medium", f".npy header is not a valid literal: {exc}"[:200], start)
        return
    data = start + hlen
    if _has_object(descr):
        scan_pickle(ctx, blob.child(data, blob.size, "<object array pickle>"), "object-array pickle")
        return
    size = _itemsize(descr)
    if size is None:
        return
    need = size * math.prod(shape)
    have = blob.size - data
    if need > have:
        ctx.add(blob, "malformed.numpy.truncated", "medium", f"shape {shape} × {size} bytes needs {need:,} "
                f"bytes, {have:,} present", data)
    elif need < have:
        ctx.add(blob, "malformed.numpy.trailing_bytes", "medium", f"{have - need:,} bytes after the array data "
                "(not read by np.load; may hide content)", data + need)
