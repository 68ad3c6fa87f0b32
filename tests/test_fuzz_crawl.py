"""Fuzz ``openscope crawl`` against a hostile Hub, and the ingest gaps left by the pipeline fuzzing.

Why: the crawler meets whatever a network and a server can do to it, for hours. The simulated Hub
injects the faults a polite real Hub shows (429 windows, 5xx, cut bodies, an outage); this module adds
a loopback server whose every answer is drawn by hypothesis: bodies that are not JSON, JSON that is
not a list, odd entries (the strategies of ``test_fuzz_pipeline``), lying ``Content-Length``, corrupt
gzip, wrong or missing charsets, ``Link`` headers that are malformed, point to another host or route,
loop back to an earlier page or never end, 429s with negative, huge or non-numeric ``Retry-After`` and
``RateLimit``, 5xx storms, redirects to another host, slow answers and empty 200s.

Properties, for the real ``openscope crawl`` run in-process:
- the exit code is 0 or a contract code, never 70; no traceback; ``--json`` is one JSON document;
- every run ends (cycles and endless cursors included) within the test's time;
- after a good crawl, a hostile crawl keeps every stored id (none marked deleted unless that crawl
  completed) and the good crawl's counters; a failed crawl's snapshot is ``failed``, never
  ``complete`` or left ``running``;
- on a crawl that completes, every entry the endpoint served is stored or is a reject with a reason,
  and entries of the documented types are stored;
- a later crawl against a good Hub completes (resuming, or after ``--restart`` when the Hub refuses
  the stored cursor, as it refuses an expired one).

``OPENSCOPE_FUZZ_HUNT=300`` runs many more examples without shrinking (docs/fuzzing.md, *Crawl*).
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from held_open import reads_only
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from lineage_graphs import entry
from test_crawl_simhub import q
from test_fuzz_pipeline import CLEAN_IDS, _entry_id, clean_entry, odd_entry

from openscope.errors import Exit

_HUNT = int(os.environ.get("OPENSCOPE_FUZZ_HUNT") or 0)
FAST = settings(max_examples=_HUNT or 20, deadline=None, suppress_health_check=list(HealthCheck),
                phases=(Phase.explicit, Phase.generate) if _HUNT else tuple(Phase), print_blob=bool(_HUNT))
OK_CODES = {int(c) for c in Exit} - {int(Exit.CHECK_FAILED), int(Exit.INCOMPLETE)}
# Short waits for tests: the client's options (the same a user has), not a test-only switch.
QUICK = ["--backoff", "0.01", "--retries", "2", "--max-wait", "1", "--timeout", "2", "--no-derive"]


# --- the hostile server -------------------------------------------------------------------------------

@dataclass
class Answer:
    """One HTTP answer. ``length``: the Content-Length announced (None: the body's; -1: none, the body
    ends when the connection closes)."""

    status: int = 200
    body: bytes = b"[]"
    headers: list[tuple[str, str]] = field(default_factory=list)
    length: int | None = None
    delay: float = 0.0


@dataclass
class Page:
    """A page of the hostile plan: transient answers first (each served once), then ``final``."""

    entries: list[Any]
    body_kind: str = "array"
    link: str = "next"  # next | relative | none | malformed:<text> | foreign | cycle:<j> | endless | route
    transient: list[Answer] = field(default_factory=list)
    final: Answer | None = None  # served every time instead of the body_kind's answer


class HostileHub:
    """What the server answers: ``good`` (pages of GOOD entries) or a hostile plan of pages. Page ``i`` is
    asked with ``cursor=i`` (the first page without one); cursors ``e<k>`` are the endless pages."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.url = ""
        self.foreign_url = ""
        self.pages: list[Page] = []
        self.head: Answer | None = None
        self.served: set[int] = set()  # pages whose final, parseable answer was sent
        self.requests = 0
        self.route = "/api/models"
        self.foreign_auth: list[str | None] = []  # Authorization headers the other host received
        self.tree: Answer | None = None  # every /api/models/{id}/tree/main (--cards)
        self.readme: Answer | None = None  # every /{id}/resolve/main/README.md (--cards)

    def set_plan(self, pages: list[Page], head: Answer | None = None) -> None:
        with self.lock:
            self.pages, self.head, self.served = pages, head, set()
            self.tree = self.readme = None

    def set_good(self) -> None:
        self.set_plan([Page(GOOD[i:i + 3]) for i in range(0, len(GOOD), 3)])

    def link_to(self, cursor: str, route: str | None = None) -> str:
        return f'<{self.url}{route or self.route}?cursor={cursor}&limit=3>; rel="next"'

    def answer(self, path: str, query: dict[str, list[str]]) -> Answer:
        with self.lock:
            self.requests += 1
            if path.startswith("/api/models/") and "/tree/" in path and self.tree is not None:
                return self.tree
            if path.endswith("/resolve/main/README.md") and self.readme is not None:
                return self.readme
            if path not in ("/api/models", "/api/datasets"):
                return Answer(404, b'{"error":"Repository not found"}')
            self.route = path  # models and datasets page the same plan
            cursor = query.get("cursor", [None])[0]
            if cursor is None and query.get("limit") == ["1"]:  # the full crawl's head call
                return self.head or _body_answer("array", GOOD[-1:])
            if cursor is not None and cursor.startswith("e") and cursor[1:].isdigit():
                k = int(cursor[1:])
                src = self.pages[-1] if self.pages else Page([])
                if src.link != "endless":
                    return Answer(400, b'{"error":"Invalid cursor"}')
                a = _body_answer("array", src.entries if k % 2 else [])
                a.headers.append(("Link", self.link_to(f"e{k + 1}")))
                return a
            i = 0 if cursor is None else int(cursor) if cursor.isdigit() else -1
            if not 0 <= i < len(self.pages):
                return Answer(400, b'{"error":"Invalid cursor"}')
            page = self.pages[i]
            if page.transient:
                return page.transient.pop(0)
            if page.final is not None:
                return page.final
            a = _body_answer(page.body_kind, page.entries)
            if page.body_kind in PARSEABLE - {"latin1"}:  # Latin-1 bytes read as UTF-8 become U+FFFD
                self.served.add(i)
            last = i + 1 >= len(self.pages)
            link = page.link
            if link == "next" and not last:
                a.headers.append(("Link", self.link_to(str(i + 1))))
            elif link == "relative" and not last:
                a.headers.append(("Link", f'<{self.route}?cursor={i + 1}>; rel="next"'))
            elif link.startswith("malformed:"):
                a.headers.append(("Link", link.split(":", 1)[1]))
            elif link == "foreign":
                a.headers.append(("Link", f'<{self.foreign_url}{self.route}?cursor={i + 1}>; rel="next"'))
            elif link.startswith("cycle:"):
                a.headers.append(("Link", self.link_to(link.split(":", 1)[1])))
            elif link == "endless":
                a.headers.append(("Link", self.link_to("e1")))
            elif link == "route":
                other = "/api/models" if self.route == "/api/datasets" else "/api/datasets"
                a.headers.append(("Link", self.link_to(str(i + 1), other)))
            return a


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def _json_bytes(entries: list[Any], **kw: Any) -> bytes:
    return json.dumps(entries, ensure_ascii=False, **kw).encode("utf-8")


# JSON that Python's decoder accepts and a stricter reader may not; and text no Hub sends.
ODD_ELEMENTS = ['{"id":"odd/nan","downloads":NaN}', '{"id":"odd/inf","likes":-Infinity}',
                '{"id":"odd/big","downloads":123456789012345678901234567890}', '{"id":"odd/dup","id":"odd/dup2"}',
                '{"id":"odd/sur\\ud800","x":"\\udfff"}', '{"id":"odd/exp","downloads":1e400}',
                '{"id":"odd/nest","cardData":' + "[" * 500 + "]" * 500 + "}",
                '{"id":"odd/lm","lastModified":NaN,"createdAt":"2024-01-01T00:00:00+05:30"}']
PARSEABLE = {"array", "pretty", "gzip", "latin1", "html_ct", "utf16", "no_length", "odd_json"}


def _body_answer(kind: str, entries: list[Any]) -> Answer:
    ct = ("Content-Type", "application/json; charset=utf-8")
    body = _json_bytes(entries)
    if kind == "array":
        return Answer(200, body, [ct])
    if kind == "pretty":
        return Answer(200, _json_bytes(entries, indent=2), [ct])
    if kind == "gzip":
        return Answer(200, _gzip(body), [ct, ("Content-Encoding", "gzip")])
    if kind == "gzip_corrupt":
        return Answer(200, b"\x1f\x8b\x08\x00" + body[:20], [ct, ("Content-Encoding", "gzip")])
    if kind == "latin1":  # no charset: read as UTF-8, an invalid byte becomes U+FFFD
        return Answer(200, json.dumps(entries, ensure_ascii=False).encode("latin-1", "replace"),
                      [("Content-Type", "application/json")])
    if kind == "utf16":
        return Answer(200, json.dumps(entries, ensure_ascii=False).encode("utf-16"),
                      [("Content-Type", "application/json; charset=utf-16")])
    if kind == "wrong_charset":
        return Answer(200, body, [("Content-Type", "application/json; charset=utf-16")])
    if kind == "bogus_charset":
        return Answer(200, body, [("Content-Type", "application/json; charset=no-such-codec")])
    if kind == "html_ct":
        return Answer(200, body, [("Content-Type", "text/html")])
    if kind == "bom":
        return Answer(200, b"\xef\xbb\xbf" + body, [ct])
    if kind == "not_json":
        return Answer(200, b"<html><body>502 Bad Gateway</body></html>", [("Content-Type", "text/html")])
    if kind == "broken_json":
        return Answer(200, body[: max(1, len(body) - 2)] + b"x]", [ct])
    if kind == "binary":
        return Answer(200, bytes(range(256)) * 3, [("Content-Type", "application/octet-stream")])
    if kind == "not_list":
        return Answer(200, b'{"error":"Internal Error - We\'re working hard to fix this as soon as possible!"}', [ct])
    if kind == "null":
        return Answer(200, b"null", [ct])
    if kind == "empty":
        return Answer(200, b"", [ct])
    if kind == "truncated":  # announces more than it sends, then closes
        return Answer(200, body, [ct], length=len(body) + 100)
    if kind == "cl_short":  # announces less than it sends
        return Answer(200, body, [ct], length=max(0, len(body) // 2))
    if kind == "no_length":
        return Answer(200, body, [ct], length=-1)
    if kind == "odd_json":
        return Answer(200, ("[" + ",".join([json.dumps(e, ensure_ascii=False) for e in entries] + ODD_ELEMENTS)
                            + "]").encode("utf-8", "surrogatepass"), [ct])
    raise AssertionError(kind)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    hub: HostileHub
    foreign = False

    def log_message(self, *a: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        u = urlsplit(self.path)
        if self.foreign:  # another host: a good-looking page of entries no one asked for
            self.hub.foreign_auth.append(self.headers.get("Authorization"))
            a = _body_answer("array", [entry("foreign/x")])
            a.headers.append(("Link", f'<http://{self.headers["Host"]}/api/models?cursor=9>; rel="next"'))
        else:
            a = self.hub.answer(u.path, parse_qs(u.query))
        if a.delay:
            time.sleep(a.delay)
        self.send_response(a.status)
        for k, v in a.headers:
            self.send_header(k, v)
        close = a.length is not None
        if a.length != -1:
            self.send_header("Content-Length", str(len(a.body) if a.length is None else a.length))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        try:
            self.wfile.write(a.body)
            self.wfile.flush()
        except OSError:
            pass


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hangs up on a lying answer is expected; its reset is no test output


def _serve(handler: type[BaseHTTPRequestHandler]) -> tuple[ThreadingHTTPServer, str]:
    srv = _QuietServer(("127.0.0.1", 0), handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return srv, f"http://127.0.0.1:{srv.server_address[1]}"


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileHub]:
    hub = HostileHub()
    handler = type("H", (_Handler,), {"hub": hub})
    foreign = type("F", (_Handler,), {"hub": hub, "foreign": True})
    srv, hub.url = _serve(handler)
    fsrv, hub.foreign_url = _serve(foreign)
    hub.set_good()
    try:
        yield hub
    finally:
        for s in (srv, fsrv):
            s.shutdown()
            s.server_close()


GOOD = [entry(f"good/m{i}", ("license:mit",), downloads=10 * i + 1, created=f"2024-0{1 + i}-01T00:00:00.000Z")
        for i in range(6)]
GOOD_IDS = sorted(e["id"] for e in GOOD)


# --- running and checking -----------------------------------------------------------------------------

def _check(res: Any, what: Any = "") -> Any:
    """The contract for every run: a documented exit code, no traceback, one JSON document on success."""
    assert res.code in OK_CODES, (what, res.code, res.stderr[-2000:])
    assert "Traceback" not in res.stderr and "internal error" not in res.stderr, (what, res.stderr[-2000:])
    if res.code != 0:
        assert res.stderr.strip(), ("a failure must say why", what)
        assert res.stdout == "", (what, res.stdout[:300])
        return None
    try:
        return json.loads(res.stdout)  # exactly one document: json.loads refuses trailing data
    except ValueError as exc:
        raise AssertionError((what, "stdout is not one JSON document", res.stdout[:500])) from exc


def _crawl(cli: Any, db: Path, hub: HostileHub, *args: str) -> Any:
    return cli("--db", db, "--json", "crawl", "--endpoint", hub.url, *QUICK, *args)


@pytest.fixture(scope="module")
def good_store(hostile: HostileHub, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store after one good full crawl of the hostile server in its good mode (copied per example)."""
    from openscope.cli import main

    hostile.set_good()
    db = tmp_path_factory.mktemp("good") / "good.duckdb"
    assert main(["--db", str(db), "--quiet", "crawl", "--endpoint", hostile.url, *QUICK]) == 0
    assert [r[0] for r in q(db, "SELECT id FROM models ORDER BY id")] == GOOD_IDS
    return db


def _fresh(good: Path, tmp: Path) -> Path:
    db = tmp / "s.duckdb"
    shutil.copyfile(good, db)
    return db


# --- strategies ---------------------------------------------------------------------------------------

BODY_KINDS = ["array", "array", "pretty", "gzip", "gzip_corrupt", "latin1", "utf16", "wrong_charset",
              "bogus_charset", "html_ct", "bom", "not_json", "broken_json", "binary", "not_list", "null",
              "empty", "truncated", "cl_short", "no_length", "odd_json"]
MALFORMED_LINKS = ["garbage", '<>; rel="next"', '<http://[::1>; rel="next"', "<:::>; rel=next",
                   '<http://127.0.0.1:99999/api/models>; rel="next"', '<?cursor=1>; rel="next"', 'rel="next"',
                   "<" + "x" * 5000 + '>; rel="next"', '<javascript:alert(1)>; rel="next"',
                   '<file:///etc/passwd>; rel="next"', '<http://127.0.0.1:1/x>; rel="prev"', "<", ";;;,,,",
                   '<https://user:pw@[fe80::1%25eth0]:0/x>; rel="next"', '<http://\u00e9.invalid/x>; rel="next"',
                   '<\x7f>; rel="next"', '< http://a b >; rel="next"']
RETRY_AFTERS = ["-5", "0", "nan", "inf", "-inf", "1e309", "abc", "", "99999999", "0.05", "1e-9", " 0 ",
                formatdate(0, usegmt=True), formatdate(time.time() + 10**8, usegmt=True), "Wed, 99 Foo 2024",
                "\u0661", "0x10", "1_0"]
RATELIMITS = ['"api";r=0;t=-3', '"api";r=0;t=abc', '"api";r=0;t=0', '"api";r=-1;t=1', "t=1e9",
              '"api";r=0;t=99999999999999999999999', "", "r=0", "t=", '"api";r=0;t=0.01', "garbage;;;="]


@st.composite
def transient(draw: st.DrawFn, hub_url: str, foreign_url: str) -> Answer:
    kind = draw(st.sampled_from(["429", "429", "5xx", "truncated", "slow", "redirect_foreign",
                                 "redirect_self", "gzip_corrupt", "empty"]))
    if kind == "429":
        h = []
        if draw(st.booleans()):
            h.append(("Retry-After", draw(st.sampled_from(RETRY_AFTERS))))
        if draw(st.booleans()):
            h.append(("RateLimit", draw(st.sampled_from(RATELIMITS))))
        return Answer(429, b'{"error":"rate limited"}', h)
    if kind == "5xx":
        h = [("Retry-After", draw(st.sampled_from(RETRY_AFTERS)))] if draw(st.booleans()) else []
        return Answer(draw(st.sampled_from([500, 502, 503, 504, 599])), b"oops", h)
    if kind == "truncated":
        return _body_answer("truncated", GOOD[:2])
    if kind == "slow":
        return Answer(200, _json_bytes(GOOD[:1]), [], delay=draw(st.sampled_from([0.05, 0.2, 2.5])))
    if kind == "redirect_foreign":
        return Answer(draw(st.sampled_from([301, 302, 307, 308])), b"",
                      [("Location", f"{foreign_url}/api/models?cursor=0")])
    if kind == "redirect_self":
        return Answer(302, b"", [("Location", "/api/models?" + draw(st.sampled_from(["cursor=0", "cursor=zz"])))])
    return _body_answer(kind, [])


@st.composite
def plans(draw: st.DrawFn, hub: HostileHub) -> tuple[list[Page], Answer | None]:
    n = draw(st.integers(1, 4))
    pages: list[Page] = []
    for i in range(n):
        entries = draw(st.lists(odd_entry() | st.sampled_from(GOOD) | CLEAN_IDS.flatmap(clean_entry), max_size=4))
        link = draw(st.sampled_from(["next", "next", "next", "relative", "none", "foreign", "endless", "route",
                                     "cycle", "malformed"]))
        if link == "cycle":
            link = f"cycle:{draw(st.integers(0, i))}"
        elif link == "malformed":
            link = "malformed:" + draw(st.sampled_from(MALFORMED_LINKS))
        tr = draw(st.lists(transient(hub.url, hub.foreign_url), max_size=3))
        pages.append(Page(entries, draw(st.sampled_from(BODY_KINDS)), link, tr))
    head = draw(st.none() | st.sampled_from(["array", "not_list", "empty", "null", "odd_json"]).map(
        lambda k: _body_answer(k, [{"id": "h/x", "lastModified": "2099-13-45"}])))
    return pages, head


# --- the properties -----------------------------------------------------------------------------------

def _snapshot_rows(db: Path) -> list[tuple]:
    return q(db, "SELECT snapshot_id, status, kind FROM snapshots ORDER BY snapshot_id")


def _good_state(db: Path) -> tuple[list[tuple], list[tuple]]:
    ids = q(db, "SELECT id FROM models WHERE id LIKE 'good/%' ORDER BY id")
    stats = q(db, "SELECT id, downloads_30d, likes FROM model_stats WHERE snapshot_id = 1 ORDER BY id")
    return ids, stats


def _served_entries(hub: HostileHub, pages: list[Page]) -> list[Any]:
    return [e for i in sorted(hub.served) for e in pages[i].entries]


def _assert_accounted(db: Path, sid: int, served: list[Any], clean_ids: set[str]) -> None:
    """Every served entry is stored by this snapshot or one of its rejects; clean entries are stored."""
    touched = {r[0] for r in q(db, "SELECT id FROM models WHERE last_snapshot_id = ?", [sid])}
    rejects = q(db, "SELECT raw, reason FROM rejects WHERE snapshot_id = ?", [sid])
    assert all(r[1] for r in rejects)
    rejected = []
    for raw, _ in rejects:
        try:
            rejected.append(json.loads(raw))
        except (ValueError, TypeError, RecursionError):
            rejected.append(raw)
    for e in served:
        i = _entry_id(e)
        if i in clean_ids:
            assert i in touched, (i, "a well-typed entry must be stored")
        elif not (i is not None and i in touched):
            assert e in rejected or json.dumps(e, ensure_ascii=False)[:4000] in {r[0] for r in rejects}, e


def _clean_ids(pages: list[Page]) -> set[str]:
    """Ids of served entries built by ``clean_entry`` or GOOD (every field of its documented type), when
    no other entry in the plan uses the same id (an odd twin may be the one read last)."""
    from collections import Counter

    ids = Counter(str(_entry_id(e)).lower() for p in pages for e in p.entries)
    out = set()
    for p in pages:
        for e in p.entries:
            i = _entry_id(e)
            if i and ids[i.lower()] == 1 and (e in GOOD or (i.startswith("ok") and e.get("_id") == i
                                                           and isinstance(e.get("likes"), int))):
                out.add(i)
    return out


KINDS = [(), ("--full",), ("--full",), ("--counters",), ("--limit", "5"), ("--since", "2024-03-01"),
         ("--full", "--dump", "{tmp}/dump.jsonl"), ("--datasets",)]


@FAST
@given(data=st.data(), kind=st.sampled_from(KINDS))
def test_a_hostile_hub_never_breaks_the_contract_or_the_store(cli, hostile, good_store, tmp_path_factory,
                                                              data, kind) -> None:
    tmp = tmp_path_factory.mktemp("h")
    db = _fresh(good_store, tmp)
    before = _good_state(db)
    pages, head = data.draw(plans(hostile))
    hostile.set_plan(pages, head)
    t0 = time.monotonic()
    args = tuple(a.format(tmp=tmp) for a in kind)
    full = args[:1] == ("--full",)
    res = _crawl(cli, db, hostile, *args)
    assert time.monotonic() - t0 < 60, "a hostile Hub must not keep the crawl for long"
    doc = _check(res, ("hostile", full))
    with reads_only(db):  # the queries below share one started database (held_open)
        snaps = _snapshot_rows(db)
        # one new snapshot, two with --datasets (the models' may complete before the datasets' fails)
        assert snaps[0] == (1, "complete", "full") and len(snaps) in ((2, 3) if "--datasets" in args else (2,)), snaps
        sid, status = snaps[1][0], snaps[-1][1]
        ids_after, stats_after = _good_state(db)
        assert ids_after == before[0] and stats_after == before[1]  # nothing stored is lost
        if doc is None:
            assert status == "failed" and all(s[1] in ("complete", "failed") for s in snaps), snaps
            if "--datasets" not in args:
                assert q(db, "SELECT count(*) FROM models WHERE deleted_at IS NOT NULL")[0][0] == 0
        else:
            assert all(s[1] == "complete" for s in snaps) and doc["status"] == "complete"
            if full and "--dump" in args:  # the dump holds exactly the entries read
                assert (tmp / "dump.jsonl").read_text(encoding="utf-8").count("\n") == doc["records"]
            if full:
                _assert_accounted(db, sid, _served_entries(hostile, pages), _clean_ids(pages))

    hostile.set_good()
    res = _crawl(cli, db, hostile, *args)
    if res.code == int(Exit.DATAERR) and "--restart" in res.stderr:  # the Hub refused the stored cursor
        res = _crawl(cli, db, hostile, *args, "--restart")
    doc = _check(res, "good again")
    assert doc is not None and doc["status"] == "complete", res.stderr
    assert [r[0] for r in q(db, "SELECT id FROM models WHERE id LIKE 'good/%' ORDER BY id")] == GOOD_IDS
    if full:
        # A resumed full crawl trusts the pages it committed before (a hostile page 0 that was empty
        # makes its ids look gone); the next full crawl of the good Hub sets the store right again.
        doc = _check(_crawl(cli, db, hostile, "--full"), "full again")
        assert doc is not None and doc["status"] == "complete" and not doc["snapshots"][0]["resumed"]
        assert [r[0] for r in q(db, "SELECT id FROM models WHERE deleted_at IS NULL AND id LIKE 'good/%' "
                                    "ORDER BY id")] == GOOD_IDS
    assert q(db, "SELECT count(*) FROM snapshots WHERE status = 'running'")[0][0] == 0


# --- regressions: each failed before its fix ---------------------------------------------------------

def _failed_then_resumed(cli: Any, db: Path, hub: HostileHub, res: Any, needle: str, code: Exit) -> None:
    """The hostile crawl failed with ``code`` naming ``needle``; the good crawl is intact and a later run
    against the good Hub completes."""
    assert res.code == int(code) and needle in res.stderr, (res.code, res.stderr)
    _check(res)
    assert _snapshot_rows(db)[-1][1] == "failed"
    assert [r[0] for r in q(db, "SELECT id FROM models WHERE deleted_at IS NULL ORDER BY id")] == GOOD_IDS
    hub.set_good()
    again = _crawl(cli, db, hub, "--full")
    if again.code == int(Exit.DATAERR) and "--restart" in again.stderr:
        again = _crawl(cli, db, hub, "--full", "--restart")
    assert _check(again)["status"] == "complete"


@pytest.mark.parametrize("link, needle", [("cycle:0", "cycle"), ("endless", "never ends"),
                                          ("route", "another route")])
def test_a_link_that_never_reaches_the_end_stops_the_crawl(cli, hostile, good_store, tmp_path, link,
                                                            needle) -> None:
    """Before: a cycle or an endless cursor kept the crawl reading forever."""
    db = _fresh(good_store, tmp_path)
    hostile.set_plan([Page(GOOD[:3], link="next"), Page(GOOD[3:], link=link)])
    t0 = time.monotonic()
    res = _crawl(cli, db, hostile, "--full")
    assert time.monotonic() - t0 < 20
    _failed_then_resumed(cli, db, hostile, res, needle, Exit.DATAERR)


@pytest.mark.parametrize("link", ['<http://[::1>; rel="next"', '<\x7f>; rel="next"', "<:::>; rel=next"])
def test_a_link_that_is_no_url_is_invalid_input(cli, hostile, good_store, tmp_path, link) -> None:
    """Before: httpx.InvalidURL escaped from the page reader: "internal error", exit 70."""
    db = _fresh(good_store, tmp_path)
    hostile.set_plan([Page(GOOD[:3], link="malformed:" + link)])
    _failed_then_resumed(cli, db, hostile, _crawl(cli, db, hostile, "--full"), "not a URL", Exit.DATAERR)


@pytest.mark.parametrize("how", ["link", "redirect", "scheme"])
def test_nothing_is_read_from_or_sent_to_another_host(cli, hostile, good_store, tmp_path, monkeypatch,
                                                       how) -> None:
    """Before: a Link to another host was followed with the bearer token, and a redirect's page from
    another host was stored as the endpoint's (and a full crawl then marked the real ids deleted)."""
    monkeypatch.setenv("HF_TOKEN", "hf_secret")
    db = _fresh(good_store, tmp_path)
    hostile.foreign_auth.clear()
    if how == "link":
        pages = [Page(GOOD[:3], link="foreign")]
    elif how == "redirect":
        pages = [Page(GOOD[:3], transient=[Answer(307, b"", [("Location", f"{hostile.foreign_url}/api/models")])])]
    else:
        pages = [Page(GOOD[:3], link='malformed:<javascript:alert(1)>; rel="next"')]
    hostile.set_plan(pages)
    res = _crawl(cli, db, hostile, "--full")
    assert "hf_secret" not in hostile.foreign_auth and "Bearer hf_secret" not in hostile.foreign_auth
    assert q(db, "SELECT count(*) FROM models WHERE id LIKE 'foreign/%'")[0][0] == 0
    _failed_then_resumed(cli, db, hostile, res, "not followed", Exit.DATAERR)


def test_a_429_storm_is_bounded_by_max_wait_in_total(cli, hostile, good_store, tmp_path) -> None:
    """Before: each 429 wait was checked alone, so 100 waits of just under --max-wait each were accepted
    (25 hours at the default --max-wait 900)."""
    db = _fresh(good_store, tmp_path)
    hostile.set_plan([Page(GOOD, final=Answer(429, b"{}", [("Retry-After", "0.3")]))])
    t0 = time.monotonic()
    res = _crawl(cli, db, hostile, "--full")
    assert time.monotonic() - t0 < 5
    _failed_then_resumed(cli, db, hostile, res, "max-wait", Exit.UNAVAILABLE)


def test_a_page_nested_beyond_the_decoder_is_retried_then_69(cli, hostile, good_store, tmp_path) -> None:
    """Before: RecursionError from the JSON decoder escaped: "internal error", exit 70."""
    db = _fresh(good_store, tmp_path)
    deep = ("[" + "[" * 100000 + "]" * 100000 + "]").encode()
    hostile.set_plan([Page(GOOD, final=Answer(200, deep, [("Content-Type", "application/json")]))])
    _failed_then_resumed(cli, db, hostile, _crawl(cli, db, hostile, "--full"), "nested too deeply",
                         Exit.UNAVAILABLE)


@pytest.mark.parametrize("kind", ["incremental", "counters"])
def test_json_python_reads_and_duckdb_refuses_is_a_reject(cli, hostile, good_store, tmp_path, kind) -> None:
    """A lone surrogate escape, NaN, 1e400: valid to Python's decoder, not all to DuckDB's JSON reader.
    Before: the incremental crawl's lastModified cut-off query raised on the page: exit 70."""
    db = _fresh(good_store, tmp_path)
    newer = [dict(e, lastModified="2030-01-01T00:00:00.000Z") for e in GOOD[:2]]
    hostile.set_plan([Page(newer, body_kind="odd_json", link="none")])
    res = _crawl(cli, db, hostile, *(("--counters",) if kind == "counters" else ()))
    doc = _check(res, kind)
    assert doc["status"] == "complete" and doc["rejects"] >= 1
    reasons = [r[0] for r in q(db, "SELECT reason FROM rejects WHERE snapshot_id = 2")]
    assert reasons and all(reasons)


@pytest.mark.parametrize("first", ["[1]", '["x"]', "[null]", '[{"lastModified": NaN}]'])
def test_a_head_answer_whose_first_entry_is_no_object_is_no_watermark(cli, hostile, tmp_path, first) -> None:
    """Before: ``.get`` on a list element that is not an object: AttributeError, exit 70."""
    db = tmp_path / "s.duckdb"
    hostile.set_plan([Page(GOOD, link="none")], head=Answer(200, first.encode(), []))
    doc = _check(_crawl(cli, db, hostile))
    assert doc["status"] == "complete" and doc["records"] == len(GOOD)


# --- ingest gaps: dates with offsets, a gzip file opening with a list, the id rule of counters ----------

OFFSET_DATES = ["2024-01-01T05:00:00+05:30", "2024-01-01T05:00:00-08:00", "2024-01-01T05:00:00",
                "2024-01-01T05:00:00+0530", "2024-01-01T05:00:00.000Z", "2024-01-01 05:00:00 PST"]


def _expected_utc(value: str) -> Any:
    """The UTC instant a date string names, by Python's own reading (microseconds, as the store keeps)."""
    import datetime as dt

    v = value.replace("Z", "+00:00").replace(" PST", "-08:00")
    t = dt.datetime.fromisoformat(v)
    return t.astimezone(dt.UTC).replace(tzinfo=None) if t.tzinfo else t


@FAST
@given(dates=st.lists(st.sampled_from(OFFSET_DATES) | st.builds(
    lambda h, m, frac, off: f"2024-03-10T{h:02d}:{m:02d}:07{frac}{off}",
    st.integers(0, 23), st.integers(0, 59), st.sampled_from(["", ".5", ".123", ".123456", ".1234567", ".123456789"]),
    st.sampled_from(["Z", "+00:00", "+05:30", "-08:00", "+14:00", "-12:00", "+01", "", "+0945"])),
    min_size=1, max_size=6))
def test_dates_with_offsets_are_the_same_utc_instant_from_jsonl_and_parquet(cli, tmp_path_factory, empty_store,
                                                                           dates) -> None:
    """Before: DuckDB's cast to TIMESTAMP dropped the offset (05:00+05:30 was stored as 05:00)."""
    d = tmp_path_factory.mktemp("dates")
    rows = [dict(entry(f"t/m{i}"), createdAt=v, lastModified=v) for i, v in enumerate(dates)]
    jl = d / "d.jsonl"
    jl.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    pqf = d / "d.parquet"
    pq.write_table(pa.table({"id": [r["id"] for r in rows], "createdAt": dates, "lastModified": dates}), pqf)
    got = {}
    for path in (jl, pqf):
        db = Path(shutil.copyfile(empty_store, d / f"{path.suffix[1:]}.duckdb"))  # (conftest.empty_store)
        doc = _check(cli("--db", db, "--json", "ingest", path, "--no-derive"), path)
        assert doc["rejects"] == 0
        got[path.suffix] = q(db, "SELECT id, created_at, last_modified FROM models ORDER BY id")
    assert got[".jsonl"] == got[".parquet"]
    for (mid, created, modified) in got[".jsonl"]:
        want = _expected_utc(dates[int(mid.split("m")[-1])])
        assert created == modified == want, (mid, created, want)


def test_a_date_with_an_offset_is_the_incremental_cutoff_in_utc(cli, hostile, good_store, tmp_path) -> None:
    """The crawl's lastModified cut-off reads offsets too: +05:30 puts an edit 5.5 h earlier in UTC."""
    import datetime as dt

    db = _fresh(good_store, tmp_path)
    wm = q(db, "SELECT watermark FROM snapshots WHERE snapshot_id = 1")[0][0]
    three_h_later = (wm + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%S")
    newer = dict(GOOD[1], lastModified=three_h_later + "Z")
    # 3 h after the watermark in its wall time, but +05:30: 2.5 h before it in UTC, older than the cut-off
    shifted = dict(GOOD[0], lastModified=three_h_later + "+05:30")
    hostile.set_plan([Page([newer, shifted], link="none")])
    doc = _check(_crawl(cli, db, hostile))
    assert doc["kind"] == "incremental" and doc["records"] == 1  # only the edit that is newer in UTC


def test_a_gzip_file_whose_first_line_is_a_list_is_json_lines_like_the_plain_file(cli, tmp_path) -> None:
    """Before: sniffed as a gzip'd JSON array and refused whole (exit 65), while the same file
    uncompressed loads its objects and rejects the list line."""
    # the list line is longer than the 4 KiB the sniffer first reads: it is read whole
    lines = [json.dumps([entry("a/list"), "x" * 6000]), json.dumps(entry("g/one")), json.dumps(entry("g/two"))]
    text = "\n".join(lines) + "\n"
    plain, gz = tmp_path / "p.jsonl", tmp_path / "g.jsonl.gz"
    plain.write_text(text, encoding="utf-8")
    gz.write_bytes(gzip.compress(text.encode()))
    out = []
    for path in (plain, gz):
        db = tmp_path / f"{path.name}.duckdb"
        doc = _check(cli("--db", db, "--json", "ingest", path, "--no-derive"), path)
        out.append((doc["records"], doc["rejects"], q(db, "SELECT id FROM models ORDER BY id")))
    assert out[0] == out[1] == (3, 1, [("g/one",), ("g/two",)])
    arr = tmp_path / "a.json.gz"  # a real gzip'd JSON array still reads as one
    arr.write_bytes(gzip.compress(json.dumps([entry("g/one"), entry("g/two")], indent=1).encode()))
    assert _check(cli("--db", tmp_path / "arr.duckdb", "--json", "ingest", arr, "--no-derive"))["records"] == 2


ODD_IDS = ["\n", "a\x00b", "\u00a0", "\u2003", " x/y", 5, None, True, ["a"], "", "ok/fine"]


def test_a_counters_sweep_keeps_counters_of_exactly_the_ids_a_crawl_stores(cli, hostile, good_store,
                                                                             tmp_path) -> None:
    """store/counters.py and store/normalize.py agree on which ids are valid. Before: a sweep wrote
    counters for ids the normaliser rejects (blank, control characters, an int id beside a modelId)."""
    entries = []
    for i, mid in enumerate(ODD_IDS):
        e = {"id": mid, "downloads": i, "likes": 1}
        if i % 2:
            e["modelId"] = f"m/{i}"
        entries.append(e)
    entries.append({"modelId": "only/model-id", "downloads": 3, "likes": 0})
    full = [dict(entry("x/x"), **{k: v for k, v in e.items()}) for e in entries]
    for e, f in zip(entries, full, strict=True):
        if "id" not in e:
            f.pop("id")
    db = _fresh(good_store, tmp_path)
    hostile.set_plan([Page(full, link="none")])
    _check(_crawl(cli, db, hostile, "--full"))
    stored = {r[0] for r in q(db, "SELECT id FROM models WHERE last_snapshot_id = 2")}
    hostile.set_plan([Page(entries, link="none")])
    _check(_crawl(cli, db, hostile, "--counters"))
    swept = {r[0] for r in q(db, "SELECT id FROM model_stats WHERE snapshot_id = 3")}
    assert swept == stored and "ok/fine" in stored and "only/model-id" in stored


# --- the simulated Hub's own faults, drawn ------------------------------------------------------------

NO_FAULTS = {"rate_limit": None, "rate_window_s": 300.0, "error_rate": 0.0, "truncate_rate": 0.0, "slow_ms": 0,
             "down": False}
SIM_FAULTS = st.fixed_dictionaries({}, optional={
    "error_rate": st.sampled_from([0.0, 0.2, 0.5, 1.0]),
    "truncate_rate": st.sampled_from([0.0, 0.3, 1.0]),
    "slow_ms": st.sampled_from([0, 20, 100]),
    "down": st.booleans(),
    "rate_limit": st.sampled_from([None, 2, 5]),
    "rate_window_s": st.sampled_from([0.3, 0.6, 5.0]),  # 5 s: longer than --max-wait 1, so exit 69
})


@pytest.fixture(scope="module")
def simhub() -> Iterator[Any]:
    from openscope.simhub.testing import running_simhub

    with running_simhub(models=300, datasets=30, seed=5) as h:
        yield h


@pytest.fixture(scope="module")
def sim_store(simhub: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from openscope.cli import main

    db = tmp_path_factory.mktemp("sim") / "sim.duckdb"
    assert main(["--db", str(db), "--quiet", "crawl", "--endpoint", simhub.url, "--datasets", "--page-size",
                 "100", *QUICK]) == 0
    return db


@settings(FAST, max_examples=_HUNT or 12)
@given(faults=SIM_FAULTS, kind=st.sampled_from([(), ("--full",), ("--counters",)]), datasets=st.booleans(),
       page_size=st.sampled_from(["50", "100", "300"]))
def test_the_simulated_hubs_faults_never_break_the_contract_or_the_store(cli, simhub, sim_store, tmp_path_factory,
                                                                          faults, kind, datasets, page_size) -> None:
    """The faults simhub/faults.py injects (5xx, cut bodies, slowness, an outage, 429 windows), in any mix,
    on any kind of crawl after a good one: the same properties as against the hostile server."""
    db = _fresh(sim_store, tmp_path_factory.mktemp("s"))
    with reads_only(db):
        ids = q(db, "SELECT id FROM models ORDER BY id")
        stats = q(db, "SELECT id, downloads_30d FROM model_stats WHERE snapshot_id = 1 ORDER BY id")
    args = ("--endpoint", simhub.url, "--page-size", page_size, *kind, *(("--datasets",) if datasets else ()))
    simhub.set_faults(**{**NO_FAULTS, **faults})
    try:
        res = cli("--db", db, "--json", "crawl", *QUICK, *args)
    finally:
        simhub.set_faults(**NO_FAULTS)
    doc = _check(res, faults)
    with reads_only(db):  # (held_open)
        assert q(db, "SELECT id FROM models ORDER BY id") == ids
        assert q(db, "SELECT id, downloads_30d FROM model_stats WHERE snapshot_id = 1 ORDER BY id") == stats
        later = [r[0] for r in q(db, "SELECT status FROM snapshots WHERE snapshot_id > 2 ORDER BY snapshot_id")]
    if doc is None:  # with --datasets the models' snapshot may have completed before the datasets' failed
        assert later and later[-1] == "failed" and "running" not in later, later
    else:
        assert set(later) == {"complete"}
    doc = _check(cli("--db", db, "--json", "crawl", *QUICK, *args), "again")
    assert doc is not None and doc["status"] == "complete"
    assert sorted(r[0] for r in q(db, "SELECT id FROM models WHERE deleted_at IS NULL")) == sorted(simhub.ids())


# --- --cards against hostile README and file-tree answers ---------------------------------------------

ODD_SIZES = st.sampled_from([2**70, -(2**70), 2**63, -1, 0, True, "5", None, 1.5, 1e300, [], {}])
TREE_ITEM = st.fixed_dictionaries({
    "type": st.sampled_from(["file", "file", "directory", None, 1, "FILE"]),
    "path": st.sampled_from(["README.md", "a/b.bin", "", "a\x00b", "../x", "x" * 3000, None, 5, ["p"]]),
}, optional={
    "size": ODD_SIZES,
    "oid": st.sampled_from(["abc", None, 5, ""]),
    "lfs": st.none() | st.just([]) | st.fixed_dictionaries({}, optional={"oid": st.sampled_from(["f" * 64, 7]),
                                                                        "size": ODD_SIZES}),
})


@st.composite
def card_answers(draw: st.DrawFn) -> tuple[Answer, Answer]:
    items = draw(st.lists(TREE_ITEM | st.sampled_from([1, None, "x", []]), max_size=5))
    tree = draw(st.sampled_from(["list", "list", "not_list", "empty", "truncated", "404", "cycle", "foreign"]))
    body = json.dumps(items).encode()
    ct = [("Content-Type", "application/json")]
    if tree == "list":
        t = Answer(200, body, ct)
    elif tree in ("cycle", "foreign"):
        t = Answer(200, body, ct + [("Link", '</api/models/good/m0/tree/main?recursive=true>; rel="next"'
                                     if tree == "cycle" else '<http://127.0.0.1:1/x>; rel="next"')])
    elif tree == "404":
        t = Answer(404, b'{"error":"Repository not found"}', [("X-Error-Code", "RepoNotFound")])
    else:
        t = _body_answer({"not_list": "not_list", "empty": "empty", "truncated": "truncated"}[tree], items)
    status = draw(st.sampled_from([200, 200, 404, 403, 401, 500, 410, 451]))
    text = draw(st.sampled_from([b"# card\n", b"\xff\xfe\x00bad", b"", b"---\nlicense: [\n---\n", "\u202e".encode()]))
    code = draw(st.sampled_from(["EntryNotFound", "RepoNotFound", "RevisionNotFound", "", "\u00e9"]))
    headers = [("X-Repo-Commit", draw(st.sampled_from(["c0ffee", "", "x" * 500])))]
    if status == 404:
        headers.append(("X-Error-Code", code.encode("utf-8").decode("latin-1")))
    return t, Answer(status, text, headers)


@settings(FAST, max_examples=_HUNT or 15)
@given(answers=card_answers())
# a header value that is not ASCII (é sent as UTF-8, read as latin-1): the answer rebuilt from a body read
# under the deadline re-encoded it as ASCII, exit 70
@example(answers=(Answer(200, b"[]", [("Content-Type", "application/json")]),
                  Answer(404, b"# card\n", [("X-Repo-Commit", "c0ffee"),
                                            ("X-Error-Code", "\u00e9".encode().decode("latin-1"))])))
def test_hostile_readmes_and_file_trees_never_break_cards(cli, hostile, good_store, tmp_path_factory,
                                                          answers) -> None:
    db = _fresh(good_store, tmp_path_factory.mktemp("c"))
    hostile.set_good()
    hostile.tree, hostile.readme = answers
    res = _crawl(cli, db, hostile, "--cards", "--top", "2")
    doc = _check(res, "cards")
    assert [r[0] for r in q(db, "SELECT id FROM models WHERE deleted_at IS NULL ORDER BY id")] == GOOD_IDS
    if doc is not None:
        assert doc["cards"]["candidates"] == 2
        assert q(db, "SELECT count(*) FROM cards WHERE id NOT IN (SELECT id FROM models)")[0][0] == 0
        assert q(db, "SELECT count(*) FROM cards")[0][0] <= 2


@pytest.mark.parametrize("item", [{"type": "file", "path": "a", "size": 2**70},
                                  {"type": "file", "path": "a", "lfs": {"size": 2**64, "oid": "x"}},
                                  {"type": "file", "path": "a", "size": True}])
def test_a_tree_size_beyond_64_bits_or_a_bool_is_no_size(cli, hostile, good_store, tmp_path, item) -> None:
    """Before: pyarrow refused the value (OverflowError, ArrowTypeError): internal error, exit 70."""
    db = _fresh(good_store, tmp_path)
    hostile.set_good()
    hostile.tree, hostile.readme = Answer(200, json.dumps([item]).encode()), Answer(200, b"# card")
    doc = _check(_crawl(cli, db, hostile, "--cards", "--top", "2"))
    assert doc["cards"]["files"] == 2
    assert q(db, "SELECT DISTINCT path, size FROM files WHERE path = 'a'") == [("a", None)]


# --- the simulated Hub answering odd requests -----------------------------------------------------------

ODD_PARAM = st.sampled_from(["", "0", "-1", "1001", "abc", "1e3", "NaN", "\u0661", " 5", "5 ", "%", "\x00", "a" * 3000,
                             "lastModified", "createdAt", "id", "bogus", "author", "baseModels", "gguf", "true",
                             "base_model:quantized:", "qwen", "[", "eyJ4Ijox", "W10", "WyJ4IiwxLCJ5Il0"]) | st.text(max_size=8)
ODD_PATHS = st.sampled_from([
    "/api/models", "/api/datasets", "/api/models/{id}", "/api/models/{id}/tree/main", "/api/models/{id}/tree/zz",
    "/api/models/{id}/revision/main", "/api/models/{id}/tree/main/sub/dir", "/{id}/resolve/main/README.md",
    "/{id}/resolve/main/config.json", "/{id}/resolve/nope/README.md", "/datasets/{id}/resolve/main/README.md",
    "/api/datasets/{id}", "/api/models/a", "/api/models/%00/x", "/api/models/..%2F..", "/{id}/resolve/main/",
    "/_admin/ids", "/_admin/stats"])


@settings(FAST, max_examples=_HUNT or 25)
@given(path=ODD_PATHS, params=st.lists(st.tuples(st.sampled_from(["limit", "cursor", "sort", "expand", "filter",
                                                                    "search", "author", "full", "recursive",
                                                                    "blobs", "kind", "x"]), ODD_PARAM), max_size=5),
       rng=st.none() | st.sampled_from(["bytes=0-10", "bytes=-5", "bytes=5-", "bytes=9-1", "bytes=", "bytes=x-y",
                                        "bytes=0-99999999999999999999", "items=0-1", "bytes=0-1,3-4"]))
def test_the_simulated_hub_answers_any_request_without_a_server_error(simhub, path, params, rng) -> None:
    """Any query, path and Range: a Hub-shaped answer (2xx, 3xx, 4xx with an error), never a 500."""
    import httpx

    mid = simhub.ids()[0]
    url = simhub.url + path.replace("{id}", mid)
    headers = {"Range": rng} if rng else {}
    with httpx.Client(timeout=30, trust_env=False) as c:
        r = c.get(url, params=params, headers=headers)
    assert r.status_code < 500, (path, params, rng, r.status_code, r.text[:300])
    if r.status_code >= 400 and r.status_code != 416:
        assert r.json().get("error"), r.text[:300]


@settings(FAST, max_examples=_HUNT or 20)
@given(route=st.sampled_from(["/_admin/faults", "/_admin/mutate"]),
       body=st.sampled_from([b"", b"null", b"[]", b"{", b"\xff", b'{"x":1}']) | st.dictionaries(
           st.sampled_from(["edit", "add", "delete", "counters", "rate_limit", "error_rate", "slow_ms", "down",
                            "rate_window_s", "truncate_rate", "hold_after_pages", "bogus"]),
           st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=True) | st.text(max_size=4)
           | st.lists(st.sampled_from(["nope/x", ""]), max_size=2), max_size=3).map(
           lambda d: json.dumps(d).encode()))
def test_the_simulated_hubs_admin_routes_refuse_odd_bodies_with_400(simhub, route, body) -> None:
    import httpx

    with httpx.Client(base_url=simhub.url, timeout=30, trust_env=False) as c:
        try:
            r = c.post(route, content=body, headers={"Content-Type": "application/json"})
        finally:
            c.post("/_admin/faults", json=NO_FAULTS | {"hold_after_pages": None})
    assert r.status_code in (200, 400, 404), (route, body, r.status_code, r.text[:300])


@pytest.mark.parametrize("path", ["/{id}/resolve/main/", "/{id}/resolve/main/n%00pe\u00e9.txt", "/{id}/resolve/\u00e9/x",
                                  "/api/models?sort=%00", "/api/models?sort=%C3%A9%0A"])
def test_a_simulated_error_whose_message_no_header_can_hold_is_still_answered(simhub, path) -> None:
    """Before: X-Error-Message carried the message as is; h11 refused a trailing space, a NUL or a
    non-latin-1 character and dropped the connection without an answer."""
    import httpx

    r = httpx.get(simhub.url + path.replace("{id}", simhub.ids()[0]), timeout=30, trust_env=False)
    assert r.status_code in (400, 404) and r.json()["error"]
    assert r.headers["X-Error-Message"].isascii() and r.headers["X-Error-Message"] == r.headers["X-Error-Message"].strip()


def test_a_stored_cursor_on_another_host_is_never_requested(cli, hostile, good_store, tmp_path, monkeypatch) -> None:
    """A failed snapshot's cursor stored before links were checked (or edited by hand) pointing elsewhere:
    refused before any request, so the token stays home; --restart starts over."""
    monkeypatch.setenv("HF_TOKEN", "hf_secret")
    db = _fresh(good_store, tmp_path)
    hostile.set_plan([Page(GOOD[:3]), Page(GOOD[3:], final=Answer(503, b"down"))])
    assert _crawl(cli, db, hostile, "--full").code == int(Exit.UNAVAILABLE)
    con = duckdb.connect(str(db))
    con.execute("UPDATE snapshots SET cursor = ? WHERE status = 'failed'", [f"{hostile.foreign_url}/api/models?cursor=1"])
    con.close()
    hostile.foreign_auth.clear()
    hostile.set_good()
    res = _crawl(cli, db, hostile, "--full")
    assert res.code == int(Exit.DATAERR) and "--restart" in res.stderr and hostile.foreign_auth == []
    assert _check(_crawl(cli, db, hostile, "--full", "--restart"))["status"] == "complete"
