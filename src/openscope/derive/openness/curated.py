"""Curated knowledge for flagship families: facts a card and file list cannot show, each with its URL.

The facts live in ``openscope/data/openness/curated.yml`` (see its ATTRIBUTION.md). An entry matches a
model by its exact Hub id or an ``org/prefix*`` pattern listed under ``hub_ids``: this is data keyed by
repository, with a citation per claim, not a probe rule. Facts imported from Model Openness Tool
records (``mof_records.json``, built by :func:`write_mof_records` from the MOT's records table) are
marked ``verified: false`` and apply only to the exact Hub id a record links.
"""

from __future__ import annotations

import csv
import json
from fnmatch import fnmatchcase
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml


@cache
def entries() -> tuple[dict[str, Any], ...]:
    text = resources.files("openscope.data.openness").joinpath("curated.yml").read_text("utf-8")
    data = yaml.safe_load(text) or {}
    return tuple(data.get("families") or ())


def lookup(model_id: str) -> dict[str, Any] | None:
    mid = model_id.lower()
    for e in entries():
        for pat in e.get("hub_ids") or ():
            if fnmatchcase(mid, str(pat).lower()):
                return e
    return None


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
