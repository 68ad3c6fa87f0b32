"""How a released component's status follows from its licence (shared by probes, mirrored in SQL)."""

from __future__ import annotations

from openscope.derive.openness.licensing import classify


def released_status(license_raw: str | None) -> tuple[str, str | None]:
    """(status, licence id) of a component released under ``license_raw`` (None = no licence found)."""
    v = classify(license_raw)
    if v.open is None:
        return "no_license", None
    return ("open_license" if v.open else "restrictive_license"), v.id
