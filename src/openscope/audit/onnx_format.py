"""ONNX: a protobuf read with a minimal wire-format parser (no onnx import). Initializers whose
``external_data`` location is absolute or climbs out of the model's folder make ``onnx.load`` /
onnxruntime read any file the user can read (CVE-2022-25882 / CVE-2025-51480 class). A node whose operator
domain is neither a standard ONNX domain, nor a domain whose kernels ship inside ONNX Runtime, nor a function
defined in the model itself runs only once a custom-operator library (native code that is not in the file) is
registered with the runtime: it is reported for review, like any other model that needs outside code to load.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path

from openscope.audit import native_format
from openscope.audit.blob import Blob, Truncated
from openscope.audit.context import Context
from openscope.audit.protowire import fields
from openscope.audit.protowire import varint as _varint

MAX_MESSAGES = 2_000_000


# ModelProto field number -> wire type (onnx/onnx.proto). Serializers write fields in number order, but a
# parser accepts any order: a model starting with its functions (25) or training info (20) went undetected.
MODEL_FIELDS = {1: 0, 2: 2, 3: 2, 4: 2, 5: 0, 6: 2, 7: 2, 8: 2, 14: 2, 20: 2, 25: 2, 26: 2}


def looks_like_onnx(blob: Blob) -> bool:
    """A ModelProto: parses as protobuf to the end and has a graph (field 7) plus ir_version or opsets."""
    if blob.size < 4:
        return False
    try:
        key, _ = _varint(blob, 0, min(blob.size, 3))
    except Truncated:
        return False
    if MODEL_FIELDS.get(key >> 3) != key & 7:
        return False
    seen: set[int] = set()
    try:
        for fno, wt, _, _ in fields(blob, 0, blob.size):
            seen.add(fno * 8 + wt)
    except Truncated:
        return False
    return 7 * 8 + 2 in seen and (1 * 8 + 0 in seen or 8 * 8 + 2 in seen)


# Operator domains defined by the ONNX standard (https://onnx.ai/onnx/operators/; "" is ai.onnx).
STANDARD_DOMAINS = frozenset({"", "ai.onnx", "ai.onnx.ml", "ai.onnx.training", "ai.onnx.preview.training"})
# Contrib domains whose kernels are compiled into ONNX Runtime itself (include/onnxruntime/core/graph/
# constants.h; docs/ContribOperators.md): loading them registers no library beyond the runtime, so they are
# not reported. Every other domain (onnxruntime-extensions' ai.onnx.contrib, org.pytorch.aten, vendors')
# needs a custom-operator library registered by the user.
RUNTIME_DOMAINS = frozenset({"com.microsoft", "com.microsoft.nchwc", "com.microsoft.experimental"})
MAX_CUSTOM_OPS = 10_000  # distinct (domain, op type) pairs kept per file; the rest are counted

# message kinds: model, graph, node, attribute, tensor, sparse, function, training (TrainingInfoProto)
_CHILDREN = {
    "model": {7: "graph", 25: "function", 20: "training", 14: "entry"},  # entry: metadata_props
    "training": {1: "graph", 2: "graph"},
    "graph": {1: "node", 5: "tensor", 15: "sparse"},
    "function": {7: "node", 11: "attribute"},  # attribute_proto: default values, graphs and tensors included
    "node": {5: "attribute"},
    "attribute": {5: "tensor", 6: "graph", 10: "tensor", 11: "graph", 22: "sparse", 23: "sparse"},
    "sparse": {1: "tensor", 2: "tensor"},
}


# string fields naming an operator: NodeProto (name 3, op_type 4, domain 7, overload 8) and FunctionProto
# (name 1, domain 10, overload 13), from onnx/onnx.proto
_NODE_TEXT = {3: "name", 4: "op", 7: "domain", 8: "overload"}
_FUNCTION_TEXT = {1: "op", 10: "domain", 13: "overload"}


class _Ops:
    """Custom-domain nodes met in the walk and the functions the model defines (a node calling one of those
    runs the function's own nodes, which are walked and judged themselves)."""

    def __init__(self) -> None:
        self.functions: set[tuple[str, str, str]] = set()
        self.custom: dict[tuple[str, str, str], list] = {}  # (domain, op, overload) -> [count, node name, offset]
        self.dropped = 0

    def node(self, text: dict[str, str], offset: int) -> None:
        domain = text.get("domain", "")
        if domain in STANDARD_DOMAINS or domain in RUNTIME_DOMAINS:
            return
        key = (domain, text.get("op", ""), text.get("overload", ""))
        hit = self.custom.get(key)
        if hit is not None:
            hit[0] += 1
        elif len(self.custom) < MAX_CUSTOM_OPS:
            self.custom[key] = [1, text.get("name", ""), offset]
        else:
            self.dropped += 1

    def report(self, ctx: Context, blob: Blob) -> None:
        for (domain, op, overload), (count, name, offset) in self.custom.items():
            if (domain, op, overload) in self.functions:
                continue
            where = f"node {name[:80]!r}" if name else "a node"
            more = f" (and {count - 1:,} more node(s))" if count > 1 else ""
            ctx.add(blob, "onnx.custom_op", "medium",
                    f"{where}{more} uses operator {op[:120]!r} of domain {domain[:120]!r}: not a standard ONNX "
                    "operator, not an ONNX Runtime built-in, not a function of this model; loading needs a "
                    "custom-operator library (native code, not in this file) registered with the runtime: "
                    "review that library", offset)
        if self.dropped:
            ctx.add(blob, "onnx.custom_op", "medium",
                    f"{self.dropped:,} more custom-domain nodes beyond {MAX_CUSTOM_OPS:,} distinct operators")


def _texts(blob: Blob, a: int, b: int, wanted: dict[int, str]) -> dict[str, str]:
    return {wanted[fno]: blob.read(s, e - s).decode("utf-8", "replace")
            for fno, wt, s, e in fields(blob, a, b) if wt == 2 and fno in wanted}


def scan_onnx(ctx: Context, blob: Blob) -> None:
    todo: list[tuple[str, int, int]] = [("model", 0, blob.size)]
    ops = _Ops()
    values = native_format.Values(ctx, blob)
    n = 0
    broken = False
    while todo:
        kind, a, b = todo.pop()
        n += 1
        if n > MAX_MESSAGES:
            ctx.incomplete(blob, "onnx_size", f"more than {MAX_MESSAGES:,} messages; rest not checked")
            break
        try:
            _message(ctx, blob, kind, a, b, ops, todo, values)
        except Truncated as exc:
            # reported once; the other messages are still walked, so a broken one hides nothing after it
            if not broken:
                ctx.add(blob, "malformed.onnx", "medium", f"not a well-formed ONNX protobuf: {exc}", a)
            broken = True
    ops.report(ctx, blob)
    values.done()


def _message(ctx: Context, blob: Blob, kind: str, a: int, b: int, ops: _Ops, todo: list[tuple[str, int, int]],
             values: native_format.Values) -> None:
    if kind == "tensor":
        _tensor(ctx, blob, a, b, values)
        return
    if kind == "entry":
        _entry(blob, a, b, values)
        return
    if kind == "attribute":
        _attribute_strings(blob, a, b, values)
    if kind == "node":
        ops.node(_texts(blob, a, b, _NODE_TEXT), a)
    elif kind == "function":
        t = _texts(blob, a, b, _FUNCTION_TEXT)
        ops.functions.add((t.get("domain", ""), t.get("op", ""), t.get("overload", "")))
    kids = _CHILDREN[kind]
    for fno, wt, s, e in fields(blob, a, b):
        if wt == 2 and fno in kids:
            todo.append((kids[fno], s, e))


# TensorProto.data_type STRING (onnx.proto TensorProto.DataType), whose elements are string_data (6) entries
STRING = 8


def _entry(blob: Blob, a: int, b: int, values: native_format.Values) -> None:
    """ModelProto.metadata_props: a StringStringEntryProto (key 1, value 2), the model's own key-value strings
    (``onnx.load`` hands them to any code reading the model, as safetensors' ``__metadata__``)."""
    key, spans = "", []
    for fno, wt, s, e in fields(blob, a, b):
        if fno == 1 and wt == 2:
            key = blob.read(s, min(e - s, 80)).decode("utf-8", "replace")
        elif fno == 2 and wt == 2:
            spans.append((s, e))
    values.spans(spans, f"metadata_props value {key!r} at byte {{at}}")


def _attribute_strings(blob: Blob, a: int, b: int, values: native_format.Values) -> None:
    """``native.embedded`` for an AttributeProto's strings: ``s`` (4) and ``strings`` (9), bytes the runtime hands
    to the operator and ``onnx.load`` to any caller (a ``Constant`` node's ``value_string(s)``, any custom op's
    attribute). Its tensors are walked as tensors."""
    name = ""
    spans: list[tuple[int, int]] = []
    for fno, wt, s, e in fields(blob, a, b):
        if fno == 1 and wt == 2:
            name = blob.read(s, min(e - s, 80)).decode("utf-8", "replace")
        elif fno in (4, 9) and wt == 2:
            spans.append((s, e))
    values.spans(spans, f"string attribute {name!r} at byte {{at}}")


def _tensor(ctx: Context, blob: Blob, a: int, b: int, values: native_format.Values | None = None) -> None:
    name = ""
    external: dict[str, str] = {}
    strings: list[tuple[int, int]] = []  # string_data entries (6), judged when data_type is STRING
    data_type: int | None = None
    data, base, lead, shortest = blob.data, blob.start, native_format.FIRST_BYTES, native_format.MIN_EMBEDDED
    for fno, wt, s, e in fields(blob, a, b):
        if fno == 6 and wt == 2:
            if e - s >= shortest and data[base + s] in lead:  # only values that may start like an image are kept
                strings.append((s, e))
        elif fno == 8 and wt == 2:
            name = blob.read(s, e - s).decode("utf-8", "replace")
        elif fno == 2 and wt == 0:
            data_type = s & 0xFFFFFFFF  # an enum is read on its low 32 bits, the last occurrence winning
        elif fno == 13 and wt == 2:
            kv = {}
            for f2, w2, s2, e2 in fields(blob, s, e):
                if w2 == 2 and f2 in (1, 2):
                    kv[f2] = blob.read(s2, e2 - s2).decode("utf-8", "replace")
            if 1 in kv:
                external[kv[1]] = kv.get(2, "")
    if values is not None and data_type == STRING:
        # a STRING tensor's elements are bytes that onnx.load and the runtime hand over as they are (numpy
        # object arrays of bytes); numeric tensors' bytes (raw_data, float_data) are never read
        values.spans(strings, f"string tensor {name[:80]!r} element at byte {{at}}")
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
