"""Stories: story membership, story history (merges/splits), near-copy links, index snapshot.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "story_members",
        sa.Column("article_id", sa.String(12), sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("story_id", sa.String(12), nullable=False, index=True),
        sa.Column("seq", sa.Integer, nullable=False, unique=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("assigned_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "story_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("story_id", sa.String(12), nullable=False, index=True),
        sa.Column("other_id", sa.String(12), nullable=False, index=True),
        sa.Column("articles", sa.Text, nullable=False),
        sa.Column("at_article", sa.String(12), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "article_copies",
        sa.Column("article_id", sa.String(12), sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("other_id", sa.String(12), primary_key=True),
        sa.Column("jaccard", sa.Float, nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
    )
    op.create_table(
        "story_index",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("params", sa.Text, nullable=False),
        sa.Column("state", sa.LargeBinary, nullable=False),
        sa.Column("saved_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("story_index")
    op.drop_table("article_copies")
    op.drop_table("story_events")
    op.drop_table("story_members")
