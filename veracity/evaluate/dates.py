"""Publication-date metric of the htmldate evaluation set (upstream ``tests/comparison.py``).

Per page: no output and no gold -> TN; no output but gold -> FN; output equal to
gold at day precision -> TP; any other output -> FP.
"""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

__all__ = ["DateScores", "evaluate_dates", "iter_pages", "load_labels", "score_dates"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DateScores:
    """Confusion counts and the derived precision, recall, accuracy and F-score."""

    precision: float
    recall: float
    accuracy: float
    f_score: float
    n: int
    tp: int
    fp: int
    fn: int
    tn: int


def _day(value: date | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


def score_dates(pairs: Iterable[tuple[date | None, date | None]]) -> DateScores:
    """Score (predicted, gold) pairs; datetimes are compared by their day."""
    tp = fp = fn = tn = 0
    for predicted, gold in pairs:
        predicted, gold = _day(predicted), _day(gold)
        if predicted is None:
            if gold is None:
                tn += 1
            else:
                fn += 1
        elif predicted == gold:
            tp += 1
        else:
            fp += 1
    n = tp + fp + fn + tn
    return DateScores(
        precision=_ratio(tp, tp + fp),
        recall=_ratio(tp, tp + fn),
        accuracy=_ratio(tp + tn, n),
        f_score=_ratio(2 * tp, 2 * tp + fp + fn),
        n=n,
        tp=tp,
        fp=fp,
        fn=fn,
        tn=tn,
    )


def load_labels(data_dir: Path) -> list[tuple[str, str, date | None]]:
    """Read ``labels.jsonl`` as (file, url, gold date or None), in file order."""
    data_dir = Path(data_dir)
    if not data_dir.exists():
        raise FileNotFoundError(f"htmldate evaluation folder not found: {data_dir}")
    path = data_dir / "labels.jsonl"
    if not path.exists():
        raise FileNotFoundError(f"htmldate labels not found: {path}")
    labels: list[tuple[str, str, date | None]] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            row = json.loads(line)
            gold = date.fromisoformat(row["date"]) if row.get("date") else None
            labels.append((str(row["file"]), str(row["url"]), gold))
    return labels


def iter_pages(data_dir: Path) -> Iterator[tuple[str, str, date | None, bytes]]:
    """Yield (file, url, gold date, decompressed raw HTML bytes) per labelled page."""
    data_dir = Path(data_dir)
    for name, url, gold in load_labels(data_dir):
        path = data_dir / name
        if not path.exists():
            raise FileNotFoundError(f"htmldate evaluation page not found: {path}")
        raw = path.read_bytes()
        yield name, url, gold, gzip.decompress(raw) if name.endswith(".gz") else raw


def evaluate_dates(
    data_dir: Path,
    find_date: Callable[[bytes], date | None],
    on_item: Callable[[], None] | None = None,
    *,
    errors: dict[str, str] | None = None,
) -> DateScores:
    """Run ``find_date(html)`` (never given the URL) on every page and score it.

    An exception counts as no date; it is logged and, if ``errors`` is given,
    recorded there as file -> ``repr(exception)``.
    """
    pairs: list[tuple[date | None, date | None]] = []
    failed: dict[str, str] = {}
    for name, _url, gold, html in iter_pages(data_dir):
        try:
            predicted = find_date(html)
        except Exception as exc:
            predicted = None
            failed[name] = repr(exc)
        pairs.append((predicted, gold))
        if on_item is not None:
            on_item()
    if failed:
        logger.warning("date extractor failed on %d of %d pages", len(failed), len(pairs))
        if errors is not None:
            errors.update(failed)
    return score_dates(pairs)
