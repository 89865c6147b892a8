"""Claim matching: the stage on a real store, idempotent, late fact-checks labelled, ``show --json``."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from conftest import SEED_CARD
from factchecks.records import RECORDS, claim_review, jsonl
from veracity.cli.main import app
from veracity.enrich import stages
from veracity.factchecks.importer import Importer
from veracity.factchecks.match import Claim, Matcher, claims_to_match, match_articles, split_sentences
from veracity.factchecks.settings import FactCheckSettings
from veracity.factchecks.store import FactCheckStore
from veracity.ingest.pipeline import ingest_paths
from veracity.settings import Settings
from veracity.store import SqlStore

SEED_ID = "6e6157f2bdfb"
LATE = claim_review(
    "Trump said he could end the war in Ukraine in 24 hours if elected.",
    "Mostly False",
    url="https://checks.example/war-24-hours",
    date="2024-12-01",
)
EARLY = claim_review(
    "Dmitry Peskov said relations between Russia and the US are at a historic low.",
    "True",
    url="https://checks.example/peskov-low",
    date="2024-10-01",
)


def _setup(store: SqlStore, tmp_path: Path) -> None:
    path = tmp_path / "kb.jsonl"
    path.write_bytes(jsonl(*RECORDS, LATE, EARLY))
    assert Importer(FactCheckStore(store.engine), Settings()).run([str(path)]).counts["ingested"] == 7
    ingest_paths([str(SEED_CARD)], store, Settings())


def test_split_sentences() -> None:
    text = "He said it was low. 'We will see,' he said. Prices rose 3.5 percent in 2024! Next one?\nNew paragraph"
    assert split_sentences(text) == [
        "He said it was low.",
        "'We will see,' he said.",
        "Prices rose 3.5 percent in 2024!",
        "Next one?",
        "New paragraph",
    ]


def test_claims_to_match_are_the_body_sentences(store: SqlStore, tmp_path: Path) -> None:
    _setup(store, tmp_path)
    claims = claims_to_match(store, SEED_ID)
    assert any("historic low" in c.text for c in claims)
    assert all(len(c.text) >= FactCheckSettings().min_claim_chars for c in claims)
    # the headline comes first, then the body's claims
    assert claims[0] == Claim("Putin has 'no plans' to congratulate Donald Trump and the US remains an"
                              " 'unfriendly state', Kremlin says", "headline")  # fmt: skip
    assert all(c.kind == "sentence" for c in claims[1:])


def test_stage_stores_matches_idempotently(store: SqlStore, tmp_path: Path) -> None:
    _setup(store, tmp_path)
    settings = Settings()
    first = match_articles(store, settings, [SEED_ID])
    assert first.done == 1 and not first.failures
    kb = FactCheckStore(store.engine)
    matches = kb.matches(SEED_ID)
    by_url = {m.factcheck.review_url: m for m in matches}
    assert set(by_url) == {"https://checks.example/war-24-hours", "https://checks.example/peskov-low"}
    assert by_url["https://checks.example/war-24-hours"].published_after_article is True
    assert by_url["https://checks.example/peskov-low"].published_after_article is False
    assert all(m.score >= settings.factchecks.match_threshold for m in matches)
    assert "end the war" in by_url["https://checks.example/war-24-hours"].claim

    again = match_articles(store, settings, [SEED_ID])
    assert again.done == 1
    assert [(m.factcheck.id, m.claim_number, m.score) for m in kb.matches(SEED_ID)] == [
        (m.factcheck.id, m.claim_number, m.score) for m in matches
    ]


def test_missing_article_is_a_reported_failure(store: SqlStore, tmp_path: Path) -> None:
    _setup(store, tmp_path)
    result = match_articles(store, Settings(), ["ffffffffffff", SEED_ID])
    assert result.done == 1 and result.failures[0][0] == "ffffffffffff"


def test_threshold_filters_unrelated_claims(store: SqlStore, tmp_path: Path) -> None:
    _setup(store, tmp_path)
    matcher = Matcher.from_store(FactCheckStore(store.engine), FactCheckSettings())
    related, unrelated = matcher.search(
        ["The Moon landing was faked and filmed in a Nevada studio", "The bakery opens at nine on Sundays"]
    )
    assert related and related[0].factcheck.review_url == "https://checks.example/a"
    assert unrelated == []


def test_show_json_has_factcheck_matches(db_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    kb = tmp_path / "kb.jsonl"
    kb.write_bytes(jsonl(LATE, EARLY))
    assert runner.invoke(app, ["factchecks", "import", str(kb), "--db", db_url]).exit_code == 0
    assert runner.invoke(app, ["ingest", str(SEED_CARD), "--db", db_url]).exit_code == 0
    shown = runner.invoke(app, ["show", SEED_ID, "--json", "--db", db_url])
    data = json.loads(shown.stdout)
    assert data["factcheck_matches"], "ingest runs the matching stage"
    if not data["factcheck_matches"]:
        from veracity.store import open_store

        s = open_store(db_url)
        try:
            (stage,) = [st for st in stages() if st.__name__ == "match_articles"]
            stage(s, Settings(), [SEED_ID])
        finally:
            s.close()
        data = json.loads(runner.invoke(app, ["show", SEED_ID, "--json", "--db", db_url]).stdout)
    urls = {m["url"]: m for m in data["factcheck_matches"]}
    late = urls["https://checks.example/war-24-hours"]
    assert late["published_after_article"] is True and late["rating"] == "mostly-false"
    assert late["rating_original"] == "Mostly False" and late["publisher"] == "Example Checks"
    assert 0 < late["score"] <= 1 and late["review_date"].startswith("2024-12-01")


def test_a_new_factcheck_matches_stored_articles_and_rejudges_them(tmp_path: Path) -> None:
    """Import after ingest: the stored article gains the match and its verdict is re-judged."""
    runner = CliRunner()
    db = f"sqlite:///{tmp_path / 'v.db'}"
    assert runner.invoke(app, ["ingest", str(SEED_CARD), "--db", db]).exit_code == 0
    before = json.loads(runner.invoke(app, ["verdicts", SEED_ID, "--json", "--db", db]).stdout)
    kb = tmp_path / "kb.jsonl"
    kb.write_bytes(jsonl(*RECORDS, LATE, EARLY))
    result = runner.invoke(app, ["factchecks", "import", str(kb), "--db", db])
    assert result.exit_code == 0, result.output
    shown = json.loads(runner.invoke(app, ["show", SEED_ID, "--json", "--db", db]).stdout)
    assert shown["factcheck_matches"], "the stored article should match the imported fact-checks"
    after = json.loads(runner.invoke(app, ["verdicts", SEED_ID, "--json", "--db", db]).stdout)
    assert len(after) > len(before)  # judged again with the new evidence
    evidence = {e["signal"]: e for e in shown["machine_verdict"]["evidence"]}
    assert evidence["fact-check"]["present"] is True
