"""The one settings object: defaults, environment, overrides, nested sections."""

from __future__ import annotations

import pytest

from veracity.errors import ConfigError
from veracity.settings import Settings


def test_defaults() -> None:
    s = Settings.from_env({})
    assert s.database_url == "sqlite:///veracity.db"
    assert s.max_input_bytes == 20 * 1024 * 1024
    assert s.fetch.allow_networks == () and s.fetch.max_body_bytes == 10 * 1024 * 1024


def test_environment_then_overrides() -> None:
    env = {
        "VERACITY_DATABASE_URL": "postgresql://db/x",
        "VERACITY_MAX_INPUT_BYTES": "1000",
        "VERACITY_EXTRACTION_FALLBACK": "off",
        "VERACITY_ALLOW_NETWORKS": "127.0.0.1/32, ::1",
        "VERACITY_MIN_HOST_DELAY": "0.25",
    }
    s = Settings.from_env(env, max_input_bytes=5, database_url=None)
    assert s.database_url == "postgresql://db/x"
    assert s.max_input_bytes == 5
    assert s.extraction_fallback is False
    assert s.fetch.allow_networks == ("127.0.0.1/32", "::1")
    assert s.fetch.min_host_delay == 0.25


@pytest.mark.parametrize(
    ("name", "value"),
    [("VERACITY_MAX_INPUT_BYTES", "lots"), ("VERACITY_EXTRACTION_FALLBACK", "maybe"), ("VERACITY_ALLOW_NETWORKS", "x")],
)
def test_bad_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_env({name: value})
    assert name in str(info.value)


def test_stages_are_chosen_by_name_in_their_fixed_order() -> None:
    from veracity.enrich import STAGE_NAMES, stages
    from veracity.errors import ConfigError

    settings = Settings.from_env({"VERACITY_STAGES": "verdict, stories"})
    assert settings.stages == ("verdict", "stories")
    assert [s.__name__ for s in stages(settings.stages)] == ["assign_stories", "verdict_stage"]
    assert stages(Settings.from_env({"VERACITY_STAGES": "none"}).stages) == []
    assert len(stages(STAGE_NAMES)) == 4
    with pytest.raises(ConfigError, match="unknown stage 'analyse'"):
        stages(("analyse",))
