"""Native images carried as values inside model files (``native.embedded``): a pickle's bytes arguments, GGUF
strings, safetensors ``__metadata__`` values.

Every image is assembled here with ``struct`` (the builders of the native-code tests); pickles are written by
``pickle.dumps`` of plain values or opcode by opcode. Nothing is loaded or run.
"""

from __future__ import annotations

import base64
import json
import pickle
import random
import struct
import zipfile
from pathlib import Path

import pytest
from cpu_time import thread_cpu_seconds

from openscope.audit import native_format as nf
from openscope.audit import scan_path
from openscope.audit.blob import Blob
from openscope.audit.sarif import to_sarif
from tests.test_audit_native import elf, elf_dynamic
from tests.test_audit_native_imports import LC_LOAD_DYLIB, dylib, pe_image, thin

ELF_SO = elf_dynamic(imports=("system", "memcpy"), needed=("libc.so.6",))
IMAGES = {
    "elf": (ELF_SO, "ELF64 shared library for x86-64"),
    "pe": (pe_image(imports={"KERNEL32.dll": ["CreateProcessW"]}), "PE32+ DLL (shared library) for x86-64"),
    "macho": (thin([dylib(LC_LOAD_DYLIB, "/usr/lib/libSystem.B.dylib")]), "Mach-O 64-bit bundle"),
    "wasm": (b"\x00asm\x01\x00\x00\x00" + b"\x01\x04\x01\x60\x00\x00" + bytes(30), "WebAssembly module"),
}


def audit(tmp_path: Path, name: str, data: bytes):
    p = tmp_path / name
    p.write_bytes(data)
    return scan_path(p)


def embedded(report) -> list:
    return [f for f in report.findings if f.rule == "native.embedded"]


def lookalikes() -> list[bytes]:
    """Bytes that start with a native magic (as tensor or token bytes may) but are no image."""
    rng = random.Random(7)
    noise = bytes(rng.randrange(256) for _ in range(4096))
    return [b"\x7fELF" + noise, b"MZ" + noise, b"\xcf\xfa\xed\xfe" + noise, b"\xca\xfe\xba\xbe" + noise,
            b"\x7fELF\x02\x01\x01" + bytes(4096),  # ELF identification, then zeros: no version, no type
            b"MZ" + bytes(58) + struct.pack("<I", 64) + b"PE\x00\x00" + bytes(64),  # PE with machine 0
            b"\x00asm\x01\x00\x00\x00" + b"\xff" * 40]


# -- the header check -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", sorted(IMAGES))
def test_images_are_recognised(fmt: str) -> None:
    data = IMAGES[fmt][0]
    assert nf.embedded(Blob(data, 0, len(data), "x")) == fmt


def test_lookalikes_and_short_strings_are_not_images() -> None:
    for data in [*lookalikes(), ELF_SO[:20], elf(e_type=0x99), elf()[:40]]:
        assert nf.embedded(Blob(data, 0, len(data), "x")) is None, data[:16]


# -- pickles --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", sorted(IMAGES))
@pytest.mark.parametrize("protocol", [3, 4, 5])
def test_pickled_bytes_holding_an_image(tmp_path: Path, fmt: str, protocol: int) -> None:
    data, what = IMAGES[fmt]
    blob = pickle.dumps({"weights": [1.0, 2.0], "blob": data}, protocol=protocol)
    r = audit(tmp_path, "state.pkl", blob)
    (f,) = embedded(r)
    assert f.severity == "high" and r.verdict == "unsafe"
    assert f.offset is not None and blob[f.offset:f.offset + len(data)] == data
    assert f.detail.startswith(f"bytes argument at byte {f.offset:,} ({len(data):,} bytes) is a native image: {what}")
    if fmt == "elf":
        assert "imports symbols to run programs (system)" in f.detail


def test_short_binbytes_bytearray8_and_binstring(tmp_path: Path) -> None:
    img = IMAGES["macho"][0]
    assert len(img) < 256
    short = b"\x80\x03C" + bytes([len(img)]) + img + b"."  # SHORT_BINBYTES
    array8 = pickle.dumps(bytearray(ELF_SO), protocol=5)  # BYTEARRAY8
    assert b"\x96" in array8[:12]
    binstring = b"\x80\x02T" + struct.pack("<i", len(ELF_SO)) + ELF_SO + b"."  # Python 2 str
    for name, blob in {"short": short, "array8": array8, "binstring": binstring}.items():
        assert len(embedded(audit(tmp_path, name, blob))) == 1, name


def test_inside_a_torch_zip_checkpoint_names_the_member(tmp_path: Path) -> None:
    p = tmp_path / "pytorch_model.bin"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("archive/data.pkl", pickle.dumps({"extra": IMAGES["pe"][0]}, protocol=2 + 1))
        z.writestr("archive/version", "3\n")
    (f,) = embedded(scan_path(p))
    assert f.file == "pytorch_model.bin" and f.member == "archive/data.pkl"


def test_benign_pickled_bytes_stay_clean(tmp_path: Path) -> None:
    for i, data in enumerate(lookalikes()):
        for protocol in (3, 5):
            r = audit(tmp_path, f"b{i}_{protocol}.pkl", pickle.dumps({"tensor": data}, protocol=protocol))
            assert r.verdict == "clean", (i, r.findings)


def test_many_candidates_stay_cheap(tmp_path: Path) -> None:
    # 30,000 byte strings starting "MZ" (no image): the first 10,000 are judged, the rest counted
    item = b"C\x40MZ" + bytes(62) + b"0"  # SHORT_BINBYTES of 64 bytes, then POP
    blob = b"\x80\x03" + item * 30_000 + b"N."
    t0 = thread_cpu_seconds()
    r = audit(tmp_path, "many.pkl", blob)
    assert thread_cpu_seconds() - t0 < 3.0
    assert not embedded(r)
    assert [f.rule for f in r.findings] == ["incomplete.native_candidates"]
    # and 5,000 real images: 100 listed and described, the rest counted (the verdict is the same)
    img = IMAGES["macho"][0]
    item = b"C" + bytes([len(img)]) + img + b"0"
    t0 = thread_cpu_seconds()
    r = audit(tmp_path, "images.pkl", b"\x80\x03" + item * 5_000 + b"N.")
    assert thread_cpu_seconds() - t0 < 3.0
    found = embedded(r)
    assert len(found) == 101 and "4,900 more native.embedded" in found[-1].detail and r.verdict == "unsafe"


# -- GGUF -----------------------------------------------------------------------------------------------------
def gstr(b: bytes) -> bytes:
    return struct.pack("<Q", len(b)) + b


def gguf(kv: list[tuple[str, int, bytes]], tensor_data: bytes = b"") -> bytes:
    """A GGUF v3 file: metadata pairs (key, type, encoded value) and, with ``tensor_data``, one int8 tensor."""
    out = b"GGUF" + struct.pack("<IQQ", 3, 1 if tensor_data else 0, len(kv))
    for key, t, value in kv:
        out += gstr(key.encode()) + struct.pack("<I", t) + value
    if tensor_data:
        out += gstr(b"w") + struct.pack("<IQIQ", 1, len(tensor_data), 24, 0)  # GGML_TYPE_I8
        out += bytes(-len(out) % 32) + tensor_data
    return out


def test_gguf_string_value_and_array_item(tmp_path: Path) -> None:
    tokens = [b"a", b"b", IMAGES["pe"][0], b"c"]
    data = gguf([("general.name", 8, gstr(b"tiny")),
                 ("general.description", 8, gstr(ELF_SO)),
                 ("tokenizer.ggml.tokens", 9, struct.pack("<IQ", 8, len(tokens)) + b"".join(map(gstr, tokens)))])
    r = audit(tmp_path, "m.gguf", data)
    assert r.files[0].format == "gguf"
    found = embedded(r)
    assert [f.detail.split(" (")[0] for f in found] == [
        f"string value of 'general.description' at byte {found[0].offset:,}",
        f"string value of 'tokenizer.ggml.tokens' at byte {found[1].offset:,}"]
    assert data[found[0].offset:found[0].offset + 4] == b"\x7fELF"
    assert data[found[1].offset:found[1].offset + 2] == b"MZ"


def test_gguf_tensor_data_and_lookalike_strings_stay_clean(tmp_path: Path) -> None:
    # a whole ELF image as tensor bytes: tensor data is never looked at
    kv = [(f"k{i}", 8, gstr(v)) for i, v in enumerate(lookalikes())]
    r = audit(tmp_path, "m.gguf", gguf(kv, tensor_data=ELF_SO))
    assert r.files[0].format == "gguf" and r.verdict == "clean", r.findings


# -- safetensors ----------------------------------------------------------------------------------------------
def safetensors(meta: dict[str, str], tensor: bytes = bytes(16)) -> bytes:
    header = {"__metadata__": meta, "w": {"dtype": "U8", "shape": [len(tensor)], "data_offsets": [0, len(tensor)]}}
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + tensor


def test_safetensors_metadata_base64_and_raw(tmp_path: Path) -> None:
    meta = {"format": "pt", "b64": base64.b64encode(ELF_SO).decode(), "raw": IMAGES["macho"][0].decode("latin-1")}
    r = audit(tmp_path, "model.safetensors", safetensors(meta))
    assert r.files[0].format == "safetensors"
    found = embedded(r)
    assert [f.detail.split(" (")[0] for f in found] == ["__metadata__ value 'b64'", "__metadata__ value 'raw'"]
    assert "ELF64 shared library" in found[0].detail and "Mach-O 64-bit" in found[1].detail
    assert r.verdict == "unsafe"


def test_safetensors_tensor_data_and_lookalike_metadata_stay_clean(tmp_path: Path) -> None:
    meta = {f"k{i}": v.decode("latin-1") for i, v in enumerate(lookalikes())}
    meta |= {f"b{i}": base64.b64encode(v).decode() for i, v in enumerate(lookalikes())}
    r = audit(tmp_path, "model.safetensors", safetensors(meta, tensor=ELF_SO))
    assert r.verdict == "clean", r.findings


# -- SARIF ----------------------------------------------------------------------------------------------------
def test_sarif_names_the_rule(tmp_path: Path) -> None:
    r = audit(tmp_path, "state.pkl", pickle.dumps({"blob": ELF_SO}, protocol=4))
    doc = to_sarif(r)
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    assert {"id": "native.embedded", "shortDescription": {"text": "Native executable image carried as a value inside "
                                                          "a model file (a dropper's payload)"}} in rules
    assert doc["runs"][0]["results"][0]["level"] == "error"


def test_protocol_2_bytes_built_by_codecs_encode(tmp_path: Path) -> None:
    # protocols 0-2 have no bytes opcode: pickle writes bytes as _codecs.encode(text, 'latin1')
    for protocol in (0, 2):
        blob = pickle.dumps({"blob": ELF_SO}, protocol=protocol)
        assert b"_codecs" in blob
        r = audit(tmp_path, f"p{protocol}.pkl", blob)
        (f,) = embedded(r)
        assert f.detail.startswith(f"bytes built by _codecs.encode at byte {f.offset:,} ({len(ELF_SO):,} bytes)")
        assert "ELF64 shared library" in f.detail
        benign = pickle.dumps([b"\x7fELF" + bytes(100), *lookalikes()], protocol=protocol)
        assert not embedded(audit(tmp_path, f"b{protocol}.pkl", benign))


def test_a_real_binary_pickled_as_bytes(tmp_path: Path) -> None:
    # the running interpreter (read in place, never copied into the repository) as a dropper would carry it
    import sys

    exe = Path(sys.executable).resolve().read_bytes()
    r = audit(tmp_path, "drop.pkl", pickle.dumps({"payload": exe}, protocol=4))
    found = embedded(r)
    if sys.platform.startswith("linux"):
        assert len(found) == 1 and " is a native image: ELF" in found[0].detail
    else:
        assert len(found) == 1


def test_one_text_encoded_a_hundred_thousand_times_is_judged_once(tmp_path: Path) -> None:
    # _codecs.encode(memo[0], 'latin1') repeated: 4 MB of image text, 100,000 calls sharing it
    text = ELF_SO.decode("latin-1") + "\x00" * (4 << 20)
    head = b"\x80\x02c_codecs\nencode\nq\x01X" + struct.pack("<I", len(text.encode())) + text.encode() + b"q\x02"
    call = b"h\x01h\x02X\x06\x00\x00\x00latin1\x86R0"  # encode(memo[2], 'latin1'), popped
    t0 = thread_cpu_seconds()
    r = audit(tmp_path, "rep.pkl", head + call * 100_000 + b"N.")
    assert thread_cpu_seconds() - t0 < 5.0
    assert len(embedded(r)) == 1
    # an encoding that is not plain text (or no encoding at all) is not evaluated
    slow = head + b"h\x01h\x02X\x08\x00\x00\x00punycode\x86R0N."
    assert not embedded(audit(tmp_path, "puny.pkl", slow))
