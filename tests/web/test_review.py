"""Signing in and reviewing through the pages; anonymous users only read."""

from __future__ import annotations

from fastapi.testclient import TestClient

from .desk_support import PASSWORD


def sign_in(client: TestClient, name: str = "rita", password: str = PASSWORD, next: str = "/") -> int:
    client.get("/login")
    r = client.post(
        "/login",
        data={"name": name, "password": password, "csrf": client.cookies.get("vcsrf", ""), "next": next},
        follow_redirects=False,
    )
    return r.status_code


def csrf_of(page: str) -> str:
    return page.split('name="csrf" value="', 1)[1].split('"', 1)[0]


def test_anonymous_users_are_sent_to_sign_in(client: TestClient, ids: dict[str, str]) -> None:
    r = client.get(f"/articles/{ids['seed']}/review", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/login?next=%2Farticles%2F{ids['seed']}%2Freview"
    post = client.post(f"/articles/{ids['seed']}/review", data={"label": "Fake"}, follow_redirects=False)
    assert post.status_code == 303 and post.headers["location"].startswith("/login")
    assert client.get("/review", follow_redirects=False).status_code == 303


def test_wrong_password_is_refused(client: TestClient) -> None:
    assert sign_in(client, password="wrong password") == 401
    assert sign_in(client, name="nobody") == 401


def test_review_flow_sets_the_label_and_audits_it(client: TestClient, ids: dict[str, str]) -> None:
    assert sign_in(client, next=f"/articles/{ids['seed']}/review") == 303
    form = client.get(f"/articles/{ids['seed']}/review")
    assert form.status_code == 200 and "No change yet." in form.text and "rita (reviewer)" in form.text
    done = client.post(
        f"/articles/{ids['seed']}/review",
        data={"label": "Misleading", "note": "<b>quote</b> out of context", "csrf": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    page = client.get(f"/articles/{ids['seed']}/review").text
    assert "Truth → Misleading" in page and "&lt;b&gt;quote&lt;/b&gt; out of context" in page
    assert 'class="badge badge-misleading"' in client.get("/").text
    bad = client.post(
        f"/articles/{ids['seed']}/review", data={"label": "Maybe", "csrf": csrf_of(page)}, follow_redirects=False
    )
    assert bad.status_code == 422


def test_queue_lists_unlabelled_articles(client: TestClient, ids: dict[str, str]) -> None:
    sign_in(client)
    page = client.get("/review").text
    assert f"/articles/{ids['hostile']}/review" in page and f"/articles/{ids['seed']}/review" not in page


def test_sign_out_ends_the_session(client: TestClient, ids: dict[str, str]) -> None:
    sign_in(client)
    home = client.get("/").text
    assert "Sign out" in home
    r = client.post("/logout", data={"csrf": csrf_of(home)}, follow_redirects=False)
    assert r.status_code == 303
    client.cookies.clear()
    assert client.get("/review", follow_redirects=False).status_code == 303


def test_sign_in_is_rate_limited(client: TestClient) -> None:
    codes = [sign_in(client, password="wrong password") for _ in range(11)]
    assert codes[:10] == [401] * 10 and codes[10] == 429
