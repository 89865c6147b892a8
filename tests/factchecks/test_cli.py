"""``veracity factchecks import|list|search`` end to end on a real database."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from factchecks.records import RECORDS, jsonl
from veracity.cli.main import app

runner = CliRunner()


def test_import_list_search(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "checks.jsonl"
    path.write_bytes(jsonl(*RECORDS) + b"[1, 2]\n")
    result = runner.invoke(app, ["factchecks", "import", str(path), "--db", db_url])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[-1] == "imported=5 updated=0 unchanged=0 skipped=0 failed=1"
    assert f"failed: {path}:6:" in result.stderr

    again = runner.invoke(app, ["factchecks", "import", str(path), "--db", db_url])
    assert "imported=0 updated=0 unchanged=5" in again.stdout

    listed = runner.invoke(app, ["factchecks", "list", "--json", "--db", db_url])
    assert listed.exit_code == 0, listed.output
    items = json.loads(listed.stdout)
    assert len(items) == 5
    assert {i["rating"] for i in items} == {"false", "mostly-false", "mixed", "true"}
    assert all({"rating_original", "url", "publisher", "review_date"} <= set(i) for i in items)

    only = runner.invoke(app, ["factchecks", "list", "--rating", "mixed", "--db", db_url])
    assert "library budget" in only.stdout and "moon" not in only.stdout

    found = runner.invoke(app, ["factchecks", "search", "moon landing filmed in a studio", "--json", "--db", db_url])
    assert found.exit_code == 0, found.output
    hits = json.loads(found.stdout)
    assert hits[0]["url"] == "https://checks.example/a"
    assert hits[0]["score"] >= hits[-1]["score"]


def test_import_all_failed_exits_1(db_url: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["factchecks", "import", str(tmp_path / "missing.json"), "--db", db_url])
    assert result.exit_code == 1
    assert "no such file" in result.stderr
    assert "failed=1" in result.stdout
