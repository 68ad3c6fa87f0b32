"""Foundation: the store's schema, migrations, status and the exit codes around them (issue 2)."""

from __future__ import annotations

import json
from importlib import resources

import duckdb
import pytest

from openscope.errors import InvalidInput
from openscope.store import SCHEMA_VERSION, open_store

CONTRACT_TABLES = {
    "schema_version", "snapshots", "models", "datasets", "model_stats", "dataset_stats", "tags", "files",
    "cards", "rejects", "edges", "lineage", "lineage_cycles", "publishers", "licenses", "openness",
    "audit_findings",
}


def test_new_store_has_every_contract_table_and_view(db):
    with open_store(db) as s:
        names = {r[0] for r in s.con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        assert names >= CONTRACT_TABLES
        assert "counters" in names  # a view
        assert s.schema_version() == SCHEMA_VERSION
        cols = {r[0] for r in s.con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'snapshots'").fetchall()}
        assert {"snapshot_id", "kind", "source", "endpoint", "started_at", "finished_at", "status", "n_records",
                "simulated"} <= cols


def test_older_store_is_upgraded_on_open(db):
    first = resources.files("openscope.store.migrations").joinpath("0001_initial.sql").read_text()
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP)")
    con.execute(first)
    con.execute("INSERT INTO schema_version VALUES (1, now()::TIMESTAMP)")
    con.execute("INSERT INTO models (id) VALUES ('kept/model')")
    con.close()
    with open_store(db, read_only=True, create=False) as s:  # even a read-only open upgrades
        assert s.schema_version() == SCHEMA_VERSION
        assert s.scalar("SELECT id FROM models") == "kept/model"
        applied = [r[0] for r in s.con.execute("SELECT version FROM schema_version ORDER BY 1").fetchall()]
    shipped = sorted(int(e.name[:4]) for e in resources.files("openscope.store.migrations").iterdir()
                     if e.name.endswith(".sql"))
    assert applied == shipped


def test_newer_store_is_refused_with_65(cli, db):
    with open_store(db) as s:
        s.con.execute("INSERT INTO schema_version VALUES (9999, now()::TIMESTAMP)")
    r = cli("--db", db, "status")
    assert r.code == 65 and "newer than this openscope" in r.stderr
    assert "Traceback" not in r.stderr


def test_status_on_missing_store_exits_66_and_creates_nothing(cli, tmp_path):
    p = tmp_path / "none.duckdb"
    r = cli("--db", p, "status", "--json")
    assert r.code == 66 and r.stdout == ""
    assert not p.exists()


def test_not_a_store_exits_65(cli, tmp_path):
    p = tmp_path / "junk.duckdb"
    p.write_bytes(b"this is not a database" * 100)
    r = cli("--db", p, "status")
    assert r.code == 65, r.stderr


def test_status_json_shape(cli, db, tmp_path):
    f = tmp_path / "one.jsonl"
    f.write_text(json.dumps({"id": "a/b", "downloads": 3, "tags": ["openscope:synthetic"]}) + "\n")
    assert cli("--db", db, "ingest", f).code == 0
    r = cli("--db", db, "status", "--json")
    assert r.code == 0
    doc = r.json()
    assert {"db", "schema_version", "snapshots", "models", "datasets", "rejects", "last_snapshot"} <= doc.keys()
    assert doc["models"] == 1 and doc["snapshots"] == 1 and doc["schema_version"] == SCHEMA_VERSION
    last = doc["last_snapshot"]
    assert set(last) >= {"snapshot_id", "kind", "source", "started_at", "finished_at", "status", "n_records"}
    assert last["kind"] == "ingest" and last["status"] == "complete" and last["n_records"] == 1
    # a synthetic entry marks its model synthetic and its snapshot simulated
    with open_store(db, read_only=True, create=False) as s:
        assert s.scalar("SELECT synthetic FROM models") is True
        assert s.scalar("SELECT simulated FROM snapshots") is True
    # --json may also be given before the command
    assert cli("--json", "--db", db, "status").json()["models"] == 1


def test_usage_errors_exit_64(cli, db):
    r = cli("--db", db, "status", "--no-such-option")
    assert r.code == 64 and "usage error" in r.stderr
    r = cli("--db", db, "ingest")
    assert r.code == 64
    r = cli("no-such-command")
    assert r.code == 64


def test_sql_is_read_only(cli, db, tmp_path):
    f = tmp_path / "one.jsonl"
    f.write_text(json.dumps({"id": "a/b"}) + "\n")
    assert cli("--db", db, "ingest", f).code == 0
    r = cli("--db", db, "sql", "SELECT id FROM models", "--json")
    assert r.code == 0 and r.json()["rows"] == [{"id": "a/b"}]
    r = cli("--db", db, "sql", "DELETE FROM models")
    assert r.code == 65 and "query failed" in r.stderr
    assert cli("--db", db, "sql", "SELECT count(*) AS n FROM models", "--json").json()["rows"][0]["n"] == 1


def test_a_missing_lower_numbered_migration_is_still_applied(tmp_path, monkeypatch):
    """Migrations are applied by set difference: a store that has versions 1 and 3 but not 2 (a migration
    merged later with a lower number) gets 2 on open. The shipped list is replaced by three small ones."""
    from openscope.store import db as dbmod

    fake = [(1, "0001_a.sql", "CREATE TABLE a (x INT)"), (2, "0002_b.sql", "CREATE TABLE b (x INT)"),
            (3, "0003_c.sql", "CREATE TABLE c (x INT)")]
    monkeypatch.setattr(dbmod, "_migrations", lambda: fake)
    monkeypatch.setattr(dbmod, "SCHEMA_VERSION", 3)
    p = tmp_path / "partial.duckdb"
    con = duckdb.connect(str(p))
    con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP)")
    con.execute("CREATE TABLE a (x INT); CREATE TABLE c (x INT)")
    con.execute("INSERT INTO schema_version VALUES (1, now()::TIMESTAMP), (3, now()::TIMESTAMP)")
    con.close()
    with dbmod.open_store(p, read_only=True, create=False) as s:
        assert sorted(r[0] for r in s.con.execute("SELECT version FROM schema_version").fetchall()) == [1, 2, 3]
        assert s.scalar("SELECT count(*) FROM b") == 0


def test_an_open_for_writing_checks_the_schema_only_when_the_store_is_not_current(db, tmp_path, monkeypatch):
    """An up-to-date store opens for writing without reading a migration (the fast path); every store that is
    not current still takes the full path: a foreign DuckDB database is refused, a newer store refused, a store
    missing a migration gets it, a new store gets them all."""
    from openscope.store import db as dbmod

    with open_store(db) as s:   # a new store: every migration
        assert s.schema_version() == SCHEMA_VERSION
    reads = []
    real = dbmod._migrations
    monkeypatch.setattr(dbmod, "_migrations", lambda: reads.append(1) or real())
    with open_store(db) as s:
        s.con.execute("INSERT INTO models (id) VALUES ('kept/model')")
    assert reads == []   # current: no migration read
    # a migration shipped later (as if this openscope were newer): the full path applies it, keeping the rows
    later = SCHEMA_VERSION + 1
    monkeypatch.setattr(dbmod, "_migrations",
                        lambda: reads.append(1) or [*real(), (later, f"{later:04d}_later.sql", "CREATE TABLE later_t (x INT)")])
    shipped = dbmod._shipped_versions
    monkeypatch.setattr(dbmod, "_shipped_versions", lambda: shipped() | {later})
    monkeypatch.setattr(dbmod, "SCHEMA_VERSION", later)
    with open_store(db) as s:
        assert s.scalar("SELECT count(*) FROM later_t") == 0
        assert s.scalar("SELECT id FROM models") == "kept/model"
        assert s.scalar("SELECT max(version) FROM schema_version") == later
    assert reads == [1]
    with open_store(db):   # current again: nothing read
        pass
    assert reads == [1]
    monkeypatch.undo()
    foreign = tmp_path / "theirs.duckdb"
    con = duckdb.connect(str(foreign))
    con.execute("CREATE TABLE their_table (x INT)")
    con.close()
    with pytest.raises(InvalidInput, match="not an openscope store"):
        open_store(foreign)
    assert [r[0] for r in duckdb.connect(str(foreign)).execute("SHOW TABLES").fetchall()] == ["their_table"]
    newer = tmp_path / "newer.duckdb"
    with open_store(newer) as s:
        s.con.execute("INSERT INTO schema_version VALUES (9999, now()::TIMESTAMP)")
    with pytest.raises(InvalidInput, match="newer than this openscope"):
        open_store(newer)
