"""Judging stored articles on SQLite and PostgreSQL: history, idempotence, re-judging, reviews, the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import verdict_support as support
from sqlalchemy import func, select
from typer.testing import CliRunner

from conftest import SEED_CARD
from veracity.article import Article, Block, Outlet
from veracity.cli.main import app
from veracity.errors import InputError, NotFoundError
from veracity.ratings import RatingStore
from veracity.ratings.formats import Rating
from veracity.settings import Settings
from veracity.store.sources import OutletInfo, SourceStore
from veracity.store.sql import SqlStore
from veracity.verdict import inputs
from veracity.verdict.judge import affected_ids, judge, rejudge_affected, review, verdict_stage
from veracity.verdict.store import VerdictStore, verdicts

runner = CliRunner()
SEED_ID = "6e6157f2bdfb"
BODY = (
    'The council approved the flood barrier on Tuesday, its chair said. "We have waited a decade," said Ann Lee, '
    "who chairs the committee. The cost is 12 million pounds, according to the council's report."
)


@pytest.fixture(autouse=True)
def providers(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    support.reset()
    monkeypatch.setattr(
        inputs,
        "PROVIDERS",
        {
            "corroboration": ("verdict_support", "corroboration"),
            "factchecks": ("verdict_support", "matches_for_article"),
            "loaded_terms": ("verdict_support", "loaded_terms"),
            "story_members": ("verdict_support", "story_article_ids"),
        },
    )
    yield
    support.reset()


def article(n: int, domain: str, body: str = BODY, label: str | None = None, section: str | None = None) -> Article:
    return Article(
        title=f"Story {n} from {domain}",
        blocks=(Block(body),),
        outlet=Outlet(domain.split(".")[0].title(), domain),
        url=f"https://www.{domain}/news/{n}",
        section=section,
        published=datetime(2024, 11, 6, 10, n % 60),
        label=label,
    )


def rows(store: SqlStore, article_id: str | None = None) -> int:
    query = select(func.count()).select_from(verdicts)
    if article_id:
        query = query.where(verdicts.c.article_id == article_id)
    with store.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def rate(store: SqlStore, name: str, **values: float) -> None:
    ratings = [Rating(d.replace("_", "."), str(v), v) for d, v in values.items()]
    RatingStore(store.engine).import_set(name, "csv", "test", ratings, datetime(2024, 1, 1))


def test_judge_is_idempotent_and_keeps_history_per_version(store: SqlStore) -> None:
    rate(store, "rsp", reliable_example=0.9)
    a = article(1, "reliable.example")
    store.upsert(a)
    support.CORROBORATION[a.id] = support.Corroboration("s1", 3, ["b.example", "c.example"])
    settings = Settings()
    result = judge(store, settings, [a.id])
    assert (result.done, result.failures) == (1, [])
    latest = VerdictStore(store.engine).latest(a.id)["machine"]
    assert latest.label == "Truth" and latest.version == 1 and latest.confidence and latest.confidence > 0.7
    names = [e["signal"] for e in latest.evidence["evidence"]]
    assert set(names) == {"outlet", "corroboration", "fact-check", "track-record", "content", "genre"}
    assert verdict_stage(store, settings, [a.id]).done == 1 and rows(store, a.id) == 1  # unchanged: no new row
    store.upsert(article(1, "reliable.example", body=BODY + " A second paragraph was added later."))
    judge(store, settings, [a.id])
    history = VerdictStore(store.engine).history(a.id)
    assert [(r.source, r.version) for r in history] == [("machine", 1), ("machine", 2)]


def test_one_bad_id_does_not_stop_the_batch(store: SqlStore) -> None:
    a = article(2, "x.example")
    store.upsert(a)
    result = judge(store, Settings(), ["ffffffffffff", a.id])
    assert result.done == 1 and result.failures[0][0] == "ffffffffffff"


def test_new_factcheck_rejudges_only_the_affected(store: SqlStore) -> None:
    rate(store, "rsp", x_example=0.9, y_example=0.9)
    arts = [article(n, "x.example" if n < 3 else "y.example") for n in range(7)]
    for a in arts:
        store.upsert(a)
    settings = Settings()
    judge(store, settings, [a.id for a in arts])
    before = {a.id: rows(store, a.id) for a in arts}
    support.MATCHES[arts[4].id] = [support.Match(0.93, "false", 0.0)]
    support.CALLS.clear()
    result = rejudge_affected(store, settings, article_ids=[arts[4].id])
    # the matched article, then its outlet's other articles, whose track record now holds a Fake
    assert support.CALLS[0] == arts[4].id and sorted(support.CALLS) == sorted(a.id for a in arts[3:])
    assert result.done == 4
    after = {a.id: rows(store, a.id) for a in arts}
    assert after[arts[4].id] == before[arts[4].id] + 1
    assert all(after[a.id] == before[a.id] for a in arts[:3])  # the other outlet: untouched
    fake = VerdictStore(store.engine).latest(arts[4].id)["machine"]
    assert fake.label == "Fake" and fake.evidence["evidence"][0]["signal"] == "fact-check"
    mate = VerdictStore(store.engine).latest(arts[5].id)["machine"]
    track = next(e for e in mate.evidence["evidence"] if e["signal"] == "track-record")
    assert "1 Fake" in track["sentence"]
    settled = rows(store)
    judge(store, settings, [a.id for a in arts])
    assert rows(store) == settled  # nothing was missed: re-judging everything changes nothing


def test_affected_by_story_and_outlet(store: SqlStore) -> None:
    a, b, c = article(1, "one.example"), article(2, "two.example"), article(3, "www.one.example")
    for x in (a, b, c):
        store.upsert(x)
    support.STORIES["s9"] = [b.id]
    assert affected_ids(store, story_ids=["s9"]) == [b.id]
    assert sorted(affected_ids(store, domains=["https://one.example/"])) == sorted([a.id, c.id])
    assert affected_ids(store, article_ids=[a.id], story_ids=["s9", "missing"]) == [a.id, b.id]


def test_review_wins_with_an_audit_trail(store: SqlStore) -> None:
    a = article(4, "x.example", label="Truth")
    store.upsert(a)
    judge(store, Settings(), [a.id])
    vs = VerdictStore(store.engine)
    assert vs.effective(a.id).source == "imported"  # type: ignore[union-attr]
    row = review(store, a.id[:6], "Misleading", "The figure is from 2019.", "ana", datetime(2024, 12, 1, 9))
    assert (
        row["label"] == "Misleading"
        and row["by"] == "ana"
        and row["previous"] == {"label": "Truth", "source": "imported"}
    )
    review(store, a.id, "Fake", "Photo is fabricated.", "bo", datetime(2024, 12, 2, 9))
    eff = vs.effective(a.id)
    assert eff is not None and (eff.label, eff.reviewer, eff.previous_label) == ("Fake", "bo", "Misleading")
    assert [r.source for r in vs.history(a.id)] == ["machine", "imported", "reviewer", "reviewer"]
    with pytest.raises(InputError):
        review(store, a.id, "Bogus", "x", "ana")
    with pytest.raises(InputError):
        review(store, a.id, "Fake", "  ", "ana")
    with pytest.raises(NotFoundError):
        review(store, "ffffffffffff", "Fake", "x", "ana")


def test_reviews_feed_the_track_record(store: SqlStore) -> None:
    arts = [article(n, "bad.example") for n in range(4)]
    for a in arts:
        store.upsert(a)
    for a in arts[:3]:
        review(store, a.id, "Fake", "fabricated", "ana")
    judge(store, Settings(), [arts[3].id])
    latest = VerdictStore(store.engine).latest(arts[3].id)["machine"]
    track = next(e for e in latest.evidence["evidence"] if e["signal"] == "track-record")
    assert track["present"] and "reviewed or imported 3 Fake" in track["sentence"] and track["direction"] == "Fake"


def test_track_record_leaves_out_verdicts_from_ratings_alone(store: SqlStore) -> None:
    rate(store, "rsp", good_example=0.95)
    arts = [article(n, "good.example", label="Truth" if n == 0 else None) for n in range(4)]
    for a in arts:
        store.upsert(a)
    support.MATCHES[arts[1].id] = [support.Match(0.9, "true", 1.0)]
    judge(store, Settings(), [a.id for a in arts[:3]])
    reviewed, machine = VerdictStore(store.engine).track_record("good.example", arts[3].id)
    assert dict(reviewed) == {"Truth": 1}  # the imported label
    assert dict(machine) == {"Truth": 1}  # only the verdict that rested on a fact-check
    judge(store, Settings(), [a.id for a in arts])  # the first article now sees the others' record
    settled = rows(store)
    judge(store, Settings(), [a.id for a in arts])
    assert rows(store) == settled  # machine verdicts from ratings alone do not feed back: no churn


def test_satire_outlet_is_labelled_as_such(store: SqlStore) -> None:
    SourceStore(store.engine).add_outlet(
        OutletInfo("The Spoof", "spoof.example", kind="satire"), datetime(2024, 1, 1), 1800
    )
    a = article(5, "spoof.example")
    store.upsert(a)
    support.MATCHES[a.id] = [support.Match(0.95, "false", 0.0)]
    judge(store, Settings(), [a.id])
    latest = VerdictStore(store.engine).latest(a.id)["machine"]
    assert latest.label == "Unverified" and latest.genre == "satire"


def test_absent_parts_mean_no_evidence(store: SqlStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inputs, "PROVIDERS", {k: ("veracity.no_such_part", "f") for k in inputs.PROVIDERS})
    a = article(6, "x.example")
    store.upsert(a)
    assert inputs.corroboration_for(store, a.id) is None and inputs.factcheck_matches_for(store, a.id) == []
    judge(store, Settings(), [a.id])
    assert VerdictStore(store.engine).latest(a.id)["machine"].label == "Unverified"


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_commands_and_the_seed_card(db_url: str, tmp_path: Path) -> None:
    invoke("ingest", str(SEED_CARD), "--db", db_url)
    assert "judged=1 failed=0" in invoke("judge", "--db", db_url)
    assert invoke("card", SEED_ID, "--now", "2024-11-06T15:30:00", "--db", db_url).encode() == SEED_CARD.read_bytes()
    shown = json.loads(invoke("show", SEED_ID, "--json", "--db", db_url))
    assert shown["verdict"]["source"] == "imported" and shown["verdict"]["label"] == "Truth"
    assert shown["verdict"]["provenance"]["input"].endswith("news-card.txt")
    machine = shown["machine_verdict"]
    assert machine["source"] == "machine" and machine["stored"] and machine["label"] == "Unverified"
    assert {"label", "confidence", "evidence", "source"} <= set(machine)
    assert all({"signal", "direction", "weight", "sentence"} <= set(e) for e in machine["evidence"])
    out = invoke(
        "review", SEED_ID, "--label", "Misleading", "--note", "headline overstates", "--by", "ana", "--db", db_url
    )
    assert "Misleading by ana (was Truth from imported)" in out
    card = invoke("card", SEED_ID, "--now", "2024-11-06T15:30:00", "--db", db_url)
    assert card.splitlines()[3] == "Misleading"
    shown = json.loads(invoke("show", SEED_ID, "--json", "--db", db_url))
    assert shown["verdict"]["source"] == "reviewer" and shown["verdict"]["note"] == "headline overstates"
    history = json.loads(invoke("verdicts", SEED_ID, "--json", "--db", db_url))
    assert [h["source"] for h in history] == ["machine", "imported", "reviewer"]
    assert "by ana (was Truth from imported): headline overstates" in invoke("verdicts", SEED_ID, "--db", db_url)
    bad = runner.invoke(app, ["review", SEED_ID, "--label", "Bogus", "--note", "x", "--by", "a", "--db", db_url])
    assert bad.exit_code == 2
    missing = runner.invoke(app, ["judge", "ffff0000ffff", "--db", db_url])
    assert missing.exit_code == 1 and "ffff0000ffff" in missing.output


def test_show_computes_a_machine_verdict_before_judging(db_url: str) -> None:
    from veracity.cards.parse import parse_card
    from veracity.store.sql import open_store

    store = open_store(db_url)  # stored without the after-ingest stages, as by an older veracity
    store.upsert(parse_card(SEED_CARD.read_text(encoding="utf-8")))
    store.close()
    shown = json.loads(invoke("show", SEED_ID, "--json", "--db", db_url))
    assert shown["machine_verdict"]["stored"] is False and shown["verdict"]["label"] == "Truth"
    assert "verdict: Truth (imported)" in invoke("show", SEED_ID, "--db", db_url)


def test_ingest_judges_the_new_articles(db_url: str) -> None:
    invoke("ingest", str(SEED_CARD), "--db", db_url)
    shown = json.loads(invoke("show", SEED_ID, "--json", "--db", db_url))
    assert shown["machine_verdict"]["stored"] is True and shown["verdict"]["label"] == "Truth"


def test_migration_0006_downgrades_and_upgrades(tmp_path: Path) -> None:
    from alembic import command

    from veracity.store.sql import alembic_config, open_store

    s = open_store(f"sqlite:///{tmp_path / 'm.db'}")
    with s.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0005")
    with s.engine.begin() as conn:
        assert "verdicts" not in {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master")}
        command.upgrade(alembic_config(conn), "head")
    RatingStore(s.engine).import_set("x", "csv", "t", [Rating("a.example", "1", 1.0)], datetime(2024, 1, 1))
    s.close()


def test_outlet_named_but_without_domain_is_matched_by_name(db_url: str, tmp_path: Path) -> None:
    invoke("ingest", str(SEED_CARD), "--db", db_url)  # "By Daily Mail": no domain, no URL
    store = open_store_for(db_url)
    SourceStore(store.engine).add_outlet(OutletInfo("Daily Mail", "www.dailymail.co.uk"), datetime(2024, 1, 1), 1800)
    rate(store, "rsp", dailymail_co_uk=0.05)
    store.close()
    invoke("judge", SEED_ID, "--db", db_url)
    machine = json.loads(invoke("show", SEED_ID, "--json", "--db", db_url))["machine_verdict"]
    outlet = next(e for e in machine["evidence"] if e["signal"] == "outlet")
    assert outlet["present"] and "dailymail.co.uk" in outlet["sentence"] and "rsp says 0.05" in outlet["sentence"]


def open_store_for(url: str) -> SqlStore:
    from veracity.store.sql import open_store

    return open_store(url)


def test_review_command_rejudges_the_outlets_other_articles(db_url: str) -> None:
    store = open_store_for(db_url)
    a, b = article(1, "mixed.example"), article(2, "mixed.example")
    store.upsert(a)
    store.upsert(b)
    judge(store, Settings(), [a.id, b.id])
    invoke("review", a.id, "--label", "Fake", "--note", "fabricated quote", "--by", "ana", "--db", db_url)
    mate = VerdictStore(store.engine).latest(b.id)["machine"]
    track = next(e for e in mate.evidence["evidence"] if e["signal"] == "track-record")
    assert "reviewed or imported 1 Fake" in track["sentence"]
    store.close()
