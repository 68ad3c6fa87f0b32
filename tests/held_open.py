"""Keep a store's DuckDB database started while in-process commands only read it.

Why: every ``openscope`` command opens the store by its path, and each ``duckdb.connect`` of a file that
no connection of this process holds starts a whole database (the catalog read from the file, the built-in
extensions loaded, the worker threads made): 25-45 ms on an idle two-core machine, more under load, even
for a store of five models. The fuzz tests run hundreds of read commands on such tiny stores, and those
starts were about a third of their time.

While one read-only connection to the file stays open in this process, DuckDB's Python client hands every
later connect of the same path with the same configuration (``read_only=True``, as ``open_store`` asks for
a read) that running database. A command still does its whole open (``open_store``'s checks and queries,
on the same file contents) and its whole work; only the start is skipped.

Hold it only across reads. A command that opens the store for writing meanwhile is refused by DuckDB (a
second configuration of a running database), which ``open_store`` reports as an error: a test that got
this wrong goes red, it never passes silently.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb


@contextmanager
def reads_only(db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Hold ``db`` open read-only for the block (the connection is yielded, for the test's own queries)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        yield con
    finally:
        con.close()
