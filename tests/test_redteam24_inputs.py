"""Twenty-fourth red team: odd inputs of the publisher's, the governance team's and the operator's commands.

Each case was found by hand on a demo store (docs/reviews.md, "CLI red team (twenty-fourth session)").
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

PAYLOAD = b"cposix\nsystem\n(S'echo openscope-redteam24'\ntR."  # written as bytes, never loaded


@pytest.mark.parametrize("args", [["audit", ""], ["audit", "  "], ["ingest", ""], ["--json", "audit", ""]])
def test_a_blank_path_is_a_usage_error_not_the_current_folder(tmp_path: Path, cli, monkeypatch, args) -> None:
    """`openscope audit "$MODEL_DIR"` with the variable unset audited the folder the shell stood in."""
    (tmp_path / "pytorch_model.bin").write_bytes(PAYLOAD)
    monkeypatch.chdir(tmp_path)
    res = cli("--db", tmp_path / "s.duckdb", *args)
    assert res.code == 64, res
    assert res.stdout == "" and res.stderr.startswith("openscope: error: the path is blank")
    assert not (tmp_path / "s.duckdb").exists()


def test_sarif_never_overwrites_an_audited_model_file(tmp_path: Path, cli) -> None:
    """`audit DIR --sarif DIR/pytorch_model.bin` replaced the pickle it had just reported with the SARIF."""
    model = tmp_path / "m"
    model.mkdir()
    pkl = model / "pytorch_model.bin"
    pkl.write_bytes(PAYLOAD)
    for target in (model, pkl):
        res = cli("audit", target, "--sarif", pkl)
        assert res.code == 64, res
        assert "--sarif" in res.stderr and "pytorch_model.bin" in res.stderr
        assert pkl.read_bytes() == PAYLOAD


def test_sarif_may_still_be_written_into_the_audited_folder_again_and_again(tmp_path: Path, cli) -> None:
    model = tmp_path / "m"
    model.mkdir()
    (model / "pytorch_model.bin").write_bytes(PAYLOAD)
    for _ in range(2):  # the second run audits the first run's SARIF (JSON, no model format) and replaces it
        res = cli("audit", model, "--sarif", model / "audit.sarif")
        assert res.code == 1, res
    assert '"runs"' in (model / "audit.sarif").read_text()


@pytest.mark.parametrize("bad", ["missing.csv", "notes.txt"])
def test_a_failed_expert_import_creates_no_store_and_imports_nothing(tmp_path: Path, cli, bad: str) -> None:
    (tmp_path / "notes.txt").write_bytes(b"\xff\xfe not an expert file")
    db = tmp_path / "new.duckdb"
    res = cli("--db", db, "assess", "--import-experts", tmp_path / bad)
    assert res.code in (65, 66), res
    assert not db.exists() and not Path(f"{db}.wal").exists()


def test_db_given_last_without_a_value_says_so(cli) -> None:
    res = cli("status", "--db")
    assert res.code == 64
    assert "'--db' requires an argument" in res.stderr and "No such option" not in res.stderr


def test_the_lock_holder_started_with_python_c_is_named_with_its_interpreter(tmp_path: Path, run_openscope) -> None:
    from openscope.cli import main

    db = tmp_path / "s.duckdb"
    src = tmp_path / "one.jsonl"
    src.write_text('{"id": "a/b"}\n')
    assert main(["--db", str(db), "--quiet", "ingest", str(src)]) == 0
    holder = subprocess.Popen([sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(db)!r}); "
                               "print('held', flush=True); time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        res = run_openscope("--db", db, "status")
    finally:
        holder.kill()
        holder.wait()
    assert res.code == 75, res
    line = res.stderr.strip()
    assert f"(PID {holder.pid})" in line
    assert f"locked by {sys.executable} -c import duckdb" in line, line


def test_an_empty_folder_is_audited_with_a_warning_that_nothing_was_checked(tmp_path: Path, cli) -> None:
    """A failed download leaves an empty folder; `clean` alone read as "safe to load"."""
    (tmp_path / "empty").mkdir()
    res = cli("audit", tmp_path / "empty")
    assert res.code == 0
    assert "holds no file" in res.stderr
    res = cli("--json", "audit", tmp_path / "empty")
    assert res.json()["verdict"] == "clean" and res.json()["findings"] == []


def test_the_holder_line_still_names_a_script_by_its_script(tmp_path: Path) -> None:
    """The usual holder, an openscope (or any script) run by its interpreter, is still named by its script; an
    interpreter run with an option (`-c`, `-m`) is named with the interpreter."""
    from openscope.store.db import _command_line

    script = tmp_path / "holder.py"
    script.write_text("import time\ntime.sleep(30)\n")
    procs = [subprocess.Popen([sys.executable, str(script), "--db", "s.duckdb"]),
             subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])]
    try:
        time.sleep(0.3)
        lines = [_command_line(str(p.pid)) for p in procs]
    finally:
        for p in procs:
            p.kill()
            p.wait()
    assert lines[0] == f"{script} --db s.duckdb"
    assert lines[1] == f"{sys.executable} -c import time; time.sleep(30)"


@pytest.mark.parametrize("command", [["audit", "{model}", "--sarif", "{store}"], ["simhub", "--models", "5", "--dump", "{store}"]])
def test_an_output_file_never_replaces_a_store(tmp_path: Path, cli, command: list[str]) -> None:
    """`--sarif` and `simhub --dump` replace their file: named after a store (a slip of the tab key), they destroyed it."""
    from openscope.cli import main

    store = tmp_path / "s.duckdb"
    src = tmp_path / "one.jsonl"
    src.write_text('{"id": "a/b"}\n')
    assert main(["--db", str(store), "--quiet", "ingest", str(src)]) == 0
    model = tmp_path / "m"
    model.mkdir()
    (model / "pytorch_model.bin").write_bytes(PAYLOAD)
    before = store.read_bytes()
    res = cli(*[a.format(model=model, store=store) for a in command])
    assert res.code == 64, res
    assert "DuckDB database" in res.stderr
    assert store.read_bytes() == before


@pytest.mark.parametrize("args", [
    ["lineage", "org/base", "--down", "--limit", "9223372036854775807"],
    ["lineage", "org/base", "--down", "--limit", "99999999999999999999"],
    ["lineage", "org/child", "--limit", "99999999999999999999", "--depth", "99999999999999999999"],
    ["sql", "SELECT id FROM models ORDER BY id", "--limit", "99999999999999999999"],
    ["sql", "SELECT id FROM models ORDER BY id", "--limit", "9223372036854775807"],
])
def test_a_huge_limit_means_everything_not_an_internal_error(tmp_path: Path, cli, args: list[str]) -> None:
    """`--limit 99999999999999999999` (more than a 64-bit integer) was an internal error (70) in `lineage` and `sql`."""
    from openscope.cli import main

    src = tmp_path / "g.jsonl"
    src.write_text('{"id": "org/base", "downloads": 5}\n'
                   '{"id": "org/child", "tags": ["base_model:finetune:org/base"], "downloads": 3}\n')
    db = tmp_path / "g.duckdb"
    assert main(["--db", str(db), "--quiet", "ingest", str(src)]) == 0
    res = cli("--db", db, "--json", *args)
    assert res.code == 0, res
    doc = res.json()
    if args[0] == "sql":
        assert [r["id"] for r in doc["rows"]] == ["org/base", "org/child"]
    else:
        assert {n["id"] for n in doc["nodes"]} == {"org/base", "org/child"} and doc["truncated"] is False


@pytest.mark.parametrize("model_id", ["", "  ", "a\x1b[31m/b", "a/b\n"])
def test_a_blank_or_control_character_model_id_is_refused_before_anything_is_stored(tmp_path: Path, cli,
                                                                                      model_id: str) -> None:
    """`audit DIR --model-id "$ID"` with ID unset stored nothing and said nothing (CI believed the findings recorded);
    a blank id, or one holding control characters (ids the store refuses from any dump), was stored as is."""
    model = tmp_path / "m"
    model.mkdir()
    (model / "pytorch_model.bin").write_bytes(PAYLOAD)
    db = tmp_path / "s.duckdb"
    res = cli("--db", db, "audit", model, "--model-id", model_id)
    assert res.code == 64, res
    assert res.stderr.startswith("openscope: error: --model-id") and res.stdout == ""
    assert not db.exists()


def test_a_store_path_with_a_tilde_is_the_home_folder(tmp_path: Path, cli, monkeypatch) -> None:
    """A crontab's `OPENSCOPE_DB=~/store.duckdb` (no shell expands it there) or `--db=~/s.duckdb` named a folder `~`
    that does not exist (73 for a crawl); `assess ~/folder` already read the home folder."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    src = tmp_path / "one.jsonl"
    src.write_text('{"id": "a/b"}\n')
    monkeypatch.setenv("OPENSCOPE_DB", "~/env.duckdb")
    assert cli("--quiet", "ingest", src).code == 0
    assert (home / "env.duckdb").exists() and not (tmp_path / "~").exists()
    monkeypatch.delenv("OPENSCOPE_DB")
    assert cli("--db=~/opt.duckdb", "--quiet", "ingest", src).code == 0
    assert (home / "opt.duckdb").exists()
    res = cli("--db", "~/env.duckdb", "--json", "status")
    assert res.code == 0 and res.json()["models"] == 1


def test_a_blank_openscope_db_is_unset(tmp_path: Path, cli, monkeypatch) -> None:
    """`OPENSCOPE_DB=" "` answered "no store at ; create one …" (a store named by spaces)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OPENSCOPE_DB", "  ")
    res = cli("status")
    assert res.code == 66 and "no store at openscope.duckdb" in res.stderr


@pytest.fixture
def graph_store(tmp_path: Path) -> Path:
    from openscope.cli import main

    src = tmp_path / "g.jsonl"
    src.write_text('{"id": "org/base", "downloads": 5}\n'
                   '{"id": "org/child", "tags": ["base_model:finetune:org/base"], "downloads": 3}\n')
    db = tmp_path / "g.duckdb"
    assert main(["--db", str(db), "--quiet", "ingest", str(src)]) == 0
    return db


@pytest.mark.parametrize("command", ["model", "lineage", "license"])
def test_a_folder_given_where_an_id_is_asked_points_to_assess_and_audit(tmp_path: Path, cli, graph_store: Path,
                                                                         command: str) -> None:
    """A publisher's `openscope model ./my-release` said only "unknown model './my-release'"."""
    rel = tmp_path / "my-release"
    rel.mkdir()
    res = cli("--db", graph_store, command, rel)
    assert res.code == 66, res
    assert len(res.stderr.splitlines()) == 1
    assert f"openscope assess {rel}" in res.stderr and f"openscope audit {rel}" in res.stderr


def test_relation_is_matched_case_insensitively_as_ids_are(cli, graph_store: Path) -> None:
    lower = cli("--db", graph_store, "--json", "lineage", "org/base", "--down", "--relation", "finetune")
    upper = cli("--db", graph_store, "--json", "lineage", "org/base", "--down", "--relation", "FineTune")
    assert lower.code == upper.code == 0, upper
    assert upper.json() == lower.json() and [n["id"] for n in upper.json()["nodes"]] == ["org/base", "org/child"]


def test_ingest_of_a_pipe_that_cannot_be_read_says_to_save_it_first(tmp_path: Path, run_openscope) -> None:
    """`cat dump.jsonl | openscope ingest /dev/stdin` was "truncated or corrupt (File or stream is not seekable.)":
    the dump is fine, the pipe cannot be read twice."""
    res = run_openscope("--db", tmp_path / "s.duckdb", "ingest", "/dev/stdin", input='{"id": "a/b"}\n', timeout=60)
    assert res.code == 65, res
    assert "a pipe" in res.stderr and "save it to a file" in res.stderr and len(res.stderr.splitlines()) == 1


@pytest.mark.parametrize("args", [["crawl", "--endpoint", "http://127.0.0.1:1", "--dump", ""],
                                  ["audit", ".", "--sarif", " "], ["simhub", "--models", "5", "--dump", ""]])
def test_a_blank_output_file_is_a_usage_error(tmp_path: Path, cli, monkeypatch, args: list[str]) -> None:
    """`--dump "$FILE"` with FILE unset was read as the current folder: 73, "cannot write --dump .", after the crawl
    had opened (and created) the store."""
    monkeypatch.chdir(tmp_path)
    res = cli("--db", tmp_path / "s.duckdb", *args)
    assert res.code == 64, res
    assert "an output file is blank" in res.stderr
    assert not (tmp_path / "s.duckdb").exists()


def test_by_root_country_refuses_a_limit_it_would_ignore(cli, graph_store: Path) -> None:
    res = cli("--db", graph_store, "lineage", "--by-root-country", "--limit", "5")
    assert res.code == 64 and "it takes no --limit" in res.stderr
    assert cli("--db", graph_store, "--json", "lineage", "--by-root-country").code == 0


@pytest.mark.parametrize("args,message", [
    (["simhub", "--seed", "-5", "--models", "3", "--dump", "{tmp}/d.jsonl"], "--seed must be >= 0"),
    (["simhub", "--seed", "-5", "--models", "3", "--port", "0"], "--seed must be >= 0"),
    (["simhub", "--dump-datasets", "--models", "3"], "--dump-datasets goes with --dump"),
])
def test_simhub_refuses_a_negative_seed_and_a_lone_dump_datasets(tmp_path: Path, cli, args, message) -> None:
    """`simhub --seed -5 --dump d.jsonl` was an internal error (70, "expected non-negative integer"), and
    `simhub --dump-datasets` alone started a server, the flag ignored."""
    res = cli(*[a.format(tmp=tmp_path) for a in args])
    assert res.code == 64, res
    assert message in res.stderr
