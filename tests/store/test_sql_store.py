"""The SQL store on SQLite and PostgreSQL: versions, dates, ids, listing, search, migrations.

Every test taking ``store`` or ``db_url`` runs on both backends (``tests/conftest.py``).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, NoReturn

import pytest
from alembic import command as alembic_command
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text

from veracity.article import Article, Block, Outlet, article_id
from veracity.errors import AmbiguousIdError, ConfigError, NotFoundError, StoreError
from veracity.store import Outcome, SqlStore, StoredArticle, VersionRecord, open_store
from veracity.store import search as search_module
from veracity.store import sql as sql_module
from veracity.store.schema import articles, versions
from veracity.store.sql import engine_for, upgrade

BBC = Outlet("BBC News", "bbc.co.uk")
MONDE = Outlet("Le Monde", "lemonde.fr")
HEUTE = Outlet("ÖSTERREICH Heute", "Heute.AT")  # a domain as a feed might spell it

T0 = datetime(2024, 1, 1, 12, 0, 0)
T1 = datetime(2024, 1, 2, 12, 0, 0)
T2 = datetime(2024, 1, 3, 12, 0, 0)
T3 = datetime(2024, 1, 4, 12, 0, 0)


def make(
    title: str = "Storm hits the coast",
    paragraphs: tuple[str, ...] = ("Heavy rain fell overnight.", "Roads were closed."),
    *,
    captions: tuple[str, ...] = (),
    url: str | None = "https://bbc.co.uk/news/storm",
    outlet: Outlet = BBC,
    **fields: Any,
) -> Article:
    """An article; captions go after the first paragraph, as photos usually stand."""
    blocks = [Block(p) for p in paragraphs]
    blocks[1:1] = [Block(c, "caption") for c in captions]
    return Article(title=title, blocks=tuple(blocks), outlet=outlet, url=url, **fields)


def count(store: SqlStore, table: Any) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def ids(rows: list[StoredArticle]) -> list[str]:
    return [r.id for r in rows]


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


# -- upsert: identity and versions ---------------------------------------------------------


def test_upsert_is_idempotent(store: SqlStore) -> None:
    a = make(captions=("Photo: Reuters",), published=T0, label="Fake", authors=("A. Writer",))
    assert store.upsert(a, seen_at=T1) is Outcome.INGESTED
    assert store.upsert(a, seen_at=T2) is Outcome.UNCHANGED
    assert store.upsert(a, seen_at=T3) is Outcome.UNCHANGED
    assert count(store, articles) == 1
    assert count(store, versions) == 1
    assert store.get(a.id) == StoredArticle(a.id, a, T0, T0, 1)
    assert [v.number for v in store.versions(a.id)] == [1]


@pytest.mark.parametrize(
    "changed",
    [
        make(title="Storm hits the coast, two dead"),
        make(paragraphs=("Heavy rain fell overnight.", "Roads were closed until noon.")),
        make(paragraphs=("Heavy rain fell overnight.",)),
        make(paragraphs=("Heavy rain fell overnight.", "Roads were closed.", "A third paragraph.")),
        make(paragraphs=("Roads were closed.", "Heavy rain fell overnight.")),
        make(title="Storm hits the Coast"),
    ],
    ids=["title", "paragraph-text", "paragraph-removed", "paragraph-added", "paragraphs-reordered", "title-case"],
)
def test_changed_title_or_body_is_a_new_version(store: SqlStore, changed: Article) -> None:
    first = make()
    assert changed.id == first.id
    assert store.upsert(first, seen_at=T0) is Outcome.INGESTED
    assert store.upsert(changed, seen_at=T1) is Outcome.UPDATED
    assert store.upsert(changed, seen_at=T2) is Outcome.UNCHANGED
    stored = store.get(first.id)
    assert stored.versions == 2
    assert stored.article == changed
    assert [v.article for v in store.versions(first.id)] == [first, changed]
    assert count(store, articles) == 1
    assert count(store, versions) == 2


@pytest.mark.parametrize(
    "same",
    [
        make(captions=("Photo: Reuters",)),
        make(captions=("Photo: AP", "Another caption")),
        make(title="  Storm   hits\tthe coast \n"),
        make(paragraphs=(" Heavy  rain fell\novernight. ", "Roads\twere closed.")),
        make(title="Storm\u00a0hits the\u00a0coast"),
        make(paragraphs=("Heavy\u00a0rain fell overnight.", "Roads were\u202fclosed.")),
        make(paragraphs=("Heavy rain\u200b fell overnight.", "Roads were closed.")),
        make(modified=T3, published=T2, section="UK", authors=("Someone",), language="en"),
        make(url="http://www.bbc.co.uk/news/storm/?utm_source=twitter#top"),
        make(source="feed.xml#3"),
    ],
    ids=[
        "caption-added",
        "captions-changed",
        "title-whitespace",
        "body-whitespace",
        "title-nbsp",
        "body-nbsp-narrow-nbsp",
        "zero-width-space",
        "metadata-only",
        "same-url-other-form",
        "other-source",
    ],
)
def test_unchanged_when_only_captions_whitespace_or_metadata_differ(store: SqlStore, same: Article) -> None:
    first = make(captions=("Photo: Reuters",))
    assert same.id == first.id
    assert store.upsert(first, seen_at=T0) is Outcome.INGESTED
    assert store.upsert(same, seen_at=T1) is Outcome.UNCHANGED
    stored = store.get(first.id)
    assert stored == StoredArticle(first.id, first, T0, T0, 1)
    assert count(store, versions) == 1


def test_nfc_and_nfd_titles_are_the_same_content(store: SqlStore) -> None:
    nfc = make(title="Caf\u00e9 closes")
    nfd = make(title="Cafe\u0301 closes")
    assert store.upsert(nfc, seen_at=T0) is Outcome.INGESTED
    assert store.upsert(nfd, seen_at=T1) is Outcome.UNCHANGED
    assert store.get(nfc.id).article.title == "Caf\u00e9 closes"


def test_identity_by_canonical_url_then_by_outlet_and_title(store: SqlStore) -> None:
    canonical = make(url="https://m.bbc.co.uk/x?id=1", canonical_url="https://bbc.co.uk/news/storm")
    plain = make(url="https://bbc.co.uk/news/storm")
    assert canonical.id == plain.id
    assert store.upsert(canonical) is Outcome.INGESTED
    assert store.upsert(plain) is Outcome.UNCHANGED

    no_url = make(url=None, outlet=Outlet("Local Paper"))
    assert store.upsert(no_url) is Outcome.INGESTED
    # Same outlet and title (whitespace aside), so the same article.
    assert store.upsert(replace(no_url, title=" Storm  hits the\u00a0coast ")) is Outcome.UNCHANGED
    # A new title without a URL is a different article, not a new version.
    retitled = replace(no_url, title="Storm leaves the coast")
    assert retitled.id != no_url.id
    assert store.upsert(retitled) is Outcome.INGESTED
    # The same title at another outlet is another article.
    assert store.upsert(replace(no_url, outlet=Outlet("Other Paper"))) is Outcome.INGESTED
    assert count(store, articles) == 4
    assert count(store, versions) == 4


# -- created_at / updated_at -----------------------------------------------------------


def test_dates_of_an_article_without_dates_follow_seen_at(store: SqlStore) -> None:
    a = make()
    store.upsert(a, seen_at=T0)
    assert (store.get(a.id).created_at, store.get(a.id).updated_at) == (T0, T0)
    b = make(title="Storm hits the coast again")
    assert store.upsert(b, seen_at=T2) is Outcome.UPDATED
    assert (store.get(a.id).created_at, store.get(a.id).updated_at) == (T0, T2)
    assert store.upsert(b, seen_at=T3) is Outcome.UNCHANGED
    assert (store.get(a.id).created_at, store.get(a.id).updated_at) == (T0, T2)
    assert [(v.number, v.seen_at) for v in store.versions(a.id)] == [(1, T0), (2, T2)]


def test_dates_default_to_now_when_no_seen_at(store: SqlStore) -> None:
    a = make()
    before = now()
    store.upsert(a)
    after = now()
    stored = store.get(a.id)
    assert before <= stored.created_at <= after
    assert stored.updated_at == stored.created_at
    assert before <= store.versions(a.id)[0].seen_at <= after


def test_dates_of_a_card_with_published_and_modified(store: SqlStore) -> None:
    published = datetime(2024, 3, 1, 10, 0)
    modified = datetime(2024, 3, 2, 8, 30)
    card = make(published=published, modified=modified, label="Misleading")
    store.upsert(card, seen_at=datetime(2024, 5, 1))
    stored = store.get(card.id)
    assert (stored.created_at, stored.updated_at) == (published, modified)

    # A later edit: created stays, updated is the new modified time.
    edit = make(title="Edited title", published=published, modified=datetime(2024, 3, 5, 9, 0))
    assert store.upsert(edit, seen_at=datetime(2024, 5, 2)) is Outcome.UPDATED
    stored = store.get(card.id)
    assert (stored.created_at, stored.updated_at) == (published, datetime(2024, 3, 5, 9, 0))

    # A version that names no modified time was updated when seen.
    plain = make(title="Edited again", published=published)
    assert store.upsert(plain, seen_at=datetime(2024, 5, 3)) is Outcome.UPDATED
    stored = store.get(card.id)
    assert (stored.created_at, stored.updated_at) == (published, datetime(2024, 5, 3))
    assert [(v.article.published, v.article.modified) for v in store.versions(card.id)] == [
        (published, modified),
        (published, datetime(2024, 3, 5, 9, 0)),
        (published, None),
    ]


def test_dates_of_an_article_with_published_only(store: SqlStore) -> None:
    a = make(published=T1)
    store.upsert(a, seen_at=T3)
    assert (store.get(a.id).created_at, store.get(a.id).updated_at) == (T1, T1)


def test_created_is_kept_from_the_first_version(store: SqlStore) -> None:
    store.upsert(make(published=T1), seen_at=T3)
    # A later version claiming an earlier publication time does not move created_at.
    later = make(title="New title", published=T0, modified=T2)
    store.upsert(later, seen_at=T3)
    stored = store.get(later.id)
    assert (stored.created_at, stored.updated_at) == (T1, T2)


def test_updated_is_never_before_created(store: SqlStore) -> None:
    a = make(published=T2, modified=T0)
    store.upsert(a, seen_at=T3)
    assert (store.get(a.id).created_at, store.get(a.id).updated_at) == (T2, T2)
    b = make(title="Corrected", modified=T1)
    store.upsert(b, seen_at=T3)
    assert (store.get(a.id).created_at, store.get(a.id).updated_at) == (T2, T2)


def test_seen_at_keeps_microseconds(store: SqlStore) -> None:
    seen = datetime(2024, 6, 1, 8, 0, 0, 123456)
    a = make()
    store.upsert(a, seen_at=seen)
    assert store.versions(a.id)[0].seen_at == seen
    assert store.get(a.id).created_at == seen


# -- labels and versions -------------------------------------------------------------------


def test_same_text_with_a_new_label_takes_the_label_without_a_new_version(store: SqlStore) -> None:
    """A fact-checker's changed rating on an unchanged article is kept (the verdict stage records it), not dropped."""
    first = make(label="Truth")
    assert store.upsert(first, seen_at=T0) is Outcome.INGESTED
    assert store.upsert(make(label="Misleading"), seen_at=T1) is Outcome.RELABELLED
    assert store.get(first.id).article.label == "Misleading"
    assert [r.article.label for r in (*store.latest(), *store.search("storm"), *store.iter_all())] == ["Misleading"] * 3
    assert [v.article.label for v in store.versions(first.id)] == ["Truth"]  # the version keeps what was read
    assert count(store, versions) == 1
    for same in (make(label="Misleading"), make(label="Unverified"), make()):  # "Unverified" or none says nothing
        assert store.upsert(same, seen_at=T2) is Outcome.UNCHANGED
    assert store.get(first.id).article.label == "Misleading"


def test_label_is_kept_when_a_later_version_has_none(store: SqlStore) -> None:
    v1 = make(label="Fake")
    v2 = make(title="Second title")
    v3 = make(title="Third title")
    for i, a in enumerate((v1, v2, v3)):
        store.upsert(a, seen_at=datetime(2024, 1, 1 + i))
    assert store.get(v1.id).article.label == "Fake"
    assert store.get(v1.id).article.title == "Third title"
    assert [r.article.label for r in store.latest()] == ["Fake"]
    assert [r.article.label for r in store.search("third")] == ["Fake"]
    assert [r.article.label for r in store.iter_all()] == ["Fake"]
    # Each version keeps what was read.
    assert [v.article.label for v in store.versions(v1.id)] == ["Fake", None, None]

    v4 = make(title="Fourth title", label="Truth")
    store.upsert(v4, seen_at=datetime(2024, 1, 9))
    assert store.get(v1.id).article.label == "Truth"
    store.upsert(make(title="Fifth title"), seen_at=datetime(2024, 1, 10))
    assert store.get(v1.id).article.label == "Truth"


def test_versions_returns_every_version_in_order_with_its_content(store: SqlStore) -> None:
    v1 = make(
        captions=("Photo: Reuters",),
        url="https://bbc.co.uk/news/storm?utm_source=x",
        canonical_url="https://bbc.co.uk/news/storm",
        section="UK",
        authors=("Jane Doe", "John Roe"),
        language="en",
        published=T0,
        label="Unverified",
        source="cards/storm.txt",
    )
    v2 = replace(v1, title="Storm kills two", modified=T1, label=None, source="feed.xml#2", authors=())
    v3 = replace(
        v2,
        blocks=(Block("Rain stopped."), Block("New photo", "caption"), Block("Clean-up began.")),
        modified=T2,
        section=None,
        language=None,
        source="https://bbc.co.uk/news/storm",
    )
    assert store.upsert(v1, seen_at=datetime(2024, 2, 1)) is Outcome.INGESTED
    assert store.upsert(v2, seen_at=datetime(2024, 2, 2)) is Outcome.UPDATED
    assert store.upsert(v2, seen_at=datetime(2024, 2, 3)) is Outcome.UNCHANGED
    assert store.upsert(v3, seen_at=datetime(2024, 2, 4)) is Outcome.UPDATED
    expected = [
        VersionRecord(1, datetime(2024, 2, 1), v1),
        VersionRecord(2, datetime(2024, 2, 2), v2),
        VersionRecord(3, datetime(2024, 2, 4), v3),
    ]
    assert store.versions(v1.id) == expected
    assert store.versions(v1.id[:5].upper()) == expected
    assert store.get(v1.id) == StoredArticle(v1.id, replace(v3, label="Unverified"), T0, T2, 3)


def test_versions_are_per_article(store: SqlStore) -> None:
    a, b = make(), make(url="https://bbc.co.uk/news/other")
    store.upsert(a, seen_at=T0)
    store.upsert(b, seen_at=T0)
    store.upsert(replace(b, title="B again"), seen_at=T1)
    assert [v.number for v in store.versions(a.id)] == [1]
    assert [v.article.title for v in store.versions(b.id)] == ["Storm hits the coast", "B again"]


# -- ids: prefixes, ambiguity, not found ---------------------------------------------------


@cache
def colliding_urls(length: int = 4) -> tuple[str, str]:
    """Two article URLs whose ids share their first ``length`` characters (and differ after)."""
    seen: dict[str, str] = {}
    n = 0
    while True:
        url = f"https://ids.example/{n}"
        aid = article_id("url:" + url)
        prefix = aid[:length]
        if prefix in seen and article_id("url:" + seen[prefix])[length] != aid[length]:
            return seen[prefix], url
        seen.setdefault(prefix, url)
        n += 1


def test_colliding_urls_helper() -> None:
    first, second = colliding_urls()
    a, b = make(url=first), make(url=second)
    assert a.id != b.id
    assert a.id[:4] == b.id[:4]
    assert a.id[4] != b.id[4]
    assert a.id == hashlib.sha256(a.key.encode()).hexdigest()[:12]


def test_get_by_full_id_and_unique_prefix(store: SqlStore) -> None:
    a = make()
    store.upsert(a, seen_at=T0)
    store.upsert(make(url="https://bbc.co.uk/news/other"), seen_at=T0)
    assert len(a.id) == 12
    for given in (a.id, a.id[:8], a.id.upper(), f"  {a.id[:6]} \n"):
        assert store.get(given).id == a.id
        assert store.get(given).article == a


def test_ambiguous_prefix(store: SqlStore) -> None:
    first, second = colliding_urls()
    a, b = make(url=first), make(url=second)
    store.upsert(a)
    store.upsert(b)
    prefix = a.id[:4]
    with pytest.raises(AmbiguousIdError) as info:
        store.get(prefix)
    assert info.value.item == prefix
    with pytest.raises(AmbiguousIdError):
        store.versions(prefix)
    with pytest.raises(AmbiguousIdError):
        store.get(prefix[:1])
    assert store.get(a.id[:5]).id == a.id
    assert store.get(b.id[:5]).id == b.id
    assert [v.article.url for v in store.versions(b.id[:5])] == [second]


def test_not_found(store: SqlStore) -> None:
    a = make()
    store.upsert(a)
    for given in ("", "   ", "ffffffffffff0", a.id + "0", "zz", "%", "_", "____", "a%", "*", "'; DROP TABLE x"):
        with pytest.raises(NotFoundError) as info:
            store.get(given)
        assert info.value.item == given
        with pytest.raises(NotFoundError):
            store.versions(given)


def test_not_found_in_an_empty_store(store: SqlStore) -> None:
    with pytest.raises(NotFoundError):
        store.get("abc")
    assert store.latest() == []
    assert store.search("storm") == []
    assert list(store.iter_all()) == []


# -- latest ----------------------------------------------------------------------------------


@pytest.fixture
def listing(store: SqlStore) -> dict[str, Article]:
    """Five articles from three outlets with known updated_at times."""
    arts = {
        "bbc1": make("BBC one", url="https://bbc.co.uk/1", published=datetime(2024, 1, 1)),
        "bbc2": make("BBC two", url="https://bbc.co.uk/2", published=datetime(2024, 1, 3)),
        "monde": make("Le Monde un", url="https://lemonde.fr/1", outlet=MONDE, published=datetime(2024, 1, 2)),
        "heute": make("Heute eins", url="https://heute.at/1", outlet=HEUTE, published=datetime(2024, 1, 3)),
        "nodomain": make("Blog post", url=None, outlet=Outlet("Some Blog"), published=datetime(2023, 12, 1)),
    }
    for a in arts.values():
        assert store.upsert(a, seen_at=datetime(2024, 2, 1)) is Outcome.INGESTED
    return arts


def test_latest_orders_by_updated_newest_first_ties_by_id(store: SqlStore, listing: dict[str, Article]) -> None:
    tied = sorted([listing["bbc2"].id, listing["heute"].id])
    expected = [*tied, listing["monde"].id, listing["bbc1"].id, listing["nodomain"].id]
    assert ids(store.latest()) == expected
    assert ids(store.latest(limit=None)) == expected
    assert ids(store.latest(limit=2)) == expected[:2]
    assert ids(store.latest(limit=1)) == expected[:1]
    assert ids(store.latest(limit=100)) == expected
    assert [r.updated_at for r in store.latest()] == [
        datetime(2024, 1, 3),
        datetime(2024, 1, 3),
        datetime(2024, 1, 2),
        datetime(2024, 1, 1),
        datetime(2023, 12, 1),
    ]


def test_latest_moves_an_updated_article_to_the_top(store: SqlStore, listing: dict[str, Article]) -> None:
    changed = replace(listing["bbc1"], title="BBC one, updated", modified=datetime(2024, 1, 10))
    assert store.upsert(changed, seen_at=datetime(2024, 2, 2)) is Outcome.UPDATED
    top = store.latest(limit=1)[0]
    assert (top.id, top.article.title, top.versions) == (changed.id, "BBC one, updated", 2)


OUTLET_QUERIES = [
    ("BBC News", ["bbc2", "bbc1"]),
    ("bbc news", ["bbc2", "bbc1"]),
    ("BBC NEWS", ["bbc2", "bbc1"]),
    ("bbc.co.uk", ["bbc2", "bbc1"]),
    ("BBC.co.UK", ["bbc2", "bbc1"]),
    ("le monde", ["monde"]),
    ("lemonde.fr", ["monde"]),
    ("österreich heute", ["heute"]),
    ("Österreich HEUTE", ["heute"]),
    ("heute.at", ["heute"]),
    ("some blog", ["nodomain"]),
    ("BBC", []),
    ("bbc.co", []),
    ("news", []),
    ("%", []),
    ("Le_Monde", []),
]


def test_latest_outlet_filter_by_name_any_case_or_domain(store: SqlStore, listing: dict[str, Article]) -> None:
    got = {outlet: ids(store.latest(outlet=outlet)) for outlet, _ in OUTLET_QUERIES}
    assert got == {outlet: [listing[k].id for k in expected] for outlet, expected in OUTLET_QUERIES}


def test_latest_since_is_inclusive_and_combines(store: SqlStore, listing: dict[str, Article]) -> None:
    since = datetime(2024, 1, 2)
    assert ids(store.latest(since=since)) == ids(store.latest())[:3]
    assert {r.id for r in store.latest(since=since)} == {listing[k].id for k in ("bbc2", "heute", "monde")}
    assert ids(store.latest(since=datetime(2024, 1, 2, 0, 0, 1))) == ids(store.latest())[:2]
    assert store.latest(since=datetime(2024, 1, 4)) == []
    assert len(store.latest(since=datetime(2000, 1, 1))) == 5
    assert ids(store.latest(since=datetime(2023, 12, 31), outlet="bbc.co.uk")) == [
        listing["bbc2"].id,
        listing["bbc1"].id,
    ]
    assert ids(store.latest(since=datetime(2023, 12, 31), outlet="bbc.co.uk", limit=1)) == [listing["bbc2"].id]


# -- search ------------------------------------------------------------------------------------


def test_title_match_ranks_above_body_only_match(store: SqlStore) -> None:
    body_only = make(
        "Council meets on Tuesday", ("The zebra was seen near the council offices today.",), url="https://t.example/1"
    )
    in_title = make(
        "Zebra seen near offices", ("The animal was seen near the council offices today.",), url="https://t.example/2"
    )
    other = make("Nothing to see", ("No animals here at all today.",), url="https://t.example/3")
    for a in (body_only, other, in_title):
        store.upsert(a)
    assert ids(store.search("zebra")) == [in_title.id, body_only.id]
    assert ids(store.search("ZEBRA")) == [in_title.id, body_only.id]
    assert ids(store.search("zebra offices")) == [in_title.id, body_only.id]
    assert ids(store.search("zebra", limit=1)) == [in_title.id]
    assert ids(store.search("council")) == [body_only.id, in_title.id]


def test_search_needs_every_word(store: SqlStore) -> None:
    a = make("Floods in Valencia", ("Rivers burst their banks.",), url="https://t.example/a")
    b = make("Floods in Porto", ("Rivers rose slowly.",), url="https://t.example/b")
    store.upsert(a)
    store.upsert(b)
    assert set(ids(store.search("floods rivers"))) == {a.id, b.id}
    assert ids(store.search("floods valencia")) == [a.id]
    assert ids(store.search("rivers burst")) == [a.id]
    assert ids(store.search("floods lisbon")) == []


def test_search_covers_captions_and_the_newest_version_only(store: SqlStore) -> None:
    a = make("Old headline", ("Old body words.",), captions=("Photographed by Quentin",))
    store.upsert(a)
    assert ids(store.search("quentin")) == [a.id]
    assert store.upsert(make("New headline", ("Fresh body words.",))) is Outcome.UPDATED
    assert store.search("old") == []
    assert store.search("quentin") == []
    assert ids(store.search("fresh headline")) == [a.id]
    assert store.search("new headline")[0].article.title == "New headline"


def test_postgresql_ranks_the_newest_matches_only(store: SqlStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """Beyond RANK_WINDOW matches PostgreSQL ranks the newest ones; SQLite ranks them all."""
    oldest = make("Zebra crossing opens", ("Traffic was calm.",), url="https://t.example/z0")
    newer = [make(f"Town news {i}", (f"A zebra was seen, report {i}.",), url=f"https://t.example/z{i}") for i in (1, 2)]
    for day, a in zip((T0, T1, T2), (oldest, *newer), strict=True):
        store.upsert(a, seen_at=day)
    assert ids(store.search("zebra", limit=1)) == [oldest.id]  # the title match ranks first
    monkeypatch.setattr(search_module, "RANK_WINDOW", 2)
    best = ids(store.search("zebra", limit=1))
    if store.dialect == "postgresql":
        assert best != [oldest.id] and best[0] in {a.id for a in newer}
        assert ids(store.search("zebra", limit=3))[0] == oldest.id  # a window never smaller than the limit
    else:
        assert best == [oldest.id]


def test_search_limit(store: SqlStore) -> None:
    for i in range(5):
        store.upsert(make(f"Market report {i}", ("Shares rose.",), url=f"https://t.example/{i}"))
    assert len(store.search("market")) == 5
    assert len(store.search("market", limit=3)) == 3
    assert len(store.search("market", limit=1)) == 1


def test_search_finds_nbsp_text_with_a_normal_space_query(store: SqlStore) -> None:
    a = make("Donald\u00a0Trump speaks", ("Mr\u00a0Trump said\u00a0«\u00a0non\u00a0»\u202fto reporters.",))
    store.upsert(a)
    assert ids(store.search("Donald Trump")) == [a.id]
    assert ids(store.search("said non")) == [a.id]
    assert ids(store.search("Donald\u00a0Trump")) == [a.id]
    plain = make("Joe Biden speaks", ("Plain spaces here.",), url="https://t.example/plain")
    store.upsert(plain)
    assert ids(store.search("joe\u00a0biden")) == [plain.id]
    # The stored text keeps its NBSPs.
    assert store.get(a.id).article.title == "Donald\u00a0Trump speaks"


def test_search_words_with_hyphens_dots_and_numbers(store: SqlStore) -> None:
    a = make(
        "COVID-19 cases fall in the U.S.",
        ("Inflation was 3.5% says stats.example.org, e-mail press@stats.example.org.",),
    )
    store.upsert(a)
    for query in ("covid-19", "COVID 19", "19", "covid", "U.S.", "3.5", "example", "e-mail", "press", "stats"):
        assert ids(store.search(query)) == [a.id], query


ZEBRA = make("Zebra crossing reopens", ("The zebra crossing and the road reopened.",), url="https://t.example/zebra")
GIRAFFE = make("Giraffe escapes", ("A giraffe left the zoo.",), url="https://t.example/giraffe")


OPERATOR_QUERIES = [
    ('"zebra', [ZEBRA]),
    ('zebra"', [ZEBRA]),
    ('"zebra crossing"', [ZEBRA]),
    ('"zebra" "', [ZEBRA]),
    ('zebra""crossing', [ZEBRA]),
    ("zebra*", [ZEBRA]),
    ("zebra:*", [ZEBRA]),
    ("zebra AND crossing", [ZEBRA]),
    ("zebra AND giraffe", []),
    ("zebra OR giraffe", []),
    ("NOT giraffe", []),
    ("zebra NOT", []),
    ("-giraffe", [GIRAFFE]),
    ("zebra -crossing", [ZEBRA]),
    ("title:zebra", []),
    ("zebra:", [ZEBRA]),
    ("NEAR(zebra crossing)", []),
    ("(zebra", [ZEBRA]),
    ("zebra)", [ZEBRA]),
    ("^zebra", [ZEBRA]),
    ("zebra + crossing", [ZEBRA]),
    ("zebra&crossing", [ZEBRA]),
    ("zebra | road", [ZEBRA]),
    ("!zebra", [ZEBRA]),
    ("'zebra'", [ZEBRA]),
    ("zebra's", []),
    ("zebra\\", [ZEBRA]),
    ("{zebra}", [ZEBRA]),
    ("[zebra]", [ZEBRA]),
    ("zebra\x00", [ZEBRA]),
    ("zebra;--", [ZEBRA]),
    ("zebra' OR '1'='1", []),
]


def test_search_queries_with_operators_never_raise(store: SqlStore) -> None:
    """Operators are plain words: every word, quoted or not, must occur."""
    store.upsert(ZEBRA)
    store.upsert(GIRAFFE)
    got = {query: ids(store.search(query)) for query, _ in OPERATOR_QUERIES}
    assert got == {query: [a.id for a in found] for query, found in OPERATOR_QUERIES}


def test_search_folds_accents_on_both_backends(store: SqlStore) -> None:
    a = make("Été à Malmö", ("Le café naïf ferme.", "Zoë Ångström said so."))
    store.upsert(a)
    for query in ("ete malmo", "Été Malmö", "cafe naif", "CAFÉ", "zoe angstrom", "Ångström"):
        assert ids(store.search(query)) == [a.id], query


@pytest.mark.postgres
def test_postgres_migration_0009_refolds_vectors_written_before(pg_url: str) -> None:
    store = open_store(pg_url)
    a = make("Été à Malmö", ("Le café ferme.", "Roads were closed."))
    store.upsert(a)
    with store.engine.begin() as conn:  # the vector as 0008's code wrote it: accents kept
        conn.execute(
            text("UPDATE articles SET search_vector = to_tsvector('simple', :t) WHERE id = :id"),
            {"t": "Été à Malmö Le café ferme", "id": a.id},
        )
        conn.execute(text("UPDATE alembic_version SET version_num = '0008'"))
    assert ids(store.search("ete malmo")) == []
    assert upgrade(store.engine) is True
    assert ids(store.search("ete malmo")) == [a.id]
    assert ids(store.search("roads closed")) == [a.id]  # written from the newest version, body included
    store.close()


def test_search_without_words_returns_nothing(store: SqlStore) -> None:
    store.upsert(ZEBRA)
    queries = ["", " ", "\u00a0", "\t\n", '"', '""', "*", "-", ":", "()", "'", "\\", "&|!", "%", "🦓", "—", "..."]
    assert {q: store.search(q) for q in queries} == {q: [] for q in queries}


# -- iter_all ----------------------------------------------------------------------------------


@pytest.mark.parametrize("batch", [1, 2, 3, 5, 500])
def test_iter_all_yields_everything_once(store: SqlStore, batch: int) -> None:
    made = [make(f"Article {i}", (f"Body {i}.",), url=f"https://x.example/{i}") for i in range(5)]
    for a in made:
        store.upsert(a, seen_at=T0)
    store.upsert(replace(made[2], title="Article 2 again"), seen_at=T1)
    got = list(store.iter_all(batch=batch))
    assert len(got) == 5
    assert {s.id for s in got} == {a.id for a in made}
    by_id = {s.id: s for s in got}
    assert by_id[made[2].id].article.title == "Article 2 again"
    assert by_id[made[2].id].versions == 2
    assert by_id[made[0].id] == StoredArticle(made[0].id, made[0], T0, T0, 1)


def test_iter_all_reads_in_batches(store: SqlStore, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(5):
        store.upsert(make(f"Article {i}", url=f"https://x.example/{i}"))
    sizes: list[int] = []
    real = SqlStore._stored

    def spy(self: SqlStore, conn: Any, rows: Any) -> list[StoredArticle]:
        sizes.append(len(rows))
        return real(self, conn, rows)

    monkeypatch.setattr(SqlStore, "_stored", spy)
    it: Iterator[StoredArticle] = store.iter_all(batch=2)
    first = next(it)
    assert sizes == [2]
    rest = list(it)
    assert sizes == [2, 2, 1]
    assert len({first.id, *(r.id for r in rest)}) == 5


# -- unicode ------------------------------------------------------------------------------------


def test_unicode_round_trip(store: SqlStore) -> None:
    a = Article(
        title="عاجل: 🚨 Breaking — שלום\u00a0עולם",
        blocks=(
            Block("Family emoji 👩\u200d👩\u200d👧 and flag 🇺🇦, «guillemets»\u00a0!"),
            Block("صورة: رويترز\u00a0— photo", "caption"),
            Block("Cafe\u0301 na\u00efve \u202fthin\u2009space\u00a0\u00a0double  spaces\ttab\nnewline"),
            Block("  leading and trailing  "),
        ),
        outlet=Outlet("الجزيرة", "aljazeera.net"),
        url="https://aljazeera.net/ar/news/عاجل?q=ü",
        section="Wörld/世界",
        authors=("José Ñúñez", "李雷", "Zoë O’Brien"),
        language="ar",
        published=T0,
        label="Unverified",
        source="cards/ünïcode 📰.txt",
    )
    assert store.upsert(a, seen_at=T1) is Outcome.INGESTED
    stored = store.get(a.id)
    assert stored.article == a
    assert [b.text for b in stored.article.blocks] == [b.text for b in a.blocks]
    assert (
        stored.article.blocks[2].text
        == "Cafe\u0301 na\u00efve \u202fthin\u2009space\u00a0\u00a0double  spaces\ttab\nnewline"
    )
    assert store.versions(a.id)[0].article == a
    assert [s.article for s in store.iter_all()] == [a]
    assert ids(store.search("שלום עולם")) == [a.id]
    assert ids(store.search("رويترز")) == [a.id]
    assert ids(store.latest(outlet="الجزيرة")) == [a.id]
    assert store.upsert(a, seen_at=T2) is Outcome.UNCHANGED


# -- migrations, WAL, configuration -------------------------------------------------------------


def head_revision() -> str:
    with engine_for("sqlite://").connect() as conn:
        head = ScriptDirectory.from_config(sql_module.alembic_config(conn)).get_current_head()
    assert head is not None
    return head


def test_migrations_run_once_and_reopening_keeps_data(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = engine_for(db_url)
    assert upgrade(engine) is True
    assert upgrade(engine) is False
    engine.dispose()
    store = open_store(db_url)
    a = make()
    store.upsert(a, seen_at=T0)
    store.upsert(make(title="v2"), seen_at=T1)
    store.close()

    def no_migrations(*args: object, **kwargs: object) -> NoReturn:
        raise AssertionError("migrations ran again")

    monkeypatch.setattr(alembic_command, "upgrade", no_migrations)
    again = open_store(db_url)
    try:
        assert again.get(a.id).versions == 2
        assert again.get(a.id).article.title == "v2"
        assert again.upsert(make(url="https://bbc.co.uk/3")) is Outcome.INGESTED
        with again.engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [head_revision()]
    finally:
        again.close()


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "wal.db"
    store = open_store(f"sqlite:///{path}")
    try:
        store.upsert(make())
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    finally:
        store.close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    raw.close()


def test_sqlite_migration_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A migration that fails half-way leaves no tables behind, so the next open starts clean."""
    url = f"sqlite:///{tmp_path / 'atomic.db'}"
    real = alembic_command.upgrade

    def fail_after_ddl(cfg: Any, rev: str) -> None:
        real(cfg, rev)
        raise RuntimeError("killed")

    monkeypatch.setattr(alembic_command, "upgrade", fail_after_ddl)
    with pytest.raises(RuntimeError):
        open_store(url)
    monkeypatch.setattr(alembic_command, "upgrade", real)
    with sqlite3.connect(tmp_path / "atomic.db") as raw:
        tables = raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    raw.close()
    assert tables == []
    store = open_store(url)
    assert store.upsert(make()) is Outcome.INGESTED
    store.close()


def veracity_cli() -> list[str]:
    script = Path(sys.executable).with_name("veracity")
    return [str(script)] if script.exists() else [sys.executable, "-m", "veracity"]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERACITY_")}
    return subprocess.run([*veracity_cli(), *args], capture_output=True, text=True, env=env, timeout=60, check=False)


def test_cli_db_upgrade(db_url: str) -> None:
    first = run_cli("db", "upgrade", "--db", db_url)
    assert (first.returncode, first.stdout) == (0, "database upgraded\n"), first.stderr
    again = run_cli("db", "upgrade", "--db", db_url)
    assert (again.returncode, again.stdout) == (0, "database already up to date\n"), again.stderr
    store = open_store(db_url)
    try:
        assert store.upsert(make()) is Outcome.INGESTED
    finally:
        store.close()


def test_cli_db_upgrade_on_a_store_in_use(store: SqlStore, db_url: str) -> None:
    store.upsert(make())
    done = run_cli("db", "upgrade", "--db", db_url)
    assert (done.returncode, done.stdout) == (0, "database already up to date\n"), done.stderr
    assert count(store, articles) == 1


def test_cli_db_upgrade_rejects_other_databases() -> None:
    done = run_cli("db", "upgrade", "--db", "mysql://user@localhost/db")
    assert done.returncode == 1
    assert done.stdout == ""
    assert "only sqlite:/// and postgresql:// databases are supported" in " ".join(done.stderr.split())


@pytest.mark.parametrize(
    "url",
    [
        "mysql://user@localhost/db",
        "mysql+pymysql://user@localhost/db",
        "oracle://user:pw@host/db",
        "mssql+pyodbc://host/db",
        "http://example.com/db",
        "",
        "not a url",
        "veracity.db",
    ],
)
def test_other_databases_are_a_config_error(url: str) -> None:
    with pytest.raises(ConfigError):
        open_store(url)
    with pytest.raises(ConfigError):
        engine_for(url)


def test_missing_driver_is_a_config_error() -> None:
    if importlib.util.find_spec("psycopg2") is not None:
        pytest.skip("psycopg2 is installed here")
    with pytest.raises(ConfigError, match="driver"):
        open_store("postgresql+psycopg2://postgres@127.0.0.1/test")


def test_unreachable_databases_are_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError):
        open_store(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.db'}")
    with pytest.raises(StoreError):
        open_store("postgresql://postgres@127.0.0.1:1/test?connect_timeout=2")


def test_postgres_scheme_alias_uses_psycopg() -> None:
    assert engine_for("postgres://u@h/db").dialect.driver == "psycopg"
    assert engine_for("postgresql://u@h/db").dialect.driver == "psycopg"


def test_modified_without_published_dates_the_article_by_its_modification(store: SqlStore) -> None:
    article = Article(
        title="Only a modification time",
        blocks=(Block("A paragraph long enough to be an article body."),),
        outlet=Outlet("Modified Only", "modified.example"),
        modified=datetime(2024, 3, 1, 9, 0, 0),
    )
    store.upsert(article, seen_at=datetime(2024, 5, 1, 12, 0, 0))
    stored = store.get(article.id)
    assert (stored.created_at, stored.updated_at) == (datetime(2024, 3, 1, 9, 0, 0), datetime(2024, 3, 1, 9, 0, 0))
