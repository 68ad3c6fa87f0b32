"""Expert indexes as an overlay: shown beside openscope's grades, never read by them.

Imports, from files in the formats of the reference data:

* the Open Source AI Index CSV (``osai_dev.csv``: one row per family, the 12 dimensions, ``link`` to
  the end model on the Hub) → keyed by the Hub id in ``link``, else by ``org`` and ``endmodelname``
  as below;
* Model Openness Tool records: the MOT CSV (``mof_models.csv``: ``huggingface`` URL, ``mof_class``,
  progress) or one MOT YAML record (evaluated with the MOT's rule) → keyed by the Hub id; a record
  without a Hub link (a third of the MOT's, Llama 2's among them) is keyed by its producer and name
  (``name:meta/llama-2-7b``) and shown for the Hub repository of that name whose namespace is a curated
  publisher whose namespace or name starts with the producer ("Meta" ~ ``meta-llama``, "Alibaba Cloud"
  ~ ``Qwen``);
* FMTI scores (``fmti_totals.csv`` or ``fmti_scores.csv``) → keyed by developer name, matched when the
  model's namespace is a curated publisher whose namespace or name starts with it, ignoring case and
  punctuation ("Meta" ~ ``meta-llama``, "Alibaba" ~ ``Qwen``; never ``meta-math``).

The overlay lists disagreements: OSAI dimensions where the expert grade differs from openscope's, and
a MOF class that differs. :mod:`.assessment` never imports this module; ``--no-experts`` skips it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from openscope.derive.openness.evaluations import mof
from openscope.derive.openness.evaluations.osai import DIMENSIONS
from openscope.derive.openness.inputs import first_line, load_yaml, read_text_file, scalar_text, shown
from openscope.errors import InvalidInput
from openscope.store import Store

Row = tuple[str, str, str | None, str, str, str | None, float | None, str | None]


def hub_id(url: str | None) -> str | None:
    """``https://huggingface.co/org/name`` (or ``org/name``) → ``org/name`` in lower case."""
    if not url:
        return None
    u = url.strip()
    if "://" in u:
        p = urlparse(u)
        if "huggingface.co" not in p.netloc and "hf.co" not in p.netloc:
            return None
        u = p.path
    parts = [x for x in u.strip("/").split("/") if x]
    return "/".join(parts[:2]).lower() if len(parts) >= 2 else None


def name_key(producer: str | None, name: str | None) -> str | None:
    """The key of a record with no Hub link: its producer and name, or ``None`` when either is missing.

    Matching by name alone would show Meta's grades for anyone's repository called ``Llama-2-7b``; the
    producer ties the record to the namespace that published it.
    """
    prod, nm = _norm(producer), (scalar_text(name) or "").strip().lower()
    return f"name:{prod}/{nm}" if prod and nm else None


def _osai_rows(reader: csv.DictReader) -> list[Row]:
    out: list[Row] = []
    for r in reader:
        key = hub_id(r.get("link")) or name_key(r.get("org"), r.get("endmodelname"))
        if not key:
            continue
        name = r.get("name") or r.get("file")
        for d in DIMENSIONS:
            g = (r.get(d) or "").strip().lower()
            if g and g not in ("open", "partial", "closed"):  # the index's own vocabulary; anything else is not it
                raise ValueError(f"{d} {g[:40]!r} is not an index grade (open, partial, closed)")
            if g:
                out.append(("osai", key, name, "osai", d, g, {"open": 1.0, "partial": 0.5, "closed": 0.0}.get(g),
                            r.get("link")))
        score = r.get("osai_site_score")
        if score:
            out.append(("osai", key, name, "osai", "score", None, _number(score, "osai_site_score"), r.get("link")))
    return out


def _mof_csv_rows(reader: csv.DictReader) -> list[Row]:
    out: list[Row] = []
    for r in reader:
        key = hub_id(r.get("huggingface")) or name_key(r.get("producer"), r.get("name"))
        if not key:
            continue
        url = f"https://mot.isitopen.ai/model/{r.get('name')}"
        out.append(("mof", key, r.get("name"), "mof", "class", r.get("mof_class_label"),
                    _number(r.get("mof_class") or 0, "mof_class"), url))
        for k in ("1", "2", "3"):
            v = r.get(f"progress_class{k}")
            if v:
                out.append(("mof", key, r.get("name"), "mof", f"progress_{k}", None, _number(v, f"progress_class{k}"),
                            url))
    return out


def _fmti_rows(reader: csv.DictReader) -> list[Row]:
    out: list[Row] = []
    url = "https://crfm.stanford.edu/fmti/"
    rows = list(reader)
    if rows and "total_score" in rows[0]:
        for r in rows:
            out.append(("fmti", (r.get("developer") or "").lower(), r.get("developer"), "fmti",
                        f"total_{r.get('index_version')}", None, _number(r.get("total_score") or 0, "total_score"), url))
        return out
    totals: dict[tuple[str, str], float] = {}
    for r in rows:
        k = ((r.get("developer") or "").lower(), r.get("index_version") or "")
        totals[k] = totals.get(k, 0.0) + _number(r.get("score") or 0, "score")
    for (dev, ver), tot in totals.items():
        out.append(("fmti", dev, dev, "fmti", f"total_{ver}", None, tot, url))
    return out


def _number(v: Any, column: str) -> float:
    """A score cell as a finite number: a file whose scores are not numbers is not an expert index (and a
    NaN or infinity would make the overlay's JSON invalid)."""
    try:
        x = float(v)
    except (TypeError, ValueError):
        raise ValueError(f"{column} {str(v)[:40]!r} is not a number") from None
    if not math.isfinite(x):
        raise ValueError(f"{column} {str(v)[:40]!r} is not a finite number")
    return x


def _mof_record_rows(path: Path, text: str) -> list[Row]:
    record = load_yaml(text)
    res = mof.evaluate_record(record)
    rel = record["release"]
    name = scalar_text(rel.get("name"))
    key = hub_id(scalar_text(rel.get("huggingface"))) or name_key(rel.get("producer"), name)
    if not key:
        raise ValueError("the record names neither a Hugging Face repository nor its producer and name")
    url = scalar_text(rel.get("huggingface")) or scalar_text(rel.get("repository")) or str(path)
    rows: list[Row] = [("mof", key, name, "mof", "class", res.label, float(res.cls), url)]
    rows += [("mof", key, name, "mof", f"progress_{k}", None, v, url) for k, v in res.progress.items()]
    return rows


def read_expert_file(path: Path) -> list[Row]:
    """Rows (source, key, name, framework, dimension, grade, score, url) from one expert file."""
    text = read_text_file(path, "expert file")
    where = shown(str(path))
    if path.suffix.lower() in (".yml", ".yaml"):
        try:
            return _mof_record_rows(path, text)
        except ValueError as exc:
            raise InvalidInput(f"{where}: not a MOF record ({first_line(exc)})")
    reader = csv.DictReader(io.StringIO(text))  # reads nothing yet: it cannot raise
    try:
        cols = set(reader.fieldnames or [])
        if "datasources_basemodel" in cols:
            return _osai_rows(reader)
        if "mof_class" in cols:
            return _mof_csv_rows(reader)
        if "developer" in cols and ("total_score" in cols or "score" in cols):
            return _fmti_rows(reader)
    except (csv.Error, ValueError) as exc:
        raise InvalidInput(f"{where}: line {reader.line_num}: {first_line(exc)}")
    raise InvalidInput(f"{where}: not an OSAI index CSV, a MOF record CSV/YAML or an FMTI scores CSV")


def import_experts(store: Store, path: Path) -> int:
    """Replace the rows of this file's source with its rows; returns how many were imported."""
    rows = read_expert_file(path)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with store.transaction() as con:
        keys = sorted({(r[0], r[1]) for r in rows})
        for source, key in keys:
            con.execute("DELETE FROM openness_experts WHERE source = ? AND key = ?", [source, key])
        if rows:  # a file of the right format without rows imports nothing (executemany refuses [])
            con.executemany("INSERT INTO openness_experts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            [(*r, now) for r in rows])
    return len(rows)


def _norm(name: Any) -> str:
    """Developer / Hub org names compared loosely: "Meta" ~ "meta-llama", "Mistral AI" ~ "mistralai"."""
    return re.sub(r"[^a-z0-9]", "", (scalar_text(name) or "").lower())


def _publisher_names(store: Store, author: str | None, curated_only: bool = False) -> list[str]:
    """The namespace and its curated publisher's names, normalised (empty for a local folder).

    With ``curated_only`` nothing unless the namespace is in the curated publishers table: a producer or
    developer name alone ("Meta") must not be matched to any namespace that happens to start with it
    (``meta-math``).
    """
    if not author:
        return []
    curated: list[str] = []
    has = store.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = 'publishers'")
    if has:
        for row in store.con.execute("SELECT org, name, organisation FROM publishers WHERE lower(org) = ?",
                                     [author.lower()]).fetchall():
            curated += [_norm(v) for v in row if v]
    if curated_only and not curated:
        return []
    return [n for n in [_norm(author), *curated] if n]


def _produced_by(key: str, repo: str, who: list[str]) -> bool:
    """Does a ``name:producer/name`` key name this repository and a producer this namespace starts with?"""
    prod, _, name = key[len("name:"):].partition("/")
    return name == repo and any(w.startswith(prod) for w in who)


def overlay(store: Store | None, model_id: str, author: str | None, ours: dict[str, Any]) -> dict[str, Any] | None:
    """Expert grades for this model beside ours, and the disagreements. ``None`` when there are none."""
    if store is None:
        return None
    has = store.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = 'openness_experts'")
    if not has:
        return None
    repo = model_id.lower().rsplit("/", 1)[-1]
    rows = store.con.execute(
        "SELECT source, key, name, framework, dimension, grade, score, url FROM openness_experts "
        "WHERE (source <> 'fmti' AND key = ?) OR source = 'fmti' OR (starts_with(key, 'name:') AND key LIKE ?) "
        "ORDER BY source, dimension",
        [model_id.lower(), f"name:%/{repo}"]).fetchall()
    who = _publisher_names(store, author, curated_only=True)
    rows = [r for r in rows
            if (not r[1].startswith("name:") or _produced_by(r[1], repo, who))
            and (r[0] != "fmti" or (_norm(r[1]) and any(w.startswith(_norm(r[1])) for w in who)))]
    if not rows:
        return None
    out: dict[str, Any] = {"sources": {}, "disagreements": []}
    for source, key, name, _fw, dim, grade, score, url in rows:
        if source == "fmti" and not _norm(key):
            continue
        src = out["sources"].setdefault(source, {"name": name, "url": url, "grades": {}})
        src["grades"][dim] = grade if grade is not None else score
    osai_exp = out["sources"].get("osai", {}).get("grades", {})
    for d in DIMENSIONS:
        if d in osai_exp and ours["osai"].get(d) not in (None, "unknown") and osai_exp[d] != ours["osai"][d]:
            out["disagreements"].append({"framework": "osai", "dimension": d, "openscope": ours["osai"][d],
                                         "expert": osai_exp[d]})
    mof_exp = out["sources"].get("mof", {}).get("grades", {})
    if "class" in mof_exp and mof_exp["class"] != ours["mof"]["label"]:
        out["disagreements"].append({"framework": "mof", "dimension": "class", "openscope": ours["mof"]["label"],
                                     "expert": mof_exp["class"]})
    return out
