"""Hostile and broken feeds: each is reported (or read as well as it can be), none ends the pass.

Every case is served by a real server on 127.0.0.1 beside a healthy feed; the healthy
feed's article must still be stored in the same pass.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from crawl.crawl_support import Site, crawl_settings, reply
from veracity.crawl.run import Crawler
from veracity.store.sources import FeedInfo, OutletInfo, SourceStore
from veracity.store.sql import SqlStore

T0 = datetime(2026, 1, 5, 8, 0, 0)

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<rss version="2.0"><channel><title>&lol3;</title><item><title>x</title><link>/news/0001-harbour-story</link></item>
</channel></rss>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>&xxe;</title><item><title>x</title><link>/news/0001-harbour-story</link></item>
</channel></rss>"""


def _item(title: str, link: str, extra: str = "") -> str:
    return f"<item><title>{title}</title><link>{link}</link>{extra}</item>"


def _rss(items: str, prolog: str = '<?xml version="1.0" encoding="utf-8"?>') -> bytes:
    return f'{prolog}<rss version="2.0"><channel><title>Hostile</title>{items}</channel></rss>'.encode()


# name -> (body, content type, expected failure reason fragment or None, articles from that feed)
CASES: dict[str, tuple[bytes, str, str | None, int]] = {
    "billion-laughs": (BILLION_LAUGHS, "application/rss+xml", "hostile XML", 0),
    "xxe": (XXE, "application/rss+xml", "hostile XML", 0),
    "broken-xml": (b'<?xml version="1.0"?><rss><channel><title>Broken</ti', "application/rss+xml", "feed", 0),
    "html-as-feed": (b"<!DOCTYPE html><html><body><p>Hello</p></body></html>", "application/rss+xml", "HTML", 0),
    "empty-200": (b"", "application/rss+xml", "empty", 0),
    "duplicate-and-missing-guids": (
        _rss(
            _item("A", "/news/0001-harbour-story", "<guid>same</guid>")
            + _item("B", "/news/0002-harbour-story", "<guid>same</guid>")
            + _item("C", "/news/0001-harbour-story?utm_source=feed")
        ),
        "application/rss+xml",
        None,
        2,
    ),
    "relative-links": (
        _rss(_item("A", "/news/0001-harbour-story") + _item("B", "news/0002-harbour-story")),
        "",
        None,
        2,
    ),
    "dates-without-timezone-or-in-the-future": (
        _rss(
            _item("A", "/news/0001-harbour-story", "<pubDate>2026-01-05 07:00:00</pubDate>")
            + _item("B", "/news/0002-harbour-story", "<pubDate>Fri, 01 Jan 2100 00:00:00 +0000</pubDate>")
        ),
        "application/rss+xml",
        None,
        2,
    ),
    "illegal-control-characters": (
        _rss(_item("A\x01\x02 \x0bstory", "/news/0001-harbour-story") + _item("B\x1f", "/news/0002-harbour-story")),
        "application/rss+xml",
        None,
        2,
    ),
    "windows-1252-declared-utf-8": (
        _rss(_item("Caf\u00e9 \u2013 news", "/news/0001-harbour-story")).decode().encode("cp1252"),
        "application/rss+xml; charset=utf-8",
        None,
        1,
    ),
    "utf-8-with-bom-declared-latin-1": (
        b"\xef\xbb\xbf"
        + _rss(_item("Caf\u00e9", "/news/0001-harbour-story"), '<?xml version="1.0" encoding="iso-8859-1"?>'),
        "text/xml; charset=iso-8859-1",
        None,
        1,
    ),
    "header-utf-8-prolog-windows-1252": (
        _rss(
            _item("Caf\u00e9 \u2013 news", "/news/0001-harbour-story"),
            '<?xml version="1.0" encoding="windows-1252"?>',
        )
        .decode()
        .encode("cp1252"),
        "application/rss+xml; charset=utf-8",
        None,
        1,
    ),
    "undeclared-windows-1252-after-the-first-1024-bytes": (
        _rss(
            _item("Plain " + "x" * 1200, "/news/0001-harbour-story")
            + _item("Caf\u00e9 \u2013 late", "/news/0002-harbour-story"),
            '<?xml version="1.0"?>',
        )
        .decode()
        .encode("cp1252"),
        "application/rss+xml",
        None,
        2,
    ),
    "not-http-links": (_rss(_item("A", "javascript:alert(1)") + _item("B", "file:///etc/passwd")), "", "no usable", 0),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_feed(case: str, store: SqlStore, db_url: str, site: Site) -> None:
    body, ctype, reason, expected = CASES[case]
    site.add(1)
    site.add(2)
    healthy = site.add(50)
    site.server.route("/hostile.xml", lambda h: reply(h, 200, body, {"Content-Type": ctype} if ctype else {}))
    site.server.route(
        "/healthy.xml",
        lambda h: reply(h, 200, _rss(_item("Fine", healthy)), {"Content-Type": "application/rss+xml"}),
    )
    settings = crawl_settings(db_url)
    sources = SourceStore(store.engine)
    sources.add_outlet(OutletInfo("Hostile", "hostile.test", feeds=(FeedInfo(site.url("/hostile.xml")),)), T0, 1800)
    sources.add_outlet(OutletInfo("Healthy", "healthy.test", feeds=(FeedInfo(site.url("/healthy.xml")),)), T0, 1800)
    report = Crawler(store, settings).run_once(T0)
    titles = {s.article.title for s in store.latest()}
    assert "Harbour story number 50" in titles  # the healthy feed's article is stored regardless
    hostile = next(f for f in sources.feeds() if f.url.endswith("/hostile.xml"))
    if reason is None:
        assert report.failures == [], report.failures
        assert hostile.last_error is None and hostile.new_articles == expected
        assert len(titles) == expected + 1
    else:
        assert len(report.failures) == 1 and report.failures[0].source.endswith("/hostile.xml")
        assert reason.lower() in report.failures[0].reason.lower(), report.failures[0].reason
        assert hostile.failures == 1 and hostile.last_error
        assert len(titles) == 1
