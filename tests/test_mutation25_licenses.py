"""Licences: behaviour that mutation testing showed no test asserted (twenty-fifth session).

docs/licenses.md, "Share-alike compatibility" and "A model" (``effective_duties``); docs/reviews.md, "Mutation
testing (twenty-fifth session)", lists the mutants these tests kill.
"""

from __future__ import annotations

import pytest

from openscope.derive.licenses import sharealike
from openscope.derive.licenses.flowdown import _duties_with_bases


@pytest.mark.parametrize("base, derivative, verdict", [
    (None, "mit", None),                       # nothing to decide without both licences
    ("cc-by-sa-4.0", None, None),
    ("mit", "mit", True),                      # the same text, even with no share-alike entry for it
    ("gpl-3.0", "gpl-3.0-only", True),         # another id of the same text
    ("cc-by-sa-4.0", "gpl-3.0", True),         # a licence the base's text accepts (one way)
    ("gpl-3.0", "mit", False),                 # a closed list: anything else is refused
    ("cc-by-sa-4.0", "cc-by-nc-4.0", False),   # ruled out by the text
    ("cc-by-sa-4.0", "mit", None),             # neither accepted nor ruled out: not decided
    ("mit", "apache-2.0", None),               # no entry for the base
])
def test_share_alike_accepts(base: str | None, derivative: str | None, verdict: bool | None) -> None:
    assert sharealike.accepts(base, derivative) is verdict


def test_licence_specific_duties_are_listed_once_per_licence() -> None:
    """A merge of bases under two licences carries both licences' texts and notices; a base under the model's own
    licence adds its licence text no second time (``LICENCE_SPECIFIC``), while its other duties are added."""
    merge = _duties_with_bases(None, [("a/llama2", ["include_license", "notice"]),
                                      ("b/llama31", ["include_license", "notice"])],
                               base_licenses={"a/llama2": "llama2", "b/llama31": "llama3.1"})
    assert merge == [{"duty": "include_license", "from": "a/llama2"}, {"duty": "notice", "from": "a/llama2"},
                     {"duty": "include_license", "from": "b/llama31"}, {"duty": "notice", "from": "b/llama31"}]
    same = _duties_with_bases(["include_license"], [("a/base", ["include_license", "attribution"])],
                              own_license="apache-2.0", base_licenses={"a/base": "apache-2.0"})
    assert same == [{"duty": "include_license", "from": None}, {"duty": "attribution", "from": "a/base"}]
    two_of_one = _duties_with_bases(None, [("a/one", ["include_license"]), ("b/two", ["include_license"])],
                                    base_licenses={"a/one": "llama2", "b/two": "llama2"})
    assert two_of_one == [{"duty": "include_license", "from": "a/one"}]   # one licence, one copy of its text


def test_other_duties_are_listed_once_and_only_a_conditional_one_is_scoped() -> None:
    """A duty that is not licence-specific is listed once, from the nearest base that has it; only the (base, duty)
    pairs named conditional carry ``scope: unmodified_only``."""
    duties = _duties_with_bases(None, [("a/sample", ["attribution"]), ("b/base", ["attribution", "notice"])],
                                conditional={("a/sample", "attribution")},
                                base_licenses={"a/sample": "apple-ascl", "b/base": "apache-2.0"})
    assert duties == [{"duty": "attribution", "from": "a/sample", "scope": "unmodified_only"},
                      {"duty": "notice", "from": "b/base"}]


@pytest.mark.parametrize("own, bases, want", [
    # (own commercial use, restrictions, cap), the bases' licences -> effective (commercial, restrictions, cap):
    # every licence applies (an AND), the lowest cap, an unknown base leaves what it could forbid unknown
    ((True, False, None), ["apache-2.0"], (True, False, None)),
    ((True, False, None), ["cc-by-nc-4.0"], (False, False, None)),
    ((True, False, None), ["llama2"], (True, True, 700_000_000)),
    ((True, False, 1000), ["llama2"], (True, True, 1000)),
    ((True, False, None), [None], (None, None, None)),
])
def test_effective_terms_with_bases(own: tuple, bases: list, want: tuple) -> None:
    from openscope.derive.licenses.flowdown import _with_bases

    got = _with_bases(*own, bases)
    assert (got["effective_commercial_use"], got["effective_use_restrictions"], got["effective_user_cap"]) == want
