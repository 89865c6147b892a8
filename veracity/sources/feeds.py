"""Article links from a fetched feed or sitemap, whatever state the document is in.

Hostile XML (entity declarations, external entities) is refused; broken RSS/Atom is read
leniently by feedparser when it still yields entries; HTML served as a feed, an empty 200,
a document with no entries are :class:`FeedProblem`. Links are resolved against the
feed's URL (relative links), kept to http(s), de-duplicated (duplicate or missing GUIDs do
not matter: identity is the normalised link) and capped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import feedparser

from veracity.errors import InputError
from veracity.sources.xml import XmlProblem, clean_bytes, gunzip_capped, local, parse, parse_sitemap, screen
from veracity.text.normalize import normalize_url


class FeedProblem(InputError):
    """A fetched feed or sitemap that yields no article links, and why."""


@dataclass
class Links:
    """Article links of a document (normalised key, absolute URL), and child sitemaps."""

    articles: list[tuple[str, str]] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    kind: str = "rss"


def sniff(data: bytes) -> str:
    """``rss``, ``atom``, ``sitemap``, ``google-news``, ``html`` or ``unknown`` from the content."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"\x1f\x8b"):
        return "sitemap"
    if b"<urlset" in head or b"<sitemapindex" in head:
        return "google-news" if b"sitemap-news" in data[:4096].lower() else "sitemap"
    if b"<rss" in head or b"<rdf:rdf" in head:
        return "rss"
    if b"<feed" in head:
        return "atom"
    if b"<html" in head or b"<!doctype html" in head:
        return "html"
    return "unknown"


def _absolute(base: str, link: str) -> str | None:
    link = link.strip()
    if not link:
        return None
    url = urljoin(base, link)
    if urlsplit(url).scheme not in ("http", "https"):
        return None
    return url


def _collect(base: str, raw: list[str], limit: int) -> list[tuple[str, str]]:
    out: dict[str, str] = {}
    for link in raw:
        url = _absolute(base, link)
        if url is None:
            continue
        key = normalize_url(url)
        if key not in out:
            out[key] = url
        if len(out) >= limit:
            break
    return list(out.items())


def feed_links(data: bytes, url: str, kind: str, limit: int, max_bytes: int) -> Links:
    """The article links of a feed or sitemap body fetched from ``url``."""
    if not data.strip():
        raise FeedProblem("empty response", url)
    sniffed = sniff(data)
    if sniffed == "html":
        raise FeedProblem("HTML served where a feed was expected", url)
    if sniffed in ("sitemap", "google-news") or (kind in ("sitemap", "google-news") and sniffed == "unknown"):
        try:
            sitemap = parse_sitemap(gunzip_capped(data, max_bytes, url), url, limit)
        except XmlProblem as exc:
            raise FeedProblem(exc.message, url) from exc
        return Links(
            _collect(url, sitemap.urls, limit),
            [u for u in (_absolute(url, s) for s in sitemap.sitemaps) if u],
            "google-news" if sitemap.news else "sitemap",
        )
    try:
        screen(data, url)
    except XmlProblem as exc:
        raise FeedProblem(exc.message, url) from exc
    parsed = feedparser.parse(clean_bytes(data), response_headers={"content-location": url})
    entries = parsed.get("entries") or []
    if not entries:
        problem = parsed.get("bozo_exception")
        if problem is not None and not isinstance(problem, feedparser.CharacterEncodingOverride):
            raise FeedProblem(f"broken feed XML: {problem}", url)
        raise FeedProblem("not a feed, or a feed with no entries", url)
    raw: list[str] = []
    for entry in entries:
        link = entry.get("link") or ""
        if not link:
            guid = entry.get("id") or ""
            link = guid if guid.startswith(("http://", "https://", "/")) else ""
        raw.append(link)
    version = str(parsed.get("version") or "")
    found = _collect(url, raw, limit)
    if not found:
        raise FeedProblem(f"{len(entries)} entries but no usable http(s) links", url)
    return Links(found, [], "atom" if version.startswith("atom") else "rss")


def is_xml_root(data: bytes, names: tuple[str, ...]) -> bool:
    """Whether ``data`` parses (safely) with a root element named one of ``names``."""
    try:
        return local(parse(data, "").tag) in names
    except XmlProblem:
        return False
