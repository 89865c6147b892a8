"""Tests for the htmldate publication-date metric."""

from __future__ import annotations

import gzip
import json
import os
from datetime import date, datetime
from itertools import islice
from pathlib import Path

import pytest

from veracity.evaluate.dates import (
    DateScores,
    evaluate_dates,
    iter_pages,
    load_labels,
    score_dates,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
D1, D2 = date(2020, 3, 27), date(2019, 1, 1)


def _data_root() -> Path:
    env = os.environ.get("VERACITY_DATA_DIR")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="module")
def eval_dir() -> Path:
    path = _data_root() / "htmldate_eval"
    if not (path / "labels.jsonl").exists():
        pytest.skip(f"htmldate evaluation set not found: {path}")
    return path


def test_score_dates_hand_computed() -> None:
    pairs: list[tuple[date | None, date | None]] = [
        (D1, D1),  # TP
        (datetime(2020, 3, 27, 10, 30), D1),  # TP: day precision
        (None, None),  # TN
        (None, D1),  # FN
        (D2, D1),  # FP: wrong date
        (D1, None),  # FP: date where none is expected
    ]
    s = score_dates(pairs)
    assert (s.tp, s.fp, s.fn, s.tn, s.n) == (2, 2, 1, 1, 6)
    assert s.precision == pytest.approx(0.5)
    assert s.recall == pytest.approx(2 / 3)
    assert s.accuracy == pytest.approx(0.5)
    assert s.f_score == pytest.approx(4 / 7)


def test_score_dates_degenerate_inputs() -> None:
    assert score_dates([]) == DateScores(0.0, 0.0, 0.0, 0.0, 0, 0, 0, 0, 0)
    s = score_dates([(None, None)])
    assert (s.accuracy, s.precision, s.recall, s.f_score, s.tn) == (
        1.0,
        0.0,
        0.0,
        0.0,
        1,
    )


def _make_eval(root: Path) -> Path:
    rows: list[dict[str, str | None]] = [
        {
            "url": "https://a.example/2020/03/27/x",
            "date": "2020-03-27",
            "file": "html/a.html.gz",
        },
        {"url": "https://b.example/y", "date": None, "file": "html/b.html.gz"},
        {"url": "https://c.example/z", "date": "2019-01-01", "file": "html/c.html.gz"},
    ]
    (root / "html").mkdir(parents=True)
    lines = [json.dumps(row) for row in rows]
    (root / "labels.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for row, body in zip(rows, ["2020-03-27", "nothing", "explode"], strict=True):
        html = f"<html><body>{body}</body></html>".encode()
        (root / str(row["file"])).write_bytes(gzip.compress(html))
    return root


def test_loaders(tmp_path: Path) -> None:
    root = _make_eval(tmp_path / "ev")
    labels = load_labels(root)
    assert labels[1] == ("html/b.html.gz", "https://b.example/y", None)
    pages = list(iter_pages(root))
    assert [(f, g) for f, _, g, _ in pages] == [
        ("html/a.html.gz", D1),
        ("html/b.html.gz", None),
        ("html/c.html.gz", D2),
    ]
    assert pages[0][3] == b"<html><body>2020-03-27</body></html>"


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nowhere"):
        load_labels(tmp_path / "nowhere")


def test_evaluate_dates_html_only_and_failures(tmp_path: Path) -> None:
    root = _make_eval(tmp_path / "ev")
    calls: list[bytes] = []

    def find(html: bytes) -> date | None:
        calls.append(html)
        if b"explode" in html:
            raise ValueError("bad page")
        return D1 if b"2020-03-27" in html else None

    errors: dict[str, str] = {}
    ticks: list[int] = []
    s = evaluate_dates(root, find, lambda: ticks.append(1), errors=errors)
    assert len(calls) == 3 and all(isinstance(html, bytes) for html in calls)
    assert (s.tp, s.fp, s.fn, s.tn) == (1, 0, 1, 1)
    assert list(errors) == ["html/c.html.gz"] and "bad page" in errors["html/c.html.gz"]
    assert len(ticks) == 3


def test_real_labels(eval_dir: Path) -> None:
    labels = load_labels(eval_dir)
    assert len(labels) == 1000
    assert sum(gold is None for _, _, gold in labels) == 5
    _file, url, _gold, html = next(iter_pages(eval_dir))
    assert url.startswith("http") and len(html) > 1000


@pytest.mark.slow
def test_htmldate_smoke_first_200(eval_dir: Path) -> None:
    from htmldate import find_date

    pairs: list[tuple[date | None, date | None]] = []
    for _file, _url, gold, html in islice(iter_pages(eval_dir), 200):
        found = find_date(html, extensive_search=True, original_date=True)
        pairs.append((date.fromisoformat(found) if found else None, gold))
    s = score_dates(pairs)
    assert s.n == 200
    assert s.accuracy > 0.8  # htmldate 1.11.0 gives 0.895 on these pages
