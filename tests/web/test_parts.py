"""The desk shows what the other parts stored: verdicts, analysis, stories, ratings; reviews go to the verdict part.

The data comes from the real parts (tests/web/parts_support.py runs the stories, analysis
and verdict stages over a story told three times), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from veracity.settings import Settings
from veracity.store.sql import SqlStore
from veracity.verdict.judge import judge
from veracity.verdict.store import VerdictStore
from veracity.web import parts

from .conftest import make_client
from .parts_support import fill
from .test_review import csrf_of, sign_in


@pytest.fixture
def story_desk(desk: tuple[SqlStore, dict[str, str]], tmp_path: Path) -> tuple[SqlStore, dict[str, str]]:
    store, ids = desk
    return store, {**ids, **fill(store, tmp_path)}


@pytest.fixture
def sclient(story_desk: tuple[SqlStore, dict[str, str]]) -> TestClient:
    return make_client(story_desk[0])


def test_article_page_shows_the_machine_verdict_and_the_analysis(
    sclient: TestClient, story_desk: tuple[SqlStore, dict[str, str]]
) -> None:
    ids = story_desk[1]
    page = sclient.get(f"/articles/{ids['bay']}").text
    verdict = sclient.get(f"/api/articles/{ids['bay']}").json()["verdict"]
    assert verdict["source"] == "machine" and 0 < verdict["confidence"] <= 1
    assert f"Verdict: {verdict['label']}" in page
    assert "1 independent outlet reported the same story (harbourwire.example)" in page  # an evidence sentence
    assert "Tom Reilly" in page and 'href="/?entity=Tom%20Reilly"' in page  # quote speaker, entity chip
    assert "We will take this to the High Court" in page
    assert "cost 40 million pounds and create 300 jobs" in re.sub(r"\s+", " ", page.split('id="claims"')[1])
    data = sclient.get(f"/api/articles/{ids['bay']}").json()
    assert data["quotes"][0] | {"text": ""} == {
        "speaker": "Tom Reilly", "speaker_entity": "Tom Reilly", "cue": "said", "kind": "direct", "text": "",
    }  # fmt: skip
    assert all(c["factchecks"] == [] and c["score"] > 0 for c in data["claims"])
    assert "Tom Reilly" in data["entities"] and data["story"]["size"] == 3
    assert 'href="/stories/' + data["story"]["id"] in page


def test_imported_label_is_the_verdict_over_the_machine_without_a_claim_review(
    sclient: TestClient, story_desk: tuple[SqlStore, dict[str, str]]
) -> None:
    store, ids = story_desk
    judge(store, Settings(database_url="sqlite://"), [ids["edited"]])
    assert "machine" in VerdictStore(store.engine).latest(ids["edited"])
    data = sclient.get(f"/api/articles/{ids['edited']}").json()
    assert data["label"] == "Misleading" and data["verdict"]["source"] == "imported"
    assert data["verdict"]["machine"]["label"] != "Misleading"  # the machine disagrees: shown beside it
    assert "application/ld+json" not in sclient.get(f"/articles/{ids['edited']}").text  # veracity did not rate it


def test_feed_filters_by_effective_verdict_and_entity(
    sclient: TestClient, story_desk: tuple[SqlStore, dict[str, str]]
) -> None:
    ids = story_desk[1]
    label = parts.verdict(story_desk[0], ids["bay"])["label"]  # type: ignore[index]

    def listed(**params: str) -> set[str]:
        return {a["id"] for a in sclient.get("/api/articles", params={**params, "per_page": "100"}).json()["items"]}

    assert ids["bay"] in listed(label=label)
    assert ids["seed"] in listed(label="Truth") and ids["seed"] not in listed(label="Unverified")  # imported label
    assert ids["hostile"] in listed(label="Unverified")  # never judged, no label
    assert listed(entity="Tom Reilly") == {ids["bay"]}
    assert listed(entity="Alice Brennan") == {ids["wire"], ids["copy"], ids["bay"]}
    assert listed(entity="Nobody Known") == set()
    assert 'name="entity"' in sclient.get("/").text


def test_story_page_shows_the_timeline_copies_and_coverage(
    sclient: TestClient, story_desk: tuple[SqlStore, dict[str, str]]
) -> None:
    ids = story_desk[1]
    story_id = sclient.get(f"/api/articles/{ids['copy']}").json()["story"]["id"]
    data = sclient.get(f"/api/stories/{story_id}").json()
    assert [a["id"] for a in data["articles"]] == [ids["wire"], ids["copy"], ids["bay"]]  # first report first
    assert data["first_outlet"] == "Harbour Wire"
    assert data["articles"][1]["copy_of"] == ids["wire"] and data["articles"][1]["copy_kind"] == "exact"
    assert data["independent_outlets"] == ["harbourwire.example", "bayobserver.example"]  # the reprint is no voice
    assert {g["group"]: g["count"] for g in data["coverage"]} == {"reliable": 1, "mixed reliability": 1, "unrated": 1}
    assert data["blindspot"] is None  # no rating set gives leanings
    page = re.sub(r"\s+", " ", sclient.get(f"/stories/{story_id}").text)
    assert "First reported by Harbour Wire" in page and "exact copy of" in page
    assert "reliable: 1" in page and "Independent outlets: harbourwire.example, bayobserver.example" in page
    assert sclient.get("/stories/ffffffffffff").status_code == 404


def test_outlet_page_shows_ratings_and_track_record(sclient: TestClient) -> None:
    detail = sclient.get("/api/outlets/harbourwire.example").json()
    assert detail["ratings"] == [
        {"rating_set": "test-set", "value": "High", "reliability": 0.9, "satire": False, "leaning": None}
    ]
    assert sum(detail["track_record"].values()) == 1
    page = sclient.get("/outlets/harbourwire.example").text
    assert "test-set" in page and 'id="track-record"' in page


def test_queue_puts_disputed_verdicts_first_and_a_review_settles_them(
    story_desk: tuple[SqlStore, dict[str, str]],
) -> None:
    store, ids = story_desk
    judge(store, Settings(database_url="sqlite://"), [ids["edited"]])  # the machine disagrees with its label
    queue = parts.review_queue(store, 50, below=0.99)
    assert queue[0] == ids["edited"] and ids["seed"] not in queue
    judged = [i for i in queue if VerdictStore(store.engine).latest(i)]
    confidences = [parts.verdict(store, i)["confidence"] for i in judged[1:]]  # type: ignore[index]
    assert confidences == sorted(confidences)  # least confident first
    client = make_client(store)
    sign_in(client)
    form = client.get(f"/articles/{ids['edited']}/review").text
    assert "machine verdict" in form and "veracity" in form  # the machine's verdict is in the trail
    empty = client.post(
        f"/articles/{ids['edited']}/review", data={"label": "Truth", "note": " ", "csrf": csrf_of(form)}
    )
    assert empty.status_code == 422 and "needs a note" in empty.text
    client.post(f"/articles/{ids['edited']}/review", data={"label": "Truth", "note": "checked", "csrf": csrf_of(form)})
    row = VerdictStore(store.engine).latest(ids["edited"])["reviewer"]
    assert (row.reviewer, row.label, row.previous_label, row.previous_source) == (
        "rita",
        "Truth",
        "Misleading",
        "imported",
    )
    assert ids["edited"] not in parts.review_queue(store, 50, below=0.99)
    trail = client.get(f"/api/articles/{ids['edited']}/audit").json()
    assert trail[0] | {"at": None} == {
        "at": None, "actor": "rita", "action": "review", "from": "Misleading", "to": "Truth", "note": "checked"
    }  # fmt: skip
    assert [t["action"] for t in trail[1:]] == ["imported label", "machine verdict"]
