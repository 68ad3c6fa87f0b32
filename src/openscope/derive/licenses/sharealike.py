"""Share-alike compatibility and "no further restrictions", from the licences' own texts (``share_alike.yaml``).

Why a table of its own and not a catalogue attribute: whether a derivative of a share-alike base may go out under
another licence is a fact about a *pair* of licences, and it runs one way (Creative Commons declared CC BY-SA 4.0
material adaptable under GPLv3, never the reverse: GPLv3 §5(c) keeps the whole work under GPLv3). Each base's entry
says which licences its text accepts, which it rules out, and whether anything else is decided at all; a base without
an entry, or a licence its text leaves to a list not read, stays unknown, never "compatible".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from openscope.derive.licenses.catalogue import Clause
from openscope.yamlsafe import safe_load


@dataclass(frozen=True)
class ShareAlike:
    """One share-alike text: what its derivatives may carry and whether it forbids adding restrictions."""

    ids: tuple[str, ...]
    accepts: tuple[str, ...]
    refuses: re.Pattern[str] | None
    closed: bool
    clause: Clause
    compatibility: Clause | None
    no_added_restrictions: Clause | None

    def to_json(self) -> dict[str, Any]:
        """The licence document's ``share_alike`` key (docs/licenses.md)."""
        return {"same_text": list(self.ids), "accepts": list(self.accepts),
                "refuses": self.refuses.pattern if self.refuses else None, "closed": self.closed,
                "clauses": [c.to_json() for c in (self.clause, self.compatibility, self.no_added_restrictions)
                            if c is not None]}


def _clause(attribute: str, raw: dict[str, Any] | None) -> Clause | None:
    if not raw:
        return None
    return Clause(attribute, str(raw["text"]).strip(), str(raw["url"]), bool(raw.get("verified", False)))


@lru_cache(maxsize=1)
def rules() -> dict[str, ShareAlike]:
    """Catalogue id → its share-alike entry (every id an entry names)."""
    raw = safe_load(resources.files("openscope.data").joinpath("licenses", "share_alike.yaml").read_text("utf-8"))
    out: dict[str, ShareAlike] = {}
    for e in raw["licences"]:
        ids = tuple(e["ids"])
        clause = _clause("share_alike", e["clause"])
        assert clause is not None
        entry = ShareAlike(ids, tuple(e.get("accepts") or ()), re.compile(e["refuses"]) if e.get("refuses") else None,
                           bool(e.get("closed", False)), clause, _clause("share_alike_compatibility",
                                                                         e.get("compatibility")),
                           _clause("no_added_restrictions", e.get("no_added_restrictions")))
        for i in ids:
            out[i] = entry
    return out


def get(license_id: str | None) -> ShareAlike | None:
    """The share-alike entry of a catalogue id, or None (no entry: not read, or not share-alike)."""
    return rules().get(license_id) if license_id else None


def accepts(base: str | None, derivative: str | None) -> bool | None:
    """Whether the licence text of ``base`` lets a derivative go out under ``derivative``: True (the same text, or one
    it accepts), False (one it rules out; with ``closed``, anything else), None (not decided: no entry for the base,
    or the text defers to a list not read here)."""
    if not base or not derivative:
        return None
    entry = get(base)
    if base == derivative or (entry is not None and derivative in entry.ids):
        return True
    if entry is None:
        return None
    if derivative in entry.accepts:
        return True
    if entry.refuses is not None and entry.refuses.search(derivative):
        return False
    return False if entry.closed else None


def why_refused(base: str) -> str:
    """The base's share-alike clause in one phrase, for a conflict's reason (no "; ": reasons are joined by it)."""
    entry = get(base)
    if entry is None:
        return "its share-alike clause"
    text = entry.clause.text.split(" Section 1(c)")[0].replace("; ", ", ")
    return f'"{text}"'


def forbids_added_restrictions(license_id: str | None) -> Clause | None:
    """The clause of a share-alike licence forbidding further restrictions on what it grants (CC BY-SA 4.0 §3(b)(3),
    GPLv3 §10), or None where none was read."""
    entry = get(license_id)
    return entry.no_added_restrictions if entry is not None else None
