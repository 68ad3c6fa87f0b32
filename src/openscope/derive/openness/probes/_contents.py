"""Is a line an entry of the card's table of contents?

Why: a README opens with its contents, a list of links to its own sections ("- [Pre-trained Weights](#pre-trained-
weights)", "1. [HumanEval](#humaneval)"). Such an entry repeats a section's title; it says nothing of what the section
holds, and a reader sent to it finds a link. A phrase matched there gives way to its next occurrence (the section
itself, usually); when there is none, the entry stays the evidence (the status does not depend on where it is quoted).
"""

from __future__ import annotations

import re

# A list item whose whole content is one link to an anchor of the same page (emphasis or an emoji around it allowed).
_CONTENTS_ITEM = re.compile(r"[ \t]{0,12}(?:[-*+]|\d{1,3}[.)])[ \t]{1,4}[^\w\[\n]{0,12}\[[^\[\]\n]{1,200}\]\(#[^()\s]{0,200}\)"
                            r"[^\w\n]{0,12}")


def contents_entry(text: str, pos: int) -> bool:
    """Whether the line of ``text`` holding offset ``pos`` is a table of contents' entry (:data:`_CONTENTS_ITEM`).
    Cheap: a line without "](#" is read no further."""
    a = text.rfind("\n", 0, pos) + 1
    b = text.find("\n", pos)
    line = text[a:b if b >= 0 else len(text)].rstrip("\r")
    return "](#" in line and _CONTENTS_ITEM.fullmatch(line) is not None
