"""A base a full crawl found gone from the Hub keeps the licence it was last read with (issues #5 and #7;
docs/licenses.md, *A base deleted from the Hub*; docs/openness.md, *Inherited licences*).

The thirty-second session's persona tryout found `license c/child` of an Apache-2.0 finetune of a deleted `mit` base
saying "the licence of org/base is not known … find them (its model card …)": the store held its last-read
declaration, and its card was gone from the Hub. A licence binds a derivative as it was granted, so the licence step
(``license_flow``, ``licenses.effective_class``, ``license`` and ``model``) and both openness grading paths now read a
deleted base's last-read declaration (tag, card ``license_name``, licence file), and say that the base was deleted.
Every test here fails on the session-start code (each names what it guards).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lineage_graphs import entry, write_jsonl
from openness_paths import both_paths
from test_openness_ancestor_license import DEEPSEEK
from test_openness_inherited_path import FINAL, _agree

from openscope import derive
from openscope.derive.openness.assessment import assess_record
from openscope.derive.openness.records import from_store
from openscope.jobs.ingest import ingest_file
from openscope.store import Store, open_store

GONE = "2024-07-01"
HUB = "https://huggingface.co/"
DELETED = ["nc/base", "ll/base", "mit/base", "nm/base", "fl/base", "unk/base", "chm/mid", "huggyllama/llama-7b"]


def _ft(mid: str, lic: str, base: str) -> dict[str, Any]:
    return entry(mid, (f"license:{lic}", f"base_model:finetune:{base}"), files=("model.safetensors",))


GRAPH = [
    # restrictive bases, one live (the control) and two deleted: the deleted ones bind as the live one does
    entry("live-nc/base", ("license:cc-by-nc-4.0",)), _ft("kid/live-nc", "apache-2.0", "live-nc/base"),
    entry("nc/base", ("license:cc-by-nc-4.0",)), _ft("kid/nc", "apache-2.0", "nc/base"),
    entry("ll/base", ("license:llama3.1",)), _ft("kid/ll", "apache-2.0", "ll/base"),
    # a permissive deleted base: known, no conflict, its duties flow down
    entry("mit/base", ("license:mit",)), _ft("kid/mit", "apache-2.0", "mit/base"),
    # a deleted base declaring `other` with only a card `license_name`, and one with only a LICENSE text
    entry("nm/base", ("license:other",), card={"license": "other", "license_name": "cc-by-nc-4.0"}),
    _ft("kid/nm", "apache-2.0", "nm/base"),
    entry("fl/base", ("license:other",), card={"license": "other"}), _ft("kid/fl", "apache-2.0", "fl/base"),
    # a deleted base that declared nothing: unknown stays unknown, and the reader is not sent to its Hub card
    entry("unk/base"), _ft("kid/unk", "apache-2.0", "unk/base"),
    # a merge of it and a live base that declared nothing: the card is named for the live one only
    entry("unl/base"), entry("kid/mix", ("license:apache-2.0", "base_model:merge:unk/base", "base_model:merge:unl/base"),
                             files=("model.safetensors",)),
    # a deleted base that declared nothing, whose id names a curated family (LLaMA): read by that family, as an
    # ancestor outside the store is
    entry("huggyllama/llama-7b"), _ft("kid/hl", "apache-2.0", "huggyllama/llama-7b"),
    # a chain: a Llama 3.1 root, a deleted CC BY-NC model in the middle, a finetune of it and a grandchild
    entry("chr/root", ("license:llama3.1",)), _ft("chm/mid", "cc-by-nc-4.0", "chr/root"),
    _ft("chl/leaf", "apache-2.0", "chm/mid"), _ft("chg/grand", "mit", "chl/leaf"),
]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("delbase")
    with open_store(tmp / "s.duckdb") as s:
        _build(s, tmp)
    return tmp / "s.duckdb"


@pytest.fixture(scope="module")
def store(db: Path) -> Any:
    """Read-only, as the commands open it (the tests call both)."""
    s = open_store(db, read_only=True, create=False)
    yield s
    s.close()


def _build(s: Store, tmp: Path) -> None:
    ingest_file(s, write_jsonl(tmp / "m.jsonl", GRAPH))
    # the row `crawl --cards` wrote for the LICENSE it read while the base lived
    s.con.execute("""INSERT INTO license_texts (repo_type, id, path, sha, text, bytes, url, note, read_at, snapshot_id)
                     VALUES ('model', 'fl/base', 'LICENSE', 'abc', ?, 10, ?, NULL, now()::TIMESTAMP, NULL)""",
                  [DEEPSEEK, f"{HUB}fl/base/resolve/main/LICENSE"])
    s.con.execute(f"UPDATE models SET deleted_at = TIMESTAMP '{GONE}' WHERE id IN (SELECT unnest(?::VARCHAR[]))",
                  [DELETED])
    derive.refresh(s)


def _doc(cli, db: Path, mid: str) -> dict[str, Any]:
    r = cli("--db", db, "license", mid, "--json")
    assert r.code == 0, r.stderr
    return r.json()


def test_a_deleted_restrictive_base_binds_as_a_live_one(store: Store, cli, db: Path) -> None:
    """Guards the licence step reading deleted models' declarations (``declarations(with_deleted=True)`` in
    ``refresh``): on main the deleted bases' flow rows were unknown, `effective_class` unknown, no conflict."""
    live, nc = _doc(cli, db, "kid/live-nc"), _doc(cli, db, "kid/nc")
    keys = ("license", "class", "conflict", "duties", "duties_known")
    assert [{k: f[k] for k in keys} for f in nc["flow_down"]] == [{k: f[k] for k in keys} for f in live["flow_down"]]
    assert nc["flow_down"][0]["conflict"] is True and nc["flow_down"][0]["license"] == "cc-by-nc-4.0"
    assert nc["effective_class"] == live["effective_class"] == "non_commercial"
    assert nc["effective_commercial_use"] is False and nc["unknown_bases"] == []
    assert nc["flow_down"][0]["deleted_at"] == GONE and live["flow_down"][0]["deleted_at"] is None
    ll = _doc(cli, db, "kid/ll")
    assert ll["flow_down"][0]["license"] == "llama3.1" and ll["conflict" + "s"][0]["base"] == "ll/base"
    assert ll["effective_user_cap"] == 700_000_000
    # the stored table says the same; the deleted base itself still has no `licenses` row
    assert store.scalar("SELECT effective_class FROM licenses WHERE id = 'kid/nc'") == "non_commercial"
    assert store.scalar("SELECT count(*) FROM licenses WHERE id IN (SELECT unnest(?::VARCHAR[]))", [DELETED]) == 0


def test_a_deleted_permissive_base_passes_its_duties_down(cli, db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Guards the same read for a permissive base: on main `mit/child` had an unknown base and unknown duties."""
    monkeypatch.setenv("COLUMNS", "250")
    doc = _doc(cli, db, "kid/mit")
    fd = doc["flow_down"][0]
    assert (fd["license"], fd["class"], fd["conflict"], fd.get("deleted_at")) == ("mit", "permissive", False, GONE)
    assert doc["effective_class"] == "permissive" and doc["effective_duties_known"] is True
    assert {"duty": "include_license", "from": "mit/base"} in doc["effective_duties"]
    text = cli("--db", db, "license", "kid/mit").stdout
    assert "not known" not in text and "model card" not in text
    assert "deleted from the Hub on 2024-07-01; its licence as last read" in " ".join(text.split())


def test_a_deleted_base_read_by_its_card_name_or_its_licence_file(cli, db: Path) -> None:
    """Guards the licence file keys (``_license_file_keys``) and the card's name being read for deleted models too:
    on main both bases were unknown."""
    nm, fl = _doc(cli, db, "kid/nm")["flow_down"][0], _doc(cli, db, "kid/fl")["flow_down"][0]
    assert (nm["license"], nm["conflict"], nm.get("deleted_at")) == ("cc-by-nc-4.0", True, GONE)
    assert fl["license"] == "deepseek" and fl["class"] != "unknown" and fl.get("deleted_at") == GONE


def test_a_deleted_base_of_unknown_licence_does_not_send_the_reader_to_the_hub(cli, db: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Guards ``_license_words._find_terms``: on main the advice was "find them (its model card or licence file)",
    a page the Hub no longer serves."""
    monkeypatch.setenv("COLUMNS", "250")
    text = " ".join(cli("--db", db, "license", "kid/unk").stdout.split())
    assert "model card" not in text
    doc = _doc(cli, db, "kid/unk")
    assert doc["unknown_bases"] == ["unk/base"] and doc["flow_down"][0].get("deleted_at") == GONE
    assert "unk/base was deleted from the Hub with its card: ask its publisher, or look for a copy of its terms" in text
    assert "deleted from the Hub on 2024-07-01; no licence was read from it before then" in text
    mix = " ".join(cli("--db", db, "license", "kid/mix").stdout.split())
    assert ("find them (the model card or licence file of unl/base; unk/base was deleted from the Hub with its card: "
            "ask its publisher, or look for a copy of its terms kept elsewhere) before relying") in mix
    model = " ".join(cli("--db", db, "model", "kid/unk").stdout.split())
    assert "model card" not in model and "deleted from the Hub on 2024-07-01" in model


def test_a_deleted_model_in_the_middle_of_a_chain(store: Store, cli, db: Path) -> None:
    """Guards the flow-down through a live model to a deleted base (distance 2), and through the deleted model to the
    root above it: lineage reads a deleted model's last-read bases (docs/lineage.md, thirty-fourth session), so its
    root's Llama terms reach its finetune and the grandchild. On main the grandchild's deleted base was unknown; on
    the thirty-third session's code the root's terms stopped at the deleted model."""
    leaf, grand = _doc(cli, db, "chl/leaf"), _doc(cli, db, "chg/grand")
    assert [(f["base"], f["license"], f.get("deleted_at")) for f in leaf["flow_down"]] == [
        ("chm/mid", "cc-by-nc-4.0", GONE), ("chr/root", "llama3.1", None)]
    assert [(f["base"], f["distance"], f["license"], f.get("deleted_at"), f["conflict"]) for f in grand["flow_down"]] == [
        ("chl/leaf", 1, "apache-2.0", None, False), ("chm/mid", 2, "cc-by-nc-4.0", GONE, True),
        ("chr/root", 3, "llama3.1", None, True)]
    # the Llama terms bind it as they bind a live chain's grandchild (the root's class outranks the middle one's)
    assert grand["effective_class"] == leaf["effective_class"] == "custom_flow_down"
    assert sorted(store.con.execute("SELECT id, distance FROM license_flow WHERE base = 'chr/root'").fetchall()) == [
        ("chg/grand", 3), ("chl/leaf", 2)]


def _weights(store: Store, mid: str) -> tuple[str, str | None, list[str], list[str]]:
    w = assess_record(from_store(store, mid)).components[FINAL]
    bases = (w.inherited or {}).get("bases", [])
    return w.status, w.license, [b["base"] for b in bases], [e.snippet for e in w.evidence]


def test_the_openness_inheritance_reads_a_deleted_base_on_both_paths(store: Store) -> None:
    """Guards ``ancestry.load`` and ``ancestry.binding_table`` (``_deleted_declarations``): on main a deleted base
    bound nothing on either path, so `nc/child` was graded `open_license` under its own Apache-2.0. The stored rows
    (set-based) equal ``assess``'s (per model), evidence included, for every live model."""
    assert _agree(store) == 8   # live-nc, nc, ll, nm, fl, hl children, chl/leaf, chg/grand
    status, lic, bases, snippets = _weights(store, "kid/nc")
    assert (status, lic, bases) == ("restrictive_license", "cc-by-nc-4.0", ["nc/base"])
    assert any(s.startswith("license: cc-by-nc-4.0 (deleted from the Hub on 2024-07-01; its licence as last read) "
                            "(base nc/base, 1 lineage step up") for s in snippets), snippets
    assert _weights(store, "kid/live-nc")[:3] == ("restrictive_license", "cc-by-nc-4.0", ["live-nc/base"])
    assert _weights(store, "kid/nm")[:3] == ("restrictive_license", "cc-by-nc-4.0", ["nm/base"])
    assert _weights(store, "kid/fl")[1:3] == ("deepseek", ["fl/base"])
    assert _weights(store, "chg/grand")[2] == ["chm/mid", "chr/root"]  # the root above the deleted model binds too
    # one whose last reading names nothing is read by the family its id names, as an ancestor outside the store
    assert _weights(store, "kid/hl")[:3] == ("restrictive_license", "llama-1-license", ["huggyllama/llama-7b"])
    # a permissive base binds nothing; one of unknown licence neither
    assert _weights(store, "kid/mit")[:3] == ("open_license", "apache-2.0", [])
    assert _weights(store, "kid/unk")[:3] == ("open_license", "apache-2.0", [])
    # the stored evidence of the set-based pass says the deletion too
    _a, stored, _expected = both_paths(store, "kid/fl")
    ev = stored[("component", FINAL)][2]["evidence"]
    assert any("deleted from the Hub on 2024-07-01" in e["snippet"] and e["locator"].endswith("fl/base/blob/main/"
                                                                                              "LICENSE#L1")
               for e in ev), ev


def test_a_full_crawl_of_the_simulated_hub_that_finds_a_base_gone(tmp_path: Path, cli) -> None:
    """The same through a real full crawl: a base of the simulated Hub with a known licence and live children is
    deleted, `crawl --full` stamps it, and its children's flow-down keeps its licence, saying it was deleted. On main
    the child's base became unknown."""
    from openscope.simhub.testing import running_simhub

    db = tmp_path / "s.duckdb"
    fast = ("--backoff", "0.01", "--retries", "8")
    with running_simhub(models=400, datasets=0, seed=3) as h:
        assert cli("--db", db, "crawl", "--endpoint", h.url, "--json", *fast).code == 0
        with open_store(db, read_only=True, create=False) as s:
            row = s.con.execute("""SELECT f.base, f.id, f.base_license FROM license_flow f
                JOIN licenses b ON b.id = f.base
                WHERE f.distance = 1 AND f.base_class NOT IN ('unknown') AND f.root = f.base
                ORDER BY f.base, f.id LIMIT 1""").fetchone()
        assert row is not None
        base, child, lic = row
        before = _doc(cli, db, child)
        h.mutate(delete=[base])
        r = cli("--db", db, "crawl", "--endpoint", h.url, "--json", "--full", *fast)
        assert r.code == 0, r.stderr
    with open_store(db, read_only=True, create=False) as s:
        assert s.scalar("SELECT deleted_at IS NOT NULL FROM models WHERE id = ?", [base]) is True
    after = _doc(cli, db, child)
    fd = next(f for f in after["flow_down"] if f["base"] == base)
    assert fd["license"] == lic and fd.get("deleted_at") is not None
    assert after["effective_class"] == before["effective_class"]
    assert json.dumps(after["unknown_bases"]) == json.dumps(before["unknown_bases"])
