"""A model's licence in words, shared by `openscope license ID` and `openscope model ID`.

Why one module: a governance reader decides on adoption from these sentences, so both commands must say
the same thing about the same licence (``model`` used to print only ids such as ``custom_flow_down``).
Ids are kept beside the words, as in ``--json``, so a reader can go from the screen to a query.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from openscope.derive.licenses.catalogue import CLASS_RANK, get_license
from openscope.text import visible

# Plain words for the catalogue's vocabulary (docs/licenses.md, "Classes").
CLASS_WORDS = {
    "permissive": "use, change and share for any purpose; keep the notices",
    "weak_copyleft": "changes to the work itself stay under the same licence",
    "copyleft": "anything built from it stays under the same licence",
    "use_restricted": "open access, with use restrictions that travel with every derivative",
    "non_commercial": "no commercial use",
    "custom_flow_down": "a model-specific licence whose duties bind every derivative",
    "closed": "no public rights",
    "unknown": "nothing can be concluded from what is declared",
}


def yn(v: Any) -> str:
    """A value as a reader says it: yes/no, thousands separators, ``unknown`` for a missing value."""
    if v is None:
        return "unknown"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def cell(value: Any) -> Text:
    """A cell printed as itself: no rich markup, no ``:emoji:`` codes (``name_prefix:Llama:`` printed a
    llama), control characters escaped."""
    return Text(visible(str(value), keep_lines=True))


def duty_words(duty: str, license: str | None = None) -> str:
    """One duty of the catalogue (``naming:Built with Llama``) as what a user of the model must do; with ``license``
    (the licence imposing it), in that licence's terms where they differ: a licence whose clause accepts a link
    instead of a copy (the Creative Commons 4.0 licences, §3(a)(1)(C) "include the text of, or the URI or hyperlink
    to, this Public License") says so, or a reader would ship a copy no one asked for."""
    kind, _, arg = duty.partition(":")
    words = {
        "attribution": "credit the authors (keep the copyright notices)",
        "notice": "pass on the licence's notice text",
        "include_license": ("ship the licence's text, or its URI or a link to it, with the model or anything built on "
                            "it" if _licence_link_suffices(license) else
                            "ship a copy of the licence with the model or anything built on it"),
        "notice_file": "pass on the attribution notices of the work's NOTICE file (if it has one) with any copy or "
                       "derivative",
        "state_changes": "mark every file you modified with a prominent notice that you changed it",
        "include_restrictions": "put its use restrictions into your own terms for the model or anything built on "
                                "it, as an enforceable provision, and tell recipients they apply",
        "same_terms": "release derivatives under the same terms",
        "naming": f'display "{arg}" with products built on it',
        "name_prefix": f'start the name of a derived model with "{arg}"',
    }
    return f"{duty}: {words[kind]}" if kind in words else duty


def _licence_link_suffices(license: str | None) -> bool:
    """Whether the licence's own ``include_license`` clause accepts its URI or a link instead of a copy of its text."""
    info = get_license(license) if license else None
    return info is not None and any(c.attribute == "duty:include_license" and "URI or hyperlink" in c.text
                                    for c in info.clauses)


def class_meaning(cls: Any) -> str:
    """``permissive: use, change and share …``: the class id, then what it means."""
    return f"{yn(cls)}: {CLASS_WORDS[cls]}" if cls in CLASS_WORDS else yn(cls)


def duties_in_words(duties: list[str] | tuple[str, ...] | None, license: str | None = None) -> str:
    """Every duty on its own line, in words (in ``license``'s terms, :func:`duty_words`); ``none`` when there is
    none."""
    return "\n".join(duty_words(d, license) for d in duties or ()) or "none"


def licence_rows(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, text) rows for a model's licence document (``model_licenses``): what it is, what it allows,
    what it obliges, the user cap, the evidence."""
    rows = [("declared", yn(doc.get("declared"))),
            ("licence", yn(doc.get("license")) + (f"  ({doc['reason']})" if doc.get("reason") else "")),
            ("class", class_meaning(doc.get("class")))]
    rows.append(("with its bases", _with_bases(doc)))
    rows.append(("commercial use", _own_and_bases(doc, "commercial_use", _plain) + _card_says(doc, "commercial_use")))
    rows.append(("use restrictions", _own_and_bases(doc, "use_restrictions", _restricted)
                 + _card_says(doc, "use_restrictions")))
    if doc.get("user_cap") or doc.get("effective_user_cap"):
        rows.append(("user cap", _own_and_bases(doc, "user_cap", _cap)))
    unknown = not doc.get("duties") and (doc.get("class") in (None, "unknown") or doc.get("duties_known") is False)
    not_read = "the licence is not known" if doc.get("class") in (None, "unknown") else "its text was not read"
    rows.append(("duties", f"unknown ({not_read})" if unknown else duties_in_words(doc.get("duties"),
                                                                                   doc.get("license"))))
    inherited = [d for d in doc.get("effective_duties") or [] if d.get("from")]
    # a base under a catalogued licence whose text was not read (llama-1-license, proprietary) adds duties no one
    # knows: said here, or the list above would read as complete (`unknown_bases` covers bases of unknown licence)
    not_read = [fd for fd in doc.get("flow_down") or []
                if fd.get("duties_known") is False and fd.get("class") not in (None, "unknown")]
    base_licence = {fd.get("base"): fd.get("license") for fd in doc.get("flow_down") or []}
    if inherited or not_read:  # what its bases' licences add: a derivative carries them out too
        rows.append(("duties from its bases",
                     "\n".join([f"{duty_words(str(d['duty']), base_licence.get(d['from']))} (from {d['from']}"
                                + ("; only if this model is an unmodified copy of it" if d.get("scope") else "") + ")"
                                for d in inherited]
                               + [f"unknown: the duties of {fd.get('license')} (from {fd.get('base')}; its text was "
                                  f"not read)" for fd in not_read])))
    if doc.get("confidence") == 0 and doc.get("license") in (None, "unknown"):
        rows.append(("evidence", "none (nothing was read that names a licence)"))
    else:
        rows.append(("evidence", f"{yn(doc.get('evidence'))} (confidence {yn(doc.get('confidence'))})"))
    if doc.get("card_license"):
        rows.append(("card licence", card_words(doc["card_license"])))
    if doc.get("unknown_bases"):
        rows.append(("bases not known", ", ".join(doc["unknown_bases"]) + " (their terms could not be read)"))
    return rows


def _card_says(doc: dict[str, Any], key: str) -> str:
    """Where the card's text names another licence for the weights than the tag (``card_license.contradicts``) and
    that licence is stricter on ``key``, what it would say: the card row tells the reader to follow both, and a
    `commercial use  yes` two rows above it (a CC BY-NC card beside an Apache-2.0 tag) said the opposite."""
    card = doc.get("card_license") or {}
    info = get_license(str(card["card"])) if card.get("contradicts") and card.get("card") else None
    if info is None or not info.known:
        return ""
    said = doc.get(f"effective_{key}", doc.get(key))
    if key == "commercial_use" and info.commercial_use is False and said is not False:
        return f"; no under the card's {card['card']} (it contradicts the tag: ask the publisher)"
    if key == "use_restrictions" and info.use_restrictions is True and said is not True:
        return f"; yes under the card's {card['card']} (it contradicts the tag: ask the publisher)"
    return ""


def card_words(card: dict[str, Any]) -> str:
    """What the card's text names for the weights against the Hub tag (``card_license``), and where the card says
    it: a contradiction first, in capitals, with what a reader should do about it."""
    where = next((e.get("locator") for e in card.get("evidence") or [] if e.get("kind") == "card"), None)
    at = f"\n(read at {where})" if where else ""
    if card.get("contradicts"):
        return (f"CONTRADICTS the tag: {card.get('detail')}; which terms the publisher meant is unclear: ask them, "
                f"and until then follow both{at}")
    if card.get("contradicts") is False:
        return f"agrees with the tag: {card.get('detail')}{at}"
    return f"{card.get('detail')}{at}"


def _restricted(v: Any) -> tuple[str, str]:
    """Use restrictions in words. Not "an acceptable-use policy": that is Llama's and Gemma's kind; a RAIL
    licence's Attachment A, CC BY-ND's no-derivatives or a research licence's limits are use restrictions too."""
    return yn(v), " (a licence forbids some uses of it)" if v else ""


def _cap(v: Any) -> tuple[str, str]:
    if not v:
        return "none", ""
    if isinstance(v, int):
        return f"{v:,} monthly active users", " (above it, ask the licensor for a licence)"
    return str(v), ""


def _plain(v: Any) -> tuple[str, str]:
    return yn(v), ""


def _own_and_bases(doc: dict[str, Any], key: str, words: Any) -> str:
    """What the model's own licence says of ``key`` and, where its bases' terms change the answer, what applies
    with them first: "may we use it commercially?" is answered by every licence along the lineage (an Apache-2.0
    finetune of a CC BY-NC base said only "yes"). ``words`` gives (value, explanation)."""
    own = doc.get(key)
    eff_key = f"effective_{key}"
    if eff_key not in doc or doc[eff_key] == own:
        return "".join(words(own))
    value, why = words(doc[eff_key])
    if doc.get("license") in (None, "unknown") or doc.get("class") in (None, "unknown"):
        return f"{value} with its bases{why}; its own licence is not known"
    return f"{value} with its bases{why}; {words(own)[0]} under {yn(doc.get('license'))} alone"


def _with_bases(doc: dict[str, Any]) -> str:
    """The class with the bases' terms. A base whose licence is not known makes it unknown (it said "the same
    (no base adds terms)"), and a model whose own licence is not known is still bound by its bases' known terms
    (a GGUF of Gemma declaring nothing said "the same")."""
    flows = doc.get("flow_down") or []
    if not flows:
        return "the same (no base in the lineage)"
    unknown = [str(fd.get("base")) for fd in flows if fd.get("class") in (None, "unknown")]
    if unknown:
        known = "" if doc.get("effective_class") in (None, "unknown") else \
            f"; with the known ones: {class_meaning(doc.get('effective_class'))}"
        return f"unknown: the licence of {', '.join(unknown)} is not known{known}"
    if doc.get("class") in (None, "unknown"):
        worst = max((str(fd["class"]) for fd in flows), key=lambda c: CLASS_RANK.get(c, -1))
        return f"unknown (its own licence is not known); its bases' terms apply at least: {class_meaning(worst)}"
    if doc.get("effective_class") != doc.get("class"):
        return class_meaning(doc.get("effective_class"))
    if any(d.get("from") for d in doc.get("effective_duties") or []):
        return "the same class; its bases add duties (below)"
    return "the same (no base adds terms)"


def base_duties(doc: dict[str, Any], flow: dict[str, Any]) -> str | None:
    """A base's duties, or ``None`` when they are the model's own (said once, not twice)."""
    if flow.get("duties") and list(flow["duties"]) == list(doc.get("duties") or []):
        return None
    return ", ".join(flow.get("duties") or []) or no_base_duties(flow)


def no_base_duties(flow: dict[str, Any]) -> str:
    """What an empty ``duties`` list of a ``flow_down`` entry means. Not "none" (or "-") when the base's licence is
    not known, or is catalogued but its text was not read (a LLaMA 1 base showed "-", as if it imposed nothing), and
    not a bare "none" when its duties bind only unmodified copies and this model changes the base (Apple sample
    code under a finetune): the reader sees why they were dropped."""
    if flow.get("class") in (None, "unknown"):
        return "unknown (the licence is not known)"
    if flow.get("duties_known") is False:
        return "unknown (its text was not read)"
    if flow.get("dropped_duties"):
        return (f"none: {', '.join(flow['dropped_duties'])} bind only an unmodified copy, and this model changes "
                f"the base")
    return "none"


def deleted_words(flow: dict[str, Any]) -> str:
    """What a ``flow_down`` entry's base being gone from the Hub means for its licence ("" for a live base): its
    licence is the one it was last read with (a licence binds a derivative as it was granted), or none was read."""
    if not flow.get("deleted_at"):
        return ""
    known = flow.get("class") not in (None, "unknown")
    return (f"deleted from the Hub on {flow['deleted_at']}; "
            + ("its licence as last read" if known else "no licence was read from it before then"))


def _find_terms(doc: dict[str, Any], unknown: list[str]) -> str:
    """Where to look for the terms of the bases in ``unknown``: their model card or licence file, but not for a base
    deleted from the Hub (its card went with it: the reader was sent to a page that answers 404)."""
    gone = {str(fd.get("base")) for fd in doc.get("flow_down") or [] if fd.get("deleted_at")}
    live = [b for b in unknown if b not in gone]
    where = []
    if live:
        where.append("its model card or licence file" if len(live) == len(unknown) else
                     f"the model card or licence file of {', '.join(live)}")
    if len(live) < len(unknown):
        dead = [b for b in unknown if b in gone]
        where.append(f"{', '.join(dead)} {'was' if len(dead) == 1 else 'were'} deleted from the Hub with "
                     f"{'its' if len(dead) == 1 else 'their'} card: ask its publisher, or look for a copy of its terms "
                     f"kept elsewhere")
    return "; ".join(where)


def conflict_meaning(doc: dict[str, Any]) -> str | None:
    """What a conflict with a base means for whoever uses the model, or ``None`` when there is none."""
    unknown = [str(fd.get("base")) for fd in doc.get("flow_down") or [] if fd.get("class") in (None, "unknown")]
    # a declared `other` (a licence of the publisher's own, not catalogued) is as unknown as no licence: it said
    # "find them … before relying on the declared other" and never named the bases' terms that bind it
    if doc.get("class") in (None, "unknown"):
        bound = sorted({str(fd["license"]) for fd in doc.get("flow_down") or []
                        if fd.get("class") not in (None, "unknown", "permissive") and fd.get("license")})
        also = (f"; the licence of {', '.join(unknown)} is not known either: find its terms "
                f"({_find_terms(doc, unknown)})") if unknown else ""
        if bound:  # no conflict can be decided, but the bases' terms bind it all the same
            return (f"its own licence is not known; whoever uses this model must at least follow the terms of "
                    f"{', '.join(bound)} (its bases' licence){also}")
        return f"its own licence is not known{also}" if unknown else None
    if not doc.get("conflicts"):
        if unknown:  # nothing to flag, and nothing to rely on either: say what to do
            return (f"the licence of {', '.join(unknown)} is not known, and its terms may bind this model: "
                    f"find them ({_find_terms(doc, unknown)}) before relying on the declared "
                    f"{yn(doc.get('license'))}")
        return None
    bases = sorted({str(fd["license"]) for fd in doc.get("flow_down") or [] if fd.get("conflict")})
    return (f"whoever uses this model must still follow the terms of {', '.join(bases)} (its bases' licence); "
            f"the declared {yn(doc.get('license'))} cannot lift them")
