"""robots.txt (RFC 9309) with Protego, cached per origin.

2xx: the rules (``*`` and ``$`` patterns, longest match, Allow over Disallow on ties) and
``Crawl-delay``; 4xx other than 429, or more than 5 redirects: everything allowed; 429, 5xx,
timeouts and network errors: everything disallowed for ``robots_error_ttl`` seconds.
One fetch per origin at a time; other threads wait for its answer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from protego import Protego

from veracity.fetch.errors import FetchError, RobotsDisallowed, TooManyRedirects
from veracity.fetch.guard import CheckedUrl
from veracity.fetch.settings import FetchSettings

#: Fetches a robots.txt URL and returns (status, body); raises ``FetchError``.
RobotsFetch = Callable[[str], tuple[int, bytes]]

_PRUNE_ABOVE = 4096


@dataclass(frozen=True, slots=True)
class _Entry:
    parser: Protego | None
    unavailable: str | None  # why everything is disallowed for now, or None
    expires: float
    cause: FetchError | None = None


class RobotsCache:
    """Answers "may veracity fetch this URL, and how slowly?" for every origin it meets."""

    def __init__(self, settings: FetchSettings, fetch: RobotsFetch, clock: Callable[[], float] = time.monotonic):
        self.settings = settings
        self._fetch = fetch
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}
        self._loading: dict[str, threading.Lock] = {}

    def check(self, checked: CheckedUrl) -> float | None:
        """The Crawl-delay to keep for ``checked``'s host (capped), or raise ``RobotsDisallowed``."""
        entry = self._entry(checked.origin)
        if entry.unavailable is not None:
            message = f"robots.txt unavailable ({entry.unavailable}): disallowed for now"
            raise RobotsDisallowed(message, checked.url, entry.cause)
        if entry.parser is None:
            return None
        agent = self.settings.robots_agent
        if not entry.parser.can_fetch(checked.url, agent):
            raise RobotsDisallowed(f"robots.txt of {checked.origin} disallows it for {agent}", checked.url)
        delay = entry.parser.crawl_delay(agent)
        return None if delay is None else min(float(delay), self.settings.max_crawl_delay)

    def _entry(self, origin: str) -> _Entry:
        with self._lock:
            entry = self._entries.get(origin)
            if entry is not None and entry.expires > self._clock():
                return entry
            loading = self._loading.setdefault(origin, threading.Lock())
        with loading:
            with self._lock:
                entry = self._entries.get(origin)
                if entry is not None and entry.expires > self._clock():
                    return entry
            entry = self._load(origin)
            with self._lock:
                self._entries[origin] = entry
                self._prune()
            return entry

    def _load(self, origin: str) -> _Entry:
        now = self._clock()
        allow_all = _Entry(None, None, now + self.settings.robots_ttl)
        try:
            status, body = self._fetch(origin + "/robots.txt")
        except TooManyRedirects:
            return allow_all
        except FetchError as exc:
            return _Entry(None, f"{type(exc).__name__}: {exc.message}", now + self.settings.robots_error_ttl, exc)
        if 200 <= status < 300:
            text = body.decode("utf-8", errors="replace").lstrip("\ufeff")
            return _Entry(Protego.parse(text), None, now + self.settings.robots_ttl)
        if 400 <= status < 500 and status != 429:
            return allow_all
        return _Entry(None, f"HTTP {status}", now + self.settings.robots_error_ttl)

    def _prune(self) -> None:
        if len(self._entries) <= _PRUNE_ABOVE:
            return
        now = self._clock()
        for origin in [o for o, e in self._entries.items() if e.expires <= now]:
            del self._entries[origin]
            lock = self._loading.get(origin)
            if lock is not None and not lock.locked():
                del self._loading[origin]
