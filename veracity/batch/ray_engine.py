"""The Ray engine: extraction and storing as Ray tasks, the enrich stages in one actor.

The driver (this process) reads the inputs into chunks (:func:`veracity.batch.stages.chunks`)
and keeps at most ``batch.in_flight`` chunks between reading and enrichment, so its memory
and the object store's are bounded whatever the input's size. Per chunk:

1. ``_extract`` (a task): raw items -> articles or failures, and the articles' ids.
2. ``_store`` (a task, on any worker): the chunk's upserts, in item order, then the enrich
   stages that read only the article they work on (analysis, fact-check matching:
   :func:`veracity.enrich.split_order_free`) over the ids it stored new or changed. These
   are the costly ones (spaCy), so they scale with the workers.
3. ``Enricher.run`` (the one actor): the other enrich stages over those ids. They keep
   indexes (stories) or read other articles' results (the verdict) and must see articles in input order,
   in one place, so the driver sends the actor one call at a time, in chunk order, each
   once the one before it has returned. (Ray runs an actor's calls in submission order,
   but not when it retries them after a restart, which is what a killed actor needs;
   one call in flight keeps the order whatever Ray retries.)

Chunks without an article in common are stored in parallel. A chunk holding an article
that an earlier chunk still in flight also holds waits for that chunk's last task (its
enrich call, else its store task; passed as an argument, so Ray orders them): the versions
of an article are stored in input order, and the stages read each article as its chunk
stored it, exactly as in a single process. Until the earlier chunk's enrich call is sent,
the later chunk, and the chunks read after it, wait in the driver.

At-least-once: a worker killed mid-task makes Ray run the task again. Extraction has no
effects; a store task run again skips what its killed attempt stored and counts it as that
attempt did (:func:`veracity.batch.stages.store_chunk`); the actor is restarted and its
call retried, and enrich stages are idempotent. A chunk whose task fails for good (a node
lost more often than retries allow) is reported as failed items.
"""

from __future__ import annotations

import logging
import os
import socket
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import ray
from ray.exceptions import RayError

from veracity.batch.local import OnProgress
from veracity.batch.stages import (
    BatchReport,
    Chunk,
    Extracted,
    Stored,
    article_ids,
    changed_ids,
    chunks,
    extract_chunk,
    run_stages,
    store_chunk,
)
from veracity.enrich import Stage, StageResult, split_order_free
from veracity.errors import ConfigError
from veracity.ingest.read import Failure
from veracity.settings import Settings
from veracity.store.sql import SqlStore, open_store

RETRIES = 5  # runs of a task after its worker died, before its chunk is failed

_STORES: dict[str, SqlStore] = {}  # per worker process: one engine (connection pool) per database


def _store_for(url: str) -> SqlStore:
    store = _STORES.get(url)
    if store is None:
        store = _STORES[url] = open_store(url)
    return store


@ray.remote(num_returns=2, max_retries=RETRIES)
def _extract(items: list[Any], settings: Settings) -> tuple[list[str], list[Extracted]]:
    extracted = extract_chunk(items, settings)
    return article_ids(extracted), extracted


@ray.remote(num_returns=2, max_retries=RETRIES)
def _store(
    url: str, extracted: list[Extracted], seen_at: datetime, settings: Settings, free: list[Stage], *_after: Any
) -> tuple[list[Stored], list[StageResult]]:
    """Store a chunk and run the order-free stages ``free`` over what it stored new or changed.

    ``_after`` are the last tasks of earlier chunks it must follow (unused values).
    """
    store = _store_for(url)
    stored = store_chunk(store, extracted, seen_at)
    ids = changed_ids(stored)
    return stored, (run_stages(store, settings, ids, free) if ids and free else [])


@ray.remote(num_cpus=0, max_restarts=RETRIES, max_task_retries=RETRIES)
class Enricher:
    """The one place the enrich stages run, fed chunk by chunk in input order."""

    def __init__(self, url: str, settings: Settings, stages: list[Stage]) -> None:
        self.store = open_store(url)
        self.settings = settings
        self.stages = stages

    def run(self, stored: list[Stored]) -> list[StageResult]:
        """The stages over the ids a chunk's store task stored new or changed (``stored``: its result)."""
        ids = changed_ids(stored)
        return run_stages(self.store, self.settings, ids, self.stages) if ids else []


def connect(settings: Settings) -> bool:
    """Join ``batch.ray_address`` (or ``RAY_ADDRESS``), else start a local cluster; True when started here.

    Nothing is done when Ray is already initialised in this process (tests, notebooks).
    """
    if ray.is_initialized():
        return False
    b = settings.batch
    address = b.ray_address or os.environ.get("RAY_ADDRESS") or None
    options: dict[str, Any] = {"logging_level": logging.WARNING, "log_to_driver": False}
    if address is None:
        options |= {"include_dashboard": False, "num_cpus": b.ray_num_cpus or None}
        if b.ray_object_store_mb:
            options["object_store_memory"] = b.ray_object_store_mb * 1024 * 1024
    if address not in (None, "auto", "local"):
        _check_reachable(address)
    try:
        ray.init(address=address, **options)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise ConfigError(f"cannot reach the Ray cluster: {exc}", address or "local cluster") from exc
    return address is None


def _check_reachable(address: str) -> None:
    """Fail at once on an address nothing listens at (Ray itself keeps retrying for minutes)."""
    hostport = address.removeprefix("ray://").rsplit("/", 1)[0]
    host, _, port = hostport.rpartition(":")
    try:
        socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), timeout=10).close()
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot reach the Ray cluster: {exc}", address) from exc


@dataclass
class _InFlight:
    """A chunk between reading and enrichment, as the driver tracks it."""

    chunk: Chunk
    sources: list[str]
    ref: Any  # what the chunk waits for now: its ids (extracting), its outcomes (storing)
    extracted: Any = None
    ids: list[str] | None = None  # its articles' ids, once extracted
    last: Any = None  # the chunk's last task: the enrich call (once sent), else the store task
    free: Any = None  # the store task's second result: the order-free stages' results
    results: list[StageResult] | None = None  # those results, once the store task is done


class _Driver:
    """The driver's side: chunks in flight per stage, each stage's results taken in chunk order."""

    def __init__(self, store: SqlStore, settings: Settings, seen_at: datetime, stages: Sequence[Stage]) -> None:
        self.url = store.engine.url.render_as_string(hide_password=False)
        self.settings = settings
        self.settings_ref = ray.put(settings)
        self.seen_at = seen_at
        self.report = BatchReport()
        cpus = int(ray.cluster_resources().get("CPU", 1))  # type: ignore[no-untyped-call]
        self.window = settings.batch.in_flight or max(4, 2 * cpus)
        free, ordered = split_order_free(stages)
        self.free_ref = ray.put(free)
        # Results are reported per chunk in the order of ``stages``, as the local engine does.
        self.order = [*(stages.index(s) for s in free), *(stages.index(s) for s in ordered)]
        self.enricher = Enricher.remote(self.url, settings, ordered) if ordered else None  # type: ignore[attr-defined]
        self.extracting: deque[_InFlight] = deque()
        self.storing: deque[_InFlight] = deque()
        self.enriching: deque[_InFlight] = deque()
        self.writer: dict[str, _InFlight] = {}  # article id -> the last chunk in flight holding it

    def in_flight(self) -> int:
        return len(self.extracting) + len(self.storing) + len(self.enriching)

    def submit(self, chunk: Chunk) -> None:
        refs: Any = _extract.remote(chunk.items, self.settings_ref)
        ids_ref, extracted_ref = refs
        sources = [i.source for i in chunk.items]
        self.extracting.append(_InFlight(chunk.without_items(), sources, ids_ref, extracted_ref))

    def step(self) -> None:
        """Wait until the oldest chunk of some stage is done, then move every finished head on."""
        heads = [self.extracting[0].ref] if self.extracting and not self._blocked(self.extracting[0]) else []
        heads += [self.storing[0].ref] if self.storing else []
        heads += [self.enriching[0].last] if self.enriching and self.enriching[0].last is not None else []
        if not heads:  # a blocked chunk with nothing else in flight cannot happen: say so rather than spin
            raise RuntimeError("batch driver has nothing to wait for")
        ray.wait(heads, num_returns=1)
        moved = True
        while moved:
            moved = self._extracted() | self._stored() | self._enriched()

    def _ready(self, ref: Any) -> bool:
        return bool(ray.wait([ref], timeout=0)[0])

    def _earlier(self, f: _InFlight) -> list[_InFlight]:
        """The chunks in flight before ``f`` that hold one of its articles (``f``'s ids known)."""
        return list({id(e): e for e in (self.writer[i] for i in f.ids or [] if i in self.writer)}.values())

    def _blocked(self, f: _InFlight) -> bool:
        """Extracted, but an earlier chunk holding one of its articles has no enrich call yet."""
        return f.ids is not None and any(e.last is None for e in self._earlier(f))

    def _extracted(self) -> bool:
        if not self.extracting:
            return False
        f = self.extracting[0]
        if f.ids is None:
            if not self._ready(f.ref):
                return False
            try:
                f.ids = ray.get(f.ref)
            except RayError as exc:
                self.extracting.popleft()
                self.report.extracted_chunk(f.chunk, 0)
                self.report.stored_chunk([Failure(s, f"extraction task failed: {exc}") for s in f.sources])
                return True
            self.report.extracted_chunk(f.chunk, len(f.ids))
        if self._blocked(f):
            return False
        self.extracting.popleft()
        # A later chunk writing one of these articles waits for this chunk's last task, so the
        # stages read each article as stored by this chunk, as in a single process.
        after = (e.last for e in self._earlier(f))
        f.ref, f.free = _store.remote(self.url, f.extracted, self.seen_at, self.settings_ref, self.free_ref, *after)
        f.extracted = None
        if self.enricher is None:
            f.last = f.ref
        for i in f.ids or []:
            self.writer[i] = f
        self.storing.append(f)
        return True

    def _forget(self, f: _InFlight) -> None:
        """The chunk is done: later chunks need not wait for it."""
        for i in f.ids or []:
            if self.writer.get(i) is f:
                del self.writer[i]

    def _stored(self) -> bool:
        if not self.storing or not self._ready(self.storing[0].ref):
            return False
        f = self.storing.popleft()
        try:
            stored: list[Stored] = ray.get(f.ref)
            f.results = ray.get(f.free)
        except RayError as exc:
            stored = [Failure(s, f"store task failed: {exc}") for s in f.sources]
            f.results = []
        self.report.stored_chunk(stored)
        if self.enricher is None:
            self.report.enriched_chunk(f.results)
            self._forget(f)
        else:
            self.enriching.append(f)
        return True

    def _in_stage_order(self, free: list[StageResult], ordered: list[StageResult]) -> list[StageResult]:
        """A chunk's results of both kinds in the order of the stages (one result a stage, or none)."""
        if len(free) + len(ordered) != len(self.order):
            return free + ordered
        return [r for _, r in sorted(zip(self.order, free + ordered, strict=True), key=lambda p: p[0])]

    def _enriched(self) -> bool:
        if not self.enriching:
            return False
        f = self.enriching[0]
        if f.last is None:  # the previous call has returned: this chunk's call goes now
            assert self.enricher is not None  # only then are chunks enriched
            f.last = self.enricher.run.remote(f.ref)
            return True
        if not self._ready(f.last):
            return False
        self.enriching.popleft()
        try:
            ordered: list[StageResult] = ray.get(f.last)
        except RayError as exc:
            ordered = [StageResult("enrich", 0, [("-", f"enrich actor failed: {exc}")])]
        self.report.enriched_chunk(self._in_stage_order(f.results or [], ordered))
        self._forget(f)
        return True


def run_ray(
    paths: Sequence[str],
    store: SqlStore,
    settings: Settings,
    *,
    seen_at: datetime,
    stages: Sequence[Stage],
    on_progress: OnProgress | None = None,
) -> BatchReport:
    """What :func:`veracity.batch.local.run_local` does, spread over a Ray cluster."""
    started = connect(settings)
    try:
        driver = _Driver(store, settings, seen_at, stages)
        for chunk in chunks(paths, settings):
            driver.submit(chunk)
            while driver.in_flight() >= driver.window:
                driver.step()
                if on_progress:
                    on_progress(driver.report)
        while driver.in_flight():
            driver.step()
            if on_progress:
                on_progress(driver.report)
        return driver.report
    finally:
        if started:
            ray.shutdown()


__all__ = ["connect", "run_ray"]
