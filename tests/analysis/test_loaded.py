"""Loaded language: the lexicon's words flagged with category, offsets, and whether they are quoted."""

from __future__ import annotations

from veracity.analysis.loaded import find_loaded_terms, read_lexicon
from veracity.analysis.nlp import parse


def test_the_dictators_spokesperson_is_flagged_with_offsets() -> None:
    text = "The dictator's spokesperson Dmitry Peskov said relations were at a historic low."
    terms = find_loaded_terms(next(parse([text])))
    assert [(t.term, t.category, t.quoted) for t in terms] == [("dictator's", "label", False)]
    assert text[terms[0].start : terms[0].end] == "dictator's"


def test_phrases_case_and_quoted_words() -> None:
    text = "Critics Lashed Out at the so-called reform. 'It is a shocking disgrace,' he said, as the regime boasted."
    terms = {t.term.lower(): t for t in find_loaded_terms(next(parse([text])))}
    assert terms["lashed out"].category == "emotive"
    assert terms["so-called"].category == "editorial"
    assert terms["shocking"].quoted and terms["disgrace"].quoted
    assert not terms["regime"].quoted
    assert terms["boasted"].category == "speech"


def test_neutral_report_has_no_loaded_terms() -> None:
    text = (
        "The central bank raised its main interest rate by 0.25 percentage points on Thursday, its spokesperson said."
    )
    assert find_loaded_terms(next(parse([text]))) == []


def test_lexicon_categories_are_documented() -> None:
    assert set(read_lexicon().values()) == {"label", "emotive", "speech", "editorial", "puffery"}
