"""A crawl pass facing what sites do: private links in feeds, long feeds, sitemap indexes,
mislabelled page encodings; and the frontier read and marked in batches. Real servers on
127.0.0.1, SQLite and PostgreSQL."""

from __future__ import annotations

import http.server
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from crawl.crawl_support import Site, article_html, crawl_settings, paragraphs, reply, rss
from fetch.support import NetLog
from veracity.crawl import run as crawl_run
from veracity.crawl.run import Crawler
from veracity.store.sources import FeedInfo, OutletInfo, SourceStore
from veracity.store.sql import SqlStore

T0 = datetime(2026, 1, 5, 8, 0, 0)


def _crawler(store: SqlStore, db_url: str, url: str, kind: str = "rss", **crawl: float) -> Crawler:
    settings = crawl_settings(db_url, **crawl)
    SourceStore(store.engine).add_outlet(
        OutletInfo("Loopback Gazette", "127.0.0.1", kind="news", feeds=(FeedInfo(url, kind),)),
        T0,
        settings.crawl.poll_interval,
    )
    return Crawler(store, settings, workers=2)


def test_links_to_non_public_addresses_in_a_feed_are_refused_without_connecting(
    store: SqlStore, db_url: str, site: Site, net: NetLog
) -> None:
    good = site.add(1)
    hostile = [
        ("metadata", "http://169.254.169.254/latest/meta-data/iam"),
        ("private", "http://10.0.0.7/admin"),
        ("mapped", "http://[::ffff:192.168.1.1]/"),
        ("decimal", "http://2130706434/"),  # 127.0.0.2: loopback, outside the allow-list 127.0.0.1/32
        ("cgnat", "http://100.64.0.1/"),
    ]
    enclosure = '<enclosure url="http://169.254.169.254/img.jpg" type="image/jpeg" length="1"/>'
    site.server.route(
        "/mixed.xml",
        lambda h: reply(
            h, 200, rss([("Good", good), *hostile], extra=enclosure), {"Content-Type": "application/rss+xml"}
        ),
    )
    report = _crawler(store, db_url, site.url("/mixed.xml")).run_once(T0)
    assert report.summary() == f"ingested=1 updated=0 unchanged=0 failed={len(hostile)}"
    assert all("is not public" in f.reason for f in report.failures), report.failures
    assert {f.source for f in report.failures} == {u for _, u in hostile}
    assert {host for host, _ in net.connects} == {"127.0.0.1"}  # nothing else was ever connected to


def test_items_taken_from_a_feed_are_capped(store: SqlStore, db_url: str, site: Site) -> None:
    links = [(f"Story {n}", site.url(f"/news/{n:04d}-x")) for n in range(30)]
    site.server.route("/long.xml", lambda h: reply(h, 200, rss(links), {"Content-Type": "application/rss+xml"}))
    crawler = _crawler(store, db_url, site.url("/long.xml"), max_items_per_feed=7)
    report = crawler.run_once(T0)
    assert report.new_urls == 7 and crawler.sources.count_urls() == 7
    assert crawler.sources.feeds()[0].new_articles == 7


def _sitemap(urls: list[str]) -> bytes:
    locs = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'.encode()


def test_child_sitemaps_are_fetched_with_conditional_get(store: SqlStore, db_url: str, site: Site) -> None:
    urls = [site.add(n) for n in range(4)]
    children = {"/sm-1.xml": (urls[:2], '"c1"', None), "/sm-2.xml": (urls[2:], None, "Mon, 05 Jan 2026 07:00:00 GMT")}

    def child(h: http.server.BaseHTTPRequestHandler) -> None:
        body_urls, etag, modified = children[h.path]
        if (etag and h.headers.get("If-None-Match") == etag) or (
            modified and h.headers.get("If-Modified-Since") == modified
        ):
            reply(h, 304, b"")
            return
        headers = {"Content-Type": "application/xml", **({"ETag": etag} if etag else {})}
        reply(h, 200, _sitemap(body_urls), {**headers, **({"Last-Modified": modified} if modified else {})})

    for path in children:
        site.server.route(path, child)
    index = "".join(f"<sitemap><loc>{site.url(p)}</loc></sitemap>" for p in children)
    site.server.static(
        "/index.xml",
        f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{index}'
        "</sitemapindex>".encode(),
        headers={"Content-Type": "application/xml"},  # no validators of its own: read whole each time
    )
    crawler = _crawler(store, db_url, site.url("/index.xml"), kind="sitemap", poll_interval=600)
    assert crawler.run_once(T0).summary() == "ingested=4 updated=0 unchanged=0 failed=0"
    first = [s for s in site.server.seen if s.path.startswith("/sm-")]
    assert all("if-none-match" not in s.headers and "if-modified-since" not in s.headers for s in first)

    # Next poll: the index is read again, each child is asked conditionally and answers 304.
    children["/sm-2.xml"][0].append(site.add(9))  # unseen, since the child says it has not changed
    report = crawler.run_once(crawler.sources.feeds()[0].next_poll)
    assert report.summary() == "ingested=0 updated=0 unchanged=0 failed=0" and report.new_urls == 0
    again = {s.path: s.headers for s in site.server.seen[len(first) :] if s.path.startswith("/sm-")}
    assert again["/sm-1.xml"]["if-none-match"] == '"c1"'
    assert again["/sm-2.xml"]["if-modified-since"] == "Mon, 05 Jan 2026 07:00:00 GMT"
    assert crawler.child_validators(site.url("/sm-1.xml")) is not None

    # A child that changes answers 200 with a new ETag: its new link is taken.
    children["/sm-1.xml"] = ([*urls[:2], site.add(10)], '"c2"', None)
    report = crawler.run_once(crawler.sources.feeds()[0].next_poll + timedelta(seconds=1))
    assert report.summary() == "ingested=1 updated=0 unchanged=0 failed=0"


MISLABELLED = {
    # the <meta charset> comes after the first 1024 bytes; no charset in the header
    "charset-after-1024-bytes": (lambda page: page.replace(b"<head>", b"<head><!-- " + b"x" * 1500 + b" -->"), ""),
    "header-utf-8-page-windows-1252": (lambda page: page, "text/html; charset=utf-8"),
    "bom-utf-8-header-latin-1": (lambda page: b"\xef\xbb\xbf" + page, "text/html; charset=iso-8859-1"),
}


@pytest.mark.parametrize("case", sorted(MISLABELLED))
def test_pages_with_mislabelled_encodings_are_read_right(case: str, store: SqlStore, db_url: str, site: Site) -> None:
    change, content_type = MISLABELLED[case]
    title = "Caf\u00e9 \u2013 la r\u00e9union du port"
    text = [p.replace("harbour", "caf\u00e9 \u2013 d\u00e9bat") for p in paragraphs(1)]
    page = article_html(title, text).replace(b'<meta charset="utf-8">', b"")
    if case == "charset-after-1024-bytes":
        page = page.replace(b"</title>", b'</title><meta charset="windows-1252">')
    encoded = page.decode().encode("utf-8" if case.startswith("bom") else "cp1252")
    body = change(encoded)
    if case == "charset-after-1024-bytes":
        assert body.index(b"windows-1252") > 1024
    headers = {"Content-Type": content_type} if content_type else {}
    site.server.route("/page", lambda h: reply(h, 200, body, headers))
    site.server.route(
        "/enc.xml", lambda h: reply(h, 200, rss([("x", site.url("/page"))]), {"Content-Type": "application/rss+xml"})
    )
    report = _crawler(store, db_url, site.url("/enc.xml")).run_once(T0)
    assert report.summary() == "ingested=1 updated=0 unchanged=0 failed=0", report.failures
    stored = store.latest()[0].article
    assert stored.title == title
    assert "caf\u00e9 \u2013 d\u00e9bat" in stored.blocks[0].text


def test_the_frontier_is_read_and_marked_in_batches(
    store: SqlStore, db_url: str, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(crawl_run, "FRONTIER_BATCH", 3)
    monkeypatch.setattr(crawl_run, "MARK_EVERY", 2)
    for n in range(8):
        site.add(n)
    crawler = _crawler(store, db_url, site.url("/feed.xml"))
    reads: list[int] = []
    due = crawler.sources.due_urls
    monkeypatch.setattr(
        crawler.sources, "due_urls", lambda now, limit=None: reads.append(limit or 0) or due(now, limit)
    )
    assert crawler.run_once(T0).summary() == "ingested=8 updated=0 unchanged=0 failed=0"
    assert reads == [3, 3, 3, 3]  # 3 + 3 + 2, then an empty read ends the pass
    assert all(site.server.hits(f"/news/{n:04d}-harbour-story") == 1 for n in range(8))
    assert crawler.sources.due_urls(T0) == []  # every URL marked: none is due again now


def test_a_stop_mid_batch_still_marks_what_was_stored(store: SqlStore, db_url: str, site: Site) -> None:
    for n in range(6):
        site.add(n)
    crawler = _crawler(store, db_url, site.url("/feed.xml"))
    stored = store.upsert
    count = {"n": 0}

    def counting(*args: object, **kwargs: object) -> object:
        count["n"] += 1
        return stored(*args, **kwargs)  # type: ignore[arg-type]

    crawler.store.upsert = counting  # type: ignore[method-assign]
    report = crawler.run_once(T0, stop=lambda: count["n"] >= 3)
    assert report.stopped and report.total == 3
    with store.engine.connect() as conn:
        marked = conn.execute(text("SELECT count(*) FROM crawl_urls WHERE fetches > 0")).scalar_one()
    assert marked == 3  # the three stored are marked, though fewer than MARK_EVERY were pending
    assert crawler.run_once(T0).summary() == "ingested=3 updated=0 unchanged=0 failed=0"
