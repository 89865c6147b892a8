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
from veracity.factchecks.match import matches_json as factcheck_matches
from veracity.store.base import StoredArticle

out = Console(highlight=False)


def _print_json(data: Any) -> None:
    write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _table(rows: list[StoredArticle]) -> None:
    """One line an article: id, updated, label, outlet, title (plain text, so it pipes well)."""
    for s in rows:
        outlet = s.article.outlet.name
        outlet = outlet if len(outlet) <= 20 else outlet[:19] + "…"
        updated = s.updated_at.strftime("%Y-%m-%d %H:%M")
        write(f"{s.id}  {updated}  {views.label_of(s):<10}  {outlet:<20}  {s.article.title}\n")


def card(
    article_id: Annotated[str, typer.Argument(metavar="ID", help="Article id (or a unique prefix).")],
    now: Annotated[str | None, typer.Option(help="The time 'ago' is counted to (ISO 8601, UTC).")] = None,
    db: DbOption = None,
) -> None:
    """Print an article as a news card."""
    when = parse_when(now, "--now") or now_utc()
    with store_for(settings_for(db)) as store:
        write(views.card(store.get(article_id), when))


def show(
    article_id: Annotated[str, typer.Argument(metavar="ID", help="Article id (or a unique prefix).")],
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Show one article: every stored field."""
    with store_for(settings_for(db)) as store:
        stored = store.get(article_id)
        data = views.article_json(stored)
        data["factcheck_matches"] = factcheck_matches(store, stored.id)
    if as_json:
        _print_json(data)
        return
    for key, value in data.items():
        if key not in ("body", "captions"):
            out.print(f"[bold]{key}[/bold]: {value}")
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
    if as_json:
        _print_json([views.article_json(r) for r in rows])
    else:
        _table(rows)


def search(
    query: Annotated[str, typer.Argument(help="Words to find (all must occur).")],
    as_json: JsonOption = False,
    limit: Annotated[int, typer.Option(min=1, help="At most this many results.")] = 20,
    db: DbOption = None,
) -> None:
    """Full-text search over titles, bodies and captions, best match first."""
    with store_for(settings_for(db)) as store:
        rows = store.search(query, limit=limit)
    if as_json:
        _print_json([views.article_json(r) for r in rows])
    else:
        _table(rows)


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
    """Export every article. JSON Lines: one `show --json` object a line, less factcheck_matches; ingest reads it."""
    now = now_utc()
    with store_for(settings_for(db)) as store:
        if out_file is None:
            _export(store.iter_all(), fmt, sys.stdout, now)
            return
        with open(out_file, "w", encoding="utf-8", newline="") as fh:
            _export(store.iter_all(), fmt, fh, now)


def _export(rows: Any, fmt: ExportFormat, fh: IO[str], now: Any) -> None:
    if fmt is ExportFormat.csv:
        writer = csv.DictWriter(fh, fieldnames=views.CSV_FIELDS)
        writer.writeheader()
        for r in rows:
            writer.writerow(views.csv_row(r))
    elif fmt is ExportFormat.jsonl:
        for r in rows:
            fh.write(json.dumps(views.article_json(r), ensure_ascii=False) + "\n")
    else:
        for i, r in enumerate(rows):
            fh.write(("\n\n" if i else "") + views.card(r, now))


def register(app: typer.Typer) -> None:
    app.command()(card)
    app.command()(show)
    app.command("list")(list_)
    app.command()(search)
    app.command()(versions)
    app.command()(export)
