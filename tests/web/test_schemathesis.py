"""Schemathesis against the API's own OpenAPI spec, in process: no server error on any input,
and responses that match the spec, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from veracity.settings import Settings
from veracity.store.sql import SqlStore
from veracity.web.accounts import Accounts
from veracity.web.app import create_app
from veracity.web.settings import WebSettings

from .desk_support import NOW

pytestmark = pytest.mark.slow


def test_api_never_fails_on_any_input(desk: tuple[SqlStore, dict[str, str]]) -> None:
    """Every operation of /api/openapi.json, fuzzed; writes with an admin's token (so they go deep)."""
    store = desk[0]
    app = create_app(
        Settings(database_url="sqlite://", web=WebSettings(api_rate_per_minute=0)), store=store, now=lambda: NOW
    )
    token = Accounts(store.engine).create_token("ada", "schemathesis")[0]
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 11

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case: Any) -> None:
            case.call_and_validate(
                headers={"Authorization": f"Bearer {token}"},
                checks=[not_a_server_error, response_schema_conformance],
            )

        check()
