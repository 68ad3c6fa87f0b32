"""`openscope model` says when a model comes from the simulated Hub, and only then (the sixth mutation round's
M10: no test ran `model` on a store of simulated records, so dropping or inverting the line survived).

A reader auditing a model must never take a simulated record for a real one: the demo's store is made of the
simulated Hub's records (each tagged ``openscope:synthetic``), the hand graph's of plain records."""
from __future__ import annotations

import json
from pathlib import Path

import duckdb


def _first_id(db: Path, synthetic: bool) -> str:
    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute("SELECT id FROM models WHERE synthetic = ? AND deleted_at IS NULL ORDER BY id LIMIT 1",
                          [synthetic]).fetchone()
    finally:
        con.close()
    assert row is not None
    return str(row[0])


def _rows(text: str) -> dict[str, str]:
    """The text answer's "key  value" rows, keyed by their first words (the table has no header)."""
    out = {}
    for line in text.splitlines():
        parts = line.strip().split("  ", 1)
        if len(parts) == 2:
            out[parts[0].strip()] = parts[1].strip()
    return out


def test_a_simulated_model_says_so_in_text_and_json(cli, demo_store: Path) -> None:
    mid = _first_id(demo_store, True)
    text = cli("--db", demo_store, "model", mid)
    assert text.code == 0, text.stderr
    assert _rows(text.stdout).get("synthetic") == "yes (from a simulated Hub)"
    doc = cli("--db", demo_store, "model", mid, "--json")
    assert doc.code == 0, doc.stderr
    assert json.loads(doc.stdout)["metadata"]["synthetic"] is True


def test_a_real_record_has_no_synthetic_line(cli, hand_db: Path) -> None:
    mid = _first_id(hand_db, False)
    text = cli("--db", hand_db, "model", mid)
    assert text.code == 0, text.stderr
    assert "synthetic" not in _rows(text.stdout)
    assert "simulated" not in text.stdout
    doc = cli("--db", hand_db, "model", mid, "--json")
    assert json.loads(doc.stdout)["metadata"]["synthetic"] is False
