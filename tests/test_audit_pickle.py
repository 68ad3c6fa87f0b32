"""Regression tests for the pickle VM model: one per bypass class in the security README, each with a time
and memory bound, all under the trap that fails the test if anything is unpickled or imported."""

from __future__ import annotations

import base64
import pickle  # only pickle.dumps (writing); loading is trapped
import pickletools  # genops only parses
import struct
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
    benign_dict,
    binbytes,
    bounded_scan,
    bu,
    call,
    glob,
    imports_of,
    no_loading,  # noqa: F401
    proto,
    rules_of,
    sbs,
    sbu,
    sg,
    state_dict_pickle,
    torch_zip,
)

from openscope.audit import scan_path


def scan_bytes(tmp_path: Path, name: str, data: bytes, **kw):
    p = tmp_path / name
    p.write_bytes(data)
    return bounded_scan(p, **kw)


@pytest.mark.parametrize("p", range(6))
def test_every_protocol_reports_the_denied_call(tmp_path: Path, p: int) -> None:
    if p >= 4:
        data = proto(p) + sg("os", "system") + sbu(PAYLOAD) + TUPLE1 + REDUCE + STOP
    elif p >= 2:
        data = call("os", "system", p=p)
    else:  # protocols 0/1 have no PROTO opcode
        data = glob("os", "system") + MARK + b"V" + PAYLOAD.encode() + b"\nt" + REDUCE + STOP
    r = scan_bytes(tmp_path, f"p{p}.pkl", data)
    assert r.verdict == "unsafe"
    assert "os.system" in imports_of(r)
    assert any(f.severity == "critical" and PAYLOAD in f.detail for f in r.findings)


def test_benign_protocol0_dict_is_clean_and_not_mistaken(tmp_path: Path) -> None:
    data = b"(dp0\nVa\np1\nI1\nsVb\np2\n(lp3\nF0.5\naF1.5\nas."
    r = scan_bytes(tmp_path, "d0.pkl", data)
    assert r.verdict == "clean", r.findings
    assert r.files[0].format == "pickle"


def test_memo_desync_memoize_after_pop(tmp_path: Path) -> None:
    # memo[0] = 'os' (MEMOIZE after POP stores the *current* top, not the popped decoy)
    data = (proto(4) + sbu("os") + sbu("decoy") + POP + MEMOIZE + POP + sbu("system") + MEMOIZE + POP
            + b"h\x00" + b"h\x01" + b"\x93" + sbu(PAYLOAD) + TUPLE1 + REDUCE + STOP)
    r = scan_bytes(tmp_path, "desync.pkl", data)
    assert r.verdict == "unsafe" and "os.system" in imports_of(r)


def test_stack_global_operands_from_memo_with_decoys(tmp_path: Path) -> None:
    data = (proto(4) + sbu("os") + MEMOIZE + POP + sbu("system") + MEMOIZE + POP + sbu("torch") + MEMOIZE + POP
            + b"h\x00h\x01\x93" + sbu(PAYLOAD) + TUPLE1 + REDUCE + STOP)
    r = scan_bytes(tmp_path, "memo.pkl", data)
    assert imports_of(r) == {"os.system"}
    assert r.verdict == "unsafe"


def test_short_binstring_operands_and_dotted_names(tmp_path: Path) -> None:
    a = scan_bytes(tmp_path, "sbs.pkl", proto(4) + sbs("os") + sbs("system") + b"\x93" + sbu(PAYLOAD) + TUPLE1
                   + REDUCE + STOP)
    assert "os.system" in imports_of(a)
    b = scan_bytes(tmp_path, "dotted.pkl", proto(4) + glob("builtins", "eval.__call__") + bu("1") + TUPLE1
                   + REDUCE + STOP)
    assert b.verdict == "unsafe" and "builtins.eval.__call__" in imports_of(b)


def test_dunder_route_on_an_unknown_module_is_critical(tmp_path: Path) -> None:
    r = scan_bytes(tmp_path, "dunder.pkl", proto(4) + sg("somepkg", "thing.__globals__") + STOP)
    assert {f.rule for f in r.findings if f.severity == "critical"} == {"pickle.import.dunder"}


def test_allowlisted_module_abuse_via_build(tmp_path: Path) -> None:
    # numpy.size is not dangerous by itself, but BUILD on the imported function rewrites it
    data = (proto(4) + sg("numpy", "size") + EMPTY_DICT + sbu("shape") + sbu("x") + b"s" + BUILD + POP
            + benign_dict(2)[2:])
    r = scan_bytes(tmp_path, "build.pkl", data)
    assert "pickle.global_mutation" in rules_of(r)
    assert r.verdict == "unsafe"


def test_gadget_chain_calls_on_call_results(tmp_path: Path) -> None:
    data = (proto(2) + glob("collections", "OrderedDict") + EMPTY_TUPLE + REDUCE + bu("x") + TUPLE1 + REDUCE + STOP)
    r = scan_bytes(tmp_path, "chain.pkl", data)
    assert "pickle.call_on_result" in rules_of(r)
    assert r.verdict == "unsafe"


def test_call_whose_result_is_popped(tmp_path: Path) -> None:
    data = proto(2) + glob("os", "system") + bu(PAYLOAD) + TUPLE1 + REDUCE + POP + EMPTY_DICT + STOP
    r = scan_bytes(tmp_path, "popped.pkl", data)
    assert r.verdict == "unsafe"


def test_nested_pickle_literal_and_base64(tmp_path: Path) -> None:
    inner = call("subprocess", "getoutput")
    a = scan_bytes(tmp_path, "nested.pkl", proto(4) + glob("pickle", "loads") + binbytes(inner) + TUPLE1 + REDUCE
                   + STOP)
    nested = [f for f in a.findings if f.member and "nested pickle" in f.member]
    assert {f.import_ for f in nested} == {"subprocess.getoutput"}
    b64 = base64.b64encode(inner).decode()
    b = scan_bytes(tmp_path, "nested64.pkl", proto(4) + glob("_pickle", "loads") + glob("base64", "b64decode")
                   + bu(b64) + TUPLE1 + REDUCE + TUPLE1 + REDUCE + STOP)
    assert "subprocess.getoutput" in imports_of(b)
    # nesting inside nesting is followed to the depth limit, never forever
    deep = inner
    for _ in range(12):
        deep = proto(4) + glob("pickle", "loads") + binbytes(deep) + TUPLE1 + REDUCE + STOP
    c = scan_bytes(tmp_path, "deepnest.pkl", deep)
    assert c.verdict == "unsafe" and "hostile.nesting" in rules_of(c)


def test_headerless_broken_stream_after_a_call_is_still_a_pickle(tmp_path: Path) -> None:
    data = glob("os", "system") + MARK + b"V" + PAYLOAD.encode() + b"\nt" + REDUCE + POP + b"X\xff\xff"
    r = scan_bytes(tmp_path, "p0broken.pkl", data)
    assert r.verdict == "unsafe" and r.files[0].format == "pickle"


def test_broken_stream_after_payload(tmp_path: Path) -> None:
    data = proto(2) + glob("os", "system") + bu(PAYLOAD) + TUPLE1 + REDUCE + POP + b"X\xff\xff\xff\x7fjunk"
    r = scan_bytes(tmp_path, "broken.pkl", data)
    assert r.verdict == "unsafe"
    assert "malformed.pickle" in rules_of(r)


def test_stacked_pickles_payload_in_second(tmp_path: Path) -> None:
    r = scan_bytes(tmp_path, "stacked.pkl", benign_dict() + benign_dict() + call("os", "system"))
    assert r.verdict == "unsafe"
    assert min(f.offset for f in r.findings) >= 2 * len(benign_dict())


def test_legacy_torch_stream_layout_stops_before_raw_storages(tmp_path: Path) -> None:
    magic = 0x1950A86A20F9469CFC6C.to_bytes(10, "little")
    streams = [proto(2) + b"\x8a\x0a" + magic + STOP, proto(2) + b"M\xe9\x03" + STOP, benign_dict(),
               state_dict_pickle(1), proto(2) + b"]q\x00X\x01\x00\x00\x000q\x01a."]
    raw = b"c" + b"os\nsystem\n" * 3  # raw storage bytes that happen to look like opcodes
    r = scan_bytes(tmp_path, "legacy.pt", b"".join(streams) + raw)
    assert r.verdict == "clean", r.findings


def test_ext_opcodes_and_unknown_imports_are_review(tmp_path: Path) -> None:
    r = scan_bytes(tmp_path, "ext.pkl", proto(2) + b"\x82\x05" + EMPTY_TUPLE + REDUCE + POP
                   + glob("mypkg.models", "Net") + EMPTY_TUPLE + REDUCE + STOP)
    sev = {f.rule: f.severity for f in r.findings}
    assert sev["pickle.extension_code"] == "medium"
    assert sev["pickle.import.unknown"] == "medium"
    assert r.verdict == "review"


def test_review_tier_classes_are_low(tmp_path: Path) -> None:
    data = proto(4) + sg("sklearn.linear_model._base", "LinearRegression") + EMPTY_TUPLE + b"\x81" + EMPTY_DICT \
        + BUILD + STOP
    r = scan_bytes(tmp_path, "sk.joblib", data)
    assert r.verdict == "review" and {f.severity for f in r.findings} == {"low"}
    # a lowercase sklearn *function* is not on the inert-class tier
    f = scan_bytes(tmp_path, "skf.pkl", proto(4) + sg("sklearn.datasets", "fetch_openml") + STOP)
    assert {x.severity for x in f.findings} == {"medium"}


def test_torch_state_dict_is_clean(tmp_path: Path) -> None:
    r = scan_bytes(tmp_path, "pytorch_model.bin", torch_zip(state_dict_pickle(3)))
    assert r.verdict == "clean", r.findings
    assert r.files[0].format == "pytorch-zip"


def test_billion_laughs_expansion_is_linear(tmp_path: Path) -> None:
    # level i is a list holding level i-1 ten times (memo references): 10^40 elements if expanded
    data = proto(4) + b"]" + MEMOIZE
    for i in range(1, 41):
        data += b"]" + MARK + (b"h" + bytes([i - 1])) * 10 + b"e" + MEMOIZE
    r = scan_bytes(tmp_path, "laughs.pkl", data + STOP, seconds=5, mb=32)
    assert r.verdict == "clean", r.findings


def test_deeply_nested_marks_and_tuples_are_bounded(tmp_path: Path) -> None:
    depth = 50_000
    data = proto(2) + MARK * depth + b")" + b"t" * depth + STOP
    r = scan_bytes(tmp_path, "deep.pkl", data, seconds=10, mb=64)
    assert r.verdict == "clean", r.findings[:3]


def test_huge_declared_lengths_do_not_allocate(tmp_path: Path) -> None:
    for i, op in enumerate((b"B" + struct.pack("<I", 0xFFFFFFF0), b"\x8e" + struct.pack("<Q", 2**63),
                            b"\x8d" + struct.pack("<Q", 2**62), b"T" + struct.pack("<i", 2**31 - 1))):
        r = scan_bytes(tmp_path, f"huge{i}.pkl", proto(4) + op + b"abc", seconds=2, mb=8)
        assert "malformed.pickle" in rules_of(r)


def test_opcode_budget_gives_incomplete_not_clean(tmp_path: Path) -> None:
    from openscope.audit import Limits

    data = proto(2) + b"]" + (b"K\x01" + POP) * 30_000 + STOP
    r = scan_bytes(tmp_path, "long.pkl", data, limits=Limits(max_pickle_ops=10_000))
    assert r.verdict == "incomplete"
    assert any(f.rule.startswith("incomplete.") for f in r.findings)


@pytest.mark.parametrize("name", ["weights.safetensors", "model.txt", "noext", "x.p", "README.md"])
def test_route_by_content_never_extension(tmp_path: Path, name: str) -> None:
    r = scan_bytes(tmp_path, name, call("posix", "system"))
    assert r.verdict == "unsafe" and r.files[0].format == "pickle"


def test_text_files_are_listed_not_flagged(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("MIT License\n\nconfig: c\nstuff\n")
    (tmp_path / "notes.txt").write_text("config: yes\nsystem: no\n")
    (tmp_path / "vocab.txt").write_text("characters\nfoo\nbar baz\nqux\n")
    (tmp_path / "empty.bin").write_bytes(b"")
    r = bounded_scan(tmp_path)
    assert r.verdict == "clean", r.findings
    assert {e.file for e in r.files} == {"README.md", "notes.txt", "empty.bin", "vocab.txt"}


def test_malformed_pickle_with_header_is_reported(tmp_path: Path) -> None:
    r = scan_bytes(tmp_path, "bad.pkl", proto(2) + b"\xff\xff")
    assert "malformed.pickle" in rules_of(r) and r.verdict == "review"


def test_stack_global_with_non_string_operands_is_malformed(tmp_path: Path) -> None:
    r = scan_bytes(tmp_path, "sgbad.pkl", proto(4) + b"K\x01K\x02\x93" + STOP)
    assert rules_of(r) == {"malformed.pickle"}


def _joblib(dtype: str, shape: tuple[int, ...], after: bytes, align: bool = True) -> bytes:
    """A joblib.dump-shaped file: a NumpyArrayWrapper whose array bytes follow its BUILD in the stream."""
    dt = sg("numpy", "dtype") + sbu(dtype) + b"\x89\x88\x87" + REDUCE + MARK + b"K\x03" + sbu("<") + b"NNN" \
        + b"J\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00t" + BUILD
    shape_op = MARK + b"".join(b"K" + bytes([d]) for d in shape) + b"t"
    state = EMPTY_DICT + MARK + sbu("subclass") + sg("numpy", "ndarray") + sbu("shape") + shape_op + sbu("order") \
        + sbu("C") + sbu("dtype") + dt + sbu("allow_mmap") + b"\x88"
    if align:
        state += sbu("numpy_array_alignment_bytes") + b"K\x10"
    state += b"u"
    return (proto(4) + EMPTY_DICT + sbu("coef_") + sg("joblib.numpy_pickle", "NumpyArrayWrapper") + EMPTY_TUPLE
            + b"\x81" + state + BUILD + after + b"s" + STOP)


def test_joblib_raw_array_bytes_are_skipped_not_interpreted(tmp_path: Path) -> None:
    raw = (b"cos\nsystem\n" * 4)[:24]  # 3 float64 values whose bytes look like opcodes
    r = scan_bytes(tmp_path, "model.joblib", _joblib("f8", (3,), b"\x03\xff\xff\xff" + raw))
    assert r.verdict == "clean", r.findings
    old = scan_bytes(tmp_path, "old.joblib", _joblib("i4", (2, 3), raw, align=False))  # joblib <= 1.1: no padding
    assert old.verdict == "clean", old.findings
    short = scan_bytes(tmp_path, "short.joblib", _joblib("f8", (200,), b"\x00" + raw))
    assert "malformed.pickle" in rules_of(short)


def test_joblib_object_array_inline_pickle_is_followed(tmp_path: Path) -> None:
    r = scan_bytes(tmp_path, "obj.joblib", _joblib("O8", (1,), call("os", "system")))
    assert r.verdict == "unsafe" and "os.system" in imports_of(r)


def test_pickled_tensor_storage_checkpoint_is_scanned_not_condemned(tmp_path: Path) -> None:
    def wrap(inner: bytes) -> bytes:
        return proto(2) + glob("torch.storage", "_load_from_bytes") + binbytes(inner) + TUPLE1 + REDUCE + STOP

    ok = scan_bytes(tmp_path, "tensor.pkl", wrap(torch_zip(state_dict_pickle(1))))
    assert {(f.rule, f.severity) for f in ok.findings} == {("pickle.nested_checkpoint", "medium")}
    evil = scan_bytes(tmp_path, "evil.pkl", wrap(torch_zip(call("os", "system"))))
    assert evil.verdict == "unsafe"
    assert any(f.member and f.member.startswith("<nested checkpoint") and f.import_ == "os.system"
               for f in evil.findings)
    dynamic = scan_bytes(tmp_path, "dyn.pkl", proto(2) + glob("torch.storage", "_load_from_bytes")
                         + glob("mypkg", "fetch") + EMPTY_TUPLE + REDUCE + TUPLE1 + REDUCE + STOP)
    assert "pickle.import.denied" in rules_of(dynamic) and dynamic.verdict == "unsafe"


def test_symlinked_folders_are_listed_not_walked(tmp_path: Path) -> None:
    import os

    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "a.pkl").write_bytes(benign_dict())
    os.symlink(tmp_path / "real", tmp_path / "link")
    r = bounded_scan(tmp_path)
    assert {(e.file, e.format) for e in r.files} == {("real/a.pkl", "pickle"), ("link", "symlink-to-folder")}
    assert r.verdict == "clean"  # the linked folder lies inside the audited one: its files were scanned


def test_links_the_walk_cannot_follow_leave_the_audit_incomplete(tmp_path: Path) -> None:
    """A link to a folder elsewhere (whose pickle a loader would read through the link) and a broken link are
    content the audit did not scan: the folder is ``incomplete``, never ``clean``."""
    import os

    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "weights.pkl").write_bytes(call("posix", "system"))
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.pkl").write_bytes(benign_dict())
    os.symlink(tmp_path / "elsewhere", model / "shards")
    r = bounded_scan(model)
    assert ("shards", "symlink-to-folder") in {(e.file, e.format) for e in r.files}
    assert r.verdict == "incomplete" and "incomplete.unreadable" in rules_of(r)
    os.remove(model / "shards")
    os.symlink(tmp_path / "nowhere.bin", model / "pytorch_model.bin")
    r = bounded_scan(model)
    assert ("pytorch_model.bin", "broken-symlink") in {(e.file, e.format) for e in r.files}
    assert r.verdict == "incomplete"
    os.remove(model / "pytorch_model.bin")
    assert bounded_scan(model).verdict == "clean"


# -- properties over arbitrary plain-data pickles (written with pickle.dumps, never loaded) ---------------
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20),
                  st.binary(max_size=20))
_data = st.recursive(_leaf, lambda c: st.one_of(st.lists(c, max_size=5), st.tuples(c, c),
                                                st.dictionaries(st.text(max_size=8), c, max_size=5),
                                                st.frozensets(st.integers(), max_size=4)), max_leaves=30)
_SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@_SETTINGS
@given(obj=_data, protocol=st.integers(0, 5))
def test_plain_data_pickles_are_clean_in_every_protocol(tmp_path: Path, obj: object, protocol: int) -> None:
    p = tmp_path / "data.pkl"
    p.write_bytes(pickle.dumps(obj, protocol=protocol))
    r = scan_path(p)
    assert r.verdict == "clean", r.findings


@_SETTINGS
@given(obj=_data, protocol=st.integers(2, 5), where=st.floats(0, 1))
def test_a_call_injected_at_any_opcode_boundary_is_found(tmp_path: Path, obj: object, protocol: int,
                                                         where: float) -> None:
    data = pickle.dumps(obj, protocol=protocol)
    cuts = [pos for _, _, pos in pickletools.genops(data) if pos >= 2]  # opcode boundaries after PROTO
    at = cuts[min(int(where * len(cuts)), len(cuts) - 1)]
    payload = glob("os", "system") + bu(PAYLOAD) + TUPLE1 + REDUCE + POP
    p = tmp_path / "injected.pkl"
    p.write_bytes(data[:at] + payload + data[at:])
    r = scan_path(p)
    assert r.verdict == "unsafe" and "os.system" in imports_of(r)
