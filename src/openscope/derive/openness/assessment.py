"""One model's assessment: probes → component facts → MOF, OSAID, OSAI → open-washing flags.

Why one function: the CLI, the derive step (for models with card text) and the benchmarks must give
the same answer for the same records; they all call :func:`assess_record`. Expert grades are never
read here (the overlay is added afterwards, by :mod:`.experts`, and only for display).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from openscope.derive.openness import curated as curated_mod
from openscope.derive.openness import flags as flags_mod
from openscope.derive.openness import inheritance
from openscope.derive.openness.components import ComponentFact, apply_curated, from_findings, mof_listing
from openscope.derive.openness.declared_base import (
    PASTED_LABEL,
    PastedBase,
    declared_base,
    family_of_root,
    pasted_base,
)
from openscope.derive.openness.evaluations import mof, osai, osaid
from openscope.derive.openness.probes import Evidence, Finding, run_all
from openscope.derive.openness.probes.datasets_released import hosted_datasets
from openscope.derive.openness.probes.model_card import next_step as card_step
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
    base_declared: dict[str, Any] | None = None   # the base the card declares, when it gave the base side
    base_pasted: dict[str, Any] | None = None     # the base's card a re-upload pastes, when it gave the base side
    base_roots: dict[str, Any] | None = None      # per base-model dimension: its grade, the roots it came from

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
            "base_declared": self.base_declared,
            "base_pasted": self.base_pasted,
            "base_roots": self.base_roots,
            "curated": self.curated,
            "next_steps": {"mof": self.mof.next_steps, "osaid": self.osaid.next_steps},
            "probes": [f.as_json() for f in self.findings],
            "warnings": self.warnings,
        }
        if self.experts is not None:
            doc["experts"] = self.experts
        return doc


# What the base-model dimensions' rules read of a root's side (:data:`.osai.RULES`' "base" rules, and what
# :func:`.osai.basis` says of them): these components' facts, and these probes' findings.
BASE_COMPONENTS = ("Model parameters (Final)", "Datasets", "Data card")
BASE_FINDINGS = ("weights_released", "weights_gated", "license_declared", "datasets_released", "data_card")


@functools.cache
def base_probes() -> frozenset[str]:
    """The probes a root's side runs: those that judge a component the base-model dimensions read (every finding
    of a component makes its fact, :func:`.components.from_findings`), and those whose findings the rules read.

    Why not every probe: a derivative reads nothing else of its root, and the other probes (training code, reports,
    evaluation results, hardware, model card topics …) were most of the cost of reading a root's card, about 3 ms
    a root in the set-based grades (:func:`.sql._read_roots`) and once per root and chunk in the card pass.
    Probes are pure functions of the record (each reads the record, and caches only what the record determines), so
    the findings run are those every probe run gives (``tests/test_openness_merge_roots.py`` compares both)."""
    from openscope.derive.openness.probes import PROBES, probe_component

    return frozenset(n for n in PROBES if probe_component(n) in BASE_COMPONENTS) | frozenset(BASE_FINDINGS)


def _side(rec: ModelRecord, use_curated: bool, only: frozenset[str] | None = None
          ) -> tuple[osai.Side, list[Finding], str | None]:
    findings = run_all(rec, only)
    facts = from_findings(findings)
    entry = (rec.cache.get("curated_entry") or curated_mod.lookup_any(rec.id)) if use_curated else None
    apply_curated(facts, entry)
    readable = rec.readable or entry is not None
    return osai.Side(facts, {f.probe: f for f in findings}, readable), findings, (entry or {}).get("family")


def _curated_side(entry: dict[str, Any]) -> osai.Side:
    """A base known only by its cited curated facts (no card, no files of its own read)."""
    facts = from_findings([])
    apply_curated(facts, entry)
    return osai.Side(facts, {}, True)


def _pasted_side(pasted: PastedBase) -> osai.Side:
    """The base's side read from the card a re-upload pastes: its probes run on the copy alone, and every piece
    of card evidence (its text, and a front matter pasted with it) says it comes from the pasted copy (a third
    party's copy of the base's card)."""
    findings = run_all(pasted.record)
    label = f"[{PASTED_LABEL}, lines {pasted.lines[0]}-{pasted.lines[1]}] "
    for f in findings:
        for e in f.evidence:
            if e.kind in ("card", "hub_metadata") and not e.snippet.startswith(label):   # (its front matter too)
                e.snippet = label + e.snippet
    return osai.Side(from_findings(findings), {f.probe: f for f in findings}, pasted.record.readable)


def base_side(rec: ModelRecord, own_family: str | None = None) -> tuple[osai.Side | None, str | None]:
    """The side the base-model dimensions are graded from, and what it is (a Hub id or a family).

    The lineage root from the store when there is one (always with its curated facts: lineage is
    about the base, not about the model being assessed; a root outside the store, or deleted from the Hub (read as
    last stored), is also matched to a curated family by the name its id gives); otherwise the base the card declares, when it names a
    curated family other than the model's own (:mod:`.declared_base`); otherwise, for a re-upload that pastes
    its base's card ("# Original model card: …"), that copy read as the base's card
    (:func:`.declared_base.pasted_base`; also for a lineage root outside the store that no curated family
    covers: nothing of its own to read).
    """
    if rec.is_derivative and rec.root is not None:
        root = rec.root
        if "curated_entry" not in root.cache:
            root.cache["curated_entry"] = family_of_root(root.id, _not_live(root))
        # nothing of its own to read (outside the store, or deleted with nothing stored) and no curated family
        pasted = pasted_base(rec) if _not_live(root) and not root.readable and root.cache["curated_entry"] is None \
            else None
        rec.cache["base_from_pasted"] = pasted is not None
        if pasted is not None:
            return _pasted_side(pasted), root.id
        return root_side(root), root.id
    decl = declared_base(rec)
    pasted = pasted_base(rec) if decl is None else None
    rec.cache["base_from_pasted"] = pasted is not None
    if decl is None:
        return (_pasted_side(pasted), pasted.name) if pasted is not None else (None, None)
    if decl.family.get("family") == own_family:
        return None, None
    return _curated_side(decl.family), str(decl.family["family"])


def root_side(root: ModelRecord) -> osai.Side:
    """A lineage root's side, with its curated facts (looked up by the name its id gives too when it is not in the
    store). One root record serves every derivative graded on it (a chunk of the card pass, the set-based grades'
    patterns): its side is read from its card once, not once per derivative."""
    if "curated_entry" not in root.cache:
        root.cache["curated_entry"] = family_of_root(root.id, _not_live(root))
    side = root.cache.get("base_side")
    if side is None:
        side = root.cache["base_side"] = _side(root, True, base_probes())[0]
    return side


def _not_live(root: ModelRecord) -> bool:
    """A root that is not a live model of the store: outside it, or deleted from the Hub (its curated family is then
    also looked up by the name its id gives, as the licence inheritance reads such an ancestor)."""
    return bool(root.cache.get("external") or root.cache.get("deleted_on"))


def root_note(root: ModelRecord) -> str:
    """What a reader must know of a root beside its name: a root deleted from the Hub is read from its record as last
    stored (its card, files and licence texts), whose pages no longer answer."""
    gone = root.cache.get("deleted_on")
    return f"deleted from the Hub on {gone}; read as last stored" if gone else ""


def roots(rec: ModelRecord, base: osai.Side | None) -> list[osai.Root] | None:
    """Every lineage root of a derivative, deepest first (then by id), each with its side: the first is ``base``
    (:func:`base_side`: it may be a pasted copy of its card), the others a merge's further roots, read alike. None
    when the model has no lineage root. Why every root: a merge holds everything of every base (docs/openness.md,
    *A merge's base-model dimensions*)."""
    if not rec.is_derivative or rec.root is None or base is None:
        return None
    return [osai.Root(rec.root.id, base, root_note(rec.root))] + [
        osai.Root(r.id, root_side(r), root_note(r)) for r in rec.other_roots]


def base_grades(root: ModelRecord) -> tuple[bool, dict[str, str]]:
    """What a derivative's grades read of its lineage root ``root``: whether it is readable, and the grade each
    base-model dimension's rule gives (:func:`.osai.signals`; `assess` grades by the rule, no calibration). The
    set-based grades compare a root's pattern with its own record by it (:func:`.sql._read_roots`)."""
    side = root.cache.get("base_side")
    if side is None:
        side = root.cache["base_side"] = _side(root, True, base_probes())[0]
    sig = osai.signals(side, side)
    return side.readable, {d: sig[d][1] for d, (_, which) in osai.RULES.items() if which == "base"}


def base_license(rec: ModelRecord, base: osai.Side) -> tuple[str | None, list[Evidence]]:
    """The licence of the base's weights and where it was read: the lineage root's Hub ``license:`` tag when
    the catalogue knows its terms, else the base's cited curated fact (a root outside the store, or the base
    a card declares: then the card line that declares it comes first). (None, []) when neither is known."""
    found: list[tuple[str, list[Evidence]]] = []
    if rec.is_derivative and rec.root is not None and rec.root.license:
        found.append((rec.root.license, [Evidence("hub_metadata", rec.root.locator, f"license: {rec.root.license}",
                                                  rec.read_at)]))
    weights = base.facts["Model parameters (Final)"]
    if weights.source == "curated" and weights.license and weights.released:
        ev = weights.evidence[:1]
        decl = None if rec.is_derivative else declared_base(rec)
        found.append((weights.license, ([decl.evidence] if decl is not None else []) + ev))
    for lic, ev in found:
        if inheritance.terms(lic) is not None:
            return lic, ev
    return None, []


def ancestor_readings(rec: ModelRecord, base: osai.Side | None, base_name: str | None) -> list[inheritance.Reading]:
    """The licences the model's weights may inherit, nearest first (:mod:`.inheritance`).

    A record from the store carries every ancestor's (``rec.cache["ancestors"]``, :mod:`.ancestry`); a
    record built with a lineage root but no walk (a test, a caller of its own) has its root's; a card read
    alone (or a stored model with no lineage edge) has the base its card declares, when that is a curated
    family other than its own."""
    walked = rec.cache.get("ancestors")
    if walked:
        return list(walked)
    if base is None or base_name is None or (walked is not None and rec.is_derivative):
        return []
    lic, ev = base_license(rec, base)
    if lic is None or licensor_declared(rec):
        return []
    return [inheritance.Reading(base_name, None, lic, tuple(ev))]


def licensor_declared(rec: ModelRecord) -> bool:
    """Whether the base the card declares (a curated family) was published by the model's own organisation, its
    licensor (:mod:`..licenses.licensor`): then its terms do not bind the model. Only from data: the model's Hub id
    is in a namespace of the family's own repositories (its curated ``hub_ids``), or names an organisation of the
    publishers table whose name is the family's ``publisher``; a folder or an id with no namespace gets no
    exception."""
    from openscope.derive.licenses.licensor import publishes

    decl = None if rec.is_derivative else declared_base(rec)
    return decl is not None and publishes(rec.id, decl.family.get("publisher"), decl.family.get("hub_ids") or ())


def _inherit(rec: ModelRecord, end: osai.Side, base: osai.Side | None, base_name: str | None) -> None:
    """The ancestors' terms on the end model's parameters, where they bind what it declares (:mod:`.inheritance`)."""
    readings = ancestor_readings(rec, base, base_name)
    if not readings:
        return
    found = end.findings.get("license_declared")
    declared = found.evidence[0] if found is not None and found.evidence else \
        Evidence("hub_metadata", rec.locator, f"license: {rec.license}", rec.read_at)
    inheritance.apply(end.facts, declared, readings, rec.read_at)


def sides(rec: ModelRecord, *, use_curated: bool = True) -> tuple[osai.Side, osai.Side | None, list[Finding], str | None,
                                                                 str | None]:
    """(end side, base side or None, findings, curated family of the model, base id or family).

    The end side's parameters are graded by its ancestors' licences where their terms bind what it declares."""
    end, findings, family = _side(rec, use_curated)
    # without curated facts for the model itself, its family is still looked up: it is never its own base
    own = family if use_curated else (curated_mod.lookup_any(rec.id) or {}).get("family")
    base, base_name = base_side(rec, own)
    _inherit(rec, end, base, base_name)
    return end, base, findings, family, base_name


def _card_unread_step(step: str) -> str:
    """A stored model whose README is in its file list but was never fetched has a model card: "release Model card"
    would ask its publisher for what is there. The step says to read it first; the steps for what a card documents
    (evaluation results, a data card, a report) may be met in it, which the warning above the steps says."""
    goal, sep, what = step.partition(": ")
    if not what.startswith("release Model card ("):
        return step
    return (f"{goal}{sep}read the model card before acting on these steps (its README is in the file list, its text "
            "is not in the store: `openscope crawl --cards` reads it); what a card documents may be there already")


def assess_record(rec: ModelRecord, *, use_curated: bool = True) -> Assessment:
    """Assess one model record (pure: reads nothing but ``rec`` and the shipped curated facts)."""
    end, base, findings, family, base_name = sides(rec, use_curated=use_curated)
    decl = declared_base(rec) if base is not None and not rec.is_derivative else None
    declared = None if decl is None else {
        "family": decl.family.get("family"), "named": decl.name, "mentions": decl.mentions,
        "evidence": decl.evidence.as_json(),
    }
    pasted = pasted_base(rec) if base is not None and rec.cache.get("base_from_pasted") else None
    warnings = list(rec.warnings)
    if pasted is not None:
        warnings.append(f"the base-model dimensions were read from the base's card pasted in this one (lines "
                        f"{pasted.lines[0]}-{pasted.lines[1]}): no curated family or stored record of the base")
    every = roots(rec, base)
    grades = osai.evaluate(end, base, roots=every)
    basis = osai.basis(end, base, every)
    m = mof.evaluate_components(mof_listing(end.facts), hosted=hosted_datasets(end.facts, end.findings),
                                hints=card_step(end.findings),
                                inherited={n: str(f.inherited.get("base")) for n, f in end.facts.items() if f.inherited})
    if rec.cache.get("card_unread"):
        m.next_steps = [_card_unread_step(step) for step in m.next_steps]
    o = osaid.evaluate(end.facts)
    flags = flags_mod.flags(rec, end, o, base, declared)
    return Assessment(
        id=rec.id, locator=rec.locator, components=end.facts, findings=findings, osai=grades, mof=m, osaid=o,
        flags=flags, base=base_name, curated=family,
        warnings=warnings, osai_basis=basis, base_declared=declared,
        base_pasted=None if pasted is None else {"named": pasted.name, "lines": list(pasted.lines),
                                                  "evidence": pasted.evidence.as_json()},
        base_roots=None if every is None else {
            dim: {"grade": g, "from": names, "roots": {r.name: x for r, x in zip(every, each, strict=True)},
                  **({"notes": {r.name: r.note for r in every if r.note}} if any(r.note for r in every) else {})}
            for dim, (g, names, each) in osai.root_grades(every).items()},
    )
