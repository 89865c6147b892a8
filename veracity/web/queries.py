"""What the pages read: the filtered, paginated feed, search within filters, filter choices.

A :class:`Filters` value is the whole state of a feed page; ``query_string`` turns it back
into the URL that shows it, so every filter state has its own address.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, Select, and_, func, select

from veracity.extract.dates import parse_datetime
from veracity.store import search as fts
from veracity.store.base import StoredArticle
from veracity.store.schema import articles
from veracity.store.sql import SqlStore
from veracity.web import parts

DEFAULT_PER_PAGE = 20
T = TypeVar("T")
FILTER_FIELDS = ("q", "label", "outlet", "section", "language", "since", "until", "entity")


@dataclass(frozen=True, slots=True)
class Filters:
    """One feed page: filters (each optional), the page number and its size."""

    q: str = ""
    label: str = ""
    outlet: str = ""
    section: str = ""
    language: str = ""
    since: str = ""
    until: str = ""
    entity: str = ""
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @classmethod
    def from_params(cls, params: Mapping[str, str], page_size: int, max_page_size: int) -> Filters:
        """Filters from query parameters; unusable numbers fall back to defaults, text is trimmed."""
        values: dict[str, Any] = {k: (params.get(k) or "").strip()[:200] for k in FILTER_FIELDS}
        values["page"] = _int(params.get("page"), 1, 1, 10_000)
        values["per_page"] = _int(params.get("per_page"), page_size, 1, max_page_size)
        return cls(**values)

    def active(self) -> dict[str, str]:
        return {k: getattr(self, k) for k in FILTER_FIELDS if getattr(self, k)}

    def query_string(self, **changes: Any) -> str:
        """The URL query of this state with ``changes`` (a page change keeps the filters)."""
        state = replace(self, **changes) if changes else self
        params = state.active()
        if state.page != 1:
            params["page"] = str(state.page)
        if state.per_page != DEFAULT_PER_PAGE:
            params["per_page"] = str(state.per_page)
        return urlencode(params)

    def without(self, name: str) -> str:
        return self.query_string(**{name: "", "page": 1})


def _int(raw: str | None, default: int, low: int, high: int) -> int:
    try:
        value = int(raw or default)
    except ValueError:
        return default
    return min(max(value, low), high)


def _looks_like_domain(value: str) -> bool:
    return "." in value and " " not in value and value == value.lower()


def _day(raw: str, end: bool = False) -> datetime | None:
    """A date or time from a filter field; a bare date as an end means the whole of that day."""
    if not raw:
        return None
    when = parse_datetime(raw)
    if when is None:
        return None
    if end and len(raw.strip()) <= 10:
        return when + timedelta(days=1)
    return when


def conditions(f: Filters) -> list[ColumnElement[bool]]:
    """The SQL conditions of the filters (search aside)."""
    out: list[ColumnElement[bool]] = []
    if f.label:
        out.append(parts.verdict_clause(f.label))
    if f.outlet:
        # One column, so that its (column, updated_at) index serves the page in order: an OR of
        # the two would read every article of a big outlet and sort them.
        column = articles.c.outlet_domain if _looks_like_domain(f.outlet) else articles.c.outlet_name
        out.append(column == f.outlet)
    if f.section:
        out.append(articles.c.section == f.section)
    if f.language:
        out.append(articles.c.language == f.language)
    since, until = _day(f.since), _day(f.until, end=True)
    if since:
        out.append(articles.c.updated_at >= since)
    if until:
        out.append(articles.c.updated_at < until)
    if f.entity:
        clause = parts.entity_clause(f.entity)
        if clause is not None:
            out.append(clause)
    return out


@dataclass(frozen=True, slots=True)
class Page:
    items: list[StoredArticle]
    filters: Filters
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.filters.page > 1


def feed(store: SqlStore, f: Filters, search_cap: int = 1000) -> Page:
    """One page of articles: newest first, or best match first when searching.

    Pages are read with LIMIT/OFFSET plus one row to know whether a next page exists, so no
    page costs a COUNT over the whole table.
    """
    offset = (f.page - 1) * f.per_page
    with store.engine.connect() as conn:
        if f.q:
            where = conditions(f)
            # Without other filters, rank only as far as this page; with them, the best search_cap.
            ranked = fts.search(conn, store.dialect, f.q, search_cap if where else offset + f.per_page + 1)
            if where and ranked:
                query: Select[Any] = select(articles.c.id).where(articles.c.id.in_(ranked), *where)
                keep = {r.id for r in conn.execute(query)}
                ranked = [i for i in ranked if i in keep]
            ids = ranked[offset : offset + f.per_page + 1]
        else:
            query = (
                select(articles.c.id)
                .where(and_(True, *conditions(f)))
                .order_by(articles.c.updated_at.desc(), articles.c.id)
                .limit(f.per_page + 1)
                .offset(offset)
            )
            ids = [str(r.id) for r in conn.execute(query)]
        has_next = len(ids) > f.per_page
        ids = ids[: f.per_page]
        rows = {r.id: r for r in conn.execute(select(articles).where(articles.c.id.in_(ids)))} if ids else {}
        items = store._stored(conn, [rows[i] for i in ids if i in rows])
    return Page(items, f, has_next)


@dataclass(frozen=True, slots=True)
class Facets:
    """The choices the filter form offers."""

    outlets: list[str]
    sections: list[str]
    languages: list[str]


class Cached(Generic[T]):
    """A value over the whole table (filter choices, outlet counts), recomputed at most every ``ttl`` seconds."""

    def __init__(self, ttl: float, compute: Callable[[], T], clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.compute = compute
        self.clock = clock
        self._lock = threading.Lock()
        self._value: T | None = None
        self._at = 0.0

    def get(self) -> T:
        with self._lock:
            if self._value is not None and self.clock() - self._at < self.ttl:
                return self._value
        value = self.compute()
        with self._lock:
            self._value, self._at = value, self.clock()
        return value


def facets(store: SqlStore, cap: int = 500) -> Facets:
    def column(col: Any) -> list[str]:
        query = select(col).distinct().where(col.is_not(None), col != "").order_by(col).limit(cap)
        return [str(v) for (v,) in conn.execute(query)]

    with store.engine.connect() as conn:
        return Facets(column(articles.c.outlet_name), column(articles.c.section), column(articles.c.language))


def outlet_articles(store: SqlStore, key: str, limit: int) -> list[StoredArticle]:
    """The newest articles of an outlet named by domain or name."""
    query = (
        select(articles)
        .where((articles.c.outlet_domain if _looks_like_domain(key) else articles.c.outlet_name) == key)
        .order_by(articles.c.updated_at.desc(), articles.c.id)
        .limit(limit)
    )
    with store.engine.connect() as conn:
        return store._stored(conn, conn.execute(query).all())


def outlet_counts(store: SqlStore) -> list[tuple[str, str | None, int]]:
    """Every outlet that has articles: (name, domain, number of articles), most articles first."""
    query = (
        select(articles.c.outlet_name, func.max(articles.c.outlet_domain), func.count())
        .group_by(articles.c.outlet_name)
        .order_by(func.count().desc(), articles.c.outlet_name)
        .limit(1000)
    )
    with store.engine.connect() as conn:
        return [(str(n), d, int(c)) for n, d, c in conn.execute(query)]
