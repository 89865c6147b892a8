"""Settings of article analysis, a section of the one ``Settings`` object (``Settings.analysis``).

Each field is read from ``VERACITY_<FIELD>`` like every other setting.
"""

from __future__ import annotations

from dataclasses import dataclass

from veracity.errors import ConfigError


@dataclass(frozen=True, slots=True)
class AnalysisSettings:
    """How ``veracity analyse`` reads an article.

    Attributes:
        claim_threshold: a sentence whose check-worthiness score (0..1) is at least this is a
            check-worthy claim: stored with ``checkworthy`` true and handed to claim matching (0.5;
            the shipped model's scores are calibrated on CLEF-2019 train by cross-validation, see
            docs/analysis.md). Environment: ``VERACITY_CLAIM_THRESHOLD``.
        analysis_batch_size: articles parsed together by spaCy's ``nlp.pipe`` (16).
            Environment: ``VERACITY_ANALYSIS_BATCH_SIZE``.
        analysis_max_chars: a body longer than this is not analysed; the article is reported as
            failed with the reason (200,000 characters, about 30,000 words).
            Environment: ``VERACITY_ANALYSIS_MAX_CHARS``.
    """

    claim_threshold: float = 0.5
    analysis_batch_size: int = 16
    analysis_max_chars: int = 200_000

    def __post_init__(self) -> None:
        if not 0.0 <= self.claim_threshold <= 1.0:
            raise ConfigError("must be between 0 and 1", "claim_threshold")
        if self.analysis_batch_size < 1:
            raise ConfigError("must be at least 1", "analysis_batch_size")
        if self.analysis_max_chars < 1:
            raise ConfigError("must be at least 1", "analysis_max_chars")
