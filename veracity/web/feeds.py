"""Feeds out: Atom for any filter state of the feed, and schema.org ClaimReview for veracity's verdicts.

The Atom document is built with ElementTree, which escapes every piece of text; each entry's
content is the card's opening as plain text.
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Request
from fastapi.responses import Response

from veracity.web.app import desk_of
from veracity.web.queries import Filters, feed

router = APIRouter(include_in_schema=False)
ATOM = "http://www.w3.org/2005/Atom"


def _rfc3339(iso_value: str | None) -> str:
    return (iso_value or "1970-01-01T00:00:00") + "Z"


def atom(cards: list[dict[str, Any]], title: str, self_url: str, html_url: str, base: str) -> bytes:
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(root, f"{{{ATOM}}}title").text = title
    ET.SubElement(root, f"{{{ATOM}}}id").text = self_url
    ET.SubElement(root, f"{{{ATOM}}}updated").text = _rfc3339(max((c["updated_at"] for c in cards), default=None))
    ET.SubElement(root, f"{{{ATOM}}}link", rel="self", href=self_url, type="application/atom+xml")
    ET.SubElement(root, f"{{{ATOM}}}link", rel="alternate", href=html_url, type="text/html")
    ET.SubElement(ET.SubElement(root, f"{{{ATOM}}}author"), f"{{{ATOM}}}name").text = "veracity"
    for c in cards:
        entry = ET.SubElement(root, f"{{{ATOM}}}entry")
        page = f"{base}/articles/{c['id']}"
        ET.SubElement(entry, f"{{{ATOM}}}id").text = page
        ET.SubElement(entry, f"{{{ATOM}}}title").text = c["title"]
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _rfc3339(c["updated_at"])
        ET.SubElement(entry, f"{{{ATOM}}}published").text = _rfc3339(c["created_at"])
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=page, type="text/html")
        if c["url"]:
            ET.SubElement(entry, f"{{{ATOM}}}link", rel="related", href=c["url"])
        ET.SubElement(ET.SubElement(entry, f"{{{ATOM}}}author"), f"{{{ATOM}}}name").text = c["outlet"]
        ET.SubElement(entry, f"{{{ATOM}}}category", term=c["label"], label=c["label"])
        if c["section"]:
            ET.SubElement(entry, f"{{{ATOM}}}category", term=c["section"], scheme=f"{base}/sections")
        summary = "\n\n".join(c["opening"])
        ET.SubElement(entry, f"{{{ATOM}}}summary", type="text").text = f"{c['label']}: {summary}"
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body


@router.get("/feed.atom")
def atom_feed(request: Request) -> Response:
    """The feed page's articles (same filters, same page) as Atom."""
    from veracity.web.pages import cards  # pages imports this module for claim_review

    desk = desk_of(request)
    f = Filters.from_params(request.query_params, desk.web.page_size, desk.web.max_page_size)
    page = feed(desk.store, f, desk.web.search_cap)
    base = str(request.base_url).rstrip("/")
    active = f.active()
    title = "veracity" + (": " + ", ".join(f"{k}={v}" for k, v in active.items()) if active else "")
    query = f.query_string()
    body = atom(
        cards(desk, page.items),
        title,
        f"{base}/feed.atom" + ("?" + query if query else ""),
        f"{base}/" + ("?" + query if query else ""),
        base,
    )
    return Response(body, media_type="application/atom+xml; charset=utf-8")


def claim_review(card: dict[str, Any], verdict: dict[str, Any], page_url: str) -> dict[str, Any]:
    """schema.org ClaimReview of veracity's verdict on an article (the article's claim as a whole)."""
    ratings = {"Fake": 1, "Misleading": 2, "Unverified": 3, "Truth": 5}
    label = str(verdict.get("label", card["label"]))
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": page_url,
        "claimReviewed": card["title"],
        "author": {"@type": "Organization", "name": "veracity"},
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": ratings.get(label, 3),
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": label,
        },
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Organization", "name": card["outlet"]},
            "datePublished": card["created_at"],
            "appearance": {"@type": "NewsArticle", "headline": card["title"], "url": card["url"]},
        },
    }
    if verdict.get("decided_at"):
        review["datePublished"] = str(verdict["decided_at"])
    return review
