"""Does the card show sample outputs of the model (not badges, logos, diagrams or others' results)?"""

from __future__ import annotations

import re
from bisect import bisect_right

from openscope.derive.openness.probes import Finding, either, repo_license, zsearch
from openscope.derive.openness.probes._own_evidence import (
    _sentence_at,
    card_index,
    in_code,
    mention_evidence,
    own_mentions,
)
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Sample model outputs"
SAMPLES = re.compile(r"(!\[[^\]\n]{0,300}\]\([^)\n]{1,500}\)|<img\s[^>]{0,1000}>|<video\s|\.gif\b|\.mp4\b"
                     r"|\b(example|sample|demo) (outputs?|generations?|results?|responses?|images?|videos?|"
                     r"samples?|audios?|clips?)\b|\bgallery\b|\bshowcase\b)", re.IGNORECASE)
SAMPLES_NEEDLES = ('![', '<img', '<video', '.gif', '.mp4', 'example', 'sample', 'demo', 'gallery',
                   'showcase')
# An image that is not an output of the model: a badge, a logo, an icon, a banner, a diagram of the
# architecture or pipeline, a chart of benchmark results, a QR code, a photo of the team.
NOT_OUTPUT = re.compile(r"shields\.io|badge|logo|icon|banner|favicon|avatar|qr[-_ ]?code|wechat|discord|twitter|"
                        r"architecture|arch[-_.]|pipeline|framework|overview|diagram|method|flow|structure|"
                        r"benchmark|leaderboard|chart|plot|radar|table|results?[-_.]|performance|score|eval|"
                        r"comparison|compare|star[-_ ]?history|contributors|license", re.IGNORECASE)
# A still image is an output only when the card says so: its alt text or file name, its caption (the rest of
# its line, the next line) or the title of its section names samples, examples, a demo, a gallery, a showcase,
# a teaser, generations or prompts. A bare header image, a figure or a chart says nothing of the kind.
OUTPUT_WORDS = either(r"sample|example|demo|showcase|teaser|gallery|generat|outputs?\b|prompt|preview|"
                      r"visuali[sz]|text[- ]?to[- ]?(image|video|audio|speech|music)|image[- ]?to[- ]?video",
                      r"示例|样例|效果|展示|生成", re.IGNORECASE,
                      jako=r"出力例|生成例|使用例|サンプル|デモ|ギャラリー|예시|샘플|데모|갤러리|생성")
# An animation or a video (a .gif, an .mp4, a <video>) shows the model at work unless named as something else.
MOVING = re.compile(r"<video\s|\.gif\b|\.mp4\b", re.IGNORECASE)
# A line that only lists in-page anchors (a table of contents): it names a gallery, it does not show one.
TOC_LINE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[[^\]]*\]\(#[^)]*\)\s*$")
# Another image right after an image on its line (Markdown, a badge-style linked image or an <img>): a row of images.
# (matched after the spaces and "&nbsp;" before it: a pattern that opens with a run of blanks is not linear in a search)
_IMAGE_NEXT = re.compile(r"(?:\[[ \t]*)?(?:!\[|<img\s)", re.IGNORECASE)
REMEDIATION = "Show sample outputs (prompts with generations) in the card."


def _caption(text: str, end: int) -> str:
    """The rest of the image's line and the next non-empty line (where a caption or prompt is written); only the rest
    of the line when another image follows on it. Why: images in a row are one paragraph, written one to a line or on
    one line alike; one to a line, an image's next line is the next image of the row, and on one line the next line
    is the paragraph after the row, which is no caption of the first image ("![Teaser](a.png) ![Teaser](b.png)" over
    a paragraph about the model's flow-matching design read that paragraph as the first teaser's caption)."""
    stop = text.find("\n", end)
    stop = len(text) if stop < 0 else stop
    rest = text[end:stop]
    lead = rest.lstrip(" \t")
    while lead.startswith("&nbsp;"):
        lead = lead[6:].lstrip(" \t")
    if _IMAGE_NEXT.match(lead):
        return rest
    nxt = text[stop + 1:stop + 400].lstrip("\n").split("\n", 1)[0]
    return rest if nxt.lstrip().startswith("#") else f"{rest} {nxt}"   # a heading is the next section's


def _section_title(rec: ModelRecord, pos: int) -> str:
    """The title of the section holding ``pos``, unless it is the card's top-level title (which names what the
    model does, "… Code Generation", not what an image in it is)."""
    assert rec.card is not None
    title, level = card_index(rec).section(pos), 0
    i = bisect_right([s.start for s in rec.card.sections], pos) - 1
    if i >= 0:
        level = rec.card.sections[i].level
    return title if title and level >= 2 else ""


# "demo images", "example videos", "sample clips" may be what the reader feeds the model: said in a sentence about
# data ("the demo images used here are for testing purposes and were not included in the training", "example images
# from the test set as inputs"), they are inputs, not outputs. "Example outputs", "sample generations" are outputs.
_INPUT_NOUN = re.compile(r"\b(?:images?|videos?|audios?|clips?|samples?)$", re.IGNORECASE)
_DATA_SENTENCE = re.compile(r"\b(?:inputs?|testing|test[ \t]{1,3}(?:data|set|split)|training|train[ \t]{1,3}set|datasets?)\b",
                            re.IGNORECASE)

# The rest of an HTML link right after the address it opens, when what the reader sees of the link is one image:
# ``.mp4'><img src='source/logo.png'></a>``.
_LINKED_IMAGE = re.compile(r"['\"]?[ \t]{0,3}>[ \t]{0,3}(<img\s[^<>]{0,500}>)", re.IGNORECASE)


def _linked_from_a_logo(text: str, b: int, line_end: int) -> bool:
    """Whether the video or animation address ending at ``text[b]`` is the target of a link whose face is an image
    that is no output (a logo, a badge, an icon: :data:`NOT_OUTPUT`): ``<a href='…/demo.mp4'><img src='logo.png'></a>``
    shows the project's logo, and the reader who clicks it gets a video the card does not show."""
    m = _LINKED_IMAGE.match(text, b, min(line_end, b + 1000))
    return m is not None and NOT_OUTPUT.search(m.group(1)) is not None


def _is_output(rec: ModelRecord, m: re.Match[str]) -> bool:
    """Whether a match shows (or names) the model's own outputs, as :func:`run` documents."""
    assert rec.card is not None
    text = rec.card.text
    off = len(text) - len(rec.card.body)
    a, b = off + m.start(), off + m.end()
    if in_code(rec, a):
        return False                      # a URL in a code snippet is an input the reader feeds in
    ls = text.rfind("\n", 0, a) + 1
    le = text.find("\n", a)
    if TOC_LINE.match(text[ls:le if le >= 0 else len(text)]):
        return False
    found = m.group(0)
    if found[:1] not in "!<" and not MOVING.match(found):
        # a phrase: "example outputs", "gallery", "showcase"; "demo images" said of data is the model's input
        return not (_INPUT_NOUN.search(found) and _DATA_SENTENCE.search(_sentence_at(text, a, b)))
    if NOT_OUTPUT.search(found):
        return False
    if MOVING.search(found):
        return not _linked_from_a_logo(text, b, len(text) if le < 0 else le)
    context = f"{found} {_caption(text, b)} {_section_title(rec, a)}"
    return bool(zsearch(OUTPUT_WORDS, context)) and not NOT_OUTPUT.search(_caption(text, b))


def run(rec: ModelRecord) -> Finding:
    """Positive for the first embedded video or animation, still image marked as an output (alt text, file name,
    caption or section), or mention of example outputs, that is the model's own: badges, logos, diagrams,
    charts and unmarked figures are not outputs, nor a URL in a code snippet, a table-of-contents entry, or
    what the card hides in an HTML comment or shows in a section of other people's work."""
    f = Finding("sample_outputs", "unknown", COMPONENT, remediation=REMEDIATION)
    for m, verdict in own_mentions(rec, SAMPLES, needles=SAMPLES_NEEDLES, cited=False, component=COMPONENT):
        if verdict != "own" or not _is_output(rec, m):
            continue
        f.status, f.license = released_status(repo_license(rec))
        f.outcome, f.evidence = "positive", [mention_evidence(rec, m)]
        return f
    if rec.card is not None:
        f.outcome = "negative"
    return f
