"""``veracity judge``, ``verdicts``, ``review`` and ``ratings import|list|show|remove``: the verdict's commands."""

from __future__ import annotations

import json
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import select

from veracity.cli.common import DbOption, JsonOption, err, fail, now_utc, settings_for, store_for, write
from veracity.errors import VeracityError
from veracity.ratings.formats import FORMATS, outlet_domain, read_ratings
from veracity.ratings.store import RatingStore
from veracity.store.schema import articles
from veracity.store.sql import SqlStore
from veracity.verdict.judge import judge as judge_ids
from veracity.verdict.judge import rejudge_affected
from veracity.verdict.judge import review as record_review
from veracity.verdict.store import VerdictStore

ratings_app = typer.Typer(help="Outlet rating sets: import, list, show an outlet's ratings.", no_args_is_help=True)


def _json(data: Any) -> None:
    write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _all_ids(store: SqlStore) -> Iterator[str]:
    with store.engine.connect() as conn:
        yield from conn.execute(select(articles.c.id).order_by(articles.c.id)).scalars().all()


def judge(
    ids: Annotated[
        list[str] | None, typer.Argument(metavar="[ID...]", help="Article ids or prefixes; none: all.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Judge articles (all when no id is given). Idempotent: unchanged evidence adds no new verdict."""
    settings = settings_for(db)
    with store_for(settings) as store:
        wanted = [store.get(i).id for i in ids] if ids else list(_all_ids(store))
        bar = Progress(TextColumn("judging"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err,
                       transient=True, disable=not err.is_terminal)  # fmt: skip
        with bar:
            task = bar.add_task("judge", total=len(wanted))
            result = judge_ids(store, settings, wanted, lambda: bar.advance(task))
        verdicts = VerdictStore(store.engine)
        if ids:
            for aid in wanted:
                row = verdicts.latest(aid).get("machine")
                if row is not None:
                    typer.echo(f"{aid}  {row.label:<10}  {row.confidence or 0:.2f}  {row.evidence.get('reason', '')}")
    for aid, reason in result.failures:
        err.print(f"failed: {aid}: {reason}", markup=False)
    typer.echo(f"judged={result.done} failed={len(result.failures)}")
    if wanted and len(result.failures) == len(wanted):
        raise typer.Exit(1)


def verdicts(
    article_id: Annotated[str, typer.Argument(metavar="ID", help="Article id (or a unique prefix).")],
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Every verdict an article has had, oldest first: machine, imported and reviewer, per version."""
    with store_for(settings_for(db)) as store:
        aid = store.get(article_id).id
        rows = VerdictStore(store.engine).history(aid)
    if as_json:
        _json([r.to_json() for r in rows])
        return
    if not rows:
        typer.echo(f"{aid}: no verdicts yet (run: veracity judge {aid})")
    for r in rows:
        conf = f"{r.confidence:.2f}" if r.confidence is not None else "-"
        line = f"{r.created_at:%Y-%m-%d %H:%M:%S}  v{r.version}  {r.source:<8}  {r.label:<10}  {conf}"
        if r.source == "reviewer":
            line += f"  by {r.reviewer} (was {r.previous_label or '-'} from {r.previous_source or '-'}): {r.note}"
        elif r.source == "machine" and r.evidence.get("reason"):
            line += f"  {r.evidence['reason']}"
        typer.echo(line)


class Label(StrEnum):
    Truth = "Truth"
    Misleading = "Misleading"
    Fake = "Fake"
    Unverified = "Unverified"


def review(
    article_id: Annotated[str, typer.Argument(metavar="ID", help="Article id (or a unique prefix).")],
    label: Annotated[Label, typer.Option("--label", help="Truth, Misleading, Fake or Unverified.")],
    note: Annotated[str, typer.Option("--note", help="Why: kept in the audit trail.")],
    by: Annotated[str, typer.Option("--by", help="The reviewer's name.")],
    rejudge: Annotated[
        bool, typer.Option(help="Re-judge the outlet's other articles, whose track record the review changes.")
    ] = True,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Record a reviewer's verdict: it wins over the machine's and an imported label, with an audit trail."""
    settings = settings_for(db)
    with store_for(settings) as store:
        row = record_review(store, article_id, label.value, note, by, now_utc())
        outlet = VerdictStore(store.engine).outlet_of(row["id"])
        if rejudge and outlet:
            rejudge_affected(store, settings, domains=[outlet])
    if as_json:
        _json(row)
    else:
        prev = row["previous"]
        typer.echo(
            f"{row['id']}: {row['label']} by {row['by']} (was {prev['label'] or '-'} from {prev['source'] or '-'})"
        )


class RatingFormat(StrEnum):
    wikipedia_rsp = "wikipedia-rsp"
    lin2023 = "lin2023"
    mbfc_baly = "mbfc-baly"
    csv = "csv"


assert tuple(f.value for f in RatingFormat) == FORMATS


@ratings_app.command("import")
def ratings_import(
    file: Annotated[Path, typer.Argument(help="The rating file.")],
    fmt: Annotated[RatingFormat, typer.Option("--format", help="wikipedia-rsp, lin2023, mbfc-baly or csv.")],
    name: Annotated[str | None, typer.Option(help="The set's name (default: the format).")] = None,
    rejudge: Annotated[bool, typer.Option(help="Re-judge the stored articles of the outlets rated.")] = True,
    db: DbOption = None,
) -> None:
    """Import a rating set (replacing an earlier import under the same name). Bad rows are reported and skipped."""
    settings = settings_for(db)
    errors: list[tuple[str, str]] = []
    try:
        ratings = read_ratings(file, fmt.value, errors)
    except VeracityError as exc:
        fail(exc)
        raise AssertionError("unreachable") from exc
    for where, reason in errors[:20]:
        err.print(f"skipped: {where}: {reason}", markup=False)
    if len(errors) > 20:
        err.print(f"skipped {len(errors) - 20} more rows", markup=False)
    set_name = name or fmt.value
    with store_for(settings) as store:
        count = RatingStore(store.engine).import_set(set_name, fmt.value, str(file), ratings, now_utc())
        result = rejudge_affected(store, settings, domains=[r.domain for r in ratings]) if rejudge else None
    typer.echo(
        f"imported={count} skipped={len(errors)} set={set_name}" + (f" rejudged={result.done}" if result else "")
    )


@ratings_app.command("list")
def ratings_list(as_json: JsonOption = False, db: DbOption = None) -> None:
    """The imported rating sets."""
    with store_for(settings_for(db)) as store:
        sets = RatingStore(store.engine).sets()
    if as_json:
        _json([{**vars_(s), "imported_at": s.imported_at.isoformat(timespec="seconds")} for s in sets])
        return
    if not sets:
        typer.echo("no rating sets imported (veracity ratings import FILE --format …)")
    for s in sets:
        typer.echo(f"{s.name:<20} {s.format:<14} {s.entries:>7} outlets  {s.imported_at:%Y-%m-%d %H:%M}  {s.source}")


def vars_(obj: Any) -> dict[str, Any]:
    return {k: getattr(obj, k) for k in obj.__slots__}


@ratings_app.command("show")
def ratings_show(
    domain: Annotated[str, typer.Argument(help="The outlet's domain or a URL on it.")],
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """What every imported set says about one outlet; disagreements are shown, not averaged."""
    key = outlet_domain(domain)
    if key is None:
        fail(f"not a domain: {domain!r}", code=2)
        raise AssertionError("unreachable")
    with store_for(settings_for(db)) as store:
        found = RatingStore(store.engine).for_domain(key)
    if as_json:
        _json({"domain": key, "ratings": [vars_(r) for r in found]})
        return
    if not found:
        typer.echo(f"{key}: unknown (no imported set rates it; unknown is not unreliable)")
        return
    for r in found:
        rel = "-" if r.reliability is None else f"{r.reliability:.2f}"
        typer.echo(f"{key}  {r.set_name:<20} {rel:>5}  {r.value}" + ("  [satire]" if r.satire else ""))
    values = [r.reliability for r in found if r.reliability is not None]
    if values and max(values) - min(values) >= 0.4:
        typer.echo(f"the sets disagree: reliability from {min(values):.2f} to {max(values):.2f}")


@ratings_app.command("remove")
def ratings_remove(name: Annotated[str, typer.Argument(help="The set's name.")], db: DbOption = None) -> None:
    """Remove an imported rating set."""
    with store_for(settings_for(db)) as store:
        if not RatingStore(store.engine).remove(name):
            fail(f"no rating set named {name!r}")
    typer.echo(f"removed {name}")


def register(app: typer.Typer) -> None:
    app.command()(judge)
    app.command()(verdicts)
    app.command()(review)
    app.add_typer(ratings_app, name="ratings")
