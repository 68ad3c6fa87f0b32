"""One model's assessment: probes → component facts → MOF, OSAID, OSAI → open-washing flags.

Why one function: the CLI, the derive step (for models with card text) and the benchmarks must give
the same answer for the same records; they all call :func:`assess_record`. Expert grades are never
read here (the overlay is added afterwards, by :mod:`.experts`, and only for display).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openscope.derive.openness import curated as curated_mod
from openscope.derive.openness import flags as flags_mod
from openscope.derive.openness.components import ComponentFact, apply_curated, from_findings, mof_listing
from openscope.derive.openness.evaluations import mof, osai, osaid
from openscope.derive.openness.probes import Finding, run_all
from openscope.derive.openness.records import ModelRecord


@dataclass
class Assessment:
    id: str
    locator: str
    components: dict[str, ComponentFact]
    findings: list[Finding]
    osai: dict[str, Any]
    mof: mof.MofResult
    osaid: osaid.OsaidResult
    flags: list[dict[str, Any]]
    base: str | None = None
    curated: str | None = None
    warnings: list[str] = field(default_factory=list)
    experts: dict[str, Any] | None = None
    osai_basis: dict[str, str] = field(default_factory=dict)   # what each dimension's rule saw (its signal)

    def as_json(self) -> dict[str, Any]:
        """The contract's ``assess`` shape (plus a few documented extra keys)."""
        doc: dict[str, Any] = {
            "id": self.id,
            "osai": self.osai,
            "osai_basis": self.osai_basis,
            "mof": self.mof.as_json(),
            "osaid": self.osaid.as_json(),
            "components": {n: c.as_json() for n, c in self.components.items()},
            "flags": self.flags,
            "locator": self.locator,
            "base_model": self.base,
            "curated": self.curated,
            "next_steps": {"mof": self.mof.next_steps, "osaid": self.osaid.next_steps},
            "probes": [f.as_json() for f in self.findings],
            "warnings": self.warnings,
        }
        if self.experts is not None:
            doc["experts"] = self.experts
        return doc


def _side(rec: ModelRecord, use_curated: bool) -> tuple[osai.Side, list[Finding], str | None]:
    findings = run_all(rec)
    facts = from_findings(findings)
    entry = curated_mod.lookup_any(rec.id) if use_curated else None
    apply_curated(facts, entry)
    readable = rec.readable or entry is not None
    return osai.Side(facts, {f.probe: f for f in findings}, readable), findings, (entry or {}).get("family")


def assess_record(rec: ModelRecord, *, use_curated: bool = True) -> Assessment:
    """Assess one model record (pure: reads nothing but ``rec`` and the shipped curated facts)."""
    end, findings, family = _side(rec, use_curated)
    base_side = None
    if rec.is_derivative and rec.root is not None:
        base_side, _, _ = _side(rec.root, use_curated)
    grades = osai.evaluate(end, base_side)
    basis = osai.basis(end, base_side)
    m = mof.evaluate_components(mof_listing(end.facts))
    o = osaid.evaluate(end.facts)
    flags = flags_mod.flags(rec, end, o, base_side)
    return Assessment(
        id=rec.id, locator=rec.locator, components=end.facts, findings=findings, osai=grades, mof=m, osaid=o,
        flags=flags, base=rec.root.id if rec.is_derivative and rec.root else None, curated=family,
        warnings=list(rec.warnings), osai_basis=basis,
    )
