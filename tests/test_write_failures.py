"""A store the medium refuses to write (a full disk, a file-size limit) is exit 73 in one line for every
writing command, not an "internal error": here `audit --model-id`, whose commit fails on the WAL."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

from openscope.cli import main

# os.system in protocol 2: GLOBAL os system, a string, TUPLE1, REDUCE
PICKLE = b"\x80\x02cos\nsystem\nX\x04\x00\x00\x00echo\x85R."


def _no_file_growth() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # any write past offset 0: EFBIG, "File too large"


def test_audit_storing_findings_on_a_store_that_cannot_grow_is_73(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    (tmp_path / "a.jsonl").write_text(json.dumps({"id": "a/x"}) + "\n")
    assert main(["--db", str(db), "--quiet", "ingest", str(tmp_path / "a.jsonl")]) == 0
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "x.pkl").write_bytes(PICKLE)
    p = subprocess.run([sys.executable, "-m", "openscope", "--db", str(db), "--quiet", "audit", str(tmp_path / "m"),
                        "--model-id", "a/x"], preexec_fn=_no_file_growth, capture_output=True, text=True, timeout=120)
    assert p.returncode == 73, p.stderr
    assert p.stderr.startswith(f"openscope: error: cannot write store {db}: ") and "File too large" in p.stderr
    assert len(p.stderr.splitlines()) == 1 and "Traceback" not in p.stderr
    # nothing half-written: the store opens and holds no findings; the same command then stores them
    assert _findings(db) == 0
    assert main(["--db", str(db), "--quiet", "audit", str(tmp_path / "m"), "--model-id", "a/x"]) == 1
    assert _findings(db) >= 1


def _findings(db: Path) -> int:
    out = subprocess.run([sys.executable, "-m", "openscope", "--db", str(db), "--json", "sql",
                          "SELECT count(*) AS n FROM audit_findings WHERE model_id = 'a/x'"],
                         capture_output=True, text=True, timeout=120)
    return int(json.loads(out.stdout)["rows"][0]["n"])
