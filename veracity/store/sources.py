"""Outlets, their feeds, per-feed crawl state and the crawl frontier (SQLAlchemy Core).

Migration ``0002`` creates these tables. ``SourceStore`` is the only code that reads or
writes them; it works on the engine of an open ``SqlStore`` (SQLite and PostgreSQL alike).
Every method is one short transaction, so a killed crawler leaves consistent rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)

from veracity.errors import NotFoundError

metadata = MetaData()

KINDS = ("news", "fact-checker", "satire", "unknown")
FEED_KINDS = ("rss", "atom", "sitemap", "google-news")

outlets = Table(
    "outlets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("domain", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("country", String(8)),
    Column("language", String(16)),
    Column("kind", String(16), nullable=False),
    Column("added_at", DateTime, nullable=False),
)

feeds = Table(
    "feeds",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("outlet_id", Integer, ForeignKey("outlets.id", ondelete="CASCADE"), nullable=False),
    Column("url", Text, nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("disabled_reason", Text),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("last_poll", DateTime),
    Column("last_success", DateTime),
    Column("last_error", Text),
    Column("failures", Integer, nullable=False),
    Column("next_poll", DateTime, nullable=False),
    Column("poll_interval", Float, nullable=False),
    Column("new_articles", Integer, nullable=False),
    Column("last_new", Integer, nullable=False),
)

crawl_urls = Table(
    "crawl_urls",
    metadata,
    Column("key", Text, primary_key=True),  # the normalised URL
    Column("url", Text, nullable=False),
    Column("feed_id", Integer, ForeignKey("feeds.id", ondelete="SET NULL")),
    Column("first_seen", DateTime, nullable=False),
    Column("last_fetch", DateTime),
    Column("fetches", Integer, nullable=False),
    Column("next_fetch", DateTime),  # NULL: done (re-fetch schedule exhausted)
    Column("article_id", String(12)),
    Column("last_error", Text),
)


@dataclass(frozen=True, slots=True)
class FeedInfo:
    """A feed of an outlet as given by a user, a list or discovery."""

    url: str
    kind: str = "rss"


@dataclass(frozen=True, slots=True)
class OutletInfo:
    """An outlet to add: its identity, what it is, and its feeds."""

    name: str
    domain: str
    country: str | None = None
    language: str | None = None
    kind: str = "unknown"
    feeds: tuple[FeedInfo, ...] = ()


@dataclass(frozen=True, slots=True)
class FeedState:
    """A stored feed with its crawl state."""

    id: int
    outlet_id: int
    outlet: str
    domain: str
    url: str
    kind: str
    enabled: bool
    disabled_reason: str | None
    etag: str | None
    last_modified: str | None
    last_poll: datetime | None
    last_success: datetime | None
    last_error: str | None
    failures: int
    next_poll: datetime
    poll_interval: float
    new_articles: int
    last_new: int


@dataclass(frozen=True, slots=True)
class StoredOutlet:
    id: int
    name: str
    domain: str
    country: str | None
    language: str | None
    kind: str
    feeds: tuple[FeedState, ...] = field(default_factory=tuple)

    @property
    def enabled(self) -> bool:
        return any(f.enabled for f in self.feeds)


@dataclass(frozen=True, slots=True)
class UrlFetched:
    """The outcome of fetching a frontier URL, to record: when, when next, the article or the error."""

    key: str
    at: datetime
    next_fetch: datetime | None
    article_id: str | None
    error: str | None


@dataclass(frozen=True, slots=True)
class DueUrl:
    key: str
    url: str
    feed_id: int | None
    fetches: int
    first_seen: datetime


def _feed_state(row: Any) -> FeedState:
    return FeedState(
        id=row.id,
        outlet_id=row.outlet_id,
        outlet=row.outlet_name,
        domain=row.domain,
        url=row.url,
        kind=row.kind,
        enabled=bool(row.enabled),
        disabled_reason=row.disabled_reason,
        etag=row.etag,
        last_modified=row.last_modified,
        last_poll=row.last_poll,
        last_success=row.last_success,
        last_error=row.last_error,
        failures=row.failures,
        next_poll=row.next_poll,
        poll_interval=row.poll_interval,
        new_articles=row.new_articles,
        last_new=row.last_new,
    )


_FEED_SELECT = select(feeds, outlets.c.name.label("outlet_name"), outlets.c.domain.label("domain")).join(
    outlets, feeds.c.outlet_id == outlets.c.id
)


class SourceStore:
    """Outlets, feeds and the crawl frontier on an engine (that of ``SqlStore.engine``)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- outlets and feeds ---------------------------------------------------------------
    def add_outlet(self, info: OutletInfo, now: datetime, poll_interval: float) -> tuple[int, int]:
        """Add (or complete) an outlet and its feeds; returns (outlet id, feeds added).

        An outlet already stored (same domain) keeps its fields, except those it lacks; a
        feed already stored (same URL) is left as it is.
        """
        added = 0
        with self.engine.begin() as conn:
            row = conn.execute(select(outlets).where(outlets.c.domain == info.domain)).first()
            if row is None:
                oid = conn.execute(
                    insert(outlets).values(
                        domain=info.domain,
                        name=info.name,
                        country=info.country,
                        language=info.language,
                        kind=info.kind if info.kind in KINDS else "unknown",
                        added_at=now,
                    )
                ).inserted_primary_key
                assert oid is not None
                oid = oid[0]
            else:
                oid = row.id
                fill = {
                    k: getattr(info, k)
                    for k in ("country", "language")
                    if getattr(row, k) is None and getattr(info, k) is not None
                }
                if row.kind == "unknown" and info.kind != "unknown":
                    fill["kind"] = info.kind
                if fill:
                    conn.execute(update(outlets).where(outlets.c.id == oid).values(**fill))
            known = {
                r.url for r in conn.execute(select(feeds.c.url).where(feeds.c.url.in_([f.url for f in info.feeds])))
            }
            for f in info.feeds:
                if f.url in known:
                    continue
                known.add(f.url)
                conn.execute(
                    insert(feeds).values(
                        outlet_id=oid,
                        url=f.url,
                        kind=f.kind if f.kind in FEED_KINDS else "rss",
                        enabled=True,
                        failures=0,
                        next_poll=now,
                        poll_interval=poll_interval,
                        new_articles=0,
                        last_new=0,
                    )
                )
                added += 1
        return int(oid), added

    def outlets(self) -> list[StoredOutlet]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(outlets).order_by(outlets.c.name, outlets.c.domain)).all()
            by_outlet: dict[int, list[FeedState]] = {}
            for f in conn.execute(_FEED_SELECT.order_by(feeds.c.id)):
                by_outlet.setdefault(f.outlet_id, []).append(_feed_state(f))
        return [
            StoredOutlet(r.id, r.name, r.domain, r.country, r.language, r.kind, tuple(by_outlet.get(r.id, ())))
            for r in rows
        ]

    def feeds(self) -> list[FeedState]:
        with self.engine.connect() as conn:
            return [_feed_state(r) for r in conn.execute(_FEED_SELECT.order_by(outlets.c.name, feeds.c.id))]

    def _match(self, conn: Any, what: str) -> tuple[list[int], list[int]]:
        """(outlet ids, feed ids) that ``what`` names: an outlet domain or name, or a feed URL."""
        wanted = what.strip()
        domain = wanted.lower().removeprefix("www.")
        oids = [
            r.id
            for r in conn.execute(
                select(outlets.c.id).where(
                    or_(outlets.c.domain == domain, func.lower(outlets.c.name) == wanted.lower())
                )
            )
        ]
        if oids:
            fids = [r.id for r in conn.execute(select(feeds.c.id).where(feeds.c.outlet_id.in_(oids)))]
            return oids, fids
        fids = [r.id for r in conn.execute(select(feeds.c.id).where(feeds.c.url == wanted))]
        if not fids:
            raise NotFoundError("no source with this domain, name or feed URL", what)
        return [], fids

    def remove(self, what: str) -> int:
        """Remove an outlet (with its feeds) or one feed; returns the feeds removed."""
        with self.engine.begin() as conn:
            oids, fids = self._match(conn, what)
            conn.execute(update(crawl_urls).where(crawl_urls.c.feed_id.in_(fids)).values(feed_id=None))
            conn.execute(delete(feeds).where(feeds.c.id.in_(fids)))
            if oids:
                conn.execute(delete(outlets).where(outlets.c.id.in_(oids)))
            return len(fids)

    def enable(self, what: str, now: datetime) -> int:
        """Enable an outlet's feeds (or one feed): failures cleared, due now. Returns the feeds enabled."""
        with self.engine.begin() as conn:
            _, fids = self._match(conn, what)
            conn.execute(
                update(feeds)
                .where(feeds.c.id.in_(fids))
                .values(enabled=True, disabled_reason=None, failures=0, next_poll=now)
            )
            return len(fids)

    def disable(self, what: str, reason: str) -> int:
        with self.engine.begin() as conn:
            _, fids = self._match(conn, what)
            conn.execute(update(feeds).where(feeds.c.id.in_(fids)).values(enabled=False, disabled_reason=reason))
            return len(fids)

    # -- polling state -------------------------------------------------------------------
    def due_feeds(self, now: datetime) -> list[FeedState]:
        with self.engine.connect() as conn:
            query = _FEED_SELECT.where(feeds.c.enabled.is_(True), feeds.c.next_poll <= now)
            return [_feed_state(r) for r in conn.execute(query.order_by(feeds.c.next_poll, feeds.c.id))]

    def next_poll_at(self) -> datetime | None:
        with self.engine.connect() as conn:
            when = conn.execute(select(func.min(feeds.c.next_poll)).where(feeds.c.enabled.is_(True))).scalar()
            nxt = conn.execute(select(func.min(crawl_urls.c.next_fetch))).scalar()
        found = [w for w in (when, nxt) if w is not None]
        return min(found) if found else None

    def poll_succeeded(
        self,
        feed_id: int,
        now: datetime,
        *,
        etag: str | None,
        last_modified: str | None,
        new: int,
        next_poll: datetime,
        interval: float,
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(feeds)
                .where(feeds.c.id == feed_id)
                .values(
                    etag=etag,
                    last_modified=last_modified,
                    last_poll=now,
                    last_success=now,
                    last_error=None,
                    failures=0,
                    next_poll=next_poll,
                    poll_interval=interval,
                    new_articles=feeds.c.new_articles + new,
                    last_new=new,
                )
            )

    def poll_failed(self, feed_id: int, now: datetime, error: str, next_poll: datetime, max_failures: int) -> bool:
        """Record a failed poll; True when the feed was disabled by it."""
        with self.engine.begin() as conn:
            failures = int(conn.execute(select(feeds.c.failures).where(feeds.c.id == feed_id)).scalar_one()) + 1
            values: dict[str, Any] = {
                "last_poll": now,
                "last_error": error,
                "failures": failures,
                "next_poll": next_poll,
            }
            disabled: bool = failures >= max_failures
            if disabled:
                values.update(enabled=False, disabled_reason=f"{failures} consecutive failures; last: {error}")
            conn.execute(update(feeds).where(feeds.c.id == feed_id).values(**values))
            return disabled

    # -- the frontier --------------------------------------------------------------------
    def add_urls(
        self, feed_id: int | None, urls: Iterable[tuple[str, str]], now: datetime, done: set[str] | None = None
    ) -> list[str]:
        """Add (key, url) pairs not yet known; returns the keys that were new.

        Keys in ``done`` (their article is stored already) are recorded as not due.
        """
        done = done or set()
        pairs = dict(urls)
        if not pairs:
            return []
        new: list[str] = []
        with self.engine.begin() as conn:
            keys = list(pairs)
            known: set[str] = set()
            for i in range(0, len(keys), 500):
                chunk = keys[i : i + 500]
                known.update(r.key for r in conn.execute(select(crawl_urls.c.key).where(crawl_urls.c.key.in_(chunk))))
            rows: list[dict[str, Any]] = [
                {
                    "key": k,
                    "url": u,
                    "feed_id": feed_id,
                    "first_seen": now,
                    "fetches": 0,
                    "next_fetch": None if k in done else now,
                    "article_id": None,
                    "last_error": None,
                }
                for k, u in pairs.items()
                if k not in known
            ]
            if rows:
                conn.execute(insert(crawl_urls), rows)
            new = [str(r["key"]) for r in rows]
        return new

    def due_urls(self, now: datetime, limit: int | None = None) -> list[DueUrl]:
        query = (
            select(crawl_urls)
            .where(crawl_urls.c.next_fetch.is_not(None), crawl_urls.c.next_fetch <= now)
            .order_by(crawl_urls.c.fetches, crawl_urls.c.next_fetch, crawl_urls.c.key)
        )
        if limit:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return [DueUrl(r.key, r.url, r.feed_id, r.fetches, r.first_seen) for r in conn.execute(query)]

    def url_fetched(
        self, key: str, now: datetime, next_fetch: datetime | None, article_id: str | None, error: str | None
    ) -> None:
        self.urls_fetched([UrlFetched(key, now, next_fetch, article_id, error)])

    def urls_fetched(self, done: Sequence[UrlFetched]) -> None:
        """Record fetches of frontier URLs, all in one transaction (one statement, executemany)."""
        if not done:
            return
        statement = (
            update(crawl_urls)
            .where(crawl_urls.c.key == bindparam("b_key"))
            .values(
                last_fetch=bindparam("b_now"),
                fetches=crawl_urls.c.fetches + 1,
                next_fetch=bindparam("b_next"),
                article_id=bindparam("b_article"),
                last_error=bindparam("b_error"),
            )
        )
        rows = [
            {"b_key": d.key, "b_now": d.at, "b_next": d.next_fetch, "b_article": d.article_id, "b_error": d.error}
            for d in done
        ]
        with self.engine.begin() as conn:
            conn.execute(statement, rows)

    def count_urls(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(crawl_urls)).scalar_one())
