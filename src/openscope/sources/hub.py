"""The Hugging Face Hub HTTP client: list pages, card text and file trees, politely and without loss.

Why a client of our own (on httpx) rather than ``huggingface_hub.list_models``: the crawler needs each
entry's JSON text *exactly as received* (so a dump re-ingests to the same hashes), the ``Link`` cursor of
every page (so a killed crawl resumes where it stopped), and full control of waiting: a 429 is answered
by sleeping until the reset the Hub announces (``RateLimit: "api";r=0;t=37`` or ``Retry-After``),
never by retrying early, and a response that says the window is spent (``r=0``) makes the next request
wait before it is sent. 5xx answers, connection resets, timeouts and truncated bodies (shorter than
``Content-Length``, or not valid JSON) are retried with exponential backoff and jitter; when the retries
are spent the client raises :class:`~openscope.errors.Unreachable` (exit 69). A list request refused
with HTTP 400 because of one ``expand`` value drops that value (with a warning) and goes on.

Every attempt is bounded as a whole, not only per socket read: httpx's timeouts restart with each
read, so a server (or a broken proxy) sending a byte at a time could hold one request for days. An
attempt must deliver its headers and body within ``deadline`` seconds (``--deadline``, by default
:data:`DEADLINE_FACTOR` × ``--timeout``) and at most ``max_body`` bytes; past the deadline it counts as
a cut connection (retried, then exit 69), past the size bound the answer is refused (exit 65).
"""

from __future__ import annotations

import json
import random
import re
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpcore
import httpx

from openscope import __version__
from openscope.errors import InvalidInput, Unreachable

DEFAULT_ENDPOINT = "https://huggingface.co"

# The fields the store reads from a list entry (see store/normalize.py), per repository type.
MODEL_EXPAND = [
    "author", "createdAt", "lastModified", "pipeline_tag", "library_name", "gated", "tags", "downloads",
    "downloadsAllTime", "likes", "cardData", "safetensors", "gguf", "siblings", "sha", "private",
    "baseModels",
]
DATASET_EXPAND = [
    "author", "createdAt", "lastModified", "gated", "tags", "downloads", "downloadsAllTime", "likes",
    "cardData", "siblings", "sha", "private",
]
# A counters sweep asks only for these: about 60 bytes per entry, 1,000 entries per call.
COUNTER_EXPAND = ["downloads", "downloadsAllTime", "likes"]
# Fields the Hub documents as possibly refused on list routes: dropped first when a 400 names nothing.
OPTIONAL_EXPAND = ["baseModels", "childrenModelCount", "gguf"]

_RATELIMIT_T = re.compile(r"(?:^|[;,\s])t=(\d+(?:\.\d+)?)")
_RATELIMIT_R = re.compile(r"(?:^|[;,\s])r=(\d+)")
_EXPAND_INDEX = re.compile(r"expand\[(\d+)\]")
MAX_CONSECUTIVE_429 = 100
# --deadline defaults to this many --timeout: 300 s at the default --timeout 60, so 7 attempts of a
# trickling answer end the crawl (exit 69, resumable) in about 35 minutes, not days.
DEADLINE_FACTOR = 5.0
# The largest answer read, after decompression. The Hub's biggest list pages (1,000 datasets with
# their file lists) are tens of MB; 256 MiB is room to spare, and bounds what a hostile server (or a
# gzip bomb) can make the crawler hold in memory.
MAX_BODY_BYTES = 256 * 2**20


@dataclass
class Page:
    """One list page: the raw text of each entry, in order, and the next page's URL (or None)."""

    url: str
    entries: list[str]
    next_url: str | None


@dataclass
class TextFile:
    status: int  # 200, or 404 when the file does not exist, or 0 when not read (larger than max_body)
    text: str | None
    commit: str | None  # X-Repo-Commit
    url: str
    error_code: str | None = None  # X-Error-Code: EntryNotFound (no such file), RepoNotFound, …
    raw: bytes | None = None  # the body as served (a licence file may be UTF-16 or binary: the reader decodes it)


@dataclass
class Tree:
    """A file tree as read: its entries, or None with the status (and ``X-Error-Code``) that refused it."""

    entries: list[dict] | None
    status: int
    error_code: str | None = None


@dataclass
class ClientStats:
    api_calls: int = 0
    rate_limit_wait_s: float = 0.0
    retries: int = 0
    dropped_expand: list[str] = field(default_factory=list)
    simulated: bool = False  # an answer carried X-OpenScope-Simulated: 1 (the simulated Hub)


class NotAList(InvalidInput):
    """A complete answer that is not a list: not a Hub list route (exit 65, not retried)."""


class TooLarge(InvalidInput):
    """An answer larger than the client's ``max_body``: not a Hub answer (exit 65, not retried)."""


# -- a whole-attempt budget, enforced on every socket operation -----------------------------------------

@dataclass
class _Budget:
    """What one attempt may still spend: until ``deadline`` (monotonic) and ``max_bytes`` bytes read
    from the network. ``spent`` says which bound ended it."""

    deadline: float
    max_bytes: int
    received: int = 0
    spent: str | None = None  # "deadline" | "size"


_CURRENT = threading.local()  # the budget of the attempt this thread is making (HubClient._fetch)


def _clamp(timeout: float | None, error: type[Exception]) -> tuple[float | None, bool]:
    """The timeout for the next socket operation: the caller's, or what is left of the attempt's
    deadline when that is sooner (then True). Raises ``error`` once the deadline has passed."""
    b: _Budget | None = getattr(_CURRENT, "budget", None)
    if b is None:
        return timeout, False
    left = b.deadline - time.monotonic()
    if left <= 0:
        b.spent = "deadline"
        raise error("no complete answer before the deadline")
    return (left, True) if timeout is None or left < timeout else (timeout, False)


class _BoundedStream(httpcore.NetworkStream):
    """A connection whose reads and writes never wait past the current attempt's deadline and whose
    reads stop at its byte bound. Why at this level: httpcore reads headers and body through it, so a
    server trickling either one is cut at the deadline, to the read."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        t, clamped = _clamp(timeout, httpcore.ReadTimeout)
        try:
            data = self._inner.read(max_bytes, t)
        except httpcore.ReadTimeout:
            b = getattr(_CURRENT, "budget", None)
            if clamped and b is not None:
                b.spent = "deadline"
            raise
        b = getattr(_CURRENT, "budget", None)
        if b is not None:
            b.received += len(data)
            if b.received > b.max_bytes:
                b.spent = "size"
                raise httpcore.ReadError("the answer is larger than the bound")
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _clamp(timeout, httpcore.WriteTimeout)[0])

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(ssl_context, server_hostname, _clamp(timeout, httpcore.ConnectTimeout)[0])
        return _BoundedStream(inner)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _BoundedBackend(httpcore.NetworkBackend):
    """httpcore's network backend with every connection a :class:`_BoundedStream`."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        t = _clamp(timeout, httpcore.ConnectTimeout)[0]
        return _BoundedStream(self._inner.connect_tcp(host, port, t, local_address, socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        t = _clamp(timeout, httpcore.ConnectTimeout)[0]
        return _BoundedStream(self._inner.connect_unix_socket(path, t, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def bound_connections(client: httpx.Client) -> bool:
    """Route every connection ``client`` opens (direct, and through proxies from the environment)
    through :class:`_BoundedBackend`. True when every connection pool was reached.

    Why reach into httpx: it has no whole-request timeout (encode/httpx#1450) and no public way to give
    its default transports a network backend; replacing the transports instead would lose its reading
    of ``HTTPS_PROXY``/``NO_PROXY``. The attributes are checked, and tests/test_crawl_deadline.py fails
    if an httpx release moves them (the body would then still be bounded between chunks)."""
    transports = [getattr(client, "_transport", None), *getattr(client, "_mounts", {}).values()]
    reached = True
    for t in transports:
        if t is None:  # a NO_PROXY mount: requests go through the default transport
            continue
        pool = getattr(t, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if isinstance(backend, _BoundedBackend):
            continue
        if not isinstance(backend, httpcore.NetworkBackend):
            reached = False
            continue
        pool._network_backend = _BoundedBackend(backend)  # type: ignore[union-attr]
    return reached


def split_array(body: str) -> list[str]:
    """The raw text of each element of a JSON array, exactly as received.

    The decoder validates the whole body while it finds each element's end; an element's text keeps its
    own bytes (key order, number spelling, escapes). Newlines between tokens (a pretty-printed body) are
    folded to spaces so each entry fits on one dump line; inside JSON strings newlines cannot occur.
    Raises ValueError when the body is not a JSON array.
    """
    dec = json.JSONDecoder()
    ws = " \t\r\n"
    n = len(body)
    i = 0
    while i < n and body[i] in ws:
        i += 1
    if i >= n:
        raise ValueError("empty response body")
    if body[i] != "[":
        raise NotAList(f"the response is not a JSON array (it starts with {body[i:i + 40]!r})")
    i += 1
    out: list[str] = []
    while True:
        while i < n and body[i] in ws:
            i += 1
        if i < n and body[i] == "]" and not out:
            i += 1
            break
        try:
            _, end = dec.raw_decode(body, i)
        except RecursionError:  # nested deeper than the decoder's stack allows: no Hub entry is
            raise ValueError("an entry is nested too deeply to read") from None
        text = body[i:end]
        if "\n" in text or "\r" in text:
            text = text.replace("\r", " ").replace("\n", " ")
        out.append(text)
        i = end
        while i < n and body[i] in ws:
            i += 1
        if i < n and body[i] == ",":
            i += 1
            continue
        if i < n and body[i] == "]":
            i += 1
            break
        raise ValueError("response is not a complete JSON array")
    if body[i:].strip():
        raise ValueError("extra data after the JSON array")
    return out


def retry_after(headers: httpx.Headers, now: float | None = None) -> float | None:
    """Seconds asked by ``Retry-After`` (seconds or an HTTP date), or None."""
    ra = (headers.get("retry-after") or "").strip()
    if not ra:
        return None
    try:
        return max(0.0, float(ra))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(ra).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


def announced_wait(headers: httpx.Headers, now: float | None = None) -> float | None:
    """Seconds until the rate-limit window resets, from ``RateLimit`` (t=) and ``Retry-After``; the
    larger wins. None when neither says."""
    waits: list[float] = []
    m = _RATELIMIT_T.search(headers.get("ratelimit", ""))
    if m:
        waits.append(float(m.group(1)))
    ra = retry_after(headers, now)
    if ra is not None:
        waits.append(ra)
    return max(waits) if waits else None


def window_spent(headers: httpx.Headers) -> bool:
    """True when a successful response says no request is left in the current window (r=0)."""
    m = _RATELIMIT_R.search(headers.get("ratelimit", ""))
    return m is not None and int(m.group(1)) == 0


def strip_expand(url: str, dropped: set[str] | list[str]) -> str:
    """``url`` without the ``expand=`` values in ``dropped`` (the rest of the query is kept verbatim)."""
    if not dropped:
        return url
    u = httpx.URL(url)
    items = [(k, v) for k, v in u.params.multi_items() if not (k == "expand" and v in dropped)]
    return str(u.copy_with(params=httpx.QueryParams(tuple(items))))


def _attempts(n: int) -> str:
    return f"{n} attempt{'' if n == 1 else 's'}"


class HubClient:
    """A polite, fault-tolerant reader of one Hub endpoint.

    ``timeout`` bounds each wait for bytes; ``deadline`` (default :data:`DEADLINE_FACTOR` × ``timeout``)
    bounds each attempt as a whole, headers and body; ``max_body`` bounds its size (decompressed, and
    as read from the network). ``on_wait(seconds, reason)`` is called before every sleep (for the progress bar); ``on_warning(msg)``
    for things the user should know (a dropped expand field). Counters of calls and waits are in
    :attr:`stats`.
    """

    def __init__(
        self,
        endpoint: str = DEFAULT_ENDPOINT,
        *,
        token: str | None = None,
        max_wait: float = 900.0,
        retries: int = 6,
        backoff: float = 1.0,
        backoff_cap: float = 60.0,
        timeout: float = 60.0,
        deadline: float | None = None,
        max_body: int = MAX_BODY_BYTES,
        wait_margin: float = 0.25,
        on_wait: Callable[[float, str], None] | None = None,
        on_warning: Callable[[str], None] | None = None,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.max_wait = max_wait
        self.retries = retries
        self.backoff = backoff
        self.backoff_cap = backoff_cap
        self.wait_margin = wait_margin
        self.deadline = deadline if deadline is not None else DEADLINE_FACTOR * timeout
        self.max_body = max_body
        self.on_wait = on_wait or (lambda s, r: None)
        self.on_warning = on_warning or (lambda m: None)
        self.stats = ClientStats()
        self._not_before = 0.0  # monotonic time before which no request may be sent
        headers = {"User-Agent": f"openscope/{__version__}", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(
            headers=headers, timeout=httpx.Timeout(timeout), follow_redirects=True,
            limits=httpx.Limits(max_keepalive_connections=2, max_connections=4),
        )
        self.bounded = bound_connections(self._http)

    # -- lifecycle ---------------------------------------------------------------------------------
    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HubClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- URLs --------------------------------------------------------------------------------------
    def list_url(self, repo_type: str, params: list[tuple[str, str]]) -> str:
        route = "models" if repo_type == "model" else "datasets"
        url = httpx.URL(f"{self.endpoint}/api/{route}", params=httpx.QueryParams(tuple(params)))
        return strip_expand(str(url), self.stats.dropped_expand)

    def is_own(self, url: str | httpx.URL) -> bool:
        """Whether ``url`` is on this endpoint (scheme, host, port, path prefix; http may become https).
        The Hub's pages and ``Link`` headers always are: following one elsewhere would send the token
        to, and read repositories from, another server."""
        try:
            u, e = httpx.URL(url), httpx.URL(self.endpoint)
        except httpx.InvalidURL:
            return False
        scheme_ok = u.scheme == e.scheme or (e.scheme, u.scheme, e.port) == ("http", "https", None)
        return (scheme_ok and u.host == e.host and u.port == e.port
                and u.path.startswith(e.path.rstrip("/") + "/"))

    def _repo_path(self, repo_type: str, repo_id: str) -> str:
        prefix = "" if repo_type == "model" else f"{repo_type}s/"
        return prefix + quote(repo_id, safe="/")

    # -- waiting -----------------------------------------------------------------------------------
    def _sleep(self, seconds: float, reason: str, *, rate_limit: bool) -> None:
        if seconds <= 0:
            return
        self.on_wait(seconds, reason)
        t0 = time.monotonic()
        time.sleep(seconds)
        if rate_limit:
            self.stats.rate_limit_wait_s += time.monotonic() - t0

    def _wait_turn(self) -> None:
        left = self._not_before - time.monotonic()
        if left > 0:
            self._sleep(left, "rate limit: window spent, waiting for its reset", rate_limit=True)

    def _backoff(self, attempt: int, reason: str, at_least: float | None = None) -> None:
        delay = min(self.backoff_cap, self.backoff * (2 ** attempt))
        delay = delay * (0.5 + random.random() / 2)  # jitter: many clients never retry in step
        if at_least is not None and at_least <= self.max_wait:  # a 503 with Retry-After: as asked
            delay = max(delay, at_least)
        self.stats.retries += 1
        self._sleep(delay, f"retrying after {reason}", rate_limit=False)

    def _rate_limited(self, resp: httpx.Response, n429: int, waited: float = 0.0) -> float:
        """Wait as a 429 asks; returns the wait. ``waited``: seconds already spent on 429s for this
        request: --max-wait bounds their sum, so a Hub that keeps answering 429 cannot hold a crawl for
        hours (100 consecutive waits of up to --max-wait each would be 25 h at the default)."""
        wait = announced_wait(resp.headers)
        if n429 >= MAX_CONSECUTIVE_429:
            raise Unreachable(f"{self.endpoint} answered HTTP 429 {n429} times in a row; try again later")
        if wait is None:
            wait = min(self.backoff_cap, self.backoff * (2 ** min(n429, 10)))
        if waited + wait > self.max_wait:
            raise Unreachable(
                f"{self.endpoint} is rate limiting: it asks to wait {wait:.0f} s"
                + (f" after {waited:.0f} s of waits for this request" if waited else "")
                + f", more than --max-wait {self.max_wait:.0f} s; run the same crawl again later to resume"
            )
        # Never early: the reset is counted from when the Hub sent the answer, and we received it later.
        self._not_before = time.monotonic() + wait + self.wait_margin
        self._wait_turn()
        return wait + self.wait_margin

    # -- one request, with every fault handled ------------------------------------------------------
    def request(self, url: str, *, parse: Callable[[httpx.Response], object] | None = None,
                ok_status: tuple[int, ...] = ()) -> tuple[httpx.Response, object]:
        """GET ``url``; returns ``(response, parse(response))`` for a 2xx response whose body is complete
        (``parse`` raising ValueError counts as a truncated body and is retried), or ``(response, None)``
        for a status in ``ok_status`` or a 4xx other than 429. Raises Unreachable once retries are spent."""
        attempt = 0
        n429 = 0
        waited429 = 0.0
        last = ""
        while True:
            self._wait_turn()
            self.stats.api_calls += 1
            try:
                resp, truncated = self._fetch(url)
            except httpx.RequestError as exc:  # resets, timeouts, refused, truncated or undecodable bodies
                last = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else 'no detail'}"
                if attempt >= self.retries:
                    raise Unreachable(f"{self.endpoint} unreachable after {_attempts(attempt + 1)} ({last})")
                self._backoff(attempt, last)
                attempt += 1
                continue
            if resp.headers.get("x-openscope-simulated") == "1":
                self.stats.simulated = True
            if resp.status_code == 429:
                n429 += 1
                waited429 += self._rate_limited(resp, n429, waited429)
                continue
            n429, waited429 = 0, 0.0
            if resp.status_code >= 500:
                last = f"HTTP {resp.status_code}"
                if attempt >= self.retries:
                    raise Unreachable(f"{self.endpoint} unreachable after {_attempts(attempt + 1)} ({last})")
                self._backoff(attempt, last, at_least=retry_after(resp.headers))
                attempt += 1
                continue
            if resp.status_code in ok_status or 400 <= resp.status_code < 500:
                return resp, None
            problem = truncated
            parsed: object = None
            if problem is None and parse is not None:
                try:
                    parsed = parse(resp)
                except ValueError as exc:
                    problem = f"truncated or invalid body ({exc})"
            if problem:
                last = problem
                if attempt >= self.retries:
                    raise Unreachable(f"{self.endpoint} unreachable after {_attempts(attempt + 1)} ({last})")
                self._backoff(attempt, last)
                attempt += 1
                continue
            if window_spent(resp.headers):
                wait = announced_wait(resp.headers)
                if wait is not None and wait <= self.max_wait:
                    self._not_before = max(self._not_before, time.monotonic() + wait + self.wait_margin)
            return resp, parsed

    def _fetch(self, url: str) -> tuple[httpx.Response, str | None]:
        """One attempt: the answer with its whole body read, within ``deadline`` and ``max_body``, and
        why the body is short of its ``Content-Length`` (or None).

        The body is streamed so its size is counted as it arrives (decompressed here, raw in
        :class:`_BoundedStream`) and the deadline is checked between chunks too (httpcore reads up to
        64 KiB at a time: no work per byte). Raises TooLarge past ``max_body``, httpx.ReadTimeout past
        the deadline (a cut connection to the caller) and any other httpx.RequestError as it comes."""
        budget = _Budget(time.monotonic() + self.deadline, self.max_body)
        _CURRENT.budget = budget
        try:
            with self._http.stream("GET", url) as resp:
                chunks: list[bytes] = []
                size = 0
                for chunk in resp.iter_bytes():
                    size += len(chunk)
                    if size > self.max_body:
                        budget.spent = "size"
                        break
                    if time.monotonic() > budget.deadline:
                        budget.spent = "deadline"
                        break
                    chunks.append(chunk)
                if budget.spent is not None:
                    raise httpx.ReadError("stopped reading")
                raw = resp.num_bytes_downloaded
        except httpx.RequestError as exc:
            if budget.spent == "size":
                raise TooLarge(f"the answer to {url[:200]} is larger than {self.max_body:,} bytes; not read") from None
            if budget.spent == "deadline":
                raise httpx.ReadTimeout(f"no complete answer within {self.deadline:g} s (--deadline)") from None
            raise exc
        finally:
            _CURRENT.budget = None
        body = b"".join(chunks)
        problem = None
        declared = resp.headers.get("content-length")
        if declared and not resp.headers.get("content-encoding"):
            try:
                if raw < int(declared):
                    problem = f"truncated body ({raw} of {declared} bytes)"
            except ValueError:
                pass
        # The same answer with its body in memory; decoded already, so no Content-Encoding any more.
        # The raw header bytes: a value that is not ASCII (latin-1 on the wire) cannot be re-encoded from str.
        headers = [(k, v) for k, v in resp.headers.raw if k.lower() != b"content-encoding"]
        out = httpx.Response(resp.status_code, headers=headers, content=body, request=resp.request)
        out.history = list(resp.history)  # the redirects followed (a moved repository's old id answers with one)
        return out, problem

    # -- list pages --------------------------------------------------------------------------------
    def get_page(self, url: str) -> Page:
        """One list page. An HTTP 400 caused by an ``expand`` value drops it (warning) and retries."""
        url = strip_expand(url, self.stats.dropped_expand)
        if not self.is_own(url):  # a cursor stored before links were checked, or a caller's URL
            raise InvalidInput(f"{url[:200]} is not on {self.endpoint}; not requested (run the same command "
                               "with --restart to start over)")
        while True:
            try:
                resp, entries = self.request(url, parse=lambda r: split_array(r.text))
            except TooLarge as exc:
                raise TooLarge(f"{exc} (a smaller --page-size asks for less per page)") from None
            if resp.status_code == 400 and self._drop_refused_expand(url, resp):
                url = strip_expand(url, self.stats.dropped_expand)
                continue
            if resp.status_code >= 400:
                hint = ""
                if "cursor" in httpx.URL(url).params:
                    hint = " (the stored page cursor may have expired: run the same command with --restart)"
                raise InvalidInput(f"the Hub refused {url}: HTTP {resp.status_code} {_error_text(resp)}{hint}")
            assert isinstance(entries, list)
            nxt = resp.links.get("next", {}).get("url")
            if nxt:
                try:
                    nxt = strip_expand(str(resp.url.join(nxt)), self.stats.dropped_expand)
                except httpx.InvalidURL as exc:  # a Link header no URL parser accepts
                    raise InvalidInput(f"the Hub's Link header names a next page that is not a URL "
                                       f"({nxt[:200]!r}: {exc})") from None
            for what, u in (("answered", str(resp.url)), ("names as the next page", nxt)):
                if u is not None and not self.is_own(u):
                    raise InvalidInput(f"{url[:200]} {what} {u[:200]}, which is not on {self.endpoint}; "
                                       "not followed")
            return Page(str(resp.url), entries, nxt)

    def _drop_refused_expand(self, url: str, resp: httpx.Response) -> bool:
        expands = [v for k, v in httpx.URL(url).params.multi_items() if k == "expand"]
        if not expands:
            return False
        msg = _error_text(resp)
        victim = None
        m = _EXPAND_INDEX.search(msg)
        if m and int(m.group(1)) < len(expands):
            victim = expands[int(m.group(1))]
        if victim is None:
            # Look before any list of allowed values ("...; allowed: a, b", "must be one of [...]").
            head = re.split(r"(?i)allowed|one of|must be", msg)[0]
            named = [v for v in expands if re.search(rf"(?<![A-Za-z_]){re.escape(v)}(?![A-Za-z_])", head)]
            if len(named) == 1:
                victim = named[0]
        if victim is None:
            victim = next((v for v in OPTIONAL_EXPAND if v in expands), None)
        if victim is None:
            return False
        self.stats.dropped_expand.append(victim)
        self.on_warning(f"the Hub refused expand={victim} on its list route (HTTP 400: {msg[:120]}); "
                        "crawling without that field")
        return True

    def iter_pages(self, url: str) -> Iterator[Page]:
        """Every page from ``url`` on, following the ``Link`` cursor."""
        next_url: str | None = url
        while next_url:
            page = self.get_page(next_url)
            yield page
            next_url = page.next_url

    # -- moved repositories --------------------------------------------------------------------------
    def moved_to(self, repo_id: str, *, repo_type: str = "model") -> str | None:
        """The id the Hub now answers ``repo_id`` with, when that is another id (the repository was renamed
        or transferred: ``move_repo``), else None (gone: 404; not readable: 401/403; or still there).

        Why one info request: after a move the Hub redirects the old id to the new one, and the answer
        after the redirect is the moved repository's entry, whose ``id`` names it (huggingface_hub's
        ``model_info`` follows the redirect the same way). ``expand=author`` keeps the answer to three
        keys. The redirect's hop is one more request to the Hub: counted in ``api_calls``. An answer from
        another server (a redirect off the endpoint) names nothing we trust: None."""
        url = f"{self.endpoint}/api/{repo_type}s/{quote(repo_id, safe='/')}?expand=author"
        resp, data = self.request(url, parse=lambda r: json.loads(r.content))
        self.stats.api_calls += len(resp.history)
        if resp.status_code != 200 or not isinstance(data, dict) or not self.is_own(resp.url):
            return None
        new = data.get("id")
        if not isinstance(new, str) or not new or new == repo_id:
            return None
        return new

    # -- files -------------------------------------------------------------------------------------
    def get_text_file(self, repo_id: str, path: str, *, repo_type: str = "model",
                      revision: str = "main") -> TextFile:
        """``GET {endpoint}/{id}/resolve/{revision}/{path}``: the text and the commit it was read at."""
        url = f"{self.endpoint}/{self._repo_path(repo_type, repo_id)}/resolve/{quote(revision, safe='')}/{path}"
        try:
            resp, _ = self.request(url)
        except TooLarge:  # not a card anyone reads: counted as not readable, the crawl goes on
            return TextFile(0, None, None, url, "TooLarge")
        commit = resp.headers.get("x-repo-commit")
        if resp.status_code >= 400:
            return TextFile(resp.status_code, None, commit, url, resp.headers.get("x-error-code"))
        return TextFile(resp.status_code, resp.content.decode("utf-8", errors="replace"), commit, url,
                        raw=resp.content)

    def get_tree(self, repo_id: str, *, repo_type: str = "model", revision: str = "main") -> list[dict] | None:
        """Every entry of ``GET /api/{type}s/{id}/tree/{revision}?recursive=true`` (all pages), or None
        when the repository or revision does not exist (or is not readable)."""
        return self.read_tree(repo_id, repo_type=repo_type, revision=revision).entries

    def read_tree(self, repo_id: str, *, repo_type: str = "model", revision: str = "main") -> Tree:
        """:meth:`get_tree` with the answer's status and ``X-Error-Code`` when the tree was refused: the crawl
        records why a tree was not read and how soon to ask again (a 403 is not a 500)."""
        # the API route names the type in its prefix (/api/datasets/{id}); the id follows bare, never
        # /api/datasets/datasets/{id} as the resolve route's repository path would give
        url = (f"{self.endpoint}/api/{repo_type}s/{quote(repo_id, safe='/')}/tree/"
               f"{quote(revision, safe='')}?recursive=true")
        out: list[dict] = []
        next_url: str | None = url
        seen = {url}
        while next_url:
            resp, data = self.request(next_url, parse=_json_list)
            if resp.status_code >= 400:
                return Tree(None, resp.status_code, resp.headers.get("x-error-code"))
            assert isinstance(data, list)
            out.extend(e for e in data if isinstance(e, dict))
            nxt = resp.links.get("next", {}).get("url")
            try:
                next_url = str(resp.url.join(nxt)) if nxt else None
            except httpx.InvalidURL:
                next_url = "?"
            if next_url is not None and (next_url in seen or not self.is_own(next_url)):
                raise InvalidInput(f"the file tree of {repo_id} names a next page that is not a URL on "
                                   f"{self.endpoint} or was read already ({str(nxt)[:200]}); not followed")
            seen.add(str(next_url))
        return Tree(out, 200)


def _json_list(resp: httpx.Response) -> list:
    data = json.loads(resp.content)
    if not isinstance(data, list):
        raise ValueError("not a JSON list")
    return data


def _error_text(resp: httpx.Response) -> str:
    try:
        data = resp.json()
        if isinstance(data, dict) and "error" in data:
            return str(data["error"])
    except ValueError:
        pass
    return " ".join(resp.text.split())[:300]
