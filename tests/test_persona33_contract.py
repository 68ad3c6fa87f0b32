"""The contract walked as a scripting user would (helper-tryout33, docs/reviews.md "The contract walked as a
scripting user would"): every ``--json`` document of ``lineage``, ``model``, ``license``, ``assess``, ``sql`` and
``status``, in each branch a script meets, checked key by key against the documented shapes
(``contract_shapes``: types and nullability, not only the keys ``test_contract.py`` checks), with the exit code
and an empty stdout for every failure. Three defects that walk found, each failing on the code before its fix:

* ``model --json`` of a merge of a Chinese root and a root of unknown origin read ``root_countries: ["CN"]`` and
  ``root_country: "multiple"``, and nothing in the document said which root was the unknown one (the text view
  names it): each ``lineage.roots`` entry now carries its publisher's ``country`` and ``region`` (additive keys);
* a reading command on a store of an older schema that cannot be written (a read-only medium) said only
  ``cannot write store …: Read-only file system`` (exit 73): it now says that reading needs the store upgraded
  first, and how to do it;
* a path no file system can hold (`File name too long`) as `--db`, as `ingest`'s file or as `crawl --dump` exited
  70 (internal error) from every command: it is now a store or file that is not there (66, 73 for a writer).

One store, ingested from records written here; no network.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from contract_shapes import problems

from openscope.cli import main
from openscope.store.db import SCHEMA_VERSION

QWEN, UNK, MERGE = "Qwen/Qwen2.5-7B-Instruct", "nobody/base", "acme/merge-q-unk"
EXTERNAL = "EleutherAI/gpt-j-6b"
MOF_RECORD = """framework: {name: Model Openness Framework, version: '1.0', date: '2024-12-15'}
release:
  name: tryout33-record
  producer: acme
  license:
    distribution: {name: MIT, path: https://example.com/LICENSE}
  components:
  - {name: Model architecture, license: Apache-2.0}
  - {name: Model parameters (Final), license: CC-BY-NC-4.0}
  - {name: Model card}
"""


def _rec(mid: str, parents: tuple[str, ...] = (), relation: str = "finetune", lic: str | None = "apache-2.0",
         downloads: int = 10, created: str = "2025-01-05T10:00:00.000Z") -> dict[str, Any]:
    tags = [*(f"license:{lic}" for _ in [lic] if lic), *(f"base_model:{relation}:{p}" for p in parents)]
    return {"id": mid, "author": mid.split("/")[0], "createdAt": created, "lastModified": created,
            "downloads": downloads, "likes": 1, "tags": tags, "siblings": [{"rfilename": "model.safetensors"}],
            **({"cardData": {"license": lic}} if lic else {})}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("persona33")
    entries = [
        _rec(QWEN, downloads=5000), _rec(UNK, lic=None),
        _rec(MERGE, (QWEN, UNK), "merge", lic="mit"),
        *(_rec(f"ft{i}/qwen-ft", (QWEN,), downloads=100 + i) for i in range(4)),
        _rec("q/qwen-ft-GGUF", ("ft0/qwen-ft",), "quantized"),
        _rec("cyc/a", ("cyc/b",)), _rec("cyc/b", ("cyc/a",)), _rec("cyc/child", ("cyc/a",), "quantized"),
        _rec("ext/child", (EXTERNAL,), "adapter"),
        _rec("nodate/x", created="2022-03-02T23:29:04.000Z"),
    ]
    src = d / "p33.jsonl"
    src.write_text("".join(json.dumps(e) + "\n" for e in entries))
    db = d / "p33.duckdb"
    assert main(["--db", str(db), "--quiet", "ingest", str(src)]) == 0
    return db


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("persona33-folders")
    (d / "empty").mkdir()
    (d / "no-card").mkdir()
    (d / "no-card" / "config.json").write_text("{}")
    (d / "card").mkdir()
    (d / "card" / "README.md").write_text(f"---\nlicense: mit\nbase_model: {QWEN}\n---\n# A finetune\n")
    (d / "card" / "model.safetensors").write_bytes(b"\0" * 16)
    (d / "record.yml").write_text(MOF_RECORD)
    return {k: d / k for k in ("empty", "no-card", "card", "record.yml")}


def _cases(folders: dict[str, Path]) -> list[tuple[str, list[str]]]:
    ids = [QWEN, MERGE, UNK, "cyc/a", "cyc/child", "ext/child", EXTERNAL, "nodate/x", "qwen/QWEN2.5-7b-instruct",
           f"https://huggingface.co/{MERGE}/blob/main/README.md"]
    cases: list[tuple[str, list[str]]] = []
    for i in ids:
        cases += [("lineage", ["lineage", i]), ("lineage", ["lineage", i, "--down"])]
        if i != EXTERNAL:  # an external base is no model of the store: 66 (below)
            cases += [("model", ["model", i]), ("license", ["license", i]),
                      ("assess", ["assess", i if i.startswith("https://") else f"https://huggingface.co/{i}"])]
    for extra in (["--limit", "2"], ["--depth", "0"], ["--depth", "1"], ["--relation", "quantized"], ["--limit", "9999"]):
        cases.append(("lineage", ["lineage", QWEN, "--down", *extra]))
        cases.append(("lineage", ["lineage", "q/qwen-ft-GGUF", "--up", *extra]))
    for extra in ([], ["--region"], ["--since", "2025-01-01"], ["--since", "2099-01-01"]):
        cases.append(("by_root", ["lineage", "--by-root-country", *extra]))
    cases += [("license_id", ["license", x]) for x in ("mit", "CC BY-NC 4.0", "other", "llama3.1", "MIT OR Apache-2.0")]
    cases += [("assess", ["assess", str(folders[k])]) for k in ("empty", "no-card", "card")]
    cases += [("mof_record", ["assess", "--mof-record", str(folders["record.yml"])]), ("status", ["status"])]
    cases += [("sql", ["sql", q]) for q in ("SELECT * FROM models", "SELECT * FROM lineage", "SELECT * FROM edges",
                                            "SELECT * FROM openness LIMIT 50", "SELECT * FROM counters")]
    return cases


def test_every_document_has_the_documented_keys_types_and_nulls(cli, store: Path,
                                                                folders: dict[str, Path]) -> None:
    bad: dict[str, list[str]] = {}
    for kind, args in _cases(folders):
        res = cli("--db", store, "--json", *args)
        assert res.code == 0, (args, res.stderr)
        found = problems(kind, json.loads(res.stdout))
        if found:
            bad[" ".join(args)] = found
    assert not bad, bad


def test_the_branches_a_script_tells_apart(cli, store: Path, folders: dict[str, Path]) -> None:
    """The values that say which branch an answer is in, as the docs name them."""
    ext = cli("--db", store, "--json", "lineage", EXTERNAL, "--down").json()
    assert ext["nodes"][0]["in_store"] is False and ext["nodes"][0]["created_at"] is None
    assert ext["summary"]["total"] == 1
    cyc = cli("--db", store, "--json", "model", "cyc/a").json()["lineage"]
    assert cyc["roots"] == [] and cyc["depth"] is None and isinstance(cyc["cycle_id"], int)
    cut = cli("--db", store, "--json", "lineage", QWEN, "--down", "--limit", "2").json()
    assert cut["truncated"] is True and len(cut["nodes"]) == 3 and cut["summary"]["total"] == 6
    nodate = cli("--db", store, "--json", "model", "nodate/x").json()["metadata"]
    assert nodate["created_at"] is None and nodate["created_at_raw"] == "2022-03-02T23:29:04.000Z"
    # nothing graded: no dimension known, so no score (null, as documented), not 0
    empty = cli("--db", store, "--json", "assess", str(folders["empty"])).json()
    assert empty["osai"]["score"] is None
    # sql: a JSON column is its JSON text; the store's TIMESTAMP columns (UTC) print without a zone
    row = cli("--db", store, "--json", "sql", f"SELECT card_data, created_at FROM models WHERE id = '{MERGE}'").json()
    assert json.loads(row["rows"][0]["card_data"]) == {"license": "mit"}
    assert row["rows"][0]["created_at"] == "2025-01-05T10:00:00"


def test_failures_print_nothing_on_stdout_and_a_documented_code(cli, store: Path, tmp_path: Path) -> None:
    for args, code in ((["lineage", "nosuch/model"], 66), (["model", EXTERNAL], 66), (["license", "nosuch/x"], 66),
                       (["assess", "https://huggingface.co/nosuch/x"], 66), (["model", " "], 64),
                       (["lineage", QWEN, "--depth", "-1"], 64), (["sql", "DROP TABLE models"], 65),
                       (["assess", "--mof-record", str(tmp_path / "none.yml")], 66)):
        res = cli("--db", store, "--json", *args)
        assert (res.code, res.stdout) == (code, ""), (args, res.stdout, res.stderr)
        assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    res = cli("--db", tmp_path / "none.duckdb", "--json", "status")
    assert (res.code, res.stdout) == (66, "") and not (tmp_path / "none.duckdb").exists()


def test_model_json_says_each_roots_country(cli, store: Path) -> None:
    doc = cli("--db", store, "--json", "model", MERGE).json()
    assert doc["root_countries"] == ["CN"] and doc["root_country"] == "multiple"
    places = {r["id"]: (r["country"], r["region"]) for r in doc["lineage"]["roots"]}
    assert places == {QWEN: ("CN", "china"), UNK: (None, None)}
    # the text view names the same unknown root, from the same keys
    text = cli("--db", store, "model", MERGE).stdout
    assert f"unknown for {UNK}" in " ".join(text.split())


def _old_store(path: Path) -> None:
    """A store at migration 0001 only, as an openscope of the first sessions left it."""
    migrations = Path(__file__).resolve().parents[1] / "src/openscope/store/migrations"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP)")
    con.execute((migrations / "0001_initial.sql").read_text())
    con.execute("INSERT INTO schema_version VALUES (1, now()::TIMESTAMP)")
    con.close()


def test_an_older_store_that_cannot_be_written_says_why_a_read_writes(cli, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "old.duckdb"
    _old_store(db)
    real = duckdb.connect

    def read_only_medium(database: str = ":memory:", read_only: bool = False, **kw: Any) -> Any:
        """DuckDB on a read-only file system (a mounted archive): opening for writing fails as it does there
        (root, who runs CI, writes past file modes, so the medium is DuckDB's answer)."""
        if not read_only and database == str(db):
            raise duckdb.IOException(f'IO Error: Cannot open file "{db}": Read-only file system')
        return real(database, read_only=read_only, **kw)

    monkeypatch.setattr(duckdb, "connect", read_only_medium)
    for args in (["status"], ["lineage", "a/b"], ["sql", "SELECT 1"]):
        res = cli("--db", db, "--json", *args)
        assert (res.code, res.stdout) == (73, ""), res.stderr
        line = " ".join(res.stderr.split())
        assert f"schema version 1, older than this openscope's ({SCHEMA_VERSION})" in line, line
        assert "needs it upgraded first" in line and "Read-only file system" in line, line


def test_a_name_too_long_for_the_file_system_is_a_documented_code(cli, store: Path, tmp_path: Path,
                                                                  folders: dict[str, Path]) -> None:
    """A path no file system can hold (one 5,000-byte name: `File name too long`) made `Path.exists` raise, and
    every command given it as `--db`, `ingest`'s file or `crawl --dump` exited 70 (internal error). It is a store
    that is not there (66 for a reader, 73 for a writer) or a file that is not there (66)."""
    long = str(tmp_path / ("a" * 5000))
    one = tmp_path / "one.jsonl"
    one.write_text(json.dumps(_rec("acme/one")) + "\n")
    for args in (["license", QWEN], ["assess", f"https://huggingface.co/{QWEN}"]):  # their answer without a store
        res = cli("--db", long, "--json", *args)
        assert (res.code, res.stdout) == (66, "") and "no store at" in res.stderr, res.stderr[:300]
    for args, code in ((["status"], 66), (["lineage", QWEN], 66), (["model", QWEN], 66), (["sql", "SELECT 1"], 66),
                       (["ingest", str(one)], 73),
                       (["crawl", "--endpoint", "http://127.0.0.1:9", "--limit", "1"], 73)):
        res = cli("--db", long, "--json", *args)
        assert (res.code, res.stdout) == (code, ""), (args, res.stderr[:300])
        assert "File name too long" in res.stderr and len(res.stderr) < 600, res.stderr[:300]
    # a folder is still graded without the store, as when there is none (a warning on stderr)
    res = cli("--db", long, "--json", "assess", str(folders["card"]))
    assert res.code == 0 and json.loads(res.stdout)["id"] == "card"
    for args, code in ((["ingest", long], 66),
                       (["crawl", "--endpoint", "http://127.0.0.1:9", "--limit", "1", "--dump", long], 73)):
        res = cli("--db", tmp_path / "s.duckdb", "--json", *args)
        assert (res.code, res.stdout) == (code, ""), (args, res.stderr[:300])
        assert "File name too long" in res.stderr and len(res.stderr) < 600, res.stderr[:300]
    assert not (tmp_path / "s.duckdb").exists()
