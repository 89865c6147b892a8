"""End to end in Debian's chromium: the feed, a filter, search, an article's diff, the review flow,
and hostile articles that must never run script. Screenshots land in build/screenshots/."""

from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import SEED_CARD
from web.desk_support import PASSWORD

from .conftest import Watched, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def card_ids(page: Any) -> list[str]:
    return [str(x) for x in page.eval_on_selector_all("article.card", "els => els.map(e => e.dataset.id)")]


def test_feed_shows_cards_like_the_seed(server: tuple[str, dict[str, str]], watched: Watched) -> None:
    base, ids = server
    page = watched.page
    page.goto(base + "/")
    card = page.locator(f"#card-{ids['seed']}")
    seed = SEED_CARD.read_text(encoding="utf-8").split("\n")
    assert card.locator("h2").inner_text() == seed[0]
    assert card.locator(".byline").inner_text() == seed[2]
    badge = card.locator(".badge")
    assert badge.inner_text() == "Truth"
    assert badge.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(30, 123, 52)"  # styles load under CSP
    assert card.locator("a.read-more").inner_text() == "Read Entire Article"
    path = screenshot(page, "home.png")
    assert path.stat().st_size > 10_000
    assert watched.dialogs == [] and watched.csp == []


def test_filter_through_htmx_keeps_the_page_and_pushes_the_url(
    server: tuple[str, dict[str, str]], watched: Watched
) -> None:
    base, ids = server
    page = watched.page
    page.goto(base + "/")
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("() => { window.__kept = 1 }")
    page.select_option("select[name=label]", "Fake")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"label=Fake"))
    page.wait_for_function("() => document.querySelectorAll('article.card').length === 1")
    assert card_ids(page) == [ids["valley2"]]
    assert page.evaluate("() => window.__kept") == 1  # swapped by htmx, not reloaded
    page.go_back()
    page.wait_for_url(base + "/")
    assert watched.csp == []


def test_search(server: tuple[str, dict[str, str]], watched: Watched) -> None:
    base, ids = server
    page = watched.page
    page.goto(base + "/")
    page.fill("input[name=q]", "Kremlin")
    page.press("input[name=q]", "Enter")
    page.wait_for_url(re.compile(r"q=Kremlin"))
    page.wait_for_function("() => document.querySelectorAll('article.card').length === 1")
    assert card_ids(page) == [ids["seed"]]
    page.goto(base + "/?q=Kremlin")  # the same state, loaded whole from its URL
    assert card_ids(page) == [ids["seed"]]


def test_article_page_with_its_diff(server: tuple[str, dict[str, str]], watched: Watched) -> None:
    base, ids = server
    page = watched.page
    page.goto(f"{base}/articles/{ids['edited']}")
    assert page.locator("figure.caption figcaption").inner_text() == "The harbour at dawn"
    assert page.locator("#diff del").first.is_visible()
    page.select_option("select[name=a]", "2")
    page.select_option("select[name=b]", "1")
    page.click("form.compare button")
    page.wait_for_url(re.compile(r"a=2&b=1"))
    page.wait_for_function("() => document.querySelector('#diff').innerText.includes('Version 2 → version 1')")
    assert "March" in page.locator("#diff ins").all_inner_texts()
    page.goto(f"{base}/articles/{ids['edited']}")
    screenshot(page, "article.png")
    assert watched.csp == []


def test_review_flow(server: tuple[str, dict[str, str]], watched: Watched) -> None:
    base, ids = server
    page = watched.page
    page.goto(f"{base}/articles/{ids['edited']}/review")
    page.wait_for_url(re.compile(r"/login\?next="))
    page.fill("input[name=name]", "rita")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.login button")
    page.wait_for_url(f"{base}/articles/{ids['edited']}/review")
    page.check("input[name=label][value=Fake]")
    page.fill("textarea[name=note]", "Two fact-checks contradict it")
    page.click("form.review button")
    page.wait_for_selector("#audit td")
    row = page.locator("#audit tbody tr").first.inner_text()
    assert "rita" in row and "Misleading → Fake" in row and "Two fact-checks contradict it" in row
    page.goto(f"{base}/articles/{ids['edited']}")
    assert page.locator(".verdict .badge").first.inner_text() == "Fake"
    page.click("text=Sign out")
    page.wait_for_url(base + "/")
    assert page.locator("text=Sign in").is_visible()


@pytest.mark.parametrize("where", ["/", "hostile", "/outlets", "/outlets/hostile.example", "/?q=hostile", "link"])
def test_hostile_articles_never_run(server: tuple[str, dict[str, str]], watched: Watched, where: str) -> None:
    base, ids = server
    page = watched.page
    url = {"hostile": f"/articles/{ids['hostile']}", "link": f"/articles/{ids['hostile_link']}"}.get(where, where)
    page.goto(base + url)
    page.wait_for_load_state("load")
    for link in page.locator("a").all():
        href = link.get_attribute("href") or ""
        assert not href.strip().lower().startswith("javascript:"), href
    more = page.locator("a.read-more")
    if more.count() and (more.first.get_attribute("href") or "").startswith("/"):
        more.first.click()  # a javascript: link would run here (outbound ones are not followed: no network)
    assert page.evaluate("() => window.__xss") is None
    assert watched.dialogs == []


def test_hostile_text_swapped_in_by_htmx_never_runs(server: tuple[str, dict[str, str]], watched: Watched) -> None:
    base, ids = server
    page = watched.page
    page.goto(base + "/")
    page.wait_for_function("() => window.htmx !== undefined")
    page.fill("input[name=q]", "hostile")
    page.press("input[name=q]", "Enter")
    page.wait_for_url(re.compile(r"q=hostile"))
    page.wait_for_function(f"() => document.querySelector('#card-{ids['hostile']}') !== null")
    title = page.locator(f"#card-{ids['hostile']} h2").inner_text()
    assert title.startswith("<script>")  # shown as text
    assert page.evaluate("() => window.__xss") is None
    assert watched.dialogs == []
