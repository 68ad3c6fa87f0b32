"""The Hub client against a tiny scripted loopback server of our own.

Why not only the simulated Hub: these tests pin the client's reading of HTTP details the simulator does
not vary (an HTTP-date ``Retry-After``, a 400 that names the refused field by index, the bearer token,
a body that is valid JSON but not a list, a pretty-printed page) and run in milliseconds.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openscope.errors import InvalidInput, Unreachable
from openscope.sources.hub import HubClient, announced_wait, split_array, strip_expand

ENTRIES = [{"id": f"org/m{i}", "lastModified": f"2025-01-0{1 + i % 9}T00:00:00.000Z", "downloads": i}
           for i in range(7)]


class Scripted:
    """Answers list requests from ENTRIES (3 per page, cursor = offset) unless a scripted answer is
    queued: (status, headers, body, cut) where ``cut`` sends only that many body bytes then closes."""

    def __init__(self) -> None:
        self.queue: list[tuple[int, dict[str, str], bytes, int | None]] = []
        self.seen: list[tuple[float, str, dict[str, str]]] = []
        self.lock = threading.Lock()
        self.entries: list[dict] = list(ENTRIES)


@pytest.fixture
def fake() -> Iterator[tuple[str, Scripted]]:
    script = Scripted()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            with script.lock:
                script.seen.append((time.monotonic(), self.path, dict(self.headers.items())))
                item = script.queue.pop(0) if script.queue else None
            if item is None and "/resolve/" in self.path:
                if self.path.startswith("/org/m0/"):
                    item = (403, {}, b'{"error":"gated"}', None)
                elif self.path.startswith("/org/m1/"):
                    item = (404, {"X-Error-Code": "RepoNotFound"}, b'{"error":"Repository not found"}', None)
                else:
                    item = (404, {"X-Repo-Commit": "c0ffee", "X-Error-Code": "EntryNotFound"}, b'{"error":"no"}',
                            None)
            elif item is None and "/tree/" in self.path:
                tree = [{"type": "directory", "oid": "d", "size": 0, "path": "sub"},
                        {"type": "file", "oid": "b1", "size": 5, "path": "sub/w.bin",
                         "lfs": {"oid": "5" * 64, "size": 5, "pointerSize": 134}}]
                item = (200, {"Content-Type": "application/json"}, json.dumps(tree).encode(), None)
            if item is None:
                u = urlsplit(self.path)
                q = parse_qs(u.query)
                start = int(q.get("cursor", ["0"])[0])
                limit = 1 if q.get("limit") == ["1"] else 3
                body = json.dumps(script.entries[start:start + limit]).encode()
                headers = {"Content-Type": "application/json"}
                if start + limit < len(script.entries):
                    headers["Link"] = f'<http://{self.headers["Host"]}/api/models?cursor={start + 3}>; rel="next"'
                item = (200, headers, body, None)
            status, headers, body, cut = item
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            if cut is not None:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body if cut is None else body[:cut])
            if cut is not None:
                self.wfile.flush()
                self.close_connection = True

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    th = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    th.start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}", script
    finally:
        srv.shutdown()
        srv.server_close()


def _client(url: str, **kw) -> HubClient:
    kw.setdefault("backoff", 0.01)
    kw.setdefault("retries", 3)
    return HubClient(url, **kw)


def test_split_array_keeps_each_entry_text_exactly() -> None:
    body = '[{"id":"a","x":1.50,"s":"\\u00e9\\n"}, {"id" : "b"}\n,{"id":"c",\n"t":[1, 2]}]'
    assert split_array(body) == ['{"id":"a","x":1.50,"s":"\\u00e9\\n"}', '{"id" : "b"}', '{"id":"c", "t":[1, 2]}']
    assert split_array(" [ ] ") == []
    for bad in ('[{"id":"a"}', '[{"id":"a"},', '[{"id":"a"}] x', ""):
        with pytest.raises(ValueError):
            split_array(bad)
    with pytest.raises(InvalidInput):
        split_array('{"error": "not a list"}')


def test_announced_wait_reads_ratelimit_and_retry_after() -> None:
    assert announced_wait(httpx.Headers({"RateLimit": '"api";r=0;t=37'})) == 37
    assert announced_wait(httpx.Headers({"RateLimit": '"api";r=0;t=3', "Retry-After": "5"})) == 5
    now = time.time()
    wait = announced_wait(httpx.Headers({"Retry-After": formatdate(now + 120, usegmt=True)}), now=now)
    assert wait is not None and 118 <= wait <= 121
    assert announced_wait(httpx.Headers({})) is None


def test_pages_follow_the_link_cursor_and_send_the_token(fake) -> None:
    url, script = fake
    with _client(url, token="hf_secret") as c:
        pages = list(c.iter_pages(f"{url}/api/models?limit=3"))
    got = [json.loads(e)["id"] for p in pages for e in p.entries]
    assert got == [e["id"] for e in ENTRIES]
    assert len(pages) == 3 and pages[-1].next_url is None
    assert all(h.get("Authorization") == "Bearer hf_secret" for _, _, h in script.seen)
    assert c.stats.api_calls == 3


def test_429_waits_for_the_announced_reset_and_never_earlier(fake) -> None:
    url, script = fake
    script.queue.append((429, {"RateLimit": '"api";r=0;t=1', "RateLimit-Policy": '"fixed window";"api";q=5;w=1'},
                         b'{"error":"rate limited"}', None))
    waits: list[float] = []
    with _client(url, on_wait=lambda s, r: waits.append(s)) as c:
        page = c.get_page(f"{url}/api/models")
    assert len(page.entries) == 3
    (t429, _, _), (t_next, _, _) = script.seen[:2]
    assert t_next - t429 >= 1.0
    assert waits and c.stats.rate_limit_wait_s >= 0.9


def test_a_spent_window_delays_the_next_request_before_any_429(fake) -> None:
    url, script = fake
    body = json.dumps(ENTRIES[:3]).encode()
    script.queue.append((200, {"RateLimit": '"api";r=0;t=1', "Link": f'<{url}/api/models?cursor=3>; rel="next"'},
                         body, None))
    with _client(url) as c:
        pages = list(c.iter_pages(f"{url}/api/models"))
    assert sum(len(p.entries) for p in pages) == 7
    assert script.seen[1][0] - script.seen[0][0] >= 1.0
    assert c.stats.api_calls == 3  # no 429 was needed


def test_a_wait_longer_than_max_wait_is_unreachable(fake) -> None:
    url, script = fake
    script.queue.append((429, {"Retry-After": "3600"}, b"{}", None))
    with _client(url, max_wait=10) as c, pytest.raises(Unreachable, match="max-wait"):
        c.get_page(f"{url}/api/models")


def test_5xx_and_truncated_bodies_are_retried(fake) -> None:
    url, script = fake
    good = json.dumps(ENTRIES[:3]).encode()
    script.queue += [(503, {}, b"busy", None), (200, {}, good, len(good) // 2), (200, {}, b"[{\"id\": ", None)]
    with _client(url) as c:
        page = c.get_page(f"{url}/api/models")
    assert [json.loads(e)["id"] for e in page.entries] == [e["id"] for e in ENTRIES[:3]]
    assert c.stats.retries == 3 and c.stats.api_calls == 4


def test_retries_spent_is_unreachable(fake) -> None:
    url, script = fake
    script.queue += [(500, {}, b"x", None)] * 3
    with _client(url, retries=2) as c, pytest.raises(Unreachable, match="after 3 attempts"):
        c.get_page(f"{url}/api/models")


def test_connection_refused_is_unreachable() -> None:
    import socket

    # The port stays bound, never listening, until the test ends: a connection to it is refused, and no server
    # another test starts meanwhile can be handed it (closed first, it was free for any bind to port 0).
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        with _client(f"http://127.0.0.1:{port}", retries=1) as c, pytest.raises(Unreachable):
            c.get_page(f"http://127.0.0.1:{port}/api/models")


def test_refused_expand_is_dropped_by_index_or_name(fake) -> None:
    url, script = fake
    script.queue.append((400, {}, b'{"error":"\\"expand[1]\\" must be one of [author, likes]"}', None))
    script.queue.append((400, {}, b'{"error":"invalid expand value(s): gguf; allowed: author, baseModels"}', None))
    warned: list[str] = []
    with _client(url, on_warning=warned.append) as c:
        page = c.get_page(f"{url}/api/models?expand=author&expand=baseModels&expand=gguf&limit=3")
        assert c.stats.dropped_expand == ["baseModels", "gguf"]
        assert len(page.entries) == 3
    assert "expand=author" in script.seen[-1][1] and "baseModels" not in script.seen[-1][1]
    assert "gguf" not in script.seen[-1][1]
    assert len(warned) == 2 and "baseModels" in warned[0]


def test_a_400_not_about_expand_is_invalid_input(fake) -> None:
    url, script = fake
    script.queue.append((400, {}, b'{"error":"bad filter"}', None))
    with _client(url) as c, pytest.raises(InvalidInput, match="bad filter"):
        c.get_page(f"{url}/api/models?filter=x")


def test_strip_expand_keeps_the_rest_of_the_query() -> None:
    u = strip_expand("http://h/api/models?expand=a&expand=b&cursor=abc%3D%3D&limit=5", ["b"])
    q = httpx.URL(u).params
    assert q.get_list("expand") == ["a"] and q["cursor"] == "abc==" and q["limit"] == "5"


def test_a_rejected_entry_is_not_taken_for_a_deleted_repository(fake, tmp_path, cli) -> None:
    """A full crawl marks unseen repositories deleted; one whose entry was read but rejected was seen."""
    import duckdb

    url, script = fake
    db = tmp_path / "s.duckdb"
    assert cli("--db", db, "crawl", "--endpoint", url, "--quiet", "--no-derive").code == 0
    script.entries = [dict(e) for e in ENTRIES[:6]]  # org/m6 is gone
    script.entries[2]["lastModified"] = "not a date"  # org/m2 is still there, but its entry is bad
    assert cli("--db", db, "crawl", "--endpoint", url, "--full", "--quiet", "--no-derive").code == 0
    con = duckdb.connect(str(db), read_only=True)
    gone = [r[0] for r in con.execute("SELECT id FROM models WHERE deleted_at IS NOT NULL").fetchall()]
    rejects = con.execute("SELECT snapshot_id, reason FROM rejects").fetchall()
    con.close()
    assert gone == ["org/m6"]
    assert len(rejects) == 1 and "lastModified" in rejects[0][1]


def test_hf_token_reaches_the_hub_from_the_command_line(fake, tmp_path, cli, monkeypatch) -> None:
    url, script = fake
    monkeypatch.setenv("HF_TOKEN", "hf_from_env")
    assert cli("--db", tmp_path / "s.duckdb", "crawl", "--endpoint", url, "--quiet", "--no-derive").code == 0
    assert script.seen and all(h.get("Authorization") == "Bearer hf_from_env" for _, _, h in script.seen)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.dictionaries(st.text(max_size=8), _json, max_size=5), max_size=6),
       st.sampled_from([(", ", ": "), (",", ":")]), st.booleans(), st.booleans())
def test_split_array_round_trips_any_page(entries, separators, indent, ascii_only) -> None:
    body = json.dumps(entries, separators=separators, indent=2 if indent else None, ensure_ascii=ascii_only)
    parts = split_array(body)
    assert [json.loads(p) for p in parts] == entries
    assert all("\n" not in p for p in parts)
    if not indent:  # compact or spaced bodies: each part is the entry's own text, byte for byte
        assert all(p in body for p in parts)


def test_cards_absent_readme_is_known_absent_and_unreadable_is_retried(fake, tmp_path, cli) -> None:
    import duckdb

    url, script = fake
    db = tmp_path / "s.duckdb"
    doc = cli("--db", db, "crawl", "--endpoint", url, "--json", "--no-derive", "--cards", "--top", "3").json()
    # most downloaded first: m6, m5, m4 (downloads = index); none has a README.md here
    assert doc["cards"] == {"candidates": 3, "fetched": 0, "missing": 3, "failed": 0, "trees": 3, "files": 3,
                            "api_calls": 6, "trees_failed": 0, "retry_later": 0, "deferred": 0,
                            "readmes_retry_later": 0, "readmes_deferred": 0,
                            "retried_now": 0, "readmes_retried_now": 0,
                            "license_files": {"read": 0, "too_large": 0, "failed": 0}}
    con = duckdb.connect(str(db), read_only=True)
    cards = con.execute("SELECT id, sha, text FROM cards ORDER BY id").fetchall()
    files = con.execute("SELECT id, path, size, blob_id, lfs_sha256 FROM files ORDER BY id").fetchall()
    con.close()
    assert cards == [("org/m4", "c0ffee", None), ("org/m5", "c0ffee", None), ("org/m6", "c0ffee", None)]
    assert files == [(f"org/m{i}", "sub/w.bin", 5, "b1", "5" * 64) for i in (4, 5, 6)]
    doc = cli("--db", db, "crawl", "--endpoint", url, "--json", "--no-derive", "--cards", "--top", "10").json()
    # org/m0 answers 403 (gated), org/m1 404 RepoNotFound (gone since the listing): both not readable
    assert doc["cards"]["candidates"] == 4 and doc["cards"]["failed"] == 2 and doc["cards"]["missing"] == 2
    assert doc["cards"]["readmes_retry_later"] == 2   # both refusals: asked again at a new commit or in 30 days
    doc = cli("--db", db, "crawl", "--endpoint", url, "--json", "--no-derive", "--cards").json()
    # not asked again at the same commit (migration 0016; before: both were asked at every run)
    assert doc["cards"]["candidates"] == 0 and doc["cards"]["readmes_deferred"] == 2


def test_a_503_with_retry_after_is_retried_no_sooner(fake) -> None:
    url, script = fake
    script.queue.append((503, {"Retry-After": "1"}, b"maintenance", None))
    with _client(url) as c:
        page = c.get_page(f"{url}/api/models")
    assert len(page.entries) == 3
    assert script.seen[1][0] - script.seen[0][0] >= 1.0


def test_a_refused_cursor_suggests_restart(fake) -> None:
    url, script = fake
    script.queue.append((400, {}, b'{"error":"invalid cursor"}', None))
    with _client(url) as c, pytest.raises(InvalidInput, match="--restart"):
        c.get_page(f"{url}/api/models?cursor=stale")


def test_progress_estimate_for_a_crawl_down_to_a_cutoff() -> None:
    import datetime as dt

    from openscope.jobs.crawl import _estimate_total

    head, cutoff = dt.datetime(2026, 1, 10), dt.datetime(2026, 1, 1)
    assert _estimate_total(1000, head, dt.datetime(2026, 1, 7), cutoff) == 3000  # a third of the span
    assert _estimate_total(1000, head, head, cutoff) is None  # nothing covered yet: no guess
    assert _estimate_total(1000, None, head, cutoff) is None


@pytest.mark.reference
def test_real_hub_responses_crawl_into_the_store(fake, tmp_path, cli, shared_data) -> None:
    """The four real `/api/models/{id}` answers, served as one pretty-printed list page, crawl in whole:
    lineage tags kept, the Hub's 'unknown date' minute stored as unknown."""
    import duckdb

    url, script = fake
    real = [json.loads(p.read_text()) for p in sorted((shared_data / "hub-api").glob("*.model_info.json"))]
    assert len(real) == 4
    script.entries = real
    body = json.dumps(real, indent=1).encode()  # pretty-printed, newlines inside entries
    script.queue.append((200, {"Content-Type": "application/json"}, json.dumps(real[:1]).encode(), None))  # head
    script.queue.append((200, {"Content-Type": "application/json"}, body, None))
    db = tmp_path / "s.duckdb"
    dump = tmp_path / "dump.jsonl"
    r = cli("--db", db, "crawl", "--endpoint", url, "--json", "--no-derive", "--dump", dump)
    assert r.code == 0, r.stderr
    assert r.json()["records"] == 4 and r.json()["rejects"] == 0
    con = duckdb.connect(str(db), read_only=True)
    rows = dict(con.execute("SELECT id, created_at FROM models").fetchall())
    raw_created = dict(con.execute("SELECT id, created_at_raw FROM models").fetchall())
    tags = {r[0] for r in con.execute("SELECT tag FROM tags WHERE id = 'deepset/roberta-base-squad2'").fetchall()}
    con.close()
    assert set(rows) == {e["id"] for e in real}
    unknown = [e for e in real if str(e.get("createdAt", "")).startswith("2022-03-02T23:29")]
    assert unknown
    for e in unknown:
        assert rows[e["id"]] is None and raw_created[e["id"]] == e["createdAt"]
    assert "base_model:finetune:FacebookAI/roberta-base" in tags
    lines = dump.read_text().splitlines()
    assert len(lines) == 4 and [json.loads(x) for x in lines] == real
