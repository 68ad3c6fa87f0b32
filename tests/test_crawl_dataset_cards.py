"""`crawl --datasets --cards` reads datasets' cards, file trees and licence files as it reads models', and the licence
step identifies a dataset's `license: other` by its licence file's text (`dataset_licenses`, migration 0015), which
the openness grades read for a model's declared training dataset.

Every test runs the real ``openscope`` commands in-process against the real simulated Hub on loopback; what each
simulated dataset's LICENSE says comes from the simulated Hub's own content module.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from store_rows import rows as q

from openscope.simhub.content import other_dataset_license
from openscope.simhub.testing import running_simhub

SEED = 4
N_MODELS, N_DATASETS = 40, 60
TOP = "60"   # every model and every dataset
FAST = ["--backoff", "0.01", "--retries", "2"]
# what each first line of a simulated dataset LICENSE identifies (None: a placeholder no reader identifies)
IDENTIFIES = {"SPDX-License-Identifier: CDLA-Permissive-2.0": "cdla-permissive-2.0",
              "SPDX-License-Identifier: ODbL-1.0": "odbl", "SPDX-License-Identifier: CC-BY-NC-4.0": "cc-by-nc-4.0",
              None: None}


@pytest.fixture(scope="module")
def hub() -> Iterator:
    with running_simhub(models=N_MODELS, datasets=N_DATASETS, seed=SEED) as h:
        yield h


@pytest.fixture(scope="module")
def crawled(hub, tmp_path_factory) -> tuple[Path, dict]:
    """One crawl of models and datasets with their cards, derived; and its --json summary."""
    from openscope.cli import main

    db = tmp_path_factory.mktemp("dscards") / "s.duckdb"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["--db", str(db), "--json", "crawl", "--endpoint", hub.url, "--datasets", "--cards",
                     "--top", TOP, *FAST]) == 0
    return db, json.loads(out.getvalue())


def _others(db: Path) -> dict[str, str | None]:
    """Datasets declaring `other`, with the licence their LICENSE stands for."""
    ids = [r[0] for r in q(db, "SELECT id FROM datasets WHERE license = 'other' ORDER BY id")]
    return {d: IDENTIFIES[other_dataset_license(SEED, d)] for d in ids}


def test_dataset_readmes_trees_and_licence_files_are_read_as_for_models(hub, crawled) -> None:
    db, doc = crawled
    ds = doc["cards"]["datasets"]
    assert ds["candidates"] == ds["fetched"] == ds["trees"] == N_DATASETS and ds["failed"] == ds["trees_failed"] == 0
    # the top-level figures are the sums of models and datasets
    models = {k: doc["cards"][k] - ds[k] for k in ("candidates", "fetched", "trees", "files", "api_calls")}
    assert models["candidates"] == models["fetched"] == N_MODELS
    cards = {r[0]: r[1:] for r in q(db, "SELECT id, sha, text, url FROM cards WHERE repo_type = 'dataset'")}
    shas = dict(q(db, "SELECT id, sha FROM datasets"))
    assert set(cards) == set(shas)
    texts = {(r[0], r[1]): r[2:] for r in q(db, """SELECT id, path, text, url, bytes, note FROM license_texts
                                                 WHERE repo_type = 'dataset'""")}
    files = {}
    for id_, path, size in q(db, "SELECT id, path, size FROM files WHERE repo_type = 'dataset'"):
        files.setdefault(id_, set()).add((path, size))
    with httpx.Client(trust_env=False) as h:
        for did, (sha, text, url) in cards.items():
            assert url == f"{hub.url}/datasets/{did}/resolve/main/README.md" and sha == shas[did]
            assert text == h.get(url).text and "Synthetic dataset card" in text
            tree = h.get(f"{hub.url}/api/datasets/{did}/tree/main", params={"recursive": "true"}).json()
            assert files[did] == {(e["path"], e["size"]) for e in tree if e["type"] == "file"}
            assert ("data/train-00000-of-00001.parquet" in {p for p, _ in files[did]})
        with_licence = {d for d, fs in files.items() if any(p == "LICENSE" for p, _ in fs)}
        assert with_licence == set(_others(db)) and len(with_licence) >= 4
        assert {d for d, _ in texts} == with_licence
        for (did, path), (text, url, size, note) in texts.items():
            served = h.get(f"{hub.url}/datasets/{did}/resolve/main/{path}")
            assert (text, url, size, note) == (served.text, str(served.url), len(served.content), None)
    # one call per README, per tree and per licence file, counted in the datasets' own snapshot
    assert ds["license_files"] == {"read": len(with_licence), "too_large": 0, "failed": 0}
    assert ds["api_calls"] == ds["fetched"] + ds["trees"] + len(with_licence)
    listing = next(s for s in doc["snapshots"] if s["repo_type"] == "dataset")["api_calls"]
    assert q(db, "SELECT api_calls FROM snapshots WHERE repo_type = 'dataset'") == [(listing + ds["api_calls"],)]
    # the model's cards and files are untouched by the datasets' (the same ids never collide across types)
    assert q(db, "SELECT count(*) FROM cards WHERE repo_type = 'model'") == [(N_MODELS,)]


def test_a_second_crawl_reads_no_dataset_card_again(hub, crawled, tmp_path, cli) -> None:
    db = tmp_path / "again.duckdb"
    shutil.copyfile(crawled[0], db)
    served = hub.stats()["requests"]
    r = cli("--db", db, "--json", "crawl", "--endpoint", hub.url, "--datasets", "--cards", "--top", TOP,
            "--no-derive", *FAST)
    doc = r.json()
    assert doc["cards"]["candidates"] == 0 and doc["cards"]["datasets"]["candidates"] == 0
    assert hub.stats()["requests"] - served == doc["api_calls"] == 2   # the two incremental listings only


def test_without_datasets_only_model_cards_are_read(hub, tmp_path, cli) -> None:
    db = tmp_path / "models.duckdb"
    doc = cli("--db", db, "--json", "crawl", "--endpoint", hub.url, "--cards", "--top", "5", "--no-derive",
              *FAST).json()
    assert "datasets" not in doc["cards"] and doc["cards"]["candidates"] == 5
    assert q(db, "SELECT count(*) FROM cards WHERE repo_type = 'dataset'") == [(0,)]


def test_a_dataset_declaring_other_gets_the_licence_its_file_identifies(crawled) -> None:
    db, _ = crawled
    others = _others(db)
    assert None in others.values() and len({v for v in others.values() if v}) >= 2
    derived = {r[0]: r[1:] for r in q(db, "SELECT id, declared, license, class, source, evidence, reason "
                                          "FROM dataset_licenses")}
    assert set(derived) == {r[0] for r in q(db, "SELECT id FROM datasets WHERE deleted_at IS NULL")}
    for did, want in others.items():
        declared, lic, cls, source, evidence, reason = derived[did]
        assert declared == "other"
        if want is None:   # never guessed: stays `other`, and says why
            assert (lic, cls, source) == ("other", "unknown", "license") and "not recognised" in reason
        else:
            assert (lic, source) == (want, "license_file") and evidence.startswith("file: LICENSE#L1: ")
            assert cls != "unknown"
    # a declared licence is never replaced (these datasets have no licence file)
    for did, declared, lic, source in q(db, """SELECT id, declared, license, source FROM dataset_licenses
                                               WHERE declared IS NOT NULL AND declared <> 'other'"""):
        assert source == "license" and lic == declared, did


def test_a_model_declaring_that_dataset_is_graded_by_the_identified_licence(crawled, tmp_path, cli) -> None:
    """The MOF Datasets component of a model trained on a dataset declaring `other`: before, `other` was a
    restrictive licence whatever its LICENSE said; now the licence its text identifies, in the per-model
    ``assess`` and in the store's set-based grades alike."""
    db = tmp_path / "graded.duckdb"
    shutil.copyfile(crawled[0], db)
    others = _others(db)
    permissive = next(d for d, v in sorted(others.items()) if v == "cdla-permissive-2.0" or v == "odbl")
    unknown = next(d for d, v in sorted(others.items()) if v is None)
    entries = tmp_path / "m.jsonl"
    entries.write_text("".join(json.dumps({
        "id": f"test-org/trained-on-{i}", "author": "test-org", "createdAt": "2025-01-02T00:00:00.000Z",
        "lastModified": "2025-01-03T00:00:00.000Z", "tags": [f"dataset:{d}", "license:apache-2.0"],
        "cardData": {"license": "apache-2.0", "datasets": [d]}, "downloads": 1, "likes": 0}) + "\n"
        for i, d in enumerate((permissive, unknown))))
    assert cli("--db", db, "ingest", entries).code == 0
    for i, (d, want) in enumerate(((permissive, others[permissive]), (unknown, None))):
        mid = f"test-org/trained-on-{i}"
        comp = cli("--db", db, "--json", "assess", mid).json()["components"]["Datasets"]
        stored = q(db, """SELECT grade, evidence->>'$.license' FROM openness
                          WHERE id = ? AND framework = 'component' AND dimension = 'Datasets'""", [mid])
        if want is None:   # unidentified: `other`, a restrictive licence, as before
            assert (comp["status"], comp["license"]) == ("restrictive_license", "other"), d
        else:
            assert (comp["status"], comp["license"]) == ("open_license", want), d
        assert stored == [(comp["status"], comp["license"])]
