"""Reading a command's key-value screen (`model`, `license`) as a test sees it, and calling it in-process."""

from __future__ import annotations

import io
import json
import re
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from openscope.cli import main


def run_cli(db: Path | None, *args: str) -> tuple[int, str]:
    """``openscope [--db DB] ARGS…`` in-process: (exit code, stdout); stderr is swallowed."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main([*(["--db", str(db)] if db else []), *args])
    return code, out.getvalue()


def license_json(db: Path, model: str) -> dict:
    """``license --json MODEL``'s document (the command must succeed)."""
    code, out = run_cli(db, "--json", "license", model)
    assert code == 0
    return json.loads(out)


def screen_rows(text: str) -> dict[str, str]:
    """The `label  value` rows of a key-value screen, continuation lines joined, spaces squeezed."""
    rows: dict[str, str] = {}
    last = None
    for line in text.splitlines():
        m = re.match(r"^ (\S.*?)\s{2,}(\S.*)$", line)
        if m and not line.startswith("   "):
            last = m.group(1)
            rows[last] = m.group(2).strip()
        elif last and line.startswith(" " * 10) and line.strip():
            rows[last] += " " + line.strip()
    return {k: " ".join(v.split()) for k, v in rows.items()}
