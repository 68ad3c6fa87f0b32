"""The MOF's 17 components as facts: status, licence and evidence for one model.

Why facts first: every grade (MOF class, OSAID verdict, OSAI dimensions) is computed *from* these,
so a user can see exactly which released file, card line or curated citation a grade rests on, and a
publisher can see which component to fix. Probe findings and curated facts (cited, from
``openscope/data/openness``) are merged per component: the strongest status wins (open licence >
restrictive licence > no licence > documented but not released > not found); curated facts are
added to the evidence and, being cited, win over a weaker probe status.

A stored model's file list may name a licence file whose text the store does not keep (``LICENSE``,
``LICENSE-MODEL``). When nothing else gives the weights a licence, their status stays ``no_license`` (released,
licence unknown) and :attr:`ComponentFact.license_unread` names the files that would decide it: the grades that
read the weights' licence then say "licence unknown" (the licence file was not read), never "no licence".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openscope.derive.openness.evaluations.mof import UNREAD_LICENSE, component_names
from openscope.derive.openness.license_files import scope_of_name
from openscope.derive.openness.probes import STATUS_RANK, Evidence, Finding

STATUSES = tuple(STATUS_RANK)
RELEASED = {"open_license", "restrictive_license", "no_license"}
# Components whose licence is the weights' (the probes read it with ``repo_license(rec, "weights")``).
WEIGHTS_COMPONENTS = ("Model parameters (Final)", "Model parameters (Intermediate)", "Model metadata")
UNREAD_NOTE = ("a licence file is present but its licence was not identified (its text was not read, or not "
               "recognised): licence unknown")


@dataclass
class ComponentFact:
    name: str
    status: str = "not_found"
    license: str | None = None
    evidence: list[Evidence] = field(default_factory=list)
    source: str = "probe"        # probe | curated
    gated: bool = False          # curated: access after a form or an accepted agreement (self-service)
    by_request: bool = False     # curated: access only for applicants approved case by case
    inherited: dict[str, Any] | None = None   # the base's licence applies instead of the declared one
    inherited_evidence: int = 0   # with ``inherited``: how many evidence items, first, the inheritance rule gave
    license_unread: list[str] = field(default_factory=list)   # licence files that cover it, their text not read

    def as_json(self) -> dict[str, Any]:
        return {"status": self.status, "license": self.license, "evidence": [e.as_json() for e in self.evidence]}

    def stored_evidence(self) -> list[Evidence]:
        """The evidence the ``openness`` table keeps (both paths): the first three items; of a component graded by
        an inherited licence only those the inheritance rule gave (its own licence line, each binding ancestor's,
        the clauses), not the component's findings behind them. Why: the set-based pass grades a synthetic record
        whose findings name its own representative files (``m/model.safetensors``), not the model's; they showed
        in the stored evidence whenever the rule gave fewer than three items (a binding licence without a clause,
        such as a card's list ``CC-BY-NC-4.0 AND MIT``), and the two paths disagreed (sixth mutation round)."""
        return self.evidence[:min(3, self.inherited_evidence) if self.inherited else 3]

    @property
    def released(self) -> bool:
        return self.status in RELEASED

    @property
    def license_unknown_unread(self) -> bool:
        """Released with no licence found, while a licence file that covers it was not read: its licence is
        unknown (it exists), not absent."""
        return self.status == "no_license" and bool(self.license_unread)


def from_findings(findings: list[Finding]) -> dict[str, ComponentFact]:
    facts = {n: ComponentFact(n) for n in component_names()}
    for f in findings:
        if f.component is None or f.component not in facts:
            continue
        cur = facts[f.component]
        if STATUS_RANK[f.status] > STATUS_RANK[cur.status]:
            cur.status, cur.license = f.status, f.license
            cur.evidence = list(f.evidence) + cur.evidence
        else:
            cur.evidence.extend(f.evidence)
    _mark_unread(facts, findings)
    return facts


def unread_files(findings: list[Finding] | dict[str, Finding], what: str | None = None) -> list[str]:
    """The licence files whose licence was not identified (a stored model's listed files, their text not read;
    a folder's files whose text is not recognised), when they are its only licence
    evidence (the licence probe found none: nothing declared, nothing named in the card or a read file). With
    ``what`` (weights, code, data), only the files that cover it: a whole-release ``LICENSE`` or one whose name
    says so (``LICENSE-MODEL`` for the weights; ``LICENSE-CODE`` covers the code alone)."""
    lic = findings.get("license_declared") if isinstance(findings, dict) else \
        next((f for f in findings if f.probe == "license_declared"), None)
    if lic is None or lic.status != "no_license":
        return []
    paths = [str(p) for p in (lic.detail.get("files_unread") or []) + (lic.detail.get("files_unknown") or [])]
    if what is None:
        return paths
    return [p for p in paths if not (sc := scope_of_name(p)) or what in sc]


def _mark_unread(facts: dict[str, ComponentFact], findings: list[Finding]) -> None:
    """The weights' components released without a licence, when an unread licence file covers the weights: they
    name the files, and the file-list evidence (present, not read) comes first, as it is what decides their
    licence."""
    paths = unread_files(findings, "weights")
    if not paths:
        return
    lic = next(f for f in findings if f.probe == "license_declared")
    ev = [e for e in lic.evidence if e.kind == "file_list"]
    for name in WEIGHTS_COMPONENTS:
        fact = facts.get(name)
        if fact is not None and fact.status == "no_license":
            fact.license_unread = list(paths)
            fact.evidence = ev + [e for e in fact.evidence if e not in ev]


def apply_curated(facts: dict[str, ComponentFact], curated: dict[str, Any] | None) -> None:
    """Overlay cited curated facts (each with its URL) on the probe facts.

    A curated status replaces the probe's: it is a checked (or, for imported MOF records, cited but
    unverified) statement about the release, while probes only see what one card and file list show.
    """
    if not curated:
        return
    for name, c in (curated.get("components") or {}).items():
        if name not in facts or not isinstance(c, dict):
            continue
        fact = facts[name]
        ev = Evidence("curated", str(c.get("url") or curated.get("source") or ""),
                      str(c.get("note") or f"{name}: {c.get('status')} ({c.get('license') or 'no licence'})")
                      + ("" if c.get("verified", True) else " [unverified]"),
                      str(c.get("checked") or curated.get("checked") or ""))  # a fact's own re-check date first
        fact.status = str(c.get("status") or fact.status)
        fact.license = c.get("license") or (None if fact.status in ("not_found", "documented_not_released")
                                            else fact.license)
        fact.evidence.insert(0, ev)
        fact.source = "curated"
        fact.license_unread = []   # the cited fact states the component's licence (or its absence)
        access = str(c.get("access") or "").lower()
        fact.gated, fact.by_request = access == "gated", access == "request"


def mof_listing(facts: dict[str, ComponentFact]) -> dict[str, str | None]:
    """Components in the form the MOF evaluator takes: released ones with their licence ('' = none,
    :data:`~.evaluations.mof.UNREAD_LICENSE` = a licence file that covers it was not read)."""
    out: dict[str, str | None] = {}
    for name, f in facts.items():
        if f.released:
            out[name] = f.license if (f.status != "no_license" and f.license) else \
                (UNREAD_LICENSE if f.license_unknown_unread else "")
    return out
