"""Stories in the store: assignment after ingest, persistence across processes, history (SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from conftest import require_data
from veracity.article import Article, Block, Outlet
from veracity.settings import Settings
from veracity.store.sql import SqlStore
from veracity.stories.persist import (
    article_copies,
    assign_stories,
    forget_index,
    save_snapshot,
    story_events,
    story_index,
    story_members,
    unassigned_ids,
)

QUAKE = (
    "A magnitude 6.4 earthquake struck near Ridgecrest, California on Thursday, the USGS said. "
    "Kern County fire officials reported damaged buildings in Ridgecrest and Trona. "
    "Governor Newsom activated the state emergency operations center after the Ridgecrest quake."
)
QUAKE_2 = (
    "Ridgecrest residents cleaned up on Friday after a 6.4 magnitude quake shook the Mojave Desert town. "
    "Kern County officials said no deaths were reported in Ridgecrest or Trona, and Newsom visited the area. "
    "The USGS warned of aftershocks around Ridgecrest for days."
)
PATCH = (
    "Microsoft released an emergency patch for Internet Explorer on Wednesday to fix a flaw attackers "
    "exploited, the company said. The MS08-078 bulletin covers Internet Explorer 7 on Windows XP and Vista. "
    "Redmond urged users to install the update through Windows Update at once."
)
T0 = datetime(2024, 7, 5, 12, 0)


def art(title: str, text: str, outlet: str, domain: str, when: datetime = T0, slug: str = "") -> Article:
    return Article(
        title=title,
        blocks=tuple(Block(p) for p in text.split(". ")),
        outlet=Outlet(outlet, domain),
        url=f"https://{domain}/news/{slug or title.lower().replace(' ', '-')}",
        published=when,
    )


def put(store: SqlStore, *articles: Article) -> list[str]:
    for a in articles:
        store.upsert(a)
    return [a.id for a in articles]


def members(store: SqlStore) -> dict[str, str]:
    with store.engine.connect() as conn:
        return {r.article_id: r.story_id for r in conn.execute(select(story_members))}


def test_same_story_joins_and_other_story_stays_apart(store: SqlStore) -> None:
    a = art("Strong earthquake hits Ridgecrest", QUAKE, "AP", "apnews.com")
    b = art("Ridgecrest cleans up after quake", QUAKE_2, "Los Angeles Times", "latimes.com", T0 + timedelta(hours=20))
    c = art("Microsoft rushes out Internet Explorer fix", PATCH, "The Verge", "theverge.com")
    ids = put(store, a, b, c)
    result = assign_stories(store, Settings(), ids)
    assert result.done == 3 and not result.failures
    got = members(store)
    assert got[a.id] == got[b.id] == a.id  # a story's id is its first article's
    assert got[c.id] == c.id


def test_rerun_and_new_version_keep_the_story(store: SqlStore) -> None:
    a = art("Strong earthquake hits Ridgecrest", QUAKE, "AP", "apnews.com")
    b = art("Ridgecrest cleans up after quake", QUAKE_2, "Los Angeles Times", "latimes.com")
    ids = put(store, a, b)
    assign_stories(store, Settings(), ids)
    before = members(store)
    assert assign_stories(store, Settings(), ids).done == 0
    edited = dataclasses.replace(a, blocks=(*a.blocks, Block("Updated: the toll was revised.")))
    store.upsert(edited)
    assert edited.id == a.id
    assert assign_stories(store, Settings(), [a.id]).done == 0
    assert members(store) == before
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(story_members)).scalar_one() == 2


def test_a_new_process_continues_from_the_database(store: SqlStore) -> None:
    """The index is rebuilt from snapshot + replay: a later article still finds its story."""
    a = art("Strong earthquake hits Ridgecrest", QUAKE, "AP", "apnews.com")
    c = art("Microsoft rushes out Internet Explorer fix", PATCH, "The Verge", "theverge.com")
    assign_stories(store, Settings(), put(store, a, c))
    forget_index(store)  # as if a new process opened the database
    b = art("Ridgecrest cleans up after quake", QUAKE_2, "Los Angeles Times", "latimes.com")
    assign_stories(store, Settings(), put(store, b))
    assert members(store)[b.id] == a.id


def test_snapshot_then_replay_equals_one_run(db_url: str, tmp_path: object) -> None:
    from veracity.store.sql import open_store

    docs = [
        art(f"Quake report {i}", QUAKE if i % 2 else QUAKE_2, f"Outlet {i}", f"o{i}.example", T0, slug=str(i))
        for i in range(6)
    ] + [art(f"Patch report {i}", PATCH, f"Tech {i}", f"t{i}.example", T0, slug=f"p{i}") for i in range(4)]
    store = open_store(db_url)
    try:
        settings = Settings()
        small = dataclasses.replace(settings, stories=dataclasses.replace(settings.stories, snapshot_every=3))
        for i, d in enumerate(docs):  # one article per call, a new "process" every other call
            assign_stories(store, small, put(store, d))
            if i % 2:
                forget_index(store)
        with store.engine.connect() as conn:
            assert conn.execute(select(story_index.c.seq)).scalar_one() >= 3
        stepwise = members(store)
    finally:
        store.close()
    from veracity.stories.cluster import StoryIndex
    from veracity.stories.persist import story_text

    one_run = StoryIndex.rebuild((d.id, story_text(d), d.published) for d in docs).labels()
    assert stepwise == one_run


def test_copies_are_recorded(store: SqlStore) -> None:
    a = art("Strong earthquake hits Ridgecrest", QUAKE, "AP", "apnews.com")
    reprint = dataclasses.replace(a, outlet=Outlet("Yahoo News", "news.yahoo.com"), url="https://news.yahoo.com/q")
    ids = put(store, a, reprint)
    assign_stories(store, Settings(), ids)
    with store.engine.connect() as conn:
        rows = conn.execute(select(article_copies)).all()
    assert [(r.article_id, r.other_id, r.kind) for r in rows] == [(reprint.id, a.id, "exact")]
    assert members(store)[reprint.id] == a.id


def test_unassigned_ids_lists_articles_without_a_story(store: SqlStore) -> None:
    a = art("Strong earthquake hits Ridgecrest", QUAKE, "AP", "apnews.com")
    c = art("Microsoft rushes out Internet Explorer fix", PATCH, "The Verge", "theverge.com")
    put(store, a, c)
    assert set(unassigned_ids(store)) == {a.id, c.id}
    assign_stories(store, Settings(), [a.id])
    assert unassigned_ids(store) == [c.id]


@pytest.mark.slow
def test_merges_and_splits_are_recorded_consistently(store: SqlStore) -> None:
    """On real ECB+ documents fed in chunks, the stored memberships and history match the index."""
    from veracity.evaluate.stories import arrival_order, load_ecbplus
    from veracity.stories.persist import _cache

    docs = arrival_order([d for d in load_ecbplus(require_data("ecbplus_story_clusters"), "dev") if d.topic <= 8], 0)
    articles = [
        Article(
            title=d.text.split("\n", 1)[0][:200],
            blocks=tuple(Block(p) for p in d.text.split("\n")[1:] if p.strip()) or (Block(d.text),),
            outlet=Outlet(f"outlet {d.doc_id}", None),
            url=f"https://ecb.example/{d.doc_id}",
        )
        for d in docs
    ]
    for start in range(0, len(articles), 7):
        assign_stories(store, Settings(), put(store, *articles[start : start + 7]))
    index = _cache[str(store.engine.url)].index
    assert index.merges or index.splits, "the data no longer exercises merges or splits"
    assert members(store) == index.labels()
    with store.engine.connect() as conn:
        events = conn.execute(select(story_events).order_by(story_events.c.id)).all()
    assert [e.kind for e in events].count("merge") == len(index.merges)
    assert [e.kind for e in events].count("split") == len(index.splits)
    for e, s in zip([e for e in events if e.kind == "split"], index.splits, strict=True):
        assert (e.story_id, e.other_id, tuple(json.loads(e.articles))) == (s.story, s.new, s.moved)
    save_snapshot(store)
    forget_index(store)
    assert assign_stories(store, Settings(), [a.id for a in articles]).done == 0


def test_snapshots_pickled_before_the_module_split_still_resolve_their_classes() -> None:
    """Snapshots written before ``values.py`` existed name these classes under ``veracity.stories.cluster``."""
    from veracity.stories import cluster, values

    for name in ("StoryParams", "SparseVector", "Merge", "Split", "StoryInfo", "_Story", "_DocTerms", "_Terms"):
        assert getattr(cluster, name) is getattr(values, name), name


def test_the_locked_round_assigns_like_the_optimistic_one(store: SqlStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """The round holding the write lock (after every optimistic round lost to another process): same stories."""
    from veracity.stories import persist

    monkeypatch.setattr(persist, "OPTIMISTIC_ATTEMPTS", 0)  # straight to the locked round
    a = art("Strong earthquake hits Ridgecrest", QUAKE, "AP", "apnews.com")
    c = art("Microsoft rushes out Internet Explorer fix", PATCH, "The Verge", "theverge.com")
    assert assign_stories(store, Settings(), put(store, a, c)).done == 2
    forget_index(store)
    b = art("Ridgecrest cleans up after quake", QUAKE_2, "Los Angeles Times", "latimes.com")
    result = assign_stories(store, Settings(), put(store, b))
    assert result.done == 1 and not result.failures
    assert members(store) == {a.id: a.id, c.id: c.id, b.id: a.id}
    assert assign_stories(store, Settings(), [a.id, b.id]).done == 0  # nothing pending: a no-op
