"""Fact-checks: the ClaimReview knowledge base and claim-to-fact-check matches. Owner: fact-checks (issue 5).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "factchecks",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("claim", sa.Text, nullable=False),
        sa.Column("review_url", sa.Text),
        sa.Column("publisher", sa.Text),
        sa.Column("publisher_site", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("claimant", sa.Text),
        sa.Column("claim_date", sa.DateTime),
        sa.Column("review_date", sa.DateTime),
        sa.Column("rating", sa.String(16), nullable=False),
        sa.Column("rating_score", sa.Float),
        sa.Column("rating_original", sa.Text, nullable=False),
        sa.Column("language", sa.String(16)),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("raw", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("imported_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_factchecks_review_date", "factchecks", ["review_date"])
    op.create_table(
        "factcheck_matches",
        sa.Column("article_id", sa.String(12), sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("factcheck_id", sa.String(16), sa.ForeignKey("factchecks.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("claim_number", sa.Integer, primary_key=True),
        sa.Column("claim", sa.Text, nullable=False),
        sa.Column("claim_kind", sa.String(16), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("published_after_article", sa.Boolean, nullable=False),
        sa.Column("matched_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("factcheck_matches")
    op.drop_index("ix_factchecks_review_date", "factchecks")
    op.drop_table("factchecks")
