"""Helpers of the batch tests: an input that exercises ordering, a stage that records its feed order.

The input holds two and three versions of articles in neighbouring chunks (so their store
tasks are in flight together on Ray), identical copies, records that fail, and a JSON
Lines dump with another version of an archived article.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, inspect, select, text

from ingest.ingest_helpers import ROOT, canonical_dump
from ingest.warc_util import Page, article_html, write_warc
from veracity.enrich import StageResult
from veracity.settings import Settings
from veracity.store.sql import SqlStore, engine_for

sys.path.insert(0, str(ROOT / "bench"))
from procs import descendants

N_ARTICLES = 24
TOPICS = ("Harbour", "Council", "Ferry", "Orchard", "School")


def _paragraphs(i: int, version: int) -> list[str]:
    return [
        f"Story {i}, edition {version}: the {TOPICS[i % len(TOPICS)].lower()} board met on Tuesday and "
        "discussed the plan at some length before the public gallery.",
        f"Members agreed to publish the costs of item {i} (edition {version}) before the next meeting of the board.",
    ]


def _page(i: int, version: int) -> Page:
    url = f"https://gazette.example/news/{i:03d}"
    title = f"{TOPICS[i % len(TOPICS)]} story {i}"
    return Page(url, article_html(title, _paragraphs(i, version), url=url))


def make_inputs(folder: Path) -> list[str]:
    """A WARC and a JSON Lines dump; 3 versions of every article, interleaved closely."""
    pages: list[Page] = []
    for i in range(N_ARTICLES):  # v1 of i, then v2 of i-2 and v3 of i-4: versions two chunks apart at most
        pages.append(_page(i, 1))
        if i >= 2:
            pages.append(_page(i - 2, 2))
        if i >= 4:
            pages.append(_page(i - 4, 3))
        if i % 7 == 3:
            pages.append(_page(i, 1))  # an identical copy: unchanged
        if i % 9 == 4:
            pages.append(Page(f"https://gazette.example/missing/{i}", b"gone", status=404))  # skipped
            pages.append(Page(f"https://gazette.example/nav/{i}", b"<html><body><nav>Home</nav></body></html>"))
    warc = write_warc(folder / "crawl.warc.gz", pages)
    records = [
        {"url": "https://gazette.example/news/001", "title": "Council story 1", "text": "\n".join(_paragraphs(1, 9))},
        {"title": "A wire item", "text": "The wire service reported that the harbour reopened after the storm."},
        {"url": "https://gazette.example/wire/2"},  # no text: fails
    ]
    lines = [json.dumps(r) for r in records]
    lines.insert(2, "{not json")
    dump = folder / "dump.jsonl"
    dump.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [str(warc), str(dump)]


def _members() -> Table:
    return Table(
        "batch_test_members",
        MetaData(),
        Column("article_id", String(12), primary_key=True),
        Column("story", String(12), nullable=False),
        Column("topic", String(40), nullable=False),
        Column("seq", Integer, nullable=False),
    )


def member_stage(store: SqlStore, settings: Settings, ids: Sequence[str]) -> StageResult:
    """A stand-in for story assignment: stateful, order-dependent, idempotent.

    An article joins the story of the first article of its topic this stage was fed;
    ``seq`` is its place in the feed. Run again on the same ids, it changes nothing.
    """
    members = _members()
    with store.engine.begin() as conn:
        members.create(conn, checkfirst=True)
        for aid in ids:
            if conn.execute(select(members.c.article_id).where(members.c.article_id == aid)).first():
                continue
            title = conn.execute(text("SELECT title FROM articles WHERE id = :id"), {"id": aid}).scalar_one()
            topic = title.split()[0]
            first = conn.execute(
                select(members.c.story).where(members.c.topic == topic).order_by(members.c.seq).limit(1)
            ).scalar()
            seq = conn.execute(select(func.count()).select_from(members)).scalar_one()
            conn.execute(insert(members).values(article_id=aid, story=first or aid, topic=topic, seq=seq))
    return StageResult("members", len(ids))


# The enrich stages' tables compared, with the columns that are the wall clock or a
# database sequence (which a rolled-back retry advances on PostgreSQL) left out.
STAGE_TABLES = {
    "batch_test_members": "article_id, story, topic, seq",
    "story_members": "article_id, story_id, seq, version",
    "story_events": "seq, kind, story_id, other_id, articles, at_article",
    "article_copies": "article_id, other_id, jaccard, kind",
    "story_index": "seq, params",
}


def full_dump(url: str) -> dict[str, Any]:
    """Articles and versions (``canonical_dump``) and every enrich stage's rows."""
    dump: dict[str, Any] = canonical_dump(url)
    engine = engine_for(url)
    try:
        with engine.connect() as conn:
            for table, columns in STAGE_TABLES.items():
                if inspect(conn).has_table(table):
                    rows = conn.execute(text(f"SELECT {columns} FROM {table}"))
                    dump[table] = sorted(tuple(repr(v) for v in r) for r in rows)
    finally:
        engine.dispose()
    return dump


def assert_same_dump(url: str, expected_url: str) -> None:
    """``full_dump`` of both stores equal, or an error naming the tables and rows that differ.

    pytest's own diff of two dumps of thousands of rows runs for many minutes (difflib),
    so the difference is reported here, a few rows a side.
    """
    got, expected = full_dump(url), full_dump(expected_url)
    problems = []
    for table in sorted(set(got) | set(expected)):
        have, want = set(got.get(table, [])), set(expected.get(table, []))
        if have != want or len(got.get(table, [])) != len(expected.get(table, [])):
            problems.append(
                f"{table}: {len(got.get(table, []))} rows, expected {len(expected.get(table, []))}; "
                f"only here {sorted(have - want)[:3]}; only expected {sorted(want - have)[:3]}"
            )
    assert not problems, "\n".join(problems)


def big_archive(path: Path, n: int) -> Path:
    """``n`` articles, one version each, then a second version of every tenth: a run of a few seconds."""
    pages = [_page(i, 1) for i in range(n)] + [_page(i, 2) for i in range(0, n, 10)]
    return write_warc(path, pages)


def ray_processes(title: str) -> list[int]:
    """Pids of this process's descendants whose process title is ``ray::<title>`` (a Ray worker running
    it), or ``ray::<title>.<method>`` (an actor running a method)."""
    return descendants(lambda name: name.split(b".")[0] == f"ray::{title}".encode())
