"""The curated publishers table: Hub namespace → organisation, country, region, with sources.

Why curated and shipped: a model's origin ("is this built on a Chinese base?") must rest on stated facts
with their sources, never on a guess from a name. The CSVs in ``openscope/data/publishers`` are loaded into
the store's ``publishers`` and ``publisher_sources`` tables whenever their content changes; namespaces
match case-insensitively, as the Hub matches them.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

from openscope.store import Store

DATA = "data/publishers"
FILES = ("publishers.csv", "publisher_sources.csv", "aliases.csv")


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


PUB_LOOKUP_SQL = """
    SELECT lower(org) AS lorg, org, organisation, name, country, region, kind FROM publishers
"""


def namespace_expr(col: str) -> str:
    """SQL for the lower-cased namespace of a Hub id (NULL for legacy ids without one, e.g. ``gpt2``).

    The text before the first ``/``, cut by position: ``split_part`` builds a list per row (measured
    slower; same values on every id of the benchmark store and on non-ASCII ids).
    """
    return f"CASE WHEN contains({col}, '/') THEN lower(left({col}, strpos({col}, '/') - 1)) END"
