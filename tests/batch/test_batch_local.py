"""The local engine: the stage functions in input order, counts per stage, retried writes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from batch.support import N_ARTICLES, full_dump, make_inputs, member_stage
from ingest.ingest_helpers import assert_whole, canonical_dump
from veracity.article import Article
from veracity.batch.run import run_batch
from veracity.batch.settings import BatchSettings
from veracity.batch.stages import chunks, extract_chunk, store_chunk, unique_paths
from veracity.cli.main import app
from veracity.enrich import StageResult, stages
from veracity.errors import ConfigError
from veracity.settings import Settings
from veracity.store import SqlStore
from veracity.store.sql import open_store

SEEN = datetime(2024, 11, 6, 12, 0, 0)
# 24 articles in 3, 3, ... versions (see support.make_inputs), the JSON Lines dump's new wire item
# and its edition of story 1; three identical copies; three nav pages, a bad line, a record without text.
EXPECTED = "ingested=25 updated=43 unchanged=3 failed=5"


def settings_for(url: str, **batch: object) -> Settings:
    return Settings(database_url=url, batch=BatchSettings(**{"chunk_records": 4, **batch}))  # type: ignore[arg-type]


def test_local_batch_counts_every_stage_and_feeds_stages_in_input_order(store: SqlStore, tmp_path: Path) -> None:
    inputs = make_inputs(tmp_path)
    url = store.engine.url.render_as_string(hide_password=False)
    report = run_batch(inputs, store, settings_for(url), seen_at=SEEN, stages=[*stages(), member_stage])
    assert report.summary() == EXPECTED
    assert (report.read, report.extracted, report.stored) == (N_ARTICLES * 3 - 6 + 3 + 3 + 4, 71, 71)
    # 68 versions written; a chunk holding two versions of one article feeds its id once
    assert report.enriched["members"] == [67, 0] and report.enriched["stories"][1] == 0
    assert_whole(store)
    dump = full_dump(url)
    assert sorted(int(seq) for *_, seq in dump["batch_test_members"]) == list(range(N_ARTICLES + 1))
    assert len(dump["story_members"]) == N_ARTICLES + 1  # the real stories stage ran too
    assert len(dump["articles"]) == 25 and len(dump["versions"]) == 25 + 43


@pytest.mark.parametrize("killed_after", [0, 1, 3, 5, 8])
def test_a_retried_store_writes_and_counts_what_one_attempt_does(tmp_path: Path, killed_after: int) -> None:
    """A chunk stored again in the same run (its task retried after the worker died having
    stored ``killed_after`` items) ends as one attempt: same outcomes, no extra version."""
    settings = settings_for("sqlite://", chunk_records=12)
    url = f"sqlite:///{tmp_path / 'retried.db'}"
    store = open_store(url)
    extracted = extract_chunk(next(chunks(make_inputs(tmp_path), settings)).items, settings)
    assert len({e.id for e in extracted if isinstance(e, Article)}) < len(extracted) - 1  # versions in the chunk
    store_chunk(store, extracted[:killed_after], SEEN)  # the killed attempt
    retried = store_chunk(store, extracted, SEEN)
    other = open_store(f"sqlite:///{tmp_path / 'once.db'}")
    once = store_chunk(other, extracted, SEEN)
    assert retried == once
    assert canonical_dump(url) == canonical_dump(other)
    other.close()
    store.close()


def test_a_stage_that_raises_fails_its_articles_and_the_batch_goes_on(store: SqlStore, tmp_path: Path) -> None:
    calls: list[int] = []

    def broken(_store: SqlStore, _settings: Settings, ids: object) -> StageResult:
        calls.append(1)
        raise RuntimeError("index corrupt")

    url = store.engine.url.render_as_string(hide_password=False)
    report = run_batch(make_inputs(tmp_path), store, settings_for(url), seen_at=SEEN, stages=[broken, member_stage])
    assert report.summary() == EXPECTED
    assert report.enriched == {"broken": [0, 67], "members": [67, 0]}
    assert report.stage_failures[0][2] == "stage broken failed: RuntimeError: index corrupt"
    assert len(calls) > 10  # called again for every chunk after it failed


def test_a_file_named_twice_is_read_once(tmp_path: Path) -> None:
    a, b = make_inputs(tmp_path)
    assert unique_paths([a, b, a, str(tmp_path)]) == [a, b]
    assert unique_paths([str(tmp_path), b]) == [a, b]  # a folder's files, sorted
    assert unique_paths(["-", "-"]) == ["-", "-"]


def test_batch_settings_from_the_environment_and_bad_values() -> None:
    s = Settings.from_env({"VERACITY_ENGINE": "ray", "VERACITY_CHUNK_RECORDS": "8"})
    assert (s.batch.engine, s.batch.chunk_records) == ("ray", 8)
    with pytest.raises(ConfigError):
        Settings.from_env({"VERACITY_ENGINE": "spark"})
    with pytest.raises(ConfigError):
        BatchSettings(chunk_records=0)


def test_cli_batch_prints_stage_counts_and_the_ingest_summary(tmp_path: Path) -> None:
    inputs = make_inputs(tmp_path)
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    result = CliRunner().invoke(app, ["batch", *inputs, "--db", db, "--now", "2024-11-06T12:00:00"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == EXPECTED
    assert "read=76 extracted=71 stored=71 failed=5" in result.stderr
    assert "failed: " in result.stderr and "dump.jsonl:3: not JSON" in result.stderr
    s = open_store(db)
    assert_whole(s)
    s.close()


def test_cli_batch_exits_1_when_every_item_failed(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{oops\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["batch", str(bad), "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    assert result.exit_code == 1
    assert result.stdout.strip().splitlines()[-1] == "ingested=0 updated=0 unchanged=0 failed=1"
