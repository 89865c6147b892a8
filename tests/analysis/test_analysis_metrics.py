"""The evaluation measures on hand-made cases (no data set needed)."""

from __future__ import annotations

import pytest

from veracity.evaluate.checkworthiness import Line, average_precision, mean_average_precision
from veracity.evaluate.quotes import Counts, Gold, Predicted, finish, score_document


def test_average_precision_and_map_with_ties_in_line_order() -> None:
    assert average_precision([1, 0, 1, 0]) == pytest.approx((1 + 2 / 3) / 2)
    assert average_precision([0, 0]) == 0.0
    lines = [Line("a", 1, "X", "t", 0), Line("a", 2, "X", "t", 1), Line("b", 1, "Y", "t", 1), Line("b", 2, "Y", "t", 0)]
    value, per_doc = mean_average_precision(lines, [0.5, 0.5, 0.9, 0.1])
    assert per_doc == {"a": 0.5, "b": 1.0}  # a: the tie keeps line order, the positive comes second
    assert value == pytest.approx(0.75)


def test_quote_scoring() -> None:
    text = "Peskov said relations were at a low. Sources said talks failed."
    gold = [
        Gold(source=[(0, 6)], cue=[(7, 11)], content=[(12, 35)]),
        Gold(source=[(37, 44)], cue=[(45, 49)], content=[(50, 62)]),
    ]
    predicted = [
        Predicted(content=(12, 35), speaker=(0, 6), cue=(7, 11)),  # exact
        Predicted(content=(50, 56), speaker=None, cue=(45, 49)),  # half the content, no speaker
    ]
    counts = Counts()
    score_document(text, gold, predicted, counts)
    s = finish(counts)
    assert (s.precision, s.recall, s.speaker_accuracy, s.cue_accuracy) == (1.0, 1.0, 0.5, 1.0)
    assert s.exact_f1 == 0.5
    assert 0.8 < s.span_f1 < 1.0
