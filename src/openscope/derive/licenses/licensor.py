"""A licence binds its licensees, not its licensor: which organisation publishes a Hub id.

Why: a licence is a grant by the rights holder to others. When the organisation that published a base publishes a
derivative of it under other terms (DeepSeek released DeepSeek-R1 under MIT, built on its own DeepSeek-V3-Base under
the DeepSeek License Agreement), that is a relicensing by the rights holder, not a licensee dropping duties: the
base's terms do not flow down to it from *that* ancestor (docs/licenses.md, *Flow-down along lineage*). Ancestors by
other organisations still bind it, also through a same-organisation base.

"Same organisation" is read from data, never guessed: the shipped publishers table
(``openscope/data/publishers/publishers.csv``, loaded into the store's ``publishers``) maps legacy namespaces to one
organisation (``facebook`` → ``meta-llama``, ``THUDM`` → ``zai-org``), ``model_publishers.csv`` names the maker of a
model held in another's namespace, and a namespace the table does not list is its own organisation (the same Hub
account, compared case-insensitively as the Hub compares namespaces). An id without a namespace has no known
organisation: no exception.
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Iterable

from openscope.derive.lineage.publishers import data_dir, model_overrides, publisher_expr

WHY = "a licence binds its licensees, not its licensor"


@functools.cache
def _rows() -> tuple[tuple[str, str, str], ...]:
    """(namespace, organisation, name) of the shipped publishers table, the first two lower case."""
    with (data_dir() / "publishers.csv").open(encoding="utf-8", newline="") as fh:
        return tuple((r["org"].strip().lower(), (r.get("organisation") or r["org"]).strip().lower(),
                      (r.get("name") or "").strip()) for r in csv.DictReader(fh) if r["org"].strip())


@functools.cache
def aliases() -> tuple[tuple[str, str], ...]:
    """(namespace, organisation), lower case: the namespaces that belong to another namespace's organisation."""
    return tuple((ns, org) for ns, org, _ in _rows() if org and org != ns)


def organisation(hub_id: str | None) -> str | None:
    """The lower-cased organisation that publishes ``hub_id``: the one ``model_publishers.csv`` names for it, else
    its namespace's (the publishers table's ``organisation``, else the namespace itself); None without a namespace.
    The Python twin of :func:`org_sql`."""
    if not hub_id:
        return None
    lid = hub_id.strip().lower()
    ns = dict(model_overrides()).get(lid) or (lid.split("/", 1)[0] if "/" in lid else None)
    if not ns:
        return None
    return dict(aliases()).get(ns, ns)


def org_sql(col: str) -> str:
    """SQL for :func:`organisation` of the Hub id in ``col`` (the few legacy namespaces inlined as constants: no
    join, as :func:`.publisher_expr` inlines the per-model makers)."""
    pub = publisher_expr(col)
    pairs = aliases()
    if not pairs:
        return pub
    cases = " ".join(f"WHEN '{n.replace(chr(39), chr(39) * 2)}' THEN '{o.replace(chr(39), chr(39) * 2)}'"
                     for n, o in pairs)
    # (DuckDB computes the repeated publisher expression once: measured 0.27 s on 1.1 million pairs, where a lambda
    # binding it took 0.67 s)
    return f"CASE {pub} {cases} ELSE {pub} END"


def same_org_sql(a: str, b: str) -> str:
    """SQL: TRUE when the Hub ids in columns ``a`` and ``b`` are published by one known organisation, else FALSE
    (never NULL: an unknown organisation is no exception)."""
    return f"coalesce({org_sql(a)} = {org_sql(b)}, FALSE)"


def _name_forms(name: str) -> set[str]:
    """A publisher's name as a curated family may spell it: whole, without a trailing qualifier in parentheses
    ("Meta (Llama)": "Meta"), and each of the names it joins with " / " ("Google / Google DeepMind")."""
    out = {name}
    bare = re.sub(r"\s*\([^()]*\)\s*$", "", name)
    out.add(bare)
    out.update(p for p in re.split(r"\s+/\s+", bare) if p)
    return {" ".join(n.split()).casefold() for n in out if n.strip()}


@functools.cache
def names_of(org: str) -> frozenset[str]:
    """Every name the publishers table gives the organisation ``org`` (lower case) under any of its namespaces, in
    the forms :func:`_name_forms` reads."""
    return frozenset(f for ns, o, name in _rows() if o == org and name for f in _name_forms(name))


def family_organisations(hub_ids: Iterable[str]) -> frozenset[str]:
    """The organisations whose namespaces hold a curated family's own repositories (its ``hub_ids``, patterns such
    as ``qwen/qwen2.5-*`` read by their namespace; legacy namespaces folded as :func:`organisation` folds them). A
    family's ids are where its publisher releases it, so their namespaces name its licensor without comparing
    spellings of names ("Alibaba Cloud (Qwen)" against the publishers table's "Alibaba Cloud – Qwen team")."""
    al = dict(aliases())
    return frozenset(al.get(ns, ns) for h in hub_ids if "/" in h and (ns := h.strip().lower().split("/", 1)[0]))


def publishes(hub_id: str | None, publisher: str | None, family_ids: Iterable[str] = ()) -> bool:
    """Whether the organisation of ``hub_id`` is the one that publishes a curated family: it owns one of the
    namespaces of the family's own repositories (``family_ids``), or the family's ``publisher``, compared without
    case and extra spaces, is one of the names the publishers table gives that organisation. False when the
    model's organisation is unknown (no namespace) or neither matches: a card read alone gets the exception only
    from data."""
    org = organisation(hub_id)
    if org is None:
        return False
    if org in family_organisations(family_ids):
        return True
    if not publisher or not publisher.strip():
        return False
    return " ".join(publisher.split()).casefold() in names_of(org)
