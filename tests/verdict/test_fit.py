"""Reviews feed the next fitting: the combination's weights move from the priors toward what reviewers said."""

from __future__ import annotations

from datetime import datetime

from test_judge import article, rate

from veracity.settings import Settings
from veracity.store.sql import SqlStore
from veracity.verdict.fit import fit_combination, reviewed_examples
from veracity.verdict.judge import judge, review
from veracity.verdict.model import load_params


def test_reviews_move_the_weights_toward_the_reviewers(store: SqlStore) -> None:
    rate(store, "rsp", good_example=0.9, bad_example=0.1)
    good = [article(n, "good.example") for n in range(12)]
    bad = [article(n, "bad.example") for n in range(12, 24)]
    for a in good + bad:
        store.upsert(a)
    judge(store, Settings(), [a.id for a in good + bad])
    when = datetime(2024, 12, 1)
    for a in good:  # reviewers keep finding the "reliable" outlet's articles fake, the other's true
        review(store, a.id, "Fake", "fabricated", "ana", when)
    for a in bad:
        review(store, a.id, "Truth", "checked", "ana", when)
    review(store, good[0].id, "Unverified", "cannot tell", "bo", when)  # undecided reviews are left out
    features, labels = reviewed_examples(store.engine)
    assert len(labels) == 23 and labels.count("Truth") == 12
    assert all("outlet" in f for f in features)
    params = dict(load_params())
    fitted = fit_combination(features, labels, params)
    assert fitted["weights"]["outlet"]["Truth"] < params["weights"]["outlet"]["Truth"]
    assert fitted["weights"]["outlet"]["Fake"] > params["weights"]["outlet"]["Fake"]
    assert "23 reviews" in fitted["weight_source"]["outlet"] and fitted["data"]["reviews"] == 23
    assert fit_combination(features[:5], ["Fake"] * 5, params) is params  # one class: nothing to learn
