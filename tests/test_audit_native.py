"""Native code in a model folder (ELF, PE, Mach-O, WebAssembly) in the static audit.

Every binary here is a header assembled with ``struct`` by the test; the only real binary read is the
running interpreter (``sys.executable``), read in place and never copied. Nothing is loaded or executed.
"""

from __future__ import annotations

import io
import random
import struct
import sys
import tarfile
import zipfile
from pathlib import Path

from cpu_time import thread_cpu_seconds

from openscope.audit import scan_path, verdict
from openscope.audit.engine import HDF5_MAGIC
from openscope.audit.native_format import MAX_READ
from openscope.audit.sarif import to_sarif
from tests.test_audit_tensorflow import scan_mutations


# -- builders ----------------------------------------------------------------------------------------------
def elf(*, bits: int = 64, order: str = "<", e_type: int = 3, machine: int = 62, phdrs: tuple[int, ...] = (1,),
        phnum: int | None = None, phoff: int | None = None, tail: bytes = b"") -> bytes:
    """An ELF header followed by program headers of the given p_type values."""
    ident = b"\x7fELF" + bytes([1 if bits == 32 else 2, 1 if order == "<" else 2, 1, 0]) + bytes(8)
    ehsize, phentsize = (52, 32) if bits == 32 else (64, 56)
    off = ehsize if phoff is None else phoff
    n = len(phdrs) if phnum is None else phnum
    if bits == 32:
        head = struct.pack(order + "HHIIIIIHHHHHH", e_type, machine, 1, 0, off, 0, 0, ehsize, phentsize, n, 40, 0, 0)
        ph = b"".join(struct.pack(order + "IIIIIIII", t, 0, 0, 0, 0, 0, 0, 0) for t in phdrs)
    else:
        head = struct.pack(order + "HHIQQQIHHHHHH", e_type, machine, 1, 0, off, 0, 0, ehsize, phentsize, n, 64, 0, 0)
        ph = b"".join(struct.pack(order + "IIQQQQQQ", t, 0, 0, 0, 0, 0, 0, 0) for t in phdrs)
    return ident + head + ph + tail


def elf_dynamic(*, imports: tuple[str, ...] = (), exports: tuple[str, ...] = (), needed: tuple[str, ...] = (),
                dynsym_size: int | None = None, shoff: int | None = None, pad_strings: bytes = b"") -> bytes:
    """A 64-bit little-endian shared library with section headers: .dynstr, .dynsym (imports undefined,
    exports defined functions), .dynamic (DT_NEEDED entries) and .shstrtab, as the linker lays them out."""
    names = [*imports, *exports, *needed]
    dynstr, pos = bytearray(b"\x00"), {}
    for n in names:
        pos[n] = len(dynstr)
        dynstr += n.encode() + b"\x00"
    dynstr += pad_strings
    sym = bytes(24) + b"".join(struct.pack("<IBBHQQ", pos[n], 0x12, 0, 0 if n in imports else 1, 0, 0)
                               for n in (*imports, *exports))
    dyn = b"".join(struct.pack("<qQ", 1, pos[n]) for n in needed) + struct.pack("<qQ", 0, 0)
    shstr = b"\x00.dynstr\x00.dynsym\x00.dynamic\x00.shstrtab\x00"
    body, offs = bytearray(), []
    for part in (bytes(dynstr), sym, dyn, shstr):
        offs.append(64 + len(body))
        body += part + bytes(-len(part) % 8)
    sh_off = 64 + len(body) if shoff is None else shoff
    sections = [(0, 0, 0, 0, 0, 0, 0)]  # name, type, offset, size, link, info, entsize
    sections += [(1, 3, offs[0], len(dynstr), 0, 0, 0),
                 (9, 11, offs[1], len(sym) if dynsym_size is None else dynsym_size, 1, 1, 24),
                 (17, 6, offs[2], len(dyn), 1, 0, 16), (26, 3, offs[3], len(shstr), 0, 0, 0)]
    shdrs = b"".join(struct.pack("<IIQQQQIIQQ", nm, tp, 0, 0, off, size, link, info, 8, ent)
                     for nm, tp, off, size, link, info, ent in sections)
    head = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8) + struct.pack(
        "<HHIQQQIHHHHHH", 3, 62, 1, 0, 0, sh_off, 0, 64, 56, 0, 64, len(sections), 4)
    return head + bytes(body) + (shdrs if shoff is None else b"")


def pe(*, machine: int = 0x8664, chars: int = 0x2022, magic: int = 0x20B, lfanew: int = 0x80) -> bytes:
    """A DOS header whose e_lfanew leads to a PE signature, a COFF header and an optional header's magic."""
    dos = bytearray(b"MZ" + bytes(62))
    struct.pack_into("<I", dos, 0x3C, lfanew)
    dos += bytes(lfanew - len(dos))
    return bytes(dos) + b"PE\x00\x00" + struct.pack("<HHIIIHH", machine, 0, 0, 0, 0, 240, chars) \
        + struct.pack("<H", magic) + bytes(238)


def macho(*, magic: bytes = b"\xcf\xfa\xed\xfe", cpu: int = 0x0100000C, ftype: int = 6) -> bytes:
    order = "<" if magic[0] in (0xCE, 0xCF) else ">"
    return magic + struct.pack(order + "iIIIII", cpu, 0, ftype, 0, 0, 0) + bytes(4)


def fat(cpus: tuple[int, ...]) -> bytes:
    entries = b"".join(struct.pack(">iIIII", c, 0, 4096 * (i + 1), 32, 12) for i, c in enumerate(cpus))
    body = bytearray(b"\xca\xfe\xba\xbe" + struct.pack(">I", len(cpus)) + entries)
    for i, c in enumerate(cpus):  # each slice a thin header where the table says (its load commands are read)
        body += bytes(4096 * (i + 1) - len(body)) + macho(cpu=c)
    return bytes(body)


def java_class() -> bytes:
    """A Java class file header: the same magic as a universal binary, then minor 0 and major 65 (Java 21)."""
    return b"\xca\xfe\xba\xbe" + struct.pack(">HHH", 0, 65, 1) + bytes(40)


WASM = b"\x00asm\x01\x00\x00\x00" + b"\x01\x04\x01\x60\x00\x00"  # version 1, a type section: () -> ()


def audit(tmp_path: Path, name: str, data: bytes):
    p = tmp_path / name
    p.write_bytes(data)
    return scan_path(p)


def native(report) -> list:
    return [f for f in report.findings if f.rule == "native.code"]


# -- each kind ---------------------------------------------------------------------------------------------
def test_each_kind_is_detected_with_kind_and_architecture(tmp_path: Path) -> None:
    cases = {
        "so": (elf(), "elf", "ELF64 shared library for x86-64"),
        "pie": (elf(phdrs=(6, 3, 1)), "elf", "ELF64 executable (position-independent) for x86-64"),
        "o": (elf(bits=32, order=">", e_type=1, machine=20, phdrs=()), "elf", "ELF32 relocatable object for PowerPC"),
        "cubin": (elf(e_type=2, machine=190), "elf", "ELF64 executable for NVIDIA CUDA"),
        "arm": (elf(machine=183), "elf", "ELF64 shared library for AArch64"),
        "dll": (pe(), "pe", "PE32+ DLL (shared library) for x86-64"),
        "exe": (pe(machine=0x14C, chars=0x0102, magic=0x10B), "pe", "PE32 executable for x86"),
        "dylib": (macho(), "macho", "Mach-O 64-bit shared library for ARM64"),
        "bundle": (macho(magic=b"\xfe\xed\xfa\xce", cpu=18, ftype=8), "macho",
                   "Mach-O 32-bit bundle (loadable module) for PowerPC"),
        "universal": (fat((0x01000007, 0x0100000C)), "macho", "Mach-O universal binary for x86-64, ARM64"),
        "wasm": (WASM, "wasm", "WebAssembly module"),
    }
    for name, (data, fmt, what) in cases.items():
        r = audit(tmp_path, f"bin_{name}", data)  # names say nothing: content decides
        assert [e.format for e in r.files] == [fmt], name
        found = native(r)
        assert len(found) == 1 and found[0].severity == "medium" and found[0].offset == 0, name
        assert found[0].detail.startswith(what), (name, found[0].detail)
        assert "not audited" in found[0].detail
        assert not any(f.rule.startswith("malformed.") for f in r.findings), name


def test_elf_dynamic_symbols_and_needed_libraries(tmp_path: Path) -> None:
    data = elf_dynamic(imports=("memcpy", "system", "socket", "dlopen", "execve"), exports=("PyInit_fastattn",),
                       needed=("libcudart.so.12", "libc.so.6"))
    r = audit(tmp_path, "fastattn.so", data)
    (f,) = native(r)
    assert f.detail.startswith("ELF64 shared library for x86-64; a Python extension module (exports "
                               "PyInit_fastattn: `import fastattn` runs it); imports symbols to load code (dlopen); "
                               "to network (socket); to run programs (system, execve); needs libcudart.so.12, "
                               "libc.so.6: "), f.detail
    assert "memcpy" not in f.detail
    assert [x.rule for x in r.findings] == ["native.code"]
    plain = native(audit(tmp_path, "kernel.so", elf_dynamic(imports=("memcpy",), needed=("libc.so.6",))))
    assert plain[0].detail.startswith("ELF64 shared library for x86-64; needs libc.so.6: ")


def test_verdict_is_what_the_verdict_rule_gives(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text('{"model_type": "bert"}')
    (tmp_path / "_custom_ops.so").write_bytes(elf())
    r = scan_path(tmp_path)
    assert r.verdict == verdict(r.findings) == "review"
    assert [(f.file, f.rule) for f in r.findings] == [("_custom_ops.so", "native.code")]


def test_the_running_interpreter_is_native_code(tmp_path: Path) -> None:
    exe = Path(sys.executable).resolve()
    r = scan_path(exe)
    expected = {"linux": "elf", "darwin": "macho", "win32": "pe"}.get(sys.platform)
    assert r.files[0].format in ({expected} if expected else {"elf", "macho", "pe"})
    assert len(native(r)) == 1 and r.verdict == "review"


# -- archives, polyglots, look-alikes ----------------------------------------------------------------------
def test_member_of_a_zip_and_a_tar(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("model/kernels/_ops.so", elf())
        z.writestr("model/README.md", "hello")
    r = audit(tmp_path, "model.zip", buf.getvalue())
    assert [(f.member, f.rule) for f in r.findings] == [("model/kernels/_ops.so", "native.code")]
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        info = tarfile.TarInfo("ort-wasm-simd.wasm")
        info.size = len(WASM)
        t.addfile(info, io.BytesIO(WASM))
    r = audit(tmp_path, "web.tar", buf.getvalue())
    assert [(f.member, f.rule) for f in r.findings] == [("ort-wasm-simd.wasm", "native.code")]


def test_model_format_that_starts_with_a_native_header_is_judged_as_both(tmp_path: Path) -> None:
    # an HDF5 file's user block is free: it may hold an ELF header; the file stays HDF5 (its Keras config is
    # still judged) and the native header is reported
    data = elf().ljust(512, b"\x00") + HDF5_MAGIC + bytes(64)
    r = audit(tmp_path, "weights.h5", data)
    assert r.files[0].format == "hdf5"
    found = native(r)
    assert len(found) == 1 and found[0].detail.startswith("read as hdf5, but it starts with a native header")


def test_pe_that_is_also_a_pickle_is_judged_as_both(tmp_path: Path) -> None:
    # 'M' is pickle's BININT2: a headerless pickle can start "MZ" and carry a PE header at e_lfanew
    dos = bytearray((b"MZ\x00" + b"0" + b"cos\nsystem\n(S'id'\ntR.").ljust(0x40, b"\x00"))
    struct.pack_into("<I", dos, 0x3C, 0x80)
    data = bytes(dos) + pe()[0x40:]
    r = audit(tmp_path, "model.bin", data)
    assert r.files[0].format == "pe" and r.verdict == "unsafe"
    assert {f.rule for f in r.findings} >= {"native.code", "hostile.polyglot", "pickle.import.denied"}


def test_java_class_is_not_macho(tmp_path: Path) -> None:
    r = audit(tmp_path, "Model.class", java_class())
    assert r.files[0].format != "macho" and not native(r)
    r = audit(tmp_path, "fat", fat((7,)))
    assert r.files[0].format == "macho" and len(native(r)) == 1


def test_magic_later_in_a_file_or_mz_text_is_not_native(tmp_path: Path) -> None:
    for name, data in {"notes.txt": b"see the header \x7fELF\x02\x01 below\n" + elf(),
                       "mz.txt": b"MZ is how DOS executables start; this is a note about them." * 4,
                       "asm.txt": b"\x00asm\x02\x00\x00\x00 is not version 1"}.items():
        r = audit(tmp_path, name, data)
        assert not native(r), name
    assert len(native(audit(tmp_path, "x.so", elf()))) == 1


# -- malformed and hostile headers -------------------------------------------------------------------------
def test_truncated_headers_are_still_native_code(tmp_path: Path) -> None:
    cases = {
        "elf_ident": elf()[:6],
        "elf_header": elf()[:40],
        "elf_phdrs": elf(phdrs=(1, 3))[:80],
        "elf_class": b"\x7fELF\x09\x01" + bytes(60),
        "elf_sections": elf_dynamic(imports=("system",), shoff=1 << 20),
        "pe_lfanew": pe(lfanew=0x200)[:64],
        "pe_coff": pe()[:0x80 + 10],
        "macho_thin": macho()[:10],
        "macho_fat": fat((7, 12, 18))[:30],
    }
    for name, data in cases.items():
        r = audit(tmp_path, name, data)
        rules = [f.rule for f in r.findings]
        assert rules == ["native.code", "malformed.native"], (name, rules)
        assert r.verdict == "review"


def test_hostile_two_gigabyte_elf_is_bounded(tmp_path: Path) -> None:
    p = tmp_path / "huge.so"
    with p.open("wb") as f:
        f.write(elf(phnum=65535, phdrs=(1,)))
        f.truncate(2 << 30)  # sparse: 2 GiB that read as zeros, 65,535 declared program headers
    t0 = thread_cpu_seconds()
    r = scan_path(p)
    assert thread_cpu_seconds() - t0 < 2.0
    assert [f.rule for f in r.findings] == ["native.code"]
    assert "shared library" in r.findings[0].detail


def test_hostile_symbol_tables_are_bounded(tmp_path: Path) -> None:
    # a .dynsym declaring 2 GB of symbols (a sparse file of zeros), and a string table past the read budget with
    # no NUL
    p = tmp_path / "syms.so"
    with p.open("wb") as f:
        f.write(elf_dynamic(imports=("system",), dynsym_size=((2 << 30) - 4096) // 24 * 24))
        f.truncate(2 << 30)
    t0 = thread_cpu_seconds()
    (f,) = scan_path(p).findings
    assert f.rule == "native.code" and "symbols read up to 20,000" in f.detail
    data = bytearray(elf_dynamic(imports=("system",), pad_strings=b"A" * (MAX_READ + (1 << 20))))
    name = data.index(b"system")
    data[name:name + 7] = b"AAAAAAA"  # the imported name now runs into the padding: no NUL before the budget
    (f,) = audit(tmp_path, "strings.so", bytes(data)).findings
    assert f.rule == "native.code" and f"{MAX_READ >> 20} MiB" in f.detail
    assert thread_cpu_seconds() - t0 < 4.0


def test_mutated_headers_never_raise(tmp_path: Path) -> None:
    rng = random.Random(1234)
    seeds = [elf(), elf(bits=32, order=">", phdrs=(3, 1)), elf_dynamic(imports=("system",), exports=("PyInit_x",),
             needed=("libc.so.6",)), pe(), macho(), fat((7, 12)), WASM, java_class()]
    flagged = scan_mutations(tmp_path / "m", rng, seeds, 400, native, changed=0.5, cut=0.65, seconds=60)
    assert flagged > 100  # most mutations keep the magic, and those are still reported


def test_sarif_names_the_rule(tmp_path: Path) -> None:
    r = audit(tmp_path, "k.dylib", macho())
    doc = to_sarif(r)
    run = doc["runs"][0]
    rules = {x["id"]: x["shortDescription"]["text"] for x in run["tool"]["driver"]["rules"]}
    assert "native.code" in rules and "Native code" in rules["native.code"]
    assert run["results"][0]["ruleId"] == "native.code" and run["results"][0]["level"] == "warning"
