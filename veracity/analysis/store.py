"""Stored analyses: one row per analysed article, its entities, quotes, claims and loaded terms.

Migration ``0004`` creates these tables. ``AnalysisStore`` is the only code that reads or
writes them; it works on the engine of an open ``SqlStore`` (SQLite and PostgreSQL alike).
An analysis belongs to one version of an article: ``analyses.content_hash`` is the hash of
the version analysed, so a new version is analysed again and an unchanged one is not. Each
article's analysis is replaced in one transaction: a killed run leaves the old analysis or
the new one, never half of either.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    delete,
    insert,
    or_,
    select,
)
from sqlalchemy.exc import SQLAlchemyError

from veracity.analysis.checkworthy import Claim
from veracity.analysis.entities import Entity
from veracity.analysis.loaded import LoadedTerm
from veracity.analysis.quotes import Quote
from veracity.errors import StoreError
from veracity.store.schema import articles
from veracity.store.sql import SqlStore

# Bump when the analysis would come out different (rules, lexicons, model): every article is
# then analysed again by the next ``veracity analyse``.
ANALYSER_VERSION = "1"

metadata = MetaData()

analyses = Table(
    "analyses",
    metadata,
    Column("article_id", String(12), primary_key=True),
    Column("content_hash", String(64), nullable=False),
    Column("analyser", String(16), nullable=False),
    Column("analysed_at", DateTime, nullable=False),
)


def _child(name: str, *columns: Column[Any]) -> Table:
    return Table(
        name,
        metadata,
        Column("article_id", String(12), primary_key=True),
        Column("seq", Integer, primary_key=True),
        *columns,
    )


entities_t = _child(
    "analysis_entities",
    Column("text", Text, nullable=False),
    Column("label", String(8), nullable=False),
    Column("start_char", Integer, nullable=False),
    Column("end_char", Integer, nullable=False),
    Column("canonical", Text, nullable=False),
)
quotes_t = _child(
    "analysis_quotes",
    Column("kind", String(8), nullable=False),
    Column("content", Text, nullable=False),
    Column("content_start", Integer, nullable=False),
    Column("content_end", Integer, nullable=False),
    Column("cue", Text),
    Column("cue_start", Integer),
    Column("cue_end", Integer),
    Column("speaker", Text),
    Column("speaker_start", Integer),
    Column("speaker_end", Integer),
    Column("speaker_entity", Text),
    Column("speaker_label", String(8)),
)
claims_t = _child(
    "analysis_claims",
    Column("text", Text, nullable=False),
    Column("start_char", Integer, nullable=False),
    Column("end_char", Integer, nullable=False),
    Column("score", Float, nullable=False),
)
loaded_t = _child(
    "analysis_loaded_terms",
    Column("term", Text, nullable=False),
    Column("category", String(16), nullable=False),
    Column("start_char", Integer, nullable=False),
    Column("end_char", Integer, nullable=False),
    Column("quoted", Boolean, nullable=False),
)
CHILDREN = (entities_t, quotes_t, claims_t, loaded_t)


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything analysis finds in one article body."""

    entities: list[Entity]
    quotes: list[Quote]
    claims: list[Claim]
    loaded_terms: list[LoadedTerm]


def _rows(article_id: str, items: Sequence[Any], renames: dict[str, str]) -> list[dict[str, Any]]:
    out = []
    for seq, item in enumerate(items):
        row = {renames.get(k, k): v for k, v in asdict(item).items()}
        out.append({"article_id": article_id, "seq": seq, **row})
    return out


SPAN_COLUMNS = {"start": "start_char", "end": "end_char"}


class AnalysisStore:
    """Reads and writes analyses on the engine of an open :class:`SqlStore`."""

    def __init__(self, store: SqlStore) -> None:
        self.engine = store.engine

    def save(self, article_id: str, content_hash: str, analysis: Analysis, now: datetime | None = None) -> None:
        """Replace the article's analysis with ``analysis`` of the version ``content_hash``."""
        when = now or datetime.now(UTC).replace(tzinfo=None, microsecond=0)
        try:
            with self.engine.begin() as conn:
                for table in (*CHILDREN, analyses):
                    conn.execute(delete(table).where(table.c.article_id == article_id))
                conn.execute(
                    insert(analyses).values(
                        article_id=article_id, content_hash=content_hash, analyser=ANALYSER_VERSION, analysed_at=when
                    )
                )
                for table, items in (
                    (entities_t, analysis.entities),
                    (quotes_t, analysis.quotes),
                    (claims_t, analysis.claims),
                    (loaded_t, analysis.loaded_terms),
                ):
                    rows = _rows(article_id, items, SPAN_COLUMNS)
                    if rows:
                        conn.execute(insert(table), rows)
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot store the analysis: {exc}", article_id) from exc

    def pending(self, ids: Iterable[str] | None = None, limit: int | None = None) -> list[str]:
        """Ids (of ``ids``, else of every article) whose newest version has no current analysis."""
        query = (
            select(articles.c.id)
            .select_from(articles.outerjoin(analyses, analyses.c.article_id == articles.c.id))
            .where(
                or_(
                    analyses.c.article_id.is_(None),
                    analyses.c.content_hash != articles.c.content_hash,
                    analyses.c.analyser != ANALYSER_VERSION,
                )
            )
            .order_by(articles.c.id)
        )
        wanted = None if ids is None else sorted(set(ids))
        out: list[str] = []
        with self.engine.connect() as conn:
            if wanted is None:
                rows = conn.execute(query.limit(limit) if limit else query).scalars()
                return [str(r) for r in rows]
            for k in range(0, len(wanted), 500):
                chunk = wanted[k : k + 500]
                out += [str(r) for r in conn.execute(query.where(articles.c.id.in_(chunk))).scalars()]
        return out

    def analysed_hash(self, article_id: str) -> str | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(analyses.c.content_hash).where(
                    and_(analyses.c.article_id == article_id, analyses.c.analyser == ANALYSER_VERSION)
                )
            ).first()
        return str(row.content_hash) if row else None

    def load(self, article_id: str) -> dict[str, list[dict[str, Any]]] | None:
        """The stored analysis as JSON-ready lists, or None when the article was never analysed."""
        with self.engine.connect() as conn:
            head = conn.execute(select(analyses).where(analyses.c.article_id == article_id)).first()
            if head is None:
                return None
            out: dict[str, list[dict[str, Any]]] = {}
            for key, table in (
                ("entities", entities_t),
                ("quotes", quotes_t),
                ("claims", claims_t),
                ("loaded_terms", loaded_t),
            ):
                rows = conn.execute(select(table).where(table.c.article_id == article_id).order_by(table.c.seq))
                out[key] = [_public(dict(r._mapping)) for r in rows]
        return out

    def claims(self, article_id: str, threshold: float) -> list[str]:
        """Texts of the stored claims scoring at least ``threshold``, then the quote contents."""
        with self.engine.connect() as conn:
            claim_rows = conn.execute(
                select(claims_t.c.text)
                .where(and_(claims_t.c.article_id == article_id, claims_t.c.score >= threshold))
                .order_by(claims_t.c.seq)
            ).scalars()
            texts = [str(t) for t in claim_rows]
            quote_rows = conn.execute(
                select(quotes_t.c.content).where(quotes_t.c.article_id == article_id).order_by(quotes_t.c.seq)
            ).scalars()
            texts += [str(t) for t in quote_rows]
        return texts


def _public(row: dict[str, Any]) -> dict[str, Any]:
    row.pop("article_id", None)
    row.pop("seq", None)
    for old, new in SPAN_COLUMNS.items():
        if new in row:
            row[old] = row.pop(new)
    if "quoted" in row:
        row["quoted"] = bool(row["quoted"])
    return row
