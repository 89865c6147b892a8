"""``run_batch``: a batch on the engine the settings name (``batch.engine``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from veracity import enrich
from veracity.batch.local import OnProgress, run_local
from veracity.batch.stages import BatchReport
from veracity.enrich import Stage
from veracity.errors import ConfigError
from veracity.settings import Settings
from veracity.store.sql import SqlStore


def run_batch(
    paths: Sequence[str],
    store: SqlStore,
    settings: Settings,
    *,
    seen_at: datetime | None = None,
    stages: Sequence[Stage] | None = None,
    on_progress: OnProgress | None = None,
) -> BatchReport:
    """Read, extract, store and enrich ``paths`` on ``settings.batch.engine``.

    ``seen_at`` is when every version of this run was seen (default: now, to the second):
    one time for the run, so the same input gives the same rows on any engine and a retried
    write is recognised. ``stages`` default to :func:`veracity.enrich.stages`.
    """
    seen = seen_at or datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    chosen = list(enrich.stages(settings.stages) if stages is None else stages)
    if settings.batch.engine == "ray":
        try:
            from veracity.batch.ray_engine import run_ray
        except ImportError as exc:
            raise ConfigError("the ray engine needs Ray: pip install 'veracity[ray]'", "ray") from exc
        return run_ray(paths, store, settings, seen_at=seen, stages=chosen, on_progress=on_progress)
    return run_local(paths, store, settings, seen_at=seen, stages=chosen, on_progress=on_progress)
