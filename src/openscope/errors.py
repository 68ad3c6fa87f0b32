"""Exit codes of the contract and the one error type every layer raises.

Every failure a user can cause or meet is an :class:`OpenscopeError` carrying its exit code; the CLI
prints its message on one line and exits with that code, so no traceback ever reaches a user.
"""

from __future__ import annotations

import sys
from enum import IntEnum


class Exit(IntEnum):
    """Exit codes (DESIGN.md, the contract). Scripts depend on these numbers."""

    OK = 0
    CHECK_FAILED = 1  # audit: a finding at or above --fail-on
    INCOMPLETE = 2  # audit could not finish a scan
    USAGE = 64
    DATAERR = 65  # invalid or corrupt input, or a store newer than this openscope
    NOINPUT = 66  # missing input or unknown id
    UNAVAILABLE = 69  # endpoint unreachable
    CANTCREAT = 73  # cannot write the store
    TEMPFAIL = 75  # store locked by another process


class OpenscopeError(Exception):
    """An error with a one-line message and the exit code the CLI must return."""

    def __init__(self, message: str, code: Exit = Exit.DATAERR) -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:  # one line, always
        return " ".join(self.message.split())


class UsageError(OpenscopeError):
    def __init__(self, message: str) -> None:
        super().__init__(message, Exit.USAGE)


class InvalidInput(OpenscopeError):
    def __init__(self, message: str) -> None:
        super().__init__(message, Exit.DATAERR)


class MissingInput(OpenscopeError):
    def __init__(self, message: str) -> None:
        super().__init__(message, Exit.NOINPUT)


class Unreachable(OpenscopeError):
    def __init__(self, message: str) -> None:
        super().__init__(message, Exit.UNAVAILABLE)


class StoreWriteError(OpenscopeError):
    def __init__(self, message: str) -> None:
        super().__init__(message, Exit.CANTCREAT)


class OutputError(OpenscopeError):
    """stdout could not be written for another reason than its reader going away (a full disk, an I/O error): exit
    73, as for any output openscope cannot write (a SARIF file, a dump), not an internal error (70)."""

    def __init__(self, exc: OSError) -> None:
        super().__init__(f"cannot write the output (stdout): {exc.strerror or exc}", Exit.CANTCREAT)


class StoreLocked(OpenscopeError):
    def __init__(self, message: str) -> None:
        super().__init__(message, Exit.TEMPFAIL)


class Interrupted(KeyboardInterrupt):
    """Ctrl-C, with the one line the CLI prints for it (``interrupted; the crawl is kept …``).

    Why a subclass: everything that handles ``KeyboardInterrupt`` (rollbacks, cleanup) still sees one,
    while the CLI prints this message instead of its generic ``interrupted`` (never both)."""

    def __init__(self, message: str = "interrupted") -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return " ".join(self.message.split())


# The line a run stopped the hard way says (a second Ctrl-C, or a first one whose cleanup outlasts the CLI's grace):
# a command whose work is kept however it ends sets it (:func:`say_when_stopped`), so the user reads the same line
# as when the cleanup finishes in time (a crawl resumes either way: its snapshot stays running, as after SIGKILL).
_STOPPED_LINE = ["interrupted"]


def say_when_stopped(line: str = "interrupted") -> None:
    """Set the line a hard stop prints for the running command (the CLI resets it before each run)."""
    _STOPPED_LINE[0] = line


def stopped_line() -> str:
    """The line a hard stop prints: the running command's (:func:`say_when_stopped`), else ``interrupted``."""
    return _STOPPED_LINE[0]


def is_interrupt(exc: BaseException | None) -> bool:
    """Whether ``exc`` is Ctrl-C (SIGINT), however it surfaced.

    Why not just ``KeyboardInterrupt``: a signal that arrives while DuckDB runs a statement stops the
    statement, and DuckDB reports that as ``duckdb.InterruptException`` or (duckdb 2.0) as a plain
    ``RuntimeError('Query interrupted')``, the Python ``KeyboardInterrupt`` consumed. Treated as any other
    error, an interrupted crawl was marked failed and the user saw an "internal error" (exit 70) instead
    of exit 130.

    And an error raised while one of those was being handled is the interrupt too: the statement stopped
    inside a transaction aborts it, so a cleanup statement in a ``finally`` (unregistering the staged
    page) fails with "Current transaction is aborted", which replaced the interrupt: exit 70 and a crawl
    marked failed (1 run in 40 under load), or an ingest's "corrupt or unreadable" (65).
    """
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if _stopped_by_ctrl_c(exc):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _stopped_by_ctrl_c(exc: BaseException) -> bool:
    if isinstance(exc, KeyboardInterrupt):
        return True
    duckdb = sys.modules.get("duckdb")
    if duckdb is not None and isinstance(exc, getattr(duckdb, "InterruptException", ())):
        return True
    return type(exc) is RuntimeError and str(exc).strip() == "Query interrupted"
