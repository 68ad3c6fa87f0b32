"""PE import/export tables and Mach-O load commands in the ``native.code`` detail, and their bounds on hostile input.

Every binary is assembled here with ``struct`` (no binary is copied into the repository); nothing is loaded or run.
"""

from __future__ import annotations

import builtins
import random
import struct
import zipfile
from pathlib import Path

import pytest
from cpu_time import thread_cpu_seconds

from openscope.audit import native_format as nf
from openscope.audit import scan_path
from tests.test_audit_tensorflow import native_detail, scan_mutations

# -- PE ----------------------------------------------------------------------------------------------------
LFANEW = 0x80
RAW = 0x200  # file offset of the one section
RVA = 0x1000  # its address in memory


class Section:
    """The bytes of one ``.rdata`` section, with the RVA of everything placed in it."""

    def __init__(self) -> None:
        self.data = bytearray()

    def put(self, b: bytes, align: int = 8) -> int:
        self.data += bytes(-len(self.data) % align)
        rva = RVA + len(self.data)
        self.data += b
        return rva

    def string(self, s: str | bytes, nul: bool = True) -> int:
        return self.put((s.encode() if isinstance(s, str) else s) + (b"\x00" if nul else b""), 2)


def pe_image(*, imports: dict[str, list[str | int]] | None = None, exports: tuple[str, ...] = (),
             dll: bool = True, extra: bytes = b"", section: Section | None = None,
             import_dir: tuple[int, int] | None = None, raw_size: int | None = None,
             delay: dict[str, list[str]] | None = None) -> bytes:
    """A PE32+ x86-64 image with one section holding an import directory (a descriptor per DLL, its lookup table of
    hint/name entries or ordinals) and an export directory naming ``exports``, as a linker lays them out."""
    sec = section or Section()
    descs = []
    for name, funcs in (imports or {}).items():
        thunks = [1 << 63 | f if isinstance(f, int) else sec.string(struct.pack("<H", 0) + f.encode())
                  for f in funcs]
        ilt = sec.put(b"".join(struct.pack("<Q", t) for t in [*thunks, 0]))
        iat = sec.put(b"".join(struct.pack("<Q", t) for t in [*thunks, 0]))
        descs.append((ilt, sec.string(name), iat))
    imp_rva = sec.put(b"".join(struct.pack("<IIIII", ilt, 0, 0, nm, iat) for ilt, nm, iat in descs) + bytes(20), 4)
    delay_dir = (0, 0)
    if delay:  # delay-load descriptors (grAttrs 1: RVAs): name, module handle, IAT, INT, bound and unload IATs
        ddescs = []
        for name, funcs in delay.items():
            thunks = [sec.string(struct.pack("<H", 0) + f.encode()) for f in funcs]
            table = sec.put(b"".join(struct.pack("<Q", t) for t in [*thunks, 0]))
            iat = sec.put(b"".join(struct.pack("<Q", t) for t in [*thunks, 0]))
            ddescs.append(struct.pack("<IIIIIIII", 1, sec.string(name), sec.put(bytes(8)), iat, table, 0, 0, 0))
        delay_dir = (sec.put(b"".join(ddescs) + bytes(32), 4), 32 * (len(ddescs) + 1))
    exp_rva = exp_size = 0
    if exports:
        names = [sec.string(e) for e in exports]
        funcs = sec.put(b"".join(struct.pack("<I", RVA) for _ in exports), 4)
        name_ptrs = sec.put(b"".join(struct.pack("<I", n) for n in names), 4)
        ords = sec.put(b"".join(struct.pack("<H", i) for i in range(len(exports))), 4)
        own = sec.string("ext.pyd")
        exp_rva = sec.put(struct.pack("<IIHHIIIIIII", 0, 0, 0, 0, own, 1, len(exports), len(exports), funcs,
                                      name_ptrs, ords), 4)
        exp_size = 40
    sec.data += extra
    data = bytes(sec.data) + bytes(-len(sec.data) % 0x200)
    dirs = [(exp_rva, exp_size), import_dir or (imp_rva, 20 * (len(descs) + 1))] + [(0, 0)] * 11 + [delay_dir] \
        + [(0, 0)] * 2
    opt = struct.pack("<HBBIIIIIQIIHHHHHHIIIIHHQQQQII", 0x20B, 14, 0, 0, len(data), 0, 0, RVA, 0x180000000,
                      0x1000, 0x200, 6, 0, 0, 0, 6, 0, 0, RVA + len(data) + 0x1000, RAW, 0, 2, 0x160,
                      1 << 20, 4096, 1 << 20, 4096, 0, 16)
    opt += b"".join(struct.pack("<II", a, n) for a, n in dirs)
    chars = 0x2022 if dll else 0x0022
    coff = struct.pack("<HHIIIHH", 0x8664, 1, 0, 0, 0, len(opt), chars)
    shdr = struct.pack("<8sIIIIIIHHI", b".rdata", len(data), RVA, len(data) if raw_size is None else raw_size,
                       RAW, 0, 0, 0, 0, 0x40000040)
    dos = bytearray(b"MZ" + bytes(LFANEW - 2))
    struct.pack_into("<I", dos, 0x3C, LFANEW)
    head = bytes(dos) + b"PE\x00\x00" + coff + opt + shdr
    return head + bytes(RAW - len(head)) + data


def audit(tmp_path: Path, name: str, data: bytes):
    p = tmp_path / name
    p.write_bytes(data)
    return scan_path(p)


def one_native(report) -> str:
    (f,) = [f for f in report.findings if f.rule == "native.code"]
    assert f.severity == "medium"
    return f.detail


def test_pe_imported_dlls_and_notable_functions(tmp_path: Path) -> None:
    data = pe_image(imports={
        "KERNEL32.dll": ["CreateProcessW", "LoadLibraryExA", "VirtualAlloc", "GetLastError", "WriteProcessMemory"],
        "WS2_32.dll": [4, 115],  # by ordinal: connect and WSAStartup (pefile's ordinal table names them)
        "SHELL32.dll": ["ShellExecuteW"],
        "WININET.dll": ["InternetOpenUrlA"],
    })
    r = audit(tmp_path, "bin_a", data)
    assert [e.format for e in r.files] == ["pe"]
    detail = one_native(r)
    assert detail.startswith("PE32+ DLL (shared library) for x86-64; imports symbols to ")
    assert "run programs (CreateProcessW, ShellExecuteW)" in detail
    assert "load code (LoadLibraryExA, VirtualAlloc)" in detail
    assert "network (connect, WSAStartup, InternetOpenUrlA)" in detail
    assert "write other processes (WriteProcessMemory)" in detail
    assert "GetLastError" not in detail  # only the notable ones are named
    assert "needs KERNEL32.dll, WS2_32.dll, SHELL32.dll, WININET.dll" in detail
    assert not any(f.rule.startswith("malformed.") for f in r.findings)
    assert r.verdict == "review"


def test_pe_delay_loaded_dlls(tmp_path: Path) -> None:
    data = pe_image(imports={"KERNEL32.dll": ["GetLastError"]}, delay={"WININET.dll": ["InternetOpenW"],
                                                                        "SHELL32.dll": ["ShellExecuteExW"]})
    detail = one_native(audit(tmp_path, "d", data))
    assert "run programs (ShellExecuteExW)" in detail and "network (InternetOpenW)" in detail
    assert "needs KERNEL32.dll, WININET.dll (delay-loaded), SHELL32.dll (delay-loaded):" in detail


def test_pyd_python_extension_export(tmp_path: Path) -> None:
    data = pe_image(imports={"python311.dll": ["PyModule_Create2"]}, exports=("PyInit_fastops",))
    detail = one_native(audit(tmp_path, "x", data))
    assert "a Python extension module (exports PyInit_fastops: `import fastops` runs it)" in detail
    assert "needs python311.dll" in detail
    assert "imports symbols" not in detail


def test_pe_in_an_archive_is_read_in_place(tmp_path: Path) -> None:
    data = pe_image(imports={"KERNEL32.dll": ["WinExec"]})
    p = tmp_path / "bundle.zip"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("a/readme.txt", "x")
        z.writestr("a/op.dll", data, compress_type=zipfile.ZIP_STORED)  # a window into the mapped zip
        z.writestr("b/op.dll", data, compress_type=zipfile.ZIP_DEFLATED)
    found = [f for f in scan_path(p).findings if f.rule == "native.code"]
    assert [f.member for f in found] == ["a/op.dll", "b/op.dll"]
    assert all("run programs (WinExec); needs KERNEL32.dll" in f.detail for f in found)


def test_pe_without_pefile_keeps_the_header(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = builtins.__import__

    def no_pefile(name: str, *args, **kwargs):  # the audit extra not installed: `import pefile` fails
        if name == "pefile":
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pefile)
    r = audit(tmp_path, "x", pe_image(imports={"KERNEL32.dll": ["WinExec"]}))
    assert one_native(r).startswith("PE32+ DLL (shared library) for x86-64: native code runs")
    assert [f.rule for f in r.findings] == ["native.code"]


def test_hostile_pe_a_million_imports_in_two_gigabytes(tmp_path: Path) -> None:
    # one DLL's descriptor repeated a million times (20 MB of import directory), each naming the same function
    # table, and the file made 2 GiB long (sparse): pefile stops at its import cap, our view at MAX_READ
    sec = Section()
    name = sec.string(struct.pack("<H", 0) + b"WinExec")
    ilt = sec.put(struct.pack("<QQ", name, 0))
    dll = sec.string("KERNEL32.dll")
    desc = struct.pack("<IIIII", ilt, 0, 0, dll, ilt)
    start = sec.put(desc * 1_000_000, 4)
    data = pe_image(section=sec, import_dir=(start, 20 * 1_000_000))
    p = tmp_path / "big.dll"
    with p.open("wb") as f:
        f.write(data)
        f.truncate(2 << 30)
    t0 = thread_cpu_seconds()
    r = scan_path(p)
    took = thread_cpu_seconds() - t0
    assert took < 10.0, took
    detail = one_native(r)
    # thousands of descriptors, one DLL named once, and pefile's cap on imports said
    assert "run programs (WinExec); needs KERNEL32.dll (import and export tables read up to 8,192 entries" in detail


def test_hostile_pe_header_spanning_the_file_is_bounded(tmp_path: Path) -> None:
    # a section whose raw data starts at 2 GB: pefile takes everything before it as the "header" (a 2 GB copy);
    # the view's budget stops it
    data = bytearray(pe_image(imports={"KERNEL32.dll": ["WinExec"]}))
    shdr = LFANEW + 4 + 20 + 240
    struct.pack_into("<I", data, shdr + 20, (2 << 30) - 4096)  # PointerToRawData
    p = tmp_path / "far.dll"
    with p.open("wb") as f:
        f.write(data)
        f.truncate(2 << 30)
    t0 = thread_cpu_seconds()
    r = scan_path(p)
    assert thread_cpu_seconds() - t0 < 5.0
    detail = one_native(r)
    assert detail.startswith("PE32+ DLL") and f"{nf.MAX_READ >> 20} MiB" in detail


def test_pe_names_without_a_nul(tmp_path: Path) -> None:
    sec = Section()
    start = sec.put(bytes(40), 4)  # the descriptor and its terminator, filled in below
    ilt = sec.put(bytes(16))
    dll = sec.string(b"K" * 5000, nul=False)  # no NUL: runs into the next entry
    imp = sec.string(struct.pack("<H", 0) + b"CreateProcess", nul=False)
    sec.data[ilt - RVA:ilt - RVA + 16] = struct.pack("<QQ", imp, 0)
    sec.data[start - RVA:start - RVA + 20] = struct.pack("<IIIII", ilt, 0, 0, dll, ilt)
    sec.data += b"W" * (-len(sec.data) % 0x200)  # the function's name runs on to the end of the file: no NUL
    t0 = thread_cpu_seconds()
    r = audit(tmp_path, "nonul", pe_image(section=sec, import_dir=(start, 40)))
    assert thread_cpu_seconds() - t0 < 2.0
    detail = one_native(r)
    assert "needs " + "K" * 120 + ":" in detail  # read up to pefile's 512 bytes, shown cut at 120
    assert not any(f.rule.startswith(("incomplete.", "malformed.")) for f in r.findings)


def test_truncated_pe_tables_are_malformed(tmp_path: Path) -> None:
    data = pe_image(imports={"KERNEL32.dll": ["WinExec"]})
    r = audit(tmp_path, "cut", data[: LFANEW + 4 + 20 + 40])  # inside the optional header
    assert [f.rule for f in r.findings] == ["native.code", "malformed.native"]
    assert "do not parse" in r.findings[1].detail


# -- Mach-O ------------------------------------------------------------------------------------------------
LC_LOAD_DYLIB, LC_LOAD_WEAK_DYLIB, LC_REEXPORT_DYLIB, LC_RPATH = 0xC, 0x80000018, 0x8000001F, 0x8000001C


def lc_str(cmd: int, name: bytes, fixed: int) -> bytes:
    """A load command with a string at the end (``fixed``: the bytes of fields before it, cmd and cmdsize included)."""
    body = name + b"\x00"
    size = fixed + len(body)
    size += -size % 8
    return struct.pack("<III", cmd, size, fixed) + bytes(fixed - 12) + body + bytes(size - fixed - len(body))


def dylib(cmd: int, name: str) -> bytes:
    return lc_str(cmd, name.encode(), 24)  # dylib_command: cmd, cmdsize, name offset, timestamp, two versions


def rpath(path: str) -> bytes:
    return lc_str(LC_RPATH, path.encode(), 12)


def thin(cmds: list[bytes], *, cpu: int = 0x0100000C, ftype: int = 8, ncmds: int | None = None,
         sizeofcmds: int | None = None, symbols: list[tuple[str, int]] | None = None) -> bytes:
    """A 64-bit little-endian Mach-O: header, load commands, then (``symbols``: name, n_type) a symbol and
    string table that an LC_SYMTAB appended to the commands points at."""
    cmds = list(cmds)
    tail = b""
    if symbols is not None:
        strtab, nlist = bytearray(b"\x00"), bytearray()
        for name, ntype in symbols:
            nlist += struct.pack("<IBBHQ", len(strtab), ntype, 1 if ntype & 0x0E else 0, 0, 0)
            strtab += name.encode() + b"\x00"
        table_at = 32 + sum(map(len, cmds)) + 24
        cmds.append(struct.pack("<IIIIII", 0x2, 24, table_at, len(symbols), table_at + len(nlist), len(strtab)))
        tail = bytes(nlist) + bytes(strtab)
    blob = b"".join(cmds)
    head = b"\xcf\xfa\xed\xfe" + struct.pack("<iIIIIII", cpu, 0, ftype, len(cmds) if ncmds is None else ncmds,
                                             len(blob) if sizeofcmds is None else sizeofcmds, 0, 0)
    return head + blob + tail


def universal(slices: list[tuple[int, bytes]]) -> bytes:
    out = bytearray(b"\xca\xfe\xba\xbe" + struct.pack(">I", len(slices)))
    offs = []
    pos = 4096
    for _, s in slices:
        offs.append(pos)
        pos += len(s) + (-len(s) % 4096)
    for (cpu, s), off in zip(slices, offs, strict=True):
        out += struct.pack(">iIIII", cpu, 0, off, len(s), 12)
    for s, off in zip((s for _, s in slices), offs, strict=True):
        out += bytes(off - len(out)) + s
    return bytes(out)


N_UNDF_EXT, N_SECT_EXT = 0x01, 0x0F


def test_macho_libraries_rpaths_and_symbols(tmp_path: Path) -> None:
    data = thin([
        dylib(LC_LOAD_DYLIB, "/usr/lib/libSystem.B.dylib"),
        dylib(LC_LOAD_WEAK_DYLIB, "@rpath/libtorch_cpu.dylib"),
        dylib(LC_REEXPORT_DYLIB, "@loader_path/libops.dylib"),
        rpath("@loader_path/../lib"),
        rpath("/tmp/evil"),
    ], symbols=[("_system", N_UNDF_EXT), ("_memcpy", N_UNDF_EXT), ("_dlopen", N_UNDF_EXT),
                ("_PyInit_kernels", N_SECT_EXT), ("_helper", N_SECT_EXT)])
    r = audit(tmp_path, "k", data)
    assert [e.format for e in r.files] == ["macho"]
    detail = one_native(r)
    assert detail.startswith("Mach-O 64-bit bundle (loadable module) for ARM64; a Python extension module "
                             "(exports PyInit_kernels: `import kernels` runs it)")
    assert "imports symbols to load code (dlopen); to run programs (system)" in detail
    assert ("needs /usr/lib/libSystem.B.dylib, @rpath/libtorch_cpu.dylib (weak), @loader_path/libops.dylib "
            "(re-exported)") in detail
    assert "searches @loader_path/../lib, /tmp/evil (LC_RPATH)" in detail
    assert "memcpy" not in detail and "helper" not in detail
    assert not any(f.rule.startswith("malformed.") for f in r.findings)


def test_macho_universal_each_architecture(tmp_path: Path) -> None:
    same = [dylib(LC_LOAD_DYLIB, "/usr/lib/libc++.1.dylib")]
    data = universal([(0x01000007, thin(same, cpu=0x01000007)), (0x0100000C, thin(same))])
    detail = one_native(audit(tmp_path, "u", data))
    assert detail.startswith("Mach-O universal binary for x86-64, ARM64; needs /usr/lib/libc++.1.dylib:")
    data = universal([(0x01000007, thin(same, cpu=0x01000007)),
                      (0x0100000C, thin([*same, dylib(LC_LOAD_DYLIB, "@rpath/libextra.dylib")]))])
    r = audit(tmp_path, "u2", data)
    detail = one_native(r)
    assert detail.startswith("Mach-O universal binary for x86-64, ARM64; [x86-64]; needs /usr/lib/libc++.1.dylib; "
                             "[ARM64]; needs /usr/lib/libc++.1.dylib, @rpath/libextra.dylib:")
    assert [f.rule for f in r.findings] == ["native.code"]


def test_macho_universal_slice_past_the_end_is_malformed(tmp_path: Path) -> None:
    data = universal([(0x01000007, thin([dylib(LC_LOAD_DYLIB, "/usr/lib/libc.dylib")], cpu=0x01000007)),
                      (0x0100000C, thin([]))])
    r = audit(tmp_path, "u", data[:4200])  # the ARM64 slice at 8192 is cut off
    assert [f.rule for f in r.findings] == ["native.code", "malformed.native"]
    assert "[x86-64]; needs /usr/lib/libc.dylib" in r.findings[0].detail
    assert "ARM64 slice" in r.findings[1].detail and "past the end" in r.findings[1].detail


def test_hostile_macho_load_command_tables(tmp_path: Path) -> None:
    lib = dylib(LC_LOAD_DYLIB, "/usr/lib/libSystem.B.dylib")
    cases = {
        # ncmds of 4 billion in a few bytes: the table ends first
        "ncmds": (thin([lib], ncmds=0xFFFFFFFF), "the table ends after 1"),
        # a cmdsize of 0 would read the same command forever
        "zero": (thin([lib, struct.pack("<II", LC_LOAD_DYLIB, 0) + bytes(16)]), "has size 0"),
        # a command larger than its table
        "big": (thin([lib, struct.pack("<II", LC_RPATH, 1 << 31) + bytes(8)]), "outside its table"),
        # sizeofcmds past the end of the file
        "sizeofcmds": (thin([lib], sizeofcmds=1 << 30), "run past the end of the file"),
    }
    t0 = thread_cpu_seconds()
    for name, (data, why) in cases.items():
        r = audit(tmp_path, name, data)
        assert [f.rule for f in r.findings] == ["native.code", "malformed.native"], name
        assert why in r.findings[1].detail, (name, r.findings[1].detail)
        assert "libSystem.B.dylib" in r.findings[0].detail, name  # what was read before the fault is named
    assert thread_cpu_seconds() - t0 < 2.0


def test_hostile_macho_a_million_commands_and_names_without_nul(tmp_path: Path) -> None:
    # a million well-formed 8-byte commands in a 2 GiB file: MAX_CMDS of them are read, and the detail says so
    cmds = [struct.pack("<II", 0x26, 8)] * 1_000_000  # LC_FUNCTION_STARTS-sized no-ops
    noname = struct.pack("<III", LC_LOAD_DYLIB, 4096, 24) + bytes(12) + b"A" * (4096 - 24)  # no NUL
    p = tmp_path / "many"
    with p.open("wb") as f:
        f.write(thin([noname, *cmds]))
        f.truncate(2 << 30)
    t0 = thread_cpu_seconds()
    r = scan_path(p)
    assert thread_cpu_seconds() - t0 < 3.0
    detail = one_native(r)
    assert f"load commands read up to {nf.MAX_CMDS:,}" in detail
    assert "needs " + "A" * 120 in detail  # the name ends with its command, shown cut
    assert [f.rule for f in r.findings] == ["native.code"]


def test_hostile_macho_symbol_table(tmp_path: Path) -> None:
    # a symbol table declaring 2**32-1 entries and a string table with no NUL, in a 2 GiB file
    head = thin([dylib(LC_LOAD_DYLIB, "/usr/lib/libSystem.B.dylib")])
    at = len(head) + 24
    data = head[:16] + struct.pack("<II", 2, len(head) - 32 + 24) + head[24:] \
        + struct.pack("<IIIIII", 0x2, 24, at, 0xFFFFFFFF, 1 << 20, 0xFFFFFFFF)
    p = tmp_path / "syms"
    with p.open("wb") as f:
        f.write(data + struct.pack("<IBBHQ", 0, N_UNDF_EXT, 0, 0, 0) * 10)
        f.seek(1 << 20)
        f.write(b"_system" * 100_000)  # no NUL anywhere
        f.truncate(2 << 30)
    t0 = thread_cpu_seconds()
    r = scan_path(p)
    assert thread_cpu_seconds() - t0 < 3.0
    detail = one_native(r)
    assert f"symbols up to {nf.MAX_SYMBOLS:,}" in detail
    assert [f.rule for f in r.findings] == ["native.code"]


def test_mutated_tables_never_raise(tmp_path: Path) -> None:
    from tests.test_audit_chained_fixups import fixups, with_fixups  # imports this module's builders

    rng = random.Random(4321)
    seeds = [
        with_fixups(fixups(["_system", "_memcpy", "_dlopen"], fmt=2)),  # imports only in LC_DYLD_CHAINED_FIXUPS
        pe_image(imports={"KERNEL32.dll": ["CreateProcessW", "LoadLibraryA"], "WS2_32.dll": [4]},
                 exports=("PyInit_m",), delay={"WININET.dll": ["InternetOpenW"]}),
        thin([dylib(LC_LOAD_DYLIB, "/usr/lib/libSystem.B.dylib"), rpath("@loader_path")],
             symbols=[("_system", N_UNDF_EXT), ("_PyInit_m", N_SECT_EXT)]),
        universal([(0x01000007, thin([dylib(LC_LOAD_WEAK_DYLIB, "@rpath/a.dylib")], cpu=0x01000007)),
                   (0x0100000C, thin([rpath("/opt/lib")]))]),
    ]
    p = tmp_path / "m"
    named = scan_mutations(p, rng, seeds, 300, native_detail("needs "), changed=0.5, cut=0.5, seconds=30)
    assert named > 50  # most mutations keep enough of the tables to name a library
