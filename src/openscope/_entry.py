"""The console script's entry point: Ctrl-C is handled from the first instruction, not from the CLI's.

Why a module of its own: importing the command line (typer, click, rich, the commands) takes a tenth of a
second or more on a loaded machine, and a Ctrl-C in that window printed Python's ``KeyboardInterrupt``
traceback, the one case where a user still saw one. This module imports nothing of ours but itself: from
the moment it is imported it answers a Ctrl-C with the same line and exit code as an interrupted command
(nothing is open yet, so there is nothing to clean up), then hands SIGINT back before the CLI installs its
own handling. Only the console script imports it.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType


def _interrupted_while_starting(signum: int, frame: FrameType | None) -> None:
    os.write(2, b"openscope: interrupted\n")
    os._exit(130)


# Installed when this module is imported, not when main() is called: the console script runs a statement
# of its own between the two, and a Ctrl-C there printed a traceback too. Only where SIGINT is Python's own
# (a job started in the background or under nohup ignores it, and keeps ignoring it).
_OURS = signal.getsignal(signal.SIGINT) is signal.default_int_handler
if _OURS:
    signal.signal(signal.SIGINT, _interrupted_while_starting)


def main() -> int:
    from openscope.cli import main as cli_main

    if _OURS:  # the command line's own handling takes over (it installs itself only over the default)
        signal.signal(signal.SIGINT, signal.default_int_handler)
    return cli_main()


if __name__ == "__main__":  # pragma: no cover - the console script calls main()
    sys.exit(main())
