"""MOF class and progress, exactly as the Model Openness Tool (MOT) computes them.

Why reproduce the tool rather than the paper: the MOT is what publishers and the MOF's own records use;
a grade that disagrees with it on the same record would be noise. The rule (learned from the MOT's
``ModelEvaluator`` and checked against its 27 test fixtures) is:

* a component's licence is its own ``license`` when the record lists one (``unlicensed`` = none), else
  the global licence for its content type (code, data, document), else the global ``distribution`` one;
* a listed component is *included* when that licence is open: OSI-approved, FSF-libre, or one of the
  MOF's open data/document licences; otherwise it is invalid (or unlicensed);
* classes are cumulative from III down to I (III needs its 6 required components; II adds 4; I adds 4);
  the progress of class *c* is 0 unless every class above it is met, else included / required;
* a research paper stands in for a missing technical report in classes III and II, and class I then
  needs one component fewer; the tool's quirk of treating a technical report listed *first* as absent
  (PHP's ``array_search`` returning 0) is reproduced, since its expected results depend on it;
* the class is the lowest (most open) class whose progress is 100.

Progress values are unrounded floats in percent, as the tool reports them.

A component released with a licence file nobody read (a stored model's file list names ``LICENSE``; the
store keeps no file contents) is listed with :data:`UNREAD_LICENSE`: the tool counts a component only under a
licence shown to be open, so it is not included (as ``unlicensed``: the class is what the evidence shows), but
it is kept apart in :attr:`MofResult.unread` and its next step asks to read that file, not to add a licence.

A component released as repositories of its own (:class:`Hosted`: the training datasets a card declares by Hub id)
has their licence, stated in their own cards: its next step asks for a licence there (or an open dataset in their
place), since no edit of the model's repository, shipping files in it included, changes it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

TECH_REPORT = 11
# what a step says of a permissive licence text its publisher changed (``modified-mit``, ``modified-apache-2.0``)
MODIFIED_WORDS = "an edited licence text, not the OSI-approved licence: ship its text unmodified"
UNREAD_LICENSE = "unread-license-file"   # listed licence: a licence file is present, its text not read
RESEARCH_PAPER = 21
CLASS_LABELS = {
    0: "Unclassified",
    1: "Class I - Open Science Model",
    2: "Class II - Open Tooling Model",
    3: "Class III - Open Model",
}


@dataclass(frozen=True)
class Component:
    id: int
    name: str
    description: str
    content_type: str
    cls: int
    weight: int
    required: bool


@dataclass(frozen=True)
class Hosted:
    """A component released as repositories of its own, not as files of the model's: the training datasets a card
    declares by Hub id (``datasets:``). Its licence is theirs (their cards' ``license:``); ``looked_up`` says
    whether their records were read (False: no store told their licence, so it is unknown, not absent)."""
    repos: tuple[str, ...]
    looked_up: bool


@dataclass
class MofResult:
    cls: int
    label: str
    progress: dict[str, float]
    included: list[str] = field(default_factory=list)
    invalid: dict[str, str] = field(default_factory=dict)
    unlicensed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)   # released; their licence file was not read (unknown)
    hosted: dict[str, Hosted] = field(default_factory=dict)   # released as repositories of their own
    # what a read but unreleased component lacks, as its step ("Model card": the README read is too short)
    hints: dict[str, str] = field(default_factory=dict)
    # a component graded under a licence its base's terms make it carry (component name -> that base): declaring
    # another licence cannot change it, so its step says what can
    inherited: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"class": self.cls, "label": self.label, "progress": self.progress}


@cache
def framework() -> dict[str, Any]:
    """The MOF component list and licence facts shipped in ``openscope/data/openness`` (MIT, MOT)."""
    text = resources.files("openscope.data.openness").joinpath("mof_framework.json").read_text("utf-8")
    return json.loads(text)


@cache
def components() -> tuple[Component, ...]:
    """The 17 components in the order of the MOT's settings file (the order its evaluator iterates)."""
    return tuple(
        Component(c["id"], c["name"], c["description"], c["content_type"], c["class"], c["weight"], c["required"])
        for c in framework()["components"]
    )


@cache
def component_names() -> tuple[str, ...]:
    return tuple(c.name for c in components())


def by_name(name: str) -> Component | None:
    for c in components():
        if c.name == name:
            return c
    return None


@cache
def _license_index() -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    lic = framework()["licenses"]
    return lic, {k.lower(): k for k in lic}


def canonical_license(license_id: str | None) -> str | None:
    """The SPDX spelling of a licence id the MOF knows (case-insensitive), else the id unchanged."""
    if not license_id:
        return None
    lic, lower = _license_index()
    return lower.get(license_id.strip().lower(), license_id.strip())


# Open data licences (the MOT's ``isOpenData``): the Creative Commons BY and BY-SA licences in every
# version and port, ODC-By, ODbL, PDDL and the CDLA family. The MOT's list itself was not available to
# us; this set is the one its 27 fixtures require (every BY/BY-SA port they use counts as open, every
# NC/ND one as not) and agrees with the Open Definition's conformant licences.
_OPEN_DATA = re.compile(r"^(CC-BY(-SA)?-\d|ODC-By-|ODbL-|PDDL-|CDLA-)", re.IGNORECASE)


def is_open_license(license_id: str | None) -> bool:
    """MOT's test: OSI-approved, FSF-libre, or an open data/document licence."""
    if not license_id:
        return False
    lic, lower = _license_index()
    key = lower.get(license_id.strip().lower())
    if key is None:
        return False
    info = lic[key]
    return bool(
        info["osi"]
        or info["fsf"]
        or (info["mof_list"] and set(info["content_type"]) & {"data", "document"})
        or _OPEN_DATA.match(key)
    )


def _required(cls: int) -> list[int]:
    return [c.id for c in components() if c.cls == cls and c.required]


def _optional(cls: int) -> list[int]:
    return [c.id for c in components() if c.cls == cls and not c.required]


def _resolve(comp: Component, own: dict[int, str | None], global_licenses: dict[str, Any]) -> str | None:
    if own.get(comp.id) is not None:  # its own licence ("" = explicitly unlicensed)
        return own[comp.id] or None
    for key in (comp.content_type, "distribution"):
        entry = global_licenses.get(key) if isinstance(global_licenses, dict) else None
        name = entry.get("name") if isinstance(entry, dict) else None
        if name:
            return str(name)
    return None


def _php_search(needle: int, haystack: list[int]) -> int | None:
    try:
        return haystack.index(needle)
    except ValueError:
        return None


def _evaluate(listed: dict[int, str | None], global_licenses: dict[str, Any]) -> dict[int, dict[str, list[int]]]:
    comps = {c.id: c for c in components()}
    evaluation: dict[int, dict[str, list[int]]] = {}
    required: list[int] = []
    optional: list[int] = []
    for cls in (3, 2, 1):
        ev: dict[str, list[int]] = {"missing": [], "included": [], "invalid": [], "unlicensed": [], "optional": []}
        required = required + _required(cls)
        optional = optional + _optional(cls)
        for bucket_ok, ids in (("included", required), ("optional", optional)):
            for cid in ids:
                if cid not in listed:
                    if bucket_ok == "included":
                        ev["missing"].append(cid)
                    continue
                lic = _resolve(comps[cid], listed, global_licenses) or "unlicensed"
                if is_open_license(lic):
                    ev[bucket_ok].append(cid)
                elif lic == "unlicensed":
                    ev["unlicensed"].append(cid)
                else:
                    ev["invalid"].append(cid)
        evaluation[cls] = ev
    # A research paper may stand in for the technical report (the MOT's rule, quirks included).
    if not _php_search(TECH_REPORT, evaluation[3]["included"]):
        status = None
        for bucket in ("included", "invalid", "unlicensed"):
            if RESEARCH_PAPER in evaluation[1][bucket]:
                status = bucket
                break
        if status is not None:
            for cls in (3, 2, 1):
                if TECH_REPORT in evaluation[cls]["missing"]:
                    evaluation[cls]["missing"].remove(TECH_REPORT)
            evaluation[3][status].append(RESEARCH_PAPER)
            evaluation[2][status].append(RESEARCH_PAPER)
    return evaluation


def _progress(evaluation: dict[int, dict[str, list[int]]], cls: int) -> float:
    total = 0
    included = 0
    i = 3
    while i >= cls:
        total += len(_required(i))
        included = len(evaluation[i]["included"])
        if included < total:
            break
        i -= 1
    if i > cls:
        return 0.0
    inc1 = evaluation[1]["included"]
    if cls == 1 and not _php_search(TECH_REPORT, inc1) and _php_search(RESEARCH_PAPER, inc1):
        total -= 1
    return min(included / total * 100, 100.0)


def evaluate_components(
    listed: dict[str, str | None], global_licenses: dict[str, Any] | None = None, *,
    hosted: Mapping[str, Hosted] | None = None, hints: Mapping[str, str] | None = None, record: bool = False,
    inherited: Mapping[str, str] | None = None,
) -> MofResult:
    """Evaluate components given by MOF name → licence id.

    ``""`` or ``"unlicensed"`` = released without a licence; :data:`UNREAD_LICENSE` = released, its licence
    file not read (evaluated as unlicensed: not shown open); ``None`` = released, licence taken from the
    record's global licences. Components absent from ``listed`` are not released (missing). Unknown names
    are ignored, as the MOT ignores them. ``hosted`` names the components released as repositories of their own
    (:class:`Hosted`): the class is the same, their next steps ask for the licence where it is stated. ``hints``
    gives the step for a component that was read but is not released (a README too short to be a model card:
    what it lacks), in place of "release X"; a component that is released or absent from it keeps its step.
    ``record``: the components come from a MOF record (:func:`evaluate_record`), so a step asks for a licence in
    the record, not in a repository it does not have. ``inherited`` names the components graded under the licence
    of a base whose terms bind derivatives (name -> that base): their step says that relicensing cannot lift it.
    """
    ids: dict[int, str | None] = {}
    for name, lic in listed.items():
        comp = by_name(name)
        if comp is not None:
            ids[comp.id] = None if lic is None else \
                ("" if lic in ("", "unlicensed", UNREAD_LICENSE) else canonical_license(lic))
    gl = global_licenses or {}
    evaluation = _evaluate(ids, gl)
    progress = {str(c): _progress(evaluation, c) for c in (1, 2, 3)}
    cls = 0
    for c in (3, 2, 1):
        if progress[str(c)] == 100.0:
            cls = c
    comps = {c.id: c for c in components()}
    ev1 = evaluation[1]
    res = MofResult(
        cls=cls,
        label=CLASS_LABELS[cls],
        progress=progress,
        included=[comps[i].name for i in dict.fromkeys(ev1["included"] + ev1["optional"])],
        invalid={comps[i].name: _resolve(comps[i], ids, gl) or "" for i in dict.fromkeys(ev1["invalid"])},
        unlicensed=[comps[i].name for i in dict.fromkeys(ev1["unlicensed"])],
        missing=[comps[i].name for i in ev1["missing"]],
    )
    res.unread = [n for n in res.unlicensed if listed.get(n) == UNREAD_LICENSE]
    res.hosted = {n: h for n, h in (hosted or {}).items() if n in listed and h.repos}
    res.hints = {n: h for n, h in (hints or {}).items() if n not in listed and h}
    res.inherited = {n: b for n, b in (inherited or {}).items() if n in res.invalid and b}
    res.next_steps = next_steps(res, record=record)
    return res


def next_steps(res: MofResult, *, record: bool = False) -> list[str]:
    """Concrete steps to reach the next MOF class: each required component of that class (and the
    classes above it) that is not yet released under an open licence. For a MOF record (``record``), a component
    listed without a licence is given one in the record: the record has no repository whose licence would cover a
    file shipped in it."""
    target = 3 if res.cls == 0 else res.cls - 1
    if target < 1:
        return []
    needed = [c for c in components() if c.required and c.cls >= target]
    steps = []
    for c in needed:
        if c.name in res.included:
            continue
        if c.id == TECH_REPORT and "Research paper" in res.included:
            continue
        if c.name in res.hosted and (c.name in res.invalid or c.name in res.unlicensed):
            steps.append(_hosted_step(res.hosted[c.name], res.invalid.get(c.name)))
        elif c.name in res.inherited:
            # a derivative's weights under its base's licence: a publisher who declares an open licence (or ships
            # an open LICENSE) changes nothing, since the base's terms follow derivatives (docs/openness.md, "A
            # derivative cannot relicense what it was built from"); only another base can
            steps.append(f"release {c.name} under an open licence (now {res.invalid[c.name]}, the licence of its "
                         f"base {res.inherited[c.name]}, whose terms bind derivatives: declaring another licence does "
                         "not lift them; build it on a base whose licence is open)")
        elif c.name in res.invalid and res.invalid[c.name].lower().startswith("modified-"):
            # an edited permissive text (a licence file that adds or changes terms): the fix is its unmodified text
            steps.append(f"release {c.name} under an open licence (now {res.invalid[c.name]}: {MODIFIED_WORDS})")
        elif c.name in res.invalid:
            steps.append(f"release {c.name} under an open licence (now {res.invalid[c.name]})")
        elif c.name in res.unread:
            steps.append(f"state the licence of {c.name} in the `license:` metadata (licence file present, not "
                         "identified: licence unknown; for a stored model, `openscope assess` on a clone of the "
                         "repository reads it); it counts under an "
                         f"open {c.content_type} licence")
        elif c.name in res.unlicensed and record:
            steps.append(f"state an open {c.content_type} licence for {c.name} in the record (`license:` on its "
                         "entry in release.components; it is listed, but no licence is stated for it)")
        elif c.name in res.unlicensed:
            # released, but no licence could be read for it: the fix is to state one, not to release it again
            steps.append(f"state an open {c.content_type} licence for {c.name} (it is released, but no licence "
                         "is stated for it; shipping it in the repository puts it under the repository's licence)")
        elif c.name in res.hints:
            steps.append(res.hints[c.name])
        else:
            steps.append(f"release {c.name} ({c.description.lower()}) under an open {c.content_type} licence")
    return [f"to reach {CLASS_LABELS[target]}: {s}" for s in steps]


def _hosted_step(h: Hosted, now: str | None) -> str:
    """The step for a component released as repositories of its own (declared Hub datasets) whose licence is not
    shown open: the licence is stated in *their* cards, so that is where to state it, or declare an open dataset
    instead. Without a look-up (``looked_up`` False) their licence is unknown here, and the step says so."""
    one = len(h.repos) == 1
    names = ", ".join(h.repos[:3]) + (f" and {len(h.repos) - 3} more" if len(h.repos) > 3 else "")
    what = f"the declared dataset{'' if one else 's'} {names}"
    own = "its own card" if one else "their own cards"
    if not h.looked_up:
        return (f"make sure {what} state{'s' if one else ''} an open data licence (`license:` in {own}): "
                f"{'its licence was' if one else 'their licences were'} not looked up here (unknown)")
    return (f"give {what} an open data licence (`license:` in {own}, not in this repository{'' if now is None else f'; now {now}'})"
            f", or declare a released dataset whose licence is open")


def evaluate_record(record: dict[str, Any]) -> MofResult:
    """Evaluate a MOF record (the MOT's YAML: ``release.license`` globals + ``release.components``)."""
    release = record.get("release") if isinstance(record, dict) else None
    if not isinstance(release, dict):
        raise ValueError("not a MOF record: no `release` mapping")
    comps = release.get("components") or []
    if not isinstance(comps, list):
        raise ValueError("not a MOF record: `release.components` is not a list")
    listed: dict[str, str | None] = {}
    for c in comps:
        if isinstance(c, dict) and isinstance(c.get("name"), str):
            lic = c.get("license")
            if lic is not None and not isinstance(lic, str | int | float):  # a list or mapping names no licence
                raise ValueError(f"not a MOF record: the licence of component {c['name'][:80]!r} is not a name")
            listed[c["name"]] = None if lic is None else str(lic)
    gl = release["license"] if isinstance(release.get("license"), dict) else {}
    for kind, entry in gl.items():
        name = entry.get("name") if isinstance(entry, dict) else None
        if name is not None and not isinstance(name, str | int | float):
            raise ValueError(f"not a MOF record: release.license.{str(kind)[:40]}.name is not a name")
    return evaluate_components(listed, gl, record=True)
