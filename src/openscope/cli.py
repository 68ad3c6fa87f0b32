"""The `openscope` console script: global options, command registration, error → exit code mapping.

Commands live one per module in :mod:`openscope.commands`; each exposes ``register(app)``. This file
only wires them up and guarantees the contract's promise: a one-line message and the documented exit
code, never a traceback (set ``OPENSCOPE_DEBUG=1`` to see one).
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import click
import typer

from openscope import __version__
from openscope.commands._common import Settings, err_console
from openscope.errors import Exit, OpenscopeError, is_interrupt

try:  # typer ≥ 0.20 vendors its own copy of click; catch both families of exceptions
    from typer._click import exceptions as _tclick
except ImportError:  # pragma: no cover - older typer uses click itself
    _tclick = click.exceptions

_EXIT = (click.exceptions.Exit, typer.Exit)
_ABORT = (click.exceptions.Abort, typer.Abort)
_CLICK_ERRORS = (click.ClickException, _tclick.ClickException)

COMMAND_MODULES = [
    "status",
    "ingest",
    "crawl",
    "simhub",
    "lineage",
    "model",
    "license",
    "assess",
    "audit",
    "sql",
]

def _version(value: bool) -> None:
    if value:
        typer.echo(f"openscope {__version__}")
        raise typer.Exit()


def _global(
    ctx: typer.Context,
    db: Path = typer.Option(None, "--db", help="Store path (env OPENSCOPE_DB, default ./openscope.duckdb)."),
    json_out: bool = typer.Option(False, "--json", help="Print exactly one JSON document on stdout."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress or decoration."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show version."),
) -> None:
    ctx.obj = Settings(db=db or Path(os.environ.get("OPENSCOPE_DB") or "openscope.duckdb"), json=json_out, quiet=quiet)


def build_app(only: str | None = None) -> typer.Typer:
    """The typer app with every command, or with just ``only`` (so that `openscope status` does not pay
    for importing the crawler, the simulated Hub or the auditor: start-up time is part of every command)."""
    app = typer.Typer(
        name="openscope",
        help="Measure the open-source AI ecosystem: openness, lineage, adoption and safety, with evidence.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
    )
    app.callback()(_global)
    for name in COMMAND_MODULES if only is None else [only]:
        importlib.import_module(f"openscope.commands.{name}").register(app)
    return app


def _command_name(args: list[str]) -> str | None:
    """The subcommand named on the (hoisted) command line, if it is one of ours."""
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--db":
            i += 2
            continue
        if a.startswith("-"):
            if a in ("--help", "-h", "--version"):
                return None
            i += 1
            continue
        return a if a in COMMAND_MODULES else None
    return None


_GLOBAL_FLAGS = {"--json", "--quiet", "-q"}


def _hoist_globals(argv: list[str]) -> list[str]:
    """Let global options stand anywhere (`openscope status --json` as well as `openscope --json status`)."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            rest.extend(argv[i:])
            break
        if a in _GLOBAL_FLAGS:
            front.append(a)
        elif a == "--db" and i + 1 < len(argv):
            front.extend([a, argv[i + 1]])
            i += 1
        elif a.startswith("--db="):
            front.append(a)
        else:
            rest.append(a)
        i += 1
    return front + rest


def main(argv: list[str] | None = None) -> int:
    args = _hoist_globals(list(sys.argv[1:] if argv is None else argv))
    try:
        rv = build_app(_command_name(args))(args=args, prog_name="openscope", standalone_mode=False)
        code = int(rv) if isinstance(rv, int) else 0
    except OpenscopeError as exc:
        err_console().print(f"openscope: error: {exc}", markup=False, highlight=False, soft_wrap=True)
        code = int(exc.code)
    except _EXIT as exc:
        code = exc.exit_code
    except _ABORT:
        err_console().print("openscope: aborted", markup=False)
        code = 130
    except _CLICK_ERRORS as exc:  # usage errors: bad option, missing argument
        if type(exc).__name__ == "NoArgsIsHelpError":  # a bare `openscope`: the help, as --help shows it
            sys.stderr.write(exc.format_message().rstrip("\n") + "\n")
        else:
            msg = exc.format_message().replace("\n", " ")
            err_console().print(f"openscope: usage error: {msg} (see --help)", markup=False, soft_wrap=True)
        code = int(Exit.USAGE)
    except KeyboardInterrupt:
        err_console().print("openscope: interrupted", markup=False)
        code = 130
    except BrokenPipeError:
        code = _pipe_closed()
    except SystemExit as exc:  # click and rich end a closed pipe with exit 1, which means "a check failed"
        if not isinstance(exc.__context__, BrokenPipeError):
            raise
        code = _pipe_closed()
    except Exception as exc:  # last resort: still one line, still an exit code
        if is_interrupt(exc):  # Ctrl-C that DuckDB reported as the statement it stopped
            err_console().print("openscope: interrupted", markup=False)
            return _exit(130, argv)
        if os.environ.get("OPENSCOPE_DEBUG"):
            raise
        io = _io_error(exc, _db_named(args))
        if io is not None:
            err_console().print(f"openscope: error: {io.message}", markup=False, highlight=False, soft_wrap=True)
            return _exit(io.code, argv)
        first = (str(exc).splitlines() or [""])[0]
        err_console().print(
            f"openscope: internal error: {type(exc).__name__}: {first} (set OPENSCOPE_DEBUG=1 for details)",
            markup=False,
            soft_wrap=True,
        )
        code = 70
    return _exit(code, argv)


def _pipe_closed() -> int:
    """The reader of stdout went away (`openscope sql … | head`): not an error, exit 0. Whatever is still
    buffered for stdout goes to /dev/null, so that Python's flush at exit cannot complain either."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is no file (in-process tests): nothing to redirect
        pass
    return 0


def _exit(code: int, argv: list[str] | None) -> int:
    if argv is None:
        sys.exit(code)
    return code


def _db_named(args: list[str]) -> str:
    """The store the (hoisted) command line names, as ``_global`` resolves it."""
    db = None
    for i, a in enumerate(args):
        if a == "--db" and i + 1 < len(args):
            db = args[i + 1]
        elif a.startswith("--db="):
            db = a[len("--db="):]
    return db or os.environ.get("OPENSCOPE_DB") or "openscope.duckdb"


def _io_error(exc: Exception, db: str) -> OpenscopeError | None:
    """A DuckDB I/O failure met after the store opened (a page past the end of a truncated file, a bad
    checksum, a full disk) is the store's state, not a bug: 73 when it cannot be written, else 65."""
    duckdb = sys.modules.get("duckdb")
    if duckdb is None or not isinstance(exc, duckdb.Error):
        return None
    first = (str(exc).splitlines() or [""])[0]
    from openscope.store.db import is_write_failure  # (imported here: the CLI starts without the store)

    # whatever the exception's class: a commit that could not write its WAL is a TransactionException
    if is_write_failure(first):
        return OpenscopeError(f"cannot write store {db}: {first}", Exit.CANTCREAT)
    if not isinstance(exc, duckdb.IOException) and "Corrupt database file" not in first:
        return None
    return OpenscopeError(f"store {db} (or an input) cannot be read, it may be damaged: {first}", Exit.DATAERR)


if __name__ == "__main__":
    main()
