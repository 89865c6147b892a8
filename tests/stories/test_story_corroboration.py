"""Corroboration: independent outlets, with copies and owners discounted."""

from __future__ import annotations

from datetime import datetime, timedelta

from veracity.stories.corroboration import Report, independent_outlets, owner_of, report_groups

T = datetime(2024, 7, 5, 12, 0)
WEEK = timedelta(days=7)


def test_owner_groups_match_subdomains_and_fall_back_to_the_outlet() -> None:
    assert owner_of("news.sky.com") == owner_of("nbcnews.com")  # Comcast
    assert owner_of("www.foxnews.com") == owner_of("wsj.com")
    assert owner_of("kestrelbay.example") == "kestrelbay.example"
    assert owner_of("Daily Mail") == "daily mail"


def test_copies_form_one_report_credited_to_the_first_outlet() -> None:
    reports = [
        Report("wire", "apnews.com", T),
        Report("reprint", "example-gazette.com", T + timedelta(hours=1)),
        Report("own", "theguardian.com", T + timedelta(hours=2)),
    ]
    groups = report_groups(reports, [("reprint", "wire")])
    assert groups == {"wire": "wire", "reprint": "wire", "own": "own"}


def test_independent_outlets_discount_copies_owners_and_time() -> None:
    reports = [
        Report("me", "bbc.co.uk", T),
        Report("bbc2", "bbc.com", T + timedelta(hours=1)),  # same owner as the article
        Report("wire", "apnews.com", T + timedelta(hours=2)),
        Report("reprint", "example-gazette.com", T + timedelta(hours=3)),  # copy of the wire
        Report("fox", "foxnews.com", T + timedelta(hours=4)),
        Report("wsj", "wsj.com", T + timedelta(hours=5)),  # same owner as fox
        Report("late", "theguardian.com", T + timedelta(days=30)),  # outside the window
        Report("lemonde", "lemonde.fr", T - timedelta(days=1)),
    ]
    got = independent_outlets("me", reports, [("reprint", "wire")], WEEK)
    assert got == ["lemonde.fr", "apnews.com", "foxnews.com"]


def test_the_articles_own_wire_report_is_not_corroboration() -> None:
    reports = [
        Report("wire", "reuters.com", T),
        Report("me", "local-paper.example", T + timedelta(hours=1)),  # a reprint of the wire story
        Report("other", "cnn.com", T + timedelta(hours=2)),  # reprints it too
        Report("own", "lemonde.fr", T + timedelta(hours=3)),
    ]
    got = independent_outlets("me", reports, [("me", "wire"), ("other", "wire")], WEEK)
    assert got == ["lemonde.fr"]


def test_no_other_report_means_no_corroboration() -> None:
    assert independent_outlets("me", [Report("me", "bbc.co.uk", T)], [], WEEK) == []
