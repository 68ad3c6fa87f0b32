"""The Open Source AI Index's 12 dimensions (open, partial, closed, unknown) and its score.

The European Open Source AI Index (https://osai-index.eu; Liesenfeld & Dingemanse, FAccT'24) grades
availability (data, weights, code), documentation (architecture, preprint, paper, model card,
datasheet) and licences. openscope grades each dimension in two steps:

1. a *signal*: a small, generic description of what the probes found for that dimension (for
   example ``released|gated|restrictive`` for weights, or the number of model-card topics), never a
   name;
2. a *grade* for the signal: by a calibration table (signal → the grade experts most often give to
   that signal, fitted on the index's development cards and shipped as
   ``openscope/data/openness/osai_calibration.json``), falling back to the hand-written rule below
   for any signal the table has not seen. The benchmark refits the table leaving each family out.

The score is the mean over graded dimensions with open = 1, partial = 0.5, closed = 0 (``unknown`` is
left out). When nothing could be read (no card, no files) every dimension is ``unknown``. For a
derivative, the ``*_basemodel`` dimensions come from its lineage root.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from openscope.derive.openness.components import ComponentFact
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
    """open | rail | noncommercial | custom | mixed | none, from the licence probe."""
    lic = side.findings.get("license_declared")
    if lic is None:
        return "none"
    if lic.detail.get("mixed"):
        return "mixed"
    if lic.status == "open_license":
        return "open"
    if lic.status != "restrictive_license":
        return "none"
    ident = (lic.license or "").lower()
    cls = lic.detail.get("class") or ""
    if "rail" in ident:
        return "rail"
    if cls == "non_commercial" or "-nc" in ident or "noncommercial" in ident:
        return "noncommercial"
    return "custom"


# Each dimension: (signal, rule grade). The rule is the documented fallback.

def weights(side: Side) -> tuple[str, str]:
    p = side.facts["Model parameters (Final)"]
    gated = _outcome(side, "weights_gated") == "negative"
    lic = license_category(side)
    sig = f"{'released' if p.released else p.status}|{'gated' if gated else 'ungated'}|{lic}"
    if p.released:
        return sig, "partial" if gated or lic in ("noncommercial", "custom", "mixed") else "open"
    return sig, "closed"


def datasources(side: Side) -> tuple[str, str]:
    d, c = _st(side, "Datasets"), _st(side, "Data card")
    sig = f"{d}|{c}"
    if d in ("open_license", "no_license"):
        return sig, "open"
    if d in ("restrictive_license", "documented_not_released"):
        return sig, "partial"
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
    if "Training code" in released and len(released) >= 3:
        return sig, "open"
    if released:
        return sig, "partial"
    return sig, "closed"


def hardware_architecture(side: Side) -> tuple[str, str]:
    h = side.findings.get("hardware_documented")
    hw = bool(h and h.detail.get("hardware"))
    arch = bool(h and h.detail.get("architecture"))
    paper = side.facts["Research paper"].released or side.facts["Technical report"].released
    sig = f"{int(hw)}{int(arch)}|{'paper' if paper else 'nopaper'}"
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
    chars = int(m.detail.get("chars", 0)) if m else 0
    size = "long" if chars >= 8000 else "short"
    sig = f"{topics}|{size}"
    return sig, "open" if topics >= 3 else ("partial" if topics >= 1 else "closed")


def datasheet(side: Side) -> tuple[str, str]:
    c, d = _st(side, "Data card"), _st(side, "Datasets")
    sig = f"{c}|{d}"
    if side.facts["Data card"].released:
        return sig, "open"
    return sig, "partial" if c == "documented_not_released" else "closed"


def licenses(side: Side) -> tuple[str, str]:
    cat = license_category(side)
    return cat, {"open": "open", "mixed": "partial", "noncommercial": "partial"}.get(cat, "closed")


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

Calibration = dict[str, dict[str, dict[str, int]]]   # dimension -> signal -> expert grade -> count


@cache
def shipped_calibration() -> Calibration:
    try:
        text = resources.files("openscope.data.openness").joinpath("osai_calibration.json").read_text("utf-8")
    except FileNotFoundError:
        return {}
    return json.loads(text).get("tables", {})


MIN_SUPPORT = 2


def calibrated(dimension: str, signal: str, rule: str, table: Calibration | None) -> str:
    """The grade experts most often give this signal (ties and thin support fall back to the rule)."""
    counts = (table or {}).get(dimension, {}).get(signal)
    if not counts or sum(counts.values()) < MIN_SUPPORT:
        return rule
    best = max(counts.values())
    top = [g for g, c in counts.items() if c == best]
    return rule if rule in top else sorted(top)[0]


def signals(end: Side, base: Side | None = None) -> dict[str, tuple[str, str]]:
    b = base or end
    return {dim: fn(b if which == "base" else end) for dim, (fn, which) in RULES.items()}


def evaluate(end: Side, base: Side | None = None, table: Calibration | None = None,
             use_calibration: bool = True) -> dict[str, Any]:
    """The 12 grades and the score; ``base`` is the lineage root's side (the end model itself if None)."""
    tab = (table if table is not None else shipped_calibration()) if use_calibration else {}
    grades: dict[str, Any] = {}
    for dim, (sig, rule) in signals(end, base).items():
        side = (base or end) if RULES[dim][1] == "base" else end
        grades[dim] = calibrated(dim, sig, rule, tab) if side.readable else "unknown"
    known = [POINTS[g] for g in grades.values() if g in POINTS]
    grades["score"] = (sum(known) / len(known)) if known else None
    return grades


def fit(rows: list[tuple[dict[str, tuple[str, str]], dict[str, str]]]) -> Calibration:
    """Fit the calibration table from (signals, expert grades) pairs."""
    table: Calibration = {}
    for sigs, expert in rows:
        for dim, (sig, _rule) in sigs.items():
            g = expert.get(dim)
            if g in POINTS:
                cell = table.setdefault(dim, {}).setdefault(sig, {})
                cell[g] = cell.get(g, 0) + 1
    return table
