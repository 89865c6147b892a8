"""Storing analyses on real SQLite and PostgreSQL: idempotent, re-run on a new version, failures reported."""

from __future__ import annotations

from dataclasses import replace

from conftest import SEED_CARD
from veracity.analysis.pipeline import analyse_articles, analyse_stage, analysis_json, claim_texts
from veracity.analysis.settings import AnalysisSettings
from veracity.analysis.store import AnalysisStore
from veracity.article import Article, Block, Outlet
from veracity.cards.parse import parse_card
from veracity.enrich import enrich, stages
from veracity.settings import Settings
from veracity.store.sql import SqlStore

SETTINGS = Settings()


def seed_article() -> Article:
    return parse_card(SEED_CARD.read_text(encoding="utf-8"), str(SEED_CARD))


def small_article(title: str, body: str) -> Article:
    return Article(title=title, blocks=(Block(body),), outlet=Outlet("Example News", "example.com"))


def test_analyse_stores_entities_quotes_claims_and_loaded_terms(store: SqlStore) -> None:
    article = seed_article()
    store.upsert(article)
    report = analyse_articles(store, SETTINGS, [article.id])
    assert (report.analysed, report.unchanged, report.failures) == (1, 0, [])
    data = analysis_json(store, article.id)
    body = article.body
    assert {"Dmitry Peskov", "Kremlin"} <= {e["text"] for e in data["entities"]}
    for e in data["entities"]:
        assert body[e["start"] : e["end"]] == e["text"]
    peskov = [q for q in data["quotes"] if q["speaker_entity"] == "Dmitry Peskov"]
    assert any(q["content"].startswith("relations between the two countries") for q in peskov)
    assert any(t["term"] == "dictator's" and t["category"] == "label" for t in data["loaded_terms"])
    for c in data["claims"]:
        assert body[c["start"] : c["end"]] == c["text"]
        assert c["score"] >= SETTINGS.analysis.claim_threshold
    texts = claim_texts(store, article.id)
    assert [c["text"] for c in data["claims"]] == texts[: len(data["claims"])]
    assert any(t.startswith("relations between the two countries") for t in texts)


def test_rerun_is_idempotent_and_a_new_version_is_analysed_again(store: SqlStore) -> None:
    old = small_article("Talks", "Dmitry Peskov said the talks had failed.")
    store.upsert(old)
    assert analyse_articles(store, SETTINGS, [old.id]).analysed == 1
    first = analysis_json(store, old.id)
    again = analyse_articles(store, SETTINGS, [old.id])
    assert (again.analysed, again.unchanged) == (0, 1)
    assert analysis_json(store, old.id) == first
    new = replace(
        old, blocks=(Block("Dmitry Peskov said the talks had failed. Sergei Lavrov said they would resume."),)
    )
    store.upsert(new)
    assert AnalysisStore(store).pending() == [old.id]
    assert analyse_articles(store, SETTINGS, [old.id]).analysed == 1
    speakers = {q["speaker_entity"] for q in analysis_json(store, old.id)["quotes"]}
    assert speakers == {"Dmitry Peskov", "Sergei Lavrov"}
    assert AnalysisStore(store).pending() == []


def test_not_yet_analysed_shows_null(store: SqlStore) -> None:
    article = small_article("Quiet", "Nothing happened today in the small town of Springfield.")
    store.upsert(article)
    assert analysis_json(store, article.id) == {"entities": None, "quotes": None, "claims": None, "loaded_terms": None}
    assert claim_texts(store, article.id) == []


def test_one_bad_article_is_reported_and_the_others_stored(store: SqlStore) -> None:
    good = small_article("Good", "Dmitry Peskov said the talks had failed.")
    huge = small_article("Huge", "Word " * 500)
    store.upsert(good)
    store.upsert(huge)
    settings = replace(SETTINGS, analysis=AnalysisSettings(analysis_max_chars=1000))
    report = analyse_articles(store, settings, [good.id, huge.id])
    assert report.analysed == 1
    assert [aid for aid, _ in report.failures] == [huge.id]
    assert "too long" in report.failures[0][1]
    assert analysis_json(store, good.id)["quotes"]
    assert AnalysisStore(store).pending() == [huge.id]


def test_the_after_ingest_stage(store: SqlStore) -> None:
    article = small_article("Stage", "The minister said prices rose by 5 percent in 2023.")
    store.upsert(article)
    result = analyse_stage(store, SETTINGS, [article.id])
    assert (result.name, result.done, result.failures) == ("analysis", 1, [])
    assert any(stage.__name__ == "analyse_stage" for stage in stages())
    assert [r.done for r in enrich(store, SETTINGS, [article.id]) if r.name == "analysis"] == [0]
