"""Commands for stories: ``veracity stories`` (the list) and ``veracity story ID`` (one, in detail)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from veracity.cli.common import DbOption, JsonOption, err, parse_when, settings_for, store_for, write
from veracity.settings import Settings
from veracity.store.sql import SqlStore
from veracity.stories.persist import assign_stories, unassigned_ids
from veracity.stories.report import list_stories, story_detail


def _print_json(data: Any) -> None:
    write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _assign_pending(store: SqlStore, settings: Settings) -> None:
    """Every stored article belongs to a story: assign those that have none yet (older databases)."""
    pending = unassigned_ids(store)
    if not pending:
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    progress = Progress(
        TextColumn("assigning stories"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )
    with progress:
        task = progress.add_task("assign", total=len(pending))
        for start in range(0, len(pending), 256):
            chunk = pending[start : start + 256]
            result = assign_stories(store, settings, chunk)
            for article_id, reason in result.failures:
                err.print(f"failed: stories: {article_id}: {reason}", markup=False)
            progress.advance(task, len(chunk))


def stories(
    as_json: JsonOption = False,
    since: Annotated[str | None, typer.Option(help="Only stories with a report since this date (ISO 8601).")] = None,
    min_size: Annotated[int, typer.Option(min=1, help="Only stories with at least this many articles.")] = 1,
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many stories.")] = None,
    db: DbOption = None,
) -> None:
    """List stories, most recently reported first: id, size, first and last report, outlets, headline."""
    when = parse_when(since, "--since")
    settings = settings_for(db)
    with store_for(settings) as store:
        _assign_pending(store, settings)
        found = list_stories(store, since=when, min_size=min_size, limit=limit)
    if as_json:
        _print_json([s.as_json() for s in found])
        return
    for s in found:
        outlets = ", ".join(s.outlets[:4]) + (f" +{len(s.outlets) - 4}" if len(s.outlets) > 4 else "")
        write(f"{s.id}  {s.size:>3}  {s.first:%Y-%m-%d %H:%M}  {s.last:%Y-%m-%d %H:%M}  {s.title}  [{outlets}]\n")


def story(
    story_id: Annotated[str, typer.Argument(metavar="ID", help="Story id, a unique prefix, or an article's id.")],
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Show one story: its articles in time order, which copy which, who reported independently."""
    settings = settings_for(db)
    with store_for(settings) as store:
        _assign_pending(store, settings)
        data = story_detail(store, story_id)
    if as_json:
        _print_json(data)
        return
    write(f"story {data['id']}: {data['size']} articles, first reported by {data['first_outlet']}\n")
    write(f"first report {data['first_report']}, last {data['last_report']}\n")
    write(f"independent outlets ({len(data['independent_outlets'])}): {', '.join(data['independent_outlets'])}\n\n")
    for a in data["articles"]:
        line = f"{a['first_seen'][:16].replace('T', ' ')}  {a['id']}  {a['outlet']}: {a['title']}"
        if a["copies"]:
            line += "  (" + ", ".join(f"{c['kind']} copy of {c['id']}" for c in a["copies"]) + ")"
        write(line + "\n")
    if data["history"]:
        write("\nhistory:\n")
        for h in data["history"]:
            if h["kind"] == "merge":
                write(f"  {h['at'][:16]}  story {h['story']} merged into {h['other']}\n")
            else:
                write(f"  {h['at'][:16]}  {len(h['articles'])} articles left {h['story']} for {h['other']}\n")


def register(app: typer.Typer) -> None:
    app.command("stories")(stories)
    app.command("story")(story)
