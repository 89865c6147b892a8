"""OPML in and out: outlets with their feeds.

Export writes one ``outline`` an outlet (``text``, ``htmlUrl`` and veracity's own attributes
``domain``, ``country``, ``language``, ``kind``) holding one ``outline`` a feed (``type``,
``xmlUrl``). Import reads that, and also the flat lists feed readers write (one outline a
feed, grouped by the domain of ``htmlUrl`` or ``xmlUrl``). Parsed with defusedxml.
"""

from __future__ import annotations

from collections.abc import Iterable
from xml.etree.ElementTree import Element, SubElement, tostring

from veracity.sources.xml import XmlProblem, local, parse
from veracity.store.sources import FEED_KINDS, KINDS, FeedInfo, OutletInfo, StoredOutlet
from veracity.text.normalize import domain_of


def _feed_kind(value: str | None, url: str) -> str:
    value = (value or "").lower()
    if value in FEED_KINDS:
        return value
    if "sitemap" in url.lower():
        return "sitemap"
    return "atom" if value == "atom" or "atom" in url.lower() else "rss"


def read_opml(data: bytes, source: str) -> list[OutletInfo]:
    """The outlets of an OPML document; :class:`XmlProblem` when it is hostile, broken or not OPML."""
    root = parse(data, source)
    if local(root.tag) != "opml":
        raise XmlProblem(f"not OPML (root element <{local(root.tag)}>)", source)
    found: dict[str, dict[str, object]] = {}

    def outlet_of(domain: str, node: Element, holder: Element | None) -> dict[str, object]:
        entry = found.get(domain)
        attrs = holder if holder is not None else node
        if entry is None:
            name = attrs.get("text") or attrs.get("title") or node.get("text") or node.get("title") or domain
            kind = (attrs.get("kind") or "unknown").lower()
            entry = {
                "name": name.strip() or domain,
                "country": attrs.get("country") or None,
                "language": attrs.get("language") or node.get("language") or None,
                "kind": kind if kind in KINDS else "unknown",
                "feeds": [],
            }
            found[domain] = entry
        return entry

    def walk(node: Element, parent: Element | None) -> None:
        for child in node:
            if local(child.tag) != "outline":
                continue
            url = (child.get("xmlUrl") or "").strip()
            if url:
                # A parent outline is the outlet when it says so (veracity's export); else a folder.
                outlet_like = parent is not None and parent.get("xmlUrl") is None
                holder = (
                    parent
                    if outlet_like and parent is not None and (parent.get("domain") or parent.get("htmlUrl"))
                    else None
                )
                domain = (
                    (holder.get("domain") if holder is not None else None)
                    or child.get("domain")
                    or domain_of((holder.get("htmlUrl") if holder is not None else None) or child.get("htmlUrl"))
                    or domain_of(url)
                )
                if domain and url.lower().startswith(("http://", "https://")):
                    feeds = outlet_of(domain, child, holder)["feeds"]
                    assert isinstance(feeds, list)
                    feeds.append(FeedInfo(url, _feed_kind(child.get("feedKind") or child.get("type"), url)))
            walk(child, child)

    body = next((c for c in root if local(c.tag) == "body"), None)
    if body is None:
        raise XmlProblem("OPML without a <body>", source)
    walk(body, None)
    out = []
    for domain, e in found.items():
        feeds = e["feeds"]
        assert isinstance(feeds, list)
        out.append(
            OutletInfo(
                name=str(e["name"]),
                domain=domain,
                country=e["country"] if isinstance(e["country"], str) else None,
                language=e["language"] if isinstance(e["language"], str) else None,
                kind=str(e["kind"]),
                feeds=tuple(feeds),
            )
        )
    return out


def write_opml(outlets: Iterable[StoredOutlet], title: str = "veracity sources") -> str:
    """An OPML 2.0 document of ``outlets`` and their feeds."""
    root = Element("opml", version="2.0")
    head = SubElement(root, "head")
    SubElement(head, "title").text = title
    body = SubElement(root, "body")
    for o in outlets:
        attrs = {"text": o.name, "title": o.name, "domain": o.domain, "htmlUrl": f"https://{o.domain}/", "kind": o.kind}
        if o.country:
            attrs["country"] = o.country
        if o.language:
            attrs["language"] = o.language
        node = SubElement(body, "outline", attrs)
        for f in o.feeds:
            SubElement(
                node,
                "outline",
                {"text": f"{o.name} ({f.kind})", "type": "rss", "feedKind": f.kind, "xmlUrl": f.url},
            )
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="unicode") + "\n"
