"""CPU seconds for the suite's hostile-input guards ("this crafted file is judged in bounded time").

Why CPU time and not the wall clock: these guards catch work that grows too fast (a quadratic scan, a
backtracking pattern, an unbounded loop), which shows as CPU spent by the code under test. On the project's
2-core machines the suite runs four workers beside other engineers' jobs, so a test's wall time is its CPU
time multiplied by the machine's load (up to 5-10 times at a load average of 10, measured in the
twenty-ninth session), while its CPU time stays put. Children's CPU (``subprocess.run`` and other waited-for
processes) is counted too, so a guard that runs the command line as a process measures the same thing.
Deadlines that are about the clock itself (a crawl's timeout, a slow server) keep the wall clock.
"""

from __future__ import annotations

import resource
import time


def cpu_seconds() -> float:
    """User + system CPU of this process (all its threads) and of its waited-for children, in seconds."""
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + kids.ru_utime + kids.ru_stime
