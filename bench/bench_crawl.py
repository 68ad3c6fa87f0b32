"""Crawl benchmark: a full crawl of 200,000 simulated models, an incremental crawl after 1% changed, and
a counters sweep, all against the simulated Hub on loopback (``openscope simhub`` in its own process).

Figures: records per second and API calls per 1,000 records (the live Hub allows 1,000 calls per five
minutes to a free account, so calls are what a real crawl costs). Run alone with
``.venv/bin/python -m bench.run_all bench_crawl``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

N_MODELS = int(os.environ.get("BENCH_CRAWL_MODELS", "200000"))
CHANGED_SHARE = 0.01
SEED = 7


def _start_simhub(n_models: int) -> tuple[subprocess.Popen, str]:
    p = subprocess.Popen(
        [sys.executable, "-m", "openscope.cli", "simhub", "--port", "0", "--models", str(n_models),
         "--datasets", "0", "--seed", str(SEED)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert p.stdout is not None
    t0 = time.monotonic()
    while time.monotonic() - t0 < 600:
        line = p.stdout.readline()
        if not line:
            break
        m = re.search(r"listening on (http://\S+)", line)
        if m:
            return p, m.group(1)
    p.kill()
    raise RuntimeError(f"simhub did not start: {p.stderr.read() if p.stderr else ''}")


def _crawl(db: Path, url: str, *args: str) -> dict:
    t0 = time.monotonic()
    r = subprocess.run(
        [sys.executable, "-m", "openscope.cli", "--db", str(db), "crawl", "--endpoint", url, "--json",
         "--no-derive", *args],
        capture_output=True, text=True, check=False,
    )
    if r.returncode != 0:
        raise RuntimeError(f"crawl failed ({r.returncode}): {r.stderr.strip()}")
    doc = json.loads(r.stdout)
    doc["wall_s"] = time.monotonic() - t0
    return doc


def _line(name: str, doc: dict) -> str:
    rec = doc["records"]
    calls = doc["api_calls"]
    rate = rec / doc["elapsed_s"] if doc["elapsed_s"] else float("nan")
    per_k = calls / rec * 1000 if rec else float("nan")
    per_changed = f", {calls / doc['changed'] * 1000:.2f} per 1,000 changed" if doc["changed"] else ""
    return (f"{name}: {rec:,} records, {doc['changed']:,} changed, {calls} API calls "
            f"({per_k:.2f} per 1,000 records{per_changed}), {doc['elapsed_s']:.1f} s in the crawler "
            f"({rate:,.0f} records/s), {doc['wall_s']:.1f} s wall incl. start-up")


def main() -> int:
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    print(f"command: .venv/bin/python -m bench.run_all bench_crawl "
          f"(BENCH_CRAWL_MODELS={N_MODELS})", flush=True)
    t0 = time.monotonic()
    hub, url = _start_simhub(N_MODELS)
    print(f"simhub with {N_MODELS:,} models ready in {time.monotonic() - t0:.1f} s at {url}", flush=True)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-crawl-") as tmp:
            db = Path(tmp) / "crawl.duckdb"
            full = _crawl(db, url)
            print(_line("full crawl", full), flush=True)
            n_changed = int(N_MODELS * CHANGED_SHARE)
            m = httpx.post(f"{url}/_admin/mutate", json={"edit": n_changed}, timeout=600).json()
            assert len(m["edited"]) == n_changed
            inc = _crawl(db, url)
            assert inc["kind"] == "incremental"
            print(_line(f"incremental after {n_changed:,} edits (1%)", inc), flush=True)
            ctr = _crawl(db, url, "--counters")
            print(_line("counters sweep", ctr), flush=True)
            print(f"store size after the three crawls: {db.stat().st_size / 1e6:.0f} MB", flush=True)
    finally:
        hub.terminate()
        try:
            hub.wait(20)
        except subprocess.TimeoutExpired:
            hub.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
