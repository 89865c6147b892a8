"""Date parsing shared by every reader: anything date-like into naive UTC datetimes."""

from __future__ import annotations

import warnings
from datetime import UTC, date, datetime
from typing import Any

from dateutil import parser as dateparser


def to_utc_naive(value: datetime) -> datetime:
    """Aware datetimes are converted to UTC; naive ones are taken to be UTC already."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.replace(microsecond=0)


def parse_datetime(value: Any) -> datetime | None:
    """Parse ISO 8601, RFC 822 and most other written dates; None when it is not a date."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return to_utc_naive(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, (int, float)):
        try:
            return to_utc_naive(datetime.fromtimestamp(value, UTC))
        except (OverflowError, OSError, ValueError):
            return None
    text = str(value).strip()
    try:
        return to_utc_naive(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        pass
    try:
        with warnings.catch_warnings():  # unknown zone names (EST) are read as UTC, not warned about
            warnings.simplefilter("ignore")
            return to_utc_naive(dateparser.parse(text))
    except (ValueError, OverflowError, TypeError):
        return None
