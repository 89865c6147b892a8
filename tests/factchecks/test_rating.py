"""Rating normalisation onto the one scale, with the original kept."""

from __future__ import annotations

import pytest

from veracity.factchecks.rating import LABELS, SCALE, from_number, from_text, normalise


@pytest.mark.parametrize(
    ("word", "label"),
    [
        ("True", "true"),
        ("Mostly True", "mostly-true"),
        ("Half-True", "mixed"),
        ("Barely True", "mostly-false"),
        ("Mostly False", "mostly-false"),
        ("False", "false"),
        ("Pants on Fire!", "false"),
        ("pants-fire", "false"),
        ("Full Flop", "not-rateable"),
    ],
)
def test_politifact_six_steps_and_flip_o_meter(word: str, label: str) -> None:
    assert normalise(word).label == label


@pytest.mark.parametrize(
    ("word", "label"),
    [
        ("Mixture", "mixed"),
        ("Unproven", "not-rateable"),
        ("Miscaptioned", "false"),
        ("Labeled Satire", "not-rateable"),
        ("Outdated", "not-rateable"),
        ("Correct Attribution", "true"),
        ("Misattributed", "false"),
        ("Scam", "false"),
        ("Legend", "not-rateable"),
    ],
)
def test_snopes_words(word: str, label: str) -> None:
    assert normalise(word).label == label


def test_numeric_rating_uses_best_and_worst() -> None:
    assert normalise(None, 1, 5, 1).label == "false"
    assert normalise(None, 2, 5, 1).label == "mostly-false"
    assert normalise(None, "3", "5", "1").label == "mixed"
    assert normalise(None, 4).label == "mostly-true"  # schema.org defaults 1..5
    assert normalise(None, 10, 10, 0).label == "true"
    assert normalise(None, 0, 1, 0).label == "false"
    rating = normalise(None, 4, 5, 1)
    assert rating.score == 0.75 and "4" in rating.original


def test_a_number_out_of_range_falls_back_to_the_text() -> None:
    assert from_number(7, 5, 1) is None
    assert normalise("Misleading", -1, 5, 1).label == "mostly-false"
    assert normalise(None, -1, 5, 1).label == "not-rateable"


def test_known_word_beats_the_number() -> None:
    assert normalise("False", 5, 5, 1).label == "false"


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("This claim is not true.", "false"),
        ("The video has been digitally altered", "false"),
        ("Partly false: the figure is from 2012", "mostly-false"),
        ("Largely accurate", "true"),
        ("Needs context", "mixed"),
        ("Satirical website", "not-rateable"),
        ("Mostly true, with a wrong date", "mostly-true"),
        ("Correct", "true"),
    ],
)
def test_free_text_keyword_table(text: str, label: str) -> None:
    assert from_text(text) == label


def test_unknown_text_is_not_rateable_and_kept() -> None:
    rating = normalise("Zebra")
    assert rating.label == "not-rateable" and rating.score is None and rating.original == "Zebra"


def test_scale_is_the_documented_one() -> None:
    assert LABELS == ("false", "mostly-false", "mixed", "mostly-true", "true", "not-rateable")
    assert [SCALE[label] for label in LABELS] == [0.0, 0.25, 0.5, 0.75, 1.0, None]
