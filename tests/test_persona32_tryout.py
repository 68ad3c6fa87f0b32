"""The three personas walked again on the thirty-second session's openness and lineage (helper-tryout32,
docs/reviews.md "Three personas walked again, on today's openness and lineage"). Each test holds one defect that walk
found, and fails on the code before its fix:

* governance: `model` of a merge showed "its duties  none" for a base its own publisher had relicensed, one row below
  another base under the same licence with four duties, and never said why (`license` says so in its conflict
  column);
* governance: `assess` of a merge of a Llama line and a Qwen line said "base model (lineage root): Qwen/…" alone, and
  a reader took Qwen for its only base;
* analyst: after a derive that was killed (or skipped with --no-derive), `sql` over `openness`, `lineage` or
  `license_flow` answered from the older snapshot (or with no row) without a word, where `lineage`, `model` and
  `license` warn;
* analyst: `status` after a derive killed part-way read "openness (never run) last finished for an older snapshot, or
  never";
* governance: at 80 columns the evidence's shortened addresses ("github.com/…/blob/main/LICENSE") opened nothing;
* analyst: the set-based `openness` rows of a derivative graded its base-model dimensions from its root's metadata
  alone, where `assess` reads the root's licence file: a `license: other` root whose LICENSE the crawl read gave its
  derivatives `weights_basemodel` `partial` in the table and `open` in `assess`.

One store per module, ingested from records written here (our own words and the repository's own LICENSE text); no
network.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from screens import run_cli, screen_rows

from openscope.cli import main
from openscope.store.db import open_store

REPO = Path(__file__).resolve().parents[1]
QWEN, LLAMA = "Qwen/Qwen2.5-7B-Instruct", "meta-llama/Llama-3.1-8B-Instruct"
OWN_FT, OWN_MERGE = "nvidia/qwen-chat-us", "nvidia/llama-qwen-merge"
ROOT, QUANT = "acme/base-other", "someone/base-other-GGUF"
CARD_ROOT, CARD_QUANT = "acme/base-card", "someone/base-card-GGUF"
CARD = ("---\nlicense: apache-2.0\n---\n# Base card\n\n## Training data\n\nWe trained on the "
        "[acme/open-corpus](https://huggingface.co/datasets/acme/open-corpus) dataset, released with the model.\n")


def _rec(mid: str, lic: str, parents: tuple[str, ...] = (), relation: str = "finetune",
         files: tuple[str, ...] = ("config.json", "model.safetensors")) -> dict:
    tags = [f"license:{lic}", *(f"base_model:{p}" for p in parents), *(f"base_model:{relation}:{p}" for p in parents)]
    return {"id": mid, "author": mid.split("/")[0], "tags": tags, "downloads": 10,
            "cardData": {"license": lic, **({"license_name": "acme-license"} if lic == "other" else {})},
            "siblings": [{"rfilename": f} for f in files]}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("persona32")
    entries = [
        _rec(QWEN, "apache-2.0"), _rec(LLAMA, "llama3.1"),
        _rec(OWN_FT, "apache-2.0", (QWEN,)), _rec(OWN_MERGE, "mit", (LLAMA, OWN_FT), "merge"),
        _rec(ROOT, "other", files=("LICENSE", "config.json", "model.safetensors")),
        _rec(QUANT, "other", (ROOT,), "quantized", files=("base-other.Q4_K_M.gguf",)),
        _rec(CARD_ROOT, "apache-2.0", files=("README.md", "config.json", "model.safetensors")),
        _rec(CARD_QUANT, "apache-2.0", (CARD_ROOT,), "quantized", files=("base-card.Q4_K_M.gguf",)),
    ]
    src = d / "p32.jsonl"
    src.write_text("".join(json.dumps(e) + "\n" for e in entries))
    db = d / "p32.duckdb"
    assert main(["--db", str(db), "--quiet", "ingest", str(src)]) == 0
    # the root's LICENSE as `crawl --cards` stores it (the Apache-2.0 text), then the grades derived again
    with open_store(db) as s:
        sid = s.scalar("SELECT max(snapshot_id) FROM snapshots")
        s.con.execute("INSERT INTO license_texts (repo_type, id, path, text, bytes, url, read_at, snapshot_id) "
                      "VALUES ('model', ?, 'LICENSE', ?, 11357, ?, now(), ?)",
                      [ROOT, (REPO / "LICENSE").read_text(), f"https://huggingface.co/{ROOT}/blob/main/LICENSE", sid])
        # and the other root's card, whose training-data section links the dataset it was trained on
        s.con.execute("INSERT INTO cards (id, repo_type, text, fetched_at, snapshot_id) VALUES (?, 'model', ?, now(), ?)",
                      [CARD_ROOT, CARD, sid])
        from openscope import derive
        derive.refresh(s)
    return db


@pytest.fixture(autouse=True)
def _columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")


def test_model_says_why_a_base_its_own_publisher_relicensed_owes_nothing(store: Path) -> None:
    code, out = run_cli(store, "model", OWN_MERGE)
    assert code == 0
    lines = " ".join(out.split())
    own = lines.split(f"from base {OWN_FT} (distance 1)")[1].split("from base")[0]
    assert "its duties none: relicensed by its licensor: nvidia publishes both this model and this base" in own
    # the other apache-2.0 base, two steps up and published by another organisation, still passes its duties on
    qwen = lines.split(f"from base {QWEN} (distance 2)")[1].split("from base")[0]
    assert "its duties attribution" in qwen and "relicensed" not in qwen


def test_assess_of_a_merge_names_each_of_its_roots(store: Path) -> None:
    code, out = run_cli(store, "assess", OWN_MERGE)
    assert code == 0
    head = " ".join(out.split("MOF components")[0].split())
    # (since the thirty-fourth session a merge's base-model dimensions are the least open over its roots)
    assert (f"base models (2 lineage roots; base-model dimensions: the least open over them): {QWEN}, "
            f"{LLAMA}") in head
    code, out = run_cli(store, "--json", "assess", OWN_MERGE)
    doc = json.loads(out)
    assert doc["base_model"] == QWEN and doc["roots"] == [QWEN, LLAMA]
    # one root: the line it always had, and the one root in --json
    code, out = run_cli(store, "assess", OWN_FT)
    assert f"base model (lineage root): {QWEN}\n" in out
    assert json.loads(run_cli(store, "--json", "assess", OWN_FT)[1])["roots"] == [QWEN]


def test_sql_over_a_derived_table_warns_when_its_derive_is_behind(cli, store: Path, tmp_path: Path) -> None:
    # derived: no word
    r = cli("--db", store, "sql", "SELECT count(*) FROM openness")
    assert r.code == 0 and r.stderr == ""
    src = tmp_path / "more.jsonl"
    src.write_text(json.dumps(_rec("acme/new-one", "mit", (QWEN,))) + "\n")
    db = tmp_path / "behind.duckdb"
    assert cli("--db", db, "--quiet", "ingest", "--no-derive", src).code == 0
    for query, step in (("SELECT count(*) FROM openness WHERE framework = 'osaid'", "openness"),
                        ("SELECT root_country, count(*) FROM model_origin GROUP BY 1", "lineage"),
                        ("SELECT * FROM license_flow l JOIN models m ON m.id = l.id", "licenses")):
        r = cli("--db", db, "sql", query)
        assert r.code == 0
        assert f"{step} was never derived" in r.stderr and "may be out of date" in r.stderr, (query, r.stderr)
        assert r.stderr.count("\n") == 1   # one line
    # a query over raw tables alone, and one that only names a derived table in a string, read nothing derived
    for query in ("SELECT count(*) FROM models", "SELECT 'openness' AS word"):
        r = cli("--db", db, "sql", query)
        assert r.code == 0 and r.stderr == "", (query, r.stderr)
    # --json: the one document on stdout, the warning on stderr
    r = cli("--db", db, "--json", "sql", "SELECT count(*) AS n FROM openness")
    assert r.json()["rows"] == [{"n": 0}] and "openness was never derived" in r.stderr


def _table_and_assess(cli, store: Path, model: str) -> tuple[dict[str, str], dict[str, str]]:
    rows = cli("--db", store, "--json", "sql",
               f"SELECT dimension, grade FROM openness WHERE id = '{model}' AND framework = 'osai'").json()["rows"]
    stored = {r["dimension"]: r["grade"] for r in rows if r["dimension"] != "score"}
    per_model = json.loads(run_cli(store, "--json", "assess", model)[1])["osai"]
    return stored, {d: g for d, g in per_model.items() if d != "score"}


def test_the_set_based_grades_read_a_root_by_its_licence_file_as_assess_does(cli, store: Path) -> None:
    stored, per_model = _table_and_assess(cli, store, QUANT)
    assert stored == per_model
    # the case that differed: the root's `other` licence is Apache-2.0 by its LICENSE (read), not a custom agreement
    assert stored["weights_basemodel"] == per_model["weights_basemodel"] == "open"
    root = json.loads(run_cli(store, "--json", "assess", ROOT)[1])
    assert root["osai"]["weights_endmodel"] == "open"
    assert screen_rows(run_cli(store, "license", ROOT)[1])["licence"].startswith("apache-2.0")


def test_an_address_the_80_column_table_shortens_follows_it_whole(cli, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """governance: at 80 columns the table showed a library's licence as "↳ github.com/…/blob/main/LICENSE", which no
    reader can open; the addresses it shortens are listed whole under it (one a line), and a wide table shortens none."""
    rel = tmp_path / "rel"
    rel.mkdir()
    (rel / "README.md").write_text("---\nlicense: apache-2.0\nlibrary_name: transformers\n---\n# Wren\n\nA small model.\n")
    (rel / "model.safetensors").write_bytes(b"x")
    monkeypatch.delenv("OPENSCOPE_DB", raising=False)
    monkeypatch.setenv("COLUMNS", "80")
    r = cli("--db", tmp_path / "none.duckdb", "assess", rel)
    assert r.code == 0, r.stderr
    lines = r.stdout.splitlines()
    full = json.loads(cli("--db", tmp_path / "none.duckdb", "--json", "assess", rel).stdout)
    libs = [e["locator"] for e in full["components"]["Inference code"]["evidence"] if e["kind"] == "curated"]
    assert libs and libs[0].startswith("https://github.com/")
    shown = next(ln for ln in lines if "↳ github.com/…/" in ln)   # the table's shortened form
    assert libs[0] not in shown
    i = lines.index("  the addresses shortened above, in full:")
    assert f"    {libs[0]}" in lines[i:]   # whole, on a line of its own
    assert all(len(ln) <= 80 for ln in lines[i:] if not ln.startswith("    https://"))
    monkeypatch.setenv("COLUMNS", "200")
    wide = cli("--db", tmp_path / "none.duckdb", "assess", rel).stdout
    assert "shortened above" not in wide and f"↳ {libs[0].split('://')[1]}" in wide


def test_status_says_each_derive_steps_own_state(cli, tmp_path: Path) -> None:
    """analyst: after a first derive killed part-way, `status` read "licenses (never run), openness (never run) last
    finished for an older snapshot, or never": each step's own state, no clause that contradicts it."""
    src = tmp_path / "one.jsonl"
    src.write_text(json.dumps(_rec("acme/one", "mit")) + "\n")
    db = tmp_path / "s.duckdb"
    assert cli("--db", db, "--quiet", "ingest", src).code == 0
    src.write_text(json.dumps(_rec("acme/two", "mit", ("acme/one",))) + "\n")
    assert cli("--db", db, "--quiet", "ingest", "--no-derive", src).code == 0
    with open_store(db) as s:   # as a derive killed after its first step leaves it: lineage ran for #2, openness never
        s.con.execute("UPDATE derive_state SET snapshot_id = 2 WHERE step = 'lineage'")
        s.con.execute("DELETE FROM derive_state WHERE step = 'openness'")
        s.con.execute("UPDATE schema_version SET applied_at = TIMESTAMP '2000-01-01' WHERE version = 10")
    text = " ".join(cli("--db", db, "status").stdout.split())
    assert ("derived tables behind snapshot #2: licenses (last run for #1), openness (never run) (a derive killed or "
            "skipped with --no-derive)") in text, text
    assert "or never" not in text and "sql` over them warn" in text


def test_the_set_based_grades_read_a_root_by_its_card_as_assess_does(cli, store: Path) -> None:
    """The same for a root whose card the crawl read: its training data is released by its card's link, which its
    metadata pattern cannot show."""
    stored, per_model = _table_and_assess(cli, store, CARD_QUANT)
    assert stored == per_model
    assert per_model["datasources_basemodel"] == "open" and per_model["datasources_endmodel"] == "closed"
    root = json.loads(run_cli(store, "--json", "assess", CARD_ROOT)[1])["osai"]
    assert root["datasources_endmodel"] == "open"


def test_a_moved_id_is_pointed_to_the_command_that_was_run(cli, tmp_path: Path) -> None:
    """governance: `lineage OLD --down`, `assess OLD` and `license OLD` of a model the Hub moved each pointed to
    `openscope model NEW`, another command than the one the reader ran."""
    old, new = "acme/chat-v1", "acme/chat"
    src = tmp_path / "m.jsonl"
    src.write_text("".join(json.dumps(_rec(m, "mit")) + "\n" for m in (old, new)))
    db = tmp_path / "moved.duckdb"
    assert cli("--db", db, "--quiet", "ingest", src).code == 0
    with open_store(db) as s:   # as a full crawl that found OLD redirecting to NEW leaves the store
        s.con.execute("UPDATE models SET deleted_at = now()::TIMESTAMP WHERE id = ?", [old])
        s.con.execute("INSERT INTO moves (repo_type, old_id, new_id, snapshot_id, found_at) "
                      "VALUES ('model', ?, ?, 1, now()::TIMESTAMP)", [old, new])
    for args, again in ((["lineage", old, "--down"], "lineage"), (["lineage", old], "lineage"),
                        (["assess", old], "assess"), (["license", old], "license"), (["model", old], "model")):
        r = cli("--db", db, *args)
        assert r.code == 66 and f"moved to {new} on the Hub" in r.stderr, (args, r.stderr)
        assert f"(openscope {again} {new})" in r.stderr, (args, r.stderr)
