"""One crawl pass and the schedule, against a real server on 127.0.0.1, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

from crawl.crawl_support import Site, article_html, crawl_settings, paragraphs, reply
from veracity.crawl.run import Crawler, adapt_interval, next_fetch_at
from veracity.ingest.convert import to_article
from veracity.ingest.read import RawItem
from veracity.store.sources import FeedInfo, OutletInfo, SourceStore
from veracity.store.sql import SqlStore

T0 = datetime(2026, 1, 5, 8, 0, 0)


def _crawler(store: SqlStore, db_url: str, site: Site, path: str = "/feed.xml", **crawl: float) -> Crawler:
    settings = crawl_settings(db_url, **crawl)
    SourceStore(store.engine).add_outlet(
        OutletInfo("Loopback Gazette", "127.0.0.1", "GB", "en", "news", (FeedInfo(site.url(path), "rss"),)),
        T0,
        settings.crawl.poll_interval,
    )
    return Crawler(store, settings, workers=2)


def test_a_pass_fetches_new_articles_and_a_304_costs_nothing(store: SqlStore, db_url: str, site: Site) -> None:
    for n in range(3):
        site.add(n)
    crawler = _crawler(store, db_url, site)
    report = crawler.run_once(T0)
    assert report.summary() == "ingested=3 updated=0 unchanged=0 failed=0"
    assert {s.article.title for s in store.latest()} == {f"Harbour story number {n}" for n in range(3)}
    feed = crawler.sources.feeds()[0]
    assert feed.etag == site.feed_etag and feed.last_success == T0 and feed.new_articles == 3
    assert feed.next_poll > T0

    # Not due yet: nothing is asked.
    hits = len(site.server.seen)
    assert crawler.run_once(T0 + timedelta(seconds=1)).summary() == "ingested=0 updated=0 unchanged=0 failed=0"
    assert len(site.server.seen) == hits

    # Due again, feed unchanged: a conditional GET answered 304, nothing parsed or fetched.
    later = feed.next_poll
    report = crawler.run_once(later)
    assert report.not_modified == 1 and report.summary() == "ingested=0 updated=0 unchanged=0 failed=0"
    assert site.server.seen[-1].headers.get("if-none-match") == site.feed_etag


def test_new_items_only_are_fetched(store: SqlStore, db_url: str, site: Site) -> None:
    site.add(0)
    crawler = _crawler(store, db_url, site)
    crawler.run_once(T0)
    site.add(1)
    when = crawler.sources.feeds()[0].next_poll
    report = crawler.run_once(when)
    assert report.summary() == "ingested=1 updated=0 unchanged=0 failed=0"
    assert site.server.hits("/news/0000-harbour-story") == 1
    assert site.server.hits("/news/0001-harbour-story") == 1


def test_articles_are_refetched_at_growing_intervals_and_edits_become_versions(
    store: SqlStore, db_url: str, site: Site
) -> None:
    url = site.add(7)
    crawler = _crawler(store, db_url, site, poll_interval=10 * 86400, max_poll_interval=10 * 86400)
    crawler.run_once(T0)
    path = "/news/0007-harbour-story"
    assert site.server.hits(path) == 1
    # 30 min later: not due.
    assert crawler.run_once(T0 + timedelta(minutes=30)).total == 0
    # 1 h: due, unchanged.
    assert crawler.run_once(T0 + timedelta(hours=1)).summary() == "ingested=0 updated=0 unchanged=1 failed=0"
    # The outlet edits the story; the 6 h re-fetch records a new version.
    site.articles[path] = [*site.articles[path][:2], "A correction was appended: the meeting is on Thursday instead."]
    assert crawler.run_once(T0 + timedelta(hours=6)).summary() == "ingested=0 updated=1 unchanged=0 failed=0"
    assert crawler.run_once(T0 + timedelta(hours=24)).summary() == "ingested=0 updated=0 unchanged=1 failed=0"
    assert crawler.run_once(T0 + timedelta(hours=72)).summary() == "ingested=0 updated=0 unchanged=1 failed=0"
    assert crawler.run_once(T0 + timedelta(days=9)).total == 0  # schedule exhausted
    assert site.server.hits(path) == 5
    stored = store.latest()
    assert len(stored) == 1 and stored[0].versions == 2 and stored[0].article.url == url


def test_refetch_schedule_skips_what_a_downtime_missed() -> None:
    schedule = (3600.0, 21600.0, 86400.0)
    assert next_fetch_at(T0, T0, schedule) == T0 + timedelta(hours=1)
    assert next_fetch_at(T0, T0 + timedelta(hours=7), schedule) == T0 + timedelta(hours=24)
    assert next_fetch_at(T0, T0 + timedelta(days=2), schedule) is None


def test_poll_interval_adapts(store: SqlStore, db_url: str, site: Site) -> None:
    settings = crawl_settings(db_url, poll_interval=1000, min_poll_interval=300, max_poll_interval=5000)
    assert adapt_interval(1000, 3, settings) == 500
    assert adapt_interval(400, 3, settings) == 300
    assert adapt_interval(1000, 0, settings) == 1500
    assert adapt_interval(4000, 0, settings) == 5000
    site.add(1)
    crawler = _crawler(store, db_url, site, poll_interval=1000, min_poll_interval=300, max_poll_interval=5000)
    crawler.run_once(T0)
    feed = crawler.sources.feeds()[0]
    assert feed.poll_interval == 500 and feed.next_poll == T0 + timedelta(seconds=500)
    crawler.run_once(feed.next_poll)  # 304: nothing new
    assert crawler.sources.feeds()[0].poll_interval == 750


def test_failures_back_off_then_disable_and_enable_brings_back(store: SqlStore, db_url: str, site: Site) -> None:
    site.server.static("/broken.xml", b"oops", status=500)
    crawler = _crawler(store, db_url, site, path="/broken.xml", poll_interval=600, max_failures=3)
    now = T0
    waits = []
    for n in range(3):
        report = crawler.run_once(now)
        assert report.feed_failures == 1 and "500" in report.failures[0].reason
        feed = crawler.sources.feeds()[0]
        assert feed.failures == n + 1
        waits.append((feed.next_poll - now).total_seconds())
        now = feed.next_poll
    assert waits == [600, 1200, 2400]
    feed = crawler.sources.feeds()[0]
    assert not feed.enabled and feed.disabled_reason and "3 consecutive failures" in feed.disabled_reason
    assert crawler.run_once(now + timedelta(days=30)).polled == 0  # disabled: not polled
    # The site is fixed; enable clears the failures and the feed is due at once.
    site.server.route("/broken.xml", lambda h: reply(h, 200, site.feed_body()))
    site.add(3)
    assert crawler.sources.enable("127.0.0.1", now) == 1
    report = crawler.run_once(now)
    assert report.summary() == "ingested=1 updated=0 unchanged=0 failed=0"
    feed = crawler.sources.feeds()[0]
    assert feed.enabled and feed.failures == 0 and feed.last_error is None


def test_links_already_in_the_store_are_not_fetched(store: SqlStore, db_url: str, site: Site) -> None:
    url = site.add(1)
    crawler = _crawler(store, db_url, site)
    page = article_html("Harbour story number 1", paragraphs(1))  # ingested earlier from another input
    store.upsert(to_article(RawItem("file.html", "html", page, url=url), crawler.settings))
    report = crawler.run_once(T0)
    assert report.total == 0 and report.new_urls == 0
    assert site.server.hits("/news/0001-harbour-story") == 0


def test_article_failures_are_reported_and_the_pass_goes_on(store: SqlStore, db_url: str, site: Site) -> None:
    site.add(1)
    site.add(2)
    site.server.static("/news/0001-harbour-story", b"gone", status=404)
    crawler = _crawler(store, db_url, site)
    report = crawler.run_once(T0)
    assert report.summary() == "ingested=1 updated=0 unchanged=0 failed=1"
    assert report.failures[0].source.endswith("/news/0001-harbour-story")


def test_run_forever_stops_when_asked(store: SqlStore, db_url: str, site: Site) -> None:
    import threading

    site.add(1)
    crawler = _crawler(store, db_url, site)
    stop = threading.Event()
    passes: list[str] = []

    def on_pass(report: object) -> None:
        passes.append(report.summary())  # type: ignore[attr-defined]
        stop.set()

    thread = threading.Thread(target=crawler.run_forever, args=(stop, on_pass))
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert passes == ["ingested=1 updated=0 unchanged=0 failed=0"]


def test_crawl_settings_from_the_environment() -> None:
    from veracity.settings import Settings

    s = Settings.from_env({"VERACITY_MAX_FAILURES": "2", "VERACITY_REFETCH_AFTER": "7200,600"})
    assert s.crawl.max_failures == 2 and s.crawl.refetch_after == (600.0, 7200.0)


def test_due_urls_are_interleaved_by_host() -> None:
    from veracity.crawl.run import interleave_hosts
    from veracity.store.sources import DueUrl

    due = [DueUrl(u, u, None, 0, T0) for u in ("http://a/1", "http://a/2", "http://a/3", "http://b/1", "http://c/1")]
    assert [u.url for u in interleave_hosts(due)] == [
        "http://a/1",
        "http://b/1",
        "http://c/1",
        "http://a/2",
        "http://a/3",
    ]
