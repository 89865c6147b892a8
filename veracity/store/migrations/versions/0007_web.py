"""Web desk: users, sessions, API tokens and the audit log of actions taken through it. Owner: web (issue 7).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

WEB_FILTERS = ("outlet_name", "outlet_domain", "label", "section", "language")


def upgrade() -> None:
    op.create_table(
        "web_users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.Text, nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("web_users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_web_sessions_expires_at", "web_sessions", ["expires_at"])
    op.create_table(
        "web_tokens",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("web_users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("last_used", sa.DateTime),
        sa.Column("revoked_at", sa.DateTime),
    )
    op.create_table(
        "web_audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),  # JSON object
    )
    op.create_index("ix_web_audit_target", "web_audit", ["target", "at"])
    # The feed's filters, each read newest first without a sort (bench/web.py at 100,000 articles).
    for column in WEB_FILTERS:
        op.create_index(f"ix_articles_{column}_updated", "articles", [column, "updated_at"])
    # The effective verdict in SQL (veracity/web/verdicts.py): an article's newest verdict of one source.
    op.create_index("ix_verdicts_article_source", "verdicts", ["article_id", "source", "id"])
    # The feed's entity filter: the articles mentioning a name.
    op.create_index("ix_analysis_entities_canonical", "analysis_entities", ["canonical", "article_id"])
    op.create_index("ix_analysis_entities_text", "analysis_entities", ["text", "article_id"])


def downgrade() -> None:
    op.drop_index("ix_analysis_entities_text", "analysis_entities")
    op.drop_index("ix_analysis_entities_canonical", "analysis_entities")
    op.drop_index("ix_verdicts_article_source", "verdicts")
    for column in WEB_FILTERS:
        op.drop_index(f"ix_articles_{column}_updated", "articles")
    op.drop_table("web_audit")
    op.drop_table("web_tokens")
    op.drop_table("web_sessions")
    op.drop_table("web_users")
