"""Reading stories back: the list of stories and one story in detail (``veracity stories`` / ``story``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from veracity.errors import AmbiguousIdError, NotFoundError
from veracity.store.schema import articles
from veracity.store.sql import SqlStore
from veracity.stories.corroboration import owner_of, report_groups, story_reports
from veracity.stories.persist import article_copies, story_events, story_members, story_rows


@dataclass(frozen=True, slots=True)
class StorySummary:
    id: str
    title: str
    size: int
    outlets: list[str]
    first: datetime
    last: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "size": self.size,
            "outlets": self.outlets,
            "first_report": self.first.isoformat(),
            "last_report": self.last.isoformat(),
        }


def list_stories(
    store: SqlStore, *, since: datetime | None = None, min_size: int = 1, limit: int | None = None
) -> list[StorySummary]:
    """Stories, most recently reported first; ``since`` keeps those with a report at or after it."""
    last = func.max(articles.c.created_at)
    query = (
        select(
            story_members.c.story_id,
            func.count().label("size"),
            func.min(articles.c.created_at).label("first"),
            last.label("last"),
        )
        .join(articles, articles.c.id == story_members.c.article_id)
        .group_by(story_members.c.story_id)
        .having(func.count() >= min_size)
        .order_by(last.desc(), story_members.c.story_id)
    )
    if since is not None:
        query = query.having(last >= since)
    if limit:
        query = query.limit(limit)
    with store.engine.connect() as conn:
        groups = conn.execute(query).all()
        out = []
        for g in groups:
            rows = story_rows(conn, g.story_id)
            outlets = list(dict.fromkeys(r.outlet_name for r in rows))
            out.append(StorySummary(g.story_id, rows[0].title, g.size, outlets, g.first, g.last))
    return out


def resolve_story(conn: Connection, id_or_prefix: str) -> str:
    """A story id from a prefix; a merged-away story's id leads to the story it went into."""
    prefix = id_or_prefix.strip().lower()
    if not prefix:
        raise NotFoundError("no story id given", id_or_prefix)
    found = conn.execute(
        select(story_members.c.story_id)
        .where(story_members.c.story_id.startswith(prefix, autoescape=True))
        .distinct()
        .limit(2)
    ).all()
    if len(found) > 1:
        raise AmbiguousIdError("more than one story starts with this id; give more characters", id_or_prefix)
    if found:
        return str(found[0].story_id)
    merged = conn.execute(
        select(story_events.c.other_id)
        .where(story_events.c.kind == "merge", story_events.c.story_id.startswith(prefix, autoescape=True))
        .order_by(story_events.c.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if merged is not None and merged != id_or_prefix:
        return resolve_story(conn, merged)
    member = conn.execute(
        select(story_members.c.story_id).where(story_members.c.article_id.startswith(prefix, autoescape=True)).limit(2)
    ).all()
    if len(member) == 1:  # an article id: its story
        return str(member[0].story_id)
    raise NotFoundError("no story with this id", id_or_prefix)


def story_detail(store: SqlStore, id_or_prefix: str) -> dict[str, Any]:
    """One story: its articles in time order (with what each copies), who reported independently, its history."""
    with store.engine.connect() as conn:
        story_id = resolve_story(conn, id_or_prefix)
        rows = story_rows(conn, story_id)
        reports, copies = story_reports(conn, story_id)
        copy_rows = conn.execute(
            select(article_copies).where(article_copies.c.article_id.in_([r.id for r in rows]))
        ).all()
        events = conn.execute(
            select(story_events)
            .where((story_events.c.story_id == story_id) | (story_events.c.other_id == story_id))
            .order_by(story_events.c.id)
        ).all()
    copies_of: dict[str, list[dict[str, Any]]] = {}
    for c in copy_rows:
        copies_of.setdefault(c.article_id, []).append(
            {"id": c.other_id, "kind": c.kind, "jaccard": round(c.jaccard, 3)}
        )
    group = report_groups(reports, copies)
    first_by_owner: dict[str, str] = {}
    for rep in reports:
        if group[rep.id] == rep.id:
            first_by_owner.setdefault(owner_of(rep.outlet), rep.outlet)
    return {
        "id": story_id,
        "size": len(rows),
        "first_report": rows[0].created_at.isoformat(),
        "last_report": max(r.created_at for r in rows).isoformat(),
        "first_outlet": rows[0].outlet_name,
        "independent_outlets": list(first_by_owner.values()),
        "articles": [
            {
                "id": r.id,
                "title": r.title,
                "outlet": r.outlet_name,
                "domain": r.outlet_domain,
                "url": r.url,
                "first_seen": r.created_at.isoformat(),
                "copies": copies_of.get(r.id, []),
                "report": group[r.id],
            }
            for r in rows
        ],
        "history": [
            {
                "kind": e.kind,
                "story": e.story_id,
                "other": e.other_id,
                "articles": json.loads(e.articles),
                "at_article": e.at_article,
                "at": e.at.isoformat(),
            }
            for e in events
        ],
    }
