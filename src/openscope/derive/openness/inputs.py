"""Reading the user's own files (a README, a MOF record, an expert index) without trusting them.

Why a module: ``assess PATH``, ``--mof-record`` and ``--import-experts`` read files a user names or a
model folder holds. A FIFO there would block the command forever, a directory or a 10 GB file must not
crash it or be read whole, a file name may hold bytes that are not UTF-8, and YAML may nest without end
or alias itself exponentially. Everything here opens regular files only (checked on the open file, so
a FIFO never blocks), reads at most a bound, and turns every failure into a one-line message.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path
from typing import Any

import yaml

from openscope.errors import InvalidInput, MissingInput
from openscope.text import visible
from openscope.yamlsafe import safe_load

MAX_RECORD_BYTES = 16 * 1024 * 1024   # a MOF record or an expert index (the reference ones are < 1 MB)


class NotRegular(OSError):
    """The path names something other than a regular file (a FIFO, a device, a directory)."""


def printable(text: str) -> str:
    """A name read from the file system, with bytes that are not UTF-8 (``surrogateescape``) shown as
    ``\\xff`` escapes: such names cannot be written to a UTF-8 terminal or JSON document as they are."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def shown(text: str) -> str:
    """A name for a one-line message on the terminal: :func:`printable`, and control characters (a NUL,
    a newline, an ESC sequence) as ``\\x1b``-style escapes."""
    return visible(printable(text))


def read_regular(path: Path, limit: int) -> tuple[bytes, bool]:
    """(up to ``limit`` bytes of a regular file, whether it was longer). Raises ``NotRegular`` for
    anything else and ``OSError`` when it cannot be read; a FIFO is refused without blocking."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegular(f"{path} is not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(limit + 1)
    finally:
        os.close(fd)
    return data[:limit], len(data) > limit


def read_text_file(path: Path, what: str) -> str:
    """The UTF-8 text (a BOM dropped) of a small input file, or exit 66 (missing) / 65 (anything else)."""
    if not os.path.lexists(path):
        raise MissingInput(f"no such {what}: {shown(str(path))}")
    try:
        raw, longer = read_regular(path, MAX_RECORD_BYTES)
    except NotRegular:
        raise InvalidInput(f"{shown(str(path))}: not a regular file ({what}s are read from files)")
    except OSError as exc:
        if not path.exists():  # a dangling symbolic link
            raise MissingInput(f"no such {what}: {shown(str(path))}")
        raise InvalidInput(f"{shown(str(path))}: cannot be read ({exc.strerror or exc})")
    if longer:
        raise InvalidInput(f"{shown(str(path))}: larger than {MAX_RECORD_BYTES // 2**20} MiB; not a {what}")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{shown(str(path))}: not UTF-8 text ({exc.reason} at byte {exc.start})")


def first_line(exc: BaseException) -> str:
    """An exception's first line (its type when it has no message): error messages stay one line."""
    lines = str(exc).splitlines()
    return lines[0].removeprefix("not a MOF record: ") if lines and lines[0].strip() else type(exc).__name__


def load_yaml(text: str) -> Any:
    """YAML with the safe constructors only (no ``!!python`` tags); ``ValueError`` on anything wrong."""
    try:
        # the C safe loader when available: libyaml bounds nesting (1,000 levels) where the pure-Python
        # composer recurses until RecursionError
        return safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(f"not valid YAML: {first_line(exc)}") from None
    except (RecursionError, MemoryError):
        raise ValueError("YAML nested too deeply") from None


def scalar_text(v: Any) -> str | None:
    """A YAML or CSV value as text when it is a scalar (a name, a number, a date); ``None`` for a list or a
    mapping, which ``str`` would render at any size (an alias bomb expands exponentially)."""
    if isinstance(v, str):
        return v
    if isinstance(v, bool | int | float | dt.date):
        return str(v)
    return None
