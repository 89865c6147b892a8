"""The stage functions both engines run, and the report that counts them per stage.

A chunk is a run of consecutive raw items of the input (read failures included, so they
are reported in the order they happened). Its life: :func:`extract_chunk` (pure: raw items
in, articles or failures out), :func:`store_chunk` (upserts in item order), then the ids it
stored new or changed go to the enrich stages (:func:`run_stages`), chunk after chunk in
input order. Engines differ only in where and when these run.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from veracity.article import Article
from veracity.enrich import Stage, StageResult
from veracity.ingest.pipeline import IngestReport, extract_item, read_inputs, store_article
from veracity.ingest.read import Failure, Item, RawItem, expand
from veracity.settings import Settings
from veracity.store.base import Outcome
from veracity.store.schema import versions
from veracity.store.sql import SqlStore

Extracted = Article | Failure
Stored = tuple[str, Outcome] | Failure  # (article id, what the upsert did)


@dataclass(frozen=True, slots=True)
class Chunk:
    """Consecutive items of the input, with the input's progress in bytes after them."""

    index: int
    items: list[Item]
    position: int = 0
    total: int | None = None
    read: int = -1  # items read into the chunk (its items may have been dropped since)

    def __post_init__(self) -> None:
        if self.read < 0:
            object.__setattr__(self, "read", len(self.items))

    def without_items(self) -> Chunk:
        """The chunk's counts and progress only (what a driver keeps while workers hold the items)."""
        return Chunk(self.index, [], self.position, self.total, self.read)


def unique_paths(paths: Sequence[str]) -> list[str]:
    """The files ``paths`` name (folders expanded), each once, in order; ``-`` (stdin) kept.

    A record read twice in one run would look like a retried write of itself
    (:func:`store_chunk` would skip it), so a file named twice, or named and inside a
    folder also named, is read once.
    """
    seen: set[Path] = set()
    out: list[str] = []
    for name, path in expand(list(paths)):
        if path is not None:
            key = path.resolve()
            if key in seen:
                continue
            seen.add(key)
        out.append(name)
    return out


def chunks(paths: Sequence[str], settings: Settings) -> Iterator[Chunk]:
    """The inputs' items in chunks of ``batch.chunk_records`` items or ``batch.chunk_bytes`` bytes."""
    progress: list[tuple[int, int | None]] = [(0, None)]

    def on_progress(done: int, total: int | None) -> None:
        progress[0] = (done, total)

    items: list[Item] = []
    size = index = 0
    for item in read_inputs(unique_paths(paths), settings, on_progress):
        items.append(item)
        size += _payload_size(item)
        if len(items) >= settings.batch.chunk_records or size >= settings.batch.chunk_bytes:
            yield Chunk(index, items, *progress[0])
            items, size, index = [], 0, index + 1
    if items:
        yield Chunk(index, items, *progress[0])


def _payload_size(item: Item) -> int:
    if isinstance(item, RawItem) and isinstance(item.payload, bytes | str):
        return len(item.payload)
    return 1024  # records and feed entries: small parsed objects


def extract_chunk(items: Iterable[Item], settings: Settings) -> list[Extracted]:
    """The extract stage over a chunk: an Article or a Failure per item, in item order."""
    return [item if isinstance(item, Failure) else extract_item(item, settings) for item in items]


def article_ids(extracted: Iterable[Extracted]) -> list[str]:
    """The ids of the articles extracted, in item order (what decides which writes must wait)."""
    return [e.id for e in extracted if isinstance(e, Article)]


def store_chunk(store: SqlStore, extracted: Sequence[Extracted], seen_at: datetime) -> list[Stored]:
    """The store stage over a chunk, in item order; failures pass through.

    Safe to run again (at-least-once execution). Items are stored in order, one
    transaction each, so when an earlier attempt of this chunk was killed, the items up to
    the last one it wrote a version from were all done: they are not stored again (a
    record of an article that a later record changed would otherwise come back as one more
    version) but counted as that attempt did, and the rest are stored. Counts, versions
    and the ids fed to the enrich stages equal those of a run without the kill.
    """
    done = _written_before(store, extracted, seen_at)
    last = max((i for i, e in enumerate(extracted) if isinstance(e, Article) and e.source in done), default=-1)
    out: list[Stored] = []
    for i, article in enumerate(extracted):
        if isinstance(article, Failure):
            out.append(article)
        elif i <= last:
            number = done.get(article.source)
            outcome = Outcome.UNCHANGED if number is None else Outcome.INGESTED if number == 1 else Outcome.UPDATED
            out.append((article.id, outcome))
        else:
            result = store_article(article, store, seen_at)
            out.append(result if isinstance(result, Failure) else (article.id, result))
    return out


def _written_before(store: SqlStore, extracted: Sequence[Extracted], seen_at: datetime) -> dict[str, int]:
    """Record name -> version number, for the versions this run (``seen_at``) wrote from these records."""
    wanted = {(e.id, e.source) for e in extracted if isinstance(e, Article)}
    if not wanted:
        return {}
    query = select(versions.c.article_id, versions.c.source, versions.c.number, versions.c.seen_at).where(
        versions.c.article_id.in_(sorted({aid for aid, _ in wanted}))
    )
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return {r.source: r.number for r in rows if r.seen_at == seen_at and (r.article_id, r.source) in wanted}


def changed_ids(stored: Iterable[Stored]) -> list[str]:
    """Ids stored new or changed, in item order, each once: what the enrich stages get."""
    out: dict[str, None] = {}
    for s in stored:
        if not isinstance(s, Failure) and s[1] is not Outcome.UNCHANGED:
            out[s[0]] = None
    return list(out)


def run_stages(store: SqlStore, settings: Settings, ids: Sequence[str], stages: Sequence[Stage]) -> list[StageResult]:
    """Every stage over ``ids``, in order; a stage that raises fails those ids and the batch goes on."""
    results = []
    for stage in stages:
        name = getattr(stage, "__name__", repr(stage))
        try:
            results.append(stage(store, settings, list(ids)))
        except Exception as exc:
            reason = f"stage {name} failed: {type(exc).__name__}: {exc}"
            results.append(StageResult(name, 0, [(i, reason) for i in ids]))
    return results


@dataclass
class BatchReport(IngestReport):
    """The ingest counts (same summary line as ``ingest``) plus counts per stage.

    ``read``: items the readers produced (read failures included); ``extracted``: articles
    extracted; ``stored``: articles upserted (ingested + updated + unchanged); ``failed``:
    items that failed at any stage. ``enriched``: per enrich stage, articles done and failed.
    """

    read: int = 0
    extracted: int = 0
    stored: int = 0
    chunks: int = 0
    position: int = 0
    total_bytes: int | None = None
    enriched: dict[str, list[int]] = field(default_factory=dict)  # stage name -> [done, failed]
    stage_failures: list[tuple[str, str, str]] = field(default_factory=list)  # (stage, id, reason)

    def extracted_chunk(self, chunk: Chunk, extracted: int) -> None:
        """A chunk was read and extracted: ``extracted`` articles came out of its items."""
        self.read += chunk.read
        self.extracted += extracted
        self.position, self.total_bytes = chunk.position, chunk.total

    def stored_chunk(self, stored: Sequence[Stored]) -> None:
        self.chunks += 1
        for s in stored:
            if isinstance(s, Failure):
                self.fail(s)
            else:
                self.add(s[1], s[0])
                self.stored += 1

    def enriched_chunk(self, results: Sequence[StageResult]) -> None:
        for r in results:
            done_failed = self.enriched.setdefault(r.name, [0, 0])
            done_failed[0] += r.done
            done_failed[1] += len(r.failures)
            self.stage_failures.extend((r.name, aid, why) for aid, why in r.failures)

    def stage_line(self) -> str:
        """The counts per stage, e.g. ``read=300 extracted=298 stored=298 failed=2``."""
        line = f"read={self.read} extracted={self.extracted} stored={self.stored} failed={len(self.failures)}"
        for name, (done, failed) in self.enriched.items():
            line += f" {name}={done}" + (f"/{failed} failed" if failed else "")
        return line
