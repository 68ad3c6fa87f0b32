"""`openscope simhub` as a user runs it: URL on stdout, serves, stops on SIGTERM; dumps; bad options."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx


def _start(*args: str) -> tuple[subprocess.Popen, str]:
    p = subprocess.Popen([sys.executable, "-m", "openscope.cli", "simhub", *args],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    line = p.stdout.readline()
    return p, line


def test_serves_on_a_free_port_and_stops_on_sigterm():
    p, line = _start("--port", "0", "--models", "500", "--datasets", "20", "--seed", "3", "--rate-limit", "100")
    try:
        assert line.startswith("openscope simhub: listening on http://127.0.0.1:"), line
        url = line.rsplit(" ", 1)[1].strip()
        r = httpx.get(url + "/api/models", params={"limit": 5}, trust_env=False, timeout=30)
        assert r.status_code == 200 and len(r.json()) == 5
        assert r.headers["x-openscope-simulated"] == "1" and "ratelimit" in r.headers
        assert len(httpx.get(url + "/_admin/ids", trust_env=False).json()) == 500
    finally:
        p.send_signal(signal.SIGTERM)
        rc = p.wait(20)
    assert rc == 0


def test_json_ready_line(tmp_path: Path):
    p = subprocess.Popen([sys.executable, "-m", "openscope.cli", "simhub", "--json", "--models", "50", "--datasets", "0"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        doc = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            doc.append(p.stdout.readline())
            if doc[-1].startswith("}"):
                break
        info = json.loads("".join(doc))
        assert info["simulated"] is True and info["url"].startswith("http://127.0.0.1:")
        assert httpx.get(info["url"] + "/api/models", trust_env=False).status_code == 200
    finally:
        p.send_signal(signal.SIGINT)
        assert p.wait(20) == 0


def test_dump_writes_jsonl(cli, run_openscope, tmp_path: Path):
    # in-process, then the same dump from a real process (its own hash seed): the bytes depend on the seed alone.
    # Why not two processes: each simhub start is about a second of imports, which this test does not measure.
    out = tmp_path / "hub.jsonl"
    r = cli("simhub", "--models", "800", "--seed", "5", "--dump", out, "--json")
    assert r.code == 0, r.stderr
    doc = r.json()
    assert doc["entries"] == 800 and doc["path"] == str(out)
    lines = out.read_text().splitlines()
    assert len(lines) == 800 and all("openscope:synthetic" in json.loads(x)["tags"] for x in lines[:50])
    again = tmp_path / "again.jsonl"
    assert run_openscope("simhub", "--models", "800", "--seed", "5", "--dump", again, "--quiet").code == 0
    assert again.read_bytes() == out.read_bytes()  # same seed, same bytes
    ds = tmp_path / "ds.jsonl"
    assert cli("simhub", "--models", "10", "--datasets", "30", "--dump", ds, "--dump-datasets").code == 0
    assert len(ds.read_text().splitlines()) == 30


def test_dump_then_ingest_marks_models_synthetic(cli, tmp_path: Path, db: Path):
    out = tmp_path / "hub.jsonl"
    assert cli("simhub", "--models", "300", "--dump", out, "--quiet").code == 0
    r = cli("--db", db, "ingest", out, "--no-derive", "--json")
    assert r.code == 0, r.stderr
    assert r.json()["records"] == 300 and r.json()["rejects"] == 0
    q = cli("--db", db, "sql", "SELECT count(*) FILTER (WHERE synthetic) AS s, count(*) AS n FROM models", "--json")
    assert q.code == 0, q.stderr
    assert q.json()["rows"] == [{"s": 300, "n": 300}]


def test_bad_options_exit_64_with_one_line(cli, tmp_path: Path):
    for args in (["--host", "0.0.0.0"], ["--host", "example.com"], ["--models", "0"], ["--error-rate", "1.5"],
                 ["--truncate-rate", "-0.1"], ["--port", "70000"], ["--rate-limit", "0"], ["--slow-ms", "-5"],
                 ["--rate-window-s", "0"], ["--max-fanout", "0"], ["--no-such-option"]):
        r = cli("simhub", *args)
        assert r.code == 64, (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    r = cli("simhub", "--models", "10", "--dump", tmp_path / "no" / "such" / "dir" / "x.jsonl")
    assert r.code == 73 and "cannot write" in r.stderr


def test_port_in_use_is_a_clean_error(run_openscope):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    try:
        r = run_openscope("simhub", "--port", str(s.getsockname()[1]), "--models", "10")
        assert r.code == 69 and "cannot listen" in r.stderr and "Traceback" not in r.stderr
    finally:
        s.close()
