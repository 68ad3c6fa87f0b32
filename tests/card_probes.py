"""Running one probe on a card the test writes, written once for the evidence tests.

Why a module of its own: every evidence review (``test_openness_evidence*.py``) writes short cards in its own words and
asks one probe what it found and what it cites; each kept its own two-line copy of the same helpers. Test modules
cannot import one another, so they import this one, as they import ``lineage_graphs``. It calls the product's own
``run_all`` on a record ``from_text`` builds: nothing is mocked.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

from openscope.derive.openness.probes import Finding, run_all
from openscope.derive.openness.records import ModelRecord, from_folder, from_text


def probe(text: str, name: str, model_id: str = "acme/model") -> Finding:
    """The finding of probe ``name`` on the card ``text`` of ``model_id``."""
    return next(f for f in run_all(from_text(model_id, text)) if f.probe == name)


def cited(f: Finding) -> str:
    """Everything a finding cites, locators and snippets, as one string to search."""
    return " ".join(f"{e.locator} {e.snippet}" for e in f.evidence)


def expected_value(found: dict[str, object], name: str) -> object:
    """What a card's expectation ``name`` is compared with, from the findings by probe name ``found``: ``hw_<key>``
    a detail of the hardware finding, ``claim`` the open-source claim's outcome, else a probe's status."""
    if name.startswith("hw_"):
        return found["hardware_documented"].detail.get(name[3:])  # type: ignore[attr-defined]
    if name == "claim":
        return found["open_source_claim"].outcome  # type: ignore[attr-defined]
    return found[name].status  # type: ignore[attr-defined]


def card_folder_record(tmp_path: Path, model_id: str, text: str) -> ModelRecord:
    """The record of a downloaded folder holding only the card ``text`` as its README, the folder named as the
    model's name part (a plain folder, as a user's download is: no namespace), read by ``from_folder``."""
    folder = tmp_path / model_id.rpartition("/")[2]
    folder.mkdir()
    (folder / "README.md").write_text(text, encoding="utf-8")
    return from_folder(folder)


def check_round_card(key: str, rec: ModelRecord, cards: Any, left: Collection[tuple[str, str]], folder: bool,
                     value: Callable[[dict[str, Finding], str], object] = expected_value) -> None:
    """An evidence round's card ``key`` graded as its careful reader wrote down before any run: ``cards`` is the
    round's module (``EXPECTED``, ``EXPECTED_OSAI``, ``EXPECTED_FLAGS``, ``FOLDER_ONLY``); ``left`` the (card, probe
    or dimension) pairs the round left as rule questions; ``folder`` whether ``rec`` was read from a folder."""
    from openscope.derive.openness.assessment import assess_record

    a = assess_record(rec, use_curated=False)
    found = {f.probe: f for f in a.findings}
    over = cards.FOLDER_ONLY.get(key, {}) if folder else {}
    for name, accepted in cards.EXPECTED[key].items():
        if (key, name) not in left:
            assert value(found, name) in over.get(name, accepted), (key, name, value(found, name))
    for dim, grades in cards.EXPECTED_OSAI[key].items():
        if (key, dim) not in left:
            assert a.osai[dim] in over.get(dim, grades), (key, dim, a.osai[dim], a.osai_basis.get(dim))
    flags = {f["flag"] for f in a.flags}
    for flag, want in cards.EXPECTED_FLAGS.get(key, {}).items():
        assert (flag in flags) == want, (key, flag, flags)
