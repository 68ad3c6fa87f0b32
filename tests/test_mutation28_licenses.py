"""Licences: behaviour that the third mutation-testing round showed no test asserted (twenty-eighth session).

docs/licenses.md, *The normaliser* rule 3 (an SPDX expression: OR lets the licensee pick the least restrictive
option, AND applies every part, a duty stays ``unmodified_only`` only when every part imposing it says so) and *A
licence* (``openscope license EXPR`` answers one combined entry); docs/reviews.md, "Mutation testing, third round:
the licences (twenty-eighth session)", lists the mutants these tests kill.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from openscope.derive.licenses.catalogue import get_license
from openscope.derive.licenses.flowdown import declared_value

# expression → the combined entry's terms: (class, spdx, osi_approved, commercial_use, use_restrictions, user_cap,
# same_terms, derivatives_allowed, duties, duty_scopes)
EXPRESSIONS: list[tuple[str, tuple[Any, ...]]] = [
    # OR: the licensee may pick MIT, so the non-commercial option does not bind (not the first part's terms)
    ("cc-by-nc-4.0 OR MIT", ("permissive", "CC-BY-NC-4.0 OR MIT", None, True, False, None, False, True,
                             ["attribution", "include_license"], {})),
    # OR with a part whose terms were never read (SSPL: class unknown): the known option is the answer
    ("MIT OR SSPL-1.0", ("permissive", "MIT OR SSPL-1.0", None, True, False, None, False, True,
                         ["attribution", "include_license"], {})),
    # OR of unknown parts only: unknown, nothing allowed by guess
    ("SSPL-1.0 OR BUSL-1.1", ("unknown", "SSPL-1.0 OR BUSL-1.1", False, None, None, None, None, True, [], {})),
    # AND with an unknown part: the whole is unknown (its terms could forbid anything)
    ("MIT AND SSPL-1.0", ("unknown", "MIT AND SSPL-1.0", None, None, None, None, None, True,
                          ["attribution", "include_license"], {})),
    # AND: every part applies: non-commercial, Llama's restrictions and its 700 million user cap, all the duties;
    # no SPDX form, as llama3.1 has no SPDX id
    ("llama3.1 AND cc-by-nc-4.0", ("custom_flow_down", None, False, False, True, 700_000_000, True, True,
                                   ["include_license", "naming:Built with Llama", "name_prefix:Llama", "notice",
                                    "attribution", "state_changes"], {})),
    # WITH: the exception's licence carries the terms
    ("GPL-2.0-only WITH Classpath-exception-2.0",
     ("copyleft", "GPL-2.0-only WITH Classpath-exception-2.0", True, True, False, None, True, True,
      ["attribution", "include_license", "same_terms"], {})),
    # a no-derivatives part forbids derivatives of the whole; unknown share-alike stays unknown under AND
    ("cc-by-nd-4.0 AND MIT", ("use_restricted", "CC-BY-ND-4.0 AND MIT", None, True, True, None, None, False,
                              ["attribution", "include_license", "state_changes"], {})),
    # apple-ascl's notice binds only unmodified copies; MIT's binds every copy, so AND binds every copy
    ("apple-ascl AND MIT", ("permissive", None, None, True, False, None, False, True,
                            ["attribution", "include_license"], {})),
    # llama3.1 imposes include_license on every copy but no attribution: apple-ascl's attribution stays scoped
    ("apple-ascl AND llama3.1", ("custom_flow_down", None, False, True, True, 700_000_000, True, True,
                                 ["attribution", "include_license", "naming:Built with Llama", "name_prefix:Llama",
                                  "notice"], {"attribution": "unmodified_only"})),
]


@pytest.mark.parametrize("expression, terms", EXPRESSIONS, ids=[e for e, _ in EXPRESSIONS])
def test_expression_terms_combine_by_operator(expression: str, terms: tuple[Any, ...]) -> None:
    info = get_license(expression)
    assert info is not None
    got = (info.cls, info.spdx, info.osi_approved, info.commercial_use, info.use_restrictions, info.user_cap,
           info.same_terms, info.derivatives_allowed, list(info.duties), dict(info.duty_scopes))
    assert got == terms


def test_expression_entry_names_itself_and_its_source(cli) -> None:
    """``openscope license EXPR --json``: the combined entry is named by the normalised expression and carries the
    clause saying how it was combined, with the SPDX specification as its source (facts carry sources)."""
    r = cli("license", "cc-by-nc-4.0 OR MIT", "--json")
    assert r.code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert (doc["license"], doc["name"], doc["notes"]) == ("CC-BY-NC-4.0 OR MIT", "CC-BY-NC-4.0 OR MIT",
                                                           "synthesised from an SPDX expression")
    assert doc["clauses"] == [{
        "attribute": "expression",
        "text": "combines cc-by-nc-4.0, mit: OR lets the licensee pick the least restrictive option, AND applies "
                "every part",
        "url": "https://spdx.github.io/spdx-spec/v2.3/SPDX-license-expressions/",
        "verified": True}]


@pytest.mark.parametrize("tag, card_license, declared", [
    ("mit", '["mit"]', "mit"),                                     # one licence in a list: the tag says it all
    ("mit", '["mit", "cc-by-nc-4.0"]', '["mit", "cc-by-nc-4.0"]'),  # several: the whole list is the declaration
    ("mit", "mit", "mit"),
    ("mit", "[not json", "mit"),
    (None, None, None),
])
def test_declared_value_keeps_the_list_only_when_it_names_several(tag: str | None, card_license: str | None,
                                                                  declared: str | None) -> None:
    """The per-model twin of the refresh's SQL (``json_array_length(...) > 1``)."""
    assert declared_value(tag, card_license) == declared


def test_a_remark_in_brackets_naming_or_is_no_expression(cli) -> None:
    """Rule 2: a remark in brackets is ignored when the rest names a licence exactly, even when the remark holds the
    word "or": the answer is that licence's own catalogue entry, not an expression synthesised from it."""
    assert get_license("Apache-2.0 (see LICENSE or NOTICE)") is None  # no catalogue id, no expression
    r = cli("license", "Apache-2.0 (see LICENSE or NOTICE)", "--json")
    assert r.code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert (doc["license"], doc["name"]) == ("apache-2.0", "Apache License 2.0")
    assert doc["notes"] != "synthesised from an SPDX expression"


# -- share-alike: the licence document's `share_alike` key and the conflict reason's clause ----------------------

def test_share_alike_key_of_the_licence_document(cli) -> None:
    """docs/licenses.md, *Share-alike compatibility*: ``{same_text, accepts, refuses, closed, clauses: [{attribute,
    text, url, verified}]}``, each clause with its source."""
    sa = json.loads(cli("license", "cc-by-sa-4.0", "--json").stdout)["share_alike"]
    assert set(sa) == {"same_text", "accepts", "refuses", "closed", "clauses"}
    assert (sa["same_text"], sa["refuses"], sa["closed"]) == (["cc-by-sa-4.0"], "^cc-", False)
    assert "gpl-3.0" in sa["accepts"]
    assert [c["attribute"] for c in sa["clauses"]] == ["share_alike", "share_alike_compatibility",
                                                       "no_added_restrictions"]
    for c in sa["clauses"]:
        assert c["verified"] is True and c["url"].startswith("https://creativecommons.org/")
        assert c["text"] and c["text"] == c["text"].strip()
    assert sa["clauses"][0]["text"].startswith("Section 3(b)(1): The Adapter's License You apply must be")
    gpl = json.loads(cli("license", "gpl-3.0", "--json").stdout)["share_alike"]
    assert (gpl["refuses"], gpl["closed"]) == (None, True)
    assert "gpl-3.0-only" in gpl["same_text"]
    # a clause read only in the template, not in the licence's own copy, says so: verified false
    ncsa = json.loads(cli("license", "cc-by-nc-sa-4.0", "--json").stdout)["share_alike"]
    assert [c["verified"] for c in ncsa["clauses"] if c["attribute"] == "no_added_restrictions"] == [False]


@pytest.mark.parametrize("base, phrase", [
    # the clause up to its definition of compatible licences (Section 1(c) is cut), quoted
    ("cc-by-sa-4.0", '"Section 3(b)(1): The Adapter\'s License You apply must be a Creative Commons license with the '
                     'same License Elements, this version or later, or a BY-SA Compatible License."'),
    ("gpl-3.0", '"5. c) You must license the entire work, as a whole, under this License to anyone who comes into '
                'possession of a copy."'),
    ("mit", "its share-alike clause"),  # no entry read: the generic phrase
])
def test_why_refused_quotes_the_base_clause(base: str, phrase: str) -> None:
    from openscope.derive.licenses.sharealike import why_refused

    assert why_refused(base) == phrase
    assert "; " not in why_refused(base)  # reasons are joined by "; "


def test_no_added_restrictions_clause_only_where_read() -> None:
    from openscope.derive.licenses.sharealike import forbids_added_restrictions

    clause = forbids_added_restrictions("cc-by-sa-4.0")
    assert clause is not None and clause.attribute == "no_added_restrictions"
    assert clause.text.startswith("Section 3(b)(3)")
    assert forbids_added_restrictions("mit") is None and forbids_added_restrictions(None) is None


# -- licensor: a publisher's name as a curated family may spell it ---------------------------------------------

@pytest.mark.parametrize("hub_id, publisher, expected", [
    ("google/gemma-x", "Google DeepMind", True),            # one of the names "Google / Google DeepMind" joins
    ("google/gemma-x", "  Google   DeepMind ", True),       # spaces and case do not matter
    ("google/gemma-x", "Google / Google DeepMind", True),   # the whole name
    ("google/gemma-x", "DeepMind", False),                  # a part of a name is no name
    ("ibm-granite/x", "IBM", True),                         # "IBM (Granite)" without its qualifier
])
def test_publisher_name_forms(hub_id: str, publisher: str, expected: bool) -> None:
    from openscope.derive.licenses.licensor import publishes

    assert publishes(hub_id, publisher) is expected


# -- the normaliser, rule 5: a file name says only that a licence file exists, unless its suffix names the licence -

_PRESENT = "a licence file{} is present; its text must be read to know which licence it is"
_USE_POLICY = ("an acceptable-use policy file (Llama models ship one): use restrictions are likely, but the file name "
               "does not identify the licence")


@pytest.mark.parametrize("raw, lic, evidence, reason", [
    ("LICENSE", None, "file: LICENSE", _PRESENT.format("")),
    ("x/COPYING.txt", None, "file: COPYING.txt", _PRESENT.format("")),        # `.txt` is an extension, not a scope
    ("LICENSE.md", None, "file: LICENSE.md", _PRESENT.format("")),
    ("LICENSE-MODEL", None, "file: LICENSE-MODEL", _PRESENT.format(" for the model")),
    ("LICENSE-code.md", None, "file: LICENSE-code.md", _PRESENT.format(" for the code")),
    ("org/repo/sub/LICENSE-APACHE", "apache-2.0", "file: LICENSE-APACHE", None),  # only the last path part counts
    ("org\\repo\\LICENSE-MIT", "mit", "file: LICENSE-MIT", None),              # a Windows path too
    ("LICENSE-apache", "apache-2.0", "file: LICENSE-apache", None),
    ("LICENSE-APACHE2.txt", "apache-2.0", "file: LICENSE-APACHE2.txt", None),
    ("LICENSE-MIT.txt", "mit", "file: LICENSE-MIT.txt", None),
    ("use_policy.md", None, "file: use_policy.md", _USE_POLICY),                  # any case
    ("USE-POLICY.txt", None, "file: USE-POLICY.txt", _USE_POLICY),
    ("README.md", None, "file: README.md", "'README.md' is not a licence file name"),
])
def test_file_names(raw: str, lic: str | None, evidence: str, reason: str | None) -> None:
    from openscope.derive.licenses.normalize import normalize_license

    m = normalize_license(raw, kind="file")
    assert (m.license, m.evidence, m.reason) == (lic, evidence, reason)
    # a name that identifies the licence is weaker evidence than the text: file weight 0.6 × 0.8
    assert m.confidence == (0.48 if lic else 0.0)


def test_licence_texts_are_matched_by_their_opening_words() -> None:
    """Rule 5: a licence text is matched by the title or opening words it is known by (weight 0.8), the evidence
    naming the words matched (cut at 60 characters); a text that matches none is unknown, saying so."""
    from openscope.derive.licenses.normalize import normalize_license

    mit = normalize_license("MIT License\n\nCopyright (c) 2024 X\n\nPermission is hereby granted, free of charge, to "
                            "any person obtaining a copy of this software", kind="text")
    assert (mit.id, mit.confidence, mit.reason) == ("mit", 0.8, None)
    assert mit.evidence == "text: …Permission is hereby granted, free of charge, to any person …"
    none = normalize_license("Some words\nthat are no licence at all", kind="text")
    assert (none.id, none.confidence, none.evidence, none.reason) == (
        "unknown", 0.0, "text", "the text matches no catalogued licence's title or opening words")


@pytest.mark.parametrize("link, lic", [
    ("https://ai.google.dev/gemma/terms", "gemma"),                       # a licence's own page
    ("https://spdx.org/licenses/MIT.html", "mit"),                        # the SPDX list's page of a licence
    ("https://opensource.org/licenses/BSD-3-Clause", "bsd-3-clause"),
])
def test_links_are_looser_evidence_than_ids(link: str, lic: str) -> None:
    """Rule 4 and the weights of rule 2: a link matched to a licence's canonical text is worth 0.95, weighted 0.85 as
    a `license_link` (0.807), less than the same licence named by id."""
    from openscope.derive.licenses.normalize import normalize_license

    m = normalize_license(link, kind="link")
    assert (m.id, m.confidence, m.evidence) == (lic, 0.807, f"link: {link}")


@pytest.mark.parametrize("raw, part", [("MIT OR unknown", "unknown"), ("MIT AND other", "other")])
def test_an_expression_with_an_unknown_part_is_unknown_naming_it(raw: str, part: str) -> None:
    from openscope.derive.licenses.normalize import normalize_license

    m = normalize_license(raw)
    assert (m.id, m.license, m.evidence, m.reason) == (
        "unknown", None, f"tag: {raw}", f"expression part '{part}' is not a catalogued licence")


@pytest.mark.parametrize("raw, cls", [
    ("cc-by-nc-4.0 OR MIT", "permissive"),      # OR: the least restrictive option
    ("MIT AND cc-by-nc-4.0", "non_commercial"),  # AND: the most restrictive part
    ("MIT OR SSPL-1.0", "permissive"),          # OR: the least restrictive *known* option
    ("SSPL-1.0 OR BUSL-1.1", "unknown"),        # no known option
    ("MIT AND SSPL-1.0", "unknown"),            # AND with a part of unknown terms
    ("GPL-2.0-only WITH Classpath-exception-2.0", "copyleft"),
])
def test_the_normaliser_classes_an_expression_by_its_operators(raw: str, cls: str) -> None:
    from openscope.derive.licenses.normalize import normalize_license

    m = normalize_license(raw)
    assert (m.id, m.cls, m.evidence) == (None, cls, f"tag: {raw}")
    assert m.reason == "an expression of several licences; its class follows the expression's operators"


@pytest.mark.parametrize("raw, kind, confidence", [
    ("Apache-2.0 OR MIT", "tag", 1.0),
    ("Apache-2.0 OR MIT", "card_name", 0.9),   # weighted by where the value came from
    ("apache2 OR MIT", "card", 0.902),         # the loosest part counts: an alias (0.95) × card (0.95), 3 decimals
])
def test_an_expression_is_as_sure_as_its_loosest_part(raw: str, kind: str, confidence: float) -> None:
    from openscope.derive.licenses.normalize import normalize_license

    m = normalize_license(raw, kind=kind)
    assert (m.expression, m.confidence, m.evidence) == ("Apache-2.0 OR MIT", confidence, f"{kind}: {raw}")


def test_an_unknown_answer_has_no_class() -> None:
    from openscope.derive.licenses.normalize import normalize_license

    for raw, kind in (("MIT OR unknown", "tag"), ("LICENSE", "file"), ("no licence here\nat all", "text")):
        assert normalize_license(raw, kind=kind).cls == "unknown"


# -- the card's licence against the tag (docs/licenses.md, *The card's licence against the tag*) ------------------

_OPEN = {"effective_commercial_use": True, "effective_use_restrictions": False, "effective_user_cap": None}
_CAPPED = {"effective_commercial_use": None, "effective_use_restrictions": None, "effective_user_cap": 1000}


def _terms(lic: str, cls: str, commercial: bool | None, restrictions: bool | None,
           cap: int | None) -> dict[str, Any]:
    return {"license": lic, "class": cls, "commercial_use": commercial, "use_restrictions": restrictions,
            "user_cap": cap}


@pytest.mark.parametrize("card, with_bases, terms, with_card", [
    # no card text, a card agreeing with the tag, or a contradiction naming nothing: the keys mirror effective_*
    (None, _OPEN, None, (True, False, None)),
    ({"card": "cc-by-nc-4.0", "contradicts": False}, _OPEN, None, (True, False, None)),
    ({"card": None, "contradicts": True}, _OPEN, None, (True, False, None)),
    # the card's non-commercial licence applies too: commercial use only when both allow it
    ({"card": "cc-by-nc-4.0", "contradicts": True}, _OPEN,
     _terms("cc-by-nc-4.0", "non_commercial", False, False, None), (False, False, None)),
    # a licence the catalogue does not know: class unknown, null terms, and what it could forbid stays unknown
    ({"card": "my-own", "contradicts": True}, _OPEN, _terms("my-own", "unknown", None, None, None), (None, None, None)),
    ({"card": "SSPL-1.0", "contradicts": True}, _OPEN, _terms("sspl-1.0", "unknown", None, None, None),
     (None, None, None)),
    # spelled otherwise: named by its catalogue id
    ({"card": "MIT", "contradicts": True}, _OPEN, _terms("mit", "permissive", True, False, None), (True, False, None)),
    # restrictions when either has them, the lowest user cap of the two
    ({"card": "llama3.1", "contradicts": True}, _OPEN,
     _terms("llama3.1", "custom_flow_down", True, True, 700_000_000), (True, True, 700_000_000)),
    ({"card": "llama3.1", "contradicts": True}, _CAPPED,
     _terms("llama3.1", "custom_flow_down", True, True, 700_000_000), (None, True, 1000)),
])
def test_the_card_licence_applies_too(card: dict[str, Any] | None, with_bases: dict[str, Any],
                                      terms: dict[str, Any] | None, with_card: tuple[Any, ...]) -> None:
    from openscope.derive.licenses.flowdown import _with_card

    out = _with_card(card, with_bases)
    assert out["card_license_terms"] == terms
    assert (out["effective_commercial_use_with_card"], out["effective_use_restrictions_with_card"],
            out["effective_user_cap_with_card"]) == with_card


@pytest.mark.parametrize("raw, kind, lic_id, confidence, reason", [
    # the Hub's `unknown` is read exactly: the publisher says the licence is unknown (the answer is unknown, no id)
    ("unknown", "tag", "unknown", 1.0, "the publisher declares the licence unknown"),
    ("Unknown", "card_name", "unknown", 0.9, "the publisher declares the licence unknown"),
    ("other", "tag", "other", 1.0,
     "declared as `other`: a licence outside the Hub's list (see license_name / license_link)"),
])
def test_the_hubs_unknown_and_other(raw: str, kind: str, lic_id: str, confidence: float, reason: str) -> None:
    from openscope.derive.licenses.normalize import normalize_license

    m = normalize_license(raw, kind=kind)
    assert (m.id, m.license, m.expression, m.confidence, m.evidence, m.reason, m.cls) == (
        lic_id, None if lic_id == "unknown" else lic_id, None, confidence, f"{kind}: {raw}", reason, "unknown")


# -- which licence file tells what a model declaring `other` (or nothing) is under (docs/licenses.md, *The
# normaliser*, the paragraph on the text of the model's licence file) ---------------------------------------------

_MODEL = ("LICENSE-MODEL", "llama3.1", "LICENSE-MODEL#L1: LLAMA 3.1 COMMUNITY LICENSE")
_RELEASE = ("LICENSE", "mit", "LICENSE#L1: MIT License")
_RELEASE_MD = ("LICENSE.md", "apache-2.0", "LICENSE.md#L1: Apache License")
_CODE = ("LICENSE-CODE", "apache-2.0", "LICENSE-CODE#L1: Apache License")
_UNREAD = ("LICENSE-MODEL", None, "LICENSE-MODEL: not recognised")


@pytest.mark.parametrize("link, files, chosen", [
    (None, [_RELEASE, _MODEL, _CODE], _MODEL),                                  # the weights' file first
    ("LICENSE", [_RELEASE, _MODEL, _CODE], _RELEASE),                           # the file the card's link names
    ("https://huggingface.co/o/m/blob/main/LICENSE", [_MODEL, _RELEASE], _RELEASE),  # its own file page
    ("https://huggingface.co/other/m/blob/main/LICENSE", [_MODEL, _RELEASE], _MODEL),  # another repository's: no
    ("LICENSE-CODE", [_CODE, _RELEASE], _CODE),                                 # named by the card, it counts
    (None, [_CODE], None),                                                      # the code's alone never says
    (None, [_UNREAD, _RELEASE], _RELEASE),                                      # the first that identifies one
    (None, [_UNREAD], _UNREAD),                                                 # else the first (its reason)
    (None, [_RELEASE_MD, _RELEASE], _RELEASE),                                  # in the folder reader's order
    (None, [("NOTICE", "mit", "NOTICE")], None),                                # no licence file
    (None, [], None),
])
def test_declaration_file_order(link: str | None, files: list[tuple[str, str | None, str]],
                                chosen: tuple[str, str | None, str] | None) -> None:
    from openscope.derive.licenses.flowdown import declaration_file

    assert declaration_file("o/m", link, files) == chosen


def test_a_file_suffix_naming_a_licence_by_alias_is_looser_still() -> None:
    """The suffix's own confidence (an alias, 0.95) multiplies the file's weight and the name's 0.8."""
    from openscope.derive.licenses.normalize import normalize_license

    m = normalize_license("LICENSE-llama-3.1", kind="file")
    assert (m.id, m.confidence) == ("llama3.1", 0.456)
