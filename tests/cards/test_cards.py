"""News cards: the seed card reads back byte-for-byte; relative times; malformed cards."""

from __future__ import annotations

from datetime import datetime

import pytest

from veracity.cards import format_card, parse_card, relative_time
from veracity.errors import CardFormatError

NOW = datetime(2024, 11, 6, 15, 30, 0)


def render(text: str, now: datetime = NOW) -> str:
    a = parse_card(text)
    assert a.published and a.modified and a.label
    return format_card(
        title=a.title,
        outlet=a.outlet.name,
        section=a.section,
        created=a.published,
        updated=a.modified,
        label=a.label,
        blocks=a.blocks,
        now=now,
    )


def test_seed_fields(seed_text: str) -> None:
    a = parse_card(seed_text)
    assert a.title.startswith("Putin has 'no plans' to congratulate Donald Trump")
    assert a.outlet.name == "Daily Mail"
    assert a.section == "World News"
    assert a.published == datetime(2024, 11, 6, 11, 15, 22)
    assert a.modified == datetime(2024, 11, 6, 13, 26, 46)
    assert a.label == "Truth"
    assert a.captions == [
        "Vladimir Putin has no immediate plans to congratulate Donald Trump on his election victory,"
        " according to the Kremlin",
        "Ukrainian president Volodymyr Zelensky was quick to congratulate Trump",
        "Trump declared victory in the presidential race as he addressed crowds in Palm Beach this morning",
        "Russian President Vladimir Putin (C) speaks during a ceremonial presentation of credentials by"
        " ambassadors in Moscow, Russia, 05 November 2024",
    ]
    assert len(a.paragraphs) == 24  # 28 body lines, 4 of them captions
    assert "Read Entire Article" not in a.body


def test_seed_keeps_nbsp_in_text_and_normalises_it_for_search(seed_text: str) -> None:
    a = parse_card(seed_text)
    assert "Donald Trump\u00a0on his election" in a.paragraphs[0]
    assert "\u00a0" not in a.search_text
    assert "Donald Trump on his election victory" in a.search_text


def test_seed_round_trips_byte_for_byte(seed_text: str) -> None:
    assert render(seed_text) == seed_text
    assert not render(seed_text).endswith("\n")


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0, "just now"),
        (59, "just now"),
        (60, "1 minute ago"),
        (119, "1 minute ago"),
        (120, "2 minutes ago"),
        (3599, "59 minutes ago"),
        (3600, "1 hour ago"),
        (2 * 3600 + 3 * 60 + 14, "2 hours ago"),
        (86399, "23 hours ago"),
        (86400, "1 day ago"),
        (29 * 86400, "29 days ago"),
        (30 * 86400, "1 month ago"),
        (364 * 86400, "12 months ago"),
        (365 * 86400, "1 year ago"),
        (3 * 365 * 86400 + 5, "3 years ago"),
        (-3600, "just now"),
    ],
)
def test_relative_time(seconds: int, expected: str) -> None:
    from datetime import timedelta

    assert relative_time(NOW - timedelta(seconds=seconds), NOW) == expected


def test_card_without_section_reads_back() -> None:
    text = (
        "A title\n\nBy Some Outlet | Created at 2024-01-01 10:00:00 | Updated at 2024-01-01 10:00:00 just now\n"
        "Unverified\n\nA first paragraph that says something.\n\nRead Entire Article"
    )
    a = parse_card(text)
    assert a.outlet.name == "Some Outlet" and a.section is None
    assert render(text, datetime(2024, 1, 1, 10, 0, 30)) == text


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda lines: lines[:3], "at least 5 lines"),
        (lambda lines: ["", *lines[1:]], "title"),
        (lambda lines: [lines[0], "x", *lines[2:]], "line 2"),
        (lambda lines: [*lines[:2], "By nobody", *lines[3:]], "byline"),
        (lambda lines: [*lines[:3], "Maybe", *lines[4:]], "verdict label"),
        (lambda lines: lines[:-1], "Read Entire Article"),
    ],
)
def test_malformed_cards_are_rejected_with_the_reason(seed_text: str, mutate: object, message: str) -> None:
    lines = seed_text.split("\n")
    with pytest.raises(CardFormatError, match=message) as info:
        parse_card("\n".join(mutate(lines)), "bad.txt")  # type: ignore[operator]
    assert info.value.item == "bad.txt"
