"""Options and helpers every command shares: ``--db``, settings, errors, output."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.console import Console

from veracity.errors import ConfigError, VeracityError
from veracity.extract.dates import parse_datetime
from veracity.ingest.pipeline import IngestReport
from veracity.settings import Settings
from veracity.store.sql import SqlStore, open_store

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL: sqlite:///PATH or postgresql://… [env VERACITY_DATABASE_URL; default sqlite:///veracity.db]",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]

err = Console(stderr=True, highlight=False, soft_wrap=True)


def settings_for(db: str | None, **overrides: Any) -> Settings:
    """Defaults, then the environment, then the command's options."""
    try:
        return Settings.from_env(database_url=db, **overrides)
    except ConfigError as exc:
        fail(exc, code=2)
        raise AssertionError("unreachable") from exc


def fail(exc: VeracityError | str, code: int = 1) -> None:
    """Print an error and exit with ``code`` (1: failed; 2: misuse)."""
    err.print(f"error: {exc}", markup=False)
    raise typer.Exit(code)


@contextmanager
def store_for(settings: Settings) -> Iterator[SqlStore]:
    """Open the store for a command; VeracityErrors become clear messages and exit 1."""
    try:
        store = open_store(settings.database_url)
    except VeracityError as exc:
        fail(exc, code=2 if isinstance(exc, ConfigError) else 1)
        raise AssertionError("unreachable") from exc
    try:
        yield store
    except VeracityError as exc:
        fail(exc)
    finally:
        store.close()


def print_report(report: IngestReport) -> None:
    """Each failure (stderr), then the summary line: how every ingesting command ends."""
    for failure in report.failures:
        err.print(f"failed: {failure.source}: {failure.reason}", markup=False)
    typer.echo(report.summary())


def run_stages(store: SqlStore, settings: Settings, ids: list[str]) -> None:
    """The after-ingest stages over the articles that changed; their failures go to stderr."""
    from veracity.enrich import enrich

    if not ids:
        return
    with err.status("assigning stories…") if err.is_terminal else _nothing():
        results = enrich(store, settings, ids)
    for result in results:
        for article_id, reason in result.failures:
            err.print(f"failed: {result.name}: {article_id}: {reason}", markup=False)


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def exit_if_all_failed(report: IngestReport) -> None:
    """Exit status 1 when there was something to do and every item of it failed."""
    if report.total and len(report.failures) == report.total:
        raise typer.Exit(1)


def parse_when(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    when = parse_datetime(value)
    if when is None:
        fail(f"{option}: not a date or time: {value!r} (use ISO 8601, e.g. 2024-11-06T15:30:00)", code=2)
    return when


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def write(text: str) -> None:
    """Write text to stdout exactly as given (no added newline, UTF-8 whatever the locale)."""
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.flush()
