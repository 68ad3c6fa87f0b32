""""Did you mean" ranks ids equally similar by Jaro-Winkler by edit distance, fewest edits first (the sixth
mutation round's L01: without the edit-distance key the tie fell to alphabetical order and no test saw it).

``acme/widget-7b`` typed: ``ame/widget-7b`` (one deletion) and ``amce/widget-7b`` (one transposition, two edits)
score exactly the same Jaro-Winkler similarity; alphabetically ``amce`` comes first, so only the edit-distance
key puts the one-edit id first."""
from __future__ import annotations

from pathlib import Path

import duckdb
from lineage_graphs import entry, run_quiet, write_jsonl

TYPED = "acme/widget-7b"
ONE_EDIT = "ame/widget-7b"
TWO_EDITS = "amce/widget-7b"


def test_equally_similar_ids_are_offered_fewest_edits_first(cli, tmp_path: Path) -> None:
    con = duckdb.connect()
    same = con.execute("SELECT jaro_winkler_similarity(?, ?) = jaro_winkler_similarity(?, ?)",
                       [ONE_EDIT, TYPED, TWO_EDITS, TYPED]).fetchone()
    assert same == (True,)  # the premise: a tie the first key cannot break
    db = tmp_path / "s.duckdb"
    src = write_jsonl(tmp_path / "m.jsonl", [entry(TWO_EDITS), entry(ONE_EDIT), entry("zz/unrelated")])
    assert run_quiet("--db", db, "ingest", src) == 0
    for cmd in ("model", "lineage"):
        res = cli("--db", db, cmd, TYPED)
        assert res.code == 66, (cmd, res.stderr)
        assert res.stderr.strip().endswith(f"did you mean {ONE_EDIT}, {TWO_EDITS}?"), (cmd, res.stderr)
