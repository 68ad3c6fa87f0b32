"""The examples of the user documentation run as written, against stores built by our own code.

Why: users learn openscope from `README.md` and `docs/*.md`; an example that no longer runs, exits with
another code or prints other `--json` keys misleads them silently. Every fenced `$ openscope …` line of
the documents below is run in order, in a folder holding the files and stores its document presupposes
(built here: the simulated Hub's generator for the demo store, our ingest for the small stores), and must
exit with the documented code (`echo $?`, else 0; an `openscope: error: …` line is compared with the
printed one); a `--json` example must print the documented top-level keys (all of them and no others
unless the example elides some with `…`); a `sql` example with a table must print the documented columns.
Every option in a document's option tables and synopsis lines must be an option of its command. What an example
prints is compared with every line the document shows (``doc_output``: ``…`` leaves lines out, JSON key by key,
clock times and durations aside), except the examples in ``NOT_COMPARED``, each with the reason (the document shows
them on a store this test does not build) and README.md's tour (``test_demo_readme`` compares it on `make demo`'s
store).

Commands that cannot run offline in seconds are in `NOT_RUN` with the reason beside each; anything else
that cannot be run fails the test. No network, no `../shared`.
"""

from __future__ import annotations

import io
import json
import re
import shlex
import shutil
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import typer
from doc_output import chunks_in_order, json_differs, parse_shown_json, shown_output, stable

ROOT = Path(__file__).resolve().parents[1]
DOCS = ["README.md", "docs/ingest.md", "docs/crawl.md", "docs/lineage.md", "docs/licenses.md", "docs/audit.md",
        "docs/simhub.md", "docs/store.md"]

# ---------------------------------------------------------------------------------------------------------
# Reading the examples


@dataclass
class Example:
    doc: str
    line: int  # 1-based line of the `$` in the document
    text: str  # the command as written (without `$ `)
    argv: list[str]
    env: dict[str, str]
    output: list[str] = field(default_factory=list)
    code: int | None = None  # from a following `echo $?`

    @property
    def where(self) -> str:
        return f"{self.doc}:{self.line}: {self.text.splitlines()[0]}"


def _split(text: str) -> list[str] | None:
    """The words of a shell command line, or None while a quote is still open (the command goes on)."""
    try:
        return shlex.split(text, comments=True)
    except ValueError:
        return None


def examples(doc: str) -> list[Example]:
    """Every `$ …` command of the fenced blocks of ``doc``, with the lines printed after it, and every bare
    `openscope …` line of a block that is not a script or a synopsis (`[--option]`)."""
    lines = (ROOT / doc).read_text(encoding="utf-8").splitlines()
    found: list[Example] = []
    in_block, current, language = False, None, ""
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith("```"):
            in_block, current = not in_block, None
            language = line.strip()[3:]
            i += 1
            continue
        stripped = line.strip()
        bare = (current is None and language not in ("sh", "python") and "[" not in line
                and re.match(r"openscope (--?[\w-]+(=\S+)? )*[a-z]+( |$)", line) is not None)
        if in_block and (stripped.startswith("$ ") or bare):
            start, text = i, stripped[2:] if stripped.startswith("$ ") else stripped
            words = _split(text)
            while words is None and i + 1 < len(lines):
                i += 1
                text += "\n" + lines[i]
                words = _split(text)
            assert words is not None, f"{doc}:{start + 1}: unclosed quote"
            env = {}
            while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
                k, _, v = words.pop(0).partition("=")
                env[k] = v
            if bare:
                found.append(Example(doc, start + 1, text, words, env))
                current = None
            elif words == ["echo", "$?"] and found and current is not None:
                i += 1
                current.code = int(lines[i].strip())
            else:
                current = Example(doc, start + 1, text, words, env)
                found.append(current)
        elif in_block and current is not None:
            current.output.append(line)
        i += 1
    return found


def synopses(doc: str) -> list[tuple[int, str]]:
    """Lines of fenced blocks that show a command's synopsis (`openscope CMD … [--opt …]`)."""
    out, in_block = [], False
    for n, line in enumerate((ROOT / doc).read_text(encoding="utf-8").splitlines(), 1):
        if line.lstrip().startswith("```"):
            in_block = not in_block
        elif in_block and line.startswith("openscope ") and "[" in line:
            out.append((n, line))
    return out


# ---------------------------------------------------------------------------------------------------------
# What is not run, and why (a named list, not pytest skips)

AUDIT_CORPUS = ("files of the audit corpus that ../shared/data/security/gen_corpus.py writes: reference data, "
                "run by test_audit_examples_print_what_the_docs_show (marked reference)")
NOT_RUN: dict[str, str] = {
    "openscope simhub --port": "a server that runs until stopped; started by tests/test_simhub_cli.py",
    "openscope simhub --models 2000 --datasets 200 --seed 0 --port 0":
        "a server that runs until stopped; started by tests/test_simhub_cli.py",
    "openscope crawl --endpoint": "needs the simulated Hub of the README's demo, changed between crawls "
                                  "(`make demo` runs these; tests/test_crawl_simhub.py checks crawls)",
    "openscope --db demo.duckdb crawl": "crawls a simulated Hub at the port of the docs' run, changed between "
                                        "crawls; tests/test_crawl_simhub.py and test_crawl_deadline.py run them",
    "openscope --db ops.duckdb": "the operator's store after a crawl of a Hub that went down; "
                                 "tests/test_persona_operator.py runs this night and compares status",
    "openscope --db moved.duckdb": "a simulated Hub crawled before and after a model was moved and one deleted; "
                                   "tests/test_tryout_analyst.py builds it and checks these lines",
    "openscope-cron.sh": "the cron script of docs/crawl.md; tests/test_persona_operator.py runs it",
    "curl": "talks to a running simulated Hub (tests/test_simhub_api.py checks these routes)",
    "openscope audit demo-model": AUDIT_CORPUS,
    "openscope audit b_sklearn_model.joblib": AUDIT_CORPUS,
    "openscope audit x_st_hole.safetensors": AUDIT_CORPUS,
    "openscope assess ./my-model-folder": "a folder of the reader's (docs/openness.md, owned elsewhere, "
                                          "shows assess on folders)",
    "openscope assess --mof-record model.yml": "a record of the reader's (tests/test_openness_mof.py)",
}


# Examples that run (exit code, error line, --json keys and columns checked) but whose printed lines are not compared
# with the document, with the reason: the document shows them on a store this test does not build.
ON_DEMO = "make demo's store (crawled, counters swept), not the dump ingested here: tests/test_demo_readme.py compares it"
NOT_COMPARED: dict[str, str] = {
    "openscope --db analyst.duckdb": "shown at 80 columns; tests/test_persona_analyst.py checks that the analyst's store "
                                     "prints exactly these lines",
    "openscope lineage deepseek-ai/DeepSeek-R1 --down": ON_DEMO,
    "openscope --db demo.duckdb sql \"SELECT id, declared, license, class, source, evidence FROM dataset_licenses":
        "a dataset of the crawl quick start's store (`crawl --datasets --cards --top 50`), not built here; "
        "tests/test_cli_pasted_and_dataset_license.py reads a dataset's licence file",
    "openscope --db demo.duckdb sql \"SELECT snapshot_id": "the quick start's store, crawled from a simulated Hub of "
                                                         "5,000 models and then changed (tests/test_crawl_simhub.py "
                                                         "checks crawls' snapshots and calls on Hubs of its own)",
}
NOT_COMPARED_DOCS = {"README.md": "its tour shows `make demo`'s store (crawled, cards read, counters swept), not the dump "
                                  "ingested here: tests/test_demo_readme.py runs the demo and compares every line"}


def _not_compared(ex: Example) -> str | None:
    if ex.doc in NOT_COMPARED_DOCS:
        return NOT_COMPARED_DOCS[ex.doc]
    line = " ".join([*(f"{k}={v}" for k, v in ex.env.items()), *ex.argv])
    return next((why for prefix, why in NOT_COMPARED.items() if line.startswith(prefix) or ex.text.startswith(prefix)),
                None)


def _not_run(ex: Example) -> str | None:
    line = " ".join([*(f"{k}={v}" for k, v in ex.env.items()), *ex.argv])
    plain = " ".join(ex.argv)
    for prefix, reason in NOT_RUN.items():
        if plain.startswith(prefix) or line.startswith(prefix) or ex.text.startswith(prefix):
            return reason
    return None


# ---------------------------------------------------------------------------------------------------------
# The stores and files each document presupposes, built by our own code


def _ingest(db: Path, entries: list[dict], *extra: str) -> Path:
    from openscope.cli import main

    src = db.with_suffix(".jsonl")
    src.write_text("".join(json.dumps(e) + "\n" for e in entries), encoding="utf-8")
    assert main(["--db", str(db), "--quiet", "ingest", *extra, str(src)]) == 0
    src.unlink()
    return db


@pytest.fixture(scope="module")
def analyst_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`analyst.duckdb`, the worked example of docs/lineage.md and docs/store.md."""
    from test_persona_analyst import build_analyst_store

    return build_analyst_store(tmp_path_factory.mktemp("analyst"))


LLAMA = "meta-llama/Llama-3.1-8B"


def _lin_store(db: Path) -> Path:
    """docs/licenses.md: `meta-llama/Llama-3.1-8B` (llama3.1) and two finetunes of it, one declaring
    apache-2.0 and one keeping llama3.1."""
    ft = [f"base_model:{LLAMA}", f"base_model:finetune:{LLAMA}"]
    return _ingest(db, [{"id": LLAMA, "author": "meta-llama", "tags": ["license:llama3.1"]},
                        {"id": "someone/llama-ft-apache", "author": "someone", "tags": ["license:apache-2.0", *ft]},
                        {"id": "someone/Llama-3.1-8B-legal", "author": "someone", "tags": ["license:llama3.1", *ft]}])


def _merge_store(db: Path) -> Path:
    """docs/licenses.md's `m/merge`: an apache-2.0 merge of an MIT base and a CC BY-NC base."""
    return _ingest(db, [{"id": "mit/base", "author": "mit", "tags": ["license:mit"]},
                        {"id": "nc/base", "author": "nc", "tags": ["license:cc-by-nc-4.0"]},
                        {"id": "m/merge", "author": "m", "tags": [
                            "license:apache-2.0", "base_model:merge:mit/base", "base_model:merge:nc/base"]}])


def _pasted_store(db: Path) -> Path:
    """docs/licenses.md's `p.duckdb` (`license --dataset`): tests/test_cli_pasted_and_dataset_license.py's store."""
    from test_cli_pasted_and_dataset_license import build_store

    return build_store(db)


def _readme_files(cwd: Path) -> None:
    """The demo's audit folder: the crafted pickle `make demo` writes (its other files are downloads)."""
    from openscope.demo import CRAFTED

    crafted = cwd / "demo-out" / "files" / "crafted" / "pytorch_model.bin"
    crafted.parent.mkdir(parents=True)
    crafted.write_bytes(CRAFTED)


Setup = Callable[[Path, Path, Path], None]  # (folder, demo store, analyst store)

SETUP: dict[str, Setup] = {
    "README.md": lambda cwd, demo, analyst: (shutil.copy(demo, cwd / "openscope.duckdb"), _readme_files(cwd)),
    "docs/ingest.md": lambda cwd, demo, analyst: None,
    "docs/crawl.md": lambda cwd, demo, analyst: shutil.copy(demo, cwd / "demo.duckdb"),
    "docs/lineage.md": lambda cwd, demo, analyst: (shutil.copy(demo, cwd / "openscope.duckdb"),
                                                  shutil.copy(analyst, cwd / "analyst.duckdb")),
    "docs/licenses.md": lambda cwd, demo, analyst: (_lin_store(cwd / "lin.duckdb"), _merge_store(cwd / "demo.duckdb"),
                                                    _pasted_store(cwd / "p.duckdb")),
    "docs/audit.md": lambda cwd, demo, analyst: None,
    "docs/simhub.md": lambda cwd, demo, analyst: None,
    "docs/store.md": lambda cwd, demo, analyst: (shutil.copy(demo, cwd / "openscope.duckdb"),
                                                shutil.copy(analyst, cwd / "analyst.duckdb"),
                                                (cwd / "a-file").write_text("a file, not a folder\n"),
                                                (cwd / "hub.jsonl").write_text('{"id": "a/b"}\n')),
}


# ---------------------------------------------------------------------------------------------------------
# Running one example and judging what it printed


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def _run(argv: list[str]) -> Run:
    from openscope.cli import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(argv)
    return Run(code, out.getvalue(), err.getvalue())


def _elided(lines: list[str]) -> bool:
    return any(line.strip() in ("…", "...") or line.strip().startswith(("… ", "…,")) or line.rstrip().endswith(
        ("…", "…]", "…}")) for line in lines)


def _documented_keys(lines: list[str]) -> set[str]:
    """The top-level keys of a JSON document as the docs print it (two-space indent, possibly compacted)."""
    return {m.group(1) for line in lines if (m := re.match(r'^  "([^"]+)":', line))}


def _header(lines: list[str]) -> list[str] | None:
    """The column names of the first rich table in ``lines``."""
    for line in lines:
        if line.lstrip().startswith("┃"):
            return [c.strip() for c in line.strip().strip("┃").split("┃")]
    return None


def _check(ex: Example, cwd: Path) -> list[str]:
    """What differs between the example as documented and as it runs now (empty: nothing)."""
    words = ex.argv
    if words[:1] == ["cat"] and len(words) == 2:  # the docs show a file's content: that is the file
        (cwd / words[1]).write_text("\n".join(ex.output) + "\n", encoding="utf-8")
        return []
    if words[:1] != ["openscope"]:
        return [f"{ex.where}: not an openscope command and not in NOT_RUN"]
    r = _run(words[1:])
    problems: list[str] = []
    shown = [line for line in ex.output if line.strip()]
    error = shown[0] if shown and shown[0].startswith(("openscope: error:", "openscope: usage error:")) else None
    if ex.code is not None:
        if r.code != ex.code:
            problems.append(f"{ex.where}: exit {r.code}, documented {ex.code} ({r.stderr.strip()[:300]})")
    elif error is not None:
        if r.code in (0, 1, 2):
            problems.append(f"{ex.where}: exit {r.code}, documented an error")
    elif r.code != 0:
        problems.append(f"{ex.where}: exit {r.code}, documented 0 ({r.stderr.strip()[:300]})")
    if error is not None and not _elided(shown):
        printed = r.stderr.strip().splitlines()[:1]
        if printed != [error]:
            problems.append(f"{ex.where}: prints {printed}, documented [{error!r}]")
    json_out = "--json" in words and shown[:1] and shown[0].startswith("{")
    if json_out and r.code == 0:
        doc_keys, keys = _documented_keys(ex.output), set(json.loads(r.stdout))
        if not doc_keys <= keys:
            problems.append(f"{ex.where}: documented keys not printed: {sorted(doc_keys - keys)}")
        if not _elided(ex.output) and keys != doc_keys:
            problems.append(f"{ex.where}: printed keys not documented: {sorted(keys - doc_keys)}")
    head = _header(ex.output)
    if words[1:] and "sql" in words and head is not None and not json_out and r.code == 0:
        columns = _run([*words[1:], "--json"]).stdout
        if json.loads(columns)["columns"] != head:
            problems.append(f"{ex.where}: columns {json.loads(columns)['columns']}, documented {head}")
    if not problems and shown and _not_compared(ex) is None:
        problems += _compare(ex, r)
    return problems


def _compare(ex: Example, r: Run) -> list[str]:
    """What the example prints against every line the document shows (``doc_output``: ``…`` leaves lines out, a JSON
    document is compared key by key), after replacing what differs from run to run (``doc_output.stable``)."""
    shown, _ = shown_output(ex.output, ex.code)
    start = next((i for i, line in enumerate(shown) if line.startswith("{")), None) if "--json" in ex.argv else None
    if start is not None:
        differs = json_differs(parse_shown_json(shown[start:]), json.loads(r.stdout))
        if differs is None and shown[:start]:
            differs = chunks_in_order([stable(x) for x in shown[:start]], [stable(x) for x in r.stderr.splitlines()],
                                      False)
    else:  # stderr and stdout are two streams: the document shows them in the order a terminal did, either way round
        last = re.search(r"# \(last lines?\b", ex.text) is not None
        both = [[stable(x) for x in (a + b).splitlines()] for a, b in ((r.stderr, r.stdout), (r.stdout, r.stderr))]
        tries = [chunks_in_order([stable(x) for x in shown], printed, last) for printed in both]
        differs = None if None in tries else tries[0]
    return [] if differs is None else [f"{ex.where}: {differs}"]


@pytest.mark.parametrize("doc", DOCS)
def test_every_example_runs_as_documented(doc: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          demo_store: Path, analyst_store: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPENSCOPE_DB", raising=False)
    monkeypatch.delenv("HF_ENDPOINT", raising=False)
    SETUP[doc](tmp_path, demo_store, analyst_store)
    problems: list[str] = []
    ran = 0
    for ex in examples(doc):
        if _not_run(ex):
            continue
        with monkeypatch.context() as m:
            m.setenv("COLUMNS", "120")
            if width := re.search(r"#.*\bCOLUMNS=(\d+)", ex.text):  # `… # COLUMNS=80`: the width the output was shown at
                m.setenv("COLUMNS", width.group(1))
            for k, v in ex.env.items():
                m.setenv(k, v)
            problems += _check(ex, tmp_path)
        ran += 1
    assert not problems, "\n".join(problems)
    assert ran or doc == "docs/audit.md", f"{doc}: no example ran"


# ---------------------------------------------------------------------------------------------------------
# Documented options are real options


OPTION_TABLES = {"docs/crawl.md": "crawl", "docs/lineage.md": "lineage", "docs/audit.md": "audit",
                 "docs/simhub.md": "simhub"}
GLOBAL = {"--db", "--json", "--quiet", "-q"}


def _options(command: str) -> set[str]:
    from openscope.cli import COMMAND_MODULES, build_app

    if command not in COMMAND_MODULES:
        return set()
    click_cmd = typer.main.get_command(build_app(command)).commands[command]  # type: ignore[attr-defined]
    return {o for p in click_cmd.params for o in (*p.opts, *p.secondary_opts)} | GLOBAL


def _documented_options(doc: str) -> list[tuple[int, str, str]]:
    """(line, command, option) from option tables (`| `--opt …` |`), synopsis lines and every inline
    `openscope CMD … --opt` of the prose (headings included)."""
    found = []
    for n, line in enumerate((ROOT / doc).read_text(encoding="utf-8").splitlines(), 1):
        for command, rest in re.findall(r"`openscope (?:--db[ =]\S+ |--json |--quiet )*([a-z]+)\b([^`]*)`", line):
            found += [(n, command, o) for o in re.findall(r"(?<![\w-])--[a-z][a-z-]*", rest)]
        if line.startswith("| `--") and doc in OPTION_TABLES:
            found += [(n, OPTION_TABLES[doc], o) for o in re.findall(r"(?<![\w-])--[a-z][a-z-]*", line)]
    for n, line in synopses(doc):
        command = line.split()[1]
        found += [(n, command, o) for o in re.findall(r"--[a-z][a-z-]*", line)]
    return found


@pytest.mark.parametrize("doc", DOCS)
def test_documented_options_exist(doc: str) -> None:
    missing = [f"{doc}:{n}: openscope {cmd} has no option {opt}" for n, cmd, opt in _documented_options(doc)
               if opt not in _options(cmd)]
    assert not missing, "\n".join(missing)


def test_the_reader_finds_what_the_test_checks() -> None:
    """The extraction itself: every document has examples or options, exit codes are read from `echo $?`,
    and a multi-line SQL example is one command."""
    assert all(examples(d) or _documented_options(d) for d in DOCS)
    codes = {(e.doc, e.code) for d in DOCS for e in examples(d) if e.code is not None}
    assert ("docs/store.md", 73) in codes and ("README.md", 66) in codes
    multi = [e for e in examples("docs/lineage.md") if "\n" in e.text]
    assert multi and all(e.argv[-1].lstrip().startswith(("SELECT", "WITH", "PIVOT")) for e in multi)
    assert {o for _, _, o in _documented_options("docs/crawl.md")} >= {"--endpoint", "--counters", "--deadline"}
    compared = [e for d in DOCS for e in examples(d) if e.argv[:1] == ["openscope"] and not _not_run(e)
                and _not_compared(e) is None and shown_output(e.output, e.code)[0]]
    assert len(compared) >= 25, len(compared)  # printed lines compared with the page (29 when this was written)


# ---------------------------------------------------------------------------------------------------------
# Documented columns are real columns


def _documented_columns(doc: str) -> list[tuple[str, list[str]]]:
    """(table, columns) of every inline `table(col, col, …)` of ``doc``."""
    text = (ROOT / doc).read_text(encoding="utf-8")
    return [(m.group(1), [c.strip().strip('"') for c in m.group(2).split(",") if c.strip() not in ("", "…")])
            for m in re.finditer(r"`([a-z_]+)\(([^`()]*)\)`", text)]


def test_documented_columns_exist(demo_store: Path) -> None:
    import duckdb

    con = duckdb.connect(str(demo_store), read_only=True)
    try:
        columns: dict[str, set[str]] = {}
        for table, column in con.execute("SELECT table_name, column_name FROM information_schema.columns").fetchall():
            columns.setdefault(table, set()).add(column)
    finally:
        con.close()
    checked, missing = 0, []
    for doc in DOCS:
        for table, cols in _documented_columns(doc):
            if table not in columns:
                continue  # a function call such as `normalize_license(raw, kind=...)`
            checked += 1
            missing += [f"{doc}: {table} has no column {c}" for c in cols if c not in columns[table]]
    assert not missing, "\n".join(missing)
    assert checked >= 10  # edges, lineage, publishers, licenses, audit_findings, counters, cards, …


# ---------------------------------------------------------------------------------------------------------
# docs/audit.md, on the corpus its examples were made from (reference data)


@pytest.mark.reference
def test_audit_examples_print_what_the_docs_show(shared_data: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """`demo-model` as docs/audit.md describes it (three corpus files and a 7-byte README), and two single
    corpus files: every example prints exactly what the page shows and exits with the documented code."""
    import subprocess
    import sys

    out = tmp_path / "corpus"
    subprocess.run([sys.executable, str(shared_data / "security" / "gen_corpus.py"), str(out)], check=True,
                   capture_output=True, timeout=120)
    model = tmp_path / "demo-model"
    model.mkdir()
    for src, name in (("b_pytorch_model.bin", "pytorch_model.bin"), ("b_model.safetensors", "model.safetensors"),
                      ("m_torch_zip_badcrc.pt", "training_args.bin")):
        shutil.copy(out / src, model / name)
    (model / "README.md").write_text("# demo\n")
    for name in ("b_sklearn_model.joblib", "x_st_hole.safetensors"):
        shutil.copy(out / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    audits = [ex for ex in examples("docs/audit.md") if ex.argv[:2] == ["openscope", "audit"]]
    assert len(audits) == 4
    problems: list[str] = []
    for ex in audits:
        with monkeypatch.context() as m:
            m.setenv("COLUMNS", ex.env.get("COLUMNS", "80"))
            r = _run(ex.argv[1:])
        if r.code != (ex.code if ex.code is not None else 0):
            problems.append(f"{ex.where}: exit {r.code}, documented {ex.code}")
        printed = [line.rstrip() for line in (r.stdout + r.stderr).splitlines()]
        if printed != [line.rstrip() for line in ex.output]:
            problems.append(f"{ex.where}: prints\n" + "\n".join(printed))
    assert not problems, "\n".join(problems)


def _documented_defaults(doc: str) -> list[tuple[int, str, str]]:
    """(line, option, default) from an option table whose second column is `default`, where the default is
    a plain value (a number, a number in backticks, or `off`: no value)."""
    found, in_table = [], False
    for n, line in enumerate((ROOT / doc).read_text(encoding="utf-8").splitlines(), 1):
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if cells[:2] == ["option", "default"]:
            in_table = True
        elif not cells:
            in_table = False
        elif in_table and cells[0].startswith("`--"):
            value = re.fullmatch(r"(off|\d[\d.]*|`[\d.]+`)(?:, .*)?", cells[1])
            option = re.match(r"`(--[a-z-]+)", cells[0])
            if value and option:
                found.append((n, option.group(1), value.group(1).strip("`")))
    return found


@pytest.mark.parametrize("doc", [d for d, _ in OPTION_TABLES.items()])
def test_documented_defaults_are_the_defaults(doc: str) -> None:
    from openscope.cli import build_app

    command = OPTION_TABLES[doc]
    params = typer.main.get_command(build_app(command)).commands[command].params  # type: ignore[attr-defined]
    defaults = {o: p.default for p in params for o in p.opts}
    wrong = []
    for n, option, value in _documented_defaults(doc):
        actual = defaults[option]
        actual = getattr(actual, "value", actual)
        same = (value == "off" and actual is None) or str(actual) == value or (isinstance(actual, int | float) and not isinstance(actual, bool)
                                        and re.fullmatch(r"[\d.]+", value) and float(value) == float(actual))
        if not same:
            wrong.append(f"{doc}:{n}: {option} defaults to {actual!r}, documented {value}")
    assert not wrong, "\n".join(wrong)


# ---------------------------------------------------------------------------------------------------------
# JSON shapes written in the prose (`{id, nodes: [{id, …}], …}`) are what the commands print


def _tokens(shape: str) -> list[str]:
    return re.findall(r"[{}\[\]:,|]|…|[\w.\-]+", shape)


def _parse_object(toks: list[str], i: int) -> tuple[dict[str, object], int]:
    """A shape ``{a, b: {c}, d: [{e}], f|g, …}`` as {key: None | nested shape}; "a|b" keys mean either."""
    assert toks[i] == "{"
    i += 1
    out: dict[str, object] = {}
    while toks[i] != "}":
        if toks[i] in (",", "…"):
            i += 1
            continue
        key = toks[i]
        i += 1
        while toks[i] == "|":  # country|region: one of them
            key += "|" + toks[i + 1]
            i += 2
        value: object = None
        if toks[i] == ":":
            i += 1
            if toks[i] == "{":
                value, i = _parse_object(toks, i)
            elif toks[i] == "[" and toks[i + 1] == "{":
                inner, i = _parse_object(toks, i + 1)
                value = [inner]
                assert toks[i] == "]", f"a list of objects holds one object shape: {' '.join(toks)}"
                i += 1
            depth = 0
            while depth or toks[i] not in (",", "}"):  # the rest of the value: `| null`, `[ids]`, `0-3`
                depth += {"{": 1, "[": 1, "}": -1, "]": -1}.get(toks[i], 0)
                i += 1
        out[key] = value
    return out, i + 1


def _shape_problems(shape: dict[str, object], doc: object, where: str) -> list[str]:
    if not isinstance(doc, dict):
        return [f"{where}: not an object"]
    problems = []
    for key, sub in shape.items():
        present = [k for k in key.split("|") if k in doc]
        if not present:
            problems.append(f"{where}: no key {key}")
            continue
        value = doc[present[0]]
        if isinstance(sub, dict):
            problems += _shape_problems(sub, value, f"{where}.{key}")
        elif isinstance(sub, list):
            if not value:
                problems.append(f"{where}.{key}: empty, its documented shape cannot be checked")
            problems += [p for item in value[:3] for p in _shape_problems(sub[0], item, f"{where}.{key}[]")]
    return problems


def _shapes(doc: str) -> list[str]:
    text = (ROOT / doc).read_text(encoding="utf-8")
    return [" ".join(m.split()) for m in re.findall(r"`(\{[^`]*\})`", text)]


# (document, how the shape starts, the command whose --json it describes), run on the demo's store
SHAPES = [
    ("docs/lineage.md", "{id, direction,", ["lineage", "brave-lynx/Qwen2.5-7B-Instruct-law-reason-merge"]),
    ("docs/lineage.md", "{level, total,", ["lineage", "--by-root-country"]),
    ("docs/lineage.md", "{id, metadata,", ["model", "Qwen/Qwen2.5-7B-Instruct"]),
    ("docs/store.md", "{db, schema_version,", ["status"]),
    ("docs/store.md", "{columns, rows}", ["sql", "SELECT 1 AS one"]),
    ("docs/licenses.md", "{license, name,", ["license", "llama3.1"]),
    ("docs/licenses.md", "{id, declared,", ["license", "brave-heron/Llama-3.1-8B-Instruct-tool-lora"]),
    ("docs/audit.md", "{target, verdict,", ["audit", "demo-out/files", "--fail-on", "critical"]),
]


def test_documented_json_shapes_are_printed(demo_store: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    SETUP["README.md"](tmp_path, demo_store, demo_store)
    problems = []
    for doc, start, argv in SHAPES:
        found = [s for s in _shapes(doc) if s.startswith(start)]
        assert found, f"{doc}: no JSON shape starting {start!r} (update SHAPES with the docs)"
        shape, _ = _parse_object(_tokens(found[0]), 0)
        r = _run([*argv, "--json"])
        assert r.code in (0, 1), f"{argv}: exit {r.code}: {r.stderr}"
        problems += _shape_problems(shape, json.loads(r.stdout), f"{doc} {' '.join(argv)}")
    assert not problems, "\n".join(problems)


def test_python_examples_import() -> None:
    """The imports of the docs' Python examples name functions that exist."""
    imports = []
    for doc in DOCS:
        text = (ROOT / doc).read_text(encoding="utf-8")
        for block in re.findall(r"```python\n(.*?)```", text, re.S):
            imports += [(doc, line) for line in block.splitlines() if line.startswith(("from ", "import "))]
    assert len(imports) >= 5
    for _doc, line in imports:
        statement = line.split("#")[0]
        if statement.startswith("from huggingface_hub"):
            continue  # a client the docs point at the simulated Hub, not ours
        exec(statement, {})  # noqa: S102 - our own documented import lines
