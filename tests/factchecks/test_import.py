"""Importing ClaimReview from files, archives, feeds and URLs into real SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import create_engine, text

from factchecks.records import RECORDS, claim_review, jsonl, page
from fetch.support import Server, fast
from ingest.warc_util import Page, warc_records
from veracity.factchecks.importer import Importer
from veracity.factchecks.store import FactCheckStore
from veracity.settings import Settings
from veracity.store import SqlStore


def _importer(store: SqlStore, **overrides: object) -> Importer:
    settings = Settings(fetch=fast(), **overrides)  # type: ignore[arg-type]
    return Importer(FactCheckStore(store.engine), settings)


def test_json_document_and_reimport_is_idempotent(store: SqlStore, tmp_path: Path) -> None:
    path = tmp_path / "checks.json"
    path.write_text(json.dumps(RECORDS, indent=2))
    report = _importer(store).run([str(path)])
    assert report.summary() == "imported=5 updated=0 unchanged=0 skipped=0 failed=0"
    again = _importer(store).run([str(path)])
    assert again.summary() == "imported=0 updated=0 unchanged=5 skipped=0 failed=0"
    kb = FactCheckStore(store.engine)
    assert kb.count() == 5
    by_url = {fc.review_url: fc for fc in kb.find()}
    moon = by_url["https://checks.example/a"]
    assert moon.rating.label == "false" and moon.rating.original == "Pants on Fire!"
    assert moon.publisher == "Example Checks" and moon.claimant == "A. Speaker"
    assert moon.review_date is not None and moon.review_date.year == 2024
    assert by_url["https://checks.example/d"].rating.label == "true"
    assert by_url["https://checks.example/e"].rating.label == "false"


def test_changed_record_is_updated_not_duplicated(store: SqlStore, tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    record = claim_review("Cats can see in complete darkness.", "False", url="https://checks.example/cat")
    path.write_text(json.dumps(record))
    assert _importer(store).run([str(path)]).counts["ingested"] == 1
    record["reviewRating"]["alternateName"] = "Mostly False"
    path.write_text(json.dumps(record))
    assert _importer(store).run([str(path)]).counts["updated"] == 1
    (only,) = FactCheckStore(store.engine).find()
    assert only.rating.label == "mostly-false"


def test_jsonl_bad_lines_are_reported_and_the_batch_goes_on(store: SqlStore, tmp_path: Path) -> None:
    path = tmp_path / "checks.jsonl"
    no_claim = {"@type": "ClaimReview", "url": "https://checks.example/x", "reviewRating": {"alternateName": "False"}}
    path.write_bytes(jsonl(RECORDS[0]) + b"{not json\n" + jsonl(no_claim, {"@type": "NewsArticle"}, RECORDS[1]))
    report = _importer(store).run([str(path)])
    assert report.counts["ingested"] == 2
    reasons = {f.source: f.reason for f in report.failures}
    assert reasons[f"{path}:2"].startswith("not JSON")
    assert "without claimReviewed" in reasons[f"{path}:3"]
    assert "no ClaimReview" in reasons[f"{path}:4"]


def test_google_fact_check_api_shape(store: SqlStore, tmp_path: Path) -> None:
    path = tmp_path / "api.json"
    path.write_text(
        json.dumps(
            {
                "claims": [
                    {
                        "text": "Bananas are radioactive enough to be dangerous.",
                        "claimant": "Social media posts",
                        "claimDate": "2024-01-02T00:00:00Z",
                        "claimReview": [
                            {
                                "publisher": {"name": "Fruit Facts", "site": "fruit.example"},
                                "url": "https://fruit.example/bananas",
                                "title": "No, bananas are not dangerous",
                                "reviewDate": "2024-01-05T00:00:00Z",
                                "textualRating": "False",
                                "languageCode": "en",
                            }
                        ],
                    }
                ]
            }
        )
    )
    report = _importer(store).run([str(path)])
    assert report.counts["ingested"] == 1, report.failures
    (fc,) = FactCheckStore(store.engine).find()
    assert fc.publisher == "Fruit Facts" and fc.rating.label == "false" and fc.language == "en"


def test_html_pages_with_json_ld(store: SqlStore, tmp_path: Path) -> None:
    (tmp_path / "graph.html").write_bytes(page(RECORDS[0], RECORDS[1], graph=True))
    broken = '<script type="application/ld+json">{"@type": "ClaimReview", oops</script>'
    (tmp_path / "broken.html").write_bytes(page(RECORDS[2], extra=broken))
    (tmp_path / "plain.html").write_bytes(b"<html><body><p>No structured data.</p></body></html>")
    report = _importer(store).run([str(tmp_path)])
    assert report.counts["ingested"] == 3
    reasons = {f.source: f.reason for f in report.failures}
    assert "broken JSON-LD" in reasons[str(tmp_path / "broken.html")]
    assert "no ClaimReview" in reasons[str(tmp_path / "plain.html")]


def test_warc_of_fact_check_pages(store: SqlStore, tmp_path: Path) -> None:
    pages = [
        Page("https://checks.example/a", page(RECORDS[0])),
        Page("https://checks.example/about", b"<html><body>About us</body></html>"),
        Page("https://checks.example/b", page(RECORDS[1])),
    ]
    path = tmp_path / "crawl.warc"
    path.write_bytes(b"".join(block for _, block in warc_records(pages)))
    report = _importer(store).run([str(path)])
    assert report.counts["ingested"] == 2 and report.counts["skipped"] == 1, report.failures
    assert not report.failures


def test_missing_file_and_unknown_format(store: SqlStore, tmp_path: Path) -> None:
    (tmp_path / "x.bin").write_bytes(b"\x00\x01binary")
    report = _importer(store).run([str(tmp_path / "nope.json"), str(tmp_path / "x.bin")])
    assert len(report.failures) == 2 and report.total == 2
    assert "no such file" in report.failures[0].reason


def test_url_import_page_json_and_feed(store: SqlStore, server: Server) -> None:
    server.static("/fc/a", page(RECORDS[0]), headers={"Content-Type": "text/html"})
    server.static("/fc/b", page(RECORDS[1]), headers={"Content-Type": "text/html"})
    server.static("/fc/c", page(RECORDS[2]), headers={"Content-Type": "text/html"})
    server.static("/api.json", json.dumps(RECORDS[3]).encode(), headers={"Content-Type": "application/json"})
    items = "".join(
        f"<item><title>Check {p}</title><link>{server.url(p)}</link></item>" for p in ("/fc/b", "/fc/c", "/gone")
    )
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Checks</title>{items}</channel></rss>'
    server.static("/feed.xml", feed.encode(), headers={"Content-Type": "application/rss+xml"})
    report = _importer(store).run([server.url("/fc/a"), server.url("/api.json"), server.url("/feed.xml")])
    assert report.counts["ingested"] == 4
    (failure,) = report.failures
    assert "/gone" in failure.source and "404" in failure.reason
    (moon,) = [fc for fc in FactCheckStore(store.engine).find() if "moon" in fc.claim]
    assert moon.review_url == "https://checks.example/a"  # the record's own url, not the page fetched


def test_url_import_honours_allow_networks(store: SqlStore, server: Server) -> None:
    server.static("/fc/a", page(RECORDS[0]))
    settings = Settings(fetch=fast(allow_networks=()))
    report = Importer(FactCheckStore(store.engine), settings).run([server.url("/fc/a")])
    (failure,) = report.failures
    assert "127.0.0.1" in failure.reason or "not public" in failure.reason or "blocked" in failure.reason.lower()
    assert server.hits("/fc/a") == 0


def test_tables_come_from_migration_0005(db_url: str, store: SqlStore) -> None:
    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        conn.execute(text("SELECT id, claim, rating, rating_original FROM factchecks")).all()
        conn.execute(text("SELECT article_id, factcheck_id, published_after_article FROM factcheck_matches")).all()
    engine.dispose()
    assert version >= "0005"
