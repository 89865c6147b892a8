"""Read a news card back into an :class:`~veracity.article.Article`."""

from __future__ import annotations

import re
from datetime import datetime

from veracity.article import LABELS, Article, Outlet
from veracity.cards.format import READ_MORE, TIME_FORMAT
from veracity.errors import CardFormatError
from veracity.text.clean import clean_lines

BYLINE = re.compile(
    r"^By (?P<outlet>.+?)(?: \((?P<section>[^()]*)\))?"
    r" \| Created at (?P<created>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)"
    r" \| Updated at (?P<updated>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(?: .*)?$"
)


def looks_like_card(text: str) -> bool:
    """True when the third line of ``text`` is a card byline."""
    lines = text.lstrip("\ufeff").split("\n", 3)
    return len(lines) >= 3 and bool(BYLINE.match(lines[2].rstrip("\r")))


def parse_card(text: str, source: str = "") -> Article:
    """Parse one card. Raises :class:`CardFormatError` naming the line that is wrong."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").split("\n")
    if len(lines) < 5:
        raise CardFormatError(f"a card needs at least 5 lines, this one has {len(lines)}", source)
    title = lines[0].strip()
    if not title:
        raise CardFormatError("line 1 (the title) is empty", source)
    if lines[1].strip():
        raise CardFormatError("line 2 must be blank", source)
    match = BYLINE.match(lines[2])
    if not match:
        raise CardFormatError("line 3 is not a byline 'By OUTLET (SECTION) | Created at … | Updated at …'", source)
    label = lines[3].strip()
    if label not in LABELS:
        raise CardFormatError(f"line 4 must be a verdict label ({', '.join(LABELS)}), got {label!r}", source)
    body = lines[4:]
    while body and not body[-1].strip():
        body.pop()
    if not body or body[-1].strip() != READ_MORE:
        raise CardFormatError(f"the card must end with '{READ_MORE}'", source)
    blocks = clean_lines(body[:-1])
    if not any(b.kind == "paragraph" for b in blocks):
        raise CardFormatError("the card has no body text", source)
    return Article(
        title=title,
        blocks=blocks,
        outlet=Outlet(match["outlet"]),
        section=match["section"],
        published=datetime.strptime(match["created"], TIME_FORMAT),
        modified=datetime.strptime(match["updated"], TIME_FORMAT),
        label=label,
        source=source,
    )
