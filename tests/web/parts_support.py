"""A story told three times, analysed, judged and rated through the real parts, for the web tests.

A wire report (Harbour Wire), a newspaper's verbatim reprint of it (Coast Daily) and an
independent report (Bay Observer) of the same council vote; the rating set rates two of the
outlets. ``fill`` ingests them into the desk's store, imports the ratings and runs every
after-ingest stage (stories, analysis, verdicts) on them.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from veracity.enrich import enrich
from veracity.ingest.pipeline import ingest_paths
from veracity.ratings.formats import Rating
from veracity.ratings.store import RatingStore
from veracity.settings import Settings
from veracity.store.sql import SqlStore

WIRE_TEXT = (
    "The Harbour City council voted on Tuesday to approve the expansion of the northern port, "
    "ending a two-year dispute with the fishing fleet.\n"
    '"This is a historic day for the harbour," said Mayor Alice Brennan after the vote.\n'
    "The expansion will cost 40 million pounds and create 300 jobs, according to the council's own estimate.\n"
    "The Harbour Fishermen's Association said it would challenge the decision in the High Court."
)
BAY_TEXT = (
    "Harbour City council on Tuesday approved the expansion of the northern port, "
    "after a two-year dispute with the fishing fleet over the plan.\n"
    '"We will take this to the High Court," said Tom Reilly of the Harbour Fishermen\'s Association.\n'
    "Mayor Alice Brennan called the council vote on the port expansion a historic day for the harbour.\n"
    "The council estimates the northern port expansion will cost 40 million pounds and create 300 jobs."
)
STORY = [
    {
        "url": "https://harbourwire.example/council-port-vote",
        "title": "Harbour City council approves northern port expansion",
        "text": WIRE_TEXT,
        "outlet": {"name": "Harbour Wire", "domain": "harbourwire.example"},
        "language": "en",
        "published": "2024-11-05T09:00:00Z",
    },
    {
        "url": "https://coastdaily.example/news/port-expansion",
        "title": "Harbour City council approves northern port expansion",
        "text": WIRE_TEXT,
        "outlet": {"name": "Coast Daily", "domain": "coastdaily.example"},
        "language": "en",
        "published": "2024-11-05T11:00:00Z",
    },
    {
        "url": "https://bayobserver.example/2024/port-vote",
        "title": "Harbour City council backs port expansion as fishermen vow court fight",
        "text": BAY_TEXT,
        "outlet": {"name": "Bay Observer", "domain": "bayobserver.example"},
        "language": "en",
        "published": "2024-11-05T13:00:00Z",
    },
]
RATINGS = [
    Rating("harbourwire.example", "High", 0.9, False),
    Rating("bayobserver.example", "Mixed", 0.5, False),
]


def fill(store: SqlStore, tmp: Path) -> dict[str, str]:
    """Ingest the story, import the ratings, run the stages; returns ``{"wire", "copy", "bay"}`` ids."""
    settings = Settings(database_url="sqlite://")
    path = tmp / "story.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in STORY), encoding="utf-8")
    report = ingest_paths([str(path)], store, settings)
    assert not report.failures, report.failures
    RatingStore(store.engine).import_set("test-set", "plain", "tests", RATINGS, datetime(2024, 11, 1))
    by_url = {s.article.url: s.id for s in store.latest(limit=100)}
    ids = {k: by_url[r["url"]] for k, r in zip(("wire", "copy", "bay"), STORY, strict=True)}
    results = enrich(store, settings, list(ids.values()))
    assert all(not r.failures for r in results), [r.failures for r in results]
    return ids
