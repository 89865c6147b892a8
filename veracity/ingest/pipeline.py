"""The ingest job: read -> extract -> store for every item, recording per-item failures.

One bad file, record or page never stops a batch: its failure is recorded with the reason
and the run goes on. Each article is stored in its own transaction, so killing the run
leaves whole articles only, and running it again completes it (upserts are idempotent).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from veracity.article import Article
from veracity.errors import VeracityError
from veracity.ingest.convert import to_article
from veracity.ingest.read import Failure, Item, RawItem, expand, read_path
from veracity.settings import Settings
from veracity.store.base import Outcome, Store

Progress = Callable[[int, int | None], None]  # (bytes done, bytes in all or None)


@dataclass
class IngestReport:
    """Counts per outcome and the failures, in the order they happened."""

    counts: Counter[str] = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # ids stored new, as a new version or relabelled, in order

    def add(self, outcome: Outcome, article_id: str | None = None) -> None:
        self.counts[outcome.value] += 1
        if article_id and outcome is not Outcome.UNCHANGED:
            self.changed.append(article_id)

    def fail(self, failure: Failure) -> None:
        self.failures.append(failure)

    def record(self, result: tuple[Outcome, str] | Failure) -> None:
        """Count what the stages did with one item: an outcome (and the article's id), or a failure."""
        if isinstance(result, Failure):
            self.fail(result)
        else:
            self.add(*result)

    @property
    def total(self) -> int:
        return sum(self.counts.values()) + len(self.failures)

    def summary(self) -> str:
        c = self.counts
        relabelled = f" relabelled={c['relabelled']}" if c["relabelled"] else ""  # rare: only shown when it happened
        return (
            f"ingested={c['ingested']} updated={c['updated']} unchanged={c['unchanged']}{relabelled}"
            f" failed={len(self.failures)}"
        )


def read_inputs(paths: list[str], settings: Settings, on_progress: Progress | None = None) -> Iterator[Item]:
    """Every raw item of every input, with progress in bytes across all files."""
    files = list(expand(paths))
    missing = [name for name, path in files if path is not None and not path.exists()]
    sizes = {name: path.stat().st_size for name, path in files if path is not None and path.exists()}
    total = sum(sizes.values()) if "-" not in paths else None
    done = 0
    for name, path in files:
        if name in missing:
            yield Failure(name, "no such file or folder")
            continue
        for item in read_path(name, path, settings):
            if on_progress:
                on_progress(done + min(item.position, sizes.get(name, 0)), total)
            yield item
        done += sizes.get(name, 0)
        if on_progress:
            on_progress(done, total)


def extract_item(item: RawItem, settings: Settings) -> Article | Failure:
    """The extract stage for one item: its Article, or a Failure naming it and why."""
    try:
        return to_article(item, settings)
    except VeracityError as exc:
        return Failure(exc.item or item.source, exc.message)
    except Exception as exc:  # a bug in a stage must not end the batch
        return Failure(item.source, f"unexpected error: {type(exc).__name__}: {exc}")


def store_article(article: Article, store: Store, seen_at: datetime | None = None) -> Outcome | Failure:
    """The store stage for one article: what the upsert did, or a Failure naming it and why."""
    try:
        return store.upsert(article, seen_at=seen_at)
    except VeracityError as exc:
        return Failure(exc.item or article.source, exc.message)
    except Exception as exc:
        return Failure(article.source, f"unexpected error: {type(exc).__name__}: {exc}")


def process_item(
    item: Item, store: Store, settings: Settings, seen_at: datetime | None = None
) -> tuple[Outcome, str] | Failure:
    """Extract and store one item: the outcome and the article's id, or a Failure (a read Failure passes through)."""
    if isinstance(item, Failure):
        return item
    article = extract_item(item, settings)
    if isinstance(article, Failure):
        return article
    outcome = store_article(article, store, seen_at)
    return outcome if isinstance(outcome, Failure) else (outcome, article.id)


def ingest_items(items: Iterable[Item], store: Store, settings: Settings) -> IngestReport:
    report = IngestReport()
    for item in items:
        report.record(process_item(item, store, settings))
    return report


def ingest_paths(
    paths: list[str], store: Store, settings: Settings, on_progress: Progress | None = None
) -> IngestReport:
    """Ingest files, folders (recursively) and ``-`` (stdin) into ``store``."""
    return ingest_items(read_inputs(paths, settings, on_progress), store, settings)
