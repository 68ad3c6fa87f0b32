"""Curated knowledge for flagship families: facts a card and file list cannot show, each with its URL.

The facts live in ``openscope/data/openness/curated.yml`` (see its ATTRIBUTION.md). An entry matches a
model by its exact Hub id or an ``org/prefix*`` pattern listed under ``hub_ids``: this is data keyed by
repository, with a citation per claim, not a probe rule. Facts imported from Model Openness Tool
records (``mof_records.json``, built by :func:`write_mof_records` from the MOT's records table) are
marked ``verified: false`` and apply only to the exact Hub id a record links.

Who checked a fact, and when, is data too: a family's ``checked`` is the date its facts were written from
their sources; a fact's own ``checked`` is the date a second reader re-read the source and confirmed it (or
corrected it to what the source says), with ``checked_url`` when the confirming text is at another address
than the fact's ``url``. ``verified: false`` marks a fact nobody has checked against its source; it cannot
carry a ``checked`` date. :func:`validate` enforces this when the file is loaded, so a malformed date or a
contradictory fact fails loudly instead of being shown as checked.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable, Mapping
from fnmatch import fnmatchcase
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from openscope.yamlsafe import safe_load


class CuratedDataError(ValueError):
    """A curated fact whose check record is malformed or contradicts itself (a shipped-data bug)."""


def _iso_date(value: Any) -> bool:
    """Whether ``value`` is a calendar date written ``YYYY-MM-DD`` (YAML may already have parsed it)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return True
    if not isinstance(value, str) or len(value) != 10:
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def check_record(where: str, fact: Mapping[str, Any]) -> None:
    """Raise :class:`CuratedDataError` unless the fact's check record is well formed.

    Why: ``checked``/``checked_url`` tell a reader that someone confirmed the fact against its source; a
    typo there (a date that is not a date, a locator that is not a URL) or a fact both unverified and
    checked would show an unchecked fact as checked. Shared by ``curated.yml`` and ``libraries.yml``.
    """
    verified = fact.get("verified", True)
    if not isinstance(verified, bool):
        raise CuratedDataError(f"{where}: verified must be true or false, not {verified!r}")
    checked = fact.get("checked")
    if checked is not None and not _iso_date(checked):
        raise CuratedDataError(f"{where}: checked must be a date written YYYY-MM-DD, not {checked!r}")
    url = fact.get("checked_url")
    if url is not None and not (isinstance(url, str) and url.startswith("https://") and " " not in url):
        raise CuratedDataError(f"{where}: checked_url must be an https:// URL, not {url!r}")
    if not verified and (checked is not None or url is not None):
        raise CuratedDataError(f"{where}: a fact marked verified: false cannot carry checked/checked_url")
    if url is not None and checked is None:
        raise CuratedDataError(f"{where}: checked_url without a checked date")


def validate(families: Iterable[Mapping[str, Any]]) -> None:
    """Check every family's and every fact's check record (see :func:`check_record`)."""
    for fam in families:
        name = str(fam.get("family", "?"))
        checked = fam.get("checked")
        if checked is not None and not _iso_date(checked):
            raise CuratedDataError(f"{name}: checked must be a date written YYYY-MM-DD, not {checked!r}")
        for comp, fact in (fam.get("components") or {}).items():
            if not isinstance(fact, Mapping):
                raise CuratedDataError(f"{name} / {comp}: a fact is a mapping, not {fact!r}")
            check_record(f"{name} / {comp}", fact)


def fact_checked(family: Mapping[str, Any], fact: Mapping[str, Any]) -> str | None:
    """The date a fact was last read from its source: its own ``checked``, else its family's; None for a
    fact marked ``verified: false`` (nobody checked it)."""
    if fact.get("verified", True) is False:
        return None
    value = fact.get("checked") or family.get("checked")
    return str(value) if value else None


@cache
def entries() -> tuple[dict[str, Any], ...]:
    text = resources.files("openscope.data.openness").joinpath("curated.yml").read_text("utf-8")
    # the C loader when PyYAML has one (the same safe constructors; the facts load in a seventh of the time, once
    # per process: each worker of a bulk assessment pays it)
    data = safe_load(text) or {}
    families = tuple(data.get("families") or ())
    validate(families)
    return families


def lookup(model_id: str) -> dict[str, Any] | None:
    mid = model_id.lower()
    for e in entries():
        for pat in e.get("hub_ids") or ():
            low, prefix = _glob_of(pat)
            if mid.startswith(prefix) and fnmatchcase(mid, low):
                return e
    return None


_GLOBS: dict[str, tuple[str, str]] = {}   # a hub_ids pattern → (its lower case, its literal lower-case prefix)


def _glob_of(pat: Any) -> tuple[str, str]:
    """(``str(pat).lower()``, the part of it before its first wildcard character), kept by pattern.

    Why: :func:`lookup` runs for every model assessed (each card of the card pass) against every curated
    pattern, and ``fnmatchcase`` of each cost about a fifth of a millisecond a card; an id that does not start
    with a pattern's literal prefix cannot match it (``*``, ``?`` and ``[`` are the only characters that match
    anything but themselves), so only the few that do are matched, in the same order: the same entry."""
    key = pat if type(pat) is str else str(pat)
    held = _GLOBS.get(key)
    if held is None:
        low = key.lower()
        cut = min((i for i in (low.find("*"), low.find("?"), low.find("[")) if i >= 0), default=len(low))
        if len(_GLOBS) >= 4096:
            _GLOBS.clear()
        held = _GLOBS[key] = (low, low[:cut])
    return held


def by_family(name: str) -> dict[str, Any] | None:
    for e in entries():
        if str(e.get("family", "")).lower() == name.lower():
            return e
    return None


# -- facts imported from Model Openness Tool records (unverified, cited) ----------------------------

MOT_REPO = "https://github.com/lfai/model_openness_tool/blob/main/models/"


@cache
def mof_records() -> dict[str, dict[str, Any]]:
    """Hub id (lower case) → entry built from a MOT record (``mof_records.json``), facts ``verified: false``."""
    try:
        text = resources.files("openscope.data.openness").joinpath("mof_records.json").read_text("utf-8")
    except FileNotFoundError:
        return {}
    return {e["hub_ids"][0]: e for e in json.loads(text).get("records", [])}


def lookup_any(model_id: str) -> dict[str, Any] | None:
    """Hand-curated family facts first, else facts imported from a MOT record for this exact Hub id."""
    return lookup(model_id) or mof_records().get(model_id.lower())


def entries_from_mof_csv(path: Path) -> list[dict[str, Any]]:
    """Entries from the MOT's records table (``mof_models.csv`` format): one per record with a Hub link.

    Each listed component becomes a fact: ``unlicensed`` → ``no_license``; a licence the MOT counts as
    open → ``open_license``; any other licence → ``restrictive_license``. Every fact cites the record.
    """
    from openscope.derive.openness.evaluations.mof import canonical_license, is_open_license
    from openscope.derive.openness.experts import hub_id

    out: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            key = hub_id(r.get("huggingface"))
            if not key:
                continue
            url = MOT_REPO + str(r.get("file"))
            comps: dict[str, Any] = {}
            for col, raw in r.items():
                if not col.startswith("comp:") or not (raw or "").strip():
                    continue
                lic = raw.strip()
                if lic.lower() == "unlicensed":
                    status, lic_id = "no_license", None
                elif is_open_license(canonical_license(lic)):
                    status, lic_id = "open_license", canonical_license(lic)
                else:
                    status, lic_id = "restrictive_license", lic
                comps[col[5:]] = {"status": status, "license": lic_id, "url": url, "verified": False,
                                  "note": f"MOF record {r.get('file')}: {col[5:]} under {lic}"}
            if comps:
                out.append({"family": f"{r.get('name')} (MOF record)", "hub_ids": [key], "source": url,
                            "checked": r.get("date") or "", "components": comps})
    return out


def write_mof_records(csv_path: str | Path, out: str | Path | None = None) -> Path:
    """Rebuild ``openscope/data/openness/mof_records.json`` from a ``mof_models.csv``."""
    target = Path(out) if out else Path(str(resources.files("openscope.data.openness"))) / "mof_records.json"
    doc = {"about": "Component facts imported from Model Openness Tool records (lfai/model_openness_tool "
                    "@ 8b5d30e, models/*.yml, MIT); unverified: nobody re-checked them.",
           "records": entries_from_mof_csv(Path(csv_path))}
    target.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return target
