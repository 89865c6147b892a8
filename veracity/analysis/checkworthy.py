"""Check-worthy claims: sentences that state a checkable fact, scored 0..1.

A logistic regression over sparse binary features of a parsed sentence: its words and word
pairs (numbers folded to one token), its part-of-speech tags, the kinds of named entities
in it (numbers, percentages, money, dates, people, places), and its length. Trained by
``scripts/train_checkworthiness.py`` on CLEF-2019 CheckThat! Task 1 train (see
docs/analysis.md, the model card); only the learned weights ship, in
``model/checkworthiness.json.gz`` (feature -> weight), never the data.

Scoring needs no scikit-learn: the score is ``sigmoid(bias + scale * sum(weights))`` with
the binary feature vector L2-normalised, as in training.
"""

from __future__ import annotations

import gzip
import json
import math
import threading
from dataclasses import dataclass
from importlib import resources
from itertools import pairwise
from typing import Any

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


def sentence_features(span: Any) -> list[str]:
    """The binary features of one parsed sentence (a spaCy ``Span`` or ``Doc``)."""
    tokens = [t for t in span if not t.is_space]
    words = [_word(t) for t in tokens]
    feats = {"w:" + w for w in words}
    feats |= {f"b:{a}_{b}" for a, b in pairwise(words)}
    feats |= {"t:" + t.tag_ for t in tokens}
    feats |= {"e:" + e.label_ for e in span.ents if e.label_ in ENTITY_KINDS}
    n = sum(1 for t in tokens if not t.is_punct)
    feats.add("len:" + str(sum(1 for b in LENGTH_BINS if n >= b)))
    if tokens and tokens[-1].text == "?":
        feats.add("question")
    return sorted(feats)


class CheckworthinessModel:
    """The shipped weights: ``score(features)`` is the probability-like check-worthiness."""

    def __init__(self, weights: dict[str, float], bias: float, meta: dict[str, Any]) -> None:
        self.weights = weights
        self.bias = bias
        self.meta = meta

    @classmethod
    def load(cls) -> CheckworthinessModel:
        try:
            raw = resources.files("veracity.analysis").joinpath("model", MODEL_FILE).read_bytes()
            data = json.loads(gzip.decompress(raw))
            return cls({str(k): float(v) for k, v in data["weights"].items()}, float(data["bias"]), data["meta"])
        except (OSError, ValueError, KeyError) as exc:
            raise AnalysisError(f"cannot read the check-worthiness model: {exc}", MODEL_FILE) from exc

    def score(self, features: list[str]) -> float:
        if not features:
            return 0.0
        total = sum(self.weights.get(f, 0.0) for f in features) / math.sqrt(len(features))
        z = self.bias + total
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0

    def to_json(self) -> bytes:
        data = {"bias": self.bias, "meta": self.meta, "weights": self.weights}
        return gzip.compress(json.dumps(data, sort_keys=True, separators=(",", ":")).encode("utf-8"), mtime=0)


def model() -> CheckworthinessModel:
    """The shipped model, read once per process."""
    global _model
    with _lock:
        if _model is None:
            _model = CheckworthinessModel.load()
        return _model


def score_claims(doc: Any, threshold: float) -> list[Claim]:
    """The sentences of ``doc`` of ``MIN_WORDS`` words or more scoring at least ``threshold``."""
    m = model()
    out = []
    for sent in doc.sents:
        if sum(1 for t in sent if t.is_alpha) < MIN_WORDS:
            continue
        score = m.score(sentence_features(sent))
        if score >= threshold:
            text = sent.text.strip()
            start = sent.start_char + sent.text.index(text[:1]) if text else sent.start_char
            out.append(Claim(text, start, start + len(text), round(score, 4)))
    return out
