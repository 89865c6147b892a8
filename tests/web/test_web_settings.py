"""The web section of the settings, and migrations 0007 and 0008 going down and up again."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect

from veracity.errors import ConfigError
from veracity.settings import Settings
from veracity.store.sql import SqlStore, alembic_config


def test_web_settings_from_the_environment() -> None:
    s = Settings.from_env(
        {"VERACITY_PAGE_SIZE": "10", "VERACITY_API_RATE_PER_MINUTE": "0", "VERACITY_SECURE_COOKIES": "1"}
    )
    assert s.web.page_size == 10 and s.web.api_rate_per_minute == 0 and s.web.secure_cookies is True
    assert Settings.from_env({}).web.max_page_size == 100
    with pytest.raises(ConfigError):
        Settings.from_env({"VERACITY_PAGE_SIZE": "1000"})
    assert Settings.from_env({"VERACITY_REVIEW_BELOW": "0.4"}).web.review_below == 0.4
    with pytest.raises(ConfigError):
        Settings.from_env({"VERACITY_REVIEW_BELOW": "1.5"})


def test_migration_0007_downgrades_and_upgrades(store: SqlStore) -> None:
    tables = set(inspect(store.engine).get_table_names())
    assert {"web_users", "web_sessions", "web_tokens", "web_audit"} <= tables
    with store.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0006")
    assert not {"web_users", "web_audit"} & set(inspect(store.engine).get_table_names())
    with store.engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    indexes = {i["name"] for i in inspect(store.engine).get_indexes("articles")}
    assert "ix_articles_label_updated" in indexes and "ix_articles_outlet_name_updated" in indexes
    assert "ix_verdicts_article_source_label" in {i["name"] for i in inspect(store.engine).get_indexes("verdicts")}
    entity_indexes = {i["name"] for i in inspect(store.engine).get_indexes("analysis_entities")}
    assert {"ix_analysis_entities_canonical", "ix_analysis_entities_text"} <= entity_indexes


def test_migration_0008_swaps_the_verdict_index_for_a_covering_one(store: SqlStore) -> None:
    def names(table: str) -> set[str]:
        return {i["name"] for i in inspect(store.engine).get_indexes(table)}

    added = {"ix_verdicts_article_source_label", "ix_verdicts_source_confidence"}
    assert added <= names("verdicts") and "ix_verdicts_article_source" not in names("verdicts")
    assert "ix_articles_outlet_domain_label" in names("articles")
    with store.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0007")
    assert not added & names("verdicts") and "ix_verdicts_article_source" in names("verdicts")
    assert "ix_articles_outlet_domain_label" not in names("articles")
    with store.engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    assert added <= names("verdicts") and "ix_articles_outlet_domain_label" in names("articles")
