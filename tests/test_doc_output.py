"""The comparison the documentation tests use (``doc_output``): it must fail on what a reader would call a change."""

from __future__ import annotations

from doc_output import ELIDED, chunks_in_order, json_differs, parse_shown_json, shown_output


def test_the_comparison_fails_on_what_it_must_catch() -> None:
    """The matcher itself: a changed, missing or reordered line fails; `…` skips lines; JSON keys and values count."""
    printed = ["a", "b", "c", "d"]
    assert chunks_in_order(["a", "…", "c", "d"], printed, False) is None
    assert chunks_in_order(["a", "b", "c", "d"], printed, False) is None
    assert chunks_in_order(["a", "…", "d", "c"], printed, False) is not None
    assert chunks_in_order(["b", "c", "…"], printed, False) is not None          # not at the start
    assert chunks_in_order(["b", "c", "…"], printed, True) is None               # "last lines": anywhere
    assert chunks_in_order(["a", "b"], printed, False) is not None               # more printed after
    assert chunks_in_order(["a", "B", "…"], printed, False) is not None
    assert chunks_in_order(["a", " … (two lines)", "d"], printed, False) is None       # an elision that says what
    assert chunks_in_order(["a", "…two", "d"], printed, False) is not None             # a line starting with it
    assert json_differs({"a": 1, ELIDED: "more"}, {"a": 1, "b": 2}) is None
    assert json_differs({"a": 1}, {"a": 1, "b": 2}) is not None
    assert json_differs({"b": 2, "a": 1, ELIDED: ""}, {"a": 1, "b": 2}) is not None   # order counts
    assert json_differs({"read_at": "2026-11-29"}, {"read_at": "2027-01-02"}) is None
    assert json_differs({"read_at": "2026-11-29"}, {"read_at": None}) is not None
    assert json_differs({"x": [1, {"y": "z"}]}, {"x": [1, {"y": "w"}]}) is not None


def test_the_exit_code_is_read_from_rc_or_echo() -> None:
    assert shown_output(["a", "rc=66", ""], None) == (["a"], 66)
    assert shown_output(["a"], 1) == (["a"], 1)
    assert shown_output(["a  ", "", ""], None) == (["a"], 0)


def test_what_differs_between_runs_is_set_aside_and_nothing_else() -> None:
    from doc_output import stable

    assert stable(" elapsed_s  0.205") == stable(" elapsed_s  1.5")
    assert stable("started 2026-11-29 13:22:40 UTC, took 0.7 s") == stable("started 2026-12-01 09:01:02 UTC, took 12 s")
    assert stable(" records    3") != stable(" records    4")
    assert json_differs({"elapsed_s": 0.1, "records": 3}, {"elapsed_s": 2.5, "records": 3}) is None
    assert json_differs({"elapsed_s": 0.1, "records": 3}, {"elapsed_s": 2.5, "records": 4}) is not None


def test_a_shown_json_document_keeps_its_elisions() -> None:
    shown = parse_shown_json(['{', '  "a": 1,', '  …', '  "c": [1, 2, …]', '}'])
    assert shown == {"a": 1, ELIDED: ELIDED, "c": [1, 2, ELIDED]}
    assert json_differs(shown, {"a": 1, "b": 0, "c": [1, 2, 3]}) is None
    assert json_differs(shown, {"a": 1, "b": 0, "c": [1, 3, 3]}) is not None       # a shown item differs
    assert json_differs(shown, {"a": 1, "b": 0, "c": [1]}) is not None             # fewer items than shown
    assert json_differs(parse_shown_json(['{"c": [1, 2]}']), {"c": [1, 2, 3]}) is not None   # no `…`: all of them


def test_a_shown_string_may_leave_out_its_middle_or_end() -> None:
    assert json_differs("isOsiApproved: false (SPDX …)", "isOsiApproved: false (SPDX List 2024, copied)") is None
    assert json_differs("isOsiApproved: false (SPDX …)", "isOsiApproved: true (SPDX List)") is not None
    assert json_differs("a … z", "a b c z") is None
    assert json_differs("a … z", "a b c y") is not None
    assert json_differs("b …", "a b c") is not None    # the first part starts the string
