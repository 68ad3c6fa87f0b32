"""Everything the card pass says about every development card, as one JSON document, to prove a speed change kept it.

Why: a change made only to make the card pass cheaper (cached line maps, prefilters, hoisted patterns) must never
change what it finds. This dumps, for each of the 73 development cards and for each card under every rewrite of
:mod:`bench.invariance` (varied Markdown forms: wrapped, unwrapped, setext, CRLF, reference links, ...), the whole
``assess --json`` document (components with evidence, OSAI, MOF, OSAID, flags, probes, warnings), with and without
curated facts, and the rows the card pass writes to the store (:func:`openscope.derive.openness.openness_rows`).
Run it before a change and after it, and compare the two files: they must be byte-identical.

``python -m bench.card_outputs OUT.json`` (from the repository root, ``PYTHONPATH=.``);
``python -m bench.card_outputs --compare A.json B.json`` prints the first differing documents and exits 1 if any.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from bench.invariance import TRANSFORMS, dev_cards
from openscope.derive.openness import openness_rows
from openscope.derive.openness.assessment import assess_record
from openscope.derive.openness.records import finish, from_text


def outputs() -> dict[str, Any]:
    """{card/transform key: {"curated": assess JSON, "own": assess JSON without curated facts, "rows": store rows}}."""
    out: dict[str, Any] = {}
    for fam, hub, text, _ in dev_cards():
        forms = {"original": text} | {name: fn(text) for name, fn in TRANSFORMS.items()}
        for name, body in forms.items():
            doc: dict[str, Any] = {}
            for curated in (True, False):
                a = assess_record(finish(from_text(hub, body, locator=fam + ".md")), use_curated=curated)
                doc["curated" if curated else "own"] = a.as_json()
                if curated:
                    doc["rows"] = [list(r) for r in openness_rows(a)]
            out[f"{fam} {name}"] = doc
    return out


def compare(a: str, b: str) -> int:
    """0 when the two dumps are equal, else 1 after naming the keys that differ."""
    with open(a, encoding="utf-8") as fa, open(b, encoding="utf-8") as fb:
        da, db = json.load(fa), json.load(fb)
    bad = sorted(k for k in set(da) | set(db) if da.get(k) != db.get(k))
    for k in bad[:20]:
        print(f"differs: {k}")
    print(f"{len(da)} / {len(db)} documents, {len(bad)} differ")
    return 1 if bad else 0


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "--compare":
        return compare(argv[1], argv[2])
    if len(argv) != 1 or argv[0].startswith("--"):
        print("usage: python -m bench.card_outputs OUT.json | --compare A.json B.json", file=sys.stderr)
        return 2
    with open(argv[0], "w", encoding="utf-8") as f:
        json.dump(outputs(), f, sort_keys=True, indent=0, default=str)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
