"""Fixtures of the web tests: a filled desk on SQLite and PostgreSQL, an in-process client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from veracity.settings import Settings
from veracity.store.sql import SqlStore, open_store
from veracity.web import accounts
from veracity.web.app import create_app
from veracity.web.settings import WebSettings
from web.desk_support import NOW, build


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id with small costs: the tests check sign-in, not the hash's strength (test_accounts does)."""
    monkeypatch.setattr(accounts, "hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def desk(db_url: str, tmp_path: Path) -> Iterator[tuple[SqlStore, dict[str, str]]]:
    store = open_store(db_url)
    ids = build(store, tmp_path)
    yield store, ids
    store.close()


@pytest.fixture
def ids(desk: tuple[SqlStore, dict[str, str]]) -> dict[str, str]:
    return desk[1]


def make_client(store: SqlStore, **web: object) -> TestClient:
    settings = Settings(database_url="sqlite://", web=WebSettings(**web))  # type: ignore[arg-type]
    return TestClient(create_app(settings, store=store, now=lambda: NOW), base_url="http://testserver")


@pytest.fixture
def client(desk: tuple[SqlStore, dict[str, str]]) -> TestClient:
    return make_client(desk[0])
