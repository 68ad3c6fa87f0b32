"""A store's migrations are stamped in UTC, as its snapshots are, whatever the machine's time zone.

Before: ``schema_version.applied_at`` took the machine's local time (the store set its zone to UTC only after
migrating), so east of UTC migration 0010 read as applied after the first snapshot began, and `status` said
nothing of the derive steps a first ``ingest --no-derive`` left unrun (found by running the suite under
``TZ=Pacific/Kiritimati``, UTC+14). A subprocess: the time zone is the process's.
"""

from __future__ import annotations

import json

import duckdb


def test_east_of_utc_a_first_ingest_without_derive_is_still_named_behind(run_openscope, tmp_path) -> None:
    db, src = tmp_path / "s.duckdb", tmp_path / "m.jsonl"
    src.write_text(json.dumps({"id": "acme/m", "author": "acme", "tags": ["license:mit"]}) + "\n")
    east = {"TZ": "Pacific/Kiritimati"}
    assert run_openscope("--db", db, "--quiet", "ingest", src, "--no-derive", env=east).code == 0
    res = run_openscope("--db", db, "--json", "status", env=east)
    assert res.code == 0, res.stderr
    steps = {"licenses": None, "lineage": None, "openness": None}
    assert json.loads(res.stdout)["derive_behind"] == {"snapshot_id": 1, "steps": steps}
    con = duckdb.connect(str(db), read_only=True)
    try:
        applied, started = con.execute("SELECT (SELECT max(applied_at) FROM schema_version), "
                                       "(SELECT min(started_at) FROM snapshots)").fetchone()  # type: ignore[misc]
    finally:
        con.close()
    assert applied <= started, (applied, started)
