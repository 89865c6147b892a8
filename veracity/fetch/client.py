"""The fetcher: the one way veracity talks to the web.

``Fetcher.get(url)`` checks the URL with the SSRF guard, honours robots.txt and the
per-host limiter, connects to the checked address only, follows and re-checks redirects,
retries what may be retried, and reads at most ``max_body_bytes`` of decoded body within
the deadlines. Everything it refuses or fails on is a ``FetchError`` subclass.

Built on urllib3's connection and response classes (TLS with a separate SNI/verification
name, Content-Encoding decoding bounded per read, so gzip/deflate/br bombs stop early).
Its pools and ``Retry`` are not used: pools resolve and connect by host name, which would
reopen the rebinding window, and the retry, redirect and robots rules here re-check every
hop against the guard. Each exchange uses a fresh connection (``Connection: close``).
"""

from __future__ import annotations

import email.utils
import http.client
import random
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import (
    ConnectTimeoutError,
    DecodeError,
    HTTPError,
    NewConnectionError,
    ReadTimeoutError,
    SSLError,
)
from urllib3.response import BaseHTTPResponse
from urllib3.util import make_headers
from urllib3.util.ssl_ import create_urllib3_context

from veracity.fetch.errors import (
    FetchError,
    HttpStatus,
    InvalidUrl,
    NetworkError,
    Timeout,
    TooLarge,
    TooManyRedirects,
)
from veracity.fetch.guard import CheckedUrl, Guard, Resolver
from veracity.fetch.limiter import HostLimiter
from veracity.fetch.robots import RobotsCache
from veracity.fetch.settings import FetchSettings
from veracity.fetch.watchdog import WATCHDOG, Watch

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD"})
ROBOTS_MAX_REDIRECTS = 5  # RFC 9309
ACCEPT = (
    "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
    "application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.8"
)
#: The encodings urllib3 can decode here (gzip, deflate, and br/zstd when installed).
ACCEPT_ENCODING = make_headers(accept_encoding=True)["accept-encoding"]
_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class Validators:
    """What a previous response said about its version, for a conditional GET."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        out: dict[str, str] = {}
        if self.etag:
            out["If-None-Match"] = self.etag
        if self.last_modified:
            out["If-Modified-Since"] = self.last_modified
        return out


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One successful fetch.

    ``headers`` has lower-case names (repeated headers joined by ``, ``). On a 304,
    ``not_modified`` is true, ``body`` is empty and ``etag``/``last_modified`` are the
    new ones or else those sent. ``elapsed`` is in seconds, politeness waits included.
    """

    url: str
    final_url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    not_modified: bool
    etag: str | None
    last_modified: str | None
    elapsed: float

    @property
    def validators(self) -> Validators:
        return Validators(self.etag, self.last_modified)


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes


class _Deadline:
    """The time left for one ``get``; politeness waits are added back (they are not the server's fault)."""

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def extend(self, seconds: float) -> None:
        self.at += seconds


class _WatchedHTTPConnection(HTTPConnection):
    """Hands its socket to the exchange's ``Watch`` as soon as it exists (before TLS)."""

    watch: Watch | None = None

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        if self.watch is not None:
            self.watch.attach(sock)
        return sock


class _WatchedHTTPSConnection(HTTPSConnection):
    watch: Watch | None = None

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        if self.watch is not None:
            self.watch.attach(sock)
        return sock


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP date), None if unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class Fetcher:
    """A safe, polite HTTP client; thread-safe, share one per process.

    ``resolver`` replaces DNS (tests); ``limiter`` may be shared between fetchers so the
    per-host limits hold across them (default: one built from ``settings``).
    """

    def __init__(
        self,
        settings: FetchSettings | None = None,
        resolver: Resolver | None = None,
        limiter: HostLimiter | None = None,
    ) -> None:
        self.settings = settings or FetchSettings.from_env()
        self.guard = Guard(self.settings, resolver)
        self.limiter = limiter or HostLimiter(self.settings.max_per_host, self.settings.min_host_delay)
        self.robots = RobotsCache(self.settings, self._fetch_robots)
        self._agent = self.settings.agent()
        self._ssl_context = _ssl_context(self.settings.ca_file)

    def check_url(self, url: str) -> CheckedUrl:
        """The guard alone, for URLs found in content (images, enclosures)."""
        return self.guard.check(url)

    def get(self, url: str, validators: Validators | None = None) -> FetchResult:
        """GET ``url``; raise a ``FetchError`` subclass when it is refused or fails.

        With ``validators`` (from a previous ``FetchResult.validators``) the request is
        conditional; a 304 returns ``not_modified=True`` without reading a body.
        """
        started = time.monotonic()
        deadline = _Deadline(self.settings.total_timeout)
        extra = validators.headers() if validators else {}
        checked, answer = self._follow(
            url, deadline, extra, max_hops=self.settings.max_redirects, robots=True, retries=True
        )
        status = answer.status
        if status == 304:
            return FetchResult(
                url=url,
                final_url=checked.url,
                status=status,
                headers=answer.headers,
                body=b"",
                not_modified=True,
                etag=answer.headers.get("etag") or (validators.etag if validators else None),
                last_modified=answer.headers.get("last-modified") or (validators.last_modified if validators else None),
                elapsed=time.monotonic() - started,
            )
        if not 200 <= status < 300:
            retry_after = parse_retry_after(answer.headers.get("retry-after"))
            raise HttpStatus(f"HTTP {status}", checked.url, status, retry_after)
        return FetchResult(
            url=url,
            final_url=checked.url,
            status=status,
            headers=answer.headers,
            body=answer.body,
            not_modified=False,
            etag=answer.headers.get("etag"),
            last_modified=answer.headers.get("last-modified"),
            elapsed=time.monotonic() - started,
        )

    # -- the chain of hops ------------------------------------------------------------------

    def _follow(
        self,
        url: str,
        deadline: _Deadline,
        extra_headers: Mapping[str, str],
        *,
        max_hops: int,
        robots: bool,
        retries: bool,
        max_bytes: int | None = None,
        truncate: bool = False,
    ) -> tuple[CheckedUrl, _Answer]:
        current = url
        previous: CheckedUrl | None = None
        for hop in range(max_hops + 1):
            try:
                checked = self.guard.check(current)
                if previous is not None and previous.scheme == "https" and checked.scheme == "http":
                    raise InvalidUrl("redirect from https to http refused", current)
                crawl_delay = self.robots.check(checked) if robots else None
                answer = self._attempts(checked, deadline, extra_headers, crawl_delay, retries, max_bytes, truncate)
            except FetchError as exc:
                if hop:
                    exc.message += f" (after {hop} redirect{'s' if hop > 1 else ''} from {url})"
                raise
            location = answer.headers.get("location")
            if answer.status not in REDIRECT_STATUSES or not location:
                return checked, answer
            current = urljoin(checked.url, location.strip())
            previous = checked
        raise TooManyRedirects(f"more than {max_hops} redirects", url)

    def _attempts(
        self,
        checked: CheckedUrl,
        deadline: _Deadline,
        extra_headers: Mapping[str, str],
        crawl_delay: float | None,
        retries: bool,
        max_bytes: int | None,
        truncate: bool,
        method: str = "GET",
    ) -> _Answer:
        """One hop: the exchange, repeated on a retryable status while retries and time are left."""
        settings = self.settings
        attempt = 0
        while True:
            with self.limiter.slot(checked.host, crawl_delay) as waited:
                deadline.extend(waited)
                answer = self._exchange(checked, deadline, extra_headers, max_bytes, truncate)
            if (
                not retries
                or method not in IDEMPOTENT_METHODS
                or answer.status not in RETRY_STATUSES
                or attempt >= settings.max_retries
            ):
                return answer
            retry_after = parse_retry_after(answer.headers.get("retry-after"))
            if retry_after is not None:
                self.limiter.defer(checked.host, min(retry_after, settings.retry_after_max))
                if retry_after > settings.retry_after_max:
                    return answer  # too far off: the caller sees HttpStatus.retry_after
                pause = retry_after
            else:  # exponential, "equal jitter": half fixed, half random, bounded
                cap = min(settings.backoff_max, settings.backoff_base * 2**attempt)
                pause = cap / 2 + random.uniform(0, cap / 2)
            if pause >= deadline.remaining():
                return answer
            time.sleep(pause)
            attempt += 1

    # -- one exchange -----------------------------------------------------------------------

    def _exchange(
        self,
        checked: CheckedUrl,
        deadline: _Deadline,
        extra_headers: Mapping[str, str],
        max_bytes: int | None,
        truncate: bool,
    ) -> _Answer:
        """Connect to a checked address, send the GET, read the answer within the deadlines."""
        if deadline.remaining() <= 0:
            raise Timeout(f"total deadline of {self.settings.total_timeout:g} s exceeded", checked.url)
        watch = Watch(deadline.at)
        WATCHDOG.add(watch)
        conn: HTTPConnection | None = None
        try:
            conn = self._connect(checked, deadline, watch)
            headers = {
                "Host": checked.netloc,
                "User-Agent": self._agent,
                "Accept": ACCEPT,
                "Accept-Encoding": ACCEPT_ENCODING,
                "Connection": "close",
                **extra_headers,
            }
            conn.timeout = self.settings.read_timeout  # per read from here on
            conn.request("GET", checked.target, headers=headers, preload_content=False, decode_content=True)
            response = conn.getresponse()
            try:
                status = response.status
                names = {name.lower() for name in response.headers}
                answer_headers = {name: response.headers[name] for name in sorted(names)}  # plain dict: picklable
                body = b""
                if 200 <= status < 300:
                    body = self._read_body(response, checked, max_bytes, truncate)
                if watch.fired:  # a shut-down socket can look like a clean end of headers or body
                    raise Timeout(self._total_message(), checked.url)
                return _Answer(status, answer_headers, body)
            finally:
                response.close()
        except FetchError:
            raise
        except Exception as exc:
            error = self._translate(exc, checked, watch)
            if error is None:
                raise
            raise error from exc
        finally:
            watch.close()
            if conn is not None:
                conn.close()

    def _connect(self, checked: CheckedUrl, deadline: _Deadline, watch: Watch) -> HTTPConnection:
        """A connection to the first checked address that answers (never to the host name)."""
        failure: FetchError | None = None
        for address in checked.addresses:
            timeout = min(self.settings.connect_timeout, max(deadline.remaining(), 0.001))
            conn: HTTPConnection
            if checked.scheme == "https":
                conn = _WatchedHTTPSConnection(
                    address,
                    checked.port,
                    timeout=timeout,
                    # SNI and certificate check use the host name, the socket the checked address.
                    server_hostname=None if checked.is_ip_literal else checked.host,
                    ssl_context=self._ssl_context,
                )
            else:
                conn = _WatchedHTTPConnection(address, checked.port, timeout=timeout)
            conn.watch = watch
            try:
                conn.connect()
                return conn
            except NewConnectionError as exc:  # refused, unreachable: try the next address
                conn.close()
                failure = NetworkError(f"cannot connect to {address}: {_reason(exc)}", checked.url)
            except ConnectTimeoutError:
                conn.close()
                failure = Timeout(f"connecting to {address} took more than {timeout:g} s", checked.url)
            except BaseException:
                conn.close()
                raise
            if watch.fired:
                break
        assert failure is not None  # addresses is never empty
        raise failure

    def _read_body(
        self, response: BaseHTTPResponse, checked: CheckedUrl, max_bytes: int | None, truncate: bool
    ) -> bytes:
        """The decoded body, stopping as soon as it passes the cap (before decompressing more)."""
        limit = self.settings.max_body_bytes if max_bytes is None else max_bytes
        declared = response.headers.get("content-length", "")
        if not truncate and declared.isdigit() and int(declared) > limit:
            raise TooLarge(f"body of {declared} bytes announced, more than {limit}", checked.url)
        body = bytearray()
        while True:
            # urllib3 decodes at most the amount asked for per read, however compressed the input.
            chunk = response.read(min(_CHUNK, limit + 1 - len(body)))
            if not chunk:
                return bytes(body)
            body += chunk
            if len(body) > limit:
                if truncate:
                    return bytes(body[:limit])
                raise TooLarge(f"body larger than {limit} bytes after decoding", checked.url)

    def _translate(self, exc: Exception, checked: CheckedUrl, watch: Watch) -> FetchError | None:
        """The ``FetchError`` for a network-level exception; None for anything else (a bug: re-raised)."""
        url = checked.url
        if watch.fired:
            return Timeout(self._total_message(), url)
        if isinstance(exc, ReadTimeoutError | TimeoutError):
            return Timeout(f"no data for {self.settings.read_timeout:g} s", url)
        if isinstance(exc, SSLError | ssl.SSLError):
            return NetworkError(f"TLS failure: {_reason(exc)}", url)
        if isinstance(exc, DecodeError):
            return NetworkError(f"cannot decode the body: {_reason(exc)}", url)
        if isinstance(exc, HTTPError | http.client.HTTPException | OSError):
            return NetworkError(f"{type(exc).__name__}: {_reason(exc)}", url)
        return None

    def _total_message(self) -> str:
        return f"no complete answer within the total deadline of {self.settings.total_timeout:g} s"

    # -- robots.txt -------------------------------------------------------------------------

    def _fetch_robots(self, url: str) -> tuple[int, bytes]:
        """robots.txt: same guard, limiter and deadlines, no robots check, no retries, body truncated."""
        deadline = _Deadline(self.settings.total_timeout)
        _, answer = self._follow(
            url,
            deadline,
            {},
            max_hops=ROBOTS_MAX_REDIRECTS,
            robots=False,
            retries=False,
            max_bytes=self.settings.robots_max_bytes,
            truncate=True,
        )
        return answer.status, answer.body


def _reason(exc: BaseException) -> str:
    """The operating system's or TLS library's words, without urllib3's wrapping."""
    cause = exc.__cause__ or exc.__context__
    if isinstance(exc, NewConnectionError) and isinstance(cause, OSError) and cause.strerror:
        return cause.strerror
    text = str(exc)
    return text.split(": ", 1)[1] if text.startswith("<") and ": " in text else text


def _ssl_context(ca_file: str | None) -> ssl.SSLContext:
    context = create_urllib3_context()
    if ca_file:
        context.load_verify_locations(cafile=ca_file)
    else:
        context.load_default_certs()
    return context
