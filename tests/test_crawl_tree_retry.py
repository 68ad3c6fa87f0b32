"""`crawl --cards` and a repository whose README is readable but whose file tree is not (migration 0014).

Before, such a card kept ``license_files_at`` NULL and was a candidate again at every run: its README and its tree
were asked for on every crawl, for an answer that would not change. Now the card records why (``read_failure``),
how many runs in a row failed at this commit (``read_failures``) and when to ask again (``retry_at``): a refusal
waits for a new commit or 30 days; a transient failure is asked again at the next runs, three in a row at most.

Every test runs the real ``openscope`` commands in-process against the real simulated Hub on loopback, behind a
forwarding server (``licence_hub.forwarding``) that refuses chosen trees and counts every request it is sent.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from licence_hub import Answer, forwarding
from store_rows import rows as q

from openscope.jobs.crawl import MAX_TRANSIENT_RETRIES, RETRY_DAYS
from openscope.simhub.testing import running_simhub
from openscope.store import SCHEMA_VERSION, open_store

FAST = ["--backoff", "0.01", "--retries", "1"]
FLAKY_CALLS = 3   # its README, and its tree asked twice (--retries 1) before the failure counts


@pytest.fixture(scope="module")
def hub() -> Iterator:
    with running_simhub(models=150, datasets=0, seed=5) as h:
        yield h


class Faulty:
    """What the forwarding server refuses (``trees``: id → answer to its tree route) and every path it was asked."""

    def __init__(self) -> None:
        self.trees: dict[str, Answer] = {}
        self.asked: list[str] = []

    def __call__(self, path: str) -> Answer | None:
        self.asked.append(path)
        for mid, answer in self.trees.items():
            if path.startswith(f"/api/models/{mid}/tree/"):
                return answer
        return None

    def about(self, mid: str) -> int:
        """Requests for this repository's README, tree or files since the last call."""
        n = sum(1 for p in self.asked if p.startswith((f"/{mid}/", f"/api/models/{mid}/")))
        return n

    def reset(self) -> None:
        self.asked.clear()


def _cards(cli, db: Path, url: str) -> dict:
    r = cli("--db", db, "--json", "crawl", "--endpoint", url, "--cards", "--top", "3", "--no-derive", *FAST)
    assert r.code == 0, r.stderr
    return r.json()


def _card(db: Path, mid: str) -> tuple:
    return q(db, """SELECT read_failures, read_failure, retry_at IS NOT NULL, license_files_at IS NOT NULL, sha
                    FROM cards WHERE id = ?""", [mid])[0]


@pytest.fixture
def listed(hub, tmp_path, cli) -> tuple[Path, list[str]]:
    """A store with the Hub's listing (no cards yet) and the three most downloaded models."""
    db = tmp_path / "s.duckdb"
    assert cli("--db", db, "--json", "crawl", "--endpoint", hub.url, "--no-derive").code == 0
    top = [r[0] for r in q(db, """SELECT m.id FROM models m JOIN model_stats s USING (id)
                                  ORDER BY s.downloads_30d DESC NULLS LAST, m.id LIMIT 3""")]
    return db, top


def test_a_refused_tree_is_asked_again_only_when_the_commit_changes(hub, listed, cli) -> None:
    db, (refused, flaky, foreign) = listed
    faults = Faulty()
    faults.trees = {
        refused: (403, {"X-Error-Code": "GatedRepo"}, b'{"error":"Access to this tree is restricted"}'),
        flaky: (500, {}, b"boom"),
        # a tree whose next page is on another host: not the Hub's answer; refused for this repository alone
        # (before: exit 65 for the whole pass)
        foreign: (200, {"Content-Type": "application/json", "Link": '<http://127.0.0.1:1/x>; rel="next"'}, b"[]"),
    }
    with forwarding(hub.url, faults) as url:
        doc = _cards(cli, db, url)
        c = doc["cards"]
        assert (c["candidates"], c["fetched"], c["trees"], c["trees_failed"]) == (3, 3, 0, 3)
        assert (c["retry_later"], c["deferred"]) == (2, 0)   # the 403 and the foreign page wait; the 500 does not
        assert len(faults.asked) == doc["api_calls"]
        n, why, later, done, _ = _card(db, refused)
        assert (n, why, later, done) == (1, "file tree: HTTP 403 (GatedRepo)", True, False)
        n, why, later, done, _ = _card(db, flaky)
        assert (n, later, done) == (1, False, False) and why.startswith("file tree: ") and "HTTP 500" in why
        n, why, later, done, _ = _card(db, foreign)
        assert (n, later, done) == (1, True, False) and "127.0.0.1:1" in why
        assert q(db, """SELECT min(retry_at - fetched_at) >= to_days(?) - INTERVAL 1 MINUTE FROM cards
                        WHERE retry_at IS NOT NULL""", [RETRY_DAYS]) == [(True,)]

        # the next run: the refused trees' repositories cost nothing; the 500 is asked again
        faults.reset()
        doc = _cards(cli, db, url)
        assert faults.about(refused) == faults.about(foreign) == 0 and faults.about(flaky) == FLAKY_CALLS
        assert doc["cards"]["deferred"] == 2 and len(faults.asked) == doc["api_calls"]
        # a transient failure is asked again MAX_TRANSIENT_RETRIES runs in a row, then waits like a refusal
        for run in range(3, MAX_TRANSIENT_RETRIES + 2):
            faults.reset()
            doc = _cards(cli, db, url)
            assert faults.about(flaky) == (FLAKY_CALLS if run <= MAX_TRANSIENT_RETRIES else 0), run
        assert _card(db, flaky)[:3] == (MAX_TRANSIENT_RETRIES, _card(db, flaky)[1], True)
        assert doc["cards"]["deferred"] == 3

        # a new commit: the refused repository is asked again at once (its count starts again at that commit)
        old_sha = _card(db, refused)[4]
        hub.mutate(edit=[refused])
        faults.reset()
        doc = _cards(cli, db, url)
        assert faults.about(refused) == 2 and doc["cards"]["trees_failed"] >= 1
        n, _, later, _, sha = _card(db, refused)
        assert (n, later) == (1, True) and sha != old_sha

    # the Hub answers again and the wait is over: read whole, and the failure is forgotten
    con = duckdb.connect(str(db))
    con.execute("UPDATE cards SET retry_at = now()::TIMESTAMP - INTERVAL 1 DAY WHERE id = ?", [flaky])
    con.close()
    with forwarding(hub.url, Faulty()) as url:
        doc = _cards(cli, db, url)
    assert doc["cards"]["trees_failed"] == 0 and doc["cards"]["deferred"] == 2
    assert _card(db, flaky)[:4] == (0, None, False, True)
    assert q(db, "SELECT count(*) FROM files WHERE id = ?", [flaky])[0][0] > 0


def test_two_crawls_spend_no_call_on_a_tree_refused_at_the_same_commit(hub, listed, cli) -> None:
    """The API calls of two crawls, counted at the server: the second asks the refused repository nothing."""
    db, (refused, *_) = listed
    faults = Faulty()
    faults.trees = {refused: (401, {"X-Error-Code": "GatedRepo"}, b'{"error":"gated"}')}
    served: list[Counter[str]] = []
    with forwarding(hub.url, faults) as url:
        for _ in range(2):
            faults.reset()
            doc = _cards(cli, db, url)
            assert len(faults.asked) == doc["api_calls"]
            served.append(Counter(p.split("?")[0] for p in faults.asked
                                  if refused in p))
    assert served[0] == Counter({f"/{refused}/resolve/main/README.md": 1,
                                 f"/api/models/{refused}/tree/main": 1})
    assert served[1] == Counter()


def test_a_store_at_version_13_upgrades_and_its_cards_keep_their_rows(hub, listed, cli, tmp_path) -> None:
    db, (refused, *_) = listed
    faults = Faulty()
    faults.trees = {refused: (403, {}, b"no")}
    with forwarding(hub.url, faults) as url:
        _cards(cli, db, url)
    old = tmp_path / "v13.duckdb"
    shutil.copyfile(db, old)
    con = duckdb.connect(str(old))
    for col in ("read_failures", "read_failure", "retry_at"):
        con.execute(f"ALTER TABLE cards DROP COLUMN {col}")
    con.execute("DELETE FROM schema_version WHERE version = 14")
    cards = con.execute("SELECT id, sha, text, license_files_at FROM cards ORDER BY id").fetchall()
    con.close()
    with open_store(old) as store:
        assert store.schema_version() == SCHEMA_VERSION >= 14
        assert store.con.execute("SELECT id, sha, text, license_files_at FROM cards ORDER BY id").fetchall() == cards
        assert store.scalar("SELECT count(*) FROM cards WHERE read_failures IS NOT NULL OR retry_at IS NOT NULL") == 0
