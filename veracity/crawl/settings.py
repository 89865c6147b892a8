"""Settings of the crawler, a section of the one ``Settings`` object (``Settings.crawl``).

Each field is read from ``VERACITY_<FIELD>`` like every other setting.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from veracity.envconfig import from_env
from veracity.errors import ConfigError


@dataclass(frozen=True, slots=True)
class CrawlSettings:
    """How ``veracity run`` follows sources.

    Attributes:
        max_failures: consecutive failed polls after which a feed is disabled, with the last
            error as the reason, until ``veracity sources enable`` (5).
            Environment: ``VERACITY_MAX_FAILURES``.
        poll_interval: seconds between two polls of a new feed (1800); then adapted.
            Environment: ``VERACITY_POLL_INTERVAL``.
        min_poll_interval: shortest poll interval a busy feed is brought down to (300).
        max_poll_interval: longest poll interval a quiet feed is stretched to (86400).
        failure_backoff_max: longest wait in seconds after a failed poll; the wait doubles
            with each consecutive failure from ``poll_interval`` (86400).
        refetch_after: seconds after an article was first seen at which it is fetched
            again to catch edits (1 h, 6 h, 24 h, 72 h); comma-separated in the environment
            (``VERACITY_REFETCH_AFTER``).
        max_items_per_feed: article links taken from one feed or sitemap at most (500).
        max_child_sitemaps: sitemaps of a sitemap index followed in one poll at most (20).
        loop_sleep_max: longest sleep of ``veracity run`` between passes when nothing is due (60).
    """

    max_failures: int = 5
    poll_interval: float = 1800.0
    min_poll_interval: float = 300.0
    max_poll_interval: float = 86400.0
    failure_backoff_max: float = 86400.0
    refetch_after: tuple[float, ...] = (3600.0, 21600.0, 86400.0, 259200.0)
    max_items_per_feed: int = 500
    max_child_sitemaps: int = 20
    loop_sleep_max: float = 60.0

    def __post_init__(self) -> None:
        try:
            values = tuple(sorted(float(v) for v in self.refetch_after))
        except ValueError:
            raise ConfigError(f"not a list of seconds: {self.refetch_after!r}", "VERACITY_REFETCH_AFTER") from None
        object.__setattr__(self, "refetch_after", values)
        if self.max_failures < 1:
            raise ConfigError("must be at least 1", "max_failures")
        if not 0 < self.min_poll_interval <= self.max_poll_interval:
            raise ConfigError("need 0 < min_poll_interval <= max_poll_interval", "min_poll_interval")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> CrawlSettings:
        """Defaults, then ``VERACITY_<FIELD>`` variables, then non-None ``overrides``."""
        return from_env(cls, environ, overrides)
