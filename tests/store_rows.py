"""Reading a store the way a second process would: a read-only connection, opened and closed per query."""

from __future__ import annotations

from pathlib import Path

import duckdb


def rows(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    """All rows of ``sql`` on the store at ``db``, without holding it open (the next command may write)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
