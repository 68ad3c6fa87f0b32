"""`openscope crawl`: keep a store in step with a Hub (the live one, a mirror, or the simulated Hub).

The work is in :mod:`openscope.jobs.crawl` (snapshots, resume, kinds, cards) and
:mod:`openscope.sources.hub` (HTTP, pagination, rate limits, retries); this module reads options, shows
progress on stderr and prints the summary.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import typer
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from openscope.commands._common import (
    Settings,
    capped,
    derive_refresh,
    duckdb_file,
    err_console,
    nonblank_output,
    open_for_write,
    out_console,
    print_json,
    settings,
    warn,
)
from openscope.errors import Interrupted, StoreWriteError, UsageError, is_interrupt, say_when_stopped
from openscope.jobs.crawl import (
    MAX_PAGE_SIZE,
    CardsResult,
    CrawlOptions,
    CrawlProgress,
    CrawlResult,
    crawl,
    fetch_all_cards,
    make_client,
)
from openscope.jobs.crawl import (
    abandon as abandon_crawl,
)
from openscope.sources.hub import DEFAULT_ENDPOINT

_SUMMED = ("pages", "records", "changed", "rejects", "api_calls", "rate_limit_wait_s")


def _card_unit(label: str) -> str:
    """What a cards pass counts, from its label (``cards and file trees of datasets``): the datasets' pass said
    "models"."""
    return "datasets" if label.endswith("of datasets") else "models"


class RichProgress(CrawlProgress):
    """A progress bar on stderr: pages, records, changes, rejects, rate-limit waits and an ETA where a
    total can be estimated (the store's size for full crawls and sweeps, --limit, --top, the share of the
    lastModified span covered for crawls down to a watermark)."""

    def __init__(self, s: Settings) -> None:
        self.s = s
        self.progress: Progress | None = None
        self.task: TaskID | None = None
        self.waited = 0.0

    def begin(self, label: str, total: int | None, done: int) -> None:
        if label.startswith("cards"):
            text = "{task.completed:,.0f} " + _card_unit(label) + " · {task.fields[changed]:,} cards read"
        else:
            text = ("{task.fields[pages]} pages · {task.completed:,.0f} records · {task.fields[changed]:,} changed"
                    " · {task.fields[rejects]} rejects · waited {task.fields[waited]:.1f} s")
        self.progress = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), BarColumn(bar_width=20), TextColumn(text),
            TimeElapsedColumn(), TimeRemainingColumn(), console=err_console(), transient=False,
        )
        self.progress.start()
        self.task = self.progress.add_task(label, total=total, completed=done, pages=0, changed=0, rejects=0,
                                           waited=self.waited)

    def page(self, records: int, changed: int, rejects: int, total: int | None = None) -> None:
        if self.progress is None or self.task is None:
            return
        t = self.progress.tasks[self.task]
        extra: dict[str, Any] = {"total": max(total, int(t.completed) + records)} if total else {}
        self.progress.update(self.task, advance=records, pages=t.fields["pages"] + 1,
                             changed=t.fields["changed"] + changed, rejects=t.fields["rejects"] + rejects,
                             **extra)

    def wait(self, seconds: float, reason: str) -> None:
        self.waited += seconds if reason.startswith("rate limit") else 0.0
        if self.progress is None:
            return
        if self.task is not None:
            self.progress.update(self.task, waited=self.waited)
        if seconds >= 1.0:
            self.progress.console.print(f"openscope: waiting {seconds:.1f} s ({reason})", markup=False,
                                        highlight=False)

    def warn(self, message: str) -> None:
        if self.progress is not None:
            self.progress.console.print(f"openscope: warning: {message}", markup=False, highlight=False,
                                        soft_wrap=True)
        else:
            warn(self.s, message)

    def end(self) -> None:
        if self.progress is not None:
            self.progress.stop()
        self.progress, self.task = None, None


class LogProgress(CrawlProgress):
    """Progress for a log file (stderr is not a terminal: cron, nohup, a pipe to a logger).

    Why: a progress bar redrawn with carriage returns is noise in a log, and rich draws nothing at all
    until the bar stops, so a crawl of several hours logged nothing until its end, then one line cut at
    80 columns. Here every line is whole and stamped with the UTC time: one when a crawl starts, one
    summary at most every ``interval_s`` seconds (a minute), one for each wait of a second or more, each
    warning, and a final tally."""

    def __init__(self, s: Settings, interval_s: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.s = s
        self.interval_s = interval_s
        self.clock = clock
        self.label = ""
        self.total: int | None = None
        self.t0 = self.last = 0.0
        self.pages = self.records = self.changed = self.rejects = 0
        self.waited = 0.0
        self.cards = False
        self.unit = "models"

    def _line(self, text: str) -> None:
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        err_console().print(f"{now} openscope: {text}", markup=False, highlight=False, soft_wrap=True)

    def _tally(self) -> str:
        elapsed = dt.timedelta(seconds=round(self.clock() - self.t0))
        if self.cards:
            text = f"{self.records:,} {self.unit} · {self.changed:,} cards read"
        else:
            text = (f"{self.pages:,} page{'' if self.pages == 1 else 's'} · {self.records:,} records · "
                    f"{self.changed:,} changed · {self.rejects:,} rejects · waited {self.waited:.1f} s")
        text += f" · {elapsed} elapsed"
        if self.total:
            text += f" · {min(100.0, 100.0 * self.records / self.total):.0f}% of about {self.total:,}"
        return text

    def begin(self, label: str, total: int | None, done: int) -> None:
        self.label, self.total, self.cards = label, total, label.startswith("cards")
        self.unit = _card_unit(label)
        self.pages = self.changed = self.rejects = 0
        self.records = done
        self.t0 = self.last = self.clock()
        self._line(f"{label}: started" + (f", resumed at {done:,} records" if done else "")
                   + (f", about {total:,} to read" if total else ""))

    def page(self, records: int, changed: int, rejects: int, total: int | None = None) -> None:
        self.pages += 1
        self.records += records
        self.changed += changed
        self.rejects += rejects
        if total:
            self.total = max(total, self.records)
        if self.clock() - self.last >= self.interval_s:
            self.last = self.clock()
            self._line(f"{self.label}: {self._tally()}")

    def wait(self, seconds: float, reason: str) -> None:
        if reason.startswith("rate limit"):
            self.waited += seconds
        if seconds >= 1.0:
            self._line(f"waiting {seconds:.1f} s ({reason})")

    def warn(self, message: str) -> None:
        if not self.s.quiet:
            self._line(f"warning: {message}")

    def end(self) -> None:
        if self.label:
            self._line(f"{self.label}: ended: {self._tally()}")
        self.label = ""


class QuietProgress(CrawlProgress):
    """Under --json only warnings reach stderr; under --quiet nothing does."""

    def __init__(self, s: Settings) -> None:
        self.s = s

    def warn(self, message: str) -> None:
        warn(self.s, message)


def _valid_url(url: str) -> bool:
    """A URL httpx can send to: it parses, names a host, and any port is a port (`http://[::1` ended the
    command with an internal error)."""
    try:
        u = httpx.URL(url)
    except httpx.InvalidURL:
        return False
    return bool(u.host) and (u.port is None or 0 < u.port <= 65535)


def _parse_since(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        t = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"--since {value!r} is not a date (use YYYY-MM-DD or an ISO 8601 time)")
    return t.astimezone(dt.UTC).replace(tzinfo=None) if t.tzinfo else t


def _summary(results: list[CrawlResult], cards: CardsResult | None, elapsed: float) -> dict[str, Any]:
    """The contract's crawl summary. With --datasets there are two snapshots: the top-level figures are
    their sums, ``snapshot_id``/``status`` are the models snapshot's, and ``snapshots`` lists each."""
    first = results[0]
    doc: dict[str, Any] = {"snapshot_id": first.snapshot_id, "status": first.status}
    for k in _SUMMED:
        doc[k] = sum(getattr(r, k) for r in results)
    doc["rate_limit_wait_s"] = round(doc["rate_limit_wait_s"], 3)
    if cards is not None:
        doc["api_calls"] += cards.api_calls
    doc["elapsed_s"] = round(elapsed, 3)
    doc["kind"] = first.kind
    doc["deleted"] = sum(r.deleted for r in results)
    doc["moved"] = sum(r.moved for r in results)
    doc["snapshots"] = [r.contract() for r in results]
    if cards is not None:
        doc["cards"] = cards.summary()
    return doc


def _run(s: Settings, ep: str, prog: CrawlProgress, *, counters: bool, full: bool, author: str | None,
         filters: list[str], search: str | None, since: dt.datetime | None, limit: int | None, datasets: bool,
         page_size: int, max_wait: float, retries: int, backoff: float, timeout: float,
         deadline: float | None, restart: bool,
         cards: bool, top: int, dump: Path | None, run_derive: bool,
         retry_now: bool = False, move_checks: int = 100) -> tuple[list[CrawlResult], CardsResult | None]:
    """Crawl models (and datasets), then cards, then derive: one store session, one HTTP client (so one
    rate-limit budget)."""
    results: list[CrawlResult] = []
    cards_res: CardsResult | None = None
    with open_for_write(s) as store:
        store.set_resource_limits()
        client = make_client(ep, token=os.environ.get("HF_TOKEN") or None, max_wait=max_wait,
                             retries=retries, backoff=backoff, timeout=timeout, deadline=deadline,
                             progress=prog)
        with client:
            for rt in ["model", "dataset"] if datasets else ["model"]:
                opts = CrawlOptions(
                    endpoint=ep, repo_type=rt, kind="counters" if counters else ("full" if full else None),
                    author=author, filters=filters, search=search, since=since, limit=limit,
                    page_size=page_size, restart=restart, dump=dump, move_checks=move_checks,
                )
                results.append(crawl(store, client, opts, prog))
            if cards:
                cards_res = fetch_all_cards(store, client, results, top=top, progress=prog, retry_now=retry_now)
        if run_derive:
            derive_refresh(s, store)
    return results, cards_res


def _abandon(s: Settings, ep: str, *, counters: bool, full: bool, author: str | None, filters: list[str],
             search: str | None, since: dt.datetime | None, limit: int | None, datasets: bool) -> None:
    """`crawl --abandon`: mark the unfinished crawl(s) these options would resume aborted; no request."""
    t0 = time.monotonic()
    done: list[dict[str, Any]] = []
    with open_for_write(s) as store:
        for rt in ["model", "dataset"] if datasets else ["model"]:
            opts = CrawlOptions(endpoint=ep, repo_type=rt, kind="counters" if counters else ("full" if full else None),
                                author=author, filters=filters, search=search, since=since, limit=limit)
            sid = abandon_crawl(store, ep, opts)
            row = store.con.execute("SELECT pages, n_records, changed, rejects FROM snapshots WHERE snapshot_id = ?",
                                    [sid]).fetchone() if sid else None
            done.append({"repo_type": rt, "aborted": sid, "pages": row[0] if row else 0,
                         "records": row[1] if row else 0, "changed": row[2] if row else 0,
                         "rejects": row[3] if row else 0})
    if s.json:  # the crawl summary's keys: what the abandoned snapshot had committed, no call made now
        first = done[0]
        print_json({"snapshot_id": first["aborted"], "status": "aborted" if first["aborted"] else None,
                    **{k: sum(d[k] for d in done) for k in ("pages", "records", "changed", "rejects")},
                    "api_calls": 0, "rate_limit_wait_s": 0.0, "elapsed_s": round(time.monotonic() - t0, 3),
                    "abandoned": done})
    elif not s.quiet:
        for d in done:
            what = f"snapshot #{d['aborted']} marked aborted" if d["aborted"] else "nothing unfinished to abandon"
            out_console().print(f"{d['repo_type']}s: {what}", markup=False, highlight=False)


def _dump_over_a_store(dump: Path, db: Path) -> str | None:
    """Why ``--dump`` must not write to ``dump``, or None. A crawl truncates its dump file first, so ``--db s.duckdb
    crawl --dump s.duckdb`` destroyed the store it crawled into, and a dump named after another store destroyed that
    one: the store (or its write-ahead log) this crawl writes, or any DuckDB database file (:func:`duckdb_file`)."""
    wal = Path(f"{db}.wal")
    for own, what in ((db, "the store this crawl writes (--db)"), (wal, "the store's write-ahead log")):
        try:
            if dump.resolve() == own.resolve() or (dump.exists() and own.exists() and dump.samefile(own)):
                return what
        except OSError:  # a path that cannot be resolved is no store of ours
            continue
    return "a DuckDB database (a store)" if duckdb_file(dump) else None


def register(app: typer.Typer) -> None:
    @app.command("crawl")
    def crawl_cmd(
        ctx: typer.Context,
        endpoint: str | None = typer.Option(None, "--endpoint", metavar="URL", help="Hub URL (env HF_ENDPOINT, default https://huggingface.co)."),
        full: bool = typer.Option(False, "--full", help="List everything (the default for a first crawl); an unfiltered full crawl marks vanished repositories deleted."),
        counters: bool = typer.Option(False, "--counters", help="Sweep downloads, all-time downloads and likes only (about 1 call per 1,000 repositories)."),
        author: str | None = typer.Option(None, "--author", metavar="NAME", help="Only repositories of this user or organisation."),
        filters: list[str] | None = typer.Option(None, "--filter", metavar="TAG", help="Only repositories with this tag (repeatable; all must match)."),
        search: str | None = typer.Option(None, "--search", metavar="TEXT", help="Only repositories whose id contains TEXT."),
        since: str | None = typer.Option(None, "--since", metavar="DATE", help="Only repositories modified at or after DATE (YYYY-MM-DD or ISO time, UTC)."),
        limit: int | None = typer.Option(None, "--limit", metavar="N", help="Stop after N records."),
        datasets: bool = typer.Option(False, "--datasets", help="Also crawl datasets (a second snapshot)."),
        page_size: int = typer.Option(MAX_PAGE_SIZE, "--page-size", metavar="N", help="Entries per API call (at most 1000)."),
        max_wait: float = typer.Option(900.0, "--max-wait", metavar="SECONDS", help="Longest rate-limit wait accepted, in seconds; a longer one fails the crawl (resumable)."),
        retries: int = typer.Option(6, "--retries", metavar="N", help="Retries of a failed request (5xx, reset, timeout, truncated body) before giving up."),
        backoff: float = typer.Option(1.0, "--backoff", metavar="SECONDS", help="First retry delay in seconds; doubles each retry, with jitter."),
        timeout: float = typer.Option(60.0, "--timeout", metavar="SECONDS", help="Seconds a request may wait for the next bytes before it counts as failed."),
        deadline: float | None = typer.Option(None, "--deadline", metavar="SECONDS", help="Seconds a whole answer (headers and body) may take before it counts as failed (default 5 x --timeout)."),
        restart: bool = typer.Option(False, "--restart", help="Abandon an unfinished crawl with the same options (marked aborted) and start over."),
        abandon: bool = typer.Option(False, "--abandon", help="Mark the unfinished crawl with these options aborted and stop, without crawling (e.g. a retired endpoint)."),
        cards: bool = typer.Option(False, "--cards", help="Also fetch README.md, the file tree and licence files of models (and, with --datasets, datasets) without current card text."),
        top: int = typer.Option(100, "--top", metavar="N", help="With --cards: at most N models (and N datasets with --datasets), most downloaded first."),
        retry_now: bool = typer.Option(False, "--retry-now", help="With --cards: ask now, first within --top, for the READMEs, trees and licence files waiting to be asked again (failure counts kept)."),
        dump: Path | None = typer.Option(None, "--dump", parser=nonblank_output, metavar="FILE", help="Also write every raw entry, one per line (JSONL), to FILE."),
        run_derive: bool = typer.Option(True, "--derive/--no-derive", help="Recompute lineage, licences and openness afterwards."),
        move_checks: int = typer.Option(100, "--move-checks", metavar="N", help="An unfiltered full crawl asks the Hub about at most N ids gone from its lists, to find the ones it moved (0: none)."),
    ) -> None:
        """Crawl a Hub into the store: full, incremental (the default once a crawl completed) or counters.

        Each page is committed with its cursor, so the same command run again after a kill or a failure
        resumes where it stopped."""
        s = settings(ctx)
        if endpoint is not None and not endpoint.strip():
            # `--endpoint "$MIRROR"` with MIRROR unset: an empty value fell back to HF_ENDPOINT, then to the real Hub,
            # which was crawled (with HF_TOKEN) instead of the mirror the operator meant
            raise UsageError("--endpoint is empty; give the Hub's URL, or leave the option out for HF_ENDPOINT "
                             f"(else {DEFAULT_ENDPOINT})")
        ep = (endpoint or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")
        if not ep.startswith(("http://", "https://")) or not _valid_url(ep):
            raise UsageError(f"--endpoint {ep!r} is not an http(s) URL")
        if full and counters:
            raise UsageError("--full and --counters are different kinds of crawl; choose one")
        # `--author "$ORG"` with ORG unset in a crontab: an empty value filtered nothing, and the job crawled the
        # whole Hub unfiltered (a full crawl then marks everything it did not see deleted).
        blank = [name for name, v in (("--author", author), ("--search", search)) if v is not None and not v.strip()]
        blank += ["--filter"] if any(not f.strip() for f in filters or []) else []
        if blank:
            raise UsageError(f"{blank[0]} is empty; give a value, or leave the option out to crawl every repository")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise UsageError(f"--page-size must be between 1 and {MAX_PAGE_SIZE}")
        if limit is not None and limit < 1:
            raise UsageError("--limit must be at least 1")
        if top < 1:
            raise UsageError("--top must be at least 1")
        if move_checks < 0:
            raise UsageError("--move-checks must not be negative (0 asks about none)")
        seconds = (("--timeout", timeout), ("--max-wait", max_wait), ("--backoff", backoff), ("--deadline", deadline))
        infinite = [name for name, v in seconds if v is not None and not math.isfinite(v)]
        if infinite:  # nan and inf: `--timeout nan` was an internal error, `--backoff inf` a sleep for ever
            raise UsageError(f"{infinite[0]} must be a finite number of seconds")
        # counts beyond 2^40 mean "all" (`--top 99999999999999999999` was an internal error in DuckDB)
        top, move_checks, retries = capped(top) or 0, capped(move_checks) or 0, capped(retries) or 0
        limit = capped(limit)
        if retries < 0 or max_wait < 0 or backoff < 0 or timeout <= 0:
            raise UsageError("--retries, --max-wait and --backoff must not be negative, --timeout positive")
        if deadline is not None and not deadline > 0:
            raise UsageError("--deadline must be positive")
        if dump is not None and counters:
            raise UsageError("--dump writes full entries; a --counters sweep reads only counters")
        try:
            unfit = dump is not None and (dump.is_dir() or not dump.parent.is_dir())  # as simhub --dump, audit --sarif
        except OSError as exc:  # a name the system refuses (`File name too long`) was exit 70
            shown = str(dump) if len(str(dump)) <= 200 else str(dump)[:200] + "…"
            raise StoreWriteError(f"cannot write --dump {shown}: {exc.strerror}") from None
        if unfit:
            raise StoreWriteError(f"cannot write --dump {dump}: not a file in an existing folder")
        if dump is not None and (why := _dump_over_a_store(dump, Path(s.db))):
            raise UsageError(f"--dump {dump} is {why}: the dump replaces its file, and the store would be lost; "
                             "give another file")
        since_ts = _parse_since(since)
        if retry_now and not cards:
            raise UsageError("--retry-now asks again for cards that could not be read: give it with --cards")
        if abandon:
            if restart or cards or dump is not None:
                raise UsageError("--abandon only marks an unfinished crawl aborted; it takes no --restart, "
                                 "--cards or --dump")
            _abandon(s, ep, counters=counters, full=full, author=author, filters=list(filters or []),
                     search=search, since=since_ts, limit=limit, datasets=datasets)
            return

        t0 = time.monotonic()
        interactive = not (s.json or s.quiet)
        prog: CrawlProgress = QuietProgress(s)
        if interactive:
            prog = RichProgress(s) if err_console().is_terminal else LogProgress(s)
        resumes = "interrupted; the crawl is kept and resumes when you run the same command again"
        say_when_stopped(resumes)  # also when the cleanup outlasts the CLI's grace, or a second Ctrl-C ends it
        try:
            results, cards_res = _run(s, ep, prog, counters=counters, full=full, author=author,
                                      filters=list(filters or []), search=search, since=since_ts, limit=limit,
                                      datasets=datasets, page_size=page_size, max_wait=max_wait,
                                      retries=retries, backoff=backoff, timeout=timeout, deadline=deadline,
                                      restart=restart,
                                      cards=cards, top=top, dump=dump, run_derive=run_derive, retry_now=retry_now,
                                      move_checks=move_checks)
        except BaseException as exc:
            if not is_interrupt(exc):
                raise
            raise Interrupted(resumes) from exc
        doc = _summary(results, cards_res, time.monotonic() - t0)
        if s.json:
            print_json(doc)
            return
        if s.quiet:
            return
        for r in results:
            t = Table(title=f"snapshot #{r.snapshot_id}: {r.kind} crawl of {r.repo_type}s"
                            + (" (resumed)" if r.resumed else ""), show_header=False, box=None, title_justify="left")
            for k in ("endpoint", "status", "pages", "records", "changed", "rejects", "deleted", "moved", "api_calls",
                      "rate_limit_wait_s", "elapsed_s", "watermark"):
                v = getattr(r, k)
                if v is None:  # a counters sweep keeps no watermark: the table said "watermark  None"
                    continue
                t.add_row(k, f"{v:,}" if isinstance(v, int) else str(v))
            out_console().print(t)
        if cards_res is not None:
            out_console().print(
                f"cards: {cards_res.fetched} read, {cards_res.missing} without README.md, "
                f"{cards_res.failed} not readable; {cards_res.trees} file trees ({cards_res.files:,} files); "
                f"{cards_res.license_files} licence files read"
                + (f"; {cards_res.trees_failed} file trees not read" if cards_res.trees_failed else "")
                + (f"; {cards_res.retried_now + cards_res.readmes_retried_now} that were waiting asked again now"
                   if cards_res.retried_now + cards_res.readmes_retried_now else "")
                + (f"; {cards_res.deferred + cards_res.readmes_deferred} asked again later"
                   if cards_res.deferred + cards_res.readmes_deferred else ""),
                markup=False, highlight=False)
