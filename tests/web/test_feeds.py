"""Feeds out: Atom for a filter state, ClaimReview JSON-LD for veracity's own verdicts."""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree as ET

from fastapi.testclient import TestClient

from .test_review import csrf_of, sign_in

ATOM = "{http://www.w3.org/2005/Atom}"


def test_atom_for_a_filter(client: TestClient, ids: dict[str, str]) -> None:
    r = client.get("/feed.atom?label=Fake")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(r.content)
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 1
    assert entries[0].findtext(f"{ATOM}id") == f"http://testserver/articles/{ids['valley2']}"
    assert entries[0].find(f"{ATOM}category").get("term") == "Fake"  # type: ignore[union-attr]
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == "http://testserver/feed.atom?label=Fake"  # type: ignore[union-attr]
    home = client.get("/?label=Fake").text
    assert 'type="application/atom+xml" title="This feed as Atom" href="/feed.atom?label=Fake"' in home


def test_atom_escapes_hostile_text(client: TestClient) -> None:
    root = ET.fromstring(client.get("/feed.atom").content)
    titles = [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")]
    assert any(t and t.startswith("<script>") for t in titles)  # text, parsed back whole


def test_claim_review_appears_once_a_verdict_exists(client: TestClient, ids: dict[str, str]) -> None:
    url = f"/articles/{ids['edited']}"
    assert "application/ld+json" not in client.get(url).text
    sign_in(client)
    form = client.get(url + "/review").text
    client.post(url + "/review", data={"label": "Fake", "note": "contradicted", "csrf": csrf_of(form)})
    page = client.get(url).text
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert block
    data = json.loads(block.group(1))
    assert data["@type"] == "ClaimReview" and data["url"] == f"http://testserver{url}"
    assert data["reviewRating"]["alternateName"] == "Fake" and data["reviewRating"]["ratingValue"] == 1
    assert data["itemReviewed"]["appearance"]["url"] == "https://harbour-news.example/politics/port-vote"
    assert "Verdict: Fake" in page and "Set by rita" in page
