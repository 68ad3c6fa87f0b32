"""`status` names the derive steps left behind the raw tables (a derive killed midway, or --no-derive)."""

from __future__ import annotations

import json
from pathlib import Path

from openscope import derive
from openscope.cli import main
from openscope.store import open_store


def _dump(path: Path, ids: list[str]) -> Path:
    path.write_text("".join(json.dumps({"id": i, "tags": ["license:mit"]}) + "\n" for i in ids))
    return path


def _status(cli, db: Path) -> tuple[dict, str]:
    doc = cli("--db", db, "--json", "status").json()
    return doc, " ".join(cli("--db", db, "status").stdout.split())


def test_a_derive_left_behind_is_named_until_the_next_derive(cli, tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    assert main(["--db", str(db), "--quiet", "ingest", str(_dump(tmp_path / "a.jsonl", ["a/x"]))]) == 0
    doc, text = _status(cli, db)
    assert doc["derive_behind"] is None and "derived tables behind" not in text
    # a second ingest without deriving: every step is behind snapshot 2
    assert main(["--db", str(db), "--quiet", "ingest", "--no-derive", str(_dump(tmp_path / "b.jsonl", ["a/y"]))]) == 0
    doc, text = _status(cli, db)
    assert doc["derive_behind"] == {"snapshot_id": 2, "steps": {"licenses": 1, "lineage": 1, "openness": 1}}
    assert ("derived tables behind snapshot #2: licenses (last run for #1), lineage (last run for #1), openness "
            "(last run for #1) (a derive killed") in text
    # a derive that stopped after its first step (as a kill would leave it): the later steps are named
    with open_store(db) as store:
        assert derive.refresh(store, only=["lineage"]) == ["lineage"]
    doc, _ = _status(cli, db)
    assert doc["derive_behind"]["steps"] == {"licenses": 1, "openness": 1}
    # the next ingest that derives brings every step up to date
    assert main(["--db", str(db), "--quiet", "ingest", str(_dump(tmp_path / "c.jsonl", ["a/z"]))]) == 0
    doc, text = _status(cli, db)
    assert doc["derive_behind"] is None and "derived tables behind" not in text
