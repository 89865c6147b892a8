"""How stored articles are shown: JSON objects, CSV rows, cards, version diffs.

Shared by the command line and (later) the web app and exports, so every surface shows
the same fields.
"""

from __future__ import annotations

import difflib
from datetime import datetime
from typing import TYPE_CHECKING, Any

from veracity.cards.format import format_card
from veracity.store.base import StoredArticle, VersionRecord

if TYPE_CHECKING:
    from veracity.settings import Settings
    from veracity.store.sql import SqlStore

CSV_FIELDS = (
    "id", "url", "canonical_url", "title", "outlet", "outlet_domain", "section", "authors", "language",
    "created_at", "updated_at", "label", "versions", "body", "captions",
)  # fmt: skip


def iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def label_of(stored: StoredArticle) -> str:
    """The label to show: the stored one (imported or judged), else ``Unverified``."""
    return stored.article.label or "Unverified"


def article_json(stored: StoredArticle) -> dict[str, Any]:
    """The ``show --json`` object; one line of the JSON Lines export."""
    a = stored.article
    return {
        "id": stored.id,
        "url": a.url,
        "canonical_url": a.canonical_url,
        "title": a.title,
        "outlet": {"name": a.outlet.name, "domain": a.outlet.domain},
        "section": a.section,
        "authors": list(a.authors),
        "language": a.language,
        "created_at": iso(stored.created_at),
        "updated_at": iso(stored.updated_at),
        "label": label_of(stored),
        "body": a.body,
        "captions": a.captions,
        "versions": stored.versions,
    }


def csv_row(stored: StoredArticle) -> dict[str, Any]:
    data = article_json(stored)
    outlet = data.pop("outlet")
    return {
        **data,
        "outlet": outlet["name"],
        "outlet_domain": outlet["domain"],
        "authors": "; ".join(data["authors"]),
        "captions": "\n".join(data["captions"]),
    }


def card(stored: StoredArticle, now: datetime, label: str | None = None) -> str:
    """The card; ``label`` is the verdict that counts (veracity.verdict.views.effective_label)."""
    a = stored.article
    return format_card(
        title=a.title,
        outlet=a.outlet.name,
        section=a.section,
        created=stored.created_at,
        updated=stored.updated_at,
        label=label or label_of(stored),
        blocks=a.blocks,
        now=now,
    )


def version_text(record: VersionRecord) -> list[str]:
    a = record.article
    return [a.title, ""] + [f"[caption] {b.text}" if b.kind == "caption" else b.text for b in a.blocks]


def version_diffs(records: list[VersionRecord]) -> list[dict[str, Any]]:
    """Each version with its time and a unified diff from the version before it."""
    out = []
    previous: list[str] = []
    for record in records:
        text = version_text(record)
        diff = difflib.unified_diff(
            previous, text, f"version {record.number - 1}", f"version {record.number}", lineterm="", n=1
        )
        out.append(
            {
                "number": record.number,
                "seen_at": iso(record.seen_at),
                "published": iso(record.article.published),
                "modified": iso(record.article.modified),
                "title": record.article.title,
                "diff": "\n".join(diff) if previous else "",
            }
        )
        previous = text
    return out


def article_details(store: SqlStore, settings: Settings, article_id: str) -> dict[str, Any]:
    """What the later stages know of a stored article, keyed as ``show --json`` prints it.

    ``story``: ``{id, size, independent_outlets, first_seen}`` or None before assignment;
    ``entities``, ``quotes``, ``claims``, ``loaded_terms``: the analysis (docs/analysis.md), None
    until the article is analysed; ``factcheck_matches``: prior fact-checks matching its claims.
    """
    from veracity.analysis.pipeline import analysis_json
    from veracity.factchecks.match import matches_json
    from veracity.stories.corroboration import corroboration

    found = corroboration(store, article_id, settings)
    return {
        "story": found.as_json() if found else None,
        **analysis_json(store, article_id),
        "factcheck_matches": matches_json(store, article_id),
    }
