"""Commands that read the store: card, show, list, search, versions, export."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from rich.console import Console

from veracity import views
from veracity.cli.common import DbOption, JsonOption, now_utc, parse_when, settings_for, store_for, write
from veracity.store.base import StoredArticle
from veracity.store.sql import SqlStore
from veracity.verdict.store import VerdictStore
from veracity.verdict.views import effective_label, verdict_keys, verdict_summary

out = Console(highlight=False)


def _print_json(data: Any) -> None:
    write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _table(rows: list[StoredArticle], labels: list[str]) -> None:
    """One line an article: id, updated, verdict label, outlet, title (plain text, so it pipes well)."""
    for s, label in zip(rows, labels, strict=True):
        outlet = s.article.outlet.name
        outlet = outlet if len(outlet) <= 20 else outlet[:19] + "…"
        updated = s.updated_at.strftime("%Y-%m-%d %H:%M")
        write(f"{s.id}  {updated}  {label:<10}  {outlet:<20}  {s.article.title}\n")


def card(
    article_id: Annotated[str, typer.Argument(metavar="ID", help="Article id (or a unique prefix).")],
    now: Annotated[str | None, typer.Option(help="The time 'ago' is counted to (ISO 8601, UTC).")] = None,
    db: DbOption = None,
) -> None:
    """Print an article as a news card."""
    when = parse_when(now, "--now") or now_utc()
    with store_for(settings_for(db)) as store:
        stored = store.get(article_id)
        write(views.card(stored, when, effective_label(store, stored)))


def show(
    article_id: Annotated[str, typer.Argument(metavar="ID", help="Article id (or a unique prefix).")],
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Show one article: every stored field."""
    settings = settings_for(db)
    with store_for(settings) as store:
        stored = store.get(article_id)
        data = {**views.article_json(stored), **verdict_keys(store, stored, settings)}
        data.update(views.article_details(store, settings, stored.id))
    if as_json:
        _print_json(data)
        return
    for key, value in data.items():
        if key not in ("body", "captions", "verdict", "machine_verdict"):
            out.print(f"[bold]{key}[/bold]: {value}")
    verdict = data["verdict"]
    out.print(f"[bold]verdict[/bold]: {verdict['label']} ({verdict['source']})", markup=True)
    out.print()
    out.print(data["body"], markup=False)


def list_(
    as_json: JsonOption = False,
    limit: Annotated[int, typer.Option(min=1, help="At most this many articles.")] = 20,
    outlet: Annotated[str | None, typer.Option(help="Only this outlet (name or domain).")] = None,
    since: Annotated[str | None, typer.Option(help="Only articles updated since this date.")] = None,
    db: DbOption = None,
) -> None:
    """List articles, most recently updated first."""
    when = parse_when(since, "--since")
    with store_for(settings_for(db)) as store:
        rows = store.latest(limit=limit, outlet=outlet, since=when)
        _listing(store, rows, as_json)


def search(
    query: Annotated[str, typer.Argument(help="Words to find (all must occur).")],
    as_json: JsonOption = False,
    limit: Annotated[int, typer.Option(min=1, help="At most this many results.")] = 20,
    db: DbOption = None,
) -> None:
    """Full-text search over titles, bodies and captions, best match first."""
    with store_for(settings_for(db)) as store:
        rows = store.search(query, limit=limit)
        _listing(store, rows, as_json)


def _listing(store: SqlStore, rows: list[StoredArticle], as_json: bool) -> None:
    """``list`` and ``search`` output: a table, or each article's fields with its verdict in short."""
    latest = VerdictStore(store.engine).latest_many([r.id for r in rows])  # one query, not one per row
    verdicts = [verdict_summary(store, r, latest.get(r.id, {})) for r in rows]
    if as_json:
        _print_json([{**views.article_json(r), "verdict": v} for r, v in zip(rows, verdicts, strict=True)])
    else:
        _table(rows, [str(v["label"]) for v in verdicts])


def versions(
    article_id: Annotated[str, typer.Argument(metavar="ID", help="Article id (or a unique prefix).")],
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Every version of an article with a unified diff of what changed."""
    with store_for(settings_for(db)) as store:
        records = views.version_diffs(store.versions(article_id))
    if as_json:
        _print_json(records)
        return
    for r in records:
        out.print(
            f"[bold]version {r['number']}[/bold] seen {r['seen_at']} modified {r['modified'] or '-'}: {r['title']}"
        )
        if r["diff"]:
            out.print(r["diff"], markup=False)


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    cards = "cards"


def export(
    fmt: Annotated[ExportFormat, typer.Option("--format", help="jsonl, csv or cards.")] = ExportFormat.jsonl,
    out_file: Annotated[Path | None, typer.Option("--out", help="Write here instead of stdout.")] = None,
    db: DbOption = None,
) -> None:
    """Export every article. JSON Lines holds one `show --json` object a line; ingest reads it back."""
    now = now_utc()
    with store_for(settings_for(db)) as store:
        if out_file is None:
            _export(store, fmt, sys.stdout, now)
            return
        with open(out_file, "w", encoding="utf-8", newline="") as fh:
            _export(store, fmt, fh, now)


def _export(store: SqlStore, fmt: ExportFormat, fh: IO[str], now: Any) -> None:
    rows = store.iter_all()
    if fmt is ExportFormat.csv:
        writer = csv.DictWriter(fh, fieldnames=views.CSV_FIELDS)
        writer.writeheader()
        for r in rows:
            writer.writerow(views.csv_row(r))
    elif fmt is ExportFormat.jsonl:
        for r in rows:
            fh.write(json.dumps({**views.article_json(r), **verdict_keys(store, r)}, ensure_ascii=False) + "\n")
    else:
        for i, r in enumerate(rows):
            fh.write(("\n\n" if i else "") + views.card(r, now, effective_label(store, r)))


def register(app: typer.Typer) -> None:
    app.command()(card)
    app.command()(show)
    app.command("list")(list_)
    app.command()(search)
    app.command()(versions)
    app.command()(export)
