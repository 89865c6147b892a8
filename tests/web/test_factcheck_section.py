"""The article page shows the fact-checks its claims and quotes matched (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from conftest import SEED_CARD
from factchecks.records import claim_review, jsonl
from veracity.factchecks.importer import Importer
from veracity.factchecks.store import FactCheckStore
from veracity.ingest.pipeline import ingest_paths
from veracity.settings import Settings
from veracity.store.sql import SqlStore

from .conftest import make_client

SEED_ID = "6e6157f2bdfb"


def test_matched_factchecks_show_under_their_claim(store: SqlStore, tmp_path: Path) -> None:
    kb = tmp_path / "kb.jsonl"
    kb.write_bytes(
        jsonl(
            claim_review(
                "Dmitry Peskov said relations between Russia and the US are at a historic low.",
                "True",
                url="https://checks.example/peskov-low",
                date="2024-10-01",
            )
        )
    )
    Importer(FactCheckStore(store.engine), Settings()).run([str(kb)])
    report = ingest_paths([str(SEED_CARD)], store, Settings())
    from veracity.enrich import enrich

    enrich(store, Settings(), report.changed)
    client: TestClient = make_client(store)
    page = client.get(f"/articles/{SEED_ID}").text
    assert 'id="claims"' in page
    assert "https://checks.example/peskov-low" in page
    api = client.get(f"/api/articles/{SEED_ID}").json()
    matched = [c for c in api["claims"] if c["factchecks"]]
    assert matched and matched[0]["factchecks"][0]["rating"] == "true"
