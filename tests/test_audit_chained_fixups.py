"""Mach-O imports listed only in ``LC_DYLD_CHAINED_FIXUPS`` (macOS 12+ linkers), in the ``native.code`` detail.

Every binary is assembled here with ``struct`` (the layout of ``<mach-o/fixup-chains.h>``); nothing is loaded or run.
"""

from __future__ import annotations

import random
import struct
import zipfile
from pathlib import Path

import pytest
from cpu_time import thread_cpu_seconds

from openscope.audit import native_format as nf
from openscope.audit import scan_path
from tests.test_audit_native_imports import LC_LOAD_DYLIB, audit, dylib, one_native, thin, universal
from tests.test_audit_tensorflow import native_detail, scan_mutations

LC_DYLD_CHAINED_FIXUPS = 0x80000034
HEADER = 28  # dyld_chained_fixups_header: seven uint32


def fixups(names: list[str], *, fmt: int = 1, count: int | None = None, symbols_format: int = 0,
           imports_offset: int | None = None, symbols_offset: int | None = None) -> bytes:
    """A chained-fixups blob: header, an (empty) starts table, the import table in ``fmt``, the symbol pool."""
    pool = bytearray(b"\x00")
    entries = bytearray()
    for i, name in enumerate(names):
        off = len(pool)
        pool += name.encode() + b"\x00"
        ordinal = 1
        if fmt == 1:
            entries += struct.pack("<I", ordinal | (i & 1) << 8 | off << 9)
        elif fmt == 2:
            entries += struct.pack("<Ii", ordinal | off << 9, -4)
        else:
            entries += struct.pack("<QQ", ordinal | off << 32, 1 << 40)
    starts = struct.pack("<II", 1, 0)  # seg_count 1, no fixups in it
    imp_at = HEADER + len(starts)
    sym_at = imp_at + len(entries)
    head = struct.pack("<7I", 0, HEADER, imp_at if imports_offset is None else imports_offset,
                       sym_at if symbols_offset is None else symbols_offset,
                       len(names) if count is None else count, fmt, symbols_format)
    return head + starts + bytes(entries) + bytes(pool)


def with_fixups(blob: bytes, cmds: list[bytes] | None = None, *, datasize: int | None = None, **kw) -> bytes:
    """A thin Mach-O whose only import list is ``blob``, placed after the load commands (no LC_SYMTAB)."""
    cmds = list(cmds or [dylib(LC_LOAD_DYLIB, "/usr/lib/libSystem.B.dylib")])
    at = 32 + sum(map(len, cmds)) + 16
    cmds.append(struct.pack("<IIII", LC_DYLD_CHAINED_FIXUPS, 16, at, len(blob) if datasize is None else datasize))
    return thin(cmds, **kw) + blob


NAMES = ["_system", "_memcpy", "_dlopen", "_connect", "_malloc"]


@pytest.mark.parametrize("fmt", [1, 2, 3])
def test_chained_fixup_imports_are_named(tmp_path: Path, fmt: int) -> None:
    r = audit(tmp_path, f"k{fmt}.so", with_fixups(fixups(NAMES, fmt=fmt)))
    assert [e.format for e in r.files] == ["macho"]
    detail = one_native(r)
    assert "imports symbols to load code (dlopen); to network (connect); to run programs (system)" in detail
    assert "memcpy" not in detail and "malloc" not in detail
    assert "needs /usr/lib/libSystem.B.dylib" in detail
    assert [f.rule for f in r.findings] == ["native.code"]


def test_without_notable_imports_nothing_is_named(tmp_path: Path) -> None:
    detail = one_native(audit(tmp_path, "plain", with_fixups(fixups(["_memcpy", "_free"]))))
    assert "imports symbols" not in detail


def test_each_architecture_of_a_universal_binary(tmp_path: Path) -> None:
    # offsets in a slice's commands count from the slice's start, not the file's
    data = universal([(0x01000007, with_fixups(fixups(["_popen"]), cpu=0x01000007)),
                      (0x0100000C, with_fixups(fixups(["_socket"])))])
    detail = one_native(audit(tmp_path, "u", data))
    assert "[x86-64]; imports symbols to run programs (popen)" in detail
    assert "[ARM64]; imports symbols to network (socket)" in detail


def test_compressed_symbol_pool_and_unknown_format_name_nothing(tmp_path: Path) -> None:
    for name, blob in {"zlib": fixups(NAMES, symbols_format=1), "fmt9": fixups(NAMES, fmt=9)}.items():
        r = audit(tmp_path, name, with_fixups(blob))
        assert "imports symbols" not in one_native(r), name
        assert [f.rule for f in r.findings] == ["native.code"], name


def test_hostile_chained_fixups(tmp_path: Path) -> None:
    names = fixups(["_system"])
    cases = {
        # an import count of 2**32-1 in a small blob: entries past the blob are not read
        "count": with_fixups(fixups(["_system"], count=0xFFFFFFFF)),
        # the blob declared far larger than the file
        "datasize": with_fixups(names, datasize=0xFFFFFFFF),
        # the import table and the pool placed 4 GB away
        "imports_offset": with_fixups(fixups(["_system"], imports_offset=0xFFFFFFF0)),
        "symbols_offset": with_fixups(fixups(["_system"], symbols_offset=0xFFFFFFF0)),
        # a blob too short for its header
        "short": with_fixups(names[:20]),
    }
    t0 = thread_cpu_seconds()
    for name, data in cases.items():
        r = audit(tmp_path, name, data)
        assert not any(f.rule == "incomplete.scanner_error" for f in r.findings), name
        assert "libSystem.B.dylib" in one_native(r), name
    # only "count" still names the import (the table's one real entry is read before the blob ends)
    assert "run programs (system)" in one_native(audit(tmp_path, "count2", cases["count"]))
    assert f"symbols up to {nf.MAX_SYMBOLS:,}" in one_native(audit(tmp_path, "count3", cases["count"]))
    for name in ("imports_offset", "symbols_offset", "short"):
        assert "imports symbols" not in one_native(audit(tmp_path, name + "2", cases[name])), name
    assert thread_cpu_seconds() - t0 < 2.0


def test_hostile_chained_fixups_a_billion_imports_in_2_gib(tmp_path: Path) -> None:
    # a real-looking table of 2**31 entries whose names have no NUL, in a sparse 2 GiB file: MAX_SYMBOLS read
    count = 1 << 31
    head = struct.pack("<7I", 0, HEADER, HEADER, 64, count, 1, 0)
    blob = head + bytes(64 - HEADER) + b"_system" * 1000  # every entry names offset 0: "_system_system…"
    data = with_fixups(blob, datasize=2 << 30)
    p = tmp_path / "huge"
    with p.open("wb") as f:
        f.write(data)
        f.truncate(2 << 30)
    t0 = thread_cpu_seconds()
    r = scan_path(p)
    assert thread_cpu_seconds() - t0 < 3.0
    assert f"symbols up to {nf.MAX_SYMBOLS:,}" in one_native(r)
    assert [f.rule for f in r.findings] == ["native.code"]


def test_a_dylib_inside_a_zip_names_its_chained_imports(tmp_path: Path) -> None:
    p = tmp_path / "ops.zip"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("lib/_ops.dylib", with_fixups(fixups(["_execve"])))
    detail = one_native(scan_path(p))
    assert "run programs (execve)" in detail


def test_mutated_chained_fixups_never_raise(tmp_path: Path) -> None:
    rng = random.Random(2026)
    seed = with_fixups(fixups(NAMES, fmt=1))
    seeds = [seed, with_fixups(fixups(NAMES, fmt=3)),
             universal([(0x01000007, with_fixups(fixups(["_popen"]), cpu=0x01000007)), (0x0100000C, seed)])]
    named = scan_mutations(tmp_path / "m", rng, seeds, 200, native_detail("imports symbols"), changed=0.3, cut=0.3, seconds=20)
    assert named > 20
