"""The set-based metadata grading (derive/openness/sql.py) gives the per-model grades (issue #7, "Must hold") on the
store shapes the fifth mutation round found no test built: a dataset sharing a model's id, a deleted model or
dataset, a dataset without a `private` field, a blank or differently cased dataset name, a licence file-less model,
a library named in capitals, `license_name: modified-…` under a licence tag that is not `other`, the gated forms
`none` and `0`. Each case names the hand mutants of the SQL it kills (docs/reviews.md, "Mutation testing, fifth
round"). One small store, graded once by the real pass; every live model's stored rows are compared with
``assess``'s (tests/openness_paths.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openness_paths import both_paths, live_ids

from openscope import derive
from openscope.jobs.ingest import ingest_file
from openscope.store import Store, open_store

WEIGHTS = [{"rfilename": "model.safetensors"}]


def _m(mid: str, tags: list[str] = (), **extra: Any) -> dict[str, Any]:
    return {"id": mid, "tags": list(tags), "siblings": WEIGHTS, **extra}


MODELS = [
    # a dataset of the same id has a training script, an arXiv tag and a dataset tag: none of them is the model's
    # (S04 files of any repo type, S05 arxiv tags of any repo type, S06 dataset tags of any repo type)
    _m("acme-twin/twin", ["license:mit"]),
    # a model that does ship them (so the store's model paths include the dataset's)
    {"id": "acme-twin/trainer", "tags": ["license:mit"],
     "siblings": WEIGHTS + [{"rfilename": "train.py"}, {"rfilename": "paper.pdf"}]},
    # deleted after the ingest: no rows (S01)
    _m("acme-del/gone", ["license:mit"]),
    # declares a deleted dataset: not a known one (S08)
    _m("acme-ds/declares-deleted", ["license:mit", "dataset:acme-data/deleted"]),
    # declares a dataset whose record has no `private` field: public (S09)
    _m("acme-ds/declares-noprivate", ["license:mit", "dataset:acme-data/no-private"]),
    # a blank entry in the card's list is no dataset (S11)
    _m("acme-ds/declares-blank", ["license:mit"], cardData={"datasets": ["  ", "acme-data/gated"]}),
    # a gated dataset is known but not open (S12)
    _m("acme-ds/declares-gated", ["license:mit", "dataset:acme-data/gated"]),
    # two open datasets, the first by id without a licence: its (missing) licence is the one read (S13)
    _m("acme-ds/two-open", ["license:mit", "dataset:acme-data/open-nolicense", "dataset:acme-data/open-z-licensed"]),
    # an unknown dataset first by id, then a known closed one: the known one's licence (S14)
    _m("acme-ds/unknown-and-closed", ["license:mit", "dataset:acme-data/a-unknown", "dataset:acme-data/gated"]),
    # a declared id in other capitals than the stored one (S21)
    _m("acme-ds/case", ["license:mit", "dataset:ACME-Data/Open-A"]),
    # only a blank name: no dataset declared (S11)
    _m("acme-ds/only-blank", ["license:mit"], cardData={"datasets": [" "]}),
    # no dataset at all (S22)
    _m("acme-ds/none", ["license:mit"]),
    # `license_name: modified-…` counts only under `license: other` (S15)
    _m("acme-lic/modified-name", ["license:apache-2.0"],
       cardData={"license": "apache-2.0", "license_name": "modified-apache-2.0"}),
    _m("acme-lic/modified-other", ["license:other"], cardData={"license": "other", "license_name": "modified-mit"}),
    # gated forms the Hub's API and old dumps use for "not gated" (S16)
    _m("acme-gate/none", ["license:mit"], gated="none"),
    _m("acme-gate/zero", ["license:mit"], gated="0"),
    _m("acme-gate/manual", ["license:mit"], gated="manual"),
    # an empty `gated` value is no gate, as the probes read it (the set-based pass read it as gated: fixed)
    _m("acme-gate/empty", ["license:mit"], gated=""),
    _m("acme-ds/declares-empty-gated", ["license:mit", "dataset:acme-data/empty-gated"]),
    # a library named in capitals (S20)
    _m("acme-lib/caps", ["license:mit"], library_name="Transformers"),
    # no licence file: its licence file feature is unknown, not "a file for the code" (S17)
    _m("acme-lic/no-file", ["license:mit"]),
    {"id": "acme-lic/none-no-file", "tags": [], "siblings": WEIGHTS + [{"rfilename": "train.py"}]},
    {"id": "acme-lic/code-file", "tags": ["license:mit"], "siblings": WEIGHTS + [{"rfilename": "LICENSE-CODE"}]},
]
DATASETS = [
    {"id": "acme-twin/twin", "tags": ["arxiv:2401.00001", "dataset:acme-data/open-a", "license:mit"],
     "siblings": [{"rfilename": "train.py"}, {"rfilename": "paper.pdf"}], "private": False, "gated": False},
    {"id": "acme-data/deleted", "tags": ["license:cc-by-4.0"], "private": False, "gated": False},
    {"id": "acme-data/no-private", "tags": ["license:cc-by-4.0"], "gated": False},
    {"id": "acme-data/open-a", "tags": ["license:cc-by-4.0"], "private": False, "gated": False},
    {"id": "acme-data/gated", "tags": ["license:cc-by-4.0"], "private": False, "gated": "manual"},
    {"id": "acme-data/empty-gated", "tags": ["license:cc-by-4.0"], "private": False, "gated": ""},
    {"id": "acme-data/open-nolicense", "tags": [], "private": False, "gated": False},
    {"id": "acme-data/open-z-licensed", "tags": ["license:cc-by-4.0"], "private": False, "gated": False},
]


def _jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("m30sql")
    s = open_store(tmp / "s.duckdb")
    ingest_file(s, _jsonl(tmp / "m.jsonl", MODELS))
    ingest_file(s, _jsonl(tmp / "d.jsonl", DATASETS), repo_type="dataset")
    # what a later crawl writes for a repository that is gone from the Hub
    s.con.execute("UPDATE models SET deleted_at = now()::TIMESTAMP WHERE id = 'acme-del/gone'")
    s.con.execute("UPDATE datasets SET deleted_at = now()::TIMESTAMP WHERE id = 'acme-data/deleted'")
    derive.refresh(s, only=["lineage", "openness"])   # grading never needs the licence step
    yield s
    s.close()


def _grade(store: Store, mid: str, dim: str, fw: str = "component") -> str | None:
    row = store.con.execute("SELECT grade FROM openness WHERE id = ? AND framework = ? AND dimension = ?",
                            [mid, fw, dim]).fetchone()
    return row[0] if row else None


@pytest.mark.parametrize("mid", [m["id"] for m in MODELS if m["id"] != "acme-del/gone"])
def test_every_live_model_is_graded_alike_by_both_paths(store: Store, mid: str) -> None:
    """The stored (set-based) rows equal ``assess``'s for the same record: grades and scores of every row, and the
    licence each component row names (S14: a closed dataset's licence read from an unknown one)."""
    _, stored, expected = both_paths(store, mid)
    lic = {k: v[2]["license"] for k, v in stored.items() if k[0] == "component"}
    assert lic == {k: v[2]["license"] for k, v in expected.items() if k[0] == "component"}
    # a component found cites where (the set-based pass: the model's Hub page); one not found cites nothing (S29, S35)
    for k, (grade, _, doc) in stored.items():
        if k[0] == "component":
            assert bool(doc.get("evidence")) is (grade != "not_found"), k
            assert bool(expected[k][2]["evidence"]) is (grade != "not_found"), k


def test_a_deleted_model_gets_no_rows(store: Store) -> None:
    """Kills S01 (the live models without the `deleted_at` test)."""
    assert "acme-del/gone" not in live_ids(store)
    assert store.scalar("SELECT count(*) FROM openness WHERE id = 'acme-del/gone'") == 0
    assert store.scalar("SELECT count(*) FROM openness WHERE id = 'acme-twin/twin'") > 0


def test_a_dataset_of_the_same_id_lends_the_model_nothing(store: Store) -> None:
    """The dataset `acme-twin/twin` ships `train.py` and a paper and carries `arxiv:` and `dataset:` tags; the model
    `acme-twin/twin` has none of them. Kills S04, S05, S06."""
    assert _grade(store, "acme-twin/twin", "Training code") == "not_found"
    assert _grade(store, "acme-twin/twin", "Research paper") == "not_found"
    assert _grade(store, "acme-twin/twin", "Datasets") == "not_found"
    assert _grade(store, "acme-twin/trainer", "Training code") != "not_found"   # the same paths, its own


def test_an_empty_gated_value_is_no_gate_on_both_paths(store: Store) -> None:
    """A defect this round found: `gated: ""` (stored as the empty string, not NULL) was "gated" to the set-based
    pass and not gated to the probes (``weights_gated``, ``datasets_released``), for a model and for a dataset it
    declares. Now both read it as no gate; the parity test above holds both models."""
    assert _grade(store, "acme-gate/empty", "weights_endmodel", "osai") == _grade(store, "acme-gate/none", "weights_endmodel", "osai")
    assert _grade(store, "acme-gate/empty", "weights_endmodel", "osai") == "open"
    assert _grade(store, "acme-gate/manual", "weights_endmodel", "osai") == "partial"
    assert _grade(store, "acme-ds/declares-empty-gated", "Datasets") == "open_license"


def test_the_datasets_a_model_declares_are_read_as_the_probe_reads_them(store: Store) -> None:
    """Open, closed (gated, deleted) and unknown datasets (S08, S09, S11, S12, S13, S14, S21, S22)."""
    grades = {m: _grade(store, m, "Datasets") for m in (
        "acme-ds/declares-deleted", "acme-ds/declares-noprivate", "acme-ds/declares-gated", "acme-ds/case",
        "acme-ds/none", "acme-ds/two-open", "acme-ds/unknown-and-closed", "acme-ds/declares-blank")}
    assert grades["acme-ds/declares-noprivate"] == "open_license"     # no `private` field: public
    assert grades["acme-ds/case"] == "open_license"                   # the stored id in other capitals
    assert grades["acme-ds/declares-gated"] != "open_license"
    assert grades["acme-ds/declares-deleted"] != "open_license"       # a deleted dataset is not known
    assert grades["acme-ds/none"] == "not_found"
    assert grades["acme-ds/two-open"] != grades["acme-ds/declares-noprivate"]   # the first's missing licence
