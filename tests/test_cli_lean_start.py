"""A command starts without what it does not use, and answers as it did (docs/development.md, "Start-up").

Why these tests: issue 5 budgets ``lineage --down`` of the largest base at one second as a command, and about
0.4 s of it went to starting (imports, typer's pydantic conversions, the interpreter's shutdown). Each saving
is a lazy import or a shortcut that must give the same answer; these tests catch a module imported again at
start-up (by name, through ``sys.modules`` in a fresh interpreter: no timings) and a shortcut that answers
differently from what it stands for.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import example, given, settings
from hypothesis import strategies as st
from typer._click.exceptions import BadParameter
from typer._coercion import build_runtime_param

from openscope import __version__
from openscope.commands._params import NOT_PLAIN, PlainParam, plain_value, use_plain_conversions

HEAVY = ("pydantic", "click", "httpx", "huggingface_hub", "pyarrow", "rich.table", "rich.tree")


def _loaded_after(args: list[str], watch: tuple[str, ...]) -> tuple[int, list[str], str]:
    """Exit code, the modules of ``watch`` loaded, and stdout of ``main(args)`` in a fresh interpreter."""
    code = ("import io, json, sys, contextlib; from openscope.cli import main; out = io.StringIO()\n"
            "with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):\n"
            f"    rc = main({args!r})\n"
            f"print(json.dumps([rc, sorted(m for m in {list(watch)!r} if m in sys.modules), out.getvalue()]))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    rc, loaded, out = json.loads(res.stdout.splitlines()[-1])
    return rc, loaded, out


def test_version_imports_no_command_no_store_and_no_rich() -> None:
    watch = (*HEAVY, "rich", "duckdb", "openscope.store", "openscope.commands._common",
             *(f"openscope.commands.{c}" for c in ("status", "lineage", "crawl", "audit", "simhub")))
    rc, loaded, out = _loaded_after(["--version"], watch)
    assert (rc, loaded, out) == (0, [], f"openscope {__version__}\n")


def test_status_of_a_missing_store_does_not_load_duckdb(tmp_path: Path) -> None:
    rc, loaded, _ = _loaded_after(["--db", str(tmp_path / "none.duckdb"), "--json", "status"],
                                  (*HEAVY, "duckdb", "openscope.derive.lineage", "openscope.store.snapshots"))
    assert (rc, loaded) == (66, [])


@pytest.fixture(scope="module")
def lineage_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small derived store: a base, a finetune of it, a quantization of the finetune."""
    from openscope.cli import main

    d = tmp_path_factory.mktemp("lean")
    dump = d / "m.jsonl"
    rows = [{"id": "acme/base", "downloads": 10},
            {"id": "beta/ft", "downloads": 5, "tags": ["base_model:acme/base", "base_model:finetune:acme/base"]},
            {"id": "gamma/q", "downloads": 1, "tags": ["base_model:beta/ft", "base_model:quantized:beta/ft"]}]
    dump.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert main(["--db", str(d / "s.duckdb"), "--quiet", "ingest", str(dump)]) == 0
    return d / "s.duckdb"


def test_lineage_down_as_json_starts_without_pydantic_click_rich_or_http(lineage_store: Path) -> None:
    rc, loaded, out = _loaded_after(["--db", str(lineage_store), "lineage", "acme/base", "--down", "--json",
                                     "--depth", "5", "--limit", "10", "--relation", "finetune"],
                                    (*HEAVY, "rich", "openscope.store.snapshots"))
    assert (rc, loaded) == (0, [])
    assert [n["id"] for n in json.loads(out)["nodes"]] == ["acme/base", "beta/ft"]


def test_license_and_model_start_without_pyarrow(lineage_store: Path) -> None:
    """They import the licence package for its catalogue; its flow-down builds Arrow tables only when deriving."""
    rc, loaded, out = _loaded_after(["license", "mit", "--json"], ("pyarrow", "pydantic", "click"))
    assert (rc, loaded) == (0, []) and json.loads(out)
    rc, loaded, out = _loaded_after(["--db", str(lineage_store), "model", "beta/ft", "--json"],
                                    ("pyarrow", "pydantic", "click", "httpx"))
    assert (rc, loaded) == (0, []) and json.loads(out)


def test_a_read_only_open_of_a_current_store_does_not_import_the_write_open_steps(lineage_store: Path) -> None:
    rc, loaded, _ = _loaded_after(["--db", str(lineage_store), "--json", "status"],
                                  ("openscope.derive.lineage.origin", "openscope.derive.lineage"))
    assert (rc, loaded) == (0, [])


# -- the plain conversions give what typer's own give ------------------------------------------------------


def _command() -> Any:
    """A typer command with one parameter of each plain kind, as the commands declare them."""
    app = typer.Typer(add_completion=False)

    @app.command()
    def run(name: str = typer.Argument("x"), n: int | None = typer.Option(None, "--n"),
            f: float = typer.Option(1.5, "--f"), s: str | None = typer.Option(None, "--s"),
            b: bool = typer.Option(False, "--b")) -> None:
        """Nothing."""

    return typer.main.get_command(app)


def _converted(param: Any, runtime: Any, ctx: Any, value: Any) -> tuple[str, Any]:
    try:
        return ("value", runtime.coerce(value, param=param, ctx=ctx))
    except BadParameter as exc:
        return ("error", exc.format_message())


def _same(a: tuple[str, Any], b: tuple[str, Any]) -> bool:
    """Equal, and of one type (7 is not 7.0 here); NaN equals NaN; -0.0 is not 0.0."""
    if a[0] != b[0] or type(a[1]) is not type(b[1]):
        return False
    if isinstance(a[1], float):
        return (math.isnan(a[1]) and math.isnan(b[1])) or (a[1] == b[1] and math.copysign(1, a[1]) == math.copysign(1, b[1]))
    return bool(a == b)


NUMBERISH = st.one_of(
    st.from_regex(r"\A[ +-]?[0-9_]{0,25}(\.[0-9]{0,20})?([eE][+-]?[0-9]{1,3})?[ ]?\Z"),
    st.integers().map(str), st.floats(allow_nan=True).map(str), st.text(max_size=12),
    st.integers(), st.floats(), st.booleans(),
)


@settings(max_examples=600, deadline=None)
@given(value=st.one_of(NUMBERISH, st.text(), st.binary(max_size=8), st.none()))
@example(value="007")
@example(value="-0")
@example(value="1_000")
@example(value=" 5")
@example(value="5.0")
@example(value="١٢")
@example(value="9" * 19)
@example(value="9" * 18)
@example(value="-" + "9" * 18)
@example(value="a\udcff")
@example(value="1e3")
@example(value="0.1")
@example(value="-0.0")
@example(value="nan")
@example(value="0" * 15 + ".5")
def test_plain_conversion_equals_typers_own(value: Any) -> None:
    command = _command()
    ctx = command.make_context("run", [])
    for param in command.params:
        if param.name == "help":
            continue
        desc = param.type_descriptor
        theirs = _converted(param, build_runtime_param(desc), ctx, value)
        ours = _converted(param, PlainParam(parameter_info=desc.parameter_info, annotation=desc.annotation), ctx, value)
        assert _same(ours, theirs), (param.name, value, ours, theirs)


def test_the_shortcut_takes_only_what_it_can_answer() -> None:
    assert plain_value(int, "12") == 12 and plain_value(float, "2.5") == 2.5 and plain_value(str, "a b") == "a b"
    for annotation, value in ((int, " 1"), (int, "+1"), (int, "1_0"), (int, "1.0"), (int, "9" * 19), (int, True),
                              (float, "1e3"), (float, 1), (float, "nan"), (str, b"x"), (str, 1), (bool, "yes")):
        assert plain_value(annotation, value) is NOT_PLAIN, (annotation, value)


def test_every_plain_parameter_of_the_cli_gets_the_shortcut_and_help_too() -> None:
    from openscope.cli import build_app

    command = typer.main.get_command(build_app())
    use_plain_conversions(command)
    kinds: dict[str, int] = {}
    for sub in command.commands.values():  # type: ignore[attr-defined]
        for param in sub.params:
            kind = type(param._runtime_param).__name__
            kinds[kind] = kinds.get(kind, 0) + 1
            desc = param.type_descriptor
            if desc.annotation in (str, int, float) and not desc.is_path and not desc.is_choice:
                assert kind == "PlainParam", (sub.name, param.name)
        ctx = sub.make_context(sub.name, ["--help"], parent=command.make_context("openscope", [sub.name or ""]),
                               resilient_parsing=True)
        assert isinstance(sub.get_help_option(ctx)._runtime_param, PlainParam)
    assert kinds["PlainParam"] >= 30 and kinds["NoneType"] > 0  # paths, lists and the enum stay typer's


# -- the console script's way out --------------------------------------------------------------------------


def _console(args: list[str], prelude: str = "") -> subprocess.CompletedProcess[str]:
    code = f"import sys, atexit\n{prelude}\nsys.argv = ['openscope', *{args!r}]\nfrom openscope.cli import main\nmain()\n"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_a_read_only_run_still_runs_atexit_functions_and_keeps_its_exit_code(tmp_path: Path) -> None:
    bye = "atexit.register(lambda: print('bye', file=sys.stderr))"
    res = _console(["--version"], bye)
    assert (res.returncode, res.stdout, res.stderr) == (0, f"openscope {__version__}\n", "bye\n")
    res = _console(["--db", str(tmp_path / "none.duckdb"), "status"], bye)
    assert res.returncode == 66 and res.stderr.endswith("bye\n") and res.stderr.startswith("openscope: error: ")
    res = _console(["lineage", "--up", "--down", "x"], bye)
    assert res.returncode == 64 and res.stderr.endswith("bye\n")


def test_a_read_only_run_waits_for_a_thread_that_is_not_a_daemon() -> None:
    """The shortcut is not taken then: the interpreter's shutdown waits for the thread, as it did. The thread
    prints once the main thread has ended (the shutdown's start), not after a fixed sleep: under load the
    import took longer than the 0.3 s it slept, and its line came first."""
    prelude = ("import threading\n"
               "threading.Thread(target=lambda: (threading.main_thread().join(), print('thread done', flush=True))"
               ").start()")
    res = _console(["--version"], prelude)
    assert res.returncode == 0 and res.stdout.splitlines() == [f"openscope {__version__}", "thread done"]


def test_a_console_run_of_a_read_only_command_answers_as_an_in_process_one(lineage_store: Path, cli: Any) -> None:
    """The console script leaves the read-only store's closing to the process's end and skips the shutdown;
    what it prints and its exit code are an in-process run's."""
    for args in (["lineage", "acme/base", "--down", "--json"], ["lineage", "gamma/q"], ["--json", "status"],
                 ["model", "beta/ft"], ["sql", "SELECT id FROM models ORDER BY id"], ["lineage", "no/such"]):
        res = _console(["--db", str(lineage_store), *args])
        inproc = cli("--db", lineage_store, *args)
        assert (res.returncode, res.stdout, res.stderr) == (inproc.code, inproc.stdout, inproc.stderr), args


def test_a_typer_whose_internals_differ_keeps_its_own_conversion(lineage_store: Path, cli: Any,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The shortcut rests on typer's internals: when they are not what it knows (:func:`compatible` is False),
    nothing is replaced and every command answers as before, through typer's own conversion."""
    from openscope.commands import _params

    assert _params.compatible()   # the typer installed here is the one the shortcut was written for
    args = ("--db", lineage_store, "lineage", "acme/base", "--down", "--json", "--depth", "5", "--limit", "10")
    fast = cli(*args)
    monkeypatch.setattr(_params, "compatible", lambda: False)
    command = _command()
    use_plain_conversions(command)
    assert all(getattr(p, "_runtime_param", None) is None for p in command.params)
    slow = cli(*args)
    assert (slow.code, slow.stdout) == (fast.code, fast.stdout) == (0, fast.stdout)
    bad = cli("--db", lineage_store, "lineage", "acme/base", "--limit", "many")
    assert bad.code == 64 and "'--limit'" in bad.stderr and bad.stderr.count("\n") == 1
