"""Lineage and publishers against the reference data in ../shared/data (real Hub responses, sources)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest

from openscope.derive.lineage.publishers import data_dir

pytestmark = pytest.mark.reference


@pytest.fixture(scope="module")
def api_db(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    from openscope.cli import main

    d = tmp_path_factory.mktemp("api")
    src = d / "real.jsonl"
    with src.open("w", encoding="utf-8") as f:
        for p in sorted((shared_data / "hub-api").glob("*.model_info.json")):
            f.write(json.dumps(json.loads(p.read_text(encoding="utf-8"))) + "\n")
    db = d / "real.duckdb"
    assert main(["--db", str(db), "--quiet", "ingest", str(src)]) == 0
    return db


def test_real_responses_give_the_right_edges(api_db: Path) -> None:
    con = duckdb.connect(str(api_db), read_only=True)
    rows = con.execute("SELECT child, parent, relation, evidence, chosen FROM edges ORDER BY evidence DESC").fetchall()
    assert ("deepset/roberta-base-squad2", "FacebookAI/roberta-base", "finetune", "tag", True) in rows
    # the card's base_model (no relation) is kept as evidence, not chosen
    assert ("deepset/roberta-base-squad2", "FacebookAI/roberta-base", "unknown", "card", False) in rows
    assert {r[0] for r in rows} == {"deepset/roberta-base-squad2"}  # the other three declare no base
    lin = con.execute("SELECT root, depth, path FROM lineage WHERE id = 'deepset/roberta-base-squad2'").fetchall()
    assert lin == [("FacebookAI/roberta-base", 1, ["deepset/roberta-base-squad2", "FacebookAI/roberta-base"])]
    # FacebookAI is a legacy Meta namespace (ATOM): the root's country is Meta's
    origin = con.execute("SELECT root_countries, root_country FROM model_origin "
                         "WHERE id = 'deepset/roberta-base-squad2'").fetchone()
    assert origin == (["US"], "US")
    con.close()


def test_every_reference_org_gets_its_country_and_region(shared_data: Path) -> None:
    ours = {r["org"]: r for r in csv.DictReader((data_dir() / "publishers.csv").open(encoding="utf-8"))}
    for r in csv.DictReader((shared_data / "reference" / "publishers.csv").open(encoding="utf-8")):
        assert r["hf_org"] in ours, r["hf_org"]
        assert ours[r["hf_org"]]["country"] == r["country_iso2"], r["hf_org"]
    for r in csv.DictReader((shared_data / "reference" / "atom_organization_regions.csv").open(encoding="utf-8")):
        row = ours[r["hf_org"]]
        if r["region"] == "unknown":
            assert row["region"] == "", r["hf_org"]  # unknown stays unknown
        else:
            assert row["region"] == r["region"], r["hf_org"]  # ATOM's eu stays eu (GB, CH included)
    assert ours["stabilityai"]["country"] == "GB" and ours["stabilityai"]["region"] == "eu"
    assert ours["swiss-ai"]["country"] == "CH" and ours["swiss-ai"]["region"] == "eu"
