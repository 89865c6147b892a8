"""Each signal and the combination, over literal values: no database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pytest

from veracity.ratings.store import OutletRating
from veracity.verdict import signals as sig
from veracity.verdict.content import content_signal, style_features
from veracity.verdict.model import combine, load_params


def rating(set_name: str, value: float | None, satire: bool = False, domain: str = "outlet.example") -> OutletRating:
    return OutletRating(set_name, domain, str(value), value, satire)


@dataclass
class Corr:
    story_id: str = "s1"
    size: int = 4
    independent_outlets: list[str] = field(default_factory=list)
    first_seen: datetime = datetime(2024, 11, 6)


@dataclass
class Match:
    score: float
    rating: str
    rating_value: float | None
    publisher: str = "PolitiFact"
    url: str = "https://fact.example/1"
    published_after_article: bool = False


BODY = (
    "The council approved the flood barrier on Tuesday, its chair said. "
    '"We have waited a decade," said Ann Lee, who chairs the committee. The cost is 12 million pounds, '
    "according to the council's report, and work starts in March."
)
NEWS = dict(outlet_kind="news", ratings=[], section=None, url="https://outlet.example/news/1", title="Barrier approved")


def evidence(**kw: object) -> list[sig.Signal]:
    params = load_params()
    found = [
        sig.factchecks(kw.get("matches", [])),  # type: ignore[arg-type]
        sig.outlet_reliability("outlet.example", kw.get("ratings", [])),  # type: ignore[arg-type]
        sig.corroboration(kw.get("corr"), kw.get("reliability", {})),  # type: ignore[arg-type]
        sig.track_record(kw.get("track", sig.TrackRecord("outlet.example"))),  # type: ignore[arg-type]
        content_signal(str(kw.get("title", "Barrier approved")), str(kw.get("body", BODY)), params["content"]),
        sig.genre(**{**NEWS, **kw.get("genre", {})}),  # type: ignore[dict-item]
    ]
    return found


def test_unknown_outlet_is_unknown_not_unreliable() -> None:
    s = sig.outlet_reliability("new.example", [])
    assert not s.present and s.features["outlet"] == 0.0 and "unknown" in s.sentence


def test_outlet_sets_are_listed_and_disagreement_named() -> None:
    s = sig.outlet_reliability("fox.example", [rating("rsp", 0.9), rating("mbfc", 0.45)])
    assert s.present and "disagree" in s.sentence and "rsp says 0.9" in s.sentence and "mbfc says 0.45" in s.sentence
    assert s.features["outlet_spread"] == pytest.approx(0.45)
    agree = sig.outlet_reliability("r.example", [rating("rsp", 0.9), rating("lin", 1.0)])
    assert "rated reliable" in agree.sentence and agree.features["outlet"] == pytest.approx(0.45)


def test_corroboration_weights_outlets_by_reliability() -> None:
    none = sig.corroboration(None, {})
    assert not none.present
    three = sig.corroboration(Corr(independent_outlets=["a.com", "b.com", "c.com"]), {"a.com": 1.0, "b.com": 0.1})
    assert three.present and "3 independent outlets" in three.sentence
    assert three.details["outlets"] == {"a.com": 1.0, "b.com": 0.1, "c.com": 0.5}  # unknown counts half
    weaker = sig.corroboration(Corr(independent_outlets=["a.com", "b.com", "c.com"]), {"a.com": 0.1, "b.com": 0.1})
    assert weaker.features["corroboration"] < three.features["corroboration"]


def test_factchecks_by_rating() -> None:
    s = sig.factchecks([Match(0.9, "false", 0.0), Match(0.7, "mixed", 0.5), Match(0.95, "not-rateable", None)])
    assert s.features == {"fc_false": 0.9, "fc_mixed": 0.7, "fc_true": 0.0}
    assert "rated 'not-rateable'" in s.sentence  # the closest match is named even when it cannot be counted
    assert not sig.factchecks([]).present
    assert sig.factchecks([Match(0.8, "mostly-true", 0.75)]).features["fc_true"] == pytest.approx(0.6)


def test_track_record_counts_reviews_more_and_shrinks() -> None:
    assert not sig.track_record(sig.TrackRecord("x.example", {}, {"Unverified": 9})).present
    machine = sig.track_record(sig.TrackRecord("x.example", {}, {"Fake": 2}))
    reviewed = sig.track_record(sig.TrackRecord("x.example", {"Fake": 2}, {}))
    assert reviewed.features["track"] < machine.features["track"] < 0
    assert sig.track_record(sig.TrackRecord("x.example", {"Truth": 5}, {})).features["track"] > 0.5


def test_genre_cues() -> None:
    satire = sig.genre(outlet_kind="satire", ratings=[], section=None, url=None, title="x")
    assert sig.genre_of(satire) == "satire"
    by_rating = sig.genre(
        outlet_kind=None, ratings=[rating("rsp", 0.2, satire=True)], section=None, url=None, title="x"
    )
    assert sig.genre_of(by_rating) == "satire" and "rsp lists" in by_rating.sentence
    opinion = sig.genre(
        outlet_kind="news", ratings=[], section=None, url="https://x.com/commentisfree/2024/a", title="x"
    )
    assert sig.genre_of(opinion) == "opinion"
    assert sig.genre_of(sig.genre(outlet_kind=None, ratings=[], section="Opinion", url=None, title="x")) == "opinion"
    assert sig.genre_of(sig.genre(outlet_kind=None, ratings=[], section="World News", url=None, title="x")) is None
    assert (
        sig.genre_of(
            sig.genre(outlet_kind=None, ratings=[], section=None, url="https://x.com/news/opinions-poll", title="x")
        )
        is None
    )


def test_style_features_see_shouting_and_clickbait() -> None:
    calm = style_features("Barrier approved", BODY)
    loud = style_features("You won't believe what they did!", "SHOCKING!!! The corrupt elites EXPOSED. Wake up!")
    assert loud["clickbait"] > 0 and loud["exclaim"] > calm["exclaim"] and loud["loaded"] > calm["loaded"]
    assert loud["caps_words"] > calm["caps_words"] and calm["attribution"] > loud["attribution"]
    assert style_features("t", "")["log_words"] == 0.0  # empty body: no division by zero


def test_text_alone_is_never_enough() -> None:
    verdict = combine(
        evidence(title="You won't believe this!", body="SHOCKING!!! The corrupt elites EXPOSED. Wake up!")
    )
    assert verdict.label == "Unverified" and "thin evidence" in verdict.reason
    assert verdict.leaning in ("Truth", "Misleading", "Fake")


def test_reliable_outlet_and_corroboration_make_truth() -> None:
    found = evidence(
        ratings=[rating("rsp", 0.9), rating("lin", 0.95)],
        corr=Corr(independent_outlets=["a.com", "b.com", "c.com"]),
        reliability={"a.com": 0.9, "b.com": 0.9},
    )
    verdict = combine(found)
    assert verdict.label == "Truth" and verdict.confidence > 0.8
    top = {s.name: s for s in verdict.evidence}
    assert top["outlet"].direction == "Truth" and top["outlet"].weight > 0
    assert top["corroboration"].direction == "Truth" and top["corroboration"].weight > 0
    assert verdict.evidence[0].present  # present signals come first


def test_false_factcheck_is_the_strongest_evidence_for_fake() -> None:
    verdict = combine(evidence(matches=[Match(0.92, "false", 0.0)], ratings=[rating("rsp", 0.9)]))
    assert verdict.label == "Fake" and verdict.confidence > 0.6
    assert verdict.evidence[0].name == "fact-check" and verdict.evidence[0].direction == "Fake"
    mixed = combine(evidence(matches=[Match(0.9, "mixed", 0.5)]))
    assert mixed.label == "Misleading"


def test_unreliable_outlet_alone_is_not_fake() -> None:
    verdict = combine(evidence(ratings=[rating("rsp", 0.05), rating("lin", 0.1)]))
    assert verdict.label == "Unverified"


def test_satire_and_opinion_are_not_fake() -> None:
    satire = combine(evidence(matches=[Match(0.9, "false", 0.0)], genre={"outlet_kind": "satire"}))
    assert satire.label == "Unverified" and satire.genre == "satire"
    opinion = combine(
        evidence(
            ratings=[rating("rsp", 0.05)], track=sig.TrackRecord("o", {"Fake": 6}, {}), genre={"section": "Opinion"}
        )
    )
    assert opinion.label != "Fake" and opinion.genre == "opinion"


def test_abstention_threshold() -> None:
    params = dict(load_params())
    found = evidence(ratings=[rating("rsp", 0.75)])
    assert combine(found, {**params, "abstain_below": 0.01}).label == "Truth"
    assert combine(found, {**params, "abstain_below": 0.99}).label == "Unverified"


LOUD = (
    "SHOCKING!!! The corrupt elites EXPOSED the hoax. You won't believe it! Wake up, they are lying to you! "
    "Share before it is banned!"
)


def test_outlet_alone_never_makes_a_negative_label() -> None:
    unreliable = [rating("rsp", 0.05), rating("lin", 0.1)]
    calm = combine(evidence(ratings=unreliable, title="Barrier approved", body=BODY))
    assert calm.label == "Unverified" and calm.leaning in ("Fake", "Misleading")
    loud = combine(evidence(ratings=unreliable, title="You won't believe what they did!", body=LOUD))
    assert loud.label == "Fake"  # rating sets agree it is unreliable and the text leans the same way
    disputed = combine(
        evidence(ratings=[rating("rsp", 0.05), rating("lin", 0.7)], title="You won't believe it!", body=LOUD)
    )
    assert disputed.label == "Unverified"  # one set rates it reliable: the outlet evidence is not agreed
