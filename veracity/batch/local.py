"""The local engine: every stage of a batch in this process, chunk after chunk.

The reference the Ray engine must equal: the same chunks, the same stage functions, in
input order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from veracity.batch.stages import BatchReport, article_ids, changed_ids, chunks, extract_chunk, run_stages, store_chunk
from veracity.enrich import Stage
from veracity.settings import Settings
from veracity.store.sql import SqlStore

OnProgress = Callable[[BatchReport], None]


def run_local(
    paths: Sequence[str],
    store: SqlStore,
    settings: Settings,
    *,
    seen_at: datetime,
    stages: Sequence[Stage],
    on_progress: OnProgress | None = None,
) -> BatchReport:
    """Read, extract, store and enrich ``paths`` into ``store``; counts per stage in the report."""
    report = BatchReport()
    for chunk in chunks(paths, settings):
        extracted = extract_chunk(chunk.items, settings)
        report.extracted_chunk(chunk, len(article_ids(extracted)))
        stored = store_chunk(store, extracted, seen_at)
        report.stored_chunk(stored)
        ids = changed_ids(stored)
        if stages and ids:
            report.enriched_chunk(run_stages(store, settings, ids, stages))
        if on_progress:
            on_progress(report)
    return report
