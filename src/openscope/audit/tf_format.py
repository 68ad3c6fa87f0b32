"""TensorFlow: a SavedModel (``saved_model.pb``), a frozen ``GraphDef``, a TF1 ``MetaGraphDef`` (``.meta``) and
Keras's ``keras_metadata.pb``, read with the protobuf wire reader (``protowire``; no tensorflow import).

A TensorFlow graph is a program. Its ops run with the rights of whoever loads the model and calls it (a
serving signature, a restored ``tf.function``, a Keras ``call``), and some of them read, list or write any
file, reach the network or call back into the loader's Python. Those are listed, by operation name, in
``rules.yml`` (``tensorflow_ops``, each group with its severity and why); every node is judged where it
lives: the main graph of each meta graph, and every function of the graph's function library, which is where
``tf.function`` bodies (and so nearly all of a TF2 SavedModel) live. Keras's metadata (the JSON of each layer,
in ``keras_metadata.pb`` or, before TF 2.5, in the SavedModel's object graph) is checked as a ``.keras``
config is (Lambda layers, module injection). Asset file names that climb out of the ``assets`` folder make the
loader bind a file outside the model to the graph (``tensorflow.asset.path_traversal``), and the saver, table
and cache ops every honest model carries are judged by the path they are given when the graph pins it to a
constant outside the model (``tensorflow.constant_path``, rules.yml ``tensorflow_constant_paths``).

There is no magic number: :func:`detect` recognises the formats by a trial parse that looks for positive
evidence and skips unknown fields as a loader does (so padding hides nothing), reading a broken file up to
its break (a truncated SavedModel is malformed, never ``other``).

Field numbers are TensorFlow's (``saved_model.proto``, ``meta_graph.proto``, ``graph.proto``,
``node_def.proto``, ``function.proto``, ``op_def.proto``, ``attr_value.proto``, ``saved_object_graph.proto``)
and Keras's (``saved_metadata.proto``).
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from openscope.audit import keras_format, native_format
from openscope.audit.blob import Blob, Truncated
from openscope.audit.context import Context
from openscope.audit.findings import RANK
from openscope.audit.protowire import TooLarge, fields, tag, varint
from openscope.yamlsafe import safe_load

FORMATS = ("tensorflow-savedmodel", "tensorflow-graphdef", "tensorflow-metagraph", "keras-metadata", "protobuf")
MAX_MESSAGES = 2_000_000  # messages walked per file (then incomplete.tensorflow_size)
MAX_TRIAL_FIELDS = 1_000_000  # top-level fields a trial parse reads before deciding on what it has seen
TRIAL_BUDGET = 4 * MAX_TRIAL_FIELDS  # fields one trial reads at every level together (then: not judged)
# the fields the current trial may still read (detect sets it; _shape spends it): every check counts, so
# checking every meta graph and every library of a file (decoys first) costs no more than this
_BUDGET: ContextVar[list[int] | None] = ContextVar("tf_trial_budget", default=None)
TRIAL_NODES = 8  # nodes of a graph the trial parse checks field by field
MAX_OP = 128  # an op name longer than this is no op the rules list (nothing longer is read)
MAX_TEXT = 1024  # bytes of a node, function or asset name read
MAX_ATTR = 4096  # bytes of one attribute string read
MAX_ATTR_VALUES = 256  # strings of one list attribute read
MAX_INPUTS = 4  # data inputs of a node kept for tracing (path inputs are the first two)
MAX_SITES = 10_000  # distinct (rule, op, function) kept per file; the rest are counted
MAX_CONTENT_STRINGS = 4096  # elements of a string tensor's tensor_content read past to its first string
MAX_JSON = keras_format.MAX_JSON  # one object's Keras metadata (then incomplete.keras_metadata)

# message -> {field number: wire type}: the fields the trial parse looks into (others are skipped, as a loader
# skips them)
META_GRAPH = {1: 2, 2: 2, 3: 2, 4: 2, 5: 2, 6: 2, 7: 2}
GRAPH = {1: 2, 2: 2, 3: 0, 4: 2, 5: 2}
NODE = {1: 2, 2: 2, 3: 2, 4: 2, 5: 2, 6: 2, 7: 2}
KERAS_NODE = {2: 0, 3: 2, 4: 2, 5: 2, 6: 2}
# evidence of a graph: an op name as TensorFlow's registry requires them (CamelCase, `_` for internal ops,
# `Namespace>` for custom ones), or a function name (tf.function's `__inference_…`, any identifier)
_OP_NAME = re.compile(rb"[A-Z_][A-Za-z0-9_>]+\Z")
_FUNCTION_NAME = re.compile(rb"[A-Za-z_][A-Za-z0-9_.>/-]*\Z")
PASS_THROUGH = frozenset({"Identity", "PlaceholderWithDefault", "Snapshot", "StopGradient"})
COMBINE = frozenset({"StringJoin", "ShardedFilename", "Select", "SelectV2", "Pack"})  # how savers build paths
FED = frozenset({"Placeholder", "PlaceholderV2"})
_KERAS_ID = b"_tf_keras_"  # the identifier prefix of every object Keras saves in its metadata


@dataclass(frozen=True)
class OpGroup:
    """One ``tensorflow_ops`` group of rules.yml: the ops, the rule and severity they get, and why."""

    rule: str
    severity: str
    ops: frozenset[str]
    why: str
    attr: str | None = None
    attr_prefix: tuple[str, ...] | None = None
    attr_not_prefix: tuple[str, ...] | None = None
    attr_default: str | None = None  # the op's default for ``attr``, which an absent attribute takes

    def applies(self, values: list[str]) -> bool:
        """Whether a node of one of these ops is reported, given the values of ``attr`` (when it has one)."""
        if self.attr is None:
            return True
        if not values and self.attr_default is not None:
            values = [self.attr_default]
        if self.attr_not_prefix is not None:
            return any(not v.startswith(self.attr_not_prefix) for v in values) or not values
        prefixes = self.attr_prefix or ()
        return any(v and (not prefixes or v.startswith(prefixes)) for v in values)


@lru_cache(maxsize=1)
def op_table() -> dict[str, OpGroup]:
    """Op name -> its group, from rules.yml (parsed once)."""
    text = resources.files("openscope.audit").joinpath("rules.yml").read_text(encoding="utf-8")
    doc = safe_load(text)
    table: dict[str, OpGroup] = {}
    for g in doc.get("tensorflow_ops") or ():
        prefix, not_prefix = g.get("attr_prefix"), g.get("attr_not_prefix")
        group = OpGroup(rule=g["rule"], severity=g["severity"], ops=frozenset(g["ops"]), why=" ".join(g["why"].split()),
                        attr=g.get("attr"), attr_prefix=None if prefix is None else tuple(prefix),
                        attr_not_prefix=None if not_prefix is None else tuple(not_prefix),
                        attr_default=g.get("attr_default"))
        for op in group.ops:
            table[op] = group
    return table


@dataclass(frozen=True)
class PathOps:
    """``tensorflow_constant_paths`` of rules.yml: ops whose path inputs are judged when traced to a constant."""

    rule: str
    severity: str
    inputs: dict[str, tuple[int, ...]]
    why: str


@lru_cache(maxsize=1)
def path_ops() -> PathOps:
    text = resources.files("openscope.audit").joinpath("rules.yml").read_text(encoding="utf-8")
    doc = safe_load(text)
    g = doc["tensorflow_constant_paths"]
    return PathOps(rule=g["rule"], severity=g["severity"], why=" ".join(g["why"].split()),
                   inputs={op: tuple(ix) for op, ix in g["inputs"].items()})


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


def outside(path: str, schemes: bool = True) -> bool:
    """Whether a path names a place outside the model's folder: absolute (POSIX, a drive, UNC), climbing out
    with ``..``, or (``schemes``) a URL of one of TensorFlow's file systems (``gs://``, ``s3://``, ``hdfs://``),
    which reaches the network."""
    norm = posixpath.normpath(path.replace("\\", "/"))
    if path.startswith(("/", "\\")) or (len(path) > 1 and path[1] == ":") or norm == ".." or norm.startswith("../"):
        return True
    return schemes and bool(_SCHEME.match(path))


# -- the trial parse ------------------------------------------------------------------------------------
def _fields(blob: Blob, a: int, b: int) -> Iterator[tuple[int, int, int, int]]:
    """``protowire.fields``, except that a length-delimited field running past its message is yielded cut at
    the message's end before the error is raised: what a truncated file holds up to its end is still read
    (and judged), and the error still reaches the caller (``malformed.tensorflow``)."""
    last = a
    try:
        for f in fields(blob, a, b):
            yield f
            last = f[3]
    except Truncated:
        try:
            fno, wt, p = tag(blob, last, b)
            if wt == 2:
                _, p = varint(blob, p, b)
                if p < b:
                    yield fno, 2, p, b
        except Truncated:
            pass
        raise


def _shape(blob: Blob, a: int, b: int, schema: dict[int, int], limit: int = MAX_TRIAL_FIELDS,
           sample: int = TRIAL_NODES, need: tuple[int, ...] = (),
           every: tuple[int, ...] = ()) -> dict[int, list[tuple[int, int]]]:
    """The fields of one message that ``schema`` defines (number and wire type), the first ``sample`` payloads
    of each as offsets. Other fields are skipped, as protobuf parsers skip them (an unknown number, or a known
    number with another wire type, is kept as an unknown field, not refused), so one extra field cannot hide
    a graph that loads. A message that breaks gives what came before the break (and the field cut by it):
    a truncated graph is still recognised, and reported as malformed. Reads at most ``limit`` fields (a
    group's bytes count as fields: each of its fields takes one byte or more); when none of the fields in
    ``need`` was seen by then, or a group was too large to skip, raises :class:`TooLarge`: fields the loader
    skips could be hiding the evidence, so the message is not judged rather than judged not TensorFlow."""
    seen: dict[int, list[tuple[int, int]]] = {}
    n = 0
    budget = _BUDGET.get()
    try:
        for fno, wt, s, e in _fields(blob, a, b):
            if budget is not None:
                budget[0] -= 1 + (e - s if wt == 3 else 0)
                if budget[0] < 0:
                    raise TooLarge("the trial's budget of fields is spent")
            if schema.get(fno) == wt:
                kept = seen.setdefault(fno, [])
                if len(kept) < sample or fno in every:  # ``every``: singular messages, merged from each
                    kept.append((s, e))
            n += 1 + (e - s if wt == 3 else 0)
            if n >= limit:
                if need and not any(f in seen for f in need):
                    raise TooLarge(f"more than {limit:,} fields before any sign of what the message is")
                break
    except TooLarge:
        raise
    except Truncated:
        pass
    return seen


def _name_ok(blob: Blob, s: int, e: int, pattern: re.Pattern[bytes] = _OP_NAME) -> bool:
    return 0 < e - s <= MAX_OP and bool(pattern.match(blob.read(s, e - s)))


def _is_node(blob: Blob, a: int, b: int) -> bool:
    """A NodeDef: well-formed, naming a valid op (field 2)."""
    shape = _shape(blob, a, b, NODE, limit=10_000, sample=1, need=(2,))
    return 2 in shape and _name_ok(blob, *shape[2][0])


def _is_function(blob: Blob, a: int, b: int) -> bool:
    """A FunctionDef: a signature (field 1) with a valid name, or a valid node (field 3)."""
    shape = _shape(blob, a, b, {1: 2, 3: 2}, limit=10_000, sample=1, need=(1, 3))
    if 1 in shape:
        sig = _shape(blob, *shape[1][0], {1: 2}, limit=10_000, sample=1, need=(1,))
        if 1 in sig and _name_ok(blob, *sig[1][0], _FUNCTION_NAME):
            return True
    return 3 in shape and _is_node(blob, *shape[3][0])


def _is_graph(blob: Blob, a: int, b: int) -> bool:
    """A GraphDef: well-formed, and one of its first nodes, or of its library's first functions, is what it
    should be (a TF2 SavedModel may keep everything in the library and leave the main graph empty)."""
    shape = _shape(blob, a, b, GRAPH, need=(1, 2), every=(2,))
    if any(_is_node(blob, s, e) for s, e in shape.get(1, ())):
        return True
    for s, e in shape.get(2, ()):  # GraphDef.library is one message merged from its occurrences: each is read
        lib = _shape(blob, s, e, {1: 2}, need=(1,))
        if any(_is_function(blob, fs, fe) for fs, fe in lib.get(1, ())):
            return True
    return False


def _is_meta_graph(blob: Blob, a: int, b: int) -> bool:
    """A MetaGraphDef: well-formed, with a GraphDef (field 2)."""
    shape = _shape(blob, a, b, META_GRAPH, sample=1, need=(2,), every=(2,))
    return any(_is_graph(blob, s, e) for s, e in shape.get(2, ()))


def _is_library(blob: Blob, a: int, b: int) -> bool:
    """A FunctionDefLibrary: one of its first functions (field 1) is a FunctionDef."""
    return any(_is_function(blob, s, e) for s, e in _shape(blob, a, b, {1: 2}, need=(1,)).get(1, ()))


def _is_keras_node(blob: Blob, a: int, b: int) -> bool:
    """A Keras SavedMetadata node whose identifier (field 4) is one Keras writes (``_tf_keras_…``)."""
    node = _shape(blob, a, b, KERAS_NODE, limit=10_000, sample=1, need=(4,))
    if 4 not in node:
        return False
    s, e = node[4][0]
    return blob.read(s, min(e - s, len(_KERAS_ID))) == _KERAS_ID


def detect(blob: Blob) -> str | None:
    """The TensorFlow format a blob is, by a trial parse, or None.

    Cheap for other files: archives, NumPy and GGUF are recognised by their magic before this is tried, and
    any other file stops at its first field that is not protobuf (a key of wire type 3, 4, 6 or 7, or of
    field 0, a length past the end): random bytes within a few bytes, a safetensors length at its zero high
    bytes, JSON at its brace, text within a word or two (a 50 MB random, text or safetensors file in well under
    a millisecond). The first byte is not required to be one a TensorFlow writer emits: an unknown field first
    is skipped by the loader, so it must not hide the graph here either. One pass over the top-level fields
    (offsets only: nothing is copied or allocated from a declared length; at most MAX_TRIAL_FIELDS fields; a
    file that breaks is read up to the break) looks for positive evidence and stops at the first: a meta graph holding
    a graph (a SavedModel), a graph (a TF1 MetaGraph), a node naming a valid op or a library function with a
    valid name among a graph's first TRIAL_NODES (a frozen GraphDef), or a node with a Keras identifier
    (keras_metadata.pb; every node is looked at, since Keras skips nodes of other identifiers). Real files
    decide within their first fields; a hostile one costs at most one bounded pass (about a second).
    Unknown fields are skipped as protobuf parsers skip them, so padding cannot hide a graph that loads: a
    file still protobuf after MAX_TRIAL_FIELDS fields with no evidence yet is ``protobuf`` (not judged:
    ``incomplete.protobuf_trial``), never ``other``. Copies of one field in a row are jumped over, not
    counted (:func:`_run_end`).
    """
    if blob.size < 2:
        return None
    nodes = n = 0
    pos = 0
    # A Keras node's identifier is a string field, written whole (a repeated string field is replaced, never
    # concatenated): a blob without the identifier's bytes anywhere holds no Keras node, and its messages
    # are not each looked into (a 256,000-piece sentencepiece model: about 1 s of Python otherwise).
    keras: bool | None = None
    token = _BUDGET.set([TRIAL_BUDGET])
    try:
        while pos < blob.size:
            at, jump = pos, None
            for fno, wt, s, e in _fields(blob, pos, blob.size):
                if n >= MAX_TRIAL_FIELDS:
                    # still protobuf after a million fields and no evidence yet: padding before a graph (which
                    # the loader skips) or a protobuf of another kind; either way not judged, so never clean
                    return "protobuf"
                n += 1 + (e - s if wt == 3 else 0)  # a group's fields were skipped too
                if wt == 2:
                    if fno == 2:  # SavedModel.meta_graphs, MetaGraphDef.graph_def, GraphDef.library: every one
                        if _is_meta_graph(blob, s, e):
                            return "tensorflow-savedmodel"
                        if _is_graph(blob, s, e):
                            return "tensorflow-metagraph"
                        if _is_library(blob, s, e):
                            return "tensorflow-graphdef"
                    elif fno == 1:  # GraphDef.node, SavedMetadata.nodes
                        if nodes < TRIAL_NODES:
                            nodes += 1
                            if _is_node(blob, s, e):
                                return "tensorflow-graphdef"
                        if keras is None:
                            keras = blob.find(_KERAS_ID) >= 0
                        if keras and _is_keras_node(blob, s, e):
                            return "keras-metadata"
                end = _run_end(blob, at, e)
                if end > e:  # copies of this very field follow: they hold the same evidence (none)
                    jump = end
                    break
                at = e
            if jump is None:
                break
            pos = jump
    except TooLarge:
        return "protobuf"  # evidence may lie past what was read: not judged, never clean
    except Truncated:
        pass
    finally:
        _BUDGET.reset(token)
    return None


MAX_RUN_UNIT = 64  # bytes of a field whose repeated copies the trial jumps over


def _run_end(blob: Blob, a: int, e: int) -> int:
    """Where the run of copies of the field ``blob[a:e]`` that follows it ends (``e`` when none follows).

    Why: a degenerate text (megabytes of spaces, or of one letter) is valid protobuf all along, a field
    repeated (a space is field 4 = 32); read field by field it would hit the trial's bound and be reported as
    not judged. Copies of a field carry what the first one carries, so they are compared in blocks (bytes
    equality, not a Python step per field) and jumped over; padding of one repeated field before a graph is
    jumped over the same way, and the graph after it is found.
    """
    k = e - a
    base = blob.start
    if k <= 0 or k > MAX_RUN_UNIT or e + k > blob.size or blob.data[base + e] != blob.data[base + a]:
        return e
    unit = bytes(blob.data[base + a:base + e])
    if bytes(blob.data[base + e:base + e + k]) != unit:
        return e
    block = unit * max(1, 65536 // k)
    p = e
    while p + len(block) <= blob.size and bytes(blob.data[base + p:base + p + len(block)]) == block:
        p += len(block)
    while p + k <= blob.size and bytes(blob.data[base + p:base + p + k]) == unit:
        p += k
    return p


# -- the walk -------------------------------------------------------------------------------------------
class _Scope:
    """Where a node lives: a main graph (name None) or a library function (its signature's name, known once
    the function's fields have all been read, before any of its nodes is judged), with what a node's input
    can be traced to there: string constants and pass-through nodes (``Identity`` and the like)."""

    __slots__ = ("alias", "combine", "consts", "fed", "full", "name", "pending")

    def __init__(self, name: str | None = None) -> None:
        self.name = name
        self.consts: dict[str, str] = {}
        self.alias: dict[str, str] = {}
        self.pending: list[tuple[str, str, list[str], int]] = []  # (op, node name, path inputs, offset)
        self.combine: dict[str, tuple[str, list[str], str]] = {}  # path-building nodes: (op, inputs, separator)
        self.fed: set[str] = set()  # what the loader or the caller feeds: placeholders, function arguments
        self.full = False  # a record was dropped at its bound: an input not found may be one of them

    def trace(self, ref: str, assets: set[str] | frozenset[str] = frozenset()) -> list[tuple[str, str]]:
        """Where a path input comes from: ("const", the string or its known prefix), ("fed", name) for a
        placeholder or argument, ("computed", node) for any other producer. Followed through pass-through
        nodes and the ops TensorFlow's own savers build paths with (StringJoin: all constant parts joined,
        else its first part, which places the path; ShardedFilename: its base; Select: both branches; Pack:
        each element), at most 32 steps."""
        out: list[tuple[str, str]] = []
        todo = [ref]
        for _ in range(32):
            if not todo:
                return out
            ref = todo.pop()
            name = ref.split(":", 1)[0]
            if name in assets:  # a tensor asset_file_def binds: the loader replaces it with the asset's path
                out.append(("fed", name))
            elif name in self.consts:
                out.append(("const", self.consts[name]))
            elif name in self.fed:
                out.append(("fed", name))
            elif name in self.alias:
                todo.append(self.alias[name])
            elif name in self.combine:
                op, ins, sep = self.combine[name]
                if op == "StringJoin":
                    parts = [self.resolve(i) for i in ins]
                    if ins and all(v is not None for v in parts) and len(ins) < MAX_INPUTS:
                        out.append(("const", sep.join(v or "" for v in parts)))
                    elif ins:
                        todo.append(ins[0])
                elif op == "ShardedFilename" and ins:
                    todo.append(ins[0])
                elif op in ("Select", "SelectV2"):
                    todo.extend(ins[1:3])
                else:  # Pack
                    todo.extend(ins)
            elif self.name is not None and ":" not in ref:
                out.append(("fed", name))  # in a function a bare name is an argument (nodes are node:out:i)
            elif not self.full:
                out.append(("computed", name))
        return out

    def resolve(self, ref: str) -> str | None:
        """The string constant an input (``node``, ``node:0``, ``node:output:0``) comes from, through at most
        eight pass-through nodes, or None."""
        name = ref.split(":", 1)[0]
        for _ in range(8):
            if name in self.consts:
                return self.consts[name]
            nxt = self.alias.get(name)
            if nxt is None:
                return None
            name = nxt.split(":", 1)[0]
        return None


MAIN = _Scope()


class _Walk:
    """One file's walk: an explicit stack of (message kind, start, end, scope), so nesting costs no Python
    recursion and only the messages the schema names are entered (an attribute nested a million levels deep
    is skipped in one step). A message that does not parse is reported once (``malformed.tensorflow``) and
    the others are still walked, so a broken message cannot hide what follows it."""

    def __init__(self, ctx: Context, blob: Blob) -> None:
        self.ctx = ctx
        self.blob = blob
        self.table = op_table()
        self.paths = path_ops()
        self.scopes: list[_Scope] = []
        self.asset_tensors: set[str] = set()
        self.todo: list[tuple[str, int, int, _Scope]] = []
        # (rule, op, scope name) -> [count, first node name, offset, detail extra]
        self.hits: dict[tuple[str, str, _Scope], list] = {}
        self.dropped = 0
        self.dropped_worst = "info"
        self.broken = False
        self.full = False
        self.values = native_format.Values(ctx, blob)  # string constants that may carry a native image
        self.handlers: dict[str, Callable[[int, int, _Scope], None]] = {
            "saved_model": self._saved_model, "meta_graph": self._meta_graph, "graph": self._graph,
            "library": self._library, "function": self._function, "node": self._node,
            "asset": self._asset, "object_graph": self._object_graph, "saved_object": self._saved_object,
            "user_object": self._user_object, "keras_metadata": self._keras_metadata, "keras_node": self._keras_node,
        }

    def run(self, kind: str) -> None:
        self.todo.append((kind, 0, self.blob.size, MAIN))
        n = 0
        while self.todo:
            kind, a, b, scope = self.todo.pop()
            n += 1
            if n > MAX_MESSAGES:
                if not self.full:
                    self.ctx.incomplete(self.blob, "tensorflow_size", f"more than {MAX_MESSAGES:,} messages; the "
                                        "rest were not checked", a)
                break
            try:
                self.handlers[kind](a, b, scope)
            except Truncated as exc:
                self._malformed(kind, a, exc)
        self._report()
        self.values.done()

    def _malformed(self, kind: str, a: int, exc: Truncated) -> None:
        """Reported once per file; the walk goes on with the other messages."""
        if not self.broken:
            self.ctx.add(self.blob, "malformed.tensorflow", "medium", f"not a well-formed TensorFlow protobuf "
                         f"({kind.replace('_', ' ')} at byte {a:,}): {exc}", a)
        self.broken = True

    def _push(self, a: int, b: int, kids: dict[int, str], scope: _Scope = MAIN) -> None:
        for fno, wt, s, e in _fields(self.blob, a, b):
            if wt == 2 and fno in kids and self._room(s):
                self.todo.append((kids[fno], s, e, scope))

    def _room(self, at: int) -> bool:
        """Whether one more message may wait on the stack: a graph of ten million empty nodes is 20 MB, and
        the stack, not the file, would hold them all at once."""
        if len(self.todo) < MAX_MESSAGES:
            return True
        if not self.full:
            self.full = True
            self.ctx.incomplete(self.blob, "tensorflow_size", f"more than {MAX_MESSAGES:,} messages waiting to be "
                                "checked; the rest were not checked", at)
        return False

    def _text(self, s: int, e: int, limit: int = MAX_TEXT) -> str:
        return self.blob.read(s, min(e - s, limit)).decode("utf-8", "replace")

    # SavedModel.meta_graphs (2); MetaGraphDef.graph_def (2), asset_file_def (6), object_graph_def (7);
    # GraphDef.node (1), library (2); FunctionDefLibrary.function (1)
    def _saved_model(self, a: int, b: int, scope: _Scope) -> None:
        self._push(a, b, {2: "meta_graph"})

    def _meta_graph(self, a: int, b: int, scope: _Scope) -> None:
        """graph_def is one message: protobuf merges its occurrences, so a graph split over several graph_def
        fields is one graph (its nodes see each other's constants), and they share one scope."""
        inner = _Scope()  # node names are unique per graph, not per file
        self.scopes.append(inner)
        self._push(a, b, {2: "graph", 6: "asset", 7: "object_graph"}, inner)

    def _graph(self, a: int, b: int, scope: _Scope) -> None:
        if scope is MAIN:  # a frozen GraphDef: the file is the graph
            scope = _Scope()
            self.scopes.append(scope)
        self._push(a, b, {1: "node", 2: "library"}, scope)

    def _library(self, a: int, b: int, scope: _Scope) -> None:
        self._push(a, b, {1: "function"})  # functions get scopes of their own

    def _function(self, a: int, b: int, scope: _Scope) -> None:
        """FunctionDef: signature (1, an OpDef whose name is field 1) and node_def (3)."""
        inner = _Scope("")
        self.scopes.append(inner)
        for fno, wt, s, e in _fields(self.blob, a, b):
            if wt != 2:
                continue
            if fno == 1:
                for f2, w2, s2, e2 in fields(self.blob, s, e):
                    if f2 == 1 and w2 == 2:
                        inner.name = self._text(s2, e2)
                    elif f2 == 2 and w2 == 2:  # OpDef.input_arg: ArgDef.name (1), what the caller feeds
                        for f3, w3, s3, e3 in fields(self.blob, s2, e2):
                            if f3 == 1 and w3 == 2:
                                self._fed(inner, self._text(s3, e3))
            elif fno == 3 and self._room(s):
                self.todo.append(("node", s, e, inner))

    def _node(self, a: int, b: int, scope: _Scope) -> None:
        """NodeDef: name (1), op (2), attr (5: entries of key 1 and AttrValue 2)."""
        name = op = None
        attrs: list[tuple[int, int]] = []
        inputs: list[str] = []  # the first data inputs (control inputs, ``^node``, come after them)
        broken: Truncated | None = None
        try:
            for fno, wt, s, e in _fields(self.blob, a, b):
                if wt != 2:
                    continue
                if fno == 1:
                    name = self._text(s, e)
                elif fno == 2:
                    op = self.blob.read(s, e - s).decode("utf-8", "replace") if e - s <= MAX_OP else None
                elif fno == 3 and len(inputs) < MAX_INPUTS:
                    ref = self._text(s, e)
                    if not ref.startswith("^"):
                        inputs.append(ref)
                elif fno == 5:
                    attrs.append((s, e))
        except Truncated as exc:  # a node cut short is still judged on what it names, then reported malformed
            broken = exc
        try:
            if op == "Const":
                self._carried(name, attrs, scope)
            self._trace(name, op, inputs, lambda: self._const_string(attrs), a, scope,
                        lambda key: self._attr_strings(attrs, key))
            self._judge(name, op, lambda key: self._attr_strings(attrs, key), inputs, a, scope)
        finally:
            if broken is not None:
                raise broken

    @staticmethod
    def _fed(scope: _Scope, name: str) -> None:
        if len(scope.fed) < MAX_SITES:
            scope.fed.add(name)
        else:
            scope.full = True

    def _trace(self, name: str | None, op: str | None, inputs: list[str], const: Callable[[], str | None], a: int,
               scope: _Scope, attr_strings: Callable[[str], list[str]] | None = None) -> None:
        """Record what later nodes' inputs can be traced to, and the nodes whose path input is to be traced
        (``const`` gives a Const node's string, read only for Const nodes)."""
        if name is None or op is None:
            return
        if op == "Const":
            value = const()
            if value is not None:
                scope.consts[name] = value
        elif op in PASS_THROUGH and inputs:
            scope.alias[name] = inputs[0]
        elif op in FED:
            self._fed(scope, name)
        elif op in COMBINE:
            if len(scope.combine) < MAX_SITES:
                sep = attr_strings("separator") if attr_strings is not None and op == "StringJoin" else []
                scope.combine[name] = (op, list(inputs), sep[0] if sep else "")
            else:
                scope.full = True
        elif op in self.paths.inputs:
            refs = [inputs[i] for i in self.paths.inputs[op] if i < len(inputs)]
            if refs and len(scope.pending) < MAX_SITES:
                scope.pending.append((op, name, refs, a))

    def _attr_values(self, attrs: list[tuple[int, int]], wanted: str) -> list[tuple[int, int]]:
        """The AttrValue spans of attribute ``wanted``. A map entry's value is one message, which protobuf
        merges from all its occurrences (an entry holding ``s`` then an empty value still holds ``s``), so every
        occurrence is returned, not only the last."""
        spans: list[tuple[int, int]] = []
        for s, e in attrs:
            key: str | None = None
            values: list[tuple[int, int]] = []
            for fno, wt, s2, e2 in fields(self.blob, s, e):
                if fno == 1 and wt == 2:
                    key = self._text(s2, e2)
                elif fno == 2 and wt == 2 and len(values) < MAX_ATTR_VALUES:
                    values.append((s2, e2))
            if key == wanted:
                spans.extend(values)
        return spans

    def _const_string(self, attrs: list[tuple[int, int]]) -> str | None:
        """The first string of a string ``Const``: attr ``value`` = AttrValue.tensor (8), a TensorProto of dtype
        (1) DT_STRING (7) whose string_val (8), or tensor_content (4: the lengths as varints, then the bytes),
        holds it. The tensor is one message merged from all its occurrences (dtype in one, the string in
        another), and the enum is compared on its low 32 bits as protobuf reads it. Tensor contents are not
        copied: only the first string's first MAX_ATTR bytes are read."""
        dtype: int | None = None
        first: str | None = None
        content: tuple[int, int] | None = None
        elements = 1  # dims of all the shape's occurrences (repeated fields concatenate when merged)
        for s, e in self._attr_values(attrs, "value"):
            for fno, wt, s2, e2 in fields(self.blob, s, e):
                if fno != 8 or wt != 2:
                    continue
                for f3, w3, s3, e3 in fields(self.blob, s2, e2):
                    if f3 == 1 and w3 == 0:
                        dtype = s3 & 0xFFFFFFFF
                    elif f3 == 8 and w3 == 2 and first is None:
                        first = self._text(s3, e3, MAX_ATTR)
                    elif f3 == 4 and w3 == 2:
                        content = (s3, e3)  # bytes: the last occurrence wins
                    elif f3 == 2 and w3 == 2:
                        for f4, w4, s4, e4 in fields(self.blob, s3, e3):
                            if f4 == 2 and w4 == 2:  # TensorShapeProto.dim: Dim.size (1)
                                for f5, w5, v5, _ in fields(self.blob, s4, e4):
                                    if f5 == 1 and w5 == 0:
                                        elements *= v5
                                        elements = min(elements, MAX_CONTENT_STRINGS + 1)
        if dtype != 7:
            return None
        if content is not None and content[1] > content[0]:
            return self._encoded_first_string(*content, elements)
        return first

    def _carried(self, name: str | None, attrs: list[tuple[int, int]], scope: _Scope) -> None:
        """``native.embedded`` for the strings of a string ``Const`` (read as :meth:`_const_string` reads its
        first): each ``string_val``, or each element of ``tensor_content`` as TensorFlow decodes it. A loaded
        graph hands them to whoever runs it as bytes (``tf.constant`` of a file's bytes is how a dropper rides in
        a SavedModel: a ``tf.io.write_file`` of it, or code calling the signature, puts it on disk). Numeric
        constants' bytes are never read."""
        dtype: int | None = None
        strings: list[tuple[int, int]] = []
        content: tuple[int, int] | None = None
        elements = 1
        for s, e in self._attr_values(attrs, "value"):
            for fno, wt, s2, e2 in fields(self.blob, s, e):
                if fno != 8 or wt != 2:
                    continue
                for f3, w3, s3, e3 in fields(self.blob, s2, e2):
                    if f3 == 1 and w3 == 0:
                        dtype = s3 & 0xFFFFFFFF
                    elif f3 == 8 and w3 == 2:
                        strings.append((s3, e3))
                    elif f3 == 4 and w3 == 2:
                        content = (s3, e3)
                    elif f3 == 2 and w3 == 2:
                        for f4, w4, s4, e4 in fields(self.blob, s3, e3):
                            if f4 == 2 and w4 == 2:
                                for f5, w5, v5, _ in fields(self.blob, s4, e4):
                                    if f5 == 1 and w5 == 0:
                                        elements = min(elements * v5, self.blob.size + 1)
        if dtype != 7:
            return
        where = "" if scope.name is None else f" of function {scope.name[:120]!r}"
        place = f"string constant {(name or '')[:120]!r}{where}"
        if content is not None and content[1] > content[0]:
            strings = self._content_strings(*content, elements)
        self.values.spans(strings, f"{place} at byte {{at}}")

    def _content_strings(self, s: int, e: int, elements: int) -> list[tuple[int, int]]:
        """The element spans of a string tensor's tensor_content (``port::DecodeStringList``: ``elements`` varint
        lengths, then the bytes of each), or none when it does not decode so (TensorFlow refuses such a tensor).
        Linear: each element takes at least one byte of the content."""
        if not 1 <= elements <= e - s:
            return []
        lengths: list[int] = []
        p = s
        try:
            for _ in range(elements):
                n, p = varint(self.blob, p, e)
                lengths.append(n)
        except Truncated:
            return []
        spans: list[tuple[int, int]] = []
        for n in lengths:
            if n > e - p:
                return []
            spans.append((p, p + n))
            p += n
        return spans

    def _encoded_first_string(self, s: int, e: int, elements: int) -> str | None:
        """The first string of a string tensor's tensor_content, as TensorFlow decodes it (``port::
        DecodeStringList``): one varint length per element, then the bytes of each; None when it does not
        decode or holds too many elements to be worth reading (never a path)."""
        if not 1 <= elements <= MAX_CONTENT_STRINGS:
            return None
        try:
            n, p = varint(self.blob, s, e)
            for _ in range(elements - 1):
                _, p = varint(self.blob, p, e)
        except Truncated:
            return None
        return self._text(p, p + n, MAX_ATTR) if p + n <= e else None

    def _judge(self, name: str | None, op: str | None, attr_strings: Callable[[str], list[str]], inputs: list[str],
               a: int, scope: _Scope) -> None:
        """Report a node whose op is listed (``attr_strings`` gives an attribute's strings, read only for the
        ops judged by one)."""
        group = self.table.get(op) if op is not None else None
        if group is None or op is None:
            return
        extra = ""
        if group.attr is not None:
            try:
                values = attr_strings(group.attr)
            except Truncated as exc:  # an attribute that does not parse cannot show the op harmless
                self._malformed("attribute", a, exc)
                values = None
            if values is not None and not group.applies(values):
                return
            extra = f" ({group.attr} {', '.join(repr(v[:200]) for v in values[:3])})" if values else ""
        key = (group.rule, op, scope)  # the scope itself: a function's name is known by the report
        hit = self.hits.get(key)
        if hit is not None:
            hit[0] += 1
        elif len(self.hits) < MAX_SITES:
            self.hits[key] = [1, name or "", a, extra, scope, inputs[0] if inputs else None]
        else:
            self.dropped += 1
            if RANK[group.severity] > RANK[self.dropped_worst]:
                self.dropped_worst = group.severity

    def _attr_strings(self, attrs: list[tuple[int, int]], wanted: str) -> list[str]:
        """The string values of attribute ``wanted``: AttrValue.s (2), or ListValue (1) .s (2), from every
        occurrence of the value (protobuf merges them)."""
        values: list[str] = []
        for s, e in self._attr_values(attrs, wanted):
            for fno, wt, s2, e2 in fields(self.blob, s, e):
                if fno == 2 and wt == 2 and len(values) < MAX_ATTR_VALUES:
                    values.append(self._text(s2, e2, MAX_ATTR))
                elif fno == 1 and wt == 2:
                    for f3, w3, s3, e3 in fields(self.blob, s2, e2):
                        if f3 == 2 and w3 == 2 and len(values) < MAX_ATTR_VALUES:
                            values.append(self._text(s3, e3, MAX_ATTR))
        return values

    def _asset(self, a: int, b: int, scope: _Scope) -> None:
        """AssetFileDef: tensor_info (1: TensorInfo.name 1, the tensor the loader feeds the path to), filename
        (2)."""
        for fno, wt, s, e in fields(self.blob, a, b):
            if fno == 1 and wt == 2:
                for f2, w2, s2, e2 in fields(self.blob, s, e):
                    if f2 == 1 and w2 == 2:
                        self._asset_tensor(self._text(s2, e2))
            elif fno == 2 and wt == 2:
                self._asset_name(self._text(s, e), a)

    def _asset_tensor(self, name: str) -> None:
        if len(self.asset_tensors) < MAX_SITES:
            self.asset_tensors.add(name.split(":", 1)[0])

    def _asset_name(self, name: str, a: int) -> None:
        """The loader joins an asset's file name to the model's ``assets`` folder and binds that path to the
        graph (a vocabulary file read into a lookup table, typically); an absolute name or one climbing out
        makes the graph read a file outside the model."""
        if outside(name, schemes=False):
            self.ctx.add(self.blob, "tensorflow.asset.path_traversal", "high",
                         f"asset file name {name[:200]!r} lies outside the model's assets folder: loading binds "
                         "that file to the graph, which reads it (arbitrary file read)", a)

    # MetaGraphDef.object_graph_def: SavedObjectGraph.nodes (1); SavedObject.user_object (4);
    # SavedUserObject.identifier (1), metadata (3: the Keras JSON of TF 2.0-2.4)
    def _object_graph(self, a: int, b: int, scope: _Scope) -> None:
        self._push(a, b, {1: "saved_object"})

    def _saved_object(self, a: int, b: int, scope: _Scope) -> None:
        self._push(a, b, {4: "user_object"})

    def _user_object(self, a: int, b: int, scope: _Scope) -> None:
        self._metadata(a, b, identifier=1, metadata=3)

    # Keras SavedMetadata.nodes (1); SavedObject.node_path (3), identifier (4), metadata (5)
    def _keras_metadata(self, a: int, b: int, scope: _Scope) -> None:
        self._push(a, b, {1: "keras_node"})

    def _keras_node(self, a: int, b: int, scope: _Scope) -> None:
        self._metadata(a, b, identifier=4, metadata=5)

    def _metadata(self, a: int, b: int, identifier: int, metadata: int) -> None:
        """A Keras object's JSON metadata: checked as a .keras config is (Lambda layers, module references).
        Keras deserializes it (and a Lambda's marshalled bytecode) when the model is loaded with Keras."""
        ident = ""
        span: tuple[int, int] | None = None
        for fno, wt, s, e in fields(self.blob, a, b):
            if fno == identifier and wt == 2:
                ident = self._text(s, e)
            elif fno == metadata and wt == 2 and e > s:
                span = (s, e)
        if span is None:
            return
        s, e = span
        if e - s > MAX_JSON:
            self.ctx.incomplete(self.blob, "keras_metadata", f"Keras metadata of {e - s:,} bytes (more than "
                                f"{MAX_JSON:,}) for {ident[:80]!r}: not checked", s)
            return
        self._check_metadata(ident, self.blob.read(s, e - s), s)

    def _check_metadata(self, ident: str, raw: bytes, s: int) -> None:
        try:
            doc = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            self.ctx.add(self.blob, "malformed.tensorflow.keras_metadata", "medium",
                         f"Keras metadata of {ident[:80]!r} is not valid JSON: {exc}"[:300], s)
            m = keras_format._LAMBDA.search(raw)
            if m:
                self.ctx.add(self.blob, "keras.lambda", "critical", "Lambda layer in Keras metadata that is not "
                             "valid JSON: marshalled Python bytecode that load_model runs", s + m.start())
            return
        keras_format.check_config(self.ctx, self.blob, doc, s)

    def _report(self) -> None:
        self._report_paths()
        for (rule, op, _), (count, name, offset, extra, scope, first) in self.hits.items():
            group = self.table[op]
            fn = scope.name
            value = scope.resolve(first) if first is not None and not extra else None
            if value is not None:
                extra = f" (its first input is the constant {value[:200]!r})"
            where = "the main graph" if fn is None else f"function {fn[:200]!r}"
            node = f"node {name[:200]!r}" if name else "a node"
            more = f" (and {count - 1:,} more such node(s) there)" if count > 1 else ""
            self.ctx.add(self.blob, rule, group.severity,
                         f"{node}{more} in {where} runs {op}{extra}: {group.why}", offset, op)
        if self.dropped:
            self.ctx.add(self.blob, "tensorflow.more_ops", self.dropped_worst,
                         f"{self.dropped:,} more nodes of listed ops beyond {MAX_SITES:,} distinct (op, function) "
                         "pairs (not listed one by one)")


    def _report_paths(self) -> None:
        """Saver, table and cache ops whose path input is a constant of the graph naming a place outside the
        model (the loader feeds these ops paths inside it; a constant it does not replace is the file's own),
        or is computed by the graph from something neither constant nor fed (``tensorflow.computed_path``,
        medium: where it points is decided when the graph runs)."""
        paths = self.paths
        for scope in self.scopes:
            for op, name, refs, offset in scope.pending:
                where = "the main graph" if scope.name is None else f"function {scope.name[:200]!r}"
                computed: str | None = None
                for ref in refs:
                    if ref.split(":", 1)[0] in self.asset_tensors:
                        continue
                    found = scope.trace(ref, self.asset_tensors)
                    bad = next((v for k, v in found if k == "const" and outside(v)), None)
                    if bad is not None:
                        self.ctx.add(self.blob, paths.rule, paths.severity,
                                     f"node {name[:200]!r} in {where} runs {op} on the constant path {bad[:200]!r}: "
                                     f"{paths.why}", offset, op)
                        computed = None
                        break
                    computed = computed or next((v for k, v in found if k == "computed"), None)
                if computed is not None:
                    self.ctx.add(self.blob, "tensorflow.computed_path", "medium",
                                 f"node {name[:200]!r} in {where} runs {op} on a path that node {computed[:200]!r} "
                                 "computes (neither a constant nor fed by the loader): where it reads or writes is "
                                 "decided when the graph runs, which no exporter's saver does", offset, op)


ROOTS = {"tensorflow-savedmodel": "saved_model", "tensorflow-metagraph": "meta_graph",
         "tensorflow-graphdef": "graph", "keras-metadata": "keras_metadata"}


def scan_tf(ctx: Context, blob: Blob, fmt: str) -> None:
    """Walk a blob :func:`detect` recognised as ``fmt`` (one of FORMATS)."""
    if fmt == "protobuf":
        ctx.incomplete(blob, "protobuf_trial", f"protobuf with more than {MAX_TRIAL_FIELDS:,} top-level fields "
                       "and no sign of a TensorFlow graph among them (a loader skips unknown fields, so a graph may "
                       "follow them): not judged")
        return
    _Walk(ctx, blob).run(ROOTS[fmt])


def node_def(ctx: Context, blob: Blob, a: int, b: int) -> tuple[str | None, Callable[[str], list[str]]]:
    """The op of one serialized NodeDef found outside a graph (a TFLite Flex op carries one in its custom
    options) and a reader of its attributes' strings, read as the graph walk reads a node (the same bounds,
    attribute values merged from every occurrence), so other formats judge TensorFlow ops by these rules and
    not by a copy of them. Raises :class:`Truncated` when the NodeDef does not parse."""
    op: str | None = None
    attrs: list[tuple[int, int]] = []
    for fno, wt, s, e in fields(blob, a, b):
        if fno == 2 and wt == 2:
            op = blob.read(s, e - s).decode("utf-8", "replace") if e - s <= MAX_OP else None
        elif fno == 5 and wt == 2:
            attrs.append((s, e))
    walk = _Walk(ctx, blob)
    return op, lambda key: walk._attr_strings(attrs, key)
