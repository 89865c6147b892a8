"""Entry point: the typer app and the ingest / db commands; reading commands in ``articles``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

from veracity.cli import analyse as analyse_cli
from veracity.cli import articles, evaluate
from veracity.cli import batch as batch_cli
from veracity.cli import factchecks as factchecks_cli
from veracity.cli import sources as sources_cli
from veracity.cli import stories as stories_cli
from veracity.cli import verdict as verdict_cli
from veracity.cli import web as web_cli
from veracity.cli.common import DbOption, err, exit_if_all_failed, print_report, run_stages, settings_for, store_for
from veracity.errors import VeracityError
from veracity.ingest.pipeline import ingest_paths
from veracity.store.sql import engine_for, upgrade

app = typer.Typer(
    help="veracity: read news, keep every version, show news cards.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(evaluate.app, name="evaluate")
articles.register(app)
sources_cli.register(app)
batch_cli.register(app)
stories_cli.register(app)
web_cli.register(app)
verdict_cli.register(app)
analyse_cli.register(app)
factchecks_cli.register(app)


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files, folders (read recursively) or - for stdin.")],
    db: DbOption = None,
    max_input_bytes: Annotated[
        int | None, typer.Option(help="Size cap for one document [env VERACITY_MAX_INPUT_BYTES; default 20 MB].")
    ] = None,
) -> None:
    """Read articles from HTML pages, WARC archives, RSS/Atom feeds, JSON Lines or news cards.

    Ends with one line: ingested=N updated=N unchanged=N [relabelled=N] failed=N. Exit status 0 unless
    every item failed.
    """
    settings = settings_for(db, max_input_bytes=max_input_bytes)
    with store_for(settings) as store:
        progress = Progress(
            TextColumn("ingesting"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=err,
            transient=True,
            disable=not err.is_terminal,
        )
        with progress:
            task = progress.add_task("ingest", total=None)

            def on_progress(done: int, total: int | None) -> None:
                progress.update(task, completed=done, total=total)

            report = ingest_paths(paths, store, settings, on_progress)
        run_stages(store, settings, report.changed)
    print_report(report)
    exit_if_all_failed(report)


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Apply pending schema migrations (they also run on first use)."""
    settings = settings_for(db)
    try:
        applied = upgrade(engine_for(settings.database_url))
    except VeracityError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(1) from exc
    typer.echo("database upgraded" if applied else "database already up to date")


def main() -> None:
    app()
