"""Third mutation-testing round (helper-mutation28) on the pickle scanner: behaviour no test pinned before.

Each test asserts what docs/audit.md ("How pickles are judged", limits) or DESIGN.md's contract promises; mutmut
showed that a change of it went unnoticed by the audit tests. Pickles are written opcode by opcode with the test
helpers (``audit_samples``); nothing is downloaded and nothing is unpickled (the autouse trap fails a test that
loads anything).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from audit_samples import (  # no_loading: the autouse trap of every audit test
    REDUCE,
    STOP,
    TUPLE1,
    TUPLE2,
    bounded_scan,
    glob,
    no_loading,  # noqa: F401
    rules_of,
)

from openscope.audit import scan_path
from openscope.audit.limits import Limits
from openscope.audit.rules import judge_import

PAD = b"N0" * 510_000  # NONE, POP: 1,020,000 opcodes, past the trial's bound of a million


def _scan(tmp_path: Path, data: bytes, name: str = "f.bin", **kw):
    p = tmp_path / name
    p.write_bytes(data)
    return bounded_scan(p, **kw)


def _format(report) -> str:
    (entry,) = report.files
    return entry.format


# -- looks_like_pickle: "Headerless data (protocols 0 and 1 have no PROTO opcode) is treated as a pickle when a
# trial run reaches STOP" (docs/audit.md): the shortest such stream is two opcodes, two bytes -----------------
@pytest.mark.parametrize("data", [b"N.", b").", b"}.", b"K\x07."])
def test_the_shortest_headerless_pickles_are_pickles(tmp_path: Path, data: bytes) -> None:
    r = _scan(tmp_path, data)
    assert _format(r) == "pickle"
    assert r.verdict == "clean", r.findings


@pytest.mark.parametrize("data", [b".", b"N", b"xy", b"N0"])
def test_headerless_data_that_never_reaches_stop_is_not_a_pickle(tmp_path: Path, data: bytes) -> None:
    r = _scan(tmp_path, data)
    assert _format(r) == "other"
    assert r.verdict == "clean", r.findings


def test_headerless_import_inside_the_trial_bound_then_padding_is_a_pickle(tmp_path: Path) -> None:
    """An import the trial already made counts, though no import opcode byte follows where it stopped."""
    p = tmp_path / "early.bin"
    p.write_bytes(glob("os", "system") + b"0" + PAD + b"N.")
    r = scan_path(p)
    assert _format(r) == "pickle"
    assert r.verdict == "unsafe" and "os.system" in {f.import_ for f in r.findings}, r.findings


def test_headerless_padding_with_import_bytes_only_before_the_bound_is_not_a_pickle(tmp_path: Path) -> None:
    """"An import opcode byte follows" the trial's bound: one inside a text argument before it is not enough."""
    p = tmp_path / "text.bin"
    p.write_bytes(b"Vcat in a hat\n0" + PAD + b"N.")
    r = scan_path(p)
    assert _format(r) == "other"


def test_headerless_broken_stream_with_valid_imports_and_a_call_on_a_value_is_a_pickle(tmp_path: Path) -> None:
    """Valid imports and a call (here of a plain value) before junk: the loader imported the names before failing."""
    r = _scan(tmp_path, glob("os", "system") + b"N)R" + b"\xff")
    assert _format(r) == "pickle"
    assert "os.system" in {f.import_ for f in r.findings}, r.findings
    assert r.verdict == "unsafe"


@pytest.mark.parametrize(("module", "name"), [("os", "not a name"), ("no such.module", "system"), ("os", "")])
def test_headerless_broken_stream_with_an_invalid_name_and_no_named_call_is_not_a_pickle(
        tmp_path: Path, module: str, name: str) -> None:
    """"Text that merely starts like GLOBAL does not count": a broken stream counts only if *every* import has a
    valid dotted name (or a validly named import is called)."""
    r = _scan(tmp_path, glob(module, name) + b"N)R" + b"\xff")
    assert _format(r) == "other"
    assert r.verdict == "clean", r.findings


def test_headerless_call_of_an_invalidly_named_import_before_junk_is_not_a_pickle(tmp_path: Path) -> None:
    """Only a call of a *validly named* import makes a broken headerless stream a pickle."""
    r = _scan(tmp_path, glob("no such.module", "system") + b"N" + TUPLE1 + REDUCE + b"\xff")
    assert _format(r) == "other"
    assert r.verdict == "clean", r.findings


def test_headerless_named_call_then_an_odd_import_before_junk_is_a_pickle(tmp_path: Path) -> None:
    """"A call of a validly named import counts even when junk after it imports odd names" (the loader ran the call
    before failing on the junk)."""
    data = glob("os", "system") + b"N" + TUPLE1 + REDUCE + b"\x8c\x00\x8c\x00\x93" + b"\xff"
    r = _scan(tmp_path, data)
    assert _format(r) == "pickle"
    assert r.verdict == "unsafe" and "os.system" in {f.import_ for f in r.findings}, r.findings


# -- pickle_polyglot: "every file of another format is also given the trial run; one that imports something and
# completes (or calls a validly named import) gets hostile.polyglot (medium) and is judged as a pickle as well. A
# pickle that imports nothing can build only plain values and is not reported" (docs/audit.md). The carrier: a
# safetensors file whose 8-byte length is a BINUNICODE opcode and its argument ('{' at byte 8 is in the text)
def _safetensors_polyglot(tail: bytes) -> bytes:
    return b"X" + (4).to_bytes(4, "little") + b"abc{" + b"0" + tail


CALL = glob("os", "system") + b"N" + TUPLE1 + REDUCE


@pytest.mark.parametrize(("tail", "polyglot"), [
    (CALL + STOP, True),  # imports, calls and completes
    (glob("os", "system") + b"0N" + STOP, True),  # imports and completes: the import alone runs code in a loader
    (CALL + b"\xff", True),  # a validly named import called before junk
    (b"N" + STOP, False),  # completes, imports nothing
    (b"N" + STOP + CALL + STOP, False),  # the first pickle imports nothing (an import only in bytes after it)
    (glob("os", "system") + b"\xff", False),  # imports, calls nothing, breaks
    (glob("no such.module", "system") + b"N" + TUPLE1 + REDUCE + b"\xff", False),  # the call's name is not valid
])
def test_a_safetensors_file_that_is_also_a_pickle(tmp_path: Path, tail: bytes, polyglot: bool) -> None:
    r = _scan(tmp_path, _safetensors_polyglot(tail), "m.safetensors")
    assert _format(r) == "safetensors"
    found = rules_of(r)
    assert ("hostile.polyglot" in found) is polyglot, r.findings
    assert ("pickle.import.denied" in found) is polyglot, r.findings
    if polyglot:
        (poly,) = [f for f in r.findings if f.rule == "hostile.polyglot"]
        assert poly.severity == "medium" and poly.offset == 0 and "read as safetensors" in poly.detail
        assert r.verdict == "unsafe"


@pytest.mark.parametrize(("tail", "polyglot"), [
    (PAD + CALL + STOP, True),  # still running valid opcodes at the trial's bound, an import after it
    (CALL + b"0" + PAD + b"N.", True),  # the import and call made within the bound
    (PAD + b"N.", False),  # padding alone: no import anywhere
])
def test_a_polyglot_padded_past_the_trial_bound(tmp_path: Path, tail: bytes, polyglot: bool) -> None:
    p = tmp_path / "m.safetensors"
    p.write_bytes(_safetensors_polyglot(tail))
    r = scan_path(p)
    assert ("hostile.polyglot" in rules_of(r)) is polyglot, r.findings
    assert ("os.system" in {f.import_ for f in r.findings}) is polyglot, r.findings



# -- scan_pickle: "Several pickles in one file are followed one after another (stacked pickles, legacy torch.save
# files, whose raw storages after the fifth pickle are not interpreted), and a stream that breaks after a payload
# still reports the payload"; limits: "64 stacked pickles", "20 million opcodes per pickle stream" ------------------
NONE_PICKLE = b"\x80\x02N."  # protocol 2, None
EVIL = b"\x80\x02" + CALL + STOP  # 18 bytes: os.system(None)


def _findings(report, rule: str) -> list:
    return [f for f in report.findings if f.rule == rule]


def test_a_broken_first_stream_names_the_stream_and_the_byte(tmp_path: Path) -> None:
    r = _scan(tmp_path, b"\x80\x02N\xff", "bad.pkl")
    (f,) = _findings(r, "malformed.pickle")
    assert f.severity == "medium" and f.offset == 3
    assert f.detail.startswith("pickle stream 1 is broken at byte 3: invalid opcode 0xff (a loader runs everything")
    assert r.verdict == "review"


def test_junk_after_a_complete_pickle_that_imports_nothing_is_no_finding(tmp_path: Path) -> None:
    """pickle.load stops at the first STOP: bytes after a harmless pickle run nothing."""
    r = _scan(tmp_path, NONE_PICKLE + b"\xff\xfe junk", "trail.pkl")
    assert _format(r) == "pickle"
    assert r.findings == [] and r.verdict == "clean"


def test_a_second_stream_breaking_after_its_import_is_reported_at_its_own_bytes(tmp_path: Path) -> None:
    data = NONE_PICKLE + b"\x80\x02" + glob("os", "system") + b"\xff"
    r = _scan(tmp_path, data, "two.pkl")
    (imp,) = _findings(r, "pickle.import.denied")
    assert imp.offset == 6 and imp.import_ == "os.system" and "(imported)" in imp.detail
    (bad,) = _findings(r, "malformed.pickle")
    at = 6 + len(glob("os", "system"))
    assert bad.offset == at and bad.detail.startswith(f"pickle stream 2 is broken at byte {at}: ")


@pytest.mark.parametrize("n", [1, 3])
def test_up_to_max_streams_stacked_pickles_are_read_whole(tmp_path: Path, n: int) -> None:
    data = NONE_PICKLE * (n - 1) + EVIL
    r = _scan(tmp_path, data, "stack.pkl", limits=Limits(max_streams=3))
    assert not [f for f in r.findings if f.incomplete], r.findings
    (imp,) = _findings(r, "pickle.import.denied")
    assert imp.offset == 4 * (n - 1) + 2
    assert r.verdict == "unsafe"


def test_past_max_streams_the_rest_is_not_read_and_says_so(tmp_path: Path) -> None:
    r = _scan(tmp_path, NONE_PICKLE * 3 + EVIL, "stack.pkl", limits=Limits(max_streams=3))
    (inc,) = _findings(r, "incomplete.pickle_streams")
    assert inc.offset == 12 and inc.severity == "info"
    assert inc.detail == "more than 3 stacked pickles; rest not read"
    assert not _findings(r, "pickle.import.denied") and r.verdict == "incomplete"


def test_the_opcode_bound_of_a_later_stream(tmp_path: Path) -> None:
    """Past max_pickle_ops (checked every 4,096 opcodes): hostile.pickle_size + incomplete.pickle_limit at the
    opcode where the count was passed, counted from the file's start, and nothing after it is read."""
    long = b"\x80\x02" + b"N0" * 5000 + b"N."  # 10,002 opcodes
    r = _scan(tmp_path, NONE_PICKLE + long + EVIL, "long.pkl", limits=Limits(max_pickle_ops=5000))
    (size,) = _findings(r, "hostile.pickle_size")
    at = 4 + 8192  # the 8,192nd opcode of stream 2 (PROTO, 2 bytes, is its first; then one byte each)
    assert size.severity == "medium" and size.offset == at
    assert size.detail == "stream 2: more than 5,000 opcodes in one stream"
    (inc,) = _findings(r, "incomplete.pickle_limit")
    assert inc.offset == at and inc.detail == "stream 2 not followed to its end: more than 5,000 opcodes in one stream"
    assert not _findings(r, "pickle.import.denied") and r.verdict == "incomplete"


LEGACY_MAGIC = b"\x80\x02\x8a\x0a" + 0x1950A86A20F9469CFC6C.to_bytes(10, "little") + STOP


@pytest.mark.parametrize("payload_stream", [2, 3, 4, 5])
def test_legacy_torch_save_reads_five_pickles(tmp_path: Path, payload_stream: int) -> None:
    """legacy torch.save: magic, protocol, sys_info, object, storage keys: a payload in any of the five runs."""
    streams = [LEGACY_MAGIC] + [NONE_PICKLE] * 4
    streams[payload_stream - 1] = EVIL
    r = _scan(tmp_path, b"".join(streams) + b"\x00" * 16, "legacy.pt")
    assert r.verdict == "unsafe" and "os.system" in {f.import_ for f in r.findings}, r.findings


def test_legacy_torch_save_raw_storages_after_the_fifth_pickle_are_not_read(tmp_path: Path) -> None:
    r = _scan(tmp_path, LEGACY_MAGIC + NONE_PICKLE * 4 + EVIL, "legacy.pt")
    assert r.findings == [] and r.verdict == "clean"


def test_stacked_pickles_without_the_legacy_magic_are_all_read(tmp_path: Path) -> None:
    """Only a first pickle holding torch's magic number makes the file a legacy checkpoint."""
    for first in (NONE_PICKLE, b"\x80\x02\x8a\x0a" + (0x1950A86A20F9469CFC6C + 1).to_bytes(10, "little") + STOP):
        r = _scan(tmp_path, first + NONE_PICKLE * 4 + EVIL, "stacked.pkl")
        assert r.verdict == "unsafe", r.findings
    r = _scan(tmp_path, NONE_PICKLE + LEGACY_MAGIC + NONE_PICKLE * 3 + EVIL, "stacked.pkl")
    assert r.verdict == "unsafe", r.findings


@pytest.mark.parametrize(("module", "name"), [("__torch__", "Net"), ("__torch__.model", "Net"),
                                              ("torch.jit._pickle", "build_intlist")])
def test_torchscript_names_in_a_plain_pickle_are_judged(tmp_path: Path, module: str, name: str) -> None:
    """Only TorchScript's own unpickler resolves __torch__.* and torch.jit._pickle.* to an archive's code: in a
    plain pickle they are imports like any other."""
    r = _scan(tmp_path, b"\x80\x02" + glob(module, name) + b"N" + TUPLE1 + REDUCE + STOP, "p.pkl")
    (f,) = [f for f in r.findings if f.import_ == f"{module}.{name}"]
    j = judge_import(module, name)
    assert (f.rule, f.severity) == (j.rule, j.severity) and j.severity in ("medium", "critical"), r.findings


# -- _report: each finding's rule, severity, offset (the opcode that made it, counted from the file's start, here in
# a second stacked pickle at byte 4), import and detail, as docs/audit.md's "How pickles are judged" lists them ----
OD = glob("collections", "OrderedDict")


@pytest.mark.parametrize(("body", "rule", "severity", "at", "imported", "detail"), [
    (b"\x82\x05" + b"0N", "pickle.extension_code", "medium", 0, None,
     "EXT opcode code 5: resolves to whatever copyreg's extension registry holds at load time"),
    (OD + b")R)R0N", "pickle.call_on_result", "high", len(OD) + 3, None,
     "REDUCE calls the result of collections.OrderedDict(…) with (): a gadget chain (a safe pickle only calls "
     "imported constructors)"),
    (b"NQ)R0N", "pickle.call_on_result", "high", 3, None,
     "REDUCE calls the result of persistent_load(…) with (): a gadget chain (a safe pickle only calls imported "
     "constructors)"),
    (glob("numpy", "size") + b"}b0N", "pickle.global_mutation", "critical", len(glob("numpy", "size")) + 1,
     "numpy.size", "BUILD changes the imported object numpy.size itself (attribute or item injection into a module)"),
    (glob("os", "system") + b"0N", "pickle.import.denied", "critical", 0, "os.system", "GLOBAL os system (imported): "),
    (glob("os", "system") + b"N" + TUPLE1 + REDUCE, "pickle.import.denied", "critical", 0, "os.system",
     "GLOBAL os system (called with (None)): "),
    (b"\x8c\x02os\x8c\x06system\x93)R", "pickle.import.denied", "critical", 12, "os.system",
     "STACK_GLOBAL os system (called with ()): "),
    # the first import of a name is reported, "called" when any import of it is
    (glob("os", "system") + b"0" + glob("os", "system") + b")R", "pickle.import.denied", "critical", 0, "os.system",
     "GLOBAL os system (called with ()): "),
])
def test_what_a_second_stream_reports(tmp_path: Path, body: bytes, rule: str, severity: str, at: int,
                                      imported: str | None, detail: str) -> None:
    r = _scan(tmp_path, NONE_PICKLE + b"\x80\x02" + body + STOP, "two.pkl")
    (f,) = _findings(r, rule)
    assert (f.severity, f.offset, f.import_) == (severity, 4 + 2 + at, imported), f
    assert f.detail.startswith(detail), f.detail


# -- builtins.type: "class construction: only type(None), type(NotImplemented) and type(...), which pickle itself
# writes, are not reported" --------------------------------------------------------------------------------------
TYPE = glob("builtins", "type")


@pytest.mark.parametrize(("body", "reported"), [
    (TYPE + b"N" + TUPLE1 + REDUCE, False),
    (glob("__builtin__", "type") + b"N" + TUPLE1 + REDUCE, False),  # the Python 2 name, mapped by _compat_pickle
    (TYPE + glob("builtins", "NotImplemented") + TUPLE1 + REDUCE, False),
    (TYPE + glob("builtins", "Ellipsis") + TUPLE1 + REDUCE, False),
    (TYPE + b"N" + TUPLE1 + REDUCE + b"0" + TYPE + b"N" + TUPLE1 + REDUCE, False),  # twice, each as pickle writes it
    (TYPE + b"\x8c\x01x" + TUPLE1 + REDUCE, True),  # type('x'): not a singleton
    (TYPE + b"N" + TUPLE1 + REDUCE + b"0" + TYPE + b"0", True),  # a second import never called
    (TYPE + b"0", True),  # imported, never called
    (TYPE + b"NN" + TUPLE2 + REDUCE, True),  # two arguments
    (TYPE + b"}b", True),  # built into: a mutation of the class itself
    # passed to another call: copyreg.__newobj__(type, ...) builds a class
    (TYPE + b"\x94N" + TUPLE1 + REDUCE + b"0" + glob("copyreg", "__newobj__") + b"h\x00" + TUPLE1 + REDUCE, True),
    (TYPE + b"\x94N" + TUPLE1 + REDUCE + b"0" + OD + b"h\x00" + TUPLE1 + TUPLE1 + REDUCE, True),  # in a tuple
    (TYPE + b"\x94N" + TUPLE1 + REDUCE + b"0" + OD + b")R}" + b"\x8c\x01kh\x00sb", True),  # in a BUILD state
])
def test_type_of_a_singleton_only(tmp_path: Path, body: bytes, reported: bool) -> None:
    r = _scan(tmp_path, b"\x80\x02" + body + b"0N" + STOP, "t.pkl")
    assert ("builtins.type" in {f.import_ for f in r.findings}) is reported, r.findings
    if reported:
        assert r.verdict == "unsafe"


# -- checkpoint loaders: "torch.storage._load_from_bytes of a bytes literal, or torch.load(io.BytesIO(literal))"
# is pickle.nested_checkpoint (medium); "with any other argument the import stays critical" ---------------------
def _bb(d: bytes) -> bytes:
    return b"C" + bytes([len(d)]) + d  # SHORT_BINBYTES


LFB = glob("torch.storage", "_load_from_bytes")
TLOAD = glob("torch", "load")
BYTESIO = glob("io", "BytesIO")


@pytest.mark.parametrize(("body", "rule", "severity"), [
    (LFB + _bb(NONE_PICKLE) + TUPLE1 + REDUCE, "pickle.nested_checkpoint", "medium"),
    (TLOAD + BYTESIO + _bb(NONE_PICKLE) + TUPLE1 + REDUCE + TUPLE1 + REDUCE, "pickle.nested_checkpoint", "medium"),
    (glob("torch.serialization", "load") + BYTESIO + _bb(NONE_PICKLE) + TUPLE1 + REDUCE + TUPLE1 + REDUCE,
     "pickle.nested_checkpoint", "medium"),
    (LFB + b"\x8c\x08/tmp/x.p" + TUPLE1 + REDUCE, "pickle.import.denied", "critical"),  # text: not bytes
    (TLOAD + _bb(b"/tmp/x.pt") + TUPLE1 + REDUCE, "pickle.import.denied", "critical"),  # a file name
    (TLOAD + b"\x8c\x08/tmp/x.p" + TUPLE1 + REDUCE, "pickle.import.denied", "critical"),
    (LFB + b"N" + TUPLE1 + REDUCE, "pickle.import.denied", "critical"),  # not a literal
    (LFB + b")" + REDUCE, "pickle.import.denied", "critical"),  # no argument
    (LFB + b"0N", "pickle.import.denied", "critical"),  # imported, never called
    # one use with a literal, one without: critical
    (LFB + b"\x94" + _bb(NONE_PICKLE) + TUPLE1 + REDUCE + b"0h\x00N" + TUPLE1 + REDUCE, "pickle.import.denied",
     "critical"),
])
def test_checkpoint_loaders(tmp_path: Path, body: bytes, rule: str, severity: str) -> None:
    r = _scan(tmp_path, b"\x80\x02" + body + b"0N" + STOP, "c.pkl")
    loader = [f for f in r.findings if f.import_ in ("torch.storage._load_from_bytes", "torch.load",
                                                        "torch.serialization.load")]
    assert [(f.rule, f.severity) for f in loader] == [(rule, severity)], r.findings
    (f,) = loader
    assert f.offset == 2
    if rule == "pickle.nested_checkpoint":
        assert f.detail.startswith(f"GLOBAL {f.import_.rsplit('.', 1)[0]} {f.import_.rsplit('.', 1)[1]}: loads an "
                                   "embedded checkpoint"), f.detail


# -- every distinct import is judged: a repeated, an allowlisted or a TorchScript-resolved name before a denied one
# does not end the judging ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("first", [
    glob("os", "system") + b"0",  # the same name twice: judged once, and the names after it still are
    OD + b"0",  # allowlisted: no finding, the next name still judged
    glob("collections", "OrderedDict") + b"0" + OD + b"0",
    LFB + _bb(NONE_PICKLE) + TUPLE1 + REDUCE + b"0",  # an embedded checkpoint (pickle.nested_checkpoint) first
])
def test_names_after_a_repeated_or_safe_import_are_judged(tmp_path: Path, first: bytes) -> None:
    body = first + glob("os", "system") + b"0" + glob("builtins", "eval") + b"0N"
    r = _scan(tmp_path, b"\x80\x02" + body + STOP, "p.pkl")
    assert {f.import_ for f in _findings(r, "pickle.import.denied")} == {"os.system", "builtins.eval"}, r.findings
    assert r.verdict == "unsafe"
    assert len(_findings(r, "pickle.import.denied")) == 2


def test_a_torchscript_archive_judges_its_other_names(tmp_path: Path) -> None:
    """TorchScript's unpickler resolves only __torch__.* and torch.jit._pickle.*; any other name, before or after
    them, is imported as Python's unpickler would."""
    from audit_samples import zip_of

    body = (glob("os", "getcwd") + b"0" + glob("__torch__", "Net") + b"0" + glob("__torch__.m", "Sub") + b"0"
            + glob("torch.jit._pickle", "build_intlist") + b"0" + glob("os", "system") + b"0N")
    z = zip_of({"net/data.pkl": b"\x80\x02" + body + STOP, "net/code/__torch__.py": b"pass\n"})
    r = _scan(tmp_path, z, "net.pt")
    assert {f.import_ for f in r.findings if f.import_} == {"os.getcwd", "os.system"}, r.findings
    assert "torchscript.code" in rules_of(r) and r.verdict == "unsafe"
