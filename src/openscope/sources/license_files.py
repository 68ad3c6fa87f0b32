"""Which files of a Hub repository (or a release folder) are licence files, in what order they are read, which file a
card's ``license_link`` names, and how a licence file's bytes become text (or are found to be no licence text).

Why a module of its own, on the sources' side: ``crawl --cards`` (a source-to-store job) needs exactly this to choose
and fetch a repository's licence files, and must not import derive; the folder reader and the licence step
(:mod:`openscope.derive.openness.license_files`, :mod:`openscope.derive.licenses.flowdown`) use the same rules, so a
file the crawl stores is chosen, decoded and refused as a folder's is. Nothing here judges which licence a text is:
that is derive's (:func:`openscope.derive.openness.license_files.identify`).
"""

from __future__ import annotations

import codecs
import re
from urllib.parse import unquote, urlsplit

MAX_LINK_CHARS = 2_000   # a license_link longer than this names no file of a tree (and is not parsed)
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


def decode_text(raw: bytes) -> tuple[str | None, str | None]:
    """(the text, how it was read when not as UTF-8: "UTF-16 text", "Latin-1 text", "UTF-8 text with 2 invalid byte
    sequences replaced") of a licence file's or a README's bytes; None for a binary file.

    Why: licence files are plain text, but not always UTF-8: Windows editors write UTF-16 with a byte order mark,
    and older texts are Latin-1 ("Licencié"). A careful reader reads them; only bytes that are no text at all (a
    NUL in a file without a UTF-16 mark, control characters) are not a licence."""
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if raw.startswith(bom):
            body = raw[len(bom):]
            try:
                return body[: len(body) - len(body) % 2].decode(codec), "UTF-16 text"
            except UnicodeDecodeError:
                return None, None
    if b"\x00" in raw[:8192]:
        return None, None
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    # Mostly UTF-8 with a few broken bytes (a file cut mid-character, one pasted Latin-1 word) is UTF-8: read as
    # Latin-1 every one of its other non-ASCII characters (all of a Chinese text) would turn to noise.
    mixed = raw.decode("utf-8-sig", errors="replace")
    bad = mixed.count("\ufffd")
    if sum(not c.isascii() for c in mixed) - bad > bad and not _BINARY.search(mixed):
        return mixed, f"UTF-8 text with {bad:,} invalid byte sequence{'s' if bad > 1 else ''} replaced"
    text = raw.decode("latin-1")
    if _BINARY.search(text):
        return None, None
    return text, "Latin-1 text"


# Control characters no text file holds (a tab, a newline, a form feed and a carriage return excepted): bytes that
# are not UTF-8 and hold these are binary, not a Latin-1 text.
_BINARY = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")


def reading_rank(path: str) -> int:
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
    """The order in which licence files are read when not all of them are (:func:`reading_rank`, then the path)."""
    return reading_rank(path), path


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
