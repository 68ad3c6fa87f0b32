"""Raw licence values → catalogue ids, with a confidence, the evidence and, when nothing fits, the reason.

What comes in is messy: Hub tag values (``llama3.1``), card ``license`` / ``license_name`` /
``license_link`` values, file names (``LICENSE``, ``USE_POLICY.md``), free text ("Apache 2.0",
"Component not included", "see website") and licence texts. The rules, in order:

1. nothing, or a placeholder ("N/A", "TBD", "see website", "proprietary?", ...) → ``unknown`` with the
   reason; free text is never taken for a licence unless it names one exactly (by id, alias, or a
   spelling-insensitive form of its name);
2. an SPDX-style expression (``Apache-2.0 OR MIT``) stays an expression (``id`` is None, ``expression``
   holds the normalised form) when every operand is a catalogued licence;
3. a single id, Hub id, SPDX id, alias or licence name → that catalogue id;
4. a link → the licence whose canonical URL it matches;
5. a file name only says that a licence file exists, so it gives ``unknown`` unless its suffix names the
   licence (``LICENSE-APACHE``); a licence text is matched by the title or opening words each licence
   is known by.
Confidence is 1.0 for an exact Hub id in the ``license:`` tag and lower for looser evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from license_expression import ExpressionError, Licensing

from openscope.derive.licenses.catalogue import (
    _GENERIC_LINKS,
    CLASS_RANK,
    LicenseInfo,
    get_license,
    load_catalogue,
    loose_key,
)

KINDS = ("tag", "card", "card_name", "link", "file", "text")
# How much an exact match is worth, by where the value came from.
_KIND_WEIGHT = {"tag": 1.0, "card": 0.95, "card_name": 0.9, "link": 0.85, "file": 0.6, "text": 0.8}


@dataclass(frozen=True)
class LicenseMatch:
    """The normaliser's answer.

    ``id``: catalogue id ("apache-2.0", "llama3.1", "other", "unknown"); None for a compound expression.
    ``expression``: the normalised SPDX expression when the value is one ("Apache-2.0 OR MIT", "MIT").
    ``reason``: why, when ``id`` is "unknown" or None.
    ``cls``: the licence class (for an expression: OR takes the least restrictive option, AND the most
    restrictive part).
    """

    id: str | None
    expression: str | None
    confidence: float
    evidence: str
    reason: str | None
    cls: str = "unknown"

    @property
    def license(self) -> str | None:
        """What the ``licenses.license`` column stores: the id, or the expression; None when unknown."""
        if self.id is None:
            return self.expression
        return None if self.id == "unknown" else self.id


def _unknown(evidence: str, reason: str) -> LicenseMatch:
    return LicenseMatch("unknown", None, 0.0, evidence, reason, "unknown")


def _hit(info: LicenseInfo, evidence: str, confidence: float, reason: str | None = None) -> LicenseMatch:
    if info.id == "unknown":
        return LicenseMatch("unknown", None, confidence, evidence, reason or "the publisher declares the licence unknown",
                            "unknown")
    if info.id == "other":
        reason = reason or "declared as `other`: a licence outside the Hub's list (see license_name / license_link)"
    return LicenseMatch(info.id, info.spdx, round(confidence, 3), evidence, reason, info.cls)


# -- placeholders and free text that name no licence ---------------------------------------------------
_PLACEHOLDERS = {
    "", "-", "--", "?", "n/a", "na", "n.a.", "none", "null", "nil", "no", "nan", "tbd", "tba", "todo", "tbc",
    "undisclosed", "not disclosed", "unspecified", "not specified", "unstated", "not stated", "unlicensed",
    "no license", "no licence", "not licensed", "license", "licence", "licensed", "various", "mixed",
    "multiple", "see below", "see above", "coming soon", "pending", "private", "internal", "confidential",
    "unclear", "unsure", "not sure", "n/d", "missing", "not available", "not applicable",
}
_FREE_TEXT_REASONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\bnot\s+includ", re.I), "says the component is not included; names no licence"),
    (re.compile(r"^\s*(please\s+)?(see|refer|check|visit|read|consult|contact)\b", re.I),
     "points elsewhere instead of naming a licence"),
    (re.compile(r"\?"), "a question or an uncertain value, not a licence"),
    (re.compile(r"\b(only specified|specified in|same as|inherit|depends on|according to)\b", re.I),
     "refers to another source instead of naming a licence"),
    (re.compile(r"\barxiv\.org/(abs|pdf)/", re.I), "a link to a paper, not a licence"),
]


def _placeholder_reason(raw: str) -> str | None:
    t = raw.strip().strip("\"'`").strip()
    if t.lower() in _PLACEHOLDERS:
        if not t:
            return "no licence declared"
        if t.lower() in {"unlicensed", "no license", "no licence", "not licensed"}:
            return f"'{t}' declares no licence (all rights reserved unless stated otherwise)"
        return f"'{t}' is a placeholder, not a licence"
    for pattern, reason in _FREE_TEXT_REASONS:
        if pattern.search(t):
            return reason
    return None


# -- single values ------------------------------------------------------------------------------------
def _lookup(value: str) -> tuple[LicenseInfo, float, str] | None:
    """(entry, confidence factor, how) for one licence name/id, or None."""
    cat = load_catalogue()
    v = value.strip().strip("\"'`").strip()
    if v.lower().startswith("license:"):
        v = v[8:]
    if not v:
        return None
    low = v.lower()
    cid = cat.exact.get(low)
    if cid:
        return cat.entries[cid], 1.0, "id"
    cid = cat.alias.get(low)
    if cid:
        return cat.entries[cid], 0.95, "alias"
    key = loose_key(v)
    cid = cat.loose.get(key)
    if cid:
        return cat.entries[cid], 0.9, "name"
    return None


def _lookup_link(url: str) -> tuple[LicenseInfo, float, str] | None:
    cat = load_catalogue()
    u = url.strip()
    for pattern, cid in cat.link_patterns:
        if pattern.search(u):
            return cat.entries[cid], 0.95, "link"
    for pattern, template in _GENERIC_LINKS:
        m = pattern.search(u)
        if m:
            hit = _lookup(template.format(*m.groups()))
            if hit:
                return hit[0], 0.95, "link"
    return None


# -- expressions ----------------------------------------------------------------------------------------
_OPERATOR = re.compile(r"\s(AND|OR|WITH)\s|[()]", re.I)
_LICENSING = Licensing()


def _render(node, resolved: dict[str, LicenseInfo], top: bool = True) -> str:
    """Render a parsed expression with each operand replaced by its SPDX id (else its catalogue id)."""
    name = type(node).__name__
    if name == "LicenseWithExceptionSymbol":
        lic = _render(node.license_symbol, resolved, False)
        return f"{lic} WITH {node.exception_symbol.key}"
    if hasattr(node, "args") and node.args and name in {"AND", "OR"}:
        parts = [_render(a, resolved, False) for a in node.args]
        text = f" {name} ".join(parts)
        return text if top else f"({text})"
    info = resolved[node.key]
    return info.spdx or info.id


def _expr_class(node, resolved: dict[str, LicenseInfo]) -> str:
    name = type(node).__name__
    if name == "LicenseWithExceptionSymbol":
        return _expr_class(node.license_symbol, resolved)
    if name in {"AND", "OR"}:
        classes = [_expr_class(a, resolved) for a in node.args]
        known = [c for c in classes if c != "unknown"]
        if name == "OR":  # the licensee may pick: the least restrictive known option
            return min(known, key=CLASS_RANK.__getitem__) if known else "unknown"
        if len(known) < len(classes):  # AND with an unknown part
            return "unknown"
        return max(known, key=CLASS_RANK.__getitem__)
    return resolved[node.key].cls


def _symbols(node) -> list:
    name = type(node).__name__
    if name == "LicenseWithExceptionSymbol":
        return [node.license_symbol]
    if name in {"AND", "OR"}:
        return [s for a in node.args for s in _symbols(a)]
    return [node]


def _expression(raw: str, kind: str, weight: float) -> LicenseMatch | None:
    """An expression of catalogued licences, or None when ``raw`` is not one."""
    if not _OPERATOR.search(f" {raw} "):
        return None
    try:
        tree = _LICENSING.parse(raw)
    except (ExpressionError, Exception):  # the parser raises several types on free text
        return None
    if tree is None:
        return None
    syms = _symbols(tree)
    resolved: dict[str, LicenseInfo] = {}
    worst = 1.0
    for s in syms:
        hit = _lookup(s.key)
        if hit is None or hit[0].id in {"unknown", "other"}:
            return _unknown(f"{kind}: {raw}", f"expression part '{s.key}' is not a catalogued licence")
        resolved[s.key] = hit[0]
        worst = min(worst, hit[1])
    if len(syms) == 1:
        info = resolved[syms[0].key]
        if type(tree).__name__ != "LicenseWithExceptionSymbol":
            return _hit(info, f"{kind}: {raw}", weight * worst)
    text = _render(tree, resolved)
    return LicenseMatch(None, text, round(weight * worst, 3), f"{kind}: {raw}",
                        "an expression of several licences; its class follows the expression's operators",
                        _expr_class(tree, resolved))


# -- files and texts ------------------------------------------------------------------------------------
_LICENSE_FILE = re.compile(r"^(LICEN[CS]E|COPYING|NOTICE)(?:[-_.]([A-Za-z0-9.+-]+?))?(?:\.(txt|md|rst))?$", re.I)

# Titles or opening words by which each licence text is known; first match wins (specific before general).
_TEXT_SIGNATURES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p, re.I | re.S), cid)
    for p, cid in [
        (r"LLAMA 4 COMMUNITY LICENSE", "llama4"),
        (r"LLAMA 3\.3 COMMUNITY LICENSE", "llama3.3"),
        (r"LLAMA 3\.2 COMMUNITY LICENSE", "llama3.2"),
        (r"LLAMA 3\.1 COMMUNITY LICENSE", "llama3.1"),
        (r"META LLAMA 3 COMMUNITY LICENSE", "llama3"),
        (r"LLAMA 2 COMMUNITY LICENSE", "llama2"),
        (r"Gemma Terms of Use", "gemma"),
        (r"Qwen RESEARCH LICENSE AGREEMENT", "qwen-research"),
        (r"Tongyi Qianwen RESEARCH LICENSE AGREEMENT", "tongyi-qianwen-research"),
        (r"Tongyi Qianwen LICENSE AGREEMENT", "tongyi-qianwen"),
        (r"Qwen LICENSE AGREEMENT", "qwen"),
        (r"DEEPSEEK LICENSE AGREEMENT", "deepseek"),
        (r"Mistral AI Research License", "mrl"),
        (r"Mistral AI Non-Production License", "mnpl"),
        (r"FLUX\.1 \[dev\] Non-Commercial License", "flux-1-dev-non-commercial-license"),
        (r"Falcon-180B TII License", "falcon-180b-license"),
        (r"TII Falcon License", "falcon-llm-license"),
        (r"CreativeML Open RAIL\+\+-M", "openrail++"),
        (r"CreativeML Open RAIL-M", "creativeml-openrail-m"),
        (r"BigScience RAIL License v1\.0|BigScience BLOOM RAIL", "bigscience-bloom-rail-1.0"),
        (r"BigScience Open RAIL-M", "bigscience-openrail-m"),
        (r"BigCode Open RAIL-M", "bigcode-openrail-m"),
        (r"DeepFloyd IF Research License", "deepfloyd-if-license"),
        (r"OpenMDW", "openmdw-1.0"),
        (r"This Apple software is supplied to you by Apple", "apple-ascl"),
        (r"Apache License\s*,?\s*Version 2\.0", "apache-2.0"),
        (r"GNU AFFERO GENERAL PUBLIC LICENSE\s+Version 3", "agpl-3.0"),
        (r"GNU LESSER GENERAL PUBLIC LICENSE\s+Version 3", "lgpl-3.0"),
        (r"GNU LESSER GENERAL PUBLIC LICENSE\s+Version 2\.1", "lgpl-2.1"),
        (r"GNU GENERAL PUBLIC LICENSE\s+Version 3", "gpl-3.0"),
        (r"GNU GENERAL PUBLIC LICENSE\s+Version 2", "gpl-2.0"),
        (r"Mozilla Public License,? (Version|v\.?) ?2\.0", "mpl-2.0"),
        (r"Attribution-NonCommercial-ShareAlike 4\.0 International", "cc-by-nc-sa-4.0"),
        (r"Attribution-NonCommercial-NoDerivatives 4\.0 International", "cc-by-nc-nd-4.0"),
        (r"Attribution-NonCommercial 4\.0 International", "cc-by-nc-4.0"),
        (r"Attribution-ShareAlike 4\.0 International", "cc-by-sa-4.0"),
        (r"Attribution-NoDerivatives 4\.0 International", "cc-by-nd-4.0"),
        (r"Attribution 4\.0 International", "cc-by-4.0"),
        (r"CC0 1\.0 Universal", "cc0-1.0"),
        (r"This is free and unencumbered software released into the public domain", "unlicense"),
        (r"Permission is hereby granted, free of charge, to any person obtaining a copy", "mit"),
        (r"Redistribution and use in source and binary forms.*Neither the name", "bsd-3-clause"),
        (r"Redistribution and use in source and binary forms", "bsd-2-clause"),
        (r"Permission to use, copy, modify, and/or distribute this software for any purpose with or without fee",
         "isc"),
    ]
]


def _from_file_name(raw: str, weight: float) -> LicenseMatch:
    name = raw.strip().replace("\\", "/").rsplit("/", 1)[-1]
    ev = f"file: {name}"
    if re.fullmatch(r"USE[_-]POLICY(\.md|\.txt)?", name, re.I):
        return _unknown(ev, "an acceptable-use policy file (Llama models ship one): use restrictions are likely, "
                            "but the file name does not identify the licence")
    m = _LICENSE_FILE.match(name)
    if not m:
        return _unknown(ev, f"'{name}' is not a licence file name")
    suffix = m.group(2)
    if suffix and suffix.lower() in {"txt", "md", "rst"}:  # `LICENSE.txt`: an extension, not the licence's scope
        suffix = None
    if suffix and suffix.upper() not in {"MODEL", "WEIGHTS", "CODE", "DATA"}:
        s = suffix.lower()
        hit = _lookup({"apache": "apache-2.0", "apache2": "apache-2.0"}.get(s, s))
        if hit:
            return _hit(hit[0], ev, weight * hit[1] * 0.8)
    what = f" for the {suffix.lower()}" if suffix else ""
    return _unknown(ev, f"a licence file{what} is present; its text must be read to know which licence it is")


def _from_text(raw: str, weight: float) -> LicenseMatch:
    head = raw[:4000]
    for pattern, cid in _TEXT_SIGNATURES:
        if pattern.search(head):
            info = get_license(cid)
            if info is not None:
                return _hit(info, f"text: …{pattern.pattern[:60]}…", weight)
    return _unknown("text", "the text matches no catalogued licence's title or opening words")


# -- entry point ----------------------------------------------------------------------------------------
@lru_cache(maxsize=65536)
def _normalize_cached(raw: str, kind: str) -> LicenseMatch:
    weight = _KIND_WEIGHT[kind]
    value = raw.strip()
    ev = f"{kind}: {value}" if len(value) <= 200 else f"{kind}: {value[:200]}…"
    if kind == "file":
        return _from_file_name(value, weight)
    if kind == "text" and (len(value) > 120 or "\n" in value):
        return _from_text(value, weight)
    if value.startswith("[") and value.endswith("]"):  # a card `license:` list → all of them apply
        parts = [p.strip().strip("\"'") for p in value[1:-1].split(",") if p.strip().strip("\"'")]
        if len(parts) == 1:
            return _normalize_cached(parts[0], kind)
        if parts:
            value = " AND ".join(parts)
    if kind == "link" or re.match(r"^https?://", value, re.I):
        hit = _lookup_link(value)
        if hit:
            return _hit(hit[0], ev, weight * hit[1])
        if kind == "link":
            return _unknown(ev, "the link does not point at a catalogued licence's text")
    reason = _placeholder_reason(value)
    hit = _lookup(value)
    if hit and not (reason and hit[2] != "id"):
        return _hit(hit[0], ev, weight * hit[1])
    if reason:
        return _unknown(ev, reason)
    expr = _expression(value, kind, weight)
    if expr is not None:
        return expr
    if "/" in value and not re.match(r"^https?://", value, re.I):
        # "MIT/Apache-2.0": the older dual-licensing notation (Cargo's), read as OR when every part is an id
        parts = [p.strip() for p in value.split("/")]
        hits = [_lookup(p) for p in parts]
        if len(parts) >= 2 and all(h is not None and h[2] in {"id", "alias"} for h in hits):
            expr = _expression(" OR ".join(h[0].spdx or h[0].id for h in hits), kind, weight)  # type: ignore[index]  # all(h is not None) above
            if expr is not None:
                return LicenseMatch(expr.id, expr.expression, expr.confidence, ev, expr.reason, expr.cls)
    if re.match(r"^https?://", value, re.I):
        return _unknown(ev, "a URL that does not point at a catalogued licence")
    bare = re.sub(r"\s*[(\[][^)\]]*[)\]]\s*", " ", value).strip()
    if bare and bare != value:  # "Apache-2.0 (see LICENSE)": the remark in brackets does not name the licence
        hit = _lookup(bare)
        if hit and hit[2] in {"id", "alias"}:
            return _hit(hit[0], ev, weight * hit[1] * 0.9)
    return _unknown(ev, f"'{value[:80]}' is not a licence in the catalogue")


def normalize_license(raw: str | None, *, kind: str = "tag") -> LicenseMatch:
    """Normalise one raw licence value (see the module docstring for the rules)."""
    if kind not in _KIND_WEIGHT:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if raw is None or not str(raw).strip():
        return _unknown(kind, "no licence declared")
    return _normalize_cached(str(raw), kind)
