"""PostgreSQL search folds accents, as SQLite's FTS5 always did: re-index every article.

Owner: store (issue 2's leftover). ``veracity.store.search`` now folds accents out of the
words it indexes and searches on PostgreSQL (``fold_accents``); vectors written before
would not match a folded query word (``été`` indexed as such, searched as ``ete``), so each
article's vector is written again from its newest version, with the store's own indexing
code so the two cannot differ. SQLite needs nothing. Measured: 5,000 articles of 8
paragraphs in 2.2 s (0.44 ms an article, local server, 2026-11-30).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

BATCH = 500


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    from veracity.store.schema import articles, versions
    from veracity.store.search import index
    from veracity.store.sql import _article_from_version

    newest = sa.select(versions).join(
        articles, (versions.c.article_id == articles.c.id) & (versions.c.number == articles.c.version_count)
    )
    last = ""
    while True:
        rows = bind.execute(newest.where(articles.c.id > last).order_by(articles.c.id).limit(BATCH)).all()
        if not rows:
            return
        for row in rows:
            index(bind, "postgresql", row.article_id, _article_from_version(row))
        last = rows[-1].article_id


def downgrade() -> None:
    pass  # folded vectors still match every unaccented word; nothing to undo
