"""Whether a link or a phrase in a card belongs to *this* model's release, or to something the card cites.

Why: a card links and names many things that are not its own: the method it builds on ("*Inspired by*
[Imagen](….pdf)"), its base model's report and repository, the frameworks it was trained with ("using
[veRL](github…)"), the benchmarks of its results table, datasets and projects of other people, licences,
issues and badges. Counting the first ``.pdf`` link as the model's technical report gave DeepFloyd
Imagen's report; counting any GitHub link as the model's code repository gave models the code of LLaMA, of
typer's issue tracker or of a ComfyUI plug-in. This module generalises :mod:`._own_paper` (which decides
the same question for papers, and keeps doing so for the paper probes) to reports, code repositories and
phrases. Read on the development cards, a release announces what is its own in a few ways, and only those
count:

* **labelled**: the link's anchor is only a word for the thing ("Technical Report", "📄 Report", "Code",
  "GitHub", a badge saying so), or its line is a model-card field that says so ("**Repository:** …");
* **announced**: the sentence owns it ("our technical report", "the technical report … is released",
  "our code", "code is available at", "we release …", "official implementation of");
* **in the header**: it stands alone (a title link, a badge, a row of links) in the card's first lines;
* for a report, **the citation the card asks readers to use** names a report.

And nothing counts that the card hides or only promises or cites: text inside an HTML comment (a reader
never sees it); a line that promises ("coming soon", "will be released", "stay tuned", an unchecked
``- [ ]`` to-do) or denies ("does not contain", "not yet released"); a sentence that says it cites
("based on", "built upon", "inspired by", "thanks to", "adapted from", "refer to", "using [X]",
"from the X repository"); a section of acknowledgements, related or community projects, references or
citations of others. Pure functions of the card; nothing keys on a model's name.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from openscope.derive.openness.cards import Card, Link, paragraph_end
from openscope.derive.openness.probes import (
    CODE_HOST,
    NEEDLE_AFTER,
    NEEDLE_BEFORE,
    Evidence,
    _lead_for,
    _line_window,
    _starts_near,
    either,
    fast_search,
    first_match_at,
    for_text,
    jako_needles,
    line_matches,
    links_to_listed_file,
    may_match,
    needle_hits,
    needles_for,
    one_line,
    required_needles,
    sentence_search,
    start_hits,
    zsearch,
)
from openscope.derive.openness.probes._own_paper import (
    DEICTIC,
    NAMED_BEFORE,
    OWN_CUE,
    _line,
    _sentence_before,
    _standalone,
    after_link,
    citation_entry,
    clean_anchor,
    in_header,
    occurrences,
    paper_link,
    text_before,
)
from openscope.derive.openness.records import ModelRecord

# -- what a card hides, promises, denies or cites ------------------------------------------------------------

_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
# A sentence that only promises or denies: the thing is not released (yet).
PROMISE = either(
    r"coming\s+soon|\bstay\s+tuned\b|\b(?:will|shall)\s+(?:soon\s+)?(?:be\s+)?(?:released|available|provided|"
    r"open[- ]?sourced?|made\s+(?:public|available)|published|uploaded|updated|detailed|described|shared|added)\b"
    r"|\bto\s+be\s+(?:released|published|open[- ]?sourced|announced)\b|\b(?:TBD|TBA)\b|\bplanned\b"
    r"|\bnot\s+(?:yet\s+)?(?:been\s+)?(?:released|available|open[- ]?sourced|public(?:ly available)?)\b"
    r"|\b(?:does|do|did)\s+not\s+(?:contain|include|provide|release|ship)\b|\bno\s+plans?\b"
    r"|\bnot\s+(?:yet\s+)?(?:been\s+)?(?:directly\s+|officially\s+|fully\s+)?supported\b"
    # given out on request, not published: "available upon request", "shared on reasonable request"
    r"|\b(?:available|provided|shared|released|obtainable|accessible|given)\s+(?:only\s+)?(?:up)?on\s+"
    r"(?:\w+\s+)?request\b|\bupon\s+request\b"
    # "no longer available", "we cannot release", "kept private", "remains closed-source" ("is not closed" is no
    # denial: the negation is of "closed")
    r"|\bno\s+longer\s+(?:publicly\s+)?(?:available|released|public|hosted|accessible|provided|shared)\b"
    r"|\b(?:cannot|can't|could\s+not|couldn't|unable\s+to|(?:do|does|did)\s+not\s+plan\s+to|(?:don't|doesn't)\s+plan\s+to)"
    r"\s+(?:yet\s+)?(?:be\s+)?(?:release|publish|open[- ]?sourc|share|provid|disclos|distribut|make\s+(?:\w+\s+)?(?:public|available))\w*"
    r"|\b(?:kept|keep|keeps|remains?|stays?|is|are|was|were)\s+(?:strictly\s+|currently\s+|still\s+)?"
    r"(?:private|proprietary|internal|confidential|closed(?:[- ]sourced?)?)\b"
    # "No training code is released", "no data will be shared"; a field left empty ("Training code: N/A")
    r"|\bno\s+(?:[\w-]+\s+){0,3}?(?:is|are|was|were|has\s+been|have\s+been|will\s+be)\s+(?:publicly\s+|yet\s+)?"
    r"(?:released|available|provided|published|open[- ]?sourced|shared|made\s+(?:public|available))\b"
    r"|[:：][ \t]*[*_]*(?:n/a|none|not\s+applicable|unavailable|internal(?:\s+only)?|closed[- ]source)[*_]*[ \t]*[.。]?[ \t]*$"
    # Chinese: coming soon (即将, 敬请期待), released later (后续发布/开源/更新), "will release" (将会开源, 将于…发布),
    # not yet (尚未, 暂未, 暂不, 未开源, 不开源), planned (计划开源)
    , r"即将|敬请期待|后续(?:会|将)?(?:发布|开源|公开|更新|上线|提供)|将(?:会|要|于)?[^。\n，,]{0,8}?(?:发布|开源|公开|上线)"
    r"|尚未|暂未|暂不|未开源|不开源|不公开|计划(?:发布|开源|公开)|按需提供|(?:可|需)?(?:申请|联系我们)(?:后)?(?:获取|获得|提供)",
    re.IGNORECASE,
    # Japanese: to be released (公開予定, 公開する予定), soon (近日公開), later (今後…公開, 後日公開), in preparation
    # (準備中), not released (未公開, 非公開, 公開していません); Korean: to be released (공개 예정, 공개될 예정), later
    # (추후/향후/곧 … 공개), in preparation (준비 중), not released (미공개, 비공개, 공개하지 않, 공개되지 않)
    jako=r"(?:公開|リリース|提供|配布)(?:を|する|される)?予定|近日(?:中に)?(?:公開|リリース)"
    r"|(?:今後|後日|将来的に)[^。\n、]{0,10}?(?:公開|リリース|提供)|準備中|未公開|非公開"
    r"|(?:公開|リリース|提供)(?:されて|して)?(?:いません|おりません|しません|されません)"
    r"|(?:공개|출시|배포|제공|릴리스)(?:될|할)?\s?예정|(?:추후|향후|곧)\s?[^.\n,]{0,10}?(?:공개|출시|배포|제공)"
    r"|준비\s?중|미공개|비공개|(?:공개|출시|배포|제공)(?:되지|하지)\s?않"
    # on request: リクエスト/要望/申請に応じて (提供), 요청 시 (제공)
    r"|(?:リクエスト|要望|申請|依頼)に応じて|요청\s?시\s?(?:제공|공유|공개)")
# An unchecked to-do item ("- [ ] training code"): planned, not done.
TODO = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[\s\]")


def promised(line: str, sentence: str) -> bool:
    """Whether the sentence promises or denies (or its line is an unchecked to-do item)."""
    return bool(TODO.match(line) or zsearch(PROMISE, sentence))


# A phrase attributed to someone else's work: the link or phrase it is about is not the release's own.
CITED = either(
    r"\b(?:inspired|based|built|derived|adapted|borrowed|modified|forked|ported|taken|copied)\s+(?:on|upon|by|from)\b"
    r"|\b(?:thanks?|thanking|grateful|gratitude|acknowledg\w*|credits?\s+to|courtesy\s+of)\b"
    r"|\b(?:refer(?:ring)?\s+to|see\s+also|related|compared?\s+(?:to|with)|cit(?:e|ed|ing))\b"
    r"|\b(?:supported|powered|enabled|backed|hosted)\s+by\b|\bfollow(?:ing|s)?\s+the\b"
    r"|\b(?:from|of|by)\s+(?!(?:this|our|the\s+same)\b)(?:the\s+)?\[?[\w .@/-]{1,60}\]?\s*"
    r"(?:repo(?:sitory)?|codebase|project|team|library|toolkit)\b"
    r"|\b(?:released|provided|developed|maintained|published|written|created)\s+by\b(?!\s+us\b)"
    # Chinese: based on (基于), adapted from (改编自, 修改自, 源自, 来自), thanks (感谢, 致谢, 鸣谢), refer to (参考,
    # 参见, 借鉴), compared with (对比, 相比), cited (引用)
    , r"基于(?![^。\n，,]{1,20}?的)|改编自|修改自|源自|来自|感谢|致谢|鸣谢|参考|参见|借鉴|对比|相比|引用",
    re.IGNORECASE,
    # Japanese: based on (に基づ, をベースに, をもとに), derived from (から派生), thanks (感謝, 謝辞), refer to (参照,
    # 参考), compared with (と比較, に比べ), cited (引用); Korean: based on (기반으로, 기반한, 바탕으로), derived from (에서
    # 파생), thanks (감사), refer to (참고, 참조), compared with (와/과 비교, 에 비해), cited (인용)
    jako=r"に基づ|を(?:ベース|もと|元)に|から派生|感謝|謝辞|参照|参考|と比較|に比べ|引用"
    r"|기반으로|기반한|바탕으로|에서\s?파생|감사|참고|참조|[와과]\s?비교|에\s?비해|인용")
# Right before a link: the link is a tool or work the release uses ("trained with [veRL](…)", "via [X](…)").
USED = either(r"\b(?:using|uses|used|use|with|via|through|leverag\w+|adopt\w*|employ\w*|powered\s+by|"
              r"following|follows?|on\s+top\s+of|such\s+as|e\.g\.|like)\s*[:,]?\s*(?:the\s+|an?\s+)?$",
              r"(?:使用|采用|利用|借助|通过|基于|如|例如)\s*[:,：，]?\s*$", re.IGNORECASE)
NEAR = 80   # characters before a link read for a citing cue


def cites(before: str) -> bool:
    """Whether the words right before a link say that it cites (or names a tool the release uses)."""
    near = before[-NEAR:]
    return bool(zsearch(CITED, near) or zsearch(USED, near))


# Sections whose links and phrases are other people's work.
CITING_SECTION = either(
    r"acknowledg|thank|credit|related|reference|community|contribut|citation|cite|bibtex|friend|"
    r"ecosystem|third[- ]?party|awesome|see also|inspir|other (models|projects|works)",
    r"引用|致谢|鸣谢|参考|相关|社区|贡献|生态|第三方|友情链接", re.IGNORECASE,
    # Japanese: 謝辞, 参考文献, 参照, 関連, コミュニティ, 貢献, サードパーティ; Korean: 감사의 글, 참고 문헌, 관련, 커뮤니티,
    # 기여, 서드 파티, 제3자
    jako=r"謝辞|参考|参照|関連|コミュニティ|貢献|サードパーティ|第三者|감사|참고|참조|인용|관련|커뮤니티|기여|서드\s?파티|제3자")


def _repo_id_title(title: str) -> bool:
    """Whether a title is only a Hub repository id ("mlx-community/Lynx-7B-4bit", a converter's card titled with
    its own repository), emphasis and backticks aside."""
    owner, slash, name = title.strip(" *_`#").partition("/")
    return bool(slash and owner and name) and all(c.isalnum() or c in "._-" for c in owner + name)


def citing_section(title: str) -> bool:
    """Whether a section title names others' work (:data:`CITING_SECTION`); a title that is a repository id is
    the release's own name, whatever words its namespace holds ("mlx-community/…" is not a "Community"
    section)."""
    return bool(zsearch(CITING_SECTION, title)) and not _repo_id_title(title)


# Struck-through text (GitHub's "~~…~~", HTML's <del>, <s>, <strike>): a reader sees it crossed out, withdrawn.
_STRUCK = re.compile(r"~~(?=[^\s~])[^\n]{0,2000}?[^\s~]~~|<(del|s|strike)>.{0,2000}?</\1>", re.IGNORECASE | re.DOTALL)


def hidden_spans(card: Card) -> list[tuple[int, int]]:
    """Where the card hides text from a reader (offsets in ``card.text``, in order): its HTML comments, which a
    reader never sees, and struck-through text ("- ~~Training code: [Code](…)~~ (withdrawn)"), which a reader
    sees crossed out: what the card no longer says. Why: neither is what the card tells its reader."""
    text = card.text
    spans = [m.span() for m in _HTML_COMMENT.finditer(text)] if "<!--" in text else []
    if "~~" in text or "</" in text:
        spans += [m.span() for m in _STRUCK.finditer(text) if not any(a <= m.start() < b for a, b in spans)]
        spans.sort()
    return spans


def visible_text(rec: ModelRecord) -> str:
    """The card's text with what it hides from its reader (:func:`hidden_spans`) blanked, line breaks kept (same
    length and lines; cached on the record). Why: "~~The training code is not released.~~ The training code is
    available at …" says the code is available; the struck-through sentence is no part of the one read."""
    card = rec.card
    assert card is not None
    held = rec.cache.get("visible_text")
    if held is None:
        spans = card_index(rec).hidden
        if not spans:
            held = card.text
        else:
            parts, at = [], 0
            for a, b in spans:
                if a < at:
                    continue
                parts += [card.text[at:a], _NOT_NEWLINE.sub(" ", card.text[a:b])]
                at = b
            held = "".join(parts) + card.text[at:]
        rec.cache["visible_text"] = held
    return held


_NOT_NEWLINE = re.compile(r"[^\n]")


def _visible_line(line: str, at: int, hidden: list[tuple[int, int]]) -> str:
    """Card line ``line`` (starting at offset ``at``) with what the card hides on it blanked (same length), as
    :func:`visible_text` reads the card."""
    end = at + len(line)
    if not hidden or not any(a < end and b > at for a, b in hidden):
        return line
    chars = list(line)
    for a, b in hidden:
        for i in range(max(a, at), min(b, end)):
            chars[i - at] = " "
    return "".join(chars)


def _promised_at(line: str, at: int, url_at: int, url: str, hidden: list[tuple[int, int]]) -> bool:
    """Whether the line of a link (at offset ``at``; the URL at ``url_at``) promises or denies it, read without
    what the card hides on the line (a struck-through denial before "the code is available at [Code](…)"), in the
    link's own clause when that clause releases it (:func:`release_clause`)."""
    vis = _visible_line(line, at, hidden)
    a, b = url_at - at, url_at - at + len(url)
    sentence, start = sentence_and_start(vis, a, b)
    return promised(vis, release_clause(sentence, start, start + b - a))


# Where a sentence's clauses part: a semicolon, or a conjunction that opens a clause of its own ("…, but the SFT set
# is available at …", "while", "whereas", "however").
_CLAUSES = re.compile(r"[;；]|\b(?:but|while|whereas|however)\b(?!\s+(?:not|also)\b)", re.IGNORECASE)
# What every match of _CLAUSES holds (its set of semicolons is not read by required_needles): a sentence holding
# none of them is one clause, and is not searched (the judgement of each mention reads its sentence's clauses).
_CLAUSE_WORDS = (";", "；", "but", "while", "whereas", "however")
# A clause that releases what it names with a verb of its own: "we release only the SFT set at …", "the SFT set is
# available at …", "can be downloaded from …".
_RELEASES = either(r"\bwe(?:'ve|\s+have)?\s+(?:(?!(?:not|never|no)\b)\w+\s+){0,2}?(?:releas|provid|publish|open-?sourc|shar"
                   r"|host|upload)\w*"
                   r"|\b(?:is|are|has\s+been|have\s+been|was|were)\s+(?:(?!(?:not|never|no)\b)\w+\s+)?(?:released|available"
                   r"|published|provided"
                   r"|hosted|open-?sourced|public|shared|uploaded)\b|\bcan\s+be\s+(?:found|downloaded|accessed)\b",
                   r"(?:已|已经)(?:发布|开源|公开)|(?:开源|发布|公开)(?:了|在|于)", re.IGNORECASE)


def release_clause(sentence: str, start: int, end: int) -> str:
    """The part of ``sentence`` a promise or denial is read in for the mention or link at ``sentence[start:end]``:
    the clause holding it when another clause of the sentence stands beside it (parted by a semicolon, "but",
    "while", "whereas", "however") and its own clause releases it with a verb of its own ("we release only the SFT
    set at [X](…)", "the SFT set is available at [X](…)"), else the whole sentence. Why: "The pretraining corpus
    is not publicly available; we release only the SFT set at [X](…)" denies the corpus and releases the set; read
    as one sentence, the denial took the set's link for a promise. A clause that only points at the link ("Coming
    soon; see [X](…)") says nothing of its own, and the sentence's denial still reaches it."""
    if not may_match(_CLAUSE_WORDS, sentence, sentence.lower()):
        return sentence   # (no clause break can stand in it: the finditer below finds none)
    parts = [m for m in _CLAUSES.finditer(sentence)]
    if not parts:
        return sentence
    a = max((m.end() for m in parts if m.end() <= start), default=0)
    b = min((m.start() for m in parts if m.start() >= end), default=len(sentence))
    if a == 0 and b == len(sentence):
        return sentence
    clause = sentence[a:b]
    return clause if zsearch(_RELEASES, clause) else sentence


@dataclass(frozen=True)
class CardIndex:
    """Offsets of a card's lines, sections and HTML comments, built once per record (a card with thousands of
    links and sections is judged in time proportional to its size, not to links × lines)."""

    line_starts: list[int]
    section_starts: list[int]
    section_titles: list[str]
    hidden: list[tuple[int, int]]

    def line_start(self, line: int) -> int:
        return self.line_starts[line - 1] if 0 < line <= len(self.line_starts) else 0

    def section(self, pos: int) -> str:
        """The title of the section holding offset ``pos`` ("" before the first heading)."""
        i = bisect_right(self.section_starts, pos) - 1
        return self.section_titles[i] if i >= 0 else ""

    def is_hidden(self, pos: int) -> bool:
        i = bisect_right(self.hidden, (pos, len(self.line_starts) + 10**12)) - 1
        return i >= 0 and self.hidden[i][0] <= pos < self.hidden[i][1]


def card_index(rec: ModelRecord) -> CardIndex:
    """The :class:`CardIndex` of the record's card (cached on the record)."""
    assert rec.card is not None
    idx = rec.cache.get("own_evidence_index")
    if idx is None:
        idx = CardIndex(rec.card.line_starts(),
                        [sec.start - 1 for sec in rec.card.sections], [sec.title for sec in rec.card.sections],
                        hidden_spans(rec.card))
        rec.cache["own_evidence_index"] = idx
    return idx


def _line_span(text: str, pos: int) -> tuple[int, int]:
    return text.rfind("\n", 0, pos) + 1, (text.find("\n", pos) + 1 or len(text) + 1) - 1


SENTENCE_REACH = 1000


def _sentence_at(text: str, start: int, end: int) -> str:
    """The sentence (within its line) around ``text[start:end]``."""
    return sentence_and_start(text, start, end)[0]


def sentence_and_start(text: str, start: int, end: int) -> tuple[str, int]:
    """(the sentence around ``text[start:end]``, within its line and at most :data:`SENTENCE_REACH` characters each
    way; where ``text[start]`` stands in it). Why the reach: a line of hundreds of thousands of characters with no
    sentence end (a hostile card, a minified blob) is no sentence a reader takes as one, and each mention's
    judgement read all of it."""
    a, b = _line_span(text, start)
    a, b = max(a, start - SENTENCE_REACH), min(b, end + SENTENCE_REACH)
    head, tail = text[a:start], text[end:b]
    cut = max(head.rfind(". "), head.rfind("! "), head.rfind("? "), head.rfind("。"))
    head = head[cut + 1:] if cut >= 0 else head
    stop = min((i for i in (tail.find(". "), tail.find("! "), tail.find("? "), tail.find("。")) if i >= 0),
               default=len(tail))
    return head + text[start:end] + tail[:stop], len(head)


# -- phrases ---------------------------------------------------------------------------------------------------

MAX_MATCHES = 40   # phrase matches judged per pattern and card (a hostile card stays cheap)


def own_mentions(rec: ModelRecord, pattern: re.Pattern[str], needles: tuple[str, ...] | None = None, *,
                 cited: bool = True, component: str | None = None) -> Iterator[tuple[re.Match[str], str]]:
    """Matches of ``pattern`` in the card body that the card shows as its own, each with the verdict
    ``own`` or ``promised`` (the line promises or denies it, or stands where the card denies ``component``: an
    item of a list after a denial lead, or any line in the scope of a heading that denies it or names no
    component: :func:`.datasets_released.denied_lines`). Left out: matches inside HTML comments, in sections of
    others' work, and (with ``cited``) in sentences that say they cite."""
    from openscope.derive.openness.probes.datasets_released import denied_lines

    card = rec.card
    if card is None:
        return
    off = len(card.text) - len(card.body)
    idx: CardIndex | None = None
    denied: frozenset[int] | None = None
    for seen, m in enumerate(_matches(card.body, card.lowered_body, pattern, needles)):
        if seen >= MAX_MATCHES:
            return
        idx = idx or card_index(rec)
        a, b = off + m.start(), off + m.end()
        ls, le = _line_span(card.text, a)
        if not (idx.is_hidden(a) or citing_section(idx.section(a))):
            text = visible_text(rec)   # (what the card hides on the line is no part of the sentence read)
            sentence, at = sentence_and_start(text, a, b)
            if _HEADING_LINE.match(text, ls):
                sentence += " " + _first_sentence_under(text, le)
            denied = denied_lines(rec, component) if denied is None else denied
            if promised(text[ls:le], release_clause(sentence, at, at + b - a)) \
                    or (denied and card.line_of(a) in denied) \
                    or _elliptic_denial(sentence, card.text[a:b]) or _excepted(sentence, card.text[a:b]):
                yield m, "promised"
            elif not (cited and zsearch(CITED, sentence)):
                yield m, "own"


# A clause whose verb is denied with its object left out, after a clause that affirms it ("The training data is
# released, but the training code is not.", "the weights are public while the data isn't").
_CLAUSE_BREAK = re.compile(r",|;|\bbut\b|\bwhile\b|\bwhereas\b|\bhowever\b|但|而", re.IGNORECASE)
_ELLIPTIC = re.compile(r"\b(?:is|are|was|were|has|have|will|does|do)(?:\s+not|n't)(?:\s+(?:yet|been|be))?\W*$"
                       r"|\b(?:isn't|aren't|wasn't|weren't|hasn't|haven't|won't)\W*$", re.IGNORECASE)


def _elliptic_denial(sentence: str, mention: str) -> bool:
    """Whether the clause of ``sentence`` that holds ``mention`` denies it elliptically: "…, but the training code
    is not." Why: the denial's verb stands in the earlier clause ("is released"), so no released/available word
    follows the negation and :data:`PROMISE` does not see it; a reader does."""
    at = sentence.find(mention)
    if at < 0 or not may_match(_ELLIPTIC_NEEDLES, sentence, sentence.lower()) or not _ELLIPTIC.search(sentence):
        return False
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(sentence, 0, at)]
    after = _CLAUSE_BREAK.search(sentence, at + len(mention))
    clause = sentence[breaks[-1] if breaks else 0:after.start() if after else len(sentence)]
    return bool(breaks) and _ELLIPTIC.search(clause) is not None


# What a release sentence leaves out: "We release everything except the training code", "…, but not the training
# code", "all components other than the data". Its scope ends at a clause end or where another clause starts.
_EXCEPT = re.compile(r"\b(?:except(?:\s+for)?|excluding|but\s+not|other\s+than|apart\s+from|save\s+for)\b", re.IGNORECASE)
# The words one of which every match of _ELLIPTIC, _EXCEPT holds: a sentence with none is not searched for them.
_ELLIPTIC_NEEDLES = required_needles(_ELLIPTIC)
_EXCEPT_NEEDLES = required_needles(_EXCEPT)
_EXCEPT_END = re.compile(r"[.;!?。；！？]|,\s*(?:and|while|whereas|which|but)\b|\bbut\b(?!\s+not)|\bwhich\b", re.IGNORECASE)


def _excepted(sentence: str, mention: str) -> bool:
    """Whether ``mention`` stands in what its sentence excepts ("We release everything except: training code.",
    "the weights, but not the training code"), nothing ending that clause between the exception and it. Why: a
    reader takes what follows "except" as what is left out of the release."""
    at = sentence.find(mention)
    if at <= 0 or not may_match(_EXCEPT_NEEDLES, sentence, sentence.lower()) or not _EXCEPT.search(sentence, 0, at):
        return False
    last = [m for m in _EXCEPT.finditer(sentence, 0, at)][-1]
    return _EXCEPT_END.search(sentence, last.end(), at) is None


def _first_sentence_under(text: str, eol: int) -> str:
    """The first sentence of the paragraph under a heading whose line ends at ``eol`` ("" when a heading or nothing
    follows). Why: a heading's words are said by what it heads ("## Training code" › "Not released.", "Coming
    soon."): a mention in a heading whose first sentence denies or promises is no release, as its snippet, which
    quotes the heading and the paragraph under it, shows the reader."""
    at = _BLANKS.match(text, eol).end()  # type: ignore[union-attr]
    if at >= len(text) or _HEADING_LINE.match(text, at):
        return ""
    end = text.find("\n", at)
    end = len(text) if end < 0 else end
    return _sentence_at(text, at, at)[:300] if end > at else ""


def _matches(text: str, lowered: str, pattern: re.Pattern[str], needles: tuple[str, ...] | None
             ) -> Iterator[re.Match[str]]:
    """Every match of ``pattern`` in ``text``, in order, searched only in windows around ``needles`` as
    :func:`fast_search` does for the first one (every match contains a needle; Python's ``re`` is slow on
    long cards). The first match is exactly :func:`fast_search`'s. Without ``needles``, a pattern whose matches
    stay within a line is searched only in the lines that hold the words it requires (:func:`..probes.line_matches`:
    the same matches as a search of the whole text)."""
    if needles is None:
        by_line = line_matches(text, lowered, for_text(pattern, text))
        if by_line is not None:
            yield from by_line
            return
    first = fast_search(text, lowered, pattern, needles)
    if first is None:
        return
    pattern = for_text(pattern, text)
    yield first
    pos = first.end() if first.end() > first.start() else first.end() + 1
    hits: list[int] = []
    limit = len(text) // 400 + 1
    since = max(0, pos - NEEDLE_BEFORE)
    for n in needles_for(needles, text) if needles else ():
        known = needle_hits(lowered, n, limit)
        if len(known) <= limit:   # every occurrence (kept by fast_search): those from ``since`` on
            hits.extend(known[bisect_left(known, since):])
            continue
        i = lowered.find(n, since)
        while i >= 0 and len(hits) <= limit:
            hits.append(i)
            i = lowered.find(n, i + 1)
    if not needles or len(hits) > limit:
        windows = [(pos, len(text))]
    else:
        windows = []
        lined = one_line(pattern)   # (a window cut to its needle's line, as fast_search cuts it: _line_window)
        for i in sorted(hits):
            a, b = max(pos, i - NEEDLE_BEFORE), min(len(text), i + NEEDLE_AFTER)
            if lined:
                a, b = _line_window(text, i, a, b)
            if a >= b:
                continue
            if windows and a <= windows[-1][1]:
                windows[-1] = (windows[-1][0], max(windows[-1][1], b))
            else:
                windows.append((a, b))
    starts = start_hits(text, lowered, pattern)
    if starts is not None:
        # every match opens with one of the pattern's start needles (:func:`..probes.start_needles`): each window is
        # tried only where one occurs, as repeated searches from each match's end find them
        for a, b in windows:
            m = first_match_at(text, pattern, starts, a, b)
            while m is not None:
                yield m
                m = first_match_at(text, pattern, starts, m.end() if m.end() > m.start() else m.end() + 1, b)
        return
    # A pattern whose every match holds a needle near its start (:func:`..probes._lead_for`) is tried only at the
    # starts that close before each needle (as fast_search does for the first match): the same matches, without
    # ``re`` trying every start of a window of 1,200 characters.
    lead = _lead_for(pattern, needles_for(needles, text), text) if needles and windows and len(lowered) == len(text) \
        and len(hits) <= limit else NEEDLE_BEFORE
    head = _starts_near(pattern, lead)[0] if lead < NEEDLE_BEFORE else None
    hits.sort()
    for a, b in windows:
        at = a
        if head is not None:
            yield from _near_needles(text, pattern, head, lead, hits, a, b)
            continue
        while at <= b:
            m = pattern.search(text, at, b)
            if m is None:
                break
            yield m
            at = m.end() if m.end() > m.start() else m.end() + 1


def _near_needles(text: str, pattern: re.Pattern[str], head: re.Pattern[str], lead: int, hits: list[int], a: int,
                  b: int) -> Iterator[re.Match[str]]:
    """``pattern``'s matches in ``text[a:b]`` (searched with end ``b``), in order, as repeated searches from ``a``
    find them, when every match starts at most ``lead`` characters before one of ``hits`` (sorted) that it holds:
    ``head`` (:func:`..probes._starts_near`) tells whether one starts in the ``lead`` + 1 starts before a needle,
    and the search from there finds it (the leftmost: every start before was tried, or is not near a needle)."""
    at, tried = a, a - 1   # matches start from ``at``; no match starts in (.., tried]
    j = bisect_left(hits, a)
    while j < len(hits) and hits[j] < b:
        h = hits[j]
        p = max(at, h - lead, tried + 1)
        if p > h:
            j += 1
            continue
        if head.match(text, p, b) is None:
            tried = p + lead
            j += 1
            continue
        m = pattern.search(text, p, b)
        if m is None:   # (cannot be: the head matched from p with the same end)
            return
        yield m
        at = m.end() if m.end() > m.start() else m.end() + 1
        tried = at - 1


_HEADING_LINE = re.compile(r"[ \t]{0,3}#{1,6}[ \t]")
_BLANKS = re.compile(r"\s*")


def mention_evidence(rec: ModelRecord, m: re.Match[str]) -> Evidence:
    """Evidence quoting a body match (the group ``at`` when the pattern names one), as ``card_search`` does, with
    the context after it cut at the end of its paragraph (:func:`..cards.paragraph_end`): the snippet and its
    ``#L`` lines are the match's paragraph, never the next paragraph or table. A match in a heading quotes the
    heading and the paragraph under it (a heading alone says nothing of what its section holds)."""
    card = rec.card
    assert card is not None
    off = len(card.text) - len(card.body)
    a, b = m.span("at") if "at" in m.re.groupindex else m.span()
    start = card.text.rfind("\n", 0, off + a) + 1
    stop = off + b
    if _HEADING_LINE.match(card.text, start):
        eol = card.text.find("\n", off + b)
        stop = len(card.text) if eol < 0 else _BLANKS.match(card.text, eol + 1).end()  # type: ignore[union-attr]
    anchor, snip = card.span(off + a, off + b, stop=paragraph_end(card.text, stop))
    return Evidence("card", f"{rec.card_locator}{anchor}", snip, rec.read_at)


def first_own_mention(rec: ModelRecord, pattern: re.Pattern[str], needles: tuple[str, ...] | None = None, *,
                      cited: bool = True, component: str | None = None) -> tuple[Evidence | None, Evidence | None]:
    """(the first own mention, the first promised one) as evidence (a mention the card denies for ``component``
    is promised: :func:`own_mentions`)."""
    promised = None
    for m, verdict in own_mentions(rec, pattern, needles, cited=cited, component=component):
        if verdict == "own":
            return mention_evidence(rec, m), promised
        promised = promised or mention_evidence(rec, m)
    return None, promised


def denial_evidence(rec: ModelRecord, line: int, component: str | None) -> Evidence | None:
    """The words that deny card line ``line`` for ``component`` (the denying heading over it, or the lead of the
    denied list it is an item of: :func:`.datasets_released.denial_of`) as evidence, quoted as written. Why: a
    finding that sets a mention or a link aside as denied shows which words of the card decided it."""
    from openscope.derive.openness.probes.datasets_released import denial_of

    found = denial_of(rec, line, component)
    if found is None or rec.card is None:
        return None
    at, text = found
    return Evidence("card", f"{rec.card_locator}#L{at}", text, rec.read_at)


def line_of_evidence(ev: Evidence) -> int | None:
    """The first card line a card evidence's locator names (``…#L7`` or ``…#L7-L9``), else None."""
    m = _LOCATOR_LINE.search(ev.locator) if ev.kind == "card" else None
    return int(m.group(1)) if m else None


_LOCATOR_LINE = re.compile(r"#L(\d+)(?:-L\d+)?$")


def with_denial(rec: ModelRecord, ev: Evidence, component: str | None) -> list[Evidence]:
    """``ev``, then the words that deny its line for ``component`` when the card denies it there
    (:func:`denial_evidence`): a "documented, not released" finding read off a denied list item names the denial."""
    line = line_of_evidence(ev)
    denial = None if line is None else denial_evidence(rec, line, component)
    return [ev] if denial is None else [ev, denial]


def first_undenied(rec: ModelRecord, pattern: re.Pattern[str], needles: tuple[str, ...] | None, component: str | None
                   ) -> tuple[Evidence | None, Evidence | None]:
    """(the first match of ``pattern`` in the card body on a line the card does not deny for ``component``, the
    first on a denied line) as evidence. Why: a model-card field "- training code: https://github.com/…" names the
    release's code, except as an item of a list the card denies ("## Not released"), where its link may be a
    placeholder."""
    from openscope.derive.openness.probes.datasets_released import denied_lines

    card = rec.card
    if card is None:
        return None, None
    off = len(card.text) - len(card.body)
    denied_ev: Evidence | None = None
    denied: frozenset[int] | None = None
    for seen, m in enumerate(_matches(card.body, card.lowered_body, pattern, needles)):
        if seen >= MAX_MATCHES:
            break
        denied = denied_lines(rec, component) if denied is None else denied
        if card.line_of(off + m.start()) not in denied:
            return mention_evidence(rec, m), denied_ev
        denied_ev = denied_ev or mention_evidence(rec, m)
    return None, denied_ev


# A fence line: three backticks (with no backtick after them on the line: "```!pip install x```" is inline code,
# as CommonMark reads it) or three tildes.
_FENCE = re.compile(r"^[ \t]{0,3}(?:```(?![^\n]*`)|~~~)", re.MULTILINE)


def _fence_starts(text: str) -> list[int]:
    """Where ``_FENCE.finditer(text)`` matches, tried only at the starts of lines that open with at most three
    spaces or tabs and a run of backticks or tildes. Why: a ``^`` pattern is tried at every character of the
    card; the runs are found with ``str.find``, and a fence line matches once, at its line's start. Only a line's
    first run can stand within three characters of its start, so the search goes on at the next line, and the
    line's start is looked for in the four characters before the run (a line of 200,000 backticks was read once
    per backtick, each time back to its start)."""
    starts: set[int] = set()
    for run in ("```", "~~~"):
        j = text.find(run)
        while j >= 0:
            ls = text.rfind("\n", max(0, j - 4), j) + 1
            if (ls > 0 or j <= 3) and all(c in " \t" for c in text[ls:j]):
                starts.add(ls)
            nl = text.find("\n", j)
            j = -1 if nl < 0 else text.find(run, nl + 1)
    return [ls for ls in sorted(starts) if _FENCE.match(text, ls)]


def code_spans(rec: ModelRecord) -> list[tuple[int, int]]:
    """Where the card's fenced code blocks are (offsets in ``card.text``), cached on the record. Why: a URL or a
    word inside code is what the reader types or feeds in (an input video, an option), not what the card shows
    as the release's own thing; an unclosed fence runs to the end of the card, as Markdown renders it."""
    card = rec.card
    if card is None:
        return []
    spans = rec.cache.get("own_evidence_code")
    if spans is None:
        fences = _fence_starts(card.text)
        spans = [(fences[i], fences[i + 1] if i + 1 < len(fences) else len(card.text))
                 for i in range(0, len(fences), 2)]
        rec.cache["own_evidence_code"] = spans
    return spans


def in_code(rec: ModelRecord, pos: int) -> bool:
    """Whether offset ``pos`` of ``card.text`` is inside a fenced code block."""
    spans = code_spans(rec)
    i = bisect_right(spans, (pos, len(spans) + 10**12)) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]


def cited_link(rec: ModelRecord, place: Link, used: bool = True) -> bool:
    """Whether the card shows a link as someone else's (or not yet real): hidden in an HTML comment, in a
    section of others' work, on a line that promises or denies, or in a sentence that cites it ("based on
    [X](…)", "using [X](…)", "check out another project [X](…)"). Why: a link to a Hub model or dataset is
    the release's own weights or training data only when the card does not attribute it to others. With ``used``
    false a word of use right before the link ("using [X](…)", "使用 [X](…)") does not cite it: a caller that knows
    the sentence says the model was trained on the link (a dataset's) reads it so."""
    card = rec.card
    if card is None:
        return True
    idx = card_index(rec)
    at = idx.line_start(place.line)
    line = card.text[at:card.text.find("\n", at) if card.text.find("\n", at) >= 0 else len(card.text)]
    url_at = at + max(0, place.url_in(line, at))
    if idx.is_hidden(url_at) or any(citing_section(t) or OTHERS_SECTION.search(t)
                                     for t in enclosing_titles(card, at)):
        return True
    before = card.text[at:url_at]
    if before.endswith("("):              # drop the link's own anchor: "[Stable Diffusion]("
        before = before[:max(0, before.rfind("["))]
    elif "<a" in before[-400:]:
        before = before[:before.rfind("<a")]
    if "](" in before:                    # the words that lead to this link, not to an earlier one on the line
        before = before[before.rfind("](") + 2:]
        before = before[before.find(")") + 1:] if ")" in before else before
    cut = max(before.rfind(". "), before.rfind("! "), before.rfind("? "), before.rfind("。"))
    before = before[cut + 1:]             # within the link's own sentence
    before = _POINTING_END.sub("", before)  # "download our delta at the following [link](…)", "please refer to
    #                                          [our data](…)" point at the thing, they do not cite it
    near = before[-NEAR:]
    used = used and bool(zsearch(USED, near)) and not RESULT_LEAD.search(near)   # "the result is a model like [X](…)"
    # (the tests are pure, so their order is free: the sentence and clause reading of _promised_at, the dearest,
    # comes last, and is skipped for a link the words before it already cite)
    return used or bool(zsearch(CITED, near)) or bool(ANOTHER.search(near)) \
        or _promised_at(line, at, url_at, place.url, idx.hidden)


# Words that make what follows the release's own result, even after "like"/"such as": "the result is a DPO
# model like [starchat](…)", "we release models such as [X](…)".
RESULT_LEAD = re.compile(r"\bthe\s+results?\s+(?:is|are)\b|\bresults?\s+in\b|\bwe\s+(?:release|provide|publish|"
                         r"open-?source)\b", re.IGNORECASE)
_POINTING_END = re.compile(r"\b(?:(?:please\s+)?(?:refer\s+to|see|check\s+out|visit)(?:\s+the)?|"
                           r"(?:at|from|in|on|via)?\s*+the\s+following)\s*+:?\s*+$", re.IGNORECASE)
# Sections that list other people's things (read with their parents: "## Useful Resources" › "### Hugging Face").
# Also the Hub forms' lists of other repositories: a quantizer's "Repositories available" (its other formats
# of the same model, and the original), a merge's "Models Merged".
OTHERS_SECTION = re.compile(r"(?:useful|external|other|additional|more)\s+(?:resources|links|models|projects)|"
                            r"further\s+reading|awesome|repositories\s+available|available\s+(?:repositories|"
                            r"formats|quants?|quantizations?)|other\s+(?:formats|quants?|quantizations?|versions|sizes)|"
                            r"models?\s+merged|merged\s+models", re.IGNORECASE)


def enclosing_titles(card: Card, pos: int) -> list[str]:
    """The titles of the section holding ``pos`` and of every section above it (its parents)."""
    stack: list[tuple[int, str]] = []
    for s in card.sections:
        if s.start > pos:
            break
        while stack and stack[-1][0] >= s.level:
            stack.pop()
        stack.append((s.level, s.title))
    return [t for _, t in stack]


def own_place(rec: ModelRecord, link: Link, skip: frozenset[int] = frozenset()) -> Link | None:
    """The first place the card links ``link``'s URL that :func:`cited_link` does not set aside (a URL cited in
    the news and linked again under "Training Data" is the release's own there), on no line of ``skip`` (the lines
    the card denies: an item of "## Not released")."""
    if rec.card is None:
        return None
    return next((p for p in occurrences(rec.card, link) if p.line not in skip and not cited_link(rec, p)), None)


# Right before a link, a pointer to a different release: "check out another awesome project [X](…)", "see our
# other work", "Base Model: [X](…)", "fine-tuned from [X](…)".
ANOTHER = re.compile(r"\b(?:another|other|sister|previous|earlier)\s+(?:\w+\s+){0,2}(?:projects?|works?|models?|"
                     r"releases?|papers?)\b|\bbase\s+models?\b|\b(?:fine-?tuned|trained|initiali[sz]ed|distilled|"
                     # (not "trained on chains from [the PDB]": what a model is trained *on* is its data)
                     # (nor "trained X from scratch": no model is named after it, and a link that follows is the
                     # release's own, "We trained X from scratch; the code is [repo](…)")
                     r"continued|quantized|converted)\s+(?!on\b)(?:\w+\s+){0,2}from\b(?!\s+scratch\b)|"
                     r"\b(?:fine-?tun(?:e|ing)|post-?train(?:ing)?|distill(?:ing)?)\s*$"
                     # the model a re-upload or a merge is made of ("Original model: [X](…)", "GGUF format model
                     # files for [X](…)", "a fine-tuned version of [X](…)", "a merge of [X](…)")
                     r"|\boriginal\s+(?:[\w-]+\s+){0,3}?(?:models?|weights|checkpoints?)\b"
                     r"|\b(?:versions?|variants?|quanti[sz]ations?|quants?|conversions?|files|merge|adapters?|LoRA)\s+"
                     r"(?:of|for|to)\s*(?:the\s+)?$", re.IGNORECASE)


# -- links -----------------------------------------------------------------------------------------------------

WHY = {"label": "labelled as such", "sentence": "announced as the model's own", "header": "in the card's header",
       "publisher": "the publisher's own repository, beside the code's mention",
       "script": "a training script the sentence says trained the model",
       "fork": "a fork or branch of a framework the sentence says trained the model",
       "code": "the code of a sentence that says the model was trained"}


CODE_HINTS = ("code", "github", "repo", "implementation", "source", "script", "código", "codice", "代码", "源码") + jako_needles("コード", "코드")
REPORT_HINTS = ("report", "card", "paper", "white", "报告", "论文") + jako_needles("レポート", "報告", "論文", "보고서", "리포트",
                                                                           "논문")


_DEICTIC_LINK = re.compile(r"\[[^\[\]\w\n]{0,10}(?:click\s)?(?:here|read|link|this|view|see|pdf)[^\[\]\w\n]{0,10}\]"
                           r"\((https?://[^)\s]{1,500})\)|"
                           r"<a\s[^<>]{0,300}?href=[\"'](https?://[^\"'<>]{1,500})[\"'][^<>]{0,300}>[^<\w]{0,10}"
                           r"(?:click\s)?(?:here|read|link|this|view|see|pdf)[^<\w]{0,10}</a>", re.IGNORECASE)


def _candidates(card: Card, links: list[Link], hints: tuple[str, ...]) -> list[Link]:
    """The links that can pass :func:`_may_be` at some place: linked on a line with a hint, or with a
    pointing anchor. Judging only these keeps a card with hundreds of links cheap."""
    body, low = card.body, card.lowered_body
    spans: set[tuple[int, int]] = set()
    for h in needles_for(hints, body):
        b = 0   # each hint's first occurrence on a line after the last line taken (the card's needle index: one pass)
        for i in needle_hits(low, h, len(low)):
            if len(spans) >= 5000:
                break
            if i < b:
                continue
            a, b = body.rfind("\n", 0, i) + 1, body.find("\n", i)
            b = len(body) if b < 0 else b
            spans.add((a, b))
    hinted = "\n".join(body[a:b] for a, b in sorted(spans))
    pointing = _pointing(card)
    return [ln for ln in links if ln.url in pointing or ln.url in hinted]


_POINTING: list[Any] = [None, frozenset()]


def _pointing(card: Card) -> frozenset[str]:
    """The URLs the card links with a pointing anchor ("[here](…)"), kept for the last card text: the code and
    the report links both ask (each ``findall`` reads the whole card)."""
    if _POINTING[0] is not card.text:
        low = card.lowered_body
        found = frozenset(a or b for a, b in _DEICTIC_LINK.findall(card.text)) if any(
            w in low for w in ("here", "read", "link", "this", "view", "see", "pdf")) else frozenset()
        _POINTING[:] = [card.text, found]
    return _POINTING[1]


def _may_be(line: str, place: Link, hints: tuple[str, ...]) -> bool:
    """A cheap first look before :func:`judge_place`: every rule needs one of ``hints`` on the link's line (its
    anchor, badge, field label or announcing sentence), except a pointing anchor ("[here](…)"), whose
    announcement may be on the lines before."""
    low = line.lower()
    return any(h in low for h in hints) or bool(place.text and DEICTIC.match(clean_anchor(place.text)))


def judge_place(card: Card, place: Link, lines: Sequence[str], idx: CardIndex, *,
                anchor_rx: re.Pattern[str], field_rx: re.Pattern[str], cue_rx: re.Pattern[str],
                header: bool = True) -> str | None:
    """Why one place a URL is linked is the release's own thing (``label``, ``sentence``, ``header``), or None
    when the card hides, promises or cites it there."""
    line = _line(lines, place.line)
    at = idx.line_start(place.line)
    url_at = at + max(0, place.url_in(line, at))
    if idx.is_hidden(url_at):
        return None
    if citing_section(idx.section(at)) or _promised_at(line, at, url_at, place.url, idx.hidden):
        return None
    before, earlier = _sentence_before(lines, place, line, card)
    label = clean_anchor(place.text)
    after = after_link(line, place.url)
    # a Japanese or Korean sentence says it cites after the link ("[X](…)を参考にしました", "[X](…)를 참고했습니다")
    cited = cites(before) or bool(after and zsearch(CITED, after[:NEAR]))
    if label and anchor_rx.match(label) and not sentence_search(NAMED_BEFORE, before) and not cited:
        return "label"
    if field_rx.search(line):
        return "label"
    said = f"{before} {place.text}{after}"
    if cited:
        return None
    # a pointing anchor ("[here](…)") takes its meaning from the sentences before it in its paragraph, however the
    # paragraph is wrapped ("We release our paper! … Check it [here](…)": one line, or a sentence to a line)
    if sentence_search(cue_rx, said) or (label and DEICTIC.match(label)
                                         and sentence_search(cue_rx, f"{earlier} {line[:max(0, url_at - at)]}"
                                                                     f" {text_before(lines, place, line, card)}")):
        return "sentence"
    if header and in_header(card, place.line) and _standalone(line) and _standalone(before):
        return "header"
    return None


def link_evidence(rec: ModelRecord, place: Link, why: str) -> Evidence:
    """A card link as evidence: its URL, line and anchor, and which rule made it the release's own."""
    shown = f"[{place.text}]({place.url})" if place.text else place.url
    return Evidence("card", place.url, f"line {place.line}: {shown} ({WHY[why]})", rec.read_at)


# Code repositories: a page of a repository, not its issue tracker, a licence file, a pull request or an asset.
NOT_A_REPOSITORY = re.compile(r"/(issues|pulls?|discussions|compare|commits?|releases/download|actions|wiki)\b|"
                              r"/user-attachments/|/assets/|\.(png|jpe?g|gif|svg|webp|mp4|mov|webm)(\?|$)|"
                              r"/blob/[^/]+/(LICEN[CS]E|COPYING|NOTICE)[\w.-]*$|^https?://(www\.)?github\.com/"
                              r"[\w.-]+/?$", re.IGNORECASE)
CODE_ANCHOR = re.compile(
    r"^(?:(?:view|see|get|visit|browse|check(?:\s+out)?)\s+)?(?:(?:the|our|official)\s+)*"
    r"(?:(?:source|training|inference|project|model|full|official)\s+)?"
    r"(?:code(?:base)?|github(?:\s+repo(?:sitory)?)?(?:\s+(?:page|stars))?|git\s*hub|repo(?:sitory)?|implementation|source)"
    r"(?:\s+(?:on|at)\s+github)?$"
    # Chinese: 代码, 源码, 源代码, 官方代码, 训练代码, 项目代码, 代码仓库, (查看)代码
    r"|^(?:查看|获取)?(?:官方|项目|训练|推理|模型)?(?:源代码|源码|代码)(?:仓库|地址|链接)?$"
    # Japanese and Korean: コード, ソースコード, 公式実装, 学習コード; 코드, 소스 코드, 공식 코드, 학습 코드
    r"|^(?:公式|学習|訓練|推論)?(?:の)?(?:ソースコード|コード|実装)(?:リポジトリ)?$"
    r"|^(?:공식|학습|훈련|추론)?\s?(?:소스\s?코드|코드|구현)(?:\s?저장소)?$", re.IGNORECASE)
CODE_FIELD = re.compile(r"^\W*(?:source\s+)?(?:code(?:base)?|repository|repo|github|implementation|training\s+code"
                        r"|源代码|源码|代码|代码仓库|训练代码|ソースコード|コード|リポジトリ|学習コード"
                        r"|소스\s?코드|코드|저장소|학습\s?코드)\W*(?::|：|\*\*)", re.IGNORECASE)
CODE_CUE = either(
    r"\bour\s+(?:[\w.+:'-]+\s+){0,4}?(?:code(?:base)?|repo(?:sitory)?|github|implementation|scripts?)\b"
    r"|\bofficial\s+(?:[\w-]+\s+){0,3}?(?:implementation|repo(?:sitory)?|code(?:base)?)\b"
    r"|\b(?:code|codebase|implementation|scripts)\s+(?:(?:is|are|has\s+been|have\s+been)\s+)?(?:now\s+)?(?:also\s+)?"
    r"(?:released|available|open[- ]?sourced|public)\b"
    # where the code is kept: "The training and inference code is on Codeberg: [wren-asr](…)", "the code is at …"
    # (after "the", "our" or "all": "Their code is on GitHub", "Otterlab's code is on GitHub" are someone else's)
    r"|\b(?:the|our|all)\s+(?:[\w-]+\s+){0,4}?(?:code|codebase|implementation|scripts)\s+(?:is|are)\s+(?:hosted\s+)?"
    r"(?:on|at)\b"
    # the same in German, French and Spanish: "Der Trainingscode liegt auf GitHub", "Le code d'entraînement est
    # disponible sur GitHub", "El código de entrenamiento está en GitLab" (after the article or "our": "unser",
    # "notre", "nuestro")
    r"|\b(?:der|unser)\s+(?:[\w-]+\s+){0,3}?[\w-]{0,30}code\s+(?:liegt|ist|steht)\s+(?:(?:öffentlich|frei|jetzt)\s+)?"
    r"(?:auf|bei|unter)\b"
    r"|\b(?:le|notre)\s+code\s+(?:[\w'’-]+\s+){0,3}?(?:est|se\s+trouve)\s+(?:(?:disponible|publié|hébergé|public)\s+)?"
    r"(?:sur|à|dans)\b"
    r"|\b(?:el|nuestro)\s+código\s+(?:[\w'-]+\s+){0,3}?(?:está|se\s+encuentra)\s+(?:(?:disponible|publicado|alojado)\s+)?"
    r"en\b"
    # Chinese: our code (我们的代码), the code is open-sourced / released (代码已开源, 代码已发布, 代码现已公开)
    , r"我们的(?:[^。\n，]{0,6}?)(?:代码|源码|实现)|(?:源?代码|源码)(?:已|现已|已经)(?:全部)?(?:开源|发布|公开|上线)",
    re.IGNORECASE,
    # Japanese: our code (私たちの/我々のコード), the code is released (コードは…で公開しています, コードを公開しました);
    # Korean: our code (저희/우리 코드), the code is released (코드는 …에서 공개, 코드를 공개했습니다)
    jako=r"(?:私たち|我々|当社)の[^。\n、]{0,6}?(?:コード|実装)"
    r"|コード(?:は|を|も)[^。\n]{0,120}?(?:公開しました|公開しています|公開されています|で公開|リリースしました)"
    r"|(?:저희|우리)의?\s?[^.\n,]{0,6}?(?:코드|구현)"
    r"|코드(?:는|를|도|가)\s?(?:[^.\n]|\.(?=\S)){0,120}?(?:공개했|공개하였|공개되었|공개되어|공개합니다|에서\s?공개)")


def own_code_repository(rec: ModelRecord, component: str | None = None) -> Evidence | None:
    """The first code-host repository (GitHub, GitLab, …) the card presents as the release's own code: linked
    as "Code"/"GitHub"/"Repository" (anchor, badge or model-card field), or announced ("our code", "the official
    implementation", "the code is available at"). A repository the card cites (a framework it was trained with,
    a base model's, a plug-in, a related project), an issue tracker, a licence file or an asset is not the
    release's code, and neither is a repository merely standing in the header: headers link integrations,
    demos and other people's ports as readily as their own code. Nor is a link on a line the card denies for
    ``component`` (an item of "## Not released" › "- training code: https://github.com/…": the link may be a
    placeholder; :func:`.datasets_released.denied_lines`)."""
    card = rec.card
    if card is None:
        return None
    from openscope.derive.openness.probes.datasets_released import denied_lines

    denied = denied_lines(rec, component)
    # (one look for every component on a card that denies nothing, the most of them: the answer is the same)
    key = f"own_code_repository:{component}" if denied else "own_code_repository"
    if key in rec.cache:
        return rec.cache[key]
    lines = card.lines()   # numbered as Card.line_of numbers them
    idx = card_index(rec)
    found: Evidence | None = None
    code_links = [ln for ln in card.links if CODE_HOST.search(ln.url) and not NOT_A_REPOSITORY.search(ln.url)
                  and not library_repository(rec, ln.url)]
    for link in _candidates(card, code_links, CODE_HINTS):
        for place in occurrences(card, link):
            if place.line in denied or not _may_be(_line(lines, place.line), place, CODE_HINTS):
                continue
            why = judge_place(card, place, lines, idx, anchor_rx=CODE_ANCHOR, field_rx=CODE_FIELD, cue_rx=CODE_CUE,
                              header=False)
            if why == "sentence" and _details_pointer(_line(lines, place.line), place):
                continue
            if why:
                found = link_evidence(rec, place, why)
                break
        if found:
            break
    rec.cache[key] = found
    return found


# "For details, please see our GitHub repository: [org/repo](…)", "Visit our repository for more information": the
# sentence sends the reader to the repository for details, and names no code there.
_FOR_DETAILS = re.compile(r"\bfor\s+(?:more\s+|further\s+|all\s+(?:the\s+)?|the\s+)?(?:details|information|info)\b"
                          r"|\bto\s+learn\s+more\b|\bmore\s+(?:details|information)\b", re.IGNORECASE)
_CODE_WORD = re.compile(r"\b(?:code(?:base)?|implementation|scripts?|source)\b", re.IGNORECASE)


def _details_pointer(line: str, place: Link) -> bool:
    """Whether the sentence that announces a repository only points to it for details (:data:`_FOR_DETAILS`) and
    names no code in it (:data:`_CODE_WORD`, the link's anchor included). Why: "our GitHub repository" is the
    publisher's, but a reader cannot tell from "see it for details" that it holds the model's code; "our code is on
    GitHub", "the implementation and details are in our repository" still say so."""
    at = line.find(place.url)
    said = line if at < 0 else line[:at]
    return bool(_FOR_DETAILS.search(said)) and not _CODE_WORD.search(said + " " + place.text)


def publishers_repository(rec: ModelRecord, mention: Evidence) -> Evidence | None:
    """A code-host repository linked on the lines of ``mention`` (a sentence naming the code, in whatever language)
    whose owner is the release's own namespace on the Hub (``rio-nlp/sabia-lite`` for ``rio-nlp/Sabia-lite``), and
    that the card does not cite, hide or promise there. Why: "O código de treinamento está disponível no GitHub:
    [rio-nlp/sabia-lite](…)", "Il codice di addestramento è su GitHub", "De trainingscode staat op GitHub" name the
    code beside the publisher's own repository, and the words that say "it is ours" differ in every language; the
    owner is the same in all of them. The card's own id is the handle (never a model's name); a repository of
    another owner still needs the card's words (:func:`own_code_repository`)."""
    card = rec.card
    namespace = _squash(rec.id.partition("/")[0]) if "/" in rec.id else ""
    m = re.search(r"#L(\d+)(?:-L(\d+))?$", mention.locator)
    if card is None or not namespace or m is None:
        return None
    first, last = int(m.group(1)), int(m.group(2) or m.group(1))
    for link in card.links:
        if not CODE_HOST.search(link.url) or NOT_A_REPOSITORY.search(link.url) or library_repository(rec, link.url):
            continue
        owner = _REPO_PATH.match(link.url)
        if owner is None or _squash(owner.group(1)) != namespace:
            continue
        for place in occurrences(card, link):
            if first <= place.line <= last and not cited_link(rec, place):
                return link_evidence(rec, place, "publisher")
    return None


def _squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


_REPO_PATH = re.compile(r"^https?://[^/]+/([\w.-]+)/([\w.-]+)", re.IGNORECASE)


def library_repository(rec: ModelRecord, url: str) -> bool:
    """Whether a code-host link is the repository of a library the model runs with: one of ``libraries.yml``
    (by its licence file's repository, or by its name: ``ggerganov/llama.cpp`` is ``ggml-org/llama.cpp``
    renamed) or the card's own ``library_name``. Why: generated cards link their library's repository as
    "**Repository:** [Sentence Transformers on GitHub](…)", and GGUF cards list llama.cpp and its clients; that
    code is the library's, under the library's licence (the supporting-libraries probe reads it), not the
    release's own code."""
    m = _REPO_PATH.match(url)
    if m is None:
        return False
    owner, repo = m.group(1).lower(), m.group(2).lower().removesuffix(".git")
    names, repos = _library_names()
    return f"{owner}/{repo}" in repos or _squash(repo) in names or (
        bool(rec.library_name) and _squash(repo) == _squash(rec.library_name or ""))


@cache
def _library_names() -> tuple[frozenset[str], frozenset[str]]:
    """(squashed names, ``owner/repo`` of the licence URLs) of the libraries ``libraries.yml`` lists."""
    from openscope.derive.openness import libraries

    names, repos = set(), set()
    for name in libraries.known_names():
        lib = libraries.by_library_name(name)
        names.add(_squash(name))
        m = _REPO_PATH.match(lib.url) if lib else None
        if m:
            repos.add(f"{m.group(1).lower()}/{m.group(2).lower()}")
    return frozenset(names), frozenset(repos)


# Reports: a technical report, tech report, system card, white paper or model report.
REPORT_WORDS = either(r"\b(?:technical|tech\.?|technique)[\s_-]*reports?\b|\bsystem[\s_-]*cards?\b|"
                      r"\bwhite[\s_-]*papers?\b|\bmodel[\s_-]*reports?\b", r"技术报告|白皮书", re.IGNORECASE,
                      jako=r"技術(?:レポート|報告書?)|テクニカルレポート|ホワイトペーパー|白書"
                      r"|기술\s?(?:보고서|리포트)|테크니컬\s?리포트|백서")
REPORT_ANCHOR = re.compile(
    r"^(?:(?:read|view|see|download|check(?:\s+out)?|open)\s+)?(?:(?:the|our|this|full|latest|new)\s+)*"
    r"(?:(?:technical|tech\.?|technique)\s+)?(?:report|system\s+card|white\s*paper)s?"
    r"(?:\s+(?:v?\d+(?:\.\d+)*|pdf|arxiv|on\s+arxiv))*$|^(?:阅读|查看|下载)?(?:我们的)?(?:技术报告|白皮书)(?:链接|地址)?$"
    r"|^(?:技術(?:レポート|報告書?)|テクニカルレポート|ホワイトペーパー)(?:\s?(?:PDF|リンク))?$"
    r"|^(?:기술\s?(?:보고서|리포트)|테크니컬\s?리포트|백서)(?:\s?(?:PDF|링크))?$",
    re.IGNORECASE)
# Or a paper the publisher hosts itself ("[Paper Link](…/DeepSeek_R1.pdf)"): read by :func:`_report_kind`.
REPORT_OR_PAPER_ANCHOR = re.compile(REPORT_ANCHOR.pattern + r"|^(?:(?:read|view|see|the|our|full)\s+)*papers?"
                                    r"(?:\s+(?:link|pdf))?$", re.IGNORECASE)
REPORT_FIELD = re.compile(r"^\W*(?:(?:technical|tech\.?)\s+report|system\s+card|white\s*paper|report|技术报告|技術レポート|技術報告書?|기술\s?보고서|기술\s?리포트)\W*(?::|：|\*\*)",
                          re.IGNORECASE)
REPORT_CUE = re.compile(
    OWN_CUE.pattern + r"|\b(?:technical|tech\.?)\s+report\b(?:[^.\n]|\.(?=\S)){0,200}?\b(?:is|are|has\s+been|have\s+been|was|were)\s+"
    r"(?:now\s+)?(?:also\s+)?(?:released|available|out|published)\b"
    r"|\bwe\s+(?:have\s+)?(?:release[ds]?|publish(?:ed)?)\s+(?:[\w.+:'-]+\s+){0,4}?(?:paper|report)s?\b",
    re.IGNORECASE)
# Preprint servers beside the paper hosts: a preprint there is a research paper, not a self-published report.
PREPRINT_HOST = re.compile(r"biorxiv\.org|medrxiv\.org|chemrxiv\.org|ssrn\.com|researchgate\.net", re.IGNORECASE)
IMAGE_URL = re.compile(r"img\.shields\.io|/badges?/|\.(png|jpe?g|gif|svg|webp)(\?|$)", re.IGNORECASE)
_PAPER_WORD = re.compile(r"\bpapers?\b", re.IGNORECASE)
_REPORT_IN_URL = re.compile(r"(?:technical|tech)[_-]?report|white[_-]?paper|system[_-]?card|/report[\w.-]*$",
                            re.IGNORECASE)


def _own_markup(line: str, url: str) -> str:
    """The markup of the link at ``url`` on its line after the URL (an ``<a href=url>…</a>`` element's badge
    image and words), so a badge's label is read as the link's own words, not its neighbours'."""
    at = line.find(url)
    end = line.lower().find("</a>", at) if at >= 0 else -1
    return line[at + len(url):end].replace("%20", " ") if end > at >= 0 else ""


def _report_kind(place: Link, line: str, why: str) -> bool:
    """Whether an own document link is a report: named one (its anchor, its badge, its URL), or a paper the
    publisher hosts itself (a PDF on its own site or repository, not on a paper host or preprint server)."""
    if REPORT_WORDS.search(place.text) or REPORT_ANCHOR.match(clean_anchor(place.text) or "-"):
        return True
    if REPORT_WORDS.search(_own_markup(line, place.url)) or _REPORT_IN_URL.search(place.url.split("?", 1)[0]):
        return True
    self_hosted = not paper_link(place.url) and not PREPRINT_HOST.search(place.url)
    pdf = place.url.lower().split("?", 1)[0].endswith(".pdf")
    return self_hosted and pdf and bool(_PAPER_WORD.search(place.text) or why == "sentence")


def _relative_report(place: Link) -> bool:
    """A file beside the card that is a report: its anchor or path names one, or it is a PDF called a paper."""
    return bool(REPORT_WORDS.search(place.text) or REPORT_ANCHOR.match(clean_anchor(place.text) or "-")
                or _REPORT_IN_URL.search(place.url.split("?", 1)[0])
                or (place.url.lower().split("?", 1)[0].endswith(".pdf") and _PAPER_WORD.search(place.text)))


_HTML_REL = re.compile(r"<a\s[^<>]{0,300}?href=[\"'](?!https?://|#|mailto:)([^\"'<>\s]{1,300})[\"'][^<>]{0,300}>"
                       r"((?:[^<]|<(?!/a>)){0,300}?)</a>", re.IGNORECASE)


def _html_relative_links(card: Card) -> list[Link]:
    """Relative ``<a href="tech_report.pdf">Full Report</a>`` links (the parsed card keeps markdown ones)."""
    if "<a" not in card.body:
        return []
    off = len(card.text) - len(card.body)
    return [Link(m.group(1), re.sub(r"<[^>]+>", " ", m.group(2)).strip(), card.line_of(off + m.start()))
            for m in _HTML_REL.finditer(card.body)][:200]


def own_report_link(rec: ModelRecord, component: str | None = None) -> tuple[Evidence | None, bool]:
    """(the first link the card presents as the release's own technical report, whether it is a file beside the
    card). A relative link is the repository's own file: it counts when it is a report (and the file list has
    its target, or there is no file list), unless the card hides or promises it there. A link on a line the card
    denies for ``component`` (an item of "## Not released") is no report the card releases."""
    from openscope.derive.openness.probes.datasets_released import denied_lines

    card = rec.card
    if card is None:
        return None, False
    denied = denied_lines(rec, component)
    lines = card.lines()   # numbered as Card.line_of numbers them
    idx = card_index(rec)
    places: list[tuple[Link, bool]] = []
    hinted = {ln.url for ln in _candidates(card, card.links, REPORT_HINTS)}
    for link in [ln for ln in card.links if ln.url in hinted or ln.url.lower().endswith(".pdf")]:
        places.extend((p, False) for p in occurrences(card, link))
        if len(places) >= 2000:
            break
    relative = card.rel_links + _html_relative_links(card)
    places.extend((p, True) for p in relative if _relative_report(p) and links_to_listed_file(rec, p.url))
    for place, relative in sorted(places[:2000], key=lambda x: x[0].line):
        if place.line in denied:
            continue
        if relative:
            line = _line(lines, place.line)
            at = idx.line_start(place.line)
            url_at = at + max(0, place.url_in(line, at))
            if not (idx.is_hidden(url_at) or _promised_at(line, at, url_at, place.url, idx.hidden)
                    or citing_section(idx.section(at))):
                # a file beside the card: the evidence quotes the card's own line where it is linked
                anchor, snip = card.span(url_at, url_at + len(place.url))
                return Evidence("card", f"{rec.card_locator}{anchor}", snip, rec.read_at), True
            continue
        if IMAGE_URL.search(place.url) or not (_may_be(_line(lines, place.line), place, REPORT_HINTS)
                                                or place.url.lower().endswith(".pdf")):
            continue
        why = judge_place(card, place, lines, idx, anchor_rx=REPORT_OR_PAPER_ANCHOR, field_rx=REPORT_FIELD,
                          cue_rx=REPORT_CUE)
        line = _line(lines, place.line)
        # announced as "our technical report [title](…)": the sentence names the report, not the anchor
        named = why == "sentence" and bool(REPORT_WORDS.search(_sentence_before(lines, place, line, card)[0]))
        if why and (named or _report_kind(place, line, why)):
            return link_evidence(rec, place, why), False
    return None, False


OWN_REPORT_TEXT = either(
    r"\bour\s+(?:[\w.+:'-]+\s+){0,4}?(?:(?:technical|tech\.?)\s+report|system\s+card|white\s*paper|model\s+report)s?\b"
    r"|\b(?:in|see|check|read|from|per)\s+(?:the|this|our)\s+(?:(?:technical|tech\.?)\s+report|system\s+card|"
    r"white\s*paper)\b"
    r"|\b(?:releas\w*|publish\w*|updated?|issued?)\s+(?:a|an|the|our|its)\s+(?:new\s+)?(?:(?:technical|tech\.?)\s+"
    r"report|system\s+card|white\s*paper)"
    r"|\b(?:technical|tech\.?)\s+report\b(?:[^.\n]|\.(?=\S)){0,200}?\b(?:is|are|has\s+been|have\s+been)\s+(?:now\s+)?(?:also\s+)?"
    r"(?:released|available|out|published)\b"
    r"|\b(?:technical|tech\.?)\s+report\s+(?:of|for)\s+(?:this|the)\s+model\b"
    # Chinese: our technical report (我们的技术报告), the report is out (技术报告已发布/现已公开), we released a report
    # (发布了技术报告), see the report (详见技术报告, 请参阅技术报告)
    , r"我们的技术报告|技术报告(?:已|现已|已经)(?:发布|公开|上线)|(?:发布|公开)了?[^。\n，]{0,10}?技术报告"
    r"|(?:详见|详情见|请参阅|请查看)[^。\n，]{0,6}?技术报告", re.IGNORECASE,
    # Japanese: our report (私たちの技術レポート), the report is out (技術レポートを公開しました), see it (詳細は…技術
    # レポート); Korean: our report (저희 기술 보고서), the report is out (기술 보고서를 공개했습니다), see it (자세한 내용은
    # … 기술 보고서)
    jako=r"(?:私たち|我々)の技術(?:レポート|報告書?)"
    r"|技術(?:レポート|報告書?)(?:を|は)[^。\n]{0,120}?(?:公開しました|公開しています|公開されています|で公開)"
    r"|詳細は[^。\n]{0,10}?技術(?:レポート|報告書?)|技術(?:レポート|報告書?)を(?:ご覧|お読み)"
    r"|(?:저희|우리)의?\s?기술\s?(?:보고서|리포트)"
    r"|기술\s?(?:보고서|리포트)(?:를|을|는|가)\s?(?:[^.\n]|\.(?=\S)){0,120}?(?:공개했|공개하였|공개되었|공개합니다|발표했)"
    r"|자세한\s?내용은\s?[^.\n]{0,10}?기술\s?(?:보고서|리포트)|기술\s?(?:보고서|리포트)를\s?(?:확인|읽어)")
OWN_REPORT_TEXT_NEEDLES = ("report", "system card", "white", "技术报告") + jako_needles("技術", "기술")


def own_report_citation(rec: ModelRecord) -> Evidence | None:
    """The citation the card asks readers to use, when its title names a report ("Qwen3 Technical Report")."""
    cite = citation_entry(rec.card)
    if cite is None or rec.card is None:
        return None
    title = re.search(r"\btitle\s*=\s*[{\"]([^\n]{1,300})", cite.text, re.IGNORECASE)
    if not title or not REPORT_WORDS.search(title.group(1)):
        return None
    at = cite.start + title.start()
    anchor, snip = rec.card.span(at, cite.start + title.end(), 80, stop=cite.start + len(cite.text))
    return Evidence("card", f"{rec.card_locator}{anchor}", f"[citation] {snip}", rec.read_at)


def released_phrase(kinds: str) -> re.Pattern[str]:
    """A sentence that announces the release of code of the given kinds (a regex alternation such as
    ``training|fine-?tuning``): "we release the training code", "fine-tuning code is available now", "we
    provide training scripts under ``scripts/``". Such a sentence in the card is the release's own word."""
    what = rf"(?:{kinds})\s+(?:/\s*[\w-]+\s+)?(?:[\w-]+\s+){{0,2}}?(?:code|scripts?|recipes?|pipelines?)"
    return re.compile(
        rf"\b(?:release[ds]?|provide[ds]?|open[- ]?sourced?|publish(?:ed|es)?|share[ds]?)\s+(?:the\s+|our\s+|all\s+|an?\s+)?"
        rf"(?:[\w-]+\s+){{0,3}}?{what}\b"
        rf"|\b{what}\s+(?:(?:is|are|has\s+been|have\s+been)\s+)?(?:now\s+)?(?:also\s+)?"
        rf"(?:available|released|open[- ]?sourced|public|provided|included)\b", re.IGNORECASE)
