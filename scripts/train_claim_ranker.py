"""Train the claim-matching re-ranker (veracity/factchecks/ranker.json) on CheckThat! 2022 train queries.

Two kinds of entries. ``--kind generic`` (what ingest uses): for each encoder (``none``,
``static``, ``minilm``) a logistic regression over the hybrid features without context
(veracity.factchecks.retrieval.BASE_FEATURES) is fitted on the candidates of the *train*
queries of subtasks 2A and 2B together (label: the candidate is in the query's qrels); the
regularisation C is chosen on the *dev* queries (mean MAP@5 of 2A dev and 2B dev). Nothing
of dev-test or test is read. The match head (size-independent features) is fitted on the
same train candidates; its threshold is calibrated on dev (``threshold_for``: precision 0.9
when half the claims have no fact-check; printed, and the default of
``FactCheckSettings.match_threshold``).

``--kind task`` (evaluation with context, entries ``<encoder>-2a`` / ``<encoder>-2b``): one
subtask's train queries, every feature (dates and speaker prior too), for 2B the vclaims
stated within a day of the debate added to the candidates. C is chosen on 2A dev for 2A;
for 2B by 5-fold cross-validation inside train grouped by debate (2B dev is the reported
split and is not read).

    python scripts/train_claim_ranker.py --data ../shared/data/checkthat_task2 [--encoders none,static,minilm]
        [--cache /tmp/claim-vectors] [--kind generic|task] [--tasks 2a,2b]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from veracity.evaluate.claim_retrieval import TaskData, build_index, load_split, query_dates, score
from veracity.factchecks.retrieval import (
    BASE_FEATURES,
    FEATURES,
    MATCH_COLUMNS,
    MATCH_FEATURES,
    RANKER_FILE,
    Head,
    HybridIndex,
)

DEPTH = 30
Cands = list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]


def candidates(index: HybridIndex, data: TaskData) -> Cands:
    ids = list(data.queries)
    out = []
    features = index.features([data.queries[q] for q in ids], DEPTH, query_dates(data))
    for q, (docs, rows) in zip(ids, features, strict=True):
        labels = np.asarray([data.vclaims[d].id in data.qrels[q] for d in docs], dtype=np.int64)
        out.append((q, docs, rows, labels))
    return out


def map5(ranker: Head, data: TaskData, cands: list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]) -> float:
    rankings = {}
    for q, docs, rows, _ in cands:
        order = np.argsort(-ranker.score(rows))
        rankings[q] = [data.vclaims[int(docs[i])].id for i in order]
    return score(rankings, {q: data.qrels[q] for q in rankings}).map5


def threshold_for(rank: Head, match: Head, cands: list[Any], precision: float = 0.9) -> float:
    """Lowest match probability keeping ``precision`` when half the claims have no fact-check.

    Each dev query is used twice: as it is (its top-ranked candidate, right or wrong) and as a
    claim with no fact-check in the base (its relevant vclaims taken out: its top-ranked
    remaining candidate is wrong by construction). A match is kept when its probability is
    at least the threshold; precision is right kept matches over kept matches.
    """
    kept: list[tuple[float, int]] = []
    for _, _docs, rows, labels in cands:
        ranking, probability = rank.score(rows), match.score(rows)
        order = np.argsort(-ranking)
        kept.append((float(probability[order[0]]), int(labels[order[0]])))
        wrong = [i for i in order if not labels[i]]
        if wrong:
            kept.append((float(probability[wrong[0]]), 0))
    kept.sort(reverse=True)
    best, right = 1.0, 0
    for n, (value, label) in enumerate(kept, 1):
        right += label
        if right / n >= precision:
            best = value
    return best


def fit_head(cands: Cands, c: float, columns: tuple[int, ...]) -> Head:
    x = np.vstack([rows for _, _, rows, _ in cands])[:, list(columns)]
    y = np.concatenate([labels for _, _, _, labels in cands])
    model = LogisticRegression(C=c, max_iter=3000).fit(x, y)
    return Head(tuple(float(w) for w in model.coef_[0]), float(model.intercept_[0]), columns)


def grouped_cv(data: TaskData, cands: Cands, c: float, columns: tuple[int, ...], folds: int = 5) -> float:
    """Mean MAP@5 of ``folds``-fold cross-validation inside train, folds grouped by debate (query id prefix)."""
    from sklearn.model_selection import GroupKFold

    groups = [q.rsplit("_", 1)[0] for q, _, _, _ in cands]
    figures = []
    for fit_rows, test_rows in GroupKFold(folds).split(cands, groups=groups):
        head = fit_head([cands[i] for i in fit_rows], c, columns)
        figures.append(map5(head, data, [cands[i] for i in test_rows]))
    return float(np.mean(figures))


def entry(rank: Head, match: Head, c: float, **extra: Any) -> dict[str, Any]:
    return {
        "rank": {
            "features": [FEATURES[i] for i in rank.columns],
            "weights": [round(w, 6) for w in rank.weights],
            "bias": round(rank.bias, 6),
            "C": c,
            **extra,
        },
        "match": {
            "features": [FEATURES[i] for i in match.columns],
            "weights": [round(w, 6) for w in match.weights],
            "bias": round(match.bias, 6),
        },
    }


def train_task(data_dir: Path, task: str, encoder_name: str, cache: Path | None) -> dict[str, Any]:
    """The ``<encoder>-<task>`` entry: every feature, C by 2A dev or by grouped CV inside 2B train."""
    train = load_split(data_dir, task, "train")
    index = build_index(train, task, encoder_name, cache, context=True)
    cands = candidates(index, train)
    columns = tuple(range(len(FEATURES)))
    dev = load_split(data_dir, task, "dev") if task == "2a" else None
    dev_cands = candidates(index, dev) if dev is not None else []
    best: tuple[float, float] | None = None
    for c in (0.1, 1.0, 10.0, 100.0):
        if dev is not None:
            figure, where = map5(fit_head(cands, c, columns), dev, dev_cands), "dev"
        else:
            figure, where = grouped_cv(train, cands, c, columns), "train 5-fold CV by debate"
        print(f"{encoder_name}-{task} C={c}: {where} MAP@5 {figure:.3f}")
        if best is None or figure > best[0]:
            best = (figure, c)
    assert best is not None
    figure, c = best
    match = fit_head(cands, 1.0, MATCH_COLUMNS)
    print(f"{encoder_name}-{task}: chose C={c} ({figure:.3f})")
    return entry(fit_head(cands, c, columns), match, c, chosen_on=figure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--encoders", default="none,static,minilm")
    parser.add_argument("--cache", type=Path, default=None, help="Keep vclaim embeddings here between runs.")
    parser.add_argument("--tasks", default="2a,2b", help="Train on these subtasks' train queries (2a,2b).")
    parser.add_argument("--kind", choices=("generic", "task"), default="generic")
    args = parser.parse_args()
    out: dict[str, Any] = json.loads(RANKER_FILE.read_text()) if RANKER_FILE.exists() else {}
    if args.kind == "task":
        for encoder_name in args.encoders.split(","):
            for task in args.tasks.split(","):
                out[f"{encoder_name}-{task}"] = train_task(args.data, task, encoder_name, args.cache)
        RANKER_FILE.write_text(json.dumps(out, indent=2) + "\n")
        print(f"wrote {RANKER_FILE}")
        return
    all_columns = tuple(range(len(BASE_FEATURES)))
    for encoder_name in args.encoders.split(","):
        train_x, train_y = [], []
        dev: dict[str, tuple[TaskData, list[Any]]] = {}
        for task in args.tasks.split(","):
            train = load_split(args.data, task, "train")
            index = build_index(train, task, encoder_name, args.cache)
            for _, _, rows, labels in candidates(index, train):
                train_x.append(rows[:, list(all_columns)])
                train_y.append(labels)
            dev_data = load_split(args.data, task, "dev")
            dev[task] = (dev_data, candidates(index, dev_data))
        x, y = np.vstack(train_x), np.concatenate(train_y)
        best: tuple[float, Head, float] | None = None
        for c in (0.01, 0.1, 1.0, 10.0):
            model = LogisticRegression(C=c, max_iter=2000).fit(x, y)
            ranker = Head(tuple(float(w) for w in model.coef_[0]), float(model.intercept_[0]), all_columns)
            figures = {t: map5(ranker, d, cands) for t, (d, cands) in dev.items()}
            mean = sum(figures.values()) / len(figures)
            print(f"{encoder_name} C={c}: dev MAP@5 " + " ".join(f"{t}={v:.3f}" for t, v in figures.items()))
            if best is None or mean > best[0]:
                best = (mean, ranker, c)
        assert best is not None
        _, ranker, c = best
        fitted = LogisticRegression(C=1.0, max_iter=2000).fit(x[:, list(MATCH_COLUMNS)], y)
        match = Head(tuple(float(w) for w in fitted.coef_[0]), float(fitted.intercept_[0]), MATCH_COLUMNS)
        threshold = threshold_for(ranker, match, [cand for _, cands in dev.values() for cand in cands])
        print(f"{encoder_name}: chose C={c}; match threshold for precision 0.9 on dev: {threshold:.3f}")
        out[encoder_name] = {
            "rank": {
                "features": list(BASE_FEATURES),
                "weights": [round(w, 6) for w in ranker.weights],
                "bias": round(ranker.bias, 6),
                "C": c,
            },
            "match": {
                "features": list(MATCH_FEATURES),
                "weights": [round(w, 6) for w in match.weights],
                "bias": round(match.bias, 6),
                "dev_threshold_p90": round(threshold, 4),
            },
        }
    RANKER_FILE.write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {RANKER_FILE}")


if __name__ == "__main__":
    main()
