"""Ctrl-C while the console script is still importing the command line: one line and 130, no traceback.

The import window (typer, click, rich, the commands) is a tenth of a second on an idle machine; a Ctrl-C in
it printed Python's ``KeyboardInterrupt`` traceback and the process died by the signal. The test finds the
window from the interpreter's own import log (``PYTHONPROFILEIMPORTTIME``: a line per module, written as
each import ends) and signals the real console script once the entry module is imported, while the rest
still loads.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path


def _console_script() -> str:
    exe = shutil.which("openscope", path=str(Path(sys.executable).parent))
    assert exe, "the openscope console script is installed next to this interpreter"
    return exe


def test_ctrl_c_while_the_cli_is_imported_prints_one_line_and_exits_130(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPROFILEIMPORTTIME="1")
    landed = 0
    for _ in range(5):
        proc = subprocess.Popen([_console_script(), "--db", str(tmp_path / "none.duckdb"), "status"],
                                stderr=subprocess.PIPE, text=True, env=env)
        assert proc.stderr is not None
        lines: list[str] = []
        for line in proc.stderr:
            lines.append(line)
            if line.rstrip().endswith("openscope._entry"):
                break
        proc.send_signal(signal.SIGINT)
        lines += proc.stderr.read().splitlines(keepends=True)
        proc.wait(timeout=60)
        said = [ln.rstrip("\n") for ln in lines if not ln.startswith("import time:")]
        if proc.returncode == 66:  # a machine so loaded that the command had ended: no store, its one line
            assert len(said) == 1 and said[0].startswith("openscope: error: no store at"), said
            continue
        assert proc.returncode == 130, (proc.returncode, said)
        assert said == ["openscope: interrupted"], said
        landed += 1
        if landed == 3:
            break
    assert landed, "no Ctrl-C landed while the command line was imported"
