"""Opening the DuckDB store: path rules, locks, numbered migrations.

Why here and only here: every other module receives an open :class:`Store`; none of them knows about
file paths, lock errors or schema versions. Read-only commands open with ``create=False`` so that asking
about a store never creates one.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openscope.errors import InvalidInput, MissingInput, StoreLocked, StoreWriteError

if TYPE_CHECKING:
    import duckdb

# duckdb is imported by open_store, not with this module: a command that stops before it opens a store (no
# store there, a usage error) starts without it (about 60 ms; docs/development.md, "Start-up").

_MIGRATION_RE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def _migrations() -> list[tuple[int, str, str]]:
    """(version, file name, SQL) for every shipped migration, in order."""
    out = []
    for entry in resources.files("openscope.store.migrations").iterdir():
        m = _MIGRATION_RE.match(entry.name)
        if m:
            out.append((int(m.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(out)


def _shipped_versions() -> set[int]:
    """The version of every shipped migration, from the file names alone: what an open that only checks the
    store's version needs (every command's open, and this module's import), without reading the SQL."""
    return {int(m.group(1)) for entry in resources.files("openscope.store.migrations").iterdir()
            if (m := _MIGRATION_RE.match(entry.name))}


SCHEMA_VERSION = max(_shipped_versions())


def default_db_path() -> Path:
    return Path((os.environ.get("OPENSCOPE_DB") or "").strip() or "openscope.duckdb").expanduser()  # as the CLI's


def _command_line(pid: str) -> str | None:
    """The holder's command line where the system shows it (Linux): DuckDB names only the executable, and
    `locked by …/bin/python3.11` did not tell an operator that the holder was last night's `openscope crawl`."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return None
    words = [a.decode("utf-8", "replace") for a in argv if a]
    # The interpreter of a script is left out (`…/openscope --db s.duckdb crawl`, not `python3.11 …/openscope …`),
    # but kept before an option: `python -c …` or `python -m …` read "locked by -c import duckdb …".
    script = len(words) > 1 and Path(words[0]).name.startswith("python") and not words[1].startswith("-")
    line = " ".join(words[1:] if script else words)
    line = "".join(c if c.isprintable() else "?" for c in line)
    return (line[:200] + "…" if len(line) > 200 else line) or None


def _lock_message(path: Path, exc: Exception) -> str:
    text = str(exc)
    m = re.search(r"Conflicting lock is held in (.+?) \(PID (\d+)\)", text)
    holder = f"{_command_line(m.group(2)) or m.group(1)} (PID {m.group(2)})" if m else "another process"
    return f"store {path} is locked by {holder}; wait for it to finish or stop it"


# Read-only connections whose closing is left to the end of the process; None: every close closes.
_LEFT_OPEN: list[duckdb.DuckDBPyConnection] | None = None


def leave_read_only_stores_open() -> None:
    """From now on a read-only store's ``close`` keeps its connection open until the process ends.

    Why: closing a read-only connection after a large read frees DuckDB's buffers one by one (37-48 ms after
    ``lineage --down`` of the 2.5-million-model store, issue 5's one-second command), and a read-only connection
    has nothing to write back. Only the console script asks for it, for a read-only command, right before it
    ends the process (``cli._end_at_once``; if it ends the usual way instead, the interpreter's shutdown closes
    them). Never in-process: a caller that opens the store again for writing needs it closed.
    """
    global _LEFT_OPEN
    if _LEFT_OPEN is None:
        _LEFT_OPEN = []


class Store:
    """An open store. ``con`` is the DuckDB connection; writers use :meth:`transaction`."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path, read_only: bool) -> None:
        # now()::TIMESTAMP (snapshot times, deleted_at, fetched_at) in UTC, as the Hub's dates, not the
        # machine's zone: a cron server in Berlin wrote local times that repeat an hour at each DST change.
        con.execute("SET TimeZone = 'UTC'")
        self.con = con
        self.path = path
        self.read_only = read_only

    # -- lifecycle ---------------------------------------------------------------------------------
    def close(self) -> None:
        if self.read_only and _LEFT_OPEN is not None:  # the process ends next (leave_read_only_stores_open)
            _LEFT_OPEN.append(self.con)
            return
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All-or-nothing: a failure or a kill inside leaves the last committed state."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    # -- queries -----------------------------------------------------------------------------------
    def schema_version(self) -> int:
        row = self.con.execute("SELECT max(version) FROM schema_version").fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def scalar(self, sql: str, params: list | None = None) -> Any:
        row = self.con.execute(sql, params or []).fetchone()
        return row[0] if row else None

    def insert_in_order(self, sql: str, params: list | None = None) -> int:
        """Run an ``INSERT … SELECT … ORDER BY`` so the rows are stored in that order; return the row count.

        Why: bulk work turns ``preserve_insertion_order`` off for speed (below), and DuckDB then stores an
        ordered insert's rows in any order. Some tables are read by people with a bare ``SELECT *``: the
        ``rejects`` of an ingest should come back in the dump's line order, as docs/ingest.md shows them.
        """
        keep = self.scalar("SELECT current_setting('preserve_insertion_order')")
        self.con.execute("SET preserve_insertion_order=true")
        try:
            row = self.con.execute(sql, params or []).fetchone()
        finally:
            self.con.execute(f"SET preserve_insertion_order={'true' if keep else 'false'}")
        return int(row[0]) if row else 0

    def set_resource_limits(self, memory_limit: str = "1GB", threads: int | None = None) -> None:
        """Bound memory for bulk work and let DuckDB spill next to the store."""
        self.con.execute(f"SET memory_limit='{memory_limit}'")
        tmp = self.path.parent / (self.path.name + ".tmp") if self.path.name != ":memory:" else None
        self.con.execute(f"SET temp_directory='{tmp or tempfile.gettempdir()}'")
        self.con.execute("SET preserve_insertion_order=false")
        if threads:
            self.con.execute(f"SET threads={int(threads)}")


def _migrate(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Apply every shipped migration this store has not applied yet, in order, each in a transaction.

    By set difference, not "above the current maximum": a migration merged later with a lower number
    than one already applied is still applied.
    """
    # applied_at in UTC, as every other time of the store (Store sets the zone only after the migrations):
    # in the machine's zone east of UTC, migration 0010 read as applied after the first snapshot began, and
    # `status` stopped naming the derive steps a first `ingest --no-derive` left unrun (thirty-third session).
    con.execute("SET TimeZone = 'UTC'")
    con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP)")
    applied = {r[0] for r in con.execute("SELECT version FROM schema_version").fetchall()}
    if applied and max(applied) > SCHEMA_VERSION:
        raise InvalidInput(
            f"store {path} has schema version {max(applied)}, newer than this openscope ({SCHEMA_VERSION}); "
            "upgrade openscope"
        )
    for version, _name, sql in _migrations():
        if version in applied:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute("INSERT INTO schema_version VALUES (?, now()::TIMESTAMP)", [version])
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")


# What a DuckDB error says when the failure is the store's medium, not its content: exit 73, not 65.
_WRITE_FAILURES = ("No space left", "Disk quota", "Permission denied", "Read-only file system", "File too large")


def is_write_failure(message: str) -> bool:
    """True when a DuckDB error message says the store cannot be written (full disk, quota, permissions)."""
    return any(s in message for s in _WRITE_FAILURES)


def _refuse_foreign(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Someone else's DuckDB database is not made into a store: our tables are never added beside theirs."""
    tables = {r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database()").fetchall()}
    if tables and "schema_version" not in tables:
        raise InvalidInput(f"{path} is a DuckDB database but not an openscope store; give another --db")


def _pending(con: duckdb.DuckDBPyConnection) -> bool:
    applied = {r[0] for r in con.execute("SELECT version FROM schema_version").fetchall()}
    return not _shipped_versions() <= applied


def _up_to_date(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the store has applied every shipped migration and none newer: an open for writing then has
    nothing to check or apply. Why: the full path (the catalogue query that refuses a foreign database, the
    ``CREATE TABLE IF NOT EXISTS``, every migration file read) cost 1-3 ms of every open for writing (about 10%
    beside DuckDB's own start; tens of ms on a loaded machine), once per command and thousands of times per test
    run, for stores that are nearly always current. Any other answer (no
    ``schema_version`` table, a migration missing, a newer one) takes the full path, which says what is wrong."""
    import duckdb

    try:
        applied = {r[0] for r in con.execute("SELECT version FROM schema_version").fetchall()}
    except duckdb.CatalogException:
        return False
    return bool(applied) and max(applied) <= SCHEMA_VERSION and _shipped_versions() <= applied


# Steps a layer to the right asks every open for writing to run once the layout is current (lineage's
# ``model_origin`` view check registers itself: :func:`on_write_open`). The store never imports them: derive
# sits right of the store (DESIGN.md, "One way for data to flow").
_WRITE_OPEN_STEPS: list[Callable[[Store], object]] = []


def on_write_open(step: Callable[[Store], object]) -> Callable[[Store], object]:
    """Register ``step(store)`` to run at every open for writing, after dead runs are closed (once per step)."""
    if step not in _WRITE_OPEN_STEPS:
        _WRITE_OPEN_STEPS.append(step)
    return step


def _after_write_open(store: Store) -> None:
    """What every open for writing does once the layout is current; each step writes nothing when there is
    nothing to do.

    Why at the open: DuckDB lets one process hold a store for writing, so this is when a ``running`` run
    that this process did not begin is known dead (it is closed, as an ingest used to do for ingests only),
    and when a view whose shipped definition changed can be brought up to date without waiting for a
    derive (the registered steps).
    """
    from openscope.store.snapshots import close_dead_runs

    close_dead_runs(store)
    for step in _WRITE_OPEN_STEPS:
        step(store)


def open_store(path: str | Path | None = None, *, read_only: bool = False, create: bool = True,
               before_upgrade: Callable[[], object] | None = None) -> Store:
    """Open (and migrate) the store at ``path``.

    ``create=False`` refuses to create a missing store (exit 66): read-only commands never create one.
    ``before_upgrade`` is called before a read-only open of an older store reopens it for writing to upgrade
    it: the interface layer registers its write-open steps (:func:`on_write_open`) there, so that a read of
    a current store does not import them.
    A store newer than this code exits 65; a lock held by another process exits 75 naming it; a path
    whose folder is missing or not writable exits 73. An open for writing then closes the runs that died
    and brings ``model_origin`` up to date (:func:`_after_write_open`).
    """
    p = Path(path) if path is not None else default_db_path()
    if str(p) != ":memory:":
        try:
            p.exists()
        except OSError as exc:
            # Why: a name the system refuses (`File name too long`) made `exists` raise, and every command,
            # reading or writing, exited 70 with a traceback's last line; no store can be there, nor be made
            shown = str(p) if len(str(p)) <= 200 else str(p)[:200] + "…"
            if not create or read_only:
                raise MissingInput(f"no store at {shown}: {exc.strerror}") from None
            raise StoreWriteError(f"cannot create store {shown}: {exc.strerror}") from None
        if not p.exists():
            if not create or read_only:
                raise MissingInput(f"no store at {p}; create one with `openscope ingest` or `openscope crawl`")
            if not p.parent.exists():
                raise StoreWriteError(f"cannot create store {p}: folder {p.parent} does not exist")
            if not p.parent.is_dir():
                raise StoreWriteError(f"cannot create store {p}: {p.parent} is a file, not a folder")
            if not os.access(p.parent, os.W_OK):
                raise StoreWriteError(f"cannot create store {p}: folder {p.parent} is not writable")
        elif p.is_dir():  # a writer cannot create its store there (73); for a reader it is no store (65)
            err = StoreWriteError if create and not read_only else InvalidInput
            raise err(f"cannot open store {p}: it is a folder")
    existed = str(p) == ":memory:" or p.exists()
    import duckdb

    try:
        con = duckdb.connect(str(p), read_only=read_only)
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            raise StoreLocked(_lock_message(p, exc))
        if is_write_failure(text) or not existed:
            raise StoreWriteError(f"cannot write store {p}: {text.splitlines()[0]}")
        raise InvalidInput(f"store {p} cannot be opened: {text.splitlines()[0]}")
    except (duckdb.SerializationException, duckdb.InternalException, duckdb.Error) as exc:
        raise InvalidInput(f"store {p} is not a valid openscope store: {str(exc).splitlines()[0]}")
    try:
        if read_only:
            # The version first, and only when that fails, whether the table is there at all: the catalogue
            # query took 6-8 ms of every read-only command on a large store, for the answer the first gives.
            try:
                current = con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]  # type: ignore[index]  # an aggregate always yields one row
            except duckdb.CatalogException:
                has = con.execute(  # type: ignore[index]  # an aggregate always yields one row
                    "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
                ).fetchone()[0]
                if not has:
                    raise InvalidInput(f"{p} is not an openscope store") from None
                raise  # one in another schema: the damaged-store answer below, as before
            if current > SCHEMA_VERSION:
                raise InvalidInput(
                    f"store {p} has schema version {current}, newer than this openscope ({SCHEMA_VERSION}); "
                    "upgrade openscope"
                )
            if _pending(con):
                # An older store: reopen writable once to upgrade it, then continue read-only.
                con.close()
                if before_upgrade is not None:
                    before_upgrade()
                try:
                    with open_store(p, read_only=False, create=False):
                        pass
                except StoreWriteError as exc:
                    # Why: on a read-only medium (a mounted archive, a snapshot) a *reading* command said only
                    # "cannot write store …: Read-only file system", which reads as a bug; say why it writes.
                    raise StoreWriteError(
                        f"store {p} has schema version {current}, older than this openscope's "
                        f"({SCHEMA_VERSION}): reading it needs it upgraded first, and it cannot be written "
                        f"here ({exc.message.removeprefix(f'cannot write store {p}: ')}); open it once where it can be written (any command upgrades it), "
                        "or copy it to a writable folder") from None
                con = duckdb.connect(str(p), read_only=True)
        else:
            if not _up_to_date(con):
                _refuse_foreign(con, p)
                _migrate(con, p)
            store = Store(con, p, read_only)
            _after_write_open(store)
            return store
    except duckdb.Error as exc:  # the header opened but the catalog or its pages cannot be read: corrupt
        con.close()
        first = (str(exc).splitlines() or [""])[0]
        if isinstance(exc, duckdb.IOException) and "lock" in first.lower():  # the reopen after an upgrade
            raise StoreLocked(_lock_message(p, exc))
        if is_write_failure(first):
            raise StoreWriteError(f"cannot write store {p}: {first}")
        raise InvalidInput(f"store {p} is damaged or not an openscope store: {first}")
    except BaseException:
        con.close()
        raise
    return Store(con, p, read_only)
