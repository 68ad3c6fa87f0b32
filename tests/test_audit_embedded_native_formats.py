"""Native images carried as values in the formats 8b12566 did not look into (``native.embedded``): Keras HDF5
attributes (and string values of a Keras config), ONNX string tensors, string attributes and ``metadata_props``,
TensorFlow string constants.

The images are the ``struct``-built ones of ``tests.test_audit_embedded_native``. The ONNX files are built with
``onnx.helper`` (a dependency of the audit extra; the audit itself reads them with its wire reader), the HDF5 files
with ``h5py`` (the same: the audit reads the file's structures itself), the SavedModels with the protobuf encoder
of ``tests.test_audit_tensorflow``. Nothing is loaded or run.
"""

from __future__ import annotations

import base64
import json
import random
import zipfile
from pathlib import Path

import h5py
import numpy as np
import pytest
from cpu_time import thread_cpu_seconds
from onnx import TensorProto, helper, numpy_helper

from openscope.audit import scan_path
from tests.test_audit_embedded_native import IMAGES, lookalikes
from tests.test_audit_tensorflow import (
    SAVER_FUNCTIONS,
    SAVER_NODES,
    attr,
    function,
    graph,
    ld,
    meta_graph,
    node,
    saved_model,
    varint,
    vi,
)

ELF = IMAGES["elf"][0]
PE = IMAGES["pe"][0]
MACHO = IMAGES["macho"][0]


def embedded(report) -> list:
    return [f for f in report.findings if f.rule == "native.embedded"]


def audit(tmp_path: Path, name: str, data: bytes):
    p = tmp_path / name
    p.write_bytes(data)
    return scan_path(p)


# -- ONNX -------------------------------------------------------------------------------------------------------
def string_tensor(name: str, *items: bytes) -> TensorProto:
    t = TensorProto(name=name, data_type=TensorProto.STRING, dims=[len(items)])
    t.string_data.extend(items)  # as given: numpy would strip an image's trailing NULs
    return t


def onnx_model(initializers=(), nodes=(), meta: dict[str, str] | None = None) -> bytes:
    g = helper.make_graph([*nodes, helper.make_node("Identity", ["x"], ["y"], name="id")], "g",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])],
                          initializer=[numpy_helper.from_array(np.arange(4, dtype=np.float32), "w"), *initializers])
    model = helper.make_model(g)
    if meta:
        helper.set_model_props(model, meta)
    return model.SerializeToString()


def test_onnx_string_initializer(tmp_path: Path) -> None:
    data = onnx_model([string_tensor("labels", b"cat", b"dog", ELF)])
    r = audit(tmp_path, "m.onnx", data)
    (f,) = embedded(r)
    assert r.verdict == "unsafe" and f.severity == "high"
    assert f.offset is not None and data[f.offset:f.offset + len(ELF)] == ELF
    assert f.detail.startswith(f"string tensor 'labels' element at byte {f.offset:,} ({len(ELF):,} bytes) is a "
                               "native image: ELF64 shared library for x86-64")
    assert "imports symbols to run programs (system)" in f.detail


def test_onnx_constant_attributes_raw_and_base64(tmp_path: Path) -> None:
    nodes = [helper.make_node("Constant", [], ["a"], name="c1", value_string=base64.b64encode(PE).decode()),
             helper.make_node("Constant", [], ["b"], name="c2", value_strings=[b"x", MACHO]),
             helper.make_node("Constant", [], ["c"], name="c3", value=string_tensor("t", ELF))]
    r = audit(tmp_path, "m.onnx", onnx_model(nodes=nodes))
    details = sorted(f.detail for f in embedded(r))
    assert len(details) == 3
    assert details[0].startswith("string attribute 'value_string' at byte ")
    assert "(base64) (1,024 bytes) is a native image: PE32+ DLL" in details[0]
    assert details[1].startswith("string attribute 'value_strings' at byte ") and "Mach-O 64-bit bundle" in details[1]
    assert details[2].startswith("string tensor 't' element at byte ") and "ELF64" in details[2]


def test_onnx_metadata_props_and_function_bodies(tmp_path: Path) -> None:
    r = audit(tmp_path, "meta.onnx", onnx_model(meta={"author": "me", "blob": base64.b64encode(ELF).decode()}))
    (f,) = embedded(r)
    assert f.detail.startswith("metadata_props value 'blob' at byte ") and "(base64)" in f.detail
    fn = helper.make_function("local", "f", ["x"], ["y"],
                              [helper.make_node("Constant", [], ["y"], value_strings=[PE])], [helper.make_opsetid("", 17)])
    g = helper.make_graph([helper.make_node("f", ["x"], ["y"], domain="local")], "g",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
                          [helper.make_tensor_value_info("y", TensorProto.STRING, [1])])
    model = helper.make_model(g, functions=[fn], opset_imports=[helper.make_opsetid("", 17),
                                                                helper.make_opsetid("local", 1)])
    r = audit(tmp_path, "fn.onnx", model.SerializeToString())
    assert [f.rule for f in r.findings] == ["native.embedded"]


def test_onnx_benign_controls(tmp_path: Path) -> None:
    """Text strings, look-alike bytes as string elements, float tensors whose bytes start with an image's header
    (numeric data is never read), a model of ordinary layers."""
    floats = numpy_helper.from_array(np.frombuffer(ELF[: len(ELF) // 4 * 4], dtype=np.float32).copy(), "kernel")
    tensors = [string_tensor("vocab", *(w.encode() * 8 for w in ("hello", "world", "MZ is a prefix"))), floats,
               string_tensor("odd", *lookalikes())]
    nodes = [helper.make_node("Constant", [], ["c"], value_strings=[b"MZ" + b"a" * 40, b"\x7fELF" + bytes(40)])]
    r = audit(tmp_path, "m.onnx", onnx_model(tensors, nodes, meta={"note": "TVqQAAMAAAAEAAAA//8AALgAAAAA" * 3}))
    assert r.verdict == "clean", r.findings


def test_onnx_many_candidates_stay_linear(tmp_path: Path) -> None:
    items = [b"MZ" + bytes(62)] * 30_000  # no image: the first 10,000 judged, the rest counted
    t0 = thread_cpu_seconds()
    r = audit(tmp_path, "m.onnx", onnx_model([string_tensor("s", *items)]))
    assert thread_cpu_seconds() - t0 < 5.0
    assert [f.rule for f in r.findings] == ["incomplete.native_candidates"]
    assert r.findings[0].detail.startswith("20,000 more string values starting like a native image")


# -- TensorFlow SavedModel --------------------------------------------------------------------------------------
def const(name: str, *items: bytes, dtype: int = 7, content: bytes | None = None, dims: tuple[int, ...] = ()) -> bytes:
    """A Const node: attr value = AttrValue.tensor (8): TensorProto dtype (1), shape (2), string_val (8) or
    tensor_content (4)."""
    shape = ld(2, b"".join(ld(2, vi(1, d)) for d in dims))
    tensor = vi(1, dtype) + shape + b"".join(ld(8, v) for v in items) + (ld(4, content) if content is not None else b"")
    return node(name, "Const", attrs=attr("value", ld(8, tensor)) + attr("dtype", vi(6, dtype)))


def tf_model(*nodes: bytes, functions: tuple[bytes, ...] = ()) -> bytes:
    return saved_model(meta_graph(graph([*SAVER_NODES, *nodes], [*SAVER_FUNCTIONS, *functions])))


def test_savedmodel_string_constants(tmp_path: Path) -> None:
    data = tf_model(const("payload", b"hello", ELF))
    r = audit(tmp_path, "saved_model.pb", data)
    (f,) = embedded(r)
    assert r.verdict == "unsafe" and data[f.offset:f.offset + len(ELF)] == ELF
    assert f.detail.startswith(f"string constant 'payload' at byte {f.offset:,} ({len(ELF):,} bytes) is a native "
                               "image: ELF64 shared library")


def test_savedmodel_tensor_content_base64_and_functions(tmp_path: Path) -> None:
    items = [b"a", PE, b"bc"]
    content = b"".join(varint(len(i)) for i in items) + b"".join(items)
    fn = function("__inference_drop_7", const("blob", base64.b64encode(MACHO)))
    r = audit(tmp_path, "saved_model.pb", tf_model(const("packed", content=content, dims=(3,)), functions=(fn,)))
    got = sorted(f.detail for f in embedded(r))
    assert len(got) == 2
    assert got[0].startswith("string constant 'blob' of function '__inference_drop_7' at byte ")
    assert "(base64)" in got[0] and "Mach-O" in got[0]
    assert got[1].startswith("string constant 'packed' at byte ") and "PE32+ DLL" in got[1]


def test_savedmodel_benign_controls(tmp_path: Path) -> None:
    """Text constants, look-alikes, and a float constant whose tensor_content is an image's bytes (numeric
    constants are never read); a tensor_content that does not decode as a string list names nothing."""
    nodes = [const("vocab", b"the quick brown fox jumps over the lazy dog"), const("odd", *lookalikes()),
             const("kernel", dtype=1, content=ELF), const("bad", content=b"\xff" * 40 + ELF, dims=(2,))]
    r = audit(tmp_path, "saved_model.pb", tf_model(*nodes))
    assert r.verdict == "clean", r.findings


# -- Keras HDF5 -------------------------------------------------------------------------------------------------
def keras_h5(path: Path, extra=None, **kw) -> Path:
    """A legacy Keras file's shape: model_config and version attributes, a weights group with a dataset."""
    with h5py.File(path, "w", **kw) as f:
        f.attrs["model_config"] = json.dumps({"class_name": "Sequential", "config": {"name": "s", "layers": [
            {"class_name": "Dense", "config": {"name": "dense", "units": 4}}]}}).encode()
        f.attrs["keras_version"] = "2.13.1"
        f.attrs["backend"] = "tensorflow"
        g = f.create_group("model_weights/dense")
        g.attrs["weight_names"] = [b"dense/kernel:0"]
        g.create_dataset("dense/kernel:0", data=np.frombuffer(ELF[: len(ELF) // 4 * 4], dtype=np.float32))
        if extra is not None:
            extra(f)
    return path


@pytest.mark.parametrize("libver", ["earliest", "latest"])
def test_hdf5_benign_controls(tmp_path: Path, libver: str) -> None:
    """The dataset's bytes are an image's (weights are never read); text and look-alike attributes."""
    def odd(f: h5py.File) -> None:
        f["model_weights"].attrs["notes"] = "MZ" + "x" * 100
        f["model_weights/dense"].attrs["odd"] = np.void(lookalikes()[0])
    r = scan_path(keras_h5(tmp_path / "m.h5", odd, libver=libver))
    assert r.verdict == "clean", r.findings
    assert r.files[0].format == "hdf5"


@pytest.mark.parametrize("libver", ["earliest", "latest"])
@pytest.mark.parametrize("kind", ["void", "bytes", "uint8", "vlen-bytes", "base64-str", "base64-list"])
def test_hdf5_attribute_holding_an_image(tmp_path: Path, kind: str, libver: str) -> None:
    def put(f: h5py.File) -> None:
        target = f["model_weights/dense/dense/kernel:0"]
        if kind == "void":
            target.attrs["blob"] = np.void(ELF)
        elif kind == "bytes":
            target.attrs["blob"] = np.bytes_(PE + b"tail")  # a fixed-length string (numpy strips trailing NULs)
        elif kind == "uint8":
            target.attrs["blob"] = np.frombuffer(ELF, dtype=np.uint8)
        elif kind == "vlen-bytes":
            a = np.empty(1, dtype=h5py.vlen_dtype(np.uint8))
            a[0] = np.frombuffer(ELF, dtype=np.uint8)
            target.attrs["blob"] = a
        elif kind == "base64-str":
            target.attrs["blob"] = base64.b64encode(MACHO).decode()
        else:
            target.attrs["blob"] = ["first", base64.b64encode(ELF).decode()]
    r = scan_path(keras_h5(tmp_path / "m.h5", put, libver=libver))
    (f,) = embedded(r)
    assert r.verdict == "unsafe"
    assert f.detail.startswith("attribute 'blob' of '/model_weights/dense/dense/kernel:0'"), f.detail
    assert "is a native image" in f.detail
    if kind == "base64-list":
        assert "element 1 (base64)" in f.detail


def test_hdf5_config_string_values_and_keras_archives(tmp_path: Path) -> None:
    """A string value of the Keras config (base64, or code points escaped in the JSON) is judged too, in an HDF5
    file as in a .keras archive's config.json."""
    config = {"class_name": "Sequential", "config": {"layers": [{"class_name": "Dense", "config": {
        "name": "d", "units": 1, "blob": base64.b64encode(ELF).decode(), "raw": MACHO.decode("latin-1")}}]}}
    with h5py.File(tmp_path / "m.h5", "w") as f:
        f.attrs["model_config"] = json.dumps(config).encode()
        f.attrs["training_config"] = json.dumps({"loss": base64.b64encode(PE).decode()}).encode()
    got = sorted(f.detail.split(" is a native image")[0] for f in embedded(scan_path(tmp_path / "m.h5")))
    assert len(got) == 3 and all(d.startswith("a string value of the Keras config at byte ") for d in got)
    assert sum("(base64)" in d for d in got) == 2
    with zipfile.ZipFile(tmp_path / "m.keras", "w") as z:
        z.writestr("config.json", json.dumps(config))
        z.writestr("metadata.json", "{}")
    r = scan_path(tmp_path / "m.keras")
    assert len(embedded(r)) == 2 and all(f.member == "config.json" for f in embedded(r))


def test_hdf5_dense_storage_links_and_attributes(tmp_path: Path) -> None:
    """libver latest: more than 8 attributes or links on one object live in a fractal heap indexed by a version 2
    B-tree (its internal nodes past a few dozen records; nested indirect blocks past ~512 KiB of objects); an
    attribute above 64 KiB is a huge heap object. All are read."""
    def many(f: h5py.File) -> None:
        for i in range(60):
            f.attrs[f"a{i}"] = "x" * i
        f.attrs["zz"] = np.void(ELF)
        for i in range(300):
            f.create_group(f"g{i}")
        f["g277"].attrs["b64"] = base64.b64encode(PE).decode()
        big = f.create_group("big")
        for i in range(8000):
            big.attrs[f"n{i}"] = "y" * 100
        big.attrs["last"] = np.frombuffer(MACHO, dtype=np.uint8)
        f.attrs["huge"] = np.void(ELF + bytes(100_000))
    t0 = thread_cpu_seconds()
    r = scan_path(keras_h5(tmp_path / "m.h5", many, libver="latest"))
    assert thread_cpu_seconds() - t0 < 3.0
    assert sorted(f.detail.split(" (")[0] for f in r.findings) == [
        "attribute 'b64' of '/g277'", "attribute 'huge' of '/'", "attribute 'last' of '/big'", "attribute 'zz' of '/'"]
    assert {f.rule for f in r.findings} == {"native.embedded"}


def test_hdf5_shared_datatype_attributes_are_incomplete_not_clean(tmp_path: Path) -> None:
    """An attribute of a committed (shared) datatype is not read: the file is incomplete, never clean."""
    def shared(f: h5py.File) -> None:
        f["blob_t"] = np.dtype((np.void, len(ELF)))
        f.attrs.create("blob", np.void(ELF), dtype=f["blob_t"])
    r = scan_path(keras_h5(tmp_path / "m.h5", shared))
    assert r.verdict == "incomplete"
    assert [f.rule for f in r.findings] == ["incomplete.hdf5_attributes"]
    assert "shared datatype" in r.findings[0].detail


def test_hdf5_after_a_user_block(tmp_path: Path) -> None:
    with h5py.File(tmp_path / "m.h5", "w", userblock_size=512) as f:
        f.attrs["blob"] = np.void(ELF)
    assert len(embedded(scan_path(tmp_path / "m.h5"))) == 1


@pytest.mark.parametrize("libver", ["earliest", "latest"])
def test_hdf5_hostile_structures_end_quickly(tmp_path: Path, libver: str) -> None:
    """Flipped bytes in the metadata of a real file (addresses, counts, lengths; with libver latest, the fractal
    heaps and version 2 B-trees of dense storage too): every scan ends in bounded time with no scanner error,
    whatever it finds."""
    def put(f: h5py.File) -> None:
        for i in range(12):
            g = f.create_group(f"g{i}")
            for k in range(10 if i < 2 else 1):
                g.attrs[f"v{k}"] = np.void(ELF) if k == 0 else f"text {k}"
    base = keras_h5(tmp_path / "base.h5", put, libver=libver).read_bytes()
    meta_end = base.find(b"\x7fELF")  # flip only in the structures before the first value
    rng = random.Random(5)
    t0 = thread_cpu_seconds()
    for i in range(150):
        data = bytearray(base)
        for _ in range(rng.randrange(1, 6)):
            at = rng.randrange(0, meta_end)
            data[at] = rng.randrange(256)
        r = audit(tmp_path, f"f{i % 3}.h5", bytes(data))
        assert not [f for f in r.findings if f.rule == "incomplete.scanner_error"], r.findings
    assert thread_cpu_seconds() - t0 < 30.0


def test_hdf5_a_loop_of_groups_ends(tmp_path: Path) -> None:
    """A group linking back to its parent (a hard link cycle HDF5 allows) is walked once."""
    with h5py.File(tmp_path / "m.h5", "w", libver="latest") as f:
        g = f.create_group("a")
        g["back"] = f  # hard link to the root
        g.attrs["blob"] = np.void(PE)
    r = scan_path(tmp_path / "m.h5")
    assert len(embedded(r)) == 1


def test_hdf5_many_candidate_attributes_stay_cheap(tmp_path: Path) -> None:
    with h5py.File(tmp_path / "m.h5", "w") as f:
        for i in range(1000):  # 30,000 fixed-length strings, no image
            f.attrs[f"a{i}"] = np.array([b"MZ" + b"\x01" * 62] * 30)
    t0 = thread_cpu_seconds()
    r = scan_path(tmp_path / "m.h5")
    assert thread_cpu_seconds() - t0 < 5.0
    assert [f.rule for f in r.findings] == ["incomplete.native_candidates"]



# -- TensorFlow text format (saved_model.pbtxt) -----------------------------------------------------------------
def c_escape(data: bytes) -> str:
    """Bytes as the text format writes them (printable ASCII as is, the rest as octal escapes)."""
    return "".join(chr(b) if 32 <= b < 127 and b not in (34, 39, 92) else f"\\{b:03o}" for b in data)


def pbtxt(*values: str, dtype: str = "DT_STRING", in_function: bool = True) -> bytes:
    """A text SavedModel whose Const carries ``values`` as string_val (dtype written after them: any order)."""
    strings = " ".join(f'string_val: "{v}"' for v in values)
    const = (f'node_def {{ name: "blob" op: "Const" attr {{ key: "value" value {{ tensor {{ {strings} '
             f'tensor_shape {{ dim {{ size: {len(values)} }} }} dtype: {dtype} }} }} }} }}')
    body = (f'library {{ function {{ signature {{ name: "__inference_drop_3" }} {const} }} }}' if in_function
            else const.replace("node_def", "node"))
    return (f'saved_model_schema_version: 1\nmeta_graphs {{ meta_info_def {{ tags: "serve" }}\n'
            f'  graph_def {{ {body} }} }}\n').encode()


def test_pbtxt_string_constants(tmp_path: Path) -> None:
    r = audit(tmp_path, "saved_model.pbtxt", pbtxt("hello", c_escape(ELF)))
    (f,) = embedded(r)
    assert r.files[0].format == "tensorflow-text"
    assert f.detail.startswith("string constant 'blob' of function '__inference_drop_3' at byte ")
    assert f"({len(ELF):,} bytes) is a native image: ELF64 shared library" in f.detail
    r = audit(tmp_path, "saved_model.pbtxt", pbtxt(base64.b64encode(PE).decode(), in_function=False))
    (f,) = embedded(r)
    assert f.detail.startswith("string constant 'blob' at byte ") and "(base64)" in f.detail


def test_pbtxt_benign_controls(tmp_path: Path) -> None:
    """Text, look-alikes, and an image's bytes in a constant that is not DT_STRING."""
    odd = [c_escape(x) for x in lookalikes()]
    assert audit(tmp_path, "saved_model.pbtxt", pbtxt("the vocabulary", *odd)).verdict == "clean"
    assert audit(tmp_path, "saved_model.pbtxt", pbtxt(c_escape(ELF), dtype="DT_FLOAT")).verdict == "clean"
