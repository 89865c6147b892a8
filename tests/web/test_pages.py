"""The pages through an in-process ASGI client, on SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import SEED_CARD
from veracity.store.sql import SqlStore
from veracity.web import parts

from .conftest import make_client


def text_of(fragment: str) -> str:
    """The text a browser shows for an HTML fragment (tags dropped, entities decoded, spaces collapsed)."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def card_html(page: str, article_id: str) -> str:
    match = re.search(rf'<article class="card" id="card-{article_id}".*?</article>', page, re.S)
    assert match, f"no card {article_id}"
    return match.group(0)


def test_home_shows_the_seed_card_as_the_seed_does(client: TestClient, ids: dict[str, str]) -> None:
    page = client.get("/")
    assert page.status_code == 200
    card = card_html(page.text, ids["seed"])
    seed = SEED_CARD.read_text(encoding="utf-8").split("\n")
    title, byline, label, first = seed[0], seed[2], seed[3], seed[5]
    assert re.search(r"<h2 class=\"title\">.*?</h2>", card, re.S)
    got = text_of(card)
    assert got.startswith(f"{title} {byline} {label} ")
    assert " ".join(first.split())[:200] in got
    assert got.endswith("Read Entire Article")
    assert 'class="badge badge-truth"' in card
    assert f'href="/articles/{ids["seed"]}"' in card


def test_home_is_newest_first_and_paginates(client: TestClient, ids: dict[str, str]) -> None:
    first = client.get("/?per_page=3").text
    order = re.findall(r'id="card-([0-9a-f]{12})"', first)
    assert order == [ids["hostile_link"], ids["hostile"], ids["seed"]]  # updated 14:30, 14:00, 13:26
    assert 'rel="next" href="/?page=2&amp;per_page=3"' in first
    second = client.get("/?page=2&per_page=3").text
    more = re.findall(r'id="card-([0-9a-f]{12})"', second)
    assert more and not set(more) & set(order)
    assert 'rel="prev"' in second


@pytest.mark.parametrize(
    ("query", "expect"),
    [
        ("label=Fake", {"valley2"}),
        ("label=Misleading", {"edited"}),
        ("outlet=Harbour+News", {"edited"}),
        ("outlet=harbour-news.example", {"edited"}),
        ("section=Politics", {"edited"}),
        ("q=Kremlin", {"seed"}),
        ("q=port+vote&label=Misleading", {"edited"}),
        ("q=port+vote&label=Truth", set()),
    ],
)
def test_each_filter_state_has_its_own_url(
    client: TestClient, ids: dict[str, str], query: str, expect: set[str]
) -> None:
    page = client.get("/?" + query).text
    shown = set(re.findall(r'id="card-([0-9a-f]{12})"', page))
    assert shown == {ids[name] for name in expect}
    if not expect:
        assert "No article matches." in page


def test_language_and_date_filters(client: TestClient) -> None:
    french = re.findall(r'id="card-([0-9a-f]{12})"', client.get("/?language=fr").text)
    assert len(french) == 1
    day = client.get("/?since=2024-11-06&until=2024-11-06").text
    assert "Hostile headline" in day and "Valley story" not in day
    assert client.get("/?since=not-a-date").status_code == 200  # an unusable date is no filter


def test_active_filters_can_be_removed_one_by_one(client: TestClient) -> None:
    page = client.get("/?label=Fake&section=Environment").text
    assert 'href="/?section=Environment"' in page  # removes the label filter, keeps the section
    assert 'href="/?label=Fake"' in page


def test_search_route_leads_to_the_feed(client: TestClient) -> None:
    r = client.get("/search?q=Kremlin", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/?q=Kremlin"


def test_article_page_shows_text_captions_and_versions(client: TestClient, ids: dict[str, str]) -> None:
    page = client.get(f"/articles/{ids['edited']}").text
    assert '<figure class="caption"><figcaption>The harbour at dawn</figcaption></figure>' in page
    assert "<p>Critics said the plan ignored the fishing fleet.</p>" in page
    assert page.count("<li>version ") == 2
    diff = re.search(r'<div id="diff".*?</div>', page, re.S)
    assert diff
    assert "<del>March</del><ins>April</ins>" in diff.group(0)
    assert "<ins> again</ins>" in diff.group(0)
    assert "3 paragraphs changed" in diff.group(0)


def test_article_page_compares_any_two_versions(client: TestClient, ids: dict[str, str]) -> None:
    same = client.get(f"/articles/{ids['edited']}?a=2&b=2").text
    assert "Pick two different versions." in same
    back = client.get(f"/articles/{ids['edited']}?a=2&b=1").text
    assert "<del>April</del><ins>March</ins>" in back
    one = client.get(f"/articles/{ids['seed']}").text
    assert "One version so far." in one


def test_article_prefix_redirects_and_unknown_is_404(client: TestClient, ids: dict[str, str]) -> None:
    r = client.get(f"/articles/{ids['seed'][:6]}", follow_redirects=False)
    assert r.status_code == 302 and r.headers["location"] == f"/articles/{ids['seed']}"
    missing = client.get("/articles/ffffffffffff")
    assert missing.status_code == 404 and "no article with this id" in missing.text


def test_absent_parts_leave_no_trace(client: TestClient, ids: dict[str, str]) -> None:
    page = client.get(f"/articles/{ids['hostile']}").text  # never judged, analysed or clustered, no label
    for section in ('id="verdict"', 'id="claims"', 'id="quotes"', 'id="story"', "application/ld+json"):
        assert section not in page
    seed = client.get(f"/articles/{ids['seed']}").text  # its input's label is shown, but is no ClaimReview of ours
    assert "Verdict: Truth" in seed and "came with the article" in seed and "application/ld+json" not in seed


def test_imported_label_is_explained_once(client: TestClient, ids: dict[str, str]) -> None:
    page = client.get(f"/articles/{ids['seed']}").text  # its input's label is the verdict that counts
    section = html.unescape(page[page.index('id="verdict"') : page.index("</section>", page.index('id="verdict"'))])
    assert "Verdict: Truth" in section
    assert section.count("The label came with the article's input.") == 1


def test_parts_appear_when_their_data_exists(
    desk: tuple[SqlStore, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, ids = desk
    verdict: dict[str, Any] = {
        "label": "Fake",
        "confidence": 0.83,
        "explanation": "Contradicted by two fact-checks.",
        "evidence": [{"text": "Kremlin said otherwise", "source": "Reuters", "url": "https://reuters.example/x"}],
    }
    monkeypatch.setattr(parts, "verdict", lambda s, i: verdict)
    monkeypatch.setattr(parts, "verdicts", lambda s, i: {x: verdict for x in i})
    monkeypatch.setattr(parts, "quotes", lambda s, i: [{"speaker": "Dmitry Peskov", "text": "historic low"}])
    monkeypatch.setattr(
        parts,
        "claims",
        lambda s, i: [
            {
                "text": "Putin has no plans",
                "factchecks": [
                    {"rating": "False", "publisher": "Snopes", "url": "https://snopes.example/f", "title": "Check"}
                ],
            }
        ],
    )
    monkeypatch.setattr(parts, "story_of", lambda s, i: {"id": "s1", "title": "US election", "size": 4})
    client = make_client(store)
    page = client.get(f"/articles/{ids['seed']}").text
    assert "Verdict: Fake" in page and "Contradicted by two fact-checks." in page
    assert '<span class="confidence">83%</span>' in page
    assert "Dmitry Peskov" in page and "Snopes" in page and 'href="/stories/s1"' in page
    assert "application/ld+json" in page and '"@type": "ClaimReview"' in page
    home = client.get("/").text
    assert 'class="badge badge-fake"' in card_html(home, ids["seed"])


def test_outlets_and_outlet_page_with_feed_health(client: TestClient) -> None:
    listing = client.get("/outlets").text
    assert 'href="/outlets/harbour-news.example"' in listing and "Valley Times" in listing
    page = client.get("/outlets/harbour-news.example").text
    assert "https://harbour-news.example/rss.xml" in page
    assert "disabled: 1 consecutive failures; last: HTTP 500 from the server" in page
    assert "Council delays the port vote again" in page
    by_name = client.get("/outlets/Valley%20Times")
    assert by_name.status_code == 200 and "No feed followed" in by_name.text
    assert client.get("/outlets/nowhere.example").status_code == 404


def test_static_htmx_is_served_from_the_package(client: TestClient) -> None:
    r = client.get("/static/htmx.min.js")
    assert r.status_code == 200 and b"htmx" in r.content[:2000]
    assert "javascript" in r.headers["content-type"]
    assert client.get("/healthz").json() == {"status": "ok"}
