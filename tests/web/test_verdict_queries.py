"""The desk's verdict queries in SQL against hand-made verdict histories: the review queue's order, an outlet's counts.

The rows go straight into ``verdicts`` (ids rise in insertion order, as the verdict part
writes them), so each case is exact: superseded machine verdicts and reviews, reviews before
and after the machine's verdict, labels that came with the input, and no verdict at all.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert

from veracity.article import Article, Block, Outlet
from veracity.store.sql import SqlStore
from veracity.verdict.store import verdicts
from veracity.web import verdicts as v

OUTLET = Outlet("Queue Times", "queue.example")
T0 = datetime(2024, 5, 1, 8, 0)

# name: (label the article came with, [(source, label, confidence), ...] oldest first)
CASES: dict[str, tuple[str | None, list[tuple[str, str, float | None]]]] = {
    "agrees_now": ("Truth", [("machine", "Fake", 0.9), ("machine", "Truth", 0.2)]),  # its older verdict disputed
    "disputed_review": (
        None,
        [("reviewer", "Misleading", None), ("reviewer", "Truth", None), ("machine", "Fake", 0.8)],
    ),
    "settled": (None, [("machine", "Fake", 0.7), ("reviewer", "Fake", None)]),
    "disputed_label": ("Fake", [("machine", "Truth", 0.95)]),
    "low": (None, [("machine", "Fake", 0.1), ("machine", "Truth", 0.3)]),  # the superseded 0.1 must not count
    "low_unverified": (None, [("machine", "Unverified", 0.15)]),
    "unverified": (None, [("machine", "Unverified", 0.9)]),
    "confident": (None, [("machine", "Truth", 0.9)]),
    "unjudged": (None, []),
    "labelled": ("Misleading", []),
}


@pytest.fixture
def cases(store: SqlStore) -> dict[str, str]:
    ids: dict[str, str] = {}
    rows = []
    for n, (name, (label, _history)) in enumerate(CASES.items()):
        article = Article(
            title=f"Case {name}",
            blocks=(Block(f"Body of the {name} case."),),
            outlet=OUTLET,
            url=f"https://queue.example/{name}",
            label=label,
        )
        store.upsert(article, seen_at=T0 + timedelta(hours=n))
        ids[name] = article.id
    for name, (_label, history) in CASES.items():
        for source, label, confidence in history:
            rows.append({
                "article_id": ids[name], "version": 1, "source": source, "label": label, "confidence": confidence,
                "evidence": "{}", "inputs_hash": "test", "model": "test", "created_at": T0,
                "reviewer": "rita" if source == "reviewer" else None, "article_evidence": False,
            })  # fmt: skip
    with store.engine.begin() as conn:
        for row in rows:  # one by one: ids in this order
            conn.execute(insert(verdicts), row)
    return ids


def test_queue_order_disputed_then_least_confident_then_unverified_then_unjudged(
    store: SqlStore, cases: dict[str, str]
) -> None:
    expected = ["disputed_review", "disputed_label", "low_unverified", "low", "unverified", "unjudged"]
    assert v.queue(store, 50, 0.6) == [cases[k] for k in expected]
    assert v.queue(store, 3, 0.6) == [cases[k] for k in expected[:3]]
    assert v.queue(store, 5, 0.6) == [cases[k] for k in expected[:5]]
    # With a lower bar the low-confidence ones are no longer urgent: only Unverified ones wait.
    assert v.queue(store, 50, 0.12) == [cases[k] for k in ("disputed_review", "disputed_label", "low_unverified",
                                                           "unverified", "unjudged")]  # fmt: skip


def test_label_counts_take_the_verdict_that_counts(store: SqlStore, cases: dict[str, str]) -> None:
    # reviewer's, else the input's label, else the newest machine verdict, else Unverified
    assert v.label_counts(store, "queue.example") == {"Truth": 4, "Fake": 2, "Unverified": 3, "Misleading": 1}
    assert v.label_counts(store, "elsewhere.example") == {}
