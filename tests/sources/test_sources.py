"""Sources: discovery, OPML, sitemaps, the default list and the commands, on real servers on 127.0.0.1."""

from __future__ import annotations

import gzip
import json
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crawl.crawl_support import Site, article_html, paragraphs
from fetch.support import fast
from veracity.cli.main import app
from veracity.fetch import Fetcher
from veracity.sources.defaults import load_defaults
from veracity.sources.discover import discover
from veracity.sources.feeds import FeedProblem, feed_links
from veracity.sources.opml import read_opml, write_opml
from veracity.sources.xml import XmlProblem, parse_sitemap
from veracity.store.sources import FEED_KINDS, KINDS, FeedInfo, OutletInfo, SourceStore
from veracity.store.sql import SqlStore

T0 = datetime(2026, 1, 5, 8, 0, 0)
ENV = {"VERACITY_ALLOW_NETWORKS": "127.0.0.1/32", "VERACITY_MIN_HOST_DELAY": "0", "VERACITY_MAX_RETRIES": "0"}
runner = CliRunner()

HOMEPAGE = b"""<!DOCTYPE html><html lang="fr-FR"><head><title>La Gazette | Accueil</title>
<meta property="og:site_name" content="La Gazette du Port">
<link rel="alternate" type="application/rss+xml" title="RSS" href="/feed.xml">
<link rel="alternate" type="application/atom+xml" href="atom.xml">
<link rel="alternate" hreflang="en" href="/en/">
<link rel="stylesheet" href="/s.css">
</head><body><p>Bienvenue</p></body></html>"""

SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://gazette.example/a</loc><news:news><news:publication_date>2026-01-05</news:publication_date></news:news></url>
<url><loc>https://gazette.example/b</loc></url>
</urlset>"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://gazette.example/sitemap-1.xml</loc></sitemap>
</sitemapindex>"""

LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><opml version="2.0"><body><outline text="&c;" xmlUrl="https://x.example/f"/></body></opml>"""

XXE = b"""<?xml version="1.0"?><!DOCTYPE l [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<opml version="2.0"><body><outline text="&e;" xmlUrl="https://x.example/f"/></body></opml>"""


# -- parsing ---------------------------------------------------------------------------
def test_sitemap_news_and_index() -> None:
    sm = parse_sitemap(SITEMAP, "s", 100)
    assert sm.urls == ["https://gazette.example/a", "https://gazette.example/b"] and sm.news
    assert parse_sitemap(INDEX, "s", 100).sitemaps == ["https://gazette.example/sitemap-1.xml"]
    assert parse_sitemap(SITEMAP, "s", 1).urls == ["https://gazette.example/a"]
    links = feed_links(gzip.compress(SITEMAP), "https://gazette.example/sitemap.xml.gz", "sitemap", 100, 10**6)
    assert links.kind == "google-news" and [u for _, u in links.articles][1] == "https://gazette.example/b"


@pytest.mark.parametrize("doc", [LAUGHS, XXE], ids=["billion-laughs", "xxe"])
def test_hostile_xml_is_refused(doc: bytes) -> None:
    with pytest.raises(XmlProblem, match="hostile"):
        read_opml(doc, "f.opml")
    with pytest.raises(XmlProblem, match="hostile"):
        parse_sitemap(doc.replace(b"opml", b"urlset"), "s", 10)
    with pytest.raises(FeedProblem, match="hostile"):
        feed_links(doc.replace(b"opml", b"rss"), "https://x.example/f", "rss", 10, 10**6)


def test_gzip_bomb_sitemap_is_cut() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * 5_000_000 + b"</urlset>")
    with pytest.raises(FeedProblem, match="larger than"):
        feed_links(bomb, "https://x.example/s.xml.gz", "sitemap", 10, 1_000_000)


def test_broken_opml_and_not_opml() -> None:
    with pytest.raises(XmlProblem, match="broken"):
        read_opml(b"<opml><body><outline", "f")
    with pytest.raises(XmlProblem, match="not OPML"):
        read_opml(b"<rss/>", "f")


def test_flat_feed_reader_opml() -> None:
    doc = b"""<?xml version="1.0"?><opml version="1.0"><head/><body><outline text="News">
    <outline text="Gazette" type="rss" xmlUrl="https://www.gazette.example/feed" htmlUrl="https://www.gazette.example/"/>
    <outline text="Gazette sport" type="rss" xmlUrl="https://feeds.gazette.example/sport" htmlUrl="https://gazette.example/"/>
    <outline text="Bad" xmlUrl="ftp://bad.example/feed"/>
    </outline></body></opml>"""
    outlets = read_opml(doc, "f")
    assert [(o.domain, o.name, len(o.feeds)) for o in outlets] == [("gazette.example", "Gazette", 2)]


def test_opml_round_trip(store: SqlStore) -> None:
    sources = SourceStore(store.engine)
    info = OutletInfo(
        "Écho & Co", "echo.example", "FR", "fr", "fact-checker",
        (FeedInfo("https://echo.example/rss?a=1&b=2", "rss"), FeedInfo("https://echo.example/news.xml", "google-news")),
    )  # fmt: skip
    sources.add_outlet(info, T0, 1800)
    sources.add_outlet(
        OutletInfo("Other", "other.example", feeds=(FeedInfo("https://other.example/a", "atom"),)), T0, 60
    )
    back = read_opml(write_opml(sources.outlets()).encode(), "x")
    assert {o.domain: o for o in back}["echo.example"] == info
    assert {o.domain: o for o in back}["other.example"].feeds == (FeedInfo("https://other.example/a", "atom"),)


def test_default_list() -> None:
    outlets = load_defaults()
    assert len(outlets) >= 100
    assert len({o.domain for o in outlets}) == len(outlets)
    assert sum(o.kind == "fact-checker" for o in outlets) >= 20
    assert sum(o.kind == "satire" for o in outlets) >= 3
    assert len({o.country for o in outlets}) >= 30
    assert all(o.kind in KINDS and o.feeds and o.name and o.language for o in outlets)
    assert all(f.kind in FEED_KINDS and f.url.startswith(("http://", "https://")) for o in outlets for f in o.feeds)
    leans = {o["lean"] for o in json.loads(Path(load_defaults.__defaults__[0]).read_text())["outlets"]}  # type: ignore[index]
    assert {"left", "centre", "right"} <= leans


# -- discovery -------------------------------------------------------------------------
def test_discover_homepage_feeds_and_robots_sitemaps(site: Site) -> None:
    site.server.static("/", HOMEPAGE, headers={"Content-Type": "text/html"})
    site.server.static(
        "/robots.txt", b"User-agent: *\nAllow: /\nSitemap: /news-sitemap.xml\nsitemap: https://127.0.0.1/s.xml\n"
    )
    info = discover(Fetcher(fast()), site.url("/"))
    assert info.name == "La Gazette du Port" and info.language == "fr" and info.domain == "127.0.0.1"
    assert [(f.url, f.kind) for f in info.feeds] == [
        (site.url("/feed.xml"), "rss"),
        (site.url("/atom.xml"), "atom"),
        (site.url("/news-sitemap.xml"), "google-news"),
        ("https://127.0.0.1/s.xml", "sitemap"),
    ]


def test_discover_feed_or_sitemap_directly(site: Site) -> None:
    site.add(1)
    assert discover(Fetcher(fast()), site.url("/feed.xml")).feeds == (FeedInfo(site.url("/feed.xml"), "rss"),)
    site.server.static("/sm.xml", SITEMAP)
    assert discover(Fetcher(fast()), site.url("/sm.xml")).feeds == (FeedInfo(site.url("/sm.xml"), "google-news"),)


def test_discovery_goes_through_the_guard(site: Site) -> None:
    from veracity.fetch import BlockedAddress, FetchSettings

    with pytest.raises(BlockedAddress):
        discover(Fetcher(FetchSettings(min_host_delay=0)), site.url("/"))


# -- commands --------------------------------------------------------------------------
def _cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env=ENV)
    return result.exit_code, result.output


def test_commands(db_url: str, site: Site, tmp_path: Path) -> None:
    site.server.static("/", HOMEPAGE, headers={"Content-Type": "text/html"})
    code, out = _cli("sources", "add", site.url("/"), "--kind", "news", "--country", "fr", "--db", db_url)
    assert code == 0, out
    assert "La Gazette du Port (127.0.0.1): 2 feed(s) added" in out
    code, out = _cli("sources", "list", "--json", "--db", db_url)
    listed = json.loads(out)
    assert listed[0]["country"] == "FR" and listed[0]["kind"] == "news" and len(listed[0]["feeds"]) == 2

    opml = tmp_path / "out.opml"
    assert _cli("sources", "export", "--out", str(opml), "--db", db_url)[0] == 0
    assert _cli("sources", "remove", "127.0.0.1", "--db", db_url) == (0, "removed 2 feed(s)\n")
    assert json.loads(_cli("sources", "list", "--json", "--db", db_url)[1]) == []
    assert _cli("sources", "import", str(opml), "--db", db_url) == (0, "imported 1 outlet(s), 2 new feed(s)\n")
    assert _cli("sources", "disable", "La Gazette du Port", "--db", db_url)[0] == 0
    assert not json.loads(_cli("sources", "list", "--json", "--db", db_url)[1])[0]["enabled"]
    assert _cli("sources", "enable", site.url("/feed.xml"), "--db", db_url) == (0, "enabled 1 feed(s)\n")
    code, out = _cli("sources", "status", "--db", db_url)
    assert code == 0 and "La Gazette du Port" in out and "disabled by hand" in out

    code, out = _cli("sources", "import", "--defaults", "--db", db_url)
    assert code == 0 and out.startswith("imported ")
    code, out = _cli("sources", "remove", "nowhere.example", "--db", db_url)
    assert code == 1 and "no source" in out
    assert _cli("sources", "import", "--db", db_url)[0] == 2


def test_add_without_feeds_and_bad_opml(db_url: str, site: Site, tmp_path: Path) -> None:
    site.server.static("/", b"<html><head><title>Bare</title></head><body>no feeds</body></html>")
    code, out = _cli("sources", "add", site.url("/"), "--db", db_url)
    assert code == 1 and "no feed or sitemap found" in out
    bad = tmp_path / "bad.opml"
    bad.write_bytes(XXE)
    code, out = _cli("sources", "import", str(bad), "--db", db_url)
    assert code == 1 and "hostile" in out


def test_fetch_command(db_url: str, site: Site) -> None:
    url = site.add(4)
    site.server.static("/nav", b"<html><body><nav>Home</nav></body></html>")
    code, out = _cli("fetch", url, site.url("/nav"), site.url("/missing"), "--db", db_url)
    assert code == 0
    assert out.splitlines()[-1] == "ingested=1 updated=0 unchanged=0 failed=2"
    assert _cli("fetch", url, "--db", db_url)[1].splitlines()[-1] == "ingested=0 updated=0 unchanged=1 failed=0"
    assert _cli("fetch", site.url("/missing"), "--db", db_url)[0] == 1


def test_run_once_command(db_url: str, site: Site) -> None:
    for n in range(2):
        site.add(n)
    _cli("sources", "add", site.url("/feed.xml"), "--name", "Gazette", "--db", db_url)
    code, out = _cli("run", "--once", "--db", db_url)
    assert code == 0 and out.splitlines()[-1] == "ingested=2 updated=0 unchanged=0 failed=0"
    code, out = _cli("run", "--once", "--db", db_url)
    assert out.splitlines()[-1] == "ingested=0 updated=0 unchanged=0 failed=0"
    status = json.loads(_cli("sources", "status", "--json", "--db", db_url)[1])
    assert status[0]["new_articles"] == 2 and status[0]["last_error"] is None
    assert article_html("t", paragraphs(1))  # helpers stay importable


def test_run_and_fetch_warn_when_no_contact_url_is_set(
    db_url: str, site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The installed package record declares no [project.urls]: the User-Agent would name nobody.
    info = tmp_path / "veracity-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: veracity\nVersion: 0.1.0\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    url = site.add(1)
    for command in (["run", "--once"], ["fetch", url]):
        result = runner.invoke(app, [*command, "--db", db_url], env=ENV)
        assert result.exit_code == 0 and "warning: no contact URL" in result.stderr, result.output
        named = runner.invoke(app, [*command, "--db", db_url], env={**ENV, "VERACITY_CONTACT_URL": "https://d.example"})
        assert named.exit_code == 0 and "warning" not in named.stderr
    bad = runner.invoke(app, ["run", "--once", "--db", db_url], env={**ENV, "VERACITY_CONTACT_URL": "nope"})
    assert bad.exit_code == 2 and "VERACITY_CONTACT_URL" in bad.output
