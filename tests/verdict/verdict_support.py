"""Stand-in providers for the parts built beside the verdict (stories, fact-checks, analysis).

They are real functions with the interfaces those parts promise, answering from the
dictionaries below, so the verdict's adapters and re-judging are tested end to end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

CORROBORATION: dict[str, Any] = {}
MATCHES: dict[str, list[Any]] = {}
STORIES: dict[str, list[str]] = {}
CALLS: list[str] = []


@dataclass
class Corroboration:
    story_id: str
    size: int
    independent_outlets: list[str] = field(default_factory=list)
    first_seen: datetime = datetime(2024, 11, 6)


@dataclass
class Match:
    score: float
    rating: str
    rating_value: float | None
    publisher: str = "PolitiFact"
    url: str = "https://fact.example/check/1"
    published_after_article: bool = True


def corroboration(store: Any, article_id: str) -> Corroboration | None:
    CALLS.append(article_id)
    result: Corroboration | None = CORROBORATION.get(article_id)
    return result


def matches_for_article(store: Any, article_id: str) -> list[Any]:
    return MATCHES.get(article_id, [])


def story_article_ids(store: Any, story_id: str) -> list[str]:
    return STORIES.get(story_id, [])


def loaded_terms(store: Any, article_id: str) -> list[str]:
    return ["slams"] if article_id in MATCHES else []


def reset() -> None:
    CORROBORATION.clear()
    MATCHES.clear()
    STORIES.clear()
    CALLS.clear()
