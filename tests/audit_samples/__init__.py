"""Our own regression-sample generators for the audit tests, and the trap that proves nothing is loaded.

Pickles are written opcode by opcode (never with pickle.dumps of a live object that could run), zips with
zipfile, and nothing here ever unpickles.
"""

from __future__ import annotations

import builtins
import importlib
import io
import pickle
import socket
import struct
import sys
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from cpu_time import thread_cpu_seconds

import openscope.cli  # noqa: F401 - imported before any trap, like a real session
from openscope.audit import scan_path


def _warm_py7zr() -> None:
    """Load py7zr and the modules it imports lazily, so the trap below only sees imports a scan makes."""
    try:
        import py7zr
        from py7zr.io import BytesIOFactory
    except ImportError:
        return
    bio = io.BytesIO()
    with py7zr.SevenZipFile(bio, "w") as z:
        z.writestr(b"x", "x")
    bio.seek(0)
    with py7zr.SevenZipFile(bio, "r") as z:
        z.extractall(factory=BytesIOFactory(1 << 10))


_warm_py7zr()


def _warm_cli() -> None:
    """Run the CLI once (JSON and text output) so its own lazy imports happen before any trap is set."""
    import contextlib
    import tempfile

    from openscope.cli import main

    with tempfile.TemporaryDirectory() as d:
        p = Path(d, "x.pkl")
        p.write_bytes(b"\x80\x02}.")
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            main(["audit", str(p), "--json", "--sarif", str(Path(d, "x.sarif"))])
            main(["audit", str(p)])
            main(["audit", str(Path(d, "missing"))])


_warm_cli()

PAYLOAD = "echo OPENSCOPE-TEST-MARKER"


# -- opcode builders -------------------------------------------------------------------------------
def proto(n: int) -> bytes:
    return b"\x80" + bytes([n])


def sbu(s: str) -> bytes:
    b = s.encode()
    return b"\x8c" + bytes([len(b)]) + b


def bu(s: str) -> bytes:
    b = s.encode()
    return b"X" + struct.pack("<I", len(b)) + b


def sbs(s: str) -> bytes:
    b = s.encode()
    return b"U" + bytes([len(b)]) + b


def glob(m: str, n: str) -> bytes:
    return b"c" + m.encode() + b"\n" + n.encode() + b"\n"


def sg(m: str, n: str) -> bytes:
    return sbu(m) + sbu(n) + b"\x93"


def binbytes(d: bytes) -> bytes:
    return b"B" + struct.pack("<I", len(d)) + d


TUPLE1, TUPLE2, REDUCE, STOP, POP, MEMOIZE = b"\x85", b"\x86", b"R", b".", b"0", b"\x94"
EMPTY_DICT, EMPTY_TUPLE, MARK, BUILD, DUP, APPENDS = b"}", b")", b"(", b"b", b"2", b"e"


def call(m: str, n: str, arg: str = PAYLOAD, p: int = 2) -> bytes:
    """A pickle that calls m.n(arg)."""
    return proto(p) + glob(m, n) + bu(arg) + TUPLE1 + REDUCE + STOP


def benign_dict(p: int = 2) -> bytes:
    return proto(p) + EMPTY_DICT + sbu("a") + b"K\x01" + b"s" + STOP


def state_dict_pickle(n_tensors: int = 2) -> bytes:
    """A torch.save()-shaped data.pkl: OrderedDict of _rebuild_tensor_v2(persistent storage ...)."""
    out = proto(2) + glob("collections", "OrderedDict") + EMPTY_TUPLE + REDUCE + MARK
    for i in range(n_tensors):
        out += bu(f"layer{i}.weight") + glob("torch._utils", "_rebuild_tensor_v2") + MARK
        out += MARK + bu("storage") + glob("torch", "FloatStorage") + bu(str(i)) + bu("cpu") + b"J" + struct.pack(
            "<i", 4) + b"t" + b"Q"
        out += b"K\x00" + b"K\x02K\x02\x86" + b"K\x02K\x01\x86" + b"\x89"
        out += glob("collections", "OrderedDict") + EMPTY_TUPLE + REDUCE + b"t" + REDUCE
    return out + b"u" + STOP


def torch_zip(data_pkl: bytes, prefix: str = "archive", storages: dict[str, bytes] | None = None,
              compression: int = zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as z:
        z.writestr(f"{prefix}/data.pkl", data_pkl)
        z.writestr(f"{prefix}/byteorder", b"little")
        for k, v in (storages or {"0": b"\x00" * 16, "1": b"\x00" * 16}).items():
            z.writestr(f"{prefix}/data/{k}", v)
        z.writestr(f"{prefix}/version", b"3\n")
    return buf.getvalue()


def zip_of(members: dict[str, bytes], compression: int = zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as z:
        for k, v in members.items():
            z.writestr(k, v)
    return buf.getvalue()


def st_file(header: dict | bytes, data: bytes, hlen: int | None = None) -> bytes:
    import json

    h = header if isinstance(header, bytes) else json.dumps(header).encode()
    return struct.pack("<Q", len(h) if hlen is None else hlen) + h + data


# -- the trap: nothing may be unpickled, imported on a file's behalf, or sent over the network --------
_ALLOWED_NEW = ("openscope", "py7zr", "pyzstd", "pyppmd", "pybcj", "inflate64", "multivolumefile", "brotli",
                "texttable", "Crypto", "Cryptodome", "backports", "zstandard", "compression", "encodings",
                "_strptime", "psutil", "unicodedata", "rich", "click", "typer", "shellingham", "markdown_it",
                "pygments", "duckdb", "pyarrow", "numpy", "pytz", "dateutil", "hypothesis", "pydantic",
                "annotated_types", "typing_extensions", "yaml")
_NEVER = ("subprocess", "pty", "timeit", "bdb", "cProfile", "pydoc", "pkgutil", "webbrowser", "marshal",
          "torch", "sklearn", "transformers", "ultralytics", "joblib", "keras", "tensorflow", "h5py", "onnx",
          "gguf", "safetensors", "dill", "cloudpickle", "runpy", "http.client", "urllib.request", "asyncio")


class Trapped(AssertionError):
    pass


@contextmanager
def trap() -> Iterator[list[str]]:
    """While active: pickle.load/loads/Unpickler, importlib.import_module, network connects and imports of
    scanned-file modules (or of any module not yet loaded, outside our own dependencies) raise."""
    calls: list[str] = []
    saved = (pickle.load, pickle.loads, pickle.Unpickler, pickle._Unpickler, importlib.import_module,
             builtins.__import__, socket.socket.connect)
    real_import = builtins.__import__

    def deny(what: str) -> Callable[..., Any]:
        def f(*a: Any, **k: Any) -> Any:
            calls.append(what)
            raise Trapped(f"audit called {what}")
        return f

    def guarded_import(name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0) -> Any:
        if level == 0:
            top = name
            if any(top == n or top.startswith(n + ".") for n in _NEVER) and top not in sys.modules:
                calls.append(f"import {name}")
                raise Trapped(f"audit imported {name}")
            if top not in sys.modules and not top.startswith(_ALLOWED_NEW):
                calls.append(f"import {name}")
                raise Trapped(f"audit imported a new module {name}")
        return real_import(name, globals, locals, fromlist, level)

    def guarded_import_module(name: str, package: str | None = None) -> Any:
        if name.startswith(_ALLOWED_NEW) or name in sys.modules:
            return saved[4](name, package)
        calls.append(f"import_module {name}")
        raise Trapped(f"audit called importlib.import_module({name!r})")

    pickle.load = deny("pickle.load")  # type: ignore[assignment]
    pickle.loads = deny("pickle.loads")  # type: ignore[assignment]
    pickle.Unpickler = deny("pickle.Unpickler")  # type: ignore[assignment,misc]
    pickle._Unpickler = deny("pickle._Unpickler")  # type: ignore[attr-defined]
    importlib.import_module = guarded_import_module  # type: ignore[assignment]
    builtins.__import__ = guarded_import
    socket.socket.connect = deny("socket.connect")  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        (pickle.load, pickle.loads, pickle.Unpickler, pickle._Unpickler, importlib.import_module,
         builtins.__import__, socket.socket.connect) = saved  # type: ignore[misc]


# -- bounds ----------------------------------------------------------------------------------------
def bounded_scan(path: Path, seconds: float = 10.0, mb: float = 64.0, **kw: Any):
    """scan_path under a time bound and a Python-heap bound (tracemalloc peak)."""
    tracemalloc.start()
    t0 = thread_cpu_seconds()
    try:
        report = scan_path(path, **kw)
        elapsed = thread_cpu_seconds() - t0
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < seconds, f"scan of {path.name} took {elapsed:.1f}s (bound {seconds}s)"
    assert peak < mb * 2**20, f"scan of {path.name} peaked at {peak / 2**20:.1f} MiB (bound {mb} MiB)"
    return report


def rules_of(report: Any, file: str | None = None) -> set[str]:
    return {f.rule for f in report.findings if file is None or f.file == file}


def imports_of(report: Any) -> set[str]:
    return {f.import_ for f in report.findings if f.import_}


# -- format writers (our own, minimal) ----------------------------------------------------------------
def gguf_file(template: str = "{{ messages[0]['content'] }}", dims: tuple[int, ...] = (4, 8),
              tensor_offset: int = 0, ggml_type: int = 0, n_kv_override: int | None = None) -> bytes:
    """A GGUF v3 file: general.name, a chat template and one tensor (F32 by default)."""

    def s(x: str) -> bytes:
        b = x.encode()
        return struct.pack("<Q", len(b)) + b

    kvs = [s("general.name") + struct.pack("<I", 8) + s("tiny"),
           s("tokenizer.chat_template") + struct.pack("<I", 8) + s(template),
           s("tokenizer.ggml.scores") + struct.pack("<IIQ", 9, 6, 2) + struct.pack("<2f", 0.0, 1.0)]
    out = b"GGUF" + struct.pack("<IQQ", 3, 1, len(kvs) if n_kv_override is None else n_kv_override) + b"".join(kvs)
    out += s("w") + struct.pack("<I", len(dims)) + struct.pack(f"<{len(dims)}Q", *dims)
    out += struct.pack("<IQ", ggml_type, tensor_offset)
    out += b"\x00" * ((32 - len(out) % 32) % 32)
    n = 1
    for d in dims:
        n *= d
    return out + b"\x00" * (4 * n if n < 1 << 16 else 64)


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def pb_len(field: int, payload: bytes) -> bytes:
    return _varint(field << 3 | 2) + _varint(len(payload)) + payload


def pb_int(field: int, v: int) -> bytes:
    return _varint(field << 3) + _varint(v)


def onnx_model(location: str | None = None) -> bytes:
    """ModelProto(ir_version, graph{initializer w (external data at `location` when given)}, opset)."""
    tensor = pb_int(1, 2) + pb_int(2, 1) + pb_len(8, b"w")
    if location is not None:
        for k, v in (("location", location), ("offset", "0"), ("length", "8")):
            tensor += pb_len(13, pb_len(1, k.encode()) + pb_len(2, v.encode()))
        tensor += pb_int(14, 1)
    else:
        tensor += pb_len(9, struct.pack("<2f", 1.0, 2.0))
    node = pb_len(1, b"x") + pb_len(1, b"w") + pb_len(2, b"y") + pb_len(4, b"Add")
    graph = pb_len(1, node) + pb_len(2, b"g") + pb_len(5, tensor)
    return pb_int(1, 8) + pb_len(2, b"openscope-test") + pb_len(7, graph) + pb_len(8, pb_int(2, 17))


def npy(descr: str, shape: tuple[int, ...], body: bytes) -> bytes:
    hdr = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape!r}, }}"
    total = 10 + len(hdr) + 1
    hdr += " " * ((64 - total % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr)) + hdr.encode() + body


def patch_zip(zbytes: bytes, member: str, *, crc_xor: int = 0, flag_or: int = 0, local_name: str | None = None) -> bytes:
    """Tamper with a member's CRC / flags (local and central) or its local-header name only."""
    b = bytearray(zbytes)
    name = member.encode()
    i = b.find(b"PK\x03\x04")
    while i != -1:
        nlen = struct.unpack_from("<H", b, i + 26)[0]
        if bytes(b[i + 30:i + 30 + nlen]) == name:
            struct.pack_into("<I", b, i + 14, struct.unpack_from("<I", b, i + 14)[0] ^ crc_xor)
            struct.pack_into("<H", b, i + 6, struct.unpack_from("<H", b, i + 6)[0] | flag_or)
            if local_name is not None:
                b[i + 30:i + 30 + nlen] = local_name.encode()
            break
        i = b.find(b"PK\x03\x04", i + 4)
    j = b.find(b"PK\x01\x02")
    while j != -1:
        nlen = struct.unpack_from("<H", b, j + 28)[0]
        if bytes(b[j + 46:j + 46 + nlen]) == name:
            struct.pack_into("<I", b, j + 16, struct.unpack_from("<I", b, j + 16)[0] ^ crc_xor)
            struct.pack_into("<H", b, j + 8, struct.unpack_from("<H", b, j + 8)[0] | flag_or)
            break
        j = b.find(b"PK\x01\x02", j + 4)
    return bytes(b)


@pytest.fixture(autouse=True)
def no_loading(tmp_path):  # tmp_path first: pytest itself imports lazily while making it
    """Every audit test runs under the trap: the test fails if the audit unpickled or imported anything.
    Autouse in each test module that imports it (``from audit_samples import no_loading``)."""
    with trap() as calls:
        yield
    assert not calls, f"the audit loaded something: {calls}"
