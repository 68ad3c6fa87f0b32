"""Curated knowledge for flagship families: facts a card and file list cannot show, each with its URL.

The facts live in ``openscope/data/openness/curated.yml`` (see its ATTRIBUTION.md). An entry matches a
model by its exact Hub id or an ``org/prefix*`` pattern listed under ``hub_ids``: this is data keyed by
repository, with a citation per claim, not a probe rule. Facts imported from Model Openness Tool
records are marked ``verified: false``.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from functools import cache
from importlib import resources
from typing import Any

import yaml


@cache
def entries() -> tuple[dict[str, Any], ...]:
    text = resources.files("openscope.data.openness").joinpath("curated.yml").read_text("utf-8")
    data = yaml.safe_load(text) or {}
    return tuple(data.get("families") or ())


def lookup(model_id: str) -> dict[str, Any] | None:
    mid = model_id.lower()
    for e in entries():
        for pat in e.get("hub_ids") or ():
            if fnmatchcase(mid, str(pat).lower()):
                return e
    return None


def by_family(name: str) -> dict[str, Any] | None:
    for e in entries():
        if str(e.get("family", "")).lower() == name.lower():
            return e
    return None
