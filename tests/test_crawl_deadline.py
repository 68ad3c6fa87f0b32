"""A whole-answer deadline and a size bound for the crawl's HTTP reads.

Why: httpx's timeouts restart with every socket read, so ``--timeout`` alone let a server (or a broken
proxy) that sends an answer a byte at a time, each byte within the timeout, hold one request for as long
as it kept sending: a crawl of the live Hub could hang for days. ``--deadline`` bounds each attempt as a
whole (headers and body); an answer past it counts as a cut connection (retried, then exit 69, resumable).
An answer larger than the client's bound is refused (exit 65) instead of filling memory.

The loopback server here answers its good pages at once and, when told to, trickles the headers or the
body of a list page, or a README, one byte every 50 ms: 20 bytes a second, far inside the per-read
timeout, so only the deadline can end it.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from lineage_graphs import entry
from test_crawl_simhub import q

from openscope.errors import Exit, InvalidInput, Unreachable
from openscope.sources.hub import DEADLINE_FACTOR, HubClient, TooLarge

GOOD = [entry(f"slow/m{i}", ("license:mit",), downloads=10 * i + 1, created=f"2024-0{1 + i}-01T00:00:00.000Z")
        for i in range(6)]
GOOD_IDS = sorted(e["id"] for e in GOOD)
DEADLINE = 1.0
RETRIES = 1
# --timeout 2 (each trickled byte comes 40 times sooner), --deadline 1: only the deadline can end it.
OPTS = ["--timeout", "2", "--deadline", str(DEADLINE), "--retries", str(RETRIES), "--backoff", "0.01",
        "--max-wait", "1", "--no-derive"]


@dataclass
class SlowHub:
    """What the server does. ``list_mode`` applies to the second list page (``cursor=3``): the first page
    and the head call stay good, so a failed crawl has a committed page to resume from."""

    url: str = ""
    list_mode: str = "good"  # good | body | headers
    readme_mode: str = "good"  # good | body
    interval: float = 0.05  # seconds between trickled bytes
    started: int = 0  # trickled answers begun
    trickled: list[float] = field(default_factory=list)  # how long each trickled answer was read
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _page(hub: SlowHub, start: int, host: str) -> tuple[bytes, list[tuple[str, str]]]:
    headers = [("Content-Type", "application/json")]
    if start + 3 < len(GOOD):
        headers.append(("Link", f'<http://{host}/api/models?cursor={start + 3}&limit=3>; rel="next"'))
    return json.dumps(GOOD[start:start + 3]).encode(), headers


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    hub: SlowHub

    def log_message(self, *a: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        u = urlsplit(self.path)
        query = parse_qs(u.query)
        mode = "good"
        if u.path.endswith("/resolve/main/README.md"):
            body, headers = b"# card\n" + b"x" * 2000, [("X-Repo-Commit", "c0ffee")]
            mode = self.hub.readme_mode
        elif "/tree/" in u.path:
            body, headers = b"[]", [("Content-Type", "application/json")]
        elif u.path == "/api/models":
            if query.get("limit") == ["1"] and "cursor" not in query:  # the full crawl's head call
                body, headers = json.dumps(GOOD[-1:]).encode(), [("Content-Type", "application/json")]
            else:
                start = int(query.get("cursor", ["0"])[0])
                body, headers = _page(self.hub, start, self.headers["Host"])
                if start > 0:
                    mode = self.hub.list_mode
        else:
            body, headers = b'{"error":"Repository not found"}', [("X-Error-Code", "RepoNotFound")]
            self._send(404, headers, body)
            return
        if mode == "headers":
            self._trickle(b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 5000)
        elif mode == "body":
            self.send_response(200)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self._trickle(body)
        else:
            self._send(200, headers, body)

    def _send(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _trickle(self, data: bytes) -> None:
        """One byte every ``interval`` seconds until the client hangs up (or the test ends)."""
        self.close_connection = True
        t0 = time.monotonic()
        with self.hub.lock:
            self.hub.started += 1
        try:
            for i in range(len(data)):
                if self.hub.stop.is_set():
                    break
                self.wfile.write(data[i:i + 1])
                self.wfile.flush()
                time.sleep(self.hub.interval)
        except OSError:
            pass
        with self.hub.lock:
            self.hub.trickled.append(time.monotonic() - t0)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # the client hanging up on a trickle is the point


@pytest.fixture
def slow() -> Iterator[SlowHub]:
    hub = SlowHub()
    srv = _QuietServer(("127.0.0.1", 0), type("H", (_Handler,), {"hub": hub}))
    threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    hub.url = f"http://127.0.0.1:{srv.server_address[1]}"
    try:
        yield hub
    finally:
        hub.stop.set()
        srv.shutdown()
        srv.server_close()


def _crawl(cli: Any, db: Path, hub: SlowHub, *args: str) -> Any:
    return cli("--db", db, "--json", "crawl", "--endpoint", hub.url, "--full", *OPTS, *args)


def _no_traceback(res: Any) -> None:
    assert "Traceback" not in res.stderr and "internal error" not in res.stderr, res.stderr[-2000:]


@pytest.mark.parametrize("where", ["body", "headers", "readme"])
def test_an_answer_trickled_a_byte_at_a_time_ends_at_the_deadline(cli, slow, tmp_path, where) -> None:
    """Before: each byte came within --timeout, so the request lasted as long as the server kept sending
    (here 2,000+ bytes at 20 a second: minutes per attempt)."""
    db = tmp_path / "s.duckdb"
    cards = ("--cards", "--top", "2") if where == "readme" else ()
    first = _crawl(cli, db, slow)
    assert first.code == 0, first.stderr
    models0 = q(db, "SELECT id, sha, created_at, deleted_at FROM models ORDER BY id")
    stats0 = set(q(db, "SELECT * FROM model_stats"))
    assert [r[0] for r in models0] == GOOD_IDS

    if where == "readme":
        slow.readme_mode = "body"
    else:
        slow.list_mode = where
    t0 = time.monotonic()
    res = _crawl(cli, db, slow, *cards)
    elapsed = time.monotonic() - t0
    _no_traceback(res)
    assert res.code == int(Exit.UNAVAILABLE), (res.code, res.stderr)
    assert "--deadline" in res.stderr and res.stdout == ""
    # Every attempt (the first and --retries more) was cut at the deadline, not before, and nothing else
    # held the crawl: wall time is the attempts plus the store's own work. A README that fails is first taken
    # as that repository's (recorded, asked again later); the next README failing too says the endpoint is down
    # (migration 0016): two READMEs' attempts.
    attempts = (RETRIES + 1) * (2 if where == "readme" else 1)
    assert slow.started == attempts
    t_end = time.monotonic() + 3  # the server sees the last hang-up at its next write or two
    while len(slow.trickled) < slow.started and time.monotonic() < t_end:
        time.sleep(0.02)
    assert all(DEADLINE - 0.3 <= d <= DEADLINE + 0.8 for d in slow.trickled), slow.trickled
    assert elapsed < attempts * DEADLINE + 3.0, elapsed

    # The store keeps what it had: the good crawl's repositories and counters, none marked deleted.
    assert q(db, "SELECT id, sha, created_at, deleted_at FROM models ORDER BY id") == models0
    assert stats0 <= set(q(db, "SELECT * FROM model_stats"))
    status, message = q(db, "SELECT status, message FROM snapshots ORDER BY snapshot_id DESC LIMIT 1")[0]
    if where == "readme":  # the listing completed; the cards batch being read was not written
        assert status == "complete" and q(db, "SELECT count(*) FROM cards")[0][0] == 0
    else:
        assert status == "failed" and "--deadline" in message
        assert q(db, "SELECT pages FROM snapshots ORDER BY snapshot_id DESC LIMIT 1")[0][0] == 1

    # The same command against a good server completes (resuming the failed snapshot from its cursor).
    slow.list_mode = slow.readme_mode = "good"
    again = _crawl(cli, db, slow, *cards)
    assert again.code == 0, again.stderr
    doc = again.json()
    assert doc["status"] == "complete"
    if where == "readme":
        assert doc["cards"]["fetched"] == 2 and q(db, "SELECT count(*) FROM cards")[0][0] == 2
    else:
        # the snapshot's totals: page 0 from the failed run, page 1 now, nothing read twice
        assert doc["snapshots"][0]["resumed"] is True and (doc["pages"], doc["records"]) == (2, len(GOOD))
    assert [r[0] for r in q(db, "SELECT id FROM models WHERE deleted_at IS NULL ORDER BY id")] == GOOD_IDS


def test_a_slow_answer_within_the_deadline_is_read_whole(slow) -> None:
    """The deadline bounds an attempt, not a healthy slow one: a page trickled over ~0.8 s is read when
    the deadline allows 3 s, with no retry."""
    slow.list_mode = "body"
    slow.interval = 0.8 / len(json.dumps(GOOD[3:]))
    with HubClient(slow.url, timeout=2, deadline=3, retries=0) as c:
        page = c.get_page(f"{slow.url}/api/models?cursor=3&limit=3")
    assert [json.loads(e)["id"] for e in page.entries] == [e["id"] for e in GOOD[3:]]
    assert c.stats.retries == 0 and c.stats.api_calls == 1


def test_the_deadline_defaults_to_a_multiple_of_timeout_and_must_be_positive(cli, tmp_path) -> None:
    assert HubClient("http://127.0.0.1:9", timeout=7).deadline == DEADLINE_FACTOR * 7
    assert HubClient("http://127.0.0.1:9", timeout=7, deadline=3).deadline == 3
    for bad in ("0", "-1", "nan"):
        res = cli("--db", tmp_path / "x.duckdb", "crawl", "--endpoint", "http://127.0.0.1:9", "--deadline", bad)
        assert res.code == int(Exit.USAGE) and "--deadline" in res.stderr, (bad, res.stderr)
        _no_traceback(res)
    assert not (tmp_path / "x.duckdb").exists()


def test_every_connection_pool_is_bounded_proxies_included(monkeypatch) -> None:
    """The deadline is enforced where httpcore reads the socket; a proxy from the environment gets its own
    connection pool, which must be bounded too (a broken proxy is the case this is for). Fails if an
    httpx release moves what :func:`bound_connections` reaches."""
    with HubClient("http://127.0.0.1:9") as c:
        assert c.bounded
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with HubClient("https://huggingface.co") as c:
        assert c.bounded and getattr(c._http, "_mounts", None)


def test_headers_trickled_through_the_client_end_at_the_deadline(slow) -> None:
    """The headers, which httpx reads before any body streaming begins, are bounded too."""
    slow.list_mode = "headers"
    t0 = time.monotonic()
    with HubClient(slow.url, timeout=2, deadline=0.5, retries=0) as c, pytest.raises(Unreachable, match="deadline"):
        c.get_page(f"{slow.url}/api/models?cursor=3&limit=3")
    assert time.monotonic() - t0 < 1.5


# --- the size bound -----------------------------------------------------------------------------------

class _BigHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    answers: dict[str, tuple[list[tuple[str, str]], bytes]] = {}
    seen: list[str] = []

    def log_message(self, *a: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        self.seen.append(self.path)
        key = next((k for k in self.answers if k in self.path), "")
        headers, body = self.answers.get(key, ([], b"[]"))
        self.send_response(200)
        for k, v in headers:
            self.send_header(k, v)
        if ("Transfer-Encoding", "chunked") in headers:
            self.end_headers()
            for i in range(0, len(body), 4096):
                part = body[i:i + 4096]
                self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass


@pytest.fixture
def big() -> Iterator[tuple[str, type[_BigHandler]]]:
    handler = type("B", (_BigHandler,), {"answers": {}, "seen": []})
    srv = _QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}", handler
    finally:
        srv.shutdown()
        srv.server_close()


def _array_of(n_bytes: int) -> bytes:
    return json.dumps([{"id": f"a/{i}", "pad": "x" * 100} for i in range(n_bytes // 120 + 1)]).encode()


@pytest.mark.parametrize("how", ["plain", "chunked", "gzip"])
def test_an_answer_larger_than_the_bound_is_refused_once(big, how) -> None:
    """A body past ``max_body`` (announced, chunked without a length, or a small gzip that inflates past
    it) is refused with exit 65 after one request: retrying would read it again."""
    url, handler = big
    body = _array_of(200_000)
    ct = ("Content-Type", "application/json")
    if how == "plain":
        handler.answers["/api/models"] = ([ct], body)
    elif how == "chunked":
        handler.answers["/api/models"] = ([ct, ("Transfer-Encoding", "chunked")], body)
    else:
        packed = gzip.compress(body)
        assert len(packed) < 50_000  # small on the wire: only the decoded size can trip the bound
        handler.answers["/api/models"] = ([ct, ("Content-Encoding", "gzip")], packed)
    with HubClient(url, max_body=100_000, retries=3, backoff=0.01) as c:
        with pytest.raises(TooLarge, match="larger than 100,000 bytes.*--page-size") as exc:
            c.get_page(f"{url}/api/models")
        assert isinstance(exc.value, InvalidInput) and c.stats.api_calls == 1
        # Under the bound the same answers are read whole.
        c.max_body = 1_000_000
        assert len(c.get_page(f"{url}/api/models").entries) == 200_000 // 120 + 1


def test_a_readme_larger_than_the_bound_is_a_card_not_read_and_a_tree_is_refused(big) -> None:
    """--cards: one huge README does not stop the crawl, it is counted as not readable; a file-tree page
    past the bound is not the Hub's answer (exit 65), like a list page."""
    url, handler = big
    handler.answers["/resolve/main/README.md"] = ([("X-Repo-Commit", "c0ffee")], b"# " + b"x" * 50_000)
    handler.answers["/tree/main"] = ([("Content-Type", "application/json")], _array_of(50_000))
    with HubClient(url, max_body=10_000) as c:
        tf = c.get_text_file("org/m", "README.md")
        assert (tf.status, tf.text, tf.error_code) == (0, None, "TooLarge")
        with pytest.raises(TooLarge):
            c.get_tree("org/m")
        assert c.stats.api_calls == 2
        c.max_body = 100_000
        assert c.get_text_file("org/m", "README.md").text.startswith("# xx")
        assert len(c.get_tree("org/m") or []) == 50_000 // 120 + 1
