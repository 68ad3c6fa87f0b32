"""Which paper links in a card announce the model's *own* paper, and which merely cite someone else's.

Why: cards link many papers. A method the model was trained with ("using [QLoRA](arXiv)"), a benchmark
in a results table ("[MMLU](arXiv) | 5-shot | 64.3"), a related work in a reading list or an
acknowledgement: none of these is the model's paper, and counting the first paper link anywhere gave
Gemma a research paper it does not have. Read on the development cards, a card announces its own paper
in a few recognisable ways, and only those count here:

* the link is *labelled* as the paper: its anchor is only a paper word ("Paper", "📃 Paper", "arXiv",
  "Read the paper", "in the paper", "Technical Report"), or a reference-style definition says so
  (``[arxiv]: https://…``), or its line is a model-card field ("**Paper:** …", "Research Paper …");
* the sentence *owns* it: "our paper", "our technical report", "Our [X Technical Report](…)", "the
  technical report "[X](…)" is available", "Official repo for [title](…)", "the paper … is released";
* it stands alone in the card's header (the first lines: title, badges, a row of links, a list of the
  project's papers), not inside a sentence or a table;
* it is in the citation the card asks readers to use: the first BibTeX entry of a citation section
  (or after "please cite"), when that entry is a paper (an arXiv id, a DOI or paper host, a journal or
  proceedings) rather than a citation of a repository.

A bare label right after a quoted title ("outlined in the paper "Efficient Training …"[[arxiv](…)]") points at
the work that title names, not at the model's. Pure functions of the card; nothing keys on a model's name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from openscope.derive.openness.cards import Card, Link
from openscope.derive.openness.probes import (
    either,
    kana_or_hangul,
    may_match,
    required_needles,
    sentence_search,
    zsearch,
)

# Hosts whose links are papers (RE2-compatible is not needed: card text is read in Python only).
# (arXiv's HTML view, arxiv.org/html/<id>, is the same paper as its abstract page; the ACL Anthology's former address
# is aclweb.org/anthology/; the preprint servers of biology, medicine and chemistry, and SSRN, hold preprints as
# arXiv does)
PAPER_LINK = re.compile(r"arxiv\.org/(abs|pdf|html)/|openreview\.net/(forum|pdf)|aclanthology\.org/|aclweb\.org/anthology/"
                        r"|doi\.org/10\.|(?:bio|med)rxiv\.org/content/10\.|chemrxiv\.org/engage/|ssrn\.com/(?:abstract|sol3/papers)|"
                        r"proceedings\.(neurips|mlr)|papers\.nips\.cc|huggingface\.co/papers/|jmlr\.org/papers|"
                        r"openaccess\.thecvf\.com|ojs\.aaai\.org|dl\.acm\.org/doi", re.IGNORECASE)
_PAPER_LINK_NEEDLES = required_needles(PAPER_LINK)
_PAPER_LINKS: dict[str, bool] = {}


def paper_link(url: str) -> bool:
    """Whether ``url`` is a paper host's page: ``PAPER_LINK.search(url)`` found something, kept by URL. Why: the
    paper links, the paper judge and the report judge each ask it of the same links, and a search of a URL took
    about six times as long as looking for the pattern's host names in it (:func:`..may_match`: ``re`` tries its
    case-insensitive alternation at every character); a URL holding none of them is no paper host's."""
    held = _PAPER_LINKS.get(url)
    if held is None:
        if len(_PAPER_LINKS) >= 4096:
            _PAPER_LINKS.clear()
        held = _PAPER_LINKS[url] = may_match(_PAPER_LINK_NEEDLES, url, url.lower()) and PAPER_LINK.search(url) is not None
    return held


# An anchor that is nothing but a paper word (after emoji, brackets and emphasis are removed).
_VERBS = r"(?:(?:read|view|see|access|download|check(?:\s+out)?|open)\s+)?"
_ARTICLE = r"(?:(?:in|on|at)\s+)?(?:(?:the|our|this|my)\s+)?(?:full\s+|latest\s+|new\s+)?"
PAPER_WORD_ANCHOR = re.compile(rf"^{_VERBS}{_ARTICLE}(?:research\s+)?(?:paper|preprint)s?(?:\s+on\s+arxiv)?$"
                               r"|^(?:阅读|查看|下载)?(?:我们的)?论文(?:链接|地址)?$|^(?:論文|논문)(?:\s?(?:リンク|링크|PDF))?$",
                               re.IGNORECASE)
# On a paper host, the anchor may also name the host or the report form ("arXiv", "Tech Report", "PDF").
HOST_WORD_ANCHOR = re.compile(
    rf"^{_VERBS}{_ARTICLE}(?:(?:research\s+)?(?:paper|preprint)s?(?:\s+(?:on\s+)?arxiv)?|arxiv(?:\s+(?:paper|preprint))?"
    rf"|(?:paper\s+)?pdf|(?:technical|tech\.?)\s+report|report)$|^(?:阅读|查看|下载)?(?:我们的)?(?:论文|技术报告)(?:链接|地址)?$"
    r"|^(?:論文|技術(?:レポート|報告書?)|논문|기술\s?(?:보고서|리포트))(?:\s?(?:リンク|링크|PDF))?$",
    re.IGNORECASE)
# A model-card field whose label says the line gives the paper: "- **Paper:** [title](url)", "**Research Paper** …"
# ("| Paper | [title](url) |": a table row's label cell is the same field)
# (the label may name the venue or year in brackets: "Paper (ICLR 2025): [title](…)", "**Preprint (2024):**")
_LABEL_END = r"\W*(?:\([^()\n]{1,30}\)\W*)?(:|：|\*\*|\|)"
PAPER_LABEL = re.compile(r"^\W*((research )?(paper|preprint)s?|论文|論文|논문)" + _LABEL_END, re.IGNORECASE)
HOST_LABEL = re.compile(r"^\W*((research )?(paper|preprint)s?|arxiv|(technical|tech\.?) report|论文|技术报告|論文|技術レポート"
                        r"|技術報告書?|논문|기술\s?보고서|기술\s?리포트)" + _LABEL_END,
                        re.IGNORECASE)
# The sentence says the paper is the publisher's own.
OWN_CUE = either(
    r"\bour\s+(?:[\w.+:'-]+\s+){0,6}?(?:paper|preprint|(?:technical|tech\.?)\s+report|report|publication)s?\b"
    r"|\b(?:a|an|the|new|updated?|releas(?:e|ed|es|ing)|publish(?:ed|es|ing)?)\s+(?:technical|tech\.?)\s+report\b"
    r"|\bofficial\s+(?:[\w-]+\s+){0,3}?(?:implementation|repo(?:sitory)?|code(?:base)?|release)\s+(?:of|for)\b"
    r"|\b(?:paper|preprint|technical report)s?\b[^.\n]{0,40}?\b(?:is|are|has been|have been|was|were)\s+"
    r"(?:now\s+)?(?:released|available|out|published|accepted)\b"
    # Chinese: our paper / report (我们的论文, 我们的技术报告), the paper is out or accepted (论文已发布, 已被…接收)
    , r"我们的(?:论文|技术报告|报告)|(?:论文|技术报告)(?:已|现已|已经)(?:发布|公开|上线|被[^。\n，]{0,20}?接收)",
    re.IGNORECASE,
    # Japanese: our paper (私たちの論文), the paper is out or accepted (論文を公開しました, 論文は…に採択されました);
    # Korean: our paper (저희 논문), the paper is out or accepted (논문이 공개되었습니다, …에 채택되었습니다)
    jako=r"(?:私たち|我々)の(?:論文|技術(?:レポート|報告書?))"
    r"|(?:論文|技術(?:レポート|報告書?))(?:は|を|が)[^。\n]{0,120}?(?:公開しました|公開されました|公開しています|採択されました)"
    r"|(?:저희|우리)의?\s?(?:논문|기술\s?(?:보고서|리포트))"
    r"|(?:논문|기술\s?(?:보고서|리포트))(?:이|가|은|는|을|를)\s?(?:[^.\n]|\.(?=\S)){0,120}?(?:공개되었|공개했|게재되었|채택되었|발표되었)")
# An anchor that only points ("[here](…)", "[Read](…)", "[link](…)"): its meaning is in the sentence before.
DEICTIC = re.compile(r"^(?:click\s+)?(?:here|read|link|this|view|see|pdf)$", re.IGNORECASE)
# A title quoted, or authors, right before a bare label: the label points at that named work.
NAMED_BEFORE = re.compile(r"([\"”»]|\bet al\.?)[\s\[(]*$", re.IGNORECASE)
HEADER_LINES = 40            # the card's header: its first body lines (title, badges, links, news)
STANDALONE_LETTERS = 8       # a line whose text outside its links has at most this many letters
CITATION_TITLE = re.compile(r"cit(e|ation|ing)|bibtex|引用|인용", re.IGNORECASE)
CITE_ASK = re.compile(r"\bcit(?:e|ing)\b|\bcitation\b|引用|인용", re.IGNORECASE)
BIB_ENTRY = re.compile(r"@(article|inproceedings|misc|techreport|unpublished|phdthesis|conference|incollection|"
                       r"online|report|preprint)\s*\{", re.IGNORECASE)
# A BibTeX field that makes an entry a paper rather than the citation of a repository or a model page.
BIB_PAPER = re.compile(r"\b(eprint|archiveprefix)\s*=|\bbooktitle\s*=|arxiv|\bdoi\s*=|"
                       r"\bjournal\s*=\s*[{\"](?![^}\"\n]{0,200}(github|repository|hugging ?face|blog|website|kaggle))",
                       re.IGNORECASE)

_HTML_A = re.compile(r"<a\b[^<>]{0,500}>[^<]{0,500}(?:<(?!/a>)[^<>]{0,300}>[^<]{0,300}){0,4}</a>", re.IGNORECASE)
_LINK_MARKUP = re.compile(r"!?\[(?:[^\[\]\n]|\[[^\[\]\n]{0,300}\]){0,300}\]\([^()\s]{0,500}\)|<[^<>\n]{0,500}>|"
                          r"https?://[^\s<>()\[\]]{1,500}|&nbsp;?|\*\*|__")
_CLEAN_ANCHOR = re.compile(r"[^\w\s.'-]+")
_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+")


@dataclass(frozen=True)
class OwnPaper:
    """A card link judged to be the model's own paper, and why."""

    link: Link
    why: str        # label | sentence | header | citation


@dataclass(frozen=True)
class CitationEntry:
    """The first BibTeX entry of the card's citation, when it is a paper."""

    line: int
    start: int      # offset of its "@" in the card's full text
    kind: str       # article, inproceedings, misc, ...
    text: str       # the entry, whole (braces balanced, at most 3,000 characters)
    url: str | None  # a paper-host URL in it, if any

    @property
    def peer_reviewed(self) -> bool:
        """A proceedings (booktitle) or a journal that is not arXiv/CoRR/a repository/a report."""
        return bool(re.search(r"\bbooktitle\s*=\s*[{\"](?![^}\"\n]{0,200}(arxiv|corr|preprint))", self.text, re.IGNORECASE)
                    or re.search(r"\bjournal\s*=\s*[{\"](?![^}\"\n]{0,200}(arxiv|corr|github|repository|preprint|"
                                 r"technical report|tech\.? report|blog|hugging ?face|kaggle|website))",
                                 self.text, re.IGNORECASE))


_SPACES = re.compile(r"\s+")


def clean_anchor(text: str) -> str:
    """An anchor without emoji, brackets or emphasis, its spaces collapsed ("**📖 arXiv**" → "arXiv")."""
    return _SPACES.sub(" ", _CLEAN_ANCHOR.sub(" ", text.replace("_", " "))).strip(" .-'")


def _line(lines: Sequence[str], n: int) -> str:
    return lines[n - 1] if 0 < n <= len(lines) else ""


def _body_first_line(card: Card) -> int:
    return card.line_of(len(card.text) - len(card.body))


_FILLED: list = [None, ()]  # the last card's reading lines and, for each line number, how many lines before it hold text


def in_header(card: Card, line: int) -> bool:
    """Whether ``line`` (1-based) is among the first :data:`HEADER_LINES` lines of the card's body that hold text.

    Why lines with text, not written lines: blank lines render as nothing, and a card whose reference-style link
    definitions (``[arxiv]: https://…``) sit above its body reads them as blank lines; counted, they pushed the
    header's paper link out of the header (and the same card with its definitions at the end kept it).
    """
    lines = card.lines()
    if _FILLED[0] is not lines:
        before = [0]
        for text in lines:
            before.append(before[-1] + (text.strip() != ""))
        _FILLED[0:2] = [lines, before]
    before = _FILLED[1]
    first = _body_first_line(card)
    if line <= first:  # the body's first line, or the front matter above it, as before
        return True
    return before[min(line, len(lines) + 1) - 1] - before[first - 1] < HEADER_LINES


def _anchor_at(text: str, at: int, url: str) -> str:
    """The anchor of the link whose URL starts at ``text[at]``: markdown ``[anchor](url``, an ``<a href=url>``
    element's text, a badge's alt text or badge words (``[![Paper](…badge…)](url)``, ``<img src=…/badge/Paper-…>``),
    or a reference definition's name (``[arxiv]: url``); "" for a bare URL."""
    before = text[max(0, at - 400):at]
    md = re.search(r"\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\($", before)
    if md:
        inner = md.group(1)
        alt = re.match(r"^\s*!\[([^\]]*)\]\([^)]*\)\s*$", inner)
        if alt:
            return alt.group(1) or _badge_words(inner)
        return inner
    if re.search(r"<a\s[^<>]*?href=[\"']?$", before, re.IGNORECASE):
        m = re.match(r"[\"']?[^<>]*>(.{0,400}?)</a>", text[at + len(url):at + len(url) + 800], re.DOTALL | re.IGNORECASE)
        if m:
            inner = m.group(1)
            words = re.sub(r"<[^>]*>", " ", inner).strip()
            if words:
                return words
            alt = re.search(r"\balt=[\"']([^\"']+)[\"']", inner, re.IGNORECASE)
            return alt.group(1) if alt else _badge_words(inner)
        return ""
    ref = re.search(r"(?:^|\n)[ \t]*\[([^\]\n]+)\]:[ \t]*<?$", before)
    return ref.group(1) if ref else ""


def _badge_words(markup: str) -> str:
    """The words of a shields.io badge (``…/badge/Paper-Arxiv-red`` → "Paper Arxiv", the colour dropped)."""
    m = re.search(r"badge/([^\"'\s>)?]+)", markup)
    if not m:
        return ""
    parts = [p for p in re.split(r"-(?!-)", m.group(1)) if p]
    return " ".join(parts[:-1] if len(parts) > 1 else parts).replace("_", " ")


def occurrences(card: Card, link: Link) -> list[Link]:
    """Every place a link's URL is linked in the card, each with its own anchor and line. (The parsed card keeps
    one :class:`Link` per URL; a paper linked from a reading list and again from a "Technical Report" badge
    is judged at each place.)"""
    text, url = card.text, link.url
    body_at = len(text) - len(card.body)
    out: list[Link] = []
    at = text.find(url, body_at)
    while at >= 0 and len(out) < 20:
        end = at + len(url)
        if end >= len(text) or not (text[end].isalnum() or text[end] in "/_-"):   # not a longer URL
            out.append(Link(url, re.sub(r"<[^>]+>", "", _anchor_at(text, at, url)).strip(), card.line_of(at), at))
        at = text.find(url, end)
    return out or [link]


_BIB_FIELD = re.compile(r"^\s*\w+\s*=\s*[{\"]")
_CITING = either(r"\b(inspired|based on|built (on|upon)|following|using|uses|thanks|acknowledg|related|see also|"
                     r"compare|cited?)\b", r"基于|参考|借鉴|感谢|致谢|鸣谢|引用|相关|对比|使用|采用", re.IGNORECASE,
                 jako=r"に基づ|を(?:ベース|もと|元)に|参照|参考|感謝|謝辞|関連|比較|使用|引用"
                 r"|기반으로|기반한|바탕으로|참고|참조|감사|관련|비교|사용|인용")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]")


def _standalone(line: str) -> bool:
    """A line that is a link (or a row of links, badges) and nothing more: not a sentence, not a table row,
    not a BibTeX line, not a line that says it cites ("Inspired by [title](…)")."""
    stripped = line.lstrip()
    if stripped.startswith(("|", "@")) or _BIB_FIELD.match(line) or zsearch(_CITING, _LINK_MARKUP.sub(" ", line)):
        return False
    rest = _HTML_A.sub(" ", line)
    rest = _LINK_MARKUP.sub(" ", _LINK_MARKUP.sub(" ", rest))
    # a Chinese, Japanese or Korean character says about as much as two letters of English (a word is two of them)
    return sum(ch.isalpha() for ch in rest) + (0 if rest.isascii() else len(_CJK.findall(rest))) <= STANDALONE_LETTERS


_OPEN_A = re.compile(r"<a\s[^<>]*$", re.IGNORECASE)
_OPEN_MD_LINK = re.compile(r"!?\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\]\($")
_ITEM_START = re.compile(r"^\s*(#|[-*+]\s|\d+[.)]\s|\|)")


def _first_line(card: Card | None, n: int) -> int:
    """The first written line (1-based) of the reading line that holds written line ``n``: ``n`` itself unless the
    card joins soft-wrapped lines (:attr:`Card.lined`), where every written line of a paragraph reads as the whole
    paragraph (:meth:`Card.lines`)."""
    if card is None or card.lined is None or n <= 1:
        return n
    return card.line_of(card.line_start(n))


def _sentence_before(lines: Sequence[str], link: Link, line: str, card: Card | None = None) -> tuple[str, str]:
    """(the sentence before the link, the sentence before that) within its paragraph or list item (see
    :func:`text_before`)."""
    parts = _SENTENCE_END.split(text_before(lines, link, line, card))
    return (parts[-1] if parts else ""), (parts[-2] if len(parts) > 1 else "")


def text_before(lines: Sequence[str], link: Link, line: str, card: Card | None = None) -> str:
    """The text before the link within its paragraph or list item (its lines joined, about 400 characters).

    With ``card``, the lines before are read one reading line at a time (a soft-wrapped paragraph once, not once per
    written line: read again for each of its written lines, a wrapped paragraph filled the 400 characters read back
    with copies of itself, and the sentence before it was never reached), and the link's own place on its line is
    its URL's offset (:attr:`Link.at`; a URL linked twice on one line is read at each place)."""
    i = link.line - 1
    at = link.url_in(line, card.line_start(link.line)) if card is not None else line.find(link.url)
    head = (line[:at] if at >= 0 else line)[-1000:]
    # drop the link's own opening markup: "[anchor](", "[![alt](badge)](", "<a href=\""
    head = _OPEN_A.sub("", head)
    head = _OPEN_MD_LINK.sub("", head)
    block = [head]
    j = _first_line(card, i + 1) - 2
    while j >= 0 and len(" ".join(block)) < 400:
        prev = lines[j]
        if not prev.strip() or _ITEM_START.match(lines[j + 1]):
            break
        block.insert(0, prev)
        j = _first_line(card, j + 1) - 2
    return " ".join(s.strip() for s in block)


_CLOSE = re.compile(r"。|[.!?](?=\s|$)")


def after_link(line: str, url: str) -> str:
    """The rest of the link's sentence after it, in a Japanese or Korean line (else ""). Why: their verbs follow
    the object and the place ("コードは[GitHub](…)で公開しています", "코드는 [GitHub](…)에서 공개되어 있습니다"), so
    the words that announce a link as the release's own come after it, where an English sentence has them
    before ("the code is available at [GitHub](…)")."""
    if not kana_or_hangul(line):
        return ""
    at = line.find(url)
    if at < 0:
        return ""
    tail = line[at + len(url):at + len(url) + 300]
    end = _CLOSE.search(tail)
    return tail[:end.start()] if end else tail


def judge(card: Card, link: Link, lines: Sequence[str] | None = None) -> str | None:
    """Why ``link`` (one place it is linked) is the model's own paper (``label``, ``sentence``, ``header``), or
    None. ``lines`` is ``card.text.splitlines()`` when the caller has it."""
    lines = card.lines(splitlines=True) if lines is None else lines
    line = _line(lines, link.line)
    host = paper_link(link.url)
    label = clean_anchor(link.text)
    before, earlier = _sentence_before(lines, link, line, card)
    words = HOST_WORD_ANCHOR if host else PAPER_WORD_ANCHOR
    if label and words.match(label) and not sentence_search(NAMED_BEFORE, before) and not _base_named_before(card, before):
        return "label"
    if (HOST_LABEL if host else PAPER_LABEL).search(line):
        return "label"
    said = f"{before} {link.text}{after_link(line, link.url)}"
    cue = sentence_search(OWN_CUE, said) or (DEICTIC.match(label) and sentence_search(OWN_CUE, earlier))
    # off a paper host only a *paper* counts (a report on a company site is the technical-report probe's)
    if cue and (host or re.search(r"paper|preprint|論文|논문", cue.group(0), re.IGNORECASE)):
        return "sentence"
    if host and in_header(card, link.line) and _standalone(line) and _standalone(before):
        return "header"
    if host and _under_paper_heading(card, link) and not zsearch(_CITING, _LINK_MARKUP.sub(" ", line)) \
            and not sentence_search(NAMED_BEFORE, before) and not _base_named_before(card, before):
        return "section"
    return None


# A section whose title is only the paper's label: "## Paper", "## Preprint", "### Our paper", "## 论文".
PAPER_HEADING = re.compile(r"^\W*(?:(?:our|the)\s+)?(?:research\s+)?(?:paper|preprint|publication)\W*$"
                           r"|^\W*(?:论文|論文|논문)\W*$", re.IGNORECASE)


def _under_paper_heading(card: Card, link: Link) -> bool:
    """Whether a paper host's link is the first link of a section titled only as the paper ("## Paper" over
    "[ProtCormorant: scaling protein language models](https://www.biorxiv.org/…) (bioRxiv preprint)."). Why: such a
    heading is the model-card field "**Paper:**" written as a section; the link's line was read only as a field, a
    sentence that calls it ours, or a bare line of the card's header, so a preprint named under its own heading with
    a few words after it was no paper at all. A line that cites ("based on", "inspired by") is still not the
    release's, and only the section's first paper link is (a list of papers under "## Papers" is not read: the
    heading must be singular)."""
    at = card.line_start(link.line)
    sec = None
    for s in card.sections:
        if s.start > at:
            break
        sec = s
    if sec is None or not PAPER_HEADING.match(sec.title):
        return False
    first = next((ln for ln in card.links if paper_link(ln.url) and sec.start <= card.line_start(ln.line) <= at), None)
    return first is not None and first.url == link.url


# The name right before a bare label's bracket ("A fine-tune of Heron-8B ([paper](…))").
_NAME_BEFORE = re.compile(r"([\w.-]{2,100})[ \t]{0,3}[(\[]{1,2}[ \t]{0,3}$")


def _base_named_before(card: Card, before: str) -> bool:
    """Whether a bare paper label follows, in brackets, the name of a base model the card declares (``base_model:
    birdlab/Heron-8B`` and "a fine-tune of Heron-8B ([paper](…))"): the label points at the base's paper, as after a
    quoted title (:data:`NAMED_BEFORE`). Why: a fine-tune's card cites its base's paper beside the base's name, and it
    was read as the fine-tune's own. The handle is the declared base (front matter), never a model's name."""
    m = _NAME_BEFORE.search(before[-110:])
    if m is None:
        return False
    bases = card.meta.get("base_model")
    names = [bases] if isinstance(bases, str) else [b for b in bases if isinstance(b, str)] if isinstance(bases, list) else []
    said = _squash(m.group(1))
    return any(said == _squash(b.rpartition("/")[2]) for b in names)


# An image URL (a shields.io badge, a .png/.svg): the picture inside ``[![Paper](picture)](target)``.
BADGE_IMAGE = re.compile(r"img\.shields\.io/|/badges?/|\.(?:png|jpe?g|gif|svg|webp)(?:\?|$)", re.IGNORECASE)
MAX_PLACES = 2000   # link places judged per card (a hostile card with endless arXiv links stays cheap)


def own_paper_links(card: Card | None, limit: int | None = None, skip: frozenset[int] = frozenset()
                    ) -> list[OwnPaper]:
    """The places the card links its own paper, in the card's order (the first ``limit`` of them): each
    paper-host link at every place it occurs, and each other link whose anchor or line calls it the paper. Places
    on the lines ``skip`` names (lines the card denies: an item of "## Not released") are left out."""
    if card is None:
        return []
    places: list[Link] = []
    for link in card.links:
        if BADGE_IMAGE.search(link.url):
            continue   # the picture of a "Paper" badge; the badge's own link target is the paper
        paperish = paper_link(link.url) or link.url.lower().split("?", 1)[0].endswith(".pdf")
        places.extend(occurrences(card, link) if paperish else [link])
        if len(places) >= MAX_PLACES:
            break
    lines = card.lines(splitlines=True)
    out = []
    for place in sorted(places[:MAX_PLACES], key=lambda ln: ln.line):
        if place.line in skip:
            continue
        why = judge(card, place, lines)
        if why:
            out.append(OwnPaper(place, why))
            if limit is not None and len(out) >= limit:
                break
    return out


def _entry_text(text: str, start: int) -> str:
    """A BibTeX entry from its ``@`` to its closing brace (at most 3,000 characters)."""
    depth = 0
    for i in range(text.find("{", start), min(len(text), start + 3000)):
        ch = text[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return text[start:i + 1]
    return text[start:start + 3000]


def _tool_names(card: Card) -> frozenset[str]:
    """Squashed names of the tools a card's citations may be for: the libraries ``libraries.yml`` lists, the
    card's ``library_name``, and the losses its ``loss:…`` tags name (sentence-transformers writes them)."""
    from openscope.derive.openness import libraries
    from openscope.derive.openness.cards import meta_list

    names = meta_list(card.meta, "library_name")
    names += [t.split(":", 1)[1] for t in meta_list(card.meta, "tags") if t.lower().startswith("loss:")]
    return _known_tool_names(tuple(libraries.known_names())) | frozenset(_squash(n) for n in names if n)


@cache
def _known_tool_names(names: tuple[str, ...]) -> frozenset[str]:
    """The listed libraries' names squashed, once per list (every card's citations asked for them again)."""
    return frozenset(_squash(n) for n in names if n)


_NOT_ALNUM = re.compile(r"[^a-z0-9]")


def _squash(name: str) -> str:
    return _NOT_ALNUM.sub("", name.lower())


def _tool_citation(card: Card, at: int) -> bool:
    """Whether the BibTeX entry at ``at`` sits under a heading that names a tool the model was made with (a
    library, a loss function): "#### Sentence Transformers", "#### MultipleNegativesRankingLoss". Why: the
    cards sentence-transformers generates cite the library's paper (Sentence-BERT) and each loss's paper in
    their Citation section; those are the tools' papers, not the model's."""
    title = ""
    for s in card.sections:
        if s.start > at:
            break
        title = s.title
    squashed = _squash(title)
    return bool(squashed) and (squashed in _tool_names(card) or (squashed.endswith("loss") and len(squashed) > 4))


_CITATION: list[Any] = [None, None, None]   # the last card, its text, its citation entry


def citation_entry(card: Card | None) -> CitationEntry | None:
    """The first BibTeX entry of the citation the card asks readers to use (a section titled Citation/BibTeX,
    or an entry within a few lines after "please cite"), when that entry is a paper. Kept for the last card (an
    entry is frozen): the research-paper, peer-review and report probes each ask for it."""
    if card is None:
        return None
    if _CITATION[0] is card and _CITATION[1] is card.text:
        return _CITATION[2]
    found = _citation_entry(card)
    _CITATION[:] = [card, card.text, found]
    return found


def _citation_entry(card: Card) -> CitationEntry | None:
    starts: list[int] = []
    for s in card.sections:
        if CITATION_TITLE.search(s.title):
            m = next((m for m in BIB_ENTRY.finditer(s.text) if not _tool_citation(card, s.start + m.start())), None)
            if m:
                starts.append(s.start + m.start())
                break
    if not starts:
        for m in BIB_ENTRY.finditer(card.text):
            if CITE_ASK.search(card.text, max(0, m.start() - 300), m.start()) and not _tool_citation(card, m.start()):
                starts.append(m.start())
                break
    if not starts:
        return None
    at = starts[0]
    entry = _entry_text(card.text, at)
    if not BIB_PAPER.search(entry):
        return None  # a citation of a repository or a model page, not of a paper
    kind = BIB_ENTRY.match(entry)
    url = next((u for u in re.findall(r"https?://[^\s}\"',]+", entry) if paper_link(u)), None)
    return CitationEntry(card.line_of(at), at, kind.group(1).lower() if kind else "misc", entry, url)
