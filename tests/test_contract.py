"""The contract of DESIGN.md, walked command by command in one place.

Users script against three things: the store's tables and views, the ``--json`` shapes and the exit
codes (with the promises around them: one JSON document on stdout, errors as one line on stderr, never a
traceback, read-only commands never create a store). Each area has its own tests; this file checks the
whole surface the same way for every command, against a small store built by the real pipeline (the
simulated Hub's generator, ``openscope ingest`` and ``openscope crawl``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

from openscope.simhub.generator import write_dump
from openscope.simhub.testing import running_simhub
from openscope.store import open_store

# -- the contract, as data --------------------------------------------------------------------------

TABLES = ["schema_version", "snapshots", "models", "datasets", "model_stats", "dataset_stats", "tags", "files",
          "cards", "rejects", "edges", "lineage", "lineage_cycles", "publishers", "licenses", "openness",
          "audit_findings"]
USER_VIEWS = ["models", "datasets", "edges", "lineage", "publishers", "licenses", "openness", "counters"]
REPO_COLUMNS = ["id", "author", "created_at", "created_at_raw", "last_modified", "gated", "license", "card_data",
                "synthetic", "deleted_at", "first_snapshot_id", "last_snapshot_id"]
HUB_MODEL_FIELDS = ["pipeline_tag", "library_name", "params"]  # in both tables; NULL for datasets
COLUMNS = {
    "snapshots": ["snapshot_id", "kind", "source", "endpoint", "started_at", "finished_at", "status", "n_records",
                  "simulated"],
    "models": REPO_COLUMNS + HUB_MODEL_FIELDS,
    "datasets": REPO_COLUMNS + HUB_MODEL_FIELDS,
    "model_stats": ["snapshot_id", "id", "downloads_30d", "downloads_all_time", "likes"],
    "dataset_stats": ["snapshot_id", "id", "downloads_30d", "downloads_all_time", "likes"],
    "rejects": ["snapshot_id", "source", "locator", "raw", "reason", "rejected_at"],
    "edges": ["child", "parent", "relation", "evidence", "chosen"],
    "lineage": ["id", "root", "depth", "path"],
    "lineage_cycles": ["cycle_id", "id"],
    "publishers": ["org", "name", "country", "region", "kind", "source"],
    "counters": ["snapshot_id", "id", "downloads_30d", "downloads_all_time", "likes"],
}

STATUS_KEYS = {"db", "schema_version", "snapshots", "models", "datasets", "rejects", "last_snapshot"}
SNAPSHOT_KEYS = {"snapshot_id", "kind", "source", "started_at", "finished_at", "status", "n_records"}
RUN_KEYS = {"snapshot_id", "status", "pages", "records", "changed", "rejects", "api_calls", "rate_limit_wait_s",
            "elapsed_s"}
LINEAGE_KEYS = {"id", "direction", "nodes", "edges", "truncated", "summary"}
NODE_KEYS = {"id", "relation", "depth", "publisher", "country", "region", "created_at", "downloads_30d"}
EDGE_KEYS = {"child", "parent", "relation", "evidence", "chosen"}
MODEL_KEYS = {"id", "metadata", "counters", "lineage", "publisher", "root_countries", "licenses"}
MODEL_LINEAGE_KEYS = {"roots", "depth", "parents", "children_by_relation"}
OSAI_DIMENSIONS = {"datasources_basemodel", "datasources_endmodel", "weights_basemodel", "weights_endmodel",
                   "trainingcode", "code", "hardware_architecture", "preprint", "paper", "modelcard", "datasheet",
                   "licenses"}
ASSESS_KEYS = {"id", "osai", "mof", "osaid", "components", "flags"}
LICENSE_MODEL_KEYS = {"id", "declared", "license", "class", "duties", "flow_down", "conflicts"}
FLOW_KEYS = {"base", "license", "class", "duties"}
LICENSE_ID_KEYS = {"license", "name", "class", "osi_approved", "commercial_use", "use_restrictions", "user_cap",
                   "duties", "clauses"}
CLAUSE_KEYS = {"attribute", "text", "url", "verified"}
AUDIT_KEYS = {"target", "verdict", "findings"}
FINDING_KEYS = {"file", "member", "offset", "rule", "severity", "import", "detail"}
SEVERITIES = {"info", "low", "medium", "high", "critical"}

# A pickle that calls os.system: the audit's critical finding, written byte by byte (never executed).
EVIL_PICKLE = b'cos\nsystem\n(S"echo contract"\ntR.'


# -- helpers -----------------------------------------------------------------------------------------

def strict_json(text: str):
    """Parse ``text`` as exactly one strict JSON document (RFC 8259: no NaN, no Infinity)."""
    def refuse(word: str):
        raise ValueError(f"not JSON: {word}")
    return json.loads(text, parse_constant=refuse)


def assert_one_json(res) -> dict:
    assert res.code in (0, 1), (res.code, res.stderr)
    assert "Traceback" not in res.stderr
    doc = strict_json(res.stdout)  # json.loads refuses trailing data: one document, nothing else
    assert isinstance(doc, dict)
    return doc


def assert_error(res, code: int, *, json_out: bool = True) -> str:
    """An error: the contract's code, one line on stderr, no traceback, nothing on stdout under --json."""
    assert res.code == code, (res.code, res.stdout[-500:], res.stderr[-500:])
    assert "Traceback" not in res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("openscope: "), lines[0]
    if json_out:
        assert res.stdout == "", res.stdout
    return lines[0]


def columns(db: Path) -> dict[str, set[str]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("SELECT table_name, column_name FROM information_schema.columns").fetchall()
    finally:
        con.close()
    out: dict[str, set[str]] = {}
    for t, c in rows:
        out.setdefault(t, set()).add(c)
    return out


def counts(db: Path) -> dict[str, int]:
    """Row counts of every table, and the table list itself: what a refused write must leave alone."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1").fetchall()]
        return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        con.close()


def one_value(db: Path, sql: str):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def no_store_files(path: Path) -> bool:
    return not path.exists() and not Path(str(path) + ".wal").exists()


# -- the store every test reads ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A store built by the real pipeline: simulated Hub dumps ingested (models, then datasets)."""
    from openscope.cli import main

    d = tmp_path_factory.mktemp("contract")
    models, datasets = d / "models.jsonl", d / "datasets.jsonl"
    write_dump(models, models=150, datasets=15, seed=11)
    write_dump(datasets, models=150, datasets=15, seed=11, repo_type="dataset")
    db = d / "store.duckdb"
    assert main(["--db", str(db), "--quiet", "ingest", str(models)]) == 0
    assert main(["--db", str(db), "--quiet", "ingest", "--datasets", str(datasets)]) == 0
    con = duckdb.connect(str(db), read_only=True)
    try:
        child, parent = con.execute(
            "SELECT child, parent FROM edges WHERE chosen AND parent IN (SELECT id FROM models) "
            "ORDER BY child LIMIT 1").fetchone()
    finally:
        con.close()
    (d / "model.pkl").write_bytes(EVIL_PICKLE)
    (d / "clean").mkdir()
    (d / "clean" / "config.json").write_text('{"model_type": "llama"}', encoding="utf-8")
    return {"dir": d, "db": db, "models": models, "datasets": datasets, "child": child, "parent": parent,
            "evil": d / "model.pkl", "clean": d / "clean"}


@pytest.fixture
def store_copy(built, tmp_path: Path) -> Path:
    """A private copy of the built store, for tests that write or break it."""
    db = tmp_path / "copy.duckdb"
    shutil.copyfile(built["db"], db)
    return db


# -- tables and views ------------------------------------------------------------------------------------

def _assert_contract_schema(db: Path) -> None:
    cols = columns(db)
    for name in TABLES + USER_VIEWS:
        assert name in cols, f"{name} missing"
    for name, wanted in COLUMNS.items():
        assert set(wanted) <= cols[name], (name, set(wanted) - cols[name])


def test_a_fresh_store_has_every_contract_table_view_and_column(tmp_path: Path, cli) -> None:
    db = tmp_path / "fresh.duckdb"
    open_store(db).close()
    _assert_contract_schema(db)
    doc = assert_one_json(cli("--db", db, "--json", "status"))
    assert doc.keys() >= STATUS_KEYS and doc["last_snapshot"] is None and doc["snapshots"] == 0


def test_an_ingested_store_has_every_contract_table_view_and_column(built) -> None:
    _assert_contract_schema(built["db"])
    # the Hub records no pipeline tag, library or parameter count for a dataset: unknown, never derived
    assert one_value(built["db"], "SELECT count(*) FROM datasets WHERE pipeline_tag IS NOT NULL "
                                  "OR library_name IS NOT NULL OR params IS NOT NULL") == 0
    assert one_value(built["db"], "SELECT count(*) FROM (SELECT id, pipeline_tag, library_name, params FROM models "
                                  "UNION ALL SELECT id, pipeline_tag, library_name, params FROM datasets)") == 165


def test_a_store_made_before_the_dataset_columns_gains_them_and_keeps_its_rows(store_copy: Path, cli) -> None:
    con = duckdb.connect(str(store_copy))
    try:
        for c in HUB_MODEL_FIELDS:
            con.execute(f"ALTER TABLE datasets DROP COLUMN {c}")
        con.execute("DELETE FROM schema_version WHERE version = 7")
    finally:
        con.close()
    assert cli("--db", store_copy, "--json", "status").json()["datasets"] == 15
    _assert_contract_schema(store_copy)


def test_stored_enumerations_keep_to_the_contract_values(built) -> None:
    db = built["db"]
    assert one_value(db, "SELECT count(*) FROM models") == 150
    assert one_value(db, "SELECT count(*) FROM datasets") == 15
    assert one_value(db, "SELECT count(*) FROM edges") > 0
    bad = one_value(db, """SELECT count(*) FROM snapshots
        WHERE kind NOT IN ('full', 'incremental', 'counters', 'ingest')
           OR status NOT IN ('running', 'complete', 'failed', 'aborted')""")
    assert bad == 0
    bad = one_value(db, """SELECT count(*) FROM edges
        WHERE relation NOT IN ('finetune', 'adapter', 'quantized', 'merge', 'unknown')
           OR evidence NOT IN ('tag', 'card', 'base_models', 'inferred')""")
    assert bad == 0
    # the generated ecosystem has the Hub's unknown-date minute: stored as NULL with the raw value kept
    assert one_value(db, "SELECT count(*) FROM models WHERE created_at_raw LIKE '2022-03-02T23:29:0%' "
                         "AND created_at IS NOT NULL") == 0


# -- one JSON document per command -----------------------------------------------------------------------

def _json_cases(b: dict) -> dict[str, tuple[list[str], Callable[[dict], None]]]:
    def status(doc: dict) -> None:
        assert doc.keys() >= STATUS_KEYS
        assert doc["last_snapshot"].keys() >= SNAPSHOT_KEYS
        assert doc["models"] == 150 and doc["datasets"] == 15

    def lineage(doc: dict) -> None:
        assert doc.keys() >= LINEAGE_KEYS
        assert doc["nodes"] and doc["edges"]
        for n in doc["nodes"]:
            assert n.keys() >= NODE_KEYS
        for e in doc["edges"]:
            assert e.keys() >= EDGE_KEYS

    def model(doc: dict) -> None:
        assert doc.keys() >= MODEL_KEYS
        assert doc["lineage"].keys() >= MODEL_LINEAGE_KEYS
        assert doc["id"] == b["child"]

    def license_model(doc: dict) -> None:
        assert doc.keys() >= LICENSE_MODEL_KEYS
        for f in doc["flow_down"]:
            assert f.keys() >= FLOW_KEYS
        for c in doc["conflicts"]:
            assert {"base", "reason"} <= c.keys()

    def license_id(doc: dict) -> None:
        assert doc.keys() >= LICENSE_ID_KEYS
        assert doc["clauses"]
        for c in doc["clauses"]:
            assert c.keys() >= CLAUSE_KEYS

    def assess(doc: dict) -> None:
        assert doc.keys() >= ASSESS_KEYS
        assert OSAI_DIMENSIONS | {"score"} <= doc["osai"].keys()
        assert {doc["osai"][k] for k in OSAI_DIMENSIONS} <= {"open", "partial", "closed", "unknown"}
        assert {"class", "label", "progress"} <= doc["mof"].keys() and doc["mof"]["class"] in (0, 1, 2, 3)
        assert set(doc["mof"]["progress"]) == {"1", "2", "3"}
        assert {"verdict", "missing"} <= doc["osaid"].keys()
        assert doc["osaid"]["verdict"] in ("pass", "fail", "insufficient")
        for comp in doc["components"].values():
            assert {"status", "license", "evidence"} <= comp.keys()
            for ev in comp["evidence"]:
                assert {"kind", "locator", "snippet", "read_at"} <= ev.keys()

    def audit(doc: dict) -> None:
        assert doc.keys() >= AUDIT_KEYS and doc["verdict"] == "unsafe"
        assert doc["findings"]
        for f in doc["findings"]:
            assert f.keys() >= FINDING_KEYS and f["severity"] in SEVERITIES

    def sql(doc: dict) -> None:
        assert doc == {"columns": ["n"], "rows": [{"n": 150}]}

    def by_root_country(doc: dict) -> None:
        assert {"level", "total", "rows"} <= doc.keys() and doc["level"] == "country"
        assert sum(r["derivatives"] for r in doc["rows"]) == doc["total"] > 0

    def ingest(doc: dict) -> None:
        assert doc.keys() >= RUN_KEYS and doc["status"] == "complete" and doc["records"] == 15

    return {
        "status": (["status"], status),
        "lineage": (["lineage", b["child"]], lineage),
        "lineage-down": (["lineage", "--down", b["parent"]], lineage),
        "model": (["model", b["child"]], model),
        "license-model": (["license", b["child"]], license_model),
        "license-id": (["license", "apache-2.0"], license_id),
        "assess": (["assess", b["child"]], assess),
        "audit": (["audit", str(b["evil"])], audit),
        "sql": (["sql", "SELECT count(*) AS n FROM models"], sql),
        "ingest": (["ingest", "--datasets", str(b["datasets"])], ingest),
        "audit-stored": (["audit", str(b["evil"]), "--model-id", b["child"]], audit),
        "by-root-country": (["lineage", "--by-root-country"], by_root_country),
    }


CASES = ["status", "lineage", "lineage-down", "model", "license-model", "license-id", "assess", "audit", "sql",
         "ingest", "audit-stored", "by-root-country"]


@pytest.mark.parametrize("case", CASES)
def test_json_is_one_document_with_the_contract_keys_wherever_the_global_options_stand(case, built, store_copy,
                                                                                        cli) -> None:
    args, check = _json_cases(built)[case]
    db = str(store_copy)
    placements = [
        ["--db", db, "--json", *args],
        [*args, "--json", "--db", db],
        [args[0], "--json", *args[1:], f"--db={db}"],
        ["--quiet", *args, "--db", db, "--json"],
        ["--json", "-q", "--db", db, *args],
    ]
    for argv in placements:
        res = cli(*argv)
        doc = assert_one_json(res)
        check(doc)
        if "--quiet" in argv or "-q" in argv:
            assert res.stderr == "", (argv, res.stderr)


def test_crawl_and_simhub_dump_print_one_json_document(tmp_path: Path, cli) -> None:
    db = tmp_path / "crawl.duckdb"
    with running_simhub(models=120, datasets=10, seed=5) as hub:
        for argv in (["--db", db, "--json", "--quiet", "crawl", "--endpoint", hub.url, "--datasets"],
                     ["crawl", "--endpoint", hub.url, "--json", "--db", db]):
            res = cli(*argv)
            doc = assert_one_json(res)
            if "--quiet" in argv:  # the first crawl meets a refused field: its warning is silenced too
                assert res.stderr == ""
            assert one_value(db, "SELECT bool_and(simulated) FROM snapshots")
            assert doc.keys() >= RUN_KEYS and doc["status"] == "complete"
            for snap in doc.get("snapshots", []):
                assert snap.keys() >= RUN_KEYS
    assert doc["kind"] == "incremental"  # the second crawl, once one completed
    dump = tmp_path / "dump.jsonl"
    doc = assert_one_json(cli("simhub", "--dump", dump, "--models", "20", "--datasets", "2", "--json"))
    assert doc["entries"] == 20 and doc["path"] == str(dump)
    assert sum(1 for _ in dump.open(encoding="utf-8")) == 20


def test_audit_exit_codes_follow_the_verdict_with_json(built, cli) -> None:
    res = cli("--json", "audit", built["evil"])
    assert res.code == 1 and strict_json(res.stdout)["verdict"] == "unsafe"
    res = cli("--json", "audit", built["evil"], "--fail-on", "critical")
    assert res.code == 1
    res = cli("--json", "audit", built["clean"])
    assert res.code == 0 and strict_json(res.stdout)["verdict"] == "clean"


# -- where the store is ----------------------------------------------------------------------------------

def test_db_option_beats_env_which_beats_the_default(built, tmp_path: Path, cli, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPENSCOPE_DB", raising=False)
    datasets = str(built["datasets"])
    assert cli("--quiet", "ingest", "--datasets", datasets).code == 0
    assert (tmp_path / "openscope.duckdb").exists()
    monkeypatch.setenv("OPENSCOPE_DB", str(tmp_path / "env.duckdb"))
    assert cli("--quiet", "ingest", "--datasets", datasets).code == 0
    assert (tmp_path / "env.duckdb").exists()
    assert cli("--quiet", "--db", tmp_path / "opt.duckdb", "ingest", "--datasets", datasets).code == 0
    assert (tmp_path / "opt.duckdb").exists()
    # each store got exactly its own ingest
    for name in ("openscope.duckdb", "env.duckdb", "opt.duckdb"):
        assert one_value(tmp_path / name, "SELECT count(*) FROM snapshots") == 1
    assert strict_json(cli("status", "--json").stdout)["db"] == str(tmp_path / "env.duckdb")
    monkeypatch.setenv("OPENSCOPE_DB", "")
    assert strict_json(cli("status", "--json").stdout)["db"] == "openscope.duckdb"


READ_ONLY = [["status"], ["lineage", "a/b"], ["lineage", "--by-root-country"], ["model", "a/b"],
             ["license", "a/b"], ["assess", "a/b"], ["sql", "SELECT 1"]]


@pytest.mark.parametrize("args", READ_ONLY, ids=lambda a: " ".join(a))
def test_read_only_commands_on_a_missing_store_exit_66_and_create_nothing(args, tmp_path: Path, cli,
                                                                          monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPENSCOPE_DB", raising=False)
    assert_error(cli("--json", *args), 66)
    assert no_store_files(tmp_path / "openscope.duckdb")
    monkeypatch.setenv("OPENSCOPE_DB", str(tmp_path / "env.duckdb"))
    assert_error(cli(*args, "--json"), 66)
    assert no_store_files(tmp_path / "env.duckdb")
    assert_error(cli("--db", tmp_path / "opt.duckdb", *args), 66, json_out=False)
    assert no_store_files(tmp_path / "opt.duckdb")
    assert sorted(os.listdir(tmp_path)) == []


# -- exit codes --------------------------------------------------------------------------------------------

USAGE = [
    ["status", "--bogus"],
    ["status", "extra"],
    ["ingest"],
    ["ingest", "--bogus", "x.jsonl"],
    ["crawl", "--bogus"],
    ["crawl", "--page-size", "0"],
    ["crawl", "--limit", "x"],
    ["crawl", "--endpoint", "ftp://example.org"],
    ["crawl", "--endpoint", "http://[::1"],
    ["crawl", "--endpoint", "http://:80"],
    ["crawl", "--endpoint", "http://example.org:99999"],
    ["crawl", "--since", "yesterday"],
    ["crawl", "--full", "--counters"],
    ["simhub", "--port", "70000"],
    ["simhub", "--models", "0"],
    ["simhub", "--error-rate", "2"],
    ["lineage", "a/b", "--depth", "-1"],
    ["lineage", "a/b", "--depth", "x"],
    ["lineage", "a/b", "--relation", "cousin"],
    ["lineage", "a/b", "--up", "--down"],
    ["lineage"],
    ["model"],
    ["model", "--bogus", "a/b"],
    ["license"],
    ["assess", "--bogus"],
    ["assess"],
    ["audit"],
    ["audit", "x.bin", "--fail-on", "extreme"],
    ["sql"],
    ["sql", "SELECT 1", "--limit", "-1"],
    ["sql", "SELECT 1", "--limit", "many"],
    ["sql", ""],
    ["sql", ";"],
    ["nosuchcommand"],
    ["--db"],
]


@pytest.mark.parametrize("args", USAGE, ids=lambda a: " ".join(a) or "empty")
def test_usage_errors_exit_64_with_one_line(args, store_copy, cli) -> None:
    res = cli("--db", store_copy, "--json", *args) if args != ["--db"] else cli("--json", "--db")
    line = assert_error(res, 64)
    assert "internal error" not in line


def test_usage_errors_exit_64_from_a_real_process_not_clicks_2(run_openscope, tmp_path: Path) -> None:
    for args in (["status", "--bogus"], ["lineage", "x", "--depth", "x"], ["audit", "x", "--fail-on", "x"]):
        assert_error(run_openscope("--db", tmp_path / "s.duckdb", *args), 64, json_out=False)


def test_bare_openscope_shows_the_help_and_exits_64(cli) -> None:
    res = cli()
    assert res.code == 64 and res.stdout == "" and "Traceback" not in res.stderr
    assert res.stderr.startswith("Usage: openscope")
    assert "Commands:" in res.stderr and len(res.stderr.splitlines()) > 10  # the help, not one squashed line


STORE_COMMANDS = [["status"], ["lineage", "a/b"], ["model", "a/b"], ["license", "a/b"], ["assess", "a/b"],
                  ["sql", "SELECT 1"], ["ingest", "DATASETS"], ["crawl", "--endpoint", "http://127.0.0.1:9",
                                                                 "--retries", "0"],
                  ["audit", "EVIL", "--model-id", "a/b"]]


def _fill(args: list[str], b: dict) -> list[str]:
    return [str(b["datasets"]) if a == "DATASETS" else str(b["evil"]) if a == "EVIL" else a for a in args]


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_corrupt_store_is_65_for_every_command_and_stays_as_it_was(damage, built, tmp_path: Path,
                                                                     cli) -> None:
    db = tmp_path / "broken.duckdb"
    if damage == "garbage":
        db.write_bytes(os.urandom(3000) + b"\x00" * 5000)
    else:
        data = built["db"].read_bytes()
        db.write_bytes(data[: len(data) // 3])
    before = db.read_bytes()
    for args in STORE_COMMANDS:
        line = assert_error(cli("--db", db, "--json", *_fill(args, built)), 65)
        assert str(db) in line, line
        assert db.read_bytes() == before, args


def test_a_store_that_cannot_be_written_is_73(built, tmp_path: Path, cli) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    for db in (blocker / "store.duckdb", blocker / "sub" / "store.duckdb", tmp_path / "missing" / "store.duckdb"):
        for args in STORE_COMMANDS[6:]:  # the writing commands
            line = assert_error(cli("--db", db, "--json", *_fill(args, built)), 73)
            assert "store" in line and str(db) in line
    # a path DuckDB itself cannot create (Linux's /proc takes no new files, even from root)
    if Path("/proc/self").exists():
        assert_error(cli("--db", "/proc/openscope-contract.duckdb", "--json", "ingest", built["datasets"]), 73)
    # read-only commands on the same paths: nothing to read, nothing created
    assert_error(cli("--db", blocker / "store.duckdb", "--json", "status"), 66)


def test_output_files_at_unwritable_paths_are_73(built, tmp_path: Path, cli) -> None:
    """simhub --dump, audit --sarif and crawl --dump (a path under a regular file ended a crawl with 70)."""
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    for bad in (blocker / "x.jsonl", tmp_path / "missing" / "x.jsonl", tmp_path):
        assert_error(cli("--json", "simhub", "--dump", bad, "--models", "5"), 73)
        assert_error(cli("--json", "audit", built["clean"], "--sarif", bad), 73)
        db = tmp_path / "crawl.duckdb"
        assert_error(cli("--db", db, "--json", "crawl", "--endpoint", "http://127.0.0.1:9", "--dump", bad), 73)
        assert not db.exists()


HOLDER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "ro")
print("holding", flush=True)
sys.stdin.read()
"""


@pytest.fixture
def hold_store() -> Iterator[Callable[[Path, str], subprocess.Popen]]:
    """Start a process that keeps the store open (``rw`` or ``ro``) until the test ends."""
    procs: list[subprocess.Popen] = []

    def start(db: Path, mode: str) -> subprocess.Popen:
        p = subprocess.Popen([sys.executable, "-c", HOLDER, str(db), mode], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
        procs.append(p)
        assert p.stdout is not None and p.stdout.readline().strip() == "holding"
        return p

    yield start
    for p in procs:
        p.stdin.close()  # type: ignore[union-attr]
        p.wait(timeout=10)


def test_a_store_held_by_another_writer_is_75_naming_it(built, store_copy, cli, run_openscope,
                                                        hold_store) -> None:
    holder = hold_store(store_copy, "rw")
    for args in STORE_COMMANDS:
        line = assert_error(cli("--db", store_copy, "--json", *_fill(args, built)), 75)
        assert str(store_copy) in line and str(holder.pid) in line, line
    for args in (["status"], ["ingest", "--datasets", str(built["datasets"])]):
        line = assert_error(run_openscope("--db", store_copy, *args), 75, json_out=False)
        assert str(store_copy) in line


def test_readers_share_a_store_but_a_writer_waits_for_them(built, store_copy, cli, hold_store) -> None:
    hold_store(store_copy, "ro")
    assert_one_json(cli("--db", store_copy, "--json", "status"))
    assert_one_json(cli("--db", store_copy, "--json", "sql", "SELECT count(*) AS n FROM models"))
    line = assert_error(cli("--db", store_copy, "--json", "ingest", "--datasets", built["datasets"]), 75)
    assert str(store_copy) in line


def test_unknown_ids_and_missing_paths_are_66(built, cli, tmp_path: Path) -> None:
    db = built["db"]
    for args in (["lineage", "nobody/nothing"], ["lineage", "--down", "nobody/nothing"], ["model", "nobody/nothing"],
                 ["license", "nobody/nothing"], ["assess", "nobody/nothing"],
                 ["ingest", tmp_path / "none.jsonl"], ["audit", tmp_path / "none.bin"],
                 ["assess", "--mof-record", tmp_path / "none.yml"]):
        assert_error(cli("--db", db, "--json", *args), 66)
    assert_error(cli("--db", db, "model", "nobody/nothing"), 66, json_out=False)


def test_failures_from_real_processes_never_show_a_traceback(built, tmp_path: Path, run_openscope) -> None:
    garbage = tmp_path / "garbage.duckdb"
    garbage.write_bytes(b"\x01" * 4096)
    for args, code in ((["--db", garbage, "status"], 65), (["--db", tmp_path / "none", "model", "a/b"], 66),
                       (["--db", built["db"], "sql", "DROP TABLE models"], 65),
                       (["--db", built["db"], "--json", "sql", "SELECT 'nan'::DOUBLE AS x"], 0)):
        res = run_openscope(*args)
        assert res.code == code and "Traceback" not in res.stderr, (args, res.stderr)


# -- sql ---------------------------------------------------------------------------------------------------

WRITES = [
    "DROP TABLE models",
    "DELETE FROM models",
    "INSERT INTO tags VALUES ('model', 'x/y', 'z')",
    "UPDATE models SET license = 'mit'",
    "CREATE TABLE t AS SELECT 1",
    "CREATE VIEW v AS SELECT 1",
    "ALTER TABLE models ADD COLUMN x INTEGER",
    "SELECT 1; DROP TABLE models",
    "ATTACH 'ATTACHED' AS other (READ_WRITE); CREATE TABLE other.t AS SELECT * FROM models",
    "COPY (SELECT * FROM models) TO 'COPIED'",
    "EXPORT DATABASE 'EXPORTED'",
    "PRAGMA enable_checkpoint_on_shutdown",
    "SET memory_limit = '1MB'",
    "CHECKPOINT",
    "VACUUM",
    "INSTALL httpfs",
    "BEGIN TRANSACTION",
]


def test_sql_refuses_every_write_with_65_and_the_store_is_unchanged(store_copy, cli, tmp_path: Path) -> None:
    before = counts(store_copy)
    size = store_copy.stat().st_size
    out = {"ATTACHED": tmp_path / "attached.duckdb", "COPIED": tmp_path / "copied.csv",
           "EXPORTED": tmp_path / "exported"}
    for q in WRITES:
        for k, v in out.items():
            q = q.replace(k, str(v))
        assert_error(cli("--db", store_copy, "--json", "sql", q), 65)
    assert counts(store_copy) == before
    assert store_copy.stat().st_size == size
    assert not any(p.exists() for p in out.values())


def test_sql_reads_statistics_and_descriptions(built, cli) -> None:
    db = built["db"]
    for q in ("DESCRIBE models", "SHOW TABLES", "SUMMARIZE SELECT id FROM models", "EXPLAIN SELECT 1",
              "FROM models SELECT id LIMIT 2", "PIVOT (SELECT 'x' AS k, 1 AS v) ON k USING sum(v)"):
        assert assert_one_json(cli("--db", db, "--json", "sql", q))["rows"], q


def test_sql_limit_and_json_shape(built, cli) -> None:
    db = built["db"]
    doc = assert_one_json(cli("--db", db, "sql", "SELECT id, author FROM models ORDER BY id", "--json",
                              "--limit", "7"))
    assert doc["columns"] == ["id", "author"] and len(doc["rows"]) == 7
    assert [r["id"] for r in doc["rows"]] == sorted(r["id"] for r in doc["rows"])
    assert len(assert_one_json(cli("--db", db, "--json", "sql", "SELECT id FROM models", "--limit", "0"))["rows"]) \
        == 150
    assert len(assert_one_json(cli("--db", db, "--json", "sql", "SELECT id FROM models"))["rows"]) == 150
    assert assert_one_json(cli("--db", db, "--json", "sql", "SELECT 1 AS a WHERE false")) == {"columns": ["a"],
                                                                                               "rows": []}
    # plain output is a table on stdout
    res = cli("--db", db, "sql", "SELECT count(*) AS n FROM datasets")
    assert res.code == 0 and "15" in res.stdout


def test_sql_duplicate_column_names_keep_every_value(built, cli) -> None:
    doc = assert_one_json(cli("--db", built["db"], "--json", "sql", "SELECT 1 AS a, 2 AS a, 3 AS a_1"))
    assert len(doc["columns"]) == 3 and len(set(doc["columns"])) == 3
    assert sorted(doc["rows"][0].values()) == [1, 2, 3]


def test_sql_values_json_cannot_hold_print_as_valid_json(built, cli) -> None:
    q = """SELECT 'ab\\x00'::BLOB AS blob, 12345678901234567.891::DECIMAL(38, 3) AS dec, INTERVAL 3 DAY AS iv,
        170141183460469231731687303715884105727::HUGEINT AS huge, 'nan'::DOUBLE AS nan,
        'inf'::DOUBLE AS inf, '-inf'::FLOAT AS ninf,
        {'a': 1, 'b': ['x', NULL], 'c': {'d': 'nan'::DOUBLE}} AS nested, MAP {'k': 1} AS m,
        MAP {DATE '2024-01-02': 'v'} AS m_date, TIMESTAMPTZ '2024-01-01 00:00:00+02' AS tstz,
        TIME '12:30:00' AS tm, DATE '2024-01-01' AS d, uuid() AS u, [1.5, 'nan'::DOUBLE] AS l"""
    res = cli("--db", built["db"], "--json", "sql", q)
    row = assert_one_json(res)["rows"][0]
    assert row["huge"] == 2**127 - 1
    assert row["nan"] is None and row["inf"] is None and row["ninf"] is None
    assert row["nested"] == {"a": 1, "b": ["x", None], "c": {"d": None}}
    assert row["m"] == {"k": 1} and row["m_date"] == {"2024-01-02": "v"}
    assert row["iv"] == 3 * 86400
    assert row["tm"] == "12:30:00" and row["d"] == "2024-01-01"
    assert row["tstz"].startswith("2023-12-31T22:00:00")
    assert isinstance(row["blob"], str) and isinstance(row["u"], str) and len(row["u"]) == 36
    assert abs(row["dec"] - 12345678901234567.891) < 10
    assert row["l"] == [1.5, None]


def test_the_store_keeps_working_after_every_failure(built, store_copy, cli) -> None:
    """Nothing already stored is lost by a refused write, a usage error or a failed crawl."""
    before = counts(store_copy)
    cli("--db", store_copy, "sql", "DROP TABLE models")
    cli("--db", store_copy, "crawl", "--endpoint", "http://127.0.0.1:9", "--retries", "0")
    cli("--db", store_copy, "lineage", "x", "--depth", "-1")
    after = counts(store_copy)
    assert {k: v for k, v in after.items() if k != "snapshots"} == \
        {k: v for k, v in before.items() if k != "snapshots"}
    assert one_value(store_copy, "SELECT status FROM snapshots ORDER BY snapshot_id DESC LIMIT 1") == "failed"
    assert assert_one_json(cli("--db", store_copy, "--json", "status"))["models"] == 150



def test_a_damaged_block_met_after_the_store_opened_is_65_not_an_internal_error(built, tmp_path: Path,
                                                                                cli) -> None:
    """DuckDB reads a block only when a query needs it: a store can open fine and fail later. Each of
    the built store's 256 KiB blocks is damaged in turn; every command ends 0 (the block was not needed)
    or 65, never 70, never a traceback."""
    data = built["db"].read_bytes()
    block = 262144
    seen: set[int] = set()
    for start in range(3 * 4096, len(data), 2 * block):
        db = tmp_path / f"damaged-{start}.duckdb"
        db.write_bytes(data[:start] + b"\xff" * min(block, len(data) - start) + data[start + block:])
        for args in (["model", built["child"]], ["lineage", "--down", built["parent"]], ["status"]):
            res = cli("--db", db, "--json", *args)
            seen.add(res.code)
            if res.code:
                line = assert_error(res, 65)
                assert str(db) in line, line
            else:
                strict_json(res.stdout)
        db.unlink()
    assert 65 in seen


def test_a_foreign_duckdb_database_is_65_and_never_made_into_a_store(built, tmp_path: Path, cli) -> None:
    """Someone's own DuckDB file given as --db: refused by readers and writers; no table added to it."""
    db = tmp_path / "theirs.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE measurements AS SELECT 1 AS x")
    con.close()
    for args in STORE_COMMANDS:
        line = assert_error(cli("--db", db, "--json", *_fill(args, built)), 65)
        assert str(db) in line and "not an openscope store" in line
    assert counts(db) == {"measurements": 1}
    # an empty DuckDB file is adopted: nothing of anyone's is in it
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    assert cli("--db", empty, "--quiet", "ingest", "--datasets", built["datasets"]).code == 0
    assert one_value(empty, "SELECT count(*) FROM datasets") == 15


def test_plain_ingest_prints_its_title_on_one_line(built, store_copy, cli) -> None:
    res = cli("--db", store_copy, "ingest", "--datasets", built["datasets"])
    assert res.code == 0
    first = res.stdout.splitlines()[0]
    assert first.startswith(f"ingest {built['datasets'].name} → snapshot #")
    assert first.split("#")[1].strip().isdigit()


@pytest.mark.parametrize("args", [["--json", "sql", "SELECT * FROM range(300000)", "--limit", "0"],
                                  ["sql", "SELECT * FROM range(20000)", "--limit", "0"]],
                         ids=["json", "table"])
def test_a_reader_closing_the_pipe_early_is_exit_0_not_1(built, args) -> None:
    """`openscope sql … | head -1`: exit 1 would claim a failed check (click and rich both said 1)."""
    p = subprocess.Popen([sys.executable, "-m", "openscope.cli", "--db", str(built["db"]), *args],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.stdout is not None and p.stderr is not None
    assert p.stdout.readline()
    p.stdout.close()
    err = p.stderr.read().decode()
    assert p.wait(timeout=60) == 0, err
    assert "Traceback" not in err and "Exception ignored" not in err


def test_a_folder_given_as_the_store_is_73_for_writers_and_65_for_readers(built, tmp_path: Path, cli) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    for args in STORE_COMMANDS[6:]:
        assert "it is a folder" in assert_error(cli("--db", folder, "--json", *_fill(args, built)), 73)
    for args in STORE_COMMANDS[:6]:
        assert "it is a folder" in assert_error(cli("--db", folder, "--json", *args), 65)
    assert list(folder.iterdir()) == []
