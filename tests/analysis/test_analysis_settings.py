"""Analysis settings: defaults, the environment, and values that cannot be used."""

from __future__ import annotations

import pytest

from veracity.analysis.settings import AnalysisSettings
from veracity.errors import ConfigError
from veracity.settings import Settings


def test_analysis_settings_read_from_the_environment() -> None:
    s = Settings.from_env({"VERACITY_CLAIM_THRESHOLD": "0.7", "VERACITY_ANALYSIS_BATCH_SIZE": "4"})
    assert s.analysis.claim_threshold == 0.7
    assert s.analysis.analysis_batch_size == 4
    assert s.analysis.analysis_max_chars == AnalysisSettings().analysis_max_chars


@pytest.mark.parametrize("values", [{"claim_threshold": 1.5}, {"analysis_batch_size": 0}, {"analysis_max_chars": 0}])
def test_unusable_values_are_config_errors(values: dict[str, float]) -> None:
    with pytest.raises(ConfigError):
        AnalysisSettings(**values)  # type: ignore[arg-type]
