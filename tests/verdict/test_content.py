"""The content model: headline features, the embedding block, and the same maths when fitting and judging."""

from __future__ import annotations

import math

import numpy as np

from veracity.verdict.content import (
    EMBED_DIM,
    EMBEDDING,
    FEATURES,
    HEADLINE,
    content_features,
    content_logits,
    content_signal,
    headline_features,
)
from veracity.verdict.fit import CONTENT_FEATURES, content_matrix, content_probabilities, feature_matrix, fit_content
from veracity.verdict.model import load_params

CALM = (
    "Council approves flood barrier",
    "The council approved the flood barrier on Tuesday, its chair said. Work starts in March, "
    "according to the council's report.",
)
LOUD = ("10 Shocking Things The Elites Don't Want You To Know", "SHOCKING!!! They lied. Wake up, people!")


def test_headline_features() -> None:
    calm, loud = headline_features(CALM[0]), headline_features(LOUD[0])
    assert calm["title_number"] == 0.0 and loud["title_number"] == 1.0
    assert loud["title_capitalised"] > calm["title_capitalised"]
    assert loud["title_quote"] == 1.0 and calm["title_quote"] == 0.0  # the apostrophe of "Don't"
    assert loud["title_loaded"] >= 1.0 and calm["title_loaded"] == 0.0  # "shocking" is in the lexicon
    assert set(headline_features("")) == set(HEADLINE)


def test_shipped_block_reads_style_headline_and_embedding() -> None:
    block = load_params()["content"]
    assert block["embedding"] == EMBEDDING
    assert block["features"] == CONTENT_FEATURES and len(block["features"]) == len(FEATURES) + len(HEADLINE) + EMBED_DIM
    feats = content_features(*CALM, block)
    assert set(block["features"]) <= set(feats)
    vector = np.array([feats[f"emb{i}"] for i in range(EMBED_DIM)])
    assert math.isclose(float(np.linalg.norm(vector)), 1.0, rel_tol=1e-3)


def test_judging_and_fitting_compute_the_same_probabilities() -> None:
    block = load_params()["content"]
    names, probs = content_probabilities(content_matrix([CALM, LOUD]), block)
    for (title, body), row in zip([CALM, LOUD], probs, strict=True):
        logits = content_logits(content_features(title, body, block), block)
        total = sum(math.exp(v) for v in logits.values())
        for name, p in zip(names, row, strict=True):
            assert math.isclose(math.exp(logits[name]) / total, float(p), abs_tol=1e-6)


def test_a_style_only_block_still_works() -> None:
    docs = [CALM, LOUD] * 6
    labels = ["Truth", "Fake"] * 6
    style = fit_content(feature_matrix(docs), labels, 0.5, FEATURES)
    assert "embedding" not in style and style["features"] == list(FEATURES)
    signal = content_signal(*LOUD, style)
    assert max(signal.details["probabilities"], key=signal.details["probabilities"].get) == "Fake"
    assert "emb0" not in content_features(*LOUD, style)


def test_the_full_model_separates_an_easy_pair() -> None:
    docs = [CALM, LOUD] * 6
    block = fit_content(content_matrix(docs), ["Truth", "Fake"] * 6, c=1.0)
    assert block["embedding"] == EMBEDDING
    calm, loud = content_signal(*CALM, block), content_signal(*LOUD, block)
    assert calm.features["content_fake"] < 0 < loud.features["content_fake"]
