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

Crash safety: the frontier is committed before any page is fetched, each article is stored
in its own transaction, and a URL is marked fetched only after its article is stored. A
killed pass leaves whole rows; the next pass fetches what was left due (upserts are
idempotent, so an article stored just before the kill comes back ``unchanged``).

``now`` is a parameter everywhere (naive UTC), so schedules are tested without waiting.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from veracity.article import article_id
from veracity.errors import VeracityError
from veracity.fetch import Fetcher, FetchResult, HttpStatus, Validators
from veracity.ingest.convert import to_article
from veracity.ingest.pipeline import IngestReport
from veracity.ingest.read import Failure, RawItem
from veracity.settings import Settings
from veracity.sources.feeds import FeedProblem, Links, feed_links
from veracity.store.schema import articles
from veracity.store.sources import DueUrl, FeedState, SourceStore
from veracity.store.sql import SqlStore

Stop = Callable[[], bool]
# Fetches and stores a pass's due URLs somewhere else (``veracity run --engine ray``,
# veracity.batch.crawl); by default the crawler does it in this process with ``workers`` threads.
FetchDue = Callable[["Crawler", list[DueUrl], datetime, "CrawlReport", Stop], None]


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

    def _links(self, feed: FeedState, result: FetchResult) -> Links:
        c = self.settings.crawl
        cap = self.settings.fetch.max_body_bytes
        links = feed_links(result.body, result.final_url, feed.kind, c.max_items_per_feed, cap)
        seen = {k for k, _ in links.articles}
        for child in links.sitemaps[: c.max_child_sitemaps]:
            if len(links.articles) >= c.max_items_per_feed:
                break
            try:
                sub = self.fetcher.get(child)
                more = feed_links(sub.body, sub.final_url, "sitemap", c.max_items_per_feed, cap)
            except (VeracityError, FeedProblem):
                continue  # one broken child sitemap does not fail the index
            for key, url in more.articles:
                if key not in seen and len(links.articles) < c.max_items_per_feed:
                    seen.add(key)
                    links.articles.append((key, url))
        return links

    def poll(self, feed: FeedState, now: datetime, report: CrawlReport) -> None:
        """Poll one feed and record the outcome; never raises for what the feed or server did."""
        report.polled += 1
        try:
            result = self.fetcher.get(feed.url, Validators(feed.etag, feed.last_modified))
            if result.not_modified:
                report.not_modified += 1
                new = 0
            else:
                links = self._links(feed, result)
                keys = [k for k, _ in links.articles]
                done = self._known_articles(keys)
                added = self.sources.add_urls(feed.id, links.articles, now, done=done)
                new = len([k for k in added if k not in done])
                report.new_urls += new
        except VeracityError as exc:
            self._failed(feed, now, exc, report)
            return
        except Exception as exc:  # a parser tripping over a feed must not end the pass
            problem = FeedProblem(f"unexpected error: {type(exc).__name__}: {exc}", feed.url)
            self._failed(feed, now, problem, report)
            return
        interval = adapt_interval(feed.poll_interval, new, self.settings)
        self.sources.poll_succeeded(
            feed.id,
            now,
            etag=result.etag,
            last_modified=result.last_modified,
            new=new,
            next_poll=now + timedelta(seconds=interval),
            interval=interval,
        )

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
    def _prefetched(self, due: list[DueUrl], stop: Stop) -> Iterator[tuple[DueUrl, FetchResult | VeracityError]]:
        """``due`` with each page fetched, ``workers`` fetches ahead of the caller."""

        def get(u: DueUrl) -> FetchResult | VeracityError:
            try:
                return self.fetcher.get(u.url)
            except VeracityError as exc:
                return exc

        with ThreadPoolExecutor(self.workers, thread_name_prefix="veracity-fetch") as pool:
            window: list[tuple[DueUrl, Future[FetchResult | VeracityError]]] = []
            it = iter(due)
            try:
                while True:
                    while len(window) < self.workers * 2 and not stop():
                        u = next(it, None)
                        if u is None:
                            break
                        window.append((u, pool.submit(get, u)))
                    if not window:
                        return
                    u, fut = window.pop(0)
                    yield u, fut.result()
            finally:
                for _, fut in window:
                    fut.cancel()

    def fetch_due(self, now: datetime, report: CrawlReport, stop: Stop) -> None:
        due = interleave_hosts(self.sources.due_urls(now))
        if self.fetch_due_with is not None:
            self.fetch_due_with(self, due, now, report, stop)
        else:
            self.fetch_list(due, now, report, stop)

    def fetch_list(self, due: list[DueUrl], now: datetime, report: CrawlReport, stop: Stop) -> None:
        """Fetch, extract and store ``due`` (in order, ``workers`` fetches ahead), recording each URL's outcome."""
        schedule = self.settings.crawl.refetch_after
        for u, got in self._prefetched(due, stop):
            if stop():
                report.stopped = True
                return
            aid: str | None = None
            error: str | None = None
            try:
                if isinstance(got, VeracityError):
                    raise got
                item = RawItem(u.url, "html", got.body, url=got.final_url)
                article = to_article(item, self.settings)
                report.add(self.store.upsert(article, seen_at=now))
                aid = article.id
            except VeracityError as exc:
                error = exc.message
                report.fail(Failure(u.url, exc.message))
            except Exception as exc:  # a bug in a stage must not end the pass
                error = f"unexpected error: {type(exc).__name__}: {exc}"
                report.fail(Failure(u.url, error))
            self.sources.url_fetched(u.key, now, next_fetch_at(u.first_seen, now, schedule), aid, error)

    # -- passes --------------------------------------------------------------------------
    def run_once(self, now: datetime | None = None, stop: Stop | None = None) -> CrawlReport:
        """One pass: poll due feeds, then fetch due URLs. ``stop()`` is asked between items."""
        now = now or utcnow()
        halt: Stop = stop or (lambda: False)
        report = CrawlReport()
        for feed in self.sources.due_feeds(now):
            if halt():
                report.stopped = True
                return report
            self.poll(feed, now, report)
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
            article = to_article(RawItem(url, "html", result.body, url=result.final_url), settings)
            report.add(store.upsert(article))
        except VeracityError as exc:
            report.fail(Failure(exc.item or url, exc.message))
    return report
