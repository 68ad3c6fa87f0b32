"""Licences of the libraries a model runs with (``libraries.yml``, each with the URL of its licence file).

Why: a Hub ``library_name`` or a ``from transformers import …`` snippet in a card says the model runs with
that library, so the inference code is the library's code under the *library's* licence. Giving it the
model's licence claimed terms nobody stated (a CC-BY-NC model does not make transformers non-commercial),
and calling a well-known library "no licence" hid a public fact. A library not listed stays unknown.

Each entry records how its licence was checked, as in ``curated.yml``: ``checked`` (the date someone re-read
the licence at its source), ``checked_url`` (when the text that confirmed it is elsewhere than ``url``, e.g.
a ``setup.py`` licence field) and ``verified: false`` for an entry nobody has checked yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

from openscope.derive.openness.curated import check_record
from openscope.yamlsafe import safe_load


@dataclass(frozen=True)
class Library:
    name: str
    license: str
    url: str
    verified: bool = True             # False: the licence was never checked against its source
    checked: str | None = None        # YYYY-MM-DD the licence was re-read at its source
    checked_url: str | None = None    # where the confirming text is, when not at ``url``
    hub_key: bool = False             # a model library of the Hub's own list: a tag of its name names it


@cache
def _table() -> tuple[dict[str, Library], dict[str, Library]]:
    """(by Hub ``library_name``, by Python import name)."""
    text = resources.files("openscope.data.openness").joinpath("libraries.yml").read_text("utf-8")
    by_name: dict[str, Library] = {}
    by_import: dict[str, Library] = {}
    for name, row in (safe_load(text).get("libraries") or {}).items():
        check_record(f"libraries.yml / {name}", row)
        checked = row.get("checked")
        lib = Library(str(name).lower(), str(row["license"]), str(row["url"]), bool(row.get("verified", True)),
                      str(checked) if checked else None, row.get("checked_url"), bool(row.get("hub_key", False)))
        by_name[lib.name] = lib
        for mod in row.get("imports") or []:
            by_import[str(mod).lower()] = lib
    return by_name, by_import


def by_library_name(name: str | None) -> Library | None:
    """The library a Hub ``library_name`` names (case-insensitive), if its licence is listed."""
    return _table()[0].get(name.lower()) if name else None  # as the set-based form: lower() only


def by_import(module: str | None) -> Library | None:
    """The library a Python ``import``/``from … import`` of ``module`` loads (its top-level package)."""
    return _table()[1].get(module.split(".")[0].strip().lower()) if module else None


def from_tags(tags: list[str]) -> str | None:
    """The library a card's tags name, for a card without ``library_name``: the first tag that is a model library
    of the Hub's own list (``hub_key``). Why: the Hub documents that it takes the library from ``library_name``,
    else from "a tag with the name of a library that is supported" (an ESPnet card's ``tags: [espnet]``); openscope
    read only the first, so a card and the Hub page of the same model named different libraries. A framework or a
    file format tag (``pytorch``, ``onnx``, ``gguf``) names no model library there, and is not read so."""
    table = _table()[0]
    for t in tags:
        lib = table.get(t.strip().lower())
        if lib is not None and lib.hub_key:
            return lib.name
    return None


def all_libraries() -> list[Library]:
    """Every listed library, by name (for the check-record test and reviewers)."""
    return [_table()[0][n] for n in sorted(_table()[0])]


def known_names() -> list[str]:
    """Every listed ``library_name`` (the set-based grading keeps these apart; others are one pattern)."""
    return sorted(_table()[0])
