"""Table definitions (SQLAlchemy Core). Migrations in ``store/migrations`` create them."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Integer, MetaData, String, Table, Text

metadata = MetaData()

articles = Table(
    "articles",
    metadata,
    Column("id", String(12), primary_key=True),
    Column("key", Text, nullable=False, unique=True),
    Column("url", Text),
    Column("canonical_url", Text),
    Column("title", Text, nullable=False),
    Column("outlet_name", Text, nullable=False),
    Column("outlet_domain", Text),
    Column("section", Text),
    Column("authors", Text, nullable=False),  # JSON list
    Column("language", String(16)),
    Column("label", String(16)),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("version_count", Integer, nullable=False),
    Column("content_hash", String(64), nullable=False),
)

versions = Table(
    "versions",
    metadata,
    Column("article_id", String(12), ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("content_hash", String(64), nullable=False),
    Column("title", Text, nullable=False),
    Column("blocks", Text, nullable=False),  # JSON list of [kind, text]
    Column("url", Text),
    Column("canonical_url", Text),
    Column("outlet_name", Text, nullable=False),
    Column("outlet_domain", Text),
    Column("section", Text),
    Column("authors", Text, nullable=False),
    Column("language", String(16)),
    Column("label", String(16)),
    Column("published_at", DateTime),
    Column("modified_at", DateTime),
    Column("seen_at", DateTime, nullable=False),
    Column("source", Text, nullable=False),
)
