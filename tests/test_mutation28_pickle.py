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
    bounded_scan,
    glob,
    no_loading,  # noqa: F401
    rules_of,
)

from openscope.audit import scan_path

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
