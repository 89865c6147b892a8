"""Settings of story assignment and corroboration, a section of ``Settings`` (``Settings.stories``).

Each field is read from ``VERACITY_<FIELD>`` like every other setting.
"""

from __future__ import annotations

from dataclasses import dataclass

from veracity.errors import ConfigError


@dataclass(frozen=True, slots=True)
class StorySettings:
    """How articles are grouped into stories and how corroboration is counted.

    Attributes:
        corroboration_window_days: reports of the same story count as corroborating an
            article when published within this many days before or after it (7).
            Environment: ``VERACITY_CORROBORATION_WINDOW_DAYS``.
        snapshot_every: the story index is saved into the database after this many new
            assignments (500); articles assigned since the last snapshot are replayed when a
            new process loads the index (assignment is deterministic, so replaying gives the
            same stories). Environment: ``VERACITY_SNAPSHOT_EVERY``.

    The clustering parameters themselves (thresholds, time window, weights) are
    :class:`veracity.stories.cluster.StoryParams`, tuned on ECB+ train topics.
    """

    corroboration_window_days: float = 7.0
    snapshot_every: int = 500

    def __post_init__(self) -> None:
        if self.corroboration_window_days <= 0:
            raise ConfigError("must be positive", "corroboration_window_days")
        if self.snapshot_every < 1:
            raise ConfigError("must be at least 1", "snapshot_every")
