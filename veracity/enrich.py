"""After-ingest stages: what runs on each article that was stored new or changed.

Ingest, fetch and the crawler store articles; then each stage below runs over the ids that
changed, in order: story assignment, analysis (entities, quotes, claims), fact-check
matching, the verdict. A stage is a plain function ``(store, settings, ids) -> StageResult``:
it reads what it needs from the store, writes its own tables, records per-article failures
and goes on. Re-running a stage on the same ids changes nothing (idempotent), so a killed
run is completed by running it again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from veracity.settings import Settings
from veracity.store.sql import SqlStore


@dataclass
class StageResult:
    """What one stage did: how many articles it processed and which failed, with why."""

    name: str
    done: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (article id, reason)


Stage = Callable[[SqlStore, Settings, Sequence[str]], StageResult]


def _match_factchecks(store: SqlStore, settings: Settings, ids: Sequence[str]) -> StageResult:
    from veracity.factchecks.match import match_articles  # imported here: that module imports this one

    return match_articles(store, settings, ids)


# The stages, in the order they run. Each part of the pipeline adds its entry point here.
STAGES: list[Stage] = [_match_factchecks]


def enrich(store: SqlStore, settings: Settings, ids: Sequence[str]) -> list[StageResult]:
    """Run every stage over ``ids`` (article ids that were stored new or changed)."""
    results = []
    for stage in STAGES:
        results.append(stage(store, settings, list(ids)))
    return results
