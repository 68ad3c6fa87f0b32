"""What the probes read of one card text, for the tests of cards in other languages and their English twins:
its grades, each probe's (outcome, status, licence), and the scopes the licence names in it cover."""

from __future__ import annotations

from openscope.derive.openness.assessment import sides
from openscope.derive.openness.evaluations import osai
from openscope.derive.openness.probes import run_all
from openscope.derive.openness.probes.license_declared import licences_in
from openscope.derive.openness.records import ModelRecord, from_text


def card_record(text: str) -> ModelRecord:
    return from_text("acme/lynx-7b", text, locator="README.md")


def card_grades(text: str) -> dict[str, object]:
    end, base, *_ = sides(card_record(text), use_curated=False)
    return osai.evaluate(end, base)


def card_findings(text: str) -> dict[str, tuple[str, str, str | None]]:
    return {f.probe: (f.outcome, f.status, f.license) for f in run_all(card_record(text))}


def licence_scopes(text: str) -> list[tuple[str, list[str]]]:
    # the product's own reading of one licence line: the names (less a family beside its version, and the
    # non-commercial catch-all beside a named NonCommercial licence), each with its scope
    return [(lic, sorted(sc)) for lic, sc in licences_in(text)]
