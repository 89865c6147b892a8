"""The verdict evaluation's knowledge-base runs: match bookkeeping, time and own-URL labels, the per-fold fit."""

from __future__ import annotations

import gzip
import json
from datetime import datetime
from pathlib import Path

from veracity.evaluate.verdict_data import Doc
from veracity.evaluate.verdict_evidence import KB_FILE, EvidenceCache, FoundMatch, factcheck_date, implied_label, kept
from veracity.evaluate.verdict_evidence_fit import fit_evidence_weights, with_evidence_weights
from veracity.factchecks.claimreview import FactCheck
from veracity.factchecks.rating import Rating
from veracity.verdict import signals as sig
from veracity.verdict.model import combine, load_params


def _fc(url: str, claim_date: datetime | None = None) -> FactCheck:
    return FactCheck(id="x", claim="c", review_url=url, publisher="PolitiFact", publisher_site=None, title=None,
                     claimant=None, claim_date=claim_date, review_date=None, rating=Rating("false", 0.0, "False"),
                     language=None, source="s", raw="{}")  # fmt: skip


def _m(score: float, value: float | None, *, same: bool = False, after: bool = False) -> FoundMatch:
    return FoundMatch(score, "r", value, "PolitiFact", "u", after, same, "claim", "fc claim")


def test_factcheck_date_from_the_review_url_else_the_claim() -> None:
    assert factcheck_date(_fc("https://www.politifact.com/factchecks/2019/oct/30/a/b/")) == datetime(2019, 10, 30)
    assert factcheck_date(_fc("https://example.org/x", datetime(2018, 1, 2))) == datetime(2018, 1, 2)
    assert factcheck_date(_fc("https://example.org/x")) is None


def test_kept_and_implied_label() -> None:
    found = [_m(0.9, 0.0, after=True), _m(0.8, 1.0, same=True), _m(0.6, 0.5)]
    assert len(kept(found, 0.77)) == 2
    assert kept(found, 0.77, after=False) == [found[1]]
    assert kept(found, 0.77, same_url=False) == [found[0]]
    assert implied_label(kept(found, 0.77)) == "Fake"  # the closest match decides
    assert implied_label(kept(found, 0.77, after=False)) == "Truth"
    assert implied_label([_m(0.6, 0.5)]) == "Misleading"
    assert implied_label([_m(0.9, None)]) == "Unverified"
    assert implied_label([]) == "Unverified"


def test_evidence_weights_scale_and_threshold() -> None:
    params = load_params()
    out = with_evidence_weights(params, 2.0, 4.0, 0.5)
    assert out["weights"]["fc_false"] == {"Fake": 10.0, "Misleading": 8.0, "Truth": -4.0}
    assert out["weights"]["fc_true"] == {"Truth": 6.0, "Fake": -4.0}
    assert out["weights"]["outlet"] == params["weights"]["outlet"] and out["abstain_below"] == 0.5
    assert params["weights"]["fc_false"]["Fake"] == 5.0  # the shipped parameters are left alone


def test_fit_learns_that_false_matches_mean_misleading_here() -> None:
    params = load_params()
    rows = [[sig.factchecks([_m(0.8, 0.0)])] for _ in range(30)] + [[sig.factchecks([])] for _ in range(10)]
    gold = ["Misleading"] * 30 + ["Unverified"] * 10
    labels = ("Misleading", "Unverified")
    assert combine(rows[0], params).label == "Fake"  # the prior says Fake
    fitted, info = fit_evidence_weights(rows, gold, labels, params)
    assert combine(rows[0], fitted).label == "Misleading"
    assert info["train_macro_f1"] == 1.0
    assert combine(rows[-1], fitted).label == "Unverified"  # no evidence: still no verdict


def test_cache_matches_articles_through_the_shipped_stages(tmp_path: Path) -> None:
    kb = tmp_path / "data" / KB_FILE
    kb.parent.mkdir(parents=True)
    record = {"@context": "https://schema.org", "@type": "ClaimReview",
              "url": "https://www.politifact.com/factchecks/2020/mar/02/x/nasa-darkness/",
              "claimReviewed": "NASA confirms Earth will experience 15 days of darkness in November.",
              "author": {"@type": "Organization", "name": "PolitiFact"},
              "reviewRating": {"@type": "Rating", "alternateName": "Pants on Fire", "ratingValue": 1,
                               "bestRating": 6, "worstRating": 1}}  # fmt: skip
    with gzip.open(kb, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps(record) + "\n")
    body = "The agency said nothing of the kind, but the post spread widely online last week.\nMore text here."
    docs = [
        Doc("a", "NASA confirms Earth will experience 15 days of darkness in November", body, "Fake", "a"),
        Doc(
            "b",
            "NASA confirms Earth will experience 15 days of darkness in November",
            body + " See https://www.politifact.com/factchecks/2020/mar/02/x/nasa-darkness/",
            "Fake",
            "b",
        ),
        Doc("c", "Local council approves the new budget for the coming year", "The vote was 7 to 2.", "Truth", "c"),
    ]
    cache = EvidenceCache(tmp_path / "data", tmp_path / "cache")
    assert cache.imported == {"factchecks": 1}
    found = cache.matches(docs, "t", {"a": datetime(2019, 1, 1), "b": datetime(2021, 1, 1)})
    assert [m.rating for m in kept(found["a"], 0.77)] == ["false"]  # pants on fire, normalised
    assert found["a"][0].published_after_article and not found["a"][0].same_url
    assert not found["b"][0].published_after_article and found["b"][0].same_url
    assert kept(found["c"], 0.77) == []
    again = cache.matches(docs, "t", {"a": datetime(2019, 1, 1), "b": datetime(2021, 1, 1)})  # from the cache
    assert again == found


def test_cache_is_per_fingerprint_of_models_and_settings() -> None:
    """A changed setting (or model file) gets a fresh cache folder, never another model's stale matches."""
    from dataclasses import replace

    from veracity.evaluate.verdict_evidence import fingerprint
    from veracity.settings import Settings

    base = Settings()
    assert fingerprint(base) == fingerprint(Settings())
    lower = replace(base, factchecks=replace(base.factchecks, match_threshold=base.factchecks.match_threshold / 2))
    assert fingerprint(lower) != fingerprint(base)
