"""safetensors: the checks the reference library (``safetensors`` Rust crate, ``tensor.rs``) makes before
trusting a file, done here without it: header length bound, UTF-8 JSON, no duplicate keys, known dtypes,
shape × dtype size equal to the byte range (with overflow checks), offsets contiguous from 0 with no hole
or overlap, and no bytes after the last tensor. Sharded ``*.index.json`` maps are checked against the
shards' headers once the whole folder is read.
"""

from __future__ import annotations

import base64
import binascii
import json
import posixpath
from typing import Any

from openscope.audit import native_format
from openscope.audit.blob import Blob, Truncated
from openscope.audit.context import Context

MAX_HEADER = 100_000_000  # the reference library's limit
# bits per element (safetensors Dtype::bitsize)
DTYPE_BITS = {
    "BOOL": 8, "F4": 4, "F6_E2M3": 6, "F6_E3M2": 6, "U8": 8, "I8": 8, "F8_E5M2": 8, "F8_E4M3": 8, "F8_E8M0": 8,
    "I16": 16, "U16": 16, "F16": 16, "BF16": 16, "I32": 32, "U32": 32, "F32": 32, "C64": 64, "F64": 64,
    "I64": 64, "U64": 64,
}
U64 = 1 << 64


class _Dup(Exception):
    pass


def _no_dups(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for k, v in pairs:
        if k in seen:
            raise _Dup(k)
        seen[k] = v
    return seen


def _metadata_bytes(value: str) -> bytes | None:
    """The bytes a ``__metadata__`` string can carry an image as, when it starts like one: its characters as
    bytes (``\u0000``-escaped in the JSON, read back with ``.encode('latin-1')``), or base64 (the usual way to put
    bytes in JSON text: its first 12 characters are decoded before the whole value is)."""
    if len(value) < native_format.MIN_EMBEDDED:
        return None
    if value[:2].encode("latin-1", "replace") in native_format.MAGIC2:
        try:
            return value.encode("latin-1")
        except UnicodeEncodeError:
            return None
    try:
        if base64.b64decode(value[:12], validate=True)[:2] not in native_format.MAGIC2:
            return None
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None


def _carried(ctx: Context, blob: Blob, meta: dict) -> None:
    """``native.embedded`` for a ``__metadata__`` value holding a native image. safetensors loaders return the
    metadata as a dict of strings that code reading the file can decode, write to disk and load (a dropper);
    nothing in the tensor data is looked at."""
    for key, value in meta.items():
        raw = _metadata_bytes(value) if isinstance(value, str) else None
        if raw is None:
            continue
        image = blob.derived(raw, f"__metadata__[{str(key)[:80]!r}]")
        fmt = native_format.embedded(image)
        if fmt is not None:
            native_format.report_embedded(ctx, blob, image, fmt, f"__metadata__ value {str(key)[:80]!r}", 8)


def scan_safetensors(ctx: Context, blob: Blob) -> None:
    def bad(rule: str, detail: str, offset: int | None = 0) -> None:
        ctx.add(blob, f"malformed.safetensors.{rule}", "medium", detail, offset)

    try:
        (n,) = blob.unpack("<Q", 0)
    except Truncated:
        bad("truncated", "shorter than the 8-byte header length")
        return
    if n > MAX_HEADER or n > blob.size - 8:
        bad("header_length", f"header length {n:,} exceeds the file ({blob.size - 8:,} bytes left) or the "
            f"reference limit of {MAX_HEADER:,}")
        return
    raw = blob.read(8, n)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        bad("header_utf8", "header is not valid UTF-8", 8)
        return
    if not text.startswith("{"):
        bad("header_json", "header does not start with '{'", 8)
        return
    try:
        header = json.loads(text, object_pairs_hook=_no_dups)
    except _Dup as exc:
        bad("duplicate_key", f"key {str(exc)[:80]!r} appears twice (parsers disagree on which one wins)", 8)
        return
    except (ValueError, RecursionError) as exc:
        bad("header_json", f"header is not valid JSON: {exc}"[:200], 8)
        return
    if not isinstance(header, dict):
        bad("header_json", "header is not a JSON object", 8)
        return
    meta = header.pop("__metadata__", None)
    if meta is not None and not (isinstance(meta, dict) and all(isinstance(v, str) for v in meta.values())):
        bad("metadata", "__metadata__ must map strings to strings", 8)
    if isinstance(meta, dict):
        _carried(ctx, blob, meta)
    data_len = blob.size - 8 - n
    spans: list[tuple[int, int, str]] = []
    ok = True
    for name, info in header.items():
        if not (isinstance(info, dict) and isinstance(info.get("dtype"), str) and isinstance(info.get("shape"), list)
                and isinstance(info.get("data_offsets"), list) and len(info["data_offsets"]) == 2):
            bad("tensor_info", f"tensor {name[:80]!r}: needs dtype, shape and two data_offsets", 8)
            ok = False
            continue
        dtype, shape, (b, e) = info["dtype"], info["shape"], info["data_offsets"]
        if dtype not in DTYPE_BITS:
            bad("dtype", f"tensor {name[:80]!r}: unknown dtype {dtype[:40]!r}", 8)
            ok = False
            continue
        if not all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d < U64 for d in shape + [b, e]) or b > e:
            bad("tensor_info", f"tensor {name[:80]!r}: shape and offsets must be non-negative integers, begin ≤ end", 8)
            ok = False
            continue
        numel = 1
        for d in shape:
            numel *= d
            if numel >= U64:
                break
        bits = numel * DTYPE_BITS[dtype]
        if numel >= U64 or bits >= U64 * 8:
            bad("overflow", f"tensor {name[:80]!r}: shape {shape} overflows 64 bits", 8)
            ok = False
            continue
        if bits % 8 or bits // 8 != e - b:
            bad("shape", f"tensor {name[:80]!r}: shape {shape} × {dtype} is {bits / 8:,.0f} bytes but data_offsets "
                f"span {e - b:,}", 8)
            ok = False
        spans.append((b, e, name))
    if blob.member is None:
        ctx.st_tensors[blob.file] = set(header)
    spans.sort()
    pos = 0
    for b, e, name in spans:
        if b < pos:
            bad("overlap", f"tensor {name[:80]!r} starts at {b:,}, inside the previous tensor (ends {pos:,})", 8 + n + b)
            ok = False
        elif b > pos:
            bad("hole", f"{b - pos:,} unreferenced bytes before tensor {name[:80]!r} (hidden data)", 8 + n + pos)
            ok = False
        pos = max(pos, e)
    if pos > data_len:
        bad("out_of_bounds", f"tensor data ends at {pos:,} but only {data_len:,} bytes follow the header", 8 + n)
    elif pos < data_len:
        bad("trailing_bytes", f"{data_len - pos:,} bytes after the last tensor (not part of any tensor)", 8 + n + pos)
    _ = ok


def check_index(ctx: Context, blob: Blob, doc: dict) -> None:
    """Record a sharded-checkpoint index (``*.index.json``) for the folder-wide consistency check."""
    ctx.st_indexes.append((blob, doc))


def check_indexes(ctx: Context) -> None:
    """Every shard an index names exists inside the folder and holds the tensors mapped to it, and back."""
    for blob, doc in ctx.st_indexes:
        wm = doc.get("weight_map")
        if not isinstance(wm, dict):
            continue
        base = posixpath.dirname(blob.file)
        shards: dict[str, set[str]] = {}
        for tensor, shard in wm.items():
            if not isinstance(shard, str):
                ctx.add(blob, "malformed.index.entry", "medium", f"tensor {tensor[:80]!r} maps to a non-string")
                continue
            shards.setdefault(shard, set()).add(tensor)
        for shard, tensors in sorted(shards.items()):
            norm = posixpath.normpath(posixpath.join(base, shard))
            # transformers joins the name to the folder with os.path.join: on Windows a backslash climbs too
            climbs = posixpath.normpath(posixpath.join(base, shard.replace("\\", "/"))).startswith("..")
            if shard.startswith(("/", "\\")) or norm.startswith("..") or climbs or ":" in shard.split("/")[0]:
                ctx.add(blob, "index.path_traversal", "high",
                        f"shard {shard[:120]!r} points outside the model folder (a loader would read that file)")
                continue
            if not shard.endswith(".safetensors"):
                continue
            have = ctx.st_tensors.get(norm)
            if have is None:
                ctx.add(blob, "malformed.index.missing_shard", "medium",
                        f"shard {shard!r} is not in the folder (or is not a readable safetensors file)")
                continue
            missing = sorted(tensors - have)
            if missing:
                ctx.add(blob, "malformed.index.tensor_missing", "medium",
                        f"{len(missing)} tensor(s) mapped to {shard!r} are not in its header, e.g. {missing[0][:80]!r}")
            extra = sorted(have - set(wm))
            if extra:
                ctx.add(blob, "malformed.index.unlisted_tensor", "medium",
                        f"{len(extra)} tensor(s) in {shard!r} are not in the index, e.g. {extra[0][:80]!r}")
