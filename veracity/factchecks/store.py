"""The fact-check knowledge base and claim matches (SQLAlchemy Core, SQLite and PostgreSQL).

Migration ``0005`` creates these tables. ``FactCheckStore`` works on the engine of an open
``SqlStore``. Importing is idempotent: a fact-check is keyed by its review URL and claim, a
record seen again unchanged is counted ``unchanged``, a changed one ``updated``. Matches are
replaced per article in one transaction, so re-matching leaves exactly one set.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)

from veracity.factchecks.claimreview import FactCheck
from veracity.factchecks.rating import Rating

metadata = MetaData()

factchecks = Table(
    "factchecks",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("claim", Text, nullable=False),
    Column("review_url", Text),
    Column("publisher", Text),
    Column("publisher_site", Text),
    Column("title", Text),
    Column("claimant", Text),
    Column("claim_date", DateTime),
    Column("review_date", DateTime),
    Column("rating", String(16), nullable=False),  # normalised label
    Column("rating_score", Float),  # None: not rateable
    Column("rating_original", Text, nullable=False),
    Column("language", String(16)),
    Column("source", Text, nullable=False),
    Column("raw", Text, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("imported_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)
Index("ix_factchecks_review_date", factchecks.c.review_date)

factcheck_matches = Table(
    "factcheck_matches",
    metadata,
    Column("article_id", String(12), ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("factcheck_id", String(16), ForeignKey("factchecks.id", ondelete="CASCADE"), primary_key=True),
    Column("claim_number", Integer, primary_key=True),  # which claim of the article
    Column("claim", Text, nullable=False),
    Column("claim_kind", String(16), nullable=False),  # sentence | claim | quote
    Column("score", Float, nullable=False),
    Column("published_after_article", Boolean, nullable=False),
    Column("matched_at", DateTime, nullable=False),
)


@dataclass(frozen=True, slots=True)
class StoredMatch:
    """A stored match of one claim of an article to a fact-check."""

    article_id: str
    claim_number: int
    claim: str
    claim_kind: str
    score: float
    published_after_article: bool
    factcheck: FactCheck


def _row(fc: FactCheck, now: datetime) -> dict[str, Any]:
    return {
        "id": fc.id,
        "claim": fc.claim,
        "review_url": fc.review_url,
        "publisher": fc.publisher,
        "publisher_site": fc.publisher_site,
        "title": fc.title,
        "claimant": fc.claimant,
        "claim_date": fc.claim_date,
        "review_date": fc.review_date,
        "rating": fc.rating.label,
        "rating_score": fc.rating.score,
        "rating_original": fc.rating.original,
        "language": fc.language,
        "source": fc.source,
        "raw": fc.raw,
        "content_hash": fc.content_hash,
        "updated_at": now,
    }


def _fact_check(row: Any) -> FactCheck:
    return FactCheck(
        id=row.id,
        claim=row.claim,
        review_url=row.review_url,
        publisher=row.publisher,
        publisher_site=row.publisher_site,
        title=row.title,
        claimant=row.claimant,
        claim_date=row.claim_date,
        review_date=row.review_date,
        rating=Rating(row.rating, row.rating_score, row.rating_original),
        language=row.language,
        source=row.source,
        raw=row.raw,
    )


class FactCheckStore:
    """The knowledge base on an engine (that of ``SqlStore.engine``)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def upsert(self, fc: FactCheck, now: datetime) -> str:
        """Store one fact-check; returns ``ingested``, ``updated`` or ``unchanged``."""
        with self.engine.begin() as conn:
            old = conn.execute(select(factchecks.c.content_hash).where(factchecks.c.id == fc.id)).first()
            if old is None:
                conn.execute(insert(factchecks).values(**_row(fc, now), imported_at=now))
                return "ingested"
            if old.content_hash == fc.content_hash:
                return "unchanged"
            conn.execute(update(factchecks).where(factchecks.c.id == fc.id).values(**_row(fc, now)))
            return "updated"

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(factchecks)).scalar_one())

    def get(self, fc_id: str) -> FactCheck | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(factchecks).where(factchecks.c.id == fc_id)).first()
        return _fact_check(row) if row else None

    def find(
        self,
        *,
        limit: int | None = 50,
        rating: str | None = None,
        publisher: str | None = None,
        text: str | None = None,
    ) -> list[FactCheck]:
        """Newest reviews first; filters by normalised rating, publisher (substring) and text (substring)."""
        query = select(factchecks)
        if rating:
            query = query.where(factchecks.c.rating == rating)
        if publisher:
            pattern = f"%{publisher.lower()}%"
            query = query.where(
                or_(
                    func.lower(factchecks.c.publisher).like(pattern),
                    func.lower(factchecks.c.publisher_site).like(pattern),
                )
            )
        if text:
            pattern = f"%{text.lower()}%"
            query = query.where(
                or_(func.lower(factchecks.c.claim).like(pattern), func.lower(factchecks.c.title).like(pattern))
            )
        query = query.order_by(factchecks.c.review_date.desc().nulls_last(), factchecks.c.id)
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return [_fact_check(r) for r in conn.execute(query)]

    def iter_all(self, batch: int = 2000) -> Iterator[FactCheck]:
        """Every fact-check, in id order, read in batches (for building the match index)."""
        last = ""
        while True:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    select(factchecks).where(factchecks.c.id > last).order_by(factchecks.c.id).limit(batch)
                ).all()
            if not rows:
                return
            for row in rows:
                yield _fact_check(row)
            last = rows[-1].id

    def replace_matches(self, article_id: str, matches: Sequence[dict[str, Any]], now: datetime) -> None:
        """The article's matches become exactly ``matches`` (one transaction)."""
        with self.engine.begin() as conn:
            conn.execute(delete(factcheck_matches).where(factcheck_matches.c.article_id == article_id))
            if matches:
                conn.execute(
                    insert(factcheck_matches), [{**m, "article_id": article_id, "matched_at": now} for m in matches]
                )

    def matches(self, article_id: str) -> list[StoredMatch]:
        """The stored matches of an article, best score first."""
        query = (
            select(factcheck_matches, factchecks)
            .join(factchecks, factchecks.c.id == factcheck_matches.c.factcheck_id)
            .where(factcheck_matches.c.article_id == article_id)
            .order_by(factcheck_matches.c.score.desc(), factcheck_matches.c.claim_number)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            StoredMatch(
                article_id=r.article_id,
                claim_number=r.claim_number,
                claim=r._mapping[factcheck_matches.c.claim],
                claim_kind=r.claim_kind,
                score=r.score,
                published_after_article=r.published_after_article,
                factcheck=_fact_check_mapped(r),
            )
            for r in rows
        ]


def _fact_check_mapped(row: Any) -> FactCheck:
    m = row._mapping
    c = factchecks.c
    return FactCheck(
        id=m[c.id],
        claim=m[c.claim],
        review_url=m[c.review_url],
        publisher=m[c.publisher],
        publisher_site=m[c.publisher_site],
        title=m[c.title],
        claimant=m[c.claimant],
        claim_date=m[c.claim_date],
        review_date=m[c.review_date],
        rating=Rating(m[c.rating], m[c.rating_score], m[c.rating_original]),
        language=m[c.language],
        source=m[c.source],
        raw=m[c.raw],
    )
