"""Verdicts and outlet ratings: rating sets, verdict history, reviews and their audit trail. Owner: verdict (issue 6).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rating_sets",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.Text, nullable=False, unique=True),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("imported_at", sa.DateTime, nullable=False),
        sa.Column("entries", sa.Integer, nullable=False),
    )
    op.create_table(
        "outlet_ratings",
        sa.Column("set_id", sa.Integer, sa.ForeignKey("rating_sets.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("domain", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("reliability", sa.Float),
        sa.Column("satire", sa.Boolean, nullable=False),
    )
    op.create_index("ix_outlet_ratings_domain", "outlet_ratings", ["domain"])
    op.create_table(
        "verdicts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("article_id", sa.String(12), sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("label", sa.String(16), nullable=False),
        sa.Column("confidence", sa.Float),
        sa.Column("genre", sa.String(16)),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("inputs_hash", sa.String(64), nullable=False),
        sa.Column("model", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("reviewer", sa.Text),
        sa.Column("note", sa.Text),
        sa.Column("previous_label", sa.String(16)),
        sa.Column("previous_source", sa.String(16)),
        sa.Column("outlet_domain", sa.Text),
        sa.Column("article_evidence", sa.Boolean, nullable=False),
    )
    op.create_index("ix_verdicts_article", "verdicts", ["article_id", "id"])
    op.create_index("ix_verdicts_outlet", "verdicts", ["outlet_domain"])


def downgrade() -> None:
    op.drop_table("verdicts")
    op.drop_table("outlet_ratings")
    op.drop_table("rating_sets")
