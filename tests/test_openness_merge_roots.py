"""A merge's base-model dimensions come from every one of its lineage roots (issue #7, point 3; docs/openness.md,
*A merge's base-model dimensions*): per dimension the least open grade over the roots (closed < partial < open),
`unknown` when a root is unknown and none is closed, and the evidence names the root each grade came from. Before
the thirty-fourth session they came from the deepest root alone (ties: the smallest id), so a merge of an open and a
closed base was graded open.

One store, ingested from records written here (no card text: every grade is the metadata's), graded once by the real
derive; every live model's stored (set-based) rows are compared with `assess`'s (tests/openness_paths.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openness_paths import both_paths, live_ids

from openscope.cli import main
from openscope.store import Store, open_store

# the roots: two open (weights released under Apache-2.0, a declared dataset the store knows as public and
# CC-BY), one closed (a configuration, no weights, no data) and one outside the store that no curated family covers
OPEN, OPEN2, CLOSED, UNKNOWN = "acme/open-base", "bcme/open-base-two", "shut/closed-base", "nobody/unread-base"
WEIGHTS = ["config.json", "model.safetensors"]


def _m(mid: str, lic: str | None, parents: tuple[str, ...] = (), relation: str = "merge",
       files: list[str] = WEIGHTS, datasets: tuple[str, ...] = ()) -> dict[str, Any]:
    tags = ([f"license:{lic}"] if lic else []) + [f"dataset:{d}" for d in datasets]
    tags += [f"base_model:{relation}:{p}" for p in parents]
    return {"id": mid, "author": mid.split("/")[0], "tags": tags, "siblings": [{"rfilename": f} for f in files]}


MODELS = [
    _m(OPEN, "apache-2.0", datasets=("acme/corpus",)),
    _m(OPEN2, "mit", datasets=("acme/corpus",)),
    _m(CLOSED, "other", files=["config.json"]),
    _m("mix/open-closed", "apache-2.0", (OPEN, CLOSED)),
    _m("mix/open-unknown", "apache-2.0", (OPEN, UNKNOWN)),
    _m("mix/closed-unknown", "apache-2.0", (CLOSED, UNKNOWN)),
    _m("mix/open-open", "apache-2.0", (OPEN, OPEN2)),
    # a finetune of a merge: its roots are the merge's
    _m("tune/of-open-closed", "apache-2.0", ("mix/open-closed",), "finetune"),
    # one root: as before
    _m("tune/of-open", "apache-2.0", (OPEN,), "finetune"),
]
DATASETS = [{"id": "acme/corpus", "tags": ["license:cc-by-4.0"], "private": False, "gated": False}]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("merge_roots")
    (d / "d.jsonl").write_text("".join(json.dumps(x) + "\n" for x in DATASETS))
    (d / "m.jsonl").write_text("".join(json.dumps(x) + "\n" for x in MODELS))
    path = d / "s.duckdb"
    assert main(["--db", str(path), "--quiet", "ingest", str(d / "d.jsonl"), "--datasets"]) == 0
    assert main(["--db", str(path), "--quiet", "ingest", str(d / "m.jsonl")]) == 0
    return path


@pytest.fixture
def store(db: Path) -> Any:
    """The store, open for one test (a command run by another test opens it itself)."""
    s = open_store(db)
    yield s
    s.close()


BASE = ("datasources_basemodel", "weights_basemodel")


def _stored(store: Store, mid: str) -> dict[str, str]:
    return dict(store.con.execute("SELECT dimension, grade FROM openness WHERE id = ? AND framework = 'osai' "
                                  "AND dimension LIKE '%basemodel'", [mid]).fetchall())


def test_the_roots_alone_grade_as_the_cases_need(store: Store) -> None:
    """The fixture's premise: each root's own base-model grades (as a single root) are open, closed, unknown."""
    assert _stored(store, "tune/of-open") == {d: "open" for d in BASE}
    assert store.scalar("SELECT count(*) FROM lineage WHERE id = 'tune/of-open-closed' AND root <> id") == 2


@pytest.mark.parametrize(("mid", "grade", "came_from"), [
    ("mix/open-closed", "closed", [CLOSED]),
    ("mix/open-unknown", "unknown", [UNKNOWN]),
    ("mix/closed-unknown", "closed", [CLOSED]),
    ("mix/open-open", "open", [OPEN, OPEN2]),
    ("tune/of-open-closed", "closed", [CLOSED]),
    ("tune/of-open", "open", [OPEN]),
])
def test_a_base_model_dimension_is_the_least_open_over_every_root(store: Store, mid: str, grade: str,
                                                                    came_from: list[str]) -> None:
    a, stored, _ = both_paths(store, mid)   # the set-based rows equal assess's
    for dim in BASE:
        assert stored[("osai", dim)][0] == a.osai[dim] == grade, (mid, dim)
        assert a.base_roots is not None
        assert a.base_roots[dim]["grade"] == grade and a.base_roots[dim]["from"] == came_from, (mid, dim)
        # evidence: the basis names the roots the grade came from, and every root's own grade
        if len(a.base_roots[dim]["roots"]) > 1:
            basis = a.osai_basis[dim]
            assert basis.startswith(f"{grade} from {', '.join(came_from)}, the least open of 2 roots"), basis
            for root, g in a.base_roots[dim]["roots"].items():
                assert f"{root}: {g}" in basis


def test_the_score_counts_the_combined_grades(store: Store) -> None:
    """The score is the mean over the graded dimensions, the base-model ones as combined (an unknown left out)."""
    a, _, _ = both_paths(store, "mix/open-unknown")
    graded = [g for d, g in a.osai.items() if d != "score" and g != "unknown"]
    assert "datasources_basemodel" not in [d for d, g in a.osai.items() if g != "unknown"]
    assert a.osai["score"] == pytest.approx(sum({"open": 1, "partial": 0.5, "closed": 0}[g] for g in graded)
                                            / len(graded))


def test_every_live_model_is_graded_alike_by_both_paths(store: Store) -> None:
    for mid in live_ids(store):
        both_paths(store, mid)


def test_assess_names_every_root_and_where_each_grade_came_from(cli, db: Path) -> None:
    r = cli("--db", db, "--json", "assess", "mix/open-closed")
    assert r.code == 0, r.stderr
    out = r.stdout
    doc = json.loads(out)
    assert doc["roots"] == [OPEN, CLOSED] and doc["base_model"] == OPEN
    assert doc["base_roots"]["weights_basemodel"] == {"grade": "closed", "from": [CLOSED],
                                                      "roots": {OPEN: "open", CLOSED: "closed"}}
    out = cli("--db", db, "assess", "mix/open-closed").stdout
    head = " ".join(out.split("MOF components")[0].split())
    assert f"base models (2 lineage roots; base-model dimensions: the least open over them): {OPEN}, {CLOSED}" in head
    # a model with one root: the key names it
    doc = cli("--db", db, "--json", "assess", "tune/of-open").json()
    assert doc["base_roots"]["datasources_basemodel"] == {"grade": "open", "from": [OPEN], "roots": {OPEN: "open"}}
    # a model with no root: null
    assert cli("--db", db, "--json", "assess", OPEN).json()["base_roots"] is None


ROOT_CARDS = [
    # training data linked and released, weights under Apache-2.0
    "---\nlicense: apache-2.0\ndatasets: [acme/corpus]\n---\n# Base\n\n## Training data\n\nWe trained on the "
    "[acme/corpus](https://huggingface.co/datasets/acme/corpus) dataset.\n",
    # a datasheet file, a custom licence, a gate
    "---\nlicense: other\nlicense_name: acme-community\nextra_gated_prompt: Agree to the terms.\n---\n# Base\n\n"
    "See [DATASHEET.md](DATASHEET.md) for the data. The training code is at https://github.com/acme/train.\n",
    # data described, not released; weights promised
    "# Base\n\n## Training data\n\nA private web crawl of 2T tokens, not released.\n\nWeights will be released soon.\n",
    # nothing of the kind
    "# Base\n\nA small model.\n",
]


@pytest.mark.parametrize("card", ROOT_CARDS)
def test_a_root_s_side_runs_only_the_probes_its_dimensions_read(card: str) -> None:
    """A root's side (:func:`assessment.root_side`) runs the probes the base-model dimensions read, not every probe
    (the thirty-fourth session: most of the cost of reading a root's card); what it gives them is what every probe
    run gives, whichever runs first."""
    from openscope.derive.openness import assessment
    from openscope.derive.openness.evaluations import osai
    from openscope.derive.openness.records import from_text

    assert "training_code" not in assessment.base_probes() and "model_card" not in assessment.base_probes()
    rec = from_text("acme/base", card)
    rec.files = [("model.safetensors", None), ("DATASHEET.md", None), ("config.json", None)]
    few = assessment._side(rec, True, assessment.base_probes())[0]
    every = assessment._side(rec, True)[0]
    assert len(few.findings) < len(every.findings)
    assert {c: few.facts[c].as_json() for c in assessment.BASE_COMPONENTS} == \
        {c: every.facts[c].as_json() for c in assessment.BASE_COMPONENTS}
    assert {n: few.findings[n].as_json() for n in assessment.BASE_FINDINGS} == \
        {n: every.findings[n].as_json() for n in assessment.BASE_FINDINGS}
    base = [d for d, (_, which) in osai.RULES.items() if which == "base"]
    assert {d: osai.basis(few, few)[d] for d in base} == {d: osai.basis(every, every)[d] for d in base}
    assert {d: osai.evaluate(few, few)[d] for d in base} == {d: osai.evaluate(every, every)[d] for d in base}
