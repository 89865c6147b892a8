"""Security of the web desk, one test a promise: escaping, nh3, CSP, outbound links, redirects, CSRF."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from veracity.store.sql import SqlStore
from veracity.web import parts
from veracity.web.security import (
    CSP,
    RateLimiter,
    json_for_script,
    local_path,
    safe_url,
    sanitize,
)

from .conftest import make_client
from .desk_support import PASSWORD, XSS_TITLE


class Elements(HTMLParser):
    """What a browser would build from a page: each element with its attributes, and script text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.script_text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.script_text.append(data)


def dangers(page: str) -> list[str]:
    """Markup in ``page`` that could run script: handlers, foreign elements, script URLs, inline script."""
    parser = Elements()
    parser.feed(page)
    out = []
    for tag, attrs in parser.found:
        if tag in ("img", "svg", "math", "iframe", "object", "embed"):
            out.append(tag)
        out.extend(f"{tag}[{name}]" for name in attrs if name.startswith("on"))
        for name in ("href", "src", "action", "formaction"):
            value = (attrs.get(name) or "").strip().lower()
            if value.startswith(("javascript:", "data:", "vbscript:")):
                out.append(f"{tag}[{name}={value}]")
        if tag == "script" and not (attrs.get("src") or attrs.get("type") == "application/ld+json"):
            out.append("inline script")
    return out


def test_scraped_title_body_outlet_and_section_are_escaped_everywhere(client: TestClient, ids: dict[str, str]) -> None:
    for url in ("/", f"/articles/{ids['hostile']}", "/outlets", "/outlets/hostile.example", "/?q=hostile"):
        page = client.get(url).text
        assert "Hostile headline" in page or url.startswith("/outlets"), url
        assert dangers(page) == [], url
        assert "<script>window" not in page and "<img src=x" not in page and "<svg onload" not in page, url
    atom = client.get("/feed.atom").text
    assert "<script>" not in atom and "&lt;script&gt;" in atom
    page = client.get(f"/articles/{ids['hostile']}").text
    assert "&lt;script&gt;window.__xss=&#39;title&#39;" in page  # shown as text


def test_titles_and_outlet_names_are_escaped_in_attribute_context(client: TestClient, ids: dict[str, str]) -> None:
    page = client.get("/").text
    # The outlet name sits in a title="…" attribute and an <option value="…">: quotes are entities there.
    assert 'title="&#34;&gt;&lt;img src=x onerror=&#34;window.__xss=&#39;outlet&#39;&#34;&gt;"' in page
    assert '<option value="&#34;&gt;&lt;img' in page
    card = re.search(rf'<article class="card" id="card-{ids["hostile"]}".*?</article>', page, re.S)
    assert card and 'title="&lt;script&gt;' in card.group(0)


def test_javascript_source_links_are_never_linked(client: TestClient, ids: dict[str, str]) -> None:
    page = client.get(f"/articles/{ids['hostile_link']}").text
    assert 'href="javascript:' not in page
    assert f'<a class="read-more" href="/articles/{ids["hostile_link"]}">' in page
    assert safe_url("javascript:alert(1)") is None
    assert safe_url(" JAVASCRIPT:alert(1)") is None
    assert safe_url("data:text/html,<script>") is None
    assert safe_url("https://example.org/a") == "https://example.org/a"


def test_outbound_links_carry_noopener_nofollow(client: TestClient, ids: dict[str, str]) -> None:
    page = client.get(f"/articles/{ids['edited']}").text
    links = re.findall(r'<a [^>]*href="https?://[^"]*"[^>]*>', page)
    assert links
    for link in links:
        rel = re.search(r'rel="([^"]*)"', link)
        assert rel and {"noopener", "nofollow"} <= set(rel.group(1).split()), link


def test_every_response_has_a_strict_csp_and_no_inline_script(client: TestClient, ids: dict[str, str]) -> None:
    for url in ("/", f"/articles/{ids['seed']}", "/login", "/api/articles", "/nope"):
        r = client.get(url)
        assert r.headers["content-security-policy"] == CSP
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
    assert "'unsafe-inline'" not in CSP and "'unsafe-eval'" not in CSP
    assert "script-src 'self'" in CSP and "default-src 'none'" in CSP
    page = client.get("/").text
    parser = Elements()
    parser.feed(page)
    scripts = [attrs for tag, attrs in parser.found if tag == "script"]
    assert scripts and all((a.get("src") or "").startswith("/static/") for a in scripts) and not parser.script_text
    assert not [tag for tag, attrs in parser.found if "style" in attrs]  # style-src 'self' forbids these too
    assert not [tag for tag, attrs in parser.found if any(name.startswith("on") for name in attrs)]
    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", page)
    assert config and json.loads(config.group(1))["allowEval"] is False
    assert json.loads(config.group(1))["includeIndicatorStyles"] is False


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>ok",
        '<img src=x onerror="alert(1)">ok',
        '<a href="javascript:alert(1)">ok</a>',
        '<a href="data:text/html;base64,PHNjcmlwdD4=">ok</a>',
        "<svg><script>alert(1)</script></svg>ok",
        '<math><mtext><img src=x onerror="alert(1)"></mtext></math>ok',
        '<img srcset="x 1x" src="https://e.example/a.png">ok',
        '<p onclick="alert(1)" style="color:red">ok</p>',
        "<iframe src='https://evil.example'></iframe>ok",
    ],
)
def test_html_goes_through_nh3(hostile: str) -> None:
    clean = sanitize(hostile)
    assert "ok" in clean
    for bad in (
        "<script",
        "onerror",
        "onclick",
        "javascript:",
        "data:",
        "<svg",
        "<math",
        "srcset",
        "<img",
        "<iframe",
        "style=",
    ):
        assert bad not in clean.lower(), (hostile, clean)


def test_links_in_sanitised_html_get_noopener_nofollow() -> None:
    clean = sanitize('<a href="https://factcheck.example/x">check</a>')
    assert 'rel="noopener nofollow noreferrer"' in clean and 'href="https://factcheck.example/x"' in clean


def test_fact_check_summaries_are_shown_through_nh3(
    desk: tuple[SqlStore, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, ids = desk
    summary = '<p>Rated <b>false</b><script>window.__xss=1</script><img src=x onerror="window.__xss=2"></p>'
    claim = {
        "text": "c",
        "factchecks": [{"rating": "False", "publisher": "P", "url": "javascript:x", "summary_html": summary}],
    }
    monkeypatch.setattr(parts, "claims", lambda s, i: [claim])
    page = make_client(store).get(f"/articles/{ids['seed']}").text
    assert "<p>Rated <b>false</b></p>" in page
    assert "window.__xss" not in page and 'href="javascript:' not in page


def test_json_ld_cannot_close_its_script_element(
    desk: tuple[SqlStore, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, ids = desk
    monkeypatch.setattr(parts, "verdict", lambda s, i: {"label": "Fake", "confidence": 0.9})
    page = make_client(store).get(f"/articles/{ids['hostile']}").text
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert block and "<" not in block.group(1)
    data = json.loads(block.group(1))
    assert data["claimReviewed"] == XSS_TITLE and data["reviewRating"]["alternateName"] == "Fake"
    assert json_for_script({"a": "</script><b>"}) == '{"a": "\\u003c/script\\u003e\\u003cb\\u003e"}'


@pytest.mark.parametrize(
    ("target", "expect"),
    [
        ("/articles/abc", "/articles/abc"),
        ("/?q=x&label=Fake", "/?q=x&label=Fake"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("\\\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/ok\r\nSet-Cookie: x=1", "/"),
        ("", "/"),
    ],
)
def test_next_redirects_only_to_local_paths(target: str, expect: str) -> None:
    assert local_path(target) == expect


def test_sign_in_with_a_foreign_next_lands_home(client: TestClient) -> None:
    client.get("/login")
    r = client.post(
        "/login",
        data={"name": "rita", "password": PASSWORD, "csrf": client.cookies["vcsrf"], "next": "https://evil.example/"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_posts_without_the_csrf_token_are_refused(client: TestClient, ids: dict[str, str]) -> None:
    client.get("/login")
    r = client.post("/login", data={"name": "rita", "password": PASSWORD, "csrf": "forged"}, follow_redirects=False)
    assert r.status_code == 403
    ok = client.post(
        "/login", data={"name": "rita", "password": PASSWORD, "csrf": client.cookies["vcsrf"]}, follow_redirects=False
    )
    assert ok.status_code == 303
    forged = client.post(f"/articles/{ids['seed']}/review", data={"label": "Fake", "csrf": "forged"})
    assert forged.status_code == 403
    cross = client.post(
        f"/articles/{ids['seed']}/review",
        data={"label": "Fake", "csrf": "x"},
        headers={"Origin": "https://evil.example"},
    )
    assert cross.status_code == 403
    assert "Truth" in client.get(f"/api/articles/{ids['seed']}").json()["label"]


def test_session_cookie_is_httponly_and_samesite(client: TestClient) -> None:
    client.get("/login")
    r = client.post(
        "/login", data={"name": "rita", "password": PASSWORD, "csrf": client.cookies["vcsrf"]}, follow_redirects=False
    )
    cookie = r.headers["set-cookie"]
    assert "vsession=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_rate_limiter_answers_with_the_wait() -> None:
    now = [0.0]
    limiter = RateLimiter(60, clock=lambda: now[0])
    assert all(limiter.check("a") == 0 for _ in range(60))
    wait = limiter.check("a")
    assert 0 < wait <= 1.0
    assert limiter.check("b") == 0  # another client has its own bucket
    now[0] += 1.0
    assert limiter.check("a") == 0
    assert RateLimiter(0).check("a") == 0  # 0: no limit
