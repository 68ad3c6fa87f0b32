"""The audit's last known blind spots (docs/audit.md, "Blind spots closed"): ONNX custom operator domains and
graphs reached only through subgraphs, functions or training info; chat templates saved as ``.jinja`` files;
pickles that build classes (``builtins.type``), forward calls (``copy``) or schedule them (``atexit``,
``weakref.finalize``).

Every sample is written here, field by field or opcode by opcode; nothing is loaded, unpickled or imported
(the ``no_loading`` trap fails the test otherwise). Benign shapes beside each attack keep the rules from
flagging real models.
"""

from __future__ import annotations

import json
import pickle  # only pickle.dumps of plain values (writing); loading is trapped
from pathlib import Path

import pytest
from audit_samples import (  # no_loading: the autouse trap of every audit test
    BUILD,
    EMPTY_DICT,
    EMPTY_TUPLE,
    MARK,
    MEMOIZE,
    PAYLOAD,
    POP,
    REDUCE,
    STOP,
    TUPLE1,
    bounded_scan,
    bu,
    gguf_file,
    glob,
    no_loading,  # noqa: F401
    pb_int,
    pb_len,
    proto,
    rules_of,
    sbu,
    sg,
    zip_of,
)
from cpu_time import thread_cpu_seconds
from test_audit_redteam import BENIGN_TEMPLATES, INJECTIONS

from openscope.audit.rules import judge_import


def put(folder: Path, name: str, data: bytes | str) -> Path:
    p = folder / name
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        p.write_text(data, encoding="utf-8")
    else:
        p.write_bytes(data)
    return p


def findings_of(rep, rule: str) -> list:
    return [f for f in rep.findings if f.rule == rule]


# -- ONNX: field numbers from onnx/onnx.proto ---------------------------------------------------------------
def node(op: str, domain: str | None = None, *, name: str = "n", attrs: list[bytes] = ()) -> bytes:
    """NodeProto: input 1, output 2, name 3, op_type 4, attribute 5, domain 7."""
    out = pb_len(1, b"x") + pb_len(2, b"y") + pb_len(3, name.encode()) + pb_len(4, op.encode())
    out += b"".join(pb_len(5, a) for a in attrs)
    return out + (pb_len(7, domain.encode()) if domain is not None else b"")


def tensor(name: str = "w", location: str | None = None) -> bytes:
    """TensorProto: dims 1, data_type 2, name 8, raw_data 9, external_data 13, data_location 14."""
    out = pb_int(1, 2) + pb_int(2, 1) + pb_len(8, name.encode())
    if location is None:
        return out + pb_len(9, b"\x00" * 8)
    for k, v in (("location", location), ("offset", "0"), ("length", "8")):
        out += pb_len(13, pb_len(1, k.encode()) + pb_len(2, v.encode()))
    return out + pb_int(14, 1)


def graph(*nodes: bytes, initializers: list[bytes] = (), sparse: list[bytes] = ()) -> bytes:
    """GraphProto: node 1, name 2, initializer 5, sparse_initializer 15."""
    return (b"".join(pb_len(1, n) for n in nodes) + pb_len(2, b"g") + b"".join(pb_len(5, t) for t in initializers)
            + b"".join(pb_len(15, s) for s in sparse))


def attr_graph(name: str, g: bytes) -> bytes:
    """AttributeProto with one graph (g 6, type GRAPH = 5)."""
    return pb_len(1, name.encode()) + pb_len(6, g) + pb_int(20, 5)


def attr_graphs(name: str, *gs: bytes) -> bytes:
    """AttributeProto with a list of graphs (graphs 11, type GRAPHS = 10)."""
    return pb_len(1, name.encode()) + b"".join(pb_len(11, g) for g in gs) + pb_int(20, 10)


def attr_tensor(name: str, t: bytes) -> bytes:
    """AttributeProto with one tensor (t 5, type TENSOR = 4): a Constant node's value."""
    return pb_len(1, name.encode()) + pb_len(5, t) + pb_int(20, 4)


def function(name: str, domain: str, *nodes: bytes) -> bytes:
    """FunctionProto: name 1, input 4, output 5, node 7, opset_import 9, domain 10."""
    return (pb_len(1, name.encode()) + pb_len(4, b"x") + pb_len(5, b"y") + b"".join(pb_len(7, n) for n in nodes)
            + pb_len(9, pb_int(2, 17)) + pb_len(10, domain.encode()))


def model(g: bytes, *, functions: list[bytes] = (), training: list[bytes] = ()) -> bytes:
    """ModelProto: ir_version 1, producer 2, graph 7, opset_import 8, training_info 20, functions 25."""
    out = pb_int(1, 8) + pb_len(2, b"openscope-test") + pb_len(7, g) + pb_len(8, pb_int(2, 17))
    out += b"".join(pb_len(20, t) for t in training)
    return out + b"".join(pb_len(25, f) for f in functions)


def training_info(init: bytes, algo: bytes) -> bytes:
    """TrainingInfoProto: initialization 1, algorithm 2 (both graphs)."""
    return pb_len(1, init) + pb_len(2, algo)


CUSTOM = node("Inverse", "ai.onnx.contrib", name="evil")  # onnxruntime-extensions' domain: a library to register
PLAIN = node("Add")


def onnx_places(inner: bytes) -> dict[str, bytes]:
    """The same node reached in every place a loader runs it."""
    return {
        "main graph": model(graph(PLAIN, inner)),
        "If branch": model(graph(node("If", attrs=[attr_graph("then_branch", graph(inner)),
                                                    attr_graph("else_branch", graph(PLAIN))]))),
        "Loop body": model(graph(node("Loop", attrs=[attr_graph("body", graph(PLAIN, inner))]))),
        "Scan body, nested in an If": model(graph(node("If", attrs=[attr_graph("then_branch", graph(
            node("Scan", attrs=[attr_graph("body", graph(inner))])))]))),
        "graphs attribute": model(graph(node("Seq", attrs=[attr_graphs("bodies", graph(PLAIN), graph(inner))]))),
        "model-local function": model(graph(node("Helper", "local.fn")),
                                      functions=[function("Helper", "local.fn", PLAIN, inner)]),
        "training algorithm": model(graph(PLAIN), training=[training_info(graph(PLAIN), graph(inner))]),
        "function attribute default": model(graph(node("Helper", "local.fn")), functions=[
            function("Helper", "local.fn", PLAIN) + pb_len(11, attr_graph("body", graph(inner)))]),
    }


@pytest.mark.parametrize("place", list(onnx_places(CUSTOM)))
def test_onnx_custom_domain_nodes_are_reported_wherever_they_run(tmp_path: Path, place: str) -> None:
    """A node of a domain ONNX Runtime does not ship runs only with a custom-op library the user registers
    (native code outside the file): reported with its domain and op type, at medium (review), like the other
    models that need outside code to load. Before: no finding at all, verdict clean."""
    rep = bounded_scan(put(tmp_path, "m.onnx", onnx_places(CUSTOM)[place]))
    hits = findings_of(rep, "onnx.custom_op")
    assert len(hits) == 1 and hits[0].severity == "medium" and rep.verdict == "review", rep.findings
    assert "'ai.onnx.contrib'" in hits[0].detail and "'Inverse'" in hits[0].detail and "'evil'" in hits[0].detail
    assert rep.files[0].format == "onnx"


@pytest.mark.parametrize("domain", [None, "", "ai.onnx", "ai.onnx.ml", "ai.onnx.training", "ai.onnx.preview.training",
                                    "com.microsoft", "com.microsoft.nchwc", "com.microsoft.experimental"])
def test_onnx_standard_and_runtime_domains_stay_clean(tmp_path: Path, domain: str | None) -> None:
    """Standard domains and the contrib domains compiled into ONNX Runtime (com.microsoft: Attention,
    MatMulNBits, … in optimised and quantised exports) load no outside library."""
    for place, data in onnx_places(node("MatMulNBits", domain)).items():
        rep = bounded_scan(put(tmp_path / place.replace(" ", "_"), "m.onnx", data))
        assert rep.verdict == "clean", (place, rep.findings)


@pytest.mark.parametrize("domain", ["org.pytorch.aten", "com.microsoft.extensions", "ai.onnx.contrib.x", "ai.onnx.mlx",
                                    "com.microsoftx", "custom", "ai.onnx\x00"])
def test_onnx_look_alike_domains_are_custom(tmp_path: Path, domain: str) -> None:
    """Domains are compared whole: a prefix or suffix of a trusted one is another domain."""
    rep = bounded_scan(put(tmp_path, "m.onnx", model(graph(node("Op", domain)))))
    assert rules_of(rep) == {"onnx.custom_op"}, rep.findings


def test_onnx_node_calling_a_model_local_function_is_not_custom(tmp_path: Path) -> None:
    """A node whose (domain, op type) is a function the model defines runs that function's nodes, which are
    judged themselves: a custom op inside the function is reported, the call of the function is not."""
    clean = model(graph(node("Gelu2", "my.funcs")), functions=[function("Gelu2", "my.funcs", PLAIN, node("Mul"))])
    rep = bounded_scan(put(tmp_path / "a", "m.onnx", clean))
    assert rep.verdict == "clean", rep.findings
    # the same call with no such function, or a function of another domain, is a custom op
    for i, fns in enumerate(([], [function("Gelu2", "other.funcs", PLAIN)], [function("Gelu3", "my.funcs", PLAIN)])):
        rep = bounded_scan(put(tmp_path / f"b{i}", "m.onnx", model(graph(node("Gelu2", "my.funcs")), functions=fns)))
        assert [f.detail.count("'my.funcs'") for f in findings_of(rep, "onnx.custom_op")] == [1], rep.findings


def test_onnx_custom_ops_are_counted_not_listed_per_node(tmp_path: Path) -> None:
    """Ten thousand nodes of one custom op give one finding with the count; thousands of distinct ops are
    bounded by the per-rule listing cap (and the verdict does not change), within time and memory bounds."""
    same = model(graph(*[node("Inverse", "ai.onnx.contrib", name=f"n{i}") for i in range(10_000)]))
    rep = bounded_scan(put(tmp_path / "a", "m.onnx", same))
    hits = findings_of(rep, "onnx.custom_op")
    assert len(hits) == 1 and "9,999 more node(s)" in hits[0].detail, hits
    many = model(graph(*[node(f"Op{i}", f"vendor{i}.ops") for i in range(3_000)]))
    rep = bounded_scan(put(tmp_path / "b", "m.onnx", many), seconds=10)
    hits = findings_of(rep, "onnx.custom_op")
    assert 100 <= len(hits) <= 101 and rep.verdict == "review"
    assert any("2,900 more" in f.detail for f in hits), hits[-1]


ESCAPES = ["../../etc/passwd", "/etc/passwd", "a/../../x.bin", "..\\..\\x.bin", "C:\\Windows\\win.ini", "\\\\host\\s\\x"]


def _external_places(loc: str) -> dict[str, bytes]:
    t = tensor("w", loc)
    const = node("Constant", attrs=[attr_tensor("value", t)])
    return {
        "initializer": model(graph(PLAIN, initializers=[t])),
        "sparse initializer": model(graph(PLAIN, sparse=[pb_len(1, t) + pb_len(2, tensor("i")) + pb_int(3, 2)])),
        "Constant in an If branch": model(graph(node("If", attrs=[attr_graph("then_branch", graph(const))]))),
        "Constant in a Loop body": model(graph(node("Loop", attrs=[attr_graph("body", graph(PLAIN, const))]))),
        "Constant in a function": model(graph(node("F", "local.fn")), functions=[function("F", "local.fn", const)]),
        "training initializer": model(graph(PLAIN), training=[training_info(graph(PLAIN, initializers=[t]),
                                                                            graph(PLAIN))]),
        "function attribute default": model(graph(node("F", "local.fn")), functions=[
            function("F", "local.fn", PLAIN) + pb_len(11, attr_tensor("value", t))]),
    }


@pytest.mark.parametrize("loc", ESCAPES)
def test_onnx_external_data_escapes_are_found_in_every_graph(tmp_path: Path, loc: str) -> None:
    """External data is read wherever a tensor sits: initializers, sparse initializers, Constant values in
    subgraphs and functions, training-info graphs (those were not walked before)."""
    for place, data in _external_places(loc).items():
        rep = bounded_scan(put(tmp_path / place.replace(" ", "_"), "m.onnx", data))
        assert rep.verdict == "unsafe" and "onnx.external_data.path_traversal" in rules_of(rep), (place, rep.findings)


def test_onnx_external_data_inside_the_folder_is_not_an_escape(tmp_path: Path) -> None:
    for place, data in _external_places("weights/w.bin").items():
        folder = tmp_path / place.replace(" ", "_")
        put(folder, "weights/w.bin", b"\x00" * 8)
        rep = bounded_scan(put(folder, "m.onnx", data))
        assert rep.verdict == "clean", (place, rep.findings)


def test_a_broken_onnx_message_hides_nothing_beside_it(tmp_path: Path) -> None:
    """A node whose attribute bytes do not parse is reported as malformed, and the walk goes on: the custom
    node and the escaping initializer next to it are still found (the walk used to stop at the first error)."""
    junk = node("Add", attrs=[b"\xff\xff"])
    data = model(graph(CUSTOM, PLAIN, junk, initializers=[tensor("w", "../../etc/passwd")]))
    rep = bounded_scan(put(tmp_path, "m.onnx", data))
    assert {"onnx.custom_op", "malformed.onnx", "onnx.external_data.path_traversal"} <= rules_of(rep), rep.findings
    assert len(findings_of(rep, "malformed.onnx")) == 1


# -- chat templates saved as files --------------------------------------------------------------------------
@pytest.mark.parametrize("template", INJECTIONS)
@pytest.mark.parametrize("name", ["chat_template.jinja", "additional_chat_templates/tool_use.jinja", "x.JINJA2"])
def test_jinja_template_files_get_the_template_checks(tmp_path: Path, template: str, name: str) -> None:
    """The sandbox-escape checks of GGUF and tokenizer_config.json templates run on template files too
    (transformers reads chat_template.jinja as text and renders it). Before: listed as 'other', clean."""
    rep = bounded_scan(put(tmp_path, name, template))
    hits = findings_of(rep, "chat_template.injection")
    assert hits and hits[0].severity == "high" and rep.verdict == "unsafe", rep.findings
    assert rep.files[0].format == "chat-template"
    # the same text in a GGUF is flagged too: one pattern list for all three places
    assert "gguf.chat_template.injection" in rules_of(bounded_scan(put(tmp_path / "g", "t.gguf",
                                                                        gguf_file(template=template))))


@pytest.mark.parametrize("template", BENIGN_TEMPLATES)
def test_ordinary_template_files_stay_clean(tmp_path: Path, template: str) -> None:
    rep = bounded_scan(put(tmp_path, "chat_template.jinja", template))
    assert rep.verdict == "clean" and rep.files[0].format == "chat-template", rep.findings


def test_template_files_recognised_by_name_and_text(tmp_path: Path) -> None:
    """A template file is a *.jinja / *.jinja2 name holding UTF-8 text; content still decides first."""
    evil = INJECTIONS[0]
    # starting with '{' made it a JSON candidate (which failed to parse): still a template
    rep = bounded_scan(put(tmp_path / "a", "chat_template.jinja", "{%- set x = 1 -%}" + evil))
    assert "chat_template.injection" in rules_of(rep), rep.findings
    # with a BOM
    rep = bounded_scan(put(tmp_path / "b", "chat_template.jinja", ("\ufeff" + evil).encode("utf-8")))
    assert "chat_template.injection" in rules_of(rep), rep.findings
    # valid JSON in a template file is still the template transformers renders
    rep = bounded_scan(put(tmp_path / "c", "chat_template.jinja", json.dumps({"t": "{{ cycler._os }}"})))
    assert "chat_template.injection" in rules_of(rep), rep.findings
    # a pickle named .jinja is judged as the pickle it is
    rep = bounded_scan(put(tmp_path / "d", "chat_template.jinja", proto(2) + glob("os", "system") + bu(PAYLOAD)
                           + TUPLE1 + REDUCE + STOP))
    assert "pickle.import.denied" in rules_of(rep) and rep.files[0].format == "pickle", rep.findings
    # bytes that are not UTF-8 are no template transformers can read: listed, not searched
    rep = bounded_scan(put(tmp_path / "e", "chat_template.jinja", b"\xff\xfe" + evil.encode("utf-16-le")))
    assert rep.files[0].format == "other" and rep.verdict == "clean", rep.findings
    # the same text under another name is not loaded as a template by anything (documented)
    rep = bounded_scan(put(tmp_path / "f", "notes.txt", evil))
    assert rep.files[0].format == "other" and rep.verdict == "clean", rep.findings
    # empty template file
    assert bounded_scan(put(tmp_path / "g", "chat_template.jinja", b"")).verdict == "clean"


def test_template_files_inside_archives(tmp_path: Path) -> None:
    data = zip_of({"repo/chat_template.jinja": INJECTIONS[4].encode(), "repo/ok.jinja": BENIGN_TEMPLATES[0].encode()})
    rep = bounded_scan(put(tmp_path, "bundle.zip", data))
    hits = findings_of(rep, "chat_template.injection")
    assert [f.member for f in hits] == ["repo/chat_template.jinja"] and rep.verdict == "unsafe", rep.findings


def test_large_template_file_is_linear(tmp_path: Path) -> None:
    text = BENIGN_TEMPLATES[2] * 20_000  # ~8 MB
    t0 = thread_cpu_seconds()
    rep = bounded_scan(put(tmp_path, "chat_template.jinja", text), seconds=10, mb=200)
    # searched as text, too large to parse (audit/jinja_ast.py MAX_PARSE_CHARS): incomplete, never clean
    assert rep.verdict == "incomplete" and "incomplete.template_parse" in rules_of(rep)
    assert thread_cpu_seconds() - t0 < 10
    rep = bounded_scan(put(tmp_path / "b", "chat_template.jinja", text + INJECTIONS[8]), seconds=10, mb=200)
    assert "chat_template.injection" in rules_of(rep)


# -- pickles: class construction, call forwarding, deferred calls -------------------------------------------
def type3(p: int = 2, name: str = "Evil", ns: bytes = EMPTY_DICT) -> bytes:
    """type('Evil', (object,), {...}) by REDUCE."""
    return (proto(p) + glob("builtins" if p >= 3 else "__builtin__", "type") + MARK + bu(name)
            + glob("builtins", "object") + TUPLE1 + ns + b"t" + REDUCE + STOP)


def _ns_with(method: str, module: str, name: str) -> bytes:
    return EMPTY_DICT + bu(method) + glob(module, name) + b"s"


TYPE_ATTACKS = {
    "3-arg type, protocol 2": type3(2),
    "3-arg type, protocol 0": type3(0).replace(b"\x80\x00", b""),
    "3-arg type with a __del__ of an allowed constructor": type3(4, ns=_ns_with("__del__", "builtins", "dict")),
    "STACK_GLOBAL type": proto(4) + sg("builtins", "type") + bu("X") + EMPTY_TUPLE + EMPTY_DICT + b"\x87" + REDUCE + STOP,
    "NEWOBJ with cls=type": proto(2) + glob("builtins", "type") + bu("X") + EMPTY_TUPLE + EMPTY_DICT + b"\x87\x81" + STOP,
    "OBJ": proto(1) + MARK + glob("builtins", "type") + bu("X") + EMPTY_TUPLE + EMPTY_DICT + b"o" + STOP,
    "INST": b"(S'X'\n)}i__builtin__\ntype\n.",
    "type of an object": proto(2) + glob("builtins", "type") + glob("collections", "OrderedDict") + EMPTY_TUPLE
    + REDUCE + TUPLE1 + REDUCE + STOP,
    # a benign-looking type(None) whose memoized import is then handed to copyreg.__newobj__ to build a class
    "type(None), then the same import passed on": proto(2) + glob("builtins", "type") + MEMOIZE + b"N" + TUPLE1
    + REDUCE + POP + glob("copyreg", "__newobj__") + MARK + b"h\x00" + bu("X") + EMPTY_TUPLE + EMPTY_DICT + b"t"
    + REDUCE + STOP,
    "type imported and never called": proto(2) + glob("builtins", "type") + STOP,
    "type(None) and type() of something else": proto(2) + glob("builtins", "type") + MEMOIZE + b"N" + TUPLE1 + REDUCE
    + POP + b"h\x00" + sbu("x") + TUPLE1 + REDUCE + STOP,
}


@pytest.mark.parametrize("shape", list(TYPE_ATTACKS))
def test_builtins_type_building_classes_is_denied(tmp_path: Path, shape: str) -> None:
    """Before: `pickle.import.unknown` (medium, review)."""
    rep = bounded_scan(put(tmp_path, "m.pkl", TYPE_ATTACKS[shape]))
    denied = [f for f in findings_of(rep, "pickle.import.denied") if f.import_.endswith(".type")]
    assert denied and denied[0].severity == "critical" and rep.verdict == "unsafe", rep.findings


@pytest.mark.parametrize("p", range(6))
def test_what_pickle_writes_for_singleton_types_stays_clean(tmp_path: Path, p: int) -> None:
    """pickle writes type(None), type(NotImplemented) and type(...) as builtins.type called on the singleton
    (pickle.py save_type), and the singletons by name: plain values. Before: two or three medium findings."""
    value = {"types": [type(None), type(NotImplemented), type(...)], "values": [NotImplemented, ..., None],
             "state": {f"k{i}": type(None) for i in range(40)}}  # past the 32 dict items the model keeps
    rep = bounded_scan(put(tmp_path, "b.pkl", pickle.dumps(value, protocol=p)))
    assert rep.verdict == "clean", rep.findings
    # an object whose BUILD state holds type(None) (a dtype-like attribute), as sklearn-style pickles would
    obj = (proto(2) + glob("collections", "OrderedDict") + EMPTY_TUPLE + REDUCE + EMPTY_DICT + bu("kind")
           + glob("builtins", "type") + b"N" + TUPLE1 + REDUCE + b"s" + BUILD + STOP)
    rep = bounded_scan(put(tmp_path / "o", "b.pkl", obj))
    assert "pickle.import.denied" not in rules_of(rep), rep.findings


CALL_GADGETS = [
    ("copy", "deepcopy"), ("copy", "copy"), ("copy", "_reconstruct"), ("copy", "replace"),
    ("atexit", "register"), ("atexit", "_run_exitfuncs"), ("weakref", "finalize"), ("weakref", "ref"),
    ("_weakref", "ref"), ("_weakref", "proxy"), ("weakref", "WeakMethod"), ("gc", "get_objects"),
    ("gc", "get_referrers"), ("gc", "callbacks.append"), ("types", "new_class"), ("abc", "ABCMeta"),
    ("_py_abc", "ABCMeta"), ("enum", "EnumMeta"), ("enum", "EnumType"),
]


@pytest.mark.parametrize(("module", "name"), CALL_GADGETS)
def test_call_forwarding_and_deferred_calls_are_denied(tmp_path: Path, module: str, name: str) -> None:
    """copy.deepcopy / copy._reconstruct call callables found in their argument; atexit.register and
    weakref.finalize schedule any callable (deferred code execution); metaclasses build classes as type()
    does. Before: medium `unknown`."""
    for p, data in ((2, proto(2) + glob(module, name) + MARK + glob("builtins", "print") + bu(PAYLOAD) + b"t"
                     + REDUCE + STOP),
                    (4, proto(4) + sg(module, name) + sbu(PAYLOAD) + TUPLE1 + REDUCE + STOP)):
        rep = bounded_scan(put(tmp_path / str(p), "m.pkl", data))
        hits = [f for f in findings_of(rep, "pickle.import.denied") if f.import_ == f"{module}.{name}"]
        assert hits and rep.verdict == "unsafe", (p, rep.findings)


def test_a_deepcopy_reduce_chain(tmp_path: Path) -> None:
    """copy._reconstruct(x, None, func, args) is func(*args): a REDUCE chain through an innocent-looking helper
    (here with a callable that is only `unknown` by itself)."""
    data = (proto(2) + glob("copy", "_reconstruct") + MARK + b"N" + b"N" + glob("shlex", "split") + bu(PAYLOAD)
            + TUPLE1 + b"t" + REDUCE + STOP)
    rep = bounded_scan(put(tmp_path, "m.pkl", data))
    assert rep.verdict == "unsafe" and "copy._reconstruct" in {f.import_ for f in rep.findings}, rep.findings


def test_neighbours_of_the_new_rules_keep_their_judgment() -> None:
    """Prefixes and aliases: copyreg is not copy, _weakrefset is not _weakref, WeakValueDictionary stores
    values; ast.literal_eval and codecs.lookup call nothing they are given (left `unknown`, medium)."""
    assert judge_import("copyreg", "_reconstructor").severity is None
    assert judge_import("copy_reg", "_reconstructor").severity is None
    assert judge_import("builtins", "NotImplemented").severity is None
    assert judge_import("__builtin__", "Ellipsis").severity is None
    assert judge_import("enum", "Enum").rule == "pickle.import.review"  # enum members, not the metaclass
    for module, name in (("_weakrefset", "WeakSet"), ("weakref", "WeakValueDictionary"), ("ast", "literal_eval"),
                         ("codecs", "lookup"), ("copying", "deepcopy"), ("atexitx", "register"), ("abc", "abstractmethod")):
        assert judge_import(module, name).rule == "pickle.import.unknown", (module, name)
    for module, name in (("builtins", "type"), ("__builtin__", "type.__call__"), ("torch.serialization", "copy.deepcopy")):
        assert judge_import(module, name).severity == "critical", (module, name)


@pytest.mark.parametrize("head", ["{{- x }}{{{ y }}}", "{%- if 1 %}", "GGUF{{ x }}", "BZh9 {{ x }}", "x^{{ x }}", "[{{ x }}]"])
def test_template_text_that_looks_like_a_magic_number(tmp_path: Path, head: str) -> None:
    """Text whose first bytes look like a format's magic number ('{' at byte 8 is a safetensors length, 'GGUF',
    'BZh9', a zlib header) was read as a broken file of that format (a medium malformed finding) and its
    template never searched: now a template file is read as the text it is."""
    assert bounded_scan(put(tmp_path / "ok", "chat_template.jinja", head + BENIGN_TEMPLATES[0])).verdict == "clean"
    rep = bounded_scan(put(tmp_path / "bad", "chat_template.jinja", head + INJECTIONS[5]))
    assert rules_of(rep) == {"chat_template.injection"} and rep.files[0].format == "chat-template", rep.findings


def test_cli_json_and_sarif_carry_the_new_findings(tmp_path: Path, cli) -> None:
    """End to end through the CLI: the custom op and the template file each reach --json and SARIF with their
    rule text, and the exit codes follow --fail-on (medium custom op: 0 by default, 1 with --fail-on medium)."""
    folder = tmp_path / "m"
    put(folder, "model.onnx", model(graph(CUSTOM)))
    put(folder, "chat_template.jinja", INJECTIONS[3])
    res = cli("audit", str(folder), "--json", "--sarif", str(tmp_path / "r.sarif"))
    assert res.code == 1, res.stderr
    doc = res.json()
    assert {f["rule"] for f in doc["findings"]} == {"onnx.custom_op", "chat_template.injection"}
    assert {e["file"]: e["format"] for e in doc["files"]} == {"model.onnx": "onnx", "chat_template.jinja": "chat-template"}
    sarif = json.loads((tmp_path / "r.sarif").read_text())
    texts = {r["id"]: r["shortDescription"]["text"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert "custom-operator library" in texts["onnx.custom_op"] and "sandbox-escape" in texts["chat_template.injection"]
    (folder / "chat_template.jinja").unlink()
    assert cli("audit", str(folder), "--json").code == 0
    assert cli("audit", str(folder), "--json", "--fail-on", "medium").code == 1


def test_template_text_that_is_also_a_pickle_is_searched(tmp_path: Path) -> None:
    """'N.' is a complete pickle (None): the file read as a clean pickle and its template was never searched,
    though transformers renders all of it. Text that is a pickle too is now judged both ways."""
    rep = bounded_scan(put(tmp_path / "a", "chat_template.jinja", "N." + INJECTIONS[9]))
    assert "chat_template.injection" in rules_of(rep) and rep.verdict == "unsafe", rep.findings
    rep = bounded_scan(put(tmp_path / "b", "chat_template.jinja", "N." + BENIGN_TEMPLATES[0]))
    assert rep.verdict == "clean", rep.findings


def test_large_files_named_like_templates(tmp_path: Path) -> None:
    """Past 64 MiB a text template is incomplete (never clean); a binary file that only has the name is
    judged by its own format alone."""
    big = tmp_path / "a" / "chat_template.jinja"
    big.parent.mkdir()
    with big.open("wb") as f:
        f.write(b"{{ x }}" * 16)
        f.truncate(65 << 20)  # sparse: NUL bytes are valid UTF-8
    rep = bounded_scan(big, seconds=20, mb=300)
    assert "incomplete.template_size" in rules_of(rep) and rep.verdict == "incomplete", rep.findings
    binary = tmp_path / "b" / "chat_template.jinja"
    binary.parent.mkdir()
    with binary.open("wb") as f:
        f.write(b"\x80\x02N." + b"\xff" * 16)
        f.truncate(65 << 20)
    rep = bounded_scan(binary, seconds=20, mb=300)
    assert "incomplete.template_size" not in rules_of(rep), rep.findings


def test_onnx_fields_in_any_order_are_still_onnx(tmp_path: Path) -> None:
    """Protobuf parsers accept fields in any order; detection wanted one of fields 1-8 first, so a model whose
    functions (25), training info (20) or metadata (14) came first was listed as `other`, clean."""
    g = pb_len(7, graph(node("Helper", "local.fn"), initializers=[tensor("w", "../../etc/passwd")]))
    head = pb_int(1, 8) + pb_len(8, pb_int(2, 17))
    firsts = {"functions": pb_len(25, function("Helper", "local.fn", CUSTOM)),
              "training info": pb_len(20, training_info(graph(PLAIN), graph(CUSTOM))),
              "metadata": pb_len(14, pb_len(1, b"k") + pb_len(2, b"v")) + pb_len(25, function("Helper", "x", CUSTOM))}
    for what, first in firsts.items():
        rep = bounded_scan(put(tmp_path / what.replace(" ", "_"), "m.onnx", first + g + head))
        assert rep.files[0].format == "onnx", (what, rep.files)
        assert {"onnx.custom_op", "onnx.external_data.path_traversal"} <= rules_of(rep), (what, rep.findings)
