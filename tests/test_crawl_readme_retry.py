"""`crawl --cards` and a README that cannot be read at all (migration 0016, ``card_attempts``).

Before, such a README left no row, so ``card_candidates`` took the repository again at every run: a gated flagship
(a 401/403 README) cost a request per crawl, forever, and took a place in ``--top N``; a README answered 500 ended
the whole pass with exit 69, every run. Now the failed read is recorded with the policy 0014 gave trees: a refusal
waits for a new commit or 30 days; a transient failure is asked again at the next run, three in a row at most. Only
two transient failures in a row (the endpoint, not one repository) end the pass.

Every test runs the real ``openscope`` commands in-process against the real simulated Hub on loopback, behind a
forwarding server (``licence_hub.forwarding``) that refuses chosen READMEs and counts every request it is sent.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from licence_hub import Answer, forwarding
from store_rows import rows as q
from store_rows import top_ids as _top

from openscope.jobs.crawl import MAX_TRANSIENT_RETRIES, RETRY_DAYS
from openscope.simhub.testing import running_simhub
from openscope.store import SCHEMA_VERSION, open_store

FAST = ["--backoff", "0.01", "--retries", "1"]
GATED: Answer = (403, {"X-Error-Code": "GatedRepo"}, b'{"error":"Access to this model is restricted"}')
BROKEN: Answer = (500, {}, b"boom")
FLAKY_CALLS = 2   # a README answered 500, asked twice (--retries 1) before the failure counts


@pytest.fixture(scope="module")
def hub() -> Iterator:
    with running_simhub(models=150, datasets=40, seed=7) as h:
        yield h


class Faulty:
    """What the forwarding server refuses (``readmes``: resolve path prefix → answer) and every path it was asked."""

    def __init__(self) -> None:
        self.readmes: dict[str, Answer] = {}
        self.asked: list[str] = []

    def refuse(self, repo: str, answer: Answer, repo_type: str = "model") -> None:
        self.readmes[_prefix(repo, repo_type)] = answer

    def __call__(self, path: str) -> Answer | None:
        self.asked.append(path)
        for prefix, answer in self.readmes.items():
            if path.split("?")[0] == f"{prefix}resolve/main/README.md":
                return answer
        return None

    def about(self, repo: str, repo_type: str = "model") -> int:
        """Requests for this repository's README, tree or files since the last reset."""
        api = f"/api/{repo_type}s/{repo}/"
        return sum(1 for p in self.asked if p.startswith((_prefix(repo, repo_type), api)))

    def reset(self) -> None:
        self.asked.clear()


def _prefix(repo: str, repo_type: str) -> str:
    return f"/{repo}/" if repo_type == "model" else f"/datasets/{repo}/"


def _cards(cli, db: Path, url: str, *extra: str, code: int = 0) -> dict:
    r = cli("--db", db, "--json", "crawl", "--endpoint", url, "--cards", "--top", "3", "--no-derive", *FAST, *extra)
    assert r.code == code, r.stderr
    return r.json() if code == 0 else {}


def _attempt(db: Path, repo: str, repo_type: str = "model") -> tuple | None:
    rows = q(db, """SELECT failures, failure, retry_at IS NOT NULL, sha FROM card_attempts
                    WHERE repo_type = ? AND id = ?""", [repo_type, repo])
    assert len(rows) <= 1
    return rows[0] if rows else None


def _has_card(db: Path, repo: str, repo_type: str = "model") -> bool:
    return q(db, "SELECT count(*) FROM cards WHERE repo_type = ? AND id = ?", [repo_type, repo])[0][0] == 1


@pytest.fixture
def listed(hub, tmp_path, cli) -> Path:
    """A store with the Hub's models and datasets listed, no card read yet."""
    db = tmp_path / "s.duckdb"
    assert cli("--db", db, "--json", "crawl", "--endpoint", hub.url, "--datasets", "--no-derive").code == 0
    return db


def test_a_gated_readme_is_asked_once_then_only_when_its_commit_changes(hub, listed, cli) -> None:
    db = listed
    gated, *others = _top(db, 5)
    faults = Faulty()
    faults.refuse(gated, GATED)
    with forwarding(hub.url, faults) as url:
        doc = _cards(cli, db, url)
        c = doc["cards"]
        assert (c["candidates"], c["fetched"], c["failed"]) == (3, 2, 1)
        assert len(faults.asked) == doc["api_calls"] and faults.about(gated) == 1
        n, why, later, sha = _attempt(db, gated)
        assert (n, why, later) == (1, "README.md: HTTP 403 (GatedRepo)", True) and not _has_card(db, gated)
        assert sha == q(db, "SELECT sha FROM models WHERE id = ?", [gated])[0][0]
        assert q(db, """SELECT min(retry_at - tried_at) >= to_days(?) - INTERVAL 1 MINUTE FROM card_attempts""",
                 [RETRY_DAYS]) == [(True,)]

        # the next runs: not one call for it, and it no longer takes a place in --top 3 (before: asked every run)
        for _ in range(2):
            faults.reset()
            doc = _cards(cli, db, url)
            assert faults.about(gated) == 0 and len(faults.asked) == doc["api_calls"]
            assert (doc["cards"]["readmes_deferred"], doc["cards"]["failed"]) == (1, 0)
        assert (c["readmes_retry_later"], c["readmes_deferred"]) == (1, 0)   # the first run's
        assert all(_has_card(db, m) for m in others)

        # a new commit: asked at once, and its count starts again at that commit
        hub.mutate(edit=[gated])
        faults.reset()
        doc = _cards(cli, db, url)
        assert faults.about(gated) == 1 and doc["cards"]["failed"] == 1
        n, _, later, new_sha = _attempt(db, gated)
        assert (n, later) == (1, True) and new_sha != sha

    # access granted: still waiting until retry_at (no call) ...
    free = Faulty()
    with forwarding(hub.url, free) as url:
        _cards(cli, db, url)
        assert free.about(gated) == 0 and not _has_card(db, gated)
        # ... and read as any other once it has come: the attempt is forgotten, the card stored
        con = duckdb.connect(str(db))
        con.execute("UPDATE card_attempts SET retry_at = now()::TIMESTAMP - INTERVAL 1 DAY WHERE id = ?", [gated])
        con.close()
        free.reset()
        doc = _cards(cli, db, url)
    assert free.about(gated) >= 2 and doc["cards"]["readmes_deferred"] == 0   # its README and its tree
    assert _has_card(db, gated) and _attempt(db, gated) is None


def test_a_readme_answered_500_is_asked_three_runs_in_a_row_then_waits(hub, listed, cli) -> None:
    db = listed
    broken = _top(db, 1)[0]
    faults = Faulty()
    faults.refuse(broken, BROKEN)
    with forwarding(hub.url, faults) as url:
        for run in range(1, MAX_TRANSIENT_RETRIES + 2):
            faults.reset()
            doc = _cards(cli, db, url)   # exit 0: one repository's README never ends the pass (before: 69)
            c = doc["cards"]
            if run <= MAX_TRANSIENT_RETRIES:
                assert faults.about(broken) == FLAKY_CALLS and c["failed"] == 1, run
                n, why, later, _ = _attempt(db, broken)
                assert n == run and "HTTP 500" in why and later == (run == MAX_TRANSIENT_RETRIES), run
                assert c["readmes_retry_later"] == (run == MAX_TRANSIENT_RETRIES)
            else:
                assert faults.about(broken) == 0 and c["readmes_deferred"] == 1 and c["failed"] == 0
            assert len(faults.asked) == doc["api_calls"]
        assert c["fetched"] == 3 and not _has_card(db, broken)
    # the operator's view says so too
    assert cli("--db", db, "--json", "status").json()["cards_waiting"] == {"readmes": 1, "trees": 0}
    assert "1 READMEs and 0 file trees or licence files not readable" in " ".join(cli("--db", db, "status").stdout.split())


def test_two_readmes_failing_in_a_row_are_the_endpoint_down_and_blame_neither(hub, listed, cli) -> None:
    """The second transient failure in a row ends the pass (exit 69) and the batch with both failures is not
    written: an outage never makes the most downloaded repositories wait."""
    db = listed
    first, second, third = _top(db, 3)
    faults = Faulty()
    faults.refuse(first, BROKEN)
    faults.refuse(second, BROKEN)
    with forwarding(hub.url, faults) as url:
        _cards(cli, db, url, code=69)
        assert faults.about(third) == 0
    assert q(db, "SELECT count(*) FROM card_attempts")[0][0] == 0 and q(db, "SELECT count(*) FROM cards")[0][0] == 0
    with forwarding(hub.url, Faulty()) as url:
        assert _cards(cli, db, url)["cards"]["fetched"] == 3


def test_datasets_readmes_follow_the_same_policy(hub, listed, cli) -> None:
    db = listed
    gated, broken, *_ = _top(db, 3, "dataset")
    faults = Faulty()
    faults.refuse(gated, GATED, "dataset")
    faults.refuse(broken, BROKEN, "dataset")
    with forwarding(hub.url, faults) as url:
        for run in range(1, MAX_TRANSIENT_RETRIES + 2):
            faults.reset()
            doc = _cards(cli, db, url, "--datasets")
            d = doc["cards"]["datasets"]
            assert faults.about(gated, "dataset") == (1 if run == 1 else 0), run
            assert faults.about(broken, "dataset") == (FLAKY_CALLS if run <= MAX_TRANSIENT_RETRIES else 0), run
            assert d["failed"] == (2 if run == 1 else 1 if run <= MAX_TRANSIENT_RETRIES else 0), run
            assert d["readmes_deferred"] == (0 if run == 1 else 1 if run <= MAX_TRANSIENT_RETRIES else 2), run
            assert doc["cards"]["readmes_deferred"] == d["readmes_deferred"]   # no model waits
            assert len(faults.asked) == doc["api_calls"]
        assert _attempt(db, gated, "dataset")[:3] == (1, "README.md: HTTP 403 (GatedRepo)", True)
        assert _attempt(db, broken, "dataset")[0] == MAX_TRANSIENT_RETRIES
        assert _attempt(db, gated) is None   # a dataset's attempt is no model's

        # a new commit of the gated dataset in the listing (the simulated Hub edits models only): asked at once
        con = duckdb.connect(str(db))
        con.execute("UPDATE datasets SET sha = 'f00d' WHERE id = ?", [gated])
        con.close()
        faults.reset()
        _cards(cli, db, url, "--datasets")
        assert faults.about(gated, "dataset") == 1 and _attempt(db, gated, "dataset")[3] == "f00d"


def test_the_datasets_cards_pass_says_datasets_in_its_progress(hub, listed, cli) -> None:
    r = cli("--db", listed, "crawl", "--endpoint", hub.url, "--datasets", "--cards", "--top", "2", "--no-derive")
    assert r.code == 0, r.stderr
    assert "cards and file trees of datasets: ended: 2 datasets · 2 cards read" in r.stderr
    assert "cards and file trees: ended: 2 models · 2 cards read" in r.stderr


@pytest.mark.parametrize("version", [13, 14, 15])
def test_a_store_at_an_earlier_version_upgrades_and_keeps_its_rows(hub, listed, cli, tmp_path, version) -> None:
    db = listed
    faults = Faulty()
    faults.refuse(_top(db, 1)[0], GATED)
    with forwarding(hub.url, faults) as url:
        _cards(cli, db, url)
    old = tmp_path / f"v{version}.duckdb"
    shutil.copyfile(db, old)
    con = duckdb.connect(str(old))
    con.execute("DROP TABLE card_attempts")
    if version < 15:
        con.execute("DROP TABLE dataset_licenses")
    if version < 14:
        for col in ("read_failures", "read_failure", "retry_at"):
            con.execute(f"ALTER TABLE cards DROP COLUMN {col}")
    con.execute("DELETE FROM schema_version WHERE version > ?", [version])
    cards = con.execute("SELECT id, sha, text FROM cards ORDER BY id").fetchall()
    con.close()
    with open_store(old) as store:
        assert store.schema_version() == SCHEMA_VERSION >= 16
        assert store.con.execute("SELECT id, sha, text FROM cards ORDER BY id").fetchall() == cards
        assert store.scalar("SELECT count(*) FROM card_attempts") == 0
    # the upgraded store crawls: the gated README is recorded again
    with forwarding(hub.url, faults) as url:
        assert _cards(cli, old, url)["cards"]["readmes_retry_later"] == 1
