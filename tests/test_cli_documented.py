"""Documented behaviours of `lineage`, `model`, `license` and `sql` that no other test ran.

Each test names the place in the docs it checks (docs/lineage.md unless said otherwise). Found by running
every documented option against the demo's store: `--depth 0 --down` said "no model in the store is built
on it" of a base with thousands of derivatives, `--depth 1 --up` dropped the roots line (and `roots` from
the JSON), `--region` without `--by-root-country` was silently ignored, an id pasted from the browser
(`https://huggingface.co/…`, a trailing slash) was an unknown model, and `license` of an external base
suggested unrelated ids instead of saying what it is. One store per module: the hand-checked graph
(tests/lineage_graphs.py) plus a licence chain three models long.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lineage_graphs import LLAMA, MISTRAL_EXT, QWEN, entry, hand_graph, write_jsonl

from openscope.derive import refresh as derive_refresh
from openscope.store import open_store

LIC_BASE, LIC_FT, LIC_FT_FT = "lic/base", "lic-ft/ft", "lic-ftft/ft-ft"   # three publishers: a licence binds its licensees


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand graph, and a llama3.1 base with an Apache-2.0 finetune and a finetune of that finetune."""
    from openscope.cli import main

    d = tmp_path_factory.mktemp("documented")
    chain = [entry(LIC_BASE, ("license:llama3.1",), downloads=30),
             entry(LIC_FT, ("license:apache-2.0", f"base_model:finetune:{LIC_BASE}"), downloads=20),
             entry(LIC_FT_FT, ("license:apache-2.0", f"base_model:finetune:{LIC_FT}"), downloads=10)]
    db = d / "doc.duckdb"
    src = write_jsonl(d / "doc.jsonl", hand_graph() + chain)
    assert main(["--db", str(db), "--quiet", "ingest", str(src), "--no-derive"]) == 0
    with open_store(db) as s:
        derive_refresh(s, only=["lineage", "licenses"])
    return db


def _flat(text: str) -> str:
    """Printed text with its wrapping undone (a sentence may wrap inside a table cell)."""
    return " ".join(" ".join(line.split()) for line in text.splitlines())


def _one_error_line(res) -> str:
    """The contract's error: one line on stderr, nothing on stdout."""
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("openscope: ") and res.stdout == "", (res.stdout, res.stderr)
    assert "Traceback" not in res.stderr
    return lines[0]


# -- `--depth` and `--relation` ("| `--depth N` |", and the paragraph on "no model in the store ...") -------

def test_depth_0_down_shows_the_model_alone_and_says_the_option_hid_its_descendants(cli, store: Path) -> None:
    doc = cli("--db", store, "--json", "lineage", QWEN, "--down", "--depth", "0").json()
    assert [n["id"] for n in doc["nodes"]] == [QWEN] and doc["summary"]["total"] == 0
    text = cli("--db", store, "lineage", QWEN, "--down", "--depth", "0")
    assert text.code == 0
    flat = _flat(text.stdout)
    assert "no model in the store is built on it" not in flat
    # dave, erin, frank and i/bm-only name Qwen as a chosen parent
    assert "no descendant with --depth 0 (4 models built on it directly; without it they are shown)" in flat


def test_a_relation_that_hides_every_descendant_is_named_and_a_leaf_says_nothing_is_built_on_it(
        cli, store: Path) -> None:
    flat = _flat(cli("--db", store, "lineage", QWEN, "--down", "--relation", "adapter", "--depth", "1").stdout)
    assert "no descendant with --depth 1 and --relation adapter (4 models built on it directly; without them" in flat
    leaf = cli("--db", store, "lineage", "bob/llama-ft-lora", "--down")
    assert leaf.code == 0 and "no model in the store is built on it" in leaf.stdout


def test_depth_cut_short_of_the_roots_still_names_them(cli, store: Path) -> None:
    """bob/llama-ft-lora → alice/llama-ft → Llama: at --depth 1 the root lies beyond the walk."""
    for depth in ("0", "1"):
        doc = cli("--db", store, "--json", "lineage", "bob/llama-ft-lora", "--depth", depth).json()
        assert doc["summary"]["roots"] == [LLAMA], depth
        assert max(n["depth"] for n in doc["nodes"]) == int(depth)
        text = cli("--db", store, "lineage", "bob/llama-ft-lora", "--depth", depth).stdout
        assert text.rstrip().splitlines()[-1] == f"roots: {LLAMA} (US); root country: US"
        assert "it is a root itself" not in text
    flat = _flat(cli("--db", store, "lineage", "bob/llama-ft-lora", "--depth", "0").stdout)
    assert "no ancestor with --depth 0" in flat


def test_a_relation_filter_up_keeps_the_roots_of_a_merge_across_countries(cli, store: Path) -> None:
    doc = cli("--db", store, "--json", "lineage", "dave/qwen-llama-merge", "--relation", "finetune").json()
    assert doc["summary"]["total"] == 0 and doc["summary"]["roots"] == sorted([LLAMA, QWEN])
    text = cli("--db", store, "lineage", "dave/qwen-llama-merge", "--relation", "finetune").stdout
    assert "no ancestor with --relation finetune" in _flat(text)
    assert _flat(text).endswith(f"roots: {QWEN} (CN), {LLAMA} (US); root country: multiple (CN, US)")


def test_roots_say_what_they_are_a_stored_root_and_an_external_base(cli, store: Path) -> None:
    root = cli("--db", store, "lineage", QWEN).stdout
    assert "no declared base: it is a root itself" in root
    assert root.rstrip().splitlines()[-1] == f"roots: {QWEN} (CN); root country: CN"
    ext = cli("--db", store, "lineage", MISTRAL_EXT)
    assert ext.code == 0
    assert "no declared base" not in ext.stdout  # the store never read it: whether it has a base is unknown
    assert "not in the store (a base that stored models declare): its own bases are unknown" in _flat(ext.stdout)


# -- the tree beyond --limit: "(via …)", and the one-descendant downloads line -------------------------------

def test_a_node_whose_parent_is_not_shown_says_via(cli, store: Path) -> None:
    """Under Llama, carol (70 downloads, depth 2) outranks alice (50, her parent): --limit 1 shows carol."""
    doc = cli("--db", store, "--json", "lineage", LLAMA, "--down", "--limit", "1").json()
    assert [n["id"] for n in doc["nodes"][1:]] == ["carol/llama-ft-GGUF"] and doc["truncated"] is True
    assert doc["nodes"][1]["via"] == "alice/llama-ft"
    text = cli("--db", store, "lineage", LLAMA, "--down", "--limit", "1").stdout
    assert "carol/llama-ft-GGUF" in text and "(via alice/llama-ft)" in text
    assert "showing the 1 most-downloaded of 5 descendants (raise --limit to see more)" in _flat(text)


def test_one_descendant_has_its_downloads_in_the_singular(cli, store: Path) -> None:
    text = cli("--db", store, "lineage", LIC_FT, "--down").stdout
    assert "1 descendant" in text and "its downloads in the last 30 days: 10" in text


# -- `--by-root-country` and its options -------------------------------------------------------------------

@pytest.mark.parametrize("args", [["--region"], [QWEN, "--region"], ["--by-root-country", QWEN],
                                  ["--by-root-country", "--down"], ["--by-root-country", "--up"],
                                  ["--by-root-country", "--depth", "1"], ["--by-root-country", "--relation", "merge"],
                                  ["--by-root-country", "--since", ""], [" "], ["model", ""], ["model", "  "]],
                         ids=lambda a: " ".join(a) or "blank")
def test_options_that_do_not_go_together_and_blank_values_are_usage_errors(cli, store: Path,
                                                                            args: list[str]) -> None:
    """A blank id is a usage error for every command that takes one, as `license` and `assess` answer it."""
    res = cli("--db", store, "--json", *(args if args[0] == "model" else ["lineage", *args]))
    assert res.code == 64
    _one_error_line(res)


def test_shares_by_root_country_and_region_sum_to_one_and_a_two_country_merge_is_multiple(cli, store: Path) -> None:
    for level in ("country", "region"):
        doc = cli("--db", store, "--json", "lineage", "--by-root-country",
                  *(["--region"] if level == "region" else [])).json()
        assert doc["level"] == level and doc["total"] == sum(r["derivatives"] for r in doc["rows"])
        assert sum(r["share"] for r in doc["rows"]) == pytest.approx(1.0)
        rows = {r[level]: r["derivatives"] for r in doc["rows"]}
        assert rows["multiple"] == 1  # dave/qwen-llama-merge: a Qwen (CN/china) and a Llama (US/us) root
    text = cli("--db", store, "lineage", "--by-root-country").stdout
    assert " multiple " in text and text.count("100%") == 2


# -- ids as users paste them ("`ID` is matched case-insensitively …", "An id pasted from the browser …") ----

@pytest.mark.parametrize("typed", ["bob/llama-ft-lora/", "https://huggingface.co/BOB/llama-ft-lora",
                                   "https://huggingface.co/bob/LLAMA-FT-LORA/", " Bob/Llama-Ft-Lora "])
def test_an_id_with_odd_case_a_trailing_slash_or_the_hub_url_is_the_model(cli, store: Path, typed: str) -> None:
    assert cli("--db", store, "--json", "lineage", typed).json()["id"] == "bob/llama-ft-lora"
    assert cli("--db", store, "--json", "model", typed).json()["id"] == "bob/llama-ft-lora"
    assert cli("--db", store, "--json", "license", typed).json()["id"] == "bob/llama-ft-lora"


def test_an_external_base_pasted_with_a_slash_is_still_the_external_base(cli, store: Path) -> None:
    doc = cli("--db", store, "--json", "lineage", MISTRAL_EXT.lower() + "/", "--down").json()
    assert doc["id"] == MISTRAL_EXT and doc["summary"]["in_store"] is False


def test_license_of_an_external_base_says_what_it_is_not_a_typo(cli, store: Path) -> None:
    """"`model`, `license` and `assess` say so (still exit 66)"."""
    for cmd in ("model", "license"):
        res = cli("--db", store, "--json", cmd, MISTRAL_EXT.lower())
        assert res.code == 66
        line = _one_error_line(res)
        assert f"model '{MISTRAL_EXT}' is not in the store: it is the external base of 1 stored model" in line
        assert "did you mean" not in line


def test_a_typo_gets_did_you_mean_and_an_unrelated_id_gets_none(cli, store: Path) -> None:
    for cmd in ("lineage", "model"):
        typo = _one_error_line(cli("--db", store, cmd, "dave/qwen-llama-merg"))
        assert "did you mean dave/qwen-llama-merge" in typo
        assert "did you mean" not in _one_error_line(cli("--db", store, cmd, "zzzz/qqqq"))


# -- `model` and `license`: the licences along the path ("its licence with the licences along its path") -----

def test_model_and_license_give_every_base_on_the_path_with_its_distance(cli, store: Path) -> None:
    lic = cli("--db", store, "--json", "license", LIC_FT_FT).json()
    assert [(f["base"], f["distance"], f["license"]) for f in lic["flow_down"]] == [
        (LIC_FT, 1, "apache-2.0"), (LIC_BASE, 2, "llama3.1")]
    assert [c["base"] for c in lic["conflicts"]] == [LIC_BASE]
    model = cli("--db", store, "--json", "model", LIC_FT_FT).json()
    assert model["licenses"]["flow_down"] == lic["flow_down"]
    flat = _flat(cli("--db", store, "model", LIC_FT_FT).stdout)
    assert f"from base {LIC_FT} (distance 1): apache-2.0" in flat
    assert f"from base {LIC_BASE} (distance 2): llama3.1" in flat
    assert "the declared apache-2.0 cannot lift them" in flat


# -- `--quiet` and `--json` on these commands (the contract) -----------------------------------------------

@pytest.mark.parametrize("args", [["lineage", LIC_FT_FT], ["lineage", LLAMA, "--down", "--limit", "2"],
                                  ["lineage", "--by-root-country", "--region"], ["model", LIC_FT_FT],
                                  ["license", LIC_FT_FT], ["license", "llama3.1"], ["status"],
                                  ["sql", "SELECT count(*) AS n FROM models"]], ids=" ".join)
def test_quiet_prints_the_same_answer_and_nothing_on_stderr(cli, store: Path, args: list[str]) -> None:
    plain, quiet = cli("--db", store, *args), cli("--db", store, "--quiet", *args)
    assert plain.code == quiet.code == 0 and quiet.stderr == ""
    if args[0] != "status":  # status says how many minutes ago the counters were read
        assert quiet.stdout == plain.stdout
    as_json = cli("--db", store, "--quiet", "--json", *args)
    assert as_json.stderr == "" and isinstance(json.loads(as_json.stdout), dict)


# -- `sql` (docs/store.md, "## `sql`") -------------------------------------------------------------------

def test_sql_too_wide_for_the_terminal_prints_record_by_record(cli, store: Path, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    q = "SELECT id, author, created_at, last_modified, pipeline_tag, library_name FROM models ORDER BY id LIMIT 2"
    text = cli("--db", store, "sql", q).stdout
    assert text.splitlines()[0].startswith("-[ row 1 ]") and "-[ row 2 ]" in text
    assert "…" not in text  # every value whole
    assert "alice/llama-ft" in text
    doc = cli("--db", store, "--json", "sql", q).json()
    assert doc["columns"][:2] == ["id", "author"] and len(doc["rows"]) == 2


def test_sql_limit_shows_at_most_n_rows_and_0_all(cli, store: Path) -> None:
    n = cli("--db", store, "--json", "sql", "SELECT count(*) AS n FROM models").json()["rows"][0]["n"]
    assert len(cli("--db", store, "--json", "sql", "SELECT id FROM models", "--limit", "2").json()["rows"]) == 2
    assert len(cli("--db", store, "--json", "sql", "SELECT id FROM models", "--limit", "0").json()["rows"]) == n


# -- rootless cycles ("Models on a cycle that no outside root reaches (and models below such a cycle)") -----

def test_a_model_on_or_below_a_rootless_cycle_says_it_has_no_root(cli, store: Path) -> None:
    """x/a ⇄ x/b, and x/c built on x/a: the answer says why there is no roots line, not nothing."""
    for mid in ("x/a", "x/c"):
        doc = cli("--db", store, "--json", "lineage", mid).json()
        assert doc["summary"]["roots"] == [] and doc["summary"]["total"] >= 1
        flat = _flat(cli("--db", store, "lineage", mid).stdout)
        assert flat.endswith("roots: none (it is on, or built on, a cycle that no outside root reaches; "
                             "see lineage_cycles); root country: unknown"), flat
    assert "lineage on cycle #" in _flat(cli("--db", store, "model", "x/a").stdout)
    below = _flat(cli("--db", store, "model", "x/c").stdout)
    assert "roots none: it is built on a cycle that no outside root reaches" in below
    assert "root countries unknown" in below


# -- a base whose licence is not known ("A licence that is not known has unknown duties, never `none`") ----

def test_a_base_of_unknown_licence_has_unknown_duties_in_model_and_license(cli, store: Path, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    lic = cli("--db", store, "--json", "license", "x/c").json()
    assert {f["base"]: (f["license"], f["duties"]) for f in lic["flow_down"]} == {"x/a": (None, []),
                                                                                   "x/b": (None, [])}
    model = _flat(cli("--db", store, "model", "x/c").stdout)
    assert model.count("its duties unknown (the licence is not known)") == 2 and "its duties none" not in model
    table = cli("--db", store, "license", "x/c").stdout
    rows = [line for line in table.splitlines() if line.startswith("│ x/")]
    assert len(rows) == 2 and all(line.split("│")[3].strip() == "unknown" for line in rows), rows


# -- a store whose lineage was never derived (docs/crawl.md, "Derived tables left behind") -----------------

def test_a_first_ingest_without_derive_is_named_by_status_and_warned_by_the_answers(cli, tmp_path: Path) -> None:
    """`status` names the steps behind the newest snapshot; a first `ingest --no-derive` left every step
    unrun and status said nothing, while `lineage` called a model that declares a base "a root itself"."""
    db = tmp_path / "nd.duckdb"
    src = write_jsonl(tmp_path / "nd.jsonl", hand_graph())
    assert cli("--db", db, "--quiet", "ingest", src, "--no-derive").code == 0
    doc = cli("--db", db, "--json", "status").json()
    assert doc["derive_behind"] == {"snapshot_id": 1, "steps": {"licenses": None, "lineage": None, "openness": None}}
    assert "licenses (never run), lineage (never run), openness (never run)" in _flat(cli("--db", db, "status").stdout)
    for args, steps in ((["lineage", "bob/llama-ft-lora"], "lineage was never derived"),
                        (["lineage", "--by-root-country"], "lineage was never derived"),
                        (["model", "bob/llama-ft-lora"], "lineage was never derived, licenses was never derived"),
                        (["license", "bob/llama-ft-lora"], "lineage was never derived, licenses was never derived")):
        res = cli("--db", db, "--json", *args)
        assert res.code == 0 and json.loads(res.stdout)  # the answer is still one JSON document on stdout
        assert res.stderr.startswith(f"openscope: warning: the newest snapshot is #1, but {steps} "), res.stderr
        assert cli("--db", db, "--json", "--quiet", *args).stderr == ""
    # once derived, no warning and status says nothing
    with open_store(db) as s:
        derive_refresh(s)
    assert cli("--db", db, "--json", "status").json()["derive_behind"] is None
    res = cli("--db", db, "lineage", "bob/llama-ft-lora")
    assert res.stderr == "" and f"roots: {LLAMA} (US)" in _flat(res.stdout)


def test_a_derived_store_gives_no_warning(cli, store: Path) -> None:
    """The module's store derived lineage and licences (not openness): nothing to warn about here."""
    for args in (["lineage", "bob/llama-ft-lora"], ["model", LIC_FT_FT], ["license", LIC_FT_FT]):
        assert cli("--db", store, *args).stderr == ""


def test_bad_values_name_what_is_allowed(cli, store: Path) -> None:
    """`--relation R`: one of the five relations; `--depth -1`, `--limit 0`: usage errors (docs/store.md)."""
    line = _one_error_line(cli("--db", store, "--json", "lineage", QWEN, "--relation", "cousin"))
    assert "unknown relation 'cousin'; choose one of finetune, adapter, quantized, merge, unknown" in line
    for args, says in ((["--depth", "-1"], "--depth must be 0 or more"), (["--limit", "0"], "--limit must be at least 1")):
        res = cli("--db", store, "--json", "lineage", QWEN, *args)
        assert res.code == 64 and says in _one_error_line(res)


def test_an_odd_stored_id_is_still_found_as_typed(cli, tmp_path: Path) -> None:
    """A dump may hold an id with a trailing slash or a URL as it is: typed as stored, it is that model
    (the cleaned form is only tried after the id as typed)."""
    db = tmp_path / "odd.duckdb"
    src = write_jsonl(tmp_path / "odd.jsonl", [entry("odd/name/"), entry("https://huggingface.co/x/y")])
    assert cli("--db", db, "--quiet", "ingest", src).code == 0
    for typed, stored in (("odd/name/", "odd/name/"), ("ODD/Name/", "odd/name/"),
                          ("https://huggingface.co/x/y", "https://huggingface.co/x/y")):
        assert cli("--db", db, "--json", "model", typed).json()["id"] == stored
