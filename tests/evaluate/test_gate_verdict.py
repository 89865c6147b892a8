"""Floors under the verdict's published figures (docs/evaluation.md, "Verdicts"); slow, skipped without the data."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import data_dir, require_data

# a cold run analyses and matches ~1,900 articles for the KB rows: about 7 minutes here, more on a busy machine
pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400)]


@pytest.fixture(scope="module")
def figures() -> dict[str, Any]:
    for name in ("checkthat_task3_fakenews", "fakenews_amt_celebrity", "fakenewsnet", "ecbplus_story_clusters",
                 "news_media_reliability", "domain_quality_ratings", "wikipedia_perennial_sources",
                 "claimreview_politifact_derived"):  # fmt: skip
        require_data(name)
    from veracity.evaluate.verdict_evidence import DEFAULT_CACHE
    from veracity.evaluate.verdicts import evaluate

    return evaluate(data_dir(), kb_cache=DEFAULT_CACHE)


def test_text_alone_never_decides(figures: dict[str, Any]) -> None:
    assert figures["checkthat"]["verdict"]["coverage"] == 0.0
    assert figures["amt_celebrity"]["verdict"]["coverage"] == 0.0


def test_checkthat(figures: dict[str, Any]) -> None:
    assert figures["checkthat"]["tfidf"]["macro_f1"] >= 0.40
    assert figures["checkthat"]["content"]["macro_f1"] >= 0.36  # 0.370; the style-only model of v1: 0.313
    assert figures["checkthat"]["style"]["macro_f1"] >= 0.29


def test_amt_celebrity(figures: dict[str, Any]) -> None:
    assert figures["amt_celebrity"]["tfidf"]["accuracy"] >= 0.73
    assert figures["amt_celebrity"]["content"]["accuracy"] >= 0.70  # 0.718; style-only 0.652
    assert figures["amt_celebrity"]["style"]["accuracy"] >= 0.63


def test_politifact_by_site(figures: dict[str, Any]) -> None:
    pf = figures["politifact_by_site"]
    assert pf["tfidf"]["accuracy"] >= 0.70 and pf["content"]["accuracy"] >= 0.67  # 0.689; style-only 0.643
    assert pf["style"]["accuracy"] >= 0.62
    assert pf["verdict"]["coverage"] >= 0.18 and pf["verdict"]["accuracy_decided"] >= 0.90


def test_transfer_to_an_unseen_set(figures: dict[str, Any]) -> None:
    moved = figures["transfer"]
    assert moved["checkthat"]["content"]["macro_f1"] >= 0.20  # 0.213
    assert moved["amt_celebrity"]["content"]["accuracy"] >= 0.53  # 0.554
    assert moved["politifact_by_site"]["content"]["accuracy"] >= 0.62  # 0.643


def test_calibration(figures: dict[str, Any]) -> None:
    assert figures["calibration"]["ece_content"] <= 0.045


def test_outlet_ratings_agree_with_baly(figures: dict[str, Any]) -> None:
    agreement = figures["outlets_vs_baly"]
    assert agreement["lin2023 vs emnlp18"]["accuracy"] >= 0.70
    assert agreement["lin2023 vs acl2020"]["accuracy"] >= 0.72
    assert agreement["wikipedia-rsp vs acl2020"]["coverage"] >= 0.09


def test_real_reporting_is_not_called_fake(figures: dict[str, Any]) -> None:
    assert figures["real_reporting"]["fake_rate"] <= 0.005
    assert figures["real_reporting"]["labels"]["Truth"] >= 180


def test_checkthat_with_the_factcheck_base(figures: dict[str, Any]) -> None:
    ct = figures["with_kb"]["checkthat"]
    matched = ct["matches"]["0.77"]
    assert matched["coverage"] >= 0.24 and matched["implied_accuracy"] >= 0.62
    assert ct["kb_prior"]["macro_f1"] >= 0.20 and ct["kb_fitted"]["macro_f1"] >= 0.20
    assert ct["kb_fitted_threshold"]["macro_f1"] >= 0.23
    assert ct["kb_prior"]["macro_f1"] > ct["no_kb"]["macro_f1"] + 0.1


def test_politifact_with_the_factcheck_base(figures: dict[str, Any]) -> None:
    pf = figures["with_kb"]["politifact_by_site"]
    assert pf["matches"]["0.77"]["coverage"] >= 0.44 and pf["matches"]["0.77"]["implied_accuracy"] >= 0.92
    assert pf["kb_prior"]["macro_f1"] >= 0.70 and pf["kb_prior"]["accuracy_decided"] >= 0.93
    assert pf["kb_fitted_prior_only"]["macro_f1"] >= 0.50  # only fact-checks older than the article


def test_factcheck_base_keeps_real_reporting_clear_and_calibration(figures: dict[str, Any]) -> None:
    assert figures["with_kb"]["real_reporting"]["fake_rate"] <= 0.005
    # 0.082 measured (goal 0.05, not met); it moved 0.070 -> 0.105 with model changes (docs): a change shows here
    assert figures["with_kb"]["calibration"]["kb_fitted"]["ece_decided"] <= 0.09
