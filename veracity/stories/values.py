"""Value types of the story index: its parameters, sparse term vectors, stories, merges and splits.

Kept apart from :mod:`veracity.stories.cluster` (the algorithm) so that each module stays
readable. Pickled index snapshots name some of these classes by their old home,
``veracity.stories.cluster``, which still imports them, so old snapshots load.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

Ids = npt.NDArray[np.int32]
Floats = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class StoryParams:
    """The knobs of :class:`StoryIndex`; the defaults are the tuned ones."""

    word_weight: float = 0.0
    entity_weight: float = 1.0
    embedding_weight: float = 0.0
    threshold: float = 0.25
    merge_threshold: float = 0.25
    cohesion_ratio: float = 0.5
    window_days: float = 7.0
    neighbours: int = 24
    entity_candidates: int = 5
    posting_length: int = 16
    max_words: int = 200
    max_entities: int = 300
    idf_refresh_until: int = 4096
    use_neardup: bool = True
    lead_lines: int = 3
    lead_boost: float = 2.0
    entity_phrases: bool = False
    split_threshold: float = 0.26
    split_min: int = 4
    split_window: int = 32
    doc_terms: int = 64


class SparseVector(NamedTuple):
    """Term ids (sorted, unique) and their weights."""

    ids: Ids
    vals: Floats

    @staticmethod
    def empty() -> SparseVector:
        return SparseVector(np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))

    def dot(self, other: SparseVector) -> float:
        if not len(self.ids) or not len(other.ids):
            return 0.0
        _, i, j = np.intersect1d(self.ids, other.ids, assume_unique=True, return_indices=True)
        return float(np.dot(self.vals[i], other.vals[j]))

    def plus(self, other: SparseVector, cap: int) -> SparseVector:
        """The sum, keeping the ``cap`` largest weights (a story's long tail of rare words is noise)."""
        if not len(other.ids):
            return self
        if not len(self.ids):
            ids, vals = other.ids, other.vals
        else:
            ids, inverse = np.unique(np.concatenate([self.ids, other.ids]), return_inverse=True)
            vals = np.bincount(inverse, weights=np.concatenate([self.vals, other.vals])).astype(np.float32)
        return SparseVector(ids, vals).capped(cap)

    def capped(self, cap: int) -> SparseVector:
        if len(self.ids) <= cap:
            return self
        keep = np.sort(np.argpartition(-self.vals, cap)[:cap])
        return SparseVector(self.ids[keep], self.vals[keep])


@dataclass(frozen=True, slots=True)
class Merge:
    """Story ``absorbed`` was merged into story ``into`` when article ``at`` was assigned."""

    absorbed: str
    into: str
    at: str


@dataclass(frozen=True, slots=True)
class Split:
    """Articles ``moved`` left story ``story`` for a new story ``new`` when article ``at`` was assigned."""

    story: str
    new: str
    moved: tuple[str, ...]
    at: str


@dataclass(frozen=True, slots=True)
class StoryInfo:
    """A story as the index sees it: its articles in order of assignment and its date range."""

    id: str
    articles: tuple[str, ...]
    first: datetime | None
    last: datetime | None
    merged: tuple[str, ...]


@dataclass(slots=True)
class _Story:
    id: str
    seq: int
    members: list[str]
    words: SparseVector
    entities: SparseVector
    emb_sum: Floats
    first: datetime | None = None
    last: datetime | None = None
    merged: list[str] = field(default_factory=list)

    @staticmethod
    def new(story_id: str, seq: int, dim: int) -> _Story:
        """A story with no articles yet (its id is its first article's)."""
        empty = SparseVector.empty()
        return _Story(story_id, seq, [], empty, empty, np.zeros(dim, dtype=np.float32))

    @property
    def n(self) -> int:
        return len(self.members)


@dataclass(slots=True)
class _DocTerms:
    """What a story's re-clustering needs of one article: its strongest terms (ids, tf) and its date."""

    word_ids: Ids
    word_tf: Floats
    entity_ids: Ids
    entity_tf: Floats
    published: datetime | None


@dataclass(slots=True)
class _Terms:
    """An article's term counts, kept while the IDF may still be refreshed."""

    word_ids: Ids
    word_tf: Floats
    entity_ids: Ids
    entity_tf: Floats
    vector: Floats


def _utc_naive(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def _gap(
    first: datetime | None, last: datetime | None, other_first: datetime | None, other_last: datetime | None
) -> float:
    """Days between two date ranges (0 when they overlap or one has no dates)."""
    if first is None or last is None or other_first is None or other_last is None:
        return 0.0
    if other_last < first:
        return (first - other_last) / timedelta(days=1)
    if other_first > last:
        return (other_first - last) / timedelta(days=1)
    return 0.0


def _counter(items: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items:
        if item:
            counts[item] = counts.get(item, 0) + 1
    return counts
