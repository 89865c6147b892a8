"""The JSON API under /api/: the data of every page, and the write endpoints (review, sources).

Reading needs nothing; writing needs an API token (``veracity tokens create``) sent as
``Authorization: Bearer vrc_…``. Page sizes are capped (``max_page_size``); every client is
rate limited (429 with Retry-After, see ``veracity.web.app``). OpenAPI: /api/openapi.json.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from veracity.errors import NotFoundError
from veracity.views import iso
from veracity.web import parts, present
from veracity.web.accounts import AuthError, User
from veracity.web.app import Desk, desk_of
from veracity.web.diff import compare
from veracity.web.pages import cards, outlet_data, outlet_rows, pick_versions
from veracity.web.queries import Filters, feed

router = APIRouter(prefix="/api", tags=["api"])
bearer = HTTPBearer(auto_error=False, description="An API token from `veracity tokens create`.")


class OutletRef(BaseModel):
    name: str
    domain: str | None


class ArticleSummary(BaseModel):
    id: str
    title: str
    outlet: OutletRef
    section: str | None
    language: str | None
    created_at: str | None
    updated_at: str | None
    label: str = Field(
        description="The verdict that counts: reviewer's, else the input's label, else the machine's, else Unverified."
    )
    confidence: float | None
    opening: str
    url: str | None = Field(description="The source article; http(s) only.")
    versions: int


class ArticleList(BaseModel):
    items: list[ArticleSummary]
    page: int
    per_page: int
    next_page: int | None
    filters: dict[str, str]


class Block(BaseModel):
    kind: str
    text: str


class ArticleDetail(ArticleSummary):
    authors: list[str]
    blocks: list[Block]
    verdict: dict[str, Any] | None = Field(
        description="The verdict that counts with its source, confidence, explanation and evidence; null when none."
    )
    quotes: list[dict[str, Any]]
    claims: list[dict[str, Any]]
    story: dict[str, Any] | None
    entities: list[str]


class VersionInfo(BaseModel):
    number: int
    seen_at: str | None
    published: str | None
    modified: str | None
    title: str


class DiffRow(BaseModel):
    op: Literal["equal", "insert", "delete", "replace", "skip"]
    kind: str
    old: str
    new: str
    words: list[tuple[str, str]]
    count: int


class Diff(BaseModel):
    article: str
    a: int
    b: int
    rows: list[DiffRow]


class OutletRow(BaseModel):
    name: str
    key: str
    articles: int
    feeds: int


class FeedHealth(BaseModel):
    url: str
    kind: str
    enabled: bool
    disabled_reason: str | None
    last_poll: str | None
    last_success: str | None
    last_error: str | None
    failures: int
    next_poll: str | None
    poll_interval: float
    new_articles: int


class OutletDetail(BaseModel):
    name: str
    domain: str | None
    key: str
    kind: str | None
    country: str | None
    language: str | None
    feeds: list[FeedHealth]
    recent: list[ArticleSummary]
    ratings: list[dict[str, Any]]
    track_record: dict[str, int]


class AuditEntry(BaseModel):
    at: str | None
    actor: str
    action: str
    note: str = ""
    from_: str | None = Field(None, alias="from")
    to: str | None = None


class ReviewIn(BaseModel):
    label: Literal["Truth", "Misleading", "Fake", "Unverified"]
    note: str = Field("", max_length=5000)


class ReviewOut(BaseModel):
    id: str
    label: str
    trail: list[AuditEntry]


class SourceChange(BaseModel):
    feeds: int


def _clean(value: str) -> str:
    """Text from a URL without control characters (PostgreSQL refuses NUL in a string)."""
    return "".join(c for c in value if c >= " " and c != "\x7f")[:200]


def _article_id(value: str) -> str:
    value = _clean(value)
    if not value or len(value) > 12 or any(c not in "0123456789abcdefABCDEF" for c in value):
        raise NotFoundError("no article with this id", value)
    return value


def token_user(request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> User:
    """The user of the request's API token; 401 without one, 403 for a wrong or revoked one."""
    if credentials is None:
        raise HTTPException(401, "an API token is needed (Authorization: Bearer …)", {"WWW-Authenticate": "Bearer"})
    return desk_of(request).accounts.token_user(credentials.credentials)


Token = Annotated[User, Depends(token_user)]
Text = Annotated[str, Query(max_length=200)]


def _list(desk: Desk, f: Filters) -> dict[str, Any]:
    page = feed(desk.store, f, desk.web.search_cap)
    return {
        "items": [present.summary_json(c) for c in cards(desk, page.items)],
        "page": f.page,
        "per_page": f.per_page,
        "next_page": f.page + 1 if page.has_next else None,
        "filters": f.active(),
    }


@router.get("/articles", response_model=ArticleList)
def list_articles(
    request: Request,
    q: Text = "",
    label: Text = "",
    outlet: Text = "",
    section: Text = "",
    language: Text = "",
    since: Text = "",
    until: Text = "",
    entity: Text = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int | None, Query(ge=1, le=1000, description="Capped at max_page_size (100).")] = None,
) -> dict[str, Any]:
    """Articles newest first (best match first with ``q``), filtered; the home page's data."""
    desk = desk_of(request)
    params = {k: _clean(v) for k, v in locals().items() if isinstance(v, str)}
    params["page"], params["per_page"] = str(page), str(per_page or desk.web.page_size)
    return _list(desk, Filters.from_params(params, desk.web.page_size, desk.web.max_page_size))


@router.get("/search", response_model=ArticleList)
def search(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=200)],
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int | None, Query(ge=1, le=1000)] = None,
) -> dict[str, Any]:
    """Full-text search: every word must occur; best match first."""
    desk = desk_of(request)
    params = {"q": _clean(q), "page": str(page), "per_page": str(per_page or desk.web.page_size)}
    return _list(desk, Filters.from_params(params, desk.web.page_size, desk.web.max_page_size))


@router.get("/articles/{article_id}", response_model=ArticleDetail)
def get_article(request: Request, article_id: str) -> dict[str, Any]:
    """One article: its card, whole text (captions marked), and every part that exists for it."""
    desk = desk_of(request)
    stored = desk.store.get(_article_id(article_id))
    verdict = parts.verdict(desk.store, stored.id)
    data = present.summary_json(present.card(stored, verdict, desk.now()))
    return {
        **data,
        "authors": list(stored.article.authors),
        "blocks": [{"kind": b.kind, "text": b.text} for b in stored.article.blocks],
        "verdict": verdict,
        "quotes": parts.quotes(desk.store, stored.id),
        "claims": parts.claims(desk.store, stored.id),
        "story": parts.story_of(desk.store, stored.id),
        "entities": parts.entities(desk.store, stored.id),
    }


@router.get("/articles/{article_id}/versions", response_model=list[VersionInfo])
def versions(request: Request, article_id: str) -> list[dict[str, Any]]:
    """Every stored version of an article, oldest first."""
    records = desk_of(request).store.versions(_article_id(article_id))
    return [
        {
            "number": r.number,
            "seen_at": iso(r.seen_at),
            "published": iso(r.article.published),
            "modified": iso(r.article.modified),
            "title": r.article.title,
        }
        for r in records
    ]


@router.get("/articles/{article_id}/diff", response_model=Diff)
def diff(
    request: Request,
    article_id: str,
    a: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
    b: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> dict[str, Any]:
    """Version ``b`` against version ``a``, paragraph by paragraph and word by word (default: the last two)."""
    store = desk_of(request).store
    records = store.versions(_article_id(article_id))
    va, vb = pick_versions(records, a, b)
    by_number = {r.number: r for r in records}
    rows = compare(by_number[va], by_number[vb]) if va != vb else []
    return {
        "article": article_id,
        "a": va,
        "b": vb,
        "rows": [
            {"op": r.op, "kind": r.kind, "old": r.old, "new": r.new, "words": r.words, "count": r.count} for r in rows
        ],
    }


@router.get("/articles/{article_id}/audit", response_model=list[AuditEntry])
def audit(request: Request, article_id: str) -> list[dict[str, Any]]:
    """The article's verdict history, newest first: reviews, machine verdicts, imported labels."""
    trail = parts.audit_trail(desk_of(request).store, _article_id(article_id))
    return [{**t, "at": iso(t["at"]) if isinstance(t["at"], datetime) else t["at"]} for t in trail]


@router.post("/articles/{article_id}/review", response_model=ReviewOut)
def post_review(request: Request, article_id: str, body: ReviewIn, user: Token) -> dict[str, Any]:
    """Set an article's verdict with a note (a reviewer's or admin's token); the change is audited."""
    if not user.can_review:
        raise AuthError("this account may not review", user.name)
    store = desk_of(request).store
    stored = store.get(_article_id(article_id))
    parts.review(store, stored.id, body.label, body.note.strip(), user.name)
    return {"id": stored.id, "label": body.label, "trail": audit(request, stored.id)}


@router.get("/outlets", response_model=list[OutletRow])
def list_outlets(request: Request) -> list[dict[str, Any]]:
    """Every outlet with articles or a source entry: its name, key (domain or name), counts."""
    return outlet_rows(desk_of(request))


@router.get("/outlets/{key}", response_model=OutletDetail)
def get_outlet(request: Request, key: str) -> dict[str, Any]:
    """An outlet: its feeds and their health, newest articles, ratings and track record (when they exist)."""
    desk = desk_of(request)
    data = outlet_data(desk, _clean(key))
    feeds = [
        {
            "url": f.url,
            "kind": f.kind,
            "enabled": f.enabled,
            "disabled_reason": f.disabled_reason,
            "last_poll": iso(f.last_poll),
            "last_success": iso(f.last_success),
            "last_error": f.last_error,
            "failures": f.failures,
            "next_poll": iso(f.next_poll),
            "poll_interval": f.poll_interval,
            "new_articles": f.new_articles,
        }
        for f in data["feeds"]
    ]
    recent = [present.summary_json(c) for c in cards(desk, data["recent"])]
    return {**data, "feeds": feeds, "recent": recent}


@router.post("/sources/{key}/{action}", response_model=SourceChange)
def change_source(request: Request, key: str, action: Literal["enable", "disable"], user: Token) -> dict[str, int]:
    """Enable or disable an outlet's feeds (or one feed by URL); an admin's token."""
    if not user.is_admin:
        raise AuthError("only an admin may change sources", user.name)
    desk = desk_of(request)
    key = _clean(key)
    if action == "enable":
        n = desk.sources.enable(key, desk.now())
    else:
        n = desk.sources.disable(key, f"disabled by {user.name}")
    desk.accounts.record(user.name, f"source-{action}", "source:" + key, {})
    return {"feeds": n}


@router.get("/stories/{story_id}", response_model=dict[str, Any])
def get_story(request: Request, story_id: str) -> dict[str, Any]:
    """A story with its coverage (404 while the stories part is absent)."""
    data = parts.story(desk_of(request).store, _clean(story_id))
    if data is None:
        raise NotFoundError("no story with this id", story_id)
    return data
