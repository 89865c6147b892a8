"""Tests for the article-extraction benchmark metric."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

from veracity.evaluate.extraction import (
    evaluate_extraction,
    iter_pages,
    load_system_output,
    load_truth,
    match_counts,
    score_extraction,
    shingles,
    tokenize,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
TOL = 0.0015

# Upstream README table: output file -> (F1, P, R, accuracy).
PUBLISHED = {
    "AutoExtract": (0.970, 0.984, 0.956, 0.470),
    "Diffbot": (0.951, 0.958, 0.944, 0.348),
    "trafilatura": (0.958, 0.938, 0.978, 0.293),
    "newspaper": (0.949, 0.964, 0.934, 0.326),
    "news_please": (0.948, 0.964, 0.933, 0.326),
    "readability_js": (0.947, 0.914, 0.982, 0.166),
    "readability": (0.922, 0.913, 0.931, 0.315),
    "dragnet": (0.907, 0.925, 0.889, 0.221),
    "goose3": (0.896, 0.940, 0.856, 0.232),
    "boilerpipe": (0.860, 0.850, 0.870, 0.006),
    "justext": (0.804, 0.858, 0.756, 0.088),
    "html-text": (0.665, 0.500, 0.994, 0.000),
}


def _data_root() -> Path:
    env = os.environ.get("VERACITY_DATA_DIR")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="module")
def bench_dir() -> Path:
    path = _data_root() / "article_extraction_benchmark"
    if not (path / "ground-truth.json").exists():
        pytest.skip(f"article extraction benchmark not found: {path}")
    return path


# --- metric on hand-made inputs -------------------------------------------------


def test_tokenize_is_unicode_word_regex_and_case_sensitive() -> None:
    assert tokenize("Hello, wörld! 3.5 x_y") == ["Hello", "wörld", "3", "5", "x_y"]
    assert tokenize(None) == []
    assert tokenize("Hello") != tokenize("hello")


def test_shingles_short_and_empty_texts() -> None:
    assert shingles("a b c d e") == {("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1}
    assert shingles("a b c d") == {("a", "b", "c", "d"): 1}
    assert shingles("a, b") == {("a", "b"): 1}  # fewer than 4 tokens: one shingle
    assert shingles("  ...  ") == {}


def test_match_counts_normalised() -> None:
    # true: abcd bcde cdef; pred: abcd bcde cdex dexy -> TP 2, FP 2, FN 1
    assert match_counts("a b c d e f", "a b c d e x y") == pytest.approx((0.4, 0.4, 0.2))
    assert match_counts("", "") == (0.0, 0.0, 0.0)
    assert match_counts("a b c d", "") == (0.0, 0.0, 1.0)


def test_match_counts_is_a_multiset() -> None:
    # true shingles: abcd x2, bcda, cdab, dabc; pred: abcd x1 -> TP 1, FP 0, FN 4
    assert match_counts("a b c d a b c d", "a b c d") == pytest.approx((0.2, 0.0, 0.8))


def test_score_extraction_hand_computed() -> None:
    truth = {"x": "a b c d e f", "y": "p q r s", "z": "", "w": "m n"}
    preds = {"x": "a b c d e x y", "y": "", "z": "", "w": "m, n!"}
    s = score_extraction(preds, truth, bootstrap=0)
    # P over items with predicted shingles: x 0.5, w 1.0 (y, z excluded)
    assert s.precision == pytest.approx(0.75)
    # R over items with true shingles: x 2/3, y 0, w 1 (z excluded)
    assert s.recall == pytest.approx(5 / 9)
    assert s.f1 == pytest.approx(30 / 47)
    assert s.accuracy == pytest.approx(0.5)  # z and w token-equal
    assert s.n == 4
    assert s.f1_std == 0.0


def test_missing_prediction_is_empty_and_unknown_id_rejected() -> None:
    truth = {"x": "a b c d e f", "y": "p q r s"}
    full = score_extraction({"x": "a b c d e f", "y": ""}, truth, bootstrap=0)
    partial = score_extraction({"x": "a b c d e f"}, truth, bootstrap=0)
    assert full == partial
    assert (full.precision, full.recall, full.accuracy) == (1.0, 0.5, 0.5)
    with pytest.raises(ValueError, match="not in ground truth"):
        score_extraction({"q": "text"}, truth)
    with pytest.raises(ValueError):
        score_extraction({}, {})


def test_no_predictions_at_all_scores_zero() -> None:
    s = score_extraction({}, {"x": "a b c d e"}, bootstrap=10)
    assert (s.precision, s.recall, s.f1, s.accuracy) == (0.0, 0.0, 0.0, 0.0)


def test_bootstrap_is_seeded() -> None:
    truth = {str(i): f"w{i} a b c d e f g" for i in range(20)}
    preds = {str(i): "a b c d" if i % 3 else truth[str(i)] for i in range(20)}
    a = score_extraction(preds, truth, bootstrap=200, seed=1)
    b = score_extraction(preds, truth, bootstrap=200, seed=1)
    c = score_extraction(preds, truth, bootstrap=200, seed=2)
    assert a == b
    assert a.f1_std > 0.0
    assert a.f1_std != c.f1_std
    assert score_extraction(truth, truth, bootstrap=200).f1_std == 0.0


# --- loaders and runner on a tiny synthetic benchmark ----------------------------


def _make_bench(root: Path) -> Path:
    truth = {
        "id1": {"articleBody": "one two three four five", "url": "https://a.example/1"},
        "id2": {"articleBody": "six seven eight nine", "url": "https://b.example/2"},
    }
    (root / "html").mkdir(parents=True)
    (root / "output").mkdir()
    (root / "ground-truth.json").write_text(json.dumps(truth), encoding="utf-8")
    for key, item in truth.items():
        html = f"<html><body><p>{item['articleBody']}</p></body></html>"
        (root / "html" / f"{key}.html.gz").write_bytes(gzip.compress(html.encode()))
    bare = {"id1": {"articleBody": "one two"}, "id2": {"articleBody": None}}
    wrapped = {"version": "1", "output": {"id1": {"articleBody": "x"}, "id2": {}}}
    (root / "output" / "bare.json").write_text(json.dumps(bare), encoding="utf-8")
    (root / "output" / "wrapped.json").write_text(json.dumps(wrapped), encoding="utf-8")
    return root


def test_loaders(tmp_path: Path) -> None:
    root = _make_bench(tmp_path / "bench")
    assert load_truth(root)["id2"] == ("https://b.example/2", "six seven eight nine")
    pages = list(iter_pages(root))
    assert [(k, u) for k, u, _ in pages] == [
        ("id1", "https://a.example/1"),
        ("id2", "https://b.example/2"),
    ]
    assert pages[0][2].startswith(b"<html>")
    assert load_system_output(root, "bare") == {"id1": "one two", "id2": ""}
    assert load_system_output(root, "wrapped") == {"id1": "x", "id2": ""}
    with pytest.raises(FileNotFoundError, match="available: \\['bare', 'wrapped'\\]"):
        load_system_output(root, "nope")


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(FileNotFoundError, match="nowhere"):
        load_truth(missing)
    with pytest.raises(FileNotFoundError, match="nowhere"):
        next(iter_pages(missing))


def test_evaluate_extraction_collects_failures(tmp_path: Path) -> None:
    root = _make_bench(tmp_path / "bench")
    seen: list[str] = []

    def extract(html: bytes, url: str) -> str:
        if url.endswith("/2"):
            raise RuntimeError("boom")
        return html.decode().removeprefix("<html><body><p>").split("<")[0]

    errors: dict[str, str] = {}
    scores, preds = evaluate_extraction(root, extract, lambda: seen.append("."), errors=errors)
    assert preds == {"id1": "one two three four five", "id2": ""}
    assert list(errors) == ["id2"] and "boom" in errors["id2"]
    assert len(seen) == 2
    assert (scores.precision, scores.recall, scores.accuracy, scores.n) == (
        1.0,
        0.5,
        0.5,
        2,
    )


# --- reproduction of the published table -----------------------------------------


@pytest.mark.parametrize("system", sorted(PUBLISHED))
def test_reproduces_published_scores(bench_dir: Path, system: str) -> None:
    if not (bench_dir / "output" / f"{system}.json").exists():
        pytest.skip(f"system output not found: {bench_dir / 'output' / system}.json")
    truth = {key: body for key, (_, body) in load_truth(bench_dir).items()}
    s = score_extraction(load_system_output(bench_dir, system), truth, bootstrap=0)
    f1, precision, recall, accuracy = PUBLISHED[system]
    assert s.n == 181
    assert s.f1 == pytest.approx(f1, abs=TOL)
    assert s.precision == pytest.approx(precision, abs=TOL)
    assert s.recall == pytest.approx(recall, abs=TOL)
    assert s.accuracy == pytest.approx(accuracy, abs=TOL)


def test_bootstrap_std_in_published_range(bench_dir: Path) -> None:
    truth = {key: body for key, (_, body) in load_truth(bench_dir).items()}
    s = score_extraction(load_system_output(bench_dir, "trafilatura"), truth)
    assert 0.003 < s.f1_std < 0.012  # upstream reports ±0.006


def test_real_pages_decompress(bench_dir: Path) -> None:
    _key, url, html = next(iter_pages(bench_dir))
    assert url.startswith("http") and b"<" in html[:2000]
