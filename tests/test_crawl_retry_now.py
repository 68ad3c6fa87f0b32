"""`crawl --cards --retry-now`: the READMEs, trees and licence files waiting for their ``retry_at`` are asked now.

Before, a gated README or a refused tree waited 30 days (or a new commit) and the only way to ask earlier, a token
added or access granted, was to edit the store by hand (`DELETE FROM card_attempts`), which also forgot how many
times in a row it had failed. Now `--retry-now` asks them first within `--top`, keeps their failure counts (one
that fails again counts one more, and waits again), and the summary counts them (`retried_now`,
`readmes_retried_now`, keys added). Docs: docs/crawl.md (*Asking again now*).

The real commands in-process, against the real simulated Hub on loopback behind a forwarding server
(``licence_hub.forwarding``) that refuses chosen READMEs and trees and records every request.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from licence_hub import Answer, forwarding
from store_rows import rows as q
from store_rows import top_ids as _top

from openscope.jobs.crawl import MAX_TRANSIENT_RETRIES
from openscope.simhub.testing import running_simhub

FAST = ["--backoff", "0.01", "--retries", "1"]
GATED: Answer = (403, {"X-Error-Code": "GatedRepo"}, b'{"error":"Access to this model is restricted"}')
BROKEN: Answer = (500, {}, b"boom")


@pytest.fixture(scope="module")
def hub() -> Iterator:
    with running_simhub(models=60, datasets=12, seed=11) as h:
        yield h


class Faulty:
    """Refuses chosen READMEs (resolve path prefix → answer) and trees (API tree prefix → answer); records paths."""

    def __init__(self) -> None:
        self.answers: dict[str, Answer] = {}
        self.asked: list[str] = []

    def readme(self, repo: str, answer: Answer, repo_type: str = "model") -> None:
        self.answers[f"{_page(repo, repo_type)}resolve/main/README.md"] = answer

    def tree(self, repo: str, answer: Answer) -> None:
        self.answers[f"/api/models/{repo}/tree/"] = answer

    def __call__(self, path: str) -> Answer | None:
        self.asked.append(path)
        bare = path.split("?")[0]
        return next((a for p, a in self.answers.items() if bare.startswith(p)), None)

    def about(self, repo: str, repo_type: str = "model") -> int:
        return sum(1 for p in self.asked if p.startswith((_page(repo, repo_type), f"/api/{repo_type}s/{repo}/")))

    def reset(self) -> None:
        self.asked.clear()


def _page(repo: str, repo_type: str) -> str:
    return f"/{repo}/" if repo_type == "model" else f"/datasets/{repo}/"


def _cards(cli, db: Path, url: str, *extra: str, top: int = 3) -> dict:
    r = cli("--db", db, "--json", "crawl", "--endpoint", url, "--cards", "--top", str(top), "--no-derive",
            *FAST, *extra)
    assert r.code == 0, r.stderr
    return r.json()


def _attempt(db: Path, repo: str, repo_type: str = "model") -> tuple | None:
    rows = q(db, """SELECT failures, failure, retry_at > now()::TIMESTAMP, tried_at FROM card_attempts
                    WHERE repo_type = ? AND id = ?""", [repo_type, repo])
    return rows[0] if rows else None


def _card(db: Path, repo: str) -> tuple:
    return q(db, """SELECT read_failures, read_failure, retry_at > now()::TIMESTAMP, license_files_at IS NOT NULL
                    FROM cards WHERE repo_type = 'model' AND id = ?""", [repo])[0]


@pytest.fixture
def listed(hub, tmp_path, cli) -> Path:
    db = tmp_path / "s.duckdb"
    assert cli("--db", db, "--json", "crawl", "--endpoint", hub.url, "--datasets", "--no-derive").code == 0
    return db


def test_a_waiting_readme_is_asked_now_and_keeps_its_count(hub, listed, cli) -> None:
    db = listed
    gated = _top(db, 1)[0]
    faults = Faulty()
    faults.readme(gated, GATED)
    with forwarding(hub.url, faults) as url:
        first = _cards(cli, db, url)["cards"]
        assert (first["failed"], first["readmes_retry_later"], first["readmes_retried_now"]) == (1, 1, 0)
        n, _, waits, tried = _attempt(db, gated)
        assert (n, waits) == (1, True)
        # without the flag: not asked, counted as waiting (as before)
        faults.reset()
        plain = _cards(cli, db, url)["cards"]
        assert faults.about(gated) == 0 and (plain["readmes_deferred"], plain["readmes_retried_now"]) == (1, 0)
        # --retry-now, still refused: asked once, one more failure in a row at this commit, waiting again
        faults.reset()
        doc = _cards(cli, db, url, "--retry-now")
        c = doc["cards"]
        assert faults.about(gated) == 1 and len(faults.asked) == doc["api_calls"]
        assert (c["readmes_retried_now"], c["readmes_deferred"], c["failed"], c["readmes_retry_later"]) == (1, 0, 1, 1)
        n, why, waits, tried_again = _attempt(db, gated)
        assert (n, why, waits) == (2, "README.md: HTTP 403 (GatedRepo)", True) and tried_again > tried
    # access granted: --retry-now reads it at once, and the attempt is forgotten
    free = Faulty()
    with forwarding(hub.url, free) as url:
        c = _cards(cli, db, url, "--retry-now")["cards"]
    assert free.about(gated) >= 2 and c["readmes_retried_now"] == 1 and c["failed"] == 0
    assert _attempt(db, gated) is None
    assert q(db, "SELECT count(*) FROM cards WHERE id = ? AND repo_type = 'model'", [gated]) == [(1,)]


def test_a_transient_failure_that_waits_fails_again_and_waits_again(hub, listed, cli) -> None:
    """Three 500s in a row make it wait; asked now and failing again, it counts four and waits at once (its count
    was kept: a store edited by hand would have started again at one and been asked at every run)."""
    db = listed
    broken = _top(db, 1)[0]
    faults = Faulty()
    faults.readme(broken, BROKEN)
    with forwarding(hub.url, faults) as url:
        for _ in range(MAX_TRANSIENT_RETRIES):
            _cards(cli, db, url)
        assert _attempt(db, broken)[0] == MAX_TRANSIENT_RETRIES and _attempt(db, broken)[2]
        faults.reset()
        c = _cards(cli, db, url, "--retry-now")["cards"]
        assert faults.about(broken) == 2 and c["readmes_retried_now"] == 1  # asked, and retried once by the client
        n, _, waits, _ = _attempt(db, broken)
        assert (n, waits, c["readmes_retry_later"]) == (MAX_TRANSIENT_RETRIES + 1, True, 1)


def test_a_waiting_tree_is_asked_now(hub, listed, cli) -> None:
    db = listed
    refused = _top(db, 1)[0]
    faults = Faulty()
    faults.tree(refused, (403, {"X-Error-Code": "GatedRepo"}, b'{"error":"restricted"}'))
    with forwarding(hub.url, faults) as url:
        _cards(cli, db, url)
        assert _card(db, refused) == (1, "file tree: HTTP 403 (GatedRepo)", True, False)
        faults.reset()
        c = _cards(cli, db, url, "--retry-now")["cards"]
        assert faults.about(refused) == 2  # its README and its tree
        assert (c["retried_now"], c["deferred"], c["trees_failed"], c["retry_later"]) == (1, 0, 1, 1)
        assert _card(db, refused) == (2, "file tree: HTTP 403 (GatedRepo)", True, False)
    with forwarding(hub.url, Faulty()) as url:
        c = _cards(cli, db, url, "--retry-now")["cards"]
    assert c["retried_now"] == 1 and _card(db, refused) == (0, None, None, True)


def test_waiting_repositories_come_first_within_top(hub, listed, cli) -> None:
    """The second most downloaded waits; `--top 1 --retry-now` asks it rather than the most downloaded card not
    read yet, and the other waiting one, past --top, is still counted as waiting."""
    db = listed
    one, two, three, four = _top(db, 4)
    faults = Faulty()
    faults.readme(two, GATED)
    faults.readme(three, GATED)
    with forwarding(hub.url, faults) as url:
        _cards(cli, db, url, top=2)     # one read; two waits
        _cards(cli, db, url, top=1)     # three, the next candidate (two waits): waits too
        assert _attempt(db, two) and _attempt(db, three)
        faults.reset()
        c = _cards(cli, db, url, "--retry-now", top=1)["cards"]
        assert faults.about(two) == 1 and faults.about(four) == 0
        assert (c["candidates"], c["readmes_retried_now"], c["readmes_deferred"]) == (1, 1, 1)
        faults.reset()
        c = _cards(cli, db, url, top=1)["cards"]   # without the flag: the next never-read one
        assert faults.about(four) >= 1 and faults.about(two) == faults.about(three) == 0
        assert c["readmes_deferred"] == 2


def test_datasets_too_and_the_human_line(hub, listed, cli) -> None:
    db = listed
    gated = _top(db, 1, "dataset")[0]
    faults = Faulty()
    faults.readme(gated, GATED, "dataset")
    with forwarding(hub.url, faults) as url:
        _cards(cli, db, url, "--datasets")
        faults.reset()
        r = cli("--db", db, "crawl", "--endpoint", url, "--datasets", "--cards", "--top", "3", "--no-derive",
                "--retry-now", *FAST)
        assert r.code == 0, r.stderr
        assert faults.about(gated, "dataset") == 1
        assert "1 that were waiting asked again now" in " ".join(r.stdout.split())
        faults.reset()
        doc = _cards(cli, db, url, "--datasets", "--retry-now")
    assert doc["cards"]["datasets"]["readmes_retried_now"] == 1 and doc["cards"]["readmes_retried_now"] == 1
    assert _attempt(db, gated, "dataset")[0] == 3


def test_retry_now_needs_cards(cli, tmp_path) -> None:
    r = cli("--db", tmp_path / "s.duckdb", "crawl", "--endpoint", "http://127.0.0.1:1", "--retry-now")
    lines = r.stderr.strip().splitlines()
    assert r.code == 64 and len(lines) == 1 and "--retry-now" in lines[0] and "--cards" in lines[0]
    assert not (tmp_path / "s.duckdb").exists()
