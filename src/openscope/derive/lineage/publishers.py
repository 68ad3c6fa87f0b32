"""The curated publishers table: Hub namespace → organisation, country, region, with sources.

A model whose maker is not its namespace's organisation (a canonical-move namespace holding another maker's
checkpoint) is attributed per model (``model_publishers.csv``, :func:`publisher_expr`).

Why curated and shipped: a model's origin ("is this built on a Chinese base?") must rest on stated facts
with their sources, never on a guess from a name. The CSVs in ``openscope/data/publishers`` are loaded into
the store's ``publishers`` and ``publisher_sources`` tables whenever their content changes; namespaces
match case-insensitively, as the Hub matches them.
"""

from __future__ import annotations

import csv
import functools
import hashlib
from importlib import resources
from pathlib import Path

from openscope.store import Store

DATA = "data/publishers"
FILES = ("publishers.csv", "publisher_sources.csv", "aliases.csv", "model_publishers.csv")


def data_dir() -> Path:
    """The folder holding the shipped publisher CSVs."""
    return Path(str(resources.files("openscope") / DATA))


def data_hash() -> str:
    """A fingerprint of the shipped data: a change forces origins (and, for the canonical-move namespaces,
    which edges resolve where) to be recomputed."""
    h = hashlib.sha256()
    for name in FILES:
        h.update((data_dir() / name).read_bytes())
    h.update((data_dir().parent / "canonical" / "namespaces.csv").read_bytes())
    return h.hexdigest()[:16]


def load(store: Store) -> None:
    """Replace ``publishers`` and ``publisher_sources`` with the shipped data (call inside a transaction)."""
    con = store.con
    d = data_dir()
    con.execute("DELETE FROM publishers")
    con.execute(
        """INSERT INTO publishers (org, name, country, region, kind, source, organisation, alias_of,
                                   country_source, region_source)
           SELECT org, nullif(name, ''), nullif(country, ''), nullif(region, ''), nullif(kind, ''), source,
                  coalesce(nullif(organisation, ''), org), nullif(alias_of, ''),
                  nullif(country_source, ''), nullif(region_source, '')
           FROM read_csv(?, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"')""",
        [str(d / "publishers.csv")],
    )
    con.execute("DELETE FROM publisher_sources")
    con.execute(
        """INSERT INTO publisher_sources (org, attribute, value, source, used, note)
           SELECT org, attribute, nullif(value, ''), source, used = 'true', nullif(note, '')
           FROM read_csv(?, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"')""",
        [str(d / "publisher_sources.csv")],
    )


    con.execute("DELETE FROM model_publishers")
    con.execute(
        """INSERT INTO model_publishers (id, org, source)
           SELECT id, org, source
           FROM read_csv(?, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"')""",
        [str(d / "model_publishers.csv")],
    )


@functools.cache
def model_overrides() -> tuple[tuple[str, str], ...]:
    """(model id, organisation), lower case: the models whose maker is not their namespace's organisation
    (``model_publishers.csv``, a source per row; e.g. deepset's German BERT in Google's ``google-bert``)."""
    with (data_dir() / "model_publishers.csv").open(encoding="utf-8", newline="") as fh:
        return tuple((r["id"].strip().lower(), r["org"].strip().lower()) for r in csv.DictReader(fh) if r["id"].strip())


def publisher_expr(col: str) -> str:
    """SQL for the lower-cased organisation that published the Hub id in ``col``: its namespace, or the
    organisation ``model_publishers.csv`` names for that one model (a handful of constants inlined: no join)."""
    ns = namespace_expr(col)
    pairs = model_overrides()
    if not pairs:
        return ns
    cases = " ".join(f"WHEN '{i.replace(chr(39), chr(39) * 2)}' THEN '{o.replace(chr(39), chr(39) * 2)}'" for i, o in pairs)
    return f"(CASE lower({col}) {cases} ELSE {ns} END)"


PUB_LOOKUP_SQL = """
    SELECT lower(org) AS lorg, org, organisation, name, country, region, kind FROM publishers
"""


def namespace_expr(col: str) -> str:
    """SQL for the lower-cased namespace of a Hub id (NULL for legacy ids without one, e.g. ``gpt2``).

    The text before the first ``/``, cut by position: ``split_part`` builds a list per row (measured
    slower; same values on every id of the benchmark store and on non-ASCII ids).
    """
    return f"CASE WHEN contains({col}, '/') THEN lower(left({col}, strpos({col}, '/') - 1)) END"
