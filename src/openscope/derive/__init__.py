"""Derive: facts computed per model from stored records (lineage, publishers, licences, openness).

:func:`refresh` runs every registered step in order, each in its own transaction, each set-based SQL.
A step is ``(name, "module:function")`` taking a :class:`~openscope.store.Store`; steps later in the
list may read what earlier ones wrote (licence flow-down reads lineage paths, openness reads licences).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from openscope.store import Store

STEPS: list[tuple[str, str]] = [
    ("lineage", "openscope.derive.lineage:refresh"),
    ("licenses", "openscope.derive.licenses:refresh"),
    ("openness", "openscope.derive.openness:refresh"),
]


def _resolve(target: str) -> Callable[[Store], object] | None:
    module, func = target.split(":")
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name == module:  # the step's module is not part of this build
            return None
        raise
    return getattr(mod, func, None)


def refresh(store: Store, only: list[str] | None = None,
            report: Callable[[str, Any], None] | None = None) -> list[str]:
    """Run the derive steps (all, or those named in ``only``); returns the names that ran.

    ``report(name, result)`` receives each step's own result (lineage's says whether it recomputed everything and
    why), so the interface layer can tell an operator what they did not ask for without derive printing anything.
    """
    ran = []
    for name, target in STEPS:
        if only is not None and name not in only:
            continue
        fn = _resolve(target)
        if fn is None:
            continue
        result = fn(store)
        _finished(store, name)
        if report is not None:
            report(name, result)
        ran.append(name)
    return ran


def _finished(store: Store, step: str) -> None:
    """Record that ``step`` is up to date with the latest complete snapshot (``status`` reads it)."""
    with store.transaction() as con:
        con.execute(
            """INSERT OR REPLACE INTO derive_state
               SELECT ?, (SELECT max(snapshot_id) FROM snapshots WHERE status = 'complete'), now()::TIMESTAMP""",
            [step])
