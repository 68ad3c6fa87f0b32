"""`make bench`: run every ``bench/bench_*.py`` module's ``main()`` in turn (or those named on argv).

Each benchmark prints its figures and the command that reproduces it; docs/benchmarks.md keeps the
latest ones. The whole run holds the benchmark lock (`bench/lock.py`), so two never compete for the 2 cores.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from bench.lock import bench_lock


def main() -> int:
    names = sys.argv[1:] or sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))
    with bench_lock():
        return _run(names)


def _run(names: list[str]) -> int:
    failed = []
    for name in names:
        mod = importlib.import_module(f"bench.{name}")
        print(f"\n=== {name} ===", flush=True)
        try:
            rc = mod.main()
        except Exception as exc:  # keep going: one broken benchmark must not hide the others
            print(f"{name} failed: {type(exc).__name__}: {exc}", flush=True)
            rc = 1
        if rc:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
