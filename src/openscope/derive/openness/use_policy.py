"""Use restrictions beside an open licence: the ``open-license-with-use-restrictions`` open-washing flag.

Why: an OSI-approved licence grants the freedom to use the work for any purpose (the Open Source Definition's
clauses 5, "No Discrimination Against Persons or Groups", and 6, "No Discrimination Against Fields of Endeavor";
OSAID 1.0's first freedom, "use the system for any purpose and without having to ask for permission"). A release
tagged ``apache-2.0`` or ``mit`` whose card, access form or repository binds its users to an acceptable use policy
or forbids uses grants less than its tag says. What counts is a *binding* term, never advice:

* the card's text: use made subject to a use policy ("Your use … is subject to … our Acceptable Use Policy", "you
  agree to comply with the Usage Policy", "the Acceptable Use Policy, which forbids …"), or a use forbidden in the
  words of an obligation ("you may not use this model for …", "you agree not to use", "the model must not be used
  to …", "commercial use is prohibited", "use of the model for … is not permitted", "prohibited uses of M are
  outlined in …"). Advice is not read: "should
  not", "we encourage users to", "please use responsibly", a limitations section, an out-of-scope section that says
  where the model performs badly. A licence's own text is not read either: Apache's "you may not use this file
  except in compliance with the License" (or "these model weights except in compliance …") is the licence's own
  condition, no use forbidden;
* the Hub's access form in the front matter (``extra_gated_prompt``, ``extra_gated_description``,
  ``extra_gated_heading`` and the labels of ``extra_gated_fields``): the same words, and an agreement to use the
  model only for research or non-commercial purposes; a form that only asks for contact details restricts nothing;
* ``license_name`` naming a use policy or a responsible-AI licence ("apache-2.0-with-aup", "…-openrail-…");
* a use-policy file in the repository's file list (``USE_POLICY.md``, ``AUP.md``, ``ACCEPTABLE_USE_POLICY.md``,
  ``Responsible-Use-Policy.pdf``, ``PROHIBITED_USES.md``): its name says what it is, read from the metadata alone,
  so a stored model without card text is flagged too.

Only a release that *declares* an open licence (the Hub tag or front matter, else the licence its card names for
the weights or the release) is flagged: under a restrictive licence the restriction is already the grade. The grades
are not moved (docs/openness.md, "Use restrictions beside an open licence", says why).
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

from openscope.derive.openness.inputs import shown
from openscope.derive.openness.licensing import classify
from openscope.derive.openness.probes import Evidence, card_search, file_locator, hub_evidence
from openscope.derive.openness.records import ModelRecord

FLAG = "open-license-with-use-restrictions"

_POLICY = (r"(?:acceptable[- ]use(?: polic(?:y|ies)| guidelines?| terms)?|(?:use|usage) polic(?:y|ies)"
           r"|prohibited uses?|use restrictions?|responsible[- ]use (?:polic(?:y|ies)|licen[cs]e|agreement))")
_OBJECT = r"(?:this|the|these|our|its)\s+(?:[\w.-]+\s+){0,2}?(?:models?|weights|checkpoints?|outputs?)"
# binding words only: "should not" and "we encourage" are advice and are not here
RESTRICTION = re.compile(
    r"\b(?:subject to|compl(?:y|ies|iance) with|in accordance with|agree(?:s|d)? to|accept(?:s|ed)?|bound by"
    r"|abide by|adhere to|governed by|conditioned on|conform to)\b(?:[^.\n]|\.(?=\w)){0,160}?\b" + _POLICY + r"\b"
    r"|\b" + _POLICY + r",? (?:which|that) (?:forbids|prohibits|restricts|bans)\b"
    r"|\byou (?:may|must|shall|will) not use " + _OBJECT + r"\b(?!(?:\s+[\w.-]+){0,3}?\s+except in compliance)"
    r"|\b(?:you )?agree(?:s)? not to use\b"
    r"|\b(?:models?|weights|checkpoints?|outputs?|it) (?:may|must|shall) not be used (?:for|to|in|by)\b"
    r"|\b(?:use|uses|usage) (?:of " + _OBJECT + r" )?(?:for [^.\n]{1,80}? )?(?:is|are) (?:strictly )?"
    r"(?:prohibited|forbidden|not (?:permitted|allowed))\b"
    r"|\b(?:commercial|military) (?:use|uses|usage) (?:is|are) (?:strictly )?"
    r"(?:prohibited|forbidden|not (?:permitted|allowed))\b"
    r"|\bprohibited uses? (?:of [^.\n]{1,60}? )?(?:are|is) (?:outlined|listed|described|set out|defined) in\b",
    re.IGNORECASE)
RESTRICTION_NEEDLES = ("subject to", "compl", "accordance", "agree", "accept", "bound by", "abide", "adhere",
                       "governed", "conditioned", "conform", "forbids", "prohibit", "restricts", "bans", "not use",
                       "not be used", "forbidden", "not permitted", "not allowed")
# an access form's checkbox may restrict the purpose itself ("I agree to use the model for research only")
GATE_ONLY = re.compile(
    r"\b(?:only|solely|exclusively) for (?:non-?commercial|research|academic)\b"
    r"|\b(?:non-?commercial|research|academic) (?:use|uses|purposes?) only\b", re.IGNORECASE)
GATE_KEYS = ("extra_gated_prompt", "extra_gated_description", "extra_gated_heading", "extra_gated_fields")
LICENSE_NAME = re.compile(r"(?:\baup\b|acceptable[-_ ]?use|(?:use|usage)[-_ ]?polic|responsible[-_ ]?ai"
                          r"|\b(?:open)?rail\b|openrail)", re.IGNORECASE)
POLICY_FILE = re.compile(
    r"^(?:acceptable[-_ ]?use(?:[-_ ]?polic(?:y|ies))?|aup|(?:responsible[-_ ]?)?use[-_ ]?polic(?:y|ies)"
    r"|usage[-_ ]?polic(?:y|ies)|prohibited[-_ ]?uses?)(?:\.(?:md|txt|pdf|html?|rst))?$", re.IGNORECASE)


def declared_open(rec: ModelRecord, card_weights: str | None) -> str | None:
    """The open licence the release declares (its tag or front matter, else the one its card names for the weights
    or the release), or None: an undeclared or restrictive licence is not open-washed by a use policy."""
    lic = rec.license or card_weights
    return lic if lic and classify(lic).open else None


def _gate_texts(meta: dict[str, Any]) -> list[tuple[str, str]]:
    """(key, text) of the access form's words: the prompt, heading and description, and each field's label."""
    out: list[tuple[str, str]] = []
    for key in GATE_KEYS:
        v = meta.get(key)
        if isinstance(v, str):
            out.append((key, v))
        elif isinstance(v, dict):
            out.extend((key, str(label)) for label in v)
        elif isinstance(v, list):
            out.extend((key, str(item.get("label", "")) if isinstance(item, dict) else str(item)) for item in v)
    return out


def _quote(text: str, m: re.Match[str], width: int = 160) -> str:
    """The sentence around a match, on one line (a prompt is quoted where the card cannot anchor it)."""
    a = max(text.rfind(". ", 0, m.start()) + 2 if text.rfind(". ", 0, m.start()) >= 0 else 0,
            text.rfind("\n", 0, m.start()) + 1)
    e = [i for i in (text.find(". ", m.end()), text.find("\n", m.end())) if i >= 0]
    b = min(e) + 1 if e else len(text)
    s = " ".join(text[a:b].split())
    return s if len(s) <= width else s[: width - 1].rsplit(" ", 1)[0] + " …"


def restrictions(rec: ModelRecord) -> list[tuple[str, Evidence]]:
    """(where, evidence) for every kind of use restriction the release states, one item per kind: the access
    form's first restricting line, ``license_name``, the card's first binding sentence, the use-policy files."""
    out: list[tuple[str, Evidence]] = []
    meta = rec.card.meta if rec.card is not None else rec.card_data
    for key, text in _gate_texts(meta or {}):
        m = RESTRICTION.search(text) or GATE_ONLY.search(text)
        if m:
            out.append(("its access form", hub_evidence(rec, f"{key}: {_quote(text, m)}", key)))
            break
    ln = rec.license_name or (meta or {}).get("license_name")
    if isinstance(ln, str) and LICENSE_NAME.search(ln):
        out.append(("its license_name", hub_evidence(rec, f"license_name: {ln}", "license_name")))
    ev = card_search(rec, RESTRICTION, needles=RESTRICTION_NEEDLES)
    if ev is not None:
        out.append(("its card's terms", ev))
    files = [p for p, _ in rec.files if POLICY_FILE.match(posixpath.basename(p))]
    if files:
        named = ", ".join(shown(f) for f in files[:5])
        out.append((f"a use-policy file ({named})", Evidence("file_list", file_locator(rec, files[0]),
                                                              f"use-policy file: {named}", rec.read_at)))
    return out


def flag(rec: ModelRecord, card_weights: str | None) -> dict[str, Any] | None:
    """``open-license-with-use-restrictions``, or None (see the module's docstring for the rule)."""
    lic = declared_open(rec, card_weights)
    if lic is None:
        return None
    ev = restrictions(rec)
    if not ev:
        return None
    return {
        "flag": FLAG,
        "detail": f"declares {lic!r} (open: use for any purpose) but restricts use in "
                  + ", ".join(where for where, _ in ev),
        "evidence": [e.as_json() for _, e in ev],
    }
