"""NumPy ``.npy``: the header is a Python literal (parsed with ``ast.literal_eval``, never ``eval``); an
object dtype means the data is a pickle, which ``np.load(allow_pickle=True)`` would run."""

from __future__ import annotations

import ast
import math
import re

from openscope.audit.blob import Blob, Truncated
from openscope.audit.context import Context
from openscope.audit.scan_pickle import scan_pickle

MAX_HEADER = 100_000  # characters of header literal parsed (an AST of millions of nodes would cost gigabytes)
# np.load ignores its own 10,000-byte header limit when allow_pickle=True (the case that runs code), so a
# header padded with whitespace is read up to this many bytes and parsed once the padding is stripped
MAX_PADDED_HEADER = 64 << 20
_WS = re.compile(r"\s+")
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


def _type_has_object(spec: str) -> bool:
    """Whether a NumPy type string can name an object dtype: 'O', '|O8', 'object', and the comma and
    sub-array forms numpy.dtype also parses ('i4,O', '(2,)O'). No other type string contains 'O' or 'object'."""
    return "O" in spec or "object" in spec.lower()


def _has_object(descr: object, depth: int = 0) -> bool:
    """Whether ``numpy.lib.format.descr_to_dtype(descr).hasobject`` can be true (then np.load unpickles the data).

    Conservative on every shape numpy accepts: a type string, a ``(base, shape)`` sub-array tuple, a list of
    ``(name, type[, shape])`` fields (as tuples or lists), and any other iterable numpy walks as fields (a
    dict's keys are unpacked character by character, so ``{'aO': 0}`` is a field 'a' of type 'O').
    """
    if depth > 32:
        return True  # nested beyond any real dtype: assume the worst
    if isinstance(descr, str):
        return _type_has_object(descr)
    if isinstance(descr, tuple) and len(descr) == 2 and not isinstance(descr[0], str | tuple) \
            and isinstance(descr[1], int):
        return False  # a plain (int, int) pair holds no type
    if isinstance(descr, tuple):
        return any(_has_object(x, depth + 1) for x in descr if not isinstance(x, int | bool))
    if isinstance(descr, list):
        for f in descr:
            if isinstance(f, tuple | list) and len(f) in (2, 3):
                if _has_object(f[1], depth + 1):
                    return True
            elif _has_object(f, depth + 1):
                return True
        return False
    if isinstance(descr, dict):
        return any(_has_object(k, depth + 1) or _has_object(v, depth + 1) for k, v in descr.items())
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
        text = ""
        if hlen <= MAX_PADDED_HEADER:
            text = blob.read(start, hlen).decode("latin-1" if major < 3 else "utf-8").strip()
            if len(text) > MAX_HEADER:  # padding between the items (the literal's meaning does not change)
                text = _WS.sub(" ", text)
        if hlen > MAX_PADDED_HEADER or len(text) > MAX_HEADER:
            ctx.add(blob, "malformed.numpy.header", "medium", f"header of {hlen:,} bytes (limit {MAX_HEADER:,} "
                    "characters of literal)", 8)
            ctx.incomplete(blob, "numpy_header", "header too long to parse; the data (a pickle if the dtype holds "
                           "objects) was not scanned", 8)
            return
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
