"""The calibration maps of the verdict's confidence (veracity/evaluate/verdict_calibration.py), on synthetic rows."""

from __future__ import annotations

import numpy as np

from veracity.evaluate.verdict_calibration import (
    METHODS,
    Row,
    abstention,
    cell,
    cross_validate_maps,
    fit_cells,
    fit_platt,
)


def test_cells_separate_label_and_match() -> None:
    assert [cell("Truth", False), cell("Truth", True), cell("Fake", True), cell("Misleading", True)] == [0, 1, 2, 3]
    assert cell("Fake", False) == 4


def test_cell_map_is_each_cells_accuracy() -> None:
    conf = np.full(8, 0.9)
    right = np.array([1, 1, 1, 0, 1, 0, 0, 0], dtype=float)
    cells = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    mapping, params = fit_cells(conf, right, cells)
    assert params[:2] == [0.75, 0.25]
    assert params[2] == 0.5  # unseen cell: the overall accuracy
    assert mapping(np.array([0.99, 0.5]), np.array([0, 1])).tolist() == [0.75, 0.25]


def test_platt_leaves_a_calibrated_confidence_nearly_alone() -> None:
    rng = np.random.default_rng(0)
    conf = rng.uniform(0.5, 0.99, 4000)
    right = (rng.uniform(size=conf.size) < conf).astype(float)
    _mapping, (a, b) = fit_platt(conf, right, np.zeros(conf.size, dtype=int))
    assert abs(a - 1) < 0.15 and abs(b) < 0.15


def _rows() -> list[Row]:
    """Overconfident verdicts: confidence 0.95, right exactly 70% of the time, in both sets and all folds."""
    out = []
    for k in range(5):
        for test in (False, True):
            for s, gold_set in (("checkthat", ("Fake", "Truth")), ("politifact_by_site", ("Fake", "Truth"))):
                for i in range(60):
                    right = i < 42
                    gold = "Fake" if right else "Truth"
                    out.append(Row(s, k, test, gold, "Fake", 0.95, True))
                out.append(Row(s, k, test, gold_set[1], "Unverified", 0.5, False))
    return out


def test_maps_fix_an_overconfident_verdict_out_of_fold() -> None:
    result = cross_validate_maps(_rows())
    assert set(result) == set(METHODS)
    assert result["raw"]["ece_oof"] > 0.2
    assert result["evidence cells (5)"]["ece_oof"] < 1e-9
    assert all(r["n"] == 600 for r in result.values())  # the Unverified rows are left out


def test_abstaining_on_the_calibrated_confidence_lowers_coverage() -> None:
    rows = [Row(r.set_name, r.fold, r.test, r.gold, r.label, r.confidence, r.matched) for r in _rows()]
    out = abstention(rows, below=0.8)
    assert out["checkthat raw"]["coverage"] > 0.9
    assert out["checkthat cells"]["coverage"] == 0.0
