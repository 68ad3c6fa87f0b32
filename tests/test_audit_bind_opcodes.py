"""Mach-O imports listed only in the bind, weak-bind and lazy-bind opcode streams of ``LC_DYLD_INFO(_ONLY)``.

Binaries linked for macOS before 12, and stripped ones (whose ``LC_SYMTAB`` keeps no undefined symbol), name their
imports only there; the audit named none. Every binary is assembled here with ``struct`` (the opcodes of
``<mach-o/loader.h>``); nothing is loaded or run.
"""

from __future__ import annotations

import random
import struct
import tracemalloc
from pathlib import Path

import pytest
from cpu_time import thread_cpu_seconds

from openscope.audit import native_format as nf
from openscope.audit import scan_path
from openscope.audit.blob import Blob
from tests.test_audit_native_imports import (
    LC_LOAD_DYLIB,
    LC_LOAD_WEAK_DYLIB,
    N_SECT_EXT,
    audit,
    dylib,
    one_native,
    thin,
    universal,
)
from tests.test_audit_tensorflow import native_detail, scan_mutations

LC_DYLD_INFO, LC_DYLD_INFO_ONLY = 0x22, 0x80000022
DONE, DO_BIND, SET_TYPE_POINTER = b"\x00", b"\x90", b"\x51"
LIBSYSTEM = dylib(LC_LOAD_DYLIB, "/usr/lib/libSystem.B.dylib")


def uleb(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def sleb(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        last = (n == 0 and not byte & 0x40) or (n == -1 and byte & 0x40)
        out.append(byte | (0 if last else 0x80))
        if last:
            return bytes(out)


def symbol(name: str, flags: int = 0) -> bytes:
    """BIND_OPCODE_SET_SYMBOL_TRAILING_FLAGS_IMM and the NUL-terminated name."""
    return bytes([0x40 | flags]) + name.encode() + b"\x00"


def segment(offset: int, seg: int = 2) -> bytes:
    """BIND_OPCODE_SET_SEGMENT_AND_OFFSET_ULEB."""
    return bytes([0x70 | seg]) + uleb(offset)


def bind(names: list[str], ordinal: int = 1) -> bytes:
    """A bind stream as ld64 writes one: library, symbol, type, place, DO_BIND per import; DONE."""
    out = b""
    for i, name in enumerate(names):
        out += bytes([0x10 | ordinal]) + symbol(name) + SET_TYPE_POINTER + segment(8 * i) + DO_BIND
    return out + DONE


def weak_bind(names: list[str]) -> bytes:
    """A weak-bind stream: no library (weak symbols are looked up by name in every image)."""
    return b"".join(symbol(n) + SET_TYPE_POINTER + segment(8 * i) + DO_BIND for i, n in enumerate(names)) + DONE


def lazy_bind(names: list[str]) -> bytes:
    """A lazy-bind stream: one entry per stub, each ending with DONE (the stream goes on past it)."""
    return b"".join(segment(8 * i, 3) + b"\x11" + symbol(n) + DO_BIND + DONE for i, n in enumerate(names))


def with_binds(bind: bytes = b"", weak: bytes = b"", lazy: bytes = b"", cmds: list[bytes] | None = None, *,
               command: int = LC_DYLD_INFO_ONLY, sizes: tuple[int | None, ...] = (None, None, None),
               offsets: tuple[int | None, ...] = (None, None, None), **kw) -> bytes:
    """A thin Mach-O whose only import lists are these streams, placed after everything ``thin`` writes (no
    LC_SYMTAB unless ``kw`` gives ``symbols``: a stripped binary has no undefined symbol to list)."""
    cmds = list(cmds if cmds is not None else [LIBSYSTEM])

    def image(at: int) -> bytes:
        fields: list[int] = []
        pos = at
        for s, size, off in zip((bind, weak, lazy), sizes, offsets, strict=True):
            fields += [(pos if s else 0) if off is None else off, len(s) if size is None else size]
            pos += len(s)
        return thin([*cmds, struct.pack("<12I", command, 48, 0, 0, *fields, 0, 0)], **kw)

    return image(len(image(0))) + bind + weak + lazy


DANGEROUS = ["_system", "_execve", "_dlopen", "_connect"]
BENIGN = ["_memcpy", "_malloc", "_free", "__ZdlPv", "_pthread_mutex_lock"]
EXPECTED = "imports symbols to load code (dlopen); to network (connect); to run programs (system, execve)"


@pytest.mark.parametrize("stream", ["bind", "weak", "lazy"])
def test_dangerous_imports_in_each_stream_are_named(tmp_path: Path, stream: str) -> None:
    maker = {"bind": bind, "weak": weak_bind, "lazy": lazy_bind}[stream]
    r = audit(tmp_path, f"{stream}.dylib", with_binds(**{stream: maker(BENIGN[:2] + DANGEROUS + BENIGN[2:])}))
    assert [e.format for e in r.files] == ["macho"]
    detail = one_native(r)
    assert EXPECTED in detail
    assert "memcpy" not in detail and "pthread" not in detail
    assert "needs /usr/lib/libSystem.B.dylib" in detail
    assert [f.rule for f in r.findings] == ["native.code"]


def test_the_old_command_and_all_three_streams_together(tmp_path: Path) -> None:
    data = with_binds(bind(["_system"]), weak_bind(["_popen"]), lazy_bind(["_socket", "_fork"]), command=LC_DYLD_INFO)
    detail = one_native(audit(tmp_path, "old", data))
    assert "imports symbols to network (socket); to run programs (system, popen, fork)" in detail


def test_benign_imports_name_nothing(tmp_path: Path) -> None:
    r = audit(tmp_path, "plain", with_binds(bind(BENIGN), weak_bind(["__ZdlPv"]), lazy_bind(BENIGN)))
    assert "imports symbols" not in one_native(r)
    assert [f.rule for f in r.findings] == ["native.code"]


def test_a_name_set_and_never_bound_imports_nothing(tmp_path: Path) -> None:
    # dyld binds the symbol a DO_BIND names; a weak-bind entry flagged BIND_SYMBOL_FLAGS_NON_WEAK_DEFINITION
    # (0x8) declares a strong definition of this image, bound by nothing
    stream = symbol("_system", 0x8) + SET_TYPE_POINTER + symbol("_memcpy") + segment(0) + DO_BIND + DONE
    detail = one_native(audit(tmp_path, "nobind", with_binds(weak=stream)))
    assert "imports symbols" not in detail
    # bound once, named once, however many places bind it
    stream = b"\x11" + symbol("_system") + segment(0) + DO_BIND * 3 + DONE
    assert "run programs (system);" in one_native(audit(tmp_path, "thrice", with_binds(stream)))


def test_every_opcode_moves_the_cursor_as_dyld_reads_it(tmp_path: Path) -> None:
    stream = b"".join([
        b"\x20" + uleb(2), symbol("_memcpy"), SET_TYPE_POINTER, b"\x60" + sleb(-4096), segment(1 << 40),
        b"\x80" + uleb(123456789), DO_BIND,                          # ADD_ADDR_ULEB, DO_BIND
        b"\x3f", symbol("_system"), b"\xa0" + uleb(1 << 35),         # SPECIAL_IMM -1, DO_BIND_ADD_ADDR_ULEB
        b"\x3e", symbol("_popen"), b"\xb3",                          # SPECIAL_IMM -2, DO_BIND_ADD_ADDR_IMM_SCALED
        b"\x3d", symbol("_socket"), b"\xc0" + uleb(300) + uleb(1 << 20),  # -3, DO_BIND_ULEB_TIMES_SKIPPING_ULEB
        b"\x30", symbol("_free"), DO_BIND,                           # SPECIAL_IMM 0 (this image)
        b"\xd0" + uleb(4), b"\x12", symbol("_dlopen"), DO_BIND, b"\xd1",  # THREADED: table size, APPLY
        DONE,
        symbol("_execve") + DO_BIND,                                 # after DONE: not part of the bind stream
    ])
    r = audit(tmp_path, "all", with_binds(stream, cmds=[LIBSYSTEM, dylib(LC_LOAD_WEAK_DYLIB, "@rpath/libz.dylib")]))
    detail = one_native(r)
    assert "imports symbols to load code (dlopen); to network (socket); to run programs (system, popen)" in detail
    assert "execve" not in detail
    assert [f.rule for f in r.findings] == ["native.code"]


def test_a_stripped_binary_with_a_symbol_table_of_definitions_only(tmp_path: Path) -> None:
    data = with_binds(lazy=lazy_bind(["_system", "_memcpy"]), symbols=[("_PyInit_ops", N_SECT_EXT)])
    detail = one_native(audit(tmp_path, "ops.so", data))
    assert "a Python extension module (exports PyInit_ops" in detail
    assert "imports symbols to run programs (system)" in detail


def test_each_architecture_of_a_universal_binary(tmp_path: Path) -> None:
    # stream offsets count from the slice's start, not the file's
    data = universal([(0x01000007, with_binds(lazy=lazy_bind(["_posix_spawn"]), cpu=0x01000007)),
                      (0x0100000C, with_binds(bind(["_getaddrinfo"])))])
    detail = one_native(audit(tmp_path, "u", data))
    assert "[x86-64]; imports symbols to run programs (posix_spawn)" in detail
    assert "[ARM64]; imports symbols to network (getaddrinfo)" in detail


def malformed(tmp_path: Path, name: str, data: bytes) -> tuple[str, str]:
    r = audit(tmp_path, name, data)
    assert [f.rule for f in r.findings] == ["native.code", "malformed.native"], (name, r.findings)
    return r.findings[0].detail, r.findings[1].detail


def test_a_truncated_uleb_ends_the_read_as_malformed(tmp_path: Path) -> None:
    head = b"\x11" + symbol("_system") + segment(0) + DO_BIND
    # a number whose continuation bit is still set where the stream ends (any later byte below 0x80 would end it)
    for name, tail in {"cut": b"\x72\x80\x80", "sleb": b"\x60\xff\xff", "ordinal": b"\x20\x81",
                       "times": b"\xc0" + uleb(5) + b"\x80"}.items():
        native, problem = malformed(tmp_path, name, with_binds(head + tail))
        assert "run programs (system)" in native, name  # bound before the fault: named
        assert "a bind opcode at byte" in problem and "has a number that runs past its stream or 64 bits" in problem
    # more than 64 bits (11 continuation bytes): dyld refuses it, and the read ends there
    stream = head + b"\x72" + b"\x80" * 11 + b"\x01" + symbol("_popen") + DO_BIND + DONE
    native, problem = malformed(tmp_path, "long", with_binds(stream))
    assert "run programs (system)" in native and "popen" not in native
    assert f"a bind opcode at byte {len(with_binds(stream)) - len(stream) + len(head):,} has a number" in problem


def test_a_stream_running_past_the_file(tmp_path: Path) -> None:
    stream = lazy_bind(["_execve", "_system"])
    native, problem = malformed(tmp_path, "past", with_binds(lazy=stream, sizes=(None, None, 1 << 30)))
    assert "run programs (execve, system)" in native  # what lies inside the file is still read
    assert f"its lazy-bind opcodes (bytes {len(with_binds(lazy=stream)) - len(stream):,} to" in problem
    assert "run past its end" in problem
    # a stream starting past the end: nothing to read, and said so
    _, problem = malformed(tmp_path, "beyond", with_binds(bind(["_system"]), offsets=(1 << 31, None, None)))
    assert "its bind opcodes (bytes 2,147,483,648 to" in problem
    # a name cut by the file's end has no NUL
    data = with_binds(lazy=stream)
    native, problem = malformed(tmp_path, "cutname", data[:-4])
    assert "run programs (execve)" in native
    assert "has a symbol name without a NUL before the stream ends" in problem


def test_an_absurd_library_ordinal_is_malformed(tmp_path: Path) -> None:
    for name, op, why in [("uleb", b"\x20" + uleb(4_000_000_000), "names library ordinal 4,000,000,000, but the "
                                                                  "slice loads 1 library"),
                          ("imm", b"\x1f", "names library ordinal 15, but the slice loads 1 library"),
                          ("huge", b"\x20" + uleb((1 << 64) - 1), "names library ordinal 18,446,744,073,709,551,615"),
                          ("special", b"\x3b", "names special library ordinal -5, which dyld does not define")]:
        stream = b"\x11" + symbol("_execve") + segment(0) + DO_BIND + op + symbol("_system") + DO_BIND + DONE
        native, problem = malformed(tmp_path, name, with_binds(stream))
        assert "run programs (execve)" in native and "system" not in native, name
        assert why in problem, (name, problem)
    # ordinal 2 of two libraries is fine
    stream = b"\x12" + symbol("_system") + DO_BIND + DONE
    r = audit(tmp_path, "two", with_binds(stream, cmds=[LIBSYSTEM, dylib(LC_LOAD_DYLIB, "@rpath/libz.dylib")]))
    assert [f.rule for f in r.findings] == ["native.code"]


def test_no_opcode_ends_the_read_as_malformed(tmp_path: Path) -> None:
    for byte in (0xD2, 0xE0, 0xFF):
        stream = b"\x11" + symbol("_dlopen") + DO_BIND + bytes([byte]) + symbol("_system") + DO_BIND + DONE
        native, problem = malformed(tmp_path, f"op{byte}", with_binds(stream))
        assert "load code (dlopen)" in native and "system" not in native
        assert f"is {byte:#04x}, which is no bind opcode" in problem


def test_a_million_opcodes_in_linear_time_and_bounded_memory(tmp_path: Path) -> None:
    # a million cursor moves (ADD_ADDR_ULEB with a 3-byte number) before the import: all read, the import named
    stream = b"\x11" + (b"\x80" + uleb(1 << 20)) * 1_000_000 + symbol("_execve") + DO_BIND + DONE
    p = tmp_path / "million"
    p.write_bytes(with_binds(stream))
    t0 = thread_cpu_seconds()
    r = scan_path(p)
    assert thread_cpu_seconds() - t0 < 5.0  # about 0.65 s here (0.07 s for 100,000: linear)
    assert "run programs (execve)" in one_native(r)
    assert [f.rule for f in r.findings] == ["native.code"]
    # memory: 300,000 of them (a 1.2 MB stream, so the file is mapped, not read) allocate no buffer that grows
    # with the stream (tracemalloc slows the read about sixfold, hence the smaller stream)
    p.write_bytes(with_binds(b"\x11" + (b"\x80" + uleb(1 << 20)) * 300_000 + symbol("_execve") + DO_BIND + DONE))
    tracemalloc.start()
    r = scan_path(p)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "run programs (execve)" in one_native(r)
    assert peak < 256 << 10


def test_past_the_budget_the_detail_says_so(tmp_path: Path) -> None:
    # a 2 GiB lazy-bind stream of DONE (zero) bytes, each an opcode, in a sparse file, then the import
    p = tmp_path / "zeros"
    head = with_binds(lazy=b"\x00", sizes=(None, None, (2 << 30) - 4096))
    with p.open("wb") as f:
        f.write(head)
        f.seek((2 << 30) - 64)
        f.write(symbol("_system") + DO_BIND)
        f.truncate(2 << 30)
    t0 = thread_cpu_seconds()
    r = scan_path(p)
    assert thread_cpu_seconds() - t0 < 10.0  # the opcode budget, not the stream, bounds the read
    detail = one_native(r)
    assert f"bind opcodes read up to {nf.MAX_BIND_OPS:,} and 16 MiB of names per file" in detail
    assert [f.rule for f in r.findings] == ["native.code"]  # cut, not malformed: the verdict is not clean
    # one budget per file: thirty slices of it cost what one does
    one = with_binds(lazy=b"\x00" * 200_000)
    data = universal([(0x0100000C, one)] * 30)
    t0 = thread_cpu_seconds()
    detail = one_native(audit(tmp_path, "thirty", data))
    assert thread_cpu_seconds() - t0 < 10.0
    assert "bind opcodes read up to" in detail


def test_a_name_past_the_name_budget_is_a_cut(tmp_path: Path) -> None:
    # a 20 MiB name: more than the budget's name bytes, so the read stops there (not malformed: dyld reads it)
    p = tmp_path / "longname"
    p.write_bytes(with_binds(lazy=b"\x11" + symbol("_" + "a" * (20 << 20)) + DO_BIND + symbol("_system") + DO_BIND))
    detail = one_native(scan_path(p))
    assert "bind opcodes read up to" in detail and "system" not in detail


def test_a_native_image_carried_as_a_value_names_its_bind_imports() -> None:
    image = with_binds(lazy=lazy_bind(["_execve"]))
    blob = Blob(image, 0, len(image), "x")
    assert "run programs (execve)" in nf.describe(blob, "macho").what


def test_mutated_bind_streams_never_raise(tmp_path: Path) -> None:
    rng = random.Random(2027)
    seeds = [with_binds(bind(BENIGN + DANGEROUS), weak_bind(["_popen"]), lazy_bind(DANGEROUS + BENIGN)),
             universal([(0x01000007, with_binds(lazy=lazy_bind(["_popen"]), cpu=0x01000007)),
                        (0x0100000C, with_binds(bind(["_system"])))])]
    named = scan_mutations(tmp_path / "m", rng, seeds, 200, native_detail("imports symbols"), changed=0.5, cut=0.7, seconds=20)
    assert named > 20
