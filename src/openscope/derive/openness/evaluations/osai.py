"""The Open Source AI Index's 12 dimensions (open, partial, closed, unknown) and its score.

The European Open Source AI Index (https://osai-index.eu; Liesenfeld & Dingemanse, FAccT'24) grades
availability (data, weights, code), documentation (architecture, preprint, paper, model card,
datasheet) and licences. openscope grades each dimension by a hand-written rule over the component
facts and probe findings (the functions below, documented in ``docs/openness.md``), so a grade never
contradicts the evidence shown beside it.

Each rule also exposes a *signal* (a small, name-free description of what it saw, e.g.
``released|gated|custom`` for weights). :func:`fit` maps each signal to the grade the index's experts
most often give it; the benchmark measures that calibrated variant leaving each family out. It is off
by default (``use_calibration=False``): on the development cards it gained a few points of agreement
but produced grades that contradict the facts shown (a released training script graded ``closed``
because experts usually grade such cards closed).

The score is the mean over graded dimensions with open = 1, partial = 0.5, closed = 0 (``unknown`` is
left out). When nothing could be read (no card, no files) every dimension is ``unknown``. For a
derivative, the ``*_basemodel`` dimensions come from its lineage root; with several roots (a merge, a model
built on one), from every root: the least open grade over them (:func:`least_open`).

A licence file the store lists but did not read (``LICENSE``), when it is the only licence evidence, is a
licence of unknown terms, not the absence of one: the ``licenses`` dimension is ``unknown``, and so are the
weights dimensions where the licence would decide them (released, not gated: open under an open licence,
partial under a custom agreement). A file for the code or data alone (``LICENSE-CODE``) leaves the weights as
they were.
"""

from __future__ import annotations

import collections
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from openscope.derive.openness.components import ComponentFact, unread_files
from openscope.derive.openness.probes import Finding

DIMENSIONS = (
    "datasources_basemodel", "datasources_endmodel", "weights_basemodel", "weights_endmodel", "trainingcode",
    "code", "hardware_architecture", "preprint", "paper", "modelcard", "datasheet", "licenses",
)
POINTS = {"open": 1.0, "partial": 0.5, "closed": 0.0}


@dataclass
class Side:
    """What one model (the end model, or its lineage root) shows."""

    facts: dict[str, ComponentFact]
    findings: dict[str, Finding]
    readable: bool          # a card or a file list (or a curated entry) was read


def _outcome(side: Side, probe: str) -> str:
    f = side.findings.get(probe)
    return f.outcome if f is not None else "unknown"


def _st(side: Side, component: str) -> str:
    return side.facts[component].status


def license_category(side: Side) -> str:
    """open | modified | rail | noncommercial | custom | mixed | unread | none, from the licence probe (``unread``:
    no licence found but a listed licence file was not read, so a licence exists and its terms are unknown)."""
    lic = side.findings.get("license_declared")
    if lic is None:
        return _fact_license_category(side)
    if lic.detail.get("mixed"):
        return "mixed"
    if lic.status == "open_license":
        return "open"
    if lic.status != "restrictive_license":
        return "unread" if unread_files(side.findings) else "none"
    if _modified_permissive(lic.detail):
        return "modified"
    return _restrictive_category(lic.license, lic.detail.get("class"))


def _modified_permissive(detail: dict[str, Any]) -> bool:
    """A permissive licence its publisher modified ("Modified MIT License": Hub `license: other` with
    `license_name: modified-mit`, or named so in the card): not OSI-approved, but no agreement to accept and no
    use restriction of the kind custom model licences add (Kimi's adds an attribution duty for the largest
    commercial users)."""
    declared = detail.get("declared")
    if declared not in (None, "other"):
        return False
    name = (detail.get("license_name") if declared == "other" else detail.get("card")) or ""
    return str(name).lower().startswith("modified")


def _restrictive_category(license_id: str | None, cls: str | None) -> str:
    """rail | noncommercial | custom, for a licence that is not open."""
    ident = (license_id or "").lower()
    if "rail" in ident:
        return "rail"
    if cls == "non_commercial" or "-nc" in ident or "noncommercial" in ident:
        return "noncommercial"
    return "custom"


def weights_license_category(side: Side) -> str:
    """The licence category of the weights: the declared one, unless the base's terms apply to them (a
    derivative cannot relax its base's licence: :mod:`..inheritance`), then the inherited licence's.

    Read over every licence the card names, whatever each covers: this category only stands in for access
    (a release whose sole licence is a custom agreement is distributed behind that agreement's click-through,
    :func:`weights`), and a release that also names an open licence is not presumed gated. Measured: reading
    only the licence named for the weights (:mod:`..probes._license_scope`) moved three ungated releases
    under custom model licences from `open` to `partial` (weights_endmodel 86.3% → 82.2% on the development
    cards). The weights' own licence is the *Model parameters* component's, which does read the scope."""
    inh = side.facts["Model parameters (Final)"].inherited
    # An inherited licence the model did not declare stands for no click-through: its own repository states no
    # terms, so nothing gates it (the base's terms still grade the component: MOF, OSAID, the licences dimension).
    if inh and inh.get("declared") is not None:
        from openscope.derive.openness.licensing import classify

        return _restrictive_category(inh["license"], classify(inh["license"]).cls)
    cat = license_category(side)
    if cat == "unread" and not side.facts["Model parameters (Final)"].license_unknown_unread:
        return "none"   # the unread files cover the code or the data alone (or a cited fact states the weights')
    return cat


def _fact_license_category(side: Side) -> str:
    """The weights' licence category from a cited fact (a curated base with no card read)."""
    from openscope.derive.openness.licensing import classify

    p = side.facts["Model parameters (Final)"]
    if p.source != "curated" or not p.released:
        return "none"
    if p.status == "open_license":
        return "open"
    v = classify(p.license)
    return _restrictive_category(v.id or p.license, v.cls)


# Each dimension: (signal, rule grade). The rule is the documented fallback.

def weights(side: Side) -> tuple[str, str]:
    p = side.facts["Model parameters (Final)"]
    gated = _outcome(side, "weights_gated") == "negative" or p.gated
    lic = weights_license_category(side)
    w = side.findings.get("weights_released")
    delta = bool(w and w.detail.get("delta"))
    sig = f"{'released' if p.released else p.status}|{'gated' if gated else 'ungated'}|{lic}"
    if p.by_request:
        # weights given only to applicants the publisher approves case by case are not available
        return sig, "closed"
    if p.released:
        # Availability, not licence terms (those are the `licenses` dimension): partial when access is
        # gated, under a custom licence agreement (which on the Hub comes with a click-through gate), or
        # when only a weight difference is published (usable only with another model's weights). Released and
        # not gated under a licence file nobody read: open or partial as that licence is, so unknown.
        if gated or delta or lic == "custom":
            return sig, "partial"
        return sig, "unknown" if lic == "unread" else "open"
    return sig, "closed"


def datasources(side: Side) -> tuple[str, str]:
    d, c = _st(side, "Datasets"), _st(side, "Data card")
    sig = f"{d}|{c}"
    if d in ("open_license", "no_license"):
        # a set released while the card says other training data is kept back ("we release only the SFT set;
        # the pretraining corpus is not publicly available"): some of the data, not all of it
        f = side.findings.get("datasets_released")
        if f is not None and f.detail.get("withheld"):
            return f"{sig}|withheld", "partial"
        return sig, "open"
    if d == "restrictive_license":
        return sig, "partial"
    # Availability: training data that is only described (a section, no dataset released) is not
    # available; describing it is what the datasheet and model-card dimensions reward. Data "available on
    # request" is closed too: the index asks whether the sources are "open for inspection or shared", and data
    # handed to those who ask is neither, as weights given only to approved applicants are closed (above).
    return sig, "closed"


def trainingcode(side: Side) -> tuple[str, str]:
    t = _st(side, "Training code")
    p = _st(side, "Data preprocessing code")
    sig = f"{t}|{p}"
    if side.facts["Training code"].released:
        return sig, "open"
    return sig, "partial" if t == "documented_not_released" else "closed"


def code(side: Side) -> tuple[str, str]:
    names = ("Training code", "Inference code", "Evaluation code", "Data preprocessing code")
    released = [n for n in names if side.facts[n].released]
    sig = f"{'train' if 'Training code' in released else 'notrain'}|{len(released)}"
    # Inference snippets alone are not "code" in the index's sense (the code behind the model):
    # training code is required; with the code to run the model (inference), or with evaluation and
    # data-processing code, it is open.
    if "Training code" in released and ("Inference code" in released or len(released) >= 3):
        return sig, "open"
    if "Training code" in released:
        return sig, "partial"
    return sig, "closed"


def hardware_architecture(side: Side) -> tuple[str, str]:
    h = side.findings.get("hardware_documented")
    hw = bool(h and h.detail.get("hardware"))
    arch = bool(h and h.detail.get("architecture"))
    # As for model cards: on the development cards what we detect did not predict the index's grade
    # (measured: 22-40% agreement leaving each family out), so the signal is only "a card was read".
    sig = "card" if h is not None and h.outcome != "unknown" else "none"
    return sig, {2: "open", 1: "partial"}.get(int(hw) + int(arch), "closed")


def preprint(side: Side) -> tuple[str, str]:
    p, t = side.facts["Research paper"].released, side.facts["Technical report"].released
    sig = f"{int(p)}{int(t)}"
    return sig, "open" if p else ("partial" if t else "closed")


def paper(side: Side) -> tuple[str, str]:
    peer = _outcome(side, "peer_reviewed_paper") == "positive"
    pre = side.facts["Research paper"].released
    sig = f"{int(peer)}{int(pre)}"
    return sig, "open" if peer else "closed"


def modelcard(side: Side) -> tuple[str, str]:
    m = side.findings.get("model_card")
    topics = len(m.detail.get("topics", [])) if m else 0
    # The signal is only whether a card was read: on the development cards neither the topics nor the
    # length predicted the index's model-card grade (it rates the Hub card, often not the text we read).
    sig = "card" if m is not None and m.outcome != "unknown" else "none"
    fact = side.facts["Model card"]
    if fact.released and (fact.source == "curated" or m is None or m.outcome == "unknown"):
        # a cited fact says the model card is published: it grades the published card, which may not
        # be the text we read (a mirror, a synthetic or truncated copy)
        return sig, "open"
    return sig, "open" if topics >= 3 else ("partial" if topics >= 1 else "closed")


def datasheet(side: Side) -> tuple[str, str]:
    c, d = _st(side, "Data card"), _st(side, "Datasets")
    sig = f"{c}|{d}"
    f = side.findings.get("data_card")
    if side.facts["Data card"].released:
        # an explicit datasheet (or a curated fact) is open; a link to dataset pages is partial
        explicit = f is None or f.outcome != "positive" or f.detail.get("explicit", True) \
            or side.facts["Data card"].source == "curated"
        return sig, "open" if explicit else "partial"
    # A training-data section inside a model card is not a datasheet (the index grades those closed).
    return sig, "closed"


def licenses(side: Side) -> tuple[str, str]:
    cat = license_category(side)
    lic = side.findings.get("license_declared")
    if cat in ("custom", "noncommercial", "rail") and lic is not None and lic.detail.get("parts_open"):
        cat = "mixed"   # the declared licence for the weights, open licences the card names for the code or data
    if cat == "open" and side.facts["Model parameters (Final)"].inherited:
        cat = "mixed"  # the declared open licence covers what the publisher wrote; the base's terms the weights
    elif cat == "open" and _names_only_parts(side):
        cat = "open-parts"  # "the code is under Apache-2.0", nothing said of the weights: not fully covered
    # Open when an OSI-approved licence is declared; partial when open and restrictive licences are
    # named side by side (e.g. code open, weights or data not), when the open licences named cover only
    # the code or the data and nothing states the weights' terms, or when the licence is a permissive one its
    # publisher modified (open in most of its terms, not OSI-approved); closed when only restrictive licences
    # (non-commercial, RAIL, custom agreements) or none are named: none of them is an open licence. Unknown when
    # nothing is named but a listed licence file was not read (its licence exists; its terms are unknown).
    return cat, {"open": "open", "mixed": "partial", "open-parts": "partial", "modified": "partial",
                 "unread": "unknown"}.get(cat, "closed")


def _names_only_parts(side: Side) -> bool:
    """Nothing is declared (no Hub tag or front matter) and every licence the card names covers only the code
    or the data (:mod:`..probes._license_scope`): the weights' terms are not stated, so the release is not
    fully covered by the open licences it names (the index asks whether the project as a whole is)."""
    lic = side.findings.get("license_declared")
    if lic is None or lic.detail.get("declared"):
        return False
    scopes = lic.detail.get("card_scopes") or []
    return bool(scopes) and all(sc and "weights" not in sc for _, sc in scopes)


RULES: dict[str, tuple[Callable[[Side], tuple[str, str]], str]] = {
    "datasources_basemodel": (datasources, "base"),
    "datasources_endmodel": (datasources, "end"),
    "weights_basemodel": (weights, "base"),
    "weights_endmodel": (weights, "end"),
    "trainingcode": (trainingcode, "end"),
    "code": (code, "end"),
    "hardware_architecture": (hardware_architecture, "end"),
    "preprint": (preprint, "end"),
    "paper": (paper, "end"),
    "modelcard": (modelcard, "end"),
    "datasheet": (datasheet, "end"),
    "licenses": (licenses, "end"),
}

# -- calibration: one generic feature per dimension, chosen and mapped from expert grades ---------------

Calibration = dict[str, dict[str, Any]]   # dimension -> {"feature", "map": {value: grade}, "default"}


@cache
def shipped_calibration() -> Calibration:
    try:
        text = resources.files("openscope.data.openness").joinpath("osai_calibration.json").read_text("utf-8")
    except FileNotFoundError:
        return {}
    return json.loads(text).get("tables", {})


MIN_SUPPORT = 2


def feature_values(end: Side, base: Side | None = None) -> dict[str, dict[str, str]]:
    """Per dimension, the rule's signal and grade (what :func:`fit` learns from)."""
    return {dim: {"signal": sig, "rule": rule} for dim, (sig, rule) in signals(end, base).items()}


def fit(rows: list[tuple[dict[str, dict[str, str]], dict[str, str]]]) -> Calibration:
    """Per dimension: each value of the rule's signal → the grade experts most often give it.

    Name-free and small (a few values per dimension), refitted leaving each family out in the
    benchmark. Signal values seen fewer than ``MIN_SUPPORT`` times, or tied, keep the rule's grade.
    (Measured alternatives: choosing per dimension among ~25 generic features, or between rule, signal
    and the overall majority, agreed less with the experts when each family was left out.)
    """
    table: Calibration = {}
    for dim in RULES:
        cells: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        for vals, expert in rows:
            if expert.get(dim) in POINTS:
                cells[vals[dim]["signal"]][expert[dim]] += 1
        mapping: dict[str, str] = {}
        for v, c in cells.items():
            if sum(c.values()) < MIN_SUPPORT:
                continue
            best = max(c.values())
            top = [g for g, k in c.items() if k == best]
            if len(top) == 1:
                mapping[v] = top[0]
        table[dim] = {"feature": "signal", "map": mapping, "support": {v: dict(c) for v, c in cells.items()}}
    return table


def _basis(side: Side, dim: str) -> str:
    """What a dimension's rule looked at, in words (shown beside the grade)."""
    st = side.facts
    if dim.startswith("datasources"):
        return f"Datasets: {st['Datasets'].status}; Data card: {st['Data card'].status}"
    if dim.startswith("weights"):
        gated = _outcome(side, "weights_gated") == "negative" or st["Model parameters (Final)"].gated
        w = side.findings.get("weights_released")
        delta = "; released as a weight difference only" if w and w.detail.get("delta") else ""
        if st["Model parameters (Final)"].by_request:
            delta += "; given only to applicants approved case by case"
        inh = st["Model parameters (Final)"].inherited
        whose = f" ({inh['license']}, the base's terms; declared {inh['declared'] or 'no licence'})" if inh else ""
        cat = weights_license_category(side)
        lic = _unread_words(st["Model parameters (Final)"].license_unread) if cat == "unread" else cat
        return (f"Model parameters (Final): {st['Model parameters (Final)'].status}; "
                f"{'gated' if gated else 'not gated'}; licence: {lic}{whose}{delta}")
    if dim == "trainingcode":
        return f"Training code: {st['Training code'].status}"
    if dim == "code":
        names = ("Training code", "Inference code", "Evaluation code", "Data preprocessing code")
        rel = [n for n in names if st[n].released]
        return "released code: " + (", ".join(rel) if rel else "none")
    if dim == "hardware_architecture":
        h = side.findings.get("hardware_documented")
        hw = bool(h and h.detail.get("hardware"))
        arch = bool(h and h.detail.get("architecture"))
        return f"hardware documented: {'yes' if hw else 'no'}; architecture documented: {'yes' if arch else 'no'}"
    if dim == "preprint":
        return f"Research paper: {st['Research paper'].status}; Technical report: {st['Technical report'].status}"
    if dim == "paper":
        return f"peer-reviewed venue: {'yes' if _outcome(side, 'peer_reviewed_paper') == 'positive' else 'no'}"
    if dim == "modelcard":
        m = side.findings.get("model_card")
        topics = m.detail.get("topics", []) if m else []
        return f"Model card: {st['Model card'].status}; topics: {', '.join(topics) or 'none'}"
    if dim == "datasheet":
        return f"Data card: {st['Data card'].status}"
    inh = st["Model parameters (Final)"].inherited
    unread = _unread_listed(side)
    also = f"; {_unread_words(unread)} (not used: a licence is stated)" if unread and not unread_files(side.findings) \
        else ""
    if inh:
        return (f"licence: {licenses(side)[0]} (declared {inh['declared'] or 'no licence'}; the weights are under the base's "
                f"{inh['license']}){also}")
    cat = license_category(side)
    return f"licence: {_unread_words(unread) if cat == 'unread' else cat}{also}"


def _unread_listed(side: Side) -> list[str]:
    """Every licence file whose licence was not identified (not read, or not recognised), whether or not a
    licence is stated."""
    lic = side.findings.get("license_declared")
    if lic is None:
        return []
    return [str(p) for p in (lic.detail.get("files_unread") or []) + (lic.detail.get("files_unknown") or [])]


def _unread_words(paths: list[str]) -> str:
    shown = ", ".join(paths[:3]) + (", …" if len(paths) > 3 else "")
    return f"licence file present, not identified ({shown}): licence unknown"


# The least open first: a base-model dimension of a model with several lineage roots takes the first of these that
# any root gets (:func:`least_open`).
LEAST_OPEN_FIRST = ("closed", "unknown", "partial", "open")


@dataclass
class Root:
    """One lineage root's side, named: what a model with several roots (a merge, a finetune of one) reads each base
    from. ``note`` is said beside its name (a root deleted from the Hub: read as last stored)."""

    name: str
    side: Side
    note: str = ""

    @property
    def shown(self) -> str:
        return f"{self.name} ({self.note})" if self.note else self.name


def _root_grade(dim: str, side: Side, tab: Calibration) -> str:
    """A base-model dimension's grade read from one root's side, as :func:`evaluate` grades a single base."""
    if not side.readable:
        return "unknown"
    sig, rule = RULES[dim][0](side)
    return tab[dim]["map"].get(sig, rule) if dim in tab else rule


def least_open(grades: list[str]) -> str:
    """The grade of a base-model dimension over every root: closed when any root is closed; else unknown when any
    root is unknown (a root nobody could read cannot be claimed open); else partial when any is partial; else open.

    Why the least open: everything of every base went into a merge, so it is no more open than its least open
    base (a merge of an open base and a closed one keeps the closed one's data and weights in it)."""
    return min(grades, key=LEAST_OPEN_FIRST.index)


def root_grades(roots: list[Root], table: Calibration | None = None) -> dict[str, tuple[str, list[str], list[str]]]:
    """Per base-model dimension: (the grade over every root, the roots that give it, each root's grade in the
    roots' order): what the grade and its evidence say."""
    tab = table or {}
    out: dict[str, tuple[str, list[str], list[str]]] = {}
    for dim, (_fn, which) in RULES.items():
        if which != "base":
            continue
        each = [_root_grade(dim, r.side, tab) for r in roots]
        g = least_open(each)
        out[dim] = (g, [r.name for r, x in zip(roots, each, strict=True) if x == g], each)
    return out


def basis(end: Side, base: Side | None = None, roots: list[Root] | None = None) -> dict[str, str]:
    """What each dimension's rule saw, in words. With several ``roots``, a base-model dimension names the roots its
    grade came from (the least open), each root's grade, and what the first of them showed."""
    b = base or end
    out = {dim: _basis(b if which == "base" else end, dim) for dim, (_fn, which) in RULES.items()}
    if roots and len(roots) > 1:
        for dim, (g, names, each) in root_grades(roots).items():
            first = next(r for r in roots if r.name == names[0])
            graded = "; ".join(f"{r.shown}: {x}" for r, x in zip(roots, each, strict=True))
            out[dim] = (f"{g} from {', '.join(names)}, the least open of {len(roots)} roots ({graded}); "
                        f"{names[0]}: {_basis(first.side, dim)}")
    elif roots and roots[0].note:
        for dim, (_fn, which) in RULES.items():
            if which == "base":
                out[dim] = f"{roots[0].shown}: {out[dim]}"
    return out


def signals(end: Side, base: Side | None = None) -> dict[str, tuple[str, str]]:
    b = base or end
    return {dim: fn(b if which == "base" else end) for dim, (fn, which) in RULES.items()}


def evaluate(end: Side, base: Side | None = None, table: Calibration | None = None,
             use_calibration: bool = False, roots: list[Root] | None = None) -> dict[str, Any]:
    """The 12 grades and the score; ``base`` is the lineage root's side (the end model itself if None). With
    several lineage ``roots`` (a merge, or a model built on one), each base-model dimension is the least open of
    the roots' grades (:func:`least_open`)."""
    tab = table if table is not None else (shipped_calibration() if use_calibration else {})
    grades: dict[str, Any] = {}
    for dim, (sig, rule) in signals(end, base).items():
        side = (base or end) if RULES[dim][1] == "base" else end
        if not side.readable:
            grades[dim] = "unknown"
        elif dim in tab:
            grades[dim] = tab[dim]["map"].get(sig, rule)
        else:
            grades[dim] = rule
    if roots and len(roots) > 1:
        grades.update({dim: g for dim, (g, _names, _each) in root_grades(roots, tab).items()})
    known = [POINTS[g] for g in grades.values() if g in POINTS]
    grades["score"] = (sum(known) / len(known)) if known else None
    return grades
