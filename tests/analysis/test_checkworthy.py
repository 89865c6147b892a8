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
    factual, small = (m.score(sentence_features(d), d.text) for d in parse([FACTUAL, SMALL_TALK]))
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


def test_ngram_tfidf_matches_scikit_learn() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from veracity.analysis.checkworthy import ngram_counts

    corpus = [FACTUAL, SMALL_TALK, "The rate fell, the rate rose: it's 3.5% — déjà vu for Café owners."]
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit(corpus)
    for text in corpus:
        counts = ngram_counts(text)
        assert set(counts) == {t for t in vectorizer.build_analyzer()(text)}
        assert sum(counts.values()) == len(vectorizer.build_analyzer()(text))


def test_the_shipped_model_has_its_three_blocks() -> None:
    m = model()
    assert len(m.ngrams) > 1000 and all(idf >= 1.0 for idf, _ in m.ngrams.values())
    assert {k: len(v) for k, v in m.embedding.items()} == {"self": 128, "previous": 128, "next": 128}
    assert m.meta["blocks"] and m.meta["cv_map_variants"]


def test_a_sentence_is_scored_with_its_neighbours() -> None:
    m = model()
    docs = list(parse([SMALL_TALK, FACTUAL, SMALL_TALK]))
    feats = [sentence_features(d) for d in docs]
    texts = [SMALL_TALK, FACTUAL, SMALL_TALK]
    in_context = m.score_sentences(feats, texts)
    alone = [m.score(f, t) for f, t in zip(feats, texts, strict=True)]
    assert in_context[1] != alone[1]  # the neighbours' embeddings count
    assert in_context[0] != in_context[2]  # first and last see different sides
    assert in_context[1] > max(in_context[0], in_context[2])
