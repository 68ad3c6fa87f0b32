"""Native code shipped in a model folder: ELF, PE, Mach-O and WebAssembly binaries, recognised by content.

A TensorFlow custom-op library (``_custom_ops.so``), a CUDA kernel that ``trust_remote_code`` modelling code
loads with ``ctypes`` or ``torch.ops.load_library``, a Windows ``.dll``/``.pyd``, a Mach-O ``.dylib`` or a
WebAssembly module of a web runtime runs with the rights of the process that loads it, and nothing in it is
audited here. It used to be listed as ``other`` and the folder read ``clean``; now every such binary gives
``native.code`` (severity from rules.yml ``native_code``), naming its kind and architecture, so the team
auditing the folder knows it must trust that code.

Detection reads a few fixed header offsets (the checks cost a few byte comparisons on the head the engine
already has). The description reads at most ``MAX_PHDRS`` ELF program headers (to tell a position-independent
executable from a library) and, through pyelftools, an ELF's dynamic section and dynamic symbols: the
libraries it needs, imports a reviewer should notice (running programs, the network, loading more code:
rules.yml ``native_code.notable_imports``) and a ``PyInit_<name>`` export (a Python extension module, which a
plain ``import`` runs). pyelftools reads through :class:`.blob.BlobFile`, a stream over the mapped blob that never
copies it and stops after ``MAX_READ`` bytes, and at most ``MAX_SYMBOLS`` symbols are looked at, so a hostile
2 GB "ELF" costs about what a real library does.

A PE (``.dll``, ``.pyd``, ``.exe``) gets the same detail from its import, delay-load import and export
directories, read with pefile: ``fast_load=True`` parses the headers and section table only, then
``parse_data_directories`` reads just those three (pefile caps imports, both kinds together, at 8,192 symbols,
exports at 8,192, names at 512 bytes). pefile indexes its data like bytes; it gets a :class:`_View` of the blob that copies only the
slices it asks for and stops after ``MAX_READ`` bytes (pefile copies everything up to the lowest section
offset as its "header", which a hostile section table puts at 2 GB).

A Mach-O's load commands are read by hand (:func:`_macho_slice`): macholib, the maintained library, opens a
file by name only (an archive member is not a file), reads every section's data into memory and loops over
``ncmds`` as declared. The table is simple (a type and a size per command); at most ``MAX_CMDS`` are read,
each must fit in the declared ``sizeofcmds`` and the file, and a size below 8 (which would loop forever) stops
the walk as ``malformed.native``. The libraries a slice loads (``LC_LOAD_DYLIB``, weak, re-exported, lazy,
upward), its ``LC_RPATH`` entries, and from ``LC_SYMTAB`` (at most ``MAX_SYMBOLS`` entries) the POSIX imports
of ``notable_imports`` and a ``PyInit_<name>`` export are named, for each architecture of a universal binary.
Binaries linked for macOS 12+ list their imports in the ``LC_DYLD_CHAINED_FIXUPS`` blob instead of the symbol
table; its import table is read the same bounded way (:func:`_chained_imports`). Older ones (and a stripped binary,
whose symbol table keeps no undefined symbol) list them in the bind, weak-bind and lazy-bind opcode streams of
``LC_DYLD_INFO(_ONLY)``, decoded opcode by opcode within a per-file budget (:func:`_bind_stream`).
"""

from __future__ import annotations

import base64
import binascii
import struct
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import islice
from typing import IO, cast

from openscope.audit.blob import Blob, BlobFile, Buffer, ReadBudget
from openscope.audit.context import Context
from openscope.yamlsafe import safe_load

FORMATS = frozenset({"elf", "pe", "macho", "wasm"})
MAX_PHDRS = 256  # ELF program headers looked at for PT_INTERP (real files have about a dozen)
MAX_LFANEW = 1 << 20  # a PE header past the end of the file counts as a truncated PE only below this offset
MAX_READ = 16 << 20  # bytes pyelftools may read from one ELF (section headers, dynamic section, symbols, names)
MAX_SECTIONS = 4096  # section headers looked at for the dynamic symbol table and the dynamic section
MAX_SYMBOLS = 20_000  # dynamic symbols looked at (GNU ld puts the undefined, imported ones first)
MAX_TAGS = 4096  # dynamic-section entries looked at for DT_NEEDED
MAX_FAT_ARCHS = 30  # file(1)'s bound: a larger "arch count" is a Java class file's version, not Mach-O
MAX_CMDS = 4096  # Mach-O load commands read per architecture (a real library has a few dozen)
MAX_NAME = 1024  # bytes of one Mach-O library, rpath or symbol name read

ELF_TYPES = {1: "relocatable object", 2: "executable", 3: "shared library", 4: "core dump"}
ELF_MACHINES = {3: "x86", 8: "MIPS", 20: "PowerPC", 21: "PowerPC64", 22: "S/390", 40: "ARM", 62: "x86-64",
                183: "AArch64", 190: "NVIDIA CUDA", 224: "AMD GPU", 243: "RISC-V", 247: "BPF", 258: "LoongArch"}
PE_MACHINES = {0x14C: "x86", 0x8664: "x86-64", 0xAA64: "ARM64", 0x1C0: "ARM", 0x1C4: "ARM Thumb-2",
               0xA641: "ARM64EC", 0x5064: "RISC-V 64", 0x200: "Itanium"}
MACHO_CPUS = {7: "x86", 0x01000007: "x86-64", 12: "ARM", 0x0100000C: "ARM64", 0x0200000C: "ARM64_32",
              18: "PowerPC", 0x01000012: "PowerPC64"}
MACHO_TYPES = {1: "relocatable object", 2: "executable", 6: "shared library", 8: "bundle (loadable module)",
               9: "shared library stub", 11: "kernel extension"}
MACHO_THIN = {b"\xfe\xed\xfa\xce": (">", 32), b"\xce\xfa\xed\xfe": ("<", 32),
              b"\xfe\xed\xfa\xcf": (">", 64), b"\xcf\xfa\xed\xfe": ("<", 64)}
FAT = {b"\xca\xfe\xba\xbe": 20, b"\xca\xfe\xba\xbf": 32}  # fat_arch / fat_arch_64 sizes
WASM = b"\x00asm\x01\x00\x00\x00"
PEFILE_CAPS = ("too many imported symbols", "Excessive number of imports", "Export directory contains more than")
LC_REQ_DYLD = 0x80000000
MACHO_DYLIBS = {0xC: "", 0x18 | LC_REQ_DYLD: " (weak)", 0x1F | LC_REQ_DYLD: " (re-exported)", 0x20: " (lazy)",
                0x23 | LC_REQ_DYLD: " (upward)"}  # LC_LOAD_DYLIB, _WEAK_, LC_REEXPORT_, LC_LAZY_LOAD_, _UPWARD_
LC_RPATH = 0x1C | LC_REQ_DYLD
LC_SYMTAB = 0x2
LC_DYLD_CHAINED_FIXUPS = 0x34 | LC_REQ_DYLD
LC_DYLD_INFO, LC_DYLD_INFO_ONLY = 0x22, 0x22 | LC_REQ_DYLD
MAX_BIND_OPS = 2_000_000  # bind opcodes decoded per file, every stream and slice together (a big dylib has ~10**5)
MAX_BIND_NAMES = 16 << 20  # bytes of bind symbol names scanned per file
MAX_LEB = 10  # bytes of one (S)LEB128 number: more cannot fit 64 bits, which dyld refuses ("uleb128 too big")
BIND_STREAMS = ("bind", "weak-bind", "lazy-bind")  # the dyld_info_command pairs after rebase, in order
# dyld_chained_import entry sizes by imports_format: DYLD_CHAINED_IMPORT, _ADDEND, _ADDEND64
CHAINED_IMPORT_SIZE = {1: 4, 2: 8, 3: 16}


@dataclass(frozen=True)
class Native:
    """What a binary's header says: its format, a one-line description, and a structural problem if any."""

    format: str
    what: str
    malformed: str | None = None


@dataclass(frozen=True)
class Policy:
    severity: str
    why: str
    notable: dict[str, str]  # imported symbol -> what it does ("run programs", "network", "load code")
    notable_pe: dict[str, str]  # the same for a PE's imported functions (without their A/W suffix)
    embedded_severity: str = "high"  # rules.yml native_embedded: a native image carried as bytes in a value
    embedded_why: str = ""


@lru_cache(maxsize=1)
def policy() -> Policy:
    """The rule's severity, reason and notable imports (rules.yml ``native_code``), kept with the rule data."""
    text = resources.files("openscope.audit").joinpath("rules.yml").read_text(encoding="utf-8")
    doc = safe_load(text)
    section = doc.get("native_code") or {}
    def table(key: str) -> dict[str, str]:
        return {str(name): str(what) for what, names in (section.get(key) or {}).items() for name in names}

    embedded = doc.get("native_embedded") or {}
    return Policy(str(section.get("severity", "medium")), str(section.get("why", "")), table("notable_imports"),
                  table("notable_imports_pe"), str(embedded.get("severity", "high")), str(embedded.get("why", "")))


@dataclass(frozen=True)
class Dynamic:
    needed: list[str]
    notable: dict[str, list[str]]  # what they do ("run programs") -> imported symbols
    python: list[str]  # PyInit_<name> exports
    symbols_cut: bool  # MAX_SYMBOLS or MAX_READ reached: not every symbol was looked at
    rpaths: tuple[str, ...] = ()  # Mach-O LC_RPATH entries
    binds_cut: bool = False  # Mach-O: MAX_BIND_OPS or MAX_BIND_NAMES reached before the bind opcodes ended

    def text(self) -> str:
        """The detail's tail: ``; a Python extension module …; imports symbols to …; needs …``."""
        out = ""
        if len(self.python) == 1:
            mod = self.python[0].removeprefix("PyInit_")[:120]
            out += f"; a Python extension module (exports PyInit_{mod}: `import {mod}` runs it)"
        elif self.python:
            out += f"; exports {len(self.python):,} Python module entry points ({_names(self.python, 3)})"
        if self.notable:
            out += "; imports symbols to " + "; to ".join(f"{k} ({_names(v)})" for k, v in sorted(self.notable.items()))
        if self.needed:
            out += f"; needs {_names(self.needed)}"
        if self.rpaths:
            out += f"; searches {_names(list(self.rpaths))} (LC_RPATH)"
        return out


def _note(notable: dict[str, list[str]], what: str | None, name: str) -> None:
    if what is not None and name not in notable.setdefault(what, []):
        notable[what].append(name)


def _dynamic(blob: Blob) -> Dynamic | str:
    """The needed libraries and notable dynamic symbols of an ELF, or why they could not be read."""
    try:
        from elftools.elf.dynamic import DynamicSection
        from elftools.elf.elffile import ELFFile
        from elftools.elf.sections import SymbolTableSection
    except ImportError:  # the audit extra is not installed: the header still says what the file is
        return Dynamic([], {}, [], False)
    notable_names = policy().notable
    needed: list[str] = []
    notable: dict[str, list[str]] = {}
    python: list[str] = []
    cut = False
    try:
        elf = ELFFile(cast("IO[bytes]", BlobFile(blob, MAX_READ)))  # a binary stream; typeshed's IO is a protocol
        for sec in islice(elf.iter_sections(), MAX_SECTIONS):
            if isinstance(sec, DynamicSection) and sec["sh_type"] == "SHT_DYNAMIC":
                needed += [str(getattr(t, "needed", "")) for t in islice(sec.iter_tags(), MAX_TAGS)
                           if t.entry.d_tag == "DT_NEEDED"]  # pyelftools sets .needed on DT_NEEDED tags
            elif isinstance(sec, SymbolTableSection) and sec["sh_type"] == "SHT_DYNSYM":
                cut = cut or sec.num_symbols() > MAX_SYMBOLS
                for sym in islice(sec.iter_symbols(), MAX_SYMBOLS):
                    name = sym.name
                    if sym["st_shndx"] == "SHN_UNDEF":
                        _note(notable, notable_names.get(name), name)
                    elif name.startswith("PyInit_") and sym["st_info"]["type"] == "STT_FUNC":
                        python.append(name)
    except ReadBudget:
        cut = True
    except Exception as exc:  # noqa: BLE001 - a third-party parser on hostile bytes: any failure is a finding
        return f"its section or symbol tables do not parse ({type(exc).__name__}: {str(exc)[:120]})"
    return Dynamic(needed, {k: v for k, v in notable.items() if v}, python, cut)


def _names(items: list[str], n: int = 8) -> str:
    shown = ", ".join(i[:120] for i in items[:n])
    return shown + (f" and {len(items) - n:,} more" if len(items) > n else "")


def _pe_offset(blob: Blob, h: bytes) -> int | None:
    """``e_lfanew`` of a DOS header that leads to a PE header (or would, were the file not cut short)."""
    if h[:2] != b"MZ" or blob.size < 64:
        return None
    (lfanew,) = blob.unpack("<I", 0x3C)
    if lfanew + 4 <= blob.size:
        return lfanew if blob.read(lfanew, 4) == b"PE\x00\x00" else None
    # cut off before its PE header: still a file claiming to be one, unless the offset is one no linker writes
    # (text starting "MZ" spells an offset above 500 MB in ASCII)
    return lfanew if lfanew < MAX_LFANEW else None


def _fat_count(h: bytes) -> int | None:
    """The arch count of a universal binary's header, or None (a Java class file shares the magic: its
    minor/major version read as the count is at least 45, so file(1)'s bound of 30 tells them apart)."""
    if h[:4] not in FAT or len(h) < 8:
        return None
    (n,) = struct.unpack_from(">I", h, 4)
    return n if 0 < n <= MAX_FAT_ARCHS else None


def detect(blob: Blob, h: bytes) -> str | None:
    """The native format whose magic (and the few header fields that make it unambiguous) ``h`` starts with."""
    if h[:4] == b"\x7fELF":
        return "elf"
    if h[:4] in MACHO_THIN or _fat_count(h) is not None:
        return "macho"
    if h[:8] == WASM:
        return "wasm"
    if _pe_offset(blob, h) is not None:
        return "pe"
    return None


def _arch(table: dict[int, str], code: int) -> str:
    return table.get(code, f"machine {code:#x}")


def _elf(blob: Blob, h: bytes) -> Native:
    cls = {1: 32, 2: 64}.get(h[4]) if len(h) > 4 else None
    order = {1: "<", 2: ">"}.get(h[5]) if len(h) > 5 else None
    if cls is None or order is None:
        return Native("elf", "ELF binary", "an ELF identification with no valid class or byte order")
    head_size = 52 if cls == 32 else 64
    if blob.size < head_size:
        return Native("elf", f"ELF{cls} binary", f"cut off inside its {head_size}-byte header ({blob.size} bytes)")
    e_type, machine = blob.unpack(order + "HH", 16)
    if cls == 32:
        (phoff,) = blob.unpack(order + "I", 28)
        phentsize, phnum = blob.unpack(order + "HH", 42)
    else:
        (phoff,) = blob.unpack(order + "Q", 32)
        phentsize, phnum = blob.unpack(order + "HH", 54)
    kind = ELF_TYPES.get(e_type, f"ELF file of type {e_type:#x}")
    problem: str | None = None
    if e_type == 3 and phentsize >= 4 and phnum:
        # a position-independent executable is ET_DYN too; it names a program interpreter (PT_INTERP = 3)
        if phoff + min(phnum, MAX_PHDRS) * phentsize > blob.size:
            problem = "its program headers lie past the end of the file"
        elif any(blob.unpack(order + "I", phoff + i * phentsize)[0] == 3 for i in range(min(phnum, MAX_PHDRS))):
            kind = "executable (position-independent)"
    what = f"ELF{cls} {kind} for {_arch(ELF_MACHINES, machine)}"
    if problem is not None:
        return Native("elf", what, problem)
    dyn = _dynamic(blob)
    if isinstance(dyn, str):
        return Native("elf", what, dyn)
    what += dyn.text()
    if dyn.symbols_cut:
        what += f" (symbols read up to {MAX_SYMBOLS:,} or {MAX_READ >> 20} MiB)"
    return Native("elf", what)


class _View:
    """The blob as pefile indexes its data (``len``, slices, ``find``), copying only the slices it asks for.

    pefile takes bytes or a file name; a blob is a window into a mapped file (or an archive member), and
    ``bytes(window)`` would copy it whole. Slices read past ``budget`` bytes in all mark the view ``spent`` and
    raise :class:`ReadBudget` (pefile lets it through or gives up on that directory either way)."""

    def __init__(self, blob: Blob, budget: int) -> None:
        self.blob, self.left, self.spent = blob, budget, False

    def __len__(self) -> int:
        return self.blob.size

    def __getitem__(self, key: int | slice) -> int | bytes:
        size = self.blob.size
        if isinstance(key, int):
            if not -size <= key < size:
                raise IndexError("index out of range")
            return int(self.blob.data[self.blob.start + key % size])
        a, b, _ = key.indices(size)
        n = max(0, b - a)
        if n > self.left:
            self.spent = True
            raise ReadBudget
        self.left -= n
        return bytes(self.blob.data[self.blob.start + a:self.blob.start + a + n])

    def find(self, sub: bytes, start: int = 0, end: int | None = None) -> int:
        """The search pefile does for the Rich header, over at most the budget left."""
        stop = self.blob.size if end is None else min(end, self.blob.size)
        stop = min(stop, max(start, 0) + self.left)
        return self.blob.find(sub, max(start, 0), stop)


def _pe_notable(name: str) -> str | None:
    """What an imported function does, from rules.yml ``notable_imports_pe`` (with or without its A/W suffix)."""
    table = policy().notable_pe
    what = table.get(name)
    if what is None and name[-1:] in ("A", "W"):
        what = table.get(name[:-1])
    return what


def _text(b: bytes | None) -> str:
    return (b or b"").decode("latin-1")[:MAX_NAME]


def _pe_tables(blob: Blob) -> Dynamic | str:
    """The DLLs a PE imports from, its notable imported functions and ``PyInit_<name>`` exports (pefile), or why
    they could not be read; without pefile (the audit extra) an empty Dynamic: the header says what it is."""
    try:
        import pefile
    except ImportError:
        return Dynamic([], {}, [], False)
    view = _View(blob, MAX_READ)
    needed: list[str] = []
    notable: dict[str, list[str]] = {}
    python: list[str] = []
    capped = False
    try:
        pe = pefile.PE(data=view, fast_load=True)  # indexed like bytes (_View)
        pe.parse_data_directories(directories=[pefile.DIRECTORY_ENTRY[f"IMAGE_DIRECTORY_ENTRY_{d}"]
                                               for d in ("IMPORT", "EXPORT", "DELAY_IMPORT")])
        # delay-loaded DLLs are loaded on the first call into them (a way to keep a DLL out of the import table)
        tables = [(e, "") for e in getattr(pe, "DIRECTORY_ENTRY_IMPORT", [])] \
            + [(e, " (delay-loaded)") for e in getattr(pe, "DIRECTORY_ENTRY_DELAY_IMPORT", [])]
        for entry, how in tables:
            dll = _text(entry.dll) + how
            if dll not in needed:  # a DLL may have several descriptors (a hostile file a million)
                needed.append(dll)
            for imp in entry.imports:
                name = _text(imp.name)
                if name:
                    _note(notable, _pe_notable(name), name)
        exports = getattr(pe, "DIRECTORY_ENTRY_EXPORT", None)
        for sym in exports.symbols if exports is not None else []:
            name = _text(sym.name)
            if name.startswith("PyInit_"):
                python.append(name)
        # pefile stops at 8,192 imports or exports and says so only in its warnings
        capped = any(w in text for text in pe.get_warnings() for w in PEFILE_CAPS)
    except ReadBudget:
        pass
    except Exception as exc:  # noqa: BLE001 - a third-party parser on hostile bytes: any failure is a finding
        if not view.spent:
            return f"its headers or import and export tables do not parse ({type(exc).__name__}: {str(exc)[:120]})"
    return Dynamic(needed, {k: v for k, v in notable.items() if v}, python, view.spent or capped)


def _pe(blob: Blob, h: bytes) -> Native:
    lfanew = _pe_offset(blob, h)
    assert lfanew is not None  # detect() said pe
    if lfanew + 24 > blob.size:
        return Native("pe", "PE (Windows) binary", f"its PE header at byte {lfanew:,} lies past the end of the file")
    machine, _, _, _, _, opt_size, chars = blob.unpack("<HHIIIHH", lfanew + 4)
    kind = "DLL (shared library)" if chars & 0x2000 else "executable" if chars & 0x0002 else "object"
    bits = ""
    if opt_size >= 2 and lfanew + 26 <= blob.size:
        bits = {0x10B: "PE32 ", 0x20B: "PE32+ "}.get(blob.unpack("<H", lfanew + 24)[0], "")
    what = f"{bits or 'PE '}{kind} for {_arch(PE_MACHINES, machine)}"
    dyn = _pe_tables(blob)
    if isinstance(dyn, str):
        return Native("pe", what, dyn)
    what += dyn.text()
    if dyn.symbols_cut:
        what += f" (import and export tables read up to 8,192 entries or {MAX_READ >> 20} MiB)"
    return Native("pe", what)


def _cstr(blob: Blob, a: int, end: int) -> str:
    """The NUL-terminated name at ``a`` (relative to the blob), read up to ``end`` and at most ``MAX_NAME`` bytes:
    a name without a NUL ends where its command or table does."""
    end = min(end, a + MAX_NAME, blob.size)
    if a < 0 or a >= end:
        return ""
    z = blob.find(b"\x00", a, end)
    return blob.read(a, (end if z < 0 else z) - a).decode("utf-8", "backslashreplace")


def _symtab(blob: Blob, base: int, end: int, order: str, bits: int, cmd: tuple[int, int, int, int],
            notable: dict[str, list[str]], python: list[str]) -> bool:
    """Notable imports and ``PyInit_`` exports of an ``LC_SYMTAB`` (nlist entries, offsets from the slice's start);
    True when ``MAX_SYMBOLS`` cut the table."""
    symoff, nsyms, stroff, strsize = cmd
    size = 12 if bits == 32 else 16
    fmt = order + ("IBBhI" if bits == 32 else "IBBHQ")
    s_end = min(base + stroff + strsize, end)
    names = policy().notable
    for i in range(min(nsyms, MAX_SYMBOLS)):
        a = base + symoff + i * size
        if a + size > end:
            break
        strx, ntype = struct.unpack_from(fmt, blob.data, blob.start + a)[:2]
        if ntype & 0xE0 or not ntype & 0x01:  # a debugging (stab) entry, or not external
            continue
        name = _cstr(blob, base + stroff + strx, s_end).removeprefix("_")
        if ntype & 0x0E == 0:  # N_UNDF: imported
            _note(notable, names.get(name), name)
        elif ntype & 0x0E == 0x0E and name.startswith("PyInit_"):  # N_SECT: defined here
            python.append(name)
    return nsyms > MAX_SYMBOLS


def _chained_imports(blob: Blob, base: int, end: int, order: str, cmd: tuple[int, int],
                     notable: dict[str, list[str]]) -> bool:
    """Notable imports named by an ``LC_DYLD_CHAINED_FIXUPS`` blob (macOS 12+ and iOS 15+ linkers put the imported
    symbols there, not in the symbol table); True when ``MAX_SYMBOLS`` cut the import table.

    The blob (``dataoff``/``datasize``, from the slice's start) begins with a ``dyld_chained_fixups_header``:
    version, starts, imports and symbols offsets, the import count and formats. Each import entry (4, 8 or 16
    bytes by ``imports_format``) holds the offset of its name in the symbols pool. Every offset is checked
    against the blob, which is clipped to the slice; names end at the pool's end and at ``MAX_NAME`` bytes;
    at most ``MAX_SYMBOLS`` entries are read. A pool stored zlib-compressed (``symbols_format`` 1, which ld64
    does not write) is not read. A header that does not fit, or an unknown format, names nothing."""
    dataoff, datasize = cmd
    lo, hi = base + dataoff, min(base + dataoff + datasize, end)
    if hi - lo < 28 or lo < base:
        return False
    _, _, imports_off, symbols_off, count, imports_format, symbols_format = struct.unpack_from(
        order + "7I", blob.data, blob.start + lo)
    size = CHAINED_IMPORT_SIZE.get(imports_format)
    if size is None or symbols_format != 0:
        return False
    names = policy().notable
    pool = lo + symbols_off
    for i in range(min(count, MAX_SYMBOLS)):
        a = lo + imports_off + i * size
        if a + size > hi:
            break
        if size == 16:
            (raw,) = struct.unpack_from(order + "Q", blob.data, blob.start + a)
            name_off = raw >> 32
        else:
            (raw,) = struct.unpack_from(order + "I", blob.data, blob.start + a)
            name_off = raw >> 9  # lib_ordinal:8, weak_import:1, name_offset:23
        name = _cstr(blob, pool + name_off, hi).removeprefix("_")
        _note(notable, names.get(name), name)
    return count > MAX_SYMBOLS


class BindBudget:
    """What is left of the per-file bounds on bind opcodes, shared by every stream and every slice of a universal
    binary (30 slices of 2 GB streams cost what one does); ``cut`` once either ran out."""

    def __init__(self) -> None:
        self.ops, self.names, self.cut = MAX_BIND_OPS, MAX_BIND_NAMES, False


def _leb_end(data: Buffer, i: int, stop: int) -> int:
    """Where the (S)LEB128 number at ``i`` ends (the index after its last byte), or -1 when it runs past ``stop``
    or past ``MAX_LEB`` bytes."""
    for j in range(i, min(stop, i + MAX_LEB)):
        if data[j] < 0x80:
            return j + 1
    return -1


def _uleb(data: Buffer, i: int, stop: int) -> tuple[int, int]:
    """The ULEB128 value at ``i`` and the index after it (-1: it runs past ``stop`` or ``MAX_LEB`` bytes)."""
    j = _leb_end(data, i, stop)
    if j < 0:
        return 0, -1
    value = 0
    for k in range(j - 1, i - 1, -1):
        value = value << 7 | data[k] & 0x7F
    return value, j


def _bind_stream(blob: Blob, lo: int, hi: int, kind: str, libraries: int, notable: dict[str, list[str]],
                 budget: BindBudget) -> str | None:
    """Notable imports bound by one bind opcode stream (bytes ``lo`` to ``hi`` of the blob), or the fault that ended
    the read (a malformed stream: what was bound before it is kept).

    The opcodes are ``<mach-o/loader.h>``'s ``BIND_OPCODE_*``: a high nibble and an immediate, some followed by
    (S)LEB128 numbers or a NUL-terminated name. ``SET_SYMBOL_TRAILING_FLAGS_IMM`` names the symbol the next
    ``DO_BIND*`` binds (judged then, as dyld binds it then: a name set and never bound imports nothing);
    ``SET_DYLIB_ORDINAL_*``/``SPECIAL_IMM`` name the library, checked against the libraries the slice loads (dyld
    refuses a larger ordinal); the rest only move the cursor and are skipped by their length. ``DONE`` ends a bind
    or weak-bind stream; the lazy-bind stream holds one entry per stub, each ending with ``DONE``, and is read to
    its end. Every number is read within ``MAX_LEB`` bytes and the stream, every name within the stream and
    the budget's name bytes, and each opcode costs one of the budget's opcodes: time is linear in the opcodes
    read, whatever the file declares, and memory is the names kept."""
    data, names = blob.data, policy().notable
    i, stop, lazy = blob.start + lo, blob.start + hi, kind == "lazy-bind"
    sym, bound = "", True
    long_number = "has a number that runs past its stream or 64 bits"

    def fault(what: str, at: int) -> str:
        return f"a {kind} opcode at byte {at - blob.start:,} {what}"

    while i < stop:
        if budget.ops <= 0:
            budget.cut = True
            return None
        budget.ops -= 1
        at, byte = i, data[i]
        op, imm = byte & 0xF0, byte & 0x0F
        i += 1
        if op in (0x90, 0xA0, 0xB0, 0xC0):  # DO_BIND, _ADD_ADDR_ULEB, _ADD_ADDR_IMM_SCALED, _ULEB_TIMES_SKIPPING_ULEB
            if not bound:
                bound, name = True, sym.removeprefix("_")
                _note(notable, names.get(name), name)
            if op == 0xA0 or op == 0xC0:
                i = _leb_end(data, i, stop)
                if op == 0xC0 and i >= 0:
                    i = _leb_end(data, i, stop)
                if i < 0:
                    return fault(long_number, at)
        elif op in (0x60, 0x70, 0x80):  # SET_ADDEND_SLEB, SET_SEGMENT_AND_OFFSET_ULEB, ADD_ADDR_ULEB
            i = _leb_end(data, i, stop)
            if i < 0:
                return fault(long_number, at)
        elif op == 0x40:  # SET_SYMBOL_TRAILING_FLAGS_IMM: the name follows, up to its NUL
            z = data.find(b"\x00", i, min(stop, i + budget.names))
            if z < 0:
                if i + budget.names < stop:
                    budget.cut = True
                    return None
                return fault("has a symbol name without a NUL before the stream ends", at)
            budget.names -= z + 1 - i
            sym = bytes(data[i:min(z, i + MAX_NAME)]).decode("utf-8", "backslashreplace")
            bound, i = False, z + 1
        elif op == 0x00:  # DONE
            if not lazy:
                return None
        elif op == 0x10 or op == 0x20:  # SET_DYLIB_ORDINAL_IMM, _ULEB
            ordinal = imm
            if op == 0x20:
                ordinal, i = _uleb(data, i, stop)
                if i < 0:
                    return fault(long_number, at)
            if ordinal > libraries:
                return fault(f"names library ordinal {ordinal:,}, but the slice loads {libraries:,} "
                             f"librar{'y' if libraries == 1 else 'ies'}", at)
        elif op == 0x30:  # SET_DYLIB_SPECIAL_IMM: 0 self, -1 the main executable, -2 flat lookup, -3 weak lookup
            if 0 < imm < 0xD:
                return fault(f"names special library ordinal {imm - 16}, which dyld does not define", at)
        elif byte == 0xD0:  # THREADED + SET_BIND_ORDINAL_TABLE_SIZE_ULEB
            i = _leb_end(data, i, stop)
            if i < 0:
                return fault(long_number, at)
        elif op != 0x50 and byte != 0xD1:  # SET_TYPE_IMM, THREADED + APPLY: no operand; the rest is no opcode
            return fault(f"is {byte:#04x}, which is no bind opcode", at)
    return None


def _bind_imports(blob: Blob, base: int, end: int, fields: tuple[int, ...], libraries: int,
                  notable: dict[str, list[str]], budget: BindBudget) -> str | None:
    """Notable imports bound by the bind, weak-bind and lazy-bind opcode streams of an ``LC_DYLD_INFO(_ONLY)``
    (``fields``: the command's ten offsets and sizes, from the slice's start), where linkers before macOS 12 (and
    ld64 for older deployment targets) list the imported symbols: a stripped binary has no undefined symbols in its
    ``LC_SYMTAB`` and no chained fixups, and named no import before. Each stream is clipped to the slice and read by
    :func:`_bind_stream`; a stream running past the slice, or a malformed one, is the structural problem returned
    (``malformed.native``) after what could be read was."""
    problems: list[str] = []
    for n, kind in enumerate(BIND_STREAMS):
        off, size = fields[2 + 2 * n], fields[3 + 2 * n]
        if not size:
            continue
        lo, hi = base + off, base + off + size
        if hi > end:
            problems.append(f"its {kind} opcodes (bytes {off:,} to {off + size:,} of the slice) run past its end")
            hi = end
        if lo < hi:
            problem = _bind_stream(blob, lo, hi, kind, libraries, notable, budget)
            if problem is not None:
                problems.append(problem)
    return "; ".join(problems) or None


def _macho_slice(blob: Blob, base: int, end: int, budget: BindBudget | None = None) -> tuple[str, Dynamic, str | None]:
    """One thin Mach-O at ``base`` (``end``: where its slice or the file ends): its kind and architecture, what its
    load commands name, and a structural problem if any. ``budget``: the file's bounds on bind opcodes (shared by
    the slices of a universal binary)."""
    budget = budget or BindBudget()
    magic = blob.read(base, 4) if base + 4 <= end else b""
    if magic not in MACHO_THIN:
        return "slice", Dynamic([], {}, [], False), f"the slice at byte {base:,} is not a thin Mach-O"
    order, bits = MACHO_THIN[magic]
    head = 28 if bits == 32 else 32
    if base + head > end:
        return f"Mach-O {bits}-bit binary", Dynamic([], {}, [], False), "cut off inside its header"
    cpu, _, ftype, ncmds, sizeofcmds = struct.unpack_from(order + "iIIII", blob.data, blob.start + base + 4)
    what = f"Mach-O {bits}-bit {MACHO_TYPES.get(ftype, f'file of type {ftype:#x}')} for " \
        f"{_arch(MACHO_CPUS, cpu & 0xFFFFFFFF)}"
    needed: list[str] = []
    rpaths: list[str] = []
    notable: dict[str, list[str]] = {}
    python: list[str] = []
    cut = ncmds > MAX_CMDS
    problem: str | None = None
    dyld_info: tuple[int, ...] | None = None
    table_end = base + head + sizeofcmds
    if table_end > end:
        problem, table_end = f"its load commands ({sizeofcmds:,} bytes) run past the end of the file", end
    a = base + head
    for i in range(min(ncmds, MAX_CMDS)):
        if a + 8 > table_end:
            problem = problem or f"{ncmds:,} load commands declared, the table ends after {i:,}"
            break
        cmd, cmdsize = struct.unpack_from(order + "II", blob.data, blob.start + a)
        if cmdsize < 8 or a + cmdsize > table_end:
            problem = f"load command {i:,} at byte {a:,} has size {cmdsize:,}, outside its table"
            break
        if cmdsize >= 12 and (cmd in MACHO_DYLIBS or cmd == LC_RPATH):
            (off,) = struct.unpack_from(order + "I", blob.data, blob.start + a + 8)
            name = _cstr(blob, a + off, a + cmdsize) if 12 <= off < cmdsize else ""
            if cmd == LC_RPATH:
                rpaths.append(name)
            else:
                needed.append(name + MACHO_DYLIBS[cmd])
        elif cmd == LC_SYMTAB and cmdsize >= 24:
            fields = struct.unpack_from(order + "IIII", blob.data, blob.start + a + 8)
            cut = _symtab(blob, base, end, order, bits, fields, notable, python) or cut
        elif cmd == LC_DYLD_CHAINED_FIXUPS and cmdsize >= 16:
            data_at = struct.unpack_from(order + "II", blob.data, blob.start + a + 8)
            cut = _chained_imports(blob, base, end, order, data_at, notable) or cut
        elif cmd in (LC_DYLD_INFO, LC_DYLD_INFO_ONLY) and cmdsize >= 48:
            dyld_info = struct.unpack_from(order + "10I", blob.data, blob.start + a + 8)
        a += cmdsize
    if dyld_info is not None:  # after the walk: a bind's library ordinal counts every library command
        bind_problem = _bind_imports(blob, base, end, dyld_info, len(needed), notable, budget)
        problem = "; ".join(p for p in (problem, bind_problem) if p) or None
    dyn = Dynamic(needed, {k: v for k, v in notable.items() if v}, python, cut, tuple(rpaths),
                  dyld_info is not None and budget.cut)
    return what, dyn, problem


def _macho(blob: Blob, h: bytes) -> Native:
    if h[:4] in MACHO_THIN:
        what, dyn, problem = _macho_slice(blob, 0, blob.size)
        return Native("macho", what + dyn.text() + _cut(dyn), problem)
    n = _fat_count(h)
    assert n is not None  # detect() said macho
    entry = FAT[h[:4]]
    if 8 + n * entry > blob.size:
        return Native("macho", f"Mach-O universal binary ({n} architectures)",
                      "its architecture table lies past the end of the file")
    arches: list[str] = []
    details: list[tuple[str, str]] = []
    problems: list[str] = []
    budget = BindBudget()
    for i in range(n):
        a = 8 + i * entry
        cpu, _, off, size = blob.unpack(">iIII" if entry == 20 else ">iIQQ", a)
        arch = _arch(MACHO_CPUS, cpu & 0xFFFFFFFF)
        arches.append(arch)
        if off + size > blob.size:
            problems.append(f"the {arch} slice (bytes {off:,} to {off + size:,}) lies past the end of the file")
            continue
        _, dyn, problem = _macho_slice(blob, off, off + size, budget)
        details.append((arch, dyn.text() + _cut(dyn)))
        if problem:
            problems.append(f"{arch}: {problem}")
    what = f"Mach-O universal binary for {', '.join(arches)}"
    if len(details) == n and len({d for _, d in details}) == 1:
        what += details[0][1]  # every architecture names the same libraries (the usual build)
    else:
        what += "".join(f"; [{arch}]{d}" for arch, d in details if d)
    return Native("macho", what, "; ".join(problems) or None)


def _cut(dyn: Dynamic) -> str:
    parts = [f"load commands read up to {MAX_CMDS:,}, symbols up to {MAX_SYMBOLS:,}"] if dyn.symbols_cut else []
    if dyn.binds_cut:
        parts.append(f"bind opcodes read up to {MAX_BIND_OPS:,} and {MAX_BIND_NAMES >> 20} MiB of names per file")
    return f" ({'; '.join(parts)})" if parts else ""


def describe(blob: Blob, fmt: str) -> Native:
    """What the header of a blob :func:`detect` recognised says, never raising on a malformed one."""
    h = blob.head(64)
    if fmt == "elf":
        return _elf(blob, h)
    if fmt == "pe":
        return _pe(blob, h)
    if fmt == "macho":
        return _macho(blob, h)
    return Native("wasm", "WebAssembly module (binary format version 1)")


def scan_native(ctx: Context, blob: Blob, fmt: str, also: str | None = None) -> None:
    """One ``native.code`` finding (and ``malformed.native`` for a header that is cut short or inconsistent).

    ``also`` names the format the file was read as when it is another one too (its header claims to be
    native code at byte 0, e.g. a tar whose first member name starts with ``\\x7fELF``)."""
    n = describe(blob, fmt)
    severity, why = policy().severity, policy().why
    read_as = f"read as {also}, but it starts with a native header too: " if also else ""
    ctx.add(blob, "native.code", severity, f"{read_as}{n.what}: {why}", 0)
    if n.malformed:
        ctx.add(blob, "malformed.native", "medium", f"{n.what}: {n.malformed}", 0)


# -- native images carried as a value (native.embedded) ---------------------------------------------------------
# the first two bytes of every magic detect() knows: a byte string not starting with one of these is skipped at the
# cost of one comparison (a pickle's bytes arguments are checked inside the VM's loop)
MAGIC2 = frozenset({b"\x7fE", b"MZ", b"\xfe\xed", b"\xce\xfa", b"\xcf\xfa", b"\xca\xfe", b"\x00a"})
MAGIC1 = frozenset(m[0] for m in MAGIC2)  # their first bytes, tested first (an integer comparison)
MIN_EMBEDDED = 28  # the smallest header checked (a 32-bit Mach-O); shorter byte strings hold no image


def embedded(blob: Blob) -> str | None:
    """The native format a blob of raw bytes (a value some format carries) is an image of, or None.

    A value's first bytes are data, not a file's magic: tensor bytes or a token can start with ``MZ`` or even
    ``\x7fELF`` by chance. So beyond the magic, the header fields a loader (ld.so, dyld, the Windows loader)
    checks must be consistent: an ELF's version 1 twice, a known class, byte order and type and the header size
    its class implies; a PE's ``PE\0\0`` signature inside the bytes and a known machine; a Mach-O's known CPU and
    file type and a load-command table that fits; a universal binary's first slice inside the bytes; WebAssembly
    version 1 followed by a known section id. Random bytes pass with a probability below 2**-60."""
    n = blob.size
    if n < MIN_EMBEDDED:
        return None
    h = blob.head(64)
    if h[:4] == b"\x7fELF":
        order = {1: "<", 2: ">"}.get(h[5])
        ehsize = {1: 52, 2: 64}.get(h[4])
        if order is None or ehsize is None or h[6] != 1 or n < ehsize:
            return None
        e_type, _, version = struct.unpack_from(order + "HHI", h, 16)
        (size,) = struct.unpack_from(order + "H", h, 40 if ehsize == 52 else 52)
        return "elf" if version == 1 and e_type in ELF_TYPES and size == ehsize else None
    if h[:4] in MACHO_THIN:
        order, bits = MACHO_THIN[h[:4]]
        head = 28 if bits == 32 else 32
        if n < head:
            return None
        cpu, _, ftype, ncmds, sizeofcmds = struct.unpack_from(order + "iIIII", h, 4)
        ok = cpu & 0xFFFFFFFF in MACHO_CPUS and ftype in MACHO_TYPES and 0 < 8 * ncmds <= sizeofcmds <= n - head
        return "macho" if ok else None
    count = _fat_count(h)
    if count is not None:
        entry = FAT[h[:4]]
        if 8 + count * entry > n:
            return None
        cpu, _, off, size = blob.unpack(">iIII" if entry == 20 else ">iIQQ", 8)
        return "macho" if cpu & 0xFFFFFFFF in MACHO_CPUS and 8 + count * entry <= off and off + size <= n else None
    if h[:2] == b"MZ" and n >= 64:
        (lfanew,) = struct.unpack_from("<I", h, 0x3C)
        if lfanew < 64 or lfanew + 24 > n or blob.read(lfanew, 4) != b"PE\x00\x00":
            return None
        return "pe" if blob.unpack("<H", lfanew + 4)[0] in PE_MACHINES else None
    if h[:8] == WASM:
        return "wasm" if h[8] <= 13 else None
    return None


def report_embedded(ctx: Context, where: Blob, image: Blob, fmt: str, place: str, offset: int | None) -> None:
    """One ``native.embedded`` finding on ``where`` (the file or member holding the value) for the ``image`` it
    carries; ``place`` says which value (``bytes argument at byte 12``, ``metadata value 'x'``). The image is
    described as a file of its own would be (its kind, architecture, imports), unless the finding would not be
    listed (a hostile file repeating it: the count still reaches the verdict)."""
    pol = policy()
    if not ctx.listing(where, "native.embedded"):
        ctx.add(where, "native.embedded", pol.embedded_severity, place, offset)
        return
    n = describe(image, fmt)
    cut = f" ({n.malformed})" if n.malformed else ""
    ctx.add(where, "native.embedded", pol.embedded_severity,
            f"{place} ({image.size:,} bytes) is a native image: {n.what}{cut}: {pol.embedded_why}", offset)


MAX_VALUE_CANDIDATES = 10_000  # values of one file starting like an image (raw or base64) judged; the rest counted
MAX_BASE64 = 64 << 20  # characters of one base64 value decoded (an image cut there is still recognised)
_B64_HEAD = 12  # characters decoded first: 9 bytes, enough for MAGIC2


def _base64_image(text: bytes) -> bytes | None:
    """The bytes a base64 value decodes to when its first characters decode to a native magic (else None without
    decoding the rest): the usual way to put bytes in a text field. Strict alphabet, as for safetensors
    ``__metadata__``; only the first MAX_BASE64 characters are decoded."""
    try:
        if base64.b64decode(text[:_B64_HEAD], validate=True)[:2] not in MAGIC2:
            return None
        return base64.b64decode(text[:MAX_BASE64], validate=True)  # MAX_BASE64 is a multiple of 4
    except (binascii.Error, ValueError):
        return None


class Values:
    """The string values of one file that may carry a native image (``native.embedded``), judged as the format's
    walk meets them: ONNX string tensors and string attributes, TensorFlow string constants, Keras HDF5 string
    attributes. A value is raw bytes or base64 text; one not starting like either costs a two-byte comparison, a
    raw one is judged in place (no copy), a base64 one is decoded once it starts like an image. Past
    MAX_VALUE_CANDIDATES candidates the rest are counted (``incomplete.native_candidates`` from :meth:`done`), so a
    file of a million ``MZ…`` strings stays linear."""

    def __init__(self, ctx: Context, blob: Blob) -> None:
        self.ctx, self.blob = ctx, blob
        self.judged = 0
        self.more = 0

    def _room(self) -> bool:
        if self.judged < MAX_VALUE_CANDIDATES:
            self.judged += 1
            return True
        self.more += 1
        return False

    def spans(self, spans: list[tuple[int, int]], place: str) -> None:
        """Each value of ``spans`` (as :meth:`span`), ``place`` a template whose ``{at}`` is the value's offset.
        The common case, a value starting like no image, costs a slice and two set lookups: a tensor of a
        million strings is not slowed by its place names being formatted."""
        data, base, lead = self.blob.data, self.blob.start, FIRST_BYTES
        for s, e in spans:
            if e - s >= MIN_EMBEDDED and data[base + s] in lead:
                first = data[base + s:base + s + 2]
                if first in MAGIC2 and self.judged >= MAX_VALUE_CANDIDATES:
                    self.more += 1  # past the bound: counted without another read
                elif first in MAGIC2 or first in _B64_FIRST:
                    head, _, tail = place.rpartition("{at}")  # the template's, after any name in it
                    self.span(s, e, f"{head}{s:,}{tail}")

    def span(self, s: int, e: int, place: str) -> None:
        """The value at bytes [s, e) of the blob (bounds already checked by the walk); ``place`` names it for the
        finding (``string constant 'x' of function 'f'``)."""
        if e - s < MIN_EMBEDDED:
            return
        blob = self.blob
        first = blob.read(s, 2)
        if first in MAGIC2:
            if self._room():
                image = Blob(blob.data, blob.start + s, blob.start + e, blob.file, blob.member, blob.depth + 1,
                             blob.folder, blob.keep)
                self._judge(image, place, s)
            return
        if maybe_base64(first):
            head = blob.read(s, min(e - s, _B64_HEAD))
            if _base64_image(head) is not None and self._room():
                raw = _base64_image(blob.read(s, min(e - s, MAX_BASE64)))
                if raw is not None:
                    self._judge(blob.derived(raw, f"{place} (base64)"), f"{place} (base64)", s)

    def value(self, raw: bytes | str, place: str, offset: int | None = None) -> None:
        """A value already in memory (a str is read as its code points' bytes, as latin-1 text holds bytes)."""
        if isinstance(raw, str):
            if len(raw) < MIN_EMBEDDED or ord(raw[0]) not in FIRST_BYTES:  # most config strings: no copy made
                return
            try:
                raw = raw.encode("latin-1")
            except UnicodeEncodeError:  # neither bytes held as code points nor base64 (ASCII)
                return
        if len(raw) < MIN_EMBEDDED:
            return
        if raw[:2] in MAGIC2:
            if self._room():
                self._judge(self.blob.derived(raw, place), place, offset)
        elif maybe_base64(raw[:2]) and _base64_image(raw[:_B64_HEAD]) is not None and self._room():
            image = _base64_image(raw)
            if image is not None:
                self._judge(self.blob.derived(image, f"{place} (base64)"), f"{place} (base64)", offset)

    def _judge(self, image: Blob, place: str, offset: int | None) -> None:
        fmt = embedded(image)
        if fmt is not None:
            report_embedded(self.ctx, self.blob, image, fmt, place, offset)

    def done(self) -> None:
        if self.more:
            self.ctx.incomplete(self.blob, "native_candidates", f"{self.more:,} more string values starting like a "
                                f"native image (raw or base64) than the {self.judged:,} examined: not checked for "
                                "native images")


# the first two characters of the base64 of each MAGIC2 (the first 12 bits fix the first two; a value starting
# otherwise is no base64 image, without decoding anything)
_B64_FIRST = frozenset(base64.b64encode(m + b"\x00")[:2] for m in MAGIC2)


FIRST_BYTES = frozenset(m[0] for m in (*MAGIC2, *_B64_FIRST))  # a value's first byte, tested before any slice


def maybe_base64(first: bytes) -> bool:
    return first in _B64_FIRST
