"""Shared fixtures: a store on real SQLite and real PostgreSQL, the shared data folder.

PostgreSQL tests run against ``VERACITY_TEST_POSTGRES_URL`` (default: the server on
127.0.0.1:5432, database ``test``), each test in a schema of its own. They are skipped
when the server cannot be reached, unless ``VERACITY_REQUIRE_POSTGRES=1`` (CI), where
that is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from veracity.store import SqlStore, open_store

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SEED_CARD = FIXTURES / "news-card.txt"
PG_URL = os.environ.get("VERACITY_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def data_dir() -> Path:
    return Path(os.environ.get("VERACITY_DATA_DIR", ROOT.parent / "shared" / "data"))


def require_data(name: str) -> Path:
    """The shared data set ``name``, or skip the test saying where it was looked for."""
    path = data_dir() / name
    if not path.is_dir():
        pytest.skip(f"data set not found: {path} (set VERACITY_DATA_DIR)")
    return path


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    with pg_schema() as url:
        yield url


@contextmanager
def pg_schema() -> Iterator[str]:
    """A PostgreSQL URL on a schema of its own, dropped afterwards (tests needing two use it twice).

    Skipped when the server cannot be reached, or a failure under ``VERACITY_REQUIRE_POSTGRES=1``.
    """
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # any failure to reach the server
        admin.dispose()
        if os.environ.get("VERACITY_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL required but unreachable at {PG_URL}: {exc}")
        pytest.skip(f"PostgreSQL unreachable at {PG_URL}: {exc}")
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def store(db_url: str) -> Iterator[SqlStore]:
    s = open_store(db_url)
    yield s
    s.close()


@pytest.fixture
def seed_text() -> str:
    return SEED_CARD.read_text(encoding="utf-8")
