"""The extract stage: one raw item into one Article, whatever its format.

JSON Lines records follow this schema (every field but ``title`` and one of ``text``,
``body`` or ``html`` is optional; ``veracity export --format jsonl`` writes it):

    url            the article's URL (its identity when present)
    title          headline
    text | body    the body as plain text, paragraphs separated by newlines
    html           the page's HTML instead of text: extracted like an HTML file
    captions       list of caption lines, kept aside from the body; when the field is
                   present, long body lines without final punctuation stay paragraphs
    outlet         a name, or {"name": …, "domain": …}; default: the URL's domain
    section, language, label (Truth | Misleading | Fake | Unverified)
    authors        list of names, or one string with names separated by ";"
    published | created_at    first publication time (ISO 8601)
    modified | updated_at     last update time (ISO 8601)
"""

from __future__ import annotations

import calendar
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import lxml.html
from lxml.etree import ParserError

from veracity.article import LABELS, Article, Block, Outlet
from veracity.cards.parse import parse_card
from veracity.errors import ExtractionError, InputError
from veracity.extract.dates import parse_datetime
from veracity.extract.html import extract_html
from veracity.ingest.read import RawItem
from veracity.settings import Settings
from veracity.text.clean import clean_lines, split_lines
from veracity.text.normalize import domain_of, normalize_space

_BLOCK_TAGS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "figcaption", "pre", "td", "dd", "dt"}


def to_article(item: RawItem, settings: Settings) -> Article:
    """Extract an Article from a raw item; raises InputError/ExtractionError naming it."""
    if item.kind == "html":
        return extract_html(item.payload, item.url, settings, item.source)
    if item.kind == "card":
        return parse_card(item.payload, item.source)
    if item.kind == "record":
        return from_record(item.payload, settings, item.source)
    return from_feed_entry(item.payload["entry"], item.payload["feed"], settings, item.source)


def html_to_lines(fragment: str) -> list[str]:
    """Paragraph texts of an HTML fragment (a feed entry's content or summary)."""
    if "<" not in fragment:
        return split_lines(fragment)
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (ParserError, ValueError):
        return split_lines(fragment)
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    lines = [
        el.text_content()
        for el in root.iter()
        if isinstance(el.tag, str)
        and el.tag in _BLOCK_TAGS
        and not any(d.tag in _BLOCK_TAGS for d in el.iterdescendants())
    ]
    return lines or split_lines(root.text_content())


def _authors(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split(";")
    if isinstance(value, list):
        return tuple(normalize_space(str(a.get("name", "") if isinstance(a, dict) else a)) for a in value if a)
    return ()


def _outlet(value: Any, url: str | None) -> Outlet:
    domain = domain_of(url)
    if isinstance(value, dict):
        name = value.get("name") or value.get("domain") or domain
        return Outlet(normalize_space(str(name or "Unknown outlet")), value.get("domain") or domain)
    if isinstance(value, str) and value.strip():
        return Outlet(normalize_space(value), domain)
    return Outlet(domain or "Unknown outlet", domain)


def from_record(record: dict[str, Any], settings: Settings, source: str) -> Article:
    """A JSON Lines record (schema in this module's docstring) into an Article."""
    url = record.get("url") or None
    label = record.get("label")
    if label is not None and label not in LABELS:
        raise InputError(f"label must be one of {', '.join(LABELS)}, got {label!r}", source)
    if record.get("html") and not (record.get("text") or record.get("body")):
        article = extract_html(str(record["html"]), url, settings, source)
    else:
        text = record.get("text") or record.get("body")
        if not isinstance(text, str) or not text.strip():
            raise InputError("a record needs 'text', 'body' or 'html'", source)
        # A record that lists its captions (as the export does) has its body lines sorted
        # already: guessing captions from missing punctuation would turn its unpunctuated
        # paragraphs (subheadings) into captions, and an exported article into a new version.
        blocks = clean_lines(split_lines(text), unpunctuated_captions="captions" not in record)
        captions = record.get("captions") or []
        blocks += tuple(Block(str(c), "caption") for c in captions if str(c).strip())
        article = Article(title="", blocks=blocks, outlet=_outlet(None, url), url=url, source=source)
    title = normalize_space(str(record.get("title") or article.title))
    if not title:
        raise InputError("a record needs a 'title'", source)
    if not article.paragraphs:
        raise ExtractionError("the record has no body text", source)
    return replace(
        article,
        title=title,
        outlet=_outlet(record["outlet"], url) if record.get("outlet") else article.outlet,
        canonical_url=record.get("canonical_url") or article.canonical_url,
        section=record.get("section") or article.section,
        authors=_authors(record.get("authors")) or article.authors,
        language=record.get("language") or article.language,
        published=parse_datetime(record.get("published") or record.get("created_at")) or article.published,
        modified=parse_datetime(record.get("modified") or record.get("updated_at")) or article.modified,
        label=label,
    )


def _struct_time(value: Any) -> datetime | None:
    if not value:
        return None
    return datetime.fromtimestamp(calendar.timegm(value), UTC).replace(tzinfo=None)


def from_feed_entry(entry: Any, feed: dict[str, Any], settings: Settings, source: str) -> Article:
    """An RSS/Atom entry into an Article: its link, title, content or summary, dates."""
    title = normalize_space(entry.get("title") or "")
    if not title:
        raise ExtractionError("feed entry has no title", source)
    content = entry.get("content")
    html = content[0].get("value") if content else entry.get("summary") or entry.get("description") or ""
    blocks = clean_lines(html_to_lines(html))
    if not any(b.kind == "paragraph" for b in blocks):
        raise ExtractionError("feed entry has no text", source)
    link = entry.get("link") or None
    domain = domain_of(feed.get("link")) or domain_of(link)
    tags = entry.get("tags") or []
    published = _struct_time(entry.get("published_parsed")) or _struct_time(entry.get("updated_parsed"))
    modified = _struct_time(entry.get("updated_parsed"))
    return Article(
        title=title,
        blocks=blocks,
        outlet=Outlet(normalize_space(feed.get("title") or domain or "Unknown outlet"), domain),
        url=link,
        section=(tags[0].get("term") if tags else None) or None,
        authors=_authors(entry.get("authors") or entry.get("author")),
        language=(feed.get("language") or "").split("-")[0].lower() or None,
        published=published,
        modified=modified if modified and published and modified > published else None,
        source=source,
    )
