"""The clock the cost guards read (tests/cpu_time.py) counts the guarded work and nothing else.

Before the thirty-third session it counted the whole process and every reaped child: a child of a fixture
reaped during a guard's loop (its whole life's CPU lands at once) failed a 5 ms bound on a fresh-clone CI run.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

from cpu_time import thread_cpu_seconds

BURN = 0.4  # CPU seconds each busy loop below spends, whatever the load (a CPU clock, not the wall's)


def _burn(seconds: float, clock=time.thread_time) -> None:
    end = clock() + seconds
    while clock() < end:
        pass


def test_a_child_reaped_while_measuring_is_not_counted() -> None:
    code = f"import time\nend = time.process_time() + {BURN}\nwhile time.process_time() < end: pass\n"
    t0 = thread_cpu_seconds()
    proc = subprocess.Popen([sys.executable, "-c", code])
    _, status, usage = os.wait4(proc.pid, 0)  # reaped here, inside the measurement
    took = thread_cpu_seconds() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode == 0 and usage.ru_utime + usage.ru_stime >= BURN  # the child did burn it
    assert took < BURN / 2, took


def test_another_threads_work_is_not_counted() -> None:
    worker = threading.Thread(target=_burn, args=(BURN,))
    t0 = thread_cpu_seconds()
    worker.start()
    worker.join()  # this thread waits without running
    assert thread_cpu_seconds() - t0 < BURN / 2


def test_this_threads_work_is_counted() -> None:
    t0 = thread_cpu_seconds()
    _burn(BURN, time.process_time)  # the process's clock, so the loop cannot end on the clock under test
    assert thread_cpu_seconds() - t0 >= BURN * 0.9


WIDER = re.compile(r"\bprocess_time\(|RUSAGE_CHILDREN|RUSAGE_SELF|\bgetrusage\(")


def test_no_cost_guard_reads_a_wider_clock() -> None:
    """A guard that measures with the process's or its children's CPU counts other tests' work (the rule in
    tests/cpu_time.py); the one that needs another thread's work says why in cpu_time.py first."""
    here = Path(__file__).resolve().parent
    mine = {here / "cpu_time.py", Path(__file__).resolve()}
    found = [f"{p.relative_to(here)}:{n}" for p in sorted(here.rglob("*.py")) if p not in mine
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if WIDER.search(line)]
    assert found == []
