"""After-ingest stages: what runs on each article that was stored new or changed.

Ingest, fetch and the crawler store articles; then each stage runs over the ids that
changed, in order: story assignment, analysis (entities, quotes, claims), fact-check
matching, the verdict. A stage is a plain function ``(store, settings, ids) -> StageResult``:
it reads what it needs from the store, writes its own tables, records per-article failures
and goes on. Re-running a stage on the same ids changes nothing (idempotent), so a killed
run is completed by running it again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from veracity.settings import Settings

if TYPE_CHECKING:
    from veracity.store.sql import SqlStore


@dataclass
class StageResult:
    """What one stage did: how many articles it processed and which failed, with why."""

    name: str
    done: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (article id, reason)


Stage = Callable[["SqlStore", Settings, Sequence[str]], StageResult]


STAGE_NAMES = ("stories", "analysis", "factchecks", "verdict")


def stages(names: Sequence[str] = STAGE_NAMES) -> list[Stage]:
    """The stages named (``Settings.stages``), in the order they run.

    Imported here: each stage module imports this one.
    """
    from veracity.analysis.pipeline import analyse_stage
    from veracity.factchecks.match import match_articles
    from veracity.stories.persist import assign_stories
    from veracity.verdict.judge import verdict_stage

    by_name: dict[str, Stage] = {
        "stories": assign_stories,
        "analysis": analyse_stage,
        "factchecks": match_articles,
        "verdict": verdict_stage,
    }
    names = [n for n in names if n != "none"]
    unknown = [n for n in names if n not in by_name]
    if unknown:
        from veracity.errors import ConfigError

        raise ConfigError(f"unknown stage {unknown[0]!r}; the stages are {', '.join(STAGE_NAMES)}", "stages")
    return [by_name[n] for n in STAGE_NAMES if n in names]


def split_order_free(chosen: Sequence[Stage]) -> tuple[list[Stage], list[Stage]]:
    """``chosen`` split into the stages that may run on any worker in any order, and the rest.

    Analysis and fact-check matching read only the article they work on (and the fact-check
    knowledge base, which a batch does not change), so a batch engine may run them wherever
    the article was stored. Story assignment and the verdict read other articles' results
    (the story index, corroboration, an outlet's track record): they must see the articles
    in input order, in one place. Unknown stages (a test's, a plugin's) count as ordered.
    Each list keeps ``chosen``'s order.
    """
    from veracity.analysis.pipeline import analyse_stage
    from veracity.factchecks.match import match_articles

    free: set[Stage] = {analyse_stage, match_articles}
    return [s for s in chosen if s in free], [s for s in chosen if s not in free]


def enrich(
    store: SqlStore, settings: Settings, ids: Sequence[str], on_stage: Callable[[str], None] | None = None
) -> list[StageResult]:
    """Run every stage over ``ids`` (article ids that were stored new or changed), in batches."""
    results = []
    for stage in stages(settings.stages):
        if on_stage:
            on_stage(getattr(stage, "__name__", "stage"))
        results.append(stage(store, settings, list(ids)))
    return results
