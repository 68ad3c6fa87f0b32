"""Red-team round four (docs/audit.md, "Red-team round four"): samples written here opcode by opcode or as JSON,
never loaded (the ``no_loading`` trap fails a test that unpickles or imports anything).

- joblib reads an object array's inline pickle with plain ``pickle.load`` (``NumpyArrayWrapper.read_array``), so a
  wrapper inside that pickle is an ordinary object and the bytes after it are opcodes the loader runs; the model
  skipped them as array data (clean). A wrapper's state read as a dict is read: a key set twice keeps its last
  value, and the keys joblib reads are kept past the model's item bound (review or clean before). An old
  joblib wrapper (before 0.10) naming a companion file outside the folder, which joblib.load reads (review).
- Keras configs that make loading read a file outside the archive: ``TFSMLayer`` loads the SavedModel at its
  ``filepath``; ``StringLookup``/``IntegerLookup``/``TextVectorization`` read a ``vocabulary`` given as a path, and
  KerasHub tokenizers their ``merges``/``proto`` (CVE-2025-12058 class): all read as clean.
- chat templates (GGUF, rendered without a sandbox by llama-cpp-python before 0.2.72, CVE-2024-34359) that build
  ``__init__``/``__globals__`` from an underscore no pattern saw: a nested format spec, a ``%``/``{:`` directive
  built by concatenation, ``int.to_bytes``, a character cut out of a literal, reached through a subscript of a
  Jinja global (``namespace[...]``, which falls back to getattr) or a computed key.
- transformers configs: a ``chat_template`` dict (kept and rendered by transformers) was not searched, and a
  ``custom_pipelines`` ``impl`` (imported with trust_remote_code) was not reported; nor was a sentence-transformers
  ``modules.json`` naming a module type outside the library (imported by name, its ``load`` called), nor a diffusers
  ``model_index.json`` naming a custom pipeline or a component whose code the repository ships.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from audit_samples import (  # no_loading: the autouse trap of every audit test
    BUILD,
    EMPTY_DICT,
    EMPTY_TUPLE,
    MARK,
    POP,
    REDUCE,
    STOP,
    TUPLE1,
    bu,
    gguf_file,
    glob,
    imports_of,
    no_loading,  # noqa: F401
    proto,
    rules_of,
    sbu,
    zip_of,
)

from openscope.audit import scan_path

PAYLOAD_OPS = glob("posix", "system") + bu("echo OPENSCOPE-TEST-MARKER") + TUPLE1 + REDUCE + POP


def scan(tmp_path: Path, name: str, data: bytes):
    p = tmp_path / name
    p.write_bytes(data)
    return scan_path(p)


# -- joblib: the object array's pickle is read by plain pickle.load -------------------------------------------
def dtype(spec: str) -> bytes:
    """numpy.dtype(spec, False, True) with the BUILD state pickle writes (version 3, byte order '|')."""
    state = MARK + b"K\x03" + sbu("|") + b"NNN" + b"J\xff\xff\xff\xff" * 2 + b"K\x3f" + b"t"
    return glob("numpy", "dtype") + sbu(spec) + b"\x89\x88\x87" + REDUCE + state + BUILD


def wrapper(n: int, spec: str) -> bytes:
    """joblib's NumpyArrayWrapper of shape (n,) and dtype spec, as joblib.dump pickles it (NEWOBJ, then BUILD)."""
    state = EMPTY_DICT + MARK + sbu("subclass") + glob("numpy", "ndarray") + sbu("shape") + b"K" + bytes([n]) + TUPLE1
    state += sbu("order") + sbu("C") + sbu("dtype") + dtype(spec) + sbu("allow_mmap") + b"\x89" + b"u"
    return glob("joblib.numpy_pickle", "NumpyArrayWrapper") + EMPTY_TUPLE + b"\x81" + state + BUILD


def test_a_wrapper_inside_an_object_arrays_pickle_hides_nothing(tmp_path: Path) -> None:
    """An object array's pickle holding a uint8 wrapper whose 'array data' is a call: plain pickle.load runs it."""
    inner = proto(2) + wrapper(len(PAYLOAD_OPS), "u1") + PAYLOAD_OPS + STOP
    rep = scan(tmp_path, "m.joblib", proto(2) + wrapper(1, "O") + inner + STOP)
    assert rep.verdict == "unsafe" and "posix.system" in imports_of(rep), rep.findings


def test_joblib_arrays_as_joblib_writes_them_stay_clean(tmp_path: Path) -> None:
    """Benign: a uint8 array's raw bytes at the top level, and an object array's pickle (pickle.dump of an
    ndarray: numpy's _reconstruct and the state BUILD sets, no wrapper inside)."""
    raw = proto(2) + wrapper(4, "u1") + b"\x00\x01\x02\x03" + STOP
    assert scan(tmp_path, "raw.joblib", raw).verdict == "clean"
    nd = (glob("numpy.core.multiarray", "_reconstruct") + glob("numpy", "ndarray") + b"K\x00" + TUPLE1 + sbu("b")
          + b"\x87" + REDUCE + MARK + b"K\x01" + b"K\x01" + TUPLE1 + dtype("O") + b"\x89" + b"]" + MARK
          + sbu("x") + b"e" + b"t" + BUILD)
    rep = scan(tmp_path, "obj.joblib", proto(2) + wrapper(1, "O") + proto(2) + nd + STOP + STOP)
    assert rep.verdict == "clean", rep.findings


def test_the_hidden_call_is_found_however_deep_the_wrappers_sit(tmp_path: Path) -> None:
    """Several wrappers after the object array's: plain pickle.load reads them all as objects."""
    inner = proto(2) + (wrapper(1, "O") + POP) * 3 + wrapper(len(PAYLOAD_OPS), "u1") + PAYLOAD_OPS + STOP
    rep = scan(tmp_path, "deep.joblib", proto(2) + wrapper(1, "O") + inner + STOP)
    assert rep.verdict == "unsafe" and "posix.system" in imports_of(rep), rep.findings



def _wrapper_of(pairs: list[bytes]) -> bytes:
    state = EMPTY_DICT + MARK + b"".join(pairs) + b"u"
    return glob("joblib.numpy_pickle", "NumpyArrayWrapper") + EMPTY_TUPLE + b"\x81" + state + BUILD


def _shape(n: int) -> bytes:
    return sbu("shape") + b"M" + n.to_bytes(2, "little") + TUPLE1


_BASE = [sbu("subclass") + glob("numpy", "ndarray"), sbu("order") + sbu("C"), sbu("dtype") + dtype("u1"),
         sbu("allow_mmap") + b"\x89"]


def test_a_wrapper_state_setting_shape_twice_is_read_with_the_last(tmp_path: Path) -> None:
    """A dict keeps the last value of a key set twice: joblib reads one byte (0xff, which breaks a plain
    pickle.load reading) and runs the call after it; the model took the first shape and skipped the call."""
    tail = PAYLOAD_OPS + STOP
    data = proto(2) + _wrapper_of([_shape(len(tail) + 1), *_BASE, _shape(1)]) + b"\xff" + tail
    rep = scan(tmp_path, "m.joblib", data)
    assert rep.verdict == "unsafe" and "posix.system" in imports_of(rep), rep.findings


def test_a_wrapper_state_with_many_keys_before_shape_is_still_read(tmp_path: Path) -> None:
    """40 other keys before 'shape' (the model kept 32 items): the wrapper read as unreadable (review)."""
    junk = [sbu(f"k{i}") + b"N" for i in range(40)]
    data = proto(2) + _wrapper_of([*junk, _shape(1), *_BASE]) + b"\xff" + PAYLOAD_OPS + STOP
    rep = scan(tmp_path, "m.joblib", data)
    assert rep.verdict == "unsafe" and "posix.system" in imports_of(rep), rep.findings
    benign = proto(2) + _wrapper_of([*junk, _shape(2), *_BASE]) + b"\x00\x01" + STOP
    assert scan(tmp_path, "b.joblib", benign).verdict == "clean"



@pytest.mark.parametrize("make", ["newobj_reduce", "newobj_ex_reduce", "dotted"])
def test_a_wrapper_built_another_way_is_still_read_as_joblib_reads_it(tmp_path: Path, make: str) -> None:
    """joblib's unpickler tests isinstance after BUILD: a wrapper made by copyreg.__newobj__(cls) or named
    'joblib' + 'numpy_pickle.NumpyArrayWrapper' (protocol 4) has its bytes skipped all the same. The model read
    them as opcodes, broke on the 0xff, and never reached the call joblib runs after them (review)."""
    pairs = [_shape(1), *_BASE]
    state = EMPTY_DICT + MARK + b"".join(pairs) + b"u"
    cls = glob("joblib.numpy_pickle", "NumpyArrayWrapper")
    if make == "newobj_reduce":
        w = glob("copyreg", "__newobj__") + cls + TUPLE1 + REDUCE
    elif make == "newobj_ex_reduce":
        w = glob("copyreg", "__newobj_ex__") + cls + EMPTY_TUPLE + EMPTY_DICT + b"\x87" + REDUCE
    else:
        w = sbu("joblib") + sbu("numpy_pickle.NumpyArrayWrapper") + b"\x93" + EMPTY_TUPLE + b"\x81"
    rep = scan(tmp_path, "m.joblib", proto(4) + w + state + BUILD + b"\xff" + PAYLOAD_OPS + STOP)
    assert rep.verdict == "unsafe" and "posix.system" in imports_of(rep), rep.findings


def _numeric_dtype(spec: str) -> bytes:
    """numpy.dtype(spec, False, True) with a little-endian, flag-free BUILD state (a multi-byte number)."""
    state = MARK + b"K\x03" + sbu("<") + b"NNN" + b"J\xff\xff\xff\xff" * 2 + b"K\x00" + b"t"
    return glob("numpy", "dtype") + sbu(spec) + b"\x89\x88\x87" + REDUCE + state + BUILD


@pytest.mark.parametrize("spec", ["H", "<H", "uint16", "i", "float32"])
def test_a_dtype_spelled_as_a_type_code_or_name_is_sized(tmp_path: Path, spec: str) -> None:
    """numpy.dtype('H') / ('uint16'): joblib reads shape x itemsize bytes and goes on. The model could not size
    them and read the bytes as an object array's pickle: 'N.' ended it early, and a BINBYTES after it swallowed
    the call joblib runs after the data (clean)."""
    import struct

    size = {"H": 2, "<H": 2, "uint16": 2, "i": 4, "float32": 4}[spec]
    n = 8 * size
    region = b"N." + b"B" + struct.pack("<I", n - 7 + len(PAYLOAD_OPS)) + b"a" * (n - 7)
    data = proto(2) + _wrapper_of([_shape(8), _BASE[0], _BASE[1], sbu("dtype") + _numeric_dtype(spec)])
    rep = scan(tmp_path, "m.joblib", data + region + PAYLOAD_OPS + STOP)
    assert rep.verdict == "unsafe" and "posix.system" in imports_of(rep), rep.findings
    benign = proto(2) + _wrapper_of([_shape(2), _BASE[0], _BASE[1], sbu("dtype") + _numeric_dtype(spec)])
    assert scan(tmp_path, "b.joblib", benign + b"\x00" * (2 * size) + STOP).verdict == "clean"


def test_a_dtype_the_model_cannot_size_is_incomplete_not_clean(tmp_path: Path) -> None:
    """numpy.dtype('l') is 8 bytes on Linux and 4 on Windows: where joblib goes on is not known."""
    data = proto(2) + _wrapper_of([_shape(8), _BASE[0], _BASE[1], sbu("dtype") + _numeric_dtype("l")])
    rep = scan(tmp_path, "m.joblib", data + b"N." + b"\x00" * 62 + STOP)
    assert rep.verdict == "incomplete", rep.findings


def test_a_wrapper_built_by_its_constructor_is_not_read_as_if_it_had_no_padding(tmp_path: Path) -> None:
    """NumpyArrayWrapper(ndarray, (1,), 'C', dtype) called by REDUCE runs __init__, whose default (joblib 1.2 and
    later) adds numpy_array_alignment_bytes=16: joblib reads a padding byte first. The model read the state only,
    took no padding, and a BINBYTES swallowed the call joblib runs (clean). Which reading applies depends on the
    joblib version: incomplete, never clean."""
    import struct

    args = MARK + glob("numpy", "ndarray") + b"K\x01" + TUPLE1 + sbu("C") + dtype("u1") + b"t"
    state = EMPTY_DICT + MARK + _shape(1) + b"".join(_BASE) + b"u"
    pad = 0x20
    after = (bytes([pad]) + b"B" + struct.pack("<I", (pad - 5) + 1 + len(PAYLOAD_OPS)) + b"a" * (pad - 5)
             + b"\x00" + PAYLOAD_OPS + STOP)
    cls = glob("joblib.numpy_pickle", "NumpyArrayWrapper")
    rep = scan(tmp_path, "m.joblib", proto(2) + cls + args + REDUCE + state + BUILD + after)
    assert rep.verdict == "incomplete", rep.findings
    # with the padding stated (the sixth argument), the reading is exact
    args6 = args[:-1] + b"\x89" + b"K\x10" + b"t"
    benign = proto(2) + cls + args6 + REDUCE + state + BUILD + b"\x00" + b"\x07" + STOP
    assert scan(tmp_path, "b.joblib", benign).verdict == "clean"


@pytest.mark.parametrize("form", ["state_tuple", "state_call", "shape_list"])
def test_wrapper_states_the_model_did_not_read(tmp_path: Path, form: str) -> None:
    """A (dict, slots) state is read like a dict (joblib updates __dict__ from both); a state built by a call or
    a shape given as a list, which joblib reads and the model cannot, stop the reading (incomplete): all three
    read as review, a wrapper 'without a state dict' or 'with an unreadable shape'."""
    cls = glob("joblib.numpy_pickle", "NumpyArrayWrapper") + EMPTY_TUPLE + b"\x81"
    if form == "state_tuple":
        st = MARK + EMPTY_DICT + MARK + _shape(1) + b"".join(_BASE) + b"u" + b"N" + b"t"
    elif form == "state_call":
        st = glob("builtins", "dict") + EMPTY_TUPLE + REDUCE
    else:
        st = EMPTY_DICT + MARK + sbu("shape") + b"]" + b"K\x01" + b"a" + b"".join(_BASE) + b"u"
    rep = scan(tmp_path, "m.joblib", proto(2) + cls + st + BUILD + b"\xff" + PAYLOAD_OPS + STOP)
    assert rep.verdict == ("unsafe" if form == "state_tuple" else "incomplete"), rep.findings


def _companion(filename: str, cls: str = "NDArrayWrapper", module: str = "joblib.numpy_pickle") -> bytes:
    """A joblib < 0.10 pickle: copy_reg._reconstructor(<wrapper>, object, None) with the state it BUILDs."""
    state = (EMPTY_DICT + MARK + sbu("filename") + bu(filename) + sbu("subclass") + glob("numpy", "ndarray")
             + sbu("allow_mmap") + b"\x88" + b"u")
    return (proto(2) + glob("copy_reg", "_reconstructor") + glob(module, cls) + glob("__builtin__", "object") + b"N"
            + b"\x87" + REDUCE + state + BUILD + STOP)


@pytest.mark.parametrize(("filename", "cls", "severity"), [
    ("/tmp/planted/evil.npy", "NDArrayWrapper", "critical"),
    ("../../uploads/evil.npy", "NDArrayWrapper", "critical"),
    ("C:\\Users\\x\\evil.npy", "NDArrayWrapper", "critical"),
    ("/home/user/.ssh/id_rsa", "ZNDArrayWrapper", "high"),
])
def test_an_old_joblib_wrapper_naming_a_file_outside_the_folder(tmp_path: Path, filename: str, cls: str,
                                                               severity: str) -> None:
    """joblib.load reads os.path.join(<folder>, filename): an NDArrayWrapper through np.load(allow_pickle=True),
    so a pickle planted at that path runs (it read as review: an unknown import)."""
    rep = scan(tmp_path, "m.pkl", _companion(filename, cls))
    hits = [f for f in rep.findings if f.rule == "joblib.external_array"]
    assert rep.verdict == "unsafe" and hits and hits[0].severity == severity, rep.findings


def test_an_old_joblib_wrapper_with_its_companion_beside_it_is_not_that_finding(tmp_path: Path) -> None:
    rep = scan(tmp_path, "m.pkl", _companion("m.pkl_01.npy"))
    assert "joblib.external_array" not in rules_of(rep) and rep.verdict == "review", rep.findings


# -- Keras: files read outside the archive ---------------------------------------------------------------------
def keras(*layers: dict) -> bytes:
    cfg = {"module": "keras", "class_name": "Sequential", "config": {"name": "s", "layers": list(layers)},
           "registered_name": None}
    return zip_of({"config.json": json.dumps(cfg).encode(), "metadata.json": b'{"keras_version": "3.8.0"}',
                   "model.weights.h5": b""})


@pytest.mark.parametrize("module", ["keras.layers", "keras.src.export.tfsm_layer", "keras.src.export.export_lib"])
def test_tfsm_layer_loading_an_outside_savedmodel_is_unsafe(tmp_path: Path, module: str) -> None:
    layer = {"module": module, "class_name": "TFSMLayer", "registered_name": None,
             "config": {"name": "t", "filepath": "/tmp/elsewhere/saved_model", "call_endpoint": "serve"}}
    rep = scan(tmp_path, "m.keras", keras(layer))
    assert rep.verdict == "unsafe" and "keras.module_injection" in rules_of(rep), rep.findings
    assert any("TFSMLayer loads the TensorFlow SavedModel" in f.detail for f in rep.findings)


@pytest.mark.parametrize(("cls", "key", "path"), [
    ("StringLookup", "vocabulary", "/etc/passwd"),
    ("IntegerLookup", "vocabulary", "~/.ssh/id_rsa"),
    ("TextVectorization", "vocabulary", "gs://bucket/vocab.txt"),
    ("StringLookup", "vocabulary", "../../home/user/.netrc"),
    ("BytePairTokenizer", "merges", "/etc/shadow"),
    ("SentencePieceTokenizer", "proto", "/root/.aws/credentials"),
])
def test_a_layer_reading_a_file_path_from_its_config_is_reported(tmp_path: Path, cls: str, key: str,
                                                                 path: str) -> None:
    layer = {"module": "keras.layers", "class_name": cls, "registered_name": None,
             "config": {"name": "l", key: path, "num_oov_indices": 1}}
    rep = scan(tmp_path, "m.keras", keras(layer))
    hits = [f for f in rep.findings if f.rule == "keras.file_reference"]
    assert rep.verdict == "unsafe" and hits and hits[0].severity == "high" and path in hits[0].detail, rep.findings


def test_vocabularies_as_keras_saves_them_are_not_reported(tmp_path: Path) -> None:
    """A saved StringLookup holds its vocabulary as a list (or null, with the vocabulary in the assets); a
    `proto`/`merges` key on a layer that is no tokenizer is not a file read."""
    rep = scan(tmp_path, "m.keras", keras(
        {"module": "keras.layers", "class_name": "StringLookup", "config": {"name": "a", "vocabulary": ["x", "y"]}},
        {"module": "keras.layers", "class_name": "IntegerLookup", "config": {"name": "b", "vocabulary": None}},
        {"module": "keras.layers", "class_name": "Dense", "config": {"name": "c", "units": 2, "proto": "p"}}))
    assert rep.verdict == "clean", rep.findings


# -- transformers configs ---------------------------------------------------------------------------------------
def test_a_chat_template_dict_is_searched(tmp_path: Path) -> None:
    """transformers keeps a dict chat_template as it is and renders its 'default' (or a named) template."""
    doc = {"chat_template": {"default": "{{ ''.__class__.__mro__[1].__subclasses__() }}", "rag": "{{ x }}"}}
    (tmp_path / "tokenizer_config.json").write_text(json.dumps(doc))
    rep = scan_path(tmp_path)
    hits = [f for f in rep.findings if f.rule == "chat_template.injection"]
    assert rep.verdict == "unsafe" and hits and "chat_template['default']" in hits[0].detail, rep.findings
    (tmp_path / "tokenizer_config.json").write_text(json.dumps({"chat_template": {"default": "{{ m['content'] }}"}}))
    assert scan_path(tmp_path).verdict == "clean"


def test_custom_pipelines_name_remote_code(tmp_path: Path) -> None:
    """pipeline(model, trust_remote_code=True) imports each custom pipeline's impl, as auto_map's classes."""
    doc = {"model_type": "bert", "custom_pipelines": {"pair-classification": {
        "impl": "custom_pipeline.PairClassificationPipeline", "pt": ["AutoModelForSequenceClassification"]}}}
    (tmp_path / "config.json").write_text(json.dumps(doc))
    rep = scan_path(tmp_path)
    hits = [f for f in rep.findings if f.rule == "transformers.remote_code"]
    assert hits and "custom_pipeline.PairClassificationPipeline" in hits[0].detail, rep.findings
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert", "custom_pipelines": {}}))
    assert scan_path(tmp_path).verdict == "clean"


# -- chat templates: names built at render time ------------------------------------------------------------------
REACH = "{% set d = u ~ u %}{{ namespace[d ~ 'init' ~ d][d ~ 'globals' ~ d]['os']['sys' ~ 'tem']('echo x') }}"
UNDERSCORES = [
    "{% set u = '{:{}}'.format(95, 'c') %}",  # the format spec is an argument
    "{% set u = ('{:' ~ 'c}').format(95) %}",  # a {:c} spec built by concatenation
    "{% set u = ('%' ~ 'c')|format(95) %}",  # a %c directive built by concatenation
    "{% set u = (95).to_bytes(1, 'big').decode() %}",
    "{% set u = 'a_b'[1] %}",  # cut out of a literal
    "{% set u = ('a_b'|list)[1] %}",
    "{% set u = 'a_b'.split('a')[1][0] %}",
    "{% set u = (dict(a_=1)|list|first)[1] %}",
]


@pytest.mark.parametrize("source", UNDERSCORES)
def test_gguf_templates_that_make_an_underscore_at_render_time(tmp_path: Path, source: str) -> None:
    """Each reaches os.system in a Jinja environment without a sandbox (checked by hand with getcwd) and read as
    clean: its underscore comes from a number, a format spec or a literal no pattern saw."""
    rep = scan(tmp_path, "t.gguf", gguf_file(template=source + REACH))
    assert rep.verdict == "unsafe" and "gguf.chat_template.injection" in rules_of(rep), rep.findings


@pytest.mark.parametrize("template", [
    "{% set k = x %}{{ namespace[k] }}",  # a Jinja global subscripted: getattr on the class
    "{% set k = x %}{{ joiner[k] }}",
    "{% set k = x %}{{ self[k] }}",
    "{{ ''[x] }}",  # a string literal subscripted by a name
    "{{ messages[k ~ 'class' ~ k] }}",  # a key concatenated at render time
    "{{ messages[(k ~ 'class')] }}",
    "{{ messages[k|replace('X', y)] }}",
])
def test_gguf_templates_reaching_attributes_through_subscripts(tmp_path: Path, template: str) -> None:
    rep = scan(tmp_path, "t.gguf", gguf_file(template=template))
    assert rep.verdict == "unsafe", (template, rep.findings)


@pytest.mark.parametrize("template", [
    "{{ bos_token }}{% for m in messages %}{% if m['role'] == 'user' %}{{ '[INST] ' + m['content'] + ' [/INST]' }}"
    "{% else %}{{ m['content'] + eos_token }}{% endif %}{% endfor %}",
    "{%- set ns = namespace(found_tool=false, last_index=messages|length - 1) %}{{ ns.found_tool }}",
    "{{ '[TOOL_CALLS][' ~ calls|tojson ~ ']' }}{{ out[:-1] }}{{ messages[loop.index0 - 1]['content'][1:] }}",
    "{{ strftime_now('%d %b %Y') }}{{ name | replace('-', '_') }}{{ '<|tool_call|>' + x }}",
    "{% set c = message['content'].split('</think>')[-1].lstrip('\\n') %}{{ tool['function']['name'] }}",
    "{% for k, v in tool.items() if k != 'return' %}{{ '\"' + k + '\": ' + v|tojson }}{% endfor %}",
])
def test_ordinary_template_constructs_stay_clean(tmp_path: Path, template: str) -> None:
    """Constructs real chat templates use (tool calls, namespaces with underscored names, slices, date
    formats, splits): none is read as an escape."""
    rep = scan(tmp_path, "b.gguf", gguf_file(template=template))
    assert rep.verdict == "clean", (template, rep.findings)



def _modules_json(*types: str) -> str:
    return json.dumps([{"idx": i, "name": str(i), "path": "" if i == 0 else f"{i}_Module", "type": t}
                       for i, t in enumerate(types)])


@pytest.mark.parametrize(("ref", "rule", "severity"), [
    ("os.system", "sentence_transformers.module_injection", "critical"),
    ("torch.jit", "sentence_transformers.module_injection", "critical"),  # torch.jit.load(<folder>) runs
    ("subprocess.Popen", "sentence_transformers.module_injection", "critical"),
    ("custom_pooling.MyPooling", "sentence_transformers.custom_module", "medium"),
])
def test_sentence_transformers_modules_naming_code(tmp_path: Path, ref: str, rule: str, severity: str) -> None:
    """SentenceTransformer imports each module's type by name (import_from_string, or the repository's code with
    trust_remote_code=True) and calls its load(): a type outside the library read as clean."""
    (tmp_path / "modules.json").write_text(_modules_json("sentence_transformers.models.Transformer", ref))
    rep = scan_path(tmp_path)
    hits = [f for f in rep.findings if f.rule == rule]
    assert hits and hits[0].severity == severity and ref in hits[0].detail, rep.findings


def test_sentence_transformers_own_modules_are_not_reported(tmp_path: Path) -> None:
    (tmp_path / "modules.json").write_text(_modules_json(
        "sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling",
        "sentence_transformers.models.Normalize"))
    assert scan_path(tmp_path).verdict == "clean"



def test_diffusers_model_index_naming_repository_code(tmp_path: Path) -> None:
    """DiffusionPipeline.from_pretrained(trust_remote_code=True) runs a custom pipeline (_class_name as [file,
    Class]) and a custom component (<component>/<library>.py shipped beside it): both read as clean."""
    index = {"_class_name": ["pipeline_my", "MyPipeline"], "_diffusers_version": "0.30.0",
             "unet": ["my_unet", "MyUNet"], "scheduler": ["diffusers", "PNDMScheduler"]}
    (tmp_path / "unet").mkdir()
    (tmp_path / "unet" / "my_unet.py").write_text("class MyUNet:\n    pass\n")
    (tmp_path / "model_index.json").write_text(json.dumps(index))
    rep = scan_path(tmp_path)
    hits = [f for f in rep.findings if f.rule == "transformers.remote_code" and f.file == "model_index.json"]
    assert hits and "pipeline_my.MyPipeline" in hits[0].detail and "unet/my_unet.py" in hits[0].detail, rep.findings


def test_diffusers_standard_model_index_is_not_reported(tmp_path: Path) -> None:
    """Components of diffusers, transformers and diffusers' own pipeline modules (stable_diffusion's safety
    checker), with no code of that name in the repository."""
    index = {"_class_name": "StableDiffusionPipeline", "_diffusers_version": "0.30.0",
             "unet": ["diffusers", "UNet2DConditionModel"], "text_encoder": ["transformers", "CLIPTextModel"],
             "safety_checker": ["stable_diffusion", "StableDiffusionSafetyChecker"], "feature_extractor": [None, None]}
    (tmp_path / "model_index.json").write_text(json.dumps(index))
    assert scan_path(tmp_path).verdict == "clean"
