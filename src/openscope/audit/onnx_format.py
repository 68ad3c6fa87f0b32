"""ONNX: a protobuf read with a minimal wire-format parser (no onnx import). Initializers whose
``external_data`` location is absolute or climbs out of the model's folder make ``onnx.load`` /
onnxruntime read any file the user can read (CVE-2022-25882 / CVE-2025-51480 class)."""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterator
from pathlib import Path

from openscope.audit.blob import Blob, Truncated
from openscope.audit.context import Context

MAX_MESSAGES = 2_000_000


def _varint(blob: Blob, p: int, end: int) -> tuple[int, int]:
    shift = 0
    val = 0
    while True:
        if p >= end or shift > 63:
            raise Truncated("bad varint")
        b = blob.data[blob.start + p]
        p += 1
        val |= (b & 0x7F) << shift
        if not b & 0x80:
            return val, p
        shift += 7


def fields(blob: Blob, start: int, end: int) -> Iterator[tuple[int, int, int, int]]:
    """(field number, wire type, value or payload start, payload end) for one message."""
    p = start
    while p < end:
        key, p = _varint(blob, p, end)
        fno, wt = key >> 3, key & 7
        if fno == 0:
            raise Truncated("field number 0")
        if wt == 0:
            v, p = _varint(blob, p, end)
            yield fno, wt, v, p
        elif wt == 1:
            p += 8
            yield fno, wt, p - 8, p
        elif wt == 5:
            p += 4
            yield fno, wt, p - 4, p
        elif wt == 2:
            n, p = _varint(blob, p, end)
            if p + n > end:
                raise Truncated("length-delimited field runs past its message")
            yield fno, wt, p, p + n
            p += n
        else:
            raise Truncated(f"unsupported wire type {wt}")
        if p > end:
            raise Truncated("field runs past its message")


def looks_like_onnx(blob: Blob) -> bool:
    """A ModelProto: parses as protobuf to the end and has a graph (field 7) plus ir_version or opsets."""
    if blob.size < 4 or blob.data[blob.start] not in (0x08, 0x12, 0x1A, 0x22, 0x2A, 0x32, 0x3A, 0x42):
        return False
    seen: set[int] = set()
    try:
        for fno, wt, _, _ in fields(blob, 0, blob.size):
            seen.add(fno * 8 + wt)
    except Truncated:
        return False
    return 7 * 8 + 2 in seen and (1 * 8 + 0 in seen or 8 * 8 + 2 in seen)


# message kinds: model, graph, node, attribute, tensor, sparse, function
_CHILDREN = {
    "model": {7: "graph", 25: "function"},
    "graph": {1: "node", 5: "tensor", 15: "sparse"},
    "function": {7: "node"},
    "node": {5: "attribute"},
    "attribute": {5: "tensor", 6: "graph", 10: "tensor", 11: "graph", 22: "sparse", 23: "sparse"},
    "sparse": {1: "tensor", 2: "tensor"},
}


def scan_onnx(ctx: Context, blob: Blob) -> None:
    todo: list[tuple[str, int, int]] = [("model", 0, blob.size)]
    n = 0
    try:
        while todo:
            kind, a, b = todo.pop()
            n += 1
            if n > MAX_MESSAGES:
                ctx.incomplete(blob, "onnx_size", f"more than {MAX_MESSAGES:,} messages; rest not checked")
                return
            if kind == "tensor":
                _tensor(ctx, blob, a, b)
                continue
            kids = _CHILDREN[kind]
            for fno, wt, s, e in fields(blob, a, b):
                if wt == 2 and fno in kids:
                    todo.append((kids[fno], s, e))
    except Truncated as exc:
        ctx.add(blob, "malformed.onnx", "medium", f"not a well-formed ONNX protobuf: {exc}")


def _tensor(ctx: Context, blob: Blob, a: int, b: int) -> None:
    name = ""
    external: dict[str, str] = {}
    for fno, wt, s, e in fields(blob, a, b):
        if fno == 8 and wt == 2:
            name = blob.read(s, e - s).decode("utf-8", "replace")
        elif fno == 13 and wt == 2:
            kv = {}
            for f2, w2, s2, e2 in fields(blob, s, e):
                if w2 == 2 and f2 in (1, 2):
                    kv[f2] = blob.read(s2, e2 - s2).decode("utf-8", "replace")
            if 1 in kv:
                external[kv[1]] = kv.get(2, "")
    loc = external.get("location")
    if loc is None:
        return
    norm = posixpath.normpath(loc.replace("\\", "/"))
    if loc.startswith(("/", "\\")) or (len(loc) > 1 and loc[1] == ":") or norm == ".." or norm.startswith("../"):
        ctx.add(blob, "onnx.external_data.path_traversal", "high",
                f"initializer {name[:80]!r} reads external data from {loc[:200]!r}, outside the model folder "
                "(arbitrary file read when loaded)", a)
        return
    if blob.folder is not None and blob.member is None:
        target = Path(blob.folder, norm)
        try:
            real = Path(os.path.realpath(target))
            inside = real.is_relative_to(Path(os.path.realpath(blob.folder)))
        except (OSError, ValueError):
            inside = True
        if not inside:
            ctx.add(blob, "onnx.external_data.path_traversal", "high",
                    f"initializer {name[:80]!r}: external data {loc[:200]!r} resolves outside the model folder "
                    "through a symbolic link", a)
        elif not _exists(target):
            ctx.add(blob, "malformed.onnx.external_data_missing", "medium",
                    f"initializer {name[:80]!r}: external data file {loc[:200]!r} is not in the folder", a)


def _exists(path: Path) -> bool:
    """Whether a referenced file exists; a name the file system refuses (too long, a NUL) does not."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False
