"""One lock for heavy benchmarks, so two never share this machine's 2 cores.

`bench_lock()` holds ``/tmp/openscope-bench.lock`` (flock) and marks the environment, so a benchmark
started inside a locked run (by `make bench`, or as a child process) does not wait for itself.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager

LOCK_PATH = os.environ.get("BENCH_LOCK", "/tmp/openscope-bench.lock")
HELD = "OPENSCOPE_BENCH_LOCK_HELD"


@contextmanager
def bench_lock() -> Iterator[None]:
    if os.environ.get(HELD):
        yield
        return
    with open(LOCK_PATH, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        os.environ[HELD] = "1"
        try:
            yield
        finally:
            os.environ.pop(HELD, None)
            fcntl.flock(fh, fcntl.LOCK_UN)
