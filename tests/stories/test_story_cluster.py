"""Incremental story assignment: joins, splits, re-clustering, time window, copies, merges, rebuilds."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np

from veracity.stories.cluster import SparseVector, StoryIndex, StoryParams

EUREKA = [
    "Magnitude 6.5 earthquake strikes off Eureka\nA magnitude 6.5 earthquake struck off the coast of Humboldt County "
    "near Eureka, California, on Saturday, the US Geological Survey said. Chimneys collapsed in Eureka and Ferndale.",
    "Eureka cleans up after quake\nResidents of Eureka and Ferndale in Humboldt County swept up broken glass after "
    "Saturday's magnitude 6.5 quake. Humboldt County sheriff Mike Downey said no one was seriously hurt.",
    "Humboldt quake: power restored\nPG&E restored power to most of Humboldt County after the 6.5 earthquake near "
    "Eureka, California. Ferndale's main street stayed closed while engineers checked the buildings.",
]
AGUANGA = [
    "Magnitude 4.7 quake rattles Riverside County\nA magnitude 4.7 earthquake hit near Aguanga in Riverside County, "
    "California, on Monday, the US Geological Survey said. It was felt in Temecula and San Diego.",
    "Aguanga quake felt across Southern California\nMonday's 4.7 earthquake centred near Aguanga, Riverside County, "
    "shook Temecula and Hemet. Caltech seismologist Lucy Jones said the San Jacinto fault was to blame.",
    "No damage from Riverside County quake\nRiverside County fire officials reported no damage after the magnitude "
    "4.7 earthquake near Aguanga, California. Temecula residents said the shaking lasted seconds.",
]
EUREKA_4 = (
    "Ferndale inspects buildings after Humboldt quake\nEngineers in Ferndale and Eureka inspected Victorian buildings "
    "on Sunday after Saturday's 6.5 earthquake off Humboldt County, California. Mike Downey said roads reopened."
)
AGUANGA_4 = (
    "Temecula schools check for quake damage\nSchools in Temecula and Hemet found no damage after Monday's 4.7 "
    "earthquake near Aguanga in Riverside County, California, Lucy Jones of Caltech said aftershocks were small."
)
BANK = (
    "Central bank raises rates again\nThe European Central Bank raised its deposit rate by a quarter point on "
    "Thursday, its president Christine Lagarde said in Frankfurt, citing stubborn inflation."
)


def feed(index: StoryIndex, texts: list[str], prefix: str, when: datetime | None = None) -> list[str]:
    return [index.assign(f"{prefix}{i}", t, published=when) for i, t in enumerate(texts)]


def test_two_earthquakes_in_one_state_are_two_stories_on_text_alone() -> None:
    index = StoryIndex()
    eureka = feed(index, EUREKA, "e")
    aguanga = feed(index, AGUANGA, "a")
    assert len(set(eureka)) == 1 and len(set(aguanga)) == 1
    assert eureka[0] != aguanga[0]
    assert index.assign("bank", BANK) not in {eureka[0], aguanga[0]}
    assert index.n_stories == 3
    assert eureka[0] == "e0"  # a story's id is its first article's


def test_time_window_splits_the_same_words_months_apart() -> None:
    index = StoryIndex()
    first = datetime(2024, 1, 6, 12, 0)
    a = index.assign("a", EUREKA[0], published=first)
    b = index.assign("b", EUREKA[1], published=first + timedelta(days=1))
    c = index.assign("c", EUREKA[2], published=first + timedelta(days=120))
    assert a == b != c
    aware = datetime(2024, 1, 7, 9, 0, tzinfo=timezone(timedelta(hours=-8)))
    assert index.assign("d", EUREKA[2], published=aware) == a  # aware times are compared in UTC
    assert index.story(a).first == first and index.story(a).last == datetime(2024, 1, 7, 17, 0)


def test_same_id_keeps_its_story_and_copies_join_the_story_of_their_source() -> None:
    index = StoryIndex()
    story = index.assign("wire", AGUANGA[0])
    assert index.assign("wire", BANK) == story  # a new version or a re-run: no second story
    reprint = AGUANGA[0].upper().replace(",", "")
    assert index.assign("reprint", reprint) == story
    assert [(m.other_id, m.kind) for m in index.copies_of("reprint")] == [("wire", "exact")]
    assert index.copies_of("wire") == []
    assert len(index) == 2


def test_a_bridging_article_merges_two_stories_and_the_history_is_kept() -> None:
    params = StoryParams(threshold=0.3, merge_threshold=0.3, cohesion_ratio=0.0)
    index = StoryIndex(params)
    halves = [
        "Lagarde announces rate rise in Frankfurt\nChristine Lagarde announced a rate rise in Frankfurt.",
        "ECB Thursday decision\nThe ECB decided on Thursday; inflation at 5.3 percent stayed high.",
    ]
    s1 = index.assign("x1", halves[0])
    s2 = index.assign("x2", halves[1])
    assert s1 != s2
    bridge = (
        "Lagarde: ECB raises rates\nChristine Lagarde said in Frankfurt on Thursday that the ECB raised rates, "
        "with inflation at 5.3 percent."
    )
    merged = index.assign("x3", bridge)
    assert index.story_of("x1") == index.story_of("x2") == merged
    # x3 joined one story, which then had two articles: the other (smaller) one went into it
    absorbed = ({"x1", "x2"} - {merged}).pop()
    assert [(m.absorbed, m.into, m.at) for m in index.merges] == [(absorbed, merged, "x3")]
    assert index.resolve(absorbed) == merged
    info = index.story(absorbed)
    assert info.id == merged and set(info.articles) == {"x1", "x2", "x3"} and info.merged == (absorbed,)
    assert index.n_stories == 1


def test_rebuilding_from_the_same_articles_in_the_same_order_gives_the_same_stories() -> None:
    items = [(f"d{i}", t, None) for i, t in enumerate([*EUREKA, *AGUANGA, BANK])]
    one = StoryIndex.rebuild(items)
    two = StoryIndex()
    for doc_id, text, when in items:
        two.assign(doc_id, text, published=when)
    assert one.labels() == two.labels()
    assert [s.id for s in one.stories()] == [s.id for s in two.stories()]


def test_caller_entities_replace_the_heuristic() -> None:
    index = StoryIndex(StoryParams(use_neardup=False))
    a = index.assign("a", "some lower case words about a meeting", entities=["Acme Corp", "Jane Roe"])
    b = index.assign("b", "another text, other words entirely", entities=["Acme Corp", "Jane Roe"])
    c = index.assign("c", "a third text", entities=["Zenith", "John Doe"])
    assert a == b != c


def test_sparse_vector_sum_dot_and_cap() -> None:
    a = SparseVector(np.array([1, 3, 5]), np.array([1.0, 2.0, 3.0], dtype=np.float32))
    b = SparseVector(np.array([3, 4]), np.array([1.0, 1.0], dtype=np.float32))
    assert a.dot(b) == 2.0
    s = a.plus(b, cap=10)
    assert s.ids.tolist() == [1, 3, 4, 5] and s.vals.tolist() == [1.0, 3.0, 1.0, 3.0]
    capped = a.plus(b, cap=2)
    assert capped.ids.tolist() == [3, 5]
    assert SparseVector.empty().dot(a) == 0.0


def test_articles_without_entity_keys_are_compared_on_words() -> None:
    index = StoryIndex(StoryParams(use_neardup=False))
    a = index.assign("a", "the ferry strike stopped every crossing on the island this morning, unions said")
    b = index.assign("b", "ferry crossings to the island stopped by the strike, unions said the strike goes on")
    c = index.assign("c", "apple orchards received a grant to replant after the frost destroyed blossoms")
    assert a == b != c


INTERLEAVED = [(f"{p}{i}", t) for i in range(3) for p, t in (("e", EUREKA[i]), ("a", AGUANGA[i]))]


def test_two_earthquakes_in_one_region_stay_two_stories_when_they_arrive_interleaved() -> None:
    eureka = [*EUREKA, EUREKA_4]
    aguanga = [*AGUANGA, AGUANGA_4]
    order = [(f"{p}{i}", t) for i in range(4) for p, t in (("a", aguanga[i]), ("e", eureka[i]))]
    unsplit = StoryIndex(StoryParams(split_threshold=0.0))
    for doc_id, text in order:
        unsplit.assign(doc_id, text)
    assert unsplit.n_stories == 1  # Eureka's first report joined Aguanga's story, and the rest followed it

    index = StoryIndex()  # the defaults re-cluster a story as it grows
    for doc_id, text in order:
        index.assign(doc_id, text)
    assert index.labels() == {doc_id: doc_id[0] + "0" for doc_id, _ in order}
    assert [(s.story, s.new, s.moved) for s in index.splits] == [("a0", "e0", ("e0", "e1", "e2", "e3"))]


def test_a_story_that_took_in_another_event_is_split_by_re_clustering() -> None:
    # so lax a threshold that the second earthquake's reports join the first's story as they arrive
    lax = {"threshold": 0.05, "merge_threshold": 0.05, "cohesion_ratio": 0.0, "use_neardup": False}
    without = StoryIndex(StoryParams(**lax, split_threshold=0.0))  # type: ignore[arg-type]
    for doc_id, text in INTERLEAVED:
        without.assign(doc_id, text)
    assert without.n_stories == 1 and without.splits == []

    index = StoryIndex(StoryParams(**lax, split_threshold=0.26, split_min=2))  # type: ignore[arg-type]
    returned = {doc_id: index.assign(doc_id, text) for doc_id, text in INTERLEAVED}
    labels = index.labels()
    assert labels == {doc_id: doc_id[0] + "0" for doc_id, _ in INTERLEAVED}
    assert returned["a1"] == "a0"  # the article that made the split is told its story after the split
    # the history: a1 joined e0's story, average linkage over its four articles said two events, the Aguanga
    # reports left for a story of their own (id: its first article's); nothing was merged back
    assert [(s.story, s.new, s.moved, s.at) for s in index.splits] == [("e0", "a0", ("a0", "a1"), "a1")]
    assert index.merges == []
    assert index.story("a0").articles == ("a0", "a1", "a2") and index.story("e0").articles == ("e0", "e1", "e2")
    assert index.n_stories == 2

    again = StoryIndex.rebuild([(doc_id, text, None) for doc_id, text in INTERLEAVED], index.params)
    assert again.labels() == labels and again.splits == index.splits


def test_a_split_needs_both_parts_to_have_split_min_articles() -> None:
    lax = StoryParams(threshold=0.05, merge_threshold=0.05, cohesion_ratio=0.0, use_neardup=False, split_min=4)
    index = StoryIndex(lax)
    for doc_id, text in INTERLEAVED:
        index.assign(doc_id, text)
    assert index.splits == [] and index.n_stories == 1  # three and three: too few to tell two events apart
