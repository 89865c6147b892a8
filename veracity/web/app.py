"""The web desk's application: FastAPI with Jinja2 pages, a JSON API under /api/, static files.

``create_app`` builds one app around one open store; ``veracity serve`` runs it with uvicorn.
Handlers are plain (synchronous) functions, run in the server's thread pool, because the
store is synchronous SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.exceptions import HTTPException as StarletteHTTPException

from veracity.errors import AmbiguousIdError, ConfigError, NotFoundError, VeracityError
from veracity.settings import Settings
from veracity.store.sources import SourceStore
from veracity.store.sql import SqlStore, open_store
from veracity.web import security
from veracity.web.accounts import Accounts, AuthError, Session
from veracity.web.queries import Cached, facets, outlet_counts

HERE = Path(__file__).parent
SESSION_COOKIE = "vsession"
CSRF_COOKIE = "vcsrf"


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


class Desk:
    """What every request handler shares: the store, accounts, settings, caches, limiters, clock."""

    def __init__(self, store: SqlStore, settings: Settings, now: Callable[[], datetime] | None = None) -> None:
        self.store = store
        self.settings = settings
        self.web = settings.web
        self.now = now or _utcnow
        self.accounts = Accounts(store.engine)
        self.sources = SourceStore(store.engine)
        self.facets = Cached(self.web.facet_ttl, lambda: facets(store))
        self.outlet_counts = Cached(self.web.facet_ttl, lambda: outlet_counts(store))
        self.api_limiter = security.RateLimiter(self.web.api_rate_per_minute)
        self.login_limiter = security.RateLimiter(self.web.login_rate_per_minute)
        self.templates = Jinja2Templates(directory=str(HERE / "templates"))
        env = self.templates.env
        env.autoescape = True
        env.filters["sanitize"] = security.sanitize
        env.filters["safe_url"] = security.safe_url
        env.filters["jsonld"] = lambda data: Markup(security.json_for_script(data))
        env.globals["OUTBOUND_REL"] = security.OUTBOUND_REL

    # -- sessions and CSRF ----------------------------------------------------------------
    def session(self, request: Request) -> Session | None:
        cached = request.scope.get("veracity.session", False)
        if cached is not False:
            return cached  # type: ignore[no-any-return]
        session = self.accounts.session(request.cookies.get(SESSION_COOKIE))
        request.scope["veracity.session"] = session
        return session

    def csrf_token(self, request: Request) -> str:
        """The token forms carry: the session's when signed in, else a cookie's (double submit)."""
        session = self.session(request)
        if session:
            return session.csrf
        token = request.cookies.get(CSRF_COOKIE) or request.scope.get("veracity.new_csrf")
        if not token:
            token = security.new_token()
            request.scope["veracity.new_csrf"] = token
        return str(token)

    def check_csrf(self, request: Request, given: str | None) -> None:
        """Refuse a form post whose token does not match, or that comes from another origin."""
        origin = request.headers.get("origin")
        if origin and origin != "null" and origin.rstrip("/") != str(request.base_url).rstrip("/"):
            raise AuthError("cross-origin form post refused", origin)
        session = self.session(request)
        expected = session.csrf if session else request.cookies.get(CSRF_COOKIE)
        if not security.same_token(given, expected):
            raise AuthError("the form expired or did not come from this site; reload the page and try again")

    def set_cookie(self, response: Response, name: str, value: str, max_age: int | None = None) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            httponly=True,
            samesite="lax",
            secure=self.web.secure_cookies,
            path="/",
        )

    def render(self, request: Request, template: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
        session = self.session(request)
        base = {
            "request": request,
            "user": session.user if session else None,
            "csrf": self.csrf_token(request),
            "path": request.url.path,
            "query": request.url.query,
        }
        response = self.templates.TemplateResponse(request, template, {**base, **context}, status_code=status)
        new = request.scope.get("veracity.new_csrf")
        if new and not session:
            self.set_cookie(response, CSRF_COOKIE, str(new))
        return response

    def session_lifetime(self) -> timedelta:
        return timedelta(hours=self.web.session_hours)


def desk_of(request: Request) -> Desk:
    return request.app.state.desk  # type: ignore[no-any-return]


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": message}, status_code=status, headers=headers)
    desk = desk_of(request)
    response = desk.render(request, "error.html", {"status": status, "message": message}, status=status)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def create_app(
    settings: Settings | None = None, *, store: SqlStore | None = None, now: Callable[[], datetime] | None = None
) -> FastAPI:
    """The app on ``store`` (or the store of ``settings.database_url``); ``now`` fixes the clock (tests)."""
    settings = settings or Settings.from_env()
    store = store or open_store(settings.database_url)
    app = FastAPI(
        title="veracity",
        summary="News cards, versions, sources and verdicts of a veracity desk.",
        version="1",
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.desk = Desk(store, settings, now)
    app.add_middleware(security.SecurityHeaders)
    app.mount("/static", StaticFiles(packages=[("veracity.web", "static")]), name="static")

    @app.middleware("http")
    async def rate_limit(request: Request, call_next: Callable[[Request], Any]) -> Response:
        if request.url.path.startswith("/api/") and request.url.path != "/api/openapi.json":
            desk = desk_of(request)
            # Per address: keyed by a token, a client could dodge the limit with made-up ones.
            wait = desk.api_limiter.check(request.client.host if request.client else "?")
            if wait:
                return _error(request, 429, "too many requests", {"Retry-After": security.retry_after(wait)})
        response: Response = await call_next(request)
        return response

    # veracity's errors as HTTP statuses (Starlette picks the most specific class of an error).
    statuses: dict[type[VeracityError], int] = {
        NotFoundError: 404,
        AmbiguousIdError: 400,
        AuthError: 403,
        ConfigError: 422,
        VeracityError: 500,
    }
    for error_type, status in statuses.items():

        def handler(request: Request, exc: Exception, status: int = status) -> Response:
            return _error(request, status, str(exc))

        app.add_exception_handler(error_type, handler)

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        headers = dict(exc.headers) if exc.headers else None
        return _error(request, exc.status_code, str(exc.detail), headers)

    @app.exception_handler(RequestValidationError)
    def invalid(request: Request, exc: RequestValidationError) -> Response:
        if _wants_json(request):
            detail = jsonable_encoder(exc.errors(), custom_encoder={Exception: str})
            return JSONResponse({"error": "invalid request", "detail": detail}, status_code=422)
        return _error(request, 422, "invalid request: " + "; ".join(str(e.get("msg")) for e in exc.errors()))

    from veracity.web import api, feeds, pages, review  # the routes; imported here to keep imports acyclic

    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(review.router)
    app.include_router(feeds.router)
    return app
