"""CPU seconds for the suite's cost guards ("this crafted file is judged in bounded time").

Why CPU time and not the wall clock: these guards catch work that grows too fast (a quadratic scan, a
backtracking pattern, an unbounded loop), which shows as CPU spent by the code under test. On the project's
2-core machines the suite runs two workers beside other engineers' jobs, so a test's wall time is its CPU
time multiplied by the machine's load (up to 5-10 times at a load average of 10, measured in the
twenty-ninth session), while its CPU time stays put.

Why *this thread's* CPU and nothing wider (the clock rule, thirty-third session): a clock must count the
guarded work and nothing else. ``time.process_time()`` adds every other thread of the process (an xdist
worker's execnet thread, a simulated Hub's server thread), and ``resource.RUSAGE_CHILDREN`` adds, at the
moment a child is reaped, its whole life's CPU: a fixture's ``subprocess.run`` or another test's child
reaped during the measured loop made 100 trials of a 5 ms check read as 1.8 s on a fresh-clone CI run. So:

(a) work done in the calling thread (every audit, parse and probe guard in the suite, the CLI through the
    in-process ``cli`` fixture included) → :func:`thread_cpu_seconds`;
(b) work a guard runs in a child process on purpose → that child's CPU alone, from ``os.wait4`` of its pid
    (none of the suite's guards does so today: the ``cli`` fixture runs the command in-process);
(c) work in other threads of this process (a server thread) → ``time.process_time()`` (no children).
    None today either; a helper for (b) or (c) comes here with its first user (tests/test_cpu_time.py
    refuses a wider clock read anywhere else in tests/);
(d) a deadline that is about the clock itself (a crawl's ``--deadline``, a slow server) keeps
    ``time.monotonic()``, with a margin that holds at a load average of 10.
"""

from __future__ import annotations

import time


def thread_cpu_seconds() -> float:
    """User + system CPU of the calling thread, in seconds (``CLOCK_THREAD_CPUTIME_ID``).

    Only the thread that does the guarded work: no other thread's CPU, and no child's, whenever it is reaped.
    """
    return time.thread_time()


# The name the guards used before the thirty-third session; kept so that a test written against it measures
# with the right clock (it counted this process, its other threads and all its reaped children before).
cpu_seconds = thread_cpu_seconds
