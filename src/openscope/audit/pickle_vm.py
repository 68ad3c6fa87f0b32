"""A model of the pickle virtual machine that executes nothing.

It follows CPython's unpickler opcode by opcode (``Lib/pickle.py`` ``_Unpickler``): the stack, the mark
stack and the memo exactly (MEMOIZE uses the memo's size, GET of a missing index fails like the real
loader), so obfuscations that defeat pattern matching (STACK_GLOBAL operands fetched from the memo,
MEMOIZE after POP, SHORT_BINSTRING operands, dotted names) resolve to the names the real loader would
import. Instead of importing, GLOBAL/STACK_GLOBAL/INST push a :class:`Global`; instead of calling,
REDUCE/NEWOBJ/OBJ/INST push a :class:`Call` and record it, so calls whose result is popped are still seen.

Container contents are not kept (only what a call receives matters), so memory is bounded by the stack
and memo limits whatever the input does (expansion "billion laughs" pickles included). Large byte strings
are never copied: they stay :class:`BigBytes` windows into the input. Every count the
input declares is checked against the bytes left, and the stack, memo and opcode count are bounded.
"""

from __future__ import annotations

import codecs
import re
import struct
from dataclasses import dataclass, field
from typing import Any

from openscope.audit.blob import Truncated
from openscope.audit.native_format import MAGIC1, MAGIC2, MIN_EMBEDDED

MAX_INLINE_BYTES = 1 << 20  # byte strings longer than this stay windows into the input
MAX_NATIVE_CANDIDATES = 10_000  # byte strings starting like a native header kept per stream for the scanner
MAX_LINE = 64 << 20  # protocol-0 text arguments (GLOBAL module and name lines among them)
MAX_NAME = 64 << 20  # a STACK_GLOBAL operand decoded from a long string (a loader imports any length)
MAX_JOBLIB_DEPTH = 32  # joblib object arrays inside object arrays (a Python frame each)


class PickleError(Exception):
    """The stream is malformed where a real unpickler would raise (bad opcode, stack underflow, ...)."""


class LimitHit(Exception):
    """A bound was reached: the rest of the stream was not followed."""


class _Mark:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MARK"


MARK_OBJ = _Mark()


@dataclass(eq=False)
class Global:
    module: str
    name: str
    offset: int
    op: str

    @property
    def dotted(self) -> str:
        return f"{self.module}.{self.name}"


@dataclass(eq=False)
class Call:
    func: Any
    args: Any
    offset: int
    op: str
    state: Any = None  # the last BUILD state applied to the result


@dataclass(eq=False)
class Persistent:
    pid: Any
    offset: int


@dataclass(eq=False)
class Ext:
    code: int
    offset: int


@dataclass(eq=False)
class BigBytes:
    start: int  # absolute position in the buffer
    length: int


class BigStr(BigBytes):
    """A text string too long to copy eagerly; decoded only if a STACK_GLOBAL imports it (a dotted name of
    megabytes, ``eval.__call__.__call__…``, still resolves in a loader)."""


@dataclass(eq=False)
class Opaque:
    what: str


MAX_DICT_ITEMS = 32  # dict items kept (enough for the states joblib needs; the rest are dropped)
# the keys of a joblib NumpyArrayWrapper's state the model reads: kept past MAX_DICT_ITEMS, since joblib reads
# them wherever they stand (40 other keys before 'shape' made the wrapper unreadable, review, while joblib ran
# the call after the array)
KEPT_KEYS = frozenset({"shape", "dtype", "order", "numpy_array_alignment_bytes"})


@dataclass(eq=False)
class SymDict:
    items: list = field(default_factory=list)
    dropped: bool = False  # items past MAX_DICT_ITEMS were not kept
    index: dict[str, int] = field(default_factory=dict)  # text key -> its position in items

    def add(self, k: Any, v: Any) -> None:
        """Set k to v as a dict does: a text key set again keeps its last value (a state holding 'shape' twice
        is read by joblib with the second, and the model used the first, skipping the call after the array)."""
        if type(k) is str:
            i = self.index.get(k)
            if i is not None:
                self.items[i] = (k, v)
                return
            if len(self.items) < MAX_DICT_ITEMS or k in KEPT_KEYS:
                self.index[k] = len(self.items)
                self.items.append((k, v))
                return
        elif len(self.items) < MAX_DICT_ITEMS:
            self.items.append((k, v))
            return
        self.dropped = True

    def get(self, key: str) -> Any:
        i = self.index.get(key)
        return None if i is None else self.items[i][1]


@dataclass(eq=False)
class SymSet:
    """A set or frozenset (contents not kept)."""

    frozen: bool = False


@dataclass
class StreamResult:
    start: int  # absolute
    end: int  # absolute position after STOP (or where it broke)
    protocol: int
    value: Any = None
    imports: list[Global] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    mutations: list[tuple[Global, int, str]] = field(default_factory=list)
    exts: list[Ext] = field(default_factory=list)
    n_ops: int = 0
    error: str | None = None
    error_offset: int | None = None
    limit: str | None = None
    first_op_invalid: bool = False
    joblib_raw: int = 0  # joblib array data regions skipped as raw bytes
    # (absolute start, length) of byte-string arguments whose first bytes could start a native image, for the
    # scanner's native.embedded check; past MAX_NATIVE_CANDIDATES they are counted only
    natives: list[tuple[int, int]] = field(default_factory=list)
    natives_more: int = 0


_VALID = frozenset(
    b"(.012FIJKLMNPQRSTUVXabcd}eghijl]opqrst)uGBC" + bytes(range(0x80, 0x99))
)


def is_opcode(b: int) -> bool:
    return b in _VALID


def _decode_str(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogatepass")


class PickleVM:
    """Run one pickle stream symbolically over ``data[start:end]``."""

    def __init__(self, data: Any, start: int, end: int, *, max_ops: int, max_stack: int, depth: int = 0,
                 joblib: bool = True) -> None:
        self.depth = depth  # joblib object-array pickles inside this one (each a nested run)
        self.joblib = joblib  # read joblib arrays as joblib does (False: as plain pickle.load does)
        self.data = data
        self.start = start
        self.end = end
        self.max_ops = max_ops
        self.max_stack = max_stack

    # -- argument readers ----------------------------------------------------------------------
    def _need(self, pos: int, n: int) -> None:
        if n < 0 or pos + n > self.end:
            raise Truncated(f"argument of {n} bytes runs past the end ({self.end - pos} left)")

    def _bytes(self, pos: int, n: int) -> Any:
        self._need(pos, n)
        if n > MAX_INLINE_BYTES:
            return BigBytes(pos, n)
        return bytes(self.data[pos:pos + n])

    def _text(self, v: Any) -> Any:
        """A long text string as ``str`` (other values unchanged), up to MAX_NAME bytes."""
        if not isinstance(v, BigStr):
            return v
        if v.length > MAX_NAME:
            raise LimitHit(f"STACK_GLOBAL operand of {v.length:,} bytes (more than {MAX_NAME:,})")
        return _decode_str(bytes(self.data[v.start:v.start + v.length]))

    def _native(self, res: StreamResult, pos: int, n: int) -> None:
        """Keep a byte string (bounds-checked, at least MIN_EMBEDDED bytes, its first byte in MAGIC1: the callers'
        test, an integer comparison per argument) whose first two bytes start a native magic; the header is judged
        by the scanner (native_format.embedded), outside the loop."""
        if bytes(self.data[pos:pos + 2]) in MAGIC2:
            if len(res.natives) < MAX_NATIVE_CANDIDATES:
                res.natives.append((pos, n))
            else:
                res.natives_more += 1

    def _line(self, pos: int) -> tuple[bytes, int]:
        stop = min(self.end, pos + MAX_LINE)
        i = self.data.find(b"\n", pos, stop)
        if i < 0:
            if stop < self.end:
                raise LimitHit(f"protocol-0 argument line longer than {MAX_LINE:,} bytes")
            raise Truncated("unterminated protocol-0 argument line")
        return bytes(self.data[pos:i]), i + 1

    def _joblib_array(self, wrapper: Call, state: Any, pos: int, res: StreamResult) -> int:
        """joblib writes each array's bytes right after its NumpyArrayWrapper's BUILD (joblib.numpy_pickle
        NumpyUnpickler.load_build): raw data after an optional padding, or an inline pickle for object
        arrays. Skip the raw data (never interpreted); follow an inline pickle like any other."""
        attrs = _wrapper_attrs(wrapper, state)
        shape, dtype = attrs.get("shape"), attrs.get("dtype")
        if shape is None:
            raise PickleError("joblib NumpyArrayWrapper without a shape")
        if not (isinstance(shape, tuple) and all(isinstance(d, int) and d >= 0 for d in shape)):
            # a list, numpy integers, a value built by a call: joblib may read it (np.int64(x) for x in shape),
            # the model cannot, so where joblib goes on after the data is not known
            raise LimitHit(f"joblib NumpyArrayWrapper with a shape the audit cannot read ({type(shape).__name__})")
        kind, itemsize = _dtype_size(dtype)
        # joblib unpickles the bytes after the wrapper whenever dtype.hasobject: an object dtype, a structured
        # or sub-array dtype with an object inside, or a dtype this model cannot size (built some other way,
        # e.g. numpy.dtypes.ObjectDType()): all are followed as the inline pickle joblib reads. joblib reads it
        # with plain pickle.load (NumpyArrayWrapper.read_array), not its own unpickler: a wrapper inside it is
        # an ordinary object whose "array data" the loader runs as opcodes, so it is followed with joblib=False
        has_object = kind == "O" or _dtype_has_object(dtype)
        if has_object or itemsize is None:
            if self.depth >= MAX_JOBLIB_DEPTH:
                raise LimitHit(f"joblib object arrays nested deeper than {MAX_JOBLIB_DEPTH}")
            sub = PickleVM(self.data, pos, self.end, max_ops=self.max_ops, max_stack=self.max_stack,
                           depth=self.depth + 1, joblib=False).run()
            shift = pos - self.start
            for g in sub.imports:
                g.offset += shift
            for c in sub.calls:
                c.offset += shift
            res.imports.extend(sub.imports)
            res.calls.extend(sub.calls)
            res.mutations.extend((g, off + shift, op) for g, off, op in sub.mutations)
            res.exts.extend(sub.exts)
            if sub.limit:
                raise LimitHit(sub.limit)
            if not has_object:
                # a dtype the model cannot size: what the bytes hold was judged as a pickle, but whether joblib
                # reads them as one or as raw data of unknown length is not known, so neither is where it goes on
                raise LimitHit(f"joblib array of a dtype the audit cannot size ({_short_dtype(dtype)}): where joblib "
                               "goes on after its bytes is not known")
            if sub.error:
                raise PickleError(f"joblib object array pickle: {sub.error}")
            return sub.end
        align = attrs.get("numpy_array_alignment_bytes")
        if align is _BY_VERSION:
            raise LimitHit("joblib NumpyArrayWrapper built by calling its class, with no numpy_array_alignment_bytes "
                           "in its state: joblib 1.2 and later read a padding byte before the data (the constructor's "
                           "default), older versions none, so where the data starts depends on the joblib version")
        if align is not None:
            self._need(pos, 1)
            pad = self.data[pos]
            self._need(pos + 1, pad)
            pos += 1 + pad
        n = itemsize
        for d in shape:
            n *= d
            if n > self.end - pos:  # stop early: a product of thousands of 2,040-bit dims is quadratic
                break
        self._need(pos, n)
        res.joblib_raw += 1
        return pos + n

    # -- the machine ----------------------------------------------------------------------------
    def run(self) -> StreamResult:  # noqa: C901 - one branch per opcode, like the real unpickler
        data, end = self.data, self.end
        unpack = struct.unpack_from
        res = StreamResult(start=self.start, end=self.start, protocol=0)
        stack: list[Any] = []
        metastack: list[list[Any]] = []
        memo: dict[int, Any] = {}
        imports, calls, mutations = res.imports, res.calls, res.mutations
        pos = self.start
        n_ops = 0
        max_ops, max_stack = self.max_ops, self.max_stack
        op_at = pos

        def pop_mark() -> list[Any]:
            nonlocal stack
            if not metastack:
                raise PickleError("MARK expected but not found")
            items = stack
            stack = metastack.pop()
            return items

        def pop() -> Any:
            if not stack:
                raise PickleError("stack underflow")
            return stack.pop()

        def mutated_top(op: str) -> Any:
            """The object an in-place opcode (SETITEM(S), APPEND(S), ADDITEMS, BUILD) changes: the top of
            the stack. Changing a class or function object itself is recorded as a mutation."""
            if not stack:
                raise PickleError(f"{op} without a target")
            target = stack[-1]
            if isinstance(target, Global):
                mutations.append((target, op_at - self.start, op))
            return target

        try:
            while True:
                if pos >= end:
                    raise Truncated("stream ends without STOP")
                op_at = pos
                op = data[pos]
                pos += 1
                n_ops += 1
                if not n_ops & 0xFFF:  # bounds checked every 4096 opcodes (each adds at most one entry)
                    if n_ops > max_ops:
                        raise LimitHit(f"more than {max_ops:,} opcodes in one stream")
                    if len(stack) > max_stack or len(memo) > max_stack or len(metastack) > max_stack:
                        raise LimitHit(f"stack, memo or mark stack above {max_stack:,} entries")
                if op == 0x71:  # BINPUT
                    self._need(pos, 1)
                    if not stack:
                        raise PickleError("PUT on empty stack")
                    memo[data[pos]] = stack[-1]
                    pos += 1
                elif op == 0x68:  # BINGET
                    self._need(pos, 1)
                    i = data[pos]
                    pos += 1
                    if i not in memo:
                        raise PickleError(f"memo key {i} missing")
                    stack.append(memo[i])
                elif op == 0x94:  # MEMOIZE
                    if not stack:
                        raise PickleError("MEMOIZE on empty stack")
                    memo[len(memo)] = stack[-1]
                elif op == 0x28:  # MARK
                    metastack.append(stack)
                    stack = []
                elif op == 0x8C:  # SHORT_BINUNICODE
                    self._need(pos, 1)
                    n = data[pos]
                    self._need(pos + 1, n)
                    stack.append(_decode_str(bytes(data[pos + 1:pos + 1 + n])))
                    pos += 1 + n
                elif op == 0x58:  # BINUNICODE
                    self._need(pos, 4)
                    (n,) = unpack("<I", data, pos)
                    v = self._bytes(pos + 4, n)
                    stack.append(_decode_str(v) if isinstance(v, bytes) else BigStr(v.start, v.length))
                    pos += 4 + n
                elif op == 0x8D:  # BINUNICODE8
                    self._need(pos, 8)
                    (n,) = unpack("<Q", data, pos)
                    v = self._bytes(pos + 8, n)
                    stack.append(_decode_str(v) if isinstance(v, bytes) else BigStr(v.start, v.length))
                    pos += 8 + n
                elif op == 0x4B:  # BININT1
                    self._need(pos, 1)
                    stack.append(data[pos])
                    pos += 1
                elif op == 0x4D:  # BININT2
                    self._need(pos, 2)
                    stack.append(unpack("<H", data, pos)[0])
                    pos += 2
                elif op == 0x4A:  # BININT
                    self._need(pos, 4)
                    stack.append(unpack("<i", data, pos)[0])
                    pos += 4
                elif op == 0x85:  # TUPLE1
                    stack.append((pop(),))
                elif op == 0x86:  # TUPLE2
                    b = pop()
                    a = pop()
                    stack.append((a, b))
                elif op == 0x87:  # TUPLE3
                    c = pop()
                    b = pop()
                    a = pop()
                    stack.append((a, b, c))
                elif op == 0x74:  # TUPLE
                    items = pop_mark()  # rebinds stack: read it only afterwards
                    stack.append(tuple(items))
                elif op == 0x29:  # EMPTY_TUPLE
                    stack.append(())
                elif op == 0x7D:  # EMPTY_DICT
                    stack.append(SymDict())
                elif op == 0x5D:  # EMPTY_LIST
                    stack.append([])
                elif op == 0x8F:  # EMPTY_SET
                    stack.append(SymSet())
                elif op == 0x4E:  # NONE
                    stack.append(None)
                elif op == 0x88:  # NEWTRUE
                    stack.append(True)
                elif op == 0x89:  # NEWFALSE
                    stack.append(False)
                elif op == 0x75:  # SETITEMS
                    items = pop_mark()
                    target = mutated_top("SETITEMS")
                    if isinstance(target, SymDict):
                        for i in range(0, min(len(items) - 1, 2 * MAX_DICT_ITEMS), 2):
                            target.add(items[i], items[i + 1])
                        # past the first pairs only keys already kept or read by the model count (a later
                        # value replaces an earlier one, as in a dict); one pass, no call per other pair
                        idx = target.index
                        for i in [j for j in range(2 * MAX_DICT_ITEMS, len(items) - 1, 2)
                                  if type(items[j]) is str and (items[j] in idx or items[j] in KEPT_KEYS)]:
                            target.add(items[i], items[i + 1])
                elif op == 0x73:  # SETITEM
                    v = pop()
                    k = pop()
                    target = mutated_top("SETITEM")
                    if isinstance(target, SymDict):
                        target.add(k, v)
                elif op == 0x65:  # APPENDS (list contents are not kept)
                    pop_mark()
                    mutated_top("APPENDS")
                elif op == 0x61:  # APPEND
                    pop()
                    mutated_top("APPEND")
                elif op == 0x90:  # ADDITEMS
                    pop_mark()
                    mutated_top("ADDITEMS")
                elif op == 0x91:  # FROZENSET
                    pop_mark()
                    stack.append(SymSet(frozen=True))
                elif op == 0x52:  # REDUCE
                    args = pop()
                    func = pop()
                    c = Call(func, args, op_at - self.start, "REDUCE")
                    calls.append(c)
                    stack.append(c)
                elif op == 0x62:  # BUILD
                    state = pop()
                    target = mutated_top("BUILD")
                    if isinstance(target, Call):
                        target.state = state
                        if self.joblib and _joblib_wrapper(target):
                            pos = self._joblib_array(target, state, pos, res)
                            stack[-1] = Opaque("joblib array")
                elif op == 0x81:  # NEWOBJ
                    args = pop()
                    cls = pop()
                    c = Call(cls, args, op_at - self.start, "NEWOBJ")
                    calls.append(c)
                    stack.append(c)
                elif op == 0x92:  # NEWOBJ_EX
                    kwargs = pop()
                    args = pop()
                    cls = pop()
                    c = Call(cls, (args, kwargs), op_at - self.start, "NEWOBJ_EX")
                    calls.append(c)
                    stack.append(c)
                elif op == 0x93:  # STACK_GLOBAL
                    name = self._text(pop())
                    module = self._text(pop())
                    if not isinstance(name, str) or not isinstance(module, str):
                        raise PickleError("STACK_GLOBAL requires str operands")
                    g = Global(module, name, op_at - self.start, "STACK_GLOBAL")
                    imports.append(g)
                    stack.append(g)
                elif op == 0x63:  # GLOBAL
                    mod_raw, pos = self._line(pos)
                    name_raw, pos = self._line(pos)
                    g = Global(_decode_str(mod_raw), _decode_str(name_raw), op_at - self.start, "GLOBAL")
                    imports.append(g)
                    stack.append(g)
                elif op == 0x69:  # INST
                    mod_raw, pos = self._line(pos)
                    name_raw, pos = self._line(pos)
                    g = Global(_decode_str(mod_raw), _decode_str(name_raw), op_at - self.start, "INST")
                    imports.append(g)
                    c = Call(g, tuple(pop_mark()), op_at - self.start, "INST")
                    calls.append(c)
                    stack.append(c)
                elif op == 0x6F:  # OBJ
                    items = pop_mark()
                    if not items:
                        raise PickleError("OBJ without a class")
                    c = Call(items[0], tuple(items[1:]), op_at - self.start, "OBJ")
                    calls.append(c)
                    stack.append(c)
                elif op == 0x51:  # BINPERSID
                    stack.append(Persistent(pop(), op_at - self.start))
                elif op == 0x50:  # PERSID
                    raw, pos = self._line(pos)
                    stack.append(Persistent(raw.decode("ascii", "replace"), op_at - self.start))
                elif op == 0x30:  # POP
                    if stack:
                        stack.pop()
                    else:
                        pop_mark()
                elif op == 0x31:  # POP_MARK
                    pop_mark()
                elif op == 0x32:  # DUP
                    if not stack:
                        raise PickleError("DUP on empty stack")
                    stack.append(stack[-1])
                elif op == 0x72:  # LONG_BINPUT
                    self._need(pos, 4)
                    if not stack:
                        raise PickleError("PUT on empty stack")
                    memo[unpack("<I", data, pos)[0]] = stack[-1]
                    pos += 4
                elif op == 0x6A:  # LONG_BINGET
                    self._need(pos, 4)
                    (i,) = unpack("<I", data, pos)
                    pos += 4
                    if i not in memo:
                        raise PickleError(f"memo key {i} missing")
                    stack.append(memo[i])
                elif op == 0x70:  # PUT
                    raw, pos = self._line(pos)
                    if not stack:
                        raise PickleError("PUT on empty stack")
                    try:
                        idx = int(raw)
                    except ValueError:
                        raise PickleError("PUT with a non-integer index")
                    if idx < 0:
                        raise PickleError("negative PUT argument")
                    memo[idx] = stack[-1]
                elif op == 0x67:  # GET
                    raw, pos = self._line(pos)
                    try:
                        i = int(raw)
                    except ValueError:
                        raise PickleError("GET with a non-integer index")
                    if i not in memo:
                        raise PickleError(f"memo key {i} missing")
                    stack.append(memo[i])
                elif op == 0x43:  # SHORT_BINBYTES
                    self._need(pos, 1)
                    n = data[pos]
                    stack.append(self._bytes(pos + 1, n))
                    if n >= MIN_EMBEDDED and data[pos + 1] in MAGIC1:
                        self._native(res, pos + 1, n)
                    pos += 1 + n
                elif op == 0x42:  # BINBYTES
                    self._need(pos, 4)
                    (n,) = unpack("<I", data, pos)
                    stack.append(self._bytes(pos + 4, n))
                    if n >= MIN_EMBEDDED and data[pos + 4] in MAGIC1:
                        self._native(res, pos + 4, n)
                    pos += 4 + n
                elif op in (0x8E, 0x96):  # BINBYTES8, BYTEARRAY8
                    self._need(pos, 8)
                    (n,) = unpack("<Q", data, pos)
                    stack.append(self._bytes(pos + 8, n))
                    if n >= MIN_EMBEDDED and data[pos + 8] in MAGIC1:
                        self._native(res, pos + 8, n)
                    pos += 8 + n
                elif op == 0x55:  # SHORT_BINSTRING
                    self._need(pos, 1)
                    n = data[pos]
                    self._need(pos + 1, n)
                    stack.append(bytes(data[pos + 1:pos + 1 + n]).decode("latin-1"))
                    if n >= MIN_EMBEDDED and data[pos + 1] in MAGIC1:
                        self._native(res, pos + 1, n)
                    pos += 1 + n
                elif op == 0x54:  # BINSTRING
                    self._need(pos, 4)
                    (n,) = unpack("<i", data, pos)
                    if n < 0:
                        raise PickleError("BINSTRING with a negative length")
                    v = self._bytes(pos + 4, n)
                    stack.append(v.decode("latin-1") if isinstance(v, bytes) else v)
                    if n >= MIN_EMBEDDED and data[pos + 4] in MAGIC1:
                        self._native(res, pos + 4, n)
                    pos += 4 + n
                elif op == 0x53:  # STRING
                    raw, pos = self._line(pos)
                    if len(raw) >= 2 and raw[0] == raw[-1] and raw[:1] in (b"'", b'"'):
                        raw = raw[1:-1]
                    else:
                        raise PickleError("STRING argument not quoted")
                    stack.append(codecs.escape_decode(raw)[0].decode("latin-1"))
                elif op == 0x56:  # UNICODE
                    raw, pos = self._line(pos)
                    stack.append(raw.decode("raw-unicode-escape"))
                elif op == 0x49:  # INT
                    raw, pos = self._line(pos)
                    if raw == b"00":
                        stack.append(False)
                    elif raw == b"01":
                        stack.append(True)
                    else:
                        stack.append(_int(raw))
                elif op == 0x4C:  # LONG
                    raw, pos = self._line(pos)
                    stack.append(_int(raw[:-1] if raw.endswith(b"L") else raw))
                elif op == 0x8A:  # LONG1
                    self._need(pos, 1)
                    n = data[pos]
                    self._need(pos + 1, n)
                    stack.append(int.from_bytes(bytes(data[pos + 1:pos + 1 + n]), "little", signed=True))
                    pos += 1 + n
                elif op == 0x8B:  # LONG4
                    self._need(pos, 4)
                    (n,) = unpack("<i", data, pos)
                    if n < 0:
                        raise PickleError("LONG4 with a negative length")
                    self._need(pos + 4, n)
                    stack.append(Opaque("long") if n > 64 else
                                 int.from_bytes(bytes(data[pos + 4:pos + 4 + n]), "little", signed=True))
                    pos += 4 + n
                elif op == 0x46:  # FLOAT
                    raw, pos = self._line(pos)
                    try:
                        stack.append(float(raw))
                    except ValueError:
                        raise PickleError("FLOAT argument not a number")
                elif op == 0x47:  # BINFLOAT
                    self._need(pos, 8)
                    stack.append(unpack(">d", data, pos)[0])
                    pos += 8
                elif op == 0x64:  # DICT
                    pop_mark()
                    stack.append(SymDict())
                elif op == 0x6C:  # LIST
                    pop_mark()
                    stack.append([])
                elif op in (0x82, 0x83, 0x84):  # EXT1, EXT2, EXT4
                    n = {0x82: 1, 0x83: 2, 0x84: 4}[op]
                    self._need(pos, n)
                    code = int.from_bytes(bytes(data[pos:pos + n]), "little")
                    pos += n
                    e = Ext(code, op_at - self.start)
                    res.exts.append(e)
                    stack.append(e)
                elif op == 0x80:  # PROTO
                    self._need(pos, 1)
                    res.protocol = data[pos]
                    pos += 1
                    if res.protocol > 5:
                        raise PickleError(f"unsupported pickle protocol {res.protocol}")
                elif op == 0x95:  # FRAME
                    self._need(pos, 8)
                    pos += 8
                elif op in (0x97, 0x98):  # NEXT_BUFFER, READONLY_BUFFER
                    if op == 0x97:
                        stack.append(Opaque("out-of-band buffer"))
                    elif not stack:
                        raise PickleError("READONLY_BUFFER on empty stack")
                elif op == 0x2E:  # STOP
                    res.value = pop()
                    res.end = pos
                    break
                else:
                    if n_ops == 1:
                        res.first_op_invalid = True
                    raise PickleError(f"invalid opcode 0x{op:02x}")
        except (PickleError, Truncated, UnicodeDecodeError, ValueError, OverflowError) as exc:
            res.error = str(exc) if not isinstance(exc, UnicodeDecodeError) else "undecodable text argument"
            if isinstance(exc, Truncated):
                res.error = f"truncated: {exc}"
            res.error_offset = op_at - self.start
            res.end = pos
        except LimitHit as exc:
            res.limit = str(exc)
            res.error_offset = op_at - self.start
            res.end = pos
        res.n_ops = n_ops
        return res


# joblib's wrapper class under any name that reaches it: the module and the name split anywhere (protocol 4
# resolves "joblib" + "numpy_pickle.NumpyArrayWrapper" attribute by attribute) and through a joblib module that
# imported numpy_pickle (joblib._store_backends.numpy_pickle...). joblib's unpickler tests isinstance, so any of
# them is read as a wrapper; a name matched wrongly only makes the model skip bytes that the plain reading
# (hostile.joblib_shadow) still interprets
_JOBLIB = re.compile(r"(?:sklearn\.externals\.)?joblib(?:\.\w+)*\.numpy_pickle\.NumpyArrayWrapper")
_COPYREG_NEW = frozenset({"_reconstructor", "__newobj__", "__newobj_ex__"})
_DTYPE = re.compile(r"^[<>|=]?([a-zA-Z])(\d*)")


def _is_wrapper_class(g: Any) -> bool:
    return isinstance(g, Global) and g.name.endswith("NumpyArrayWrapper") and bool(_JOBLIB.fullmatch(g.dotted))


def _joblib_wrapper(c: Call) -> bool:
    """Whether a call builds a joblib NumpyArrayWrapper: the class called (NEWOBJ, NEWOBJ_EX, OBJ, INST, REDUCE) or
    handed to copyreg's constructors (_reconstructor(cls, object, None) of protocols 0/1, __newobj__(cls),
    __newobj_ex__(cls, args, kwargs)), which make an instance of it all the same."""
    f = c.func
    if _is_wrapper_class(f):
        return True
    if isinstance(f, Global) and f.name in _COPYREG_NEW and f.module in ("copyreg", "copy_reg") \
            and isinstance(c.args, tuple) and c.args:
        return _is_wrapper_class(c.args[0])
    return False


_BY_VERSION = Opaque("the joblib version's constructor default")
_WRAPPER_ARGS = ("subclass", "shape", "order", "dtype", "allow_mmap", "numpy_array_alignment_bytes")


def _wrapper_attrs(wrapper: Call, state: Any) -> dict[str, Any]:
    """The attributes joblib's reader finds on a NumpyArrayWrapper: those its __init__ set when the class itself was
    called (REDUCE, OBJ, INST run __init__(subclass, shape, order, dtype, allow_mmap=False,
    numpy_array_alignment_bytes=16 in joblib 1.2 and later, absent before); NEWOBJ and copyreg's constructors do
    not), then the BUILD state's (a dict, or a (dict, slots) pair; later keys win). A state the model did not keep
    (a dict built by a call, or one past its item bound without the keys) cannot be read: LimitHit."""
    attrs: dict[str, Any] = {}
    if wrapper.op in ("REDUCE", "OBJ", "INST") and _is_wrapper_class(wrapper.func):
        args = wrapper.args if isinstance(wrapper.args, tuple) else ()
        attrs.update(zip(_WRAPPER_ARGS, args[:len(_WRAPPER_ARGS)], strict=False))
        attrs.setdefault("numpy_array_alignment_bytes", _BY_VERSION)
    parts = list(state) if isinstance(state, tuple) and len(state) == 2 else [state]
    for part in parts:
        if part is None:
            continue
        if not isinstance(part, SymDict):
            if isinstance(part, Call | Opaque | Persistent):
                raise LimitHit(f"joblib NumpyArrayWrapper whose state is built at load time ({type(part).__name__})")
            raise PickleError("joblib NumpyArrayWrapper without a state dict")
        for k, v in part.items:
            if isinstance(k, str):
                attrs[k] = v
    return attrs


def _dtype_has_object(dtype: Any) -> bool:
    """Whether a pickled dtype can hold objects through its BUILD state: a sub-array base (state[2]) or
    a field (state[4], name -> (dtype, offset[, title])) that is or holds an object dtype. A state this
    model did not keep whole (a fields dict past MAX_DICT_ITEMS, a field that is not a dtype) counts as
    holding one. Each dtype is visited once and at most 1,000 are (memo references can share one dtype
    among many fields, which a plain recursion would unfold exponentially)."""
    todo, seen = [dtype], set()
    while todo:
        d = todo.pop()
        if id(d) in seen or not isinstance(d, Call):
            continue
        seen.add(id(d))
        if len(seen) > 1000:
            return True
        if _dtype_size(d)[0] == "O":
            return True
        st = d.state
        if not isinstance(st, tuple) or len(st) < 5:
            continue
        sub, fields = st[2], st[4]
        if sub is not None:
            if not (isinstance(sub, tuple) and sub and isinstance(sub[0], Call)):
                return True
            todo.append(sub[0])
        if isinstance(fields, SymDict):
            if fields.dropped:
                return True
            for _, v in fields.items:
                if not (isinstance(v, tuple) and v and isinstance(v[0], Call)):
                    return True
                todo.append(v[0])
        elif fields is not None:
            return True
    return False


# numpy's one-character type codes and type names whose size is the same on every platform ('l', 'L', 'g',
# 'int', 'long' are not: they stay unsized), and numpy 2's dtype classes (numpy.dtypes.UInt16DType())
_CHAR_SIZES = {"?": 1, "b": 1, "B": 1, "h": 2, "H": 2, "i": 4, "I": 4, "q": 8, "Q": 8, "e": 2, "f": 4, "d": 8,
               "F": 8, "D": 16, "c": 1}
_NAME_SIZES = {"bool": 1, "bool_": 1, "int8": 1, "uint8": 1, "byte": 1, "ubyte": 1, "int16": 2, "uint16": 2,
               "short": 2, "ushort": 2, "int32": 4, "uint32": 4, "intc": 4, "uintc": 4, "int64": 8, "uint64": 8,
               "longlong": 8, "ulonglong": 8, "float16": 2, "half": 2, "float32": 4, "single": 4, "float64": 8,
               "double": 8, "complex64": 8, "csingle": 8, "complex128": 16, "cdouble": 16}
_CLASS_SIZES = {"BoolDType": 1, "Int8DType": 1, "UInt8DType": 1, "ByteDType": 1, "UByteDType": 1, "Int16DType": 2,
                "UInt16DType": 2, "Int32DType": 4, "UInt32DType": 4, "Int64DType": 8, "UInt64DType": 8,
                "Float16DType": 2, "Float32DType": 4, "Float64DType": 8, "Complex64DType": 8, "Complex128DType": 16}


def _dtype_size(dtype: Any) -> tuple[str, int | None]:
    """(kind, itemsize) of a pickled ``numpy.dtype(spec, ...)`` call with its BUILD state (or of a numpy 2 dtype
    class called with nothing). ``numpy.dtype('H')`` and ``numpy.dtype('uint16')`` are sized as numpy sizes them:
    read as unsized, they were followed as an object array's pickle, and a short pickle there ('N.') put the model
    out of step with joblib, which reads the 16 bytes as data and runs the call after them."""
    if isinstance(dtype, Call) and isinstance(dtype.func, Global) and dtype.func.module in ("numpy.dtypes",
                                                                                             "numpy._core._dtype"):
        if dtype.func.name in ("ObjectDType",):
            return "O", 8
        if dtype.func.name in _CLASS_SIZES:
            return "n", _CLASS_SIZES[dtype.func.name]
    if not (isinstance(dtype, Call) and isinstance(dtype.func, Global) and dtype.func.name == "dtype"
            and isinstance(dtype.args, tuple) and dtype.args and isinstance(dtype.args[0], str)):
        return "?", None
    spec = dtype.args[0]
    if spec in ("O", "object", "object_") or spec.lstrip("<>|=") == "O":
        return "O", 8
    if spec in _NAME_SIZES:
        return "n", _NAME_SIZES[spec]
    if len(spec.lstrip("<>|=")) == 1 and spec.lstrip("<>|=") in _CHAR_SIZES and len(spec) <= 2:
        return spec[-1], _CHAR_SIZES[spec[-1]]
    m = _DTYPE.match(spec)
    if not m:
        return "?", None
    kind, digits = m.group(1), m.group(2)
    st = dtype.state
    elsize = st[5] if isinstance(st, tuple) and len(st) > 5 and isinstance(st[5], int) and st[5] > 0 else None
    if kind == "O":
        return "O", 8
    if kind in ("V", "U", "S", "a") and elsize:
        return kind, elsize
    if kind == "U":
        return kind, 4 * int(digits or 0)
    if kind == "b" and not digits:
        return kind, 1
    return kind, (int(digits) if digits else elsize)


def _short_dtype(dtype: Any) -> str:
    if isinstance(dtype, Call) and isinstance(dtype.func, Global):
        arg = dtype.args[0] if isinstance(dtype.args, tuple) and dtype.args else ""
        return f"{dtype.func.dotted[:80]}({str(arg)[:40]!r})"
    return type(dtype).__name__


def _int(raw: bytes) -> Any:
    try:
        return int(raw)
    except ValueError:
        if len(raw) > 4000 and raw.strip().lstrip(b"-").isdigit():
            return Opaque("long")
        raise PickleError("INT/LONG argument not a number")
