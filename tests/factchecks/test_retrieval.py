"""Hybrid retrieval: date features and date-window candidates, re-ranker entries loaded by name."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from veracity.factchecks.retrieval import BASE_FEATURES, FEATURES, HybridIndex, Ranker

CLAIMS = ["Taxes went up for the middle class.", "Crime fell in Chicago.", "The wall will be paid by Mexico."]
DATES = np.asarray([700000.0, 700010.0, np.nan])


def test_date_features_and_window() -> None:
    index = HybridIndex(CLAIMS, ["", "", ""], None, dates=DATES, near_days=1)
    ((docs, rows),) = index.features(["taxes up for families"], depth=1, query_dates=[700011.0])
    column = {name: rows[:, FEATURES.index(name)] for name in FEATURES}
    by_doc = dict(zip(docs.tolist(), range(len(docs)), strict=True))
    assert 1 in by_doc  # no shared word, but stated a day from the query: a candidate through the date window
    assert column["date_near"][by_doc[1]] == 1 and column["date_known"][by_doc[1]] == 1
    assert column["date_near"][by_doc[0]] == 0 and column["date_gap"][by_doc[0]] == pytest.approx(np.log1p(11) / 8)
    plain = HybridIndex(CLAIMS, ["", "", ""], None, dates=DATES)
    assert plain.features(["taxes up for families"], depth=1, query_dates=[700011.0])[0][0].tolist() == [0]


def test_ranker_entries_by_name(tmp_path: Path) -> None:
    head = {"weights": [1.0], "bias": 0.0}
    path = tmp_path / "ranker.json"
    path.write_text(
        json.dumps(
            {
                "none": {
                    "rank": {**head, "weights": [0.0] * len(BASE_FEATURES)},
                    "match": {**head, "weights": [0.0] * 4},
                },
                "static": {"rank": {**head, "features": ["bm25"]}, "match": {**head, "features": ["cos_claim"]}},
                "static-2b": {"rank": {**head, "features": ["prior"]}, "match": {**head, "features": ["cos_claim"]}},
            }
        )
    )
    assert Ranker.load("static-2b", path).rank.columns == (FEATURES.index("prior"),)
    assert Ranker.load("static-2a", path).rank.columns == (FEATURES.index("bm25"),)  # no entry: the encoder's
    assert Ranker.load("minilm", path).rank.columns == tuple(range(len(BASE_FEATURES)))  # no encoder entry: none's
