"""Crawling a Hub into the store: snapshots, resume, the three kinds, card text and file trees, dumps.

Why it is shaped like this:

- **One transaction per page.** Each page's raw entries go into the staging table and through the one
  set-based normaliser together with the snapshot's progress (pages, counters, the next page's cursor,
  the lastModified watermark). A kill at any instant leaves every committed page and a cursor that
  points exactly past it, so running the same crawl again continues from there and nothing is read
  into the snapshot twice.
- **Three kinds.** ``full`` lists everything sorted by ``createdAt`` (a key that never changes, so no
  repository moves across the cursor while we read, and one not seen in an unfiltered full crawl really
  is gone: it gets ``deleted_at``). ``incremental`` lists by ``lastModified`` (newest first) and stops at
  the previous crawl's watermark minus a small overlap: API calls grow with the changes, not the Hub.
  ``counters`` sweeps only downloads and likes (about 60 bytes per entry, 1,000 per call), because
  counters change without ``lastModified`` changing; it writes statistics only (store/counters.py).
- **Watermark.** An incremental crawl's watermark is the largest ``lastModified`` it read. A full crawl
  records the newest ``lastModified`` on the Hub *when it starts* (one extra call), because a repository
  edited while a long full crawl runs may or may not be read, and must be caught by the next incremental.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

import duckdb
import httpx
import pyarrow as pa

from openscope.errors import InvalidInput, StoreWriteError, Unreachable, is_interrupt
from openscope.jobs import RunSummary, file_write_error
from openscope.sources.hub import (
    COUNTER_EXPAND,
    DATASET_EXPAND,
    DEFAULT_ENDPOINT,
    MODEL_EXPAND,
    HubClient,
    Page,
    TextFile,
)
from openscope.sources.license_files import (
    decode_text,
    is_license_file,
    link_repo_id,
    link_target,
    not_a_licence_text,
    reading_priority,
)
from openscope.store import Store
from openscope.store import snapshots as snaps
from openscope.store.card_waits import deferred_cards, deferred_readmes
from openscope.store.counters import write_counters
from openscope.store.db import is_write_failure
from openscope.store.normalize import normalize, utc_timestamp_sql

SOURCE = "crawl"
MAX_PAGE_SIZE = 1000


@dataclass
class CrawlOptions:
    """What to crawl and how. ``kind`` None means: incremental once an unfiltered crawl of this endpoint
    and repository type has completed, else full."""

    endpoint: str = DEFAULT_ENDPOINT
    repo_type: str = "model"
    kind: str | None = None  # None | "full" | "counters"
    author: str | None = None
    filters: list[str] = field(default_factory=list)
    search: str | None = None
    since: dt.datetime | None = None  # naive UTC
    limit: int | None = None
    page_size: int = MAX_PAGE_SIZE
    restart: bool = False
    dump: Path | None = None
    overlap_s: float = 60.0
    # An unfiltered full crawl asks the Hub about at most this many ids it no longer saw (moved or gone?).
    move_checks: int = 100

    @property
    def filtered(self) -> bool:
        """A filtered crawl never marks deletions and never sets the watermark incrementals start from."""
        return bool(self.author or self.filters or self.search or self.since or self.limit)


@dataclass
class CrawlResult(RunSummary):
    """The contract's crawl summary plus what a user may want to know."""

    kind: str = ""
    repo_type: str = "model"
    endpoint: str = ""
    resumed: bool = False
    deleted: int = 0
    moved: int = 0  # ids gone from the lists that the Hub answered with another id (table `moves`)
    watermark: str | None = None
    dropped_expand: list[str] = field(default_factory=list)


@dataclass
class CardsResult:
    candidates: int = 0
    fetched: int = 0  # README.md read
    missing: int = 0  # no README.md in the repository (stored as known-absent)
    failed: int = 0  # README not readable (gated, private, gone, failing): recorded in card_attempts (migration 0016)
    trees: int = 0
    files: int = 0
    api_calls: int = 0
    license_files: int = 0  # licence file texts read and stored
    license_files_skipped: int = 0  # larger than MAX_LICENSE_TEXT_BYTES (tree size or answer): stored as not read
    license_files_failed: int = 0  # not readable (an error, gated): the model's licence files are tried again
    trees_failed: int = 0  # README read, file tree not: recorded on the card (read_failure), asked again later
    retry_later: int = 0  # cards whose tree or licence files failed and wait RETRY_DAYS (a refusal, or 3 in a row)
    deferred: int = 0  # cards not asked again this run: a failed read whose retry_at has not come (no call)
    readmes_retry_later: int = 0  # READMEs not readable this run that now wait RETRY_DAYS (a refusal, or 3 in a row)
    readmes_deferred: int = 0  # repositories not asked this run: their README could not be read and retry_at is to come
    retried_now: int = 0  # --retry-now: cards asked this run although their tree or licence files' retry_at was to come
    readmes_retried_now: int = 0  # --retry-now: repositories asked this run although their README's retry_at was to come
    datasets: CardsResult | None = None  # with --datasets: the datasets' own figures (the fields above are sums)

    def add(self, other: CardsResult) -> None:
        """Add ``other``'s figures to this one's (one repository type's pass to the run's total)."""
        for f in fields(self):
            if f.type in ("int", int):
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def summary(self) -> dict[str, Any]:
        """The ``cards`` object of the crawl's ``--json`` summary (keys may be added, never removed)."""
        doc: dict[str, Any] = {k: getattr(self, k) for k in (
            "candidates", "fetched", "missing", "failed", "trees", "files", "api_calls", "trees_failed",
            "retry_later", "deferred", "readmes_retry_later", "readmes_deferred", "retried_now",
            "readmes_retried_now")}
        doc["license_files"] = {"read": self.license_files, "too_large": self.license_files_skipped,
                                "failed": self.license_files_failed}
        if self.datasets is not None:
            doc["datasets"] = self.datasets.summary()
        return doc


class CrawlProgress:
    """Hooks for a progress display; the default shows nothing."""

    def begin(self, label: str, total: int | None, done: int) -> None: ...

    def page(self, records: int, changed: int, rejects: int, total: int | None = None) -> None:
        """One page committed; ``total`` is a fresh estimate of the records this crawl will read."""

    def wait(self, seconds: float, reason: str) -> None: ...

    def warn(self, message: str) -> None: ...

    def end(self) -> None: ...


def make_client(endpoint: str, *, token: str | None = None, max_wait: float = 900.0, retries: int = 6,
                backoff: float = 1.0, timeout: float = 60.0, deadline: float | None = None,
                progress: CrawlProgress | None = None) -> HubClient:
    """The crawl's client; ``deadline`` None means :data:`~openscope.sources.hub.DEADLINE_FACTOR` ×
    ``timeout``."""
    p = progress or CrawlProgress()
    return HubClient(endpoint, token=token, max_wait=max_wait, retries=retries, backoff=backoff,
                     timeout=timeout, deadline=deadline, on_wait=p.wait, on_warning=p.warn)


# -- snapshot bookkeeping ------------------------------------------------------------------------------

def _params(opts: CrawlOptions, kind: str) -> dict[str, Any]:
    """What identifies 'the same crawl' for resume (page size and waits may differ between runs)."""
    return {
        "kind": kind, "repo_type": opts.repo_type, "author": opts.author, "filters": sorted(opts.filters),
        "search": opts.search, "since": opts.since.isoformat() if opts.since else None, "limit": opts.limit,
        "filtered": opts.filtered,
    }


def _crawl_snapshots(store: Store, endpoint: str, repo_type: str) -> list[dict[str, Any]]:
    rows = store.con.execute(
        """SELECT snapshot_id, kind, status, params, cursor, pages, n_records, watermark
           FROM snapshots WHERE source = ? AND endpoint = ? AND repo_type = ? ORDER BY snapshot_id DESC""",
        [SOURCE, endpoint, repo_type],
    ).fetchall()
    keys = ("snapshot_id", "kind", "status", "params", "cursor", "pages", "n_records", "watermark")
    out = []
    for r in rows:
        d = dict(zip(keys, r, strict=True))
        d["params"] = json.loads(d["params"] or "{}")
        out.append(d)
    return out


def last_complete(store: Store, endpoint: str, repo_type: str) -> dict[str, Any] | None:
    """The newest complete unfiltered full or incremental crawl: where an incremental starts from."""
    for s in _crawl_snapshots(store, endpoint, repo_type):
        if (s["status"] == "complete" and s["kind"] in ("full", "incremental")
                and not s["params"].get("filtered", True)):
            return s
    return None


def _resumable(store: Store, endpoint: str, repo_type: str, params: dict[str, Any]) -> dict[str, Any] | None:
    """The newest crawl with these params, if it did not finish (running after a kill, or failed)."""
    for s in _crawl_snapshots(store, endpoint, repo_type):
        if {k: v for k, v in s["params"].items() if k != "dropped_expand"} == params:
            return s if s["status"] in ("running", "failed") else None
    return None


def known_refused_expand(store: Store, endpoint: str, repo_type: str) -> list[str]:
    """``expand`` fields this endpoint refused on its list route in the newest crawl that recorded any:
    not asked again (saves a call and a repeated warning per crawl)."""
    for s in _crawl_snapshots(store, endpoint, repo_type):
        if s["params"].get("dropped_expand"):
            return [str(f) for f in s["params"]["dropped_expand"]]
    return []


def _record_client_facts(store: Store, sid: int, client: HubClient) -> None:
    """Keep what the endpoint taught us: refused fields (in params) and whether it is simulated."""
    if client.stats.simulated:
        with store.transaction() as con:
            con.execute("UPDATE snapshots SET simulated = true WHERE snapshot_id = ?", [sid])
    if not client.stats.dropped_expand:
        return
    with store.transaction() as con:
        raw = con.execute("SELECT params FROM snapshots WHERE snapshot_id = ?", [sid]).fetchone()[0]  # type: ignore[index]  # this run's own snapshot row
        params = json.loads(raw or "{}")
        params["dropped_expand"] = sorted(set(client.stats.dropped_expand))
        con.execute("UPDATE snapshots SET params = ? WHERE snapshot_id = ?",
                    [json.dumps(params, sort_keys=True), sid])


def _start_url(client: HubClient, opts: CrawlOptions, kind: str, cutoff: dt.datetime | None) -> str:
    if kind == "counters":
        expand = COUNTER_EXPAND
    else:
        expand = MODEL_EXPAND if opts.repo_type == "model" else DATASET_EXPAND
    q: list[tuple[str, str]] = []
    if opts.search:
        q.append(("search", opts.search))
    if opts.author:
        q.append(("author", opts.author))
    q.extend(("filter", f) for f in opts.filters)
    q.append(("sort", "lastModified" if cutoff is not None else "createdAt"))
    q.extend(("expand", e) for e in expand)
    q.append(("limit", str(min(opts.page_size, opts.limit) if opts.limit else opts.page_size)))
    return client.list_url(opts.repo_type, q)


def _head_last_modified(client: HubClient, repo_type: str) -> dt.datetime | None:
    """The newest lastModified on the Hub right now (one call)."""
    url = client.list_url(repo_type, [("sort", "lastModified"), ("expand", "lastModified"), ("limit", "1")])
    page = client.get_page(url)
    if not page.entries:
        return None
    first = json.loads(page.entries[0])
    return _parse_ts(first.get("lastModified")) if isinstance(first, dict) else None


def _parse_ts(value: object) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        t = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t.astimezone(dt.UTC).replace(tzinfo=None) if t.tzinfo else t


def dump_path(base: Path, repo_type: str) -> Path:
    """Models go to the given file; datasets next to it as ``<stem>.datasets<suffix>`` (ingest them
    with ``openscope ingest --datasets``)."""
    if repo_type == "model":
        return base
    return base.with_name(f"{base.stem}.datasets{base.suffix or '.jsonl'}")


# -- the crawl -----------------------------------------------------------------------------------------

def _stage(store: Store, entries: list[str], first_line: int, locator: str) -> None:
    con = store.con
    n = len(entries)
    tbl = pa.table({
        "line_no": pa.array(range(first_line + 1, first_line + n + 1), pa.int64()),
        "locator": pa.array([locator] * n, pa.string()) if n else pa.array([], pa.string()),
        "raw": pa.array(entries, pa.string()),
    })
    con.execute("DROP TABLE IF EXISTS _stage")
    con.register("_crawl_page", tbl)
    try:
        con.execute("CREATE TEMP TABLE _stage AS SELECT line_no, locator || '#' || (line_no - ?) AS locator, raw "
                    "FROM _crawl_page", [first_line + 1])
    finally:
        con.unregister("_crawl_page")


MAX_EMPTY_PAGES = 10  # empty pages in a row, each naming a next page, before a crawl stops


class _PageGuard:
    """Refuses a page whose ``Link`` cannot lead to the end of the listing.

    Why: the crawl follows the Hub's ``Link`` header page after page. A broken or hostile server can
    point it back at a page already read (a cycle), at another route, or at pages that never end
    (empty ones, or the same entries again under new cursors). On the real Hub none of these happens:
    keyset cursors over an immutable key move forward only. Each page is checked before it is
    committed, so a refused page's cursor is never stored: the snapshot fails (exit 65) and the same
    command later resumes from the last good page.
    """

    def __init__(self, start_url: str, list_path: str) -> None:
        self.seen_urls = {start_url}
        self.seen_pages: set[int] = set()
        self.list_path = list_path
        self.empty_run = 0
        self.lock = threading.Lock()

    def check(self, page: Page) -> None:
        nxt = page.next_url
        if nxt is None:
            return
        with self.lock:
            if httpx.URL(nxt).path != self.list_path:
                raise InvalidInput(f"the Hub names {nxt[:200]} as the next page of {self.list_path}: another "
                                   "route; not followed")
            if nxt in self.seen_urls:
                raise InvalidInput(f"the Hub's next page {nxt[:200]} is one this crawl already read (a cycle); "
                                   "stopped")
            self.seen_urls.add(nxt)
            if page.entries:
                self.empty_run = 0
                key = hash(tuple(page.entries))
                if key in self.seen_pages:
                    raise InvalidInput(f"the Hub sent the same entries again at {page.url[:200]} and names "
                                       "yet another next page (a cursor that never ends); stopped")
                self.seen_pages.add(key)
            else:
                self.empty_run += 1
                if self.empty_run >= MAX_EMPTY_PAGES:
                    raise InvalidInput(f"the Hub sent {self.empty_run} empty pages in a row, each naming a next "
                                       "page (a cursor that never ends); stopped")


@dataclass
class _Fetched:
    page: Page
    api_calls: int  # calls this page cost (retries, waits and refused fields included)
    waited: float  # rate-limit seconds spent on it


class _Prefetcher:
    """Reads the next page while the previous one is being committed (one page ahead, no more).

    Why: on a fast endpoint the crawl alternates between waiting for the Hub and writing DuckDB; with
    one reader thread both proceed at once. It changes nothing about what is committed or when: the
    page loop still commits page by page with its cursor, and a page read ahead but not committed when
    the process dies is read again on resume. ``stop_after(page, n_read)`` tells the reader that the
    crawl will stop after ``page`` (incremental cutoff reached, --limit reached), so it never spends
    a call on a page the crawl will not use.
    """

    def __init__(self, client: HubClient, url: str, *, stop_after: Callable[[Page, int], bool],
                 guard: _PageGuard) -> None:
        self.client = client
        self.stop_after = stop_after
        self.guard = guard
        self.q: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=1)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(url,), name="crawl-reader", daemon=True)
        self.thread.start()

    def _run(self, url: str | None) -> None:
        n_read = 0
        try:
            while url and not self.stopped.is_set():
                c0, w0 = self.client.stats.api_calls, self.client.stats.rate_limit_wait_s
                page = self.client.get_page(url)
                self.guard.check(page)
                n_read += len(page.entries)
                item = _Fetched(page, self.client.stats.api_calls - c0, self.client.stats.rate_limit_wait_s - w0)
                url = None if self.stop_after(page, n_read) else page.next_url
                self._put(("page", item))
            self._put(("end", None))
        except BaseException as exc:  # handed to the committing thread, which raises it
            self._put(("error", exc))

    def _put(self, item: tuple[str, Any]) -> None:
        while not self.stopped.is_set():
            try:
                self.q.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def get(self) -> _Fetched | None:
        """The next page, or None once the reader has stopped; re-raises the reader's error."""
        while True:
            try:
                kind, value = self.q.get(timeout=0.2)
            except queue.Empty:
                if not self.thread.is_alive() and self.q.empty():
                    return None
                continue
            if kind == "error":
                raise value
            return value

    def close(self) -> None:
        self.stopped.set()


def _estimate_total(done: int, head: dt.datetime | None, reached: dt.datetime | None,
                    cutoff: dt.datetime | None) -> int | None:
    """For a crawl down to a lastModified cutoff: records read so far scaled by the share of the time
    span (newest read → cutoff) already covered. Rough, but it gives the progress bar an ETA."""
    if head is None or reached is None or cutoff is None or head <= cutoff:
        return None
    share = (head - reached) / (head - cutoff)
    return int(done / share) if share > 0.01 else None


def _last_wanted(page: Page, n_read: int, opts: CrawlOptions, cutoff: dt.datetime | None) -> bool:
    """Whether the crawl stops after ``page`` (the page loop decides the same in SQL)."""
    if opts.limit is not None and n_read >= opts.limit:
        return True
    if cutoff is not None and page.entries:
        try:
            last = json.loads(page.entries[-1])
        except ValueError:
            return False
        lm = _parse_ts(last.get("lastModified")) if isinstance(last, dict) else None
        return lm is not None and lm < cutoff
    return False


# try(): an entry Python's decoder reads and DuckDB's refuses (a lone surrogate escape) has no date
# here; the normaliser makes it a reject.
_LM = utc_timestamp_sql("try(json_extract_string(raw, '$.lastModified'))")


def _plan(store: Store, endpoint: str, opts: CrawlOptions
          ) -> tuple[str, dict[str, Any], dt.datetime | None, dict[str, Any] | None]:
    """(kind, params, lastModified cutoff, the crawl an incremental starts from) for these options."""
    prev = last_complete(store, endpoint, opts.repo_type)
    kind = opts.kind or ("incremental" if prev else "full")
    params = _params(opts, kind)
    if opts.since is not None:
        cutoff: dt.datetime | None = opts.since
    elif kind == "incremental" and prev and prev["watermark"] is not None:
        cutoff = prev["watermark"] - dt.timedelta(seconds=opts.overlap_s)
    else:
        cutoff = None
    if kind == "incremental" and cutoff is None:
        kind, params = "full", _params(opts, "full")  # nothing to be incremental from
    return kind, params, cutoff, prev


def abandon(store: Store, endpoint: str, opts: CrawlOptions) -> int | None:
    """Mark the unfinished crawl these options would resume ``aborted`` without crawling; its id, or None.

    Why: a crawl of an endpoint the institute stopped using (a retired mirror) would stay under
    ``needs attention`` in ``status`` for ever, and ``--restart`` would crawl that endpoint again."""
    _, params, _, _ = _plan(store, endpoint, opts)
    old = _resumable(store, endpoint, opts.repo_type, params)
    if old is None:
        return None
    with store.transaction() as con:
        con.execute("""UPDATE snapshots SET status = 'aborted', finished_at = now()::TIMESTAMP,
                           message = 'abandoned with --abandon' WHERE snapshot_id = ?""", [old["snapshot_id"]])
    return int(old["snapshot_id"])


def crawl(store: Store, client: HubClient, opts: CrawlOptions,
          progress: CrawlProgress | None = None) -> CrawlResult:
    """Run (or resume) one crawl of one repository type. Raises Unreachable (snapshot ``failed``, pages
    kept) when the endpoint stays down; a KeyboardInterrupt leaves the snapshot ``running``."""
    t0 = time.monotonic()
    prog = progress or CrawlProgress()
    endpoint = client.endpoint
    rt = opts.repo_type
    kind, params, cutoff, prev = _plan(store, endpoint, opts)

    for f in known_refused_expand(store, endpoint, rt):
        if f not in client.stats.dropped_expand:
            client.stats.dropped_expand.append(f)
    old = _resumable(store, endpoint, rt, params)
    if old and opts.restart:
        with store.transaction() as con:
            con.execute("""UPDATE snapshots SET status = 'aborted', finished_at = now()::TIMESTAMP,
                               message = 'abandoned: started over with --restart' WHERE snapshot_id = ?""",
                        [old["snapshot_id"]])
        old = None

    calls0, wait0 = client.stats.api_calls, client.stats.rate_limit_wait_s
    resumed = old is not None
    if old is not None:
        sid = int(old["snapshot_id"])
        with store.transaction() as con:
            con.execute("""UPDATE snapshots SET status = 'running', finished_at = NULL, message = NULL
                           WHERE snapshot_id = ?""", [sid])
        url = old["cursor"] if (old["cursor"] or old["pages"]) else _start_url(client, opts, kind, cutoff)
        done = int(old["n_records"] or 0)
    else:
        sid = snaps.begin(store, kind, source=SOURCE, endpoint=endpoint, repo_type=rt, params=params)
        url = _start_url(client, opts, kind, cutoff)
        done = 0

    dump_fh: IO[str] | None = None
    prefetch: _Prefetcher | None = None
    try:
        if old is None or (old["watermark"] is None and not old["pages"]):
            watermark = None
            if kind == "incremental" and prev:
                watermark = prev["watermark"]
            elif kind == "full" and not opts.filtered:
                watermark = _head_last_modified(client, rt)
            with store.transaction():
                snaps.add_progress(store, sid, cursor=url, watermark=watermark,
                                   api_calls=client.stats.api_calls - calls0)
            calls0 = client.stats.api_calls
        if opts.dump is not None and kind != "counters":
            path = dump_path(opts.dump, rt)
            try:
                dump_fh = path.open("a" if resumed else "w", encoding="utf-8")
            except OSError as exc:
                raise file_write_error(path, exc) or exc

        total = None
        if kind in ("full", "counters") and not opts.filtered:
            table = "models" if rt == "model" else "datasets"
            total = int(store.scalar(f"SELECT count(*) FROM {table} WHERE deleted_at IS NULL") or 0) or None
        if opts.limit:
            total = opts.limit
        prog.begin(f"{kind} crawl of {rt}s", total, done)

        head: dt.datetime | None = None  # newest lastModified read (crawls down to a cutoff)
        guard = _PageGuard(url or "", httpx.URL(client.list_url(rt, [])).path)
        if url and not (opts.limit is not None and done >= opts.limit):
            prefetch = _Prefetcher(client, url, guard=guard,
                                   stop_after=lambda pg, n, d0=done: _last_wanted(pg, d0 + n, opts, cutoff))  # type: ignore[misc]  # (Page, int) -> bool; d0 binds done now
        while url:
            if opts.limit is not None and done >= opts.limit:
                with store.transaction():
                    snaps.add_progress(store, sid, cursor=None)
                break
            fetched = prefetch.get() if prefetch is not None else None
            if fetched is None:  # the reader stopped early (it could not tell): read this page here
                c0, w0 = client.stats.api_calls, client.stats.rate_limit_wait_s
                fetched = _Fetched(client.get_page(url), client.stats.api_calls - c0,
                                   client.stats.rate_limit_wait_s - w0)
                guard.check(fetched.page)
            page = fetched.page
            next_url = page.next_url
            with store.transaction() as con:
                _stage(store, page.entries, done, page.url)
                if cutoff is not None:
                    n_old = con.execute(f"DELETE FROM _stage WHERE {_LM} < ?", [cutoff]).fetchone()[0]  # type: ignore[index]  # DuckDB's DML yields one row, its count
                    if n_old:
                        next_url = None  # sorted newest first: everything after is older still
                if opts.limit is not None and done + len(page.entries) > opts.limit:
                    con.execute("DELETE FROM _stage WHERE line_no > ?", [opts.limit])
                    next_url = None
                if dump_fh is not None:
                    rows = con.execute("SELECT raw FROM _stage ORDER BY line_no").fetchall()
                    _write_dump(dump_fh, "".join(r[0] + "\n" for r in rows))
                wm = lm_min = None
                if cutoff is not None:
                    wm, lm_min = con.execute(f"SELECT max({_LM}), min({_LM}) FROM _stage").fetchone()  # type: ignore[misc]  # an aggregate always yields one row
                if kind == "counters":
                    c = write_counters(store, sid, repo_type=rt, source=SOURCE)
                    n, changed, rejects = c.records, c.changed, c.rejects
                else:
                    r = normalize(store, sid, repo_type=rt, source=SOURCE, counters="all")
                    n, changed, rejects = r.records, r.changed, r.rejects
                con.execute("DROP TABLE IF EXISTS _stage")
                fields: dict[str, Any] = dict(
                    pages=1, n_records=n, changed=changed, rejects=rejects, api_calls=fetched.api_calls,
                    rate_limit_wait_s=round(fetched.waited, 3), cursor=next_url)
                if wm is not None:
                    fields["watermark_max"] = wm
                snaps.add_progress(store, sid, **fields)
            calls0 += fetched.api_calls
            wait0 += fetched.waited
            done += n
            head = head or wm
            prog.page(n, changed, rejects, total=_estimate_total(done, head, lm_min, cutoff))
            url = next_url

        deleted = 0
        moved: list[tuple[str, str]] = []
        asked: list[str] = []
        seen = int(store.scalar("SELECT n_records FROM snapshots WHERE snapshot_id = ?", [sid]) or 0)
        sweep = kind == "full" and not opts.filtered and seen > 0
        table = "models" if rt == "model" else "datasets"
        if sweep and opts.move_checks > 0:
            # Ask the Hub about the ids gone (bounded), outside any transaction: the answers are written
            # with the deletion stamps below, in one transaction, so a kill here writes nothing and the
            # same command asks again.
            asked, moved = _find_moves(store, client, table, sid, rt, opts.move_checks)
        with store.transaction() as con:
            if sweep:
                if moved:
                    con.execute(
                        """INSERT INTO moves (repo_type, old_id, new_id, snapshot_id, found_at)
                           SELECT ?, unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), ?, now()::TIMESTAMP""",
                        [rt, [o for o, _ in moved], [n for _, n in moved], sid])
                if asked:  # every answer, so a later crawl asks only the ids no crawl asked since their deletion
                    con.execute(
                        """INSERT INTO move_checks (repo_type, id, snapshot_id, checked_at)
                           SELECT ?, unnest(?::VARCHAR[]), ?, now()::TIMESTAMP""", [rt, asked, sid])
                # Not seen = gone (a moved repository's old id too: the Hub lists it under its new id). An
                # entry that was read but rejected (a bad date, a wrong type) was seen: its id, found in the
                # raw text kept in rejects, is not marked deleted.
                deleted = int(con.execute(  # type: ignore[index]  # DuckDB's DML yields one row, its count
                    f"UPDATE {table} SET deleted_at = now()::TIMESTAMP WHERE {_GONE}", [sid],
                ).fetchone()[0])
            if client.stats.api_calls != calls0:  # the move questions: counted with the crawl's calls
                snaps.add_progress(store, sid, api_calls=client.stats.api_calls - calls0,
                                   rate_limit_wait_s=round(client.stats.rate_limit_wait_s - wait0, 3))
                calls0, wait0 = client.stats.api_calls, client.stats.rate_limit_wait_s
        _record_client_facts(store, sid, client)
        snaps.finish(store, sid, "complete")
    except (Unreachable, InvalidInput, StoreWriteError) as exc:
        _fail(store, sid, client, calls0, wait0, str(exc))
        raise
    except KeyboardInterrupt:
        _note_interrupt(store, sid)
        raise  # the snapshot stays running: the same command resumes it
    except Exception as exc:
        if is_interrupt(exc):  # Ctrl-C while DuckDB was working: the same as above
            _note_interrupt(store, sid)
            raise KeyboardInterrupt from exc
        first = (str(exc).splitlines() or [""])[0]
        if isinstance(exc, duckdb.Error) and is_write_failure(first):  # a full disk: 73, resumable
            _fail(store, sid, client, calls0, wait0, f"cannot write store {store.path}: {first}")
            raise StoreWriteError(f"cannot write store {store.path}: {first}") from exc
        _fail(store, sid, client, calls0, wait0, f"{type(exc).__name__}: {first}")
        raise
    finally:
        if prefetch is not None:
            prefetch.close()
        if dump_fh is not None:
            dump_fh.close()
        prog.end()
    return _result(store, sid, t0, resumed=resumed, deleted=deleted, moved=len(moved), client=client)


# The rows of a repository table that an unfiltered full crawl (snapshot $1) did not see: gone from the Hub's
# lists. A rejected entry was seen (its id, in the raw text kept in rejects, is not gone).
_GONE = """deleted_at IS NULL AND coalesce(last_snapshot_id, -1) < $1
           AND id NOT IN (SELECT regexp_extract(raw, '"id"\\s*:\\s*"([^"]+)"', 1)
                          FROM rejects WHERE snapshot_id = $1 AND raw IS NOT NULL)"""


def _find_moves(store: Store, client: HubClient, table: str, sid: int, repo_type: str,
                limit: int) -> tuple[list[str], list[tuple[str, str]]]:
    """The ids asked about, and (old id, new id) for those the Hub answers with another id: moved.

    Asked: the ids gone from the Hub's lists in this crawl, and the ids stamped deleted earlier that no crawl
    asked about since their deletion (table ``move_checks``: beyond an earlier crawl's bound, or with
    ``--move-checks 0``), so a namespace renamed with more repositories than the bound is found over the next
    full crawls instead of never.

    Why ask: the Hub redirects a moved repository's old id to its new one, and lists only the new one; a
    full crawl sees the old id vanish and a new id appear, and derivatives that still declare the old id
    would lose their real root. At most ``limit`` ids are asked about per crawl (one request each, plus
    the redirect's hop, through the client's politeness and retry rules), the ids that stored models
    declare as a parent first (a move matters to lineage through them), then the ids gone in this crawl, then
    by id. A question the Hub
    does not answer after the retries ends the crawl as any unanswered request does (exit 69; the same
    command resumes and asks again)."""
    ids = [r[0] for r in store.con.execute(
        f"""SELECT id FROM {table} t
            WHERE ({_GONE})
               OR (deleted_at IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM move_checks c WHERE c.repo_type = $2 AND c.id = t.id
                                                                 AND c.checked_at >= t.deleted_at))
            ORDER BY id IN (SELECT parent FROM edges) DESC, deleted_at IS NULL DESC, id LIMIT {int(limit)}""",
        [sid, repo_type]).fetchall()]
    out: list[tuple[str, str]] = []
    for old in ids:
        new = client.moved_to(old, repo_type=repo_type)
        if new is not None:
            out.append((old, new))
    return ids, out


def _write_dump(fh: IO[str], text: str) -> None:
    """Append a page's raw entries to the --dump file and make them durable before the page commits; a
    full disk or a file-size limit is exit 73 naming the file (the page is not committed: resumable)."""
    try:
        fh.write(text)
        fh.flush()
        try:
            os.fsync(fh.fileno())
        except OSError as exc:
            if exc.errno != errno.EINVAL:  # EINVAL: a pipe (`--dump >(gzip > d.jsonl.gz)`), nothing to make durable
                raise
    except OSError as exc:
        raise file_write_error(Path(fh.name), exc) or exc


INTERRUPTED_MESSAGE = snaps.CRAWL_INTERRUPTED  # recorded on a crawl stopped by Ctrl-C (see store.snapshots)


def _note_interrupt(store: Store, sid: int) -> None:
    """Best effort: record that a Ctrl-C stopped the crawl. A store that cannot take the one-row write (a
    full disk, a connection the interrupt left unusable) keeps the snapshot as a kill leaves it."""
    try:
        store.con.execute("UPDATE snapshots SET message = ? WHERE snapshot_id = ? AND status = 'running'",
                          [INTERRUPTED_MESSAGE, sid])
    except Exception:  # noqa: BLE001  # the interrupt is what must propagate, not this note
        pass


def _fail(store: Store, sid: int, client: HubClient, calls0: int, wait0: float, message: str) -> None:
    try:
        _record_client_facts(store, sid, client)
        with store.transaction():
            snaps.add_progress(store, sid, api_calls=client.stats.api_calls - calls0,
                               rate_limit_wait_s=round(client.stats.rate_limit_wait_s - wait0, 3))
        snaps.finish(store, sid, "failed", message=message[:500])
    except Exception:  # the store itself failing must not hide the original error
        pass


def _result(store: Store, sid: int, t0: float, *, resumed: bool, deleted: int, client: HubClient,
            moved: int = 0) -> CrawlResult:
    row = store.con.execute(
        """SELECT status, pages, n_records, changed, rejects, api_calls, rate_limit_wait_s, kind, repo_type,
                  endpoint, watermark FROM snapshots WHERE snapshot_id = ?""", [sid]).fetchone()
    assert row is not None, f"snapshot {sid} is this run's own row"
    return CrawlResult(
        snapshot_id=sid, status=row[0], pages=int(row[1] or 0), records=int(row[2] or 0),
        changed=int(row[3] or 0), rejects=int(row[4] or 0), api_calls=int(row[5] or 0),
        rate_limit_wait_s=round(float(row[6] or 0), 3), elapsed_s=round(time.monotonic() - t0, 3),
        kind=row[7], repo_type=row[8], endpoint=row[9], resumed=resumed, deleted=deleted, moved=moved,
        watermark=row[10].isoformat() if row[10] else None, dropped_expand=list(client.stats.dropped_expand),
    )


# -- card text and file trees --------------------------------------------------------------------------

# How soon `--cards` asks again for a card whose file tree or licence files could not all be read (migration 0014;
# docs/crawl.md, *Cards that could not be read whole*). A refusal (401/403, a 404 for the tree route, an answer past
# the size bound or not the Hub's) will most likely be the same tomorrow: asked again when the repository's commit
# changes, else after RETRY_DAYS (access may have been granted, a token added). A transient failure (5xx, a cut or
# timed-out answer, still failing after the client's own retries) is asked again at the next run, at most
# MAX_TRANSIENT_RETRIES runs in a row at one commit, then as a refusal. Nutch's db.fetch.retry.max and its long
# re-fetch interval for gone pages are the model.
RETRY_DAYS = 30
MAX_TRANSIENT_RETRIES = 3


@dataclass
class _Failure:
    """Why part of one card's read failed, and whether the next run may well succeed (``transient``)."""

    what: str
    transient: bool


def _merge_failures(failures: list[_Failure]) -> _Failure | None:
    """One card's failures as one: transient only when every part was (one refusal decides the wait)."""
    if not failures:
        return None
    text = "; ".join(f.what for f in failures[:2]) + (f"; {len(failures) - 2} more" if len(failures) > 2 else "")
    return _Failure(text[:500], all(f.transient for f in failures))


def _refused(status: int, code: str | None) -> str:
    return f"HTTP {status}" + (f" ({code})" if code else "") if status else "not read"


# The store's tables of each repository type the cards pass reads.
_REPO_TABLES = {"model": ("models", "model_stats"), "dataset": ("datasets", "dataset_stats")}


def _tables(repo_type: str) -> tuple[str, str]:
    if repo_type not in _REPO_TABLES:
        raise ValueError(f"repository type {repo_type!r}: model or dataset")
    return _REPO_TABLES[repo_type]


def card_candidates(store: Store, top: int | None, repo_type: str = "model", *,
                    retry_now: bool = False) -> list[tuple[str, str | None]]:
    """Repositories of ``repo_type`` without current card text (none stored, or stored for another commit, or
    stored before the crawl read licence files or with a tree or licence files that could not be read and whose
    ``retry_at`` has come), most downloaded first; never one whose README could not be read at the listing's commit
    and whose ``card_attempts.retry_at`` is to come (a gated flagship would otherwise cost a call at every run and
    take a place in ``--top N``). ``retry_now`` (``crawl --retry-now``): those waiting are candidates too, first."""
    return [(r[0], r[1]) for r in _candidates(store, top, repo_type, retry_now)]


def _candidates(store: Store, top: int | None, repo_type: str,
                retry_now: bool) -> list[tuple[str, str | None, bool, bool]]:
    """:func:`card_candidates` with, for each, whether its README (``card_attempts``) and whether its tree or
    licence files (``cards.retry_at``) were waiting: only ever true with ``retry_now``, which takes the waiting
    repositories before the others (the user asked for them: a token added, access granted), so ``--top N`` spends
    its places on them first."""
    table, stats = _tables(repo_type)
    # the conditions card_waits counts (deferred_readmes, deferred_cards): asked again later, unless retry_now
    readme_waits = "coalesce(a.retry_at > now()::TIMESTAMP AND a.sha IS NOT DISTINCT FROM m.sha, false)"
    tree_waits = ("coalesce(c.lf IS NULL AND c.retry_at > now()::TIMESTAMP "
                  "AND (m.sha IS NULL OR c.sha IS NOT DISTINCT FROM m.sha), false)")
    tree_due = "true" if retry_now else "(c.retry_at IS NULL OR c.retry_at <= now()::TIMESTAMP)"
    readme_due = "" if retry_now else f"AND NOT {readme_waits}"
    first = "(readme_waits OR tree_waits) DESC, " if retry_now else ""
    sql = f"""
        SELECT m.id, m.sha, {readme_waits} AS readme_waits, {tree_waits} AS tree_waits FROM {table} m
        LEFT JOIN (SELECT id, arg_max(sha, fetched_at) AS sha, arg_max(license_files_at, fetched_at) AS lf,
                          arg_max(retry_at, fetched_at) AS retry_at
                   FROM cards WHERE repo_type = '{repo_type}' GROUP BY id) c
               ON c.id = m.id
        LEFT JOIN (SELECT id, arg_max(downloads_30d, snapshot_id) AS d FROM {stats} GROUP BY id) s
               ON s.id = m.id
        LEFT JOIN (SELECT id, arg_max(sha, tried_at) AS sha, arg_max(retry_at, tried_at) AS retry_at
                   FROM card_attempts WHERE repo_type = '{repo_type}' GROUP BY id) a
               ON a.id = m.id
        WHERE m.deleted_at IS NULL AND (c.id IS NULL OR (m.sha IS NOT NULL AND c.sha IS DISTINCT FROM m.sha)
                                        OR (c.lf IS NULL AND {tree_due}))
          {readme_due}
        ORDER BY {first}s.d DESC NULLS LAST, m.id"""
    args: list[Any] = []
    if top is not None:
        sql += " LIMIT ?"
        args.append(top)
    return [(r[0], r[1], bool(r[2]), bool(r[3])) for r in store.con.execute(sql, args).fetchall()]


def _prior_readme_failures(store: Store, ids: list[str], repo_type: str) -> dict[str, tuple[str | None, int]]:
    """(commit, consecutive failed README reads) of each id whose last README read failed."""
    if not ids:
        return {}
    rows = store.con.execute(
        """SELECT id, arg_max(sha, tried_at), arg_max(failures, tried_at) FROM card_attempts
           WHERE repo_type = ? AND id IN (SELECT unnest(?::VARCHAR[])) GROUP BY id""", [repo_type, ids]).fetchall()
    return {r[0]: (r[1], int(r[2] or 0)) for r in rows}


def _prior_failures(store: Store, ids: list[str], repo_type: str) -> dict[str, tuple[str | None, int]]:
    """(commit, consecutive failed reads) of the stored card of each id that has one."""
    if not ids:
        return {}
    rows = store.con.execute(
        """SELECT id, arg_max(sha, fetched_at), arg_max(coalesce(read_failures, 0), fetched_at) FROM cards
           WHERE repo_type = ? AND id IN (SELECT unnest(?::VARCHAR[])) GROUP BY id""", [repo_type, ids]).fetchall()
    return {r[0]: (r[1], int(r[2] or 0)) for r in rows}


def _retry_fields(failure: _Failure | None, prior: tuple[str | None, int] | None,
                  commit: str | None) -> dict[str, Any]:
    """The card's ``read_failures`` and ``read_failure`` after this run, and whether it waits :data:`RETRY_DAYS`
    (``retry_later``; else it is asked again at the next run): the count goes on at the same commit and starts
    again at a new one."""
    if failure is None:
        return {"read_failures": 0, "read_failure": None, "retry_later": False}
    n = (prior[1] if prior is not None and prior[0] == commit else 0) + 1
    return {"read_failures": n, "read_failure": failure.what,
            "retry_later": not failure.transient or n >= MAX_TRANSIENT_RETRIES}


def fetch_all_cards(store: Store, client: HubClient, crawled: list[CrawlResult], *, top: int | None = 100,
                    progress: CrawlProgress | None = None, retry_now: bool = False) -> CardsResult:
    """``--cards``: the cards of each repository type this run crawled (models, then datasets with ``--datasets``),
    up to ``top`` of each type, each type's calls counted in its own snapshot. The result's figures are the sums;
    ``datasets`` holds the datasets' own. ``retry_now``: see :func:`fetch_cards`."""
    total = CardsResult()
    for r in crawled:
        one = fetch_cards(store, client, r.snapshot_id, top=top, repo_type=r.repo_type, progress=progress,
                          retry_now=retry_now)
        total.add(one)
        if r.repo_type == "dataset":
            total.datasets = one
    return total


def fetch_cards(store: Store, client: HubClient, snapshot_id: int, *, top: int | None = 100,
                repo_type: str = "model", progress: CrawlProgress | None = None, batch: int = 50,
                retry_now: bool = False) -> CardsResult:
    """README.md (through ``resolve``, with the commit it was read at), the recursive file tree and the licence
    files (:func:`license_paths`, :func:`_read_license_files`) for up to ``top`` repositories of ``repo_type``
    without current card text, with the same bounds and checks for models and datasets. Written in batches, each one transaction; a kill loses at most one batch, which is fetched again next
    time. A tree or licence file that cannot be read is recorded on the card with when to ask again
    (:func:`_retry_fields`); a README that cannot be read, in ``card_attempts`` with the same policy (migration
    0016). One repository's failure never ends the pass: only an endpoint that stays down does, when a README
    read fails transiently right after another read failed transiently (the second failure says the endpoint,
    not the repository, is at fault; the batch in progress, with both, is what is lost).

    ``retry_now`` (``crawl --retry-now``): the repositories waiting for their ``retry_at`` are asked now, before the
    others within ``top``. Their failure counts are kept: one that fails again at the same commit counts one more
    failure in a row (a transient failure the third time, a refusal at once, waits :data:`RETRY_DAYS` again)."""
    prog = progress or CrawlProgress()
    res = CardsResult()
    found = _candidates(store, top, repo_type, retry_now)
    todo = [(m, sha) for m, sha, _, _ in found]
    res.candidates = len(todo)
    res.readmes_retried_now = sum(r for _, _, r, _ in found)
    res.retried_now = sum(t for _, _, _, t in found)
    # waiting repositories this run does not ask (all of them, unless retry_now; then those past --top)
    res.deferred = deferred_cards(store, repo_type) - res.retried_now
    res.readmes_deferred = deferred_readmes(store, repo_type) - res.readmes_retried_now
    links = _license_links(store, [m for m, _ in todo], repo_type)
    prior = _prior_failures(store, [m for m, _ in todo], repo_type)
    prior_readme = _prior_readme_failures(store, [m for m, _ in todo], repo_type)
    prog.begin("cards and file trees" + ("" if repo_type == "model" else f" of {repo_type}s"), len(todo), 0)
    cards: list[dict[str, Any]] = []
    files: list[dict[str, Any]] = []
    tree_ids: list[str] = []
    texts: list[dict[str, Any]] = []
    attempts: list[dict[str, Any]] = []
    calls0 = start_calls = client.stats.api_calls
    suspect = False   # the previous repository's last read failed transiently: the endpoint may be down
    try:
        for i, (repo_id, sha) in enumerate(todo, 1):
            tf: TextFile | None = None
            readme_failure: _Failure | None = None
            try:
                tf = client.get_text_file(repo_id, "README.md", repo_type=repo_type)
            except Unreachable as exc:
                if suspect:   # two in a row: the endpoint, not this repository (exit 69; the batch is read again)
                    raise
                readme_failure = _Failure(f"README.md: {str(exc)[:200]}", True)
            # 404 for the file (EntryNotFound) means "no card"; a 404 for the repository or revision
            # (gone since the listing), 401/403 (gated, private), any other 4xx and an answer past the size bound
            # are refusals, a failure after the client's retries transient: recorded in card_attempts
            absent = tf is not None and tf.status == 404 and tf.error_code not in ("RepoNotFound", "RevisionNotFound")
            if tf is not None and (tf.status == 200 or absent):
                suspect = False
                if tf.status == 200:
                    res.fetched += 1
                else:
                    res.missing += 1
                commit = tf.commit or sha
                card = {"id": repo_id, "sha": commit, "text": tf.text, "url": tf.url,
                        "license_files_at": False}   # True once its tree and licence files are read
                cards.append(card)
                failures: list[_Failure] = []
                tree = _read_tree(client, repo_id, repo_type, failures)
                if tree is not None:
                    res.trees += 1
                    tree_ids.append(repo_id)
                    for e in tree:
                        if e.get("type") == "file" and isinstance(e.get("path"), str):
                            lfs = e["lfs"] if isinstance(e.get("lfs"), dict) else {}
                            size = _int64(e.get("size"))
                            files.append({"id": repo_id, "path": e["path"],
                                          "size": size if size is not None else _int64(lfs.get("size")),
                                          "blob_id": e.get("oid") if isinstance(e.get("oid"), str) else None,
                                          "lfs_sha256": lfs.get("oid") if isinstance(lfs.get("oid"), str) else None})
                    read, lf_failures = _read_license_files(client, repo_id, commit, tree, links.get(repo_id), res,
                                                            repo_type)
                    texts.extend(read)
                    failures += lf_failures
                else:
                    res.trees_failed += 1
                merged = _merge_failures(failures)
                suspect = any(f.transient for f in failures)
                # a failure: the card's tree and licence files are looked for again (license_files_at NULL) when
                # its commit changes or its retry_at comes
                card["license_files_at"] = merged is None
                retry = _retry_fields(merged, prior.get(repo_id), commit)
                card.update(retry)
                res.retry_later += bool(retry["retry_later"])
            else:
                if tf is not None:   # the endpoint answered: a refusal
                    readme_failure = _Failure("README.md: " + (
                        f"larger than {client.max_body:,} bytes; not read" if tf.error_code == "TooLarge"
                        else _refused(tf.status, tf.error_code)), False)
                suspect = tf is None
                res.failed += 1
                # the listing's commit, not the answer's: what the next run compares with the listing's
                retry = _retry_fields(readme_failure, prior_readme.get(repo_id), sha)
                attempts.append({"id": repo_id, "sha": sha, "failure": retry["read_failure"],
                                 "failures": retry["read_failures"], "retry_later": retry["retry_later"]})
                res.readmes_retry_later += bool(retry["retry_later"])
            prog.page(1, 1 if tf is not None and tf.status == 200 else 0, 0)
            if len(cards) + len(attempts) >= batch or i == len(todo):
                res.files += _write_cards(store, snapshot_id, cards, files, tree_ids, texts,
                                          client.stats.api_calls - calls0, repo_type, attempts)
                calls0 = client.stats.api_calls
                cards, files, tree_ids, texts, attempts = [], [], [], [], []
    finally:
        prog.end()
    res.api_calls = client.stats.api_calls - start_calls
    return res


def _read_tree(client: HubClient, repo_id: str, repo_type: str,
               failures: list[_Failure]) -> list[dict[str, Any]] | None:
    """The repository's recursive file tree, or None with why appended to ``failures``: a refusal (4xx, an
    answer past the size bound or that is not a tree) or a transient failure (the endpoint still failing after
    the client's retries). Never raises for one repository's tree."""
    try:
        t = client.read_tree(repo_id, repo_type=repo_type)
    except Unreachable as exc:
        failures.append(_Failure(f"file tree: {str(exc)[:200]}", True))
        return None
    except InvalidInput as exc:
        failures.append(_Failure(f"file tree: {str(exc)[:200]}", False))
        return None
    if t.entries is None:
        failures.append(_Failure(f"file tree: {_refused(t.status, t.error_code)}", False))
    return t.entries


# A licence text is a few KiB (the longest model licences, OpenRAIL's, about 30 KiB); a "LICENSE" larger than this is
# not a licence anyone reads, and is not downloaded.
MAX_LICENSE_TEXT_BYTES = 256 * 2**10
# Licence files read per model: the linked one and the release's own (LICENSE, LICENSE-MODEL, LICENSE-CODE); a
# repository with a LICENSES/ folder of 40 REUSE texts costs no more than this.
MAX_LICENSE_FILES_PER_MODEL = 4
# What an answer's status line and headers may add to the client's raw bound (it counts every byte received).
HEADER_ALLOWANCE = 64 * 2**10


def _license_links(store: Store, ids: list[str], repo_type: str = "model") -> dict[str, str]:
    """The card's ``license_link`` of each repository that has one (a path, or a URL)."""
    if not ids:
        return {}
    table, _ = _tables(repo_type)
    rows = store.con.execute(
        f"""SELECT id, json_extract_string(card_data, '$.license_link') FROM {table}
            WHERE id IN (SELECT unnest(?::VARCHAR[])) AND card_data IS NOT NULL""", [ids]).fetchall()
    return {r[0]: r[1] for r in rows if isinstance(r[1], str) and r[1].strip()}


def license_paths(tree: list[dict[str, Any]], link: str | None, repo_id: str,
                  repo_type: str = "model") -> list[tuple[str, int | None]]:
    """(path, size in the tree) of the licence files to read: the ``license_link`` target first, then the
    release's own licence files (:func:`openscope.sources.license_files.is_license_file`) in the order the folder reader uses, at
    most :data:`MAX_LICENSE_FILES_PER_MODEL`."""
    sizes: dict[str, int | None] = {}
    for e in tree:
        p = e.get("path")
        if e.get("type") == "file" and isinstance(p, str):
            lfs = e["lfs"] if isinstance(e.get("lfs"), dict) else {}
            size = _int64(e.get("size"))
            sizes[p] = size if size is not None else _int64(lfs.get("size"))
    linked = link_target(link, link_repo_id(repo_type, repo_id), set(sizes))
    wanted = ([linked] if linked else []) + sorted((p for p in sizes if is_license_file(p) and p != linked),
                                                   key=reading_priority)
    return [(p, sizes[p]) for p in wanted[:MAX_LICENSE_FILES_PER_MODEL]]


@contextmanager
def _bounded(client: HubClient, max_bytes: int) -> Iterator[None]:
    """Reads through ``client`` bounded to ``max_bytes`` per answer (the client's own bound is for list pages).
    The card pass runs alone, after the listing's reader thread has ended, so the bound is the client's while
    it lasts."""
    old = client.max_body
    client.max_body = min(old, max_bytes)
    try:
        yield
    finally:
        client.max_body = old


def _read_license_files(client: HubClient, repo_id: str, sha: str | None, tree: list[dict[str, Any]],
                        link: str | None, res: CardsResult,
                        repo_type: str = "model") -> tuple[list[dict[str, Any]], list[_Failure]]:
    """The licence files of one model, read: (rows for ``license_texts``, the reads that failed: none when every
    file was read or is known not to be readable). A file missing since the tree was read is not an error (no row); one larger than
    :data:`MAX_LICENSE_TEXT_BYTES` (by the tree's size, without a request, or by the answer) gets a row without
    text saying so; a failed read (an error after the client's retries, a 401/403) is counted, leaves no row and
    makes the model's licence files be looked for again next time. Never raises for one file: the README and the
    tree already read are kept."""
    rows: list[dict[str, Any]] = []
    failures: list[_Failure] = []
    for path, size in license_paths(tree, link, repo_id, repo_type):
        base = {"id": repo_id, "path": path, "sha": sha, "text": None, "bytes": None, "url": None, "note": None}
        too_large = f"larger than {MAX_LICENSE_TEXT_BYTES:,} bytes; not read"
        if size is not None and size > MAX_LICENSE_TEXT_BYTES:
            res.license_files_skipped += 1
            rows.append({**base, "bytes": size, "note": too_large})
            continue
        try:
            # the client's raw bound counts the status line and headers too: an allowance for them, so a text of
            # exactly the bound is read; the body itself is held to the bound below
            with _bounded(client, MAX_LICENSE_TEXT_BYTES + HEADER_ALLOWANCE):
                tf = client.get_text_file(repo_id, quote(path, safe="/"), repo_type=repo_type)
        except (Unreachable, InvalidInput) as exc:  # an endpoint that stays down or answers nonsense for this file
            res.license_files_failed += 1
            failures.append(_Failure(f"{path}: {str(exc)[:200]}", isinstance(exc, Unreachable)))
            continue
        raw = tf.raw if tf.raw is not None else (tf.text or "").encode("utf-8")
        if tf.status == 200 and tf.text is not None and len(raw) > MAX_LICENSE_TEXT_BYTES:
            res.license_files_skipped += 1
            rows.append({**base, "bytes": len(raw), "url": tf.url, "note": too_large})
        elif tf.status == 200 and tf.text is not None:
            res.license_files += 1
            # decoded as the folder reader decodes a file (UTF-16 by its mark, a UTF-8 mark dropped, Latin-1), and
            # kept only when it is a licence text: bytes that are no text, an LFS pointer or an HTML page are stored
            # as a row without text that says what was served (never a text of replacement characters)
            text, _ = decode_text(raw)
            why = "not text (binary)" if text is None else not_a_licence_text(text)
            rows.append({**base, "sha": tf.commit or sha, "text": None if why else text, "bytes": len(raw),
                         "url": tf.url, "note": f"{why}; not read" if why else None})
        elif tf.error_code == "TooLarge":
            res.license_files_skipped += 1
            rows.append({**base, "url": tf.url, "note": too_large})
        elif tf.status == 404 and tf.error_code not in ("RepoNotFound", "RevisionNotFound"):
            continue  # gone since the tree was read: nothing to read, nothing to retry
        else:   # 401/403 (gated), 404 for the repository: refused
            res.license_files_failed += 1
            failures.append(_Failure(f"{path}: {_refused(tf.status, tf.error_code)}", False))
    return rows, failures


def _int64(v: object) -> int | None:
    """A size the store can hold (BIGINT): not a bool, not beyond 64 bits (a tree entry may say anything)."""
    return v if isinstance(v, int) and not isinstance(v, bool) and -(2**63) <= v < 2**63 else None


def _write_cards(store: Store, sid: int, cards: list[dict[str, Any]], files: list[dict[str, Any]],
                 tree_ids: list[str], texts: list[dict[str, Any]], api_calls: int, repo_type: str = "model",
                 attempts: list[dict[str, Any]] | None = None) -> int:
    """One batch in one transaction: the cards read (and their trees and licence texts) and the README reads that
    failed (``card_attempts``: replaced per repository; a repository whose README was read loses its row)."""
    con = store.con
    attempt_tbl = pa.Table.from_pylist(attempts or [], schema=pa.schema(
        [("id", pa.string()), ("sha", pa.string()), ("failure", pa.string()), ("failures", pa.int32()),
         ("retry_later", pa.bool_())]))
    card_tbl = pa.Table.from_pylist(cards, schema=pa.schema(
        [("id", pa.string()), ("sha", pa.string()), ("text", pa.string()), ("url", pa.string()),
         ("license_files_at", pa.bool_()), ("read_failures", pa.int32()), ("read_failure", pa.string()),
         ("retry_later", pa.bool_())]))
    text_tbl = pa.Table.from_pylist(texts, schema=pa.schema(
        [("id", pa.string()), ("path", pa.string()), ("sha", pa.string()), ("text", pa.string()),
         ("bytes", pa.int64()), ("url", pa.string()), ("note", pa.string())]))
    file_tbl = pa.Table.from_pylist(files, schema=pa.schema(
        [("id", pa.string()), ("path", pa.string()), ("size", pa.int64()), ("blob_id", pa.string()),
         ("lfs_sha256", pa.string())]))
    tree_tbl = pa.table({"id": pa.array(tree_ids, pa.string())})
    with store.transaction():
        con.register("_cards_in", card_tbl)
        con.register("_files_in", file_tbl)
        con.register("_trees_in", tree_tbl)
        con.register("_texts_in", text_tbl)
        con.register("_attempts_in", attempt_tbl)
        try:
            con.execute("""DELETE FROM card_attempts WHERE repo_type = ?
                           AND (id IN (SELECT id FROM _cards_in) OR id IN (SELECT id FROM _attempts_in))""",
                        [repo_type])
            con.execute("""INSERT INTO card_attempts (repo_type, id, sha, failure, failures, retry_at, tried_at,
                                                      snapshot_id)
                           SELECT ?, id, sha, failure, failures,
                                  CASE WHEN retry_later THEN now()::TIMESTAMP + to_days(?) END, now()::TIMESTAMP, ?
                           FROM _attempts_in""", [repo_type, RETRY_DAYS, sid])
            con.execute("DELETE FROM cards WHERE repo_type = ? AND id IN (SELECT id FROM _cards_in)", [repo_type])
            con.execute("""INSERT INTO cards (id, repo_type, sha, text, fetched_at, snapshot_id, url, license_files_at,
                                              read_failures, read_failure, retry_at)
                           SELECT id, ?, sha, text, now()::TIMESTAMP, ?, url,
                                  CASE WHEN license_files_at THEN now()::TIMESTAMP END,
                                  read_failures, read_failure,
                                  CASE WHEN retry_later THEN now()::TIMESTAMP + to_days(?) END
                           FROM _cards_in""", [repo_type, sid, RETRY_DAYS])
            # a model's licence texts go with its card: replaced whenever its licence files were all read again;
            # when one read failed, the texts read now replace their own paths only, and the others stay (tried
            # again next time, since license_files_at stays NULL)
            con.execute("""DELETE FROM license_texts t WHERE repo_type = ?
                           AND (id IN (SELECT id FROM _cards_in WHERE license_files_at)
                                OR EXISTS (SELECT 1 FROM _texts_in n WHERE n.id = t.id AND n.path = t.path))""",
                        [repo_type])
            con.execute("""INSERT INTO license_texts (repo_type, id, path, sha, text, bytes, url, note, read_at,
                                                      snapshot_id)
                           SELECT ?, id, path, sha, text, bytes, url, note, now()::TIMESTAMP, ? FROM _texts_in""",
                        [repo_type, sid])
            con.execute("DELETE FROM files WHERE repo_type = ? AND id IN (SELECT id FROM _trees_in)", [repo_type])
            n = con.execute(  # type: ignore[index]  # DuckDB's DML yields one row, its count
                            """INSERT INTO files (repo_type, id, path, size, blob_id, lfs_sha256, snapshot_id)
                               SELECT ?, id, path, size, blob_id, lfs_sha256, ? FROM _files_in""",
                            [repo_type, sid]).fetchone()[0]
            snaps.add_progress(store, sid, api_calls=api_calls)
        finally:
            con.unregister("_cards_in")
            con.unregister("_files_in")
            con.unregister("_trees_in")
            con.unregister("_texts_in")
            con.unregister("_attempts_in")
    return int(n)
