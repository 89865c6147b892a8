"""A desk with known content for the web tests: the seed card, an edited article, hostile
articles (ingested through the real pipeline), outlets with feeds, a reviewer and an admin."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from conftest import SEED_CARD
from veracity.ingest.pipeline import ingest_paths
from veracity.settings import Settings
from veracity.store.sources import FeedInfo, OutletInfo, SourceStore
from veracity.store.sql import SqlStore
from veracity.web.accounts import Accounts

SEED_ID = "6e6157f2bdfb"
NOW = datetime(2024, 11, 6, 15, 30, 0)
PASSWORD = "correct horse battery"
XSS_TITLE = "<script>window.__xss='title';alert('title')</script> Hostile headline"
XSS_OUTLET = '"><img src=x onerror="window.__xss=\'outlet\'">'
XSS_BODY = '"><img src=x onerror="window.__xss=\'body\'"> and <a href="javascript:window.__xss=\'link\'">click</a>'
XSS_SECTION = "<svg onload=\"window.__xss='section'\">"

EDITED_V1 = {
    "url": "https://harbour-news.example/politics/port-vote",
    "title": "Council delays the port vote",
    "text": "The council postponed its vote on the port expansion until March.\n"
    "Critics said the plan ignored the fishing fleet.\n"
    "The mayor declined to comment.",
    "captions": ["The harbour at dawn"],
    "outlet": {"name": "Harbour News", "domain": "harbour-news.example"},
    "section": "Politics",
    "language": "en",
    "published": "2024-11-05T08:00:00Z",
    "modified": "2024-11-05T08:00:00Z",
    "label": "Misleading",
}
EDITED_V2 = {
    **EDITED_V1,
    "title": "Council delays the port vote again",
    "text": "The council postponed its vote on the port expansion until April.\n"
    "Critics said the plan ignored the fishing fleet.\n"
    "The mayor said a decision would come soon.",
    "modified": "2024-11-05T12:00:00Z",
}
EDITED_ID = ""  # filled in by build()

OTHERS = [
    {
        "url": f"https://valley-times.example/{i}",
        "title": f"Valley story number {i} about rivers",
        "text": f"Paragraph one of valley story {i} about the river and the dam.\nSecond paragraph.",
        "outlet": {"name": "Valley Times", "domain": "valley-times.example"},
        "section": "Local" if i % 2 else "Environment",
        "language": "fr" if i == 3 else "en",
        "published": (datetime(2024, 11, 1) + timedelta(hours=i)).isoformat() + "Z",
        "label": "Fake" if i == 2 else None,
    }
    for i in range(1, 6)
]
HOSTILE = {
    "url": "https://hostile.example/x",
    "title": XSS_TITLE,
    "text": XSS_BODY + "\nA second paragraph with </textarea><script>window.__xss='p2'</script> in it.",
    "outlet": {"name": XSS_OUTLET, "domain": "hostile.example"},
    "section": XSS_SECTION,
    "language": "en",
    "published": "2024-11-06T14:00:00Z",
}
HOSTILE_LINK = {
    "url": "javascript:window.__xss='url'",
    "title": "A record whose link is javascript",
    "text": "Body text of the record whose link is a javascript URL, long enough to be an article.",
    "outlet": "Link Outlet",
    "published": "2024-11-06T14:30:00Z",
}


def _jsonl(path: Path, records: list[dict[str, object]]) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return str(path)


def build(store: SqlStore, tmp: Path) -> dict[str, str]:
    """Fill ``store``; returns ids by name."""
    settings = Settings(database_url="sqlite://")
    report = ingest_paths([str(SEED_CARD)], store, settings)
    assert not report.failures
    first = ingest_paths([_jsonl(tmp / "v1.jsonl", [EDITED_V1, *OTHERS, HOSTILE, HOSTILE_LINK])], store, settings)
    assert not first.failures, first.failures
    second = ingest_paths([_jsonl(tmp / "v2.jsonl", [EDITED_V2])], store, settings)
    assert not second.failures, second.failures
    ids = {s.article.title: s.id for s in store.latest(limit=100)}
    sources = SourceStore(store.engine)
    sources.add_outlet(
        OutletInfo(
            "Harbour News",
            "harbour-news.example",
            country="GB",
            language="en",
            kind="news",
            feeds=(FeedInfo("https://harbour-news.example/rss.xml"), FeedInfo("https://harbour-news.example/bad.xml")),
        ),
        NOW,
        1800,
    )
    bad = next(f for f in sources.feeds() if f.url.endswith("bad.xml"))
    sources.poll_failed(bad.id, NOW, "HTTP 500 from the server", NOW, max_failures=1)
    accounts = Accounts(store.engine)
    accounts.add_user("rita", "reviewer", PASSWORD)
    accounts.add_user("ada", "admin", PASSWORD)
    return {
        "seed": SEED_ID,
        "edited": ids["Council delays the port vote again"],
        "hostile": ids[XSS_TITLE],
        "hostile_link": ids.get(HOSTILE_LINK["title"], ""),  # type: ignore[arg-type]
        "valley2": ids["Valley story number 2 about rivers"],
    }
