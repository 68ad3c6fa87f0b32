"""Does the card claim that this release is "open source"? (Input to the open-washing flag.)

Most cards say "open source" about something else: the field ("open-source LLMs have improved"), a
comparison ("competitive with the best open-source models"), a community, a tool they build on, a
badge URL (``opensource.org/licenses/MIT``). An open-washing flag raised on those would be noise, so a
mention counts only when the sentence makes it a claim about the release itself: the release is
open-sourced ("we open-source …", "the weights are open-sourced"), it *is* an open-source model ("X is
an open-source LLM", "we introduce X, an open-source …", "our open-source …", "released as open
source"), or the card's own heading says so. A promise ("will be open-sourced") is not a claim.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import islice

from openscope.derive.openness.probes import Evidence, Finding, card_in_kana_or_hangul, line_matches
from openscope.derive.openness.records import ModelRecord

COMPONENT = None
MENTION = re.compile(r"\bopen[- ]?sourc(e|ed|ing)\b", re.IGNORECASE)
# what follows an adjective "open-source" when it names a class or a thing other than the release
OTHER_THING = re.compile(
    r"[\s,]+(and [\w-]+ )?(models?|llms?|lms?|baselines?|alternatives?|counterparts?|competitors?|communit(y|ies)|"
    r"systems?|methods?|approaches|ones?|solutions?|projects?|software|tools?|toolkits?|librar(y|ies)|frameworks?|"
    r"code ?bases?|codes?|datasets?|works?|efforts?|ecosystems?|world|movement|principles?|spirit|research|"
    r"initiatives?|repositor(y|ies)|contributors?|developers?|licen[cs]es?|kernels?|ai\b|state[- ]of[- ]the[- ]art|"
    r"sota)",
    re.IGNORECASE)
# verbs that present the release: "we introduce X, an open-source …", "releasing a family of open-sourced …"
RELEASE_VERBS = r"\b(introduc\w*|present\w*|releas\w*|announc\w*|launch\w*|unveil\w*)\b[^.\n]{0,80}?"
# before a class ("open-source models"), only the release's own words make it a claim: "our open-source
# models", "we open-source models of three sizes", "X is one of the best open-source models"
THING_SELF = re.compile(
    r"(\b(our|its|these|this)\s+([\w-]+\s+){0,2}|\b(we|we've|we're|we have|we are)\s+((fully|also|now)\s+)?"
    r"|\b(is|are)\s+(a|an|the|one of the|among the)\s+([\w-]+[,\s]+){0,3}"
    r"|" + RELEASE_VERBS + r",\s+(an?|our)\s+"
    r"([\w*-]+\s+){0,2}\**)$", re.IGNORECASE)
# a tagline opening its line: "A fully open-source model." under the title
TAGLINE = re.compile(r"^[\s*_>-]*(a|an)\s+([\w-]+\s+){0,2}$", re.IGNORECASE)
URL_AFTER = re.compile(r"\.(org|com|net|io|ai)\b|/")
FUTURE = re.compile(r"\b(will|to|would|shall|plan|plans|planning|going|soon|later)\b[^.\n]{0,25}$", re.IGNORECASE)
# "we are proud / happy / excited to open-source X": an announcement of what is done now, not a plan ("to" after a
# word of feeling)
PROUD_TO = re.compile(r"\b(we|we're|we are|we've been|i am|i'm)\s+((very|so|really|truly)\s+)?"
                      r"(proud|happy|excited|pleased|glad|thrilled|delighted|honou?red)\s+to\s+$", re.IGNORECASE)
LATER = re.compile(r"\b(soon|later|shortly|upcoming|next (week|month|quarter|year)|in the (coming|near)\b)", re.IGNORECASE)
# Italian, Spanish, Portuguese and French say it after the noun: "X è un modello linguistico open source", "es un
# modelo de código abierto" is not read, "é um modelo open source", "est un modèle open source"
IS_A_ROMANCE = re.compile(r"(?:^|[\s(])(?:è|é|es|est|sono|son|são|sont)\s+(?:un|una|uno|um|uma|une|il|la|le|el|o)\s+"
                          r"([\w'’-]+[,\s]+){0,3}$", re.IGNORECASE)
SELF_BEFORE = re.compile(
    # the release is open-sourced: "we (have) (also) open-sourced", "are fully open-sourced", "now open-source"
    r"(\b(we|we've|we're|we'll|is|are|was|were|been|being|now|here|has|have|hereby)\s+"
    r"((fully|also|now|completely|officially|finally|already|publicly|entirely)\s+){0,2}$"
    r"|\bwe\b[^.\n]{0,30}\b(and|&)\s+$"
    # it is one: "X is an open-source LLM", "is the first fully open-source …", "released as open source"
    r"|\b(is|are|as|represents|becomes|remains)\s+(a|an|the|our|its|one of the)\s+([\w-]+[,\s]+){0,3}$"
    r"|\b(released|available|provided|distributed|published|licensed)\s+as\s+(an?\s+)?$"
    # "our open-source model", "its open-source weights"
    r"|\b(our|its)\s+([\w-]+\s+){0,2}$"
    # "we introduce X, an open-source …", "we are releasing a family of open-sourced …"
    r"|" + RELEASE_VERBS + r"\b(an?|our|of)\s+"
    r"([\w*-]+\s+){0,2}\**$)",
    re.IGNORECASE)
# Japanese and Korean (オープンソース, 오픈소스; read only in a card with kana or hangul): a claim when the words right
# after it release the thing as open source ("オープンソースとして公開しました", "オープンソース化しました", "오픈소스로
# 공개했습니다", "오픈소스화했습니다") or say it is one ("本モデルはオープンソースです", "이 모델은 오픈소스입니다"). The
# adjective before a noun ("他のオープンソースモデル", "오픈소스 커뮤니티") is not a claim, nor is a promise (予定, 今後, 예정,
# 추후) in the rest of the sentence.
MENTION_JAKO = re.compile(r"オープン\s?ソース|오픈\s?소스")
CLAIM_AFTER_JAKO = re.compile(r"\s?(?:(?:として|で)\s?(?:公開|リリース|提供|配布)|化(?:し|され)|(?:です|である)(?!が)"
                              r"|(?:으로|로)\s?(?:공개|출시|배포|제공)|화(?:했|하였|되었|된)|(?:입니다|이다))")
PROMISE_JAKO = re.compile(r"予定|近日|今後|예정|추후|향후")
REMEDIATION = "Claim \"open source\" only when weights, code and data information meet the OSAID; otherwise say \"open weights\"."
MAX_MENTIONS = 200   # a card that says it more often than this is read only that far


def is_claim(body: str, m: re.Match[str]) -> bool:
    """True when the mention ``m`` in ``body`` claims that the release itself is open source."""
    line_start = body.rfind("\n", 0, m.start()) + 1
    before = body[max(line_start, m.start() - 160):m.start()]
    after = body[m.end():m.end() + 60]
    if before.endswith(("/", ".", "_", "=", "-")) or URL_AFTER.match(after):
        return False  # a URL or a file name (opensource.org/licenses, open-source.md)
    if PROUD_TO.search(before):
        # "we are proud to open-source Ibis-2B": released as it says so, unless the sentence dates it later
        return not LATER.search(body[m.end():m.end() + 120].split(".")[0])
    if FUTURE.search(before):
        return False  # "will be open-sourced", "we plan to open-source": a promise, not a claim
    # "open-source models", "the open-source community", "open source code": a class or another thing
    thing = not m.group(1).lower().startswith(("ed", "ing")) and bool(OTHER_THING.match(after))
    if before.lstrip().startswith("#"):
        return not thing  # the card's own heading: "# X: a fully open-sourced LLM", not "## Open-Source Kernels"
    if TAGLINE.match(before):
        return True
    if thing:
        return bool(THING_SELF.search(before))
    return bool(SELF_BEFORE.search(before) or IS_A_ROMANCE.search(before))


def is_claim_jako(body: str, m: re.Match[str]) -> bool:
    """True when the Japanese or Korean mention ``m`` (:data:`MENTION_JAKO`) claims open source for the release."""
    end = body.find("\n", m.end())
    rest = body[m.end(): end if end >= 0 else len(body)][:120]
    stop = min((i for i in (rest.find("。"), rest.find(". ")) if i >= 0), default=len(rest))
    rest = rest[:stop]
    before = body[max(0, m.start() - 1):m.start()]
    if before in ("/", ".", "_", "=", "-") or URL_AFTER.match(rest):
        return False
    return bool(CLAIM_AFTER_JAKO.match(rest)) and not PROMISE_JAKO.search(rest)


def find_claim(rec: ModelRecord) -> Evidence | None:
    """The first mention of "open source" that claims it for this release, as evidence."""
    card = rec.card
    if card is None:
        return None
    if card_in_kana_or_hangul(card.body):
        return _find_claim_jako(rec)
    if "open" not in card.lowered_body:
        return None
    # (the mentions in the lines that hold "sourc", which every one holds: the same as a search of the whole body,
    # without trying the pattern at each of its characters; :func:`..probes.line_matches`)
    by_line = line_matches(card.body, card.lowered_body, MENTION)
    for n, m in enumerate(MENTION.finditer(card.body) if by_line is None else by_line):
        if n >= MAX_MENTIONS:
            break
        if is_claim(card.body, m):
            return _evidence(rec, m)
    return None


def _find_claim_jako(rec: ModelRecord) -> Evidence | None:
    """:func:`find_claim` in a card with kana or hangul: its English and its Japanese or Korean mentions, in the
    card's order."""
    assert rec.card is not None
    body = rec.card.body
    mentions: list[tuple[re.Match[str], Callable[[str, re.Match[str]], bool]]] = [
        *((m, is_claim) for m in islice(MENTION.finditer(body), MAX_MENTIONS)),
        *((m, is_claim_jako) for m in islice(MENTION_JAKO.finditer(body), MAX_MENTIONS))]
    for m, judge in sorted(mentions, key=lambda mc: mc[0].start()):
        if judge(body, m):
            return _evidence(rec, m)
    return None


def _evidence(rec: ModelRecord, m: re.Match[str]) -> Evidence:
    assert rec.card is not None
    off = len(rec.card.text) - len(rec.card.body)
    anchor, snip = rec.card.span(off + m.start(), off + m.end())
    return Evidence("card", f"{rec.card_locator}{anchor}", snip, rec.read_at)


def run(rec: ModelRecord) -> Finding:
    f = Finding("open_source_claim", "unknown", COMPONENT, remediation=REMEDIATION)
    ev = find_claim(rec)
    if ev:
        f.outcome, f.evidence = "positive", [ev]
    elif rec.card is not None:
        f.outcome = "negative"
    return f
