"""Helpers of the sources and crawl tests: a site of feeds and articles served on 127.0.0.1.

Reuses the fetch tests' real server and connection tripwire (non-loopback connections are
refused while a test runs), so nothing leaves the machine.
"""

from __future__ import annotations

import http.server
import threading
from dataclasses import dataclass, field
from html import escape
from typing import Any

from fetch.support import Server, fast, reply
from veracity.crawl.settings import CrawlSettings
from veracity.settings import Settings

__all__ = ["Server", "Site", "article_html", "crawl_settings", "reply", "rss"]


def article_html(title: str, paragraphs: list[str], url: str | None = None) -> bytes:
    """An article page trafilatura extracts cleanly."""
    canonical = f'<link rel="canonical" href="{escape(url)}">' if url else ""
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<meta property="og:site_name" content="Loopback Gazette">{canonical}</head>'
        f"<body><nav><a href='/'>Home</a></nav><article><h1>{escape(title)}</h1>{body}</article>"
        "<footer>Contact us</footer></body></html>"
    ).encode()


def paragraphs(n: int, version: int = 1) -> list[str]:
    return [
        f"Paragraph one of story {n}: the harbour board met on Tuesday and discussed the dredging plan at length.",
        f"Paragraph two of story {n}: members agreed to publish costs, revision {version}, before the next meeting.",
        f"Paragraph three of story {n}: residents may comment in writing until the end of the month, the clerk said.",
    ]


def rss(items: list[tuple[str, str]], title: str = "Loopback Gazette", extra: str = "") -> bytes:
    """An RSS 2.0 document of (title, link) items."""
    entries = "".join(
        f"<item><title>{escape(t)}</title><link>{escape(link)}</link><guid>{escape(link)}</guid></item>"
        for t, link in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>http://127.0.0.1/</link>{extra}{entries}</channel></rss>"
    ).encode()


@dataclass
class Site:
    """A news site on a real server: a feed at /feed.xml (ETag-aware) and article pages."""

    server: Server
    articles: dict[str, list[str]] = field(default_factory=dict)  # path -> paragraphs
    titles: dict[str, str] = field(default_factory=dict)
    feed_etag: str = '"v1"'
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.server.route("/feed.xml", self._feed)
        self.server.static("/robots.txt", b"User-agent: *\nAllow: /\n")

    def url(self, path: str) -> str:
        return self.server.url(path)

    def add(self, n: int, version: int = 1) -> str:
        path = f"/news/{n:04d}-harbour-story"
        with self._lock:
            self.articles[path] = paragraphs(n, version)
            self.titles[path] = f"Harbour story number {n}"
            self.feed_etag = f'"v{len(self.articles)}-{version}-{n}"'
        self.server.route(path, self._article)
        return self.url(path)

    def feed_body(self) -> bytes:
        return rss([(self.titles[p], self.url(p)) for p in sorted(self.articles)])

    def _feed(self, h: http.server.BaseHTTPRequestHandler) -> None:
        if h.headers.get("If-None-Match") == self.feed_etag:
            reply(h, 304, b"", {"ETag": self.feed_etag})
            return
        reply(h, 200, self.feed_body(), {"Content-Type": "application/rss+xml", "ETag": self.feed_etag})

    def _article(self, h: http.server.BaseHTTPRequestHandler) -> None:
        path = h.path.split("?", 1)[0]
        body = article_html(self.titles[path], self.articles[path])
        reply(h, 200, body, {"Content-Type": "text/html; charset=utf-8"})


def crawl_settings(db_url: str, **crawl: Any) -> Settings:
    """Settings for tests: loopback allowed, no politeness delay, no retries, quick failures."""
    values: dict[str, Any] = {"max_failures": 3}
    values.update(crawl)
    return Settings(
        database_url=db_url,
        fetch=fast(max_retries=0),
        crawl=CrawlSettings(**values),
    )
