"""Per-host politeness: at most N requests in flight and a minimum delay between starts.

One ``HostLimiter`` may be shared by every ``Fetcher`` of a process (pass it in), so the
limits hold for the whole crawler, not per fetcher. Thread-safe.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

_PRUNE_ABOVE = 4096  # idle host entries are dropped past this many hosts


@dataclass(slots=True)
class _Host:
    active: int = 0
    next_start: float = 0.0


class HostLimiter:
    """Gates requests by host name (lower case, no port).

    ``max_concurrent`` requests to a host may be in flight at once, and two starts are at
    least ``min_delay`` seconds apart (a larger per-call delay, e.g. robots.txt
    ``Crawl-delay``, wins). ``defer`` pushes a host's next start back (``Retry-After``).
    """

    def __init__(
        self, max_concurrent: int = 2, min_delay: float = 1.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if max_concurrent < 1:
            raise ValueError("max_concurrent must be at least 1")
        self.max_concurrent = max_concurrent
        self.min_delay = min_delay
        self._clock = clock
        self._cond = threading.Condition()
        self._hosts: dict[str, _Host] = {}

    @contextmanager
    def slot(self, host: str, delay: float | None = None) -> Iterator[float]:
        """Hold a slot for ``host`` for the duration of the block; yields the seconds waited."""
        waited = self.acquire(host, delay)
        try:
            yield waited
        finally:
            self.release(host)

    def acquire(self, host: str, delay: float | None = None) -> float:
        """Block until a request to ``host`` may start; return the seconds waited."""
        spacing = max(self.min_delay, delay or 0.0)
        with self._cond:
            began = now = self._clock()
            while True:
                state = self._hosts.setdefault(host, _Host())  # looked up again: pruning may replace it
                now = self._clock()
                if state.active < self.max_concurrent and now >= state.next_start:
                    break
                self._cond.wait(None if state.active >= self.max_concurrent else state.next_start - now)
            state.active += 1
            state.next_start = max(state.next_start, now + spacing)
            return now - began

    def release(self, host: str) -> None:
        with self._cond:
            state = self._hosts.get(host)
            if state is not None and state.active > 0:
                state.active -= 1
            self._prune()
            self._cond.notify_all()

    def defer(self, host: str, seconds: float) -> None:
        """No request to ``host`` starts within the next ``seconds``."""
        with self._cond:
            state = self._hosts.setdefault(host, _Host())
            state.next_start = max(state.next_start, self._clock() + seconds)
            self._cond.notify_all()

    def _prune(self) -> None:
        if len(self._hosts) <= _PRUNE_ABOVE:
            return
        now = self._clock()
        for name in [n for n, s in self._hosts.items() if s.active == 0 and s.next_start <= now]:
            del self._hosts[name]
