"""Fitting the verdict's parameters from labelled data (``scripts/fit_verdict.py`` drives it).

What is fitted: the content model (standardised style and headline features and the static
embedding of the text, multinomial logistic regression, class-balanced, C chosen by grouped
cross-validation on the three training sets: docs/verdict-model.md) and its temperature,
chosen on out-of-fold predictions so the content model's own probabilities are calibrated.
What is not fitted, for lack of labelled articles that carry those signals: the weights of
outlet ratings, corroboration, fact-check matches and track record. They are documented
priors in log-odds units (``PRIOR_WEIGHTS``), marked ``"prior"`` in the parameter file;
docs/verdict-model.md says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from veracity.verdict.content import (
    EMBED_DIM,
    EMBEDDING,
    FEATURES,
    HEADLINE,
    embedding_text,
    headline_features,
    style_features,
)
from veracity.verdict.model import CLASSES

# Log-odds each unit of a feature adds to a class (see docs/verdict-model.md for the reasoning).
PRIOR_WEIGHTS: dict[str, dict[str, float]] = {
    "outlet": {"Truth": 2.5, "Misleading": -1.0, "Fake": -2.5},  # reliability - 0.5, in [-0.5, 0.5]
    "outlet_spread": {"Misleading": 0.5},  # disagreeing sets make "mixed" likelier, never Fake
    "corroboration": {"Truth": 0.8, "Fake": -0.8},  # log(1 + reliability-weighted independent outlets)
    "fc_false": {"Fake": 5.0, "Misleading": 1.5, "Truth": -2.0},  # best similarity to a false/mostly-false check
    "fc_mixed": {"Misleading": 3.0, "Truth": -1.0},
    "fc_true": {"Truth": 3.0, "Fake": -2.0},
    "track": {"Truth": 2.0, "Misleading": -0.5, "Fake": -2.0},  # in [-1, 1]
    "content_fake": {"Fake": 0.3},  # the content model's log-odds, deliberately damped (rescaled: content_weights)
    "content_misleading": {"Misleading": 0.3},
}
# Log-odds the combination gives one standard deviation of the content model's log-odds over its
# training rows: the damping is set by how far the model's scores spread, so a sharper content
# model does not gain weight in the verdict (verdict-v1's fixed 0.3 gave about 0.2 for Fake).
CONTENT_STEP = 0.2
PRIOR_INTERCEPT = {"Truth": 0.0, "Misleading": -0.5, "Fake": -1.0}
ABSTAIN_BELOW = 0.6
CONTENT_C = 0.02  # chosen by grouped 5-fold CV on the three sets (scripts/compare_content_models.py)
STYLE_C = 0.5  # the style-only model of verdict-v1, kept as the evaluation's baseline
CONTENT_FEATURES = [*FEATURES, *HEADLINE, *(f"emb{i}" for i in range(EMBED_DIM))]


def feature_matrix(docs: Sequence[tuple[str, str]]) -> np.ndarray:
    """The 15 style features (columns in ``FEATURES`` order)."""
    rows = [style_features(title, body) for title, body in docs]
    return np.array([[r[f] for f in FEATURES] for r in rows], dtype=float)


def content_matrix(docs: Sequence[tuple[str, str]]) -> np.ndarray:
    """The content model's columns (``CONTENT_FEATURES``): style, headline, then the text's embedding."""
    from veracity.stories.embed import embed_many

    heads = [headline_features(title) for title, _ in docs]
    emb = embed_many([embedding_text(title, body) for title, body in docs]).astype(float)
    head = np.array([[h[f] for f in HEADLINE] for h in heads], dtype=float).reshape(len(docs), len(HEADLINE))
    return np.hstack([feature_matrix(docs).reshape(len(docs), len(FEATURES)), head, emb.reshape(len(docs), EMBED_DIM)])


def fit_content(
    x: np.ndarray, labels: Sequence[str], c: float = CONTENT_C, features: Sequence[str] | None = None
) -> dict[str, Any]:
    """A class-balanced multinomial logistic regression over standardised, clipped features.

    ``x`` has the columns of ``CONTENT_FEATURES`` (the default), or of ``features`` (e.g.
    ``FEATURES`` alone for the style-only model).
    """
    names = list(features or CONTENT_FEATURES)
    if x.shape[1] != len(names):
        raise ValueError(f"{x.shape[1]} columns for {len(names)} features")
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    z = np.clip((x - mean) / scale, -4, 4)
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
    model.fit(z, list(labels))
    classes = [str(k) for k in model.classes_]
    coef = model.coef_
    intercept = model.intercept_
    if len(classes) == 2:  # binary: sklearn keeps one row for the second class
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
    block: dict[str, Any] = {
        "features": names,
        "classes": classes,
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "coef": [[round(float(v), 6) for v in row] for row in coef],
        "intercept": [round(float(v), 6) for v in intercept],
        "temperature": 1.0,
        "C": c,
    }
    if any(n.startswith("emb") for n in names):
        block["embedding"] = EMBEDDING
    return block


def content_probabilities(x: np.ndarray, params: dict[str, Any]) -> tuple[list[str], np.ndarray]:
    """Class probabilities of the content model for a feature matrix (same maths as ``content_logits``)."""
    z = np.clip((x - np.array(params["mean"])) / np.array(params["scale"]), -4, 4)
    logits = z @ np.array(params["coef"]).T + np.array(params["intercept"])
    logits = logits / float(params.get("temperature", 1.0))
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    return list(params["classes"]), p / p.sum(axis=1, keepdims=True)


def fit_temperature(logits: np.ndarray, truth: np.ndarray) -> float:
    """The temperature minimising the negative log-likelihood of held-out predictions (grid search)."""
    best, best_nll = 1.0, math.inf
    for t in np.exp(np.linspace(math.log(0.25), math.log(8.0), 61)):
        z = logits / t
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        nll = -float(logp[np.arange(len(truth)), truth].mean())
        if nll < best_nll:
            best, best_nll = float(t), nll
    return best


def raw_logits(x: np.ndarray, params: dict[str, Any]) -> np.ndarray:
    z = np.clip((x - np.array(params["mean"])) / np.array(params["scale"]), -4, 4)
    out: np.ndarray = z @ np.array(params["coef"]).T + np.array(params["intercept"])
    return out


def content_weights(x: np.ndarray, content: dict[str, Any]) -> dict[str, dict[str, float]]:
    """The combination's weights of the content features: ``CONTENT_STEP`` per standard deviation of each.

    ``x`` holds the content model's training rows; the features are its temperature-scaled
    log-odds of Fake and Misleading against Truth, as ``content_signal`` gives them.
    """
    logits = raw_logits(x, content) / float(content.get("temperature", 1.0))
    classes: list[str] = content["classes"]
    against = logits - logits[:, [classes.index("Truth")]]
    out = {}
    for feature, label in (("content_fake", "Fake"), ("content_misleading", "Misleading")):
        spread = float(against[:, classes.index(label)].std()) if label in classes else 0.0
        out[feature] = {label: round(CONTENT_STEP / spread, 4) if spread > 0 else PRIOR_WEIGHTS[feature][label]}
    return out


def build_params(
    content: dict[str, Any],
    *,
    name: str,
    data: dict[str, Any],
    content_weight: dict[str, dict[str, float]] | None = None,
) -> dict[str, Any]:
    """The parameter file: priors for the evidence, the fitted content block, provenance."""
    weights = {k: dict(v) for k, v in PRIOR_WEIGHTS.items()} | (content_weight or {})
    scaled = f"prior: {CONTENT_STEP} log-odds per standard deviation of the content model's log-odds"
    return {
        "name": name,
        "classes": list(CLASSES),
        "intercept": dict(PRIOR_INTERCEPT),
        "weights": weights,
        # every combination weight is a documented prior; the content block inside is fitted
        "weight_source": {k: scaled if k in (content_weight or {}) else "prior" for k in PRIOR_WEIGHTS}
        | {"content": "fitted"},
        "temperature": 1.0,
        "abstain_below": ABSTAIN_BELOW,
        "content": content,
        "data": data,
    }


def reviewed_examples(engine: Any) -> tuple[list[dict[str, float]], list[str]]:
    """(signal features, reviewer's label) for every article whose latest reviewer verdict is decided.

    The features are those of the machine verdict the reviewer saw last (stored with each
    machine verdict), so reviews teach the combination which evidence the machine misweighed.
    """
    from sqlalchemy import select

    from veracity.verdict.store import VerdictStore, verdicts

    store = VerdictStore(engine)
    with engine.connect() as conn:
        ids = sorted(set(conn.execute(select(verdicts.c.article_id).where(verdicts.c.source == "reviewer")).scalars()))
    features, labels = [], []
    for aid in ids:
        latest = store.latest(aid)
        review, machine = latest.get("reviewer"), latest.get("machine")
        if review is None or machine is None or review.label not in CLASSES:
            continue
        row: dict[str, float] = {}
        for signal in machine.evidence.get("evidence", []):
            row.update({k: float(v) for k, v in signal.get("features", {}).items()})
        features.append(row)
        labels.append(review.label)
    return features, labels


def fit_combination(
    features: list[dict[str, float]], labels: list[str], params: dict[str, Any], strength: float = 200.0
) -> dict[str, Any]:
    """Combination weights from reviewed verdicts, shrunk toward the priors.

    A multinomial logistic regression over the evidence features; each weight becomes
    ``(n * fitted + strength * prior) / (n + strength)`` for ``n`` reviews, so a few reviews
    nudge the priors and many replace them. Needs two classes at least; otherwise the
    parameters come back unchanged.
    """
    from sklearn.linear_model import LogisticRegression

    if len(set(labels)) < 2:
        return params
    names = sorted(PRIOR_WEIGHTS)
    x = np.array([[f.get(n, 0.0) for n in names] for f in features])
    model = LogisticRegression(C=1.0, max_iter=2000)
    model.fit(x, labels)
    classes = [str(c) for c in model.classes_]
    coef = model.coef_ if len(classes) > 2 else np.vstack([-model.coef_[0] / 2, model.coef_[0] / 2])
    n = len(labels)
    share = n / (n + strength)
    weights: dict[str, dict[str, float]] = {}
    for j, name in enumerate(names):
        prior = params["weights"].get(name, {})
        fitted = {c: float(coef[i][j]) for i, c in enumerate(classes)}
        weights[name] = {
            c: round(share * fitted.get(c, 0.0) + (1 - share) * prior.get(c, 0.0), 4)
            for c in CLASSES
            if c in fitted or c in prior
        }
    out = dict(params)
    out["weights"] = weights
    out["weight_source"] = {name: f"prior blended with {n} reviews (share {share:.2f})" for name in names} | {
        "content": "fitted"
    }
    out["data"] = {**params.get("data", {}), "reviews": n}
    return out
