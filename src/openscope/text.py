"""Text from publishers and attackers (card text, file and imported names, YAML values), made safe to show.

Why one place: three commands print such text, and each had grown its own escaping. C0 and C1 control
characters and DEL are shown as escapes (``\\x1b``, ``\\r``): an ESC sequence printed as is can erase or
rewrite what the terminal shows (an imported name holding ``ESC [1A ESC [2K`` would wipe the critical line
above it). The ``--json`` twins keep the text: JSON escapes control characters itself.
"""

from __future__ import annotations

import re

_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROLS_BUT_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _escape(m: re.Match[str]) -> str:
    return m.group(0).encode("unicode_escape").decode("ascii")


def visible(text: str, *, keep_lines: bool = False) -> str:
    """``text`` with its control characters as escapes; ``keep_lines`` leaves tabs and newlines (multi-line
    text), otherwise they are escaped too (a name on one line)."""
    return (_CONTROLS_BUT_LINES if keep_lines else _CONTROLS).sub(_escape, text)
