"""The Hub's canonical-move namespaces (``namespaces.csv``, a source per row; see ATTRIBUTION.md).

Read by the store's id lookup (a user typing ``gpt2`` means the Hub's ``openai-community/gpt2``) and by
lineage (a card declaring ``base_model: gpt2``): one loader for both layers.
"""

from __future__ import annotations

import csv
import functools
from importlib import resources
from pathlib import Path

DATA = "data/canonical/namespaces.csv"


def data_file() -> Path:
    """The shipped list of canonical-move namespaces (with a source per row)."""
    return Path(str(resources.files("openscope") / DATA))


@functools.cache
def namespaces() -> tuple[str, ...]:
    """The canonical-move namespaces, lower case (the Hub matches namespaces case-insensitively)."""
    with data_file().open(encoding="utf-8", newline="") as fh:
        return tuple(sorted({r["namespace"].strip().lower() for r in csv.DictReader(fh) if r["namespace"].strip()}))
