"""How far the content model carries to a data set it has not seen: fit on two sets, score on the third.

Part of ``veracity evaluate verdicts``. The per-set cross-validation of
:mod:`veracity.evaluate.verdicts` keeps each set's own distribution (its topics, its sites,
its way of writing fakes) on both sides of the split; here the content model (style +
headline + embedding), the style-only model and the TF-IDF system are fitted on the
decided rows (Truth, Misleading, Fake) of two sets and scored on all rows of the third, so
the gap between the two tables is what a model owes to the set's own distribution. On the
two-class sets the prediction is the likelier of Truth and Fake; on CheckThat! it is the
argmax (a model fitted on two-class sets never says Misleading, and none says Unverified).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from veracity.evaluate.verdict_data import Doc
from veracity.verdict.content import FEATURES
from veracity.verdict.fit import STYLE_C, content_matrix, content_probabilities, feature_matrix, fit_content
from veracity.verdict.model import CLASSES

TRANSFER_SYSTEMS = ("content", "style", "tfidf")


def _decide(names: list[str], probs: Any, binary: bool) -> list[str]:
    if not binary:
        return [names[int(p.argmax())] for p in probs]
    truth, fake = names.index("Truth"), names.index("Fake")
    return ["Fake" if p[fake] > p[truth] else "Truth" for p in probs]


def transfer(
    sets: dict[str, tuple[list[Doc], tuple[str, ...]]],
    scores: Callable[[list[str], list[str], tuple[str, ...]], dict[str, float]],
) -> dict[str, Any]:
    """For each set: the three systems fitted on the other sets, scored on it (``scores(gold, pred, labels)``)."""
    from veracity.evaluate.verdicts import tfidf_model

    style_x = {name: feature_matrix([(d.title, d.body) for d in docs]) for name, (docs, _) in sets.items()}
    content_x = {name: content_matrix([(d.title, d.body) for d in docs]) for name, (docs, _) in sets.items()}
    out: dict[str, Any] = {}
    for target, (test_docs, labels) in sets.items():
        sources = [n for n in sets if n != target]
        keep = {n: [i for i, d in enumerate(sets[n][0]) if d.label in CLASSES] for n in sources}
        train_docs = [sets[n][0][i] for n in sources for i in keep[n]]
        gold = [d.label for d in train_docs]
        xs = np.vstack([style_x[n][keep[n]] for n in sources])
        xc = np.vstack([content_x[n][keep[n]] for n in sources])
        binary = set(labels) == {"Truth", "Fake"}
        content = fit_content(xc, gold)
        style = fit_content(xs, gold, STYLE_C, FEATURES)
        predicted = {
            "content": _decide(*content_probabilities(content_x[target], content), binary),
            "style": _decide(*content_probabilities(style_x[target], style), binary),
            "tfidf": _decide(*tfidf_model(train_docs, xs)(test_docs, style_x[target]), binary),
        }
        truth = [d.label for d in test_docs]
        out[target] = {system: scores(truth, p, labels) for system, p in predicted.items()}
        out[target]["trained_on"] = sources
    return out
