"""Stories in the database: membership, history, copies, and the persisted story index.

Migration ``0003`` creates the tables. :func:`assign_stories` is the after-ingest stage
(see :mod:`veracity.enrich`): it puts every new article into a story with the
:class:`~veracity.stories.cluster.StoryIndex` and records what changed.

How the index survives between processes: assignment is deterministic (a function of the
articles and their order only), so the index is a snapshot (``story_index``, saved every
``snapshot_every`` assignments) plus a replay of the articles assigned after it, in their
order (``story_members.seq``), each with the version it was assigned with. A process keeps
its index in memory between calls (``veracity run``), catching up with what other
processes assigned meanwhile.

Concurrency: two processes may assign at once. Each computes on its own copy of the index,
then writes in one transaction that first checks no other process wrote a later ``seq``
(optimistic locking); if one did, the loser reloads, catches up and tries again. After
``OPTIMISTIC_ATTEMPTS`` lost rounds it takes the database's write lock for one last round
(SQLite ``BEGIN IMMEDIATE``, a PostgreSQL advisory lock), which cannot lose. A killed
process leaves either all of a batch's rows or none.

The snapshot is a pickle: the database is trusted like the code that reads it (it holds
the articles themselves); never point veracity at a database you do not control.
"""

from __future__ import annotations

import json
import pickle
import threading
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    select,
    text,
    update,
)

from veracity.article import Article
from veracity.enrich import StageResult
from veracity.settings import Settings
from veracity.store.schema import articles, versions
from veracity.store.sql import SqlStore, _article_from_version
from veracity.stories.cluster import StoryIndex, StoryParams

metadata = MetaData()

story_members = Table(
    "story_members",
    metadata,
    Column("article_id", String(12), ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("story_id", String(12), nullable=False, index=True),
    Column("seq", Integer, nullable=False, unique=True),
    Column("version", Integer, nullable=False),
    Column("assigned_at", DateTime, nullable=False),
)

story_events = Table(
    "story_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("seq", Integer, nullable=False),
    Column("kind", String(8), nullable=False),  # merge | split
    Column("story_id", String(12), nullable=False, index=True),  # absorbed (merge) / left (split)
    Column("other_id", String(12), nullable=False, index=True),  # into (merge) / new (split)
    Column("articles", Text, nullable=False),  # JSON list of the articles that moved
    Column("at_article", String(12), nullable=False),
    Column("at", DateTime, nullable=False),
)

article_copies = Table(
    "article_copies",
    metadata,
    Column("article_id", String(12), ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("other_id", String(12), primary_key=True),  # the earlier article it copies
    Column("jaccard", Float, nullable=False),
    Column("kind", String(8), nullable=False),  # exact | near
)

story_index = Table(
    "story_index",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("params", Text, nullable=False),
    Column("state", LargeBinary, nullable=False),
    Column("saved_at", DateTime, nullable=False),
)

REPLAY_BATCH = 256


def story_text(article: Article) -> str:
    """What the index reads of an article: headline, then the paragraphs (captions left out)."""
    return "\n".join([article.title, *article.paragraphs])


def story_date(article: Article, created_at: datetime | None) -> datetime | None:
    """The date the time window uses: publication, else first seen."""
    return article.published or created_at


class _Cached:
    """One process's index for one database, with the last ``seq`` it includes."""

    def __init__(self, index: StoryIndex, seq: int, snapshot_seq: int) -> None:
        self.index = index
        self.seq = seq
        self.snapshot_seq = snapshot_seq


_cache: dict[str, _Cached] = {}
_lock = threading.Lock()


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _params_key(params: StoryParams) -> str:
    return json.dumps(asdict(params), sort_keys=True)


def _load(conn: Connection, params: StoryParams) -> _Cached:
    row = conn.execute(select(story_index).where(story_index.c.id == 1)).first()
    if row is not None and row.params == _params_key(params):
        index = pickle.loads(row.state)
        return _Cached(index, row.seq, row.seq)
    return _Cached(StoryIndex(params), 0, 0)


def _catch_up(conn: Connection, cached: _Cached) -> None:
    """Replay the articles other processes (or this one, before a restart) assigned after ``cached.seq``."""
    while True:
        rows = conn.execute(
            select(story_members.c.article_id, story_members.c.seq, articles.c.created_at, versions)
            .join(articles, articles.c.id == story_members.c.article_id)
            .join(
                versions,
                (versions.c.article_id == story_members.c.article_id) & (versions.c.number == story_members.c.version),
            )
            .where(story_members.c.seq > cached.seq)
            .order_by(story_members.c.seq)
            .limit(REPLAY_BATCH)
        ).all()
        if not rows:
            return
        items = []
        for r in rows:
            article = _article_from_version(r)
            items.append((r.article_id, story_text(article), story_date(article, r.created_at)))
        cached.index.assign_many(items)
        cached.seq = rows[-1].seq


def _max_seq(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(story_members.c.seq), 0))).scalar_one())


def _pending(conn: Connection, ids: Sequence[str]) -> list[tuple[str, int, Article, datetime]]:
    """The given articles that have no story yet, in the given order, with their newest version."""
    wanted = list(dict.fromkeys(ids))
    found: dict[str, tuple[str, int, Article, datetime]] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = conn.execute(
            select(articles.c.created_at, versions)
            .join(articles, (versions.c.article_id == articles.c.id) & (versions.c.number == articles.c.version_count))
            .outerjoin(story_members, story_members.c.article_id == articles.c.id)
            .where(articles.c.id.in_(chunk), story_members.c.article_id.is_(None))
        ).all()
        for r in rows:
            found[r.article_id] = (r.article_id, r.number, _article_from_version(r), r.created_at)
    return [found[i] for i in wanted if i in found]


def unassigned_ids(store: SqlStore) -> list[str]:
    """Articles without a story (stored before stories existed, or by a run killed before assigning)."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(articles.c.id)
            .outerjoin(story_members, story_members.c.article_id == articles.c.id)
            .where(story_members.c.article_id.is_(None))
            .order_by(articles.c.created_at, articles.c.id)
        ).all()
    return [r.id for r in rows]


def _write(
    conn: Connection, cached: _Cached, new: list[tuple[str, int]], merges_from: int, splits_from: int, seq0: int
) -> None:
    """Record a batch: new memberships, moved articles, merge/split history and copies."""
    index, now = cached.index, _now()
    if new:
        conn.execute(
            insert(story_members),
            [
                {
                    "article_id": aid,
                    "story_id": index.story_of(aid),
                    "seq": seq0 + i + 1,
                    "version": v,
                    "assigned_at": now,
                }
                for i, (aid, v) in enumerate(new)
            ],
        )
    copies = [
        {"article_id": aid, "other_id": m.other_id, "jaccard": float(m.jaccard), "kind": m.kind}
        for aid, _ in new
        for m in index.copies_of(aid)
    ]
    if copies:
        conn.execute(insert(article_copies), copies)
    seq_of = {aid: seq0 + i + 1 for i, (aid, _) in enumerate(new)}
    moved: set[str] = set()
    events: list[tuple[str, str, str, list[str], str]] = []
    for m in index.merges[merges_from:]:
        members = index.story(m.into).articles
        moved.update(members)
        events.append(("merge", m.absorbed, m.into, [], m.at))
    for s in index.splits[splits_from:]:
        moved.update(s.moved)
        events.append(("split", s.story, s.new, list(s.moved), s.at))
    for kind, story_id, other_id, arts, at in events:
        conn.execute(
            insert(story_events).values(
                seq=seq_of.get(at, seq0),
                kind=kind,
                story_id=story_id,
                other_id=other_id,
                articles=json.dumps(arts),
                at_article=at,
                at=now,
            )
        )
    for aid in moved - set(seq_of):
        conn.execute(
            update(story_members)
            .where(story_members.c.article_id == aid, story_members.c.story_id != index.story_of(aid))
            .values(story_id=index.story_of(aid))
        )


def _snapshot(conn: Connection, cached: _Cached) -> None:
    state = pickle.dumps(cached.index, protocol=pickle.HIGHEST_PROTOCOL)
    conn.execute(delete(story_index).where(story_index.c.id == 1))
    conn.execute(
        insert(story_index).values(
            id=1, seq=cached.seq, params=_params_key(cached.index.params), state=state, saved_at=_now()
        )
    )
    cached.snapshot_seq = cached.seq


def _index_for(store: SqlStore, params: StoryParams) -> _Cached:
    key = str(store.engine.url)
    cached = _cache.get(key)
    if cached is None or cached.index.params != params:
        with store.engine.connect() as conn:
            cached = _load(conn, params)
        _cache[key] = cached
    return cached


def forget_index(store: SqlStore) -> None:
    """Drop this process's in-memory index for the store's database (it is reloaded on next use)."""
    with _lock:
        _cache.pop(str(store.engine.url), None)


def assign_stories(
    store: SqlStore, settings: Settings, ids: Sequence[str], params: StoryParams | None = None
) -> StageResult:
    """The after-ingest stage: put each article of ``ids`` that has no story yet into one.

    Articles already in a story keep it (a re-run, a new version). Stories that the new
    articles show to be one are merged and stories that turn out to be two are split; the
    history is kept in ``story_events``.
    """
    params = params or StoryParams()
    result = StageResult("stories")
    with _lock:
        for attempt in range(OPTIMISTIC_ATTEMPTS + 1):
            try:
                if _assign_pending(store, settings, ids, params, result, serialised=attempt == OPTIMISTIC_ATTEMPTS):
                    return result
            except Exception as exc:
                _cache.pop(str(store.engine.url), None)  # the in-memory index may be half-updated
                result.failures.extend((aid, f"story assignment failed: {type(exc).__name__}: {exc}") for aid in ids)
                return result
            _cache.pop(str(store.engine.url), None)  # another process assigned meanwhile: reload, catch up, again
        result.failures.extend((aid, "story assignment kept conflicting with another process") for aid in ids)
        return result


# Optimistic rounds before one that holds the database's write lock from catch-up to commit. Under
# load, a process whose assignment is slow can lose every optimistic round to a faster one that
# commits batch after batch; the locked round cannot lose (others wait on it), so no batch fails.
OPTIMISTIC_ATTEMPTS = 3
_ASSIGN_LOCK = 0x73746F72696573  # "stories": PostgreSQL advisory lock of the locked round


def _assign_pending(
    store: SqlStore, settings: Settings, ids: Sequence[str], params: StoryParams, result: StageResult, serialised: bool
) -> bool:
    """One round of assignment; False when another process wrote first (never when ``serialised``)."""
    cached = _index_for(store, params)
    if serialised:
        with store.engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ASSIGN_LOCK})
            _catch_up(conn, cached)
            todo = _pending(conn, ids)
            seq0, merges_from, splits_from = cached.seq, len(cached.index.merges), len(cached.index.splits)
            _assign(cached, todo)
            _store_assigned(conn, settings, cached, todo, seq0, merges_from, splits_from)
    else:
        with store.engine.connect() as conn:
            _catch_up(conn, cached)
            todo = _pending(conn, ids)
        if not todo:
            return True
        seq0, merges_from, splits_from = cached.seq, len(cached.index.merges), len(cached.index.splits)
        _assign(cached, todo)
        with store.engine.begin() as conn:
            if _max_seq(conn) != seq0:
                return False
            _store_assigned(conn, settings, cached, todo, seq0, merges_from, splits_from)
    result.done = len(todo)
    return True


def _assign(cached: _Cached, todo: list[tuple[str, int, Article, datetime]]) -> None:
    cached.index.assign_many(
        [(aid, story_text(article), story_date(article, created)) for aid, _, article, created in todo]
    )


def _store_assigned(
    conn: Connection,
    settings: Settings,
    cached: _Cached,
    todo: list[tuple[str, int, Article, datetime]],
    seq0: int,
    merges_from: int,
    splits_from: int,
) -> None:
    if not todo:
        return
    _write(conn, cached, [(aid, v) for aid, v, _, _ in todo], merges_from, splits_from, seq0)
    cached.seq = seq0 + len(todo)
    if cached.seq - cached.snapshot_seq >= settings.stories.snapshot_every:
        _snapshot(conn, cached)


def save_snapshot(store: SqlStore, params: StoryParams | None = None) -> None:
    """Save the index now (after a long run, so the next process need not replay)."""
    with _lock:
        cached = _index_for(store, params or StoryParams())
        with store.engine.begin() as conn:
            _catch_up(conn, cached)
            _snapshot(conn, cached)


class _Conflict(Exception):
    """Another process assigned stories between our read and our write."""


def story_ids_of(store: SqlStore, article_ids: Sequence[str]) -> list[str]:
    """The stories of these articles (each once)."""
    found: set[str] = set()
    with store.engine.connect() as conn:
        for start in range(0, len(article_ids), 500):
            chunk = list(article_ids[start : start + 500])
            rows = conn.execute(select(story_members.c.story_id).where(story_members.c.article_id.in_(chunk)))
            found.update(str(r.story_id) for r in rows)
    return sorted(found)


def story_article_ids(store: SqlStore, story_id: str) -> list[str]:
    """The ids of a story's articles, in order of assignment."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(story_members.c.article_id).where(story_members.c.story_id == story_id).order_by(story_members.c.seq)
        )
        return [str(r.article_id) for r in rows]


def story_rows(conn: Connection, story_id: str) -> list[Any]:
    """The articles of one story with what the story views need, oldest report first."""
    return list(
        conn.execute(
            select(
                articles.c.id,
                articles.c.title,
                articles.c.outlet_name,
                articles.c.outlet_domain,
                articles.c.url,
                articles.c.created_at,
                story_members.c.seq,
            )
            .join(story_members, story_members.c.article_id == articles.c.id)
            .where(story_members.c.story_id == story_id)
            .order_by(articles.c.created_at, story_members.c.seq)
        ).all()
    )
