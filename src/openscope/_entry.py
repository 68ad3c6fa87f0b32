"""The console script's entry point: Ctrl-C is handled from the first instruction, not from the CLI's.

Why a module of its own: importing the command line (typer, click, rich, the commands) takes a tenth of a
second or more on a loaded machine, and a Ctrl-C in that window printed Python's ``KeyboardInterrupt``
traceback, the one case where a user still saw one. This module imports nothing of ours but itself: it
answers a Ctrl-C during the import with the same line and exit code as an interrupted command (nothing is
open yet, so there is nothing to clean up), then hands SIGINT back before the CLI installs its own handling.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType


def _interrupted_while_starting(signum: int, frame: FrameType | None) -> None:
    os.write(2, b"openscope: interrupted\n")
    os._exit(130)


def main() -> int:
    ours = signal.getsignal(signal.SIGINT) is signal.default_int_handler  # not a job that ignores SIGINT
    if ours:
        signal.signal(signal.SIGINT, _interrupted_while_starting)
    from openscope.cli import main as cli_main

    if ours:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    return cli_main()


if __name__ == "__main__":  # pragma: no cover - the console script calls main()
    sys.exit(main())
