"""The licence catalogue: every SPDX licence plus the model licences SPDX lacks, each fact with its clause.

Why a catalogue and not a lookup table of classes: every answer the tool gives about a licence (may this
model be used commercially? must a finetune say "Built with Llama"?) has to point at the clause it came
from, and say whether anyone checked that clause against the licence text. So each attribute of a
:class:`LicenseInfo` is backed by a :class:`Clause` (attribute, text, url, verified).

Sources, all shipped in the package (``openscope/data/licenses/``, see its ATTRIBUTION.md):

- ``spdx_licenses.csv``: the SPDX License List (2024-05-21) with OSI-approved and FSF-libre flags, as
  copied by the Model Openness Tool (MIT), plus the MOT's OpenMDW-1.0 entry;
- the ScanCode LicenseDB index bundled in the ``license-expression`` package (read in place, CC-BY-4.0):
  a category per licence (Permissive, Copyleft, ...) that gives the class of SPDX licences, and SPDX ids
  newer than the list above;
- ``spdx_rules.yaml``: what a class implies (commercial use, duties) and per-licence overrides (the CC
  NonCommercial and NoDerivatives families);
- ``hub_ids.csv``: the Hub's licence identifiers and the SPDX licence each names;
- ``model_licenses.yaml``: hand-reviewed model licences (Llama, Gemma, Qwen, RAIL, Mistral, ...).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import Any

from openscope.yamlsafe import safe_load

CLASSES = (
    "permissive",
    "weak_copyleft",
    "copyleft",
    "use_restricted",
    "non_commercial",
    "custom_flow_down",
    "closed",
    "unknown",
)
# How restrictive a class is for someone reusing the work, least first: an OR expression takes the
# least restrictive option, an AND expression the most restrictive part.
CLASS_RANK = {c: i for i, c in enumerate(CLASSES[:-1])}

# The scope of a duty (a duty fact's `scope` in model_licenses.yaml): `all` (the default) binds every copy and every
# derivative; `unmodified_only` binds only a copy passed on whole and unchanged (the Apple sample code licence: "if
# you redistribute the Apple Software in its entirety and without modifications, you must retain this notice"), so a
# derivative that changes the weights does not inherit it (flowdown.MODIFYING says which relations change them).
DUTY_SCOPES = ("all", "unmodified_only")

SCANCODE_URL = "https://scancode-licensedb.aboutcode.org/{key}.html"
SPDX_LIST_SOURCE = "SPDX License List 2024-05-21 as copied in lfai/model_openness_tool @ 8b5d30e (licenses.json)"


@dataclass(frozen=True)
class Clause:
    """One fact about a licence and where it was read."""

    attribute: str
    text: str
    url: str
    verified: bool

    def to_json(self) -> dict[str, Any]:
        return {"attribute": self.attribute, "text": self.text, "url": self.url, "verified": self.verified}


@dataclass(frozen=True)
class LicenseInfo:
    """What a licence allows and demands. ``None`` always means unknown, never "no"."""

    id: str
    name: str
    spdx: str | None
    cls: str
    osi_approved: bool | None
    fsf_libre: bool | None
    commercial_use: bool | None
    use_restrictions: bool | None
    user_cap: int | None
    duties: list[str]
    same_terms: bool | None
    hub_ids: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    clauses: list[Clause] = field(default_factory=list)
    url: str | None = None
    derivatives_allowed: bool | None = True
    curated: bool = False
    deprecated: bool = False
    notes: str | None = None
    # duty → scope, for the duties whose scope is not `all` (:data:`DUTY_SCOPES`)
    duty_scopes: dict[str, str] = field(default_factory=dict)
    # False when the licence's text could not be read, so its duties are not known even though its class is: the
    # empty (or partial) list must not read as "no (other) duties" (`duties_known: false` in model_licenses.yaml)
    duties_complete: bool = True
    # True when the use restrictions bind every derivative whatever licence it goes out under (the RAIL texts' 4.a,
    # beside 4.e letting it carry "additional or different license terms"); None where no text says so. Why apart from
    # `same_terms`: those texts let a derivative take other terms, so `same_terms` (keep this licence) is false there
    restrictions_travel: bool | None = None

    @property
    def known(self) -> bool:
        """A licence we can compare with another: its class is known."""
        return self.cls != "unknown"

    @property
    def naming_duties(self) -> list[str]:
        return [d for d in self.duties if d.startswith(("naming:", "name_prefix:"))]

    def to_json(self) -> dict[str, Any]:
        """The contract's `license` JSON for a licence id (more keys may be added)."""
        return {
            "license": self.id,
            "name": self.name,
            "spdx": self.spdx,
            "class": self.cls,
            "osi_approved": self.osi_approved,
            "fsf_libre": self.fsf_libre,
            "commercial_use": self.commercial_use,
            "use_restrictions": self.use_restrictions,
            "user_cap": self.user_cap,
            "duties": list(self.duties),
            "duties_known": duties_known(self.cls, self.duties) and self.duties_complete,
            "duty_scopes": dict(self.duty_scopes),
            "same_terms": self.same_terms,
            "restrictions_travel": self.restrictions_travel,
            "derivatives_allowed": self.derivatives_allowed,
            "hub_ids": list(self.hub_ids),
            "aliases": list(self.aliases),
            "url": self.url,
            "notes": self.notes,
            "clauses": [c.to_json() for c in self.clauses],
            "share_alike": _share_alike_json(self.id),
        }


def _share_alike_json(license_id: str) -> dict[str, Any] | None:
    """The licence's share-alike entry (which licences its derivatives may carry, from its text: ``sharealike``), or
    None where there is none."""
    from openscope.derive.licenses import sharealike  # late: sharealike imports this module

    entry = sharealike.get(license_id)
    return entry.to_json() if entry is not None else None


def duties_known(cls: str | None, duties: list[str] | tuple[str, ...] | None, license: str | None = None) -> bool:
    """Whether a ``duties`` list can be read as complete. A licence that is not known (no licence, ``other``,
    class ``unknown``) has unknown duties, and its empty list must not read as "no duties": the contract keeps
    ``duties`` a list, so this flag says which of the two an empty list means. With ``license`` (a catalogue id or
    expression), a catalogued licence whose text could not be read (``duties_complete`` false: its class is known,
    its duties are not) is not known either."""
    if license:
        info = get_license(license)
        if info is not None and not info.duties_complete:
            return False
    return bool(duties) or cls not in (None, "unknown")


def loose_key(text: str) -> str:
    """A spelling-insensitive key: case, punctuation and filler words removed.

    "Apache License, Version 2.0", "apache 2.0" and "Apache-2.0" all give "apache 2.0"; the words
    license/licence/agreement/version/the/international/unported carry no identity.
    """
    t = text.lower().replace("licence", "license")
    t = re.sub(r"[\"'`“”‘’()\[\],;:/_]", " ", t)
    t = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", t)  # "non-commercial" = "non commercial"
    t = re.sub(r"(?<=[a-z])-(?=\d)|(?<=\d)-(?=[a-z])", " ", t)  # "apache-2.0" = "apache 2.0"
    t = re.sub(r"\bv(?=\d)", " ", t)  # "v2.0" = "2.0"
    t = re.sub(r"(\d)\.0\b(?!\.)", r"\1.0", t)
    drop = {"license", "agreement", "version", "the", "international", "unported", "generic", "v", "-"}
    words: list[str] = []
    for w in t.split():
        if w not in drop and w not in words:  # "The MIT License (MIT)" = "mit"
            words.append(w)
    return " ".join(words)


def _data(name: str) -> str:
    return resources.files("openscope.data").joinpath("licenses", name).read_text(encoding="utf-8")


def _bool(s: str) -> bool | None:
    return {"true": True, "false": False}.get(s.strip().lower())


def _scancode_index() -> list[dict[str, Any]]:
    """The ScanCode LicenseDB index bundled with license-expression (read in place, not copied)."""
    text = resources.files("license_expression").joinpath("data", "scancode-licensedb-index.json").read_text(
        encoding="utf-8"
    )
    return json.loads(text)


class Catalogue:
    """All licences by id, with the indexes the normaliser needs."""

    def __init__(self, entries: list[LicenseInfo], link_patterns: list[tuple[re.Pattern[str], str]]):
        self.entries: dict[str, LicenseInfo] = {e.id: e for e in entries}
        self.exact: dict[str, str] = {}  # lower-case id / hub id / spdx id → catalogue id
        self.alias: dict[str, str] = {}  # lower-case alias → id
        self.loose: dict[str, str] = {}  # loose key → id (ambiguous keys removed)
        self.link_patterns = link_patterns
        ambiguous: set[str] = set()
        for e in entries:
            for k in [e.id, *(e.hub_ids), *([e.spdx] if e.spdx else [])]:
                self.exact.setdefault(k.lower(), e.id)
        for e in entries:
            for a in e.aliases:
                self.alias.setdefault(a.lower().strip(), e.id)
        # Loose keys, by priority: curated alias/id/name, then SPDX ids, then SPDX/Hub names. Two entries
        # claiming the same key at the same priority make it ambiguous: it then matches nothing.
        best: dict[str, tuple[int, str]] = {}
        for e in entries:
            ranked = [(0 if e.curated else 2, a) for a in e.aliases] + [
                (0 if e.curated else 1, x) for x in [e.id, *e.hub_ids, *([e.spdx] if e.spdx else [])]
            ] + [(0 if e.curated else 3, e.name)]
            for prio, a in ranked:
                k = loose_key(a)
                if not k:
                    continue
                prev = best.get(k)
                if prev is None or prio < prev[0]:
                    best[k] = (prio, e.id)
                    ambiguous.discard(k)
                elif prio == prev[0] and prev[1] != e.id:
                    ambiguous.add(k)
        self.loose = {k: cid for k, (_p, cid) in best.items() if k not in ambiguous}

    def get(self, key: str) -> LicenseInfo | None:
        cid = self.exact.get(key.strip().lower())
        return self.entries.get(cid) if cid else None


def _facts_to(info: dict[str, Any], facts: list[dict[str, Any]], url_default: str | None) -> list[Clause]:
    clauses = []
    for f in facts:
        attr = f["attribute"]
        val = f.get("value")
        if attr == "duty":
            if val not in info["duties"]:
                info["duties"].append(val)
            scope = f.get("scope", "all")
            if scope not in DUTY_SCOPES:
                raise ValueError(f"duty {val!r}: scope {scope!r} is not one of {', '.join(DUTY_SCOPES)}")
            if scope != "all":
                info["duty_scopes"][val] = scope
        elif attr == "class":
            info["cls"] = val
        elif attr in {"osi_approved", "fsf_libre", "commercial_use", "use_restrictions", "user_cap", "same_terms",
                      "derivatives_allowed", "restrictions_travel"}:
            info[attr] = val
        clauses.append(Clause(attr if attr != "duty" else f"duty:{val}", str(f.get("text", "")).strip(),
                              f.get("url") or url_default or "", bool(f.get("verified", False))))
    return clauses


def _spdx_entries(hub_map: dict[str, tuple[str, str, bool]]) -> list[LicenseInfo]:
    rules = safe_load(_data("spdx_rules.yaml"))
    categories: dict[str, str] = rules["categories"]
    class_facts: dict[str, dict[str, Any]] = rules["class_facts"]
    overrides = [(re.compile(o["match"]), o) for o in rules["overrides"]]

    rows: dict[str, dict[str, Any]] = {}
    for r in csv.DictReader(io.StringIO(_data("spdx_licenses.csv"))):
        rows[r["spdx"]] = {
            "spdx": r["spdx"], "name": r["name"], "osi": _bool(r["osi_approved"]), "fsf": _bool(r["fsf_libre"]),
            "deprecated": bool(_bool(r["deprecated"])), "url": r["url"], "source": r["source"],
        }
    # ScanCode: category per SPDX id (its own key and the older ids it also answers to); a primary SPDX id
    # newer than our list copy becomes an entry, the older ids become aliases of the entry they name.
    category: dict[str, tuple[str, str]] = {}
    other_ids: dict[str, list[str]] = {}
    by_lower = {k.lower(): k for k in rows}
    for x in _scancode_index():
        if x.get("is_exception"):
            continue
        primary = x.get("spdx_license_key") or ""
        others = [k for k in (x.get("other_spdx_license_keys") or []) if k and not k.startswith("LicenseRef-")]
        if not primary or primary.startswith("LicenseRef-"):
            continue
        primary = by_lower.get(primary.lower(), primary)  # the SPDX list's spelling wins
        for k in [primary, *others]:
            category.setdefault(by_lower.get(k.lower(), k), (x["category"], x["license_key"]))
        if primary.lower() not in by_lower and not x.get("is_deprecated"):
            by_lower[primary.lower()] = primary
            rows[primary] = {"spdx": primary, "name": primary, "osi": None, "fsf": None, "deprecated": False,
                             "url": f"https://spdx.org/licenses/{primary}.html", "source": "scancode"}
        other_ids.setdefault(primary, []).extend(k for k in others if k.lower() not in by_lower)
    spdx_to_hub = {spdx: hub for hub, (spdx, _n, _v) in hub_map.items()}

    out = []
    for spdx, r in rows.items():
        cid = spdx_to_hub.get(spdx, spdx.lower())
        info: dict[str, Any] = {"cls": "unknown", "commercial_use": None, "use_restrictions": None, "user_cap": None,
                                "same_terms": None, "duties": [], "osi_approved": r["osi"], "fsf_libre": r["fsf"],
                                "derivatives_allowed": True}
        clauses: list[Clause] = []
        src_note = SPDX_LIST_SOURCE if r["source"] != "scancode" else "not in the 2024-05-21 SPDX list copy"
        if r["osi"] is not None:
            clauses.append(Clause("osi_approved", f"isOsiApproved: {str(r['osi']).lower()} ({src_note})", r["url"],
                                  r["source"] != "scancode"))
        if r["fsf"] is not None:
            clauses.append(Clause("fsf_libre", f"isFsfLibre: {str(r['fsf']).lower()} ({src_note})", r["url"], True))
        cat = category.get(spdx)
        if cat:
            cls = categories.get(cat[0], "unknown")
            info["cls"] = cls
            clauses.append(Clause("class", f"ScanCode LicenseDB category: {cat[0]} (class {cls})",
                                  SCANCODE_URL.format(key=cat[1]), True))
            for attr, fact in class_facts.get(cls, {}).items():
                if attr == "duties":
                    for d in fact:
                        info["duties"].append(d["value"])
                        clauses.append(Clause(f"duty:{d['value']}", d["text"], d["url"], bool(d["verified"])))
                else:
                    info[attr] = fact["value"]
                    clauses.append(Clause(attr, fact["text"], fact["url"], bool(fact["verified"])))
        for pattern, o in overrides:
            if not pattern.search(spdx):
                continue
            for attr in ("class", "commercial_use", "use_restrictions", "same_terms", "derivatives_allowed"):
                if attr in o:
                    info["cls" if attr == "class" else attr] = o[attr]
            if "duties" in o:
                info["duties"] = list(o["duties"])
            facts = o.get("facts", [])
            replaced = {f["attribute"] if f["attribute"] != "duty" else f"duty:{f['value']}" for f in facts}
            if "duties" in o:
                replaced |= {c.attribute for c in clauses if c.attribute.startswith("duty:")}
            clauses = [c for c in clauses if c.attribute not in replaced]
            for f in facts:
                if f["attribute"] == "duty" and f["value"] not in info["duties"]:
                    info["duties"].append(f["value"])
                clauses.append(Clause(f["attribute"] if f["attribute"] != "duty" else f"duty:{f['value']}",
                                      f["text"], f["url"], bool(f["verified"])))
        hub = hub_map.get(cid)
        names = [r["name"]] + ([hub[1]] if hub and hub[1] != r["name"] else [])
        aliases = [n for n in names if n.lower() != cid]
        if cid != spdx.lower():
            aliases.append(spdx.lower())
        aliases += [k.lower() for k in other_ids.get(spdx, [])]
        out.append(LicenseInfo(
            id=cid, name=r["name"], spdx=spdx, cls=info["cls"], osi_approved=info["osi_approved"],
            fsf_libre=info["fsf_libre"], commercial_use=info["commercial_use"],
            use_restrictions=info["use_restrictions"], user_cap=None, duties=info["duties"],
            same_terms=info["same_terms"], hub_ids=[cid] if cid in hub_map else [], aliases=aliases,
            clauses=clauses, url=r["url"], derivatives_allowed=info["derivatives_allowed"], curated=False,
            deprecated=r["deprecated"],
        ))
    return out


def _curated_entries(spdx_by_id: dict[str, LicenseInfo]) -> tuple[list[LicenseInfo], list[tuple[re.Pattern[str], str]]]:
    raw = safe_load(_data("model_licenses.yaml"))
    out, links = [], []
    for e in raw:
        info: dict[str, Any] = {"cls": e.get("class", "unknown"), "commercial_use": None, "use_restrictions": None,
                                "user_cap": None, "same_terms": None, "duties": [], "osi_approved": None,
                                "fsf_libre": None, "derivatives_allowed": True, "duty_scopes": {},
                                "restrictions_travel": None}
        spdx = e.get("spdx")
        if spdx and spdx.lower() in spdx_by_id:  # the SPDX list's flags stand unless a fact says otherwise
            base = spdx_by_id[spdx.lower()]
            info["osi_approved"], info["fsf_libre"] = base.osi_approved, base.fsf_libre
        clauses = _facts_to(info, e.get("facts") or [], e.get("url"))
        for p in e.get("links") or []:
            links.append((re.compile(p, re.IGNORECASE), e["id"]))
        out.append(LicenseInfo(
            id=e["id"], name=e["name"], spdx=spdx, cls=info["cls"], osi_approved=info["osi_approved"],
            fsf_libre=info["fsf_libre"], commercial_use=info["commercial_use"],
            use_restrictions=info["use_restrictions"], user_cap=info["user_cap"], duties=info["duties"],
            same_terms=info["same_terms"], hub_ids=list(e.get("hub_ids") or []), aliases=list(e.get("aliases") or []),
            clauses=clauses, url=e.get("url"), derivatives_allowed=info["derivatives_allowed"], curated=True,
            notes=e.get("notes"), duty_scopes=info["duty_scopes"], duties_complete=e.get("duties_known", True) is not False,
            restrictions_travel=info["restrictions_travel"],
        ))
    return out, links


# Links that name a licence by its canonical URL (Creative Commons, SPDX, OSI, Apache, GNU).
_GENERIC_LINKS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"creativecommons\.org/licenses/(by(?:-nc)?(?:-sa|-nd)?)/(\d\.\d)", re.I), "CC-{0}-{1}"),
    (re.compile(r"creativecommons\.org/publicdomain/zero/1\.0", re.I), "CC0-1.0"),
    (re.compile(r"spdx\.org/licenses/([A-Za-z0-9.+-]+?)(?:\.html|\.json)?/?$", re.I), "{0}"),
    (re.compile(r"opensource\.org/licenses?/([A-Za-z0-9.+-]+?)(?:\.php|\.html)?/?$", re.I), "{0}"),
    (re.compile(r"apache\.org/licenses/LICENSE-2\.0", re.I), "Apache-2.0"),
    (re.compile(r"gnu\.org/licenses/(a?gpl|lgpl)-(\d\.\d)", re.I), "{0}-{1}"),
    (re.compile(r"choosealicense\.com/licenses/([a-z0-9.-]+)/?$", re.I), "{0}"),
]


@lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    """Build the catalogue once per process (about 0.1 s)."""
    hub_map: dict[str, tuple[str, str, bool]] = {}
    for r in csv.DictReader(io.StringIO(_data("hub_ids.csv"))):
        hub_map[r["hub_id"]] = (r["spdx"], r["name"], r["verified"] == "true")
    extra: dict[str, list[str]] = {}
    for r in csv.DictReader(io.StringIO(_data("aliases.csv"))):
        extra.setdefault(r["license"], []).append(r["alias"])
    spdx_entries = [replace(e, aliases=[*e.aliases, *extra.get(e.id, [])]) if e.id in extra else e
                    for e in _spdx_entries(hub_map)]
    by_lower = {e.spdx.lower(): e for e in spdx_entries if e.spdx}
    curated, links = _curated_entries(by_lower)
    curated = [replace(e, aliases=[*e.aliases, *extra.get(e.id, [])]) if e.id in extra else e for e in curated]
    curated_spdx = {c.spdx.lower() for c in curated if c.spdx}
    merged = curated + [e for e in spdx_entries if e.spdx.lower() not in curated_spdx]  # type: ignore[union-attr]  # every SPDX-list entry has its id
    return Catalogue(merged, links)


def get_license(license_id: str) -> LicenseInfo | None:
    """The catalogue entry for an id, Hub id, SPDX id or known alias (case-insensitive); None if unknown.

    An SPDX expression of catalogued licences ("Apache-2.0 OR MIT") gives a synthesised entry whose
    attributes combine its parts (OR: the least restrictive option; AND: every part applies)."""
    if not license_id or not license_id.strip():
        return None
    cat = load_catalogue()
    hit = cat.get(license_id)
    if hit is None:
        cid = cat.alias.get(license_id.strip().lower()) or cat.loose.get(loose_key(license_id))
        hit = cat.entries.get(cid) if cid else None
    if hit is None and re.search(r"\s(AND|OR|WITH)\s", f" {license_id} ", re.I):
        from openscope.derive.licenses.flowdown import expression_info  # late: flowdown imports this module

        hit = expression_info(license_id)
    return hit


def all_licenses() -> list[LicenseInfo]:
    return list(load_catalogue().entries.values())


def suggest(raw: str, n: int = 3) -> list[str]:
    """Close catalogue ids for a "did you mean" line."""
    import difflib

    cat = load_catalogue()
    key = raw.strip().lower()
    pool = list(cat.exact) + list(cat.alias)
    seen: list[str] = []
    for m in difflib.get_close_matches(key, pool, n=n * 3, cutoff=0.6):
        cid = cat.exact.get(m) or cat.alias.get(m)
        if cid and cid not in seen:
            seen.append(cid)
    return seen[:n]
