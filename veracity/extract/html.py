"""HTML pages into articles: trafilatura for the text and metadata, htmldate for dates.

Page metadata that trafilatura does not return (section, canonical link, language, times
of day, the modified time) is read from the same parsed tree with a few XPaths over the
standard tags (Open Graph, ``article:*``, schema.org JSON-LD).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura import bare_extraction
from trafilatura.settings import set_date_params
from trafilatura.utils import load_html

from veracity.article import Article, Block, Outlet
from veracity.errors import ExtractionError, InputError
from veracity.extract.dates import parse_datetime
from veracity.settings import Settings
from veracity.text.clean import clean_lines, split_lines
from veracity.text.normalize import domain_of, normalize_space

_META = {
    "section": ("article:section", "section", "og:section", "parsely-section", "sailthru.section", "category"),
    "site_name": ("og:site_name", "application-name", "publisher"),
    "published": ("article:published_time", "og:published_time", "pubdate", "datePublished", "date"),
    "modified": ("article:modified_time", "og:updated_time", "last-modified", "dateModified", "lastmod"),
    "language": ("og:locale", "language", "content-language", "dc.language"),
}


def _meta(tree: HtmlElement) -> dict[str, str]:
    found: dict[str, str] = {}
    for el in tree.iterfind(".//meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv") or "").lower()
        content = (el.get("content") or "").strip()
        if key and content and key not in found:
            found[key] = content
    return found


def _json_ld(tree: HtmlElement) -> dict[str, Any]:
    """The first schema.org article-like object in JSON-LD, flattened from @graph."""
    for script in tree.iterfind(".//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except (json.JSONDecodeError, TypeError):
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if not isinstance(item, dict):
                continue
            stack.extend(item.get("@graph", []) if isinstance(item.get("@graph"), list) else [])
            kind = item.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if any(isinstance(k, str) and ("Article" in k or k in {"Report", "BlogPosting"}) for k in kinds):
                return item
    return {}


def _first(meta: dict[str, str], names: tuple[str, ...]) -> str | None:
    lowered = tuple(n.lower() for n in names)
    return next((meta[n] for n in lowered if meta.get(n)), None)


def page_metadata(tree: HtmlElement) -> dict[str, Any]:
    """Section, site name, canonical URL, language and full timestamps read from a page."""
    meta = _meta(tree)
    ld = _json_ld(tree)
    canonical = tree.find(".//link[@rel='canonical']")
    lang = tree.get("lang") or tree.get("xml:lang") or _first(meta, _META["language"])
    section = _first(meta, _META["section"]) or ld.get("articleSection")
    if isinstance(section, list):
        section = section[0] if section else None
    return {
        "section": normalize_space(str(section)) if section else None,
        "site_name": _first(meta, _META["site_name"]),
        "canonical": canonical.get("href") if canonical is not None else (meta.get("og:url") or None),
        "language": lang.replace("_", "-").split("-")[0].lower() if lang else None,
        "published": parse_datetime(_first(meta, _META["published"]) or ld.get("datePublished")),
        "modified": parse_datetime(_first(meta, _META["modified"]) or ld.get("dateModified")),
    }


def parse_html(html: bytes | str, source: str) -> HtmlElement:
    """Parse a page (encoding detected by trafilatura); :class:`InputError` when it is not HTML."""
    head = html[:8192]
    if (isinstance(head, bytes) and b"\x00" in head) or (isinstance(head, str) and "\x00" in head):
        raise InputError("binary content, not an HTML page", source)
    tree = load_html(html)
    if tree is None:
        raise InputError("cannot be parsed as HTML", source)
    return tree


# One cheap XPath, then the class tokens checked in Python (an XPath per class name walks
# the tree once for each).
_CAPTION_XPATH = ".//figcaption | .//*[contains(@class, 'caption')]"
_CAPTION_CLASSES = {"caption", "image-caption", "photo-caption", "img-caption", "wp-caption-text", "figure-caption"}
MAX_CAPTIONS = 30


def page_captions(tree: HtmlElement) -> list[str]:
    """Normalised texts the page marks as figure captions, in page order.

    Looked for inside ``<article>`` or ``<main>`` when the page has one, so captions of
    teasers elsewhere on the page are not taken for the article's.
    """
    scope = tree.find(".//article")
    scope = scope if scope is not None else tree.find(".//main")
    seen: dict[str, None] = {}
    for el in (scope if scope is not None else tree).xpath(_CAPTION_XPATH):
        if el.tag != "figcaption" and _CAPTION_CLASSES.isdisjoint((el.get("class") or "").lower().split()):
            continue
        text = normalize_space(el.text_content())
        if text and len(text) <= 600 and text not in seen:
            seen[text] = None
    return list(seen)[:MAX_CAPTIONS]


def with_captions(blocks: tuple[Block, ...], title: str, captions: list[str]) -> tuple[Block, ...]:
    """Blocks without a leading repeat of the headline, with the page's captions kept.

    trafilatura drops ``<figure>`` content, so marked captions that did not come through
    in the text are added as caption blocks after the body (their position is not known).
    """
    if blocks and normalize_space(blocks[0].text).casefold() == title.casefold():
        blocks = blocks[1:]
    if not captions:
        return blocks
    present = {normalize_space(b.text) for b in blocks}
    return blocks + tuple(Block(c, "caption") for c in captions if c not in present)


def extract_body_text(tree: HtmlElement, url: str | None, settings: Settings) -> Any:
    """trafilatura's document for a parsed page, with veracity's options.

    Comments are left out (they are not the article); ``favor_precision`` trims link-heavy
    and boilerplate-like blocks. Both choices were made on the Zyte benchmark, so its
    figure in docs/evaluation.md is, for that choice, an optimistic one.
    """
    return bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        favor_precision=True,
        fast=not settings.extraction_fallback,
    )


def choose_published(tagged: datetime | None, day: str | None) -> datetime | None:
    """htmldate's day, with the time of day from the page's tags when they agree on the day.

    htmldate (which trafilatura runs with ``original_date=True`` and extensive search)
    picks the day; the tags only add precision, since they are wrong more often.
    """
    if tagged is not None and (day is None or tagged.strftime("%Y-%m-%d") == day):
        return tagged
    return parse_datetime(day) if day else tagged


def published_date(html: bytes | str) -> datetime | None:
    """The publication time veracity would store for a page, from its HTML alone.

    The same choice as :func:`extract_html`, with htmldate run as trafilatura runs it;
    used by ``veracity evaluate dates``.
    """
    tree = parse_html(html, "")
    tagged = page_metadata(tree)["published"]
    return choose_published(tagged, find_date(tree, **set_date_params(True)))


def extract_html(html: bytes | str, url: str | None, settings: Settings, source: str = "") -> Article:
    """One HTML page into an Article. Raises InputError / ExtractionError naming ``source``."""
    source = source or url or ""
    tree = parse_html(html, source)
    meta = page_metadata(tree)
    captions = page_captions(tree)
    doc = extract_body_text(tree, url, settings)
    if doc is None or not doc.text:
        raise ExtractionError("no article text found in the page", source)
    title = normalize_space(doc.title or "")
    blocks = clean_lines(split_lines(doc.text), unpunctuated_captions=False, known_captions=frozenset(captions))
    blocks = with_captions(blocks, title, captions)
    body_chars = sum(len(b.text) for b in blocks if b.kind == "paragraph")
    if body_chars < settings.min_body_chars:
        raise ExtractionError(f"no article: body has {body_chars} characters", source)
    if not title:
        raise ExtractionError("no title found in the page", source)
    canonical = meta["canonical"] or doc.url or None
    page_url = url or canonical
    domain = domain_of(canonical) or domain_of(page_url) or (doc.hostname or None)
    outlet_name = meta["site_name"] or doc.sitename or domain or "Unknown outlet"
    authors = tuple(a.strip() for a in (doc.author or "").split(";") if a.strip())
    published = choose_published(meta["published"], doc.date)
    modified = meta["modified"]
    if modified is not None and published is not None and modified <= published:
        modified = None
    return Article(
        title=title,
        blocks=blocks,
        outlet=Outlet(normalize_space(outlet_name), domain),
        url=page_url,
        canonical_url=canonical,
        section=meta["section"],
        authors=authors,
        language=meta["language"] or (doc.language or None),
        published=published,
        modified=modified,
        source=source,
    )
