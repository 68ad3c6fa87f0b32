"""The two grading paths side by side for one stored model: the rows the set-based pass stored, and the rows
``assess`` gives for the same record (what the tests of inherited licences hold equal)."""

from __future__ import annotations

import json
from typing import Any

from openscope.derive.openness import openness_rows
from openscope.derive.openness.assessment import Assessment, assess_record
from openscope.derive.openness.records import from_store
from openscope.store import Store

Rows = dict[tuple[str, str], tuple[Any, Any, Any]]   # (framework, dimension) -> (grade, score, evidence)


def live_ids(store: Store) -> list[str]:
    return [r[0] for r in store.con.execute("SELECT id FROM models WHERE deleted_at IS NULL ORDER BY id").fetchall()]


def both_paths(store: Store, mid: str) -> tuple[Assessment, Rows, Rows]:
    """``assess``'s record of ``mid``, its stored rows and ``assess``'s rows; the grades and scores must be equal."""
    a = assess_record(from_store(store, mid))
    stored = {(fw, d): (g, s, json.loads(ev) if ev else None) for fw, d, g, s, ev in store.con.execute(
        "SELECT framework, dimension, grade, score, evidence::VARCHAR FROM openness WHERE id = ?", [mid]).fetchall()}
    expected = {(fw, d): (g, s, json.loads(ev) if ev else None) for fw, d, g, s, ev in openness_rows(a)}
    assert {k: v[:2] for k, v in stored.items()} == {k: v[:2] for k, v in expected.items()}, mid
    return a, stored, expected
