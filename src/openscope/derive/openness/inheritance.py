"""A derivative cannot relicense its base: the terms that flow down to its weights are the ones that apply.

Why: a finetune of Llama 3 that declares ``apache-2.0`` is still bound by the Llama 3 Community License
("If you distribute or make available the Llama Materials (or any derivative works thereof) ... provide a
copy of this Agreement"), and a finetune of a CC BY-NC model is still non-commercial. Grading its weights
``open_license`` because of the declaration alone overstated the openness of every such model; the
``license-contradicts-base`` flag said so, but the MOF class, the OSAID verdict and the OSAI grades did not.

The rule is the licence catalogue's flow-down rule (:mod:`openscope.derive.licenses.flowdown`), applied to
the model's declared licence and its base's: the base's terms apply to the weights when the declared
licence *permits something the base's forbids* (commercial use under a non-commercial base, no use
restrictions under a use-restricted one, no or a higher user cap, a naming duty dropped, any derivative
under a no-derivatives base). A base under a permissive licence changes nothing; a base whose licence is
unknown (none, ``other``, unrecognised, an external base with no cited fact) changes nothing either: unknown
is never a restriction. Both licences are read as the catalogue reads a Hub ``license:`` tag.

What the inherited terms govern: the model's parameters (final and intermediate), which are derivative
works of the base's weights. Code, documentation and data the publisher wrote keep the licence declared for
them. The base is the lineage root (its Hub ``license:`` tag when the store has it, else its cited curated
facts), or, for a card read alone, the base the card declares (its curated family's cited facts).
"""

from __future__ import annotations

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
class Inheritance:
    """The base's licence applies to the weights: what was declared, what applies, and why."""

    declared: str               # the model's declared licence (catalogue id)
    license: str                # the base's licence, which applies (catalogue id)
    base: str                   # the base's Hub id or curated family
    reasons: tuple[str, ...]    # what the declared licence permits that the base's forbids
    evidence: tuple[Evidence, ...]

    def as_json(self) -> dict[str, Any]:
        return {"declared": self.declared, "license": self.license, "base": self.base, "reasons": list(self.reasons)}


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
        c = next((c for c in info.clauses if c.attribute == "same_terms" and c.text), None) or \
            next((c for c in info.clauses if c.attribute == "class" and c.text), None)
        clause = (c.url, c.text) if c is not None else None
    return Terms(m.license, info.name if info is not None else m.license, a["cls"], a["commercial_use"],
                 a["use_restrictions"], a["user_cap"], tuple(a["duties"]), a["derivatives_allowed"], clause)


def _naming(duties: tuple[str, ...]) -> list[str]:
    return [d for d in duties if d.startswith(("naming:", "name_prefix:"))]


def conflicts(declared: Terms, base: Terms) -> list[str]:
    """What ``declared`` permits that ``base`` forbids: the flow-down conflict rules of the licence catalogue
    (``licenses.flowdown._RULES``), in Python. A rule with an unknown side does not fire."""
    out: list[str] = []
    if declared.commercial_use is True and base.commercial_use is False:
        out.append(f"permits commercial use; base licence {base.id} is non-commercial")
    if declared.use_restrictions is False and base.use_restrictions is True:
        out.append(f"drops the use restrictions (acceptable-use policy) of {base.id}")
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


def apply(facts: dict[str, ComponentFact], declared_evidence: Evidence, base_name: str, base_license: str | None,
          base_evidence: list[Evidence], read_at: str) -> Inheritance | None:
    """Grade the parameters by the base's terms when they bind the licence the model declares for them.

    ``facts`` are the end model's; a parameters component released under an open licence whose terms the base
    forbids becomes ``restrictive_license`` under the base's licence, its evidence naming the declared licence
    and the inherited one, each where it was read, and the clause that makes the base's terms follow
    derivatives. Returns what was inherited, or None (nothing changed)."""
    weights = facts["Model parameters (Final)"]
    if weights.status != "open_license":
        return None
    hit = inherited(weights.license, base_license)
    if hit is None:
        return None
    d, b, reasons = hit
    assert d.id is not None and b.id is not None
    declared_ev = Evidence(declared_evidence.kind, declared_evidence.locator,
                           f"{declared_evidence.snippet} (declared, but a derivative cannot relax its base's "
                           f"terms: this licence {'; '.join(reasons)})",
                           declared_evidence.read_at)
    ev = [Evidence(e.kind, e.locator, f"{e.snippet} (base {base_name}: its licence {b.id} applies to "
                   f"derivatives)" if i == len(base_evidence[:2]) - 1 else e.snippet, e.read_at)
          for i, e in enumerate(base_evidence[:2])]
    # the declared licence, then where the base's was read, then the clause that makes it bind (a table that
    # shows the first item and the first cited one shows the declared licence and the base's terms)
    ev.insert(0, declared_ev)
    if b.clause is not None:
        ev.append(Evidence("curated", b.clause[0], f"{b.name}: {b.clause[1]}", read_at))
    out = Inheritance(d.id, b.id, base_name, tuple(reasons), tuple(ev))
    for name in GOVERNED:
        fact = facts[name]
        if fact.status == "open_license":
            fact.status, fact.license = "restrictive_license", b.id
            fact.evidence = list(out.evidence) + fact.evidence
            fact.inherited = out.as_json()
    return out
