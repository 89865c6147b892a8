"""``veracity analyse`` and the analysis evaluations (``veracity evaluate quotes|checkworthiness``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from veracity.cli import evaluate as evaluate_cli
from veracity.cli.common import DbOption, err, fail, settings_for, store_for, write


def analyse(
    ids: Annotated[
        list[str] | None, typer.Argument(metavar="[ID]...", help="Article ids or unique prefixes (default: all).")
    ] = None,
    force: Annotated[bool, typer.Option(help="Analyse again even when the stored analysis is current.")] = False,
    db: DbOption = None,
) -> None:
    """Find entities, quotes, check-worthy claims and loaded terms in articles and store them.

    Without ids: every article whose newest version has not been analysed. Ends with one line:
    analysed=N unchanged=N failed=N. Exit status 0 unless every article failed.
    """
    from veracity.analysis.nlp import AnalysisError
    from veracity.analysis.pipeline import analyse_articles
    from veracity.analysis.store import AnalysisStore

    settings = settings_for(db)
    with store_for(settings) as store:
        if ids:
            with store.engine.connect() as conn:
                wanted = [store.resolve(conn, i) for i in ids]
        else:
            wanted = AnalysisStore(store).pending() if not force else [s.id for s in store.iter_all()]
        bar = Progress(
            TextColumn("analysing"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
            disable=not err.is_terminal,
        )
        with bar:
            task = bar.add_task("analyse", total=len(wanted))
            try:
                report = analyse_articles(
                    store, settings, wanted, force=force, on_progress=lambda n: bar.advance(task, n)
                )
            except AnalysisError as exc:
                fail(exc)
                raise AssertionError("unreachable") from exc
    for aid, reason in report.failures:
        err.print(f"failed: {aid}: {reason}", markup=False)
    typer.echo(report.summary())
    if report.failures and not report.analysed:
        raise typer.Exit(1)


DataOption = Annotated[Path, typer.Option("--data", help="The data set's folder (see docs/evaluation.md).")]
JsonOut = Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")]


def quotes(
    data: DataOption,
    split: Annotated[str, typer.Option(help="train, dev or test (report test; tune on train/dev only).")] = "test",
    as_json: JsonOut = False,
) -> None:
    """Quote attribution on PolNeAR: speaker accuracy and content span F1, beside a quote-marks baseline."""
    from veracity.evaluate import quotes as polnear

    _require(data)
    try:
        total = len(polnear.load_documents(data, split))
        with _bar("quotes", total) as tick:
            scores = polnear.evaluate_quotes(data, split, tick)
    except (FileNotFoundError, ValueError) as exc:
        fail(str(exc), code=2)
        raise AssertionError("unreachable") from exc
    if as_json:
        _json(polnear.scores_json(scores))
        return
    typer.echo(f"PolNeAR {split}: {total} articles, {next(iter(scores.values())).gold} gold attributions")
    typer.echo(
        f"{'system':24} {'P':>6} {'R':>6} {'F1':>6} {'span F1':>8} {'exact F1':>9} {'speaker':>8} {'spk exact':>9}"
        f" {'cue':>6}"
    )
    for name, s in scores.items():
        typer.echo(
            f"{name:24} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.span_f1:8.3f} {s.exact_f1:9.3f}"
            f" {s.speaker_accuracy:8.3f} {s.speaker_exact:9.3f} {s.cue_accuracy:6.3f}"
        )
    typer.echo("published: no system figures on PolNeAR (the paper reports annotator agreement only)")


def checkworthiness(
    data: DataOption, baseline: Annotated[bool, typer.Option()] = True, as_json: JsonOut = False
) -> None:
    """Check-worthiness on the CLEF-2019 Task 1 test set: MAP over its 7 documents, beside baselines."""
    from veracity.evaluate import checkworthiness as clef

    _require(data)
    try:
        result = clef.evaluate_checkworthiness(data, baseline, progress=lambda m: err.print(m, markup=False))
    except (FileNotFoundError, ValueError) as exc:
        fail(str(exc), code=2)
        raise AssertionError("unreachable") from exc
    if as_json:
        _json(result)
    else:
        typer.echo("\n".join(clef.format_report(result)))


def _require(path: Path) -> None:
    if not path.is_dir():
        fail(f"data set not found: {path}", code=2)


def _bar(label: str, total: int) -> Any:
    return evaluate_cli._progress(label, total)


def _json(data: Any) -> None:
    write(json.dumps(data, indent=2) + "\n")


def register(app: typer.Typer) -> None:
    app.command()(analyse)
    evaluate_cli.app.command()(quotes)
    evaluate_cli.app.command()(checkworthiness)
