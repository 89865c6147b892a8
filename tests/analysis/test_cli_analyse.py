"""``veracity analyse`` and ``veracity show --json`` end to end on a real SQLite database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import SEED_CARD
from veracity.cli.main import app

SEED_ID = "6e6157f2bdfb"
runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A database holding the seed card stored without the after-ingest stages (as by an older veracity)."""
    from veracity.cards.parse import parse_card
    from veracity.store.sql import open_store

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    store = open_store(url)
    store.upsert(parse_card(SEED_CARD.read_text(encoding="utf-8")))
    store.close()
    return url


def test_ingest_analyses_the_new_articles(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ingest.db'}"
    assert runner.invoke(app, ["ingest", str(SEED_CARD), "--db", url]).exit_code == 0
    data = json.loads(runner.invoke(app, ["show", SEED_ID, "--json", "--db", url]).stdout)
    assert any(q["speaker_entity"] == "Dmitry Peskov" for q in data["quotes"])
    again = runner.invoke(app, ["analyse", "--db", url])
    assert again.output.strip().splitlines()[-1] == "analysed=0 unchanged=0 failed=0"


def test_analyse_all_then_show_json(db: str) -> None:
    result = runner.invoke(app, ["analyse", "--db", db])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "analysed=1 unchanged=0 failed=0"
    shown = runner.invoke(app, ["show", SEED_ID, "--json", "--db", db])
    assert shown.exit_code == 0
    data = json.loads(shown.stdout)
    assert {"entities", "quotes", "claims", "loaded_terms"} <= set(data)
    assert any(q["speaker_entity"] == "Dmitry Peskov" and q["cue"] == "said" for q in data["quotes"])
    again = runner.invoke(app, ["analyse", "--db", db])
    assert again.output.strip().splitlines()[-1] == "analysed=0 unchanged=0 failed=0"


def test_analyse_by_prefix_and_force(db: str) -> None:
    result = runner.invoke(app, ["analyse", SEED_ID[:5], "--db", db])
    assert result.output.strip().splitlines()[-1] == "analysed=1 unchanged=0 failed=0"
    result = runner.invoke(app, ["analyse", SEED_ID, "--db", db])
    assert result.output.strip().splitlines()[-1] == "analysed=0 unchanged=1 failed=0"
    result = runner.invoke(app, ["analyse", SEED_ID, "--force", "--db", db])
    assert result.output.strip().splitlines()[-1] == "analysed=1 unchanged=0 failed=0"


def test_unknown_id_is_a_clear_error(db: str) -> None:
    result = runner.invoke(app, ["analyse", "ffffffffffff", "--db", db])
    assert result.exit_code == 1
    assert "no article with this id" in result.output


def test_show_json_before_analysis_has_null_keys(db: str) -> None:
    data = json.loads(runner.invoke(app, ["show", SEED_ID, "--json", "--db", db]).stdout)
    assert data["quotes"] is None and data["entities"] is None


def test_evaluate_commands_say_when_data_is_missing(tmp_path: Path) -> None:
    for command in ("quotes", "checkworthiness"):
        result = runner.invoke(app, ["evaluate", command, "--data", str(tmp_path / "absent")])
        assert result.exit_code == 2
        assert "data set not found" in result.output
