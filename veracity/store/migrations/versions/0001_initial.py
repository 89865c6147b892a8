"""Articles, their versions, and full-text search (FTS5 on SQLite, tsvector on PostgreSQL).

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.String(12), primary_key=True),
        sa.Column("key", sa.Text, nullable=False, unique=True),
        sa.Column("url", sa.Text),
        sa.Column("canonical_url", sa.Text),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("outlet_name", sa.Text, nullable=False),
        sa.Column("outlet_domain", sa.Text),
        sa.Column("section", sa.Text),
        sa.Column("authors", sa.Text, nullable=False),
        sa.Column("language", sa.String(16)),
        sa.Column("label", sa.String(16)),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("version_count", sa.Integer, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_articles_updated_at", "articles", ["updated_at"])
    op.create_index("ix_articles_outlet_name", "articles", ["outlet_name"])
    op.create_table(
        "versions",
        sa.Column("article_id", sa.String(12), sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("blocks", sa.Text, nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("canonical_url", sa.Text),
        sa.Column("outlet_name", sa.Text, nullable=False),
        sa.Column("outlet_domain", sa.Text),
        sa.Column("section", sa.Text),
        sa.Column("authors", sa.Text, nullable=False),
        sa.Column("language", sa.String(16)),
        sa.Column("label", sa.String(16)),
        sa.Column("published_at", sa.DateTime),
        sa.Column("modified_at", sa.DateTime),
        sa.Column("seen_at", sa.DateTime, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.add_column("articles", sa.Column("search_vector", sa.dialects.postgresql.TSVECTOR))
        op.create_index("ix_articles_search", "articles", ["search_vector"], postgresql_using="gin")
    else:
        # rowid = the article id read as a 48-bit integer: looked up by key, unlike an
        # UNINDEXED column, whose every lookup scans the whole index.
        op.execute("CREATE VIRTUAL TABLE article_search USING fts5(title, body, tokenize='unicode61')")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TABLE article_search")
    op.drop_table("versions")
    op.drop_table("articles")
