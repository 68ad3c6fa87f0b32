"""A lineage root deleted from the Hub is read by its derivatives' base-model dimensions as it was last stored (issue
#7, point 3; docs/openness.md, *A root deleted from the Hub*): its card, files and licence texts are the last-known
facts, as its licence, read as last stored, already binds them. Before the thirty-fourth session such a root was read
as one outside the store (nothing of its own: `unknown` without a curated family), although the store kept its card.
Every reading says it was deleted and when.

One store, ingested from records written here (a card in our own words); the deleted models are stamped as a full
crawl stamps them; every live model's stored (set-based) rows are compared with `assess`'s (tests/openness_paths.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openness_paths import both_paths, live_ids

from openscope import derive
from openscope.cli import main
from openscope.store import Store, open_store

GONE, LIVE, LLAMA = "lost/open-base", "acme/closed-live", "huggyllama/llama-7b"
GONE_BARE = "lost/bare-base"   # deleted with nothing of its own stored but a licence tag
CARD = ("---\nlicense: apache-2.0\n---\n# Open base\n\n## Training data\n\nWe trained on the "
        "[lost/corpus](https://huggingface.co/datasets/lost/corpus) dataset, released with the model.\n")
WEIGHTS = ["README.md", "config.json", "model.safetensors"]


def _m(mid: str, lic: str | None, parents: tuple[str, ...] = (), relation: str = "finetune",
       files: list[str] = WEIGHTS) -> dict[str, Any]:
    tags = ([f"license:{lic}"] if lic else []) + [f"base_model:{relation}:{p}" for p in parents]
    return {"id": mid, "author": mid.split("/")[0], "tags": tags, "siblings": [{"rfilename": f} for f in files]}


MODELS = [
    _m(GONE, "apache-2.0"),
    _m(LIVE, "other", files=["config.json"]),
    _m(LLAMA, None, files=[]),
    _m(GONE_BARE, "mit", files=[]),
    _m("fans/of-gone", "apache-2.0", (GONE,)),
    _m("fans/of-gone-quant", "apache-2.0", ("fans/of-gone",), "quantized"),
    _m("fans/merge-gone-live", "apache-2.0", (GONE, LIVE), "merge"),
    _m("fans/of-llama", "apache-2.0", (LLAMA,)),
    _m("fans/of-bare", "mit", (GONE_BARE,)),
]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("deleted_root")
    (d / "m.jsonl").write_text("".join(json.dumps(x) + "\n" for x in MODELS))
    path = d / "s.duckdb"
    assert main(["--db", str(path), "--quiet", "ingest", str(d / "m.jsonl")]) == 0
    with open_store(path) as s:
        sid = s.scalar("SELECT max(snapshot_id) FROM snapshots")
        s.con.execute("INSERT INTO cards (id, repo_type, text, fetched_at, snapshot_id) VALUES (?, 'model', ?, now(), ?)",
                      [GONE, CARD, sid])
        # what a later full crawl writes for repositories gone from the Hub
        s.con.execute("UPDATE models SET deleted_at = TIMESTAMP '2024-07-01 00:00:00' WHERE id IN (?, ?, ?)",
                      [GONE, LLAMA, GONE_BARE])
        derive.refresh(s)
    return path


@pytest.fixture
def store(db: Path) -> Any:
    """The store, open for one test (a command run by another test opens it itself)."""
    s = open_store(db)
    yield s
    s.close()


BASE = ("datasources_basemodel", "weights_basemodel")


@pytest.mark.parametrize(("mid", "grades"), [
    # the deleted root's last-stored card links its released training data; its weights were released under Apache
    ("fans/of-gone", {"datasources_basemodel": "open", "weights_basemodel": "open"}),
    ("fans/of-gone-quant", {"datasources_basemodel": "open", "weights_basemodel": "open"}),
    # with a live closed root: the least open of the two
    ("fans/merge-gone-live", {"datasources_basemodel": "closed", "weights_basemodel": "closed"}),
    # a deleted root with nothing stored of its own is still read by the family its id names (LLaMA: weights given
    # only to approved applicants), and one with no family stays unknown
    ("fans/of-llama", {"weights_basemodel": "closed"}),
    ("fans/of-bare", {"datasources_basemodel": "unknown", "weights_basemodel": "unknown"}),
])
def test_a_deleted_root_is_read_as_last_stored_on_both_paths(store: Store, mid: str, grades: dict[str, str]) -> None:
    a, stored, _ = both_paths(store, mid)
    for dim, g in grades.items():
        assert a.osai[dim] == stored[("osai", dim)][0] == g, (mid, dim)


def test_every_reading_of_a_deleted_root_says_so(store: Store) -> None:
    a, _, _ = both_paths(store, "fans/of-gone")
    for dim in BASE:
        assert a.osai_basis[dim].startswith(f"{GONE} (deleted from the Hub on 2024-07-01; read as last stored): ")
        assert a.base_roots is not None and a.base_roots[dim]["notes"] == {
            GONE: "deleted from the Hub on 2024-07-01; read as last stored"}
    a, _, _ = both_paths(store, "fans/merge-gone-live")
    basis = a.osai_basis["weights_basemodel"]
    assert f"{GONE} (deleted from the Hub on 2024-07-01; read as last stored): open" in basis
    assert f"{LIVE}: closed" in basis and f"{LIVE} (" not in basis   # a live root's reading has no note
    # a deleted root read by its family only says so too
    a, _, _ = both_paths(store, "fans/of-llama")
    assert a.osai_basis["weights_basemodel"].startswith(f"{LLAMA} (deleted from the Hub on 2024-07-01")


def test_every_live_model_is_graded_alike_by_both_paths(store: Store) -> None:
    ids = live_ids(store)
    assert GONE not in ids
    for mid in ids:
        both_paths(store, mid)


def test_assess_json_names_the_deleted_root(cli, db: Path) -> None:
    doc = cli("--db", db, "--json", "assess", "fans/of-gone").json()
    assert doc["base_model"] == GONE and doc["roots"] == [GONE]
    assert doc["base_roots"]["datasources_basemodel"]["grade"] == "open"
    assert "deleted from the Hub on 2024-07-01" in doc["osai_basis"]["datasources_basemodel"]
