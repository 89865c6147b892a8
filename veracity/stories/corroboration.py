"""Corroboration: which independent outlets report an article's story, for the verdict to weigh.

An outlet corroborates an article when it reports the same story within
``corroboration_window_days`` of it and its report is its own:

* **copies are one report**: articles linked by exact or near copies (syndication,
  reprints, rewrites of one wire report; ``article_copies``) form one *report*; the
  report counts once, for the outlet that published it first. The article's own report
  (the wire story it reprints, the papers that reprint it) is not corroboration of it;
* **one owner is one voice**: outlets under one owner (``data/owners.json``; a domain
  matches its subdomains) count once, and never for an article of the same owner;
* an outlet with no domain (a card says only ``By ABC News``) is known by its name.

The result lists one outlet (domain or name) per independent owner group, earliest report first.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any

from sqlalchemy import Connection, select

from veracity.settings import Settings
from veracity.store.sql import SqlStore
from veracity.stories.persist import article_copies, story_members, story_rows


@dataclass(frozen=True, slots=True)
class Report:
    """One article of a story, as corroboration sees it."""

    id: str
    outlet: str  # domain, else lower-cased name
    when: datetime


@dataclass(frozen=True, slots=True)
class Corroboration:
    """What the verdict needs to know about an article's story."""

    story_id: str
    size: int
    independent_outlets: list[str]
    first_seen: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.story_id,
            "size": self.size,
            "independent_outlets": self.independent_outlets,
            "first_seen": self.first_seen.isoformat(),
        }


@cache
def _owners() -> dict[str, str]:
    raw = json.loads(resources.files("veracity.stories").joinpath("data/owners.json").read_text("utf-8"))
    return {domain: owner for owner, domains in raw.items() if not owner.startswith("_") for domain in domains}


def owner_of(outlet: str) -> str:
    """The owner group of an outlet: its owner's name when known, else the outlet itself."""
    owners = _owners()
    host = outlet.lower().removeprefix("www.")
    parts = host.split(".")
    for i in range(len(parts) - 1):  # news.sky.com, then sky.com
        owner = owners.get(".".join(parts[i:]))
        if owner:
            return owner
    return host


def outlet_key(domain: str | None, name: str) -> str:
    return (domain or name).lower().removeprefix("www.")


def report_groups(reports: Sequence[Report], copies: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Each article's report: the earliest article of its copy component (union-find over copy links)."""
    parent = {r.id: r.id for r in reports}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    order = {r.id: (r.when, i) for i, r in enumerate(reports)}
    for a, b in copies:
        if a in parent and b in parent:
            ra, rb = find(a), find(b)
            if ra != rb:
                first, second = sorted((ra, rb), key=order.__getitem__)
                parent[second] = first
    return {r.id: find(r.id) for r in reports}


def independent_outlets(
    article_id: str, reports: Sequence[Report], copies: Iterable[tuple[str, str]], window: timedelta
) -> list[str]:
    """Outlets (one per owner group) whose own report of the story lies within ``window`` of the article."""
    by_id = {r.id: r for r in reports}
    me = by_id[article_id]
    group = report_groups(reports, copies)
    excluded = {owner_of(me.outlet)} | {owner_of(r.outlet) for r in reports if group[r.id] == group[article_id]}
    seen: set[str] = set()
    out = []
    for r in sorted(reports, key=lambda r: r.when):
        if group[r.id] != r.id or abs(r.when - me.when) > window:
            continue  # a copy of an earlier report, or too far away in time
        owner = owner_of(r.outlet)
        if owner in excluded or owner in seen:
            continue
        seen.add(owner)
        out.append(r.outlet)
    return out


def _story_copies(conn: Connection, ids: list[str]) -> list[tuple[str, str]]:
    if not ids:
        return []
    rows = conn.execute(
        select(article_copies.c.article_id, article_copies.c.other_id).where(article_copies.c.article_id.in_(ids))
    )
    return [(r.article_id, r.other_id) for r in rows]


def story_reports(conn: Connection, story_id: str) -> tuple[list[Report], list[tuple[str, str]]]:
    """A story's reports in time order and the copy links among them."""
    rows = story_rows(conn, story_id)
    reports = [Report(r.id, outlet_key(r.outlet_domain, r.outlet_name), r.created_at) for r in rows]
    return reports, _story_copies(conn, [r.id for r in reports])


def corroboration(store: SqlStore, article_id: str, settings: Settings | None = None) -> Corroboration | None:
    """The corroboration of one stored article (by full id); None when it has no story yet."""
    settings = settings or Settings()
    with store.engine.connect() as conn:
        story_id = conn.execute(
            select(story_members.c.story_id).where(story_members.c.article_id == article_id)
        ).scalar_one_or_none()
        if story_id is None:
            return None
        reports, copies = story_reports(conn, story_id)
    window = timedelta(days=settings.stories.corroboration_window_days)
    return Corroboration(
        story_id=story_id,
        size=len(reports),
        independent_outlets=independent_outlets(article_id, reports, copies, window),
        first_seen=min(r.when for r in reports),
    )
