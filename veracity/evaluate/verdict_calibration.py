"""Calibration maps of the verdict's confidence with the fact-check knowledge base, scored out of fold.

    python -m veracity.evaluate.verdict_calibration --data ../shared/data [--kb-cache DIR]

The question of issue 6: can a small map of the combination's confidence (the top-class
probability of ``combine``, shipped weights, i.e. the ``kb_prior`` run of ``veracity evaluate
verdicts``) make it a calibrated probability that the label is right (ECE <= 0.05)? Same sets,
matches and folds as that run (CheckThat! Task 3 train, FakeNewsNet PolitiFact, 5 grouped folds
each; fold k of both sets pooled). Each map is fitted on the training folds' decided verdicts
(the content model fitted on that training fold, so its training verdicts are in-sample for
the content model, whose weight in the combination is small) and scored on the test fold's;
the per-fold parameters are printed to judge stability. Figures: docs/evaluation.md, "Verdicts".
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

Map = Callable[[np.ndarray, np.ndarray], np.ndarray]  # (confidence, cell ids) -> calibrated confidence
CELLS = ("Truth", "Truth+fc", "Fake+fc", "Misleading+fc", "other")


@dataclass(frozen=True, slots=True)
class Row:
    """One article's verdict in one fold: where it was (train/test), its gold and predicted label."""

    set_name: str
    fold: int
    test: bool
    gold: str
    label: str
    confidence: float
    matched: bool  # a fact-check match is among the verdict's evidence


def cell(label: str, matched: bool) -> int:
    """The evidence cell (index in ``CELLS``): the label, and whether a fact-check match was among the evidence."""
    if label == "Truth":
        return 1 if matched else 0
    if matched:
        return 2 if label == "Fake" else 3
    return 4


def _logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(p, 1e-6, 1 - 1e-6)
    return np.asarray(np.log(q / (1 - q)))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.asarray(1 / (1 + np.exp(-z)))


def fit_platt(conf: np.ndarray, right: np.ndarray, cells: np.ndarray) -> tuple[Map, list[float]]:
    """Platt scaling: ``sigmoid(a * logit(p) + b)``, two parameters (unregularised logistic regression)."""
    from sklearn.linear_model import LogisticRegression

    m = LogisticRegression(C=1e6).fit(_logit(conf)[:, None], right)
    a, b = float(m.coef_[0, 0]), float(m.intercept_[0])
    return (lambda p, _c: _sigmoid(a * _logit(p) + b)), [a, b]


def fit_bias(conf: np.ndarray, right: np.ndarray, cells: np.ndarray) -> tuple[Map, list[float]]:
    """A shift of the log-odds only, ``sigmoid(logit(p) + b)`` (one parameter, maximum likelihood)."""
    from scipy.optimize import minimize_scalar  # type: ignore[import-untyped]

    z = _logit(conf)

    def nll(b: float) -> float:
        q = np.clip(_sigmoid(z + b), 1e-12, 1 - 1e-12)
        return float(-np.sum(right * np.log(q) + (1 - right) * np.log(1 - q)))

    b = float(minimize_scalar(nll, bounds=(-5, 5), method="bounded").x)
    return (lambda p, _c: _sigmoid(_logit(p) + b)), [b]


def fit_histogram(bins: int) -> Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[Map, list[float]]]:
    """Histogram binning: equal-count bins of the confidence, each mapped to its accuracy."""

    def fit(conf: np.ndarray, right: np.ndarray, cells: np.ndarray) -> tuple[Map, list[float]]:
        edges = np.quantile(conf, np.linspace(0, 1, bins + 1))
        edges[0], edges[-1] = 0.0, 1.0
        which = np.clip(np.searchsorted(edges, conf, side="left") - 1, 0, bins - 1)
        acc = np.array([right[which == b].mean() if (which == b).any() else right.mean() for b in range(bins)])
        return (lambda p, _c: acc[np.clip(np.searchsorted(edges, p, side="left") - 1, 0, bins - 1)]), [
            *acc.tolist(),
            *edges[1:-1].tolist(),
        ]

    return fit


def fit_isotonic(conf: np.ndarray, right: np.ndarray, cells: np.ndarray) -> tuple[Map, list[float]]:
    """Isotonic regression of rightness on the confidence (its number of steps is the one parameter shown)."""
    from sklearn.isotonic import IsotonicRegression

    m = IsotonicRegression(y_min=0, y_max=1, out_of_bounds="clip").fit(conf, right)
    return (lambda p, _c: np.asarray(m.predict(p))), [float(len(m.X_thresholds_))]


def fit_cells(conf: np.ndarray, right: np.ndarray, cells: np.ndarray) -> tuple[Map, list[float]]:
    """Each evidence cell (``cell``) mapped to its accuracy; a cell unseen in training gets the overall one."""
    overall = float(right.mean())
    acc = np.array([right[cells == k].mean() if (cells == k).any() else overall for k in range(len(CELLS))])
    return (lambda _p, c: acc[c]), acc.tolist()


def fit_cells_platt(conf: np.ndarray, right: np.ndarray, cells: np.ndarray) -> tuple[Map, list[float]]:
    """Platt scaling with the cell: logit(p), matched, matched Truth, matched x logit(p) (five parameters)."""
    from sklearn.linear_model import LogisticRegression

    def design(p: np.ndarray, c: np.ndarray) -> np.ndarray:
        z, fc = _logit(p), ((c >= 1) & (c <= 3)).astype(float)
        return np.stack([z, fc, (c == 1).astype(float), fc * z], axis=1)

    m = LogisticRegression(C=1e4, max_iter=1000).fit(design(conf, cells), right)
    return (lambda p, c: m.predict_proba(design(p, c))[:, 1]), [*m.coef_[0].tolist(), float(m.intercept_[0])]


METHODS: dict[str, Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[Map, list[float]]]] = {
    "raw": lambda _p, _r, _c: ((lambda p, _c2: p), []),
    "bias (1 parameter)": fit_bias,
    "Platt (2)": fit_platt,
    "histogram, 3 bins": fit_histogram(3),
    "histogram, 5 bins": fit_histogram(5),
    "isotonic": fit_isotonic,
    "evidence cells (5)": fit_cells,
    "Platt with the cell (5)": fit_cells_platt,
}


def _arrays(rows: Sequence[Row]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (
        np.array([r.confidence for r in rows]),
        np.array([r.gold == r.label for r in rows], dtype=float),
        np.array([cell(r.label, r.matched) for r in rows], dtype=int),
    )


def cross_validate_maps(rows: Sequence[Row], folds: int = 5) -> dict[str, dict[str, Any]]:
    """Per method: out-of-fold ECE over the decided test verdicts, and each fold's fitted parameters."""
    from veracity.evaluate.verdicts import ece

    out: dict[str, dict[str, Any]] = {}
    for name, fit in METHODS.items():
        confs, rights, params = [], [], []
        for k in range(folds):
            train = [r for r in rows if r.fold == k and not r.test and r.label != "Unverified"]
            test = [r for r in rows if r.fold == k and r.test and r.label != "Unverified"]
            mapping, found = fit(*_arrays(train))
            conf, right, cells = _arrays(test)
            confs.append(np.asarray(mapping(conf, cells), dtype=float))
            rights.append(right)
            params.append([round(v, 3) for v in found])
        value, _points = ece(np.concatenate(confs), np.concatenate(rights))
        out[name] = {"ece_oof": value, "n": int(sum(len(c) for c in confs)), "per_fold": params}
    return out


def collect(data: Path, cache: Path, folds: int = 5) -> list[Row]:
    """Every article's ``kb_prior`` verdict in every fold, as training or test row (as ``kb_cross_validate``)."""
    from sklearn.model_selection import GroupKFold

    from veracity.evaluate.verdict_data import load_checkthat, load_politifact
    from veracity.evaluate.verdict_evidence import EvidenceCache, kept, politifact_dates
    from veracity.evaluate.verdicts import fold_content, load_rating_sets, signals_for
    from veracity.verdict.fit import content_matrix
    from veracity.verdict.model import combine, load_params

    ratings = load_rating_sets(data)
    store = EvidenceCache(data, cache)
    threshold = store.settings.factchecks.match_threshold
    params = dict(load_params())
    rows: list[Row] = []
    for name, loader, dates in (
        ("checkthat", load_checkthat, None),
        ("politifact_by_site", load_politifact, politifact_dates(data)),
    ):
        docs = loader(data)
        found = store.matches(docs, name, dates)
        x = content_matrix([(d.title, d.body) for d in docs])
        for k, (train, test) in enumerate(GroupKFold(n_splits=folds).split(x, groups=[d.group for d in docs])):
            fold = {**params, "content": fold_content(docs, x, train)}
            for is_test, idx in ((False, train), (True, test)):
                for i in idx:
                    d = docs[i]
                    v = combine(signals_for(d, fold, ratings, kept(found[d.id], threshold)), fold)
                    matched = any(s.present and s.name == "fact-check" for s in v.evidence)
                    rows.append(Row(name, k, is_test, d.label, v.label, v.confidence, matched))
    return rows


def abstention(rows: Sequence[Row], below: float = 0.6, folds: int = 5) -> dict[str, dict[str, float]]:
    """Macro-F1 and coverage per set when abstaining on the raw confidence vs on the evidence-cell map."""
    from sklearn.metrics import f1_score

    labels = {"checkthat": ["Truth", "Misleading", "Fake", "Unverified"], "politifact_by_site": ["Truth", "Fake"]}
    preds: dict[str, tuple[list[str], list[str], list[str]]] = {s: ([], [], []) for s in labels}
    for k in range(folds):
        train = [r for r in rows if r.fold == k and not r.test and r.label != "Unverified"]
        mapping, _ = fit_cells(*_arrays(train))
        for r in (r for r in rows if r.fold == k and r.test):
            gold, raw, cal = preds[r.set_name]
            calibrated = float(mapping(np.array([r.confidence]), np.array([cell(r.label, r.matched)]))[0])
            gold.append(r.gold)
            raw.append(r.label)
            cal.append(r.label if r.label == "Unverified" or calibrated >= below else "Unverified")
    out: dict[str, dict[str, float]] = {}
    for s, (gold, raw, cal) in preds.items():
        for run, pred in (("raw", raw), ("cells", cal)):
            f1 = float(f1_score(gold, pred, labels=labels[s], average="macro", zero_division=0))
            coverage = sum(p != "Unverified" for p in pred) / len(pred)
            out[f"{s} {run}"] = {"macro_f1": round(f1, 3), "coverage": round(coverage, 3)}
    return out


def main() -> None:
    from veracity.evaluate.verdict_evidence import DEFAULT_CACHE

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--kb-cache", type=Path, default=DEFAULT_CACHE)
    args = parser.parse_args()
    rows = collect(args.data, args.kb_cache)
    for name, r in cross_validate_maps(rows).items():
        print(f"{name:24s} out-of-fold ECE {r['ece_oof']:.3f} over {r['n']} decided; per fold {r['per_fold']}")
    for run, r in abstention(rows).items():
        print(f"abstain below 0.6 on {run:28s} macro-F1 {r['macro_f1']:.3f} coverage {r['coverage']:.3f}")


if __name__ == "__main__":
    main()
