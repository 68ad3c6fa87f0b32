"""TensorFlow graphs in protobuf's text format: ``saved_model.pbtxt``, a text ``.meta``, a text GraphDef.

The loaders read these as readily as the binary files: ``tf.saved_model.load`` (and the C++ reader) fall back
to ``saved_model.pbtxt`` when there is no ``saved_model.pb``, ``import_meta_graph`` parses a ``.meta`` that
is not binary as text, and a frozen graph written with ``tf.io.write_graph(as_text=True)`` is parsed with
``text_format``. A graph in text runs the same ops, so it is judged by the same rules (the binary walk's
judging and reporting, :class:`tf_format._Walk`), node by node as the text is tokenized: one pass, an explicit
stack (no recursion), nothing kept of a message the rules do not read.

Recognised by content: the first field (after blank lines and ``#`` comments) must be one of the messages
a SavedModel, MetaGraphDef or GraphDef starts with, opened with ``{`` or ``<`` (or SavedModel's schema
version); the text parsers refuse unknown fields, so a file whose first field is something else does not
load as a graph. A label map (``item {``), a pipeline config, YAML or prose stay ``other``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from openscope.audit import native_format
from openscope.audit.blob import Blob, Truncated
from openscope.audit.context import Context
from openscope.audit.protowire import varint
from openscope.audit.tf_format import (
    MAX_ATTR,
    MAX_ATTR_VALUES,
    MAX_CONTENT_STRINGS,
    MAX_INPUTS,
    MAX_JSON,
    MAX_OP,
    MAX_TEXT,
    _Scope,
    _Walk,
)

FORMAT = "tensorflow-text"
MAX_TOKENS = 20_000_000  # tokens read per file (then incomplete.tensorflow_size)
MAX_DEPTH = 10_000  # messages open at once (Python's text_format recurses, and fails far sooner)
MAX_CONTENT = 32_768  # bytes of a tensor's tensor_content kept (its string lengths and first string)
MAX_LEADING_SCALARS = 8  # scalar fields (version numbers) looked past for the first message field

# the message fields a SavedModel, MetaGraphDef or GraphDef can start with
_FIRST_MESSAGES = frozenset({
    b"meta_graphs", b"meta_info_def", b"graph_def", b"saver_def", b"collection_def", b"signature_def",
    b"asset_file_def", b"object_graph_def", b"node", b"versions", b"library", b"debug_info"})
_FIRST_SCALARS = frozenset({b"saved_model_schema_version", b"version"})

# what Python's text_format (the loader's parser) takes for blanks: its tokenizer's \s is Unicode's, so the
# ASCII separators 0x1c-0x1f and, in UTF-8, U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F,
# U+205F and U+3000 separate tokens too (a graph after one of them still loads)
_BLANK = (rb"(?:[ \t\n\r\f\v\x1c-\x1f]|\xc2[\x85\xa0]|\xe1\x9a\x80|\xe2\x80[\x80-\x8a\xa8\xa9\xaf]|\xe2\x81\x9f"
          rb"|\xe3\x80\x80)")
_SKIP = re.compile(rb"%s*(?:#[^\n]*%s*)*" % (_BLANK, _BLANK))  # blanks and comments, unrolled (linear)
MAX_LEADING = 65_536  # bytes of leading blanks and comments the content test reads past
_TEXT_NAMES = (".pbtxt", ".pbtext", ".meta", ".prototxt")  # past MAX_LEADING, the name decides
_WORD = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")
_SCALAR = re.compile(rb"[^\s{}<>\[\]:,;\"'#\x1c-\x1f\x80-\xff]+")
_TOKEN = re.compile(rb"""
    (?P<ws>%s+)
  | (?P<comment>\#[^\n]*)
  | (?P<str>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<punct>[{}<>\[\]:,;])
  | (?P<word>[^\s{}<>\[\]:,;"'\#\x1c-\x1f\x80-\xff]+)
""" % _BLANK, re.X)
_ESCAPE = re.compile(rb"\\(?:([0-7]{1,3})|x([0-9A-Fa-f]{1,2})|(.))", re.S)
_SIMPLE = {b"n": b"\n", b"t": b"\t", b"r": b"\r", b"a": b"\a", b"b": b"\b", b"f": b"\f", b"v": b"\v"}


class _Long(Exception):
    """Blanks and comments run past MAX_LEADING: the content test stops there."""


def _skip(data: bytes, p: int, end: int) -> int:
    """Past the blanks and comments at ``p``; raises :class:`_Long` past MAX_LEADING of them (the loaders read
    past any amount; this test does not, to stay cheap for every other file)."""
    m = _SKIP.match(data, p, min(end, p + MAX_LEADING))
    q = m.end() if m else p
    if q - p >= MAX_LEADING and q < end:
        raise _Long
    return q


def detect(blob: Blob) -> bool:
    """Whether a blob starts as a SavedModel, MetaGraphDef or GraphDef in text format: its first field (past
    at most MAX_LEADING_SCALARS scalar version fields) is one of their message fields, and that message starts
    as one (empty, or a field). Reads a few words; past MAX_LEADING bytes of blanks and comments, a file named
    as text protobufs are (``.pbtxt``, ``.meta``) is taken as one, any other is not."""
    data, base, end = blob.data, blob.start, blob.start + blob.size
    try:
        return _starts_as_graph(data, base, end)
    except _Long:
        return (blob.member or blob.file or "").lower().endswith(_TEXT_NAMES)


def _starts_as_graph(data: bytes, p: int, end: int) -> bool:
    for _ in range(MAX_LEADING_SCALARS + 1):
        p = _skip(data, p, end)
        w = _WORD.match(data, p, end)
        if w is None:
            return False
        name = w.group()
        q = _skip(data, w.end(), end)
        nxt = bytes(data[q:q + 1])
        if name in _FIRST_MESSAGES:
            return _opens_message(data, q + 1 if nxt == b":" else q, end)
        if name not in _FIRST_SCALARS or nxt != b":":
            return False
        v = _SCALAR.match(data, _skip(data, q + 1, end), end)
        if v is None:
            return False
        p = _skip(data, v.end(), end)
        if bytes(data[p:p + 1]) in (b",", b";"):
            p += 1
    return False


def _opens_message(data: bytes, p: int, end: int) -> bool:
    """Whether a message opens at ``p`` (after blanks) and starts as one: empty, or a field name followed by
    ``:`` or a brace (prose that happens to start with ``node {`` does not)."""
    q = _skip(data, p, end)
    opener = bytes(data[q:q + 1])
    if opener == b"[":
        return _opens_message(data, q + 1, end)
    if opener not in (b"{", b"<"):
        return False
    q = _skip(data, q + 1, end)
    if bytes(data[q:q + 1]) in (b"}", b">"):
        return True
    w = _WORD.match(data, q, end)
    if w is None:
        return False
    q = _skip(data, w.end(), end)
    return bytes(data[q:q + 1]) in (b":", b"{", b"<")


def _unescape(raw: bytes) -> bytes:
    """A text-format string's bytes (C escapes: octal, \\x, \\n and the like; any other escaped character is
    itself)."""
    if b"\\" not in raw:
        return raw

    def one(m: re.Match[bytes]) -> bytes:
        if m.group(1):
            return bytes([int(m.group(1), 8) & 0xFF])
        if m.group(2):
            return bytes([int(m.group(2), 16)])
        c = m.group(3)
        return _SIMPLE.get(c, c)

    return _ESCAPE.sub(one, raw)


@dataclass
class _Tensor:
    dtype: int | None = None
    first: bytes | None = None
    content: bytes | None = None
    elements: int = 1
    carried: list[tuple[bytes, int]] = field(default_factory=list)  # string_val values starting like an image


@dataclass
class _Node:
    at: int
    scope: _Scope
    name: str | None = None
    op: str | None = None
    inputs: list[str] = field(default_factory=list)
    attrs: dict[str, list[str]] = field(default_factory=dict)
    tensor: _Tensor | None = None  # the ``value`` attribute's tensor (a Const's)


@dataclass
class _Frame:
    """One open message (or ``[ ]`` list) of the text: what it is to the rules, and what it collects."""

    kind: str
    closer: bytes
    name: bytes = b""
    node: _Node | None = None
    key: str | None = None  # an attr entry's key
    strings: list[str] = field(default_factory=list)  # an attr entry's value strings
    tensor: _Tensor | None = None
    scope: _Scope | None = None  # a meta graph's graph scope, a function's scope
    entry: _Frame | None = None  # the attr entry a value, list or tensor belongs to
    at: int = 0
    texts: dict[bytes, bytes] = field(default_factory=dict)  # scalars an asset or user object keeps


# (kind of the enclosing message, field name) -> kind of the message the field opens
_CHILD: dict[tuple[str, bytes], str] = {
    ("root", b"meta_graphs"): "meta", ("root", b"graph_def"): "graph", ("meta", b"graph_def"): "graph",
    ("root", b"node"): "node", ("graph", b"node"): "node", ("root", b"library"): "library",
    ("graph", b"library"): "library", ("library", b"function"): "function", ("function", b"signature"): "signature",
    ("function", b"node_def"): "node", ("node", b"attr"): "attr", ("attr", b"value"): "value",
    ("value", b"list"): "list", ("value", b"tensor"): "tensor", ("tensor", b"tensor_shape"): "shape",
    ("shape", b"dim"): "dim", ("root", b"asset_file_def"): "asset", ("meta", b"asset_file_def"): "asset",
    ("asset", b"tensor_info"): "tensor_info", ("root", b"object_graph_def"): "objects",
    ("meta", b"object_graph_def"): "objects", ("objects", b"nodes"): "object", ("object", b"user_object"): "user",
}


class _TextWalk:
    """One text file's walk: tokens in, the binary walk's judging and report out."""

    def __init__(self, ctx: Context, blob: Blob) -> None:
        self.ctx = ctx
        self.blob = blob
        self.walk = _Walk(ctx, blob)
        self.root_scope = _Scope()
        self.walk.scopes.append(self.root_scope)
        self.carried = 0  # string values kept for the native.embedded check

    def run(self) -> None:
        try:
            self._parse()
        finally:
            self.walk._report()
            self.walk.values.done()

    def _malformed(self, at: int, why: str) -> None:
        self.walk._malformed("text", at, Truncated(why))

    def _parse(self) -> None:
        data, base, end = self.blob.data, self.blob.start, self.blob.start + self.blob.size
        stack: list[_Frame] = [_Frame("root", b"")]
        pending: bytes | None = None  # a field name read, its value not yet
        colon = False
        tokens = 0
        p = base
        while p < end:
            m = _TOKEN.match(data, p, end)
            if m is None:
                self._malformed(p - base, "a character the text format does not allow here")
                return
            p = m.end()
            kind = m.lastgroup
            if kind == "ws":
                continue
            tokens += 1
            if kind == "comment":
                continue
            if tokens > MAX_TOKENS:
                self.ctx.incomplete(self.blob, "tensorflow_size", f"more than {MAX_TOKENS:,} tokens of text; the "
                                    "rest were not checked", m.start() - base)
                return
            tok = m.group()
            top = stack[-1]
            at = m.start() - base
            if top.kind == "[":  # inside a list: values or messages of the list's field
                if tok == b"]":
                    stack.pop()
                    continue
                if tok == b",":
                    continue
                if tok in (b"{", b"<"):
                    self._open(stack, stack[-2], top.name, tok, at)
                elif kind in ("str", "word"):
                    p = self._scalar(stack[-2], top.name, m, p, end)
                else:
                    self._malformed(at, f"{tok[:20]!r} inside a list")
                    return
                if len(stack) > MAX_DEPTH:
                    self._malformed(at, "messages nested too deeply")
                    return
                continue
            if pending is None:
                if tok in (b",", b";"):
                    continue
                if tok in (b"}", b">"):
                    if len(stack) == 1 or tok != top.closer:
                        self._malformed(at, f"unbalanced {tok.decode()!r}")
                        return
                    done = stack.pop()
                    self._close(done, stack[-1] if stack[-1].kind != "[" else stack[-2])
                    continue
                if kind == "word":
                    pending, colon = tok, False
                    continue
                if tok == b"[":  # an extension or Any field name: [type.googleapis.com/...]
                    close = data.find(b"]", p, min(end, p + MAX_TEXT))
                    if close < 0:
                        self._malformed(at, "an extension name without its ']'")
                        return
                    pending, colon, p = b"[" + bytes(data[p:close]) + b"]", False, close + 1
                    continue
                self._malformed(at, f"{tok[:20]!r} where a field name should be")
                return
            if tok == b":" and not colon:
                colon = True
                continue
            name, pending = pending, None
            if tok in (b"{", b"<"):
                self._open(stack, top, name, tok, at)
            elif tok == b"[":
                stack.append(_Frame("[", b"]", name))
            elif colon and kind in ("str", "word"):
                p = self._scalar(top, name, m, p, end)
            else:
                self._malformed(at, f"{tok[:20]!r} after field {name[:40]!r}")
                return
            if len(stack) > MAX_DEPTH:
                self._malformed(at, "messages nested too deeply")
                return
        if pending is not None or len(stack) > 1:
            self._malformed(self.blob.size, "the text ends inside a message")

    def _open(self, stack: list[_Frame], parent: _Frame, name: bytes, opener: bytes, at: int) -> None:
        kind = _CHILD.get((parent.kind, name), "other") if parent.kind != "other" else "other"
        frame = _Frame(kind, b"}" if opener == b"{" else b">", name, at=at)
        if kind == "meta":
            frame.scope = _Scope()
            self.walk.scopes.append(frame.scope)
        elif kind == "graph":
            frame.scope = parent.scope if parent.kind == "meta" else self.root_scope
        elif kind == "function":
            frame.scope = _Scope("")
            self.walk.scopes.append(frame.scope)
        elif kind == "node":
            scope = parent.scope if parent.kind in ("graph", "function") else self.root_scope
            frame.node = _Node(at, scope or self.root_scope)
        elif kind in ("library", "signature"):
            frame.scope = parent.scope
        elif kind in ("attr", "value", "list", "tensor", "shape", "dim"):
            frame.node = parent.node
            if kind == "tensor":
                frame.tensor = _Tensor()
            elif kind in ("shape", "dim"):
                frame.tensor = parent.tensor
            if kind == "attr":
                frame.entry = frame
            elif kind in ("value", "list", "tensor"):
                frame.entry = parent.entry
                frame.strings = parent.strings  # one list per attr entry: values merge
        stack.append(frame)

    def _scalar(self, frame: _Frame, name: bytes, m: re.Match[bytes], p: int, end: int) -> int:
        """One scalar field of ``frame`` (adjacent strings are one value, as in C); returns where it ends."""
        data = self.blob.data
        if m.lastgroup == "word":
            value = m.group()
        else:
            parts = [m.group()[1:-1]]
            while True:
                n = _TOKEN.match(data, p, end)
                if n is not None and n.lastgroup == "ws":
                    n2 = _TOKEN.match(data, n.end(), end)
                    if n2 is not None and n2.lastgroup == "str":
                        n = n2
                if n is None or n.lastgroup != "str":
                    break
                parts.append(n.group()[1:-1])
                p = n.end()
            value = b"".join(parts)
            if frame.kind == "tensor" and name == b"string_val" and frame.tensor is not None:
                self._carry(frame.tensor, value, m.start() - self.blob.start)
            if frame.kind != "user":  # escapes take at most 4 characters a byte
                value = value[:4 * (MAX_CONTENT if name == b"tensor_content" else MAX_ATTR)]
            value = _unescape(value)
        self._field(frame, name, value, m.lastgroup == "str")
        return p

    def _carry(self, tensor: _Tensor, escaped: bytes, at: int) -> None:
        """Keep a ``string_val`` whose first bytes start like a native image (raw or base64), unescaped whole, for
        the ``native.embedded`` check at the node's end (when its dtype is known: fields come in any order).
        Past the values' bound the rest are counted, not kept."""
        head = _unescape(escaped[:64])[:2]
        if len(escaped) < native_format.MIN_EMBEDDED or not (head in native_format.MAGIC2 or
                                                             native_format.maybe_base64(head)):
            return
        values = self.walk.values
        if self.carried >= native_format.MAX_VALUE_CANDIDATES:
            values.more += 1
            return
        self.carried += 1
        tensor.carried.append((_unescape(escaped), at))

    def _field(self, frame: _Frame, name: bytes, value: bytes, quoted: bool) -> None:
        text = value.decode("utf-8", "replace")
        kind = frame.kind
        if kind == "node" and frame.node is not None:
            node = frame.node
            if name == b"name":
                node.name = text[:MAX_TEXT]
            elif name == b"op":
                node.op = text if len(value) <= MAX_OP else None
            elif name == b"input" and len(node.inputs) < MAX_INPUTS and not text.startswith("^"):
                node.inputs.append(text[:MAX_TEXT])
        elif kind == "attr" and name == b"key":
            frame.key = text[:MAX_TEXT]
        elif kind in ("value", "list") and name == b"s" and len(frame.strings) < MAX_ATTR_VALUES:
            frame.strings.append(text[:MAX_ATTR])
        elif kind == "tensor" and frame.tensor is not None:
            t = frame.tensor
            if name == b"dtype":
                t.dtype = 7 if value == b"DT_STRING" else _int(value)
            elif name == b"string_val" and t.first is None:
                t.first = value[:MAX_ATTR]
            elif name == b"tensor_content":
                t.content = value
        elif kind == "dim" and name == b"size" and frame.tensor is not None and value.isdigit():
            frame.tensor.elements = min(frame.tensor.elements * int(value), MAX_CONTENT_STRINGS + 1)
        elif kind == "signature" and name == b"name" and frame.scope is not None:
            frame.scope.name = text[:MAX_TEXT]
        elif kind in ("asset", "tensor_info", "user") and len(frame.texts) < 8:
            frame.texts[name] = value if kind == "user" else value[:MAX_TEXT]

    def _close(self, frame: _Frame, parent: _Frame) -> None:
        kind = frame.kind
        walk = self.walk
        if kind == "node" and frame.node is not None:
            node = frame.node
            walk._trace(node.name, node.op, node.inputs, lambda: self._const(node), node.at, node.scope,
                        lambda key: node.attrs.get(key, []))
            walk._judge(node.name, node.op, lambda key: node.attrs.get(key, []), node.inputs, node.at, node.scope)
            t = node.tensor
            if node.op == "Const" and t is not None and t.dtype == 7:
                where = "" if node.scope.name is None else f" of function {node.scope.name[:120]!r}"
                for value, at in t.carried:
                    walk.values.value(value, f"string constant {(node.name or '')[:120]!r}{where} at byte {at:,}", at)
        elif kind == "attr" and frame.node is not None and frame.key is not None:  # the key may follow the value
            frame.node.attrs.setdefault(frame.key, []).extend(frame.strings)
            if frame.key == "value" and frame.tensor is not None:
                frame.node.tensor = _merge(frame.node.tensor, frame.tensor)
        elif kind == "tensor" and frame.entry is not None and frame.tensor is not None:
            frame.entry.tensor = _merge(frame.entry.tensor, frame.tensor)
        elif kind == "tensor_info" and parent.kind == "asset" and b"name" in frame.texts:
            walk._asset_tensor(frame.texts[b"name"].decode("utf-8", "replace"))
        elif kind == "asset" and b"filename" in frame.texts:
            walk._asset_name(frame.texts[b"filename"].decode("utf-8", "replace"), frame.at)
        elif kind == "user" and frame.texts.get(b"metadata"):
            raw = frame.texts[b"metadata"]
            ident = frame.texts.get(b"identifier", b"").decode("utf-8", "replace")
            if len(raw) > MAX_JSON:
                self.ctx.incomplete(self.blob, "keras_metadata", f"Keras metadata of {len(raw):,} bytes (more "
                                    f"than {MAX_JSON:,}) for {ident[:80]!r}: not checked", frame.at)
            else:
                walk._check_metadata(ident, raw, frame.at)

    def _const(self, node: _Node) -> str | None:
        t = node.tensor
        if t is None or t.dtype != 7:
            return None
        if t.content:
            if not 1 <= t.elements <= MAX_CONTENT_STRINGS:
                return None
            blob = Blob(t.content, 0, len(t.content), "tensor_content")
            return _first_encoded(blob, t.elements)
        return None if t.first is None else t.first.decode("utf-8", "replace")


def _int(value: bytes) -> int:
    """An integer as the text format writes it (decimal, 0x hex, 0 octal), kept to its low 32 bits as an enum
    is; -1 when it is none."""
    try:
        return int(value.decode("ascii"), 0) & 0xFFFFFFFF if len(value) <= 24 else -1
    except (UnicodeDecodeError, ValueError):
        try:
            return int(value.decode("ascii"), 8) & 0xFFFFFFFF if value[:1] == b"0" else -1
        except (UnicodeDecodeError, ValueError):
            return -1


def _merge(old: _Tensor | None, new: _Tensor) -> _Tensor:
    """Two occurrences of one tensor are one merged message: the last dtype and content, the first string."""
    if old is None:
        return new
    return _Tensor(new.dtype if new.dtype is not None else old.dtype,
                   old.first if old.first is not None else new.first,
                   new.content if new.content is not None else old.content, old.elements * new.elements,
                   old.carried + new.carried)


def _first_encoded(blob: Blob, elements: int) -> str | None:
    """The first string of a string tensor's tensor_content (one varint length per element, then the bytes;
    only its first MAX_CONTENT bytes are kept, which hold a path's)."""
    try:
        n, p = varint(blob, 0, blob.size)
        for _ in range(elements - 1):
            _, p = varint(blob, p, blob.size)
    except Truncated:
        return None
    n = min(n, MAX_ATTR)
    return blob.read(p, n).decode("utf-8", "replace") if p + n <= blob.size else None


def scan(ctx: Context, blob: Blob) -> None:
    """Judge a blob :func:`detect` recognised."""
    _TextWalk(ctx, blob).run()
