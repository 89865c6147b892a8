"""Analysis: entities, quotes, check-worthy claims, loaded terms per article version. Owner: claims analysis (issue 5).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

CHILDREN = ("analysis_entities", "analysis_quotes", "analysis_claims", "analysis_loaded_terms")


def _child(name: str, *columns: sa.Column) -> None:  # type: ignore[type-arg]
    op.create_table(
        name,
        sa.Column(
            "article_id", sa.String(12), sa.ForeignKey("analyses.article_id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("seq", sa.Integer, primary_key=True),
        *columns,
    )


def upgrade() -> None:
    op.create_table(
        "analyses",
        sa.Column("article_id", sa.String(12), sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("analyser", sa.String(16), nullable=False),
        sa.Column("analysed_at", sa.DateTime, nullable=False),
    )
    _child(
        "analysis_entities",
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("label", sa.String(8), nullable=False),
        sa.Column("start_char", sa.Integer, nullable=False),
        sa.Column("end_char", sa.Integer, nullable=False),
        sa.Column("canonical", sa.Text, nullable=False),
    )
    _child(
        "analysis_quotes",
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("content_start", sa.Integer, nullable=False),
        sa.Column("content_end", sa.Integer, nullable=False),
        sa.Column("cue", sa.Text),
        sa.Column("cue_start", sa.Integer),
        sa.Column("cue_end", sa.Integer),
        sa.Column("speaker", sa.Text),
        sa.Column("speaker_start", sa.Integer),
        sa.Column("speaker_end", sa.Integer),
        sa.Column("speaker_entity", sa.Text),
        sa.Column("speaker_label", sa.String(8)),
    )
    _child(
        "analysis_claims",
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("start_char", sa.Integer, nullable=False),
        sa.Column("end_char", sa.Integer, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
    )
    _child(
        "analysis_loaded_terms",
        sa.Column("term", sa.Text, nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("start_char", sa.Integer, nullable=False),
        sa.Column("end_char", sa.Integer, nullable=False),
        sa.Column("quoted", sa.Boolean, nullable=False),
    )
    op.create_index("ix_analysis_claims_score", "analysis_claims", ["score"])


def downgrade() -> None:
    op.drop_index("ix_analysis_claims_score", "analysis_claims")
    for name in CHILDREN:
        op.drop_table(name)
    op.drop_table("analyses")
