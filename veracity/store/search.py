"""Full-text search: SQLite FTS5 or a PostgreSQL ``tsvector``, ranked, on normalised text.

Indexed text has NBSP and other whitespace normalised (``Article.search_text``), so a
search for ``Donald Trump`` finds ``Donald\\u00a0Trump``. Accents are folded on both backends
(``ete`` finds ``été`` and ``Malmo`` finds ``Malmö``): FTS5's ``unicode61`` tokenizer does it on
SQLite; on PostgreSQL the words are folded here (``fold_accents``), because the ``unaccent``
dictionary is an extension that needs a superuser to install.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import Connection, text

from veracity.article import Article
from veracity.text.normalize import normalize_space

_WORD = re.compile(r"\w+", re.UNICODE)
RANK_WINDOW = 1000  # PostgreSQL ranks the newest this many matches of a query (see ``search``)
# Built once: index() runs for every article stored.
_PG_INDEX = text(
    "UPDATE articles SET search_vector = setweight(to_tsvector('simple', :title), 'A')"
    " || setweight(to_tsvector('simple', :body), 'B') WHERE id = :id"
)
_SQLITE_UNINDEX = text("DELETE FROM article_search WHERE rowid = :rowid")
_SQLITE_INDEX = text("INSERT INTO article_search (rowid, title, body) VALUES (:rowid, :title, :body)")


def fold_accents(text: str) -> str:
    """``text`` without combining marks (canonical decomposition, marks dropped), as FTS5's ``remove_diacritics``."""
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def index(conn: Connection, dialect: str, article_id: str, article: Article, search_text: str | None = None) -> None:
    """(Re)index the newest version of an article, inside the caller's transaction.

    ``search_text`` is ``article.search_text`` when the caller has it already.
    """
    title = normalize_space(article.title)
    body = article.search_text if search_text is None else search_text
    if dialect == "postgresql":
        # PostgreSQL's parser keeps "covid-19" as covid + -19, "U.S." and hosts whole; split the
        # text into words exactly as queries are split, so every query word can match.
        title, body = " ".join(_WORD.findall(fold_accents(title))), " ".join(_WORD.findall(fold_accents(body)))
        conn.execute(_PG_INDEX, {"title": title, "body": body, "id": article_id})
    else:
        rowid = int(article_id, 16)
        conn.execute(_SQLITE_UNINDEX, {"rowid": rowid})
        conn.execute(_SQLITE_INDEX, {"rowid": rowid, "title": title, "body": body})


def search(conn: Connection, dialect: str, query: str, limit: int) -> list[str]:
    """Ids of the best matches, best first. Every word of the query must occur.

    On PostgreSQL the best of the newest ``max(limit, RANK_WINDOW)`` matches (all of them
    when there are fewer); on SQLite the best of all matches.

    The user's words are quoted as plain terms, so punctuation and FTS operators in a
    query cannot raise a syntax error.
    """
    words = _WORD.findall(normalize_space(query))
    if not words:
        return []
    if dialect == "postgresql":
        # ts_rank reads each match's whole tsvector, so ranking every match of a word found in
        # most articles cost 150 ms at 100,000 articles (docs/evaluation.md). Only the newest
        # RANK_WINDOW matches (or ``limit``, if more) are ranked: the inner query finds them with
        # the GIN index and a top-N sort by date when the words are rare, or walks
        # ix_articles_updated_at newest first and stops after the window when they are common,
        # and carries ids only, so the sort stays small. The tsquery is written inline (not a
        # CTE or a FROM item) so the planner sees the words and can choose between the two.
        # Searches with fewer matches than the window rank exactly as before; beyond it an
        # old article that would rank higher is left out, which suits a news desk. FTS5's bm25
        # over the same words is cheap enough on SQLite (33 ms p95), which still ranks all.
        rows = conn.execute(
            text(
                "SELECT a.id FROM (SELECT id FROM articles WHERE search_vector @@ plainto_tsquery('simple', :q)"
                " ORDER BY updated_at DESC LIMIT :window) AS recent JOIN articles AS a ON a.id = recent.id"
                " ORDER BY ts_rank(a.search_vector, plainto_tsquery('simple', :q)) DESC, a.id LIMIT :limit"
            ),
            {"q": fold_accents(" ".join(words)), "limit": limit, "window": max(limit, RANK_WINDOW)},
        )
    else:
        match = " ".join('"' + w.replace('"', '""') + '"' for w in words)
        rows = conn.execute(
            text(
                "SELECT rowid FROM article_search WHERE article_search MATCH :q"
                " ORDER BY bm25(article_search, 4.0, 1.0), rowid LIMIT :limit"
            ),
            {"q": match, "limit": limit},
        )
        return [f"{r.rowid:012x}" for r in rows]
    return [str(r.id) for r in rows]
