"""Check-worthiness: the shipped weights load, rank factual claims over small talk, and give spans."""

from __future__ import annotations

from veracity.analysis.checkworthy import model, score_claims, sentence_features
from veracity.analysis.nlp import parse

FACTUAL = "Unemployment fell to 3.5 percent last year, the lowest rate in 50 years."
SMALL_TALK = "Thank you all very much for being here tonight, it is great to see you."


def test_the_shipped_model_loads_with_its_card() -> None:
    m = model()
    assert len(m.weights) > 1000
    assert "CLEF-2019" in m.meta["trained_on"]
    assert m.meta["cv_map_leave_one_debate_out"] > 0.15


def test_a_factual_claim_outscores_small_talk() -> None:
    m = model()
    factual, small = (m.score(sentence_features(d)) for d in parse([FACTUAL, SMALL_TALK]))
    assert 0.0 <= small < factual <= 1.0
    assert factual >= 0.5 > small


def test_features_fold_numbers_and_name_entity_kinds() -> None:
    feats = sentence_features(next(parse([FACTUAL])))
    assert "w:<num>" in feats and "e:PERCENT" in feats and "w:3.5" not in feats


def test_claims_carry_offsets_into_the_text() -> None:
    text = f"{SMALL_TALK}\n\n{FACTUAL} Short one."
    claims = score_claims(next(parse([text])), threshold=0.5)
    assert [c.text for c in claims] == [FACTUAL]
    assert text[claims[0].start : claims[0].end] == FACTUAL
    assert all(c.score >= 0.5 for c in claims)
    assert score_claims(next(parse([text])), threshold=1.0) == []
