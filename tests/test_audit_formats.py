"""Containers and formats: PyTorch zips read like PyTorch, nested archives, compression wrappers, NumPy,
safetensors (the reference library's checks), sharded indexes, GGUF, ONNX and Keras; hostile inputs give
findings within time and memory bounds."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import os
import struct
import tarfile
import zipfile
import zlib
from pathlib import Path

import pytest
from audit_samples import (  # no_loading: the autouse trap of every audit test
    benign_dict,
    bounded_scan,
    call,
    gguf_file,
    imports_of,
    no_loading,  # noqa: F401
    npy,
    onnx_model,
    patch_zip,
    rules_of,
    st_file,
    state_dict_pickle,
    torch_zip,
    zip_of,
)
from gguf.constants import GGML_QUANT_SIZES  # imported here: the trap forbids new imports during tests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openscope.audit import Limits, scan_path
from openscope.audit.findings import VERDICTS

EVIL = call("posix", "system")



def put(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    return p


def evil_torch() -> bytes:
    sd = state_dict_pickle(2)
    return torch_zip(sd[:2] + b"cposix\nsystem\nX\x05\x00\x00\x00echo!\x85R0" + sd[2:])


# -- PyTorch zips ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("tamper", [
    {"crc_xor": 0xDEADBEEF}, {"flag_or": 0x1}, {"local_name": "archive/data.pkx"}, {},
])
def test_torch_zip_tampering_does_not_hide_data_pkl(tmp_path: Path, tamper: dict) -> None:
    r = bounded_scan(put(tmp_path, "model.pt", patch_zip(evil_torch(), "archive/data.pkl", **tamper)))
    assert r.verdict == "unsafe"
    assert "posix.system" in imports_of(r)
    assert {f.member for f in r.findings if f.import_} == {"archive/data.pkl"}


def test_torch_zip_deflated_and_odd_names(tmp_path: Path) -> None:
    sd = state_dict_pickle(1)
    evil = sd[:2] + b"cos\nsystem\nX\x01\x00\x00\x00x\x85R0" + sd[2:]
    r = bounded_scan(put(tmp_path, "ckpt.model", torch_zip(evil, prefix="whatever", compression=zipfile.ZIP_DEFLATED)))
    assert r.verdict == "unsafe" and r.files[0].format == "pytorch-zip"


def test_zip_without_central_directory_is_walked_by_local_headers(tmp_path: Path) -> None:
    z = evil_torch()
    cut = z[: z.find(b"PK\x01\x02")]
    r = bounded_scan(put(tmp_path, "cut.pt", cut))
    assert r.verdict == "unsafe"
    assert "malformed.zip.no_central_directory" in rules_of(r)


def test_storages_are_not_interpreted(tmp_path: Path) -> None:
    # raw tensor bytes that look like a pickle are not what torch.load unpickles
    r = bounded_scan(put(tmp_path, "w.pt", torch_zip(state_dict_pickle(1), storages={"0": EVIL})))
    assert r.verdict == "clean", r.findings


def test_unsupported_zip_method_is_incomplete(tmp_path: Path) -> None:
    z = bytearray(zip_of({"a.pkl": EVIL}))
    for sig, off in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        i = z.find(sig)
        struct.pack_into("<H", z, i + off, 99)
    r = bounded_scan(put(tmp_path, "m.zip", bytes(z)))
    assert r.verdict == "incomplete"


# -- nesting, 7z, tar, wrappers --------------------------------------------------------------------------
def test_zip_in_zip_and_npz(tmp_path: Path) -> None:
    r = bounded_scan(put(tmp_path, "outer.zip", zip_of({"inner/model.pt": evil_torch()})))
    assert r.verdict == "unsafe"
    assert any(f.member == "inner/model.pt!archive/data.pkl" for f in r.findings)
    z = bounded_scan(put(tmp_path, "a.npz", zip_of({"arr_0.npy": npy("|O", (1,), EVIL)}, zipfile.ZIP_DEFLATED)))
    assert z.verdict == "unsafe"


def test_nesting_deeper_than_the_limit_is_incomplete_never_clean(tmp_path: Path) -> None:
    data = benign_dict()
    for i in range(12):
        data = zip_of({f"l{i}.zip": data})
    r = bounded_scan(put(tmp_path, "deep.zip", data))
    assert r.verdict == "incomplete"
    assert "hostile.nesting" in rules_of(r)


@pytest.mark.parametrize("kind", ["gzip", "bz2", "xz", "zlib"])
def test_compression_wrappers(tmp_path: Path, kind: str) -> None:
    comp = {"gzip": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress, "zlib": zlib.compress}[kind]
    r = bounded_scan(put(tmp_path, "model.joblib", comp(comp(EVIL))))
    assert r.verdict == "unsafe"
    assert f"<{kind}>!<{kind}>" in {f.member for f in r.findings}


def test_lz4_is_incomplete_and_zlib_lookalike_text_is_not_flagged(tmp_path: Path) -> None:
    assert bounded_scan(put(tmp_path, "m.joblib", b"\x04\x22\x4d\x18" + b"\x00" * 20)).verdict == "incomplete"
    assert bounded_scan(put(tmp_path, "x.txt", b"x^ just text")).verdict == "clean"


def test_7z_container(tmp_path: Path) -> None:
    import py7zr

    bio = io.BytesIO()
    with py7zr.SevenZipFile(bio, "w") as z:
        z.writestr(EVIL, "archive/data.pkl")
    r = bounded_scan(put(tmp_path, "model.pt", bio.getvalue()))
    assert r.verdict == "unsafe" and r.files[0].format == "7z"


def test_corrupt_7z_is_reported(tmp_path: Path) -> None:
    r = bounded_scan(put(tmp_path, "x.7z", b"7z\xbc\xaf\x27\x1c\x00\x04" + b"\xff" * 40))
    assert "malformed.7z" in rules_of(r)


def test_legacy_tar(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        for nm, data in (("sys_info", benign_dict()), ("pickle", EVIL), ("storages", benign_dict())):
            ti = tarfile.TarInfo(nm)
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
    r = bounded_scan(put(tmp_path, "old.pt", buf.getvalue()))
    assert r.verdict == "unsafe" and r.files[0].format == "pytorch-legacy-tar"


def test_zip_bomb_stops_with_a_finding(tmp_path: Path) -> None:
    p = tmp_path / "bomb.zip"
    with zipfile.ZipFile(p, "w", compression=zipfile.ZIP_DEFLATED) as z, z.open("zeros.bin", "w") as w:
        chunk = bytes(1 << 20)
        for _ in range(96):
            w.write(chunk)
    r = bounded_scan(p, seconds=20, mb=64)
    assert "hostile.decompression_bomb" in rules_of(r)
    assert r.verdict == "incomplete"


def test_zip_member_bounds_and_counts(tmp_path: Path) -> None:
    z = bytearray(zip_of({"a.pkl": EVIL}))
    j = z.find(b"PK\x01\x02")
    struct.pack_into("<I", z, j + 20, 10_000_000)  # compressed size far past the end
    e = z.find(b"PK\x05\x06")
    struct.pack_into("<H", z, e + 10, 65000)  # entry count far above what the directory holds
    r = bounded_scan(put(tmp_path, "b.zip", bytes(z)))
    assert {"malformed.zip.member_bounds", "malformed.zip.entry_count"} <= rules_of(r)


# -- NumPy -------------------------------------------------------------------------------------------------
def test_numpy_arrays(tmp_path: Path) -> None:
    ok = bounded_scan(put(tmp_path, "a.npy", npy("<f4", (2, 3), b"\x00" * 24)))
    assert ok.verdict == "clean"
    obj = bounded_scan(put(tmp_path, "o.npy", npy("|O", (1,), EVIL)))
    assert obj.verdict == "unsafe"
    short = bounded_scan(put(tmp_path, "s.npy", npy("<f4", (2, 3), b"\x00" * 8)))
    assert "malformed.numpy.truncated" in rules_of(short)
    extra = bounded_scan(put(tmp_path, "t.npy", npy("<f4", (1,), b"\x00" * 4 + EVIL)))
    assert "malformed.numpy.trailing_bytes" in rules_of(extra)
    bad = bounded_scan(put(tmp_path, "h.npy", b"\x93NUMPY\x01\x00\x10\x00__import__('os')"))
    assert "malformed.numpy.header" in rules_of(bad)


# -- safetensors -------------------------------------------------------------------------------------------
D16 = struct.pack("<4f", 1, 2, 3, 4)
W = {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}


@pytest.mark.parametrize(("data", "rule"), [
    (st_file({"w": W}, D16, hlen=2**63), "header_length"),
    (st_file({"w": W}, D16, hlen=2**64 - 1), "header_length"),
    (st_file(b'{"w": \xff\xfe}', D16), "header_utf8"),
    (st_file(b'{"w": {"dtype": "F32"', D16), "header_json"),
    (st_file(b'{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"w":{"dtype":"F32","shape":[2],'
             b'"data_offsets":[8,16]}}', D16), "duplicate_key"),
    (st_file({"w": {**W, "dtype": "F99"}}, D16), "dtype"),
    (st_file({"a": W, "b": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}}, D16), "overlap"),
    (st_file({"w": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}}, D16), "hole"),
    (st_file({"w": {"dtype": "F32", "shape": [4, 4], "data_offsets": [0, 64]}}, D16), "out_of_bounds"),
    (st_file({"w": {"dtype": "F32", "shape": [3, 3], "data_offsets": [0, 16]}}, D16), "shape"),
    (st_file({"w": {"dtype": "F32", "shape": [2**40, 2**40, 2**40], "data_offsets": [0, 16]}}, D16), "overflow"),
    (st_file({"w": W}, D16 + b"MZ-hidden"), "trailing_bytes"),
    (st_file({"__metadata__": {"a": {"n": 1}}, "w": W}, D16), "metadata"),
    (st_file({"w": {"dtype": "F32", "shape": [2, -2], "data_offsets": [0, 16]}}, D16), "tensor_info"),
])
def test_safetensors_checks(tmp_path: Path, data: bytes, rule: str) -> None:
    r = bounded_scan(put(tmp_path, "m.safetensors", data), seconds=2, mb=16)
    assert f"malformed.safetensors.{rule}" in rules_of(r)
    assert r.verdict == "review"


def test_valid_safetensors_including_sub_byte_dtypes(tmp_path: Path) -> None:
    r = bounded_scan(put(tmp_path, "ok.safetensors", st_file(
        {"__metadata__": {"format": "pt"}, "w": W, "q": {"dtype": "F4", "shape": [4], "data_offsets": [16, 18]}},
        D16 + b"\x00\x00")))
    assert r.verdict == "clean", r.findings


def _shard(names: list[str]) -> bytes:
    hdr = {n: {"dtype": "F32", "shape": [1], "data_offsets": [4 * i, 4 * i + 4]} for i, n in enumerate(names)}
    return st_file(hdr, b"\x00" * 4 * len(names))


def test_sharded_index_consistency(tmp_path: Path) -> None:
    put(tmp_path, "model-00001-of-00002.safetensors", _shard(["a", "b"]))
    put(tmp_path, "model-00002-of-00002.safetensors", _shard(["c", "hidden"]))
    index = {"metadata": {}, "weight_map": {"a": "model-00001-of-00002.safetensors",
                                             "b": "model-00001-of-00002.safetensors",
                                             "c": "model-00002-of-00002.safetensors",
                                             "d": "model-00002-of-00002.safetensors",
                                             "e": "model-00003-of-00002.safetensors",
                                             "f": "../../etc/passwd.safetensors"}}
    put(tmp_path, "model.safetensors.index.json", json.dumps(index).encode())
    r = bounded_scan(tmp_path)
    assert {"malformed.index.tensor_missing", "malformed.index.unlisted_tensor", "malformed.index.missing_shard",
            "index.path_traversal"} <= rules_of(r)
    assert r.verdict == "unsafe"


def test_consistent_sharded_index_is_clean(tmp_path: Path) -> None:
    put(tmp_path, "s1.safetensors", _shard(["a"]))
    put(tmp_path, "sub/s2.safetensors", _shard(["b"]))
    put(tmp_path, "model.safetensors.index.json",
        json.dumps({"weight_map": {"a": "s1.safetensors", "b": "sub/s2.safetensors"}}).encode())
    assert bounded_scan(tmp_path).verdict == "clean"


# -- GGUF -------------------------------------------------------------------------------------------------
def test_gguf_valid_and_ssti(tmp_path: Path) -> None:
    ok = bounded_scan(put(tmp_path, "ok.gguf", gguf_file(
        "{%- set ns = namespace(system=false) %}{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}"
        "{% endfor %}")))
    assert ok.verdict == "clean", ok.findings
    bad = bounded_scan(put(tmp_path, "bad.gguf", gguf_file(
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}")))
    assert bad.verdict == "unsafe" and "gguf.chat_template.injection" in rules_of(bad)


@pytest.mark.parametrize(("kw", "rule"), [
    ({"dims": (2**40, 2**40)}, "tensor_shape"),
    ({"tensor_offset": 1 << 20}, "tensor_bounds"),
    ({"ggml_type": 9999}, "tensor_type"),
    ({"n_kv_override": 2**60}, "count"),
    ({"dims": (1, 1, 1, 1, 1, 1, 1, 1, 1)}, "tensor_dims"),
])
def test_gguf_malformed(tmp_path: Path, kw: dict, rule: str) -> None:
    r = bounded_scan(put(tmp_path, "x.gguf", gguf_file(**kw)), seconds=2, mb=16)
    assert f"malformed.gguf.{rule}" in rules_of(r)


def test_gguf_huge_string_and_array_lengths(tmp_path: Path) -> None:
    g = b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + struct.pack("<Q", 2**62) + b"general.name"
    assert "malformed.gguf.string_length" in rules_of(bounded_scan(put(tmp_path, "a.gguf", g), seconds=2, mb=16))
    g = b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + struct.pack("<Q", 1) + b"k" + struct.pack("<IIQ", 9, 8, 2**60)
    assert "malformed.gguf.array_length" in rules_of(bounded_scan(put(tmp_path, "b.gguf", g), seconds=2, mb=16))


def test_gguf_type_table_matches_gguf_py() -> None:
    from openscope.audit.gguf_format import GGML_TYPES

    theirs = {int(k): tuple(v) for k, v in GGML_QUANT_SIZES.items()}
    assert {k: v for k, v in theirs.items() if k in GGML_TYPES} == GGML_TYPES


# -- ONNX -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("loc", ["../../../../etc/passwd", "/etc/passwd", "..\\..\\secret.bin", "C:/x.bin"])
def test_onnx_external_data_outside_the_folder(tmp_path: Path, loc: str) -> None:
    r = bounded_scan(put(tmp_path, "m.onnx", onnx_model(loc)))
    assert r.verdict == "unsafe" and "onnx.external_data.path_traversal" in rules_of(r)


def test_onnx_external_data_inside_and_missing(tmp_path: Path) -> None:
    put(tmp_path, "m.onnx", onnx_model("weights/w.bin"))
    put(tmp_path, "weights/w.bin", b"\x00" * 8)
    assert bounded_scan(tmp_path).verdict == "clean"
    missing = bounded_scan(put(tmp_path / "other", "m.onnx", onnx_model("nothere.bin")))
    assert "malformed.onnx.external_data_missing" in rules_of(missing)
    assert bounded_scan(put(tmp_path / "plain", "m.onnx", onnx_model())).files[0].format == "onnx"


def test_onnx_external_data_symlink_escape(tmp_path: Path) -> None:
    outside = put(tmp_path / "outside", "secret.bin", b"\x00" * 8)
    model = tmp_path / "model"
    put(model, "m.onnx", onnx_model("link.bin"))
    os.symlink(outside, model / "link.bin")
    assert "onnx.external_data.path_traversal" in rules_of(bounded_scan(model))


# -- Keras ------------------------------------------------------------------------------------------------
def _keras(layers: list[dict]) -> bytes:
    cfg = {"module": "keras", "class_name": "Sequential", "config": {"name": "s", "layers": layers}}
    return zip_of({"metadata.json": b'{"keras_version": "3.8.0"}', "config.json": json.dumps(cfg).encode(),
                   "model.weights.h5": b"\x89HDF\r\n\x1a\n" + b"\x00" * 64})


DENSE = {"module": "keras.layers", "class_name": "Dense", "config": {"name": "d", "units": 2,
                                                                     "activation": "relu"}}


def test_keras_archives(tmp_path: Path) -> None:
    assert bounded_scan(put(tmp_path, "ok.keras", _keras([DENSE]))).verdict == "clean"
    lam = {"module": "keras.layers", "class_name": "Lambda", "config": {"name": "l", "function": {
        "class_name": "__lambda__", "config": {"code": "4wAAAA=="}}}}
    assert "keras.lambda" in rules_of(bounded_scan(put(tmp_path, "l.keras", _keras([DENSE, lam]))))
    inj = {**DENSE, "config": {"name": "d", "activation": {"module": "os", "class_name": "function",
                                                           "config": "system"}}}
    r = bounded_scan(put(tmp_path, "i.keras", _keras([inj])))
    assert r.verdict == "unsafe" and "os.system" in imports_of(r)
    custom = {"module": "my_layers", "class_name": "Fancy", "registered_name": "Custom>Fancy", "config": {}}
    c = bounded_scan(put(tmp_path, "c.keras", _keras([custom])))
    assert c.verdict == "review" and "keras.custom_module" in rules_of(c)


def test_keras_h5_found_in_raw_bytes(tmp_path: Path) -> None:
    cfg = json.dumps({"class_name": "Sequential", "config": {"layers": [
        {"class_name": "Lambda", "config": {"name": "lambda", "function": ["4wAA", None, None]},
         "function_type": "lambda"}]}}).encode()
    r = bounded_scan(put(tmp_path, "m.h5", b"\x89HDF\r\n\x1a\n" + b"\x00" * 100 + cfg + b"\x00" * 100))
    assert r.verdict == "unsafe" and "keras.lambda" in rules_of(r)
    ok = json.dumps({"class_name": "Sequential", "config": {"layers": [DENSE]}}).encode()
    assert bounded_scan(put(tmp_path, "ok.h5", b"\x89HDF\r\n\x1a\n" + ok)).verdict == "clean"


# -- hostile input in general -----------------------------------------------------------------------------
def _samples() -> dict[str, bytes]:
    return {"p.pkl": EVIL, "t.pt": evil_torch(), "s.safetensors": st_file({"w": W}, D16), "g.gguf": gguf_file(),
            "n.npy": npy("<f4", (2, 3), b"\x00" * 24), "o.onnx": onnx_model(), "k.keras": _keras([DENSE])}


def test_truncated_files_never_crash_and_never_read_clean(tmp_path: Path) -> None:
    for name, data in _samples().items():
        for cut in sorted({1, 5, 9, 17, len(data) // 3, len(data) // 2, len(data) - 1}):
            r = bounded_scan(put(tmp_path / f"c{cut}", name, data[:cut]), seconds=2, mb=16)
            assert r.verdict in VERDICTS
            if cut >= 9 and name != "o.onnx":
                assert r.verdict != "clean", (name, cut)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prefix=st.sampled_from([b"", b"\x80\x04", b"PK\x03\x04", b"GGUF\x03\x00\x00\x00", b"\x93NUMPY\x01\x00",
                               b"\x10\x00\x00\x00\x00\x00\x00\x00{", b"\x1f\x8b", b"7z\xbc\xaf\x27\x1c"]),
       body=st.binary(max_size=300))
def test_random_input_never_crashes(tmp_path: Path, prefix: bytes, body: bytes) -> None:
    p = tmp_path / "fuzz.bin"
    p.write_bytes(prefix + body)
    r = scan_path(p, Limits(max_depth=3))
    assert r.verdict in VERDICTS


def test_overlapping_zip_entries_are_scanned_once(tmp_path: Path) -> None:
    z = bytearray(zip_of({"a.pkl": EVIL}, zipfile.ZIP_DEFLATED))
    cd = z.find(b"PK\x01\x02")
    eocd = z.find(b"PK\x05\x06")
    entry = bytes(z[cd:eocd])
    copies = 2000
    new_cd = entry * copies
    tail = bytearray(z[eocd:])
    struct.pack_into("<HHI", tail, 8, copies, copies, len(new_cd))
    r = bounded_scan(put(tmp_path, "overlap.zip", bytes(z[:cd]) + new_cd + bytes(tail)), seconds=5)
    assert [f.rule for f in r.findings].count("hostile.zip_overlap") == 1
    assert sum(f.rule == "pickle.import.denied" for f in r.findings) == 1


def test_torchscript_archive_is_one_review_finding(tmp_path: Path) -> None:
    data_pkl = (b"\x80\x02" + b"c__torch__\nNet\n" + b")\x81" + b"}" + b"b" + b".")
    z = zip_of({"net/data.pkl": data_pkl, "net/constants.pkl": b"\x80\x02).",
                "net/code/__torch__.py": b"class Net(Module):\n  pass\n", "net/code/__torch__/m.py": b"x = 1\n"})
    r = bounded_scan(put(tmp_path, "net.pt", z))
    assert [(f.rule, f.severity) for f in r.findings] == [("torchscript.code", "medium")]
    # a Python-pickle gadget inside a TorchScript archive is still judged
    evil = zip_of({"net/data.pkl": EVIL, "net/code/__torch__.py": b"pass\n"})
    assert bounded_scan(put(tmp_path, "evil.pt", evil)).verdict == "unsafe"
