"""The one "interrupted" line is out before the process ends, whoever ends it.

A second Ctrl-C ends an interrupted run at once, from the watcher thread or from the Python handler in the
main thread, while the main thread may be writing the line for the first. The writes below are slowed (a
sleep before the real write(2), in the child process only) to hold that window open: the race the interrupt
fuzz met about once in a hundred runs under load (exit 130, nothing on stderr) becomes certain here.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

_PRELUDE = """
import os, signal, sys, threading, time
from openscope import cli
cli._CtrlC.install()
_real_write = os.write
def _slow_write(fd, data):
    if fd == 2:
        time.sleep(0.4)
    return _real_write(fd, data)
os.write = _slow_write
"""


def _run(body: str) -> subprocess.CompletedProcess[str]:
    code = _PRELUDE + textwrap.dedent(body)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


@pytest.mark.timeout(60)
def test_the_watcher_waits_for_the_main_threads_line() -> None:
    """The watcher's stop (a second Ctrl-C) comes while the main thread writes the first one's line."""
    p = _run("""
        threading.Thread(target=lambda: (time.sleep(0.1), cli._CtrlC.stop_now()), daemon=True).start()
        cli._CtrlC.say("interrupted; the crawl is kept")
        time.sleep(5)
        os._exit(0)
    """)
    assert p.returncode == 130, p.stderr
    assert p.stderr.splitlines() == ["openscope: interrupted; the crawl is kept"]


@pytest.mark.timeout(60)
def test_a_ctrl_c_during_the_write_is_handled_after_it() -> None:
    """The main thread's own handler (a second Ctrl-C) lands while that thread writes the line: it is held
    until the line is out, then ends the run: one line, exit 130."""
    p = _run("""
        cli._CtrlC.seen = 1   # the first Ctrl-C was taken up: the next one stops the run
        threading.Thread(target=lambda: (time.sleep(0.1), os.kill(os.getpid(), signal.SIGINT)), daemon=True).start()
        cli._CtrlC.say("interrupted")
        time.sleep(5)
        os._exit(0)
    """)
    assert p.returncode == 130, p.stderr
    assert p.stderr.splitlines() == ["openscope: interrupted"]


@pytest.mark.timeout(60)
def test_a_first_ctrl_c_landing_in_a_weakref_callback_is_not_lost() -> None:
    """The handler runs inside a weakref callback (as importlib's module-lock cleanup in a CI run), where Python
    drops the ``KeyboardInterrupt`` it raises with "Exception ignored in: …" and a traceback: the interrupt is
    taken back and the main thread signalled again, so the run unwinds from its own code, quietly, at once (not
    after the watcher's 10 s grace, which ends it with no cleanup)."""
    p = _run("""
        import weakref
        class Box:
            pass
        def callback(_ref):
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(200_000):   # the handler runs here, between two of these bytecodes
                pass
        box = Box()
        ref = weakref.ref(box, callback)
        try:
            del box   # the callback runs now
            time.sleep(30)
            print("not interrupted")
        except KeyboardInterrupt:   # (lost, the watcher's grace would end the run with exit 130 and no line here)
            print("interrupted in the main thread")
        sys.stdout.flush()
        os._exit(0)
    """)
    assert "Traceback" not in p.stderr and "Exception ignored" not in p.stderr, p.stderr
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "interrupted in the main thread"


@pytest.mark.timeout(60)
def test_an_unraisable_error_of_another_kind_is_still_printed() -> None:
    """Only the handler's own interrupt is taken back: another exception a callback drops is printed as before."""
    p = _run("""
        import weakref
        class Box:
            pass
        def callback(_ref):
            raise ValueError("a finaliser's own error")
        box = Box()
        ref = weakref.ref(box, callback)
        del box
        sys.stderr.flush()
        os._exit(0)
    """)
    assert p.returncode == 0
    assert "Exception ignored in" in p.stderr and "ValueError: a finaliser's own error" in p.stderr, p.stderr


@pytest.mark.timeout(60)
def test_a_hard_stop_says_the_running_command_s_own_line() -> None:
    """A crawl whose cleanup outlasts the grace (or a second Ctrl-C) is stopped by the watcher: the line is still
    the crawl's own (it resumes either way), not a bare "interrupted" (a fresh-clone CI run met the bare line
    under load, thirty-second session). A new run forgets the last run's line."""
    p = _run("""
        from openscope.errors import say_when_stopped
        say_when_stopped("interrupted; the crawl is kept and resumes when you run the same command again")
        cli._CtrlC.stop_now()
    """)
    assert p.returncode == 130, p.stderr
    assert p.stderr.splitlines() == [
        "openscope: interrupted; the crawl is kept and resumes when you run the same command again"]
    p = _run("""
        import contextlib, io
        from openscope.errors import say_when_stopped
        say_when_stopped("interrupted; the crawl is kept")
        with contextlib.redirect_stdout(io.StringIO()):
            cli.main(["--version"])
        cli._CtrlC.said = False
        cli._CtrlC.stop_now()
    """)
    assert p.returncode == 130, p.stderr
    assert p.stderr.splitlines() == ["openscope: interrupted"]
