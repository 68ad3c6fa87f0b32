"""Red-team regressions: model files the audit was not tuned on, built here opcode by opcode and byte by byte.

Each test is one miss found by attacking the audit (docs/audit.md, "Red-team round"): before its fix the
file read as clean or review while a loader would run its payload. Benign shapes next to each attack keep
the fixes from flagging real models. Nothing here unpickles or imports what it scans (the trap checks it).
"""

from __future__ import annotations

import io
import json
import lzma
import pickle  # only pickle.dumps of plain arrays (writing); loading is trapped
import struct
import tarfile
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from audit_samples import (  # no_loading: the autouse trap of every audit test
    BUILD,
    EMPTY_DICT,
    EMPTY_TUPLE,
    MARK,
    PAYLOAD,
    REDUCE,
    STOP,
    TUPLE1,
    benign_dict,
    binbytes,
    bounded_scan,
    bu,
    call,
    gguf_file,
    glob,
    no_loading,  # noqa: F401
    proto,
    rules_of,
    sbu,
    sg,
    state_dict_pickle,
    torch_zip,
    zip_of,
)
from cpu_time import thread_cpu_seconds

from openscope.audit import scan_path
from openscope.audit.rules import judge_import


def scan(tmp_path: Path, name: str, data: bytes):
    p = tmp_path / name
    p.write_bytes(data)
    return bounded_scan(p)


def call4(module: str, name: str) -> bytes:
    """A protocol-4 pickle calling module.name(PAYLOAD) (STACK_GLOBAL resolves dotted names)."""
    return proto(4) + sg(module, name) + sbu(PAYLOAD) + TUPLE1 + REDUCE + STOP


# -- imports outside the first lists ----------------------------------------------------------------------
SINKS = [
    ("_operator", "attrgetter"), ("_operator", "methodcaller"), ("_functools", "partial"), ("_functools", "reduce"),
    ("_socket", "socket"), ("_pyio", "open"), ("_frozen_importlib_external", "SourceFileLoader"),
    ("_frozen_importlib", "_load"), ("_winapi", "CreateProcess"), ("_thread", "start_new_thread"),
    ("_imp", "create_dynamic"), ("uuid", "_get_command_stdout"), ("imaplib", "IMAP4_stream"),
    ("logging.config", "dictConfig"), ("logging", "FileHandler"), ("test.support.script_helper", "assert_python_ok"),
    ("idlelib.pyshell", "main"), ("unittest.mock", "_importer"), ("pkg_resources", "load_entry_point"),
    ("torch.fx.graph_module", "reduce_graph_module"), ("torch.multiprocessing", "spawn"),
    ("torch.distributed.rpc", "rpc_sync"), ("yaml", "unsafe_load"), ("sympy", "sympify"), ("numexpr", "evaluate"),
    ("pandas", "read_pickle"), ("pandas", "io.parsers.read_csv"), ("pandas", "eval"), ("numpy.lib.npyio", "load"),
    ("numpy.lib._npyio_impl", "load"), ("numpy", "lib.format.read_array"), ("numpy.lib._datasource", "DataSource"),
    ("zipfile", "ZipFile"), ("tarfile", "open"), ("gzip", "open"), ("sqlite3", "connect"), ("ssl", "wrap_socket"),
    ("concurrent.futures", "ProcessPoolExecutor"), ("platform", "_syscmd_file"), ("torch.utils.collect_env", "run"),
    ("torch.fx.experimental.symbolic_shapes", "ShapeEnv.evaluate_guards_expression"),
    ("torch.testing._internal.common_utils", "shell"), ("_osx_support", "_read_output"),
    ("joblib.externals.cloudpickle.cloudpickle", "_make_function"), ("ray.cloudpickle", "loads"),
    ("srsly", "pickle_loads"), ("transformers", "pipeline"), ("transformers", "AutoModel.from_pretrained"),
]


@pytest.mark.parametrize(("module", "name"), SINKS)
def test_sinks_outside_the_first_lists_are_denied(tmp_path: Path, module: str, name: str) -> None:
    """Each read as 'unknown' (medium, verdict review, exit 0) although loading it runs commands, execs code,
    imports by name, or touches files and the network."""
    rep = scan(tmp_path, "s.pkl", call4(module, name))
    assert rep.verdict == "unsafe" and "pickle.import.denied" in rules_of(rep), rep.findings


@pytest.mark.parametrize(("module", "name"), [("torch.serialization", "os.system"), ("collections", "abc.sys.modules"),
                                              ("numpy.core.numeric", "pickle.loads"),
                                              ("torch.serialization", "_pickle.loads")])
def test_attribute_paths_through_an_imported_module_are_judged_as_that_module(tmp_path: Path, module: str,
                                                                              name: str) -> None:
    """Protocol 4 resolves `torch.serialization` + `os.system` attribute by attribute: the attribute `os` is
    the os module torch.serialization imported, so this is os.system (it read as unknown, medium)."""
    rep = scan(tmp_path, "d.pkl", call4(module, name))
    assert rep.verdict == "unsafe"
    assert any(f.rule == "pickle.import.denied" and "through the attribute" in f.detail for f in rep.findings)


def test_unbound_method_sinks_are_high_and_plain_dotted_names_are_not(tmp_path: Path) -> None:
    rep = scan(tmp_path, "m.pkl", call4("numpy", "ndarray.tofile"))
    assert rep.verdict == "unsafe" and "pickle.import.method_sink" in rules_of(rep)
    assert judge_import("builtins", "bytes.fromhex").severity == "medium"
    assert judge_import("sklearn.tree._classes", "DecisionTreeClassifier").severity == "low"
    assert judge_import("collections", "OrderedDict").severity is None


def test_nested_pickles_are_scanned_through_c_twins_and_bytesio(tmp_path: Path) -> None:
    inner = call("posix", "system")
    for data in (proto(2) + glob("_pickle", "loads") + binbytes(inner) + TUPLE1 + REDUCE + STOP,
                 proto(2) + glob("pickle", "load") + glob("io", "BytesIO") + binbytes(inner) + TUPLE1 + REDUCE
                 + TUPLE1 + REDUCE + STOP):
        rep = scan(tmp_path, "n.pkl", data)
        assert any(f.import_ == "posix.system" and (f.member or "").startswith("<nested pickle")
                   for f in rep.findings), rep.findings


def test_keras_functions_the_rules_deny_are_reported(tmp_path: Path) -> None:
    """Keras's own modules were trusted wholesale: a config naming keras.utils.get_file or
    keras.config.enable_unsafe_deserialization (CVE-2025-9906 class) read as clean."""
    for module, fn in (("keras.utils", "get_file"), ("keras.config", "enable_unsafe_deserialization"),
                       ("keras.src.saving.serialization_lib", "enable_unsafe_deserialization")):
        ref = {"module": module, "class_name": "function", "config": fn, "registered_name": fn}
        cfg = {"module": "keras", "class_name": "Sequential", "config": {"layers": [
            {"module": "keras.layers", "class_name": "Dense", "config": {"units": 1, "activation": ref}}]}}
        data = zip_of({"config.json": json.dumps(cfg).encode(), "metadata.json": b'{"keras_version": "3.5.0"}'})
        rep = scan(tmp_path, "m.keras", data)
        assert "keras.module_injection" in rules_of(rep) and rep.verdict == "unsafe", (module, rep.findings)
    benign = {"module": "keras.layers", "class_name": "Dense",
              "config": {"activation": {"module": "keras.activations", "class_name": "function", "config": "relu"}}}
    rep = scan(tmp_path, "b.keras", zip_of({"config.json": json.dumps(benign).encode(), "metadata.json": b"{}"}))
    assert rep.verdict == "clean", rep.findings


# -- formats and encodings ----------------------------------------------------------------------------------
def npy_with(descr: str, body: bytes) -> bytes:
    hdr = f"{{'descr': {descr}, 'fortran_order': False, 'shape': (1,), }}"
    hdr += " " * ((64 - (10 + len(hdr) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr)) + hdr.encode() + body


@pytest.mark.parametrize("descr", ["'object'", "'object_'", "('O', (2,))", "{'aO': 0}", "[['a', '|O']]", "'i4,O'",
                                   "'(2,)O'", "[('a', ('O', (2,)))]"])
def test_npy_object_dtypes_in_every_form_numpy_parses(tmp_path: Path, descr: str) -> None:
    """numpy.lib.format.descr_to_dtype turns each of these into a dtype with hasobject, so np.load
    (allow_pickle=True) unpickles the data; only '|O'-like strings and tuple fields were recognised."""
    rep = scan(tmp_path, "o.npy", npy_with(descr, call("os", "system")))
    assert rep.verdict == "unsafe", (descr, rep.findings)


def test_npy_plain_and_structured_arrays_stay_clean(tmp_path: Path) -> None:
    for arr in (np.arange(6, dtype="<f4"), np.zeros(3, dtype=[("Obj", "<i4"), ("OUT", "<f8")])):
        buf = io.BytesIO()
        np.save(buf, arr)
        rep = scan(tmp_path, "b.npy", buf.getvalue())
        assert rep.verdict == "clean", rep.findings
    buf = io.BytesIO()
    np.save(buf, np.array([1, "a", None], dtype=object), allow_pickle=True)
    assert scan(tmp_path, "obj.npy", buf.getvalue()).verdict == "clean"


def _dtype(spec: str, state: bytes) -> bytes:
    return glob("numpy", "dtype") + sbu(spec) + b"\x89\x88\x87" + REDUCE + state + BUILD


OBJ_DTYPE = _dtype("O8", b"(K\x03" + sbu("|") + b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK?t")


def _joblib(dtype: bytes) -> bytes:
    """A joblib NumpyArrayWrapper of one element of `dtype`, followed by what joblib reads after it."""
    return (proto(2) + glob("joblib.numpy_pickle", "NumpyArrayWrapper") + EMPTY_TUPLE + b"\x81" + EMPTY_DICT + MARK
            + sbu("subclass") + glob("numpy", "ndarray") + sbu("shape") + b"K\x01\x85" + sbu("order") + sbu("C")
            + sbu("dtype") + dtype + sbu("allow_mmap") + b"\x89" + b"u" + BUILD)


@pytest.mark.parametrize("dtype", [
    _dtype("V8", b"(K\x03" + sbu("|") + b"N" + sbu("a") + b"\x85" + EMPTY_DICT + sbu("a") + OBJ_DTYPE + b"K\x00\x86s"
           + b"K\x08K\x01K?t"),  # structured, one object field
    _dtype("V16", b"(K\x03" + sbu("|") + OBJ_DTYPE + b"K\x02\x85\x86" + b"NNK\x10K\x01K?t"),  # sub-array of objects
    glob("numpy.dtypes", "ObjectDType") + EMPTY_TUPLE + REDUCE,  # a dtype built another way
], ids=["fields", "subarray", "ObjectDType"])
def test_joblib_arrays_whose_dtype_holds_objects_are_followed(tmp_path: Path, dtype: bytes) -> None:
    """joblib unpickles the bytes after the wrapper whenever dtype.hasobject; the model skipped them as raw
    data unless the dtype string itself was 'O', so the payload read as a broken stream (review)."""
    rep = scan(tmp_path, "a.joblib", _joblib(dtype) + call("os", "system") + STOP)
    assert rep.verdict == "unsafe", rep.findings


def test_joblib_numeric_structured_array_is_skipped_as_raw_data(tmp_path: Path) -> None:
    i4 = _dtype("i4", b"(K\x03" + sbu("<") + b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00t")
    rec = _dtype("V4", b"(K\x03" + sbu("|") + b"N" + sbu("a") + b"\x85" + EMPTY_DICT + sbu("a") + i4 + b"K\x00\x86s"
                 + b"K\x04K\x01K\x10t")
    rep = scan(tmp_path, "r.joblib", _joblib(rec) + b"cos\n" + STOP)  # 4 raw bytes that look like an import
    assert rep.verdict == "clean", rep.findings


def test_joblib_lzma_and_zfile_compression_are_decompressed(tmp_path: Path) -> None:
    """joblib.load reads legacy .lzma ('alone', its compress='lzma') and pre-0.10 'ZF' files; both read as
    'other', clean."""
    evil = call("os", "system")
    z = zlib.compress(evil)
    for name, data in (("a.joblib", lzma.compress(evil, format=lzma.FORMAT_ALONE)),
                       ("z.pkl", b"ZF" + hex(len(evil)).encode().ljust(19) + z),
                       ("z2.pkl", b"ZF" + hex(len(evil)).encode().ljust(20) + z)):
        rep = scan(tmp_path, name, data)
        assert rep.verdict == "unsafe", (name, rep.findings)
    assert scan(tmp_path, "b.joblib", lzma.compress(benign_dict(), format=lzma.FORMAT_ALONE)).verdict == "clean"
    assert scan(tmp_path, "t.txt", b"]\x00 not compressed at all, just text" * 3).verdict == "clean"


def test_zip_lzma_members_are_read(tmp_path: Path) -> None:
    """Python's zipfile (numpy.load of an .npz) reads LZMA members; they were 'incomplete', now scanned."""
    for members, want in (({"x.pkl": call("os", "system")}, "unsafe"), ({"b.pkl": benign_dict()}, "clean")):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_LZMA) as z:
            for k, v in members.items():
                z.writestr(k, v)
        rep = scan(tmp_path, "l.zip", buf.getvalue())
        assert rep.verdict == want, rep.findings


def _tar(members: list[tuple[str, bytes | tuple[bytes, str]]]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data in members:
            ti = tarfile.TarInfo(name)
            if isinstance(data, tuple):
                ti.type, ti.linkname = data
                t.addfile(ti)
            else:
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def _storage_args(key: str) -> bytes:
    return proto(2) + MARK + bu(key) + bu("cpu") + glob("torch", "FloatStorage") + b"t" + STOP


def _storages(second: bytes) -> bytes:
    """A legacy torch.save 'storages' member: count, (args pickle, int64 count, float32 data) per storage, views."""
    return (proto(2) + b"K\x02" + STOP + _storage_args("0") + struct.pack("<q", 2) + b"\x00" * 8
            + second + struct.pack("<q", 1) + b"\x00" * 4 + proto(2) + b"]" + STOP)


def _legacy(storages: bytes, tensors: bytes | None = None) -> list[tuple[str, bytes | tuple[bytes, str]]]:
    tensors = tensors if tensors is not None else proto(2) + b"K\x00" + STOP
    return [("sys_info", proto(2) + EMPTY_DICT + STOP), ("pickle", benign_dict()), ("tensors", tensors),
            ("storages", storages)]


def test_legacy_tar_records_after_raw_storage_data_are_judged(tmp_path: Path) -> None:
    """torch.load unpickles a legacy tar's 'storages' record by record between raw data; a stacked-pickle
    reading stopped at the first raw bytes, so a payload in the second record read as clean."""
    assert scan(tmp_path, "ok.pt", _tar(_legacy(_storages(_storage_args("1"))))).verdict == "clean"
    rep = scan(tmp_path, "s.pt", _tar(_legacy(_storages(call("os", "system")))))
    assert rep.verdict == "unsafe" and any(f.member == "storages" for f in rep.findings), rep.findings
    tensor1 = proto(2) + MARK + b"K\x00K\x00" + glob("torch", "FloatTensor") + b"t" + STOP + struct.pack(
        "<ii", 1, 0) + struct.pack("<qqq", 2, 1, 0)
    tensors = proto(2) + b"K\x02" + STOP + tensor1 + call("os", "system") + struct.pack("<ii", 0, 0) + b"\x00" * 8
    rep = scan(tmp_path, "t.pt", _tar(_legacy(_storages(_storage_args("1")), tensors)))
    assert rep.verdict == "unsafe" and any(f.member == "tensors" for f in rep.findings), rep.findings


def test_legacy_tar_links_are_followed_or_incomplete(tmp_path: Path) -> None:
    """tar.extract('storages') of a hard link writes the target's data; a symbolic link makes torch.load
    unpickle whatever file it points to. Both read as clean."""
    hard = [("data", _storages(call("os", "system"))), ("storages", (tarfile.LNKTYPE, "data"))]
    rep = scan(tmp_path, "h.pt", _tar(_legacy(b"")[:3] + hard))
    assert rep.verdict == "unsafe", rep.findings
    rep = scan(tmp_path, "y.pt", _tar(_legacy(b"")[:3] + [("storages", (tarfile.SYMTYPE, "/tmp/elsewhere"))]))
    assert rep.verdict == "incomplete" and "hostile.tar_link" in rules_of(rep), rep.findings


def test_headerless_pickle_padded_past_the_trial_bound(tmp_path: Path) -> None:
    """A protocol-0 pickle whose payload follows a million padding opcodes read as 'other', clean: the trial
    that decides whether headerless data is a pickle stops at a million opcodes."""
    evil = glob("os", "system") + b"(S'echo X'\ntR."
    pad = b"N0" * 510_000  # NONE, POP: 1,020,000 opcodes (scanned without the heap tracer, which is slow here)
    for name, data, want in (("p.pkl", pad + evil, "unsafe"), ("n.bin", pad, "clean")):  # n.bin imports nothing
        (tmp_path / name).write_bytes(data)
        t0 = thread_cpu_seconds()
        assert scan_path(tmp_path / name).verdict == want
        assert thread_cpu_seconds() - t0 < 20


def test_zip_appended_to_another_format_is_scanned(tmp_path: Path) -> None:
    """Keras opens a .keras file with Python's zipfile, which finds an archive from its end wherever it
    starts: a Lambda config zipped after a GGUF header, a pickle or junk read as that format, clean."""
    lam = {"module": "keras.layers", "class_name": "Lambda",
           "config": {"name": "l", "function": {"class_name": "__lambda__", "config": {"code": "YmFk"}}}}
    kz = zip_of({"config.json": json.dumps(lam).encode(), "metadata.json": b"{}"})
    for prefix in (b"\x00" * 64, gguf_file(), benign_dict()):
        rep = scan(tmp_path, "m.keras", prefix + kz)
        assert rep.verdict == "unsafe" and {"keras.lambda", "hostile.polyglot"} <= rules_of(rep), rep.findings
    # a plain pickle of a tensor holds a torch.save zip as a bytes literal: data, not an appended archive
    tensor = proto(2) + glob("torch.storage", "_load_from_bytes") + binbytes(torch_zip(state_dict_pickle())) \
        + TUPLE1 + REDUCE + STOP
    rep = scan(tmp_path, "t.pkl", tensor)
    assert "hostile.polyglot" not in rules_of(rep) and rep.verdict == "review", rep.findings


# -- GGUF chat templates ------------------------------------------------------------------------------------
INJECTIONS = [
    r"{{ ''|attr('\x5f_class__') }}",
    r"{{ ''|attr('\u005f_class\u005f_') }}",
    r"{{ ''|attr('\137\137class\137\137') }}",
    r"{{ ''|attr('\N{LOW LINE}\N{LOW LINE}class\N{LOW LINE}\N{LOW LINE}') }}",
    "{% set u = '_' %}{{ ''|attr(u ~ u ~ 'class' ~ u ~ u) }}",
    "{{ ''|attr(['_', '_', 'class', '_', '_']|join) }}",
    "{{ ''|attr('%c%cclass%c%c'|format(95, 95, 95, 95)) }}",
    "{{ ''|attr('__ssalc'|reverse ~ '__') }}",
    "{{ (range(1)|map('string')).gi_frame.f_globals }}",
    "{{ cycler._os }}",
    "{% set a = x %}{{ ''|attr(a) }}",
]
BENIGN_TEMPLATES = [
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + "
    "'\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}",
    "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
    "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
    "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% else %}"
    "{{ message['content'] + eos_token}}{% endif %}{% endfor %}",
    "{%- set ns = namespace(found=false) -%}{%- for message in messages -%}{%- if message['role'] == 'system' -%}"
    "{%- set ns.found = true -%}{%- endif -%}{%- endfor -%}{%- for tool_call in message.tool_calls -%}"
    "{{- '<tool_call>\\n' + tool_call.function.name + '\\n' + tool_call.function.arguments | tojson + "
    "'</tool_call>' -}}{%- endfor -%}{{ name | replace('-', '_') }}{{ date_string | default('26 Jul 2024') }}",
]


@pytest.mark.parametrize("template", INJECTIONS)
def test_chat_templates_that_build_dunder_names_at_render_time(tmp_path: Path, template: str) -> None:
    """The pattern list caught literal dunders only; names built from escapes, concatenation, join, %c or a
    variable, and globals reached through frames or private attributes read as clean."""
    rep = scan(tmp_path, "t.gguf", gguf_file(template=template))
    assert "gguf.chat_template.injection" in rules_of(rep) and rep.verdict == "unsafe", rep.findings


@pytest.mark.parametrize("template", BENIGN_TEMPLATES)
def test_ordinary_chat_templates_stay_clean(tmp_path: Path, template: str) -> None:
    assert scan(tmp_path, "b.gguf", gguf_file(template=template)).verdict == "clean"


def test_hdf5_keras_config_with_escaped_keys_and_any_key_order(tmp_path: Path) -> None:
    """JSON lets every key and value be \\u-escaped and Keras reads keys in any order: a config starting with
    "name" whose Lambda is spelt "\\u004cambda" under "\\u0063lass_name" matched neither byte pattern."""
    layer = ('{"name": "l", "\\u0063lass_name": "\\u004cambda", "config": {"name": "l", "function": ["YmFk", null, '
             'null], "function_\\u0074ype": "\\u006cambda"}}')
    cfg = '{"name": "m", "\\u0063lass_name": "Sequential", "config": {"name": "m", "layers": [' + layer + ']}}'
    rep = scan(tmp_path, "m.h5", b"\x89HDF\r\n\x1a\n" + b"\x00" * 100 + cfg.encode() + b"\x00" * 8)
    assert "keras.lambda" in rules_of(rep) and rep.verdict == "unsafe", rep.findings


def test_npy_header_padded_past_the_parse_limit_is_still_read(tmp_path: Path) -> None:
    """np.load(allow_pickle=True) ignores its header size limit: an object array whose header was padded to
    200 kB read as 'malformed' (review) with its pickle never scanned."""
    pad = " " * 200_000
    hdr = "{'descr': '|O'," + pad + "'fortran_order': False, 'shape': (1,), }" + pad + "\n"
    data = b"\x93NUMPY\x02\x00" + struct.pack("<I", len(hdr)) + hdr.encode() + call("os", "system")
    assert scan(tmp_path, "p.npy", data).verdict == "unsafe"
    junk = "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': [" + "1," * 60_000 + "]}"
    data = b"\x93NUMPY\x02\x00" + struct.pack("<I", len(junk)) + junk.encode() + b"\x00" * 4
    assert scan(tmp_path, "j.npy", data).verdict == "incomplete"  # a literal too long to parse is not clean


def test_zip_with_more_members_than_scanned_is_incomplete(tmp_path: Path) -> None:
    from openscope.audit.limits import Limits

    data = zip_of({f"m{i}.txt": b"x" for i in range(30)} | {"z.pkl": benign_dict()})
    p = tmp_path / "many.zip"
    p.write_bytes(data)
    assert scan_path(p, Limits(max_members=10)).verdict == "incomplete"  # it read as clean
    assert scan_path(p).verdict == "clean"


def test_keras_torch_module_wrapper_is_reported(tmp_path: Path) -> None:
    """Keras 3's TorchModuleWrapper torch.loads (unpickles) the module stored in its own config."""
    cfg = {"module": "keras.layers", "class_name": "TorchModuleWrapper", "config": {"module": "gAJ9cQAu"}}
    data = zip_of({"config.json": json.dumps(cfg).encode(), "metadata.json": b"{}"})
    assert scan(tmp_path, "t.keras", data).verdict == "unsafe"


def test_torch_load_of_a_file_name_is_not_an_embedded_checkpoint(tmp_path: Path) -> None:
    """torch.load('/elsewhere/evil.pt') loads a file this audit never saw; it read as an embedded checkpoint
    (medium, review) because its argument is a literal. Only bytes (or io.BytesIO of bytes) are embedded."""
    for arg in (bu("/tmp/elsewhere.pt"), binbytes(b"/tmp/elsewhere.pt")):
        for module in ("torch", "torch.serialization"):
            rep = scan(tmp_path, "p.pkl", proto(2) + glob(module, "load") + arg + TUPLE1 + REDUCE + STOP)
            assert rep.verdict == "unsafe" and "pickle.nested_checkpoint" not in rules_of(rep), rep.findings
    rep = scan(tmp_path, "s.pkl", proto(2) + glob("torch.storage", "_load_from_bytes") + bu("x") + TUPLE1 + REDUCE
               + STOP)
    assert rep.verdict == "unsafe"
    embedded = binbytes(torch_zip(call("os", "system")))
    rep = scan(tmp_path, "b.pkl", proto(2) + glob("torch", "load") + glob("io", "BytesIO") + embedded + TUPLE1
               + REDUCE + TUPLE1 + REDUCE + STOP)
    assert rep.verdict == "unsafe" and any("<nested checkpoint" in (f.member or "") for f in rep.findings)


def test_config_auto_map_remote_code_is_not_clean(tmp_path: Path) -> None:
    """A folder whose config.json auto_map names modeling code read as clean, though loading it with
    trust_remote_code=True imports and runs that code (possibly from another repository)."""
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "x", "auto_map": {
        "AutoModel": "modeling_x.XModel", "AutoConfig": "other/repo--configuration_x.XConfig"}}))
    (tmp_path / "modeling_x.py").write_text("import os\n")
    rep = bounded_scan(tmp_path)
    assert rep.verdict == "review" and "transformers.remote_code" in rules_of(rep), rep.findings
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert", "hidden_size": 8}))
    assert bounded_scan(tmp_path).verdict == "clean"


def test_benign_shapes_near_the_new_rules_stay_below_high(tmp_path: Path) -> None:
    """Distributed-checkpoint metadata, numpy pickles of every protocol and a state dict must not become
    unsafe through the rules this round added (torch.distributed is denied for its network calls only)."""
    dcp = proto(4) + sg("torch.distributed.checkpoint.metadata", "Metadata") + EMPTY_TUPLE + b"\x81" + STOP
    assert scan(tmp_path, ".metadata", dcp).verdict == "review"
    for p in range(6):
        for arr in (np.arange(4, dtype="<f4"), np.zeros(2, dtype=[("a", "<i4"), ("b", "<f8", (2,))])):
            assert scan(tmp_path, "a.pkl", pickle.dumps(arr, protocol=p)).verdict == "clean"
    assert scan(tmp_path, "sd.pt", torch_zip(state_dict_pickle())).verdict == "clean"


def test_joblib_array_bytes_that_plain_pickle_load_runs(tmp_path: Path) -> None:
    """joblib skips an array's bytes as raw data, so the model did too; pickle.load (a .pkl is not always read
    by joblib) goes on interpreting them as opcodes: a uint8 'array' spelling a payload read as clean."""
    body = glob("os", "system") + bu(PAYLOAD) + TUPLE1 + REDUCE + b"0"  # the call, then POP its result
    u1 = _dtype("u1", b"(K\x03" + sbu("|") + b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00t")
    shadow = _joblib(u1).replace(b"K\x01\x85", bytes([0x4B, len(body)]) + b"\x85", 1) + body + STOP
    rep = scan(tmp_path, "s.pkl", shadow)
    assert rep.verdict == "unsafe" and "hostile.joblib_shadow" in rules_of(rep), rep.findings
    assert scan(tmp_path, "b.joblib", _joblib(u1) + b"\x07" + STOP).verdict == "clean"


def test_npz_of_object_arrays_is_not_a_pickle_polyglot(tmp_path: Path) -> None:
    """A zip starts with 'PK', read as PERSID: torch.load reads the file as a zip and every other unpickler
    stops there (no persistent_load), so the object-array pickle inside a stored .npz runs only through
    numpy.load, where it is judged as a member. Benign .npz files of object arrays read as review."""
    buf = io.BytesIO()
    np.savez(buf, a=np.array([1, "x", None], dtype=object))
    assert scan(tmp_path, "b.npz", buf.getvalue()).verdict == "clean"
    rep = scan(tmp_path, "m.npz", zip_of({"a.npy": npy_with("'|O'", call("os", "system"))}))
    assert rep.verdict == "unsafe" and any(f.member == "a.npy!<object array pickle>" for f in rep.findings)


def test_tokenizer_config_chat_templates_are_checked(tmp_path: Path) -> None:
    """transformers renders tokenizer_config.json chat templates in Jinja's sandbox, which format-string and
    |attr tricks escaped before Jinja 3.1.6 (CVE-2024-56326, CVE-2025-27516); they were not looked at."""
    evil = "{{ '{0.__class__.__init__.__globals__}'|attr('format')(x) }}"
    for value in (evil, [{"name": "default", "template": BENIGN_TEMPLATES[0]}, {"name": "tool_use", "template": evil}]):
        (tmp_path / "tokenizer_config.json").write_text(json.dumps({"chat_template": value, "eos_token": "</s>"}))
        rep = bounded_scan(tmp_path)
        assert rep.verdict == "unsafe" and "chat_template.injection" in rules_of(rep), rep.findings
    for template in BENIGN_TEMPLATES:
        (tmp_path / "tokenizer_config.json").write_text(json.dumps({"chat_template": template}))
        assert bounded_scan(tmp_path).verdict == "clean"


@pytest.mark.parametrize("unit", ["_", "{", "x__", "'_", "~ "])
def test_chat_template_patterns_are_linear_on_long_runs(tmp_path: Path, unit: str) -> None:
    """The first version of the new patterns backtracked quadratically: 20 kB of '_' took 2 s (a megabyte,
    an hour). Every pattern is now fixed-width or bounded around its repeat."""
    t0 = thread_cpu_seconds()
    scan(tmp_path, "long.gguf", gguf_file(template=unit * (1_000_000 // len(unit))))
    assert thread_cpu_seconds() - t0 < 5


def test_long_dotted_names_are_judged_in_linear_time() -> None:
    """Trying every split of a dotted name (for attribute paths through modules) was cubic: a 4 kB name took
    78 s. Split points are now bounded and found in place; names walking through many denied modules are
    hostile by construction."""
    for name, want in (("a." * 3_000_000 + "os.system", "critical"), ("a." * 3_000_000 + "b", "medium"),
                       ("io.x." * 1000 + "y", "critical"), ("a." * 2000 + "b", "medium")):
        t0 = thread_cpu_seconds()
        assert judge_import("openscope_test_pkg", name).severity == want
        assert thread_cpu_seconds() - t0 < 5


def test_zip_lzma_properties_the_decoder_refuses_are_malformed(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_LZMA) as z:
        z.writestr("x.pkl", call("os", "system"))
    data = bytearray(buf.getvalue())
    nlen, xlen = struct.unpack_from("<HH", data, 26)
    data[30 + nlen + xlen + 4] = 8 + 9 * 4 + 45 * 4  # lc=8, lp=4, pb=4: liblzma refuses it
    rep = scan(tmp_path, "p.zip", bytes(data))
    assert rep.verdict == "review" and "malformed.compressed_stream" in rules_of(rep), rep.findings
    assert "incomplete.scanner_error" not in rules_of(rep)
