"""Files of an audited folder that are symbolic links leaving it, or hard links to credentials.

The walk scans a file link wherever it points, so the target's bytes are judged like any file's. What the link
adds is *where* those bytes are: outside the folder, they are not what was published with the model. They can
change after the audit, a copy or upload of the folder that follows links (``cp -L``, ``tar -h``, an uploader
reading each file) carries them, and a link into the machine's or its user's files (``/etc/shadow``,
``~/.ssh/id_rsa``, a Hub token) makes whoever loads or re-publishes the folder read or publish that file.
So a link whose resolved target leaves the folder gives ``link.outside_folder`` (low, rules.yml ``links``) naming
the target, and ``link.system_file`` (medium) for a system or credentials target (or one on a pseudo-file system,
``/proc``, ``/sys``, ``/dev``), file or folder, which is **never read nor walked** (:func:`system_link`): the
audit itself must not open a user's key because a downloaded folder links to it (its bytes could reach a
finding, a SARIF file or the store, and a hostile repository can plant such links), and a pseudo-file's read
can block or act.

A hard link has no target to resolve: it is the file under another name. :class:`HardLinks` tells one to a system
or credentials file (rules.yml ``links.sensitive.files``) by its device and inode, and the engine gives it the same
``link.system_file`` and never reads it.

The audit's target itself can be a link (``openscope audit model.bin`` with ``model.bin -> …``): :func:`given` says
what it points at and judges it as the walk would judge that file in its own folder; see its docstring.

huggingface_hub's cache is made of such links: a snapshot ``models--org--name/snapshots/<rev>/<file>`` links to
``../../blobs/<hash>``. A link from inside a ``snapshots`` folder to a file named by its hash in the ``blobs``
folder beside it is where the cache keeps the file, and is not reported (its bytes are scanned as always).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import islice
from pathlib import Path

from openscope.audit.findings import Finding
from openscope.hfcache import cache_blob
from openscope.yamlsafe import safe_load

MAX_KNOWN_FILES = 4096  # files stat'ed for HardLinks per audit (a few dozen on a usual machine)
MAX_KNOWN_DEPTH = 3  # levels below a listed folder (~/.aws/sso/cache/<file> is the deepest usual one)


@dataclass(frozen=True)
class LinkPolicy:
    rule: str
    severity: str
    sensitive_rule: str
    sensitive_severity: str
    folders: tuple[str, ...]
    names: tuple[str, ...]
    not_read: tuple[str, ...]
    files: tuple[str, ...] = ()  # links.sensitive.files: the same locations as paths, for hard links


@lru_cache(maxsize=1)
def policy() -> LinkPolicy:
    """rules.yml ``links``: rule names, severities and the sensitive locations, kept with the rule data."""
    text = resources.files("openscope.audit").joinpath("rules.yml").read_text(encoding="utf-8")
    doc = safe_load(text)
    sec = doc.get("links") or {}
    sens = sec.get("sensitive") or {}
    return LinkPolicy(str(sec.get("rule", "link.outside_folder")), str(sec.get("severity", "low")),
                      str(sens.get("rule", "link.system_file")), str(sens.get("severity", "medium")),
                      tuple(map(str, sens.get("folders") or ())), tuple(map(str, sens.get("names") or ())),
                      tuple(map(str, sec.get("not_read") or ())), tuple(map(str, sens.get("files") or ())))


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def sensitive(target: str) -> bool:
    """A resolved target in a system folder, or with a credentials name as a component or path suffix."""
    pol = policy()
    if any(_under(target, f) for f in pol.folders):
        return True
    parts = target.split(os.sep)
    return any(n in parts if "/" not in n else target.endswith(os.sep + n.replace("/", os.sep)) for n in pol.names)


def not_read(target: str, located: Sequence[str] = ()) -> bool:
    """Whether a resolved target is never opened: a system or credentials location (:func:`sensitive`), one of
    ``located`` (the real paths of ``links.sensitive.files`` for this audit, :meth:`HardLinks.locations`: where the
    environment puts a Hub token, ``$HF_HOME/token``, which no name pattern can know) or under it, or a pseudo-file
    system (``links.not_read``)."""
    return sensitive(target) or any(_under(target, f) for f in (*located, *policy().not_read))


def system_link(link: Path, rel: str, root: str, folder: str = "the audited folder",
                known: HardLinks | None = None) -> Finding | None:
    """``link.system_file`` for a link of the folder whose real path is ``root`` (to a file or a folder) whose
    target outside it is a system or credentials location (:func:`not_read`), else None. The caller reads nothing
    through such a link and does not walk it (the finding says "not read"), as for a link given as the target
    (:func:`given`). Why not read it, as the walk did: a folder is audited because it came from elsewhere, and a
    link in it to ``~/.ssh/id_rsa`` or ``~/.aws/credentials`` would make the audit open the user's secret (its
    text could reach a finding's detail, a SARIF file or the store), which no model needs and no reviewer
    needs judged. Checked before the huggingface_hub cache exemption: a snapshot whose ``blobs`` folder is a
    link into such a location is not a cache to trust. ``folder``: that folder in the finding's words; ``known``:
    the audit's sensitive files, whose real paths count as credentials too (:meth:`HardLinks.locations`)."""
    return _system_link(link, os.path.realpath(link), rel, root, folder, known)


def _system_link(link: Path, target: str, rel: str, root: str, folder: str,
                 known: HardLinks | None) -> Finding | None:
    """:func:`system_link` for a link already resolved to ``target``."""
    if _under(target, root) or not not_read(target, known.locations() if known is not None else ()):
        return None
    pol = policy()
    kind = "folder (not read, not walked)" if os.path.isdir(target) else "file (not read)"
    return Finding(rel, None, None, pol.sensitive_rule, pol.sensitive_severity, target,
                   f"a symbolic link to {target!r}, outside {folder}, a system or credentials {kind}: a loader "
                   "opening this path reads that one, and a copy or upload of the folder that follows links "
                   "publishes it")


def check(link: Path, rel: str, root: str, folder: str = "the audited folder",
          known: HardLinks | None = None) -> tuple[Finding | None, bool]:
    """The finding for a file link of the folder whose real path is ``root`` (None when it stays inside or is a
    cache blob), and whether its target may be read (False for a system or credentials target, or one on a
    pseudo-file system: :func:`system_link`). ``folder``: that folder in the finding's words; ``known``: as for
    :func:`system_link`."""
    finding, readable, _ = judge(link, rel, root, folder, known)
    return finding, readable


def judge(link: Path, rel: str, root: str, folder: str = "the audited folder",
          known: HardLinks | None = None) -> tuple[Finding | None, bool, str]:
    """:func:`check` and the link's resolved target, resolved once: the walk lists it as the entry's ``link_to``
    and the target's identity decides which names are one file (engine: each file is read once)."""
    target = os.path.realpath(link)
    system = _system_link(link, target, rel, root, folder, known)
    if system is not None:
        return system, False, target
    if _under(target, root) or cache_blob(link, target):
        return None, True, target
    pol = policy()
    return Finding(rel, None, None, pol.rule, pol.severity, target,
                   f"a symbolic link to {target!r}, outside {folder}: the bytes scanned are that file's, not the "
                   "folder's (they can change after this audit, and a copy or upload of the folder that follows "
                   "links carries them)"), True, target


@dataclass(frozen=True)
class GivenLink:
    """The audit's target when it is a symbolic link: ``target`` its resolved path, ``finding`` what the link itself
    earns (or None), ``read`` whether the target is scanned (a file) or walked (a folder)."""

    target: str
    finding: Finding | None
    read: bool


def given(path: Path, known: HardLinks | None = None) -> GivenLink:
    """What a link given as the audit's target (an existing target; a broken link is the command's one-line error)
    points at, and how it is judged. Why not simply follow it, as before: a link to ``~/.ssh/id_ed25519`` or
    ``/proc/self/environ`` was read (or walked, for a folder such as ``/proc``) as a model, and nothing said the
    bytes judged were another file's.

    - A target in a system folder, with a credentials name, or on a pseudo-file system (:func:`sensitive`,
      ``links.not_read``), file or folder: ``link.system_file`` (medium), the same finding the walk gives such a
      link (:func:`system_link`), and the target is **not read** (nor walked), as in the walk: the machine's or
      its user's file is no model, a read of a pseudo-file can block or act, and what the audit learns from a key
      is nothing a reviewer needs.
    - A folder elsewhere: walked as the audited folder, no finding (its files are named from it, as before).
    - A file: scanned as the link's name, with the finding the walk would give this link in the folder it is in
      (``link.outside_folder``, low, when the target leaves that folder; none for a target beside it, or for a
      huggingface_hub cache snapshot's link to its blob), so auditing the file or its folder says the same of it.

    ``known``: the audit's sensitive files (:meth:`HardLinks.locations`), as for :func:`system_link`.
    """
    target = os.path.realpath(path)
    name = path.name or str(path)
    pol = policy()
    if not_read(target, known.locations() if known is not None else ()):
        return GivenLink(target, Finding(
            name, None, None, pol.sensitive_rule, pol.sensitive_severity, target,
            f"the audited path is a symbolic link to {target!r}, a system or credentials "
            f"{'folder' if os.path.isdir(target) else 'file'} (not read): a loader opening this path reads that "
            "one, and a copy or upload that follows links publishes it"), False)
    if os.path.isdir(target):
        return GivenLink(target, None, True)
    root = os.path.realpath(os.path.dirname(os.path.abspath(path)))
    finding, _ = check(path, name, root, folder=f"the folder it is in ({root!r})", known=known)
    return GivenLink(target, finding, True)


def expand(entry: str) -> str | None:
    """A ``links.sensitive.files`` entry as a path: ``~`` is the user's home, ``$VAR`` the environment's value
    (huggingface_hub's ``$HF_HOME``, ``$HF_TOKEN_PATH``); None when a variable is unset."""
    path = os.path.expandvars(os.path.expanduser(entry))
    return None if "$" in path or path.startswith("~") else path


def located(entries: Sequence[str]) -> tuple[str, ...]:
    """The real paths of the ``links.sensitive.files`` entries, for symbolic links. The name patterns of
    :func:`sensitive` know a Hub token as ``…/huggingface/token``, but huggingface_hub puts it wherever the
    environment says (``$HF_HOME/token``, ``$HF_TOKEN_PATH``, ``$AWS_SHARED_CREDENTIALS_FILE`` for AWS): a link
    to ``/data/hf/token`` with ``HF_HOME=/data/hf`` matched no pattern and the token was read as a model file. Each
    entry is expanded (an unset variable names nothing) and resolved (``~/.aws`` may itself be a link to
    ``/vault/aws``), a folder standing for everything under it. A location that is the file system's root, the
    home folder or one of its ancestors (``HF_TOKEN_PATH=/`` by mistake) is left out: it would make every target a
    credential and the audit read nothing."""
    home = os.path.realpath(os.path.expanduser("~"))
    out: list[str] = []
    for path in map(expand, entries):
        if path is None or not path:
            continue
        try:
            real = os.path.realpath(path)
        except (OSError, ValueError):
            continue
        if real == os.sep or _under(home, real) or real in out:
            continue
        out.append(real)
    return tuple(out)


def _known_files(entries: Sequence[str]) -> dict[tuple[int, int], set[str]]:
    """(st_dev, st_ino) -> the real paths of the regular files the entries name: a file itself, a folder's files up
    to ``MAX_KNOWN_DEPTH`` levels down (folders reached through a link are not entered), ``MAX_KNOWN_FILES`` in all.
    A path that does not exist or cannot be listed names nothing (``stat`` needs no read permission:
    ``/etc/shadow`` is known to any user)."""
    known: dict[tuple[int, int], set[str]] = {}
    budget = MAX_KNOWN_FILES
    pending = [(path, 0) for path in map(expand, entries) if path is not None]
    while pending and budget > 0:
        path, depth = pending.pop()
        budget -= 1
        try:
            st = os.stat(path)
        except (OSError, ValueError):
            continue
        if stat.S_ISREG(st.st_mode):
            known.setdefault((st.st_dev, st.st_ino), set()).add(os.path.realpath(path))
        elif stat.S_ISDIR(st.st_mode) and depth < MAX_KNOWN_DEPTH and (depth == 0 or not os.path.islink(path)):
            try:
                with os.scandir(path) as it:
                    pending += [(e.path, depth + 1) for e in islice(it, budget)]
            except (OSError, ValueError):
                continue
    return known


class HardLinked(Exception):
    """A file of the audit that is a hard link to a system or credentials file (:class:`HardLinks`): not read."""

    def __init__(self, known: str, st: os.stat_result) -> None:
        super().__init__(known)
        self.known, self.device, self.inode = known, st.st_dev, st.st_ino

    def finding(self, rel: str) -> Finding:
        """``link.system_file``, as for a symbolic link to that file (:func:`system_link`)."""
        pol = policy()
        return Finding(rel, None, None, pol.sensitive_rule, pol.sensitive_severity, self.known,
                       f"a hard link to {self.known!r} (the same file: device {self.device}, inode {self.inode}), "
                       "a system or credentials file (not read): a loader opening this path reads that one, and a "
                       "copy or upload of the folder publishes it")


class HardLinks:
    """Which files of an audit are hard links to the system and credentials files of ``links.sensitive.files``.

    A symbolic link says where it points; a hard link does not: it *is* the file under another name, so a folder
    holding ``tokenizer.json`` hard-linked to ``~/.ssh/id_rsa`` was read as an ordinary file, the user's key
    included (its text can reach a finding, ``--json``, SARIF, the store). What tells one apart is the identity
    the kernel gives the file, (``st_dev``, ``st_ino``), shared by every name of it: a file whose link count is
    above 1 is compared with the identities of the known files, stat'ed once per audit, the first time such a
    file is met (hard links are normal in a huggingface_hub cache with ``local_dir`` copies and in git objects,
    which match nothing and are read as before). The file the known path names itself, audited by that name
    (``openscope audit ~/.ssh``), is read as before: it is what was asked for.

    ``paths`` replaces the entries of rules.yml (the real defaults); tests give files of their own."""

    def __init__(self, paths: Sequence[str] | None = None) -> None:
        self.paths = tuple(policy().files if paths is None else paths)
        self._known: dict[tuple[int, int], set[str]] | None = None
        self._located: tuple[str, ...] | None = None

    def locations(self) -> tuple[str, ...]:
        """The real paths of the entries (:func:`located`), resolved the first time a symbolic link asks, once per
        audit: a link's target is compared with them as well as with the name patterns of :func:`sensitive`."""
        if self._located is None:
            self._located = located(self.paths)
        return self._located

    def check(self, path: Path | str, st: os.stat_result) -> None:
        """Raise :class:`HardLinked` when ``st`` (the stat of ``path``, or of its open descriptor) is a known
        file reached under another name."""
        if st.st_nlink < 2:
            return
        if self._known is None:
            self._known = _known_files(self.paths)
        names = self._known.get((st.st_dev, st.st_ino))
        if names and os.path.realpath(path) not in names:
            raise HardLinked(min(names), st)
