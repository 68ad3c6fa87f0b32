"""`link_to` (the resolved path of a symbolic link given as the audit target) beyond `--json`: the SARIF run's
property bag and the store's `audit_runs.link_to` (migration 0017). Docs: docs/audit.md (*A link given as the
target*), docs/store.md.

Every link and file is made by the test in ``tmp_path``; the real CLI runs in-process; nothing is loaded.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from test_audit_links import st_file

from openscope.store import open_store
from openscope.store.db import SCHEMA_VERSION


def _model(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "w-v2.safetensors").write_bytes(st_file())
    link = tmp_path / "model.safetensors"
    link.symlink_to("w-v2.safetensors")
    return link, tmp_path / "w-v2.safetensors"


def test_sarif_run_says_where_the_link_points(cli, tmp_path: Path) -> None:
    link, target = _model(tmp_path)
    out = tmp_path / "out.sarif"
    assert cli("--quiet", "audit", link, "--sarif", out).code == 0
    run = json.loads(out.read_text())["runs"][0]
    assert run["properties"] == {"target": str(link), "verdict": "clean", "link_to": str(target)}
    # a path that is no link: null, as in --json
    assert cli("--quiet", "audit", target, "--sarif", out).code == 0
    assert json.loads(out.read_text())["runs"][0]["properties"]["link_to"] is None


def test_a_system_target_not_read_is_still_named(cli, tmp_path: Path) -> None:
    link = tmp_path / "model.bin"
    link.symlink_to("/etc/passwd")
    out = tmp_path / "out.sarif"
    cli("--quiet", "audit", link, "--sarif", out)
    run = json.loads(out.read_text())["runs"][0]
    assert run["properties"]["link_to"] == "/etc/passwd"
    assert [r["ruleId"] for r in run["results"]] == ["link.system_file"]


def test_store_keeps_link_to(cli, tmp_path: Path) -> None:
    link, target = _model(tmp_path)
    db = tmp_path / "s.duckdb"
    assert cli("--db", db, "--quiet", "audit", link, "--model-id", "acme/tiny").code == 0
    assert cli("--db", db, "--quiet", "audit", target, "--model-id", "acme/other").code == 0
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT model_id, target, verdict, link_to FROM audit_runs ORDER BY model_id").fetchall()
    con.close()
    assert rows == [("acme/other", str(target), "clean", None), ("acme/tiny", str(link), "clean", str(target))]


def test_a_store_before_migration_17_upgrades_and_keeps_its_runs(cli, tmp_path: Path) -> None:
    link, target = _model(tmp_path)
    db = tmp_path / "old.duckdb"
    assert cli("--db", db, "--quiet", "audit", target, "--model-id", "acme/old").code == 0
    con = duckdb.connect(str(db))
    con.execute("ALTER TABLE audit_runs DROP COLUMN link_to")
    con.execute("DELETE FROM schema_version WHERE version >= 17")
    con.close()
    with open_store(db) as store:
        assert store.schema_version() == SCHEMA_VERSION >= 17
        assert store.con.execute("SELECT model_id, verdict, link_to FROM audit_runs").fetchall() == [
            ("acme/old", "clean", None)]
    assert cli("--db", db, "--quiet", "audit", link, "--model-id", "acme/new").code == 0
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT link_to FROM audit_runs WHERE model_id = 'acme/new'").fetchall() == [(str(target),)]
    con.close()
