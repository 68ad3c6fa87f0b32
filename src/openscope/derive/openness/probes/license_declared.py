"""Which licence is declared (Hub tag, card front matter, or named in the card's text), and is it open?"""

from __future__ import annotations

import re
from urllib.parse import unquote

from openscope.derive.openness.licensing import classify
from openscope.derive.openness.probes import Evidence, Finding, hub_evidence
from openscope.derive.openness.probes._license_scope import covers, scopes_of
from openscope.derive.openness.records import ModelRecord

COMPONENT = None
# Named licences, in the order they are tried; the first group is open, the second restrictive.
# A permissive licence "modified" by its publisher (Kimi's "Modified MIT License") is not that licence: it is
# the publisher's own terms (`modified-mit`, the id the Hub's `license_name` gives it), never the OSI-approved
# original.
_UNMODIFIED = r"(?<!modified )(?<!modified-)"
OPEN_NAMES = [
    ("Apache-2.0", re.compile(_UNMODIFIED + r"(?:apache[- ]?(license,? )?(version |v)?2(\.0)?\b|apache license)",
                              re.IGNORECASE)),
    ("MIT", re.compile(_UNMODIFIED + r"\bMIT\b(?! ?-?non)", re.IGNORECASE)),
    ("BSD-3-Clause", re.compile(_UNMODIFIED + r"\bBSD\b", re.IGNORECASE)),
    ("GPL-3.0-or-later", re.compile(r"\bA?GPL[- ]?v?\d|GNU (Affero )?General Public License", re.IGNORECASE)),
    ("CC-BY-4.0", re.compile(r"CC[- ]BY(?![- ]?(NC|ND))[- ]?(SA[- ]?)?\d|Creative Commons Attribution(?![- ](Non|No))",
                             re.IGNORECASE)),
    ("CC0-1.0", re.compile(r"\bCC0\b", re.IGNORECASE)),
]
RESTRICTIVE_NAMES = [
    ("CC-BY-NC-4.0", re.compile(r"CC[- ]BY[- ]NC|non-?commercial|noncommercial", re.IGNORECASE)),
    ("openrail", re.compile(r"\b(Open)?RAIL(\+\+)?(-M|-S)?\b", re.IGNORECASE)),
    ("other", re.compile(r"community licen[cs]e|licen[cs]e agreement|terms of (use|service)|research(-only| only)? "
                         r"licen[cs]e|model licen[cs]e|custom licen[cs]e|research purposes? only|"
                         r"academic research only|acceptable use policy|commercial licen[cs]e", re.IGNORECASE)),
    # the licence's name, not "we modified MIT-licensed code": "Modified MIT License", or a badge's
    # "License-Modified_MIT"
    *((f"modified-{lic}", re.compile(rf"\bmodified[ -]{name}(?:[ -]?(?:v(?:ersion)?[ -]?)?[\d.]+)?(?=[ -]licen[cs]e\b)|"
                                     rf"licen[cs]e[-: ]+modified[ -]{name}\b", re.IGNORECASE))
      for lic, name in (("mit", "MIT"), ("apache-2.0", "apache"), ("bsd", "BSD"))),
]
# A licence line names the word, or puts the work "under" a licence by name ("weights released under
# Apache 2.0", "available under CC-BY-4.0") without saying "licence".
LICENSE_WORD = re.compile(r"licen[cs]|\bunder (the )?(apache\b|mit\b|bsd\b|a?gpl|lgpl|gnu\b|cc[- ]?by|cc0\b"
                          r"|creative commons|(open)?rail\b|mpl\b|mozilla public)", re.IGNORECASE)
LICENSE_SECTION = re.compile(r"licen[cs]", re.IGNORECASE)
GENERIC_HEADING = re.compile(r"\s*+#++\W*+((model|software|code|our) )?licen[cs]es?( agreements?| terms| information)?\W*+$",
                             re.IGNORECASE)
# A misuse bullet speaks of other people's licensed material and terms; it names no licence of the release.
MISUSE = re.compile(r"\blicensed material\b|\bin violation of (?:its|their|the|any) (?:terms|licen[cs]e)", re.IGNORECASE)
REMEDIATION = "Declare an OSI-approved licence (e.g. Apache-2.0 or MIT) in the `license:` metadata and the card."


def named_in_card(rec: ModelRecord) -> tuple[list[str], list[str], list[Evidence]]:
    """(open licences, restrictive licences, evidence) named in licence sections and licence sentences."""
    return _read_card(rec)[:3]


def scoped_in_card(rec: ModelRecord) -> list[tuple[str, frozenset[str]]]:
    """Every licence the card names, in the order it names them, with what it covers (:mod:`._license_scope`:
    the code, the weights, the data; an empty set is the release as a whole)."""
    return _read_card(rec)[3]


def card_license_for(rec: ModelRecord, what: str, *, explicit_only: bool = False) -> str | None:
    """The licence the card names for ``what`` (code, weights, data): restrictive first, as a reader bound by
    both must follow the stricter. ``explicit_only`` keeps only names that say they cover it."""
    names = [lic for lic, sc in scoped_in_card(rec)
             if (what in sc if explicit_only else covers(sc, what))]
    # a named restrictive licence before the catch-all `other` ("Model License: CC BY-NC 4.0" names both)
    restr = sorted((n for n in names if n in RESTRICTIVE_IDS), key=lambda n: n == "other")
    return (restr or names or [None])[0]


RESTRICTIVE_IDS = {lic for lic, _ in RESTRICTIVE_NAMES}


def _read_card(rec: ModelRecord) -> tuple[list[str], list[str], list[Evidence], list[tuple[str, frozenset[str]]]]:
    if rec.card is None:
        return [], [], [], []
    if "named_licenses" in rec.cache:
        return rec.cache["named_licenses"]
    texts: list[tuple[str, int]] = []  # (text, its offset in the card's full text)
    for s in rec.card.sections:
        if LICENSE_SECTION.search(s.title):
            texts.append((s.text[:2000], s.start))
    off = len(rec.card.text) - len(rec.card.body)
    body = rec.card.body
    last_line_end = -1
    for m in LICENSE_WORD.finditer(body):
        if m.start() <= last_line_end:
            continue  # one entry per line
        a = body.rfind("\n", 0, m.start()) + 1
        b = body.find("\n", m.end())
        b = len(body) if b < 0 else b
        last_line_end = b
        if GENERIC_HEADING.match(body[a:b]):
            continue  # a heading ("## License Agreement") announces a section; it names no licence
        if MISUSE.search(body[a:b]):
            continue  # "sharing of … licensed material in violation of its terms of use" is a misuse, not a licence
        texts.append((body[a:b][:400], off + a))
        if len(texts) > 60:
            break
    opens: list[str] = []
    restr: list[str] = []
    ev: list[Evidence] = []
    scoped: list[tuple[str, frozenset[str]]] = []
    for raw, at in texts:
        text = unquote(raw).replace("_", " ")  # badges: License-Apache%202.0
        # In the order the text names them: "this model is under MIT; the distilled ones derive from
        # Apache-2.0 models" declares MIT first (the pattern order only breaks ties).
        hits = sorted((m.start(), i, lic, kind, m.end())
                      for kind, names in ((opens, OPEN_NAMES), (restr, RESTRICTIVE_NAMES))
                      for i, (lic, rx) in enumerate(names) for m in rx.finditer(text))
        for (_, _, lic, kind, _), sc in zip(hits, scopes_of(text, [(h[0], h[4]) for h in hits]), strict=True):
            if lic not in kind:
                kind.append(lic)
            if (lic, sc) not in scoped:
                scoped.append((lic, sc))
        if hits and len(ev) < 2:
            # the card's own words (not the decoded badge text the names were matched in), and the lines
            # they span
            lead = at + len(raw) - len(raw.lstrip())
            anchor, snip = rec.card.span(lead, lead, 200, stop=at + len(raw))
            ev.append(Evidence("card", f"{rec.card_locator}{anchor}", snip, rec.read_at))
    rec.cache["named_licenses"] = (opens, restr, ev, scoped)
    return opens, restr, ev, scoped


def from_card_text(rec: ModelRecord) -> tuple[str | None, object]:
    opens, restr, ev = named_in_card(rec)
    if restr:
        return restr[0], (ev[0] if ev else None)
    if opens:
        return opens[0], (ev[0] if ev else None)
    return None, None


def run(rec: ModelRecord) -> Finding:
    f = Finding("license_declared", "unknown", COMPONENT, remediation=REMEDIATION)
    opens, restr, card_ev = named_in_card(rec)
    card_lic = restr[0] if restr else (opens[0] if opens else None)
    rec.cache["card_license"] = card_lic
    declared = rec.license
    f.evidence = ([hub_evidence(rec, f"license: {declared}", "license")] if declared else []) + card_ev
    # What the card names for the weights (a code-only or data-only licence is not the model's): the
    # open-washing flags compare this one with the Hub tag.
    f.detail = {"declared": declared, "card": card_lic, "card_open": opens, "card_restrictive": restr,
                "card_weights": card_license_for(rec, "weights"),
                "card_scopes": [[lic, sorted(sc)] for lic, sc in scoped_in_card(rec)],
                "license_name": rec.license_name}
    v = classify(declared or card_lic)
    f.license = v.id
    mixed = not declared and bool(opens) and bool(restr)
    f.detail["mixed"] = mixed
    f.detail["class"] = v.cls
    if v.open is None:
        f.outcome = "negative" if rec.card is not None or rec.files else "unknown"
        f.status = "no_license"
    else:
        f.outcome = "positive" if v.open else "negative"
        f.status = "open_license" if v.open else "restrictive_license"
    return f
