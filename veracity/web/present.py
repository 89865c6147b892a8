"""How an article is presented on a page and in the API: the card's fields, the same on both."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from veracity.article import LABELS
from veracity.cards.format import TIME_FORMAT, relative_time
from veracity.store.base import StoredArticle
from veracity.views import iso, label_of
from veracity.web.security import safe_url

OPENING_CHARS = 400


def badge_class(label: str | None) -> str:
    """A CSS class per verdict; anything else is shown as unverified."""
    return "badge-" + (label.lower() if label in LABELS else "unverified")


def opening(stored: StoredArticle, chars: int = OPENING_CHARS) -> list[str]:
    """The first paragraphs of the body, up to about ``chars`` characters (the last one cut at a word)."""
    out: list[str] = []
    used = 0
    for text in stored.article.paragraphs:
        if used + len(text) <= chars or not out:
            if len(text) > chars:
                text = text[:chars].rsplit(" ", 1)[0] + " …"
            out.append(text)
            used += len(text)
        if used >= chars:
            break
    return out


def outlet_key(stored: StoredArticle) -> str:
    """What names the outlet in ``/outlets/KEY``: its domain when known, else its name."""
    return stored.article.outlet.domain or stored.article.outlet.name


def card(stored: StoredArticle, verdict: dict[str, Any] | None, now: datetime) -> dict[str, Any]:
    """A news card's fields: the seed card's title, byline parts, badge, opening, source link."""
    a = stored.article
    label = verdict["label"] if verdict else label_of(stored)
    confidence = verdict.get("confidence") if verdict else None
    return {
        "id": stored.id,
        "title": a.title,
        "outlet": a.outlet.name,
        "outlet_domain": a.outlet.domain,
        "outlet_key": outlet_key(stored),
        "section": a.section,
        "language": a.language,
        "created": stored.created_at.strftime(TIME_FORMAT),
        "updated": stored.updated_at.strftime(TIME_FORMAT),
        "created_at": iso(stored.created_at),
        "updated_at": iso(stored.updated_at),
        "ago": relative_time(stored.updated_at, now),
        "label": label,
        "confidence": confidence,
        "badge": badge_class(label),
        "opening": opening(stored),
        "url": safe_url(a.canonical_url or a.url),
        "versions": stored.versions,
    }


def summary_json(c: dict[str, Any]) -> dict[str, Any]:
    """A card as the API gives it."""
    return {
        "id": c["id"],
        "title": c["title"],
        "outlet": {"name": c["outlet"], "domain": c["outlet_domain"]},
        "section": c["section"],
        "language": c["language"],
        "created_at": c["created_at"],
        "updated_at": c["updated_at"],
        "label": c["label"],
        "confidence": c["confidence"],
        "opening": "\n\n".join(c["opening"]),
        "url": c["url"],
        "versions": c["versions"],
    }
