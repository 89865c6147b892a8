"""The SQL store: one implementation for SQLite and PostgreSQL through SQLAlchemy Core.

Dialect differences are confined to connecting (SQLite pragmas, the psycopg 3 driver)
and full-text search (FTS5 on SQLite, a ``tsvector`` column on PostgreSQL), see
``veracity.store.search``.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, bindparam, create_engine, event, func, insert, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError, SQLAlchemyError

from veracity.article import Article, Block, Outlet
from veracity.errors import AmbiguousIdError, ConfigError, NotFoundError, StoreError
from veracity.store import search as fts
from veracity.store.base import Outcome, StoredArticle, VersionRecord
from veracity.store.schema import articles, versions

MIGRATIONS = Path(__file__).parent / "migrations"


def engine_for(url: str) -> Engine:
    """An engine for a database URL; ``postgresql://`` uses psycopg 3. SQLite runs in WAL mode."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"not a database URL: {exc}", url) from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError("only sqlite:/// and postgresql:// databases are supported", url)
    try:
        sqlite = parsed.get_backend_name() == "sqlite"
        engine = create_engine(parsed, connect_args={"timeout": 30} if sqlite else {})
    except ImportError as exc:  # a driver that is not installed, e.g. postgresql+psycopg2://
        raise ConfigError(f"database driver not available: {exc}", url) from exc
    if parsed.get_backend_name() == "sqlite":

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA busy_timeout=30000")
            _enable_wal(cur)
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()
            # SQLite's own lower() folds ASCII only; outlet filters need "ÉCHO" == "écho".
            dbapi_conn.create_function("lower", 1, _lower, deterministic=True)

    return engine


def _enable_wal(cur: Any) -> None:
    """Put the database in WAL mode (a setting kept in the file, so usually already on).

    Switching a new database to WAL answers "database is locked" at once, without
    waiting for the busy timeout, while another process has it open; so it is retried.
    """
    if str(cur.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
        return
    for attempt in range(300):
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == 299:
                raise
            time.sleep(0.1)


def _lower(value: str | None) -> str | None:
    return None if value is None else value.lower()


def alembic_config(conn: Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    return cfg


# Any constant: the PostgreSQL advisory lock that lets one process at a time migrate.
_MIGRATION_LOCK = 0x7665726163697479  # "veracity"


def upgrade(engine: Engine) -> bool:
    """Apply pending migrations; True when any were applied.

    Processes opening a new database at once migrate one after the other: the first holds
    a lock (SQLite: a write transaction, which also makes the DDL atomic; PostgreSQL: an
    advisory lock) and the others, once they get it, find the schema at head.
    """
    with engine.begin() as conn:
        cfg = alembic_config(conn)
        head = ScriptDirectory.from_config(cfg).get_current_head()
        if MigrationContext.configure(conn).get_current_revision() == head:
            return False
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        elif conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        cfg = alembic_config(conn)
        if MigrationContext.configure(conn).get_current_revision() == head:
            return False
        command.upgrade(cfg, "head")
        return True


def open_store(url: str) -> SqlStore:
    """Connect, migrate on first use, and return the store."""
    engine = engine_for(url)
    try:
        upgrade(engine)
    except OperationalError as exc:
        raise StoreError(f"cannot open the database: {exc.orig}", url) from exc
    return SqlStore(engine)


# The upsert's statements, built once (building them per article cost more than running them);
# their values are bound at execution.
_CURRENT = select(articles.c.content_hash, articles.c.version_count, articles.c.created_at, articles.c.label).where(
    articles.c.id == bindparam("aid")
)
_INSERT_ARTICLE = insert(articles)
_UPDATE_ARTICLE = update(articles).where(articles.c.id == bindparam("aid"))
_INSERT_VERSION = insert(versions)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def _dump_blocks(article: Article) -> str:
    return json.dumps([[b.kind, b.text] for b in article.blocks], ensure_ascii=False)


def _content_row(article: Article) -> dict[str, Any]:
    return {
        "url": article.url,
        "canonical_url": article.canonical_url,
        "title": article.title,
        "outlet_name": article.outlet.name,
        "outlet_domain": article.outlet.domain,
        "section": article.section,
        "authors": json.dumps(list(article.authors), ensure_ascii=False),
        "language": article.language,
        "label": article.label,
    }


def _article_from_version(row: Any) -> Article:
    return Article(
        title=row.title,
        blocks=tuple(Block(text, kind) for kind, text in json.loads(row.blocks)),
        outlet=Outlet(row.outlet_name, row.outlet_domain),
        url=row.url,
        canonical_url=row.canonical_url,
        section=row.section,
        authors=tuple(json.loads(row.authors)),
        language=row.language,
        published=row.published_at,
        modified=row.modified_at,
        label=row.label,
        source=row.source,
    )


class SqlStore:
    """The :class:`~veracity.store.base.Store` on a SQLAlchemy engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    # -- writing -----------------------------------------------------------------------
    def upsert(self, article: Article, *, seen_at: datetime | None = None) -> Outcome:
        """Store an article: new (``ingested``), a new version (``updated``) or ``unchanged``.

        One transaction per article. A concurrent writer inserting the same article first
        makes our insert fail on the primary key; the upsert is then retried once.
        """
        seen = seen_at or _now()
        for attempt in range(2):
            try:
                with self.engine.begin() as conn:
                    return self._upsert(conn, article, seen)
            except IntegrityError as exc:
                if attempt:
                    raise StoreError(f"cannot store the article: {exc.orig}", article.source or article.id) from exc
            except SQLAlchemyError as exc:
                raise StoreError(f"cannot store the article: {exc}", article.source or article.id) from exc
        raise AssertionError("unreachable")

    def _upsert(self, conn: Connection, article: Article, seen: datetime) -> Outcome:
        aid = article.id
        current = conn.execute(_CURRENT, {"aid": aid}).first()
        digest, search_text = article.hash_and_search_text()  # computed once: they read the whole body
        if current is not None and current.content_hash == digest:
            if article.label and article.label != "Unverified" and article.label != current.label:
                # An input saying "Unverified" says nothing; any other new label is the input's new verdict.
                conn.execute(_UPDATE_ARTICLE, {"aid": aid, "label": article.label})
                return Outcome.RELABELLED
            return Outcome.UNCHANGED
        number = 1 if current is None else current.version_count + 1
        created = article.published or article.modified or seen
        if current is not None:
            created = current.created_at
        updated = max(article.modified or (article.published if current is None else None) or seen, created)
        content = _content_row(article)
        row = {**content, "updated_at": updated, "version_count": number, "content_hash": digest}
        if current is None:
            conn.execute(_INSERT_ARTICLE, {"id": aid, "key": article.key, "created_at": created, **row})
        else:
            row["label"] = article.label or current.label
            conn.execute(_UPDATE_ARTICLE, {"aid": aid, **row})
        conn.execute(
            _INSERT_VERSION,
            {
                "article_id": aid,
                "number": number,
                "content_hash": digest,
                "published_at": article.published,
                "modified_at": article.modified,
                "seen_at": seen,
                "source": article.source,
                "blocks": _dump_blocks(article),
                **content,
            },
        )
        fts.index(conn, self.dialect, aid, article, search_text)
        return Outcome.INGESTED if current is None else Outcome.UPDATED

    # -- reading -----------------------------------------------------------------------
    def resolve(self, conn: Connection, id_or_prefix: str) -> str:
        prefix = id_or_prefix.strip().lower()
        if not prefix:
            raise NotFoundError("no article id given", id_or_prefix)
        # A whole id is looked up as such, a prefix as a range of the primary key: LIKE 'p%' cannot
        # use the index (SQLite: never with ESCAPE), which made every page of the web desk scan the table.
        if len(prefix) == 12:
            query = select(articles.c.id).where(articles.c.id == prefix)
        else:
            ranged = (articles.c.id >= prefix) & (articles.c.id < prefix + "g")  # ids are lowercase hex
            query = select(articles.c.id).where(ranged, articles.c.id.startswith(prefix, autoescape=True))
        ids = conn.execute(query.limit(2)).all()
        if not ids:
            raise NotFoundError("no article with this id", id_or_prefix)
        if len(ids) > 1:
            raise AmbiguousIdError("more than one article starts with this id; give more characters", id_or_prefix)
        return str(ids[0].id)

    def _stored(self, conn: Connection, rows: Sequence[Any]) -> list[StoredArticle]:
        if not rows:
            return []
        newest = select(versions).join(
            articles, (versions.c.article_id == articles.c.id) & (versions.c.number == articles.c.version_count)
        )
        latest = {v.article_id: v for v in conn.execute(newest.where(articles.c.id.in_([r.id for r in rows])))}
        out = []
        for r in rows:
            article = _article_from_version(latest[r.id])
            if r.label and r.label != article.label:  # the newest label from the input (see ``Outcome.RELABELLED``)
                article = replace(article, label=r.label)
            out.append(StoredArticle(r.id, article, r.created_at, r.updated_at, r.version_count))
        return out

    def get(self, id_or_prefix: str) -> StoredArticle:
        with self.engine.connect() as conn:
            aid = self.resolve(conn, id_or_prefix)
            return self._stored(conn, conn.execute(select(articles).where(articles.c.id == aid)).all())[0]

    def latest(
        self, *, limit: int | None = None, outlet: str | None = None, since: datetime | None = None
    ) -> list[StoredArticle]:
        query = select(articles).order_by(articles.c.updated_at.desc(), articles.c.id)
        if outlet:
            wanted = func.lower(outlet)
            query = query.where(
                (func.lower(articles.c.outlet_name) == wanted) | (func.lower(articles.c.outlet_domain) == wanted)
            )
        if since:
            query = query.where(articles.c.updated_at >= since)
        if limit:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return self._stored(conn, conn.execute(query).all())

    def search(self, query: str, *, limit: int = 20) -> list[StoredArticle]:
        with self.engine.connect() as conn:
            ids = fts.search(conn, self.dialect, query, limit)
            rows = {r.id: r for r in conn.execute(select(articles).where(articles.c.id.in_(ids)))}
            return self._stored(conn, [rows[i] for i in ids if i in rows])

    def versions(self, id_or_prefix: str) -> list[VersionRecord]:
        with self.engine.connect() as conn:
            aid = self.resolve(conn, id_or_prefix)
            rows = conn.execute(select(versions).where(versions.c.article_id == aid).order_by(versions.c.number))
            return [VersionRecord(r.number, r.seen_at, _article_from_version(r)) for r in rows]

    def iter_all(self, batch: int = 500) -> Iterator[StoredArticle]:
        """Every article, oldest first, read in batches so memory stays flat."""
        last = ""
        while True:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    select(articles).where(articles.c.id > last).order_by(articles.c.id).limit(batch)
                ).all()
                if not rows:
                    return
                yield from self._stored(conn, rows)
            last = rows[-1].id
