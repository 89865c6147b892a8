"""Signing in and out, and the review desk: a queue, and a form that sets an article's verdict
with a note, above the audit trail of every change. Anonymous users only read."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from veracity.article import LABELS
from veracity.errors import ConfigError
from veracity.web import parts, present
from veracity.web.accounts import AuthError, Session
from veracity.web.app import CSRF_COOKIE, SESSION_COOKIE, Desk, desk_of
from veracity.web.security import local_path, retry_after

router = APIRouter(include_in_schema=False)


def _client(request: Request) -> str:
    return request.client.host if request.client else "?"


def require_reviewer(desk: Desk, request: Request) -> Session | Response:
    """The signed-in reviewer, or a redirect to the sign-in page that comes back here."""
    session = desk.session(request)
    if session is None:
        target = request.url.path + ("?" + request.url.query if request.url.query else "")
        return RedirectResponse("/login?next=" + quote(target, safe=""), status_code=303)
    if not session.user.can_review:
        raise AuthError("this account may not review", session.user.name)
    return session


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    desk = desk_of(request)
    return desk.render(request, "login.html", {"next": local_path(next), "error": None})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    name: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    csrf: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    desk = desk_of(request)
    wait = desk.login_limiter.check(_client(request))
    if wait:
        response = desk.render(
            request, "login.html", {"next": local_path(next), "error": "Too many attempts; wait a minute."}, 429
        )
        response.headers["Retry-After"] = retry_after(wait)
        return response
    desk.check_csrf(request, csrf)
    try:
        user = desk.accounts.authenticate(name, password)
    except AuthError:
        return desk.render(
            request, "login.html", {"next": local_path(next), "error": "Wrong user name or password."}, 401
        )
    secret, _ = desk.accounts.start_session(user, desk.session_lifetime())
    desk.accounts.record(user.name, "sign-in", "user:" + user.name, {})
    done = RedirectResponse(local_path(next), status_code=303)
    desk.set_cookie(done, SESSION_COOKIE, secret, max_age=int(desk.session_lifetime().total_seconds()))
    done.delete_cookie(CSRF_COOKIE, path="/")
    return done


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
    desk = desk_of(request)
    desk.check_csrf(request, csrf)
    desk.accounts.end_session(request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/review", response_class=HTMLResponse)
def queue(request: Request) -> Response:
    desk = desk_of(request)
    session = require_reviewer(desk, request)
    if isinstance(session, Response):
        return session
    ids = parts.review_queue(desk.store, desk.web.page_size, desk.web.review_below)
    items = [desk.store.get(i) for i in ids]
    verdicts = parts.verdicts(desk.store, ids)
    now = desk.now()
    return desk.render(request, "queue.html", {"cards": [present.card(s, verdicts.get(s.id), now) for s in items]})


@router.get("/articles/{article_id}/review", response_class=HTMLResponse)
def review_form(request: Request, article_id: str) -> Response:
    desk = desk_of(request)
    session = require_reviewer(desk, request)
    if isinstance(session, Response):
        return session
    return _review_page(desk, request, article_id, None)


def _review_page(desk: Desk, request: Request, article_id: str, error: str | None, status: int = 200) -> Response:
    stored = desk.store.get(article_id)
    verdict = parts.verdict(desk.store, stored.id)
    card = present.card(stored, verdict, desk.now())
    return desk.render(
        request,
        "review.html",
        {
            "card": card,
            "labels": LABELS,
            "trail": parts.audit_trail(desk.store, stored.id),
            "error": error,
        },
        status,
    )


@router.post("/articles/{article_id}/review", response_class=HTMLResponse)
def review_submit(
    request: Request,
    article_id: str,
    label: Annotated[str, Form(max_length=32)],
    note: Annotated[str, Form(max_length=5000)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    desk = desk_of(request)
    session = require_reviewer(desk, request)
    if isinstance(session, Response):
        return session
    desk.check_csrf(request, csrf)
    stored = desk.store.get(article_id)
    try:
        parts.review(desk.store, stored.id, label, note.strip(), session.user.name)
    except ConfigError as exc:
        return _review_page(desk, request, stored.id, str(exc), 422)
    return RedirectResponse(f"/articles/{stored.id}/review", status_code=303)
