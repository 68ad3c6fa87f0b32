"""Ingest benchmark (issue 2): 2.5 M-entry JSONL dump → fresh store; re-ingest with 1 % changed.

Reports wall time and peak RSS of `openscope ingest --no-derive` (tags, base-model tag edges kept in
`tags`, counters and the snapshot recorded), the frozen naive baseline (json.loads + pandas + insert)
from the same run, and the ratio. Run: `make bench BENCH=bench_ingest`.
"""

from __future__ import annotations

import json
import random
import shutil
import sys
from pathlib import Path

from bench.common import OUT, hub_dump
from bench.measure import run_isolated

N = 2_500_000


def _changed_copy(src: Path, dst: Path, share: float = 0.01, seed: int = 11) -> int:
    """Copy the dump, changing the likes counter of about `share` of the entries (streamed)."""
    rnd = random.Random(seed)
    n = 0
    with src.open() as f, dst.open("w") as g:
        for line in f:
            if rnd.random() < share:
                e = json.loads(line)
                e["likes"] = (e.get("likes") or 0) + 1
                line = json.dumps(e) + "\n"
                n += 1
            g.write(line)
    return n


def main() -> int:
    dump = hub_dump(N)
    size_gb = dump.stat().st_size / 1e9
    work = OUT / "ingest"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    db = work / "store.duckdb"
    py = sys.executable

    ours = run_isolated([py, "-m", "openscope.cli", "--db", str(db), "--json", "ingest", str(dump), "--no-derive"])
    if ours.returncode:
        print(ours.stderr)
        return 1
    doc = json.loads(ours.stdout)
    naive = run_isolated([py, str(Path(__file__).parent / "baselines" / "naive_ingest.py"), str(dump),
                          str(work / "naive.duckdb")])
    changed_dump = work / "dump-1pct.jsonl"
    n_changed = _changed_copy(dump, changed_dump)
    again = run_isolated([py, "-m", "openscope.cli", "--db", str(db), "--json", "ingest", str(changed_dump),
                          "--no-derive"])
    doc2 = json.loads(again.stdout)
    res = {
        "entries": N,
        "dump_gb": round(size_gb, 2),
        "bytes_per_entry": round(dump.stat().st_size / N),
        "openscope_s": ours.wall_s,
        "openscope_peak_rss_mb": ours.peak_rss_mb,
        "naive_s": naive.wall_s if naive.returncode == 0 else None,
        "naive_peak_rss_mb": naive.peak_rss_mb,
        "naive_returncode": naive.returncode,
        "speedup_vs_naive": round(naive.wall_s / ours.wall_s, 2) if naive.returncode == 0 else None,
        "records": doc["records"],
        "rejects": doc["rejects"],
        "reingest_changed_entries": n_changed,
        "reingest_reported_changed": doc2["changed"],
        "reingest_s": again.wall_s,
        "reingest_peak_rss_mb": again.peak_rss_mb,
        "reingest_ratio": round(again.wall_s / ours.wall_s, 3),
        # the peak RSS figures are upper bounds that include this process's RSS at spawn (bench/measure.py)
        "spawn_parent_rss_mb": max(ours.spawn_parent_rss_mb, naive.spawn_parent_rss_mb, again.spawn_parent_rss_mb),
    }
    print(json.dumps(res, indent=2))
    (OUT / "bench_ingest.json").write_text(json.dumps(res, indent=2))
    ok = ours.wall_s < 30 and ours.peak_rss_mb < 2048 and res["reingest_ratio"] < 0.25
    print("targets (<30 s, <2 GB, re-ingest <25 %):", "met" if ok else "NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
