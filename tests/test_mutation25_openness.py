"""Openness evaluations: behaviour that mutation testing showed no test asserted (twenty-fifth session).

Each case is documented behaviour (docs/openness.md, DESIGN.md's contract), checked through the public
functions or the ``assess --mof-record`` command; docs/reviews.md, "Mutation testing (twenty-fifth session)", lists
the mutants these tests kill and the ones judged equivalent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from openscope.derive.openness.evaluations import mof


def _all_open() -> dict[str, str | None]:
    lic = {"code": "Apache-2.0", "data": "CDLA-Permissive-2.0", "document": "CC-BY-4.0"}
    return {c.name: lic[c.content_type] for c in mof.components()}


# -- `assess --mof-record`: a record that is not one is a one-line error, exit 65 (docs/openness.md, "Hostile
# input"); the line says what is wrong with the record ------------------------------------------------------

BAD_RECORDS = [
    ("release:\n  - x\n", "no `release` mapping"),
    ("- 1\n- 2\n", "no `release` mapping"),                       # a YAML list, not a mapping
    ("release:\n  name: t\n  components: 3\n", "`release.components` is not a list"),
    ("release:\n  name: t\n  components:\n    - name: Datasets\n      license: [a]\n",
     "the licence of component 'Datasets' is not a name"),
    ("release:\n  name: t\n  license:\n    data:\n      name: {a: 1}\n  components: []\n",
     "release.license.data.name is not a name"),
]


@pytest.mark.parametrize("text, why", BAD_RECORDS)
def test_a_record_that_is_not_one_says_why_on_one_line(cli, tmp_path: Path, text: str, why: str) -> None:
    path = tmp_path / "r.yml"
    path.write_text(text, "utf-8")
    r = cli("assess", "--mof-record", path)
    assert r.code == 65
    assert r.stderr.strip().splitlines() == [f"openscope: error: {path}: not a MOF record ({why})"]


@pytest.mark.parametrize("text, why", BAD_RECORDS)
def test_evaluate_record_raises_value_error_with_the_reason(text: str, why: str) -> None:
    import yaml

    with pytest.raises(ValueError) as exc:
        mof.evaluate_record(yaml.safe_load(text))
    assert str(exc.value) == f"not a MOF record: {why}"


# What a record may hold that names nothing is ignored, as the MOT ignores it: an entry that is not a mapping, a
# global licence that is not a mapping of mappings, a global licence entry with no name.
LENIENT_RECORDS = [
    "release:\n  name: t\n  components:\n    - Datasets\n    - name: Model card\n      license: CC-BY-4.0\n",
    "release:\n  name: t\n  license: MIT\n  components:\n    - name: Model card\n      license: CC-BY-4.0\n",
    "release:\n  name: t\n  license:\n    data: MIT\n  components:\n    - name: Model card\n      license: CC-BY-4.0\n",
    "release:\n  name: t\n  license:\n    data:\n      url: https://x\n  components:\n"
    "    - name: Model card\n      license: CC-BY-4.0\n",
]


@pytest.mark.parametrize("text", LENIENT_RECORDS)
def test_parts_of_a_record_that_name_nothing_are_ignored(cli, tmp_path: Path, text: str) -> None:
    path = tmp_path / "r.yml"
    path.write_text(text, "utf-8")
    r = cli("--json", "assess", "--mof-record", path)
    assert r.code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["included"] == ["Model card"]
    assert doc["unlicensed"] == [] and doc["invalid"] == {}


def test_a_record_step_asks_for_a_licence_in_the_record(cli, tmp_path: Path) -> None:
    """A component listed in a record without a licence: the step says where to state it, in the record (it has
    no repository whose licence would cover it)."""
    path = tmp_path / "r.yml"
    path.write_text("release:\n  name: t\n  components:\n    - name: Model architecture\n", "utf-8")
    doc = json.loads(cli("--json", "assess", "--mof-record", path).stdout)
    assert doc["unlicensed"] == ["Model architecture"]
    assert doc["next_steps"][0] == (
        "to reach Class III - Open Model: state an open code licence for Model architecture in the record "
        "(`license:` on its entry in release.components; it is listed, but no licence is stated for it)")
    # the same component outside a record: the step speaks of the repository
    res = mof.evaluate_components({"Model architecture": "unlicensed"})
    assert "in the record" not in res.next_steps[0] and "repository" in res.next_steps[0]


# -- Training data declared by Hub id (docs/openness.md): the step names the datasets, in the right number ------

def _hosted_step(repos: tuple[str, ...], looked_up: bool, now: str | None) -> str:
    listed = _all_open()
    listed["Datasets"] = now or "unlicensed"
    res = mof.evaluate_components(listed, hosted={"Datasets": mof.Hosted(repos, looked_up)})
    assert res.cls == 2
    [step] = res.next_steps
    return step.removeprefix("to reach Class I - Open Science Model: ")


HOSTED = [
    (("acme/web",), True, None,
     "give the declared dataset acme/web an open data licence (`license:` in its own card, not in this "
     "repository), or declare a released dataset whose licence is open"),
    (("acme/web",), True, "CC-BY-NC-4.0",
     "give the declared dataset acme/web an open data licence (`license:` in its own card, not in this "
     "repository; now CC-BY-NC-4.0), or declare a released dataset whose licence is open"),
    (("a/1", "a/2"), True, None,
     "give the declared datasets a/1, a/2 an open data licence (`license:` in their own cards, not in this "
     "repository), or declare a released dataset whose licence is open"),
    (("a/1", "a/2", "a/3"), True, None,
     "give the declared datasets a/1, a/2, a/3 an open data licence (`license:` in their own cards, not in this "
     "repository), or declare a released dataset whose licence is open"),
    (("a/1", "a/2", "a/3", "a/4", "a/5"), True, None,
     "give the declared datasets a/1, a/2, a/3 and 2 more an open data licence (`license:` in their own cards, "
     "not in this repository), or declare a released dataset whose licence is open"),
    (("a/1", "a/2", "a/3", "a/4"), True, None,
     "give the declared datasets a/1, a/2, a/3 and 1 more an open data licence (`license:` in their own cards, "
     "not in this repository), or declare a released dataset whose licence is open"),
    (("acme/web",), False, None,
     "make sure the declared dataset acme/web states an open data licence (`license:` in its own card): its "
     "licence was not looked up here (unknown)"),
    (("a/1", "a/2"), False, None,
     "make sure the declared datasets a/1, a/2 state an open data licence (`license:` in their own cards): their "
     "licences were not looked up here (unknown)"),
]


@pytest.mark.parametrize("repos, looked_up, now, want", HOSTED)
def test_hosted_dataset_step(repos: tuple[str, ...], looked_up: bool, now: str | None, want: str) -> None:
    assert _hosted_step(repos, looked_up, now) == want


# -- OSAI: the licence category each rule reads, shown in `osai_basis` (docs/openness.md, "OSAI dimension rules":
# `licenses` is closed under non-commercial, RAIL and custom licences alike; the weights are partial under a
# custom agreement only) -------------------------------------------------------------------------------------

def _card(front: str, body: str = "Weights in model.safetensors.") -> str:
    return f"---\n{front}\n---\n# Model\n\n{body}\n"


OWN_LICENCE = [
    # (front matter, licenses grade, licence category in the basis)
    ("license: mit", "open", "open"),
    ("license: cc-by-nc-4.0", "closed", "noncommercial"),
    ("license: qwen-research", "closed", "noncommercial"),          # classed non-commercial, no "-nc" in its id
    ("license: polyform-noncommercial-1.0.0", "closed", "noncommercial"),   # "noncommercial" in its id only
    ("license: openrail", "closed", "rail"),
    ("license: bigscience-bloom-rail-1.0", "closed", "rail"),
    ("license: llama2", "closed", "custom"),
    ("license: other\nlicense_name: modified-mit", "partial", "modified"),
    ("license: other\nlicense_name: Modified-MIT", "partial", "modified"),
    ("license: other\nlicense_name: acme-community", "closed", "custom"),
]


@pytest.mark.parametrize("front, grade, category", OWN_LICENCE)
def test_licence_category_of_a_card(front: str, grade: str, category: str) -> None:
    from openscope.derive.openness import records
    from openscope.derive.openness.assessment import assess_record

    a = assess_record(records.from_text("acme/x", _card(front)))
    assert a.osai["licenses"] == grade
    assert a.osai_basis["licenses"] == f"licence: {category}"


BASE_LICENCE = [
    # a derivative's weights_basemodel from the curated base its card declares (a cited fact, no card read):
    # (base, weights_basemodel grade, basis)
    ("EleutherAI/pythia-6.9b", "open", "Model parameters (Final): open_license; not gated; licence: open"),
    ("bigscience/bloom", "open", "Model parameters (Final): restrictive_license; not gated; licence: rail"),
    ("THUDM/chatglm3-6b", "partial", "Model parameters (Final): restrictive_license; not gated; licence: custom"),
    ("black-forest-labs/FLUX.1-dev", "partial",
     "Model parameters (Final): restrictive_license; gated; licence: noncommercial"),
    ("meta-llama/Llama-2-7b-hf", "partial", "Model parameters (Final): restrictive_license; gated; licence: custom"),
]


@pytest.mark.parametrize("base, grade, basis", BASE_LICENCE)
def test_weights_of_a_curated_base(base: str, grade: str, basis: str) -> None:
    from openscope.derive.openness import records
    from openscope.derive.openness.assessment import assess_record

    a = assess_record(records.from_text("acme/x", _card(f"license: mit\nbase_model: {base}",
                                                        f"A fine-tune of {base}. Weights in model.safetensors.")))
    assert a.osai["weights_basemodel"] == grade
    assert a.osai_basis["weights_basemodel"] == basis


CARD_NAMED = [
    # (front matter, licence section of the card, licenses grade, basis): with nothing declared, open licences
    # that the card names for its code or data alone leave the weights' terms unstated ("open-parts": partial)
    (None, "The code is licensed under Apache 2.0.", "partial", "licence: open"),
    (None, "The code and data are released under the MIT License.", "partial", "licence: open"),
    (None, "This model is licensed under the Apache 2.0 license.", "open", "licence: open"),
    ("license: mit", "The code is licensed under Apache 2.0.", "open", "licence: open"),   # a declared licence
    (None, "This model is released under a Modified MIT License.", "partial", "licence: modified"),
]


@pytest.mark.parametrize("front, section, grade, basis", CARD_NAMED)
def test_licence_named_in_the_card(front: str | None, section: str, grade: str, basis: str) -> None:
    from openscope.derive.openness import records
    from openscope.derive.openness.assessment import assess_record

    body = f"Weights in model.safetensors.\n\n## License\n\n{section}"
    text = _card(front, body) if front else f"# Model\n\n{body}\n"
    a = assess_record(records.from_text("acme/x", text))
    assert (a.osai["licenses"], a.osai_basis["licenses"]) == (grade, basis)


# -- OSAID 1.0 (docs/openness.md): each requirement met, unmet or unknown; `fail` when any is unmet, else
# `insufficient`; `missing` lists every requirement not met, in the definition's order --------------------------

PARAMS = "Model parameters (Final)"


def _osaid_facts(**over: tuple[str, str | None]) -> dict:
    """Every component OSAID reads released under an open licence, except those given (name -> status, licence)."""
    from openscope.derive.openness.components import ComponentFact

    facts = {n: ComponentFact(n) for n in mof.component_names()}
    for n in ("Datasets", "Data card", "Training code", "Data preprocessing code", "Inference code", PARAMS):
        facts[n] = ComponentFact(n, "open_license", "Apache-2.0")
    for key, (status, lic) in over.items():
        name = key.replace("_", " ").replace("Final", "(Final)")
        facts[name] = ComponentFact(name, status, lic)
    return facts


NOT_FOUND = ("not_found", None)
DOCUMENTED = ("documented_not_released", None)
OSAID = [
    ({}, "pass", []),
    ({"Datasets": DOCUMENTED, "Data_card": NOT_FOUND}, "fail", ["data-information"]),
    ({"Datasets": NOT_FOUND, "Data_card": NOT_FOUND}, "insufficient", ["data-information"]),
    ({"Datasets": NOT_FOUND}, "pass", []),                                   # the data card alone is data information
    ({"Training_code": DOCUMENTED}, "fail", ["training-code", "code-license"]),
    ({"Training_code": NOT_FOUND}, "insufficient", ["training-code", "code-license"]),
    ({"Data_preprocessing_code": DOCUMENTED}, "fail", ["data-processing-code", "code-license"]),
    ({"Inference_code": NOT_FOUND}, "insufficient", ["inference-code", "code-license"]),
    ({"Inference_code": ("restrictive_license", "llama2")}, "fail", ["code-license"]),
    ({"Inference_code": ("no_license", None)}, "insufficient", ["code-license"]),
    ({"Model_parameters_Final": ("restrictive_license", "llama2")}, "fail", ["parameters-license"]),
    ({"Model_parameters_Final": ("no_license", None)}, "fail", ["parameters-license"]),
    ({"Model_parameters_Final": DOCUMENTED}, "fail", ["parameters", "parameters-license"]),
    ({"Model_parameters_Final": NOT_FOUND}, "insufficient", ["parameters", "parameters-license"]),
]


@pytest.mark.parametrize("over, verdict, missing", OSAID)
def test_osaid_verdict_and_missing(over: dict, verdict: str, missing: list[str]) -> None:
    from openscope.derive.openness.evaluations import osaid

    res = osaid.evaluate(_osaid_facts(**over))
    assert (res.verdict, res.missing) == (verdict, missing)
    assert res.as_json() == {"verdict": verdict, "missing": missing}
    assert [s.split(":")[0] for s in res.next_steps] == [f"OSAID {r}" for r in missing]


def test_osaid_parameters_under_an_unread_licence_file_are_unknown_with_a_note() -> None:
    from openscope.derive.openness.components import UNREAD_NOTE
    from openscope.derive.openness.evaluations import osaid

    facts = _osaid_facts()
    facts[PARAMS].status, facts[PARAMS].license, facts[PARAMS].license_unread = "no_license", None, ["LICENSE"]
    res = osaid.evaluate(facts)
    assert res.as_json() == {"verdict": "insufficient", "missing": ["parameters-license"],
                             "notes": {"parameters-license": UNREAD_NOTE}}


STEP_WORDS = [
    # what the parameters-license step says stands in the way
    ({"status": "restrictive_license", "license": "modified-mit"},
     "(now Model parameters (Final): under modified-mit; modified-mit: an edited licence text, not the OSI-approved "
     "licence: ship its text unmodified)"),
    ({"status": "restrictive_license", "license": "Modified-Apache-2.0"},
     "(now Model parameters (Final): under Modified-Apache-2.0; Modified-Apache-2.0: an edited licence text, not the "
     "OSI-approved licence: ship its text unmodified)"),
    ({"status": "restrictive_license", "license": "llama2",
      "inherited": {"base": "meta-llama/Llama-2-7b", "license": "llama2", "declared": "mit"}},
     "(now Model parameters (Final): under llama2, the licence of its base meta-llama/Llama-2-7b, whose terms bind "
     "derivatives: declaring another licence does not lift them; build it on a base whose licence is open)"),
    ({"status": "restrictive_license", "license": "llama2"},
     "(now Model parameters (Final): under a licence that is not open)"),
]


@pytest.mark.parametrize("fact, words", STEP_WORDS)
def test_osaid_parameters_licence_step(fact: dict, words: str) -> None:
    from openscope.derive.openness.components import ComponentFact
    from openscope.derive.openness.evaluations import osaid

    facts = _osaid_facts()
    facts[PARAMS] = ComponentFact(PARAMS, **fact)
    [step] = osaid.evaluate(facts).next_steps
    assert step == ("OSAID parameters-license: license the parameters under OSD-conformant terms (e.g. Apache-2.0, "
                    "MIT) " + words)


def test_a_card_that_names_no_licence() -> None:
    from openscope.derive.openness import records
    from openscope.derive.openness.assessment import assess_record

    a = assess_record(records.from_text("acme/x", "# Model\n\nWeights in model.safetensors.\n"))
    assert (a.osai["licenses"], a.osai_basis["licenses"]) == ("closed", "licence: none")


INHERITED = [
    # a folder declaring MIT over a curated base whose terms bind derivatives ("A derivative cannot relicense what it
    # was built from"): the weights carry the base's licence category; only a custom agreement makes them partial
    ("bigscience/bloom", "open", "rail (bigscience-bloom-rail-1.0, the base's terms; declared mit)"),
    ("black-forest-labs/FLUX.1-dev", "open",
     "noncommercial (flux-1-dev-non-commercial-license, the base's terms; declared mit)"),
    ("meta-llama/Llama-2-7b-hf", "partial", "custom (llama2, the base's terms; declared mit)"),
]


@pytest.mark.parametrize("base, grade, licence", INHERITED)
def test_weights_under_an_inherited_licence(tmp_path: Path, base: str, grade: str, licence: str) -> None:
    from openscope.derive.openness import records
    from openscope.derive.openness.assessment import assess_record

    (tmp_path / "README.md").write_text(f"---\nlicense: mit\nbase_model: {base}\n---\n# Model\n\nA fine-tune of {base}.\n",
                                        "utf-8")
    (tmp_path / "model.safetensors").write_bytes(b"\0" * 16)
    a = assess_record(records.from_folder(tmp_path))
    assert a.osai["weights_endmodel"] == grade
    assert a.osai_basis["weights_endmodel"] == (
        f"Model parameters (Final): restrictive_license; not gated; licence: {licence}")
    assert a.osai["licenses"] == "partial"   # mixed: an open licence declared over binding base terms


# -- OSAI dimension rules, one table per rule (docs/openness.md, "OSAI dimension rules"), over the facts and probe
# findings a rule reads --------------------------------------------------------------------------------------------

def _side(facts: dict[str, str] | None = None, findings: dict[str, tuple[str, dict]] | None = None,
          readable: bool = True, **fact_fields: dict) -> object:
    """A Side: components given as name -> status (the rest not found), probe findings as probe -> (outcome, detail),
    extra ComponentFact fields per component name (``fact_fields``)."""
    from openscope.derive.openness.components import ComponentFact
    from openscope.derive.openness.evaluations.osai import Side
    from openscope.derive.openness.probes import Finding

    all_facts = {n: ComponentFact(n) for n in mof.component_names()}
    for n, status in (facts or {}).items():
        all_facts[n] = ComponentFact(n, status, **fact_fields.get(n, {}))
    found = {p: Finding(p, outcome, detail=detail) for p, (outcome, detail) in (findings or {}).items()}
    return Side(all_facts, found, readable)


OPEN, NOLIC, RESTR, DOC = "open_license", "no_license", "restrictive_license", "documented_not_released"
RULE_CASES = [
    # datasources
    ("datasources", {"Datasets": OPEN}, {}, "open"),
    ("datasources", {"Datasets": NOLIC}, {}, "open"),
    ("datasources", {"Datasets": OPEN}, {"datasets_released": ("positive", {"withheld": ["the rest is private"]})},
     "partial"),
    ("datasources", {"Datasets": OPEN}, {"datasets_released": ("positive", {})}, "open"),
    ("datasources", {"Datasets": RESTR}, {}, "partial"),
    ("datasources", {"Datasets": DOC, "Data card": OPEN}, {}, "closed"),
    ("datasources", {}, {}, "closed"),
    # trainingcode
    ("trainingcode", {"Training code": OPEN}, {}, "open"),
    ("trainingcode", {"Training code": NOLIC}, {}, "open"),
    ("trainingcode", {"Training code": DOC}, {}, "partial"),
    ("trainingcode", {}, {}, "closed"),
    # code
    ("code", {"Training code": OPEN, "Inference code": OPEN}, {}, "open"),
    ("code", {"Training code": OPEN, "Evaluation code": OPEN, "Data preprocessing code": OPEN}, {}, "open"),
    ("code", {"Training code": OPEN, "Evaluation code": OPEN}, {}, "partial"),
    ("code", {"Training code": OPEN}, {}, "partial"),
    ("code", {"Inference code": OPEN, "Evaluation code": OPEN, "Data preprocessing code": OPEN}, {}, "closed"),
    # hardware_architecture
    ("hardware_architecture", {}, {"hardware_documented": ("positive", {"hardware": True, "architecture": True})},
     "open"),
    ("hardware_architecture", {}, {"hardware_documented": ("positive", {"hardware": True})}, "partial"),
    ("hardware_architecture", {}, {"hardware_documented": ("positive", {"architecture": True})}, "partial"),
    ("hardware_architecture", {}, {}, "closed"),
    # preprint
    ("preprint", {"Research paper": OPEN, "Technical report": OPEN}, {}, "open"),
    ("preprint", {"Technical report": OPEN}, {}, "partial"),
    ("preprint", {"Research paper": DOC}, {}, "closed"),
    # paper
    ("paper", {"Research paper": OPEN}, {"peer_reviewed_paper": ("positive", {})}, "open"),
    ("paper", {"Research paper": OPEN}, {"peer_reviewed_paper": ("negative", {})}, "closed"),
    # modelcard
    ("modelcard", {"Model card": OPEN}, {"model_card": ("positive", {"topics": ["uses", "limitations", "training"]})},
     "open"),
    ("modelcard", {"Model card": OPEN}, {"model_card": ("positive", {"topics": ["uses"]})}, "partial"),
    ("modelcard", {"Model card": OPEN}, {"model_card": ("negative", {"topics": []})}, "closed"),
    ("modelcard", {"Model card": OPEN}, {}, "open"),                  # released, no card read: the published card
    ("modelcard", {}, {}, "closed"),                                  # no card at all
    # datasheet
    ("datasheet", {"Data card": OPEN}, {"data_card": ("positive", {"explicit": True})}, "open"),
    ("datasheet", {"Data card": OPEN}, {"data_card": ("positive", {"explicit": False})}, "partial"),
    ("datasheet", {"Data card": OPEN}, {}, "open"),
    ("datasheet", {"Data card": OPEN}, {"data_card": ("positive", {})}, "open"),    # a datasheet unless said otherwise
    ("datasheet", {"Data card": DOC}, {}, "closed"),
]


@pytest.mark.parametrize("rule, facts, findings, grade", RULE_CASES)
def test_osai_rule(rule: str, facts: dict, findings: dict, grade: str) -> None:
    from openscope.derive.openness.evaluations import osai

    assert getattr(osai, rule)(_side(facts, findings))[1] == grade


WEIGHTS_CASES = [
    # (status, fact fields, findings, grade)
    (OPEN, {}, {}, "open"),
    (NOLIC, {}, {}, "open"),
    (OPEN, {"gated": True}, {}, "partial"),
    (OPEN, {}, {"weights_gated": ("negative", {})}, "partial"),
    (OPEN, {}, {"weights_gated": ("positive", {})}, "open"),
    (OPEN, {}, {"weights_released": ("positive", {"delta": True})}, "partial"),
    (OPEN, {"by_request": True}, {}, "closed"),
    (RESTR, {}, {"license_declared": ("positive", {})}, "open"),   # released; the probe saw no licence class
    (NOLIC, {"license_unread": ["LICENSE"]}, {}, "open"),  # no probe said a licence file was unread
    (DOC, {}, {}, "closed"),
]


@pytest.mark.parametrize("status, fields, findings, grade", WEIGHTS_CASES)
def test_osai_weights_rule(status: str, fields: dict, findings: dict, grade: str) -> None:
    from openscope.derive.openness.evaluations import osai

    side = _side({PARAMS: status}, findings, **{PARAMS: fields})
    assert osai.weights(side)[1] == grade


def test_a_cited_data_card_is_a_datasheet_even_where_the_probe_saw_only_links() -> None:
    from openscope.derive.openness.evaluations import osai

    findings = {"data_card": ("positive", {"explicit": False})}
    assert osai.datasheet(_side({"Data card": OPEN}, findings))[1] == "partial"
    assert osai.datasheet(_side({"Data card": OPEN}, findings, **{"Data card": {"source": "curated"}}))[1] == "open"


def test_osai_score_and_unreadable_sides() -> None:
    """The score is the mean over graded dimensions (open 1, partial 0.5, closed 0; unknown left out); when nothing
    could be read every dimension is unknown and there is no score; the base's dimensions come from the base."""
    from openscope.derive.openness.evaluations import osai

    end = _side({"Training code": OPEN, "Technical report": OPEN, PARAMS: OPEN, "Datasets": OPEN})
    grades = osai.evaluate(end)
    graded = {d: g for d, g in grades.items() if d != "score"}
    assert set(graded) == set(osai.DIMENSIONS)
    points = [osai.POINTS[g] for g in graded.values() if g in osai.POINTS]
    assert grades["score"] == pytest.approx(sum(points) / len(points))
    assert graded["trainingcode"] == "open" and graded["preprint"] == "partial" and graded["paper"] == "closed"

    nothing = osai.evaluate(_side(readable=False))
    assert nothing == {**{d: "unknown" for d in osai.DIMENSIONS}, "score": None}

    base = _side({PARAMS: DOC, "Datasets": DOC})
    with_base = osai.evaluate(end, base)
    assert with_base["weights_basemodel"] == "closed" and with_base["datasources_basemodel"] == "closed"
    assert with_base["weights_endmodel"] == "open" and with_base["datasources_endmodel"] == "open"
    unread_base = osai.evaluate(end, _side(readable=False))
    assert unread_base["weights_basemodel"] == "unknown" and unread_base["weights_endmodel"] == "open"


@pytest.mark.parametrize("n_files, shown", [
    (3, "COPYING, LICENSE, LICENSE-MODEL"),
    (4, "COPYING, LICENSE, LICENSE-MODEL, …"),
])
def test_unidentified_licence_files_are_named_three_at_most(tmp_path: Path, n_files: int, shown: str) -> None:
    """A folder whose licence files hold no text a rule recognises: a licence of unknown terms (docs/openness.md, "A
    licence file that was not read"); the basis names the first three files, then "…"; the OSAID step the first
    three."""
    from openscope.derive.openness import records
    from openscope.derive.openness.assessment import assess_record

    (tmp_path / "README.md").write_text("# Model\n\nWeights in model.safetensors.\n", "utf-8")
    (tmp_path / "model.safetensors").write_bytes(b"\0" * 16)
    for name in ("COPYING", "LICENSE", "LICENSE-MODEL", "LICENSE.md")[:n_files]:
        (tmp_path / name).write_text("Acme terms. You may do things with this model under conditions we set.\n", "utf-8")
    a = assess_record(records.from_folder(tmp_path))
    words = f"licence file present, not identified ({shown}): licence unknown"
    assert (a.osai["licenses"], a.osai_basis["licenses"]) == ("unknown", f"licence: {words}")
    assert a.osai["weights_endmodel"] == "unknown"
    assert a.osai_basis["weights_endmodel"] == f"Model parameters (Final): no_license; not gated; licence: {words}"
    assert a.osaid.verdict == "insufficient" and "parameters-license" in a.osaid.missing
    assert a.osaid.next_steps[-1].endswith("(now Model parameters (Final): released, licence file present, not "
                                           "identified (COPYING, LICENSE, LICENSE-MODEL): licence unknown)")


def test_licence_category_without_a_licence_probe() -> None:
    """A side with no licence finding (a base known only from cited facts) takes the weights' category from the
    cited fact; a fact that is not cited, or weights not released, give none."""
    from openscope.derive.openness.evaluations import osai

    assert osai.license_category(_side({PARAMS: OPEN})) == "none"                 # a probe's fact, not a cited one
    cited = {PARAMS: {"source": "curated", "license": "Apache-2.0"}}
    assert osai.license_category(_side({PARAMS: OPEN}, **cited)) == "open"
    assert osai.license_category(_side({PARAMS: DOC}, **cited)) == "none"         # not released
    rail = {PARAMS: {"source": "curated", "license": "bigscience-bloom-rail-1.0"}}
    assert osai.license_category(_side({PARAMS: RESTR}, **rail)) == "rail"


def test_a_calibration_table_maps_a_signal_and_keeps_the_rule_elsewhere() -> None:
    """The calibrated variant the benchmark measures (off by default): a dimension's signal seen in the table takes
    the table's grade; an unseen signal, or a dimension the table lacks, keeps the rule's grade."""
    from openscope.derive.openness.evaluations import osai

    side = _side({"Training code": OPEN})
    sig, rule = osai.trainingcode(side)
    assert rule == "open"
    assert osai.evaluate(side)["trainingcode"] == "open"
    table = {"trainingcode": {"map": {sig: "closed"}}}
    assert osai.evaluate(side, table=table)["trainingcode"] == "closed"
    assert osai.evaluate(side, table={"trainingcode": {"map": {}}})["trainingcode"] == "open"
    assert osai.evaluate(side, use_calibration=False)["trainingcode"] == "open"


# -- MOF (docs/openness.md, "MOF class and progress"): the lists a result gives, and the rule's corners -------------

@pytest.mark.parametrize("license_id, is_open", [
    ("C-UDA-1.0", True),       # on the MOF's list for data: an open data licence
    ("CC-PDDC", True),
    ("FreeBSD-DOC", True),     # on the MOF's list for documents
    ("MulanPSL-1.0", False),   # on the MOF's list for code only, neither OSI-approved nor FSF-libre
])
def test_open_licence_rule_for_the_mofs_own_list(license_id: str, is_open: bool) -> None:
    assert mof.is_open_license(license_id) is is_open


def test_missing_lists_the_required_components_not_released_in_order() -> None:
    res = mof.evaluate_components({"Model card": "CC-BY-4.0", "Sample model outputs": "CC-BY-4.0"})
    # class by class from III down, each class's required components in the MOF's order
    required = [c.name for cls in (3, 2, 1) for c in mof.components() if c.cls == cls and c.required]
    assert res.missing == [n for n in required if n != "Model card"]
    # an optional component released under an open licence is included, and an optional one not released is not
    # missing
    assert res.included == ["Model card", "Sample model outputs"]
    assert "Supporting libraries and tools" not in res.missing


def test_a_research_paper_in_place_of_the_report_is_not_missing_either() -> None:
    listed = {c.name: "Apache-2.0" for c in mof.components() if c.cls == 3 and c.name != "Technical report"}
    listed["Research paper"] = "CC-BY-4.0"
    res = mof.evaluate_components(listed)
    assert res.cls == 3
    assert "Technical report" not in res.missing and "Research paper" not in res.missing


def test_a_listed_report_keeps_the_paper_from_counting_twice() -> None:
    """A technical report that is included (not first: the MOT's quirk) is counted; a research paper then does not
    stand in for a component that is missing."""
    listed = {c.name: "Apache-2.0" for c in mof.components() if c.cls == 3 and c.name != "Model card"}
    listed["Research paper"] = "CC-BY-4.0"
    res = mof.evaluate_components(listed)
    assert res.cls == 0 and res.progress["3"] == pytest.approx(5 / 6 * 100)
    assert res.missing[0] == "Model card"


def test_an_empty_licence_means_released_without_one_not_the_global_licence() -> None:
    gl = {"distribution": {"name": "Apache-2.0"}}
    assert mof.evaluate_components({"Model architecture": ""}, gl).unlicensed == ["Model architecture"]
    assert mof.evaluate_components({"Model architecture": None}, gl).included == ["Model architecture"]


def test_an_invalid_global_licence_is_named() -> None:
    res = mof.evaluate_components({"Model architecture": None}, {"distribution": {"name": "llama2"}})
    assert res.invalid == {"Model architecture": "llama2"}
    assert res.next_steps == [
        "to reach Class III - Open Model: release Model architecture under an open licence (now llama2)",
        *res.next_steps[1:]]


def test_hints_and_inherited_steps_apply_where_they_are_documented() -> None:
    """``hints`` gives the step of a component read but not released; ``inherited`` the step of a component graded
    under its base's binding licence (docs/openness.md); a name given for another state changes nothing."""
    hint = "write a model card: the README read has 120 characters"
    res = mof.evaluate_components({}, hints={"Model card": hint})
    assert f"to reach Class III - Open Model: {hint}" in res.next_steps
    listed = {"Model parameters (Final)": "llama2"}
    res = mof.evaluate_components(listed, inherited={"Model parameters (Final)": "meta-llama/Llama-2-7b",
                                                     "Model card": "meta-llama/Llama-2-7b"})
    assert res.inherited == {"Model parameters (Final)": "meta-llama/Llama-2-7b"}
    assert ("to reach Class III - Open Model: release Model parameters (Final) under an open licence (now llama2, "
            "the licence of its base meta-llama/Llama-2-7b, whose terms bind derivatives: declaring another licence "
            "does not lift them; build it on a base whose licence is open)") in res.next_steps
    assert any(s.endswith("release Model card (model details including performance metrics, intended use, and "
                          "limitations) under an open document licence") for s in res.next_steps)


def test_a_published_model_card_is_open_whatever_text_was_read() -> None:
    """A cited fact that the model card is published, or a card whose reading says nothing (outcome unknown), grades
    the published card: open."""
    from openscope.derive.openness.evaluations import osai

    few_topics = {"model_card": ("negative", {"topics": []})}
    assert osai.modelcard(_side({"Model card": OPEN}, few_topics))[1] == "closed"
    assert osai.modelcard(_side({"Model card": OPEN}, few_topics, **{"Model card": {"source": "curated"}}))[1] == "open"
    assert osai.modelcard(_side({"Model card": OPEN}, {"model_card": ("unknown", {})}))[1] == "open"


def test_an_unidentified_licence_file_for_the_code_leaves_the_weights_open(tmp_path: Path) -> None:
    """docs/openness.md's table: an unread `LICENSE-CODE` alone makes `licenses` unknown, and leaves the weights (released,
    not gated) open: the file does not cover them."""
    from openscope.derive.openness import records
    from openscope.derive.openness.assessment import assess_record

    (tmp_path / "README.md").write_text("# Model\n\nWeights in model.safetensors.\n", "utf-8")
    (tmp_path / "model.safetensors").write_bytes(b"\0" * 16)
    (tmp_path / "LICENSE-CODE").write_text("Acme terms. You may do things with this code under conditions we set.\n",
                                           "utf-8")
    a = assess_record(records.from_folder(tmp_path))
    assert (a.osai["weights_endmodel"], a.osai["licenses"]) == ("open", "unknown")
    assert a.osai_basis["weights_endmodel"] == "Model parameters (Final): no_license; not gated; licence: none"
