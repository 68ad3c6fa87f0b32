"""Run a command as a child process and measure its wall time and peak RSS (from the kernel's rusage)."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass


@dataclass
class Run:
    wall_s: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str
    spawn_parent_rss_mb: float = 0.0


def run_isolated(cmd: list[str], env: dict | None = None) -> Run:
    """Run ``cmd``; the peak RSS is this child's (wait4 on its pid), not every child's maximum.

    An upper bound: the kernel carries ``ru_maxrss`` across ``exec``, so it is at least this benchmark
    process's RSS when it spawned the child (``spawn_parent_rss_mb``, reported beside it)."""
    with open("/proc/self/status") as f:
        parent_kb = next(int(x.split()[1]) for x in f if x.startswith("VmRSS:"))
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})
    out = proc.stdout.read() if proc.stdout else ""
    err = proc.stderr.read() if proc.stderr else ""
    _, status, ru = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    return Run(round(wall, 2), round(ru.ru_maxrss / 1024, 1), proc.returncode, out, err, round(parent_kb / 1024, 1))
