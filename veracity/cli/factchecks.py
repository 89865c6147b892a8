"""The fact-check knowledge base: ``factchecks import``, ``factchecks list``, ``factchecks search``."""

from __future__ import annotations

import json
from contextlib import nullcontext
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from veracity.cli.common import DbOption, JsonOption, err, settings_for, store_for
from veracity.factchecks.claimreview import FactCheck
from veracity.factchecks.importer import Importer
from veracity.factchecks.rating import LABELS
from veracity.factchecks.store import FactCheckStore
from veracity.settings import Settings
from veracity.store.sql import SqlStore

app = typer.Typer(help="The fact-check knowledge base (schema.org ClaimReview).", no_args_is_help=True)

RatingLabel = StrEnum("RatingLabel", {label: label for label in LABELS})  # type: ignore[misc]


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="factchecks")


def factcheck_json(fc: FactCheck) -> dict[str, Any]:
    """A fact-check as JSON (also used by ``show --json`` for matches)."""
    return {
        "id": fc.id,
        "claim": fc.claim,
        "rating": fc.rating.label,
        "rating_score": fc.rating.score,
        "rating_original": fc.rating.original,
        "url": fc.review_url,
        "publisher": fc.publisher,
        "publisher_site": fc.publisher_site,
        "title": fc.title,
        "claimant": fc.claimant,
        "claim_date": fc.claim_date.isoformat() if fc.claim_date else None,
        "review_date": fc.review_date.isoformat() if fc.review_date else None,
        "language": fc.language,
    }


def _line(fc: FactCheck, score: float | None = None) -> str:
    when = fc.review_date.strftime("%Y-%m-%d") if fc.review_date else "----------"
    lead = f"{score:.3f}  " if score is not None else ""
    return f"{lead}{fc.id}  {when}  {fc.rating.label:<12} {fc.publisher or '-'}: {fc.claim}  <{fc.review_url or '-'}>"


@app.command("import")
def import_(
    inputs: Annotated[
        list[str], typer.Argument(help="Files, folders, - for stdin, or http(s) URLs (pages, feeds, JSON).")
    ],
    db: DbOption = None,
) -> None:
    """Import ClaimReview records: JSON, JSON Lines, HTML pages with JSON-LD, WARC archives, RSS/Atom feeds.

    URLs are fetched with the safe client (VERACITY_ALLOW_NETWORKS etc. apply). Ends with one
    line: imported=N updated=N unchanged=N skipped=N failed=N. Exit status 1 only if every item failed.
    """
    settings = settings_for(db)
    with store_for(settings) as store:
        progress = Progress(
            TextColumn("importing {task.fields[name]}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
            disable=not err.is_terminal,
        )
        with progress:
            task = progress.add_task("import", total=None, name="")

            def on_progress(done: int, total: int | None, name: str) -> None:
                progress.update(task, completed=done, total=total, name=name[-50:])

            report = Importer(FactCheckStore(store.engine), settings).run(inputs, on_progress)
        if report.counts["ingested"] or report.counts["updated"]:
            _rejudge(store, settings)
    for failure in report.failures:
        err.print(f"failed: {failure.source}: {failure.reason}", markup=False)
    typer.echo(report.summary())
    if report.total and len(report.failures) == report.total:
        raise typer.Exit(1)


def _rejudge(store: SqlStore, settings: Settings) -> None:
    """New evidence: match the stored articles again and re-judge those whose matches changed."""
    from veracity.factchecks.match import rematch_stored
    from veracity.verdict.judge import rejudge_affected

    with err.status("matching stored articles against the new fact-checks…") if err.is_terminal else nullcontext():
        changed = rematch_stored(store, settings)
        result = rejudge_affected(store, settings, article_ids=changed)
    for article_id, reason in result.failures:
        err.print(f"failed: verdict: {article_id}: {reason}", markup=False)
    if changed:
        err.print(
            f"{len(changed)} stored articles match the new fact-checks; their verdicts were re-judged", markup=False
        )


@app.command("list")
def list_(
    db: DbOption = None,
    rating: Annotated[RatingLabel | None, typer.Option(help="Only this normalised rating.")] = None,
    publisher: Annotated[str | None, typer.Option(help="Only publishers whose name or site contains this.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest review first.")] = 50,
    as_json: JsonOption = False,
) -> None:
    """List stored fact-checks, newest review first."""
    settings = settings_for(db)
    with store_for(settings) as store:
        items = FactCheckStore(store.engine).find(
            limit=limit, rating=rating.value if rating else None, publisher=publisher
        )
    if as_json:
        typer.echo(json.dumps([factcheck_json(fc) for fc in items], ensure_ascii=False, indent=2))
        return
    for fc in items:
        typer.echo(_line(fc))
    if not items:
        err.print("no fact-checks stored (veracity factchecks import PATH|URL)")


@app.command("search")
def search(
    query: Annotated[str, typer.Argument(help="A claim, in your words.")],
    db: DbOption = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many results.")] = 10,
    as_json: JsonOption = False,
) -> None:
    """Fact-checks whose claim matches QUERY, best first, with the matching score (the claim matcher)."""
    from veracity.factchecks.match import Matcher

    settings = settings_for(db)
    with store_for(settings) as store:
        matcher = Matcher.from_store(FactCheckStore(store.engine), settings.factchecks)
        hits = matcher.search([query], limit=limit, threshold=None)[0]
    if as_json:
        typer.echo(json.dumps([{**factcheck_json(h.factcheck), "score": h.score} for h in hits], indent=2))
        return
    for h in hits:
        typer.echo(_line(h.factcheck, h.score))
    if not hits:
        err.print("no matching fact-check")
