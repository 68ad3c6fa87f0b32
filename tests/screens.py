"""Reading a command's key-value screen (`model`, `license`) as a test sees it."""

from __future__ import annotations

import re


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
