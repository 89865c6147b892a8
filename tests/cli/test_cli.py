"""The command line end to end, on a real database (SQLite here; storage tests cover both)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import SEED_CARD
from veracity.cli.main import app

SEED_ID = "6e6157f2bdfb"
runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = runner.invoke(app, ["ingest", str(SEED_CARD), "--db", url])
    assert result.exit_code == 0, result.output
    return url


def run(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "veracity", *args], capture_output=True, timeout=120)


def test_card_prints_the_seed_back_byte_for_byte(db: str) -> None:
    result = run("card", SEED_ID, "--now", "2024-11-06T15:30:00", "--db", db)
    assert result.returncode == 0, result.stderr
    assert result.stdout == SEED_CARD.read_bytes()


def test_card_accepts_a_unique_prefix_and_counts_to_now(db: str) -> None:
    result = runner.invoke(app, ["card", SEED_ID[:4], "--now", "2024-11-08T13:26:46", "--db", db])
    assert result.exit_code == 0
    assert "| Updated at 2024-11-06 13:26:46 2 days ago\nTruth\n" in result.output


def test_ingest_summary_and_idempotence(db: str) -> None:
    result = runner.invoke(app, ["ingest", str(SEED_CARD), "--db", db])
    assert result.exit_code == 0
    assert result.output.strip().splitlines()[-1] == "ingested=0 updated=0 unchanged=1 failed=0"


def test_show_json_has_the_documented_fields(db: str) -> None:
    result = runner.invoke(app, ["show", SEED_ID, "--json", "--db", db])
    data = json.loads(result.output)
    assert list(data) == [
        "id", "url", "canonical_url", "title", "outlet", "section", "authors", "language",
        "created_at", "updated_at", "label", "body", "captions", "versions", "verdict", "machine_verdict",
        "story", "entities", "quotes", "claims", "loaded_terms", "factcheck_matches",
    ]  # fmt: skip
    assert data["outlet"] == {"name": "Daily Mail", "domain": None}
    assert data["section"] == "World News"
    assert (data["created_at"], data["updated_at"]) == ("2024-11-06T11:15:22", "2024-11-06T13:26:46")
    assert data["label"] == "Truth" and data["versions"] == 1
    assert len(data["captions"]) == 4
    assert "Palm Beach" not in data["body"] and "\n\n" in data["body"]
    assert data["story"] == {"id": SEED_ID, "size": 1, "independent_outlets": [], "first_seen": "2024-11-06T11:15:22"}


def test_list_search_and_filters(db: str) -> None:
    text = runner.invoke(app, ["list", "--db", db]).output
    assert text.startswith(f"{SEED_ID}  2024-11-06 13:26  Truth       Daily Mail            Putin has 'no plans'")
    listed = json.loads(runner.invoke(app, ["list", "--json", "--db", db]).output)
    assert [a["id"] for a in listed] == [SEED_ID]
    assert json.loads(runner.invoke(app, ["list", "--json", "--outlet", "daily mail", "--db", db]).output)
    assert not json.loads(runner.invoke(app, ["list", "--json", "--since", "2025-01-01", "--db", db]).output)
    found = json.loads(runner.invoke(app, ["search", "Peskov historic low", "--json", "--db", db]).output)
    assert [a["id"] for a in found] == [SEED_ID]
    assert json.loads(runner.invoke(app, ["search", "Donald Trump on his election", "--json", "--db", db]).output)
    assert not json.loads(runner.invoke(app, ["search", "earthquake", "--json", "--db", db]).output)


def test_list_and_search_show_the_verdict_that_counts(db: str) -> None:
    """The seed card's imported Truth, then a reviewer's Misleading over it: the listing follows, as the card does."""
    listed = json.loads(runner.invoke(app, ["list", "--json", "--db", db]).output)
    assert listed[0]["verdict"] == {"label": "Truth", "confidence": None, "source": "imported"}
    review = ["review", SEED_ID, "--label", "Misleading", "--note", "cropped photo", "--by", "ana", "--db", db]
    assert runner.invoke(app, review).exit_code == 0
    text = runner.invoke(app, ["list", "--db", db]).output
    assert text.startswith(f"{SEED_ID}  2024-11-06 13:26  Misleading  Daily Mail")
    found = json.loads(runner.invoke(app, ["search", "Peskov", "--json", "--db", db]).output)
    assert found[0]["label"] == "Truth"  # the label that came with the input is kept as it came
    assert found[0]["verdict"] == {"label": "Misleading", "confidence": None, "source": "reviewer"}
    assert "\nMisleading\n" in runner.invoke(app, ["card", SEED_ID, "--db", db]).output


def test_a_new_label_on_the_same_card_is_a_new_external_verdict(db: str, tmp_path: Path) -> None:
    relabelled = tmp_path / "card.txt"
    relabelled.write_text(SEED_CARD.read_text(encoding="utf-8").replace("\nTruth\n", "\nMisleading\n", 1), "utf-8")
    result = runner.invoke(app, ["ingest", str(relabelled), "--db", db])
    assert result.output.strip().splitlines()[-1] == "ingested=0 updated=0 unchanged=0 relabelled=1 failed=0"
    history = runner.invoke(app, ["verdicts", SEED_ID, "--json", "--db", db]).output
    imported = [v["label"] for v in json.loads(history) if v["source"] == "imported"]
    assert imported == ["Truth", "Misleading"]
    card = runner.invoke(app, ["card", SEED_ID, "--now", "2024-11-06T15:30:00", "--db", db]).output
    assert card == relabelled.read_text(encoding="utf-8")  # the card reads back as it now comes
    again = runner.invoke(app, ["ingest", str(relabelled), "--db", db]).output
    assert again.strip().splitlines()[-1] == "ingested=0 updated=0 unchanged=1 failed=0"


def test_versions_show_a_diff_after_an_edit(db: str, tmp_path: Path) -> None:
    edited = SEED_CARD.read_text(encoding="utf-8").replace("historic low", "new low")
    edited = edited.replace("Updated at 2024-11-06 13:26:46", "Updated at 2024-11-06 16:00:00")
    (tmp_path / "edited.txt").write_text(edited, encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(tmp_path / "edited.txt"), "--db", db])
    assert result.output.strip().splitlines()[-1] == "ingested=0 updated=1 unchanged=0 failed=0"
    versions = json.loads(runner.invoke(app, ["versions", SEED_ID, "--json", "--db", db]).output)
    assert [v["number"] for v in versions] == [1, 2]
    assert "-The dictator's spokesperson Dmitry Peskov said relations" in versions[1]["diff"]
    assert "+The dictator's spokesperson" in versions[1]["diff"] and "new low" in versions[1]["diff"]
    shown = json.loads(runner.invoke(app, ["show", SEED_ID, "--json", "--db", db]).output)
    assert (shown["created_at"], shown["updated_at"], shown["versions"]) == (
        "2024-11-06T11:15:22",
        "2024-11-06T16:00:00",
        2,
    )


def test_export_formats(db: str, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    assert runner.invoke(app, ["export", "--format", "jsonl", "--out", str(out), "--db", db]).exit_code == 0
    line = json.loads(out.read_text(encoding="utf-8"))
    shown = json.loads(runner.invoke(app, ["show", SEED_ID, "--json", "--db", db]).output)
    assert line == {k: shown[k] for k in line}  # show adds what later stages derived (story, ...)
    assert "story" in shown and "story" not in line and "entities" not in line
    assert shown["factcheck_matches"] == [] and "factcheck_matches" not in line
    rows = list(csv.DictReader(io.StringIO(runner.invoke(app, ["export", "--format", "csv", "--db", db]).output)))
    assert rows[0]["id"] == SEED_ID and rows[0]["outlet"] == "Daily Mail"
    cards = runner.invoke(app, ["export", "--format", "cards", "--db", db]).output
    assert cards.startswith("Putin has 'no plans'") and cards.endswith("Read Entire Article")
    again = runner.invoke(app, ["ingest", str(out), "--db", f"sqlite:///{tmp_path / 'copy.db'}"])
    assert again.output.strip().splitlines()[-1] == "ingested=1 updated=0 unchanged=0 failed=0"


def test_database_url_from_the_environment(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'env.db'}"
    result = runner.invoke(app, ["ingest", str(SEED_CARD)], env={"VERACITY_DATABASE_URL": url})
    assert result.exit_code == 0
    assert (tmp_path / "env.db").exists()


def test_errors_are_clear(db: str) -> None:
    missing = runner.invoke(app, ["card", "ffffffffffff", "--db", db])
    assert missing.exit_code == 1 and "no article with this id" in missing.output
    bad_now = runner.invoke(app, ["card", SEED_ID, "--now", "yesterday-ish", "--db", db])
    assert bad_now.exit_code == 2 and "--now" in bad_now.output
    bad_db = runner.invoke(app, ["list", "--db", "mysql://localhost/x"])
    assert bad_db.exit_code == 2 and "only sqlite" in bad_db.output


def test_every_item_failing_exits_1(tmp_path: Path) -> None:
    (tmp_path / "empty.html").write_bytes(b"")
    result = runner.invoke(app, ["ingest", str(tmp_path / "empty.html"), "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    assert result.exit_code == 1
    assert "empty file" in result.output
    assert result.output.strip().splitlines()[-1] == "ingested=0 updated=0 unchanged=0 failed=1"


def test_db_upgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'up.db'}"
    assert runner.invoke(app, ["db", "upgrade", "--db", url]).output.strip() == "database upgraded"
    assert runner.invoke(app, ["db", "upgrade", "--db", url]).output.strip() == "database already up to date"
