"""TensorFlow Lite flatbuffers (``.tflite``): which operators the model needs, read without TensorFlow.

A TFLite model is a flatbuffer (file identifier ``TFL3`` at byte 4) whose ``operator_codes`` name every kernel
its operators run. Builtin operators are kernels compiled into the runtime and hold no code of the file's
choosing. Two kinds of operator code are not:

- a **custom** op (builtin code ``CUSTOM`` and a ``custom_code`` name) runs whatever kernel the application
  registered under that name: outside the few the runtime registers itself (``tflite_builtin_custom_ops`` in
  rules.yml), that is a native library supplied with the model (MediaPipe's, a vendor's, an Edge TPU's), code
  outside the file that is not audited here, so it is reported for review (``tflite.custom_op``, medium: the
  policy of ``onnx.custom_op``);
- a **Flex** op (custom code ``Flex<Op>``) runs a full TensorFlow op through the Flex delegate, built from the
  serialized ``NodeDef`` its custom options carry (a FlexBuffer vector ``[op name, NodeDef]``). Those include
  the file, network and Python ops the TensorFlow audit judges, so every name such an operator gives (the
  custom code, the FlexBuffer's op name, the NodeDef's op) is judged by the same ``tensorflow_ops`` rules and
  reported with their rule and severity (``tf_format.op_table``, ``tf_format.node_def``: one table, no copy);
  Flex savers (``tensorflow_constant_paths``) are judged by their path tensor as the TensorFlow audit judges
  them (a constant outside the model, or a path neither constant nor fed).

Why a bounded reader of its own rather than the ``flatbuffers`` package's ``Table``: the Python runtime has no
verifier (only the C++ one has), and its accessors read wherever an offset points (a negative offset wraps to
the end of the buffer, a vector's declared length is trusted), so a hostile file would be misread rather than
refused. The few tables needed (Model, OperatorCode, SubGraph, Operator, Buffer, Metadata; field numbers from
TensorFlow's ``schema.fbs``) are read here with every offset, vtable and vector length checked against the
file before use (:class:`Truncated` otherwise: ``malformed.tflite``, never a crash). The FlexBuffer inside a
Flex op is read the same way (:func:`flex_strings`): the package's ``flexbuffers`` reader has the same wrap
and trust, and imports numpy whenever numpy is on the path (the audit's verdicts must not depend on
installed frameworks); only the two strings the delegate reads are needed. The tests build their models
with the ``flatbuffers`` package's builders, an independent writer for this reader.

Buffers (weights, and the metadata buffers ``min_runtime_version``, ``TFLITE_METADATA``,
``CONVERSION_METADATA``) are bounds-checked, never interpreted: no runtime runs them. The associated files
that the TFLite metadata tools append to a model as a zip archive (labels, vocabularies) are scanned by
content like any archive's members, without a ``hostile.polyglot`` finding: that zip is how the format
carries them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from openscope.audit import containers, keras_format, tf_format
from openscope.audit.blob import Blob, Truncated
from openscope.audit.context import Context
from openscope.audit.scan_pickle import scan_pickle
from openscope.yamlsafe import safe_load

FORMAT = "tflite"
IDENTIFIER = b"TFL3"
SCHEMA_VERSION = 3  # TFLITE_SCHEMA_VERSION: the interpreter refuses any other
CUSTOM = 32  # BuiltinOperator_CUSTOM
MAX_TABLES = 500_000  # tables read per file (operators, buffers, ...); then incomplete.tflite_size
MAX_OPTIONS = 4 << 20  # bytes of one Flex op's custom options read (its NodeDef); then incomplete
MAX_NAME = 1024  # bytes of a custom code or subgraph name read
MAX_SITES = 10_000  # distinct (rule, op) / custom codes reported per file


@lru_cache(maxsize=1)
def runtime_custom_ops() -> frozenset[str]:
    """Custom op names the TFLite runtime registers itself (rules.yml ``tflite_builtin_custom_ops``)."""
    text = resources.files("openscope.audit").joinpath("rules.yml").read_text(encoding="utf-8")
    doc = safe_load(text)
    return frozenset((doc.get("tflite_builtin_custom_ops") or {}).get("ops") or ())


def detect(head: bytes) -> bool:
    """A TFLite flatbuffer: the identifier at byte 4, which the runtime requires (``ModelBufferHasIdentifier``
    fails the load otherwise), so no loadable model lacks it."""
    return len(head) >= 8 and head[4:8] == IDENTIFIER


@dataclass
class _Table:
    pos: int
    vt: int
    vsize: int


class _Reader:
    """Flatbuffer tables read with every position checked against the blob (see the module docstring)."""

    def __init__(self, blob: Blob) -> None:
        self.blob = blob
        self.tables = 0

    def table(self, pos: int) -> _Table:
        self.tables += 1
        if self.tables > MAX_TABLES:
            raise _TooMany
        (so,) = self.blob.unpack("<i", pos)
        vt = pos - so
        vsize, tsize = self.blob.unpack("<HH", vt)
        if vsize < 4 or vsize % 2 or vt + vsize > self.blob.size or pos + tsize > self.blob.size or tsize < 4:
            raise Truncated(f"table at byte {pos:,} has a vtable that does not fit the file")
        return _Table(pos, vt, vsize)

    def _field(self, t: _Table, i: int) -> int | None:
        slot = 4 + 2 * i
        if slot + 2 > t.vsize:
            return None
        (off,) = self.blob.unpack("<H", t.vt + slot)
        return None if off == 0 else t.pos + off

    def scalar(self, t: _Table, i: int, fmt: str, default: int = 0) -> int:
        p = self._field(t, i)
        return default if p is None else int(self.blob.unpack(fmt, p)[0])

    def ref(self, t: _Table, i: int) -> int | None:
        p = self._field(t, i)
        if p is None:
            return None
        (u,) = self.blob.unpack("<I", p)
        if p + u >= self.blob.size:
            raise Truncated(f"offset at byte {p:,} points past the end of the file")
        return p + u

    def vector(self, t: _Table, i: int, elem: int) -> tuple[int, int]:
        """(first element, count) of a vector field; (0, 0) when absent."""
        v = self.ref(t, i)
        if v is None:
            return 0, 0
        (n,) = self.blob.unpack("<I", v)
        if v + 4 + n * elem > self.blob.size:
            raise Truncated(f"vector at byte {v:,} declares {n:,} elements, more than the file holds")
        return v + 4, n

    def string(self, t: _Table, i: int) -> str | None:
        if self._field(t, i) is None:
            return None
        s, n = self.vector(t, i, 1)
        return self.blob.read(s, min(n, MAX_NAME)).decode("utf-8", "replace")

    def tables_of(self, t: _Table, i: int) -> _Offsets:
        s, n = self.vector(t, i, 4)
        return _Offsets(self.blob, s, n)


class _Offsets:
    """The tables a vector of offsets points to, read one at a time: a vector may declare a quarter of the
    file's bytes as elements (hundreds of millions in a large file), which are never listed at once."""

    def __init__(self, blob: Blob, start: int, count: int) -> None:
        self.blob, self.start, self.count = blob, start, count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, k: int) -> int:
        p = self.start + 4 * k
        (u,) = self.blob.unpack("<I", p)
        return p + u

    def __iter__(self) -> Iterator[int]:
        return (self[k] for k in range(self.count))


class _TooMany(Exception):
    """More tables than MAX_TABLES: the rest is not read (incomplete.tflite_size)."""


@dataclass
class _Scan:
    ctx: Context
    blob: Blob
    r: _Reader
    broken: bool = False
    # (rule, op) -> [count, first place, offset, extra]
    hits: dict[tuple[str, str], list] = field(default_factory=dict)
    custom: dict[str, list[int]] = field(default_factory=dict)  # custom code -> [operators, offset]
    buffers: _Offsets | None = None  # the Buffer tables

    def malformed(self, detail: str, offset: int | None = None) -> None:
        """Reported once per file; what parsed is still judged."""
        if not self.broken:
            self.ctx.add(self.blob, "malformed.tflite", "medium", f"not a well-formed TFLite model: {detail}"[:400],
                         offset)
        self.broken = True


def scan_tflite(ctx: Context, blob: Blob) -> None:
    """Judge a TFLite model's operator codes and the Flex ops' NodeDefs; check its structure."""
    sc = _Scan(ctx, blob, _Reader(blob))
    try:
        _walk(sc)
    except _TooMany:
        ctx.incomplete(blob, "tflite_size", f"more than {MAX_TABLES:,} flatbuffer tables; the rest were not checked")
    _report(sc)
    # labels, vocabularies appended by the TFLite metadata tools (Python's zipfile in append mode)
    if containers.appended_zip(blob) is not None:
        containers.scan_zip(ctx, blob, keras_format.scan_keras_config, scan_pickle)


def _walk(sc: _Scan) -> None:
    r, blob = sc.r, sc.blob
    try:
        (root,) = blob.unpack("<I", 0)
        model = r.table(root)
        version = r.scalar(model, 0, "<I")
    except Truncated as exc:
        sc.malformed(f"its root table does not parse ({exc})", 0)
        return
    if version != SCHEMA_VERSION:
        sc.malformed(f"schema version {version:,}, not {SCHEMA_VERSION}: the TFLite interpreter refuses to load it")
    codes: list[tuple[int, str | None]] = []
    places: list[int] = []
    try:
        for p in r.tables_of(model, 1):
            oc = r.table(p)
            builtin = max(r.scalar(oc, 0, "<b"), r.scalar(oc, 3, "<i"))  # GetBuiltinCode: the larger of the two
            name = r.string(oc, 1) if builtin == CUSTOM else None
            if builtin == CUSTOM and not name:
                sc.malformed(f"operator code {len(codes)} is CUSTOM without a custom_code name", p)
            codes.append((builtin, name))
            places.append(p)
    except Truncated as exc:
        sc.malformed(f"operator codes: {exc}")
    runtime = runtime_custom_ops()
    for i, (_, name) in enumerate(codes):
        if name and not name.startswith("Flex") and name not in runtime and len(sc.custom) < MAX_SITES:
            sc.custom.setdefault(name, [0, places[i]])
    buffers = _buffers(sc, model)
    _metadata(sc, model, buffers)
    if any(name for _, name in codes):  # operators are read only when some code is not a builtin kernel
        _operators(sc, model, codes)


def _buffers(sc: _Scan, model: _Table) -> int:
    """Bounds of every buffer: inline data (a vector checked by the reader) or, in models above 2 GB, an
    ``offset``/``size`` pair relative to the start of the file (valid when the offset is above 1). Returns
    how many buffers there are."""
    r, blob = sc.r, sc.blob
    try:
        places = r.tables_of(model, 4)
    except Truncated as exc:
        sc.malformed(f"buffers: {exc}")
        return 0
    sc.buffers = places
    for k, p in enumerate(places):
        try:
            b = r.table(p)
            r.vector(b, 0, 1)
            off, size = r.scalar(b, 1, "<Q"), r.scalar(b, 2, "<Q")
        except Truncated as exc:
            sc.malformed(f"buffer {k:,}: {exc}", p)
            continue
        if off > 1 and off + size > blob.size:
            sc.malformed(f"buffer {k:,} declares {size:,} bytes at offset {off:,}, past the end of the file "
                         f"({blob.size:,} bytes)", p)
    return len(places)


def _metadata(sc: _Scan, model: _Table, buffers: int) -> None:
    """Model.metadata entries name buffers (``min_runtime_version``, ``TFLITE_METADATA``); only their index is
    checked: their bytes are data for tools, never run."""
    r = sc.r
    try:
        for p in r.tables_of(model, 6):
            m = r.table(p)
            idx = r.scalar(m, 1, "<I")
            if idx >= buffers:
                sc.malformed(f"metadata {r.string(m, 0)!r} names buffer {idx:,} of {buffers:,}", p)
    except Truncated as exc:
        sc.malformed(f"metadata: {exc}")


def _operators(sc: _Scan, model: _Table, codes: list[tuple[int, str | None]]) -> None:
    r = sc.r
    try:
        subgraphs = r.tables_of(model, 2)
    except Truncated as exc:
        sc.malformed(f"subgraphs: {exc}")
        return
    for g, sp in enumerate(subgraphs):
        try:
            sg = r.table(sp)
            gname = r.string(sg, 4)
            ops = r.tables_of(sg, 3)
        except Truncated as exc:
            sc.malformed(f"subgraph {g}: {exc}", sp)
            continue
        where = f"subgraph {g}" + (f" ({gname[:200]!r})" if gname else "")
        for k, p in enumerate(ops):
            try:
                op = r.table(p)
                idx = r.scalar(op, 0, "<I")
                if idx >= len(codes):
                    sc.malformed(f"operator {k} of {where} names operator code {idx:,} of {len(codes):,}", p)
                    continue
                name = codes[idx][1]
                if not name:
                    continue
                if name in sc.custom:
                    sc.custom[name][0] += 1
                elif name.startswith("Flex"):
                    place = f"operator {k} of {where}"
                    savers = [n for n in _flex(sc, op, name, place, p) if n in tf_format.path_ops().inputs]
                    if savers:
                        _paths(sc, sg, op, savers[0], place, p)
            except Truncated as exc:
                sc.malformed(f"operator {k} of {where}: {exc}", p)


def _options(sc: _Scan, op: _Table) -> bytes | None:
    """An operator's custom options: the inline vector (5) or, in models above 2 GB, the
    ``large_custom_options_offset``/``size`` pair (9, 10) relative to the start of the file."""
    r, blob = sc.r, sc.blob
    s, n = r.vector(op, 5, 1)
    if not n:
        off, size = r.scalar(op, 9, "<Q"), r.scalar(op, 10, "<Q")
        if off <= 1 or not size:
            return None
        if off + size > blob.size:
            raise Truncated(f"custom options of {size:,} bytes at offset {off:,} lie past the end of the file")
        s, n = off, size
    if n > MAX_OPTIONS:
        sc.ctx.incomplete(blob, "tflite_options", f"custom options of {n:,} bytes (more than {MAX_OPTIONS:,}): "
                          "the Flex op's NodeDef was not read", s)
        return None
    return blob.read(s, n)


def _flex(sc: _Scan, op: _Table, code: str, place: str, offset: int) -> list[str]:
    """A Flex op: the delegate builds the TensorFlow op from the FlexBuffer ``[op name, NodeDef]`` of its custom
    options. Every name it gives is judged (a custom code that says one op and a NodeDef that runs another
    must not pass as the first)."""
    names = [code[4:]]
    attrs = None
    raw = _options(sc, op)
    if raw is not None:
        try:
            first_raw, node = flex_strings(raw)
        except Truncated as exc:
            sc.malformed(f"{place}: the custom options of {code[:200]!r} are no FlexBuffer [op, NodeDef] "
                         f"({exc}): the Flex delegate cannot build the op", offset)
        else:
            first = first_raw.decode("utf-8", "replace")[:MAX_NAME]
            names.append(first)
            inner = Blob(node, 0, len(node), sc.blob.file, sc.blob.member)
            try:
                op_name, attrs = tf_format.node_def(sc.ctx, inner, 0, inner.size)
            except Truncated as exc:
                sc.malformed(f"{place}: the NodeDef of {code[:200]!r} does not parse ({exc})", offset)
            else:
                if op_name:
                    names.append(op_name)
    table = tf_format.op_table()
    shown = ", ".join(repr(n[:80]) for n in dict.fromkeys(names))
    for name in dict.fromkeys(names):
        group = table.get(name)
        if group is None:
            continue
        extra = ""
        if group.attr is not None:
            try:
                values = attrs(group.attr) if attrs is not None else []
            except Truncated:
                values = []
            if not group.applies(values):
                continue
            extra = f" ({group.attr} {', '.join(repr(x[:200]) for x in values[:3])})" if values else ""
        if len(set(names)) > 1:
            extra += f" (its names: {shown})"
        key = (group.rule, name)
        hit = sc.hits.get(key)
        if hit is not None:
            hit[0] += 1
        elif len(sc.hits) < MAX_SITES:
            sc.hits[key] = [1, place, offset, extra]
    return list(dict.fromkeys(names))


def _paths(sc: _Scan, sg: _Table, op: _Table, name: str, place: str, offset: int) -> None:
    """A Flex saver, table or cache op (rules.yml ``tensorflow_constant_paths``) is judged by its path input,
    as in a TensorFlow graph: a constant string tensor of the model naming a place outside it is
    ``tensorflow.constant_path``; a tensor the caller feeds (a subgraph input: on-device training models
    save and restore through a ``checkpoint_path`` argument) is not reported; any other tensor (computed by
    another operator, a variable) is ``tensorflow.computed_path``."""
    r, blob = sc.r, sc.blob
    paths = tf_format.path_ops()
    ins_s, ins_n = r.vector(op, 1, 4)
    tensors = r.tables_of(sg, 0)
    in_s, in_n = r.vector(sg, 1, 4)
    fed = {blob.unpack("<i", in_s + 4 * j)[0] for j in range(min(in_n, MAX_SITES))}
    for i in paths.inputs[name]:
        if i >= ins_n:
            continue
        (t,) = blob.unpack("<i", ins_s + 4 * i)
        if t < 0 or t in fed:
            continue
        if t >= len(tensors):
            sc.malformed(f"{place} names tensor {t:,} of {len(tensors):,}", offset)
            continue
        tensor = r.table(tensors[t])
        value = _string_tensor(sc, r.scalar(tensor, 2, "<I"))
        if value is not None:
            if tf_format.outside(value):
                sc.ctx.add(blob, paths.rule, paths.severity, f"{place} runs {name} through the Flex delegate on the "
                           f"constant path {value[:200]!r}: {paths.why}", offset, name)
                return
            continue
        tname = r.string(tensor, 3) or f"tensor {t}"
        sc.ctx.add(blob, "tensorflow.computed_path", "medium",
                   f"{place} runs {name} through the Flex delegate on a path held by {tname[:200]!r}, neither a "
                   "constant of the model nor an input the caller feeds: where it reads or writes is decided when "
                   "the model runs", offset, name)
        return


def _string_tensor(sc: _Scan, index: int) -> str | None:
    """The first string of a constant string tensor's buffer (TFLite's string layout: the count, count + 1
    offsets from the buffer's start, then the bytes), or None when the buffer is empty (buffer 0 is the empty
    sentinel) or holds no such layout."""
    if index == 0 or sc.buffers is None or index >= len(sc.buffers):
        return None
    r, blob = sc.r, sc.blob
    b = r.table(sc.buffers[index])
    s, n = r.vector(b, 0, 1)
    if not n:
        off, size = r.scalar(b, 1, "<Q"), r.scalar(b, 2, "<Q")
        if off <= 1 or off + size > blob.size:
            return None
        s, n = off, size
    if n < 12:
        return None
    count, first, second = blob.unpack("<iii", s)
    if count < 1 or 4 * (count + 2) > n or not 0 <= first <= second <= n:
        return None
    return blob.read(s + first, min(second - first, tf_format.MAX_ATTR)).decode("utf-8", "replace")


# FlexBuffers types (flexbuffers.h): a string, a key (NUL-terminated), an untyped vector and a map (whose values
# are an untyped vector)
_FBT_KEY, _FBT_STRING, _FBT_MAP, _FBT_VECTOR = 4, 5, 9, 10


def flex_strings(buf: bytes) -> tuple[bytes, bytes]:
    """The first two elements of a FlexBuffer vector, as the Flex delegate reads its custom options
    (``GetRoot(buf).AsVector()``, then ``[0].AsString()`` and ``[1].AsString()``): the op name and the
    serialized NodeDef. Every offset and size is checked against the buffer (:class:`Truncated` otherwise);
    an element that is neither a string nor a key, or a root that is not a vector, raises too (the delegate
    would read an empty name and NodeDef and fail to build the op)."""
    n = len(buf)

    def uint(at: int, width: int) -> int:
        if width not in (1, 2, 4, 8) or at < 0 or at + width > n:
            raise Truncated(f"a {width}-byte value at {at} lies outside the {n}-byte options")
        return int.from_bytes(buf[at:at + width], "little")

    if n < 3:
        raise Truncated("options shorter than a FlexBuffer root")
    root_width, root_type = buf[-1], buf[-2]
    root_at = n - 2 - root_width
    if root_type >> 2 not in (_FBT_VECTOR, _FBT_MAP):
        raise Truncated("the root is not a vector")
    width = 1 << (root_type & 3)
    vec = root_at - uint(root_at, root_width)
    size = uint(vec - width, width)
    if size < 2 or vec + size * width + size > n:
        raise Truncated(f"a vector of {size:,} elements where [op, NodeDef] is expected")
    out: list[bytes] = []
    for i in range(2):
        packed = buf[vec + size * width + i]
        elem = vec + i * width
        target = elem - uint(elem, width)
        kind = packed >> 2
        if kind == _FBT_STRING:
            length = uint(target - (1 << (packed & 3)), 1 << (packed & 3))
            if target < 0 or target + length > n:
                raise Truncated(f"element {i}: a string of {length:,} bytes past the options' end")
            out.append(buf[target:target + length])
        elif kind == _FBT_KEY:
            end = buf.find(b"\x00", max(target, 0))
            if target < 0 or end < 0:
                raise Truncated(f"element {i}: a key with no end")
            out.append(buf[target:end])
        else:
            raise Truncated(f"element {i} is not a string (FlexBuffer type {kind})")
    return out[0], out[1]


def _report(sc: _Scan) -> None:
    table = tf_format.op_table()
    for (rule, name), (count, place, offset, extra) in sc.hits.items():
        group = table[name]
        more = f" (and {count - 1:,} more such operator(s))" if count > 1 else ""
        sc.ctx.add(sc.blob, rule, group.severity,
                   f"{place}{more} runs the TensorFlow op {name[:200]} through the Flex delegate{extra}: {group.why}",
                   offset, name)
    for name, (count, offset) in sc.custom.items():
        sc.ctx.add(sc.blob, "tflite.custom_op", "medium",
                   f"operator code {name[:200]!r} is a custom op ({count:,} operator(s) use it) that the TFLite "
                   "runtime does not ship: loading needs a kernel registered by the application (a native library "
                   "supplied with the model, e.g. MediaPipe's or a vendor's), code outside the file that is not "
                   "audited here; review where it comes from", offset, name)
