"""The default source list shipped with veracity (``default_sources.json``), as outlets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from veracity.errors import InputError
from veracity.store.sources import FEED_KINDS, KINDS, FeedInfo, OutletInfo

DEFAULTS = Path(__file__).with_name("default_sources.json")


def load_defaults(path: Path = DEFAULTS) -> list[OutletInfo]:
    """The outlets of the default list (read from the package, never fetched)."""
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the default source list: {exc}", str(path)) from exc
    out = []
    for o in data["outlets"]:
        kind = o.get("kind", "news")
        feeds = tuple(
            FeedInfo(f["url"], f.get("kind", "rss") if f.get("kind", "rss") in FEED_KINDS else "rss")
            for f in o.get("feeds", [])
        )
        out.append(
            OutletInfo(
                name=o["name"],
                domain=o["domain"],
                country=o.get("country"),
                language=o.get("language"),
                kind=kind if kind in KINDS else "unknown",
                feeds=feeds,
            )
        )
    return out
