"""From a URL a user gives to an outlet with its feeds.

A feed or sitemap URL is taken as it is (its kind read from the content). A homepage is
read for ``<link rel="alternate">`` feeds (RSS, Atom) and its site's robots.txt for
``Sitemap:`` lines. The outlet's name comes from ``og:site_name`` or ``<title>``, its
language from ``<html lang>``. Every request goes through the safe fetcher.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml.etree import ParserError

from veracity.fetch import Fetcher, FetchError
from veracity.sources.feeds import sniff
from veracity.store.sources import FeedInfo, OutletInfo
from veracity.text.normalize import domain_of, normalize_space

FEED_TYPES = {
    "application/rss+xml": "rss",
    "application/atom+xml": "atom",
    "application/rdf+xml": "rss",
    "application/feed+json": "",
    "application/xml": "rss",
    "text/xml": "rss",
}


def _page_info(html: bytes, base: str) -> tuple[str | None, str | None, list[FeedInfo]]:
    """(site name, language, feeds linked) of an HTML page."""
    try:
        tree = lxml.html.document_fromstring(html)
    except (ParserError, ValueError):
        return None, None, []
    name = None
    for meta in tree.iterfind(".//meta"):
        if (meta.get("property") or meta.get("name") or "").lower() == "og:site_name" and meta.get("content"):
            name = normalize_space(meta.get("content") or "")
            break
    if not name:
        title = tree.findtext(".//title")
        if title:
            name = normalize_space(title.split(" | ")[0].split(" - ")[0]) or None
    lang = (tree.get("lang") or "").split("-")[0].lower() or None
    found: dict[str, FeedInfo] = {}
    for link in tree.iterfind(".//link"):
        rels = (link.get("rel") or "").lower().split()
        kind = FEED_TYPES.get((link.get("type") or "").lower().split(";")[0].strip())
        href = link.get("href")
        if "alternate" in rels and kind and href:
            url = urljoin(base, href.strip())
            if urlsplit(url).scheme in ("http", "https") and url not in found:
                found[url] = FeedInfo(url, kind)
    return name, lang, list(found.values())


def robots_sitemaps(fetcher: Fetcher, page_url: str) -> list[str]:
    """``Sitemap:`` URLs of the robots.txt of ``page_url``'s site; [] when there is none."""
    parts = urlsplit(page_url)
    try:
        result = fetcher.get(f"{parts.scheme}://{parts.netloc}/robots.txt")
    except FetchError:
        return []
    out = []
    for line in result.body[: 512 * 1024].decode("utf-8", "replace").splitlines():
        field, _, value = line.partition(":")
        if field.strip().lower() == "sitemap" and value.strip():
            url = urljoin(result.final_url, value.strip())
            if urlsplit(url).scheme in ("http", "https") and url not in out:
                out.append(url)
    return out


def discover(fetcher: Fetcher, url: str, *, name: str | None = None) -> OutletInfo:
    """The outlet behind ``url`` with its feeds. Raises ``FetchError`` when ``url`` cannot be fetched."""
    result = fetcher.get(url)
    kind = sniff(result.body)
    domain = domain_of(result.final_url) or domain_of(url) or url
    if kind in ("rss", "atom", "sitemap", "google-news"):
        return OutletInfo(name=name or domain, domain=domain, feeds=(FeedInfo(result.final_url, kind),))
    site, lang, feeds = _page_info(result.body, result.final_url)
    known = {f.url for f in feeds}
    for sm in robots_sitemaps(fetcher, result.final_url):
        if sm not in known:
            feeds.append(FeedInfo(sm, "google-news" if "news" in sm.lower() else "sitemap"))
            known.add(sm)
    return OutletInfo(name=name or site or domain, domain=domain, language=lang, feeds=tuple(feeds))
