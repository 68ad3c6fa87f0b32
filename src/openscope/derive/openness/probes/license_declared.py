"""Which licence is declared (Hub tag, card front matter, or named in the card's text), and is it open?"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TypeVar
from urllib.parse import unquote

from openscope.derive.openness.cards import Card
from openscope.derive.openness.license_files import LicenseFile, is_license_file
from openscope.derive.openness.licensing import classify
from openscope.derive.openness.probes import (
    Evidence,
    Finding,
    file_locator,
    hub_evidence,
    jako_needles,
    may_match,
    needle_hits,
    needles_for,
    required_needles,
)
from openscope.derive.openness.probes._license_scope import covers, scopes_of
from openscope.derive.openness.records import ModelRecord

COMPONENT = None
# Named licences, in the order they are tried; the first group is open, the second restrictive.
# A permissive licence "modified" by its publisher (Kimi's "Modified MIT License") is not that licence: it is
# the publisher's own terms (`modified-mit`, the id the Hub's `license_name` gives it), never the OSI-approved
# original.
_UNMODIFIED = r"(?<!modified )(?<!modified-)"
# Where a licence name begins and ends: not inside a Latin word or number. ``\b`` is not used at the edges of an
# ASCII name, since a Chinese character is a word character to ``re``: "采用MIT协议" has no word boundary
# around "MIT".
_A = r"(?<![A-Za-z0-9])"
_Z = r"(?![A-Za-z0-9])"
# The Chinese forms of a licence of the publisher's own (restrictive ``other``): a community licence (社区许可协议),
# a licence or user agreement named by its own title (《…许可协议》, 用户协议, 使用协议, 授权协议), terms for research
# only (仅供学术研究), a commercial licence (商用许可), and commercial use only by application (商用需申请/授权, "if you
# plan to use it commercially you need to e-mail us": the licence is an agreement granted case by case, not an open
# one). "Apache 2.0 许可协议" is Apache 2.0 (a name right before the words is that licence's name), and "商用无需申请"
# (no application needed) is no restriction. Bounded gaps between fixed words: linear on any line.
_OTHER_ZH = (r"社区许可(?:协议|证)|(?<![0-9A-Za-z.])(?<![0-9A-Za-z.] )(?:许可协议|授权协议|使用协议|用户协议)"
             r"|仅(?:供|限)(?:学术)?研究|商(?:用|业)许可"
             r"|(?:商用|商业用途|商业使用|商业目的|商业化)[^。\n]{0,40}?(?<![无不免])(?:需要?|须|必须|应当?)"
             r"[^。\n]{0,15}?(?:申请|授权|许可|同意|邮件|邮箱)"
             r"|(?:如需|如果需要|若需|如要)[^。\n]{0,4}?(?:商用|商业)")
# The Japanese and Korean forms: a community licence (コミュニティライセンス, 커뮤니티 라이선스), a licence agreement or
# terms of use (ライセンス契約, 使用許諾契約, 利用規約; 라이선스 계약, 이용 약관), research only (研究目的のみ, 연구 목적으로만),
# and commercial use only with permission (商用利用には…許諾/お問い合わせ, 상업적 이용은 … 승인/문의), unless the sentence
# says none is needed (不要, 필요하지 않, 없이).
_OTHER_JAKO = (r"コミュニティ\s?ライセンス|ライセンス契約|使用許諾契約|利用規約|研究(?:目的|用途)(?:のみ|に限)"
               r"|商用[^。\n]{0,30}?(?:(?:申請|許可|許諾|承認)(?:が|を)?(?:必要|得|取得|受け)|お問い合わせ|ご連絡|別途(?:契約|ライセンス))"
               r"(?![^。\n]{0,10}?(?:不要|ありません|ない|なし))"
               r"|커뮤니티\s?라이[선센]스|라이[선센]스\s?계약|[이사]용\s?약관|연구\s?(?:목적|용도)\s?(?:으로만|로만|에\s?한)"
               r"|상업적\s?(?:이용|사용|목적)[^.\n]{0,30}?(?:(?:승인|허가|허락)(?:이|을|를)?\s?(?:받(?!지)|필요(?!하지|\s?없)|얻(?!지))|문의|별도\s?계약"
               r"|별도의?\s?라이[선센]스)(?![^.\n]{0,10}?(?:필요\s?없|필요하지\s?않|없이|없습니다))")
# Creative Commons Attribution, short or spelt out, not NonCommercial, NoDerivatives or ShareAlike; and ShareAlike
_CC_BY = r"(?:CC[- ]BY|Creative Commons Attribution)(?![- ]?(?:NC|ND|SA|Non|No|Share))"
_CC_BY_SA = r"(?:CC[- ]BY[- ]SA|Creative Commons Attribution[- ]Share[- ]?Alike)"
OPEN_NAMES = [
    # (spelt "licence" too, as British and European cards write it, or "Apache Software License", the name Python
    # packaging gives it; in Chinese "Apache 许可证 2.0")
    ("Apache-2.0", re.compile(_UNMODIFIED + r"(?:apache[- ]?(?:software[- ])?(?:licen[cs]e,?[- ]|许可证 ?|许可协议 ?)?"
                              r"(?:version[- ]?|v)?2(?:\.0)?\b|apache[- ](?:software[- ])?licen[cs]e|apache ?许可)",
                              re.IGNORECASE)),
    ("MIT", re.compile(_UNMODIFIED + _A + r"MIT" + _Z + r"(?! ?-?non)", re.IGNORECASE)),
    ("BSD-3-Clause", re.compile(_UNMODIFIED + _A + r"BSD" + _Z, re.IGNORECASE)),
    ("GPL-3.0-or-later", re.compile(_A + r"A?GPL[- ]?v?\d|GNU (Affero )?General Public License", re.IGNORECASE)),
    # "the GPL" with no version: the family (every version is a copyleft licence the OSI approves; the licence
    # catalogue's `gpl`), not a version the card does not name
    ("GPL", re.compile(_A + r"A?GPL" + _Z + r"(?![- ]?v?\d)", re.IGNORECASE)),
    # CC BY and CC BY-SA by their version (3.0 read as 3.0, any other as 4.0, the version the Hub's ids and most cards
    # name), as the short name or the spelt-out one ("Creative Commons Attribution-ShareAlike 4.0"): ShareAlike is
    # its own licence (its adaptations keep its terms), never plain CC BY
    ("CC-BY-SA-3.0", re.compile(_CC_BY_SA + r"[- ]?v?3(?:\.0)?(?![.\d])", re.IGNORECASE)),
    ("CC-BY-SA-4.0", re.compile(_CC_BY_SA + r"[- ]?v?(?!3(?:\.0)?(?![.\d]))\d", re.IGNORECASE)),
    ("CC-BY-3.0", re.compile(_CC_BY + r"[- ]?v?3(?:\.0)?(?![.\d])", re.IGNORECASE)),
    ("CC-BY-4.0", re.compile(_CC_BY + r"[- ]?v?(?!3(?:\.0)?(?![.\d]))\d", re.IGNORECASE)),
    # "CC BY", "CC BY-SA", "Creative Commons Attribution" with no version: the family, not a version the card does not
    # name (the catalogue's `cc-by`, `cc-by-sa`, "version not stated"). Every version is an open data licence for the
    # MOF and the OSAI index, so the status is the same; the id says only what the card says. Beside the same family
    # with its version on the line ("Creative Commons Attribution (CC BY 4.0)") the versioned name is the one read.
    ("cc-by-sa", re.compile(_CC_BY_SA + r"(?![- ]?v?\d)(?![\w-])", re.IGNORECASE)),
    ("cc-by", re.compile(_CC_BY + r"(?![- ]?v?\d)(?![\w-])", re.IGNORECASE)),
    ("CC0-1.0", re.compile(_A + r"CC0" + _Z, re.IGNORECASE)),
    # names a licence line already announces ("under MPL 2.0", "under the Unlicense") and that were read as no
    # licence: the Mozilla Public License, the LGPL ("LGPL" is not "GPL": its L is a letter before the name), the
    # Unlicense (not "unlicensed", which says there is no licence)
    ("MPL-2.0", re.compile(_UNMODIFIED + _A + r"MPL(?:[- ]?v?2(?:\.0)?)?" + _Z + r"|Mozilla Public License", re.IGNORECASE)),
    ("LGPL-3.0", re.compile(_A + r"LGPL(?:[- ]?v?\d(?:\.\d)?)?" + _Z + r"|GNU Lesser General Public License",
                            re.IGNORECASE)),
    ("Unlicense", re.compile(_A + r"Unlicense" + _Z, re.IGNORECASE)),
    # the open data licences a card names for its data (the MOF's open data licences): Open Data Commons
    # Attribution, the Open Database License, Public Domain Dedication, and the Community Data Licence Agreements
    ("ODC-By-1.0", re.compile(_A + r"ODC[- ]?By" + _Z + r"|Open Data Commons Attribution", re.IGNORECASE)),
    ("ODbL-1.0", re.compile(_A + r"ODbL" + _Z + r"|Open Database Licen[cs]e", re.IGNORECASE)),
    ("PDDL-1.0", re.compile(_A + r"(?:ODC[- ])?PDDL" + _Z, re.IGNORECASE)),
    ("CDLA-Permissive-2.0", re.compile(_A + r"CDLA[- ]Permissive" + _Z, re.IGNORECASE)),
    ("CDLA-Sharing-1.0", re.compile(_A + r"CDLA[- ]Sharing" + _Z, re.IGNORECASE)),
]
# Creative Commons Attribution-NonCommercial, short or spelt out, and its ShareAlike and NoDerivatives elements
_CC_NC = r"(?:CC[- ]BY[- ]NC|Creative Commons Attribution[- ]Non[- ]?Commercial)"
_NC_SA = _CC_NC + r"[- ]?(?:SA|Share[- ]?Alike)"
_NC_ND = _CC_NC + r"[- ]?(?:ND|No[- ]?Deriv(?:ative)?s?)"
_NC_ONLY = _CC_NC + r"(?![- ]?(?:SA|ND|Share|No[- ]?Deriv))"
# a version: 3.0 read as 3.0, any other as 4.0 (as for CC BY); none: the family (the end of the name, no digit after)
_V3, _V4 = r"[- ]?v?3(?:\.0)?(?![.\d])", r"[- ]?v?(?!3(?:\.0)?(?![.\d]))\d"
_NO_V = r"(?![- ]?v?\d)(?![\w-])"
RESTRICTIVE_NAMES = [
    # NonCommercial by its elements and version before the catch-all below: "CC BY-NC-SA 4.0" keeps its ShareAlike,
    # "CC BY-NC-ND" its NoDerivatives, and a name without a version is the family (the catalogue's `cc-by-nc`,
    # `cc-by-nc-sa`, `cc-by-nc-nd`, "version not stated"), not 4.0, a version the card does not name. Every version
    # is non-commercial, so the status is the same; the id says only what the card says.
    *((lic, re.compile(name + ver, re.IGNORECASE)) for name, ids in ((_NC_SA, ("CC-BY-NC-SA-3.0", "CC-BY-NC-SA-4.0",
                                                                             "cc-by-nc-sa")),
                                                                      (_NC_ND, ("CC-BY-NC-ND-3.0", "CC-BY-NC-ND-4.0",
                                                                                "cc-by-nc-nd")),
                                                                      (_NC_ONLY, ("CC-BY-NC-3.0", "CC-BY-NC-4.0",
                                                                                  "cc-by-nc")))
      for lic, ver in zip(ids, (_V3, _V4, _NO_V), strict=True)),
    # The catch-all: a non-commercial phrase that names no licence ("for non-commercial use only", "not for
    # commercial use", "仅供非商业用途", "商用不可", "비상업적 용도로만") is `noncommercial-unnamed` (the catalogue's
    # "non-commercial terms, no licence named": restrictive, commercial use false, nothing else known), never
    # CC BY-NC 4.0, a licence the card never named (issue #7). A Creative Commons NonCommercial name is read above
    # by its elements and version; "X Non-Commercial License" is that publisher's own licence (`other`, below).
    ("noncommercial-unnamed", re.compile(r"CC[- ]BY[- ]NC|non-?commercial|noncommercial|非商业|非商用|非営利|商用(?:利用)?不可"
                                r"|비상업|상업적\s?(?:이용|사용)(?:은|이|을)?\s?(?:금지|불가)", re.IGNORECASE)),
    # no derivatives: a model under it may not be modified or fine-tuned and shared (CC BY-NC-ND is non-commercial
    # first, above)
    ("CC-BY-ND-4.0", re.compile(r"CC[- ]BY[- ]ND|Attribution[- ]No[- ]?Deriv", re.IGNORECASE)),
    ("openrail", re.compile(r"\b(Open)?RAIL(\+\+)?(-M|-S)?\b", re.IGNORECASE)),
    ("other", re.compile(r"community licen[cs]e|licen[cs]e agreement|terms of (use|service)|research(-only| only)? "
                         r"licen[cs]e|model licen[cs]e|custom licen[cs]e|research purposes? only|"
                         r"academic research only|acceptable use policy|commercial licen[cs]e|" + _OTHER_ZH + "|"
                         + _OTHER_JAKO, re.IGNORECASE)),
    # the licence's name, not "we modified MIT-licensed code": "Modified MIT License", or a badge's
    # "License-Modified_MIT"
    *((f"modified-{lic}", re.compile(rf"\bmodified[ -]{name}(?:[ -]?(?:v(?:ersion)?[ -]?)?[\d.]+)?(?=[ -]licen[cs]e\b)|"
                                     rf"licen[cs]e[-: ]+modified[ -]{name}\b", re.IGNORECASE))
      for lic, name in (("mit", "MIT"), ("apache-2.0", "apache"), ("bsd", "BSD"))),
]
# A licence line names the word, or puts the work "under" a licence by name ("weights released under
# Apache 2.0", "available under CC-BY-4.0") without saying "licence".
LICENSE_WORD = re.compile(r"licen[cs]|lizenz|licen[zç]|лиценз|giấy phép|ترخيص|رخصة|\bunder (the )?(apache\b|mit\b|bsd\b|a?gpl|lgpl|gnu\b|cc[- ]?by|cc0\b"
                          r"|creative commons|(open)?rail\b|mpl\b|mozilla public|odc\b|odbl\b|pddl\b|cdla\b)"
                          r"|许可|协议|授权|商用|商业(?:用途|使用|目的|化)"
                          r"|ライセンス|利用規約|使用許諾|非営利|라이[선센]스|[이사]용\s?약관|상업적|비상업", re.IGNORECASE)
# (and the word in German, Italian, Portuguese, Russian, Vietnamese and Arabic: "Lizenz: MIT", "Licenza", "Licença",
# "Лицензия", "Giấy phép: MIT", "الترخيص: Apache 2.0"; Spanish and French "licencia", "licence" are "licen[cs]")
# A licence section: "License", or its Chinese titles (许可证, 许可协议, 开源协议, 协议 as in "声明、协议、引用", 授权).
LICENSE_SECTION = re.compile(r"licen[cs]|lizenz|licen[zç]|лиценз|giấy phép|ترخيص|رخصة|许可|协议|授权|ライセンス|利用規約|라이[선센]스|약관", re.IGNORECASE)
GENERIC_HEADING = re.compile(r"\s*+#++\W*+((model|software|code|our) )?licen[cs]es?( agreements?| terms| information)?\W*+$",
                             re.IGNORECASE)
# The Chinese heading that only announces a licence section ("## 许可证", "## 模型许可协议", "## 开源协议"); the
# lookbehind keeps a search linear on a run of spaces or "#" (it is used with `match` on one line).
GENERIC_HEADING_ZH = re.compile(r"(?<![\s#])\s*+#++\W*+(?:模型|代码|软件|开源|本项目)?(?:的)?(?:许可证?|许可协议|开源协议|开源许可|协议|授权)"
                                r"(?:说明|条款|信息|声明)?\W*+$")
# The Japanese and Korean headings that only announce one ("## ライセンス", "## モデルのライセンス", "## 라이선스",
# "## 모델 라이센스", "## 이용 약관").
GENERIC_HEADING_JAKO = re.compile(r"(?<![\s#])\s*+#++\W*+(?:(?:モデル|コード|ソフトウェア|本モデル)の?)?(?:ライセンス|利用規約)"
                                  r"(?:情報|条項|について)?\W*+$"
                                  r"|(?<![\s#])\s*+#++\W*+(?:(?:모델|코드|소프트웨어)\s?)?(?:라이[선센]스|[이사]용\s?약관)"
                                  r"(?:\s?정보)?\W*+$")
# A misuse bullet speaks of other people's licensed material and terms; it names no licence of the release.
MISUSE = re.compile(r"\blicensed material\b|\bin violation of (?:its|their|the|any) (?:terms|licen[cs]e)", re.IGNORECASE)
# Every match of LICENSE_WORD starts with one of these (as the lower-cased card reads them).
LICENSE_WORD_STARTS = ("licen", "lizenz", "лиценз", "giấy phép", "ترخيص", "رخصة", "under ", "许可", "协议", "授权", "商用", "商业") + jako_needles(
    "ライセンス", "利用規約", "使用許諾", "非営利", "라이선스", "라이센스", "이용", "사용", "상업적", "비상업")
# Characters that IGNORECASE matches to a letter of those words while ``str.lower`` does not give that letter.
_CASE_FOLDS = ("\u0131", "\u0130", "\u017f", "\u212a")


# A licence named only by its deed or text address ("License: https://creativecommons.org/licenses/by-nc/4.0/",
# "https://www.apache.org/licenses/LICENSE-2.0"): read as its name, so the names above match it
_LICENCE_URL = re.compile(r"creativecommons\.org/licenses/(by(?:-nc)?(?:-sa|-nd)?)/(\d\.\d)\b/?"
                          r"|creativecommons\.org/publicdomain/zero/1\.0\b/?|apache\.org/licenses/LICENSE-2\.0\b",
                          re.IGNORECASE)


def _url_name(m: re.Match[str]) -> str:
    if m.group(1):
        return f" CC-{m.group(1).upper()}-{m.group(2)} "
    return " CC0-1.0 " if "zero" in m.group(0).lower() else " Apache-2.0 "


def named_urls(text: str, low: str) -> str:
    """``text`` with the licence addresses :data:`_LICENCE_URL` knows written as the licences' names, where the
    address stands alone (not a Markdown link's target, whose anchor already names the licence: "[Apache 2
    License](https://www.apache.org/licenses/LICENSE-2.0)" is one licence, not a second one for the whole release).
    Why: a card that gives its licence only as the address of the licence's deed named no licence a reader missed."""
    if "creativecommons.org" not in low and "apache.org/licenses" not in low:
        return text

    def name(m: re.Match[str]) -> str:
        lead = text[max(0, m.start() - 14):m.start()]
        return m.group(0) if "](" in lead or "href=" in lead else _url_name(m)
    return _LICENCE_URL.sub(name, text)


# A line that only labels a list of licences below it ("Licenses:", "**License:**")
_LABEL_ONLY = re.compile(r"[\s*_]*(?:licen[cs]es?|licensing)[\s*_]*:[\s*_]*$", re.IGNORECASE)   # (matched at the start)
_ITEM = re.compile(r"[ \t]*(?:[-*+]|\d{1,2}[.)])[ \t]+\S")


def _items_after(body: str, b: int) -> list[tuple[int, int]]:
    """The list items right under the line that ends at ``b`` (one blank line allowed before the first), at most
    twelve: what a licence label ("Licenses:") introduces."""
    out: list[tuple[int, int]] = []
    at, blanks = b + 1, 0
    while at < len(body) and len(out) < 12:
        end = body.find("\n", at)
        end = len(body) if end < 0 else end
        line = body[at:end]
        if not line.strip() and not out and blanks == 0:
            blanks += 1
        elif _ITEM.match(line):
            out.append((at, end))
        else:
            break
        at = end + 1
    return out


_LICENCE_CELL = re.compile(r"\|\s*\**\s*licen[cs]es?\s*\**\s*(?=\|)", re.IGNORECASE)


def _delimiter_row(line: str) -> bool:
    """A table's delimiter row ("|---|:--:|"): read without a regular expression (linear on any line)."""
    return "--" in line and not line.strip(" \t|:-")


def _rows_after(body: str, b: int) -> list[tuple[int, int]]:
    """The rows of the table whose header row ends at ``b`` (after its delimiter row), at most twelve."""
    out: list[tuple[int, int]] = []
    at = b + 1
    end = body.find("\n", at)
    end = len(body) if end < 0 else end
    if not _delimiter_row(body[at:end]):
        return out
    at = end + 1
    while at < len(body) and len(out) < 12:
        end = body.find("\n", at)
        end = len(body) if end < 0 else end
        if not body[at:end].lstrip().startswith("|"):
            break
        out.append((at, end))
        at = end + 1
    return out


def license_words(card: Card) -> Iterator[re.Match[str]]:
    """``LICENSE_WORD.finditer(card.body)``, trying the pattern only where one of its first words occurs.

    Why: the pattern is case-insensitive, so ``re`` tries it at every character of the card; every match starts
    with one of :data:`LICENSE_WORD_STARTS`, so matching at their occurrences, left to right and past the last
    match's end, gives the same matches."""
    body, low = card.body, card.lowered_body
    if len(low) != len(body) or (not body.isascii() and any(c in body for c in _CASE_FOLDS)):
        yield from LICENSE_WORD.finditer(body)
        return
    end = 0
    for at in sorted({i for w in needles_for(LICENSE_WORD_STARTS, body) for i in needle_hits(low, w, len(low))}):
        if at >= end:
            m = LICENSE_WORD.match(body, at)
            if m:
                end = m.end()
                yield m


REMEDIATION = "Declare an OSI-approved licence (e.g. Apache-2.0 or MIT) in the `license:` metadata and the card."


def named_in_card(rec: ModelRecord) -> tuple[list[str], list[str], list[Evidence]]:
    """(open licences, restrictive licences, evidence) named in licence sections and licence sentences."""
    return _read_card(rec)[:3]


def scoped_in_card(rec: ModelRecord) -> list[tuple[str, frozenset[str]]]:
    """Every licence the card names, in the order it names them, with what it covers (:mod:`._license_scope`:
    the code, the weights, the data; an empty set is the release as a whole)."""
    return _read_card(rec)[3]


def card_license_for(rec: ModelRecord, what: str, *, explicit_only: bool = False, files: bool = True) -> str | None:
    """The licence the release names for ``what`` (code, weights, data): in its licence files
    (:func:`file_license_for`) and in its card, restrictive first, as a reader bound by both must follow the
    stricter. ``explicit_only`` keeps only names that say they cover it; ``files=False`` reads the card alone.
    A card's catch-all ``other`` ("model licence", "licence agreement") never overrides a licence a file's text
    identifies: the text says which licence it is."""
    names = [lic for lic, sc in scoped_in_card(rec)
             if (what in sc if explicit_only else covers(sc, what))]
    # a named restrictive licence before the catch-all `other` ("Model License: CC BY-NC 4.0" names both), and
    # before non-commercial terms with no licence named; between those two, the card's order ("This model falls under
    # the Heron Non-Commercial License" over "… for our non-commercial users": the publisher's licence)
    restr = sorted((n for n in names if n in RESTRICTIVE_IDS), key=lambda n: n in ("other", NC_UNNAMED))
    card = next(iter(restr or names), None)
    in_file = file_license_for(rec, what, explicit_only=explicit_only) if files else None
    if in_file is None or card is None or card == "other":
        return in_file or card
    return card if _restrictive(card) and not _restrictive(in_file) else in_file


def license_files(rec: ModelRecord) -> list[LicenseFile]:
    """The licence files read from the record's folder (:mod:`..license_files`); none for a stored model."""
    return list(rec.cache.get("license_files") or [])


def _restrictive(name: str) -> bool:
    return name in RESTRICTIVE_IDS or classify(name).open is False


def _strictest(names: list[str]) -> str | None:
    """Restrictive first (the catch-all ``other`` after a named one), else the first."""
    restr = sorted((n for n in names if _restrictive(n)), key=lambda n: n == "other")
    return next(iter(restr or names), None)


def file_license_for(rec: ModelRecord, what: str, *, explicit_only: bool = False) -> str | None:
    """The licence the folder's licence files give ``what``: a file whose name says it covers it
    (``LICENSE-MODEL`` for the weights) before one for the whole release (``LICENSE``); among several, the
    stricter. None when no file's text identifies one."""
    known = [lf for lf in license_files(rec) if lf.license]
    named = [lf.license for lf in known if what in lf.scope and lf.license]
    whole = [] if explicit_only else [lf.license for lf in known if not lf.scope and lf.license]
    return _strictest(named) or _strictest(whole)


def weights_license(rec: ModelRecord) -> str | None:
    """The weights' licence: the declared one (Hub tag or front matter), unless a licence file that covers the
    weights names a stricter one (a reader bound by both follows the stricter; the file is the licence's text,
    the tag a label) or the declared one is the catch-all ``other``; else what the card names for the weights."""
    declared = rec.license
    in_file = file_license_for(rec, "weights")
    if declared and in_file and (declared.lower() == "other" or (_restrictive(in_file) and not _restrictive(declared))):
        return in_file
    return declared or card_license_for(rec, "weights")


def file_evidence_items(rec: ModelRecord, limit: int = 4) -> list[Evidence]:
    """Each licence file with its identifying line (kind ``file``); for a stored model, whose file contents
    the store does not keep, the licence files its file list names (kind ``file_list``: present, not read)."""
    if "license_files" in rec.cache:
        out = []
        for lf in license_files(rec)[:limit]:
            loc = file_locator(rec, lf.path) + (f"#L{lf.line}" if lf.line else "")
            out.append(Evidence("file", loc, lf.snippet, rec.read_at))
        return out
    return [Evidence("file_list", file_locator(rec, p),
                     f"{p}: a licence file is present; its text was not read (the store keeps file lists, not "
                     "file contents), so its licence is unknown", rec.read_at)
            for p in unread_license_files(rec)[:limit]]


def unread_license_files(rec: ModelRecord) -> list[str]:
    """Licence files a stored model's file list names (their text is not in the store)."""
    if "license_files" in rec.cache:
        return []
    return [p for p, _ in rec.files if is_license_file(p)]


RESTRICTIVE_IDS = {lic for lic, _ in RESTRICTIVE_NAMES}
# the catch-all non-commercial name's index, and the NonCommercial names read before it by their elements
NC_UNNAMED = "noncommercial-unnamed"
_NC_CATCH_ALL = next(i for i, (lic, _) in enumerate(RESTRICTIVE_NAMES) if lic == NC_UNNAMED)
_NC_NAMED = frozenset(lic for lic, _ in RESTRICTIVE_NAMES[:_NC_CATCH_ALL])
# The words one of which each licence name's every match holds (:func:`..probes.required_needles`), in the order
# of OPEN_NAMES and RESTRICTIVE_NAMES. Why: each name's pattern opens with a lookbehind and is case-insensitive,
# so ``re`` tries it at every character of a licence line; twenty names made this scan a twentieth of a card's
# assessment, and a line names one or two of them.
_NAME_NEEDLES = ([required_needles(rx) for _, rx in OPEN_NAMES], [required_needles(rx) for _, rx in RESTRICTIVE_NAMES])


LINE_CHARS = 400   # the text read for one licence line: its first 400 characters
_SENTENCE_ENDS = (". ", "! ", "? ", "。", "！", "？")


def _statement(body: str, a: int, b: int, at: int) -> tuple[int, int]:
    """The part of a long line ``body[a:b]`` read for the licence word at ``at``: from the start of its sentence (at
    most 300 characters back) for :data:`LINE_CHARS` characters.

    Why: a line is read as one licence statement, its first 400 characters. A card that writes each paragraph on one
    line (most Hub cards) put a licence sentence past them ("… the checkpoint is licensed for research and
    non-commercial use only." as the fourth sentence of a paragraph), and the same sentence on a line of its own was
    read; a second licence sentence in the paragraph was never read. A line of at most 400 characters is read whole,
    as before."""
    lo = max(a, at - 300)
    start = max((k + len(e) for e in _SENTENCE_ENDS if (k := body.rfind(e, lo, at)) >= 0), default=lo)
    while start < at and body[start] in " \t":
        start += 1
    return start, min(b, start + LINE_CHARS)


_NOT_PROSE = ("#", "|", "-", "*", "+", ">", "<", "`", "![", "[![")


def _sentence_before(body: str, a: int) -> str:
    """The sentence before the text that starts at ``body[a]``, within its paragraph (at most 300 characters): the
    end of the same line before ``a`` (a statement of a long line), else of the line before when both are prose (not
    a heading, list item, table row, quote, HTML, code or badge). What a pronoun that opens the text refers to."""
    ls = body.rfind("\n", 0, a) + 1
    if ls < a:
        head = body[max(ls, a - 300):a]
    else:
        if a == 0:
            return ""
        pa = body.rfind("\n", 0, a - 1) + 1
        head = body[max(pa, a - 301):a - 1]
        line = body[a:a + 10].lstrip()
        if not head.strip() or head.lstrip().startswith(_NOT_PROSE) or line.startswith(_NOT_PROSE) \
                or line[:1].isdigit():
            return ""
    head = head.rstrip()
    cut = max((k + len(e) for e in _SENTENCE_ENDS if (k := head.rfind(e, 0, len(head) - 1)) >= 0), default=0)
    return head[cut:]


def _read_card(rec: ModelRecord) -> tuple[list[str], list[str], list[Evidence], list[tuple[str, frozenset[str]]]]:
    if rec.card is None:
        return [], [], [], []
    if "named_licenses" in rec.cache:
        return rec.cache["named_licenses"]
    texts: list[tuple[str, int, str]] = []  # (text, its offset in the card's full text, the sentence before it)
    for s in rec.card.sections:
        if LICENSE_SECTION.search(s.title):
            texts.append((s.text[:2000], s.start, ""))
    off = len(rec.card.text) - len(rec.card.body)
    body = rec.card.body
    last_line_end = -1
    # the title lines of the sections whose heading is not "#" markup (setext), by the offset where they start
    titles = {rec.card.line_start(sec.line): sec.title for sec in rec.card.sections
              if not rec.card.text.startswith("#", rec.card.line_start(sec.line))}
    for m in license_words(rec.card):
        if m.start() <= last_line_end:
            continue  # one entry per line (per statement of a long line)
        a = body.rfind("\n", 0, m.start()) + 1
        b = body.find("\n", m.end())
        b = len(body) if b < 0 else b
        if b - a > LINE_CHARS:
            a, b = _statement(body, a, b, m.start())
        last_line_end = b
        line = body[a:b]
        if off + a in titles:   # a setext heading's title line ("License Agreement" over "---"): read as its "##"
            line = "## " + titles[off + a]
        if GENERIC_HEADING.match(line) or GENERIC_HEADING_ZH.match(line) or GENERIC_HEADING_JAKO.match(line):
            continue  # a heading ("## License Agreement") announces a section; it names no licence
        if MISUSE.search(body[a:b]):
            continue  # "sharing of … licensed material in violation of its terms of use" is a misuse, not a licence
        texts.append((body[a:b][:LINE_CHARS], off + a, _sentence_before(body, a)))
        if _LABEL_ONLY.match(line):
            # "Licenses:" over "- Code: Apache-2.0", "- Model weights: OpenRAIL-M": the items are the licence lines
            texts.extend((body[x:y][:LINE_CHARS], off + x, line) for x, y in _items_after(body, b))
        elif line.lstrip().startswith("|") and _LICENCE_CELL.search(line):
            # a table with a licence column ("| Component | License |"): each row is a licence line, its first
            # cell saying what the licence covers
            texts.extend((body[x:y][:LINE_CHARS], off + x, "") for x, y in _rows_after(body, b))
        if len(texts) > 60:
            break
    opens: list[str] = []
    restr: list[str] = []
    ev: list[Evidence] = []
    scoped: list[tuple[str, frozenset[str]]] = []
    for raw, at, before in texts:
        text = unquote(raw).replace("_", " ")  # badges: License-Apache%202.0
        low = text.lower()
        text = named_urls(text, low)
        low = text.lower()
        # In the order the text names them: "this model is under MIT; the distilled ones derive from
        # Apache-2.0 models" declares MIT first (the pattern order only breaks ties). A name whose words are
        # absent from the line is not searched for (:data:`_NAME_NEEDLES`).
        hits = sorted((m.start(), i, lic, kind, m.end())
                      for kind, names, needles in ((opens, OPEN_NAMES, _NAME_NEEDLES[0]),
                                                   (restr, RESTRICTIVE_NAMES, _NAME_NEEDLES[1]))
                      for i, (lic, rx) in enumerate(names) if may_match(needles[i], text, low)
                      for m in rx.finditer(text))
        if hits and "](" in text:
            hits = [h for h in hits if not (h[2] == "other" and points_to_licence_file(text, h[0], h[4]))]
        hits = versioned_over_family(hits, 2)
        scopes = scopes_of(text, [(h[0], h[4]) for h in hits], unquote(before).replace("_", " ")) if hits else []
        for (_, _, lic, kind, _), sc in zip(hits, scopes, strict=True):
            if lic not in kind:
                kind.append(lic)
            if (lic, sc) not in scoped:
                scoped.append((lic, sc))
        if hits and len(ev) < 2:
            # the card's own words (not the decoded badge text the names were matched in), and the lines
            # they span
            lead = at + len(raw) - len(raw.lstrip())
            anchor, snip = rec.card.span(lead, lead, 200, stop=at + len(raw))
            if not any(e.locator == f"{rec.card_locator}{anchor}" for e in ev):  # a section and its line: once
                ev.append(Evidence("card", f"{rec.card_locator}{anchor}", snip, rec.read_at))
    rec.cache["named_licenses"] = (opens, restr, ev, scoped)
    return opens, restr, ev, scoped


# The Creative Commons families a card may name without a version, and their versioned names
_CC_FAMILIES = {"cc-by": ("CC-BY-3.0", "CC-BY-4.0"), "cc-by-sa": ("CC-BY-SA-3.0", "CC-BY-SA-4.0"),
                "cc-by-nc": ("CC-BY-NC-3.0", "CC-BY-NC-4.0"), "cc-by-nc-sa": ("CC-BY-NC-SA-3.0", "CC-BY-NC-SA-4.0"),
                "cc-by-nc-nd": ("CC-BY-NC-ND-3.0", "CC-BY-NC-ND-4.0")}
# The licence ids that name a family without a version: the licence probe says so in its detail
VERSIONLESS = frozenset({"cc-by", "cc-by-sa", "cc-by-nc", "cc-by-nc-sa", "cc-by-nc-nd", "gpl", "lgpl"})
_H = TypeVar("_H", bound="tuple[object, ...]")


def _inside(pos: object, start: object, end: object) -> bool:
    """Whether offset ``pos`` lies in ``[start, end)`` (a hit's items are typed ``object``)."""
    return isinstance(pos, int) and isinstance(start, int) and isinstance(end, int) and start <= pos < end


def _name_of(word: tuple[object, ...], name: tuple[object, ...]) -> bool:
    """Whether the hit ``word`` (a non-commercial word) overlaps the custom-terms hit ``name`` or ends at most one
    character (a space or hyphen) before it starts: the word is part of that licence's name."""
    ws, we, ns, ne = word[0], word[-1], name[0], name[-1]
    return (isinstance(ws, int) and isinstance(we, int) and isinstance(ns, int) and isinstance(ne, int)
            and ws < ne and ns <= we + 1)


def versioned_over_family(hits: list[_H], at: int) -> list[_H]:
    """``hits`` (tuples whose item ``at`` is the licence's label, the item before it the name's index in its list, the
    first and last items where the name starts and ends)
    less a version-less Creative Commons family named on the same line as a version of it ("Creative Commons
    Attribution (CC BY 4.0)" is CC-BY-4.0 once, not also the family), and less the non-commercial catch-all (any
    "non-commercial" word) on a line that names a Creative Commons NonCommercial licence ("CC BY-NC-SA, for
    non-commercial use only" is the BY-NC-SA family once). Why: the line says the version and the elements; the
    family alone, or the catch-all's 4.0, would hide them."""
    named = [h for h in hits if h[at] in _NC_NAMED and h[at - 1] != _NC_CATCH_ALL]
    if named:
        # (and the custom-terms word inside the name: "Creative Commons Attribution-NonCommercial license" holds
        # "Commercial license"; the publisher's own "FLUX [dev] Non-Commercial License" names no CC licence and keeps it)
        hits = [h for h in hits if not (h[at] == NC_UNNAMED and h[at - 1] == _NC_CATCH_ALL)
                and not (h[at] == "other" and any(_inside(h[0], n[0], n[-1]) for n in named))]
    customs = [h for h in hits if h[at] == "other"]
    if customs:
        # the non-commercial word that is part of a licence's name ("the Heron Non-Commercial License", "a
        # Noncommercial Research License"): the card names its publisher's own licence, custom terms (`other`), not
        # non-commercial terms with no licence named
        hits = [h for h in hits if not (h[at] == NC_UNNAMED and any(_name_of(h, c) for c in customs))]
    if not any(h[at] in _CC_FAMILIES for h in hits):
        return hits
    labels = {h[at] for h in hits}
    return [h for h in hits if not (h[at] in _CC_FAMILIES and labels.intersection(_CC_FAMILIES[str(h[at])]))]


# "the license agreement", "the terms of use": a generic noun for whatever licence a file holds, with nothing before it
# that names one ("the", "a", "its", "these", "our"; "the Heron Community License Agreement" is named by its words).
_GENERIC_TERMS = re.compile(r"(?:licen[cs]e[ \t]+agreements?|terms[ \t]+of[ \t]+(?:use|service))$", re.IGNORECASE)
_GENERIC_BEFORE = re.compile(r"(?:^|[^\w-])(?:the|a|its|these|those|their)[ \t]+\[?$", re.IGNORECASE)
# A relative link to the repository's licence file: "[LICENSE](LICENSE)", "(./LICENSE.md)", "(LICENCE.txt)", "(COPYING)".
_LICENCE_FILE_LINK = re.compile(r"\]\((?:\./)?(?:LICEN[CS]E|COPYING)(?:[-._][\w.-]{0,40})?\)", re.IGNORECASE)


def points_to_licence_file(text: str, a: int, b: int) -> bool:
    """Whether the custom-terms phrase at ``text[a:b]`` is a generic noun ("the terms of use", "the license agreement")
    in a line that links the repository's licence file ("The terms of use are in the [LICENSE](LICENSE) file.").
    Why: such a line says where the licence is, not which one; the file may hold Apache-2.0 or a custom agreement,
    and the card shows neither, so the licence is unknown (not found on the card), never guessed restrictive. A
    licence file read beside the card (:mod:`..license_files`) still decides it. A named agreement ("the Heron
    Community License Agreement"), "our model license", or "the terms of use" with no link to a licence file are
    still read as custom terms."""
    if not _GENERIC_TERMS.search(text, a, b) or not _GENERIC_BEFORE.search(text, max(0, a - 8), a):
        return False
    return bool(_LICENCE_FILE_LINK.search(text))


def licences_in(raw: str) -> list[tuple[str, frozenset[str]]]:
    """The licences one piece of card text names, in its order, with what each covers (:mod:`._license_scope`), read
    as :func:`scoped_in_card` reads a card line. Why: a probe that finds a line about its own component ("The
    evaluation data (MMLU) is released under the MIT license.") reads the licence that line states for it."""
    text = unquote(raw).replace("_", " ")
    text = named_urls(text, text.lower())
    low = text.lower()
    hits = sorted((m.start(), i, lic, m.end())
                  for names, needles in ((OPEN_NAMES, _NAME_NEEDLES[0]), (RESTRICTIVE_NAMES, _NAME_NEEDLES[1]))
                  for i, (lic, rx) in enumerate(names) if may_match(needles[i], text, low)
                  for m in rx.finditer(text))
    if hits and "](" in text:
        hits = [h for h in hits if not (h[2] == "other" and points_to_licence_file(text, h[0], h[3]))]
    hits = versioned_over_family(hits, 2)
    return [(h[2], sc) for h, sc in zip(hits, scopes_of(text, [(h[0], h[3]) for h in hits]), strict=True)]


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
    files = license_files(rec)
    in_files = [lf.license for lf in files if lf.license]
    file_weights = file_license_for(rec, "weights")
    # what the release names beyond its declared licence: its licence files (for the weights or the whole
    # release) first, then its card, then a licence file for the code or data alone
    named = (file_weights or card_lic or _strictest(in_files)) if files else card_lic
    declared = rec.license
    f.evidence = (([hub_evidence(rec, f"license: {declared}", "license")] if declared else [])
                  + file_evidence_items(rec) + card_ev)
    # What the card names for the weights (a code-only or data-only licence is not the model's): the
    # open-washing flags compare this one with the Hub tag.
    f.detail = {"declared": declared, "card": named, "card_open": opens, "card_restrictive": restr,
                "card_weights": card_license_for(rec, "weights", files=False),
                "card_code": card_license_for(rec, "code", explicit_only=True, files=False),
                "card_scopes": [[lf.license, sorted(lf.scope)] for lf in files if lf.license]
                + [[lic, sorted(sc)] for lic, sc in scoped_in_card(rec)],
                "license_name": rec.license_name}
    if files:
        f.detail["files"] = [lf.as_json() for lf in files]
        f.detail["file_weights"] = file_weights
    unread = unread_license_files(rec)
    if unread:
        f.detail["files_unread"] = unread
    unknown = [lf.path for lf in files if not lf.license]
    if unknown:   # read, but no licence could be identified in the text: a licence of unknown terms too
        f.detail["files_unknown"] = unknown
    weights = weights_license(rec) if declared else None
    overridden = bool(declared) and weights != declared
    if overridden:
        f.detail["weights_from_file"] = weights   # a licence file for the weights is stricter than the declared one
    v = classify(weights or declared or named)
    f.license = v.id
    # a declared catch-all `other` whose licence a file's text identifies names no licence of its own (not "mixed")
    catch_all = bool(declared) and overridden and str(declared).lower() == "other"
    everything = in_files + opens + restr + ([declared] if declared and not catch_all else [])
    mixed = (not declared or overridden) and any(not _restrictive(n) for n in everything) \
        and any(_restrictive(n) for n in everything)
    f.detail["mixed"] = mixed
    # a declared restrictive licence beside open licences the card names for the code or the data alone ("the code
    # is Apache-2.0, the weights the Heron Community License, the data ODC-By"): open and restrictive licences named
    # side by side for the parts of the release, which the OSAI `licenses` dimension grades partial (the weights keep
    # the declared licence: their access is graded by it)
    if declared and not mixed and _restrictive(str(declared)) and any(
            not _restrictive(lic) and sc and "weights" not in sc for lic, sc in scoped_in_card(rec)):
        f.detail["parts_open"] = True   # (the key is set only when it holds: the other documents stay as they were)
    f.detail["class"] = v.cls
    if v.id in VERSIONLESS:
        f.detail["version"] = "not given"   # a family named without a version (the id says no more than the card)
    if v.id == NC_UNNAMED:
        # a non-commercial phrase with no licence's name: the terms are the card's words (the evidence), no licence's
        f.detail["terms"] = "non-commercial use only; no licence named"
    if v.open is None:
        f.outcome = "negative" if rec.card is not None or rec.files else "unknown"
        f.status = "no_license"
    else:
        f.outcome = "positive" if v.open else "negative"
        f.status = "open_license" if v.open else "restrictive_license"
    return f
