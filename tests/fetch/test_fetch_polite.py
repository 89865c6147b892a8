"""Politeness against real servers: robots.txt, Crawl-delay, the per-host limiter, retries
with back-off, Retry-After."""

from __future__ import annotations

import email.utils
import http.server
import itertools
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest

from veracity.fetch import (
    Fetcher,
    HostLimiter,
    HttpStatus,
    RobotsDisallowed,
    Timeout,
    parse_retry_after,
)

from .support import Server, fast, reply

ROBOTS = b"""\
# a comment
User-agent: *
Disallow: /private
Allow: /private/ok$
Disallow: /*.pdf$
Disallow: /search?*q=

Sitemap: https://example.org/sitemap.xml
"""


def _get_status(fetcher: Fetcher, url: str) -> int | str:
    try:
        return fetcher.get(url).status
    except RobotsDisallowed:
        return "robots"


# -- robots.txt ------------------------------------------------------------------------------
def test_robots_rules_with_wildcards_and_end_anchors(server: Server) -> None:
    server.static("/robots.txt", ROBOTS)
    for path in ["/", "/news/a", "/private/ok", "/doc.pdf?download=1", "/doc.pdfx", "/search?page=2"]:
        server.static(path.split("?")[0], b"ok")
    fetcher = Fetcher(fast())
    allowed = ["/", "/news/a", "/private/ok", "/doc.pdf?download=1", "/doc.pdfx", "/search?page=2"]
    refused = ["/private", "/private/", "/private/ok/more", "/doc.pdf", "/a/b/c.pdf", "/search?x=1&q=war"]
    assert {p: _get_status(fetcher, server.url(p)) for p in allowed} == dict.fromkeys(allowed, 200)
    assert {p: _get_status(fetcher, server.url(p)) for p in refused} == dict.fromkeys(refused, "robots")
    asked = {s.path for s in server.seen}
    assert not asked & set(refused)  # refused URLs never reached the server
    assert server.hits("/robots.txt") == 1  # cached per origin


def test_the_veracity_group_wins_over_the_star_group(server: Server) -> None:
    server.static("/robots.txt", b"User-agent: *\nDisallow: /\n\nUser-agent: veracity\nDisallow: /drafts/\n")
    server.static("/story", b"ok")
    fetcher = Fetcher(fast())
    assert fetcher.get(server.url("/story")).status == 200
    with pytest.raises(RobotsDisallowed, match="disallows it for veracity"):
        fetcher.get(server.url("/drafts/x"))
    with pytest.raises(RobotsDisallowed):  # another agent token falls into the * group
        Fetcher(fast(robots_agent="otherbot")).get(server.url("/story"))


@pytest.mark.parametrize("status", [404, 403, 401, 410])
def test_robots_4xx_means_everything_allowed(status: int, server: Server) -> None:
    server.static("/robots.txt", b"User-agent: *\nDisallow: /\n", status=status)
    server.static("/page", b"ok")
    assert Fetcher(fast()).get(server.url("/page")).body == b"ok"


@pytest.mark.parametrize("status", [500, 503, 429])
def test_robots_5xx_means_disallowed_for_now(status: int, server: Server) -> None:
    server.static("/robots.txt", b"", status=status)
    server.static("/page", b"ok")
    fetcher = Fetcher(fast(robots_error_ttl=0.3))
    with pytest.raises(RobotsDisallowed, match=f"HTTP {status}"):
        fetcher.get(server.url("/page"))
    with pytest.raises(RobotsDisallowed):
        fetcher.get(server.url("/page"))
    assert server.hits("/page") == 0 and server.hits("/robots.txt") == 1  # robots.txt is not retried at once
    server.static("/robots.txt", b"User-agent: *\nAllow: /\n")
    time.sleep(0.35)  # past robots_error_ttl, it is asked again
    assert fetcher.get(server.url("/page")).body == b"ok"
    assert server.hits("/robots.txt") == 2


def test_robots_timeout_means_disallowed(server: Server) -> None:
    def slow(h: http.server.BaseHTTPRequestHandler) -> None:
        time.sleep(1.0)
        reply(h, 200, b"User-agent: *\nAllow: /\n")

    server.route("/robots.txt", slow)
    server.static("/page", b"ok")
    started = time.monotonic()
    with pytest.raises(RobotsDisallowed) as info:
        Fetcher(fast(read_timeout=0.3)).get(server.url("/page"))
    assert isinstance(info.value.cause, Timeout) and time.monotonic() - started < 0.9
    assert server.hits("/page") == 0


def test_robots_redirects_are_followed(server: Server) -> None:
    server.static("/robots.txt", status=301, headers={"Location": "/real-robots.txt"})
    server.static("/real-robots.txt", b"User-agent: *\nDisallow: /x\n")
    server.static("/y", b"ok")
    fetcher = Fetcher(fast())
    assert fetcher.get(server.url("/y")).status == 200
    with pytest.raises(RobotsDisallowed):
        fetcher.get(server.url("/x"))


def test_robots_is_fetched_once_by_concurrent_threads(server: Server) -> None:
    def robots(h: http.server.BaseHTTPRequestHandler) -> None:
        time.sleep(0.1)
        reply(h, 200, b"User-agent: *\nAllow: /\n")

    server.route("/robots.txt", robots)
    server.static("/p", b"ok")
    fetcher = Fetcher(fast(max_per_host=8))
    threads = [threading.Thread(target=fetcher.get, args=(server.url("/p"),)) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert server.hits("/robots.txt") == 1 and server.hits("/p") == 6


def test_crawl_delay_spaces_requests(server: Server) -> None:
    server.static("/robots.txt", b"User-agent: *\nCrawl-delay: 0.25\n")
    server.static("/p", b"ok")
    fetcher = Fetcher(fast())
    for _ in range(3):
        fetcher.get(server.url("/p"))
    starts = [s.at for s in server.seen if s.path == "/p"]
    assert min(b - a for a, b in itertools.pairwise(starts)) >= 0.2  # 0.25 apart when sent; transit varies


def test_crawl_delay_is_capped(server: Server) -> None:
    server.static("/robots.txt", b"User-agent: *\nCrawl-delay: 3600\n")
    server.static("/p", b"ok")
    fetcher = Fetcher(fast(max_crawl_delay=0.1))
    started = time.monotonic()
    for _ in range(3):
        fetcher.get(server.url("/p"))
    assert time.monotonic() - started < 1.0


# -- the per-host limiter --------------------------------------------------------------------
class SlowPage:
    """A route that takes ``seconds`` to answer and counts how many requests it holds at once.

    The count drops before the answer is written, so a client cannot have its answer (and
    start its next request) while the request it answered is still counted.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.in_flight = 0
        self.most = 0
        self._lock = threading.Lock()

    def __call__(self, h: http.server.BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
        time.sleep(self.seconds)
        with self._lock:
            self.in_flight -= 1
        reply(h, 200, b"ok")


def _run_parallel(calls: Sequence[Callable[[], object]]) -> None:
    threads = [threading.Thread(target=call) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)


def test_at_most_two_requests_in_flight_per_host(server: Server) -> None:
    page = SlowPage(0.15)
    server.route("/slow", page)
    fetcher = Fetcher(fast())
    _run_parallel([partial(fetcher.get, server.url("/slow")) for _ in range(6)])
    assert server.hits("/slow") == 6
    assert page.most == 2


def test_one_limiter_shared_by_two_fetchers(server: Server) -> None:
    page = SlowPage(0.15)
    server.route("/slow", page)
    shared = HostLimiter(max_concurrent=2, min_delay=0)
    first, second = Fetcher(fast(), limiter=shared), Fetcher(fast(), limiter=shared)
    _run_parallel([partial(f.get, server.url("/slow")) for f in (first, second) for _ in range(3)])
    assert page.most == 2 and server.hits("/slow") == 6


def test_minimum_delay_between_requests_to_a_host(server: Server) -> None:
    server.static("/p", b"ok")
    fetcher = Fetcher(fast(min_host_delay=0.2))
    _run_parallel([partial(fetcher.get, server.url("/p")) for _ in range(3)])
    starts = sorted(s.at for s in server.seen)  # robots.txt included: it goes through the limiter too
    assert len(starts) == 4
    assert min(b - a for a, b in itertools.pairwise(starts)) >= 0.15  # 0.2 apart when sent; transit varies


def test_limiter_defer_and_other_hosts() -> None:
    limiter = HostLimiter(max_concurrent=1, min_delay=0)
    limiter.defer("a.example", 0.2)
    started = time.monotonic()
    with limiter.slot("b.example") as waited:  # other hosts are not held up
        assert waited < 0.05
    with limiter.slot("a.example") as waited:
        assert waited >= 0.15
    assert time.monotonic() - started >= 0.15


# -- retries and Retry-After -----------------------------------------------------------------
def _flaky(
    statuses: list[int], headers: dict[str, str] | None = None
) -> Callable[[http.server.BaseHTTPRequestHandler], None]:
    answers = iter(statuses)

    def route(h: http.server.BaseHTTPRequestHandler) -> None:
        status = next(answers, 200)
        reply(h, status, b"ok" if status == 200 else b"", headers if status != 200 else None)

    return route


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_retryable_statuses_are_retried(status: int, server: Server) -> None:
    server.route("/p", _flaky([status, status]))
    result = Fetcher(fast()).get(server.url("/p"))
    assert result.body == b"ok" and server.hits("/p") == 3


@pytest.mark.parametrize("status", [400, 403, 404, 410, 501])
def test_other_statuses_are_not_retried(status: int, server: Server) -> None:
    server.route("/p", _flaky([status]))
    with pytest.raises(HttpStatus) as info:
        Fetcher(fast()).get(server.url("/p"))
    assert info.value.status == status and server.hits("/p") == 1


def test_retries_are_bounded(server: Server) -> None:
    server.route("/p", _flaky([503] * 10))
    with pytest.raises(HttpStatus) as info:
        Fetcher(fast(max_retries=2)).get(server.url("/p"))
    assert info.value.status == 503 and server.hits("/p") == 3


def test_backoff_grows_and_stays_bounded(server: Server) -> None:
    server.route("/p", _flaky([500, 500, 500]))
    Fetcher(fast(backoff_base=0.05, backoff_max=0.12)).get(server.url("/p"))
    starts = [s.at for s in server.seen if s.path == "/p"]
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    # equal jitter: attempt n waits between cap/2 and cap, cap = min(backoff_max, base * 2**n)
    slack = 0.15  # request round trips under load
    assert 0.025 <= gaps[0] < 0.05 + slack
    assert 0.05 <= gaps[1] < 0.10 + slack
    assert 0.06 <= gaps[2] < 0.12 + slack


def test_retry_after_seconds_is_honoured(server: Server) -> None:
    server.route("/p", _flaky([503], {"Retry-After": "1"}))
    result = Fetcher(fast()).get(server.url("/p"))
    starts = [s.at for s in server.seen if s.path == "/p"]
    assert result.status == 200 and starts[1] - starts[0] >= 0.95


def test_retry_after_http_date_is_honoured(server: Server) -> None:
    when = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=2), usegmt=True)
    server.route("/p", _flaky([429], {"Retry-After": when}))
    assert Fetcher(fast()).get(server.url("/p")).status == 200
    starts = [s.at for s in server.seen if s.path == "/p"]
    assert 0.9 <= starts[1] - starts[0] < 2.5  # the date has whole seconds


def test_retry_after_beyond_the_cap_fails_at_once(server: Server) -> None:
    server.route("/p", _flaky([503], {"Retry-After": "3600"}))
    started = time.monotonic()
    with pytest.raises(HttpStatus) as info:
        Fetcher(fast(retry_after_max=2)).get(server.url("/p"))
    assert info.value.retry_after == 3600 and info.value.status == 503
    assert time.monotonic() - started < 0.5 and server.hits("/p") == 1


def test_retry_after_longer_than_the_deadline_fails_at_once(server: Server) -> None:
    server.route("/p", _flaky([503], {"Retry-After": "2"}))
    started = time.monotonic()
    with pytest.raises(HttpStatus):
        Fetcher(fast(total_timeout=1.0)).get(server.url("/p"))
    assert time.monotonic() - started < 0.5


def test_parse_retry_after() -> None:
    now = datetime(2024, 11, 6, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == 120
    assert parse_retry_after(" 0 ", now) == 0
    assert parse_retry_after("Wed, 06 Nov 2024 12:00:30 GMT", now) == 30
    assert parse_retry_after("Wed, 06 Nov 2024 11:00:00 GMT", now) == 0  # in the past
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after("-5", now) is None
    assert parse_retry_after(None, now) is None
