"""OSAID 1.0 verdict: pass, fail or insufficient, with the requirements that are not shown to be met.

The Open Source AI Definition 1.0 (https://opensource.org/ai/open-source-ai-definition) requires the
*preferred form to make modifications*: data information, the complete code used for training and
running (including data processing), and the parameters, each made available under OSI-approved or
OSD-conformant terms. openscope checks it as a fixed vocabulary of requirements over the MOF component
facts:

=====================  ======================================================================
requirement            met when
=====================  ======================================================================
data-information       the training datasets are released, or a data card / datasheet is
training-code          the training code is released
data-processing-code   the data pre-processing code is released
inference-code         code to run the model is released
parameters             the final parameters are released
code-license           every released code component is under an open (OSI/FSF) licence
parameters-license     the parameters are under OSD-conformant terms (OSI, or an open data licence)
=====================  ======================================================================

Each requirement is *met*, *unmet* (evidence shows it is not: documented but not released, or a
restrictive licence, or parameters released with no licence at all) or *unknown* (nothing found either way).
The verdict is ``pass`` when all are met, ``fail`` when any is unmet, else ``insufficient``; ``missing``
lists every requirement not met.

Parameters released with no licence found, whose repository lists a licence file the store did not read
(``LICENSE``, ``LICENSE-MODEL``), have a licence nobody here has read: ``parameters-license`` is *unknown*
(``insufficient``, not ``fail``), and ``notes`` says why (:data:`~..components.UNREAD_NOTE`). A licence file
for the code alone (``LICENSE-CODE``) leaves the parameters as they were.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openscope.derive.openness.components import UNREAD_NOTE, ComponentFact

REQUIREMENTS: dict[str, str] = {
    "data-information": "publish the training datasets, or a datasheet detailed enough to rebuild them",
    "training-code": "publish the complete training code",
    "data-processing-code": "publish the data pre-processing (cleaning, filtering, tokenisation) code",
    "inference-code": "publish code to run the model",
    "parameters": "publish the final model parameters",
    "code-license": "license all released code under an OSI-approved licence",
    "parameters-license": "license the parameters under OSD-conformant terms (e.g. Apache-2.0, MIT)",
}
LICENSE_REQUIREMENTS = ("code-license", "parameters-license")
CODE = ("Training code", "Inference code", "Data preprocessing code")


@dataclass
class OsaidResult:
    verdict: str
    missing: list[str]
    requirements: dict[str, str] = field(default_factory=dict)   # requirement -> met | unmet | unknown
    next_steps: list[str] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)   # requirement -> why it is unknown (licence file unread)

    def as_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"verdict": self.verdict, "missing": self.missing}
        if self.notes:
            doc["notes"] = self.notes
        return doc


def _released(f: ComponentFact) -> str:
    if f.released:
        return "met"
    return "unmet" if f.status == "documented_not_released" else "unknown"


def evaluate(facts: dict[str, ComponentFact]) -> OsaidResult:
    req: dict[str, str] = {}
    data = [facts["Datasets"], facts["Data card"]]
    if any(f.released for f in data):
        req["data-information"] = "met"
    elif any(f.status == "documented_not_released" for f in data):
        req["data-information"] = "unmet"
    else:
        req["data-information"] = "unknown"
    req["training-code"] = _released(facts["Training code"])
    req["data-processing-code"] = _released(facts["Data preprocessing code"])
    req["inference-code"] = _released(facts["Inference code"])
    req["parameters"] = _released(facts["Model parameters (Final)"])
    code = [facts[n] for n in CODE if facts[n].released]
    if any(f.status == "restrictive_license" for f in code):
        req["code-license"] = "unmet"
    elif code and all(f.status == "open_license" for f in code) and len(code) == len(CODE):
        req["code-license"] = "met"
    else:
        req["code-license"] = "unknown"
    p = facts["Model parameters (Final)"]
    notes: dict[str, str] = {}
    if p.license_unknown_unread:
        # a licence exists (its file is listed) and was not read: unknown, not "released without a licence"
        req["parameters-license"] = "unknown"
        notes["parameters-license"] = UNREAD_NOTE
    else:
        req["parameters-license"] = {"open_license": "met", "restrictive_license": "unmet",
                                     "no_license": "unmet"}.get(p.status, "unknown")
    missing = [r for r in REQUIREMENTS if req[r] != "met"]
    verdict = "pass" if not missing else ("fail" if any(req[r] == "unmet" for r in missing) else "insufficient")
    steps = [f"OSAID {r}: {REQUIREMENTS[r]}" + _why(r, facts) for r in missing]
    return OsaidResult(verdict, missing, req, steps, notes)


_WORDS = {"restrictive_license": "under a licence that is not open", "no_license": "released, licence unknown",
          "documented_not_released": "described but not released", "not_found": "not found"}


def _modified(fact: ComponentFact) -> bool:
    """Under a permissive licence its publisher edited (``modified-mit``, ``modified-apache-2.0``)."""
    return (fact.license or "").lower().startswith("modified-")


def _words(fact: ComponentFact) -> str:
    if fact.inherited and fact.status == "restrictive_license":
        # the base's terms, not the publisher's declaration: "license the parameters under Apache-2.0" alone sent
        # a publisher who had already declared it round in a circle
        return (f"under {fact.license}, the licence of its base {fact.inherited.get('base')}, whose terms bind "
                "derivatives: declaring another licence does not lift them; build it on a base whose licence is open")
    if fact.status == "restrictive_license" and _modified(fact):
        return f"under {fact.license}"
    if fact.license_unknown_unread:
        return f"released, licence file present, not identified ({', '.join(fact.license_unread[:3])}): licence unknown"
    return _WORDS[fact.status]


def _why(requirement: str, facts: dict[str, ComponentFact]) -> str:
    """What stands in the way of a licence requirement, in words: which components, and why.

    For ``code-license`` only the released code counts: code not released yet is the step of its own requirement
    (``training-code``, ``data-processing-code``, ``inference-code``), and naming it here too made one missing
    script read as two actions; such code is named once, as what the licence will also have to cover."""
    if requirement == "parameters-license":
        names: tuple[str, ...] = ("Model parameters (Final)",)
    elif requirement == "code-license":
        names = tuple(n for n in CODE if facts[n].released)
    else:
        names = ()
    parts = [f"{n}: {_words(facts[n])}" for n in names if facts[n].status != "open_license"]
    edited = dict.fromkeys(str(facts[n].license) for n in names if facts[n].status == "restrictive_license"
                           and _modified(facts[n]))
    if edited:   # said once, not once per component under it
        from openscope.derive.openness.evaluations.mof import MODIFIED_WORDS

        parts.append(f"{', '.join(edited)}: {MODIFIED_WORDS}")
    now = f"now {'; '.join(parts)}" if parts else ""
    later = [n for n in CODE if not facts[n].released] if requirement == "code-license" else []
    said = "; ".join(x for x in (now, f"{', '.join(later)}: when released" if later else "") if x)
    return f" ({said})" if said else ""
