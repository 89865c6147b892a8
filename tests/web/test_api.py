"""The JSON API: every route, page-size caps, token-guarded writes, rate limits, OpenAPI."""

from __future__ import annotations

from fastapi.testclient import TestClient

from veracity.store.sql import SqlStore
from veracity.web.accounts import Accounts

from .conftest import make_client


def test_articles_list_filters_and_pages(client: TestClient, ids: dict[str, str]) -> None:
    data = client.get("/api/articles", params={"per_page": 2}).json()
    assert [a["id"] for a in data["items"]] == [ids["hostile_link"], ids["hostile"]]
    assert data["next_page"] == 2 and data["per_page"] == 2
    fake = client.get("/api/articles", params={"label": "Fake"}).json()
    assert [a["id"] for a in fake["items"]] == [ids["valley2"]] and fake["filters"] == {"label": "Fake"}
    assert fake["next_page"] is None
    seed = client.get("/api/articles", params={"q": "Kremlin"}).json()["items"][0]
    assert seed["outlet"] == {"name": "Daily Mail", "domain": None}
    assert seed["label"] == "Truth" and seed["section"] == "World News" and seed["url"] is None


def test_page_size_is_capped(desk: tuple[SqlStore, dict[str, str]]) -> None:
    client = make_client(desk[0], page_size=2, max_page_size=3)
    data = client.get("/api/articles", params={"per_page": 500}).json()
    assert data["per_page"] == 3 and len(data["items"]) == 3
    assert client.get("/api/articles", params={"per_page": 5000}).status_code == 422
    assert client.get("/api/articles", params={"page": 0}).status_code == 422


def test_search(client: TestClient, ids: dict[str, str]) -> None:
    found = client.get("/api/search", params={"q": "port vote"}).json()
    assert [a["id"] for a in found["items"]] == [ids["edited"]]
    assert client.get("/api/search", params={"q": "zzzunfound"}).json()["items"] == []
    assert client.get("/api/search").status_code == 422


def test_article_versions_and_diff(client: TestClient, ids: dict[str, str]) -> None:
    a = client.get(f"/api/articles/{ids['edited']}").json()
    assert a["title"] == "Council delays the port vote again" and a["versions"] == 2
    assert {"kind": "caption", "text": "The harbour at dawn"} in a["blocks"]
    assert a["verdict"]["label"] == "Misleading" and a["verdict"]["source"] == "imported"  # came with the input
    assert a["claims"] == [] and a["quotes"] == [] and a["story"] is None  # not analysed, in no story
    versions = client.get(f"/api/articles/{ids['edited']}/versions").json()
    assert [v["number"] for v in versions] == [1, 2]
    diff = client.get(f"/api/articles/{ids['edited']}/diff").json()
    assert (diff["a"], diff["b"]) == (1, 2)
    replaced = [r for r in diff["rows"] if r["op"] == "replace"]
    assert ["delete", "March"] in replaced[1]["words"] and ["insert", "April"] in replaced[1]["words"]
    assert client.get("/api/articles/zzz").status_code == 404
    assert client.get("/api/articles/ffffffffffff/versions").json() == {
        "error": "ffffffffffff: no article with this id"
    }


def test_outlets(client: TestClient) -> None:
    rows = client.get("/api/outlets").json()
    harbour = next(r for r in rows if r["key"] == "harbour-news.example")
    assert harbour == {"name": "Harbour News", "key": "harbour-news.example", "articles": 1, "feeds": 2}
    detail = client.get("/api/outlets/harbour-news.example").json()
    assert {f["url"]: f["enabled"] for f in detail["feeds"]} == {
        "https://harbour-news.example/rss.xml": True,
        "https://harbour-news.example/bad.xml": False,
    }
    assert detail["ratings"] == [] and detail["track_record"] == {"Misleading": 1} and len(detail["recent"]) == 1
    assert client.get("/api/outlets/nowhere").status_code == 404


def test_story_is_404_when_there_is_none(client: TestClient) -> None:
    assert client.get("/api/stories/1").status_code == 404


def test_writes_need_a_token(desk: tuple[SqlStore, dict[str, str]]) -> None:
    store, ids = desk
    client = make_client(store)
    url = f"/api/articles/{ids['seed']}/review"
    r = client.post(url, json={"label": "Fake", "note": "n"})
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    bad = client.post(url, json={"label": "Fake"}, headers={"Authorization": "Bearer vrc_0123456789abcdef_nope"})
    assert bad.status_code == 403
    token, info = Accounts(store.engine).create_token("rita", "tests")
    ok = client.post(
        url, json={"label": "Fake", "note": "two fact-checks"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert ok.status_code == 200
    assert ok.json()["trail"][0] | {"at": None} == {
        "at": None, "actor": "rita", "action": "review", "from": "Truth", "to": "Fake", "note": "two fact-checks",
    }  # fmt: skip
    assert client.get(f"/api/articles/{ids['seed']}").json()["label"] == "Fake"
    assert client.get(f"/api/articles/{ids['seed']}/audit").json()[0]["to"] == "Fake"
    assert client.post(url, json={"label": "Maybe"}, headers={"Authorization": f"Bearer {token}"}).status_code == 422
    Accounts(store.engine).revoke_token(info.id)
    assert client.post(url, json={"label": "Truth"}, headers={"Authorization": f"Bearer {token}"}).status_code == 403


def test_only_admins_change_sources(desk: tuple[SqlStore, dict[str, str]]) -> None:
    store, _ = desk
    client = make_client(store)
    accounts = Accounts(store.engine)
    reviewer, _ = accounts.create_token("rita")
    admin, _ = accounts.create_token("ada")
    url = "/api/sources/harbour-news.example/disable"
    assert client.post(url, headers={"Authorization": f"Bearer {reviewer}"}).status_code == 403
    r = client.post(url, headers={"Authorization": f"Bearer {admin}"})
    assert r.status_code == 200 and r.json() == {"feeds": 2}
    assert not any(f["enabled"] for f in client.get("/api/outlets/harbour-news.example").json()["feeds"])
    again = client.post("/api/sources/harbour-news.example/enable", headers={"Authorization": f"Bearer {admin}"})
    assert again.json() == {"feeds": 2}
    assert client.post("/api/sources/nowhere/enable", headers={"Authorization": f"Bearer {admin}"}).status_code == 404


def test_rate_limit_answers_429_with_retry_after(desk: tuple[SqlStore, dict[str, str]]) -> None:
    client = make_client(desk[0], api_rate_per_minute=5)
    codes = [client.get("/api/outlets").status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    r = client.get("/api/articles")
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert r.json() == {"error": "too many requests"}
    assert client.get("/").status_code == 200  # pages are not limited; the API is
    assert client.get("/api/openapi.json").status_code == 200


def test_openapi_describes_every_api_route(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    paths = set(spec["paths"])
    assert {
        "/api/articles", "/api/search", "/api/articles/{article_id}", "/api/articles/{article_id}/versions",
        "/api/articles/{article_id}/diff", "/api/articles/{article_id}/audit", "/api/articles/{article_id}/review",
        "/api/outlets", "/api/outlets/{key}", "/api/sources/{key}/{action}", "/api/stories/{story_id}",
    } == paths  # fmt: skip
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
