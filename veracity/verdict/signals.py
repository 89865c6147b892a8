"""The verdict's signals: each a plain function over plain values, returning a :class:`Signal`.

A signal carries the numbers the combination model reads (``features``), whether there was
any evidence at all (``present``), and a sentence a person can read. Its ``direction`` and
``weight`` (its share of the log-odds for the label decided) are filled in by
:func:`veracity.verdict.model.combine`. No signal reads the database: the adapters in
:mod:`veracity.verdict.inputs` fetch the values and hand them over, so each function here is
tested with literal values.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

from veracity.ratings.store import OutletRating

# Two rating sets whose reliabilities differ by at least this much "disagree".
DISAGREE = 0.4


@dataclass(frozen=True, slots=True)
class Signal:
    """One piece of evidence about an article."""

    name: str
    sentence: str
    present: bool
    features: Mapping[str, float] = field(default_factory=dict)
    direction: str = "neutral"  # toward "Truth", "Misleading", "Fake", or "neutral"
    weight: float = 0.0  # log-odds it adds to the label decided (negative: it argues against)
    details: Mapping[str, Any] = field(default_factory=dict)

    def with_effect(self, direction: str, weight: float) -> Signal:
        return replace(self, direction=direction, weight=weight)

    def to_json(self) -> dict[str, Any]:
        return {
            "signal": self.name,
            "direction": self.direction,
            "weight": round(self.weight, 3),
            "sentence": self.sentence,
            "present": self.present,
            "details": dict(self.details),
            "features": {k: round(v, 4) for k, v in self.features.items()},
        }


# -- outlet reliability --------------------------------------------------------------------


def outlet_reliability(domain: str | None, ratings: Sequence[OutletRating]) -> Signal:
    """What the imported rating sets say about the outlet; every set shown, disagreements named.

    The model reads the mean reliability (centred on 0.5) and the spread; the sentence lists
    each set's own value. No set rating the outlet means *unknown* (feature 0), not unreliable.
    """
    rated = [r for r in ratings if r.reliability is not None]
    details = {"ratings": [{"set": r.set_name, "value": r.value, "reliability": r.reliability} for r in ratings]}
    if not rated:
        where = domain or "the outlet"
        sentence = f"No imported rating set rates {where}: its reliability is unknown."
        if ratings:
            sentence = f"{where} is listed ({_listing(ratings)}) but no set gives it a reliability."
        return Signal("outlet", sentence, False, {"outlet": 0.0, "outlet_spread": 0.0}, details=details)
    values = [r.reliability for r in rated if r.reliability is not None]
    mean = sum(values) / len(values)
    spread = max(values) - min(values)
    word = "reliable" if mean >= 0.7 else "unreliable" if mean < 0.4 else "of mixed reliability"
    sentence = f"{domain} is rated {word} by the imported rating sets: {_listing(rated)}."
    if spread >= DISAGREE:
        sentence = f"The rating sets disagree about {domain}: {_listing(rated)}."
    return Signal("outlet", sentence, True, {"outlet": mean - 0.5, "outlet_spread": spread}, details=details)


def _listing(ratings: Sequence[OutletRating]) -> str:
    return "; ".join(
        f"{r.set_name} says {r.value}" + (f" ({r.reliability:.2f})" if r.reliability is not None else "")
        for r in ratings
    )


# -- corroboration -------------------------------------------------------------------------


class CorroborationLike(Protocol):
    """What the stories part provides (``veracity.stories.corroboration``)."""

    story_id: str
    size: int
    independent_outlets: list[str]
    first_seen: datetime


UNKNOWN_OUTLET_WEIGHT = 0.5  # an unrated corroborating outlet counts half: unknown, not unreliable


def corroboration(corr: CorroborationLike | None, reliability: Mapping[str, float | None]) -> Signal:
    """Independent outlets reporting the same story, each counted by its reliability (unknown: 0.5)."""
    if corr is None or not corr.independent_outlets:
        text = "No other independent outlet has reported this story (yet)."
        if corr is None:
            text = "Corroboration is not known: the article is not in a story with other outlets."
        return Signal("corroboration", text, False, {"corroboration": 0.0})
    weights = {}
    for outlet in corr.independent_outlets:
        value = reliability.get(outlet)
        weights[outlet] = UNKNOWN_OUTLET_WEIGHT if value is None else value
    total = sum(weights.values())
    shown = ", ".join(corr.independent_outlets[:5]) + (" …" if len(corr.independent_outlets) > 5 else "")
    n = len(corr.independent_outlets)
    sentence = (
        f"{n} independent outlet{'s' if n != 1 else ''} reported the same story ({shown}); "
        f"weighted by their reliability they count as {total:.1f}."
    )
    return Signal(
        "corroboration",
        sentence,
        True,
        {"corroboration": math.log1p(total)},
        details={"story_id": corr.story_id, "story_size": corr.size, "outlets": weights},
    )


# -- fact-check matches --------------------------------------------------------------------


class MatchLike(Protocol):
    """What the fact-check part provides for each match of the article to a prior fact-check."""

    score: float
    rating: str
    rating_value: float | None
    publisher: str
    url: str
    published_after_article: bool


def factchecks(matches: Sequence[MatchLike]) -> Signal:
    """The strongest matches to prior fact-checks, by rating: false, mixed and true each a feature.

    A feature is the best similarity among matches of that kind, so one close match to a
    ``false`` rating outweighs several distant ones. ``not-rateable`` matches are shown, not counted.
    """
    feats = {"fc_false": 0.0, "fc_mixed": 0.0, "fc_true": 0.0}
    if not matches:
        return Signal("fact-check", "No prior fact-check matches the article's claims.", False, feats)
    for m in matches:
        if m.rating_value is None:
            continue
        kind = "fc_false" if m.rating_value <= 0.25 else "fc_true" if m.rating_value >= 0.75 else "fc_mixed"
        strength = m.score * (1.0 if m.rating_value in (0.0, 1.0, 0.5) else 0.75)
        feats[kind] = max(feats[kind], strength)
    best = max(matches, key=lambda m: m.score)
    when = " (published after the article)" if best.published_after_article else ""
    sentence = (
        f"{len(matches)} prior fact-check{'s' if len(matches) != 1 else ''} match the article's claims; the closest"
        f" ({best.score:.2f}) is rated '{best.rating}' by {best.publisher}{when}: {best.url}"
    )
    details = {
        "matches": [
            {"score": round(m.score, 3), "rating": m.rating, "publisher": m.publisher, "url": m.url,
             "published_after_article": m.published_after_article}
            for m in sorted(matches, key=lambda m: -m.score)[:5]
        ]
    }  # fmt: skip
    return Signal("fact-check", sentence, any(v > 0 for v in feats.values()), feats, details=details)


# -- the outlet's own track record ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrackRecord:
    """Past verdicts on the outlet's other articles.

    ``reviewed``: reviewers' verdicts and labels that came with the input (external verdicts);
    ``machine``: machine verdicts that rested on a fact-check match. Label -> count.
    """

    domain: str | None
    reviewed: Mapping[str, int] = field(default_factory=dict)
    machine: Mapping[str, int] = field(default_factory=dict)


REVIEW_WEIGHT = 3.0  # a reviewer's (or an imported) verdict counts as three machine ones
PRIOR_COUNT = 5.0  # shrinkage: five "neutral" verdicts before the record says anything


def track_record(record: TrackRecord) -> Signal:
    """The share of Truth minus the share of Fake (Misleading half) in past decided verdicts, shrunk to 0."""

    def score(counts: Mapping[str, int]) -> tuple[float, float]:
        good = counts.get("Truth", 0)
        bad = counts.get("Fake", 0) + 0.5 * counts.get("Misleading", 0)
        return good, bad

    rg, rb = score(record.reviewed)
    mg, mb = score(record.machine)
    good = REVIEW_WEIGHT * rg + mg
    bad = REVIEW_WEIGHT * rb + mb
    decided = sum(record.reviewed.values()) * REVIEW_WEIGHT + sum(record.machine.values())
    decided -= REVIEW_WEIGHT * record.reviewed.get("Unverified", 0) + record.machine.get("Unverified", 0)
    if decided <= 0:
        text = f"veracity has no decided verdicts on other articles from {record.domain or 'this outlet'} yet."
        return Signal("track-record", text, False, {"track": 0.0})
    value = (good - bad) / (decided + PRIOR_COUNT)
    parts = [f"{n} {label}" for label, n in sorted(record.reviewed.items()) if n]
    machine = [f"{n} {label}" for label, n in sorted(record.machine.items()) if n]
    sentence = (
        f"Past verdicts on {record.domain}: reviewed or imported {', '.join(parts) or 'none'};"
        f" machine, on fact-check evidence, {', '.join(machine) or 'none'}."
    )
    details = {"reviewed": dict(record.reviewed), "machine": dict(record.machine)}
    return Signal("track-record", sentence, True, {"track": value}, details=details)


# -- genre: satire and opinion ---------------------------------------------------------------

_OPINION_SECTION = re.compile(
    r"\b(opinion|opinions|comment|commentary|editorial|editorials|op-?ed|columns?|columnists?|letters|viewpoint|"
    r"perspective|commentisfree|blogs?)\b",
    re.I,
)
_OPINION_URL = re.compile(
    r"/(opinion|opinions|comment|commentisfree|editorials?|op-?ed|columnists?|columns|viewpoints?|letters)(/|$)",
    re.I,
)
_OPINION_TITLE = re.compile(r"^\s*(opinion|comment|editorial|letter|column|op-ed)\s*[:|–-]", re.I)
_SATIRE_CUE = re.compile(r"\b(satire|satirical|parody|humou?r)\b", re.I)


def genre(
    *,
    outlet_kind: str | None,
    ratings: Sequence[OutletRating],
    section: str | None,
    url: str | None,
    title: str,
) -> Signal:
    """Satire (outlet kind, rating sets, section cues) or opinion (section, URL, headline cues); else news."""
    reasons: list[str] = []
    if outlet_kind == "satire":
        reasons.append("the outlet is registered as satire")
    reasons += [f"{r.set_name} lists the outlet as satire" for r in ratings if r.satire]
    if section and _SATIRE_CUE.search(section):
        reasons.append(f"its section is '{section}'")
    if reasons:
        return Signal(
            "genre", "Satire: " + "; ".join(reasons) + ". Satire is not judged as news.", True, {"satire": 1.0},
            direction="neutral", details={"genre": "satire"},
        )  # fmt: skip
    cues = []
    if section and _OPINION_SECTION.search(section):
        cues.append(f"section '{section}'")
    if url and _OPINION_URL.search(url.split("?", 1)[0]):
        cues.append("its address")
    if _OPINION_TITLE.search(title):
        cues.append("its headline")
    if cues:
        return Signal(
            "genre", "Opinion (" + ", ".join(cues) + "): judged for its factual claims only, not as reporting.",
            True, {"opinion": 1.0}, details={"genre": "opinion"},
        )  # fmt: skip
    return Signal("genre", "Reported as news: no satire or opinion cue.", False, {}, details={"genre": "news"})


def genre_of(signal: Signal) -> str | None:
    value = signal.details.get("genre")
    return value if value in ("satire", "opinion") else None
