"""What probes look at: one model's records, from the store or from a local folder.

Why one shape: probes are pure functions of a :class:`ModelRecord`, so a model on the Hub, a row in the
store and a folder on disk are judged by exactly the same code (Scorecard's "one client, several
backends"). Loading never raises on bad content: it records a warning and leaves the field empty.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openscope import hfcache
from openscope.derive.openness.cards import (
    MAX_CARD_CHARS,
    Card,
    Pasted,
    blank,
    decode_card,
    parse_card,
    parse_front_matter,
)
from openscope.derive.openness.inputs import NotRegular, printable, read_regular
from openscope.derive.openness.libraries import from_tags
from openscope.derive.openness.license_files import (
    LicenseFile,
    file_scope,
    identify_file,
    is_license_file,
    reading_priority,
)
from openscope.derive.openness.license_files import read_folder as read_license_files
from openscope.errors import MissingInput
from openscope.store import Store
from openscope.store.moves import moved_ids

HUB = "https://huggingface.co"
README_NAMES = ("README.md", "readme.md", "README.MD", "Readme.md", "README")
MAX_README_BYTES = 2_000_000
# Files that say nothing about a release on their own (every Hub repository has them).
NON_INFORMATIVE = r"(^|/)(README(\.md)?|readme\.md|README\.MD|Readme\.md|\.gitattributes|\.gitignore)$"


@dataclass
class DatasetRef:
    """A dataset the model declares; ``in_store`` says whether the store has its record."""

    id: str
    in_store: bool = False
    gated: str | None = None
    private: bool | None = None
    license: str | None = None
    deleted: bool = False
    moved_to: str | None = None  # the Hub moved the declared id here; the record read is this id's (store/moves.py)


@dataclass
class ModelRecord:
    id: str
    locator: str                                  # Hub URL or folder path
    read_at: str                                  # ISO date the records were read
    license: str | None = None                    # declared (Hub tag / card)
    license_name: str | None = None               # card `license_name` for custom licences
    gated: str | None = None
    library_name: str | None = None
    pipeline_tag: str | None = None
    tags: list[str] = field(default_factory=list)
    files: list[tuple[str, int | None]] = field(default_factory=list)
    card: Card | None = None
    card_locator: str | None = None
    card_data: dict[str, Any] = field(default_factory=dict)
    datasets: list[DatasetRef] = field(default_factory=list)
    root: ModelRecord | None = None               # lineage root, for base-model dimensions (the deepest)
    other_roots: list[ModelRecord] = field(default_factory=list)   # a merge's other lineage roots (same order)
    parents: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cache: dict[str, Any] = field(default_factory=dict)  # values derived once per record (card licence)

    @property
    def readable(self) -> bool:
        """Was there anything to read: a card, or a file other than the README and git files?"""
        return self.card is not None or any(not re.search(NON_INFORMATIVE, p) for p, _ in self.files)

    @property
    def is_derivative(self) -> bool:
        return self.root is not None and self.root.id != self.id


def _today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


def _as_dict(v: Any) -> dict[str, Any]:
    if isinstance(v, dict):
        return v
    if isinstance(v, str):
        try:
            d = json.loads(v)
        except ValueError:
            return {}
        return d if isinstance(d, dict) else {}
    return {}


def declared_datasets(tags: list[str], card_data: dict[str, Any], card: Card | None) -> list[str]:
    out: list[str] = []
    for t in tags:
        if t.startswith("dataset:"):
            out.append(t[len("dataset:"):])
    for src in (card_data, card.meta if card else {}):
        v = src.get("datasets")
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, list):
            out.extend(str(x) for x in v if isinstance(x, str))
    return list(dict.fromkeys(x.strip() for x in out if x and x.strip()))


def _first_license(card_data: dict[str, Any]) -> str | None:
    v = card_data.get("license")
    if isinstance(v, list):
        v = v[0] if v else None
    return str(v) if isinstance(v, str | int | float) and str(v).strip() else None


# A heading that opens a copy of another model's card: a quantizer's or converter's "# Original model card:
# Acme's Lynx 7B", "## Original Model Card", "# Original README". What follows it is that model's card, pasted.
# (Read in the raw text: the heading is often over nothing but the pasted card's own first heading, and the
# parser drops a heading over nothing.)
_QUOTED_CARD = re.compile(r"^ {0,3}#{1,6}[ \t]+[*_]{0,2}original[ \t]+(?:model[ \t]+)?(?:card|readme)\b[^\n]*",
                          re.IGNORECASE | re.MULTILINE)
# The same said in a sentence of its own, over the copy: "Everything below this line is copied from the original
# model card.", "The following is taken from the Heron-9B model card:", "Below is the original model card.". The
# sentence must say that what follows (below, the following, the rest) is copied, taken, reproduced, quoted or pasted
# from a card or README, or is "the original … card": a line that merely mentions a card ("see the model card
# below") is no copy. Bounded (each gap a fixed count of non-newline characters): linear.
_QUOTED_PROSE = re.compile(
    r"^[ \t>*_]{0,6}(?:note[:*_ \t]{1,8})?(?:(?:everything|all|the[ \t]+(?:text|sections?|content|rest|parts?|information))"
    r"(?:[ \t]+of[ \t]+this[ \t]+(?:card|readme|page))?[ \t]+(?:below|that[ \t]+follows)(?:[ \t]+this[ \t]+(?:line|point))?"
    r"|the[ \t]+following|what[ \t]+follows|below)[ \t]+(?:is|are)[ \t]+"
    r"(?:(?:copied|taken|reproduced|quoted|pasted)(?:[ \t]+verbatim)?[ \t]+from\b[^\n]{0,120}?\b(?:model[ \t-]?card|readme|card)"
    r"|(?:a[ \t]+copy[ \t]+of[ \t]+)?the[ \t]+original[ \t]+(?:model[ \t-]?)?(?:card|readme))\b[^\n]{0,80}$",
    re.IGNORECASE | re.MULTILINE)
# literal words one of which such a sentence holds (a cheap test before the search above)
_QUOTED_PROSE_WORDS = ("opied", "aken from", "eproduced", "uoted", "asted", "riginal", "RIGINAL")
# The end marker some quantizers put after the pasted card (inside an HTML comment, so read in the raw text).
_QUOTED_END = re.compile(r"<!--\s*original[-_ ]model[-_ ]card[-_ ]end\s*-->", re.IGNORECASE)


# A fenced code block's opening or closing line (CommonMark: up to three spaces, then ``` or ~~~).
_FENCE = re.compile(r"^ {0,3}(?:```|~~~)", re.MULTILINE)
MAX_PASTED_HEADINGS = 20   # headings looked at before giving up (a hostile card repeats them)


def _pasted_heading(text: str, start: int) -> re.Match[str] | None:
    """The first "Original model card" heading at or after ``start`` that is a heading a reader sees: not a
    ``# Original model card`` comment line inside a fenced code block (a script or a config the card shows)."""
    fences, pos = 0, start
    for seen, m in enumerate(_QUOTED_CARD.finditer(text, start)):
        if seen >= MAX_PASTED_HEADINGS:
            return None
        fences += len(_FENCE.findall(text, pos, m.start()))   # the fences since the last heading, counted once
        pos = m.start()
        if fences % 2 == 0:
            return m
    return None


MAX_COPY_WORDS = 40   # occurrences of a copy word looked at (a hostile card repeats them)


def _copy_sentence(text: str, start: int) -> re.Match[str] | None:
    """The first line at or after ``start`` that says the rest is copied from another card (:data:`_QUOTED_PROSE`),
    outside a fenced code block. Why this way: the sentence holds one of :data:`_QUOTED_PROSE_WORDS`, so only the
    lines holding one are matched (a search of the whole card at every line start cost 0.1 ms a card, about 1% of
    the card pass, on the 22 development cards holding such a word)."""
    lines: set[int] = set()
    for w in _QUOTED_PROSE_WORDS:
        at = text.find(w, start)
        while at >= 0 and len(lines) < MAX_COPY_WORDS:
            lines.add(text.rfind("\n", 0, at) + 1)   # the line the word stands on, once
            nl = text.find("\n", at)
            if nl < 0:
                break
            at = text.find(w, nl)
    for ls in sorted(x for x in lines if x >= start):
        m = _QUOTED_PROSE.match(text, ls)
        if m is not None and len(_FENCE.findall(text, start, ls)) % 2 == 0:
            return m
    return None


def read_card(text: str) -> Card:
    """The card as this release's own documentation: :func:`parse_card` (which blanks what a reader never sees
    and the placeholders of generated cards, ``[TODO: …]`` included), with another model's card that this one
    pastes (under a heading "Original model card…", to the end of the card or to the quantizer's
    ``<!-- original-model-card end -->`` marker) blanked like unseen text, line numbers kept.

    Why: a quantized or converted re-upload (GGUF, GPTQ, AWQ, MLX) often copies its base's whole card below its
    own. What that copy claims (the base's paper, training data, training code, hardware, evaluation results,
    licence terms) is the base's work, not the quantizer's: lineage grades the base's dimensions from the base,
    and the re-upload's own dimensions from what its publisher wrote. The copy stays visible on the page;
    the card's warnings say which lines were read as quoted.
    """
    card = parse_card(text)
    # the raw text, not the parsed body: the parser blanks a heading over nothing but another heading, which is how
    # a pasted card usually starts ("# Original model card: X" then "# X")
    body_at = len(card.text) - len(card.body)
    maybe = "riginal" in text or "RIGINAL" in text
    quoted = _pasted_heading(text, body_at) if maybe else None
    # a sentence over the copy says the same as the heading (a copy word or "original" in the text first)
    said = _copy_sentence(text, body_at)
    if said is not None and (quoted is None or said.start() < quoted.start()):
        quoted = said
    if quoted is None:
        return card
    start = quoted.start()
    end_m = _QUOTED_END.search(text, start)
    end = end_m.start() if end_m else len(text)
    own = text[:start] + blank(text[start:end]) + text[end:]
    out = parse_card(own)
    # (offsets in the reading text, as the card's others: a card that writes its links by reference reads them
    # inline, :func:`.cards.inline_references`)
    out.pasted = Pasted(out.reading_at(start), out.reading_at(end), quoted.group(0).strip(), text[start:end])
    first, last = card.line_of(card.reading_at(start)), card.line_of(card.reading_at(max(start, end - 1)))
    out.warnings.append(f"lines {first}-{last} copy another model's card (\"{quoted.group(0).strip()[:80]}\"); they were read as "
                        "that model's documentation, not this release's")
    return out


def _leads_out(root: Path, file: Path) -> bool:
    """Whether ``file`` (in ``root``) resolves outside ``root``, other than a huggingface_hub cache snapshot's link
    to its blob (:mod:`openscope.hfcache`), which is the snapshot's own file."""
    real_root, real = os.path.realpath(root), os.path.realpath(file)
    return os.path.commonpath([real_root, real]) != real_root and not hfcache.cache_blob(file, real)


def from_folder(path: Path) -> ModelRecord:
    """A local model folder: README.md (with or without front matter), its licence files (read and identified:
    :mod:`.license_files`, kept in ``cache["license_files"]``) and whatever other files are there."""
    if not path.exists():
        raise MissingInput(f"no such model folder or id: {printable(str(path))}")
    notes: list[str] = []
    if path.is_dir() and hfcache.repo_folder(path) == Path(os.path.abspath(path)):
        # a huggingface_hub cache's repository folder: its files are in a snapshot (as a loader reads them)
        snap = hfcache.snapshot_of(path)
        if snap is not None:
            notes.append(f"{printable(str(path))} is a huggingface_hub cache folder: read its snapshot "
                         f"{printable(snap[0].name)} ({snap[1]})")
            path = snap[0]
        else:
            notes.append(f"{printable(str(path))} is a huggingface_hub cache folder with several snapshots and no "
                         "refs/main: give the snapshot to read (…/snapshots/<revision>)")
    root = path if path.is_dir() else path.parent
    # a cache snapshot's folder is named by its revision: the model is the one its repository folder names
    rec = ModelRecord(id=printable(hfcache.repo_id(root) or root.resolve().name), locator=printable(str(root)),
                      read_at=_today())
    rec.warnings.extend(notes)
    files: list[tuple[str, int | None]] = []
    # names that are not a listable file but that a reader takes for a licence file (a dangling symbolic link, a
    # link loop, a folder named LICENSE): handed to the licence-file reader, which says why it cannot read them
    unlisted: list[str] = []
    raw_names: dict[str, str] = {}
    if path.is_dir():
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):  # never follow symlinked folders
            dirnames[:] = sorted(d for d in dirnames if d != ".git")
            top = Path(dirpath) == root
            if top:
                unlisted.extend(d for d in dirnames if is_license_file(d))
            for name in sorted(filenames):
                fp = Path(dirpath) / name
                rel = fp.relative_to(root).as_posix()
                try:
                    files.append((printable(rel), fp.stat().st_size))
                except OSError:
                    unlisted.append(rel)
                    continue
                if rel != files[-1][0] and is_license_file(rel):
                    raw_names[files[-1][0]] = rel   # a name that is not UTF-8: read by its real name
            if len(files) >= 100_000:
                rec.warnings.append("more than 100,000 files; the rest were not listed")
                break
    else:
        files.append((printable(path.name), path.stat().st_size))
    rec.files = files
    if not path.is_dir():  # a file (or a FIFO, a device) named as the target: its card only if it is one
        is_card = path.name in README_NAMES or path.suffix.lower() in (".md", ".markdown")
        readme = path if is_card else None
        if not is_card:
            rec.warnings.append(f"{printable(path.name)} is not a README; give the model folder to read its card")
    else:
        readme = next((root / n for n in README_NAMES if (root / n).is_file()), None)
    if readme is not None and path.is_dir() and _leads_out(root, readme):
        # as a licence file that leads out is not read (:mod:`.license_files`): what it leads to was not published
        # with the model, and quoting it would put a file of the user's (notes, a key) in the evidence
        rec.warnings.append(f"{printable(readme.name)} is a symbolic link that leads out of the folder; it was not "
                            "read; card-based grades are unknown")
    elif readme is None:
        if path.is_dir():
            rec.warnings.append(f"no README.md in {printable(str(root))}; card-based grades are unknown")
    else:
        try:
            raw, longer = read_regular(readme, MAX_README_BYTES)  # never blocks on a FIFO, never reads a GB
        except OSError as exc:
            why = "not a regular file" if isinstance(exc, NotRegular) else exc.strerror or str(exc)
            rec.warnings.append(f"cannot read {printable(str(readme))}: {why}; card-based grades are unknown")
            raw, longer = None, False
        if longer:
            rec.warnings.append(f"{printable(readme.name)} is larger than {MAX_README_BYTES:,} bytes; "
                                "the rest was not read")
            assert raw is not None  # an unreadable README never reports itself longer
            try:  # the cut may split a character: keep the text before it
                raw = codecs.getincrementaldecoder("utf-8")().decode(raw, final=False).encode("utf-8")
            except UnicodeDecodeError:
                pass  # not UTF-8 before the cut either: decode_card says so
        if raw is not None:
            text, warn = decode_card(raw)
            if warn:
                rec.warnings.append(f"{printable(readme.name)}: {warn}")
            if text is not None:
                rec.card = read_card(text)
                rec.card_locator = printable(str(readme))
                rec.warnings.extend(f"{printable(readme.name)}: {w}" for w in rec.card.warnings)
    meta = rec.card.meta if rec.card else {}
    rec.card_data = meta
    rec.license = _first_license(meta)
    rec.license_name = meta.get("license_name") if isinstance(meta.get("license_name"), str) else None
    rec.library_name = meta.get("library_name") if isinstance(meta.get("library_name"), str) else None
    rec.pipeline_tag = meta.get("pipeline_tag") if isinstance(meta.get("pipeline_tag"), str) else None
    tags = meta.get("tags")
    rec.tags = [str(t) for t in tags if isinstance(t, str)] if isinstance(tags, list) else []
    rec.library_name = rec.library_name or from_tags(rec.tags)   # the Hub's order: library_name, else a library tag
    rec.datasets = [DatasetRef(d) for d in declared_datasets(rec.tags, meta, rec.card)]
    if path.is_dir():  # the folder's own licence files: the most authoritative licence evidence it has
        listed = [raw_names.get(p, p) for p, _ in files] + [p for p in unlisted if is_license_file(p)]
        found, warns = read_license_files(root, listed, rec.card)
        rec.cache["license_files"] = found
        rec.warnings.extend(warns)
    return rec


def from_text(model_id: str, text: str, locator: str | None = None) -> ModelRecord:
    """A record made of a card text alone (benchmarks, tests, bulk card assessment)."""
    rec = ModelRecord(id=model_id, locator=locator or model_id, read_at=_today())
    rec.card = read_card(text)
    rec.card_locator = locator or model_id
    rec.warnings.extend(rec.card.warnings)
    rec.card_data = rec.card.meta
    rec.license = _first_license(rec.card.meta)
    ln = rec.card.meta.get("license_name")
    rec.license_name = ln if isinstance(ln, str) else None
    # the Hub takes `library_name` and `pipeline_tag` from this front matter, and a folder's record reads them: a
    # card read alone must make the same record, or a text and its folder are graded apart
    lib, pipe = rec.card.meta.get("library_name"), rec.card.meta.get("pipeline_tag")
    rec.library_name = lib if isinstance(lib, str) else None
    rec.pipeline_tag = pipe if isinstance(pipe, str) else None
    tags = rec.card.meta.get("tags")
    rec.tags = [str(t) for t in tags if isinstance(t, str)] if isinstance(tags, list) else []
    rec.library_name = rec.library_name or from_tags(rec.tags)   # the Hub's order: library_name, else a library tag
    rec.datasets = [DatasetRef(d) for d in declared_datasets(rec.tags, rec.card_data, rec.card)]
    return rec


def load_record(store: Store, model_id: str, with_root: bool = False) -> ModelRecord | None:
    """A stored model's record exactly as ``model_id`` is stored (``None`` when the store has no such model), with its
    lineage root when ``with_root`` and the store has the lineage, but without its ancestors' licences
    (:func:`from_store` adds those). Public because the licence side reads a model's card through it
    (:mod:`openscope.derive.licenses.card`): a caller outside this module should not lean on a private helper."""
    con = store.con
    row = con.execute(
        """SELECT id, license, gated, library_name, pipeline_tag, card_data::VARCHAR, last_modified
           FROM models WHERE id = ?""",
        [model_id],
    ).fetchone()
    if row is None:
        return None
    rec = ModelRecord(id=row[0], locator=f"{HUB}/{row[0]}", read_at=_today())
    rec.license, rec.gated, rec.library_name, rec.pipeline_tag = row[1], row[2], row[3], row[4]
    rec.card_data = _as_dict(row[5])
    ln = rec.card_data.get("license_name")
    rec.license_name = ln if isinstance(ln, str) else None
    rec.tags = [r[0] for r in con.execute("SELECT tag FROM tags WHERE repo_type='model' AND id=?", [rec.id]).fetchall()]
    rec.files = [(r[0], r[1]) for r in con.execute(
        "SELECT path, size FROM files WHERE repo_type='model' AND id=? ORDER BY path", [rec.id]).fetchall()]
    card = con.execute(
        """SELECT text, url, fetched_at FROM cards WHERE id=? AND repo_type='model' AND text IS NOT NULL
           ORDER BY fetched_at DESC NULLS LAST LIMIT 1""",
        [rec.id],
    ).fetchone()
    if card and card[0]:
        rec.card = read_card(card[0])
        rec.card_locator = card[1] or f"{HUB}/{rec.id}/blob/main/README.md"
        if card[2]:
            rec.read_at = card[2].date().isoformat() if hasattr(card[2], "date") else str(card[2])[:10]
        rec.warnings.extend(rec.card.warnings)
    elif any(re.search(NON_INFORMATIVE, p) and not p.startswith(".") for p, _ in rec.files):
        # the repository has a README, but its text was never fetched: "not found" below means "not read"
        rec.cache["card_unread"] = True
        rec.warnings.append(f"the card (README.md) of {rec.id} is in its file list but its text is not in the "
                            "store (crawl with --cards to read it): components read from cards show "
                            "not_found, which here means not read")
    lic_rows = con.execute(
        "SELECT path, text, note FROM license_texts WHERE repo_type = 'model' AND id = ?", [rec.id]).fetchall()
    if lic_rows:
        attach_license_texts(rec, [(r[0], r[1], r[2]) for r in lic_rows])
    rec.datasets = _dataset_refs(store, declared_datasets(rec.tags, rec.card_data, rec.card))
    if with_root:
        rows = [r for r in con.execute(
            "SELECT root, depth, path FROM lineage WHERE id = ? ORDER BY depth DESC, root", [rec.id]
        ).fetchall() if r[0] != rec.id]
        if rows:
            # a root deleted from the Hub is read as last stored, and says so (:func:`_deleted`)
            gone = _deleted(store, [r[0] for r in rows])
            found = [_as_deleted(load_record(store, r[0], with_root=False), gone) or _external(r[0], rec.read_at)
                     for r in rows]
            rec.root, rec.other_roots = found[0], found[1:]
            path = rows[0][2] or []
            rec.parents = list(path[1:2])
    return rec


_load_one = load_record  # the former private name, kept for callers that still use it


def resolve_datasets(store: Store, rec: ModelRecord) -> None:
    """Look a folder's declared datasets up in the store (their gating, licence), as a stored model's are.

    Why: a publisher's folder declares ``datasets: [org/corpus]``; with a store that holds that dataset's
    record, its licence is known and the Datasets component is graded by it instead of "licence unknown".
    """
    if rec.datasets and _has_table(store, "datasets"):
        rec.datasets = _dataset_refs(store, [d.id for d in rec.datasets])


# A dataset's licence as the openness grades read it: the licence its LICENSE file identifies when its declaration
# left it to that file (`license: other`; the licence step's dataset_licenses, source license_file), else its declared
# `license`. Over ``datasets x``, with :data:`DATASET_LICENSE_JOIN`.
DATASET_LICENSE_SQL = "coalesce(CASE WHEN dl.source = 'license_file' THEN dl.license END, x.license)"
DATASET_LICENSE_JOIN = "LEFT JOIN dataset_licenses dl ON dl.id = x.id"


def _dataset_refs(store: Store, names: list[str]) -> list[DatasetRef]:
    """Each declared dataset with its record in the store (gating, privacy, licence, deleted), if it has one; a
    declared id the Hub moved (table ``moves``) with the record of the id it moved to."""
    moved = moved_ids(store, names, "dataset")
    look = sorted({n.lower() for n in names} | {v.lower() for v in moved.values()})
    info: dict[str, tuple] = {}
    for low, *row in store.con.execute(
            f"SELECT lower(x.id), x.gated, x.private, {DATASET_LICENSE_SQL}, x.deleted_at IS NOT NULL FROM datasets x "
            f"{DATASET_LICENSE_JOIN} WHERE lower(x.id) IN (SELECT unnest(?::VARCHAR[])) "
            f"ORDER BY x.deleted_at IS NOT NULL, x.id", [look]).fetchall():
        info.setdefault(low, tuple(row))
    return [dataset_ref(n, info, moved) for n in names]


def dataset_ref(name: str, info: dict[str, tuple], moved: dict[str, str]) -> DatasetRef:
    """The reference to declared dataset ``name``: the record of the id the Hub moved it to when that is a live
    store row (``moved``: lower-cased declared id → that id), else its own record in ``info`` (lower-cased id →
    gated, private, licence, deleted), if any. Why: a model card keeps naming a dataset's old id after the Hub
    moved it; its old row is stamped deleted and told nothing, though the dataset is public under its new id."""
    to = moved.get(name.lower())
    if to is not None and to.lower() in info:
        gated, private, lic, deleted = info[to.lower()]
        return DatasetRef(name, True, gated, private, lic, deleted, moved_to=to)
    return DatasetRef(name, name.lower() in info, *(info.get(name.lower()) or (None, None, None, False)))


def _deleted(store: Store, ids: list[str]) -> dict[str, str]:
    """Which of ``ids`` are stored models deleted from the Hub, each with the ISO date a full crawl found it gone.

    Why: a lineage root deleted since is read by its derivatives' base-model dimensions as it was last stored (its
    card, files and licence texts: the last-known facts, as its licence still binds them), its curated family also by
    the name its id gives (it is not a live model, as an external base is not), and every reading of it says it was
    deleted and when (:func:`_as_deleted`). The set-based pass reads such a root from the same stored record
    (:func:`.sql._read_roots`), so the two paths agree."""
    if not ids:
        return {}
    return {r[0]: r[1] for r in store.con.execute(
        "SELECT id, deleted_at::DATE::VARCHAR FROM models WHERE id IN (SELECT unnest(?::VARCHAR[])) "
        "AND deleted_at IS NOT NULL", [ids]).fetchall()}


def _as_deleted(rec: ModelRecord | None, gone: dict[str, str]) -> ModelRecord | None:
    """A stored root's record, marked with the date it was deleted from the Hub when it was (``cache["deleted_on"]``:
    what the grades read of it is its record as last read, whose Hub page no longer answers)."""
    if rec is not None and rec.id in gone:
        rec.cache["deleted_on"] = gone[rec.id]
    return rec


def _external(model_id: str, read_at: str) -> ModelRecord:
    """A lineage root that is not in the store: an id and nothing to read."""
    rec = ModelRecord(id=model_id, locator=f"{HUB}/{model_id}", read_at=read_at)
    rec.cache["external"] = True
    return rec


def from_store(store: Store, model_id: str) -> ModelRecord:
    """A model in the store (exact id, else case-insensitive), with its lineage root when known."""
    rec = load_record(store, model_id, with_root=_has_table(store, "lineage"))
    if rec is None:
        real = store.scalar("SELECT id FROM models WHERE lower(id) = lower(?) LIMIT 1", [model_id])
        if real is None:
            raise MissingInput(f"unknown model id {model_id!r} (not in the store, not a folder)")
        rec = load_record(store, real, with_root=_has_table(store, "lineage"))
    assert rec is not None
    _attach_ancestors(store, [rec])
    return rec


def _attach_ancestors(store: Store, recs: list[ModelRecord]) -> None:
    """Every ancestor's licence, for the inheritance rule (:mod:`.ancestry`; imported here, not at the top,
    because it imports the probes, which import this module)."""
    from openscope.derive.openness.ancestry import attach

    attach(store, recs)


def _has_table(store: Store, name: str) -> bool:
    return bool(store.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]))


def attach_card(rec: ModelRecord, text: str, locator: str) -> None:
    rec.card = read_card(text)
    rec.card_locator = locator
    rec.warnings.extend(rec.card.warnings)


def attach_license_texts(rec: ModelRecord, rows: list[tuple[str, str | None, str | None]]) -> None:
    """The licence files the crawl read for a stored model (``license_texts``: path, text, why not read),
    identified as a folder's are (:func:`.license_files.identify_file`) and kept in ``cache["license_files"]``,
    so probes see a stored model's licence files exactly as a folder's. Call after the card is attached: a README
    line that links to a file may say what it covers."""
    found: list[LicenseFile] = []
    for path, text, note in sorted(rows, key=lambda r: reading_priority(r[0])):
        scope = file_scope(path, rec.card)
        if text is None:
            why = note or "not readable"
            rec.warnings.append(f"licence file {printable(path)}: {why}; its licence is unknown")
            found.append(LicenseFile(printable(path), scope, None, None, f"not read: {why}", "not_read"))
            continue
        lf, warns = identify_file(path, text, scope)
        found.append(lf)
        rec.warnings.extend(warns)
    rec.cache["license_files"] = found


def _meta_only(rec: ModelRecord) -> Card | None:
    """The front matter of deferred card text (datasets it declares are resolved before parsing)."""
    pending = rec.cache.get("card_text")
    if pending is None:
        return None
    meta, body, _ = parse_front_matter(pending[0][:MAX_CARD_CHARS])
    return Card(text="", meta=meta, body="")


def finish(rec: ModelRecord) -> ModelRecord:
    """Parse card text deferred by ``bulk_from_store(parse=False)`` (so that workers do the parsing)."""
    for r in (rec, rec.root):
        if r is not None and "card_text" in r.cache:
            text, locator = r.cache.pop("card_text")
            attach_card(r, text, locator)
        if r is not None and "license_rows" in r.cache:
            attach_license_texts(r, r.cache.pop("license_rows"))
    return rec


def root_records(store: Store, ids: list[str]) -> dict[str, ModelRecord]:
    """The stored records of ``ids`` as :func:`bulk_from_store` reads a derivative's lineage root (card and licence
    texts attached, no root or ancestors of their own): the set-based grades read a root whose text was read so."""
    return _bulk_records(store, ids, True)


def bulk_from_store(store: Store, ids: list[str], chunk: int = 2000, parse: bool = True) -> Iterator[ModelRecord]:
    """Records for many models with a few set-based queries per chunk (the card pass at scale).

    Gives the same records as :func:`from_store` (tested), without a query per model and table.
    """
    has_lineage = _has_table(store, "lineage")
    for start in range(0, len(ids), chunk):
        part = ids[start:start + chunk]
        roots: dict[str, tuple[list[str], list[str]]] = {}
        if has_lineage:
            for mid, found, path in _roots(store, part):
                kept = [r for r in found if r != mid]
                if kept:
                    roots[mid] = (kept, list(path or []))
        gone = _deleted(store, [r for rs, _ in roots.values() for r in rs])   # read as last stored, said so
        wanted = list(dict.fromkeys(part + [r for rs, _ in roots.values() for r in rs]))
        recs = _bulk_records(store, wanted, parse)
        _attach_ancestors(store, [recs[m] for m in part if m in recs])
        for mid in part:
            rec = recs.get(mid)
            if rec is None:
                continue
            if mid in roots:
                root_ids, path = roots[mid]
                found = [_as_deleted(recs.get(r), gone) or _external(r, rec.read_at) for r in root_ids]
                rec.root, rec.other_roots = found[0], found[1:]
                rec.parents = path[1:2]
            yield rec


def _roots(store: Store, ids: list[str]) -> list[tuple[str, list[str], list[str] | None]]:
    """(id, every root, the deepest root's path) per model: the roots deepest first, ties broken by root id (as
    :func:`from_store`). Why every root: a merge's base-model dimensions are read from each of its roots."""
    return store.con.execute(
        """SELECT l.id, list(l.root ORDER BY l.depth DESC, l.root), list(l.path ORDER BY l.depth DESC, l.root)[1]
           FROM lineage l WHERE l.id IN (SELECT unnest(?::VARCHAR[])) GROUP BY l.id""", [ids]).fetchall()


def _bulk_records(store: Store, ids: list[str], parse: bool = True) -> dict[str, ModelRecord]:
    con = store.con
    q = "(SELECT unnest(?::VARCHAR[]))"
    recs: dict[str, ModelRecord] = {}
    today = _today()
    for mid, lic, gated, lib, pipe, card_data in con.execute(
            f"SELECT id, license, gated, library_name, pipeline_tag, card_data::VARCHAR FROM models "
            f"WHERE id IN {q}", [ids]).fetchall():
        rec = ModelRecord(id=mid, locator=f"{HUB}/{mid}", read_at=today, license=lic, gated=gated,
                          library_name=lib, pipeline_tag=pipe)
        rec.card_data = _as_dict(card_data)
        ln = rec.card_data.get("license_name")
        rec.license_name = ln if isinstance(ln, str) else None
        recs[mid] = rec
    for mid, tags in con.execute(
            f"SELECT id, list(tag ORDER BY tag) FROM tags WHERE repo_type='model' AND id IN {q} GROUP BY id",
            [ids]).fetchall():
        if mid in recs:
            recs[mid].tags = list(tags)
    for mid, files in con.execute(
            f"SELECT id, list(struct_pack(p := path, s := size) ORDER BY path) FROM files "
            f"WHERE repo_type='model' AND id IN {q} GROUP BY id", [ids]).fetchall():
        if mid in recs:
            recs[mid].files = [(f["p"], f["s"]) for f in files]
    for mid, text, url, fetched in con.execute(
            f"""SELECT id, arg_max(text, coalesce(fetched_at, TIMESTAMP '1970-01-01')),
                       arg_max(url, coalesce(fetched_at, TIMESTAMP '1970-01-01')), max(fetched_at) FROM cards
                WHERE repo_type='model' AND id IN {q} AND text IS NOT NULL GROUP BY id""", [ids]).fetchall():
        rec = recs.get(mid)
        if rec is None or not text:
            continue
        locator = url or f"{HUB}/{mid}/blob/main/README.md"
        if parse:
            attach_card(rec, text, locator)
        else:
            rec.cache["card_text"] = (text, locator)
        if fetched is not None:
            rec.read_at = fetched.date().isoformat() if hasattr(fetched, "date") else str(fetched)[:10]
    for mid, rows in con.execute(
            f"""SELECT id, list(struct_pack(p := path, t := text, n := note)) FROM license_texts
                WHERE repo_type = 'model' AND id IN {q} GROUP BY id""", [ids]).fetchall():
        rec = recs.get(mid)
        if rec is None:
            continue
        lic_rows = [(f["p"], f["t"], f["n"]) for f in rows]
        if parse:
            attach_license_texts(rec, lic_rows)
        else:
            rec.cache["license_rows"] = lic_rows   # identified with the card, by finish()
    declared = {mid: declared_datasets(r.tags, r.card_data, r.card if r.card is not None else _meta_only(r))
                for mid, r in recs.items()}
    names = sorted({n.lower() for v in declared.values() for n in v})
    info: dict[str, tuple] = {}
    moved = moved_ids(store, names, "dataset")  # declared ids the Hub moved: read under the id they moved to
    names = sorted(set(names) | {v.lower() for v in moved.values()})
    if names:
        for low, gated, private, lic, deleted in con.execute(
                f"SELECT lower(x.id), x.gated, x.private, {DATASET_LICENSE_SQL}, x.deleted_at IS NOT NULL "
                f"FROM datasets x {DATASET_LICENSE_JOIN} WHERE lower(x.id) IN {q} "
                f"ORDER BY x.deleted_at IS NOT NULL, x.id", [names]).fetchall():
            info.setdefault(low, (gated, private, lic, deleted))
    for mid, rec in recs.items():
        rec.datasets = [dataset_ref(n, info, moved) for n in declared[mid]]
    return recs
