"""The pages anyone may read: the feed (filters, search, pages), an article, outlets, a story.

Each section of a page comes from a function that returns nothing while its part is absent
(``veracity.web.parts``); templates show a section only when it has something.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from veracity.errors import NotFoundError
from veracity.store.base import StoredArticle, VersionRecord
from veracity.web import parts, present
from veracity.web.app import Desk, desk_of
from veracity.web.diff import changed, compare
from veracity.web.feeds import claim_review
from veracity.web.queries import Filters, Page, feed, outlet_articles

router = APIRouter(include_in_schema=False)


def filters_of(desk: Desk, request: Request) -> Filters:
    return Filters.from_params(request.query_params, desk.web.page_size, desk.web.max_page_size)


def cards(desk: Desk, items: list[StoredArticle]) -> list[dict[str, Any]]:
    """Cards of a page of articles, their verdicts read in one go."""
    verdicts = parts.verdicts(desk.store, [s.id for s in items])
    now = desk.now()
    return [present.card(s, verdicts.get(s.id), now) for s in items]


def feed_page(desk: Desk, request: Request) -> tuple[Filters, Page]:
    f = filters_of(desk, request)
    return f, feed(desk.store, f, desk.web.search_cap)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    desk = desk_of(request)
    f, page = feed_page(desk, request)
    return desk.render(
        request,
        "home.html",
        {
            "f": f,
            "page": page,
            "cards": cards(desk, page.items),
            "facets": desk.facets.get(),
            "labels": ("Truth", "Misleading", "Fake", "Unverified"),
            "entity_filter": parts.entity_clause("x") is not None,
        },
    )


@router.get("/search", response_class=HTMLResponse)
def search(request: Request) -> Response:
    """The feed with a search: ``/search?q=…`` is ``/?q=…``."""
    return RedirectResponse("/?" + request.url.query if request.url.query else "/", status_code=303)


def pick_versions(records: list[VersionRecord], a: int | None, b: int | None) -> tuple[int, int]:
    """The two versions to compare: those asked for when they exist, else the last two."""
    numbers = [r.number for r in records]
    last = numbers[-1]
    b = b if b in numbers else last
    a = a if a in numbers else (b - 1 if b - 1 in numbers else numbers[0])
    return a, b


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article(request: Request, article_id: str, a: int | None = None, b: int | None = None) -> Response:
    desk = desk_of(request)
    store = desk.store
    stored = store.get(article_id)
    if stored.id != article_id:
        return RedirectResponse(f"/articles/{stored.id}", status_code=302)  # a prefix may become ambiguous
    verdict = parts.verdict(store, stored.id)
    card = present.card(stored, verdict, desk.now())
    records = store.versions(stored.id)
    va, vb = pick_versions(records, a, b)
    by_number = {r.number: r for r in records}
    rows = compare(by_number[va], by_number[vb]) if va != vb else []
    jsonld = None
    if verdict is not None and verdict.get("source") != "imported":  # veracity rated it, not the input
        jsonld = claim_review(card, verdict, str(request.url_for("article", article_id=stored.id)))
    return desk.render(
        request,
        "article.html",
        {
            "card": card,
            "blocks": stored.article.blocks,
            "authors": stored.article.authors,
            "verdict": verdict,
            "quotes": parts.quotes(store, stored.id),
            "claims": parts.claims(store, stored.id),
            "story": parts.story_of(store, stored.id),
            "entities": parts.entities(store, stored.id),
            "records": records,
            "va": va,
            "vb": vb,
            "rows": rows,
            "changed": changed(rows),
            "jsonld": jsonld,
        },
    )


def outlet_rows(desk: Desk) -> list[dict[str, Any]]:
    """Outlets with articles, then those only known as sources: name, key, articles, feeds."""
    known = {o.domain: o for o in desk.sources.outlets()}
    rows = []
    for name, domain, count in desk.outlet_counts.get():
        source = known.pop(domain, None) if domain else None
        rows.append(
            {"name": name, "key": domain or name, "articles": count, "feeds": len(source.feeds) if source else 0}
        )
    rows.extend({"name": o.name, "key": o.domain, "articles": 0, "feeds": len(o.feeds)} for o in known.values())
    return rows


@router.get("/outlets", response_class=HTMLResponse)
def outlets(request: Request) -> Response:
    desk = desk_of(request)
    return desk.render(request, "outlets.html", {"outlets": outlet_rows(desk)})


def outlet_data(desk: Desk, key: str) -> dict[str, Any]:
    """An outlet (by domain or name): its source entry and feeds, articles, ratings, track record."""
    source = next((o for o in desk.sources.outlets() if key in (o.domain, o.name)), None)
    recent = outlet_articles(desk.store, key, desk.web.page_size)
    if source is None and not recent:
        raise NotFoundError("no outlet with this domain or name", key)
    domain = source.domain if source else (recent[0].article.outlet.domain or "")
    name = source.name if source else recent[0].article.outlet.name
    return {
        "name": name,
        "domain": domain or None,
        "key": key,
        "kind": source.kind if source else None,
        "country": source.country if source else None,
        "language": source.language if source else None,
        "feeds": list(source.feeds) if source else [],
        "recent": recent,
        "ratings": parts.outlet_ratings(desk.store, domain) if domain else [],
        "track_record": parts.track_record(desk.store, domain) if domain else {},
    }


@router.get("/outlets/{key}", response_class=HTMLResponse)
def outlet(request: Request, key: str) -> Response:
    desk = desk_of(request)
    data = outlet_data(desk, key)
    return desk.render(request, "outlet.html", {"o": data, "cards": cards(desk, data["recent"])})


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story(request: Request, story_id: str) -> Response:
    desk = desk_of(request)
    data = parts.story(desk.store, story_id)
    if data is None:
        raise NotFoundError("no story with this id", story_id)
    return desk.render(request, "story.html", {"story": data})


@router.get("/healthz", include_in_schema=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}
