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
:data:`MAX_LICENSE_BYTES` each, never through a symbolic link that leads out of the folder; a binary file is a
warning, a UTF-16 (with its byte order mark) or Latin-1 text is read with one; names in messages are shown on one
line without terminal escapes (:func:`.inputs.shown`); a Git LFS pointer or an HTML page in place of a licence
text (:func:`not_a_licence_text`) is a file not read, never an identified licence; a folder with more than :data:`MAX_LICENSE_FILES` reads
the plain and scoped ones first.
"""

from __future__ import annotations

import codecs
import os
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from openscope.derive.openness.inputs import NotRegular, printable, read_regular, shown

MAX_LICENSE_BYTES = 1_000_000
MAX_LICENSE_FILES = 20
MAX_LINK_CHARS = 2_000   # a license_link longer than this names no file of a tree (and is not parsed)
OPENING_WINDOW = 20_000  # the opening words of a permissive licence are looked for in its first characters
HEAD_LINES = 6          # a title counts in the first non-blank lines only
TEXT_EXTENSIONS = (".txt", ".md", ".markdown", ".rst")
# Names (after the extension is removed) of a release's licence files: LICENSE, LICENCE, COPYING, with a scope
# or a licence name after them (LICENSE-CODE, LICENSE.apache) or a scope before them (MODEL_LICENSE).
_NAME = re.compile(r"^(?:(?P<pre>[A-Za-z]+)[-_])?(?:LICEN[CS]E|COPYING)(?:[-_.](?P<suf>[A-Za-z0-9+]+(?:[-_][A-Za-z0-9+.]+)*))?",
                   re.IGNORECASE)
_PREFIXES = {"model", "models", "weights", "weight", "code", "software", "source", "data", "dataset", "datasets"}
# files that are not a licence text even with such a name (code, configuration, third-party notices)
_NOT_TEXT = re.compile(r"\.(py|json|ya?ml|sh|js|ts|html?|css|ipynb|cfg|toml|xml|csv|tsv|jsonl|parquet)$", re.IGNORECASE)
_THIRD_PARTY = re.compile(r"third|3rd|party|notice", re.IGNORECASE)
_SCOPE_WORDS = {
    "code": {"code", "software", "source", "src"},
    "weights": {"model", "models", "weights", "weight", "params", "parameters", "checkpoints"},
    "data": {"data", "dataset", "datasets", "corpus"},
}
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


# -- which files --------------------------------------------------------------------------------------


def _stem(name: str) -> str:
    for ext in TEXT_EXTENSIONS:
        if name.lower().endswith(ext) and len(name) > len(ext):
            return name[: -len(ext)]
    return name


def is_license_file(path: str) -> bool:
    """A release licence file: ``LICENSE``-like at the top of the folder, or any text file directly under
    ``LICENSES/`` (REUSE). Not ``NOTICE``, not ``USE_POLICY.md``, not third-party licence files."""
    parts = path.split("/")
    if len(parts) == 2 and parts[0] == "LICENSES":
        return bool(parts[1]) and not _NOT_TEXT.search(parts[1]) and not parts[1].startswith(".")
    if len(parts) != 1 or _NOT_TEXT.search(path):
        return False
    m = _NAME.fullmatch(_stem(path))
    if m is None:
        return False
    pre, suf = m.group("pre"), m.group("suf")
    if pre and pre.lower() not in _PREFIXES:
        return False
    return not (suf and _THIRD_PARTY.search(suf))


def scope_of_name(path: str) -> frozenset[str]:
    """What a licence file covers by its name (empty: the release as a whole)."""
    if path.startswith("LICENSES/"):
        return frozenset()
    words = set(re.split(r"[-_.\s]+", _stem(path).lower()))
    return frozenset(s for s, ws in _SCOPE_WORDS.items() if words & ws)


def reuse_id(path: str) -> str | None:
    """The licence a REUSE ``LICENSES/<SPDX id>.txt`` file names by its file name."""
    if not path.startswith("LICENSES/"):
        return None
    return _stem(path.split("/", 1)[1]) or None


# -- what a text is -----------------------------------------------------------------------------------


@cache
def _texts() -> dict[str, dict[str, Any]]:
    raw = resources.files("openscope.data.openness").joinpath("license_texts.yml").read_text("utf-8")
    return yaml.safe_load(raw)


def _spaced(pattern: str) -> str:
    """A signature with any run of whitespace where it has a space (licence texts wrap their lines anywhere)."""
    return pattern.replace(" ", r"\s+")


@cache
def _signatures() -> list[tuple[re.Pattern[str], str, bool]]:
    """(pattern, licence id, is it opening words) from the catalogue's signatures. Opening words (the
    permissive texts of :data:`license_texts.yml`) count anywhere; titles only in the first lines."""
    from openscope.derive.licenses.normalize import _TEXT_SIGNATURES

    body_ids = set(_texts()) | {"unlicense"}
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
        changed = _check_whole(text, m.start(), cid) if opening else None
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
    lines = card.text.split("\n")
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


def decode_text(raw: bytes) -> tuple[str | None, str | None]:
    """(the text, how it was decoded when not as UTF-8) of a licence file's bytes; None for a binary file.

    Why: licence files are plain text, but not always UTF-8: Windows editors write UTF-16 with a byte order mark,
    and older texts are Latin-1 ("Licencié"). A careful reader reads them; only bytes that are no text at all (a
    NUL in a file without a UTF-16 mark, control characters) are not a licence."""
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if raw.startswith(bom):
            body = raw[len(bom):]
            try:
                return body[: len(body) - len(body) % 2].decode(codec), "UTF-16"
            except UnicodeDecodeError:
                return None, None
    if b"\x00" in raw[:8192]:
        return None, None
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    text = raw.decode("latin-1")
    if _BINARY.search(text):
        return None, None
    return text, "Latin-1"


# Control characters no text file holds (a tab, a newline, a form feed and a carriage return excepted): bytes that
# are not UTF-8 and hold these are binary, not a Latin-1 text.
_BINARY = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")


def _priority(path: str) -> int:
    """Which licence files are read first when a folder has more than :data:`MAX_LICENSE_FILES`: the plain
    ``LICENSE`` / ``COPYING`` and the scoped ones (``LICENSE-MODEL``) before ``LICENSE-<anything>``, and those
    before ``LICENSES/`` texts. Why: a folder of 10,000 ``LICENSE-x`` files must not hide its ``LICENSE-MODEL``."""
    if path.startswith("LICENSES/"):
        return 2
    m = _NAME.fullmatch(_stem(path))
    return 0 if m is None or not m.group("suf") or scope_of_name(path) else 1


def link_target(link: str | None, repo_id: str, tree_paths: set[str]) -> str | None:
    """The repository path ``license_link`` names, when it is a file of the tree: a relative path (``LICENSE``,
    ``./LICENSE.md``, ``blob/main/LICENSE``) or a URL of the repository's own file page
    (``https://huggingface.co/{id}/blob/main/LICENSE``, on any host). None for anything else (a licence's web
    page, another repository's file): what it names is not this repository's file."""
    if not isinstance(link, str) or not link.strip() or len(link) > MAX_LINK_CHARS or "\x00" in link:
        return None   # card data may hold anything: a list, a number, megabytes of text, a NUL
    v = link.strip()
    try:
        parts = urlsplit(v)
    except ValueError:   # "https://[::1": not a URL, and not a path of the tree either
        return None
    if parts.scheme:
        if parts.scheme not in ("http", "https"):
            return None
        path = unquote(parts.path).lstrip("/")
        for kind in ("blob", "resolve", "raw"):
            prefix = f"{repo_id}/{kind}/"
            if path.lower().startswith(prefix.lower()):
                path = path[len(prefix):].split("/", 1)[-1] if "/" in path[len(prefix):] else ""
                break
        else:
            return None
    else:
        raw = v.split("#", 1)[0].split("?", 1)[0]
        # percent-encoded ("my%20licence.txt") as a link is written, else as the tree names it ("LICENSE%20X")
        return next((p for p in (_relative(unquote(raw)), _relative(raw)) if p and p in tree_paths), None)
    if not path or ".." in path.split("/"):
        return None
    return path if path in tree_paths else None


def link_repo_id(repo_type: str, repo_id: str) -> str:
    """The repository's path on the Hub's web pages, which :func:`link_target` matches a ``license_link`` URL
    against: ``{id}`` for a model, ``datasets/{id}`` for a dataset (``https://huggingface.co/datasets/{id}/blob/main/
    LICENSE``); a relative link names the same file either way."""
    return repo_id if repo_type == "model" else f"{repo_type}s/{repo_id}"


def _relative(path: str) -> str | None:
    """A relative link's repository path (``./LICENSE``, ``/LICENSE``, ``blob/main/LICENSE`` → ``LICENSE``); None
    for one that leaves the repository (``..``)."""
    while path.startswith("./"):
        path = path[2:]
    path = path.lstrip("/")
    for kind in ("blob/", "resolve/"):
        if path.startswith(kind) and path.count("/") >= 2:
            path = path.split("/", 2)[2]
    return None if not path or ".." in path.split("/") else path


def reading_priority(path: str) -> tuple[int, str]:
    """The order in which licence files are read when not all of them are (:func:`_priority`, then the path)."""
    return _priority(path), path


def read_folder(root: Path, paths: list[str], card: Any = None) -> tuple[list[LicenseFile], list[str]]:
    """The licence files among ``paths`` (relative to ``root``), read and identified, and the warnings."""
    warnings: list[str] = []
    out: list[LicenseFile] = []
    real_root = os.path.realpath(root)
    candidates = sorted(dict.fromkeys(p for p in paths if is_license_file(p)), key=_priority)
    if len(candidates) > MAX_LICENSE_FILES:
        warnings.append(f"{len(candidates)} licence files; the first {MAX_LICENSE_FILES} were read")
        candidates = candidates[:MAX_LICENSE_FILES]
    for path in candidates:
        name = shown(path)   # for messages: one line, no terminal escapes (a file name may hold any character)
        scope = file_scope(path, card)
        fp = root / path
        real = os.path.realpath(fp)
        if os.path.commonpath([real_root, real]) != real_root:
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
            warnings.append(f"licence file {name} is not UTF-8; it was read as {codec} text")
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


# What a Hub (or a proxy in front of it) may serve in place of a licence file's text: a Git LFS pointer (the file was
# committed to LFS and the pointer, not the text, was served) or an HTML page (a login or error page answered with
# 200). Their words are not a licence's: an HTML <title>"… License Agreement" would otherwise read as a title.
_LFS_POINTER = re.compile(r"\Aversion https://git-lfs\.github\.com/spec/v\d+\s*\n(?:[a-z0-9._-]+ [^\n]*\n?){1,8}\Z")
_HTML = re.compile(r"\A\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL)


def not_a_licence_text(text: str) -> str | None:
    """Why a file's text is not a licence text at all (a Git LFS pointer, an HTML page), or None.

    Why: the crawl stores what the Hub served, and a publisher (or a proxy) controls that: a pointer or a login
    page read as a licence would be "unrecognised" at best and, through an HTML title, a guessed ``other`` at
    worst. Unknown stays unknown, and says why."""
    head = text[:4096]
    if _LFS_POINTER.match(head if len(text) <= 4096 else ""):
        return "a Git LFS pointer, not the file's text"
    if _HTML.match(head):
        return "an HTML page, not a licence text"
    return None


def file_scope(path: str, card: Any = None) -> frozenset[str]:
    """What a licence file covers: its name's scope, else (outside ``LICENSES/``) what a README line linking to it
    says."""
    return scope_of_name(path) or (frozenset() if path.startswith("LICENSES/") else _readme_scope(path, card))
