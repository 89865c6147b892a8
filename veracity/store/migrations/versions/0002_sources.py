"""Sources: outlets, their feeds with per-feed crawl state, and the crawl frontier.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outlets",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("domain", sa.Text, nullable=False, unique=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("country", sa.String(8)),
        sa.Column("language", sa.String(16)),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("added_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "feeds",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("outlet_id", sa.Integer, sa.ForeignKey("outlets.id", ondelete="CASCADE"), nullable=False),
        sa.Column("url", sa.Text, nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("disabled_reason", sa.Text),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("last_poll", sa.DateTime),
        sa.Column("last_success", sa.DateTime),
        sa.Column("last_error", sa.Text),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("next_poll", sa.DateTime, nullable=False),
        sa.Column("poll_interval", sa.Float, nullable=False),
        sa.Column("new_articles", sa.Integer, nullable=False),
        sa.Column("last_new", sa.Integer, nullable=False),
    )
    op.create_index("ix_feeds_next_poll", "feeds", ["next_poll"])
    op.create_index("ix_feeds_outlet_id", "feeds", ["outlet_id"])
    op.create_table(
        "crawl_urls",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("feed_id", sa.Integer, sa.ForeignKey("feeds.id", ondelete="SET NULL")),
        sa.Column("first_seen", sa.DateTime, nullable=False),
        sa.Column("last_fetch", sa.DateTime),
        sa.Column("fetches", sa.Integer, nullable=False),
        sa.Column("next_fetch", sa.DateTime),
        sa.Column("article_id", sa.String(12)),
        sa.Column("last_error", sa.Text),
    )
    op.create_index("ix_crawl_urls_next_fetch", "crawl_urls", ["next_fetch"])


def downgrade() -> None:
    op.drop_table("crawl_urls")
    op.drop_table("feeds")
    op.drop_table("outlets")
