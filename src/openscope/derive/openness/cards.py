"""Model card parsing: YAML front matter, sections, links.

Why so careful: card front matter is attacker-controlled text. It is parsed with ``yaml.safe_load``
only (never evaluated, never template-rendered: Hub ``cardData`` has carried hostile payloads); any
failure yields an empty mapping and a warning, never an exception. Texts are capped so a pathological
card cannot stall a bulk run.

What a reader of the rendered card does not see is not evidence: HTML comments, and the placeholders of the
Hub's model-card template ("[More Information Needed]", the Trainer's "More information needed") with the
empty field labels they fill, are blanked before any probe reads the card (:func:`mask_unseen`). A card
generated from the template and never filled in documents nothing, however many sections it has.
"""

from __future__ import annotations

import bisect
import operator
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate, count
from typing import Any, NamedTuple

import yaml

from openscope.derive.openness import hant
from openscope.sources.license_files import decode_text
from openscope.yamlsafe import safe_load

MAX_CARD_CHARS = 400_000
_FRONT = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
# A pseudo-heading, common in Japanese (and Chinese) READMEs written outside Markdown's habits: a line that is
# only a marker (■ □ ◆ ◇ ● ○ ◎ ▼ ▶ ★ ☆) and a short title ("■ 学習データ", "◆ ライセンス"), or only a title in
# lenticular brackets ("【ライセンス】", "【训练数据】"). See :func:`_pseudo_heading_title` for what keeps a
# sentence that starts with a marker as text.
_PSEUDO_MARKERS = "■□◆◇●○◎▼▶★☆【"
_PSEUDO_HEADING = re.compile(r"^[ \t]{0,3}(?:[■□◆◇●○◎▼▶★☆][ \t\u3000]*([^\n]{1,40}?)|【([^【】\n]{1,30})】)[ \t\u3000]*$",
                             re.MULTILINE)
# What a title is not: a sentence (it ends with or holds 。．!?！？, or ends with a verb's polite or plain form:
# です, ます, した, ません, 니다, 다, 요) or a field with its value ("GPU: A100", "学習率：2e-5").
_NOT_A_TITLE = re.compile(r"[。．！？!?:：]|[.,、，]\s|(?:です|ます|した|ません|ない|니다|했다|한다|이다|세요|어요|해요|아요)\W*$")
# A fenced code block's opening or closing line (CommonMark: up to 3 spaces, 3+ backticks or tildes; a
# backtick fence's info string holds no backtick, so "```x```" on one line is inline code, not a fence).
_FENCE = re.compile(r"^ {0,3}(`{3,}(?=[^`\n]*$)|~{3,})[^\n]*$", re.MULTILINE)
_NEWLINE = re.compile("\n")
_SPACES = re.compile(r"\s+")
_MD_LINK = re.compile(r"\[([^\]\n]{0,300})\]\((https?://[^)\s]+)\)")
# Links to files beside the card (a README's own repository): [text](docs/train.md), [x](./scripts/)
_REL_LINK = re.compile(r"\[([^\]\n]{0,300})\]\((?!https?://|#|mailto:)([^)\s]{1,300})\)")
_BARE_URL = re.compile(r"\bhttps?://[^\s)\]>\"'`|]+")  # also the outer URL of nested badge links
# An <a> tag ends before the next "<": each tag is read once, and its first http(s) href is committed to
# (atomic group), so a run of unclosed "<a href=" is read in linear time.
# Text a reader never sees, or that says nothing: an HTML comment (an unclosed one hides the rest of the card,
# as GitHub renders it) and the template placeholders.
_UNSEEN = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
# The placeholders of the cards diffusers' training scripts write ("[TODO: describe the data used to train the
# model]", "# TODO: add an example code snippet for running this diffusion pipeline"): a field never filled in.
_TODO = re.compile(r"\[TODO\b[^\]\n]{0,300}\]|^[ \t]*#[ \t]*TODO:[^\n]*", re.MULTILINE)
_PLACEHOLDER = re.compile(r"\[?\bmore information needed\b\]?\.?", re.IGNORECASE)
# A setext heading's underline (CommonMark: up to three spaces, then a run of "=" (level 1) or "-" (level 2), as the
# whole line) under a one-line paragraph: "Training data\n-------------" is a "## Training data". (Two characters
# at least: a lone "-" under a line is read as an empty list item as often.)
_SETEXT = re.compile(r"\n {0,3}(={2,}|-{2,})[ \t]*(?=\n|\Z)")
# What a setext heading's title line cannot be: a line that opens a block of its own (an ATX heading, a list item,
# a quote, a table row, HTML, a fence, indented code) or a thematic break.
_NOT_SETEXT_TITLE = re.compile(r"(?:[ \t]{0,3}(?:#{1,6}(?:[ \t]|$)|[-*+](?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$)|[>|<]|`{3}|~{3}"
                               r"|(?:[-*_][ \t]*){3,}$)|[ \t]{4})")
# A reference-style link's definition ("[1]: https://arxiv.org/abs/…", "[paper]: <https://…>"), and its uses: a full
# reference "[text][label]", a collapsed one "[label][]", a shortcut "[label]"; a badge "[![alt][img]][label]" is a
# full reference whose text is an image.
_REF_DEF = re.compile(r"^ {0,3}\[([^\[\]\n]{1,300})\]:[ \t]*<?([^\s<>]{1,1000})>?", re.MULTILINE)
# An image inside a reference's text (a badge "[![alt][img]][label]"): its own full, collapsed or shortcut reference.
_REF_IMAGE = re.compile(r"!\[([^\[\]\n]{0,300})\](?:\[([^\[\]\n]{0,300})\])?")
_REF_USE = re.compile(r"\[(!\[[^\[\]\n]{0,300}\](?:\[[^\[\]\n]{0,300}\])?|[^\[\]\n]{0,300})\](?:\[([^\[\]\n]{0,300})\])?"
                      r"(?![(:\[])")
# Typographic quotes and apostrophes, and Unicode spaces, as the ASCII characters the rules are written with: a
# reader sees "don’t" as "don't" and "7\u00a0B" as "7 B". One character for one, so offsets, lines and snippets are
# kept (the card as written is quoted: :attr:`Card.written`). Not the ideographic space (U+3000): Chinese and
# Japanese rules read it as written.
TYPOGRAPHIC = str.maketrans({**dict.fromkeys("\u2018\u2019\u201a\u201b", "'"), **dict.fromkeys("\u201c\u201d\u201e\u201f", '"'),
                             **dict.fromkeys("\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
                                             "\u202f\u205f", " ")})
_TYPOGRAPHIC = re.compile("[" + "".join(chr(c) for c in TYPOGRAPHIC) + "]")


def read_typographic(text: str) -> str:
    """``text.translate(TYPOGRAPHIC)``. Why not ``translate``: over a text with non-ASCII characters it takes about a
    millisecond for a 20 kB card; the characters the text holds are found in one scan and each replaced at C speed."""
    for c in set(_TYPOGRAPHIC.findall(text)):
        text = text.replace(c, TYPOGRAPHIC[ord(c)])
    return text


Edit = tuple[int, int, int, int]   # (reading start, reading end, written start, written end) of a rewritten span
_HTML_LINK = re.compile(r"<a\s(?>[^<>]*?href=[\"'](https?://[^\"'<>]+)[\"'])[^<>]*>(.{0,300}?)</a>",
                        re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Link:
    url: str
    text: str
    line: int
    # where the URL starts in the card's reading text (-1 when not known): a URL linked twice on one line (a
    # paragraph written on one line) is two places, each judged by its own words, not by the first's
    at: int = field(default=-1, compare=False)

    def url_in(self, line: str, line_start: int) -> int:
        """The offset in ``line`` (the reading line that starts at ``line_start``) where this place's URL starts:
        its own offset when known, else the URL's first occurrence on the line (-1 when absent)."""
        k = self.at - line_start
        if 0 <= k < len(line) and line.startswith(self.url, k):
            return k
        return line.find(self.url)


@dataclass(frozen=True)
class Section:
    title: str
    level: int
    text: str
    line: int
    start: int = 0          # offset of ``text`` in the card's full text (front matter included)


@dataclass(frozen=True)
class Pasted:
    """Another model's card that a card pastes under a heading ("# Original model card: …"), as written: its
    offsets in the card's text (the heading's start, the copy's end), the heading and the copy's text."""

    start: int
    end: int
    heading: str
    text: str


@dataclass
class Card:
    """A parsed card: ``meta`` is the front matter (``{}`` when absent or broken), ``body`` the rest."""

    text: str
    meta: dict[str, Any]
    body: str
    sections: list[Section] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    rel_links: list[Link] = field(default_factory=list)   # relative links: files in the card's repository
    warnings: list[str] = field(default_factory=list)
    pasted: Pasted | None = None   # another model's card pasted in this one (blanked in ``text``)
    # The card as written (line breaks as written) when ``text`` is a reading of it: in simplified characters (a
    # Traditional Chinese card: :mod:`.hant`), with typographic quotes and Unicode spaces in their ASCII form
    # (:data:`TYPOGRAPHIC`; both the same length), or with its reference-style links written inline
    # (:func:`inline_references`; ``edits`` map the offsets). Snippets quote it, rules read ``text``.
    written: str | None = None
    edits: tuple[Edit, ...] = ()
    hant: bool = False           # ``text`` is read in simplified characters
    typographic: bool = False    # ``text`` reads typographic quotes and spaces in ASCII
    inlined: bool = False        # ``text`` writes the card's reference-style links inline (some ``edits`` are theirs)
    # The card's line breaks as written when ``text`` joins the lines of its paragraphs (:func:`soft_breaks`: a soft
    # line break read as the space it renders as; same length, same offsets): lines are numbered from it.
    lined: str | None = None
    # The reading with its line breaks where :func:`gathered_breaks` put them (each line's text moved up to its line
    # break, the whitespace around soft breaks gathered at its paragraph's end), when it moved any: ``lined`` is then
    # the card's line breaks as written, and lines are numbered from this one (no visible character left its line).
    layout: str | None = None
    # The text :func:`parse_card` was given (after the length cap): the card as written, front matter, comments and
    # reference definitions included. Why kept: a reading of part of the card (:mod:`.probes._siblings` blanks the
    # parts about other releases) is parsed again from it, offsets of :attr:`written` being offsets of it.
    source: str = field(default="", repr=False, compare=False)
    _lowered: str | None = field(default=None, repr=False)
    _newlines: tuple[str, list[int]] | None = field(default=None, repr=False, compare=False)
    _lines: tuple[tuple[str, ...], tuple[int, ...]] | None = field(default=None, repr=False, compare=False)

    @property
    def lowered_body(self) -> str:
        if self._lowered is None:
            self._lowered = self.body.lower()
        return self._lowered

    def line_of(self, pos: int) -> int:
        """The 1-based line of offset ``pos`` in the full text. Why a table: probes ask for the lines of dozens
        of matches per card, and counting line breaks from the start each time scans the card again."""
        src = self.text if self.lined is None else self.layout or self.lined
        held = self._newlines
        if held is None or held[0] is not src:   # (built for this very text)
            held = self._newlines = (src, newline_offsets(src))
        if pos < 0:   # str.count's slice reading of a negative end
            return src.count("\n", 0, pos) + 1
        return bisect.bisect_left(held[1], pos) + 1

    def line_start(self, line: int) -> int:
        """The offset in the full text where the line that reads 1-based line ``line`` starts (the inverse of
        :meth:`line_of`, from the same table of line breaks): the start of its paragraph's joined line when the line
        continues a paragraph (:attr:`lined`), so ``text[line_start(n):]`` reads on from where :meth:`lines` does."""
        if line <= 1:
            return 0
        self.line_of(0)   # (builds the table for this text)
        assert self._newlines is not None
        at = self._newlines[1][line - 2] + 1
        return at if self.lined is None else self.text.rfind("\n", 0, at) + 1

    def lines(self, splitlines: bool = False) -> tuple[str, ...]:
        """The card's reading lines, one per line as written (index ``n - 1`` for line ``n``, as :meth:`line_of`
        numbers them): the joined line of its paragraph for each line of a soft-wrapped paragraph. Without soft
        breaks, ``text.split("\\n")`` (or ``text.splitlines()``), as the probes read it before."""
        if self.lined is None:
            return lines_of(self.text) if splitlines else newline_split(self.text)
        return self._joined()[0]

    def line_starts(self) -> list[int]:
        """:meth:`line_start` of every line, in order (a table for the probes that index a card's lines)."""
        if self.lined is None:
            return [0, *map((1).__add__, newline_offsets(self.text))]
        return list(self._joined()[1])

    def _joined(self) -> tuple[tuple[str, ...], tuple[int, ...]]:
        """(reading line, its start) for each written line of a card read with soft breaks joined (built once)."""
        if self._lines is None:
            assert self.lined is not None
            lines: list[str] = []
            starts: list[int] = []
            at = 0
            lined = self.layout or self.lined
            for reading in self.text.split("\n"):
                n = lined.count("\n", at, at + len(reading)) + 1
                lines.extend([reading] * n)
                starts.extend([at] * n)
                at += len(reading) + 1
            self._lines = (tuple(lines), tuple(starts))
        return self._lines

    def meta_line(self, key: str) -> int:
        """The line of a top-level front-matter key (1, the front matter's first line, if not found)."""
        m = re.search(rf"^{re.escape(key)}[ \t]*:", self.text[: len(self.text) - len(self.body)], re.MULTILINE)
        return self.line_of(m.start()) if m else 1

    def anchor(self, start: int, end: int, from_line: int | None = None) -> str:
        """``#L<a>`` or ``#L<a>-L<b>``: the lines the text at ``start:end`` of the full text spans (its
        surrounding whitespace left out), or from ``from_line`` (a section's heading) to its last line."""
        while end > start + 1 and self.text[end - 1].isspace():
            end -= 1
        while start < end - 1 and self.text[start].isspace():
            start += 1
        first, last = self.line_of(start), self.line_of(max(start, end - 1))
        first = first if from_line is None else min(from_line, first)
        return f"#L{first}" if first == last else f"#L{first}-L{last}"

    def span(self, start: int, end: int, width: int = 80, *, stop: int | None = None,
             from_line: int | None = None, row: bool = True, before: int = 15) -> tuple[str, str]:
        """(``#L<a>`` or ``#L<a>-L<b>``, snippet) for a match at ``start:end`` of the full text.

        The snippet is the card's own words around the match (never past ``stop``; without one, never past the
        end of the match's paragraph, :func:`paragraph_end`), cut at word boundaries and with runs of whitespace
        shown as one space; the line anchor (GitHub's form) covers every line it spans, from ``from_line`` when
        given, so a reader finds it where the locator points. Why the paragraph: the context run on past a blank
        line quoted the next paragraph or table as if it said the same thing ("| MMLU | 61.2 | See our data
        licence …"); a caller that quotes more (a section from its heading) says how far with ``stop``.

        A match that ends in a table row (:func:`table_row_end`) is quoted to the end of that row, never into the
        next: a table is one paragraph, and "| Training code | ✗ | | Training data | [X](…) |" quoted the next row
        as if the cross were said of it; a match in a list item, to the end of that item (:func:`list_item_end`). A caller that quotes a table's header with a row (the results table) says so
        with ``row=False`` and its own ``stop``; an empty match (a section quoted from its start) is not cut.
        """
        a, b = context_bounds(self.text, start, end, width, before)
        b = max(a, min(b, paragraph_end(self.text, end) if stop is None else stop))
        if row and end > start:
            b = max(a, min(b, table_row_end(self.text, end - 1), list_item_end(self.text, end - 1)))
        if stop is None and end > start and "\n" not in self.text[a:b] and _only_a_label(self.text[a:b]) \
                and len(self.text[a:b].split()) <= LABEL_WORDS:
            b = self._labelled_value(b, width)
        if self.written is None:
            return self.anchor(a, b, from_line), _SPACES.sub(" ", self.text[a:b]).strip()
        wa, wb = (a, b) if not self.edits else (written_at(self.edits, a), written_at(self.edits, b, end=True))
        if self.edits:
            k = bisect.bisect_right(self.edits, (a, float("inf"))) - 1
            if k >= 0 and self.edits[k][0] < a < self.edits[k][1] <= start:
                # context that starts inside a reference's address, before the match: the quote starts after the
                # reference, as it never starts inside a long word (:func:`context_bounds`)
                wa = self.edits[k][3]
        return self.anchor(a, b, from_line), _SPACES.sub(" ", self.written[wa:wb]).strip()

    def _labelled_value(self, at: int, width: int) -> int:
        """Where a quote of a field's label alone ("**Release date:**", its value in the next paragraph or list item)
        ends once it takes the first line of that value (at most ``width`` characters of it, cut at a word's end);
        ``at`` itself when nothing but a heading, a fence, a table, a quote or the card's end follows within two blank
        lines. A label is a few words (:data:`LABEL_WORDS`): a sentence that ends with a colon ("We fine-tune it with
        the following hyperparameters:") introduces a table or a list, and is quoted as it is.

        Why: a card that writes a field's value under its label ("**Model Release Date:**" over "* **70B: December 6,
        2024**") was quoted by its label alone, which says nothing a reader can check; the value is what the rule
        read the label for."""
        text = self.text
        m = _VALUE_AFTER_LABEL.match(text, at)
        if m is None or _BLOCK_START.match(text, m.end()) or text.startswith(("|", ">"), m.end()):
            return at   # (a heading, a fence, a table or a quote is no field's value)
        le = text.find("\n", m.end())
        le = len(text) if le < 0 else le
        b = min(le, m.end() + width)
        if b < le:
            cut = max(text.rfind(" ", m.end(), b), text.rfind("\t", m.end(), b))
            b = cut if cut > m.end() else b
        return b if text[m.end():b].strip() else at

    def written_at(self, pos: int, end: bool = False) -> int:
        """The offset in the card as written (:attr:`written`) of offset ``pos`` of ``text`` (:func:`written_at`)."""
        return written_at(self.edits, pos, end) if self.edits else pos

    def reading_at(self, pos: int) -> int:
        """The offset in ``text`` of offset ``pos`` of the card as written (:func:`reading_at`)."""
        return reading_at(self.edits, pos) if self.edits else pos

    def as_written(self, snippet: str) -> str:
        """A snippet quoted from the card's reading text (a section title, a link's anchor) in the card's own
        characters; the snippet itself when the card was read as written.

        A Traditional Chinese card read as it was (:func:`.hant.as_written`, same length). Otherwise each word of
        the snippet that the reading may have changed (one with an ASCII quote when typographic quotes were read
        as ASCII, with "](" when references were written inline, with a simplified character) and that the card
        as written does not hold is found in the reading text and replaced by what the card has written there.
        Why words: snippets show runs of whitespace as one space, so a snippet is not a slice of either text."""
        if self.written is None:
            return snippet
        if not self.edits and not self.typographic:
            return hant.as_written(snippet, self.text, self.written)
        if not self._changed(snippet):
            return snippet
        return re.sub(r"\S+", self._restore_word, snippet)

    def _changed(self, word: str) -> bool:
        """Whether the reading may have changed ``word`` (see :meth:`as_written`)."""
        return ((self.typographic and ("'" in word or '"' in word)) or (self.inlined and "](" in word)
                or (self.hant and hant.writes(word)))

    def _restore_word(self, m: re.Match[str]) -> str:
        word = m.group(0)
        assert self.written is not None
        if not self._changed(word) or word in self.written:
            return word
        at = self.text.find(word)
        if at < 0:
            return word
        return self.written[self.written_at(at):self.written_at(at + len(word), end=True)]


def newline_offsets(text: str) -> list[int]:
    """The offsets of ``text``'s line breaks, in order (``[m.start() for m in re.finditer("\n", text)]``). Why: from
    the lengths of its lines, summed by C iterators (the k-th break stands after the first k + 1 lines and the k
    breaks before it), not a Python step per line break: every card's tables of lines are built from them."""
    return list(map(operator.add, accumulate(map(len, text.split("\n")[:-1])), count()))


_LINES: list[Any] = [None, (), None, ()]   # the last text, its splitlines(); the last text, its split("\n")


def lines_of(text: str) -> tuple[str, ...]:
    """``text.splitlines()`` as a tuple, kept for the last text. Why: a card is read by its lines by several probes
    (the paper links, the venue links, the evaluation context of each dataset link, the datasheet mentions),
    each splitting the whole card again; a tuple, so that no reader can change another's lines."""
    if _LINES[0] is not text:
        _LINES[0:2] = [text, tuple(text.splitlines())]
    return _LINES[1]


def newline_split(text: str) -> tuple[str, ...]:
    """``text.split("\n")`` as a tuple, kept for the last text (the lines ``Card.line_of`` numbers; the code and
    the report links both read them)."""
    if _LINES[2] is not text:
        _LINES[2:4] = [text, tuple(text.split("\n"))]
    return _LINES[3]


def decode_card(raw: bytes) -> tuple[str | None, str | None]:
    """Bytes of a README → (text, warning): UTF-8 as it is; UTF-16 with its byte order mark, Latin-1, or UTF-8 with
    a few broken bytes read with a warning that says so, as a licence file is (``sources.license_files.decode_text``);
    ``(None, warning)`` for binary content. Why: a README written by a Windows editor or an older tool is still the
    card its publisher wrote; refusing it graded every card dimension unknown, while the crawl reads the same bytes
    from the Hub (as UTF-8 with replacement)."""
    text, codec = decode_text(raw)
    if text is None:
        return None, "README is binary (NUL bytes or control characters); card probes read nothing from it"
    return text, (f"README is not UTF-8; it was read as {codec}" if codec else None)


def parse_front_matter(text: str) -> tuple[dict[str, Any], str, str | None]:
    """(front matter mapping, body, warning). Broken YAML → ``({}, body, warning)``."""
    m = _FRONT.match(text)
    if not m:
        return {}, text, None
    body = text[m.end():]
    try:
        data = safe_load(m.group(1))  # the C safe loader: no Python tags, ~10x faster on large front matter
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return {}, body, f"card front matter is not valid YAML ({first}); it was ignored"
    except (RecursionError, ValueError, TypeError):
        return {}, body, "card front matter is nested too deeply; it was ignored"
    if data is None:
        return {}, body, None
    if not isinstance(data, dict):
        return {}, body, "card front matter is not a mapping; it was ignored"
    return data, body, None


def parse_card(text: str) -> Card:
    """Parse a card's text into front matter, sections and links (pure; never raises on content)."""
    warnings: list[str] = []
    if len(text) > MAX_CARD_CHARS:
        text = text[:MAX_CARD_CHARS]
        warnings.append(f"card longer than {MAX_CARD_CHARS} characters; the rest was not read")
    source = text
    meta, body, warn = parse_front_matter(text)
    if warn:
        warnings.append(warn)
    offset = len(text) - len(body)
    masked = mask_unseen(body)
    if masked is not body:
        body, text = masked, text[:offset] + masked
    fenced = _fenced(body)
    # a card that writes its links by reference is read with them written inline (offsets change: the edits map
    # them back to the card as written, which snippets quote)
    as_written: str | None = None
    edits: list[Edit] = []
    if "]:" in body:
        inlined = inline_references(body, fenced)
        if inlined is not None:
            body, edits, blanked = inlined
            as_written = text[:offset] + blanked
            edits = [(r0 + offset, r1 + offset, w0 + offset, w1 + offset) for r0, r1, w0, w1 in edits]
            text = text[:offset] + body
            if edits:
                fenced = _fenced(body)
    # a "# comment" line in a shell block is not a heading: it neither names a section nor ends one
    heads = [_Head(h.start(), h.end(), len(h.group(1)), h.group(2)) for h in _headings(body)
             if not _inside(fenced, h.start())]
    setext = _setext_headings(body, fenced)
    if setext:
        heads = sorted(heads + setext, key=lambda h: h.start)
    if not body.isascii() and any(c in body for c in _PSEUDO_MARKERS):
        heads = _with_pseudo_headings(body, heads, fenced)
    empty = _empty_headings(body, heads)
    if empty:
        # a heading over nothing (a template's "### Model Architecture and Objective" never filled in) is not
        # documentation: it is blanked like a placeholder and names no section
        chars = list(body)
        for i in empty:   # (a setext heading's line break is kept: lines still number as written)
            chars[heads[i].start:heads[i].end] = _NOT_NEWLINE.sub(" ", body[heads[i].start:heads[i].end])
        body = "".join(chars)
        text = text[:offset] + body
        if as_written is not None:   # (blanked in the card as written too: a snippet never quotes it)
            chars = list(as_written)
            for i in empty:
                a, b = written_at(edits, offset + heads[i].start), written_at(edits, offset + heads[i].end, end=True)
                chars[a:b] = _NOT_NEWLINE.sub(" ", as_written[a:b])
            as_written = "".join(chars)
        heads = [h for i, h in enumerate(heads) if i not in empty]
    has_refs = bool(edits)
    # a Traditional Chinese card is read in simplified characters (same offsets and lines); links keep their URLs
    # as written
    read = hant.reading(body)
    url_body = body
    written = as_written if as_written is not None or read is None else text
    if read is not None:   # (each title read from the reading text, at its place in the line)
        heads = [_Head(h.start, h.end, h.level, read[at:at + len(h.title)])
                 for h in heads for at in (body.find(h.title, h.start, h.end),)]
        body, text = read, text[:offset] + read
    # typographic quotes and Unicode spaces read as ASCII (same offsets and lines)
    typographic = False
    if not body.isascii() and _TYPOGRAPHIC.search(body) is not None:
        typographic = True
        written = text if written is None else written
        typo = read_typographic(body)
        heads = [_Head(h.start, h.end, h.level, read_typographic(h.title)) for h in heads]
        body, text = typo, text[:offset] + typo
    lined = layout = None
    breaks = soft_breaks(body, heads, fenced)
    if breaks:
        gathered = gathered_breaks(body, breaks)
        if gathered is not None:
            # the whitespace around soft breaks gathered at each paragraph's end: the URLs' text too, and the card as
            # written (kept as it is) is quoted through the edits
            breaks, moves = gathered
            written = text if written is None else written
            url_body = gather(url_body, moves)
            lined = text
            body = gather(body, moves)
            text = layout = text[:offset] + body
            edits = _compose(edits, [(r0 + offset, r1 + offset, w0 + offset, w1 + offset) for r0, r1, w0, w1 in moves])
        lined = text if lined is None else lined
        body = _spaced(body, breaks)
        text = text[:offset] + body
    card = Card(text=text, meta=meta, body=body, warnings=warnings, written=written, lined=lined, layout=layout,
                edits=tuple(edits), source=source,
                hant=read is not None, typographic=typographic, inlined=has_refs)
    shift = _title_depth(heads)
    for i, h in enumerate(heads):
        end = heads[i + 1].start if i + 1 < len(heads) else len(body)
        card.sections.append(
            Section(h.title.strip(), h.level - shift, body[h.end:end], card.line_of(offset + h.start), offset + h.end)
        )
    seen: set[str] = set()
    for rx, url_group, text_group in ((_MD_LINK, 2, 1), (_HTML_LINK, 1, 2)):
        for m in (_bracket_links(rx, body) if rx is _MD_LINK else rx.finditer(body)):
            url = url_body[m.start(url_group):m.end(url_group)].rstrip(".,;")
            if url not in seen:
                seen.add(url)
                anchor = m.group(text_group)
                # (an anchor is at most 300 characters: the tag pattern stays cheap on it)
                card.links.append(Link(url, (re.sub(r"<[^>]+>", "", anchor) if "<" in anchor else anchor).strip(),
                                       card.line_of(offset + m.start()), offset + m.start(url_group)))
    for m in _bracket_links(_REL_LINK, body):
        card.rel_links.append(Link(url_body[m.start(2):m.end(2)], m.group(1).strip(), card.line_of(offset + m.start()),
                                   offset + m.start(2)))
        if len(card.rel_links) >= 500:
            break
    for m in _bare_urls(body):
        url = url_body[m.start():m.end()].rstrip(".,;:")
        if url not in seen:
            seen.add(url)
            card.links.append(Link(url, "", card.line_of(offset + m.start()), offset + m.start()))
    return card


# A line that opens a block of its own, so never continues the paragraph above it: a heading, a fence, a list item, a
# quote, a table row, HTML, a setext underline or a thematic break; or a field ("License: MIT", "**Training data:**
# …"), which cards write one to a line and their readers read so (the probes' field rules read them by line). A
# word and a colon that end the line ("… in the training\nscript:") end a sentence, and are no field; nor is a colon
# inside a quoted title ("… can be found in the\npaper "Lynx: a small model"": no label holds a quote).
_OPENS_LINE = re.compile(r"(?:#{1,6}(?:[ \t]|$)|`{3}|~{3}|[-*+•](?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$)|[>|<]|=+[ \t]*$"
                         r"|-+[ \t]*$|(?:[*_][ \t]*){3,}$|[*_]{2}[^*_\n]{1,40}[:：]|[^\s:：|\"][^:：|\n\"]{0,40}[:：][*_]*[ \t]+\S)")
# A line that ends a sentence (its break says nothing a reader of the line misses: the next sentence starts the next
# line) or starts with an image or a badge (a row of badges, one to a line, each its own statement: "Code licence:
# Apache 2.0" beside "Data licence: CC BY-NC").
# A line break between two lines with text, the first not ending a sentence or a table row: the candidates that
# :func:`soft_breaks` then judges one by one (most of a card's line breaks are not candidates). The pattern says what a
# candidate is; :func:`_join_candidates` finds the same breaks faster.
_JOIN_CANDIDATE = re.compile(r"[^\s.!?。！？|][ \t]*\r?\n(?=[ \t]*[^\s|])")
# A line break followed by a line with text (the lookahead of :data:`_JOIN_CANDIDATE`): it opens with its literal, so
# ``re`` skips to each line break at C speed.
_BREAK_BEFORE_TEXT = re.compile(r"\n(?=[ \t]*[^\s|])")
_NO_JOIN_AFTER = frozenset(".!?。！？|")   # a line ending in one of these is no candidate (with whitespace)
_SENTENCE_END = re.compile(r"[.!?。！？][*_`)\]\"'”’]*[ \t]*$")
_IMAGE_FIRST = re.compile(r"(?:\[[ \t]*)?!\[[^\]\n]{0,300}\]\(")   # (an image whose alt text closes on the line)
_IMAGE_NEXT = re.compile(r"(?:\[[ \t]*)?!\[")
_IMAGE_OPENS = frozenset("![")   # (every match of the two image patterns starts with one of these)
_SENTENCE_ENDS = frozenset(".!?。！？")
_CLOSERS = "*_`)]\"'”’"


def _ends_sentence(line: str) -> bool:
    """``_SENTENCE_END.search(line)`` for a line with no line break in it: its last character, after its trailing
    spaces and tabs and then its trailing closing marks (emphasis, code, brackets, quotes) are set aside, ends a
    sentence. Why: the pattern was tried at every sentence mark of every line that might join the next (a tenth of
    a card's soft-break reading); the two strips find the one place it can match."""
    return line.rstrip(" \t").rstrip(_CLOSERS)[-1:] in _SENTENCE_ENDS


_HARD_END = re.compile(r"<br\s{0,3}/?>$", re.IGNORECASE)   # (with "  " and "\\" at the end: :func:`_hard_end`)


def _hard_end(line: str) -> bool:
    """Whether ``line`` ends in a hard line break (two spaces, a backslash, ``<br>``). Why not one pattern: a search
    for trailing spaces retries at every space of a long run of them."""
    return line.endswith(("  ", "\\")) or (line.endswith(">") and bool(_HARD_END.search(line[-12:])))


def soft_breaks(body: str, heads: list[_Head], fenced: list[tuple[int, int]]) -> list[int]:
    """The offsets of the line breaks in ``body`` that are soft: inside a paragraph or a list item, where a reader
    of the rendered card sees a space (CommonMark's soft line break).

    Why: many rules read a sentence within its line; a card hard-wrapped at 72 or 80 columns (as editors and
    converters write them) splits its sentences, and its links' anchors, across lines, and every such rule missed
    them. The card is read with these breaks as spaces (same length: offsets and quoted snippets are unchanged; lines
    are still numbered as written, :attr:`Card.lined`). Conservative: a break is kept when either line is blank,
    in a fenced block or indented code, a heading, a table row, HTML, or ends in a hard break, and when the next
    line opens a block or a field of its own (:data:`_OPENS_LINE`)."""
    out: list[int] = []
    heads_at = {h.start for h in heads} | {h.end for h in heads}
    # The fenced blocks are passed over first, by a sweep (``a`` never decreases; ``fenced`` is sorted and its spans
    # do not overlap: the same answer as :func:`_inside`). Why: a quarter of a card's candidates are the lines of
    # its code blocks, and each was cut, stripped and matched before the last test turned it down.
    k, nf = 0, len(fenced)
    for at in _join_candidates(body):         # the line break
        a = body.rfind("\n", 0, at) + 1       # the line before it ...
        while k < nf and fenced[k][1] <= a:
            k += 1
        if k < nf and fenced[k][0] <= a:
            continue   # (a line of a fenced block)
        b = body.find("\n", at + 1)           # ... and the line after it
        next_lead = body[at + 1:len(body) if b < 0 else b].rstrip("\r").lstrip(" \t")
        # (the tests are pure: their order is free. The next line's come first: opening a block or a field of its
        # own is what turns down most candidates, and then the line before is not even cut)
        if "|" in next_lead or _OPENS_LINE.match(next_lead):
            continue
        before = body[a:at].rstrip("\r")
        lead = before.lstrip(" \t")
        if (a in heads_at or at in heads_at or at - 1 in heads_at or at + 1 in heads_at or "|" in before
                or _ends_sentence(before) or _hard_end(before)
                or (lead[:1] in _IMAGE_OPENS and _IMAGE_FIRST.match(lead))
                or (next_lead[:1] in _IMAGE_OPENS and _IMAGE_NEXT.match(next_lead))
                or before.lstrip().startswith("<")):
            continue
        if before.startswith(("    ", "\t")) and not (out and out[-1] == a - 1):
            continue   # indented code (unless the line continues a paragraph joined above it)
        out.append(at)
    return out


def _spaced(body: str, breaks: list[int]) -> str:
    """``body`` with the character at each offset of ``breaks`` (in order, each once: the soft line breaks) read as a
    space. Why not a list of the card's characters: building and joining it took half a millisecond on a 50 kB card,
    read twice when the card hosts other releases (:mod:`.probes._siblings`); its pieces between breaks are few."""
    pieces: list[str] = []
    at = 0
    for b in breaks:
        pieces.append(body[at:b])
        at = b + 1
    pieces.append(body[at:])
    return " ".join(pieces)


def gathered_breaks(body: str, breaks: list[int]) -> tuple[list[int], list[Edit]] | None:
    """Each soft line break of ``body`` (``breaks``, in order) read with the whitespace around it as the one space it
    renders as: (the breaks' offsets in the gathered body, the edits that map it to ``body``), or None when no break
    has whitespace around it. The gathered body is :func:`gather` of ``body`` with these edits.

    Why: the rules are written with one space between words ("delta weights", "our ICLR'23 paper"), and a list item
    or a quote wrapped by an editor indents its continuation lines ("our delta\n  weights"), or a line keeps a
    trailing space before its break: read joined, "delta   weights" matched no rule, and a snippet's 80 characters
    held fewer words. The spaces and tabs that end a line before a soft break (one at most: two are a hard break) and
    indent the line after it are gathered at the end of the paragraph's last line (before its line break), and each
    line's text moves up to its line break: no visible character leaves its written line (lines are still numbered
    as written, :attr:`Card.layout`) and the reading keeps the card's length. The edits ((reading start, reading end,
    written start, written end), as :func:`inline_references` makes them) say where each line's text stood, so a
    snippet still quotes the card as written (:meth:`Card.span`)."""
    edits: list[Edit] = []
    out: list[int] = []
    n = len(body)
    owed = 0   # whitespace taken out of the current paragraph, given back at its last line's end
    for i, p in enumerate(breaks):
        left = p
        while left > 0 and body[left - 1] in " \t\r":
            left -= 1
        right = p + 1
        while right < n and body[right] in " \t":
            right += 1
        if right - left == 1 and not owed:
            out.append(p)
            continue
        out.append(left - owed)
        if right - left > 1:
            edits.append((left - owed, left - owed + 1, left, right))
            owed += right - left - 1
        end = body.find("\n", right)
        end = n if end < 0 else end
        if owed and (i + 1 == len(breaks) or breaks[i + 1] != end):   # the paragraph's last line: pay back
            edits.append((end - owed, end, end, end))
            owed = 0
    return (out, edits) if edits else None


def gather(text: str, edits: list[Edit]) -> str:
    """``text`` (of the offsets of the body :func:`gathered_breaks` read) with its soft breaks' whitespace gathered as
    the edits say: a run of whitespace around a break becomes the line break, the whitespace owed is spaces at the
    paragraph's end."""
    pieces: list[str] = []
    at = 0
    for r0, r1, w0, w1 in edits:
        pieces.append(text[at:w0])
        pieces.append(" " * (r1 - r0) if w0 == w1 else "\n")
        at = w1
    pieces.append(text[at:])
    return "".join(pieces)


def _compose(first: list[Edit], then: list[Edit]) -> list[Edit]:
    """The edits from a text read twice: ``first`` maps text B to the card as written, ``then`` maps text C to B
    (neither rewrites inside the other's spans: references are not whitespace); the result maps C to the card."""
    if not first:
        return then
    moved = [(r0, r1, written_at(first, w0), written_at(first, w1, end=True)) for r0, r1, w0, w1 in then]
    kept = [(reading_at(then, r0), reading_at(then, r0) + r1 - r0, w0, w1) for r0, r1, w0, w1 in first]
    return sorted(moved + kept)


def _join_candidates(body: str) -> Iterator[int]:
    """The offsets of the line breaks ``_JOIN_CANDIDATE.finditer(body)`` ends its matches with, in order.

    Why: that pattern opens with a class nearly every character is in, so ``re`` tried it at every character of the
    card (a third of a card's soft-break reading, 0.4 ms of a 14 kB card). Each of its matches ends at a line break
    followed by a line with text (:data:`_BREAK_BEFORE_TEXT`, found at C speed) and starts at the last character
    before that break other than a carriage return right before it and the spaces and tabs before that; it is a
    match when that character is neither whitespace nor one of ``.!?。！？|``. A match never spans a line break, so
    finding each one from its line break gives the same breaks, in the same order."""
    for m in _BREAK_BEFORE_TEXT.finditer(body):
        at = m.start()
        j = at - 1
        if j >= 0 and body[j] == "\r":
            j -= 1
        while j >= 0 and body[j] in " \t":
            j -= 1
        if j >= 0 and not body[j].isspace() and body[j] not in _NO_JOIN_AFTER:
            yield at


def _title_depth(heads: list[_Head]) -> int:
    """How many levels deeper than 1 the card's title heading is written: when its first heading is the only one
    at the shallowest level and some deeper heading follows (the title, "## Wren-7B" over "### Training data"
    sections), its level minus 1; else 0.

    Why: levels are relative. A card written one level deeper throughout (a title as "##", its sections as "###",
    as READMEs pasted under a page's own title are) has the same outline as one written from "#", and the rules that
    tell a card's title from its sections by level read it so. A card with several headings at its shallowest
    level (sections all "##", no title) keeps its levels."""
    if not heads or heads[0].level <= 1:
        return 0
    top = min(h.level for h in heads)
    if heads[0].level != top or len(heads) < 2 or sum(1 for h in heads if h.level == top) != 1:
        return 0   # (a lone heading, "## Samples" over an image, is a section as written: no title over sections)
    return top - 1


def _setext_headings(body: str, fenced: list[tuple[int, int]]) -> list[_Head]:
    """The card's setext headings ("Title" over a line of "=" or "-") as headings of level 1 and 2.

    Why: CommonMark renders "Training data\\n-------------" exactly as "## Training data"; a card written so had no
    sections at all, and every rule that reads a section by its title missed it. Only a one-line paragraph is read as a
    title (the line before it blank, a heading or the start of the body), never a line that opens a block of its own
    (a list item over "---" is a list and a thematic break) nor one inside a fenced block."""
    out: list[_Head] = []
    for m in _SETEXT.finditer(body):
        start = body.rfind("\n", 0, m.start()) + 1
        title = body[start:m.start()]
        if not title.strip() or _NOT_SETEXT_TITLE.match(title) or _inside(fenced, start):
            continue
        before = body.rfind("\n", 0, max(0, start - 1)) + 1
        prev = body[before:start - 1] if start else ""
        if prev.strip() and not _HEADING.match(prev) and not (out and out[-1].end == start - 1):
            continue   # the last line of a longer paragraph (or of a list item, a table): not read as a title
        out.append(_Head(start, m.end(), 1 if m.group(1)[0] == "=" else 2, title.strip()))
    return out


def _ref_label(label: str) -> str:
    """A reference label as CommonMark matches it: case-insensitive, inner whitespace collapsed."""
    return _SPACES.sub(" ", label.strip()).casefold()


def _reference_definitions(body: str, fenced: list[tuple[int, int]]) -> tuple[dict[str, str], list[tuple[int, int]]]:
    """({label: address}, the (start, end) of each definition's line) for the card's link reference definitions
    ("[1]: https://arxiv.org/abs/…", "[paper]: <https://…> \"title\""): the first definition of a label wins, none
    inside a fenced block, and only a line that holds nothing after the address but a title ("[Note]: this model
    is …" is a sentence that opens with a bracketed word)."""
    defs: dict[str, str] = {}
    lines: list[tuple[int, int]] = []
    for d in _REF_DEF.finditer(body):
        end = body.find("\n", d.end())
        end = len(body) if end < 0 else end
        rest = body[d.end():end].strip(" \t\r")
        if rest and not (len(rest) >= 2 and rest[0] + rest[-1] in ('""', "''", "()")):
            continue
        if _inside(fenced, d.start()):
            continue
        defs.setdefault(_ref_label(d.group(1)), d.group(2))
        lines.append((d.start(), end))
    return defs, lines


def inline_references(body: str, fenced: list[tuple[int, int]]) -> tuple[str, list[Edit], str] | None:
    """(``body`` with each reference-style link written inline and its definitions blanked, the edits, ``body`` with
    only its definitions blanked); None when the card defines no reference. The edits say where each rewritten span
    is in both texts (:meth:`Card.written_at`); the third text is the card as written that snippets quote (a
    definition, which renders as nothing, is never quoted: as HTML comments are not, :func:`mask_unseen`).

    Why: "[paper][1]" with "[1]: https://arxiv.org/abs/…" below renders as the same link as "[paper](https://…)",
    and most rules read a link's markup in the text itself ("our [code](…)", a licence line's "](LICENSE)", a table
    cell), not the card's list of links: a card written with references seemed to link nothing. The reading text
    writes each full ("[text][label]"), collapsed ("[text][]") and shortcut ("[text]") reference whose label the
    card defines as "[text](address)" (a badge's image "[![alt][img]][label]" too), so every rule reads it as the
    inline form. A definition renders as nothing: its line is blanked (line breaks kept), so its address is not
    read a second time as a bare link on a line of its own. Line breaks are never added or removed, so a reading
    line is the written line of the same number; snippets quote the card as written through the edits."""
    defs, lines = _reference_definitions(body, fenced)
    if not defs:
        return None
    subs: list[tuple[int, int, str]] = []   # (written start, written end, reading text) in order
    for m in _REF_USE.finditer(body):
        if _inside(fenced, m.start()) or _inside(lines, m.start()):
            continue
        text = m.group(1)
        if text.startswith("!["):   # a badge: its image may be a reference of its own
            img = _REF_IMAGE.match(text)
            if img is not None:
                url = defs.get(_ref_label(img.group(2) if img.group(2) else img.group(1)))
                if url is not None:
                    subs.append((m.start(1) + img.end(1) + 1, m.start(1) + img.end(), f"({url})"))
        label = m.group(2) if m.group(2) else text
        url = defs.get(_ref_label(label))
        if url is not None:
            subs.append((m.end(1) + 1, m.end(), f"({url})"))
    pieces: list[str] = []
    edits: list[Edit] = []
    at = 0
    shift = 0   # reading offset minus written offset, after the last edit
    blanked = body
    if lines:
        chars = list(body)
        for a, b in lines:
            chars[a:b] = " " * (b - a)
        blanked = "".join(chars)
    for w0, w1, read in subs:
        pieces.append(blanked[at:w0])
        pieces.append(read)
        r0 = w0 + shift
        edits.append((r0, r0 + len(read), w0, w1))
        shift += len(read) - (w1 - w0)
        at = w1
    pieces.append(blanked[at:])
    return "".join(pieces), edits, blanked


def written_at(edits: list[Edit] | tuple[Edit, ...], pos: int, end: bool = False) -> int:
    """The offset in the text as written of reading offset ``pos``, through ``edits`` (:func:`inline_references`).
    A position inside a rewritten span goes to the start of its written span, or to its end when ``end`` (a quote
    ending there takes the whole written reference, "[paper][1]": the written text is the evidence)."""
    k = bisect.bisect_right(edits, (pos, float("inf"))) - 1
    if k < 0:
        return pos
    r0, r1, w0, w1 = edits[k]
    if pos >= r1:
        return pos + w1 - r1
    return w1 if end and pos > r0 else w0


def reading_at(edits: list[Edit] | tuple[Edit, ...], pos: int) -> int:
    """The reading offset of offset ``pos`` of the text as written (the inverse of :func:`written_at`; a position
    inside a rewritten span goes to the start of its reading)."""
    lo, hi = 0, len(edits)
    while lo < hi:   # the last edit whose written span starts at or before pos
        mid = (lo + hi) // 2
        if edits[mid][2] <= pos:
            lo = mid + 1
        else:
            hi = mid
    if lo == 0:
        return pos
    r0, r1, w0, w1 = edits[lo - 1]
    return pos + r1 - w1 if pos >= w1 else r0


def _headings(body: str) -> Iterator[re.Match[str]]:
    """``_HEADING.finditer(body)``, tried only at the starts of lines that begin with "#".

    Why: a heading starts a line with "#", and ``re`` tries a ``^`` pattern at every character of the card (a
    tenth of a card's parse); ``str.find`` reaches those lines at C speed. A match never spans a line break, so
    matching at each such line start, in order, gives the same matches."""
    if body.startswith("#"):
        m = _HEADING.match(body, 0)
        if m:
            yield m
    i = body.find("\n#")
    while i >= 0:
        m = _HEADING.match(body, i + 1)
        if m:
            yield m
        i = body.find("\n#", i + 1)


# What a bracket link pattern reads right after its ``](``: (the texts, whether it must open with one of them (True) or
# never does (False)). ``_MD_LINK`` reads ``https?://`` there, ``_REL_LINK``'s lookahead refuses these four.
_AFTER_OPEN: dict[re.Pattern[str], tuple[tuple[str, ...], bool]] = {
    _MD_LINK: (("http://", "https://"), True),
    _REL_LINK: (("http://", "https://", "#", "mailto:"), False),
}


def _bracket_links(rx: re.Pattern[str], body: str) -> Iterator[re.Match[str]]:
    """``rx.finditer(body)`` for a Markdown link pattern (``_MD_LINK``, ``_REL_LINK``: ``[`` up to 300 characters
    other than ``]`` or a line break, then ``](``), tried only at the one ``[`` each ``](`` allows.

    Why: ``re`` tries such a pattern at every ``[``, and at each it reads up to 300 characters before failing: a
    run of ``[`` (a hostile or broken card) took seconds. From a given ``[`` the anchor ends at the first ``]``
    after it, so a match ends at a ``](``; for each ``](`` (left to right, past the last match) the leftmost ``[``
    with no ``]`` or line break between it and the ``](``, and at most 301 characters before it, is the only
    start whose match can end there, and it is the start ``finditer`` would reach first. Checked equal to
    ``finditer`` on random strings of brackets, parentheses, URLs and line breaks.

    A ``](`` whose next characters the pattern refuses (:data:`_AFTER_OPEN`: ``_MD_LINK`` reads only a URL there,
    ``_REL_LINK`` never one) ends no match, and is passed over before the ``[`` is looked for. Why: the two passes
    each went through every link of the card, and most of a card's links are of one kind only."""
    heads, must = _AFTER_OPEN.get(rx, ((), False))
    end = 0
    j = body.find("](")
    while j >= 0:
        if heads and body.startswith(heads, j + 2) is not must:
            j = body.find("](", max(j + 1, end))
            continue
        lo = max(end, j - 301)
        lo = max(lo, body.rfind("]", lo, j) + 1, body.rfind("\n", lo, j) + 1)
        s = body.find("[", lo, j)
        if s >= 0:
            m = rx.match(body, s)
            if m:
                end = m.end()
                yield m
        j = body.find("](", max(j + 1, end))


def _bare_urls(body: str) -> Iterator[re.Match[str]]:
    """``_BARE_URL.finditer(body)``, tried only where "http" occurs (every match starts with it).

    Why: the pattern opens with ``\\b``, which keeps ``re`` from skipping ahead to its literal; it was tried at
    every character of every card (a quarter of a card's parse). Matching at each occurrence past the last
    match's end, left to right, gives the same matches (``\\b`` still sees the character before)."""
    end = 0
    i = body.find("http")
    while i >= 0:
        if i >= end:
            m = _BARE_URL.match(body, i)
            if m:
                end = m.end()
                yield m
        i = body.find("http", max(i + 1, end))


def _fence_lines(body: str) -> list[re.Match[str]]:
    """``list(_FENCE.finditer(body))``, tried only at the starts of lines that open with at most three spaces
    and a run of backticks or tildes. Why: as for :func:`_headings`, a ``^`` pattern is tried at every
    character; the runs are found with ``str.find``, and a fence line is matched once at its line's start
    (a match never spans a line break). Only the first run of a line can open it within three characters of the
    line's start, so the search goes on at the next line: a line of 200,000 backticks is read once, not once per
    backtick (each looking back to the line's start)."""
    starts: set[int] = set()
    for run in ("```", "~~~"):
        j = body.find(run)
        while j >= 0:
            ls = body.rfind("\n", max(0, j - 4), j) + 1
            if ls == 0 and j > 3:
                ls = -1  # the line starts more than three characters before the run
            if ls >= 0 and body[ls:j] == " " * (j - ls):
                starts.add(ls)
            nl = body.find("\n", j)
            j = -1 if nl < 0 else body.find(run, nl + 1)
    return [m for m in (_FENCE.match(body, ls) for ls in sorted(starts)) if m]


class _Head(NamedTuple):
    """A heading line: its offsets in the body, its level and its title. (A tuple: a card has hundreds of them at
    times, and a frozen dataclass takes several times longer to build.)"""

    start: int
    end: int
    level: int
    title: str


def _pseudo_heading_title(m: re.Match[str]) -> str | None:
    """The title of a pseudo-heading line (:data:`_PSEUDO_HEADING`), or None when the line reads as text.

    Why: a "■" or "●" starts a bullet as often as a title ("● 学習には 8 台の GPU を使いました。", "■ GPU: A100");
    a title is short and says no sentence: it holds a letter, no sentence end, no field's colon, and no verb
    ending (:data:`_NOT_A_TITLE`). A bracketed 【title】 alone on its line is a title (a sentence is not written
    so); a 【label】 followed by text on the same line is a field, and no heading."""
    title = (m.group(1) or m.group(2) or "").strip()
    if not title or not any(c.isalpha() for c in title):
        return None
    if m.group(1) is not None and (_NOT_A_TITLE.search(title) or _reading_length(title) > 40):
        return None
    return title


def _reading_length(text: str) -> int:
    """Characters, a non-ASCII letter (CJK, kana, hangul) counted twice: a title's length in English terms."""
    return len(text) + sum(1 for c in text if ord(c) > 0x2FFF)


def _with_pseudo_headings(body: str, heads: list[_Head], fenced: list[tuple[int, int]]) -> list[_Head]:
    """``heads`` with the card's pseudo-headings (:data:`_PSEUDO_HEADING`) among them, in order. A pseudo-heading
    sits one level below the Markdown heading over it (level 1 when none is): the section it opens is part of
    that one's, as a "###" under a "##" is."""
    found: list[_Head] = []
    for m in _PSEUDO_HEADING.finditer(body):
        title = _pseudo_heading_title(m)
        if title is not None and not _inside(fenced, m.start()):
            found.append(_Head(m.start(), m.end(), 0, title))
    if not found:
        return heads
    merged = sorted(heads + found, key=lambda h: h.start)
    out: list[_Head] = []
    over = 0   # the level of the last Markdown heading
    for h in merged:
        if h.level:
            over = h.level
            out.append(h)
        else:
            out.append(_Head(h.start, h.end, min(6, over + 1), h.title))
    return out


def _empty_headings(body: str, heads: list[_Head]) -> set[int]:
    """Indexes of the headings with no text in their scope (up to the next heading of the same or a higher
    level), counting their subsections' text as theirs. Linear: a heading is inside at most five scopes."""
    n = len(heads)
    direct = [bool(body[h.end:heads[i + 1].start if i + 1 < n else len(body)].strip()) for i, h in enumerate(heads)]
    levels = [h.level for h in heads]
    empty: set[int] = set()
    for i in range(n):
        j, has = i, False
        while j < n and (j == i or levels[j] > levels[i]) and not has:
            has = direct[j]
            j += 1
        if not has:
            empty.add(i)
    return empty


def mask_unseen(body: str) -> str:
    """``body`` with what a reader never sees, or that says nothing, blanked (HTML comments, template
    placeholders ("[More Information Needed]", "[TODO: …]") and the empty field labels they leave): every character replaced by a space and every line
    break kept, so offsets and line numbers still point into the card as written. The same object comes back
    when nothing was blanked."""
    out = _UNSEEN.sub(_blanked, body) if "<!--" in body else body
    if "TODO" in out:
        out = _blank_todos(out)
    if "nformation needed" in out or "nformation Needed" in out or "NFORMATION NEEDED" in out:
        out = _PLACEHOLDER_LINE.sub(_blank_placeholder_line, out)
    return body if out == body else out


def _blank_todos(body: str) -> str:
    """``_TODO.sub(_blanked, body)``, tried only where an occurrence of "TODO" lets a match start: at the ``[``
    right before it, and at the start of its line.

    Why: the pattern has no literal to open with (its second form opens with ``^``), so ``re`` tried it at every
    character of a card that names a TODO anywhere (a third of a millisecond on a 14 kB card). Every match holds
    "TODO": the first form at its second character, the second on its own line. Trying those starts left to right,
    past the last match's end, gives the same matches; the line starts are followed as the occurrences are (each
    ``rfind`` reads only what lies since the last one: a line of 200,000 "TODO"s is read once)."""
    starts: set[int] = set()
    line, seen = 0, 0
    i = body.find("TODO")
    while i >= 0:
        nl = body.rfind("\n", seen, i)
        if nl >= 0:
            line = nl + 1
        seen = i
        starts.add(line)
        if i and body[i - 1] == "[":
            starts.add(i - 1)
        i = body.find("TODO", i + 1)
    pieces: list[str] = []
    at = 0
    for s in sorted(starts):
        if s < at:
            continue
        m = _TODO.match(body, s)
        if m:
            pieces.append(body[at:s])
            pieces.append(blank(m.group(0)))
            at = m.end()
    pieces.append(body[at:])
    return "".join(pieces)


_NOT_NEWLINE = re.compile(r"[^\n]")
_PLACEHOLDER_LINE = re.compile(r"^[^\n]*?\bmore information needed\b[^\n]*", re.IGNORECASE | re.MULTILINE)


def blank(text: str) -> str:
    """``text`` with every character but a line break turned into a space (offsets and lines kept)."""
    return _NOT_NEWLINE.sub(" ", text)


def _blanked(m: re.Match[str]) -> str:
    return blank(m.group(0))


def _blank_placeholder_line(m: re.Match[str]) -> str:
    """A line holding a placeholder: the placeholder blanked, and the whole line when only a field's label is
    left ("- **Model type:** [More Information Needed]", "Hardware Type: [More Information Needed]")."""
    line = _PLACEHOLDER.sub(_blanked, m.group(0))
    return " " * len(line) if _only_a_label(line) else line


def _only_a_label(line: str) -> bool:
    """Whether a line is empty or only a field's label once its placeholder is gone: list, quote and table
    markers, bold, then at most 80 characters ending with a colon ("- **Developed by:**", "Hardware Type:").
    String operations only: a card's line can be hundreds of thousands of characters long."""
    core = line.strip().lstrip(">*+-| \t").rstrip("| \t").replace("**", "").replace("__", "").strip()
    return not core or (len(core) <= 80 and core.endswith(":") and ":" not in core[:-1])


def _fenced(body: str) -> list[tuple[int, int]]:
    """(start, end) of each fenced code block, as CommonMark reads them: closed by a fence of the same
    character at least as long with nothing after it, or running to the end of the card when never closed."""
    out: list[tuple[int, int]] = []
    opened: tuple[int, str] | None = None
    for m in _fence_lines(body):
        run = m.group(1)
        if opened is None:
            opened = (m.start(), run)
        elif run[0] == opened[1][0] and len(run) >= len(opened[1]) and not m.group(0).strip()[len(run):].strip():
            out.append((opened[0], m.end()))
            opened = None
    if opened is not None:
        out.append((opened[0], len(body)))
    return out


def _inside(spans: list[tuple[int, int]], pos: int) -> bool:
    """Whether ``pos`` lies in one of ``spans`` (sorted, not overlapping)."""
    i = bisect.bisect_right(spans, (pos, float("inf"))) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]


_SPACE = re.compile(r"\s")


# A paragraph's end: a blank line, or a line that starts a heading or opens or closes a code fence (Markdown ends a
# paragraph, a list or a table there without a blank line: "| MMLU | 31.0 |" then "## Limitations").
_BLANK_LINE = re.compile(r"\n[ \t]*\n|\n(?=[ \t]{0,3}(?:#{1,6}[ \t]|`{3,}|~{3,}))")


def paragraph_end(text: str, at: int) -> int:
    """Where the paragraph holding ``text[at]`` ends: the line break before the next blank line, heading or code
    fence (the end of the text when none follows). Why: a snippet quoting a mention stops at its paragraph; run
    on, it quoted the next paragraph or table as if it said the same thing ("| MMLU | 31.0 | See the
    [datasheet](…)", "| MMLU | 31.0 | ## Limitations …")."""
    m = _BLANK_LINE.search(text, at)
    return m.start() if m else len(text)


# A table's delimiter row ("|---|:---:|", "--- | ---"): what makes pipe-separated lines a table (GFM).
# (Anchored at a line start, and no two runs of blanks side by side: linear when searched in a hostile card.)
_DELIMITER_ROW = re.compile(r"^[ \t]{0,3}(?:>[ \t]?)*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*(?:\|[ \t]*)?$",
                            re.MULTILINE)
_ROW_START = re.compile(r"^[ \t]{0,3}(?:>[ \t]?)*\|", re.MULTILINE)


def table_row_end(text: str, at: int) -> int:
    """The end of the table row holding ``text[at]`` (the line break after it), or the end of the text when
    ``text[at]`` is in no table row. A row is a line that starts with a pipe, or a line holding one in a paragraph
    with a delimiter row above it ("--- | ---": a table written without outer pipes). A header row (a delimiter row
    under it) ends with the table's first row (:func:`_header_end`). Why: a snippet quoting a cell of a table stops
    at its row (:meth:`Card.span`); each row of a table says something of its own."""
    ls = text.rfind("\n", 0, at) + 1
    le = text.find("\n", at)
    le = len(text) if le < 0 else le
    if "|" not in text[ls:le]:
        return len(text)
    head = _header_end(text, le)
    if head is not None:
        return head
    if _ROW_START.match(text, ls) or _DELIMITER_ROW.match(text, ls, le):
        return le
    # a row without outer pipes: a delimiter row in the lines above it, within its paragraph (read back at most
    # 500 lines: a longer table of such rows is quoted to its paragraph's end, as before)
    pos = ls
    for _ in range(500):
        if pos <= 0:
            break
        prev = text.rfind("\n", 0, pos - 1) + 1
        line = text[prev:pos - 1]
        if not line.strip() or "|" not in line:
            return len(text)
        if _DELIMITER_ROW.fullmatch(line):
            return le
        pos = prev
    return len(text)


_BLOCK_START = re.compile(r"[ \t]{0,3}(?:#{1,6}[ \t]|`{3,}|~{3,})")
LABEL_WORDS = 6   # words of a field's label at most ("**Model Release Date:**")
# the line break after a label alone and up to two blank lines, then the indentation of the value's line
_VALUE_AFTER_LABEL = re.compile(r"[ \t\r]{0,40}\n(?:[ \t\r]{0,40}\n){0,2}[ \t]{0,8}")
_LIST_ITEM_LINE = re.compile(r"^([ \t]*(?:>[ \t]*)*)(?:[-*+]|\d{1,9}[.)])[ \t]+\S", re.MULTILINE)


def list_item_end(text: str, at: int) -> int:
    """The end of the list item holding ``text[at]`` (the line break before the next line that starts an item at
    the same or a shallower indentation, or the paragraph's end), or the end of the text when ``text[at]`` is on
    no item's line. Its continuation lines and its sub-items (indented deeper) are part of it. Why: a tight list
    is one paragraph, and "- Evaluation code: [Eval](…) - Data processing scripts: [Prep](…)" quoted the next item
    as if it said the same thing; each item says its own (:meth:`Card.span`)."""
    ls = text.rfind("\n", 0, at) + 1
    le = text.find("\n", at)
    le = len(text) if le < 0 else le
    m = _LIST_ITEM_LINE.match(text, ls, le)
    back = ls
    for _ in range(50):   # a continuation line: the item it continues, within its paragraph (50 lines back at most)
        if m is not None or back <= 0:
            break
        back = text.rfind("\n", 0, back - 1) + 1
        line_end = text.find("\n", back)
        if not text[back:line_end].strip() or _BLOCK_START.match(text, back, line_end):
            break   # (a blank line, a heading or a code fence ends the paragraph)
        m = _LIST_ITEM_LINE.match(text, back, line_end)
    if m is None:
        return len(text)
    indent = _indent(m)
    stop = paragraph_end(text, le) if le < len(text) else len(text)
    pos = le
    for _ in range(200):   # (an item's lines read at most 200 on: a longer item is quoted to its paragraph's end)
        if pos >= stop:
            return stop
        nxt = text.find("\n", pos + 1)
        nxt = len(text) if nxt < 0 else nxt
        item = _LIST_ITEM_LINE.match(text, pos + 1, nxt)
        if item is not None and _indent(item) <= indent:
            return pos
        pos = nxt
    return stop


def _indent(item: re.Match[str]) -> int:
    """A list item's indentation: the width of what stands before its bullet, quote markers left out."""
    return len(item.group(1).replace(">", "").expandtabs(4))


def _header_end(text: str, le: int) -> int | None:
    """When the line ending at ``le`` is a table's header (a delimiter row follows it), the end of the table's first
    row (of the delimiter row when none follows); else None. Why: a header cell names a column ("#GPUs",
    "Hyperparameter"), and its first row holds what the column says; the rows after it are quoted no more."""
    if le >= len(text):
        return None
    d_end = text.find("\n", le + 1)
    d_end = len(text) if d_end < 0 else d_end
    if "|" not in text[le + 1:d_end] or not _DELIMITER_ROW.match(text, le + 1, d_end):
        return None
    if d_end >= len(text):
        return d_end
    r_end = text.find("\n", d_end + 1)
    r_end = len(text) if r_end < 0 else r_end
    return r_end if "|" in text[d_end + 1:r_end] else d_end


def context_bounds(text: str, start: int, end: int, width: int = 80, before: int = 15) -> tuple[int, int]:
    """A match and a little context around it (``before`` characters before it), widened to whole words (never a
    cut word at either end).

    The context before the match stays on the match's line: the line anchor then starts where the match is.
    """
    a = max(0, start - before, text.rfind("\n", 0, start) + 1)
    b = min(len(text), max(end, start + width) + 15)
    if a > 0 and not text[a - 1].isspace():
        ws = max(text.rfind(" ", 0, a), text.rfind("\n", 0, a), text.rfind("\t", 0, a))
        if ws >= 0 and a - ws <= 40:
            a = ws + 1
        else:  # a word too long to take whole (a URL): leave it out rather than start inside it ("rpus); see…")
            m = _SPACE.search(text, a, start)
            a = m.end() if m else a
    if b < len(text) and not text[b].isspace():
        m = _SPACE.search(text, b, b + 40)
        if m:
            b = m.start()
        else:
            cut = max(text.rfind(" ", end, b), text.rfind("\t", end, b), text.rfind("\n", end, b))
            b = cut if cut >= end else b
    return a, b


def meta_list(meta: dict[str, Any], key: str) -> list[str]:
    """A front-matter value that may be a string or a list, as a list of strings."""
    v = meta.get(key)
    if v is None:
        return []
    if isinstance(v, str):
        return [v]
    if isinstance(v, list):
        return [str(x) for x in v if isinstance(x, str | int | float)]
    return []
