"""Render an article as a news card, byte-for-byte in the seed card's layout.

Layout::

    TITLE
    <blank>
    By OUTLET (SECTION) | Created at YYYY-MM-DD HH:MM:SS | Updated at YYYY-MM-DD HH:MM:SS RELATIVE
    LABEL
    <blank>
    BLOCK                      (paragraphs and captions where they stood,
    <blank>                     separated by blank lines)
    …
    <blank>
    Read Entire Article        (no final newline)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from veracity.article import Block

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
READ_MORE = "Read Entire Article"

_UNITS = (("year", 365 * 86400), ("month", 30 * 86400), ("day", 86400), ("hour", 3600), ("minute", 60))


def relative_time(then: datetime, now: datetime) -> str:
    """Time from ``then`` to ``now`` in whole units rounded down (``2 hours ago``)."""
    seconds = int((now - then).total_seconds())
    if seconds < 60:
        return "just now"
    for unit, size in _UNITS:
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'' if n == 1 else 's'} ago"
    return "just now"  # unreachable: seconds >= 60 matches minutes


def byline(outlet: str, section: str | None, created: datetime, updated: datetime, now: datetime) -> str:
    where = f"{outlet} ({section})" if section else outlet
    return (
        f"By {where} | Created at {created.strftime(TIME_FORMAT)}"
        f" | Updated at {updated.strftime(TIME_FORMAT)} {relative_time(updated, now)}"
    )


def format_card(
    *,
    title: str,
    outlet: str,
    section: str | None,
    created: datetime,
    updated: datetime,
    label: str,
    blocks: Sequence[Block],
    now: datetime,
) -> str:
    """The card text for one article (naive UTC datetimes)."""
    parts = [title, "", byline(outlet, section, created, updated, now), label, ""]
    for block in blocks:
        parts.append(block.text)
        parts.append("")
    parts.append(READ_MORE)
    return "\n".join(parts)
