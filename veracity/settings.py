"""The one settings object. Defaults live here and only here; every field is documented.

Settings are passed explicitly to the stages that need them. ``Settings.from_env`` reads
``VERACITY_*`` environment variables over the defaults; command-line options override both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from veracity.analysis.settings import AnalysisSettings
from veracity.batch.settings import BatchSettings
from veracity.crawl.settings import CrawlSettings
from veracity.envconfig import from_env
from veracity.factchecks.settings import FactCheckSettings
from veracity.fetch.settings import FetchSettings
from veracity.stories.settings import StorySettings
from veracity.verdict.settings import VerdictSettings
from veracity.web.settings import WebSettings

DEFAULT_DATABASE_URL = "sqlite:///veracity.db"


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a run of veracity can be told.

    Attributes:
        database_url: SQLAlchemy URL of the store. ``sqlite:///PATH`` (default, file in the
            working directory) or ``postgresql://…`` (the psycopg 3 driver is used).
            Environment: ``VERACITY_DATABASE_URL``.
        max_input_bytes: largest single document accepted: an HTML page, a card, a feed file,
            one WARC record or one JSON Lines line. Archives and JSON Lines files are streamed,
            so the cap applies per record, not per file. Environment: ``VERACITY_MAX_INPUT_BYTES``.
        extraction_fallback: let trafilatura try its fallback extractors (readability,
            jusText) when its own result looks poor; slower, better recall.
            Environment: ``VERACITY_EXTRACTION_FALLBACK`` (``1``/``0``).
        min_body_chars: an extracted body shorter than this is "no article".
            Environment: ``VERACITY_MIN_BODY_CHARS``.
        stages: the after-ingest stages run on each article stored new or changed by ``ingest``,
            ``fetch``, ``run`` and ``batch`` (:mod:`veracity.enrich`), in this order:
            ``stories``, ``analysis``, ``factchecks``, ``verdict``. Leave some out to ingest faster
            and run them later (``veracity analyse``, ``veracity judge``, ``veracity stories``).
            Environment: ``VERACITY_STAGES`` (comma-separated; ``none`` for none).
        fetch: how veracity talks to the web (:class:`veracity.fetch.settings.FetchSettings`:
            ``allow_networks``, timeouts, politeness, size caps), each field read from
            ``VERACITY_<FIELD>`` too.
        crawl: how ``veracity run`` follows sources (:class:`veracity.crawl.settings.CrawlSettings`:
            ``max_failures`` before a feed is disabled, poll intervals and their bounds, failure
            back-off, the re-fetch schedule ``refetch_after``, caps on items per feed and child
            sitemaps, ``loop_sleep_max``), each field read from ``VERACITY_<FIELD>`` too.
        batch: how ``veracity batch`` and ``run --engine ray`` spread work
            (:class:`veracity.batch.settings.BatchSettings`: ``engine``, ``ray_address``, chunk
            sizes, work in flight), each field read from ``VERACITY_<FIELD>`` too.
        stories: story assignment and corroboration (:class:`veracity.stories.settings.StorySettings`:
            ``corroboration_window_days``, ``snapshot_every``), each field read from
            ``VERACITY_<FIELD>`` too.
        web: how ``veracity serve`` behaves (:class:`veracity.web.settings.WebSettings`: page
            sizes, rate limits, session length, cookie flags), each field read from
            ``VERACITY_<FIELD>`` too.
        verdict: how verdicts are computed (:class:`veracity.verdict.settings.VerdictSettings`:
            ``verdict_params``, a fitted parameter file to use; ``abstain_below``, the confidence
            under which the label is ``Unverified``), each field read from ``VERACITY_<FIELD>`` too.
        analysis: how articles are analysed (:class:`veracity.analysis.settings.AnalysisSettings`:
            ``claim_threshold``, ``analysis_batch_size``, ``analysis_max_chars``), each field read
            from ``VERACITY_<FIELD>`` too.
        factchecks: how claims are matched to fact-checks
            (:class:`veracity.factchecks.settings.FactCheckSettings`: ``match_threshold``,
            ``match_top_k``, ``match_encoder``, ``min_claim_chars``, ``max_claims_per_article``),
            each field read from ``VERACITY_<FIELD>`` too.
    """

    database_url: str = DEFAULT_DATABASE_URL
    max_input_bytes: int = 20 * 1024 * 1024
    extraction_fallback: bool = True
    min_body_chars: int = 40
    stages: tuple[str, ...] = ("stories", "analysis", "factchecks", "verdict")
    fetch: FetchSettings = field(default_factory=FetchSettings)
    crawl: CrawlSettings = field(default_factory=CrawlSettings)
    batch: BatchSettings = field(default_factory=BatchSettings)
    stories: StorySettings = field(default_factory=StorySettings)
    web: WebSettings = field(default_factory=WebSettings)
    verdict: VerdictSettings = field(default_factory=VerdictSettings)
    analysis: AnalysisSettings = field(default_factory=AnalysisSettings)
    factchecks: FactCheckSettings = field(default_factory=FactCheckSettings)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then ``VERACITY_<FIELD>`` variables, then non-None ``overrides``."""
        return from_env(cls, environ, overrides)
