"""``veracity stories`` / ``story`` / ``show --json`` story, through the CLI on a real SQLite file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from veracity.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
FERRY = ROOT / "examples" / "ferry-aground.jsonl"
WIRE, REPRINT, OWN = "6fce77c8df03", "2a659ea22f1b", "7e7e28ee663c"
runner = CliRunner()


def cli(db: str, *args: str) -> str:
    result = runner.invoke(app, [*args, "--db", db])
    assert result.exit_code == 0, result.output
    return result.output


def test_ingest_assigns_stories_and_story_shows_copies_and_independent_outlets(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'v.db'}"
    cli(db, "ingest", str(FERRY), str(ROOT / "tests" / "fixtures" / "news-card.txt"))
    stories = json.loads(cli(db, "stories", "--json"))
    assert sorted(s["size"] for s in stories) == [1, 3]
    ferry = next(s for s in stories if s["size"] == 3)
    assert ferry["id"] == WIRE and ferry["first_report"] == "2024-11-08T20:05:00"
    assert ferry["outlets"] == ["Coast Wire", "Kestrel Bay Observer", "The Port Averly Chronicle"]

    detail = json.loads(cli(db, "story", WIRE[:6], "--json"))
    assert [a["id"] for a in detail["articles"]] == [WIRE, REPRINT, OWN]  # time order
    assert detail["articles"][1]["copies"][0]["id"] == WIRE
    assert detail["articles"][1]["copies"][0]["kind"] == "near"
    assert detail["independent_outlets"] == ["coastwire.example", "portaverlychronicle.example"]
    assert "near copy of 6fce77c8df03" in cli(db, "story", REPRINT)  # an article id finds its story

    shown = json.loads(cli(db, "show", OWN, "--json"))
    assert shown["story"] == {
        "id": WIRE,
        "size": 3,
        "independent_outlets": ["coastwire.example"],  # the reprint is the wire's report, not a third voice
        "first_seen": "2024-11-08T20:05:00",
    }
    reprint = json.loads(cli(db, "show", REPRINT, "--json"))["story"]
    assert reprint["independent_outlets"] == ["portaverlychronicle.example"]


def test_rerun_creates_no_second_story_and_since_filters(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'v.db'}"
    cli(db, "ingest", str(FERRY))
    first = cli(db, "stories", "--json")
    assert "unchanged=3" in cli(db, "ingest", str(FERRY))
    assert cli(db, "stories", "--json") == first
    assert json.loads(cli(db, "stories", "--json", "--since", "2024-11-10")) == []
    assert len(json.loads(cli(db, "stories", "--json", "--since", "2024-11-09"))) == 1


def test_unknown_story_is_a_clear_error(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'v.db'}"
    cli(db, "ingest", str(FERRY))
    result = runner.invoke(app, ["story", "ffffff", "--db", db])
    assert result.exit_code == 1
    assert "no story with this id" in result.output


def test_concurrent_ingests_give_each_article_exactly_one_story(tmp_path: Path) -> None:
    """Two processes assign at once on one SQLite file: no duplicate membership, same stories as one run."""
    db = f"sqlite:///{tmp_path / 'v.db'}"
    examples = sorted((ROOT / "examples").iterdir())
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "veracity", "ingest", "--db", db, *map(str, part)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for part in (examples[::2], examples[1::2])
    ]
    for p in procs:
        _, stderr = p.communicate(timeout=120)
        assert p.returncode == 0, stderr.decode()
    from sqlalchemy import select

    from veracity.store.sql import open_store
    from veracity.stories.cluster import StoryIndex
    from veracity.stories.persist import story_date, story_members, story_text

    store = open_store(db)
    with store.engine.connect() as conn:
        rows = conn.execute(select(story_members).order_by(story_members.c.seq)).all()
    stored = [store.get(r.article_id) for r in rows]
    n_articles = sum(1 for _ in store.iter_all())
    store.close()
    assert len(rows) == n_articles == len({r.article_id for r in rows}) == 12
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    one_run = StoryIndex.rebuild((s.id, story_text(s.article), story_date(s.article, s.created_at)) for s in stored)
    assert {r.article_id: r.story_id for r in rows} == one_run.labels()
