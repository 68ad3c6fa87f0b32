"""The `openscope` console script: global options, command registration, error → exit code mapping.

Commands live one per module in :mod:`openscope.commands`; each exposes ``register(app)``. This file
only wires them up and guarantees the contract's promise: a one-line message and the documented exit
code, never a traceback (set ``OPENSCOPE_DEBUG=1`` to see one).
"""

from __future__ import annotations

import atexit
import importlib
import json
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import typer

from openscope import __version__
from openscope.errors import (
    Exit,
    Interrupted,
    OpenscopeError,
    OutputError,
    UsageError,
    is_interrupt,
    say_when_stopped,
    stopped_line,
)

if TYPE_CHECKING:
    from rich.console import Console


def _click_exceptions(name: str) -> tuple[Any, ...]:
    """Click's exception class ``name`` from each copy of click that is loaded: typer ≥ 0.20 vendors its own
    (``typer._click``), older typer uses click itself. Looked up when an exception is caught, not imported
    up front: importing click for its exception classes alone cost every command about 20 ms at start-up,
    and an exception of a click that was never imported cannot be raised. (``Any``: the classes of either
    copy, whose ``exit_code`` and ``format_message`` the handlers read.)"""
    found: list[type[BaseException]] = []
    for module in ("typer._click.exceptions", "click.exceptions"):
        cls = getattr(sys.modules.get(module), name, None)
        if isinstance(cls, type) and issubclass(cls, BaseException) and cls not in found:
            found.append(cls)
    return tuple(found)


def _exits() -> tuple[Any, ...]:
    return (*_click_exceptions("Exit"), typer.Exit)


def _aborts() -> tuple[Any, ...]:
    return (*_click_exceptions("Abort"), typer.Abort)


def _click_errors() -> tuple[Any, ...]:
    return _click_exceptions("ClickException")


def _err_line(line: str, *, highlight: bool = True) -> None:
    """One error line on stderr, as rich prints it (:func:`openscope.commands._common.err_line`)."""
    from openscope.commands._common import err_line

    err_line(line, highlight=highlight)


def err_console() -> Console:
    """The stderr console of :mod:`openscope.commands._common`, imported when a line is printed (the
    commands' shared module loads rich; ``--version`` needs neither)."""
    from openscope.commands._common import err_console as _err_console

    return _err_console()

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

def _version(ctx: typer.Context, value: bool) -> None:
    """``--version``: one line, or under ``--json`` one JSON document (the contract: ``--json`` prints exactly one).
    ``--json`` is eager too and hoisted before everything else (:func:`_hoist_globals`), so it is read first."""
    if value:
        if ctx.params.get("json_out"):
            typer.echo(json.dumps({"name": "openscope", "version": __version__}))
        else:
            typer.echo(f"openscope {__version__}")
        raise typer.Exit()


def _global(
    ctx: typer.Context,
    db: str | None = typer.Option(None, "--db", metavar="PATH", help="Store path (env OPENSCOPE_DB, default ./openscope.duckdb)."),
    json_out: bool = typer.Option(False, "--json", is_eager=True, help="Print exactly one JSON document on stdout."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress or decoration."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show version."),
) -> None:
    from openscope.commands._common import Settings

    if db is not None and not db.strip():  # `--db ""` (an unset shell variable): as a path it would be the folder "."
        raise UsageError("--db needs a store path; it was given an empty value")
    ctx.obj = Settings(db=_store_path(db), json=json_out, quiet=quiet)


def _store_path(db: str | None) -> Path:
    """The store a command uses: ``--db``, else ``$OPENSCOPE_DB`` (blank counts as unset), else ./openscope.duckdb;
    a leading ``~`` is the home folder. Why: no shell expands it in a crontab's ``OPENSCOPE_DB=~/store.duckdb`` or in
    ``--db=~/s.duckdb``, and a crawl then failed on a folder named ``~`` (``assess ~/folder`` already expanded it); a
    blank ``OPENSCOPE_DB`` named a store called "  " ("no store at  ; …")."""
    return Path(db or (os.environ.get("OPENSCOPE_DB") or "").strip() or "openscope.duckdb").expanduser()


def build_app(only: str | None = None) -> typer.Typer:
    """The typer app with every command, or with just ``only`` (so that `openscope status` does not pay
    for importing the crawler, the simulated Hub or the auditor: start-up time is part of every command);
    ``only=""`` registers none (``--version``, which answers before any command is looked up)."""
    app = typer.Typer(
        name="openscope",
        help="Measure the open-source AI ecosystem: openness, lineage, adoption and safety, with evidence.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
    )
    app.callback()(_global)
    for name in COMMAND_MODULES if only is None else [only] if only else []:
        importlib.import_module(f"openscope.commands.{name}").register(app)
    return app


def _command_name(args: list[str]) -> str | None:
    """The subcommand named on the (hoisted) command line, if it is one of ours; ``""`` when the line asks
    for ``--version`` before anything that needs the commands (no command is imported then: the eager
    option answers while the global options are parsed, before a command is looked up; ``--help`` before
    it lists every command, so it needs them all)."""
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--db":
            i += 2
            continue
        if a.startswith("-"):
            if a == "--version":
                return ""
            if a in ("--help", "-h"):
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
        elif a == "--db":  # last, with no value: click's own "Option '--db' requires an argument", not the
            return [*front, a]  # command's "No such option: --db" (nothing after it to take as the value)
        elif a.startswith("--db="):
            front.append(a)
        else:
            rest.append(a)
        i += 1
    return front + rest


class _CtrlC:
    """Ctrl-C in the console script: the first one unwinds (rollbacks, snapshot bookkeeping, closing the
    store), a second one ends the process at once; either way exit 130 and one line.

    Why: with Python's own handling, a second Ctrl-C that landed once the command had cleaned up killed
    the process by the signal (returncode -2, no message): interpreter shutdown puts SIGINT back to its
    default action and then spends a few hundred milliseconds (more on a loaded machine) tearing down
    modules, DuckDB and pyarrow. So an interrupted run ends with ``os._exit(130)`` right after its line
    (no interpreter shutdown: every store is closed or rolled back by then, and what is not is what a
    kill leaves, which DuckDB's WAL survives), and a completed run ignores SIGINT only in its last atexit
    step.

    Python runs a signal handler only between bytecodes of the main thread. While that thread waits
    inside DuckDB for a read that does not return (an input on a stalled pipe or network mount), neither
    the first Ctrl-C nor a second reached openscope: the command hung. A watcher thread therefore reads
    the signals from Python's wakeup fd (written by the C-level handler, whatever the main thread is
    doing): a second Ctrl-C ends the process from there, and so does a first one the main thread has not
    taken up within :attr:`GRACE_S` seconds.
    """

    GRACE_S = 10.0
    seen = 0  # SIGINTs the main thread has taken up
    lost = 0  # first Ctrl-Cs raised where Python drops the exception (:meth:`_unraisable`)
    rearmed = 0  # of those, signalled again by the watcher (each signal also writes a byte the watcher reads)
    said = False  # the one stderr line is out
    installed = False
    # Re-entrant: a second Ctrl-C's handler may run in the main thread while that thread is inside `say`.
    _lock = threading.RLock()

    @classmethod
    def install(cls) -> None:
        """Only in the main thread of the console script, and only where SIGINT is Python's (a job started
        in the background or under nohup ignores it, and keeps ignoring it)."""
        if threading.current_thread() is not threading.main_thread():
            return
        if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
            return
        r, w = os.pipe()
        os.set_blocking(w, False)
        signal.signal(signal.SIGINT, cls._handler)
        signal.set_wakeup_fd(w, warn_on_full_buffer=False)
        previous = sys.unraisablehook
        sys.unraisablehook = lambda unraisable: cls._unraisable(unraisable, previous)
        threading.Thread(target=cls._watch, args=(r,), name="openscope-ctrl-c", daemon=True).start()
        atexit.register(cls._quiet_teardown)  # registered first, so it runs last
        cls.installed = True

    @classmethod
    def _handler(cls, signum: int, frame: FrameType | None) -> None:
        cls.seen += 1
        if cls.seen == 1:
            # Worker processes first, as a terminal's Ctrl-C would (it signals the whole process group):
            # one caught starting while we unwind reads an end of file instead of its task, and prints a
            # traceback once we are gone.
            _terminate_children()
            raise KeyboardInterrupt
        cls.stop_now()  # the user insists: no more cleanup

    @classmethod
    def _unraisable(cls, unraisable: Any, previous: Callable[[Any], object]) -> None:
        """The first Ctrl-C's ``KeyboardInterrupt`` raised where Python can only drop it: taken back, for the
        watcher thread to signal the main thread again (:meth:`_watch`).

        Why: the handler runs between any two bytecodes of the main thread, also inside a weakref callback
        (importlib's module-lock cleanup, a finaliser) or a ``__del__``, whose exceptions Python cannot raise:
        it printed "Exception ignored in: … KeyboardInterrupt" with a traceback, and the Ctrl-C was lost until
        the watcher's grace ended the run 10 s later without its cleanup (the interrupt fuzz met it in CI).
        Not signalled from here: this hook runs inside that callback, and a handler run before it returns
        would raise into the hook. Anything else goes to the hook that was there before.
        """
        if isinstance(unraisable.exc_value, KeyboardInterrupt) and cls.seen == 1 and not cls.said:
            with cls._lock:
                cls.seen = 0
                cls.lost += 1
            return
        previous(unraisable)

    @classmethod
    def _watch(cls, fd: int) -> None:
        received = 0
        first_at: float | None = None
        while True:
            ready, _, _ = select.select([fd], [], [], 0.1 if first_at is not None else None)
            if ready:
                data = os.read(fd, 64)
                if not data:
                    return
                received += data.count(signal.SIGINT)
            if cls.lost > cls.rearmed:  # a first Ctrl-C the main thread dropped: signal it again, there
                cls.rearmed += 1  # before the signal's byte can be read
                signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)
            count = received - cls.rearmed  # a first Ctrl-C signalled again is no second one
            if count >= 2:
                cls.stop_now()
            if count >= 1 and first_at is None:
                first_at = time.monotonic()
            if first_at is not None and time.monotonic() - first_at > cls.GRACE_S:
                cls.stop_now()  # the cleanup is stuck (in DuckDB, or waiting on a worker): stop waiting

    @classmethod
    def stop_now(cls) -> None:
        cls.say(stopped_line())
        _stop_children()
        os._exit(130)

    @staticmethod
    def _quiet_teardown() -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    @classmethod
    def say(cls, text: str) -> None:
        """The one line, once, and out before anyone ends the process.

        Written with a single write(2) in the console script, so it cannot be cut. ``said`` turns true only
        once the line is written, under the lock: the watcher thread's :meth:`stop_now` (a second Ctrl-C)
        waits for the main thread's line instead of ending the process before it is out (exit 130 and no
        line: 1 run in about 100 of the interrupt fuzz under load). In the main thread, a Ctrl-C landing
        during the write is held back until the line is out, then handled as usual.
        """
        with cls._lock:
            if cls.said:
                return
            line = f"openscope: {' '.join(text.split())}"
            if not cls.installed:  # in-process (tests): through sys.stderr, which the caller may capture
                err_console().print(line, markup=False, highlight=False, soft_wrap=True)
                cls.said = True
                return
            held: list[int] = []
            main = threading.current_thread() is threading.main_thread()
            previous = signal.signal(signal.SIGINT, lambda signum, frame: held.append(signum)) if main else None
            try:
                try:
                    sys.stderr.flush()
                except (OSError, ValueError):
                    pass
                try:
                    os.write(2, (line + "\n").encode("utf-8", "replace"))
                except OSError:  # stderr closed: the exit code still says it
                    pass
                cls.said = True
            finally:
                if main:
                    signal.signal(signal.SIGINT, previous)
        if held and callable(previous):
            previous(signal.SIGINT, None)


def _stop_children() -> None:
    """Worker processes (the openness grader's pool) end with us: left running, an orphan kept grading
    after openscope had said it was interrupted, and held its stderr open, so a caller waiting for the
    output to end waited for the orphan."""
    mp = sys.modules.get("multiprocessing")
    if mp is None:
        return
    for child in mp.active_children():
        try:
            child.terminate()
        except (OSError, ValueError, AttributeError):  # already gone, or closed
            pass
    _terminate_children()
    # Release the pool's semaphores as an orderly exit would (multiprocessing's own exit step), or its
    # resource tracker warns about "leaked semaphore objects" on stderr after we are gone.
    util = sys.modules.get("multiprocessing.util")
    run_finalizers = getattr(util, "_run_finalizers", None)
    if run_finalizers is not None:
        try:
            run_finalizers(0)
        except Exception:  # noqa: BLE001 - exiting anyway; never a traceback for it
            pass


def _terminate_children() -> None:
    for pid in _child_processes():  # one still starting is not in active_children() yet
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass


def _child_processes() -> list[int]:
    """Our child processes but multiprocessing's resource tracker, which cleans up after us (Linux /proc;
    elsewhere none). Why not only ``active_children()``: a worker still starting is not listed there yet,
    and one left behind before it had read what to run from us printed a traceback (EOFError) on the
    user's terminal once we were gone."""
    me = str(os.getpid())
    found = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                ppid = fh.read().rsplit(b")", 1)[1].split()[1].decode()
            if ppid != me:
                continue
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                if b"resource_tracker" not in fh.read():
                    found.append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    return found


def _interrupted(exc: BaseException) -> int:
    _CtrlC.say(str(exc) if isinstance(exc, Interrupted) else "interrupted")
    return 130


def _invoke(args: list[str]) -> object:
    """Run the command through click's context directly, not typer's ``main``: that turns Ctrl-C into a
    silent ``Exit(130)``, so no line said the run was interrupted (only the crawl printed one)."""
    command = typer.main.get_command(build_app(_command_name(args)))
    try:
        from openscope.commands._params import use_plain_conversions
    except ImportError:  # pragma: no cover - a typer that converts without pydantic (before 0.2x): nothing to spare
        pass
    else:
        use_plain_conversions(command)
    with command.make_context("openscope", list(args)) as ctx:
        return command.invoke(ctx)


def main(argv: list[str] | None = None) -> int:
    args = _hoist_globals(list(sys.argv[1:] if argv is None else argv))
    _CtrlC.said = False
    say_when_stopped()
    if argv is None:
        _CtrlC.install()
        if _command_name(args) in _READ_ONLY - {"", None}:  # it ends the process when done (_end_at_once)
            from openscope.store.db import leave_read_only_stores_open

            leave_read_only_stores_open()
    try:
        code = _run(args)
    except KeyboardInterrupt as exc:  # landed outside a command, e.g. while an error line was printed
        code = _interrupted(exc)
    return _exit(code, argv, _command_name(args))


def _run(args: list[str]) -> int:
    common = sys.modules.get("openscope.commands._common")
    if common is not None:  # an earlier in-process run's decided exit code is not this run's
        common.forget_decided_exit()
    try:
        rv = _invoke(args)
        code = int(rv) if isinstance(rv, int) else 0
    except OpenscopeError as exc:
        if is_interrupt(exc):  # raised while a Ctrl-C was being handled (a rollback's aftermath)
            return _interrupted(exc)
        if isinstance(exc, OutputError):  # what is still buffered for stdout cannot be written either
            _discard_stdout()
        _err_line(f"openscope: error: {exc}", highlight=False)
        code = int(exc.code)
    except _exits() as exc:
        code = exc.exit_code
    except _aborts() as exc:
        code = _interrupted(exc) if _CtrlC.seen else 130
        if not _CtrlC.seen:
            err_console().print("openscope: aborted", markup=False)
    except _click_errors() as exc:  # usage errors: bad option, missing argument
        if type(exc).__name__ == "NoArgsIsHelpError":  # a bare `openscope`: the help, as --help shows it
            sys.stderr.write(exc.format_message().rstrip("\n") + "\n")
        else:
            msg = exc.format_message().replace("\n", " ")
            _err_line(f"openscope: usage error: {msg} (see --help)")
        code = int(Exit.USAGE)
    except KeyboardInterrupt as exc:
        code = _interrupted(exc)
    except BrokenPipeError:
        code = _pipe_closed()
    except SystemExit as exc:  # click and rich end a closed pipe with exit 1, which means "a check failed"
        if not isinstance(exc.__context__, BrokenPipeError):
            raise
        code = _pipe_closed()
    except Exception as exc:  # last resort: still one line, still an exit code
        if is_interrupt(exc):  # Ctrl-C that DuckDB reported as the statement it stopped
            return _interrupted(exc)
        if os.environ.get("OPENSCOPE_DEBUG"):
            raise
        io = _io_error(exc, _db_named(args))
        if io is not None:
            _err_line(f"openscope: error: {io.message}", highlight=False)
            return io.code
        first = (str(exc).splitlines() or [""])[0]
        _err_line(f"openscope: internal error: {type(exc).__name__}: {first} (set OPENSCOPE_DEBUG=1 for details)")
        code = 70
    return code


def _pipe_closed() -> int:
    """The reader of stdout went away (`openscope sql … | head`): not an error, so the run ends with the exit code
    the command had settled on before it printed (0 for a command that only reads; an audit's verdict: `openscope
    audit DIR | head -1` exited 0 for an unsafe folder). Whatever is still buffered for stdout goes to /dev/null,
    so that Python's flush at exit cannot complain either."""
    _discard_stdout()
    common = sys.modules.get("openscope.commands._common")
    return int(common.decided_exit()) if common is not None else 0


def _discard_stdout() -> None:
    """Point stdout's descriptor at /dev/null: the output can no longer be delivered, and the flushes still to come
    (rich's, the interpreter's at exit) must not fail again and turn the exit code into 1 or 120."""
    _discard(sys.stdout)


def _discard(stream: Any) -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
    except (OSError, ValueError, AttributeError):  # no file (in-process tests) or absent: nothing to redirect
        pass


def _settle_stderr() -> None:
    """Flush stderr before the console script exits; when that fails (its reader went away: `2>&1 | head`, or a full
    disk), point it at /dev/null, so that the interpreter's own last flush cannot turn the exit code into 1 (a `model`
    of an unknown id exited 1, "a check failed", instead of 66)."""
    try:
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        _discard(sys.stderr)


def _exit(code: int, argv: list[str] | None, command: str | None = None) -> int:
    if argv is None:
        _settle_stderr()
        if _CtrlC.seen:  # interrupted: its line is out and the store is closed; no interpreter shutdown
            _stop_children()
            try:  # (not stdout: a reader that stopped reading would keep an interrupted run waiting)
                sys.stderr.flush()
            except (OSError, ValueError):
                pass
            os._exit(code)
        if command in _READ_ONLY:
            _end_at_once(code)
        sys.exit(code)
    return code


# The commands that only read (and the lines that name none: --version, --help, a usage error). Their output
# is written when the command returns, and what they leave open holds no data: a read-only store (whose close
# the console script leaves to the end of the process: store.db.leave_read_only_stores_open).
_READ_ONLY = frozenset({"status", "lineage", "model", "license", "sql", "", None})


def _end_at_once(code: int) -> None:
    """End a finished read-only run without the interpreter's shutdown, when nothing can depend on it.

    Why: tearing down the modules a command imported (DuckDB, rich, typer; every command module for
    ``--help``) took 45 ms after ``lineage --down`` and 60-140 ms after ``--help``, part of what the user
    waits for (issue 5 budgets the whole command at one second). What shutdown does that matters is done here:
    stdout and stderr are flushed, the ``atexit`` functions run (``_CtrlC``'s among them; temporary files'
    finalizers and multiprocessing's are ``atexit`` functions too). Left out: freeing objects one by one.
    Not taken (the usual ``sys.exit``) when a thread that is not a daemon still runs (shutdown would wait for
    it), a worker process is alive, stdout or stderr cannot be flushed (a reader that went away: shutdown says
    what it says about it), or this Python has no ``atexit._run_exitfuncs``. Only the console script
    (``argv is None``) ends this way: in-process callers get the exit code back.
    """
    if any(not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        return
    mp = sys.modules.get("multiprocessing")
    if mp is not None and mp.active_children():
        return
    run_exitfuncs = getattr(atexit, "_run_exitfuncs", None)
    if run_exitfuncs is None:
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):  # (AttributeError: no stdout at all, as under pythonw)
        return
    run_exitfuncs()
    try:  # whatever an atexit function printed
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass
    os._exit(code)


def _db_named(args: list[str]) -> str:
    """The store the (hoisted) command line names, as ``_global`` resolves it."""
    db = None
    for i, a in enumerate(args):
        if a == "--db" and i + 1 < len(args):
            db = args[i + 1]
        elif a.startswith("--db="):
            db = a[len("--db="):]
    return str(_store_path(db))


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
