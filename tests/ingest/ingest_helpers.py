"""Helpers shared by the ingest tests: running ingest, the CLI, and reading the database back."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from veracity.ingest.pipeline import IngestReport, ingest_paths
from veracity.settings import Settings
from veracity.store import SqlStore
from veracity.store.sql import engine_for

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
SEED_CARD = FIXTURES / "news-card.txt"
FERRY = FIXTURES / "html" / "ferry-strike.html"
ORCHARD = FIXTURES / "html" / "orchard-grant.html"
RSS = FIXTURES / "feeds" / "courier.rss"
ATOM = FIXTURES / "feeds" / "ledger.atom"
RECORDS = FIXTURES / "jsonl" / "records.jsonl"
ENCODINGS = FIXTURES / "encodings"
NAV_ONLY = FIXTURES / "bad" / "nav-only.html"

FERRY_TITLE = "Ferry crews vote to strike over winter timetable"
ORCHARD_TITLE = "Valley orchards win grant to replant after hailstorm"


def ingest(store: SqlStore, *paths: Path | str, settings: Settings | None = None) -> IngestReport:
    """``ingest_paths`` on paths given as Path or str."""
    return ingest_paths([str(p) for p in paths], store, settings or Settings())


def counts(report: IngestReport) -> dict[str, int]:
    """The four numbers of the summary line."""
    c = report.counts
    return {
        "ingested": c["ingested"],
        "updated": c["updated"],
        "unchanged": c["unchanged"],
        "failed": len(report.failures),
    }


def reasons(report: IngestReport) -> dict[str, str]:
    """Failure reason by item name."""
    return {f.source: f.reason for f in report.failures}


def veracity_command() -> list[str]:
    """The installed ``veracity`` script of this interpreter's environment (else ``python -m veracity``)."""
    script = Path(sys.executable).with_name("veracity")
    return [str(script)] if script.exists() else [sys.executable, "-m", "veracity"]


def run_cli(
    *args: str, stdin: bytes | None = None, cwd: Path = ROOT, timeout: float = 120
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*veracity_command(), *args], input=stdin, capture_output=True, cwd=cwd, timeout=timeout, check=False
    )


def summary_line(result: subprocess.CompletedProcess[bytes]) -> str:
    """The last line of stdout: ``ingested=N updated=N unchanged=N failed=N``."""
    lines = result.stdout.decode("utf-8").strip().splitlines()
    assert lines, f"no output; stderr: {result.stderr.decode('utf-8', 'replace')}"
    return lines[-1]


def titles(store: SqlStore) -> list[str]:
    """Titles of every stored article, sorted."""
    return sorted(s.article.title for s in store.latest())


def by_title(store: SqlStore) -> dict[str, Any]:
    """Stored articles by title (``StoredArticle`` values)."""
    return {s.article.title: s for s in store.latest()}


def _engine(target: SqlStore | str) -> tuple[Engine, bool]:
    if isinstance(target, str):
        return engine_for(target), True
    return target.engine, False


def canonical_dump(target: SqlStore | str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of ``articles`` and ``versions``, sorted, without ``seen_at`` (the wall clock).

    The PostgreSQL ``search_vector`` column is left out too (it is derived, and not
    comparable as a value); SQLite's search table is checked by :func:`assert_whole`.
    """
    engine, own = _engine(target)
    dump: dict[str, list[tuple[Any, ...]]] = {}
    try:
        with engine.connect() as conn:
            for table in ("articles", "versions"):
                rows = conn.execute(text(f"SELECT * FROM {table}")).mappings().all()
                dump[table] = sorted(
                    tuple(repr(v) for k, v in sorted(r.items()) if k not in ("seen_at", "search_vector")) for r in rows
                )
    finally:
        if own:
            engine.dispose()
    return dump


def assert_whole(target: SqlStore | str, expected_titles: Sequence[str] | None = None) -> None:
    """Nothing half-written: every article has all its versions, no version is orphaned,
    every article is in the search index, and (when given) exactly these titles are stored."""
    engine, own = _engine(target)
    try:
        with engine.connect() as conn:
            q = conn.execute
            n_articles = q(text("SELECT count(*) FROM articles")).scalar_one()
            bad_counts = q(
                text(
                    "SELECT a.id FROM articles a LEFT JOIN versions v ON v.article_id = a.id"
                    " GROUP BY a.id, a.version_count HAVING count(v.number) <> a.version_count"
                    " OR max(v.number) <> a.version_count"
                )
            ).all()
            assert not bad_counts, f"articles whose versions do not match version_count: {bad_counts}"
            orphans = q(
                text(
                    "SELECT count(*) FROM versions v"
                    " WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = v.article_id)"
                )
            ).scalar_one()
            assert orphans == 0, f"{orphans} versions without an article"
            newest_differs = q(
                text(
                    "SELECT a.id FROM articles a JOIN versions v ON v.article_id = a.id AND v.number = a.version_count"
                    " WHERE v.content_hash <> a.content_hash OR v.title <> a.title"
                )
            ).all()
            assert not newest_differs, f"articles whose row differs from their newest version: {newest_differs}"
            if engine.dialect.name == "sqlite":
                indexed = q(text("SELECT count(*) FROM article_search")).scalar_one()
                assert indexed == n_articles, f"{indexed} search rows for {n_articles} articles"
            else:
                unindexed = q(text("SELECT count(*) FROM articles WHERE search_vector IS NULL")).scalar_one()
                assert unindexed == 0, f"{unindexed} articles missing from the search index"
            if expected_titles is not None:
                stored = sorted(r[0] for r in q(text("SELECT title FROM articles")).all())
                assert stored == sorted(expected_titles)
    finally:
        if own:
            engine.dispose()
