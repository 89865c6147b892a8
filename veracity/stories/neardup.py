"""Near-duplicate detection across outlets: MinHash LSH over word shingles.

Syndication, reprints and light rewrites of one wire report are copies, not independent
reports; this index finds them as articles arrive, in time independent of the corpus size.

How it decides:

* an article's text is normalised (NFKC, case-folded, punctuation dropped, whitespace
  collapsed: :func:`veracity.stories.text.normalize_for_shingles`) and cut into the set
  of its word 3-shingles (``SHINGLE_SIZE``);
* a 128-permutation MinHash (datasketch, ``affine32`` scheme, seed 1) estimates the
  Jaccard similarity of two shingle sets with a standard error under 0.045;
* LSH banding (``BANDS`` = 42 bands of ``ROWS`` = 3 hash values: a pair with Jaccard
  0.4 becomes a candidate with probability 0.94, 0.6 with 0.99999, 0.1 with 0.04) returns
  the candidates, whose Jaccard is then estimated from their stored signatures. The bands
  are kept in sorted numpy arrays (:class:`_BandIndex`), about 1.1 KB an article with
  the signature, rather than in datasketch's ``MinHashLSH``, whose dict-of-sets storage
  measured 8.5 KB an article;
* a pair is classified by :func:`classify`:

  ========== ==================================================================
  ``exact``  the same normalised text (checked by hash, reported as Jaccard 1.0):
             a reprint, whatever its whitespace, case or punctuation
  ``near``   estimated Jaccard >= ``NEAR_THRESHOLD`` (0.4): a copy with light
             edits (a changed headline, a sentence added or cut, a few words
             rewritten)
  ``none``   below: different texts, even when they report the same event
  ========== ==================================================================

The thresholds were chosen on the ECB+ training topics
(:func:`veracity.evaluate.stories.evaluate_neardup`): a light edit (a headline word
changed, a sentence added and one dropped, 3 % of the words replaced) keeps an estimated
Jaccard of 0.43 or more on 3-shingles (median 0.73); no two articles of different
stories reach 0.08; two reports of one story from different outlets have a median of
0.016, and the few pairs above 0.4 are wire copies that ECB+ itself holds.

Everything :meth:`NearDupIndex.add` keeps is derived from the text, so the index is
rebuilt by adding the stored articles again in any order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Literal, NamedTuple

import numpy as np
import numpy.typing as npt
from datasketch import MinHash

from veracity.stories.text import normalize_for_shingles, shingles

__all__ = [
    "BANDS",
    "NEAR_THRESHOLD",
    "NUM_PERM",
    "ROWS",
    "SHINGLE_SIZE",
    "CopyKind",
    "Match",
    "NearDupIndex",
    "classify",
    "minhash",
]

SHINGLE_SIZE = 3
NUM_PERM = 128
BANDS = 42
ROWS = 3
NEAR_THRESHOLD = 0.4
EXACT = 1.0

CopyKind = Literal["exact", "near", "none"]


def classify(jaccard: float) -> CopyKind:
    """``exact`` (the same normalised text: Jaccard 1.0), ``near`` (>= NEAR_THRESHOLD) or ``none``."""
    if jaccard >= EXACT:
        return "exact"
    return "near" if jaccard >= NEAR_THRESHOLD else "none"


class Match(NamedTuple):
    """An indexed article that the new one copies, with the estimated Jaccard of their shingles."""

    other_id: str
    jaccard: float

    @property
    def kind(self) -> CopyKind:
        return classify(self.jaccard)


def minhash(text: str, num_perm: int = NUM_PERM, shingle_size: int = SHINGLE_SIZE) -> MinHash:
    """The MinHash of a text's shingle set (deterministic: seed 1, affine32)."""
    m = MinHash(num_perm=num_perm, seed=1, scheme="affine32")
    grams = shingles(text, shingle_size)
    if grams:
        m.update_batch([g.encode("utf-8") for g in grams])
    return m


def _digest(text: str) -> bytes:
    return hashlib.blake2b(normalize_for_shingles(text).encode("utf-8"), digest_size=16).digest()


class _BandIndex:
    """LSH banding over stored signatures, in sorted numpy arrays.

    Band ``i`` of a signature (``rows`` hash values) is hashed with the band number into one
    64-bit key; keys and the article's row live in sorted arrays (12 bytes per band and
    article) plus a small unsorted buffer merged into them when it fills, so that a query is
    one ``searchsorted`` over all its bands. datasketch's own ``MinHashLSH`` keeps each band
    key in a Python dict of sets, about 8.5 KB an article measured here: 850 MB at 100k.
    """

    def __init__(self, bands: int, rows: int, buffer: int = 4096) -> None:
        self.bands, self.rows, self._buffer_limit = bands, rows, buffer
        self._keys = np.zeros(0, dtype=np.uint64)
        self._rows = np.zeros(0, dtype=np.int32)
        self._buffer: dict[int, list[int]] = {}
        self._buffered = 0
        self._mult = np.random.default_rng(20_241_106).integers(1, 2**63, size=rows, dtype=np.uint64) | np.uint64(1)

    def keys(self, signature: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint64]:
        bands = signature[: self.bands * self.rows].astype(np.uint64).reshape(self.bands, self.rows)
        salt = np.arange(self.bands, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        with np.errstate(over="ignore"):
            mixed: npt.NDArray[np.uint64] = (bands * self._mult).sum(axis=1, dtype=np.uint64) + salt
        return mixed

    def add(self, row: int, keys: npt.NDArray[np.uint64]) -> None:
        for key in keys.tolist():
            self._buffer.setdefault(key, []).append(row)
        self._buffered += 1
        if self._buffered >= self._buffer_limit:
            self._flush()

    def _flush(self) -> None:
        pairs = [(key, row) for key, rows in self._buffer.items() for row in rows]
        new_keys = np.fromiter((k for k, _ in pairs), dtype=np.uint64, count=len(pairs))
        new_rows = np.fromiter((r for _, r in pairs), dtype=np.int32, count=len(pairs))
        keys = np.concatenate([self._keys, new_keys])
        rows = np.concatenate([self._rows, new_rows])
        order = np.argsort(keys, kind="stable")
        self._keys, self._rows = keys[order], rows[order]
        self._buffer.clear()
        self._buffered = 0

    def query(self, keys: npt.NDArray[np.uint64]) -> set[int]:
        found: set[int] = set()
        if len(self._keys):
            lo = np.searchsorted(self._keys, keys, side="left")
            hi = np.searchsorted(self._keys, keys, side="right")
            for a, b in zip(lo.tolist(), hi.tolist(), strict=True):
                if b > a:
                    found.update(self._rows[a:b].tolist())
        for key in keys.tolist():
            found.update(self._buffer.get(key, ()))
        return found


class NearDupIndex:
    """Incremental near-duplicate index: ``add(doc_id, text)`` returns the copies already indexed.

    Parameters are fixed at construction; the defaults are the documented thresholds.
    Memory per article: its signature (``num_perm`` x 4 bytes), its band keys (12 bytes a
    band) and its id: about 1.1 KB.
    """

    def __init__(
        self,
        *,
        num_perm: int = NUM_PERM,
        shingle_size: int = SHINGLE_SIZE,
        bands: int = BANDS,
        rows: int = ROWS,
        near_threshold: float = NEAR_THRESHOLD,
        lsh_buffer: int = 4096,
    ) -> None:
        if bands * rows > num_perm:
            raise ValueError(f"{bands} bands of {rows} rows need {bands * rows} permutations, not {num_perm}")
        self.num_perm = num_perm
        self.shingle_size = shingle_size
        self.near_threshold = near_threshold
        self._bands = _BandIndex(bands, rows, lsh_buffer)
        self._signatures = np.zeros((1024, num_perm), dtype=np.uint32)
        self._row_of: dict[str, int] = {}
        self._ids: list[str | None] = []
        self._by_digest: dict[bytes, list[str]] = {}
        self._digest_of: dict[str, bytes] = {}

    def __len__(self) -> int:
        return len(self._row_of)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._row_of

    def candidates(self, text: str) -> list[Match]:
        """The indexed articles whose Jaccard with ``text`` is at least the near threshold, best first."""
        return self._matches(text, self._signature(text), _digest(text), exclude=None)

    def add(self, doc_id: str, text: str) -> list[Match]:
        """Index ``text`` as ``doc_id`` and return its exact and near copies among the articles before it.

        Adding an id again replaces its text (a new version of the article).
        """
        if doc_id in self._row_of:
            self.remove(doc_id)
        sig = self._signature(text)
        digest = _digest(text)
        found = self._matches(text, sig, digest, exclude=doc_id)
        row = len(self._ids)
        if row >= len(self._signatures):
            self._signatures = np.concatenate([self._signatures, np.zeros_like(self._signatures)])
        self._signatures[row] = sig
        self._ids.append(doc_id)
        self._row_of[doc_id] = row
        self._bands.add(row, self._bands.keys(sig))
        self._by_digest.setdefault(digest, []).append(doc_id)
        self._digest_of[doc_id] = digest
        return found

    def remove(self, doc_id: str) -> None:
        """Forget an article (its band keys stay, pointing at an empty row, and are skipped)."""
        row = self._row_of.pop(doc_id, None)
        if row is None:
            return
        self._ids[row] = None
        digest = self._digest_of.pop(doc_id)
        same = self._by_digest[digest]
        same.remove(doc_id)
        if not same:
            del self._by_digest[digest]

    def jaccard(self, a: str, b: str) -> float:
        """The estimated Jaccard of two indexed articles (1.0 for the same normalised text)."""
        if self._digest_of[a] == self._digest_of[b]:
            return 1.0
        return float(np.mean(self._signatures[self._row_of[a]] == self._signatures[self._row_of[b]]))

    def _signature(self, text: str) -> npt.NDArray[np.uint32]:
        return np.asarray(minhash(text, self.num_perm, self.shingle_size).hashvalues, dtype=np.uint32)

    def _matches(self, text: str, sig: npt.NDArray[np.uint32], digest: bytes, exclude: str | None) -> list[Match]:
        if not normalize_for_shingles(text):
            return []  # an empty text copies nothing
        found = {d: 1.0 for d in self._by_digest.get(digest, ()) if d != exclude}
        rows = sorted(self._bands.query(self._bands.keys(sig)))
        if rows:
            estimates = np.mean(self._signatures[rows] == sig, axis=1)
            for row, estimate in zip(rows, estimates.tolist(), strict=True):
                other = self._ids[row]
                if other is None or other in found or other == exclude:
                    continue
                # different texts are at most a near copy, whatever the estimate
                if estimate >= self.near_threshold:
                    found[other] = min(float(estimate), 0.999)
        return sorted((Match(d, j) for d, j in found.items()), key=lambda m: (-m.jaccard, m.other_id))

    def add_many(self, items: Iterable[tuple[str, str]]) -> dict[str, list[Match]]:
        """Add (doc_id, text) pairs in order; the copies found for each."""
        return {doc_id: self.add(doc_id, text) for doc_id, text in items}
