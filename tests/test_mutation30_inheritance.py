"""The inheritance rule (derive/openness/inheritance.py) on the licence catalogue's real terms: which base licences
bind what a derivative declares, the reasons each gives (they are the evidence and the flag's words), which
reading names a licence bound several times, and how the weights are regraded. Each test names the mutmut mutants
it kills (docs/reviews.md, "Mutation testing, fifth round")."""

from __future__ import annotations

import pytest

from openscope.derive.openness.components import from_findings
from openscope.derive.openness.inheritance import (
    GOVERNED,
    Reading,
    Terms,
    _where,
    apply,
    bindings,
    can_bind,
    conflicts,
    inherited,
    terms,
)
from openscope.derive.openness.probes import Evidence

FINAL = "Model parameters (Final)"
NC = "permits commercial use; base licence {b} is non-commercial"
RESTR = "drops the use restrictions of {b} (the uses that licence forbids)"
ND = "base licence {b} forbids distributing derivatives"


def _c(declared: str, base: str) -> list[str]:
    d, b = terms(declared), terms(base)
    assert d is not None and b is not None
    return conflicts(d, b)


@pytest.mark.parametrize(("declared", "base", "reasons"), [
    ("mit", "apache-2.0", []),
    ("llama3", "llama3", []),
    ("mit", "cc-by-nc-4.0", [NC.format(b="cc-by-nc-4.0")]),
    ("mit", "openrail", [RESTR.format(b="openrail")]),
    ("mit", "cc-by-nc-nd-4.0", [NC.format(b="cc-by-nc-nd-4.0"), RESTR.format(b="cc-by-nc-nd-4.0"),
                                ND.format(b="cc-by-nc-nd-4.0")]),
    # a non-commercial declaration keeps the base's non-commercial term; it still drops the restrictions
    ("cc-by-nc-4.0", "cc-by-nc-nd-4.0", [RESTR.format(b="cc-by-nc-nd-4.0"), ND.format(b="cc-by-nc-nd-4.0")]),
    # a higher (or no) user cap lifts the base's; each naming duty dropped is named as the licence says it
    ("llama3", "qwen", ["lifts the 100,000,000 monthly-active-user cap of qwen",
                        'drops the naming duty (display "Built with Qwen") of qwen']),
    ("mit", "qwen", ["lifts the 100,000,000 monthly-active-user cap of qwen",
                     'drops the naming duty (display "Built with Qwen") of qwen']),
    # a lower cap keeps the base's; Qwen's use restrictions are unknown, so that rule does not fire
    ("qwen", "llama3", ['drops the naming duty (display "Built with Meta Llama 3", model name starting with '
                        '"Llama 3") of llama3']),
    ("llama3", "llama3.1", ['drops the naming duty (display "Built with Llama", model name starting with "Llama") '
                            'of llama3.1']),
    ("llama3.1", "llama3.2", []),
])
def test_what_a_declared_licence_relaxes(declared: str, base: str, reasons: list[str]) -> None:
    """Kills inheritance.conflicts' comparison, operand and text mutants."""
    assert _c(declared, base) == reasons
    got = inherited(declared, base)
    if reasons:
        assert got is not None and got[2] == reasons and (got[0].id, got[1].id) == (declared, base)
    else:
        assert got is None    # nothing relaxed: nothing inherited


def test_unknown_terms_bind_nothing() -> None:
    """Kills inheritance.inherited's and terms' unknown-side mutants."""
    for raw in (None, "", "   ", "other", "unknown", "no-such-licence"):
        assert terms(raw) is None, raw
        assert inherited("mit", raw) is None and inherited(raw, "cc-by-nc-4.0") is None
    assert terms("Apache-2.0") is not None and terms("Apache-2.0").id == "apache-2.0"   # type: ignore[union-attr]


@pytest.mark.parametrize(("lic", "binds"), [
    ("cc-by-nc-4.0", True), ("openrail", True), ("qwen", True), ("llama2", True), ("cc-by-nd-4.0", True),
    ("mit", False), ("apache-2.0", False), ("gpl-3.0", False), ("cc-by-sa-4.0", False),
])
def test_which_licences_can_bind_anything(lic: str, binds: bool) -> None:
    """Llama 2 binds by its user cap alone, CC BY-ND by forbidding derivatives alone; permissive and copyleft
    licences never. Kills inheritance.can_bind's mutants."""
    t = terms(lic)
    assert t is not None and can_bind(t) is binds


def _only(**kw: object) -> Terms:
    base = dict(id="x-only", name="X", cls="custom", commercial_use=True, use_restrictions=False, user_cap=None,
                duties=(), derivatives_allowed=True)
    return Terms(**{**base, **kw})  # type: ignore[arg-type]


@pytest.mark.parametrize("kw", [dict(commercial_use=False), dict(use_restrictions=True), dict(user_cap=1000),
                                dict(duties=("naming:Built with X",)), dict(duties=("name_prefix:X",)),
                                dict(derivatives_allowed=False)])
def test_each_rule_alone_can_bind(kw: dict) -> None:
    """A licence binds when the base side of any one rule holds (no catalogue licence has only a user cap, only a
    naming duty or only a no-derivatives term today, so this is read on terms made for it): the rule and the
    conflict agree. Kills inheritance.can_bind 1, 2, 10 (`and` for `or`; the naming duty dropped)."""
    t = _only(**kw)
    assert can_bind(t) is True
    assert conflicts(_only(), t) != []
    assert can_bind(_only()) is False and conflicts(_only(), _only()) == []


def _r(base: str, distance: int | None, lic: str) -> Reading:
    return Reading(base, distance, lic, (Evidence("hub_metadata", f"https://huggingface.co/{base}",
                                                  f"license: {lic}", "2026-01-01"),))


def test_one_binding_per_licence_the_nearest_reading_first() -> None:
    """Kills inheritance.bindings' seen-set, order and skip mutants."""
    readings = [_r("a/near", 1, "llama3"), _r("a/unk", 1, "other"), _r("a/perm", 1, "apache-2.0"), _r("a/far", 2, "llama3"),
                _r("a/nc", 3, "cc-by-nc-4.0")]
    got = bindings("mit", readings)
    assert [(b.reading.base, b.terms.id) for b in got] == [("a/near", "llama3"), ("a/nc", "cc-by-nc-4.0")]
    assert got[1].as_json() == {"base": "a/nc", "distance": 3, "license": "cc-by-nc-4.0",
                                "reasons": [NC.format(b="cc-by-nc-4.0")]}
    assert bindings(None, readings) == [] and bindings("other", readings) == []
    assert bindings("llama3", readings) == [got[1]]


def test_where_a_binding_ancestor_is_named() -> None:
    """Kills inheritance._where's plural and distance mutants."""
    assert _where(_r("a/b", 1, "llama3"), "llama3") == \
        "(base a/b, 1 lineage step up: its licence llama3 applies to derivatives)"
    assert _where(_r("a/b", 2, "llama3"), "llama3") == \
        "(base a/b, 2 lineage steps up: its licence llama3 applies to derivatives)"
    assert _where(_r("Llama", None, "llama3"), "llama3") == "(base Llama: its licence llama3 applies to derivatives)"


OWN = Evidence("hub_metadata", "https://huggingface.co/me/m", "license: mit", "2026-01-01")


def _facts(status: str, lic: str | None) -> dict:
    facts = from_findings([])
    for name in GOVERNED:
        facts[name].status, facts[name].license = status, lic
        facts[name].evidence = [OWN]
    return facts


def test_an_open_declaration_is_regraded_with_evidence_in_order() -> None:
    """The weights (final and intermediate) become restrictive under the nearest binding licence; the evidence:
    the model's own line and what it relaxes (each ancestor's terms named when there are several), then each
    ancestor where it was read, then each licence's clause, then the weights' own evidence. Kills
    inheritance.apply's and _grade's mutants (status, licence, evidence order and texts, `inherited`)."""
    facts = _facts("open_license", "mit")
    out = apply(facts, OWN, [_r("a/nc", 1, "cc-by-nc-4.0"), _r("a/ll", 2, "llama3")], "2026-01-02")
    assert out is not None and (out.declared, out.license, out.base) == ("mit", "cc-by-nc-4.0", "a/nc")
    for name in GOVERNED:
        f = facts[name]
        assert (f.status, f.license) == ("restrictive_license", "cc-by-nc-4.0"), name
        assert f.inherited == out.as_json()
        assert f.evidence[-1] == OWN                       # the weights' own evidence, after the inherited
    ev = facts[FINAL].evidence
    assert ev[0].kind == "hub_metadata" and ev[0].locator == OWN.locator
    assert ev[0].snippet == (
        "license: mit (declared, but a derivative cannot relax its base's terms: this licence permits commercial use; "
        "base licence cc-by-nc-4.0 is non-commercial (terms of a/nc); drops the use restrictions of llama3 (the uses "
        "that licence forbids); lifts the 700,000,000 monthly-active-user cap of llama3; drops the naming duty "
        '(display "Built with Meta Llama 3", model name starting with "Llama 3") of llama3 (terms of a/ll))')
    assert ev[0].read_at == OWN.read_at
    assert ev[1].snippet == ("license: cc-by-nc-4.0 (base a/nc, 1 lineage step up: its licence cc-by-nc-4.0 "
                             "applies to derivatives)")
    assert (ev[1].kind, ev[1].locator, ev[1].read_at) == ("hub_metadata", "https://huggingface.co/a/nc", "2026-01-01")
    assert ev[2].locator == "https://huggingface.co/a/ll" and "2 lineage steps up" in ev[2].snippet
    nc_clause = terms("cc-by-nc-4.0").clause   # type: ignore[union-attr]
    assert nc_clause is not None and (ev[3].locator, ev[3].snippet) == (
        nc_clause[0], f"Creative Commons Attribution Non Commercial 4.0 International: {nc_clause[1]}")
    # one binding ancestor: its terms are not named after the reasons
    one = _facts("open_license", "mit")
    apply(one, OWN, [_r("a/nc", 1, "cc-by-nc-4.0")], "2026-01-02")
    assert one[FINAL].evidence[0].snippet == (
        "license: mit (declared, but a derivative cannot relax its base's terms: this licence permits commercial use; "
        "base licence cc-by-nc-4.0 is non-commercial)")
    assert [e.kind for e in ev[3:5]] == ["curated", "curated"] and ev[3].read_at == "2026-01-02"
    assert out.as_json() == {
        "declared": "mit", "license": "cc-by-nc-4.0", "base": "a/nc", "reasons": list(out.reasons),
        "bases": [{"base": "a/nc", "distance": 1, "license": "cc-by-nc-4.0", "reasons": [NC.format(b="cc-by-nc-4.0")]},
                  {"base": "a/ll", "distance": 2, "license": "llama3", "reasons": [
                      RESTR.format(b="llama3"), "lifts the 700,000,000 monthly-active-user cap of llama3",
                      'drops the naming duty (display "Built with Meta Llama 3", model name starting with '
                      '"Llama 3") of llama3']}]}
    assert out.reasons == tuple(dict.fromkeys(r for b in out.bindings for r in b.reasons))


def test_weights_that_state_no_licence_take_a_binding_base_s_terms() -> None:
    """No licence declared: the nearest ancestor whose terms follow derivatives applies (not a permissive one),
    evidence first where the model's own licence would be stated. Kills inheritance._undeclared's mutants (the
    evidence's kind, locator and text; the can_bind filter; one binding per licence)."""
    facts = _facts("no_license", None)
    facts["Model parameters (Intermediate)"].status = "not_found"    # no checkpoints: nothing to grade
    out = apply(facts, OWN, [_r("a/perm", 1, "apache-2.0"), _r("a/ll", 1, "llama3"), _r("a/ll2", 2, "llama3"),
                             _r("a/nc", 3, "cc-by-nc-4.0")], "2026-01-02")
    assert facts["Model parameters (Intermediate)"].status == "not_found"
    assert [e.read_at for e in facts[FINAL].evidence if e.kind == "curated"] == ["2026-01-02", "2026-01-02"]
    assert out is not None and (out.declared, out.license, out.base) == (None, "llama3", "a/ll")
    assert [b.reading.base for b in out.bindings] == ["a/ll", "a/nc"]
    f = facts[FINAL]
    assert (f.status, f.license) == ("restrictive_license", "llama3")
    assert (f.evidence[0].kind, f.evidence[0].locator, f.evidence[0].read_at) == (
        OWN.kind, OWN.locator, OWN.read_at)
    assert f.evidence[0].snippet == ("no licence stated for the weights: a derivative is bound by the terms of "
                                     "llama3, cc-by-nc-4.0")
    assert out.reasons == ("states no licence of its own; the terms of llama3 follow derivatives",
                           "states no licence of its own; the terms of cc-by-nc-4.0 follow derivatives")
    # only permissive ancestors: nothing is inherited, the weights stay without a licence
    none = _facts("no_license", None)
    assert apply(none, OWN, [_r("a/perm", 1, "apache-2.0")], "2026-01-02") is None
    assert none[FINAL].status == "no_license" and none[FINAL].inherited is None


def test_weights_neither_open_nor_unlicensed_are_left_alone() -> None:
    """A restrictive declaration, or a licence file covering the weights whose text was not read (licence
    unknown, not absent), inherits nothing. Kills inheritance.apply's status-test mutants."""
    restrictive = _facts("restrictive_license", "llama3")
    assert apply(restrictive, OWN, [_r("a/nc", 1, "cc-by-nc-4.0")], "d") is None
    assert restrictive[FINAL].license == "llama3" and restrictive[FINAL].evidence == [OWN]
    unread = _facts("no_license", None)
    unread[FINAL].license_unread = ["LICENSE"]
    assert apply(unread, OWN, [_r("a/nc", 1, "cc-by-nc-4.0")], "d") is None
    assert unread[FINAL].status == "no_license"


@pytest.mark.parametrize(("lic", "attribute"), [
    ("deepseek", "restrictions_travel"),   # has `same_terms` too: the travelling restrictions come first
    ("openrail", "restrictions_travel"),
    ("llama3", "same_terms"),              # has `class` too
    ("cc-by-nc-4.0", "same_terms"),
    ("qwen", "class"),                     # neither of the others
    ("cc-by-nd-4.0", "class"),             # neither, and its first clause is another (`osi_approved`)
])
def test_the_clause_cited_for_a_binding_licence(lic: str, attribute: str) -> None:
    """The evidence cites the clause that makes the terms follow derivatives: the travelling use restrictions,
    else the same-terms clause, else the class's. Kills inheritance.terms' clause-choice mutants (29, 30, 34, 36,
    41, 43, 48, 49, 51)."""
    from openscope.derive.licenses import get_license

    t = terms(lic)
    assert t is not None and t.clause is not None
    info = get_license(lic)
    assert info is not None
    want = next(c for c in info.clauses if c.attribute == attribute and c.text)
    assert t.clause == (want.url, want.text)
