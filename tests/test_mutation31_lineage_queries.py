"""What `openscope lineage` and `openscope model` read (derive/lineage/queries.py): behaviour the sixth mutation round
(thirty-first session) showed no test asserted.

`lineage ID` (`tree`): which nodes `--limit` keeps (the node, then the most-downloaded by their *latest* reading,
ties shallower first, a node of unknown downloads last), the order they are listed in, when the answer says it is
truncated, which edges it shows (only between the nodes shown, the chosen one first), a deleted node not being
"in the store", the roots of a walk cut by `--relation`; `model ID` (`overview`): roots nearest first, direct
derivatives largest first, every descendant counted once with its latest downloads, the counters being the latest
snapshot's; `lineage --by-root-country`: ties by name, `--since` keeping the day itself (docs/lineage.md, "lineage
ID", "model ID", "lineage --by-root-country"; DESIGN.md's `lineage` and `model` documents). docs/reviews.md,
"Mutation testing, sixth round", names the hand mutants each test kills.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from lineage_graphs import LLAMA, QWEN, entry, write_jsonl

from openscope import derive
from openscope.derive.lineage.queries import derivatives_by_root_country, direct_children, overview, tree
from openscope.store import Store, open_store

ON = "2024-06-01T00:00:00.000Z"

# Llama <- d1/a, d1/b, d1/c, m/merge; d1/a <- d2/x, m/deep. Downloads (30 d): d1/a 50 then 10 (a later snapshot:
# the latest counts), d1/b, d1/c and d2/x 30 each (a tie across depths), the merges 0.
GRAPH = [
    entry(LLAMA, downloads=1000), entry(QWEN, downloads=2000),
    entry("d1/a", (f"base_model:finetune:{LLAMA}",), downloads=50),
    entry("d1/b", (f"base_model:finetune:{LLAMA}",), downloads=30, created=ON),
    # the tag says adapter, the card quantized: a chosen edge and an unchosen one, both to Llama
    entry("d1/c", (f"base_model:adapter:{LLAMA}",), card={"base_model": LLAMA, "base_model_relation": "quantized"},
          downloads=30),
    entry("d2/x", ("base_model:finetune:d1/a",), downloads=30),
    # a merge of Llama (U.S.) and an external base of unknown origin
    entry("m/merge", (f"base_model:merge:{LLAMA}", "base_model:merge:ext/thing"), downloads=0),
    # two roots at two depths, the deeper one first by name: zed/ext (depth 1), Llama (depth 2)
    entry("m/deep", ("base_model:merge:d1/a", "base_model:merge:zed/ext"), downloads=0),
    # created on the Hub's placeholder date (unknown)
    entry("q/ft", (f"base_model:finetune:{QWEN}",), downloads=7, created="2022-03-02T23:29:04.000Z"),
    # a rootless cycle, and a model built on it
    entry("cy/a", ("base_model:finetune:cy/b",)), entry("cy/b", ("base_model:finetune:cy/a",)),
    entry("cy/c", ("base_model:finetune:cy/a",)),
    # a base a full crawl found deleted from the Hub
    entry("gone/base"), entry("gone/ft", ("base_model:finetune:gone/base",), downloads=3),
    # a card naming a base the tags do not: an unchosen edge to a model the store does not hold
    entry("u/ft", (f"base_model:finetune:{QWEN}",), card={"base_model": "ext/card-only"}),
]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from openscope.jobs.ingest import ingest_file

    d = tmp_path_factory.mktemp("m31q")
    path = d / "q.duckdb"
    with open_store(path) as s:
        ingest_file(s, write_jsonl(d / "1.jsonl", GRAPH))
        ingest_file(s, write_jsonl(d / "2.jsonl", [entry("d1/a", (f"base_model:finetune:{LLAMA}",), downloads=10)]))
        s.con.execute("UPDATE models SET deleted_at = TIMESTAMP '2024-07-01' WHERE id = 'gone/base'")
        derive.refresh(s, only=["lineage"])
    return path


@pytest.fixture(scope="module")
def store(db: Path) -> Iterator[Store]:
    with open_store(db, read_only=True, create=False) as s:
        yield s


def _ids(doc: dict) -> list[str]:
    return [n["id"] for n in doc["nodes"]]


def test_the_limit_keeps_the_most_downloaded_by_their_latest_reading(store: Store) -> None:
    """The node, then the most-downloaded: d1/a's latest 10, not its earlier 50 (Q20); of three at 30, the two
    shallower ones (Q22); `--limit 2` shows two besides the node (Q23)."""
    doc = tree(store, LLAMA, direction="down", limit=2)
    assert _ids(doc) == [LLAMA, "d1/b", "d1/c"]
    assert [n["downloads_30d"] for n in doc["nodes"]] == [1000, 30, 30]
    assert doc["truncated"] is True and doc["summary"]["total"] == 6


def test_nodes_are_listed_by_depth_then_downloads(store: Store) -> None:
    """Within a depth the most-downloaded first, then by id (Q24); every descendant once: the unchosen card edge
    of d1/c adds no node (Q19)."""
    doc = tree(store, LLAMA, direction="down", limit=10)
    assert [(n["id"], n["depth"]) for n in doc["nodes"]] == [
        (LLAMA, 0), ("d1/b", 1), ("d1/c", 1), ("d1/a", 1), ("m/merge", 1), ("d2/x", 2), ("m/deep", 2)]
    assert doc["truncated"] is False
    assert doc["summary"]["total"] == 6 and doc["summary"]["by_depth"] == {"1": 4, "2": 2}
    assert doc["summary"]["downloads_30d"] == 10 + 30 + 30 + 30 + 0 + 0


def test_truncated_exactly_when_a_node_is_left_out(store: Store) -> None:
    """Six descendants: `--limit 5` leaves one out (Q28), `--limit 6` none."""
    assert tree(store, LLAMA, direction="down", limit=5)["truncated"] is True
    assert tree(store, LLAMA, direction="down", limit=6)["truncated"] is False


def test_a_node_of_unknown_downloads_comes_last(store: Store) -> None:
    """An external base has no downloads (None): `--limit 1` up from the merge names Llama, not ext/thing (Q21)."""
    doc = tree(store, "m/merge", direction="up", limit=1)
    assert _ids(doc) == ["m/merge", LLAMA]
    assert doc["summary"]["roots"] == ["ext/thing", LLAMA]
    # counts that tie are listed by name, `US` before `unknown` before `us` (byte order), whichever row came first
    # from the grouping: one of the two lists is out of that order if the tie is not broken by name (Q30)
    assert list(doc["summary"]["by_country"].items()) == [("US", 1), ("unknown", 1)]
    assert list(doc["summary"]["by_region"].items()) == [("unknown", 1), ("us", 1)]


def test_edges_are_those_between_the_nodes_shown_chosen_first(store: Store) -> None:
    """`--limit 1` up from d2/x shows Llama, not d1/a: no edge is between shown nodes (Q25). The chosen edge of
    d1/c comes before its unchosen card edge to the same parent (Q27)."""
    doc = tree(store, "d2/x", direction="up", limit=1)
    assert _ids(doc) == ["d2/x", LLAMA] and doc["edges"] == []
    down = tree(store, LLAMA, direction="down", limit=10)
    assert [(e["relation"], e["evidence"], e["chosen"]) for e in down["edges"] if e["child"] == "d1/c"] == [
        ("adapter", "tag", True), ("quantized", "card", False)]


def test_the_roots_of_a_walk_cut_by_relation_are_the_model_s(store: Store) -> None:
    """`--relation finetune` up from a merge follows no edge; its roots are still its two (Q31)."""
    doc = tree(store, "m/merge", direction="up", relation="finetune")
    assert _ids(doc) == ["m/merge"]
    assert doc["summary"]["total"] == 0 and doc["summary"]["roots"] == ["ext/thing", LLAMA]


def test_relation_filters_the_walk_down_from_a_root(store: Store) -> None:
    """A root's descendants are read from the stored lineage, except with `--relation`: only adapters (Q12)."""
    doc = tree(store, LLAMA, direction="down", relation="adapter")
    assert _ids(doc) == [LLAMA, "d1/c"] and doc["summary"]["by_relation"] == {"adapter": 1}
    # and with `--depth 1`, the stored lineage's rows one level down only (Q18)
    one = tree(store, LLAMA, direction="down", max_depth=1, limit=10)
    assert _ids(one) == [LLAMA, "d1/b", "d1/c", "d1/a", "m/merge"] and one["summary"]["by_depth"] == {"1": 4}


def test_an_external_base_is_found_in_any_case_and_its_edges_keep_their_spelling(store: Store) -> None:
    """`lineage EXT/THING --down` is the external base `ext/thing` (Q01); the edge declared as stored has no other
    spelling to show (`declared_as` null: Q03)."""
    doc = tree(store, "EXT/THING", direction="down")
    assert doc["id"] == "ext/thing" and _ids(doc) == ["ext/thing", "m/merge"]
    assert [(e["child"], e["parent"], e["declared_as"]) for e in doc["edges"]] == [("m/merge", "ext/thing", None)]
    assert doc["summary"]["in_store"] is False

def test_a_deleted_node_is_not_in_the_store(store: Store) -> None:
    """A model a full crawl found gone: its records stay, but it is no live model of the store (Q05)."""
    doc = tree(store, "gone/ft", direction="up")
    gone = {n["id"]: n for n in doc["nodes"]}["gone/base"]
    assert gone["in_store"] is False and gone["deleted_at"] is not None
    assert {n["id"]: n["in_store"] for n in doc["nodes"]}["gone/ft"] is True


def test_model_roots_nearest_first_and_children_largest_first(store: Store) -> None:
    """`model`: roots by depth, then id (Q35); direct derivatives by count, largest first (Q36); every descendant
    once, not the model itself, with each one's latest downloads (Q39, Q40); built on: chosen edges only (Q38)."""
    deep = overview(store, "m/deep")["lineage"]
    assert [(r["id"], r["depth"]) for r in deep["roots"]] == [("zed/ext", 1), (LLAMA, 2)]
    llama = overview(store, LLAMA)["lineage"]
    assert list(llama["children_by_relation"].items()) == [("finetune", 2), ("adapter", 1), ("merge", 1)]
    assert llama["descendants"] == {"total": 6, "downloads_30d": 100}
    # built on: the chosen edge alone; declared: every edge, the card's unchosen one too (Q38)
    c = overview(store, "d1/c")["lineage"]
    assert [(p["id"], p["relation"], p["evidence"]) for p in c["parents"]] == [(LLAMA, "adapter", "tag")]
    assert [(p["id"], p["relation"], p["chosen"]) for p in c["declared"]] == [
        (LLAMA, "quantized", False), (LLAMA, "adapter", True)]


def test_model_counters_are_the_latest_snapshot_s(store: Store) -> None:
    """The history oldest first; the counters shown are the last one's (Q41)."""
    c = overview(store, "d1/a")["counters"]
    assert [h["downloads_30d"] for h in c["history"]] == [50, 10]
    assert c["downloads_30d"] == 10 and c["snapshot_id"] == 2


def test_by_root_country_ties_by_name_and_since_keeps_the_day(store: Store) -> None:
    """US and unknown hold four derivatives each, CN and multiple two: by name, `US` first (Q45); `--since 2024-06-01` keeps d1/b,
    created that midnight (Q46)."""
    rows = derivatives_by_root_country(store)
    assert [(r["country"], r["derivatives"]) for r in rows] == [("US", 4), ("unknown", 4), ("CN", 2), ("multiple", 2)]
    regions = derivatives_by_root_country(store, level="region")
    assert [(r["region"], r["derivatives"]) for r in regions] == [
        ("unknown", 4), ("us", 4), ("china", 2), ("multiple", 2)]
    since = derivatives_by_root_country(store, since="2024-06-01")
    assert [(r["country"], r["derivatives"], r["downloads_30d"]) for r in since] == [("US", 1, 30)]


# -- the commands: what they show, and their exit codes


Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(cli: Any, db: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.setenv("COLUMNS", "200")   # one line per node

    def go(*args: str) -> tuple[int, str, str]:
        r = cli("--db", db, *args)
        return r.code, r.stdout, r.stderr

    return go


def _line(out: str, start: str) -> str:
    found = [ln for ln in out.splitlines() if ln.lstrip("│├└─ ").startswith(start)]
    assert len(found) == 1, (start, out)
    return found[0]


def test_lineage_up_text(run: Run) -> None:
    """`lineage m/merge`: each base "merge of" (C01), the external one "not in store" (C02), the roots line with
    the unknown origin counted as another (C10, C11)."""
    code, out, _ = run("lineage", "m/merge")
    assert code == 0
    assert "· merge of ·" in _line(out, LLAMA) and "1,000 dl/30d" in _line(out, LLAMA)
    assert _line(out, "ext/thing").endswith("· not in store")
    assert _line(out, "roots:") == ("roots: ext/thing (origin unknown), meta-llama/Llama-3.1-8B (US); "
                                    "root country: multiple (US, unknown)")


def test_lineage_up_text_of_a_base_drawn_elsewhere_and_cut_by_the_limit(run: Run) -> None:
    """A base drawn under another ancestor is named so, and only then (C04, C14); a node whose parent is not shown
    says through which one it is reached (C03); the answer says how many are shown of how many (C05)."""
    _, out, _ = run("lineage", "cy/c")
    assert _line(out, "cy/b").endswith("(also built on cy/a, shown under cy/c)")
    assert "also built on" not in _line(out, "cy/a")
    _, out, _ = run("lineage", "m/deep", "--limit", "1")
    assert _line(out, LLAMA).endswith("(via d1/a)")
    assert "showing the 1 most-downloaded of 3 ancestors (raise --limit to see more)" in out
    _, out, _ = run("lineage", LLAMA, "--down", "--limit", "2")
    assert "showing the 2 most-downloaded of 6 descendants (raise --limit to see more)" in out


def test_lineage_closing_lines(run: Run) -> None:
    """What the answer says when there is nothing to draw, or one node: an external base (C08), a deleted one and
    its roots line (C17, C19, C22), a walk cut by `--relation` (C18), one descendant (C09, C16)."""
    _, out, _ = run("lineage", "ext/thing")
    assert "not in the store (a base that stored models declare): its own bases are unknown" in out
    _, out, _ = run("lineage", "gone/base")
    assert "deleted from the Hub (a full crawl no longer saw it)" in out
    _, out, _ = run("lineage", "gone/ft")
    assert _line(out, "roots:") == "roots: gone/base (origin unknown; deleted from the Hub); root country: unknown"
    assert "1 ancestor\n" in out
    _, out, _ = run("lineage", "m/merge", "--relation", "finetune")
    assert "no ancestor with --relation finetune" in out
    _, out, _ = run("lineage", "gone/base", "--down")
    assert "its downloads in the last 30 days: 3" in out and "1 descendant\n" in out


def test_lineage_down_cut_by_filters(run: Run) -> None:
    """`--depth 0` is a filter too (C12); "without it"/"without them" (C07); a model nothing is built on says so,
    filters or not (C06)."""
    _, out, _ = run("lineage", "d1/a", "--down", "--depth", "0")
    assert "no descendant with --depth 0 (2 models built on it directly; without it they are shown)" in out
    _, out, _ = run("lineage", "d1/a", "--down", "--depth", "0", "--relation", "merge")
    assert ("no descendant with --depth 0 and --relation merge (2 models built on it directly; without them they "
            "are shown)") in out
    _, out, _ = run("lineage", "d2/x", "--down", "--depth", "0")
    assert "no model in the store is built on it" in out and "no descendant" not in out


def test_lineage_options(run: Run) -> None:
    """`--relation` in any case (C13); options that do not go together exit 64 with one line (C15, C21); a
    `--since` no derivative reaches says so (C20)."""
    code, out, _ = run("--json", "lineage", "d1/a", "--relation", "FineTune")
    assert code == 0 and [n["id"] for n in json.loads(out)["nodes"]] == ["d1/a", LLAMA]
    code, _, err = run("lineage", "--by-root-country", "--limit", "5")
    assert code == 64 and "it takes no --limit" in err
    code, _, err = run("lineage", "--region")
    assert code == 64 and "--region goes with --by-root-country" in err
    code, out, _ = run("lineage", "--by-root-country", "--since", "2030-01-01")
    assert code == 0 and "no derivative in the store was created on or after 2030-01-01" in out


def test_model_text(run: Run) -> None:
    """`model`: a derivative's roots are not "itself" (M01); below a rootless cycle (M02), on one (M09); a root of
    unknown origin in a merge named (M03, M08, Q06); a deleted base (M06); the counters table with two snapshots
    (M04); every descendant (M05); a creation date the Hub gives as its placeholder (M07)."""
    _, out, _ = run("model", "d1/a")
    assert _line(out, "roots").split(None, 1)[1] == "meta-llama/Llama-3.1-8B (depth 1)"
    assert "counters by snapshot" in out
    assert _line(out, "all descendants").split(None, 2)[2] == "2, with 30 downloads in 30 d"
    _, out, _ = run("model", "cy/c")
    assert _line(out, "roots").split(None, 1)[1] == "none: it is built on a cycle that no outside root reaches"
    _, out, _ = run("model", "cy/a")
    assert _line(out, "lineage").split(None, 1)[1] == "on cycle #1 with no outside root"
    _, out, _ = run("model", "m/merge")
    assert _line(out, "root countries").split(None, 2)[2] == (
        "US, and unknown for ext/thing (counted as 'multiple' in shares by root country)")
    _, out, _ = run("model", "gone/ft")
    assert _line(out, "built on").split(None, 2)[2] == "gone/base (finetune, tag; deleted from the Hub)"
    _, out, _ = run("model", LLAMA)
    assert _line(out, "roots").split(None, 1)[1] == "itself (no declared base)"
    _, out, _ = run("model", "q/ft")
    assert _line(out, "created").split(None, 1)[1] == "unknown (Hub placeholder 2022-03-02T23:29:04.000Z)"


def test_unknown_ids_exit_66(run: Run) -> None:
    """An external base is named as one only by chosen edges (L03), in the singular for one model (L04); an id
    typed without its namespace is compared with the name part (L02)."""
    code, _, err = run("model", "ext/thing")
    assert code == 66 and ("model 'ext/thing' is not in the store: it is the external base of 1 stored model "
                           "(openscope lineage ext/thing --down)") in err
    code, _, err = run("model", "ext/card-only")
    assert code == 66 and "external base" not in err
    code, _, err = run("model", "llama-3.1-8b")
    assert code == 66 and "did you mean meta-llama/Llama-3.1-8B" in err


@pytest.fixture(scope="module")
def older(db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The store as a refresh before the external spellings were folded into one node wrote it (lineage's edge rules
    of the nineteenth session): ``edges`` keeps each child's spelling of the external base, `Ext/Thing` for m/merge
    and `ext/thing` for q/ft (an edge added here), and ``lineage_paths`` roots each at its own spelling. `lineage`
    reads such a store until the next refresh recomputes it."""
    import shutil

    path = tmp_path_factory.mktemp("m31old") / "old.duckdb"
    shutil.copyfile(db, path)
    with open_store(path) as s:
        s.con.execute("UPDATE edges SET parent = 'Ext/Thing' WHERE child = 'm/merge' AND parent = 'ext/thing'")
        s.con.execute("""UPDATE lineage_paths SET root = 'Ext/Thing', path = ['m/merge', 'Ext/Thing']
                         WHERE id = 'm/merge' AND root = 'ext/thing'""")
        s.con.execute("INSERT INTO edges VALUES ('q/ft', 'ext/thing', 'merge', 'tag', TRUE)")
        s.con.execute("INSERT INTO lineage_paths VALUES ('q/ft', 'ext/thing', 1, ['q/ft', 'ext/thing'])")
        # u/ft on both spellings: on `Ext/Thing` directly, on `ext/thing` through q/ft (depth 1 and 2)
        s.con.execute("""INSERT INTO edges VALUES ('u/ft', 'Ext/Thing', 'merge', 'tag', TRUE),
                                                  ('u/ft', 'q/ft', 'merge', 'tag', TRUE)""")
        s.con.execute("""INSERT INTO lineage_paths VALUES ('u/ft', 'Ext/Thing', 1, ['u/ft', 'Ext/Thing']),
                                                          ('u/ft', 'ext/thing', 2, ['u/ft', 'q/ft', 'ext/thing'])""")
        # bare ids under canonical-move namespaces (docs/lineage.md): `tiny-x` under two, `only-one` under one, in
        # two spellings
        s.con.execute("""INSERT INTO edges VALUES ('d1/b', 'openai-community/tiny-x', 'finetune', 'card', TRUE),
                                                  ('d1/c', 'google-bert/tiny-x', 'finetune', 'card', TRUE),
                                                  ('d2/x', 'google-t5/only-one', 'finetune', 'card', TRUE),
                                                  ('m/deep', 'Google-T5/Only-One', 'finetune', 'card', TRUE)""")
        s.con.execute("""INSERT INTO lineage_paths VALUES
                             ('d2/x', 'google-t5/only-one', 1, ['d2/x', 'google-t5/only-one']),
                             ('m/deep', 'Google-T5/Only-One', 1, ['m/deep', 'Google-T5/Only-One'])""")
    with open_store(path, read_only=True, create=False) as s:
        yield s


def test_an_external_base_in_two_spellings_is_one_node(older: Store) -> None:
    """`lineage ext/thing --down` is the spelling typed (Q02), with what hangs on either spelling, each child drawn
    under the node shown at its shortest depth (Q15, Q16), from the stored lineage or, with `--relation`, by the walk (Q10, Q11); `--depth 0`
    shows the node alone (Q14); the edge to the other spelling is shown under the node, as declared (Q26); what is
    built on it directly counts both (Q32)."""
    want = [("ext/thing", 0, None), ("q/ft", 1, "ext/thing"), ("m/merge", 1, "ext/thing"), ("u/ft", 1, "ext/thing")]
    kws: list[dict[str, Any]] = [{}, {"relation": "merge"}]
    for kw in kws:
        doc = tree(older, "ext/thing", direction="down", **kw)
        assert doc["id"] == "ext/thing" and doc["summary"]["total"] == 3
        assert [(n["id"], n["depth"], n["via"]) for n in doc["nodes"]] == want
        assert [(e["child"], e["parent"], e["declared_as"]) for e in doc["edges"] if e["child"] != "u/ft"] == [
            ("m/merge", "ext/thing", "Ext/Thing"), ("q/ft", "ext/thing", None)]
    assert _ids(tree(older, "ext/thing", direction="down", max_depth=0)) == ["ext/thing"]
    assert direct_children(older, "ext/thing") == 3


def test_a_bare_id_under_two_canonical_namespaces_is_no_moved_base(older: Store) -> None:
    """`model tiny-x`: two canonical-move namespaces hold a declared `tiny-x`, so the Hub's move is not known and the
    answer names neither (L06); under one namespace it is the moved base, and `lineage only-one --down` shows what
    is built on either of its spellings (Q04)."""
    from openscope.store.lookup import moved_external_base

    assert moved_external_base(older, "only-one") == ("Google-T5/Only-One", 2)
    assert moved_external_base(older, "tiny-x") is None
    doc = tree(older, "only-one", direction="down")
    assert doc["id"] == "Google-T5/Only-One" and sorted(_ids(doc)[1:]) == ["d2/x", "m/deep"]
