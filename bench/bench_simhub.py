"""Simulated Hub benchmarks: generation of 2.5M models, the JSONL dump, page serving on loopback.

Run alone with ``.venv/bin/python -m bench.run_all bench_simhub`` (run_all holds the benchmark lock, which
keeps two heavy benchmarks off the 2 cores at once).
Targets (issue 3): generation of 2.5 million models in under a minute; the dump's size and bytes per
entry; throughput of a full 200,000-model crawl in pages of 1,000 over loopback (the server runs as a
real ``openscope simhub`` process, the client is httpx in this process).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

N_GEN = int(os.environ.get("SIMHUB_BENCH_MODELS", 2_500_000))
N_SERVE = int(os.environ.get("SIMHUB_BENCH_SERVE", 200_000))


def bench_generate() -> dict:
    from openscope.simhub.entries import write_jsonl
    from openscope.simhub.generator import generate

    t0 = time.perf_counter()
    eco = generate(N_GEN, datasets=0, seed=7, max_fanout=150_000)
    gen_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory(dir=os.environ.get("SIMHUB_BENCH_TMP", "/tmp")) as d:
        out = Path(d) / "hub.jsonl"
        t1 = time.perf_counter()
        n = write_jsonl(eco, out)
        dump_s = time.perf_counter() - t1
        size = out.stat().st_size
    return {"models": N_GEN, "generate_s": round(gen_s, 2), "dump_s": round(dump_s, 2),
            "dump_bytes": size, "bytes_per_entry": round(size / n, 1)}


def bench_serve() -> dict:
    proc = subprocess.Popen(
        [sys.executable, "-m", "openscope.cli", "simhub", "--port", "0", "--models", str(N_SERVE),
         "--datasets", "0", "--seed", "7", "--max-fanout", "15000"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    t0 = time.perf_counter()
    try:
        line = proc.stdout.readline()
        if "listening on" not in line:
            raise RuntimeError(f"simhub did not start: {line!r} {proc.stderr.read()[-300:]}")
        startup_s = time.perf_counter() - t0
        url = line.rsplit(" ", 1)[1].strip()
        res: dict = {"serve_models": N_SERVE, "startup_s": round(startup_s, 2)}
        with httpx.Client(timeout=120, trust_env=False) as c:
            for label, params in (("full", {"limit": 1000, "full": "true"}), ("compact", {"limit": 1000}),
                                  ("filtered", {"limit": 1000, "full": "true", "filter": "text-generation"}),
                                  ("children", {"limit": 1000, "full": "true",
                                                "filter": "base_model:finetune:Qwen/Qwen2.5-7B-Instruct"})):
                t = time.perf_counter()
                r = c.get(url + "/api/models", params=params)
                pages, entries, nbytes = 0, 0, 0
                while True:
                    r.raise_for_status()
                    pages += 1
                    nbytes += len(r.content)
                    entries += len(r.json()) if pages == 1 else r.content.count(b'"_id"')
                    nxt = r.links.get("next", {}).get("url")
                    if not nxt:
                        break
                    r = c.get(nxt)
                el = time.perf_counter() - t
                res[label] = {"pages": pages, "entries": entries, "seconds": round(el, 2),
                              "pages_per_s": round(pages / el, 1), "entries_per_s": round(entries / el),
                              "MB_per_s": round(nbytes / el / 1e6, 1)}
        return res
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> int:
    g = bench_generate()
    print(f"generate {g['models']:,} models: {g['generate_s']} s (target < 60 s); "
          f"JSONL dump {g['dump_bytes'] / 1e9:.2f} GB, {g['bytes_per_entry']} bytes/entry, written in {g['dump_s']} s",
          flush=True)
    s = bench_serve()
    print(f"serve {s['serve_models']:,} models: startup {s['startup_s']} s", flush=True)
    for label in ("full", "compact", "filtered", "children"):
        v = s[label]
        print(f"  crawl ({label}, limit=1000): {v['pages']} pages, {v['entries']:,} entries in {v['seconds']} s "
              f"= {v['pages_per_s']} pages/s, {v['entries_per_s']:,} entries/s, {v['MB_per_s']} MB/s", flush=True)
    print("command: .venv/bin/python -m bench.run_all bench_simhub", flush=True)
    ok = g["generate_s"] < 60
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
