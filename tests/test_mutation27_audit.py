"""Second mutation-testing round (helper-mutation27) on the static audit: behaviour no test pinned before.

Each test asserts what docs/audit.md or DESIGN.md's contract promises (the import rules' order and matching, the
JSON shape of ``files``, the verdict and exit codes); mutmut showed a change of it went unnoticed. Samples are
built with the test helpers (``audit_samples``), nothing is downloaded and nothing is unpickled.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from audit_samples import (  # no_loading: the autouse trap of every audit test
    call,
    no_loading,  # noqa: F401
    state_dict_pickle,
    torch_zip,
)

from openscope.audit.findings import Finding, exit_code, verdict
from openscope.audit.rules import EDGE, cuts, judge_import


# -- rules.cuts: "a dotted imported name is split into module and attribute path at its first and last 32
# dots only" (docs/audit.md, limits) ---------------------------------------------------------------------
def _dots(name: str) -> list[int]:
    return [i for i, ch in enumerate(name) if ch == "."]


@pytest.mark.parametrize("name", [
    "", "plain", ".", "a.b", ".a", "a.", "ab.cd.ef", "..", ".".join("x" * 10),
    ".".join(["p"] * (2 * EDGE)),  # exactly 2 x 32 dots + 1: all of them
    ".".join(["p"] * EDGE),
])
def test_cuts_are_every_dot_of_a_real_name(name: str) -> None:
    assert cuts(name) == _dots(name)


@pytest.mark.parametrize("parts", [2 * EDGE + 2, 2 * EDGE + 40, 500])
def test_cuts_of_a_long_name_are_its_first_and_last_32_dots(parts: int) -> None:
    name = ".".join(f"c{i}" for i in range(parts))
    dots = _dots(name)
    assert cuts(name) == dots[:EDGE] + dots[-EDGE:]


# -- rules: a module is matched as a whole dotted component ("the module, its submodules and any attribute
# path below a listed name"), never as a prefix of another module's name ---------------------------------
@pytest.mark.parametrize(("module", "name", "rule"), [
    ("pandas", "read_csv", "pickle.import.denied"),
    ("pandas", "io.parsers.read_csv", "pickle.import.denied"),  # documented: pandas + io.parsers.read_csv
    ("pandas.io.parsers", "read_csv", "pickle.import.denied"),
    ("pandas", "DataFrame", "pickle.import.unknown"),
    ("pandasx", "read_csv", "pickle.import.unknown"),  # another module whose name starts like pandas
    ("pandas_extra.io", "read_csv", "pickle.import.unknown"),
    ("joblibx", "load", "pickle.import.unknown"),
    ("joblib", "load", "pickle.import.denied"),
    ("yamlish", "load", "pickle.import.unknown"),
    ("yaml", "load", "pickle.import.denied"),
    # the review tier: scikit-learn classes (CapWords), not sklearn.datasets (docs/audit.md, rule 4)
    ("sklearn.linear_model._base", "LinearRegression", "pickle.import.review"),
    ("sklearn", "Pipeline", "pickle.import.review"),
    ("sklearn.datasets", "Bunch", "pickle.import.unknown"),
    ("sklearn.datasets._base", "Bunch", "pickle.import.unknown"),
    ("sklearn", "datasets.Bunch", "pickle.import.unknown"),
    ("sklearn.utils._testing", "TempMemmap", "pickle.import.unknown"),
    ("sklearn.linear_model", "make_thing", "pickle.import.unknown"),
    ("sklearnx.tree", "Tree", "pickle.import.unknown"),
    # the allowlist: storage types, also as legacy CUDA checkpoints name them (torch.cuda.FloatStorage);
    # a dotted name is no storage type ("dotted tricks do not" match the allowlist)
    ("torch", "FloatStorage", "pickle.import.safe"),
    ("torch.cuda", "FloatStorage", "pickle.import.safe"),
    ("torch", "cuda.FloatStorage", "pickle.import.unknown"),
    ("collections", "OrderedDict", "pickle.import.safe"),
    ("collections", "OrderedDict.fromkeys", "pickle.import.unknown"),
])
def test_a_rule_covers_its_module_as_a_whole_component(module: str, name: str, rule: str) -> None:
    j = judge_import(module, name)
    assert j.rule == rule
    if rule == "pickle.import.unknown":  # never silently safe: the reader is told to review it
        assert (j.severity, j.reason) == ("medium", "not on the allowlist: loading imports this module and may "
                                          "call it; review it")
    if rule == "pickle.import.review":
        assert j.severity == "low" and j.reason.startswith("known-inert third-party class: ")


# -- Python 2 names: judged under the name the unpickler imports (``_compat_pickle``'s tables, then our aliases;
# docs/audit.md: "SimpleHTTPServer.test is http.server.test") --------------------------------------------------
@pytest.mark.parametrize(("module", "name", "severity"), [
    ("SimpleHTTPServer", "test", "critical"),
    ("thread", "start_new_thread", "critical"),  # _thread
    ("SocketServer", "TCPServer", "critical"),
    ("cookielib", "CookieJar", "critical"),
    ("xmlrpclib", "ServerProxy", "critical"),
    ("__builtin__", "eval", "critical"),
    ("copy_reg", "_reconstructor", None),
    ("__builtin__", "xrange", None),  # builtins.range: a Python 2 pickle of a range is a plain value
    ("__builtin__", "unicode", None),  # builtins.str
    ("__builtin__", "reduce", "critical"),  # functools.reduce (documented)
])
def test_python2_module_names_are_judged_as_what_they_import(module: str, name: str, severity: str | None) -> None:
    assert judge_import(module, name).severity == severity


# -- dunders and long attribute paths (docs/audit.md, rules 2 and 3, and the limits) ----------------------------
@pytest.mark.parametrize(("name", "rule"), [
    ("Net.__x__", "pickle.import.dunder"),  # a dunder of one letter is still one
    ("Net.__globals__", "pickle.import.dunder"),
    ("Net__", "pickle.import.unknown"),  # ends like a dunder, is none
    ("__Net", "pickle.import.unknown"),
    ("____", "pickle.import.unknown"),  # nothing between the underscores
    ("Net", "pickle.import.unknown"),
])
def test_only_a_dunder_attribute_is_the_dunder_rule(name: str, rule: str) -> None:
    j = judge_import("mypkg", name)
    assert j.rule == rule
    assert j.severity == ("critical" if rule == "pickle.import.dunder" else "medium")


@pytest.mark.parametrize(("module", "name", "reaches"), [
    ("torch.serialization", "os.system", "os.system"),  # the documented example
    ("mypkg.utils", "builtins.eval", "builtins.eval"),  # a rule that names its functions: the split must be exact
    ("mypkg", "torch.hub.load", "torch.hub.load"),
    ("mypkg", "a.bb.builtins.exec", "builtins.exec"),  # the path starts at a later component
])
def test_an_attribute_path_through_a_denied_module_is_judged_as_that_module(module: str, name: str,
                                                                             reaches: str) -> None:
    j = judge_import(module, name)
    assert (j.severity, j.rule) == ("critical", "pickle.import.denied")
    assert j.reason.startswith(f"reaches {reaches} through the attribute '{reaches.split('.')[0]}': ")


def test_the_dunder_finding_names_every_dunder_it_reaches_through() -> None:
    j = judge_import("mypkg", "Net.__class__.__init__.__globals__")
    assert j.reason == ("reaches interpreter internals through __class__/__init__/__globals__ "
                        "(a known scanner bypass)")


@pytest.mark.parametrize(("name", "severity", "rule"), [
    ("ndarray.tofile", "high", "pickle.import.method_sink"),
    ("core.ndarray.tofile", "high", "pickle.import.method_sink"),  # the last component decides, however deep
    ("Frame.to_pickle", "high", "pickle.import.method_sink"),
    ("system", "medium", "pickle.import.unknown"),  # one component: a function of the module, not a method
    ("tofile", "medium", "pickle.import.unknown"),
    ("tofile.Thing", "medium", "pickle.import.unknown"),
])
def test_a_method_sink_is_the_last_component_of_a_dotted_name(name: str, severity: str, rule: str) -> None:
    j = judge_import("mypkg", name)
    assert (j.severity, j.rule) == (severity, rule)
    if rule == "pickle.import.method_sink":
        assert j.reason.startswith("an unbound method that writes files, runs commands or loads code")


def test_more_than_16_components_naming_denied_modules_is_critical_without_search() -> None:
    # `torch` heads denied modules (torch.hub, torch.jit), and `torch.nn.Linear` is no denied name: 16 such
    # components are judged one by one (nothing denied), 17 are past the bound and critical
    sixteen = judge_import("mypkg", ".".join(["torch"] * 16 + ["nn", "Linear"]))
    assert (sixteen.severity, sixteen.rule) == ("medium", "pickle.import.unknown")
    seventeen = judge_import("mypkg", ".".join(["torch"] * 17 + ["nn", "Linear"]))
    assert (seventeen.severity, seventeen.rule) == ("critical", "pickle.import.denied")
    assert "attribute path through 17 names of denied modules" in seventeen.reason


# -- the JSON shape of ``files`` (docs/audit.md, "JSON shape and verdict") -----------------------------------
def test_files_entries_carry_same_as_and_link_to_only_where_they_apply(cli, tmp_path: Path) -> None:
    d = tmp_path / "m"
    d.mkdir()
    weights = torch_zip(state_dict_pickle(1))
    (d / "pytorch_model.bin").write_bytes(weights)
    (d / "alias.bin").symlink_to("pytorch_model.bin")
    res = cli("audit", d, "--json")
    assert res.code == 0, res.stderr
    files = {e["file"]: e for e in json.loads(res.stdout)["files"]}
    kept, other = sorted(files)  # alias.bin, pytorch_model.bin: one is read, the other names it
    entries = [files[kept], files[other]]
    plain = [e for e in entries if "same_as" not in e]
    named = [e for e in entries if "same_as" in e]
    assert len(plain) == 1 and len(named) == 1
    assert named[0]["same_as"] == plain[0]["file"]
    for e in entries:
        assert e["format"] == "pytorch-zip" and e["bytes"] == len(weights)
        assert list(e)[:3] == ["file", "format", "bytes"]
    # the symbolic link's entry says where it points; the plain file's has no link_to
    assert files["alias.bin"].get("link_to") == str(d / "pytorch_model.bin")
    assert "link_to" not in files["pytorch_model.bin"]


# -- verdict and exit codes (DESIGN.md contract; docs/audit.md) ------------------------------------------------
def _f(rule: str, severity: str) -> Finding:
    return Finding("x.pkl", None, 0, rule, severity)


@pytest.mark.parametrize(("findings", "expected"), [
    ([], "clean"),
    ([_f("pickle.import.review", "low")], "review"),
    ([_f("pickle.import.unknown", "medium")], "review"),
    ([_f("pickle.import.method_sink", "high")], "unsafe"),
    ([_f("pickle.import.denied", "critical")], "unsafe"),
    ([_f("incomplete.pickle_limit", "info")], "incomplete"),
    ([_f("incomplete.pickle_limit", "info"), _f("pickle.import.unknown", "medium")], "incomplete"),
    ([_f("incomplete.pickle_limit", "info"), _f("pickle.import.method_sink", "high")], "unsafe"),
    ([_f("info.note", "info")], "review"),
])
def test_verdict(findings: list[Finding], expected: str) -> None:
    assert verdict(findings) == expected


@pytest.mark.parametrize(("severities", "fail_on", "code"), [
    ([], "high", 0),
    (["medium"], "high", 0),
    (["high"], "high", 1),
    (["critical"], "high", 1),
    (["medium"], "medium", 1),
    (["low"], "medium", 0),
    (["low"], "low", 1),
    (["info"], "low", 0),
    (["critical"], "critical", 1),
    (["high"], "critical", 0),
    (["incomplete"], "high", 2),
    (["incomplete", "medium"], "high", 2),
    (["incomplete", "high"], "high", 1),
    (["incomplete"], "low", 2),  # an incomplete finding is never itself a finding to fail on
])
def test_exit_code(severities: list[str], fail_on: str, code: int) -> None:
    findings = [_f("incomplete.x", "info") if s == "incomplete" else _f("r.x", s) for s in severities]
    assert exit_code(findings, fail_on) == code


def test_a_denied_call_fails_the_default_threshold_through_the_cli(cli, tmp_path: Path) -> None:
    p = tmp_path / "training_args.bin"
    p.write_bytes(call("posix", "system"))
    res = cli("audit", p, "--json")
    doc = json.loads(res.stdout)
    assert res.code == 1 and doc["verdict"] == "unsafe"
    assert [(f["rule"], f["severity"], f["import"]) for f in doc["findings"]] == [
        ("pickle.import.denied", "critical", "posix.system")]
