"""A release folder's own licence files (``LICENSE``, ``LICENSE-MODEL``, ``LICENSES/Apache-2.0.txt``, …): which
licence each one's text is, and what it covers.

Why: a governance team auditing a release cloned to disk reads its licence files first: they are the most
authoritative licence evidence a release has, more than the README's ``license:`` line. A licence is
identified only by text characteristic of it, never guessed:

1. a title that says the licence was modified ("Modified MIT License", the card path's patterns) → that
   modified licence (``modified-mit``), never the original;
2. the titles and opening words the licence catalogue knows each licence by
   (:data:`openscope.derive.licenses.normalize._TEXT_SIGNATURES`: "Apache License / Version 2.0", the MIT
   grant, BSD's clause lists, GPL/LGPL/AGPL version lines, MPL-2.0, the CC legal codes, the community
   licence agreements): a title counts only in the file's first lines (a licence that *mentions* "the Apache
   License, Version 2.0" further down is not Apache-2.0); the opening words of the short permissive licences
   (MIT, BSD, ISC) count where they are, and their text must then be the licence's whole text: words after its
   end, or before its start other than a title and copyright lines, or (MIT) a word changed inside the grant,
   make it the modified licence (``data/openness/license_texts.yml``, each with its canonical text's URL);
   Apache-2.0, known by its title, is compared word by word within its terms when the file holds them whole
   (:func:`_check_terms`: an edited grant is ``modified-apache-2.0``);
3. an ``SPDX-License-Identifier:`` line in the first lines;
4. a title line that is the name of a model licence the catalogue curates (``normalize_license``, names and
   aliases: "FAIR Noncommercial Research License"); an SPDX licence's name over a text that is not that
   licence's ("MIT License" over other words) identifies nothing;
5. a title of a licence of the publisher's own ("… Community License Agreement", "… Terms of Use",
   "… License Agreement": the card path's restrictive ``other`` patterns) → ``other``;
6. anything else: a licence file whose text is not recognised (licence unknown).

What a file covers comes from its name: ``LICENSE-CODE`` the code, ``LICENSE-MODEL`` / ``MODEL_LICENSE`` /
``LICENSE_WEIGHTS`` the weights, ``LICENSE-DATA`` the data, a plain ``LICENSE`` (or ``LICENSE-MIT``,
``LICENSE.apache``, ``COPYING``) the release as a whole unless a README line that links to it names what it
covers ("Code license: [Apache-2.0](LICENSE)"). Files under ``LICENSES/`` follow the REUSE layout: the file
name is the licence's SPDX id (https://reuse.software/spec-3.3/), used when the text itself is not
recognised. ``NOTICE`` is not a licence (Apache-2.0 §4(d): attribution notices) and is not read; nor are
licence files in sub-folders (they cover that folder's third-party content, not the release).

Reading never trusts the folder: regular files only (a FIFO never blocks), at most
:data:`MAX_LICENSE_BYTES` each, never through a symbolic link that leads out of the folder (except a
huggingface_hub cache snapshot's link to its blob, :mod:`openscope.hfcache`: that file is the snapshot's); a binary file is a
warning, a UTF-16 (with its byte order mark) or Latin-1 text is read with one; names in messages are shown on one
line without terminal escapes (:func:`.inputs.shown`); a Git LFS pointer or an HTML page in place of a licence
text (:func:`not_a_licence_text`) is a file not read, never an identified licence; a folder with more than :data:`MAX_LICENSE_FILES` reads
the plain and scoped ones first.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from openscope.derive.openness.inputs import NotRegular, printable, read_regular, shown
from openscope.hfcache import cache_blob

# which files are licence files, their reading order, the file a license_link names and the decoding of their bytes are
# the sources' (the crawl fetches licence files by the same rules); imported here, where the folder reader, the
# licence step and the tests have always found them
from openscope.sources.license_files import (  # noqa: F401 - re-exported: the names' old home
    MAX_LINK_CHARS,
    TEXT_EXTENSIONS,
    decode_text,
    is_license_file,
    link_repo_id,
    link_target,
    not_a_licence_text,
    reading_priority,
    reading_rank,
    reuse_id,
    scope_of_name,
)
from openscope.yamlsafe import safe_load

MAX_LICENSE_BYTES = 1_000_000
MAX_LICENSE_FILES = 20
OPENING_WINDOW = 20_000  # the opening words of a permissive licence are looked for in its first characters
HEAD_LINES = 6          # a title counts in the first non-blank lines only
_WORD = re.compile(r"[^\W_]+")   # letters and digits of any script: an inserted Chinese clause is a word too
# A copyright notice: before a licence's words any line that starts so; after them only a notice proper (a year or
# a (c) after "Copyright": "Copyright holders may not …" added after the MIT text is a term, not a notice).
_COPYRIGHT = re.compile(r"^\W*(?:copyright\b|\(c\)|©|all rights reserved|spdx-license-identifier\b)", re.IGNORECASE)
_NOTICE = re.compile(r"^\W*(?:copyright\b[^\n]{0,12}?(?:\(c\)|©|\d{4})|(?:\(c\)|©)\s*\d{4}|all rights reserved\W*$"
                     r"|spdx-license-identifier:)", re.IGNORECASE)
_RULE = re.compile(r"^[\s=*_#~`>|-]*$")
# What may stand before a title on its line: nothing, or the words of the Apache notice ("Licensed under the
# Apache License, Version 2.0") or of a CC legal code's heading ("Creative Commons Attribution 4.0 …").
_TITLE_LEAD = re.compile(r"(?:(?:(?:this|the)\b[\w .-]{0,60}?\b(?:is|are)\s+)?(?:licensed|released|distributed|made available)"
                         r"\s+under(?:\s+the)?|creative\s+commons|the)?", re.IGNORECASE)
_SPDX_LINE = re.compile(r"SPDX-License-Identifier:\s*(?P<id>[A-Za-z0-9.+() -]{1,120})", re.IGNORECASE)


@dataclass(frozen=True)
class LicenseFile:
    """One licence file of a folder and what was read from it.

    ``scope``: what it covers (``code``, ``weights``, ``data``); empty = the release as a whole. ``license``:
    the catalogue / SPDX id its text identifies, None when not recognised or not read. ``line`` and
    ``snippet``: the identifying line (or, for a file not read, why). ``how``: title | text | modified | spdx |
    name | reuse | agreement | unrecognised | not_read."""

    path: str
    scope: frozenset[str]
    license: str | None
    line: int | None
    snippet: str
    how: str

    @property
    def read(self) -> bool:
        return self.how != "not_read"

    def covers(self, what: str) -> bool:
        return not self.scope or what in self.scope

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "covers": sorted(self.scope) or ["release"], "license": self.license,
                "recognised": self.license is not None, "read": self.read, "how": self.how, "line": self.line,
                "snippet": self.snippet}


# -- what a text is -----------------------------------------------------------------------------------


@cache
def _texts() -> dict[str, dict[str, Any]]:
    raw = resources.files("openscope.data.openness").joinpath("license_texts.yml").read_text("utf-8")
    return safe_load(raw)


def _spaced(pattern: str) -> str:
    """A signature with any run of whitespace where it has a space (licence texts wrap their lines anywhere)."""
    return pattern.replace(" ", r"\s+")


@cache
def _signatures() -> list[tuple[re.Pattern[str], str, bool]]:
    """(pattern, licence id, is it opening words) from the catalogue's signatures. Opening words (the
    permissive texts of :data:`license_texts.yml`) count anywhere; titles only in the first lines."""
    from openscope.derive.licenses.normalize import _TEXT_SIGNATURES

    # a licence whose `terms` are compared (Apache-2.0) is identified by its title, not by opening words
    body_ids = {cid for cid, spec in _texts().items() if "terms" not in spec} | {"unlicense"}
    return [(re.compile(_spaced(p.pattern), p.flags), cid, cid in body_ids) for p, cid in _TEXT_SIGNATURES]


@dataclass(frozen=True)
class Identity:
    license: str | None
    line: int | None
    snippet: str
    how: str


def _line_at(text: str, pos: int) -> tuple[int, str]:
    a = text.rfind("\n", 0, pos) + 1
    b = text.find("\n", pos)
    b = len(text) if b < 0 else b
    return text.count("\n", 0, pos) + 1, " ".join(text[a:b].split())[:200]


def _head_end(text: str) -> int:
    """The offset where the file's first :data:`HEAD_LINES` non-blank lines end (its title region)."""
    seen, pos = 0, 0
    for m in re.finditer(r"[^\n]*(?:\n|$)", text):
        if m.group(0).strip():
            seen += 1
        pos = m.end()
        if seen >= HEAD_LINES or pos >= len(text):
            break
    return pos


def _title_lines(text: str, head: int) -> list[tuple[int, str]]:
    out = []
    for m in re.finditer(r"[^\n]+", text[:head]):
        if len(m.group(0)) > 400:
            continue   # a title is short (and a bounded line keeps the trimming below linear)
        line = re.sub(r"^[\s#>*_=`-]+|[\s#*_=`:-]+$", "", m.group(0))
        if line and len(line) <= 120:
            out.append((m.start(), line))
    return out


def _allowed_outside(lines: str, titles: bool) -> tuple[bool, int]:
    """Whether text before (``titles``: a title may stand there too) or after a licence's own words holds only
    copyright lines and rules; else the offset (in ``lines``) of the first line that adds something."""
    pos = 0
    for ln in lines.split("\n"):
        s = ln.strip()
        short_title = titles and len(s) <= 80 and not s.endswith((".", ";", ":")) \
            and re.search(r"licen[cs]e|\bMIT\b|\bBSD\b|\bISC\b", s, re.IGNORECASE)
        if s and not ((_COPYRIGHT if titles else _NOTICE).match(s) or _RULE.match(s) or short_title):
            return False, pos + len(ln) - len(ln.lstrip())
        pos += len(ln) + 1
    return True, -1


# The first words after a licence's end that open notices for other parts of the release, not terms added to the
# licence: an Apache NOTICE ("This product includes software developed at …"), "Portions of this software are …
# licensed as follows", a third-party section, another licence's text for a bundled component.
_NOTICE_LEAD = re.compile(
    r"\bthis\s+(?:product|software|project|repository|distribution|package)\s+(?:includes|contains|bundles)\b"
    r"|\bportions?\s+of\s+(?:this|the)\b|\bincludes\s+(?:software|code|components?|material|files?)\b"
    r"|\bthird[- ]party\b|\b(?:notices?|licen[cs]es?)\s+(?:for|of)\s+(?:the\s+)?(?:bundled|included|third)\b",
    re.IGNORECASE)
# Words of the release's own model: a paragraph about them ("The model weights are licensed under CC BY-NC 4.0")
# is a term for the release, never a notice for a bundled part.
_RELEASE_WORDS = re.compile(r"\b(?:models?|weights?|parameters|checkpoints?|datasets?)\b|模型|权重", re.IGNORECASE)
NOTICE_WINDOW = 400   # characters of the first added paragraph looked at


def _third_party_notice(text: str, at: int) -> bool:
    """Whether the first text added after a licence's end (at ``at``) opens notices for other parts of the
    release (:data:`_NOTICE_LEAD`) or another licence's own title (an appended Apache-2.0 text), rather than
    terms added to the licence. Why: an MIT release that bundles Apache-2.0 code appends the Apache NOTICE to its
    LICENSE; that file is the MIT licence for the release and a notice for the bundled part, not a "modified
    MIT" licence. An added duty ("you shall display …") opens no such notice and stays a modification."""
    para = text[at:at + NOTICE_WINDOW].split("\n\n", 1)[0]
    if _RELEASE_WORDS.search(para):
        return False
    if _NOTICE_LEAD.search(para):
        return True
    first = para.split("\n", 1)[0].strip(" #*_=-")
    return any(not opening and rx.match(first) for rx, _, opening in _signatures())


def _check_whole(text: str, start: int, cid: str) -> Identity | None:
    """The permissive text starting at ``start``: the licence (None) when nothing was added to it, else
    the modified licence with the first added line."""
    spec = _texts().get(cid)
    if not spec:
        return None
    end_m = re.compile(r"\s+".join(map(re.escape, spec["end"].split())), re.IGNORECASE).search(text, start)
    if end_m is None:
        line, snip = _line_at(text, start)
        return Identity(None, line, f"begins as the {spec['name']} but does not end as it does: {snip}",
                        "unrecognised")
    end = end_m.end()
    while end < len(text) and text[end] in ".\"' \t":
        end += 1
    a = text.rfind("\n", 0, start) + 1
    ok, at = _allowed_outside(text[:a] + text[a:start].strip(), titles=True)
    if not ok:
        line, snip = _line_at(text, at)
        return Identity(spec["modified"], line, snip, "modified")
    ok, at = _allowed_outside(text[end:], titles=False)
    if not ok and not _third_party_notice(text, end + at):
        line, snip = _line_at(text, end + at)
        return Identity(spec["modified"], line, snip, "modified")
    body = spec.get("body")
    if body:
        want = body.split()
        words = list(_WORD.finditer(text, start, end))
        got = [w.group(0).lower() for w in words]
        if got != want:
            i = next((k for k, (g, w) in enumerate(zip(got, want, strict=False)) if g != w), min(len(got), len(want)))
            pos = words[min(i, len(words) - 1)].start() if words else start
            line, snip = _line_at(text, pos)
            return Identity(spec["modified"], line, snip, "modified")
    return None


def _phrase(words: str) -> re.Pattern[str]:
    """``words`` with any run of punctuation and whitespace between them ("TERMS AND CONDITIONS FOR USE,
    REPRODUCTION, AND DISTRIBUTION")."""
    return re.compile(r"[\W_]+".join(map(re.escape, words.split())), re.IGNORECASE)


def _check_terms(text: str, cid: str) -> Identity | None:
    """A long licence identified by its title (Apache-2.0) whose file holds its whole terms: the modified licence,
    with the line of the first word that differs, when its terms are not the canonical text word for word; else
    None. Why: a publisher's edited Apache text ("Grant of Copyright License (for non-commercial use only)") kept
    the title and was read as the OSI-approved licence. A file without the terms' first or last words (a title, a
    header, a text cut short) is left to its title, as before; the appendix and anything after the terms' end are
    not compared."""
    spec = _texts().get(cid)
    if not spec or "terms" not in spec:
        return None
    start = _phrase(spec["terms"]).search(text)
    end = _phrase(spec["end"]).search(text, start.start()) if start is not None else None
    if start is None or end is None:
        return None
    words = list(_WORD.finditer(text, start.start(), end.end()))
    got, at = _canonical_words([w.group(0).lower() for w in words], spec.get("variants") or [])
    want = spec["body"].split()
    if got == want:
        return None
    i = next((k for k, (g, w) in enumerate(zip(got, want, strict=False)) if g != w), min(len(got), len(want)))
    line, snip = _line_at(text, words[at[min(i, len(at) - 1)]].start())
    return Identity(spec["modified"], line, snip, "modified")


def _canonical_words(words: list[str], variants: list[list[str]]) -> tuple[list[str], list[int]]:
    """``words`` with each known variant wording (``[variant, canonical]``) read as the canonical one, and for each
    word the index of the word it came from (where a difference is shown)."""
    alts = [(v.split(), c.split()) for v, c in variants]
    out: list[str] = []
    at: list[int] = []
    i = 0
    while i < len(words):
        for alt, canon in alts:
            if words[i:i + len(alt)] == alt:
                out += canon
                at += [i] * len(canon)
                i += len(alt)
                break
        else:
            out.append(words[i])
            at.append(i)
            i += 1
    return out, at


def identify(text: str) -> Identity:
    """Which licence a licence file's text is (see the module docstring for the rules, in order)."""
    from openscope.derive.licenses import get_license, normalize_license
    from openscope.derive.openness.probes.license_declared import RESTRICTIVE_NAMES

    head = _head_end(text)
    titles = _title_lines(text, head)
    for lic, rx in RESTRICTIVE_NAMES:
        if lic.startswith("modified-"):
            for at, title in titles:
                if rx.search(title):
                    line, snip = _line_at(text, at)
                    return Identity(lic, line, snip, "modified")
    for rx, cid, opening in _signatures():
        m = rx.search(text, 0, min(len(text), OPENING_WINDOW)) if opening else rx.search(text, 0, head)
        if m is None:
            continue
        if not opening:
            lead = text[text.rfind("\n", 0, m.start()) + 1:m.start()]
            if len(lead) > 200 or not _TITLE_LEAD.fullmatch(re.sub(r"^[\W_]+|[\W_]+$", "", lead)):
                continue   # a licence mentioned inside a sentence, not the file's title
        changed = _check_whole(text, m.start(), cid) if opening else _check_terms(text, cid)
        if changed is not None:
            return changed
        line, snip = _line_at(text, m.start())
        return Identity(cid, line, snip, "text" if opening else "title")
    spdx = _SPDX_LINE.search(text, 0, head)
    if spdx:
        hit = normalize_license(spdx.group("id").strip(), kind="tag")
        if hit.license:
            line, snip = _line_at(text, spdx.start())
            return Identity(hit.license, line, snip, "spdx")
    for at, title in titles:
        if len(_WORD.findall(re.sub(r"licen[cs]es?|agreements?|terms", " ", title.lower()))) == 0:
            continue   # "LICENSE", "License Agreement": a heading, no name
        hit = normalize_license(title, kind="card_name")
        info = get_license(hit.id) if hit.id else None
        # a model licence the catalogue curates, known by its name; an SPDX licence (MIT, Apache-2.0) is known by
        # its text (rule 2), so a title naming it over another text is not that licence
        if info is not None and info.curated and hit.id not in ("unknown", "other", "proprietary") \
                and hit.id not in _texts() and hit.cls != "unknown":
            line, snip = _line_at(text, at)
            return Identity(hit.id, line, snip, "name")
    other = dict(RESTRICTIVE_NAMES)["other"]
    for at, title in titles:
        if other.search(title):
            line, snip = _line_at(text, at)
            return Identity("other", line, snip, "agreement")
    first = next((t for _, t in titles), "")
    return Identity(None, 1 if first else None, f"a licence file whose text is not recognised: {first[:120]}".rstrip(": "),
                    "unrecognised")


# -- a folder -----------------------------------------------------------------------------------------


def _readme_scope(path: str, card: Any) -> frozenset[str]:
    """What a README line that links to ``path`` says it covers ("Code license: [Apache-2.0](LICENSE)")."""
    from openscope.derive.openness.probes._license_scope import scope_of_words

    if card is None:
        return frozenset()
    lines = card.lines()
    found: set[str] = set()
    for ln in card.rel_links:
        target = ln.url.split("#", 1)[0].split("?", 1)[0]
        while target.startswith("./"):
            target = target[2:]
        target = re.sub(r"^/?(blob|tree|resolve)/[^/]+/", "", target.lstrip("/"))
        if target == path and 0 < ln.line <= len(lines):
            line = lines[ln.line - 1]
            at = line.find(ln.url)
            # the link's own clause: "Code license: [MIT](LICENSE). Model weights: CC BY-NC 4.0." → the code
            clause = re.split(r"[.;!?](?=\s)|[。；！？]", line[:at])[-1] if at >= 0 else line
            found |= scope_of_words(clause)
    return frozenset(found)



def read_folder(root: Path, paths: list[str], card: Any = None) -> tuple[list[LicenseFile], list[str]]:
    """The licence files among ``paths`` (relative to ``root``), read and identified, and the warnings."""
    warnings: list[str] = []
    out: list[LicenseFile] = []
    real_root = os.path.realpath(root)
    candidates = sorted(dict.fromkeys(p for p in paths if is_license_file(p)), key=reading_rank)
    if len(candidates) > MAX_LICENSE_FILES:
        warnings.append(f"{len(candidates)} licence files; the first {MAX_LICENSE_FILES} were read")
        candidates = candidates[:MAX_LICENSE_FILES]
    for path in candidates:
        name = shown(path)   # for messages: one line, no terminal escapes (a file name may hold any character)
        scope = file_scope(path, card)
        fp = root / path
        real = os.path.realpath(fp)
        if os.path.commonpath([real_root, real]) != real_root and not cache_blob(fp, real):
            warnings.append(f"{name} is a symbolic link that leads out of the folder; it was not read")
            out.append(LicenseFile(printable(path), scope, None, None, "not read: a symbolic link out of the folder", "not_read"))
            continue
        try:
            raw, longer = read_regular(fp, MAX_LICENSE_BYTES)
        except OSError as exc:
            why = "not a regular file" if isinstance(exc, NotRegular) else exc.strerror or str(exc)
            warnings.append(f"cannot read licence file {name}: {shown(why)}; its licence is unknown")
            out.append(LicenseFile(printable(path), scope, None, None, f"not read: {why}", "not_read"))
            continue
        if longer:
            warnings.append(f"licence file {name} is larger than {MAX_LICENSE_BYTES:,} bytes; the rest was not read")
            raw = raw[: raw.rfind(b"\n") + 1] or raw
        text, codec = decode_text(raw)
        if text is None:
            warnings.append(f"licence file {name} is not text (binary); its licence is unknown")
            out.append(LicenseFile(printable(path), scope, None, None, "not read: binary, not text", "not_read"))
            continue
        if codec:
            warnings.append(f"licence file {name} is not UTF-8; it was read as {codec}")
        lf, warns = identify_file(path, text, scope)
        out.append(lf)
        warnings.extend(warns)
    return out, warnings


def identify_file(path: str, text: str, scope: frozenset[str]) -> tuple[LicenseFile, list[str]]:
    """One licence file's text identified (:func:`identify`, then a REUSE file name), with its warnings.

    Why one function: a folder's files (:func:`read_folder`) and the texts the crawl stored for a model on the Hub
    (``license_texts``, read by :func:`.records.from_store`) must be judged by exactly the same rules."""
    name = shown(path)
    warnings: list[str] = []
    why = not_a_licence_text(text)
    if why:
        return (LicenseFile(printable(path), scope, None, None, f"not read: {why}", "not_read"),
                [f"licence file {name} is {why}; its licence is unknown"])
    ident = identify(text)
    lic, how = ident.license, ident.how
    named = reuse_id(path)
    if named:
        from openscope.derive.licenses import normalize_license

        by_name = normalize_license(named, kind="tag").license
        if lic is None and by_name:
            lic, how = by_name, "reuse"
            ident = Identity(lic, None, f"REUSE: the file name names {named}; its text is not recognised", how)
        elif lic is not None and by_name and by_name.lower() != lic.lower():
            warnings.append(f"{name}: the REUSE file name names {named} but its text is {lic}; the text was used")
    if lic is None:
        warnings.append(f"licence file {name}: its text is not recognised; its licence is unknown")
    return LicenseFile(printable(path), scope, lic, ident.line, printable(ident.snippet), how), warnings



def file_scope(path: str, card: Any = None) -> frozenset[str]:
    """What a licence file covers: its name's scope, else (outside ``LICENSES/``) what a README line linking to it
    says."""
    return scope_of_name(path) or (frozenset() if path.startswith("LICENSES/") else _readme_scope(path, card))
