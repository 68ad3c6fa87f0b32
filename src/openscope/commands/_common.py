"""What every command shares: settings from the global options, consoles, one JSON printer."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import math
import re
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

import typer

from openscope.errors import MissingInput, OutputError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from openscope.store import Store

# rich and the store are imported where they are used, not here: every command imports this module, and a
# command that prints JSON, or answers before it opens a store (a usage error, a missing store), starts
# without them (start-up is part of every command's time; see docs/development.md, "Start-up").


def with_folder_hint(exc: MissingInput, target: str) -> MissingInput:
    """``exc`` (an unknown id) with a pointer to the commands that read a local folder, when ``target`` names one.

    Why: a publisher's ``openscope model ./my-release`` (or ``lineage``, ``license``) said only "unknown model
    './my-release'"; the commands for a folder are ``assess`` and ``audit``."""
    try:
        folder = Path(target).expanduser().is_dir()
    except (OSError, ValueError):  # a name the system cannot look up is no folder
        folder = False
    if not folder:
        return exc
    from openscope.text import visible

    t = visible(target)
    return MissingInput(f"{exc.message}; {t} is a folder: `openscope assess {t}` grades it, `openscope audit {t}` "
                        "checks its files")


# A --limit or --depth above this means "all": more than any store holds, and far below what DuckDB's 64-bit integers
# and `fetchmany` accept (`--limit 99999999999999999999` was an internal error, 70, in `lineage` and `sql`).
COUNT_CAP = 2**40


def capped(n: int | None) -> int | None:
    """``n`` with anything above :data:`COUNT_CAP` read as the cap (None stays None: no bound)."""
    return None if n is None else min(n, COUNT_CAP)


def nonblank_path(value: str | Path) -> Path:
    """A path argument's conversion that refuses a blank value (exit 64), as ``--db ""`` and ``assess ""`` are refused.

    Why: ``Path("")`` is the current folder, so ``openscope audit "$MODEL_DIR"`` with the variable unset audited
    whatever folder the shell stood in (and reported it ``clean``), and ``ingest ""`` answered ". is a folder"."""
    if isinstance(value, Path):
        return value
    if not value.strip():
        from openscope.errors import UsageError

        raise UsageError("the path is blank; give a file or folder (`.` for the current folder)")
    return Path(value)


def duckdb_file(path: Path) -> bool:
    """Whether ``path`` is a regular file holding a DuckDB database (its header's magic, bytes 8-11 ``DUCK``).

    Why: ``crawl --dump``, ``audit --sarif`` and ``simhub --dump`` replace the file they are given; named after a
    store (the one ``--db`` names, or any other), they destroyed it. Only a regular file is opened: a pipe given as
    the output (``--dump >(gzip > d.gz)``) must not be read from."""
    try:
        if not path.is_file():
            return False
        with path.open("rb") as fh:
            return fh.read(12)[8:12] == b"DUCK"
    except OSError:  # unreadable: the write itself will say what is wrong
        return False


def refuse_store_as_output(option: str, path: Path) -> None:
    """Exit 64 before an output file named ``path`` (given with ``option``) would replace a DuckDB database."""
    if duckdb_file(path):
        from openscope.errors import UsageError

        raise UsageError(f"{option} {path} is a DuckDB database (a store): writing there would replace it and the "
                         "store would be lost; give another file")


def nonblank_output(value: str | Path) -> Path:
    """An output file option's conversion that refuses a blank value (exit 64): ``--dump "$FILE"`` with FILE unset
    was read as the current folder (73, "cannot write --dump .")."""
    if isinstance(value, Path):
        return value
    if not value.strip():
        from openscope.errors import UsageError

        raise UsageError("an output file is blank; give a file name")
    return Path(value)


@dataclass
class Settings:
    db: Path
    json: bool = False
    quiet: bool = False


def settings(ctx: typer.Context) -> Settings:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, Settings) else Settings(db=Path("openscope.duckdb"))


# Bidirectional embeddings, overrides, isolates and marks (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C):
# printed as they are, U+202E showed the rest of a line reversed ("Trojan Source"): an id `org/<RLO>exe.txt` read
# as `org/txt.exe`. openscope.text.visible escapes C0 and C1 controls only.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def shown_text(text: str, *, keep_lines: bool = False) -> str:
    """``text`` for a terminal: control characters (:func:`openscope.text.visible`) and bidirectional controls shown
    as escapes (``\\x1b``, ``\\u202e``); ``keep_lines`` keeps tabs and newlines."""
    from openscope.text import visible

    return _BIDI.sub(lambda m: f"\\u{ord(m.group(0)):04x}", visible(text, keep_lines=keep_lines))


def _encodable(stream: Any, text: str) -> str:
    """``text`` with what ``stream``'s encoding cannot hold replaced by "?". Why: a terminal or pipe in another encoding
    than UTF-8 (an old Latin-1 locale, ``PYTHONIOENCODING=ascii``, a Windows console) made the first "–" or "↳" of a
    rendering an internal error (70)."""
    enc = getattr(stream, "encoding", None) or "utf-8"
    return text.encode(enc, "replace").decode(enc, "replace")


def _write_encodable(inner: Any, text: str) -> int:
    """Write ``text`` to ``inner``; a stream in another encoding gets "?" for what it cannot hold."""
    try:
        return int(inner.write(text))
    except UnicodeEncodeError:
        return int(inner.write(_encodable(inner, text)))


class _Stdout:
    """``sys.stdout`` as the commands write to it: a failed write is an :class:`OutputError`.

    Why: ``openscope sql … > /dev/full`` (or a redirect to a full disk) ended in ``internal error: OSError`` with
    exit 70, which says "a bug". A reader that went away (``BrokenPipeError``) is left as it is: the console script
    treats it as the end of the output, not as an error. Everything but ``write`` and ``flush`` is the stream's own
    (rich reads ``isatty``, ``encoding``, ``fileno``)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        try:
            return _write_encodable(self._inner, text)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(exc) from exc

    def flush(self) -> None:
        try:
            self._inner.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(exc) from exc

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def stdout() -> Any:
    """Where a command writes its output: ``sys.stdout`` guarded by :class:`_Stdout`, or None when the process has
    no stdout at all (started with it closed, ``>&-``; rich then writes nowhere, as for a reader that went away)."""
    return None if sys.stdout is None else _Stdout(sys.stdout)


class _Trimmed(_Stdout):
    """:class:`_Stdout` that leaves out the spaces before each line break. Why: rich pads every cell of a table to
    its column's width, the last column too, so ``openscope model X > model.txt`` wrote every line of the screen
    padded with spaces to the terminal's width (80 in a pipe): noise in a diff, an editor or ``grep 'x$'``. A
    console writes a whole print at once (lines with their breaks), so no padding is split across writes."""

    def write(self, text: str) -> int:
        super().write(_PADDING.sub("", text))
        return len(text)


_PADDING = re.compile(r" +(?=\n)")


def out_console() -> Console:
    """The console of a command's output. ``emoji=False``: ids, card text and query results are data, and rich
    turned a value's ``:x:`` into an emoji (``sql`` showed ``/etc/passwd``'s ``root:x:0`` as ``root❌0``). Lines
    are written without the spaces that pad them (:class:`_Trimmed`)."""
    from rich.console import Console

    out = None if sys.stdout is None else cast("IO[str]", _Trimmed(sys.stdout))
    return Console(file=out, soft_wrap=False, emoji=False)


def hanging(con: Console, head: Text, body: str | Text, indent: int | None = None) -> Text:
    """``head`` then ``body`` wrapped to the console's width, each wrapped line indented by ``indent`` (default:
    under the body's first word). Why: at 80 columns a long line (a next step, a flag, the root of a lineage
    tree) wrapped back to column 1, where its continuation read as a new item."""
    from rich.text import Text

    body = body if isinstance(body, Text) else Text(body)
    pad = head.cell_len if indent is None else indent
    out = Text()
    lines = list(body.wrap(con, max(20, con.width - head.cell_len)))
    if len(lines) > 1 and pad > head.cell_len:   # the rest has less room than the first line: wrap it again
        rest = body[len(lines[0].plain):]
        rest = rest[len(rest.plain) - len(rest.plain.lstrip(" ")):]   # (the break's space, if the line left it)
        lines[1:] = rest.wrap(con, max(20, con.width - pad))
    for i, line in enumerate(lines):
        line.rstrip()
        out.append("\n" if i else "")
        out.append(head if i == 0 else Text(" " * pad))
        out.append(line)
    return out


class _Stderr:
    """``sys.stderr`` as the commands write their warnings, progress and log lines to it: a write that fails is
    dropped. Why: the log is diagnostics, not the work. ``openscope crawl … 2>&1 | head -1`` stopped the crawl at its
    first log line (the reader gone, ``BrokenPipeError``), left its snapshot ``running`` with nothing stored and
    exited 0; a full disk under the log ended a command as an internal error. The exit code still says how the
    command ended (the console script points the descriptor at /dev/null before it exits, so the interpreter's last
    flush cannot change it)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        try:
            return _write_encodable(self._inner, text)  # (a UnicodeEncodeError is written with "?", not dropped)
        except (OSError, ValueError):
            return len(text)

    def flush(self) -> None:
        try:
            self._inner.flush()
        except (OSError, ValueError):
            pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def err_console() -> Console:
    from rich.console import Console

    # (cast: rich asks for a text stream, which _Stderr stands in for)
    return Console(file=None if sys.stderr is None else cast("IO[str]", _Stderr(sys.stderr)), stderr=True, emoji=False)


# The exit code a command has settled on before it writes its output (audit: the verdict's), or None. Why: when the
# reader of stdout goes away mid-output (`openscope audit DIR | head -1`), the console script ends the run with
# this code, not with 0: an unsafe folder piped into `head` exited 0, "no finding at or above --fail-on".
_decided: list[int] = []


def decide_exit(code: int) -> None:
    """Say the exit code of this run before its output is written (:func:`decided_exit` reads it back)."""
    _decided[:] = [code]


def decided_exit() -> int:
    """The code :func:`decide_exit` was given in this run, else 0 (a command that only reads and prints)."""
    return _decided[0] if _decided else 0


def forget_decided_exit() -> None:
    """At the start of a run (in-process callers run several in one process)."""
    _decided.clear()


def _default(o: Any) -> Any:
    if isinstance(o, dt.datetime):
        return o.isoformat().replace("+00:00", "Z")
    if isinstance(o, dt.date | dt.time):
        return o.isoformat()
    if isinstance(o, dt.timedelta):  # a DuckDB INTERVAL: seconds (months count as 30 days, as DuckDB gives them)
        return o.total_seconds()
    if isinstance(o, decimal.Decimal):
        return _finite(float(o))
    if isinstance(o, bytes | bytearray | memoryview):  # a BLOB: base64, the usual JSON form of bytes
        return base64.b64encode(bytes(o)).decode("ascii")
    if isinstance(o, uuid.UUID):
        return str(o)
    if isinstance(o, Path):
        return str(o)
    if isinstance(o, set | frozenset | tuple):
        return list(o)
    if hasattr(o, "model_dump"):
        return jsonable(o.model_dump())
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def escaped(doc: Any) -> Any:
    """A copy of ``doc`` for the rich renderings: every string (keys too) escaped for rich markup, and its control
    characters but tabs and newlines shown as escapes (:func:`openscope.text.visible`). Ids, names and card text
    are data: ``a/[bold]`` or ``[/]`` must print as themselves, not style the output or crash it, and an ESC
    sequence from a Hub entry must not move the cursor or retitle the terminal. The JSON twin is printed from the
    original."""
    from rich.markup import escape

    def esc(d: Any) -> Any:
        if isinstance(d, str):  # control characters too: a Hub value holding ESC [2J cleared the reader's screen
            return escape(shown_text(d, keep_lines=True))
        if isinstance(d, dict):
            return {esc(k): esc(v) for k, v in d.items()}
        if isinstance(d, list | tuple):
            return [esc(v) for v in d]
        return d

    return esc(doc)


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _key(k: Any) -> Any:
    """A JSON object key: what json accepts as is, anything else (a DuckDB MAP keyed by dates) as text."""
    if isinstance(k, str | int | bool) or k is None:
        return k
    if isinstance(k, float):
        return k if math.isfinite(k) else str(k)
    try:
        d = _default(k)
    except TypeError:
        return str(k)
    return d if isinstance(d, str) else json.dumps(jsonable(d), default=_default)


def jsonable(doc: Any) -> Any:
    """``doc`` with what JSON cannot say made sayable: NaN and ±infinity become null (``json.dumps`` would
    write the bare words NaN/Infinity, which no JSON parser accepts) and object keys become strings.
    Other types (dates, BLOBs, intervals, UUIDs) are converted by ``_default`` while dumping."""
    if isinstance(doc, float):
        return _finite(doc)
    if isinstance(doc, dict):
        return {_key(k): jsonable(v) for k, v in doc.items()}
    if isinstance(doc, list | tuple | set | frozenset):
        return [jsonable(v) for v in doc]
    return doc


def print_json(doc: Any) -> None:
    """Exactly one JSON document on stdout (the contract), strict JSON (RFC 8259) whatever the values. With no
    stdout at all (``>&-``) there is no one to read it: nothing is written, as rich writes nothing then."""
    out = stdout()
    if out is None:
        return
    text = json.dumps(jsonable(doc), default=_default, ensure_ascii=False, indent=2, allow_nan=False)
    try:
        text.encode(getattr(sys.stdout, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):  # stdout in another encoding: the same document, escaped (\uXXXX)
        text = json.dumps(jsonable(doc), default=_default, ensure_ascii=True, indent=2, allow_nan=False)
    out.write(text)
    out.write("\n")
    out.flush()


def err_line(line: str, *, highlight: bool = True) -> None:
    """One line on stderr as rich prints it (``markup=False``, no emoji codes, control characters shown as escapes, no
    wrapping, highlighted unless ``highlight`` is false), without the work that cannot change a byte of it:
    highlighting when the console has no colours (stderr is no terminal, NO_COLOR). Skipping it spares a warning
    about 10 ms (the highlighter's patterns)."""
    con = err_console()
    try:
        # shown_text(): the line may quote what the user typed or the store holds (an id with an ESC sequence).
        con.print(shown_text(line), markup=False, soft_wrap=True,
                  highlight=None if highlight and con.color_system is not None else False)
    except (OSError, ValueError):  # stderr full or closed: the exit code still says it (a failed write made it 1)
        pass


def warn(s: Settings, message: str) -> None:
    """Warnings go to stderr, even under --json; --quiet silences them."""
    if not s.quiet:
        err_line(f"openscope: warning: {message}")


# Why a lineage refresh recomputed everything that an operator did not ask for and would not expect from an
# incremental crawl or ingest: the edge rules or the publisher table changed with an upgrade of openscope.
_UNASKED_FULL = ("edge rules changed", "publisher data changed")


def derive_refresh(s: Settings, store: Store) -> None:
    """The derive steps after a crawl or an ingest; a full lineage recompute brought by an upgrade is said on
    stderr (one line, silenced by --quiet): it takes longer than the usual incremental refresh, and every edge
    may change."""
    from openscope import derive

    def report(name: str, result: object) -> None:
        reason = result.get("reason") if isinstance(result, dict) else None
        if name == "lineage" and isinstance(reason, str) and reason.startswith(_UNASKED_FULL) and not s.quiet:
            err_console().print(f"openscope: lineage recomputed in full: {reason}", markup=False, highlight=False,
                                soft_wrap=True)

    derive.refresh(store, report=report)


def _with_write_open_steps() -> None:
    """Import what registers a step for every open for writing (``store.on_write_open``): lineage's
    ``model_origin`` check. Here, in the interface layer, so the store never imports derive; a read-only open
    that upgrades an older store reopens it for writing once, so it needs them then (and only then: they
    import the lineage package, which a read of a current store, or of a missing one, does not need)."""
    import openscope.derive.lineage.origin  # noqa: F401 - registers ensure_view_if_stale


def open_for_read(s: Settings) -> Store:
    """Read-only commands never create a store (exit 66 when it is missing)."""
    from openscope.store import open_store

    return open_store(s.db, read_only=True, create=False, before_upgrade=_with_write_open_steps)


def open_for_write(s: Settings) -> Store:
    from openscope.store import open_store

    _with_write_open_steps()
    return open_store(s.db, read_only=False, create=True)
