"""A card's ``base_model`` pasted as a Hub address names the model of that address, as ``openscope lineage ID``
reads a pasted address (``store/lookup.py``, ``hub_page``).

Before: only ``https?://(www.)?huggingface.co/`` was removed. ``huggingface.co/Org/Name``, ``hf.co/…``,
``HTTPS://HuggingFace.co/…`` and any page inside the repository (``/tree/main``, ``/blob/main/README.md``,
``?library=…``) made no edge, and ``huggingface.co/acme`` or ``hf.co`` made an edge to an invented
``huggingface.co/acme`` or ``hf.co`` node. A dataset's or a Space's address names no model: no edge.

Stores are built by our own ingest from JSONL written here; the derive step is the real one, and the networkx
baseline of the lineage benchmark (``bench/nx_full.py``, its own Python reading of the same rules) must equal it.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from lineage_graphs import entry, write_jsonl

from bench.nx_full import _clean as nx_clean
from bench.nx_full import networkx_full
from openscope.derive import lineage as lineage_step
from openscope.derive.lineage.edges import _clean, declared_id, declared_spellings, read_back_spellings
from openscope.derive.openness.declared_base import declared_base
from openscope.derive.openness.records import ModelRecord, read_card
from openscope.jobs.ingest import ingest_file
from openscope.store import open_store

QWEN = "Qwen/Qwen2.5-7B"
LLAMA = "meta-llama/Llama-3.1-8B"
GPT2 = "openai-community/gpt2"
SHA = "0123456789abcdef0123456789abcdef01234567"

# (child, its card's base_model as written): every form names QWEN
QWEN_FORMS = [
    ("f/bare-host", f"huggingface.co/{QWEN}"),
    ("f/https-short", f"https://hf.co/{QWEN}"),
    ("f/short", f"hf.co/{QWEN}"),
    ("f/www", f"www.huggingface.co/{QWEN}"),
    ("f/www-short", f"http://www.hf.co/{QWEN}/"),
    ("f/tree", f"https://huggingface.co/{QWEN}/tree/main"),
    ("f/tree-sub", f"hf.co/{QWEN}/tree/main/sub/dir/"),
    ("f/blob", f"https://huggingface.co/{QWEN}/blob/main/README.md"),
    ("f/resolve", f"huggingface.co/{QWEN}/resolve/main/config.json"),
    ("f/commit", f"https://huggingface.co/{QWEN}/commit/{SHA}"),
    ("f/upper", f"HTTPS://HuggingFace.co/{QWEN}"),
    ("f/upper-short", f"HF.CO/{QWEN}"),
    ("f/query", f"https://huggingface.co/{QWEN}?library=transformers"),
    ("f/fragment", f"huggingface.co/{QWEN}#model-details"),
    ("f/both", f" https://huggingface.co/{QWEN}/tree/main?recursive=true#files "),
]

# (child, base_model as written): no model named, so no edge
NO_MODEL = [
    ("n/dataset", f"https://huggingface.co/datasets/{QWEN}"),
    ("n/dataset-bare", f"hf.co/datasets/{QWEN}/viewer/default/train"),
    ("n/space", f"huggingface.co/spaces/{QWEN}"),
    ("n/space-upper", f"HTTPS://HF.CO/Spaces/{QWEN}"),
    ("n/host", "https://huggingface.co"),
    ("n/host-bare", "huggingface.co"),
    ("n/host-short", "hf.co/"),
    ("n/listing", "hf.co/datasets"),
    # not the Hub: the host must end at `/` (read as before: no Hub id, no edge)
    ("n/evil", f"huggingface.co.evil.com/{QWEN}"),
    ("n/evil-prefix", f"https://evilhuggingface.co/{QWEN}"),
    # an address of no repository page: its first segments name no model by any rule
    ("n/docs", "https://huggingface.co/docs/transformers/index"),
    # a file of the model's own repository names the model itself: no self-edge
    ("n/self", "https://huggingface.co/n/self/blob/main/README.md"),
]


def _entries() -> list[dict]:
    es = [entry(QWEN, downloads=2000), entry(LLAMA, downloads=1000), entry(GPT2, downloads=800)]
    es += [entry(child, card={"base_model": value}) for child, value in QWEN_FORMS + NO_MODEL]
    es += [
        # a declared relation with an address
        entry("r/ft", card={"base_model": f"hf.co/{QWEN}/tree/main", "base_model_relation": "finetune"}),
        # a list: two model addresses are a merge; a dataset's address in it is no base
        entry("r/merge", card={"base_model": [f"huggingface.co/{QWEN}", f"https://hf.co/datasets/{LLAMA}",
                                              f"https://huggingface.co/{LLAMA}/blob/main/config.json"]}),
        entry("r/one-of-list", card={"base_model": [f"hf.co/{QWEN}", f"hf.co/spaces/{LLAMA}"]}),
        # a legacy one-segment id in an address: `gpt2`, which the Hub moved to openai-community
        entry("r/legacy", card={"base_model": "https://huggingface.co/gpt2/tree/main"}),
        # another case than the store's: the store's spelling
        entry("r/case", card={"base_model": "hf.co/qwen/qwen2.5-7B"}),
        # a file of another repository: that repository (not stored: an external node as the address names it)
        entry("r/other-file", card={"base_model": "https://huggingface.co/acme/adapters/blob/main/a.safetensors"}),
        # the Hub's tag wins over the card; the card's address names the same parent (one node, unchosen)
        entry("r/tag-and-card", (f"base_model:finetune:{QWEN}",), card={"base_model": f"hf.co/{QWEN}"}),
        # baseModels written as addresses too
        entry("r/bm", base_models={"relation": "adapter", "models": [{"_id": "1", "id": f"hf.co/{LLAMA}/tree/main"}]}),
        entry("r/bm-dataset", base_models={"relation": "adapter",
                                           "models": [{"_id": "1", "id": f"huggingface.co/datasets/{LLAMA}"}]}),
    ]
    return es


EXPECTED = {
    *((child, QWEN, "unknown", "card", True) for child, _ in QWEN_FORMS),
    ("r/ft", QWEN, "finetune", "card", True),
    ("r/merge", QWEN, "merge", "card", True), ("r/merge", LLAMA, "merge", "card", True),
    ("r/one-of-list", QWEN, "unknown", "card", True),
    ("r/legacy", GPT2, "unknown", "card", True),
    ("r/case", QWEN, "unknown", "card", True),
    ("r/other-file", "acme/adapters", "unknown", "card", True),
    ("r/tag-and-card", QWEN, "finetune", "tag", True), ("r/tag-and-card", QWEN, "unknown", "card", False),
    ("r/bm", LLAMA, "adapter", "base_models", True),
}


def _edges(store) -> set[tuple]:
    return set(store.con.execute("SELECT child, parent, relation, evidence, chosen FROM edges").fetchall())


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("addr")
    db = d / "a.duckdb"
    with open_store(db) as store:
        ingest_file(store, write_jsonl(d / "a.jsonl", _entries()))
        lineage_step.refresh(store, full=True)
    return db


def test_every_address_form_gives_the_edge_the_rules_choose(store_path: Path) -> None:
    with open_store(store_path, read_only=True) as store:
        got = _edges(store)
        children = {r[0] for r in store.con.execute("SELECT DISTINCT child FROM edges").fetchall()}
    assert got == EXPECTED
    assert not children & {child for child, _ in NO_MODEL}  # no edge at all for these
    assert "r/bm-dataset" not in children


def test_no_address_makes_a_node_of_its_host_or_path(store_path: Path) -> None:
    with open_store(store_path, read_only=True) as store:
        nodes = {r[0] for r in store.con.execute("SELECT parent FROM edges UNION SELECT root FROM lineage").fetchall()}
    # no host, no scheme, no page of a repository: ids of one or two segments only
    assert not [n for n in nodes if "huggingface" in n.lower() or "hf.co" in n.lower() or n.count("/") > 1]


def test_the_declared_spelling_shown_is_the_id_the_address_names(store_path: Path) -> None:
    """The contract of ``declared_as``: the parent's spelling as declared when it differs from the stored one
    (another case, a bare canonical id), read from the id the address names: an address that names the stored
    id exactly is declared as stored (no ``declared_as``), as a pasted ``https://huggingface.co/`` prefix was."""
    with open_store(store_path, read_only=True) as store:
        children = sorted(r[0] for r in store.con.execute("SELECT DISTINCT child FROM edges").fetchall())
        got = declared_spellings(store, children)
        assert got == read_back_spellings(store, children)  # the re-spelled parents' shortcut equals a full read
        respelled = {r[0] for r in store.con.execute("SELECT parent FROM lineage_respelled").fetchall()}
    assert got == {("r/legacy", GPT2, "card"): "gpt2", ("r/case", QWEN, "card"): "qwen/qwen2.5-7B"}
    assert respelled == {GPT2, QWEN}


def test_the_incremental_refresh_agrees_with_a_full_one(tmp_path: Path) -> None:
    """Children declaring addresses arrive before their parents, then the parents: each incremental refresh
    equals a full recompute, and the children end on the stored models."""
    es = _entries()
    parents = {QWEN, LLAMA, GPT2}
    steps = [[e for e in es if e["id"] not in parents], [e for e in es if e["id"] in parents]]
    with open_store(tmp_path / "inc.duckdb") as store:
        for i, batch in enumerate(steps):
            ingest_file(store, write_jsonl(tmp_path / f"s{i}.jsonl", batch))
            assert lineage_step.refresh(store)["mode"] == ("full" if i == 0 else "incremental")
            inc = _edges(store), set(store.con.execute("SELECT id, root, depth FROM lineage").fetchall())
            if i == 0:  # the parents not stored yet: external nodes as the addresses name them (one node per
                # id up to case, spelled as most children declare it: r/case's `qwen/qwen2.5-7B` joins it)
                assert ("r/case", "Qwen/Qwen2.5-7B", "unknown", "card", True) in inc[0]
                assert ("r/legacy", "gpt2", "unknown", "card", True) in inc[0]
            lineage_step.refresh(store, full=True)
            assert (_edges(store), set(store.con.execute("SELECT id, root, depth FROM lineage").fetchall())) == inc
        assert _edges(store) == EXPECTED


def test_the_networkx_baseline_reads_the_addresses_as_ours(store_path: Path, tmp_path: Path) -> None:
    db = tmp_path / "nx.duckdb"
    db.write_bytes(store_path.read_bytes())  # the baseline writes its nx_* tables into the store
    res = networkx_full(db, cap_s=120)
    assert res["tables_equal"] == {"edges": True, "lineage_paths": True, "lineage_cycles": True,
                                   "lineage_origin": True}, res["differing_rows"]
    assert res["rows"]["edges"] == len(EXPECTED)


ODD = ["", " ", "/", "a/b", " a/b/ ", "Http://HF.co/a/b", "https://huggingface.co/", "https://huggingface.co//a/b",
       "hf.co/a", "hf.co/a/tree", "hf.co/a/tree/main", "hf.co/a/tree/tree/main", "hf.co/a/b/c", "hf.co/a/b/tree",
       "hf.co/a?x", "hf.co/a/b?x/y#z/w", "hf.co/a/b#", "www.hf.co", "www.a/b", "http", "https:", "huggingface/a",
       "huggyllama/llama-7b", "hf.coder/a", "hf.co./a", "https://www.huggingface.co/datasets", "hf.co/DATASETS/a",
       "hf.co/a/b\n?c", "ftp://hf.co/a/b", "hf.co/a/BLOB/main/x", "hf.co/a/b/discussions/3", "hf.co/a/b/viewer",
       "http://github.com/a/b/", "https://huggingface.co/api/models/a/b", "hf.co/a/b/", "  hf.co/a/b",
       "hf.co/a//tree/x", "hf.co//gpt2/tree/main", "hf.co/a/b/\u017fettings/x", "hf.co/DATA\u017fETS/a",
       "https\u017f://hf.co/a/b", "hf.co/a/b\u212a/tree", "hf.co/a/b/tree\t", "hf.co/a.co/b/tree/main"]


@pytest.mark.parametrize("value", [v for _, v in QWEN_FORMS + NO_MODEL] + ODD)
def test_sql_python_and_baseline_clean_alike(value: str) -> None:
    """The SQL rule, its Python twin (the openness side's) and the baseline's own code read a value alike."""
    con = duckdb.connect()
    try:
        sql = con.execute(f"SELECT {_clean('x')} FROM (SELECT ?::VARCHAR AS x)", [value]).fetchone()
    finally:
        con.close()
    assert sql is not None
    assert sql[0] == declared_id(value) == nx_clean(value), value


def test_the_openness_side_reads_the_declared_address_as_lineage_does() -> None:
    """``declared_base`` (a card read on its own) looks the family up by the id the address names, and a
    dataset's address names no base (its path names a family's data, not a base model)."""
    def rec(base: str) -> ModelRecord:
        r = ModelRecord(id="me/model", locator="x", read_at="2026-01-01")
        r.card = read_card(f"---\nbase_model: {base}\n---\n# me/model\n\nSome words about this model.\n")
        return r

    for form in (f"https://huggingface.co/{LLAMA}/tree/main", f"HF.CO/{LLAMA}", f"huggingface.co/{LLAMA}?x=1"):
        d = declared_base(rec(form))
        assert d is not None and d.family == declared_base(rec(LLAMA)).family, form  # type: ignore[union-attr]
        assert d.evidence.snippet == f"front matter: base_model: {form}"  # the line as the card writes it
    assert declared_base(rec(f"https://huggingface.co/datasets/{LLAMA}")) is None


def test_a_pasted_cards_base_is_named_by_the_id_its_address_names() -> None:
    """A re-upload that pastes its base's card names the base by its front matter's ``base_model``: an address
    there is the id it names (not the address), a dataset's address names none (the heading's name instead)."""
    from openscope.derive.openness.declared_base import pasted_base

    def named(base: str) -> str | None:
        r = ModelRecord(id="me/model-GGUF", locator="x", read_at="2026-01-01")
        r.card = read_card(f"---\nbase_model: {base}\n---\n# model GGUF\n\nQuantized files of the model below.\n\n"
                           "# Original model card: Acme's Base\n\nAcme Base is a language model trained by Acme on "
                           "public web text, released under an open licence for research.\n")
        p = pasted_base(r)
        return None if p is None else p.name

    assert named(f"https://huggingface.co/{LLAMA}/tree/main") == LLAMA
    assert named(f"hf.co/{LLAMA}") == LLAMA
    assert named(f"https://huggingface.co/datasets/{LLAMA}") == "Acme's Base"
