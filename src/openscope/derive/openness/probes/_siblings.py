"""Which parts of a multi-project README are about *another* release: a sibling model, benchmark, dataset or paper.

Why: many READMEs host several releases. A team's repository README (the card read for one of its models) keeps a
news list ("We released **Plover Dialogs**, a dataset …", "We introduce **Heron-S2V**, … and its technical
report"), a section per project ("## Kestrel-MoE: sparse experts …") and a header row of papers ("Kestrel-MoE
Paper"). Read as the release's own documentation, the sibling's dataset became the release's training data, its
paper the release's paper, its results table the release's results and its "models, data and training recipes are
open-sourced" the release's training code.

A reader tells the release's part from a sibling's by the names the README uses, and so does this module, with the
one handle every card has: the release's own id. A name *names this release* when each of its runs of letters or
of digits (lower-cased, a version's ".0" left out: "Heron2.5" is ``heron``, ``2``, ``5``) is a run of the id's
name and one of them is a word of three letters or more: "Heron2.5" and "Heron v2.5" name ``birdlab/Heron2.5-T2V-7B``,
"Heron2.5-S2V-7B", "Heron-MoE" and "Heron3" do not, nor does a version alone ("v2.5"). Nothing is read as another
release's unless the card's title names the release or its family (the title's name before a colon or a dash, or
one of the names it joins with "&": "# Heron: small chat models" over ``birdlab/Heron-Chat-7B``): a card titled
otherwise, or read under a folder's name, is left as it is, since whether its news is about it cannot be told.
Then:

* **a news item announcing another release**: a list item under a news heading (News, Updates, What's new,
  Latest, Changelog, Release notes; 新闻, 动态, 更新, 公告) or opening with a date ("[2024/03]", "Nov 13, 2025:"),
  or a heading, whose first clause announces (released, introduce, launch, open-sourced, published, accepted
  by, updated a report; 发布, 开源, 推出) and names something (a bold, italic or code span, a link's anchor, or,
  in a list item, the capitalised name right after an active verb: "released Plover Arena technical report"), and
  in which no name nor word names this release. An item that names this release ("We've released the weights of
  **Heron2.5**") or names nothing ("Updated the training code"; a version alone, "**v2.0**", or words for a kind of
  thing, "**Code and Checkpoints**", name nothing) stays the release's. A heading's section goes with
  it;
* **a section headed by a name so announced** ("## Kestrel-MoE: …"), with its subsections;
* **a line that only labels what follows with such a name** ("**Kestrel-MoE:**" over its BibTeX entry), to the end
  of the code block or paragraph below;
* **a link labelled as such a name's paper or report** ("[Kestrel-MoE Paper](…)", "<a …>Kestrel-MoE Paper</a>").

These parts are blanked (lines kept) in the card the probes read (:func:`own_view`), as a pasted original card is,
and the assessment's warnings say which lines were read as another release's. Pure functions of the card and the
id; nothing keys on a particular model's name.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass

from openscope.derive.openness.cards import Card, _fenced, blank, list_item_end, paragraph_end, parse_card
from openscope.derive.openness.probes import Evidence, _quoted
from openscope.derive.openness.records import ModelRecord

TITLE_LINES = 60          # the title is the card's first heading within its first lines
MAX_ITEMS = 400           # list items read per card (a hostile card stays cheap)
MAX_STATEMENT = 600       # characters of an item or a heading read for its first clause

_NEWS_TITLE = re.compile(r"\b(?:news|updates?|what'?s\s+new|latest|change\s*log|release\s+notes|announcements?)\b"
                         r"|新闻|动态|动態|更新|公告|最新", re.IGNORECASE)
_DATE = re.compile(r"[ \t*_`\[(【]{0,6}(?:\d{4}[./-]\d{1,2}(?:[./-]\d{1,2})?|\d{1,2}[./-]\d{4}"
                   r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,6}\.?[ \t]{1,3}\d{1,2}(?:st|nd|rd|th)?,?"
                   r"[ \t]{1,3}\d{4}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,6}\.?[ \t]{1,3}\d{4})"
                   r"[ \t*_`\])】]{0,6}[:：]?", re.IGNORECASE)
_ITEM = re.compile(r"^[ \t]{0,8}(?:[-*+]|\d{1,3}[.)])[ \t]+", re.MULTILINE)
# a list item that opens with a date, or with a short label and a date ("- **[2024.05]**", "- 🔥 News: 2024/05/01:")
# (from the line break before it: a pattern opening with a literal is searched at C speed from one to the next)
_DATED_ITEM = re.compile(r"\n[ \t]{0,8}(?:[-*+]|\d{1,3}[.)])[ \t]+(?:[^\w\n]{0,12}(?:\*\*|__)?[A-Za-z][\w ]{0,18}(?:\*\*|__)?"
                         r"[:：][ \t]{0,3})?[ \t*_`\[(【]{0,6}(?:\d{4}[./-]\d{1,2}|\d{1,2}[./-]\d{4}"
                         r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,6}\.?[ \t]{1,3}\d)",
                         re.IGNORECASE)
# a label before an item's news ("🔥 **News**:", "🌱 Source:")
_LABEL = re.compile(r"[^\w\n]{0,12}(?:\*\*|__)?[A-Za-z][\w ]{0,18}(?:\*\*|__)?[:：](?!//)\s*")
ANNOUNCE = re.compile(
    r"\b(?:releas(?:e|ed|es|ing)|introduc(?:e|ed|es|ing|t)|launch(?:ed|es|ing)?|open-?sourc(?:ed|ing)"
    r"|open-?sourc(?:e|es)\s+(?:the|our|a|an|its)|publish(?:ed|es|ing)?|announc(?:e|ed|es|ing)|unveil(?:ed|s|ing)?"
    r"|(?P<passive>accepted\s+(?:by|to|at|in)|updated?\s+(?:a|an|the|our)\s+(?:[\w-]+\s+){0,2}?(?:report|paper)))\b"
    r"|发布|开源|推出|上线",
    re.IGNORECASE)
# (one of them is in every announcement's lower-cased text: a card with none is read no further)
ANNOUNCE_NEEDLES = ("releas", "introduc", "launch", "open-sourc", "opensourc", "publish", "announc", "unveil",
                    "accepted", "update", "发布", "开源", "推出", "上线")
_MD_LINK = re.compile(r"!?\[((?:[^\[\]\n]|\[[^\[\]\n]*\]){0,300})\]\([^)\s]{0,1000}\)")
_HTML_LINK = re.compile(r"<a\s[^<>]{0,1000}>(.{0,300}?)</a>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^<>\n]{0,1000}>")
# a bold, italic or code span: a name as the card sets it apart
_SET_APART = re.compile(r"\*\*([^*\n]{1,120}?)\*\*|__([^_\n]{1,120}?)__|(?<![*\w])\*([^*\s][^*\n]{0,80}?)\*(?![*\w])"
                        r"|(?<![_\w])_([^_\s][^_\n]{0,80}?)_(?![_\w])|`([^`\n]{1,80})`")
OPEN, CLOSE = "\x01", "\x02"   # a name's marks in a clause (a link's anchor, a bold, italic or code span)
_MARKED = re.compile(OPEN + r"([^\x01\x02]*)" + CLOSE)
# where a clause ends: a comma, semicolon, exclamation or question mark, a full stop before a space, a dash between
# words (a version's "v1.5" and a name's "Heron2.5" go on)
_CLAUSE_END = re.compile(r"[,;!?，；！？。]|\.(?=\s|$)|\s[—–-]\s|—")
_CAPITALISED = re.compile(r"[ \t]{0,3}((?:[A-Z][\w.+-]{0,40}|\d[\w.+-]{0,10}[A-Za-z][\w.+-]{0,30})"
                          r"(?:[ \t]{1,3}(?:[A-Z][\w.+-]{0,40}|\d[\w.+-]{0,10})){0,5})")
_WORDS = re.compile(r"[a-z0-9]+")
_RUNS = re.compile(r"[a-z]+|[0-9]+")
_LETTER = re.compile(r"[a-z]")
# labels that name no project: a link's or a bold span's words for a kind of thing
_GENERIC = frozenset({"here", "this", "link", "report", "paper", "technical-report", "tech-report", "weights",
                      "model-weights", "code", "inference-code", "training-code", "data", "dataset", "datasets",
                      "demo", "blog", "post", "blog-post", "pr", "huggingface", "hugging-face", "github", "arxiv",
                      "modelscope", "website", "project-page", "page", "space", "online", "docs", "documentation",
                      "readme", "details", "full-details", "model", "models", "video", "pdf", "note", "new", "hot",
                      "update", "updates", "news", "source", "plan", "todo"})
# words for a kind of thing a news item gives ("**Code and Checkpoints**", "**Technical Report**"): a label made of them
# names no project
_KINDS = frozenset({"code", "codes", "weights", "checkpoint", "checkpoints", "model", "models", "data", "dataset",
                    "datasets", "paper", "papers", "report", "reports", "technical", "tech", "inference", "training",
                    "train", "evaluation", "eval", "demo", "demos", "and", "the", "of", "our", "a", "an", "for", "&",
                    "new", "all", "full", "official", "version", "release", "scripts", "script", "recipes", "recipe",
                    "pipeline", "blog", "post", "page", "project", "website", "documentation", "docs"})
_LETTERS = re.compile(r"[a-z]+")
_PAPER_LABEL = re.compile(r"^(.{2,60}?)\s+(?:paper|technical\s+report|tech\s+report|report|preprint)$", re.IGNORECASE)
# what separates the links of a row: spaces, "&nbsp;", bars, dots, slashes and emoji (not the next link's bracket)
_ROW_GAP = re.compile(r"(?:[ \t]|&nbsp;|[|｜·•/]|[^\w\s\[\]<>()!*_`#\\])*")
# a line that is only a label ("**Kestrel-MoE:**", "Kestrel:"), and the blank lines up to a fence below it
_LABEL_LINE = re.compile(r"\n[ \t]{0,3}(?:\*\*|__)?([\w][\w .+-]{1,58}?)(?:\*\*|__)?[ \t]*[:：][ \t]*(?:\*\*|__)?[ \t\r]*(?=\n|$)")
# where a label line can end: its colon, then blanks and a closing emphasis mark, then the line's end (a line that
# :data:`_LABEL_LINE` matches ends so)
_LABEL_END = re.compile(r"[:：][ \t]*(?:\*\*|__)?[ \t\r]*(?=\n|\Z)")
_NEXT_FENCE = re.compile(r"[ \t\r]{0,40}\n(?:[ \t\r]{0,40}\n){0,20}")
_TITLE_HEAD = re.compile(r"[ \t]{0,8}[:：|]|\s[-—–]\s")
_TITLE_PARTS = re.compile(r"[ \t]{0,8}(?:&|/|,|\+|\band\b)[ \t]{0,8}")
_PROJECT_HEADING = re.compile(r"^\W*([\w][\w.+-]{1,40}(?:\s+[\w.+-]{1,20}){0,2}?)\s*(?:[:：]|\s[-—–]\s|$)")


def _squash(text: str) -> str:
    return "".join(_WORDS.findall(text.lower()))


_POINT_ZERO = re.compile(r"(?<=\d)\.0+(?![\d.])")


def _runs(text: str) -> list[str]:
    """The runs of letters and of digits of ``text``, lower-cased, a version's ".0" left out ("Heron4-6B": heron, 4,
    6, b; "Wren 2.0": wren, 2, as "Wren-v2" has)."""
    return _RUNS.findall(_POINT_ZERO.sub("", text).lower())


def runs(text: str) -> frozenset[str]:
    """:func:`_runs` as a set: the words a name of the release may use."""
    return frozenset(_runs(text))


_NOT_PLAIN = re.compile(r"[^\w\s.:：&/,+'’-]")


def _plain(text: str) -> str:
    """A title's or a label's words: without HTML tags, images, emphasis marks and emoji."""
    text = _TAG.sub(" ", text)
    text = _MD_LINK.sub(lambda m: "" if m.group(0).startswith("!") else m.group(1), text)
    return _NOT_PLAIN.sub(" ", text).strip(" _-")


def names_release(name: str, own: frozenset[str]) -> bool:
    """Whether ``name`` names the release whose id's name has the runs ``own`` (:func:`runs`): each run of letters
    or digits of the name is one of them, and one is a word of three letters or more ("Heron2.5" of
    ``Heron2.5-T2V-7B``; not "Heron" of ``HeronX1.5-5B``, nor a version alone, "v1.5" of ``heron-t5-3b-v1.5``)."""
    words = _runs(name)
    return any(len(w) >= 3 and w[0].isalpha() for w in words) and all(w in own for w in words)


def name_like(label: str) -> str | None:
    """``label`` as a project's name, else None: 1-6 words with a letter, a capital or a digit past a sentence's first
    letter ("Plover Arena", "Dial-notes", "BIRD-Chat-1M"; not "A better model checkpoint"), and not a word for a
    kind of thing ("Paper", "Weights", "here")."""
    s = _plain(label).strip(" .:：,")
    words = s.split()
    if not s or len(s) > 60 or len(words) > 6 or not _LETTER.search(s.lower()):
        return None
    if len(words) == 1:
        if not any(c.isupper() or c.isdigit() for c in s):
            return None
    elif not any(c.isupper() or c.isdigit() for c in words[0][1:] + "".join(words[1:])):
        return None
    if "-".join(s.lower().split()) in _GENERIC or all(w.strip(".,:;()'’-").lower() in _KINDS for w in words):
        return None
    if not any(len(r) >= 3 for r in _LETTERS.findall(s.lower())):
        return None   # a version or a size alone ("v2.0", "7B") names no project
    return s


def _label_lines(text: str) -> Iterator[re.Match[str]]:
    """``_LABEL_LINE.finditer(text)``, tried only on the lines that end with a colon (:data:`_LABEL_END`).

    Why: the pattern opens with a line break and a word, and ``re`` tried its lazy label at every line of the card
    (a third of the search on a card that hosts other releases). A match is one line, from the line break before it
    to the line's end, which ends with a colon: matching at the line break before each such line, in order, gives
    the same matches (no match holds a line break, so none starts inside another)."""
    last = -1
    for end in _LABEL_END.finditer(text):
        nl = text.rfind("\n", 0, end.start())
        if nl < 0 or nl == last:
            continue
        last = nl
        m = _LABEL_LINE.match(text, nl)
        if m is not None:
            yield m


_PAPER_WORDS = ("paper", "report", "preprint")


def _may_label_paper(anchor: str) -> bool:
    """Whether a link's anchor may read as a paper's or a report's label (:data:`_PAPER_LABEL` on :func:`_plain`):
    it holds one of the words, or an image, a link or a tag, whose removal may join one, or a character that is not
    ASCII (the pattern ignores case as Unicode does: a dotless "ı" is an "i" to it). Why: a cheap test before the
    anchor is read, on a card with hundreds of links."""
    if not anchor.isascii() or "!" in anchor or "<" in anchor or "[" in anchor:
        return True
    low = anchor.lower()
    return any(w in low for w in _PAPER_WORDS)


def title_names_release(card: Card, own: frozenset[str]) -> bool:
    """Whether the card's title (its first heading within :data:`TITLE_LINES` lines) names the release or its family:
    its name before a colon or a dash, or one of the names it joins ("Heron4 & Heron3")."""
    first = min(card.sections, key=lambda s: s.start, default=None)
    if first is None or first.line > TITLE_LINES:
        return False
    head = _TITLE_HEAD.split(_plain(first.title[:MAX_STATEMENT]), maxsplit=1)[0]
    head = re.sub(r"^(?:model\s+card\s+(?:for|of)\s+)", "", head.strip(), flags=re.IGNORECASE)
    return any(names_release(p, own) for p in _TITLE_PARTS.split(head) if p and len(p) <= 60)


def _marked(text: str) -> str:
    """``text`` with each link written as its anchor and each bold, italic or code span as its words, each marked as
    a name."""
    text = _MD_LINK.sub(lambda m: "" if m.group(0).startswith("!") else OPEN + m.group(1) + CLOSE, text)
    text = _HTML_LINK.sub(lambda m: OPEN + _TAG.sub("", m.group(1)) + CLOSE, text)
    text = _TAG.sub(" ", text)
    return _SET_APART.sub(lambda m: OPEN + next(g for g in m.groups() if g is not None).replace(OPEN, "")
                          .replace(CLOSE, "") + CLOSE, text)


def _announcement(statement: str, own: frozenset[str], heading: bool = False) -> list[str]:
    """The names a statement's first clause announces when it announces another release than ``own``: its verb
    announces (:data:`ANNOUNCE`), it gives names (its marked names, and for a sentence the capitalised name right
    after an active verb: "released Plover Arena technical report") and no word of it names this release. Else []."""
    text = _marked(statement)
    end = _CLAUSE_END.search(text)
    clause = text[:end.start()] if end else text
    verb = ANNOUNCE.search(clause)
    if verb is None:
        return []
    names = [n for n in (name_like(m.group(1)) for m in _MARKED.finditer(clause)) if n]
    if not heading and not verb.group("passive"):
        after = _CAPITALISED.match(clause, verb.end())
        n = name_like(after.group(1)) if after is not None else None
        if n:
            names.append(n)
    if not names or any(names_release(n, own) for n in names):
        return []
    if any(names_release(t.strip(".,-+()[]:"), own) for t in _MARKED.sub(" ", clause).split()):
        return []
    return names


@dataclass(frozen=True)
class Sibling:
    start: int      # offsets in the card's reading text
    end: int
    name: str       # the other release's name, as the card writes it


def sibling_spans(card: Card, model_id: str) -> list[Sibling]:
    """The parts of ``card`` about another release than ``model_id`` (module docstring), in reading offsets."""
    name = model_id.rpartition("/")[2]
    if len(_squash(name)) < 2 or not name[:1].isalnum() or not card.sections:
        return []
    own = runs(name)
    if not title_names_release(card, own):   # (the title first: it reads one line, and most cards stop here)
        return []
    lowered = card.lowered_body
    if not any(n in lowered for n in ANNOUNCE_NEEDLES):   # (every part below is found from an announcement)
        return []
    text = card.text
    held: dict[int, int] = {}

    def head(i: int) -> int:   # where section i's heading line starts (read when asked: most cards ask for none)
        if i not in held:
            held[i] = card.line_start(card.sections[i].line)
        return held[i]

    def section_end(i: int) -> int:
        level = card.sections[i].level
        return next((head(j) for j in range(i + 1, len(card.sections)) if card.sections[j].level <= level), len(text))

    out: list[Sibling] = []
    names: set[str] = set()
    # news items: under a news heading, or opening with a date
    news = [(head(i), section_end(i)) for i, s in enumerate(card.sections) if _NEWS_TITLE.search(s.title)]
    fenced: list[tuple[int, int]] | None = None
    # (the items of the news sections, and the dated items found at C speed elsewhere: most list items are neither)
    starts = sorted({m.start() for a, b in news for m in _ITEM.finditer(text, a, b)}
                    | {m.start() + 1 for m in _DATED_ITEM.finditer(text, len(text) - len(card.body) - 1)})
    for start in starts[:MAX_ITEMS]:
        m = _ITEM.match(text, start)
        if m is None:
            continue
        at = lead = m.end()
        for _ in range(2):   # a label and a date, in either order ("🔥 **News**: `2025/03/24`:")
            d = _DATE.match(text, lead)
            lab = _LABEL.match(text, lead) if d is None else None
            if d is None and lab is None:
                break
            lead = (d or lab).end()   # type: ignore[union-attr]
        eol = text.find("\n", lead)
        if ANNOUNCE.search(text, lead, min(lead + MAX_STATEMENT, len(text) if eol < 0 else eol)) is None:
            continue   # (an item's first clause is on its first line: the card's reading joins its soft breaks)
        fenced = _fenced(text) if fenced is None else fenced
        if any(a <= at < b for a, b in fenced):
            continue
        end = list_item_end(text, at)
        found = _announcement(text[lead:min(end, lead + MAX_STATEMENT)], own)
        if found:
            out.append(Sibling(m.start(), end, found[0]))
            names.update(_squash(n) for n in found)
    # headings: one that announces another release, and one headed by a name announced as another release
    for i, s in enumerate(card.sections):
        if i == 0 or ANNOUNCE.search(s.title, 0, MAX_STATEMENT) is None:
            continue
        found = _announcement(s.title[:MAX_STATEMENT], own, heading=True)
        if found:
            names.update(_squash(n) for n in found)
            out.append(Sibling(head(i), section_end(i), found[0]))
    if not names:
        return sorted(set(out), key=lambda x: (x.start, x.end))
    for i, s in enumerate(card.sections):
        if i == 0:
            continue
        m = _PROJECT_HEADING.match(_plain(s.title[:MAX_STATEMENT]))
        if m and _squash(m.group(1)) in names and not names_release(m.group(1), own):
            out.append(Sibling(head(i), section_end(i), m.group(1)))
    # a line that only labels what follows with a sibling's name ("**Kestrel-MoE:**" over its BibTeX entry)
    fenced = _fenced(text) if fenced is None else fenced
    for m in _label_lines(text):
        if _squash(m.group(1)) in names and not any(a <= m.start() < b for a, b in fenced):
            nxt = _NEXT_FENCE.match(text, m.end())
            fence = next((b for a, b in fenced if nxt is not None and a == nxt.end()), None)
            out.append(Sibling(m.start() + 1, fence if fence is not None else paragraph_end(text, m.end()),
                               m.group(1)))
    # a link labelled as a sibling's paper or report (the card's links, each found again at its place on its line)
    for link in card.links:
        if not link.text or link.at < 0 or not _may_label_paper(link.text):
            continue
        label = _PAPER_LABEL.match(_plain(link.text))
        if label is None or _squash(label.group(1)) not in names:
            continue
        ls, le = text.rfind("\n", 0, link.at) + 1, text.find("\n", link.at)
        for rx in (_MD_LINK, _HTML_LINK):
            m = next((m for m in rx.finditer(text, ls, len(text) if le < 0 else le) if m.end() > link.at), None)
            if m is not None and not m.group(0).startswith("!"):
                # with the separator after it in a row of links ("[A Paper](…) | [B Paper](…)"): what is left of
                # the row is still a row of links, not a table row
                gap = _ROW_GAP.match(text, m.end())
                out.append(Sibling(m.start(), gap.end() if gap else m.end(), label.group(1)))
                break
    return sorted(set(out), key=lambda x: (x.start, x.end))


def own_view(rec: ModelRecord) -> ModelRecord:
    """``rec`` itself, or, when its card hosts other releases (:func:`sibling_spans`), a copy whose card has their
    parts blanked (lines kept), with the record's cached facts that do not come from the card's text. The first time,
    the record's warnings say which lines were read as another release's."""
    card = rec.card
    if card is None:
        return rec
    held = rec.cache.get("own_view")
    if held is not None:
        return held if held is not False else rec
    spans = sibling_spans(card, rec.id)
    if not spans:
        rec.cache["own_view"] = False
        return rec
    src = card.source
    for s in spans:
        a, b = card.written_at(s.start), card.written_at(s.end, end=True)
        src = src[:a] + blank(src[a:b]) + src[b:]
    view_card = parse_card(src)
    view_card.pasted = card.pasted
    view_card.warnings = list(card.warnings)
    view = copy.copy(rec)
    view.card = view_card
    view.cache = {k: v for k, v in rec.cache.items() if k in KEPT}
    rec.cache["own_view"] = view
    lines = sorted({(card.line_of(s.start), card.line_of(max(s.start, s.end - 1)), s.name) for s in spans})
    told = "; ".join(f"lines {a}-{b} ({n})" if a != b else f"line {a} ({n})" for a, b, n in lines[:8])
    more = f"; {len(lines) - 8} more" if len(lines) > 8 else ""
    rec.warnings.append(f"the card hosts other releases than {rec.id}: {told}{more}; they were read as those "
                        "releases' documentation, not this one's")
    return view


# Cached facts that come from elsewhere than the card's text (curated entries, lineage, licence files, the declared
# base as the whole card gives it): the view keeps them; the rest are derived from the card again.
KEPT = frozenset({"ancestors", "base_from_pasted", "curated_entry", "declared_base", "pasted_base", "card_unread",
                  "external", "license_files", "license_rows"})


# -- another model's command in the same README -----------------------------------------------------------------
#
# A README that hosts several models shows a command for each: "bash training/finetune_<other>-7b.sh", "vllm serve
# org/<other>-32B". A command is the release's evidence when it names the release; one that names another model
# (a name with a size, "-7b", "-32B", as a Hub id, a script's or a folder's name) is that model's. Why a preference
# and not a rule that drops it: the command still shows that such code exists (the status stays), only the evidence
# should be the release's own command when the card has one, else one that names no model.

# a model's size: 7b, 6.9B, 350M, 8x7B
_SIZE = re.compile(r"\d{1,5}(?:\.\d{1,3})?[bBmM]|\d{1,3}[xX]\d{1,5}(?:\.\d{1,3})?[bB]")
_NAME_START = re.compile(r"[A-Za-z]")
_BASE_FLAG = re.compile(r"--(?:model_name_or_path|base_model|base|pretrained(?:_model)?(?:_name_or_path)?|init\w*|"
                        r"teacher\w*|ref\w*)[ \t=]+\S+")
_EXTENSION = re.compile(r"\.(?:sh|py|ya?ml|json|ckpt|bin|safetensors|gguf|pt)$", re.IGNORECASE)


def command_rank(line: str, own: frozenset[str]) -> int:
    """0 when a command line names the release (a model word all of whose runs are the id's, :func:`names_release`),
    1 when it names no model, 2 when it names only other models. The model given as a fine-tune's starting point
    (``--model_name_or_path``, ``--base_model``) is the release's base, not another release: it is not read."""
    line = _BASE_FLAG.sub(" ", line)
    other = False
    for word in re.split(r"[\s/=\"'`]+", line):
        for part in word.split("_") if "_" in word else (word,):
            part = _EXTENSION.sub("", part)
            pieces = part.split("-")
            if len(pieces) < 2 or not _NAME_START.match(part) or not any(_SIZE.fullmatch(p) for p in pieces[1:]):
                continue   # a model's name is a name with its size ("Lynx-7B", "lynx-6.9b-deduped")
            if names_release(part, own):
                return 0
            other = True
    return 2 if other else 1


def line_at(text: str, pos: int) -> str:
    """The line of ``text`` holding offset ``pos``."""
    a = text.rfind("\n", 0, pos) + 1
    b = text.find("\n", pos)
    return text[a:b if b >= 0 else len(text)]


def own_rank(rec: ModelRecord) -> frozenset[str]:
    return runs(rec.id.rpartition("/")[2])


def better_command(rec: ModelRecord, matches: Iterator[re.Match[str]], limit: int = 40) -> re.Match[str] | None:
    """A later one of ``matches`` (commands found in the card's body, in order) to quote instead of the first, when
    the first names only another model (:func:`command_rank` 2): the first that names the release, else the first
    that names no model; None to keep the first. Lazy: a first command that is the release's or names no model
    reads no further match."""
    assert rec.card is not None
    body = rec.card.body
    first = next(matches, None)
    own = own_rank(rec)
    if first is None or command_rank(line_at(body, first.start()), own) < 2:
        return None
    plain: re.Match[str] | None = None
    for k, m in enumerate(matches):
        if k >= limit:
            break
        r = command_rank(line_at(body, m.start()), own)
        if r == 0:
            return m
        if r == 1 and plain is None:
            plain = m
    return plain


def command_evidence(rec: ModelRecord, m: re.Match[str]) -> Evidence:
    """Evidence quoting a body match as :func:`..card_search` quotes its first one."""
    card = rec.card
    assert card is not None
    off = len(card.text) - len(card.body)
    a, b = _quoted(m)
    anchor, snip = card.span(off + a, off + b)
    return Evidence("card", f"{rec.card_locator}{anchor}", snip, rec.read_at)
