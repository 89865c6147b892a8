"""The storage interface the rest of veracity sees; no SQL here.

Upserts are idempotent: storing an article whose title and body are unchanged adds
nothing; a changed one becomes a new version. An unchanged text that comes with a new label
(a fact-checker's or the outlet's rating changed) keeps its versions and takes the new label,
which the verdict stage records as a new external verdict in the article's verdict history.
Each upsert is one transaction, so a killed process leaves whole articles or none.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from veracity.article import Article


class Outcome(enum.StrEnum):
    """What an upsert did: the words of the ingest summary line."""

    INGESTED = "ingested"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    RELABELLED = "relabelled"  # same title and body, a new label from the input: no new version, a new external verdict


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """The newest version of a stored article with what the store knows about its history."""

    id: str
    article: Article
    created_at: datetime
    updated_at: datetime
    versions: int


@dataclass(frozen=True, slots=True)
class VersionRecord:
    """One stored version: its number, when it was seen, and its content."""

    number: int
    seen_at: datetime
    article: Article


class Store(Protocol):
    """What the core needs from a database."""

    def upsert(self, article: Article, *, seen_at: datetime | None = None) -> Outcome: ...

    def get(self, id_or_prefix: str) -> StoredArticle: ...

    def latest(
        self, *, limit: int | None = None, outlet: str | None = None, since: datetime | None = None
    ) -> list[StoredArticle]: ...

    def search(self, query: str, *, limit: int = 20) -> list[StoredArticle]: ...

    def versions(self, id_or_prefix: str) -> list[VersionRecord]: ...

    def iter_all(self) -> Iterator[StoredArticle]: ...

    def close(self) -> None: ...
