"""Opening a store for writing brings the ``model_origin`` view to its shipped definition.

The view attributes a model to its publisher, with the per-model overrides of ``model_publishers``
(migration 0011: deepset's German BERT in Google's ``google-bert`` namespace is deepset's, DE). A store
made before 0011 held the older view (the namespace only) until its next lineage refresh; now any open for
writing redefines it when its inputs exist in the shipped layout, writes nothing when it is current, and
never fails on a store of an older layout (the development draft of migration 0003 kept ``model_origin``
as a table and had no ``lineage_origin``: the benchmark's cached store has it). Read-only commands cannot
write: they show the view the store holds (docs/store.md).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from importlib import resources
from pathlib import Path

import duckdb
import pytest
from store_rows import rows as q

from openscope.derive.lineage.origin import MODEL_ORIGIN_VIEW, ensure_view
from openscope.store import SCHEMA_VERSION, open_store

GERMAN = "google-bert/bert-base-german-cased"
ENTRIES = [
    {"id": GERMAN, "downloads": 50},
    {"id": "google-bert/bert-base-uncased", "downloads": 90},
    {"id": "acme/german-ner", "downloads": 7, "tags": [f"base_model:finetune:{GERMAN}"]},
    {"id": "acme/english-ner", "downloads": 3, "tags": ["base_model:finetune:google-bert/bert-base-uncased"]},
]
# A store made before migration 0011: no model_publishers, and the shipped publisher data it was derived
# with had no model_publishers.csv (another fingerprint, so lineage's next refresh reloads it).
PRE_0011 = ["DROP TABLE model_publishers", "DELETE FROM schema_version WHERE version = 11",
            "UPDATE lineage_state SET value = 'before-0011' WHERE key = 'publishers_hash'"]
ORIGIN = "SELECT id, publisher, organisation, country, region, root_country FROM model_origin ORDER BY id"


def _older_view() -> str:
    """The view as migration 0003 defined it (what a store made before 0011 holds): namespace only."""
    sql = (resources.files("openscope.store.migrations") / "0003_lineage.sql").read_text(encoding="utf-8")
    body = sql[sql.index("CREATE VIEW model_origin AS"):]
    return body[:body.index(";")].replace("CREATE VIEW", "CREATE OR REPLACE VIEW", 1)


def _wal(db: Path) -> Path:
    return db.with_name(db.name + ".wal")


def _copy(src: Path, dst: Path) -> Path:
    shutil.copyfile(src, dst)
    if _wal(src).exists():
        shutil.copyfile(_wal(src), _wal(dst))
    return dst


def _fingerprint(db: Path) -> tuple[str, str | None]:
    wal = _wal(db)
    return (hashlib.sha256(db.read_bytes()).hexdigest(),
            hashlib.sha256(wal.read_bytes()).hexdigest() if wal.exists() else None)


def _edit(db: Path, *statements: str) -> None:
    """Put the store into an older shape, as an older openscope left it (a plain connection, then closed)."""
    con = duckdb.connect(str(db))
    try:
        for sql in statements:
            con.execute(sql)
    finally:
        con.close()


def _view_kind(db: Path) -> str:
    return q(db, """SELECT table_type FROM information_schema.tables
                    WHERE table_name = 'model_origin' AND table_schema = 'main'""")[0][0]


def _view_is_current(db: Path) -> bool:
    """The stored definition equals the shipped one, as DuckDB prints both (bound in a scratch copy)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        stored = con.execute("SELECT sql FROM duckdb_views() WHERE view_name = 'model_origin' AND NOT temporary"
                             ).fetchone()[0]
        con.execute(MODEL_ORIGIN_VIEW.replace("CREATE OR REPLACE VIEW model_origin", "CREATE TEMP VIEW _want", 1))
        want = con.execute("SELECT sql FROM duckdb_views() WHERE view_name = '_want'").fetchone()[0]
    finally:
        con.close()
    return stored.split(" AS ", 1)[1] == want.split(" AS ", 1)[1]


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built by this openscope: ingested and derived (lineage loaded ``model_publishers``)."""
    from openscope.cli import main

    d = tmp_path_factory.mktemp("origin")
    src = d / "hub.jsonl"
    src.write_text("".join(json.dumps(e) + "\n" for e in ENTRIES))
    db = d / "fresh.duckdb"
    assert main(["--db", str(db), "--quiet", "ingest", str(src)]) == 0
    assert q(db, "SELECT publisher, country FROM model_origin WHERE id = ?", [GERMAN]) == [("deepset", "DE")]
    return db


def test_a_stale_view_is_redefined_by_a_command_that_writes_and_kept_by_one_that_reads(fresh, tmp_path, cli) -> None:
    db = _copy(fresh, tmp_path / "s.duckdb")
    _edit(db, _older_view())
    assert q(db, "SELECT publisher, country FROM model_origin WHERE id = ?", [GERMAN]) == [("google-bert", "US")]
    assert not _view_is_current(db)

    # read-only: the store's own view, and not a byte written
    before = _fingerprint(db)
    doc = cli("--db", db, "--json", "model", GERMAN).json()
    assert (doc["publisher"]["org"], doc["root_countries"]) == ("google-bert", ["US"])  # as the stored view says
    assert cli("--db", db, "--json", "status").code == 0
    assert q(db, "SELECT publisher FROM model_origin WHERE id = ?", [GERMAN]) == [("google-bert",)]
    assert _fingerprint(db) == before

    # a command that writes without deriving (no request: an unfinished crawl dropped)
    r = cli("--db", db, "crawl", "--endpoint", "http://127.0.0.1:9", "--abandon")
    assert r.code == 0, r.stderr
    assert _view_is_current(db)
    assert q(db, ORIGIN) == q(fresh, ORIGIN)
    assert q(db, "SELECT publisher, country FROM model_origin WHERE id = ?", [GERMAN]) == [("deepset", "DE")]
    doc = cli("--db", db, "--json", "model", GERMAN).json()
    assert (doc["publisher"]["org"], doc["root_countries"]) == ("deepset", ["DE"])


def test_a_store_made_before_0011_gets_the_table_and_the_view_on_its_first_open(fresh, tmp_path) -> None:
    db = _copy(fresh, tmp_path / "s.duckdb")
    _edit(db, _older_view(), *PRE_0011)
    store = open_store(db)
    try:
        assert store.schema_version() == SCHEMA_VERSION
        # the table is new (empty until lineage's next refresh loads the shipped rows); the view reads it now
        assert store.scalar("SELECT count(*) FROM model_publishers") == 0
        assert store.scalar("SELECT publisher FROM model_origin WHERE id = ?", [GERMAN]) == "google-bert"
        store.con.execute("INSERT INTO model_publishers VALUES (?, 'deepset', 'test')", [GERMAN])
        assert store.scalar("SELECT publisher FROM model_origin WHERE id = ?", [GERMAN]) == "deepset"
    finally:
        store.close()
    assert _view_is_current(db)


def test_a_read_only_command_on_a_store_before_0011_upgrades_it_view_included(fresh, tmp_path, cli) -> None:
    """A read-only command reopens an older store writable once to migrate it: the view comes with it."""
    db = _copy(fresh, tmp_path / "s.duckdb")
    _edit(db, _older_view(), *PRE_0011)
    assert cli("--db", db, "--json", "status").json()["schema_version"] == SCHEMA_VERSION
    assert _view_is_current(db)


def test_opening_a_current_store_for_writing_writes_nothing(fresh, tmp_path) -> None:
    db = _copy(fresh, tmp_path / "s.duckdb")
    open_store(db).close()
    before = _fingerprint(db)
    store = open_store(db)
    try:
        assert ensure_view(store, if_stale=True) is False  # nothing to do: not redefined
    finally:
        store.close()
    assert _fingerprint(db) == before


DRAFT = [
    # the development draft of migration 0003: lineage and model_origin as tables, no lineage_paths/origin
    "DROP VIEW model_origin", "DROP VIEW lineage", "DROP TABLE lineage_origin", "DROP TABLE lineage_paths",
    """CREATE TABLE model_origin (id VARCHAR NOT NULL, publisher VARCHAR, organisation VARCHAR, country VARCHAR,
           region VARCHAR, depth INTEGER, n_parents INTEGER NOT NULL, roots VARCHAR[], root_countries VARCHAR[],
           root_regions VARCHAR[], root_country VARCHAR, root_region VARCHAR)""",
    "INSERT INTO model_origin (id, publisher, n_parents) VALUES ('google-bert/bert-base-german-cased', 'google-bert', 0)",
    "CREATE TABLE lineage (id VARCHAR NOT NULL, root VARCHAR NOT NULL, depth INTEGER NOT NULL, path VARCHAR[])",
    *PRE_0011,
]


def test_a_development_draft_layout_opens_and_keeps_its_table_until_lineage_moves_it(fresh, tmp_path, cli) -> None:
    db = _copy(fresh, tmp_path / "s.duckdb")
    _edit(db, *DRAFT)
    store = open_store(db)  # must not fail: the view's inputs are not there
    try:
        assert store.schema_version() == SCHEMA_VERSION
        assert ensure_view(store, if_stale=True) is False
    finally:
        store.close()
    assert _view_kind(db) == "BASE TABLE"
    assert q(db, "SELECT publisher FROM model_origin") == [("google-bert",)]
    assert cli("--db", db, "--json", "status").code == 0
    assert cli("--db", db, "crawl", "--endpoint", "http://127.0.0.1:9", "--abandon").code == 0
    # the next ingest derives: lineage's refresh moves the layout on, and the view is the shipped one
    more = tmp_path / "more.jsonl"
    more.write_text(json.dumps({"id": "acme/other", "downloads": 1}) + "\n")
    r = cli("--db", db, "--quiet", "ingest", more)
    assert r.code == 0, r.stderr
    assert _view_kind(db) == "VIEW" and _view_is_current(db)
    assert q(db, "SELECT publisher, country FROM model_origin WHERE id = ?", [GERMAN]) == [("deepset", "DE")]


def test_the_store_layer_never_imports_derive(tmp_path: Path) -> None:
    # DESIGN.md: a module imports only from layers to its left; lineage registers its open step itself
    import subprocess
    import sys

    code = ("import sys; from openscope.store import open_store; "
            f"open_store({str(tmp_path / 's.duckdb')!r}).close(); "
            "bad = sorted(m for m in sys.modules if m.startswith('openscope.derive')); "
            "assert not bad, bad; "
            "import openscope.derive.lineage.origin as o; from openscope.store.db import _WRITE_OPEN_STEPS; "
            "assert _WRITE_OPEN_STEPS == [o.ensure_view_if_stale], _WRITE_OPEN_STEPS")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
