"""Bare canonical ids (``bert-base-uncased``) resolve to the namespace the Hub moved them to, exactly.

Stores are built by our own ingest from JSONL written here; the derive step is the real one.
"""

from __future__ import annotations

import csv
from pathlib import Path

from lineage_graphs import entry, write_jsonl
from store_rows import rows as q

from openscope.derive import lineage as lineage_step
from openscope.derive.lineage import canonical
from openscope.store import open_store

BERT = "google-bert/bert-base-uncased"
GPT2 = "openai-community/gpt2"
T5 = "google-t5/t5-base"


def _graph() -> list[dict]:
    return [
        entry(BERT, downloads=900), entry(GPT2, card={"base_model": "gpt2"}, downloads=800),
        # a bare tag declaration, with a relation
        entry("a/bert-ft", ("base_model:finetune:bert-base-uncased",), downloads=10),
        # a bare card declaration (string), another case
        entry("b/gpt2-card", card={"base_model": "GPT2", "base_model_relation": "finetune"}),
        # a list in the card (a merge of two bare canonical ids)
        entry("c/merge", ("mergekit",), card={"base_model": ["gpt2", "bert-base-uncased"]}),
        # bare and namespaced spellings of one parent: one pair
        entry("d/both", ("base_model:bert-base-uncased", f"base_model:finetune:{BERT}")),
        # baseModels naming the bare id
        entry("i/bm", base_models={"relation": "adapter", "models": [{"_id": "1", "id": "bert-base-uncased"}]}),
        # a canonical id the store does not hold: stays external as declared
        entry("e/t5-ft", ("base_model:finetune:t5-base",)),
        # a namespace-less model stored as such (an old dump's oddity) wins over a canonical namespace
        entry("distilgpt2"), entry("distilbert/distilgpt2"),
        entry("f/distil-ft", ("base_model:finetune:distilgpt2",)),
        # a bare name held by an ordinary user namespace: never resolved
        entry("someuser/roberta-base"),
        entry("g/roberta-ft", ("base_model:finetune:roberta-base",)),
        # a bare name held by two canonical-move namespaces: ambiguous, stays external
        entry("albert/shared-name"), entry("xlnet/shared-name"),
        entry("h/shared-ft", ("base_model:finetune:shared-name",)),
    ]


def _edges(db: Path) -> set[tuple]:
    return set(q(db, "SELECT child, parent, relation, evidence, chosen FROM edges"))


def test_bare_ids_resolve_to_the_stored_canonical_model(cli, tmp_path: Path) -> None:
    db = tmp_path / "c.duckdb"
    assert cli("--db", db, "--quiet", "ingest", write_jsonl(tmp_path / "c.jsonl", _graph())).code == 0
    edges = _edges(db)
    assert ("a/bert-ft", BERT, "finetune", "tag", True) in edges
    assert ("b/gpt2-card", GPT2, "finetune", "card", True) in edges
    assert {(c, p) for c, p, *_ in edges if c == "c/merge"} == {("c/merge", GPT2), ("c/merge", BERT)}
    assert {(p, r, ev, ch) for c, p, r, ev, ch in edges if c == "d/both"} == {(BERT, "finetune", "tag", True)}
    assert ("e/t5-ft", "t5-base", "finetune", "tag", True) in edges
    assert ("i/bm", BERT, "adapter", "base_models", True) in edges
    assert ("f/distil-ft", "distilgpt2", "finetune", "tag", True) in edges
    assert ("g/roberta-ft", "roberta-base", "finetune", "tag", True) in edges
    assert ("h/shared-ft", "shared-name", "finetune", "tag", True) in edges
    # the canonical model declaring its own bare id: a self-reference, no edge
    assert not [e for e in edges if e[0] == GPT2]
    # no external node named like a stored canonical model remains
    assert not [e for e in edges if e[1] in ("gpt2", "GPT2", "bert-base-uncased")]
    roots = dict(q(db, "SELECT id, root FROM lineage WHERE id IN ('a/bert-ft', 'b/gpt2-card', 'e/t5-ft')"))
    assert roots == {"a/bert-ft": BERT, "b/gpt2-card": GPT2, "e/t5-ft": "t5-base"}


def test_countries_follow_the_canonical_publishers(cli, tmp_path: Path) -> None:
    db = tmp_path / "c.duckdb"
    german = "google-bert/bert-base-german-cased"
    graph = _graph() + [entry(german), entry("j/german-ft", (f"base_model:finetune:{german}",)),
                        entry("k/de-us-merge", ("mergekit",), card={"base_model": [german, "gpt2"]})]
    cli("--db", db, "--quiet", "ingest", write_jsonl(tmp_path / "c.jsonl", graph))
    origin = dict(q(db, "SELECT id, root_country FROM model_origin WHERE id IN "
                        "('a/bert-ft', 'b/gpt2-card', 'c/merge', 'e/t5-ft', 'h/shared-ft', 'j/german-ft', "
                        f"'k/de-us-merge', '{BERT}', '{german}')"))
    # GPT-2's and BERT's namespaces are US (OpenAI, Google); the one deepset model in google-bert is
    # deepset's (DE), per model, and so are its derivatives; external roots are unknown
    assert origin == {"b/gpt2-card": "US", "a/bert-ft": "US", "c/merge": "US", "e/t5-ft": None,
                      "h/shared-ft": None, BERT: "US", german: "DE", "j/german-ft": "DE",
                      "k/de-us-merge": "multiple"}
    publisher = dict(q(db, f"SELECT id, publisher FROM model_origin WHERE id IN ('{BERT}', '{german}')"))
    assert publisher == {BERT: "google-bert", german: "deepset"}
    res = cli("--db", db, "--json", "lineage", "--by-root-country")
    assert res.code == 0
    by = {r["country"]: r["derivatives"] for r in res.json()["rows"]}
    assert by["DE"] == 1 and by["multiple"] == 1
    node = cli("--db", db, "--json", "lineage", "j/german-ft").json()["nodes"]
    assert [(n["id"], n["publisher"], n["country"]) for n in node if n["id"] == german] == [(german, "deepset", "DE")]
    pubs = {r[0]: r[1:] for r in q(db, "SELECT org, country, region, country_source FROM publishers "
                                       "WHERE org IN ('openai-community', 'google-t5', 'distilbert', 'albert', "
                                       "'xlnet', 'google-bert', 'transfo-xl', 'deepset')")}
    assert set(pubs) == {"openai-community", "google-t5", "distilbert", "albert", "xlnet", "google-bert",
                         "transfo-xl", "deepset"}
    for org, (country, region, src) in pubs.items():
        assert (country, region) == (("DE", "eu") if org == "deepset" else ("US", "us")), org
        assert "epoch.ai" in src, org
    unused = q(db, "SELECT value, note FROM publisher_sources WHERE org = 'google-bert' AND NOT used")
    assert [v for v, _ in unused] == ["DE"] and "bert-base-german-cased" in unused[0][1]
    assert q(db, "SELECT id, org FROM model_publishers") == [(german, "deepset")]


def test_lineage_commands_show_the_declared_spelling_and_accept_the_bare_id(cli, tmp_path: Path) -> None:
    db = tmp_path / "c.duckdb"
    cli("--db", db, "--quiet", "ingest", write_jsonl(tmp_path / "c.jsonl", _graph()))
    down = cli("--db", db, "--json", "lineage", "bert-base-uncased", "--down")
    assert down.code == 0, down.stderr
    doc = down.json()
    assert doc["id"] == BERT and doc["summary"]["in_store"] is True
    assert {n["id"] for n in doc["nodes"]} == {BERT, "a/bert-ft", "c/merge", "d/both", "i/bm"}
    by_child = {(e["child"], e["evidence"]): e["declared_as"] for e in doc["edges"]}
    assert by_child[("a/bert-ft", "tag")] == "bert-base-uncased"
    assert by_child[("c/merge", "card")] == "bert-base-uncased"
    assert by_child[("d/both", "tag")] == "bert-base-uncased"  # one of its two spellings was bare
    assert by_child[("i/bm", "base_models")] == "bert-base-uncased"
    up = cli("--db", db, "--json", "lineage", "b/gpt2-card").json()
    assert [(e["parent"], e["declared_as"]) for e in up["edges"]] == [(GPT2, "GPT2")]
    ft = cli("--db", db, "--json", "lineage", "e/t5-ft").json()
    assert [(e["parent"], e["declared_as"]) for e in ft["edges"]] == [("t5-base", None)]
    model = cli("--db", db, "--json", "model", "a/bert-ft").json()
    assert [(d["id"], d["declared_as"]) for d in model["lineage"]["declared"]] == [(BERT, "bert-base-uncased")]
    # ambiguous and unknown bare ids are not resolved to a stored model
    amb = cli("--db", db, "--json", "lineage", "shared-name", "--down").json()
    assert amb["id"] == "shared-name" and amb["summary"]["in_store"] is False
    assert cli("--db", db, "--json", "lineage", "no-such-canonical").code == 66


def _tables(store) -> dict[str, list[str]]:
    sql = {"edges": "SELECT child, parent, relation, evidence, chosen FROM edges",
           "lineage": "SELECT id, root, depth, path FROM lineage",
           "origin": "SELECT * FROM model_origin"}
    return {k: sorted(map(repr, store.con.execute(v).fetchall())) for k, v in sql.items()}


def test_incremental_refresh_resolves_once_the_canonical_model_arrives(tmp_path: Path) -> None:
    from openscope.jobs.ingest import ingest_file

    children = [entry("a/gpt2-ft", ("base_model:finetune:gpt2",)),
                entry("b/gpt2-card", card={"base_model": "gpt2"}),
                entry("c/grandchild", ("base_model:finetune:a/gpt2-ft",)),
                entry("other/unrelated", ("base_model:finetune:a/gpt2-ft",))]
    steps = [
        children,
        [entry(GPT2)],  # the canonical model arrives: the bare declarations resolve to it
        [entry("transfo-xl/gpt2")],  # a second canonical namespace holds the name: ambiguous, external again
    ]
    with open_store(tmp_path / "inc.duckdb") as store:
        seen = []
        for i, batch in enumerate(steps):
            ingest_file(store, write_jsonl(tmp_path / f"s{i}.jsonl", batch))
            res = lineage_step.refresh(store)
            assert res["mode"] == ("full" if i == 0 else "incremental")
            inc = _tables(store)
            lineage_step.refresh(store, full=True)
            assert _tables(store) == inc, f"step {i}: incremental differs from a full recompute"
            seen.append(dict(store.con.execute(
                "SELECT id, root FROM lineage WHERE id IN ('a/gpt2-ft', 'b/gpt2-card', 'c/grandchild')").fetchall()))
    assert seen[0] == {"a/gpt2-ft": "gpt2", "b/gpt2-card": "gpt2", "c/grandchild": "gpt2"}
    assert seen[1] == {"a/gpt2-ft": GPT2, "b/gpt2-card": GPT2, "c/grandchild": GPT2}
    assert seen[2] == seen[0]


def test_a_namespace_less_model_arriving_takes_over_the_bare_id(tmp_path: Path) -> None:
    """As the Hub would: a bare id that names a stored model exactly is that model, not a moved one."""
    from openscope.jobs.ingest import ingest_file

    with open_store(tmp_path / "odd.duckdb") as store:
        ingest_file(store, write_jsonl(tmp_path / "a.jsonl", [
            entry(T5, card={"base_model": "t5-base"}), entry("a/t5-ft", ("base_model:finetune:t5-base",))]))
        lineage_step.refresh(store)
        first = store.con.execute("SELECT parent FROM edges WHERE child = 'a/t5-ft'").fetchall()
        assert store.con.execute(f"SELECT count(*) FROM edges WHERE child = '{T5}'").fetchone()[0] == 0
        ingest_file(store, write_jsonl(tmp_path / "b.jsonl", [entry("t5-base")]))
        assert lineage_step.refresh(store)["mode"] == "incremental"
        inc = _tables(store)
        after = set(store.con.execute("SELECT child, parent FROM edges").fetchall())
        lineage_step.refresh(store, full=True)
        assert _tables(store) == inc
    assert first == [(T5,)]
    # both the child and the canonical model's own bare declaration now name the namespace-less model
    assert after == {("a/t5-ft", "t5-base"), (T5, "t5-base")}


def test_the_shipped_namespaces_carry_sources_and_publishers() -> None:
    path = canonical.data_file()
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert {r["namespace"] for r in rows} >= {"google-bert", "openai-community", "FacebookAI", "google-t5",
                                               "distilbert", "albert", "xlnet"}
    assert all("https://github.com/huggingface/transformers/pull/28795" in r["source"] for r in rows)
    assert (path.parent / "ATTRIBUTION.md").exists()
    assert canonical.namespaces() == tuple(sorted(r["namespace"].lower() for r in rows))
    pubs = {r["org"] for r in csv.DictReader((path.parent.parent / "publishers" / "publishers.csv")
                                               .open(encoding="utf-8"))}
    assert {r["namespace"] for r in rows} <= pubs  # every namespace has a publisher row (maybe unknown)


def test_every_command_taking_a_model_id_accepts_the_bare_canonical_id(cli, tmp_path: Path) -> None:
    """A user typing ``gpt2`` means what the Hub redirects it to, in `model`, `license`, `assess`, `lineage`."""
    db = tmp_path / "c.duckdb"
    assert cli("--db", db, "--quiet", "ingest", write_jsonl(tmp_path / "c.jsonl", _graph())).code == 0
    for command in ("model", "license", "assess", "lineage"):
        r = cli("--db", db, "--json", command, "GPT2")
        assert r.code == 0, (command, r.stderr)
        assert r.json()["id"] == GPT2, command
    # ambiguous (two canonical namespaces hold it) and user-namespace-only names are not resolved
    for bare in ("shared-name", "someuser-only-name"):
        r = cli("--db", db, "model", bare)
        assert r.code == 66 and r.stderr.count("\n") == 1, (bare, r.stderr)
    # a namespace-less model stored as such is itself
    assert cli("--db", db, "--json", "model", "distilgpt2").json()["id"] == "distilgpt2"
