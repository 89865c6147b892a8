"""Two processes writing the same articles at once, on SQLite and PostgreSQL.

The workers run in spawned processes, so they live at module level and take plain values.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import event, func, select

from veracity.article import Article, Block, Outlet
from veracity.store import Outcome, SqlStore, open_store
from veracity.store.schema import articles, versions

N = 50
TIMEOUT = 60


def batch(edition: int) -> list[Article]:
    """The same N articles; each edition changes every title and body."""
    return [
        Article(
            title=f"Story {i} (edition {edition})",
            blocks=(Block(f"Paragraph of story {i}, edition {edition}."), Block("Photo: AP", "caption")),
            outlet=Outlet("Wire", "wire.example"),
            url=f"https://wire.example/story/{i}",
        )
        for i in range(N)
    ]


def upsert_worker(url: str, editions: list[int], open_first: bool, barrier: Any, results: Any) -> None:
    """Open the store (before or after the barrier), then upsert each edition's batch.

    Both workers wait at the barrier before each edition, so they write it at the same time.
    """
    try:
        store = open_store(url) if open_first else None
        for edition in editions:
            barrier.wait(TIMEOUT)
            store = store or open_store(url)
            outcomes = Counter(str(store.upsert(a)) for a in batch(edition))
            results.put((edition, dict(outcomes)))
        if store is not None:
            store.close()
    except BaseException as exc:
        results.put((0, f"{type(exc).__name__}: {exc}"))


def run_pair(url: str, editions: list[int], *, open_first: bool) -> dict[int, Counter[str]]:
    """Run two workers; the outcomes of both, summed per edition."""
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    results = ctx.Queue()
    procs = [ctx.Process(target=upsert_worker, args=(url, editions, open_first, barrier, results)) for _ in range(2)]
    for p in procs:
        p.start()
    try:
        got = [results.get(timeout=TIMEOUT) for _ in range(2 * len(editions))]
    finally:
        for p in procs:
            p.join(TIMEOUT)
            if p.is_alive():
                p.kill()
    summed: dict[int, Counter[str]] = {}
    for edition, outcomes in got:
        assert isinstance(outcomes, dict), outcomes
        summed.setdefault(edition, Counter()).update(outcomes)
    return summed


def counts(store: SqlStore) -> tuple[int, int]:
    with store.engine.connect() as conn:
        n_articles = conn.execute(select(func.count()).select_from(articles)).scalar_one()
        n_versions = conn.execute(select(func.count()).select_from(versions)).scalar_one()
    return int(n_articles), int(n_versions)


def test_two_processes_upsert_the_same_articles(store: SqlStore, db_url: str) -> None:
    # Edition 1: both insert the same N new articles; edition 2: both store the same new versions.
    results = run_pair(db_url, [1, 2], open_first=True)
    assert results == {1: {"ingested": N, "unchanged": N}, 2: {"updated": N, "unchanged": N}}
    assert counts(store) == (N, 2 * N)
    stored = list(store.iter_all())
    assert {s.versions for s in stored} == {2}
    assert {s.article.title for s in stored} == {f"Story {i} (edition 2)" for i in range(N)}
    for s in stored[:5]:
        assert [v.number for v in store.versions(s.id)] == [1, 2]


def test_two_processes_first_use_of_a_new_database(db_url: str) -> None:
    """Both open an empty database at once: the schema is migrated once, nothing fails."""
    assert run_pair(db_url, [1], open_first=False) == {1: {"ingested": N, "unchanged": N}}
    store = open_store(db_url)
    try:
        assert counts(store) == (N, N)
    finally:
        store.close()


@pytest.mark.parametrize("same_content", [True, False], ids=["same-content", "other-content"])
def test_upsert_retries_when_another_writer_inserts_first(store: SqlStore, db_url: str, same_content: bool) -> None:
    """The race, made deterministic: a rival commits the article between our read and our insert."""
    ours = batch(1)[0]
    rival = ours if same_content else batch(2)[0]
    fired: list[str] = []

    @event.listens_for(store.engine, "before_cursor_execute")
    def rival_commits_first(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO ARTICLES") and not fired:
            fired.append(statement)
            other = open_store(db_url)
            try:
                assert other.upsert(rival) is Outcome.INGESTED
            finally:
                other.close()

    outcome = store.upsert(ours)
    assert fired, "the insert was never attempted"
    assert outcome is (Outcome.UNCHANGED if same_content else Outcome.UPDATED)
    assert counts(store) == (1, 1 if same_content else 2)
    assert [v.article for v in store.versions(ours.id)] == ([ours] if same_content else [rival, ours])
