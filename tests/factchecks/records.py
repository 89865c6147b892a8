"""Small ClaimReview records written for the tests (not taken from any data set)."""

from __future__ import annotations

import json
from typing import Any


def claim_review(
    claim: str,
    rating: str | None = "False",
    *,
    url: str = "https://checks.example/fc/1",
    publisher: str = "Example Checks",
    date: str = "2024-03-01",
    value: Any = None,
    best: Any = None,
    worst: Any = None,
    title: str | None = None,
) -> dict[str, Any]:
    review: dict[str, Any] = {"@type": "Rating"}
    if rating is not None:
        review["alternateName"] = rating
    if value is not None:
        review["ratingValue"] = value
    if best is not None:
        review["bestRating"] = best
    if worst is not None:
        review["worstRating"] = worst
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "claimReviewed": claim,
        "headline": title or f"Fact check: {claim}",
        "datePublished": date,
        "author": {"@type": "Organization", "name": publisher, "url": "https://checks.example"},
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Person", "name": "A. Speaker"},
            "datePublished": "2024-02-20",
        },
        "reviewRating": review,
    }


RECORDS = [
    claim_review("The moon landing was filmed in a studio in Nevada.", "Pants on Fire!", url="https://checks.example/a"),
    claim_review("Drinking hot water cures the common cold within a day.", "Mostly False", url="https://checks.example/b"),
    claim_review("The city council cut the library budget by half last year.", "Half True", url="https://checks.example/c"),
    claim_review("Unemployment fell to its lowest level in fifty years in 2019.", None, value=5, best=5, worst=1,
                 url="https://checks.example/d"),
    claim_review("A photo shows a shark swimming on a flooded highway in Houston.", "Miscaptioned",
                 url="https://checks.example/e", publisher="Snoops"),
]  # fmt: skip


def page(*records: dict[str, Any], graph: bool = False, extra: str = "") -> bytes:
    """A fact-check HTML page carrying ``records`` as JSON-LD (in an ``@graph`` when asked)."""
    data: Any = {"@context": "https://schema.org", "@graph": list(records)} if graph else list(records)
    return (
        "<!doctype html><html><head><title>Fact check</title>"
        '<script type="application/ld+json">{"@type": "WebSite", "name": "Example"}</script>'
        f'<script type="application/ld+json">{json.dumps(data)}</script>{extra}'
        "</head><body><article><h1>Fact check</h1><p>Our verdict.</p></article></body></html>"
    ).encode()


def jsonl(*records: dict[str, Any]) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in records)
