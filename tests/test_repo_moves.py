"""A repository renamed or transferred on the Hub keeps its lineage (docs/crawl.md, *Moved repositories*).

The simulated Hub moves a repository as the Hub does (the old id answers with a redirect to the new one, lists
show only the new id); a full crawl asks about the ids it no longer sees and records the moves (table ``moves``);
lineage resolves a declared parent that is a recorded old id to the id it moved to, along chains, never looping.
Every test crawls the real simulated Hub on loopback with the real ``openscope crawl``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from store_rows import rows as q

from bench.nx_full import networkx_full
from openscope.derive.lineage.edges import moved_sql
from openscope.simhub.testing import running_simhub
from openscope.store import open_store

FAST = ["--backoff", "0.01", "--retries", "8"]
BASE = "meta-llama/Llama-3.1-8B-Instruct"  # a flagship of the seed-21 ecosystem with derivatives


def _crawl(cli, db: Path, hub, *args: str) -> dict:
    r = cli("--db", db, "crawl", "--endpoint", hub.url, "--json", *FAST, *args)
    assert r.code == 0, r.stderr
    return r.json()


def _children(hub, base: str) -> list[str]:
    """Single-parent derivatives that declare ``base`` (the generator's ground truth)."""
    rows = hub.state.con.execute(
        "SELECT id FROM m WHERE parent = ? AND parent2 IS NULL AND NOT deleted ORDER BY id", [base]).fetchall()
    return [r[0] for r in rows]


def _roots(cli, db: Path, mid: str) -> tuple[list[str], list]:
    r = cli("--db", db, "model", mid, "--json")
    assert r.code == 0, r.stderr
    doc = r.json()
    return [r["id"] for r in doc["lineage"]["roots"]], doc["root_countries"]


def _nx_agrees(db: Path) -> None:
    res = networkx_full(db, cap_s=120)
    assert all(res["tables_equal"].values()), res["differing_rows"]


def test_simulated_hub_move_redirects_the_old_id_and_lists_only_the_new(tmp_path) -> None:
    with running_simhub(models=400, datasets=0, seed=21) as h:
        new = BASE + "-renamed"
        assert h.mutate(move={BASE: new})["moved"] == [[BASE, new]]
        ids = h.ids()
        assert new in ids and BASE not in ids
        with httpx.Client(base_url=h.url, trust_env=False) as c:
            r = c.get(f"/api/models/{BASE}", params={"expand": "author"})
            assert r.status_code == 307 and r.headers["location"] == f"/api/models/{new}?expand=author"
            r = c.get(f"/api/models/{BASE}", params={"expand": "author"}, follow_redirects=True)
            assert r.json()["id"] == new and r.json()["author"] == "meta-llama"
            assert c.get(f"/{BASE}/resolve/main/README.md").status_code == 307
            assert c.get(f"/{BASE}/resolve/main/README.md", follow_redirects=True).status_code == 200
            # a taken id and an unknown one are refused
            assert c.post("/_admin/mutate", json={"move": {new: "Qwen/Qwen3-8B"}}).status_code == 400
            assert c.post("/_admin/mutate", json={"move": {"nobody/none": "a/b"}}).status_code == 404
        from huggingface_hub import HfApi

        assert HfApi(endpoint=h.url, token=False).model_info(BASE).id == new  # the library follows it too


def test_moves_recorded_and_derivatives_keep_root_through_a_chain_and_a_move_back(tmp_path, cli) -> None:
    db = tmp_path / "s.duckdb"
    with running_simhub(models=400, datasets=0, seed=21) as h:
        kids = _children(h, BASE)
        assert len(kids) >= 3
        _crawl(cli, db, h)
        roots, countries = _roots(cli, db, kids[0])
        assert roots == [BASE] and countries == ["US"]  # a known country before the move

        # 1. renamed within its namespace: the derivatives keep their root (new id) and its country
        v2 = BASE + "-v2"
        h.mutate(move={BASE: v2})
        before = h.stats()["requests"]
        doc = _crawl(cli, db, h, "--full")
        assert doc["deleted"] == 1 and doc["snapshots"][0]["moved"] == 1
        # the question and the redirect's hop are counted: the crawl's calls are the Hub's requests
        assert doc["api_calls"] == h.stats()["requests"] - before
        assert q(db, "SELECT repo_type, old_id, new_id, snapshot_id FROM moves") == [
            ("model", BASE, v2, doc["snapshot_id"])]
        assert q(db, "SELECT deleted_at IS NOT NULL FROM models WHERE id = ?", [BASE]) == [(True,)]
        for k in kids:
            roots2, countries2 = _roots(cli, db, k)
            assert roots2 == [v2] and countries2 == countries
        # the evidence keeps what the records said: the tags and card still name the old id
        assert q(db, "SELECT count(*) FROM tags WHERE id = ? AND tag = ?", [kids[0], "base_model:" + BASE])[0][0] \
            + q(db, "SELECT count(*) FROM models WHERE id = ? AND contains(card_data::VARCHAR, ?)",
                [kids[0], BASE])[0][0] >= 1
        assert q(db, "SELECT count(*) FROM edges WHERE parent = ?", [BASE]) == [(0,)]
        edges = cli("--db", db, "lineage", kids[0], "--json").json()["edges"]
        assert edges and {(e["parent"], e["declared_as"]) for e in edges if e["child"] == kids[0]} == {(v2, BASE)}
        # `model OLD` and `lineage OLD` name the move
        for cmd in ("model", "lineage"):
            r = cli("--db", db, cmd, BASE)
            assert r.code == 66 and f"moved to {v2} on the Hub" in r.stderr and "Traceback" not in r.stderr
        _nx_agrees(db)

        # 2. a chain: moved again, to another namespace; derivatives declaring the first id follow to the last
        v3 = "llama-archive/Llama-3.1-8B-Instruct"
        h.mutate(move={v2: v3})
        _crawl(cli, db, h, "--full")
        assert [r[1] for r in q(db, "SELECT old_id, new_id FROM moves ORDER BY snapshot_id")] == [v2, v3]
        assert _roots(cli, db, kids[1])[0] == [v3]
        r = cli("--db", db, "model", BASE)
        assert r.code == 66 and f"moved to {v3} on the Hub" in r.stderr
        _nx_agrees(db)

        # 3. moved back to the old id: the chain BASE → v2 → v3 → BASE is a cycle; the live id answers for itself
        h.mutate(move={v3: BASE})
        _crawl(cli, db, h, "--full")
        assert q(db, "SELECT count(*) FROM moves") == [(3,)]
        assert q(db, "SELECT deleted_at IS NULL FROM models WHERE id = ?", [BASE]) == [(True,)]
        for k in kids:
            roots4, countries4 = _roots(cli, db, k)
            assert roots4 == [BASE] and countries4 == countries
        assert cli("--db", db, "model", BASE, "--json").code == 0
        r = cli("--db", db, "model", v2)  # an intermediate old id resolves along the chain to the live one
        assert r.code == 66 and f"moved to {BASE} on the Hub" in r.stderr
        _nx_agrees(db)


def test_chain_resolution_stops_at_a_cycle_and_takes_the_latest_answer(tmp_path) -> None:
    with open_store(tmp_path / "s.duckdb") as store:
        store.con.execute(
            """INSERT INTO moves VALUES ('model', 'a/x', 'b/x', 1, now()), ('model', 'b/x', 'c/x', 2, now()),
                                        ('model', 'p/q', 'r/q', 1, now()), ('model', 'r/q', 'P/Q', 2, now()),
                                        ('model', 'o/l', 'o/first', 1, now()), ('model', 'O/L', 'o/second', 3, now())""")

        def resolve(parent: str) -> list[tuple]:
            return store.con.execute(f"SELECT * FROM ({moved_sql('SELECT ?::VARCHAR AS parent')})",
                                     [parent]).fetchall()

        assert resolve("a/x") == [("a/x", "c/x")] and resolve("A/X") == [("A/X", "c/x")]
        assert resolve("b/x") == [("b/x", "c/x")]
        # neither end of the cycle lives in the store: it ends before repeating an id
        assert resolve("p/q") == [("p/q", "r/q")]
        assert resolve("o/l") == [("o/l", "o/second")]  # the Hub's latest answer about an old id
        assert resolve("c/x") == []  # not an old id


def _popen_crawl(db: Path, hub, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "openscope.cli", "--db", str(db), "crawl", "--endpoint", hub.url, "--quiet",
         "--no-derive", *FAST, *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
    )


def test_a_crawl_killed_while_asking_leaves_no_half_recorded_move(tmp_path, cli) -> None:
    db = tmp_path / "s.duckdb"
    with running_simhub(models=300, datasets=0, seed=21) as h:
        _crawl(cli, db, h, "--no-derive")
        new = "someone-else/Llama-3.1-8B-Instruct"
        h.mutate(move={BASE: new}, delete=1)
        h.set_faults(hold_repo_info=True)
        p = _popen_crawl(db, h, "--full")
        try:
            t0 = time.monotonic()
            while h.stats()["info_held"] < 1:
                assert time.monotonic() - t0 < 60 and p.poll() is None
                time.sleep(0.02)
            p.send_signal(signal.SIGKILL)
            p.wait(10)
        finally:
            if p.poll() is None:
                p.kill()
        h.set_faults(hold_repo_info=False)
        h.release()
        assert q(db, "SELECT count(*) FROM moves") == [(0,)]
        assert q(db, "SELECT count(*) FROM models WHERE deleted_at IS NOT NULL") == [(0,)]
        sid, status = q(db, "SELECT snapshot_id, status FROM snapshots ORDER BY snapshot_id DESC LIMIT 1")[0]
        assert status == "running"
        doc = _crawl(cli, db, h, "--full", "--no-derive")  # resumes: asks again, records once
        assert doc["snapshot_id"] == sid and doc["deleted"] == 2 and doc["snapshots"][0]["moved"] == 1
        assert q(db, "SELECT old_id, new_id, snapshot_id FROM moves") == [(BASE, new, sid)]


def test_the_questions_are_bounded_and_parents_are_asked_first(tmp_path, cli) -> None:
    """``move_checks`` bounds the questions per crawl; the ids stored models declare as a parent come first, so
    with a bound of 1 the moved base is found among six gone ids, and the other five are stamped deleted unasked."""
    from openscope.jobs.crawl import CrawlOptions, crawl, make_client

    db = tmp_path / "s.duckdb"
    with running_simhub(models=400, datasets=0, seed=21) as h:
        _crawl(cli, db, h)  # derives lineage: the edges name BASE as a parent
        # five ids sorting before BASE that no model declares: by id alone they would be asked first
        leaves = [r[0] for r in h.state.con.execute(
            """SELECT id FROM m WHERE NOT deleted AND id < ? AND id NOT IN (
                   SELECT p FROM (SELECT unnest([parent, parent2, parent3]) AS p FROM m) WHERE p IS NOT NULL)
               ORDER BY id LIMIT 5""", [BASE]).fetchall()]
        assert len(leaves) == 5
        h.mutate(move={BASE: BASE + "-v2"}, delete=leaves)
        before = h.stats()["requests"]
        with open_store(db) as store, make_client(h.url, backoff=0.01) as client:
            res = crawl(store, client, CrawlOptions(endpoint=h.url, kind="full", move_checks=1))
        assert res.deleted == 1 + len(leaves) and res.moved == 1
        # one list page per 1,000, the watermark's call, and one question plus its redirect's hop
        assert res.api_calls == h.stats()["requests"] - before == 1 + 1 + 2
        assert q(db, "SELECT old_id, new_id FROM moves") == [(BASE, BASE + "-v2")]


def test_move_checks_option_bounds_the_questions_from_the_command_line(tmp_path, cli) -> None:
    """``crawl --move-checks 0`` asks nothing: the moved base is stamped deleted and no move is recorded (the next
    full crawl asks it); the
    summary's top-level ``moved`` and the text table's ``moved`` row say how many were found; a negative value
    is a usage error."""
    db = tmp_path / "s.duckdb"
    with running_simhub(models=400, datasets=0, seed=21) as h:
        _crawl(cli, db, h)
        bad = cli("--db", db, "crawl", "--endpoint", h.url, "--full", "--move-checks", "-1")
        assert bad.code == 64 and "--move-checks" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
        h.mutate(move={BASE: BASE + "-v2"})
        doc = _crawl(cli, db, h, "--full", "--move-checks", "0")
        assert doc["moved"] == 0 and doc["deleted"] == 1
        assert q(db, "SELECT count(*) FROM moves") == [(0,)]
        h.mutate(move={BASE + "-v2": BASE + "-v3"})
        text = cli("--db", db, "crawl", "--endpoint", h.url, "--full", "--no-derive")
        assert text.code == 0
        row = [ln.split() for ln in text.stdout.splitlines() if ln.split()[:1] == ["moved"]]
        # the base stamped deleted unasked is asked now too (table move_checks): both old ids lead to v3
        assert row == [["moved", "2"]]
        assert sorted(q(db, "SELECT old_id, new_id FROM moves")) == [(BASE, BASE + "-v3"), (BASE + "-v2", BASE + "-v3")]
