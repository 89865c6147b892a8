"""Check-worthy claims: sentences that state a checkable fact, scored 0..1.

Three logistic regressions, each fitted on its own block of a sentence and summed with their
out-of-fold decision values standardised (which is again one linear score):

* sparse binary features of the parsed sentence: its words and word pairs (numbers folded to
  one token), its part-of-speech tags, the kinds of named entities in it (numbers,
  percentages, money, dates, people, places), and its length;
* TF-IDF of its word 1-2-grams;
* the static embedding (:mod:`veracity.stories.embed`) of the sentence and of the sentences
  before and after it.

Trained by ``scripts/train_checkworthiness.py`` on CLEF-2019 CheckThat! Task 1 train (see
docs/analysis.md, the model card); only the learned parameters ship, in
``model/checkworthiness.json.gz`` (feature -> weight, n-gram -> idf and weight, three
embedding weight vectors), never the data. Scoring needs no scikit-learn.
"""

from __future__ import annotations

import gzip
import json
import math
import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from itertools import pairwise
from typing import Any

import numpy as np

from veracity.analysis.nlp import AnalysisError

MODEL_FILE = "checkworthiness.json.gz"
MIN_WORDS = 5
ENTITY_KINDS = frozenset(
    [
        "CARDINAL",
        "PERCENT",
        "MONEY",
        "QUANTITY",
        "DATE",
        "TIME",
        "ORDINAL",
        "PERSON",
        "ORG",
        "GPE",
        "NORP",
        "LOC",
        "LAW",
        "EVENT",
    ]
)
LENGTH_BINS = (5, 10, 20, 40)
TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token_pattern

_lock = threading.Lock()
_model: CheckworthinessModel | None = None


@dataclass(frozen=True, slots=True)
class Claim:
    """A sentence of the analysed text with its check-worthiness score; offsets index the text."""

    text: str
    start: int
    end: int
    score: float


def _word(tok: Any) -> str:
    if tok.like_num or any(c.isdigit() for c in tok.text):
        return "<num>"
    return str(tok.text.casefold())


def sentence_features(span: Any, doc_ents: Sequence[Any] | None = None) -> list[str]:
    """The binary features of one parsed sentence (a spaCy ``Span`` or ``Doc``).

    ``doc_ents``: the entities of the whole document, read once by the caller; ``span.ents``
    walks all of the document's tokens on every call, quadratic in an article's length.
    """
    ents = span.ents if doc_ents is None else [e for e in doc_ents if e.start >= span.start and e.end <= span.end]
    tokens = [t for t in span if not t.is_space]
    words = [_word(t) for t in tokens]
    feats = {"w:" + w for w in words}
    feats |= {f"b:{a}_{b}" for a, b in pairwise(words)}
    feats |= {"t:" + t.tag_ for t in tokens}
    feats |= {"e:" + e.label_ for e in ents if e.label_ in ENTITY_KINDS}
    n = sum(1 for t in tokens if not t.is_punct)
    feats.add("len:" + str(sum(1 for b in LENGTH_BINS if n >= b)))
    if tokens and tokens[-1].text == "?":
        feats.add("question")
    return sorted(feats)


def ngram_counts(text: str) -> Counter[str]:
    """Word 1- and 2-grams of ``text`` with their counts, tokenised as scikit-learn's ``TfidfVectorizer``.

    Its defaults (lower-cased, tokens of 2+ word characters, bigrams joined by a space) are
    re-implemented here so that scoring needs no scikit-learn; ``tests/analysis`` checks that
    both give the same vector.
    """
    words = TOKEN.findall(text.lower())
    return Counter(words + [f"{a} {b}" for a, b in pairwise(words)])


class CheckworthinessModel:
    """The shipped weights: a linear score over three blocks of a sentence, squashed to 0..1.

    * ``weights``: the parsed features of :func:`sentence_features`, binary, L2-normalised;
    * ``ngrams``: term -> (idf, weight), TF-IDF of word 1-2-grams (sub-linear tf, L2-normalised);
    * ``embedding``: ``self``, ``previous`` and ``next`` weights over the static sentence
      embedding (:mod:`veracity.stories.embed`) of the sentence and of its neighbours.
    """

    def __init__(
        self,
        weights: dict[str, float],
        bias: float,
        meta: dict[str, Any],
        ngrams: dict[str, tuple[float, float]] | None = None,
        embedding: dict[str, list[float]] | None = None,
    ) -> None:
        self.weights = weights
        self.bias = bias
        self.meta = meta
        self.ngrams = ngrams or {}
        self.embedding = embedding or {}
        self._emb = {k: np.asarray(v, dtype=np.float32) for k, v in self.embedding.items()}

    @classmethod
    def load(cls) -> CheckworthinessModel:
        try:
            raw = resources.files("veracity.analysis").joinpath("model", MODEL_FILE).read_bytes()
            data = json.loads(gzip.decompress(raw))
            return cls(
                {str(k): float(v) for k, v in data["weights"].items()},
                float(data["bias"]),
                data["meta"],
                {str(k): (float(v[0]), float(v[1])) for k, v in data.get("ngrams", {}).items()},
                {str(k): [float(x) for x in v] for k, v in data.get("embedding", {}).items()},
            )
        except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
            raise AnalysisError(f"cannot read the check-worthiness model: {exc}", MODEL_FILE) from exc

    def _sparse(self, features: list[str], text: str) -> float:
        total = sum(self.weights.get(f, 0.0) for f in features) / math.sqrt(len(features)) if features else 0.0
        if self.ngrams:
            known = [(1.0 + math.log(n), self.ngrams[t]) for t, n in ngram_counts(text).items() if t in self.ngrams]
            norm = math.sqrt(sum((tf * idf) ** 2 for tf, (idf, _) in known))
            if norm:
                total += sum(tf * idf * w for tf, (idf, w) in known) / norm
        return total

    def score_sentences(self, features: Sequence[list[str]], texts: Sequence[str]) -> list[float]:
        """Scores of a document's consecutive sentences (their features and texts), each 0..1."""
        z = np.array([self.bias + self._sparse(f, t) for f, t in zip(features, texts, strict=True)])
        if self._emb and len(texts):
            from veracity.stories.embed import get_embedder  # imported on first use: it loads the story modules

            vectors = get_embedder().encode(list(texts))
            z += vectors @ self._emb["self"]
            z[1:] += vectors[:-1] @ self._emb["previous"]
            z[:-1] += vectors[1:] @ self._emb["next"]
        return [1.0 / (1.0 + math.exp(-v)) if v > -700 else 0.0 for v in z.tolist()]

    def score(self, features: list[str], text: str) -> float:
        """One sentence's score, read on its own (no neighbours)."""
        return self.score_sentences([features], [text])[0]

    def to_json(self) -> bytes:
        data = {
            "bias": self.bias,
            "meta": self.meta,
            "weights": self.weights,
            "ngrams": {k: list(v) for k, v in self.ngrams.items()},
            "embedding": self.embedding,
        }
        return gzip.compress(json.dumps(data, sort_keys=True, separators=(",", ":")).encode("utf-8"), mtime=0)


def model() -> CheckworthinessModel:
    """The shipped model, read once per process."""
    global _model
    with _lock:
        if _model is None:
            _model = CheckworthinessModel.load()
            if _model.embedding:
                from veracity.stories.embed import get_embedder

                get_embedder()  # loaded with the weights, not inside the first article's timing
        return _model


def score_claims(doc: Any, threshold: float) -> list[Claim]:
    """The sentences of ``doc`` of ``MIN_WORDS`` words or more scoring at least ``threshold``.

    Every sentence is context for its neighbours (its embedding), short ones included; only
    the long ones are scored in full.
    """
    sents = list(doc.sents)
    if not sents:
        return []
    texts = [s.text.strip() for s in sents]
    long = [sum(1 for t in s if t.is_alpha) >= MIN_WORDS for s in sents]
    ents = list(doc.ents)
    feats = [sentence_features(s, ents) if ok else [] for s, ok in zip(sents, long, strict=True)]
    scores = model().score_sentences(feats, texts)
    out = []
    for sent, text, ok, score in zip(sents, texts, long, scores, strict=True):
        if ok and score >= threshold:
            start = sent.start_char + sent.text.index(text[:1]) if text else sent.start_char
            out.append(Claim(text, start, start + len(text), round(score, 4)))
    return out
