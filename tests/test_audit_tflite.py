"""TensorFlow Lite flatbuffers and TensorFlow.js model.json files in the static audit.

Every TFLite sample is built here with the ``flatbuffers`` package's Builder, table by table with TensorFlow's
``schema.fbs`` field numbers (Model, OperatorCode, SubGraph, Operator, Buffer, Metadata), and the Flex ops'
custom options with its FlexBuffers builder around a NodeDef written with the TensorFlow tests' protobuf
encoder; TF.js samples are JSON written here. Nothing is loaded; neither tensorflow nor TF.js is needed.
"""

from __future__ import annotations

import base64
import json
import random
import re
import struct
import zipfile
from io import BytesIO
from pathlib import Path

import flatbuffers
from cpu_time import thread_cpu_seconds
from flatbuffers import flexbuffers

from openscope.audit import scan_path
from openscope.audit.blob import Blob
from openscope.audit.engine import detect
from tests.test_audit_tensorflow import attr, attr_s, ld, mutated, st

CUSTOM = 32
CONV_2D = 3
ADD = 0


# -- a TFLite builder -------------------------------------------------------------------------------------
def node_def(op: str, name: str = "n", **attrs: str) -> bytes:
    """A NodeDef: name (1), op (2), string attributes (5)."""
    return st(1, name) + st(2, op) + b"".join(attr(k, attr_s(v)) for k, v in attrs.items())


def flex_options(op: str, nodedef: bytes | None = None) -> bytes:
    """A Flex op's custom options as the converter writes them: a FlexBuffer vector [op name, NodeDef]."""
    fbb = flexbuffers.Builder()
    with fbb.Vector():
        fbb.String(op)
        # the converter writes the NodeDef's bytes as a FlexBuffer string (C++ String of any bytes); the Python
        # builder's public String() takes text, so the bytes go through the writer it uses for strings
        fbb._WriteBlob(nodedef if nodedef is not None else node_def(op), append_zero=True,
                       type_=flexbuffers.Type.STRING)
    return bytes(fbb.Finish())


def _vector(b: flatbuffers.Builder, offsets: list[int]) -> int:
    b.StartVector(4, len(offsets), 4)
    for o in reversed(offsets):
        b.PrependUOffsetTRelative(o)
    return b.EndVector()


def tflite(codes: list[tuple[int, str | None]], ops: list[tuple], *, version: int = 3,
           buffers: list[bytes] | None = None, metadata: list[tuple[str, int]] = (),  # type: ignore[assignment]
           description: str = "converted by a test", big_buffer: tuple[int, int] | None = None,
           tensors: list[tuple[str, int]] = (), inputs: list[int] = ()) -> bytes:  # type: ignore[assignment]
    """A .tflite: ``codes`` are (builtin code, custom code), ``ops`` are (opcode index, custom options[, input
    tensors]) of one subgraph, whose ``tensors`` are (name, buffer index) and ``inputs`` its input tensors;
    ``buffers`` their data; ``metadata`` (name, buffer index); ``big_buffer`` an (offset, size) buffer as models
    above 2 GB write them."""
    b = flatbuffers.Builder(1024)

    def ints(values: list[int]) -> int:
        b.StartVector(4, len(values), 4)
        for v in reversed(values):
            b.PrependInt32(v)
        return b.EndVector()

    code_offsets = []
    for builtin, custom in codes:
        name = b.CreateString(custom) if custom is not None else None
        b.StartObject(4)
        if name is not None:
            b.PrependUOffsetTRelativeSlot(1, name, 0)
        b.PrependInt32Slot(3, builtin, 0)
        b.PrependInt8Slot(0, min(builtin, 127), 0)
        code_offsets.append(b.EndObject())
    op_offsets = []
    for idx, options, *op_inputs in ops:
        opt = b.CreateByteVector(options) if options is not None else None
        ins = ints(op_inputs[0]) if op_inputs else None
        b.StartObject(14)
        b.PrependUint32Slot(0, idx, 0)
        if ins is not None:
            b.PrependUOffsetTRelativeSlot(1, ins, 0)
        if opt is not None:
            b.PrependUOffsetTRelativeSlot(5, opt, 0)
        op_offsets.append(b.EndObject())
    ops_vec = _vector(b, op_offsets)
    tensor_offsets = []
    for tname, buffer in tensors:
        n = b.CreateString(tname)
        b.StartObject(10)
        b.PrependUint32Slot(2, buffer, 0)
        b.PrependUOffsetTRelativeSlot(3, n, 0)
        tensor_offsets.append(b.EndObject())
    tensors_vec, inputs_vec = _vector(b, tensor_offsets), ints(list(inputs))
    sg_name = b.CreateString("main")
    b.StartObject(6)
    b.PrependUOffsetTRelativeSlot(0, tensors_vec, 0)
    b.PrependUOffsetTRelativeSlot(1, inputs_vec, 0)
    b.PrependUOffsetTRelativeSlot(3, ops_vec, 0)
    b.PrependUOffsetTRelativeSlot(4, sg_name, 0)
    subgraph = b.EndObject()
    buf_offsets = []
    for data in buffers if buffers is not None else [b""]:
        vec = b.CreateByteVector(data) if data else None
        b.StartObject(3)
        if vec is not None:
            b.PrependUOffsetTRelativeSlot(0, vec, 0)
        buf_offsets.append(b.EndObject())
    if big_buffer is not None:
        b.StartObject(3)
        b.PrependUint64Slot(1, big_buffer[0], 0)
        b.PrependUint64Slot(2, big_buffer[1], 0)
        buf_offsets.append(b.EndObject())
    meta_offsets = []
    for name, idx in metadata:
        n = b.CreateString(name)
        b.StartObject(2)
        b.PrependUOffsetTRelativeSlot(0, n, 0)
        b.PrependUint32Slot(1, idx, 0)
        meta_offsets.append(b.EndObject())
    codes_vec, sg_vec, buf_vec = _vector(b, code_offsets), _vector(b, [subgraph]), _vector(b, buf_offsets)
    meta_vec = _vector(b, meta_offsets)
    desc = b.CreateString(description)
    b.StartObject(8)
    b.PrependUint32Slot(0, version, 0)
    b.PrependUOffsetTRelativeSlot(1, codes_vec, 0)
    b.PrependUOffsetTRelativeSlot(2, sg_vec, 0)
    b.PrependUOffsetTRelativeSlot(3, desc, 0)
    b.PrependUOffsetTRelativeSlot(4, buf_vec, 0)
    b.PrependUOffsetTRelativeSlot(6, meta_vec, 0)
    model = b.EndObject()
    b.Finish(model, file_identifier=b"TFL3")
    return bytes(b.Output())


def flex(op: str, nodedef: bytes | None = None, code: str | None = None) -> bytes:
    """A model with one builtin op and one Flex op ``op`` (custom code ``code`` or ``Flex<op>``)."""
    return tflite([(CONV_2D, None), (CUSTOM, code or f"Flex{op}")],
                  [(0, None), (1, flex_options(op, nodedef))])


def audit(tmp_path: Path, data: bytes, name: str = "model.tflite") -> dict:
    p = tmp_path / name
    p.write_bytes(data)
    return scan_path(p).to_json()


def rules(report: dict) -> dict[str, str]:
    return {f["rule"]: f["severity"] for f in report["findings"]}


# -- TFLite -------------------------------------------------------------------------------------------------
def test_builtin_only_model_is_clean(tmp_path: Path) -> None:
    data = tflite([(CONV_2D, None), (ADD, None)], [(0, None), (1, None), (0, None)], buffers=[b"", bytes(64)])
    report = audit(tmp_path, data)
    assert report["files"][0]["format"] == "tflite"
    assert report["verdict"] == "clean", report["findings"]


def test_runtime_custom_ops_are_clean(tmp_path: Path) -> None:
    """TFLite_Detection_PostProcess (every SSD detector) and the audio ops are registered by the runtime."""
    data = tflite([(CONV_2D, None), (CUSTOM, "TFLite_Detection_PostProcess"), (CUSTOM, "Mfcc")],
                  [(0, None), (1, b"\x00"), (2, None)])
    report = audit(tmp_path, data)
    assert report["files"][0]["format"] == "tflite" and report["verdict"] == "clean"


def test_custom_op_is_review_with_its_name(tmp_path: Path) -> None:
    data = tflite([(CONV_2D, None), (CUSTOM, "Convolution2DTransposeBias")], [(0, None), (1, None), (1, None)])
    report = audit(tmp_path, data)
    assert report["verdict"] == "review"
    [f] = report["findings"]
    assert (f["rule"], f["severity"], f["import"]) == ("tflite.custom_op", "medium", "Convolution2DTransposeBias")
    assert "2 operator(s)" in f["detail"]


def test_custom_code_compared_whole(tmp_path: Path) -> None:
    """``Mfccx`` is not the runtime's Mfcc."""
    report = audit(tmp_path, tflite([(CUSTOM, "Mfccx")], [(0, None)]))
    assert rules(report) == {"tflite.custom_op": "medium"}


def test_flex_ops_get_the_tensorflow_severities(tmp_path: Path) -> None:
    """Flex ReadFile / WriteFile / PyFunc: the rules and severities the TensorFlow audit gives these ops."""
    from openscope.audit.tf_format import op_table

    for op in ("ReadFile", "WriteFile", "PyFunc", "EagerPyFunc", "MatchingFiles"):
        report = audit(tmp_path, flex(op))
        group = op_table()[op]
        hits = [f for f in report["findings"] if f["import"] == op]
        assert [(f["rule"], f["severity"]) for f in hits] == [(group.rule, group.severity)], report["findings"]
        assert report["verdict"] == "unsafe"
        assert "Flex delegate" in hits[0]["detail"]


def test_harmless_flex_op_is_clean(tmp_path: Path) -> None:
    """A Flex op of an ordinary kernel (FlexRFFT in audio models) runs TensorFlow's kernel: nothing to report."""
    report = audit(tmp_path, flex("RFFT"))
    assert report["files"][0]["format"] == "tflite" and report["verdict"] == "clean"


def test_flex_nodedef_running_another_op_is_judged(tmp_path: Path) -> None:
    """The delegate builds the op from the NodeDef: a custom code saying FlexAdd does not hide a ReadFile."""
    report = audit(tmp_path, flex("AddV2", node_def("ReadFile"), code="FlexAddV2"))
    assert rules(report).get("tensorflow.file_read") == "high"
    assert "its names" in report["findings"][0]["detail"]


def test_flex_attribute_conditions_apply(tmp_path: Path) -> None:
    """PrintV2 is reported only when its output_stream is a file, as in the TensorFlow audit."""
    to_file = audit(tmp_path, flex("PrintV2", node_def("PrintV2", output_stream="file:///home/u/.bashrc")))
    assert rules(to_file) == {"tensorflow.file_write": "high"}
    assert "file:///home/u/.bashrc" in to_file["findings"][0]["detail"]
    to_log = audit(tmp_path, flex("PrintV2", node_def("PrintV2", output_stream="log(info)")))
    assert to_log["verdict"] == "clean"


def string_tensor(text: str) -> bytes:
    """A TFLite string tensor's buffer: the count, count + 1 offsets from the buffer's start, the bytes."""
    raw = text.encode()
    return struct.pack("<iii", 1, 12, 12 + len(raw)) + raw


def saver(path_buffer: bytes | None, *, fed: bool = False, op: str = "SaveV2") -> bytes:
    """A model whose Flex ``op`` takes its path from tensor 0: a constant (``path_buffer``), the subgraph's
    input (``fed``), or another operator's output (neither)."""
    buffers = [b"", path_buffer] if path_buffer is not None else [b""]
    return tflite([(CUSTOM, f"Flex{op}")], [(0, flex_options(op), [0, 1, 2])],
                  buffers=buffers, tensors=[("prefix", 1 if path_buffer is not None else 0), ("names", 0),
                                            ("slices", 0)], inputs=[0] if fed else [])


def test_flex_saver_judged_by_its_path(tmp_path: Path) -> None:
    """As in a TensorFlow graph: a constant path outside the model is constant_path (high); the path an
    on-device training model's save signature takes as its argument is not reported; a relative constant is
    not; one computed inside the model is computed_path (medium)."""
    outside = audit(tmp_path, saver(string_tensor("/home/u/.bashrc")))
    assert rules(outside) == {"tensorflow.constant_path": "high"}
    assert "/home/u/.bashrc" in outside["findings"][0]["detail"]
    assert rules(audit(tmp_path, saver(string_tensor("/etc/x"), op="RestoreV2"))) == {"tensorflow.constant_path": "high"}
    assert audit(tmp_path, saver(None, fed=True))["verdict"] == "clean"
    assert audit(tmp_path, saver(string_tensor("ckpt/model")))["verdict"] == "clean"
    assert rules(audit(tmp_path, saver(None))) == {"tensorflow.computed_path": "medium"}


def test_flex_options_that_are_no_flexbuffer_are_malformed(tmp_path: Path) -> None:
    data = tflite([(CUSTOM, "FlexAddV2")], [(0, b"\xff\xfe\x07")])
    report = audit(tmp_path, data)
    assert "malformed.tflite" in rules(report)
    assert report["verdict"] != "clean"


def test_metadata_buffers_are_not_read_as_code(tmp_path: Path) -> None:
    """Metadata and the description may spell op names; only operator codes name ops."""
    data = tflite([(CONV_2D, None)], [(0, None)],
                  buffers=[b"", b"1.14.0\x00", b"FlexReadFile PyFunc \x80\x04cos\nsystem\n"],
                  metadata=[("min_runtime_version", 1), ("TFLITE_METADATA", 2)],
                  description="FlexWriteFile custom op Convolution2DTransposeBias")
    report = audit(tmp_path, data)
    assert report["files"][0]["format"] == "tflite" and report["verdict"] == "clean"


def test_wrong_schema_version_is_malformed(tmp_path: Path) -> None:
    report = audit(tmp_path, tflite([(CONV_2D, None)], [(0, None)], version=2))
    [f] = report["findings"]
    assert f["rule"] == "malformed.tflite" and "schema version 2" in f["detail"]


def test_buffer_declared_past_the_end_is_malformed(tmp_path: Path) -> None:
    report = audit(tmp_path, tflite([(CONV_2D, None)], [(0, None)], big_buffer=(1 << 40, 1 << 40)))
    [f] = report["findings"]
    assert f["rule"] == "malformed.tflite" and "past the end" in f["detail"]


def test_operator_naming_a_missing_code_and_a_bad_metadata_buffer(tmp_path: Path) -> None:
    bad_op = audit(tmp_path, tflite([(CUSTOM, "FlexReadFile")], [(5, None), (0, flex_options("ReadFile"))]))
    assert rules(bad_op) == {"malformed.tflite": "medium", "tensorflow.file_read": "high"}
    bad_meta = audit(tmp_path, tflite([(CONV_2D, None)], [(0, None)], metadata=[("TFLITE_METADATA", 9)]))
    assert rules(bad_meta) == {"malformed.tflite": "medium"}


def test_truncated_and_corrupt_files_never_crash(tmp_path: Path) -> None:
    """Cut anywhere, a model is malformed or judged on what parsed (bounded time), never a scanner error."""
    data = flex("ReadFile")
    t0 = thread_cpu_seconds()
    for cut in range(8, len(data), 3):
        report = audit(tmp_path, data[:cut])
        assert not any(f["rule"] == "incomplete.scanner_error" for f in report["findings"]), cut
        assert report["files"][0]["format"] == "tflite"
        assert report["verdict"] != "clean", cut
    assert thread_cpu_seconds() - t0 < 20


def test_hostile_vector_lengths_are_bounded(tmp_path: Path) -> None:
    """A vector declaring 2**32-1 elements is refused against the file's size, not walked."""
    data = bytearray(tflite([(CUSTOM, "FlexReadFile")], [(0, flex_options("ReadFile"))]))
    # the operator-codes vector: find its length (1) right before the first OperatorCode offset
    report_before = audit(tmp_path, bytes(data))
    assert rules(report_before) == {"tensorflow.file_read": "high"}
    for at in range(8, len(data) - 4, 4):
        if struct.unpack_from("<I", data, at)[0] == 1:
            mutated_data = data[:at] + struct.pack("<I", 0xFFFFFFFF) + data[at + 4:]
            t0 = thread_cpu_seconds()
            report = audit(tmp_path, bytes(mutated_data))
            assert thread_cpu_seconds() - t0 < 5
            assert not any(f["rule"] == "incomplete.scanner_error" for f in report["findings"])


def test_flex_options_of_wider_offsets(tmp_path: Path) -> None:
    """A NodeDef longer than 255 bytes makes the FlexBuffer use 2-byte offsets and sizes: still read."""
    long = node_def("ReadFile", name="n" * 600, note="x" * 300)
    options = flex_options("ReadFile", long)
    assert options[-1] >= 2 or options[-2] & 3  # wider than one byte
    report = audit(tmp_path, tflite([(CUSTOM, "FlexAddV2")], [(0, options)]))
    assert rules(report) == {"tensorflow.file_read": "high"}


def test_table_count_is_bounded(tmp_path: Path) -> None:
    """600,000 operators sharing one table: read up to the bound, then incomplete, in about a second."""
    b = flatbuffers.Builder(1 << 22)
    name = b.CreateString("MyOp")
    b.StartObject(4)
    b.PrependUOffsetTRelativeSlot(1, name, 0)
    b.PrependInt32Slot(3, CUSTOM, 0)
    code = b.EndObject()
    b.StartObject(14)
    op = b.EndObject()
    ops = _vector(b, [op] * 600_000)
    b.StartObject(6)
    b.PrependUOffsetTRelativeSlot(3, ops, 0)
    sg = b.EndObject()
    codes, sgs = _vector(b, [code]), _vector(b, [sg])
    b.StartObject(8)
    b.PrependUint32Slot(0, 3, 0)
    b.PrependUOffsetTRelativeSlot(1, codes, 0)
    b.PrependUOffsetTRelativeSlot(2, sgs, 0)
    b.Finish(b.EndObject(), file_identifier=b"TFL3")
    t0 = thread_cpu_seconds()
    report = audit(tmp_path, bytes(b.Output()))
    assert thread_cpu_seconds() - t0 < 10
    assert rules(report) == {"incomplete.tflite_size": "info", "tflite.custom_op": "medium"}
    assert report["verdict"] == "incomplete"


def test_mutated_tflite_files_never_raise(tmp_path: Path) -> None:
    """Seeded fuzz: mutated models (flex, custom, metadata) never end in a scanner error and stay bounded."""
    rng = random.Random(20261130)
    seeds = [flex("ReadFile"), flex("PrintV2", node_def("PrintV2", output_stream="file:///x")),
             tflite([(CONV_2D, None), (CUSTOM, "MyOp")], [(0, None), (1, b"opts")],
                    buffers=[b"", b"1.14.0"], metadata=[("min_runtime_version", 1)]),
             saver(string_tensor("/etc/x")), saver(None, fed=True)]
    t0 = thread_cpu_seconds()
    judged = 0
    for i in range(600):
        data = mutated(rng, seeds[i % len(seeds)], lambda: rng.choice((0, 0xFF, 0x7F, 0x80, rng.randrange(256))),
                       changed=0.55, cut=0.7)
        report = audit(tmp_path, data)
        assert not any(f["rule"] == "incomplete.scanner_error" for f in report["findings"]), (i, data.hex())
        judged += report["files"][0]["format"] == "tflite"
    assert judged > 400  # most mutants keep the identifier and go through the reader
    assert thread_cpu_seconds() - t0 < 60


def test_associated_files_zip_is_scanned_without_polyglot(tmp_path: Path) -> None:
    """The TFLite metadata tools append labels and vocabularies as a zip: not hostile, but its members are
    still scanned (a pickle there is judged)."""
    base = tflite([(CONV_2D, None)], [(0, None)], buffers=[b"", b"M001 metadata"], metadata=[("TFLITE_METADATA", 1)])
    p = tmp_path / "model.tflite"
    p.write_bytes(base)
    with zipfile.ZipFile(p, "a") as z:
        z.writestr("labels.txt", "cat\ndog\n")
    assert scan_path(p).to_json()["verdict"] == "clean"
    with zipfile.ZipFile(p, "a") as z:
        z.writestr("evil.pkl", b"\x80\x04\x95\x1c\x00\x00\x00\x00\x00\x00\x00\x8c\x02os\x94\x8c\x06system\x94\x93\x94.")
    report = scan_path(p).to_json()
    assert report["verdict"] == "unsafe"
    assert "hostile.polyglot" not in rules(report)
    assert any(f["member"] == "evil.pkl" for f in report["findings"])


def test_zip_appended_by_zipfile_to_another_format_is_a_polyglot(tmp_path: Path) -> None:
    """zipfile in append mode writes offsets from the start of the file: such an archive after a safetensors
    file opens in zipfile (Keras loads .keras files through it) and its members are judged, as for an archive
    whose offsets start at itself."""
    hdr = json.dumps({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}).encode()
    p = tmp_path / "model.safetensors"
    p.write_bytes(struct.pack("<Q", len(hdr)) + hdr + bytes(8))
    with zipfile.ZipFile(p, "a") as z:
        z.writestr("evil.pkl", b"cos\nsystem\n(S'echo'\ntR.")
    report = scan_path(p).to_json()
    assert report["verdict"] == "unsafe"
    assert "hostile.polyglot" in rules(report)
    assert any(f["member"] == "evil.pkl" and f["rule"] == "pickle.import.denied" for f in report["findings"])


def test_tensorflow_graph_spelling_the_identifier_is_still_judged(tmp_path: Path) -> None:
    """A frozen GraphDef whose first field (an int32 given as bytes, which the loader skips) spells TFL3 at
    byte 4: read as TFLite first, and its graph still judged."""
    graph = b"\x1a\x06\x00\x00TFL3" + ld(1, node_def("ReadFile", name="leak"))
    report = audit(tmp_path, graph, "frozen.pb")
    assert report["files"][0]["format"] == "tflite"
    got = rules(report)
    assert got["tensorflow.file_read"] == "high" and got["hostile.polyglot"] == "medium"


def test_vector_of_a_quarter_of_the_file_is_not_listed(tmp_path: Path) -> None:
    """A buffers vector declaring as many elements as the file's bytes allow (a 16 MB file, 4 million) is
    read one table at a time up to the table bound, never listed whole."""
    from array import array

    import psutil

    head = bytearray(tflite([(CONV_2D, None)], [(0, None)]))
    model = struct.unpack_from("<I", head, 0)[0]
    vt = model - struct.unpack_from("<i", head, model)[0]
    buffers_field = model + struct.unpack_from("<H", head, vt + 4 + 2 * 4)[0]
    size = 16 << 20
    vec = len(head)  # a new buffers vector after the model: every element points at one empty table
    table = vec + 4 + 4 * ((size - vec - 4 - 16) // 4)
    body = bytearray(size)
    body[:len(head)] = head
    count = (table - vec - 4) // 4
    struct.pack_into("<I", body, buffers_field, vec - buffers_field)
    struct.pack_into("<I", body, vec, count)
    first = table - (vec + 4)
    body[vec + 4:table] = array("I", range(first, first - 4 * count, -4)).tobytes()
    struct.pack_into("<iHH", body, table, -4, 4, 4)  # soffset to a vtable right after it: no fields
    p = tmp_path / "big.tflite"
    p.write_bytes(body)
    del body
    before = psutil.Process().memory_info().rss
    t0 = thread_cpu_seconds()
    report = scan_path(p).to_json()
    grown = psutil.Process().memory_info().rss - before
    assert rules(report).get("incomplete.tflite_size") == "info", report["findings"]
    assert thread_cpu_seconds() - t0 < 10
    assert grown < 80 << 20  # the file's pages, no list of 4 million offsets (over 150 MB as Python ints)


def test_detection_by_identifier_only(tmp_path: Path) -> None:
    data = tflite([(CONV_2D, None)], [(0, None)])
    assert detect(Blob(data, 0, len(data), "anything.bin")) == "tflite"
    other = data[:4] + b"TFL2" + data[8:]
    assert detect(Blob(other, 0, len(other), "model.tflite")) != "tflite"


def test_sarif_names_the_new_rules(tmp_path: Path, cli) -> None:
    from openscope.audit import sarif

    for rule in ("tflite.custom_op", "tfjs.tensorflow_op", "tfjs.custom_layer", "tfjs.weights.path_traversal",
                 "tfjs.weights.missing"):
        assert rule in sarif.RULE_TEXT
    m = tmp_path / "m"
    m.mkdir()
    (m / "model.tflite").write_bytes(tflite([(CUSTOM, "MyOp")], [(0, None)]))
    (m / "flex.tflite").write_bytes(flex("ReadFile"))
    res = cli("audit", str(m), "--json", "--sarif", str(tmp_path / "r.sarif"))
    assert res.code == 1, res.stderr
    doc = json.loads((tmp_path / "r.sarif").read_text())
    texts = {r["id"]: r["shortDescription"]["text"] for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    assert texts["tflite.custom_op"] == sarif.RULE_TEXT["tflite.custom_op"]
    assert texts["tensorflow.file_read"] == sarif.RULE_TEXT["tensorflow.file_read"]


# -- TF.js --------------------------------------------------------------------------------------------------
def graph_model(*nodes: dict, functions: list[dict] | None = None) -> dict:
    topo: dict = {"node": list(nodes), "versions": {"producer": 1395}}
    if functions is not None:
        topo["library"] = {"function": functions}
    return {"format": "graph-model", "generatedBy": "2.15.0", "convertedBy": "TensorFlow.js Converter v4.17.0",
            "modelTopology": topo, "weightsManifest": []}


def layers_model(*layers: dict) -> dict:
    return {"format": "layers-model", "generatedBy": "keras v2.15.0", "convertedBy": "TensorFlow.js Converter",
            "modelTopology": {"keras_version": "2.15.0", "backend": "tensorflow",
                              "model_config": {"class_name": "Sequential",
                                               "config": {"name": "sequential", "layers": list(layers)}}},
            "weightsManifest": []}


def dense(name: str = "dense", cls: str = "Dense") -> dict:
    return {"class_name": cls, "config": {"name": name, "units": 4, "kernel_initializer": {
        "class_name": "GlorotUniform", "config": {"seed": None}}}}


def write_json(folder: Path, doc: dict, name: str = "model.json") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(json.dumps(doc))
    return folder


def test_clean_tfjs_models(tmp_path: Path) -> None:
    g = graph_model({"name": "x", "op": "Placeholder"}, {"name": "w", "op": "Const"},
                    {"name": "y", "op": "MatMul", "input": ["x", "w"]})
    g["weightsManifest"] = [{"paths": ["group1-shard1of1.bin"],
                             "weights": [{"name": "w", "shape": [2, 3], "dtype": "float32"}]}]
    folder = write_json(tmp_path / "g", g)
    (folder / "group1-shard1of1.bin").write_bytes(bytes(24))
    report = scan_path(folder).to_json()
    assert report["verdict"] == "clean", report["findings"]
    assert {f["file"]: f["format"] for f in report["files"]}["model.json"] == "tfjs-graph-model"
    lm = write_json(tmp_path / "l", layers_model(dense("a"), dense("b", "Dropout")))
    report = scan_path(lm).to_json()
    assert report["verdict"] == "clean", report["findings"]
    assert report["files"][0]["format"] == "tfjs-layers-model"


def test_graph_model_file_ops_are_review_with_the_tensorflow_rule(tmp_path: Path) -> None:
    g = graph_model({"name": "x", "op": "Const"}, {"name": "leak", "op": "ReadFile", "input": ["x"]},
                    functions=[{"signature": {"name": "__inference_f_1"},
                                "nodeDef": [{"name": "w", "op": "WriteFile"}, {"name": "w2", "op": "WriteFile"}]}])
    report = scan_path(write_json(tmp_path / "g", g)).to_json()
    found = {(f["import"], f["rule"], f["severity"]) for f in report["findings"]}
    assert found == {("ReadFile", "tfjs.tensorflow_op", "medium"), ("WriteFile", "tfjs.tensorflow_op", "medium")}
    write = next(f for f in report["findings"] if f["import"] == "WriteFile")
    assert "__inference_f_1" in write["detail"] and "1 more" in write["detail"]
    assert "tensorflow.file_write" in write["detail"] and "TF.js has no kernel" in write["detail"]
    assert report["verdict"] == "review"


def test_graph_model_attribute_conditions_read_base64(tmp_path: Path) -> None:
    stream = base64.b64encode(b"file:///tmp/x").decode()
    g = graph_model({"name": "p", "op": "PrintV2", "attr": {"output_stream": {"s": stream}}},
                    {"name": "q", "op": "PrintV2", "attr": {"output_stream": {"s": base64.b64encode(b"stderr").decode()}}})
    report = scan_path(write_json(tmp_path / "g", g)).to_json()
    [f] = report["findings"]
    assert f["import"] == "PrintV2" and "file:///tmp/x" in f["detail"]


def test_layers_model_custom_layer_is_review(tmp_path: Path) -> None:
    report = scan_path(write_json(tmp_path / "l", layers_model(dense("a"), dense("mine", "MyAttention")))).to_json()
    assert rules(report) == {"tfjs.custom_layer": "medium"}
    assert report["findings"][0]["import"] == "MyAttention" and "'mine'" in report["findings"][0]["detail"]
    wrapped = {"class_name": "Bidirectional", "config": {"name": "bi", "layer": {
        "class_name": "RNN", "config": {"name": "rnn", "cell": [dense("c1", "LSTMCell"), dense("c2", "MyCell")]}}}}
    report = scan_path(write_json(tmp_path / "w", layers_model(wrapped))).to_json()
    assert [(f["rule"], f["import"]) for f in report["findings"]] == [("tfjs.custom_layer", "MyCell")]


def test_layers_model_lambda_and_module_judged_as_keras(tmp_path: Path) -> None:
    lam = {"class_name": "Lambda", "config": {"name": "l", "function": ["4wEAAAAA", None, None],
                                              "function_type": "lambda"}}
    injected = {"class_name": "system", "module": "os", "config": {"name": "x"}}
    report = scan_path(write_json(tmp_path / "l", layers_model(dense(), lam, injected))).to_json()
    got = rules(report)
    assert got["keras.lambda"] == "critical" and got["keras.module_injection"] == "critical"


def test_manifest_paths_escaping_the_folder(tmp_path: Path) -> None:
    for bad in ("../../etc/passwd", "/etc/passwd", "C:\\Windows\\win.ini", "https://evil.example/w.bin",
                "a/../../x.bin", "..\\x.bin"):
        g = graph_model({"name": "x", "op": "Const"})
        g["weightsManifest"] = [{"paths": [bad], "weights": []}]
        report = scan_path(write_json(tmp_path / "g", g)).to_json()
        assert rules(report) == {"tfjs.weights.path_traversal": "high"}, (bad, report["findings"])
        assert report["verdict"] == "unsafe"


def test_manifest_missing_shard_and_size_mismatch(tmp_path: Path) -> None:
    g = layers_model(dense())
    g["weightsManifest"] = [{"paths": ["group1-shard1of2.bin", "group1-shard2of2.bin"],
                             "weights": [{"name": "k", "shape": [4, 4], "dtype": "float32"},
                                         {"name": "q", "shape": [8], "dtype": "float32",
                                          "quantization": {"dtype": "uint8", "scale": 0.1, "min": 0}}]}]
    folder = write_json(tmp_path / "l", g)
    (folder / "group1-shard1of2.bin").write_bytes(bytes(40))
    assert rules(scan_path(folder).to_json()) == {"tfjs.weights.missing": "medium"}
    g["weightsManifest"][0]["paths"][1] = "nul\x00.bin"  # no file has this name: missing, not a crash
    write_json(folder, g)
    assert rules(scan_path(folder).to_json()) == {"tfjs.weights.missing": "medium"}
    g["weightsManifest"][0]["paths"][1] = "group1-shard2of2.bin"
    write_json(folder, g)
    (folder / "group1-shard2of2.bin").write_bytes(bytes(32))  # 64 + 8 expected, 72 held
    assert scan_path(folder).to_json()["verdict"] == "clean"
    (folder / "group1-shard2of2.bin").write_bytes(bytes(30))
    report = scan_path(folder).to_json()
    assert rules(report) == {"malformed.tfjs.weights": "medium"}
    assert "72" in report["findings"][0]["detail"] and "70" in report["findings"][0]["detail"]


def test_model_json_in_an_archive_checks_paths_not_presence(tmp_path: Path) -> None:
    g = graph_model({"name": "x", "op": "Const"})
    g["weightsManifest"] = [{"paths": ["group1-shard1of1.bin"], "weights": []}]
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("model.json", json.dumps(g))
    assert audit(tmp_path, buf.getvalue(), "web_model.zip")["verdict"] == "clean"
    g["weightsManifest"][0]["paths"] = ["../x.bin"]
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("model.json", json.dumps(g))
    assert rules(audit(tmp_path, buf.getvalue(), "web_model.zip")) == {"tfjs.weights.path_traversal": "high"}


def test_tfjs_recognised_by_content_not_name(tmp_path: Path) -> None:
    """An older converter's model.json without ``format`` is still one (topology + manifest); JSON of another
    shape named model.json is not."""
    old = layers_model(dense())
    del old["format"]
    assert audit(tmp_path, json.dumps(old).encode(), "anything.json")["files"][0]["format"] == "tfjs-layers-model"
    report = audit(tmp_path, json.dumps({"modelTopology": "x", "format": "other"}).encode(), "model.json")
    assert report["files"][0]["format"] == "json" and report["verdict"] == "clean"


def _confuse(rng: random.Random, doc: object, depth: int = 0) -> object:
    """``doc`` with values swapped for values of other types at random (lists for objects, numbers for
    strings, nesting), as a hand-edited or hostile model.json may have them."""
    if rng.random() < 0.08:
        return rng.choice([None, 7, -1, 2.5, True, "x", "../x", [], {}, [[{}]], {"op": 3}, {"class_name": None},
                           "A" * 300, [None] * 5])
    if isinstance(doc, dict) and depth < 12:
        return {k: _confuse(rng, v, depth + 1) for k, v in doc.items()}
    if isinstance(doc, list) and depth < 12:
        return [_confuse(rng, v, depth + 1) for v in doc]
    return doc


def test_type_confused_model_json_never_raises(tmp_path: Path) -> None:
    """Seeded fuzz: graph and layers models whose values have the wrong types never end in a scanner error."""
    rng = random.Random(1130)
    g = graph_model({"name": "leak", "op": "ReadFile", "attr": {"x": {"list": {"s": ["AA=="]}}}},
                    {"name": "p", "op": "PrintV2", "attr": {"output_stream": {"s": "ZmlsZTovLy94"}}},
                    functions=[{"signature": {"name": "f"}, "nodeDef": [{"name": "w", "op": "WriteFile"}]}])
    g["weightsManifest"] = [{"paths": ["group1-shard1of1.bin"], "weights": [
        {"name": "w", "shape": [2, 3], "dtype": "float32", "quantization": {"dtype": "uint8"}}]}]
    lm = layers_model(dense(), {"class_name": "Bidirectional", "config": {"layer": dense("inner", "MyCell")}})
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "group1-shard1of1.bin").write_bytes(bytes(6))
    for i in range(300):
        doc = _confuse(rng, g if i % 2 else lm)
        (folder / "model.json").write_text(json.dumps(doc))
        report = scan_path(folder).to_json()
        assert not any(f["rule"] == "incomplete.scanner_error" for f in report["findings"]), doc


def test_docs_list_the_new_rules() -> None:
    doc = (Path(__file__).resolve().parent.parent / "docs" / "audit.md").read_text()
    for rule in ("tflite.custom_op", "malformed.tflite", "tfjs.tensorflow_op", "tfjs.custom_layer",
                 "tfjs.weights.path_traversal", "tfjs.weights.missing", "malformed.tfjs.weights"):
        assert re.search(re.escape(f"`{rule}`"), doc), rule
