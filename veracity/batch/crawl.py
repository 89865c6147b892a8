"""``veracity run --engine ray``: a crawl pass's due URLs fetched, extracted and stored by Ray tasks.

The pass itself (polling feeds, choosing due URLs) stays in the driver; the due URLs, in
the crawler's host-interleaved order, go out in batches of ``batch.chunk_records`` to
tasks, each running the crawler's own :meth:`~veracity.crawl.run.Crawler.fetch_list` on a
worker. Politeness holds for the whole cluster: every worker's fetcher asks the one
:class:`HostLimits` actor for its per-host slots (``fetch.max_per_host`` in flight,
``fetch.min_host_delay`` between starts, robots.txt ``Crawl-delay`` and ``Retry-After``),
timed by the actor's clock alone.

A slot is a lease: a worker killed mid-request never releases its slot, so the actor
takes back slots held longer than twice ``fetch.total_timeout`` (the longest a fetch
attempt may hold one). A batch whose worker died runs again; URLs it had stored come back
``unchanged`` (upserts are idempotent).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from datetime import datetime
from typing import Any

import ray

from veracity.batch.ray_engine import RETRIES, _store_for, connect
from veracity.crawl.run import Crawler, CrawlReport, Stop
from veracity.fetch import Fetcher
from veracity.fetch.limiter import HostLimiter
from veracity.ingest.read import Failure
from veracity.settings import Settings
from veracity.store.sources import DueUrl


@ray.remote(num_cpus=0, max_concurrency=256)  # type: ignore[call-overload]
class HostLimits:
    """The cluster's one per-host limiter: a :class:`HostLimiter` whose slots are leases.

    Threaded actor: callers waiting for a slot block in the actor's threads, as threads of
    one process would wait on a shared ``HostLimiter``.
    """

    def __init__(self, max_concurrent: int, min_delay: float, lease_seconds: float) -> None:
        self.limiter = HostLimiter(max_concurrent, min_delay)
        self.lease_seconds = lease_seconds
        self.leases: dict[int, tuple[str, float]] = {}  # token -> (host, taken at)
        self.tokens = itertools.count(1)
        self.lock = threading.Lock()

    def acquire(self, host: str, delay: float | None) -> tuple[int, float]:
        """Wait for a slot for ``host``; (lease token, seconds waited)."""
        self._expire()
        waited = self.limiter.acquire(host, delay)
        with self.lock:
            token = next(self.tokens)
            self.leases[token] = (host, time.monotonic())
        return token, waited

    def release(self, token: int) -> None:
        with self.lock:
            lease = self.leases.pop(token, None)
        if lease is not None:  # an expired lease was released already
            self.limiter.release(lease[0])

    def defer(self, host: str, seconds: float) -> None:
        self.limiter.defer(host, seconds)

    def _expire(self) -> None:
        now = time.monotonic()
        with self.lock:
            stale = [t for t, (_, taken) in self.leases.items() if now - taken > self.lease_seconds]
            hosts = [self.leases.pop(t)[0] for t in stale]
        for host in hosts:
            self.limiter.release(host)


class ClusterLimiter(HostLimiter):
    """What a worker's :class:`Fetcher` uses instead of its own limiter: the :class:`HostLimits` actor."""

    def __init__(self, actor: Any) -> None:
        super().__init__()
        self.actor = actor
        self.held = threading.local()  # per fetch thread: lease tokens by host, newest last

    def acquire(self, host: str, delay: float | None = None) -> float:
        token, waited = ray.get(self.actor.acquire.remote(host, delay))
        self._tokens().setdefault(host, []).append(token)
        return float(waited)

    def release(self, host: str) -> None:
        tokens = self._tokens().get(host)
        if tokens:
            ray.get(self.actor.release.remote(tokens.pop()))

    def defer(self, host: str, seconds: float) -> None:
        ray.get(self.actor.defer.remote(host, seconds))

    def _tokens(self) -> dict[str, list[int]]:
        if not hasattr(self.held, "tokens"):
            self.held.tokens = {}
        tokens: dict[str, list[int]] = self.held.tokens
        return tokens


_FETCHERS: dict[Any, Fetcher] = {}  # per worker process and limiter actor: one fetcher (robots.txt cache)


@ray.remote(max_retries=RETRIES)
def _fetch_batch(url: str, settings: Settings, due: list[DueUrl], now: datetime, limits: Any) -> CrawlReport:
    key = limits._actor_id.hex()
    fetcher = _FETCHERS.get(key)
    if fetcher is None:
        fetcher = _FETCHERS[key] = Fetcher(settings.fetch, limiter=ClusterLimiter(limits))
    report = CrawlReport()
    Crawler(_store_for(url), settings, fetcher).fetch_list(due, now, report, lambda: False)
    return report


class RayFetchDue:
    """The crawler's ``fetch_due_with`` hook: due URLs in batches to Ray tasks, reports merged in order."""

    def __init__(self, settings: Settings) -> None:
        self.started = connect(settings)
        f = settings.fetch
        self.limits = HostLimits.remote(f.max_per_host, f.min_host_delay, 2 * f.total_timeout)  # type: ignore[attr-defined]
        cpus = int(ray.cluster_resources().get("CPU", 1))  # type: ignore[no-untyped-call]
        self.window = settings.batch.in_flight or max(4, 2 * cpus)

    def __call__(self, crawler: Crawler, due: list[DueUrl], now: datetime, report: CrawlReport, stop: Stop) -> None:
        url = crawler.store.engine.url.render_as_string(hide_password=False)
        size = crawler.settings.batch.chunk_records
        batches = deque(due[i : i + size] for i in range(0, len(due), size))
        running: deque[tuple[list[DueUrl], Any]] = deque()
        while batches or running:
            while batches and len(running) < self.window and not stop():
                part = batches.popleft()
                running.append((part, _fetch_batch.remote(url, crawler.settings, part, now, self.limits)))
            if not running:
                report.stopped = True
                return
            part, ref = running.popleft()
            try:
                got: CrawlReport = ray.get(ref)
            except ray.exceptions.RayError as exc:
                got = CrawlReport(failures=[Failure(u.url, f"crawl task failed: {exc}") for u in part])
            report.counts.update(got.counts)
            report.failures.extend(got.failures)
            report.changed.extend(got.changed)
            if stop() and batches:
                report.stopped = True
                batches.clear()

    def close(self) -> None:
        if self.started:
            ray.shutdown()
