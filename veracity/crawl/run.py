"""One crawl pass and the crawl loop.

A pass polls every enabled feed that is due (conditional GET with the stored ETag and
Last-Modified; a 304 costs no parsing), adds the article links it has not seen to the
frontier (``crawl_urls``, keyed by the normalised URL; links whose article is already in
the store are recorded as done), then fetches every URL that is due: new ones, and known
ones at ``refetch_after`` (1 h, 6 h, 24 h, 72 h after first seen) to record new versions.

Poll intervals adapt: a poll that brings something new halves the feed's interval, an
empty one stretches it by half, within ``min_poll_interval``..``max_poll_interval``. A
failed poll backs off (``poll_interval`` doubled per consecutive failure, capped; a longer
``Retry-After`` wins); after ``max_failures`` in a row the feed is disabled with the reason.

Feeds are fetched and parsed ``workers`` at a time (the per-host limiter still holds), and
their links recorded in order by the calling thread; pages are fetched ``workers`` at a time
ahead of extraction, which runs in the calling thread. The frontier is read in batches of
``FRONTIER_BATCH`` URLs, so memory does not grow with the number of URLs due, and fetched
URLs are marked in batches (``MARK_EVERY`` URLs or ``MARK_SECONDS``), not one transaction
per URL.

Child sitemaps of a sitemap index are fetched with conditional GET too: their ETag and
Last-Modified are kept in memory for the life of the ``Crawler`` (``veracity run`` keeps
one across passes; ``run --once`` starts without them), bounded to ``CHILD_VALIDATORS``.

Crash safety: the frontier is committed before any page is fetched, each article is stored
in its own transaction, and a URL is marked fetched only after its article is stored. A
killed pass leaves whole rows; the next pass fetches what was left due (upserts are
idempotent, so an article stored just before the kill, or whose mark was not yet written,
comes back ``unchanged``).

``now`` is a parameter everywhere (naive UTC), so schedules are tested without waiting.
"""

from __future__ import annotations

import gc
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TypeVar
from urllib.parse import urlsplit

from sqlalchemy import select

from veracity.article import article_id
from veracity.errors import VeracityError
from veracity.fetch import Fetcher, FetchResult, HttpStatus, Validators
from veracity.fetch.charset import html_text
from veracity.ingest.convert import to_article
from veracity.ingest.pipeline import IngestReport
from veracity.ingest.read import Failure, RawItem
from veracity.settings import Settings
from veracity.sources.feeds import FeedProblem, Links, feed_links
from veracity.store.schema import articles
from veracity.store.sources import DueUrl, FeedState, SourceStore, UrlFetched
from veracity.store.sql import SqlStore

Stop = Callable[[], bool]
# Fetches and stores a pass's due URLs somewhere else (``veracity run --engine ray``,
# veracity.batch.crawl); by default the crawler does it in this process with ``workers`` threads.
FetchDue = Callable[["Crawler", list[DueUrl], datetime, "CrawlReport", Stop], None]
_In = TypeVar("_In")
_Out = TypeVar("_Out")

#: Frontier URLs read from the store at a time.
FRONTIER_BATCH = 1000
#: Fetched URLs are marked in one transaction once this many are pending, or this many seconds passed.
MARK_EVERY = 64
MARK_SECONDS = 1.0
#: Child sitemaps whose validators are remembered at most.
CHILD_VALIDATORS = 10_000


def freeze_startup_heap() -> None:
    """Keep the objects alive after start-up out of every later garbage collection.

    A crawling process starts with about 180,000 tracked objects (its modules: SQLAlchemy,
    alembic, numpy, scipy, trafilatura), alive until it exits; each full collection of
    the pass walked them all again. Collected once, then frozen (``gc.freeze``), they are
    left alone: the full collections of a 1,000-article pass went from 0.21 to 0.11 s of CPU.
    """
    gc.collect()
    gc.freeze()


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


@dataclass
class CrawlReport(IngestReport):
    """The ingest counts of a pass, plus what happened to feeds."""

    polled: int = 0
    not_modified: int = 0
    feed_failures: int = 0
    disabled: list[str] = field(default_factory=list)
    new_urls: int = 0
    stopped: bool = False


@dataclass
class FeedRead:
    """A fetched feed: the response, its links (None on a 304), validators of the child sitemaps read."""

    result: FetchResult
    links: Links | None
    children: dict[str, Validators] = field(default_factory=dict)


def next_fetch_at(first_seen: datetime, now: datetime, schedule: tuple[float, ...]) -> datetime | None:
    """The first re-fetch time of ``schedule`` (seconds after first seen) later than ``now``; None when done."""
    for seconds in schedule:
        when = first_seen + timedelta(seconds=seconds)
        if when > now:
            return when
    return None


def interleave_hosts(due: list[DueUrl]) -> list[DueUrl]:
    """``due`` reordered round-robin by host, so parallel fetches are not all queued on one host's delay."""
    by_host: dict[str, list[DueUrl]] = {}
    for u in due:
        by_host.setdefault(urlsplit(u.url).netloc.lower(), []).append(u)
    queues = list(by_host.values())
    out: list[DueUrl] = []
    for i in range(max((len(q) for q in queues), default=0)):
        out.extend(q[i] for q in queues if i < len(q))
    return out


def adapt_interval(interval: float, new: int, settings: Settings) -> float:
    c = settings.crawl
    interval = interval / 2 if new else interval * 1.5
    return min(c.max_poll_interval, max(c.min_poll_interval, interval))


def ahead(items: Iterable[_In], work: Callable[[_In], _Out], workers: int, stop: Stop) -> Iterator[tuple[_In, _Out]]:
    """``(item, work(item))`` in the order of ``items``; ``workers`` threads run ``work`` up to 2 x workers ahead.

    ``work`` must not raise (return the error instead). Once ``stop()`` is true no more work
    starts; what is queued is cancelled, what runs is left to finish.
    """
    with ThreadPoolExecutor(workers, thread_name_prefix="veracity-fetch") as pool:
        window: list[tuple[_In, Future[_Out]]] = []
        it = iter(items)
        try:
            while True:
                while len(window) < workers * 2 and not stop():
                    item = next(it, None)
                    if item is None:
                        break
                    window.append((item, pool.submit(work, item)))
                if not window:
                    return
                item, fut = window.pop(0)
                yield item, fut.result()
        finally:
            for _, fut in window:
                fut.cancel()


class Crawler:
    """Runs passes over the sources of one store with one fetcher."""

    def __init__(
        self,
        store: SqlStore,
        settings: Settings,
        fetcher: Fetcher | None = None,
        workers: int = 4,
        fetch_due_with: FetchDue | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.fetcher = fetcher or Fetcher(settings.fetch)
        self.sources = SourceStore(store.engine)
        self.workers = max(1, workers)
        self.fetch_due_with = fetch_due_with
        self._children: OrderedDict[str, Validators] = OrderedDict()
        self._children_lock = threading.Lock()

    # -- feeds ---------------------------------------------------------------------------
    def _known_articles(self, keys: list[str]) -> set[str]:
        """Those of ``keys`` (normalised URLs) whose article is already in the store."""
        ids = {article_id("url:" + k): k for k in keys}
        found: set[str] = set()
        id_list = list(ids)
        with self.store.engine.connect() as conn:
            for i in range(0, len(id_list), 500):
                chunk = id_list[i : i + 500]
                found.update(ids[r.id] for r in conn.execute(select(articles.c.id).where(articles.c.id.in_(chunk))))
        return found

    def child_validators(self, url: str) -> Validators | None:
        """What the last read of child sitemap ``url`` said about its version (for a conditional GET)."""
        with self._children_lock:
            return self._children.get(url)

    def _remember_children(self, children: dict[str, Validators]) -> None:
        with self._children_lock:
            for url, validators in children.items():
                self._children.pop(url, None)
                if validators.etag or validators.last_modified:
                    self._children[url] = validators
            while len(self._children) > CHILD_VALIDATORS:
                self._children.popitem(last=False)

    def _links(self, feed: FeedState, result: FetchResult, children: dict[str, Validators]) -> Links:
        """The article links of a fetched feed; a sitemap index's children are fetched (conditionally) here."""
        c = self.settings.crawl
        cap = self.settings.fetch.max_body_bytes
        links = feed_links(result.body, result.final_url, feed.kind, c.max_items_per_feed, cap)
        seen = {k for k, _ in links.articles}
        for child in links.sitemaps[: c.max_child_sitemaps]:
            if len(links.articles) >= c.max_items_per_feed:
                break
            try:
                sub = self.fetcher.get(child, self.child_validators(child))
                children[child] = sub.validators
                if sub.not_modified:
                    continue  # its links were taken when it last changed
                more = feed_links(sub.body, sub.final_url, "sitemap", c.max_items_per_feed, cap)
            except (VeracityError, FeedProblem):
                children[child] = Validators()  # read it whole next time
                continue  # one broken child sitemap does not fail the index
            for key, url in more.articles:
                if key not in seen and len(links.articles) < c.max_items_per_feed:
                    seen.add(key)
                    links.articles.append((key, url))
        return links

    def read_feed(self, feed: FeedState) -> FeedRead | VeracityError:
        """Fetch and parse one feed (thread-safe, no store writes); the error instead of raising it."""
        try:
            result = self.fetcher.get(feed.url, Validators(feed.etag, feed.last_modified))
            if result.not_modified:
                return FeedRead(result, None)
            children: dict[str, Validators] = {}
            return FeedRead(result, self._links(feed, result, children), children)
        except VeracityError as exc:
            return exc
        except Exception as exc:  # a parser tripping over a feed must not end the pass
            return FeedProblem(f"unexpected error: {type(exc).__name__}: {exc}", feed.url)

    def record_poll(self, feed: FeedState, got: FeedRead | VeracityError, now: datetime, report: CrawlReport) -> None:
        """Store what a poll brought: new frontier URLs and the feed's state, or the failure."""
        report.polled += 1
        if isinstance(got, VeracityError):
            self._failed(feed, now, got, report)
            return
        new = 0
        if got.links is None:
            report.not_modified += 1
        else:
            keys = [k for k, _ in got.links.articles]
            done = self._known_articles(keys)
            added = self.sources.add_urls(feed.id, got.links.articles, now, done=done)
            new = len([k for k in added if k not in done])
            report.new_urls += new
            self._remember_children(got.children)  # only once their links are in the frontier
        interval = adapt_interval(feed.poll_interval, new, self.settings)
        self.sources.poll_succeeded(
            feed.id,
            now,
            etag=got.result.etag,
            last_modified=got.result.last_modified,
            new=new,
            next_poll=now + timedelta(seconds=interval),
            interval=interval,
        )

    def poll(self, feed: FeedState, now: datetime, report: CrawlReport) -> None:
        """Poll one feed and record the outcome; never raises for what the feed or server did."""
        self.record_poll(feed, self.read_feed(feed), now, report)

    def poll_due(self, now: datetime, report: CrawlReport, stop: Stop) -> None:
        """Poll every feed due at ``now``, ``workers`` fetches at a time, recording in due order."""
        for feed, got in ahead(self.sources.due_feeds(now), self.read_feed, self.workers, stop):
            if stop():
                report.stopped = True
                return
            self.record_poll(feed, got, now, report)
        if stop():
            report.stopped = True

    def _failed(self, feed: FeedState, now: datetime, exc: VeracityError, report: CrawlReport) -> None:
        c = self.settings.crawl
        wait = min(c.failure_backoff_max, feed.poll_interval * 2 ** min(feed.failures, 30))
        if isinstance(exc, HttpStatus) and exc.retry_after:
            wait = max(wait, exc.retry_after)
        report.feed_failures += 1
        report.fail(Failure(feed.url, exc.message))
        if self.sources.poll_failed(feed.id, now, exc.message, now + timedelta(seconds=wait), c.max_failures):
            report.disabled.append(feed.url)

    # -- articles ------------------------------------------------------------------------
    def _get(self, u: DueUrl) -> FetchResult | VeracityError:
        try:
            return self.fetcher.get(u.url)
        except VeracityError as exc:
            return exc

    def _store(self, u: DueUrl, got: FetchResult | VeracityError, now: datetime, report: CrawlReport) -> UrlFetched:
        """Extract and store one fetched page; what to record about its URL."""
        aid: str | None = None
        error: str | None = None
        try:
            if isinstance(got, VeracityError):
                raise got
            item = RawItem(u.url, "html", html_text(got.body, got.headers.get("content-type")), url=got.final_url)
            article = to_article(item, self.settings)
            report.add(self.store.upsert(article, seen_at=now), article.id)
            aid = article.id
        except VeracityError as exc:
            error = exc.message
            report.fail(Failure(u.url, exc.message))
        except Exception as exc:  # a bug in a stage must not end the pass
            error = f"unexpected error: {type(exc).__name__}: {exc}"
            report.fail(Failure(u.url, error))
        return UrlFetched(u.key, now, next_fetch_at(u.first_seen, now, self.settings.crawl.refetch_after), aid, error)

    def fetch_due(self, now: datetime, report: CrawlReport, stop: Stop) -> None:
        """Fetch, extract and store every URL due at ``now``, new ones first, ``FRONTIER_BATCH`` at a time.

        After each batch the after-ingest stages (stories, analysis, verdicts) run over the
        articles it stored new or changed.
        """
        previous: set[str] = set()
        while not report.stopped:
            batch = [u for u in self.sources.due_urls(now, FRONTIER_BATCH) if u.key not in previous]
            if not batch:
                return
            previous = {u.key for u in batch}  # a URL still due after its batch is not taken twice
            changed_from = len(report.changed)
            due = interleave_hosts(batch)
            if self.fetch_due_with is not None:
                self.fetch_due_with(self, due, now, report, stop)
            else:
                self.fetch_list(due, now, report, stop)
            self._enrich(report, report.changed[changed_from:])
            if stop():
                report.stopped = True

    def _enrich(self, report: CrawlReport, ids: list[str]) -> None:
        from veracity.enrich import enrich

        if not ids:
            return
        for result in enrich(self.store, self.settings, ids):
            report.failures.extend(Failure(aid, f"{result.name}: {reason}") for aid, reason in result.failures)

    def fetch_list(self, due: list[DueUrl], now: datetime, report: CrawlReport, stop: Stop) -> None:
        """Fetch, extract and store ``due`` (in order, ``workers`` fetches ahead), marking URLs in batches."""
        pending: list[UrlFetched] = []
        flushed = time.monotonic()
        try:
            for u, got in ahead(due, self._get, self.workers, stop):
                if stop():
                    report.stopped = True
                    break
                pending.append(self._store(u, got, now, report))
                if len(pending) >= MARK_EVERY or time.monotonic() - flushed >= MARK_SECONDS:
                    self.sources.urls_fetched(pending)
                    pending, flushed = [], time.monotonic()
        finally:
            self.sources.urls_fetched(pending)  # stopped or failing: what was stored is still marked

    # -- passes --------------------------------------------------------------------------
    def run_once(self, now: datetime | None = None, stop: Stop | None = None) -> CrawlReport:
        """One pass: poll due feeds, then fetch due URLs. ``stop()`` is asked between items."""
        now = now or utcnow()
        halt: Stop = stop or (lambda: False)
        report = CrawlReport()
        self.poll_due(now, report, halt)
        if not report.stopped:
            self.fetch_due(now, report, halt)
        return report

    def run_forever(self, stop: threading.Event, on_pass: Callable[[CrawlReport], None] | None = None) -> None:
        """Passes until ``stop`` is set, sleeping until the next feed or URL is due."""
        while not stop.is_set():
            report = self.run_once(stop=stop.is_set)
            if on_pass:
                on_pass(report)
            nxt = self.sources.next_poll_at()
            wait = self.settings.crawl.loop_sleep_max
            if nxt is not None:
                wait = min(wait, max(1.0, (nxt - utcnow()).total_seconds()))
            stop.wait(wait)


def fetch_urls(urls: list[str], store: SqlStore, settings: Settings, fetcher: Fetcher | None = None) -> IngestReport:
    """Fetch and ingest single article URLs (``veracity fetch``)."""
    fetcher = fetcher or Fetcher(settings.fetch)
    report = IngestReport()
    for url in urls:
        try:
            result = fetcher.get(url)
            page = html_text(result.body, result.headers.get("content-type"))
            article = to_article(RawItem(url, "html", page, url=result.final_url), settings)
            report.add(store.upsert(article), article.id)
        except VeracityError as exc:
            report.fail(Failure(exc.item or url, exc.message))
    return report
