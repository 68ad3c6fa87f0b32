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


def top_ids(db: Path, n: int, repo_type: str = "model") -> list[str]:
    """The ``n`` most-downloaded ids of ``repo_type``, in the order ``crawl --cards --top`` reads them."""
    table, stats = ("models", "model_stats") if repo_type == "model" else ("datasets", "dataset_stats")
    return [r[0] for r in rows(db, f"""SELECT m.id FROM {table} m JOIN {stats} s USING (id)
                                       ORDER BY s.downloads_30d DESC NULLS LAST, m.id LIMIT ?""", [n])]
