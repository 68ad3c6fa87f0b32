"""Every development card keeps its grades when rewritten in another equally valid Markdown form (issue 7).

Why: the probes were tuned on these 73 cards; a rule that reads their form rather than what they say fails on unseen
cards. Each transform here (``bench/invariance.py``) renders to the same document in CommonMark (or one a reader cannot
tell apart: typographic quotes, every heading one level deeper); the ones listed leave every (card, OSAI dimension)
grade and every (card, MOF component) status as the original text gives them. The transforms that still change some
grades (re-flowing paragraphs, reference-style links) are measured by ``python -m bench.invariance`` and described
in ``docs/reviews.md``.
"""

from __future__ import annotations

import pytest

from bench.invariance import TRANSFORMS, dev_cards, grade

pytestmark = pytest.mark.reference

INVARIANT = ("crlf", "setext", "star_bullets", "autolinks", "front_matter", "trailing_whitespace", "typographic",
             "deeper_headings", "reference_links")


@pytest.fixture(scope="module")
def originals(shared_data) -> list[tuple[str, str, str, tuple[dict[str, str], dict[str, str]]]]:
    return [(fam, hub, text, grade(hub, text, fam + ".md")) for fam, hub, text, _ in dev_cards()]


@pytest.mark.parametrize("name", INVARIANT)
def test_a_rewrite_keeps_every_grade(originals, name: str) -> None:
    changed = []
    for fam, hub, text, (osai, mof) in originals:
        new = TRANSFORMS[name](text)
        g, m = grade(hub, new, fam + ".md")
        changed += [f"{fam} {d}: {osai[d]} -> {g[d]}" for d in osai if g[d] != osai[d]]
        changed += [f"{fam} {c}: {mof[c]} -> {m[c]}" for c in mof if m[c] != mof[c]]
    assert not changed, changed


# The transforms that still change a few grades: at most as many (OSAI grades + MOF statuses) as measured after the
# twenty-first and twenty-third sessions' fixes (before them: wrap_lines 59, hard_wrap 59, setext 66, reference_links
# 65), so a rule that makes a card more form-dependent fails here. What remains and why: docs/reviews.md,
# invariance review and its second round.
CEILINGS = {"wrap_lines": 3, "hard_wrap": 7, "unwrap": 12}


@pytest.mark.parametrize("name", sorted(CEILINGS))
def test_a_rewrite_changes_no_more_grades_than_measured(originals, name: str) -> None:
    changed = 0
    for fam, hub, text, (osai, mof) in originals:
        g, m = grade(hub, TRANSFORMS[name](text), fam + ".md")
        changed += sum(g[d] != osai[d] for d in osai) + sum(m[c] != mof[c] for c in mof)
    assert changed <= CEILINGS[name], (name, changed)


def test_the_rewrites_rewrite(originals) -> None:
    """(So the test above compares something: each transform changes the text of most cards.)"""
    for name in INVARIANT:
        touched = sum(TRANSFORMS[name](text) != text for _, _, text, _ in originals)
        assert touched >= 10, (name, touched)
