"""The base model a card declares, resolved to cited facts: lineage for a model outside the store.

Why: the index's base-model dimensions (data and weights of the *base*) are about the model a
derivative was built on, not about the derivative. In the store, lineage gives the root and its record
(:func:`records.from_store`). A card read on its own (``openscope assess PATH``, the agreement benchmark,
a model whose base is not in the store) has no lineage, but it usually says what it was built on:
``base_model:`` in the front matter, or a sentence such as "fine-tuned from Llama-2-13B". This module
finds that declaration and resolves it to a curated family (``curated.yml``: each family lists the
``base_aliases`` by which cards name it, and every fact carries its URL). A declaration that names no
curated family resolves to nothing: the base-model dimensions then fall back to the model's own
evidence, as before. Nothing here guesses: an unknown base stays unknown.

The extraction is generic (phrases that declare a base, then a family named within a few words);
only the curated table knows family names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from openscope.derive.lineage.edges import declared_id
from openscope.derive.openness import curated
from openscope.derive.openness.cards import blank, parse_front_matter
from openscope.derive.openness.probes import Evidence, needle_hits, reads_at_least
from openscope.derive.openness.records import (
    DatasetRef,
    ModelRecord,
    _first_license,
    declared_datasets,
    read_card,
)

# A phrase that declares what a model was built from: a verb and its preposition ("fine-tuned from",
# "based on", "initialized with the weights of", "built upon", "continued pre-training on", "distilled
# from"); "trained" only with "from"/"upon"/"on top of" ("trained on" is followed by data, or by a
# paper title in a reference list); "we fine-tune X"; a training command's model argument.
DECLARES = re.compile(
    r"\b(?:fine-?tun(?:ed|ing)|finetun(?:ed|ing)|instruction[- ]tuned|tuned|based|built|initiali[sz]ed"
    r"|continued?|distilled|derived|adapted)\b[^.\n]{0,40}?\b(?:from|on|upon|of|with|over)\b"
    r"|\b(?:pre-?)?trained\b[^.\n]{0,40}?\b(?:from|upon|on top of)\b"
    r"|\b(?:we |to )?fine-?tunes?\b|\bmodel_name_or_path\b|\bbase[_ ]model\b", re.IGNORECASE)
# "based on the X model card" names documentation, not a model
DECLARES_NEEDLES = ("tun", "based", "built", "initiali", "continu", "distill", "derived", "adapted", "trained",
                    "model_name_or_path", "base model", "base_model")
ABOUT_DOCS = re.compile(r"[^\n]{0,30}?\bmodel[- ]?card", re.IGNORECASE)  # used with .match(text, pos)
WINDOW = 80          # a family must be named within this many characters after the phrase
MAX_SCAN = 200_000   # characters of card body examined
LOOKAHEAD = 40       # characters an alias may look past the window's end


@dataclass
class DeclaredBase:
    family: dict[str, Any]       # the curated entry
    name: str                    # what the card says ("Llama-2-13B", "meta-llama/Llama-2-7b-hf")
    evidence: Evidence
    mentions: int                # declarations naming this family
    by_title: bool = False       # a declaration whose subject is the card's title ("X is fine-tuned from Y" under "# X")


@cache
def _aliases() -> tuple[tuple[re.Pattern[str], tuple[str, ...], dict[str, Any]], ...]:
    """(alias, the family's needles, family) for every curated family that cards may name as a base."""
    out = []
    for e in curated.entries():
        needles = tuple(str(n).lower() for n in e.get("base_needles") or ())
        for a in e.get("base_aliases") or ():
            out.append((re.compile(str(a), re.IGNORECASE), needles, e))
    return tuple(out)


def family_named(text: str, start: int = 0, end: int | None = None,
                 lowered: str | None = None) -> tuple[dict[str, Any], re.Match[str]] | None:
    """The curated family named earliest in ``text[start:end]`` (longest name first at one position).

    A name may run past ``end`` (the lookaheads of the aliases see a little further, so that a
    window cut in the middle of "Llama-Factory" does not read as "Llama"). A family's aliases run only
    when one of its needles occurs in the window (``lowered`` is ``text.lower()``, when the caller has it).
    """
    stop = len(text) if end is None else end
    reach = min(len(text), stop + LOOKAHEAD)
    window = (lowered[start:reach] if lowered is not None else text[start:reach].lower())
    best: tuple[int, int, dict[str, Any], re.Match[str]] | None = None
    present: dict[tuple[str, ...], bool] = {}   # a family's needles, looked for once for all its aliases
    for rx, needles, entry in _aliases():
        if needles:
            held = present.get(needles)
            if held is None:
                held = present[needles] = any(n in window for n in needles)
            if not held:
                continue
        m = rx.search(text, start, reach)
        if m and m.start() < stop and (best is None or (m.start(), -len(m.group(0))) < (best[0], best[1])):
            best = (m.start(), -len(m.group(0)), entry, m)
    return (best[2], best[3]) if best else None


def _declarations(body: str, lowered: str, indexed: bool = False) -> list[re.Match[str]]:
    """Every :data:`DECLARES` match, searched only around its verbs (Python's ``re`` scans alternations slowly).
    ``indexed``: ``lowered`` is the card's ``lowered_body`` itself, whose needle occurrences the probes' index
    (:func:`..probes.needle_hits`) holds (the same positions as a ``find`` loop); another text is not indexed,
    so that the card's index is not rebuilt for it."""
    # the card's needle index (one pass for all needles) when ``lowered`` is the card's own lowered body
    find = (lambda n: needle_hits(lowered, n, len(lowered))) if indexed else (lambda n: _find_all(lowered, n))
    hits = sorted(i for n in DECLARES_NEEDLES for i in find(n))
    out: list[re.Match[str]] = []
    last = -1
    pos = 0
    for i in hits:
        a, b = max(pos, i - 8), min(len(body), i + 80)
        if a >= b:
            continue
        for m in DECLARES.finditer(body, a, b):
            if m.start() > last:
                out.append(m)
                last = m.start()
        pos = max(pos, a)
    return out


# The end of a link right before a declaration's verb, and the verb's subject words: "[X](…) was " before
# "fine-tuned on our data" (used with .search on the 40 characters before the verb).
_LINK_THEN_BE = re.compile(r"\)[*_`]*[ \t]+(?:was|is|were|are|has[ \t]+been|have[ \t]+been|serves?[ \t]+as|served[ \t]+as)[ \t]+"
                           r"(?:(?:then|first|additionally|subsequently|the|our)[ \t]+)?$", re.IGNORECASE)


def _linked_before(rec: ModelRecord, body: str, lowered: str, at: int) -> tuple[dict[str, Any], re.Match[str]] | None:
    """The curated family a Hub (or mirror) model link right before the declaration at ``body[at]`` names, when the
    words after the link mark it as the model that was trained further ("[Llama-2-7b](…/meta-llama/Llama-2-7b-hf)
    was fine-tuned on our data": :data:`..probes.weights_released.BASE_AFTER_EN`, not "… was fine-tuned from Y")
    and the link is not the release itself (named as the card's title: ``weights_released._own_release``). Why:
    the card names its base as the subject of the sentence, where "fine-tuned from [X](…)" names it as the object;
    the base is the same."""
    from openscope.derive.openness.probes.weights_released import BASE_AFTER_EN, _own_release, _repo_id

    lead = body[max(0, at - 40):at]
    if ")" not in lead:
        return None
    tail = _LINK_THEN_BE.search(lead)
    if tail is None:
        return None
    close = at - len(lead) + tail.start()           # the link's closing parenthesis
    mid = body.rfind("](", max(0, close - 500), close)
    start = body.rfind("[", max(0, mid - 300), mid) if mid >= 0 else -1
    if start < 0 or "\n" in body[start:close]:
        return None
    rid = _repo_id(body[mid + 2:close])
    off = len(rec.card.text) - len(rec.card.body) if rec.card is not None else 0
    if not rid or not BASE_AFTER_EN.match(body[close + 1:close + 81]) \
            or _own_release(rec, rid, rec.card.text if rec.card is not None else body, off + mid + 2):
        return None
    return family_named(body, start, close, lowered)


def _anchor_of_own_link(rec: ModelRecord, body: str, a: int, b: int) -> bool:
    """Whether ``body[a:b]`` (a family's name) is the anchor of a Hub (or mirror) model link to the release itself
    (its repository or anchor named as the card's title, or the title with a size: "The base model is
    [Llama-2-7b](…/acme/Lynx-7B)" under "# Lynx"; ``weights_released._own_release``). Why: the words then point at this release, whatever its anchor says; the
    same rule as for "[X](…) was fine-tuned on our data" (:func:`_linked_before`)."""
    from openscope.derive.openness.probes.weights_released import _own_release, _repo_id

    open_ = body.rfind("[", max(0, a - 300), a + 1)
    if open_ < 0 or "]" in body[open_:a] or "\n" in body[open_:a]:
        return False
    mid = body.find("](", b, b + 300)
    if mid < 0 or "\n" in body[b:mid] or "[" in body[b:mid]:
        return False
    close = body.find(")", mid + 2, mid + 502)
    rid = _repo_id(body[mid + 2:close]) if close >= 0 else ""
    if not rid or rec.card is None:
        return False
    off = len(rec.card.text) - len(rec.card.body)
    return _own_release(rec, rid, rec.card.text, off + mid + 2)


def _find_all(text: str, needle: str) -> list[int]:
    out, i = [], text.find(needle)
    while i >= 0:
        out.append(i)
        i = text.find(needle, i + 1)
    return out


def _front_matter(rec: ModelRecord) -> DeclaredBase | None:
    meta = rec.card.meta if rec.card is not None else {}
    raw = rec.card_data.get("base_model") or meta.get("base_model")
    ids = [raw] if isinstance(raw, str) else [x for x in raw if isinstance(x, str)] if isinstance(raw, list) else []
    for bid in ids:
        # a Hub address (`https://hf.co/Org/Name/tree/main`) is the id it names, as lineage reads it; a dataset's
        # or a Space's address names no model (and its path must not be read as a family's name)
        rid = declared_id(bid)
        if rid is None:
            continue
        entry = curated.lookup(rid)
        named = family_named(rid) if entry is None else None
        entry = entry or (named[0] if named else None)
        if entry is not None:
            line = rec.card.meta_line("base_model") if rec.card is not None else 1
            ev = Evidence("card", f"{rec.card_locator}#L{line}", f"front matter: base_model: {bid}", rec.read_at)
            return DeclaredBase(entry, bid, ev, 1)
    return None


def declared_base(rec: ModelRecord) -> DeclaredBase | None:
    """The curated family the card declares as its base, with the line that says so (or None)."""
    if rec.card is None:
        return None
    if "declared_base" in rec.cache:
        return rec.cache["declared_base"]
    found = _front_matter(rec)
    if found is None:
        body = rec.card.body[:MAX_SCAN]
        lowered = rec.card.lowered_body[:MAX_SCAN]
        counts: dict[str, DeclaredBase] = {}
        # the card's title and own family, read at the first family named (most declarations name none: each costs
        # a search of the card's head and a walk over every alias)
        title: re.Pattern[str] | None = None
        own: str | None = None
        read = False
        for m in _declarations(body, lowered, lowered is rec.card.lowered_body):
            nl = body.find("\n", m.end())
            stop = min(m.end() + WINDOW, len(body) if nl < 0 else nl)
            hit = family_named(body, m.end(), stop, lowered)
            if hit is None:
                hit = _linked_before(rec, body, lowered, m.start())
            if hit is None:
                continue
            entry, am = hit
            if ABOUT_DOCS.match(body, am.end()) or _anchor_of_own_link(rec, body, am.start(), am.end()):
                continue
            if not read:
                title, own, read = _title_pattern(rec), _own_family(rec), True
            if entry.get("family") == own or _about_a_part(rec, body, m.start(), title):
                continue
            key = str(entry["family"])
            # (a card naming its own title as what was built on: "… distilled from DeepSeek-R1" under "# DeepSeek-R1"
            # tells what was built from it)
            subject = (title is not None and not title.fullmatch(am.group(0).strip())
                       and _subject_is(body, m.start(), title))
            if key in counts:
                counts[key].mentions += 1
                counts[key].by_title = counts[key].by_title or subject
                continue
            off = len(rec.card.text) - len(rec.card.body)
            a, b = min(m.start(), am.start()), max(m.end(), am.end())
            anchor, snip = rec.card.span(off + a, off + b)
            ev = Evidence("card", f"{rec.card_locator}{anchor}", snip, rec.read_at)
            counts[key] = DeclaredBase(entry, am.group(0), ev, 1, subject)
        if counts:
            # a family the card's own model is said to be built on ("DeepSeek-R1 is trained based on
            # DeepSeek-V3-Base" under "# DeepSeek-R1") before families named more often about other models
            # ("six dense models distilled from DeepSeek-R1 based on Llama and Qwen"); then the family declared
            # most often; at equal counts the first declared (dicts keep order)
            found = max(counts.values(), key=lambda d: (d.by_title, d.mentions))
    rec.cache["declared_base"] = found
    return found


# An HTML level-1 heading ("<div align="center"><h1>X</h1></div>", a GitHub README's centred title)
_HTML_H1 = re.compile(r"<h1\b[^>]{0,200}>([^<]{1,200})</h1\s*>", re.IGNORECASE)


def _title_text(rec: ModelRecord) -> str:
    """The card's title: its first level-1 heading, or an HTML ``<h1>`` standing before it. Why: a GitHub README
    centres its title in HTML and may open its markdown with "# Table of Contents"."""
    assert rec.card is not None
    first = next((s for s in rec.card.sections if s.level == 1), None)
    end = first.start if first is not None else min(len(rec.card.text), 20_000)
    html = _HTML_H1.search(rec.card.text, 0, end)
    if html is not None and html.group(1).strip():
        return " ".join(html.group(1).split()).strip(" *_`#")
    return first.title.strip(" *_`#") if first is not None else ""


def _own_family(rec: ModelRecord) -> str | None:
    """The curated family the card's title is, as a whole ("Baichuan 2" titling Baichuan 2's own README), or None.
    Why: a flagship's README names its own family in sentences that read as declarations ("Based on this
    quantization method, X supports …", its fine-tuning example's ``--model_name_or_path``, "no applications based
    on X"); a family of the model's own is never its base."""
    title = _title_text(rec)
    hit = family_named(title) if len(title) >= 3 else None
    if hit is None or hit[1].group(0).strip().lower() != title.lower():
        return None
    return str(hit[0]["family"])


def _title_pattern(rec: ModelRecord) -> re.Pattern[str] | None:
    """The card's title (:func:`_title_text`) as a pattern matching it as a whole name, or None.
    Read from the card's own words, as :func:`..probes.weights_released._own_release` reads it: a probe never
    looks at the model's id."""
    assert rec.card is not None
    title = _title_text(rec)
    if len(title) < 3:
        return None
    return re.compile(rf"(?<![\w.-]){re.escape(title)}(?![\w-]|\.\w)", re.IGNORECASE)


# What ends the sentence before a declaration's verb: its subject is read back to there.
_SENTENCE_END = re.compile(r"[.!?;:。！？；：\n](?:\s|$)|\n")


_COPULA_THEN_VERB = re.compile(r"[ \t]*(?:is|are|was|were|has[ \t]+been|have[ \t]+been)\b[^,;()\[\]]{0,40}",
                               re.IGNORECASE)


# A tool around a model that a card describes beside it (its prompt enhancer, its data captioner, its safety checker):
# built on a family of its own, which is not the base of the card's model. Read as the heading of the section holding
# the declaration ("#### Video Captioner"). A reward model or a judge is left out: a card about one names it so.
_PART = re.compile(r"\b(?:prompt[ \t-]*(?:enhancer|rewriter|extender)s?|enhancers?|captioners?|rewriters?|annotators?|"
                   r"safety[ \t-]+(?:checkers?|classifiers?))\b", re.IGNORECASE)
# As a sentence's subject only the parts no card names its own model by ("The prompt enhancer is implemented based
# on Y"; "Our captioner is built on top of Y" may be a captioner's own card, so it is not read here); no comma
# between ("Lumen-Chat, trained to follow any prompt, is fine-tuned from Y" has the model as its subject).
_PART_SUBJECT = re.compile(r"[ \t]*+(?:(?:the|our|this|its|a|an)[ \t]++)?(?:[\w-]++[ \t]++){0,2}?"
                           r"(?:prompt[ \t-]*(?:enhancer|rewriter|extender)s?|safety[ \t-]+(?:checkers?|classifiers?))"
                           r"\b[^,;()\[\]]{0,60}$", re.IGNORECASE)


def _about_a_part(rec: ModelRecord, body: str, at: int, title: re.Pattern[str] | None) -> bool:
    """Whether the declaration at ``body[at]`` is about a tool around the card's model rather than the model: "The
    prompt enhancer is implemented based on Y", or any declaration under "#### Video Captioner". Why: a video model's
    README tells what its enhancer and its captioner are built on (a chat or vision-language model), and those
    lines were read as the video model's base. A card whose title names such a part (the captioner's own card)
    declares its own base that way: the rule then stays out."""
    assert rec.card is not None
    from openscope.derive.openness.probes._own_evidence import enclosing_titles

    if _PART.search(_title_text(rec)):
        return False
    lead = body[max(0, at - 200):at]
    ends = [e.end() for e in _SENTENCE_END.finditer(lead)]
    lead = lead[ends[-1]:] if ends else lead
    if _PART_SUBJECT.match(lead) and (title is None or not title.search(lead)):
        return True
    off = len(rec.card.text) - len(rec.card.body)
    near = enclosing_titles(rec.card, off + at)[-1:]
    return bool(near) and _PART.search(near[0]) is not None


def _subject_is(body: str, at: int, title: re.Pattern[str]) -> bool:
    """Whether the sentence before the declaration at ``body[at]`` names the card's title ("DeepSeek-R1-Zero &
    DeepSeek-R1 are trained based on …" under "# DeepSeek-R1"): the card then says what its own model was built on.
    Why: a card also tells what was built *from* its model ("six dense models distilled from DeepSeek-R1"), and such
    lines may outnumber the one that names its base."""
    start = max(0, at - 200)
    lead = body[start:at]
    ends = [e.end() for e in _SENTENCE_END.finditer(lead)]
    lead = lead[ends[-1]:] if ends else lead
    named = [t.end() for t in title.finditer(lead)]
    # the title as the subject of the declaring verb: "X are trained based on", "X was fine-tuned from", not "…
    # distilled from X based on Llama" (X is an object there)
    return bool(named) and _COPULA_THEN_VERB.fullmatch(lead, named[-1]) is not None


def family_of_root(root_id: str, external: bool) -> dict[str, Any] | None:
    """The curated family of a lineage root: by its Hub id (hand-curated patterns, MOT records), and for
    a root that is not in the store (an external node: nothing of its own to read) by the family its id
    names ("huggyllama/llama-7b" → LLaMA), as a card's declaration would."""
    entry = curated.lookup_any(root_id)
    if entry is None and external:
        hit = family_named(root_id)
        entry = hit[0] if hit else None
    return entry


@dataclass
class PastedBase:
    """The base model's card as a re-upload pastes it ("# Original model card: …"), read as the base's own."""

    record: ModelRecord          # the pasted copy alone, at its lines in the re-upload's card
    name: str                    # the base's Hub id (front matter ``base_model``) or the name the heading gives
    lines: tuple[int, int]       # first and last line of the copy in the re-upload's card
    evidence: Evidence           # the heading that opens the copy


_PASTED_TITLE = re.compile(r"^\W*original[ \t]+(?:model[ \t]+)?(?:card|readme)\b[\s:*_-]*", re.IGNORECASE)
PASTED_LABEL = "pasted original card"
MIN_PASTED_CHARS = 40   # a copy with less to read than this is no card (the probes' "some content" bound)
MAX_NAME_CHARS = 200   # the base's name a heading gives is shown on one line


def pasted_base(rec: ModelRecord) -> PastedBase | None:
    """The card of the base model that this card pastes (:func:`records.read_card` found it), as a record of its
    own: the copy alone (the re-upload's words blanked, and the copy's heading too, so the copy is not read as
    pasting itself), at the very offsets and lines where the re-upload's README has it, with no files. A front
    matter block at the copy's start (some uploaders paste the base's README whole) is the base's declared
    metadata (its licence, tags, datasets). None when the card pastes no other card, or a copy with nothing to
    read.

    Why: the copy IS the base publisher's card as the uploader saw it. For the index's base-model dimensions
    (the base's data sources and weights) it is the base's own words, better than the re-upload's words about
    itself; it is still a third party's copy, so everything read from it says so (``[pasted original card,
    lines a-b]``) and points at its lines in the re-upload's README."""
    if rec.card is None or rec.card.pasted is None:
        return None
    if "pasted_base" in rec.cache:
        return rec.cache["pasted_base"]
    found = _pasted_copy(rec)
    # A copy that itself pastes a card under its own "Original model card" heading (a quantization of a
    # re-upload: the copied card is the re-upload's, and the model it was made from is pasted inside it): the
    # innermost copy is the base's own card, the outer copies are the intermediate re-uploads' words about
    # themselves. A few levels at most (a hostile card nests headings without end).
    for _ in range(MAX_PASTED_DEPTH):
        inner = _pasted_copy(found.record) if found is not None and found.record.card is not None \
            and found.record.card.pasted is not None else None
        if inner is None:
            break
        found = inner
    rec.cache["pasted_base"] = found
    return found


MAX_PASTED_DEPTH = 3


def _pasted_copy(rec: ModelRecord) -> PastedBase | None:
    """The one copy :attr:`.Card.pasted` holds, as a record (see :func:`pasted_base`)."""
    card = rec.card
    if card is None or card.pasted is None:
        return None
    p = card.pasted
    nl = p.text.find("\n")
    head = len(p.text) if nl < 0 else nl
    rest = p.text[head:]
    meta, after, _ = parse_front_matter(rest.lstrip("\r\n"))
    if not reads_at_least(after.strip(), MIN_PASTED_CHARS):
        return None   # a heading over nothing (or a few words): no card of the base to read
    text = blank(card.text[:p.start]) + blank(p.text[:head]) + rest + blank(card.text[p.end:])
    raw = rec.card_data.get("base_model") or card.meta.get("base_model")
    ids = [raw] if isinstance(raw, str) else [x for x in raw if isinstance(x, str)] if isinstance(raw, list) else []
    title = _PASTED_TITLE.sub("", p.heading.lstrip("# \t")).strip(" *_#:")[:MAX_NAME_CHARS] \
        if _PASTED_TITLE.match(p.heading.lstrip("# \t")) else ""   # a name, not a page (nor a sentence over a copy)
    rid = declared_id(ids[0]) if len(ids) == 1 else None   # an address as the id it names, as lineage reads it
    name = (rid.strip() if rid and rid.strip() else "") or title or PASTED_LABEL
    base = ModelRecord(id=name, locator=rec.locator, read_at=rec.read_at)
    base.card = read_card(text)
    base.card_locator = rec.card_locator
    if meta:
        base.card_data = meta
        base.license = _first_license(meta)
        tags = meta.get("tags")
        base.tags = [str(t) for t in tags if isinstance(t, str)] if isinstance(tags, list) else []
        base.datasets = [DatasetRef(d) for d in declared_datasets(base.tags, meta, None)]
    first, last = card.line_of(p.start), card.line_of(max(p.start, p.end - 1))
    ev = Evidence("card", f"{rec.card_locator}#L{first}-L{last}",
                  f"{PASTED_LABEL}: {p.heading[:120]} (lines {first}-{last}, the base's card as this re-upload "
                  "copies it)", rec.read_at)
    return PastedBase(base, name, (first, last), ev)
