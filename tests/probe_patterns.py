"""What the card-pass speed tests check the probes' search shortcuts against, written once.

Why a module of its own: several test modules compare a shortcut (start needles, one-pass needle hits, sentence
starts) with the plain computation over *every* pattern the probes define; each kept its own copy of the collecting
loop and of the ``str.find`` oracle, and a copy that missed a new place patterns live would test less without
failing. Test modules cannot import one another (``tests`` is no package), so they import this one, as they import
``lineage_graphs``. The oracle is a plain ``str.find`` loop, never the code under test.
"""

from __future__ import annotations

import importlib
import pkgutil
import re

from openscope.derive.openness import probes


def module_patterns() -> list[re.Pattern[str]]:
    """Every compiled pattern the probes define at module level, whole (an :func:`either` pattern with all its sides,
    as the link judges search it), and the sides :func:`either` keeps, each once."""
    seen: dict[int, re.Pattern[str]] = {}
    for info in pkgutil.iter_modules(probes.__path__):
        mod = importlib.import_module(f"{probes.__name__}.{info.name}")
        for value in vars(mod).values():
            if isinstance(value, re.Pattern):
                seen[id(value)] = value
    for side in (probes._ENGLISH, probes._HAN, probes._KANA):
        for value in side.values():
            seen[id(value)] = value
    return list(seen.values())


def find_all(text: str, needle: str) -> list[int]:
    """Every position of ``needle`` in ``text``, overlapping occurrences included: the oracle."""
    out, i = [], text.find(needle)
    while i >= 0:
        out.append(i)
        i = text.find(needle, i + 1)
    return out
