"""The verdict's combination fitted with fact-check matches, inside training folds only.

:func:`kb_cross_validate` scores the runs of ``veracity evaluate verdicts --kb`` out of fold
(docs/evaluation.md, "Verdicts"): per training fold, a small grid of the weights a matched
rating gets (:func:`fit_evidence_weights`), the combination's temperature (negative
log-likelihood) and the abstention threshold, chosen by macro-F1 on that fold; the shipped
priors come first in the grid, so a tie keeps them. The matches come from
:mod:`veracity.evaluate.verdict_evidence`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from veracity.evaluate.verdict_data import Doc
from veracity.evaluate.verdict_evidence import FoundMatch, implied_label, kept
from veracity.evaluate.verdicts import Ratings

# The combination weights a training fold may choose (the shipped priors first, so a tie keeps them):
# how much a matched rating counts (a scale on every fact-check weight) and where a false match
# leans Misleading rather than Fake (fc_false's Misleading weight), and the abstention threshold.
SCALES = (1.0, 0.5, 2.0)
FALSE_TO_MISLEADING = (1.5, 3.0, 4.5)
ABSTAIN = (0.6, 0.5, 0.7)
FC_FEATURES = ("fc_false", "fc_mixed", "fc_true")


def with_evidence_weights(params: Mapping[str, Any], scale: float, misleading: float, abstain: float) -> dict[str, Any]:
    """``params`` with the fact-check weights scaled, fc_false's Misleading weight set, and the threshold."""
    weights = {k: dict(v) for k, v in params["weights"].items()}
    for name in FC_FEATURES:
        weights[name] = {c: round(w * scale, 4) for c, w in weights[name].items()}
    weights["fc_false"]["Misleading"] = round(misleading * scale, 4)
    return {**params, "weights": weights, "abstain_below": abstain}


def fit_evidence_weights(
    signals: Sequence[Sequence[Any]], gold: Sequence[str], labels: Sequence[str], params: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, float]]:
    """The grid point with the best macro-F1 on these (training-fold) rows; ties keep the earlier (prior) one.

    For each weighting, the combination's temperature is fitted first (least negative log-likelihood
    of the gold class over the rows with evidence beyond the text), then the abstention threshold.
    """
    from veracity.verdict.model import combine

    best: tuple[float, dict[str, Any], dict[str, float]] | None = None
    for scale in SCALES:
        for misleading in FALSE_TO_MISLEADING:
            weighted = with_evidence_weights(params, scale, misleading, float(params["abstain_below"]))
            temperature = fit_combination_temperature(signals, gold, weighted)
            for abstain in ABSTAIN:
                trial = {**weighted, "abstain_below": abstain, "temperature": temperature}
                pred = [combine(s, trial).label for s in signals]
                value = _macro_f1(gold, pred, labels)
                if best is None or value > best[0] + 1e-9:
                    best = (value, trial, {"scale": scale, "fc_false_misleading": misleading, "abstain_below": abstain,
                                           "temperature": temperature, "train_macro_f1": round(value, 4)})  # fmt: skip
    assert best is not None
    return best[1], best[2]


def fit_combination_temperature(
    signals: Sequence[Sequence[Any]], gold: Sequence[str], params: Mapping[str, Any]
) -> float:
    """The combination's temperature (``fit_temperature``'s grid) over the rows with evidence beyond the text."""
    import numpy as np

    from veracity.verdict.fit import fit_temperature
    from veracity.verdict.model import CLASSES, EVIDENCE, scores

    logits, truth = [], []
    for found, label in zip(signals, gold, strict=True):
        if label not in CLASSES or not any(s.present and s.name in EVIDENCE for s in found):
            continue
        features: dict[str, float] = {}
        for s in found:
            features.update(s.features)
        values = scores(features, params)
        logits.append([values[c] for c in CLASSES])
        truth.append(CLASSES.index(label))
    if len(truth) < 10:
        return float(params["temperature"])
    return round(fit_temperature(np.array(logits), np.array(truth)), 4)


def _macro_f1(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(gold, pred, labels=list(labels), average="macro", zero_division=0))


THRESHOLDS = (0.6, 0.7, 0.77, 0.85)  # match thresholds a fold may choose in the ``kb_fitted_threshold`` run


def kb_cross_validate(
    docs: list[Doc],
    found: Mapping[str, list[FoundMatch]],
    ratings: Ratings,
    labels: Sequence[str],
    threshold: float,
    folds: int = 5,
) -> dict[str, Any]:
    """Out-of-fold verdicts of the runs, every model fitted on the training folds only.

    Runs: ``no_kb`` (as shipped, no matches: the baseline), ``kb_prior`` (the knowledge base,
    shipped weights), ``kb_fitted`` (weights, temperature and abstention chosen on the training
    folds), ``kb_fitted_no_own`` (the article's own fact-check left out of the knowledge base),
    ``kb_fitted_prior_only`` (fact-checks dated after the article left out), ``kb_fitted_threshold``
    (the match threshold chosen too, among ``THRESHOLDS``), and ``implied`` (the closest match's
    rating alone).
    """
    import numpy as np
    from sklearn.model_selection import GroupKFold

    from veracity.evaluate.verdicts import fold_content, signals_for
    from veracity.verdict.fit import content_matrix
    from veracity.verdict.model import combine, load_params

    params = dict(load_params())
    x = content_matrix([(d.title, d.body) for d in docs])
    runs = ("no_kb", "kb_prior", "kb_fitted", "kb_fitted_no_own", "kb_fitted_prior_only", "kb_fitted_threshold")
    pred = {r: [""] * len(docs) for r in runs}
    conf = {r: np.zeros(len(docs)) for r in runs}
    chosen, chosen_t = [], []
    for train_idx, test_idx in GroupKFold(n_splits=folds).split(x, groups=[d.group for d in docs]):
        fold = {**params, "content": fold_content(docs, x, train_idx)}
        gold = [docs[i].label for i in train_idx]
        by_t = {}
        for t in sorted({threshold, *THRESHOLDS}):
            train_signals = [signals_for(docs[i], fold, ratings, kept(found[docs[i].id], t)) for i in train_idx]
            by_t[t] = fit_evidence_weights(train_signals, gold, labels, fold)
        fitted, info = by_t[threshold]
        best_t = max(THRESHOLDS, key=lambda t: (by_t[t][1]["train_macro_f1"], t == threshold))
        chosen.append(info)
        chosen_t.append({**by_t[best_t][1], "threshold": best_t})
        for i in test_idx:
            d = docs[i]
            setups: tuple[tuple[str, list[FoundMatch], dict[str, Any]], ...] = (
                ("no_kb", [], fold),
                ("kb_prior", kept(found[d.id], threshold), fold),
                ("kb_fitted", kept(found[d.id], threshold), fitted),
                ("kb_fitted_no_own", kept(found[d.id], threshold, same_url=False), fitted),
                ("kb_fitted_prior_only", kept(found[d.id], threshold, after=False), fitted),
                ("kb_fitted_threshold", kept(found[d.id], best_t), by_t[best_t][0]),
            )
            for run, matches, p in setups:
                v = combine(signals_for(d, p, ratings, matches), p)
                pred[run][i] = v.label
                conf[run][i] = v.confidence
    pred["implied"] = [implied_label(kept(found[d.id], threshold)) for d in docs]
    return {"pred": pred, "confidence": conf, "chosen": chosen, "chosen_threshold": chosen_t}
