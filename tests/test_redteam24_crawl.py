"""Twenty-fourth red team: the operator's crawl options that pointed somewhere else than the user meant.

- ``crawl --endpoint "$MIRROR"`` with the variable unset crawled https://huggingface.co (an empty value fell back to
  ``HF_ENDPOINT`` and then the default Hub), sending ``HF_TOKEN`` there;
- ``crawl --dump FILE`` truncated FILE first: ``--db s.duckdb crawl --dump s.duckdb`` destroyed the store it was
  crawling into ("not a valid DuckDB database file" afterwards), and a ``--dump`` naming another store destroyed that.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from openscope.simhub.testing import running_simhub


@pytest.fixture(scope="module")
def hub() -> Iterator:
    with running_simhub(models=60, datasets=5, seed=24) as h:
        yield h


@pytest.mark.parametrize("value", ["", "  "])
def test_a_blank_endpoint_is_a_usage_error_not_the_real_hub(tmp_path: Path, cli, monkeypatch, value: str) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:1")  # were it used, the run would be 69, not 64
    res = cli("--db", tmp_path / "s.duckdb", "crawl", "--endpoint", value)
    assert res.code == 64, res
    assert res.stderr.startswith("openscope: error: --endpoint is empty")
    assert not (tmp_path / "s.duckdb").exists()


def test_dump_into_the_store_itself_is_refused_and_the_store_kept(tmp_path: Path, cli, hub) -> None:
    db = tmp_path / "s.duckdb"
    assert cli("--db", db, "--quiet", "crawl", "--endpoint", hub.url, "--no-derive").code == 0
    before = db.read_bytes()
    for target in (db, Path(f"{db}.wal"), tmp_path / "." / "s.duckdb"):
        res = cli("--db", db, "crawl", "--endpoint", hub.url, "--no-derive", "--dump", target)
        assert res.code == 64, res
        assert "--dump" in res.stderr and "store" in res.stderr
    assert db.read_bytes() == before
    assert cli("--db", db, "--json", "status").code == 0


def test_dump_over_another_store_is_refused(tmp_path: Path, cli, hub) -> None:
    other = tmp_path / "other.duckdb"
    assert cli("--db", other, "--quiet", "crawl", "--endpoint", hub.url, "--no-derive").code == 0
    before = other.read_bytes()
    res = cli("--db", tmp_path / "new.duckdb", "crawl", "--endpoint", hub.url, "--no-derive", "--dump", other)
    assert res.code == 64, res
    assert other.read_bytes() == before


def test_a_dump_file_is_still_written_and_replaced(tmp_path: Path, cli, hub) -> None:
    dump = tmp_path / "dump.jsonl"
    dump.write_text("old\n")
    res = cli("--db", tmp_path / "s.duckdb", "--quiet", "crawl", "--endpoint", hub.url, "--no-derive", "--dump", dump)
    assert res.code == 0, res
    assert len(dump.read_text().splitlines()) == 60 and "old" not in dump.read_text().splitlines()


def test_dump_into_a_pipe_as_process_substitution_gives_it(tmp_path: Path, cli, hub) -> None:
    """`crawl --dump >(gzip > d.jsonl.gz)`: every line reached the pipe, then fsync (EINVAL on a pipe) ended the run as
    an internal error (70)."""
    import os
    import threading

    r, w = os.pipe()
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(os.fdopen(r, "rb").read()))
    reader.start()
    try:
        res = cli("--db", tmp_path / "s.duckdb", "--quiet", "crawl", "--endpoint", hub.url, "--no-derive",
                  "--dump", f"/dev/fd/{w}")
    finally:
        os.close(w)
        reader.join(30)
    assert res.code == 0, res
    assert len(got[0].decode().splitlines()) == 60


@pytest.mark.parametrize("option,value", [("--timeout", "nan"), ("--timeout", "inf"), ("--max-wait", "nan"),
                                          ("--backoff", "inf"), ("--max-wait", "inf"), ("--deadline", "inf")])
def test_seconds_must_be_finite(tmp_path: Path, cli, option: str, value: str) -> None:
    """`--timeout nan` and `--timeout inf` were internal errors (70); `--backoff inf` would sleep for ever at the first
    retry, and `--max-wait nan` compared false with every wait, so no wait was ever too long."""
    res = cli("--db", tmp_path / "s.duckdb", "crawl", "--endpoint", "http://127.0.0.1:1", option, value)
    assert res.code == 64, res
    assert f"{option} must be a finite number of seconds" in res.stderr
    assert not (tmp_path / "s.duckdb").exists()


def test_a_huge_top_means_every_card(tmp_path: Path, cli, hub) -> None:
    """`crawl --cards --top 99999999999999999999` was an internal error (70) from DuckDB."""
    res = cli("--db", tmp_path / "s.duckdb", "--quiet", "crawl", "--endpoint", hub.url, "--no-derive", "--cards",
              "--top", "99999999999999999999", "--limit", "99999999999999999999")
    assert res.code == 0, res
