"""A derivative cannot relicense what it was built from: the terms that flow down to its weights apply.

Why: a finetune of Llama 3 that declares ``apache-2.0`` is still bound by the Llama 3 Community License
("If you distribute or make available the Llama Materials (or any derivative works thereof) ... provide a
copy of this Agreement"), and a finetune of a CC BY-NC model is still non-commercial. Grading its weights
``open_license`` because of the declaration alone overstated the openness of every such model; the
``license-contradicts-base`` flag said so, but the MOF class, the OSAID verdict and the OSAI grades did not.

The rule is the licence catalogue's flow-down rule (:mod:`openscope.derive.licenses.flowdown`), applied to
the model's declared licence and each ancestor's: an ancestor's terms apply to the weights when the declared
licence *permits something the ancestor's forbids* (commercial use under a non-commercial licence, no use
restrictions under a use-restricted one, no or a higher user cap, a naming duty dropped, any derivative
under a no-derivatives licence). A permissive ancestor changes nothing; an ancestor whose licence is unknown
(none, ``other`` with nothing that identifies it, unrecognised, an external model with no cited fact) changes
nothing either: unknown is never a restriction. Both licences are read as the catalogue reads a Hub ``license:``
tag.

Which ancestors: every model on the model's lineage, not only its root (:mod:`.ancestry`: every ancestor
along chosen lineage edges, each at its shortest distance, so a merge reaches every parent and every root,
and a cycle ends). A finetune C of B (``cc-by-nc-4.0``) of root A (``apache-2.0``) that declares ``mit`` is
bound by B's terms although its root says nothing about them. Each ancestor's licence is read as the licence
step reads it (``openscope license``): its Hub ``license:`` tag when the catalogue knows its terms, else the card's
``license_name``, ``license_link``, then the text of its licence file the crawl stored (identified, never guessed),
else its curated family's cited licence (by Hub id; for an ancestor outside the store also by the family its id
names). So a finetune of a base declaring ``license: other`` + ``license_name: qwen`` is bound by the Qwen
licence, as the licence step says that base is under it. A card read alone has one base: the one it declares
(its curated family's cited facts).

Not its licensor: an ancestor published by the model's own organisation (the publishers table, else the same Hub
namespace: :mod:`openscope.derive.licenses.licensor`) is left out of the readings (:mod:`.ancestry`; for a card read
alone, :func:`.assessment.licensor_declared`). A licence is a grant by the rights holder to others: DeepSeek
releasing DeepSeek-R1 under MIT on its own DeepSeek-V3-Base relicenses its own work, it drops no licensee's duty.
Other organisations' ancestors still bind, also above a same-organisation base.

Several binding ancestors: all of their terms apply at once (each is a licence on part of what the weights
are made of). The component's ``license`` is the *nearest* binding ancestor's (fewest lineage edges, then
the smallest id): the licence the model received directly from what it was built on, which itself had to
keep the farther ones. Every distinct binding licence is listed, each with its nearest ancestor, where that
licence was read, what the declared licence relaxes, and the clause that makes the terms follow derivatives.

What the inherited terms govern: the model's parameters (final and intermediate), which are derivative
works of the ancestors' weights. Code, documentation and data the publisher wrote keep the licence declared
for them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from openscope.derive.openness.components import ComponentFact
from openscope.derive.openness.probes import Evidence

GOVERNED = ("Model parameters (Final)", "Model parameters (Intermediate)")


@dataclass(frozen=True)
class Terms:
    """A licence as the flow-down rule reads it (catalogue attributes; None = unknown)."""

    id: str | None
    name: str
    cls: str
    commercial_use: bool | None
    use_restrictions: bool | None
    user_cap: int | None
    duties: tuple[str, ...]
    derivatives_allowed: bool | None
    clause: tuple[str, str] | None = None   # (url, text) of the clause that makes the terms follow derivatives


@dataclass(frozen=True)
class Reading:
    """One ancestor's licence as read: who, how far up the lineage, the licence, and where it was read."""

    base: str                          # the ancestor's Hub id, or the curated family a card declares
    distance: int | None               # lineage edges from the model (None: a base the card declares)
    license: str                       # as read (a Hub tag value, or a curated fact's licence)
    evidence: tuple[Evidence, ...]     # where it was read (the ancestor's Hub page, or a cited fact)


@dataclass(frozen=True)
class Binding:
    """An ancestor whose terms bind what the model declares."""

    reading: Reading
    terms: Terms
    reasons: tuple[str, ...]    # what the declared licence permits that this ancestor's forbids

    def as_json(self) -> dict[str, Any]:
        return {"base": self.reading.base, "distance": self.reading.distance, "license": self.terms.id,
                "reasons": list(self.reasons)}


@dataclass(frozen=True)
class Inheritance:
    """The ancestors' licences apply to the weights: what was declared, what applies, and why."""

    declared: str | None        # the model's declared licence (catalogue id); None: it declares none
    license: str                # the nearest binding ancestor's licence, which applies (catalogue id)
    base: str                   # that ancestor's Hub id or curated family
    reasons: tuple[str, ...]    # what the declared licence permits that the binding ancestors' forbid
    evidence: tuple[Evidence, ...]
    bindings: tuple[Binding, ...] = ()   # every distinct binding licence, nearest ancestor first

    def as_json(self) -> dict[str, Any]:
        return {"declared": self.declared, "license": self.license, "base": self.base, "reasons": list(self.reasons),
                "bases": [b.as_json() for b in self.bindings]}


@lru_cache(maxsize=4096)
def terms(raw: str | None) -> Terms | None:
    """The catalogue's reading of a declared licence, or None when nothing is declared or its class is unknown."""
    if raw is None or not str(raw).strip():
        return None
    try:
        from openscope.derive.licenses import get_license, match_attributes, normalize_license
    except ImportError:  # pragma: no cover - the licence catalogue is part of the build
        return None
    m = normalize_license(str(raw), kind="tag")
    a = match_attributes(m)
    if a["cls"] == "unknown" or m.license is None:
        return None
    info = get_license(m.id) if m.id else None
    clause = None
    if info is not None:
        c = next((c for c in info.clauses if c.attribute == "restrictions_travel" and c.text), None) or \
            next((c for c in info.clauses if c.attribute == "same_terms" and c.text), None) or \
            next((c for c in info.clauses if c.attribute == "class" and c.text), None)
        clause = (c.url, c.text) if c is not None else None
    return Terms(m.license, info.name if info is not None else m.license, a["cls"], a["commercial_use"],
                 a["use_restrictions"], a["user_cap"], tuple(a["duties"]), a["derivatives_allowed"], clause)


def _naming(duties: tuple[str, ...]) -> list[str]:
    return [d for d in duties if d.startswith(("naming:", "name_prefix:"))]


def can_bind(base: Terms) -> bool:
    """Whether some declared licence could relax ``base``: the base side of at least one rule of
    :func:`conflicts` holds. A licence that cannot bind anything (permissive, copyleft) is never inherited,
    so the set-based path need not carry it."""
    return (base.commercial_use is False or base.use_restrictions is True or base.user_cap is not None
            or bool(_naming(base.duties)) or base.derivatives_allowed is False)


def conflicts(declared: Terms, base: Terms) -> list[str]:
    """What ``declared`` permits that ``base`` forbids: the flow-down conflict rules of the licence catalogue
    (``licenses.flowdown._RULES``), in Python. A rule with an unknown side does not fire."""
    out: list[str] = []
    if declared.commercial_use is True and base.commercial_use is False:
        out.append(f"permits commercial use; base licence {base.id} is non-commercial")
    if declared.use_restrictions is False and base.use_restrictions is True:
        out.append(f"drops the use restrictions of {base.id} (the uses that licence forbids)")
    if base.user_cap is not None and (declared.user_cap is None or declared.user_cap > base.user_cap):
        out.append(f"lifts the {base.user_cap:,} monthly-active-user cap of {base.id}")
    dropped = [d for d in _naming(base.duties) if d not in declared.duties]
    if dropped:
        shown = ", ".join(f'display "{d[7:]}"' if d.startswith("naming:") else f'model name starting with "{d[12:]}"'
                          for d in dropped)
        out.append(f"drops the naming duty ({shown}) of {base.id}")
    if base.derivatives_allowed is False:
        out.append(f"base licence {base.id} forbids distributing derivatives")
    return out


def inherited(declared: str | None, base_license: str | None) -> tuple[Terms, Terms, list[str]] | None:
    """(declared terms, base terms, reasons) when the base's terms bind what ``declared`` would relax."""
    d, b = terms(declared), terms(base_license)
    if d is None or b is None:
        return None
    reasons = conflicts(d, b)
    return (d, b, reasons) if reasons else None




def bindings(declared: str | None, readings: list[Reading]) -> list[Binding]:
    """The readings whose terms bind ``declared``, in the given order (nearest first), one per distinct
    licence (its first, nearest, reading): ten finetunes of Llama 3 up a chain are one licence, not ten."""
    d = terms(declared)
    if d is None:
        return []
    out: list[Binding] = []
    seen: set[str] = set()
    for r in readings:
        b = terms(r.license)
        if b is None or b.id is None or b.id in seen:
            continue
        reasons = conflicts(d, b)
        if reasons:
            seen.add(b.id)
            out.append(Binding(r, b, tuple(reasons)))
    return out


def _undeclared(facts: dict[str, ComponentFact], declared_evidence: Evidence, readings: list[Reading],
                read_at: str) -> Inheritance | None:
    """Weights released with no licence of their own, built on an ancestor whose known terms follow derivatives
    (:func:`can_bind`: non-commercial, use restrictions, a user cap, a naming duty, no derivatives): those terms
    apply to them, so they are graded ``restrictive_license`` under the nearest such ancestor's licence, not
    ``no_license``. Why: a quantization of Gemma or a finetune of Llama 3 that states no licence of its own is
    still bound by Gemma's or Llama's terms (the licence step says so: ``openscope license``); "no licence found"
    read as if nothing restricted them. A licence that binds nothing (permissive, copyleft) is not inherited: the
    weights' own terms stay unknown. Not a contradiction either (nothing was declared): no flag."""
    found: list[Binding] = []
    seen: set[str] = set()
    for r in readings:
        b = terms(r.license)
        if b is None or b.id is None or b.id in seen or not can_bind(b):
            continue
        seen.add(b.id)
        found.append(Binding(r, b, (f"states no licence of its own; the terms of {b.id} follow derivatives",)))
    if not found:
        return None
    # first, where the model's own licence would be stated (its Hub page, its card): that it states none
    own = Evidence(declared_evidence.kind, declared_evidence.locator,
                   "no licence stated for the weights: a derivative is bound by the terms of "
                   + ", ".join(str(b.terms.id) for b in found), declared_evidence.read_at)
    return _grade(facts, None, own, found, read_at, lambda f: f.status == "no_license" and not f.license_unknown_unread)


def _grade(facts: dict[str, ComponentFact], declared: str | None, own: Evidence, found: list[Binding], read_at: str,
           governed: Callable[[ComponentFact], bool]) -> Inheritance:
    """The parameters components ``governed`` selects become ``restrictive_license`` under the nearest binding
    licence. Their evidence, in order: ``own`` (the model's own licence line), each binding ancestor's licence
    where it was read, then the clause of each binding licence that makes its terms follow derivatives."""
    first = found[0]
    ev = [own]
    for b in found:
        shown = list(b.reading.evidence[:2])
        ev += [Evidence(e.kind, e.locator, f"{e.snippet} {_where(b.reading, str(b.terms.id))}"
                        if i == len(shown) - 1 else e.snippet, e.read_at) for i, e in enumerate(shown)]
    for b in found:
        if b.terms.clause is not None:
            ev.append(Evidence("curated", b.terms.clause[0], f"{b.terms.name}: {b.terms.clause[1]}", read_at))
    reasons = tuple(dict.fromkeys(r for b in found for r in b.reasons))
    out = Inheritance(declared, str(first.terms.id), first.reading.base, reasons, tuple(ev), tuple(found))
    for name in GOVERNED:
        fact = facts[name]
        if governed(fact):
            fact.status, fact.license = "restrictive_license", first.terms.id
            fact.evidence = list(out.evidence) + fact.evidence
            fact.inherited = out.as_json()
            fact.inherited_evidence = len(out.evidence)
    return out


def _where(r: Reading, lic: str) -> str:
    up = "" if r.distance is None else f", {r.distance} lineage step{'s' if r.distance != 1 else ''} up"
    return f"(base {r.base}{up}: its licence {lic} applies to derivatives)"


def apply(facts: dict[str, ComponentFact], declared_evidence: Evidence, readings: list[Reading],
          read_at: str) -> Inheritance | None:
    """Grade the parameters by the ancestors' terms where they bind the licence the model declares for them.

    ``facts`` are the end model's; ``readings`` its ancestors' licences, nearest first. A parameters component
    released under an open licence that a binding ancestor's terms forbid becomes ``restrictive_license``
    under the nearest binding ancestor's licence; its evidence names the declared licence and what it relaxes
    (per binding ancestor), then each binding ancestor's licence where it was read, then the clause of each
    binding licence that makes its terms follow derivatives. Returns what was inherited, or None."""
    weights = facts["Model parameters (Final)"]
    if weights.status == "no_license" and not weights.license_unknown_unread:
        return _undeclared(facts, declared_evidence, readings, read_at)
    if weights.status != "open_license":
        return None
    found = bindings(weights.license, readings)
    if not found:
        return None
    declared = terms(weights.license)
    assert declared is not None and declared.id is not None
    why = "; ".join("; ".join(b.reasons) + (f" (terms of {b.reading.base})" if len(found) > 1 else "") for b in found)
    own = Evidence(declared_evidence.kind, declared_evidence.locator,
                   f"{declared_evidence.snippet} (declared, but a derivative cannot relax its base's terms: "
                   f"this licence {why})", declared_evidence.read_at)
    return _grade(facts, declared.id, own, found, read_at, lambda f: f.status == "open_license")
