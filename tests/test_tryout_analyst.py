"""The policy analyst's questions, asked again of a simulated Hub that lost models between crawls.

The eighteenth session's tryout (docs/reviews.md, "Analyst tryout") asked every analyst question of the demo's
store, of a simulated Hub crawled several times (new models, a counters sweep, deletions, a model moved to
another namespace) and of the real Hub responses, and checked each answer against a brute force over the raw
tables. What it found wrong is tested here, on one store built as the tryout built it: a simulated Hub of 3,000
models (seed 11) crawled, then `quiet-otter/BAR-2x7B-Code-SFT-hi-orpo` (the base of 10 models) moved to
`moved-org/…-v2` (the Hub's API lists no renames: a crawl sees a deletion and a new model) and
`ai21labs/AI21-Jamba-Mini-1.7-FP8` deleted, then a `--full` crawl that marks both gone. Each test fails on the
code before the fix:

- `model` of a deleted model said it "is not in the store", though its records and counters are kept;
- `lineage` of a deleted model said "no declared base: it is a root itself", its node claimed `in_store`, and the
  roots line of what is built on it did not say why a finetune of a U.S. base now had a root of unknown origin
  (since the thirty-fourth session a deleted model's bases are read as last read: the chain goes on to the U.S.
  base, and only a deleted model that declared no base is a root);
- `sql "SELECT a; SELECT b"` printed b's rows alone, dropping a's without a word.
"""

from __future__ import annotations

import json
import re
import shlex
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[1]
MOVED = "quiet-otter/BAR-2x7B-Code-SFT-hi-orpo"
NEW_ID = "moved-org/BAR-2x7B-Code-SFT-hi-orpo-v2"
GONE = "ai21labs/AI21-Jamba-Mini-1.7-FP8"
CHILD = "eager-falcon/BAR-2x7B-Code-SFT-GGUF"  # a quantization of the moved model, which still declares the old id
BASE = "allenai/BAR-2x7B-Code-SFT"  # what the moved model is a finetune of
GONE_DATASET = "bright-tiger1/ko-corpus-94"


def _move(hub, old: str, new: str) -> None:
    """A rename on the simulated Hub: the repository answers under its new id only (lastModified = now)."""
    state = hub.state
    with state._lock:
        state.con.execute(
            "UPDATE m SET id = ?, lid = lower(?), author = ?, lauthor = lower(?), modified_ms = ? WHERE id = ?",
            [new, new, new.split("/")[0], new.split("/")[0], state._tick(), old])
        state._rebuild([new])


@pytest.fixture(scope="module")
def moved_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from openscope.cli import main
    from openscope.simhub.testing import running_simhub

    db = tmp_path_factory.mktemp("moved") / "moved.duckdb"
    fast = ["--quiet", "--backoff", "0.01"]
    with running_simhub(models=3000, datasets=300, seed=11) as hub:
        assert main(["--db", str(db), "crawl", "--endpoint", hub.url, "--datasets", *fast]) == 0
        hub.mutate(counters=300)
        assert main(["--db", str(db), "crawl", "--endpoint", hub.url, "--counters", "--datasets", *fast]) == 0
        _move(hub, MOVED, NEW_ID)
        hub.mutate(delete=[GONE], add=5)
        with hub.state._lock:  # a dataset gone too (the admin route deletes models only)
            hub.state.con.execute("UPDATE d SET deleted = true WHERE id = ?", [GONE_DATASET])
        assert main(["--db", str(db), "crawl", "--endpoint", hub.url, "--full", "--datasets", *fast]) == 0
    return db


@pytest.fixture(autouse=True)
def _eighty_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")


def _raw(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _children(db: Path, parent: str) -> set[str]:
    return {r[0] for r in _raw(db, "SELECT child FROM edges WHERE chosen AND parent = ?", [parent])}


def test_the_store_is_what_the_tryout_saw(moved_db: Path) -> None:
    gone = dict(_raw(moved_db, "SELECT id, deleted_at FROM models WHERE deleted_at IS NOT NULL"))
    assert set(gone) == {MOVED, GONE}
    assert _raw(moved_db, "SELECT deleted_at FROM models WHERE id = ?", [NEW_ID]) == [(None,)]
    assert CHILD in _children(moved_db, MOVED) and len(_children(moved_db, MOVED)) == 8


# ---------------------------------------------------------------------------------------------------------
# A deleted model: `model`, `lineage`, and the roots of what is built on it


def test_model_of_a_deleted_model_says_it_was_deleted_and_where_its_history_is(cli, moved_db: Path) -> None:
    res = cli("--db", moved_db, "model", MOVED.upper())  # found case-insensitively, as a live id is
    assert res.code == 66 and res.stdout == "" and len(res.stderr.strip().splitlines()) == 1
    err = res.stderr.strip()
    assert f"model '{MOVED}' was deleted from the Hub" in err and "not in the store" not in err
    n = len(_children(moved_db, MOVED))
    assert f"; {n} stored models declare it as their base (openscope lineage {MOVED} --down)" in err
    # the command it names runs and gives the history the raw table holds
    query = re.search(r'openscope sql "(.*?)"', err).group(1)  # type: ignore[union-attr]
    rows = cli("--db", moved_db, "--json", "sql", query).json()["rows"]
    assert sorted((r["snapshot_id"], r["downloads_30d"]) for r in rows) == sorted(
        _raw(moved_db, "SELECT snapshot_id, downloads_30d FROM model_stats WHERE id = ?", [MOVED]))
    assert rows  # read before it went
    leaf = cli("--db", moved_db, "model", GONE)  # a deleted model nothing is built on... here six are
    assert leaf.code == 66 and "was deleted from the Hub" in leaf.stderr


def test_license_of_a_deleted_model_says_it_was_deleted_as_model_does(cli, moved_db: Path) -> None:
    # `license` said "unknown licence or model … did you mean …" of a model a full crawl found gone
    for rid in (MOVED, GONE.upper()):
        res = cli("--db", moved_db, "license", rid)
        model = cli("--db", moved_db, "model", rid)
        assert res.code == 66 and res.stdout == "" and len(res.stderr.strip().splitlines()) == 1
        assert "was deleted from the Hub" in res.stderr and "did you mean" not in res.stderr
        assert res.stderr == model.stderr  # one answer for one fact


def test_lineage_of_a_deleted_model_does_not_call_it_a_root_by_declaration(cli, moved_db: Path) -> None:
    doc = cli("--db", moved_db, "--json", "lineage", MOVED).json()
    node = doc["nodes"][0]
    assert node["in_store"] is False and doc["summary"]["in_store"] is False  # they disagreed before
    assert node["deleted_at"] is not None and node["created_at"] is not None
    text = " ".join(cli("--db", moved_db, "lineage", MOVED).stdout.split())
    assert "no declared base" not in text and "a root itself" not in text and "deleted from the Hub" in text
    # its own base as last read (thirty-fourth session): the chain goes on to it
    assert doc["summary"]["roots"] == [BASE] and [n["id"] for n in doc["nodes"]] == [MOVED, BASE]
    assert f"roots: {BASE} (US); root country: US" in text
    # one that declared no base when last read is a root, and says why
    text = " ".join(cli("--db", moved_db, "lineage", GONE).stdout.split())
    assert "it declared no base when it was last read, so it is a root itself" in text
    live = cli("--db", moved_db, "--json", "lineage", NEW_ID).json()
    assert live["nodes"][0]["in_store"] is True and live["nodes"][0]["deleted_at"] is None


def test_what_is_built_on_a_deleted_model_names_it_in_its_roots(cli, moved_db: Path) -> None:
    out = cli("--db", moved_db, "lineage", CHILD).stdout
    flat = " ".join(out.split())
    # built on the deleted model, and through it on the base it was built on (thirty-fourth session; its root was the
    # deleted model, of unknown origin, before)
    assert f"roots: {BASE} (US); root country: US" in flat
    assert f"{MOVED} · quantized of" in flat and "deleted from the Hub" in flat and "last read" in flat
    assert all(len(line) <= 80 for line in out.splitlines())
    # a deleted root whose publisher is known keeps its country (AI21 Labs: IL), and says it is gone
    kid = sorted(_children(moved_db, GONE))[0]
    flat = " ".join(cli("--db", moved_db, "lineage", kid).stdout.split())
    assert f"roots: {GONE} (IL; deleted from the Hub); root country: IL" in flat
    down = cli("--db", moved_db, "--json", "lineage", GONE, "--down").json()
    assert {n["id"] for n in down["nodes"][1:]} == _children(moved_db, GONE)


def test_model_of_a_derivative_names_its_deleted_parent_and_root(cli, moved_db: Path) -> None:
    doc = cli("--db", moved_db, "--json", "model", CHILD).json()
    assert doc["lineage"]["parents"] == [{"id": MOVED, "relation": "quantized", "evidence": "tag", "deleted": True}]
    assert [(r["id"], r["deleted"], r["depth"]) for r in doc["lineage"]["roots"]] == [(BASE, False, 2)]
    assert doc["root_country"] == "US"
    live = cli("--db", moved_db, "--json", "model", NEW_ID).json()["lineage"]
    assert live["parents"] and not any(p["deleted"] for p in live["parents"])
    assert not any(r["deleted"] for r in live["roots"])
    out = cli("--db", moved_db, "model", CHILD).stdout
    flat = " ".join(out.split())
    assert f"built on {MOVED} (quantized, tag; deleted from the Hub)" in flat
    assert f"roots {BASE} (depth 2)" in flat
    assert all(len(line) <= 80 for line in out.splitlines())


def test_deleted_roots_recipe_equals_a_brute_force(cli, moved_db: Path) -> None:
    """docs/lineage.md: the live derivatives whose root is a model deleted from the Hub."""
    text = (ROOT / "docs" / "lineage.md").read_text()
    cmd = re.search(r'\$ (openscope --db moved\.duckdb sql "SELECT l\.root AS deleted_root.*?")\n', text, re.S)
    assert cmd is not None
    args = shlex.split(cmd.group(1))
    rows = cli("--db", moved_db, "--json", *args[3:]).json()["rows"]
    parents: dict[str, set[str]] = defaultdict(set)
    for c, p in _raw(moved_db, "SELECT child, parent FROM edges WHERE chosen"):
        parents[c].add(p)

    def roots(m: str, seen: frozenset[str] = frozenset()) -> set[str]:
        if m in seen:
            return set()
        return {m} if not parents.get(m) else set().union(*(roots(p, seen | {m}) for p in parents[m]))

    gone = {r[0] for r in _raw(moved_db, "SELECT id FROM models WHERE deleted_at IS NOT NULL")}
    live = {r[0] for r in _raw(moved_db, "SELECT id FROM models WHERE deleted_at IS NULL")}
    want: dict[str, int] = defaultdict(int)
    for m in live:
        if parents.get(m):
            for r in roots(m) & gone:
                want[r] += 1
    assert {r["deleted_root"]: r["derivatives"] for r in rows} == dict(want)
    assert MOVED not in want and want[GONE] == 6  # the moved model is built on BASE: no root of its derivatives
    # every deleted ancestor at any depth (docs/lineage.md, the second recipe): the moved model's 10 too
    cmd2 = re.search(r'\$ (openscope --db moved\.duckdb sql "SELECT f\.base AS deleted_base.*?")\n', text, re.S)
    assert cmd2 is not None
    rows2 = cli("--db", moved_db, "--json", *shlex.split(cmd2.group(1))[3:]).json()["rows"]

    def ancestors(m: str, seen: frozenset[str] = frozenset()) -> set[str]:
        if m in seen:
            return set()
        return set().union(*({p} | ancestors(p, seen | {m}) for p in parents.get(m, ())))

    want2: dict[str, int] = defaultdict(int)
    for m in live:
        for a in ancestors(m) & gone:
            want2[a] += 1
    assert {r["deleted_base"]: r["derivatives"] for r in rows2} == dict(want2)
    assert want2[MOVED] == 10 and want2[GONE] == 6  # 8 direct, 2 at depth 2
    block2 = text[cmd2.end():]
    printed2 = cli("--db", moved_db, *shlex.split(cmd2.group(1))[3:]).stdout.strip()
    assert re.sub(r"\d{4}-\d\d-\d\d", "DATE", printed2) == re.sub(r"\d{4}-\d\d-\d\d", "DATE",
                                                                   block2[:block2.index("```")].strip())
    # the table the docs print (the deletion's date is the crawl's)
    block = text[cmd.end():]
    shown = block[:block.index("```")].strip()
    printed = cli("--db", moved_db, *args[3:]).stdout.strip()
    assert re.sub(r"\d{4}-\d\d-\d\d", "DATE", printed) == re.sub(r"\d{4}-\d\d-\d\d", "DATE", shown)


def test_the_docs_example_prints_what_the_store_gives(cli, moved_db: Path) -> None:
    """docs/lineage.md, *Models deleted from the Hub*: the lines shown under each command are among the lines it
    prints (the deletion's date is the crawl's)."""
    text = (ROOT / "docs" / "lineage.md").read_text()
    block = text[text.index("$ openscope --db moved.duckdb lineage"):]
    block = block[:block.index("```")]
    commands = re.split(r"^\$ openscope --db moved\.duckdb ", block, flags=re.M)[1:]
    assert len(commands) == 3
    for part in commands:
        head, *shown = part.splitlines()
        args = shlex.split(head.split("#")[0])
        res = cli("--db", moved_db, *args)
        out = res.stdout if res.code == 0 else res.stderr
        got = re.sub(r"(deleted from the Hub|on) \d{4}-\d\d-\d\d", r"\1 2026-11-30", out)
        lines = [line.rstrip() for line in got.splitlines()]
        for want in shown:
            if not want.startswith(" …"):
                assert want.rstrip() in lines, (args, want, lines)


# ---------------------------------------------------------------------------------------------------------
# Over time: what the shares of the latest snapshot count, after a deletion


def test_by_root_country_counts_live_derivatives_and_a_deleted_root_keeps_a_known_country(
        cli, moved_db: Path) -> None:
    doc = cli("--db", moved_db, "--json", "lineage", "--by-root-country").json()
    n_live = _raw(moved_db, """SELECT count(DISTINCT child) FROM edges e JOIN models m ON m.id = e.child
                               WHERE e.chosen AND m.deleted_at IS NULL""")[0][0]
    assert doc["total"] == n_live == sum(r["derivatives"] for r in doc["rows"])
    assert abs(sum(r["share"] for r in doc["rows"]) - 1) < 1e-9
    assert abs(sum(r["download_share"] for r in doc["rows"]) - 1) < 1e-9
    assert "IL" in {r["country"] for r in doc["rows"]}  # the deleted Jamba's derivatives, among others


# ---------------------------------------------------------------------------------------------------------
# One dataset's adoption (docs/store.md, recipe dataset-one)


def test_one_datasets_adoption_recipe_equals_a_brute_force(cli, moved_db: Path) -> None:
    text = (ROOT / "docs" / "store.md").read_text()
    body = text[text.index("<!-- recipe: dataset-one -->"):]
    cmd = shlex.split(body[body.index("$ ") + 2:body.index("\n┏")])
    query = cmd[cmd.index("sql") + 1]
    # the most declared dataset of this store, in place of the worked example's allenai/dolma
    ds = _raw(moved_db, """SELECT substr(tag, 9) FROM tags WHERE repo_type = 'model' AND tag LIKE 'dataset:%'
                           GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1""")[0][0]
    rows = cli("--db", moved_db, "--json", "sql", query.replace("allenai/dolma", ds)).json()["rows"]
    snaps = [s for (s,) in _raw(moved_db, """SELECT snapshot_id FROM snapshots WHERE repo_type = 'dataset'
                                            AND status = 'complete' ORDER BY 1""")]
    reads = _raw(moved_db, "SELECT snapshot_id, downloads_30d, likes FROM dataset_stats WHERE id = ?", [ds])
    models = _raw(moved_db, """SELECT t.id, m.first_snapshot_id FROM tags t JOIN models m ON m.id = t.id
                               WHERE t.tag = ? AND t.repo_type = 'model' AND m.deleted_at IS NULL""",
                  ["dataset:" + ds])
    want = []
    for s in snaps:
        last = max((r for r in reads if r[0] <= s), default=None)
        want.append((s, last and last[1], last and last[2], sum(1 for _, first in models if first <= s)))
    assert [(r["snapshot"], r["downloads"], r["likes"], r["models"]) for r in rows] == want
    assert want[-1][3] > 0 and len(snaps) >= 2


def test_dataset_adoption_counts_a_deleted_dataset_until_the_crawl_that_found_it_gone(cli, moved_db: Path) -> None:
    """docs/store.md, recipe dataset-adoption: a dataset a full crawl found gone is in the snapshots before that
    crawl and not from it on (the tryout's brute force first left it out of every snapshot: the docs were right)."""
    text = (ROOT / "docs" / "store.md").read_text()
    body = text[text.index("<!-- recipe: dataset-adoption -->"):]
    cmd = shlex.split(body[body.index("$ ") + 2:body.index("\n┏")])
    rows = cli("--db", moved_db, "--json", "sql", cmd[cmd.index("sql") + 1], "--limit", "0").json()["rows"]
    snaps = _raw(moved_db, """SELECT snapshot_id, finished_at FROM snapshots WHERE repo_type = 'dataset'
                              AND status = 'complete' ORDER BY 1""")
    info = _raw(moved_db, "SELECT id, first_snapshot_id, deleted_at FROM datasets")
    reads = _raw(moved_db, "SELECT snapshot_id, id, downloads_30d FROM dataset_stats")
    gone_at = {d: min(s for s, fin in snaps if fin >= at) for d, _, at in info if at is not None}
    assert set(gone_at) == {GONE_DATASET}
    for s, _ in snaps:
        alive = {d for d, first, _ in info if first <= s and (d not in gone_at or s < gone_at[d])}
        latest: dict[str, tuple[int, int | None]] = {}
        for sn, d, dl in reads:
            if d in alive and sn <= s and (d not in latest or sn > latest[d][0]):
                latest[d] = (sn, dl)
        got = [r for r in rows if r["snapshot"] == s]
        assert sum(r["datasets"] for r in got) == len(alive), s
        assert sum(r["downloads"] or 0 for r in got) == sum(dl or 0 for _, dl in latest.values()), s
    first, last = snaps[0][0], snaps[-1][0]
    assert sum(r["datasets"] for r in rows if r["snapshot"] == first) == \
        sum(r["datasets"] for r in rows if r["snapshot"] == last) + 1


def test_status_counts_deleted_datasets_and_synthetic_models_among_the_live(cli, moved_db: Path) -> None:
    """`status` said `deleted models 2` and nothing of the deleted dataset, and `synthetic models` counted the
    deleted models too (more synthetic models than models)."""
    doc = cli("--db", moved_db, "--json", "status").json()
    count = lambda sql: _raw(moved_db, sql)[0][0]  # noqa: E731
    assert doc["deleted_datasets"] == count("SELECT count(*) FROM datasets WHERE deleted_at IS NOT NULL") == 1
    assert doc["deleted_models"] == count("SELECT count(*) FROM models WHERE deleted_at IS NOT NULL") == 2
    assert doc["synthetic_models"] == doc["models"] == count("SELECT count(*) FROM models WHERE deleted_at IS NULL")
    out = cli("--db", moved_db, "status").stdout
    flat = " ".join(out.split())
    assert "deleted datasets 1 (gone from the Hub; history kept)" in flat
    assert f"synthetic models {doc['models']:,} (from a simulated Hub)" in flat
    gone = cli("--db", moved_db, "license", "--dataset", GONE_DATASET)  # a dataset id answers the same way
    assert gone.code == 66 and f"dataset '{GONE_DATASET}' was deleted from the Hub" in gone.stderr
    assert f"SELECT * FROM dataset_stats WHERE id = '{GONE_DATASET}'" in gone.stderr
    assert all(len(line) <= 80 for line in out.splitlines())


# ---------------------------------------------------------------------------------------------------------
# sql: one statement per call


def test_sql_refuses_more_than_one_statement(cli, moved_db: Path) -> None:
    for query in ("SELECT 1 AS a; SELECT 2 AS b", "SELECT 1;\nFROM models LIMIT 1"):
        for extra in ([], ["--json"]):
            res = cli("--db", moved_db, *extra, "sql", query)
            assert res.code == 65 and res.stdout == "", (query, res.stdout)
            assert res.stderr.strip().splitlines() == [
                "openscope: error: query failed: sql runs one statement at a time; the query has 2 "
                "(run each with its own `openscope sql`)"]
    # a write among them is refused as a write, first
    res = cli("--db", moved_db, "sql", "SELECT 1; DROP TABLE models")
    assert res.code == 65 and "DROP statement is refused" in res.stderr
    ok = cli("--db", moved_db, "--json", "sql", "SELECT 1 AS a;")  # one statement with its semicolon
    assert ok.code == 0 and ok.json() == {"columns": ["a"], "rows": [{"a": 1}]}
    pivot = cli("--db", moved_db, "--json", "sql", "PIVOT (SELECT 'x' AS k, 1 AS v) ON k USING sum(v)")
    assert pivot.code == 0 and json.loads(pivot.stdout)["rows"] == [{"x": 1}]


def test_a_query_that_starts_with_a_comment_runs_after_the_double_dash(cli, moved_db: Path) -> None:
    """docs/store.md: a pasted recipe with a leading `-- …` comment is read as an option unless `--` precedes it."""
    query = "-- the live models\nSELECT count(*) AS n FROM models WHERE deleted_at IS NULL"
    res = cli("--db", moved_db, "--json", "sql", "--", query)
    assert res.code == 0, res.stderr
    assert res.json()["rows"] == [{"n": _raw(moved_db, "SELECT count(*) FROM models WHERE deleted_at IS NULL")[0][0]}]
    bare = cli("--db", moved_db, "sql", query)
    assert bare.code == 64 and "No such option" in bare.stderr and len(bare.stderr.strip().splitlines()) == 1
