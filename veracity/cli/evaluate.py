"""``veracity evaluate …``: quality measured on public benchmarks, beside a baseline run in the same process.

Figures and the commands that reproduce them are published in docs/evaluation.md; the
floors in tests/evaluate/test_gate.py sit just under them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from veracity.cli.common import err, write
from veracity.evaluate.dates import DateScores, evaluate_dates, load_labels
from veracity.evaluate.extraction import ExtractionScores, evaluate_extraction, load_truth
from veracity.extract.html import extract_html, published_date
from veracity.settings import Settings

app = typer.Typer(help="Measure quality on public benchmarks.", no_args_is_help=True)

DataOption = Annotated[Path, typer.Option("--data", help="The data set's folder (see docs/evaluation.md).")]
JsonOut = Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")]
BaselineOption = Annotated[bool, typer.Option(help="Also score the plain library baseline in the same run.")]


@contextmanager
def _progress(label: str, total: int) -> Iterator[Callable[[], None]]:
    bar = Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )
    with bar:
        task = bar.add_task(label, total=total)
        yield lambda: bar.advance(task)


def _require(path: Path) -> None:
    if not path.is_dir():
        err.print(f"error: data set not found: {path}", markup=False)
        raise typer.Exit(2)


def veracity_body(html: bytes, url: str) -> str:
    """What veracity stores as the body: paragraphs without captions."""
    return extract_html(html, url, Settings()).body


def trafilatura_body(html: bytes, url: str) -> str:
    """trafilatura with its default options: the baseline."""
    import trafilatura

    return trafilatura.extract(html, url=url) or ""


@app.command()
def extraction(data: DataOption, baseline: BaselineOption = True, as_json: JsonOut = False) -> None:
    """Body extraction on the Zyte article-extraction benchmark (181 pages), its own metric."""
    _require(data)
    systems: dict[str, Callable[[bytes, str], str]] = {"veracity": veracity_body}
    if baseline:
        systems["trafilatura (defaults)"] = trafilatura_body
    results: dict[str, ExtractionScores] = {}
    failures: dict[str, dict[str, str]] = {}
    total = len(load_truth(data))
    for name, extract in systems.items():
        errors: dict[str, str] = {}
        with _progress(name, total) as tick:
            results[name], _ = evaluate_extraction(data, extract, tick, errors=errors)
        failures[name] = errors
    if as_json:
        _json({n: {**vars(s), "failed": len(failures[n])} for n, s in results.items()})
        return
    typer.echo(f"{'system':24} {'precision':>9} {'recall':>7} {'F1':>7} {'±':>6} {'accuracy':>8} {'failed':>6}")
    for name, s in results.items():
        typer.echo(
            f"{name:24} {s.precision:9.3f} {s.recall:7.3f} {s.f1:7.3f} {s.f1_std:6.3f} {s.accuracy:8.3f}"
            f" {len(failures[name]):6d}"
        )
    typer.echo("published: trafilatura 2.0 F1 0.958, AutoExtract 0.970 (n=181)")


def veracity_date(html: bytes) -> date | None:
    """The publication day veracity stores for a page (no URL given, as the benchmark asks)."""
    published = published_date(html)
    return published.date() if published else None


def htmldate_date(html: bytes) -> date | None:
    """htmldate alone, extensive search, original date: the published reference setting."""
    from htmldate import find_date

    found = find_date(html, extensive_search=True, original_date=True)
    return date.fromisoformat(found) if found else None


@app.command()
def dates(data: DataOption, baseline: BaselineOption = True, as_json: JsonOut = False) -> None:
    """Publication dates on the htmldate evaluation set (1,000 pages), its own metric."""
    _require(data)
    systems: dict[str, Callable[[bytes], date | None]] = {"veracity": veracity_date}
    if baseline:
        systems["htmldate (extensive)"] = htmldate_date
    results: dict[str, DateScores] = {}
    total = len(load_labels(data))
    for name, find in systems.items():
        with _progress(name, total) as tick:
            results[name] = evaluate_dates(data, find, tick, errors={})
    if as_json:
        _json({n: vars(s) for n, s in results.items()})
        return
    typer.echo(f"{'system':24} {'precision':>9} {'recall':>7} {'accuracy':>8} {'F':>7}")
    for name, s in results.items():
        typer.echo(f"{name:24} {s.precision:9.3f} {s.recall:7.3f} {s.accuracy:8.3f} {s.f_score:7.3f}")
    typer.echo("published: htmldate 1.10.0 extensive accuracy 0.903, F 0.949 (n=1000)")


def _json(data: Any) -> None:
    write(json.dumps(data, indent=2) + "\n")


@app.command()
def stories(
    data: DataOption,
    split: Annotated[str, typer.Option(help="train or dev (the test topics are held out).")] = "dev",
    seed: Annotated[int, typer.Option(help="The arrival order of the documents.")] = 0,
    orders: Annotated[int, typer.Option(help="More arrival orders, for the spread (0: none).")] = 10,
    as_json: JsonOut = False,
) -> None:
    """Same-story clustering and near-duplicates on ECB+ (incremental, beside a TF-IDF baseline)."""
    from veracity.evaluate import stories as ecb

    _require(data)
    try:
        result = ecb.evaluate_ecbplus(data, split, seed=seed, orders=orders)
        near = ecb.evaluate_neardup(data, split, seed=seed)
    except (FileNotFoundError, ValueError) as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(2) from exc
    if as_json:
        _json({"clustering": result, "neardup": near})
    else:
        typer.echo("\n".join(ecb.format_report(result, near)))


@app.command()
def verdicts(
    data: Annotated[Path, typer.Option("--data", help="The shared data folder holding every data set.")],
    plot: Annotated[Path | None, typer.Option(help="Write the reliability diagram (PNG) here.")] = None,
    kb: Annotated[
        bool, typer.Option(help="Also the runs with the PolitiFact fact-check knowledge base (analysis + matching).")
    ] = True,
    kb_cache: Annotated[
        Path, typer.Option(help="Scratch store caching the knowledge base, analyses and matches.")
    ] = Path("/tmp/veracity-verdict-evidence"),
    as_json: JsonOut = False,
) -> None:
    """Verdict quality: CheckThat! Task 3, FakeNewsAMT+Celebrity, FakeNewsNet, outlet ratings, calibration, ECB+,
    and (``--kb``) the same with prior fact-checks matched."""
    from veracity.evaluate.verdicts import evaluate, format_report

    _require(data)
    try:
        result = evaluate(data, plot, lambda m: err.print(f"evaluating {m}…", markup=False), kb_cache if kb else None)
    except (FileNotFoundError, ValueError) as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(2) from exc
    if as_json:
        _json(result)
    else:
        typer.echo("\n".join(format_report(result)))


class Task(StrEnum):
    a = "2a"
    b = "2b"


class Split(StrEnum):
    train = "train"
    dev = "dev"
    dev_test = "dev-test"
    test = "test"


class EncoderName(StrEnum):
    minilm = "minilm"
    static = "static"
    none = "none"


PUBLISHED_CLAIMS = {
    "2a": "published on the official test set: BM25 baseline MAP@5 0.818, best team about 0.956",
    "2b": "published on the official test set: BM25 baseline MAP@5 0.321, best team about 0.46",
}


@app.command("claim-retrieval")
def claim_retrieval(
    data: DataOption,
    task: Annotated[Task, typer.Option(help="2a (tweets → Snopes) or 2b (debates → PolitiFact).")] = Task.a,
    split: Annotated[Split, typer.Option(help="train, dev, dev-test or test (the task's standard files).")] = Split.dev,
    encoder: Annotated[
        EncoderName, typer.Option(help="Dense half of the hybrid: static (default), minilm (slow on CPU) or none.")
    ] = EncoderName.static,
    cache: Annotated[
        Path | None, typer.Option(help="Keep the vclaim embeddings in this folder between runs (minilm is slow).")
    ] = None,
    context: Annotated[
        bool,
        typer.Option(
            help="Use the task's re-ranker, which also reads dates (debate or tweet against fact-check) and the "
            "speaker prior; --no-context: the generic re-ranker ingest uses."
        ),
    ] = True,
    baseline: BaselineOption = True,
    as_json: JsonOut = False,
) -> None:
    """Verified-claim retrieval on CheckThat! 2022 Task 2: MAP@5, MRR, P@1 beside plain BM25.

    The last line printed is veracity's figure: MAP@5=… MRR=… P@1=…
    """
    from veracity.evaluate import claim_retrieval as cr

    _require(data)
    try:
        loaded = cr.load_split(data, task.value, split.value)
    except cr.DataMissing as exc:
        err.print(f"error: {exc} (needed for --task {task.value} --split {split.value})", markup=False)
        raise typer.Exit(2) from exc
    results: dict[str, cr.Scores] = {}
    if baseline:
        results["BM25 (bm25s, baseline)"] = cr.score(cr.bm25_baseline(loaded), loaded.qrels)
    err.print(f"indexing {len(loaded.vclaims)} vclaims ({encoder.value} embeddings)…", markup=False)
    with _progress("matching", len(loaded.queries)) as tick:

        def advance(done: int) -> None:
            for _ in range(done):
                tick()

        rankings = cr.hybrid(loaded, encoder.value, on_progress=advance, cache=cache, task=task.value, context=context)
    ours = cr.score(rankings, loaded.qrels)
    results[f"veracity hybrid ({encoder.value}{', context' if context else ''})"] = ours
    if as_json:
        _json({name: vars(s) for name, s in results.items()})
        return
    typer.echo(
        f"CheckThat! 2022 {task.value.upper()} {split.value}: {ours.queries} queries, {len(loaded.vclaims)} vclaims"
    )
    typer.echo(f"{'system':37} {'MAP@5':>6} {'MRR':>6} {'P@1':>6}")
    for name, s in results.items():
        typer.echo(f"{name:37} {s.map5:6.3f} {s.mrr:6.3f} {s.p1:6.3f}")
    typer.echo(PUBLISHED_CLAIMS[task.value])
    typer.echo(ours.line())
