"""``veracity batch``: web archives and JSON Lines dumps through every stage, locally or on Ray."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from enum import StrEnum
from typing import Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

from veracity.batch.run import run_batch
from veracity.batch.stages import BatchReport
from veracity.cli.common import (
    DbOption,
    err,
    exit_if_all_failed,
    fail,
    parse_when,
    print_report,
    settings_for,
    store_for,
)
from veracity.crawl.run import FetchDue
from veracity.errors import VeracityError
from veracity.settings import Settings


class Engine(StrEnum):
    local = "local"
    ray = "ray"


EngineOption = Annotated[
    Engine | None,
    typer.Option(help="local: in this process; ray: on a Ray cluster (env VERACITY_ENGINE; default local)."),
]
AddressOption = Annotated[
    str | None,
    typer.Option(
        "--address",
        help="Ray cluster: ray://HOST:10001 or auto; none starts a local one (env VERACITY_RAY_ADDRESS).",
    ),
]


def batch(
    paths: Annotated[list[str], typer.Argument(help="WARC archives, JSON Lines dumps, any ingest input; folders too.")],
    engine: EngineOption = None,
    address: AddressOption = None,
    db: DbOption = None,
    now: Annotated[
        str | None, typer.Option(help="When the versions were seen (ISO 8601, UTC; tests).", hidden=True)
    ] = None,
) -> None:
    """Read, extract, store and enrich a batch of inputs, in this process or on a Ray cluster.

    Prints the counts per stage (read, extracted, stored, failed, then each enrich stage) on
    stderr, and ends like ingest: ingested=N updated=N unchanged=N failed=N. Exit status 0
    unless every item failed.
    """
    settings = with_engine(settings_for(db), engine, address)
    seen = parse_when(now, "--now")
    with store_for(settings) as store, _Display(settings.batch.progress_interval) as display:
        report = run_batch(paths, store, settings, seen_at=seen, on_progress=display.update)
    err.print(report.stage_line(), markup=False)
    for stage, aid, reason in report.stage_failures:
        err.print(f"failed: {stage}: {aid}: {reason}", markup=False)
    print_report(report)
    exit_if_all_failed(report)


def with_engine(settings: Settings, engine: Engine | None, address: str | None) -> Settings:
    """``settings`` with the command's --engine and --address over the environment's."""
    b = settings.batch
    b = replace(
        b, engine=engine.value if engine else b.engine, ray_address=b.ray_address if address is None else address
    )
    return replace(settings, batch=b)


@contextmanager
def crawl_hook(settings: Settings) -> Iterator[FetchDue | None]:
    """The crawler's ``fetch_due_with`` for ``run --engine ray`` (None: the crawler's own threads)."""
    if settings.batch.engine != "ray":
        yield None
        return
    try:
        from veracity.batch.crawl import RayFetchDue
    except ImportError:
        fail("the ray engine needs Ray: pip install 'veracity[ray]'", code=2)
        raise
    try:
        hook = RayFetchDue(settings)
    except VeracityError as exc:
        fail(exc, code=2)
        raise
    try:
        yield hook
    finally:
        hook.close()


class _Display:
    """A progress bar with the stage counts on a terminal; else a line of counts every ``interval`` s."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.last = time.monotonic()
        self.progress = Progress(
            TextColumn("batch"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.fields[counts]}"),
            console=err,
            transient=True,
            disable=not err.is_terminal,
        )
        self.task = self.progress.add_task("batch", total=None, counts="")

    def __enter__(self) -> _Display:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(None, None, None)

    def update(self, report: BatchReport) -> None:
        line = report.stage_line()
        self.progress.update(self.task, completed=report.position, total=report.total_bytes, counts=line)
        if not err.is_terminal and time.monotonic() - self.last >= self.interval:
            self.last = time.monotonic()
            err.print(f"progress: {line}", markup=False)


def register(app: typer.Typer) -> None:
    app.command()(batch)
