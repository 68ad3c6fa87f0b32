"""An ingest's rejects are stored in the dump's line order, so a bare ``SELECT * FROM rejects`` reads like the file.

Why: bulk work runs with ``preserve_insertion_order`` off, and DuckDB then stored the rejects of one ingest in any
order; docs/ingest.md's example (a bare query of two rejects) came back in the other order on a CI run. The dump
below has repeated lines, which sends the rejects through the path that joins line numbers back (the one that
shuffled them). The counters sweep writes its rejects through the same ordered insert (store/counters.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb


def _lines(n: int) -> tuple[list[str], list[str]]:
    """``n`` lines: every third an invalid entry of a varying kind, repeats of good lines between; the bad lines' locators."""
    out: list[str] = []
    bad: list[str] = []
    for i in range(n):
        if i % 3 == 1:
            out.append(["{oops", "[1, 2]", json.dumps({"id": ""}), json.dumps({"id": f"o/m{i}", "downloads": "many"})][i % 4])
            bad.append(f"d.jsonl:{i + 1}")
        elif i % 7 == 0 and out:
            out.append(out[0])  # a repeated line
        else:
            out.append(json.dumps({"id": f"org/m{i}", "downloads": i, "likes": 1, "tags": ["license:mit"]}))
    return out, bad


def test_rejects_come_back_in_line_order_without_order_by(cli, tmp_path: Path) -> None:
    lines, bad = _lines(3000)
    dump = tmp_path / "d.jsonl"
    dump.write_text("\n".join(lines) + "\n")
    db = tmp_path / "s.duckdb"
    r = cli("--db", db, "--json", "ingest", dump)
    assert r.code == 0, r.err
    assert r.json()["rejects"] == len(bad) > 900
    with duckdb.connect(str(db), read_only=True) as con:
        stored = [row[0] for row in con.execute("SELECT locator FROM rejects WHERE snapshot_id = 1").fetchall()]
        setting = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()
    assert stored == bad
    assert setting == (True,)  # a fresh connection's default, untouched by the ingest


def test_the_ingest_restores_the_session_setting(tmp_path: Path) -> None:
    """The ordered insert switches ``preserve_insertion_order`` on for itself only, and back to what it was."""
    from openscope.store.db import open_store

    store = open_store(tmp_path / "s.duckdb")
    try:
        for before in (False, True):
            store.con.execute(f"SET preserve_insertion_order={'true' if before else 'false'}")
            n = store.insert_in_order(
                "INSERT INTO rejects SELECT 1, 'test', 'x:' || i, NULL, 'r', now()::TIMESTAMP FROM range(5) t(i) ORDER BY i"
            )
            assert n == 5
            assert store.scalar("SELECT current_setting('preserve_insertion_order')") is before
    finally:
        store.close()
