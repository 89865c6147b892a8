"""Where the web desk meets the parts built beside it: stories, analysis, fact-checks, verdicts.

Each page section is fed by one function here that returns ``None`` or an empty list while
its part is absent, and the page then leaves the section out. When a part lands, its
function body is the only thing to change: the shapes below (plain dicts, documented per
function) are what the templates and the JSON API show. ``review`` and ``audit_trail`` are
the review adapter: today a minimal implementation (the article's label, and the web desk's
own audit log); the verdict part's ``review(store, article_id, label, note, by)`` replaces it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, or_, select, update

from veracity.article import LABELS
from veracity.errors import ConfigError, NotFoundError
from veracity.store.schema import articles
from veracity.store.sql import SqlStore
from veracity.web.accounts import Accounts


def verdicts(store: SqlStore, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Verdicts of many articles at once (for the feed): ``{id: {"label", "confidence"}}``.

    Until the verdict part lands, the verdicts are those reviewers set (the latest review of
    each article); an article nobody reviewed shows its stored label.
    """
    return Accounts(store.engine).latest_reviews(ids)


def verdict(store: SqlStore, article_id: str) -> dict[str, Any] | None:
    """veracity's verdict on one article, or None.

    Shape: ``{"label", "confidence" (0..1), "explanation", "decided_at" (datetime),
    "evidence": [{"text", "source", "url", "stance"}]}``. Until the verdict part lands: the
    latest reviewer's verdict, its note as the explanation.
    """
    return verdicts(store, [article_id]).get(article_id)


def verdict_clause(label: str) -> ColumnElement[bool]:
    """The SQL condition "this article's verdict is ``label``" (today: its stored label)."""
    if label == "Unverified":
        return or_(articles.c.label.is_(None), articles.c.label == "Unverified")
    return articles.c.label == label


def entity_clause(entity: str) -> ColumnElement[bool] | None:
    """The SQL condition "this article mentions ``entity``", or None while no part finds entities."""
    return None


def entities(store: SqlStore, article_id: str) -> list[str]:
    """Named entities of an article (names to filter the feed by)."""
    return []


def quotes(store: SqlStore, article_id: str) -> list[dict[str, Any]]:
    """Quotes in an article: ``[{"speaker", "text"}]``."""
    return []


def claims(store: SqlStore, article_id: str) -> list[dict[str, Any]]:
    """Check-worthy claims with their matched fact-checks.

    Shape: ``[{"text", "factchecks": [{"rating", "publisher", "url", "title", "summary_html"}]}]``;
    ``summary_html`` may hold markup from the fact-checker and is shown through nh3.
    """
    return []


def story_of(store: SqlStore, article_id: str) -> dict[str, Any] | None:
    """The story an article belongs to: ``{"id", "title", "size"}``, or None."""
    return None


def story(store: SqlStore, story_id: str) -> dict[str, Any] | None:
    """A story with its coverage, or None (also while the stories part is absent).

    Shape: ``{"id", "title", "articles": [{"id", "title", "outlet", "created_at", "url",
    "copy_of"}] (first published first), "coverage": [{"group", "count"}], "blindspot"}``.
    """
    return None


def outlet_ratings(store: SqlStore, domain: str) -> list[dict[str, Any]]:
    """An outlet's ratings, one per imported rating set: ``[{"rating_set", "reliability", "leaning"}]``."""
    return []


def track_record(store: SqlStore, domain: str) -> dict[str, int]:
    """How many of the outlet's articles got each verdict: ``{"Truth": 12, "Fake": 1, …}``."""
    return {}


def review_queue(store: SqlStore, limit: int) -> list[str]:
    """Article ids waiting for a reviewer, most urgent first.

    Today: the newest articles nobody labelled. With the verdict part: low-confidence and
    disputed verdicts.
    """
    query = (
        select(articles.c.id)
        .where(verdict_clause("Unverified"))
        .order_by(articles.c.updated_at.desc(), articles.c.id)
        .limit(limit)
    )
    with store.engine.connect() as conn:
        return [str(r.id) for r in conn.execute(query)]


def review(store: SqlStore, article_id: str, label: str, note: str, by: str) -> None:
    """A reviewer sets an article's verdict, with a note; the change is audited.

    Minimal implementation until the verdict part's ``review`` (same signature) replaces it:
    the article's stored label changes, and the web desk's audit log records who, when,
    from what to what, and why.
    """
    if label not in LABELS:
        raise ConfigError(f"a verdict is one of {', '.join(LABELS)}", label)
    with store.engine.begin() as conn:
        aid = store.resolve(conn, article_id)
        before = conn.execute(select(articles.c.label).where(articles.c.id == aid)).scalar()
        conn.execute(update(articles).where(articles.c.id == aid).values(label=label))
    Accounts(store.engine).record(by, "review", aid, {"from": before or "Unverified", "to": label, "note": note})


def audit_trail(store: SqlStore, article_id: str) -> list[dict[str, Any]]:
    """Every review of an article, newest first: ``[{"at", "actor", "action", "from", "to", "note"}]``."""
    with store.engine.connect() as conn:
        try:
            aid = store.resolve(conn, article_id)
        except NotFoundError:
            return []
    return Accounts(store.engine).trail(aid)
