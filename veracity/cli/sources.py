"""Live sources: ``sources`` (add, list, remove, import, export, enable, disable, status), ``fetch``, ``run``."""

from __future__ import annotations

import json
import signal
import threading
from enum import StrEnum
from pathlib import Path
from types import FrameType
from typing import Annotated, Any

import typer

from veracity.cli.batch import AddressOption, EngineOption, crawl_hook, with_engine
from veracity.cli.common import (
    DbOption,
    JsonOption,
    err,
    exit_if_all_failed,
    fail,
    now_utc,
    parse_when,
    print_report,
    run_stages,
    settings_for,
    store_for,
    write,
)
from veracity.crawl.run import Crawler, CrawlReport, fetch_urls, freeze_startup_heap
from veracity.errors import VeracityError
from veracity.fetch import Fetcher
from veracity.ingest.pipeline import IngestReport
from veracity.settings import Settings
from veracity.sources.defaults import load_defaults
from veracity.sources.discover import discover
from veracity.sources.opml import read_opml, write_opml
from veracity.store.sources import FeedInfo, FeedState, OutletInfo, SourceStore

app = typer.Typer(help="Outlets and their feeds: add, list, import/export OPML, status.", no_args_is_help=True)


class Kind(StrEnum):
    news = "news"
    fact_checker = "fact-checker"
    satire = "satire"
    unknown = "unknown"


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


def _feed_json(f: FeedState) -> dict[str, Any]:
    return {
        "url": f.url,
        "kind": f.kind,
        "enabled": f.enabled,
        "disabled_reason": f.disabled_reason,
        "last_poll": f.last_poll.isoformat() if f.last_poll else None,
        "last_success": f.last_success.isoformat() if f.last_success else None,
        "last_error": f.last_error,
        "failures": f.failures,
        "next_poll": f.next_poll.isoformat(),
        "poll_interval": f.poll_interval,
        "new_articles": f.new_articles,
    }


def _add_all(sources: SourceStore, outlets: list[OutletInfo], interval: float) -> tuple[int, int]:
    now = now_utc()
    feeds = 0
    for o in outlets:
        feeds += sources.add_outlet(o, now, interval)[1]
    return len(outlets), feeds


def _print_report(report: IngestReport) -> None:
    if isinstance(report, CrawlReport):
        for url in report.disabled:
            err.print(
                f"disabled: {url}: too many consecutive failures (veracity sources enable to retry)", markup=False
            )
    print_report(report)


@app.command("add")
def add(
    url: Annotated[str, typer.Argument(help="A homepage (feeds and sitemaps discovered) or a feed/sitemap URL.")],
    name: Annotated[str | None, typer.Option(help="The outlet's name (default: discovered).")] = None,
    country: Annotated[str | None, typer.Option(help="ISO 3166 country code, e.g. FR.")] = None,
    language: Annotated[str | None, typer.Option(help="ISO 639-1 language code, e.g. fr.")] = None,
    kind: Annotated[Kind, typer.Option(help="What the outlet is.")] = Kind.unknown,
    db: DbOption = None,
) -> None:
    """Add an outlet with the feeds and sitemaps found at URL (through the safe fetcher)."""
    settings = settings_for(db)
    try:
        info = discover(Fetcher(settings.fetch), url, name=name)
    except VeracityError as exc:
        fail(exc)
        return
    info = OutletInfo(
        name=info.name,
        domain=info.domain,
        country=country.upper() if country else None,
        language=language or info.language,
        kind=kind.value,
        feeds=info.feeds,
    )
    if not info.feeds:
        fail(f"{url}: no feed or sitemap found (give a feed URL directly)")
    with store_for(settings) as store:
        sources = SourceStore(store.engine)
        _, added = sources.add_outlet(info, now_utc(), settings.crawl.poll_interval)
    typer.echo(f"{info.name} ({info.domain}): {added} feed(s) added")
    for f in info.feeds:
        typer.echo(f"  {f.kind:<11} {f.url}")


@app.command("list")
def list_sources(as_json: JsonOption = False, db: DbOption = None) -> None:
    """Every outlet with its feeds."""
    with store_for(settings_for(db)) as store:
        outlets = SourceStore(store.engine).outlets()
    if as_json:
        data = [
            {
                "name": o.name,
                "domain": o.domain,
                "country": o.country,
                "language": o.language,
                "kind": o.kind,
                "enabled": o.enabled,
                "feeds": [_feed_json(f) for f in o.feeds],
            }
            for o in outlets
        ]
        write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    for o in outlets:
        state = "enabled" if o.enabled else "disabled"
        write(f"{o.domain:<28} {o.kind:<12} {o.country or '-':<3} {o.language or '-':<3} {state:<8} {o.name}\n")
        for f in o.feeds:
            write(f"    {f.kind:<11} {'on ' if f.enabled else 'off'} {f.url}\n")


@app.command("remove")
def remove(
    what: Annotated[str, typer.Argument(metavar="SOURCE", help="Outlet domain or name, or a feed URL.")],
    db: DbOption = None,
) -> None:
    """Remove an outlet (and its feeds) or one feed. Stored articles stay."""
    with store_for(settings_for(db)) as store:
        n = SourceStore(store.engine).remove(what)
    typer.echo(f"removed {n} feed(s)")


@app.command("enable")
def enable(
    what: Annotated[str, typer.Argument(metavar="SOURCE", help="Outlet domain or name, or a feed URL.")],
    db: DbOption = None,
) -> None:
    """Enable an outlet's feeds again (failures cleared, polled on the next pass)."""
    with store_for(settings_for(db)) as store:
        n = SourceStore(store.engine).enable(what, now_utc())
    typer.echo(f"enabled {n} feed(s)")


@app.command("disable")
def disable(
    what: Annotated[str, typer.Argument(metavar="SOURCE", help="Outlet domain or name, or a feed URL.")],
    db: DbOption = None,
) -> None:
    """Stop polling an outlet's feeds (or one feed)."""
    with store_for(settings_for(db)) as store:
        n = SourceStore(store.engine).disable(what, "disabled by hand")
    typer.echo(f"disabled {n} feed(s)")


@app.command("import")
def import_sources(
    file: Annotated[Path | None, typer.Argument(help="An OPML file.")] = None,
    defaults: Annotated[
        bool, typer.Option("--defaults", help="Import the default list shipped with veracity.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Import outlets and feeds from an OPML file, or the default list (--defaults)."""
    if (file is None) == (not defaults):
        fail("give an OPML file or --defaults (one of them)", code=2)
    settings = settings_for(db)
    try:
        if file is not None:
            try:
                data = file.read_bytes()
            except OSError as exc:
                fail(f"{file}: {exc.strerror}")
                return
            outlets = read_opml(data, str(file))
        else:
            outlets = load_defaults()
    except VeracityError as exc:
        fail(exc)
        return
    with store_for(settings) as store:
        n, feeds = _add_all(SourceStore(store.engine), outlets, settings.crawl.poll_interval)
    typer.echo(f"imported {n} outlet(s), {feeds} new feed(s)")


@app.command("export")
def export(
    out: Annotated[Path | None, typer.Option("--out", help="Write to FILE instead of stdout.")] = None,
    db: DbOption = None,
) -> None:
    """Every outlet and feed as OPML 2.0."""
    with store_for(settings_for(db)) as store:
        text = write_opml(SourceStore(store.engine).outlets())
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        write(text)


@app.command("status")
def status(as_json: JsonOption = False, db: DbOption = None) -> None:
    """Per feed: enabled, last success, last error, consecutive failures, new articles, next poll."""
    with store_for(settings_for(db)) as store:
        feeds = SourceStore(store.engine).feeds()
    if as_json:
        write(json.dumps([{"outlet": f.outlet, **_feed_json(f)} for f in feeds], ensure_ascii=False, indent=2) + "\n")
        return
    write(
        f"{'outlet':<24} {'state':<8} {'last success':<16} {'next poll':<16} {'new':>5} {'fails':>5}"
        "  feed / last error\n"
    )
    for f in feeds:
        name = f.outlet if len(f.outlet) <= 24 else f.outlet[:23] + "…"
        state = "on" if f.enabled else "OFF"
        write(
            f"{name:<24} {state:<8} {_when(f.last_success):<16} {_when(f.next_poll):<16} "
            f"{f.new_articles:>5} {f.failures:>5}  {f.url}\n"
        )
        problem = f.disabled_reason or f.last_error
        if problem:
            write(f"{'':<24} {'':<8} {problem}\n")


def _warn_without_contact(settings: Settings) -> None:
    if settings.fetch.contact_is_fallback:
        err.print(
            "warning: no contact URL for the User-Agent: set VERACITY_CONTACT_URL to a page or mailto: "
            "where site owners can reach you (docs/crawler.md)"
        )


def fetch(
    urls: Annotated[list[str], typer.Argument(metavar="URL...", help="Article pages to fetch and ingest.")],
    db: DbOption = None,
) -> None:
    """Fetch article pages and ingest them (same summary line as ingest)."""
    settings = settings_for(db)
    _warn_without_contact(settings)
    with store_for(settings) as store:
        report = fetch_urls(urls, store, settings)
        run_stages(store, settings, report.changed)
    _print_report(report)
    exit_if_all_failed(report)


def run(
    once: Annotated[bool, typer.Option("--once", help="One pass, then exit.")] = False,
    workers: Annotated[int, typer.Option(help="Pages fetched ahead of extraction, in parallel.")] = 4,
    now: Annotated[
        str | None, typer.Option(help="Pretend it is this time (ISO 8601, UTC; tests).", hidden=True)
    ] = None,
    engine: EngineOption = None,
    address: AddressOption = None,
    db: DbOption = None,
) -> None:
    """Poll due feeds, fetch new articles, re-fetch recent ones; --once for one pass.

    With --engine ray, pages are fetched, extracted and stored by Ray tasks, per-host
    politeness held cluster-wide. Ctrl-C or SIGTERM finish the article being stored and
    exit cleanly; run again to resume.
    """
    settings = with_engine(settings_for(db), engine, address)
    _warn_without_contact(settings)
    when = parse_when(now, "--now")
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        with store_for(settings) as store, crawl_hook(settings) as fetch_due_with:
            crawler = Crawler(store, settings, workers=workers, fetch_due_with=fetch_due_with)
            freeze_startup_heap()
            if once:
                report: CrawlReport = crawler.run_once(when, stop.is_set)
                _print_report(report)
                return

            def on_pass(r: CrawlReport) -> None:
                _print_report(r)

            crawler.run_forever(stop, on_pass)
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="sources")
    root.command("fetch")(fetch)
    root.command("run")(run)


__all__ = ["FeedInfo", "register"]
