"""Every input format ingests with the right fields; folders, stdin, gzip; idempotence and versions.

Storage-touching tests use the ``store`` / ``db_url`` fixtures, so they run on SQLite and
on PostgreSQL. All pages, feeds and records are invented for these tests (tests/fixtures).
"""

from __future__ import annotations

import gzip
import io
import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from ingest_helpers import (
    ATOM,
    FERRY,
    FERRY_TITLE,
    ORCHARD,
    ORCHARD_TITLE,
    RECORDS,
    ROOT,
    RSS,
    SEED_CARD,
    assert_whole,
    by_title,
    counts,
    ingest,
    reasons,
    run_cli,
    summary_line,
    titles,
)
from warc_util import Page, article_html, write_warc

from veracity.article import article_id
from veracity.ingest.convert import from_record
from veracity.settings import Settings
from veracity.store import SqlStore, open_store
from veracity.views import article_json

FERRY_CAPTION = "The Saltmarsh Point ferry loading vehicles at the eastern slipway on a calm October morning"
FERRY_URL = "https://www.harbourside-courier.example/local/2024/10/14/ferry-crews-vote-to-strike"


def _all_text(store: SqlStore) -> str:
    return "\n".join(b.text for s in store.latest() for b in s.article.blocks)


# -- HTML ---------------------------------------------------------------------------------


def test_html_page_fields(store: SqlStore) -> None:
    report = ingest(store, FERRY)
    assert counts(report) == {"ingested": 1, "updated": 0, "unchanged": 0, "failed": 0}
    [stored] = store.latest()
    a = stored.article
    assert a.title == FERRY_TITLE
    assert (a.outlet.name, a.outlet.domain) == ("The Harbourside Courier", "harbourside-courier.example")
    assert a.section == "Local News"
    assert a.canonical_url == FERRY_URL
    assert a.url == FERRY_URL  # a file has no URL of its own: the canonical one stands in
    assert stored.id == article_id(
        "url:https://harbourside-courier.example/local/2024/10/14/ferry-crews-vote-to-strike"
    )
    assert a.language == "en"  # from <html lang="en-GB">
    assert a.authors == ("Morwenna Tregarthen",)
    assert a.published == datetime(2024, 10, 14, 6, 45)  # 07:45 +01:00, stored as UTC
    assert a.modified == datetime(2024, 10, 14, 15, 20)
    assert stored.created_at == a.published
    assert stored.updated_at == a.modified
    assert stored.versions == 1
    assert a.source == str(FERRY)
    assert a.paragraphs[-1].startswith("The strike is due to begin on 4 November.")
    assert any(p.startswith("“We have offered to review the change in March") for p in a.paragraphs)
    body = a.body
    for furniture in ("Advertisement", "All rights reserved", "Privacy", "Weather"):
        assert furniture not in body
    assert FERRY_CAPTION not in a.paragraphs  # a figure caption is never body text


def test_html_headline_is_not_repeated_in_the_body(store: SqlStore) -> None:
    ingest(store, FERRY)
    [stored] = store.latest()
    assert stored.article.paragraphs[0] != FERRY_TITLE


def test_html_figure_caption_is_kept_as_a_caption(store: SqlStore) -> None:
    ingest(store, FERRY)
    [stored] = store.latest()
    assert stored.article.captions == [FERRY_CAPTION]


def test_html_json_ld_authors_and_canonical_identity(store: SqlStore) -> None:
    assert counts(ingest(store, ORCHARD))["ingested"] == 1
    [stored] = store.latest()
    a = stored.article
    assert a.title == ORCHARD_TITLE
    assert (a.outlet.name, a.outlet.domain) == ("Millbrook Valley Ledger", "millbrookledger.example")
    assert a.section == "Business"
    assert a.authors == ("Dana Okafor", "Luis Ferreira")
    assert a.language == "en"
    assert a.published == datetime(2024, 9, 3, 18, 5)  # 14:05 -04:00
    assert a.modified is None
    assert stored.updated_at == stored.created_at == a.published
    # The canonical link carries a tracking parameter: identity ignores it.
    assert stored.id == article_id("url:https://millbrookledger.example/business/orchards-replant-grant")
    assert "Share this article" not in a.body and "Read more" not in a.body
    assert "Subscribe" not in a.body and "Terms" not in a.body
    assert len(a.paragraphs) == 5


def test_gzipped_html_is_the_same_article(store: SqlStore, tmp_path: Path) -> None:
    packed = tmp_path / "ferry-strike.html.gz"
    packed.write_bytes(gzip.compress(FERRY.read_bytes()))
    no_suffix = tmp_path / "orchard"  # gzip is recognised by its bytes, not its name
    no_suffix.write_bytes(gzip.compress(ORCHARD.read_bytes()))
    assert counts(ingest(store, packed, no_suffix)) == {"ingested": 2, "updated": 0, "unchanged": 0, "failed": 0}
    stored = by_title(store)
    assert stored[FERRY_TITLE].article.section == "Local News"
    assert stored[ORCHARD_TITLE].article.authors == ("Dana Okafor", "Luis Ferreira")
    # The plain files are the same articles, unchanged.
    assert counts(ingest(store, FERRY, ORCHARD))["unchanged"] == 2


# -- WARC ---------------------------------------------------------------------------------

_WARC_PAGES = [
    Page(
        "https://gazette.example/article.php?id=4512",
        article_html(
            "Harbour wall repairs begin after winter storms",
            [
                "Contractors began repairing the harbour wall on Monday, three months after winter storms"
                " tore away a section of the parapet.",
                "The council said the work would take six weeks and the promenade would stay open throughout.",
            ],
            url="https://gazette.example/news/harbour-wall-repairs",
        ),
    ),
    Page("https://gazette.example/missing", b"<html><body>Not found</body></html>", status=404),
    Page("https://gazette.example/logo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", content_type="image/png"),
    Page(
        "https://gazette.example/news/pier-lights",
        article_html(
            "Pier lights switched back on for the autumn",
            [
                "The strings of lights along the pier were switched back on on Friday evening after a summer"
                " of repairs to the wiring.",
                "Volunteers replaced more than four hundred bulbs with low-energy ones, the pier trust said.",
            ],
            url="https://gazette.example/news/pier-lights",
        ),
        content_encoding="gzip",
    ),
]


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_warc_html_responses(store: SqlStore, tmp_path: Path, name: str) -> None:
    archive = write_warc(tmp_path / name, _WARC_PAGES)
    report = ingest(store, archive)
    # The 404 and the image are skipped, not failures; the gzip-encoded page is decoded.
    assert counts(report) == {"ingested": 2, "updated": 0, "unchanged": 0, "failed": 0}
    stored = by_title(store)
    wall = stored["Harbour wall repairs begin after winter storms"].article
    assert wall.url == "https://gazette.example/article.php?id=4512"  # WARC-Target-URI
    assert wall.canonical_url == "https://gazette.example/news/harbour-wall-repairs"
    assert (wall.outlet.name, wall.outlet.domain) == ("The Test Gazette", "gazette.example")
    assert wall.source == f"{archive}#1"
    assert wall.published == datetime(2024, 10, 14, 9, 0)
    pier = stored["Pier lights switched back on for the autumn"].article
    assert pier.source == f"{archive}#4"
    assert pier.paragraphs[1].startswith("Volunteers replaced more than four hundred bulbs")
    assert counts(ingest(store, archive))["unchanged"] == 2


# -- Feeds --------------------------------------------------------------------------------


def test_rss_feed_items(store: SqlStore) -> None:
    report = ingest(store, RSS)
    assert counts(report) == {"ingested": 3, "updated": 0, "unchanged": 0, "failed": 0}
    stored = by_title(store)
    lifeboat = stored["Lifeboat crew rescues kayakers caught by the ebb tide"].article
    assert (lifeboat.outlet.name, lifeboat.outlet.domain) == ("The Harbourside Courier", "harbourside-courier.example")
    assert lifeboat.url == "https://www.harbourside-courier.example/local/2024/10/12/lifeboat-kayakers"
    assert lifeboat.section == "Local News"
    assert lifeboat.authors == ("Priya Raman",)
    assert lifeboat.language == "en"
    assert lifeboat.published == datetime(2024, 10, 12, 17, 10)
    assert lifeboat.source == f"{RSS}#1"
    # content:encoded wins over the description; its paragraphs are kept, the ad line is not.
    assert len(lifeboat.paragraphs) == 3
    assert "Advertisement" not in lifeboat.body
    parking = stored["Harbour car park charges to rise in January"].article
    assert parking.section == "Politics"
    assert parking.paragraphs[0].startswith("Parking at the harbour will cost £1.80 an hour")
    assert len(parking.paragraphs) == 2
    market = stored["Fish market marks 150 years with open day"].article
    assert market.authors == ()
    assert market.section == "What's On"
    assert market.body.startswith("The fish market will open its auction floor")


def test_atom_feed_entries(store: SqlStore) -> None:
    report = ingest(store, ATOM)
    assert counts(report) == {"ingested": 2, "updated": 0, "unchanged": 0, "failed": 0}
    stored = by_title(store)
    bridge = stored["County road bridge to close for six weeks of repairs"]
    a = bridge.article
    assert (a.outlet.name, a.outlet.domain) == ("Millbrook Valley Ledger", "millbrookledger.example")
    assert a.url == "https://millbrookledger.example/news/bridge-repairs"
    assert a.section == "Transport"
    assert a.authors == ("Dana Okafor",)
    assert a.language == "en"
    assert a.published == datetime(2024, 9, 4, 14, 0)
    assert a.modified == datetime(2024, 9, 4, 19, 30)
    assert (bridge.created_at, bridge.updated_at) == (a.published, a.modified)
    robotics = stored["High school robotics team heads to state final"].article
    assert robotics.authors == ("Luis Ferreira", "Dana Okafor")
    assert robotics.modified is None  # <updated> equal to <published> is no modification
    assert robotics.paragraphs == [
        "Millbrook High's robotics team qualified for the state final after its climbing robot finished"
        " second at the regional round in Easton.",
        "The eight students built the machine from recycled parts over the summer.",
    ]


# -- JSON Lines and cards -----------------------------------------------------------------


def test_jsonl_records(store: SqlStore) -> None:
    report = ingest(store, RECORDS)
    assert counts(report) == {"ingested": 3, "updated": 0, "unchanged": 0, "failed": 0}
    stored = by_title(store)

    buses = stored["Night buses return to the coast road"]  # from the record's "html"
    a = buses.article
    assert (a.outlet.name, a.outlet.domain) == ("Coastline Weekly", "coastline-weekly.example")
    assert a.section == "Transport"
    assert a.canonical_url == "https://coastline-weekly.example/transport/night-buses-return"
    assert a.authors == ("Imogen Hale", "Kwame Mensah")  # "A; B" in the record
    assert a.published == datetime(2024, 8, 2, 6, 0)
    assert a.source == f"{RECORDS}:1"
    assert len(a.paragraphs) == 3 and "Advertisement" not in a.body

    heron = stored["Heron colony doubles in size at the old gravel pits"]  # "text" + "captions"
    h = heron.article
    assert (h.outlet.name, h.outlet.domain) == ("The Riverside Post", "riverside-post.example")
    assert h.paragraphs == [
        "Volunteers counted 64 nesting pairs of grey herons at the flooded gravel pits this spring,"
        " twice as many as five years ago.",
        "The county wildlife trust said the islands created when the pits were flooded had kept foxes away"
        " from the nests.",
        "Surveyors will return in June to count fledglings.",
    ]
    assert h.captions == ["A grey heron returns to its nest on the largest island at dawn", "Photo: Riverside Post"]
    assert (h.section, h.language, h.label, h.authors) == ("Environment", "en", "Truth", ("Sam Whitlock",))
    assert (h.published, h.modified) == (datetime(2024, 4, 18, 7, 30), datetime(2024, 4, 18, 11, 0))
    assert (heron.created_at, heron.updated_at) == (h.published, h.modified)

    clock = stored["Town hall clock stops after lightning strike"]  # "body", no URL
    c = clock.article
    assert (c.outlet.name, c.outlet.domain) == ("Northfield Gazette", None)
    assert c.url is None
    assert clock.id == article_id("title:northfield gazette|town hall clock stops after lightning strike")
    assert c.label == "Unverified"
    assert clock.created_at == datetime(2024, 7, 10, 9, 15)  # from "created_at"


def test_jsonl_captions_field_means_the_body_is_sorted() -> None:
    """With ``captions`` given (as the export writes them), an unpunctuated body line (a
    subheading) stays a paragraph; without it, plain text is sorted by the caption rules."""
    subheading = "What the new timetable means for late shift workers"
    text = f"The operator confirmed the change on Monday.\n{subheading}\nThe last boat will leave at 21:10."
    sorted_record = from_record({"title": "Timetable", "text": text, "captions": []}, Settings(), "r:1")
    assert sorted_record.paragraphs[1] == subheading and sorted_record.captions == []
    plain_record = from_record({"title": "Timetable", "text": text}, Settings(), "r:2")
    assert plain_record.captions == [subheading]


def test_news_card(store: SqlStore) -> None:
    assert counts(ingest(store, SEED_CARD))["ingested"] == 1
    [stored] = store.latest()
    a = stored.article
    assert a.title.startswith("Putin has 'no plans' to congratulate Donald Trump")
    assert (a.outlet.name, a.section, a.label) == ("Daily Mail", "World News", "Truth")
    assert (stored.created_at, stored.updated_at) == (
        datetime(2024, 11, 6, 11, 15, 22),
        datetime(2024, 11, 6, 13, 26, 46),
    )
    assert "Read Entire Article" not in a.body
    assert "Ukrainian president Volodymyr Zelensky was quick to congratulate Trump" in a.captions


# -- Folders and stdin --------------------------------------------------------------------


def test_folders_are_read_recursively(store: SqlStore, tmp_path: Path) -> None:
    top = tmp_path / "inbox"
    (top / "2024" / "10" / "pages").mkdir(parents=True)
    (top / "feeds").mkdir()
    shutil.copy(FERRY, top / "2024" / "10" / "pages" / FERRY.name)
    shutil.copy(ORCHARD, top / "2024" / ORCHARD.name)
    shutil.copy(RSS, top / "feeds" / RSS.name)
    shutil.copy(SEED_CARD, top / SEED_CARD.name)
    (top / ".hidden.html").write_bytes(b"\x00\x01 hidden files are skipped")
    report = ingest(store, top)
    assert counts(report) == {"ingested": 6, "updated": 0, "unchanged": 0, "failed": 0}
    assert FERRY_TITLE in titles(store)
    sources = {s.article.source for s in store.latest()}
    assert str(top / "2024" / "10" / "pages" / FERRY.name) in sources


def test_examples_folder_ingests_cleanly(store: SqlStore) -> None:
    """What ``make demo`` ingests: every example is an article; the folder's README is passed over."""
    examples = ROOT / "examples"
    report = ingest(store, SEED_CARD, examples)
    assert counts(report) == {"ingested": 13, "updated": 0, "unchanged": 0, "failed": 0}, reasons(report)
    stored = by_title(store)
    flood = stored["Port Averly council approves tidal flood barrier after decade of debate"].article
    assert (flood.outlet.name, flood.section, flood.authors) == (
        "The Port Averly Chronicle",
        "Local",
        ("Eleanor Voss",),
    )
    assert not any(p.startswith("Port Averly council approves") for p in flood.paragraphs)
    assert (
        stored["Claim that harbour ferry fares will triple is misleading, operator says"].article.label == "Misleading"
    )
    total = sum(f.stat().st_size for f in examples.iterdir())
    assert total < 30 * 1024


def test_markdown_is_read_when_named(store: SqlStore, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    notes = folder / "NOTES.md"
    notes.write_text("# Notes\n\nNot an article.\n", encoding="utf-8")
    shutil.copy(FERRY, folder / FERRY.name)
    assert counts(ingest(store, folder))["failed"] == 0  # in a folder: passed over
    report = ingest(store, notes)  # named: read, and refused
    assert reasons(report) == {str(notes): reasons(report)[str(notes)]}
    assert reasons(report)[str(notes)].startswith("unknown format")


def test_stdin_through_the_command_line(db_url: str) -> None:
    result = run_cli("ingest", "-", str(ORCHARD), "--db", db_url, stdin=FERRY.read_bytes())
    assert result.returncode == 0, result.stderr
    assert summary_line(result) == "ingested=2 updated=0 unchanged=0 failed=0"
    store = open_store(db_url)
    try:
        stored = by_title(store)
        assert stored[FERRY_TITLE].article.source == "<stdin>"
        assert stored[FERRY_TITLE].article.section == "Local News"
        assert stored[ORCHARD_TITLE].article.source == str(ORCHARD)
        assert_whole(store)
    finally:
        store.close()


def test_stdin_is_sniffed_like_a_file(store: SqlStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """Any format on stdin, gzipped too: here JSON Lines (in-process, to keep the suite fast)."""
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(gzip.compress(RECORDS.read_bytes()))))
    assert counts(ingest(store, "-")) == {"ingested": 3, "updated": 0, "unchanged": 0, "failed": 0}
    heron = by_title(store)["Heron colony doubles in size at the old gravel pits"].article
    assert heron.source == "<stdin>:2"
    assert heron.captions == ["A grey heron returns to its nest on the largest island at dawn", "Photo: Riverside Post"]


# -- Idempotence and versions -------------------------------------------------------------

_EVERYTHING = (SEED_CARD, FERRY, ORCHARD, RSS, ATOM, RECORDS)


def test_second_run_is_all_unchanged(store: SqlStore) -> None:
    first = ingest(store, *_EVERYTHING)
    assert counts(first) == {"ingested": 11, "updated": 0, "unchanged": 0, "failed": 0}
    before = {s.id: (s.versions, s.created_at, s.updated_at) for s in store.latest()}
    second = ingest(store, *_EVERYTHING)
    assert counts(second) == {"ingested": 0, "updated": 0, "unchanged": 11, "failed": 0}
    assert {s.id: (s.versions, s.created_at, s.updated_at) for s in store.latest()} == before
    assert_whole(store)


def _ferry_page(body_change: str = "", *, title: str = FERRY_TITLE, published: str, modified: str) -> bytes:
    html = FERRY.read_text(encoding="utf-8")
    html = html.replace("2024-10-14T07:45:00+01:00", published).replace("2024-10-14T16:20:00+01:00", modified)
    html = html.replace(f"<h1>{FERRY_TITLE}</h1>", f"<h1>{title}</h1>").replace(
        f'content="{FERRY_TITLE}"', f'content="{title}"'
    )
    html = html.replace(f"<title>{FERRY_TITLE} |", f"<title>{title} |")
    if body_change:
        html = html.replace("</article>", f"  <p>{body_change}</p>\n</article>")
    return html.encode("utf-8")


def test_changed_body_is_a_new_version(store: SqlStore, tmp_path: Path) -> None:
    page = tmp_path / "ferry.html"
    page.write_bytes(_ferry_page(published="2024-10-14T07:45:00+01:00", modified="2024-10-14T16:20:00+01:00"))
    assert counts(ingest(store, page))["ingested"] == 1

    update = "Update: the union has postponed the strike by a week while talks continue."
    page.write_bytes(_ferry_page(update, published="2024-10-15T08:00:00+01:00", modified="2024-10-16T18:30:00+01:00"))
    assert counts(ingest(store, page)) == {"ingested": 0, "updated": 1, "unchanged": 0, "failed": 0}
    stored = store.get(
        article_id("url:https://harbourside-courier.example/local/2024/10/14/ferry-crews-vote-to-strike")
    )
    assert stored.versions == 2
    assert stored.created_at == datetime(2024, 10, 14, 6, 45)  # from the first version
    assert stored.updated_at == datetime(2024, 10, 16, 17, 30)  # from the newest
    assert stored.article.paragraphs[-1] == update
    history = store.versions(stored.id)
    assert [v.number for v in history] == [1, 2]
    assert update not in history[0].article.body
    assert history[0].article.modified == datetime(2024, 10, 14, 15, 20)

    # Page furniture is not content: an extra ad line changes nothing.
    page.write_bytes(
        _ferry_page(
            update + "</p><p>Advertisement", published="2024-10-15T08:00:00+01:00", modified="2024-10-16T18:30:00+01:00"
        )
    )
    assert counts(ingest(store, page))["unchanged"] == 1

    # A new headline alone is a new version too (same canonical URL, same article).
    page.write_bytes(
        _ferry_page(
            update,
            title="Ferry strike postponed by a week as talks continue",
            published="2024-10-15T08:00:00+01:00",
            modified="2024-10-17T09:00:00+01:00",
        )
    )
    assert counts(ingest(store, page))["updated"] == 1
    stored = store.get(stored.id)
    assert (stored.versions, stored.article.title) == (3, "Ferry strike postponed by a week as talks continue")
    assert stored.created_at == datetime(2024, 10, 14, 6, 45)
    assert stored.updated_at == datetime(2024, 10, 17, 8, 0)
    assert_whole(store, ["Ferry strike postponed by a week as talks continue"])


def test_export_jsonl_ingests_back_unchanged(db_url: str, tmp_path: Path) -> None:
    archive = write_warc(tmp_path / "crawl.warc.gz", _WARC_PAGES[1:])  # pages whose URL is the canonical one
    store = open_store(db_url)
    try:
        assert counts(ingest(store, *_EVERYTHING, archive))["ingested"] == 12
        exported = tmp_path / "export.jsonl"
        result = run_cli("export", "--format", "jsonl", "--out", str(exported), "--db", db_url)
        assert result.returncode == 0, result.stderr
        assert len(exported.read_text(encoding="utf-8").splitlines()) == 12
        before = canonical_rows(store)
        report = ingest(store, exported)
        assert counts(report) == {"ingested": 0, "updated": 0, "unchanged": 12, "failed": 0}
        assert canonical_rows(store) == before
    finally:
        store.close()


def test_export_keeps_identity_when_the_url_is_not_the_canonical_one(store: SqlStore, tmp_path: Path) -> None:
    archive = write_warc(tmp_path / "crawl.warc", _WARC_PAGES[:1])
    ingest(store, archive)
    [stored] = store.latest()
    exported = tmp_path / "export.jsonl"
    exported.write_text(json.dumps(article_json(stored)) + "\n", encoding="utf-8")  # what export writes
    assert counts(ingest(store, exported))["unchanged"] == 1


def canonical_rows(store: SqlStore) -> list[tuple[str, int, str]]:
    return sorted((s.id, s.versions, s.article.content_hash) for s in store.latest())
