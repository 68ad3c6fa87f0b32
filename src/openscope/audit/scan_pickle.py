"""Pickle findings: every import judged by the rules, every call and mutation that matters, nested pickles.

Streams are followed one after another (stacked pickles, legacy ``torch.save``), and a stream that breaks
after a payload still reports the payload (the real loader ran it before failing).
"""

from __future__ import annotations

import base64
import binascii
import bz2
import codecs
import lzma
import zlib
from collections.abc import Callable
from typing import Any

from openscope.audit import native_format
from openscope.audit.blob import Blob, Truncated
from openscope.audit.context import Context
from openscope.audit.findings import clip
from openscope.audit.pickle_vm import (
    BigBytes,
    BigStr,
    Call,
    Global,
    Opaque,
    Persistent,
    PickleVM,
    StreamResult,
    SymDict,
    is_opcode,
)
from openscope.audit.rules import ruleset
from openscope.audit.tf_format import outside  # the shared path test (absolute, drive, UNC, '..')

LEGACY_TORCH_MAGIC = 0x1950A86A20F9469CFC6C  # torch.serialization.MAGIC_NUMBER
NESTED_LOADERS = {
    ("pickle", "loads"), ("pickle", "_loads"), ("pickle", "load"), ("dill", "loads"), ("cloudpickle", "loads"),
    ("torch.storage", "_load_from_bytes"), ("numpy", "loads"), ("joblib", "load"), ("torch", "load"),
}
MAX_NESTED_BYTES = 64 << 20
TEXT_CODECS = frozenset({"iso8859-1", "utf-8"})  # codecs.lookup names of the encodings judged for native.embedded
NAME_IN_DETAIL = 200  # characters of an imported name quoted in a detail (see named)
MAX_DISTINCT_IMPORTS = 100_000  # distinct names judged per stream (each judgment walks the rule lists)
# loaders whose literal argument is a whole checkpoint (plain pickle of a torch tensor stores its storage as
# torch.storage._load_from_bytes(<torch.save bytes>)): when every argument is a literal, the embedded
# checkpoint is scanned by content and the call itself is a review finding, not a critical one
CHECKPOINT_LOADERS = {("torch.storage", "_load_from_bytes"), ("torch", "load"), ("torch.serialization", "load")}


def short(v: Any, n: int = 80, depth: int = 0) -> str:
    """A short, safe description of a symbolic value for a finding's detail.

    Depth-bounded: a hostile pickle can nest tuples or call results thousands of levels deep, and a
    description that recursed into all of them would end the scan before the finding it describes is made.
    """
    if depth > 3 and isinstance(v, Call | tuple):
        s = "…"
    elif isinstance(v, Global):
        s = v.dotted
    elif isinstance(v, Call):
        s = f"{short(v.func, 40, depth + 1)}(…)"
    elif isinstance(v, Persistent):
        s = "persistent_load(…)"
    elif isinstance(v, BigBytes):
        s = f"<{v.length:,} bytes>"
    elif isinstance(v, tuple):
        s = "(" + ", ".join(short(x, 60, depth + 1) for x in v[:4]) + (", …" if len(v) > 4 else "") + ")"
    elif isinstance(v, SymDict):
        s = "{…}"
    elif isinstance(v, Opaque):
        s = f"<{v.what}>"
    else:
        s = repr(v)
    return s if len(s) <= n else s[: n - 1] + "…"


def named(s: str) -> str:
    """An imported name as a finding's detail quotes it: clipped, so the reason after it survives the
    detail's own cap (the whole name, up to its cap, is the finding's ``import``)."""
    return clip(s, NAME_IN_DETAIL)


def valid_name(s: str) -> bool:
    return bool(s) and all(p.isidentifier() for p in s.split("."))


def try_pickle(blob: Blob, ctx: Context) -> StreamResult:
    """Run the first stream of a blob without reporting (used to decide whether headerless data is a pickle)."""
    return PickleVM(blob.data, blob.start, blob.end, max_ops=min(ctx.limits.max_pickle_ops, 1_000_000),
                    max_stack=ctx.limits.max_stack).run()


def import_opcode_after(blob: Blob, pos: int) -> bool:
    """Whether an import opcode byte (GLOBAL, STACK_GLOBAL, INST) occurs at or after absolute ``pos``: without
    one, the rest of a stream can build values but import (and so run) nothing."""
    return any(blob.data.find(op, pos, blob.end) >= 0 for op in (b"c", b"\x93", b"i"))


def looks_like_pickle(blob: Blob, ctx: Context) -> bool:
    """Content test for pickles without a PROTO header (protocols 0 and 1)."""
    if blob.size < 2 or not is_opcode(blob.data[blob.start]):
        return False
    r = try_pickle(blob, ctx)
    if r.error is None and r.limit is None:
        return r.n_ops >= 2
    if r.error is None:
        # still running valid opcodes when the trial's bound was reached: a payload after a million padding
        # opcodes ('N0' pairs) read as 'other', clean, while pickle.load ran it
        return bool(r.imports) or import_opcode_after(blob, r.end)
    # a broken headerless stream counts only if it imported valid names *and* called something before
    # breaking (the nullifAI shape); text that merely starts like GLOBAL ("cat\ndog\n...") does not
    named = [g for g in r.imports if valid_name(g.module) and valid_name(g.name)]
    if named and len(named) == len(r.imports) and r.calls:
        return True
    # a call of a validly named import counts even when junk after it imports odd names: the real loader
    # runs that call before it fails on the junk (a payload followed by a STACK_GLOBAL of '' read as clean)
    return any(isinstance(c.func, Global) and valid_name(c.func.module) and valid_name(c.func.name)
               for c in r.calls)


def pickle_polyglot(blob: Blob, ctx: Context) -> bool:
    """Whether data detected as another format is also a pickle that imports something and either ends
    properly or calls a validly named import before breaking.

    Formats are detected by magic bytes that leave room for a pickle: a safetensors length whose eight bytes
    are a BINUNICODE opcode and its argument, a GGUF whose "G" is BINFLOAT, a tar whose first member name is
    a pickle (a tar that fails its checksum is unpickled by torch.load's legacy path), an HDF5 user block.
    torch.load unpickles any file that is not a zip, so such a file runs its pickle (and read as review).
    A pickle without imports can build only plain values and is not reported.
    """
    if blob.size < 2 or not is_opcode(blob.data[blob.start]):
        return False
    r = try_pickle(blob, ctx)
    if r.limit is not None and r.error is None and (r.imports or import_opcode_after(blob, r.end)):
        return True  # a million valid opcodes from byte 0, then an import: judged in full below
    if not r.imports:
        return False
    if r.error is None and r.limit is None:
        return True
    return any(isinstance(c.func, Global) and valid_name(c.func.module) and valid_name(c.func.name)
               for c in r.calls)


def scan_pickle(ctx: Context, blob: Blob, what: str = "pickle", torchscript: bool = False) -> None:
    """Follow every stream of a pickle file and report what loading it would import and call.

    ``torchscript``: the pickle belongs to a TorchScript archive, read by TorchScript's own C++ unpickler,
    which resolves ``__torch__.*`` to the archive's compiled code and ``torch.jit._pickle.*`` to its
    builtins; those names are covered by the archive's ``torchscript.code`` finding instead.
    """
    pos = 0
    stream = 0
    legacy = False
    lim = ctx.limits
    while pos < blob.size:
        if stream >= lim.max_streams:
            ctx.incomplete(blob, "pickle_streams", f"more than {lim.max_streams} stacked pickles; rest not read", pos)
            return
        r = PickleVM(blob.data, blob.start + pos, blob.end, max_ops=lim.max_pickle_ops, max_stack=lim.max_stack).run()
        stream += 1
        base = pos
        _report(ctx, blob, r, base, stream, torchscript)
        if r.joblib_raw:
            _plain_reading(ctx, blob, r, base, stream)
        if r.limit:
            ctx.add(blob, "hostile.pickle_size", "medium", f"stream {stream}: {r.limit}", base + (r.error_offset or 0))
            ctx.incomplete(blob, "pickle_limit", f"stream {stream} not followed to its end: {r.limit}",
                           base + (r.error_offset or 0))
            return
        if r.error is not None:
            if stream == 1 or r.imports or r.calls:
                ctx.add(blob, "malformed.pickle", "medium",
                        f"{what} stream {stream} is broken at byte {base + (r.error_offset or 0)}: {r.error} "
                        "(a loader runs everything before this point)", base + (r.error_offset or 0))
            return
        pos = r.end - blob.start
        if stream == 1 and r.value == LEGACY_TORCH_MAGIC:
            legacy = True
        if legacy and stream == 5:
            return  # legacy torch.save: magic, protocol, sys_info, object, storage keys, then raw storages


def _plain_reading(ctx: Context, blob: Blob, r: StreamResult, base: int, stream: int) -> None:
    """The same stream as plain ``pickle.load`` reads it: joblib skips each array's bytes as raw data, but a
    pickle loader that is not joblib goes on interpreting them as opcodes, so a payload can hide where joblib
    would see array data. Imports that only this reading makes and then calls or changes (validly named:
    raw array bytes that merely spell a GLOBAL line before breaking run nothing) are judged too."""
    lim = ctx.limits
    alt = PickleVM(blob.data, r.start, blob.end, max_ops=lim.max_pickle_ops, max_stack=lim.max_stack,
                   joblib=False).run()
    seen = {(g.module, g.name) for g in r.imports}
    used = {id(c.func) for c in alt.calls} | {id(m[0]) for m in alt.mutations}
    new = [g for g in alt.imports if (g.module, g.name) not in seen and valid_name(g.module) and valid_name(g.name)
           and id(g) in used]
    if not new:
        return
    ids = {id(g) for g in new}
    only = StreamResult(start=alt.start, end=alt.end, protocol=alt.protocol, imports=new,
                        calls=[c for c in alt.calls if id(c.func) in ids],
                        mutations=[m for m in alt.mutations if id(m[0]) in ids])
    ctx.add(blob, "hostile.joblib_shadow", "medium", f"stream {stream}: the bytes joblib reads as array data are "
            "opcodes that import something when the file is read by pickle.load (not joblib); judged below", base)
    _report(ctx, blob, only, base, stream)


def _embedded(ctx: Context, blob: Blob, r: StreamResult, base: int) -> None:
    """``native.embedded`` for each byte-string argument that holds a native image (a dropper's payload: the
    pickle hands the bytes to code that writes and loads them). Only arguments the VM already read, whose first
    bytes start a native magic, are judged; their header must be consistent (native_format.embedded). Protocols
    0-2 have no bytes opcode: ``pickle`` writes bytes as ``_codecs.encode(text, 'latin1')``, judged the same."""
    for start, n in r.natives:
        image = Blob(blob.data, start, start + n, blob.file, blob.member, blob.depth + 1, blob.folder, blob.keep)
        fmt = native_format.embedded(image)
        if fmt is not None:
            at = start - blob.start
            native_format.report_embedded(ctx, blob, image, fmt, f"bytes argument at byte {at:,}", at)
    seen: set[int] = set()  # a text shared through the memo and encoded a million times is judged once
    for c in r.calls:
        text = c.args[0] if isinstance(c.args, tuple) and c.args else None
        if not (isinstance(text, str | BigStr) and isinstance(c.func, Global) and c.func.name == "encode"
                and id(text) not in seen and ruleset().canonical_module(c.func.module) in ("_codecs", "codecs")):
            continue
        seen.add(id(text))
        if isinstance(text, BigStr):  # a text above 1 MiB (an image of a real library) stays in the file
            head = bytes(blob.data[text.start:text.start + 8]).decode("utf-8", "ignore")
            if text.length > MAX_NESTED_BYTES or head[:2].encode("latin-1", "replace") not in native_format.MAGIC2 \
                    or not ctx.charge(blob, text.length):
                continue
            try:  # as the unpickler decodes BINUNICODE
                text = bytes(blob.data[text.start:text.start + text.length]).decode("utf-8", "surrogatepass")
            except UnicodeDecodeError:
                continue
        if len(text) < native_format.MIN_EMBEDDED or text[:2].encode("latin-1", "replace") not in native_format.MAGIC2:
            continue
        enc = c.args[1] if len(c.args) > 1 and isinstance(c.args[1], str) else "utf-8"
        try:  # only the encodings that give an image's bytes back in linear time (pickle writes latin1)
            raw = text.encode(codecs.lookup(enc).name) if codecs.lookup(enc).name in TEXT_CODECS else None
        except (UnicodeError, LookupError):  # not that text, or no such encoding
            raw = None
        if raw is None:
            continue
        image = blob.derived(raw, "<_codecs.encode>")
        fmt = native_format.embedded(image)
        if fmt is not None:
            at = base + c.offset
            native_format.report_embedded(ctx, blob, image, fmt, f"bytes built by _codecs.encode at byte {at:,}", at)
    if r.natives_more:
        ctx.incomplete(blob, "native_candidates", f"{r.natives_more:,} more byte-string arguments starting like a "
                       f"native header than the {len(r.natives):,} examined: not checked for native images")


def _report(ctx: Context, blob: Blob, r: StreamResult, base: int, stream: int, torchscript: bool = False) -> None:
    _embedded(ctx, blob, r, base)
    rules = ruleset()
    called = {id(c.func) for c in r.calls}
    # calls per imported name, built once (a per-import scan of every call was quadratic: a pickle of
    # 20,000 distinct imported-and-called names took 11 s)
    calls_of: dict[tuple[str, str], list[Call]] = {}
    for c in r.calls:
        if isinstance(c.func, Global):
            calls_of.setdefault((c.func.module, c.func.name), []).append(c)
    seen: set[tuple[str, str]] = set()
    # A hostile pickle can call a loader a million times on one shared argument (5 bytes a call, each a
    # 64 MiB decompression: hours). Each argument object is evaluated once, and every evaluation is charged
    # to the scan's decompression budget (past it nothing more is evaluated and the scan is incomplete).
    const_of: dict[Any, bool] = {}

    def literal(v: Any) -> bool:
        k = value_key(v)
        if k not in const_of:
            const_of[k] = const_bytes(v, blob, 0, ctx) is not None
        return const_of[k]

    nested_done: set[Any] = set()
    for g in r.imports:
        key = (g.module, g.name)
        if key in seen:
            continue
        seen.add(key)
        if len(seen) > MAX_DISTINCT_IMPORTS:
            ctx.incomplete(blob, "pickle_imports", f"stream {stream}: more than {MAX_DISTINCT_IMPORTS:,} distinct "
                           "imported names; the rest were not judged", base + g.offset)
            break
        j = rules.judge(g.module, g.name)
        if j.severity is None:
            continue
        if torchscript and (g.module == "__torch__" or g.module.startswith(("__torch__.", "torch.jit._pickle"))):
            continue
        canon = (rules.canonical_module(g.module), g.name)
        if canon == ("builtins", "type") and singleton_types_only(r, key, calls_of.get(key, [])):
            continue
        if canon in CHECKPOINT_LOADERS:
            uses = calls_of.get(key, [])
            if uses and all(isinstance(c.args, tuple) and c.args and checkpoint_arg(canon, c.args[0])
                            and literal(c.args[0]) for c in uses):
                ctx.add(blob, "pickle.nested_checkpoint", "medium",
                        f"{g.op} {named(g.module)} {named(g.name)}: loads an embedded checkpoint (a pickled tensor's storage); "
                        "its content is scanned as a nested member", base + g.offset, f"{g.module}.{g.name}")
                continue
        how = "called" if id(g) in called or key in calls_of else "imported"
        args = short(calls_of[key][0].args) if key in calls_of and ctx.listing(blob, j.rule) else ""
        detail = f"{g.op} {named(g.module)} {named(g.name)} ({how}{' with ' + args if args else ''}): {j.reason}"
        ctx.add(blob, j.rule, j.severity, detail, base + g.offset, f"{g.module}.{g.name}")
    for e in r.exts:
        ctx.add(blob, "pickle.extension_code", "medium",
                f"EXT opcode code {e.code}: resolves to whatever copyreg's extension registry holds at load time",
                base + e.offset)
    for c in r.calls:
        if isinstance(c.func, Call | Persistent):
            # described only while such findings are still listed (millions of them are counted, not built)
            what = f"{short(c.func)} with {short(c.args)}" if ctx.listing(blob, "pickle.call_on_result") else "…"
            ctx.add(blob, "pickle.call_on_result", "high",
                    f"{c.op} calls the result of {what}: a gadget chain "
                    "(a safe pickle only calls imported constructors)", base + c.offset)
        elif isinstance(c.func, Global):
            canon = rules.canonical_module(c.func.module)
            if (canon, c.func.name) in NESTED_LOADERS:
                k = value_key(c.args[0] if isinstance(c.args, tuple) and c.args else None)
                if k not in nested_done:  # the same payload (or the same decoding of it) is scanned once
                    nested_done.add(k)
                    _nested(ctx, blob, c, base)
    _companion_arrays(ctx, blob, r, base)
    for g, off, op in r.mutations:
        ctx.add(blob, "pickle.global_mutation", "critical",
                f"{op} changes the imported object {named(g.dotted)} itself (attribute or item injection into a module)",
                base + off, g.dotted)


# joblib before 0.10 kept each array in a companion file: NDArrayWrapper (np.load(..., allow_pickle=True)) and
# ZNDArrayWrapper (zlib data) read os.path.join(<folder of the pickle>, state['filename']) when joblib.load meets them
_COMPANION = {"NDArrayWrapper": "numpy.load(allow_pickle=True), which unpickles an object array",
              "ZNDArrayWrapper": "its zlib data as the array's bytes"}
_COMPANION_MODULES = ("joblib.numpy_pickle", "joblib.numpy_pickle_compat", "sklearn.externals.joblib.numpy_pickle",
                      "sklearn.externals.joblib.numpy_pickle_compat")


def _companion_arrays(ctx: Context, blob: Blob, r: StreamResult, base: int) -> None:
    """``joblib.external_array``: an old joblib wrapper whose companion file lies outside the audited folder (an
    absolute path, a drive, or one climbing out with ``..``: os.path.join restarts at an absolute part). joblib.load
    reads that file, which this audit never saw: with NDArrayWrapper through np.load(allow_pickle=True), so a pickle
    planted there runs (critical, like torch.load of a path); with ZNDArrayWrapper as data (high). A companion inside
    the folder is a file of the folder and is judged where it lies."""
    for c in r.calls:
        cls = c.func
        if isinstance(cls, Global) and cls.name == "_reconstructor" and isinstance(c.args, tuple) and c.args:
            cls = c.args[0]
        if not (isinstance(cls, Global) and cls.name in _COMPANION and cls.module in _COMPANION_MODULES):
            continue
        name = c.state.get("filename") if isinstance(c.state, SymDict) else None
        if name is None and cls is c.func and isinstance(c.args, tuple) and c.args:
            name = c.args[0]  # NDArrayWrapper(filename, subclass, allow_mmap) called directly
        if isinstance(name, str) and name and outside(name, schemes=False):
            ctx.add(blob, "joblib.external_array", "critical" if cls.name == "NDArrayWrapper" else "high",
                    f"{cls.name} with filename {clip(name, NAME_IN_DETAIL)!r}: joblib.load reads that file, outside the "
                    f"audited folder and never audited here, with {_COMPANION[cls.name]}", base + c.offset, name)


SINGLETONS = {("builtins", "NotImplemented"), ("builtins", "Ellipsis")}
MAX_TYPE_USE_NODES = 1_000_000  # values searched for another use of builtins.type (past it: not benign)


def singleton_types_only(r: StreamResult, key: tuple[str, str], uses: list[Call]) -> bool:
    """Whether ``builtins.type`` is used in this stream only as pickle itself writes it: ``type(None)``,
    ``type(NotImplemented)``, ``type(...)`` (pickle.py ``save_type``), each import called, and never passed
    to anything else, built into, or called with any other argument (class construction is denied)."""
    rules = ruleset()

    def singleton(v: Any) -> bool:
        return v is None or (isinstance(v, Global) and (rules.canonical_module(v.module), v.name) in SINGLETONS)

    if not uses or not all(isinstance(c.args, tuple) and len(c.args) == 1 and singleton(c.args[0]) for c in uses):
        return False
    ids = {id(g) for g in r.imports if (g.module, g.name) == key}
    if not ids <= {id(c.func) for c in uses} or any(id(m[0]) in ids for m in r.mutations):
        return False
    # the arguments and states of every other call, followed through tuples, dicts and call results (a type
    # passed to copyreg.__newobj__ builds a class there); each value once, so shared values cost nothing
    seen: set[int] = set()
    todo: list[Any] = [x for c in r.calls if id(c.func) not in ids for x in (c.args, c.state)]
    while todo:
        v = todo.pop()
        if isinstance(v, Global):
            if id(v) in ids:
                return False
            continue
        if not isinstance(v, tuple | SymDict | Call) or id(v) in seen:
            continue
        seen.add(id(v))
        if len(seen) > MAX_TYPE_USE_NODES:
            return False  # too much to search: not shown benign
        if isinstance(v, tuple):
            todo.extend(v)
        elif isinstance(v, SymDict):
            # items past the kept ones are not searched: a dict's values are called only by a callable that
            # is judged itself (the safe ones that call a class they are given take it in a tuple)
            todo.extend(x for kv in v.items for x in kv)
        elif id(v.func) not in ids:  # a type(None) result is a plain class value
            todo.extend((v.func, v.args, v.state))
    return True


def checkpoint_arg(loader: tuple[str, str], v: Any) -> bool:
    """Whether a checkpoint loader's argument is data it reads rather than a path it opens.

    ``torch.storage._load_from_bytes(b)`` reads ``io.BytesIO(b)``: bytes, never text. ``torch.load(x)`` opens
    ``x`` as a file name when it is a str or bytes (``torch.load("/elsewhere/evil.pt")`` loads a file this audit
    never saw): only ``torch.load(io.BytesIO(literal))`` reads embedded data.
    """
    if loader == ("torch.storage", "_load_from_bytes"):
        return not isinstance(v, str)
    return (isinstance(v, Call) and isinstance(v.func, Global)
            and (ruleset().canonical_module(v.func.module), v.func.name) == ("io", "BytesIO"))


def value_key(v: Any, depth: int = 0, budget: list[int] | None = None) -> Any:
    """A hashable key equal for values that evaluate alike: the same call of the same function on the same
    arguments (each REDUCE makes a new Call object, so object identity alone does not dedupe).

    At most 64 nodes are visited per key: calls can share arguments through the memo, so a DAG of 8 levels
    of 4 arguments would otherwise unfold into 65,536 nodes per loader call.
    """
    budget = [64] if budget is None else budget
    budget[0] -= 1
    if depth > 8 or budget[0] < 0:
        return ("id", id(v))
    if isinstance(v, Global):
        return ("G", v.module, v.name)
    if isinstance(v, Call):
        args = tuple(value_key(a, depth + 1, budget) for a in v.args) \
            if isinstance(v.args, tuple) and len(v.args) <= 4 else ("id", id(v.args))
        return ("C", value_key(v.func, depth + 1, budget), args)
    if isinstance(v, bytes | str) and len(v) <= 4096:
        return (type(v).__name__, v)
    if isinstance(v, int | float | bool | None):
        return ("v", type(v).__name__, v)
    return ("id", id(v))


def _nested(ctx: Context, blob: Blob, c: Call, base: int) -> None:
    arg = c.args[0] if isinstance(c.args, tuple) and c.args else None
    loader = (ruleset().canonical_module(c.func.module), c.func.name)
    checkpoint = loader in CHECKPOINT_LOADERS
    if checkpoint and not checkpoint_arg(loader, arg):
        return  # a file name: the file it names is not in this audit (the import stays critical)
    payload = const_bytes(arg, blob, 0, ctx)
    if payload is None:
        return
    inner = blob.derived(payload, f"<nested {'checkpoint' if checkpoint else 'pickle'} @{base + c.offset}>")
    if inner.depth > ctx.limits.max_depth or checkpoint:
        ctx.scan(inner)  # by content (a torch.save zip or legacy pickle); also reports the nesting limit
        return
    scan_pickle(ctx, inner, "nested pickle")


_B64: dict[tuple[str, str], Callable[[bytes], bytes]] = {
    ("base64", "b64decode"): base64.b64decode, ("base64", "standard_b64decode"): base64.standard_b64decode,
    ("base64", "urlsafe_b64decode"): base64.urlsafe_b64decode, ("base64", "decodebytes"): base64.decodebytes,
    ("base64", "b32decode"): base64.b32decode, ("base64", "b16decode"): base64.b16decode,
    ("base64", "a85decode"): base64.a85decode, ("base64", "b85decode"): base64.b85decode,
    ("binascii", "a2b_base64"): binascii.a2b_base64, ("binascii", "unhexlify"): binascii.unhexlify,
    ("binascii", "a2b_hex"): binascii.a2b_hex,
}


def _bounded_decompress(kind: str, data: bytes) -> bytes | None:
    d: Any
    if kind == "zlib":
        d = zlib.decompressobj()
    elif kind == "bz2":
        d = bz2.BZ2Decompressor()
        out = d.decompress(data, MAX_NESTED_BYTES)
        return out if len(out) < MAX_NESTED_BYTES else None
    elif kind == "gzip":
        d = zlib.decompressobj(31)
    else:
        d = lzma.LZMADecompressor()
        out = d.decompress(data, MAX_NESTED_BYTES)
        return out if len(out) < MAX_NESTED_BYTES else None
    out = d.decompress(data, MAX_NESTED_BYTES)
    return out if len(out) < MAX_NESTED_BYTES else None


def const_bytes(v: Any, blob: Blob, depth: int, ctx: Context | None = None) -> bytes | None:
    """Evaluate a value to bytes when it is a literal or a pure decoding of one (base64, hex, zlib, ...).

    With ``ctx``, every byte string made (decoded, decompressed, copied out of the file) is charged to the
    scan's decompression budget, and nothing is evaluated once it is spent.
    """
    if depth > 8:
        return None
    if isinstance(v, bytes):
        return v
    if ctx is not None and ctx.decompressed > ctx.limits.max_total_bytes:
        return None
    out = _const_bytes(v, blob, depth, ctx)
    if out is not None and ctx is not None and not isinstance(v, str) and not ctx.charge(blob, len(out)):
        return None
    return out


def _const_bytes(v: Any, blob: Blob, depth: int, ctx: Context | None) -> bytes | None:
    if isinstance(v, BigBytes):
        return bytes(blob.data[v.start:v.start + v.length]) if v.length <= MAX_NESTED_BYTES else None
    if isinstance(v, str):
        try:
            return v.encode("latin-1")
        except UnicodeEncodeError:
            return v.encode("utf-8", "surrogatepass")
    if not (isinstance(v, Call) and isinstance(v.func, Global) and isinstance(v.args, tuple) and v.args):
        return None
    mod = ruleset().canonical_module(v.func.module)
    key = (mod, v.func.name)
    if key == ("io", "BytesIO"):  # pickle.load(io.BytesIO(payload)): the file object reads the literal
        return const_bytes(v.args[0], blob, depth + 1, ctx)
    try:
        if key in _B64:
            inner = const_bytes(v.args[0], blob, depth + 1, ctx)
            return None if inner is None else _B64[key](inner)
        if key in (("_codecs", "encode"), ("codecs", "encode")) and isinstance(v.args[0], str):
            return v.args[0].encode(v.args[1] if len(v.args) > 1 and isinstance(v.args[1], str) else "utf-8")
        if key in (("zlib", "decompress"), ("bz2", "decompress"), ("lzma", "decompress"), ("gzip", "decompress")):
            inner = const_bytes(v.args[0], blob, depth + 1, ctx)
            return None if inner is None else _bounded_decompress(mod, inner)
        if key in (("builtins", "bytes.fromhex"), ("builtins", "bytearray.fromhex")) and isinstance(v.args[0], str):
            return bytes.fromhex(v.args[0])
        if key in (("builtins", "bytes"), ("builtins", "bytearray")):
            return const_bytes(v.args[0], blob, depth + 1, ctx)
        if key == ("codecs", "decode") and len(v.args) > 1 and isinstance(v.args[1], str):
            inner = const_bytes(v.args[0], blob, depth + 1, ctx)
            enc = v.args[1].replace("-", "_").lower()
            if inner is None:
                return None
            if enc in ("base64", "base64_codec"):
                return base64.b64decode(inner)
            if enc in ("hex", "hex_codec"):
                return binascii.unhexlify(inner)
            if enc in ("zlib", "zlib_codec"):
                return _bounded_decompress("zlib", inner)
    except (ValueError, TypeError, LookupError, zlib.error, OSError, lzma.LZMAError, binascii.Error):
        return None
    return None


# -- legacy torch.save tar records ------------------------------------------------------------------------
# element sizes of the storage classes a legacy tar names (torch._utils._element_size of their dtypes)
_ELEMENT_SIZE = {
    "Double": 8, "Float": 4, "Half": 2, "Long": 8, "Int": 4, "Short": 2, "Char": 1, "Byte": 1, "Bool": 1,
    "BFloat16": 2, "ComplexDouble": 16, "ComplexFloat": 8, "QUInt8": 1, "QInt8": 1, "QInt32": 4, "QUInt4x2": 1,
    "QUInt2x4": 1, "Untyped": 1,
}


def _legacy_stream(ctx: Context, blob: Blob, pos: int, stream: int, what: str) -> StreamResult | None:
    """Run and report one pickle of a legacy record file; None (with findings) when it does not end cleanly."""
    lim = ctx.limits
    r = PickleVM(blob.data, blob.start + pos, blob.end, max_ops=lim.max_pickle_ops, max_stack=lim.max_stack).run()
    _report(ctx, blob, r, pos, stream)
    at = pos + (r.error_offset or 0)
    if r.limit:
        ctx.add(blob, "hostile.pickle_size", "medium", f"{what} pickle {stream}: {r.limit}", at)
        ctx.incomplete(blob, "pickle_limit", f"{what} pickle {stream} not followed to its end: {r.limit}", at)
        return None
    if r.error is not None:
        ctx.add(blob, "malformed.pickle", "medium", f"{what} pickle {stream} is broken at byte {at}: {r.error} "
                "(a loader runs everything before this point)", at)
        return None
    return r


def scan_legacy_records(ctx: Context, blob: Blob, what: str) -> None:
    """The ``storages`` or ``tensors`` member of a legacy ``torch.save`` tar, read as torch.load reads it.

    Both are a count pickle followed by one pickle per record, each followed by raw bytes torch reads
    itself (a storage: an int64 element count and the data; a tensor: ndim, a pad, sizes, strides and an
    offset), and ``storages`` ends with one more pickle (the storage views). A stacked-pickle reading stops
    at the first raw bytes, so a payload in the second record's pickle read as clean; this walk skips the
    raw bytes exactly and judges every pickle torch would run.
    """
    r = _legacy_stream(ctx, blob, 0, 1, what)
    if r is None:
        return
    n = r.value
    pos = r.end - blob.start
    if not isinstance(n, int) or isinstance(n, bool) or n < 0 or n > blob.size:
        ctx.add(blob, "malformed.torch_legacy", "medium", f"{what}: record count {short(n)} is not a count of "
                "the records present; torch.load stops here", pos)
        return
    for i in range(n):
        if stream_limit(ctx, blob, i, pos):
            return
        r = _legacy_stream(ctx, blob, pos, i + 2, what)
        if r is None:
            return
        pos = r.end - blob.start
        try:
            if what == "storages":
                v = r.value
                if not (isinstance(v, tuple) and len(v) == 3):
                    raise ValueError(f"{short(v)} is not (key, location, storage type)")
                size = _ELEMENT_SIZE.get(v[2].name.removesuffix("Storage")) if isinstance(v[2], Global) else None
                if size is None:
                    ctx.incomplete(blob, "torch_legacy", f"{what} record {i}: storage type {short(v)} of unknown "
                                   "element size; the records after it were not read", pos)
                    return
                (count,) = blob.unpack("<q", pos)
                if count < 0 or pos + 8 + count * size > blob.size:
                    raise ValueError(f"storage of {count:,} elements runs past the end")
                pos += 8 + count * size
            else:
                (ndim,) = blob.unpack("<i", pos)
                if ndim < 0 or pos + 16 + 16 * ndim > blob.size:
                    raise ValueError(f"tensor record of {ndim:,} dimensions runs past the end")
                pos += 16 + 16 * ndim
        except (Truncated, ValueError) as exc:
            ctx.add(blob, "malformed.torch_legacy", "medium", f"{what} record {i}: {exc}; torch.load stops here", pos)
            return
    if what == "storages":
        _legacy_stream(ctx, blob, pos, n + 2, what)


def stream_limit(ctx: Context, blob: Blob, i: int, pos: int) -> bool:
    """Past max_streams records, stop with an incomplete finding (each record is a full pickle run)."""
    if i + 2 <= ctx.limits.max_streams * 1024:
        return False
    ctx.incomplete(blob, "pickle_streams", f"more than {ctx.limits.max_streams * 1024:,} legacy records; rest not "
                   "read", pos)
    return True
