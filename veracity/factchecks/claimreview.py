"""schema.org ClaimReview: find the records in JSON / JSON-LD and turn each into a ``FactCheck``.

A record is a JSON object whose ``@type`` is (or includes) ``ClaimReview``. They are found
anywhere in a document: top level, in a list, in ``@graph``, nested under another node
(``mainEntity``, ``review``). Pages carry them in ``<script type="application/ld+json">``.
Also accepted: the flat shape of Google's Fact Check Tools API (``text``, ``claimant``,
``claimReview: [{publisher, url, title, reviewDate, textualRating}]``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from lxml import html as lxml_html

from veracity.errors import InputError
from veracity.extract.dates import parse_datetime
from veracity.factchecks.rating import Rating, normalise


@dataclass(frozen=True, slots=True)
class FactCheck:
    """One fact-check: the claim reviewed, who reviewed it, when, and the rating (normalised and original)."""

    id: str
    claim: str
    review_url: str | None
    publisher: str | None
    publisher_site: str | None
    title: str | None
    claimant: str | None
    claim_date: datetime | None
    review_date: datetime | None
    rating: Rating
    language: str | None
    source: str
    raw: str  # the record as JSON, for provenance

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.raw.encode("utf-8")).hexdigest()


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("@type", ())
    kinds = [kind] if isinstance(kind, str) else kind if isinstance(kind, list) else []
    return {str(k).rsplit("/", 1)[-1].lower() for k in kinds}


def find_records(data: Any) -> Iterator[dict[str, Any]]:
    """Every ClaimReview object in a parsed JSON / JSON-LD document, depth first."""
    if isinstance(data, list):
        for item in data:
            yield from find_records(item)
    elif isinstance(data, dict):
        if "claimreview" in _types(data) or _is_api_claim(data):
            yield data
            return
        for value in data.values():
            if isinstance(value, (dict, list)):
                yield from find_records(value)


def _is_api_claim(node: dict[str, Any]) -> bool:
    return isinstance(node.get("text"), str) and isinstance(node.get("claimReview"), list)


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if v), None)
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or value.get("text")
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _node(value: Any) -> dict[str, Any]:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, dict)), {})
    return value if isinstance(value, dict) else {}


def fact_check_id(review_url: str | None, claim: str, publisher: str | None) -> str:
    """Stable identity: the review URL and the claim (a page may review several claims)."""
    basis = f"{review_url or publisher or ''}\n{' '.join(claim.lower().split())}"
    return hashlib.sha1(basis.encode("utf-8")).hexdigest()[:16]


def parse_record(record: dict[str, Any], source: str, page_url: str | None = None) -> list[FactCheck]:
    """The fact-check(s) one record states; ``InputError`` naming ``source`` when it has no claim."""
    if _is_api_claim(record):
        return _parse_api(record, source)
    item = _node(record.get("itemReviewed"))
    claim = _text(record.get("claimReviewed")) or _text(item.get("text")) or _text(item.get("name"))
    if not claim:
        raise InputError("ClaimReview without claimReviewed", source)
    rating_node = _node(record.get("reviewRating"))
    rating = normalise(
        _text(rating_node.get("alternateName")) or _text(rating_node.get("name")),
        rating_node.get("ratingValue"),
        rating_node.get("bestRating"),
        rating_node.get("worstRating"),
    )
    author = _node(record.get("author")) or _node(record.get("publisher"))
    url = _text(record.get("url")) or page_url
    site = _text(author.get("url")) or (urlsplit(url).netloc if url else None)
    appearance = _node(item.get("appearance")) or _node(item.get("firstAppearance"))
    fc = FactCheck(
        id=fact_check_id(url, claim, _text(author.get("name"))),
        claim=claim,
        review_url=url,
        publisher=_text(author.get("name")) or site,
        publisher_site=site,
        title=_text(record.get("headline")) or _text(record.get("name")),
        claimant=_text(item.get("author")),
        claim_date=parse_datetime(_text(item.get("datePublished")) or _text(appearance.get("datePublished"))),
        review_date=parse_datetime(_text(record.get("datePublished")) or _text(record.get("dateModified"))),
        rating=rating,
        language=_text(record.get("inLanguage")),
        source=source,
        raw=json.dumps(record, sort_keys=True, ensure_ascii=False, default=str),
    )
    return [fc]


def _parse_api(record: dict[str, Any], source: str) -> list[FactCheck]:
    claim = _text(record.get("text"))
    if not claim:
        raise InputError("claim without text", source)
    out = []
    for review in record.get("claimReview") or []:
        if not isinstance(review, dict):
            continue
        url = _text(review.get("url"))
        publisher = _node(review.get("publisher"))
        site = _text(publisher.get("site")) or (urlsplit(url).netloc if url else None)
        out.append(
            FactCheck(
                id=fact_check_id(url, claim, _text(publisher.get("name"))),
                claim=claim,
                review_url=url,
                publisher=_text(publisher.get("name")) or site,
                publisher_site=site,
                title=_text(review.get("title")),
                claimant=_text(record.get("claimant")),
                claim_date=parse_datetime(_text(record.get("claimDate"))),
                review_date=parse_datetime(_text(review.get("reviewDate"))),
                rating=normalise(_text(review.get("textualRating"))),
                language=_text(review.get("languageCode")),
                source=source,
                raw=json.dumps({**record, "claimReview": [review]}, sort_keys=True, ensure_ascii=False, default=str),
            )
        )
    if not out:
        raise InputError("claim without any claimReview", source)
    return out


_LD_TYPE = re.compile(r"application/ld\+json", re.I)


def json_ld_blocks(page: bytes | str, source: str) -> Iterator[Any]:
    """The parsed JSON-LD blocks of an HTML page; a block that is not JSON is yielded as an ``InputError``."""
    try:
        tree = lxml_html.fromstring(page)
    except (ValueError, lxml_html.etree.ParserError) as exc:
        raise InputError(f"not an HTML page: {exc}", source) from exc
    for script in tree.iter("script"):
        if not _LD_TYPE.search(script.get("type") or ""):
            continue
        text = (script.text or "").strip()
        if not text:
            continue
        try:
            yield json.loads(text, strict=False)
        except json.JSONDecodeError as exc:
            yield InputError(f"broken JSON-LD block: {exc.msg} at line {exc.lineno}", source)
