"""The crawler against the simulated Hub: kinds, resume after SIGKILL and Ctrl-C, faults, deletions,
counters, dumps, cards.

Every test runs the real ``openscope crawl`` (in-process through the console entry point, or as a
subprocess when it must be killed) against the real simulated Hub on loopback.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import httpx
import pytest
from store_rows import rows as q

from openscope.simhub.testing import running_simhub

N_MODELS = 1200
N_DATASETS = 150
FAST = ["--backoff", "0.01", "--retries", "8"]


def crawl(cli, db: Path, hub, *args: str):
    r = cli("--db", db, "crawl", "--endpoint", hub.url, "--json", "--no-derive", *FAST, *args)
    return r


def stored_ids(db: Path, table: str = "models", live: bool = True) -> list[str]:
    where = " WHERE deleted_at IS NULL" if live else ""
    return [r[0] for r in q(db, f"SELECT id FROM {table}{where}")]


@pytest.fixture(scope="module")
def hub() -> Iterator:
    """A shared simulated Hub that no test in this module mutates or leaves faulty."""
    with running_simhub(models=N_MODELS, datasets=N_DATASETS, seed=11) as h:
        yield h


@pytest.fixture(scope="module")
def crawled(hub, tmp_path_factory) -> Path:
    """One full crawl of ``hub`` (models and datasets, with a dump), shared by the read-only tests."""
    from openscope.cli import main

    d = tmp_path_factory.mktemp("crawled")
    db = d / "store.duckdb"
    code = main(["--db", str(db), "crawl", "--endpoint", hub.url, "--quiet", "--datasets",
                 "--dump", str(d / "dump.jsonl"), "--page-size", "250", *FAST])
    assert code == 0
    return db


def test_full_crawl_stores_exactly_the_hubs_repositories(hub, crawled) -> None:
    ids = stored_ids(crawled)
    assert sorted(ids) == sorted(hub.ids(kind="models"))
    assert len(ids) == len(set(ids))
    assert sorted(stored_ids(crawled, "datasets")) == sorted(hub.ids(kind="datasets"))
    snaps = q(crawled, "SELECT kind, status, repo_type, source, endpoint, pages, n_records, watermark "
                       "FROM snapshots ORDER BY snapshot_id")
    assert [(s[0], s[1], s[2], s[3], s[4]) for s in snaps] == [
        ("full", "complete", "model", "crawl", hub.url), ("full", "complete", "dataset", "crawl", hub.url)]
    assert snaps[0][5] == -(-N_MODELS // 250) and snaps[0][6] == N_MODELS
    assert q(crawled, "SELECT bool_and(simulated) FROM snapshots")[0][0] is True
    newest = q(crawled, "SELECT max(last_modified) FROM models")[0][0]
    assert snaps[0][7] == newest  # a full crawl's watermark: the newest lastModified when it started
    per_id = q(crawled, "SELECT count(*), count(DISTINCT id) FROM model_stats WHERE snapshot_id = 1")[0]
    assert per_id == (N_MODELS, N_MODELS)


def test_any_page_size_reads_every_repository_once(hub, tmp_path, cli) -> None:
    db = tmp_path / "s.duckdb"
    doc = crawl(cli, db, hub, "--page-size", "97").json()
    ids = stored_ids(db)
    assert doc["pages"] == -(-N_MODELS // 97) and len(ids) == len(set(ids)) == N_MODELS
    assert sorted(ids) == sorted(hub.ids(kind="models"))


def test_full_crawl_costs_about_one_call_per_page(hub, tmp_path, cli) -> None:
    db = tmp_path / "s.duckdb"
    before = hub.stats()["requests"]
    doc = crawl(cli, db, hub).json()
    pages = -(-N_MODELS // 1000)
    # one head call for the watermark, one refused call for expand=baseModels (when refused), the pages
    assert doc["pages"] == pages and doc["records"] == N_MODELS
    assert doc["api_calls"] <= pages + 2
    assert hub.stats()["requests"] - before == doc["api_calls"]


def test_refused_expand_field_is_dropped_with_a_warning_once_per_store(hub, tmp_path, cli) -> None:
    db = tmp_path / "s.duckdb"
    r = crawl(cli, db, hub, "--limit", "10")
    assert r.code == 0, r.stderr
    first = r.json()
    assert first["snapshots"][0]["dropped_expand"] == ["baseModels"]
    assert "expand=baseModels" in r.stderr and "warning" in r.stderr
    assert first["api_calls"] == 2  # the refused call, then the page (a filtered crawl: no head call)
    # the store remembers the refusal: the next crawl neither asks again nor warns again
    r = crawl(cli, db, hub, "--limit", "10", "--page-size", "5")
    assert r.code == 0 and "warning" not in r.stderr
    assert r.json()["api_calls"] == 2 and r.json()["snapshots"][0]["dropped_expand"] == ["baseModels"]


def test_dump_then_ingest_rebuilds_the_same_models_tags_and_counters(crawled, tmp_path, cli) -> None:
    dump = crawled.parent / "dump.jsonl"
    assert len(dump.read_text().splitlines()) == N_MODELS
    fresh = tmp_path / "fresh.duckdb"
    assert cli("--db", fresh, "ingest", crawled.parent / "dump.datasets.jsonl", "--datasets", "--no-derive",
               "--quiet").code == 0
    assert cli("--db", fresh, "ingest", dump, "--quiet").code == 0  # derives lineage edges, as the crawl did
    con = duckdb.connect(str(crawled), read_only=True)
    con.execute(f"ATTACH '{fresh}' AS f (READ_ONLY)")
    for sql in (
        "SELECT id, author, created_at, created_at_raw, last_modified, pipeline_tag, library_name, gated, "
        "license, card_data::VARCHAR, params, sha, raw_hash FROM {}models",
        "SELECT id, license, card_data::VARCHAR, raw_hash FROM {}datasets",
        "SELECT repo_type, id, tag FROM {}tags",
        "SELECT repo_type, id, path, size FROM {}files",
        "SELECT id, downloads_30d, downloads_all_time, likes FROM {}model_stats",
        "SELECT id, downloads_30d, downloads_all_time, likes FROM {}dataset_stats",
        "SELECT child, parent, relation, evidence, chosen FROM {}edges",
    ):
        a = sorted(con.execute(sql.format("")).fetchall(), key=repr)
        b = sorted(con.execute(sql.format("f.")).fetchall(), key=repr)
        assert a == b and a, sql
    con.close()


def test_since_author_filter_and_limit_crawl_exactly_their_subset(hub, crawled, tmp_path, cli) -> None:
    lms = sorted(r[0] for r in q(crawled, "SELECT last_modified FROM models"))
    since = lms[len(lms) // 2]
    db = tmp_path / "since.duckdb"
    doc = crawl(cli, db, hub, "--since", since.isoformat()).json()
    want = {r[0] for r in q(crawled, "SELECT id FROM models WHERE last_modified >= ?", [since])}
    assert set(stored_ids(db)) == want and doc["records"] == len(want)

    author = q(crawled, "SELECT author FROM models GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")[0][0]
    db = tmp_path / "author.duckdb"
    assert crawl(cli, db, hub, "--author", author).code == 0
    assert set(stored_ids(db)) == {r[0] for r in q(crawled, "SELECT id FROM models WHERE author = ?", [author])}

    tag = q(crawled, "SELECT tag FROM tags WHERE repo_type = 'model' AND tag LIKE 'base_model:quantized:%' "
                     "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")[0][0]
    db = tmp_path / "filter.duckdb"
    assert crawl(cli, db, hub, "--filter", tag).code == 0
    assert set(stored_ids(db)) == {r[0] for r in q(crawled, "SELECT id FROM tags WHERE tag = ?", [tag])}

    db = tmp_path / "limit.duckdb"
    doc = crawl(cli, db, hub, "--limit", "333", "--page-size", "100").json()
    assert doc["records"] == 333 and len(stored_ids(db)) == 333 and doc["api_calls"] <= 4 + 2
    # a filtered crawl is no base for incrementals: the next crawl is full again
    assert crawl(cli, db, hub).json()["kind"] == "full"
    assert q(db, "SELECT count(*) FROM models WHERE deleted_at IS NOT NULL")[0][0] == 0


def test_cards_and_file_trees_for_the_most_downloaded(hub, tmp_path, cli) -> None:
    db = tmp_path / "cards.duckdb"
    doc = crawl(cli, db, hub, "--cards", "--top", "6").json()
    assert doc["cards"]["candidates"] == 6 and doc["cards"]["fetched"] + doc["cards"]["missing"] == 6
    top = [r[0] for r in q(db, """SELECT id FROM models m JOIN model_stats s USING (id)
                                  ORDER BY s.downloads_30d DESC NULLS LAST, id LIMIT 6""")]
    cards = {r[0]: r[1:] for r in q(db, "SELECT id, sha, text, url FROM cards")}
    assert set(cards) == set(top)
    shas = dict(q(db, "SELECT id, sha FROM models"))
    with httpx.Client() as h:
        for mid, (sha, text, url) in cards.items():
            assert sha == shas[mid] and url == f"{hub.url}/{mid}/resolve/main/README.md"
            r = h.get(f"{hub.url}/{mid}/resolve/main/README.md")
            assert (text if r.status_code == 200 else None) == (r.text if r.status_code == 200 else None)
            tree = h.get(f"{hub.url}/api/models/{mid}/tree/main", params={"recursive": "true"}).json()
            want = sorted((e["path"], e.get("size")) for e in tree if e["type"] == "file")
            got = sorted(q(db, "SELECT path, size FROM files WHERE id = ?", [mid]))
            assert got == want
    # those cards are now current: the next run takes the next six, and reads none of the first again
    again = crawl(cli, db, hub, "--cards", "--top", "6").json()
    assert again["cards"]["candidates"] == 6
    after = {r[0] for r in q(db, "SELECT id FROM cards")}
    assert len(after) == 12 and set(cards) < after
    assert q(db, "SELECT count(*), count(DISTINCT id) FROM cards")[0] == (12, 12)


def test_429_storm_finishes_never_early_and_loses_nothing(tmp_path, cli) -> None:
    with running_simhub(models=900, datasets=0, seed=3, rate_limit=3, rate_window_s=1) as h:
        db = tmp_path / "s.duckdb"
        r = crawl(cli, db, h, "--page-size", "100")
        assert r.code == 0, r.stderr
        doc = r.json()
        st = h.stats()
        assert st["early_requests"] == 0
        assert sorted(stored_ids(db)) == sorted(h.ids(kind="models"))
        assert doc["rate_limit_wait_s"] > 0
        assert q(db, "SELECT count(*), count(DISTINCT id) FROM model_stats")[0] == (900, 900)


@pytest.mark.parametrize("faults", [{"error_rate": 0.3}, {"truncate_rate": 0.3}])
def test_5xx_bursts_and_truncated_bodies_are_retried(tmp_path, cli, faults) -> None:
    with running_simhub(models=900, datasets=0, seed=4, **faults) as h:
        db = tmp_path / "s.duckdb"
        r = crawl(cli, db, h, "--page-size", "100", "--retries", "12")
        assert r.code == 0, r.stderr
        st = h.stats()
        bad = sum(v for k, v in st["status_counts"].items() if str(k).startswith("5"))
        assert (bad > 0) == ("error_rate" in faults)
        assert sorted(stored_ids(db)) == sorted(h.ids(kind="models"))
        assert q(db, "SELECT count(*), count(DISTINCT id) FROM model_stats")[0] == (900, 900)
        # every retry is a call beyond one per page (and the head call)
        assert r.json()["api_calls"] > r.json()["pages"] + 2


def _wait_for(pred, timeout: float = 30.0) -> None:
    t0 = time.monotonic()
    while not pred():
        if time.monotonic() - t0 > timeout:
            raise AssertionError("timed out")
        time.sleep(0.02)


def _popen_crawl(db: Path, hub, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "openscope.cli", "--db", str(db), "crawl", "--endpoint", hub.url, "--quiet",
         "--no-derive", *FAST, *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
    )


@pytest.mark.parametrize("k", [1, 4])
def test_sigkill_after_page_k_then_resume_gives_every_id_once(tmp_path, cli, k) -> None:
    with running_simhub(models=1000, datasets=0, seed=5) as h:
        db = tmp_path / "s.duckdb"
        h.set_faults(hold_after_pages=k)
        p = _popen_crawl(db, h, "--page-size", "100")
        try:
            _wait_for(lambda: h.pages_served() >= k)
            p.send_signal(signal.SIGKILL)
            p.wait(10)
        finally:
            if p.poll() is None:
                p.kill()
        h.set_faults(hold_after_pages=None)
        h.release()
        snap = q(db, "SELECT snapshot_id, status, pages FROM snapshots")
        assert len(snap) == 1 and snap[0][1] == "running" and snap[0][2] <= k
        served = h.pages_served()
        doc = crawl(cli, db, h, "--page-size", "100").json()
        assert doc["snapshot_id"] == snap[0][0] and doc["status"] == "complete"
        assert doc["snapshots"][0]["resumed"] is True
        ids = stored_ids(db)
        assert len(ids) == len(set(ids)) and sorted(ids) == sorted(h.ids(kind="models"))
        rows = q(db, "SELECT count(*), count(DISTINCT id) FROM model_stats WHERE snapshot_id = ?", [snap[0][0]])
        assert rows[0] == (1000, 1000)
        # resumed from the cursor: the pages already committed were not read again
        assert h.pages_served() - served <= 10 - max(0, snap[0][2] - 1) + 1
        assert q(db, "SELECT count(*) FROM snapshots")[0][0] == 1


def test_ctrl_c_leaves_the_crawl_resumable_and_restart_starts_over(tmp_path, cli) -> None:
    with running_simhub(models=600, datasets=0, seed=6) as h:
        db = tmp_path / "s.duckdb"
        h.set_faults(hold_after_pages=3)
        p = _popen_crawl(db, h, "--page-size", "100")
        try:
            _wait_for(lambda: h.pages_served() >= 3)
            time.sleep(1.0)  # the pages read are being committed; the next request is held
            p.send_signal(signal.SIGINT)
            _, err = p.communicate(timeout=20)
        finally:
            if p.poll() is None:
                p.kill()
        assert p.returncode == 130
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1
        h.set_faults(hold_after_pages=None)
        h.release()
        first = q(db, "SELECT snapshot_id, status, pages FROM snapshots")
        assert len(first) == 1 and first[0][1] == "running"
        doc = crawl(cli, db, h, "--page-size", "100", "--restart").json()
        assert doc["snapshot_id"] != first[0][0] and doc["records"] == 600
        status, message = q(db, "SELECT status, message FROM snapshots WHERE snapshot_id = ?", [first[0][0]])[0]
        assert status == "aborted" and "--restart" in message
        ids = stored_ids(db)
        assert sorted(ids) == sorted(h.ids(kind="models"))


def test_endpoint_down_fails_with_69_keeps_pages_and_resumes(tmp_path, cli) -> None:
    import threading

    with running_simhub(models=800, datasets=0, seed=8) as h:
        db = tmp_path / "s.duckdb"
        h.set_faults(hold_after_pages=3)

        def take_down() -> None:
            _wait_for(lambda: h.pages_served() >= 3)
            h.set_faults(down=True, hold_after_pages=None)
            h.release()

        t = threading.Thread(target=take_down)
        t.start()
        r = crawl(cli, db, h, "--page-size", "100", "--retries", "2")
        t.join()
        assert r.code == 69, r.stderr
        errors = [ln for ln in r.stderr.splitlines() if ln.strip() and "warning" not in ln]
        assert r.stdout == "" and len(errors) == 1 and "Traceback" not in r.stderr
        assert errors[0].startswith("openscope: error:") and "unreachable" in errors[0]
        status, pages, n, msg = q(db, "SELECT status, pages, n_records, message FROM snapshots")[0]
        assert status == "failed" and pages >= 2 and n == pages * 100 and msg
        assert len(stored_ids(db)) == n
        h.set_faults(down=False)
        doc = crawl(cli, db, h, "--page-size", "100").json()
        assert doc["status"] == "complete" and doc["snapshots"][0]["resumed"]
        assert sorted(stored_ids(db)) == sorted(h.ids(kind="models"))
        assert q(db, "SELECT count(*), count(DISTINCT id) FROM model_stats")[0] == (800, 800)


def test_edits_additions_deletions_and_counters_between_crawls(tmp_path, cli) -> None:
    with running_simhub(models=1500, datasets=0, seed=9) as h:
        db = tmp_path / "s.duckdb"
        first = crawl(cli, db, h).json()
        assert first["kind"] == "full"
        # counter changes on the oldest repositories, far from the incremental's overlap window
        oldest = [r[0] for r in q(db, "SELECT id FROM models ORDER BY last_modified, id LIMIT 25")]
        before = dict((r[0], r[1:]) for r in q(db, "SELECT id, downloads_30d, downloads_all_time, likes "
                                                   "FROM model_stats WHERE id IN (SELECT unnest(?))", [oldest]))
        c = h.mutate(counters=oldest)
        m = h.mutate(edit=20, add=15, delete=10)
        m["counters_changed"] = c["counters_changed"]
        assert len(m["edited"]) == 20 and len(m["added"]) == 15 and len(m["deleted"]) == 10

        inc = crawl(cli, db, h).json()
        assert inc["kind"] == "incremental"
        touched = {r[0] for r in q(db, "SELECT id FROM models WHERE updated_snapshot_id = ?", [inc["snapshot_id"]])}
        assert touched == (set(m["edited"]) | set(m["added"])) - set(m["deleted"])
        assert inc["changed"] == len(touched)
        assert inc["api_calls"] <= 2  # proportional to the changes, not to the Hub
        assert q(db, "SELECT count(*) FROM models WHERE deleted_at IS NOT NULL")[0][0] == 0

        full = crawl(cli, db, h, "--full").json()
        assert full["kind"] == "full" and full["deleted"] == len(set(m["deleted"]) - set(m["added"]))
        gone = {r[0] for r in q(db, "SELECT id FROM models WHERE deleted_at IS NOT NULL")}
        assert gone == set(m["deleted"])
        assert sorted(stored_ids(db)) == sorted(h.ids(kind="models"))

        sweep = crawl(cli, db, h, "--counters").json()
        assert sweep["kind"] == "counters" and sweep["records"] == len(h.ids(kind="models"))
        assert sweep["api_calls"] <= 2 + 1  # ~1 call per 1,000 repositories
        with httpx.Client() as c:
            for mid in m["counters_changed"]:
                if mid in m["deleted"]:
                    continue
                live = c.get(f"{h.url}/api/models/{mid}",
                             params=[("expand", "downloads"), ("expand", "downloadsAllTime"),
                                     ("expand", "likes")]).json()
                got = q(db, "SELECT downloads_30d, downloads_all_time, likes FROM model_stats "
                            "WHERE snapshot_id = ? AND id = ?", [sweep["snapshot_id"], mid])
                assert got == [(live.get("downloads"), live.get("downloadsAllTime"), live.get("likes"))]
                assert got[0] != before[mid]
        # the models rows were left alone by the sweep
        assert q(db, "SELECT count(*) FROM models WHERE updated_snapshot_id = ?", [sweep["snapshot_id"]])[0][0] == 0
        mid = next(x for x in m["counters_changed"] if x not in m["deleted"])
        view = q(db, "SELECT snapshot_id, downloads_30d, read_in_snapshot FROM counters WHERE id = ? "
                     "ORDER BY snapshot_id", [mid])
        by_sid = {r[0]: r for r in view}
        assert first["snapshot_id"] in by_sid and sweep["snapshot_id"] in by_sid
        assert by_sid[first["snapshot_id"]][1] == before[mid][0]
        assert by_sid[sweep["snapshot_id"]][2] == sweep["snapshot_id"]


def test_bad_options_are_usage_errors(cli, tmp_path) -> None:
    db = tmp_path / "s.duckdb"
    for args in (["--page-size", "0"], ["--page-size", "1001"], ["--full", "--counters"],
                 ["--since", "yesterday"], ["--endpoint", "ftp://x"], ["--limit", "0"],
                 ["--counters", "--dump", str(tmp_path / "d.jsonl")]):
        r = cli("--db", db, "crawl", "--endpoint", "http://127.0.0.1:9", *args) if "--endpoint" not in args \
            else cli("--db", db, "crawl", *args)
        assert r.code == 64, (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1
    assert not db.exists()


def test_unreachable_endpoint_is_69_with_a_failed_snapshot(cli, tmp_path) -> None:
    import socket

    db = tmp_path / "s.duckdb"
    with socket.socket() as s:  # bound, never listening: refused, and no other test's server can be handed it
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        r = cli("--db", db, "crawl", "--endpoint", f"http://127.0.0.1:{port}", "--retries", "1", "--backoff", "0.01")
    assert r.code == 69 and "unreachable" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert q(db, "SELECT status FROM snapshots") == [("failed",)]


def test_crawl_json_summary_has_the_contract_keys_and_derive_runs(hub, tmp_path, cli) -> None:
    db = tmp_path / "s.duckdb"
    r = cli("--db", db, "crawl", "--endpoint", hub.url, "--json", "--limit", "50", *FAST)
    assert r.code == 0, r.stderr
    doc = r.json()
    for k in ("snapshot_id", "status", "pages", "records", "changed", "rejects", "api_calls",
              "rate_limit_wait_s", "elapsed_s"):
        assert k in doc
    assert doc["records"] == 50 and doc["status"] == "complete"
    assert q(db, "SELECT count(*) FROM models")[0][0] == 50


def test_hf_endpoint_is_the_default_and_plain_output_is_a_table(hub, tmp_path, cli, monkeypatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    db = tmp_path / "s.duckdb"
    r = cli("--db", db, "crawl", "--limit", "20", "--no-derive", *FAST)
    assert r.code == 0, r.stderr
    assert "snapshot #1: full crawl of models" in r.stdout and hub.url in r.stdout
    assert "records" in r.stderr  # the progress display
    assert q(db, "SELECT endpoint, n_records FROM snapshots") == [(hub.url, 20)]


def test_a_reset_beyond_max_wait_fails_cleanly_and_resumes_later(tmp_path, cli) -> None:
    with running_simhub(models=500, datasets=0, seed=12, rate_limit=3, rate_window_s=600) as h:
        db = tmp_path / "s.duckdb"
        r = crawl(cli, db, h, "--page-size", "100", "--max-wait", "5")
        assert r.code == 69 and "max-wait" in r.stderr and "Traceback" not in r.stderr
        status, pages, n = q(db, "SELECT status, pages, n_records FROM snapshots")[0]
        assert status == "failed" and pages >= 1 and n == pages * 100 == len(stored_ids(db))
        assert h.stats()["early_requests"] == 0
        h.set_faults(rate_limit=None)
        doc = crawl(cli, db, h, "--page-size", "100").json()
        assert doc["status"] == "complete" and doc["snapshots"][0]["resumed"]
        assert sorted(stored_ids(db)) == sorted(h.ids(kind="models"))
