"""Web desk: covering indexes for the effective verdict, the review queue and an outlet's track record.

Owner: web (issue 7). At 100,000 articles (bench/web.py) the review queue and the outlet
page's track record read every verdict (230-360 ms). With these, each check on a row is read
from an index alone:

- ``ix_verdicts_article_source_label (article_id, source, id, label)``: an article's newest
  verdict of one source and its label (the effective verdict, ``veracity/web/verdicts.py``).
  It replaces ``ix_verdicts_article_source`` (0007), whose columns are its prefix.
- ``ix_verdicts_source_confidence (source, confidence, article_id)``: the queue walks machine
  verdicts least confident first and stops when its page is full.
- ``ix_articles_outlet_domain_label (outlet_domain, label, id)``: an outlet's articles with the
  label they came with, without reading the rows.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_verdicts_article_source_label", "verdicts", ["article_id", "source", "id", "label"])
    op.drop_index("ix_verdicts_article_source", "verdicts")
    op.create_index("ix_verdicts_source_confidence", "verdicts", ["source", "confidence", "article_id"])
    op.create_index("ix_articles_outlet_domain_label", "articles", ["outlet_domain", "label", "id"])


def downgrade() -> None:
    op.drop_index("ix_articles_outlet_domain_label", "articles")
    op.drop_index("ix_verdicts_source_confidence", "verdicts")
    op.create_index("ix_verdicts_article_source", "verdicts", ["article_id", "source", "id"])
    op.drop_index("ix_verdicts_article_source_label", "verdicts")
