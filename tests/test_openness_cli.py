"""`openscope assess`: folders, store ids, MOF records, expert overlay; contract JSON and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openscope.derive.openness.evaluations.mof import component_names
from openscope.derive.openness.evaluations.osai import DIMENSIONS

STATUSES = {"open_license", "restrictive_license", "no_license", "documented_not_released", "not_found"}


def _check_contract(doc: dict) -> None:
    assert set(doc) >= {"id", "osai", "mof", "osaid", "components", "flags"}
    assert set(doc["osai"]) == set(DIMENSIONS) | {"score"}
    assert all(doc["osai"][d] in ("open", "partial", "closed", "unknown") for d in DIMENSIONS)
    assert set(doc["mof"]) >= {"class", "label", "progress"} and doc["mof"]["class"] in (0, 1, 2, 3)
    assert set(doc["mof"]["progress"]) == {"1", "2", "3"}
    assert all(isinstance(v, float) for v in doc["mof"]["progress"].values())
    assert doc["osaid"]["verdict"] in ("pass", "fail", "insufficient") and isinstance(doc["osaid"]["missing"], list)
    assert set(doc["components"]) == set(component_names())
    for c in doc["components"].values():
        assert c["status"] in STATUSES and set(c) == {"status", "license", "evidence"}
        for e in c["evidence"]:
            assert set(e) == {"kind", "locator", "snippet", "read_at"}
            assert e["kind"] in ("hub_metadata", "card", "file_list", "file", "curated", "expert")


def test_folder_with_card_and_files(cli, tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("---\nlicense: apache-2.0\n---\n# M\n## Training\n```\npython train.py\n```\n")
    (tmp_path / "model.safetensors").write_bytes(b"x")
    (tmp_path / "config.json").write_text("{}")
    r = cli("--db", tmp_path / "none.duckdb", "assess", tmp_path, "--json")
    assert r.code == 0, r.stderr
    doc = r.json()
    _check_contract(doc)
    assert doc["components"]["Model parameters (Final)"]["status"] == "open_license"
    assert doc["components"]["Training code"]["status"] == "open_license"
    assert doc["osai"]["weights_endmodel"] in ("open", "partial")
    assert not (tmp_path / "none.duckdb").exists()  # assess never creates a store


@pytest.mark.parametrize("readme", [None, b"---\nlicense: [broken\n---\n# x\n", b"\x00\x01\x02binary\x00"])
def test_unreadable_cards_give_unknown_grades_with_a_warning(cli, tmp_path: Path, readme: bytes | None) -> None:
    if readme is not None:
        (tmp_path / "README.md").write_bytes(readme)
    r = cli("--db", tmp_path / "none.duckdb", "assess", tmp_path, "--json")
    assert r.code == 0
    assert "warning" in r.stderr
    doc = r.json()
    _check_contract(doc)
    if readme is None or b"\x00" in readme:
        assert all(doc["osai"][d] == "unknown" for d in DIMENSIONS)
        assert all(c["status"] == "not_found" for c in doc["components"].values())


def test_missing_path_exits_66(cli, tmp_path: Path) -> None:
    r = cli("--db", tmp_path / "none.duckdb", "assess", tmp_path / "nope", "--json")
    assert r.code == 66 and r.stdout == "" and "Traceback" not in r.stderr


def test_human_output_lists_components_grades_and_steps(cli, tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("---\nlicense: llama2\n---\n# M\nA fully open-source model.\n")
    (tmp_path / "model.safetensors").write_bytes(b"x")
    r = cli("--db", tmp_path / "none.duckdb", "assess", tmp_path)
    assert r.code == 0
    for text in ("Model parameters", "restrictive_license", "weights_endmodel", "MOF", "OSAID 1.0", "Next steps",
                 "open-source-claim-with-closed-parts"):
        assert text in r.stdout, text


def _store_with_model(cli, tmp_path: Path) -> Path:
    db = tmp_path / "s.duckdb"
    entries = [
        {"id": "meta-llama/Llama-2-7b", "author": "meta-llama", "gated": "manual", "tags": ["license:llama2"],
         "siblings": [{"rfilename": "model.safetensors"}, {"rfilename": "config.json"}]},
        {"id": "acme/tiny", "author": "acme", "tags": ["license:mit"], "siblings": [{"rfilename": "model.bin"}]},
        {"id": "mistralai/Mixtral-8x7B-v0.1", "author": "mistralai", "tags": ["license:apache-2.0"],
         "siblings": [{"rfilename": "model.safetensors"}]},
    ]
    p = tmp_path / "m.jsonl"
    p.write_text("\n".join(json.dumps(e) for e in entries) + "\n")
    assert cli("--db", db, "ingest", p, "--json").code == 0
    return db


def test_store_model_case_insensitive_and_unknown_id(cli, tmp_path: Path) -> None:
    db = _store_with_model(cli, tmp_path)
    r = cli("--db", db, "assess", "META-LLAMA/llama-2-7b", "--json")
    assert r.code == 0, r.stderr
    doc = r.json()
    _check_contract(doc)
    assert doc["id"] == "meta-llama/Llama-2-7b"
    assert doc["osaid"]["verdict"] == "fail" and doc["curated"] == "Llama 2"
    assert any(e["kind"] == "curated" for e in doc["components"]["Training code"]["evidence"])
    r = cli("--db", db, "assess", "acme/nope", "--json")
    assert r.code == 66 and "acme/tiny" in r.stderr


def test_store_rows_match_the_assess_command(cli, tmp_path: Path) -> None:
    db = _store_with_model(cli, tmp_path)
    doc = cli("--db", db, "assess", "acme/tiny", "--json").json()
    from openscope.store import open_store

    with open_store(db, read_only=True, create=False) as s:
        rows = dict(s.con.execute("SELECT dimension, grade FROM openness WHERE id = 'acme/tiny' "
                                  "AND framework = 'osai' AND dimension <> 'score'").fetchall())
    assert rows == {d: doc["osai"][d] for d in DIMENSIONS}


@pytest.mark.reference
def test_mof_record_option(cli, shared_data: Path, tmp_path: Path) -> None:
    f = next((shared_data / "mof" / "fixtures").glob("Class2T*.yml"))
    r = cli("--db", tmp_path / "none.duckdb", "assess", "--mof-record", f, "--json")
    assert r.code == 0
    doc = r.json()
    assert doc["mof"]["class"] == 2 and doc["mof"]["progress"]["2"] == 100.0
    bad = tmp_path / "bad.yml"
    bad.write_text("just: text\n")
    assert cli("--db", tmp_path / "none.duckdb", "assess", "--mof-record", bad).code == 65
    assert cli("--db", tmp_path / "none.duckdb", "assess", "--mof-record", tmp_path / "x.yml").code == 66


def test_expert_overlay_and_no_experts(cli, tmp_path: Path) -> None:
    db = _store_with_model(cli, tmp_path)
    osai = tmp_path / "osai.csv"
    dims = ",".join(DIMENSIONS)
    osai.write_text(f"file,name,{dims},osai_site_score,link\n"
                    "x.yaml,Tiny," + ",".join(["open"] * 12) + ",1.0,https://huggingface.co/acme/tiny\n")
    r = cli("--db", db, "assess", "--import-experts", osai, "--json")
    assert r.code == 0 and r.json()["imported"][str(osai)] == 13
    doc = cli("--db", db, "assess", "acme/tiny", "--json").json()
    assert doc["experts"]["sources"]["osai"]["grades"]["trainingcode"] == "open"
    assert {"framework": "osai", "dimension": "trainingcode", "openscope": doc["osai"]["trainingcode"],
            "expert": "open"} in doc["experts"]["disagreements"]
    plain = cli("--db", db, "assess", "acme/tiny", "--json", "--no-experts").json()
    assert "experts" not in plain
    assert plain["osai"] == doc["osai"]  # automatic grades never read an expert grade
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    assert cli("--db", db, "assess", "--import-experts", bad).code == 65


def doc_sources(cli, db: Path, model: str) -> dict:
    return cli("--db", db, "assess", model, "--json").json().get("experts", {}).get("sources", {})


def test_mof_records_without_a_hub_link_match_by_producer_and_name(cli, tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    entries = [{"id": i, "author": i.split("/")[0], "siblings": [{"rfilename": "model.safetensors"}]}
               for i in ("meta-llama/Llama-2-7b", "someone/Llama-2-7b", "meta-math/Llama-2-7b", "Qwen/Qwen-7B",
                         "acme/tiny")]
    p = tmp_path / "m.jsonl"
    p.write_text("\n".join(json.dumps(e) for e in entries) + "\n")
    assert cli("--db", db, "ingest", p).code == 0
    mot = tmp_path / "mof_models.csv"
    mot.write_text("name,producer,huggingface,mof_class,mof_class_label,progress_class1,progress_class2,progress_class3\n"
                   "Llama-2-7B,Meta,,0,Unclassified,0,0,40\n"
                   "Qwen-7B,Alibaba Cloud,,0,Unclassified,0,10,50\n"
                   "tiny,,,3,Class III - Open Model,0,0,100\n")
    r = cli("--db", db, "assess", "--import-experts", mot, "--json")
    assert r.code == 0 and r.json()["imported"][str(mot)] == 8  # the record with no producer is not imported

    def mof_grades(model: str) -> dict | None:
        doc = cli("--db", db, "assess", model, "--json").json()
        return doc.get("experts", {}).get("sources", {}).get("mof", {}).get("grades")

    assert mof_grades("meta-llama/Llama-2-7b") == {"class": "Unclassified", "progress_1": 0.0, "progress_2": 0.0,
                                                   "progress_3": 40.0}
    assert mof_grades("someone/Llama-2-7b") is None  # same name, another publisher
    assert mof_grades("meta-math/Llama-2-7b") is None  # a namespace that only starts like the producer
    assert mof_grades("Qwen/Qwen-7B")["progress_3"] == 50.0  # the curated publisher of Qwen is Alibaba Cloud
    assert mof_grades("acme/tiny") is None
    osai = tmp_path / "osai.csv"
    dims = ",".join(DIMENSIONS)
    osai.write_text(f"file,name,org,endmodelname,{dims},link\n"
                    "l.yaml,Llama 2,Meta,Llama-2-7b," + ",".join(["partial"] * 12) + ",https://ai.meta.com/llama/\n"
                    "t.yaml,Tiny,Acme,tiny," + ",".join(["open"] * 12) + ",https://acme.example/tiny\n")
    assert cli("--db", db, "assess", "--import-experts", osai).code == 0
    doc = cli("--db", db, "assess", "meta-llama/Llama-2-7b", "--json").json()
    assert doc["experts"]["sources"]["osai"]["grades"]["licenses"] == "partial"
    assert "osai" not in doc_sources(cli, db, "someone/Llama-2-7b")
    assert "osai" not in doc_sources(cli, db, "acme/tiny")  # acme is no curated publisher
    record = tmp_path / "rec.yml"
    record.write_text("framework: {name: Model Openness Framework, version: '1.0', date: '2024-12-15'}\n"
                      "release:\n  name: tiny\n  version: '1'\n  components: []\n")
    r = cli("--db", db, "assess", "--import-experts", record)
    assert r.code == 65 and "producer" in r.stderr


@pytest.mark.reference
def test_reference_expert_files_import(cli, shared_data: Path, tmp_path: Path) -> None:
    db = _store_with_model(cli, tmp_path)
    for f in ("openness/osai_dev.csv", "mof/mof_models.csv", "fmti/fmti_totals.csv", "fmti/fmti_scores.csv"):
        r = cli("--db", db, "assess", "--import-experts", shared_data / f, "--json")
        assert r.code == 0 and r.json()["imported"][str(shared_data / f)] > 0, f
    doc = cli("--db", db, "assess", "mistralai/Mixtral-8x7B-v0.1", "--json").json()
    assert doc["experts"]["sources"]["mof"]["grades"]["class"] == "Unclassified"


def test_derivative_flags_a_licence_contradicting_its_base_once(cli, tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    entries = [
        {"id": "meta-llama/Llama-2-7b", "author": "meta-llama", "tags": ["license:llama2"],
         "siblings": [{"rfilename": "model.safetensors"}]},
        {"id": "someone/relicensed", "author": "someone",
         "tags": ["license:apache-2.0", "base_model:finetune:meta-llama/Llama-2-7b"],
         "siblings": [{"rfilename": "model.safetensors"}]},
    ]
    p = tmp_path / "m.jsonl"
    p.write_text("\n".join(json.dumps(e) for e in entries) + "\n")
    assert cli("--db", db, "ingest", p).code == 0
    doc = cli("--db", db, "assess", "someone/relicensed", "--json").json()
    flags = [f for f in doc["flags"] if f["flag"] == "license-contradicts-base"]
    assert len(flags) == 1 and flags[0]["base"] == "meta-llama/Llama-2-7b"
    assert doc["base_model"] == "meta-llama/Llama-2-7b"
    # base-model dimensions come from the root (Llama 2's weights under its custom licence agreement)
    assert doc["osai"]["weights_basemodel"] == "partial"
    # and a derivative cannot relicense its base: its weights are under Llama 2's terms, not the Apache-2.0 it
    # declares (graded as the custom agreement they are, the declared licence named in the evidence)
    weights = doc["components"]["Model parameters (Final)"]
    assert (weights["status"], weights["license"]) == ("restrictive_license", "llama2")
    assert doc["osai"]["weights_endmodel"] == "partial"


def test_fmti_scores_match_the_author_loosely(cli, tmp_path: Path) -> None:
    db = _store_with_model(cli, tmp_path)
    extra = tmp_path / "more.jsonl"
    extra.write_text("\n".join(json.dumps({"id": i, "author": i.split("/")[0], "siblings": []})
                               for i in ("meta-math/MetaMath-7B", "Qwen/Qwen-7B")) + "\n")
    assert cli("--db", db, "ingest", extra).code == 0
    fmti = tmp_path / "fmti_totals.csv"
    fmti.write_text("index_version,developer,n_indicators,total_score\n2025-12,Meta,100,31\n2025-12,Acme AI,100,5\n"
                    "2025-12,Alibaba,100,26\n")
    assert cli("--db", db, "assess", "--import-experts", fmti).code == 0
    doc = cli("--db", db, "assess", "meta-llama/Llama-2-7b", "--json").json()
    assert doc["experts"]["sources"]["fmti"]["grades"] == {"total_2025-12": 31.0}
    # by the curated publisher's name (Qwen is Alibaba Cloud's), never by a namespace that merely starts
    # with a developer's name (MetaMath is not Meta's) or one the curated table does not know (acme)
    qwen = cli("--db", db, "assess", "Qwen/Qwen-7B", "--json").json()
    assert qwen["experts"]["sources"]["fmti"]["grades"] == {"total_2025-12": 26.0}
    for other in ("meta-math/MetaMath-7B", "acme/tiny"):
        assert "experts" not in cli("--db", db, "assess", other, "--json").json(), other
    assert "experts" not in cli("--db", db, "assess", "mistralai/Mixtral-8x7B-v0.1", "--json").json() or \
        "fmti" not in cli("--db", db, "assess", "mistralai/Mixtral-8x7B-v0.1", "--json").json()["experts"]["sources"]


def test_readme_file_path_and_a_non_readme_file(cli, tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("---\nlicense: mit\n---\n# M\n")
    (tmp_path / "model.safetensors").write_bytes(b"\x00weights")
    r = cli("--db", tmp_path / "none.duckdb", "assess", tmp_path / "README.md", "--json")
    assert r.code == 0 and r.json()["components"]["Model parameters (Final)"]["status"] == "not_found"
    r = cli("--db", tmp_path / "none.duckdb", "assess", tmp_path / "model.safetensors", "--json")
    assert r.code == 0 and "not a README" in r.stderr
    assert r.json()["components"]["Model parameters (Final)"]["status"] == "no_license"


def test_symlink_loops_are_not_followed(cli, tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# M\n")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    r = cli("--db", tmp_path / "none.duckdb", "assess", tmp_path, "--json")
    assert r.code == 0


def test_missing_expert_file_and_no_target(cli, tmp_path: Path) -> None:
    db = _store_with_model(cli, tmp_path)
    assert cli("--db", db, "assess", "--import-experts", tmp_path / "nope.csv").code == 66
    r = cli("--db", db, "assess")
    assert r.code == 64 and "Traceback" not in r.stderr
    for blank in ("", "  "):  # Path("") is the current folder: a blank argument must not grade it
        r = cli("--db", db, "assess", blank, "--json")
        assert r.code == 64 and r.stdout == "" and r.stderr.count("\n") == 1, (blank, r.stderr)


_ODD = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=12) \
    | st.lists(st.text(max_size=5), max_size=2) | st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2)


def _record() -> dict:
    comps = [{"name": n, "description": "x", "component_path": "https://example.com/c", "license": "Apache-2.0",
              "license_path": "https://example.com/l"} for n in ("Model architecture", "Training code",
                                                                 "Model parameters (Final)", "Datasets")]
    return {"framework": {"name": "Model Openness Framework", "version": "1.0", "date": "2024-12-15"},
            "release": {"name": "Fuzz-1", "version": "1B", "date": "2025-01-01", "type": "language",
                        "architecture": "transformer", "origin": "x", "producer": "Acme", "contact": "",
                        "repository": "https://github.com/acme/x", "huggingface": "https://huggingface.co/acme/x",
                        "license": {"distribution": {"name": "Apache-2.0", "path": "https://example.com/l"}},
                        "components": comps}}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["framework", "release", "release.name", "release.license",
                                           "release.components", "release.components.0",
                                           "release.components.0.name", "release.components.1.license",
                                           "release.license.distribution", "release.producer"]), _ODD),
                max_size=3))
def test_any_mof_record_gives_a_grade_or_a_one_line_error(cli, tmp_path_factory, edits: list) -> None:
    """A MOF record with any field of any type: a contract document (exit 0) or one line on stderr
    (exit 65), never an internal error."""
    rec = _record()
    for path, value in edits:
        *parents, last = path.split(".")
        node = rec
        for p in parents:
            node = node[int(p)] if isinstance(node, list) and p.isdigit() and int(p) < len(node) else \
                node.get(p) if isinstance(node, dict) else None
            if node is None:
                break
        if isinstance(node, dict):
            node[last] = value
        elif isinstance(node, list) and last.isdigit() and int(last) < len(node):
            node[int(last)] = value
    f = tmp_path_factory.mktemp("mof") / "r.yml"
    f.write_text(yaml.safe_dump(rec, allow_unicode=True), encoding="utf-8")
    r = cli("--db", f.parent / "none.duckdb", "assess", "--mof-record", f, "--json")
    assert r.code in (0, 65), (r.code, r.stderr)
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr
    if r.code == 0:
        doc = r.json()
        assert doc["mof"]["class"] in (0, 1, 2, 3) and set(doc["mof"]["progress"]) == {"1", "2", "3"}
        assert all(0.0 <= v <= 100.0 for v in doc["mof"]["progress"].values())
        assert set(doc["included"]) | set(doc["missing"]) <= set(component_names())
        assert not set(doc["included"]) & set(doc["missing"])
    else:
        assert len(r.stderr.strip().splitlines()) == 1, r.stderr


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(readme=st.one_of(st.none(), st.binary(max_size=300), st.text(max_size=300).map(str.encode)),
       files=st.lists(st.sampled_from(["model.safetensors", "pytorch_model.bin", "x.gguf", "config.json",
                                       "train.py", "sub/adapter_config.json", "LICENSE", "data/a.jsonl",
                                       "README.md.bak", "ünïcode name.py", "scripts/run eval.sh"]),
                      max_size=6, unique=True))
def test_any_local_folder_is_assessed(cli, tmp_path_factory, readme: bytes | None, files: list[str]) -> None:
    """A folder with any README bytes (or none) and any files: a contract document, exit 0."""
    d = tmp_path_factory.mktemp("folder")
    for name in files:
        (d / name).parent.mkdir(parents=True, exist_ok=True)
        (d / name).write_bytes(b"x")
    if readme is not None:
        (d / "README.md").write_bytes(readme)
    r = cli("--db", d / "none.duckdb", "assess", d, "--json")
    assert r.code == 0, r.stderr
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr
    _check_contract(r.json())
