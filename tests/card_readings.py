"""What the probes read of one card text, for the tests of cards in other languages and their English twins:
its grades, each probe's (outcome, status, licence), and the scopes the licence names in it cover."""

from __future__ import annotations

from openscope.derive.openness.assessment import sides
from openscope.derive.openness.evaluations import osai
from openscope.derive.openness.probes import run_all
from openscope.derive.openness.probes._license_scope import scopes_of
from openscope.derive.openness.probes.license_declared import OPEN_NAMES, RESTRICTIVE_NAMES
from openscope.derive.openness.records import ModelRecord, from_text


def card_record(text: str) -> ModelRecord:
    return from_text("acme/lynx-7b", text, locator="README.md")


def card_grades(text: str) -> dict[str, object]:
    end, base, *_ = sides(card_record(text), use_curated=False)
    return osai.evaluate(end, base)


def card_findings(text: str) -> dict[str, tuple[str, str, str | None]]:
    return {f.probe: (f.outcome, f.status, f.license) for f in run_all(card_record(text))}


def licence_scopes(text: str) -> list[tuple[str, list[str]]]:
    hits = sorted((m.start(), m.end(), lic) for lic, rx in OPEN_NAMES + RESTRICTIVE_NAMES for m in rx.finditer(text))
    return [(lic, sorted(sc)) for (_, _, lic), sc in zip(hits, scopes_of(text, [(a, b) for a, b, _ in hits]),
                                                            strict=True)]
